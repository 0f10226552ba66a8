#!/bin/sh
# run_unit.sh — runs every cmocka unit test binary under BUILD/tests; fails if any fails.
build=${1:-build}
fail=0; n=0
for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    n=$((n + 1))
    if ! "$t"; then echo "FAILED: $t" >&2; fail=$((fail + 1)); fi
done
echo "unit: $n test programs, $fail failed"
[ "$fail" -eq 0 ]
