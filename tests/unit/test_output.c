/* test_output.c — the report writers (scanner/output/) on hand-built reports, compared with
 * the exact text nmap prints (docs/facts/nmap.md section 5). `test_output --xml FILE
 * [variant]` writes a sample report's XML for tests/unit/xml_check.sh (DTD, ndiff, xsltproc).
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

#include "scanner/output.h"
#include "scanner/seq.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* A sample: target has ports 1-28, 80 and 443: 22 and 80 open, 25 filtered (no reply), the
 * other 27 closed by RST; a second host is down. 2026-01-01 00:00:00 UTC, 1.5 s. */
struct sample {
    struct port_result ports[30];
    struct host_result hosts[2];
    struct scan_report r;
};

static void sample_init(struct sample *s)
{
    memset(s, 0, sizeof *s);
    size_t k = 0;
    for (uint16_t p = 1; p <= 28; p++) s->ports[k++] = (struct port_result){p, 6, PORT_CLOSED, RS_RESET, 64, 0};
    s->ports[k++] = (struct port_result){80, 6, PORT_OPEN, RS_SYN_ACK, 64, 0};
    s->ports[k++] = (struct port_result){443, 6, PORT_CLOSED, RS_RESET, 64, 0};
    s->ports[21] = (struct port_result){22, 6, PORT_OPEN, RS_SYN_ACK, 64, 0};
    s->ports[24] = (struct port_result){25, 6, PORT_FILTERED, RS_NO_RESPONSE, 0, 0};
    struct host_result *h = &s->hosts[0];
    h->addr = IP(198, 51, 100, 30);
    snprintf(h->name, sizeof h->name, "target");
    h->up = true;
    h->up_reason = RS_SYN_ACK;
    h->up_reason_ttl = 64;
    h->srtt_ns = 500000;
    h->rttvar_ns = 5000000;
    h->timeout_ns = 100000000;
    h->start_ns = 0;
    h->end_ns = 1400000000;
    h->ports = s->ports;
    h->nports = 30;
    s->hosts[1].addr = IP(198, 51, 100, 31);
    s->r = (struct scan_report){
        .argv_line = "tcplab scan -sS 198.51.100.30-31",
        .scan_type = "syn",
        .tcp_ports = "1-28,80,443",
        .ntcp = 30,
        .start_ns = 0,
        .end_ns = 1500000000,
        .start_unix = 1767225600,
        .seed = 1,
        .hosts = s->hosts,
        .nhosts = 2,
    };
}

/* Runs a writer into a string (free it). */
static char *render(const struct output_ops *ops, const struct scan_report *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(ops->write(f, r), 0);
    fclose(f);
    return buf;
}

static void expect(const struct output_ops *ops, const struct scan_report *r, const char *want)
{
    char *got = render(ops, r);
    if (strcmp(got, want) != 0) fprintf(stderr, "--- got:\n%s--- want:\n%s", got, want);
    assert_string_equal(got, want);
    free(got);
}

static void test_normal(void **st)
{
    (void)st;
    struct sample s;
    sample_init(&s);
    expect(&output_normal, &s.r,
           "Starting tcplab 0.1 at 2026-01-01 00:00 +0000\n"
           "Nmap scan report for target (198.51.100.30)\n"
           "Host is up (0.00050s latency).\n"
           "Not shown: 27 closed tcp ports (reset)\n"
           "PORT   STATE    SERVICE\n"
           "22/tcp open     ssh\n"
           "25/tcp filtered smtp\n"
           "80/tcp open     http\n"
           "\n"
           "Nmap done: 2 IP addresses (1 host up) scanned in 1.50 seconds\n");
}

static void test_normal_reason(void **st)
{
    (void)st;
    struct sample s;
    sample_init(&s);
    s.r.reason = true;
    s.hosts[0].srtt_ns = 170000000;
    expect(&output_normal, &s.r,
           "Starting tcplab 0.1 at 2026-01-01 00:00 +0000\n"
           "Nmap scan report for target (198.51.100.30)\n"
           "Host is up, received syn-ack ttl 64 (0.17s latency).\n"
           "Not shown: 27 closed tcp ports (reset)\n"
           "PORT   STATE    SERVICE REASON\n"
           "22/tcp open     ssh     syn-ack ttl 64\n"
           "25/tcp filtered smtp    no-response\n"
           "80/tcp open     http    syn-ack ttl 64\n"
           "\n"
           "Nmap done: 2 IP addresses (1 host up) scanned in 1.50 seconds\n");
}

