# A whole connection, the RST rules, ICMP echo and a closed UDP port; the capture's bytes.
run scenarios/handshake.scn --pcap $OUT/handshake.pcap
