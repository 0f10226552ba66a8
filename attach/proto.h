/* proto.h — the wire protocol between `tcplab attach` and the script it runs.
 *
 * One stream socket (a socketpair: the script finds its end in $TCPLAB_ATTACH). The script
 * asks, tcplab answers: every request gets exactly one reply, in order, so a client needs
 * no threads and no matching of ids. What makes it fast is the batch: a WAIT carries every
 * datagram the script queued since its last wait and its reply every datagram delivered
 * meanwhile, so a search of several hundred thousand probes costs a few hundred round
 * trips, not a million.
 *
 * Frame:  u32 length (of what follows: type and body, at most PROTO_MAX_FRAME), u8 type, body.
 * All integers big-endian (network order). Strings are a length and bytes (no NUL).
 *
 * Requests (script -> tcplab)          reply
 *   'H' HELLO   u32 version              'H' u32 version, u32 addr, u8 plen, u64 now_ns,
 *                                            u16 nhosts, nhosts x (u32 addr, u8 n, name[n])
 *   'W' WAIT    u64 until_ns, u32 n,     'D' u64 now_ns, u32 n, n x (u64 t_ns, u16 len,
 *               n x (u16 len, bytes)          bytes): every datagram delivered to the
 *               the datagrams leave now,      script's prefix, in arrival order
 *               in order; then the clock
 *               runs to until_ns (no move
 *               if that is not later)
 *   'F' FIRST   as WAIT, but the clock   'D' as for WAIT (the datagrams of the event
 *               stops at the first           that delivered the first one)
 *               delivery (the scanner's
 *               recv with a deadline)
 *   'C' CONNECT u32 dst, u16 dport,      'I' i32 the connection's handle
 *               u16 sport (0: ephemeral)
 *   'S' STATE   u32 handle               'S' u8 n, name[n]: "SYN-SENT", "ESTABLISHED", ...
 *   'R' WRITE   u32 handle, u32 n,       'I' i32 how many the connection's send buffer
 *               n bytes: the application     took (the rest: write again later)
 *               writes them (a byte stream:
 *               these bytes go on the wire)
 *   'G' READ    u32 handle, u32 max      'B' u8 eof, u32 n, n bytes: what the peer sent
 *                                            and the host's TCP received in order, at
 *                                            most max (n 0: nothing yet); eof once the
 *                                            peer has closed and all is read
 *   'X' CLOSE   u32 handle               'O'
 *   'K' ABORT   u32 handle: a RST        'O'   (connect() then close with SO_LINGER 0)
 *   'N' NOTE    u16 n, text[n]           'O'
 * Any request may be answered 'E' u16 n, text[n]: an error the script should raise. A
 * request that is not well formed (unknown type, short or long body, a datagram that is not
 * one IPv4 datagram whose total length is its length) is answered 'E' and ends the session:
 * tcplab stops the command and exits 2.
 *
 * Version 2: WRITE carries the bytes (version 1 carried a count), READ is new.
 *
 * The same parser reads a --record file (proto_rec_*): "TLABREC3", u64 seed, u32 addr,
 * u8 plen, u64 variant (the lab variant's digest, 0 for a scenario file), then entries u64 t_ns + one request frame (what the script sent and the virtual
 * time it was applied at), and last an 'E'-typed END entry: u8 has_until, u64 until_ns,
 * i32 the command's exit status. Queries (HELLO, STATE) change nothing and are not recorded;
 * READ is (it frees receive buffer: a window update). Older records ("TLABREC1", and
 * "TLABREC2", which left READ out) are refused with a message. Fuzzed: tests/fuzz/fuzz_attach.c.
 */
#ifndef TCPLAB_ATTACH_PROTO_H
#define TCPLAB_ATTACH_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    PROTO_VERSION = 2,
    PROTO_MAX_FRAME = 64u << 20,   /* 64 MiB: about 40,000 full-size datagrams a batch */
    PROTO_MAX_DGRAM = 1500,        /* the simulated links' MTU */
    PROTO_MAX_NOTE = 200,
    PROTO_MAX_WRITE = 1u << 20,
    PROTO_HDR = 5,                 /* u32 length + u8 type */
};

