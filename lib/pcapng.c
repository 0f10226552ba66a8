/* pcapng.c — pcapng blocks written and read (draft-ietf-opsawg-pcapng, sections 3-4).
 *
 * Every block is type (4), total length (4), body padded to 4 bytes, total length again.
 * Written here: Section Header (0x0A0D0D0A: byte-order magic 0x1A2B3C4D, version 1.0,
 * section length -1 = unknown, shb_userappl), Interface Description (1: LINKTYPE_RAW 101,
 * snaplen 65535, if_name, if_description, if_tsresol = 9: nanoseconds), Enhanced Packet
 * (6: interface 0, 64-bit timestamp as high and low words, captured and original length,
 * the bytes, then opt_comment (1) and epb_flags (2): bits 0-1 the direction, 01 inbound,
 * 10 outbound), Interface Statistics (5: isb_starttime 2, isb_endtime 3, isb_ifrecv 4,
 * isb_ifdrop 5). Options are code (2), length (2), value padded to 4, ended by opt_endofopt.
 *
 * The reader is the writer's inverse for any conforming file: it follows each section's
 * byte order, keeps each interface's link type and timestamp resolution, and reads
 * Enhanced and Simple Packet Blocks; other blocks are skipped by their length.
 */
#include "pcapng.h"

#include "outfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    PNG_SHB = 0x0A0D0D0A, PNG_IDB = 1, PNG_SPB = 3, PNG_ISB = 5, PNG_EPB = 6,
    PNG_BOM = 0x1A2B3C4D, PNG_LINKTYPE_RAW = 101, PNG_SNAPLEN = 65535,
    PNG_IFACES_MAX = 64,
};

/* ------------------------------------------------------------------ writer */

struct pcapng_writer {
    struct outfile *of;
    FILE *fp;
    int failed;
    uint8_t *blk;       /* one block being built */
    size_t n, cap;
};

static int png_reserve(struct pcapng_writer *w, size_t more)
{
    if (w->n + more <= w->cap)
        return 0;
    size_t nc = w->cap ? w->cap : 4096;
    while (nc < w->n + more)
        nc *= 2;
    uint8_t *b = realloc(w->blk, nc);
    if (!b)
        return -1;
    w->blk = b;
    w->cap = nc;
    return 0;
}

static void png_put(struct pcapng_writer *w, const void *p, size_t len)
{
    if (png_reserve(w, len + 3)) {
        w->failed = 1;
        return;
    }
    memcpy(w->blk + w->n, p, len);
    w->n += len;
}

static void png_u16(struct pcapng_writer *w, uint16_t v)
{
    uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    png_put(w, b, 2);
}

static void png_u32(struct pcapng_writer *w, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    png_put(w, b, 4);
}

static void png_pad(struct pcapng_writer *w)
{
    static const uint8_t z[4];
    if (w->n % 4)
        png_put(w, z, 4 - w->n % 4);
}

static void png_opt(struct pcapng_writer *w, uint16_t code, const void *v, size_t len)
{
    if (len > 0xfff0)
        len = 0xfff0;
    png_u16(w, code);
    png_u16(w, (uint16_t)len);
    png_put(w, v, len);
    png_pad(w);
}

static void png_opt_str(struct pcapng_writer *w, uint16_t code, const char *s)
{
    if (s && *s)
        png_opt(w, code, s, strlen(s));
}

static void png_opt_ts(struct pcapng_writer *w, uint16_t code, uint64_t t)
{
    uint8_t b[8];
    for (int i = 0; i < 4; i++) {
        b[i] = (uint8_t)(t >> (32 + 8 * i));   /* high word first, each little-endian */
        b[4 + i] = (uint8_t)(t >> (8 * i));
    }
    png_opt(w, code, b, 8);
}

static void png_opt_u64(struct pcapng_writer *w, uint16_t code, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    png_opt(w, code, b, 8);
}

static void png_begin(struct pcapng_writer *w, uint32_t type)
{
    w->n = 0;
    png_u32(w, type);
    png_u32(w, 0);   /* total length, patched by png_end */
}

static int png_end(struct pcapng_writer *w, bool options)
{
    if (options) {
        png_u16(w, 0);   /* opt_endofopt */
        png_u16(w, 0);
    }
    png_pad(w);
    png_u32(w, 0);
    if (w->failed)
        return -1;
    uint32_t total = (uint32_t)w->n;
    for (int i = 0; i < 4; i++)
        w->blk[4 + i] = w->blk[w->n - 4 + i] = (uint8_t)(total >> (8 * i));
    if (fwrite(w->blk, w->n, 1, w->fp) != 1)
        w->failed = 1;
    return w->failed ? -1 : 0;
}

