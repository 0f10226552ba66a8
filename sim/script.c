/* script.c — sim_load (a parsed scenario into a running network), the scripted events
 * (`send`, `traffic`, `connect`) and the stream API that the scanner's -sT uses.
 *
 * `send` is what a student does with scapy or hping3: a datagram built by hand (TCP, UDP,
 * ICMP echo or timestamp request) and put on the wire at T from any address, so it never
 * touches the "sender's" IP-ID counter. Its defaults are scapy's: TTL 64, IP-ID 1, window
 * 8192, sequence and acknowledgment 0, no DF; options get scapy's usual values (mss 1460,
 * sackOK, timestamp val = virtual ms and ecr 0, nop, wscale 7) in the order written. A
 * missing source port is drawn from the "send" stream (1024-65535) at load time, in
 * scenario order.
 * `traffic` is emitted BY its host: each datagram takes an IP-ID from the host's generator
 * (what makes a busy zombie useless for an idle scan); a TCP one is the SYN of a connect()
 * (tcp_syn_like: an ISN drawn from the host's generator, the personality's SYN options, a
 * connected socket's DF and IP-ID, as Linux's own counter per socket), never followed up.
 * `connect` runs through the host's own TCP (tcp_connect, tcp_send once ESTABLISHED,
 * tcp_close at the close time).
 * Streams map a connect(2) and its errno: established -> OPEN, RST -> ECONNREFUSED, ICMP
 * port unreachable -> ECONNREFUSED too (Linux icmp_err_convert), other unreachables ->
 * EHOSTUNREACH and kin, retransmissions exhausted -> ETIMEDOUT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "filter.h"

static const uint64_t NS_PER_S = 1000000000ULL;

/* ---------------------------------------------------------------- errors */

static int load_err(const struct scenario *sc, struct scn_pos pos, char *err, size_t errlen,
                    const char *what)
{
    snprintf(err, errlen, "%s:%d:%d: error: %s", sc->file[0] ? sc->file : "scenario",
             pos.line, pos.col, what);
    return -1;
}

/* ---------------------------------------------------------------- load */

static int load_hosts_with(struct sim *s, const struct scenario *sc, struct sim_pset_map *m,
                           char *err, size_t errlen);

/* The hosts, sharing one counted copy of each distinct port set (pset.h). */
static int load_hosts(struct sim *s, const struct scenario *sc, char *err, size_t errlen)
{
    struct sim_pset_map m;
    if (sim_pset_map_init(&m, sc->nsets) < 0)
        return load_err(sc, (struct scn_pos){ 0, 0 }, err, errlen, "out of memory");
    int rc = load_hosts_with(s, sc, &m, err, errlen);
    sim_pset_map_free(&m);
    return rc;
}

static int load_hosts_with(struct sim *s, const struct scenario *sc, struct sim_pset_map *m,
                           char *err, size_t errlen)
{
    char msg[192];
    const struct scn_host *scanner = NULL;
    for (size_t i = 0; i < sc->nhosts; i++) {
        const struct scn_host *sh = &sc->hosts[i];
        uint32_t a;
        if (sim_host_lookup(s, sh->name, &a) == 0) {
            snprintf(msg, sizeof msg, "host %s is defined twice", sh->name);
            return load_err(sc, sh->pos, err, errlen, msg);
        }
        if (sh->scanner && scanner) {
            snprintf(msg, sizeof msg, "two scanner hosts: %s (line %d) and %s", scanner->name,
                     scanner->pos.line, sh->name);
            return load_err(sc, sh->pos, err, errlen, msg);
        }
        int oom = 0;
        struct sim_pset *tcp = sim_pset_map_get(m, sh->tcp, &oom);
        struct sim_pset *udp = sim_pset_map_get(m, sh->udp, &oom);
        struct host *h = oom ? NULL : host_add(s, sh, tcp, udp, msg, sizeof msg);
        sim_pset_unref(tcp);
        sim_pset_unref(udp);
        if (oom)
            snprintf(msg, sizeof msg, "host %s: out of memory", sh->name);
        if (!h)
            return load_err(sc, sh->pos, err, errlen, msg);
        if (sh->scanner) {
            scanner = sh;
            s->scanner = sh->addr;
        }
    }
    return 0;
}

