/*
 * watermark.h - how far the event clock may go while a backlog is read
 * from several partitions at once.
 *
 * librdkafka hands over the messages of one partition's fetch at a time (up
 * to a megabyte), so the newest event read is often weeks ahead of the
 * oldest unread one of another partition. A clock that followed the newest
 * event passed deadlines that the unread events then met: on 20,000
 * events of tests/crash/gen_load.py the daemon opened and withdrew 16,057
 * alerts where `check` raises about 1,000 (issue 7). The clock may go only
 * as far as the slowest partition that still has unread messages: the low
 * watermark of the partitions' event times.
 *
 * A partition holds the clock back while it has messages to read (its next
 * offset is below its high watermark, or the high watermark is not known
 * yet) and has delivered something within hold_ms; one that delivers
 * nothing for longer (a stalled fetch) stops holding it, so that no
 * partition can stop every deadline. Pure bookkeeping: the Kafka consumer
 * feeds it (kafka_consumer.c).
 */
#ifndef EW_WATERMARK_H
#define EW_WATERMARK_H

#include <stddef.h>
#include <stdint.h>

#include "../daemon/ewtime.h"

/* ew_watermark_bound: a partition with unread messages has delivered none
 * yet, so nothing is known of its time: the clock must not move. */
#define EW_WATERMARK_HOLD (INT64_MIN + 1)

typedef struct ew_wm_part {
  char *topic;
  int32_t partition;
  int64_t next;      /* offset of the next message to read; -1 unknown */
  int64_t high;      /* high watermark of the last fetch; -1 unknown */
  ew_time last;      /* newest event time read; EW_NONE before any */
  int64_t active_ms; /* monotonic ms of the assignment or last message */
} ew_wm_part;

typedef struct ew_watermark {
  ew_wm_part *v;
  size_t n, cap;
  int64_t hold_ms;
} ew_watermark;

/* Adds a partition that starts at `next` (-1: unknown). Returns 0, or -1
 * out of memory (then the partition does not hold the clock). */
int ew_watermark_assign(ew_watermark *w, const char *topic, int32_t partition,
                        int64_t next, int64_t now_ms);
void ew_watermark_revoke(ew_watermark *w, const char *topic, int32_t partition);
void ew_watermark_clear(ew_watermark *w);
ew_wm_part *ew_watermark_find(ew_watermark *w, const char *topic,
                              int32_t partition);
/* The message at `offset` of p, with event time t (EW_NONE: none), was
 * read. */
void ew_watermark_seen(ew_wm_part *p, int64_t offset, ew_time t,
                       int64_t now_ms);
/* 1 when p has messages to read by what it knows of its high watermark
 * (the caller refreshes `high` when this says no). */
int ew_watermark_unread(const ew_wm_part *p);
/* The newest time the clock may take: the oldest `last` of the partitions
 * that hold it; EW_NONE when none does; EW_WATERMARK_HOLD when one that
 * holds it has delivered nothing yet. */
ew_time ew_watermark_bound(const ew_watermark *w, int64_t now_ms);

#endif /* EW_WATERMARK_H */
