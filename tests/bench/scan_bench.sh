#!/bin/sh
# scan_bench.sh [TCPLAB] — how fast tcplab scans a simulated host, against real nmap scanning
# a real kernel, in the same run; and proof that a big scan allocates nothing per probe.
#
# Why: issue 4 item 9. In the simulator waiting is free (virtual time), so a scan's wall time
# is pure CPU: the scanner's and the simulator's work per probe. tcplab must scan 65535
# ports of one simulated host at least 5 times faster than nmap -sS -p- -T5 scans a real
# Linux kernel over a veth pair (goal: 20 times). Figures, not a test: nothing here fails on
# a number (tests/unit/alloc_check.sh is the test for allocations).
#
#   1. `tcplab scan -sS -p- -T5 -n -Pn web` of the embedded default network (web: Linux,
#      3 open ports), the whole command, wall clock, best of 3; probes counted once with
#      --packet-trace (untimed).
#   2. nmap: tests/bench/nmap_fullport.sh (namespaces on 198.18.0.0/15 only, bounded with
#      timeout, removed by its traps), best of 3; skipped, and said so, without root or nmap.
#   3. The ratio.
#   4. Heap allocations of a /16 x 1 port and a /16 x 10 ports scan of tests/bench/net16.scn
#      (tests/unit/alloc_shim.c, LD_PRELOAD): ten times the probes, the same allocations.
# TCPLAB defaults to ./tcplab at the top of the repo (what `make bench` builds).
set -u
here=$(cd "$(dirname "$0")" && pwd)
me=scan_bench
. "$here/bench_common.sh"

now() { date +%s.%N; }
# best_of N CMD...: the shortest wall time of N runs of CMD (stdout discarded), in seconds.
best_of() {
    n=$1; shift; best=""
    i=0
    while [ "$i" -lt "$n" ]; do
        t0=$(now); "$@" >/dev/null || return 1; t1=$(now)
        best=$(awk -v a="$t0" -v b="$t1" -v m="$best" 'BEGIN { d = b - a;
            if (m == "" || d < m) printf "%.4f", d; else printf "%s", m }')
        i=$((i + 1))
    done
    echo "$best"
}

# 1. tcplab, one simulated host, every port.
scan="scan -sS -p- -T5 -n -Pn web"
probes=$("$tcplab" $scan --packet-trace | grep -c '^SENT')
open=$("$tcplab" $scan | grep -c '/tcp *open')
[ "$open" -eq 3 ] || { echo "scan_bench: expected 3 open ports on web, found $open" >&2; exit 1; }
t_lab=$(best_of 3 "$tcplab" $scan) || { echo "scan_bench: tcplab $scan failed" >&2; exit 1; }
awk -v t="$t_lab" -v n="$probes" 'BEGIN {
    printf "tcplab -sS -p- -T5 (simulated host): %.2f s, %.0f probes/s (%d probes, best of 3)\n",
           t, n / t, n }'

# 2. nmap against a real kernel in network namespaces.
t_nmap=""
if [ "$(id -u)" = 0 ] && command -v nmap >/dev/null 2>&1; then
    i=0
    while [ "$i" -lt 3 ]; do
        line=$(bash "$here/nmap_fullport.sh") || { echo "scan_bench: nmap_fullport.sh failed" >&2; break; }
        t=$(printf '%s\n' "$line" | sed -n 's/.*: \([0-9.]*\) s$/\1/p')
        [ -n "$t" ] || break
        t_nmap=$(awk -v a="$t" -v m="$t_nmap" 'BEGIN { if (m == "" || a < m) print a; else print m }')
        i=$((i + 1))
    done
fi

# 3. The ratio.
if [ -n "$t_nmap" ]; then
    echo "nmap -sS -p- -T5 (real kernel, netns): $t_nmap s (best of 3)"
    awk -v a="$t_nmap" -v b="$t_lab" 'BEGIN {
        printf "tcplab is %.1f x faster than nmap (goal 20x, required 5x)\n", a / b }'
else
    echo "nmap -sS -p- -T5 (real kernel, netns): SKIPPED (needs root and nmap); no ratio"
fi

# 4. Allocations: 1 port vs 10 ports of a /16 (the same hosts and host groups).
shim="$dir/alloc_shim.so"
if ! ${CC:-cc} -std=c11 -O2 -shared -fPIC -o "$shim" "$root/tests/unit/alloc_shim.c" 2>/dev/null; then
    echo "allocations: SKIPPED (cannot build tests/unit/alloc_shim.c)"
    exit 0
fi
allocs() {   # allocs PORTS: heap allocations of a /16 scan of net16.scn on PORTS
    TCPLAB_ALLOC_COUNT="$dir/count" LD_PRELOAD="$shim" "$tcplab" scan --sim "$here/net16.scn" \
        -sS -T5 -n -Pn -p "$1" 198.18.0.0/16 >/dev/null || return 1
    sed -n 's/^total //p' "$dir/count"
}
a1=$(allocs 22) && a10=$(allocs 22,80,443,3306,135,139,445,515,631,9100) || {
    echo "allocations: SKIPPED (scan failed under LD_PRELOAD)"; exit 0; }
echo "allocations, -sS -T5 -Pn 198.18.0.0/16: 1 port $a1, 10 ports $a10" \
     "(10x the probes, $((a10 - a1)) more allocations: per host and per host group, none per probe)"
