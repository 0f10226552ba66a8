/* os.c — personality presets: the numbers that make a simulated host answer like a real one.
 *
 * Each value is commented with its source. Sources: ../shared/reference/stacks-and-offpath.md
 * sections 1, 2 and 7 ("ref s1" etc.); the stacks' own code as cited (Linux net/ipv4,
 * FreeBSD sys/netinet, OpenBSD sys/netinet, 4.3BSD tcp_timer.h 7.4); values marked
 * [recalled] are from memory of the stacks and nmap fingerprints, not re-checked here.
 *
 * Presets are read-only data; a host copies one and its scenario line overrides fields.
 */
#include "os.h"

#include <stddef.h>
#include <string.h>

static const struct personality os_linux = {
    .os = "linux",
    .ttl = 64,              /* net.ipv4.ip_default_ttl = IPDEFTTL 64 */
    .window = 64240,        /* 65535 rounded down to a multiple of the MSS, 44*1460, as
                               tcp_select_initial_window does without timestamps; the tcp
                               module subtracts the 12 timestamp bytes when TS is on */
    .mss = 1460,            /* Ethernet MTU 1500 - 40 */
    .wscale = 10,           /* tcp_rmem[2] = 32 MiB (the 6.x default) -> shift 10, measured on
                               a 6.18 kernel (tests/live/LINUX-FACTS.md); 6 MiB kernels say 7 */
    .opt_sack = true, .opt_ts = true, .opt_wscale = true, /* net.ipv4.tcp_{sack,timestamps,window_scaling}=1 */
    .opt_style = OS_OPTS_LINUX,  /* tcp_options_write order */
    .linux_stack = true,
    .ts_hz = 1000,          /* TCP timestamps in ms since 4.13 (tcp_clock_ms) */
    .df = true,             /* ip_no_pmtu_disc = 0: PMTU discovery, DF on TCP */
    .rst_df_zero_id = true, /* ref s7: control-socket RSTs DF, IP-ID 0 (431280eebed9) */
    .synack_df_zero_id = true, /* ref s2: "ipv4: tcp: send zero IPID in SYNACK messages" (5.17) */
    .icmp_df = false,       /* ref s2: the ICMP socket never sets DF */
    .rst_window = 0,        /* tcp_v4_send_reset: th->window 0 */
    .rst_on_fin_open = false,
    .rst_ack_on_closed_syn = true,
    .isn = { GEN_ISN_RFC6528, 0 },                     /* ref s1: Linux 4.11+ SipHash ISN */
    .ipid = { GEN_IPID_HASHED, 2048, 1000, false },    /* ref s2: ip_idents_reserve, HZ 1000 */
    .synack_retries = 5,    /* net.ipv4.tcp_synack_retries = 5 */
    .synack_rto_ms = 1000,  /* TCP_TIMEOUT_INIT = 1 s, doubling */
    .time_wait_ms = 60000,  /* TCP_TIMEWAIT_LEN = 60 s */
    .backlog = 4096,        /* net.core.somaxconn = 4096 since 5.4 */
    .chack = CHACK_UNLIMITED, /* ref s4: 79e3602caa6f (6.0) per-netns, default INT_MAX */
    .chack_limit = 1000,    /* ref s4: tcp_challenge_ack_limit 1000 (4.7+), used by `N/s` */
    .rst_rate = 0,          /* ref s7: Linux has no host-wide RST budget */
    .icmp_rate = 1000,      /* ref s7: net.ipv4.icmp_msgs_per_sec = 1000 */
    .icmp_per_dest_bucket = true, /* ref s7: icmp_ratelimit 1000 ms, burst 6 */
    .icmp_echo = true,
    .udp_unreach = true,
};

