/* lab_replay.h — a `session` question's value: the replay of a student's attach record
 * (cmd/lab_replay.c). */
#ifndef TCPLAB_CMD_LAB_REPLAY_H
#define TCPLAB_CMD_LAB_REPLAY_H

#include <stddef.h>

struct lab;
struct lab_who;
struct lab_question;

/* Replays record on who's variant of l and reads q's `replay` expression from the run into
 * *value (heap; "none" when the event never happened, a sentence in parentheses when the
 * record was made on another variant). 0, or -1 with err (a record that
 * cannot be read or does not fit the variant). */
int lab_replay_value(const struct lab *l, const struct lab_who *who,
                     const struct lab_question *q, const char *record, char **value,
                     char *err, size_t errlen);

#endif
