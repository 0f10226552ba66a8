#!/bin/sh
# solve_os-detection.sh TCPLAB OUT LAB-OPTIONS... — the OS-detection lab solved as the
# worksheet has a student do it: one -O scan of the six hosts against tcplab's own database
# (--datadir naming a directory without nmap-os-db, so the fingerprints are printed and the
# answers never depend on an installed nmap), each answer read from the scan's report; then
# the scenario copied, one host key changed, and scanned again.
. "$(dirname "$0")/solver.sh"
"$tcplab" scan --lab os-detection "$@" -O --datadir "$tmp" -F 198.51.100.21-26 > "$tmp/os" 2>/dev/null
# The address whose report names a preset ("OS details: tcplab NAME preset").
addr() {
    awk -v want="tcplab $1 preset" '/^Nmap scan report for/ { a = $NF; gsub(/[()]/, "", a) }
        $0 == "OS details: " want { print a; exit }' "$tmp/os"
}
# One attribute of one test from the fingerprint of the host at address $1.
attr() { # ADDR TEST ATTR
    awk -v a="($1)" -v t="$2" -v k="$3" '/^Nmap scan report for/ { on = ($NF == a) }
        on && /^OS:/ { fp = fp substr($0, 4) }
        END { i = index(fp, t "("); s = substr(fp, i + length(t) + 1); s = substr(s, 1, index(s, ")") - 1)
              n = split(s, kv, "%"); for (j = 1; j <= n; j++) { split(kv[j], p, "="); if (p[1] == k) { print p[2]; exit } } }' "$tmp/os"
}
linux=$(addr linux) windows=$(addr windows) printer=$(addr printer) bsd43=$(addr bsd43)
# The test only Windows answers: R=Y in its fingerprint, R=N in every other one.
only=""
for t in T2 T3 T7; do
    [ "$(attr "$windows" "$t" R)" = Y ] || continue
    others=0
    for a in $linux $printer $bsd43 $(addr freebsd) $(addr openbsd); do
        [ "$(attr "$a" "$t" R)" = N ] || others=1
    done
    [ "$others" = 0 ] && { only=$t; break; }
done
# Question 4: the scenario copied, the Windows host given `ttl 64`, scanned again.
"$tcplab" lab show os-detection "$@" --scenario > "$tmp/mine.scn" 2>/dev/null ||
    "$tcplab" lab show os-detection --scenario > "$tmp/mine.scn"
sed 's/^\(host [^ ]* [^ ]* os windows\)/\1 ttl 64/' "$tmp/mine.scn" > "$tmp/ttl.scn"
"$tcplab" scan --sim "$tmp/ttl.scn" -O --osscan-guess --datadir "$tmp" -F 198.51.100.21-26 > "$tmp/ttl" 2>/dev/null
# The changed host's block: the one whose guesses name the Windows preset.
awk '/^Nmap scan report for/ { if (keep) exit; blk = "" } { blk = blk $0 "\n" }
     /tcplab windows preset/ { keep = 1 } END { if (keep) printf "%s", blk }' "$tmp/ttl" > "$tmp/win"
tg=$(awk '/^OS:/ { fp = fp substr($0, 4) } END { i = index(fp, "T1("); s = substr(fp, i + 3)
        s = substr(s, 1, index(s, ")") - 1); n = split(s, kv, "%")
        for (j = 1; j <= n; j++) { split(kv[j], p, "="); if (p[1] == "T" || p[1] == "TG") { print p[2]; exit } } }' "$tmp/win")
acc=$(sed -n 's/^Aggressive OS guesses: tcplab windows preset (\([0-9]*\)%).*/\1/p' "$tmp/win")
{
    answers_head os-detection
    echo "linux = $linux"
    echo "windows = $windows"
    echo "printer = $printer"
    echo "bsd43 = $bsd43"
    echo "only_windows = $only"
    echo "printer_win = $(attr "$printer" WIN W1)"
    echo "linux_ti = $(attr "$linux" SEQ TI)"
    echo "vax_gcd = $(attr "$bsd43" SEQ GCD)"
    echo "ttl64_tg = $tg"
    echo "ttl64_acc = $acc"
} > "$out"
