#!/bin/sh
# alloc_check.sh BUILD/tcplab — fails if a scan's heap allocations grow with its probes.
#
# Why: per-probe work must not allocate (the project's rule: per-packet
# paths do no allocation; issue 4 item 9: a simulated /16 x 10 ports must not allocate per probe). Each
# check runs two scans that differ only in the number of probes, with tests/unit/alloc_shim.c
# preloaded to count malloc/calloc/realloc, and allows a small fixed difference (tables sized
# once per pass, e.g. a -p- scan's direct port table and sort scratch), far below the
# thousands of extra probes:
#   - 4096 hosts (198.18.0.0/20 of tests/bench/net16.scn, 16 host groups), 1 port vs 10 ports:
#     40960 -> 409600 slots, most of them retried; the same hosts and groups;
#   - one host (web of the default network), 100 ports vs all 65535.
# What is allocated is per host (its results, its report lines) and per host group (the
# scheduler's slot arrays, the pass's lookup tables), never per probe.
# Skipped, visibly, for sanitizer builds: ASan has its own allocator and refuses a preload.
set -u
tcplab=${1:-build/tcplab}
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$tcplab" ] || { echo "alloc_check: $tcplab not built" >&2; exit 1; }
if grep -q __asan_init "$tcplab" 2>/dev/null; then
    echo "alloc_check: SKIP ($tcplab is a sanitizer build; the normal build runs this check)"
    exit 0
fi
dir=$(mktemp -d /tmp/tcplab_alloc.XXXXXX)
trap 'rm -rf "$dir"' EXIT
trap 'rm -rf "$dir"; exit 130' INT
trap 'rm -rf "$dir"; exit 143' TERM
shim="$dir/alloc_shim.so"
${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -shared -fPIC -o "$shim" "$here/alloc_shim.c" || {
    echo "alloc_check: cannot build alloc_shim.c" >&2; exit 1; }

# count ARGS...: heap allocations of `tcplab scan ARGS...`
count() {
    rm -f "$dir/count"
    TCPLAB_ALLOC_COUNT="$dir/count" LD_PRELOAD="$shim" "$tcplab" scan "$@" >"$dir/out" || {
        echo "alloc_check: tcplab scan $* failed" >&2; return 1; }
    n=$(sed -n 's/^total //p' "$dir/count" 2>/dev/null)
    [ -n "$n" ] && [ "$n" -gt 0 ] || { echo "alloc_check: the shim counted nothing" >&2; return 1; }
    echo "$n"
}

fail=0
# check LABEL FEW MANY: MANY (more probes) may exceed FEW by at most 16 allocations.
check() {
    if [ "$3" -gt $(($2 + 16)) ]; then
        echo "FAIL alloc_check: $1: $2 -> $3 allocations: they grow with the probes"
        fail=1
    else
        echo "alloc_check: $1: $2 -> $3 allocations (not per probe)"
    fi
}

net="--sim $here/../bench/net16.scn -sS -T5 -n -Pn 198.18.0.0/20"
a=$(count $net -p 22) || exit 1
b=$(count $net -p 22,80,443,3306,135,139,445,515,631,9100) || exit 1
# The 10-port scan must really have found the open ports (the shim must not break the scan).
grep -q '^3306/tcp *open' "$dir/out" || { echo "FAIL alloc_check: 10-port scan lost db:3306" >&2; exit 1; }
check "/20 x 1 port -> /20 x 10 ports" "$a" "$b"

a=$(count -sS -T5 -n -Pn -p 1-100 web) || exit 1
b=$(count -sS -T5 -n -Pn -p- web) || exit 1
grep -q '^443/tcp *open' "$dir/out" || { echo "FAIL alloc_check: -p- scan lost web:443" >&2; exit 1; }
check "one host, 100 ports -> 65535 ports" "$a" "$b"

# The counter itself must see allocations that grow: 4x the hosts, 4x the per-host results.
a=$(count $net -p 22 --exclude 198.18.4.0/22,198.18.8.0/21) || exit 1
b=$(count $net -p 22) || exit 1
if [ "$b" -le $((a + 1000)) ]; then
    echo "FAIL alloc_check: 1024 -> 4096 hosts went $a -> $b: the shim does not count"; fail=1
fi
exit $fail
