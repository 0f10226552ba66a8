/* session.c — the simulator's side of an attached script (session.h).
 *
 * Datagrams delivered to the script are appended by the tap straight into the body of the
 * next WAIT's reply (a 'D' frame whose header is filled in when it is sent), so a batch of
 * replies costs one copy and no allocation once the buffer has grown to the batch's size.
 */
#include "attach/session.h"

#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"

/* 'D' frame: u32 length, type, u64 now, u32 count, then the datagrams. */
enum { RX_HDR = PROTO_HDR + 8 + 4 };

struct attach_session {
    struct sim *sim;
    struct attach_cfg cfg;
    struct proto_buf rx;       /* the next WAIT's reply, being filled by the tap */
    uint32_t nrx;
    size_t nrx_stop;           /* FIRST: datagrams delivered (sim_run's stop) */
    struct proto_buf out;      /* every other reply */
    bool detached;
    bool record_failed;
    struct attach_stats st;
};

static void rx_reset(struct attach_session *a)
{
    a->rx.n = 0;
    proto_begin(&a->rx, PROTO_DGRAMS);
    proto_put64(&a->rx, 0);
    proto_put32(&a->rx, 0);
    a->nrx = 0;
}

static void attach_tap(void *ctx, uint64_t t_ns, const uint8_t *pkt, size_t len)
{
    struct attach_session *a = ctx;
    if (a->detached || len > UINT16_MAX)
        return;
    proto_put64(&a->rx, t_ns);
    proto_put16(&a->rx, (uint16_t)len);
    proto_put(&a->rx, pkt, len);
    a->nrx++;
    a->nrx_stop++;
    a->st.received++;
}

struct attach_session *attach_new(struct sim *s, const struct attach_cfg *cfg, char *err,
                                  size_t errlen)
{
    struct attach_session *a = calloc(1, sizeof *a);
    if (!a) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    a->sim = s;
    a->cfg = *cfg;
    rx_reset(a);
    if (sim_attach(s, cfg->prefix, cfg->plen, cfg->addr, attach_tap, a)) {
        snprintf(err, errlen, "cannot attach: the address is outside the prefix");
        attach_free(a);
        return NULL;
    }
    if (cfg->record) {
        uint8_t h[PROTO_REC_HDR];
        memcpy(h, PROTO_REC_MAGIC, 8);
        for (int i = 0; i < 8; i++)
            h[8 + i] = (uint8_t)(cfg->seed >> (56 - 8 * i));
        for (int i = 0; i < 4; i++)
            h[16 + i] = (uint8_t)(cfg->addr >> (24 - 8 * i));
        h[20] = cfg->plen;
        for (int i = 0; i < 8; i++)
            h[21 + i] = (uint8_t)(cfg->variant >> (56 - 8 * i));
        if (fwrite(h, sizeof h, 1, cfg->record) != 1)
            a->record_failed = true;
    }
    return a;
}

void attach_free(struct attach_session *a)
{
    if (!a)
        return;
    proto_buf_free(&a->rx);
    proto_buf_free(&a->out);
    free(a);
}

void attach_detach(struct attach_session *a)
{
    a->detached = true;
}

void attach_get_stats(const struct attach_session *a, struct attach_stats *st)
{
    *st = a->st;
}

static const struct proto_buf *reply_error(struct attach_session *a, const char *msg)
{
    a->out.n = 0;
    size_t at = proto_begin(&a->out, PROTO_ERROR);
    size_t n = strlen(msg);
    proto_put16(&a->out, (uint16_t)n);
    proto_put(&a->out, msg, n);
    proto_end(&a->out, at);
    a->st.errors++;
    return &a->out;
}

static const struct proto_buf *reply_simple(struct attach_session *a, enum proto_type t,
                                            const void *body, size_t n)
{
    a->out.n = 0;
    size_t at = proto_begin(&a->out, t);
    proto_put(&a->out, body, n);
    proto_end(&a->out, at);
    return &a->out;
}

