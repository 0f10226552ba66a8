/* osscan.h — -O: nmap's OS detection (osscan2.cc, osscan.cc, FingerPrintResults.cc, the OS
 * parts of output.cc), written down in docs/facts/osscan.md.
 *
 * Pieces, one file each:
 *   osscan_fp.c      a fingerprint: thirteen tests (SEQ OPS WIN ECN T1-T7 U1 IE) of named
 *                    attributes; nmap's text form (test2str, mergeFPs, the SCAN line, OS: wrap)
 *   osscan_db.c      nmap-os-db read at run time (MatchPoints, Fingerprint/Class/CPE lines)
 *   osscan_match.c   expr_match, MatchPoints scoring, the 36 best matches, classification
 *   osscan_probe.c   the probes on the wire: 6 SEQ SYNs 100 ms apart, IE x2, U1, ECN, T2-T7
 *   osscan_resp.c    replies -> attribute values (processResp, makeFP, makeTSeqFP)
 *   osscan_run.c     rounds per host group (os_scan_ipv4: up to 5 tries, findBestFPs)
 *   osscan_out.c     Device type / Running / OS CPE / OS details / guesses, XML <os>, -oG OS:
 *   osscan_builtin.c this project's own small database of its presets, used without nmap's
 *
 * The database outlives every report matched against it: a report's matches point into it.
 */
#ifndef TCPLAB_OSSCAN_H
#define TCPLAB_OSSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum os_test {
    OS_SEQ, OS_OPS, OS_WIN, OS_ECN, OS_T1, OS_T2, OS_T3, OS_T4, OS_T5, OS_T6, OS_T7, OS_U1,
    OS_IE, OS_NTESTS
};
enum { OS_MAX_ATTRS = 11, OS_MAX_RESULTS = 36, OS_MAX_TRIES = 5, OS_OBS_POOL = 2048 };

/* A fingerprint's values: off[t][a] is an offset into a text pool (0: attribute absent;
 * every pool starts with a NUL). tests: bit t set when test t is present. */
struct os_print {
    uint32_t off[OS_NTESTS][OS_MAX_ATTRS];
    uint16_t tests;
};

/* Test and attribute names in nmap's order (FingerPrintDef::test_attrs). */
const char *os_test_name(int t);
int os_test_nattrs(int t);
const char *os_attr_name(int t, int a);
int os_test_by_name(const char *s, size_t n);          /* -1: unknown */
int os_attr_by_name(int t, const char *s, size_t n);   /* -1: unknown */
static inline const char *os_val(const struct os_print *p, const char *pool, int t, int a)
{
    return p->off[t][a] ? pool + p->off[t][a] : NULL;
}