static int load_filters(struct sim *s, const struct scenario *sc, char *err, size_t errlen)
{
    char msg[192];
    if (sc->nfilters && !(s->filters = calloc(sc->nfilters, sizeof *s->filters)))
        return load_err(sc, sc->filters[0].pos, err, errlen, "out of memory");
    for (size_t i = 0; i < sc->nfilters; i++) {
        const struct scn_filter *sf = &sc->filters[i];
        struct host *h = host_find(&s->hosts, sf->host_addr);
        uint32_t a;
        if (!h && sf->host[0] && sim_host_lookup(s, sf->host, &a) == 0)
            h = host_find(&s->hosts, a);
        if (!h) {
            snprintf(msg, sizeof msg, "filter %s at unknown host %s", sf->name,
                     sf->host[0] ? sf->host : "(none)");
            return load_err(sc, sf->pos, err, errlen, msg);
        }
        if (host_set_filter(h, sf->inbound, (int)s->nfilters)) {
            snprintf(msg, sizeof msg, "host %s already has an %s filter", h->name,
                     sf->inbound ? "in" : "out");
            return load_err(sc, sf->pos, err, errlen, msg);
        }
        struct filter *f = filter_new(sf);
        if (!f) {
            host_set_filter(h, sf->inbound, -1);
            return load_err(sc, sf->pos, err, errlen, "out of memory");
        }
        s->filters[s->nfilters++] = f;
    }
    return 0;
}

