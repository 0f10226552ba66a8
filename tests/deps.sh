#!/bin/sh
# deps.sh — the Debian packages tcplab needs to build, test and bench. Installs the missing
# ones when run as root (CI, a fresh machine); otherwise prints what to install.
PKGS="build-essential clang libclang-rt-14-dev libpcap-dev libncurses-dev libcmocka-dev pkg-config \
iproute2 iptables nmap ndiff hping3 python3-scapy tshark tcpdump xsltproc libxml2-utils tmux iputils-ping \
groff-base man-db \
libpcre2-dev netcat-openbsd curl"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "deps: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq $missing >/dev/null || {
        echo "deps: apt-get install failed for:$missing" >&2; exit 1; }
else
    echo "deps: missing Debian packages:$missing" >&2
    echo "deps: run 'sudo apt-get install$missing' (or run make as root)" >&2
    case "$missing" in *libpcap-dev*|*libcmocka-dev*|*libncurses-dev*|*libpcre2-dev*) exit 1;; esac
fi
