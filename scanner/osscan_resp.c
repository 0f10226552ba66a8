/* osscan_resp.c — -O's replies turned into fingerprint values (osscan2.cc processResp,
 * processTSeqResp, processTOpsResp, processTWinResp, processTEcnResp, processT1_7Resp,
 * processTUdpResp, processTIcmpResp, get_tcpopt_string, makeFP, makeTSeqFP).
 *
 * Each reply is read as nmap reads it, from the raw bytes (TCP option strings such as
 * "M5B4ST11NW7" are built from the option bytes, EOL padding included), so a fingerprint
 * of a simulated stack and of a real kernel are comparable letter by letter with nmap's.
 * The SEQ arithmetic (GCD, ISR, SP, IP-ID classes) is scanner/seq.c's.
 */
#include "scanner/osscan_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/seq.h"

void osscan_host_reset(struct os_host *h)
{
    memset(h->seqs, 0, sizeof h->seqs);
    memset(h->timestamps, 0, sizeof h->timestamps);
    memset(h->seq_sent, 0, sizeof h->seq_sent);
    h->responses = 0;
    h->ts_class = OS_TS_UNKNOWN;
    h->has_lastboot = false;
    h->uptime_s = 0;
    h->lastipid = 0;
    for (int i = 0; i < OS_NSEQ; i++)
        h->tcp_ipids[i] = h->closed_ipids[i] = h->icmp_ipids[i] = -1;
    memset(h->ops_got, 0, sizeof h->ops_got);
    memset(h->win_got, 0, sizeof h->win_got);
    h->ops_n = h->win_n = 0;
    os_obs_init(&h->fp);
    memset(h->have, 0, sizeof h->have);
    memset(h->ie_rcv, 0, sizeof h->ie_rcv);
    h->distance = h->distance_guess = -1;
    h->npr = 0;
}

static uint32_t os_crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}

/* get_tcpopt_string: "M5B4NW7ST11" from the option bytes; "" on a malformed option. */
static void os_opt_string(const uint8_t *o, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    while (len > 0) {
        uint8_t op = o[0];
        size_t olen = 1;
        if (op > 1) {
            if (len < 2 || o[1] < 2 || o[1] > len) {
                out[0] = '\0';
                return;
            }
            olen = o[1];
        }
        char piece[16] = "";
        if (op == 0) snprintf(piece, sizeof piece, "L");
        else if (op == 1) snprintf(piece, sizeof piece, "N");
        else if (op == 2 && olen >= 4) snprintf(piece, sizeof piece, "M%X", o[2] << 8 | o[3]);
        else if (op == 3 && olen >= 3) snprintf(piece, sizeof piece, "W%X", o[2]);
        else if (op == 4) snprintf(piece, sizeof piece, "S");
        else if (op == 8 && olen >= 10)
            snprintf(piece, sizeof piece, "T%c%c", (o[2] | o[3] | o[4] | o[5]) ? '1' : '0',
                     (o[6] | o[7] | o[8] | o[9]) ? '1' : '0');
        else if (op == 2 || op == 3 || op == 8) {   /* too short for its kind */
            out[0] = '\0';
            return;
        }
        size_t k = strlen(piece);
        if (n + k + 1 > cap) {
            out[0] = '\0';
            return;
        }
        memcpy(out + n, piece, k + 1);
        n += k;
        o += olen;
        len -= olen;
    }
}

/* The TCP header's options as raw bytes. */
static void os_tcp_opts(const struct wire_ipv4 *ip, const uint8_t **o, size_t *len)
{
    const uint8_t *t = ip->payload;
    size_t off = (size_t)(t[12] >> 4) * 4;
    if (off > ip->payload_len)
        off = ip->payload_len;
    *o = t + 20;
    *len = off > 20 ? off - 20 : 0;
}

static bool os_ts_value(const uint8_t *o, size_t len, uint32_t *ts)
{
    while (len > 0) {
        if (o[0] <= 1) {
            o++;
            len--;
            continue;
        }
        if (len < 2 || o[1] < 2 || o[1] > len)
            return false;
        if (o[0] == 8 && o[1] >= 10) {
            *ts = (uint32_t)o[2] << 24 | (uint32_t)o[3] << 16 | (uint32_t)o[4] << 8 | o[5];
            return true;
        }
        len -= o[1];
        o += o[1];
    }
    return false;
}

