# bridge_ns.sh — what the live scripts that run `tcplab bridge` in a network namespace of
# their own (bridge.sh, services.sh, sv_vs_nmap.sh) start with, sourced by bash as
# `. "$here/bridge_ns.sh"` with the script's own arguments ([TCPLAB]) after it sets
#   here      its directory (tests/live)
#   me        its name, the prefix of every message ("services")
#   nsl       one upper-case letter: the namespace is tl<nsl><tag>, the TUN device the same
#             in lower case (tag: $TL_TAG, else the script's pid)
#   keepdir   where to copy the work directory on exit, "" for nowhere (its *_KEEP variable)
# Sets tcplab (absolute), root (the source tree), tag, ns, dev, work (a scratch directory),
# bpid (the bridge's pid, "" when none runs), lpid (another background process of the
# script's, "" when none), fail=0; defines inns (a command inside the namespace), bad, ok,
# need_root, and for the embedded default network default_net and bridge_up; and on every
# exit path (EXIT, INT, TERM) ends lpid and bpid, every process in the namespace, removes
# the namespace and the scratch directory. Only 198.18.0.0/15 is used inside it.
# shellcheck shell=bash disable=SC2154   # here, me, nsl, keepdir: set by the sourcing script
tcplab=$(cd "$(dirname "${1:-./tcplab}")" && pwd)/$(basename "${1:-./tcplab}")
[ -x "$tcplab" ] || { echo "$me: no tcplab binary at $tcplab" >&2; exit 2; }
root=$(cd "$here/../.." && pwd)
tag=${TL_TAG:-$$}
ns="tl$nsl$tag"
dev="tl${nsl,,}$tag"
work=$(mktemp -d "/tmp/tcplab-$me.XXXXXX")
bpid=""; lpid=""
fail=0
NET=198.18.100   # the default network's 198.51.100.0/24, moved into 198.18.0.0/15

cleanup() {
    for p in $lpid $bpid; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    bpid=""; lpid=""
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
    if [ -n "$keepdir" ]; then mkdir -p "$keepdir"; cp -r "$work"/. "$keepdir"/ 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

inns() { ip netns exec "$ns" "$@"; }
bad() { echo "$me: FAILED: $*" >&2; fail=1; }
ok() { echo "$me: ok: $*"; }
need_root() { [ "$(id -u)" = 0 ] || { echo "$me: need root" >&2; exit 2; }; }

# default_net: the embedded default network (scenarios/default.scn) on $NET.0/24, in
# $work/net.scn.
default_net() {
    sed "s/198\.51\.100\./$NET./g" "$root/scenarios/default.scn" >"$work/net.scn"
}

# bridge_up: the namespace, and the bridge in it on $work/net.scn (its output in
# $work/bridge.out and .err); waits at most 5 s for `ready`, else exits 1.
bridge_up() {
    ip netns add "$ns" || exit 2
    inns ip link set lo up
    ip netns exec "$ns" "$tcplab" bridge "$work/net.scn" --tun "$dev" >"$work/bridge.out" 2>"$work/bridge.err" &
    bpid=$!
    for _ in $(seq 50); do
        grep -q '^ready$' "$work/bridge.out" 2>/dev/null && break
        sleep 0.1
    done
    grep -q '^ready$' "$work/bridge.out" || { echo "$me: bridge not ready" >&2; cat "$work/bridge.err" >&2; exit 1; }
}

# bridge_down_and_exit: SIGTERM to the bridge, its normal end (its exit status must be 0);
# then "ME: all checks passed" if no check failed, and exit with $fail.
bridge_down_and_exit() {
    if [ -n "$bpid" ]; then kill -TERM "$bpid"; wait "$bpid"; rc=$?; bpid=""; [ "$rc" -eq 0 ] || bad "bridge exited $rc"; fi
    [ "$fail" -eq 0 ] && echo "$me: all checks passed"
    exit "$fail"
}
