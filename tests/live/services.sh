#!/bin/bash
# services.sh — real clients get the simulated services' answers through `tcplab bridge`:
# nc reads the SSH, FTP and SMTP greetings, curl the HTTP servers' responses, on the embedded
# default network (real nmap -sV against tcplab scan -sV is sv_vs_nmap.sh).
#
# Why: the services (sim/app.c) exist so that real tools see real servers; this is where a
# real TCP stack and real clients check them. The default network's 198.51.100.0/24 is
# rewritten to 198.18.100.0/24 (RFC 2544): only that range is used, inside one network
# namespace (tlV<pid>) this script creates and removes on every exit path; every command runs
# under timeout.
#
# Usage (root): [SERVICES_KEEP=DIR] tests/live/services.sh [TCPLAB]
#   exit 0 = all checks passed, 1 = a check failed, 2 = could not run.
set -u
here=$(cd "$(dirname "$0")" && pwd)
me=services nsl=V keepdir=${SERVICES_KEEP:-}
. "$here/bridge_ns.sh"

need_root
for t in nc curl nmap; do
    command -v "$t" >/dev/null 2>&1 || { echo "services: $t not installed (make deps)" >&2; exit 2; }
done
default_net
bridge_up

# expect_nc LABEL ADDR PORT WANT: the first line nc reads equals WANT (CR removed).
expect_nc() {
    got=$(inns timeout 10 nc -w 3 "$2" "$3" </dev/null 2>&1 | head -1 | tr -d '\r')
    [ "$got" = "$4" ] && ok "nc $1: $got" || bad "nc $1: got '$got', want '$4'"
}
expect_nc "ssh on web" $NET.20 22 "SSH-2.0-OpenSSH_9.2p1 Debian-2"
expect_nc "ssh on db" $NET.40 22 "SSH-2.0-OpenSSH_9.2p1 Debian-2"
expect_nc "ftp on vax" $NET.60 21 "220 vax FTP server (Version 4.162 Tue Nov 1 1988) ready."
expect_nc "smtp on vax" $NET.60 25 "220 vax.tcplab.example Sendmail 5.61/1.2 ready at Mon, 5 Jan 26 10:00:00 PST"

# expect_curl LABEL URL SERVER: a 200 with that Server header and a body of Content-Length.
expect_curl() {
    if inns timeout 10 curl -s -D "$work/h" -o "$work/b" "$2" 2>"$work/curl.err"; then
        srv=$(tr -d '\r' <"$work/h" | sed -n 's/^Server: //p')
        len=$(tr -d '\r' <"$work/h" | sed -n 's/^Content-Length: //p')
        st=$(head -1 "$work/h" | tr -d '\r')
        if [ "$st" = "HTTP/1.1 200 OK" ] && [ "$srv" = "$3" ] && [ "$len" = "$(wc -c <"$work/b")" ]; then
            ok "curl $1: $st, Server: $srv"
        else
            bad "curl $1: '$st', Server '$srv', Content-Length $len, body $(wc -c <"$work/b")"
        fi
    else
        bad "curl $1 failed: $(cat "$work/curl.err")"
    fi
}
expect_curl "web" "http://$NET.20/" "Apache/2.4.57 (Debian)"
expect_curl "db" "http://$NET.40/" "nginx/1.22.1"
expect_curl "desktop" "http://$NET.50/" "Microsoft-IIS/10.0"
code=$(inns timeout 10 curl -s -o /dev/null -w '%{http_code}' "http://$NET.20/missing")
[ "$code" = 404 ] && ok "curl web /missing: 404" || bad "curl web /missing: $code"

bridge_down_and_exit
