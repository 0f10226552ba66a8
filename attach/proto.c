/* proto.c — parsing and encoding of the attach protocol (proto.h).
 *
 * The parser trusts nothing: every length is checked against what is left before it is
 * read, a body must be used exactly (no trailing bytes), and each datagram of a batch must
 * be one whole IPv4 datagram, so the simulator never sees a malformed one. Errors say what
 * was wrong and where (the request type, the datagram's index in its batch).
 */
#include "attach/proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long proto_frame_len(const uint8_t hdr[4], char *err, size_t errlen)
{
    uint32_t n = proto_rd32(hdr);
    if (n == 0 || n > PROTO_MAX_FRAME) {
        snprintf(err, errlen, "frame length %lu out of range (1 to %u)", (unsigned long)n,
                 (unsigned)PROTO_MAX_FRAME);
        return -1;
    }
    return (long)n;
}

const char *proto_dgram_check(const uint8_t *d, size_t len)
{
    if (len < 20)
        return "shorter than an IPv4 header (20 bytes)";
    if (len > PROTO_MAX_DGRAM)
        return "bigger than the links' MTU (1500 bytes)";
    if (d[0] >> 4 != 4)
        return "not IPv4 (version field)";
    size_t hl = (size_t)(d[0] & 0x0f) * 4, tl = proto_rd16(d + 2);
    if (hl < 20 || hl > len)
        return "header length field out of range";
    if (tl != len)
        return "total length field differs from the datagram's length";
    return NULL;
}

/* A cursor over a body: each take checks what is left. */
struct cur {
    const uint8_t *p;
    size_t left;
    bool bad;
};

static const uint8_t *take(struct cur *c, size_t n)
{
    if (c->bad || c->left < n) {
        c->bad = true;
        return NULL;
    }
    const uint8_t *p = c->p;
    c->p += n;
    c->left -= n;
    return p;
}
static uint16_t take16(struct cur *c) { const uint8_t *p = take(c, 2); return p ? proto_rd16(p) : 0; }
static uint32_t take32(struct cur *c) { const uint8_t *p = take(c, 4); return p ? proto_rd32(p) : 0; }
static uint64_t take64(struct cur *c) { const uint8_t *p = take(c, 8); return p ? proto_rd64(p) : 0; }

static const char *type_name(int t)
{
    switch (t) {
    case PROTO_HELLO: return "HELLO";
    case PROTO_WAIT: return "WAIT";
    case PROTO_FIRST: return "FIRST";
    case PROTO_ABORT: return "ABORT";
    case PROTO_CONNECT: return "CONNECT";
    case PROTO_STATE: return "STATE";
    case PROTO_WRITE: return "WRITE";
    case PROTO_READ: return "READ";
    case PROTO_CLOSE: return "CLOSE";
    case PROTO_NOTE: return "NOTE";
    }
    return "?";
}

static int parse_batch(struct cur *c, struct proto_req *r, char *err, size_t errlen)
{
    r->ndgrams = take32(c);
    r->batch = c->p;
    for (uint32_t i = 0; i < r->ndgrams && !c->bad; i++) {
        uint16_t n = take16(c);
        const uint8_t *d = take(c, n);
        if (!d)
            break;
        const char *why = proto_dgram_check(d, n);
        if (why) {
            snprintf(err, errlen, "%s: datagram %lu of %lu (%u bytes): %s",
                     type_name(r->type), (unsigned long)i + 1, (unsigned long)r->ndgrams, (unsigned)n, why);
            return -1;
        }
    }
    r->batch_len = (size_t)(c->p - r->batch);
    return 0;
}

static int parse_note(struct cur *c, struct proto_req *r, char *err, size_t errlen)
{
    uint16_t n = take16(c);
    const uint8_t *t = take(c, n);
    if (!t)
        return 0;   /* short: reported by the caller */
    if (n > PROTO_MAX_NOTE) {
        snprintf(err, errlen, "NOTE: %u bytes, at most %u", (unsigned)n, (unsigned)PROTO_MAX_NOTE);
        return -1;
    }
    for (uint16_t i = 0; i < n; i++)
        if (t[i] < 0x20 || t[i] > 0x7e) {
            snprintf(err, errlen, "NOTE: byte %u is not printable ASCII (0x%02x)",
                     (unsigned)i + 1, t[i]);
            return -1;
        }
    r->text = (const char *)t;
    r->text_len = n;
    return 0;
}

