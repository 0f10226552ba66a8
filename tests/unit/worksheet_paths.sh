#!/bin/sh
# worksheet_paths.sh — every file a lab worksheet (docs/labs/*.md) cites is in the
# repository, and every "FILE section N" it cites has that section:
#  - Markdown links to relative paths ([x](../facts/rfc.md)) resolve from docs/labs/;
#  - paths written out (docs/..., scenarios/..., labs/..., tests/...) exist from the top;
#  - "NAME.md section N" / "sections N and M" name a "## N." heading of that document
#    (NAME.md is looked up in docs/facts/, docs/ and docs/labs/).
# Files of other projects (4.3BSD's tcp_input.c, nmap's idle_scan.cc) are not paths here.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
fail=0
bad=$(mktemp /tmp/worksheet_paths.XXXXXX)
trap 'rm -f "$bad"' EXIT INT TERM
no() { echo "FAIL: $*"; fail=1; }
for ws in docs/labs/*.md; do
    # Relative links.
    for l in $(grep -o '](\([^)#]*\))' "$ws" | sed 's/^](//; s/)$//' | grep -v '^[a-z]*:'); do
        [ -e "docs/labs/$l" ] || no "$ws links to $l, which is not there"
    done
    # Paths written out.
    for p in $(grep -o '\(docs\|scenarios\|labs\|tests\)/[A-Za-z0-9_./-]*[A-Za-z0-9_]' "$ws" | sort -u); do
        case "$p" in *NAME*|*ID*) continue ;; esac
        [ -e "$p" ] || no "$ws cites $p, which is not in the repository"
    done
    # Sections: "X.md section N", "X.md sections N and M", "[X.md](...) section N".
    tr '\n' ' ' < "$ws" | grep -o '[a-z-]*\.md[]]*\(([^)]*)\)\{0,1\} sections\{0,1\} [0-9]\( and [0-9]\)\{0,1\}' |
    while read -r ref; do
        doc=$(printf '%s\n' "$ref" | sed 's/\.md.*/.md/')
        f=""
        for d in docs/facts docs docs/labs; do [ -e "$d/$doc" ] && { f="$d/$doc"; break; }; done
        [ -n "$f" ] || { echo "FAIL: $ws cites $doc, found nowhere"; echo x >> "$bad"; continue; }
        for n in $(printf '%s\n' "$ref" | sed 's/.* sections\{0,1\} //; s/ and / /'); do
            grep -q "^## $n\. " "$f" || { echo "FAIL: $ws cites $doc section $n, which $f lacks"; echo x >> "$bad"; }
        done
    done
done
[ -s "$bad" ] && fail=1
[ $fail = 0 ] && echo "worksheet_paths: every file and section the worksheets cite is there"
exit $fail
