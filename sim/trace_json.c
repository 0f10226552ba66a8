/* trace_json.c — the transcript as JSON lines (`tcplab run --json`), one object per event,
 * for graders and scripts: what the text line says, as fields (docs/json-schema.md).
 *
 * The datagram is parsed (lib/wire.h) into its header fields so a grader never parses the
 * summary text; the raw bytes are not included (the pcap has them). Strings are escaped as
 * RFC 8259 says; numbers are integers, times also as nanoseconds so nothing is rounded.
 */
#include "trace.h"

#include <string.h>

#include "lib/wire.h"

struct tj {
    char *out;
    size_t cap, used;
};

#define TJ(...)                                                                            \
    do {                                                                                   \
        int k_ = snprintf(j->out + (j->used < j->cap ? j->used : j->cap),                  \
                          j->used < j->cap ? j->cap - j->used : 0, __VA_ARGS__);           \
        if (k_ > 0)                                                                        \
            j->used += (size_t)k_;                                                         \
    } while (0)

static void tj_str(struct tj *j, const char *key, const char *s)
{
    TJ(",\"%s\":\"", key);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\')
            TJ("\\%c", *c);
        else if (*c < 0x20)
            TJ("\\u%04x", *c);
        else
            TJ("%c", *c);
    }
    TJ("\"");
}

/* A string, or null when empty. */
static void tj_str_or_null(struct tj *j, const char *key, const char *s)
{
    if (*s)
        tj_str(j, key, s);
    else
        TJ(",\"%s\":null", key);
}

static void tj_state(struct tj *j, const char *key, int st)
{
    if (st == TCB_NONE)
        TJ(",\"%s\":null", key);
    else
        tj_str(j, key, tcp_state_name(st));
}

static void tj_datagram(struct tj *j, const uint8_t *pkt, uint32_t len)
{
    struct wire_pkt p;
    if (wire_parse(pkt, len, &p) != WIRE_OK) {
        TJ(",\"proto\":null,\"ip_len\":%lu", (unsigned long)len);
        return;
    }
    char a[16], b[16];
    TJ(",\"src\":\"%s\",\"dst\":\"%s\"", wire_ip_str(p.ip.src, a), wire_ip_str(p.ip.dst, b));
    TJ(",\"ip_len\":%u,\"ip_id\":%u,\"ttl\":%u,\"df\":%s,\"mf\":%s,\"frag_off\":%u",
       (unsigned)p.ip.total_len, (unsigned)p.ip.id, (unsigned)p.ip.ttl,
       p.ip.df ? "true" : "false", p.ip.mf ? "true" : "false", (unsigned)p.ip.frag_off * 8);
    bool l4 = p.l4_err == WIRE_OK && !p.ip.frag_off;
    if (p.ip.proto == WIRE_PROTO_TCP && l4) {
        char fl[9];
        const struct wire_tcp *t = &p.l4.tcp;
        TJ(",\"proto\":\"tcp\",\"sport\":%u,\"dport\":%u,\"flags\":\"%s\",\"seq\":%lu,"
           "\"ack\":%lu,\"win\":%u,\"len\":%zu", (unsigned)t->sport, (unsigned)t->dport,
           wire_flags_str(t->flags, fl), (unsigned long)t->seq, (unsigned long)t->ack,
           (unsigned)t->window, t->payload_len);
        if (t->opt.has_ts)
            TJ(",\"tsval\":%lu,\"tsecr\":%lu", (unsigned long)t->opt.tsval,
               (unsigned long)t->opt.tsecr);
        TJ(",\"csum_ok\":%s", p.ip.csum_ok && t->csum_ok ? "true" : "false");
    } else if (p.ip.proto == WIRE_PROTO_UDP && l4) {
        TJ(",\"proto\":\"udp\",\"sport\":%u,\"dport\":%u,\"len\":%zu,\"csum_ok\":%s",
           (unsigned)p.l4.udp.sport, (unsigned)p.l4.udp.dport, p.l4.udp.payload_len,
           p.ip.csum_ok && p.l4.udp.csum_ok ? "true" : "false");
    } else if (p.ip.proto == WIRE_PROTO_ICMP && l4) {
        const struct wire_icmp *ic = &p.l4.icmp;
        TJ(",\"proto\":\"icmp\",\"icmp_type\":%u,\"icmp_code\":%u,\"icmp_id\":%u,"
           "\"icmp_seq\":%u,\"len\":%zu,\"csum_ok\":%s", (unsigned)ic->type, (unsigned)ic->code,
           (unsigned)ic->id, (unsigned)ic->seq, ic->payload_len,
           p.ip.csum_ok && ic->csum_ok ? "true" : "false");
    } else {
        TJ(",\"proto\":%u,\"len\":%zu", (unsigned)p.ip.proto, p.ip.payload_len);
    }
}

int trace_json(const struct trace *t, size_t i, char *out, size_t cap)
{
    struct tj jj = {out, cap, 0}, *j = &jj;
    const struct trace_ev *e = &t->ev[i];
    char addr[16];
    TJ("{\"ev\":%llu,\"t\":%llu.%09llu,\"t_ns\":%llu", (unsigned long long)e->seq,
       (unsigned long long)(e->t_ns / 1000000000ULL),
       (unsigned long long)(e->t_ns % 1000000000ULL), (unsigned long long)e->t_ns);
    tj_str(j, "kind", sim_ev_kind_name(e->kind));
    tj_str_or_null(j, "host", trace_str(t, e->host_off));
    TJ(",\"host_addr\":\"%s\"", wire_ip_str(e->host_addr, addr));
    if (e->injected)   /* a datagram an attached script injected (tcplab attach) */
        TJ(",\"injected\":true");
    if (e->len)
        tj_datagram(j, trace_pkt(t, e), e->len);
    tj_str_or_null(j, "action", trace_str(t, e->action_off));
    tj_str_or_null(j, "rule_id", trace_str(t, e->rule_id_off));
    tj_str_or_null(j, "rule", trace_str(t, e->rule_off));
    tj_state(j, "state_before", e->state_before);
    tj_state(j, "state_after", e->state_after);
    if (e->ipid >= 0)
        TJ(",\"ipid_counter\":%ld", (long)e->ipid);
    else
        TJ(",\"ipid_counter\":null");
    if (!e->has_isn)
        TJ(",\"isn_next\":null");
    else if (e->isn_unpredictable)
        TJ(",\"isn_next\":\"unpredictable\"");
    else
        TJ(",\"isn_next\":%lu", (unsigned long)e->isn_next);
    TJ(",\"cause\":%llu}", (unsigned long long)e->cause);
    return (int)j->used;
}

int trace_json_write(const struct trace *t, FILE *f)
{
    char line[4096];
    for (size_t i = 0; i < t->n; i++) {
        trace_json(t, i, line, sizeof line);
        if (fputs(line, f) == EOF || fputc('\n', f) == EOF)
            return -1;
    }
    return 0;
}
