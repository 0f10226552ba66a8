/* scans.h — the scan types as const tables of functions (zmap's probe_module_t).
 *
 * Each scan type (syn.c, connect.c, ack.c, window.c, maimon.c, fin.c, null.c, xmas.c, udp.c)
 * exports one const struct scan_ops: how to build its probe (nmap's probes: window 1024, SYN
 * probes carrying only MSS 1460, TTL 37..59 and the IP ID chosen by the engine) and how to read
 * a reply the engine has already matched to that probe by its cookie, giving nmap's state and
 * reason string (docs/facts/nmap.md section 1; nmap scan_engine_raw.cc, scan_engine_connect.cc).
 * The engine knows nothing about flags or ICMP codes; a scan type knows nothing about timing.
 */
#ifndef TCPLAB_SCANNER_SCANS_H
#define TCPLAB_SCANNER_SCANS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/wire.h"
#include "scanner/cookie.h"
#include "scanner/engine.h"
#include "pktio/pktio.h"
#include "scanner/result.h"

/* What the engine decided a probe carries. */
struct scan_probe {
    uint32_t src, dst;
    uint16_t dport;
    uint8_t tryno;
    uint8_t ttl;
    struct cookie ck;        /* sport (or -g port), seq, ack, IP ID */
};

enum scan_reply_kind { SCAN_REPLY_TCP = 1, SCAN_REPLY_UDP, SCAN_REPLY_ICMP };

/* A reply already matched to one probe by the engine (cookie checked). */
struct scan_reply {
    enum scan_reply_kind kind;
    const struct wire_tcp *tcp;      /* SCAN_REPLY_TCP */
    uint8_t icmp_type, icmp_code;    /* SCAN_REPLY_ICMP: an error quoting our probe */
    bool from_target;                /* ICMP error sent by the probed host itself */
};

struct scan_verdict {
    uint8_t state;                   /* enum port_state */
    uint8_t reason;                  /* enum reason */
};

struct scan_ops {
    const char *name;                /* "syn": also nmap's XML scaninfo type */
    char flag;                       /* 'S' as in -sS */
    enum scan_type type;
    uint8_t proto;                   /* 6 or 17 */
    uint8_t tcp_flags;               /* the probe's flags (TCP scans) */
    uint8_t silent_state;            /* state after no response: filtered, open|filtered */
    /* Writes the probe datagram; returns its length (0: no room). NULL for connect. */
    size_t (*make_probe)(uint8_t *buf, size_t cap, const struct scan_probe *p);
    /* Reads a matched reply. false: the reply says nothing (e.g. SYN/ACK to a FIN scan). */
    bool (*classify)(const struct scan_reply *r, struct scan_verdict *v);
    /* -sT only: the verdict of a finished connect(). false: still pending. */
    bool (*classify_stream)(enum pktio_stream st, uint8_t icmp_type, uint8_t icmp_code,
                            struct scan_verdict *v);
};

extern const struct scan_ops scan_syn, scan_connect, scan_ack, scan_window, scan_maimon,
    scan_fin, scan_null, scan_xmas, scan_udp;

/* Registry: "syn".."udp", or the -s letter. NULL when unknown. */
const struct scan_ops *scan_ops_by_name(const char *name);
const struct scan_ops *scan_ops_by_flag(char flag);
const struct scan_ops *scan_ops_by_type(enum scan_type t);

/* --- shared by the scan files (scans/common.c) --- */

/* A TCP probe with nmap's fields: window 1024, seq from the cookie, ack from the cookie when
 * ACK is set (else 0), options only MSS 1460 when mss is true. */
size_t scan_tcp_probe(uint8_t *buf, size_t cap, const struct scan_probe *p, uint8_t flags,
                      bool mss);
/* ICMP errors, every raw scan: type 3 codes 0,1,2,9,10,13 and type 11 -> filtered with their
 * reasons; code 3 -> closed (port-unreach) for UDP from the target, filtered otherwise. Other
 * codes: false (nmap logs "Unexpected ICMP type/code" and ignores them). */
bool scan_icmp_verdict(uint8_t proto, uint8_t type, uint8_t code, bool from_target,
                       struct scan_verdict *v);
/* "RST -> state (reset)" scans: -sA, -sM, -sF, -sN, -sX. */
bool scan_rst_classify(const struct scan_reply *r, uint8_t rst_state, struct scan_verdict *v);
/* nmap's conflicting-replies rule (scan_engine.cc ultrascan_port_pspec_update): may a port
 * that has old_state take new_state from a later reply? noresp_open: the scan's silent state
 * is open|filtered (-sU, -sF, -sN, -sX, -sM), where nmap lets open change and keeps closed. */
bool scan_state_may_change(uint8_t old_state, uint8_t new_state, bool noresp_open);

/* UDP payloads for well-known ports (scans/udp_payloads.c); NULL/0 for other ports. */
const uint8_t *scan_udp_payload(uint16_t port, size_t *len);

#endif
