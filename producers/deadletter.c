/*
 * deadletter.c - bad input to an outbox row (see deadletter.h).
 *
 * The original headers are kept first and in order, so a tool that re-feeds
 * a dead letter after a fix sends what the department sent; ours follow.
 */
#include "deadletter.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DL_MESSAGE_MAX 1000
#define DL_OWN_HEADERS 5

int ew_deadletter_append(ew_store *s, const char *dl_topic,
                         const ew_deadletter_src *src, const char *code,
                         const char *message, int64_t *seq) {
  char partition[16], offset[24];
  size_t mlen = message ? strlen(message) : 0;
  int rc = -1;
  ew_outbox_header *h = malloc((src->nheaders + DL_OWN_HEADERS) * sizeof *h);
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
  rc = ew_store_outbox_append(s, &row, seq);
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
