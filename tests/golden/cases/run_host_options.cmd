# The host key `options LIST`: SYN-ACKs keep the listed options the SYN offered (and the NOPs
# that pad them); connect and traffic SYNs carry the whole list; `os linux options mss` answers MSS only.
run tests/golden/data/host_options.scn --pcap $OUT/host_options.pcap
