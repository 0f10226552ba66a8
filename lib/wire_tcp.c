/* wire_tcp.c — TCP header and options: parse, emit, flag letters (RFC 9293 §3.1, RFC 7323
 * §2-3 window scale and timestamps, RFC 2018 SACK-permitted, RFC 6691 MSS).
 *
 * Unlike smoltcp's tcp::Repr, the flags byte is kept raw and port 0 is legal, so the NULL,
 * Xmas, SYN+FIN and Maimon probes of nmap (scan_engine.cc) parse and re-emit unchanged. The
 * 4 reserved bits (RFC 9293 "Rsrvd", once RFC 3540's NS) are kept too: some OS probes set them.
 *
 * Options follow Linux's tcp_parse_options() (net/ipv4/tcp_input.c): EOL ends the list, NOP
 * is one byte, a length < 2 or running past the header stops parsing ("silly options"), and a
 * known kind with the wrong length is skipped. Each option understood is recorded in
 * opt.order[] so a stack's exact layout (Linux's SYN "mss,sackOK,TS,nop,wscale") re-emits
 * byte for byte. SACK blocks (RFC 2018 section 3: 1-4 pairs of edges) are recorded by
 * reference to their bytes; unknown kinds are skipped, not recorded: the repr cannot hold
 * their data (the text printer reads them from the raw bytes instead). An EOL is
 * recorded only at a 4-byte boundary of the recorded options ("mss,eol" + padding), since
 * elsewhere it is indistinguishable from emit's own padding.
 */
#include "wire_int.h"

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

static void opts_push(struct wire_tcp_opts *o, uint8_t kind)
{
    if (o->n < WIRE_TCP_OPT_MAX)
        o->order[o->n++] = kind;
}

/* Records one option of kind/olen at p (p[0] is the kind byte) if its length is right;
 * returns the bytes recorded (olen or 0). */
static size_t opts_take(struct wire_tcp_opts *o, const uint8_t *p, uint8_t olen)
{
    switch (p[0]) {
    case TCPOPT_MSS:
        if (olen != 4)
            return 0;
        o->has_mss = true;
        o->mss = wire_ld16(p + 2);
        break;
    case TCPOPT_WSCALE:
        if (olen != 3)
            return 0;
        o->has_wscale = true;
        o->wscale = p[2];
        break;
    case TCPOPT_SACK_PERM:
        if (olen != 2)
            return 0;
        o->sack_perm = true;
        break;
    case TCPOPT_TS:
        if (olen != 10)
            return 0;
        o->has_ts = true;
        o->tsval = wire_ld32(p + 2);
        o->tsecr = wire_ld32(p + 6);
        break;
    case TCPOPT_SACK:
        if (olen < 10 || olen > 34 || (olen - 2) % 8)
            return 0;
        o->sack_n = (uint8_t)((olen - 2) / 8);
        o->sack_blocks = p + 2;
        break;
    default:
        return 0;
    }
    opts_push(o, p[0]);
    return olen;
}

/* What opts_take records for a well-formed option of kind, with its value from src (the
 * repr being emitted): the parse of emitted bytes, without the bytes. */
static void opts_take_emitted(struct wire_tcp_opts *v, const struct wire_tcp_opts *src,
                              uint8_t kind, const uint8_t *at)
{
    switch (kind) {
    case TCPOPT_MSS:
        v->has_mss = true;
        v->mss = src->mss;
        break;
    case TCPOPT_WSCALE:
        v->has_wscale = true;
        v->wscale = src->wscale;
        break;
    case TCPOPT_SACK_PERM:
        v->sack_perm = true;
        break;
    case TCPOPT_TS:
        v->has_ts = true;
        v->tsval = src->tsval;
        v->tsecr = src->tsecr;
        break;
    case TCPOPT_SACK:
        v->sack_n = src->sack_n;
        v->sack_blocks = at + 2;
        break;
    default:   /* NOP */
        break;
    }
    opts_push(v, kind);
}

/* The general option walk of wire_tcp_opts_parse, for *o already zeroed. Out of line: the
 * common layouts never come here, and keeping its loop out of the parse spares the parse
 * the registers it needs. */
