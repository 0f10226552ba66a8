#!/bin/sh
# layers.sh — the build's layering rules, checked from the #include lines (`make layers`,
# run by `make unit`).
#
# Why: the simulator must stay a value that knows nothing of who drives it, and the
# scanner's code must run unchanged against the simulator or a live network. Both promises
# are about what a file may see, so they are checked here rather than trusted:
#
#   lib/      leaf code            may include lib/ only
#   sim/      the simulator        lib/, sim/
#   pktio/    the packet I/O seam  lib/, pktio/; pktio_sim.c alone may include sim/
#   scanner/  the scanner          lib/, pktio/, scanner/ (never sim/)
#   bridge/   the TUN bridge       lib/, pktio/, sim/ (a client of the simulator)
#   attach/   attached scripts     session.c: lib/, sim/, attach/ (a client of the simulator);
#                                  the protocol and the C client: lib/, attach/ only
#             (pktio/pktio_attach.c, the scanner's backend under attach, may include attach/)
#   lab/      labs and graders     lib/, sim/, lab/
#   tui/      the ncurses stepper  anything but cmd/
#   cmd/      the command line     anything
#
# and <curses.h>/<ncurses.h> only under tui/; inside sim/, filter.c includes neither
# engine.h nor host.h (a filter decides, sim/filter_act.c carries the verdict out). Exits 1 naming every line that breaks a rule.
cd "$(dirname "$0")/.." || exit 2
bad=0
allowed() { # dir file -> space-separated list of allowed top-level dirs
    case "$1" in
        lib) echo "lib" ;;
        sim) echo "lib sim" ;;
        pktio) case "$(basename "$2")" in
                   pktio_sim.c) echo "lib pktio sim" ;;
                   pktio_attach.c) echo "lib pktio attach" ;;
                   *) echo "lib pktio" ;;
               esac ;;
        attach) case "$(basename "$2")" in
                    session.[ch]) echo "lib sim attach" ;;
                    *) echo "lib attach" ;;
                esac ;;
        scanner) echo "lib pktio scanner" ;;
        bridge) echo "lib pktio sim bridge" ;;
        lab) echo "lib sim lab" ;;
        tui) echo "lib sim pktio scanner lab tui" ;;
        *) echo "*" ;;
    esac
}
for f in $(find lib sim pktio scanner bridge attach lab tui cmd -name '*.[ch]' 2>/dev/null | sort); do
    top=${f%%/*}
    ok=$(allowed "$top" "$f")
    # Local includes name their directory from the repository root: "sim/host.h".
    grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | while IFS= read -r line; do
        inc=$(printf '%s\n' "$line" | sed 's/.*"\([^"]*\)".*/\1/')
        case "$inc" in */*) d=${inc%%/*} ;; *) d=$top ;; esac
        [ "$ok" = "*" ] && continue
        case " $ok " in *" $d "*) ;; *)
            echo "layers: $f:${line%%:*}: $top/ may not include \"$inc\" (allowed: $ok)"; echo x ;;
        esac
    done
    if [ "$top" != tui ] && grep -qE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<n?curses' "$f"; then
        echo "layers: $f: only tui/ may include curses"; echo x
    fi
    # Inside sim/: the filter decides and the engine acts (sim/filter_act.c), so the call
    # graph runs one way: filter.c includes neither the engine nor the hosts.
    if [ "$f" = sim/filter.c ] && grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"(sim/)?(engine|host)\.h"' "$f"; then
        echo "layers: sim/filter.c may not include engine.h or host.h (it decides; filter_act.c acts)"; echo x
    fi
done > /tmp/layers.$$ 2>&1
if grep -q '^x$' /tmp/layers.$$; then grep -v '^x$' /tmp/layers.$$ >&2; bad=1; fi
rm -f /tmp/layers.$$
[ $bad -eq 0 ] && echo "layers: include rules hold"
exit $bad
