#!/bin/sh
# completion_check.sh — the bash completion (docs/tcplab.bash-completion) completes what it
# promises, run non-interactively: a bash sources the file, sets COMP_WORDS/COMP_CWORD as
# readline would, calls _tcplab and compares COMPREPLY with what the binary accepts.
#
# Usage: sh tests/unit/completion_check.sh [TCPLAB]   (make unit passes build/tcplab)
cd "$(dirname "$0")/../.." || exit 2
root=$(pwd)
tcplab=${1:-build/tcplab}
case $tcplab in /*) ;; *) tcplab=$root/$tcplab ;; esac
if ! command -v bash > /dev/null 2>&1; then
    echo "completion_check: bash is missing: cannot test the bash completion" >&2
    exit 1
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/labs"
printf 'host scanner 198.51.100.10 role scanner\nhost web 198.51.100.20 tcp 80\nhost www 198.51.100.21\n' \
    > "$tmp/labs/net.scn"
: > "$tmp/labs/notes.txt"
mkdir "$tmp/labs/more"

cd "$tmp/labs" && TCPLAB="$tcplab" COMPLETION="$root/docs/tcplab.bash-completion" bash -c '
fail=0
# complete WORD... : COMP_WORDS = tcplab WORD..., the cursor on the last word.
complete_words() {
    COMP_WORDS=("$TCPLAB" "$@")
    COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
    COMPREPLY=()
    _tcplab
    printf "%s\n" "${COMPREPLY[@]}" | sort
}
# expect "WANTED WORDS" [exact] -- WORD...: each wanted word is offered (exact: nothing else).
expect() {
    local want=$1 mode=$2; shift 3
    local got; got=$(complete_words "$@")
    local w
    for w in $want; do
        if ! printf "%s\n" "$got" | grep -qxF -- "$w"; then
            echo "completion_check: tcplab $* <TAB> does not offer $w; offers:" $got >&2
            fail=1
        fi
    done
    if [ "$mode" = exact ] && [ "$(printf "%s\n" $want | sort)" != "$got" ]; then
        echo "completion_check: tcplab $* <TAB> offers:" $got "; want exactly:" $want >&2
        fail=1
    fi
}
refuse() {   # refuse WORD -- WORD...: WORD is not offered
    local no=$1; shift 2
    if complete_words "$@" | grep -qxF -- "$no"; then
        echo "completion_check: tcplab $* <TAB> offers $no, which it should not" >&2
        fail=1
    fi
}
. "$COMPLETION" || { echo "completion_check: sourcing the completion failed" >&2; exit 1; }
complete -p tcplab > /dev/null || { echo "completion_check: no completion registered" >&2; exit 1; }

expect "scan run version"      any   -- ""
expect "scan"                  exact -- sc
expect "run"                   exact -- ru
expect "-sS -sT -sU -sI -sA -sV" any  -- scan -s
expect "-A --version-intensity --version-light --version-all" any -- scan -
expect "0 7 9"                 any   -- scan -sV --version-intensity ""
expect "--sim"                 exact -- scan --si
expect "-T0 -T5 -oX -oN --reason --seq" any -- scan -
expect "net.scn more"          any   -- scan --sim ""
refuse notes.txt                     -- scan --sim ""
expect "web www"               exact -- scan --sim net.scn -sS w
expect "web www scanner"       exact -- scan -sS --sim net.scn -p 80 ""
expect "default net.scn"       any   -- run ""
refuse notes.txt                     -- run ""
expect "--pcap --seed --until" any   -- run net.scn --
expect "notes.txt net.scn"     any   -- run net.scn --pcap ""
expect ""                      exact -- run net.scn ""
expect "--json --as"           any   -- run net.scn --
expect "web www scanner"       exact -- run net.scn --as ""
expect "diff"                  exact -- dif
expect "default net.scn"       any   -- diff ""
expect "net.scn"               any   -- diff net.scn ""
expect ""                      exact -- diff net.scn net.scn ""
expect "--as --set --set-a --set-b --seed --until --context" any -- diff net.scn --
expect "web www scanner"       exact -- diff net.scn --as ""
expect "web. www. scanner. seed=" exact -- diff net.scn --set ""
expect "attach"                exact -- atta
expect "default net.scn"       any   -- attach ""
expect "--as --record --replay --pcap --json --until" any -- attach net.scn --
expect "web www scanner"       exact -- attach net.scn --as ""
expect "python3"               any   -- attach net.scn -- pyth
expect "notes.txt"             any   -- attach net.scn -- python3 ""
# every option the completion offers for scan is one the binary accepts (not "unknown")
for o in $(complete_words scan -); do
    case $o in -sI|-p|-iL|-e|-S|-g|-oN|-oG|-oX|-oJ|-oA|--*=*) continue ;; esac
    if "$TCPLAB" scan "$o" --help 2>&1 | grep -qi "unknown\|unrecognized\|not an option"; then
        echo "completion_check: the completion offers $o, which tcplab scan rejects" >&2
        fail=1
    fi
done
# lab names, when the binary has `tcplab lab list`
if "$TCPLAB" lab list > /dev/null 2>&1; then
    first=$("$TCPLAB" lab list | awk "/^[a-z0-9][a-z0-9_.-]*([ \t]|\$)/ { print \$1; exit }")
    [ -n "$first" ] && expect "$first" any -- lab show ""
    expect "list show" any -- lab ""
fi
exit $fail
' || exit 1
echo "completion_check: subcommands, options, scenario files, host names and lab names complete"