static const struct proto_buf *do_hello(struct attach_session *a, const struct proto_req *r)
{
    if (r->version != PROTO_VERSION) {
        char m[120];
        snprintf(m, sizeof m, "this tcplab speaks attach protocol %u, the client %lu",
                 (unsigned)PROTO_VERSION, (unsigned long)r->version);
        return reply_error(a, m);
    }
    struct proto_buf *b = &a->out;
    b->n = 0;
    size_t at = proto_begin(b, PROTO_HELLO);
    proto_put32(b, PROTO_VERSION);
    proto_put32(b, a->cfg.addr);
    proto_put8(b, a->cfg.plen);
    proto_put64(b, sim_now(a->sim));
    size_t n = sim_host_count(a->sim), named = 0;
    struct sim_host_info hi;
    for (size_t i = 0; i < n && i < UINT16_MAX; i++)
        if (sim_host_at(a->sim, i, &hi) == 0 && hi.name[0])
            named++;
    proto_put16(b, (uint16_t)named);
    for (size_t i = 0, k = 0; i < n && k < named; i++) {
        if (sim_host_at(a->sim, i, &hi) || !hi.name[0])
            continue;
        size_t len = strnlen(hi.name, sizeof hi.name);
        proto_put32(b, hi.addr);
        proto_put8(b, (uint8_t)len);
        proto_put(b, hi.name, len);
        k++;
    }
    proto_end(b, at);
    return b;
}

static const struct proto_buf *do_wait(struct attach_session *a, const struct proto_req *r)
{
    size_t pos = 0;
    for (uint32_t i = 0; i < r->ndgrams; i++) {
        const uint8_t *d;
        size_t len;
        proto_batch_next(r, &pos, &d, &len);
        sim_inject_as(a->sim, d, len);   /* checked by the parser: never refused */
        a->st.sent++;
    }
    if (r->type == PROTO_FIRST) {   /* up to the first delivery, as pktio_sim's recv */
        a->nrx_stop = a->nrx;
        sim_run(a->sim, r->until_ns, &a->nrx_stop);
        if (a->nrx == 0 && r->until_ns > sim_now(a->sim))
            sim_run_until(a->sim, r->until_ns);
    } else if (r->until_ns > sim_now(a->sim)) {
        sim_run_until(a->sim, r->until_ns);
    }
    struct proto_buf *b = &a->rx;
    if (b->oom) {
        rx_reset(a);
        return reply_error(a, "out of memory collecting the datagrams delivered");
    }
    uint64_t now = sim_now(a->sim);
    for (int i = 0; i < 8; i++)
        b->v[PROTO_HDR + i] = (uint8_t)(now >> (56 - 8 * i));
    for (int i = 0; i < 4; i++)
        b->v[PROTO_HDR + 8 + i] = (uint8_t)(a->nrx >> (24 - 8 * i));
    proto_end(b, 0);
    /* the next WAIT's reply starts after this one is sent: swap it out */
    struct proto_buf t = a->out;
    a->out = a->rx;
    a->rx = t;
    rx_reset(a);
    return &a->out;
}

static const char *stream_state_name(struct sim *s, int handle)
{
    int st = sim_stream_tcp_state(s, handle);
    if (st < 0)
        return NULL;
    if (st == TCP_CLOSED)
        switch (sim_stream_state(s, handle)) {
        case SIM_STREAM_REFUSED: return "REFUSED";
        case SIM_STREAM_UNREACH: return "UNREACHABLE";
        case SIM_STREAM_TIMEDOUT: return "TIMEDOUT";
        default: break;
        }
    return tcp_state_name(st);
}

/* READ: what the connection received in order, straight into the reply ('B' u8 eof, u32 n,
 * the bytes). */
static const struct proto_buf *do_read(struct attach_session *a, int h, uint32_t max)
{
    struct proto_buf *b = &a->out;
    b->n = 0;
    size_t at = proto_begin(b, PROTO_BYTES);
    proto_put8(b, 0);
    proto_put32(b, 0);
    size_t head = b->n;
    uint8_t *room = proto_room(b, max);
    if (!room)
        return reply_error(a, "READ: out of memory");
    bool eof = false;
    int n = sim_stream_recv(a->sim, h, room, max, &eof);
    if (n < 0)
        return reply_error(a, "READ: no such connection");
    b->v[head - 5] = eof;
    for (int i = 0; i < 4; i++)
        b->v[head - 4 + i] = (uint8_t)((uint32_t)n >> (24 - 8 * i));
    b->n = head + (size_t)n;
    proto_end(b, at);
    return b;
}

