/*
 * kafka_producer.h - publishes the outbox to Kafka, exactly once.
 *
 * Every output (alert, notice, stats, dead letter) is first an outbox row,
 * written in the same SQLite transaction as the state and the offsets that
 * produced it. This producer publishes the rows in seq order in Kafka
 * transactions (transactional.id = the config's instance_id), each ending
 * with a progress marker of its last seq (progress.h), and deletes them
 * once committed. After a crash, a broker outage or any failed transaction,
 * a new producer instance fences the old one, reads the last committed
 * marker back and sends only the rows after it: a read_committed consumer
 * sees every output exactly once, in seq order per key.
 *
 * Store use: ew_kafka_producer_send, _poll and _flush write to the store
 * (deletes, the state file's id) in transactions of their own, so they
 * must not be called while the caller holds a store transaction.
 *
 * Blocking: send() runs one whole transaction (up to transaction.max_rows
 * rows) and returns when it is committed or given up, each transactional
 * call bounded by the smaller of transaction.timeout_ms and
 * shutdown_timeout_ms (so a SIGTERM waits no longer than a stop may take);
 * while the cluster cannot be reached it returns at once between attempts
 * (0.5 s doubling to 30 s).
 *
 * A row the cluster refuses for its own bytes (larger than its topic takes,
 * invalid) is retried PARK_AFTER times, then moved with its bytes and the
 * reason to the state file's outbox_parked table, loudly, so that it does
 * not hold back every output behind it. A topic missing or forbidden stalls
 * the outputs (loudly) until it is fixed: no row is parked for it.
 *
 * Fault hook for the crash tests: with EW_FAULT_KILL_IN_TXN=N in the
 * environment, the process sends SIGKILL to itself inside its N-th
 * transaction, after the rows and the marker reached librdkafka and before
 * the commit.
 */
#ifndef EW_KAFKA_PRODUCER_H
#define EW_KAFKA_PRODUCER_H

#include <stddef.h>
#include <stdint.h>

#include "../daemon/config.h"
#include "../daemon/store.h"

typedef struct ew_kafka_producer ew_kafka_producer;

typedef struct ew_kafka_producer_stats {
  uint64_t produced;     /* rows handed to librdkafka (repeats included) */
  uint64_t delivered;    /* delivery reports without error */
  uint64_t failed;       /* delivery reports with an error */
  uint64_t transactions; /* committed */
  uint64_t aborted;      /* aborted, their rows sent again */
  uint64_t recreated;    /* instances replaced after a failure */
  uint64_t parked;       /* rows refused for good, set aside */
} ew_kafka_producer_stats;

/* Creates the producer. `cfg` and `store` are borrowed and must outlive it.
 * Nothing is sent, and the cluster is not contacted, before the first
 * ew_kafka_producer_send. Returns 0, or -1 with the reason in errstr. */
int ew_kafka_producer_new(ew_kafka_producer **out, const ew_config *cfg,
                          ew_store *store, char *errstr, size_t errstr_size);
/* Destroys the producer; rows not published stay in the outbox (an open
 * transaction is left to the broker to abort, or to the next instance to
 * settle). Call ew_kafka_producer_flush first. Accepts NULL. */
void ew_kafka_producer_destroy(ew_kafka_producer *p);
const char *ew_kafka_producer_errmsg(const ew_kafka_producer *p);

/* Sets up the instance if needed, then publishes the next rows of the
 * outbox in one transaction. Returns the number of rows committed (0: none
 * waiting, or the transaction failed and is tried again after a pause), or
 * -1 on a store error. */
int ew_kafka_producer_send(ew_kafka_producer *p);

/* Serves librdkafka's callbacks for up to timeout_ms, replaces the instance
 * after a fatal error, and deletes published rows from the outbox (at most
 * once a second). Returns 0, or -1 when the store refused the delete
 * (retried at the next call). */
int ew_kafka_producer_poll(ew_kafka_producer *p, int timeout_ms);

/* The highest seq S such that every outbox row with seq <= S is published
 * (0 before the first setup). Offsets of input whose outputs all have
 * seq <= S may be committed to Kafka. */
int64_t ew_kafka_producer_delivered_upto(const ew_kafka_producer *p);

/* Publishes until every row of the outbox is or timeout_ms passed (a
 * transaction still open then is given up). *undelivered (NULL-able)
 * receives the number of rows left in the outbox. Returns 0, or -1 on a
 * store error. */
int ew_kafka_producer_flush(ew_kafka_producer *p, int timeout_ms,
                            int64_t *undelivered);

void ew_kafka_producer_get_stats(const ew_kafka_producer *p,
                                 ew_kafka_producer_stats *st);

#endif /* EW_KAFKA_PRODUCER_H */
