/* vscan.c — the -sV pass over a host group: nmap's service_scan (service_scan.cc), the
 * algorithm of the Nmap book's "Technique Described" (ch. 7).
 *
 * Every open TCP port of the group's up hosts (then the open|filtered ones), host by host,
 * is one service, probed over a byte stream through pktio (stream_open/write/read: the
 * scanner host's own stack in the simulator, a kernel connect() socket live, as nmap's nsock
 * uses). A service: connect; the NULL probe (send nothing, wait up to its totalwaitms for a
 * banner); then the probes vscan_next_probe picks (the port's own first, then by rarity up
 * to the intensity; after a softmatch only those that can name that service), each on a new
 * connection, except that the probe after the NULL probe reuses its connection and its
 * answer (nmap's nextProbe(false)). Each answer is read until a rule of the probe or of its
 * fallbacks matches, the probe's totalwaitms runs out, 4096 bytes have come, or the peer
 * closes; a match ends the service, a softmatch is kept and the reading goes on. A peer that
 * closes or resets during the NULL probe, before tcpwrappedms and without a byte, is
 * "tcpwrapped". Answers that matched nothing go into the service's fingerprint. Open and
 * open|filtered UDP ports (-sU) get the UDP probes the same way, each one datagram sent with
 * pktio_send from a fresh source port, its answers picked out of pktio_recv's datagrams
 * (an ICMP port unreachable quoting it: on to the next probe, as nmap's ECONNREFUSED).
 *
 * Up to 20 services at once (30 at -T4, 40 at -T5, 1 at -T0..-T2; --min/--max-parallelism
 * bound it), as ServiceGroup's ideal_parallelism. Waits are pktio_recv deadlines (the next
 * connect timeout, 5 s, or probe timeout): in the simulator every arrival at the scanner
 * ends the wait, so a scan runs in virtual time; live, waits are cut to 5 ms to poll the
 * sockets. Nothing is formatted unless a port needs a fingerprint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/wire.h"
#include "scanner/passes.h"
#include "scanner/timing.h"
#include "scanner/vscan.h"

enum {
    VS_READ_MAX = 4096,          /* nmap stops reading an answer after this much */
    VS_BUF = VS_READ_MAX + 2048, /* room for the read that crosses it */
    VS_CONNECT_MS = 5000,        /* DEFAULT_CONNECT_TIMEOUT */
    VS_LIVE_POLL_MS = 5,
    VS_UDP_SPORT_BASE = 45000, VS_UDP_SPORTS = 15000,   /* a fresh source port per UDP probe */
};

/* --- probe selection ------------------------------------------------------------------- */

static bool vs_probe_fits(const struct vscan_sel *s, const struct svc_db *db, int k, bool ports)
{
    const struct svc_probe *p = &db->p[k];
    if (p->udp != s->udp || k == db->null_probe)
        return false;
    bool listed = svc_ports_has(s->ssl ? &p->sslports : &p->ports, s->port);
    if (listed != ports)
        return false;
    if (s->soft_name)
        return s->intensity >= 9 || svc_probe_can_find(p, s->soft_name);
    return ports || p->rarity <= s->intensity;
}

int vscan_next_probe(struct vscan_sel *s, const struct svc_db *db)
{
    bool dropdown = false;
    if (s->phase == VS_INITIAL) {
        s->phase = VS_NULLPROBE;
        if (!s->udp && db->null_probe >= 0)
            return db->null_probe;
    }
    if (s->phase == VS_NULLPROBE) {
        s->phase = VS_MATCHING;
        s->cur = 0;
        dropdown = true;
    }
    for (int pass = 0; pass < 2; pass++) {
        enum vscan_phase ph = pass == 0 ? VS_MATCHING : VS_NONMATCHING;
        if (s->phase != ph)
            continue;
        if (!dropdown)
            s->cur++;
        for (; s->cur < (int)db->np; s->cur++)
            if (vs_probe_fits(s, db, s->cur, ph == VS_MATCHING))
                return s->cur;
        s->phase = ph == VS_MATCHING ? VS_NONMATCHING : VS_DONE;
        s->cur = 0;
        dropdown = true;
    }
    return -1;
}

