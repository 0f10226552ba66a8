#!/bin/sh
# pcap_check.sh BUILD/tcplab — the capture of a run opens in tcpdump and tshark, every
# checksum verifies, and it holds every datagram once, as it left its sender: as many
# packets as the transcript has SEND lines. Also: the same run twice gives the same bytes,
# and a run that fails to write leaves no file behind.
set -eu
tcplab=${1:-build/tcplab}
dir=$(mktemp -d /tmp/tcplab_pcap.XXXXXX)
trap 'rm -rf "$dir"' EXIT INT TERM
fail=0
for scn in scenarios/handshake.scn scenarios/port-states.scn scenarios/idle-scan.scn; do
    name=$(basename "$scn" .scn)
    "$tcplab" run "$scn" --pcap "$dir/$name.pcap" > "$dir/$name.txt"
    "$tcplab" run "$scn" --pcap "$dir/$name.2.pcap" > /dev/null
    cmp -s "$dir/$name.pcap" "$dir/$name.2.pcap" || { echo "FAIL: $name: two runs differ"; fail=1; }
    sends=$(grep -c ' SEND ' "$dir/$name.txt" || true)
    if command -v tcpdump >/dev/null 2>&1; then
        tcpdump -nn -vv -r "$dir/$name.pcap" > "$dir/$name.td" 2>/dev/null
        n=$(grep -c '^[0-9]' "$dir/$name.td" || true)
        [ "$n" = "$sends" ] || { echo "FAIL: $name: tcpdump sees $n packets, transcript $sends SEND lines"; fail=1; }
        if grep -qi 'incorrect\|bad cksum\|bad udp cksum' "$dir/$name.td"; then
            echo "FAIL: $name: tcpdump reports a bad checksum"; grep -i 'incorrect\|bad' "$dir/$name.td" | head -3; fail=1
        fi
    else
        echo "pcap_check: SKIP tcpdump (apt-get install tcpdump)"
    fi
    if command -v tshark >/dev/null 2>&1; then
        bad=$(tshark -r "$dir/$name.pcap" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
              -o udp.check_checksum:TRUE \
              -Y 'ip.checksum.status == 0 || tcp.checksum.status == 0 || udp.checksum.status == 0 || icmp.checksum.status == 0' \
              2>/dev/null | wc -l)
        [ "$bad" -eq 0 ] || { echo "FAIL: $name: tshark finds $bad packets with a bad checksum"; fail=1; }
        n=$(tshark -r "$dir/$name.pcap" 2>/dev/null | wc -l)
        [ "$n" = "$sends" ] || { echo "FAIL: $name: tshark sees $n packets, transcript $sends"; fail=1; }
    else
        echo "pcap_check: SKIP tshark (apt-get install tshark)"
    fi
done
# Written whole or not at all: an unwritable path fails and leaves nothing.
if "$tcplab" run scenarios/handshake.scn --pcap "$dir/no/such/dir/x.pcap" > /dev/null 2>&1; then
    echo "FAIL: a pcap into a missing directory did not fail"; fail=1
fi
[ ! -e "$dir/no" ] || { echo "FAIL: something was left behind"; fail=1; }
[ "$fail" -eq 0 ] && echo "pcap_check: ok"
exit "$fail"
