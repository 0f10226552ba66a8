/* os.h — personalities: what makes one simulated stack answer like a given real one.
 *
 * A personality is plain data: TTL, windows, MSS, which TCP options it supports and the
 * layout it writes them in, its ISN and IP-ID generators, its rate limits and quirks.
 * Presets (os.c) follow docs/facts/stacks.md section 5; `linux` is checked
 * against a real kernel by tests/live/oracle_linux.
 */
#ifndef TCPLAB_OS_H
#define TCPLAB_OS_H

#include <stdbool.h>
#include <stdint.h>

#include "gen.h"

/* How a stack lays out SYN-ACK options (only options the SYN offered are echoed). */
enum os_opt_style {
    OS_OPTS_LINUX,    /* mss, [sackOK,TS | nop,nop,TS | nop,nop,sackOK], nop,wscale (tcp_options_write) */
    OS_OPTS_BSD,      /* mss, nop,wscale, sackOK, TS, EOL-padded (FreeBSD tcp_addoptions;
                         nmap-os-db FreeBSD 11/12: O1=M5B4NW6ST11, ECN O=M5B4NW6SLL) */
    OS_OPTS_WINDOWS,  /* mss, nop,wscale, then sackOK,TS | nop,nop,sackOK | nop,nop,TS (nmap-os-db
                         Windows 10: O1=M5B4NW8ST11, O3=M5B4NW8NNT11, ECN O=M5B4NW8NNS) */
    OS_OPTS_MSS_ONLY, /* old stacks and printers: MSS only */
    OS_OPTS_OPENBSD,  /* mss, nop,nop,sackOK, nop,wscale, nop,nop,TS (nmap-os-db OpenBSD 6.x:
                         O1=M5B4NNSNW6NNT11, O3=M5B4NW6NNT11, ECN O=M5B4NNSNW6) */
};

enum { OS_SYNFIN_SYN = 0, OS_SYNFIN_DROP, OS_SYNFIN_RST, OS_SYNFIN_ACK };

/* Room for a scenario's `options` list: at most 8 entries, as for `send ... options`. */
enum { OS_OPT_LAYOUT_MAX = 8 };

enum chack_mode {
    CHACK_OFF,        /* no RFC 5961: pre-3.6 RFC 793 behaviour */
    CHACK_UNLIMITED,  /* RFC 5961 with no host-wide budget (Linux 6.0+) */
    CHACK_FIXED,      /* count up to N per aligned 1-s slot (Linux 3.6-4.6) */
    CHACK_RANDOM,     /* N/2 + U[0, N-1] per slot, counted down (Linux 4.7+) */
};

/* A kernel era's whole RFC 5961 behaviour (host key `challenge-ack linux-3.6` etc.,
 * docs/facts/offpath.md section 5): the host-wide budget, the per-socket limit and its
 * exemption, and the ACK checks. CHACK_ERA_NONE: the budget alone was given (`on`, `N/s`)
 * and the rest follows from it as before (os_chack_*). */
enum chack_era {
    CHACK_ERA_NONE,
    CHACK_ERA_LINUX36,  /* 3.6-3.19 (282f23c6ee34): count up to 100/s; no per-socket limit
                           on challenge ACKs or duplicate ACKs (os_oow_limit); SEG.ACK >
                           SND.NXT dropped */
    CHACK_ERA_LINUX40,  /* 4.0-4.6: as 3.6, and the per-socket 500 ms limit on segments without
                           payload only (032ee4236954, f2b2c582e824) */
    CHACK_ERA_LINUX47,  /* 4.7-5.19: 1000/s randomised per second, counted down (75ff39ccc1bd);
                           the per-socket limit on every challenge ACK (083ae308280d, July
                           2016: 4.7 or 4.8, not settled); SEG.ACK > SND.NXT dropped */
    CHACK_ERA_LINUX60,  /* 6.0+: no host-wide budget; the per-socket limit on every challenge
                           ACK; SEG.ACK > SND.NXT challenged, MAX.SND.WND bounded by the bytes
                           acknowledged (the kernel tests/live measured) */
};

