#!/bin/sh
# done_when.sh BUILD/tcplab — issue 10's "Done when", as a new user does it with only the
# installed binary (make install into a scratch prefix; an empty directory; nothing from
# the source tree but the reference scripts the user writes themselves):
#   list the labs; start idle-scan and isn-prediction for alice and for bob (different
#   answers); do the idle-scan lab with `tcplab scan` (also as a recorded session, the
#   scanner under `tcplab attach --record`), the ISN-prediction lab with a Python script
#   under `tcplab attach --record`; `lab check` passes alice's answers (the session
#   questions by replaying her records) and fails bob's on alice's variant.
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(cd "$(dirname "${1:-build/tcplab}")" && pwd)/$(basename "${1:-build/tcplab}")
tmp=$(mktemp -d /tmp/tcplab_done.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
no() { echo "FAIL: $*"; fail=1; }
command -v python3 > /dev/null || { echo "done_when: python3 missing, skipped"; exit 0; }
# The install: make install's layout (bin/, share/tcplab/python/, share/doc/, man pages).
if [ "$bin" = "$src/build/tcplab" ] && [ -x "$src/tcplab" ] && cmp -s "$src/tcplab" "$bin"; then
    MAKEFLAGS= make -s -C "$src" install PREFIX="$tmp/inst" > "$tmp/install.log" 2>&1 ||
        { no "make install failed"; cat "$tmp/install.log"; }
    # every share/doc/tcplab file tcplab(1) points an installed user to is there
    for d in $(grep -o 'share/doc/tcplab/[a-z/-]*\.md' "$src/docs/tcplab.1" | sort -u); do
        [ -f "$tmp/inst/$d" ] || no "tcplab(1) names $d, which make install does not install"
    done
else   # another build (the sanitizers'): its binary in the same layout
    mkdir -p "$tmp/inst/bin" "$tmp/inst/share/tcplab/python"
    cp "$bin" "$tmp/inst/bin/tcplab"
    cp "$src/attach/tcplab.py" "$tmp/inst/share/tcplab/python/"
fi
t=$tmp/inst/bin/tcplab
[ -x "$t" ] && [ -f "$tmp/inst/share/tcplab/python/tcplab.py" ] || { no "nothing installed"; exit 1; }
# The user's own scripts (here: the reference solutions, copied out of the tree).
mkdir -p "$tmp/home/bin" "$tmp/home/work"
cp "$src/tests/labs/solve_idle-scan.sh" "$src/tests/labs/solver.sh" \
    "$src/tests/labs/attach_isn-prediction.py" "$src/tests/labs/attach_idle-scan.py" "$tmp/home/bin/"
cd "$tmp/home/work" || exit 2
PATH=$tmp/inst/bin:$PATH
export PATH

# 1. List the labs.
tcplab lab list > list.txt || no "lab list failed"
for lab in idle-scan isn-prediction; do
    grep -q "^$lab " list.txt || no "lab list does not list $lab"
done

for s in alice bob; do
    # 2. Start both labs for each student: a worksheet and an answer template.
    for lab in idle-scan isn-prediction; do
        tcplab lab start "$lab" "$lab-$s" --student "$s" > /dev/null || no "lab start $lab for $s"
        [ -s "$lab-$s/$lab.md" ] && [ -s "$lab-$s/answers.txt" ] || no "$lab-$s has no worksheet or template"
    done
    # 3. The idle-scan lab with tcplab run and tcplab scan.
    sh "$tmp/home/bin/solve_idle-scan.sh" tcplab "idle-scan-$s/answers.txt" --student "$s" ||
        no "idle-scan: $s's solution failed"
    # 4. The ISN-prediction lab with a Python script under tcplab attach, recorded.
    ( cd "isn-prediction-$s" &&
      tcplab attach --lab isn-prediction --student "$s" --record isn.rec -q -- \
          python3 "$tmp/home/bin/attach_isn-prediction.py" answers.txt ) ||
        no "isn-prediction: $s's attached script failed (or predicted wrong)"
    printf 'student = %s\n' "$s" >> "isn-prediction-$s/answers.txt"
    # The record replays byte for byte: the transcript is the same.
    ( cd "isn-prediction-$s" &&
      tcplab attach --lab isn-prediction --student "$s" --record again.rec -q -- \
          python3 "$tmp/home/bin/attach_isn-prediction.py" again.txt &&
      cmp -s isn.rec again.rec ) || no "isn-prediction: $s's script is not deterministic"
done

# 5. Different answers for alice and bob.
for lab in idle-scan isn-prediction; do
    cmp -s "$lab-alice/answers.txt" "$lab-bob/answers.txt" && no "$lab: alice's and bob's answers are the same"
    # 6. alice's pass; bob's fail on alice's variant (exit 1, with FAIL lines).
    tcplab lab check "$lab" "$lab-alice/answers.txt" > out.txt 2>&1
    rc=$?
    [ "$rc" = 0 ] || { no "$lab: alice's answers: exit $rc"; cat out.txt; }
    tcplab lab check "$lab" "$lab-bob/answers.txt" --student alice > out.txt 2>&1
    rc=$?
    [ "$rc" = 1 ] || { no "$lab: bob's answers on alice's variant: exit $rc, expected 1"; cat out.txt; }
    grep -q '^  FAIL' out.txt || no "$lab: no FAIL line for bob's answers on alice's variant"
done
# The behaviour itself is graded: alice's idle scan, recorded under attach, passes `idle`;
# her ISN record passes `session`, bob's does not on hers.
tcplab lab check idle-scan idle-scan-alice/answers.txt | grep -q '^  PASS  idle$' ||
    no "idle-scan: alice's recorded idle scan does not pass the idle question"
tcplab lab check idle-scan idle-scan-bob/answers.txt --student alice | grep -q '^  FAIL  idle: ' ||
    no "idle-scan: bob's recorded idle scan passes on alice's variant"

tcplab lab check isn-prediction isn-prediction-alice/answers.txt | grep -q '^  PASS  session$' ||
    no "isn-prediction: alice's record does not pass the session question"
cp isn-prediction-bob/isn.rec isn-prediction-alice/bob.rec
sed 's/^session = .*/session = bob.rec/' isn-prediction-alice/answers.txt > isn-prediction-alice/copied.txt
tcplab lab check isn-prediction isn-prediction-alice/copied.txt > out.txt 2>&1
[ $? = 1 ] && grep -q '^  FAIL  session' out.txt || no "isn-prediction: bob's record passes on alice's variant"

[ $fail = 0 ] && echo "done_when: a new user lists, starts, solves and checks the labs with the installed binary"
exit $fail
