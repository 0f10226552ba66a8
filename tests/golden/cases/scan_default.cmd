# The main job: the embedded default network, every output format.
scan -sS --reason 198.51.100.0/24 -oN $OUT/syn.nmap -oG $OUT/syn.gnmap -oX $OUT/syn.xml -oJ $OUT/syn.json
