/* pktio_raw.c — the live backend: raw IPv4 socket out, libpcap in, kernel sockets for -sT.
 *
 * Copies nmap's raw-IP path (tcpip.cc, libnetutil/netutil.cc; docs/facts/nmap.md
 * section 8):
 *  - send: socket(AF_INET, SOCK_RAW, IPPROTO_RAW) with IP_HDRINCL (Linux raw(7): the kernel
 *    still fills a zero IP ID and the header checksum), bound with SO_BINDTODEVICE so a
 *    probe leaves by the interface we listen on;
 *  - receive: pcap with immediate mode (no buffering delay), snaplen 1500, the filter
 *    "dst host SRC and (tcp or udp or icmp)", non-blocking, and poll() on its selectable fd
 *    up to the deadline; link headers skipped by DLT as nmap's datalink_offset;
 *  - the interface and source: the kernel's own choice (a connected UDP socket's
 *    getsockname, so the local table counts: 127.0.0.1 goes by lo), the interface holding
 *    that address; failing that, longest-prefix match over /proc/net/route (nmap's
 *    route_dst reads the main table through libdnet); -e and -S override;
 *  - -sT: non-blocking connect() through the kernel (scan_engine_connect.cc), errno mapped
 *    as nmap maps it, closed with SO_LINGER 0 so the target sees a RST.
 * The clock is CLOCK_MONOTONIC, immune to wall-clock steps. After the sockets are open the
 * process drops what privileges it can (pktio_raw_drop_privileges).
 */
#define _GNU_SOURCE   /* setresuid, setresgid (Linux) */
#include "pktio/pktio_raw.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <ifaddrs.h>
#include <linux/capability.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/wire.h"

enum { RAW_SNAPLEN = 1500, RAW_STREAMS_MAX = 4096 };

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif

struct raw_stream {
    int fd;                    /* -1: free */
    enum pktio_stream done;    /* PENDING until the outcome is known */
    uint8_t icmp_type, icmp_code;
};

struct raw_ctx {
    int sd;                    /* raw IPv4 socket */
    pcap_t *pd;
    int pfd;                   /* pcap's selectable fd */
    int dlt, off;
    struct raw_stream *streams;
    size_t next_stream;        /* where the search for a free slot starts */
    bool connect_only;         /* no CAP_NET_RAW: sd -1, no pcap, kernel sockets only */
};

static struct raw_ctx *raw_ctx_of(struct pktio *io) { return io->ctx; }

static uint64_t raw_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* --- route and address choice ----------------------------------------------------------- */

int pktio_raw_route_lookup(FILE *routes, uint32_t dst, char ifname[32], char *err,
                           size_t errlen)
{
    char line[512];
    int best_len = -1;
    unsigned long best_metric = 0;
    bool header = true;
    while (fgets(line, sizeof line, routes)) {
        if (header) {          /* "Iface Destination Gateway Flags RefCnt Use Metric Mask ..." */
            header = false;
            continue;
        }
        char ifn[64];
        unsigned int dest, gw, flags, refcnt, use, mask;
        unsigned long metric;
        if (sscanf(line, "%63s %x %x %x %u %u %lu %x", ifn, &dest, &gw, &flags, &refcnt, &use,
                   &metric, &mask) != 8)
            continue;
        if (!(flags & 0x1))    /* RTF_UP */
            continue;
        /* The kernel prints the network-order words as host integers: ntohl undoes it. */
        uint32_t d = ntohl(dest), m = ntohl(mask);
        if ((dst & m) != (d & m))
            continue;
        int plen = 0;
        for (uint32_t b = m; b; b &= b - 1)
            plen++;
        if (plen > best_len || (plen == best_len && metric < best_metric)) {
            best_len = plen;
            best_metric = metric;
            snprintf(ifname, 32, "%.31s", ifn);
        }
    }
    if (best_len < 0) {
        char a[16];
        snprintf(err, errlen, "no route to %s: use -e IF and -S ADDR", wire_ip_str(dst, a));
        return -1;
    }
    return 0;
}

/* The interface that holds addr, or -1. */
static int raw_if_of_addr(uint32_t addr, char ifname[32])
{
    struct ifaddrs *ifa = NULL;
    if (getifaddrs(&ifa) < 0)
        return -1;
    int rc = -1;
    for (struct ifaddrs *i = ifa; i && rc < 0; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
            continue;
        struct sockaddr_in sin;
        memcpy(&sin, i->ifa_addr, sizeof sin);
        if (ntohl(sin.sin_addr.s_addr) == addr) {
            snprintf(ifname, 32, "%.31s", i->ifa_name);
            rc = 0;
        }
    }
    freeifaddrs(ifa);
    return rc;
}

