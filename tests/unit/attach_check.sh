#!/bin/sh
# attach_check.sh — `tcplab attach` is deterministic and its record replays: the same
# script twice gives the same bytes (transcript, pcapng, JSON), a replay of its record gives
# the run's transcript and capture byte for byte without running it, a replay refuses a
# record that does not fit the scenario, a batch of probes is answered in full, and a
# connection the script opens through its host's stack carries the bytes it writes (Python
# and C clients).
# Usage: tests/unit/attach_check.sh BUILD/tcplab
set -u
tcplab=${1:-build/tcplab}
command -v python3 >/dev/null 2>&1 || { echo "attach_check: no python3: skipped"; exit 0; }
d=$(mktemp -d /tmp/tcplab_attach.XXXXXX)
trap 'rm -rf "$d"' EXIT INT TERM
fail=0
say() { echo "attach_check: FAIL: $*"; fail=1; }
scn=tests/attach/mitnick.scn
run() { # NAME: one run of blind.py with every output
    "$tcplab" attach $scn --record "$d/$1.rec" --pcap "$d/$1.pcapng" --json "$d/$1.json" \
        -- python3 tests/attach/blind.py > "$d/$1.out" 2> "$d/$1.err" || say "run $1 exited $?"
}
run a
run b
for f in out err pcapng json rec; do
    cmp -s "$d/a.$f" "$d/b.$f" || say "two runs of the same script differ in their .$f"
done
grep -q 'SYN-RECEIVED -> ESTABLISHED' "$d/a.out" || say "the blind handshake did not complete"
grep -q 'SEND  attacker\*inj 198.51.100.20:1023' "$d/a.out" || say "the spoofed SYN is not marked injected"
grep -a -q 'injected by attacker' "$d/a.pcapng" || say "the pcapng has no injected comment"
"$tcplab" attach $scn --replay "$d/a.rec" --pcap "$d/r.pcapng" > "$d/r.out" 2> "$d/r.err" ||
    say "the replay exited $?"
cmp -s "$d/a.out" "$d/r.out" || say "the replay's transcript differs from the run's"
cmp -s "$d/a.pcapng" "$d/r.pcapng" || say "the replay's capture differs from the run's"
[ -s "$d/r.err" ] && say "the replay wrote to stderr: $(cat "$d/r.err")"
# another seed: the clock or the answers diverge, and the replay says so
"$tcplab" attach $scn --seed 8 --replay "$d/a.rec" > /dev/null 2> "$d/s.err"
[ $? -eq 1 ] && grep -q 'recorded with --seed 7' "$d/s.err" || say "a replay under another seed was not refused"
# a cut record is refused with its offset
head -c 100 "$d/a.rec" > "$d/cut.rec"
"$tcplab" attach $scn --replay "$d/cut.rec" > /dev/null 2> "$d/c.err"
[ $? -eq 1 ] && grep -q 'cut short' "$d/c.err" || say "a cut record was not refused: $(cat "$d/c.err")"
# a batch: 3000 probes in batches of 500, every one answered, the same count twice
for k in 1 2; do
    "$tcplab" attach $scn -q -- python3 tests/attach/probes.py 3000 500 > "$d/p$k.out" ||
        say "probes.py exited $?"
done
grep -q '^probes 3000 answers 3000$' "$d/p1.out" || say "probes: $(cat "$d/p1.out")"
cmp -s "$d/p1.out" "$d/p2.out" || say "two probe runs differ"
# the real scanner over the C client: its run and its replay, byte for byte
"$tcplab" attach $scn --record "$d/scan.rec" -- "$tcplab" scan --attach -sS -p 1-2000 server \
    > "$d/scan.out" 2>&1 || say "scan --attach exited $?"
grep -q '^513/tcp open' "$d/scan.out" || say "scan --attach did not find 513 open"
"$tcplab" attach $scn --replay "$d/scan.rec" > "$d/scanr.out" 2>&1 || say "the scan's replay exited $?"
sed -n '/^0\./,$p' "$d/scan.out" | cmp -s - "$d/scanr.out" || say "the scan's replay differs from its run"
# a connection through the attached host's own stack carries the script's real bytes,
# both ways (echo and HTTP services), and its record replays them
st=tests/attach/stream.scn
"$tcplab" attach $st --record "$d/st.rec" -- python3 tests/attach/stream.py > "$d/st.out" 2>&1 ||
    say "stream.py exited $?: $(grep -v '^[0-9]' "$d/st.out")"
