/* wire.h — typed views over IPv4, TCP, UDP and ICMP bytes: parse, emit, checksums.
 *
 * Shared by the simulator and the scanner (which may include nothing from sim/), so it
 * lives in lib/. Modelled on smoltcp's wire module: a parse fills a "repr" (plain fields,
 * host byte order) after checking every length once; emit writes a repr back to bytes with
 * correct checksums. Unlike smoltcp, the TCP repr keeps the raw flags byte and accepts port
 * 0, so NULL, Xmas, SYN+FIN and Maimon probes are representable.
 *
 * RFC 791 (IPv4), RFC 793 / RFC 9293 (TCP), RFC 768 (UDP), RFC 792 (ICMP), RFC 1071
 * (Internet checksum), RFC 7323 (timestamps, window scale), RFC 2018 (SACK).
 *
 * Parsers never read outside [buf, buf+len) and never crash on any input (fuzzed:
 * tests/fuzz/fuzz_wire.c). Checksum failures are reported in *_ok fields, not as parse errors,
 * so the pretty printer can show a bad packet and flag it.
 */
#ifndef TCPLAB_WIRE_H
#define TCPLAB_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    WIRE_IPV4_HDR_MIN = 20,
    WIRE_TCP_HDR_MIN = 20,
    WIRE_UDP_HDR = 8,
    WIRE_ICMP_HDR = 8,
    WIRE_TCP_OPT_MAX = 40,
    WIRE_MAX_DGRAM = 65535,
    WIRE_MTU = 1500,
};

enum { WIRE_PROTO_ICMP = 1, WIRE_PROTO_TCP = 6, WIRE_PROTO_UDP = 17 };

/* TCP flag bits, as in the header's 13th byte (RFC 793 plus ECN, RFC 3168). */
enum {
    TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08,
    TCP_ACK = 0x10, TCP_URG = 0x20, TCP_ECE = 0x40, TCP_CWR = 0x80,
};

/* TCP option kinds (IANA). */
enum {
    TCPOPT_EOL = 0, TCPOPT_NOP = 1, TCPOPT_MSS = 2, TCPOPT_WSCALE = 3,
    TCPOPT_SACK_PERM = 4, TCPOPT_SACK = 5, TCPOPT_TS = 8,
};

/* ICMP types and destination-unreachable codes (RFC 792, RFC 1812 5.2.7.1). */
enum {
    ICMP_ECHO_REPLY = 0, ICMP_UNREACH = 3, ICMP_ECHO = 8, ICMP_TIME_EXCEEDED = 11,
    ICMP_TIMESTAMP = 13, ICMP_TIMESTAMP_REPLY = 14,
};
enum {
    ICMP_NET_UNREACH = 0, ICMP_HOST_UNREACH = 1, ICMP_PROTO_UNREACH = 2,
    ICMP_PORT_UNREACH = 3, ICMP_FRAG_NEEDED = 4, ICMP_NET_PROHIB = 9,
    ICMP_HOST_PROHIB = 10, ICMP_ADMIN_PROHIB = 13,
};

/* Parse errors. A datagram that fails IPv4 parsing is not shown past its bytes. */
enum wire_err {
    WIRE_OK = 0,
    WIRE_ETRUNC = -1,   /* buffer shorter than a header or than a length field says */
    WIRE_EVERSION = -2, /* IP version is not 4 */
    WIRE_EIHL = -3,     /* IHL < 5 */
    WIRE_ELEN = -4,     /* total length / data offset / UDP length inconsistent */
    WIRE_EFRAG = -5,    /* a non-first fragment: no transport header to parse */
    WIRE_EPROTO = -6,   /* transport protocol this module does not parse */
};
const char *wire_strerror(int err);

/* IPv4 header. Addresses and every field in host byte order. */
struct wire_ipv4 {
    uint8_t tos;
    uint8_t ttl;
    uint8_t proto;
    uint8_t hdr_len;      /* bytes; emit writes 20 (no IP options) */
    uint16_t total_len;   /* from the header on parse; computed on emit */
    uint16_t id;
    bool df, mf;
    uint16_t frag_off;    /* in 8-byte units */
    uint16_t csum;        /* as found on parse */
    bool csum_ok;         /* parse: header checksum verified */
    uint32_t src, dst;
    const uint8_t *payload; /* parse: points into the parsed buffer */
    size_t payload_len;
};

/* TCP options, both parsed values and the order they appeared / are to be emitted in.
 * `order` lists option kinds (NOP and EOL included) so a stack's exact layout, e.g. Linux's
 * SYN-ACK "mss,sackOK,TS,nop,wscale", can be reproduced byte for byte. Parse lists an EOL
 * only at a 4-byte boundary of the listed options (elsewhere it is just padding), records
 * SACK blocks by reference (sack_blocks) and skips unknown kinds (the printers show them). */
