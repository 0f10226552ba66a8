/* tcp_rules.h — internal to sim/tcp*.c: the TCP rule table (tcp_rules.c) and how the
 * processing code consults it.
 *
 * Every decision a simulated TCP reports is one row of tcp_rules[]: the state class and
 * segment condition it covers (as RFC 793 section 3.4, 3.9 and RFC 5961 state them), the
 * action, a stable rule ID and the text the transcript prints. tcp.c and tcp_in.c work out
 * which row applies (the condition) and call tcp_rule_apply, which carries out the row's
 * action: so the table, not the code around it, says whether a case answers with a reset,
 * an ACK, a challenge ACK or nothing. Rows whose action the processing code performs itself
 * (a SYN-ACK, a state change, accepting data) are TCP_ACT_NOTE: the row names the decision.
 */
#ifndef TCPLAB_TCP_RULES_H
#define TCPLAB_TCP_RULES_H

#include <stdint.h>

#include "lib/wire.h"

struct tcp_host;
struct tcp_io;
struct tcp_verdict;

enum tcp_act {
    TCP_ACT_NOTE,      /* the processing code acts (SYN-ACK, state change, data); the row
                          names the decision and its action */
    TCP_ACT_DROP,      /* the segment is dropped, nothing is sent */
    TCP_ACT_RST,       /* a reset answering the segment (RFC 793 3.4: <SEQ=SEG.ACK><CTL=RST>
                          if it has ACK, else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>); any
                          TCB stays as it is */
    TCP_ACT_ACK,       /* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> from the connection's socket;
                          the state stays */
    TCP_ACT_ACK_CTL,   /* the same ACK from Linux's control socket (DF, IP-ID 0): TIME-WAIT
                          and request sockets */
    TCP_ACT_CHACK,     /* RFC 5961 challenge ACK, through the per-socket and host-wide limits
                          (a limit that refuses it makes the verdict that limit's row) */
    TCP_ACT_RESET,     /* the connection is reset: its TCB is gone, nothing is sent */
    TCP_ACT_RST_RESET, /* a reset answering the segment, and the connection is gone */
};