int proto_parse_req(const uint8_t *msg, size_t len, struct proto_req *r, char *err,
                    size_t errlen)
{
    memset(r, 0, sizeof *r);
    if (len == 0) {
        snprintf(err, errlen, "empty frame");
        return -1;
    }
    struct cur c = { msg + 1, len - 1, false };
    r->type = (enum proto_type)msg[0];
    switch (msg[0]) {
    case PROTO_HELLO:
        r->version = take32(&c);
        break;
    case PROTO_WAIT: case PROTO_FIRST:
        r->until_ns = take64(&c);
        if (parse_batch(&c, r, err, errlen))
            return -1;
        break;
    case PROTO_CONNECT:
        r->dst = take32(&c);
        r->dport = take16(&c);
        r->sport = take16(&c);
        if (!c.bad && r->dport == 0) {
            snprintf(err, errlen, "CONNECT: destination port 0");
            return -1;
        }
        break;
    case PROTO_STATE: case PROTO_CLOSE: case PROTO_ABORT:
        r->handle = take32(&c);
        break;
    case PROTO_WRITE: case PROTO_READ:
        r->handle = take32(&c);
        r->nbytes = take32(&c);
        if (!c.bad && r->nbytes > PROTO_MAX_WRITE) {
            snprintf(err, errlen, "%s: %lu bytes, at most %u at a time", type_name(msg[0]),
                     (unsigned long)r->nbytes, (unsigned)PROTO_MAX_WRITE);
            return -1;
        }
        if (msg[0] == PROTO_WRITE)
            r->data = take(&c, r->nbytes);
        break;
    case PROTO_NOTE:
        if (parse_note(&c, r, err, errlen))
            return -1;
        break;
    default:
        snprintf(err, errlen, "unknown request type 0x%02x", msg[0]);
        return -1;
    }
    if (c.bad) {
        snprintf(err, errlen, "%s: body too short (%lu bytes)", type_name(msg[0]),
                 (unsigned long)(len - 1));
        return -1;
    }
    if (c.left) {
        snprintf(err, errlen, "%s: %lu bytes past the end of the request", type_name(msg[0]),
                 (unsigned long)c.left);
        return -1;
    }
    return 0;
}

void proto_batch_next(const struct proto_req *r, size_t *pos, const uint8_t **d, size_t *len)
{
    const uint8_t *p = r->batch + *pos;
    *len = proto_rd16(p);
    *d = p + 2;
    *pos += 2 + *len;
}

/* ---------------------------------------------------------------- encoding */

void proto_buf_free(struct proto_buf *b)
{
    free(b->v);
    memset(b, 0, sizeof *b);
}

uint8_t *proto_room(struct proto_buf *b, size_t n)
{
    if (b->oom)
        return NULL;
    if (b->n + n > b->cap) {
        size_t nc = b->cap ? b->cap : 4096;
        while (nc < b->n + n)
            nc *= 2;
        uint8_t *v = realloc(b->v, nc);
        if (!v) {
            b->oom = true;
            return NULL;
        }
        b->v = v;
        b->cap = nc;
    }
    return b->v + b->n;
}

void proto_put(struct proto_buf *b, const void *p, size_t n)
{
    uint8_t *at = n ? proto_room(b, n) : NULL;
    if (!at)
        return;
    memcpy(at, p, n);
    b->n += n;
}

void proto_put8(struct proto_buf *b, uint8_t x) { proto_put(b, &x, 1); }
void proto_put16(struct proto_buf *b, uint16_t x)
{
    uint8_t v[2] = { (uint8_t)(x >> 8), (uint8_t)x };
    proto_put(b, v, 2);
}
void proto_put32(struct proto_buf *b, uint32_t x)
{
    uint8_t v[4] = { (uint8_t)(x >> 24), (uint8_t)(x >> 16), (uint8_t)(x >> 8), (uint8_t)x };
    proto_put(b, v, 4);
}
void proto_put64(struct proto_buf *b, uint64_t x)
{
    proto_put32(b, (uint32_t)(x >> 32));
    proto_put32(b, (uint32_t)x);
}

