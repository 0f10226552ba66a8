run scenarios/packet-counting.scn
