/*
 * kafka_producer.c - the outbox sender (see kafka_producer.h).
 *
 * Rows handed to librdkafka are tracked in an array ordered by seq: each is
 * QUEUED (in librdkafka), DELIVERED (reported, waiting for every older row)
 * or RETRY (to be produced again at retry_at). The delivery report carries
 * the row's seq as its opaque, so no row bytes are kept here; a row produced
 * again is re-read from the outbox. Delivered rows leave the array, and the
 * outbox, only as a prefix.
 *
 * Order per key. A row waiting for its retry holds back every newer row of
 * its topic and key (an entry keeps a hash of both), so that the WITHDRAWN
 * of an alert never overtakes the OPEN before it; rows of other keys go on.
 * Rows without a key are spread over partitions at random and keep no
 * order. What librdkafka already holds is ordered by the idempotent
 * producer, up to a permanent error on one message (see kafka_producer.h).
 *
 * librdkafka 2.0.2 specifics (style-and-idioms §B2): delivery reports and
 * error_cb run only inside rd_kafka_poll/flush, i.e. on our thread; headers
 * passed to producev belong to librdkafka only if the call succeeds; an
 * idempotent producer that raised a fatal error never recovers and is
 * replaced.
 */
#include "kafka_producer.h"

#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../daemon/log.h"

enum { ST_QUEUED, ST_DELIVERED, ST_RETRY };

/* Rows handed over but not deleted; beyond it send() waits. */
#define MAX_IN_FLIGHT 100000
/* Rows read from the outbox per scan. */
#define SCAN_CHUNK 1000
/* QUEUE_FULL: poll this long per try, this many times, then give up. */
#define QUEUE_FULL_POLL_MS 100
#define QUEUE_FULL_TRIES 10

typedef struct entry {
  int64_t seq;
  int64_t retry_at; /* monotonic ms, ST_RETRY */
  int32_t attempts;
  uint8_t state;
  uint64_t key; /* key_hash() of the row; 0: no key, no order to keep */
} entry;

struct ew_kafka_producer {
  rd_kafka_t *rk;
  const ew_config *cfg;
  ew_store *store;
  entry *ents;
  size_t head, n, cap;
  int64_t scanned_upto;   /* highest seq handed over at least once */
  int64_t delivered_upto; /* every row <= it is delivered */
  int64_t deleted_upto;   /* ... and deleted from the outbox */
  int fatal;              /* the instance raised a fatal error */
  int64_t recreate_at;    /* monotonic ms: next attempt to create rk */
  int queue_full;         /* the last send stopped at QUEUE_FULL */
  int dropping;           /* purging on purpose: failures are expected */
  /* Keys held back in the current send(): an open-addressing set of
   * key_hash() values; hold_all when it could not grow. */
  uint64_t *held;
  size_t held_cap, held_n;
  int hold_all;
  rd_kafka_resp_err_t last_err;
  int64_t last_err_ms;
  ew_kafka_producer_stats st;
  char errmsg[512];
};

static int64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 0.5 s, 1 s, 2 s ... 30 s */
static int64_t backoff_ms(int32_t attempts) {
  int64_t ms = 500;
  for (int32_t i = 1; i < attempts && ms < 30000; i++)
    ms *= 2;
  return ms < 30000 ? ms : 30000;
}

static void log_cb(const rd_kafka_t *rk, int level, const char *fac,
                   const char *buf) {
  (void)rk;
  /* The kafka group is shared by the consumers and the producer, so a
   * property of one is "ignored by" the other on every start: not news. */
  if (strcmp(fac, "CONFWARN") == 0 && strstr(buf, "will be ignored by"))
    level = 7;
  /* syslog levels: 0-3 errors, 4 warning, 5-6 notice/info, 7 debug */
  if (level <= 3)
    ew_err("librdkafka %s: %s", fac, buf);
  else if (level == 4)
    ew_warn("librdkafka %s: %s", fac, buf);
  else if (level <= 6)
    ew_info("librdkafka %s: %s", fac, buf);
  else
    ew_debug("librdkafka %s: %s", fac, buf);
}

/* Same error again within a minute: debug, so a broker outage does not
 * flood the log. */
static int loud(ew_kafka_producer *p, rd_kafka_resp_err_t err) {
  int64_t now = mono_ms();
  if (err == p->last_err && now - p->last_err_ms < 60000)
    return 0;
  p->last_err = err;
  p->last_err_ms = now;
  return 1;
}

/* FNV-1a over topic, a separator and the key; never 0, which stands for
 * "no key". A collision only holds a row back longer than needed. */
