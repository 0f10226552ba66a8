/* udp_payloads.c — requests that make common UDP services answer a -sU probe.
 *
 * An empty datagram gets no answer from most UDP services, so an open port would look
 * open|filtered. Like nmap (which ships nmap-payloads; not used here), we send a minimal valid
 * request for well-known ports. Each payload below was written for tcplab from the protocol
 * specifications named beside it. Ports not listed get an empty datagram.
 */
#include "scanner/scans/scans.h"

/* DNS (RFC 1035 4.1): a CHAOS-class TXT query for version.bind, which BIND and most
 * resolvers answer even when they refuse recursion. */
static const uint8_t udp_pl_dns[] = {
    0x74, 0x6c, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  /* id, 1 question */
    7, 'v', 'e', 'r', 's', 'i', 'o', 'n', 4, 'b', 'i', 'n', 'd', 0,
    0x00, 0x10, 0x00, 0x03,                                                  /* TXT, CH */
};

/* NTP (RFC 5905 7.3): a 48-byte client request, LI 0, version 4, mode 3. */
static const uint8_t udp_pl_ntp[48] = { 0x23, 0x00, 0x06, 0xec };

/* SNMP v1 (RFC 1157, BER per X.690): GetRequest, community "public", sysDescr.0. */
static const uint8_t udp_pl_snmp[] = {
    0x30, 0x29,                                   /* Message */
    0x02, 0x01, 0x00,                             /*   version 0 (v1) */
    0x04, 0x06, 'p', 'u', 'b', 'l', 'i', 'c',     /*   community */
    0xa0, 0x1c,                                   /*   GetRequest-PDU */
    0x02, 0x04, 0x74, 0x63, 0x70, 0x6c,           /*     request-id */
    0x02, 0x01, 0x00, 0x02, 0x01, 0x00,           /*     error-status, error-index */
    0x30, 0x0e, 0x30, 0x0c,                       /*     varbind list, varbind */
    0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00,  /* 1.3.6.1.2.1.1.1.0 */
    0x05, 0x00,                                   /*     NULL value */
};

/* NetBIOS name service (RFC 1002 4.2.17): NODE STATUS request for the wildcard name "*",
 * first-level encoded ('*' = 0x2A -> "CK", then 15 NULs -> "AA" each). */
static const uint8_t udp_pl_netbios[] = {
    0x74, 0x6c, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x20, 'C', 'K', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A',
    'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 0x00,
    0x00, 0x21, 0x00, 0x01,                       /* NBSTAT, IN */
};

/* SSDP (UPnP Device Architecture 1.1, 1.3.2): an M-SEARCH for every device. */
static const char udp_pl_ssdp[] =
    "M-SEARCH * HTTP/1.1\r\n"
    "HOST: 239.255.255.250:1900\r\n"
    "MAN: \"ssdp:discover\"\r\n"
    "MX: 1\r\n"
    "ST: ssdp:all\r\n"
    "\r\n";

/* mDNS / DNS-SD (RFC 6762, RFC 6763 9): PTR query for _services._dns-sd._udp.local. */
static const uint8_t udp_pl_mdns[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    9, '_', 's', 'e', 'r', 'v', 'i', 'c', 'e', 's', 7, '_', 'd', 'n', 's', '-', 's', 'd',
    4, '_', 'u', 'd', 'p', 5, 'l', 'o', 'c', 'a', 'l', 0,
    0x00, 0x0c, 0x00, 0x01,                       /* PTR, IN */
};

/* TFTP (RFC 1350 5): read request for a file that need not exist; an ERROR reply shows the
 * port is open just as well as data would. */
static const uint8_t udp_pl_tftp[] = {
    0x00, 0x01, 't', 'c', 'p', 'l', 'a', 'b', 0, 'o', 'c', 't', 'e', 't', 0,
};

/* Echo (RFC 862): any bytes come back. */
static const uint8_t udp_pl_echo[] = { 't', 'c', 'p', 'l', 'a', 'b', '\n' };

struct udp_payload {
    uint16_t port;
    const uint8_t *data;
    size_t len;
};

static const struct udp_payload udp_payloads[] = {
    { 7, udp_pl_echo, sizeof udp_pl_echo },
    { 53, udp_pl_dns, sizeof udp_pl_dns },
    { 69, udp_pl_tftp, sizeof udp_pl_tftp },
    { 123, udp_pl_ntp, sizeof udp_pl_ntp },
    { 137, udp_pl_netbios, sizeof udp_pl_netbios },
    { 161, udp_pl_snmp, sizeof udp_pl_snmp },
    { 1900, (const uint8_t *)udp_pl_ssdp, sizeof udp_pl_ssdp - 1 },
    { 5353, udp_pl_mdns, sizeof udp_pl_mdns },
};

const uint8_t *scan_udp_payload(uint16_t port, size_t *len)
{
    for (size_t i = 0; i < sizeof udp_payloads / sizeof udp_payloads[0]; i++) {
        if (udp_payloads[i].port == port) {
            *len = udp_payloads[i].len;
            return udp_payloads[i].data;
        }
    }
    *len = 0;
    return NULL;
}
