/* scenario_events.c — the scenario statements that schedule packets: traffic, connect, send.
 *
 * Grammar (tcplab-scenario(5), EVENTS):
 *   traffic FROM -> TO[:PORT] tcp|udp|icmp rate N/s [start T] stop T
 *   connect FROM[:SPORT] -> TO:PORT at T [send N] [close T]
 *   send FROM[:SPORT] -> TO:DPORT tcp flags FLAGS [seq N] [ack N] [win N] [ttl N] [ipid N]
 *        [options mss,sack,ts,nop,wscale] [data N | data "TEXT"] at T
 *        where an option may carry values: mss:N, wscale:N, ts:TSVAL:TSECR (RFC 7323 3),
 *        sack:L-R[:L-R...] (1-4 SACK blocks, RFC 2018 3; `sack` alone is SACK-permitted)
 *   send FROM[:SPORT] -> TO:DPORT udp [data N | data "TEXT"] [ttl N] [ipid N] at T
 *   send FROM -> TO icmp echo|timestamp [id N] [seq N] [ttl N] [ipid N]
 *        [data N | data "TEXT"] at T
 * Keys after the protocol come in any order. FROM may be any address (spoofing is what
 * several labs teach); a missing SPORT is left for the simulator to draw from the seed.
 * Flags are scapy's letters; option names are the ones hping3/scapy users know, with
 * `sack` meaning SACK-permitted (RFC 2018), the only SACK option a SYN carries. The option
 * list reader (scn_get_tcp_options) also serves the host key `options` in scenario_host.c.
 */
#include "scenario_int.h"

#include <string.h>

#include "lib/wire.h"

struct scn_arrow {
    uint32_t from, to;
    bool has_sport, has_dport;
    uint16_t sport, dport;
};

/* Tokens 1..3: FROM[:SPORT] -> TO[:PORT]. Ports are checked against the protocol later. */
static int scn_arrow(struct scn_parser *p, int from_port_rule, struct scn_arrow *a)
{
    if (scn_endpoint(p, scn_at(p, 1), from_port_rule, &a->from, &a->has_sport, &a->sport) < 0)
        return -1;
    if (!scn_tok_is(scn_at(p, 2), "->"))
        return scn_expected(&p->cx, &p->ln, scn_at(p, 2), "'->'");
    return scn_endpoint(p, scn_at(p, 3), 1, &a->to, &a->has_dport, &a->dport);
}

/* Token 4: the protocol; checks that TO has a port exactly when the protocol has ports. */
static int scn_proto(struct scn_parser *p, const struct scn_arrow *a, uint8_t *proto)
{
    const struct scn_tok *t = scn_at(p, 4), *to = scn_at(p, 3);
    if (scn_tok_is(t, "tcp"))
        *proto = WIRE_PROTO_TCP;
    else if (scn_tok_is(t, "udp"))
        *proto = WIRE_PROTO_UDP;
    else if (scn_tok_is(t, "icmp"))
        *proto = WIRE_PROTO_ICMP;
    else
        return scn_expected(&p->cx, &p->ln, t, "a protocol (tcp, udp or icmp)");
    if (*proto != WIRE_PROTO_ICMP && !a->has_dport)
        return scn_expected(&p->cx, &p->ln, to, "ADDRESS:PORT");
    if (*proto == WIRE_PROTO_ICMP && (a->has_dport || a->has_sport)) {
        const struct scn_tok *e = a->has_sport ? scn_at(p, 1) : to;
        struct scn_tok c = scn_tok_sub(e, scn_tok_find(e, ':'), e->len - scn_tok_find(e, ':'));
        return scn_expected(&p->cx, &p->ln, &c, "an address without a port for icmp");
    }
    return 0;
}

/* Marks key `name` at token t seen; a second time is an error. */
static int scn_once(struct scn_parser *p, const struct scn_tok *t, unsigned *seen, unsigned bit)
{
    if (*seen & bit)
        return scn_expected_note(&p->cx, &p->ln, t, "each key at most once", "(a second time)");
    *seen |= bit;
    return 0;
}

