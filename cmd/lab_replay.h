/* lab_replay.h — grading a lab's `record` questions by replaying the student's attach record
 * (cmd/lab_replay.c). */
#ifndef TCPLAB_CMD_LAB_REPLAY_H
#define TCPLAB_CMD_LAB_REPLAY_H

#include <stddef.h>

struct lab;
struct lab_who;
struct lab_question;

/* Replays record file `path` in w's variant of lab l and counts question q's events; key is
 * the count without the student (lab_key). 1: it counts more (pass), 0: not, or the record
 * does not fit the variant (why says which), -1: trouble (why says what). */
int lab_record_check(const struct lab *l, const struct lab_who *w,
                     const struct lab_question *q, const char *key, const char *path,
                     char *why, size_t whylen);

#endif
