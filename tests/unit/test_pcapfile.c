/* test_pcapfile.c — lib/pcapfile and lib/outfile: captures written whole or not at all, read
 * back through libpcap with nanosecond timestamps, link headers stripped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/outfile.h"
#include "lib/pcapfile.h"
#include "lib/wire.h"

/* A real Linux RST+ACK (198.18.0.2:81 > 198.18.0.1:58916), 40 bytes. */
static const uint8_t rst[] = {
    0x45, 0x00, 0x00, 0x28, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0xae, 0xa8, 0xc6, 0x12, 0x00, 0x02,
    0xc6, 0x12, 0x00, 0x01, 0x00, 0x51, 0xe6, 0x24, 0x00, 0x00, 0x00, 0x00, 0xfc, 0x6e, 0x6d, 0xa8,
    0x50, 0x14, 0x00, 0x00, 0xd3, 0x1b, 0x00, 0x00,
};

struct tmpdir {
    char dir[64];
    char path[128];
};

static int setup_dir(void **state)
{
    struct tmpdir *t = calloc(1, sizeof *t);
    if (!t)
        return -1;
    snprintf(t->dir, sizeof t->dir, "/tmp/tcplab-test-pcap-XXXXXX");
    if (!mkdtemp(t->dir))
        return -1;
    snprintf(t->path, sizeof t->path, "%s/out.pcap", t->dir);
    *state = t;
    return 0;
}

/* Removes the files (and one level of subdirectory) a test left, then the directory. */
static int teardown_dir(void **state)
{
    struct tmpdir *t = *state;
    DIR *d = opendir(t->dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", t->dir, e->d_name);
        if (unlink(p) != 0)
            rmdir(p);
    }
    if (d)
        closedir(d);
    rmdir(t->dir);
    free(t);
    return 0;
}

