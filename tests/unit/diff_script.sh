#!/bin/sh
# diff_script.sh BUILD/tcplab — `tcplab diff ... -- COMMAND`, the same script attached to both
# runs:
#  - what goes wrong with the command is said as tcplab diff's, naming the run (A or B),
#    never as "tcplab attach:" (the command a user typed was diff);
#  - in the non-interference lab, with the scenario's hand-written probes muted, the
#    student's own script (tests/labs/attach_noninterference.py) finds the idle-scan and
#    challenge-ACK channels (exit 1) and none with a per-destination IP-ID zombie or a
#    Linux 6.0+ server (exit 0), while a script that probes nothing finds nothing.
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
t=$(cd "$(dirname "${1:-build/tcplab}")" && pwd)/$(basename "${1:-build/tcplab}")
tmp=$(mktemp -d /tmp/tcplab_diff_script.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp" || exit 2
PYTHONPATH="$src/attach${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONPATH
fail=0
no() { echo "FAIL: $*"; fail=1; }
scn="$src/tests/attach/mitnick.scn"

"$t" diff "$scn" --set trusted.down=no -- ./no-such-command > out 2> err
[ $? = 2 ] || no "a command that cannot run: not exit 2"
grep -q "^tcplab diff: run A: cannot run './no-such-command'" err || no "cannot run: $(cat err)"
grep -q 'tcplab attach' err && no "diff's messages say tcplab attach: $(cat err)"
"$t" diff "$scn" --set trusted.down=no -q -- python3 "$src/tests/attach/bad.py" type > out 2> err
grep -q '^tcplab diff: run A: the script sent a malformed request' err ||
    no "a malformed request: $(cat err)"
grep -q 'tcplab attach' err && no "diff's messages say tcplab attach: $(cat err)"
# a script that breaks only in run B: an idle-scan read of alice's target port 22, open in
# A only; where it is not, the script sends a malformed request. The message names run B.
cat > b.py <<'PY'
import os
import tcplab
s = tcplab.Session()
z, t = "198.51.100.20", s.hosts()["target"]
def read(sport):
    s.send(tcplab.tcp_packet(s.addr, z, sport, 80, seq=1, ack=1, flags="SA"))
    return [d.ipid for d in s.wait(0.01) if d.src == z and d.dport == sport][0]
s.wait_until(0.3)   # after the scenario's own reads of Part 1
first = read(41001)
s.send(tcplab.tcp_packet(z, t, 33000, 22, seq=7, flags="S"))
s.wait(0.01)
if (read(41002) - first) & 0xFFFF != 2:
    os.write(int(os.environ["TCPLAB_ATTACH"]), b"\x00\x00\x00\x01Z")
    s.wait(1)
PY
"$t" diff --lab idle-scan --student alice --set-a open=22 --set-b open=80 --as attacker -q -- \
    python3 b.py > out 2> err
[ $? = 2 ] || no "a script broken in run B: not exit 2: $(cat err)"
grep -q '^tcplab diff: run B: the script sent a malformed request' err ||
    no "a script broken in run B: $(cat err)"
grep -q 'tcplab attach' err && no "diff's messages say tcplab attach: $(cat err)"

# --- the non-interference lab with the student's own script ------------------------------
m=198.51.100.9,198.51.100.9
mute="--set-a hand=$m --set-b hand=$m"
pd="--set-a zombie.ipid=per-dest --set-b zombie.ipid=per-dest"
l6="--set-a server.challenge-ack=linux-6.0 --set-b server.challenge-ack=linux-6.0"
ni="$src/tests/labs/attach_noninterference.py"
check() { # WANT SCRIPT... -- CHANGES...
    want=$1
    shift
    # shellcheck disable=SC2086
    "$t" diff --lab noninterference --student dave $mute $changes --as attacker -q -- "$@" \
        > out 2> err
    rc=$?
    [ $rc = "$want" ] || no "diff [$changes] -- $*: exit $rc, expected $want: $(cat err)"
}
changes="--set-a zport=9100 --set-b zport=7"; check 1 python3 "$ni"; check 0 true
changes="--set-a zport=9100 --set-b zport=515"; check 0 python3 "$ni"
changes="--set-a zport=9100 --set-b zport=7 $pd"; check 0 python3 "$ni"
changes="--set-a hport=22 --set-b hport=8080"; check 1 python3 "$ni"; check 0 true
changes="--set-a hport=22 --set-b hport=8080 $l6"; check 0 python3 "$ni"
# the report points at the script's own read of the zombie (from its port 51001)
changes="--set-a zport=9100 --set-b zport=7"
# shellcheck disable=SC2086
"$t" diff --lab noninterference --student dave $mute $changes --as attacker -- python3 "$ni" \
    > report 2> err
grep -q ':51001 ' report || no "the report does not show the script's read: $(cat report)"
grep -q 'differs in: .*IP-ID\|differs in: id' report || no "no IP-ID difference named: $(cat report)"

[ $fail = 0 ] && echo "diff_script: diff -- COMMAND speaks as diff, and a student's script finds the channels"
exit $fail