int pktio_raw_kernel_route(uint32_t dst, char ifname[32], uint32_t *src, char *err,
                           size_t errlen)
{
    char a[16];
    int sd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sd < 0) {
        snprintf(err, errlen, "route to %s: socket: %s", wire_ip_str(dst, a), strerror(errno));
        return -1;
    }
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(9),
                              .sin_addr.s_addr = htonl(dst)};
    socklen_t len = sizeof sin;
    int rc = connect(sd, (const struct sockaddr *)&sin, sizeof sin);   /* sends nothing */
    if (rc == 0)
        rc = getsockname(sd, (struct sockaddr *)&sin, &len);
    int e = errno;
    close(sd);
    if (rc < 0) {
        snprintf(err, errlen, "no route to %s (%s): use -e IF and -S ADDR", wire_ip_str(dst, a),
                 strerror(e));
        return -1;
    }
    *src = ntohl(sin.sin_addr.s_addr);
    if (raw_if_of_addr(*src, ifname) < 0) {
        snprintf(err, errlen, "route to %s: no interface holds its source %s: use -e IF",
                 wire_ip_str(dst, a), wire_ip_str(*src, a));
        return -1;
    }
    return 0;
}

int pktio_raw_if_addr(const char *ifname, uint32_t *addr, char *err, size_t errlen)
{
    struct ifaddrs *ifa = NULL;
    if (getifaddrs(&ifa) < 0) {
        snprintf(err, errlen, "getifaddrs: %s", strerror(errno));
        return -1;
    }
    int rc = -1;
    for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || strcmp(i->ifa_name, ifname))
            continue;
        struct sockaddr_in sin;
        memcpy(&sin, i->ifa_addr, sizeof sin);
        *addr = ntohl(sin.sin_addr.s_addr);
        rc = 0;
        break;   /* getifaddrs lists the primary address first */
    }
    freeifaddrs(ifa);
    if (rc < 0)
        snprintf(err, errlen, "interface %s has no IPv4 address (or does not exist): "
                 "use -S ADDR", ifname);
    return rc;
}

/* -e / -S, or the route to the first target. */
static int raw_choose(const struct pktio_raw_cfg *cfg, char ifname[32], uint32_t *src,
                      char *err, size_t errlen)
{
    if (cfg->ifname) {
        if (strlen(cfg->ifname) >= IFNAMSIZ) {
            snprintf(err, errlen, "interface name too long: %s", cfg->ifname);
            return -1;
        }
        snprintf(ifname, 32, "%s", cfg->ifname);
    } else if (pktio_raw_kernel_route(cfg->route_to, ifname, src, err, errlen) == 0) {
        if (cfg->src)
            *src = cfg->src;
        return 0;
    } else {
        FILE *f = fopen("/proc/net/route", "r");
        if (!f) {
            snprintf(err, errlen, "/proc/net/route: %s: use -e IF", strerror(errno));
            return -1;
        }
        int rc = pktio_raw_route_lookup(f, cfg->route_to, ifname, err, errlen);
        fclose(f);
        if (rc < 0)
            return -1;
    }
    if (cfg->src) {
        *src = cfg->src;
        return 0;
    }
    return pktio_raw_if_addr(ifname, src, err, errlen);
}

/* --- privileges ------------------------------------------------------------------------- */

/* capset(2) through the raw syscall: no libcap dependency. Empty sets drop everything. */
static int raw_clear_caps(void)
{
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    return (int)syscall(SYS_capset, &hdr, data);
}

/* Why each step is safe for the scan: the raw socket, the pcap (AF_PACKET) socket and its
 * filter are already open and bound; Linux checks CAP_NET_RAW when such sockets are created
 * or bound, not on every send or read, so they keep working. -sT sockets need no privilege.
 *  1. no_new_privs: no later exec can gain privileges (setuid or file-capability binaries).
 *  2. Root through sudo: back to the invoking user (groups, then gid, then uid: the order
 *     that still has the right to change each). Output files are then the user's own.
 *     TCPLAB_KEEP_ROOT=1 skips this (e.g. writing outputs into root-owned directories).
 *  3. Empty every capability set: a file-capability binary (setcap) or plain root keeps
 *     its uid but loses CAP_NET_RAW, CAP_NET_ADMIN and the rest for the scan's duration. */
