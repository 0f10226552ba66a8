/* service_match.h — matching a service's response against nmap's match lines with PCRE2.
 *
 * nmap's rules are Perl-compatible regular expressions (nmap links PCRE2): a rule is compiled
 * on first use with its i/s options, run against the bytes a probe got back (with nmap's
 * match limits: 50000 steps, depth 1000), and on a match its version templates are filled
 * from the captures: $1..$9, $P(n) (printable characters only), $SUBST(n,"from","to") and
 * $I(n,">"|"<") (an unsigned integer of up to 8 bytes, big- or little-endian), as nmap's
 * service_scan.cc dotmplsubst does: trailing blanks and commas are cut, a field whose
 * substitution fails (an unset group, a result longer than the field) is left empty, and in
 * cpe: templates each substituted text is made safe for a CPE URL (lower case, blanks to
 * '_', the CPE 2.2 section 5.4 reserved characters %-escaped).
 */
#ifndef TCPLAB_SCANNER_SERVICE_MATCH_H
#define TCPLAB_SCANNER_SERVICE_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanner/service_probes.h"

/* nmap's field sizes (service_scan.cc SERVICE_FIELD_LEN, SERVICE_EXTRA_LEN,
 * SERVICE_TYPE_LEN), terminating NUL included: i/ 256, o/ and d/ 32, the others 80. */
enum { SVC_TEXT_MAX = 256, SVC_FIELD_LEN = 80, SVC_TYPE_LEN = 32, SVC_NAME_MAX = 64 };
size_t svc_field_cap(enum svc_field f);

/* What a matched rule says. cpe holds the templates' results without their "cpe:/" prefix,
 * at most one per part (a, h, o: the last template of a part wins, as in nmap), in the
 * order a, h, o. */
struct svc_result {
    char service[SVC_NAME_MAX];
    bool soft;
    char field[SVC_NFIELDS][SVC_TEXT_MAX];   /* "" when absent */
    char cpe[3][SVC_FIELD_LEN];
    int ncpe;
    int line;                                /* the rule's line in the file */
};

/* Whether m matches the n bytes of resp; fills *r when it does. */
bool svc_match_one(struct svc_match *m, const uint8_t *resp, size_t n, struct svc_result *r);
/* The first rule of probe p, in file order, that matches resp, match or softmatch alike
 * (nmap's ServiceProbe::testMatch): 1 a match, 2 a softmatch, 0 none. only_service, when not
 * NULL, skips rules of other services. */
int svc_match_probe(struct svc_probe *p, const uint8_t *resp, size_t n, struct svc_result *r,
                    const char *only_service);
/* Frees m's compiled pattern (svc_db_free calls it). */
void svc_match_release(struct svc_match *m);
/* Frees the match buffers shared by every rule (svc_db_free calls it too). */
void svc_match_cleanup(void);

#endif
