#!/bin/sh
# whatif.sh TCPLAB — the TUI's what-if in the real `tcplab tui` (tmux), at 80x24 and 200x50:
# `w` with a new seed, then with one scenario line changed (Tab fills in the line's text to
# edit), shows both runs side by side from the first event where they part, what differs
# named, every event kind's name whole (TIMER, the longest) at both sizes; Enter goes to A's
# event in the main screen, W shows the result again, Esc comes back; a change that does not parse says why (FILE:LINE:COL); in a lab's student view a
# hidden fact is set on both sides (A vs B); a capture has no what-if;
# the help lists the key. Skipped without tmux.
tcplab=$(cd "$(dirname "${1:-./tcplab}")" && pwd)/$(basename "${1:-./tcplab}")
cd "$(dirname "$0")/../.." || exit 2
command -v tmux >/dev/null || { echo "tui: tmux not installed, skipped"; exit 0; }
. tests/tui/tmux.inc
tmp=$(mktemp -d /tmp/tcplab-tui-wi.XXXXXX)
trap 'T kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
line19="connect client -> server:80 at 20ms send 100 close 500ms"
for size in "80 24" "200 50"; do
    start $size "$tcplab" tui scenarios/handshake.scn
    want "$size opens" "events 1/52"
    key w
    want "$size what-if prompt" "^what-if:"
    want "$size what-if forms" "seed=N | HOST.KEY=VALUE | NAME=VALUE | line N=TEXT"
    key -l "seed=99"; key Enter
    waitfor "$size seed what-if ran" "what-if: seed=99"
    want "$size both runs named" "B: scenarios/handshake.scn with seed=99 (seed 99)"
    want "$size where they part" "they part after 1 of 52 events (A) and 52 (B)"
    want "$size the same event before" "^  #1 .*NOTE  client .*|  #1 .*NOTE  client"
    want "$size A's side of the parting" "^- #2 .*SEND  client"
    want "$size B's side of the parting" "|+ #2 .*SEND  client"
    want "$size A's parting event whole" "^A #2 .*SEND  client   56322 > 80 \[S\]"
    want "$size B's parting event whole" "^B #2 .*SEND  client   39956 > 80 \[S\]"
    key j
    want "$size the cursor moves" "^A #3 .*RECV  server   56322 > 80"
    key G
    want "$size the kind TIMER whole, below" "^A #52 .*60.502000 TIMER client"
    want "$size the kind TIMER whole, in the columns" "^[- ] #52 .*60.502000 TIMER client"
    want "$size B's TIMER whole, in its column" "|[+ ] #52 .*60.502000 TIMER client"
    key x
    want "$size back to the parting" "^A #2 "
    key Enter
    want "$size Enter goes to A's event" "event 2 of 52"
    nope "$size main screen again" "what-if: seed"
    key W
    want "$size W shows it again" "what-if: seed=99"
    key Escape
    want "$size Esc: the main screen" "events 2/52"
    key w; key -l "line 19"; key Tab
    want "$size Tab fills the line in" '80 at 10ms send ${len:choice 200,100,300,512,1000,1200} close 500ms'
    key C-u; key -l "line 19=$line19"; key Enter
    waitfor "$size line what-if ran" "what-if: line 19=connect"
    want "$size the line's effect" "time 0.010000000 vs 0.020000000"
    want "$size B starts later" "^B #1 .*0.020000 NOTE  client"
    key Escape
    key w; key -l "line 19=connect client -> nosuch:80 at 20ms"; key Enter
    want "$size a bad line says where" "what-if: scenarios/handshake.scn:19:"
    key w; key -l "nosuch.isn=random"; key Enter
    want "$size a bad host says so" "what-if: .*nosuch"
    key '?'
    want "$size help has the key" "w  *what-if: the run again with one change"
    key Escape
    key q
    sleep 0.5
    want "$size quits with 0" "EXIT=0"
done
# a lab's student view: a hidden fact on both sides or not at all
start 100 30 "$tcplab" tui --lab idle-scan --student alice
key w; key -l "open=22"; key Enter
want "lab: one side alone refused" "what-if: in a lab, a change on one side needs the same"
key w; key -l "open=22 vs open=80"; key Enter
waitfor "lab: both sides" "what-if: open=22 vs open=80"
want "lab: A changed" " A (changed)"
want "lab: the passive view cannot tell" "the same: 18 events in both runs"
key Escape; key q
"$tcplab" run scenarios/handshake.scn --pcap "$tmp/hs.pcap" >/dev/null
start 80 24 "$tcplab" tui "$tmp/hs.pcap"
key w
want "a capture has no what-if" "no what-if: a capture"
key q
[ $fail -eq 0 ] && echo "tui: what-if checks passed"
exit $fail
