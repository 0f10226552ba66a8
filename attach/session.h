/* session.h — the simulator's side of an attached script: requests in, replies out.
 *
 * A client of the simulator as bridge/ is (it includes sim/sim.h, never sim's internals).
 * One session serves one script over the protocol of proto.h: it hands the batch of a WAIT
 * to sim_inject_as, runs the clock, and collects what sim_attach's tap delivers into the
 * reply of the next WAIT. Requests that change the simulation are written, with the
 * virtual time they were applied at, to a --record file when one is given; a replay feeds
 * a record's requests through the same dispatch (attach_apply), so it runs the same calls
 * in the same order and the simulation gives the same bytes.
 */
#ifndef TCPLAB_ATTACH_SESSION_H
#define TCPLAB_ATTACH_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "attach/proto.h"

struct sim;
struct attach_session;

struct attach_cfg {
    uint32_t prefix;       /* the attached prefix (sim_attach) */
    uint8_t plen;
    uint32_t addr;         /* the attaching address */
    FILE *record;          /* NULL, or where requests are recorded (header written here) */
    uint64_t seed;         /* for the record's header */
    uint64_t variant;      /* likewise: the lab variant's digest, or 0 */
};

/* Attaches to s (sim_attach). NULL with err (an address outside the prefix, no memory). */
struct attach_session *attach_new(struct sim *s, const struct attach_cfg *cfg, char *err,
                                  size_t errlen);
void attach_free(struct attach_session *a);

/* One frame from the script (type and body, as proto_frame_len said). Parses, records,
 * applies it, and returns the reply frame to send (valid until the next call). *fatal is
 * set when the request was malformed: the reply is an error and the session must end. */
const struct proto_buf *attach_frame(struct attach_session *a, const uint8_t *msg, size_t len,
                                     bool *fatal);
/* Applies a parsed request (a replay's); returns the reply as attach_frame does. */
const struct proto_buf *attach_apply(struct attach_session *a, const struct proto_req *r);
/* The script has gone: datagrams delivered from now on are not kept. */
void attach_detach(struct attach_session *a);
/* Writes the record's END entry. 0, or -1 on a write error. */
int attach_record_end(struct attach_session *a, bool has_until, uint64_t until_ns,
                      int32_t status);
/* Datagrams the script sent and received so far, requests served, errors answered. */
struct attach_stats { uint64_t sent, received, requests, errors; };
void attach_get_stats(const struct attach_session *a, struct attach_stats *st);

#endif