static void os_quirks(struct os_obs *fp, int t, const struct wire_tcp *tcp)
{
    char q[4] = "";
    int n = 0;
    if (tcp->reserved) q[n++] = 'R';
    if (!(tcp->flags & TCP_URG) && tcp->urg) q[n++] = 'U';
    q[n] = '\0';
    os_obs_set(fp, t, "Q", q);
}

static bool os_tseq(struct os_host *h, const struct os_round *rd, const struct wire_pkt *pk,
                    int i)
{
    const struct wire_tcp *tcp = &pk->l4.tcp;
    if (h->lastipid != 0 && pk->ip.id == h->lastipid)
        return false;   /* a duplicate */
    h->lastipid = pk->ip.id;
    if (tcp->flags & TCP_RST)
        return false;
    if ((tcp->flags & (TCP_SYN | TCP_ACK)) != (TCP_SYN | TCP_ACK))
        return false;
    int k = (int)(tcp->ack - rd->seq_base - 1);
    if (k != i)
        k = i;
    if (h->seqs[k] != 0)
        return false;
    h->responses++;
    h->seqs[k] = tcp->seq;
    const uint8_t *o;
    size_t olen;
    os_tcp_opts(&pk->ip, &o, &olen);
    uint32_t ts = 0;
    if (!os_ts_value(o, olen, &ts))
        h->ts_class = OS_TS_UNSUPPORTED;
    else if (ts == 0)
        h->ts_class = OS_TS_ZERO;
    h->timestamps[k] = ts;
    return true;
}

static bool os_tops(struct os_host *h, const struct wire_pkt *pk, int i)
{
    if (h->ops_got[i] || h->ops_n == OS_NSEQ)
        return false;
    const uint8_t *o;
    size_t olen;
    os_tcp_opts(&pk->ip, &o, &olen);
    os_opt_string(o, olen, h->ops[i], sizeof h->ops[i]);
    h->ops_got[i] = true;
    h->ops_n++;
    return true;
}

static bool os_twin(struct os_host *h, const struct wire_pkt *pk, int i)
{
    if (h->win_got[i] || h->win_n == OS_NSEQ)
        return false;
    h->win[i] = pk->l4.tcp.window;
    h->win_got[i] = true;
    h->win_n++;
    return true;
}

static bool os_tecn(struct os_host *h, const struct wire_pkt *pk)
{
    if (h->have[OS_ECN])
        return false;
    h->have[OS_ECN] = true;
    const struct wire_tcp *tcp = &pk->l4.tcp;
    struct os_obs *fp = &h->fp;
    os_obs_set(fp, OS_ECN, "R", "Y");
    os_obs_set(fp, OS_ECN, "DF", pk->ip.df ? "Y" : "N");
    os_obs_setf(fp, OS_ECN, "T", "%X", pk->ip.ttl);
    os_obs_setf(fp, OS_ECN, "W", "%X", tcp->window);
    const uint8_t *o;
    size_t olen;
    char ops[64];
    os_tcp_opts(&pk->ip, &o, &olen);
    os_opt_string(o, olen, ops, sizeof ops);
    os_obs_set(fp, OS_ECN, "O", ops);
    bool ece = tcp->flags & TCP_ECE, cwr = tcp->flags & TCP_CWR;
    os_obs_set(fp, OS_ECN, "CC", ece && cwr ? "S" : ece ? "Y" : !cwr ? "N" : "O");
    os_quirks(fp, OS_ECN, tcp);
    return true;
}

