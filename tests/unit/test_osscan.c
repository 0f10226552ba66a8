/* test_osscan.c — -O's pure parts (scanner/osscan_db.c, osscan_match.c, osscan_fp.c):
 * nmap-os-db parsing and its FILE:LINE errors, expr_match's expression forms, MatchPoints
 * scoring (accuracy = points scored / points possible), the 36-best list with one entry a
 * name, the fingerprint's text form (test2str order, the OS: wrap at 71 characters), and,
 * when Debian's nmap is installed, the real database against a fingerprint real nmap 7.93
 * took of a Linux 6.18 kernel (tests/live/os_vs_nmap.sh) and ranked "Linux 5.3 - 5.4" first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmd/cmd.h"
#include "scanner/osscan.h"

static const char small_db[] =
    "# a comment\n"
    "MatchPoints\n"
    "SEQ(SP=25%GCD=75%ISR=25%TI=100%CI=50%II=100%SS=80%TS=100)\n"
    "OPS(O1=20%O2=20%O3=20%O4=20%O5=20%O6=20)\n"
    "WIN(W1=15%W2=15%W3=15%W4=15%W5=15%W6=15)\n"
    "ECN(R=100%DF=20%T=15%TG=15%W=15%O=15%CC=100%Q=20)\n"
    "T1(R=100%DF=20%T=15%TG=15%S=20%A=20%F=30%RD=20%Q=20)\n"
    "T2(R=80%DF=20%T=15%TG=15%W=25%S=20%A=20%F=30%O=10%RD=20%Q=20)\n"
    "T3(R=80%DF=20%T=15%TG=15%W=25%S=20%A=20%F=30%O=10%RD=20%Q=20)\n"
    "T4(R=100%DF=20%T=15%TG=15%W=25%S=20%A=20%F=30%O=10%RD=20%Q=20)\n"
    "T5(R=100%DF=20%T=15%TG=15%W=25%S=20%A=20%F=30%O=10%RD=20%Q=20)\n"
    "T6(R=100%DF=20%T=15%TG=15%W=25%S=20%A=20%F=30%O=10%RD=20%Q=20)\n"
    "T7(R=80%DF=20%T=15%TG=15%W=25%S=20%A=20%F=30%O=10%RD=20%Q=20)\n"
    "U1(R=50%DF=20%T=15%TG=15%IPL=100%UN=100%RIPL=100%RID=100%RIPCK=100%RUCK=100%RUD=100)\n"
    "IE(R=50%DFI=40%T=15%TG=15%CD=100)\n"
    "\n"
    "Fingerprint Alpha OS 1.0 # trailing comment\n"
    "Class Alpha | AlphaOS | 1.X | general purpose\n"
    "CPE cpe:/o:alpha:alphaos:1 auto\n"
    "SEQ(SP=0-5%GCD=1-6%TI=I%TS=U)\n"
    "T1(DF=Y%T=3B-45%TG=40%S=O%A=S+%F=AS%RD=0%Q=)\n"
    "T2(R=N)\n"
    "\n"
    "Fingerprint Beta printer\n"
    "Class Beta | embedded || printer\n"
    "SEQ(TI=RD|Z%TS=7)\n"
    "T1(R=Y%DF=N%TG=FF%S=O%A=S+%F=AS%RD=0%Q=)\n"
    "\n";

static void load_small(struct os_db *db)
{
    char err[256];
    int rc = os_db_parse(db, "small", small_db, strlen(small_db), err, sizeof err);
    if (rc < 0)
        fail_msg("%s", err);
}

static void test_db_parse(void **st)
{
    (void)st;
    struct os_db db;
    load_small(&db);
    assert_int_equal(db.nrefs, 2);
    assert_int_equal(db.points[OS_SEQ][0], 25);
    assert_int_equal(db.points[OS_U1][4], 100);
    const struct os_ref *a = &db.refs[0];
    assert_string_equal(a->name, "Alpha OS 1.0");
    assert_int_equal(a->line, 17);
    assert_int_equal(a->ncls, 1);
    const struct os_class *c = &db.classes[a->cls0];
    assert_string_equal(c->vendor, "Alpha");
    assert_string_equal(c->family, "AlphaOS");
    assert_string_equal(c->gen, "1.X");
    assert_string_equal(c->type, "general purpose");
    assert_int_equal(c->ncpe, 1);
    assert_string_equal(c->cpe[0], "cpe:/o:alpha:alphaos:1");
    /* T1 without R: R=Y implied; T2(R=N): only R, "N". */
    assert_string_equal(os_val(&a->p, db.text, OS_T1, 0), "Y");
    assert_string_equal(os_val(&a->p, db.text, OS_T2, 0), "N");
    assert_null(os_val(&a->p, db.text, OS_T2, 1));
    /* maxpoints: SEQ SP25+GCD75+TI100+TS100, T1 R100+DF20+T15+TG15+S20+A20+F30+RD20+Q20, T2 R80 */
    assert_int_equal(a->maxpoints, 300 + 260 + 80);
    const struct os_class *b = &db.classes[db.refs[1].cls0];
    assert_null(b->gen);
    assert_string_equal(b->type, "printer");
    os_db_free(&db);
}

