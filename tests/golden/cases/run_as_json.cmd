# run --as HOST: only what HOST receives; run --json: the events as JSON lines (a file, or
# stdout instead of the text); in a lab, --as may name only the student's host.
run scenarios/handshake.scn --as client --until 1200ms
run scenarios/handshake.scn --as 198.51.100.20 --until 30ms
run scenarios/handshake.scn --until 15ms --json $OUT/hs.json
run scenarios/handshake.scn --until 2200ms --as client --json -
run scenarios/handshake.scn --as nobody
run scenarios/handshake.scn --json - --pcap -
run --lab idle-scan --student alice --as target
run --lab idle-scan --student alice --as attacker --until 2s