static bool os_t17(struct os_host *h, const struct os_round *rd, const struct wire_pkt *pk,
                   int k)
{
    int t = OS_T1 + k;
    if (h->have[t])
        return false;
    h->have[t] = true;
    const struct wire_tcp *tcp = &pk->l4.tcp;
    struct os_obs *fp = &h->fp;
    os_obs_set(fp, t, "R", "Y");
    os_obs_set(fp, t, "DF", pk->ip.df ? "Y" : "N");
    os_obs_setf(fp, t, "T", "%X", pk->ip.ttl);
    if (k != 0)
        os_obs_setf(fp, t, "W", "%X", tcp->window);
    os_obs_set(fp, t, "S", tcp->seq == 0 ? "Z" : tcp->seq == rd->ack ? "A"
                          : tcp->seq == rd->ack + 1 ? "A+" : "O");
    os_obs_set(fp, t, "A", tcp->ack == 0 ? "Z" : tcp->ack == rd->seq_base ? "S"
                          : tcp->ack == rd->seq_base + 1 ? "S+" : "O");
    static const struct { uint8_t f; char c; } fl[] = {
        {TCP_ECE, 'E'}, {TCP_URG, 'U'}, {TCP_ACK, 'A'}, {TCP_PSH, 'P'}, {TCP_RST, 'R'},
        {TCP_SYN, 'S'}, {TCP_FIN, 'F'},
    };
    char f[8];
    int n = 0;
    for (size_t i = 0; i < sizeof fl / sizeof fl[0]; i++)
        if (tcp->flags & fl[i].f)
            f[n++] = fl[i].c;
    f[n] = '\0';
    os_obs_set(fp, t, "F", f);
    if (k != 0) {
        const uint8_t *o;
        size_t olen;
        char ops[64];
        os_tcp_opts(&pk->ip, &o, &olen);
        os_opt_string(o, olen, ops, sizeof ops);
        os_obs_set(fp, t, "O", ops);
    }
    if ((tcp->flags & TCP_RST) && tcp->payload_len > 0)
        os_obs_setf(fp, t, "RD", "%X", os_crc32(tcp->payload, tcp->payload_len));
    else
        os_obs_set(fp, t, "RD", "0");
    os_quirks(fp, t, tcp);
    return true;
}

static bool os_tcp_reply(struct os_host *h, const struct os_round *rd, const struct wire_pkt *pk,
                         int *type, int *sub)
{
    int testno = (int)pk->l4.tcp.dport - (int)rd->tcp_port_base;
    bool useful = false;
    if (testno >= 0 && testno < OS_NSEQ) {
        useful = os_tseq(h, rd, pk, testno);
        if (useful)
            h->tcp_ipids[testno] = pk->ip.id;
        if (testno == 0)
            os_t17(h, rd, pk, 0);
        os_tops(h, pk, testno);
        os_twin(h, pk, testno);
        *type = OSP_SEQ;
        *sub = testno;
    } else if (testno >= OS_NSEQ && testno < OS_NSEQ + 6) {
        useful = os_tops(h, pk, testno - OS_NSEQ);
        useful |= os_twin(h, pk, testno - OS_NSEQ);
        *type = OSP_OPS;
        *sub = testno - OS_NSEQ;
    } else if (testno == OS_NSEQ + 6) {
        useful = os_tecn(h, pk);
        *type = OSP_ECN;
        *sub = 0;
    } else if (testno >= OS_NSEQ + 7 && testno < OS_NSEQ + 14) {
        int k = testno - OS_NSEQ - 7;
        useful = os_t17(h, rd, pk, k);
        if (useful && k >= 4)
            h->closed_ipids[k - 4] = pk->ip.id;
        *type = OSP_T;
        *sub = k;
    }
    return useful;
}

