/* vscan.h — -sV: nmap's service and version detection (service_scan.cc), after the port scan.
 *
 * Pieces, one file each:
 *   service_probes.c  nmap-service-probes parsed (probes, ports, rarity, fallbacks)
 *   service_match.c   its rules run by PCRE2, templates filled ($1, $P, $SUBST, $I, cpe:)
 *   vscan.c           the engine: per open port, connect, the NULL probe, then the probes
 *                     chosen by port, rarity and intensity (vscan_next_probe), matched with
 *                     fallbacks; tcpwrapped; many ports at once, waits on the pktio clock
 *   vscan_fp.c        the "SF-Port..." fingerprint of a service that answered unrecognised
 *   vscan_out.c       what outputs print: the SERVICE name ("ssh", "printer?"), the VERSION
 *                     column, "Service Info:", XML <service>, the fingerprints
 *   vscan_builtin.c   this project's small probes file, used when no nmap is installed
 *
 * The algorithm is nmap's "Service and Version Detection" (Nmap book ch. 7, "Technique
 * Described"; service_scan.cc): see vscan.c.
 */
#ifndef TCPLAB_SCANNER_VSCAN_H
#define TCPLAB_SCANNER_VSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "scanner/result.h"
#include "scanner/service_match.h"
#include "scanner/service_probes.h"

/* How a port's detection ended (nmap's serviceprobestate). */
enum vscan_end {
    VS_END_NOMATCH = 0,      /* nothing matched: name from the services table */
    VS_END_SOFT,             /* only a softmatch: the service, no version */
    VS_END_HARD,             /* a match */
    VS_END_TCPWRAPPED,       /* closed on us during the NULL probe, before tcpwrappedms */
    VS_END_INCOMPLETE,       /* the connection failed */
    VS_END_EXCLUDED,         /* the file's Exclude line (e.g. 9100-9107: printers print) */
};

/* What -sV found for one port. */
struct vscan_port {
    uint16_t port;
    uint8_t proto;
    uint8_t end;                             /* enum vscan_end */
    bool ssl;                                /* "ssl/NAME": the rule said so */
    char name[SVC_NAME_MAX];                 /* "" for the services table's */
    char field[SVC_NFIELDS][SVC_TEXT_MAX];   /* product, version, ...; "" absent */
    char cpe[3][SVC_FIELD_LEN];              /* without "cpe:/" */
    int ncpe;
    int line;                                /* the matching rule's line, 0 none */
    char *fp;                                /* "%r(NULL,20,\"...\")..." or NULL (vscan_fp.c) */
    uint64_t fp_ns;                          /* backend time of its first response */
};

struct vscan_result {
    int intensity;
    size_t n;
    struct vscan_port p[];                   /* the ports version-scanned, by (proto, port) */
};
void vscan_result_free(struct vscan_result *r);
const struct vscan_port *vscan_find(const struct vscan_result *r, uint8_t proto, uint16_t port);

/* nmap's ServiceNFO::nextProbe: which probe is next for one port. phase starts at
 * VS_INITIAL; each call returns the index into db->p of the next probe to send, or -1 when
 * none is left. NULL probe first (TCP); then, in file order, the probes whose ports (or,
 * with ssl, sslports) list the port; then the others whose rarity is at most the intensity.
 * After a softmatch (soft_name set) only probes with a rule for that service are sent, at
 * any rarity, unless the intensity is 9. */
enum vscan_phase { VS_INITIAL, VS_NULLPROBE, VS_MATCHING, VS_NONMATCHING, VS_DONE };
struct vscan_sel {
    enum vscan_phase phase;
    int cur;
    uint16_t port;
    bool udp, ssl;
    int intensity;                           /* 0-9 */
    const char *soft_name;                   /* the softmatched service, or NULL */
};
int vscan_next_probe(struct vscan_sel *s, const struct svc_db *db);

/* The rules that read probe k's answer, in nmap's fallback order (itself, its fallback
 * directive's probes, the NULL probe): the first that matches, into *r. 1 match, 2
 * softmatch, 0 none; *by (when not NULL) the probe whose rule it was. */
int vscan_match(struct svc_db *db, int k, const uint8_t *resp, size_t n, struct svc_result *r,
                int *by);

/* The fingerprint of unrecognised answers (vscan_fp.c): the "%r(PROBE,LEN,\"...\")" part of
 * one answer appended to *fp (malloc'ed; grown), at most the first 900 bytes of it escaped
 * as nmap escapes them, none once the print is long enough (nmap's 2200). -1: no memory. */
int vscan_fp_add(char **fp, const char *probe, const uint8_t *resp, size_t n);
/* The whole fingerprint as nmap prints it: "SF-Port21-TCP:V=...%I=7%D=1/1%Time=...%P=...",
 * the answers, ';', wrapped every 75 bytes with "\nSF:" (wrap false: one line, for XML's
 * servicefp). unix_time: when it was taken. Returns the length (cut at cap). */
size_t vscan_fp_text(const struct vscan_port *p, int intensity, int64_t unix_time, bool wrap,
                     char *buf, size_t cap);

/* Output (vscan_out.c). */
/* The SERVICE cell: "ssh", "ssl/http", "printer?" (open, not probed), "tcpwrapped". vscan:
 * -sV ran (the '?'); vs: the host's results (NULL: the services table's names). */
void vscan_service_cell(const struct vscan_result *vs, bool vscan, const struct port_result *p,
                        char *buf, size_t cap);
/* The VERSION cell: "OpenSSH 9.2p1 Debian 2 (protocol 2.0)" (populateFullVersionString);
 * "" when none. */
void vscan_version_cell(const struct vscan_result *vs, const struct port_result *p,
                        char *buf, size_t cap);
/* "Service Info: Host: vax; OS: Unix; CPE: cpe:/o:linux:linux_kernel" for the open ports,
 * or nothing. hostname: the host's own name, left out of the Host: list. */
void vscan_print_info(FILE *f, const struct host_result *h);
/* "N service(s) unrecognized despite returning data..." and the fingerprints of the ports
 * shown (ports[n]). A fingerprint's time is base_unix + (its fp_ns - base_ns). */
void vscan_print_fps(FILE *f, const struct vscan_result *vs, const struct port_result **ports,
                     size_t n, int64_t base_unix, uint64_t base_ns);
/* <service .../> for XML; name escaped, cpe elements. */
void vscan_print_xml(FILE *f, const struct vscan_result *vs, const struct port_result *p,
                     int64_t base_unix, uint64_t base_ns);
/* JSON members after "service": name, product, ... (no braces). */
void vscan_print_json(FILE *f, const struct vscan_result *vs, const struct port_result *p);

/* The built-in probes file (vscan_builtin.c), in nmap's format. */
extern const char vscan_builtin_probes[];
/* Reads DATADIR/nmap-service-probes (datadir NULL: /usr/share/nmap, then /usr/local/share/
 * nmap); without one, the built-in file, *builtin set. 0, or -1 with a message (a file that
 * does not parse: FILE:LINE:COL). */
int vscan_db_load(const char *datadir, struct svc_db *db, bool *builtin, char *path,
                  size_t pathcap, char *err, size_t errlen);

#endif
