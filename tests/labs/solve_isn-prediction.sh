#!/bin/sh
# solve_isn-prediction.sh TCPLAB OUT LAB-OPTIONS... — the ISN-prediction lab solved twice:
#  - from the student's transcript alone (tcplab run): the VAX's SYN-ACKs give its counter;
#    the next ISN is the last one + 64000 for that connection + 64000 for every 500 ms tick
#    between its arrival and 2.201 s (the SYN from port 1004 leaves at 2.2 s, 1 ms of delay);
#  - by a Python script under tcplab attach (attach_isn-prediction.py), which predicts the
#    same ISN from what it receives and proves it blind; its --record file, beside OUT, is
#    the `session` answer the grader replays.
# Both predictions must agree. Writes the answers to OUT.
. "$(dirname "$0")/solver.sh"
"$tcplab" run --lab isn-prediction "$@" > "$tmp/run"
# "T RECV attacker SRC:513 > DST:PORT TCP [SA] seq=N ..."
awk '$2 == "RECV" && $3 == "attacker" && / TCP \[SA\] / {
        split($4, s, ":"); split($6, d, ":")
        for (i = 7; i <= NF; i++) if ($i ~ /^seq=/) seq = substr($i, 5)
        print $1, s[1], d[2], seq }' "$tmp/run" > "$tmp/synacks"
first=$(awk '$2 == "198.51.100.60" && $3 == 1000 { print $4 }' "$tmp/synacks")
linux=$(awk '$2 == "198.51.100.70" && $3 == 2001 { print $4 }' "$tmp/synacks")
# The VAX saw the last SYN 1 ms before our host saw its SYN-ACK.
next=$(awk '$2 == "198.51.100.60" { t = $1; seq = $4 } END {
        tick_then = int((t - 0.001) / 0.5); tick_at = int(2.201 / 0.5)
        printf "%.0f\n", (seq + 64000 + 64000 * (tick_at - tick_then)) % 4294967296 }' "$tmp/synacks")
# The attached script, recorded beside OUT.
rec=$(dirname "$out")/isn.rec
"$tcplab" attach --lab isn-prediction "$@" --record "$rec" -q -- \
    python3 "$here/attach_isn-prediction.py" "$tmp/script.txt" ||
    { echo "solve_isn-prediction: the attached script failed" >&2; exit 1; }
snext=$(awk '$1 == "next" { print $3 }' "$tmp/script.txt")
[ "$snext" = "$next" ] ||
    { echo "solve_isn-prediction: the script predicts $snext, the transcript $next" >&2; exit 1; }
{
    answers_head isn-prediction
    echo "first = $first"
    echo "per_conn = 64000"
    echo "next = $next"
    echo "linux_second = $linux"
    echo "class = vax"
    echo "session = $(basename "$rec")"
} > "$out"
