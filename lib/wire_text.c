/* wire_text.c — packets as text: a tcpdump-like one-line summary (trace, --packet-trace,
 * the TUI event list) and a layered multi-line view with hex (the TUI detail pane).
 *
 * Layered "IPv4 ... \ TCP ..." as smoltcp's wire::pretty_print does; TCP options written as
 * tcpdump's print-tcp.c does ("<mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7>"), read from the
 * raw option bytes so SACK blocks and unknown kinds are shown too. A failed checksum is
 * marked "BAD-CSUM" in the summary and "[bad checksum]" in the pretty view: the point of a
 * teaching tool is to show a broken packet, not hide it. ICMP errors show the datagram they
 * quote. Not on the per-packet hot path: called only when text is asked for.
 */
#include "wire_int.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>

/* An snprintf-style appender: keeps counting past cap, so callers learn the size needed. */
struct wtext {
    char *out;
    size_t cap;
    size_t len;
};

__attribute__((format(printf, 2, 3)))
static void wt_printf(struct wtext *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = w->len < w->cap ? vsnprintf(w->out + w->len, w->cap - w->len, fmt, ap)
                            : vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n > 0)
        w->len += (size_t)n;
}

static int wt_done(struct wtext *w)
{
    if (w->cap > 0 && w->len == 0)
        w->out[0] = '\0';
    return w->len > INT_MAX ? INT_MAX : (int)w->len;
}

static const char *proto_name(uint8_t proto)
{
    switch (proto) {
    case WIRE_PROTO_TCP: return "TCP";
    case WIRE_PROTO_UDP: return "UDP";
    case WIRE_PROTO_ICMP: return "ICMP";
    default: return NULL;
    }
}

static const char *unreach_name(uint8_t code)
{
    static const char *const names[] = {
        "net-unreachable", "host-unreachable", "proto-unreachable", "port-unreachable",
        "frag-needed", "source-route-failed", "net-unknown", "host-unknown", "host-isolated",
        "net-prohibited", "host-prohibited", "net-tos-unreachable", "host-tos-unreachable",
        "admin-prohibited", "host-precedence-violation", "precedence-cutoff",
    };
    return code < sizeof names / sizeof names[0] ? names[code] : NULL;
}

/* "port-unreachable", "echo-request", "ttl-exceeded"; unknown ones by number. */
static void icmp_name(struct wtext *w, uint8_t type, uint8_t code)
{
    const char *n = NULL;
    switch (type) {
    case ICMP_ECHO_REPLY: n = "echo-reply"; break;
    case ICMP_ECHO: n = "echo-request"; break;
    case ICMP_TIMESTAMP: n = "timestamp-request"; break;
    case ICMP_TIMESTAMP_REPLY: n = "timestamp-reply"; break;
    case 4: n = "source-quench"; break;
    case 5: n = "redirect"; break;
    case 12: n = "param-problem"; break;
    case ICMP_UNREACH: n = unreach_name(code); break;
    case ICMP_TIME_EXCEEDED: n = code == 0 ? "ttl-exceeded" : code == 1 ? "reassembly-exceeded" : NULL; break;
    default: break;
    }
    if (n)
        wt_printf(w, "%s", n);
    else
        wt_printf(w, "type-%u-code-%u", type, code);
}

/* TCP options from raw bytes, tcpdump style; mirrors wire_tcp_opts_parse's stopping rules. */
static void tcp_opts_text(struct wtext *w, const uint8_t *p, size_t len)
{
    const char *sep = "";
    wt_printf(w, "<");
    for (size_t i = 0; i < len;) {
        uint8_t kind = p[i];
        wt_printf(w, "%s", sep);
        sep = ",";
        if (kind == TCPOPT_EOL) {
            wt_printf(w, "eol");
            break;
        }
        if (kind == TCPOPT_NOP) {
            wt_printf(w, "nop");
            i++;
            continue;
        }
        if (len - i < 2 || p[i + 1] < 2 || p[i + 1] > len - i) {
            wt_printf(w, "[bad opt]");
            break;
        }
        const uint8_t *o = p + i;
        size_t olen = o[1];
        if (kind == TCPOPT_MSS && olen == 4)
            wt_printf(w, "mss %u", wire_ld16(o + 2));
        else if (kind == TCPOPT_WSCALE && olen == 3)
            wt_printf(w, "wscale %u", o[2]);
        else if (kind == TCPOPT_SACK_PERM && olen == 2)
            wt_printf(w, "sackOK");
        else if (kind == TCPOPT_TS && olen == 10)
            wt_printf(w, "TS val %u ecr %u", wire_ld32(o + 2), wire_ld32(o + 6));
        else if (kind == TCPOPT_SACK && olen % 8 == 2) {
            wt_printf(w, "sack %zu ", (olen - 2) / 8);
            for (size_t b = 2; b + 8 <= olen; b += 8)
                wt_printf(w, "{%u:%u}", wire_ld32(o + b), wire_ld32(o + b + 4));
        } else if (kind <= TCPOPT_TS && kind != 6 && kind != 7)
            wt_printf(w, "opt-%u [bad len %zu]", kind, olen);
        else
            wt_printf(w, "opt-%u len %zu", kind, olen);
        i += olen;
    }
    wt_printf(w, ">");
}

