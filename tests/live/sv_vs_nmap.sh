#!/bin/bash
# sv_vs_nmap.sh — version detection against real nmap: `nmap -sV` through `tcplab bridge`
# against `tcplab scan -sV` of the same scenario (the embedded default network), port for
# port: service name, product, version, extrainfo, ostype, devicetype (svxml.py); and
# `tcplab scan --live -sV` through the same bridge (kernel connect() sockets, real time)
# against the same nmap. Issue 14's check that real nmap agrees host for host.
#
# TCP and UDP (the UDP probes: DNS version.bind, SNMP, NTP, ... as nmap's file orders them).
# Why: nmap's service_scan is the reference for -sV (scanner/vscan*.c); the simulated
# services (sim/app.c) are what both tools probe. Both read the installed
# nmap-service-probes. The default network's 198.51.100.0/24 is rewritten to 198.18.100.0/24
# (RFC 2544) inside one network namespace (tlS<pid>) made here and removed on every exit
# path; each command runs under timeout. nmap and tcplab --live run at the same time (each
# takes about 160 s of real time: silent ports wait out every probe), the simulated scan in
# virtual time.
#
# Usage (root): [SV_KEEP=DIR] tests/live/sv_vs_nmap.sh [TCPLAB]
#   exit 0 = agree, 1 = a difference, 2 = could not run.
set -u
here=$(cd "$(dirname "$0")" && pwd)
me=sv_vs_nmap nsl=S keepdir=${SV_KEEP:-}
. "$here/bridge_ns.sh"
HOSTS="$NET.20,30,40,50,60"
# every open TCP port of the default network, one closed (25 on web) and one filtered (5432 on
# db); UDP: web's 53 and 123 (they echo), db's 161 (open, echoes) and 514 (closed), 53
# (open|filtered there)
PORTS=T:21,22,23,25,79,80,135,139,443,445,513,514,515,631,3389,5432,9100,U:53,123,161,514

need_root
command -v nmap >/dev/null 2>&1 || { echo "sv_vs_nmap: nmap not installed (make deps)" >&2; exit 2; }
[ -r /usr/share/nmap/nmap-service-probes ] || { echo "sv_vs_nmap: no nmap-service-probes" >&2; exit 2; }
default_net

# The simulated scan first: virtual time, no namespace needed.
timeout 120 "$tcplab" scan --sim "$work/net.scn" -n -Pn -sS -sU -sV -p "$PORTS" -oX "$work/sim.xml" \
    "$HOSTS" >"$work/sim.out" 2>&1 || { echo "sv_vs_nmap: tcplab --sim failed" >&2; cat "$work/sim.out" >&2; exit 1; }

bridge_up

inns timeout 300 "$tcplab" scan --live -e "$dev" -S "$NET.10" -n -Pn -sS -sU -sV -p "$PORTS" \
    -oX "$work/live.xml" "$HOSTS" >"$work/live.out" 2>&1 &
lpid=$!
inns timeout 300 nmap -n -Pn -sS -sU -sV -p "$PORTS" -oX "$work/nmap.xml" "$HOSTS" >"$work/nmap.out" 2>&1 ||
    { echo "sv_vs_nmap: nmap failed" >&2; cat "$work/nmap.out" >&2; exit 2; }
wait "$lpid"; lrc=$?; lpid=""
[ "$lrc" -eq 0 ] || { bad "tcplab scan --live -sV exited $lrc"; tail -20 "$work/live.out" >&2; }

if /usr/bin/python3 "$here/svxml.py" "$work/nmap.xml" "$work/sim.xml" >"$work/sim.cmp"; then
    ok "nmap -sV through the bridge agrees with tcplab scan --sim -sV, port for port ($(grep -c '^same' "$work/sim.cmp") open ports, $(grep '^same' "$work/sim.cmp" | grep -vc 'neither recognised') of them recognised)"
else
    bad "nmap -sV and tcplab scan --sim -sV disagree:"; grep -v '^same' "$work/sim.cmp" >&2
fi
if [ "$lrc" -eq 0 ]; then
    if /usr/bin/python3 "$here/svxml.py" "$work/nmap.xml" "$work/live.xml" >"$work/live.cmp"; then
        ok "nmap -sV and tcplab scan --live -sV through the same bridge agree, port for port"
    else
        bad "nmap -sV and tcplab scan --live -sV disagree:"; grep -v '^same' "$work/live.cmp" >&2
    fi
fi
# Service Info lines, host for host, as printed. nmap -n knows no name for vax, so it lists
# the name the ftpd greeting gives ("vax") as well; tcplab's report names the host vax (the
# scenario's name, as a PTR name would), and nmap's rule leaves a service's hostname out
# when it is the host's own: that one difference is expected and folded.
grep '^Service Info:' "$work/nmap.out" | sed 's/Hosts: vax, vax.tcplab.example/Host: vax.tcplab.example/' >"$work/nmap.info"
grep '^Service Info:' "$work/sim.out" >"$work/sim.info"
if diff "$work/nmap.info" "$work/sim.info" >"$work/info.diff"; then
    ok "Service Info lines agree ($(wc -l <"$work/sim.info") hosts)"
else
    bad "Service Info lines differ:"; cat "$work/info.diff" >&2
fi
bridge_down_and_exit
