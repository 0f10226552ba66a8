# Held-out: rst-rate 2/s and icmp-rate 3/s in aligned 1 s slots; a backlog of 3 drops SYNs.
run tests/golden/data/heldout_budgets.scn --until 2s
