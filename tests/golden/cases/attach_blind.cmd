# tcplab attach: a Python script (tests/attach/blind.py) samples a 4.3BSD host's ISN with a
# SYN of its own (it sees the SYN-ACK), then completes a handshake blind in the name of a
# host that is down: the SEND lines of its datagrams say attacker*inj, the server reaches
# ESTABLISHED. Then the same run replayed from its record, and the JSON lines.
attach tests/attach/mitnick.scn -- python3 tests/attach/blind.py
attach tests/attach/mitnick.scn -q --record blind.rec --json $OUT/blind.json -- python3 tests/attach/blind.py
attach tests/attach/mitnick.scn --replay blind.rec --until 50ms
attach tests/attach/mitnick.scn -- sh -c 'exit 3'
attach tests/attach/mitnick.scn
attach tests/attach/mitnick.scn --as nosuch -- true
attach tests/attach/mitnick.scn --as 198.51.100.0/24 -- true
attach tests/attach/mitnick.scn --replay tests/attach/mitnick.scn
attach tests/attach/mitnick.scn -q -- python3 tests/attach/bad.py error
attach tests/attach/mitnick.scn -q -- python3 tests/attach/bad.py type
attach tests/attach/mitnick.scn -q -- python3 tests/attach/bad.py dgram
attach tests/attach/mitnick.scn --as 198.51.100.128/25 --until 50ms -- python3 tests/attach/prefix.py
