/* cprobe.c — the C client's worked example (docs/attach.md): SYNs from the attached
 * address to a list of ports of the host named "server", one batch, then every answer
 * printed with its virtual time. Build: cc -I. cprobe.c build/libtcplab.a (in this tree) or
 * cc cprobe.c -ltcplab_attach (installed); run: tcplab attach SCENARIO -- ./cprobe 22 80 513
 */
#include <stdio.h>
#include <stdlib.h>

#include "attach/client.h"

/* A bare SYN, checksums right (RFC 791, RFC 793; the pseudo-header of RFC 793 3.1). */
static size_t syn(uint8_t *b, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
    uint8_t h[40] = { 0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6 };
    for (int i = 0; i < 4; i++) {
        h[12 + i] = (uint8_t)(src >> (24 - 8 * i));
        h[16 + i] = (uint8_t)(dst >> (24 - 8 * i));
    }
    h[20] = (uint8_t)(sport >> 8), h[21] = (uint8_t)sport;
    h[22] = (uint8_t)(dport >> 8), h[23] = (uint8_t)dport;
    h[32] = 5 << 4, h[33] = 0x02, h[34] = 0xff, h[35] = 0xff;   /* offset 5, SYN, window */
    uint32_t s = 0;
    for (int i = 0; i < 20; i += 2)
        s += (uint32_t)(h[i] << 8 | h[i + 1]);
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    h[10] = (uint8_t)(~s >> 8), h[11] = (uint8_t)~s;
    s = 6 + 20;   /* pseudo-header: protocol and TCP length, then the addresses */
    for (int i = 12; i < 40; i += 2)
        s += (uint32_t)(h[i] << 8 | h[i + 1]);
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    h[36] = (uint8_t)(~s >> 8), h[37] = (uint8_t)~s;
    for (int i = 0; i < 40; i++)
        b[i] = h[i];
    return 40;
}

static void answer(void *ctx, uint64_t t_ns, const uint8_t *p, size_t len)
{
    (void)ctx;
    if (len >= 40 && p[9] == 6)
        printf("%.6f port %u: %s\n", t_ns / 1e9, (unsigned)(p[20] << 8 | p[21]),
               (p[33] & 0x12) == 0x12 ? "SYN-ACK (open)" : (p[33] & 0x04) ? "RST (closed)" : "?");
}

int main(int argc, char **argv)
{
    char err[256];
    struct attach_client *c = attach_client_open(-1, err, sizeof err);
    uint32_t server;
    if (!c || attach_client_lookup(c, "server", &server)) {
        fprintf(stderr, "cprobe: %s\n", c ? "no host named server" : err);
        return 2;
    }
    uint8_t b[40];
    for (int i = 1; i < argc; i++)
        if (attach_client_send(c, b, syn(b, attach_client_addr(c), server,
                                          (uint16_t)(40000 + i), (uint16_t)atoi(argv[i])))) {
            fprintf(stderr, "cprobe: %s\n", attach_client_error(c));
            return 2;
        }
    attach_client_note(c, "cprobe: the probes are out");
    if (attach_client_wait(c, attach_client_now(c) + 10000000, false, answer, NULL) < 0) {
        fprintf(stderr, "cprobe: %s\n", attach_client_error(c));
        return 2;
    }
    attach_client_close(c);
    return 0;
}