struct personality {
    char os[16];            /* preset name, "custom" when none */
    uint8_t ttl;
    uint16_t window;        /* window advertised in SYN-ACKs and data ACKs */
    uint16_t mss;
    uint8_t wscale;         /* our shift when the peer offered window scaling */
    bool opt_sack, opt_ts, opt_wscale;  /* options this stack supports and echoes */
    enum os_opt_style opt_style;
    /* Linux's own answers where stacks differ (tcp*.c): ECN on the SYN-ACK, a SYN+FIN to a
     * listener discarded, the initial window rounded down to the MSS, the request-socket
     * timer. Apart from opt_style, so that `options` can change the layout alone. */
    bool linux_stack;
    /* The host key `options LIST` (scenario_host.c): the exact SYN and SYN-ACK layout, TCPOPT_*
     * kinds in order, overriding opt_style's for options only (opt_style also tells tcp*.c
     * "this is Linux" for windows, ECN and SYN+FIN, which `options` must not change).
     * opt_layout_n 0: no list, opt_style decides. tcp_out.c tcp_opts_custom: the NOP rule. */
    uint8_t opt_layout[OS_OPT_LAYOUT_MAX];
    uint8_t opt_layout_n;
    uint32_t ts_hz;         /* TCP timestamp clock rate */
    bool df;                /* sets DF on TCP segments (path MTU discovery) */
    bool rst_df_zero_id;    /* Linux: RSTs from the control socket go out DF with ID 0 */
    bool synack_df_zero_id; /* Linux 5.17+: SYN-ACK with DF and ID 0 */
    bool icmp_df;           /* sets DF on ICMP replies and errors */
    bool udp_df_shared_id;  /* Linux: an unconnected UDP datagram carries DF yet takes its
                               IP-ID from the generator as if it had none (ip_make_skb sets
                               ignore_df under IP_PMTUDISC_WANT, so ip_select_ident_segs
                               skips the DF -> 0 rule); measured on 6.18, LINUX-FACTS.md */
    bool icmp_echo_df;      /* echo and timestamp replies copy the request's DF instead (BSD
                               icmp_reflect turns the request's own header round) */
    uint8_t icmp_ttl;       /* TTL of ICMP messages; 0: the host's ttl (BSD icmp_reflect and
                               OpenBSD use MAXTTL 255 there) */
    uint16_t icmp_quote;    /* bytes of the offending datagram past its IP header an ICMP
                               error quotes (RFC 792's 8); 0: as many as fit in 576 bytes in
                               all (RFC 1812 4.3.2.3, Linux icmp_send, Windows) */
    uint16_t rst_window;    /* window in RSTs (0 on Linux) */
    uint8_t listen_synfin;  /* SYN+FIN to a listener: OS_SYNFIN_SYN (BSD: a SYN-ACK),
                               _DROP (JetDirect), _RST (Windows: RST+ACK as if
                               closed), _ACK (4.3BSD: the FIN moves the new connection on
                               to CLOSE-WAIT before tcp_output runs, which then sends a
                               bare ACK, no SYN); Linux drops it whatever this says */
    bool rst_ack_field_seq; /* a RST answering a segment with ACK (no ACK flag of its own)
                               carries its SEQ in the ACK field too, not 0 (Windows) */
    bool ecn_incoming;      /* ECE on the SYN-ACK to an ECN-setup SYN (RFC 3168 6.1.1) as
                               Linux's tcp_ecn=2 does (linux_stack implies it) */
    bool ts_offset_per_conn; /* TCP timestamps offset by a keyed hash of the 4-tuple, not of
                               the address pair (FreeBSD ts_offset_per_conn, OpenBSD's
                               per-connection ts_modulate) */
    bool pf_default;        /* OpenBSD's default pf.conf in front of the stack ("block
                               return", "pass" keeping state on SYNs; pf_normalize_tcp on
                               every segment): host.c's tcp path, sim/tcp.c tcp_pf_input */
    bool rst_window_listen; /* a listener's RST to an ACK carries its receive window instead
                               (4.3BSD tcp_respond given the listening tcpcb; nmap T4 W) */
    bool icmp_echo_code_zero; /* echo replies with code 0 (Windows); others copy the
                               request's code (Linux icmp_echo, BSD icmp_reflect; nmap IE CD) */
    bool icmp_quote_host_order; /* ICMP errors quote the header as ip_input left it on a
                               little-endian CPU: IP ID byte-swapped, IP and UDP checksums 0
                               (4.3BSD on a VAX; nmap U1 RID=4210 RIPCK=Z RUCK=0) */
    bool rst_on_fin_open;   /* Windows quirk: RST to FIN/NULL/Xmas on open ports */
    bool rst_ack_on_closed_syn; /* RST+ACK (true everywhere we model) */
    bool rst_ack_skips_fin; /* a RST+ACK acknowledges SEG.SEQ + data (+1 for SYN) but not the
                               FIN (4.3/4.4BSD tcp_input dropwithreset: ti_len++ for SYN only) */
    struct gen_isn_cfg isn;
    struct gen_ipid_cfg ipid;
    int synack_retries;     /* SYN-ACK retransmissions before a half-open conn is dropped */
    uint32_t synack_rto_ms; /* first SYN-ACK retransmission timeout (doubles) */
    uint32_t time_wait_ms;  /* TIME-WAIT length (Linux 60 s, 2*MSL elsewhere) */
    int backlog;            /* listen queue length; overflow drops SYNs silently */
    /* 4.4BSD's listen queue (sonewconn): it holds 3 * backlog / 2 + 1 connections, half-open
     * and unaccepted together, and while it is full every segment for the port that finds no
     * connection is dropped, not only SYNs: tcp_input calls sonewconn before it looks at the
     * flags. So a flooded port sends no RST for a SYN-ACK it never asked for (Mitnick 1994). */
    bool bsd_listen_queue;
    /* 4.4BSD TCPT_KEEP in SYN-RECEIVED (TCPTV_KEEP_INIT, 75 s): a half-open connection is
     * held this long whatever its retransmissions; 0: synack_retries decides. */
    uint32_t synrecv_keep_ms;
    /* Linux net.ipv4.tcp_syncookies = 1: a SYN to a listener whose queue is full gets a
     * SYN-ACK carrying a SYN cookie and leaves no state; the ACK of it, within two minutes
     * of an overflow, makes the connection (tcp_conn_request, cookie_v4_check). */
    bool syncookies;
    enum chack_mode chack;  /* RFC 5961 challenge ACKs */
    uint32_t chack_limit;   /* per second, for FIXED and RANDOM */
    enum chack_era chack_era;
    uint32_t rst_rate;      /* host-wide closed-port RSTs per second, 0 = no limit (FreeBSD badport_bandlim) */
    uint32_t icmp_rate;     /* host-wide ICMP errors per second, 0 = no limit */
    bool icmp_per_dest_bucket; /* Linux icmp_ratelimit: 1 msg/s per peer, burst 6 */
    bool icmp_echo;         /* answers echo requests */
    bool udp_unreach;       /* closed UDP port -> ICMP 3/3 */
};