static int scn_missing(struct scn_parser *p, const char *what)
{
    return scn_expected(&p->cx, &p->ln, NULL, what);
}

/* ---------------------------------------------------------------- traffic */

int scn_stmt_traffic(struct scn_parser *p)
{
    struct scn_arrow a = { 0 };
    struct scn_traffic tr = { .pos = { p->ln.lineno, scn_at(p, 0)->col } };
    if (scn_arrow(p, 0, &a) < 0 || scn_proto(p, &a, &tr.proto) < 0)
        return -1;
    tr.from = a.from;
    tr.to = a.to;
    tr.dport = a.dport;
    unsigned seen = 0;
    for (size_t i = 5; i < p->ln.n; i += 2) {
        const struct scn_tok *k = scn_at(p, i), *v = scn_at(p, i + 1);
        int rc;
        if (scn_tok_is(k, "rate")) {
            rc = scn_once(p, k, &seen, 1) < 0 ? -1 : scn_get_rate(&p->cx, &p->ln, v, &tr.rate);
            if (rc == 0 && tr.rate == 0)
                rc = scn_expected(&p->cx, &p->ln, v, "a rate of at least 1/s");
        } else if (scn_tok_is(k, "start")) {
            rc = scn_once(p, k, &seen, 2) < 0 ? -1 : scn_get_time(&p->cx, &p->ln, v, &tr.start_ns);
        } else if (scn_tok_is(k, "stop")) {
            rc = scn_once(p, k, &seen, 4) < 0 ? -1 : scn_get_time(&p->cx, &p->ln, v, &tr.stop_ns);
        } else {
            rc = scn_expected(&p->cx, &p->ln, k, "'rate N/s', 'start T' or 'stop T'");
        }
        if (rc < 0)
            return -1;
        if (scn_tok_is(k, "stop") && (seen & 2) && tr.stop_ns < tr.start_ns)
            return scn_expected(&p->cx, &p->ln, v, "a stop time not before the start time");
        if (scn_tok_is(k, "start") && (seen & 4) && tr.stop_ns < tr.start_ns)
            return scn_expected(&p->cx, &p->ln, v, "a start time not after the stop time");
    }
    if (!(seen & 1))
        return scn_missing(p, "'rate N/s'");
    if (!(seen & 4))
        return scn_missing(p, "'stop T'");
    struct scenario *sc = p->sc;
    if (scn_vec_reserve((void **)&sc->traffic, sc->ntraffic, sizeof *sc->traffic) < 0)
        return scn_missing(p, "memory");
    sc->traffic[sc->ntraffic++] = tr;
    return 0;
}

/* ---------------------------------------------------------------- connect */

int scn_stmt_connect(struct scn_parser *p)
{
    struct scn_arrow a = { 0 };
    struct scn_connect c = { .pos = { p->ln.lineno, scn_at(p, 0)->col } };
    if (scn_arrow(p, 1, &a) < 0)
        return -1;
    if (!a.has_dport)
        return scn_expected(&p->cx, &p->ln, scn_at(p, 3), "ADDRESS:PORT");
    if (a.has_sport && a.sport == 0)
        return scn_expected(&p->cx, &p->ln, scn_at(p, 1), "a source port in 1-65535");
    c.sport = a.has_sport ? a.sport : 0;
    c.from = a.from;
    c.to = a.to;
    c.dport = a.dport;
    unsigned seen = 0;
    const struct scn_tok *close_t = NULL;
    for (size_t i = 4; i < p->ln.n; i += 2) {
        const struct scn_tok *k = scn_at(p, i), *v = scn_at(p, i + 1);
        uint64_t n = 0;
        int rc;
        if (scn_tok_is(k, "at")) {
            rc = scn_once(p, k, &seen, 1) < 0 ? -1 : scn_get_time(&p->cx, &p->ln, v, &c.at_ns);
        } else if (scn_tok_is(k, "send") && v && v->quoted) {
            size_t dl = 0;
            rc = scn_once(p, k, &seen, 2) < 0 ? -1
                 : scn_unquote(v, c.send_data, sizeof c.send_data, &dl) < 0
                 ? scn_expected(&p->cx, &p->ln, v, "a string of at most 1024 bytes") : 0;
            c.send_bytes = (uint32_t)dl;
            c.has_data = true;
        } else if (scn_tok_is(k, "send")) {
            rc = scn_once(p, k, &seen, 2) < 0 ? -1
                 : scn_get_uint(&p->cx, &p->ln, v, 0, SCN_SEND_MAX,
                                "a byte count of at most 2147483647 (2^31 - 1) or a \"string\"", &n);
            c.send_bytes = (uint32_t)n;
        } else if (scn_tok_is(k, "close")) {
            rc = scn_once(p, k, &seen, 4) < 0 ? -1 : scn_get_time(&p->cx, &p->ln, v, &c.close_ns);
            c.has_close = true;
            close_t = v;
        } else {
            rc = scn_expected(&p->cx, &p->ln, k, "'at T', 'send N', 'send \"TEXT\"' or 'close T'");
        }
        if (rc < 0)
            return -1;
    }
    if (!(seen & 1))
        return scn_missing(p, "'at T'");
    if (c.has_close && c.close_ns < c.at_ns)
        return scn_expected(&p->cx, &p->ln, close_t, "a close time not before the 'at' time");
    struct scenario *sc = p->sc;
    if (scn_vec_reserve((void **)&sc->connects, sc->nconnects, sizeof *sc->connects) < 0)
        return scn_missing(p, "memory");
    sc->connects[sc->nconnects++] = c;
    return 0;
}

