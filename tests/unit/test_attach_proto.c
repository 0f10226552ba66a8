/* test_attach_proto.c — the attach protocol (attach/proto.c) and the session that serves it
 * (attach/session.c): well-formed requests parse to what they say, every malformed one is
 * refused with a message naming the fault, a WAIT's batch leaves and its reply carries what
 * reached the prefix, and a record replays to the same requests.
 */
#include "tests/unit/sim_fixture.h"

#include "attach/proto.h"
#include "attach/session.h"

/* A request frame's message (type and body) built in b. */
static void req_begin(struct proto_buf *b, char type)
{
    b->n = 0;
    proto_put8(b, (uint8_t)type);
}

static int parse(const struct proto_buf *b, struct proto_req *r, char *err)
{
    return proto_parse_req(b->v, b->n, r, err, 256);
}

static void test_parse_good(void **state)
{
    (void)state;
    struct proto_buf b = { 0 };
    struct proto_req r;
    char err[256];
    req_begin(&b, 'H');
    proto_put32(&b, 1);
    assert_int_equal(parse(&b, &r, err), 0);
    assert_int_equal(r.type, PROTO_HELLO);
    assert_int_equal(r.version, 1);

    uint8_t d1[WIRE_MTU], d2[WIRE_MTU];
    size_t n1 = fx_tcp(d1, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 1, 2, TCP_SYN, 0, 0, 0);
    size_t n2 = fx_udp(d2, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 1, 2, 30);
    req_begin(&b, 'W');
    proto_put64(&b, 123456789ULL);
    proto_put32(&b, 2);
    proto_put16(&b, (uint16_t)n1);
    proto_put(&b, d1, n1);
    proto_put16(&b, (uint16_t)n2);
    proto_put(&b, d2, n2);
    assert_int_equal(parse(&b, &r, err), 0);
    assert_int_equal(r.until_ns, 123456789ULL);
    assert_int_equal(r.ndgrams, 2);
    size_t pos = 0, len;
    const uint8_t *d;
    proto_batch_next(&r, &pos, &d, &len);
    assert_int_equal(len, n1);
    assert_memory_equal(d, d1, n1);
    proto_batch_next(&r, &pos, &d, &len);
    assert_int_equal(len, n2);
    assert_memory_equal(d, d2, n2);
    assert_int_equal(pos, r.batch_len);

    req_begin(&b, 'C');
    proto_put32(&b, ip4(10, 0, 0, 2));
    proto_put16(&b, 80);
    proto_put16(&b, 0);
    assert_int_equal(parse(&b, &r, err), 0);
    assert_int_equal(r.dst, ip4(10, 0, 0, 2));
    assert_int_equal(r.dport, 80);

    req_begin(&b, 'N');
    proto_put16(&b, 5);
    proto_put(&b, "stage", 5);
    assert_int_equal(parse(&b, &r, err), 0);
    assert_int_equal(r.text_len, 5);
    assert_memory_equal(r.text, "stage", 5);
    proto_buf_free(&b);
}

/* Each malformed request, and a word its message must contain. */
static void expect_bad(const struct proto_buf *b, const char *needle)
{
    struct proto_req r;
    char err[256] = "";
    assert_int_equal(proto_parse_req(b->v, b->n, &r, err, sizeof err), -1);
    if (!strstr(err, needle))
        fail_msg("error '%s' does not say '%s'", err, needle);
}