static int count_entries(const char *dir)
{
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    if (d)
        closedir(d);
    return n;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void test_write_then_read(void **state)
{
    struct tmpdir *t = *state;
    char err[256] = "";
    struct pcap_writer *w = pcapw_open(t->path, err, sizeof err);
    assert_non_null(w);
    assert_int_equal(pcapw_write(w, 0, rst, sizeof rst), 0);
    assert_int_equal(pcapw_write(w, 1500000123ULL, rst, 20), 0);
    assert_int_equal(pcapw_write(w, 3000000001ULL, rst, sizeof rst), 0);
    /* Nothing visible before commit: only the temp file exists, under another name. */
    assert_int_equal(file_size(t->path), -1);
    assert_int_equal(count_entries(t->dir), 1);
    assert_int_equal(pcapw_commit(w, err, sizeof err), 0);
    assert_int_equal(count_entries(t->dir), 1);
    assert_int_equal(file_size(t->path), 24 + 3 * 16 + 40 + 20 + 40);

    /* The file header byte for byte: nanosecond magic, 2.4, snaplen 65535, LINKTYPE_RAW. */
    static const uint8_t hdr[24] = {0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                    0xff, 0xff, 0, 0, 101, 0, 0, 0};
    static const uint8_t rec2[16] = {0x01, 0, 0, 0, 0x7b, 0x65, 0xcd, 0x1d, 20, 0, 0, 0, 20, 0, 0, 0};
    uint8_t got[24 + 16 + 40 + 16];
    FILE *f = fopen(t->path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(got, 1, sizeof got, f), sizeof got);
    fclose(f);
    assert_memory_equal(got, hdr, 24);
    assert_memory_equal(got + 24 + 16 + 40, rec2, 16); /* 1 s + 500000123 ns = 0x1dcd657b */

    struct pcap_reader *r = pcapr_open(t->path, err, sizeof err);
    assert_non_null(r);
    uint64_t ts;
    const uint8_t *pkt;
    size_t len;
    assert_int_equal(pcapr_next(r, &ts, &pkt, &len), 1);
    assert_int_equal(ts, 0);
    assert_int_equal(len, sizeof rst);
    assert_memory_equal(pkt, rst, sizeof rst);
    assert_int_equal(pcapr_next(r, &ts, &pkt, &len), 1);
    assert_int_equal(ts, 1500000123ULL);
    assert_int_equal(len, 20);
    assert_int_equal(pcapr_next(r, &ts, &pkt, &len), 1);
    assert_int_equal(ts, 3000000001ULL);
    struct wire_pkt p;
    assert_int_equal(wire_parse(pkt, len, &p), WIRE_OK);
    assert_true(p.l4.tcp.csum_ok);
    assert_int_equal(p.l4.tcp.flags, TCP_RST | TCP_ACK);
    assert_int_equal(pcapr_next(r, &ts, &pkt, &len), 0);
    pcapr_close(r);
}

static void test_abort_leaves_nothing(void **state)
{
    struct tmpdir *t = *state;
    char err[256] = "";
    struct pcap_writer *w = pcapw_open(t->path, err, sizeof err);
    assert_non_null(w);
    assert_int_equal(pcapw_write(w, 5, rst, sizeof rst), 0);
    pcapw_abort(w);
    assert_int_equal(count_entries(t->dir), 0);

    /* An existing file survives an aborted rewrite untouched, and a commit replaces it. */
    FILE *f = fopen(t->path, "w");
    assert_non_null(f);
    fputs("old contents\n", f);
    fclose(f);
    struct outfile *o = outfile_open(t->path, err, sizeof err);
    assert_non_null(o);
    fputs("new", outfile_fp(o));
    outfile_abort(o);
    assert_int_equal(file_size(t->path), 13);
    assert_int_equal(count_entries(t->dir), 1);
    o = outfile_open(t->path, err, sizeof err);
    assert_non_null(o);
    fputs("new", outfile_fp(o));
    assert_int_equal(outfile_commit(o, err, sizeof err), 0);
    assert_int_equal(file_size(t->path), 3);
    assert_int_equal(count_entries(t->dir), 1);
    outfile_abort(NULL);
    pcapw_abort(NULL);
}

static void test_failed_commit_leaves_no_partial_file(void **state)
{
    struct tmpdir *t = *state;
    char err[256] = "";
    /* The target is a directory: refused when the output is opened, nothing created. */
    char sub[160], inner[200];
    snprintf(sub, sizeof sub, "%s/target", t->dir);
    snprintf(inner, sizeof inner, "%s/keep", sub);
    assert_int_equal(mkdir(sub, 0700), 0);
    FILE *f = fopen(inner, "w");
    assert_non_null(f);
    fclose(f);
    assert_null(pcapw_open(sub, err, sizeof err));
    assert_non_null(strstr(err, sub));
    assert_non_null(strstr(err, "is a directory"));
    assert_int_equal(count_entries(t->dir), 1); /* no temp */
    assert_int_equal(count_entries(sub), 1);    /* the directory is intact */
    unlink(inner);
    rmdir(sub);

    /* A write that fails (a full device) is reported at commit. */
    struct pcap_writer *w = pcapw_open("/dev/full", err, sizeof err);
    assert_non_null(w);
    assert_int_equal(pcapw_commit(w, err, sizeof err), -1);

    /* A directory that does not exist fails at open, with the path in the message. */
    char nodir[200];
    snprintf(nodir, sizeof nodir, "%s/missing/out.pcap", t->dir);
    assert_null(pcapw_open(nodir, err, sizeof err));
    assert_non_null(strstr(err, nodir));
    assert_null(outfile_open("somedir/", err, sizeof err));
    assert_null(pcapr_open(nodir, err, sizeof err));
    assert_non_null(strstr(err, nodir));
    /* a header cut short: the file named once, then why */
    char shortf[220];
    snprintf(shortf, sizeof shortf, "%s/short.pcap", t->dir);
    FILE *sf = fopen(shortf, "wb");
    assert_non_null(sf);
    fwrite("\xd4\xc3\xb2\xa1\x02\x00", 1, 6, sf);
    fclose(sf);
    assert_null(pcapr_open(shortf, err, sizeof err));
    assert_int_equal(strncmp(err, shortf, strlen(shortf)), 0);
    assert_int_equal(err[strlen(shortf)], ':');
    assert_null(strstr(err + strlen(shortf), shortf));
    remove(shortf);
}

/* Writes a classic microsecond pcap with the given link type and frames. */
static void write_linktype(const char *path, uint32_t linktype, const uint8_t *const *frames,
                           const size_t *lens, int n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    uint32_t h[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, linktype};
    fwrite(h, sizeof h, 1, f);
    for (int i = 0; i < n; i++) {
        uint32_t r[4] = {7, (uint32_t)i, (uint32_t)lens[i], (uint32_t)lens[i]};
        fwrite(r, sizeof r, 1, f);
        fwrite(frames[i], lens[i], 1, f);
    }
    fclose(f);
}

static void expect_only_rst(const char *path, uint64_t first_ts)
{
    char err[256];
    struct pcap_reader *r = pcapr_open(path, err, sizeof err);
    assert_non_null(r);
    uint64_t ts;
    const uint8_t *pkt;
    size_t len;
    assert_int_equal(pcapr_next(r, &ts, &pkt, &len), 1);
    assert_int_equal(ts, first_ts);
    assert_int_equal(len, sizeof rst);
    assert_memory_equal(pkt, rst, sizeof rst);
    assert_int_equal(pcapr_next(r, &ts, &pkt, &len), 0);
    pcapr_close(r);
}

static void test_reader_link_types(void **state)
{
    struct tmpdir *t = *state;
    uint8_t eth[14 + sizeof rst], arp[42] = {0}, eth6[14 + 40] = {0};
    memset(eth, 0, 12);
    eth[12] = 0x08, eth[13] = 0x00;
    memcpy(eth + 14, rst, sizeof rst);
    arp[12] = 0x08, arp[13] = 0x06;
    eth6[12] = 0x86, eth6[13] = 0xdd, eth6[14] = 0x60;
    /* An ARP frame, an IPv6 frame, then the RST: only the RST comes out, 7 s after epoch
     * plus 2 us (the record index), converted to ns. */
    const uint8_t *fr[] = {arp, eth6, eth};
    size_t lens[] = {sizeof arp, sizeof eth6, sizeof eth};
    write_linktype(t->path, 1, fr, lens, 3);
    expect_only_rst(t->path, 7000002000ULL);

    uint8_t sll[16 + sizeof rst] = {0};
    sll[14] = 0x08;
    memcpy(sll + 16, rst, sizeof rst);
    const uint8_t *fs[] = {sll};
    size_t ls[] = {sizeof sll};
    write_linktype(t->path, 113, fs, ls, 1);
    expect_only_rst(t->path, 7000000000ULL);

    uint8_t null[4 + sizeof rst] = {2, 0, 0, 0};
    memcpy(null + 4, rst, sizeof rst);
    const uint8_t *fn[] = {null};
    size_t ln[] = {sizeof null};
    write_linktype(t->path, 0, fn, ln, 1);
    expect_only_rst(t->path, 7000000000ULL);

    const uint8_t *fr2[] = {rst};
    size_t lr[] = {sizeof rst};
    write_linktype(t->path, 101, fr2, lr, 1);
    expect_only_rst(t->path, 7000000000ULL);

    /* 802.11 radiotap (127) is refused at open, as nmap refuses it. */
    write_linktype(t->path, 127, fr2, lr, 1);
    char err[256] = "";
    assert_null(pcapr_open(t->path, err, sizeof err));
    assert_non_null(strstr(err, "not supported"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_then_read, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_failed_commit_leaves_no_partial_file, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_reader_link_types, setup_dir, teardown_dir),
    };
    return cmocka_run_group_tests_name("pcapfile", tests, NULL, NULL);
}
