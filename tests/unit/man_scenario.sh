#!/bin/sh
# man_scenario.sh — tcplab-scenario(5) stays complete and true.
#
# Why: a new user learns the scenario language from `man tcplab-scenario` alone, so the page
# must name every keyword the parser accepts, its examples must be scenarios that load, and
# the error messages it quotes must be the ones the binary prints. Five checks:
#   1. every keyword the parser knows (single-word string literals in sim/scenario*.c and in
#      lib/param.c, the `${...}` parameters expanded before parsing; the generator spellings of sim/gen.c, the preset names of sim/os.c) appears in bold in
#      docs/tcplab-scenario.5 (a keyword added to the parser without a line in the page fails
#      here; a literal that is not a keyword goes into NOT_KEYWORDS below);
#   2. every example in the EXAMPLES section loads and runs (`tcplab run FILE`);
#   3. every case of the ERRORS section gives exactly the message the page shows;
#   4. groff renders the page and tcplab(1) with no warning (-ww).
#
# Usage: sh tests/unit/man_scenario.sh [TCPLAB]   (make unit passes build/tcplab)
cd "$(dirname "$0")/../.." || exit 2
tcplab=${1:-build/tcplab}
page=docs/tcplab-scenario.5
fail=0
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

# Literals of the parser's sources that are not keywords of the language.
# yes/no/true/false: the values of a flag key in a what-if (sim/scenario_edit.c), not words of a file.
NOT_KEYWORDS="memory nothing rb lab.param yes no true false"

# --- 1. keywords -----------------------------------------------------------------------
{
    grep -ohE '"[a-z][a-z0-9_.-]*"' sim/scenario*.c lib/param.c | grep -v '\.h"$'
    grep -hE '^[[:space:]]*\{ "[a-z0-9-]+", GEN_' sim/gen.c | grep -oE '^[[:space:]]*\{ "[a-z0-9-]+"'
    sed -n '/os_names\[\] = {/,/};/p' sim/os.c | grep -oE '"[a-z0-9-]+"'
} | tr -d '"{ \t' | sort -u > "$tmp/keywords"
for w in $NOT_KEYWORDS; do
    grep -v -x -F "$w" "$tmp/keywords" > "$tmp/k2"; mv "$tmp/k2" "$tmp/keywords"
done
if [ "$(wc -l < "$tmp/keywords")" -lt 60 ]; then
    echo "man_scenario: found only $(wc -l < "$tmp/keywords") keywords in sim/: the extraction is broken" >&2
    fail=1
fi
# Bold text of the page: \fB...\f runs, .B lines, and the odd arguments of .BR/.BI/.BP.
awk '
function bold(s) { print s }
/^\.B / { bold(substr($0, 4)) }
/^\.(BR|BI) / { n = split(substr($0, 5), a, " "); for (i = 1; i <= n; i += 2) bold(a[i]) }
{
    s = $0
    while ((i = index(s, "\\fB")) > 0) {
        s = substr(s, i + 3)
        j = index(s, "\\f"); if (j == 0) j = length(s) + 1
        bold(substr(s, 1, j - 1))
        s = substr(s, j)
    }
}' "$page" | sed -e 's/\\-/-/g' -e 's/\\&//g' -e 's/\\(dq//g' -e 's/\\e/\\/g' |
    tr -c 'A-Za-z0-9_.-' '\n' | sed -e 's/^\.*//' -e 's/\.*$//' | sort -u > "$tmp/bold"
missing=$(comm -23 "$tmp/keywords" "$tmp/bold")
if [ -n "$missing" ]; then
    echo "man_scenario: keywords the parser knows but $page does not show in bold:" >&2
    echo "$missing" | sed 's/^/  /' >&2
    fail=1
fi

# Roff text of an .EX block back to plain text.
unroff() { sed -e 's/\\-/-/g' -e 's/\\e/\\/g' -e 's/\\&//g' -e 's/\\(dq/"/g'; }

# --- 2. examples -----------------------------------------------------------------------
awk '/^\.SH EXAMPLES/ { on = 1; next } /^\.SH / { on = 0 }
     on && /^\.EX/ { n++; f = sprintf("'"$tmp"'/example%02d.scn", n); inex = 1; next }
     on && /^\.EE/ { inex = 0; next }
     inex { print > f }' "$page"
nex=0
for f in "$tmp"/example*.scn; do
    [ -e "$f" ] || continue
    nex=$((nex + 1))
    unroff < "$f" > "$f.txt"
    if ! "$tcplab" run "$f.txt" > "$tmp/out" 2>&1; then
        echo "man_scenario: EXAMPLES scenario $(basename "$f") does not load:" >&2
        sed 's/^/  /' "$tmp/out" >&2
        fail=1
    fi
done
if [ "$nex" -lt 3 ]; then
    echo "man_scenario: only $nex EXAMPLES scenarios found in $page" >&2
    fail=1
fi

# --- 3. error messages -----------------------------------------------------------------
# The .EX block after the marker comment: blank-line separated cases, each the lines that
# follow the two-line preamble of lab.scn, then the expected message (starts "lab.scn:").
awk '/^\.\\" man_scenario.sh: cases/ { want = 1; next }
     want && /^\.EX/ { on = 1; next } on && /^\.EE/ { exit } on { print }' "$page" | unroff > "$tmp/cases"
ncase=0
mkdir "$tmp/err" && : > "$tmp/err/body"
while IFS= read -r line || [ -n "$line" ]; do
    case $line in
    "") : > "$tmp/err/body" ;;
    lab.scn:*)
        ncase=$((ncase + 1))
        { echo "host a 198.51.100.1 role scanner"; echo "host b 198.51.100.2 tcp 80"
          cat "$tmp/err/body"; } > "$tmp/err/lab.scn"
        got=$(cd "$tmp/err" && "$OLDPWD/$tcplab" run lab.scn 2>&1 >/dev/null; echo "[exit $?]")
        if [ "$got" != "$line
[exit 1]" ]; then
            echo "man_scenario: ERRORS case $ncase: the page says" >&2
            echo "  $line" >&2
            echo "but tcplab prints" >&2
            echo "$got" | sed 's/^/  /' >&2
            fail=1
        fi
        : > "$tmp/err/body" ;;
    *) printf '%s\n' "$line" >> "$tmp/err/body" ;;
    esac
done < "$tmp/cases"
if [ "$ncase" -lt 10 ]; then
    echo "man_scenario: only $ncase ERRORS cases found in $page" >&2
    fail=1
fi

# --- 4. rendering ----------------------------------------------------------------------
if ! command -v groff > /dev/null 2>&1; then
    echo "man_scenario: groff is missing (apt-get install groff-base): cannot check the pages" >&2
    fail=1
else
    for p in "$page" docs/tcplab.1; do
        warn=$(groff -man -Tutf8 -ww -z "$p" 2>&1)
        if [ -n "$warn" ]; then
            echo "man_scenario: groff warns about $p:" >&2
            echo "$warn" | sed 's/^/  /' >&2
            fail=1
        fi
    done
fi

# 5. both pages' footers name the binary's version (lib/version.h, one place).
ver=$("$tcplab" version | awk '{print $2}')
for p in docs/tcplab.1 docs/tcplab-scenario.5; do
    grep -q "^\.TH .* \"tcplab $ver\"" "$p" ||
        { echo "man_scenario: $p's .TH line does not say tcplab $ver" >&2; fail=1; }
done

[ "$fail" -eq 0 ] || exit 1
echo "man_scenario: $(wc -l < "$tmp/keywords") keywords documented, $nex examples load, $ncase error messages match"
