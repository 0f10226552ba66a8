#!/bin/sh
# replay.sh — replays every fuzz target's seed corpus without libFuzzer, as a regression test.
#
# usage: tests/fuzz/replay.sh BUILD CC "CFLAGS" "LDFLAGS"
#   e.g. tests/fuzz/replay.sh build-san cc "-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all" \
#        "-fsanitize=address,undefined"
# For each tests/fuzz/fuzz_NAME.c: compiles it with driver.c against BUILD/libtcplab.a, runs
# it over tests/fuzz/corpus/NAME/ (every file; reproducers libFuzzer saved may be added
# there). Generic: a new fuzz_NAME.c with a corpus/NAME/ directory is picked up as is.
# Exits non-zero, naming the target, if any target fails to build, lacks a corpus or crashes.
# Run from anywhere; BUILD is taken relative to the repository root unless absolute.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
build=${1:-build}
cc=${2:-cc}
cflags=${3:--O1 -g}
ldflags=${4:-}
lib="$build/libtcplab.a"
if [ ! -f "$lib" ]; then
    echo "replay: $lib not found; build it first (make BUILD=$build $lib)" >&2
    exit 1
fi
mkdir -p "$build/fuzz"
fail=0
n=0
for src in tests/fuzz/fuzz_*.c; do
    [ -f "$src" ] || continue
    name=$(basename "$src" .c)
    name=${name#fuzz_}
    bin="$build/fuzz/replay_$name"
    corpus="tests/fuzz/corpus/$name"
    n=$((n + 1))
    # shellcheck disable=SC2086 # flags are word lists on purpose
    if ! $cc -std=c11 -Wall -Wextra -Werror -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -I. \
        $cflags -o "$bin" "$src" tests/fuzz/driver.c "$lib" $ldflags -lpcap -lpcre2-8 -lncursesw -lm; then
        echo "replay: FAILED to build $src" >&2
        fail=$((fail + 1))
        continue
    fi
    if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus")" ]; then
        echo "replay: FAILED: $src has no corpus in $corpus/" >&2
        fail=$((fail + 1))
        continue
    fi
    if ! "$bin" "$corpus"; then
        echo "replay: FAILED: fuzz target $name crashed on an input in $corpus/ (rerun: $bin $corpus)" >&2
        fail=$((fail + 1))
    fi
done
echo "replay: $n fuzz targets, $fail failed"
[ "$fail" -eq 0 ]
