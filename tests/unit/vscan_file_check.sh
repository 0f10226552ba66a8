#!/bin/sh
# vscan_file_check.sh TCPLAB — a broken rule in an nmap-service-probes file (--datadir) is
# said on stderr with its line and PCRE2's reason, and skipped: the rules around it still
# name the service. nmap refuses such a file at load ("illegal regexp on line N"); tcplab
# compiles a rule when first needed, so it says so then, once.
tcplab=${1:-./tcplab}
dir=$(mktemp -d /tmp/tcplab-vsfile.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/nmap-service-probes" <<'PROBES'
Probe TCP NULL q||
totalwaitms 6000
match ssh m|^SSH-(| p/broken/
match ssh m|^SSH-([\d.]+)-OpenSSH_([\w.]+)| p/OpenSSH/ v/$2/
PROBES
"$tcplab" scan -sV -p22 --datadir "$dir" web >"$dir/out" 2>"$dir/err"
rc=$?
fail=0
[ "$rc" = 0 ] || { echo "vscan_file_check: FAIL: exit $rc" >&2; fail=1; }
grep -q 'nmap-service-probes line 3: illegal regexp m|^SSH-(| (missing closing parenthesis' \
    "$dir/err" || { echo "vscan_file_check: FAIL: no warning naming line 3:" >&2; cat "$dir/err" >&2; fail=1; }
[ "$(grep -c 'illegal regexp' "$dir/err")" = 1 ] || { echo "vscan_file_check: FAIL: not said once" >&2; fail=1; }
grep -q '^22/tcp open  ssh     OpenSSH 9\.2p1' "$dir/out" ||
    { echo "vscan_file_check: FAIL: the next rule did not match:" >&2; cat "$dir/out" >&2; fail=1; }
# A field's bytes outside printable ASCII go into -oX as nmap's escape() writes them (&#xHH;),
# so the file stays UTF-8 and keeps the byte.
printf 'Probe TCP NULL q||\nmatch ssh m|^SSH-| p/Open\377SSH <x>/\n' > "$dir/nmap-service-probes"
"$tcplab" scan -sV -p22 --datadir "$dir" -oX "$dir/x.xml" web >/dev/null 2>&1
grep -q 'product="Open&#xff;SSH &lt;x&gt;"' "$dir/x.xml" ||
    { echo "vscan_file_check: FAIL: -oX product not escaped as nmap's:" >&2; grep product "$dir/x.xml" >&2; fail=1; }
[ "$fail" = 0 ] && echo "vscan_file_check: a broken rule is said and skipped; fields escaped as nmap's"
exit $fail
