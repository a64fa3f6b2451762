/*
 * kafka_consumer.h - the two librdkafka consumers of the daemon.
 *
 * The event consumer joins the consumer group on the four event topics
 * (cooperative-sticky) as a static member (group.instance.id = the
 * config's instance_id): a daemon restarted after a crash gets its
 * partitions back at once rather than after the dead member's session
 * timeout. Offsets are kept in SQLite, in the same transaction
 * as the state they produced (style-and-idioms §B3 b), and each newly
 * assigned partition starts at the offset SQLite holds for it; Kafka's
 * committed offset is only the fallback for a partition this instance has
 * never read (a new instance, or one that lost its state file). Kafka offsets
 * are therefore stored and committed by the daemon only once the outputs of
 * the work they cover are delivered: enable.auto.commit=false and
 * enable.auto.offset.store=false, so nothing is committed behind its back.
 *
 * The reference consumer joins no group: every daemon reads every partition
 * of every ref topic, assigned from metadata, starting at the offset SQLite
 * holds (else the beginning). It never commits. At start it is read up to
 * the high watermark each partition had when it was assigned (the
 * bootstrap), so that no event is judged against half-loaded filings.
 *
 * Both read with isolation.level=read_committed. Messages returned by
 * ew_kafka_consumer_poll are the caller's to destroy, before the next
 * ew_kafka_consumer_close at the latest (a message alive at close makes
 * rd_kafka_destroy hang).
 */
#ifndef EW_KAFKA_CONSUMER_H
#define EW_KAFKA_CONSUMER_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "../daemon/config.h"
#include "../daemon/store.h"
#include "watermark.h"

typedef struct ew_kafka_consumer ew_kafka_consumer;

/* Called by the event consumer's rebalance callback, from inside
 * ew_kafka_consumer_poll or ew_kafka_consumer_close, before `parts` are
 * taken away. `lost` is non-zero when the partitions were lost (another
 * member may own them already, so nothing may be committed for them). The
 * callee finishes the work it holds for these partitions and may call
 * ew_kafka_consumer_commit(..., async=0) while they are still assigned. */
typedef void (*ew_kafka_revoke_fn)(void *ud,
                                   const rd_kafka_topic_partition_list_t *parts,
                                   int lost);

/* Creates the group consumer and subscribes to the event topics of `cfg`.
 * `cfg` and `store` are borrowed and must outlive the consumer. Returns 0, or
 * -1 with the reason in errstr. */
int ew_kafka_consumer_new_events(ew_kafka_consumer **out, const ew_config *cfg,
                                 ew_store *store, ew_kafka_revoke_fn on_revoke,
                                 void *revoke_ud, char *errstr,
                                 size_t errstr_size);

/* Group consumer: 1 when the group has assigned this consumer its
 * partitions (none is fine) and each has been read up to the high
 * watermark of its last fetch; 0 before the first assignment, after the
 * assignment was lost until the next one, while a partition has not been
 * fetched yet, or while messages wait. The daemon's
 * clock follows wall time only then (issue 4). */
int ew_kafka_consumer_at_end(ew_kafka_consumer *c);

/* Event consumer: `m` (just polled) has event time t (EW_NONE: none).
 * Returns how far the engine's clock may go now that it is read: the
 * oldest newest-time of the partitions that still have messages to read
 * (watermark.h), EW_NONE when none has, EW_WATERMARK_HOLD when one of
 * them has delivered nothing yet. */
ew_time ew_kafka_consumer_clock_bound(ew_kafka_consumer *c,
                                      const rd_kafka_message_t *m, ew_time t);

/* Creates the reference consumer and assigns every partition of every ref
 * topic that exists (ew_kafka_consumer_refresh_refs). A cluster that cannot
 * be reached yet is not an error: it is asked again by the next refresh,
 * and ew_kafka_consumer_caught_up stays 0 until one succeeded. Returns 0, or
 * -1 with the reason in errstr. */
int ew_kafka_consumer_new_refs(ew_kafka_consumer **out, const ew_config *cfg,
                               ew_store *store, char *errstr,
                               size_t errstr_size);

/* Closes and destroys: the group consumer revokes its partitions (calling
 * the revoke hook) and leaves the group. Accepts NULL. */
void ew_kafka_consumer_close(ew_kafka_consumer *c);
/* Destroys without closing (no revoke hook, nothing committed, the group
 * not told): for an instance that raised a fatal error, whose close may
 * hang in librdkafka 2.0.2 (#4187). Accepts NULL. */
void ew_kafka_consumer_abandon(ew_kafka_consumer *c);

/* Returns the next message, or NULL when none came within timeout_ms (or
 * after a fatal error: see ew_kafka_consumer_fatal). Consumer errors that are
 * only informational (broker down, unknown topic) are logged and not
 * returned; end-of-partition events only advance the bootstrap. The caller
 * destroys the message with rd_kafka_message_destroy(). */
rd_kafka_message_t *ew_kafka_consumer_poll(ew_kafka_consumer *c,
                                           int timeout_ms);

/* Non-zero once the client raised a fatal error; the instance is unusable and
 * the daemon must exit. The reason is ew_kafka_consumer_errmsg(). */
int ew_kafka_consumer_fatal(const ew_kafka_consumer *c);
const char *ew_kafka_consumer_errmsg(const ew_kafka_consumer *c);

/* Moves each partition of `offsets` back to its .offset (used to re-read a
 * batch that was rolled back) and waits until the fetcher has switched.
 * Partitions that are no longer assigned are skipped. Returns 0, or -1 when
 * a partition could not be moved (its position is then unknown). */
int ew_kafka_consumer_seek(ew_kafka_consumer *c,
                           rd_kafka_topic_partition_list_t *offsets);

/* Event consumer: stores `offsets` (next offsets to read) and commits the
 * stored offsets, asynchronously or not. Partitions no longer assigned are
 * skipped silently. Returns 0, or -1 on an error worth logging. */
int ew_kafka_consumer_commit(ew_kafka_consumer *c,
                             rd_kafka_topic_partition_list_t *offsets,
                             int async);

/* Reference consumer: reads the cluster metadata and assigns the partitions
 * of ref topics that are not assigned yet (a topic created or grown after
 * start). Returns the number of partitions added, or -1. */
int ew_kafka_consumer_refresh_refs(ew_kafka_consumer *c, int timeout_ms);

/* Reference consumer: non-zero when the metadata was read at least once
 * and every partition assigned so far has been read up to the high
 * watermark it had when it was assigned.
 * *lagging (NULL-able) receives the number of partitions still behind. */
int ew_kafka_consumer_caught_up(const ew_kafka_consumer *c, size_t *lagging);

/* The librdkafka handle, for logging and tests. */
rd_kafka_t *ew_kafka_consumer_handle(ew_kafka_consumer *c);

#endif /* EW_KAFKA_CONSUMER_H */
