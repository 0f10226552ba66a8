#!/bin/sh
# run.sh — coverage-guided fuzzing with clang's libFuzzer, short runs seeded with real packets.
#
# usage: [FUZZ_SECONDS=30] [FUZZ_TARGETS="wire scenario"] tests/fuzz/run.sh
# For each tests/fuzz/fuzz_NAME.c (or those named in FUZZ_TARGETS): compiles it with
# `clang -fsanitize=fuzzer,address,undefined` together with the sources it lists in a line
#     // fuzz-sources: lib/wire_*.c sim/foo.c
# (globs expanded from the repository root; default lib/*.c), then runs it for FUZZ_SECONDS
# over a working copy of tests/fuzz/corpus/NAME/ in build-fuzz/, so new inputs libFuzzer finds
# do not land in the repository. A crash leaves build-fuzz/NAME-crash-* (the reproducer): fix
# the bug, then copy the file into tests/fuzz/corpus/NAME/ so replay.sh guards it for good.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
secs=${FUZZ_SECONDS:-30}
out=build-fuzz
command -v clang >/dev/null 2>&1 || { echo "fuzz: clang not found (apt-get install clang)" >&2; exit 1; }
mkdir -p "$out"
fail=0
for src in tests/fuzz/fuzz_*.c; do
    [ -f "$src" ] || continue
    name=$(basename "$src" .c)
    name=${name#fuzz_}
    if [ -n "${FUZZ_TARGETS:-}" ]; then
        case " $FUZZ_TARGETS " in *" $name "*) ;; *) continue ;; esac
    fi
    srcs=$(sed -n 's|^// *fuzz-sources: *||p' "$src" | head -n 1)
    [ -n "$srcs" ] || srcs="lib/*.c"
    bin="$out/fuzz_$name"
    echo "fuzz: building $name from $src $srcs"
    # shellcheck disable=SC2086 # globs in fuzz-sources are meant to expand
    if ! clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
        -fno-omit-frame-pointer -Wall -Wextra -Werror -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L \
        -I. -o "$bin" "$src" $srcs -lpcap -lpcre2-8 -lncursesw -lm; then
        echo "fuzz: FAILED to build $name" >&2
        fail=$((fail + 1))
        continue
    fi
    work="$out/corpus-$name"
    mkdir -p "$work"
    [ -d "tests/fuzz/corpus/$name" ] && cp -p "tests/fuzz/corpus/$name"/* "$work"/ 2>/dev/null
    echo "fuzz: running $name for ${secs}s"
    if ! "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$out/$name-" "$work" 2>"$out/$name.log"; then
        tail -n 40 "$out/$name.log" >&2
        echo "fuzz: FAILED: $name crashed; reproducer: $(ls -t "$out/$name"-* 2>/dev/null | head -n 1)" >&2
        fail=$((fail + 1))
    else
        grep -E '^stat::(number_of_executed_units|new_units_added)' "$out/$name.log" | sed "s/^/fuzz: $name /"
    fi
done
[ "$fail" -eq 0 ] && echo "fuzz: all targets ran without a crash"
[ "$fail" -eq 0 ]