static void test_parse_bad(void **state)
{
    (void)state;
    struct proto_buf b = { 0 };
    char err[256];
    req_begin(&b, 'Z');
    expect_bad(&b, "unknown request type 0x5a");
    req_begin(&b, 'H');
    proto_put16(&b, 1);
    expect_bad(&b, "HELLO: body too short");
    req_begin(&b, 'H');
    proto_put32(&b, 1);
    proto_put8(&b, 0);
    expect_bad(&b, "1 bytes past the end");
    uint8_t d[WIRE_MTU];
    size_t n = fx_tcp(d, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 1, 2, TCP_SYN, 0, 0, 0);
    req_begin(&b, 'W');
    proto_put64(&b, 0);
    proto_put32(&b, 2);                     /* two announced, one given */
    proto_put16(&b, (uint16_t)n);
    proto_put(&b, d, n);
    expect_bad(&b, "WAIT: body too short");
    req_begin(&b, 'W');
    proto_put64(&b, 0);
    proto_put32(&b, 1);
    proto_put16(&b, (uint16_t)(n + 4));     /* padding past the total length */
    proto_put(&b, d, n);
    proto_put32(&b, 0);
    expect_bad(&b, "datagram 1 of 1 (44 bytes): total length");
    d[0] = 0x65;
    req_begin(&b, 'W');
    proto_put64(&b, 0);
    proto_put32(&b, 1);
    proto_put16(&b, (uint16_t)n);
    proto_put(&b, d, n);
    expect_bad(&b, "not IPv4");
    req_begin(&b, 'W');
    proto_put64(&b, 0);
    proto_put32(&b, 1);
    proto_put16(&b, 8);
    proto_put(&b, d, 8);
    expect_bad(&b, "shorter than an IPv4 header");
    req_begin(&b, 'C');
    proto_put32(&b, 1);
    proto_put16(&b, 0);
    proto_put16(&b, 0);
    expect_bad(&b, "destination port 0");
    req_begin(&b, 'N');
    proto_put16(&b, 3);
    proto_put(&b, "a\nb", 3);
    expect_bad(&b, "not printable");
    req_begin(&b, 'R');
    proto_put32(&b, 0);
    proto_put32(&b, PROTO_MAX_WRITE + 1);
    expect_bad(&b, "at most");
    req_begin(&b, 'R');   /* says 5 bytes, carries 3 */
    proto_put32(&b, 0);
    proto_put32(&b, 5);
    proto_put(&b, "abc", 3);
    expect_bad(&b, "WRITE: body too short");
    req_begin(&b, 'G');
    proto_put32(&b, 0);
    proto_put32(&b, PROTO_MAX_WRITE + 1);
    expect_bad(&b, "READ: ");
    uint8_t hdr[4] = { 0, 0, 0, 0 };
    assert_int_equal(proto_frame_len(hdr, err, sizeof err), -1);
    hdr[0] = 0x10;   /* 256 MiB */
    assert_int_equal(proto_frame_len(hdr, err, sizeof err), -1);
    assert_non_null(strstr(err, "out of range"));
    assert_int_equal(proto_parse_req(b.v, 0, &(struct proto_req){ 0 }, err, sizeof err), -1);
    proto_buf_free(&b);
}

/* Every prefix of a good request is refused (never read past its end): ASan checks the
 * reads. */
static void test_parse_truncated(void **state)
{
    (void)state;
    struct proto_buf b = { 0 };
    uint8_t d[WIRE_MTU];
    size_t n = fx_tcp(d, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), 1, 2, TCP_SYN, 0, 0, 0);
    req_begin(&b, 'W');
    proto_put64(&b, 5);
    proto_put32(&b, 1);
    proto_put16(&b, (uint16_t)n);
    proto_put(&b, d, n);
    char err[256];
    struct proto_req r;
    for (size_t k = 0; k < b.n; k++) {
        uint8_t *cut = malloc(k ? k : 1);
        memcpy(cut, b.v, k);
        assert_int_equal(proto_parse_req(cut, k, &r, err, sizeof err), -1);
        free(cut);
    }
    assert_int_equal(proto_parse_req(b.v, b.n, &r, err, sizeof err), 0);
    proto_buf_free(&b);
}

static const char *NET =
    "net 198.51.100.0/24 delay 1ms loss 0%\n"
    "host attacker 198.51.100.10 role scanner os linux\n"
    "host server 198.51.100.30 os linux tcp 80\n";

/* A frame for attach_frame: strips proto_begin's length (attach_frame takes the message). */
static const struct proto_buf *call(struct attach_session *a, struct proto_buf *b, bool *fatal)
{
    return attach_frame(a, b->v, b->n, fatal);
}

