/* alloc_shim.c — an LD_PRELOAD library that counts heap allocations of a whole process.
 *
 * Why: the scanner promises that per-probe work allocates nothing (the project's rule:
 * per-packet paths do no allocation); tests/unit/alloc_check.sh and tests/bench/scan_bench.sh prove it
 * by running the same scan with 1 and with 10 ports (ten times the probes, the same hosts and
 * host groups) and comparing the counts. Built by those scripts as a shared object
 * (cc -shared -fPIC), never linked into tcplab, so it is not part of the Makefile's sources.
 *
 * It interposes malloc, calloc, realloc and aligned allocators and forwards them to glibc's
 * __libc_* entry points (glibc exports these for exactly this purpose); free is not counted.
 * At exit the counts are written, with write(2) only, to the file named by
 * TCPLAB_ALLOC_COUNT ("malloc N\ncalloc N\nrealloc N\ntotal N\n"); without it, nothing.
 * The counters are the one mutable global state here: a process has one heap, and this
 * library exists to watch it. Not for sanitizer builds (ASan has its own allocator).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);

static unsigned long shim_nmalloc, shim_ncalloc, shim_nrealloc, shim_nalign;

void *malloc(size_t n)
{
    __atomic_add_fetch(&shim_nmalloc, 1, __ATOMIC_RELAXED);
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    __atomic_add_fetch(&shim_ncalloc, 1, __ATOMIC_RELAXED);
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    __atomic_add_fetch(&shim_nrealloc, 1, __ATOMIC_RELAXED);
    return __libc_realloc(p, n);
}

void *memalign(size_t align, size_t n)
{
    __atomic_add_fetch(&shim_nalign, 1, __ATOMIC_RELAXED);
    return __libc_memalign(align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
    return memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
    void *p = memalign(align, n);
    if (!p)
        return 12; /* ENOMEM */
    *out = p;
    return 0;
}

/* Decimal without stdio (stdio may allocate, and this runs while the process exits). */
static size_t shim_line(char *buf, const char *name, unsigned long v)
{
    size_t k = 0;
    while (*name)
        buf[k++] = *name++;
    buf[k++] = ' ';
    char dig[24];
    size_t nd = 0;
    do {
        dig[nd++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (nd)
        buf[k++] = dig[--nd];
    buf[k++] = '\n';
    return k;
}

__attribute__((destructor)) static void shim_report(void)
{
    const char *path = getenv("TCPLAB_ALLOC_COUNT");
    if (!path || !*path)
        return;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return;
    char buf[256];
    size_t k = 0;
    k += shim_line(buf + k, "malloc", shim_nmalloc);
    k += shim_line(buf + k, "calloc", shim_ncalloc);
    k += shim_line(buf + k, "realloc", shim_nrealloc);
    k += shim_line(buf + k, "memalign", shim_nalign);
    k += shim_line(buf + k, "total", shim_nmalloc + shim_ncalloc + shim_nrealloc + shim_nalign);
    ssize_t w = write(fd, buf, k);
    (void)w;
    close(fd);
}
