/* app.h — internal to the simulator: the service applications a host runs on its ports.
 *
 * A scenario's `service PORT KIND [TEXT]` (struct scn_service) names one: a banner (SSH, FTP,
 * SMTP greetings), an HTTP responder, echo, discard. The application is a pure function of
 * the bytes it has read: TCP (tcp_app.c) keeps the connection's buffers and calls it when a
 * connection is accepted and when bytes arrive; what it returns TCP sends. No state of its
 * own beyond what it has not consumed yet, no clock, no allocation: the same bytes in give
 * the same bytes out.
 */
#ifndef TCPLAB_SIM_APP_H
#define TCPLAB_SIM_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

/* What the application does with its input. */
struct app_out {
    size_t consumed;     /* input bytes it is done with (the caller drops them) */
    size_t len;          /* bytes it wrote to the output buffer */
    bool close;          /* it closes the connection after sending them */
};

/* The bytes sv sends on accepting a connection, into out (cap bytes): its length. */
size_t app_accept(const struct scn_service *sv, uint8_t *out, size_t cap);

/* in: the n bytes read and not yet consumed; full: no more will fit in the caller's buffer
 * (an HTTP request that long is refused). Writes the answer to out (cap bytes). */
struct app_out app_input(const struct scn_service *sv, const uint8_t *in, size_t n, bool full,
                         uint8_t *out, size_t cap);

#endif