static void test_normal_verbose_threshold(void **st)
{
    (void)st;
    struct sample s;
    sample_init(&s);
    s.r.verbose = 1; /* 25*(1+1) = 50 > 27: the closed ports are listed, the down host shown */
    char *got = render(&output_normal, &s.r);
    assert_null(strstr(got, "Not shown"));
    assert_non_null(strstr(got, "\n443/tcp closed   https\n"));
    assert_non_null(strstr(got, "PORT    STATE    SERVICE\n"));
    assert_non_null(strstr(got, "Nmap scan report for 198.51.100.31 [host down]\n"));
    /* -vv adds the REASON column; SERVICE is as wide as "ftp-data" + 1 */
    free(got);
    s.r.verbose = 2;
    got = render(&output_normal, &s.r);
    assert_non_null(strstr(got, "PORT    STATE    SERVICE  REASON\n"));
    free(got);
}

static void test_normal_all_ignored(void **st)
{
    (void)st;
    struct sample s;
    sample_init(&s);
    for (int i = 0; i < 30; i++) s.ports[i] = (struct port_result){(uint16_t)(i + 1), 6, PORT_FILTERED, RS_NO_RESPONSE, 0, 0};
    s.ports[29].reason = RS_ADMIN_PROHIBITED;
    s.ports[29].reason_ttl = 64;
    s.hosts[0].name[0] = '\0';
    char *got = render(&output_normal, &s.r);
    assert_non_null(strstr(got, "Host is up (0.00050s latency).\n"
                                "All 30 scanned ports on 198.51.100.30 are in ignored states.\n"
                                "Not shown: 29 filtered tcp ports (no-response), 1 filtered tcp "
                                "ports (admin-prohibited)\n\nNmap done"));
    assert_null(strstr(got, "PORT"));
    free(got);
}

static void test_normal_file_and_ping(void **st)
{
    (void)st;
    struct sample s;
    sample_init(&s);
    char *got = render(&output_normal_file, &s.r);
    const char *head = "# tcplab 0.1 scan initiated Thu Jan  1 00:00:00 2026 as: tcplab scan -sS "
                       "198.51.100.30-31\nNmap scan report for target (198.51.100.30)\n";
    assert_memory_equal(got, head, strlen(head));
    const char *tail = "80/tcp open     http\n\n# Nmap done at Thu Jan  1 00:00:01 2026 -- 2 IP "
                       "addresses (1 host up) scanned in 1.50 seconds\n";
    assert_string_equal(got + strlen(got) - strlen(tail), tail);
    assert_null(strstr(got, "Starting"));
    free(got);
    s.r.ping_only = true;
    s.r.scan_type = "ping";
    expect(&output_normal, &s.r,
           "Starting tcplab 0.1 at 2026-01-01 00:00 +0000\n"
           "Nmap scan report for target (198.51.100.30)\n"
           "Host is up (0.00050s latency).\n"
           "Nmap done: 2 IP addresses (1 host up) scanned in 1.50 seconds\n");
    /* one host, down, port scan: nmap's hint */
    s.r.ping_only = false;
    s.r.hosts = &s.hosts[1];
    s.r.nhosts = 1;
    expect(&output_normal, &s.r,
           "Starting tcplab 0.1 at 2026-01-01 00:00 +0000\n"
           "Note: Host seems down. If it is really up, but blocking our ping probes, try -Pn\n"
           "Nmap done: 1 IP address (0 hosts up) scanned in 1.50 seconds\n");
}

static void test_seq_lines(void **st)
{
    (void)st;
    struct sample s;
    sample_init(&s);
    uint32_t isn[6] = {1000, 65000, 129000, 193000, 257000, 321000};
    uint64_t t[6] = {0, 100000000, 200000000, 300000000, 400000000, 500000000};
    uint16_t ids[6] = {0, 0, 0, 0, 0, 0};
    seq_analyze(&s.hosts[0].seq, isn, t, 6, ids, 6);
    char *got = render(&output_normal, &s.r);
    assert_non_null(strstr(got, "80/tcp open     http\n"
                                "TCP Sequence Prediction: Difficulty=0 (Trivial joke)\n"
                                "IP ID Sequence Generation: All zeros\n\n"));
    free(got);
    got = render(&output_grep, &s.r);
    assert_non_null(strstr(got, "\tIgnored State: closed (27)\tSeq Index: 0\tIP ID Seq: All zeros\n"));
    free(got);
    got = render(&output_xml, &s.r);
    assert_non_null(strstr(got, "<tcpsequence index=\"0\" difficulty=\"Trivial joke\" "
                                "values=\"3E8,FDE8,1F7E8,2F1E8,3EBE8,4E5E8\"/>\n"
                                "<ipidsequence class=\"All zeros\" values=\"0,0,0,0,0,0\"/>\n"));
    free(got);
}