int pktio_raw_drop_privileges(char *err, size_t errlen)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        snprintf(err, errlen, "prctl(PR_SET_NO_NEW_PRIVS): %s", strerror(errno));
        return -1;
    }
    const char *su = getenv("SUDO_UID"), *sg = getenv("SUDO_GID");
    const char *keep = getenv("TCPLAB_KEEP_ROOT");
    if (geteuid() == 0 && su && sg && !(keep && *keep && strcmp(keep, "0"))) {
        char *e1, *e2;
        unsigned long uid = strtoul(su, &e1, 10), gid = strtoul(sg, &e2, 10);
        if (*su && *sg && !*e1 && !*e2 && uid != 0) {
            if (setgroups(0, NULL) < 0 || setresgid((gid_t)gid, (gid_t)gid, (gid_t)gid) < 0 ||
                setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) < 0) {
                snprintf(err, errlen, "dropping root to uid %lu: %s", uid, strerror(errno));
                return -1;
            }
        }
    }
    if (raw_clear_caps() < 0) {
        snprintf(err, errlen, "capset: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* --- datagrams -------------------------------------------------------------------------- */

int pktio_raw_dlt_offset(int dlt)
{
    switch (dlt) {
    case DLT_EN10MB: return 14;
    case DLT_LINUX_SLL: return 16;
    case DLT_LINUX_SLL2: return 20;
    case DLT_NULL: return 4;
    case DLT_RAW: case DLT_IPV4: return 0;
    default: return -1;
    }
}

static int raw_send(struct pktio *io, const uint8_t *d, size_t len)
{
    if (raw_ctx_of(io)->sd < 0) {   /* connect-only: no raw socket */
        snprintf(io->err, sizeof io->err, "%s", PKTIO_RAW_NEED_CAP);
        return -1;
    }
    struct wire_ipv4 ip;
    if (wire_ipv4_parse(d, len, &ip) != WIRE_OK) {
        snprintf(io->err, sizeof io->err, "raw: not an IPv4 datagram (%zu bytes)", len);
        return -1;
    }
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(ip.dst)};
    for (;;) {
        ssize_t n = sendto(raw_ctx_of(io)->sd, d, len, 0, (struct sockaddr *)&to, sizeof to);
        if (n == (ssize_t)len)
            return 0;
        if (n < 0 && errno == EINTR)
            continue;
        /* ENOBUFS: the queue is full for a moment; nmap counts it as sent and moves on,
         * retransmission covers it. */
        if (n < 0 && errno == ENOBUFS)
            return 0;
        snprintf(io->err, sizeof io->err, "raw sendto: %s", n < 0 ? strerror(errno) : "short");
        return -1;
    }
}

/* One IPv4 datagram from a captured frame, or false if the frame carries something else. */
static bool raw_frame_ipv4(const struct raw_ctx *c, const uint8_t *f, size_t caplen,
                           const uint8_t **ip, size_t *iplen)
{
    if (caplen <= (size_t)c->off)
        return false;
    switch (c->dlt) {
    case DLT_EN10MB:
        if (f[12] != 0x08 || f[13] != 0x00)
            return false;
        break;
    case DLT_LINUX_SLL:
        if (f[14] != 0x08 || f[15] != 0x00)
            return false;
        break;
    case DLT_LINUX_SLL2:
        if (f[0] != 0x08 || f[1] != 0x00)
            return false;
        break;
    case DLT_NULL: {
        uint32_t fam;
        memcpy(&fam, f, 4);    /* host byte order of the capturing machine */
        if (fam != AF_INET)
            return false;
        break;
    }
    default:
        break;
    }
    *ip = f + c->off;
    *iplen = caplen - (size_t)c->off;
    if ((**ip >> 4) != 4)
        return false;
    /* Ethernet pads short frames to 60 bytes: keep only what the IP total length covers
     * (nmap's readip_pcap does the same). */
    if (*iplen >= WIRE_IPV4_HDR_MIN) {
        size_t tot = (size_t)((*ip)[2] << 8 | (*ip)[3]);
        if (tot >= WIRE_IPV4_HDR_MIN && tot < *iplen)
            *iplen = tot;
    }
    return true;
}

static int raw_recv(struct pktio *io, uint8_t *buf, size_t cap, size_t *len, uint64_t *t_ns,
                    uint64_t deadline_ns)
{
    struct raw_ctx *c = raw_ctx_of(io);
    if (!c->pd) {   /* connect-only: nothing to receive; the time passes */
        uint64_t now = raw_monotonic_ns();
        if (now < deadline_ns) {
            uint64_t ms = (deadline_ns - now + 999999) / 1000000;
            poll(NULL, 0, ms > 60000 ? 60000 : (int)ms);
        }
        (void)buf, (void)cap, (void)len, (void)t_ns;
        return 0;
    }
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *frame;
        int rc = pcap_next_ex(c->pd, &h, &frame);
        if (rc == 1) {
            const uint8_t *ip;
            size_t n;
            if (!raw_frame_ipv4(c, frame, h->caplen, &ip, &n))
                continue;
            if (n > cap)
                n = cap;
            memcpy(buf, ip, n);
            if (len)
                *len = n;
            if (t_ns)
                *t_ns = raw_monotonic_ns();
            return 1;
        }
        if (rc < 0) {
            snprintf(io->err, sizeof io->err, "pcap: %s", pcap_geterr(c->pd));
            return -1;
        }
        uint64_t now = raw_monotonic_ns();
        if (now >= deadline_ns)
            return 0;
        uint64_t wait_ms = (deadline_ns - now + 999999) / 1000000;
        struct pollfd p = {.fd = c->pfd, .events = POLLIN};
        if (poll(&p, 1, wait_ms > 60000 ? 60000 : (int)wait_ms) < 0 && errno != EINTR) {
            snprintf(io->err, sizeof io->err, "poll: %s", strerror(errno));
            return -1;
        }
    }
}

