/* tcp_rules.c — the table of every decision a simulated TCP makes: reset generation (RFC 793
 * section 3.4), segment arrival (3.9), RFC 5961's challenge ACKs, and the places where a
 * real stack (Linux, which `os linux` is checked against) does something of its own.
 *
 * Read it as RFC 793 is written: a state, what arrives, what the host does. Each row is
 *   { state class, segment condition, action, action word, rule ID, text, text elsewhere }
 * The rule ID is what the transcript prints beside the text and what tests and graders
 * match (docs/rules.md lists them all). The processing code (tcp.c, tcp_in.c) works out
 * which row's condition holds and calls tcp_rule_apply, which does what the row's action
 * column says: the resets, ACKs and challenge ACKs are decided here.
 *
 * RFC 793 3.4, the three reset cases, in short:
 *   1. no connection (CLOSED): any segment but a RST is answered with a reset; if the
 *      segment has ACK the reset is <SEQ=SEG.ACK><CTL=RST>, else
 *      <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>;
 *   2. a non-synchronized state (LISTEN, SYN-SENT, SYN-RECEIVED) and the segment
 *      acknowledges something never sent: a reset of the same form;
 *   3. a synchronized state and an unacceptable segment (sequence outside the window, or an
 *      ACK of something never sent): only an empty ACK <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>,
 *      and the state stays.
 * RFC 5961 narrows what an attacker who cannot see the traffic can do: a RST is accepted
 * only at exactly RCV.NXT, any other in-window RST gets a "challenge ACK" (3.2); so does any
 * SYN in a synchronized state (4.2) and an ACK too far in the past (5.2); the challenge ACKs
 * are rate limited (7). A stack without RFC 5961 (`challenge-ack off`: 4.4BSD, OpenBSD,
 * printers) follows RFC 793: an in-window RST or SYN resets the connection.
 *
 * Text for other stacks: a row whose text names Linux's code gives, in `other`, the text a
 * host that is not Linux prints: the same decision, saying that this stack follows Linux's
 * rule there because its own is not modelled (LINUX_RULE below).
 *
 * Sources: RFC 793 3.4 and 3.9; RFC 9293 3.10.7; RFC 5961 3.2, 4.2, 5.2, 7; RFC 1122
 * 4.2.2.13; RFC 6191; RFC 6298; Linux net/ipv4/tcp_input.c (tcp_validate_incoming,
 * tcp_rcv_state_process, tcp_rcv_synsent_state_process, tcp_ack, tcp_data_queue,
 * tcp_reset_check, tcp_send_challenge_ack, tcp_oow_rate_limited), tcp_minisocks.c
 * (tcp_check_req, tcp_timewait_state_process), tcp_ipv4.c (tcp_v4_rcv, tcp_v4_err,
 * tcp_req_err), tcp_timer.c; 4.4BSD tcp_input.c (dropwithreset).
 */
#include "tcp_rules.h"

#include "tcp_int.h"

/* A row describing Linux's behaviour: the Linux text, and for other stacks the same words
 * saying whose rule it is. */
#define LINUX_RULE(fn, what) \
    .text = "Linux " fn ": " what, \
    .other = what " (Linux " fn "'s rule: this stack's own is not modelled)"

