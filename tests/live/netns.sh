# netns.sh — sourced helpers for the live tests: two network namespaces joined by a veth pair.
# shellcheck shell=sh
#
# Why: the live tests use a real Linux kernel (and real nmap) as the oracle for the simulator
# and the scanner (README.md "Safety"). Every packet they send must stay inside
# namespaces they create, on 198.18.0.0/15 (RFC 2544 benchmarking range), and everything must
# be removed on every exit path. These helpers are the only place that creates or deletes
# namespaces, veths and iptables rules for the live tests.
#
#   scanner namespace  tlS<tag>   veth tls<tag>   198.18.0.1/24
#   target  namespace  tlT<tag>   veth tlt<tag>   198.18.0.2/24
#
# <tag> defaults to the shell's PID ($$), so parallel runs never clash; interface names stay
# within IFNAMSIZ (15). Usage (bash or POSIX sh):
#
#   . tests/live/netns.sh
#   tl_up                      # creates both namespaces; installs an EXIT/INT/TERM trap
#   tl_listen_tcp 80 443       # listeners in the target (python3 sockets)
#   tl_reject 113 tcp-reset    # iptables in the target
#   tl_scanner nmap ...        # run a command in the scanner namespace
#   tl_down                    # (also run by the trap)
#
# Functions never touch any namespace, interface or rule they did not create.

TL_TAG=${TL_TAG:-$$}
TL_NS_S="tlS$TL_TAG"
TL_NS_T="tlT$TL_TAG"
TL_IF_S="tls$TL_TAG"
TL_IF_T="tlt$TL_TAG"
TL_ADDR_S=198.18.0.1
TL_ADDR_T=198.18.0.2
TL_PY=/usr/bin/python3
TL_PIDS=""

# Refuse any address outside 198.18.0.0/15 (198.18.x.x and 198.19.x.x).
tl_check_addr() {
    case "$1" in
        198.18.*|198.19.*) return 0 ;;
        *) echo "netns.sh: refusing address $1 (only 198.18.0.0/15 is allowed)" >&2; return 1 ;;
    esac
}

tl_scanner() { ip netns exec "$TL_NS_S" "$@"; }
tl_target()  { ip netns exec "$TL_NS_T" "$@"; }

# tl_up: create both namespaces, the veth pair, addresses, lo; arm the cleanup trap.
tl_up() {
    tl_check_addr "$TL_ADDR_S" && tl_check_addr "$TL_ADDR_T" || return 1
    trap 'tl_down' EXIT
    trap 'tl_down; exit 130' INT
    trap 'tl_down; exit 143' TERM
    ip netns add "$TL_NS_S" || return 1
    ip netns add "$TL_NS_T" || return 1
    ip link add "$TL_IF_S" netns "$TL_NS_S" type veth peer name "$TL_IF_T" netns "$TL_NS_T" || return 1
    tl_scanner ip link set lo up
    tl_target ip link set lo up
    tl_scanner ip addr add "$TL_ADDR_S/24" dev "$TL_IF_S"
    tl_target ip addr add "$TL_ADDR_T/24" dev "$TL_IF_T"
    tl_scanner ip link set "$TL_IF_S" up
    tl_target ip link set "$TL_IF_T" up
    # Wait (bounded, 5 s) until both ends report carrier, so the first probe is not lost.
    tl_i=0
    until [ "$(tl_scanner cat "/sys/class/net/$TL_IF_S/operstate")" = up ] &&
          [ "$(tl_target cat "/sys/class/net/$TL_IF_T/operstate")" = up ]; do
        tl_i=$((tl_i + 1))
        [ "$tl_i" -ge 50 ] && { echo "netns.sh: veth did not come up" >&2; return 1; }
        sleep 0.1
    done
    return 0
}

