#!/bin/sh
# solve_packet-counting.sh TCPLAB OUT LAB-OPTIONS... — the packet-counting lab solved as the
# worksheet has a student do it: tests/labs/count.py under `tcplab attach --as
# 198.18.0.0/18` (the student's prefix) finds, for alice and carol, an address whose echo
# replies share the counter of their datagrams to bob, and counts each host's datagrams
# between 19.5 s and 30.5 s. old's and alice's counts are the answers; carol's, which the
# random jump spoils, is printed on stderr beside them. Writes the answers to OUT.
. "$(dirname "$0")/solver.sh"
"$tcplab" attach --lab packet-counting "$@" --as 198.18.0.0/18 -q -- \
    python3 "$src/tests/labs/count.py" > "$tmp/count"
echo "packet-counting${student:+ ($student)}: $(grep ' count ' "$tmp/count" | tr '\n' ' ')" >&2
# carol (today's Linux) must defeat the count: the random jump puts it far from the truth,
# which only the instructor's view shows.
carol=$(awk '$1 == "carol" && $2 == "count" { print $3 }' "$tmp/count")
truth=$("$tcplab" run --lab packet-counting "$@" --instructor |
        grep -c '^[0-9.]* SEND  carol .* > 198.19.0.30:53 UDP ')
if [ -n "$carol" ] && [ $((carol > truth ? carol - truth : truth - carol)) -le 100 ]; then
    echo "solve_packet-counting: carol's count $carol is within 100 of the truth $truth" >&2
    exit 1
fi
echo "packet-counting carol: counted $carol, sent $truth" >&2
old=$(awk '$1 == "old" && $2 == "count" { print $3 }' "$tmp/count")
alice=$(awk '$1 == "alice" && $2 == "count" { print $3 }' "$tmp/count")
{
    answers_head packet-counting
    echo "old_count = $old"
    echo "alice_count = $alice"
    echo "jump = 999"
    echo "udp_shared = yes"
    echo "candidates = 2048"
} > "$out"
