/* scenario_int.h — internal to the scenario parser: the parser state shared by
 * scenario.c (driver, scenario/seed/net statements), scenario_host.c (host, hosts and
 * service lines), scenario_filter.c (filter and rules) and scenario_events.c (traffic,
 * connect, send), and the helpers they share to
 * read names, addresses, prefixes and endpoints.
 */
#ifndef TCPLAB_SCENARIO_INT_H
#define TCPLAB_SCENARIO_INT_H

#include "scenario.h"
#include "scenario_lex.h"

/* A host defined somewhere in the file (pass 1), for names used before their line. */
struct scn_name {
    const char *name;
    size_t len;
    uint32_t addr;
    int line;
};

struct scn_parser {
    struct scn_ctx cx;
    struct scenario *sc;
    struct scn_line ln;
    struct scn_name *by_name, *by_addr;  /* pass-1 hosts, sorted by (name, line) / (addr, line) */
    size_t nnames;
    long cur_filter;                     /* index of the filter whose rules follow, or -1 */
    long cur_host;                       /* index of the host whose `service` lines follow, -1 */
    bool have_title, have_seed, have_scanner;
    struct scn_portset **itab;           /* distinct port sets (scn_portset_intern), open */
    size_t icap, iused;                  /*   addressing by a hash of the bits */
};

/* The one copy of set's contents in the scenario (set itself, now owned by the scenario's
 * list, or an equal earlier one, set then freed); NULL for an empty set. NULL with *oom when
 * memory ran out (set freed). Many host lines name the same ports: 100,000 `tcp 80` hosts
 * share one 8 KiB bitmap instead of owning 1.6 GB of them. */
struct scn_portset *scn_portset_intern(struct scn_parser *p, struct scn_portset *set, bool *oom);

/* The i-th token of the current line, or NULL past the end. */
const struct scn_tok *scn_at(const struct scn_parser *p, size_t i);
/* Error unless the line has no token at index i. */
int scn_end(struct scn_parser *p, size_t i);
/* Grows a vector whose capacity is implicit (the next power of two >= n). */
int scn_vec_reserve(void **arr, size_t n, size_t elem);
/* An IPv4 address or a host name. */
int scn_resolve(struct scn_parser *p, const struct scn_tok *t, uint32_t *addr);
/* "A[:PORT]": port_rule 0 = no port allowed, 1 = optional, 2 = required. */
int scn_endpoint(struct scn_parser *p, const struct scn_tok *t, int port_rule, uint32_t *addr,
                 bool *has_port, uint16_t *port);

/* The pass-1 host of this name, or NULL. */
const struct scn_name *scn_find_name(const struct scn_parser *p, const char *s, size_t len);
/* The earliest pass-1 host with this address, or NULL. */
const struct scn_name *scn_find_addr(const struct scn_parser *p, uint32_t addr);
/* Copies a valid name (at most SCN_NAME_MAX-1 bytes) into dst, or reports why not. */
int scn_get_name(struct scn_parser *p, const struct scn_tok *t, const char *what, char *dst);
/* "A/N" or "A" (= /32); A may be a host name. */
int scn_cidr(struct scn_parser *p, const struct scn_tok *t, uint32_t *addr, uint8_t *plen);
uint32_t scn_mask(uint8_t plen);

/* A TCP option list "mss,sack,ts,nop,wscale" (scenario_events.c), for `send ... options`
 * and the host key `options`: TCPOPT_* kinds in order into kinds, their count in *n; at most
 * 8 entries and 40 bytes (RFC 793: a data offset of 15 words). Any list goes for `send`
 * (a packet by hand may be odd on purpose). With `layout` (a host's SYN and SYN-ACK layout)
 * the list must also include mss, name each other option at most once and not end in nop:
 * a NOP pads the option after it (tcp_out.c tcp_opts_custom). */
int scn_get_tcp_options(struct scn_parser *p, const struct scn_tok *t, bool layout,
                        uint8_t kinds[OS_OPT_LAYOUT_MAX], uint8_t *n);
/* The same list for `send`, where an option may carry its values: ts:TSVAL:TSECR,
 * mss:N, wscale:N, and sack:L-R[:L-R...] (SACK blocks, kind 5, 1-4 of them; `sack` alone
 * is SACK-permitted). Values go into *ov. */
int scn_get_send_options(struct scn_parser *p, const struct scn_tok *t,
                         uint8_t kinds[OS_OPT_LAYOUT_MAX], uint8_t *n, struct scn_optvals *ov);

int scn_stmt_host(struct scn_parser *p);      /* scenario_host.c */
int scn_stmt_hosts(struct scn_parser *p);
int scn_service_line(struct scn_parser *p);   /* an indented service line under a host */
int scn_stmt_filter(struct scn_parser *p);
int scn_rule_line(struct scn_parser *p);   /* an indented line under the current filter */
int scn_stmt_traffic(struct scn_parser *p);
int scn_stmt_connect(struct scn_parser *p);
int scn_stmt_send(struct scn_parser *p);

#endif