const struct tcp_rule tcp_rules[TR_COUNT] = {
    /* ---- OpenBSD's default pf.conf ahead of the stack (tcp_pf.c) ---- */
    [TR_PF_NORMALIZE] = { "any (OpenBSD pf)", "no SYN, ACK or RST; SYN+RST; FIN, PSH or URG "
        "without ACK", TCP_ACT_NOTE, "drop", "openbsd-pf-normalize",
        "OpenBSD pf_normalize_tcp: an illegal flag combination is dropped before TCP sees it "
        "(a SYN's FIN is taken off first)", NULL },
    [TR_PF_BLOCK_RETURN] = { "no TCB (OpenBSD pf)", "not SYN alone, not RST", TCP_ACT_NOTE,
        "RST+ACK", "openbsd-pf-block-return",
        "OpenBSD default pf.conf: no state and not a SYN, so \"block return\": pf answers "
        "RST+ACK, SEQ=SEG.ACK, ACK=SEG.SEQ+SEG.LEN (nmap-os-db OpenBSD 6 T4/T6 F=AR A=S)", NULL },
    [TR_PF_BLOCK_RST] = { "no TCB (OpenBSD pf)", "RST", TCP_ACT_NOTE, "drop",
        "openbsd-pf-block-rst", "OpenBSD default pf.conf: a RST without state is blocked and "
        "never answered", NULL },
    /* ---- CLOSED: no TCB and no listener: RFC 793 3.4 case 1 ---- */
    [TR_RST_NEVER_ANSWERED] = { "any without a TCB", "RST", TCP_ACT_DROP, "drop",
        "rfc793-3.4-rst", "RFC 793 3.4 reset generation: a RST is never answered", NULL },
    [TR_CLOSED_ACK] = { "CLOSED", "not RST, ACK set", TCP_ACT_RST, NULL,
        "rfc793-3.4-case1-ack",
        "RFC 793 3.4 reset generation: no listener, segment has ACK (SEQ=SEG.ACK)", NULL },
    [TR_CLOSED_NOACK] = { "CLOSED", "not RST, no ACK", TCP_ACT_RST, NULL,
        "rfc793-3.4-case1-noack",
        "RFC 793 3.4 reset generation: no listener, no ACK (SEQ=0, ACK=SEG.SEQ+SEG.LEN)", NULL },
    [TR_CLOSED_NOACK_BSD] = { "CLOSED (4.4BSD-derived stack)", "not RST, no ACK", TCP_ACT_RST,
        NULL, "bsd44-dropwithreset",
        "4.4BSD dropwithreset: no listener, no ACK (SEQ=0, ACK=SEG.SEQ+data, +1 for SYN, "
        "the FIN not counted)", NULL },
    [TR_BUDGET_RST] = { "CLOSED", "not RST, the host's RST budget spent", TCP_ACT_DROP, "drop",
        "budget-rst-rate", NULL, NULL },

    /* ---- LISTEN: RFC 793 3.9 "If the state is LISTEN"; an ACK is 3.4 case 2 ---- */
    [TR_LISTEN_ACK] = { "LISTEN", "ACK set (checked first, as Linux does)", TCP_ACT_RST, NULL,
        "rfc793-3.4-case2-listen",
        "RFC 793 3.4 reset generation: LISTEN, segment has ACK (SEQ=SEG.ACK)", NULL },
    [TR_LISTEN_RST] = { "LISTEN", "RST", TCP_ACT_DROP, "drop",
        "rfc793-3.9-listen-rst", "RFC 793 3.9 LISTEN: RST ignored", NULL },
    [TR_LISTEN_OTHER] = { "LISTEN", "no SYN, ACK or RST", TCP_ACT_DROP, "drop",
        "rfc793-3.9-listen-other", "RFC 793 3.9 LISTEN: no SYN, ACK or RST: drop", NULL },
    [TR_LISTEN_OTHER_WINDOWS] = { "LISTEN (Windows)", "no SYN, ACK or RST", TCP_ACT_RST, NULL,
        "windows-listen-rst",
        "Windows: no SYN, ACK or RST on an open port: RST+ACK as if closed", NULL },
    [TR_LISTEN_SYNFIN] = { "LISTEN (Linux)", "SYN+FIN", TCP_ACT_DROP, "drop",
        "linux-listen-synfin", "Linux tcp_rcv_state_process: SYN+FIN to a listener: discard",
        NULL },
    [TR_LISTEN_SYNFIN_DROP] = { "LISTEN (JetDirect)", "SYN+FIN", TCP_ACT_DROP, "drop",
        "bsd-listen-synfin-drop", "HP JetDirect: SYN+FIN to a listener: no answer "
        "(nmap-os-db T3 R=N)", NULL },
    [TR_LISTEN_SYNFIN_RST] = { "LISTEN (Windows)", "SYN+FIN", TCP_ACT_RST, NULL,
        "windows-listen-synfin", "Windows: SYN+FIN to a listener: RST+ACK as if closed, the FIN "
        "counted (nmap-os-db Windows 10 T3 F=AR A=O)", NULL },
    [TR_LISTEN_SYNFIN_ACK] = { "LISTEN (4.3BSD)", "SYN+FIN", TCP_ACT_NOTE, "ACK",
        "bsd43-listen-synfin-ack", "4.3BSD tcp_input: SYN+FIN to a listener: the FIN moves "
        "the new connection on to CLOSE-WAIT before any SYN-ACK, so it sends a bare ACK "
        "(SEQ=ISS, no options; nmap-os-db 4.3BSD T3 F=A)", NULL },
    [TR_LISTEN_FROM] = { "LISTEN (`tcp PORT from ADDR`)", "any segment from another address",
        TCP_ACT_DROP, "drop", "scenario-listen-from",
        "tcp PORT from ADDR: the service trusts that address alone (rsh's .rhosts) and a "
        "filter lets no one else reach it: dropped", NULL },
    [TR_BSD_LISTEN_FULL] = { "LISTEN (4.4BSD)", "any segment, the listen queue full",
        TCP_ACT_DROP, "drop", "bsd44-sonewconn-full",
        "4.4BSD tcp_input: sonewconn refuses, the listen queue (3 * backlog / 2 + 1 half-open "
        "and unaccepted connections) is full: segment dropped, no RST, whatever its flags",
        NULL },
    [TR_BUDGET_BACKLOG] = { "LISTEN", "SYN, the listen queue full", TCP_ACT_DROP, "drop",
        "budget-backlog", NULL, NULL },
    [TR_SYNCOOKIE_SEND] = { "LISTEN (Linux, tcp_syncookies = 1)", "SYN, the SYN queue full",
        TCP_ACT_NOTE, "SYN-ACK", "linux-syncookie-send",
        "Linux tcp_conn_request: SYN queue full, tcp_syncookies = 1: SYN-ACK carrying a SYN "
        "cookie, no state kept", NULL },
    [TR_SYNCOOKIE_ACK] = { "LISTEN (Linux, tcp_syncookies = 1)",
        "ACK returning a valid cookie, an overflow within 2 minutes", TCP_ACT_NOTE, "accept",
        "linux-syncookie-ack",
        "Linux cookie_v4_check: the ACK returns a valid SYN cookie: ESTABLISHED, the MSS from "
        "the cookie, no window scaling or SACK (no timestamps to carry them)", NULL },
    [TR_OOM] = { "LISTEN", "SYN, no memory for a TCB", TCP_ACT_DROP, "drop",
        "sim-oom", "out of memory: SYN dropped", NULL },
    [TR_LISTEN_SYN] = { "LISTEN", "SYN", TCP_ACT_NOTE, "SYN-ACK",
        "rfc793-3.9-listen-syn", "RFC 793 3.9 LISTEN: SYN: SYN-ACK, SYN-RECEIVED", NULL },

    /* ---- SYN-SENT: RFC 793 3.9 "If the state is SYN-SENT" ---- */
    [TR_SYNSENT_BADACK_RST] = { "SYN-SENT", "ACK outside ISS < SEG.ACK <= SND.NXT, RST",
        TCP_ACT_DROP, "drop", "rfc793-3.9-synsent-badack-rst",
        "RFC 793 3.9 SYN-SENT: unacceptable ACK with RST: drop", NULL },
    [TR_SYNSENT_BADACK_RST_AGAIN] = { "SYN-SENT (Linux), no retransmission yet",
        "ACK outside ISS < SEG.ACK <= SND.NXT, RST", TCP_ACT_DROP, "drop",
        "linux-synsent-badack-rst",
        "Linux tcp_rcv_synsent_state_process: RST+ACK with an unacceptable ACK: drop, SYN "
        "retransmitted at once", NULL },
    [TR_SYNSENT_BADACK] = { "SYN-SENT", "ACK outside ISS < SEG.ACK <= SND.NXT", TCP_ACT_RST,
        NULL, "rfc793-3.4-case2-synsent",
        "RFC 793 3.9 SYN-SENT: ACK outside ISS < SEG.ACK <= SND.NXT: RST (SEQ=SEG.ACK)", NULL },
    [TR_SYNSENT_BADACK_AGAIN] = { "SYN-SENT (Linux), no retransmission yet",
        "ACK outside ISS < SEG.ACK <= SND.NXT", TCP_ACT_RST, NULL, "linux-synsent-badack",
        "RFC 793 3.9 SYN-SENT: ACK outside ISS < SEG.ACK <= SND.NXT: RST (SEQ=SEG.ACK); Linux "
        "retransmits its SYN at once", NULL },
    [TR_SYNSENT_RST] = { "SYN-SENT", "acceptable ACK, RST", TCP_ACT_RESET,
        "connection refused", "rfc793-3.9-synsent-rst",
        "RFC 793 3.9 SYN-SENT: RST acknowledging our SYN: connection refused", NULL },
    [TR_SYNSENT_NOSYN] = { "SYN-SENT", "neither SYN nor RST", TCP_ACT_DROP, "drop",
        "rfc793-3.9-synsent-other", "RFC 793 3.9 SYN-SENT: neither SYN nor RST: drop", NULL },
    [TR_SYNSENT_SYNACK] = { "SYN-SENT", "SYN, acceptable ACK", TCP_ACT_NOTE, "ACK",
        "rfc793-3.9-synsent-synack",
        "RFC 793 3.9 SYN-SENT: SYN-ACK acknowledging our SYN: ACK, ESTABLISHED", NULL },
    [TR_SYNSENT_RST_NOACK] = { "SYN-SENT", "RST without ACK", TCP_ACT_DROP, "drop",
        "rfc793-3.9-synsent-rst-noack", "RFC 793 3.9 SYN-SENT: RST without ACK: drop", NULL },
    [TR_SYNSENT_SYN] = { "SYN-SENT", "SYN without ACK", TCP_ACT_NOTE, "SYN-ACK",
        "rfc793-3.9-synsent-syn",
        "RFC 793 3.9 SYN-SENT: SYN without ACK: simultaneous open, SYN-ACK, SYN-RECEIVED", NULL },

    /* ---- SYN-RECEIVED from a listener: Linux's request socket (tcp_check_req) ---- */
    /* The *-limited rows: Linux 4.0's per-socket limit of one answer per 500 ms
     * (tcp_oow_rate_limited, net.ipv4.tcp_invalid_ratelimit; 032ee4236954 the helper,
     * a9b2c06dbef4 a request socket's repeated SYN-ACKs, f2b2c582e824 tcp_sock, 4fb17a609167
     * TIME-WAIT; a request socket's out-of-window ACKs came with 4ce7e93cb3fe, whose release
     * was not re-checked and is taken as the same era). A host
     * of the linux-3.6 era has none of them: the row without the limit answers instead
     * (os_oow_limit; docs/facts/offpath.md section 5). */
    [TR_REQ_SYN_LIMITED] = { "SYN-RECEIVED (passive)", "the SYN again, within 500 ms (Linux 4.0+)",
        TCP_ACT_DROP, "drop", "linux-check-req-syn-limited",
        LINUX_RULE("tcp_check_req", "retransmitted SYN, SYN-ACK rate limited (500 ms)") },
    [TR_REQ_SYN] = { "SYN-RECEIVED (passive)", "the SYN again", TCP_ACT_NOTE, "SYN-ACK",
        "linux-check-req-syn",
        LINUX_RULE("tcp_check_req", "retransmitted SYN: SYN-ACK again") },
    [TR_REQ_BADACK] = { "SYN-RECEIVED (passive)", "ACK != ISS+1", TCP_ACT_RST, NULL,
        "rfc793-3.4-case2-synrecv",
        LINUX_RULE("tcp_check_req", "ACK does not acknowledge our SYN-ACK: the listener "
                   "answers RST (SEQ=SEG.ACK)") },
    [TR_REQ_OOW] = { "SYN-RECEIVED (passive)", "outside the window, not RST", TCP_ACT_ACK_CTL,
        "ACK", "linux-check-req-oow",
        LINUX_RULE("tcp_check_req", "segment outside the window: ACK") },
    [TR_REQ_OOW_RST] = { "SYN-RECEIVED (passive)", "RST outside the window", TCP_ACT_DROP, "drop",
        "linux-check-req-oow-rst", LINUX_RULE("tcp_check_req", "RST outside the window: drop") },
    [TR_REQ_OOW_LIMITED] = { "SYN-RECEIVED (passive)",
        "outside the window, within 500 ms (Linux 4.0+)",
        TCP_ACT_DROP, "drop", "linux-oow-rate-limited-req",
        LINUX_RULE("tcp_oow_rate_limited", "ACK suppressed (500 ms per socket)") },
    [TR_REQ_RST_CHALLENGE] = { "SYN-RECEIVED (passive, Linux)", "RST in the window, not exact",
        TCP_ACT_ACK_CTL, "challenge ACK", "rfc5961-3.2-challenge-req",
        "RFC 5961 3.2 (Linux tcp_check_req): in-window RST, not exact: challenge ACK, "
        "half-open connection kept", NULL },
    [TR_REQ_RST] = { "SYN-RECEIVED (passive)", "RST in the window", TCP_ACT_RESET,
        "drop half-open", "rfc793-3.9-synrecv-rst",
        "RFC 793 3.9 SYN-RECEIVED: RST in window: half-open connection dropped, back to "
        "LISTEN", NULL },
    [TR_REQ_SYN_IN_WINDOW] = { "SYN-RECEIVED (passive)", "a new SYN in the window",
        TCP_ACT_RST_RESET, NULL, "rfc793-3.9-synrecv-syn",
        "RFC 793 3.9 SYN-RECEIVED: SYN in window: RST, half-open connection dropped", NULL },
    [TR_REQ_NOACK] = { "SYN-RECEIVED (passive)", "no ACK", TCP_ACT_DROP, "drop",
        "linux-check-req-noack", LINUX_RULE("tcp_check_req", "no ACK: drop") },
    [TR_REQ_ACK] = { "SYN-RECEIVED (passive)", "ACK of our SYN-ACK", TCP_ACT_NOTE, "accept",
        "rfc793-3.9-synrecv-ack",
        "RFC 793 3.9 SYN-RECEIVED: ACK of our SYN-ACK: ESTABLISHED (the application "
        "accepts)", NULL },

    /* ---- synchronized states, "first check sequence number" (RFC 793 3.4 case 3) ---- */
    [TR_SYNC_NOFLAGS_EST] = { "ESTABLISHED", "no ACK, RST or SYN", TCP_ACT_DROP, "drop",
        "linux-rcv-established-noflags", LINUX_RULE("tcp_rcv_established", "no ACK, RST or SYN: drop") },
    [TR_SYNC_NOFLAGS] = { "other synchronized states", "no ACK, RST or SYN", TCP_ACT_DROP, "drop",
        "linux-rcv-noflags", LINUX_RULE("tcp_rcv_state_process", "no ACK, RST or SYN: drop") },
    [TR_SYNC_RST_RCVNXT_1] = { "CLOSE-WAIT, CLOSING, LAST-ACK (RFC 5961 on)",
        "RST at RCV.NXT-1 (the peer's FIN)", TCP_ACT_RESET, "reset", "linux-reset-check",
        LINUX_RULE("tcp_reset_check", "RST at RCV.NXT-1 after the peer's FIN: connection "
                   "reset") },
    [TR_SYNC_RST_OUTSIDE] = { "synchronized", "RST outside the window", TCP_ACT_DROP, "drop",
        "rfc5961-3.2-outside", "RFC 5961 3.2: RST outside the window: drop", NULL },
    /* f2b2c582e824 (Linux 4.0), tcp_validate_incoming: LINUX_MIB_TCPACKSKIPPEDSEQ */
    [TR_SYNC_OOW_LIMITED] = { "synchronized",
        "unacceptable, within 500 ms of the last (Linux 4.0+)",
        TCP_ACT_DROP, "drop", "linux-oow-rate-limited",
        LINUX_RULE("tcp_oow_rate_limited", "duplicate ACK suppressed (500 ms per socket)") },
    [TR_SYNC_UNACCEPTABLE] = { "synchronized", "sequence outside the window, no RST",
        TCP_ACT_ACK, "ACK", "rfc793-3.4-case3",
        "RFC 793 3.9: unacceptable segment: ACK (<SEQ=SND.NXT><ACK=RCV.NXT>), never a RST", NULL },

    /* f2b2c582e824 (Linux 4.0), tcp_validate_incoming: LINUX_MIB_TCPACKSKIPPEDPAWS */
    [TR_PAWS_OOW_LIMITED] = { "synchronized, timestamps on",
        "PAWS fails, within 500 ms (Linux 4.0+)",
        TCP_ACT_DROP, "drop", "linux-oow-rate-limited-paws",
        LINUX_RULE("tcp_oow_rate_limited", "PAWS duplicate ACK suppressed (500 ms per "
                   "socket)") },
    [TR_PAWS] = { "synchronized, timestamps on", "not RST, TSval older than TS.Recent",
        TCP_ACT_ACK, "ACK", "rfc7323-5.3-paws",
        "RFC 7323 5.3 PAWS: TSval older than TS.Recent: segment dropped, duplicate ACK", NULL },

    /* ---- "second check the RST bit", "fourth check the SYN bit" ---- */
    [TR_SYNC_RST_793] = { "synchronized (RFC 5961 off)", "RST in the window", TCP_ACT_RESET,
        "reset", "rfc793-3.9-rst-in-window", "RFC 793 3.9: RST in window: connection reset", NULL },
    [TR_SYNC_RST_EXACT] = { "synchronized (RFC 5961 on)", "RST, SEQ == RCV.NXT", TCP_ACT_RESET,
        "reset", "rfc5961-3.2-exact", "RFC 5961 3.2: RST with SEQ == RCV.NXT: connection reset",
        NULL },
    [TR_SYNC_RST_CHALLENGE] = { "synchronized (RFC 5961 on)", "RST in the window, not exact",
        TCP_ACT_CHACK, "challenge ACK", "rfc5961-3.2-challenge",
        "RFC 5961 3.2: in-window RST, not exact: challenge ACK", NULL },
    [TR_SYNC_SYN_793] = { "synchronized (RFC 5961 off)", "SYN in the window",
        TCP_ACT_RST_RESET, NULL, "rfc793-3.9-syn-in-window",
        "RFC 793 3.9: SYN in window: RST, connection reset", NULL },
    [TR_SYNC_SYN_CHALLENGE] = { "synchronized (RFC 5961 on)", "SYN, in or out of the window",
        TCP_ACT_CHACK, "challenge ACK", "rfc5961-4.2",
        "RFC 5961 4.2: SYN in a synchronized state: challenge ACK", NULL },

    /* ---- RFC 5961 7: what stops a challenge ACK ---- */
    /* f2b2c582e824 (4.0) spared data segments; 083ae308280d (2016) limits every one */
    [TR_CHACK_OOW_LIMITED] = { "synchronized",
        "a challenge ACK within 500 ms of the last (Linux 4.0+)",
        TCP_ACT_DROP, "drop", "linux-oow-rate-limited-chack",
        LINUX_RULE("tcp_oow_rate_limited", "challenge ACK suppressed (500 ms per socket)") },
    [TR_BUDGET_CHACK] = { "synchronized", "a challenge ACK, the host's budget spent",
        TCP_ACT_DROP, "drop", "budget-challenge-ack", NULL, NULL },

    /* ---- "fifth check the ACK field" (RFC 5961 5.2) ---- */
    [TR_SIMOPEN_BADACK] = { "SYN-RECEIVED (simultaneous open)", "ACK outside SND.UNA..SND.NXT",
        TCP_ACT_RST, NULL, "rfc793-3.4-case2-simopen",
        "RFC 793 3.9 SYN-RECEIVED: unacceptable ACK: RST (SEQ=SEG.ACK)", NULL },
    [TR_ACK_OLD_CHALLENGE] = { "synchronized (RFC 5961 on)", "SEG.ACK < SND.UNA - MAX.SND.WND",
        TCP_ACT_CHACK, "challenge ACK", "rfc5961-5.2",
        .text = "RFC 5961 5.2 (Linux): SEG.ACK < SND.UNA - min(MAX.SND.WND, bytes acked): "
                "challenge ACK",
        .other = "RFC 5961 5.2: SEG.ACK < SND.UNA - MAX.SND.WND: challenge ACK" },
    [TR_ACK_OLD_CHALLENGE_MAXWND] = { "synchronized (challenge-ack linux-3.6, -4.0 or -4.7)",
        "SEG.ACK < SND.UNA - MAX.SND.WND", TCP_ACT_CHACK, "challenge ACK", "rfc5961-5.2-max-wnd",
        .text = "RFC 5961 5.2 (Linux 3.6-5.x): SEG.ACK < SND.UNA - MAX.SND.WND: challenge ACK",
        .other = "RFC 5961 5.2: SEG.ACK < SND.UNA - MAX.SND.WND: challenge ACK" },
    [TR_ACK_FUTURE_CHALLENGE] = { "synchronized (RFC 5961, no host budget)",
        "SEG.ACK > SND.NXT", TCP_ACT_CHACK, "challenge ACK", "rfc5961-5.2-future",
        .text = "RFC 5961 5.2 (Linux 6.x): SEG.ACK > SND.NXT: challenge ACK",
        .other = "RFC 5961 5.2: SEG.ACK > SND.NXT: challenge ACK" },
    [TR_ACK_FUTURE_DROP] = { "synchronized (RFC 5961 off, or with a host budget)",
        "SEG.ACK > SND.NXT", TCP_ACT_DROP, "drop", "linux-ack-future",
        .text = "RFC 793 3.9 / Linux tcp_ack (3.6-5.x): SEG.ACK > SND.NXT: drop",
        .other = "SEG.ACK > SND.NXT: drop (Linux tcp_ack's rule, 3.6-5.x: this stack's own, "
                 "RFC 793 3.9's ACK, is not modelled)" },
    [TR_ACK_OK] = { "synchronized", "acceptable ACK", TCP_ACT_NOTE, "accept",
        "rfc793-3.9-ack", "RFC 793 3.9: acceptable ACK", NULL },
    [TR_SIMOPEN_SYNACK] = { "SYN-RECEIVED (simultaneous open)", "the peer's SYN-ACK",
        TCP_ACT_NOTE, "accept", "rfc793-3.9-simopen-synack",
        "RFC 793 3.9 SYN-RECEIVED: SYN-ACK of a simultaneous open: ESTABLISHED", NULL },
    [TR_CLOSING_ACKED] = { "CLOSING", "ACK of our FIN", TCP_ACT_NOTE, "accept",
        "rfc793-3.9-closing-acked", "RFC 793 3.9 CLOSING: our FIN acknowledged: TIME-WAIT", NULL },
    [TR_LASTACK_ACKED] = { "LAST-ACK", "ACK of our FIN", TCP_ACT_NOTE, "accept",
        "rfc793-3.9-lastack-acked", "RFC 793 3.9 LAST-ACK: our FIN acknowledged: CLOSED", NULL },

    /* ---- "seventh, process the segment text", "eighth, check the FIN bit" ---- */
    [TR_TEXT_AFTER_FIN] = { "CLOSE-WAIT, CLOSING, LAST-ACK", "text or FIN after the peer's FIN",
        TCP_ACT_DROP, "drop", "rfc793-3.9-text-after-fin",
        "RFC 793 3.9: text after the peer's FIN: ignored", NULL },
    [TR_DATA_AFTER_CLOSE] = { "FIN-WAIT-1, FIN-WAIT-2, after close()", "new data",
        TCP_ACT_RST_RESET, NULL, "linux-data-after-close",
        LINUX_RULE("tcp_rcv_state_process", "new data after close(): RST, connection reset") },
    [TR_DATA_OOO_QUEUED_SACK] = { "synchronized (Linux), SACK on", "text beyond RCV.NXT",
        TCP_ACT_ACK, "ACK", "linux-ofo-queued-sack",
        "Linux tcp_data_queue_ofo: out-of-order segment queued: ACK at once with SACK blocks "
        "(RFC 2018)", NULL },
    [TR_DATA_OOO_QUEUED] = { "synchronized (Linux)", "text beyond RCV.NXT", TCP_ACT_ACK, "ACK",
        "linux-ofo-queued",
        "Linux tcp_data_queue_ofo: out-of-order segment queued: duplicate ACK", NULL },
    [TR_DATA_OOO] = { "synchronized (no queue)", "text beyond RCV.NXT", TCP_ACT_ACK, "ACK",
        "sim-ooo-dupack",
        "RFC 793 3.9: out-of-order segment: duplicate ACK (not queued; the sender "
        "retransmits)", NULL },
    [TR_DATA_DUP_DSACK] = { "synchronized (Linux), SACK on", "text all before RCV.NXT",
        TCP_ACT_ACK, "ACK", "rfc2883-dsack",
        "RFC 793 3.9: duplicate segment: ACK with a D-SACK block (RFC 2883)", NULL },
    [TR_DATA_DUP] = { "synchronized", "text all before RCV.NXT", TCP_ACT_ACK, "ACK",
        "rfc793-3.9-duplicate", "RFC 793 3.9: duplicate segment: ACK", NULL },
    [TR_DATA_ZERO_WINDOW] = { "synchronized, a full receive buffer", "text at RCV.NXT",
        TCP_ACT_ACK, "ACK", "rfc9293-3.10.7.4-zero-window",
        "RFC 9293 3.10.7.4: RCV.WND is zero (the application has not read its buffer): "
        "the text is not acceptable, ACK with window 0", NULL },
    [TR_DATA_OOO_FILLED] = { "synchronized (Linux)", "text at RCV.NXT filling a hole",
        TCP_ACT_NOTE, "accept data", "linux-ofo-filled",
        "Linux tcp_ofo_queue: the hole is filled, queued segments join: ACK at once "
        "(RFC 5681 4.2)", NULL },
    [TR_DATA_TRUSTED] = { "synchronized, from a `from ADDR` listener", "text at RCV.NXT",
        TCP_ACT_NOTE, "accept data", "scenario-trusted-data",
        "RFC 793 3.9: in-order data on a connection from the trusted address: the server "
        "application takes it as the trusted host's (rsh: the command runs)", NULL },
    [TR_DATA_TRIMMED] = { "synchronized, a receive buffer", "text at RCV.NXT, past the free "
        "buffer", TCP_ACT_NOTE, "accept data", "rfc9293-3.10.7.4-trim",
        "RFC 9293 3.10.7.4: what fits in the receive window is taken, the text past "
        "RCV.NXT+RCV.WND is trimmed (not acknowledged: the sender sends it again)", NULL },
    [TR_DATA] = { "synchronized", "text at RCV.NXT", TCP_ACT_NOTE, "accept data",
        "rfc793-3.9-data",
        .text = "RFC 793 3.9: in-order data: ACK at once (Linux quickack at connection start)",
        .other = "RFC 793 3.9: in-order data: ACK at once (Linux's quickack at connection "
                 "start: this stack's own ACK timing is not modelled)" },
    [TR_FIN_SERVER_CLOSES] = { "ESTABLISHED (the simulated server)", "FIN", TCP_ACT_NOTE,
        "ACK, FIN", "rfc793-3.9-fin-server-close",
        .text = "RFC 793 3.9: FIN: CLOSE-WAIT, the ACK delayed (Linux pingpong mode); the "
                "server application closes at once: its FIN carries the ACK, LAST-ACK",
        .other = "RFC 793 3.9: FIN: ACK, CLOSE-WAIT; the server application closes: FIN, "
                 "LAST-ACK" },
    [TR_FIN_ESTABLISHED] = { "ESTABLISHED", "FIN", TCP_ACT_NOTE, "ACK",
        "rfc793-3.9-fin-established", "RFC 793 3.9: FIN in ESTABLISHED: ACK, CLOSE-WAIT", NULL },
    [TR_FIN_FINWAIT1] = { "FIN-WAIT-1", "FIN, our FIN not yet acknowledged", TCP_ACT_NOTE, "ACK",
        "rfc793-3.9-fin-finwait1",
        "RFC 793 3.9: FIN in FIN-WAIT-1, our FIN unacknowledged: ACK, CLOSING", NULL },
    [TR_FIN_FINWAIT2] = { "FIN-WAIT-2", "FIN", TCP_ACT_NOTE, "ACK",
        "rfc793-3.9-fin-finwait2", "RFC 793 3.9: FIN in FIN-WAIT-2: ACK, TIME-WAIT", NULL },
    [TR_FIN_AGAIN] = { "CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT", "FIN again", TCP_ACT_NOTE,
        "ACK", "rfc793-3.9-fin-again", "RFC 793 3.9: FIN again: ACK", NULL },

    /* ---- TIME-WAIT: Linux tcp_timewait_state_process (RFC 1122 4.2.2.13, RFC 6191) ---- */
    [TR_TW_RST] = { "TIME-WAIT", "RST at RCV.NXT", TCP_ACT_NOTE, "reset", "linux-timewait-rst",
        LINUX_RULE("tcp_timewait_state_process", "RST in window (tcp_rfc1337 = 0): TIME-WAIT "
                   "ended") },
    [TR_TW_ACK] = { "TIME-WAIT", "bare ACK at RCV.NXT", TCP_ACT_NOTE, "accept",
        "linux-timewait-ack",
        LINUX_RULE("tcp_timewait_state_process", "bare ACK in window: TIME-WAIT restarted") },
    [TR_TW_SYN_NOLISTENER] = { "TIME-WAIT", "SYN beyond RCV.NXT, no listener", TCP_ACT_ACK_CTL,
        "ACK", "linux-timewait-syn-nolistener",
        LINUX_RULE("tcp_v4_rcv", "new SYN in TIME-WAIT, no listener: ACK (not rate limited)") },
    [TR_TW_SYN_REUSE] = { "TIME-WAIT", "SYN beyond RCV.NXT, a listener", TCP_ACT_NOTE,
        "SYN-ACK", "rfc6191-timewait-syn",
        LINUX_RULE("tcp_timewait_state_process", "new SYN (SEQ > RCV.NXT) in TIME-WAIT: "
                   "reuse, ISN = SND.NXT + 65537, SYN-ACK") },
    [TR_TW_RST_OOW] = { "TIME-WAIT", "RST elsewhere", TCP_ACT_DROP, "drop", "linux-timewait-rst-oow",
        LINUX_RULE("tcp_timewait_state_process", "RST out of window: drop") },
    /* 4fb17a609167 (Linux 4.0): LINUX_MIB_TCPACKSKIPPEDTIMEWAIT */
    [TR_TW_OOW_LIMITED] = { "TIME-WAIT", "any other, within 500 ms (Linux 4.0+)", TCP_ACT_DROP,
        "drop",
        "linux-timewait-oow-limited",
        LINUX_RULE("tcp_timewait_check_oow_rate_limit", "ACK suppressed (500 ms)") },
    [TR_TW_REACK] = { "TIME-WAIT", "any other", TCP_ACT_ACK_CTL, "ACK", "linux-timewait-reack",
        LINUX_RULE("tcp_timewait_state_process", "segment in TIME-WAIT: re-ACK") },

    /* ---- an orphaned FIN-WAIT-2 (Linux keeps it as a TIME-WAIT socket, FIN_WAIT2) ---- */
    [TR_FW2_RST_OOW] = { "FIN-WAIT-2 (orphaned, Linux)", "RST outside the window or PAWS",
        TCP_ACT_DROP, "drop", "linux-fw2-rst-oow",
        "Linux tcp_timewait_state_process (FIN_WAIT2): RST outside the window: drop", NULL },
    [TR_FW2_OOW] = { "FIN-WAIT-2 (orphaned, Linux)", "outside the window or PAWS",
        TCP_ACT_ACK_CTL, "ACK", "linux-fw2-oow",
        "Linux tcp_timewait_state_process (FIN_WAIT2): segment outside the window or failing "
        "PAWS: ACK", NULL },
    [TR_FW2_RST] = { "FIN-WAIT-2 (orphaned, Linux)", "RST in the window", TCP_ACT_RESET,
        "reset", "linux-fw2-rst",
        "Linux tcp_timewait_state_process (FIN_WAIT2): RST in the window: the orphaned "
        "FIN-WAIT-2 ends", NULL },
    [TR_FW2_SYN] = { "FIN-WAIT-2 (orphaned, Linux)", "SYN at or after RCV.NXT",
        TCP_ACT_RST_RESET, NULL, "linux-fw2-syn",
        "Linux tcp_timewait_state_process (FIN_WAIT2): SYN in the window: RST, the orphaned "
        "FIN-WAIT-2 ends", NULL },
    [TR_FW2_DUPACK] = { "FIN-WAIT-2 (orphaned, Linux)", "nothing new", TCP_ACT_DROP, "drop",
        "linux-fw2-dupack",
        "Linux tcp_timewait_state_process (FIN_WAIT2): duplicate ACK: nothing to do", NULL },
    [TR_FW2_DATA] = { "FIN-WAIT-2 (orphaned, Linux)", "new data", TCP_ACT_RST_RESET, NULL,
        "linux-fw2-data",
        "Linux tcp_timewait_state_process (FIN_WAIT2): new data after close(): RST, the "
        "orphaned FIN-WAIT-2 ends", NULL },
    [TR_FW2_FIN] = { "FIN-WAIT-2 (orphaned, Linux)", "the peer's FIN", TCP_ACT_NOTE, "ACK",
        "linux-fw2-fin", "Linux tcp_timewait_state_process (FIN_WAIT2): FIN: ACK, TIME-WAIT",
        NULL },

    /* ---- timers (RFC 6298; Linux tcp_timer.c) ---- */
    [TR_SYNRECV_KEEP] = { "SYN-RECEIVED (4.4BSD)", "connection-establishment timer",
        TCP_ACT_NOTE, "drop", "bsd44-keep-init",
        "4.4BSD tcp_timers TCPT_KEEP: TCPTV_KEEP_INIT (75 s) passed in SYN-RECEIVED: "
        "half-open connection dropped", NULL },
    [TR_SYNACK_GIVEUP] = { "SYN-RECEIVED", "SYN-ACK retransmissions exhausted", TCP_ACT_NOTE,
        "drop", "tcp-synack-giveup",
        .text = "tcp_synack_retries exhausted: half-open connection dropped",
        .other = "SYN-ACK retransmissions exhausted: half-open connection dropped" },
    [TR_SYN_GIVEUP] = { "SYN-SENT", "SYN retransmissions exhausted", TCP_ACT_NOTE, "drop",
        "tcp-syn-giveup", .text = "tcp_syn_retries (6) exhausted: connect timed out",
        .other = "SYN retransmissions exhausted (6, Linux's tcp_syn_retries: this stack's "
                 "own count is not modelled): connect timed out" },
    [TR_REXMIT_GIVEUP] = { "synchronized", "retransmissions exhausted", TCP_ACT_NOTE, "drop",
        "tcp-rexmit-giveup", .text = "tcp_retries2 (15) exhausted: connection dropped",
        .other = "retransmissions exhausted (15, Linux's tcp_retries2: this stack's own "
                 "count is not modelled): connection dropped" },
    [TR_SYNACK_REXMIT] = { "SYN-RECEIVED", "retransmission timeout", TCP_ACT_NOTE, "SYN-ACK",
        "rfc6298-synack",
        .text = "RFC 6298 / Linux reqsk timer: SYN-ACK retransmission, timeout doubles",
        .other = "RFC 6298: SYN-ACK retransmission, timeout doubles" },
    [TR_SYN_REXMIT] = { "SYN-SENT", "retransmission timeout", TCP_ACT_NOTE, "SYN",
        "rfc6298-syn",
        .text = "RFC 6298 / Linux tcp_retransmit_timer: SYN retransmission, timeout doubles",
        .other = "RFC 6298: SYN retransmission, timeout doubles" },
    [TR_REXMIT] = { "synchronized", "retransmission timeout", TCP_ACT_NOTE, "retransmit",
        "rfc6298-rexmit",
        "RFC 6298: retransmission timeout: oldest unacknowledged segment again, timeout "
        "doubles", NULL },
    [TR_PROBE0] = { "synchronized, data waiting", "the peer's window zero, nothing in flight",
        TCP_ACT_NOTE, "window probe", "linux-probe0",
        .text = "RFC 9293 3.8.6.1 (Linux tcp_probe_timer, tcp_send_probe0): zero-window "
                "probe, an ACK with SEQ=SND.UNA-1 the peer answers with its window; the "
                "timeout doubles, reset when a probe is answered",
        .other = "RFC 9293 3.8.6.1: zero-window probe (Linux's form, SEQ=SND.UNA-1, no "
                 "data: this stack's own form is not modelled); the timeout doubles" },
    [TR_PROBE0_GIVEUP] = { "synchronized, data waiting", "window probes unanswered",
        TCP_ACT_NOTE, "drop", "linux-probe0-giveup",
        "Linux tcp_probe_timer: tcp_retries2 (15) probes unanswered: connection dropped",
        NULL },
    [TR_TW_TIMEOUT] = { "TIME-WAIT", "2 MSL passed", TCP_ACT_NOTE, "close",
        "rfc793-3.9-timewait-timeout", "RFC 793 3.9: TIME-WAIT timeout: CLOSED", NULL },
    [TR_FINWAIT2_TIMEOUT] = { "FIN-WAIT-2, orphaned", "tcp_fin_timeout passed", TCP_ACT_NOTE,
        "close", "linux-fin-timeout",
        LINUX_RULE("tcp_fin_timeout", "orphaned FIN-WAIT-2 expired: CLOSED") },

    /* ---- ICMP errors quoting our segments (Linux tcp_v4_err, RFC 1122 4.2.3.9) ---- */
    [TR_ICMP_NO_CONN] = { "no TCB", "ICMP error", TCP_ACT_NOTE, "ignore", "icmp-no-connection",
        "ICMP error for no connection: ignored", NULL },
    [TR_ICMP_SOFT] = { "any", "ICMP error, not a hard one", TCP_ACT_NOTE, "ignore",
        "linux-v4-err-soft", LINUX_RULE("tcp_v4_err", "not a connection error: ignored") },
    [TR_ICMP_SYNSENT] = { "SYN-SENT", "hard ICMP error", TCP_ACT_NOTE, "connect failed",
        "linux-v4-err-synsent",
        LINUX_RULE("tcp_v4_err", "ICMP error in SYN-SENT ends the connect") },
    [TR_ICMP_REQ_ABORT] = { "SYN-RECEIVED (passive)",
        "net/host unreachable, time exceeded, parameter problem", TCP_ACT_NOTE,
        "drop half-open", "linux-req-err-abort",
        LINUX_RULE("tcp_req_err", "net/host unreachable, time exceeded or parameter problem: "
                   "request dropped") },
    [TR_ICMP_REQ_IGNORE] = { "SYN-RECEIVED (passive)", "other hard ICMP errors", TCP_ACT_NOTE,
        "ignore", "linux-req-err-ignore",
        LINUX_RULE("tcp_req_err", "not an abort code: ignored") },
    [TR_ICMP_SYNC] = { "synchronized", "hard ICMP error", TCP_ACT_NOTE, "ignore",
        "linux-v4-err-soft-sync",
        LINUX_RULE("tcp_v4_err", "soft error on a synchronized connection") },
};

