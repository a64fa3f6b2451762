/*
 * progress.c - the progress marker: its value, and reading the last one
 * back (see progress.h).
 *
 * The reader is a short-lived consumer that joins no group (librdkafka
 * 2.0.2 still wants a group.id for assign, §B1) and stops at the end of
 * each partition. Under read_committed that end is the last stable offset:
 * aborted markers are skipped, and since init_transactions has settled our
 * own last transaction, every marker of ours lies before it. Limit: another
 * daemon's transaction left open on the same topic holds that end back (up
 * to its transaction timeout), so several daemons should not share one
 * progress topic (see deploy/enforcewatch.cfg).
 */
#include "progress.h"

#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../daemon/log.h"

int ew_progress_format(char *buf, size_t n, int64_t store_id, int64_t seq) {
  int len = snprintf(buf, n, "%" PRId64 " %" PRId64, store_id, seq);
  return len < 0 || (size_t)len >= n ? -1 : len;
}

/* A non-negative decimal without sign or leading junk; *pos moves past it. */
static int parse_num(const char *s, size_t len, size_t *pos, int64_t *out) {
  size_t i = *pos;
  int64_t v = 0;
  if (i >= len || s[i] < '0' || s[i] > '9')
    return -1;
  for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
    if (v > (INT64_MAX - (s[i] - '0')) / 10)
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  *pos = i;
  *out = v;
  return 0;
}

int ew_progress_parse(const void *value, size_t len, int64_t *store_id,
                      int64_t *seq) {
  const char *s = value;
  size_t pos = 0;
  if (!s || parse_num(s, len, &pos, store_id) != 0 || pos >= len ||
      s[pos++] != ' ' || parse_num(s, len, &pos, seq) != 0 || pos != len)
    return -1;
  return 0;
}

static int64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int conf_set(rd_kafka_conf_t *conf, const char *name, const char *value,
                    char *errstr, size_t errstr_size) {
  char rderr[256];
  if (rd_kafka_conf_set(conf, name, value, rderr, sizeof rderr) ==
      RD_KAFKA_CONF_OK)
    return 0;
  snprintf(errstr, errstr_size, "%s=%s: %s", name, value, rderr);
  return -1;
}

static rd_kafka_t *new_reader(const ew_config *cfg, char *errstr,
                              size_t errstr_size) {
  char group[300], rderr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  snprintf(group, sizeof group, "%s-progress", cfg->group_id);
  if (!conf) {
    snprintf(errstr, errstr_size, "out of memory");
    return NULL;
  }
  if (ew_config_kafka_conf(cfg, conf, errstr, errstr_size) != 0 ||
      conf_set(conf, "group.id", group, errstr, errstr_size) != 0 ||
      conf_set(conf, "enable.auto.commit", "false", errstr, errstr_size) != 0 ||
      conf_set(conf, "isolation.level", "read_committed", errstr,
               errstr_size) != 0 ||
      conf_set(conf, "enable.partition.eof", "true", errstr, errstr_size) !=
          0) {
    rd_kafka_conf_destroy(conf);
    return NULL;
  }
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, rderr, sizeof rderr);
  if (!rk) {
    rd_kafka_conf_destroy(conf); /* still ours: rd_kafka_new failed */
    snprintf(errstr, errstr_size, "creating the progress reader: %s", rderr);
    return NULL;
  }
  rd_kafka_poll_set_consumer(rk);
  return rk;
}

/* Assigns every partition of the topic from its beginning. Returns the
 * number of partitions, or -1. */
