#!/bin/sh
# solve_port-states.sh TCPLAB OUT LAB-OPTIONS... — the port-states lab solved as the
# worksheet has a student do it: the SYN, ACK and UDP scans of the variant with --reason,
# each answer read from the scans' PORT lines (state and reason), nothing from the scenario.
. "$(dirname "$0")/solver.sh"
ports="20-30,80,443,3306,8080"
"$tcplab" scan --lab port-states "$@" --no-script -sS --reason -p "$ports" target > "$tmp/syn"
"$tcplab" scan --lab port-states "$@" --no-script -sA --reason -p "$ports" target > "$tmp/ack"
"$tcplab" scan --lab port-states "$@" --no-script -sU --reason -p 53,123,161,514 target > "$tmp/udp"
# "PORT/PROTO STATE SERVICE REASON ...": the ports whose state (and reason) match.
with() { # FILE STATE [REASON]
    awk -v st="$2" -v why="${3:-}" '$1 ~ /^[0-9]+\/(tcp|udp)$/ && $2 == st && (why == "" || $4 == why) {
        split($1, p, "/"); printf "%s%s", sep, p[1]; sep = "," } END { print "" }' "$1"
}
# A port the firewall resets although a server listens: closed to -sS, and -sV would see
# nothing; the student finds it from the scenario's rules in the transcript's DROP lines.
"$tcplab" run --lab port-states "$@" > "$tmp/run"
reset=$(awk '/reject tcp-reset/ { split($6, d, ":"); print d[2]; exit }' "$tmp/run")
{
    answers_head port-states
    echo "open = $(with "$tmp/syn" open)"
    echo "closed = $(with "$tmp/syn" closed)"
    echo "reset = $reset"
    echo "filtered = $(with "$tmp/syn" filtered)"
    echo "admin = $(with "$tmp/syn" filtered admin-prohibited)"
    echo "silent = $(with "$tmp/syn" filtered no-response)"
    echo "unfiltered = $(with "$tmp/ack" unfiltered)"
    echo "udp_open = $(with "$tmp/udp" open)"
    echo "udp_openfiltered = $(with "$tmp/udp" open\|filtered)"
    echo "udp_closed = $(with "$tmp/udp" closed)"
} > "$out"
