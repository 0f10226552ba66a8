/* osscan_int.h — what the -O pass's files share (osscan_probe.c, osscan_resp.c,
 * osscan_run.c): one host's state during a round, as nmap's HostOsScanStats keeps it.
 * Private to scanner/osscan_*.c.
 */
#ifndef TCPLAB_OSSCAN_INT_H
#define TCPLAB_OSSCAN_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "scanner/osscan.h"
#include "scanner/passes.h"

enum { OS_NSEQ = 6, OS_MAXPROBES = 24 };

/* Probe kinds (nmap's OFProbeType). */
enum os_ptype { OSP_SEQ, OSP_OPS, OSP_ECN, OSP_T, OSP_IE, OSP_U1 };
enum os_pstate { OSP_FREE = 0, OSP_TOSEND, OSP_ACTIVE };

struct os_probe {
    uint8_t type, sub;       /* sub: SEQ/OPS 0-5, T 0-6 (T1..T7), IE 0-1 */
    uint8_t state;           /* enum os_pstate */
    int8_t tryno;            /* -1 before the first send */
    bool retransmitted;
    uint32_t order;          /* position in the to-send list (FIFO) */
    uint64_t sent;
};

/* The values every host of a round shares (HostOsScan: one per scan). */
struct os_round {
    struct rng *rng;         /* probes' IP IDs */
    uint32_t seq_base, ack;
    uint16_t tcp_port_base, udp_port_base;
    uint16_t icmp_id;
    uint8_t udp_ttl;
};

struct os_host {
    struct host_result *res;
    uint64_t timeout;
    /* FingerPrintResults: ports kept across rounds (-1 none) */
    int fpr_open, fpr_closed, fpr_closed_udp;
    /* This round's ports (-1: no open port, so no TCP probes to it) */
    int open_port, closed_port, closed_udp;
    bool done;               /* matched perfectly in an earlier round */
    /* SEQ (seq_info) */
    uint32_t seqs[OS_NSEQ], timestamps[OS_NSEQ];
    uint64_t seq_sent[OS_NSEQ];
    int responses, ts_class;
    bool has_lastboot;       /* seq_info.lastboot was set this round (uptime_s with it) */
    uint32_t uptime_s;
    uint16_t lastipid;
    int32_t tcp_ipids[OS_NSEQ], closed_ipids[OS_NSEQ], icmp_ipids[OS_NSEQ];  /* -1: none */
    /* OPS / WIN from the SEQ or OPS replies */
    bool ops_got[OS_NSEQ], win_got[OS_NSEQ];
    char ops[OS_NSEQ][48];
    uint16_t win[OS_NSEQ];
    int ops_n, win_n;
    /* The tests made from single replies (ECN, T1-T7, U1, IE) go straight in here. */
    struct os_obs fp;
    bool have[OS_NTESTS];
    bool ie_rcv[2], ie_df[2];
    uint8_t ie_code[2];
    int distance, distance_guess;
    /* the U1 probe as sent */
    uint16_t udp_sport, udp_dport, udp_csum;
    /* probes */
    struct os_probe pr[OS_MAXPROBES];
    int npr;
    uint32_t next_order;
    uint64_t last_sent;
    bool any_sent;
};

enum { OS_TS_UNKNOWN = 0, OS_TS_ZERO, OS_TS_2HZ, OS_TS_100HZ, OS_TS_1000HZ, OS_TS_OTHER,
       OS_TS_UNSUPPORTED };

/* osscan_probe.c: the SEQ phase and the TCP/UDP/ICMP phase of one round. */
int osscan_seq_phase(struct scan_ctx *sc, const struct os_round *rd, struct os_host *h,
                     size_t n, char *err, size_t errlen);
int osscan_tui_phase(struct scan_ctx *sc, const struct os_round *rd, struct os_host *h,
                     size_t n, char *err, size_t errlen);
/* osscan_resp.c */
void osscan_host_reset(struct os_host *h);
/* One received datagram (already parsed) from host h's address. True when it answered an
 * active probe (which is then retired). */
bool osscan_process(struct os_host *h, const struct os_round *rd, const uint8_t *dgram,
                    size_t len);
/* makeFP: the round's fingerprint into out (seq-send times make TSeq; TTLs become TG/T). */
void osscan_make_fp(struct os_host *h, struct os_obs *out, int scan_delay_ms);
/* The round's SEQ analysis as --seq reports it (host_result.seq). */
void osscan_seq_result(const struct os_host *h, struct seq_result *out);

#endif