static int assign_all(rd_kafka_t *rk, const char *topic, int timeout_ms,
                      char *errstr, size_t errstr_size) {
  const struct rd_kafka_metadata *md = NULL;
  rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
  int n = -1;
  if (!t) {
    snprintf(errstr, errstr_size, "progress topic %s: %s", topic,
             rd_kafka_err2str(rd_kafka_last_error()));
    return -1;
  }
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, t, &md, timeout_ms);
  if (err) {
    snprintf(errstr, errstr_size, "progress topic %s: metadata: %s", topic,
             rd_kafka_err2str(err));
    goto out;
  }
  if (md->topic_cnt != 1 || md->topics[0].err ||
      md->topics[0].partition_cnt < 1) {
    snprintf(errstr, errstr_size,
             "progress topic %s: %s (create it with `enforcewatch topics "
             "create`)",
             topic,
             md->topic_cnt == 1 && md->topics[0].err
                 ? rd_kafka_err2str(md->topics[0].err)
                 : "no partitions");
    goto out;
  }
  rd_kafka_topic_partition_list_t *parts =
      rd_kafka_topic_partition_list_new(md->topics[0].partition_cnt);
  for (int i = 0; i < md->topics[0].partition_cnt; i++)
    rd_kafka_topic_partition_list_add(parts, topic,
                                      md->topics[0].partitions[i].id)
        ->offset = RD_KAFKA_OFFSET_BEGINNING;
  err = rd_kafka_assign(rk, parts);
  rd_kafka_topic_partition_list_destroy(parts);
  if (err) {
    snprintf(errstr, errstr_size, "progress topic %s: assign: %s", topic,
             rd_kafka_err2str(err));
    goto out;
  }
  n = md->topics[0].partition_cnt;
out:
  if (md)
    rd_kafka_metadata_destroy(md);
  rd_kafka_topic_destroy(t);
  return n;
}

int ew_progress_read(const ew_config *cfg, ew_progress *out, int timeout_ms,
                     char *errstr, size_t errstr_size) {
  const char *topic = cfg->topics.progress;
  size_t idlen = strlen(cfg->instance_id);
  int64_t deadline = mono_ms() + timeout_ms;
  int rc = -1, nparts, at_end = 0;
  uint64_t records = 0;
  char *ended = NULL; /* per partition id: its end was reached */

  memset(out, 0, sizeof *out);
  rd_kafka_t *rk = new_reader(cfg, errstr, errstr_size);
  if (!rk)
    return -1;
  nparts = assign_all(rk, topic, timeout_ms, errstr, errstr_size);
  if (nparts < 0)
    goto out;
  ended = calloc((size_t)nparts, 1);
  if (!ended) {
    snprintf(errstr, errstr_size, "out of memory");
    goto out;
  }
  while (at_end < nparts) {
    int64_t left = deadline - mono_ms();
    if (left <= 0) {
      snprintf(errstr, errstr_size,
               "progress topic %s: not read to its end within %d ms", topic,
               timeout_ms);
      goto out;
    }
    rd_kafka_message_t *m =
        rd_kafka_consumer_poll(rk, left < 200 ? (int)left : 200);
    if (!m)
      continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (m->partition >= 0 && m->partition < nparts && !ended[m->partition]) {
        ended[m->partition] = 1;
        at_end++;
      }
    } else if (m->err) {
      /* Transient (broker down, leader moving) unless fatal: wait on. */
      if (m->err == RD_KAFKA_RESP_ERR__FATAL ||
          m->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
          m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) {
        snprintf(errstr, errstr_size, "progress topic %s: %s", topic,
                 rd_kafka_message_errstr(m));
        rd_kafka_message_destroy(m);
        goto out;
      }
      ew_debug("progress: %s", rd_kafka_message_errstr(m));
    } else {
      records++;
      int64_t sid, seq;
      if (m->key_len == idlen && memcmp(m->key, cfg->instance_id, idlen) == 0) {
        if (ew_progress_parse(m->payload, m->len, &sid, &seq) == 0) {
          out->found = 1;
          out->store_id = sid;
          out->seq = seq;
        } else
          ew_warn("progress: %s [%" PRId32 "] @%" PRId64
                  ": not a progress marker; ignored",
                  topic, m->partition, m->offset);
      }
    }
    rd_kafka_message_destroy(m);
  }
  ew_debug("progress: %s read, %" PRIu64 " record(s)", topic, records);
  rc = 0;
out:
  free(ended);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return rc;
}