static int load_script(struct sim *s, const struct scenario *sc, char *err, size_t errlen)
{
    char msg[192], a[16];
    if (sc->nsends && !(s->sends = malloc(sc->nsends * sizeof *s->sends)))
        return load_err(sc, sc->sends[0].pos, err, errlen, "out of memory");
    for (size_t i = 0; i < sc->nsends; i++) {
        struct scn_send *sd = &s->sends[s->nsends++];
        *sd = sc->sends[i];
        if (sd->proto != WIRE_PROTO_TCP && sd->proto != WIRE_PROTO_UDP &&
            sd->proto != WIRE_PROTO_ICMP)
            return load_err(sc, sd->pos, err, errlen, "send: protocol must be tcp, udp or icmp");
        if (!sd->has_sport && sd->proto != WIRE_PROTO_ICMP) {
            /* A keyed draw of the line's own datagram (lib/rng.h): another send line,
             * before or after, never moves this one's port. */
            uint64_t w[5] = { (uint64_t)sd->from << 32 | sd->to,
                              (uint64_t)sd->dport << 8 | sd->proto, sd->at_ns,
                              (uint64_t)sd->seq << 32 | sd->ack, sd->flags };
            sd->sport = (uint16_t)(1024 + rng_key_below(rng_key_hash(&s->key_send, w, 5),
                                                         65535 - 1024 + 1));
            sd->has_sport = true;
        }
        if (sim_queue_push(s, sd->at_ns, SQ_SEND, (uint32_t)i, 0))
            return load_err(sc, sd->pos, err, errlen, "out of memory");
    }

    if (sc->ntraffic && !(s->traffic = calloc(sc->ntraffic, sizeof *s->traffic)))
        return load_err(sc, sc->traffic[0].pos, err, errlen, "out of memory");
    for (size_t i = 0; i < sc->ntraffic; i++) {
        const struct scn_traffic *tr = &sc->traffic[i];
        struct host *h = host_find(&s->hosts, tr->from);
        if (!h) {
            snprintf(msg, sizeof msg, "traffic from %s: not a host", wire_ip_str(tr->from, a));
            return load_err(sc, tr->pos, err, errlen, msg);
        }
        if (tr->rate == 0 || tr->rate > 1000000)
            return load_err(sc, tr->pos, err, errlen, "traffic: rate must be 1/s to 1000000/s");
        if (tr->stop_ns < tr->start_ns)
            return load_err(sc, tr->pos, err, errlen, "traffic: stop comes before start");
        if (tr->proto != WIRE_PROTO_TCP && tr->proto != WIRE_PROTO_UDP &&
            tr->proto != WIRE_PROTO_ICMP)
            return load_err(sc, tr->pos, err, errlen, "traffic: protocol must be tcp, udp or icmp");
        struct sim_traffic_rt *rt = &s->traffic[s->ntraffic++];
        rt->cfg = *tr;
        rt->host = h->idx;
        /* The stream is named by what the line sends, not by its place in the file: another
         * traffic line never shifts this one's ports. */
        char name[96], fa[16], ta[16];
        snprintf(name, sizeof name, "traffic:%s>%s:%u/%u@%llu+%u", wire_ip_str(tr->from, fa),
                 wire_ip_str(tr->to, ta), (unsigned)tr->dport, (unsigned)tr->proto,
                 (unsigned long long)tr->start_ns, (unsigned)tr->rate);
        rng_seed(&rt->rng, s->seed, name);
        if (tr->stop_ns > tr->start_ns && sim_queue_push(s, tr->start_ns, SQ_TRAFFIC, (uint32_t)i, 0))
            return load_err(sc, tr->pos, err, errlen, "out of memory");
    }

    if (sc->nconnects && !(s->connects = calloc(sc->nconnects, sizeof *s->connects)))
        return load_err(sc, sc->connects[0].pos, err, errlen, "out of memory");
    for (size_t i = 0; i < sc->nconnects; i++) {
        const struct scn_connect *c = &sc->connects[i];
        struct host *h = host_find(&s->hosts, c->from);
        if (!h) {
            snprintf(msg, sizeof msg, "connect from %s: not a host", wire_ip_str(c->from, a));
            return load_err(sc, c->pos, err, errlen, msg);
        }
        if (c->has_close && c->close_ns < c->at_ns)
            return load_err(sc, c->pos, err, errlen, "connect: close comes before the connect");
        struct sim_connect_rt *rt = &s->connects[s->nconnects++];
        rt->cfg = *c;
        rt->host = h->idx;
        rt->conn = -1;
        if (sim_queue_push(s, c->at_ns, SQ_CONNECT, (uint32_t)i, 0) ||
            (c->has_close && sim_queue_push(s, c->close_ns, SQ_CLOSE, (uint32_t)i, 0)))
            return load_err(sc, c->pos, err, errlen, "out of memory");
    }
    return 0;
}

int sim_load(struct sim *s, const struct scenario *sc, char *err, size_t errlen)
{
    struct scn_pos none = { 0, 0 };
    if (s->loaded)
        return load_err(sc, none, err, errlen, "this simulation already holds a scenario");
    s->loaded = true;
    if (sc->nnets) {
        s->nets = malloc(sc->nnets * sizeof *s->nets);
        if (!s->nets)
            return load_err(sc, none, err, errlen, "out of memory");
        for (size_t i = 0; i < sc->nnets; i++) {
            if (sc->nets[i].plen > 32)
                return load_err(sc, sc->nets[i].pos, err, errlen, "net: prefix length over 32");
            if (sc->nets[i].loss_ppm > 1000000)
                return load_err(sc, sc->nets[i].pos, err, errlen, "net: loss over 100%");
            s->nets[s->nnets++] = sc->nets[i];
        }
    }
    if (load_hosts(s, sc, err, errlen) || sim_pop_load(s, sc, err, errlen) ||
        load_filters(s, sc, err, errlen) ||
        load_script(s, sc, err, errlen))
        return -1;
    return 0;
}

void script_free(struct sim *s)
{
    free(s->sends);
    free(s->traffic);
    free(s->connects);
}

/* ---------------------------------------------------------------- send */

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* The options of a `send`: each listed kind with the values written (ts:V:E, mss:N,
 * wscale:N, sack:L-R) or the defaults: MSS 1460, wscale 7, TSval = the virtual clock in ms
 * and TSecr 0. SACK blocks go into sack (8 bytes each, big-endian), which o points at. */