struct wire_tcp_opts { /* emit writes order[] only; the has_* flags are ignored there */
    uint8_t order[WIRE_TCP_OPT_MAX];
    uint8_t n;            /* entries used in order[] */
    bool has_mss, sack_perm, has_ts, has_wscale;
    uint16_t mss;
    uint8_t wscale;
    uint32_t tsval, tsecr;
    bool malformed;       /* parse: an option ran past the header; the rest was ignored */
    /* SACK blocks (RFC 2018 section 3), kind TCPOPT_SACK in order[]: sack_n (0-4) pairs of
     * big-endian 32-bit left and right edges at sack_blocks, as on the wire. Parse points
     * into the parsed bytes (as payload does); emit copies them from wherever they are. */
    uint8_t sack_n;
    const uint8_t *sack_blocks;
};

struct wire_tcp {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t hdr_len;      /* bytes: data offset * 4; on emit computed from options */
    uint8_t flags;        /* raw byte: any combination, including none */
    uint8_t reserved;     /* the 4 reserved bits (incl. NS), kept as sent */
    uint16_t window;
    uint16_t csum;
    bool csum_ok;         /* parse: pseudo-header checksum verified */
    uint16_t urg;
    struct wire_tcp_opts opt;
    const uint8_t *payload;
    size_t payload_len;
};

struct wire_udp {
    uint16_t sport, dport;
    uint16_t len;         /* header + data as in the header */
    uint16_t csum;        /* 0 = not computed by the sender (RFC 768) */
    bool csum_ok;         /* true also when csum == 0 */
    const uint8_t *payload;
    size_t payload_len;
};

/* ICMP. For echo/timestamp: id and seq. For errors (3, 11): `quote` is the original
 * datagram's IP header + first bytes, as RFC 792 requires (at least 8 bytes of data). */
struct wire_icmp {
    uint8_t type, code;
    uint16_t csum;
    bool csum_ok;
    uint16_t id, seq;     /* echo and timestamp */
    uint32_t rest;        /* the 4 bytes after the checksum, raw (host order) */
    const uint8_t *payload; /* bytes after the 8-byte header (echo data, or the quote) */
    size_t payload_len;
};

/* A whole parsed datagram. l4_err is the transport parse result (WIRE_OK when the
 * transport header was parsed; tcp/udp/icmp valid according to ip.proto). */
struct wire_pkt {
    struct wire_ipv4 ip;
    int l4_err;
    union {
        struct wire_tcp tcp;
        struct wire_udp udp;
        struct wire_icmp icmp;
    } l4;
};

/* --- checksums (RFC 1071) --- */
uint32_t wire_csum_add(uint32_t sum, const void *data, size_t len); /* partial sum */
uint16_t wire_csum_fold(uint32_t sum);                             /* ~fold */
uint32_t wire_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);

/* --- parse --- */
/* The fixed 20-byte TCP header at p into t (ports, seq, ack, data offset, reserved bits,
 * flags, window, checksum as found, urgent pointer): no option parsing, no checksum check.
 * For parsers that have already checked the lengths: wire_tcp_parse and the scanner's lean
 * reply parser (scanner/match.c), which lets the keyed cookie stand in for the checksum. */
static inline void wire_tcp_fixed(const uint8_t *p, struct wire_tcp *t)
{
    t->sport = (uint16_t)(p[0] << 8 | p[1]);
    t->dport = (uint16_t)(p[2] << 8 | p[3]);
    t->seq = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
    t->ack = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11];
    t->hdr_len = (uint8_t)((p[12] >> 4) * 4);
    t->reserved = p[12] & 0x0f;
    t->flags = p[13];
    t->window = (uint16_t)(p[14] << 8 | p[15]);
    t->csum = (uint16_t)(p[16] << 8 | p[17]);
    t->urg = (uint16_t)(p[18] << 8 | p[19]);
}

int wire_ipv4_parse(const uint8_t *buf, size_t len, struct wire_ipv4 *out);
int wire_tcp_parse(const struct wire_ipv4 *ip, struct wire_tcp *out);
int wire_udp_parse(const struct wire_ipv4 *ip, struct wire_udp *out);
int wire_icmp_parse(const struct wire_ipv4 *ip, struct wire_icmp *out);
/* IPv4 then the transport layer. Returns the IPv4 result; see pkt->l4_err for the rest. */
int wire_parse(const uint8_t *buf, size_t len, struct wire_pkt *pkt);
/* Parse TCP options from raw bytes (used by wire_tcp_parse). */
void wire_tcp_opts_parse(const uint8_t *p, size_t len, struct wire_tcp_opts *o);

