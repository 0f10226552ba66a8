/* bridge_nets.c — which prefixes the bridge may route through its TUN device.
 *
 * A route through the device sends the kernel's traffic for that prefix into the simulated
 * network. Routing a prefix that real hosts use (say 0.0.0.0/1, or a scenario that
 * borrowed a public /24) would capture the machine's own traffic, so only ranges that are
 * never on the public Internet are accepted by default:
 *   RFC 5737 section 3: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 (documentation);
 *   RFC 2544 section C.2.2 / RFC 6890: 198.18.0.0/15 (benchmarking: what the tests use);
 *   RFC 1918 section 3: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (private).
 * A prefix must lie wholly inside one of them; --allow-any-net lifts the rule, on purpose.
 */
#include "bridge/bridge.h"

#include <stdio.h>

#include "lib/wire.h"
#include "sim/scenario.h"

static const struct bridge_route bridge_reserved[] = {
    { 0xC0000200u, 24 },   /* 192.0.2.0/24     RFC 5737 TEST-NET-1 */
    { 0xC6336400u, 24 },   /* 198.51.100.0/24  RFC 5737 TEST-NET-2 */
    { 0xCB007100u, 24 },   /* 203.0.113.0/24   RFC 5737 TEST-NET-3 */
    { 0xC6120000u, 15 },   /* 198.18.0.0/15    RFC 2544 benchmarking */
    { 0x0A000000u, 8 },    /* 10.0.0.0/8       RFC 1918 */
    { 0xAC100000u, 12 },   /* 172.16.0.0/12    RFC 1918 */
    { 0xC0A80000u, 16 },   /* 192.168.0.0/16   RFC 1918 */
};

static uint32_t bridge_mask(int len) { return len <= 0 ? 0 : 0xffffffffu << (32 - len); }

bool bridge_prefix_reserved(uint32_t prefix, int len)
{
    for (size_t i = 0; i < sizeof bridge_reserved / sizeof *bridge_reserved; i++) {
        const struct bridge_route *r = &bridge_reserved[i];
        if (len >= r->len && (prefix & bridge_mask(r->len)) == r->prefix)
            return true;
    }
    return false;
}

static bool bridge_in_nets(const struct scenario *sc, uint32_t addr)
{
    for (size_t i = 0; i < sc->nnets; i++)
        if ((addr & bridge_mask(sc->nets[i].plen)) == sc->nets[i].prefix)
            return true;
    return false;
}

static int bridge_refuse(char *err, size_t errlen, const struct scenario *sc, int line,
                         const char *what, uint32_t prefix, int len)
{
    char a[16];
    snprintf(err, errlen, "%s:%d: error: %s %s/%d is not a reserved prefix: the bridge routes "
             "only 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 (RFC 5737), 198.18.0.0/15 "
             "(RFC 2544) and RFC 1918 ranges, so the machine's own traffic is never captured "
             "(--allow-any-net to route it anyway)",
             sc->file[0] ? sc->file : "scenario", line, what, wire_ip_str(prefix, a), len);
    return -1;
}

int bridge_nets_check(const struct scenario *sc, bool allow_any, struct bridge_route *r,
                      int max, char *err, size_t errlen)
{
    int n = 0;
    for (size_t i = 0; i < sc->nnets; i++) {
        const struct scn_net *net = &sc->nets[i];
        if (!allow_any && !bridge_prefix_reserved(net->prefix, net->plen))
            return bridge_refuse(err, errlen, sc, net->pos.line, "net", net->prefix, net->plen);
        if (n == max)
            goto full;
        r[n++] = (struct bridge_route){ net->prefix, net->plen };
    }
    for (size_t i = 0; i < sc->nhosts; i++) {
        const struct scn_host *h = &sc->hosts[i];
        if (bridge_in_nets(sc, h->addr) && !h->scanner)
            continue;
        if (!allow_any && !bridge_prefix_reserved(h->addr, 32))
            return bridge_refuse(err, errlen, sc, h->pos.line, h->scanner ? "scanner address"
                                 : "host address", h->addr, 32);
        if (h->scanner || bridge_in_nets(sc, h->addr))
            continue;
        if (n == max)
            goto full;
        r[n++] = (struct bridge_route){ h->addr, 32 };
    }
    if (n == 0) {
        snprintf(err, errlen, "%s: error: nothing to route: the scenario has no net and no "
                 "host besides the scanner", sc->file[0] ? sc->file : "scenario");
        return -1;
    }
    return n;
full:
    snprintf(err, errlen, "%s: error: more than %d prefixes to route",
             sc->file[0] ? sc->file : "scenario", max);
    return -1;
}
