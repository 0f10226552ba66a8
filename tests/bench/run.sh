#!/bin/sh
# run.sh BUILD — runs every benchmark program under BUILD/bench and prints its figures.
# Benchmarks are not tests: nothing here fails on a number, only on a crash.
build=${1:-build}
fail=0
for b in "$build"/bench/*; do
    [ -x "$b" ] || continue
    "$b" || { echo "bench: $b failed" >&2; fail=1; }
done
exit $fail
