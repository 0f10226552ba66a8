/* os.c — personality presets: the numbers that make a simulated host answer like a real one.
 *
 * Each value is commented with its source. Sources: docs/facts/stacks.md
 * sections 1 to 4 ("facts s1" etc.) and docs/facts/offpath.md ("offpath s1"); the stacks' own code as cited (Linux net/ipv4,
 * FreeBSD sys/netinet, OpenBSD sys/netinet, 4.3BSD tcp_timer.h 7.4); nmap's OS fingerprint
 * database (nmap-os-db as shipped with nmap 7.93, 5678 fingerprints; "db" below, with the
 * fingerprint names and fields used: OPS O1..O6 are the SYN-ACK options answering nmap's six
 * SYN probes, WIN W1..W6 their windows, TG the initial TTL, T1..T7 the answers to its seven
 * TCP probes, TI/II the IP-ID classes; counts such as 26/27 are fingerprints agreeing out of
 * those in the named group). Values marked [recalled] are from memory of the stacks, not
 * re-checked: the db cannot show them (timers, budgets, queue lengths).
 * Known gaps the db shows and the personality cannot express yet are listed per preset.
 *
 * Presets are read-only data; a host copies one and its scenario line overrides fields.
 */
#include "os.h"

#include <stddef.h>
#include <string.h>

/* Linux 6.18 (the kernel tests/live/oracle_linux.py and oracle_stateful.py were last run
 * against): single probes and segments inside connections (TS.Recent and PAWS, RFC 5961,
 * SACK and D-SACK, the request and TIME-WAIT sockets: sim/tcp_in.c, sim/tcp_ooo.c). */
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
    .rst_df_zero_id = true, /* facts s3: control-socket RSTs DF, IP-ID 0 (431280eebed9) */
    .synack_df_zero_id = true, /* facts s2: "ipv4: tcp: send zero IPID in SYNACK messages" (5.17) */
    .icmp_df = false,       /* facts s2: the ICMP socket never sets DF */
    .udp_df_shared_id = true, /* offpath s4: unconnected UDP: DF and the shared counter */
    .rst_window = 0,        /* tcp_v4_send_reset: th->window 0 */
    .rst_on_fin_open = false,
    .rst_ack_on_closed_syn = true,
    .isn = { GEN_ISN_RFC6528, 0 },                     /* facts s1: Linux 4.11+ SipHash ISN */
    .ipid = { GEN_IPID_HASHED, 2048, 1000, false },    /* facts s2: ip_idents_reserve, HZ 1000 */
    .synack_retries = 5,    /* net.ipv4.tcp_synack_retries = 5 */
    .synack_rto_ms = 1000,  /* TCP_TIMEOUT_INIT = 1 s, doubling */
    .time_wait_ms = 60000,  /* TCP_TIMEWAIT_LEN = 60 s */
    .backlog = 4096,        /* net.core.somaxconn = 4096 since 5.4 */
    .syncookies = true,     /* net.ipv4.tcp_syncookies = 1 (the default): cookies on overflow */
    .chack = CHACK_UNLIMITED, /* facts s4: 79e3602caa6f (6.0) per-netns, default INT_MAX */
    .chack_limit = 1000,    /* facts s4: tcp_challenge_ack_limit 1000 (4.7+), used by `N/s` */
    .rst_rate = 0,          /* facts s3: Linux has no host-wide RST budget */
    .icmp_rate = 1000,      /* facts s3: net.ipv4.icmp_msgs_per_sec = 1000 */
    .icmp_per_dest_bucket = true, /* facts s3: icmp_ratelimit 1000 ms, burst 6 */
    .icmp_echo = true,
    .udp_unreach = true,
};

