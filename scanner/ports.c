/* ports.c — the -p specification, top-ports defaults, probe order and the compressed list.
 *
 * Copies the rules of nmap's scan_lists.cc getpts()/getpts_aux() and random_port_cheat()
 * (docs/facts/nmap.md section 7): comma items, T:/U: prefixes for what follows, open
 * ranges, port 0 only when asked for by number, service names and fnmatch(3) wildcards over our
 * services table (services.h), "[a-b]" to keep only named ports in a range, nmap's messages.
 * Ports are collected in one 65536-bit map per protocol (so duplicates are found exactly and the
 * lists come out ascending), then copied to arrays. The probe order is a seeded Fisher-Yates
 * shuffle from lib/rng.h with our most popular ports swapped to the front, as nmap does, so the
 * ports most likely open are probed first and a scan is still repeatable from its seed.
 */
#include "scanner/ports.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "lib/rng.h"
#include "scanner/services.h"

enum { PORTS_MAP_WORDS = 65536 / 64 };

struct ports_maps {
    uint64_t map[2][PORTS_MAP_WORDS];   /* [0] tcp, [1] udp */
    bool dup;
};

static const char ports_example[] =
    "Your port specifications are illegal.  Example of proper form: "
    "\"-100,200-1024,T:3000-4000,U:60000-\"";

void ports_init(struct port_list *pl)
{
    memset(pl, 0, sizeof *pl);
}

void ports_free(struct port_list *pl)
{
    free(pl->tcp);
    free(pl->udp);
    ports_init(pl);
}

static void ports_mark(struct ports_maps *m, int which, unsigned port)
{
    uint64_t bit = UINT64_C(1) << (port & 63);
    if (m->map[which][port >> 6] & bit) m->dup = true;
    m->map[which][port >> 6] |= bit;
}

static void ports_mark_protos(struct ports_maps *m, unsigned protos, unsigned port)
{
    if (protos & PORTS_TCP) ports_mark(m, 0, port);
    if (protos & PORTS_UDP) ports_mark(m, 1, port);
}

/* Reads a decimal port at *p; -1 if no digits, -2 if above 65535. */
static long ports_num(const char **p)
{
    const char *s = *p;
    long v = 0;
    if (!isdigit((unsigned char)*s)) return -1;
    while (isdigit((unsigned char)*s)) {
        v = v * 10 + (*s++ - '0');
        if (v > 65535) v = 65536; /* saturate; reported below */
    }
    *p = s;
    return v > 65535 ? -2 : v;
}

/* A service name or wildcard: every named port of each protocol in protos whose name matches,
 * optionally limited to [lo, hi]. Returns how many matched. */
static int ports_by_name(struct ports_maps *m, const char *pat, unsigned protos, long lo,
                         long hi)
{
    int hits = 0;
    for (int w = 0; w < 2; w++) {
        if (!(protos & (w ? PORTS_UDP : PORTS_TCP))) continue;
        const struct service_entry *e;
        size_t n = services_entries(w ? 17 : 6, &e);
        for (size_t i = 0; i < n; i++) {
            if (e[i].port < lo || e[i].port > hi) continue;
            if (fnmatch(pat, e[i].name, 0) != 0) continue;
            ports_mark(m, w, e[i].port);
            hits++;
        }
    }
    return hits;
}

/* One numeric item: "a", "a-b", "-b", "a-", "-". */
static int ports_range(struct ports_maps *m, const char *item, unsigned protos, bool named_only,
                       char *err, size_t errlen)
{
    const char *p = item;
    long lo, hi;
    if (*p == '-') {
        lo = 1; /* "-b" and "-" start at 1: port 0 only when asked for */
    } else {
        lo = ports_num(&p);
        if (lo == -1) goto illegal;
        if (lo == -2) goto range;
    }
    if (*p == '-') {
        p++;
        if (*p == '\0') {
            hi = 65535;
        } else {
            hi = ports_num(&p);
            if (hi == -1) goto illegal;
            if (hi == -2) goto range;
        }
    } else {
        hi = lo;
    }
    if (*p != '\0') goto illegal;
    if (lo > hi) {
        snprintf(err, errlen, "Your port range %ld-%ld is backwards. Did you mean %ld-%ld?", lo,
                 hi, hi, lo);
        return -1;
    }
    if (named_only) {
        ports_by_name(m, "*", protos, lo, hi);
        return 0;
    }
    for (long port = lo; port <= hi; port++) ports_mark_protos(m, protos, (unsigned)port);
    return 0;
range:
    snprintf(err, errlen, "Ports specified must be between 0 and 65535 inclusive");
    return -1;
illegal:
    snprintf(err, errlen, "%s", ports_example);
    return -1;
}