/* ---------------------------------------------------------------- send */

enum {
    SK_FLAGS = 1 << 0, SK_SEQ = 1 << 1, SK_ACK = 1 << 2, SK_WIN = 1 << 3, SK_TTL = 1 << 4,
    SK_IPID = 1 << 5, SK_OPTIONS = 1 << 6, SK_DATA = 1 << 7, SK_AT = 1 << 8, SK_ID = 1 << 9,
};

static const struct { const char *name; unsigned bit; unsigned protos; } scn_send_keys[] = {
    /* protos: 1 tcp, 2 udp, 4 icmp */
    { "flags", SK_FLAGS, 1 }, { "seq", SK_SEQ, 1 | 4 }, { "ack", SK_ACK, 1 }, { "win", SK_WIN, 1 },
    { "ttl", SK_TTL, 7 }, { "ipid", SK_IPID, 7 }, { "options", SK_OPTIONS, 1 },
    { "data", SK_DATA, 7 },
    { "at", SK_AT, 7 }, { "id", SK_ID, 4 },
};

/* Checks a host's layout after the list is read (see scenario_int.h): mss is in it, each
 * other option at most once, and no NOP at the end, where it would pad nothing. */
static int scn_layout_check(struct scn_parser *p, const struct scn_tok *t,
                            const struct scn_tok *items, const uint8_t *kinds, uint8_t n)
{
    bool has_mss = false;
    for (uint8_t i = 0; i < n; i++) {
        has_mss |= kinds[i] == TCPOPT_MSS;
        for (uint8_t j = 0; j < i && kinds[i] != TCPOPT_NOP; j++)
            if (kinds[j] == kinds[i])
                return scn_expected_note(&p->cx, &p->ln, &items[i], "each option at most once",
                                         "(a second time)");
    }
    if (n > 0 && kinds[n - 1] == TCPOPT_NOP)
        return scn_expected_note(&p->cx, &p->ln, &items[n - 1],
                                 "a list ending in mss, sack, ts or wscale",
                                 "(a NOP pads the option after it)");
    if (!has_mss)
        return scn_expected_note(&p->cx, &p->ln, t, "an option list that includes mss",
                                 "(every SYN and SYN-ACK carries it)");
    return 0;
}