static bool os_tudp(struct os_host *h, const struct os_round *rd, const struct wire_pkt *pk)
{
    if (h->have[OS_U1])
        return false;
    struct wire_quote q;
    if (wire_icmp_quote(&pk->l4.icmp, &q) != WIRE_OK || q.ip.proto != WIRE_PROTO_UDP ||
        !q.has_ports || q.ip.hdr_len < 20)
        return false;
    if (q.sport != h->udp_sport || q.dport != h->udp_dport)
        return false;
    h->have[OS_U1] = true;
    if (h->fpr_closed_udp < 0)
        h->fpr_closed_udp = h->udp_dport;
    struct os_obs *fp = &h->fp;
    os_obs_set(fp, OS_U1, "R", "Y");
    os_obs_set(fp, OS_U1, "DF", pk->ip.df ? "Y" : "N");
    os_obs_setf(fp, OS_U1, "T", "%X", pk->ip.ttl);
    os_obs_setf(fp, OS_U1, "IPL", "%X", pk->ip.total_len);
    os_obs_setf(fp, OS_U1, "UN", "%X", pk->l4.icmp.rest);
    if (q.ip.total_len == 328)
        os_obs_set(fp, OS_U1, "RIPL", "G");
    else
        os_obs_setf(fp, OS_U1, "RIPL", "%X", q.ip.total_len);
    if (q.ip.id == 0x1042)
        os_obs_set(fp, OS_U1, "RID", "G");
    else
        os_obs_setf(fp, OS_U1, "RID", "%X", q.ip.id);
    os_obs_set(fp, OS_U1, "RIPCK", q.ip.csum == 0 ? "Z" : q.ip.csum_ok ? "G" : "I");
    uint16_t ucsum = (uint16_t)(q.seq & 0xFFFF);
    if (ucsum == h->udp_csum)
        os_obs_set(fp, OS_U1, "RUCK", "G");
    else
        os_obs_setf(fp, OS_U1, "RUCK", "%X", ucsum);
    bool good = true;
    for (size_t i = 8; i < q.ip.payload_len && good; i++)
        good = q.ip.payload[i] == 'C';
    os_obs_set(fp, OS_U1, "RUD", good ? "G" : "I");
    if (h->distance == -1)
        h->distance = rd->udp_ttl - q.ip.ttl + 1;
    return true;
}

static bool os_ticmp(struct os_host *h, const struct wire_pkt *pk, int k)
{
    if (h->have[OS_IE] || h->ie_rcv[k])
        return false;
    h->ie_rcv[k] = true;
    h->ie_df[k] = pk->ip.df;
    h->ie_code[k] = pk->l4.icmp.code;
    if (!h->ie_rcv[0] || !h->ie_rcv[1])
        return true;
    h->have[OS_IE] = true;
    struct os_obs *fp = &h->fp;
    os_obs_set(fp, OS_IE, "R", "Y");
    bool a = h->ie_df[0], b = h->ie_df[1];
    os_obs_set(fp, OS_IE, "DFI", a && b ? "Y" : a && !b ? "S" : !a && !b ? "N" : "O");
    os_obs_setf(fp, OS_IE, "T", "%X", pk->ip.ttl);
    uint8_t c1 = h->ie_code[0], c2 = h->ie_code[1];
    if (c1 == c2) {
        if (c1 == 0)
            os_obs_set(fp, OS_IE, "CD", "Z");
        else
            os_obs_setf(fp, OS_IE, "CD", "%X", c1);
    } else {
        os_obs_set(fp, OS_IE, "CD", c1 == 9 && c2 == 0 ? "S" : "O");
    }
    return true;
}

/* The active probe a useful reply answers (getActiveProbe), retired. */
static struct os_probe *os_retire(struct os_host *h, int type, int sub)
{
    for (int i = 0; i < h->npr; i++) {
        struct os_probe *p = &h->pr[i];
        if (p->state == OSP_ACTIVE && p->type == type && p->sub == sub) {
            p->state = OSP_FREE;
            return p;
        }
    }
    return NULL;
}

bool osscan_process(struct os_host *h, const struct os_round *rd, const uint8_t *dgram,
                    size_t len)
{
    struct wire_pkt pk;
    if (wire_parse(dgram, len, &pk) != WIRE_OK || pk.l4_err != WIRE_OK)
        return false;
    int type = -1, sub = 0;
    bool useful = false;
    if (pk.ip.proto == WIRE_PROTO_TCP) {
        useful = os_tcp_reply(h, rd, &pk, &type, &sub);
    } else if (pk.ip.proto == WIRE_PROTO_ICMP) {
        const struct wire_icmp *ic = &pk.l4.icmp;
        if (ic->type == ICMP_ECHO_REPLY) {
            int k = (int)ic->id - (int)rd->icmp_id;
            if (k == 0 || k == 1) {
                useful = os_ticmp(h, &pk, k);
                type = OSP_IE;
                sub = k;
                struct os_probe *p = useful ? os_retire(h, type, sub) : NULL;
                if (p && !p->retransmitted)
                    h->icmp_ipids[k] = pk.ip.id;   /* a resent probe's ID is useless */
                return p != NULL;
            }
        } else if (ic->type == ICMP_UNREACH && ic->code == ICMP_PORT_UNREACH) {
            useful = os_tudp(h, rd, &pk);
            type = OSP_U1;
        }
    }
    return useful && os_retire(h, type, sub) != NULL;
}

