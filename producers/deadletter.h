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

/* The largest dead letter written as one record, in bytes as librdkafka
 * counts a record (key, value, headers and their framing): the smallest
 * message.max.bytes the producer ever has (ew_config_deadletter_max_bytes
 * with max_message_bytes at or below Kafka's default). */
#define EW_DEADLETTER_RECORD_MAX 1114124
/* The largest part of a split dead letter: below the broker's default
 * max.message.bytes (1048588), so a part also fits a dead-letter topic that
 * `enforcewatch topics create` did not make. */
#define EW_DEADLETTER_PART_MAX 1000000

/* Appends the dead letter of `src` to the outbox for topic `dl_topic`.
 * `code` is short and upper case (ew_decode_error_code(), or e.g.
 * "TOMBSTONE_ON_EVENT_TOPIC"); `message` is one line (cut at 1000 bytes).
 * *seq (NULL-able) receives the seq of the last row appended. Returns 0, or
 * -1 with the store's error (ew_store_errmsg) or "out of memory".
 *
 * A consumed value can be far larger than any record the producer may send:
 * the broker limits a topic's *compressed* batches, so a feed that
 * compresses can deliver a value of many megabytes, and one row the producer
 * refuses for good would stop every output behind it. So a dead letter
 * larger than EW_DEADLETTER_RECORD_MAX is split: its value is cut into
 * consecutive parts, each an outbox row of at most EW_DEADLETTER_PART_MAX
 * bytes carrying the original key, the original headers, the x-* headers
 * and two more: x-value-part "<i>/<n>" (1-based) and x-value-size (the
 * whole value's length, decimal). Concatenating the values of parts 1..n of
 * one x-source-topic/partition/offset gives the original value byte for
 * byte. The rows are appended in order in the caller's transaction, so
 * either all parts are in the outbox or none.
 *
 * One case cannot be split that way: when the original key and headers
 * alone take more than half a part (only a compressing feed can send
 * those), the dead letter is appended whole, the producer refuses it, and
 * outputs stop, loudly, until an operator removes the row. */
int ew_deadletter_append(ew_store *s, const char *dl_topic,
                         const ew_deadletter_src *src, const char *code,
                         const char *message, int64_t *seq);

/* ew_deadletter_append with another whole-record limit than
 * EW_DEADLETTER_RECORD_MAX (the producer's real message.max.bytes, or a
 * small one in tests); parts are at most min(max_bytes,
 * EW_DEADLETTER_PART_MAX). */
int ew_deadletter_append_max(ew_store *s, const char *dl_topic,
                             const ew_deadletter_src *src, const char *code,
                             const char *message, size_t max_bytes,
                             int64_t *seq);

/* A record's size as ew_deadletter_append reckons it: at least what
 * librdkafka checks against message.max.bytes, with room to spare. */
size_t ew_deadletter_record_size(size_t key_len, size_t value_len,
                                 const ew_outbox_header *headers,
                                 size_t nheaders);

/* The same for a consumed librdkafka message: its topic, partition, offset,
 * key, value and headers are the source. */
int ew_deadletter_append_message(ew_store *s, const char *dl_topic,
                                 const rd_kafka_message_t *m, const char *code,
                                 const char *message, int64_t *seq);

#endif /* EW_DEADLETTER_H */
