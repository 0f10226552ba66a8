/* client.c — the C client of `tcplab attach` (client.h).
 *
 * One request, one reply, in order (proto.h). The queue of datagrams to send is the body of
 * the next WAIT under construction (a proto_buf with room left for the header), so queueing
 * a probe is one copy; a queue grown past half the frame limit is sent at once, the clock
 * unmoved. Replies are read into one buffer reused for the whole session.
 */
#include "attach/client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attach/proto.h"

enum { CLIENT_FLUSH_AT = PROTO_MAX_FRAME / 2, WAIT_HDR = PROTO_HDR + 8 + 4 };

struct client_host {
    char name[64];
    uint32_t addr;
};

struct attach_client {
    int fd;
    uint32_t addr;
    uint8_t plen;
    uint64_t now;
    struct client_host *hosts;
    size_t nhosts;
    struct proto_buf q;        /* the next WAIT: header room, then the queued datagrams */
    uint32_t nq;
    struct proto_buf req;      /* other requests */
    uint8_t *rx;               /* the last reply (type and body) */
    size_t nrx, caprx;
    bool broken;
    char err[256];
};

static void q_reset(struct attach_client *c)
{
    c->q.n = 0;
    for (int i = 0; i < WAIT_HDR; i++)
        proto_put8(&c->q, 0);
    c->nq = 0;
}

static int fail(struct attach_client *c, const char *why)
{
    snprintf(c->err, sizeof c->err, "%s", why);
    return -1;
}

