#!/bin/sh
# solve_mitnick.sh TCPLAB OUT LAB-OPTIONS... — the Mitnick lab solved as a student does it:
# the reference attack (tests/labs/mitnick_attack.py, the Python client of `tcplab attach`)
# runs against the student's variant with --record; the answers name the record, which
# `lab check` replays. Also checks what the lab teaches, on the simulated hosts' side
# (--instructor replays): the attack makes xterm (4.3BSD, the 64K rule) accept the bytes on
# a connection from server that reached ESTABLISHED, and the same script against modern
# (Linux, RFC 6528) gets no connection. A failed check fails the script. Writes OUT and
# OUT.rec (both session answers name it).
. "$(dirname "$0")/solver.sh"
rec="$out.rec"
"$tcplab" attach --lab mitnick "$@" --record "$rec" -q -- \
    python3 "$here/mitnick_attack.py" xterm > "$tmp/answers" || no "the attack on xterm failed"
# xterm's side: the replay, seen by the instructor
"$tcplab" attach --lab mitnick "$@" --instructor --replay "$rec" > "$tmp/xterm" ||
    no "the record does not replay"
grep -q 'RECV  xterm .*=> accept (rfc793-3.9-synrecv-ack:.*SYN-RECEIVED -> ESTABLISHED' "$tmp/xterm" ||
    no "xterm's connection from server never reached ESTABLISHED"
grep -q 'RECV  xterm .*=> accept data (scenario-trusted-data:' "$tmp/xterm" ||
    no "xterm did not accept the bytes as server's"
grep -q 'RECV  server .*bsd44-sonewconn-full' "$tmp/xterm" ||
    no "server was never gagged (no bsd44-sonewconn-full)"
for stage in 1 2 3 4 5 6; do
    grep -q "NOTE .*stage $stage:" "$tmp/xterm" || no "the transcript shows no stage $stage"
done
# the same attack on modern (Linux): no connection
"$tcplab" attach --lab mitnick "$@" --instructor -- \
    python3 "$here/mitnick_attack.py" modern > "$tmp/modern" || no "the attack on modern did not run"
if grep -q 'RECV  modern .*scenario-trusted-data' "$tmp/modern"; then
    no "modern (RFC 6528) accepted the spoofed bytes"
fi
grep -q 'RECV  modern .*rfc793-3.4-case2-synrecv' "$tmp/modern" ||
    no "modern did not reset the blind ACK (rfc793-3.4-case2-synrecv)"
# A prediction 64000 off (one tick): xterm resets the blind ACK, and the grader fails the
# record though it replays
"$tcplab" attach --lab mitnick "$@" --record "$tmp/miss.rec" -q -- \
    python3 "$here/mitnick_attack.py" --miss 64000 xterm > /dev/null || no "the missed attack did not run"
printf 'attack = miss.rec\nhandshake = miss.rec\n' > "$tmp/miss.txt"
"$tcplab" lab check mitnick "$tmp/miss.txt" "$@" > "$tmp/miss.out" 2>&1 &&
    no "the grader passed a mispredicted attack"
grep -q "FAIL  attack: the replay of miss.rec shows 'none'" "$tmp/miss.out" ||
    no "the mispredicted attack's record: $(grep 'attack' "$tmp/miss.out")"
grep -q "FAIL  handshake: the replay of miss.rec shows 'SYN-RECEIVED'" "$tmp/miss.out" ||
    no "the mispredicted handshake: $(grep 'handshake' "$tmp/miss.out")"
{
    answers_head mitnick
    echo "attack = $(basename "$rec")"
    echo "handshake = $(basename "$rec")"
    cat "$tmp/answers"
    echo "linux = no"
} > "$out"
