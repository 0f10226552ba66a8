/* pcapng.h — a small pcapng writer and reader (draft-ietf-opsawg-pcapng): capture files
 * that say which way each datagram went and why.
 *
 * The bridge records its sessions with it: one interface (LINKTYPE_RAW, bare IPv4,
 * if_tsresol 9 so timestamps are the virtual clock's nanoseconds), one Enhanced Packet Block
 * per datagram with its direction in epb_flags (bits 0-1: 1 inbound, 2 outbound) and an
 * opt_comment, and at the end an Interface Statistics Block whose isb_endtime says when the
 * session ended (a replay runs the simulation to that time). Written little-endian, through
 * outfile.h (whole or not at all). tshark, Wireshark and libpcap (lib/pcapfile.h's reader,
 * which `tcplab tui` uses) read it.
 *
 * The reader takes any section's byte order, any number of interfaces with their
 * if_tsresol (powers of 10 or 2), Enhanced and Simple Packet Blocks, and skips blocks it
 * does not know. It reads the file into memory (at most PCAPNG_MAX_FILE bytes) and checks
 * every length against it: bad input gets an error with the block's offset, never a crash
 * (fuzzed: tests/fuzz/fuzz_pcapng.c).
 */
#ifndef TCPLAB_PCAPNG_H
#define TCPLAB_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { PCAPNG_DIR_NONE = 0, PCAPNG_DIR_IN = 1, PCAPNG_DIR_OUT = 2 };
#define PCAPNG_MAX_FILE (512u << 20)

struct pcapng_writer;
/* A section (its opt_comment: comment, may be NULL) with one LINKTYPE_RAW interface named
 * ifname, described by desc (may be NULL). "-" writes to stdout. NULL with a message. */
struct pcapng_writer *pcapngw_open(const char *path, const char *comment, const char *ifname,
                                   const char *desc, char *err, size_t errlen);
/* One datagram at t_ns with its direction (PCAPNG_DIR_*) and a comment (NULL or "": none).
 * 0, or -1 on a write error (reported again by commit). */
int pcapngw_packet(struct pcapng_writer *w, uint64_t t_ns, const uint8_t *pkt, size_t len,
                   int dir, const char *comment);
/* The interface's statistics at the end: start and end times, datagrams received and
 * dropped (isb_ifrecv, isb_ifdrop). Call at most once, before commit. */
int pcapngw_stats(struct pcapng_writer *w, uint64_t start_ns, uint64_t end_ns, uint64_t recv,
                  uint64_t drop);
int pcapngw_commit(struct pcapng_writer *w, char *err, size_t errlen);
void pcapngw_abort(struct pcapng_writer *w);

struct pcapng_rec {
    uint64_t t_ns;
    const uint8_t *data;       /* the captured bytes; valid until the reader is closed */
    size_t len;                /* captured length */
    uint32_t orig_len;
    uint32_t ifid;
    uint32_t linktype;
    int dir;                   /* PCAPNG_DIR_* */
    char comment[256];         /* the first opt_comment, cut to fit; "" when none */
};

struct pcapng_reader;
struct pcapng_reader *pcapngr_open(const char *path, char *err, size_t errlen);
/* The same over a buffer the caller keeps alive (the fuzz target). */
struct pcapng_reader *pcapngr_open_mem(const uint8_t *buf, size_t len, char *err, size_t errlen);
/* The next packet: 1, 0 at the end, -1 on malformed input (pcapngr_error says where). */
int pcapngr_next(struct pcapng_reader *r, struct pcapng_rec *rec);
/* The current section's opt_comment ("" when none). */
const char *pcapngr_section_comment(const struct pcapng_reader *r);
/* isb_endtime of the last statistics block read so far; false when none was. */
bool pcapngr_end_time(const struct pcapng_reader *r, uint64_t *t_ns);
const char *pcapngr_error(const struct pcapng_reader *r);
void pcapngr_close(struct pcapng_reader *r);

#endif
