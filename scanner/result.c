/* result.c — names of port states and reasons, exactly as nmap prints them.
 *
 * nmap's portlist.cc statenum2str and portreasons.cc reason_map (docs/facts/nmap.md
 * sections 1, 2 and 5). Every output format and ndiff compare these strings, so they must be
 * nmap's to the letter. A value out of range gives "unknown" rather than a crash.
 */
#include "scanner/result.h"

const char *port_state_name(enum port_state s)
{
    static const char *const names[PORT_NSTATES] = {
        [PORT_UNKNOWN] = "unknown",
        [PORT_OPEN] = "open",
        [PORT_CLOSED] = "closed",
        [PORT_FILTERED] = "filtered",
        [PORT_UNFILTERED] = "unfiltered",
        [PORT_OPEN_FILTERED] = "open|filtered",
        [PORT_CLOSED_FILTERED] = "closed|filtered",
    };
    if ((unsigned)s >= PORT_NSTATES) return "unknown";
    return names[s];
}

const char *reason_name(enum reason r)
{
    static const char *const names[RS_N] = {
        [RS_NONE] = "unknown",
        [RS_SYN_ACK] = "syn-ack",
        [RS_SYN] = "split-handshake-syn",
        [RS_RESET] = "reset",
        [RS_CONN_REFUSED] = "conn-refused",
        [RS_NO_RESPONSE] = "no-response",
        [RS_UDP_RESPONSE] = "udp-response",
        [RS_PORT_UNREACH] = "port-unreach",
        [RS_HOST_UNREACH] = "host-unreach",
        [RS_NET_UNREACH] = "net-unreach",
        [RS_PROTO_UNREACH] = "proto-unreach",
        [RS_NET_PROHIBITED] = "net-prohibited",
        [RS_HOST_PROHIBITED] = "host-prohibited",
        [RS_ADMIN_PROHIBITED] = "admin-prohibited",
        [RS_TIME_EXCEEDED] = "time-exceeded",
        [RS_ECHO_REPLY] = "echo-reply",
        [RS_TIMESTAMP_REPLY] = "timestamp-reply",
        [RS_USER_SET] = "user-set",
        [RS_LOCALHOST] = "localhost-response",
        [RS_IPID_CHANGE] = "ipid-change",
        [RS_NO_IPID_CHANGE] = "no-ipid-change",
        [RS_HOST_DOWN_NO_RESPONSE] = "no-response",
        [RS_DEST_UNREACH] = "dest-unreach",
        [RS_TCP_RESPONSE] = "tcp-response",
    };
    if ((unsigned)r >= RS_N) return "unknown";
    return names[r];
}
