# bench_common.sh — what the benchmark scripts (scale_bench.sh, scan_bench.sh) start with,
# sourced as `. "$here/bench_common.sh"` with the script's own arguments ([TCPLAB]) after it
# sets here (tests/bench) and me (its name, for its messages and its scratch directory).
# Sets root (the source tree), tcplab ($1, else $TCPLAB, else ./tcplab at the top of the
# repo: what `make bench` builds) and dir, a scratch directory removed on every exit path.
# Not a benchmark itself: run.sh skips it.
# shellcheck shell=sh disable=SC2154   # here, me: set by the sourcing script
root=$(cd "$here/../.." && pwd)
tcplab=${1:-${TCPLAB:-$root/tcplab}}
[ -x "$tcplab" ] || { echo "$me: $tcplab not built" >&2; exit 1; }
dir=$(mktemp -d "/tmp/tcplab-$me.XXXXXX")
trap 'rm -rf "$dir"' EXIT
trap 'rm -rf "$dir"; exit 130' INT
trap 'rm -rf "$dir"; exit 143' TERM