struct pcapng_writer *pcapngw_open(const char *path, const char *comment, const char *ifname,
                                   const char *desc, char *err, size_t errlen)
{
    struct pcapng_writer *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    if (!(w->of = outfile_open(path, err, errlen))) {
        free(w);
        return NULL;
    }
    w->fp = outfile_fp(w->of);
    png_begin(w, PNG_SHB);
    png_u32(w, PNG_BOM);
    png_u16(w, 1);
    png_u16(w, 0);
    png_u32(w, 0xffffffffu);   /* section length: unknown */
    png_u32(w, 0xffffffffu);
    png_opt_str(w, 1, comment);    /* opt_comment */
    png_opt_str(w, 4, "tcplab");   /* shb_userappl */
    png_end(w, true);
    png_begin(w, PNG_IDB);
    png_u16(w, PNG_LINKTYPE_RAW);
    png_u16(w, 0);
    png_u32(w, PNG_SNAPLEN);
    png_opt_str(w, 2, ifname);      /* if_name */
    png_opt_str(w, 3, desc);        /* if_description */
    uint8_t res = 9;                /* if_tsresol: 10^-9 s */
    png_opt(w, 9, &res, 1);
    png_end(w, true);
    return w;
}

int pcapngw_packet(struct pcapng_writer *w, uint64_t t_ns, const uint8_t *pkt, size_t len,
                   int dir, const char *comment)
{
    size_t cap = len > PNG_SNAPLEN ? PNG_SNAPLEN : len;
    png_begin(w, PNG_EPB);
    png_u32(w, 0);
    png_u32(w, (uint32_t)(t_ns >> 32));
    png_u32(w, (uint32_t)t_ns);
    png_u32(w, (uint32_t)cap);
    png_u32(w, (uint32_t)len);
    png_put(w, pkt, cap);
    png_pad(w);
    png_opt_str(w, 1, comment);
    if (dir == PCAPNG_DIR_IN || dir == PCAPNG_DIR_OUT) {
        uint8_t f[4] = { (uint8_t)dir, 0, 0, 0 };
        png_opt(w, 2, f, 4);
    }
    return png_end(w, true);
}

int pcapngw_stats(struct pcapng_writer *w, uint64_t start_ns, uint64_t end_ns, uint64_t recv,
                  uint64_t drop)
{
    png_begin(w, PNG_ISB);
    png_u32(w, 0);
    png_u32(w, (uint32_t)(end_ns >> 32));
    png_u32(w, (uint32_t)end_ns);
    png_opt_ts(w, 2, start_ns);
    png_opt_ts(w, 3, end_ns);
    png_opt_u64(w, 4, recv);
    png_opt_u64(w, 5, drop);
    return png_end(w, true);
}

int pcapngw_commit(struct pcapng_writer *w, char *err, size_t errlen)
{
    int failed = w->failed;
    free(w->blk);
    struct outfile *of = w->of;
    free(w);
    if (failed) {
        outfile_abort(of);
        snprintf(err, errlen, "writing the pcapng file failed");
        return -1;
    }
    return outfile_commit(of, err, errlen);
}

void pcapngw_abort(struct pcapng_writer *w)
{
    if (!w)
        return;
    outfile_abort(w->of);
    free(w->blk);
    free(w);
}

/* ------------------------------------------------------------------ reader */

struct png_iface {
    uint32_t linktype;
    uint64_t units;      /* timestamp units per second */
};

struct pcapng_reader {
    uint8_t *owned;
    const uint8_t *buf;
    size_t len, pos;
    bool swap, in_section;
    struct png_iface ifs[PNG_IFACES_MAX];
    uint32_t nifs;
    bool has_end;
    uint64_t end_ns;
    char section_comment[256];
    char err[160];
};