size_t proto_begin(struct proto_buf *b, enum proto_type type)
{
    size_t at = b->n;
    proto_put32(b, 0);
    proto_put8(b, (uint8_t)type);
    return at;
}

void proto_end(struct proto_buf *b, size_t at)
{
    if (b->oom)
        return;
    uint32_t n = (uint32_t)(b->n - at - 4);
    b->v[at] = (uint8_t)(n >> 24);
    b->v[at + 1] = (uint8_t)(n >> 16);
    b->v[at + 2] = (uint8_t)(n >> 8);
    b->v[at + 3] = (uint8_t)n;
}

/* ---------------------------------------------------------------- record files */

int proto_rec_header(const uint8_t *buf, size_t len, struct proto_rec_hdr *h, char *err,
                     size_t errlen)
{
    if (len >= 8 && !memcmp(buf, "TLABREC1", 8)) {
        snprintf(err, errlen, "a record of an older tcplab (attach protocol 1, whose WRITE "
                 "carried no bytes): record it again with this one");
        return -1;
    }
    if (len >= 8 && !memcmp(buf, "TLABREC2", 8)) {
        snprintf(err, errlen, "a record of an older tcplab (TLABREC2, which did not record "
                 "READ: a read now opens the receive window on the network): record it "
                 "again with this one");
        return -1;
    }
    if (len < PROTO_REC_HDR || memcmp(buf, PROTO_REC_MAGIC, 8)) {
        snprintf(err, errlen, "not a tcplab attach record (no %s header)", PROTO_REC_MAGIC);
        return -1;
    }
    h->seed = proto_rd64(buf + 8);
    h->addr = proto_rd32(buf + 16);
    h->plen = buf[20];
    h->variant = proto_rd64(buf + 21);
    if (h->plen > 32) {
        snprintf(err, errlen, "record header: prefix length %u", (unsigned)h->plen);
        return -1;
    }
    return 0;
}

int proto_rec_next(const uint8_t *buf, size_t len, size_t *off, uint64_t *t_ns,
                   struct proto_req *r, struct proto_rec_end *end, char *err, size_t errlen)
{
    size_t at = *off;
    if (at == len)
        return 0;
    char why[200];
    if (len - at < 8 + PROTO_HDR) {
        snprintf(err, errlen, "byte %lu: entry cut short", (unsigned long)at);
        return -1;
    }
    *t_ns = proto_rd64(buf + at);
    long n = proto_frame_len(buf + at + 8, why, sizeof why);
    if (n < 0 || (size_t)n > len - at - 12) {
        snprintf(err, errlen, "byte %lu: %s", (unsigned long)at, n < 0 ? why : "entry cut short");
        return -1;
    }
    const uint8_t *msg = buf + at + 12;
    *off = at + 12 + (size_t)n;
    if (msg[0] == PROTO_ERROR) {   /* END */
        memset(r, 0, sizeof *r);
        r->type = PROTO_ERROR;
        if (n != 1 + 1 + 8 + 4 || msg[1] > 1 || *off != len) {
            snprintf(err, errlen, "byte %lu: a malformed END entry, or entries after it",
                     (unsigned long)at);
            return -1;
        }
        end->has_until = msg[1];
        end->until_ns = proto_rd64(msg + 2);
        end->status = (int32_t)proto_rd32(msg + 10);
        return 1;
    }
    if (msg[0] == PROTO_HELLO || msg[0] == PROTO_STATE ||
        proto_parse_req(msg, (size_t)n, r, why, sizeof why)) {
        snprintf(err, errlen, "byte %lu: %s", (unsigned long)at,
                 msg[0] == PROTO_HELLO || msg[0] == PROTO_STATE ? "a query is never recorded" : why);
        return -1;
    }
    return 1;
}
