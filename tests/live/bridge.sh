#!/bin/bash
# bridge.sh — real tools reach simulated hosts through `tcplab bridge` and must see what
# `tcplab scan --sim` sees on the same scenario (tests/live/bridge.scn), port for port and
# reason for reason.
#
# Why: the bridge is the strongest fidelity check the project has: real nmap, ping, hping3
# and scapy, with the real kernel's own handshakes (-sT), talking to simulated hosts. One
# network namespace (tlB<pid>) holds the TUN device (tlb<pid>) and every tool; nothing
# leaves it. Addresses: 198.18.7.0/24 only (RFC 2544). Every command runs under timeout;
# the namespace and the bridge are removed on every exit path.
#
# Usage (root): [BRIDGE_KEEP=DIR] tests/live/bridge.sh [TCPLAB]
#   exit 0 = all checks passed, 1 = a check failed, 2 = could not run.
set -u
here=$(cd "$(dirname "$0")" && pwd)
me=bridge nsl=B keepdir=${BRIDGE_KEEP:-}
. "$here/bridge_ns.sh"
scn="$here/bridge.scn"
TARGET=198.18.7.30
ZOMBIE=198.18.7.20

# bridge_start NAME [ARGS...]: the bridge in the namespace, its stdout in $work/NAME.out;
# waits (at most 5 s) for `ready`.
bridge_start() {
    name=$1; shift
    ip netns exec "$ns" "$tcplab" bridge "$scn" --tun "$dev" "$@" >"$work/$name.out" 2>"$work/$name.err" &
    bpid=$!
    for _ in $(seq 50); do
        grep -q '^ready$' "$work/$name.out" 2>/dev/null && return 0
        kill -0 "$bpid" 2>/dev/null || break
        sleep 0.1
    done
    echo "bridge: the bridge did not print ready:" >&2; cat "$work/$name.err" >&2
    return 1
}
# bridge_stop: SIGTERM, its normal end; the exit status must be 0.
bridge_stop() {
    kill -TERM "$bpid"
    wait "$bpid"; rc=$?
    bpid=""
    [ "$rc" -eq 0 ] || bad "the bridge exited $rc on SIGTERM"
}

# sim_vs_nmap LABEL "NMAP-OPTIONS" "TCPLAB-OPTIONS" PORTS TARGET: real nmap through the
# bridge against tcplab scan --sim on the same scenario; state and reason of every port.
sim_vs_nmap() {
    label=$1; nopts=$2; topts=$3; ports=$4; tgt=$5
    # shellcheck disable=SC2086
    inns timeout 60 nmap $nopts -n -Pn --reason -p "$ports" -oX "$work/nmap$label.xml" "$tgt" \
        >"$work/nmap$label.log" 2>&1 || { bad "$label: nmap failed"; cat "$work/nmap$label.log" >&2; return; }
    # shellcheck disable=SC2086
    timeout 60 "$tcplab" scan --sim "$scn" $topts -n -Pn --reason -p "$ports" \
        -oX "$work/sim$label.xml" "$tgt" >"$work/sim$label.log" 2>&1 ||
        { bad "$label: tcplab scan --sim failed"; cat "$work/sim$label.log" >&2; return; }
    if /usr/bin/python3 "$here/nmapxml.py" "$label" "$work/nmap$label.xml" "$work/sim$label.xml"; then
        ok "$label: nmap through the bridge agrees with tcplab scan --sim"
    else
        bad "$label: nmap through the bridge and tcplab scan --sim disagree"
    fi
}

