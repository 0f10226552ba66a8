#!/bin/sh
# run.sh BUILD — `make bench`: runs every benchmark program under BUILD/bench (built from
# tests/bench/*.c), then every other script tests/bench/*.sh (figures from real tools, e.g.
# nmap_fullport.sh; not bench_common.sh, which the others source), and prints their figures.
# Benchmarks are not tests: nothing here judges a number. A crashing program fails the run;
# a script that cannot run here (not root, no nmap) is reported and skipped.
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
fail=0
for b in "$build"/bench/*; do
    [ -x "$b" ] || continue
    "$b" || { echo "bench: $b failed" >&2; fail=1; }
done
for s in "$here"/*.sh; do
    case "$(basename "$s")" in
    run.sh) continue ;;
    bench_common.sh) continue ;;    # sourced by the others, not a benchmark
    nmap_fullport.sh) continue ;;   # scan_bench.sh runs it beside tcplab's own full-port scan
    esac
    sh_=sh; head -1 "$s" | grep -q bash && sh_=bash
    $sh_ "$s" || echo "bench: $(basename "$s") did not run here (exit $?), skipped" >&2
done
exit $fail