static void expect_error(const char *text, const char *want)
{
    struct os_db db;
    char err[256];
    assert_int_equal(os_db_parse(&db, "bad.db", text, strlen(text), err, sizeof err), -1);
    if (!strstr(err, want))
        fail_msg("error \"%s\" lacks \"%s\"", err, want);
}

static void test_db_errors(void **st)
{
    (void)st;
    expect_error("Fingerprint X\nSEQ(TI=I)\n", "bad.db:1: a Fingerprint before the MatchPoints");
    expect_error("MatchPoints\nSEQ(SP=25)\n\nFingerprint X\nZZZ(A=1)\n", "bad.db:5: unknown test");
    expect_error("MatchPoints\nSEQ(SP=25)\n\nFingerprint X\nSEQ(XX=1)\n",
                 "bad.db:5: unknown attribute");
    expect_error("MatchPoints\nSEQ(SP=0)\n", "bad.db:2: points must be");
    expect_error("MatchPoints\nSEQ(SP=25)\n\nFingerprint X\nCPE cpe:/o:x\n",
                 "bad.db:5: a CPE line must follow a Class line");
    expect_error("MatchPoints\nSEQ(SP=25)\n\nFingerprint X\nT1(R=N%DF=Y)\n",
                 "bad.db:5: a test with values must have R=Y");
    expect_error("MatchPoints\nSEQ(SP=25)\n\nFingerprint X\nSEQ(SP=1%SP=2)\n",
                 "bad.db:5: attribute given twice");
    expect_error("hello\n", "bad.db:1: expected Fingerprint, MatchPoints");
    expect_error("# nothing\n", "no MatchPoints record");
    struct os_db db;
    char err[256];
    assert_int_equal(os_db_load(&db, "/nonexistent/nmap-os-db", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/nmap-os-db: No such file"));
}

static bool em(const char *v, const char *e, bool nested)
{
    return os_expr_match(v, 0, e, 0, nested);
}

static void test_expr_match(void **st)
{
    (void)st;
    assert_true(em("45", "3B-47", false));
    assert_false(em("48", "3B-47", false));
    assert_true(em("3B", "3B-47", false));
    assert_true(em("A", "8|A", false));
    assert_false(em("9", "8|A", false));
    assert_true(em("11", ">10", false));
    assert_false(em("10", ">10", false));
    assert_true(em("4", "<5", false));
    assert_true(em("100", "F0-10A", false));   /* lengths compare before digits */
    assert_true(em("Z", "Z", false));
    assert_true(em("", "", false));
    assert_false(em("Y", "", false));
    assert_true(em("", "|Y", false));          /* an empty alternative matches "" */
    assert_true(em("AS", "AS|AR", false));
    assert_false(em("A", "AS|AR", false));
    assert_true(em("00A", "A", false));        /* leading zeros dropped */
    /* Nested option expressions (OPS and O). */
    assert_true(em("M5B4ST11", "M[>500]ST11", true));
    assert_false(em("M400ST11", "M[>500]ST11", true));
    assert_true(em("M5B4NW7", "M[5B4-5B4]NW[5-8]", true));
    assert_false(em("M5B4NW9", "M[5B4-5B4]NW[5-8]", true));
}

/* nmap 7.93's expr_match (os_expr_legacy): what the installed Debian nmap scores with. */
static void test_expr_legacy(void **st)
{
    (void)st;
    assert_true(os_expr_legacy("45", "3B-47"));
    assert_false(os_expr_legacy("48", "3B-47"));
    assert_true(os_expr_legacy("11", ">10"));
    assert_false(os_expr_legacy("10", ">10"));
    assert_true(os_expr_legacy("100", "F0-10A"));   /* numbers, not strings */
    assert_true(os_expr_legacy("A", "8|A"));
    assert_false(os_expr_legacy("9", "8|A"));
    /* An alternative before '|' matches every value it begins, an empty one all: */
    assert_true(os_expr_legacy("AR", "A|AS"));
    assert_false(os_expr_legacy("AR", "AS|A"));     /* the last one is compared whole */
    assert_true(os_expr_legacy("M5B4NW8NNS", "|M5B4NWENNS"));
    assert_false(em("AR", "A|AS", false));          /* where nmap 7.95+ says no */
    assert_false(em("M5B4NW8NNS", "|M5B4NWENNS", true));
    /* A value that reads whole as hex goes the numeric way when the rest holds a '-'. */
    assert_false(os_expr_legacy("0", "0|5-A"));
    assert_true(os_expr_legacy("", ""));
    assert_true(os_expr_legacy("", "|Y"));
}

static void obs_from(struct os_obs *o, const char *text)
{
    char err[128];
    if (os_obs_parse(o, text, err, sizeof err) < 0)
        fail_msg("%s", err);
}

static void test_scoring(void **st)
{
    (void)st;
    struct os_db db;
    load_small(&db);
    struct os_obs o;
    /* Alpha exactly: SEQ SP GCD TI TS, T1 all but T, T2 R=N. */
    obs_from(&o, "SEQ(SP=3%GCD=1%ISR=9A%TI=I%TS=U)\n"
                 "T1(R=Y%DF=Y%TG=40%S=O%A=S+%F=AS%RD=0%Q=)\nT2(R=N)\n");
    assert_true(os_compare(&db, &db.refs[0], &o, 0) == 1.0);
    /* TI wrong: 100 of the 25+75+100+100 + 100+20+15+20+20+30+20+20 + 80 = 625 lost. */
    obs_from(&o, "SEQ(SP=3%GCD=1%TI=RD%TS=U)\n"
                 "T1(R=Y%DF=Y%TG=40%S=O%A=S+%F=AS%RD=0%Q=)\nT2(R=N)\n");
    double acc = os_compare(&db, &db.refs[0], &o, 0);
    assert_true(acc == (625.0 - 100) / 625);
    struct os_matches m;
    os_match(&db, &o, 0.5, &m);
    assert_int_equal(m.overall, OS_SUCCESS);
    assert_int_equal(m.nperfect, 0);
    assert_true(m.n >= 1);
    assert_string_equal(m.m[0]->name, "Alpha OS 1.0");
    /* Above the 0.85 threshold nothing is left. */
    os_match(&db, &o, 0.85, &m);
    assert_int_equal(m.overall, OS_NOMATCHES);
    os_db_free(&db);
}

static void test_fp_text(void **st)
{
    (void)st;
    struct os_obs o;
    os_obs_init(&o);
    /* Attributes print in nmap's order whatever order they were set in. */
    os_obs_set(&o, OS_T1, "F", "AS");
    os_obs_set(&o, OS_T1, "R", "Y");
    os_obs_set(&o, OS_T1, "DF", "N");
    os_obs_set(&o, OS_T2, "R", "N");
    os_obs_set(&o, OS_ECN, "Q", "");
    char buf[256];
    os_test_str(&o.p, o.pool, OS_T1, buf, sizeof buf);
    assert_string_equal(buf, "T1(R=Y%DF=N%F=AS)");
    os_test_str(&o.p, o.pool, OS_ECN, buf, sizeof buf);
    assert_string_equal(buf, "ECN(Q=)");
    const struct os_obs *fps[1] = {&o};
    struct os_scaninfo si = {22, 1, 31337, true, 1, 'I', true, 946684800};
    char text[2048];
    os_merge(fps, 1, &si, false, text, sizeof text);
    assert_string_equal(text, "SCAN(V=0.1%E=4%D=1/1%OT=22%CT=1%CU=31337%PV=Y%DS=1%DC=I%G=Y"
                              "%TM=386D4380%P=tcplab)\nECN(Q=)\nT1(R=Y%DF=N%F=AS)\nT2(R=N)\n");
    os_merge(fps, 1, &si, true, text, sizeof text);
    /* Wrapped: "OS:" and 71 characters a line. */
    const char *nl = strchr(text, '\n');
    assert_int_equal(nl - text, 74);
    assert_int_equal(strncmp(text, "OS:SCAN(V=0.1", 13), 0);
    /* Two rounds: identical tests once, differing ones each (FingerTestCmp order). */
    struct os_obs o2 = o;
    os_obs_set(&o2, OS_T1, "DF", "Y");
    const struct os_obs *two[2] = {&o2, &o};
    os_merge(two, 2, &si, false, text, sizeof text);
    assert_non_null(strstr(text, "T1(R=Y%DF=N%F=AS)\nT1(R=Y%DF=Y%F=AS)\nT2(R=N)\n"));
    /* The parser reads the wrapped form back. */
    os_merge(fps, 1, &si, true, text, sizeof text);
    struct os_obs back;
    obs_from(&back, text);
    os_test_str(&back.p, back.pool, OS_T1, buf, sizeof buf);
    assert_string_equal(buf, "T1(R=Y%DF=N%F=AS)");
}

/* Real nmap 7.93's fingerprint of a Linux 6.18 kernel (tests/live/os_vs_nmap.sh). */
static const char linux618[] =
    "OS:SCAN(V=7.93%E=4%D=12/2%OT=22%CT=23%CU=54%PV=N%DS=1%DC=D%G=Y%M=86F5A0%TM=\n"
    "OS:6B102506%P=x86_64-pc-linux-gnu)SEQ(SP=107%GCD=1%ISR=106%TI=Z%CI=Z%II=I%T\n"
    "OS:S=22)OPS(O1=M5B4ST11NWA%O2=M5B4ST11NWA%O3=M5B4NNT11NWA%O4=M5B4ST11NWA%O5\n"
    "OS:=M5B4ST11NWA%O6=M5B4ST11)WIN(W1=FE88%W2=FE88%W3=FE88%W4=FE88%W5=FE88%W6=\n"
    "OS:FE88)ECN(R=Y%DF=Y%T=40%W=FAF0%O=M5B4NNSNWA%CC=Y%Q=)T1(R=Y%DF=Y%T=40%S=O%\n"
    "OS:A=S+%F=AS%RD=0%Q=)T2(R=N)T3(R=N)T4(R=Y%DF=Y%T=40%W=0%S=A%A=Z%F=R%O=%RD=0\n"
    "OS:%Q=)T5(R=Y%DF=Y%T=40%W=0%S=Z%A=S+%F=AR%O=%RD=0%Q=)T6(R=Y%DF=Y%T=40%W=0%S\n"
    "OS:=A%A=Z%F=R%O=%RD=0%Q=)T7(R=Y%DF=Y%T=40%W=0%S=Z%A=S+%F=AR%O=%RD=0%Q=)U1(R\n"
    "OS:=Y%DF=N%T=40%IPL=164%UN=0%RIPL=G%RID=G%RIPCK=G%RUCK=G%RUD=G)IE(R=Y%DFI=N\n"
    "OS:%T=40%CD=S)\n";

static void test_real_db(void **st)
{
    (void)st;
    const char *path = "/usr/share/nmap/nmap-os-db";
    if (access(path, R_OK) != 0) {
        print_message("nmap-os-db not installed: real-database checks skipped\n");
        skip();
    }
    struct os_db db;
    char err[256];
    if (os_db_load(&db, path, err, sizeof err) < 0)
        fail_msg("%s", err);
    assert_true(db.nrefs > 4000);
    struct os_obs o;
    obs_from(&o, linux618);
    struct os_matches m;
    os_match(&db, &o, 0.85, &m);
    assert_int_equal(m.overall, OS_SUCCESS);
    assert_int_equal(m.nperfect, 0);
    /* nmap 7.93 printed "Linux 5.3 - 5.4 (96%), Linux 3.2 (95%), Linux 3.1 (95%), ...".
     * Debian's database has no nested syntax, so it is matched as 7.93 matches (legacy):
     * 96%. (nmap 7.95's rules, which count the implied R of U1 and IE, give 97%.) */
    assert_true(db.legacy);
    assert_string_equal(m.m[0]->name, "Linux 5.3 - 5.4");
    assert_int_equal((int)(m.acc[0] * 100), 96);
    assert_string_equal(m.m[1]->name, "Linux 3.2");
    assert_string_equal(m.m[2]->name, "Linux 3.1");
    assert_int_equal((int)(m.acc[1] * 100), 95);
    for (int i = 1; i < m.n; i++)
        assert_true(m.acc[i] <= m.acc[i - 1]);
    for (int i = 0; i < m.n; i++)
        for (int k = i + 1; k < m.n; k++)
            assert_string_not_equal(m.m[i]->name, m.m[k]->name);
    os_db_free(&db);
}

/* Real nmap 7.93 (--max-os-tries 1, so the fingerprint printed is the one matched) through
 * tcplab bridge against the windows preset: it printed the guesses below and no "Device
 * type"/"Running" lines (its class list overflows eight CPEs once Windows XP's class, which
 * only 7.93's prefix matching lets in at 91%, is counted). */
static const char win_bridge[] =
    "OS:SCAN(V=7.93%E=4%D=12/2%OT=135%CT=1%CU=36151%PV=N%DS=1%DC=I%G=Y%TM=6B1052\n"
    "OS:A5%P=x86_64-pc-linux-gnu)SEQ(SP=100%GCD=1%ISR=10A%TI=I%CI=I%II=I%SS=S%TS\n"
    "OS:=U)OPS(O1=M5B4NW8NNS%O2=M5B4NW8NNS%O3=M5B4NW8%O4=M5B4NW8NNS%O5=M5B4NW8NN\n"
    "OS:S%O6=M5B4NNS)WIN(W1=FFFF%W2=FFFF%W3=FFFF%W4=FFFF%W5=FFFF%W6=FFFF)ECN(R=Y\n"
    "OS:%DF=Y%T=80%W=FFFF%O=M5B4NW8NNS%CC=N%Q=)T1(R=Y%DF=Y%T=80%S=O%A=S+%F=AS%RD\n"
    "OS:=0%Q=)T2(R=Y%DF=Y%T=80%W=0%S=Z%A=S%F=AR%O=%RD=0%Q=)T3(R=Y%DF=Y%T=80%W=0%\n"
    "OS:S=Z%A=O%F=AR%O=%RD=0%Q=)T4(R=Y%DF=Y%T=80%W=0%S=A%A=Z%F=R%O=%RD=0%Q=)T5(R\n"
    "OS:=Y%DF=Y%T=80%W=0%S=Z%A=S+%F=AR%O=%RD=0%Q=)T6(R=Y%DF=Y%T=80%W=0%S=A%A=Z%F\n"
    "OS:=R%O=%RD=0%Q=)T7(R=Y%DF=Y%T=80%W=0%S=Z%A=S+%F=AR%O=%RD=0%Q=)U1(R=Y%DF=N%\n"
    "OS:T=80%IPL=164%UN=0%RIPL=G%RID=G%RIPCK=G%RUCK=G%RUD=G)IE(R=Y%DFI=N%T=80%CD\n"
    "OS:=Z)\n";
static const char win_bridge_guesses[] =
    "Aggressive OS guesses: Microsoft Windows 10 1709 - 1909 (97%), Microsoft Windows 10 "
    "1709 - 1803 (95%), Microsoft Windows Longhorn (94%), Microsoft Windows 10 1703 (92%), "
    "Microsoft Windows Server 2008 R2 (92%), Microsoft Windows 7 SP1 (92%), Microsoft "
    "Windows 8.1 Update 1 (92%), Microsoft Windows 8 (92%), Microsoft Windows 10 1809 - "
    "1909 (92%), Microsoft Windows Vista SP1 (92%)\n";

static void test_real_db_guesses(void **st)
{
    (void)st;
    const char *path = "/usr/share/nmap/nmap-os-db";
    if (access(path, R_OK) != 0)
        skip();
    static struct os_db db;
    char err[256];
    if (os_db_load(&db, path, err, sizeof err) < 0)
        fail_msg("%s", err);
    static struct os_result r;
    memset(&r, 0, sizeof r);
    r.db = &db;
    r.nfps = 1;
    obs_from(&r.fps[0], win_bridge);
    os_match(&db, &r.fps[0], 0.85, &r.m);
    r.guess = true;
    r.si = (struct os_scaninfo){.open_port = 135, .closed_port = 1, .closed_udp = 36151,
                                .distance = 1, .dist_method = 'I', .good = true};
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    os_print_normal(f, &r, 0, 0, 0);
    fclose(f);
    assert_non_null(strstr(out, win_bridge_guesses));
    assert_null(strstr(out, "Running"));        /* 7.95's rules printed "Running (JUST ..." */
    assert_null(strstr(out, "Device type"));
    free(out);
    os_db_free(&db);
}

/* --- The presets as -O sees them (sim/os.c): one scan of scenarios/os-detection.scn, each
 * host's fingerprint read back, and the values nmap-os-db gives the real systems checked
 * one by one (each was another value before its preset fix). --- */

static char preset_out[65536];

/* cmd_scan's standard output for line (words split on blanks). */
static void scan_capture(const char *line)
{
    char text[512];
    char *argv[32];
    int argc = 0;
    snprintf(text, sizeof text, "scan %s", line);
    for (char *t = strtok(text, " "); t && argc < 31; t = strtok(NULL, " "))
        argv[argc++] = t;
    argv[argc] = NULL;
    fflush(stdout);
    FILE *tmp = tmpfile();
    int saved = dup(1), saved_err = dup(2);
    FILE *devnull = fopen("/dev/null", "w");
    dup2(fileno(tmp), 1);
    dup2(fileno(devnull), 2);
    int rc = cmd_scan(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved, 1);
    dup2(saved_err, 2);
    close(saved);
    close(saved_err);
    fclose(devnull);
    rewind(tmp);
    size_t n = fread(preset_out, 1, sizeof preset_out - 1, tmp);
    preset_out[n] = '\0';
    fclose(tmp);
    assert_int_equal(rc, 0);
}

/* The fingerprint of the report for addr in preset_out. */
static void preset_fp(struct os_obs *o, const char *addr)
{
    char head[64];
    snprintf(head, sizeof head, "(%s)\n", addr);
    const char *p = strstr(preset_out, head);
    if (!p)
        fail_msg("no report for %s in %zu bytes: %.300s", addr, strlen(preset_out), preset_out);
    const char *end = strstr(p + 1, "Nmap scan report for");
    static char fp[8192];
    size_t n = 0;
    for (const char *l = strstr(p, "\nOS:"); l && (!end || l < end) && n < sizeof fp - 80;
         l = strstr(l + 1, "\nOS:")) {
        const char *e = strchr(l + 1, '\n');
        size_t len = (size_t)(e - l);
        memcpy(fp + n, l + 1, len);
        n += len;
        fp[n++] = '\n';
    }
    fp[n] = '\0';
    obs_from(o, fp);
}

static void expect_attr(const struct os_obs *o, const char *host, int t, const char *attr,
                        const char *want)
{
    const char *v = os_obs_get(o, t, attr);
    if (!v || strcmp(v, want))
        fail_msg("%s %s.%s = %s, want %s", host, os_test_name(t), attr, v ? v : "(none)", want);
}

static unsigned hex_attr(const struct os_obs *o, int t, const char *attr)
{
    const char *v = os_obs_get(o, t, attr);
    assert_non_null(v);
    return (unsigned)strtoul(v, NULL, 16);
}

static void test_presets_fingerprints(void **st)
{
    (void)st;
    /* no nmap database: nothing but the fingerprints decide; -vv prints each one */
    scan_capture("--sim scenarios/os-detection.scn -O --datadir /nonexistent -vv -n "
                 "-p 21,22,23,53,80,135,515 198.51.100.21-26");
    struct os_obs o;
    /* Linux: unchanged (the live oracle's kernel): ECE on the SYN-ACK, a per-pair
     * timestamp clock (TS=A), bare RSTs with ACK 0, the whole datagram quoted. */
    preset_fp(&o, "198.51.100.21");
    expect_attr(&o, "linux", OS_ECN, "CC", "Y");
    expect_attr(&o, "linux", OS_SEQ, "TS", "A");
    expect_attr(&o, "linux", OS_T4, "A", "Z");
    expect_attr(&o, "linux", OS_T3, "R", "N");
    expect_attr(&o, "linux", OS_U1, "IPL", "164");
    /* Windows: a bare RST's ACK field holds its SEQ (db Windows 10 T4/T6 A=O; was Z). */
    preset_fp(&o, "198.51.100.22");
    expect_attr(&o, "windows", OS_T4, "F", "R");
    expect_attr(&o, "windows", OS_T4, "A", "O");
    expect_attr(&o, "windows", OS_T6, "A", "O");
    expect_attr(&o, "windows", OS_T5, "A", "S+");
    /* The JetDirect printer: ISN increments whose rate gives the db's ISR 9B-A5 (was 91). */
    preset_fp(&o, "198.51.100.23");
    unsigned isr = hex_attr(&o, OS_SEQ, "ISR");
    if (isr < 0x98 || isr > 0xA6)
        fail_msg("printer ISR %X, want 98-A6", isr);
    /* FreeBSD 12: ECE on the SYN-ACK (CC=Y), per-connection timestamp offsets (TS=20-22),
     * ICMP quotes of 548 bytes (IPL=164); was CC=N, TS=A, IPL=38. */
    preset_fp(&o, "198.51.100.24");
    expect_attr(&o, "freebsd", OS_ECN, "CC", "Y");
    expect_attr(&o, "freebsd", OS_U1, "IPL", "164");
    unsigned ts = hex_attr(&o, OS_SEQ, "TS");
    if (ts < 0x20 || ts > 0x22)
        fail_msg("freebsd TS %X, want 20-22", ts);
    /* OpenBSD behind its default pf: T2, T3, T7 dropped, stateless ACKs answered RST+ACK
     * with ACK = SEG.SEQ (was T3 SYN-ACK, T7 RST+ACK, T4/T6 bare RST). */
    preset_fp(&o, "198.51.100.25");
    expect_attr(&o, "openbsd", OS_T2, "R", "N");
    expect_attr(&o, "openbsd", OS_T3, "R", "N");
    expect_attr(&o, "openbsd", OS_T7, "R", "N");
    expect_attr(&o, "openbsd", OS_T4, "F", "AR");
    expect_attr(&o, "openbsd", OS_T4, "A", "S");
    expect_attr(&o, "openbsd", OS_T6, "A", "S");
    expect_attr(&o, "openbsd", OS_T5, "F", "AR");
    ts = hex_attr(&o, OS_SEQ, "TS");
    if (ts < 0x20 || ts > 0x22)
        fail_msg("openbsd TS %X, want 20-22", ts);
    /* 4.3BSD: SYN+FIN+PSH+URG to a listener gets a bare ACK without options (was SYN-ACK);
     * its listener RST window, quoted IP-ID and checksums as before. */
    preset_fp(&o, "198.51.100.26");
    expect_attr(&o, "bsd43", OS_T3, "F", "A");
    expect_attr(&o, "bsd43", OS_T3, "O", "");
    expect_attr(&o, "bsd43", OS_T3, "S", "O");
    expect_attr(&o, "bsd43", OS_T3, "A", "O");
    expect_attr(&o, "bsd43", OS_T4, "W", "1000");
    expect_attr(&o, "bsd43", OS_U1, "RID", "4210");
    expect_attr(&o, "bsd43", OS_U1, "RIPCK", "Z");
    expect_attr(&o, "bsd43", OS_U1, "RUCK", "0");
    /* makeTSeqFP's uptime: printed with -v for a host whose timestamp rate nmap measured
     * (Linux: the first TSval over 1000 Hz), not for one without timestamps (Windows). */
    const char *lin = strstr(preset_out, "(198.51.100.21)\n");
    const char *win = strstr(preset_out, "(198.51.100.22)\n");
    assert_non_null(lin);
    assert_non_null(win);
    const char *up = strstr(lin, "\nUptime guess: ");
    assert_true(up && up < win);
    assert_non_null(strstr(up, " days (since "));
    const char *win_end = strstr(win, "Nmap scan report for");
    up = strstr(win, "\nUptime guess: ");
    assert_true(!up || (win_end && up > win_end));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_db_parse),   cmocka_unit_test(test_db_errors),
        cmocka_unit_test(test_expr_match), cmocka_unit_test(test_scoring),
        cmocka_unit_test(test_fp_text),    cmocka_unit_test(test_real_db),
        cmocka_unit_test(test_expr_legacy), cmocka_unit_test(test_real_db_guesses),
        cmocka_unit_test(test_presets_fingerprints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