# tl_down: kill our listeners, delete both namespaces (their veth ends and iptables rules go
# with them: iptables state lives in the namespace). Safe to call twice.
tl_down() {
    for tl_p in $TL_PIDS; do kill "$tl_p" 2>/dev/null || true; done
    for tl_p in $TL_PIDS; do wait "$tl_p" 2>/dev/null || true; done
    TL_PIDS=""
    # Anything else still running inside our namespaces was started by this test (a scan cut
    # short by timeout): end it, or the namespace would live on unnamed after `ip netns del`.
    for tl_ns in "$TL_NS_S" "$TL_NS_T"; do
        for tl_p in $(ip netns pids "$tl_ns" 2>/dev/null); do kill "$tl_p" 2>/dev/null || true; done
    done
    ip netns del "$TL_NS_S" 2>/dev/null || true
    ip netns del "$TL_NS_T" 2>/dev/null || true
    trap - EXIT INT TERM
}

# tl_listen_tcp PORT...: listening sockets in the target that accept and hold connections
# (an accept loop; an open port to every scan type, backlog 128). Started with `ip netns exec`
# directly, not through tl_target, so $! is the listener itself (ip execs it) and kill reaches it.
tl_listen_tcp() {
    [ $# -gt 0 ] || return 0
    ip netns exec "$TL_NS_T" "$TL_PY" -c '
import socket, sys, select
socks = []
for p in sys.argv[1:]:
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("198.18.0.2", int(p))); s.listen(128); socks.append(s)
print("ready", flush=True)
held = []
while True:
    r, _, _ = select.select(socks, [], [])
    for s in r:
        c, _ = s.accept(); held.append(c)
        if len(held) > 512: held.pop(0).close()
' "$@" > "/tmp/tl_listen_tcp.$TL_TAG.$1" 2>&1 &
    TL_PIDS="$TL_PIDS $!"
    tl_wait_ready "/tmp/tl_listen_tcp.$TL_TAG.$1"
}

# tl_listen_udp PORT...: UDP sockets in the target that answer every datagram (so -sU sees
# open via udp-response).
tl_listen_udp() {
    [ $# -gt 0 ] || return 0
    ip netns exec "$TL_NS_T" "$TL_PY" -c '
import socket, sys, select
socks = []
for p in sys.argv[1:]:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("198.18.0.2", int(p))); socks.append(s)
print("ready", flush=True)
while True:
    r, _, _ = select.select(socks, [], [])
    for s in r:
        d, a = s.recvfrom(2048); s.sendto(b"tcplab-live-reply\n", a)
' "$@" > "/tmp/tl_listen_udp.$TL_TAG.$1" 2>&1 &
    TL_PIDS="$TL_PIDS $!"
    tl_wait_ready "/tmp/tl_listen_udp.$TL_TAG.$1"
}

# Waits (at most 5 s) for a listener to print "ready"; then removes its log.
tl_wait_ready() {
    tl_i=0
    until grep -q ready "$1" 2>/dev/null; do
        tl_i=$((tl_i + 1))
        if [ "$tl_i" -ge 50 ]; then echo "netns.sh: listener failed:" >&2; cat "$1" >&2; return 1; fi
        sleep 0.1
    done
    rm -f "$1"
}

# tl_drop PORT [tcp|udp]: silently drop inbound packets to PORT in the target.
tl_drop() {
    tl_target iptables -w -A INPUT -p "${2:-tcp}" --dport "$1" -j DROP
}

# tl_reject PORT WITH [tcp|udp]: REJECT inbound packets to PORT in the target; WITH is
# tcp-reset or an icmp-* name iptables knows (icmp-port-unreachable, icmp-admin-prohibited, ...).
tl_reject() {
    tl_target iptables -w -A INPUT -p "${3:-tcp}" --dport "$1" -j REJECT --reject-with "$2"
}

# tl_scanner_nokrst SPORTLO:SPORTHI: in the scanner, drop the kernel's own RSTs (TTL 64) from
# a source-port range, so a raw (scapy) client can hold a connection the kernel does not know.
tl_scanner_nokrst() {
    tl_scanner iptables -w -A OUTPUT -p tcp --sport "$1" --tcp-flags RST RST \
        -m ttl --ttl-eq 64 -j DROP
}
