# A scenario file as the network: the port-states lab.
scan --sim scenarios/port-states.scn -sS --reason -p 20-30,80,443,3306,8080 target
scan --sim scenarios/port-states.scn -sA --reason -p 20-30,80,443,3306,8080 target
scan --sim scenarios/port-states.scn -sU --reason -p 53,123,161,514 target
