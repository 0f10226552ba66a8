/* targets.h — nmap's target specifications: addresses, CIDR, octet ranges, names, -iL, --exclude.
 *
 * Follows nmap's libnetutil/NetBlock.cc and targets.cc (docs/facts/nmap.md section 7):
 * dotted quads; "/0".."/32" after an address, an octet form or a host name (the range includes
 * network and broadcast addresses); octet forms where each octet is "*", a number or comma-joined
 * ranges "a-b" open at either end ("10.0.0-255.1-254", "192.168.3-5,7.1", "-5", "250-"). Host
 * names go through a caller-supplied resolver, so the scanner never learns whether names come
 * from a scenario file or from the system. The result is a sorted, duplicate-free array of
 * addresses (host byte order), excludes applied, at most TARGETS_MAX addresses.
 *
 * Typical use (cmd/scan.c):
 *     struct target_list tl, ex;  targets_init(&tl); targets_init(&ex);
 *     struct targets_cfg cfg = { resolve, ctx, stderr };
 *     targets_add_spec(&tl, "10.0.0.0/24", &cfg, err, sizeof err)  (each argv word)
 *     targets_add_file(&tl, "-", &cfg, ...)                         (-iL)
 *     targets_add_list(&ex, "10.0.0.1,10.0.0.9", &cfg, ...)        (--exclude; --excludefile
 *                                                                  = targets_add_file(&ex, ..))
 *     targets_finish(&tl, &ex);  ... tl.addrs[0 .. tl.n) ...  targets_free(&tl); targets_free(&ex);
 * Every add returns 0, or -1 with an nmap-like message in err (the caller prints it and exits
 * non-zero). Warnings (e.g. "Illegal netmask ...") go to cfg->warn when it is not NULL.
 */
#ifndef TCPLAB_TARGETS_H
#define TCPLAB_TARGETS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { TARGETS_MAX = 1 << 24 };          /* refuse more addresses than this (64 MiB of uint32) */
enum { TARGETS_ENTRY_MAX = 1023 };       /* longest -iL / --excludefile entry, as nmap */

/* Resolves a host name to one IPv4 address (host byte order). 0 on success, -1 if unknown.
 * The simulator resolves scenario host names; live mode may use getaddrinfo or nothing. */
typedef int (*targets_resolve_fn)(void *ctx, const char *name, uint32_t *addr);

struct targets_cfg {
    targets_resolve_fn resolve;   /* NULL: names never resolve */
    void *resolve_ctx;
    FILE *warn;                   /* warnings, or NULL for none */
};

/* A host name as the user typed it, for "Nmap scan report for NAME (ip)". */
struct target_name {
    uint32_t addr;
    char name[64];
};

struct target_list {
    uint32_t *addrs;   /* after targets_finish: ascending, unique, excludes removed */
    size_t n, cap;
    struct target_name *names;    /* names typed for addresses (first one typed wins) */
    size_t nnames, capnames;
};

void targets_init(struct target_list *t);
void targets_free(struct target_list *t);

/* One specification (one argv word, no blanks). */
int targets_add_spec(struct target_list *t, const char *spec, const struct targets_cfg *cfg,
                     char *err, size_t errlen);
/* A comma-separated list of specifications (--exclude). Note: commas inside an octet form
 * ("192.168.3-5,7.1") are octet lists, as nmap reads them; a comma followed by a new full
 * spec ("10.0.0.1,10.0.0.9") starts a new one. */
int targets_add_list(struct target_list *t, const char *list, const struct targets_cfg *cfg,
                     char *err, size_t errlen);
/* -iL / --excludefile: path "-" is stdin. Blank-separated entries, '#' comments. */
int targets_add_file(struct target_list *t, const char *path, const struct targets_cfg *cfg,
                     char *err, size_t errlen);
int targets_add_stream(struct target_list *t, FILE *in, const char *what,
                       const struct targets_cfg *cfg, char *err, size_t errlen);

/* Sorts, removes duplicates and every address in ex (may be NULL). */
void targets_finish(struct target_list *t, const struct target_list *ex);
/* The name typed for addr, or NULL. */
const char *targets_name_of(const struct target_list *t, uint32_t addr);

/* Parses a dotted quad "a.b.c.d" exactly (no ranges). 0 and *addr, or -1. */
int targets_parse_quad(const char *s, uint32_t *addr);
/* Writes "a.b.c.d" into buf (at least 16 bytes). */
const char *targets_fmt(uint32_t addr, char buf[16]);

#endif
