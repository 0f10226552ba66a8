#!/bin/sh
# loopback.sh TCPLAB — live scans of loopback only (issue 13 item 3), inside a network
# namespace this script creates (its own lo, 127.0.0.1; nothing leaves it), bounded:
#   1. `scan --live -sS -Pn 127.0.0.1` without -e: the kernel's route choice (a connected UDP
#      socket's source, the local table included) picks lo; /proc/net/route has no line for
#      127.0.0.0/8, so the old lookup took the default route and saw the host as filtered.
#   2. `scan --live -sT` with CAP_NET_RAW dropped (setpriv): connect() alone, as an
#      unprivileged nmap's connect scan; it used to refuse ("--live needs CAP_NET_RAW").
# A Python listener on 127.0.0.1:PORT inside the namespace; PORT+1 is closed.
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ns="tlloop$$"
ip netns add "$ns" || exit 1
trap 'ip netns del "$ns" 2>/dev/null' EXIT
ip -n "$ns" link set lo up
port=18081
ip netns exec "$ns" timeout 30 /usr/bin/python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16); s.settimeout(30)
while True:
    c, _ = s.accept(); c.close()' "$port" &
sleep 1
fail=0
want_open() { # LABEL OUTPUT
    if ! printf '%s\n' "$2" | grep -q "^$port/tcp *open" ||
       ! printf '%s\n' "$2" | grep -q "^$((port + 1))/tcp *closed"; then
        echo "loopback: $1: want $port open and $((port + 1)) closed, got:" >&2
        printf '%s\n' "$2" | sed 's/^/    /' >&2
        fail=1
    fi
}
out=$(ip netns exec "$ns" timeout 20 "$bin" scan --live -sS -Pn -n -p "$port,$((port + 1))" 127.0.0.1 2>&1)
want_open "-sS without -e" "$out"
out=$(ip netns exec "$ns" timeout 20 setpriv --inh-caps=-all --bounding-set=-net_raw,-net_admin -- \
    "$bin" scan --live -sT -n -p "$port,$((port + 1))" 127.0.0.1 2>&1)
want_open "-sT without CAP_NET_RAW" "$out"
printf '%s\n' "$out" | grep -q "^Warning: without CAP_NET_RAW" || {
    echo "loopback: -sT without CAP_NET_RAW: no warning that discovery was skipped" >&2; fail=1; }
[ "$fail" -eq 0 ] && echo "loopback: -sS by the kernel's route to lo, -sT without CAP_NET_RAW: ok"
exit "$fail"