/* get_initial_ttl_guess */
static int os_ttl_guess(int ttl)
{
    return ttl <= 32 ? 32 : ttl <= 64 ? 64 : ttl <= 128 ? 128 : 255;
}

/* Compacts the replies (no gaps), as makeTSeqFP does before its arithmetic. */
static int os_compact(const int32_t *in, uint16_t *out)
{
    int n = 0;
    for (int i = 0; i < OS_NSEQ; i++)
        if (in[i] >= 0)
            out[n++] = (uint16_t)in[i];
    return n;
}

static const char *os_ipid_val(int n, const uint16_t *ids, int need, char buf[8], int *cls)
{
    enum seq_ipid_class c = n >= need ? seq_ipid_classify(ids, n) : SEQ_IPID_UNKNOWN;
    *cls = (int)c;
    if (c == SEQ_IPID_UNKNOWN)
        return NULL;
    return seq_ipid_code(c, ids[0], buf);
}

static bool os_ss_class(int c)
{
    return c == SEQ_IPID_INCR || c == SEQ_IPID_BI || c == SEQ_IPID_RI;
}

/* TS: the timestamp clock's rate class (makeTSeqFP's battle plan). */
static void os_ts_attr(struct os_host *h, const uint32_t *ts, const uint64_t *sent, int n,
                       struct os_obs *fp)
{
    double hz = 0;
    int cls = h->ts_class;
    if (cls == OS_TS_UNKNOWN && n >= 2) {
        for (int i = 0; i < n - 1; i++) {
            uint32_t a = ts[i + 1] - ts[i], b = ts[i] - ts[i + 1];
            uint32_t d = a < b ? a : b;
            uint64_t us = (sent[i + 1] - sent[i]) / 1000;
            if (!us) us = 1;
            hz += (double)d / ((double)us / 1000000.0) / (n - 1);
        }
        unsigned div = 0;
        if (hz > 0 && hz < 5.66) cls = OS_TS_2HZ, div = 2;
        else if (hz > 70 && hz < 150) cls = OS_TS_100HZ, div = 100;
        else if (hz > 724 && hz < 1448) cls = OS_TS_1000HZ, div = 1000;
        else if (hz > 0) cls = OS_TS_OTHER, div = hz < 1.8e19 ? (uint32_t)(uint64_t)(0.5 + hz) : 0;
        /* makeTSeqFP: uptime = the first TSval over the rate's clock, 0 if over two years
         * ("probably lying"); lastboot is set whenever the rate was measured. A random
         * TSval's "rate" (FreeBSD, OpenBSD) overflows nmap's (unsigned int) cast, which on
         * x86-64 keeps the low 32 bits of the 64-bit conversion: done so here (defined in C
         * below 2^64), whence real nmap's odd uptimes for those hosts. */
        uint32_t up = div ? ts[0] / div : 0;
        h->uptime_s = up > 63072000u ? 0 : up;
        h->has_lastboot = true;
    }
    if (cls == OS_TS_ZERO) {
        os_obs_set(fp, OS_SEQ, "TS", "0");
    } else if (cls == OS_TS_UNSUPPORTED) {
        os_obs_set(fp, OS_SEQ, "TS", "U");
    } else if (cls != OS_TS_UNKNOWN) {
        unsigned v = hz <= 5.66 ? 1 : hz > 70 && hz <= 150 ? 7 : hz > 150 && hz <= 350 ? 8
                   : (unsigned)(0.5 + log(hz) / log(2.0));
        os_obs_setf(fp, OS_SEQ, "TS", "%X", v);
    }
}

