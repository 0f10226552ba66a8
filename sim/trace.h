/* trace.h — the event record of a run: what `tcplab run` prints, what the TUI steps through,
 * what labs grade.
 *
 * The simulator reports each event through a callback with borrowed pointers; a trace keeps
 * a copy: the event fields, the datagram bytes (in one arena) and the rule text. The
 * transcript is one view of it (trace_format); the TUI will be another.
 */
#ifndef TCPLAB_TRACE_H
#define TCPLAB_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim.h"

struct trace_ev {
    uint64_t seq, t_ns;
    enum sim_ev_kind kind;
    uint32_t host_addr;
    size_t pkt_off;          /* into the arena */
    uint32_t len;
    uint32_t host_off, action_off, rule_id_off, rule_off;  /* strings in the string arena, 0 = none */
    int state_before, state_after;
    int32_t ipid;
    int has_isn;
    uint32_t isn_next;
    int isn_unpredictable;   /* isn_next=unpredictable: a random generator's next draw */
    uint64_t unit, cause;    /* struct sim_event's */
    int injected;            /* a SEND an attached script injected: HOST*inj */
};

struct trace {
    struct trace_ev *ev;
    size_t n, cap;
    uint8_t *bytes;          /* datagram arena */
    size_t nbytes, capbytes;
    char *str;               /* string arena; offset 0 is "" */
    size_t nstr, capstr;
    int oom;                 /* an allocation failed: the record is incomplete */
};

void trace_init(struct trace *t);
void trace_free(struct trace *t);
/* A sim_trace_fn: pass the struct trace as ctx to sim_set_trace. */
void trace_record(void *ctx, const struct sim_event *ev);
const uint8_t *trace_pkt(const struct trace *t, const struct trace_ev *e);
const char *trace_str(const struct trace *t, uint32_t off);
/* One transcript line (no newline) for event i. Returns what snprintf returns. */
int trace_format(const struct trace *t, size_t i, char *out, size_t cap);
/* Every event, one line each. Returns 0 or -1 on a write error. */
int trace_write(const struct trace *t, FILE *f);
const char *sim_ev_kind_name(enum sim_ev_kind k);
/* Event i as one JSON object, no newline (trace_json.c; fields: docs/json-schema.md).
 * Returns what snprintf returns. */
int trace_json(const struct trace *t, size_t i, char *out, size_t cap);
/* Every event, one JSON object a line. 0, or -1 on a write error. */
int trace_json_write(const struct trace *t, FILE *f);

/* The transcript as it happens: each event is recorded, written as one line (text to f,
 * JSON to jf; either may be NULL) and dropped, so a run of millions of events holds one event
 * at a time (tcplab run). The trace's buffers are kept and reused. */
struct trace_stream {
    struct trace tr;
    FILE *f, *jf;
    uint64_t n;              /* events written */
    int oom;                 /* memory ran out: the transcript has a gap */
    int werr, jerr;          /* a write to f, to jf failed */
};
void trace_stream_init(struct trace_stream *ts, FILE *f, FILE *jf);
/* A sim_trace_fn: pass the struct trace_stream as ctx. */
void trace_stream_record(void *ctx, const struct sim_event *ev);
void trace_stream_free(struct trace_stream *ts);

#endif
