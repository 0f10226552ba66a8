/* reasm.c — IPv4 fragment reassembly, one host's queues (the rules are in reasm.h).
 *
 * Each queue keeps the data at its offset in a buffer that grows as fragments reach further
 * (never past 65535 bytes), with REASM_HDR_ROOM bytes of headroom so the first fragment's
 * header can be laid in front of the data when the datagram completes, and a bitmap of the
 * 8-octet units received: RFC 815's holes are the zero bits. A fragment covering only set
 * units is a duplicate; one covering some set units overlaps. A completed queue is kept
 * until the next call so the caller may read the datagram.
 */
#include "reasm.h"

#include <stdlib.h>
#include <string.h>

#include "lib/wire.h"

enum {
    REASM_HDR_ROOM = 60,                       /* the longest IPv4 header */
    REASM_UNITS = 65536 / 8,
    REASM_MAX_DATA = 65535 - WIRE_IPV4_HDR_MIN,
};

struct reasm_q {
    bool used;
    uint32_t src, dst;
    uint16_t id;
    uint8_t proto;
    bool first_in, last_in;
    uint64_t created;
    size_t len;            /* known end of the data (the last fragment's, or the furthest) */
    size_t meat;           /* data bytes received */
    uint8_t hdr[REASM_HDR_ROOM];
    size_t hl;
    uint8_t *buf;          /* REASM_HDR_ROOM + data */
    size_t cap;            /* data bytes the buffer holds */
    uint8_t bits[REASM_UNITS / 8];
};

struct reasm {
    struct reasm_q q[REASM_QUEUES];
    size_t bytes;          /* data buffers, all queues */
    int done;              /* index of the queue completed by the last call, -1 */
};

struct reasm *reasm_new(void)
{
    struct reasm *r = calloc(1, sizeof *r);
    if (r)
        r->done = -1;
    return r;
}

static void reasm_q_free(struct reasm *r, struct reasm_q *q)
{
    r->bytes -= q->cap;
    free(q->buf);
    memset(q, 0, sizeof *q);
}

void reasm_free(struct reasm *r)
{
    if (!r)
        return;
    for (int i = 0; i < REASM_QUEUES; i++)
        free(r->q[i].buf);
    free(r);
}

size_t reasm_pending(const struct reasm *r)
{
    size_t n = 0;
    for (int i = 0; i < REASM_QUEUES; i++)
        n += r->q[i].used && i != r->done;
    return n;
}

static uint32_t reasm_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Frees the last call's completed queue and every queue past its time. */
static void reasm_expire(struct reasm *r, uint64_t now)
{
    if (r->done >= 0) {
        reasm_q_free(r, &r->q[r->done]);
        r->done = -1;
    }
    for (int i = 0; i < REASM_QUEUES; i++)
        if (r->q[i].used && now - r->q[i].created >= REASM_TIMEOUT_NS)
            reasm_q_free(r, &r->q[i]);
}

static struct reasm_q *reasm_find(struct reasm *r, uint32_t src, uint32_t dst, uint16_t id,
                                  uint8_t proto, uint64_t now)
{
    struct reasm_q *freeq = NULL;
    for (int i = 0; i < REASM_QUEUES; i++) {
        struct reasm_q *q = &r->q[i];
        if (q->used && q->src == src && q->dst == dst && q->id == id && q->proto == proto)
            return q;
        if (!q->used && !freeq)
            freeq = q;
    }
    if (!freeq)
        return NULL;
    *freeq = (struct reasm_q){ .used = true, .src = src, .dst = dst, .id = id, .proto = proto,
                               .created = now };
    return freeq;
}

/* Room for data up to `end`; false when the host's byte budget says no. */
static bool reasm_grow(struct reasm *r, struct reasm_q *q, size_t end)
{
    if (end <= q->cap)
        return true;
    size_t nc = q->cap ? q->cap : 2048;
    while (nc < end)
        nc *= 2;
    if (nc > REASM_MAX_DATA + 1)
        nc = REASM_MAX_DATA + 1;
    if (r->bytes + (nc - q->cap) > REASM_BYTES)
        return false;
    uint8_t *b = realloc(q->buf, REASM_HDR_ROOM + nc);
    if (!b)
        return false;
    memset(b + REASM_HDR_ROOM + q->cap, 0, nc - q->cap);
    r->bytes += nc - q->cap;
    q->buf = b;
    q->cap = nc;
    return true;
}

/* 0: none of units [a, b) held, 1: all of them, 2: some. */
static int reasm_coverage(const struct reasm_q *q, size_t a, size_t b)
{
    size_t held = 0;
    for (size_t u = a; u < b; u++)
        held += (q->bits[u / 8] >> (u % 8)) & 1;
    return held == 0 ? 0 : held == b - a ? 1 : 2;
}

