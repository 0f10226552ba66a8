/* seq.h — nmap's SEQ analysis: ISN predictability (GCD, ISR, SP) and IP-ID sequence classes.
 *
 * Copies nmap's osscan2.cc (get_diffs, identify_sequence, the SEQ test) and output.cc
 * (seqidx2difficultystr, ipidclass2ascii); formulas in docs/facts/nmap.md section 4.
 * Pure functions over arrays: the engine collects the six SYN/ACKs' ISNs, the probes' send
 * times and the replies' IP IDs, and calls seq_analyze. The idle scan uses the class rules and
 * seq_ipid_distance to qualify and read a zombie.
 */
#ifndef TCPLAB_SEQ_H
#define TCPLAB_SEQ_H

#include <stdint.h>

#include "scanner/result.h"

enum seq_ipid_class {
    SEQ_IPID_UNKNOWN = 0,   /* too few samples, or no rule matched */
    SEQ_IPID_RD,            /* random: a jump > 20000 (or a decrease) */
    SEQ_IPID_ZERO,          /* all zero */
    SEQ_IPID_CONSTANT,      /* the same non-zero value */
    SEQ_IPID_RI,            /* random positive increments */
    SEQ_IPID_BI,            /* broken (byte-swapped) incremental */
    SEQ_IPID_INCR_BY_2,
    SEQ_IPID_INCR,
};

/* Classifies n IP IDs (rules 1-9 of docs/facts/nmap.md section 4, in that order). */
enum seq_ipid_class seq_ipid_classify(const uint16_t *ids, int n);
/* "Incremental", "Randomized", "Broken little-endian incremental", "All zeros", ... */
const char *seq_ipid_class_name(enum seq_ipid_class c);
/* The TI= code: "I", "RD", "RI", "BI", "Z", "" (unknown); CONSTANT writes the hex value of
 * first into buf (>= 8 bytes) and returns buf. */
const char *seq_ipid_code(enum seq_ipid_class c, uint16_t first, char buf[8]);
/* How many packets the counter sent between two reads, per class (idle scan): incremental
 * new - old; broken: byte-swap both first; by 2: half. 32-bit, no wrap handling, as nmap. */
int32_t seq_ipid_distance(enum seq_ipid_class c, uint16_t old_id, uint16_t new_id);

/* "Trivial joke", "Easy", "Medium", "Formidable", "Worthy challenge", "Good luck!". */
const char *seq_difficulty(uint32_t sp);

/* Fills out from nisn ISNs (an ISN of 0 counts as no reply and is skipped, with its time)
 * sent at send_ns[i], and nipid IP IDs (the SYN/ACKs' TI). At most 6 of each are kept.
 * GCD/ISR/SP need >= 4 replies; out->done says the ISN analysis ran. */
void seq_analyze(struct seq_result *out, const uint32_t *isn, const uint64_t *send_ns, int nisn,
                 const uint16_t *ipid, int nipid);

#endif
