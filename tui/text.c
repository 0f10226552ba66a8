/* text.c — see text.h. Field offsets follow the header layouts of RFC 791 (IPv4), RFC 793
 * 3.1 (TCP), RFC 768 (UDP) and RFC 792 (ICMP). The ladder is tui/ladder.c's. */
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

/* ---------------------------------------------------------------- the host's inside */

struct inside_side {
    bool ok, tcb;
    struct sim_tcb_info t;
    struct sim_ipid_info ipid;
};

/* Which TCB an event concerns at its host: the packet's tuple from that host's side, or for
 * a packetless event (timer, note) the next datagram of its unit from or to that host. */
static bool event_tuple(const struct tui_rec *r, size_t ev, uint16_t *lport, uint32_t *raddr,
                        uint16_t *rport, uint8_t *proto)
{
    const struct tui_ev *e = &r->ev[ev];
    for (size_t i = ev; i < r->n && r->ev[i].unit == e->unit; i++) {
        struct tui_pk k;
        tui_pk_read(tui_rec_pkt(r, &r->ev[i]), r->ev[i].len, &k);
        if (!k.ok)
            continue;
        *proto = k.proto;
        if (k.dst == e->host_addr) {
            *lport = k.dport;
            *raddr = k.src;
            *rport = k.sport;
            return true;
        }
        if (k.src == e->host_addr) {
            *lport = k.sport;
            *raddr = k.dst;
            *rport = k.dport;
            return true;
        }
    }
    return false;
}

static void side_read(const struct sim *s, uint32_t host, uint16_t lp, uint32_t ra, uint16_t rp,
                      uint8_t proto, struct inside_side *o)
{
    memset(o, 0, sizeof *o);
    if (!s)
        return;
    o->ok = sim_host_ipid(s, host, ra, proto ? proto : WIRE_PROTO_TCP, &o->ipid) == 0;
    o->tcb = sim_host_tcb(s, host, lp, ra, rp, &o->t) == 0;
}

#define LINE(...) do { if (n < max) snprintf(lines[n++], sizeof lines[0], __VA_ARGS__); } while (0)

/* One TCB field before -> after; rel: relative to each side's own base (ISS or IRS), a
 * field whose base is not known yet (RCV.* before the peer's SYN) shown as '-'. */
static void tcb_line(char (*lines)[160], size_t *np, size_t max, const char *name,
                     const struct inside_side *b, const struct inside_side *a, size_t off,
                     int base)
{
    size_t n = *np;
    char bs[32] = "-", as[32] = "-";
    const struct inside_side *sd[2] = { b, a };
    char *out[2] = { bs, as };
    uint32_t v[2] = { 0, 0 };
    for (int i = 0; i < 2; i++) {
        if (!sd[i]->tcb)
            continue;
        const struct sim_tcb_info *t = &sd[i]->t;
        v[i] = *(const uint32_t *)((const char *)t + off);
        bool unknown = base == 2 && (t->state == TCP_SYN_SENT || t->state == TCP_LISTEN);
        if (unknown)
            continue;
        uint32_t shown = base == 1 ? v[i] - t->iss : base == 2 ? v[i] - t->irs : v[i];
        snprintf(out[i], 32, "%lu", (unsigned long)shown);
    }
    bool changed = b->tcb && a->tcb && v[0] != v[1];
    LINE("  %-8s %14s %s %-14s%s", name, bs, changed ? "->" : "  ", as, changed ? " *" : "");
    *np = n;
}

/* Two raw fields on one line: "  ISS 5000  IRS 0 -> 1000". */
static void tcb_pair(char (*lines)[160], size_t *np, size_t max, const char *n1,
                     const struct inside_side *b, const struct inside_side *a, size_t o1,
                     const char *n2, size_t o2)
{
    size_t n = *np;
    char part[2][64];
    size_t off[2] = { o1, o2 };
    for (int i = 0; i < 2; i++) {
        uint32_t vb = b->tcb ? *(const uint32_t *)((const char *)&b->t + off[i]) : 0;
        uint32_t va = a->tcb ? *(const uint32_t *)((const char *)&a->t + off[i]) : 0;
        if (b->tcb && a->tcb && vb != va)
            snprintf(part[i], sizeof part[i], "%lu -> %lu *", (unsigned long)vb, (unsigned long)va);
        else if (a->tcb || b->tcb)
            snprintf(part[i], sizeof part[i], "%lu", (unsigned long)(a->tcb ? va : vb));
        else
            snprintf(part[i], sizeof part[i], "-");
    }
    LINE("  %-8s %-24s %s %s", n1, part[0], n2, part[1]);
    *np = n;
}

