#!/bin/sh
# run_unit.sh BUILD — runs every cmocka unit test program under BUILD/tests and every shell
# unit test tests/unit/*.sh (given BUILD/tcplab as $1); fails if any fails.
build=${1:-build}
fail=0; n=0
for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    n=$((n + 1))
    if ! "$t"; then echo "FAILED: $t" >&2; fail=$((fail + 1)); fi
done
for t in tests/unit/*.sh; do
    [ -e "$t" ] || continue
    n=$((n + 1))
    if ! sh "$t" "$build/tcplab"; then echo "FAILED: $t" >&2; fail=$((fail + 1)); fi
done
echo "unit: $((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
