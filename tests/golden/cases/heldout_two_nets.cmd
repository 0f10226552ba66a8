# Held-out: two nets of different delays (20 ms and 500 us), loss, background traffic both
# ways, a scripted connect with data: every arrival one net delay after it left.
run tests/golden/data/heldout_two_nets.scn