static const char *NET_ECHO =
    "net 198.51.100.0/24 delay 1ms loss 0%\n"
    "host attacker 198.51.100.10 role scanner os linux\n"
    "host server 198.51.100.30 os linux\n"
    "  service 7 echo\n";

/* WRITE carries bytes and READ gives the peer's back: a connection through the attaching
 * host's own stack to an echo service (RFC 862). READ is a query: not recorded. */
static void test_stream_bytes(void **state)
{
    (void)state;
    struct sim *s = fx_sim(NET_ECHO, 1);
    uint32_t att = fx_addr(s, "attacker"), srv = fx_addr(s, "server");
    char err[256], *recbuf = NULL;
    size_t reclen = 0;
    FILE *rec = open_memstream(&recbuf, &reclen);
    struct attach_cfg cfg = { .prefix = att, .plen = 32, .addr = att, .record = rec };
    struct attach_session *a = attach_new(s, &cfg, err, sizeof err);
    assert_non_null(a);
    struct proto_buf b = { 0 };
    bool fatal;
    req_begin(&b, 'C');
    proto_put32(&b, srv);
    proto_put16(&b, 7);
    proto_put16(&b, 40007);
    const struct proto_buf *rp = call(a, &b, &fatal);
    assert_int_equal(rp->v[4], 'I');
    uint32_t h = proto_rd32(rp->v + 5);
    req_begin(&b, 'W');
    proto_put64(&b, 10000000);
    proto_put32(&b, 0);
    call(a, &b, &fatal);
    req_begin(&b, 'R');
    proto_put32(&b, h);
    proto_put32(&b, 6);
    proto_put(&b, "hi\0\xff\r\n", 6);
    rp = call(a, &b, &fatal);
    assert_false(fatal);
    assert_int_equal(rp->v[4], 'I');
    assert_int_equal(proto_rd32(rp->v + 5), 6);   /* all taken */
    req_begin(&b, 'W');
    proto_put64(&b, 20000000);
    proto_put32(&b, 0);
    call(a, &b, &fatal);
    req_begin(&b, 'G');
    proto_put32(&b, h);
    proto_put32(&b, 100);
    rp = call(a, &b, &fatal);
    assert_int_equal(rp->v[4], 'B');
    assert_int_equal(rp->v[5], 0);                /* not at EOF */
    assert_int_equal(proto_rd32(rp->v + 6), 6);
    assert_memory_equal(rp->v + 10, "hi\0\xff\r\n", 6);
    assert_int_equal(proto_rd32(rp->v), rp->n - 4);
    req_begin(&b, 'G');
    proto_put32(&b, 99);
    proto_put32(&b, 100);
    assert_int_equal(call(a, &b, &fatal)->v[4], 'E');   /* no such connection */
    assert_false(fatal);
    fclose(rec);
    /* the record: CONNECT, WAIT, WRITE (with its bytes), WAIT, and the READs (a read
     * opens the receive window: it changes the network, so a replay makes it again) */
    size_t off = PROTO_REC_HDR;
    uint64_t t;
    struct proto_req r;
    struct proto_rec_end end;
    const char want[] = "CWRWGG";
    for (int i = 0; i < 6; i++) {
        assert_int_equal(proto_rec_next((uint8_t *)recbuf, reclen, &off, &t, &r, &end, err,
                                        sizeof err), 1);
        assert_int_equal(r.type, want[i]);
        if (r.type == PROTO_WRITE)
            assert_memory_equal(r.data, "hi\0\xff\r\n", 6);
    }
    assert_int_equal(off, reclen);
    free(recbuf);
    proto_buf_free(&b);
    attach_free(a);
    sim_free(s);
}