int vscan_match(struct svc_db *db, int k, const uint8_t *resp, size_t n, struct svc_result *r,
                int *by)
{
    const struct svc_probe *p = &db->p[k];
    for (int i = 0; i < p->nfb; i++) {
        int rc = svc_match_probe(&db->p[p->fb[i]], resp, n, r, NULL);
        if (rc) {
            if (by)
                *by = p->fb[i];
            return rc;
        }
    }
    return 0;
}

/* "web (198.51.100.20)" or "198.51.100.20": nmap's Target::NameIP. */
static void vs_name_ip(const struct host_result *h, char *buf, size_t cap)
{
    char ip[16];
    snprintf(ip, sizeof ip, "%u.%u.%u.%u", h->addr >> 24, h->addr >> 16 & 255,
             h->addr >> 8 & 255, h->addr & 255);
    if (h->name[0])
        snprintf(buf, cap, "%s (%s)", h->name, ip);
    else
        snprintf(buf, cap, "%s", ip);
}

/* --- one service ------------------------------------------------------------------------ */

struct vs_svc {
    struct vscan_port *out;
    struct port_result *pr;      /* the port scan's verdict (open|filtered may become open) */
    const struct host_result *res;   /* its host */
    uint32_t addr;
    struct vscan_sel sel;
    int probe;                   /* current probe, -1 before the first */
    int handle;                  /* stream, -1 none */
    bool connected;
    uint64_t connect_ns, exec_ns;
    size_t sent;                 /* bytes of the probe string written */
    uint8_t *buf;                /* the current answer (VS_BUF) */
    size_t len;
    bool tcpwrap_possible, matched;
    bool done;
    bool udp;                    /* datagrams through pktio send/recv, not a stream */
    uint16_t sport;              /* UDP: this probe's source port */
};

struct vs_run {
    struct scan_ctx *sc;
    struct svc_db *db;
    struct vs_svc *svc;
    size_t nsvc, next, inflight;
    size_t par;
    bool failed;                 /* out of memory */
    uint32_t udp_next;           /* UDP source ports and IP IDs handed out */
    size_t *act, nact;           /* services in flight, by index, in launch order */
    bool io_failed;
};

static void vs_end(struct vs_run *run, struct vs_svc *v, enum vscan_end end)
{
    if (v->handle >= 0)
        run->sc->io->ops->stream_close(run->sc->io, v->handle);
    v->handle = -1;
    v->out->end = (uint8_t)(v->tcpwrap_possible ? VS_END_TCPWRAPPED : end);
    v->done = true;
    free(v->buf);
    v->buf = NULL;
    run->inflight--;
}

/* nmap's processMatch: a match (true) or a softmatch kept (false). */
static bool vs_take(struct vs_svc *v, const struct svc_result *r, int rc)
{
    bool soft = rc == 2;
    if (soft && v->matched)
        return false;            /* the first softmatch stands */
    struct vscan_port *o = v->out;
    snprintf(o->name, sizeof o->name, "%s", r->service);
    v->matched = true;
    v->tcpwrap_possible = false;
    for (int f = 0; f < SVC_NFIELDS; f++)
        if (r->field[f][0])
            memcpy(o->field[f], r->field[f], sizeof o->field[f]);
    for (int i = 0; i < r->ncpe; i++) {   /* one per part: a later one of a part replaces */
        int k = 0;
        while (k < o->ncpe && o->cpe[k][0] != r->cpe[i][0])
            k++;
        if (k == o->ncpe && o->ncpe < 3)
            o->ncpe++;
        if (k < 3)
            memcpy(o->cpe[k], r->cpe[i], sizeof o->cpe[k]);
    }
    o->line = r->line;
    v->sel.soft_name = soft ? o->name : NULL;
    return !soft;
}