/* One option's values after its name (`rest`: the text after the first ':'), into ov. */
static int scn_opt_values(struct scn_parser *p, uint8_t kind, const struct scn_tok *rest,
                          struct scn_optvals *ov, uint8_t *kind_out, unsigned *len)
{
    struct scn_ctx *cx = &p->cx;
    uint64_t a = 0, b = 0;
    size_t c = scn_tok_find(rest, ':');
    struct scn_tok v1 = scn_tok_sub(rest, 0, c);
    struct scn_tok v2 = scn_tok_sub(rest, c < rest->len ? c + 1 : c,
                                    c < rest->len ? rest->len - c - 1 : 0);
    switch (kind) {
    case TCPOPT_MSS:
        if (c < rest->len)
            return scn_expected(cx, &p->ln, rest, "mss:N (one value)");
        if (scn_get_uint(cx, &p->ln, &v1, 0, 65535, "an MSS 0-65535", &a) < 0)
            return -1;
        ov->has_mss = true, ov->mss = (uint16_t)a;
        return 0;
    case TCPOPT_WSCALE:
        if (c < rest->len)
            return scn_expected(cx, &p->ln, rest, "wscale:N (one value)");
        if (scn_get_uint(cx, &p->ln, &v1, 0, 255, "a window scale 0-255", &a) < 0)
            return -1;
        ov->has_wscale = true, ov->wscale = (uint8_t)a;
        return 0;
    case TCPOPT_TS:
        if (c == rest->len || scn_tok_find(&v2, ':') < v2.len)
            return scn_expected(cx, &p->ln, rest, "ts:TSVAL:TSECR");
        if (scn_get_uint(cx, &p->ln, &v1, 0, UINT32_MAX, "a TSval 0-4294967295", &a) < 0 ||
            scn_get_uint(cx, &p->ln, &v2, 0, UINT32_MAX, "a TSecr 0-4294967295", &b) < 0)
            return -1;
        ov->has_ts = true, ov->tsval = (uint32_t)a, ov->tsecr = (uint32_t)b;
        return 0;
    case TCPOPT_SACK_PERM:     /* sack:L-R[:L-R...]: SACK blocks, not SACK-permitted */
        *kind_out = TCPOPT_SACK;
        *len = 2;
        ov->nsack = 0;
        for (size_t i = 0;;) {
            struct scn_tok r2 = scn_tok_sub(rest, i, rest->len - i);
            struct scn_tok blk = scn_tok_sub(rest, i, scn_tok_find(&r2, ':'));
            size_t d = scn_tok_find(&blk, '-');
            struct scn_tok l = scn_tok_sub(&blk, 0, d);
            struct scn_tok r = scn_tok_sub(&blk, d < blk.len ? d + 1 : d,
                                           d < blk.len ? blk.len - d - 1 : 0);
            if (ov->nsack == 4)
                return scn_expected(cx, &p->ln, &blk, "at most 4 SACK blocks");
            if (d == blk.len)
                return scn_expected(cx, &p->ln, &blk, "a SACK block LEFT-RIGHT");
            if (scn_get_uint(cx, &p->ln, &l, 0, UINT32_MAX, "a left edge 0-4294967295", &a) < 0 ||
                scn_get_uint(cx, &p->ln, &r, 0, UINT32_MAX, "a right edge 0-4294967295", &b) < 0)
                return -1;
            ov->sack[ov->nsack][0] = (uint32_t)a;
            ov->sack[ov->nsack][1] = (uint32_t)b;
            ov->nsack++;
            *len += 8;
            i += blk.len + 1;
            if (i > rest->len)
                return 0;
        }
    default:
        return scn_expected(cx, &p->ln, rest, "no value after nop");
    }
}

