#!/bin/sh
# tui_load_check.sh TCPLAB — `tcplab tui` without a terminal (as here: stdin and stdout are
# no tty) reports a bad source first, as `tcplab run` does: a missing file (FILE: No such
# file or directory), a malformed scenario (FILE:LINE:COL: error: ...), a capture that cannot
# be read (FILE: ...), a scan option that cannot be used; each exits 1, an input error
# (tcplab(1) EXIT STATUS), and says nothing of a terminal. Only a good source, with no
# terminal, hears "needs a terminal" (exit 1 too: a usage error).
set -u
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d /tmp/tcplab-tuiload.XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail=0
# check WHAT STATUS PATTERN ARGS...: tcplab tui ARGS exits STATUS, its stderr matches PATTERN
# and, unless PATTERN is about the terminal, does not mention one.
check() {
    what=$1 want=$2 pat=$3; shift 3
    "$bin" tui "$@" </dev/null >"$dir/out" 2>"$dir/err"; rc=$?
    if [ "$rc" != "$want" ]; then
        echo "tui_load_check: $what: exit $rc, want $want ($(head -c 300 "$dir/err"))" >&2; fail=1
    fi
    if ! grep -q -- "$pat" "$dir/err"; then
        echo "tui_load_check: $what: no '$pat' in: $(head -c 300 "$dir/err")" >&2; fail=1
    fi
    case $pat in *terminal*) ;; *)
        if grep -q "terminal" "$dir/err"; then
            echo "tui_load_check: $what: speaks of a terminal before the input's error" >&2; fail=1
        fi ;;
    esac
}
check "missing capture" 1 "^nosuch.pcap: No such file or directory" nosuch.pcap
check "missing scenario" 1 "^nosuch.scn: No such file or directory" nosuch.scn
check "a directory" 1 "$dir: is a directory" "$dir"
printf 'host a 198.18.0.1\nbogus line\n' > "$dir/bad.scn"
check "malformed scenario" 1 "^$dir/bad.scn:2:1: error: " "$dir/bad.scn"
printf '\324\303\262\241\002\000' > "$dir/short.pcap"
check "truncated capture" 1 "$dir/short.pcap: .*truncated" "$dir/short.pcap"
check "scan, bad zombie" 1 'Could not resolve idle scan zombie host "nosuch"' \
    "$root/scenarios/idle-scan.scn" -- -sI nosuch -Pn target
check "lab, missing" 1 "nosuchlab" --lab nosuchlab --student alice
# good input, no terminal: the one place it is said
check "good scenario" 1 "needs a terminal" "$root/scenarios/handshake.scn"
"$bin" run "$root/scenarios/handshake.scn" --pcap "$dir/hs.pcap" >/dev/null
check "good capture" 1 "needs a terminal" "$dir/hs.pcap"
check "good scan" 1 "needs a terminal" "$root/scenarios/port-states.scn" -- -sS -p 80 target
[ $fail -eq 0 ] && echo "tui_load_check: passed"
exit $fail
