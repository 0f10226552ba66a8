/* match.h — from a received datagram back to the probe that caused it, with no probe table:
 * the target and port are looked up in per-pass sorted arrays, the try number is decoded from
 * our port (cookie base + try), and the cookie is recomputed and compared (cookie.h).
 * Shared by the port scan, discovery and SEQ passes.
 */
#ifndef TCPLAB_SCANNER_MATCH_H
#define TCPLAB_SCANNER_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/wire.h"

/* A sorted (key -> index) table, built once per pass: key[j] is the j-th smallest key and
 * idx[j] its index in the input (stable: equal keys keep their input order). */
struct match_index {
    uint32_t *key;
    uint32_t *idx;
    size_t n;
    uint32_t *dense;   /* large 16-bit tables (a -p- scan's ports): key -> idx + 1, 0 absent */
};
int match_index_build(struct match_index *m, const uint32_t *keys32, const uint16_t *keys16,
                      size_t n);
void match_index_free(struct match_index *m);
/* Index of key, or -1. */
long match_index_find(const struct match_index *m, uint32_t key);

/* A TCP datagram as reply matching sees it: true when wire_parse() would accept it as IPv4
 * carrying a TCP header (the same length, version, IHL, fragment and data offset checks),
 * with ip and tcp filled as wire_parse fills them except that neither checksum is verified
 * (csum_ok false) and TCP options are not parsed (opt empty): replies are matched by cookie,
 * not checksum (portscan.c), and the scan types read only flags and window. Every reply of
 * a scan goes through here, so it costs a few loads instead of two checksum passes. */
bool match_parse_tcp(const uint8_t *d, size_t len, struct wire_ipv4 *ip, struct wire_tcp *tcp);

/* The part of an ICMP error's quote we need: the original IPv4 header and the first 8 bytes
 * of its payload (RFC 792). Parsed by hand because quotes are usually truncated datagrams. */
struct match_quote {
    uint8_t proto;
    uint16_t ipid;
    uint32_t src, dst;
    uint16_t sport, dport;   /* TCP/UDP */
    uint32_t seq;            /* TCP */
    uint8_t icmp_type;       /* ICMP: the quoted echo/timestamp */
    uint16_t icmp_id, icmp_seq;
};
/* true when `icmp` is an error (type 3 or 11) quoting at least 8 bytes of a datagram. */
bool match_quote_parse(const struct wire_icmp *icmp, struct match_quote *q);

#endif
