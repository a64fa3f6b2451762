/*
 * deadletter.c - bad input to an outbox row (see deadletter.h).
 *
 * The original headers are kept first and in order, so a tool that re-feeds
 * a dead letter after a fix sends what the department sent; ours follow. A
 * dead letter too large for one Kafka record is split by value into parts
 * (deadletter.h) rather than cut short or left as one row the producer can
 * never send, which would hold back every output behind it.
 */
#include "deadletter.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DL_MESSAGE_MAX 1000
#define DL_OWN_HEADERS 5
#define DL_PART_HEADERS 2
/* librdkafka frames a record in at most 36 bytes and a header in at most
 * 10 beyond its name and value (varint lengths); the broker adds 61 per
 * batch. These are rounded up, so the estimate is never short. */
#define DL_RECORD_OVERHEAD 128
#define DL_HEADER_OVERHEAD 16

size_t ew_deadletter_record_size(size_t key_len, size_t value_len,
                                 const ew_outbox_header *headers,
                                 size_t nheaders) {
  size_t n = DL_RECORD_OVERHEAD + key_len + value_len;
  for (size_t i = 0; i < nheaders; i++)
    n += DL_HEADER_OVERHEAD + strlen(headers[i].name) + headers[i].len;
  return n;
}

int ew_deadletter_append(ew_store *s, const char *dl_topic,
                         const ew_deadletter_src *src, const char *code,
                         const char *message, int64_t *seq) {
  return ew_deadletter_append_max(s, dl_topic, src, code, message,
                                  EW_DEADLETTER_RECORD_MAX, seq);
}

/* Appends the value of `row` in parts of at most `part_max` bytes each
 * (see deadletter.h). `h` is row->headers, with room for the two part
 * headers after its row->nheaders. Returns 1 when the key and headers leave
 * too little room for that, else 0 or -1 as ew_store_outbox_append. */
static int append_parts(ew_store *s, const ew_outbox_row *row,
                        ew_outbox_header *h, size_t part_max, int64_t *seq) {
  char part[48], total[24];
  size_t n = row->nheaders;
  /* The part headers at their longest: "<20 digits>/<20 digits>". */
  size_t fixed = ew_deadletter_record_size(row->key_len, 0, h, n) +
                 2 * DL_HEADER_OVERHEAD + strlen("x-value-part") + 41 +
                 strlen("x-value-size") + 20;
  if (fixed > part_max / 2 || row->value_len == 0)
    return 1;
  size_t room = part_max - fixed;
  size_t nparts = (row->value_len + room - 1) / room;
  snprintf(total, sizeof total, "%zu", row->value_len);
  h[n] = (ew_outbox_header){"x-value-part", part, 0};
  h[n + 1] = (ew_outbox_header){"x-value-size", total, strlen(total)};
  for (size_t i = 0; i < nparts; i++) {
    size_t off = i * room;
    size_t len = row->value_len - off < room ? row->value_len - off : room;
    snprintf(part, sizeof part, "%zu/%zu", i + 1, nparts);
    h[n].len = strlen(part);
    ew_outbox_row r = {0,
                       row->topic,
                       row->key,
                       row->key_len,
                       (const char *)row->value + off,
                       len,
                       h,
                       n + DL_PART_HEADERS};
    if (ew_store_outbox_append(s, &r, seq) != 0)
      return -1;
  }
  return 0;
}

int ew_deadletter_append_max(ew_store *s, const char *dl_topic,
                             const ew_deadletter_src *src, const char *code,
                             const char *message, size_t max_bytes,
                             int64_t *seq) {
  char partition[16], offset[24];
  size_t mlen = message ? strlen(message) : 0;
  int rc = -1;
  ew_outbox_header *h =
      malloc((src->nheaders + DL_OWN_HEADERS + DL_PART_HEADERS) * sizeof *h);
  if (!h)
    return -1;
  if (mlen > DL_MESSAGE_MAX)
    mlen = DL_MESSAGE_MAX;
  snprintf(partition, sizeof partition, "%" PRId32, src->partition);
  snprintf(offset, sizeof offset, "%" PRId64, src->offset);

  size_t n = 0;
  for (size_t i = 0; i < src->nheaders; i++)
    h[n++] = src->headers[i];
  h[n++] = (ew_outbox_header){"x-error-code", code, strlen(code)};
  h[n++] = (ew_outbox_header){"x-error-message", message ? message : "", mlen};
  h[n++] = (ew_outbox_header){"x-source-topic", src->topic, strlen(src->topic)};
  h[n++] =
      (ew_outbox_header){"x-source-partition", partition, strlen(partition)};
  h[n++] = (ew_outbox_header){"x-source-offset", offset, strlen(offset)};

  ew_outbox_row row = {0,          dl_topic,
                       src->key,   src->key ? src->key_len : 0,
                       src->value, src->value ? src->value_len : 0,
                       h,          n};
  if (ew_deadletter_record_size(row.key_len, row.value_len, h, n) > max_bytes) {
    size_t part_max =
        max_bytes < EW_DEADLETTER_PART_MAX ? max_bytes : EW_DEADLETTER_PART_MAX;
    rc = append_parts(s, &row, h, part_max, seq);
    if (rc != 1)
      goto out;
    /* Key and headers too large to repeat on every part: whole, see
     * deadletter.h. */
  }
  rc = ew_store_outbox_append(s, &row, seq);
out:
  free(h);
  return rc;
}

int ew_deadletter_append_message(ew_store *s, const char *dl_topic,
                                 const rd_kafka_message_t *m, const char *code,
                                 const char *message, int64_t *seq) {
  ew_deadletter_src src = {rd_kafka_topic_name(m->rkt),
                           m->partition,
                           m->offset,
                           m->key,
                           m->key_len,
                           m->payload,
                           m->len,
                           NULL,
                           0};
  rd_kafka_headers_t *hdrs = NULL;
  ew_outbox_header *copy = NULL;
  /* rd_kafka_message_headers wants a non-const message; it only parses. */
  if (rd_kafka_message_headers((rd_kafka_message_t *)m, &hdrs) ==
          RD_KAFKA_RESP_ERR_NO_ERROR &&
      hdrs) {
    size_t n = rd_kafka_header_cnt(hdrs);
    if (n > 0 && !(copy = malloc(n * sizeof *copy)))
      return -1;
    for (size_t i = 0; i < n; i++) {
      const char *name;
      const void *value;
      size_t len;
      if (rd_kafka_header_get_all(hdrs, i, &name, &value, &len))
        break;
      copy[i] = (ew_outbox_header){name, value, value ? len : 0};
      src.nheaders++;
    }
    src.headers = copy;
  }
  int rc = ew_deadletter_append(s, dl_topic, &src, code, message, seq);
  free(copy);
  return rc;
}
