/* vscan_builtin.c — -sV's probes when no nmap is installed: a small nmap-service-probes file
 * of this project's own, in nmap's format (Nmap book, "nmap-service-probes File Format"),
 * and the lookup of the installed nmap's file.
 *
 * Why: a student with only the tcplab binary can still run `tcplab scan -sV` on the embedded
 * network and see what version detection does. The rules are written here for the servers
 * the simulated services imitate (sim/app.c, scenarios/default.scn): OpenSSH, FTP, SMTP and
 * telnet greetings, and Apache, nginx, IIS and HP printer web servers; each names the
 * product as nmap's own database names it, so the two agree on the default network. It is
 * not nmap's file and knows a few dozen servers where nmap's knows thousands. The probes
 * are the NULL probe, GenericLines, GetRequest, HTTPOptions and Help, with nmap's probe
 * strings and waits, and for UDP a DNS version.bind query and an NTP client request (each
 * recognising its own bytes sent back: the simulated UDP ports echo); Exclude keeps raw
 * printing ports out, as nmap's file does (anything sent there is printed).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "scanner/vscan.h"

const char vscan_builtin_probes[] =
    "# tcplab's built-in service probes (scanner/vscan_builtin.c), nmap's file format.\n"
    "Exclude T:9100-9107\n"
    "\n"
    "# A connection that says something first: banners.\n"
    "Probe TCP NULL q||\n"
    "totalwaitms 6000\n"
    "tcpwrappedms 3000\n"
    "match ssh m|^SSH-([0-9.]+)-OpenSSH_([A-Za-z0-9._-]+) Debian-([^\\r\\n]+)\\r?\\n| "
    "p/OpenSSH/ v/$2 Debian $3/ i/protocol $1/ o/Linux/ cpe:/a:openbsd:openssh:$2/ "
    "cpe:/o:linux:linux_kernel/a\n"
    "match ssh m|^SSH-([0-9.]+)-OpenSSH_([A-Za-z0-9._-]+)\\r?\\n| p/OpenSSH/ v/$2/ "
    "i/protocol $1/ cpe:/a:openbsd:openssh:$2/\n"
    "softmatch ssh m|^SSH-([0-9.]+)-| i/protocol $1/\n"
    "match ftp m|^220 ([A-Za-z0-9_-]+) FTP server \\(Version ([0-9][A-Za-z0-9._-]*) "
    "[A-Z][a-z][a-z] [A-Z][a-z][a-z] [^)]*\\) ready\\.\\r\\n| p/HP-UX or AIX ftpd/ v/$2/ "
    "o/Unix/ h/$1/\n"
    "match ftp m|^220 ProFTPD ([0-9][^ ]*) Server| p/ProFTPD/ v/$1/ cpe:/a:proftpd:proftpd:$1/\n"
    "match ftp m|^220 \\(vsFTPd ([0-9.]+)\\)\\r\\n| p/vsftpd/ v/$1/ o/Unix/ "
    "cpe:/a:vsftpd:vsftpd:$1/\n"
    "softmatch ftp m|^220[ -][^\\r\\n]*FTP|i\n"
    "match smtp m|^220[ -]([^ \\r\\n]+) (?:E?SMTP )?Sendmail ([0-9][^; \\r\\n]*)| p/Sendmail/ "
    "v/$2/ o/Unix/ h/$1/ cpe:/a:sendmail:sendmail:$2/\n"
    "match smtp m|^220[ -]([^ \\r\\n]+) ESMTP Postfix| p/Postfix smtpd/ h/$1/ "
    "cpe:/a:postfix:postfix/a\n"
    "softmatch smtp m|^220[ -][^\\r\\n]*SMTP|i\n"
    "match telnet m|^\\xff\\xfd%$| p/BSD-derived telnetd/\n"
    "match telnet m|^\\xff\\xfd\\x18\\xff\\xfd \\xff\\xfd#\\xff\\xfd'$| p/Linux telnetd/ "
    "o/Linux/ cpe:/o:linux:linux_kernel/a\n"
    "softmatch telnet m|^\\xff[\\xfb-\\xfe].|s\n"
    "match mysql m|^.\\0\\0\\0\\x0a([0-9.]+)-MariaDB|s p/MariaDB/ v/$1/ "
    "cpe:/a:mariadb:mariadb:$1/\n"
    "match pop3 m|^\\+OK Dovecot ready\\.\\r\\n| p/Dovecot pop3d/ cpe:/a:dovecot:dovecot/\n"
    "match imap m|^\\* OK \\[CAPABILITY [^\\]]*\\] Dovecot ready\\.\\r\\n| p/Dovecot imapd/ "
    "cpe:/a:dovecot:dovecot/\n"
    "\n"
    "# Two blank lines: line-based services answer or complain.\n"
    "Probe TCP GenericLines q|\\r\\n\\r\\n|\n"
    "rarity 1\n"
    "ports 21,23,25,79,110,119,513,514,5432\n"
    "match finger m|^Login +Name +TTY|i p/BSD fingerd/ o/Unix/\n"
    "softmatch ftp m|^500 |\n"
    "softmatch smtp m|^50[0-9] [^\\r\\n]*command|i\n"
    "\n"
    "# An HTTP/1.0 request for /.\n"
    "Probe TCP GetRequest q|GET / HTTP/1.0\\r\\n\\r\\n|\n"
    "rarity 1\n"
    "ports 80-85,443,591,631,3000,5000,8000-8010,8080-8088,8443,8888,9000\n"
    "sslports 443,8443\n"
    "match http m=^HTTP/1\\.[01] [0-9][0-9][0-9] .*?\\r\\nServer: HP HTTP Server; (?:HP )+"
    "([^-;]+?) (?:series |MFP )?- [A-Za-z0-9]+; Serial Number: ([A-Za-z0-9]+);=s "
    "p/HP $1 printer http config/ i/Serial $2/ d/printer/ cpe:/h:hp:$1/\n"
    "match http m|^HTTP/1\\.[01] [0-9][0-9][0-9] .*?\\r\\nServer: Apache/([0-9][A-Za-z0-9._-]*)"
    " ([^\\r\\n]+)\\r\\n|s p/Apache httpd/ v/$1/ i/$2/ cpe:/a:apache:http_server:$1/\n"
    "match http m|^HTTP/1\\.[01] [0-9][0-9][0-9] .*?\\r\\nServer: Apache/([0-9][A-Za-z0-9._-]*)"
    "\\r\\n|s p/Apache httpd/ v/$1/ cpe:/a:apache:http_server:$1/\n"
    "match http m|^HTTP/1\\.[01] [0-9][0-9][0-9] .*?\\r\\nServer: nginx/([0-9.]+)\\r\\n|s "
    "p/nginx/ v/$1/ cpe:/a:igor_sysoev:nginx:$1/\n"
    "match http m|^HTTP/1\\.[01] [0-9][0-9][0-9] .*?\\r\\nServer: Microsoft-IIS/([A-Za-z0-9._-]+)"
    "\\r\\n|s p/Microsoft IIS httpd/ v/$1/ o/Windows/ "
    "cpe:/a:microsoft:internet_information_services:$1/ cpe:/o:microsoft:windows/a\n"
    "match http m|^HTTP/1\\.[01] [0-9][0-9][0-9] .*?\\r\\nServer: lighttpd/([0-9.]+)\\r\\n|s "
    "p/lighttpd/ v/$1/ cpe:/a:lighttpd:lighttpd:$1/\n"
    "softmatch http m|^HTTP/1\\.[01] [0-9][0-9][0-9]|\n"
    "\n"
    "# OPTIONS: servers that answer only that, or differently.\n"
    "Probe TCP HTTPOptions q|OPTIONS / HTTP/1.0\\r\\n\\r\\n|\n"
    "rarity 4\n"
    "ports 80-85,631,8080,8888\n"
    "sslports 443,8443\n"
    "fallback GetRequest\n"
    "\n"
    "# HELP: mail, FTP and line protocols that kept quiet so far.\n"
    "Probe TCP Help q|HELP\\r\\n|\n"
    "rarity 3\n"
    "ports 21,25,110,119,143\n"
    "match ftp m|^214[ -][^\\r\\n]*\\r\\n| p/FTP server/\n"
    "softmatch smtp m|^214[ -]|\n"
    "\n"
    "# UDP. A DNS query for version.bind, class CHAOS, type TXT (RFC 1035 4.1).\n"
    "Probe UDP DNSVersionBindReq q|\\0\\x06\\x01\\0\\0\\x01\\0\\0\\0\\0\\0\\0\\x07version\\x04bind\\0\\0\\x10\\0\\x03|\n"
    "rarity 1\n"
    "ports 53\n"
    "match echo m|^\\0\\x06\\x01\\0\\0\\x01\\0\\0\\0\\0\\0\\0\\x07version\\x04bind\\0\\0\\x10\\0\\x03$|\n"
    "match domain m|^\\0\\x06[\\x84-\\x87].\\0\\x01\\0\\x01.*\\x07version\\x04bind.*\\x10\\0\\x03.{6}(.)(.+)$|s "
    "p/DNS server/ i/version.bind: $2/\n"
    "softmatch domain m|^\\0\\x06[\\x80-\\xff]|\n"
    "\n"
    "# An NTP version 4 client request (RFC 5905 7.3: LI 3, VN 4, mode 3).\n"
    "Probe UDP NTPRequest q|\\xe3\\0\\x04\\xfa\\0\\x01\\0\\0\\0\\x01\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0"
    "\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08|\n"
    "rarity 5\n"
    "ports 123\n"
    "match echo m|^\\xe3\\0\\x04\\xfa\\0\\x01\\0\\0\\0\\x01\\0{30}\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08$|\n"
    "match ntp m|^[\\x1c\\x24\\xe4\\x5c\\x64\\xdc][\\x01-\\x0f]|s p/NTP/ i/stratum $I(1,\">\")/\n";

static bool vs_readable(const char *path)
{
    return access(path, R_OK) == 0;
}

int vscan_db_load(const char *datadir, struct svc_db *db, bool *builtin, char *path,
                  size_t pathcap, char *err, size_t errlen)
{
    static const char *const dirs[] = {"/usr/share/nmap", "/usr/local/share/nmap"};
    *builtin = false;
    for (size_t i = 0; i < (datadir ? 1u : 2u); i++) {
        const char *d = datadir ? datadir : dirs[i];
        snprintf(path, pathcap, "%s/nmap-service-probes", d);
        if (vs_readable(path))
            return svc_db_load(d, db, err, errlen);
    }
    *builtin = true;
    snprintf(path, pathcap, "(built-in)");
    return svc_db_parse("(built-in probes)", vscan_builtin_probes,
                        strlen(vscan_builtin_probes), db, err, errlen);
}