static __attribute__((noinline)) void opts_parse_walk(const uint8_t *p, size_t len,
                                                      struct wire_tcp_opts *o)
{
    size_t i = 0;
    size_t rec = 0; /* bytes the options recorded so far take when emitted */
    while (i < len) {
        uint8_t kind = p[i];
        if (kind == TCPOPT_EOL) {
            /* Listed only where it changes the emitted bytes: at a 4-byte boundary. Elsewhere
             * emit's EOL padding recreates it, and listing it would make padding grow. */
            if (rec % 4 == 0)
                opts_push(o, kind);
            return;
        }
        if (kind == TCPOPT_NOP) {
            opts_push(o, kind);
            rec++;
            i++;
            continue;
        }
        if (len - i < 2 || p[i + 1] < 2 || p[i + 1] > len - i) {
            o->malformed = true;
            return;
        }
        rec += opts_take(o, p + i, p[i + 1]);
        i += p[i + 1];
    }
}

/* Linux's SYN layout (tcp_options_write: "mss,sackOK,TS,nop,wscale", 20 bytes) as kind and
 * length bytes, the values masked out: what the walk would read, in one comparison. */
static bool opts_is_linux_syn(const uint8_t *p)
{
    return wire_ld32(p) >> 16 == 0x0204 && wire_ld32(p + 4) == 0x0402080au &&
           wire_ld32(p + 16) >> 8 == 0x010303;
}

/* The common layouts first, each recorded exactly as the walk records it (the unit tests
 * compare them with the walk, opts_parse_walk): none, a lone MSS (nmap's SYN probes and the
 * SYN-ACKs that answer them), Linux's SYN. Everything else walks. */
void wire_tcp_opts_parse(const uint8_t *p, size_t len, struct wire_tcp_opts *o)
{
    *o = (struct wire_tcp_opts){0};
    if (len == 0)
        return;
    if (len == 4 && p[0] == TCPOPT_MSS && p[1] == 4) {
        o->order[0] = TCPOPT_MSS;
        o->n = 1;
        o->has_mss = true;
        o->mss = wire_ld16(p + 2);
        return;
    }
    if (len == 20 && opts_is_linux_syn(p)) {
        memcpy(o->order, (const uint8_t[]){ TCPOPT_MSS, TCPOPT_SACK_PERM, TCPOPT_TS,
                                            TCPOPT_NOP, TCPOPT_WSCALE }, 5);
        o->n = 5;
        o->has_mss = o->sack_perm = o->has_ts = o->has_wscale = true;
        o->mss = wire_ld16(p + 2);
        o->tsval = wire_ld32(p + 8);
        o->tsecr = wire_ld32(p + 12);
        o->wscale = p[19];
        return;
    }
    opts_parse_walk(p, len, o);
}

/* Bytes one option kind takes when emitted from o; 0 for kinds the repr cannot carry (and
 * for SACK without blocks). */
static size_t opt_size(uint8_t kind, const struct wire_tcp_opts *o)
{
    switch (kind) {
    case TCPOPT_SACK: return o->sack_n && o->sack_n <= 4 && o->sack_blocks ? 2u + 8u * o->sack_n : 0;
    case TCPOPT_EOL:
    case TCPOPT_NOP: return 1;
    case TCPOPT_MSS: return 4;
    case TCPOPT_WSCALE: return 3;
    case TCPOPT_SACK_PERM: return 2;
    case TCPOPT_TS: return 10;
    default: return 0;
    }
}

/* Writes one option of kind, sz = opt_size(kind) > 0 bytes, at q with o's values. */
static inline void opt_write(uint8_t *q, uint8_t kind, size_t sz, const struct wire_tcp_opts *o)
{
    q[0] = kind;
    if (sz > 1)
        q[1] = (uint8_t)sz;
    if (kind == TCPOPT_MSS)
        wire_st16(q + 2, o->mss);
    else if (kind == TCPOPT_WSCALE)
        q[2] = o->wscale;
    else if (kind == TCPOPT_TS) {
        wire_st32(q + 2, o->tsval);
        wire_st32(q + 6, o->tsecr);
    } else if (kind == TCPOPT_SACK)
        memmove(q + 2, o->sack_blocks, sz - 2);   /* may be a parsed packet's own bytes */
}

size_t wire_tcp_opts_len(const struct wire_tcp_opts *o)
{
    size_t len = 0;
    size_t n = o->n < WIRE_TCP_OPT_MAX ? o->n : WIRE_TCP_OPT_MAX;
    for (size_t i = 0; i < n; i++)
        len += opt_size(o->order[i], o);
    return (len + 3) & ~(size_t)3;
}

size_t wire_tcp_opts_emit(uint8_t *p, const struct wire_tcp_opts *o)
{
    size_t at = 0;
    size_t n = o->n < WIRE_TCP_OPT_MAX ? o->n : WIRE_TCP_OPT_MAX;
    for (size_t i = 0; i < n; i++) {
        uint8_t kind = o->order[i];
        uint8_t *q = p + at;
        size_t sz = opt_size(kind, o);
        if (sz == 0)
            continue;
        opt_write(q, kind, sz, o);
        at += sz;
    }
    while (at & 3)
        p[at++] = TCPOPT_EOL;
    return at;
}

