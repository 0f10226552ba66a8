/* connect.c — -sT, the connect scan: the host's own stack does the handshake (nmap.md section
 * 1; nmap scan_engine_connect.cc). The engine calls pktio stream_connect/stream_poll/
 * stream_close instead of sending datagrams; the close uses SO_LINGER 0, so the target sees
 * SYN, SYN/ACK, ACK, RST. Success -> open (syn-ack); ECONNREFUSED -> closed (conn-refused);
 * host/net unreachable, prohibited and timeouts -> filtered. Linux turns an ICMP port
 * unreachable into ECONNREFUSED, which the backend reports as REFUSED: such a port is closed
 * here where -sS says filtered (a lab in its own right).
 */
#include "scanner/scans/scans.h"

static bool connect_classify_stream(enum pktio_stream st, uint8_t type, uint8_t code,
                                    struct scan_verdict *v)
{
    switch (st) {
    case PKTIO_STREAM_PENDING:
        return false;
    case PKTIO_STREAM_OPEN:
        *v = (struct scan_verdict){ PORT_OPEN, RS_SYN_ACK };
        return true;
    case PKTIO_STREAM_REFUSED:
        *v = (struct scan_verdict){ PORT_CLOSED, RS_CONN_REFUSED };
        return true;
    case PKTIO_STREAM_UNREACH:
        if (scan_icmp_verdict(WIRE_PROTO_TCP, type, code, true, v))
            return true;
        *v = (struct scan_verdict){ PORT_FILTERED, RS_HOST_UNREACH };
        return true;
    case PKTIO_STREAM_TIMEDOUT:
    case PKTIO_STREAM_ERROR:
    default:
        *v = (struct scan_verdict){ PORT_FILTERED, RS_NO_RESPONSE };
        return true;
    }
}

const struct scan_ops scan_connect = {
    .name = "connect", .flag = 'T', .type = SCAN_CONNECT, .proto = WIRE_PROTO_TCP,
    .tcp_flags = TCP_SYN, .silent_state = PORT_FILTERED,
    .classify_stream = connect_classify_stream,
};
