run scenarios/idle-scan.scn
