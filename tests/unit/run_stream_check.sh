#!/bin/sh
# run_stream_check.sh TCPLAB — `tcplab run` writes its transcript as the events happen, so its
# memory is bounded by what is in flight, not by the length of the run (issue 13 item 3: a
# `connect ... send 2147483648` exhausted memory keeping the whole transcript until the end).
# A 20 MB transfer (about 55,000 transcript lines, 75 MB of heap when kept whole) must run
# inside a 64 MB address-space limit, and its transcript must equal the same run's through a pipe (nothing lost or reordered by streaming).
set -u
bin=$1
dir=$(mktemp -d /tmp/tcplab-stream.XXXXXX)
trap 'rm -rf "$dir"' EXIT
printf 'host a 198.51.100.1 os linux\nhost b 198.51.100.2 os linux tcp 80\nconnect a -> b:80 at 0s send 20000000 close 1s\n' > "$dir/big.scn"
printf 'host a 198.51.100.1 os linux\nhost b 198.51.100.2 os linux tcp 80\nconnect a -> b:80 at 0s close 1s\n' > "$dir/small.scn"
# 64 MB of address space: an idle run needs about 10; the whole transcript of this run needed
# over 75 MB of heap alone. A sanitizer build reserves terabytes of shadow memory and cannot
# run under any such limit: then only the comparison below runs.
lim=65536
if ! (ulimit -v "$lim"; "$bin" version) >/dev/null 2>&1; then
    echo "run_stream_check: $bin cannot run under ulimit -v (a sanitizer build?): limit skipped"
    lim=unlimited
fi
if ! (ulimit -v "$lim"; "$bin" run "$dir/big.scn" > "$dir/limited.txt" 2>"$dir/err"); then
    echo "run_stream_check: a 20 MB transfer did not run within ${lim} KB: $(head -c 200 "$dir/err")" >&2
    exit 1
fi
"$bin" run "$dir/big.scn" | cat > "$dir/piped.txt"
n=$(wc -l < "$dir/limited.txt")
if [ "$n" -lt 50000 ] || ! cmp -s "$dir/limited.txt" "$dir/piped.txt"; then
    echo "run_stream_check: the transcript has $n lines or differs between runs" >&2
    exit 1
fi
echo "run_stream_check: $n transcript lines within ${lim} KB of address space"