static void build_opts(struct sim *s, const struct scn_send *sd, struct wire_tcp_opts *o,
                       uint8_t sack[32])
{
    const struct scn_optvals *ov = &sd->ov;
    for (uint8_t i = 0; i < sd->nopts && o->n < WIRE_TCP_OPT_MAX; i++) {
        uint8_t k = sd->opts[i];
        o->order[o->n++] = k;
        switch (k) {
        case TCPOPT_MSS: o->has_mss = true; o->mss = ov->has_mss ? ov->mss : 1460; break;
        case TCPOPT_SACK_PERM: o->sack_perm = true; break;
        case TCPOPT_TS:
            o->has_ts = true;
            o->tsval = ov->has_ts ? ov->tsval : (uint32_t)(s->now / 1000000);
            o->tsecr = ov->has_ts ? ov->tsecr : 0;
            break;
        case TCPOPT_WSCALE:
            o->has_wscale = true;
            o->wscale = ov->has_wscale ? ov->wscale : 7;
            break;
        case TCPOPT_SACK:
            for (uint8_t b = 0; b < ov->nsack && b < 4; b++) {
                be32(sack + 8 * b, ov->sack[b][0]);
                be32(sack + 8 * b + 4, ov->sack[b][1]);
            }
            o->sack_n = ov->nsack;
            o->sack_blocks = sack;
            break;
        default: break;
        }
    }
}

static void run_send(struct sim *s, const struct scn_send *sd)
{
    sim_obs_build(s, sd->from);
    uint32_t slot = sim_slot_alloc(s);
    if (slot == UINT32_MAX)
        return;
    struct sim_slot *sl = sim_slot(s, slot);
    struct wire_ipv4 ip = {
        .ttl = sd->has_ttl ? sd->ttl : 64, .id = sd->has_ipid ? sd->ipid : 1,
        .proto = sd->proto, .src = sd->from, .dst = sd->to,
    };
    size_t n = 0;
    if (sd->proto == WIRE_PROTO_TCP) {
        struct wire_tcp t = {
            .sport = sd->sport, .dport = sd->dport, .seq = sd->has_seq ? sd->seq : 0,
            .ack = sd->has_ack ? sd->ack : 0, .flags = sd->flags,
            .window = sd->has_win ? sd->win : 8192, .payload = sd->data,
            .payload_len = sd->data_len,
        };
        uint8_t sack[32];
        build_opts(s, sd, &t.opt, sack);
        n = wire_emit_tcp(sl->buf, sizeof sl->buf, &ip, &t);
    } else if (sd->proto == WIRE_PROTO_UDP) {
        struct wire_udp u = { .sport = sd->sport, .dport = sd->dport, .payload = sd->data,
                              .payload_len = sd->data_len };
        n = wire_emit_udp(sl->buf, sizeof sl->buf, &ip, &u);
    } else {
        /* A timestamp request without data keys carries scapy's 12 bytes: originate = ms
         * since midnight UT (the virtual clock), receive and transmit 0. */
        uint8_t ts[12] = { 0 };
        uint32_t ms = (uint32_t)(s->now / 1000000u % 86400000u);
        ts[0] = (uint8_t)(ms >> 24), ts[1] = (uint8_t)(ms >> 16);
        ts[2] = (uint8_t)(ms >> 8), ts[3] = (uint8_t)ms;
        bool dflt = sd->icmp_ts && !sd->has_data;
        struct wire_icmp ic = { .type = sd->icmp_ts ? ICMP_TIMESTAMP : ICMP_ECHO,
                                .id = sd->icmp_id, .seq = sd->icmp_seq,
                                .rest = (uint32_t)sd->icmp_id << 16 | sd->icmp_seq,
                                .payload = dflt ? ts : sd->data,
                                .payload_len = dflt ? sizeof ts : sd->data_len };
        n = wire_emit_icmp(sl->buf, sizeof sl->buf, &ip, &ic);
    }
    if (n == 0) {
        sim_slot_free(s, slot);
        return;
    }
    sl->len = (uint16_t)n;
    sim_out_push(s, slot, NULL, false);
}