/* The core of a quoted datagram: addresses, ports, protocol, and TCP flags and seq. */
static void quote_text(struct wtext *w, const struct wire_icmp *icmp)
{
    struct wire_quote q;
    int err = wire_icmp_quote(icmp, &q);
    if (err != WIRE_OK) {
        wt_printf(w, "{bad quote: %s}", wire_strerror(err));
        return;
    }
    char s[16], d[16];
    wire_ip_str(q.ip.src, s);
    wire_ip_str(q.ip.dst, d);
    const char *pn = proto_name(q.ip.proto);
    if (q.has_ports && (q.ip.proto == WIRE_PROTO_TCP || q.ip.proto == WIRE_PROTO_UDP)) {
        wt_printf(w, "{%s:%u > %s:%u %s", s, q.sport, d, q.dport, pn);
        if (q.ip.proto == WIRE_PROTO_TCP) {
            char f[9];
            if (q.has_flags)
                wt_printf(w, " [%s]", wire_flags_str(q.flags, f));
            wt_printf(w, " seq=%u", q.seq);
        }
    } else if (q.has_ports && q.ip.proto == WIRE_PROTO_ICMP) {
        wt_printf(w, "{%s > %s ICMP ", s, d);
        icmp_name(w, (uint8_t)(q.sport >> 8), (uint8_t)q.sport);
    } else if (pn) {
        wt_printf(w, "{%s > %s %s", s, d, pn);
    } else {
        wt_printf(w, "{%s > %s proto %u", s, d, q.ip.proto);
    }
    wt_printf(w, "%s}", q.ip.csum_ok ? "" : " BAD-CSUM");
}

/* A data segment's first bytes, C-escaped: ` data="SSH-2.0-...\r\n"`, "..." when cut.
 * Bytes that are all 'X' (a simulated host's counted data) are not shown. */
static void tcp_data_text(struct wtext *w, const uint8_t *p, size_t n)
{
    enum { SHOW = 64 };
    size_t i = 0;
    while (i < n && p[i] == 'X')
        i++;
    if (i == n)
        return;
    wt_printf(w, " data=\"");
    for (i = 0; i < n && i < SHOW; i++) {
        uint8_t c = p[i];
        if (c == '\r' || c == '\n' || c == '\t')
            wt_printf(w, "\\%c", c == '\r' ? 'r' : c == '\n' ? 'n' : 't');
        else if (c == '"' || c == '\\')
            wt_printf(w, "\\%c", c);
        else if (c < 0x20 || c > 0x7e)
            wt_printf(w, "\\x%02x", c);
        else
            wt_printf(w, "%c", c);
    }
    wt_printf(w, "\"%s", n > SHOW ? "..." : "");
}

static void summary_tcp(struct wtext *w, const struct wire_tcp *t, const char *s, const char *d)
{
    char f[9];
    wt_printf(w, "%s:%u > %s:%u TCP [%s] seq=%u", s, t->sport, d, t->dport,
              wire_flags_str(t->flags, f), t->seq);
    if ((t->flags & TCP_ACK) || t->ack != 0)
        wt_printf(w, " ack=%u", t->ack);
    wt_printf(w, " win=%u", t->window);
    if ((t->flags & TCP_URG) || t->urg != 0)
        wt_printf(w, " urg=%u", t->urg);
    if (t->reserved)
        wt_printf(w, " res=0x%x", t->reserved);
    if (t->hdr_len > WIRE_TCP_HDR_MIN) {
        wt_printf(w, " ");
        tcp_opts_text(w, t->payload - (t->hdr_len - WIRE_TCP_HDR_MIN), t->hdr_len - WIRE_TCP_HDR_MIN);
    }
    wt_printf(w, " len=%zu", t->payload_len);
    tcp_data_text(w, t->payload, t->payload_len);
}