/* An observed fingerprint with its own pool. */
struct os_obs {
    struct os_print p;
    char pool[OS_OBS_POOL];
    uint32_t used;
};
void os_obs_init(struct os_obs *o);
void os_obs_test(struct os_obs *o, int t);                   /* the test is present */
void os_obs_set(struct os_obs *o, int t, const char *attr, const char *val);   /* NULL: unset */
void os_obs_setf(struct os_obs *o, int t, const char *attr, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
const char *os_obs_get(const struct os_obs *o, int t, const char *attr);
/* "SEQ(SP=105%GCD=1%...)": one test in nmap's form (test2str). Returns the length. */
size_t os_test_str(const struct os_print *p, const char *pool, int t, char *buf, size_t cap);

/* Reads a fingerprint as nmap prints it (wrapped "OS:" lines or one test a line; the SCAN
 * test is skipped; of a test given twice the first counts, as in parse_single_fingerprint).
 * 0, or -1 with a message. */
int os_obs_parse(struct os_obs *o, const char *text, char *err, size_t errlen);

/* The SCAN pseudo-test's inputs (WriteSInfo). */
struct os_scaninfo {
    int open_port, closed_port, closed_udp;  /* -1: none */
    bool reserved_addr;                      /* PV: the target's address is private/reserved */
    int distance;                            /* -1: unknown */
    char dist_method;                        /* 'I', 'L', 'D' or 0 */
    bool good;                               /* G: fit for submission */
    int64_t unix_time;                       /* D and TM */
};
/* mergeFPs: the SCAN line and each distinct test of the rounds' fingerprints, in nmap's
 * order; wrapped ("OS:" + 71 characters a line) or one test a line. Returns the length. */
size_t os_merge(const struct os_obs *const *fps, int nfps, const struct os_scaninfo *si,
                bool wrap, char *buf, size_t cap);

/* The database. */
struct os_class {
    const char *vendor, *family, *gen, *type;   /* gen NULL when the line leaves it empty */
    const char *cpe[8];
    int ncpe;
};
struct os_ref {
    const char *name;
    int line;                  /* of its Fingerprint line */
    unsigned maxpoints;        /* nmap's numprints: the points its present attributes give */
    uint16_t r_implied;        /* bit t: test t's R was not written but implied (Y with
                                  values, N without); nmap before 7.95 compares no R there */
    uint32_t cls0, ncls;       /* its classes: db->classes[cls0 .. cls0+ncls) */
    struct os_print p;
};
struct os_db {
    char *text;                /* the file, cut up in place; pool of every value */
    size_t len;
    uint8_t points[OS_NTESTS][OS_MAX_ATTRS];
    struct os_ref *refs;
    size_t nrefs, caprefs;
    struct os_class *classes;
    size_t nclasses, capclasses;
    char path[256];            /* where it was read from ("(built-in)" for ours) */
    bool builtin;
    bool nested;               /* some value uses the nested "[...]" syntax of nmap 7.95+ */
    /* Match as nmap 7.93/7.94 did (osscan_match.c os_expr_legacy): set by os_db_load for a
     * file without the nested syntax, i.e. one that shipped with an nmap before 7.95
     * (Debian 12's 7.93 among them), so that accuracies agree with the installed nmap. */
    bool legacy;
};
/* Reads nmap-os-db at path. 0, or -1 with "PATH:LINE: what" in err. */
int os_db_load(struct os_db *db, const char *path, char *err, size_t errlen);
/* Parses text (copied) named `name` in messages. */
int os_db_parse(struct os_db *db, const char *name, const char *text, size_t len, char *err,
                size_t errlen);
/* This project's database of its own presets (osscan_builtin.c). */
int os_db_builtin(struct os_db *db, char *err, size_t errlen);
void os_db_free(struct os_db *db);
/* The installed nmap's database: DATADIR/nmap-os-db when datadir is given, else
 * /usr/share/nmap/nmap-os-db then /usr/local/share/nmap/nmap-os-db. Writes the path found
 * into buf; false when none is readable. */
bool os_db_find(const char *datadir, char *buf, size_t cap);

/* Matching (osscan.cc expr_match, compare_fingerprints, match_fingerprint). */
bool os_expr_match(const char *val, size_t vlen, const char *expr, size_t elen, bool nested);
/* nmap 7.93/7.94's expr_match (before nmap commit b4959d04f, 2023): NUL-terminated strings. */
bool os_expr_legacy(const char *val, const char *expr);
double os_compare(const struct os_db *db, const struct os_ref *ref, const struct os_obs *obs,
                  double threshold);
enum os_overall { OS_SUCCESS = 0, OS_NOMATCHES = -1, OS_TOOMANY = -2 };
struct os_matches {
    const struct os_ref *m[OS_MAX_RESULTS];
    double acc[OS_MAX_RESULTS];
    int n, nperfect;
    int overall;               /* enum os_overall */
};
void os_match(const struct os_db *db, const struct os_obs *obs, double threshold,
              struct os_matches *out);
enum { OS_GUESS_THRESHOLD_PCT = 85 };

/* What -O found for one host (host_result.os). */
struct os_result {
    const struct os_db *db;
    int nfps;                               /* rounds run */
    struct os_obs fps[OS_MAX_TRIES];
    struct os_matches m;                    /* of the best round */
    struct os_scaninfo si;
    bool unreliable;                        /* no open, or no closed/unfiltered, TCP port */
    char omit[128];                         /* OmitSubmissionFP's reason, "" when none */
    bool guess;                             /* --osscan-guess */
    /* makeTSeqFP's uptime: the first SYN-ACK's TSval over the clock rate nmap measured
     * (0 past two years), when the rate was measured; with the first SEQ probe's send time
     * it gives lastboot ("Uptime guess" with -v, XML <uptime>). */
    bool has_lastboot;
    uint32_t uptime_s;
    uint64_t seq0_ns;
};
void os_result_free(struct os_result *r);

/* Output (osscan_out.c). unix_time: the report's time for the SCAN line and "now";
 * seq0_unix: the time of r->seq0_ns (the first SEQ probe), in the same epoch. */
void os_print_normal(FILE *f, const struct os_result *r, int verbose, int64_t unix_time,
                     int64_t seq0_unix);
void os_print_xml(FILE *f, const struct os_result *r, int verbose, int64_t unix_time,
                  int64_t seq0_unix);
void os_print_grep(FILE *f, const struct os_result *r);

#endif