static const struct personality os_freebsd = {
    .os = "freebsd",
    .ttl = 64,              /* net.inet.ip.ttl = IPDEFTTL 64; db TG=40 27/27 */
    .window = 65535,        /* net.inet.tcp.recvspace 64 KiB, shown unscaled in the SYN-ACK;
                               db W1..W6=FFFF 26/27 */
    .mss = 1460,
    .wscale = 6,            /* db 'FreeBSD 11.x/12.x' (27): O1=M5B4NW6ST11 21 of 27 (W6) */
    .opt_sack = true, .opt_ts = true, .opt_wscale = true,
    .opt_style = OS_OPTS_BSD,    /* tcp_addoptions order; db O1=M5B4NW6ST11, O3=..NW6NNT11,
                                    O6=..ST11, ECN O=M5B4NW6SLL: the layout matches */
    .ts_hz = 1000,          /* tcp_ts_getticks: ms (kern.hz 1000); the db cannot confirm it:
                               TS=21/22 (random per-connection offsets, see below) */
    .df = true,             /* net.inet.tcp.path_mtu_discovery = 1: DF on every TCP segment,
                               RSTs too; db T1 and T5 DF=Y 27/27 */
    .rst_df_zero_id = false, /* the `zero` IP-ID generator already gives DF datagrams 0 */
    .synack_df_zero_id = false,
    .icmp_df = false,
    .rst_window = 0,        /* tcp_respond with no tcpcb: window 0; db T4-T7 W=0 */
    .rst_on_fin_open = false, /* db T2(R=N) 27/27: a NULL to an open port is dropped */
    .rst_ack_on_closed_syn = true, /* db T5 S=Z A=S+ F=AR 26/27 */
    .isn = { GEN_ISN_RFC6528, 0 },   /* facts s1: SipHash(4-tuple) + isn_offset; rfc6528-like;
                                        db GCD=1-6, SP~FE-108 27/27 (random to nmap) */
    .ipid = { GEN_IPID_ZERO, 0, 1000, false }, /* facts s2: net.inet.ip.rfc6864=1: DF -> 0;
                                                  db TI=Z 27/27, CI=Z 24/24 */
    .synack_retries = 3,    /* syncache SYNCACHE_MAXREXMTS 3 [recalled] */
    .synack_rto_ms = 1000,  /* tcp_rexmit_initial 1 s (FreeBSD 13+) [recalled] */
    .time_wait_ms = 60000,  /* 2 * net.inet.tcp.msl (30 s) */
    .backlog = 128,         /* kern.ipc.soacceptqueue = SOMAXCONN 128 */
    .chack = CHACK_UNLIMITED, /* RFC 5961 RST/SYN checks (insecure_rst=0); no host budget [recalled] */
    .chack_limit = 1000,
    .rst_rate = 200,        /* facts s3: badport_bandlim, net.inet.icmp.icmplim 200/s */
    .icmp_rate = 200,       /* facts s3: same icmplim */
    .icmp_per_dest_bucket = false,
    .icmp_echo = true,
    .udp_unreach = true,
    .icmp_quote = 548,      /* icmp_error: net.inet.icmp.quotelen 548 in 12.x (8 before):
                               the whole 328-byte U1 datagram quoted; db every 12.x print
                               but one (12.0-CURRENT) U1 IPL=164, all 11.x IPL=38 [recalled
                               the sysctl; the db shows the change] */
    .icmp_echo_df = true,   /* icmp_reflect: the request's header turned round; db IE DFI=S 27/27 */
    .ecn_incoming = true,   /* net.inet.tcp.ecn.enable=2 (ECN for incoming connections): ECE
                               on the SYN-ACK; db ECN CC=Y 26/27 (was N) */
    .ts_offset_per_conn = true, /* tcp_new_ts_offset, net.inet.tcp.ts_offset_per_conn=1 (12.0+):
                               db 'FreeBSD 12.0-RELEASE - 13.0-CURRENT' TS=20-22, the rate of
                               random TSvals (was A: one offset per address pair, 1000 Hz) */
    /* The preset is FreeBSD 12 ('FreeBSD 12.0-RELEASE - 13.0-CURRENT', the builtin db's
     * 12.X): its SYN-ACK MSS is its own, M5B4, whatever the SYN offered (db 11.2+ and 12.x
     * prints O1-O6 one value); only 11.0/11.1 answered min(ours, the SYN's), O2=M578
     * O3=M280 O5=M218 O6=M109 (15/27 of the 11.x/12.x group, all of them 11.0/11.1).
     * ICMP IP-IDs: II=RI already (the zero generator leaves non-DF datagrams random). */
};

