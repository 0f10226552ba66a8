/* service_probes.h — nmap's version-detection probe file (nmap-service-probes), parsed.
 *
 * The file is nmap's own, read at run time from an installed nmap (never shipped here): its
 * format is nmap's documented one ("nmap-service-probes File Format", Nmap book chapter 7):
 * Exclude, Probe, match, softmatch, ports, sslports, totalwaitms, tcpwrappedms, rarity and
 * fallback lines. Parsing keeps the regular expressions as text (service_match.c compiles
 * them with PCRE2 when a probe's responses are first matched) and every error is
 * FILE:LINE:COL with what was expected.
 */
#ifndef TCPLAB_SCANNER_SERVICE_PROBES_H
#define TCPLAB_SCANNER_SERVICE_PROBES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct svc_range { uint16_t lo, hi; };
struct svc_ports { struct svc_range *r; size_t n; };

/* The version fields of a match line: p/ v/ i/ h/ o/ d/ and cpe:/ templates, with $1..$9,
 * $P(n), $SUBST(n,"a","b") and $I(n,">") left for service_match.c to fill in. */
enum svc_field { SVC_P, SVC_V, SVC_I, SVC_H, SVC_O, SVC_D, SVC_NFIELDS };
enum { SVC_CPE_MAX = 8, SVC_FALLBACK_MAX = 20 };

struct svc_match {
    char *service;            /* "ssh", "http", "ssl/http" */
    char *pattern;            /* the PCRE source, between the delimiters */
    bool icase, dotall;       /* the i and s options */
    bool soft;                /* softmatch */
    char *field[SVC_NFIELDS]; /* NULL: absent */
    char *cpe[SVC_CPE_MAX];
    int ncpe;
    int line;
    void *re;                 /* the compiled pattern (service_match.c), NULL until used */
    bool re_failed;           /* PCRE2 refused it: never matches */
};

struct svc_probe {
    char *name;
    bool udp;
    uint8_t *data;            /* the probe string, escapes decoded */
    size_t len;
    struct svc_ports ports, sslports;
    int rarity;               /* 1-9; nmap's 5 when the file gives none */
    uint32_t totalwaitms, tcpwrappedms;   /* 0: nmap's defaults (5000, 2000) */
    char *fallback;           /* comma-separated probe names, NULL */
    /* The probes whose rules read this probe's answers, in order (nmap's compileFallbacks):
     * itself, its fallback directive's probes, then for TCP the NULL probe. Indices into
     * svc_db.p; -1 ends the list early. */
    int fb[SVC_FALLBACK_MAX + 2];
    int nfb;
    struct svc_match *m;
    size_t nm;
    int line;
};

struct svc_db {
    char file[256];
    struct svc_probe *p;
    size_t np;
    int null_probe;           /* index of the TCP probe with an empty string (NULL), or -1 */
    struct svc_ports exclude_tcp, exclude_udp;   /* the Exclude line */
};

/* Parses len bytes of text named file. 0, or -1 with "FILE:LINE:COL: error: ..." in err (db
 * freed). A fallback naming no probe of the same protocol is an error at its line. */
int svc_db_parse(const char *file, const char *text, size_t len, struct svc_db *db, char *err,
                 size_t errlen);
/* Reads DIR/nmap-service-probes (dir NULL: /usr/share/nmap). Without the file: -1 and a
 * message saying which file and that nmap's data files are needed. */
int svc_db_load(const char *dir, struct svc_db *db, char *err, size_t errlen);
void svc_db_free(struct svc_db *db);

bool svc_ports_has(const struct svc_ports *ps, uint16_t port);
/* Whether one of p's rules (match or softmatch) names service (nmap's serviceIsPossible). */
bool svc_probe_can_find(const struct svc_probe *p, const char *service);
/* A probe's waits with nmap's defaults filled in, in milliseconds. */
uint32_t svc_probe_totalwaitms(const struct svc_probe *p);
uint32_t svc_probe_tcpwrappedms(const struct svc_probe *p);
/* The probe named name, or NULL. */
const struct svc_probe *svc_db_probe(const struct svc_db *db, const char *name, bool udp);

#endif
