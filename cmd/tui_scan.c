/* tui_scan.c — `tcplab tui SCENARIO -- SCAN OPTIONS`: the real scan (cmd/scan.c, the same
 * code `tcplab scan --sim SCENARIO` runs, over pktio_sim) with the TUI's recorder on its
 * simulation: every event, the scanner's probes as outside calls (for the step back) and
 * the scanner's report, captured from its standard output, for the view. The scan runs to
 * its end first; the view then browses it. In a lab's student view (cmd/tui_lab.c) the
 * recorder stays off the simulation and reads the scan's own --capture instead, which holds
 * only what the student's host saw. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "pktio/pktio_sim.h"
#include "scanner/engine.h"
#include "tui/rec.h"
#include "tui/scan.h"

struct tui_scan_ctx {
    struct tui_rec *rec;
    bool attached, oom;
    uint32_t zombie;         /* -sI: the zombie as the scanner resolved it (a name, an
                                address, ZOMBIE:PORT alike), 0 */
};

static void tui_scan_opened(void *ctx, struct pktio *io)
{
    struct tui_scan_ctx *c = ctx;
    struct sim *s = pktio_sim_get(io);
    if (!s)
        return;
    if (tui_rec_attach(c->rec, s, 0))
        c->oom = true;
    c->attached = true;
    snprintf(c->rec->title, sizeof c->rec->title, "%s", pktio_sim_title(io));
}

static void tui_scan_configure(void *ctx, struct scan_config *cfg)
{
    struct tui_scan_ctx *c = ctx;
    c->zombie = cfg->idle_zombie;
    tui_rec_scan_hook(c->rec, cfg);
}

/* A student's view: the scan's own capture is read afterwards, nothing recorded now; only
 * the zombie is taken, for the IP-ID strip (its datagrams to the student's host are in the
 * capture). */
static void tui_scan_configure_capture(void *ctx, struct scan_config *cfg)
{
    struct tui_scan_ctx *c = ctx;
    c->zombie = cfg->idle_zombie;
}

static void tui_scan_closing(void *ctx, struct pktio *io)
{
    struct tui_scan_ctx *c = ctx;
    (void)io;
    if (c->attached)
        tui_rec_detach(c->rec);
}

/* Reads all of f from the start into a malloc'd string. */
static char *slurp(FILE *f)
{
    if (fseek(f, 0, SEEK_END) != 0)
        return NULL;
    long n = ftell(f);
    if (n < 0 || fseek(f, 0, SEEK_SET) != 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = 0;
    return s;
}

/* A capture of -sI holds the zombie's replies to the scanner and the SYNs the scanner forged
 * in the zombie's name: the scanner is whoever sent the zombie its first datagram (the first
 * qualification probe). */
static void tui_scan_reader(struct tui_rec *rec)
{
    for (size_t i = 0; rec->zombie && i < rec->n; i++) {
        const struct tui_ev *e = &rec->ev[i];
        struct tui_pk k;
        tui_pk_read(tui_rec_pkt(rec, e), e->len, &k);
        if (k.ok && k.dst == rec->zombie) {
            rec->zombie_reader = k.src;
            return;
        }
    }
}

int cmd_tui_scan(char *const *pre, int npre, const unsigned long long *seed, int argc,
                 char **argv, const char *capture, struct tui_rec *rec, char **report)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--sim") || !strcmp(argv[i], "--live")) {
            fprintf(stderr, "tcplab tui: the scan runs against the scenario given before '--'; "
                    "drop %s\n", argv[i]);
            return 1;
        }
    char seedbuf[32];
    char **av = calloc((size_t)argc + (size_t)npre + 6, sizeof *av);
    if (!av)
        return 2;
    int n = 0;
    av[n++] = "scan";
    for (int i = 0; i < npre; i++)
        av[n++] = pre[i];
    if (capture) {
        av[n++] = "--capture";
        av[n++] = (char *)capture;
    }
    if (seed) {
        snprintf(seedbuf, sizeof seedbuf, "%llu", *seed);
        av[n++] = "--seed";
        av[n++] = seedbuf;
    }
    for (int i = 0; i < argc; i++)
        av[n++] = argv[i];
    /* The scan prints its report on stdout: into a temporary file while it runs. */
    FILE *tmp = tmpfile();
    int saved = dup(STDOUT_FILENO);
    if (!tmp || saved < 0) {
        fprintf(stderr, "tcplab tui: cannot make a temporary file for the scan's report\n");
        if (tmp)
            fclose(tmp);
        free(av);
        return 2;
    }
    fflush(stdout);
    dup2(fileno(tmp), STDOUT_FILENO);
    struct tui_scan_ctx c = { .rec = rec };
    struct cmd_scan_hooks h = { .ctx = &c, .opened = tui_scan_opened,
                                .configure = tui_scan_configure, .closing = tui_scan_closing };
    struct cmd_scan_hooks hc = { .ctx = &c, .configure = tui_scan_configure_capture };
    int rc = cmd_scan_hooked(n, av, capture ? &hc : &h);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    free(av);
    *report = slurp(tmp);
    fclose(tmp);
    if (rc) {
        if (*report)
            fputs(*report, stderr);
        return rc;
    }
    if (capture) {
        char err[512];
        if (tui_rec_load_pcap(rec, capture, err, sizeof err)) {
            fprintf(stderr, "tcplab tui: %s\n", err);
            return 2;
        }
        rec->zombie = c.zombie;
        tui_scan_reader(rec);
        return 0;
    }
    if (c.oom || rec->oom || tui_scan_index(rec)) {
        fprintf(stderr, "tcplab tui: out of memory while recording the scan\n");
        return 2;
    }
    rec->zombie = c.zombie;
    return 0;
}