static const struct personality os_openbsd = {
    .os = "openbsd",
    .ttl = 64,              /* IPDEFTTL 64; db 'OpenBSD 6.x' (12): TG=40 12/12 for TCP */
    .window = 16384,        /* tcp_recvspace 16 KiB; db W1..W6=4000 12/12 */
    .mss = 1460,
    .wscale = 6,            /* db O1=..NW6.. 9/12 (NW3 3/12) */
    .opt_sack = true, .opt_ts = true, .opt_wscale = true,
    .opt_style = OS_OPTS_OPENBSD, /* db O1=M5B4NNSNW6NNT11 12/12 (was OS_OPTS_BSD, FreeBSD's
                                     MSS,NOP,WS,SACK,TS: not what OpenBSD sends) */
    .ts_hz = 1000,          /* tcp_now() in ms (OpenBSD 6.x+) [recalled]: the db shows TS=21/22,
                               random per-connection offsets hide the rate */
    .df = true,             /* PMTU discovery on; db T1 DF=Y 9/12 */
    .rst_df_zero_id = false,
    .synack_df_zero_id = false,
    .icmp_df = false,
    .rst_window = 0,
    .rst_on_fin_open = false,
    .rst_ack_on_closed_syn = true,
    .isn = { GEN_ISN_RANDOM, 0 },    /* facts s1: tcp_rndiss, OpenBSD 2.x-5.x (current: SHA-512 +
                                        tcp_iss); db GCD=1-6 11/12: random to nmap either way */
    .ipid = { GEN_IPID_RANDOM, 0, 1000, false }, /* facts s2: ip_id.c shuffle table; db TI=RD 12/12 */
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
    .icmp_ttl = 255,        /* icmp_reflect: MAXTTL; db U1 and IE TG=FF 12/12 */
    .icmp_quote = 8,        /* icmp_error: RFC 792's 8 bytes; db U1 IPL=38 12/12 */
    .icmp_echo_df = true,   /* icmp_reflect; db IE DFI=S 7/11 */
    .pf_default = true,     /* pf on, /etc/pf.conf as installed (sim/tcp_pf.c): pf_normalize_tcp
                               drops SYN+FIN+PSH+URG and FIN+PSH+URG (db T3 and T7 R=N 11/12;
                               T2 R=N as before), "block return" answers a stateless ACK with
                               RST+ACK, ACK = SEG.SEQ (T4 and T6 F=AR S=A A=S 7/12, was F=R
                               A=Z). FIN, NULL and Xmas scans see open|filtered everywhere. */
    .ts_offset_per_conn = true, /* syn_cache sc_modulate = arc4random(): TSvals offset per
                               connection; db OpenBSD 6.x TS=20-22 12/12 (was A) */
};

