/* text.c — see text.h. Field offsets follow the header layouts of RFC 791 (IPv4), RFC 793
 * 3.1 (TCP), RFC 768 (UDP) and RFC 792 (ICMP). The ladder is tui/ladder.c's, the host's
 * inside tui/inside.c's. */
#include "tui/text.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/wire.h"
#include "sim/trace.h"

#define TX_APPEND(...)                                                                     \
    do {                                                                                   \
        if (used < cap) {                                                                  \
            int k_ = snprintf(out + used, cap - used, __VA_ARGS__);                        \
            if (k_ > 0)                                                                    \
                used += (size_t)k_ < cap - used ? (size_t)k_ : cap - used - 1;             \
        }                                                                                  \
    } while (0)

static const char *kind_name(uint8_t k) { return sim_ev_kind_name((enum sim_ev_kind)k); }

const char *tui_icmp_short(uint8_t type, uint8_t code, char *buf, size_t cap)
{
    switch (type) {
    case ICMP_ECHO: return "echo";
    case ICMP_ECHO_REPLY: return "echo-reply";
    case ICMP_TIMESTAMP: return "timestamp";
    case ICMP_TIMESTAMP_REPLY: return "ts-reply";
    default: snprintf(buf, cap, "%u/%u", type, code); return buf;
    }
}

void tui_text_pkt(const struct tui_model *m, size_t ev, char *out, size_t cap)
{
    const struct tui_ev *e = &m->rec->ev[ev];
    size_t used = 0;
    out[0] = 0;
    struct tui_pk k;
    tui_pk_read(tui_rec_pkt(m->rec, e), e->len, &k);
    if (!k.ok) {
        if (e->len)
            TX_APPEND("(%u bytes, not IPv4)", e->len);
        return;
    }
    char fl[9], ib[16];
    if (k.proto == WIRE_PROTO_TCP) {
        uint32_t seq, ack;
        tui_model_seq(m, ev, &seq, &ack);
        TX_APPEND("%u > %u [%s] s=%lu", k.sport, k.dport, wire_flags_str(k.flags, fl),
                  (unsigned long)seq);
        if (k.flags & TCP_ACK)
            TX_APPEND(" a=%lu", (unsigned long)ack);
        TX_APPEND(" len=%lu", (unsigned long)k.plen);
    } else if (k.proto == WIRE_PROTO_UDP) {
        TX_APPEND("%u > %u UDP len=%lu", k.sport, k.dport, (unsigned long)k.plen);
    } else if (k.proto == WIRE_PROTO_ICMP) {
        TX_APPEND("ICMP %s", tui_icmp_short(k.flags, k.icode, ib, sizeof ib));
    } else {
        TX_APPEND("proto %u", k.proto);
    }
    if (e->mark & TUI_M_RETRANS)
        TX_APPEND(" (retransmission)");
    if ((e->mark & TUI_M_INJECTED) && e->kind == SIM_EV_SEND && k.src != e->host_addr)
        TX_APPEND(" (injected as %s)", tui_rec_host_name(m->rec, k.src, ib));
    else if (e->mark & TUI_M_INJECTED)
        TX_APPEND(" (injected)");
    if (e->mark & TUI_M_BADSUM)
        TX_APPEND(" BAD-CSUM");
}

