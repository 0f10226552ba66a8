# Held-out: odd probes to an os linux host; transcript and capture (hash) twice must agree.
run tests/golden/data/heldout_linux_odd.scn --pcap $OUT/odd.pcap
