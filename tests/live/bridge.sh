#!/bin/bash
# bridge.sh — real tools reach simulated hosts through `tcplab bridge` and must see what
# `tcplab scan --sim` sees on the same scenario (tests/live/bridge.scn), port for port and
# reason for reason.
#
# Why: the bridge is the strongest fidelity check the project has: real nmap, ping, hping3
# and scapy, with the real kernel's own handshakes (-sT), talking to simulated hosts. One
# network namespace (tlB<pid>) holds the TUN device (tlb<pid>) and every tool; nothing
# leaves it. Addresses: 198.18.7.0/24 only (RFC 2544). Every command runs under timeout;
# the namespace and the bridge are removed on every exit path.
#
# Usage (root): [BRIDGE_KEEP=DIR] tests/live/bridge.sh [TCPLAB]
#   exit 0 = all checks passed, 1 = a check failed, 2 = could not run.
set -u
here=$(cd "$(dirname "$0")" && pwd)
tcplab=$(cd "$(dirname "${1:-./tcplab}")" && pwd)/$(basename "${1:-./tcplab}")
[ -x "$tcplab" ] || { echo "bridge: no tcplab binary at $tcplab" >&2; exit 2; }
scn="$here/bridge.scn"
tag=${TL_TAG:-$$}
ns="tlB$tag"
dev="tlb$tag"
work=$(mktemp -d /tmp/tcplab-bridge.XXXXXX)
bpid=""
fail=0
TARGET=198.18.7.30
ZOMBIE=198.18.7.20

cleanup() {
    if [ -n "$bpid" ]; then kill "$bpid" 2>/dev/null; wait "$bpid" 2>/dev/null; fi
    bpid=""
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
    if [ -n "${BRIDGE_KEEP:-}" ]; then mkdir -p "$BRIDGE_KEEP"; cp -r "$work"/. "$BRIDGE_KEEP"/ 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

inns() { ip netns exec "$ns" "$@"; }
bad() { echo "bridge: FAILED: $*" >&2; fail=1; }
ok() { echo "bridge: ok: $*"; }

# bridge_start NAME [ARGS...]: the bridge in the namespace, its stdout in $work/NAME.out;
# waits (at most 5 s) for `ready`.
bridge_start() {
    name=$1; shift
    ip netns exec "$ns" "$tcplab" bridge "$scn" --tun "$dev" "$@" >"$work/$name.out" 2>"$work/$name.err" &
    bpid=$!
    for _ in $(seq 50); do
        grep -q '^ready$' "$work/$name.out" 2>/dev/null && return 0
        kill -0 "$bpid" 2>/dev/null || break
        sleep 0.1
    done
    echo "bridge: the bridge did not print ready:" >&2; cat "$work/$name.err" >&2
    return 1
}
# bridge_stop: SIGTERM, its normal end; the exit status must be 0.
bridge_stop() {
    kill -TERM "$bpid"
    wait "$bpid"; rc=$?
    bpid=""
    [ "$rc" -eq 0 ] || bad "the bridge exited $rc on SIGTERM"
}

# sim_vs_nmap LABEL "NMAP-OPTIONS" "TCPLAB-OPTIONS" PORTS TARGET: real nmap through the
# bridge against tcplab scan --sim on the same scenario; state and reason of every port.
sim_vs_nmap() {
    label=$1; nopts=$2; topts=$3; ports=$4; tgt=$5
    # shellcheck disable=SC2086
    inns timeout 60 nmap $nopts -n -Pn --reason -p "$ports" -oX "$work/nmap$label.xml" "$tgt" \
        >"$work/nmap$label.log" 2>&1 || { bad "$label: nmap failed"; cat "$work/nmap$label.log" >&2; return; }
    # shellcheck disable=SC2086
    timeout 60 "$tcplab" scan --sim "$scn" $topts -n -Pn --reason -p "$ports" \
        -oX "$work/sim$label.xml" "$tgt" >"$work/sim$label.log" 2>&1 ||
        { bad "$label: tcplab scan --sim failed"; cat "$work/sim$label.log" >&2; return; }
    if /usr/bin/python3 "$here/nmapxml.py" "$label" "$work/nmap$label.xml" "$work/sim$label.xml"; then
        ok "$label: nmap through the bridge agrees with tcplab scan --sim"
    else
        bad "$label: nmap through the bridge and tcplab scan --sim disagree"
    fi
}

[ "$(id -u)" = 0 ] || { echo "bridge: need root" >&2; exit 2; }
ip netns add "$ns" || exit 2
inns ip link set lo up

bridge_start main --pcap "$work/session.pcapng" || exit 1

# ping: three echo requests, three replies.
if inns timeout 10 ping -n -c 3 -i 0.2 -W 2 "$TARGET" >"$work/ping.log" 2>&1 &&
   grep -q '3 received' "$work/ping.log"; then
    ok "ping: 3 of 3 echo replies"
else
    bad "ping"; cat "$work/ping.log" >&2
fi

TCP_PORTS=21,22,80,113,443,3306,8080,9999
sim_vs_nmap -sS "-sS" "-sS" "$TCP_PORTS" "$TARGET"

bridge_stop
grep -q '^bridge: .* datagrams in [1-9]' "$work/main.out" || bad "no summary after SIGTERM"
tshark -r "$work/session.pcapng" >/dev/null 2>&1 || bad "tshark cannot read the session file"

[ "$fail" -eq 0 ] && echo "bridge: all checks passed"
exit "$fail"
