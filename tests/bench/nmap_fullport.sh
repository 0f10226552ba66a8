#!/bin/bash
# nmap_fullport.sh — how long real nmap takes for a full-port SYN scan of a real kernel.
#
# Why: `make bench` compares tcplab's simulated full-port scan with the real thing. Here a Linux
# target in a network namespace (tests/live/netns.sh, 198.18.0.0/15 only) has a few listeners,
# and `nmap -sS -p- -T5 -n -Pn` scans it from the scanner namespace over a veth pair; the wall
# time of that one run is printed. A figure, not a test: nothing is asserted about it.
#
# Usage (root): tests/bench/nmap_fullport.sh   prints
#   nmap -sS -p- -T5 (real kernel, netns): X.XX s
set -eu
here=$(cd "$(dirname "$0")/../live" && pwd)
if [ "$(id -u)" != 0 ] || ! command -v nmap >/dev/null 2>&1; then
    echo "nmap -sS -p- -T5 (real kernel, netns): SKIPPED (needs root and nmap)"; exit 0
fi
. "$here/netns.sh"
tl_up
tl_listen_tcp 22 80 443 8080
out=$(mktemp /tmp/tcplab-bench.XXXXXX)
trap 'tl_down; rm -f "$out"' EXIT
trap 'tl_down; rm -f "$out"; exit 130' INT
trap 'tl_down; rm -f "$out"; exit 143' TERM
t0=$(date +%s.%N)
tl_scanner timeout 300 nmap -sS -p- -T5 -n -Pn -oG "$out" "$TL_ADDR_T" >/dev/null
t1=$(date +%s.%N)
open=$(grep -o '[0-9]*/open/' "$out" | wc -l)
[ "$open" -eq 4 ] || { echo "nmap_fullport: expected 4 open ports, nmap found $open" >&2; exit 1; }
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "nmap -sS -p- -T5 (real kernel, netns): %.2f s\n", b - a }'