/* ---------------------------------------------------------------- traffic */

/* A scripted action's record; its rule ID is "scenario-" and the statement (docs/rules.md). */
static void note(struct sim *s, const struct host *h, const char *action, const char *rule_id,
                 const char *rule)
{
    if (sim_tracing(s))
        sim_report(s, SIM_EV_NOTE, NULL, 0, h, h->addr, action, rule_id, rule, NULL);
}

/* k / rate seconds in nanoseconds, UINT64_MAX when that does not fit: whole seconds and the
 * remainder apart, so neither k * 10^9 nor start + offset can wrap (a wrapped time would
 * fall before `stop` and queue packets at the current time forever). */
static uint64_t traffic_offset(uint64_t k, uint32_t rate)
{
    uint64_t whole = k / rate, rem = k % rate;
    if (whole > UINT64_MAX / NS_PER_S - 1)
        return UINT64_MAX;
    return whole * NS_PER_S + rem * NS_PER_S / rate;
}

static void run_traffic(struct sim *s, uint32_t i, uint64_t k)
{
    struct sim_traffic_rt *rt = &s->traffic[i];
    const struct scn_traffic *c = &rt->cfg;
    struct host *h = s->hosts.v[rt->host];
    if (k == 0 && sim_tracing(s)) {
        char to[16];
        const char *proto = c->proto == WIRE_PROTO_TCP ? "tcp" : c->proto == WIRE_PROTO_UDP ? "udp" : "icmp";
        note(s, h, "traffic", "scenario-traffic",
             sim_fmt(s, "traffic %s -> %s:%u %s %u/s (line %d)", h->name, wire_ip_str(c->to, to),
                     (unsigned)c->dport, proto, (unsigned)c->rate, c->pos.line));
    }
    if (!h->down)
        sim_obs_build(s, h->addr);
    uint32_t slot = h->down ? UINT32_MAX : sim_slot_alloc(s);   /* a switched-off host sends nothing */
    if (slot != UINT32_MAX) {
        struct sim_slot *sl = sim_slot(s, slot);
        struct wire_ipv4 ip = { .ttl = h->pers.ttl, .proto = c->proto, .src = h->addr,
                                .dst = c->to };
        /* Ephemeral ports as Linux picks them (ip_local_port_range 32768-60999). */
        uint16_t sport = (uint16_t)rng_range(&rt->rng, 32768, 60999);
        static const uint8_t data[8] = "tcplab\r\n";
        size_t n;
        if (c->proto == WIRE_PROTO_TCP) {
            /* The SYN of a connect() from h: its ISN generator, options and numbering. */
            struct wire_tcp t;
            struct tcp_ipinfo ii;
            if (!host_tcp(h))
                return;                 /* out of memory: this packet is not sent */
            tcp_syn_like(host_tcp(h), s->now, sport, c->to, c->dport, &t, &ii);
            ip.df = ii.df;
            ip.id = ii.ipid >= 0 ? (uint16_t)ii.ipid
                                 : gen_ipid_next(&h->ipid, s->now, h->addr, c->to, c->proto, ip.df);
            n = wire_emit_tcp(sl->buf, sizeof sl->buf, &ip, &t);
        } else if (c->proto == WIRE_PROTO_UDP) {
            ip.df = h->pers.df;
            struct wire_udp u = { .sport = sport, .dport = c->dport, .payload = data,
                                  .payload_len = sizeof data };
            /* an unconnected sendto(): Linux numbers it from the shared counter, DF or not */
            ip.id = gen_ipid_next(&h->ipid, s->now, h->addr, c->to, c->proto,
                                  ip.df && !h->pers.udp_df_shared_id);
            n = wire_emit_udp(sl->buf, sizeof sl->buf, &ip, &u);
        } else {
            ip.df = h->pers.icmp_df;
            rt->icmp_seq++;
            struct wire_icmp e = { .type = ICMP_ECHO, .id = (uint16_t)(0x7000 + i),
                                   .seq = rt->icmp_seq, .payload = data,
                                   .payload_len = sizeof data };
            e.rest = (uint32_t)e.id << 16 | e.seq;
            ip.id = gen_ipid_next(&h->ipid, s->now, h->addr, c->to, c->proto, ip.df);
            n = wire_emit_icmp(sl->buf, sizeof sl->buf, &ip, &e);
        }
        if (n) {
            sl->len = (uint16_t)n;
            sim_out_push(s, slot, h, false);
        } else {
            sim_slot_free(s, slot);
        }
    }
    /* The k-th packet at start + k/rate, computed from k so no rounding accumulates. */
    uint64_t off = traffic_offset(k + 1, c->rate);
    if (off < c->stop_ns - c->start_ns)
        sim_queue_push(s, c->start_ns + off, SQ_TRAFFIC, i, k + 1);
}

