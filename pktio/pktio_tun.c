/* pktio_tun.c — the TUN backend: bare IPv4 datagrams to and from the kernel.
 *
 * Setup follows the kernel's tuntap.rst and netdevice(7): open /dev/net/tun, TUNSETIFF with
 * IFF_TUN|IFF_NO_PI (one read = one datagram, no 4-byte packet-information header), then
 * the classic interface ioctls on an AF_INET socket: SIOCSIFMTU 1500 (the IP MTU: a TUN
 * device has no link header, so no Ethernet off-by-14 to get wrong), SIOCSIFADDR and
 * SIOCSIFNETMASK (addr/32: the device owns one address, the prefixes behind it come as
 * routes), SIOCSIFFLAGS IFF_UP. Routes: SIOCADDRT (route(8)'s ioctl), RTF_UP, bound to the
 * device by name. IPv6 is switched off through /proc/sys/net/ipv6/conf/NAME/disable_ipv6
 * before the device comes up, so the kernel does not greet it with router solicitations
 * and MLD reports (it is a sysctl file, not a command).
 *
 * No shelling out anywhere: a failure names the step and errno, and EPERM/EACCES becomes
 * "needs CAP_NET_ADMIN". The descriptor is non-blocking; recv polls it up to a deadline on
 * CLOCK_MONOTONIC.
 */
#include "pktio/pktio_tun.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct tun_ctx {
    int fd;      /* /dev/net/tun, attached to the device */
    int sd;      /* AF_INET datagram socket for the interface ioctls */
};

static const struct pktio_ops pktio_tun_ops;

uint64_t pktio_tun_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct tun_ctx *tun_ctx_of(struct pktio *io)
{
    return io && io->ops == &pktio_tun_ops ? io->ctx : NULL;
}

static void tun_sin(struct sockaddr *sa, uint32_t addr)
{
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(addr) };
    memcpy(sa, &sin, sizeof sin);
}

static bool tun_perm(int e) { return e == EPERM || e == EACCES; }

/* Formats "tun NAME: STEP: reason" and whether a privilege is what is missing. */
static void tun_fail(char *err, size_t errlen, const char *name, const char *step, int e,
                     bool *need_cap)
{
    if (tun_perm(e)) {
        snprintf(err, errlen, "tun %s: %s: %s: creating a TUN device needs CAP_NET_ADMIN "
                 "(run as root, or inside a network namespace you own: "
                 "sudo ip netns exec NS tcplab bridge ...)", name, step, strerror(e));
        if (need_cap)
            *need_cap = true;
    } else {
        snprintf(err, errlen, "tun %s: %s: %s", name, step, strerror(e));
    }
}

static void tun_disable_ipv6(const char *name)
{
    char path[96];
    snprintf(path, sizeof path, "/proc/sys/net/ipv6/conf/%s/disable_ipv6", name);
    int f = open(path, O_WRONLY | O_CLOEXEC);
    if (f < 0)
        return;   /* no IPv6 in this kernel: nothing to switch off */
    if (write(f, "1\n", 2) != 2) {
        /* best effort: whatever IPv6 the kernel still sends is dropped and counted */
    }
    close(f);
}

/* The interface ioctls: MTU, address/32, IPv6 off, up. 0 or -1 (err, need_cap). */
static int tun_configure(int sd, const char *name, uint32_t addr, char *err, size_t errlen,
                         bool *need_cap)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    ifr.ifr_mtu = PKTIO_TUN_MTU;
    if (ioctl(sd, SIOCSIFMTU, &ifr) < 0)
        return tun_fail(err, errlen, name, "setting MTU 1500", errno, need_cap), -1;
    tun_sin(&ifr.ifr_addr, addr);
    if (ioctl(sd, SIOCSIFADDR, &ifr) < 0)
        return tun_fail(err, errlen, name, "setting its address", errno, need_cap), -1;
    tun_sin(&ifr.ifr_netmask, 0xffffffffu);
    if (ioctl(sd, SIOCSIFNETMASK, &ifr) < 0)
        return tun_fail(err, errlen, name, "setting netmask /32", errno, need_cap), -1;
    tun_disable_ipv6(name);
    if (ioctl(sd, SIOCGIFFLAGS, &ifr) < 0)
        return tun_fail(err, errlen, name, "reading its flags", errno, need_cap), -1;
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(sd, SIOCSIFFLAGS, &ifr) < 0)
        return tun_fail(err, errlen, name, "bringing it up", errno, need_cap), -1;
    return 0;
}

static int tun_attach(const char *name, char *err, size_t errlen, bool *need_cap)
{
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT)
            snprintf(err, errlen, "tun %s: /dev/net/tun does not exist (load the tun module: "
                     "modprobe tun)", name);
        else
            tun_fail(err, errlen, name, "opening /dev/net/tun", e, need_cap);
        return -1;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        int e = errno;
        tun_fail(err, errlen, name, e == EBUSY ? "TUNSETIFF (the device is in use)" : "TUNSETIFF",
                 e, need_cap);
        close(fd);
        return -1;
    }
    return fd;
}