enum proto_type {
    PROTO_HELLO = 'H', PROTO_WAIT = 'W', PROTO_FIRST = 'F', PROTO_CONNECT = 'C',
    PROTO_STATE = 'S', PROTO_WRITE = 'R', PROTO_CLOSE = 'X', PROTO_ABORT = 'K',
    PROTO_NOTE = 'N', PROTO_READ = 'G',
    /* replies */
    PROTO_DGRAMS = 'D', PROTO_INT = 'I', PROTO_OK = 'O', PROTO_ERROR = 'E', PROTO_BYTES = 'B',
};

/* A parsed request. Pointers point into the frame it was parsed from. */
struct proto_req {
    enum proto_type type;
    uint32_t version;              /* HELLO */
    uint64_t until_ns;             /* WAIT, FIRST */
    uint32_t ndgrams;              /* WAIT, FIRST: the batch, walked with proto_batch_next */
    const uint8_t *batch;
    size_t batch_len;
    uint32_t dst;                  /* CONNECT */
    uint16_t dport, sport;
    uint32_t handle;               /* STATE, WRITE, READ, CLOSE, ABORT */
    uint32_t nbytes;               /* WRITE: the bytes' count; READ: at most this many */
    const uint8_t *data;           /* WRITE: the bytes */
    const char *text;              /* NOTE (not NUL-terminated) */
    size_t text_len;
};

/* The body length a frame header announces (its type included), or -1 with err when it is
 * zero or over PROTO_MAX_FRAME. hdr: PROTO_HDR - 1 = 4 bytes. */
long proto_frame_len(const uint8_t hdr[4], char *err, size_t errlen);
/* Parses one request: msg is the type byte and the body (len bytes, as proto_frame_len
 * said). Checks everything, every datagram of a batch included. 0, or -1 with err. */
int proto_parse_req(const uint8_t *msg, size_t len, struct proto_req *r, char *err,
                    size_t errlen);
/* The next datagram of a parsed WAIT's batch: *pos starts at 0. */
void proto_batch_next(const struct proto_req *r, size_t *pos, const uint8_t **d, size_t *len);
/* Whether d is one IPv4 datagram whose header holds together and whose total length is len
 * (what a batch entry must be). NULL when it is, else why not. */
const char *proto_dgram_check(const uint8_t *d, size_t len);

/* Encoding: a growing buffer of frames (the reply under construction, a batch). */
struct proto_buf {
    uint8_t *v;
    size_t n, cap;
    bool oom;
};
void proto_buf_free(struct proto_buf *b);
void proto_put8(struct proto_buf *b, uint8_t x);
void proto_put16(struct proto_buf *b, uint16_t x);
void proto_put32(struct proto_buf *b, uint32_t x);
void proto_put64(struct proto_buf *b, uint64_t x);
void proto_put(struct proto_buf *b, const void *p, size_t n);
/* Room for n more bytes at the end of b (b->n not moved: the caller fills them and adds
 * what it used). NULL when out of memory (b->oom set). */
uint8_t *proto_room(struct proto_buf *b, size_t n);
/* Starts a frame of `type` at the end of b; proto_end fills in its length. Returns the
 * frame's offset for proto_end. */
size_t proto_begin(struct proto_buf *b, enum proto_type type);
void proto_end(struct proto_buf *b, size_t at);

static inline uint16_t proto_rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t proto_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint64_t proto_rd64(const uint8_t *p)
{
    return (uint64_t)proto_rd32(p) << 32 | proto_rd32(p + 4);
}

/* --record files. */
#define PROTO_REC_MAGIC "TLABREC3"
enum { PROTO_REC_HDR = 8 + 8 + 4 + 1 + 8 };
struct proto_rec_hdr {
    uint64_t seed;
    uint32_t addr;
    uint8_t plen;
    uint64_t variant;              /* a lab variant's digest (lab/lab.h), 0 outside a lab */
};
struct proto_rec_end {
    bool has_until;
    uint64_t until_ns;
    int32_t status;
};
/* Reads a record's header from buf (len bytes). 0, or -1 with err. */
int proto_rec_header(const uint8_t *buf, size_t len, struct proto_rec_hdr *h, char *err,
                     size_t errlen);
/* The entry at *off: its time and request (or, for the END entry, *end set and
 * r->type == PROTO_ERROR). Advances *off. 1 with an entry, 0 at the end of the buffer
 * (after END), -1 with err (the entry's byte offset in it). */
int proto_rec_next(const uint8_t *buf, size_t len, size_t *off, uint64_t *t_ns,
                   struct proto_req *r, struct proto_rec_end *end, char *err, size_t errlen);

#endif
