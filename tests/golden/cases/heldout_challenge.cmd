# Held-out: RFC 5961 challenge ACKs: on, off, 3/s with a 1-byte payload (no per-socket limit).
run tests/golden/data/heldout_challenge.scn --until 5s
