/* pcapfile.h — capture files: write a run's datagrams, read captures back for `tcplab tui`.
 *
 * Writer: classic pcap with nanosecond timestamps (magic 0xa1b23c4d), LINKTYPE_RAW (101: each
 * record is a bare IPv4 datagram, no link header), snaplen 65535, fields little-endian so the
 * same run gives the same bytes on any machine. Written whole or not at all (outfile.h).
 * Reader: any capture libpcap opens, timestamps in nanoseconds; link headers of Ethernet,
 * Linux cooked (SLL), BSD loopback (NULL/LOOP) and raw IP are stripped, non-IPv4 frames
 * skipped, so the reader yields IPv4 datagrams only.
 */
#ifndef TCPLAB_PCAPFILE_H
#define TCPLAB_PCAPFILE_H

#include <stddef.h>
#include <stdint.h>

enum { PCAPFILE_SNAPLEN = 65535, PCAPFILE_LINKTYPE_RAW = 101 };

struct pcap_writer;
/* "-" writes to stdout. NULL on error with a message in err. */
struct pcap_writer *pcapw_open(const char *path, char *err, size_t errlen);
/* Appends one datagram at virtual time t_ns. Records longer than the snaplen are cut to it
 * (the original length is kept). 0, or -1 on a write error (reported again by commit). */
int pcapw_write(struct pcap_writer *w, uint64_t t_ns, const uint8_t *pkt, size_t len);
/* Makes the file appear, whole. 0 or -1 with err; frees w either way. */
int pcapw_commit(struct pcap_writer *w, char *err, size_t errlen);
/* A writer on an output the caller opened and publishes itself (outfile_commit_all, with
 * the other outputs of one run): pcapw_end then only reports whether every write went
 * through, and pcapw_abort leaves the outfile to the caller too. */
struct outfile;
struct pcap_writer *pcapw_open_on(struct outfile *of, char *err, size_t errlen);
/* 0, or -1 when a write failed (err). Commits the file when pcapw_open made it. Frees w. */
int pcapw_end(struct pcap_writer *w, char *err, size_t errlen);
/* Frees w; no file appears (pcapw_open's). NULL is a no-op. */
void pcapw_abort(struct pcap_writer *w);

struct pcap_reader;
/* NULL with err "PATH: why" when the file cannot be opened, is no capture or has a link type
 * not read here. */
struct pcap_reader *pcapr_open(const char *path, char *err, size_t errlen);
/* The next IPv4 datagram: 1, 0 at the end, -1 on a read error. *pkt stays valid until the
 * next call. */
int pcapr_next(struct pcap_reader *r, uint64_t *t_ns, const uint8_t **pkt, size_t *len);
/* The last read error's text ("" if none). */
const char *pcapr_error(struct pcap_reader *r);
void pcapr_close(struct pcap_reader *r);

#endif