/* The list reader of scn_get_tcp_options and scn_get_send_options; ov NULL: no values. */
static int scn_tcp_options(struct scn_parser *p, const struct scn_tok *t, bool layout,
                           uint8_t kinds[OS_OPT_LAYOUT_MAX], uint8_t *n, struct scn_optvals *ov)
{
    static const struct { const char *n; uint8_t kind, len; } opts[] = {
        { "mss", TCPOPT_MSS, 4 }, { "sack", TCPOPT_SACK_PERM, 2 }, { "ts", TCPOPT_TS, 10 },
        { "nop", TCPOPT_NOP, 1 }, { "wscale", TCPOPT_WSCALE, 3 },
    };
    struct scn_tok items[OS_OPT_LAYOUT_MAX];   /* each entry as written, for error columns */
    if (!t || t->quoted)
        return scn_expected(&p->cx, &p->ln, t, "an option list such as mss,sack,ts,nop,wscale");
    unsigned bytes = 0;
    bool sack_blocks = false;
    *n = 0;
    for (size_t i = 0;;) {
        struct scn_tok rest = scn_tok_sub(t, i, t->len - i);
        struct scn_tok item = scn_tok_sub(t, i, scn_tok_find(&rest, ','));
        size_t colon = ov ? scn_tok_find(&item, ':') : item.len;
        struct scn_tok name = scn_tok_sub(&item, 0, colon);
        size_t k = 0;
        while (k < sizeof opts / sizeof *opts && !scn_tok_is(&name, opts[k].n))
            k++;
        if (k == sizeof opts / sizeof *opts)
            return scn_expected(&p->cx, &p->ln, &name, ov
                ? "a TCP option (mss, sack, ts, nop, wscale; ts:V:E, sack:L-R, mss:N, wscale:N)"
                : "a TCP option (mss, sack, ts, nop, wscale)");
        uint8_t kind = opts[k].kind;
        unsigned len = opts[k].len;
        if (colon < item.len) {
            struct scn_tok vals = scn_tok_sub(&item, colon + 1, item.len - colon - 1);
            if (scn_opt_values(p, kind, &vals, ov, &kind, &len) < 0)
                return -1;
            if (kind == TCPOPT_SACK) {
                if (sack_blocks)
                    return scn_expected_note(&p->cx, &p->ln, &item, "one list of SACK blocks",
                                             "(a second time)");
                sack_blocks = true;
            }
        }
        bytes += len;
        if (*n >= OS_OPT_LAYOUT_MAX || bytes > WIRE_TCP_OPT_MAX)
            return scn_expected(&p->cx, &p->ln, &item, "at most 8 options and 40 bytes");
        items[*n] = item;
        kinds[(*n)++] = kind;
        i += item.len + 1;
        if (i > t->len)
            return layout ? scn_layout_check(p, t, items, kinds, *n) : 0;
    }
}

int scn_get_tcp_options(struct scn_parser *p, const struct scn_tok *t, bool layout,
                        uint8_t kinds[OS_OPT_LAYOUT_MAX], uint8_t *n)
{
    return scn_tcp_options(p, t, layout, kinds, n, NULL);
}

int scn_get_send_options(struct scn_parser *p, const struct scn_tok *t,
                         uint8_t kinds[OS_OPT_LAYOUT_MAX], uint8_t *n, struct scn_optvals *ov)
{
    return scn_tcp_options(p, t, false, kinds, n, ov);
}

/* data N (N bytes of 'X') | data "TEXT". */
static int scn_send_data(struct scn_parser *p, const struct scn_tok *t, struct scn_send *s)
{
    size_t n;
    if (t && t->quoted) {
        if (scn_unquote(t, s->data, SCN_DATA_MAX, &n) < 0)
            return scn_expected(&p->cx, &p->ln, t, "data of at most 1448 bytes");
    } else {
        uint64_t v;
        if (scn_get_uint(&p->cx, &p->ln, t, 0, SCN_DATA_MAX, "a byte count 0-1448 or a quoted string", &v) < 0)
            return -1;
        n = (size_t)v;
        memset(s->data, 'X', n);
    }
    s->data_len = (uint16_t)n;
    return 0;
}

