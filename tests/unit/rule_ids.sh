#!/bin/sh
# rule_ids.sh — every decision a transcript prints carries a rule ID, and every ID printed is
# documented in docs/rules.md. Runs each lab scenario and the default network.
# Usage: tests/unit/rule_ids.sh BUILD/tcplab
set -u
tcplab=${1:-build/tcplab}
doc=docs/rules.md
[ -r "$doc" ] || { echo "rule_ids: $doc missing" >&2; exit 1; }
out=$(mktemp /tmp/tcplab_ids.XXXXXX)
trap 'rm -f "$out"' EXIT INT TERM
fail=0; n=0
for scn in scenarios/*.scn; do
    "$tcplab" run "$scn" > "$out" 2>&1 || { echo "rule_ids: FAIL: tcplab run $scn exited $?"; fail=1; continue; }
    # a decision: "=> ACTION (ID: TEXT)" or "=> ACTION (ID)"; the ID is lower case
    bad=$(grep ' => ' "$out" | grep -v -E ' => .*\(([a-z0-9][a-z0-9.-]*)(: |\))' | head -3)
    if [ -n "$bad" ]; then
        echo "rule_ids: FAIL: $scn: a decision without a rule ID:"; echo "$bad"; fail=1
    fi
    for id in $(grep -o -E ' \(([a-z0-9][a-z0-9.-]*[a-z0-9])(: |\))' "$out" | sed -E 's/^ \(//; s/(: |\))$//' | sort -u); do
        n=$((n + 1))
        grep -q "\`$id\`" "$doc" || { echo "rule_ids: FAIL: $scn prints rule ID $id, not in $doc"; fail=1; }
    done
done
# the TCP table in the docs is the table in sim/tcp_rules.c
tbl=$(dirname "$tcplab")/tests/test_tcp_rules
if [ -x "$tbl" ]; then
    "$tbl" --markdown > "$out"
    python3 -c 'import sys; d=open(sys.argv[1]).read(); t=open(sys.argv[2]).read(); sys.exit(0 if t in d else 1)' "$doc" "$out" ||
        { echo "rule_ids: FAIL: $doc's TCP table is not sim/tcp_rules.c's (regenerate: $tbl --markdown)"; fail=1; }
else
    echo "rule_ids: FAIL: $tbl not built"; fail=1
fi
[ "$fail" -eq 0 ] && echo "rule_ids: ok ($n IDs checked)"
exit "$fail"