static void vs_fp(struct vs_run *run, struct vs_svc *v, uint64_t now)
{
    if (!v->len)
        return;
    if (!v->out->fp)
        v->out->fp_ns = now;
    if (vscan_fp_add(&v->out->fp, run->db->p[v->probe].name, v->buf, v->len) < 0)
        run->failed = true;
}

static void vs_write(struct vs_run *run, struct vs_svc *v)
{
    const struct svc_probe *p = &run->db->p[v->probe];
    while (v->sent < p->len) {
        int w = run->sc->io->ops->stream_write(run->sc->io, v->handle, p->data + v->sent,
                                               p->len - v->sent);
        if (w <= 0)
            return;              /* later; an error shows as a reset on read */
        v->sent += (size_t)w;
    }
}

/* --version-trace: nmap's "Service scan hard match (Probe GetRequest matched with GetRequest
 * line 6954): 198.51.100.20:80 is http.  Version: |Apache httpd|2.4.57|(Debian)|". */
static void vs_trace_match(struct vs_run *run, const struct vs_svc *v, const struct svc_result *r,
                           int by)
{
    char who[96], line[512];
    vs_name_ip(&(struct host_result){ .addr = v->addr }, who, sizeof who);
    snprintf(line, sizeof line, "Service scan %s match (Probe %s matched with %s line %d): "
             "%s:%u is %s.  Version: |%s|%s|%s|", r->soft ? "soft" : "hard",
             run->db->p[v->probe].name, by >= 0 ? run->db->p[by].name : "?", r->line, who,
             v->out->port, r->service, r->field[SVC_P], r->field[SVC_V], r->field[SVC_I]);
    run->sc->cfg->log(run->sc->cfg->log_ctx, line);
}

/* --version-trace: "Service scan sending probe NULL to 198.51.100.20:22 (tcp)". */
static void vs_trace_probe(struct vs_run *run, const struct vs_svc *v)
{
    if (!run->sc->cfg->version_trace || !run->sc->cfg->log)
        return;
    char who[96], line[256];
    vs_name_ip(&(struct host_result){ .addr = v->addr }, who, sizeof who);
    snprintf(line, sizeof line, "Service scan sending probe %s to %s:%u (%s)",
             run->db->p[v->probe].name, who, v->out->port, v->udp ? "udp" : "tcp");
    run->sc->cfg->log(run->sc->cfg->log_ctx, line);
}

/* A UDP probe: one datagram from a source port of its own, as nmap's new connected socket
 * per probe gives (nsock_connect_udp). */
static void vs_udp_send(struct vs_run *run, struct vs_svc *v)
{
    const struct svc_probe *p = &run->db->p[v->probe];
    uint32_t k = run->udp_next++;
    v->sport = (uint16_t)(VS_UDP_SPORT_BASE + k % VS_UDP_SPORTS);
    struct wire_ipv4 ip = { .ttl = 64, .proto = WIRE_PROTO_UDP, .id = (uint16_t)(k * 7919u + 1),
                            .df = true, .src = run->sc->io->src_addr, .dst = v->addr };
    struct wire_udp u = { .sport = v->sport, .dport = v->out->port, .payload = p->data,
                          .payload_len = p->len };
    uint8_t buf[WIRE_MAX_DGRAM];
    size_t n = wire_emit_udp(buf, sizeof buf, &ip, &u);
    if (n && pktio_send(run->sc->io, buf, n) < 0)
        run->io_failed = true;
}

/* The probe's text goes out now (send_probe_text) and its time starts. */
static void vs_start_probe(struct vs_run *run, struct vs_svc *v, uint64_t now)
{
    v->exec_ns = now;
    v->sent = 0;
    vs_trace_probe(run, v);
    if (v->udp)
        vs_udp_send(run, v);
    else
        vs_write(run, v);
}

