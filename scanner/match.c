/* match.c — sorted lookup tables and ICMP quote parsing for reply matching (see match.h;
 * RFC 792: an ICMP error carries the offending IP header plus 64 bits of its data).
 */
#include "scanner/match.h"

#include <stdlib.h>
#include <string.h>

enum { MATCH_DENSE_MIN = 512 };   /* 16-bit tables above this size get a direct table */

/* Small tables: insertion sort, stable, in place. */
static void match_sort_small(uint32_t *k, uint32_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint32_t tk = k[i], tv = v[i];
        size_t j = i;
        for (; j > 0 && k[j - 1] > tk; j--) {
            k[j] = k[j - 1];
            v[j] = v[j - 1];
        }
        k[j] = tk;
        v[j] = tv;
    }
}

/* LSD radix sort, 8 bits a pass, stable, O(n) per pass: a -p- scan sorts 65535 shuffled ports
 * once per pass, which a comparison sort pays for in log n. Passes whose byte is the same
 * for every key are skipped. -1 when the scratch arrays cannot be had. */
static int match_sort(uint32_t *k, uint32_t *v, size_t n, int bytes)
{
    if (n < 64) {
        match_sort_small(k, v, n);
        return 0;
    }
    uint32_t *tk = malloc(n * sizeof *tk), *tv = malloc(n * sizeof *tv);
    if (!tk || !tv) {
        free(tk);
        free(tv);
        return -1;
    }
    for (int b = 0; b < bytes; b++) {
        size_t count[256] = { 0 };
        unsigned sh = (unsigned)b * 8;
        for (size_t i = 0; i < n; i++)
            count[(k[i] >> sh) & 0xff]++;
        if (count[(k[0] >> sh) & 0xff] == n)
            continue;
        size_t pos = 0;
        for (size_t d = 0; d < 256; d++) {
            size_t c = count[d];
            count[d] = pos;
            pos += c;
        }
        for (size_t i = 0; i < n; i++) {
            size_t at = count[(k[i] >> sh) & 0xff]++;
            tk[at] = k[i];
            tv[at] = v[i];
        }
        memcpy(k, tk, n * sizeof *k);
        memcpy(v, tv, n * sizeof *v);
    }
    free(tk);
    free(tv);
    return 0;
}

int match_index_build(struct match_index *m, const uint32_t *keys32, const uint16_t *keys16,
                      size_t n)
{
    m->n = n;
    m->dense = NULL;
    m->key = malloc((n ? n : 1) * sizeof *m->key);
    m->idx = malloc((n ? n : 1) * sizeof *m->idx);
    if (!m->key || !m->idx) {
        match_index_free(m);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        m->key[i] = keys32 ? keys32[i] : keys16[i];
        m->idx[i] = (uint32_t)i;
    }
    if (match_sort(m->key, m->idx, n, keys32 ? 4 : 2) < 0) {
        match_index_free(m);
        return -1;
    }
    /* Every reply is looked up by port: past a few hundred ports a direct table beats the
     * binary search. Filled from the highest sorted position down, so with equal keys it
     * holds the first one, as the binary search finds. */
    if (!keys32 && n > MATCH_DENSE_MIN) {
        m->dense = calloc(UINT16_MAX + 1, sizeof *m->dense);
        if (!m->dense) {
            match_index_free(m);
            return -1;
        }
        for (size_t j = n; j-- > 0;)
            m->dense[m->key[j]] = m->idx[j] + 1;
    }
    return 0;
}

void match_index_free(struct match_index *m)
{
    free(m->key);
    free(m->idx);
    free(m->dense);
    m->key = m->idx = m->dense = NULL;
    m->n = 0;
}

long match_index_find(const struct match_index *m, uint32_t key)
{
    if (m->dense)
        return key <= UINT16_MAX && m->dense[key] ? (long)m->dense[key] - 1 : -1;
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->key[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->n && m->key[lo] == key ? (long)m->idx[lo] : -1;
}

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool match_parse_tcp(const uint8_t *d, size_t len, struct wire_ipv4 *ip, struct wire_tcp *tcp)
{
    if (len < WIRE_IPV4_HDR_MIN || (d[0] >> 4) != 4)
        return false;
    size_t hl = (size_t)(d[0] & 0x0f) * 4;
    size_t tl = rd16(d + 2);
    uint16_t fl = rd16(d + 6);
    if (hl < WIRE_IPV4_HDR_MIN || hl > len || tl < hl || tl > len ||
        d[9] != WIRE_PROTO_TCP || (fl & 0x1fff) != 0)
        return false;
    const uint8_t *p = d + hl;
    size_t plen = tl - hl;
    if (plen < WIRE_TCP_HDR_MIN)
        return false;
    size_t thl = (size_t)(p[12] >> 4) * 4;
    if (thl < WIRE_TCP_HDR_MIN || thl > plen)
        return false;
    *ip = (struct wire_ipv4){
        .tos = d[1], .ttl = d[8], .proto = d[9], .hdr_len = (uint8_t)hl,
        .total_len = (uint16_t)tl, .id = rd16(d + 4), .df = (fl & 0x4000) != 0,
        .mf = (fl & 0x2000) != 0, .csum = rd16(d + 10), .src = rd32(d + 12),
        .dst = rd32(d + 16), .payload = p, .payload_len = plen,
    };
    wire_tcp_fixed(p, tcp);
    tcp->csum_ok = false;
    tcp->opt.n = 0;
    tcp->opt.has_mss = tcp->opt.sack_perm = tcp->opt.has_ts = tcp->opt.has_wscale = false;
    tcp->opt.malformed = false;
    tcp->payload = p + thl;
    tcp->payload_len = plen - thl;
    return true;
}

bool match_quote_parse(const struct wire_icmp *icmp, struct match_quote *q)
{
    if (icmp->type != ICMP_UNREACH && icmp->type != ICMP_TIME_EXCEEDED)
        return false;
    const uint8_t *p = icmp->payload;
    size_t n = icmp->payload_len;
    if (!p || n < WIRE_IPV4_HDR_MIN || (p[0] >> 4) != 4)
        return false;
    size_t ihl = (size_t)(p[0] & 0x0f) * 4;
    if (ihl < WIRE_IPV4_HDR_MIN || n < ihl + 8)
        return false;
    *q = (struct match_quote){
        .proto = p[9], .ipid = rd16(p + 4), .src = rd32(p + 12), .dst = rd32(p + 16),
    };
    const uint8_t *l4 = p + ihl;
    if (q->proto == WIRE_PROTO_TCP || q->proto == WIRE_PROTO_UDP) {
        q->sport = rd16(l4);
        q->dport = rd16(l4 + 2);
        q->seq = rd32(l4 + 4);
    } else if (q->proto == WIRE_PROTO_ICMP) {
        q->icmp_type = l4[0];
        q->icmp_id = rd16(l4 + 4);
        q->icmp_seq = rd16(l4 + 6);
    }
    return true;
}
