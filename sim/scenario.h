/* scenario.h — the scenario language: parsed form (plain data) and the parser's API.
 *
 * The grammar is tcplab-scenario(5) (docs/tcplab-scenario.5). The parser (scenario.c) turns text
 * into a `struct scenario`; sim_load() (sim.c) turns that into a running network. Keeping
 * the parsed form plain data lets tests build scenarios without text and lets the parser be
 * fuzzed alone. Every error names FILE:LINE:COL and what was expected.
 */
#ifndef TCPLAB_SCENARIO_H
#define TCPLAB_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "os.h"

enum { SCN_NAME_MAX = 32, SCN_TITLE_MAX = 128, SCN_PORTSET_WORDS = 65536 / 64 };

struct scn_pos { int line, col; };

/* A set of ports, one bit per port 0..65535. */
struct scn_portset { uint64_t bits[SCN_PORTSET_WORDS]; };
static inline bool scn_port_in(const struct scn_portset *s, uint16_t p)
{
    return (s->bits[p >> 6] >> (p & 63)) & 1;
}
static inline void scn_port_add(struct scn_portset *s, uint16_t p)
{
    s->bits[p >> 6] |= (uint64_t)1 << (p & 63);
}

struct scn_net {
    uint32_t prefix;          /* host order, already masked */
    uint8_t plen;
    uint64_t delay_ns;        /* one-way delay to hosts in this net */
    uint32_t loss_ppm;        /* loss per datagram, parts per million ("loss 0.5%" = 5000) */
    struct scn_pos pos;
};

/* A service application on a listening port (host key `service PORT KIND [TEXT]`, sim/app.c):
 * what the simulated server says once a connection is accepted. */
enum scn_svc_kind {
    SCN_SVC_BANNER,     /* sends TEXT on accept, reads and ignores what comes */
    SCN_SVC_HTTP,       /* answers each HTTP request with a response naming TEXT as Server */
    SCN_SVC_ECHO,       /* sends back what it reads (RFC 862) */
    SCN_SVC_DISCARD,    /* reads and ignores (RFC 863) */
    SCN_SVC_SINK,       /* never reads: its receive buffer fills, the window closes */
};
enum { SCN_SVC_TEXT_MAX = 512 };
struct scn_service {
    uint16_t port;
    uint8_t kind;                 /* enum scn_svc_kind */
    uint16_t len;                 /* bytes of text */
    uint8_t text[SCN_SVC_TEXT_MAX];
};
enum { SCN_TRUST_MAX = 8 };   /* `tcp PORTS from ADDR` ports per host */

struct scn_host {
    char name[SCN_NAME_MAX];
    uint32_t addr;
    struct personality pers;  /* preset (os key, or the default) with this line's overrides */
    struct scn_portset *tcp;  /* open TCP ports (listening), heap */
    struct scn_portset *udp;  /* open UDP ports, heap */
    bool sets_shared;         /* tcp/udp are the scenario's shared sets (struct scenario
                                 .sets; NULL = empty), not this host's own */
    bool down;                /* answers nothing */
    bool scanner;             /* role scanner */
    struct scn_service *svc;  /* service applications, heap (never shared); NULL = none */
    uint32_t nsvc;
    /* `tcp PORTS from ADDR`: listeners that serve one address only (rsh's trust) */
    uint8_t ntrust;
    struct scn_trust { uint16_t port; uint32_t addr; } trust[SCN_TRUST_MAX];
    struct scn_pos pos;
};

enum scn_action { SCN_ACCEPT, SCN_DROP, SCN_REJECT };

/* What a reject sends: exactly what iptables' REJECT --reject-with sends. */
enum scn_reject {
    SCN_REJ_PORT_UNREACH,   /* icmp-port-unreachable (iptables default) */
    SCN_REJ_HOST_UNREACH,
    SCN_REJ_NET_UNREACH,
    SCN_REJ_NET_PROHIB,
    SCN_REJ_HOST_PROHIB,
    SCN_REJ_ADMIN_PROHIB,
    SCN_REJ_TCP_RESET,
};

enum { SCN_RULE_PORTS_MAX = 16 };

struct scn_portrange { uint16_t lo, hi; };

struct scn_rule {
    enum scn_action action;
    enum scn_reject reject;        /* SCN_REJECT only */
    uint8_t proto;                 /* 0 = any; WIRE_PROTO_TCP/UDP/ICMP */
    bool has_from, has_to;
    uint32_t from, from_mask, to, to_mask;  /* CIDR, or a host name's address /32 */
    uint8_t nsport, ndport;
    struct scn_portrange sport[SCN_RULE_PORTS_MAX], dport[SCN_RULE_PORTS_MAX];
    bool has_flags;
    uint8_t flags_mask, flags_value;   /* (tcp.flags & mask) == value; `flags syn`: mask SYN|ACK|RST, value SYN */
    char text[96];                 /* the rule as written, for the transcript */
    struct scn_pos pos;
};

struct scn_filter {
    char name[SCN_NAME_MAX];
    char host[SCN_NAME_MAX];       /* host it sits in front of */
    uint32_t host_addr;
    bool inbound;                  /* in: packets to host; out: packets from host */
    bool stateful;
    struct scn_rule *rules;
    size_t nrules;
    enum scn_action policy;        /* default SCN_ACCEPT */
    struct scn_pos policy_pos;     /* the `policy` line; line 0 when the default applies */
    struct scn_pos pos;
};

