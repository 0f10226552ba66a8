#!/bin/sh
# exit_check.sh TCPLAB — one meaning per exit status, for every subcommand (issue 13 item 4):
# 0 success; 1 a usage or input error (a bad option, a file named on the command line that
# cannot be read, a malformed scenario, an idle-scan zombie that cannot be used); 2 a runtime
# failure (a write that fails). Commands whose answer is their status (diff, lab check) use
# 0/1/2 as diff(1). Every command `tcplab help` lists is checked for the usage error; the
# ones below for the rest. docs/tcplab.1 EXIT STATUS says the same.
set -u
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d /tmp/tcplab-exit.XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail=0
want() { # STATUS WHAT CMD... : CMD must exit STATUS
    w=$1; what=$2; shift 2
    "$@" >/dev/null 2>"$dir/err" </dev/null; rc=$?
    [ "$rc" = "$w" ] || { echo "exit_check: $what: exit $rc, want $w ($(head -c 200 "$dir/err"))" >&2; fail=1; }
}
printf 'host x\n' > "$dir/bad.scn"
mkdir "$dir/adir"

# Every listed subcommand: an unknown option is a usage error; --help succeeds.
cmds=$("$bin" help | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' | sort -u)
[ -n "$cmds" ] || { echo "exit_check: tcplab help lists no commands" >&2; exit 1; }
for c in $cmds; do
    case "$c" in version) want 0 "$c" "$bin" "$c"; continue ;; esac
    case "$c" in diff) usage=2 ;; *) usage=1 ;; esac   # diff(1)'s: trouble is 2
    want $usage "$c --no-such-option" "$bin" "$c" --no-such-option
    want 0 "$c --help" "$bin" "$c" --help
done
want 1 "no command" "$bin"

# Lab options without --lab beside a scenario file are refused, not ignored (tui opened the
# whole scenario; run, scan, attach, diff and bridge say so): the message, since tui without
# a terminal exits 1 anyway.
want 1 "tui SCENARIO --student without --lab" "$bin" tui "$root/scenarios/handshake.scn" --student alice
grep -q 'need --lab NAME' "$dir/err" ||
    { echo "exit_check: tui SCENARIO --student ID: $(head -c 200 "$dir/err")" >&2; fail=1; }
want 1 "unknown command" "$bin" no-such-command

# scan
want 0 "scan web" "$bin" scan web
want 1 "scan --sim missing file" "$bin" scan --sim "$dir/missing.scn" web
want 1 "scan --sim malformed file" "$bin" scan --sim "$dir/bad.scn" web
want 1 "scan --sim a directory" "$bin" scan --sim "$dir/adir" web
want 1 "scan -iL a directory" "$bin" scan -iL "$dir/adir"
want 1 "scan -iL missing" "$bin" scan -iL "$dir/missing"
want 1 "scan unknown host" "$bin" scan no-such-host
want 1 "scan -oX into a missing directory" "$bin" scan -oX "$dir/no/x.xml" web
want 1 "scan -sI unusable zombie" "$bin" scan -sI 198.51.100.99 -Pn -p 80 web
want 2 "scan -oN /dev/full" "$bin" scan -oN /dev/full web
want 1 "scan --seed -1" "$bin" scan --seed -1 web
want 0 "scan --seed 0x10" "$bin" scan --seed 0x10 web

# run
want 0 "run handshake" "$bin" run "$root/scenarios/handshake.scn"
want 0 "run --until 5 (bare seconds, as scan takes them)" "$bin" run "$root/scenarios/handshake.scn" --until 5
want 1 "run missing file" "$bin" run "$dir/missing.scn"
want 1 "run malformed file" "$bin" run "$dir/bad.scn"
want 1 "run a directory" "$bin" run "$dir/adir"
want 1 "run --seed x" "$bin" run "$root/scenarios/handshake.scn" --seed x
want 1 "run --pcap into a missing directory" "$bin" run "$root/scenarios/handshake.scn" --pcap "$dir/no/x.pcap"
want 2 "run --pcap /dev/full" "$bin" run "$root/scenarios/handshake.scn" --pcap /dev/full

# run --as / --json
want 0 "run --as client" "$bin" run "$root/scenarios/handshake.scn" --as client
want 1 "run --as no host" "$bin" run "$root/scenarios/handshake.scn" --as nobody
want 1 "run --json into a missing directory" "$bin" run "$root/scenarios/handshake.scn" --json "$dir/no/x.json"
want 2 "run --json /dev/full" "$bin" run "$root/scenarios/handshake.scn" --json /dev/full

# diff: 0 the same, 1 different, 2 trouble (bad usage and bad input included)
hs="$root/scenarios/handshake.scn"
want 0 "diff same" "$bin" diff "$hs" "$hs"
want 1 "diff different" "$bin" diff "$hs" --set server.isn=constant:5
want 1 "diff --as different" "$bin" diff "$hs" --set server.isn=constant:5 --as client
want 0 "diff --as not seen" "$bin" diff "$hs" --set server.ttl=32 --as server
want 2 "diff missing file" "$bin" diff "$hs" "$dir/missing.scn"
want 2 "diff malformed file" "$bin" diff "$dir/bad.scn" "$hs"
want 2 "diff a directory" "$bin" diff "$dir/adir" "$hs"
want 2 "diff nothing changed" "$bin" diff "$hs"
want 2 "diff bad change" "$bin" diff "$hs" --set server.isn=nonsense
want 2 "diff --seed x" "$bin" diff "$hs" "$hs" --seed x
want 2 "diff > /dev/full" sh -c '"$1" diff "$2" --set server.isn=constant:5 > /dev/full' x "$bin" "$hs"

# One number parser: --seed 010 is ten in run and scan alike, 0x10 sixteen.
a=$("$bin" run "$root/scenarios/handshake.scn" --seed 010 | cksum)
b=$("$bin" run "$root/scenarios/handshake.scn" --seed 10 | cksum)
c=$("$bin" run "$root/scenarios/handshake.scn" --seed 0x10 | cksum)
d=$("$bin" run "$root/scenarios/handshake.scn" --seed 16 | cksum)
[ "$a" = "$b" ] || { echo "exit_check: run --seed 010 is not ten" >&2; fail=1; }
[ "$c" = "$d" ] || { echo "exit_check: run --seed 0x10 is not sixteen" >&2; fail=1; }

# run - reads the scenario from stdin.
"$bin" run - < "$root/scenarios/handshake.scn" > "$dir/stdin.out" 2>&1
"$bin" run "$root/scenarios/handshake.scn" > "$dir/file.out" 2>&1
cmp -s "$dir/stdin.out" "$dir/file.out" || { echo "exit_check: run - differs from run FILE" >&2; fail=1; }

# -p T:1-2,U: warns as nmap does (the U: prefix without -sU), and with -sU skips UDP.
"$bin" scan -p T:1-2,U: web 2>&1 >/dev/null | grep -q 'Your ports include "U:"' ||
    { echo "exit_check: -p T:1-2,U: gives no warning" >&2; fail=1; }
"$bin" scan -sS -sU -p T:1-2,U: web 2>&1 >/dev/null | grep -q 'no udp ports were specified' ||
    { echo "exit_check: -sS -sU -p T:1-2,U: gives no warning" >&2; fail=1; }

[ "$fail" = 0 ] && echo "exit_check: ok ($(echo $cmds | wc -w) commands)"
exit "$fail"
