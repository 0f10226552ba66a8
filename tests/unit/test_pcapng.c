/* test_pcapng.c — lib/pcapng: written blocks read back (direction, comment, nanosecond
 * times, end time, section comment), libpcap (lib/pcapfile's reader, the TUI's) reads the
 * same file, and malformed files are refused with a message, never a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/pcapfile.h"
#include "lib/pcapng.h"

/* A real Linux RST+ACK (198.18.0.2:81 > 198.18.0.1:58916), 40 bytes, and a 3-byte oddity
 * that needs padding. */
static const uint8_t rst[] = {
    0x45, 0x00, 0x00, 0x28, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0xae, 0xa8, 0xc6, 0x12, 0x00, 0x02,
    0xc6, 0x12, 0x00, 0x01, 0x00, 0x51, 0xe6, 0x24, 0x00, 0x00, 0x00, 0x00, 0xfc, 0x6e, 0x6d, 0xa8,
    0x50, 0x14, 0x00, 0x00, 0xd3, 0x1b, 0x00, 0x00,
};
static const uint8_t odd[] = { 0x45, 0x01, 0x02 };

static char path[64];

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/tcplab-test-pcapng-%d.pcapng", (int)getpid());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

static void write_session(void)
{
    char err[256];
    struct pcapng_writer *w = pcapngw_open(path, "seed 7", "tl0", "test", err, sizeof err);
    assert_non_null(w);
    assert_int_equal(pcapngw_packet(w, 1500000001ull, rst, sizeof rst, PCAPNG_DIR_IN,
                                    "into the simulated network"), 0);
    assert_int_equal(pcapngw_packet(w, 5000000000123ull, odd, sizeof odd, PCAPNG_DIR_OUT, ""), 0);
    assert_int_equal(pcapngw_packet(w, 7, rst, sizeof rst, PCAPNG_DIR_NONE, NULL), 0);
    assert_int_equal(pcapngw_stats(w, 0, 6000000000000ull, 3, 0), 0);
    assert_int_equal(pcapngw_commit(w, err, sizeof err), 0);
}

static void test_round_trip(void **state)
{
    (void)state;
    write_session();
    char err[256];
    struct pcapng_reader *r = pcapngr_open(path, err, sizeof err);
    assert_non_null(r);
    struct pcapng_rec rec;
    assert_int_equal(pcapngr_next(r, &rec), 1);
    assert_string_equal(pcapngr_section_comment(r), "seed 7");
    assert_int_equal(rec.t_ns, 1500000001ull);
    assert_int_equal(rec.len, sizeof rst);
    assert_memory_equal(rec.data, rst, sizeof rst);
    assert_int_equal(rec.dir, PCAPNG_DIR_IN);
    assert_int_equal(rec.linktype, 101);
    assert_string_equal(rec.comment, "into the simulated network");
    assert_int_equal(pcapngr_next(r, &rec), 1);
    assert_int_equal(rec.t_ns, 5000000000123ull);
    assert_int_equal(rec.len, 3);
    assert_memory_equal(rec.data, odd, 3);
    assert_int_equal(rec.dir, PCAPNG_DIR_OUT);
    assert_string_equal(rec.comment, "");
    assert_int_equal(pcapngr_next(r, &rec), 1);
    assert_int_equal(rec.dir, PCAPNG_DIR_NONE);
    uint64_t end = 0;
    assert_false(pcapngr_end_time(r, &end));
    assert_int_equal(pcapngr_next(r, &rec), 0);
    assert_true(pcapngr_end_time(r, &end));
    assert_int_equal(end, 6000000000000ull);
    pcapngr_close(r);
}

/* libpcap reads the file too: what `tcplab tui` and tcpdump use. */
static void test_libpcap_reads_it(void **state)
{
    (void)state;
    write_session();
    char err[256];
    struct pcap_reader *r = pcapr_open(path, err, sizeof err);
    assert_non_null(r);
    uint64_t t;
    const uint8_t *pkt;
    size_t len;
    assert_int_equal(pcapr_next(r, &t, &pkt, &len), 1);
    assert_int_equal(t, 1500000001ull);
    assert_int_equal(len, sizeof rst);
    assert_memory_equal(pkt, rst, sizeof rst);
    pcapr_close(r);
}

/* Every truncation and a few corruptions of a good file: an error or a clean end, never a
 * read outside the buffer (ASan watches). */
static void test_malformed(void **state)
{
    (void)state;
    write_session();
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t buf[4096];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_true(n > 100);
    char err[256];
    int errors = 0;
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        assert_non_null(copy);
        memcpy(copy, buf, cut);
        struct pcapng_reader *r = pcapngr_open_mem(copy, cut, err, sizeof err);
        if (r) {
            struct pcapng_rec rec;
            int rc;
            while ((rc = pcapngr_next(r, &rec)) == 1)
                ;
            errors += rc < 0;
            if (rc < 0)
                assert_true(strlen(pcapngr_error(r)) > 0);
            pcapngr_close(r);
        }
        free(copy);
    }
    assert_true(errors > 0);
    /* a block length that points past the end, and one that is not a multiple of 4 */
    for (int k = 0; k < 2; k++) {
        static uint8_t bad[4096];
        memcpy(bad, buf, n);
        uint32_t shb = (uint32_t)bad[4] | (uint32_t)bad[5] << 8;
        bad[shb + 4] = k ? 0x11 : 0xff;
        bad[shb + 5] = k ? 0x00 : 0xff;
        struct pcapng_reader *r = pcapngr_open_mem(bad, n, err, sizeof err);
        assert_non_null(r);
        struct pcapng_rec rec;
        assert_int_equal(pcapngr_next(r, &rec), -1);
        assert_non_null(strstr(pcapngr_error(r), "block length"));
        pcapngr_close(r);
    }
    assert_null(pcapngr_open_mem((const uint8_t *)"\xd4\xc3\xb2\xa1", 4, err, sizeof err));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_libpcap_reads_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