static uint64_t key_hash(const ew_outbox_row *row) {
  if (!row->key)
    return 0;
  uint64_t h = UINT64_C(0xcbf29ce484222325);
  for (const unsigned char *c = (const unsigned char *)row->topic; *c; c++)
    h = (h ^ *c) * UINT64_C(0x100000001b3);
  h = (h ^ 0x1f) * UINT64_C(0x100000001b3);
  const unsigned char *k = row->key;
  for (size_t i = 0; i < row->key_len; i++)
    h = (h ^ k[i]) * UINT64_C(0x100000001b3);
  return h ? h : 1;
}

static int held_has(const ew_kafka_producer *p, uint64_t key) {
  if (!key)
    return 0;
  if (p->hold_all)
    return 1;
  if (!p->held_n)
    return 0;
  for (size_t i = key & (p->held_cap - 1);; i = (i + 1) & (p->held_cap - 1)) {
    if (p->held[i] == key)
      return 1;
    if (!p->held[i])
      return 0;
  }
}

/* Holds back `key` for the rest of this send(). Out of memory, it holds
 * back every key: slower, never out of order. */
static void held_add(ew_kafka_producer *p, uint64_t key) {
  if (!key || p->hold_all || held_has(p, key))
    return;
  if (2 * (p->held_n + 1) > p->held_cap) {
    size_t cap = p->held_cap ? 2 * p->held_cap : 64;
    uint64_t *grown = calloc(cap, sizeof *grown);
    if (!grown) {
      p->hold_all = 1;
      return;
    }
    for (size_t i = 0; i < p->held_cap; i++) {
      if (!p->held[i])
        continue;
      size_t j = p->held[i] & (cap - 1);
      while (grown[j])
        j = (j + 1) & (cap - 1);
      grown[j] = p->held[i];
    }
    free(p->held);
    p->held = grown;
    p->held_cap = cap;
  }
  size_t i = key & (p->held_cap - 1);
  while (p->held[i])
    i = (i + 1) & (p->held_cap - 1);
  p->held[i] = key;
  p->held_n++;
}

static void held_clear(ew_kafka_producer *p) {
  if (p->held_n)
    memset(p->held, 0, p->held_cap * sizeof *p->held);
  p->held_n = 0;
  p->hold_all = 0;
}

static entry *find_entry(ew_kafka_producer *p, int64_t seq) {
  size_t lo = p->head, hi = p->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (p->ents[mid].seq < seq)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < p->n && p->ents[lo].seq == seq ? &p->ents[lo] : NULL;
}

static void dr_msg_cb(rd_kafka_t *rk, const rd_kafka_message_t *m,
                      void *opaque) {
  ew_kafka_producer *p = opaque;
  int64_t seq = (int64_t)(intptr_t)m->_private;
  entry *e = find_entry(p, seq);
  (void)rk;
  if (!e) /* cannot happen: rows leave the array only once delivered */
    return;
  if (!m->err) {
    e->state = ST_DELIVERED;
    p->st.delivered++;
    return;
  }
  e->state = ST_RETRY;
  if (p->dropping) {
    e->retry_at = 0;
    return;
  }
  e->attempts++;
  e->retry_at = mono_ms() + backoff_ms(e->attempts);
  p->st.failed++;
  if (loud(p, m->err))
    ew_err("producer: delivery of outbox row %" PRId64 " to %s failed: %s; "
           "it stays in the outbox and is sent again",
           seq, rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err));
  else
    ew_debug("producer: delivery of outbox row %" PRId64 " failed: %s", seq,
             rd_kafka_err2str(m->err));
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason,
                     void *opaque) {
  ew_kafka_producer *p = opaque;
  (void)rk;
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    p->fatal = 1; /* replaced in ew_kafka_producer_poll, outside callbacks */
    return;
  }
  if (loud(p, (rd_kafka_resp_err_t)err))
    ew_warn("producer: %s: %s", rd_kafka_err2name((rd_kafka_resp_err_t)err),
            reason);
  else
    ew_debug("producer: %s: %s", rd_kafka_err2name((rd_kafka_resp_err_t)err),
             reason);
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