/* What the challenge-ACK era decides (tcp_in.c, tcp_out.c). Without an era, as the budget
 * alone implied before eras existed: the per-socket limit spares data segments only with a
 * counted-up budget, and only a host without a budget challenges SEG.ACK > SND.NXT. */
static inline bool os_chack_sock_all(const struct personality *p)
{
    return p->chack_era ? p->chack_era >= CHACK_ERA_LINUX47 : p->chack != CHACK_FIXED;
}
/* Whether the host has Linux's per-socket limit of one answer per 500 ms
 * (tcp_oow_rate_limited, net.ipv4.tcp_invalid_ratelimit) at all: out-of-window duplicate
 * ACKs, PAWS duplicate ACKs, the request socket's repeated SYN-ACKs, TIME-WAIT's ACKs and
 * challenge ACKs. Linux 4.0+ (032ee4236954, f2b2c582e824, a9b2c06dbef4, 4fb17a609167;
 * docs/facts/offpath.md section 5); not the 3.6-3.19 era. A host without an era keeps it
 * (its stack, Linux or not, follows Linux's rule there: sim/tcp_rules.c, LINUX_RULE). */
static inline bool os_oow_limit(const struct personality *p)
{
    return p->chack_era != CHACK_ERA_LINUX36;
}
static inline bool os_chack_ack_future(const struct personality *p)
{
    return p->chack_era ? p->chack_era == CHACK_ERA_LINUX60 : p->chack == CHACK_UNLIMITED;
}
/* Linux's RFC 5961 5.2 bound: MAX.SND.WND no larger than the bytes acknowledged so far. */
static inline bool os_chack_ack_bounded(const struct personality *p)
{
    return p->linux_stack && (p->chack_era == CHACK_ERA_NONE || p->chack_era == CHACK_ERA_LINUX60);
}
/* "linux-3.6" ... for an era, NULL for none. */
const char *os_chack_era_name(enum chack_era e);
/* The era named s (CHACK_ERA_NONE when it names none); sets *mode and *limit as that era's
 * kernels default them. */
enum chack_era os_chack_era_parse(const char *s, size_t len, enum chack_mode *mode,
                                  uint32_t *limit);

/* The preset named `name` ("linux", "freebsd", "openbsd", "windows", "bsd43", "printer"),
 * or NULL. `os_default` is what a host with no `os` key gets (linux). */
const struct personality *os_preset(const char *name);
const struct personality *os_default(void);
/* Names of every preset, NULL-terminated, for error messages. */
const char *const *os_preset_names(void);

#endif
