# Host discovery: -sn, -Pn, single probe types, a down host, and -v (prints the seed).
scan -sn 198.51.100.0/25
scan -sn -PE 198.51.100.20-80
scan -sn -PS22 -v dark web
scan -Pn -p 22 dark
scan -sS -p 22 --packet-trace web