static void vs_connect(struct vs_run *run, struct vs_svc *v, uint64_t now)
{
    struct pktio *io = run->sc->io;
    if (v->udp) {                /* no handshake: the probe goes at once */
        v->connected = true;
        v->len = 0;
        vs_start_probe(run, v, now);
        return;
    }
    v->handle = io->ops->stream_open(io, v->addr, v->out->port);
    v->connected = false;
    v->connect_ns = now;
    v->len = 0;
    if (v->handle < 0)
        vs_end(run, v, VS_END_INCOMPLETE);
}

/* startNextProbe: on the NULL probe's own connection when it allows (restart false). */
static void vs_next(struct vs_run *run, struct vs_svc *v, bool restart, uint64_t now)
{
    bool was_null = v->probe >= 0 && v->probe == run->db->null_probe;
    if (!restart && was_null) {
        v->probe = vscan_next_probe(&v->sel, run->db);
        if (v->probe < 0)
            vs_end(run, v, v->matched ? VS_END_SOFT : VS_END_NOMATCH);
        else
            vs_start_probe(run, v, now);    /* the NULL probe's answer stays */
        return;
    }
    if (v->handle >= 0)
        run->sc->io->ops->stream_close(run->sc->io, v->handle);
    v->handle = -1;
    v->probe = vscan_next_probe(&v->sel, run->db);
    if (v->probe < 0) {
        vs_end(run, v, v->matched ? VS_END_SOFT : VS_END_NOMATCH);
        return;
    }
    vs_connect(run, v, now);
}

static void vs_launch(struct vs_run *run, struct vs_svc *v, uint64_t now)
{
    v->buf = malloc(VS_BUF);
    run->inflight++;
    run->act[run->nact++] = (size_t)(v - run->svc);
    if (!v->buf) {
        run->failed = true;
        vs_end(run, v, VS_END_INCOMPLETE);
        return;
    }
    v->probe = -1;
    vs_next(run, v, true, now);
}

/* A closed or reset connection: EOF and ECONNRESET in nmap's read handler. */
static void vs_closed(struct vs_run *run, struct vs_svc *v, uint64_t now)
{
    const struct svc_probe *p = &run->db->p[v->probe];
    if (v->len) {
        vs_fp(run, v, now);
        v->tcpwrap_possible = false;
    }
    if (v->tcpwrap_possible && v->probe == run->db->null_probe && v->len == 0 &&
        now - v->exec_ns < TIMING_MS(svc_probe_tcpwrappedms(p)))
        vs_end(run, v, VS_END_TCPWRAPPED);
    else
        vs_next(run, v, true, now);
}

/* Bytes came: the port is open after all (adjustPortStateIfNecessary), and the answer so far
 * is matched. true when the service's probe is over (matched, or 4096 bytes read). */
static bool vs_answer(struct vs_run *run, struct vs_svc *v, uint64_t now)
{
    v->tcpwrap_possible = false;
    if (v->udp && v->pr->state != PORT_OPEN) {
        v->pr->state = PORT_OPEN;
        v->pr->reason = RS_UDP_RESPONSE;
    }
    struct svc_result r;
    int by = -1;
    int rc = vscan_match(run->db, v->probe, v->buf, v->len, &r, &by);
    if (rc && run->sc->cfg->version_trace && run->sc->cfg->log && !(rc == 2 && v->matched))
        vs_trace_match(run, v, &r, by);
    if (rc && vs_take(v, &r, rc)) {
        if (!strncmp(v->out->name, "ssl/", 4)) {   /* scanThroughTunnel's special case */
            v->out->ssl = true;
            memmove(v->out->name, v->out->name + 4, strlen(v->out->name + 4) + 1);
        }
        vs_end(run, v, VS_END_HARD);
        return true;
    }
    if (v->len >= VS_READ_MAX) {
        vs_fp(run, v, now);
        vs_next(run, v, false, now);
        return true;
    }
    return false;
}

/* A datagram for a UDP service: its answer (appended), or an ICMP port unreachable quoting
 * its probe (ECONNREFUSED on nmap's socket: on to the next probe). */