/* A filter's counters before the event, to tell which rule the event hit. */
enum { TUI_RULES_SEEN = 64 };
struct filt_before {
    bool ok;
    uint64_t policy, passed;
    uint32_t n;
    uint64_t hits[TUI_RULES_SEEN];
};

static void filt_read(const struct sim *s, int fi, struct filt_before *o)
{
    struct sim_filter_info f;
    memset(o, 0, sizeof *o);
    if (!s || fi < 0 || sim_filter_info(s, (size_t)fi, &f))
        return;
    o->ok = true;
    o->policy = f.policy_hits;
    o->passed = f.conntrack_passed;
    o->n = f.nrules < TUI_RULES_SEEN ? f.nrules : TUI_RULES_SEEN;
    for (uint32_t k = 0; k < o->n; k++) {
        struct sim_rule_info ri;
        o->hits[k] = sim_filter_rule(s, (size_t)fi, k, &ri) == 0 ? ri.hits : 0;
    }
}

size_t tui_inside(const struct tui_model *m, struct tui_rewind *rw, size_t ev, char (*lines)[160],
                  size_t max)
{
    const struct tui_rec *r = m->rec;
    const struct tui_ev *e = &r->ev[ev];
    size_t n = 0;
    char hb[16], ab[16];
    const char *act = tui_rec_str(r, e->action), *rule = tui_rec_str(r, e->rule);
    if (r->from_pcap || !rw) {
        LINE("A capture shows the wire only: no host's inside.");
        return n;
    }
    uint16_t lp = 0, rp = 0;
    uint32_t ra = 0;
    uint8_t proto = 0;
    bool tuple = event_tuple(r, ev, &lp, &ra, &rp, &proto);
    const struct sim *sb = tui_rewind_at(rw, e->unit ? e->unit - 1 : 0);
    struct inside_side before, after;
    side_read(sb, e->host_addr, lp, ra, rp, proto, &before);
    struct sim_host_info hi;
    bool have_host = sb && sim_host_info(sb, e->host_addr, &hi) == 0;
    struct filt_before fb[2];   /* read now: the next rewind moves sb on to the event */
    filt_read(sb, have_host ? hi.filter_in : -1, &fb[0]);
    filt_read(sb, have_host ? hi.filter_out : -1, &fb[1]);
    const struct sim *sa = tui_rewind_at(rw, e->unit);
    if (!sa) {
        LINE("(could not rebuild the state at this event)");
        return n;
    }
    side_read(sa, e->host_addr, lp, ra, rp, proto, &after);
    if (!have_host) {
        LINE("%s is not a simulated host (an address a datagram claims).",
             tui_rec_host_name(r, e->host_addr, hb));
        return n;
    }
    sim_host_info(sa, e->host_addr, &hi);
    LINE("%s %s  os %s  isn %s  ipid %s", hi.name, wire_ip_str(hi.addr, hb), hi.os, hi.isn_gen,
         hi.ipid_gen);
    struct tui_pk pk;
    tui_pk_read(tui_rec_pkt(r, e), e->len, &pk);
    if ((e->mark & TUI_M_INJECTED) && e->kind == SIM_EV_SEND)
        LINE("injected, not by %s's stack%s%s", hi.name,
             pk.ok && pk.src != e->host_addr ? "; claims to be from " :
             "", pk.ok && pk.src != e->host_addr ? tui_rec_host_name(r, pk.src, ab) : "");
    const char *rid = tui_rec_str(r, e->rule_id);
    if (*act || *rule)
        LINE("did: %s%s%s%s%s%s", *act ? act : "-", *rid ? "  [" : "", rid, *rid ? "]" : "",
             *rule ? "  " : "", rule);
    if (tuple && (proto == WIRE_PROTO_TCP)) {
        LINE("TCB %s:%u <-> %s:%u  before -> after%s", wire_ip_str(hi.addr, hb), lp,
             tui_rec_host_name(r, ra, ab), rp, m->absolute ? "" : " (SND rel. ISS, RCV rel. IRS)");
        if (!before.tcb && !after.tcb) {
            LINE("  no TCB, before or after (state %s -> %s)", tcp_state_name(e->state_before),
                 tcp_state_name(e->state_after));
        } else {
            LINE("  %-8s %14s %s %-14s", "state", before.tcb ? tcp_state_name(before.t.state) : "-",
                 "->", after.tcb ? tcp_state_name(after.t.state) : "(gone)");
            int rb = m->absolute ? 0 : 1, rr = m->absolute ? 0 : 2;
            tcb_line(lines, &n, max, "SND.UNA", &before, &after,
                     offsetof(struct sim_tcb_info, snd_una), rb);
            tcb_line(lines, &n, max, "SND.NXT", &before, &after,
                     offsetof(struct sim_tcb_info, snd_nxt), rb);
            tcb_line(lines, &n, max, "RCV.NXT", &before, &after,
                     offsetof(struct sim_tcb_info, rcv_nxt), rr);
            tcb_pair(lines, &n, max, "WND snd", &before, &after,
                     offsetof(struct sim_tcb_info, snd_wnd), "rcv",
                     offsetof(struct sim_tcb_info, rcv_wnd));
            tcb_pair(lines, &n, max, "ISS", &before, &after, offsetof(struct sim_tcb_info, iss),
                     "IRS", offsetof(struct sim_tcb_info, irs));
            if (after.tcb && after.t.timer)
                LINE("  timer    %s at %llu.%06llu s (try %u)", sim_timer_name(after.t.timer),
                     (unsigned long long)(after.t.timer_at_ns / 1000000000ULL),
                     (unsigned long long)(after.t.timer_at_ns % 1000000000ULL / 1000),
                     after.t.retries);
        }
    }
    if (tuple && before.ok && after.ok) {
        if (after.ipid.toward < 0)
            LINE("IP-ID: %s, no counter to show", after.ipid.gen);
        else
            LINE("IP-ID toward %s: %ld -> %ld%s", tui_rec_host_name(r, ra, ab),
                 (long)before.ipid.toward, (long)after.ipid.toward,
                 after.ipid.global >= 0 ? " (one counter for every peer)" : "");
    }
    if (tuple) {
        struct sim_isn_info isn;
        sim_host_isn(sa, e->host_addr, lp, ra, rp, &isn);
        if (isn.predictable)
            LINE("next ISN for this tuple: %lu (%s)", (unsigned long)isn.next, isn.gen);
        else
            LINE("next ISN: unpredictable (%s)", isn.gen);
    }
    struct sim_timer_info tm[4];
    int nt = sim_host_timers(sa, e->host_addr, tm, 4);
    if (nt > 0) {
        LINE("timers (%d):", nt);
        for (int i = 0; i < nt && i < 3; i++)
            LINE("  %-10s at %llu.%06llu s  :%u <-> %s:%u %s", sim_timer_name(tm[i].kind),
                 (unsigned long long)(tm[i].at_ns / 1000000000ULL),
                 (unsigned long long)(tm[i].at_ns % 1000000000ULL / 1000), tm[i].lport,
                 tui_rec_host_name(r, tm[i].raddr, ab), tm[i].rport, tcp_state_name(tm[i].state));
    }
    struct sim_listener_info li[6];
    int nl = sim_host_listeners(sa, e->host_addr, li, 6);
    if (nl > 0) {
        char buf[160];
        size_t used = 0, cap = sizeof buf;
        char *out = buf;
        buf[0] = 0;
        for (int i = 0; i < nl && i < 6; i++)
            TX_APPEND("%s%u%s", i ? ", " : "", li[i].port,
                      li[i].half_open ? " (half-open)" : "");
        LINE("listening: %s%s  backlog %d", buf, nl > 6 ? ", ..." : "", li[0].backlog);
    }
    for (int dir = 0; dir < 2; dir++) {
        int fi = dir ? hi.filter_out : hi.filter_in;
        struct sim_filter_info fi_a;
        const struct filt_before *b = &fb[dir];
        if (fi < 0 || !b->ok || sim_filter_info(sa, (size_t)fi, &fi_a))
            continue;
        LINE("filter %s %s%s: policy %s (hits %llu), conntrack %u entries, passed %llu",
             fi_a.name, fi_a.inbound ? "in" : "out", fi_a.stateful ? " stateful" : "",
             fi_a.policy_drop ? "drop" : "accept", (unsigned long long)fi_a.policy_hits,
             fi_a.nconntrack, (unsigned long long)fi_a.conntrack_passed);
        for (uint32_t k = 0; k < fi_a.nrules; k++) {
            struct sim_rule_info ra_;
            sim_filter_rule(sa, (size_t)fi, k, &ra_);
            bool hit = k < b->n && ra_.hits != b->hits[k];
            LINE("  %s%u %-40.40s hits %llu", hit ? "=>" : "  ", k + 1, ra_.text,
                 (unsigned long long)ra_.hits);
        }
        if (fi_a.policy_hits != b->policy)
            LINE("  => the policy decided this one");
        if (fi_a.conntrack_passed != b->passed)
            LINE("  => conntrack passed this one (a reply to a tracked flow)");
    }
    return n;
}

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
