#!/bin/sh
# run.sh — runs every live test: real Linux kernels and real nmap in network namespaces as the
# oracle for the simulator and the scanner (README.md "Tests", "Safety").
#
# Usage: tests/live/run.sh [TCPLAB]   (make live). Needs root (CAP_NET_ADMIN) for namespaces;
# without it prints a visible SKIPPED line and exits 0. Each test runs under timeout(1); its
# output is shown only when it fails. Prints "live: N passed, M failed"; exit 1 on any failure.
# Tests send only inside namespaces they create, on 198.18.0.0/15, and remove them on exit.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-./tcplab}

skip() { echo "live tests SKIPPED: $1"; exit 0; }
[ "$(id -u)" = 0 ] || skip "need root (CAP_NET_ADMIN) for network namespaces"
probe="tlprobe$$"
ip netns add "$probe" 2>/dev/null || skip "need root (CAP_NET_ADMIN) for network namespaces"
ip netns del "$probe"

missing=""
for t in nmap ndiff iptables ip timeout; do command -v "$t" >/dev/null 2>&1 || missing="$missing $t"; done
/usr/bin/python3 -c 'import scapy.all' >/dev/null 2>&1 || missing="$missing python3-scapy"
if [ -n "$missing" ]; then
    echo "live: missing tools:$missing (run 'make deps' as root)" >&2
    echo "live: 0 passed, 1 failed"; exit 1
fi

pass=0; fail=0
out=$(mktemp /tmp/tcplab-live.XXXXXX)
trap 'rm -f "$out"' EXIT
# run NAME SECONDS CMD...: one test, bounded; its output only on failure.
run() {
    name=$1; secs=$2; shift 2
    if timeout -k 10 "$secs" "$@" >"$out" 2>&1; then
        pass=$((pass + 1))
    else
        rc=$?
        fail=$((fail + 1))
        [ "$rc" -eq 124 ] && echo "live: $name timed out after ${secs}s" >&2
        echo "live: FAILED: $name (exit $rc)" >&2
        sed 's/^/    /' "$out" >&2
    fi
}

run netns_selftest 60 "$here/netns_selftest.sh"
run oracle_linux 150 /usr/bin/python3 "$here/oracle_linux.py" "$bin"
run oracle_stateful 120 /usr/bin/python3 "$here/oracle_stateful.py" "$bin"
run chack_live 120 /usr/bin/python3 "$here/chack_live.py" "$bin"
run scan_vs_nmap 240 "$here/scan_vs_nmap.sh" "$bin"
run os_vs_nmap 300 "$here/os_vs_nmap.sh" "$bin"
run bridge 180 "$here/bridge.sh" "$bin"
run loopback 60 "$here/loopback.sh" "$bin"
run services 420 "$here/services.sh" "$bin"
run sv_vs_nmap 420 "$here/sv_vs_nmap.sh" "$bin"

echo "live: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