static void vs_udp_input(struct vs_run *run, const uint8_t *d, size_t len, uint64_t now)
{
    struct wire_pkt pk;
    if (wire_parse(d, len, &pk) != WIRE_OK || pk.l4_err != WIRE_OK)
        return;
    uint32_t addr = pk.ip.src;
    uint16_t port, sport;
    bool refused = false;
    if (pk.ip.proto == WIRE_PROTO_UDP) {
        port = pk.l4.udp.sport;
        sport = pk.l4.udp.dport;
    } else if (pk.ip.proto == WIRE_PROTO_ICMP && pk.l4.icmp.type == ICMP_UNREACH &&
               pk.l4.icmp.code == ICMP_PORT_UNREACH) {
        struct wire_quote q;
        if (wire_icmp_quote(&pk.l4.icmp, &q) != WIRE_OK || !q.has_ports ||
            q.ip.proto != WIRE_PROTO_UDP)
            return;
        addr = q.ip.dst;
        port = q.dport;
        sport = q.sport;
        refused = true;
    } else {
        return;
    }
    for (size_t i = 0; i < run->nact; i++) {
        struct vs_svc *v = &run->svc[run->act[i]];
        if (v->done || !v->udp || v->addr != addr || v->out->port != port || v->sport != sport)
            continue;
        if (refused) {
            vs_next(run, v, true, now);
            return;
        }
        size_t n = pk.l4.udp.payload_len;
        if (n > VS_BUF - v->len)
            n = VS_BUF - v->len;
        if (!n)
            return;
        memcpy(v->buf + v->len, pk.l4.udp.payload, n);
        v->len += n;
        vs_answer(run, v, now);
        return;
    }
}

/* Reads what has arrived; matches it. */
static void vs_read(struct vs_run *run, struct vs_svc *v, uint64_t now)
{
    struct pktio *io = run->sc->io;
    bool eof = false, got = false;
    int n = 0;
    while (v->len < VS_READ_MAX &&
           (n = io->ops->stream_read(io, v->handle, v->buf + v->len, VS_BUF - v->len, &eof)) > 0) {
        v->len += (size_t)n;
        got = true;
    }
    if (n < 0 && v->len < VS_READ_MAX) {
        vs_closed(run, v, now);
        return;
    }
    if (got && vs_answer(run, v, now))
        return;
    if (eof)
        vs_closed(run, v, now);
}

static uint64_t vs_deadline(const struct vs_run *run, const struct vs_svc *v)
{
    if (!v->connected)
        return v->connect_ns + TIMING_MS(VS_CONNECT_MS);
    return v->exec_ns + TIMING_MS(svc_probe_totalwaitms(&run->db->p[v->probe]));
}

static void vs_step(struct vs_run *run, struct vs_svc *v, uint64_t now)
{
    struct pktio *io = run->sc->io;
    if (v->udp) {                /* answers come through vs_udp_input */
        if (now >= vs_deadline(run, v)) {
            v->tcpwrap_possible = false;
            vs_fp(run, v, now);
            vs_next(run, v, false, now);
        }
        return;
    }
    if (!v->connected) {
        enum pktio_stream st = io->ops->stream_poll(io, v->handle, NULL, NULL);
        if (st == PKTIO_STREAM_PENDING) {
            if (now >= vs_deadline(run, v))
                vs_end(run, v, VS_END_INCOMPLETE);
            return;
        }
        if (st != PKTIO_STREAM_OPEN) {
            vs_end(run, v, VS_END_INCOMPLETE);
            return;
        }
        v->connected = true;
        if (v->pr->state != PORT_OPEN && run->sc->cfg->verbose > 0 && run->sc->cfg->log) {
            char who[96], line[200];
            vs_name_ip(v->res, who, sizeof who);
            snprintf(line, sizeof line, "Discovered %s port %u/tcp on %s is actually open",
                     port_state_name(v->pr->state), v->pr->port, who);
            run->sc->cfg->log(run->sc->cfg->log_ctx, line);
        }
        if (v->pr->state != PORT_OPEN) {   /* adjustPortStateIfNecessary */
            v->pr->state = PORT_OPEN;
            v->pr->reason = RS_TCP_RESPONSE;
            v->pr->reason_ttl = 0;
        }
        vs_start_probe(run, v, now);
    }
    vs_write(run, v);
    vs_read(run, v, now);
    if (v->done || !v->connected)
        return;
    if (now >= vs_deadline(run, v)) {   /* the probe's time is up */
        v->tcpwrap_possible = false;
        vs_fp(run, v, now);
        vs_next(run, v, false, now);
    }
}

