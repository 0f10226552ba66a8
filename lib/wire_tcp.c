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
 * byte for byte. SACK blocks and unknown kinds are skipped, not recorded: the repr cannot
 * hold their data (the text printer reads them from the raw bytes instead). An EOL is
 * recorded only at a 4-byte boundary of the recorded options ("mss,eol" + padding), since
 * elsewhere it is indistinguishable from emit's own padding.
 */
#include "wire_int.h"

#include <ctype.h>
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
    default:
        return 0;
    }
    opts_push(o, p[0]);
    return olen;
}

/* What opts_take records for a well-formed option of kind, with its value from src (the
 * repr being emitted): the parse of emitted bytes, without the bytes. */
static void opts_take_emitted(struct wire_tcp_opts *v, const struct wire_tcp_opts *src,
                              uint8_t kind)
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
    default:   /* NOP */
        break;
    }
    opts_push(v, kind);
}

void wire_tcp_opts_parse(const uint8_t *p, size_t len, struct wire_tcp_opts *o)
{
    *o = (struct wire_tcp_opts){0};
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

/* Bytes one option kind takes when emitted; 0 for kinds the repr cannot carry. */
static size_t opt_size(uint8_t kind)
{
    switch (kind) {
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
    }
}

size_t wire_tcp_opts_len(const struct wire_tcp_opts *o)
{
    size_t len = 0;
    size_t n = o->n < WIRE_TCP_OPT_MAX ? o->n : WIRE_TCP_OPT_MAX;
    for (size_t i = 0; i < n; i++)
        len += opt_size(o->order[i]);
    return (len + 3) & ~(size_t)3;
}

size_t wire_tcp_opts_emit(uint8_t *p, const struct wire_tcp_opts *o)
{
    size_t at = 0;
    size_t n = o->n < WIRE_TCP_OPT_MAX ? o->n : WIRE_TCP_OPT_MAX;
    for (size_t i = 0; i < n; i++) {
        uint8_t kind = o->order[i];
        uint8_t *q = p + at;
        size_t sz = opt_size(kind);
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
        wire_csum_l4(wire_csum_pseudo_inl(ip->src, ip->dst, WIRE_PROTO_TCP, (uint16_t)len),
                     p, len) == 0;
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
 * kinds emit cannot write are skipped by both. */
static size_t opts_write(uint8_t *out, const struct wire_tcp_opts *o, struct wire_tcp_opts *view)
{
    size_t at = 0;
    size_t n = o->n < WIRE_TCP_OPT_MAX ? o->n : WIRE_TCP_OPT_MAX;
    bool open = view != NULL;   /* the parse has not met an EOL yet */
    if (view)
        *view = (struct wire_tcp_opts){0};
    for (size_t i = 0; i < n && at <= WIRE_TCP_OPT_MAX; i++) {
        uint8_t kind = o->order[i];
        uint8_t *q = out + at;
        size_t sz = opt_size(kind);
        if (sz == 0)
            continue;
        opt_write(q, kind, sz, o);
        if (open) {
            if (kind == TCPOPT_EOL) {
                open = false;
                if (at % 4 == 0)
                    opts_push(view, kind);
            } else {
                opts_take_emitted(view, o, kind);
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

/* The IPv4 view wire_ipv4_fields_v(verify = false) reads back from the header
 * wire_ipv4_emit_hdr wrote at buf for a datagram of total bytes. */
static void emitted_ipv4_view(const uint8_t *buf, const struct wire_ipv4 *ip, uint16_t total,
                              struct wire_ipv4 *v)
{
    *v = (struct wire_ipv4){
        .tos = ip->tos, .ttl = ip->ttl, .proto = WIRE_PROTO_TCP, .hdr_len = WIRE_IPV4_HDR_MIN,
        .total_len = total, .id = ip->id, .df = ip->df, .mf = ip->mf,
        .frag_off = ip->frag_off & 0x1fff, .csum = wire_ld16(buf + 10), .csum_ok = true,
        .src = ip->src, .dst = ip->dst, .payload = buf + WIRE_IPV4_HDR_MIN,
        .payload_len = (size_t)total - WIRE_IPV4_HDR_MIN,
    };
}

/* The rest of the view (the options are already in it, opts_write): what wire_parse_trusted
 * reads back from a first fragment of total bytes with an hl-byte TCP header just written. */
static void emitted_view(const uint8_t *buf, const struct wire_ipv4 *ip,
                         const struct wire_tcp *tcp, uint16_t total, size_t hl,
                         struct wire_pkt *view)
{
    struct wire_tcp *tv = &view->l4.tcp;
    const uint8_t *p = buf + WIRE_IPV4_HDR_MIN;
    emitted_ipv4_view(buf, ip, total, &view->ip);
    view->l4_err = WIRE_OK;
    tv->sport = tcp->sport;
    tv->dport = tcp->dport;
    tv->seq = tcp->seq;
    tv->ack = tcp->ack;
    tv->hdr_len = (uint8_t)hl;
    tv->flags = tcp->flags;
    tv->reserved = tcp->reserved & 0x0f;
    tv->window = tcp->window;
    tv->csum = wire_ld16(p + 16);
    tv->csum_ok = true;
    tv->urg = tcp->urg;
    tv->payload = p + hl;
    tv->payload_len = tcp->payload_len;
}

/* Why this shape: every segment a simulated host sends passes here (the SYN-ACKs and RSTs
 * of a scan), so the header is written field by field and summed from the fields (RFC 1071:
 * the one's-complement sum does not depend on how the words are grouped, and every sum here
 * is non-zero, so the folded value is the same as summing the written bytes), and only the
 * options and payload are read back for the checksum. With view, the parsed form of the
 * bytes comes out too (wire_int.h says why). */
size_t wire_emit_tcp_view(uint8_t *buf, size_t cap, const struct wire_ipv4 *ip,
                          const struct wire_tcp *tcp, struct wire_pkt *view)
{
    uint8_t opts[WIRE_TCP_OPT_MAX + 12];
    bool direct = view && (ip->frag_off & 0x1fff) == 0;   /* else: parse the bytes back */
    struct wire_tcp *tv = direct ? &view->l4.tcp : NULL;
    size_t optlen = 0;
    /* Options go straight to their place when there is no payload that might lie there (a
     * parsed packet re-emitted in place) and the buffer has room for the most opts_write
     * writes; else through opts[], copied after the payload has moved. */
    uint8_t *optdst = tcp->payload_len == 0 &&
                      cap >= WIRE_IPV4_HDR_MIN + WIRE_TCP_HDR_MIN + sizeof opts
                    ? buf + WIRE_IPV4_HDR_MIN + WIRE_TCP_HDR_MIN : opts;
    if (tcp->opt.n) {   /* RSTs and most ACKs carry no options */
        optlen = opts_write(optdst, &tcp->opt, tv ? &tv->opt : NULL);
        if (optlen == SIZE_MAX)
            return 0;
    } else if (tv) {
        tv->opt = (struct wire_tcp_opts){0};
    }
    size_t hl = WIRE_TCP_HDR_MIN + optlen;
    size_t seg = hl + tcp->payload_len, total;
    uint8_t *p = wire_emit_frame(buf, cap, ip, WIRE_PROTO_TCP, hl, tcp->payload,
                                 tcp->payload_len, &total);
    if (!p)
        return 0;
    if (optlen && optdst == opts)
        memcpy(p + WIRE_TCP_HDR_MIN, opts, optlen);
    uint16_t offflags = (uint16_t)((hl / 4) << 12 | (tcp->reserved & 0x0fu) << 8 | tcp->flags);
    wire_st16(p, tcp->sport);
    wire_st16(p + 2, tcp->dport);
    wire_st32(p + 4, tcp->seq);
    wire_st32(p + 8, tcp->ack);
    wire_st16(p + 12, offflags);
    wire_st16(p + 14, tcp->window);
    wire_st16(p + 18, tcp->urg);
    uint32_t sum = wire_csum_pseudo_inl(ip->src, ip->dst, WIRE_PROTO_TCP, (uint16_t)seg) +
                   tcp->sport + tcp->dport + (tcp->seq >> 16) + (tcp->seq & 0xffffu) +
                   (tcp->ack >> 16) + (tcp->ack & 0xffffu) + offflags + tcp->window + tcp->urg;
    if (seg > WIRE_TCP_HDR_MIN)
        sum += wire_csum_native_be(wire_csum_native(p + WIRE_TCP_HDR_MIN, seg - WIRE_TCP_HDR_MIN));
    wire_st16(p + 16, wire_csum_fold_inl(sum));
    if (direct)
        emitted_view(buf, ip, tcp, (uint16_t)total, hl, view);
    else if (view)   /* a non-first fragment: no transport view to build, parse it */
        wire_parse_trusted(buf, total, view);
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
