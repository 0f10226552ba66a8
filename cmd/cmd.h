/* cmd.h — entry points of the subcommands, called by cmd/main.c. Each returns the exit
 * status: 0 success, 1 usage error, 2 runtime failure. */
#ifndef TCPLAB_CMD_H
#define TCPLAB_CMD_H

#define TCPLAB_VERSION "0.1"

int cmd_scan(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_lab(int argc, char **argv);
int cmd_bridge(int argc, char **argv);

/* "250us", "1.5ms", "2s", "3m" (and "N" = seconds when bare_unit_s, else an error) -> ns.
 * 0 or -1. */
int cmd_parse_duration(const char *s, int bare_is_seconds, unsigned long long *ns);

#endif