static const struct proto_buf *do_stream(struct attach_session *a, const struct proto_req *r)
{
    struct sim *s = a->sim;
    int h = r->handle > INT32_MAX ? -1 : (int)r->handle;
    if (r->type == PROTO_STATE) {
        const char *name = stream_state_name(s, h);
        if (!name)
            return reply_error(a, "STATE: no such connection");
        uint8_t body[64];
        size_t n = strlen(name);
        body[0] = (uint8_t)n;
        memcpy(body + 1, name, n);
        return reply_simple(a, PROTO_STATE, body, n + 1);
    }
    if (r->type == PROTO_ABORT) {
        if (sim_stream_tcp_state(s, h) < 0)
            return reply_error(a, "ABORT: no such connection");
        sim_stream_abort(s, h);
        return reply_simple(a, PROTO_OK, NULL, 0);
    }
    if (r->type == PROTO_WRITE) {   /* the bytes themselves, into the send buffer */
        int took = sim_stream_send(s, h, r->data, r->nbytes);
        if (took < 0)
            return reply_error(a, "WRITE: no such open connection");
        uint8_t body[4] = { (uint8_t)(took >> 24), (uint8_t)(took >> 16), (uint8_t)(took >> 8),
                            (uint8_t)took };
        return reply_simple(a, PROTO_INT, body, 4);
    }
    if (r->type == PROTO_READ)
        return do_read(a, h, r->nbytes);
    if (sim_stream_close(s, h))
        return reply_error(a, "CLOSE: no such connection");
    return reply_simple(a, PROTO_OK, NULL, 0);
}

const struct proto_buf *attach_apply(struct attach_session *a, const struct proto_req *r)
{
    a->st.requests++;
    switch (r->type) {
    case PROTO_HELLO:
        return do_hello(a, r);
    case PROTO_WAIT: case PROTO_FIRST:
        return do_wait(a, r);
    case PROTO_CONNECT: {
        int h = sim_stream_open_buffered(a->sim, a->cfg.addr, r->dst, r->dport, r->sport);
        if (h < 0)
            return reply_error(a, "CONNECT: the attaching address is not a host, or that "
                               "local port is in use toward that peer");
        uint8_t body[4] = { (uint8_t)(h >> 24), (uint8_t)(h >> 16), (uint8_t)(h >> 8),
                            (uint8_t)h };
        return reply_simple(a, PROTO_INT, body, 4);
    }
    case PROTO_STATE: case PROTO_WRITE: case PROTO_READ: case PROTO_CLOSE: case PROTO_ABORT:
        return do_stream(a, r);
    case PROTO_NOTE: {
        char text[PROTO_MAX_NOTE + 1];
        memcpy(text, r->text, r->text_len);
        text[r->text_len] = 0;
        sim_attach_note(a->sim, text);
        return reply_simple(a, PROTO_OK, NULL, 0);
    }
    default:
        return reply_error(a, "not a request");
    }
}

static void record(struct attach_session *a, const uint8_t *msg, size_t len)
{
    FILE *f = a->cfg.record;
    if (!f || msg[0] == PROTO_HELLO || msg[0] == PROTO_STATE)
        /* queries change nothing; a READ frees receive buffer and may send a window
         * update (RFC 9293 3.8.6.2.2), so it is recorded and replayed */
        return;
    uint8_t h[12];
    uint64_t t = sim_now(a->sim);
    for (int i = 0; i < 8; i++)
        h[i] = (uint8_t)(t >> (56 - 8 * i));
    for (int i = 0; i < 4; i++)
        h[8 + i] = (uint8_t)(len >> (24 - 8 * i));
    if (fwrite(h, sizeof h, 1, f) != 1 || fwrite(msg, len, 1, f) != 1)
        a->record_failed = true;
}

const struct proto_buf *attach_frame(struct attach_session *a, const uint8_t *msg, size_t len,
                                     bool *fatal)
{
    struct proto_req r;
    char err[256];
    *fatal = false;
    if (proto_parse_req(msg, len, &r, err, sizeof err)) {
        *fatal = true;
        return reply_error(a, err);
    }
    record(a, msg, len);
    return attach_apply(a, &r);
}

int attach_record_end(struct attach_session *a, bool has_until, uint64_t until_ns,
                      int32_t status)
{
    FILE *f = a->cfg.record;
    if (!f)
        return 0;
    uint8_t e[12 + 14];
    uint64_t t = sim_now(a->sim);
    for (int i = 0; i < 8; i++)
        e[i] = (uint8_t)(t >> (56 - 8 * i));
    e[8] = e[9] = e[10] = 0;
    e[11] = 14;
    e[12] = PROTO_ERROR;
    e[13] = has_until;
    for (int i = 0; i < 8; i++)
        e[14 + i] = (uint8_t)(until_ns >> (56 - 8 * i));
    for (int i = 0; i < 4; i++)
        e[22 + i] = (uint8_t)((uint32_t)status >> (24 - 8 * i));
    if (fwrite(e, sizeof e, 1, f) != 1)
        a->record_failed = true;
    return a->record_failed ? -1 : 0;
}