struct scn_traffic {               /* background packets: FROM -> TO:PORT proto rate N/s start T stop T */
    uint32_t from, to;
    uint16_t dport;
    uint8_t proto;
    uint32_t rate;                 /* packets per second */
    uint64_t start_ns, stop_ns;
    struct scn_pos pos;
};

enum { SCN_CONNECT_DATA_MAX = 1024 };

struct scn_connect {               /* connect FROM[:SPORT] -> TO:PORT at T [send N|"TEXT"] [close T] */
    uint32_t from, to;
    uint16_t sport;                /* 0: an ephemeral port, drawn as connect(2) does */
    uint16_t dport;
    uint64_t at_ns;
    uint32_t send_bytes;
    bool has_data;                 /* send "TEXT": send_data's send_bytes bytes; else
                                      send_bytes bytes of 'X' */
    bool has_close;
    uint64_t close_ns;             /* absolute time of close */
    struct scn_pos pos;
    uint8_t send_data[SCN_CONNECT_DATA_MAX];
};

enum { SCN_DATA_MAX = 1448 };   /* a full segment: MSS 1460 less the 12 timestamp bytes */

/* Every time a scenario writes (at, start, stop, close, delay) is at most 100 years of
 * nanoseconds: two of them and every timer the simulator adds stay far below 2^64. */
#define SCN_TIME_MAX (3155760000ULL * 1000000000ULL)
/* connect ... send N: at most 2^31 - 1 bytes, the most TCP's 32-bit sequence space can have
 * written and not yet acknowledged (RFC 793 3.3: comparisons are modulo 2^32). */
#define SCN_SEND_MAX 2147483647u

struct scn_send {                  /* a packet by hand */
    uint32_t from, to;
    bool has_sport;
    uint16_t sport, dport;
    uint8_t proto;                 /* TCP, UDP or ICMP (echo or timestamp) */
    uint8_t flags;
    bool has_seq, has_ack, has_win, has_ttl, has_ipid;
    uint32_t seq, ack;
    uint16_t win, ipid;
    uint8_t ttl;
    uint8_t opts[OS_OPT_LAYOUT_MAX]; /* option kinds in order (TCPOPT_*): the same list as a
                                    host's `options` (scn_get_tcp_options), 8 entries */
    uint8_t nopts;
    struct scn_optvals {           /* values written in the list: ts:V:E, sack:L-R, mss:N,
                                      wscale:N (else the defaults of script.c build_opts) */
        bool has_ts, has_mss, has_wscale;
        uint32_t tsval, tsecr;
        uint16_t mss;
        uint8_t wscale;
        uint8_t nsack;             /* SACK blocks (kind 5, RFC 2018 3): left, right edges */
        uint32_t sack[4][2];
    } ov;
    uint16_t icmp_id, icmp_seq;
    bool icmp_ts;                  /* icmp timestamp (13) instead of echo (8) */
    bool has_data;                 /* a data key was given */
    uint16_t data_len;
    uint8_t data[SCN_DATA_MAX];    /* data "TEXT" or data N (N bytes of 'X') */
    uint64_t at_ns;
    struct scn_pos pos;
};

/* hosts PREFIX/LEN [alive P%] [host keys]: a population. Each address of the prefix is alive
 * or not by a keyed hash of the seed and the address (not a stream, so one address's fate
 * never depends on another's); a live one becomes a host named by its dotted quad, with the
 * template's keys, when a datagram first reaches it. Declared hosts take precedence. */
struct scn_pop {
    uint32_t prefix;          /* masked */
    uint8_t plen;
    uint32_t alive_ppm;       /* default 1000000 (all) */
    struct scn_host tmpl;     /* name "", addr 0; tcp/udp shared like a host line's */
    struct scn_pos pos;
};

struct scenario {
    char file[256];
    char title[SCN_TITLE_MAX];
    uint64_t seed;                 /* default 1 */
    struct scn_net *nets;      size_t nnets;
    struct scn_host *hosts;    size_t nhosts;
    struct scn_filter *filters; size_t nfilters;
    struct scn_traffic *traffic; size_t ntraffic;
    struct scn_connect *connects; size_t nconnects;
    struct scn_send *sends;    size_t nsends;
    struct scn_portset **sets; size_t nsets;  /* distinct port sets the hosts share */
    struct scn_pop *pops;      size_t npops;
};

/* Parses `len` bytes of `text` named `file` into *out. Returns 0, or -1 with a message
 * "FILE:LINE:COL: error: expected ..., found ..." in err. On error *out is freed and zeroed. */
int scenario_parse(const char *file, const char *text, size_t len, struct scenario *out,
                   char *err, size_t errlen);
/* Reads and parses a file; errors as above (an unreadable file: "FILE: strerror"). */
int scenario_load_file(const char *path, struct scenario *out, char *err, size_t errlen);
void scenario_free(struct scenario *sc);
/* A new empty port set owned by sc (freed by scenario_free), for code that edits a parsed
 * scenario's host: a parsed host's sets are shared with other hosts and must not be
 * changed in place. NULL when out of memory. */
struct scn_portset *scenario_own_portset(struct scenario *sc);
const struct scn_host *scenario_host(const struct scenario *sc, const char *name);

/* The embedded default network (scenarios/default.scn compiled in). */
extern const char scenario_default_text[];
extern const size_t scenario_default_len;

#endif