void tui_text_row(const struct tui_model *m, size_t ev, char *out, size_t cap)
{
    const struct tui_ev *e = &m->rec->ev[ev];
    size_t used = 0;
    char host[16], peer[16], pk[160];
    const char *h = e->host ? tui_rec_str(m->rec, e->host)
                            : tui_rec_host_name(m->rec, e->host_addr, host);
    int hw = (int)(m->hostw ? m->hostw : 8);
    TX_APPEND("%6zu %3llu.%06llu %-5s %-*.*s ", ev + 1,
              (unsigned long long)(e->t_ns / 1000000000ULL),
              (unsigned long long)(e->t_ns % 1000000000ULL / 1000), kind_name(e->kind), hw, hw,
              h);
    struct tui_pk k;
    tui_pk_read(tui_rec_pkt(m->rec, e), e->len, &k);
    if (k.ok) {   /* the other end: where a SEND goes (an injected one from whatever address
                     it claims), where a RECV came from */
        bool out_ = e->kind == SIM_EV_SEND || k.src == e->host_addr;
        TX_APPEND("%s%-*.*s ", out_ ? ">" : "<", hw, hw,
                  tui_rec_host_name(m->rec, out_ ? k.dst : k.src, peer));
    }
    tui_text_pkt(m, ev, pk, sizeof pk);
    if (pk[0])
        TX_APPEND("%s", pk);
    const char *act = tui_rec_str(m->rec, e->action);
    if (*act)
        TX_APPEND("%s=> %s", pk[0] ? " " : "", act);
}

/* ---------------------------------------------------------------- packet fields */

struct fld_ctx {
    struct tui_field *out;
    size_t n, max;
};

__attribute__((format(printf, 5, 6)))
static void fld(struct fld_ctx *c, size_t off, size_t len, bool bad, const char *fmt, ...)
{
    if (c->n == c->max)
        return;
    struct tui_field *f = &c->out[c->n++];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->text, sizeof f->text, fmt, ap);
    va_end(ap);
    f->off = (uint16_t)off;
    f->len = (uint16_t)len;
    f->bad = bad;
}

static uint16_t g16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t g32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void fields_tcp(struct fld_ctx *c, const uint8_t *p, size_t o, size_t n,
                       const struct wire_pkt *w)
{
    char fl[9];
    bool bad = w->l4_err == WIRE_OK && !w->l4.tcp.csum_ok;
    fld(c, o, 0, false, "TCP (RFC 793)");
    if (n < 20) {
        fld(c, o, n, true, "  truncated: %zu bytes", n);
        return;
    }
    fld(c, o, 2, false, "  source port     %u", g16(p + o));
    fld(c, o + 2, 2, false, "  dest port       %u", g16(p + o + 2));
    fld(c, o + 4, 4, false, "  sequence        %lu", (unsigned long)g32(p + o + 4));
    fld(c, o + 8, 4, false, "  ack number      %lu", (unsigned long)g32(p + o + 8));
    fld(c, o + 12, 1, false, "  data offset     %u (%u bytes)", p[o + 12] >> 4, (p[o + 12] >> 4) * 4);
    fld(c, o + 13, 1, false, "  flags           0x%02x [%s]", p[o + 13], wire_flags_str(p[o + 13], fl));
    fld(c, o + 14, 2, false, "  window          %u", g16(p + o + 14));
    fld(c, o + 16, 2, bad, "  checksum        0x%04x%s", g16(p + o + 16), bad ? " [bad checksum]" : " [ok]");
    fld(c, o + 18, 2, false, "  urgent pointer  %u", g16(p + o + 18));
    size_t doff = (size_t)(p[o + 12] >> 4) * 4;
    if (doff > 20 && doff <= n)
        fld(c, o + 20, doff - 20, false, "  options         %zu bytes", doff - 20);
    if (doff <= n && n > doff)
        fld(c, o + doff, n - doff, false, "  data            %zu bytes", n - doff);
}

static void fields_udp(struct fld_ctx *c, const uint8_t *p, size_t o, size_t n,
                       const struct wire_pkt *w)
{
    bool bad = w->l4_err == WIRE_OK && !w->l4.udp.csum_ok;
    fld(c, o, 0, false, "UDP (RFC 768)");
    if (n < 8) {
        fld(c, o, n, true, "  truncated: %zu bytes", n);
        return;
    }
    fld(c, o, 2, false, "  source port     %u", g16(p + o));
    fld(c, o + 2, 2, false, "  dest port       %u", g16(p + o + 2));
    fld(c, o + 4, 2, false, "  length          %u", g16(p + o + 4));
    fld(c, o + 6, 2, bad, "  checksum        0x%04x%s", g16(p + o + 6), bad ? " [bad checksum]" : "");
    if (n > 8)
        fld(c, o + 8, n - 8, false, "  data            %zu bytes", n - 8);
}