/* nmap 7.93's layout, checked live (tests/live, netns): hidden states by count, reason groups
 * by count with ties in reverse order of their first port, the plural from the state's total;
 * a blank line where "Not shown" would be; grepable output drops every folded port and names
 * the folded state only when there is one. */
static void test_not_shown_order(void **st)
{
    (void)st;
    struct sample s;
    sample_init(&s);
    for (int i = 0; i < 30; i++) {   /* 1 open, 2 closed, 3-30 filtered */
        uint16_t p = (uint16_t)(i + 1);
        s.ports[i] = (struct port_result){p, 6, PORT_CLOSED, RS_RESET, 64, 0};
        if (p >= 3 && p <= 28) s.ports[i].state = PORT_FILTERED, s.ports[i].reason = RS_NO_RESPONSE;
    }
    s.ports[0] = (struct port_result){1, 6, PORT_OPEN, RS_SYN_ACK, 64, 0};
    s.ports[29] = (struct port_result){30, 6, PORT_FILTERED, RS_HOST_UNREACH, 64, 0};
    s.ports[28] = (struct port_result){29, 6, PORT_FILTERED, RS_ADMIN_PROHIBITED, 64, 0};
    s.r.verbose = 0;
    /* filtered: 26 no-response + 1 admin (29) + 1 host-unreach (30) = 28 > 25: hidden;
     * closed: port 2 only, shown. */
    char *got = render(&output_normal, &s.r);
    assert_non_null(strstr(got, "Not shown: 26 filtered tcp ports (no-response), 1 filtered tcp ports "
                                "(host-unreach), 1 filtered tcp ports (admin-prohibited)\nPORT"));
    free(got);
    got = render(&output_grep, &s.r);
    assert_non_null(strstr(got, "\tPorts: 1/open/tcp//"));
    assert_non_null(strstr(got, ", 2/closed/tcp//"));
    assert_null(strstr(got, "/filtered/"));
    assert_non_null(strstr(got, "///\tIgnored State: filtered (28)\n"));
    free(got);
    /* Nothing hidden: a blank line above the table. */
    s.hosts[0].nports = 3;
    got = render(&output_normal, &s.r);
    assert_non_null(strstr(got, "Host is up (0.00050s latency).\n\nPORT "));
    free(got);
    /* Two hidden states: the larger first; grepable lists neither and names none. */
    sample_init(&s);
    for (int i = 0; i < 30; i++) {
        uint16_t p = (uint16_t)(i + 1);
        s.ports[i] = p <= 27 ? (struct port_result){p, 6, PORT_FILTERED, RS_NO_RESPONSE, 0, 0}
                             : (struct port_result){p, 6, PORT_CLOSED, RS_RESET, 64, 0};
    }
    s.r.verbose = 1;   /* limit 50: nothing hidden */
    got = render(&output_normal, &s.r);
    assert_null(strstr(got, "Not shown"));
    free(got);
    s.r.verbose = 0;
    /* 26 closed and 34 filtered, both hidden: filtered first; grepable: "Ports: " alone. */
    static struct port_result big[60];
    for (int i = 0; i < 60; i++)
        big[i] = (struct port_result){(uint16_t)(i + 1), 6, i < 26 ? PORT_CLOSED : PORT_FILTERED,
                                      i < 26 ? RS_RESET : RS_NO_RESPONSE, 0, 0};
    s.hosts[0].ports = big;
    s.hosts[0].nports = 60;
    got = render(&output_normal, &s.r);
    assert_non_null(strstr(got, "Not shown: 34 filtered tcp ports (no-response), 26 closed tcp "
                                "ports (reset)\n"));
    free(got);
    got = render(&output_grep, &s.r);
    assert_non_null(strstr(got, "(target)\tPorts: \n"));
    free(got);
}