/* ---------------------------------------------------------------- connect */

static void run_connect(struct sim *s, uint32_t i)
{
    struct sim_connect_rt *rt = &s->connects[i];
    struct host *h = s->hosts.v[rt->host];
    rt->conn = host_tcp(h) ? tcp_connect(host_tcp(h), host_io(s, h), rt->cfg.to, rt->cfg.dport,
                                         rt->cfg.sport)
                           : -1;
    if (rt->conn >= 0)   /* an attached host's own connections reach its stack (sim_attach) */
        sim_att_flow_add(s, h, rt->conn);
    if (rt->conn >= 0 && rt->cfg.has_data)
        tcp_buffer(host_tcp(h), rt->conn);   /* out of memory: the bytes go as 'X's */
    if (sim_tracing(s)) {
        char to[16];
        note(s, h, rt->conn >= 0 ? "connect" : "connect failed", "scenario-connect",
             sim_fmt(s, "connect %s -> %s:%u (line %d)", h->name, wire_ip_str(rt->cfg.to, to),
                     (unsigned)rt->cfg.dport, rt->cfg.pos.line));
    }
    if (rt->conn >= 0 && rt->cfg.send_bytes) {
        rt->send_pending = true;
        host_connect_waiting(h, +1);
    }
}

static void run_close(struct sim *s, uint32_t i)
{
    struct sim_connect_rt *rt = &s->connects[i];
    struct host *h = s->hosts.v[rt->host];
    if (rt->send_pending) {
        rt->send_pending = false;
        host_connect_waiting(h, -1);
    }
    int rc = rt->conn >= 0 ? tcp_close(host_tcp(h), host_io(s, h), rt->conn) : -1;
    /* close(2): the script lets go of the socket, which lives on orphaned (Linux tcp_close:
     * an orphaned FIN-WAIT-2 becomes a TIME-WAIT socket, tcp_in.c) */
    if (rt->conn >= 0) {
        tcp_conn_release(host_tcp(h), rt->conn);
        rt->conn = -1;
    }
    if (sim_tracing(s))
        note(s, h, rc == 0 ? "close" : "close: no connection", "scenario-close",
             sim_fmt(s, "close (line %d)", rt->cfg.pos.line));
}

void script_check_pending(struct sim *s, struct host *h)
{
    for (size_t i = 0; i < s->nconnects && h->pending_connects; i++) {
        struct sim_connect_rt *rt = &s->connects[i];
        if (rt->host != h->idx || !rt->send_pending)
            continue;
        uint8_t ty, co;
        int st = tcp_conn_state(host_tcp(h), rt->conn);
        bool failed = tcp_conn_error(host_tcp(h), rt->conn, &ty, &co) != 0;
        if (st != TCP_ESTABLISHED && !failed)
            continue;
        rt->send_pending = false;
        host_connect_waiting(h, -1);
        if (failed)
            continue;
        int rc = rt->cfg.has_data
                 ? tcp_write(host_tcp(h), host_io(s, h), rt->conn, rt->cfg.send_data,
                             rt->cfg.send_bytes)
                 : -1;
        if (rc < 0)
            rc = tcp_send(host_tcp(h), host_io(s, h), rt->conn, rt->cfg.send_bytes);
        if (sim_tracing(s))
            note(s, h, rc >= 0 ? "send" : "send failed", "scenario-send",
                 sim_fmt(s, "send %u bytes (line %d)", (unsigned)rt->cfg.send_bytes,
                         rt->cfg.pos.line));
    }
}