static const struct personality os_windows = {
    .os = "windows",
    .ttl = 128,             /* DefaultTTL 128; db 'Windows 10'/'Server 2016' (42): TG=80 37/42 */
    .window = 65535,        /* db 'Windows 10 1703' .. '1809 - 1909' (11): W1=FFFF 9/11, all three
                               1709+ fingerprints; 1507-1607 and Server 2016 (29): 2000 (8192);
                               no Windows 10 fingerprint has W1=FAF0 (64240 is the SYN a
                               Windows client sends, not its SYN-ACK). Windows 11: not in db */
    .mss = 1460,
    .wscale = 8,            /* db O1=M5B4NW8.. 31/42 */
    .opt_sack = true, .opt_wscale = true,
    .opt_ts = false,        /* db 'Windows 10 1709 - 1803', '1709 - 1909', '1809 - 1909': TS=U,
                               O1=M5B4NW8NNS (the offered TS not echoed); 1507-1703 echoed it
                               (O1=M5B4NW8ST11, TS=A) */
    .opt_style = OS_OPTS_WINDOWS, /* db O1=M5B4NW8ST11, O3=M5B4NW8NNT11, ECN O=M5B4NW8NNS */
    .ts_hz = 1000,          /* db TS=A 38/42 (the builds that use timestamps) */
    .df = true,             /* db T1 and T5 DF=Y 42/42 */
    .rst_df_zero_id = false,
    .synack_df_zero_id = false,
    .icmp_df = false,       /* db IE DFI=N 39/39, U1 DF=N 42/42 */
    .rst_window = 0,        /* db T2-T7 W=0 */
    .rst_ack_field_seq = true, /* a bare RST's ACK field = its SEQ (tcp_out.c; p0fr.fp Windows
                                  "dropped 2" Q and A quirks): db T4 and T6 A=O 38/38 (was Z) */
    .rst_on_fin_open = true, /* facts s3: RST to FIN/NULL/Xmas even on open ports; db T2 (NULL,
                                open port) R=Y S=Z A=S F=AR 33/42 */
    .rst_ack_on_closed_syn = true, /* db T5 S=Z A=S+ F=AR 42/42 */
    .icmp_echo_code_zero = true,   /* db IE CD=Z 39/39: the request's code is not copied */
    .listen_synfin = OS_SYNFIN_RST, /* db T3 (SYN+FIN+PSH+URG, open port) F=AR A=O 34/34 */
    .isn = { GEN_ISN_RANDOM, 0 },    /* facts s1: random ISNs since NT4 SP4; db GCD=1-6 42/42 */
    .ipid = { GEN_IPID_GLOBAL, 1, 1000, false }, /* facts s2: global counter; db TI=I 41/42,
                                                    II=I 38/38, SS=S 31/31 (one vantage point
                                                    cannot tell it from 8+'s per-path counters) */
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
    .udp_unreach = true,   /* db U1 IPL=164 42/42: the whole datagram quoted, as host_icmp.c does */
};

