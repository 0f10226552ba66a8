/* scenario_edit.h — a scenario text with one host key changed: the what-if behind
 * `tcplab diff --set HOST.KEY=VALUE` and the TUI's what-if (lab/whatif.h).
 *
 * The change is made on the text and the result parsed as any scenario, so a wrong value
 * gets the parser's own FILE:LINE:COL message. The key's words (its value, or for
 * `challenge-ack N/s random` both) are removed wherever they stand on the `host HOST` line
 * and `KEY VALUE` goes at the end of it. `down` takes yes or no.
 */
#ifndef TCPLAB_SCENARIO_EDIT_H
#define TCPLAB_SCENARIO_EDIT_H

#include <stddef.h>

/* *out: the new text (heap, NUL-ended, *outlen bytes). 0, or -1 with a message (no such
 * host line, a value with quotes, # or a newline, out of memory). */
int scenario_edit_host_key(const char *file, const char *text, size_t len, const char *host,
                           const char *key, const char *value, char **out, size_t *outlen,
                           char *err, size_t errlen);

#endif