static uint64_t raw_now(struct pktio *io)
{
    (void)io;
    return raw_monotonic_ns();
}

/* --- streams (-sT) ---------------------------------------------------------------------- */

/* nmap's scan_engine_connect.cc reading of connect() errors; the ICMP type/code is one that
 * Linux's icmp_err_convert maps to that errno, so scans/connect.c reads both backends alike.
 * EACCES comes from no ICMP message: type 0 says so. */
static enum pktio_stream raw_errno_state(int e, uint8_t *type, uint8_t *code)
{
    *type = ICMP_UNREACH;
    switch (e) {
    case 0: return PKTIO_STREAM_OPEN;
    case ECONNREFUSED: return PKTIO_STREAM_REFUSED;
    case ETIMEDOUT: return PKTIO_STREAM_TIMEDOUT;
    case ENETUNREACH: *code = ICMP_NET_UNREACH; return PKTIO_STREAM_UNREACH;
    case EHOSTUNREACH: *code = ICMP_HOST_UNREACH; return PKTIO_STREAM_UNREACH;
    case ENOPROTOOPT: *code = ICMP_PROTO_UNREACH; return PKTIO_STREAM_UNREACH;
    case EHOSTDOWN: *code = 7; return PKTIO_STREAM_UNREACH;   /* host unknown */
    case ENONET: *code = 8; return PKTIO_STREAM_UNREACH;      /* source host isolated */
    case EACCES: *type = 0; *code = 0; return PKTIO_STREAM_UNREACH;   /* no ICMP: see connect.c */
    default: return PKTIO_STREAM_ERROR;
    }
}

static int raw_stream_connect(struct pktio *io, uint32_t dst, uint16_t port)
{
    struct raw_ctx *c = raw_ctx_of(io);
    size_t slot = RAW_STREAMS_MAX;
    for (size_t i = 0; i < RAW_STREAMS_MAX; i++) {
        size_t k = (c->next_stream + i) % RAW_STREAMS_MAX;
        if (c->streams[k].fd < 0) {
            slot = k;
            break;
        }
    }
    if (slot == RAW_STREAMS_MAX) {
        snprintf(io->err, sizeof io->err, "connect: more than %d connections open",
                 RAW_STREAMS_MAX);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(io->err, sizeof io->err, "socket: %s", strerror(errno));
        return -1;
    }
    /* From our chosen source, when it is one of ours (with a spoofed -S it is not). */
    struct sockaddr_in me = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(io->src_addr)};
    (void)bind(fd, (struct sockaddr *)&me, sizeof me);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port),
                             .sin_addr.s_addr = htonl(dst)};
    struct raw_stream *s = &c->streams[slot];
    s->fd = fd;
    s->done = PKTIO_STREAM_PENDING;
    s->icmp_type = s->icmp_code = 0;
    if (connect(fd, (struct sockaddr *)&to, sizeof to) == 0) {
        s->done = PKTIO_STREAM_OPEN;   /* loopback can connect at once */
    } else if (errno != EINPROGRESS) {
        int e = errno;
        s->done = raw_errno_state(e, &s->icmp_type, &s->icmp_code);
        if (s->done == PKTIO_STREAM_ERROR) {
            snprintf(io->err, sizeof io->err, "connect: %s", strerror(e));
            close(fd);
            s->fd = -1;
            return -1;
        }
    }
    c->next_stream = (slot + 1) % RAW_STREAMS_MAX;
    return (int)slot;
}

