/* cookie.h — stateless probe cookies: what goes into a probe so its reply proves itself.
 *
 * masscan's syn-cookie.c and zmap's validate.c: a keyed hash of the probe's identity goes into
 * the fields a reply must echo, so a reply is validated by recomputing, with no table lookup,
 * and forged or stray replies fail. Like nmap (scan_engine_raw.cc), the try number is
 * recoverable from the reply: the source port is a per-(target, port) base plus the try
 * number, and the sequence number, acknowledgement and IP ID are keyed by the try as well.
 * The key is per run, drawn from the seed, so simulated runs repeat byte for byte.
 */
#ifndef TCPLAB_SCANNER_COOKIE_H
#define TCPLAB_SCANNER_COOKIE_H

#include <stdint.h>

/* Probe families, part of the hashed identity so a late discovery reply can never be taken
 * for a port-scan reply to the same port. */
enum cookie_kind {
    COOKIE_PORT = 0,       /* port scan */
    COOKIE_PING_SYN, COOKIE_PING_ACK, COOKIE_PING_ECHO, COOKIE_PING_TS,
    COOKIE_SEQ,            /* OS-detection SEQ probes */
};

enum { COOKIE_MAX_TRIES = 64 };   /* sport base leaves room for this many tries */

struct cookie_key {
    uint8_t k[16];
    uint64_t v[4];         /* SipHash-2-4 state after keying, set by cookie_key_init: each
                            * cookie hash then starts from it instead of reloading k */
};

struct cookie {
    uint16_t sport;        /* base + tryno */
    uint32_t seq;          /* probe's sequence number */
    uint32_t ack;          /* probe's acknowledgement (when ACK is set) */
    uint16_t ipid;         /* probe's IP ID (quoted back in ICMP errors) */
    uint16_t icmp_id;      /* echo / timestamp identifier */
};

void cookie_key_init(struct cookie_key *key, uint64_t seed);
/* Source-port base for (dst, port, proto, kind): in [33000, 62999] (+ tryno < 64). */
uint16_t cookie_sport_base(const struct cookie_key *key, uint32_t dst, uint16_t port,
                           uint8_t proto, uint8_t kind);
/* Everything a probe carries for try `tryno`. */
void cookie_make(const struct cookie_key *key, uint32_t dst, uint16_t port, uint8_t proto,
                 uint8_t kind, uint8_t tryno, struct cookie *out);
/* The same, given base = cookie_sport_base(key, dst, port, proto, kind), which a pass may keep
 * per slot: a probe then costs two hashes instead of three. */
void cookie_make_based(const struct cookie_key *key, uint16_t base, uint32_t dst, uint16_t port,
                       uint8_t proto, uint8_t kind, uint8_t tryno, struct cookie *out);
/* ack << 32 | seq of cookie_make's result, with one hash: what matching a TCP reply needs. */
uint64_t cookie_seq_ack(const struct cookie_key *key, uint32_t dst, uint16_t port,
                        uint8_t proto, uint8_t kind, uint8_t tryno);

#endif