static const struct personality os_bsd43 = {
    .os = "bsd43",
    .ttl = 30,              /* 4.3BSD tcp_timer.h 7.4: TCP_TTL 30 (4.3-Reno/4.4: 60, then 64);
                               db '4.3BSD' (4.3BSD on VAX/SimH): T=19-23 on every TCP test */
    .window = 4096,         /* tcp_recvspace 4096; db '4.3BSD' W1..W6=1000, 'DEC Ultrix 4.0' too */
    .mss = 1024,            /* db '4.3BSD' O1..O6=M400 and 'DEC Ultrix 4.0' O1=M400: tcp_mss
                               rounds if_mtu - 40 down to a cluster (MCLBYTES 1024 on a VAX);
                               was 1460 */
    .wscale = 0,
    .opt_sack = false, .opt_ts = false, .opt_wscale = false, /* pre-RFC 1323 */
    .opt_style = OS_OPTS_MSS_ONLY,
    .ts_hz = 2,             /* PR_SLOWHZ (unused: no timestamps) */
    .df = false,            /* no PMTU discovery before RFC 1191; db '4.3BSD' DF=N everywhere */
    .rst_df_zero_id = false,
    .synack_df_zero_id = false,
    .icmp_df = false,
    .rst_window = 0,        /* tcp_respond with no tcpcb: window 0; db '4.3BSD' T5-T7 W=0 */
    .rst_window_listen = true, /* tcp_respond with the listener's tcpcb: its window; db
                                  '4.3BSD' T4 W=1000 */
    .icmp_quote_host_order = true, /* VAX ip_input/udp_input; db '4.3BSD' U1 RID=4210 RIPCK=Z
                                      RUCK=0 */
    .rst_on_fin_open = false, /* db '4.3BSD' T2 R=N */
    .rst_ack_on_closed_syn = true, /* db '4.3BSD' T5 S=Z A=S+ F=AR */
    .rst_ack_skips_fin = true,     /* dropwithreset; db '4.3BSD' T7 (FIN+PSH+URG) A=S */
    .listen_synfin = OS_SYNFIN_ACK, /* tcp_input: SYN+FIN to a listener ends in CLOSE-WAIT
                                       before tcp_output: a bare ACK (sim/tcp.c); db '4.3BSD'
                                       T3 F=A S=O A=O O= (was a SYN-ACK), 'DEC Ultrix 4.0'
                                       F=A|AR */
    .isn = { GEN_ISN_BSD64K, 0 },    /* facts s1: +64000 per 500 ms and per connection; db
                                        '4.3BSD' GCD=FA00|1F400.. (64000), SP=C-16, ISR=97-A1 */
    .ipid = { GEN_IPID_GLOBAL, 1, 1000, false }, /* facts s2: ip_id++ for every datagram; db
                                                    '4.3BSD' TI=I CI=I II=I SS=S */
    .synack_retries = 4,    /* SRTTDFLT 3 s doubling: 3+6+12+24 s fit in TCPTV_KEEP 75 s */
    .synack_rto_ms = 3000,  /* TCPTV_SRTTDFLT 3 s */
    .time_wait_ms = 30000,  /* 2 * TCPTV_MSL (15 s in tcp_timer.h 7.4) */
    .backlog = 5,           /* SOMAXCONN 5: the queue Mitnick filled (offpath s1) */
    .bsd_listen_queue = true, /* sonewconn: 3 * 5 / 2 + 1 = 8 entries, then every segment
                                 to the port dropped (offpath s6) */
    .synrecv_keep_ms = 75000, /* TCPTV_KEEP_INIT: half-open connections held 75 s */
    .chack = CHACK_OFF,     /* RFC 793: any in-window RST resets */
    .chack_limit = 1000,
    .rst_rate = 0,
    .icmp_rate = 0,
    .icmp_per_dest_bucket = false,
    .icmp_echo = true,
    .udp_unreach = true,
    .icmp_ttl = 255,        /* icmp_reflect: MAXTTL; db '4.3BSD' U1 and IE TG=FF */
    .icmp_quote = 8,        /* icmp_error: RFC 792's 8 bytes; db U1 IPL=38 */
    .icmp_echo_df = true,   /* icmp_reflect; db '4.3BSD' IE DFI=S */
};

/* An HP JetDirect / LaserJet network printer: the db's largest printer family (116 of 405
 * printer fingerprints are HP) and its most consistent single stack, the 44 HP fingerprints
 * whose O1 is M...NW0NNT11 ("the JetDirect cluster" below: 'HP LaserJet 4250 printer',
 * 'HP LaserJet 2420 printer', 'HP LaserJet P3005 printer', 'HP JetDirect J8013E printer', ...).
 * What matters most here, the idle-scan zombie's global IP-ID, is what printers share:
 * TI=I in 269 of all 405 printer fingerprints. */
