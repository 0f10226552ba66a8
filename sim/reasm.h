/* reasm.h — internal to the simulator: IPv4 fragment reassembly for one host (RFC 791
 * section 3.2, "Fragmentation and Reassembly"; RFC 815's hole bookkeeping done as a bitmap
 * of 8-octet units), with Linux's rules (net/ipv4/ip_fragment.c, inet_fragment.c):
 *
 *  - a datagram is keyed by (source, destination, protocol, identification), RFC 791;
 *  - it is complete when the first fragment (offset 0) and the last (MF clear) are in and
 *    every byte between them; the first fragment's header becomes the datagram's, with MF
 *    and the offset cleared, the total length set and the checksum recomputed;
 *  - a non-last fragment whose length is not a multiple of 8 is cut down to one (Linux
 *    `end &= ~7`); an empty fragment, a second last fragment that disagrees on the length,
 *    data past a known end, or a datagram that would exceed 65535 bytes (the "ping of death")
 *    discards the whole datagram;
 *  - overlapping fragments discard the whole datagram, as Linux does since 2018 (4.19 and
 *    the stable kernels: "ip: discard IPv4 datagrams with overlapping segments", part of the
 *    FragmentSmack fix, CVE-2018-5391; RFC 5722's rule for IPv6 applied to IPv4); an exact
 *    duplicate of data already held is dropped alone and the datagram kept (RFC 5722 errata
 *    3089; inet_frag_queue_insert's IPFRAG_DUP);
 *  - bounded: at most REASM_QUEUES datagrams in progress and REASM_BYTES buffered per host;
 *    beyond that new fragments are refused (Linux refuses above ipfrag_high_thresh rather
 *    than evict); a datagram not complete REASM_TIMEOUT_NS after its first fragment came
 *    (ipfrag_time, 30 s) is discarded. Expiry is checked whenever a fragment arrives, so no
 *    timer is armed and no "fragment reassembly time exceeded" ICMP (11/1) is sent: a known
 *    difference from Linux, which sends one when it holds the first fragment.
 * No wall clock and no pointer order: `now` is the virtual clock; queues are searched in
 * creation order.
 */
#ifndef TCPLAB_SIM_REASM_H
#define TCPLAB_SIM_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { REASM_QUEUES = 16, REASM_BYTES = 256 * 1024 };
#define REASM_TIMEOUT_NS (30ull * 1000000000ull)

enum reasm_result {
    REASM_HELD,       /* kept; the datagram is not complete yet */
    REASM_DONE,       /* the datagram is complete: *out, *outlen */
    REASM_DUP,        /* a duplicate of data already held: this fragment dropped */
    REASM_DISCARD,    /* the whole datagram discarded (overlap, bad lengths): *why */
    REASM_REFUSED,    /* no room for another datagram or more bytes: this fragment dropped */
};

struct reasm;
struct reasm *reasm_new(void);
void reasm_free(struct reasm *r);

/* One fragment (a whole IPv4 datagram with MF set or a non-zero offset, its header already
 * checked by the caller: version, IHL, lengths, checksum). On REASM_DONE *out points to the
 * reassembled datagram, valid until the next call. *why is a static string for every result
 * but REASM_HELD and REASM_DONE (there too: what happened). */
enum reasm_result reasm_add(struct reasm *r, uint64_t now, const uint8_t *frag, size_t len,
                            const uint8_t **out, size_t *outlen, const char **why);

/* Datagrams in progress (tests). */
size_t reasm_pending(const struct reasm *r);

#endif