static void summary_icmp(struct wtext *w, const struct wire_icmp *c, const char *s, const char *d)
{
    wt_printf(w, "%s > %s ICMP ", s, d);
    icmp_name(w, c->type, c->code);
    if (wire_icmp_is_error(c->type)) {
        if (c->type == ICMP_UNREACH && c->code == ICMP_FRAG_NEEDED)
            wt_printf(w, " mtu=%u", c->rest & 0xffff);
        wt_printf(w, " ");
        quote_text(w, c);
    } else {
        if (c->type == ICMP_ECHO || c->type == ICMP_ECHO_REPLY || c->type == ICMP_TIMESTAMP ||
            c->type == ICMP_TIMESTAMP_REPLY)
            wt_printf(w, " ident=%u seq=%u", c->id, c->seq);
        wt_printf(w, " len=%zu", c->payload_len);
    }
}

/* The transport part of the summary; returns whether its checksum failed. */
static bool summary_l4(struct wtext *w, const struct wire_pkt *pkt)
{
    char s[16], d[16];
    wire_ip_str(pkt->ip.src, s);
    wire_ip_str(pkt->ip.dst, d);
    const char *pn = proto_name(pkt->ip.proto);
    if (pkt->l4_err != WIRE_OK) {
        if (pn)
            wt_printf(w, "%s > %s %s (%s) len=%zu", s, d, pn, wire_strerror(pkt->l4_err), pkt->ip.payload_len);
        else
            wt_printf(w, "%s > %s proto %u len=%zu", s, d, pkt->ip.proto, pkt->ip.payload_len);
        return false;
    }
    switch (pkt->ip.proto) {
    case WIRE_PROTO_TCP:
        summary_tcp(w, &pkt->l4.tcp, s, d);
        return !pkt->l4.tcp.csum_ok;
    case WIRE_PROTO_UDP:
        wt_printf(w, "%s:%u > %s:%u UDP len=%zu", s, pkt->l4.udp.sport, d, pkt->l4.udp.dport,
                  pkt->l4.udp.payload_len);
        return !pkt->l4.udp.csum_ok;
    default:
        summary_icmp(w, &pkt->l4.icmp, s, d);
        return !pkt->l4.icmp.csum_ok;
    }
}

int wire_summary(char *out, size_t cap, const uint8_t *buf, size_t len)
{
    struct wtext w = {out, out ? cap : 0, 0};
    struct wire_pkt pkt;
    int err = wire_parse(buf, len, &pkt);
    if (err != WIRE_OK) {
        wt_printf(&w, "invalid IPv4 (%s) %zu bytes", wire_strerror(err), len);
        return wt_done(&w);
    }
    /* A first fragment's transport checksum covers bytes not here: unverifiable, not bad. */
    bool bad = summary_l4(&w, &pkt) && !pkt.ip.mf;
    const struct wire_ipv4 *ip = &pkt.ip;
    if (ip->tos)
        wt_printf(&w, " tos=0x%02x", ip->tos);
    wt_printf(&w, " ttl=%u id=%u", ip->ttl, ip->id);
    if (ip->df)
        wt_printf(&w, " DF");
    if (ip->mf)
        wt_printf(&w, " MF");
    if (ip->frag_off)
        wt_printf(&w, " off=%u", ip->frag_off * 8u);
    if (ip->hdr_len > WIRE_IPV4_HDR_MIN)
        wt_printf(&w, " ipopts=%u", ip->hdr_len - WIRE_IPV4_HDR_MIN);
    if (bad || !ip->csum_ok)
        wt_printf(&w, " BAD-CSUM");
    return wt_done(&w);
}

static const char *csum_word(bool ok) { return ok ? "ok" : "[bad checksum]"; }

static void pretty_ip(struct wtext *w, const struct wire_ipv4 *ip)
{
    char s[16], d[16];
    const char *pn = proto_name(ip->proto);
    wt_printf(w, "IPv4 %s > %s hlen=%u tos=0x%02x len=%u id=%u%s%s off=%u ttl=%u proto=",
              wire_ip_str(ip->src, s), wire_ip_str(ip->dst, d), ip->hdr_len, ip->tos,
              ip->total_len, ip->id, ip->df ? " DF" : "", ip->mf ? " MF" : "", ip->frag_off * 8u, ip->ttl);
    if (pn)
        wt_printf(w, "%s", pn);
    else
        wt_printf(w, "%u", ip->proto);
    wt_printf(w, " csum=0x%04x %s\n", ip->csum, csum_word(ip->csum_ok));
    if (ip->hdr_len > WIRE_IPV4_HDR_MIN) {
        const uint8_t *o = ip->payload - (ip->hdr_len - WIRE_IPV4_HDR_MIN);
        wt_printf(w, "  ip options %u bytes:", ip->hdr_len - WIRE_IPV4_HDR_MIN);
        for (size_t i = 0; i < (size_t)(ip->hdr_len - WIRE_IPV4_HDR_MIN); i++)
            wt_printf(w, " %02x", o[i]);
        wt_printf(w, "\n");
    }
}