static int create_rk(ew_kafka_producer *p, char *errstr, size_t errstr_size) {
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  char maxbytes[32], rderr[512];
  snprintf(maxbytes, sizeof maxbytes, "%lld",
           (long long)ew_config_deadletter_max_bytes(p->cfg));
  if (!conf) {
    snprintf(errstr, errstr_size, "out of memory");
    return -1;
  }
  /* Defaults first, the file's `kafka` group next, then the guarantees. */
  if (conf_set(conf, "linger.ms", "10", errstr, errstr_size) != 0 ||
      conf_set(conf, "message.timeout.ms", "0", errstr, errstr_size) != 0 ||
      /* Java's partitioner: keys land where Java producers put them. */
      conf_set(conf, "partitioner", "murmur2_random", errstr, errstr_size) !=
          0 ||
      conf_set(conf, "message.max.bytes", maxbytes, errstr, errstr_size) != 0 ||
      ew_config_kafka_conf(p->cfg, conf, errstr, errstr_size) != 0 ||
      conf_set(conf, "enable.idempotence", "true", errstr, errstr_size) != 0 ||
      conf_set(conf, "log.queue", "true", errstr, errstr_size) != 0) {
    rd_kafka_conf_destroy(conf);
    return -1;
  }
  rd_kafka_conf_set_opaque(conf, p);
  rd_kafka_conf_set_dr_msg_cb(conf, dr_msg_cb);
  rd_kafka_conf_set_error_cb(conf, error_cb);
  rd_kafka_conf_set_log_cb(conf, log_cb);
  p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, rderr, sizeof rderr);
  if (!p->rk) {
    rd_kafka_conf_destroy(conf); /* still ours: rd_kafka_new failed */
    snprintf(errstr, errstr_size, "creating the producer: %s", rderr);
    return -1;
  }
  rd_kafka_set_log_queue(p->rk, NULL);
  return 0;
}

int ew_kafka_producer_new(ew_kafka_producer **out, const ew_config *cfg,
                          ew_store *store, char *errstr, size_t errstr_size) {
  ew_kafka_producer *p = calloc(1, sizeof *p);
  *out = NULL;
  if (!p) {
    snprintf(errstr, errstr_size, "out of memory");
    return -1;
  }
  p->cfg = cfg;
  p->store = store;
  if (create_rk(p, errstr, errstr_size) != 0) {
    free(p);
    return -1;
  }
  *out = p;
  return 0;
}

/* Gives every message still in librdkafka back to the outbox: their reports
 * (purged) turn them into RETRY, and what got no report is marked too. */
static void drop_rk(ew_kafka_producer *p) {
  if (!p->rk)
    return;
  p->dropping = 1;
  rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_poll(p->rk, 0);
  rd_kafka_destroy(p->rk);
  p->dropping = 0;
  p->rk = NULL;
  int64_t now = mono_ms();
  for (size_t i = p->head; i < p->n; i++)
    if (p->ents[i].state == ST_QUEUED) {
      p->ents[i].state = ST_RETRY;
      p->ents[i].retry_at = now;
    }
}

void ew_kafka_producer_destroy(ew_kafka_producer *p) {
  if (!p)
    return;
  if (p->rk) {
    int len = rd_kafka_outq_len(p->rk);
    if (len > 0)
      ew_warn("producer: %d message(s) still in librdkafka at shutdown; "
              "their rows stay in the outbox",
              len);
  }
  drop_rk(p);
  free(p->ents);
  free(p->held);
  free(p);
}

const char *ew_kafka_producer_errmsg(const ew_kafka_producer *p) {
  return p->errmsg;
}

/* An idempotent producer that raised a fatal error is done for: take its
 * messages back and start a new instance (with a new producer id). */
static void recreate(ew_kafka_producer *p) {
  if (p->rk) {
    char reason[400];
    rd_kafka_resp_err_t err =
        rd_kafka_fatal_error(p->rk, reason, sizeof reason);
    ew_err("producer: fatal error %s: %s; replacing the producer instance",
           rd_kafka_err2name(err), reason);
    drop_rk(p);
    p->recreate_at = 0;
  }
  if (mono_ms() < p->recreate_at)
    return;
  char errstr[512];
  if (create_rk(p, errstr, sizeof errstr) != 0) {
    ew_err("producer: %s; trying again in 5 s", errstr);
    p->recreate_at = mono_ms() + 5000;
    return;
  }
  p->fatal = 0;
  p->st.recreated++;
  ew_info("producer: new instance created; %zu row(s) will be sent again",
          p->n - p->head);
}

/* ---- producing ---- */

typedef struct visit {
  ew_kafka_producer *p;
  int64_t want; /* re-produce: the seq expected, else -1 */
  int found;
  int stop;   /* queue full or fatal: leave the rest for the next call */
  int handed; /* rows handed over */
} visit;

