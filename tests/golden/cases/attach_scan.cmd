# The real scanner as the attached script, over the C client (pktio/pktio_attach.c): it
# sends from the attaching host and sees only what reaches it; its host's stack leaves the
# SYN-ACKs alone (no RST), as under scapy. -sT goes through that host's own TCP.
attach tests/attach/mitnick.scn --until 1s -- $bin scan --attach -sS --reason -p 79-81,513 server
attach tests/attach/mitnick.scn -q -- $bin scan --attach -sT -p 79-81,513 server
attach tests/attach/mitnick.scn -q -- $bin scan --attach --sim tests/attach/mitnick.scn server
scan --attach -sS server
