/* pcapfile.c — pcap writer (nanosecond, LINKTYPE_RAW) and a libpcap-based reader.
 *
 * Writer: the format of https://www.tcpdump.org/manpages/pcap-savefile.5.html and
 * draft-ietf-opsawg-pcap: a 24-byte file header (magic 0xa1b23c4d means the second field of
 * each record holds nanoseconds), then per record ts_sec, ts_nsec, caplen, origlen and the
 * bytes. Written little-endian explicitly, not in host order, so golden captures compare
 * byte for byte across machines. The file goes through outfile (temp + rename).
 *
 * Reader: libpcap (pcap_open_offline_with_tstamp_precision) so pcapng and either byte order
 * work too. Link-header offsets as nmap's datalink_offset() (libnetutil/netutil.cc): RAW 0,
 * NULL/LOOP 4, LINUX_SLL 16 (LINUX_SLL2 20), EN10MB 14 (+4 for one 802.1Q tag). Frames that
 * do not carry IPv4 (ARP, IPv6) are skipped.
 */
#include "pcapfile.h"

#include "outfile.h"

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

struct pcap_writer {
    struct outfile *of;
    FILE *fp;
    int failed;   /* a write failed; commit reports it */
    int borrowed; /* of belongs to the caller (pcapw_open_on) */
};

static void put32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void pcapw_header(struct pcap_writer *w)
{
    uint8_t h[24];
    put32le(h, 0xa1b23c4d);
    h[4] = 2, h[5] = 0;   /* version 2.4 */
    h[6] = 4, h[7] = 0;
    put32le(h + 8, 0);    /* thiszone */
    put32le(h + 12, 0);   /* sigfigs */
    put32le(h + 16, PCAPFILE_SNAPLEN);
    put32le(h + 20, PCAPFILE_LINKTYPE_RAW);
    if (fwrite(h, sizeof h, 1, w->fp) != 1)
        w->failed = 1;
}

struct pcap_writer *pcapw_open_on(struct outfile *of, char *err, size_t errlen)
{
    struct pcap_writer *w = calloc(1, sizeof *w);
    if (!w) {
        if (err && errlen)
            snprintf(err, errlen, "capture file: out of memory");
        return NULL;
    }
    w->of = of;
    w->borrowed = 1;
    w->fp = outfile_fp(of);
    pcapw_header(w);
    return w;
}

struct pcap_writer *pcapw_open(const char *path, char *err, size_t errlen)
{
    struct outfile *of = outfile_open(path, err, errlen);
    if (!of)
        return NULL;
    struct pcap_writer *w = pcapw_open_on(of, err, errlen);
    if (!w) {
        outfile_abort(of);
        return NULL;
    }
    w->borrowed = 0;
    return w;
}

int pcapw_end(struct pcap_writer *w, char *err, size_t errlen)
{
    int rc = 0;
    if (w->failed || fflush(w->fp) != 0 || ferror(w->fp)) {
        if (err && errlen)
            snprintf(err, errlen, "capture file: write failed");
        rc = -1;
    }
    if (!w->borrowed) {
        if (rc)
            outfile_abort(w->of);
        else
            rc = outfile_commit(w->of, err, errlen);
    }
    free(w);
    return rc;
}

int pcapw_write(struct pcap_writer *w, uint64_t t_ns, const uint8_t *pkt, size_t len)
{
    size_t cap = len < PCAPFILE_SNAPLEN ? len : PCAPFILE_SNAPLEN;
    uint8_t h[16];
    put32le(h, (uint32_t)(t_ns / 1000000000u));
    put32le(h + 4, (uint32_t)(t_ns % 1000000000u));
    put32le(h + 8, (uint32_t)cap);
    put32le(h + 12, len > UINT32_MAX ? UINT32_MAX : (uint32_t)len);
    if (fwrite(h, sizeof h, 1, w->fp) != 1 || (cap && fwrite(pkt, cap, 1, w->fp) != 1)) {
        w->failed = 1;
        return -1;
    }
    return 0;
}

int pcapw_commit(struct pcap_writer *w, char *err, size_t errlen)
{
    return pcapw_end(w, err, errlen);
}

