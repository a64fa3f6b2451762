/*
 * kafka_producer.h - delivers the outbox to Kafka.
 *
 * Every output (alert, notice, stats, dead letter) is first an outbox row,
 * written in the same SQLite transaction as the state and the offsets that
 * produced it. This producer hands the rows to an idempotent librdkafka
 * producer in seq order, with their keys and headers, and deletes them once
 * their delivery is reported: only ever the contiguous delivered prefix
 * (ew_store_outbox_delete_upto), so a row is never deleted while an older
 * one may still need sending. Rows left at a crash or shutdown are sent
 * again at the next start; output ids are deterministic, so a consumer can
 * drop such repeats.
 *
 * librdkafka retries a message until it is delivered (message.timeout.ms=0:
 * the outbox is the buffer, so giving up inside librdkafka would only
 * reorder a key's outputs). A delivery that fails anyway (a permanent broker
 * error, or a fatal error of the idempotent producer, after which the
 * instance is replaced) leaves its row in the outbox to be produced again
 * after a pause.
 *
 * Order per key: a row waiting for such a retry holds back the newer rows of
 * its topic and key, so one alert's WITHDRAWN never overtakes its OPEN; other
 * keys go on. Not covered: a row that librdkafka fails for good while newer
 * rows of its key are already in flight (a permanent broker error on one
 * message); those newer rows may land first.
 *
 * Store use: ew_kafka_producer_poll and _flush write to the store (the
 * deletes) in transactions of their own, so they must not be called while
 * the caller holds a store transaction. ew_kafka_producer_send only reads.
 */
#ifndef EW_KAFKA_PRODUCER_H
#define EW_KAFKA_PRODUCER_H

#include <stddef.h>
#include <stdint.h>

#include "../daemon/config.h"
#include "../daemon/store.h"

typedef struct ew_kafka_producer ew_kafka_producer;

typedef struct ew_kafka_producer_stats {
  uint64_t produced;  /* rows handed to librdkafka (repeats included) */
  uint64_t delivered; /* delivery reports without error */
  uint64_t failed;    /* delivery reports with an error (row kept) */
  uint64_t recreated; /* instances replaced after a fatal error */
  size_t in_flight;   /* rows handed over and not yet deleted */
} ew_kafka_producer_stats;

/* Creates the producer. `cfg` and `store` are borrowed and must outlive it.
 * Nothing is sent before the first ew_kafka_producer_send. Returns 0, or -1
 * with the reason in errstr. */
int ew_kafka_producer_new(ew_kafka_producer **out, const ew_config *cfg,
                          ew_store *store, char *errstr, size_t errstr_size);
/* Destroys the producer; rows not delivered stay in the outbox. Call
 * ew_kafka_producer_flush first to give them a chance. Accepts NULL. */
void ew_kafka_producer_destroy(ew_kafka_producer *p);
const char *ew_kafka_producer_errmsg(const ew_kafka_producer *p);

/* Hands rows that are due to librdkafka: rows to produce again first, then
 * rows not seen yet, in seq order. When librdkafka's queue is full it polls
 * and retries for a while, then leaves the rest for the next call. Returns
 * the number of rows handed over, or -1 on a store error. */
int ew_kafka_producer_send(ew_kafka_producer *p);

/* Serves delivery reports for up to timeout_ms, deletes the delivered prefix
 * of the outbox and replaces the instance after a fatal error. Returns 0, or
 * -1 when the store refused the delete (retried at the next call). */
int ew_kafka_producer_poll(ew_kafka_producer *p, int timeout_ms);

/* The highest seq S such that every outbox row with seq <= S has been
 * delivered (0 before anything was). Offsets of input whose outputs all
 * have seq <= S may be committed to Kafka. */
int64_t ew_kafka_producer_delivered_upto(const ew_kafka_producer *p);

/* Sends and polls until every row of the outbox is delivered or timeout_ms
 * passed. *undelivered (NULL-able) receives the number of rows left in the
 * outbox. Returns 0, or -1 on a store error. */
int ew_kafka_producer_flush(ew_kafka_producer *p, int timeout_ms,
                            int64_t *undelivered);

void ew_kafka_producer_get_stats(const ew_kafka_producer *p,
                                 ew_kafka_producer_stats *st);

#endif /* EW_KAFKA_PRODUCER_H */