static void os_make_seq(struct os_host *h, struct os_obs *fp, int scan_delay_ms)
{
    uint32_t isn[OS_NSEQ], ts[OS_NSEQ];
    uint64_t sent[OS_NSEQ];
    int n = 0;
    for (int i = 0; i < OS_NSEQ; i++) {
        if (!h->seqs[i])
            continue;
        isn[n] = h->seqs[i];
        ts[n] = h->timestamps[i];
        sent[n] = h->seq_sent[i];
        n++;
    }
    os_obs_test(fp, OS_SEQ);
    if (n >= 4 && scan_delay_ms <= 1000) {
        struct seq_result s;
        seq_analyze(&s, isn, sent, n, NULL, 0);
        os_obs_setf(fp, OS_SEQ, "SP", "%X", s.sp);
        os_obs_setf(fp, OS_SEQ, "GCD", "%X", s.gcd);
        os_obs_setf(fp, OS_SEQ, "ISR", "%X", s.isr);
    }
    uint16_t ti[OS_NSEQ], ci[OS_NSEQ], ii[OS_NSEQ];
    int nti = os_compact(h->tcp_ipids, ti), nci = os_compact(h->closed_ipids, ci);
    int nii = os_compact(h->icmp_ipids, ii);
    char b1[8], b2[8], b3[8];
    int cti, cci, cii;
    os_obs_set(fp, OS_SEQ, "TI", os_ipid_val(nti, ti, 3, b1, &cti));
    os_obs_set(fp, OS_SEQ, "CI", os_ipid_val(nci, ci, 2, b2, &cci));
    os_obs_set(fp, OS_SEQ, "II", os_ipid_val(nii, ii, 2, b3, &cii));
    if (os_ss_class(cti) && os_ss_class(cii)) {
        uint32_t avg = ((uint32_t)ti[nti - 1] - ti[0]) / (uint32_t)(nti - 1);
        os_obs_set(fp, OS_SEQ, "SS", ii[0] < (uint32_t)ti[nti - 1] + 3 * avg ? "S" : "O");
    }
    os_ts_attr(h, ts, sent, n, fp);
}

void osscan_make_fp(struct os_host *h, struct os_obs *out, int scan_delay_ms)
{
    os_obs_init(out);
    os_make_seq(h, out, scan_delay_ms);
    if (h->ops_n == OS_NSEQ) {
        static const char *const on[6] = {"O1", "O2", "O3", "O4", "O5", "O6"};
        for (int i = 0; i < OS_NSEQ; i++)
            os_obs_set(out, OS_OPS, on[i], h->ops[i]);
    }
    if (h->win_n == OS_NSEQ) {
        static const char *const wn[6] = {"W1", "W2", "W3", "W4", "W5", "W6"};
        for (int i = 0; i < OS_NSEQ; i++)
            os_obs_setf(out, OS_WIN, wn[i], "%X", h->win[i]);
    }
    for (int t = OS_ECN; t < OS_NTESTS; t++) {
        if (!h->have[t]) {
            if ((t <= OS_T4 && h->open_port >= 0) || (t >= OS_T5 && t <= OS_T7 &&
                h->fpr_closed >= 0) || t >= OS_U1)
                os_obs_set(out, t, "R", "N");
            continue;
        }
        for (int a = 0; a < os_test_nattrs(t); a++) {
            const char *v = os_val(&h->fp.p, h->fp.pool, t, a);
            if (v)
                os_obs_set(out, t, os_attr_name(t, a), v);
        }
        const char *tv = os_obs_get(out, t, "T");
        if (!tv)
            continue;
        int ttl = (int)strtol(tv, NULL, 16);
        if (h->distance_guess == -1)
            h->distance_guess = os_ttl_guess(ttl) - ttl;
        if (h->distance != -1) {
            os_obs_setf(out, t, "T", "%X", ttl + h->distance - 1);
        } else {
            os_obs_setf(out, t, "TG", "%X", os_ttl_guess(ttl));
            os_obs_set(out, t, "T", NULL);
        }
    }
}

void osscan_seq_result(const struct os_host *h, struct seq_result *out)
{
    uint32_t isn[OS_NSEQ];
    uint64_t sent[OS_NSEQ];
    uint16_t ti[OS_NSEQ];
    int n = 0;
    for (int i = 0; i < OS_NSEQ; i++) {
        if (!h->seqs[i])
            continue;
        isn[n] = h->seqs[i];
        sent[n] = h->seq_sent[i];
        n++;
    }
    int nti = os_compact(h->tcp_ipids, ti);
    seq_analyze(out, isn, sent, n, ti, nti);
}