static void reasm_mark(struct reasm_q *q, size_t a, size_t b)
{
    for (size_t u = a; u < b; u++)
        q->bits[u / 8] |= (uint8_t)(1u << (u % 8));
}

/* The datagram: the first fragment's header before the data, MF and offset cleared. */
static const uint8_t *reasm_build(struct reasm_q *q, size_t *outlen)
{
    uint8_t *h = q->buf + REASM_HDR_ROOM - q->hl;
    memcpy(h, q->hdr, q->hl);
    size_t total = q->hl + q->len;
    h[2] = (uint8_t)(total >> 8);
    h[3] = (uint8_t)total;
    h[6] &= 0x40;   /* keep DF; MF and the offset go */
    h[7] = 0;
    h[10] = h[11] = 0;
    uint16_t c = wire_csum_fold(wire_csum_add(0, h, q->hl));
    h[10] = (uint8_t)(c >> 8);
    h[11] = (uint8_t)c;
    *outlen = total;
    return h;
}

static enum reasm_result reasm_discard(struct reasm *r, struct reasm_q *q, const char **why,
                                       const char *text)
{
    reasm_q_free(r, q);
    *why = text;
    return REASM_DISCARD;
}

/* Linux ip_frag_queue's length rules; -1 when the datagram must go (with *why). */
static int reasm_lengths(struct reasm_q *q, bool mf, size_t offset, size_t *end, const char **why)
{
    if (!mf) {
        if (*end < q->len || (q->last_in && *end != q->len)) {
            *why = "RFC 791 reassembly: last fragments disagree on the length: datagram discarded";
            return -1;
        }
        q->last_in = true;
        q->len = *end;
    } else {
        *end &= ~(size_t)7;   /* Linux: a non-last fragment is a multiple of 8 bytes */
        if (*end > q->len) {
            if (q->last_in) {
                *why = "RFC 791 reassembly: data past the last fragment: datagram discarded";
                return -1;
            }
            q->len = *end;
        }
    }
    if (*end == offset) {
        *why = "RFC 791 reassembly: empty fragment: datagram discarded (Linux)";
        return -1;
    }
    return 0;
}

enum reasm_result reasm_add(struct reasm *r, uint64_t now, const uint8_t *frag, size_t len,
                            const uint8_t **out, size_t *outlen, const char **why)
{
    reasm_expire(r, now);
    size_t hl = (size_t)(frag[0] & 0x0f) * 4, tl = (size_t)frag[2] << 8 | frag[3];
    if (tl > len)
        tl = len;
    bool mf = frag[6] & 0x20;
    size_t offset = ((size_t)(frag[6] & 0x1f) << 8 | frag[7]) * 8;
    size_t end = offset + (tl - hl);
    struct reasm_q *q = reasm_find(r, reasm_rd32(frag + 12), reasm_rd32(frag + 16),
                                   (uint16_t)(frag[4] << 8 | frag[5]), frag[9], now);
    if (!q) {
        *why = "reassembly: every queue in use (ipfrag_high_thresh): fragment dropped";
        return REASM_REFUSED;
    }
    if (end > 65535 - hl)
        return reasm_discard(r, q, why, "RFC 791 reassembly: over 65535 bytes (ping of death): "
                                        "datagram discarded");
    if (reasm_lengths(q, mf, offset, &end, why))
        return reasm_discard(r, q, why, *why);
    size_t ua = offset / 8, ub = (end + 7) / 8;
    int cov = reasm_coverage(q, ua, ub);
    if (cov == 2)
        return reasm_discard(r, q, why, "overlapping fragments: datagram discarded "
                                        "(Linux since 2018, CVE-2018-5391)");
    if (cov == 1) {
        *why = "duplicate fragment: dropped, the datagram kept (RFC 5722 errata 3089)";
        return REASM_DUP;
    }
    if (!reasm_grow(r, q, q->len > end ? q->len : end)) {
        bool empty = q->meat == 0;
        if (empty)
            reasm_q_free(r, q);
        *why = "reassembly: byte budget spent (ipfrag_high_thresh): fragment dropped";
        return REASM_REFUSED;
    }
    memcpy(q->buf + REASM_HDR_ROOM + offset, frag + hl, end - offset);
    reasm_mark(q, ua, ub);
    q->meat += end - offset;
    if (offset == 0) {
        q->first_in = true;
        q->hl = hl;
        memcpy(q->hdr, frag, hl);
    }
    if (q->first_in && q->last_in && q->meat == q->len) {
        *out = reasm_build(q, outlen);
        r->done = (int)(q - r->q);
        *why = "RFC 791 3.2: reassembled";
        return REASM_DONE;
    }
    *why = "RFC 791 3.2: fragment held for reassembly";
    return REASM_HELD;
}
