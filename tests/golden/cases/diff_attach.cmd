# tcplab diff -- COMMAND: the same attached script against both runs (its own output on
# stderr). The blind-handshake script at the attacker tells an RFC 6528 server apart by the
# ISN it samples (1), not whether the trusted host is up (0: nothing of that reaches the
# attacker), though the runs as a whole differ (1). In a lab, the scanner as the script: a
# direct SYN scan cannot tell two values of the hidden open port apart, an idle scan
# through alice's zombie can. A command that cannot run, breaks the protocol, or none, is
# trouble (2).
diff tests/attach/mitnick.scn --set server.isn=rfc6528 --as attacker --context 0 -- python3 tests/attach/blind.py
diff tests/attach/mitnick.scn --set trusted.down=no --as attacker -- python3 tests/attach/blind.py
diff tests/attach/mitnick.scn --set trusted.down=no --context 0 -q -- python3 tests/attach/blind.py
diff --lab idle-scan --student alice --set-a open=22 --set-b open=80 --as attacker -- $bin scan --attach -sS -Pn -p 22,80 target
diff --lab idle-scan --student alice --set-a open=22 --set-b open=80 --as attacker --context 0 -q -- $bin scan --attach -sI 198.51.100.20 -Pn -p 22,80 target
diff tests/attach/mitnick.scn --set trusted.down=no -- no-such-command
diff tests/attach/mitnick.scn --set trusted.down=no --
diff tests/attach/mitnick.scn --set trusted.down=no -q -- python3 tests/attach/bad.py type