static void test_grep(void **st)
{
    (void)st;
    struct sample s;
    sample_init(&s);
    expect(&output_grep, &s.r,
           "# tcplab 0.1 scan initiated Thu Jan  1 00:00:00 2026 as: tcplab scan -sS "
           "198.51.100.30-31\n"
           "Host: 198.51.100.30 (target)\tStatus: Up\n"
           "Host: 198.51.100.30 (target)\tPorts: 22/open/tcp//ssh///, 25/filtered/tcp//smtp///, "
           "80/open/tcp//http///\tIgnored State: closed (27)\n"
           "# Nmap done at Thu Jan  1 00:00:01 2026 -- 2 IP addresses (1 host up) scanned in "
           "1.50 seconds\n");
    s.r.verbose = 1;
    char *got = render(&output_grep, &s.r);
    assert_non_null(strstr(got, "\n# Ports scanned: TCP(30;1-28,80,443) UDP(0;) SCTP(0;) PROTOCOLS(0;)\n"));
    assert_non_null(strstr(got, "\nHost: 198.51.100.31 ()\tStatus: Down\n"));
    free(got);
}

static void test_json(void **st)
{
    (void)st;
    struct sample s;
    sample_init(&s);
    s.hosts[0].nports = 2;
    s.ports[1] = (struct port_result){22, 6, PORT_OPEN, RS_SYN_ACK, 64, 0};
    s.ports[0] = (struct port_result){21, 6, PORT_FILTERED, RS_HOST_PROHIBITED, 250, IP(198, 51, 100, 1)};
    snprintf(s.hosts[0].name, sizeof s.hosts[0].name, "a\"b");
    s.r.tcp_ports = "21-22";
    s.r.ntcp = 2;
    expect(&output_json, &s.r,
           "{\n"
           "  \"tool\": \"tcplab\",\n"
           "  \"version\": \"0.1\",\n"
           "  \"args\": \"tcplab scan -sS 198.51.100.30-31\",\n"
           "  \"start\": 1767225600,\n"
           "  \"startstr\": \"2026-01-01T00:00:00Z\",\n"
           "  \"seed\": 1,\n"
           "  \"scaninfo\": [{\"type\": \"syn\", \"protocol\": \"tcp\", \"numservices\": 2, "
           "\"services\": \"21-22\"}],\n"
           "  \"hosts\": [\n"
           "    {\"address\": \"198.51.100.30\", \"name\": \"a\\\"b\", \"status\": \"up\", "
           "\"reason\": \"syn-ack\", \"reason_ttl\": 64, \"latency\": 0.000500, \"ports\": [\n"
           "      {\"port\": 21, \"protocol\": \"tcp\", \"state\": \"filtered\", \"reason\": "
           "\"host-prohibited\", \"reason_ttl\": 250, \"service\": \"ftp\", \"reason_ip\": "
           "\"198.51.100.1\"},\n"
           "      {\"port\": 22, \"protocol\": \"tcp\", \"state\": \"open\", \"reason\": "
           "\"syn-ack\", \"reason_ttl\": 64, \"service\": \"ssh\"}\n"
           "     ]},\n"
           "    {\"address\": \"198.51.100.31\", \"name\": \"\", \"status\": \"down\", \"reason\": "
           "\"no-response\", \"reason_ttl\": 0, \"latency\": null, \"ports\": []}\n"
           "  ],\n"
           "  \"stats\": {\"elapsed\": 1.500, \"hosts_up\": 1, \"hosts_down\": 1, "
           "\"hosts_total\": 2}\n"
           "}\n");
}

