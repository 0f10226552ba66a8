/* match.c — sorted lookup tables and ICMP quote parsing for reply matching (see match.h;
 * RFC 792: an ICMP error carries the offending IP header plus 64 bits of its data).
 */
#include "scanner/match.h"

#include <stdlib.h>

static void match_sort(uint32_t *k, uint32_t *v, size_t n)
{
    /* Shell sort with Ciura-like gaps: no recursion, no allocation, deterministic. */
    static const size_t gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };
    for (size_t g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
        size_t gap = gaps[g];
        for (size_t i = gap; i < n; i++) {
            uint32_t tk = k[i], tv = v[i];
            size_t j = i;
            for (; j >= gap && k[j - gap] > tk; j -= gap) {
                k[j] = k[j - gap];
                v[j] = v[j - gap];
            }
            k[j] = tk;
            v[j] = tv;
        }
    }
}

int match_index_build(struct match_index *m, const uint32_t *keys32, const uint16_t *keys16,
                      size_t n)
{
    m->n = n;
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
    match_sort(m->key, m->idx, n);
    return 0;
}

void match_index_free(struct match_index *m)
{
    free(m->key);
    free(m->idx);
    m->key = m->idx = NULL;
    m->n = 0;
}

long match_index_find(const struct match_index *m, uint32_t key)
{
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
