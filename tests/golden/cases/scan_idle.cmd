# Idle scan (-sI) through the embedded network's printer, whose IP-ID is one global counter.
# Open = the target's open ports that answer the zombie: web has 22,80,443; db's filter
# accepts tcp from anyone on 22,80 only (25 is reset, 3306/5432/8080 rejected or dropped).
scan -sI printer -Pn -p 1-100,443 --reason web
scan -sI printer -p 20-30,80 db
# A Linux zombie is refused: its RSTs carry IP-ID 0 ("All zeros"), not an incremental class.
scan -sI web -Pn -p 80 db
# The idle-scan lab's scenario at its defaults: the zombie is h20, the target answers only it.
scan --sim scenarios/idle-scan.scn -sI h20 -Pn -p 20-30,80 target
scan --sim scenarios/idle-scan.scn --no-script -sS -Pn -p 20-30,80 target
# The XML has no <scaninfo> for an idle scan (nmap's DTD has no idle type).
scan -sI printer:80 -Pn -p 22,25,80 -oX $OUT/idle.xml db
scan -sI printer:0 db
scan -sI nosuchzombie db