static const struct personality os_freebsd = {
    .os = "freebsd",
    .ttl = 64,              /* net.inet.ip.ttl = IPDEFTTL 64 */
    .window = 65535,        /* net.inet.tcp.recvspace 64 KiB, shown unscaled in the SYN-ACK */
    .mss = 1460,
    .wscale = 6,            /* nmap fingerprints O=M5B4NW6... [recalled] */
    .opt_sack = true, .opt_ts = true, .opt_wscale = true,
    .opt_style = OS_OPTS_BSD,    /* tcp_addoptions order */
    .ts_hz = 1000,          /* tcp_ts_getticks: ms (kern.hz 1000) */
    .df = true,             /* net.inet.tcp.path_mtu_discovery = 1: DF on every TCP segment, RSTs too */
    .rst_df_zero_id = false, /* the `zero` IP-ID generator already gives DF datagrams 0 */
    .synack_df_zero_id = false,
    .icmp_df = false,
    .rst_window = 0,        /* tcp_respond with no tcpcb: window 0 */
    .rst_on_fin_open = false,
    .rst_ack_on_closed_syn = true,
    .isn = { GEN_ISN_RFC6528, 0 },   /* ref s1: SipHash(4-tuple) + isn_offset; rfc6528-like */
    .ipid = { GEN_IPID_ZERO, 0, 1000, false }, /* ref s2: net.inet.ip.rfc6864=1: DF -> 0 */
    .synack_retries = 3,    /* syncache SYNCACHE_MAXREXMTS 3 [recalled] */
    .synack_rto_ms = 1000,  /* tcp_rexmit_initial 1 s (FreeBSD 13+) [recalled] */
    .time_wait_ms = 60000,  /* 2 * net.inet.tcp.msl (30 s) */
    .backlog = 128,         /* kern.ipc.soacceptqueue = SOMAXCONN 128 */
    .chack = CHACK_UNLIMITED, /* RFC 5961 RST/SYN checks (insecure_rst=0); no host budget [recalled] */
    .chack_limit = 1000,
    .rst_rate = 200,        /* ref s7: badport_bandlim, net.inet.icmp.icmplim 200/s */
    .icmp_rate = 200,       /* ref s7: same icmplim */
    .icmp_per_dest_bucket = false,
    .icmp_echo = true,
    .udp_unreach = true,
};

static const struct personality os_openbsd = {
    .os = "openbsd",
    .ttl = 64,              /* IPDEFTTL 64 */
    .window = 16384,        /* tcp_recvspace 16 KiB (nmap W=4000) [recalled] */
    .mss = 1460,
    .wscale = 6,            /* [recalled] */
    .opt_sack = true, .opt_ts = true, .opt_wscale = true,
    .opt_style = OS_OPTS_BSD,
    .ts_hz = 1000,          /* tcp_now() in ms (OpenBSD 6.x+) [recalled] */
    .df = true,             /* PMTU discovery on */
    .rst_df_zero_id = false,
    .synack_df_zero_id = false,
    .icmp_df = false,
    .rst_window = 0,
    .rst_on_fin_open = false,
    .rst_ack_on_closed_syn = true,
    .isn = { GEN_ISN_RANDOM, 0 },    /* ref s1: tcp_rndiss, OpenBSD 2.x-5.x */
    .ipid = { GEN_IPID_RANDOM, 0, 1000, false }, /* ref s2: ip_id.c shuffle table */
    .synack_retries = 3,    /* syn cache retransmits [recalled] */
    .synack_rto_ms = 1000,  /* [recalled] */
    .time_wait_ms = 60000,  /* 2 * TCPTV_MSL (30 s) */
    .backlog = 128,         /* SOMAXCONN 128 */
    .chack = CHACK_OFF,     /* no RFC 5961 challenge ACKs [recalled] */
    .chack_limit = 1000,
    .rst_rate = 100,        /* net.inet.tcp.rstppslim 100 [recalled] */
    .icmp_rate = 100,       /* net.inet.icmp.errppslimit 100 [recalled] */
    .icmp_per_dest_bucket = false,
    .icmp_echo = true,
    .udp_unreach = true,
};

static const struct personality os_windows = {
    .os = "windows",
    .ttl = 128,             /* DefaultTTL 128 */
    .window = 64240,        /* Windows 10 SYN-ACK W=FAF0 (44*1460); older 65535 [recalled] */
    .mss = 1460,
    .wscale = 8,            /* nmap fingerprints O=M5B4NW8... [recalled] */
    .opt_sack = true, .opt_ts = true, .opt_wscale = true,
    .opt_style = OS_OPTS_WINDOWS,
    .ts_hz = 1000,          /* nmap TS=A [recalled] */
    .df = true,
    .rst_df_zero_id = false,
    .synack_df_zero_id = false,
    .icmp_df = false,
    .rst_window = 0,
    .rst_on_fin_open = true, /* ref s7: RST to FIN/NULL/Xmas even on open ports */
    .rst_ack_on_closed_syn = true,
    .isn = { GEN_ISN_RANDOM, 0 },    /* ref s1: random ISNs since NT4 SP4 */
    .ipid = { GEN_IPID_GLOBAL, 1, 1000, false }, /* ref s2: global counter, pre-Windows 8 style
                                                    (8+ uses per-path counters) */
    .synack_retries = 2,    /* TcpMaxConnectResponseRetransmissions 2 [recalled] */
    .synack_rto_ms = 3000,  /* classic initial RTO 3 s [recalled] */
    .time_wait_ms = 240000, /* TcpTimedWaitDelay 240 s [recalled] */
    .backlog = 200,         /* SOMAXCONN capped at 200 [recalled] */
    .chack = CHACK_UNLIMITED, /* exact-match RST since MS05-019, answers others with an ACK [recalled] */
    .chack_limit = 1000,
    .rst_rate = 0,
    .icmp_rate = 0,
    .icmp_per_dest_bucket = false,
    .icmp_echo = true,
    .udp_unreach = true,
};

