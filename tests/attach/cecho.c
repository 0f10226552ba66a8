/* cecho.c — the C client's byte streams: a connection through the attached host's own
 * stack to the echo service (RFC 862) of the host named "web", bytes written and the same
 * bytes read back (tcplab attach tests/attach/stream.scn -- ./cecho). Prints what it got;
 * exits 1 on a mismatch. Build as cprobe.c. */
#include <stdio.h>
#include <string.h>

#include "attach/client.h"

int main(void)
{
    char err[256], state[32];
    struct attach_client *c = attach_client_open(-1, err, sizeof err);
    uint32_t web;
    if (!c || attach_client_lookup(c, "web", &web)) {
        fprintf(stderr, "cecho: %s\n", c ? "no host named web" : err);
        return 2;
    }
    int h = attach_client_connect(c, web, 7, 40107);
    uint64_t t = attach_client_now(c);
    static const char msg[] = "bytes from C\r\n\x01\x02\x03";
    long took = -1, got = -1;
    uint8_t back[64];
    bool eof = false;
    if (h >= 0 && attach_client_wait(c, t + 10000000, false, NULL, NULL) >= 0 &&
        attach_client_state(c, h, state, sizeof state) == 0 &&
        (took = attach_client_write(c, h, msg, sizeof msg - 1)) >= 0 &&
        attach_client_wait(c, t + 60000000, false, NULL, NULL) >= 0)
        got = attach_client_read(c, h, back, sizeof back, &eof);
    if (got < 0) {
        fprintf(stderr, "cecho: %s\n", attach_client_error(c));
        attach_client_close(c);
        return 2;
    }
    bool same = got == (long)sizeof msg - 1 && !memcmp(back, msg, (size_t)got);
    printf("%s wrote %zu took %ld read %ld same %s\n", state, sizeof msg - 1, took, got,
           same ? "yes" : "no");
    attach_client_fin(c, h);
    attach_client_close(c);
    return same ? 0 : 1;
}