int wire_tcp_parse(const struct wire_ipv4 *ip, struct wire_tcp *out)
{
    return wire_tcp_parse_v(ip, out, true);
}

/* A failed parse leaves *out zeroed (defined on every path; failures are rare). */
static int wire_tcp_fail(struct wire_tcp *out, int err)
{
    memset(out, 0, sizeof *out);
    return err;
}

int wire_tcp_parse_v(const struct wire_ipv4 *ip, struct wire_tcp *out, bool verify)
{
    int err = wire_l4_check(ip, WIRE_PROTO_TCP);
    if (err != WIRE_OK)
        return wire_tcp_fail(out, err);
    const uint8_t *p = ip->payload;
    size_t len = ip->payload_len;
    if (len < WIRE_TCP_HDR_MIN)
        return wire_tcp_fail(out, WIRE_ETRUNC);
    size_t hl = (size_t)(p[12] >> 4) * 4;
    if (hl < WIRE_TCP_HDR_MIN || hl > len)
        return wire_tcp_fail(out, WIRE_ELEN);
    wire_tcp_fixed(p, out);
    out->csum_ok = !verify ||
        wire_csum_l4_ok(ip->src, ip->dst, WIRE_PROTO_TCP, p, (uint16_t)len);
    wire_tcp_opts_parse(p + WIRE_TCP_HDR_MIN, hl - WIRE_TCP_HDR_MIN, &out->opt);
    out->payload = p + hl;
    out->payload_len = len - hl;
    return WIRE_OK;
}

/* Writes o's options into out (room for WIRE_TCP_OPT_MAX + 12 bytes) in one pass, padded
 * with EOL to 4 bytes; returns their length, or SIZE_MAX past WIRE_TCP_OPT_MAX. When view is
 * not NULL it receives what wire_tcp_opts_parse reads back from those bytes, built in the
 * same pass: every kind emit writes is well formed, so the parse records each in order until
 * the first EOL (listed only at a 4-byte boundary, where it is not padding) and stops there;
 * kinds emit cannot write are skipped by both. Out of line: wire_emit_tcp_view's common
 * layouts never come here, and its loop inlined would cost the hot path spilled registers. */
static __attribute__((noinline)) size_t opts_write(uint8_t *out, const struct wire_tcp_opts *o,
                                                   struct wire_tcp_opts *view,
                                                   const uint8_t *final)
{
    size_t at = 0;
    size_t n = o->n < WIRE_TCP_OPT_MAX ? o->n : WIRE_TCP_OPT_MAX;
    bool open = view != NULL;   /* the parse has not met an EOL yet */
    if (view)
        *view = (struct wire_tcp_opts){0};
    for (size_t i = 0; i < n && at <= WIRE_TCP_OPT_MAX; i++) {
        uint8_t kind = o->order[i];
        uint8_t *q = out + at;
        size_t sz = opt_size(kind, o);
        if (sz == 0)
            continue;
        if (at + sz > WIRE_TCP_OPT_MAX)
            return SIZE_MAX;       /* past the 40 bytes a header holds (and the stage) */
        opt_write(q, kind, sz, o);
        if (open) {
            if (kind == TCPOPT_EOL) {
                open = false;
                if (at % 4 == 0)
                    opts_push(view, kind);
            } else {
                opts_take_emitted(view, o, kind, final + at);
            }
        }
        at += sz;
    }
    if (at > WIRE_TCP_OPT_MAX)
        return SIZE_MAX;
    while (at & 3)
        out[at++] = TCPOPT_EOL;
    return at;
}

size_t wire_emit_tcp(uint8_t *buf, size_t cap, const struct wire_ipv4 *ip, const struct wire_tcp *tcp)
{
    return wire_emit_tcp_view(buf, cap, ip, tcp, NULL);
}

/* The options part of wire_emit_tcp_view, for a datagram in buf (cap bytes) with plen
 * payload bytes. The common layouts take no pass over order[]: none (RSTs, most ACKs) and a
 * lone MSS (nmap's -sS probe, and every SYN-ACK that answers one: Linux offers back only what
 * the SYN offered). A lone MSS is returned as *word, its 4 bytes as a big-endian word, which
 * the caller stores once the payload has moved and adds to the checksum as a value. Every
 * other layout goes through opts_write: straight to its place in buf when no payload may lie
 * there (a parsed packet re-emitted in place) and buf has room for the most opts_write
 * writes, else into stage (*staged: the caller copies it after the payload has moved).
 * Fills the options of tv (the view) when not NULL. Returns the options' length, SIZE_MAX
 * when too long. */