/* --- the pass --------------------------------------------------------------------------- */

static size_t vs_parallelism(const struct scan_config *cfg)
{
    int lvl = cfg->timing.template_level;
    int want = lvl == 3 ? 20 : lvl == 4 ? 30 : lvl >= 5 ? 40 : 1;
    int lo = cfg->timing.min_parallelism > 0 ? cfg->timing.min_parallelism : 0;
    int hi = cfg->timing.max_parallelism > 0 ? cfg->timing.max_parallelism : 100;
    if (hi < lo)
        hi = lo;
    want = want < lo ? lo : want > hi ? hi : want;
    return want > 0 ? (size_t)want : 1;
}

/* The ports to scan of one host: its open TCP ports, then the open|filtered ones (nmap
 * leaves those for last, as "speculative"); results listed by port. */
static int vs_host(struct vs_run *run, struct host_result *res, int intensity)
{
    size_t n = 0;
    for (size_t i = 0; i < res->nports; i++) {
        const struct port_result *p = &res->ports[i];
        n += p->state == PORT_OPEN || p->state == PORT_OPEN_FILTERED;
    }
    if (!n)
        return 0;
    struct vscan_result *vr = calloc(1, sizeof *vr + n * sizeof vr->p[0]);
    if (!vr)
        return -1;
    vr->intensity = intensity;
    res->vs = vr;
    for (size_t i = 0; i < res->nports; i++) {   /* ports are sorted by (proto, port) */
        const struct port_result *p = &res->ports[i];
        if (p->state == PORT_OPEN || p->state == PORT_OPEN_FILTERED)
            vr->p[vr->n++] = (struct vscan_port){ .port = p->port, .proto = p->proto };
    }
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0, k = 0; i < res->nports; i++) {
            struct port_result *p = &res->ports[i];
            if (p->state != PORT_OPEN && p->state != PORT_OPEN_FILTERED)
                continue;
            struct vscan_port *o = &vr->p[k++];
            if (p->state != (pass == 0 ? PORT_OPEN : PORT_OPEN_FILTERED))
                continue;
            bool udp = p->proto == WIRE_PROTO_UDP;
            if (!run->sc->cfg->version_allports &&
                svc_ports_has(udp ? &run->db->exclude_udp : &run->db->exclude_tcp, p->port)) {
                o->end = VS_END_EXCLUDED;
                continue;
            }
            struct vs_svc *v = &run->svc[run->nsvc++];
            *v = (struct vs_svc){ .out = o, .pr = p, .res = res, .addr = res->addr, .handle = -1,
                                  .probe = -1, .tcpwrap_possible = true };
            v->udp = udp;
            v->sel = (struct vscan_sel){ .port = p->port, .udp = udp, .intensity = intensity };
        }
    }
    return 0;
}

