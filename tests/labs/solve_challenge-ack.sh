#!/bin/sh
# solve_challenge-ack.sh TCPLAB OUT LAB-OPTIONS... — the challenge-ACK lab solved as the
# worksheet has a student do it: Cao et al.'s attack (tests/labs/challack.py) under `tcplab
# attach` against the student's variant, recorded beside OUT for the grader to replay; then
# the same script against a copy of the scenario with challenge-ack linux-4.7, where step 0
# counts what the per-socket limit lets through. Writes the answers to OUT; prints the
# attack's line (its virtual time) on stderr.
. "$(dirname "$0")/solver.sh"
rec="$out.rec"
"$tcplab" attach --lab challenge-ack "$@" -q --record "$rec" -- \
    python3 "$src/tests/labs/challack.py" > "$tmp/attack"
line=$(grep '^attack: ' "$tmp/attack")
echo "challenge-ack${student:+ ($student)}: $line" >&2
# "attack: injected in T s of virtual time (N rounds; port P, RCV.NXT R, ACK A)"
port=$(echo "$line" | sed -n 's/.*port \([0-9]*\),.*/\1/p')
rcv=$(echo "$line" | sed -n 's/.*RCV.NXT \([0-9]*\),.*/\1/p')
ack=$(echo "$line" | sed -n 's/.*ACK \([0-9]*\)).*/\1/p')
# The fixed kernels: the same script must fail there (exit 1, a stage named).
for era in linux-4.7 linux-6.0; do
    "$tcplab" lab show challenge-ack --scenario |
        sed "s/challenge-ack \${kernel:choice linux-4.0}/challenge-ack $era/" > "$tmp/$era.scn"
    if "$tcplab" attach "$tmp/$era.scn" -q -- python3 "$src/tests/labs/challack.py" \
            > "$tmp/$era"; then
        echo "solve_challenge-ack: the attack succeeded against $era" >&2
        exit 1
    fi
    echo "challenge-ack $era: $(grep '^attack: ' "$tmp/$era")" >&2
done
answered=$(sed -n 's/.*step 0: \([0-9]*\) of 200 RSTs.*/\1/p' "$tmp/linux-4.7" | head -1)
{
    answers_head challenge-ack
    echo "port = $port"
    echo "rcv_nxt = $rcv"
    echo "ack = $ack"
    echo "session = $(basename "$rec")"
    echo "budget = 100"
    echo "answered = ${answered:-none}"
    echo "limit = socket"
} > "$out"
