#!/bin/sh
# lab_check.sh BUILD/tcplab — the labs as a class uses them, with the binary alone (copied
# out of the tree and run from an empty directory, as an installed tcplab is):
#  - every lab's reference solution (tests/labs/solve_NAME.sh, which uses only what the
#    student's views show) passes `lab check` for several students, and one student's
#    answers fail on another's variant (exit 1);
#  - `lab start` writes the worksheet and an answer template; `lab check DIR` grades a
#    directory into a CSV; a course key gives tickets, and then `lab key` and --instructor
#    want the key;
#  - a record replays only on the variant and for the host it was made for (attach --replay
#    refuses another, lab check fails it);
#  - a student's transcript and capture hold only their own host's datagrams;
#  - a parameter error names FILE:LINE:COL.
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(cd "$(dirname "${1:-build/tcplab}")" && pwd)/$(basename "${1:-build/tcplab}")
tmp=$(mktemp -d /tmp/tcplab_labs.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/bin" "$tmp/class" "$tmp/share/tcplab/python"
cp "$bin" "$tmp/bin/tcplab"
cp "$src/attach/tcplab.py" "$tmp/share/tcplab/python/"   # as make install lays them out
t="$tmp/bin/tcplab"
cd "$tmp/class" || exit 2
fail=0
no() { echo "FAIL: $*"; fail=1; }
expect_rc() { # WANT DESCRIPTION COMMAND...
    want=$1 what=$2
    shift 2
    "$@" > "$tmp/out" 2>&1
    rc=$?
    [ "$rc" = "$want" ] || { no "$what: exit $rc, expected $want"; sed 's/^/    /' "$tmp/out" | head -20; }
}

# --- reference solutions, several students, and a cross-check ---------------------------
students="alice bob carol dave"
for solver in "$src"/tests/labs/solve_*.sh; do
    lab=$(basename "$solver" .sh); lab=${lab#solve_}
    for s in $students; do
        sh "$solver" "$t" "$tmp/$lab.$s.txt" --student "$s" || no "$lab: the solver failed for $s"
        expect_rc 0 "$lab: $s's solution" "$t" lab check "$lab" "$tmp/$lab.$s.txt"
        grep -q '^  FAIL' "$tmp/out" && no "$lab: $s's check prints a FAIL"
    done
    expect_rc 1 "$lab: bob's answers on alice's variant" \
        "$t" lab check "$lab" "$tmp/$lab.bob.txt" --student alice
    grep -q '^  FAIL' "$tmp/out" || no "$lab: no FAIL line for bob's answers on alice's variant"
    cmp -s "$tmp/$lab.alice.txt" "$tmp/$lab.bob.txt" && no "$lab: alice and bob have the same answers"
    # The key is in the form check accepts.
    # (A session question, graded by replaying a record, has no text answer: the key says so
    # in a comment, and only those questions may fail.)
    "$t" lab key "$lab" --student carol > "$tmp/key.txt" || no "$lab: lab key failed"
    sessions=$(awk '$1 == "question" && $3 == "session" { printf "%s|", $2 }' "$src/labs/$lab.lab")
    "$t" lab check "$lab" "$tmp/key.txt" > "$tmp/out" 2>&1
    grep '^  FAIL' "$tmp/out" | grep -Ev "^  FAIL  (${sessions}-): no answer" | grep -q . &&
        no "$lab: the key does not pass: $(grep FAIL "$tmp/out")"
done

# --- a class: start, a directory of submissions, a CSV ----------------------------------
expect_rc 0 "lab list" "$t" lab list
grep -q '^idle-scan ' "$tmp/out" || no "lab list does not list idle-scan"
expect_rc 0 "lab start" "$t" lab start idle-scan --student alice
[ -s idle-scan-alice/idle-scan.md ] || no "lab start wrote no worksheet"
grep -q '^zombie =$' idle-scan-alice/answers.txt || no "the answer template has no 'zombie =' line"
grep -q '^student = alice$' idle-scan-alice/answers.txt || no "the answer template names no student"
expect_rc 1 "an empty template fails" "$t" lab check idle-scan idle-scan-alice/answers.txt
grep -q 'FAIL  zombie: no answer' "$tmp/out" || no "an empty answer is not called 'no answer'"
mkdir -p subs
cp "$tmp/idle-scan.alice.txt" subs/alice.txt
cp "$tmp/idle-scan.bob.txt" subs/bob.txt
# their records beside them, named as the answers name them (not graded as submissions)
cp "$tmp/idle-scan.alice.txt.rec" subs/alice.txt.rec
cp "$tmp/idle-scan.bob.txt.rec" subs/bob.txt.rec
sed -i 's/^idle = .*/idle = alice.txt.rec/' subs/alice.txt
sed -i 's/^idle = .*/idle = bob.txt.rec/' subs/bob.txt
expect_rc 0 "a directory of right answers" "$t" lab check idle-scan subs --csv grades.csv
grep -q '^"alice","subs/alice.txt",pass,pass,pass,pass,pass,5,5$' grades.csv || no "CSV: alice's line: $(cat grades.csv)"
sed 's/^student = bob/student = alice/' subs/bob.txt > subs/copied.txt
expect_rc 1 "a directory with a copied answer" "$t" lab check idle-scan subs
grep -q '^"alice","subs/copied.txt",fail,fail,pass,fail,fail,1,5$' "$tmp/out" || no "CSV: the copy's line: $(grep copied "$tmp/out")"
expect_rc 2 "check of a missing file" "$t" lab check idle-scan nonexistent.txt
mkdir -p nothing
expect_rc 2 "a directory with no answer files" "$t" lab check idle-scan nothing
echo 'not an answer' > subs/zz-garbage.txt
expect_rc 2 "a directory with an unreadable submission" "$t" lab check idle-scan subs --csv bad.csv
grep -q '^"","subs/zz-garbage.txt",error,error,error,error,error,0,5$' bad.csv || no "CSV: the bad file's line"
rm -f subs/zz-garbage.txt
expect_rc 2 "a CSV that cannot be written" "$t" lab check idle-scan subs --csv /dev/full
# a submission whose student line is no ID: the message names the file, not --student
mkdir -p badid && printf 'lab = idle-scan\nstudent = o"neil, jr\n' > badid/x.txt
"$t" lab check idle-scan badid > /dev/null 2> badid.err
grep -q 'badid/x.txt' badid.err || no "a bad student line's error does not name its file"
grep -q -- '--student' badid.err && no "a bad student line's error blames --student"
expect_rc 1 "an unknown lab" "$t" lab show nosuchlab
# lab show --lab-file: the built-in NAME.lab, which copied into a --labs DIR is the same lab
mkdir -p mylabs
expect_rc 0 "lab show --lab-file" "$t" lab show idle-scan --lab-file
"$t" lab show idle-scan --lab-file > mylabs/idle-scan.lab
grep -q '^lab idle-scan$' mylabs/idle-scan.lab || no "lab show --lab-file printed no lab line"
"$t" lab key idle-scan --student alice > key.builtin
"$t" lab key idle-scan --student alice --labs mylabs > key.copied
cmp -s key.builtin key.copied || no "a copied --lab-file is not the same lab"

# --- a course key: tickets; key and --instructor need the key -----------------------------
printf 'a course key of more than sixteen bytes\n' > course.key
expect_rc 0 "lab start with a course key" "$t" lab start isn-prediction carol --student carol \
    --course-key course.key
[ -s carol/ticket ] || no "no ticket written"
# docs/labs/README.md's class loop starts each student in handout/ID: parents are made
expect_rc 0 "lab start into a new handout/ID" "$t" lab start isn-prediction handout/dan \
    --student dan --course-key course.key
[ -s handout/dan/ticket ] || no "lab start handout/dan wrote no ticket"
# handouts returned as they were handed out (returned/ID/answers.txt, the ticket and any
# record beside it) are graded from the parent directory, one CSV line each
mkdir -p returned && cp -r handout/dan returned/ && cp carol/answers.txt returned/carol.txt
"$t" lab check isn-prediction returned --course-key course.key > returned.csv 2> returned.err
grep -q '"dan","returned/dan/answers.txt",' returned.csv ||
    no "lab check DIR does not grade DIR/ID/answers.txt"
grep -q '"carol","returned/carol.txt",' returned.csv || no "lab check DIR lost DIR/carol.txt"
grep -q 'ticket' returned.csv && no "lab check DIR graded a ticket inside DIR/ID/"
grep -q 'ticket' returned.err && no "lab check DIR with the course key warns of tickets: $(cat returned.err)"
# keyed handouts graded without the key: every answer meets the keyless variant; say so
"$t" lab check isn-prediction returned > /dev/null 2> nokey.err
grep -q '^tcplab lab: returned/dan/answers.txt: a ticket is beside it .*--course-key FILE' nokey.err ||
    no "keyed handouts graded without the key: no warning: $(cat nokey.err)"
# one handout folder checked as a directory: its answers alone, not the worksheet or ticket
"$t" lab check isn-prediction handout/dan --course-key course.key > one.csv 2> one.err
grep -q '"dan","handout/dan/answers.txt",' one.csv ||
    no "lab check of a handout folder does not grade its answers.txt"
grep -q 'isn-prediction.md\|/ticket' one.csv one.err &&
    no "lab check of a handout folder graded its worksheet or ticket"
# the template's own check command must name the ticket: without it a keyed student's
# answers are graded against the keyless variant and all fail
grep -q '^# Check them with: tcplab lab check isn-prediction answers.txt --ticket ticket$' \
    carol/answers.txt || no "a keyed answer template does not say to check with --ticket ticket"
grep -q -- '--ticket ticket$' idle-scan-alice/answers.txt && no "a keyless template names a ticket"
expect_rc 1 "lab key with a ticket alone" "$t" lab key isn-prediction --ticket carol/ticket
expect_rc 1 "--instructor with a ticket alone" "$t" run --ticket carol/ticket --instructor
expect_rc 0 "lab key with the course key" "$t" lab key isn-prediction --ticket carol/ticket \
    --course-key course.key
sh "$src/tests/labs/solve_isn-prediction.sh" "$t" "$tmp/carol.txt" --ticket carol/ticket
expect_rc 0 "the keyed variant, solved with the ticket" "$t" lab check isn-prediction \
    "$tmp/carol.txt" --ticket carol/ticket
expect_rc 0 "graded by the instructor with the key" "$t" lab check isn-prediction \
    "$tmp/carol.txt" --student carol --course-key course.key
expect_rc 1 "the keyed variant is not the self-study one" "$t" lab check isn-prediction \
    "$tmp/carol.txt" --student carol

# --- a record replays on the variant and the host it was made for, nowhere else ---------
isn="$src/tests/labs/attach_isn-prediction.py"
expect_rc 0 "alice's record" "$t" attach --lab isn-prediction --student alice --record alice.rec \
    -q -- python3 "$isn" alice-isn.txt
expect_rc 0 "alice's record on her variant" "$t" attach --lab isn-prediction --student alice \
    --replay alice.rec -q
expect_rc 1 "alice's record on bob's variant" "$t" attach --lab isn-prediction --student bob \
    --replay alice.rec -q
grep -q '^tcplab attach: alice.rec was recorded on another variant of lab isn-prediction, not student bob' \
    "$tmp/out" || no "alice's record on bob's variant: $(cat "$tmp/out")"
# idle-scan's seed is the same in every variant: the record names its variant all the same
expect_rc 1 "alice's idle scan replayed as bob's" "$t" attach --lab idle-scan --student bob \
    --replay "$tmp/idle-scan.alice.txt.rec" -q
grep -q 'was recorded on another variant of lab idle-scan, not student bob' "$tmp/out" ||
    no "alice's idle scan as bob's: $(cat "$tmp/out")"
expect_rc 0 "a record playing vax" "$t" attach --lab isn-prediction --student alice --instructor \
    --as vax --record vax.rec -q -- python3 -c 'import tcplab; tcplab.Session().wait(1)'
expect_rc 1 "a record playing vax, replayed as alice's" "$t" attach --lab isn-prediction \
    --student alice --replay vax.rec -q
grep -q '^tcplab attach: vax.rec was recorded playing 198.51.100.60/32, which does not hold attacker' \
    "$tmp/out" || no "a record of another host: $(cat "$tmp/out")"
printf 'session = vax.rec\n' > vax.txt
expect_rc 1 "a record of another host graded" "$t" lab check isn-prediction vax.txt --student alice
grep -q "FAIL  session: vax.rec: a record of another host" "$tmp/out" ||
    no "a record of another host, graded: $(grep session "$tmp/out")"

printf 'session = nothere.rec\n' > missing.txt
expect_rc 1 "a record not handed in is a wrong answer, not trouble" "$t" lab check isn-prediction \
    missing.txt --student alice
grep -q "FAIL  session: nothere.rec: no such file" "$tmp/out" || no "a missing record: $(grep session "$tmp/out")"

# --- the student's view -----------------------------------------------------------------
"$t" run --lab idle-scan --student alice --pcap view.pcap > view.txt || no "run --lab failed"
awk '$3 != "attacker"' view.txt | grep -q . && no "the student's transcript shows another host"
"$t" run --lab idle-scan --student alice --instructor > all.txt || no "run --instructor failed"
grep -q 'RECV  target\|SEND  h2' all.txt || no "the instructor's transcript lacks the others"
if command -v tcpdump > /dev/null 2>&1; then
    n=$(tcpdump -nn -r view.pcap 2>/dev/null | grep -vc '198\.51\.100\.10\.')
    [ "$n" = 0 ] || no "the student's capture has $n datagrams not to or from the student"
fi

# --- an idle scan's capture: the whole network on a plain file, the student's host in a lab -
"$t" lab show idle-scan --scenario > idle.scn || no "lab show --scenario failed"
"$t" scan --sim idle.scn --no-script -sI 198.51.100.20 -Pn -p 80,81 --capture idle.pcap target \
    > /dev/null 2>&1 || no "-sI --capture on the plain scenario failed"
"$t" scan --lab idle-scan --student alice --no-script -sI "$(awk '$1 == "zombie" { print $3 }' \
    "$tmp/idle-scan.alice.txt")" -Pn -p 80,81 --capture idle-lab.pcap target > /dev/null 2>&1 ||
    no "-sI --capture in the lab failed"
if command -v tcpdump > /dev/null 2>&1; then
    # The zombie's answers to the target (its RSTs to the forged SYN|ACKs, to the target's
    # SYN|ACKs): on the wire between those two, never at the student's host.
    zt='src host 198.51.100.20 and dst host 198.51.100.30 and tcp[tcpflags] & tcp-rst != 0'
    n=$(tcpdump -nn -r idle.pcap "$zt" 2>/dev/null | wc -l)
    [ "$n" -gt 0 ] || no "-sI --capture holds no zombie-to-target RST"
    n=$(tcpdump -nn -r idle-lab.pcap "$zt" 2>/dev/null | wc -l)
    [ "$n" = 0 ] || no "the lab's -sI capture shows $n zombie-to-target RSTs"
fi

# --- parameter errors in a scenario -----------------------------------------------------
printf 'scenario "x"\nhost a 198.51.100.1 tcp ${p:choose 1,2}\n' > bad.scn
expect_rc 1 "a bad parameter" "$t" run bad.scn
grep -q '^bad.scn:2:29: error: expected a parameter kind' "$tmp/out" || no "no FILE:LINE:COL for a bad parameter: $(cat "$tmp/out")"

[ $fail = 0 ] && echo "lab_check: the labs, their solutions and a class's commands work"
exit $fail