struct pktio *pktio_tun_open(const char *name, uint32_t addr, char *err, size_t errlen,
                             bool *need_cap)
{
    if (need_cap)
        *need_cap = false;
    if (!name || !*name || strlen(name) >= IFNAMSIZ || strchr(name, '/') || strchr(name, '%')) {
        snprintf(err, errlen, "tun: bad device name '%s' (1-%d characters, no '/' or '%%')",
                 name ? name : "", IFNAMSIZ - 1);
        return NULL;
    }
    struct pktio *io = calloc(1, sizeof *io);
    struct tun_ctx *c = calloc(1, sizeof *c);
    if (!io || !c) {
        snprintf(err, errlen, "tun %s: out of memory", name);
        goto fail_mem;
    }
    c->fd = tun_attach(name, err, errlen, need_cap);
    if (c->fd < 0)
        goto fail_mem;
    c->sd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (c->sd < 0) {
        tun_fail(err, errlen, name, "socket(AF_INET)", errno, need_cap);
        goto fail_fd;
    }
    if (tun_configure(c->sd, name, addr, err, errlen, need_cap))
        goto fail_sd;
    io->ops = &pktio_tun_ops;
    io->ctx = c;
    io->src_addr = addr;
    snprintf(io->ifname, sizeof io->ifname, "%s", name);
    return io;
fail_sd:
    close(c->sd);
fail_fd:
    close(c->fd);
fail_mem:
    free(c);
    free(io);
    return NULL;
}

int pktio_tun_add_route(struct pktio *io, uint32_t prefix, int len)
{
    struct tun_ctx *c = tun_ctx_of(io);
    if (!c || len < 0 || len > 32)
        return -1;
    uint32_t mask = len == 0 ? 0 : 0xffffffffu << (32 - len);
    struct rtentry rt;
    memset(&rt, 0, sizeof rt);
    tun_sin(&rt.rt_dst, prefix & mask);
    tun_sin(&rt.rt_genmask, mask);
    tun_sin(&rt.rt_gateway, 0);
    rt.rt_flags = RTF_UP | (len == 32 ? RTF_HOST : 0);
    rt.rt_dev = io->ifname;
    if (ioctl(c->sd, SIOCADDRT, &rt) < 0 && errno != EEXIST) {
        char a[INET_ADDRSTRLEN];
        struct in_addr in = { htonl(prefix & mask) };
        inet_ntop(AF_INET, &in, a, sizeof a);
        snprintf(io->err, sizeof io->err, "tun %s: adding the route %s/%d: %s%s", io->ifname, a,
                 len, strerror(errno), tun_perm(errno) ? " (needs CAP_NET_ADMIN)" : "");
        return -1;
    }
    return 0;
}

int pktio_tun_fd(struct pktio *io)
{
    struct tun_ctx *c = tun_ctx_of(io);
    return c ? c->fd : -1;
}

int pktio_tun_read(struct pktio *io, uint8_t *buf, size_t cap, size_t *len)
{
    struct tun_ctx *c = tun_ctx_of(io);
    if (!c)
        return -1;
    for (;;) {
        ssize_t n = read(c->fd, buf, cap);
        if (n >= 0) {
            *len = (size_t)n;
            return 1;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        snprintf(io->err, sizeof io->err, "tun %s: read: %s", io->ifname, strerror(errno));
        return -1;
    }
}

static int pktio_tun_send(struct pktio *io, const uint8_t *dgram, size_t len)
{
    struct tun_ctx *c = tun_ctx_of(io);
    for (;;) {
        ssize_t n = write(c->fd, dgram, len);
        if (n == (ssize_t)len)
            return 0;
        if (n < 0 && errno == EINTR)
            continue;
        snprintf(io->err, sizeof io->err, "tun %s: write: %s", io->ifname,
                 n < 0 ? strerror(errno) : "short write");
        return -1;
    }
}

static int pktio_tun_recv(struct pktio *io, uint8_t *buf, size_t cap, size_t *len,
                          uint64_t *t_ns, uint64_t deadline_ns)
{
    struct tun_ctx *c = tun_ctx_of(io);
    for (;;) {
        int r = pktio_tun_read(io, buf, cap, len);
        if (r != 0) {
            if (r > 0 && *len > cap)
                *len = cap;
            if (r > 0 && t_ns)
                *t_ns = pktio_tun_monotonic_ns();
            return r;
        }
        uint64_t now = pktio_tun_monotonic_ns();
        if (now >= deadline_ns)
            return 0;
        uint64_t wait_ms = (deadline_ns - now + 999999) / 1000000;
        struct pollfd p = { .fd = c->fd, .events = POLLIN };
        if (poll(&p, 1, wait_ms > 1000 ? 1000 : (int)wait_ms) < 0 && errno != EINTR) {
            snprintf(io->err, sizeof io->err, "tun %s: poll: %s", io->ifname, strerror(errno));
            return -1;
        }
    }
}

static uint64_t pktio_tun_now(struct pktio *io)
{
    (void)io;
    return pktio_tun_monotonic_ns();
}

static void pktio_tun_close(struct pktio *io)
{
    struct tun_ctx *c = tun_ctx_of(io);
    if (c) {
        close(c->sd);
        close(c->fd);   /* a non-persistent device goes away with its last descriptor */
        free(c);
    }
    free(io);
}

int pktio_tun_kernel_drops(struct pktio *io, uint64_t *tx_dropped, uint64_t *rx_dropped)
{
    if (!tun_ctx_of(io))
        return -1;
    const char *names[2] = { "tx_dropped", "rx_dropped" };
    uint64_t *out[2] = { tx_dropped, rx_dropped };
    for (int i = 0; i < 2; i++) {
        char path[128];
        snprintf(path, sizeof path, "/sys/class/net/%s/statistics/%s", io->ifname, names[i]);
        FILE *f = fopen(path, "r");
        unsigned long long v = 0;
        int ok = f && fscanf(f, "%llu", &v) == 1;
        if (f)
            fclose(f);
        if (!ok)
            return -1;
        *out[i] = v;
    }
    return 0;
}

static const struct pktio_ops pktio_tun_ops = {
    .name = "tun",
    .send = pktio_tun_send,
    .recv = pktio_tun_recv,
    .now = pktio_tun_now,
    .close = pktio_tun_close,
};
