/* seqprobe.c — --seq: nmap's OS-detection SEQ probes (docs/facts/nmap.md section 4; nmap osscan2.cc
 * send_seq_probe and the prbOpts table). Six SYNs to one open TCP port, 100 ms apart, with
 * windows 1, 63, 4, 4, 16, 512 and six different option lists, so the target's ISN and IP-ID
 * generators show themselves. The SYN/ACKs' ISNs, the probes' send times and the replies' IP
 * IDs go to seq_analyze (scanner/seq.c), which computes GCD, ISR, SP and the TI class.
 * Every eligible host of the group is probed in the same six rounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/passes.h"
#include "scanner/seq.h"

enum { SEQ_NPROBES = 6, SEQ_GAP_MS = 100 };

struct seq_opt {
    uint8_t kind, val8;
    uint16_t val16;
};

/* nmap's six SEQ option layouts (osscan2.cc), written as option lists: WS = window scale,
 * TS = timestamp (TSval 0xFFFFFFFF, TSecr 0), SACK = SACK permitted. */
static const struct {
    uint16_t window;
    uint8_t n;
    struct seq_opt o[8];
} seq_probes[SEQ_NPROBES] = {
    { 1, 5, { { TCPOPT_WSCALE, 10, 0 }, { TCPOPT_NOP, 0, 0 }, { TCPOPT_MSS, 0, 1460 },
              { TCPOPT_TS, 0, 0 }, { TCPOPT_SACK_PERM, 0, 0 } } },
    { 63, 5, { { TCPOPT_MSS, 0, 1400 }, { TCPOPT_WSCALE, 0, 0 }, { TCPOPT_SACK_PERM, 0, 0 },
               { TCPOPT_TS, 0, 0 }, { TCPOPT_EOL, 0, 0 } } },
    { 4, 6, { { TCPOPT_TS, 0, 0 }, { TCPOPT_NOP, 0, 0 }, { TCPOPT_NOP, 0, 0 },
              { TCPOPT_WSCALE, 5, 0 }, { TCPOPT_NOP, 0, 0 }, { TCPOPT_MSS, 0, 640 } } },
    { 4, 4, { { TCPOPT_SACK_PERM, 0, 0 }, { TCPOPT_TS, 0, 0 }, { TCPOPT_WSCALE, 10, 0 },
              { TCPOPT_EOL, 0, 0 } } },
    { 16, 5, { { TCPOPT_MSS, 0, 536 }, { TCPOPT_SACK_PERM, 0, 0 }, { TCPOPT_TS, 0, 0 },
               { TCPOPT_WSCALE, 10, 0 }, { TCPOPT_EOL, 0, 0 } } },
    { 512, 3, { { TCPOPT_MSS, 0, 265 }, { TCPOPT_SACK_PERM, 0, 0 }, { TCPOPT_TS, 0, 0 } } },
};

struct seq_host {
    struct host_result *res;
    uint16_t port;
    bool got[SEQ_NPROBES];
    bool issued[SEQ_NPROBES];
    uint32_t isn[SEQ_NPROBES];
    uint16_t ipid[SEQ_NPROBES];
    uint64_t sent[SEQ_NPROBES];
    uint64_t timeout;
};

static size_t seq_make(uint8_t *buf, size_t cap, const struct scan_probe *p, int i)
{
    struct wire_ipv4 ip = { .ttl = p->ttl, .proto = WIRE_PROTO_TCP, .id = p->ck.ipid,
                            .src = p->src, .dst = p->dst };
    struct wire_tcp tcp = { .sport = p->ck.sport, .dport = p->dport, .seq = p->ck.seq,
                            .flags = TCP_SYN, .window = seq_probes[i].window };
    struct wire_tcp_opts *o = &tcp.opt;
    for (int k = 0; k < seq_probes[i].n; k++) {
        const struct seq_opt *so = &seq_probes[i].o[k];
        o->order[o->n++] = so->kind;
        if (so->kind == TCPOPT_MSS) {
            o->has_mss = true;
            o->mss = so->val16;
        } else if (so->kind == TCPOPT_WSCALE) {
            o->has_wscale = true;
            o->wscale = so->val8;
        } else if (so->kind == TCPOPT_TS) {
            o->has_ts = true;
            o->tsval = 0xFFFFFFFFu;
            o->tsecr = 0;
        } else if (so->kind == TCPOPT_SACK_PERM) {
            o->sack_perm = true;
        }
    }
    return wire_emit_tcp(buf, cap, &ip, &tcp);
}

