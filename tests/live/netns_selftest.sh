#!/bin/bash
# netns_selftest.sh — netns.sh builds a working pair of namespaces and removes everything on
# every exit path: normal exit, SIGTERM (what timeout(1) sends) and SIGINT.
#
# Why: the live tests' safety rule (README.md "Safety") is that nothing they create
# outlives them. This checks it: a child shell sources netns.sh, brings the pair up, starts a
# listener, adds iptables rules, and then exits or is killed; afterwards its namespaces and veths
# must be gone. Only 198.18.0.0/15 inside the namespaces is used.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
fail=0

gone() {   # gone TAG: no namespace or interface of that tag remains
    ! ip netns list | grep -qE "^tl[ST]$1( |\$)" && ! ip link show "tls$1" >/dev/null 2>&1 &&
        ! ip link show "tlt$1" >/dev/null 2>&1
}

for how in exit TERM INT; do
    tag="st$$$how"; tag=${tag:0:11}
    TL_TAG=$tag bash -c '
        . "$1/netns.sh"; tl_up; tl_listen_tcp 80; tl_reject 113 tcp-reset; tl_drop 25
        # The pair works: a TCP connect from the scanner reaches the listener.
        tl_scanner /usr/bin/python3 -c "import socket; socket.create_connection((\"198.18.0.2\", 80), 2).close()" ||
            { echo "netns_selftest: connect to the listener failed" >&2; exit 3; }
        echo "up $TL_PIDS" > "$2"
        case "$3" in exit) exit 0 ;; *) kill -s "$3" $$; sleep 5 ;; esac
    ' _ "$here" "/tmp/tl_selftest.$tag" "$how" >/dev/null 2>&1 || true
    if ! grep -q up "/tmp/tl_selftest.$tag" 2>/dev/null; then
        echo "netns_selftest: set-up failed ($how)" >&2; fail=1
    fi
    # The listener processes must be gone too (an unnamed namespace lives on while they run).
    for p in $(sed 's/^up//' "/tmp/tl_selftest.$tag" 2>/dev/null); do
        if kill -0 "$p" 2>/dev/null; then
            echo "netns_selftest: listener $p still running after $how" >&2; kill "$p"; fail=1
        fi
    done
    rm -f "/tmp/tl_selftest.$tag"
    if ! gone "$tag"; then
        echo "netns_selftest: namespaces or veths left after $how (tag $tag)" >&2
        ip netns del "tlS$tag" 2>/dev/null || true; ip netns del "tlT$tag" 2>/dev/null || true
        fail=1
    fi
done
# Refuses addresses outside 198.18.0.0/15.
if (. "$here/netns.sh"; tl_check_addr 192.0.2.1) 2>/dev/null; then
    echo "netns_selftest: tl_check_addr accepted 192.0.2.1" >&2; fail=1
fi
exit "$fail"