static uint32_t png_rd32(const struct pcapng_reader *r, const uint8_t *p)
{
    return r->swap ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
                   : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t png_rd16(const struct pcapng_reader *r, const uint8_t *p)
{
    return r->swap ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static uint64_t png_rd_ts(const struct pcapng_reader *r, const uint8_t *p)
{
    return (uint64_t)png_rd32(r, p) << 32 | png_rd32(r, p + 4);
}

static uint64_t png_to_ns(uint64_t t, uint64_t units)
{
    if (units == 1000000000u)
        return t;
    __extension__ unsigned __int128 v = (unsigned __int128)t * 1000000000u / units;
    return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}

static int png_fail(struct pcapng_reader *r, const char *what)
{
    snprintf(r->err, sizeof r->err, "pcapng: %s at offset %zu", what, r->pos);
    return -1;
}

/* Walks options in [p, end): calls back per option. Stops at opt_endofopt or the end. */
typedef void (*png_opt_fn)(struct pcapng_reader *r, void *ctx, uint16_t code, const uint8_t *v,
                           uint16_t len);
static int png_options(struct pcapng_reader *r, const uint8_t *p, const uint8_t *end,
                       png_opt_fn fn, void *ctx)
{
    while (end - p >= 4) {
        uint16_t code = png_rd16(r, p), len = png_rd16(r, p + 2);
        p += 4;
        if (code == 0)
            return 0;
        size_t padded = ((size_t)len + 3) & ~(size_t)3;
        if ((size_t)(end - p) < padded)
            return png_fail(r, "option runs past its block");
        fn(r, ctx, code, p, len);
        p += padded;
    }
    return 0;
}

static void png_idb_opt(struct pcapng_reader *r, void *ctx, uint16_t code, const uint8_t *v,
                        uint16_t len)
{
    (void)r;
    struct png_iface *f = ctx;
    if (code != 9 || len < 1)
        return;
    uint8_t e = v[0] & 0x7f;
    uint64_t u = 1;
    if (v[0] & 0x80) {
        u = e < 64 ? (uint64_t)1 << e : 0;
    } else {
        for (uint8_t i = 0; i < e && u; i++)
            u = u <= UINT64_MAX / 10 ? u * 10 : 0;
    }
    if (u)
        f->units = u;
}

static void png_epb_opt(struct pcapng_reader *r, void *ctx, uint16_t code, const uint8_t *v,
                        uint16_t len)
{
    struct pcapng_rec *rec = ctx;
    if (code == 1 && rec->comment[0] == 0) {
        size_t n = len < sizeof rec->comment - 1 ? len : sizeof rec->comment - 1;
        memcpy(rec->comment, v, n);
        rec->comment[n] = 0;
        for (size_t i = 0; i < n; i++)   /* a comment is text: no embedded NUL or control */
            if ((unsigned char)rec->comment[i] < 0x20)
                rec->comment[i] = ' ';
    } else if (code == 2 && len == 4) {
        rec->dir = (int)(png_rd32(r, v) & 3);
    }
}

static void png_isb_opt(struct pcapng_reader *r, void *ctx, uint16_t code, const uint8_t *v,
                        uint16_t len)
{
    uint64_t *units = ctx;
    if (code == 3 && len == 8) {
        r->end_ns = png_to_ns(png_rd_ts(r, v), *units);
        r->has_end = true;
    }
}

static void png_shb_opt(struct pcapng_reader *r, void *ctx, uint16_t code, const uint8_t *v,
                        uint16_t len)
{
    (void)ctx;
    if (code != 1 || r->section_comment[0])
        return;
    size_t n = len < sizeof r->section_comment - 1 ? len : sizeof r->section_comment - 1;
    memcpy(r->section_comment, v, n);
    r->section_comment[n] = 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)r->section_comment[i] < 0x20)
            r->section_comment[i] = ' ';
}

static int png_shb(struct pcapng_reader *r, const uint8_t *b, size_t blen)
{
    if (blen < 28)
        return png_fail(r, "section header too short");
    r->nifs = 0;
    r->in_section = true;
    r->section_comment[0] = 0;
    return png_options(r, b + 24, b + blen - 4, png_shb_opt, NULL);
}

static int png_idb(struct pcapng_reader *r, const uint8_t *b, size_t blen)
{
    if (blen < 20)
        return png_fail(r, "interface description too short");
    if (r->nifs == PNG_IFACES_MAX)
        return png_fail(r, "too many interfaces");
    struct png_iface *f = &r->ifs[r->nifs];
    f->linktype = png_rd16(r, b + 8);
    f->units = 1000000;   /* the default resolution: microseconds */
    if (png_options(r, b + 16, b + blen - 4, png_idb_opt, f))
        return -1;
    r->nifs++;
    return 0;
}

static int png_epb(struct pcapng_reader *r, const uint8_t *b, size_t blen,
                   struct pcapng_rec *rec)
{
    if (blen < 32)
        return png_fail(r, "enhanced packet block too short");
    uint32_t ifid = png_rd32(r, b + 8);
    if (ifid >= r->nifs)
        return png_fail(r, "packet names an undescribed interface");
    uint32_t caplen = png_rd32(r, b + 20);
    size_t room = blen - 32;
    if (caplen > room)
        return png_fail(r, "packet data runs past its block");
    memset(rec, 0, sizeof *rec);
    rec->ifid = ifid;
    rec->linktype = r->ifs[ifid].linktype;
    rec->t_ns = png_to_ns(png_rd_ts(r, b + 12), r->ifs[ifid].units);
    rec->len = caplen;
    rec->orig_len = png_rd32(r, b + 24);
    rec->data = b + 28;
    size_t padded = ((size_t)caplen + 3) & ~(size_t)3;
    if (padded > room)
        padded = room;
    return png_options(r, b + 28 + padded, b + blen - 4, png_epb_opt, rec) ? -1 : 1;
}

