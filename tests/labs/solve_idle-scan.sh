#!/bin/sh
# solve_idle-scan.sh TCPLAB OUT LAB-OPTIONS... — the idle-scan lab solved as the worksheet
# has a student do it, from the student's own views only: read the three candidates'
# IP-IDs in `tcplab run`, take the one that grows by one per read as the zombie, SYN-scan
# the target directly, then idle-scan it through the zombie; then the idle scan again under
# `tcplab attach --record` (the scanner as the attached script: OUT.rec, the behaviour
# question's answer) and by hand (attach_idle-scan.py, whose record must pass too). Writes
# the answers to OUT. LAB-OPTIONS select the variant (--student ID, or --ticket FILE).
. "$(dirname "$0")/solver.sh"
"$tcplab" run --lab idle-scan "$@" > "$tmp/run"
# RECV lines at the attacker: "... RECV  attacker   SRC:80 > ...:PORT TCP [R] ... id=N ..."
zombie=$(awk '$2 == "RECV" && $3 == "attacker" && / TCP \[R\] / {
        split($4, a, ":"); src = a[1]
        for (i = 5; i <= NF; i++) if ($i ~ /^id=/) { id = substr($i, 4) + 0 }
        n[src]++; v[src, n[src]] = id
    } END {
        for (s in n) if (n[s] == 3 && v[s, 2] == v[s, 1] + 1 && v[s, 3] == v[s, 2] + 1) print s
    }' "$tmp/run")
[ -n "$zombie" ] || { echo "solve_idle-scan: no candidate has a global counter" >&2; exit 1; }
zid=$(awk -v z="$zombie" '$2 == "RECV" && $3 == "attacker" && index($4, z ":") == 1 {
        for (i = 5; i <= NF; i++) if ($i ~ /^id=/) last = substr($i, 4) } END { print last }' "$tmp/run")
"$tcplab" scan --lab idle-scan "$@" -sS -Pn -p 1-1024 target > "$tmp/direct" 2>/dev/null
direct=$(awk -F/ '/^[0-9]+\/tcp +open /{ printf "%s%s", sep, $1; sep = "," }' "$tmp/direct")
"$tcplab" scan --lab idle-scan "$@" -sI "$zombie" -Pn -p 1-1024 target > "$tmp/idle" 2>/dev/null
open=$(awk -F/ '/^[0-9]+\/tcp +open /{ printf "%s%s", sep, $1; sep = "," }' "$tmp/idle")
# The idle scan again as a recorded session, for the behaviour question: the scanner itself
# as the attached script, and the record beside OUT.
rec="$out.rec"
"$tcplab" attach --lab idle-scan "$@" --record "$rec" -q -- \
    "$tcplab" scan --attach -sI "$zombie" -Pn -p 1-1024 target > "$tmp/attached" 2>&1 ||
    no "the attached idle scan failed: $(cat "$tmp/attached")"
aopen=$(awk -F/ '/^[0-9]+\/tcp +open /{ printf "%s%s", sep, $1; sep = "," }' "$tmp/attached")
[ "$aopen" = "$open" ] || no "the attached scan finds $aopen, the lab's scan $open"
# And by hand, a Python script of the student's kind, whose record must pass as well.
if [ -f "$here/attach_idle-scan.py" ]; then
    "$tcplab" attach --lab idle-scan "$@" --record "$tmp/py.rec" -q -- \
        python3 "$here/attach_idle-scan.py" > "$tmp/py" || no "the Python idle scan failed"
    grep -qx "open ${open:-none}" "$tmp/py" || no "the Python idle scan: $(cat "$tmp/py")"
    printf 'idle = py.rec\n' > "$tmp/py.txt"
    "$tcplab" lab check idle-scan "$tmp/py.txt" "$@" | grep -q '^  PASS  idle$' ||
        no "the Python idle scan's record does not pass"
fi
{
    answers_head idle-scan
    echo "zombie = $zombie"
    echo "zombie_id = $zid"
    echo "direct = ${direct:-none}"
    echo "open = ${open:-none}"
    echo "idle = $(basename "$rec")"
} > "$out"
