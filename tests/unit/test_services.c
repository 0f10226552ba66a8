/* test_services.c — the simulated service applications (sim/app.c) and the byte streams
 * behind them (sim/tcp_app.c): what each kind answers, through a real connection of the
 * simulator and on its own; the scenario keys that configure them and their errors. */
#include "sim_fixture.h"

#include "sim/app.h"

static const char *const NET =
    "net 198.51.100.0/24 delay 1ms\n"
    "host c 198.51.100.10 os linux role scanner\n"
    "host s 198.51.100.20 os linux tcp 9\n"
    "  service 22 banner \"SSH-2.0-OpenSSH_9.2p1 Debian-2\\r\\n\"\n"
    "  service 80 http \"Apache/2.4.57 (Debian)\"\n"
    "  service 7 echo\n"
    "host w 198.51.100.30 os windows service 80 http \"Microsoft-IIS/10.0\" service 9 discard\n";

enum { C = 0xC633640A, S = 0xC6336414, W = 0xC633641E };   /* 198.51.100.10, .20, .30 */

/* Opens a buffered stream c -> host:port, writes req (may be NULL), runs to t_end, and
 * returns everything read (NUL-terminated in out); *eof as the stream reports it. */
static size_t exchange(struct sim *s, uint32_t host, uint16_t port, const char *req,
                       uint64_t t_end, char *out, size_t cap, bool *eof)
{
    int h = sim_stream_connect_buffered(s, C, host, port);
    assert_true(h >= 0);
    uint64_t t = sim_now(s);
    while (sim_stream_state(s, h) == SIM_STREAM_PENDING)
        sim_run_until(s, t += 1000000);
    assert_int_equal(sim_stream_state(s, h), SIM_STREAM_OPEN);
    if (req)
        assert_int_equal(sim_stream_send(s, h, (const uint8_t *)req, strlen(req)),
                         (int)strlen(req));
    size_t n = 0;
    *eof = false;
    while (t < t_end && !*eof) {
        sim_run_until(s, t += 1000000);
        int r = sim_stream_recv(s, h, (uint8_t *)out + n, cap - 1 - n, eof);
        assert_true(r >= 0);
        n += (size_t)r;
    }
    out[n] = '\0';
    sim_stream_abort(s, h);
    return n;
}

