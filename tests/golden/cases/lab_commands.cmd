# The lab commands, and the variants a derivation version gives: a later tcplab with the
# same labs must print the same keys (an instructor's regrade depends on it).
lab list
lab key idle-scan --student alice
lab key idle-scan --student bob
lab key isn-prediction --student alice
lab key challenge-ack --student alice
lab key packet-counting --student alice
run --lab isn-prediction --student alice --until 600ms
scan --lab idle-scan --student alice -sI 198.51.100.20 -Pn -p 20-25,100-140 target
lab key nosuchlab --student alice
lab key idle-scan
run --lab idle-scan
run --student alice scenarios/idle-scan.scn
scan --lab idle-scan --student alice --sim scenarios/idle-scan.scn target
lab frob
lab check idle-scan
