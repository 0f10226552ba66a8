# --seed changes what is drawn (source ports, ISNs), nothing else.
run scenarios/handshake.scn --seed 2 --until 1500ms