static inline size_t emit_opts(uint8_t *buf, size_t cap, size_t plen,
                               const struct wire_tcp_opts *o, struct wire_tcp_opts *tv,
                               uint8_t stage[WIRE_TCP_OPT_MAX + 12], uint32_t *word,
                               bool *staged)
{
    *word = 0;
    *staged = false;
    if (o->n == 0) {
        if (tv)
            *tv = (struct wire_tcp_opts){0};
        return 0;
    }
    if (o->n == 1 && o->order[0] == TCPOPT_MSS) {
        uint16_t mss = o->mss;
        /* Exactly what opts_write records for this layout: one MSS, no padding. */
        if (tv)
            *tv = (struct wire_tcp_opts){ .order = { TCPOPT_MSS }, .n = 1, .has_mss = true,
                                          .mss = mss };
        *word = (uint32_t)TCPOPT_MSS << 24 | 4u << 16 | mss;
        return 4;
    }
    *staged = plen != 0 || cap < WIRE_IPV4_HDR_MIN + WIRE_TCP_HDR_MIN + WIRE_TCP_OPT_MAX + 12;
    return opts_write(*staged ? stage : buf + WIRE_IPV4_HDR_MIN + WIRE_TCP_HDR_MIN, o, tv,
                      buf + WIRE_IPV4_HDR_MIN + WIRE_TCP_HDR_MIN);
}

/* The view's IPv4 and TCP parts past the options (emit_opts fills those): what
 * wire_parse_trusted reads back from a first fragment of total bytes at buf with an hl-byte
 * TCP header, whose checksums are ipcsum and csum. The leading fields of each struct are
 * copied whole from the reprs being emitted, as they go to the wire unchanged (tos, ttl,
 * id, df, mf, src, dst; ports, seq, ack, flags, window, urg), then the rest is set: one
 * copy instead of a load and a store per field. The asserts pin the layout this relies on. */
_Static_assert(offsetof(struct wire_ipv4, payload) == 24 && offsetof(struct wire_ipv4, dst) == 20,
               "wire_ipv4 changed: check the fields emitted_view copies and sets");
_Static_assert(offsetof(struct wire_tcp, opt) == 24 && offsetof(struct wire_tcp, urg) == 22,
               "wire_tcp changed: check the fields emitted_view copies and sets");
static void emitted_view(const uint8_t *buf, const struct wire_ipv4 *ip,
                         const struct wire_tcp *tcp, size_t total, size_t hl,
                         uint16_t ipcsum, uint16_t csum, struct wire_pkt *view)
{
    struct wire_ipv4 *iv = &view->ip;
    struct wire_tcp *tv = &view->l4.tcp;
    uint8_t reserved = tcp->reserved & 0x0f;
    size_t plen = tcp->payload_len;
    memcpy(iv, ip, offsetof(struct wire_ipv4, payload));
    iv->proto = WIRE_PROTO_TCP;
    iv->hdr_len = WIRE_IPV4_HDR_MIN;
    iv->total_len = (uint16_t)total;
    iv->frag_off = 0;   /* a first fragment; bits above the 13 the header holds drop */
    iv->csum = ipcsum;
    iv->csum_ok = true;
    iv->payload = buf + WIRE_IPV4_HDR_MIN;
    iv->payload_len = total - WIRE_IPV4_HDR_MIN;
    view->l4_err = WIRE_OK;
    memcpy(tv, tcp, offsetof(struct wire_tcp, opt));
    tv->hdr_len = (uint8_t)hl;
    tv->reserved = reserved;
    tv->csum = csum;
    tv->csum_ok = true;
    tv->payload = buf + WIRE_IPV4_HDR_MIN + hl;
    tv->payload_len = plen;
}

/* Why this shape: every segment a simulated host sends passes here (the SYN-ACKs and RSTs
 * of a scan), so it is written for the count of instructions.
 * - Each header's fields are loaded before its bytes are stored: buf is a plain byte array,
 *   which C lets alias *ip and *tcp, so a field loaded after a store into buf would be
 *   loaded again for the view, and holding every field of both headers at once would spill.
 * - The IPv4 header is written inline (wire_ipv4_put) and shares src + dst with the TCP
 *   pseudo-header sum.
 * - Both checksums are summed from the field values (RFC 1071: the one's-complement sum does
 *   not depend on how the words are grouped, and every sum here is non-zero, so the folded
 *   value is the same as summing the written bytes), 32-bit fields whole into 64 bits
 *   (wire_csum_fold64); only options that are not a common layout and the payload are read
 *   back.
 * - With view, the parsed form of the bytes comes out too (wire_int.h says why): for a first
 *   fragment exactly what wire_parse_trusted would read back (tests/unit/test_wire.c
 *   compares them field by field). */