void script_run(struct sim *s, const struct sim_qent *e)
{
    switch ((enum sim_qkind)e->kind) {
    case SQ_SEND: run_send(s, &s->sends[e->a]); break;
    case SQ_TRAFFIC: run_traffic(s, e->a, e->b); break;
    case SQ_CONNECT: run_connect(s, e->a); break;
    case SQ_CLOSE: run_close(s, e->a); break;
    case SQ_ARRIVE: case SQ_TIMER: break;
    }
}

/* ---------------------------------------------------------------- streams */

static int stream_open(struct sim *s, uint32_t src, uint32_t dst, uint16_t dport, uint16_t sport,
                       bool buffered);

static struct sim_stream *stream_get(const struct sim *s, int handle)
{
    if (handle < 0 || (size_t)handle >= s->nstreams || !s->streams[handle].used)
        return NULL;
    return &s->streams[handle];
}

int sim_stream_connect(struct sim *s, uint32_t src, uint32_t dst, uint16_t dport)
{
    return sim_stream_open(s, src, dst, dport, 0);
}

int sim_stream_open(struct sim *s, uint32_t src, uint32_t dst, uint16_t dport, uint16_t sport)
{
    return stream_open(s, src, dst, dport, sport, false);
}

int sim_stream_connect_buffered(struct sim *s, uint32_t src, uint32_t dst, uint16_t dport)
{
    return stream_open(s, src, dst, dport, 0, true);
}

int sim_stream_open_buffered(struct sim *s, uint32_t src, uint32_t dst, uint16_t dport,
                             uint16_t sport)
{
    return stream_open(s, src, dst, dport, sport, true);
}

static int stream_open(struct sim *s, uint32_t src, uint32_t dst, uint16_t dport, uint16_t sport,
                       bool buffered)
{
    struct sim_op op = { .kind = SIM_OP_STREAM_CONNECT, .src = src, .dst = dst, .dport = dport,
                         .sport = sport, .buffered = buffered };
    sim_op_note(s, &op);
    struct host *h = host_find(&s->hosts, src);
    if (!h)
        return -1;
    size_t i = 0;
    while (i < s->nstreams && s->streams[i].used)
        i++;
    if (i == s->nstreams) {
        size_t nc = s->nstreams ? s->nstreams * 2 : 16;
        struct sim_stream *v = realloc(s->streams, nc * sizeof *v);
        if (!v)
            return -1;
        memset(v + s->nstreams, 0, (nc - s->nstreams) * sizeof *v);
        s->streams = v;
        s->nstreams = nc;
    }
    int conn = host_tcp(h) ? tcp_connect(host_tcp(h), host_io(s, h), dst, dport, sport) : -1;
    if (conn >= 0 && buffered && tcp_buffer(host_tcp(h), conn) < 0) {
        tcp_abort(host_tcp(h), host_io(s, h), conn);
        tcp_conn_release(host_tcp(h), conn);
        conn = -1;
    }
    if (conn < 0) {
        sim_flush(s);
        return -1;
    }
    s->streams[i] = (struct sim_stream){ true, h->idx, conn };
    sim_att_flow_add(s, h, conn);   /* a script's connect: its segments reach the stack */
    sim_flush(s);
    return (int)i;
}

enum sim_stream_state sim_stream_state(const struct sim *s, int handle)
{
    const struct sim_stream *st = stream_get(s, handle);
    if (!st)
        return SIM_STREAM_CLOSED;
    const struct tcp_host *th = s->hosts.v[st->host]->tcp;
    uint8_t type = 0, code = 0;
    switch (tcp_conn_error(th, st->conn, &type, &code)) {
    case 'R': return SIM_STREAM_REFUSED;
    case 'I':
        return type == ICMP_UNREACH && code == ICMP_PORT_UNREACH ? SIM_STREAM_REFUSED
                                                                 : SIM_STREAM_UNREACH;
    case 'T': return SIM_STREAM_TIMEDOUT;
    default: break;
    }
    int state = tcp_conn_state(th, st->conn);
    /* SYN-RECEIVED after crossing SYNs (simultaneous open): connect() has not returned. */
    if (state == TCP_SYN_SENT || state == TCP_SYN_RECEIVED)
        return SIM_STREAM_PENDING;
    if (state >= TCP_ESTABLISHED)
        return SIM_STREAM_OPEN;
    return SIM_STREAM_CLOSED;
}