static int append_entry(ew_kafka_producer *p, int64_t seq, uint64_t key,
                        uint8_t state) {
  if (p->n == p->cap) {
    if (p->head > 0) { /* reuse the delivered front first */
      memmove(p->ents, p->ents + p->head, (p->n - p->head) * sizeof *p->ents);
      p->n -= p->head;
      p->head = 0;
    }
    if (p->n == p->cap) {
      size_t cap = p->cap ? p->cap * 2 : 1024;
      entry *grown = realloc(p->ents, cap * sizeof *grown);
      if (!grown)
        return -1;
      p->ents = grown;
      p->cap = cap;
    }
  }
  p->ents[p->n++] = (entry){seq, 0, 0, state, key};
  return 0;
}

/* Produces one row. Returns 0 handed over, 1 queue full (try later), -1 the
 * message was refused (it is scheduled for retry by the caller). */
static int produce_row(ew_kafka_producer *p, const ew_outbox_row *row,
                       rd_kafka_resp_err_t *errp) {
  rd_kafka_headers_t *hdrs = NULL;
  if (row->nheaders > 0) {
    hdrs = rd_kafka_headers_new(row->nheaders);
    for (size_t i = 0; i < row->nheaders; i++)
      rd_kafka_header_add(hdrs, row->headers[i].name, -1, row->headers[i].value,
                          (ssize_t)row->headers[i].len);
  }
  for (int tries = 0;; tries++) {
    rd_kafka_resp_err_t err = rd_kafka_producev(
        p->rk, RD_KAFKA_V_TOPIC(row->topic),
        RD_KAFKA_V_KEY(row->key, row->key ? row->key_len : 0),
        RD_KAFKA_V_VALUE((void *)row->value, row->value ? row->value_len : 0),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_OPAQUE((void *)(intptr_t)row->seq), RD_KAFKA_V_HEADERS(hdrs),
        RD_KAFKA_V_END);
    if (!err) {
      p->st.produced++;
      return 0; /* hdrs belong to librdkafka now */
    }
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && tries < QUEUE_FULL_TRIES) {
      rd_kafka_poll(p->rk, QUEUE_FULL_POLL_MS);
      continue;
    }
    if (hdrs)
      rd_kafka_headers_destroy(hdrs);
    *errp = err;
    return err == RD_KAFKA_RESP_ERR__QUEUE_FULL ? 1 : -1;
  }
}

static int visit_row(void *ud, const ew_outbox_row *row) {
  visit *v = ud;
  ew_kafka_producer *p = v->p;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  entry *e = NULL;

  if (v->want >= 0) {
    if (row->seq != v->want)
      return 1; /* the row is gone: nothing to send */
    v->found = 1;
    e = find_entry(p, row->seq);
  }
  if (p->fatal) {
    v->stop = 1;
    return 1;
  }
  uint64_t key = e ? e->key : key_hash(row);
  if (!e && held_has(p, key)) {
    /* An older row of its key waits for a retry: this one queues behind
     * it, due at once, and goes as soon as that one has gone. */
    if (append_entry(p, row->seq, key, ST_RETRY) != 0) {
      snprintf(p->errmsg, sizeof p->errmsg, "producer: out of memory");
      v->stop = 1;
      return 1;
    }
    p->scanned_upto = row->seq;
    return 0;
  }
  int rc = produce_row(p, row, &err);
  if (rc == 1) {
    p->queue_full = 1;
    v->stop = 1;
    return 1;
  }
  if (!e) {
    if (append_entry(p, row->seq, key, ST_QUEUED) != 0) {
      snprintf(p->errmsg, sizeof p->errmsg, "producer: out of memory");
      v->stop = 1;
      return 1;
    }
    e = &p->ents[p->n - 1];
    p->scanned_upto = row->seq;
  }
  if (rc == 0) {
    e->state = ST_QUEUED;
    v->handed++;
    return 0;
  }
  /* Refused outright (e.g. larger than message.max.bytes): keep the row
   * and try again later, loudly; skipping it would lose an output. */
  e->state = ST_RETRY;
  e->attempts++;
  e->retry_at = mono_ms() + backoff_ms(e->attempts);
  held_add(p, key);
  p->st.failed++;
  if (loud(p, err))
    ew_err("producer: outbox row %" PRId64 " for %s refused: %s; it stays "
           "in the outbox and is tried again",
           row->seq, row->topic, rd_kafka_err2str(err));
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    p->fatal = 1;
    v->stop = 1;
    return 1;
  }
  return 0;
}

