/* cmd.h — entry points of the subcommands, called by cmd/main.c. Each returns the exit
 * status: 0 success, 1 usage error, 2 runtime failure. */
#ifndef TCPLAB_CMD_H
#define TCPLAB_CMD_H

#define TCPLAB_VERSION "0.1"

int cmd_scan(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_bridge(int argc, char **argv);

/* The one number parser: decimal ("010" is ten) or 0x-prefixed hex, no sign, no blanks, at
 * most max. 0 or -1. */
int cmd_parse_uint(const char *s, unsigned long long max, unsigned long long *out);

/* The one time parser: "250us", "1.5ms", "2s", "3m", "1h" (and a bare "N" = seconds when
 * bare_is_seconds, as nmap reads its times; every subcommand passes 1) -> ns. 0 or -1. */
int cmd_parse_duration(const char *s, int bare_is_seconds, unsigned long long *ns);

#endif
