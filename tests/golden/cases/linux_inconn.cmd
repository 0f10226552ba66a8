# os linux inside connections: every segment by hand (tests/golden/data/linux_inconn.scn)
run tests/golden/data/linux_inconn.scn