# xml_lines FILE: "PORT STATE REASON" per port of an -oX file, sorted.
xml_lines() {
    /usr/bin/python3 -c '
import sys; sys.path.insert(0, sys.argv[1]); import nmapxml
for (proto, port), (st, why) in sorted(nmapxml.ports(sys.argv[2]).items()):
    print(port, st, why)' "$here" "$1"
}
# hping_state PORT: open/closed/filtered from one hping3 SYN (SA, RA, or nothing/ICMP).
hping_state() {
    out=$(inns timeout 10 hping3 -S -p "$1" -c 1 "$TARGET" 2>&1)
    case "$out" in
        *flags=SA*) echo "$1 open" ;;
        *flags=RA*) echo "$1 closed" ;;
        *) echo "$1 filtered" ;;
    esac
}
# rss_kb PID: the resident set, in kB.
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

need_root
for t in nmap hping3 ping tshark; do
    command -v "$t" >/dev/null 2>&1 || { echo "bridge: $t not installed (make deps)" >&2; exit 2; }
done
ip netns add "$ns" || exit 2
inns ip link set lo up

# --- 1. The session: every tool once, recorded. ---------------------------------------
bridge_start main --pcap "$work/session.pcapng" || exit 1

if inns timeout 10 ping -n -c 3 -i 0.2 -W 2 "$TARGET" >"$work/ping.log" 2>&1 &&
   grep -q '3 received' "$work/ping.log"; then
    ok "ping: 3 of 3 echo replies"
else
    bad "ping"; cat "$work/ping.log" >&2
fi
# ping -s 3000: the kernel fragments the request, the host reassembles it and answers in
# fragments, which the kernel reassembles.
if inns timeout 10 ping -n -c 2 -i 0.2 -W 2 -s 3000 "$TARGET" >"$work/ping3000.log" 2>&1 &&
   grep -q '2 received' "$work/ping3000.log" && grep -q '^3008 bytes from' "$work/ping3000.log"; then
    ok "ping -s 3000: fragments reassembled both ways"
else
    bad "ping -s 3000"; cat "$work/ping3000.log" >&2
fi

TCP_PORTS=21,22,80,113,443,3306,8080,9999
UDP_PORTS=9,53,123,161,514
sim_vs_nmap -sS "-sS" "-sS" "$TCP_PORTS" "$TARGET"
sim_vs_nmap -sT "-sT" "-sT" "$TCP_PORTS" "$TARGET"
sim_vs_nmap -sA "-sA" "-sA" "$TCP_PORTS" "$TARGET"
sim_vs_nmap -sU "-sU" "-sU" "$UDP_PORTS" "$TARGET"
sim_vs_nmap -sI "-sI $ZOMBIE" "-sI $ZOMBIE" 22,80,113,9999 "$TARGET"
sim_vs_nmap -f "-sS -f" "-sS" "$TCP_PORTS" "$TARGET"

# tcplab's own scanner on the live backend, through the device (raw socket + pcap on it).
for st in sS sI; do
    [ "$st" = sI ] && extra="-sI $ZOMBIE" && ports=22,80,113,9999 || { extra="-sS"; ports=$TCP_PORTS; }
    # shellcheck disable=SC2086
    if inns timeout 60 "$tcplab" scan --live -e "$dev" -S 198.18.7.1 $extra -n -Pn --reason \
            -p "$ports" -oX "$work/live-$st.xml" "$TARGET" >"$work/live-$st.log" 2>&1; then
        if /usr/bin/python3 "$here/nmapxml.py" "live -$st" "$work/live-$st.xml" "$work/sim-$st.xml"; then
            ok "tcplab scan --live -$st through the bridge agrees with --sim"
        else
            bad "tcplab scan --live -$st through the bridge disagrees with --sim"
        fi
    else
        bad "tcplab scan --live -$st failed"; tail -5 "$work/live-$st.log" >&2
    fi
done

# scapy's own SYNs, read as -sS reads them.
inns timeout 30 /usr/bin/python3 "$here/bridge_scapy.py" syn "$TARGET" "$TCP_PORTS" \
    >"$work/scapy.txt" 2>"$work/scapy.err" || { bad "scapy failed"; cat "$work/scapy.err" >&2; }