void tcp_rule_apply_send(struct tcp_host *th, const struct tcp_io *io, int32_t idx,
                         const struct wire_ipv4 *ip, const struct wire_tcp *seg,
                         struct tcp_verdict *v, enum tcp_rule_ix r)
{
    const struct tcp_rule *row = &tcp_rules[r];
    const char *rst = (seg->flags & TCP_ACK) ? "RST" : "RST+ACK";
    tcp_rule_note(th, v, r);
    switch (row->act) {
    case TCP_ACT_NOTE:
    case TCP_ACT_DROP:
        return;
    case TCP_ACT_RST:
        tcp_send_reset_win(th, io, ip, seg, r == TR_LISTEN_ACK && th->p.rst_window_listen
                                                ? th->p.window : th->p.rst_window);
        v->action = row->action ? row->action : rst;
        return;
    case TCP_ACT_ACK:
    case TCP_ACT_ACK_CTL:
        tcp_send_ack(th, io, tcp_tcb_at(th, idx),
                     row->act == TCP_ACT_ACK ? TCP_IPK_CONN : TCP_IPK_CTL);
        return;
    case TCP_ACT_CHACK: {
        int limit = tcp_challenge_ack(th, io, idx, seg);
        if (limit == TR_BUDGET_CHACK)
            tcp_rule_note_text(v, TR_BUDGET_CHACK, th->rule_chack);
        else if (limit >= 0)
            tcp_rule_note(th, v, (enum tcp_rule_ix)limit);
        return;
    }
    case TCP_ACT_RESET:
        tcp_tcb_reset(th, idx);
        return;
    case TCP_ACT_RST_RESET:
        tcp_send_reset_for(th, io, ip, seg);
        tcp_tcb_reset(th, idx);
        v->action = row->action ? row->action : rst;
        return;
    }
}

