/* cmd.h — entry points of the subcommands, called by cmd/main.c. Each returns the exit
 * status: 0 success, 1 usage error, 2 runtime failure. */
#ifndef TCPLAB_CMD_H
#define TCPLAB_CMD_H

#include <stdint.h>

#define TCPLAB_VERSION "0.1"

int cmd_scan(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_bridge(int argc, char **argv);

struct scenario;
struct pcap_writer;
struct trace;
/* `tcplab run SCENARIO --replay SESSION` (cmd/replay.c): the session's inbound datagrams
 * into a bridge core at their times, its answers compared with the recorded ones; the
 * events into tr, the wire into pw (may be NULL). 0 identical, 1 different, -1 bad input,
 * -2 runtime failure. until_ns: stop there instead of at the session's end (may be NULL). */
int cmd_run_replay(const struct scenario *sc, uint64_t seed, const char *session,
                   const unsigned long long *until_ns, struct pcap_writer *pw, struct trace *tr);

/* "250us", "1.5ms", "2s", "3m" (and "N" = seconds when bare_unit_s, else an error) -> ns.
 * 0 or -1. */
int cmd_parse_duration(const char *s, int bare_is_seconds, unsigned long long *ns);

#endif