xml_lines "$work/sim-sS.xml" >"$work/sim-sS.txt"
if diff "$work/sim-sS.txt" "$work/scapy.txt" >"$work/scapy.diff"; then
    ok "scapy through the bridge agrees with tcplab scan --sim -sS"
else
    bad "scapy and tcplab scan --sim -sS disagree:"; cat "$work/scapy.diff" >&2
fi
# hping3: one SYN each to an open, a closed and a dropped port.
for p in 22 21 9999; do hping_state "$p"; done >"$work/hping.txt"
awk '$1 == 22 || $1 == 21 || $1 == 9999 {print $1, $2}' "$work/sim-sS.txt" | sort -n >"$work/sim-hping.txt"
if [ "$(sort -n "$work/hping.txt")" = "$(cat "$work/sim-hping.txt")" ]; then
    ok "hping3 through the bridge agrees with tcplab scan --sim -sS"
else
    bad "hping3 and tcplab scan --sim disagree:"; cat "$work/hping.txt" "$work/sim-hping.txt" >&2
fi
# Below overload nothing is lost or reordered: 300 echo requests 1 ms apart.
if inns timeout 20 /usr/bin/python3 "$here/bridge_scapy.py" order "$TARGET" 300 >"$work/order.txt" 2>&1; then
    ok "$(cat "$work/order.txt")"
else
    bad "$(cat "$work/order.txt")"
fi

# nmap -O against each OS preset: recorded, never failed on (the presets are tuned elsewhere).
inns timeout 90 nmap -O --osscan-guess -n -Pn -p 1,22,80,135,139,445,515,631,9100 \
    198.18.7.41-45 >"$work/os.txt" 2>&1 || bad "nmap -O failed"