void pcapw_abort(struct pcap_writer *w)
{
    if (!w)
        return;
    if (!w->borrowed)
        outfile_abort(w->of);
    free(w);
}

struct pcap_reader {
    pcap_t *p;
    int dlt;
    char err[PCAP_ERRBUF_SIZE];
};

static int link_supported(int dlt)
{
    return dlt == DLT_RAW || dlt == DLT_IPV4 || dlt == DLT_EN10MB || dlt == DLT_LINUX_SLL ||
           dlt == DLT_LINUX_SLL2 || dlt == DLT_NULL || dlt == DLT_LOOP;
}

struct pcap_reader *pcapr_open(const char *path, char *err, size_t errlen)
{
    struct pcap_reader *r = calloc(1, sizeof *r);
    if (!r) {
        if (err && errlen)
            snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    r->p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, r->err);
    if (!r->p) {
        /* libpcap names the file when it cannot open it, not when its header is bad */
        size_t pl = strlen(path);
        bool named = !strncmp(r->err, path, pl) && r->err[pl] == ':';
        if (err && errlen)
            snprintf(err, errlen, "%s%s%s", named ? "" : path, named ? "" : ": ", r->err);
        free(r);
        return NULL;
    }
    r->dlt = pcap_datalink(r->p);
    if (!link_supported(r->dlt)) {
        if (err && errlen)
            snprintf(err, errlen, "%s: link type %s (%d) not supported (raw IP, Ethernet, "
                     "Linux cooked or loopback only)", path,
                     pcap_datalink_val_to_name(r->dlt) ? pcap_datalink_val_to_name(r->dlt) : "?", r->dlt);
        pcap_close(r->p);
        free(r);
        return NULL;
    }
    return r;
}

static uint16_t get16be(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* Bytes of link header before an IPv4 datagram in this frame, or -1 if it carries none. */
static long link_offset(int dlt, const uint8_t *f, size_t len)
{
    size_t off;
    switch (dlt) {
    case DLT_RAW:
    case DLT_IPV4:
        off = 0;
        break;
    case DLT_NULL: /* AF_INET (2) in the capturing host's byte order */
        if (len < 4 || !((f[0] == 2 && !f[1] && !f[2] && !f[3]) || (!f[0] && !f[1] && !f[2] && f[3] == 2)))
            return -1;
        off = 4;
        break;
    case DLT_LOOP: /* AF_INET in network order */
        if (len < 4 || f[0] || f[1] || f[2] || f[3] != 2)
            return -1;
        off = 4;
        break;
    case DLT_LINUX_SLL:
        if (len < 16 || get16be(f + 14) != 0x0800)
            return -1;
        off = 16;
        break;
    case DLT_LINUX_SLL2:
        if (len < 20 || get16be(f) != 0x0800)
            return -1;
        off = 20;
        break;
    case DLT_EN10MB:
        if (len < 14)
            return -1;
        off = 14;
        if (get16be(f + 12) == 0x8100) {
            if (len < 18)
                return -1;
            off = 18;
        }
        if (get16be(f + off - 2) != 0x0800)
            return -1;
        break;
    default:
        return -1;
    }
    if (len <= off || f[off] >> 4 != 4)
        return -1;
    return (long)off;
}

int pcapr_next(struct pcap_reader *r, uint64_t *t_ns, const uint8_t **pkt, size_t *len)
{
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc = pcap_next_ex(r->p, &h, &data);
        if (rc == PCAP_ERROR_BREAK)
            return 0;
        if (rc != 1) {
            snprintf(r->err, sizeof r->err, "%s", pcap_geterr(r->p));
            return -1;
        }
        long off = link_offset(r->dlt, data, h->caplen);
        if (off < 0)
            continue;
        *t_ns = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
        *pkt = data + off;
        *len = h->caplen - (size_t)off;
        return 1;
    }
}

const char *pcapr_error(struct pcap_reader *r) { return r->err; }

void pcapr_close(struct pcap_reader *r)
{
    if (!r)
        return;
    pcap_close(r->p);
    free(r);
}
