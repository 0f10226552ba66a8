/* wire_csum.c — the Internet checksum (RFC 1071) and the TCP/UDP pseudo-header (RFC 793
 * §3.1, RFC 768, RFC 9293 §3.1).
 *
 * A partial sum is a 32-bit one's-complement accumulator of big-endian 16-bit words; it is
 * folded and complemented only at the end, so headers and payloads kept in separate buffers
 * can be summed without copying (as Linux's csum_partial/csum_fold split does). An odd-length
 * chunk is padded with a zero byte, so only the last chunk of a sum may have an odd length.
 * The simulator sums every datagram it emits and every one it parses, so the loop adds
 * 32-bit words into a 64-bit accumulator (as Linux's generic do_csum does) and folds once.
 */
#include "wire.h"

/* Folds a 64-bit accumulator to 32 bits with end-around carry: 2^32 = 1 (mod 0xffff), so the
 * one's-complement value is unchanged. */
static uint32_t csum_fold32(uint64_t s)
{
    while (s >> 32)
        s = (s & 0xffffffffu) + (s >> 32);
    return (uint32_t)s;
}

uint32_t wire_csum_add(uint32_t sum, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t s = sum;
    size_t i = 0;
    /* Four bytes at a time: a big-endian 32-bit word is two 16-bit words, and 2^16 = 1
     * (mod 0xffff), so adding it whole adds both halves. 64 bits cannot overflow here. */
    for (; i + 4 <= len; i += 4)
        s += (uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 | (uint32_t)p[i + 2] << 8 | p[i + 3];
    for (; i + 1 < len; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    if (i < len)
        s += (uint32_t)p[i] << 8;
    return csum_fold32(s);
}

uint16_t wire_csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffffu) + (sum >> 16);
    return (uint16_t)~sum;
}

uint32_t wire_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
    uint64_t s = (src >> 16) + (src & 0xffffu) + (dst >> 16) + (dst & 0xffffu);
    s += proto;
    s += len;
    return csum_fold32(s);
}
