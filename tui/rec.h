/* rec.h — the TUI's record of a run: every event, compact, with what the panels need to
 * find without formatting anything (connections, causes, fates, retransmissions), and the
 * means to rebuild any earlier state of the simulation (snapshots and the outside calls).
 *
 * Three sources fill one: a scenario run (tui_rec_run_scenario), a scan driving the
 * simulation (tui_rec_attach before, tui_rec_detach after), or a capture file
 * (tui_rec_load_pcap: events without a simulation, so no host's inside).
 *
 * Memory per event: one struct tui_ev (80 bytes) plus the datagram's bytes; strings (hosts,
 * actions, rules) are interned once. Nothing is formatted while recording.
 */
#ifndef TCPLAB_TUI_REC_H
#define TCPLAB_TUI_REC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/sim.h"

struct scenario;

/* Event marks. */
enum {
    TUI_M_RETRANS = 1,     /* a TCP segment that does not advance its direction's sequence */
    TUI_M_INJECTED = 2,    /* sent by the scenario's script (`send`) or an attached script
                              (sim_inject_as: from the address it claims), not a host's
                              stack */
    TUI_M_PROBE = 4,       /* sent from outside the simulation (the scanner through pktio) */
    TUI_M_BADSUM = 8,      /* a checksum fails */
    TUI_M_HAS_ISN = 16,
    TUI_M_DIR1 = 32,       /* travels from its connection's second party to its first */
};

struct tui_ev {
    uint64_t t_ns;
    uint64_t unit;           /* sim_event.unit (pcap: the record's number) */
    uint64_t pkt_off;        /* into rec->bytes */
    uint32_t host_addr;
    uint32_t host, action, rule, rule_id;   /* interned strings (tui_rec_str), 0 = none */
    uint32_t cause, fate;    /* event index + 1, 0 = none: what caused it; for a SEND, the
                                RECV or DROP of its datagram, and for those, the SEND */
    uint32_t conn;           /* connection index + 1, 0 = none */
    uint32_t isn_next;
    int32_t ipid;
    uint16_t len;
    uint8_t kind;            /* enum sim_ev_kind */
    uint8_t mark;
    int8_t state_before, state_after;
    uint8_t pad[2];
};   /* 80 bytes */

/* A connection: both directions of a TCP or UDP flow (ICMP echo: its id). Party 0 sent
 * first. isn: the first sequence number seen each way (TCP), for relative numbers. */
struct tui_conn {
    uint32_t addr[2];
    uint16_t port[2];
    uint8_t proto;
    bool has_isn[2];
    uint32_t isn[2];
    uint32_t next[2];        /* highest sequence end seen each way */
    uint64_t bytes[2];       /* payload bytes sent each way */
    uint32_t first_ev, nev;
};

struct tui_snap {
    uint64_t unit;
    struct sim *sim;
};

struct tui_rec;
/* An outside call (struct sim_op, compact: a scan makes one per probe), with everything
 * sim_apply_op needs to make it again: a rewind that lost a byte of it would not rebuild
 * the state the run had. */
struct tui_op {
    uint64_t unit;
    uint64_t arg;            /* CLOCK: the time; STREAM_WRITE: the count; INJECT, INJECT_AS,
                                NOTE, STREAM_SEND: the bytes' offset in opbytes */
    uint32_t src, dst;       /* STREAM_CONNECT */
    int32_t handle;          /* STREAM_ABORT, STREAM_SEND, STREAM_WRITE, STREAM_CLOSE */
    uint32_t len;            /* the bytes' length */
    uint16_t dport, sport;   /* STREAM_CONNECT (sport 0: ephemeral) */
    uint8_t kind;            /* enum sim_op_kind */
    bool buffered;           /* STREAM_CONNECT: a byte stream */
};   /* 40 bytes */
/* The call again, as sim_apply_op takes it. */
struct sim_op tui_op_get(const struct tui_rec *r, size_t i);

/* A decision of the scanner (scanner/engine.h struct scan_decision), placed before event
 * `ev` (the events recorded when it was made). */
struct tui_dec {
    uint32_t ev;
    uint8_t kind, proto, tryno, state, reason;
    uint32_t target;
    uint16_t port;
    uint64_t timeout_ns;
    float cwnd, group_cwnd;
};