int sim_stream_icmp(const struct sim *s, int handle, uint8_t *type, uint8_t *code)
{
    const struct sim_stream *st = stream_get(s, handle);
    if (!st)
        return -1;
    uint8_t t = 0, c = 0;
    if (tcp_conn_error(s->hosts.v[st->host]->tcp, st->conn, &t, &c) != 'I')
        return -1;
    *type = t;
    *code = c;
    return 0;
}

int sim_stream_send(struct sim *s, int handle, const uint8_t *data, size_t n)
{
    struct sim_op op = { .kind = SIM_OP_STREAM_SEND, .handle = handle, .pkt = data, .len = n };
    sim_op_note(s, &op);
    struct sim_stream *st = stream_get(s, handle);
    if (!st)
        return -1;
    struct host *h = s->hosts.v[st->host];
    int rc = tcp_write(h->tcp, host_io(s, h), st->conn, data,
                       n > UINT32_MAX ? UINT32_MAX : (uint32_t)n);
    sim_flush(s);
    return rc;
}

int sim_stream_recv(struct sim *s, int handle, uint8_t *buf, size_t cap, bool *eof)
{
    struct sim_op op = { .kind = SIM_OP_STREAM_RECV, .handle = handle, .len = cap };
    sim_op_note(s, &op);
    struct sim_stream *st = stream_get(s, handle);
    *eof = false;
    if (!st)
        return -1;
    struct host *h = s->hosts.v[st->host];
    int rc = tcp_read(h->tcp, host_io(s, h), st->conn, buf,
                      cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap, eof);
    sim_flush(s);                  /* a window update the read sent */
    return rc;
}

void sim_stream_abort(struct sim *s, int handle)
{
    struct sim_op op = { .kind = SIM_OP_STREAM_ABORT, .handle = handle };
    sim_op_note(s, &op);
    struct sim_stream *st = stream_get(s, handle);
    if (!st)
        return;
    struct host *h = s->hosts.v[st->host];
    tcp_abort(host_tcp(h), host_io(s, h), st->conn);
    tcp_conn_release(host_tcp(h), st->conn);
    st->used = false;
    sim_flush(s);
}

int sim_stream_write(struct sim *s, int handle, uint32_t nbytes)
{
    struct sim_op op = { .kind = SIM_OP_STREAM_WRITE, .handle = handle, .len = nbytes };
    sim_op_note(s, &op);
    struct sim_stream *st = stream_get(s, handle);
    if (!st)
        return -1;
    struct host *h = s->hosts.v[st->host];
    int r = tcp_send(host_tcp(h), host_io(s, h), st->conn, nbytes);
    sim_flush(s);
    return r < 0 ? -1 : 0;
}

int sim_stream_close(struct sim *s, int handle)
{
    struct sim_op op = { .kind = SIM_OP_STREAM_CLOSE, .handle = handle };
    sim_op_note(s, &op);
    struct sim_stream *st = stream_get(s, handle);
    if (!st)
        return -1;
    struct host *h = s->hosts.v[st->host];
    int r = tcp_close(host_tcp(h), host_io(s, h), st->conn);
    sim_flush(s);
    return r < 0 ? -1 : 0;
}

int sim_stream_tcp_state(const struct sim *s, int handle)
{
    const struct sim_stream *st = stream_get(s, handle);
    if (!st)
        return -1;
    int state = tcp_conn_state(s->hosts.v[st->host]->tcp, st->conn);
    return state == TCB_NONE ? TCP_CLOSED : state;
}