static void fields_icmp(struct fld_ctx *c, const uint8_t *p, size_t o, size_t n,
                        const struct wire_pkt *w)
{
    bool bad = w->l4_err == WIRE_OK && !w->l4.icmp.csum_ok;
    char ib[16];
    fld(c, o, 0, false, "ICMP (RFC 792)");
    if (n < 8) {
        fld(c, o, n, true, "  truncated: %zu bytes", n);
        return;
    }
    fld(c, o, 1, false, "  type            %u (%s)", p[o], tui_icmp_short(p[o], p[o + 1], ib, sizeof ib));
    fld(c, o + 1, 1, false, "  code            %u", p[o + 1]);
    fld(c, o + 2, 2, bad, "  checksum        0x%04x%s", g16(p + o + 2), bad ? " [bad checksum]" : " [ok]");
    fld(c, o + 4, 4, false, "  rest of header  0x%08lx", (unsigned long)g32(p + o + 4));
    if (n > 8)
        fld(c, o + 8, n - 8, false, "  %s %zu bytes", p[o] == ICMP_UNREACH || p[o] == ICMP_TIME_EXCEEDED
            ? "quoted datagram" : "data           ", n - 8);
}

size_t tui_fields(const uint8_t *p, size_t len, struct tui_field *out, size_t max)
{
    struct fld_ctx c = { out, 0, max };
    if (!p || len < 20 || p[0] >> 4 != 4) {
        fld(&c, 0, len, true, "not an IPv4 datagram (%zu bytes)", len);
        return c.n;
    }
    struct wire_pkt w;
    memset(&w, 0, sizeof w);
    int rc = wire_parse(p, len, &w);
    size_t hl = (size_t)(p[0] & 15) * 4;
    char a[16], b[16];
    bool ipbad = rc == WIRE_OK && !w.ip.csum_ok;
    fld(&c, 0, 0, false, "IPv4 (RFC 791)");
    fld(&c, 0, 1, false, "  version, IHL    %u, %u (%zu bytes)", p[0] >> 4, p[0] & 15, hl);
    fld(&c, 1, 1, false, "  TOS             0x%02x", p[1]);
    fld(&c, 2, 2, false, "  total length    %u", g16(p + 2));
    fld(&c, 4, 2, false, "  identification  %u", g16(p + 4));
    fld(&c, 6, 2, false, "  flags, offset   %s%s %u", (p[6] & 0x40) ? "DF" : "",
        (p[6] & 0x20) ? " MF" : "", g16(p + 6) & 0x1fff);
    fld(&c, 8, 1, false, "  TTL             %u", p[8]);
    fld(&c, 9, 1, false, "  protocol        %u", p[9]);
    fld(&c, 10, 2, ipbad, "  header checksum 0x%04x%s", g16(p + 10), ipbad ? " [bad checksum]" : " [ok]");
    fld(&c, 12, 4, false, "  source          %s", wire_ip_str(g32(p + 12), a));
    fld(&c, 16, 4, false, "  destination     %s", wire_ip_str(g32(p + 16), b));
    if (rc != WIRE_OK) {
        fld(&c, 0, len, true, "  parse: %s", wire_strerror(rc));
        return c.n;
    }
    if (hl > 20)
        fld(&c, 20, hl - 20, false, "  options         %zu bytes", hl - 20);
    size_t tl = g16(p + 2) <= len ? g16(p + 2) : len;
    if (w.ip.frag_off)
        return c.n;
    switch (p[9]) {
    case WIRE_PROTO_TCP: fields_tcp(&c, p, hl, tl - hl, &w); break;
    case WIRE_PROTO_UDP: fields_udp(&c, p, hl, tl - hl, &w); break;
    case WIRE_PROTO_ICMP: fields_icmp(&c, p, hl, tl - hl, &w); break;
    }
    return c.n;
}

