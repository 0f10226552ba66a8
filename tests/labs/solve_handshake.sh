#!/bin/sh
# solve_handshake.sh TCPLAB OUT LAB-OPTIONS... — the handshake lab solved as the worksheet
# has a student do it: the ISNs and the data's ACK read from the transcript, and every reset
# probe's answer PREDICTED from the probe alone with RFC 793 3.4 (the listener is port 80,
# anything else is closed), never read from the server's lines. The grader compares the
# prediction with what the simulated server did, so a wrong rule in the simulator fails.
# Then a handshake driven by hand (attach_handshake.py under tcplab attach --record: OUT.rec,
# the behaviour questions' answer), and the same with a wrong ACK, which the grader fails.
. "$(dirname "$0")/solver.sh"
"$tcplab" run --lab handshake "$@" > "$tmp/run"
# "T SEND HOST SRC:SP > DST:DP TCP [FLAGS] seq=N ack=N ... len=N"
field() { awk -v f="$1" '{ for (i = 1; i <= NF; i++) if (index($i, f "=") == 1) { print substr($i, length(f) + 2); exit } }'; }
client_isn=$(awk '$2 == "SEND" && $3 == "client" && $6 ~ /:80$/ && $8 == "[S]"' "$tmp/run" | head -1 | field seq)
server_isn=$(awk '$2 == "SEND" && $3 == "server" && $8 == "[SA]"' "$tmp/run" | head -1 | field seq)
sent=$(awk '$2 == "SEND" && $3 == "client" && $6 ~ /:80$/ && $8 == "[PA]"' "$tmp/run" | field len | awk '{ n += $1 } END { print n + 0 }')
data_ack=$(( (client_isn + 1 + sent) % 4294967296 ))
timewait=$(awk '/-> TIME-WAIT/ { print $3; exit }' "$tmp/run")
# Predict each probe's answer: seq/ack of the RST, and the rule that makes it.
awk '$2 == "SEND" && $3 == "client" && $4 ~ /:610[0-9][0-9]$/ {
        split($4, s, ":"); split($6, d, ":"); fl = $8; seq = 0; ack = 0
        for (i = 9; i <= NF; i++) {
            if ($i ~ /^seq=/) seq = substr($i, 5) + 0
            if ($i ~ /^ack=/) ack = substr($i, 5) + 0
        }
        listen = d[2] == 80
        hasack = fl ~ /A/; rst = fl ~ /R/
        n = (fl ~ /S/) + (fl ~ /F/)            # SYN and FIN each take one number
        if (rst) { rule = "rfc793-3.4-rst"; ans = "none" }
        else if (listen && hasack) { rule = "rfc793-3.4-case2-listen"; ans = "R seq " sprintf("%.0f", ack) }
        else if (listen) { rule = "rfc793-3.9-listen-other"; ans = "none" }
        else if (hasack) { rule = "rfc793-3.4-case1-ack"; ans = "R seq " sprintf("%.0f", ack) }
        else { rule = "rfc793-3.4-case1-noack"; ans = "RA ack " sprintf("%.0f", (seq + n) % 4294967296) }
        print s[2], fl, listen, rule, ans
    }' "$tmp/run" > "$tmp/pred"
rec="$out.rec"
"$tcplab" attach --lab handshake "$@" --record "$rec" -q -- \
    python3 "$here/attach_handshake.py" > "$tmp/hs" || no "the hand-driven handshake failed"
"$tcplab" attach --lab handshake "$@" --record "$tmp/bad.rec" -q -- \
    python3 "$here/attach_handshake.py" 1000 7 > /dev/null || no "the wrong ACK did not run"
printf 'hs_syn = bad.rec\nhs = bad.rec\n' > "$tmp/bad.txt"
"$tcplab" lab check handshake "$tmp/bad.txt" "$@" > "$tmp/bad.out" 2>&1 && no "a wrong ACK passed"
grep -q "^  PASS  hs_syn$" "$tmp/bad.out" && grep -q "^  FAIL  hs: the replay of bad.rec shows 'SYN-RECEIVED'" \
    "$tmp/bad.out" || no "a wrong ACK's record: $(grep ' hs' "$tmp/bad.out")"
pick() { awk -v fl="$1" -v l="$2" '$2 == fl && $3 == l { print $NF; exit }' "$tmp/pred"; }
{
    answers_head handshake
    echo "client_isn = $client_isn"
    echo "server_isn = $server_isn"
    echo "data_ack = $data_ack"
    echo "timewait = $timewait"
    echo "syn_ack = $(pick '[S]' 0)"
    echo "ack_seq = $(pick '[A]' 0)"
    echo "listen_seq = $(pick '[A]' 1)"
    echo "xmas_ack = $(pick '[FPU]' 0)"
    echo "null_ack = $(pick '[none]' 0)"
    awk '{ print "rule_" $1 " = " $4 }' "$tmp/pred"
    echo "hs_syn = $(basename "$rec")"
    echo "hs = $(basename "$rec")"
} > "$out"