static void seq_recv(struct scan_ctx *sc, struct seq_host *sh, size_t n, const uint8_t *d,
                     size_t len)
{
    struct wire_pkt pkt;
    if (wire_parse(d, len, &pkt) != WIRE_OK || pkt.l4_err != WIRE_OK ||
        pkt.ip.proto != WIRE_PROTO_TCP || pkt.ip.dst != sc->io->src_addr)
        return;
    const struct wire_tcp *tcp = &pkt.l4.tcp;
    if ((tcp->flags & (TCP_SYN | TCP_ACK | TCP_RST)) != (TCP_SYN | TCP_ACK))
        return;
    for (size_t h = 0; h < n; h++) {
        if (sh[h].res->addr != pkt.ip.src || sh[h].port != tcp->sport)
            continue;
        int i = tcp->dport - cookie_sport_base(&sc->key, pkt.ip.src, sh[h].port,
                                               WIRE_PROTO_TCP, COOKIE_SEQ);
        if (i < 0 || i >= SEQ_NPROBES || !sh[h].issued[i] || sh[h].got[i])
            return;
        struct cookie ck;
        cookie_make(&sc->key, pkt.ip.src, sh[h].port, WIRE_PROTO_TCP, COOKIE_SEQ, (uint8_t)i, &ck);
        if (tcp->ack != ck.seq + 1)
            return;
        sh[h].got[i] = true;
        sh[h].isn[i] = tcp->seq;
        sh[h].ipid[i] = pkt.ip.id;
        return;
    }
}

static bool seq_all_back(const struct seq_host *sh, size_t n, int upto)
{
    for (size_t h = 0; h < n; h++)
        for (int i = 0; i < upto; i++)
            if (!sh[h].got[i])
                return false;
    return true;
}

/* Receives until `deadline` (or, when stop_early, until every probe sent has its reply). */
static int seq_wait(struct scan_ctx *sc, struct seq_host *sh, size_t n, uint64_t deadline,
                    uint8_t *buf, size_t cap, bool stop_early, char *err, size_t errlen)
{
    for (;;) {
        if (stop_early && seq_all_back(sh, n, SEQ_NPROBES))
            return 0;
        size_t len = 0;
        uint64_t t = 0;
        int r = pktio_recv(sc->io, buf, cap, &len, &t, deadline);
        if (r < 0) {
            snprintf(err, errlen, "receive: %s", sc->io->err);
            return -1;
        }
        if (r == 0)
            return 0;
        seq_recv(sc, sh, n, buf, len);
    }
}

static void seq_finish(struct seq_host *s)
{
    uint32_t isn[SEQ_NPROBES];
    uint64_t sent[SEQ_NPROBES];
    uint16_t ipid[SEQ_NPROBES];
    int k = 0;
    for (int i = 0; i < SEQ_NPROBES; i++) {
        if (!s->got[i])
            continue;
        isn[k] = s->isn[i];
        sent[k] = s->sent[i];
        ipid[k] = s->ipid[i];
        k++;
    }
    seq_analyze(&s->res->seq, isn, sent, k, ipid, k);
}

int seqprobe_run(struct scan_ctx *sc, struct scan_group_host *hosts, size_t n, char *err,
                 size_t errlen)
{
    struct seq_host *sh = calloc(n ? n : 1, sizeof *sh);
    uint8_t *buf = malloc(WIRE_MAX_DGRAM);
    if (!sh || !buf) {
        free(sh);
        free(buf);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t m = 0;
    uint64_t maxto = TIMING_MS(SEQ_GAP_MS);
    for (size_t h = 0; h < n; h++) {
        struct host_result *r = hosts[h].res;
        for (size_t i = 0; r->up && i < r->nports; i++) {
            if (r->ports[i].proto == WIRE_PROTO_TCP && r->ports[i].state == PORT_OPEN) {
                sh[m] = (struct seq_host){ .res = r, .port = r->ports[i].port,
                                           .timeout = hosts[h].rtt.timeout };
                if (sh[m].timeout > maxto)
                    maxto = sh[m].timeout;
                m++;
                break;
            }
        }
    }
    int rc = 0;
    uint64_t t0 = pktio_now(sc->io);
    for (int i = 0; i < SEQ_NPROBES && m > 0 && rc == 0; i++) {
        uint64_t at = t0 + (uint64_t)i * TIMING_MS(SEQ_GAP_MS);
        rc = seq_wait(sc, sh, m, at, buf, WIRE_MAX_DGRAM, false, err, errlen);
        uint64_t now = pktio_now(sc->io);
        for (size_t h = 0; h < m && rc == 0; h++) {
            struct scan_probe p = { .src = sc->io->src_addr, .dst = sh[h].res->addr,
                                    .dport = sh[h].port, .ttl = scan_probe_ttl(sc) };
            cookie_make(&sc->key, p.dst, p.dport, WIRE_PROTO_TCP, COOKIE_SEQ, (uint8_t)i, &p.ck);
            size_t len = seq_make(buf, WIRE_MAX_DGRAM, &p, i);
            sh[h].sent[i] = now;
            sh[h].issued[i] = true;
            if (pktio_send(sc->io, buf, len) < 0) {
                snprintf(err, errlen, "send: %s", sc->io->err);
                rc = -1;
            }
        }
    }
    if (rc == 0 && m > 0)
        rc = seq_wait(sc, sh, m, pktio_now(sc->io) + maxto, buf, WIRE_MAX_DGRAM, true, err,
                      errlen);
    for (size_t h = 0; h < m && rc == 0; h++)
        seq_finish(&sh[h]);
    free(sh);
    free(buf);
    return rc;
}
