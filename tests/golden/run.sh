#!/bin/sh
# golden/run.sh BINARY check|update — whole runs compared byte for byte.
#
# Each case is tests/golden/cases/NAME.cmd: one tcplab command line per line (arguments as a
# shell would split them; $OUT is a relative directory for output files). A case's transcript
# is every command's stdout and stderr with its exit status, then every file left in $OUT
# (text as is; pcaps as a SHA-256 of their bytes, since tcpdump's text differs between
# versions). It must equal NAME.out.
# `make golden` rewrites the .out files: review the diff before committing.
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
mode=${2:-check}
cd "$(dirname "$0")/../.." || exit 2
root=$(pwd)
dir=tests/golden/cases
n=0; fail=0
for cmdf in "$dir"/*.cmd; do
    [ -e "$cmdf" ] || continue
    name=$(basename "$cmdf" .cmd)
    tmp=$(mktemp -d)
    # Commands run in a scratch directory that sees the repo's scenarios/ and tests/, and
    # write their files to the relative directory out/, so paths echoed into outputs (-oN's
    # "as:" line, XML args=) are the same on every machine.
    mkdir -p "$tmp/work/out"
    ln -s "$root/scenarios" "$tmp/work/scenarios"
    ln -s "$root/tests" "$tmp/work/tests"
    OUT=out; export OUT
    {
        while IFS= read -r line || [ -n "$line" ]; do
            case "$line" in ''|'#'*) continue ;; esac
            echo "\$ tcplab $line"
            (cd "$tmp/work" && eval "\"\$bin\" $line") 2>&1
            echo "[exit $?]"
        done < "$cmdf"
        for f in "$tmp/work/out"/*; do
            [ -e "$f" ] || continue
            echo "== $(basename "$f")"
            case "$f" in
            *.pcap) od -An -v -tx1 "$f" | sha256sum | cut -c1-64 ;;
            *) cat "$f" ;;
            esac
        done
    } > "$tmp/actual" 2>&1
    n=$((n + 1))
    if [ "$mode" = update ]; then
        cp "$tmp/actual" "$dir/$name.out"
    elif ! cmp -s "$tmp/actual" "$dir/$name.out"; then
        echo "golden: $name differs:" >&2
        diff -u "$dir/$name.out" "$tmp/actual" | head -40 >&2
        fail=$((fail + 1))
    fi
    rm -rf "$tmp"
done
if [ "$mode" = update ]; then
    echo "golden: $n cases written; review with git diff tests/golden"
else
    echo "golden: $((n - fail)) passed, $fail failed"
fi
[ "$fail" -eq 0 ]
