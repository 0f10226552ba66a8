# Held-out: every filter action and match form; the transcript names each rule and line.
run tests/golden/data/heldout_filter_actions.scn --until 1s --pcap $OUT/filter.pcap
scan --sim tests/golden/data/heldout_filter_actions.scn -Pn -sS --reason -p 22,80,443,1000-1010 web
scan --sim tests/golden/data/heldout_filter_actions.scn -Pn -sA --reason -p 22,1000-1007 web