struct tui_rec {
    struct tui_ev *ev;
    size_t n, cap;
    uint8_t *bytes;
    size_t nbytes, capbytes;
    /* interned strings: arena (offset 0 is "") and an open-addressing table of offsets */
    char *str;
    size_t nstr, capstr;
    uint32_t *strtab;
    size_t strmask, nstrs;
    /* connections, and a table from flow key to connection index + 1 */
    struct tui_conn *conns;
    size_t nconns, capconns;
    uint32_t *conntab;
    size_t connmask;
    /* hosts in order of first appearance (the ladder's columns) */
    uint32_t *cols;
    size_t ncols, capcols;
    uint32_t *colset;        /* hash of the columns' addresses: column index + 1 */
    size_t colmask;
    uint32_t *colname;       /* a column's host name (interned), 0 = none known */
    size_t capcolname;
    /* rewinding: snapshots every snap_every units and the outside calls */
    struct tui_snap *snaps;
    size_t nsnaps, capsnaps;
    uint64_t snap_every, last_snap;
    struct tui_op *ops;
    size_t nops, capops;
    uint8_t *opbytes;
    size_t nopbytes, capopbytes;
    uint64_t op_unit;        /* unit of the outside call in progress, 0 */
    struct sim *live;        /* the simulation being recorded (attach .. detach) */
    uint64_t first_seq;      /* sim_event.seq of ev[0] */
    struct tui_dec *decs;    /* the scanner's decisions, in order (scan mode) */
    size_t ndecs, capdecs;
    uint32_t *decsort;       /* decisions by (target, port, proto): tui_scan_index */
    uint32_t zombie;         /* -sI: the zombie's address, for the IP-ID strip; 0 */
    uint32_t zombie_reader;  /* a capture of -sI: the scanner, the one host the zombie's
                                datagrams are its own to (those "from" it to others are the
                                scanner's forgeries); 0 */
    bool from_pcap;
    bool oom;
    uint64_t end_unit;       /* units the recorded run did */
    char title[128];
};

void tui_rec_init(struct tui_rec *r);
void tui_rec_free(struct tui_rec *r);
const char *tui_rec_str(const struct tui_rec *r, uint32_t id);
static inline const uint8_t *tui_rec_pkt(const struct tui_rec *r, const struct tui_ev *e)
{
    return e->len ? r->bytes + e->pkt_off : NULL;
}

/* Starts recording s (trace, op hook, a snapshot now). snap_every: units between
 * snapshots (0: a default). 0, or -1 when out of memory. */
int tui_rec_attach(struct tui_rec *r, struct sim *s, uint64_t snap_every);
/* Stops recording (the simulation may be freed afterwards; snapshots stay). */
void tui_rec_detach(struct tui_rec *r);
/* Snapshot now if snap_every units passed since the last one (between units only). */
void tui_rec_maybe_snap(struct tui_rec *r);

/* Scan mode: records the scan's decisions (sets cfg->decide). */
struct scan_config;
void tui_rec_scan_hook(struct tui_rec *r, struct scan_config *cfg);

/* Runs a scenario's script to its end (or limit_ns) and records it. 0, or -1 with err. */
int tui_rec_run_scenario(struct tui_rec *r, const struct scenario *sc, uint64_t seed,
                         uint64_t limit_ns, uint64_t snap_every, char *err, size_t errlen);
/* Reads a capture (any link type lib/pcapfile.c reads): one SEND event per datagram. */
int tui_rec_load_pcap(struct tui_rec *r, const char *path, char *err, size_t errlen);

/* The ladder column of addr, or -1. */
long tui_rec_col(const struct tui_rec *r, uint32_t addr);
/* A host's scenario name when the run showed it, else its dotted quad (in buf). */
const char *tui_rec_host_name(const struct tui_rec *r, uint32_t addr, char buf[16]);
/* A name (or dotted quad) back to its address. 0 or -1. */
int tui_rec_host_lookup(const struct tui_rec *r, const char *name, uint32_t *addr);

/* Index of the event with sim seq `seq`, or -1. */
static inline long tui_rec_index_of_seq(const struct tui_rec *r, uint64_t seq)
{
    return seq >= r->first_seq && seq - r->first_seq < r->n ? (long)(seq - r->first_seq) : -1;
}

/* Packet fields read from the bytes (no parse, no checksum): for filters and rows. */
struct tui_pk {
    bool ok;                 /* an IPv4 header is there */
    uint8_t proto, flags;    /* TCP flags; ICMP: type */
    uint8_t icode;
    uint32_t src, dst;
    uint16_t sport, dport;   /* TCP/UDP; ICMP echo: id in both */
    uint32_t seq, ack;
    uint16_t win;
    uint32_t plen;           /* transport payload length */
    uint16_t ipid;
    uint8_t ttl;
};
void tui_pk_read(const uint8_t *p, size_t len, struct tui_pk *k);

#endif
