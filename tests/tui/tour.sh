#!/bin/sh
# tour.sh TCPLAB — what keys.sh does not walk, in the real `tcplab tui` (tmux) as a new user
# would: the filter rule that decided marked in the host's inside (=>), relative and absolute
# numbers (r), a bookmark (m, '), play and pause with a speed (P, +), the ladder exported as
# text and SVG (e), a packet field's bytes lit in the hex dump ([ ]), a resize to 50x15 and
# back, a scan inside the embedded `default` network, and SIGTERM: the terminal restored,
# exit 128+15. Skipped without tmux.
tcplab=$(cd "$(dirname "${1:-./tcplab}")" && pwd)/$(basename "${1:-./tcplab}")
cd "$(dirname "$0")/../.." || exit 2
command -v tmux >/dev/null || { echo "tui: tmux not installed, skipped"; exit 0; }
. tests/tui/tmux.inc
tmp=$(mktemp -d /tmp/tcplab-tui-tour.XXXXXX)
trap 'T kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
here=$(pwd)
for size in "80 24" "200 50"; do
    start $size "cd $tmp && $tcplab" tui "$here/scenarios/port-states.scn"
    key / ; key -l "drop port 21"; key Enter
    want "$size filter to the rejected SYN" "events 1/1  filter: drop port 21"
    want "$size the rule that decided" "=>2 reject tcp dport 21 with tcp-reset"
    key / ; key Enter
    key g
    key r
    want "$size absolute numbers" "\[absolute\]"
    key r
    nope "$size relative again" "\[absolute\]"
    key : ; key -l 5; key Enter
    key m; key x
    key G
    key "'"; key x
    want "$size bookmark" "event 5 of 26"
    key e
    want "$size export" "ladder of 26 events written to tcplab-ladder.txt and tcplab-ladder.svg"
    [ -s "$tmp/tcplab-ladder.txt" ] && grep -q "scanner .*target" "$tmp/tcplab-ladder.txt" ||
        { echo "tui: FAIL: $size ladder text export"; fail=1; }
    head -1 "$tmp/tcplab-ladder.svg" | grep -q '^<svg ' && tail -1 "$tmp/tcplab-ladder.svg" |
        grep -q '^</svg>$' || { echo "tui: FAIL: $size SVG export"; fail=1; }
    rm -f "$tmp"/tcplab-ladder.*
    key g; key P
    want "$size playing" "\[playing 2/s\]"
    key +; key +
    want "$size faster" "\[playing 10/s\]"
    sleep 1
    key P
    nope "$size paused" "\[playing"
    nope "$size play moved on" "event 1 of 26"
    key : ; key -l 5; key Enter
    for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23; do T send-keys -t s ']'; done
    sleep 0.3
    if T capture-pane -e -p -t s | grep -q 'flags           0x'; then :; else
        echo "tui: FAIL: $size field list"; screen; fail=1; fi
    # the selected field's bytes in reverse video in the hex dump
    T capture-pane -e -p -t s | grep -q '^0020  .*\[7m' ||
        { echo "tui: FAIL: $size hex highlight"; T capture-pane -e -p -t s | cat -v | tail -8; fail=1; }
    T resize-window -t s -x 50 -y 15; sleep 0.5
    want "$size resized small" "events 5/26"
    T resize-window -t s -x 30 -y 8; sleep 0.5
    want "$size too small says so" "terminal too small"
    T resize-window -t s -x "${size% *}" -y "${size#* }"; sleep 0.5
    want "$size resized back" "event 5 of 26"
    key '?'
    want "$size the whole help" "?  q     this help, quit"
    want "$size help: the what-if" "W  show it again"
    key Escape
    key q
    sleep 0.5
    want "$size quits" "EXIT=0"
done
# a scan inside the embedded network
start 80 24 "$tcplab" tui default -- -sS -p 21-23,80 web
want "scan of default opens" "events 1/"
key o
want "default scan's outline" "ports by outcome"
key q; key q
# SIGTERM: restored, 128+15
start 80 24 "$tcplab" tui scenarios/handshake.scn
pane=$(T list-panes -t s -F '#{pane_pid}')
pid=$(pgrep -P "$pane" tcplab)
[ -n "$pid" ] && kill -TERM "$pid"
sleep 0.6
want "SIGTERM says so" "tcplab tui: interrupted"
want "SIGTERM exit status" "EXIT=143"
nope "SIGTERM leaves no screen behind" "events 1/"
[ $fail -eq 0 ] && echo "tui: tour checks passed"
exit $fail
