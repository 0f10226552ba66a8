#!/bin/sh
# scale_bench.sh [TCPLAB] — the two scale figures of issue 13 item 2, wall clock and peak
# resident memory (getrusage of the child, through /usr/bin/time when present, else the
# shell's `times`-free fallback: wall clock only). Figures, not a test: nothing here fails
# on a number (tests/unit/scan_memory_check.sh and test_host's untouched-hosts test are the
# tests).
#
#   1. Loading: a scenario of 100,000 `host` lines (one /8 net, a scanner, 100,000 hosts
#      with tcp 80), `tcplab run` of it (it loads, then has nothing to run).
#      Targets: under 1 s; a host never touched costs nothing beyond its scenario line.
#   2. A simulated /8: `hosts 10.0.0.0/8 alive 0.02% os linux tcp 80` (about 3,300 live
#      hosts), `scan -sS -Pn -n -p80 -T5 --max-retries 0 --open 10.0.0.0/8`.
#      Targets: under 10 s and 256 MiB RSS (the report is printed and freed group by group).
# TCPLAB defaults to ./tcplab at the top of the repo (what `make bench` builds).
set -u
here=$(cd "$(dirname "$0")" && pwd)
me=scale_bench
. "$here/bench_common.sh"

# measure LABEL CMD...: "LABEL: W s wall, U s CPU, M MiB max RSS"
measure() {
    label=$1; shift
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%e %U %S %M' -o "$dir/t" "$@" >"$dir/out" 2>"$dir/err" || true
        awk -v l="$label" '{ printf "%s: %.2f s wall, %.2f s CPU, %.0f MiB max RSS\n",
            l, $1, $2 + $3, $4 / 1024 }' "$dir/t"
    else
        t0=$(date +%s.%N); "$@" >"$dir/out" 2>"$dir/err" || true; t1=$(date +%s.%N)
        awk -v l="$label" -v a="$t0" -v b="$t1" 'BEGIN { printf "%s: %.2f s wall (no /usr/bin/time: RSS not measured)\n", l, b - a }'
    fi
}

# 1. 100,000 host lines.
awk 'BEGIN {
    print "scenario \"bench: 100,000 hosts\""
    print "net 10.0.0.0/8 delay 1ms"
    print "host scanner 10.0.0.1 role scanner os linux"
    for (i = 0; i < 100000; i++)
        printf "host h%d 10.%d.%d.%d os linux tcp 80\n", i, 1 + int(i / 65536), int(i / 256) % 256, i % 256
}' > "$dir/hosts.scn"
measure "load 100,000 host lines (tcplab run, target < 1 s)" "$tcplab" run "$dir/hosts.scn"

# 2. A simulated /8.
cat > "$dir/net8.scn" <<'SCN'
scenario "bench: a /8 population"
seed 1
net 10.0.0.0/8 delay 500us
host scanner 10.0.0.1 role scanner os linux
hosts 10.0.0.0/8 alive 0.02% os linux tcp 80
SCN
measure "scan of a simulated /8, -sS -Pn -n -p80 -T5 --max-retries 0 --open (target < 10 s, 256 MiB)" \
    "$tcplab" scan --sim "$dir/net8.scn" -sS -Pn -n -p80 -T5 --max-retries 0 --open 10.0.0.0/8
live=$(grep -c '^Nmap scan report' "$dir/out")
echo "  ($live live hosts listed; $(tail -n 1 "$dir/out"))"
