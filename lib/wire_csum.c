/* wire_csum.c — the Internet checksum (RFC 1071) and the TCP/UDP pseudo-header (RFC 793
 * §3.1, RFC 768, RFC 9293 §3.1).
 *
 * A partial sum is a 32-bit one's-complement accumulator of big-endian 16-bit words; it is
 * folded and complemented only at the end, so headers and payloads kept in separate buffers
 * can be summed without copying (as Linux's csum_partial/csum_fold split does). An odd-length
 * chunk is padded with a zero byte, so only the last chunk of a sum may have an odd length.
 *
 * Why the core (wire_int.h, inline for the parsers and emitters) looks as it does: the
 * simulator sums every datagram it emits and every one it parses, several per probe round
 * trip, so it is the hottest loop of a scan. It loads 8 bytes at a time in the machine's own
 * byte order and adds them with end-around carry, as Linux's do_csum does. RFC 1071 §2 (B)
 * and (C) make that exact: 2^16 = 1 (mod 0xffff), so a 64-bit word adds its four 16-bit
 * words at once, and the one's-complement sum of byte-swapped words is the byte-swapped sum,
 * so summing in native order and swapping the folded 16 bits once gives the big-endian sum.
 */
#include "wire_int.h"

uint32_t wire_csum_add(uint32_t sum, const void *data, size_t len)
{
    uint64_t s = (uint64_t)sum + wire_csum_native_be(wire_csum_native(data, len));
    /* end-around carry back to 32 bits: 2^32 = 1 (mod 0xffff) */
    return (uint32_t)((s & 0xffffffffu) + (s >> 32));
}

uint16_t wire_csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffffu) + (sum >> 16);
    return (uint16_t)~sum;
}

uint32_t wire_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
    return wire_csum_pseudo_inl(src, dst, proto, len);
}
