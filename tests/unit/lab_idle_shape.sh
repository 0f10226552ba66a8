#!/bin/sh
# lab_idle_shape.sh BUILD/tcplab — the idle-scan lab's behaviour question grades an idle
# scan, not just its side effect (labs/idle-scan.lab `require idle-scan`, lab/shape.c):
#  - the reference solution's records pass (the scanner's -sI under attach, and the Python
#    script that reads the zombie before and after each forged SYN);
#  - a script that forges the SYNs through the zombie but never reads the zombie fails, and
#    the FAIL says what is missing, though the target's SYN|ACKs to the zombie (what the
#    question's replay reads) are the same as a real scan's;
#  - so do one that reads the zombie from a forged source (its replies never reach the
#    student), one that reads only before the SYNs, and one that forges no SYN at all.
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
t=$(cd "$(dirname "${1:-build/tcplab}")" && pwd)/$(basename "${1:-build/tcplab}")
tmp=$(mktemp -d /tmp/tcplab_idle_shape.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp" || exit 2
PYTHONPATH="$src/attach${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONPATH
fail=0
no() { echo "FAIL: $*"; fail=1; }

# The reference solution: both of its records pass (the solver checks its Python record).
sh "$src/tests/labs/solve_idle-scan.sh" "$t" "$tmp/alice.txt" --student alice ||
    no "the reference solution failed"
"$t" lab check idle-scan alice.txt > ref.out 2>&1 || no "the reference answers fail: $(cat ref.out)"
grep -q '^  PASS  idle$' ref.out || no "the reference record does not pass: $(cat ref.out)"

# Scripts that do part of an idle scan. MODE: noread (forged SYNs only), spoofread (reads
# sent from another address), onlybefore (one read, then the SYNs), nosyn (reads only).
cat > part.py <<'PY'
import sys
import tcplab

mode = sys.argv[1]
s = tcplab.Session()
target = s.hosts()["target"]
ids = {}
for d in s.wait_until(0.3):
    if d.proto == 6 and d.flags == "R" and 50000 <= d.dport <= 50008:
        ids.setdefault(d.src, []).append(d.ipid)
zombie = next(a for a, v in sorted(ids.items())
              if len(v) == 3 and v[1] == v[0] + 1 and v[2] == v[1] + 1)
src = "198.51.100.99" if mode == "spoofread" else s.addr
sport = 41000

def read():
    global sport
    sport += 1
    s.send(tcplab.tcp_packet(src, zombie, sport, 80, seq=1, ack=1, flags="SA"))
    s.wait(0.005)

if mode == "onlybefore":
    read()
for port in range(1, 1025):
    if mode in ("spoofread",):
        read()
    if mode != "nosyn":
        s.send(tcplab.tcp_packet(zombie, target, 33000, port, seq=7, flags="S"))
        s.wait(0.005)
    else:
        read()
    if mode == "spoofread":
        read()
PY
key=$(awk '$1 == "open" { print $3 }' alice.txt)
for mode in noread spoofread onlybefore nosyn; do
    "$t" attach --lab idle-scan --student alice --record "$mode.rec" -q -- \
        python3 part.py "$mode" > "$mode.att" 2>&1 || no "$mode: the script failed: $(cat "$mode.att")"
    printf 'student = alice\nidle = %s.rec\n' "$mode" > "$mode.txt"
    "$t" lab check idle-scan "$mode.txt" > "$mode.out" 2>&1
    rc=$?
    [ $rc = 1 ] || no "$mode: lab check exit $rc, expected 1: $(cat "$mode.out")"
    grep -q '^  FAIL  idle: ' "$mode.out" || no "$mode: the idle question does not fail: $(cat "$mode.out")"
    # what the replay event reads is the real scan's (the open ports), so only the shape fails it
    [ "$mode" = nosyn ] || "$t" attach --lab idle-scan --student alice --instructor \
        --replay "$mode.rec" 2>/dev/null | awk '$2 == "SEND" && $3 == "target" && / TCP \[SA\] / {
            split($4, a, ":"); printf "%s%s", sep, a[2]; sep = "," } END { print "" }' |
        grep -qx "$(echo "$key" | tr , '\n' | sort -n | paste -sd, -)" ||
        no "$mode: the target did not answer the zombie on the open ports (the test is wrong)"
done
grep -q "has no read of the zombie's IP-ID before it" noread.out || no "noread: $(cat noread.out)"
grep -q "your host sent the zombie 0, and received the reply to 0" noread.out || no "noread's count: $(cat noread.out)"
grep -q "has no read of the zombie's IP-ID before it.*received the reply to 0)" spoofread.out ||
    no "spoofread: $(cat spoofread.out)"
grep -q "port 1 at .* has no read of the zombie's IP-ID after it" onlybefore.out ||
    no "onlybefore: $(cat onlybefore.out)"
grep -q "your host forged no SYN from the zombie to the target" nosyn.out || no "nosyn: $(cat nosyn.out)"
# no hidden fact in the message: not the zombie's address
grep 'FAIL  idle' noread.out | grep -q "$(awk '$1 == "zombie" { print $3 }' alice.txt)" &&
    no "the FAIL names the zombie's address"

# A lab file's require line: FILE:LINE:COL for a wrong one.
mkdir -p mylabs
"$t" lab show idle-scan --lab-file | sed 's/^  require idle-scan .*/  require idel-scan a b/' \
    > mylabs/idle-scan.lab
"$t" lab key idle-scan --student alice --labs mylabs > bad.out 2>&1 && no "a wrong require loads"
grep -q 'idle-scan.lab:[0-9]*:[0-9]*: error: expected a shape (idle-scan), found .idel-scan.' bad.out ||
    no "a wrong require's message: $(cat bad.out)"

[ $fail = 0 ] && echo "lab_idle_shape: the idle-scan behaviour must read the zombie around each forged SYN"
exit $fail