void tui_hex_line(const uint8_t *p, size_t len, size_t off, char *out, size_t cap)
{
    size_t used = 0;
    TX_APPEND("%04zx  ", off);
    for (size_t i = 0; i < 16; i++) {
        if (off + i < len)
            TX_APPEND("%02x ", p[off + i]);
        else
            TX_APPEND("   ");
    }
    TX_APPEND(" ");
    for (size_t i = 0; i < 16 && off + i < len; i++) {
        uint8_t ch = p[off + i];
        TX_APPEND("%c", ch >= 32 && ch < 127 ? ch : '.');
    }
}

#define LINE(...) do { if (n < max) snprintf(lines[n++], sizeof lines[0], __VA_ARGS__); } while (0)

size_t tui_stream(const struct tui_model *m, char (*lines)[160], int *dir, size_t max)
{
    size_t n = 0;
    const struct tui_rec *r = m->rec;
    if (!m->follow)
        return 0;
    const struct tui_conn *c = &r->conns[m->follow - 1];
    char a[16], b[16];
    dir[n] = 0;
    LINE("stream %s:%u <-> %s:%u  (%llu bytes >, %llu bytes <)", tui_rec_host_name(r, c->addr[0], a),
         c->port[0], tui_rec_host_name(r, c->addr[1], b), c->port[1],
         (unsigned long long)c->bytes[0], (unsigned long long)c->bytes[1]);
    for (size_t i = c->first_ev; i < r->n && n < max; i++) {
        const struct tui_ev *e = &r->ev[i];
        if (e->conn != m->follow || e->kind != SIM_EV_SEND || (e->mark & TUI_M_RETRANS))
            continue;
        struct tui_pk k;
        const uint8_t *p = tui_rec_pkt(r, e);
        tui_pk_read(p, e->len, &k);
        if (!k.plen || k.plen > e->len)
            continue;
        const uint8_t *d = p + e->len - k.plen;
        int dr = (e->mark & TUI_M_DIR1) ? 1 : 0;
        for (size_t off = 0; off < k.plen && n < max; off += 64) {
            char *o = lines[n];
            size_t used = 0, cap = sizeof lines[0];
            char *out = o;
            out[0] = 0;
            TX_APPEND("%s ", dr ? "<" : ">");
            for (size_t j = off; j < k.plen && j < off + 64; j++)
                TX_APPEND("%c", d[j] >= 32 && d[j] < 127 ? d[j] : '.');
            dir[n++] = dr;
        }
    }
    return n;
}

/* At most 20 lines of at most 74 characters: the whole help fits 80x24. */
const char *const tui_help_lines[] = {
    "tcplab tui: keys (any key closes this; tcplab(1) has them all)",
    "  n Space Right Down  next event      p Left Up  back (a true step back)",
    "  PgDn PgUp g G       a page, first, last        :N  go to event N",
    "  / TEXT   filter: host, port N, tcp udp icmp, flags SA, flags=RA,",
    "           send recv drop timer note, retrans, injected (empty: off)",
    "  f        follow the connection ('>' and '<' by direction; f: stop)",
    "  c  a  b  the cause (the probe a RST answers, the timer behind a",
    "           retransmission), a datagram's arrival, back from a jump",
    "  m X  ' X set bookmark X (a letter), go to it",
    "  r        relative / absolute sequence numbers    < >  scroll the ladder",
    "  Tab      panels (list, ladder; inside, detail, stream)",
    "  [ ]      select a packet field (its bytes light up in the hex dump)",
    "  P + -    play / pause, faster, slower",
    "  e        export the ladder: tcplab-ladder.txt and tcplab-ladder.svg",
    "  o s z    a scan: ports by outcome, its report, the IP-ID strip (-sI)",
    "  w        what-if: the run again with one change (seed=N, HOST.KEY=V,",
    "           NAME=V, line N=TEXT; Tab fills line N in), side by side from",
    "           where they part (Enter: that event here)   W  show it again",
    "  ?  q     this help, quit",
    NULL,
};
