#!/bin/sh
# owners.sh — a module owns its state: no file of sim/ but host.c (and host_icmp.c, its
# ICMP output) writes a field of struct host.
#
# Why: when the engine, the script, the attach layer and populations each poke a host's
# fields, a reader cannot tell which of them keeps the struct consistent, and a change to one
# breaks another. They ask through host.h's setters instead (host_set_filter, host_set_tap,
# host_connect_waiting, ...). The check reads each struct's field names from its header and
# looks in the other files that see struct host (they include host.h or engine.h) for an
# assignment, ++ or -- through `h->FIELD` (also `h->FIELD.x`, `h->FIELD[i]`), and for a
# field's address kept in a pointer (`p = &h->FIELD;`), the way around a setter. The
# simulator's code calls its host pointers h, dh, fh or sender; calling a module's function
# on a host's embedded member (gen_ipid_next(&h->ipid, ...)) is that module's business.
#
# Usage: sh tests/unit/owners.sh   (make unit runs it)
cd "$(dirname "$0")/../.." || exit 2
fail=0

# fields STRUCT HEADER: the member names of `struct STRUCT {` ... `};` in HEADER.
fields() {
    sed -n "/^struct $1 {/,/^};/p" "$2" | sed '1d;$d' | sed 's|/\*.*||' |
        tr ',;' '\n\n' | sed 's/\[.*//' | awk 'NF { print $NF }' | tr -d '*' | sort -u
}

check() {   # STRUCT HEADER OWNER [EXTRA-OWNERS...]
    st=$1; hdr=$2; shift 2
    f=$(fields "$st" "$hdr" | paste -sd'|')
    [ -n "$f" ] || { echo "owners: no fields read from struct $st in $hdr" >&2; fail=1; return; }
    for src in sim/*.c; do
        own=0
        for o in "$@"; do [ "$src" = "$o" ] && own=1; done
        [ "$own" = 1 ] && continue
        grep -q '#include "host.h"\|#include "engine.h"' "$src" || continue   # no struct host here
        p='\b(h|dh|fh|sender)->'"($f)"'(\.[a-z_]+|\[[^]]*\])*'
        hits=$(grep -nE "$p\s*(=[^=]|\+\+|--|\+=|-=|\|=|&=)|(\+\+|--)$p|=\s*&$p\s*;" "$src")
        if [ -n "$hits" ]; then
            echo "owners: $src writes struct $st (owned by $*):" >&2
            echo "$hits" | sed 's/^/    /' >&2
            fail=1
        fi
    done
}

check host sim/host.h sim/host.c sim/host_icmp.c
[ "$fail" -eq 0 ] || exit 1
echo "owners: struct host is written by sim/host.c and sim/host_icmp.c alone"
