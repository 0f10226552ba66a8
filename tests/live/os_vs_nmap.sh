#!/bin/bash
# os_vs_nmap.sh — `tcplab scan --live -O` against real `nmap -O`, on a real Linux kernel.
#
# Why: nmap's OS detection is the reference for -O (scanner/osscan*.c). In two network
# namespaces (netns.sh) a Linux target has TCP listeners on 22 and 80 and nothing on 23 or
# UDP 54 (closed). nmap and tcplab each run -O (with the same ports) against it; both read
# the same installed nmap-os-db. The test asserts that tcplab's best match is nmap's best
# match (the OS details line, or the first aggressive guess), that the classification
# ("Running") agrees, and that the fingerprint's probe answers agree test by test on the
# values that do not vary per run (OPS, WIN, ECN, T1-T7, U1, IE; SEQ's TI/CI/II/TS).
#
# Usage (root): [OSVS_KEEP=DIR] tests/live/os_vs_nmap.sh [TCPLAB]   exit 0 agree, 1 differ,
# 2 could not run. Only 198.18.0.0/15 inside namespaces made here; removed on every exit.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tcplab=$(cd "$(dirname "${1:-./tcplab}")" && pwd)/$(basename "${1:-./tcplab}")
[ -x "$tcplab" ] || { echo "os_vs_nmap: no tcplab binary at $tcplab" >&2; exit 2; }
command -v nmap >/dev/null || { echo "os_vs_nmap: nmap not installed" >&2; exit 2; }
[ -r /usr/share/nmap/nmap-os-db ] || { echo "os_vs_nmap: no nmap-os-db" >&2; exit 2; }

work=$(mktemp -d /tmp/tcplab-osvs.XXXXXX)
. "$here/netns.sh"
cleanup() {
    tl_down
    if [ -n "${OSVS_KEEP:-}" ]; then mkdir -p "$OSVS_KEEP"; cp "$work"/* "$OSVS_KEEP"/ 2>/dev/null || true; fi
    rm -rf "$work"
}
tl_up
trap 'cleanup' EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
tl_listen_tcp 22 80
tl_target sysctl -qw net.ipv4.icmp_ratelimit=0

ports="-p T:22,23,80,U:54"
tl_scanner timeout 120 nmap -n -Pn -sS -sU -O --osscan-guess -vv $ports -e "$TL_IF_S" \
    -oX "$work/nmap.xml" "$TL_ADDR_T" >"$work/nmap.out" 2>&1 ||
    { echo "os_vs_nmap: nmap failed" >&2; cat "$work/nmap.out" >&2; exit 2; }
tl_scanner timeout 120 "$tcplab" scan --live -e "$TL_IF_S" -S "$TL_ADDR_S" -n -Pn -sS -sU -O \
    --osscan-guess -vv $ports -oX "$work/tcplab.xml" "$TL_ADDR_T" >"$work/tcplab.out" 2>&1 ||
    { echo "os_vs_nmap: tcplab failed" >&2; tail -30 "$work/tcplab.out" >&2; exit 1; }
/usr/bin/python3 "$here/osfp_compare.py" "$work/nmap.out" "$work/tcplab.out"
