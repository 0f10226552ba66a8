#!/bin/sh
# outfiles_check.sh TCPLAB — output files from the command line (issue 13 item 1):
#   - every output is opened before the scan: a bad path fails at once (exit 1, no report);
#   - /dev/full is a write error (exit 2); the same file for two outputs is refused (exit 1);
#   - `run --pcap -` puts the capture alone on stdout;
#   - a symlink, a FIFO, /dev/null and an existing file's mode are treated as nmap treats
#     them (nmap -sL -n sends nothing: it is the oracle where it is installed);
#   - SIGINT/SIGTERM at any moment of a scan leave no temp file and never half a set.
set -u
bin=$1
case "$bin" in /*) ;; *) bin=$(pwd)/$bin ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d /tmp/tcplab-outfiles.XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail=0
bad() { echo "outfiles_check: $*" >&2; fail=1; }

cd "$dir" || exit 2

# 1. Opened before anything runs: no "Starting" line, exit 1, the reason.
out=$("$bin" scan -oX /nonexistent/dir/x.xml web 2>&1); rc=$?
[ "$rc" = 1 ] || bad "-oX /nonexistent/dir: exit $rc, want 1"
case "$out" in *Starting*) bad "-oX /nonexistent/dir: the scan ran first" ;; esac
case "$out" in *"/nonexistent/dir/x.xml: No such file or directory"*) ;;
    *) bad "-oX /nonexistent/dir: message '$out'" ;; esac
"$bin" run "$root/scenarios/handshake.scn" --pcap /nonexistent/dir/x.pcap >/dev/null 2>&1
rc=$?; [ "$rc" = 1 ] || bad "run --pcap /nonexistent/dir: exit $rc, want 1"

# 2. Write errors and clashes.
"$bin" scan -oN /dev/full web >/dev/null 2>&1; rc=$?
[ "$rc" = 2 ] || bad "-oN /dev/full: exit $rc, want 2"
"$bin" scan --capture /dev/full web >/dev/null 2>&1; rc=$?
[ "$rc" = 2 ] || bad "--capture /dev/full: exit $rc, want 2"
"$bin" run "$root/scenarios/handshake.scn" --pcap /dev/full >/dev/null 2>&1; rc=$?
[ "$rc" = 2 ] || bad "run --pcap /dev/full: exit $rc, want 2"
out=$("$bin" scan -oN same -oX ./same web 2>&1); rc=$?
[ "$rc" = 1 ] || bad "-oN same -oX ./same: exit $rc, want 1"
case "$out" in *"name the same file"*) ;; *) bad "-oN same -oX ./same: '$out'" ;; esac
[ -e same ] && bad "-oN same -oX ./same left a file"
out=$("$bin" scan -oN - -oG - web 2>&1); rc=$?
[ "$rc" = 1 ] || bad "-oN - -oG -: exit $rc, want 1"
"$bin" scan -oN /dev/null -oX /dev/null web >/dev/null 2>&1; rc=$?
[ "$rc" = 0 ] || bad "-oN /dev/null -oX /dev/null: exit $rc, want 0"

# 3. run --pcap -: the capture alone on stdout (pcap nanosecond magic, little-endian).
magic=$("$bin" run "$root/scenarios/handshake.scn" --pcap - | od -An -N4 -tx1 | tr -d ' ')
[ "$magic" = 4d3cb2a1 ] || bad "run --pcap -: stdout starts with '$magic', not a pcap"
n1=$("$bin" run "$root/scenarios/handshake.scn" --pcap - | wc -c)
"$bin" run "$root/scenarios/handshake.scn" --pcap file.pcap >/dev/null
n2=$(wc -c < file.pcap)
[ "$n1" = "$n2" ] || bad "run --pcap -: $n1 bytes on stdout, the file has $n2"

# 4. What the path names, with tcplab and (where installed) nmap.
# check TOOL: writes through a symlink, a FIFO, /dev/null and a 0640 file.
check() {
    tool=$1
    rm -rf "w_$tool"; mkdir "w_$tool"
    (
        cd "w_$tool" || exit 1
        run() {
            if [ "$tool" = nmap ]; then nmap -sL -n 192.0.2.1 -oN "$1" >/dev/null 2>&1
            else "$bin" scan -oN "$1" web >/dev/null 2>&1; fi
        }
        echo old > real; ln -s real link
        run link || echo "$tool: -oN link failed"
        [ -L link ] || echo "$tool: the symlink was replaced"
        grep -q "Nmap done" real || echo "$tool: the link's target was not written"
        mkfifo fifo
        cat fifo > got & pid=$!
        run fifo || echo "$tool: -oN fifo failed"
        wait $pid
        [ -p fifo ] || echo "$tool: the FIFO was replaced"
        grep -q "Nmap done" got || echo "$tool: the FIFO's reader got no report"
        echo old > kept; chmod 640 kept
        run kept || echo "$tool: -oN kept failed"
        [ "$(stat -c %a kept)" = 640 ] || echo "$tool: mode $(stat -c %a kept), was 640"
        if [ "$(id -u)" = 0 ]; then
            chown 12345:23456 kept
            run kept
            [ "$(stat -c %u:%g kept)" = 12345:23456 ] ||
                echo "$tool: owner $(stat -c %u:%g kept), was 12345:23456"
            run /dev/null || echo "$tool: -oN /dev/null failed"
            [ -c /dev/null ] || echo "$tool: /dev/null is no longer a device"
        fi
        ls -a | grep -q '\.tmp' && echo "$tool: a temp file was left"
    ) > "result_$tool" 2>&1
}
check tcplab
[ -s result_tcplab ] && bad "$(cat result_tcplab)"
if command -v nmap >/dev/null 2>&1; then
    check nmap
    [ -s result_nmap ] && bad "nmap itself: $(cat result_nmap) (the oracle disagrees)"
else
    echo "outfiles_check: nmap not installed, compared with the expectations alone"
fi

# 5. Signals at any moment: a scan of a /20 x 10 ports (about 0.2 s) writing five outputs,
# killed after 0, 10, 20, ... ms. Each time: no temp, and all five or none.
i=0
while [ "$i" -le 24 ]; do
    rm -rf sig; mkdir sig
    (cd sig && exec "$bin" scan --sim "$root/tests/bench/net16.scn" -Pn -p 1-10 -T5 \
        198.18.0.0/20 -oA r -oJ r.json --capture r.pcap >/dev/null 2>&1) & pid=$!
    sleep "$(awk -v i="$i" 'BEGIN { printf "%.3f", i * 0.01 }')"
    case $((i % 2)) in 0) kill -INT "$pid" 2>/dev/null ;; *) kill -TERM "$pid" 2>/dev/null ;; esac
    wait "$pid" 2>/dev/null
    n=$(ls -A sig | wc -l)
    ls -A sig | grep -q tmp && bad "signal after $((i * 10)) ms: a temp file was left"
    [ "$n" = 0 ] || [ "$n" = 5 ] || bad "signal after $((i * 10)) ms: $n of 5 outputs"
    i=$((i + 1))
done

[ "$fail" = 0 ] && echo "outfiles_check: ok"
exit "$fail"