static void test_xml(void **st)
{
    (void)st;
    struct sample s;
    sample_init(&s);
    s.r.argv_line = "tcplab scan -sS --reason -oX a&b.xml 198.51.100.30-31";
    char *got = render(&output_xml, &s.r);
    assert_non_null(strstr(got, "<nmaprun scanner=\"nmap\" args=\"tcplab scan -sS -&#45;reason "
                                "-oX a&amp;b.xml 198.51.100.30-31\" start=\"1767225600\" "
                                "startstr=\"Thu Jan  1 00:00:00 2026\" version=\"0.1\" "
                                "xmloutputversion=\"1.05\">\n"
                                "<scaninfo type=\"syn\" protocol=\"tcp\" numservices=\"30\" "
                                "services=\"1-28,80,443\"/>\n<verbose level=\"0\"/>\n"
                                "<debugging level=\"0\"/>\n"));
    /* nmap's escape() in the comment too: "--" as "-&#45;", '&' as "&amp;" (nmap 7.93) */
    assert_non_null(strstr(got, "as: tcplab scan -sS -&#45;reason -oX a&amp;b.xml 198.51.100.30-31 -->"));
    assert_non_null(strstr(got, "<extraports state=\"closed\" count=\"27\">\n<extrareasons "
                                "reason=\"reset\" count=\"27\" proto=\"tcp\" "
                                "ports=\"1-21,23-24,26-28,443\"/>\n</extraports>\n"));
    assert_non_null(strstr(got, "<port protocol=\"tcp\" portid=\"25\"><state state=\"filtered\" "
                                "reason=\"no-response\" reason_ttl=\"0\"/><service name=\"smtp\" "
                                "method=\"table\" conf=\"3\"/></port>\n"));
    assert_non_null(strstr(got, "<times srtt=\"500\" rttvar=\"5000\" to=\"100000\"/>\n"));
    assert_non_null(strstr(got, "<runstats><finished time=\"1767225601\" timestr=\"Thu Jan  1 "
                                "00:00:01 2026\" summary=\"Nmap done at Thu Jan  1 00:00:01 2026; 2 "
                                "IP addresses (1 host up) scanned in 1.50 seconds\" "
                                "elapsed=\"1.50\" exit=\"success\"/><hosts up=\"1\" down=\"1\" "
                                "total=\"2\"/>\n</runstats>\n</nmaprun>\n"));
    assert_null(strstr(got, "198.51.100.31")  == NULL ? NULL : strstr(got, "addr=\"198.51.100.31\""));
    /* well-formed, when xmllint is installed */
    if (access("/usr/bin/xmllint", X_OK) == 0) {
        FILE *p = popen("/usr/bin/xmllint --noout - 2>&1", "w");
        assert_non_null(p);
        fputs(got, p);
        assert_int_equal(pclose(p), 0);
    } else {
        fprintf(stderr, "test_xml: xmllint not installed, well-formedness not checked\n");
    }
    free(got);
}

static void test_write_file_and_names(void **st)
{
    (void)st;
    struct sample s;
    sample_init(&s);
    char err[256];
    char path[] = "/tmp/tcplab_test_outXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(output_write_file(&output_grep, path, &s.r, err, sizeof err), 0);
    FILE *f = fopen(path, "r");
    char line[128];
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_memory_equal(line, "# tcplab 0.1 scan initiated", 27);
    unlink(path);
    assert_int_equal(output_write_file(&output_xml, "/nonexistent-dir/x.xml", &s.r, err, sizeof err), -1);
    assert_ptr_equal(output_find("xml"), &output_xml);
    assert_ptr_equal(output_find("normal-file"), &output_normal_file);
    assert_null(output_find("html"));
    assert_string_equal(port_state_name(PORT_OPEN_FILTERED), "open|filtered");
    assert_string_equal(port_state_name((enum port_state)99), "unknown");
    assert_string_equal(reason_name(RS_SYN), "split-handshake-syn");
    assert_string_equal(reason_name(RS_ADMIN_PROHIBITED), "admin-prohibited");
    assert_string_equal(reason_name((enum reason)200), "unknown");
}

/* For xml_check.sh: the sample report's XML; variant "b" closes port 80, "v" is -v (every
 * port listed, the down host included). */
static int write_xml(const char *path, const char *variant)
{
    struct sample s;
    sample_init(&s);
    s.r.verbose = variant && !strcmp(variant, "v");
    if (variant && !strcmp(variant, "b")) s.ports[28] = (struct port_result){80, 6, PORT_CLOSED, RS_RESET, 64, 0};
    char err[256];
    if (output_write_file(&output_xml, path, &s.r, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "--xml")) return write_xml(argv[2], argc > 3 ? argv[3] : NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normal),           cmocka_unit_test(test_normal_reason),
        cmocka_unit_test(test_normal_verbose_threshold), cmocka_unit_test(test_normal_all_ignored),
        cmocka_unit_test(test_normal_file_and_ping), cmocka_unit_test(test_seq_lines),
        cmocka_unit_test(test_grep), cmocka_unit_test(test_not_shown_order),             cmocka_unit_test(test_json),
        cmocka_unit_test(test_xml),              cmocka_unit_test(test_write_file_and_names),
    };
    return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
