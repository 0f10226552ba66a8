/* trace_json.c — the event record as JSON lines (trace.h: trace_write_json), for graders
 * and scripts that would otherwise scrape the transcript.
 *
 * One object per event, keys always in the same order, every field of the transcript line
 * plus the datagram's own fields parsed (addresses, ports, flags, sequence numbers) and its
 * bytes in hex, so nothing needs the text format. Strings are escaped per RFC 8259 (the
 * rule texts are ASCII; anything below 0x20 becomes \u00XX).
 */
#include "trace.h"

#include <string.h>

#include "lib/wire.h"

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void json_kv(FILE *f, const char *k, const char *v)
{
    fprintf(f, ",\"%s\":", k);
    if (v && *v)
        json_str(f, v);
    else
        fputs("null", f);
}

static void json_pkt(FILE *f, const uint8_t *d, size_t len)
{
    struct wire_pkt p;
    char a[16], b[16], fl[9];
    if (wire_parse(d, len, &p) == WIRE_OK || p.ip.total_len) {
        fprintf(f, ",\"src\":\"%s\",\"dst\":\"%s\",\"proto\":%u,\"ipid\":%u,\"ttl\":%u",
                wire_ip_str(p.ip.src, a), wire_ip_str(p.ip.dst, b), (unsigned)p.ip.proto,
                (unsigned)p.ip.id, (unsigned)p.ip.ttl);
        if (p.l4_err == WIRE_OK && p.ip.proto == WIRE_PROTO_TCP)
            fprintf(f, ",\"sport\":%u,\"dport\":%u,\"flags\":\"%s\",\"seq\":%lu,\"ack\":%lu,"
                    "\"win\":%u,\"payload_len\":%lu", (unsigned)p.l4.tcp.sport,
                    (unsigned)p.l4.tcp.dport, wire_flags_str(p.l4.tcp.flags, fl),
                    (unsigned long)p.l4.tcp.seq, (unsigned long)p.l4.tcp.ack,
                    (unsigned)p.l4.tcp.window, (unsigned long)p.l4.tcp.payload_len);
        else if (p.l4_err == WIRE_OK && p.ip.proto == WIRE_PROTO_UDP)
            fprintf(f, ",\"sport\":%u,\"dport\":%u", (unsigned)p.l4.udp.sport,
                    (unsigned)p.l4.udp.dport);
        else if (p.l4_err == WIRE_OK && p.ip.proto == WIRE_PROTO_ICMP)
            fprintf(f, ",\"icmp_type\":%u,\"icmp_code\":%u", (unsigned)p.l4.icmp.type,
                    (unsigned)p.l4.icmp.code);
    }
    fputs(",\"bytes\":\"", f);
    for (size_t i = 0; i < len; i++)
        fprintf(f, "%02x", d[i]);
    fputc('"', f);
}

static void json_event(const struct trace *t, size_t i, FILE *f)
{
    const struct trace_ev *e = &t->ev[i];
    char line[2048];
    trace_format(t, i, line, sizeof line);
    fprintf(f, "{\"seq\":%llu,\"t_ns\":%llu,\"kind\":\"%s\"", (unsigned long long)e->seq,
            (unsigned long long)e->t_ns, sim_ev_kind_name(e->kind));
    json_kv(f, "host", trace_str(t, e->host_off));
    fprintf(f, ",\"injected\":%s", e->injected ? "true" : "false");
    json_kv(f, "action", trace_str(t, e->action_off));
    json_kv(f, "rule_id", trace_str(t, e->rule_id_off));
    json_kv(f, "rule", trace_str(t, e->rule_off));
    json_kv(f, "state_before", e->state_before == TCB_NONE ? NULL : tcp_state_name(e->state_before));
    json_kv(f, "state_after", e->state_after == TCB_NONE ? NULL : tcp_state_name(e->state_after));
    if (e->ipid >= 0)
        fprintf(f, ",\"host_ipid\":%ld", (long)e->ipid);
    if (e->has_isn && !e->isn_unpredictable)
        fprintf(f, ",\"isn_next\":%lu", (unsigned long)e->isn_next);
    else if (e->has_isn)
        fputs(",\"isn_next\":\"unpredictable\"", f);
    fprintf(f, ",\"unit\":%llu,\"cause\":%llu", (unsigned long long)e->unit,
            (unsigned long long)e->cause);
    if (e->len)
        json_pkt(f, trace_pkt(t, e), e->len);
    json_kv(f, "line", line);
    fputs("}\n", f);
}

int trace_write_json(const struct trace *t, FILE *f)
{
    for (size_t i = 0; i < t->n; i++)
        json_event(t, i, f);
    return ferror(f) ? -1 : 0;
}