static int png_spb(struct pcapng_reader *r, const uint8_t *b, size_t blen,
                   struct pcapng_rec *rec)
{
    if (blen < 16 || r->nifs == 0)
        return png_fail(r, "simple packet block without an interface");
    memset(rec, 0, sizeof *rec);
    uint32_t orig = png_rd32(r, b + 8);
    size_t room = blen - 16;
    rec->len = orig < room ? orig : room;
    rec->orig_len = orig;
    rec->data = b + 12;
    rec->linktype = r->ifs[0].linktype;
    return 1;
}

int pcapngr_next(struct pcapng_reader *r, struct pcapng_rec *rec)
{
    while (r->pos < r->len) {
        const uint8_t *b = r->buf + r->pos;
        size_t left = r->len - r->pos;
        if (left < 12)
            return png_fail(r, "truncated block");
        uint32_t type = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                        (uint32_t)b[3] << 24;
        if (type == PNG_SHB) {   /* its byte order decides how every length is read */
            uint32_t bom = (uint32_t)b[8] | (uint32_t)b[9] << 8 | (uint32_t)b[10] << 16 |
                           (uint32_t)b[11] << 24;
            if (bom == PNG_BOM)
                r->swap = false;
            else if (bom == 0x4D3C2B1Au)
                r->swap = true;
            else
                return png_fail(r, "bad byte-order magic");
        } else if (!r->in_section) {
            return png_fail(r, "not a pcapng file (no section header)");
        }
        uint32_t blen = png_rd32(r, b + 4);
        if (blen < 12 || blen % 4 || blen > left || png_rd32(r, b + blen - 4) != blen)
            return png_fail(r, "bad block length");
        int rc = 0;
        if (type == PNG_SHB)
            rc = png_shb(r, b, blen);
        else if (png_rd32(r, b) == PNG_IDB)
            rc = png_idb(r, b, blen);
        else if (png_rd32(r, b) == PNG_EPB)
            rc = png_epb(r, b, blen, rec);
        else if (png_rd32(r, b) == PNG_SPB)
            rc = png_spb(r, b, blen, rec);
        else if (png_rd32(r, b) == PNG_ISB && blen >= 24) {
            uint32_t ifid = png_rd32(r, b + 8);
            uint64_t units = ifid < r->nifs ? r->ifs[ifid].units : 1000000;
            rc = png_options(r, b + 20, b + blen - 4, png_isb_opt, &units);
        }
        if (rc < 0)
            return -1;
        r->pos += blen;
        if (rc == 1)
            return 1;
    }
    return 0;
}

struct pcapng_reader *pcapngr_open_mem(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
    struct pcapng_reader *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "pcapng: out of memory");
        return NULL;
    }
    r->buf = buf;
    r->len = len;
    if (len < 12 || buf[0] != 0x0A || buf[1] != 0x0D || buf[2] != 0x0D || buf[3] != 0x0A) {
        snprintf(err, errlen, "not a pcapng file (no section header block at the start)");
        free(r);
        return NULL;
    }
    return r;
}

struct pcapng_reader *pcapngr_open(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        if (n == cap) {
            if (cap >= PCAPNG_MAX_FILE) {
                snprintf(err, errlen, "%s: larger than %u MiB", path, PCAPNG_MAX_FILE >> 20);
                goto fail;
            }
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb)
                break;
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (!buf) {
        snprintf(err, errlen, "%s: out of memory", path);
        goto fail;
    }
    if (ferror(f)) {
        snprintf(err, errlen, "%s: read error", path);
        goto fail;
    }
    fclose(f);
    char e2[160];
    struct pcapng_reader *r = pcapngr_open_mem(buf, n, e2, sizeof e2);
    if (!r) {
        snprintf(err, errlen, "%s: %s", path, e2);
        free(buf);
        return NULL;
    }
    r->owned = buf;
    return r;
fail:
    fclose(f);
    free(buf);
    return NULL;
}

bool pcapngr_end_time(const struct pcapng_reader *r, uint64_t *t_ns)
{
    if (r->has_end)
        *t_ns = r->end_ns;
    return r->has_end;
}

const char *pcapngr_error(const struct pcapng_reader *r) { return r->err; }
const char *pcapngr_section_comment(const struct pcapng_reader *r) { return r->section_comment; }

void pcapngr_close(struct pcapng_reader *r)
{
    if (!r)
        return;
    free(r->owned);
    free(r);
}
