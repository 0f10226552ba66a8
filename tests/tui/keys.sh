#!/bin/sh
# keys.sh TCPLAB — drives the real `tcplab tui` in tmux (send-keys, capture-pane) at 80x24 and
# at 200x50 and checks the screen after each key: stepping, a true step back (the inside
# shows the TCB before and after), filter, follow, the cause jump, help, a scan inside, a
# capture, NO_COLOR, quitting cleanly, the IP-ID strip (the -sI zombie's, in a scenario and
# a lab's student view, or the selected event's host), and exit 1 without a terminal.
# Skipped without tmux.
tcplab=$(cd "$(dirname "${1:-./tcplab}")" && pwd)/$(basename "${1:-./tcplab}")
cd "$(dirname "$0")/../.." || exit 2
command -v tmux >/dev/null || { echo "tui: tmux not installed, skipped"; exit 0; }
sock=tcplab-tui-$$
T() { tmux -L "$sock" "$@"; }
fail=0
screen() { T capture-pane -p -t s; }
key() { T send-keys -t s "$@"; sleep 0.3; }
want() { # want WHAT PATTERN: the screen shows PATTERN
    if screen | grep -q -- "$2"; then :; else echo "tui: FAIL: $1: no '$2' on screen"; screen; fail=1; fi
}
nope() { # nope WHAT PATTERN: the screen does not show PATTERN
    if screen | grep -q -- "$2"; then echo "tui: FAIL: $1: '$2' on screen"; screen; fail=1; fi
}
start() { # start W H CMD...
    T kill-server 2>/dev/null
    sleep 0.5
    w=$1; h=$2; shift 2
    T new-session -d -s s -x "$w" -y "$h" "$*; echo EXIT=\$?; sleep 20"
    sleep 1
}
for size in "80 24" "200 50"; do
    start $size "$tcplab" tui scenarios/handshake.scn
    want "$size opens" "events 1/"
    want "$size note" "NOTE  client"
    key n; key n
    want "$size step to the SYN" "event 3 of"
    want "$size inside before->after" "LISTEN\|SYN-RECEIVED"
    key n; key n
    want "$size the SYN-ACK received" "SYN-SENT -> ESTABLISHED"
    key p
    want "$size step back" "event 4 of"
    key p
    want "$size step back shows the server's TCB again" "SYN-RECEIVED"
    key c
    want "$size cause of the SYN's RECV is its SEND" "event 2 of"
    key b
    want "$size back" "event 3 of"
    key / ; key -l "port 81"; key Enter
    want "$size filter" "filter: port 81"
    key / ; key Enter
    key : ; key -l 2; key Enter
    key f
    want "$size follow" "following"
    key f
    key '?'
    want "$size help" "tcplab tui: keys"
    key Escape
    key q
    sleep 0.5
    want "$size quits with 0" "EXIT=0"
done
# A scan inside: the scanner's reasoning and the outline of ports.
start 80 24 "$tcplab" tui scenarios/port-states.scn -- -sS -p 21,22,80,8080 target
want "scan opens" "events 1/"
key o
want "outline" "ports by outcome"
key Enter
want "group opens" "\[-\]"
key q; key q
# -sI: the zombie's IP-ID strip, the zombie's (named or by address) whatever event is
# selected, each rise beside what the zombie answered; without -sI, the event's host, said so.
zombie=$("$tcplab" lab key idle-scan --student alice | awk '$1 == "zombie" { print $3 }')
for size in "80 24" "200 50"; do
    for z in h20 198.51.100.20; do
        start $size "$tcplab" tui scenarios/idle-scan.scn -- -sI $z -Pn -p 22,80,81 target
        key z
        want "$size -sI $z: the zombie's chart" "the -sI zombie h20's IP-ID"
        want "$size -sI $z: on the attacker's event" "^ *1 .*SEND  attacker"
        want "$size -sI $z: h20's rows" "^IP-ID of h20, each datagram it sent"
        want "$size -sI $z: a rise and what h20 answered" "  +1 #  .*to attacker .*<- #[0-9]* attacker \[SA\]"
        nope "$size -sI $z: no other host charted" "^IP-ID of attacker"
        key -l ":90"; key Enter
        want "$size -sI $z: target's SYN|ACK spends one" "to target .*<- #[0-9]* target \[SA\]"
        key G
        want "$size -sI $z: still the zombie at the end" "^IP-ID of h20"
        key q
    done
    start $size "$tcplab" tui --lab idle-scan --student alice -- -sI "$zombie" -Pn -p 22,80,81 target
    key z
    want "$size lab -sI: the zombie's chart" "the -sI zombie $zombie's IP-ID"
    want "$size lab -sI: the reads the capture holds" "^IP-ID of $zombie, its datagrams to 198.51.100.10"
    want "$size lab -sI: an open port's unseen RST" " +2 ## .*to 198.51.100.10"
    nope "$size lab -sI: forged SYNs are not the zombie's" "to 198.51.100.30 \[S\]"
    key q
    start $size "$tcplab" tui scenarios/handshake.scn
    key n; key z
    want "$size no -sI: the event's host, said so" "IP-ID of client, this event's host"
    key n; key n
    want "$size no -sI: follows the selection" "IP-ID of server, this event's host"
    key q
done
# A capture, and NO_COLOR
cap=/tmp/tcplab-tui-$$.pcap
"$tcplab" run scenarios/handshake.scn --pcap "$cap" >/dev/null
start 80 24 NO_COLOR=1 "$tcplab" tui "$cap"
want "capture opens" "events 1/"
key n
want "capture has no inside" "capture shows the wire only"
key q
sleep 0.5
want "capture quits" "EXIT=0"
T kill-server 2>/dev/null
rm -f "$cap"
# A lab's variant in the student's view: the student's host's datagrams only, no inside;
# --instructor: every host, with insides (self-study: no course key is in play).
start 160 40 "$tcplab" tui --lab idle-scan --student alice
want "lab view opens" "attacker's view"
want "lab view has the candidates" "198.51.100.21"
nope "lab view hides the target" "198.51.100.30"
key n
want "lab view has no inside" "capture shows the wire only"
key q
start 160 40 "$tcplab" tui --lab idle-scan --student alice -- -sI "$zombie" -Pn -p 80 target
want "lab scan opens" "attacker's view"
key G
nope "lab scan names no host (a capture)" "RECV  h2"
key q
start 160 40 "$tcplab" tui --lab idle-scan --student alice --instructor
want "instructor view opens" "events 1/"
want "instructor view has every host's lines" "RECV  h2"
key n
nope "instructor view has insides" "capture shows the wire only"
key q
T kill-server 2>/dev/null
# No terminal: exit 1 with a message.
out=$("$tcplab" tui scenarios/handshake.scn </dev/null 2>&1 >/dev/null); rc=$?
if [ "$rc" != 1 ] || ! printf '%s' "$out" | grep -q "needs a terminal"; then
    echo "tui: FAIL: no terminal: exit $rc, '$out'"; fail=1
fi
[ $fail -eq 0 ] && echo "tui: tmux end-to-end checks passed"
exit $fail
