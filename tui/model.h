/* model.h — the TUI's model, apart from any terminal: which events are shown (filter,
 * follow), the cursor, bookmarks, the jump stack (cause and back), the ladder's columns and
 * horizontal scroll, relative or absolute sequence numbers, playing. Unit tests and the
 * bench drive it headless; tui/view_*.c draws it.
 *
 * Indices: `ev` is an index into rec->ev (event number ev + 1 on screen); `row` an index
 * into the shown list (all events, or those the filter or follow keep).
 */
#ifndef TCPLAB_TUI_MODEL_H
#define TCPLAB_TUI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/rec.h"

/* A filter: every term must hold. Terms (words, separated by spaces):
 *   NAME or ADDRESS, `host X`  the event's host, or the datagram's source or destination
 *   `port N`, a bare number    either port
 *   tcp udp icmp               protocol
 *   `flags LETTERS`            TCP with at least those flags set (S A F R P U E C);
 *                              `flags=LETTERS` exactly those
 *   send recv drop timer note  event kind
 *   retrans injected           marks */
struct tui_filter {
    bool any;                     /* some term given */
    bool has_host; uint32_t host;
    bool has_port; uint16_t port;
    uint8_t proto;                /* 0 any */
    bool has_flags, flags_exact; uint8_t flags;
    int kind;                     /* -1 any */
    uint8_t mark;                 /* required marks */
    char text[96];
};

enum { TUI_JUMPS = 64, TUI_NAME_MAX = 24 /* widest host column */ };

struct tui_model {
    const struct tui_rec *rec;
    uint32_t *view;               /* event indices shown; NULL: all */
    size_t nview, capview;
    size_t row;                   /* cursor */
    struct tui_filter filt;
    uint32_t follow;              /* connection index + 1 followed, 0 */
    uint32_t marks[26];           /* event index + 1 */
    size_t jumps[TUI_JUMPS];      /* event indices to go back to */
    size_t njumps;
    bool absolute;                /* sequence numbers as sent (else relative to the ISN) */
    size_t col0;                  /* first ladder column shown */
    size_t hostw;                 /* the event list's host columns: the longest name shown */
    size_t colw;                  /* a ladder column: room for the longest name, and more */
    bool plain;                   /* filter with the plain test alone (tests, bench) */
    bool playing;
    int speed;                    /* events per second while playing: 1, 2, 5, 10, 50, 200 */
};

void tui_model_init(struct tui_model *m, const struct tui_rec *rec);
void tui_model_free(struct tui_model *m);

size_t tui_model_rows(const struct tui_model *m);
/* Event index at a row of the shown list (row < tui_model_rows). */
size_t tui_model_ev_at(const struct tui_model *m, size_t row);
/* Event index under the cursor; SIZE_MAX when nothing is shown. */
size_t tui_model_ev(const struct tui_model *m);

void tui_model_next(struct tui_model *m, size_t n);
void tui_model_prev(struct tui_model *m, size_t n);
void tui_model_first(struct tui_model *m);
void tui_model_last(struct tui_model *m);
/* Puts the cursor on event index ev, or the first shown event after it (the last before it
 * when none after). */
void tui_model_goto_ev(struct tui_model *m, size_t ev);
/* `:N`: event number N (1-based). -1 when N is past the end. */
int tui_model_goto_number(struct tui_model *m, uint64_t n);

/* Parses and applies a filter ("" clears it). 0, or -1 with a message (filter unchanged). */
int tui_model_set_filter(struct tui_model *m, const char *text, char *err, size_t errlen);
bool tui_event_matches(const struct tui_rec *rec, const struct tui_filter *f, size_t ev);
/* Follows the connection of the event under the cursor (or stops following). 0, or -1 when
 * it has none. */
int tui_model_toggle_follow(struct tui_model *m);

void tui_model_mark(struct tui_model *m, char letter);
/* 0, or -1 when the mark is unset. The current place goes on the jump stack. */
int tui_model_jump_mark(struct tui_model *m, char letter);
/* To the event that caused the one under the cursor (the probe a RST answers, the timer
 * that retransmitted, the SEND of a datagram received). 0, or -1 when none. */
int tui_model_jump_cause(struct tui_model *m);
/* To the RECV or DROP of the datagram the cursor's SEND sent. 0 or -1. */
int tui_model_jump_fate(struct tui_model *m);
/* Back to where the last jump left from. 0, or -1 when the stack is empty. */
int tui_model_jump_back(struct tui_model *m);

/* Sequence and acknowledgment numbers as shown (relative to each direction's ISN unless
 * absolute). */
void tui_model_seq(const struct tui_model *m, size_t ev, uint32_t *seq, uint32_t *ack);

/* One step of play: the next event; false at the end (playing stops). */
bool tui_model_play_step(struct tui_model *m);
void tui_model_speed(struct tui_model *m, int dir);

#endif