static enum pktio_stream raw_stream_poll(struct pktio *io, int h, uint8_t *type, uint8_t *code)
{
    struct raw_ctx *c = raw_ctx_of(io);
    if (h < 0 || h >= RAW_STREAMS_MAX || c->streams[h].fd < 0)
        return PKTIO_STREAM_ERROR;
    struct raw_stream *s = &c->streams[h];
    if (s->done == PKTIO_STREAM_PENDING) {
        struct pollfd p = {.fd = s->fd, .events = POLLOUT};
        if (poll(&p, 1, 0) <= 0)
            return PKTIO_STREAM_PENDING;
        int e = 0;
        socklen_t el = sizeof e;
        if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
            e = errno;
        s->done = raw_errno_state(e, &s->icmp_type, &s->icmp_code);
    }
    if (s->done == PKTIO_STREAM_UNREACH) {
        if (type)
            *type = s->icmp_type;
        if (code)
            *code = s->icmp_code;
    }
    return s->done;
}

static int raw_stream_write(struct pktio *io, int h, const uint8_t *d, size_t n)
{
    struct raw_ctx *c = raw_ctx_of(io);
    if (h < 0 || h >= RAW_STREAMS_MAX || c->streams[h].fd < 0)
        return -1;
    ssize_t w = send(c->streams[h].fd, d, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
    if (w < 0) {
        snprintf(io->err, sizeof io->err, "send: %s", strerror(errno));
        return -1;
    }
    return (int)w;
}

static int raw_stream_read(struct pktio *io, int h, uint8_t *buf, size_t cap, bool *eof)
{
    struct raw_ctx *c = raw_ctx_of(io);
    *eof = false;
    if (h < 0 || h >= RAW_STREAMS_MAX || c->streams[h].fd < 0)
        return -1;
    ssize_t r = recv(c->streams[h].fd, buf, cap, MSG_DONTWAIT);
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
    if (r < 0) {
        snprintf(io->err, sizeof io->err, "recv: %s", strerror(errno));
        return -1;
    }
    *eof = r == 0;
    return (int)r;
}

static void raw_stream_close(struct pktio *io, int h)
{
    struct raw_ctx *c = raw_ctx_of(io);
    if (h < 0 || h >= RAW_STREAMS_MAX || c->streams[h].fd < 0)
        return;
    /* SO_LINGER 0: close sends RST, as nmap's -sT does, so no TIME-WAIT is left behind. */
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(c->streams[h].fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(c->streams[h].fd);
    c->streams[h].fd = -1;
}

static void raw_close(struct pktio *io)
{
    struct raw_ctx *c = raw_ctx_of(io);
    for (int i = 0; c->streams && i < RAW_STREAMS_MAX; i++)
        raw_stream_close(io, i);
    free(c->streams);
    if (c->pd)
        pcap_close(c->pd);
    if (c->sd >= 0)
        close(c->sd);
    free(c);
    free(io);
}

static const struct pktio_ops raw_ops = {
    .name = "raw",
    .send = raw_send,
    .recv = raw_recv,
    .now = raw_now,
    .stream_connect = raw_stream_connect,
    .stream_poll = raw_stream_poll,
    .stream_close = raw_stream_close,
    .stream_open = raw_stream_connect,     /* a socket carries bytes anyway */
    .stream_write = raw_stream_write,
    .stream_read = raw_stream_read,
    .close = raw_close,
};

/* --- opening ---------------------------------------------------------------------------- */

static int raw_open_socket(struct raw_ctx *c, const char *ifname, char *err, size_t errlen)
{
    c->sd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
    if (c->sd < 0) {
        if (errno == EPERM || errno == EACCES)
            snprintf(err, errlen, "%s", PKTIO_RAW_NEED_CAP);
        else
            snprintf(err, errlen, "raw socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    if (setsockopt(c->sd, IPPROTO_IP, IP_HDRINCL, &one, sizeof one) < 0 ||
        setsockopt(c->sd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname) + 1) < 0) {
        snprintf(err, errlen, "raw socket on %s: %s", ifname, strerror(errno));
        return -1;
    }
    return 0;
}

static int raw_open_pcap(struct raw_ctx *c, const char *ifname, uint32_t src, char *err,
                         size_t errlen)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    c->pd = pcap_create(ifname, perr);
    if (!c->pd) {
        snprintf(err, errlen, "pcap on %s: %s", ifname, perr);
        return -1;
    }
    pcap_set_snaplen(c->pd, RAW_SNAPLEN);
    pcap_set_promisc(c->pd, 0);
    pcap_set_immediate_mode(c->pd, 1);
    int rc = pcap_activate(c->pd);
    if (rc == PCAP_ERROR_PERM_DENIED) {
        snprintf(err, errlen, "%s", PKTIO_RAW_NEED_CAP);
        return -1;
    }
    if (rc < 0) {
        snprintf(err, errlen, "pcap on %s: %s", ifname, pcap_geterr(c->pd));
        return -1;
    }
    c->dlt = pcap_datalink(c->pd);
    c->off = pktio_raw_dlt_offset(c->dlt);
    if (c->off < 0) {
        snprintf(err, errlen, "datalink_offset failed for type %d on %s (%s)", c->dlt, ifname,
                 pcap_datalink_val_to_name(c->dlt) ? pcap_datalink_val_to_name(c->dlt) : "?");
        return -1;
    }
    char a[16], filter[96];
    snprintf(filter, sizeof filter, "dst host %s and (tcp or udp or icmp)", wire_ip_str(src, a));
    struct bpf_program prog;
    if (pcap_compile(c->pd, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
        snprintf(err, errlen, "pcap filter \"%s\": %s", filter, pcap_geterr(c->pd));
        return -1;
    }
    rc = pcap_setfilter(c->pd, &prog);
    pcap_freecode(&prog);
    if (rc < 0 || pcap_setnonblock(c->pd, 1, perr) < 0) {
        snprintf(err, errlen, "pcap on %s: %s", ifname, rc < 0 ? pcap_geterr(c->pd) : perr);
        return -1;
    }
    c->pfd = pcap_get_selectable_fd(c->pd);
    if (c->pfd < 0) {
        snprintf(err, errlen, "pcap on %s: no selectable fd", ifname);
        return -1;
    }
    return 0;
}

struct pktio *pktio_raw_open(const struct pktio_raw_cfg *cfg, char *err, size_t errlen)
{
    struct pktio *io = calloc(1, sizeof *io);
    struct raw_ctx *c = calloc(1, sizeof *c);
    struct raw_stream *st = calloc(RAW_STREAMS_MAX, sizeof *st);
    if (!io || !c || !st) {
        free(io);
        free(c);
        free(st);
        snprintf(err, errlen, "raw: out of memory");
        return NULL;
    }
    for (size_t i = 0; i < RAW_STREAMS_MAX; i++)
        st[i].fd = -1;
    c->sd = -1;
    c->streams = st;
    io->ops = &raw_ops;
    io->ctx = c;
    if (raw_choose(cfg, io->ifname, &io->src_addr, err, errlen) < 0) {
        raw_close(io);
        return NULL;
    }
    int src = raw_open_socket(c, io->ifname, err, errlen);
    if (src < 0 && cfg->connect_only_ok && !strcmp(err, PKTIO_RAW_NEED_CAP)) {
        c->connect_only = true;   /* -sT as an unprivileged nmap: kernel sockets only */
        err[0] = '\0';
    } else if (src < 0 || raw_open_pcap(c, io->ifname, io->src_addr, err, errlen) < 0 ||
               pktio_raw_drop_privileges(err, errlen) < 0) {
        raw_close(io);
        return NULL;
    }
    if (cfg->verbose > 0) {
        char a[16];
        fprintf(stderr, "Interface %s, source %s, datalink %s\n", io->ifname,
                wire_ip_str(io->src_addr, a),
                c->pd ? pcap_datalink_val_to_name(c->dlt) : "none (connect() only)");
    }
    return io;
}

bool pktio_raw_connect_only(const struct pktio *io)
{
    return io && io->ops == &raw_ops && raw_ctx_of((struct pktio *)io)->connect_only;
}
