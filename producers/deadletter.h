/*
 * deadletter.h - a bad input message becomes an outbox row for the
 * dead-letter topic (contract §6).
 *
 * The row carries the original key, value and headers byte for byte, plus
 * x-error-code, x-error-message, x-source-topic, x-source-partition and
 * x-source-offset (decimal strings). It is appended in the batch's
 * transaction like any other output, so the input offset and its dead letter
 * are committed together: an input is never dropped and never dead-lettered
 * twice by one instance.
 */
#ifndef EW_DEADLETTER_H
#define EW_DEADLETTER_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "../daemon/store.h"

/* The input as it was read; everything is borrowed. */
typedef struct ew_deadletter_src {
  const char *topic;
  int32_t partition;
  int64_t offset;
  const void *key; /* may be NULL */
  size_t key_len;
  const void *value; /* may be NULL (a tombstone) */
  size_t value_len;
  const ew_outbox_header *headers;
  size_t nheaders;
} ew_deadletter_src;

/* Appends the dead letter of `src` to the outbox for topic `dl_topic`.
 * `code` is short and upper case (ew_decode_error_code(), or e.g.
 * "TOMBSTONE_ON_EVENT_TOPIC"); `message` is one line (cut at 1000 bytes).
 * *seq (NULL-able) receives the row's seq. Returns 0, or -1 with the store's
 * error (ew_store_errmsg) or "out of memory". */
int ew_deadletter_append(ew_store *s, const char *dl_topic,
                         const ew_deadletter_src *src, const char *code,
                         const char *message, int64_t *seq);

/* The same for a consumed librdkafka message: its topic, partition, offset,
 * key, value and headers are the source. */
int ew_deadletter_append_message(ew_store *s, const char *dl_topic,
                                 const rd_kafka_message_t *m, const char *code,
                                 const char *message, int64_t *seq);

#endif /* EW_DEADLETTER_H */
