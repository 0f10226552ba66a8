#!/bin/sh
# inside.sh TCPLAB — the "inside the host" panel of the real `tcplab tui` (tmux) at 200x50,
# stepping through the handshake's third unit, which reports four events (the client's RECV
# of the SYN-ACK, the NOTE of its `send`, the SENDs of its ACK and of its 200 bytes): the
# panel shows each event's own before and after (SYN-SENT -> ESTABLISHED at the RECV only,
# SND.NXT 1 -> 201 at the data's SEND only), says what before and after are, and stepping
# back shows what stepping forward showed. At 80x24 the RECV's state change is on screen.
# Skipped without tmux.
tcplab=$(cd "$(dirname "${1:-./tcplab}")" && pwd)/$(basename "${1:-./tcplab}")
cd "$(dirname "$0")/../.." || exit 2
command -v tmux >/dev/null || { echo "tui: tmux not installed, skipped"; exit 0; }
. tests/tui/tmux.inc
tmp=$(mktemp -d /tmp/tcplab-tui-in.XXXXXX)
trap 'T kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
# The panel's TCB lines on screen (the right half of the lower panels at 200 columns).
tcb() { screen | grep -E '^ {0,100}.*(before: |  state  |  SND\.NXT|  SND\.UNA|IP-ID toward)' |
        sed 's/^.*\(before: \|  state  \|  SND\.NXT\|  SND\.UNA\|IP-ID toward\)/\1/'; }
start 200 50 "$tcplab" tui scenarios/handshake.scn
want "opens" "events 1/52"
key n; key n; key n; key n
want "at the SYN-ACK's RECV" "event 5 of 52"
want "the RECV moves the state" "state          SYN-SENT -> ESTABLISHED"
want "before and after said" "before: as it arrived  after: as #7 was about to be built"
want "SND.NXT unchanged at the RECV" "SND.NXT               1    1$"
tcb > "$tmp/fw5"
key n
want "at the send NOTE" "event 6 of 52"
want "the NOTE's own work" "did: send"
nope "no handshake at the NOTE" "SYN-SENT"
want "the NOTE moves nothing shown" "state       ESTABLISHED    ESTABLISHED"
tcb > "$tmp/fw6"
key n
want "at the ACK's SEND" "event 7 of 52"
want "a SEND's before" "before: just before it was built"
nope "no handshake at the ACK" "SYN-SENT"
want "SND.NXT unchanged at the ACK" "SND.NXT               1    1$"
tcb > "$tmp/fw7"
key n
want "at the data's SEND" "event 8 of 52"
want "SND.NXT past the 200 bytes" "SND.NXT               1 -> 201"
nope "no handshake at the data" "SYN-SENT"
want "the way out" "no outbound filter: nothing checked this datagram on its way out"
key p
want "back at the ACK's SEND" "event 7 of 52"
nope "SND.NXT no longer moves" "1 -> 201"
tcb > "$tmp/bk7"
key p
want "back at the NOTE" "event 6 of 52"
tcb > "$tmp/bk6"
key p
want "back at the RECV" "event 5 of 52"
want "the RECV again" "state          SYN-SENT -> ESTABLISHED"
tcb > "$tmp/bk5"
for e in 5 6 7; do
    if [ ! -s "$tmp/fw$e" ] || ! cmp -s "$tmp/fw$e" "$tmp/bk$e"; then
        echo "tui: FAIL: event $e going back differs from going forward:"
        diff "$tmp/fw$e" "$tmp/bk$e"
        fail=1
    fi
done
key q
sleep 0.5
want "quits with 0" "EXIT=0"
start 80 24 "$tcplab" tui scenarios/handshake.scn
key n; key n; key n; key n
want "80x24 at the RECV" "event 5 of 52"
want "80x24 the RECV moves the state" "SYN-SENT -> ESTABLISHED"
key n
nope "80x24 not at the NOTE" "SYN-SENT -> ESTABLISHED"
key q
T kill-server 2>/dev/null
[ "$fail" = 0 ] && echo "tui: inside.sh passed"
exit $fail