static int ports_item(struct ports_maps *m, char *item, unsigned protos, char *err,
                      size_t errlen)
{
    size_t len = strlen(item);
    if (len == 0) {
        snprintf(err, errlen, "%s", ports_example);
        return -1;
    }
    if (item[0] == '[') { /* "[1-1024]": only ports named in our table */
        if (item[len - 1] != ']') {
            snprintf(err, errlen, "%s", ports_example);
            return -1;
        }
        item[len - 1] = '\0';
        return ports_range(m, item + 1, protos, true, err, errlen);
    }
    if (isdigit((unsigned char)item[0]) || item[0] == '-')
        return ports_range(m, item, protos, false, err, errlen);
    if (ports_by_name(m, item, protos, 0, 65535) == 0) {
        snprintf(err, errlen,
                 "Found no matches for the service mask '%s' and your specified protocols",
                 item);
        return -1;
    }
    return 0;
}

static size_t ports_map_count(const uint64_t *map)
{
    size_t n = 0;
    for (size_t w = 0; w < PORTS_MAP_WORDS; w++) n += (size_t)__builtin_popcountll(map[w]);
    return n;
}

/* The ports set in map, ascending, as a malloc'ed array (NULL with *n = 0 when empty). */
static int ports_from_map(const uint64_t *map, uint16_t **out, size_t *n)
{
    *n = ports_map_count(map);
    *out = NULL;
    if (*n == 0) return 0;
    *out = malloc(*n * sizeof **out);
    if (!*out) return -1;
    size_t k = 0;
    for (unsigned p = 0; p < 65536; p++)
        if (map[p >> 6] & (UINT64_C(1) << (p & 63))) (*out)[k++] = (uint16_t)p;
    return 0;
}

static int ports_store(struct port_list *pl, const struct ports_maps *m, char *err,
                       size_t errlen)
{
    struct port_list nl;
    ports_init(&nl);
    if (ports_from_map(m->map[0], &nl.tcp, &nl.ntcp) < 0 ||
        ports_from_map(m->map[1], &nl.udp, &nl.nudp) < 0) {
        ports_free(&nl);
        snprintf(err, errlen, "Out of memory for the port list");
        return -1;
    }
    ports_free(pl);
    *pl = nl;
    return 0;
}

int ports_parse(struct port_list *pl, const char *spec, unsigned default_protos, FILE *warn,
                char *err, size_t errlen)
{
    struct ports_maps *m = calloc(1, sizeof *m);
    char *copy = strdup(spec ? spec : "");
    int rc = -1;
    if (!m || !copy) {
        snprintf(err, errlen, "Out of memory for the port list");
        goto out;
    }
    unsigned protos = default_protos, prefixes = 0;
    char *save = NULL;
    bool any = false;
    for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char)*item)) item++;
        if (item[0] && item[1] == ':') {
            switch (toupper((unsigned char)item[0])) {
            case 'T': protos = PORTS_TCP; break;
            case 'U': protos = PORTS_UDP; break;
            case 'S':
                snprintf(err, errlen, "SCTP ports (S:) are not supported: tcplab scans TCP and UDP");
                goto out;
            case 'P':
                snprintf(err, errlen,
                         "IP protocol numbers (P:) are not supported: tcplab has no -sO scan");
                goto out;
            default:
                snprintf(err, errlen, "%s", ports_example);
                goto out;
            }
            prefixes |= protos;
            item += 2;
            if (*item == '\0') continue; /* "T:,80": the prefix alone is allowed */
        }
        if (ports_item(m, item, protos, err, errlen) < 0) goto out;
        any = true;
    }
    if (!any && !prefixes) {
        snprintf(err, errlen, "%s", ports_example);
        goto out;
    }
    if (m->dup && warn) fprintf(warn, "WARNING: Duplicate port number(s) specified.\n");
    rc = ports_store(pl, m, err, errlen);
    if (rc == 0)
        pl->prefixes = prefixes;
