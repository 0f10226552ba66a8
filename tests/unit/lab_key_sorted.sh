#!/bin/sh
# lab_key_sorted.sh BUILD/tcplab — `lab key` prints every set (ports, addresses) in
# ascending order, for every lab and several students; and `lab check` takes a set in any
# order, with blanks, repeats and ranges, as tcplab(1) (lab check) and docs/labs/README.md
# say: the key reversed, and the key's runs of ports written as ranges, both pass.
set -u
t=$(cd "$(dirname "${1:-build/tcplab}")" && pwd)/$(basename "${1:-build/tcplab}")
tmp=$(mktemp -d /tmp/tcplab_key_sorted.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp" || exit 2
fail=0
no() { echo "FAIL: $*"; fail=1; }
# a comma list's elements in ascending order? (ports numerically, addresses octet by octet)
ascending() {
    echo "$1" | tr , '\n' | awk -F. '{ k = 0; for (i = 1; i <= NF; i++) k = k * 256 + $i
        if (NR > 1 && k <= last) bad = 1; last = k } END { exit bad }'
}
for lab in $("$t" lab list | awk 'NF > 1 && $1 !~ /^Start/ { print $1 }'); do
    for s in alice bob carol; do
        "$t" lab key "$lab" --student "$s" > key.txt 2> err || { no "$lab $s: lab key: $(cat err)"; continue; }
        grep -v '^#' key.txt | awk -F' = ' '$2 ~ /,/ { print $1, $2 }' | while read -r id val; do
            ascending "$val" || { echo "FAIL: $lab $s: $id = $val is not ascending"; echo x >> bad; }
        done
    done
done
[ -e bad ] && fail=1
# any order, blanks, repeats and ranges: the scans lab's vertical scan (ports) and web
# servers (addresses), the port-states lab's closed ports
"$t" lab key scans --student alice > key.txt
v=$(awk -F' = ' '$1 == "vertical" { print $2 }' key.txt)
w=$(awk -F' = ' '$1 == "web" { print $2 }' key.txt)
rv=$(echo "$v" | tr , '\n' | sort -rn | paste -sd' ' -)
rw=$(echo "$w" | tr , '\n' | sort -r | paste -sd, -)
first=$(echo "$v" | cut -d, -f1)
printf 'student = alice\nlab = scans\nvertical = %s, %s\nweb = %s\n' "$rv" "$first" "$rw" > any.txt
"$t" lab check scans any.txt > out 2>&1
grep -q '^  PASS  vertical$' out || no "ports in another order, with blanks and a repeat: $(grep vertical out)"
grep -q '^  PASS  web$' out || no "addresses in another order: $(grep web out)"
# a range: every port of the key from its lowest to its highest, where those are all of it
printf 'student = x\nlab = port-states\n' > r.txt
"$t" lab key port-states --student alice > pk.txt
c=$(awk -F' = ' '$1 == "closed" { print $2 }' pk.txt)
lo=$(echo "$c" | cut -d, -f1)
# closed ports as ranges: each run of consecutive ports LO-HI
ranges=$(echo "$c" | tr , '\n' | awk 'NR == 1 { a = b = $1; next } $1 == b + 1 { b = $1; next }
    { printf "%s%s", s, (a == b ? a : a "-" b); s = ","; a = b = $1 }
    END { printf "%s%s\n", s, (a == b ? a : a "-" b) }')
printf 'student = alice\nlab = port-states\nclosed = %s\n' "$ranges" > r.txt
"$t" lab check port-states r.txt > out 2>&1
grep -q '^  PASS  closed$' out || no "closed = $ranges (the key $c as ranges): $(grep closed out)"
echo "$ranges" | grep -q -- - || no "the test is wrong: the closed ports ($c, from $lo) have no run to write as a range"
[ $fail = 0 ] && echo "lab_key_sorted: keys print sets ascending; check takes any order and ranges"
exit $fail
