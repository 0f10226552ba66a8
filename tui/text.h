/* text.h — the TUI's words, apart from the terminal: one event as a list row, a ladder
 * row, a packet's fields with their byte ranges (for the hex link), the receiving host's
 * inside (tui/inside.c), the followed stream, the help. All formatted on demand, for what
 * is on screen; the view draws these strings and colours them, the export writes them to
 * files, the tests read them. */
#ifndef TCPLAB_TUI_TEXT_H
#define TCPLAB_TUI_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tui/model.h"
#include "tui/rewind.h"

/* "   12 0.011000 RECV  server   37652 > 80 [S] s=0 len=0 => SYN-ACK" */
void tui_text_row(const struct tui_model *m, size_t ev, char *out, size_t cap);
/* The short packet part of a row ("37652 > 80 [SA] s=0 a=1 len=0", "ICMP 3/3 ..."). */
void tui_text_pkt(const struct tui_model *m, size_t ev, char *out, size_t cap);

/* "echo", "echo-reply", "3/3": an ICMP type and code, short (buf for the numbers). */
const char *tui_icmp_short(uint8_t type, uint8_t code, char *buf, size_t cap);

/* Ladder geometry (tui/ladder.c): a column is m->colw wide (at least TUI_LADDER_COLW,
 * tui_model_init makes room for the longest host name); how many fit in w characters. */
enum { TUI_LADDER_COLW = 18 };
size_t tui_ladder_fit(const struct tui_model *m, size_t w);
/* Host names centred over their lifelines (w characters, NUL-terminated). */
void tui_ladder_header(const struct tui_model *m, size_t w, char *out);
/* Styles of a ladder row, for colour. */
enum tui_lstyle { TUI_LS_PLAIN, TUI_LS_SEND, TUI_LS_RETRANS, TUI_LS_INJECTED, TUI_LS_DROP,
                  TUI_LS_RECV, TUI_LS_TIMER, TUI_LS_NOTE };
/* The row of event ev: lifelines '|' and its arrow ("---[S] s=0---->", '=' and ">>>" for a
 * retransmission, '~' for an injected datagram, 'X' where a datagram was dropped) or its
 * marker at the host ('*' received, 'X' dropped, '@' timer, '~' note). [*a0, *a1): the
 * characters of the arrow or marker. Returns its style. */
enum tui_lstyle tui_ladder_row(const struct tui_model *m, size_t ev, size_t w, char *out,
                               size_t *a0, size_t *a1);
/* The whole shown list as a text ladder (every column, no scrolling) and as SVG. 0 or -1. */
int tui_export_text(const struct tui_model *m, FILE *f);
int tui_export_svg(const struct tui_model *m, FILE *f);

/* Packet detail: one field per line, layer by layer, with its bytes. */
struct tui_field {
    char text[112];          /* "  TCP flags       0x12 [SA]" */
    uint16_t off, len;       /* its bytes in the datagram; len 0: a heading */
    bool bad;                /* a checksum that fails */
};
/* Fills up to max fields for a datagram; returns how many. */
size_t tui_fields(const uint8_t *pkt, size_t len, struct tui_field *out, size_t max);
/* One hex dump line (16 bytes from off): "0010  45 00 ...  E..." */
void tui_hex_line(const uint8_t *pkt, size_t len, size_t off, char *out, size_t cap);

/* The receiving (acting) host's inside at event ev, before and after that event itself (not
 * its whole unit: tui/inside.c says how the unit's work is shared out among its events):
 * lines of text. NULL rewind or a capture: a line saying why there is none. Returns the
 * number of lines written (at most max, each of at most 159 characters). */
size_t tui_inside(const struct tui_model *m, struct tui_rewind *rw, size_t ev, char (*lines)[160],
                  size_t max);

/* The followed connection's bytes: one line per data segment, "> " or "< " for its
 * direction (party 0 to 1 or back), then its bytes as text. dir[i]: 0 or 1. */
size_t tui_stream(const struct tui_model *m, char (*lines)[160], int *dir, size_t max);

extern const char *const tui_help_lines[];

#endif
