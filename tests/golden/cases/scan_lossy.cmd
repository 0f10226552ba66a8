# A SYN scan over a link losing 20% of packets each way: every open port is still found.
# -v shows nmap's send-delay boosts: once drops (replies to retransmissions) exceed 30% of
# the replies since the last boost, and once a reply answers try 4 (max_successful_tryno > 3).
scan --sim tests/golden/data/lossy.scn -sS --reason -p 1-200 target
scan --sim tests/golden/data/lossy.scn -sS --reason -v -p 1-200 target