grep -q '^echo wrote 273 took 273 read 273 same True on-the-wire True$' "$d/st.out" ||
    say "echo: $(grep '^echo' "$d/st.out")"
grep -q '^echo8000 wrote 8000 took 8000 read 8000 same True first read 4096$' "$d/st.out" ||
    say "8000 bytes through a 4096-byte receive buffer: $(grep '^echo8000' "$d/st.out")"
grep -q 'SEND  attacker   198.51.100.10:40017 > 198.51.100.40:7 TCP \[A\] .*win=0' "$d/st.out" ||
    say "the full receive buffer offered no zero window"
grep -q '^http HTTP/1.0 200 OK | Server: Apache/2.4.57 (Debian) | eof True$' "$d/st.out" ||
    say "http: $(grep '^http' "$d/st.out")"
grep -q 'SEND  attacker   198.51.100.10:40080 > 198.51.100.40:80 TCP \[PA\] .* len=29 data="GET / HTTP/1.0\\r\\nHost: web' \
    "$d/st.out" || say "the request's segment does not carry the request's bytes"
"$tcplab" attach $st --replay "$d/st.rec" > "$d/str.out" 2>&1 || say "the stream replay exited $?"
sed -n '/^0\./,$p' "$d/st.out" | cmp -s - "$d/str.out" || say "the stream's replay differs from its run"
# a record of the first attach protocol (WRITE without bytes) is refused, not misread
{ printf 'TLABREC1'; tail -c +9 "$d/st.rec"; } > "$d/v1.rec"
"$tcplab" attach $st --replay "$d/v1.rec" > /dev/null 2> "$d/v1.err"
[ $? -eq 1 ] && grep -q 'a record of an older tcplab' "$d/v1.err" || say "a version-1 record: $(cat "$d/v1.err")"
# nor one of TLABREC2, which did not record READ (a read opens the receive window)
{ printf 'TLABREC2'; tail -c +9 "$d/st.rec"; } > "$d/v2.rec"
"$tcplab" attach $st --replay "$d/v2.rec" > /dev/null 2> "$d/v2.err"
[ $? -eq 1 ] && grep -q 'TLABREC2, which did not record READ' "$d/v2.err" || say "a TLABREC2 record: $(cat "$d/v2.err")"
# the C client's worked example (docs/attach.md) and its byte stream, built against this
# build's library
lib=$(dirname "$tcplab")/libtcplab.a
cbuild() { # NAME
    ${CC:-cc} -std=c11 -D_DEFAULT_SOURCE -I. -o "$d/$1" "tests/attach/$1.c" "$lib" 2>/dev/null ||
        ${CC:-cc} -std=c11 -D_DEFAULT_SOURCE -I. -fsanitize=address,undefined -o "$d/$1" \
            "tests/attach/$1.c" "$lib" 2> "$d/cc.err"
}
if cbuild cprobe && cbuild cecho; then
    "$tcplab" attach $scn -q -- "$d/cprobe" 22 80 513 > "$d/cprobe.out" || say "cprobe exited $?"
    printf '0.002000 port 22: RST (closed)\n0.002000 port 80: SYN-ACK (open)\n0.002000 port 513: SYN-ACK (open)\n' |
        cmp -s - "$d/cprobe.out" || say "cprobe: $(cat "$d/cprobe.out")"
    "$tcplab" attach $st -q -- "$d/cecho" > "$d/cecho.out" || say "cecho exited $?"
    grep -q '^ESTABLISHED wrote 17 took 17 read 17 same yes$' "$d/cecho.out" ||
        say "cecho: $(cat "$d/cecho.out")"
else
    say "the C examples do not build: $(head -3 "$d/cc.err")"
fi
[ $fail -eq 0 ] && echo "attach_check: deterministic, replayable, batches answered"
exit $fail
