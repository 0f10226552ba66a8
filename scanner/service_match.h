/* service_match.h — matching a service's response against nmap's match lines with PCRE2.
 *
 * nmap's rules are Perl-compatible regular expressions (nmap links PCRE2): a rule is compiled
 * on first use with its i/s options, run against the bytes a probe got back, and on a match
 * its version templates are filled from the captures: $1..$9, $P(n) (printable characters
 * only), $SUBST(n,"from","to") and $I(n,">"|"<") (a 1-4 byte unsigned integer, big- or
 * little-endian), as nmap's service_scan.cc dotmplsubst does.
 */
#ifndef TCPLAB_SCANNER_SERVICE_MATCH_H
#define TCPLAB_SCANNER_SERVICE_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanner/service_probes.h"

enum { SVC_TEXT_MAX = 80 };

/* What a matched rule says. */
struct svc_result {
    char service[32];
    bool soft;
    char field[SVC_NFIELDS][SVC_TEXT_MAX];   /* "" when absent */
    char cpe[SVC_CPE_MAX][SVC_TEXT_MAX];
    int ncpe;
    int line;                                /* the rule's line in the file */
};

/* Whether m matches the n bytes of resp; fills *r when it does. */
bool svc_match_one(struct svc_match *m, const uint8_t *resp, size_t n, struct svc_result *r);
/* The first match (not softmatch) of probe p for resp; else, when soft is not NULL, the first
 * softmatch (into *soft). Returns 1 match, 2 softmatch only, 0 none. */
int svc_match_probe(struct svc_probe *p, const uint8_t *resp, size_t n, struct svc_result *r,
                    const char *only_service);
/* Frees m's compiled pattern (svc_db_free calls it). */
void svc_match_release(struct svc_match *m);

#endif
