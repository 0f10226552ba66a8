/* tcp_inspect.h — internal to the simulator: read-only copies of one host's TCP for the
 * inspection API (inspect.c), and its deep copy for sim_clone (clone.c). tcp_inspect.c. */
#ifndef TCPLAB_TCP_INSPECT_H
#define TCPLAB_TCP_INSPECT_H

#include <stddef.h>
#include <stdint.h>

#include "sim.h"
#include "tcp.h"

struct tcp_host *tcp_host_clone(const struct tcp_host *src);
/* TCBs in use; *ntimers (may be NULL): how many have a timer armed. */
uint32_t tcp_inspect_count(const struct tcp_host *th, uint32_t *ntimers);
int tcp_inspect_tcbs(const struct tcp_host *th, struct sim_tcb_info *out, size_t max);
int tcp_inspect_tcb(const struct tcp_host *th, uint16_t lport, uint32_t raddr, uint16_t rport,
                    struct sim_tcb_info *out);
int tcp_inspect_timers(const struct tcp_host *th, struct sim_timer_info *out, size_t max);
int tcp_inspect_listeners(const struct tcp_host *th, struct sim_listener_info *out, size_t max);
void tcp_inspect_isn(const struct tcp_host *th, uint64_t now_ns, uint16_t lport, uint32_t raddr,
                     uint16_t rport, struct sim_isn_info *out);

#endif
