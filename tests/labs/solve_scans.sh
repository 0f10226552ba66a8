#!/bin/sh
# solve_scans.sh TCPLAB OUT LAB-OPTIONS... — the scans lab solved as the worksheet has a
# student do it: a ping sweep of the /24, a horizontal SYN scan of ports 22 and 80 across
# it, and a vertical scan of ports 1-1024 of the lowest web server; every answer read from
# the scans' reports.
. "$(dirname "$0")/solver.sh"
net=203.0.113.0/24
"$tcplab" scan --lab scans "$@" -sn "$net" > "$tmp/sweep"
"$tcplab" scan --lab scans "$@" -sS -p 22,80 "$net" > "$tmp/horiz"
# "Nmap scan report for NAME (ADDR)" or "... for ADDR": the address, one a line.
addr_of() { awk '/^Nmap scan report for / { a = $NF; gsub(/[()]/, "", a); print a }'; }
up=$(addr_of < "$tmp/sweep" | paste -sd, -)
count=$(sed -n 's/^Nmap done: .*(\([0-9]*\) hosts\{0,1\} up).*/\1/p' "$tmp/sweep")
# Per host of the horizontal scan: its address, then whether 22 and 80 are open.
awk '/^Nmap scan report for / { a = $NF; gsub(/[()]/, "", a) }
     $1 == "22/tcp" { s[a] = $2 } $1 == "80/tcp" { w[a] = $2 }
     END { for (a in w) print a, w[a], (a in s) ? s[a] : "-" }' "$tmp/horiz" | sort -t. -k4,4n > "$tmp/ports"
web=$(awk '$2 == "open" { print $1 }' "$tmp/ports" | paste -sd, -)
nossh=$(awk '$2 == "open" && $3 != "open" { print $1 }' "$tmp/ports" | paste -sd, -)
low=$(awk '$2 == "open" { print $1; exit }' "$tmp/ports")
"$tcplab" scan --lab scans "$@" -sS -p 1-1024 "$low" > "$tmp/vert"
vertical=$(awk -F/ '/^[0-9]+\/tcp +open /{ printf "%s%s", sep, $1; sep = "," }' "$tmp/vert")
{
    answers_head scans
    echo "up_count = $count"
    echo "up = $up"
    echo "web = $web"
    echo "web_nossh = $nossh"
    echo "vertical = $vertical"
} > "$out"
