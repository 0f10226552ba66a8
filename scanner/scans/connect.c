/* connect.c — -sT, the connect scan: the host's own stack does the handshake (docs/facts/nmap.md section
 * 1; nmap scan_engine_connect.cc). The engine calls pktio stream_connect/stream_poll/
 * stream_close instead of sending datagrams; the close uses SO_LINGER 0, so the target sees
 * SYN, SYN/ACK, ACK, RST. Success -> open (syn-ack); ECONNREFUSED -> closed (conn-refused);
 * host/net unreachable and prohibited -> filtered, with the reason of the errno Linux gives;
 * a timeout is no verdict (the probe is retried). Linux turns an ICMP port unreachable into
 * ECONNREFUSED: such a port is closed here where -sS says filtered (a lab in its own right).
 */
#include "scanner/scans/scans.h"

/* What connect() reports after an ICMP error, as Linux's icmp_err_convert (net/ipv4/icmp.c)
 * and tcp_v4_err turn it into an errno; nmap only ever sees the errno. So an admin-prohibited
 * reject reads "host-unreach" here, where -sS says "admin-prohibited". */
enum connect_err { CE_NETUNREACH, CE_HOSTUNREACH, CE_NOPROTOOPT, CE_REFUSED, CE_HOSTDOWN,
                   CE_NONET, CE_ACCES, CE_OTHER };

static enum connect_err connect_linux_errno(uint8_t type, uint8_t code)
{
    static const uint8_t unreach[16] = {
        CE_NETUNREACH, CE_HOSTUNREACH, CE_NOPROTOOPT, CE_REFUSED,    /* 0-3 */
        CE_OTHER, CE_OTHER, CE_NETUNREACH, CE_HOSTDOWN,              /* 4 EMSGSIZE, 5 EOPNOTSUPP */
        CE_NONET, CE_NETUNREACH, CE_HOSTUNREACH, CE_NETUNREACH,      /* 8-11 */
        CE_HOSTUNREACH, CE_HOSTUNREACH, CE_HOSTUNREACH, CE_HOSTUNREACH, /* 12-15 */
    };
    if (type == ICMP_UNREACH)
        return code < 16 ? (enum connect_err)unreach[code] : CE_OTHER;
    if (type == ICMP_TIME_EXCEEDED)
        return CE_HOSTUNREACH;    /* tcp_v4_err: time exceeded is EHOSTUNREACH */
    if (type == 0)
        return CE_ACCES;          /* no ICMP at all: the raw backend's EACCES */
    return CE_OTHER;
}

/* nmap's handleConnectResult. ETIMEDOUT and EHOSTDOWN (ER_NORESPONSE) are not verdicts: nmap
 * marks the probe timed out, so it is retransmitted like a silent one; so is an errno nmap
 * does not know ("Strange read error"). */
static bool connect_classify_stream(enum pktio_stream st, uint8_t type, uint8_t code,
                                    struct scan_verdict *v)
{
    switch (st) {
    case PKTIO_STREAM_OPEN:
        *v = (struct scan_verdict){ PORT_OPEN, RS_SYN_ACK };
        return true;
    case PKTIO_STREAM_REFUSED:
        *v = (struct scan_verdict){ PORT_CLOSED, RS_CONN_REFUSED };
        return true;
    case PKTIO_STREAM_UNREACH:
        break;
    default:   /* pending, ETIMEDOUT, errors */
        return false;
    }
    static const uint8_t reason[] = {
        [CE_NETUNREACH] = RS_NET_UNREACH, [CE_HOSTUNREACH] = RS_HOST_UNREACH,
        [CE_NOPROTOOPT] = RS_PROTO_UNREACH, [CE_NONET] = RS_DEST_UNREACH,
        [CE_ACCES] = RS_ADMIN_PROHIBITED,
    };
    enum connect_err e = connect_linux_errno(type, code);
    switch (e) {
    case CE_REFUSED:
        *v = (struct scan_verdict){ PORT_CLOSED, RS_CONN_REFUSED };
        return true;
    case CE_HOSTDOWN:
    case CE_OTHER:
        return false;
    default:
        *v = (struct scan_verdict){ PORT_FILTERED, reason[e] };
        return true;
    }
}

const struct scan_ops scan_connect = {
    .name = "connect", .flag = 'T', .type = SCAN_CONNECT, .proto = WIRE_PROTO_TCP,
    .tcp_flags = TCP_SYN, .silent_state = PORT_FILTERED,
    .classify_stream = connect_classify_stream,
};
