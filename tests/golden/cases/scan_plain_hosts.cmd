# A host with `ipid global` and no `os` is an idle-scan zombie (its SYN-ACKs and RSTs number
# from the global counter); `ipid random` is Randomized; with `os linux` the key replaces
# the hashed generator but Linux's IP-ID 0 on SYN-ACKs and RSTs stays ("All zeros").
scan --sim tests/golden/data/plain_hosts.scn -sI zombie -Pn -p 20-25,80 target
scan --sim tests/golden/data/plain_hosts.scn --seq -Pn -p 80 zombie rnd lin
scan --sim tests/golden/data/plain_hosts.scn -sI lin -Pn -p 80 target