static const struct personality os_bsd43 = {
    .os = "bsd43",
    .ttl = 30,              /* 4.3BSD tcp_timer.h 7.4: TCP_TTL 30 (4.3-Reno/4.4: 60, then 64) */
    .window = 4096,         /* tcp_recvspace 4096 */
    .mss = 1460,            /* tcp_mss: if_mtu - 40 for a local net (512 off-net) */
    .wscale = 0,
    .opt_sack = false, .opt_ts = false, .opt_wscale = false, /* pre-RFC 1323 */
    .opt_style = OS_OPTS_MSS_ONLY,
    .ts_hz = 2,             /* PR_SLOWHZ (unused: no timestamps) */
    .df = false,            /* no PMTU discovery before RFC 1191 */
    .rst_df_zero_id = false,
    .synack_df_zero_id = false,
    .icmp_df = false,
    .rst_window = 0,        /* tcp_respond with no tcpcb: window 0 */
    .rst_on_fin_open = false,
    .rst_ack_on_closed_syn = true,
    .isn = { GEN_ISN_BSD64K, 0 },    /* ref s1: +64000 per 500 ms and per connection */
    .ipid = { GEN_IPID_GLOBAL, 1, 1000, false }, /* ref s2: ip_id++ for every datagram */
    .synack_retries = 4,    /* SRTTDFLT 3 s doubling: 3+6+12+24 s fit in TCPTV_KEEP 75 s */
    .synack_rto_ms = 3000,  /* TCPTV_SRTTDFLT 3 s */
    .time_wait_ms = 30000,  /* 2 * TCPTV_MSL (15 s in tcp_timer.h 7.4) */
    .backlog = 5,           /* SOMAXCONN 5: the queue Mitnick filled (ref s5) */
    .chack = CHACK_OFF,     /* RFC 793: any in-window RST resets */
    .chack_limit = 1000,
    .rst_rate = 0,
    .icmp_rate = 0,
    .icmp_per_dest_bucket = false,
    .icmp_echo = true,
    .udp_unreach = true,
};

static const struct personality os_printer = {
    .os = "printer",
    .ttl = 64,              /* most embedded stacks IPDEFTTL 64 (some 255) [recalled] */
    .window = 8760,         /* 6 * 1460, common on embedded BSD-derived stacks [recalled] */
    .mss = 1460,
    .wscale = 0,
    .opt_sack = false, .opt_ts = false, .opt_wscale = false,
    .opt_style = OS_OPTS_MSS_ONLY,
    .ts_hz = 2,
    .df = false,
    .rst_df_zero_id = false,
    .synack_df_zero_id = false,
    .icmp_df = false,
    .rst_window = 0,
    .rst_on_fin_open = false,
    .rst_ack_on_closed_syn = true,
    .isn = { GEN_ISN_RANDOM_INC, 64000 }, /* ref s1: late-1990s BSD arc4random() % 64000 + 1 */
    .ipid = { GEN_IPID_GLOBAL, 1, 1000, false }, /* ref s2/s6: the idle-scan zombie */
    .synack_retries = 3,    /* [recalled] */
    .synack_rto_ms = 3000,  /* [recalled] */
    .time_wait_ms = 60000,
    .backlog = 16,          /* small embedded listen queue [recalled] */
    .chack = CHACK_OFF,
    .chack_limit = 1000,
    .rst_rate = 0,
    .icmp_rate = 0,
    .icmp_per_dest_bucket = false,
    .icmp_echo = true,
    .udp_unreach = true,
};

static const struct personality *const os_presets[] = {
    &os_linux, &os_freebsd, &os_openbsd, &os_windows, &os_bsd43, &os_printer,
};

static const char *const os_names[] = {
    "linux", "freebsd", "openbsd", "windows", "bsd43", "printer", NULL,
};

const struct personality *os_preset(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof os_presets / sizeof *os_presets; i++)
        if (strcmp(os_presets[i]->os, name) == 0)
            return os_presets[i];
    return NULL;
}

const struct personality *os_default(void)
{
    return &os_linux;
}

const char *const *os_preset_names(void)
{
    return os_names;
}
