# Bad input: a clear message naming file:line:col, and a non-zero exit.
run tests/golden/data/bad_keyword.scn
run tests/golden/data/bad_address.scn
run tests/golden/data/bad_port.scn
run tests/golden/data/bad_rule.scn
run tests/golden/data/missing.scn
run scenarios/handshake.scn --until
run scenarios/handshake.scn --until 5parsecs
run scenarios/handshake.scn --seed -3
run