size_t wire_emit_tcp_view(uint8_t *buf, size_t cap, const struct wire_ipv4 *ip,
                          const struct wire_tcp *tcp, struct wire_pkt *view)
{
    uint8_t stage[WIRE_TCP_OPT_MAX + 12];
    const size_t plen = tcp->payload_len;
    const uint16_t fl = wire_ipv4_flword(ip);
    bool direct = view && (fl & 0x1fff) == 0;   /* else: parse the bytes back */
    uint32_t optword;
    bool staged;
    size_t optlen = emit_opts(buf, cap, plen, &tcp->opt, direct ? &view->l4.tcp.opt : NULL,
                              stage, &optword, &staged);
    if (optlen == SIZE_MAX)
        return 0;
    const size_t hl = WIRE_TCP_HDR_MIN + optlen, seg = hl + plen;
    const size_t total = WIRE_IPV4_HDR_MIN + seg;
    if (plen > WIRE_MAX_DGRAM || total > WIRE_MAX_DGRAM || total > cap)
        return 0;
    uint8_t *p = buf + WIRE_IPV4_HDR_MIN;
    if (plen)
        memmove(p + hl, tcp->payload, plen);
    uint64_t addrs;
    const uint16_t ipcsum = wire_ipv4_put(buf, ip, WIRE_PROTO_TCP, (uint16_t)total, fl, &addrs);
    const uint16_t sport = tcp->sport, dport = tcp->dport, window = tcp->window, urg = tcp->urg;
    const uint32_t seq = tcp->seq, ack = tcp->ack;
    const uint16_t offflags = (uint16_t)((hl / 4) << 12 | (tcp->reserved & 0x0fu) << 8 |
                                         tcp->flags);
    uint64_t sum = addrs + WIRE_PROTO_TCP + seg + sport + dport + seq + ack + offflags +
                   window + urg + optword;
    wire_st16(p, sport);
    wire_st16(p + 2, dport);
    wire_st32(p + 4, seq);
    wire_st32(p + 8, ack);
    wire_st16(p + 12, offflags);
    wire_st16(p + 14, window);
    wire_st16(p + 18, urg);
    size_t done = WIRE_TCP_HDR_MIN;   /* bytes of the segment summed as values */
    if (optword) {
        wire_st32(p + WIRE_TCP_HDR_MIN, optword);
        done += 4;
    } else if (staged) {
        memcpy(p + WIRE_TCP_HDR_MIN, stage, optlen);
    }
    if (seg > done)
        sum += wire_csum_native_be(wire_csum_native(p + done, seg - done));
    const uint16_t csum = wire_csum_fold64(sum);
    wire_st16(p + 16, csum);
    if (direct)
        emitted_view(buf, ip, tcp, total, hl, ipcsum, csum, view);
    else if (view)   /* a non-first fragment: no transport view to build, parse it */
        wire_parse_trusted(buf, total, view);
    return total;
}

size_t wire_tcp_view_bare(uint8_t *buf, const struct wire_ipv4 *ip, const struct wire_tcp *tcp,
                          struct wire_pkt *view)
{
    const size_t total = WIRE_IPV4_HDR_MIN + WIRE_TCP_HDR_MIN;
    view->l4.tcp.opt = (struct wire_tcp_opts){0};
    emitted_view(buf, ip, tcp, total, WIRE_TCP_HDR_MIN, 0, 0, view);
    return total;
}

static const char wire_flag_letters[8] = {'F', 'S', 'R', 'P', 'A', 'U', 'E', 'C'};

const char *wire_flags_str(uint8_t flags, char buf[9])
{
    size_t n = 0;
    for (int i = 0; i < 8; i++)
        if (flags & (1u << i))
            buf[n++] = wire_flag_letters[i];
    if (n == 0) {
        memcpy(buf, "none", 5);
        return buf;
    }
    buf[n] = '\0';
    return buf;
}

int wire_flags_parse(const char *s)
{
    if (!s || !*s)
        return -1;
    if (strcasecmp(s, "none") == 0)
        return 0;
    int flags = 0;
    for (; *s; s++) {
        int c = toupper((unsigned char)*s);
        int bit = -1;
        for (int i = 0; i < 8; i++)
            if (wire_flag_letters[i] == c)
                bit = i;
        if (bit < 0)
            return -1;
        flags |= 1 << bit;
    }
    return flags;
}
