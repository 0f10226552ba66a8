/* result.h — what a scan found: the data the engine fills and every output format reads.
 *
 * Port states and reason strings are nmap's (docs/facts/nmap.md sections 1, 2, 5),
 * so outputs can print them exactly as nmap does and ndiff can compare our XML with nmap's.
 * Times are nanoseconds on the backend's clock (virtual in the simulator), so two simulated
 * runs give identical files.
 */
#ifndef TCPLAB_RESULT_H
#define TCPLAB_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct os_result;
struct vscan_result;

enum port_state {
    PORT_UNKNOWN = 0, PORT_OPEN, PORT_CLOSED, PORT_FILTERED, PORT_UNFILTERED,
    PORT_OPEN_FILTERED, PORT_CLOSED_FILTERED,
    PORT_NSTATES
};
const char *port_state_name(enum port_state s);   /* "open|filtered" */

/* nmap's reason strings (portreasons.cc). */
enum reason {
    RS_NONE = 0, RS_SYN_ACK, RS_SYN, RS_RESET, RS_CONN_REFUSED, RS_NO_RESPONSE,
    RS_UDP_RESPONSE, RS_PORT_UNREACH, RS_HOST_UNREACH, RS_NET_UNREACH, RS_PROTO_UNREACH,
    RS_NET_PROHIBITED, RS_HOST_PROHIBITED, RS_ADMIN_PROHIBITED, RS_TIME_EXCEEDED,
    RS_ECHO_REPLY, RS_TIMESTAMP_REPLY, RS_USER_SET, RS_LOCALHOST, RS_IPID_CHANGE,
    RS_NO_IPID_CHANGE, RS_HOST_DOWN_NO_RESPONSE,
    RS_DEST_UNREACH,        /* -sT: ENONET (ICMP 3/8) */
    RS_TCP_RESPONSE,        /* -sV connected to an open|filtered port */
    RS_N
};
const char *reason_name(enum reason r);            /* "syn-ack", "no-response", ... */

enum scan_proto { SP_TCP = 6, SP_UDP = 17 };

struct port_result {
    uint16_t port;
    uint8_t proto;          /* 6 or 17 */
    uint8_t state;          /* enum port_state */
    uint8_t reason;         /* enum reason */
    uint8_t reason_ttl;     /* TTL of the reply that decided it (0 for no-response) */
    uint32_t reason_ip;     /* source of an ICMP reply when it is not the target, else 0 */
};

struct seq_result {          /* --seq: sequence analysis (scanner/seq.c) */
    bool done;
    int nisn;                /* SYN-ACKs that came back */
    uint32_t isn[6];
    uint32_t gcd, isr, sp;   /* nmap's GCD, ISR, SP (= difficulty index) */
    const char *difficulty;  /* "Trivial joke" ... "Good luck!" */
    int nipid;
    uint16_t ipid[6];
    const char *ipid_class;  /* "Incremental", "Randomized", ... */
    const char *ti;          /* TI= code: "I", "RD", "Z", "BI", "RI", hex constant */
    /* Added by scanner/seq.c (additive): ti points at a static string, or is NULL for a
     * constant class, whose hex value only ti_code holds; ti_code always holds the code and
     * stays valid when the struct is copied. */
    char ti_code[8];
    int ipid_cls;            /* enum seq_ipid_class (scanner/seq.h) */
    bool ipid_done;          /* the IP-ID class was computed (more than 2 IDs) */
};

struct host_result {
    uint32_t addr;
    char name[64];           /* scenario host name or "" */
    bool up;
    uint8_t up_reason;       /* enum reason: echo-reply, syn-ack, reset, user-set, ... */
    uint8_t up_reason_ttl;
    uint64_t srtt_ns, rttvar_ns, timeout_ns;
    uint64_t start_ns, end_ns;
    struct port_result *ports;  /* every scanned port, sorted by (proto, port) after the scan */
    size_t nports;
    struct seq_result seq;
    struct os_result *os;    /* -O (scanner/osscan.h), NULL when not done for this host */
    struct vscan_result *vs; /* -sV (scanner/vscan.h), NULL when not done for this host */
};

struct scan_report {
    const char *argv_line;   /* the command line as typed, for "as:" and args= */
    const char *scan_type;   /* nmap's scaninfo type: "syn", "connect", "ack", "window",
                                "maimon", "fin", "null", "xmas", "udp", "ping", "idle" */
    const char *tcp_ports;   /* "1,3-4,..." as scanned (numservices counted from it), or NULL */
    const char *udp_ports;
    int ntcp, nudp;          /* numbers of ports */
    int verbose;
    bool reason;             /* --reason */
    bool open_only;          /* --open (nmap): only open, open|filtered and unfiltered ports
                                are listed, and only hosts that have one */
    bool ping_only;          /* -sn */
    bool osscan;             /* -O ran (the "OS detection performed" line) */
    bool vscan;              /* -sV ran (the VERSION column, "Service detection performed") */
    uint64_t start_ns, end_ns;  /* backend clock */
    int64_t start_unix;      /* wall-clock epoch seconds for headers; 0 = the simulated epoch */
    uint64_t seed;
    struct host_result *hosts;  /* NULL when the results were streamed (scan_config.on_group) */
    size_t nhosts;           /* every target: up and down */
    size_t nup;              /* of them up (set by the engine; a report built by hand with
                                hosts may leave it 0: the writers count hosts then) */
};

#endif