static void test_banner(void **state)
{
    (void)state;
    struct sim *s = fx_sim(NET, 1);
    char buf[4096];
    bool eof;
    size_t n = exchange(s, S, 22, NULL, 50000000, buf, sizeof buf, &eof);
    assert_int_equal(n, 32);
    assert_string_equal(buf, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
    assert_false(eof);                    /* a banner server waits for the client */
    sim_free(s);
}

static void test_http_get(void **state)
{
    (void)state;
    struct sim *s = fx_sim(NET, 1);
    char buf[4096];
    bool eof;
    exchange(s, S, 80, "GET / HTTP/1.0\r\n\r\n", 1000000000, buf, sizeof buf, &eof);
    assert_true(eof);                     /* Connection: close */
    assert_true(strncmp(buf, "HTTP/1.0 200 OK\r\nServer: Apache/2.4.57 (Debian)\r\n", 49) == 0);
    const char *body = strstr(buf, "\r\n\r\n");
    assert_non_null(body);
    const char *cl = strstr(buf, "Content-Length: ");
    assert_non_null(cl);
    assert_int_equal(atoi(cl + 16), (int)strlen(body + 4));
    assert_non_null(strstr(body, "It works!"));
    /* HTTP/1.1 and a request in two writes: the answer waits for the blank line */
    exchange(s, W, 80, "HEAD / HTTP/1.1\r\nHost: w\r\n\r\n", 2000000000, buf, sizeof buf, &eof);
    assert_true(strncmp(buf, "HTTP/1.1 200 OK\r\nServer: Microsoft-IIS/10.0\r\n", 45) == 0);
    assert_non_null(strstr(buf, "Content-Length: 0\r\n"));
    assert_true(strstr(buf, "\r\n\r\n")[4] == '\0');   /* HEAD: no body */
    sim_free(s);
}

static void test_http_errors(void **state)
{
    (void)state;
    struct sim *s = fx_sim(NET, 1);
    char buf[4096];
    bool eof;
    exchange(s, S, 80, "GET /nope HTTP/1.1\r\n\r\n", 1000000000, buf, sizeof buf, &eof);
    assert_true(strncmp(buf, "HTTP/1.1 404 Not Found\r\n", 24) == 0);
    /* nmap's RTSPRequest and a binary first line: 400 as soon as the line ends */
    exchange(s, S, 80, "OPTIONS / RTSP/1.0\r\n", 2000000000, buf, sizeof buf, &eof);
    assert_true(eof);
    assert_true(strncmp(buf, "HTTP/1.1 400 Bad Request\r\nServer: Apache", 40) == 0);
    /* no line end yet: nothing, the connection stays open */
    exchange(s, S, 80, "\x16\x03\x00", 3000000000, buf, sizeof buf, &eof);
    assert_false(eof);
    assert_string_equal(buf, "");
    sim_free(s);
}

static void test_echo_discard(void **state)
{
    (void)state;
    struct sim *s = fx_sim(NET, 1);
    char buf[4096];
    bool eof;
    exchange(s, S, 7, "hello\n\x01\x02", 100000000, buf, sizeof buf, &eof);
    assert_memory_equal(buf, "hello\n\x01\x02", 8);
    exchange(s, W, 9, "hello\n", 200000000, buf, sizeof buf, &eof);
    assert_string_equal(buf, "");
    /* a port without a service: accepts, says nothing */
    exchange(s, S, 9, "hello\n", 300000000, buf, sizeof buf, &eof);
    assert_string_equal(buf, "");
    sim_free(s);
}

/* Lost segments are resent from the send buffer: over a lossy net the same response
 * arrives, byte for byte, as over a clean one. */
static void test_retransmitted_bytes(void **state)
{
    (void)state;
    char a[4096], b[4096];
    bool eof1, eof2;
    char lossy[1024];
    snprintf(lossy, sizeof lossy, "net 198.51.100.0/24 delay 1ms loss 40%%\n%s",
             strchr(NET, '\n') + 1);
    struct sim *s1 = fx_sim(NET, 1), *s2 = fx_sim(lossy, 3);
    size_t n1 = exchange(s1, S, 80, "GET / HTTP/1.0\r\n\r\n", 1000000000, a, sizeof a, &eof1);
    size_t n2 = exchange(s2, S, 80, "GET / HTTP/1.0\r\n\r\n", 120000000000ull, b, sizeof b,
                         &eof2);
    struct sim_stats st;
    sim_get_stats(s2, &st);
    assert_true(st.delivered < st.sent);          /* some datagrams were lost */
    assert_true(eof1 && eof2);
    assert_int_equal(n1, n2);
    assert_memory_equal(a, b, n1);
    sim_free(s1);
    sim_free(s2);
}

/* app.c on its own: the HTTP parser's edges. */
static void test_app_http_pure(void **state)
{
    (void)state;
    struct scn_service sv = { .port = 80, .kind = SCN_SVC_HTTP, .len = 5 };
    memcpy(sv.text, "x/1.0", 5);
    uint8_t out[1024];
    struct app_out o = app_input(&sv, (const uint8_t *)"GET / HTTP/1.0\r\n", 16, false, out,
                                 sizeof out);
    assert_int_equal(o.consumed, 0);      /* waits for the blank line */
    assert_int_equal(o.len, 0);
    o = app_input(&sv, (const uint8_t *)"GET / HTTP/1.0\n\n", 16, false, out, sizeof out);
    assert_true(o.close);
    assert_int_equal(o.consumed, 16);
    assert_true(memcmp(out, "HTTP/1.0 200 OK\r\nServer: x/1.0\r\n", 32) == 0);
    o = app_input(&sv, (const uint8_t *)"GET / HTTP/1.0", 14, true, out, sizeof out);
    assert_true(memcmp(out, "HTTP/1.1 400 ", 13) == 0);   /* a full buffer: refused */
    o = app_input(&sv, (const uint8_t *)"get / HTTP/1.0\r\n\r\n", 18, false, out, sizeof out);
    assert_true(memcmp(out, "HTTP/1.1 400 ", 13) == 0);   /* methods are upper case */
    assert_int_equal(app_accept(&sv, out, sizeof out), 0);
    struct scn_service bn = { .port = 21, .kind = SCN_SVC_BANNER, .len = 3 };
    memcpy(bn.text, "220", 3);
    assert_int_equal(app_accept(&bn, out, 2), 2);        /* bounded by the caller's room */
}

/* The scenario side: keys, indented lines, the port they open, errors with positions. */
static void test_scenario_keys(void **state)
{
    (void)state;
    struct scenario sc;
    char err[256];
    assert_int_equal(scenario_parse("t.scn", NET, strlen(NET), &sc, err, sizeof err), 0);
    const struct scn_host *h = scenario_host(&sc, "s");
    assert_int_equal(h->nsvc, 3);
    assert_int_equal(h->svc[0].kind, SCN_SVC_BANNER);
    assert_int_equal(h->svc[0].len, 32);
    assert_true(scn_port_in(h->tcp, 22) && scn_port_in(h->tcp, 80) && scn_port_in(h->tcp, 7));
    assert_true(scn_port_in(h->tcp, 9));
    const struct scn_host *w = scenario_host(&sc, "w");
    assert_false(scn_port_in(w->tcp, 22));  /* s's indented lines did not touch w's set */
    scenario_free(&sc);
    static const struct { const char *text, *msg; } bad[] = {
        { "host a 1.2.3.4 service 0 echo",
          "t.scn:1:24: error: expected a TCP port 1-65535, found '0'" },
        { "host a 1.2.3.4 service 80 banner x",
          "t.scn:1:34: error: expected a quoted banner, found 'x'" },
        { "host a 1.2.3.4 service 80 banner \"\"",
          "t.scn:1:34: error: expected a string of 1-512 bytes, found '\"\"'" },
        { "net 1.2.3.0/24\n  service 80 echo",
          "t.scn:2:3: error: expected a statement, found 'service' (a service line must be indented under a host line)" },
        { "host a 1.2.3.4\n  service 80 echo extra",
          "t.scn:2:19: error: expected end of line, found 'extra'" },
        { "host a 1.2.3.4\nconnect a -> a:80 at 1s send 12x",
          "t.scn:2:30: error: expected a byte count of at most 2147483647 (2^31 - 1) or a \"string\", found '12x'" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = scenario_parse("t.scn", bad[i].text, strlen(bad[i].text), &sc, err, sizeof err);
        assert_int_equal(rc, -1);
        if (strcmp(err, bad[i].msg) != 0)
            fail_msg("case %zu\n  got:  %s\n  want: %s", i, err, bad[i].msg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_banner),
        cmocka_unit_test(test_http_get),
        cmocka_unit_test(test_http_errors),
        cmocka_unit_test(test_echo_discard),
        cmocka_unit_test(test_retransmitted_bytes),
        cmocka_unit_test(test_app_http_pure),
        cmocka_unit_test(test_scenario_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
