# A population: --open lists only the live hosts with port 80 open; -sn counts the live ones.
# -oN holds the warnings stdout shows ("giving up on port": nmap logs them LOG_PLAIN, stdout and -oN alike).
scan --sim tests/golden/data/population.scn -sS -Pn -n -p 80,22 -T5 --max-retries 0 --open 198.18.5.0/24 -oX $OUT/pop.xml -oN $OUT/pop.nmap
scan --sim tests/golden/data/population.scn -sn -T5 198.18.5.0/24
