#!/bin/sh
# attach.sh TCPLAB — an attached script's recorded session in the real `tcplab tui` (tmux):
# tests/attach/blind.py's blind spoofed handshake, recorded with `tcplab attach --record`
# and opened with `tcplab tui SCENARIO --replay RECORD`. The datagrams it injected in
# trusted's name are listed as the attacker's, "injected as trusted", and drawn on the
# ladder from trusted's lifeline with '~'; its notes are events; stepping back across them
# rebuilds the server's TCB (the record's injected bytes and notes are given again to the
# rewound simulation). And a capture's hosts: addresses are never cut to 8 characters.
# Skipped without tmux or python3.
tcplab=$(cd "$(dirname "${1:-./tcplab}")" && pwd)/$(basename "${1:-./tcplab}")
cd "$(dirname "$0")/../.." || exit 2
command -v tmux >/dev/null || { echo "tui: tmux not installed, skipped"; exit 0; }
. tests/tui/tmux.inc
tmp=$(mktemp -d /tmp/tcplab-tui-att.XXXXXX)
trap 'T kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
if command -v python3 >/dev/null; then
    "$tcplab" attach tests/attach/mitnick.scn -q --record "$tmp/blind.rec" -- \
        python3 tests/attach/blind.py 2>/dev/null || { echo "tui: FAIL: attach --record"; fail=1; }
    for size in "80 24" "200 50"; do
        start $size "$tcplab" tui tests/attach/mitnick.scn --replay "$tmp/blind.rec"
        want "$size session opens" "attach session"
        want "$size note is an event" "NOTE  attacker => stage 1: sample the ISN"
        key : ; key -l 8; key Enter
        want "$size spoofed SYN listed as injected" "SEND  attacker >server   1023 > 513 \[S\] s=0 len=0 (inj"
        want "$size spoofed SYN: the inside says whose" "injected, not by attacker.s stack; claims to be from trusted"
        key G
        want "$size last event" "event 19 of 19"
        key : ; key -l 16; key Enter
        want "$size the blind ACK accepted" "SYN-RECEIVED -> ESTABLISHED"
        key p; key p; key p
        want "$size back across the note" "event 13 of"
        want "$size note shown" "stage 3: the blind ACK"
        key p
        want "$size back before the note" "event 12 of"
        key : ; key -l 10; key Enter
        want "$size the spoofed SYN's arrival, rebuilt" "LISTEN.*SYN-RECEIVED\|SYN-RECEIVED"
        key n; key n; key n; key n; key n; key n
        want "$size forward again" "event 16 of"
        want "$size forward again: established" "SYN-RECEIVED -> ESTABLISHED"
        key Tab
        want "$size ladder names trusted" "attacker.*server.*trusted"
        want "$size injected arrow from trusted" "|<~~~A 1:1 0~~~~~~|"
        key q
        sleep 0.5
        want "$size quits with 0" "EXIT=0"
    done
    start 80 24 "$tcplab" tui tests/attach/mitnick.scn --replay tests/attach/mitnick.scn
    want "not a record: a clear error" "EXIT=1"
    # A lab's record steps on the variant it was made on (the instructor's view), and another
    # student's variant refuses it, as tcplab attach --lab ... --replay does.
    PYTHONPATH=attach "$tcplab" attach --lab handshake --student alice --record "$tmp/alice.rec" \
        -q -- python3 tests/labs/attach_handshake.py > /dev/null || { echo "tui: FAIL: lab record"; fail=1; }
    start 80 24 "$tcplab" tui --lab handshake --student alice --instructor --replay "$tmp/alice.rec"
    want "lab record on its variant opens" "attach session"
    key q
    start 200 24 "$tcplab" tui --lab handshake --student bob --instructor --replay "$tmp/alice.rec"
    want "lab record on another variant refused" "recorded on another variant of lab handshake"
    want "lab record on another variant: exit 1" "EXIT=1"
else
    echo "tui: python3 not installed, attach session checks skipped"
fi
# A capture: the hosts are dotted quads; neither list nor ladder cuts them.
"$tcplab" run scenarios/handshake.scn --pcap "$tmp/hs.pcap" >/dev/null
for size in "80 24" "200 50"; do
    start $size "$tcplab" tui "$tmp/hs.pcap"
    want "$size capture: whole addresses in the list" "SEND  198.51.100.10 >198.51.100.20 "
    nope "$size capture: no address cut" "198\.51\.1 "
    key Tab
    want "$size capture: whole addresses on the ladder" "198.51.100.10 .*198.51.100.20"
    key q
done
[ $fail -eq 0 ] && echo "tui: attach session and capture checks passed"
exit $fail