static void test_session(void **state)
{
    (void)state;
    struct sim *s = fx_sim(NET, 1);
    uint32_t att = fx_addr(s, "attacker"), srv = fx_addr(s, "server");
    char err[256];
    char *recbuf = NULL;
    size_t reclen = 0;
    FILE *rec = open_memstream(&recbuf, &reclen);
    struct attach_cfg cfg = { .prefix = att, .plen = 32, .addr = att, .record = rec, .seed = 1 };
    struct attach_session *a = attach_new(s, &cfg, err, sizeof err);
    assert_non_null(a);
    struct proto_buf b = { 0 };
    bool fatal;

    req_begin(&b, 'H');
    proto_put32(&b, PROTO_VERSION);
    const struct proto_buf *rp = call(a, &b, &fatal);
    assert_false(fatal);
    assert_int_equal(rp->v[4], 'H');
    assert_int_equal(proto_rd32(rp->v + 9), att);
    assert_int_equal(rp->v[13], 32);
    assert_int_equal(proto_rd16(rp->v + 22), 2);   /* two named hosts */

    uint8_t d[WIRE_MTU];
    size_t n = fx_tcp(d, att, srv, 40000, 80, TCP_SYN, 1, 0, 0);
    req_begin(&b, 'W');
    proto_put64(&b, 10000000);
    proto_put32(&b, 1);
    proto_put16(&b, (uint16_t)n);
    proto_put(&b, d, n);
    rp = call(a, &b, &fatal);
    assert_false(fatal);
    assert_int_equal(rp->v[4], 'D');
    assert_int_equal(proto_rd32(rp->v), rp->n - 4);
    assert_int_equal(proto_rd64(rp->v + 5), 10000000);
    assert_int_equal(proto_rd32(rp->v + 13), 1);
    assert_int_equal(proto_rd64(rp->v + 17), 2000000);   /* the SYN-ACK, after 2 x 1ms */
    struct wire_pkt p;
    fx_parse(rp->v + 27, proto_rd16(rp->v + 25), &p);
    assert_int_equal(p.l4.tcp.flags, TCP_SYN | TCP_ACK);
    assert_int_equal(p.ip.src, srv);

    req_begin(&b, 'S');
    proto_put32(&b, 77);
    rp = call(a, &b, &fatal);
    assert_false(fatal);
    assert_int_equal(rp->v[4], 'E');   /* no such connection, the session goes on */

    req_begin(&b, 'Q');
    rp = call(a, &b, &fatal);
    assert_true(fatal);
    assert_int_equal(rp->v[4], 'E');

    assert_int_equal(attach_record_end(a, false, 0, 3), 0);
    fclose(rec);
    struct attach_stats st;
    attach_get_stats(a, &st);
    assert_int_equal(st.sent, 1);
    assert_int_equal(st.received, 1);
    attach_free(a);
    sim_free(s);

    /* the record: header, the WAIT (queries are left out), END */
    struct proto_rec_hdr h;
    assert_int_equal(proto_rec_header((uint8_t *)recbuf, reclen, &h, err, sizeof err), 0);
    assert_int_equal(h.addr, att);
    size_t off = PROTO_REC_HDR;
    uint64_t t;
    struct proto_req r;
    struct proto_rec_end end;
    assert_int_equal(proto_rec_next((uint8_t *)recbuf, reclen, &off, &t, &r, &end, err, sizeof err), 1);
    assert_int_equal(r.type, PROTO_WAIT);
    assert_int_equal(t, 0);
    assert_int_equal(proto_rec_next((uint8_t *)recbuf, reclen, &off, &t, &r, &end, err, sizeof err), 1);
    assert_int_equal(r.type, PROTO_ERROR);
    assert_int_equal(end.status, 3);
    assert_int_equal(t, 10000000);
    assert_int_equal(proto_rec_next((uint8_t *)recbuf, reclen, &off, &t, &r, &end, err, sizeof err), 0);
    /* cut anywhere, it is refused or ends early, never read past */
    for (size_t k = PROTO_REC_HDR; k < reclen; k++) {
        off = PROTO_REC_HDR;
        int rc;
        while ((rc = proto_rec_next((uint8_t *)recbuf, k, &off, &t, &r, &end, err, sizeof err)) == 1 &&
               r.type != PROTO_ERROR)
            ;
        assert_true(rc <= 0);   /* an error, or the end without END (the caller refuses it) */
    }
    free(recbuf);
    proto_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_parse_truncated),
        cmocka_unit_test(test_session),
        cmocka_unit_test(test_stream_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