static int scn_send_value(struct scn_parser *p, unsigned bit, const struct scn_tok *v, struct scn_send *s)
{
    struct scn_ctx *cx = &p->cx;
    uint64_t n = 0;
    int rc = 0;
    switch (bit) {
    case SK_FLAGS:   return scn_get_flags(cx, &p->ln, v, &s->flags);
    case SK_OPTIONS: return scn_get_send_options(p, v, s->opts, &s->nopts, &s->ov);
    case SK_DATA:    s->has_data = true; return scn_send_data(p, v, s);
    case SK_AT:      return scn_get_time(cx, &p->ln, v, &s->at_ns);
    case SK_SEQ:
        rc = scn_get_uint(cx, &p->ln, v, 0, s->proto == WIRE_PROTO_ICMP ? 65535 : UINT32_MAX,
                          s->proto == WIRE_PROTO_ICMP ? "an echo sequence 0-65535" : "a sequence number 0-4294967295", &n);
        s->has_seq = true;
        s->seq = (uint32_t)n;
        s->icmp_seq = (uint16_t)n;
        return rc;
    case SK_ACK:
        rc = scn_get_uint(cx, &p->ln, v, 0, UINT32_MAX, "an ack number 0-4294967295", &n);
        s->has_ack = true, s->ack = (uint32_t)n;
        return rc;
    case SK_WIN:
        rc = scn_get_uint(cx, &p->ln, v, 0, 65535, "a window 0-65535", &n);
        s->has_win = true, s->win = (uint16_t)n;
        return rc;
    case SK_TTL:
        rc = scn_get_uint(cx, &p->ln, v, 0, 255, "a TTL 0-255", &n);
        s->has_ttl = true, s->ttl = (uint8_t)n;
        return rc;
    case SK_IPID:
        rc = scn_get_uint(cx, &p->ln, v, 0, 65535, "an IP ID 0-65535", &n);
        s->has_ipid = true, s->ipid = (uint16_t)n;
        return rc;
    case SK_ID:
        rc = scn_get_uint(cx, &p->ln, v, 0, 65535, "an echo id 0-65535", &n);
        s->icmp_id = (uint16_t)n;
        return rc;
    }
    return -1;
}

int scn_stmt_send(struct scn_parser *p)
{
    struct scn_arrow a = { 0 };
    struct scn_send *s = NULL;
    struct scenario *sc = p->sc;
    if (scn_vec_reserve((void **)&sc->sends, sc->nsends, sizeof *sc->sends) < 0)
        return scn_missing(p, "memory");
    s = &sc->sends[sc->nsends]; /* filled in place (it is large), counted only when valid */
    memset(s, 0, sizeof *s);
    s->pos = (struct scn_pos){ p->ln.lineno, scn_at(p, 0)->col };
    if (scn_arrow(p, 1, &a) < 0 || scn_proto(p, &a, &s->proto) < 0)
        return -1;
    s->from = a.from, s->to = a.to;
    s->has_sport = a.has_sport, s->sport = a.sport, s->dport = a.dport;
    unsigned protobit = s->proto == WIRE_PROTO_TCP ? 1 : s->proto == WIRE_PROTO_UDP ? 2 : 4;
    size_t i = 5;
    if (protobit == 4) {
        s->icmp_ts = scn_tok_is(scn_at(p, 5), "timestamp");
        if (!s->icmp_ts && !scn_tok_is(scn_at(p, 5), "echo"))
            return scn_expected(&p->cx, &p->ln, scn_at(p, 5),
                                "'echo' or 'timestamp' (the ICMP message sent by hand)");
        i = 6;
    }
    unsigned seen = 0;
    for (; i < p->ln.n; i += 2) {
        const struct scn_tok *k = scn_at(p, i);
        size_t j = 0;
        while (j < sizeof scn_send_keys / sizeof *scn_send_keys &&
               !(scn_tok_is(k, scn_send_keys[j].name) && (scn_send_keys[j].protos & protobit)))
            j++;
        if (j == sizeof scn_send_keys / sizeof *scn_send_keys)
            return scn_expected(&p->cx, &p->ln, k, protobit == 1
                ? "a key (flags, seq, ack, win, ttl, ipid, options, data, at)"
                : protobit == 2 ? "a key (data, ttl, ipid, at)"
                : "a key (id, seq, ttl, ipid, data, at)");
        if (scn_once(p, k, &seen, scn_send_keys[j].bit) < 0 ||
            scn_send_value(p, scn_send_keys[j].bit, scn_at(p, i + 1), s) < 0)
            return -1;
    }
    if (protobit == 1 && !(seen & SK_FLAGS))
        return scn_missing(p, "'flags FLAGS' (letters such as S or SA, or none)");
    if (!(seen & SK_AT))
        return scn_missing(p, "'at T'");
    sc->nsends++;
    return 0;
}