static void pretty_tcp(struct wtext *w, const struct wire_tcp *t, bool fragment)
{
    char f[9];
    wt_printf(w, "\\ TCP %u > %u [%s] seq=%u ack=%u win=%u hlen=%u res=0x%x urg=%u csum=0x%04x %s\n",
              t->sport, t->dport, wire_flags_str(t->flags, f), t->seq, t->ack, t->window, t->hdr_len,
              t->reserved, t->urg, t->csum, fragment ? "unverified (fragment)" : csum_word(t->csum_ok));
    if (t->hdr_len > WIRE_TCP_HDR_MIN) {
        wt_printf(w, "  options ");
        tcp_opts_text(w, t->payload - (t->hdr_len - WIRE_TCP_HDR_MIN), t->hdr_len - WIRE_TCP_HDR_MIN);
        wt_printf(w, "\n");
    }
    wt_printf(w, "  payload %zu bytes\n", t->payload_len);
}

static void pretty_icmp(struct wtext *w, const struct wire_icmp *c)
{
    wt_printf(w, "\\ ICMP ");
    icmp_name(w, c->type, c->code);
    wt_printf(w, " type=%u code=%u csum=0x%04x %s rest=0x%08x\n", c->type, c->code, c->csum,
              csum_word(c->csum_ok), c->rest);
    if (!wire_icmp_is_error(c->type)) {
        wt_printf(w, "  ident=%u seq=%u payload %zu bytes\n", c->id, c->seq, c->payload_len);
        return;
    }
    struct wire_quote q;
    wt_printf(w, "  \\ quoted ");
    quote_text(w, c);
    if (wire_icmp_quote(c, &q) == WIRE_OK)
        wt_printf(w, " ip len=%u id=%u ttl=%u csum=0x%04x %s, %zu bytes of it quoted",
                  q.ip.total_len, q.ip.id, q.ip.ttl, q.ip.csum, csum_word(q.ip.csum_ok),
                  q.ip.payload_len + q.ip.hdr_len);
    wt_printf(w, "\n");
}

/* hexdump -C layout: offset, 16 bytes in two groups of 8, printable ASCII. */
static void hex_dump(struct wtext *w, const uint8_t *buf, size_t len)
{
    for (size_t off = 0; off < len; off += 16) {
        size_t n = len - off < 16 ? len - off : 16;
        wt_printf(w, "%04zx ", off);
        for (size_t i = 0; i < 16; i++) {
            if (i == 8)
                wt_printf(w, " ");
            if (i < n)
                wt_printf(w, " %02x", buf[off + i]);
            else
                wt_printf(w, "   ");
        }
        wt_printf(w, "  |");
        for (size_t i = 0; i < n; i++) {
            uint8_t c = buf[off + i];
            wt_printf(w, "%c", c >= 0x20 && c < 0x7f ? c : '.');
        }
        wt_printf(w, "|\n");
    }
}

int wire_pretty(char *out, size_t cap, const uint8_t *buf, size_t len, bool hex)
{
    struct wtext w = {out, out ? cap : 0, 0};
    struct wire_pkt pkt;
    int err = wire_parse(buf, len, &pkt);
    if (err != WIRE_OK) {
        wt_printf(&w, "IPv4 (%s) %zu bytes\n", wire_strerror(err), len);
    } else {
        pretty_ip(&w, &pkt.ip);
        const char *pn = proto_name(pkt.ip.proto);
        if (pkt.l4_err != WIRE_OK && pn)
            wt_printf(&w, "\\ %s (%s) %zu bytes\n", pn, wire_strerror(pkt.l4_err), pkt.ip.payload_len);
        else if (pkt.l4_err != WIRE_OK)
            wt_printf(&w, "\\ proto %u, %zu bytes\n", pkt.ip.proto, pkt.ip.payload_len);
        else if (pkt.ip.proto == WIRE_PROTO_TCP)
            pretty_tcp(&w, &pkt.l4.tcp, pkt.ip.mf);
        else if (pkt.ip.proto == WIRE_PROTO_UDP)
            wt_printf(&w, "\\ UDP %u > %u len=%u csum=0x%04x %s\n  payload %zu bytes\n",
                      pkt.l4.udp.sport, pkt.l4.udp.dport, pkt.l4.udp.len, pkt.l4.udp.csum,
                      pkt.l4.udp.csum == 0 ? "none" : pkt.ip.mf ? "unverified (fragment)" : csum_word(pkt.l4.udp.csum_ok),
                      pkt.l4.udp.payload_len);
        else
            pretty_icmp(&w, &pkt.l4.icmp);
    }
    if (hex)
        hex_dump(&w, buf, len);
    return wt_done(&w);
}
