# -O (scanner/osscan*.c) against tcplab's own preset database: --datadir names a directory
# with no nmap-os-db, so nmap's data never decides this transcript. The embedded network,
# then one host of every preset; XML and grepable output too.
scan -O --datadir tests/golden/data -p 1-1024 198.51.100.20,30,50,60 -oX $OUT/os.xml -oG $OUT/os.gnmap
scan --sim scenarios/os-detection.scn -O --datadir tests/golden/data -F --osscan-guess 198.51.100.21-26
scan -O --datadir tests/golden/data -p 22 -v web
scan -O --osscan-limit --datadir tests/golden/data -p 22,80 -v db
