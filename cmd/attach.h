/* attach.h — what cmd/attach.c (options, outputs) and cmd/attach_run.c (the script's
 * process, the session loop, replays) share. Internal to `tcplab attach`.
 */
#ifndef TCPLAB_CMD_ATTACH_H
#define TCPLAB_CMD_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attach/proto.h"
#include "lab/lab.h"

struct sim;
struct trace;
struct outfile;
struct pcapng_writer;

struct attach_opts {
    const char *scenario, *as, *record, *replay, *pcap, *json;
    bool quiet, has_seed, has_until, in_lab;
    bool stdout_to_stderr;   /* the command's stdout onto stderr (tcplab diff's report) */
    const char *who;         /* attach_spawn's messages begin "WHO: " (NULL: "tcplab attach";
                                tcplab diff: "tcplab diff: run A") */
    unsigned long long seed, until_ns;
    struct lab_sel lab;
    char **argv;             /* COMMAND [ARGS...] */
    int argc;
    /* resolved --as */
    uint32_t prefix, addr;
    uint8_t plen;
    uint64_t variant;        /* the lab variant's digest, for --record's header (0: none) */
    /* attach_replay: called once the script's host is attached, before the first request
     * (`tcplab tui --replay` starts recording there, so that its first snapshot holds the
     * attachment). 0, or -1 to stop (a message said). */
    int (*attached)(void *ctx, struct sim *s);
    void *attached_ctx;
};

struct attach_out {
    const struct lab_view *view;
    uint32_t prefix, mask;
    struct trace *tr;              /* NULL: neither transcript nor JSON */
    struct pcapng_writer *png;
    struct outfile *json, *record;
};

/* A --record file read whole (for --replay). */
struct attach_record {
    uint8_t *buf;
    size_t len;
    struct proto_rec_hdr hdr;
};
/* 0, or -1 with err. */
int attach_record_load(const char *path, struct attach_record *rec, char *err, size_t errlen);

/* --as (o->as): a host name, an address, or a prefix; by default the scenario's scanner host
 * or the lab's student host. Fills o->prefix, o->plen and o->addr. 0, or -1 after a message
 * "tcplab CMD: ..." on stderr. */
int attach_resolve_as(const char *cmd, struct attach_opts *o, struct sim *s,
                      const struct lab_view *view);

/* Whether a record fits a lab variant: made on the variant (its digest, lab/lab.h) with its
 * seed, and playing an address (or a prefix) that holds the student's host at host_addr.
 * ATTACH_REC_FITS, or which it fails (another student's variant, or another host). */
enum attach_rec_fit { ATTACH_REC_FITS, ATTACH_REC_OTHER_VARIANT, ATTACH_REC_OTHER_HOST };
enum attach_rec_fit attach_record_fits(const struct attach_record *rec, uint64_t seed,
                                       uint64_t variant, uint32_t host_addr);

/* --replay in a lab (attach, tui): the record must be of the variant sel selects (view, and
 * seed the replay's) and of the student's host. 0, or -1 after "tcplab CMD: PATH was
 * recorded on another variant ..." or "... playing ADDR, which does not hold HOST" (the
 * seed, a hidden fact of some variants, is not printed). */
int attach_lab_record_check(const char *cmd, const struct lab_sel *sel, const char *path,
                            const struct lab_view *view, const struct attach_record *rec,
                            uint64_t seed);

/* Runs o->argv attached to s, then the simulation on (--until or until idle). Returns the
 * command's exit status, -1 on bad input, -2 on runtime trouble (message given). */
int attach_spawn(const struct attach_opts *o, struct sim *s, struct attach_out *ao,
                 uint64_t seed);
/* Replays a record on s. Returns the recorded status, -1 when the record does not fit
 * this simulation, -2 on trouble. */
int attach_replay(const struct attach_opts *o, struct sim *s, const struct attach_record *rec,
                  uint64_t seed);

#endif
