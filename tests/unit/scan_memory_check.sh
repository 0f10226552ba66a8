#!/bin/sh
# scan_memory_check.sh TCPLAB — a scan's memory is bounded by its host group, not by its
# number of targets (issue 13 item 2: each target's results were kept until the end, about
# 240 bytes an address, 4.5 GB for a simulated /8). A simulated /12 (1,048,576 addresses, a
# population 0.05% alive) scanned -sS -Pn -n -p80 -T5 --max-retries 0 --open must run in
# 96 MB of address space (its whole report kept: about 250 MB), and list exactly the live
# hosts the same scan of a /16 slice finds in that slice (the streamed report is complete).
# A sanitizer build cannot run under ulimit -v (terabytes of shadow): then only the counts.
set -u
bin=$1
dir=$(mktemp -d /tmp/tcplab-scanmem.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/net.scn" <<'SCN'
net 10.0.0.0/8 delay 500us
host scanner 10.0.0.1 role scanner os linux
hosts 10.0.0.0/8 alive 0.05% os linux tcp 80
SCN
lim=98304
if ! (ulimit -v "$lim"; "$bin" version) >/dev/null 2>&1; then
    echo "scan_memory_check: $bin cannot run under ulimit -v (a sanitizer build?): limit skipped"
    lim=unlimited
fi
scan="scan --sim $dir/net.scn -sS -Pn -n -p80 -T5 --max-retries 0 --open"
if ! (ulimit -v "$lim"; $bin $scan 10.0.0.0/12 > "$dir/all.txt" 2>"$dir/err"); then
    echo "scan_memory_check: a /12 scan did not run within $lim KB: $(head -c 200 "$dir/err")" >&2
    exit 1
fi
n=$(grep -c '^Nmap scan report' "$dir/all.txt")
grep -q '^Nmap done: 1048576 IP addresses (1048576 hosts up)' "$dir/all.txt" || {
    echo "scan_memory_check: the /12 report has no (or a wrong) summary" >&2; exit 1; }
$bin $scan 10.3.0.0/16 > "$dir/slice.txt" 2>&1
want=$(grep '^Nmap scan report for 10\.3\.' "$dir/slice.txt")
got=$(grep '^Nmap scan report for 10\.3\.' "$dir/all.txt")
if [ "$n" -lt 300 ] || [ "$want" != "$got" ]; then
    echo "scan_memory_check: $n hosts listed, or the 10.3.0.0/16 slice differs" >&2
    exit 1
fi
echo "scan_memory_check: a /12 ($n live hosts listed) within $lim KB of address space"
