# Held-out: ISN (bsd64k +64000 per connection and per 0.5 s tick, clock250k t/4us, rfc6528
# +t/64ns on one 4-tuple) and IP-ID generators (global[:STEP], global-swapped, per-dest,
# hashed[:N], zero, random), then --seed and --until variants.
run tests/golden/data/heldout_isn.scn
run tests/golden/data/heldout_ipid.scn
run tests/golden/data/heldout_ipid.scn --seed 77 --until 25ms