out:
    free(copy);
    free(m);
    return rc;
}

int ports_top(struct port_list *pl, int n, unsigned protos, char *err, size_t errlen)
{
    if (n < 1) {
        snprintf(err, errlen, "--top-ports must be a positive number of ports");
        return -1;
    }
    struct ports_maps *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "Out of memory for the port list");
        return -1;
    }
    for (int w = 0; w < 2; w++) {
        if (!(protos & (w ? PORTS_UDP : PORTS_TCP))) continue;
        const uint16_t *rank;
        size_t nr = services_ranked(w ? 17 : 6, &rank);
        for (size_t i = 0; i < nr && i < (size_t)n; i++) ports_mark(m, w, rank[i]);
    }
    int rc = ports_store(pl, m, err, errlen);
    free(m);
    return rc;
}

/* nmap's random_port_cheat: popular ports swapped to the front in the order met. */
static void ports_popular_front(uint16_t *p, size_t n, uint8_t proto)
{
    const uint16_t *rank;
    size_t nr = services_ranked(proto, &rank);
    if (nr > SERVICES_POPULAR) nr = SERVICES_POPULAR;
    size_t early = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < nr; k++) {
            if (p[i] != rank[k]) continue;
            uint16_t t = p[early];
            p[early++] = p[i];
            p[i] = t;
            break;
        }
    }
}

static int ports_cmp(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static void ports_order_one(uint16_t *p, size_t n, bool sequential, struct rng *r,
                            uint8_t proto)
{
    if (n < 2) return;
    if (sequential) {
        qsort(p, n, sizeof *p, ports_cmp);
        return;
    }
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = rng_below(r, (uint32_t)(i + 1));
        uint16_t t = p[i];
        p[i] = p[j];
        p[j] = t;
    }
    if (n > 50) ports_popular_front(p, n, proto);
}

void ports_order(struct port_list *pl, bool sequential, uint64_t seed)
{
    struct rng r;
    rng_seed(&r, seed, "ports");
    ports_order_one(pl->tcp, pl->ntcp, sequential, &r, 6);
    ports_order_one(pl->udp, pl->nudp, sequential, &r, 17);
}

size_t ports_format(const uint16_t *ports, size_t n, char *buf, size_t cap)
{
    uint64_t map[PORTS_MAP_WORDS] = {0};
    for (size_t i = 0; i < n; i++) map[ports[i] >> 6] |= UINT64_C(1) << (ports[i] & 63);
    size_t len = 0;
    if (cap) buf[0] = '\0';
    for (long p = 0; p < 65536; p++) {
        if (!(map[p >> 6] & (UINT64_C(1) << (p & 63)))) continue;
        long q = p;
        while (q + 1 < 65536 && (map[(q + 1) >> 6] & (UINT64_C(1) << ((q + 1) & 63)))) q++;
        char item[16];
        int k = q == p ? snprintf(item, sizeof item, "%s%ld", len ? "," : "", p)
                       : snprintf(item, sizeof item, "%s%ld-%ld", len ? "," : "", p, q);
        if (cap && len + (size_t)k < cap) memcpy(buf + len, item, (size_t)k + 1);
        else if (cap && len < cap) buf[len] = '\0'; /* truncated: stop at the last whole item */
        len += (size_t)k;
        p = q;
    }
    return len;
}

char *ports_format_alloc(const uint16_t *ports, size_t n)
{
    size_t len = ports_format(ports, n, NULL, 0);
    char *s = malloc(len + 1);
    if (s) ports_format(ports, n, s, len + 1);
    return s;
}