/* The datagram an ICMP error (types 3, 4, 5, 11, 12) quotes: its IP header and first bytes
 * (RFC 792; RFC 1812 §4.3.2.3 lets routers quote more, Linux quotes up to 576 bytes in all).
 * Lenient where wire_ipv4_parse is strict: a quote is normally cut short, so its total length
 * may exceed the bytes present; ip.payload_len counts the bytes present. The scanner matches
 * replies to probes with it (nmap: the quoted ports, TCP seq, IP ID). */
struct wire_quote {
    struct wire_ipv4 ip;  /* ip.csum_ok is the quoted header's checksum */
    bool has_ports;       /* the first 8 transport bytes are present */
    uint16_t sport, dport; /* TCP/UDP ports (for ICMP: type<<8|code, checksum) */
    uint32_t seq;         /* TCP sequence number (UDP: length<<16|checksum; ICMP: id<<16|seq) */
    bool has_flags;       /* TCP, and 14 transport bytes present */
    uint8_t flags;
};
/* WIRE_OK, WIRE_EPROTO when icmp is not an error type, or the quote's IPv4 parse error
 * (WIRE_ETRUNC when even the quoted IP header is incomplete). */
int wire_icmp_quote(const struct wire_icmp *icmp, struct wire_quote *q);
/* True for the ICMP types that quote a datagram: 3, 4, 5, 11, 12. */
bool wire_icmp_is_error(uint8_t type);

/* --- emit ---
 * Each writes a whole IPv4 datagram (20-byte header, no IP options) into buf and returns
 * its length, or 0 when cap is too small. ip->total_len, ip->hdr_len and both checksums are
 * computed; payload bytes are copied from the repr's payload pointer. */
size_t wire_emit_tcp(uint8_t *buf, size_t cap, const struct wire_ipv4 *ip, const struct wire_tcp *tcp);
size_t wire_emit_udp(uint8_t *buf, size_t cap, const struct wire_ipv4 *ip, const struct wire_udp *udp);
/* The 4 bytes after the ICMP checksum: id<<16|seq for echo, echo reply, timestamp and
 * timestamp reply (types 0, 8, 13, 14); `rest` for every other type (errors: 0, or the
 * next-hop MTU in the low 16 bits for "fragmentation needed", RFC 1191). */
size_t wire_emit_icmp(uint8_t *buf, size_t cap, const struct wire_ipv4 *ip, const struct wire_icmp *icmp);
/* Bytes the options take on the wire, padded to a multiple of 4. */
size_t wire_tcp_opts_len(const struct wire_tcp_opts *o);
/* Writes options (padded with EOL to 4 bytes); returns bytes written. */
size_t wire_tcp_opts_emit(uint8_t *p, const struct wire_tcp_opts *o);

/* --- text ---
 * One-line summary, tcpdump-like: "198.51.100.10:40000 > 198.51.100.30:80 TCP [S] seq=1
 * win=1024 <mss 1460> len=0 ttl=64 id=0 DF". Marks "BAD-CSUM" where a checksum fails.
 * Returns what snprintf would. Other shapes (wire_text.c; tests/unit/test_wire.c pins them):
 *   "A:P > B:P UDP len=4 ttl=64 id=1 DF"
 *   "A > B ICMP echo-request ident=4660 seq=1 len=32 ttl=64 id=1"
 *   "A > B ICMP port-unreachable {A:P > B:P UDP} tos=0xc0 ttl=64 id=1"  (the quote, TCP adds
 *      " [S] seq=N" as far as quoted; frag-needed adds " mtu=N" before the quote)
 *   "A > B TCP (truncated) len=10 ttl=64 id=1", "invalid IPv4 (truncated) 12 bytes"
 * ack= appears when ACK is set or the field is non-zero, urg= likewise with URG, res=0xN
 * for reserved bits, tos=0xNN when non-zero, MF / off=BYTES for fragments, ipopts=N. */
int wire_summary(char *out, size_t cap, const uint8_t *buf, size_t len);
/* Layered, multi-line (one line per layer, then a hex dump when hex is true). */
int wire_pretty(char *out, size_t cap, const uint8_t *buf, size_t len, bool hex);
/* "SA", "FPU", "none": scapy's letters in the order F S R P A U E C. */
const char *wire_flags_str(uint8_t flags, char buf[9]);
/* Parses scapy letters ("SA", "FPU", "none", case-insensitive); -1 on a bad letter. */
int wire_flags_parse(const char *s);
/* Dotted quad into buf[16]. */
const char *wire_ip_str(uint32_t addr, char buf[16]);
/* Dotted quad to host-order address; 0 on success, -1 if not exactly a dotted quad. */
int wire_ip_parse(const char *s, uint32_t *out);

#endif