/* One row per decision, in the order tcp_rules.c lists them (RFC 793's order). */
enum tcp_rule_ix {
    /* OpenBSD's pf in front of the stack (tcp_pf.c) */
    TR_PF_NORMALIZE, TR_PF_BLOCK_RETURN, TR_PF_BLOCK_RST,
    /* CLOSED: no TCB, no listener (RFC 793 3.4 case 1) */
    TR_RST_NEVER_ANSWERED, TR_CLOSED_ACK, TR_CLOSED_NOACK, TR_CLOSED_NOACK_BSD, TR_BUDGET_RST,
    /* LISTEN (RFC 793 3.9, 3.4 case 2) */
    TR_LISTEN_ACK, TR_LISTEN_RST, TR_LISTEN_OTHER, TR_LISTEN_OTHER_WINDOWS, TR_LISTEN_SYNFIN,
    TR_LISTEN_SYNFIN_DROP, TR_LISTEN_SYNFIN_RST, TR_LISTEN_SYNFIN_ACK,
    TR_LISTEN_FROM, TR_BSD_LISTEN_FULL, TR_BUDGET_BACKLOG, TR_SYNCOOKIE_SEND, TR_SYNCOOKIE_ACK,
    TR_OOM, TR_LISTEN_SYN,
    /* SYN-SENT (RFC 793 3.9) */
    TR_SYNSENT_BADACK_RST, TR_SYNSENT_BADACK_RST_AGAIN, TR_SYNSENT_BADACK,
    TR_SYNSENT_BADACK_AGAIN, TR_SYNSENT_RST, TR_SYNSENT_NOSYN,
    TR_SYNSENT_SYNACK, TR_SYNSENT_RST_NOACK, TR_SYNSENT_SYN,
    /* SYN-RECEIVED, passive: Linux's request socket (tcp_check_req) */
    TR_REQ_SYN_LIMITED, TR_REQ_SYN, TR_REQ_BADACK, TR_REQ_OOW, TR_REQ_OOW_RST,
    TR_REQ_OOW_LIMITED, TR_REQ_RST_CHALLENGE, TR_REQ_RST, TR_REQ_SYN_IN_WINDOW, TR_REQ_NOACK, TR_REQ_ACK,
    /* synchronized states: sequence check (RFC 793 3.4 case 3, RFC 5961 3.2) */
    TR_SYNC_NOFLAGS_EST, TR_SYNC_NOFLAGS, TR_SYNC_RST_RCVNXT_1, TR_SYNC_RST_OUTSIDE,
    TR_SYNC_OOW_LIMITED, TR_SYNC_UNACCEPTABLE, TR_PAWS_OOW_LIMITED, TR_PAWS,
    /* RST and SYN checks (RFC 793 3.9 second and fourth, RFC 5961 3.2 and 4.2) */
    TR_SYNC_RST_793, TR_SYNC_RST_EXACT, TR_SYNC_RST_CHALLENGE, TR_SYNC_SYN_793,
    TR_SYNC_SYN_CHALLENGE,
    /* challenge ACK limits (RFC 5961 7) */
    TR_CHACK_OOW_LIMITED, TR_BUDGET_CHACK,
    /* ACK check (RFC 793 3.9 fifth, RFC 5961 5.2) */
    TR_SIMOPEN_BADACK, TR_ACK_OLD_CHALLENGE, TR_ACK_OLD_CHALLENGE_MAXWND, TR_ACK_FUTURE_CHALLENGE, TR_ACK_FUTURE_DROP,
    TR_ACK_OK, TR_SIMOPEN_SYNACK, TR_CLOSING_ACKED, TR_LASTACK_ACKED,
    /* text and FIN (RFC 793 3.9 seventh and eighth) */
    TR_TEXT_AFTER_FIN, TR_DATA_AFTER_CLOSE, TR_DATA_OOO_QUEUED_SACK, TR_DATA_OOO_QUEUED,
    TR_DATA_OOO, TR_DATA_DUP_DSACK, TR_DATA_DUP, TR_DATA_ZERO_WINDOW, TR_DATA_OOO_FILLED,
    TR_DATA_TRUSTED, TR_DATA_TRIMMED, TR_DATA,
    TR_FIN_SERVER_CLOSES, TR_FIN_ESTABLISHED, TR_FIN_FINWAIT1, TR_FIN_FINWAIT2, TR_FIN_AGAIN,
    /* TIME-WAIT (Linux tcp_timewait_state_process) */
    TR_TW_RST, TR_TW_ACK, TR_TW_SYN_NOLISTENER, TR_TW_SYN_REUSE, TR_TW_RST_OOW,
    TR_TW_OOW_LIMITED, TR_TW_REACK,
    /* an orphaned FIN-WAIT-2: Linux's TIME-WAIT socket in substate FIN_WAIT2 */
    TR_FW2_RST_OOW, TR_FW2_OOW, TR_FW2_RST, TR_FW2_SYN, TR_FW2_DUPACK, TR_FW2_DATA, TR_FW2_FIN,
    /* timers */
    TR_SYNRECV_KEEP, TR_SYNACK_GIVEUP, TR_SYN_GIVEUP, TR_REXMIT_GIVEUP, TR_SYNACK_REXMIT, TR_SYN_REXMIT,
    TR_REXMIT, TR_TW_TIMEOUT, TR_FINWAIT2_TIMEOUT,
    /* ICMP errors about our segments (Linux tcp_v4_err) */
    TR_ICMP_NO_CONN, TR_ICMP_SOFT, TR_ICMP_SYNSENT, TR_ICMP_REQ_ABORT, TR_ICMP_REQ_IGNORE,
    TR_ICMP_SYNC,
    TR_COUNT
};

struct tcp_rule {
    const char *state;     /* the state class the row covers */
    const char *segment;   /* the segment (or event) condition */
    enum tcp_act act;
    const char *action;    /* the transcript's action word ("drop", "ACK", "challenge ACK",
                              "reset", "SYN-ACK", ...); NULL for a reset answering the
                              segment: "RST" or "RST+ACK" as the reset is */
    const char *id;        /* stable: tests, graders and the TUI match it (docs/rules.md) */
    const char *text;      /* what the transcript says; NULL: the host's own numbers
                              (budgets, formatted once per host) */
    const char *other;     /* the text on a host that is not Linux (personality.linux_stack
                              false) where the row is Linux's behaviour that stack follows
                              because its own is not modelled; NULL: text */
};

extern const struct tcp_rule tcp_rules[TR_COUNT];

/* tcp_rule_apply for the rows whose action sends something (a reset, an ACK, a challenge
 * ACK). Call tcp_rule_apply (tcp_int.h), which handles the others inline. */
void tcp_rule_apply_send(struct tcp_host *th, const struct tcp_io *io, int32_t idx,
                         const struct wire_ipv4 *ip, const struct wire_tcp *seg,
                         struct tcp_verdict *v, enum tcp_rule_ix r);

#endif
