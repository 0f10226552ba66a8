# -sV (scanner/vscan*.c) with tcplab's built-in probes: --datadir names a directory with no
# nmap-service-probes (nor nmap-os-db), so the installed nmap never decides this transcript.
# The embedded network in every format; -A (-O -sV); --reason with the VERSION column; a
# scenario whose services nothing recognises (fingerprints, softmatch), at three intensities;
# UDP probes (the simulated UDP ports echo).
scan -sV --datadir tests/golden/data 198.51.100.0/24 -oX $OUT/sv.xml -oG $OUT/sv.gnmap
scan -A --datadir tests/golden/data -p 21-25,80,443,515,631 web printer desktop vax
scan -sV --reason --datadir tests/golden/data -p 21,23,79 vax -oJ $OUT/vax.json
scan --sim tests/golden/data/services_odd.scn -sV --datadir tests/golden/data -p 21,79,2000,2222 odd -oX $OUT/odd.xml
scan --sim tests/golden/data/services_odd.scn -sV --version-light --datadir tests/golden/data -p 21,79,2222 odd
scan --sim tests/golden/data/services_odd.scn -sV --version-all --datadir tests/golden/data -p 2222 odd
scan -sS -sU -sV --datadir tests/golden/data -p T:22,U:53,123,161,514 web db
scan -sV --version-trace --datadir tests/golden/data -p 22,79 web vax
scan -sV --version-intensity 10 web