static int vs_loop(struct vs_run *run, char *err, size_t errlen)
{
    struct pktio *io = run->sc->io;
    uint8_t dgram[WIRE_MAX_DGRAM];
    for (;;) {
        uint64_t now = pktio_now(io);
        while (run->inflight < run->par && run->next < run->nsvc)
            vs_launch(run, &run->svc[run->next++], now);
        uint64_t dl = UINT64_MAX;
        for (size_t i = 0; i < run->nact; i++) {
            struct vs_svc *v = &run->svc[run->act[i]];
            if (v->done)
                continue;
            vs_step(run, v, now);
            if (!v->done) {
                uint64_t d = vs_deadline(run, v);
                dl = d < dl ? d : dl;
            }
        }
        size_t k = 0;            /* the finished leave the list; the order stays */
        for (size_t i = 0; i < run->nact; i++)
            if (!run->svc[run->act[i]].done)
                run->act[k++] = run->act[i];
        run->nact = k;
        if (run->failed) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        if (run->inflight < run->par && run->next < run->nsvc)
            continue;            /* a service finished: start the next at once */
        if (run->inflight == 0)
            return 0;
        if (!io->is_sim && dl > now + TIMING_MS(VS_LIVE_POLL_MS))
            dl = now + TIMING_MS(VS_LIVE_POLL_MS);
        if (dl <= now)
            continue;
        size_t len;
        uint64_t t;
        int r = pktio_recv(io, dgram, sizeof dgram, &len, &t, dl);
        if (r < 0 || run->io_failed) {
            snprintf(err, errlen, "%s: %s", r < 0 ? "receive" : "send", io->err);
            return -1;
        }
        if (r == 1)
            vs_udp_input(run, dgram, len, pktio_now(io));
    }
}

/* -v: service_scan's "Scanning 3 services on web (198.51.100.20)" (or "on 5 hosts"). */
static void vs_log_start(struct scan_ctx *sc, size_t nsvc, size_t nhosts,
                         const struct host_result *only)
{
    if (sc->cfg->verbose <= 0 || !sc->cfg->log || !nsvc)
        return;
    char who[96], line[160];
    if (nhosts == 1)
        vs_name_ip(only, who, sizeof who);
    else
        snprintf(who, sizeof who, "%zu hosts", nhosts);
    snprintf(line, sizeof line, "Scanning %zu %s on %s", nsvc, nsvc == 1 ? "service" : "services",
             who);
    sc->cfg->log(sc->cfg->log_ctx, line);
}

int vscan_run(struct scan_ctx *sc, struct scan_group_host *hosts, size_t n, char *err,
              size_t errlen)
{
    const struct scan_config *cfg = sc->cfg;
    size_t total = 0;            /* the candidates: open and open|filtered ports */
    for (size_t h = 0; h < n; h++)
        for (size_t i = 0; i < hosts[h].res->nports; i++)
            total += hosts[h].res->ports[i].state == PORT_OPEN ||
                     hosts[h].res->ports[i].state == PORT_OPEN_FILTERED;
    if (!total)
        return 0;
    struct vs_run run = { .sc = sc, .db = cfg->svdb, .par = vs_parallelism(cfg) };
    run.svc = calloc(total, sizeof *run.svc);
    run.act = calloc(total, sizeof *run.act);   /* launch-failed ones wait for compaction */
    if (!run.svc || !run.act) {
        free(run.svc);
        free(run.act);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int intensity = cfg->version_intensity;
    size_t nh = 0;
    const struct host_result *only = NULL;
    for (size_t h = 0; h < n; h++) {
        size_t from = run.nsvc;
        if (vs_host(&run, hosts[h].res, intensity) < 0) {
            free(run.svc);
            free(run.act);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        if (run.nsvc > from) {
            nh++;
            only = hosts[h].res;
        }
    }
    vs_log_start(sc, run.nsvc, nh, only);
    int rc = vs_loop(&run, err, errlen);
    for (size_t i = 0; i < run.nsvc; i++) {
        if (run.svc[i].handle >= 0)
            sc->io->ops->stream_close(sc->io, run.svc[i].handle);
        free(run.svc[i].buf);
    }
    free(run.svc);
    free(run.act);
    return rc;
}

void vscan_result_free(struct vscan_result *r)
{
    for (size_t i = 0; r && i < r->n; i++)
        free(r->p[i].fp);
    free(r);
}

const struct vscan_port *vscan_find(const struct vscan_result *r, uint8_t proto, uint16_t port)
{
    for (size_t i = 0; r && i < r->n; i++)
        if (r->p[i].proto == proto && r->p[i].port == port)
            return &r->p[i];
    return NULL;
}