static int io_full(struct attach_client *c, uint8_t *p, size_t n, bool wr)
{
    while (n) {
        ssize_t k = wr ? write(c->fd, p, n) : read(c->fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            c->broken = true;
            snprintf(c->err, sizeof c->err, "the session with tcplab is gone (%s)",
                     k == 0 ? "closed" : strerror(errno));
            return -1;
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Sends a whole frame (length field filled in here) and reads the reply into c->rx; -1 on a
 * broken session or an 'E' reply (its text in c->err); else 0 when its type is `want`. */
static int exchange(struct attach_client *c, struct proto_buf *b, enum proto_type want)
{
    if (c->broken)
        return -1;
    if (b->oom)
        return fail(c, "out of memory");
    proto_end(b, 0);
    uint8_t hdr[4];
    if (io_full(c, b->v, b->n, true) || io_full(c, hdr, 4, false))
        return -1;
    char why[128];
    long n = proto_frame_len(hdr, why, sizeof why);
    if (n < 0) {
        c->broken = true;
        return fail(c, why);
    }
    if ((size_t)n > c->caprx) {
        uint8_t *v = realloc(c->rx, (size_t)n);
        if (!v) {
            c->broken = true;
            return fail(c, "out of memory");
        }
        c->rx = v;
        c->caprx = (size_t)n;
    }
    if (io_full(c, c->rx, (size_t)n, false))
        return -1;
    c->nrx = (size_t)n;
    if (c->rx[0] == PROTO_ERROR) {
        size_t k = n >= 3 ? proto_rd16(c->rx + 1) : 0;
        if (k > (size_t)n - 3)
            k = (size_t)n - 3;
        snprintf(c->err, sizeof c->err, "tcplab: %.*s", (int)k, (const char *)c->rx + 3);
        return -1;
    }
    if (c->rx[0] != want) {
        c->broken = true;
        return fail(c, "an unexpected reply from tcplab");
    }
    return 0;
}

static void req_begin(struct attach_client *c, enum proto_type t)
{
    c->req.n = 0;
    proto_begin(&c->req, t);
}

static int hello(struct attach_client *c)
{
    req_begin(c, PROTO_HELLO);
    proto_put32(&c->req, PROTO_VERSION);
    if (exchange(c, &c->req, PROTO_HELLO))
        return -1;
    const uint8_t *p = c->rx + 1;
    size_t left = c->nrx - 1;
    if (left < 4 + 4 + 1 + 8 + 2)
        return fail(c, "a short HELLO reply");
    c->addr = proto_rd32(p + 4);
    c->plen = p[8];
    c->now = proto_rd64(p + 9);
    size_t n = proto_rd16(p + 17), off = 19;
    c->hosts = calloc(n ? n : 1, sizeof *c->hosts);
    if (!c->hosts)
        return fail(c, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (off + 5 > left || off + 5 + p[off + 4] > left)
            return fail(c, "a malformed HELLO reply");
        size_t k = p[off + 4] < sizeof c->hosts[i].name ? p[off + 4] : sizeof c->hosts[i].name - 1;
        c->hosts[i].addr = proto_rd32(p + off);
        memcpy(c->hosts[i].name, p + off + 5, k);
        off += 5 + p[off + 4];
        c->nhosts++;
    }
    return 0;
}

struct attach_client *attach_client_open(int fd, char *err, size_t errlen)
{
    if (fd < 0) {
        const char *v = getenv("TCPLAB_ATTACH");
        char *end;
        long n = v ? strtol(v, &end, 10) : -1;
        if (!v || !*v || *end || n < 0 || n > 1 << 20) {
            snprintf(err, errlen, "not running under `tcplab attach` ($TCPLAB_ATTACH %s); run "
                     "it as: tcplab attach SCENARIO -- COMMAND", v ? "is not a descriptor" : "is not set");
            return NULL;
        }
        fd = (int)n;
    }
    struct attach_client *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->fd = fd;
    q_reset(c);
    if (hello(c)) {
        snprintf(err, errlen, "attach: %s", c->err);
        attach_client_close(c);
        return NULL;
    }
    return c;
}

const char *attach_client_error(const struct attach_client *c) { return c->err; }
uint32_t attach_client_addr(const struct attach_client *c) { return c->addr; }
unsigned attach_client_plen(const struct attach_client *c) { return c->plen; }
uint64_t attach_client_now(const struct attach_client *c) { return c->now; }

int attach_client_host(const struct attach_client *c, size_t i, const char **name,
                       uint32_t *addr)
{
    if (i >= c->nhosts)
        return -1;
    *name = c->hosts[i].name;
    *addr = c->hosts[i].addr;
    return 0;
}

int attach_client_lookup(const struct attach_client *c, const char *name, uint32_t *addr)
{
    for (size_t i = 0; i < c->nhosts; i++)
        if (!strcmp(c->hosts[i].name, name)) {
            *addr = c->hosts[i].addr;
            return 0;
        }
    return -1;
}

const char *attach_client_host_name(const struct attach_client *c, uint32_t addr)
{
    for (size_t i = 0; i < c->nhosts; i++)
        if (c->hosts[i].addr == addr)
            return c->hosts[i].name;
    return NULL;
}

/* Sends the queue (as a WAIT or FIRST to until_ns) and hands the reply's datagrams to fn. */
static long send_wait(struct attach_client *c, enum proto_type type, uint64_t until_ns,
                      attach_rx_fn fn, void *ctx)
{
    uint8_t *h = c->q.v;
    h[4] = (uint8_t)type;
    for (int i = 0; i < 8; i++)
        h[5 + i] = (uint8_t)(until_ns >> (56 - 8 * i));
    for (int i = 0; i < 4; i++)
        h[13 + i] = (uint8_t)(c->nq >> (24 - 8 * i));
    int rc = exchange(c, &c->q, PROTO_DGRAMS);
    q_reset(c);
    if (rc)
        return -1;
    if (c->nrx < 13)
        return fail(c, "a short reply to WAIT");
    c->now = proto_rd64(c->rx + 1);
    uint32_t n = proto_rd32(c->rx + 9);
    size_t off = 13;
    for (uint32_t i = 0; i < n; i++) {
        if (off + 10 > c->nrx || off + 10 + proto_rd16(c->rx + off + 8) > c->nrx) {
            c->broken = true;
            return fail(c, "a malformed reply to WAIT");
        }
        size_t len = proto_rd16(c->rx + off + 8);
        if (fn)
            fn(ctx, proto_rd64(c->rx + off), c->rx + off + 10, len);
        off += 10 + len;
    }
    return (long)n;
}

/* The queue leaves now, the clock unmoved (before a connect, a note...). */
static int flush(struct attach_client *c, attach_rx_fn fn, void *ctx)
{
    if (c->nq == 0)
        return 0;
    return send_wait(c, PROTO_WAIT, c->now, fn, ctx) < 0 ? -1 : 0;
}

int attach_client_send(struct attach_client *c, const uint8_t *dgram, size_t len)
{
    const char *why = proto_dgram_check(dgram, len);
    if (why)
        return fail(c, why);
    if (c->q.n + len + 2 > CLIENT_FLUSH_AT && flush(c, NULL, NULL))
        return -1;
    proto_put16(&c->q, (uint16_t)len);
    proto_put(&c->q, dgram, len);
    c->nq++;
    return c->q.oom ? fail(c, "out of memory") : 0;
}

long attach_client_wait(struct attach_client *c, uint64_t until_ns, bool first,
                        attach_rx_fn fn, void *ctx)
{
    return send_wait(c, first ? PROTO_FIRST : PROTO_WAIT, until_ns, fn, ctx);
}

static int simple(struct attach_client *c, enum proto_type t, int handle, uint32_t extra,
                  bool has_extra)
{
    if (flush(c, NULL, NULL))
        return -1;
    req_begin(c, t);
    proto_put32(&c->req, (uint32_t)handle);
    if (has_extra)
        proto_put32(&c->req, extra);
    return exchange(c, &c->req, PROTO_OK);
}

int attach_client_connect(struct attach_client *c, uint32_t dst, uint16_t dport,
                          uint16_t sport)
{
    if (flush(c, NULL, NULL))
        return -1;
    req_begin(c, PROTO_CONNECT);
    proto_put32(&c->req, dst);
    proto_put16(&c->req, dport);
    proto_put16(&c->req, sport);
    if (exchange(c, &c->req, PROTO_INT))
        return -1;
    if (c->nrx != 5)
        return fail(c, "a malformed reply to CONNECT");
    return (int)proto_rd32(c->rx + 1);
}

int attach_client_state(struct attach_client *c, int handle, char *buf, size_t cap)
{
    req_begin(c, PROTO_STATE);
    proto_put32(&c->req, (uint32_t)handle);
    if (exchange(c, &c->req, PROTO_STATE))
        return -1;
    size_t n = c->nrx >= 2 ? c->rx[1] : 0;
    if (n + 2 > c->nrx || cap == 0)
        return fail(c, "a malformed reply to STATE");
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, c->rx + 2, n);
    buf[n] = 0;
    return 0;
}

long attach_client_write(struct attach_client *c, int handle, const void *data, size_t n)
{
    if (flush(c, NULL, NULL))
        return -1;
    if (n > PROTO_MAX_WRITE)
        n = PROTO_MAX_WRITE;   /* a short write, as write(2) may make */
    req_begin(c, PROTO_WRITE);
    proto_put32(&c->req, (uint32_t)handle);
    proto_put32(&c->req, (uint32_t)n);
    proto_put(&c->req, data, n);
    if (exchange(c, &c->req, PROTO_INT))
        return -1;
    if (c->nrx != 5)
        return fail(c, "a malformed reply to WRITE");
    return (long)(int32_t)proto_rd32(c->rx + 1);
}

long attach_client_read(struct attach_client *c, int handle, void *buf, size_t cap, bool *eof)
{
    if (cap > PROTO_MAX_WRITE)
        cap = PROTO_MAX_WRITE;
    req_begin(c, PROTO_READ);
    proto_put32(&c->req, (uint32_t)handle);
    proto_put32(&c->req, (uint32_t)cap);
    if (exchange(c, &c->req, PROTO_BYTES))
        return -1;
    size_t n = c->nrx >= 6 ? proto_rd32(c->rx + 2) : 0;
    if (c->nrx < 6 || n > cap || n + 6 != c->nrx)
        return fail(c, "a malformed reply to READ");
    memcpy(buf, c->rx + 6, n);
    *eof = c->rx[1] != 0;
    return (long)n;
}

int attach_client_fin(struct attach_client *c, int handle)
{
    return simple(c, PROTO_CLOSE, handle, 0, false);
}

int attach_client_abort(struct attach_client *c, int handle)
{
    return simple(c, PROTO_ABORT, handle, 0, false);
}

int attach_client_note(struct attach_client *c, const char *text)
{
    if (flush(c, NULL, NULL))
        return -1;
    size_t n = strlen(text);
    if (n > PROTO_MAX_NOTE)
        return fail(c, "a note of more than 200 characters");
    req_begin(c, PROTO_NOTE);
    proto_put16(&c->req, (uint16_t)n);
    proto_put(&c->req, text, n);
    return exchange(c, &c->req, PROTO_OK);
}

void attach_client_close(struct attach_client *c)
{
    if (!c)
        return;
    if (!c->broken)
        flush(c, NULL, NULL);
    if (c->fd >= 0)
        close(c->fd);
    proto_buf_free(&c->q);
    proto_buf_free(&c->req);
    free(c->rx);
    free(c->hosts);
    free(c);
}
