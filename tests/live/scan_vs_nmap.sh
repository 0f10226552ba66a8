#!/bin/bash
# scan_vs_nmap.sh — `tcplab scan --live` against real nmap, port by port, on a real kernel target.
#
# Why: nmap is the reference for port states and reasons (docs/facts/nmap.md section 1, from
# scan_engine_raw.cc / scan_engine_connect.cc). In two network namespaces (netns.sh) a Linux target
# has TCP ports open (listener), closed, DROPped, REJECTed with icmp-port-unreachable,
# icmp-admin-prohibited and tcp-reset, and UDP ports open (a listener that answers), closed and
# DROPped. For each scan type both support, nmap and tcplab scan it with the same options
# (--reason -oX, -T4 --max-retries 1, bounded by timeout); the two XML files (nmap's DTD) are
# compared state and reason for every port, and ndiff runs as a smoke check of tcplab's XML.
#
# Usage (root): [SCANVS_KEEP=DIR] tests/live/scan_vs_nmap.sh [TCPLAB]   exit 0 = all agree, 1 = disagreement,
# 2 = could not run. Only 198.18.0.0/15 inside namespaces made here; removed on every exit.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tcplab=$(cd "$(dirname "${1:-./tcplab}")" && pwd)/$(basename "${1:-./tcplab}")
[ -x "$tcplab" ] || { echo "scan_vs_nmap: no tcplab binary at $tcplab" >&2; exit 2; }
command -v nmap >/dev/null || { echo "scan_vs_nmap: nmap not installed" >&2; exit 2; }

TCP_OPEN="22,80"; TCP_CLOSED="23,81"; TCP_DROP=25
TCP_REJ_PORT=110; TCP_REJ_ADMIN=111; TCP_REJ_RST=113
UDP_OPEN=53; UDP_CLOSED=54; UDP_DROP=55
TCP_PORTS="$TCP_OPEN,$TCP_CLOSED,$TCP_DROP,$TCP_REJ_PORT,$TCP_REJ_ADMIN,$TCP_REJ_RST"
UDP_PORTS="$UDP_OPEN,$UDP_CLOSED,$UDP_DROP"

work=$(mktemp -d /tmp/tcplab-scanvs.XXXXXX)
. "$here/netns.sh"
cleanup() {
    tl_down
    if [ -n "${SCANVS_KEEP:-}" ]; then mkdir -p "$SCANVS_KEEP"; cp "$work"/* "$SCANVS_KEEP"/ 2>/dev/null || true; fi
    rm -rf "$work"
}
tl_up
trap 'cleanup' EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

# shellcheck disable=SC2046
tl_listen_tcp $(echo "$TCP_OPEN" | tr , ' ')
tl_listen_udp "$UDP_OPEN"
tl_drop "$TCP_DROP" tcp
tl_reject "$TCP_REJ_PORT" icmp-port-unreachable tcp
tl_reject "$TCP_REJ_ADMIN" icmp-admin-prohibited tcp
tl_reject "$TCP_REJ_RST" tcp-reset tcp
tl_drop "$UDP_DROP" udp
# Back-to-back scans share the target's per-peer ICMP bucket (burst 6, 1/s); without a limit
# every scan sees every ICMP error, so states and reasons do not depend on scan order.
tl_target sysctl -qw net.ipv4.icmp_ratelimit=0

common="-n -Pn --reason -T4 --max-retries 1"
fail=0
for st in sS sT sA sW sM sF sN sX sU; do
    if [ "$st" = sU ]; then ports=$UDP_PORTS; else ports=$TCP_PORTS; fi
    # shellcheck disable=SC2086
    if ! tl_scanner timeout 60 nmap -$st $common -e "$TL_IF_S" -p "$ports" \
            -oX "$work/nmap-$st.xml" "$TL_ADDR_T" >"$work/nmap-$st.out" 2>&1; then
        echo "scan_vs_nmap: -$st: nmap failed:" >&2; cat "$work/nmap-$st.out" >&2
        fail=1; continue
    fi
    # shellcheck disable=SC2086
    if ! tl_scanner timeout 60 "$tcplab" scan --live -e "$TL_IF_S" -S "$TL_ADDR_S" -$st $common \
            -p "$ports" -oX "$work/tcplab-$st.xml" "$TL_ADDR_T" >"$work/tcplab-$st.out" 2>&1; then
        echo "scan_vs_nmap: -$st: tcplab scan failed:" >&2; tail -20 "$work/tcplab-$st.out" >&2
        fail=1; continue
    fi
    /usr/bin/python3 "$here/nmapxml.py" "-$st" "$work/nmap-$st.xml" "$work/tcplab-$st.xml" || fail=1
    # ndiff: tcplab's XML must parse as nmap's; differences are expected only in banner fields
    # (scanner name, arguments, times, the MAC line raw IP sending does not learn), never in a
    # port row or the "Not shown" summary. Service names are taken out of both files first:
    # ours come from our own table (nmap-services is not ours to ship), so a port nmap calls
    # "rpcbind" we may call "sunrpc"; states and reasons are what must agree.
    for f in nmap tcplab; do
        sed 's/<service [^>]*\/>//g; s/<service [^>]*>.*<\/service>//g' "$work/$f-$st.xml" \
            > "$work/$f-$st.noserv.xml"
    done
    rc=0; ndiff "$work/nmap-$st.noserv.xml" "$work/tcplab-$st.noserv.xml" >"$work/ndiff-$st.out" 2>&1 || rc=$?
    if [ "$rc" -ge 2 ]; then
        echo "scan_vs_nmap: -$st: ndiff could not read the files:" >&2; cat "$work/ndiff-$st.out" >&2
        fail=1
    elif grep -qE '^[-+]([0-9]+/(tcp|udp)|Not shown)' "$work/ndiff-$st.out"; then
        echo "scan_vs_nmap: -$st: ndiff shows port differences:" >&2
        cat "$work/ndiff-$st.out" >&2
        fail=1
    fi
done
[ "$fail" -eq 0 ] && echo "scan_vs_nmap: 9 scan types, tcplab agrees with nmap on every port"
exit "$fail"
