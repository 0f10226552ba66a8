# tcplab diff: the same run twice, a changed host key (every event, then what the client
# receives), a lab's hidden fact set to two values, and the usage errors (exit 2).
diff scenarios/handshake.scn scenarios/handshake.scn
diff scenarios/handshake.scn --set server.isn=constant:1000 --context 2
diff scenarios/handshake.scn --set server.isn=constant:1000 --as client --context 1
diff scenarios/handshake.scn --set server.ipid=per-dest --as client -q
diff scenarios/handshake.scn --set server.ttl=64
diff scenarios/handshake.scn --set seed=8 --as server --context 0
diff scenarios/handshake.scn scenarios/port-states.scn --until 20ms --context 1
diff --lab idle-scan --student alice --set-a open=22 --set-b open=80 --as attacker
diff --lab idle-scan --student alice --set-b open=80
diff scenarios/handshake.scn --set server.bogus=1
diff scenarios/handshake.scn --set nohost.isn=random
diff scenarios/handshake.scn --set port=1
diff scenarios/handshake.scn --set len=1000 --as server --context 1
diff scenarios/handshake.scn --set noequals
diff scenarios/handshake.scn
diff scenarios/handshake.scn --as nobody --set seed=2
diff
# Non-interference: another pair on the same lossy net changes nothing a or b receives,
# though the runs as a whole differ.
diff tests/golden/data/flow_quiet.scn tests/golden/data/flow_busy.scn --as a
diff tests/golden/data/flow_quiet.scn tests/golden/data/flow_busy.scn --as b
diff tests/golden/data/flow_quiet.scn tests/golden/data/flow_busy.scn -q
diff tests/golden/data/flow_quiet.scn tests/golden/data/flow_busy.scn --as c --context 0