static const struct personality os_printer = {
    .os = "printer",
    .ttl = 64,              /* db JetDirect cluster TG=40 44/44 (all printers: 296/405) */
    .window = 1460,         /* db JetDirect cluster W1..W6=5B4 28/44 (16D0 6, 2DA0 4); was 8760
                               (from memory), in 2 of 405 printer fingerprints */
    .mss = 1460,
    .wscale = 0,            /* db O1=..NW0.. 44/44: offers scaling, scales by 0 */
    .opt_sack = false, .opt_ts = true, .opt_wscale = true, /* db O1=M5B4NW0NNT11 35/44 (no SACK),
                               O6=M5B4NNT11; was MSS only (the db's Brother-style stacks) */
    .opt_style = OS_OPTS_WINDOWS, /* the same bytes for these options: MSS, NOP,WS, NOP,NOP,TS
                                     (ECN O=M5B4NW0 32/40) */
    .ts_hz = 2,             /* db TS=1 (2 Hz, PR_SLOWHZ) 23/44; TS=7 (100 Hz) 12/44 */
    .df = false,            /* db T1 DF=N 28/44, T5 DF=N 44/44 */
    .rst_df_zero_id = false,
    .synack_df_zero_id = false,
    .icmp_df = false,       /* db U1 DF=N 44/44 */
    .rst_window = 0,        /* db T5 W=0 44/44, T6 W=0 36/36 */
    .rst_window_listen = true, /* db JetDirect cluster T4 W=5B4 14/36 ('HP LaserJet 2420') */
    .listen_synfin = OS_SYNFIN_DROP, /* db 'HP LaserJet 2420 printer' T3 R=N */
    .icmp_quote_host_order = true, /* a BSD-derived stack on a little-endian CPU: db 'HP
                                      LaserJet 2420 printer' U1 RID=4210 RIPCK=Z RUCK=0 */
    .rst_on_fin_open = false, /* db T2 R=N 44/44 */
    .rst_ack_on_closed_syn = true, /* db T5 S=Z A=S+ F=AR 42/44 */
    .rst_ack_skips_fin = true,     /* BSD-derived dropwithreset; db T7 A=S 30/30 */
    .isn = { GEN_ISN_RANDOM_INC, 200000 }, /* random increments per connection (facts s1's
                                             late-1990s BSD shape), their size from the db:
                                             JetDirect cluster ISR=9B-A5 15/44, 98-A6 36/44,
                                             SP 5B-A1: centre A0 = 8 log2(1M/s), i.e. +100000
                                             a connection on average at nmap's 100 ms:
                                             U[1, 200000] gives ISR 9F, SP ~9A (was 64000,
                                             arc4random() % 64000 + 1: ISR 91, in no range) */
    .ipid = { GEN_IPID_GLOBAL, 1, 1000, false }, /* facts s2, offpath s3: the idle-scan zombie; db TI=I
                                                    40/44, II=I 39/40, SS=S 37/37 */
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
    .icmp_quote = 8,        /* db U1 IPL=38 28/44 */
    .icmp_echo_df = true,   /* db IE DFI=S 40/40 */
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

/* The challenge-ACK eras (docs/facts/offpath.md section 5): each sets the budget its kernels
 * shipped with; the era itself decides the per-socket limit and the ACK checks (os.h). */
static const struct {
    const char *name;
    enum chack_era era;
    enum chack_mode mode;
    uint32_t limit;
} os_chack_eras[] = {
    { "linux-3.6", CHACK_ERA_LINUX36, CHACK_FIXED, 100 },     /* 282f23c6ee34: limit 100;
                                                                 no per-socket limit at all */
    { "linux-4.0", CHACK_ERA_LINUX40, CHACK_FIXED, 100 },     /* + 032ee4236954/f2b2c582e824
                                                                 per socket, data spared */
    { "linux-4.7", CHACK_ERA_LINUX47, CHACK_RANDOM, 1000 },   /* 75ff39ccc1bd: 1000, random;
                                                                 + 083ae308280d (4.7 or 4.8) */
    { "linux-6.0", CHACK_ERA_LINUX60, CHACK_UNLIMITED, 1000 },/* 79e3602caa6f: INT_MAX */
};

const char *os_chack_era_name(enum chack_era e)
{
    for (size_t i = 0; i < sizeof os_chack_eras / sizeof *os_chack_eras; i++)
        if (os_chack_eras[i].era == e)
            return os_chack_eras[i].name;
    return NULL;
}

enum chack_era os_chack_era_parse(const char *s, size_t len, enum chack_mode *mode,
                                  uint32_t *limit)
{
    for (size_t i = 0; i < sizeof os_chack_eras / sizeof *os_chack_eras; i++) {
        const char *n = os_chack_eras[i].name;
        if (strlen(n) == len && memcmp(n, s, len) == 0) {
            *mode = os_chack_eras[i].mode;
            *limit = os_chack_eras[i].limit;
            return os_chack_eras[i].era;
        }
    }
    return CHACK_ERA_NONE;
}