for pair in linux:41 windows:42 freebsd:43 openbsd:44 printer:45; do
    name=${pair%:*}; ip=198.18.7.${pair#*:}
    guess=$(awk -v ip="$ip" '/^Nmap scan report/ {cur = $NF} cur == ip && /^(Running|OS details|Aggressive OS guesses)/ {print; exit}' "$work/os.txt")
    echo "bridge: nmap -O $name ($ip): ${guess:-no guess}"
done

bridge_stop
grep -q '^bridge: .* datagrams in [1-9]' "$work/main.out" || bad "no summary after SIGTERM"
cat "$work/main.out" | grep '^bridge:' | sed 's/^/    /'

# The session file: tshark reads it, with directions and the answering rules as comments.
if tshark -r "$work/session.pcapng" -T fields -e frame.packet_flags_direction -e frame.comment \
        >"$work/tshark.txt" 2>"$work/tshark.err" &&
   grep -q '^0x00000001	into the simulated network' "$work/tshark.txt" &&
   grep -q '^0x00000002	target SYN-ACK: RFC 793' "$work/tshark.txt"; then
    ok "tshark reads the session: directions and rules"
else
    bad "tshark cannot read the session file or it lacks directions/comments"; head "$work/tshark.err" >&2
fi
# Replay: the same answers, byte for byte, on the virtual clock alone.
if timeout 60 "$tcplab" run "$scn" --replay "$work/session.pcapng" >"$work/replay.txt" 2>"$work/replay.err"; then
    ok "$(cat "$work/replay.err")"
else
    bad "replay differs:"; cat "$work/replay.err" >&2
fi

# --- 2. hping3 --flood for ten seconds: bounded memory, still answering. ---------------
bridge_start flood || exit 1
rss0=$(rss_kb "$bpid")
inns timeout 10 hping3 --flood -S -p 80 "$TARGET" >"$work/flood.log" 2>&1 &
fpid=$!
rssmax=$rss0
for i in $(seq 10); do
    sleep 1
    r=$(rss_kb "$bpid"); [ "$r" -gt "$rssmax" ] && rssmax=$r
    # 20 echo requests over 4 s: the flood fills the TUN device's queue, so the kernel drops
    # most requests before the bridge sees them (it counts them: "the kernel dropped");
    # the check is that the bridge still answers those that reach it, at least one.
    [ "$i" = 4 ] && inns timeout 5 ping -n -c 20 -i 0.2 -W 1 "$TARGET" >"$work/ping-flood.log" 2>&1
done
wait "$fpid" 2>/dev/null
echo "bridge: flood: RSS $rss0 kB before, at most $rssmax kB during; $(grep -o '[0-9]* packets transmitted' "$work/flood.log")"
grep -qE ' ([1-9]|1[0-9]|20) received' "$work/ping-flood.log" && ok "the bridge answered ping during the flood: $(grep -oE '[0-9]+ received' "$work/ping-flood.log")" ||
    bad "no answer to ping during the flood"
[ "$rssmax" -lt 65536 ] && ok "memory bounded under the flood (< 64 MB)" || bad "RSS grew to $rssmax kB"
if inns timeout 10 ping -n -c 3 -i 0.2 -W 2 "$TARGET" 2>&1 | grep -q '3 received'; then
    ok "ping after the flood: 3 of 3"
else
    bad "no ping replies after the flood"
fi
bridge_stop
grep '^bridge:' "$work/flood.out" | sed 's/^/    /'

# --- 3. A lab through the bridge: real nmap's idle scan finds the student's variant. ---
# bridge --lab runs alice's idle-scan variant (its nets are RFC 5737's, routed to the TUN
# device inside this namespace only); nmap -sI through the zombie the key names must find
# exactly the key's open ports, and the session replays under the same lab and student.
key=$("$tcplab" lab key idle-scan --student alice)
zombie=$(echo "$key" | awk '$1 == "zombie" {print $3}')
open=$(echo "$key" | awk '$1 == "open" {print $3}')
bridge_lab() {
    ip netns exec "$ns" "$tcplab" bridge --lab idle-scan --student alice --tun "$dev" \
        --pcap "$work/lab.pcapng" >"$work/lab.out" 2>"$work/lab.err" &
    bpid=$!
    for _ in $(seq 50); do
        grep -q '^ready$' "$work/lab.out" 2>/dev/null && return 0
        kill -0 "$bpid" 2>/dev/null || break
        sleep 0.1
    done
    cat "$work/lab.err" >&2; return 1
}
if bridge_lab; then
    inns timeout 90 nmap -n -Pn -sI "$zombie" -p 1-200 -oX "$work/lab.xml" 198.51.100.30 \
        >"$work/lab-nmap.log" 2>&1
    bridge_stop
    got=$(xml_lines "$work/lab.xml" | awk '$2 == "open" {print $1}' | sort -n | paste -sd,)
    want=$(echo "$open" | tr , '\n' | awk '$1 <= 200' | sort -n | paste -sd,)
    [ -n "$want" ] && [ "$got" = "$want" ] &&
        ok "lab idle-scan through the bridge: nmap -sI $zombie finds alice's open ports ($got)" ||
        { bad "lab idle-scan through the bridge: nmap found '$got', the key says '$want'"; cat "$work/lab-nmap.log" >&2; }
    if timeout 60 "$tcplab" run --lab idle-scan --student alice --replay "$work/lab.pcapng" \
        >/dev/null 2>"$work/lab-replay.err"; then
        ok "the lab session replays byte for byte (run --lab idle-scan --student alice --replay)"
    else
        bad "the lab session does not replay:"; cat "$work/lab-replay.err" >&2
    fi
    timeout 60 "$tcplab" run --lab idle-scan --student bob --replay "$work/lab.pcapng" >/dev/null 2>&1
    [ $? -eq 1 ] && ok "bob's variant does not replay alice's session (exit 1)" ||
        bad "bob's variant replayed alice's session"
else
    bad "bridge --lab idle-scan --student alice did not start"
fi

[ "$fail" -eq 0 ] && echo "bridge: all checks passed"
exit "$fail"