int ew_kafka_producer_send(ew_kafka_producer *p) {
  int handed = 0;
  if (p->fatal || !p->rk)
    return 0;
  p->queue_full = 0;

  /* Rows to produce again go first: they are the oldest. One that is not
   * due, or is refused again, holds back the newer rows of its key. */
  int64_t now = mono_ms();
  held_clear(p);
  for (size_t i = p->head; i < p->n; i++) {
    if (p->ents[i].state != ST_RETRY || held_has(p, p->ents[i].key))
      continue;
    if (p->ents[i].retry_at > now) {
      held_add(p, p->ents[i].key);
      continue;
    }
    visit v = {p, p->ents[i].seq, 0, 0, 0};
    if (ew_store_outbox_scan(p->store, p->ents[i].seq - 1, 1, visit_row, &v) <
        0) {
      snprintf(p->errmsg, sizeof p->errmsg, "producer: reading the outbox: %s",
               ew_store_errmsg(p->store));
      return -1;
    }
    if (!v.found) { /* deleted meanwhile: nothing left to deliver */
      p->ents[i].state = ST_DELIVERED;
      continue;
    }
    handed += v.handed;
    if (p->ents[i].state == ST_RETRY)
      held_add(p, p->ents[i].key); /* not handed over after all */
    if (v.stop)
      return handed;
  }

  /* Then rows never handed over, in seq order. */
  while (p->n - p->head < MAX_IN_FLIGHT) {
    size_t room = MAX_IN_FLIGHT - (p->n - p->head);
    visit v = {p, -1, 0, 0, 0};
    int64_t before = p->scanned_upto;
    if (ew_store_outbox_scan(p->store, p->scanned_upto,
                             room < SCAN_CHUNK ? room : SCAN_CHUNK, visit_row,
                             &v) < 0) {
      snprintf(p->errmsg, sizeof p->errmsg, "producer: reading the outbox: %s",
               ew_store_errmsg(p->store));
      return -1;
    }
    handed += v.handed;
    if (v.stop || p->scanned_upto == before)
      break;
  }
  return handed;
}

int ew_kafka_producer_poll(ew_kafka_producer *p, int timeout_ms) {
  if (p->rk)
    rd_kafka_poll(p->rk, timeout_ms);
  if (p->fatal || !p->rk)
    recreate(p);

  while (p->head < p->n && p->ents[p->head].state == ST_DELIVERED)
    p->delivered_upto = p->ents[p->head++].seq;
  if (p->head == p->n) {
    p->head = p->n = 0;
    p->delivered_upto = p->scanned_upto;
  }
  if (p->delivered_upto > p->deleted_upto) {
    /* A failed BEGIN leaves alone whatever transaction is open: it is not
     * ours to roll back (a caller's batch inside it would be lost). */
    if (ew_store_begin(p->store) != 0) {
      snprintf(p->errmsg, sizeof p->errmsg,
               "producer: deleting delivered outbox rows: %s",
               ew_store_errmsg(p->store));
      return -1;
    }
    if (ew_store_outbox_delete_upto(p->store, p->delivered_upto) != 0 ||
        ew_store_commit(p->store) != 0) {
      snprintf(p->errmsg, sizeof p->errmsg,
               "producer: deleting delivered outbox rows: %s",
               ew_store_errmsg(p->store));
      ew_store_rollback(p->store);
      return -1;
    }
    p->deleted_upto = p->delivered_upto;
  }
  return 0;
}

int64_t ew_kafka_producer_delivered_upto(const ew_kafka_producer *p) {
  return p->delivered_upto;
}

int ew_kafka_producer_flush(ew_kafka_producer *p, int timeout_ms,
                            int64_t *undelivered) {
  int64_t deadline = mono_ms() + timeout_ms;
  int rc = 0;
  for (;;) {
    int handed = ew_kafka_producer_send(p);
    if (handed < 0) {
      rc = -1;
      break;
    }
    int64_t left = deadline - mono_ms();
    if (ew_kafka_producer_poll(p, left > 100 ? 100
                                             : (left > 0 ? (int)left : 0)) != 0)
      rc = -1;
    if (p->head == p->n && handed == 0 && !p->queue_full)
      break; /* nothing in flight and nothing new in the outbox */
    if (mono_ms() >= deadline)
      break;
  }
  if (undelivered) {
    int64_t left = -1;
    if (ew_store_outbox_count(p->store, &left) != 0)
      rc = -1;
    *undelivered = left;
  }
  return rc;
}

void ew_kafka_producer_get_stats(const ew_kafka_producer *p,
                                 ew_kafka_producer_stats *st) {
  *st = p->st;
  st->in_flight = p->n - p->head;
}
