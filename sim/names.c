/* names.c — printable names for the simulator's enums: RFC 793's TCP state names, as the
 * TUI and transcripts show them ("SYN-RECEIVED", section 3.2 of RFC 793 / RFC 9293 3.3.2).
 */
#include "sim.h"

const char *tcp_state_name(int s)
{
    static const char *const names[] = {
        "CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
        "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT",
    };
    if (s >= 0 && (unsigned)s < sizeof names / sizeof *names)
        return names[s];
    return "-";
}
