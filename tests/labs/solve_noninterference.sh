#!/bin/sh
# solve_noninterference.sh TCPLAB OUT LAB-OPTIONS... — the non-interference lab solved with
# the student's own views: the IP-IDs and challenge ACKs that reach the student's host
# (tcplab run), and every yes/no from `tcplab diff --as attacker`'s exit status. Each diff's
# verdict is also checked against what the lab teaches (a global IP-ID and a host-wide
# challenge-ACK budget interfere, per-destination IDs and Linux 6.0's per-socket limit do
# not): a wrong verdict fails this script, not only the answer. Then the same verdicts with
# the worksheet's Part 3: the scenario's hand-written probes muted (--set hand=...) and a
# script of the student's own (attach_noninterference.py) as the probe, the same script
# against both runs of `tcplab diff --as attacker -- COMMAND`; and a script that probes
# nothing must find nothing (the channels are the script's finding, not the scenario's).
# Writes the answers to OUT.
. "$(dirname "$0")/solver.sh"
"$tcplab" run --lab noninterference "$@" > "$tmp/run"
# "T RECV  attacker SRC:80 > 198.51.100.10:5000N TCP [R] ... id=N ..."
ids=$(awk '$2 == "RECV" && $3 == "attacker" && $8 == "[R]" && $6 ~ /:5000[01]$/ {
        for (i = 9; i <= NF; i++) if ($i ~ /^id=/) print substr($i, 4) }' "$tmp/run")
first=$(echo "$ids" | sed -n 1p)
second=$(echo "$ids" | sed -n 2p)
chacks=$(awk '$2 == "RECV" && $3 == "attacker" && $8 == "[A]" && $6 ~ /:37518$/' "$tmp/run" | wc -l)
# verdict WANT SETS...: yes when diff --as attacker finds a difference (exit 1), no when not
# (with $script set: that command attached to both runs)
script=
verdict() {
    want=$1
    shift
    rc=0
    if [ -n "$script" ]; then
        # shellcheck disable=SC2086
        "$tcplab" diff --lab noninterference "$@" --as attacker -q -- $script 2>/dev/null || rc=$?
    else
        "$tcplab" diff --lab noninterference "$@" --as attacker -q || rc=$?
    fi
    case $rc in
        0) got=no ;;
        1) got=yes ;;
        *) echo "solve_noninterference: tcplab diff $* exited $rc" >&2; exit 2 ;;
    esac
    [ "$got" = "$want" ] || {
        echo "solve_noninterference: diff $* says $got, the lab teaches $want" >&2; exit 1; }
    echo "$got"
}
pd="--set-a zombie.ipid=per-dest --set-b zombie.ipid=per-dest"
l6="--set-a server.challenge-ack=linux-6.0 --set-b server.challenge-ack=linux-6.0"
# (assignments, so that set -e stops the script when a verdict is wrong)
g_exists=$(verdict yes "$@" --set-a zport=9100 --set-b zport=7)
g_port=$(verdict no "$@" --set-a zport=9100 --set-b zport=515)
# shellcheck disable=SC2086
p_exists=$(verdict no "$@" --set-a zport=9100 --set-b zport=7 $pd)
c_exists=$(verdict yes "$@" --set-a hport=22 --set-b hport=8080)
# shellcheck disable=SC2086
c_linux6=$(verdict no "$@" --set-a hport=22 --set-b hport=8080 $l6)
# Part 3: the student's own script, the hand-written probes muted on both sides.
mute="--set-a hand=198.51.100.9,198.51.100.9 --set-b hand=198.51.100.9,198.51.100.9"
script="python3 $here/attach_noninterference.py"
# shellcheck disable=SC2086
{
    [ "$(verdict yes "$@" $mute --set-a zport=9100 --set-b zport=7)" = "$g_exists" ] &&
    [ "$(verdict no "$@" $mute --set-a zport=9100 --set-b zport=515)" = "$g_port" ] &&
    [ "$(verdict no "$@" $mute --set-a zport=9100 --set-b zport=7 $pd)" = "$p_exists" ] &&
    [ "$(verdict yes "$@" $mute --set-a hport=22 --set-b hport=8080)" = "$c_exists" ] &&
    [ "$(verdict no "$@" $mute --set-a hport=22 --set-b hport=8080 $l6)" = "$c_linux6" ]
} || no "the script's verdicts are not the built-in probes'"
script=true
# shellcheck disable=SC2086
{
    [ "$(verdict no "$@" $mute --set-a zport=9100 --set-b zport=7)" = no ] &&
    [ "$(verdict no "$@" $mute --set-a hport=22 --set-b hport=8080)" = no ]
} || no "with the hand-written probes muted, a script that probes nothing still finds a channel"
{
    answers_head noninterference
    echo "zombie_first = $first"
    echo "zombie_second = $second"
    echo "global_exists = $g_exists"
    echo "global_port = $g_port"
    echo "perdest_exists = $p_exists"
    echo "chacks = $chacks"
    echo "chack_exists = $c_exists"
    echo "chack_linux6 = $c_linux6"
} > "$out"
