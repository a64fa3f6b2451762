/*
 * latency.c - ew_bench_latency: from input append to a read_committed alert,
 * at a fixed input rate (issue 7).
 *
 * The events of a JSON Lines file are read, encoded and keyed exactly as
 * `enforcewatch send` does it (ew_jsonl_parse, ew_encode, the keys of
 * contract §2), all of it before the clock starts, so that encoding never
 * disturbs the pace. A read_committed consumer is assigned every partition
 * of the alert topic at its current end, and a thread of its own reads,
 * decodes (as `enforcewatch tail` does) and timestamps every alert the moment
 * librdkafka hands it over. Then the events are produced at --rate per
 * second, each at its own slot of an even schedule (t0 + i / rate, sleeping
 * to an absolute time), not in bursts.
 *
 * The input topics must stamp records with the broker's clock
 * (message.timestamp.type=LogAppendTime; --create-topics makes them so, and
 * the output topics too): the delivery report then carries the append time,
 * and the tool refuses to report when it does not. For each alert that
 * names, among its
 * evidence_event_ids, events this run sent:
 *     latency = receipt wall time - the latest append time of those events
 * Alerts naming none of them (R01 agency-year deadlines and the like) are
 * counted and left out. Both clocks are this machine's CLOCK_REALTIME (the
 * broker runs here), so no clock offset enters the figure.
 *
 * Most alerts are detected at the time of the event that raised them
 * (detected_at is that event's event_time); the others carry another time
 * (a deadline rule judging a late act, a window rule judging an earlier
 * snapshot again), and on a daemon whose clock is far past the events, all
 * the deadline alerts. All of them count in the figure; the first kind is
 * also reported alone ("event_time_alerts") as a cross-check.
 *
 * After the last send and its delivery report the tool waits until no alert
 * came for --idle-ms (or --drain-max-s passed), so a daemon that falls behind
 * the rate shows it in the tail of the distribution rather than in lost
 * alerts. One JSON object line goes to stdout, a table to stderr.
 *
 * Exit status: 0 measured, 1 a Kafka or input failure (or no delivery
 * report with a broker append time), 2 bad arguments or configuration.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "arena.h"
#include "cli.h"
#include "config.h"
#include "record.h"
#include "consumers/avro_decode.h"
#include "consumers/jsonl_reader.h"
#include "producers/avro_encode.h"
#include "schemas/schema_registry.h"

#define LAT_META_TIMEOUT_MS 15000

static const char lat_usage[] =
    "usage: ew_bench_latency --config FILE [--rate N] [--count N]\n"
    "                        [--duration S] [--idle-ms MS] [--drain-max-s S]\n"
    "                        EVENTS.jsonl\n"
    "       ew_bench_latency --config FILE --create-topics\n"
    "\n"
    "Sends the events of the file (reference lines are skipped: send them\n"
    "first) at N per second (default 5000) to the topics of the config, for\n"
    "--count events or --duration seconds (default: the whole file), and\n"
    "measures for each alert read (read_committed) the time since the broker\n"
    "appended the latest event of this run that it names as evidence.\n"
    "--create-topics creates the event and output topics with\n"
    "message.timestamp.type=LogAppendTime (run it before `enforcewatch topics\n"
    "create`, which leaves existing topics alone).\n";

static volatile sig_atomic_t lat_signal;

static void lat_on_signal(int sig) {
  (void)sig;
  lat_signal = 1;
}

static int64_t lat_mono_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t lat_real_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* One event to send; strings and value are offsets into lat.pool. */
typedef struct lat_event {
  size_t id_off, key_off, key_len, val_off, val_len;
  const char *topic; /* owned by the configuration */
  ew_time event_time;
  int64_t append_ms; /* broker append time from the delivery report; -1 */
} lat_event;

/* One alert naming events of this run. */
typedef struct lat_alert {
  int64_t recv_us; /* CLOCK_REALTIME at receipt */
  ew_time detected_at;
  size_t idx_off, nidx; /* into lat.idx: indexes of lat.ev */
} lat_alert;

typedef struct lat {
  ew_config cfg;
  ew_schemas *schemas;
  ew_encoder *enc;
  ew_decoder *dec;
  ew_arena arena;   /* the main thread's (loading) */
  ew_arena c_arena; /* the consumer thread's */
  int64_t limit;    /* events to load at most */

  char *pool;
  size_t pool_len, pool_cap;
  lat_event *ev;
  size_t nev, cap_ev;
  int64_t nrefs, nbad;
  size_t *ht; /* event_id -> index + 1; 0 empty */
  size_t ht_cap;

  rd_kafka_t *cons, *prod;
  pthread_t thread;
  int thread_started;
  atomic_int stop;
  atomic_llong last_recv_us; /* CLOCK_MONOTONIC, us; 0 none yet */
  atomic_llong nseen;        /* alert records read */
  int64_t nforeign;          /* alerts naming no event of this run */
  struct {
    char rule[16];
    int64_t n;
  } foreign[64]; /* ... by rule_id */
  size_t nforeign_rules;
  int64_t ndecode_err;
  lat_alert *al;
  size_t nal, cap_al;
  size_t *idx;
  size_t nidx, cap_idx;
  int consumer_failed;

  int64_t delivered, failed, create_time_stamps;
} lat;

static int lat_grow(void **v, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap)
    return 0;
  size_t c = *cap ? *cap : 1024;
  while (c < need)
    c *= 2;
  void *p = realloc(*v, c * elem);
  if (!p)
    return -1;
  *v = p;
  *cap = c;
  return 0;
}

static int lat_pool_add(lat *l, const void *p, size_t n, size_t *off) {
  if (lat_grow((void **)&l->pool, &l->pool_cap, l->pool_len + n + 1, 1) != 0)
    return -1;
  memcpy(l->pool + l->pool_len, p, n);
  l->pool[l->pool_len + n] = '\0';
  *off = l->pool_len;
  l->pool_len += n + 1;
  return 0;
}

static uint64_t lat_hash(const char *s) {
  uint64_t h = 1469598103934665603ULL; /* FNV-1a */
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

static int lat_index(lat *l) {
  l->ht_cap = 16;
  while (l->ht_cap < 2 * l->nev)
    l->ht_cap *= 2;
  l->ht = calloc(l->ht_cap, sizeof *l->ht);
  if (!l->ht)
    return -1;
  for (size_t i = 0; i < l->nev; i++) {
    size_t h = lat_hash(l->pool + l->ev[i].id_off) & (l->ht_cap - 1);
    while (l->ht[h])
      h = (h + 1) & (l->ht_cap - 1);
    l->ht[h] = i + 1;
  }
  return 0;
}

/* The index of the event with `id` sent by this run, or -1. A duplicate
 * event_id in the input finds the first such event. */
static ptrdiff_t lat_find(const lat *l, const char *id) {
  size_t h = lat_hash(id) & (l->ht_cap - 1);
  while (l->ht[h]) {
    size_t i = l->ht[h] - 1;
    if (strcmp(l->pool + l->ev[i].id_off, id) == 0)
      return (ptrdiff_t)i;
    h = (h + 1) & (l->ht_cap - 1);
  }
  return -1;
}

/* The Kafka key of contract §2 of an event (as cmd_send.c's send_key). */
static const char *lat_key(const ew_record *rec) {
  switch (rec->kind) {
  case EW_REC_INSPECTION:
    return rec->u.inspection.enterprise_uscc;
  case EW_REC_COMPLAINT:
    return rec->u.complaint.complaint_id;
  case EW_REC_PENALTY:
    return rec->u.penalty.enterprise_uscc;
  case EW_REC_FEEDBACK:
    return rec->u.feedback.notice_id;
  default:
    return NULL;
  }
}

/* ---- loading (an ew_cli_line_fn) ---- */

static int lat_line(void *ud, const char *name, int64_t lineno,
                    const char *line, size_t len) {
  lat *l = ud;
  char errstr[512];
  ew_record rec;
  int tombstone = 0;
  const void *val = NULL;
  size_t val_len = 0;
  if (l->limit > 0 && (int64_t)l->nev >= l->limit)
    return -1; /* enough: stop reading */
  ew_arena_reset(&l->arena);
  int rc = ew_jsonl_parse(line, len, &rec, &tombstone, &l->arena, errstr,
                          sizeof errstr);
  if (rc == 1)
    return 0;
  if (rc != 0) {
    ew_cli_bad_line(name, lineno, errstr, &l->nbad);
    return 0;
  }
  if (!ew_rkind_is_event(rec.kind)) {
    l->nrefs++;
    return 0;
  }
  const char *topic = ew_config_topic_of(&l->cfg, rec.kind);
  const char *key = lat_key(&rec), *id = ew_record_event_id(&rec);
  if (!topic || !key || !id) {
    ew_cli_bad_line(name, lineno, "no topic, key or event_id", &l->nbad);
    return 0;
  }
  if (ew_encode(l->enc, &rec, &val, &val_len, errstr, sizeof errstr) != 0) {
    ew_cli_bad_line(name, lineno, errstr, &l->nbad);
    return 0;
  }
  if (lat_grow((void **)&l->ev, &l->cap_ev, l->nev + 1, sizeof *l->ev) != 0)
    goto oom;
  lat_event *e = &l->ev[l->nev];
  e->topic = topic;
  e->event_time = ew_record_event_time(&rec);
  e->append_ms = -1;
  e->key_len = strlen(key);
  e->val_len = val_len;
  if (lat_pool_add(l, id, strlen(id), &e->id_off) != 0 ||
      lat_pool_add(l, key, e->key_len, &e->key_off) != 0 ||
      lat_pool_add(l, val, val_len, &e->val_off) != 0)
    goto oom;
  l->nev++;
  return 0;
oom:
  fprintf(stderr, "latency: out of memory\n");
  return -1;
}

/* ---- the alert reader (its own thread) ---- */

static void lat_on_alert(lat *l, const rd_kafka_message_t *m, int64_t recv) {
  char errstr[512];
  ew_record rec;
  atomic_fetch_add(&l->nseen, 1);
  if (!m->payload)
    return;
  ew_arena_reset(&l->c_arena);
  if (ew_decode(l->dec, m->payload, m->len, EW_REC_ALERT, &rec, &l->c_arena,
                errstr, sizeof errstr) != EW_DECODE_OK) {
    if (!l->ndecode_err++)
      fprintf(stderr, "latency: an alert does not decode: %s\n", errstr);
    return;
  }
  const ew_alert *a = &rec.u.alert;
  size_t first = l->nidx, n = 0;
  for (size_t i = 0; i < a->evidence_event_ids.n; i++) {
    ptrdiff_t k = lat_find(l, a->evidence_event_ids.v[i]);
    if (k < 0)
      continue;
    if (lat_grow((void **)&l->idx, &l->cap_idx, l->nidx + 1, sizeof *l->idx))
      goto oom;
    l->idx[l->nidx++] = (size_t)k;
    n++;
  }
  if (n == 0) {
    size_t r = 0;
    l->nforeign++;
    while (r < l->nforeign_rules && strncmp(l->foreign[r].rule, a->rule_id,
                                            sizeof l->foreign[r].rule - 1) != 0)
      r++;
    if (r == l->nforeign_rules && r < sizeof l->foreign / sizeof *l->foreign) {
      snprintf(l->foreign[r].rule, sizeof l->foreign[r].rule, "%s", a->rule_id);
      l->nforeign_rules++;
    }
    if (r < l->nforeign_rules)
      l->foreign[r].n++;
    return;
  }
  if (lat_grow((void **)&l->al, &l->cap_al, l->nal + 1, sizeof *l->al) != 0)
    goto oom;
  l->al[l->nal++] = (lat_alert){recv, a->detected_at, first, n};
  return;
oom:
  fprintf(stderr, "latency: out of memory\n");
  l->consumer_failed = 1;
}

static void *lat_consume(void *arg) {
  lat *l = arg;
  while (!atomic_load(&l->stop) && !l->consumer_failed) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(l->cons, 20);
    if (!m)
      continue;
    /* Taken before anything else: the alert is ours from this moment. */
    int64_t recv = lat_real_us();
    if (m->err) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        fprintf(stderr, "latency: alerts: %s\n", rd_kafka_message_errstr(m));
        if (m->err == RD_KAFKA_RESP_ERR__FATAL)
          l->consumer_failed = 1;
      }
    } else {
      lat_on_alert(l, m, recv);
      atomic_store(&l->last_recv_us, lat_mono_us());
    }
    rd_kafka_message_destroy(m);
  }
  return NULL;
}

/* Assigns every partition of the alert topic at its current end. */
static int lat_consumer_start(lat *l) {
  static const char *const post[] = {"group.id",
                                     "ew-bench-latency",
                                     "enable.auto.commit",
                                     "false",
                                     "isolation.level",
                                     "read_committed",
                                     "fetch.wait.max.ms",
                                     "10",
                                     NULL};
  char errstr[512];
  const struct rd_kafka_metadata *md = NULL;
  rd_kafka_topic_partition_list_t *parts = NULL;
  int rc = -1;
  const char *topic = l->cfg.topics.alerts;
  rd_kafka_conf_t *conf = ew_cli_kafka_conf(&l->cfg, "latency", NULL, post);
  if (!conf)
    return -1;
  l->cons = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (!l->cons) {
    fprintf(stderr, "latency: kafka: %s\n", errstr);
    rd_kafka_conf_destroy(conf);
    return -1;
  }
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(l->cons, 1, NULL, &md, LAT_META_TIMEOUT_MS);
  if (err) {
    fprintf(stderr, "latency: metadata: %s\n", rd_kafka_err2str(err));
    return -1;
  }
  const struct rd_kafka_metadata_topic *t = NULL;
  for (int i = 0; i < md->topic_cnt; i++)
    if (strcmp(md->topics[i].topic, topic) == 0)
      t = &md->topics[i];
  if (!t || t->err || t->partition_cnt == 0) {
    fprintf(stderr, "latency: %s: %s\n", topic,
            t && t->err ? rd_kafka_err2str(t->err) : "no such topic");
    goto out;
  }
  parts = rd_kafka_topic_partition_list_new(t->partition_cnt);
  for (int i = 0; i < t->partition_cnt; i++) {
    int64_t lo, hi;
    err = rd_kafka_query_watermark_offsets(l->cons, topic, t->partitions[i].id,
                                           &lo, &hi, LAT_META_TIMEOUT_MS);
    if (err) {
      fprintf(stderr, "latency: %s: %s\n", topic, rd_kafka_err2str(err));
      goto out;
    }
    rd_kafka_topic_partition_list_add(parts, topic, t->partitions[i].id)
        ->offset = hi;
  }
  err = rd_kafka_assign(l->cons, parts);
  if (err) {
    fprintf(stderr, "latency: assign: %s\n", rd_kafka_err2str(err));
    goto out;
  }
  if (pthread_create(&l->thread, NULL, lat_consume, l) != 0) {
    fprintf(stderr, "latency: cannot start the reader thread\n");
    goto out;
  }
  l->thread_started = 1;
  rc = 0;
out:
  if (parts)
    rd_kafka_topic_partition_list_destroy(parts);
  rd_kafka_metadata_destroy(md);
  return rc;
}

/* ---- the sender ---- */

static void lat_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m,
                      void *opaque) {
  lat *l = opaque;
  size_t i = (size_t)(uintptr_t)m->_private - 1;
  (void)rk;
  if (m->err) {
    if (!l->failed++)
      fprintf(stderr, "latency: delivery failed: %s\n",
              rd_kafka_err2str(m->err));
    return;
  }
  rd_kafka_timestamp_type_t tstype;
  int64_t ts = rd_kafka_message_timestamp(m, &tstype);
  if (tstype != RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME)
    l->create_time_stamps++;
  l->ev[i].append_ms = ts;
  l->delivered++;
}

static int lat_producer_start(lat *l) {
  /* A small linger: the pace, not the batching, decides when a record
   * leaves; the latency is counted from the broker's append anyway. */
  static const char *const pre[] = {"linger.ms", "1", "partitioner",
                                    "murmur2_random", NULL};
  static const char *const post[] = {"enable.idempotence", "true", NULL};
  char errstr[512];
  rd_kafka_conf_t *conf = ew_cli_kafka_conf(&l->cfg, "latency", pre, post);
  if (!conf)
    return -1;
  rd_kafka_conf_set_opaque(conf, l);
  rd_kafka_conf_set_dr_msg_cb(conf, lat_dr_cb);
  l->prod = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!l->prod) {
    fprintf(stderr, "latency: kafka: %s\n", errstr);
    rd_kafka_conf_destroy(conf);
    return -1;
  }
  /* Connected before the clock starts. */
  const struct rd_kafka_metadata *md = NULL;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(l->prod, 1, NULL, &md, LAT_META_TIMEOUT_MS);
  if (err) {
    fprintf(stderr, "latency: metadata: %s\n", rd_kafka_err2str(err));
    return -1;
  }
  rd_kafka_metadata_destroy(md);
  return 0;
}

static int lat_produce(lat *l, size_t i) {
  lat_event *e = &l->ev[i];
  for (;;) {
    rd_kafka_resp_err_t err = rd_kafka_producev(
        l->prod, RD_KAFKA_V_TOPIC(e->topic),
        RD_KAFKA_V_KEY(l->pool + e->key_off, e->key_len),
        RD_KAFKA_V_VALUE(l->pool + e->val_off, e->val_len),
        RD_KAFKA_V_OPAQUE((void *)(uintptr_t)(i + 1)), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
      return 0;
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      fprintf(stderr, "latency: produce: %s\n", rd_kafka_err2str(err));
      return -1;
    }
    rd_kafka_poll(l->prod, 1);
  }
}

/* Sends every loaded event at its slot; returns 0 or -1. *max_lag_us: how
 * far behind its slot the latest send was. */
static int lat_send(lat *l, double rate, double *secs, int64_t *max_lag_us) {
  int64_t t0 = lat_mono_us();
  *max_lag_us = 0;
  size_t i = 0;
  while (i < l->nev && !lat_signal) {
    int64_t now = lat_mono_us();
    while (i < l->nev) {
      int64_t due = t0 + (int64_t)((double)i * 1e6 / rate);
      if (due > now)
        break;
      if (now - due > *max_lag_us)
        *max_lag_us = now - due;
      /* The value stays in the pool until the end: no copy needed. */
      if (lat_produce(l, i) != 0)
        return -1;
      i++;
    }
    rd_kafka_poll(l->prod, 0);
    if (i < l->nev) {
      int64_t due = t0 + (int64_t)((double)i * 1e6 / rate);
      struct timespec ts = {(time_t)(due / 1000000),
                            (long)(due % 1000000) * 1000};
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    }
  }
  *secs = (double)(lat_mono_us() - t0) / 1e6;
  return lat_signal ? -1 : 0;
}

/* ---- topics ---- */

/* Creates the event topics and the topics the daemon writes, all stamped
 * with the broker's append time: the event topics so that a delivery report
 * carries the append time, the others because bench.sh runs the daemon on
 * a fake clock set in 2025, and a topic keeping the producer's time would
 * roll a segment at every append (and delete it by time retention) for
 * records that old. Otherwise as `enforcewatch topics create` makes them;
 * it leaves these alone afterwards and creates the reference topics. */
static int lat_create_topics(lat *l) {
  const ew_topics *t = &l->cfg.topics;
  const char *names[] = {t->inspections, t->complaints, t->penalties,
                         t->feedback,    t->alerts,     t->notices,
                         t->stats,       t->deadletter, t->progress};
  enum { NT = sizeof names / sizeof names[0] };
  rd_kafka_NewTopic_t *nt[NT] = {0};
  char errstr[512], dl_max[32];
  int rc = -1;
  rd_kafka_queue_t *q = NULL;
  rd_kafka_event_t *ev = NULL;
  rd_kafka_conf_t *conf = ew_cli_kafka_conf(&l->cfg, "latency", NULL, NULL);
  if (!conf)
    return -1;
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) {
    fprintf(stderr, "latency: kafka: %s\n", errstr);
    rd_kafka_conf_destroy(conf);
    return -1;
  }
  snprintf(dl_max, sizeof dl_max, "%lld",
           (long long)ew_config_deadletter_max_bytes(&l->cfg));
  for (int i = 0; i < NT; i++) {
    int progress = names[i] == t->progress;
    snprintf(errstr, sizeof errstr, "bad topic settings");
    nt[i] = rd_kafka_NewTopic_new(
        names[i], progress ? 1 : (int)l->cfg.topic_partitions,
        (int)l->cfg.topic_replication, errstr, sizeof errstr);
    if (!nt[i] ||
        rd_kafka_NewTopic_set_config(nt[i], "message.timestamp.type",
                                     "LogAppendTime") ||
        (progress &&
         (rd_kafka_NewTopic_set_config(nt[i], "cleanup.policy", "compact") ||
          rd_kafka_NewTopic_set_config(nt[i], "segment.ms", "3600000") ||
          rd_kafka_NewTopic_set_config(nt[i], "segment.bytes", "1048576"))) ||
        (names[i] == t->deadletter &&
         rd_kafka_NewTopic_set_config(nt[i], "max.message.bytes", dl_max))) {
      fprintf(stderr, "latency: %s: %s\n", names[i], errstr);
      goto out;
    }
  }
  q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, nt, NT, NULL, q);
  ev = rd_kafka_queue_poll(q, 60000);
  if (!ev || rd_kafka_event_error(ev)) {
    fprintf(stderr, "latency: create topics: %s\n",
            ev ? rd_kafka_event_error_string(ev) : "no answer");
    goto out;
  }
  size_t n = 0;
  const rd_kafka_topic_result_t **tr = rd_kafka_CreateTopics_result_topics(
      rd_kafka_event_CreateTopics_result(ev), &n);
  rc = 0;
  for (size_t i = 0; i < n; i++) {
    rd_kafka_resp_err_t err = rd_kafka_topic_result_error(tr[i]);
    const char *name = rd_kafka_topic_result_name(tr[i]);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      printf("created %s (LogAppendTime)\n", name);
    } else if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      printf("exists  %s (its timestamp type is left as it is)\n", name);
    } else {
      printf("failed  %s: %s\n", name, rd_kafka_err2str(err));
      rc = -1;
    }
  }
out:
  if (ev)
    rd_kafka_event_destroy(ev);
  if (q)
    rd_kafka_queue_destroy(q);
  for (int i = 0; i < NT; i++)
    if (nt[i])
      rd_kafka_NewTopic_destroy(nt[i]);
  rd_kafka_destroy(rk);
  return rc;
}

/* ---- the figures ---- */

static int lat_cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v[0..n-1]. */
static double lat_pct(const double *v, size_t n, double p) {
  if (n == 0)
    return -1;
  size_t r = (size_t)(p / 100.0 * (double)n + 0.999999);
  if (r < 1)
    r = 1;
  if (r > n)
    r = n;
  return v[r - 1];
}

typedef struct lat_dist {
  size_t n;
  double p50, p90, p99, max, mean;
} lat_dist;

static lat_dist lat_summary(double *v, size_t n) {
  lat_dist d = {n, -1, -1, -1, -1, -1};
  if (n == 0)
    return d;
  qsort(v, n, sizeof *v, lat_cmp);
  double sum = 0;
  for (size_t i = 0; i < n; i++)
    sum += v[i];
  d.p50 = lat_pct(v, n, 50);
  d.p90 = lat_pct(v, n, 90);
  d.p99 = lat_pct(v, n, 99);
  d.max = v[n - 1];
  d.mean = sum / (double)n;
  return d;
}

static void lat_print_dist(const char *name, const lat_dist *d) {
  printf("\"%s\": {\"count\": %zu, \"p50_ms\": %.1f, \"p90_ms\": %.1f, "
         "\"p99_ms\": %.1f, \"max_ms\": %.1f, \"mean_ms\": %.1f}",
         name, d->n, d->p50, d->p90, d->p99, d->max, d->mean);
}

/* ---- main ---- */

static int lat_num(const char *opt, const char *s, double min, double *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || end == s || *end || v < min) {
    fprintf(stderr, "latency: --%s: bad number '%s'\n", opt, s);
    return -1;
  }
  *out = v;
  return 0;
}

int main(int argc, char **argv) {
  const char *config_path = NULL, *rate_arg = NULL, *count_arg = NULL;
  const char *dur_arg = NULL, *idle_arg = NULL, *drain_arg = NULL;
  int create = 0;
  const ew_cli_opt opts[] = {
      {"config", &config_path, NULL},  {"rate", &rate_arg, NULL},
      {"count", &count_arg, NULL},     {"duration", &dur_arg, NULL},
      {"idle-ms", &idle_arg, NULL},    {"drain-max-s", &drain_arg, NULL},
      {"create-topics", NULL, &create}};
  double rate = 5000, count = 0, duration = 0, idle_ms = 5000, drain_s = 300;
  lat l;
  int rc = EW_EXIT_FAIL;
  double *v = NULL, *v_ev = NULL;

  memset(&l, 0, sizeof l);
  int n = ew_cli_parse(argc, argv, opts, sizeof opts / sizeof opts[0]);
  if (n == EW_CLI_HELP) {
    fputs(lat_usage, stdout);
    return EW_EXIT_OK;
  }
  if (n >= 0 && ((create && n != 0) || (!create && n != 1))) {
    fprintf(stderr, "latency: expected %s\n",
            create ? "no file with --create-topics" : "one events file");
    n = -1;
  }
  if (n < 0 || (rate_arg && lat_num("rate", rate_arg, 1, &rate) != 0) ||
      (count_arg && lat_num("count", count_arg, 1, &count) != 0) ||
      (dur_arg && lat_num("duration", dur_arg, 0.001, &duration) != 0) ||
      (idle_arg && lat_num("idle-ms", idle_arg, 100, &idle_ms) != 0) ||
      (drain_arg && lat_num("drain-max-s", drain_arg, 1, &drain_s) != 0)) {
    fputs(lat_usage, stderr);
    return EW_EXIT_USAGE;
  }
  if (ew_cli_config(&l.cfg, "latency", config_path) != 0)
    return EW_EXIT_USAGE;
  if (create) {
    rc = lat_create_topics(&l) == 0 ? EW_EXIT_OK : EW_EXIT_FAIL;
    goto out;
  }
  l.limit = (int64_t)count;
  if (duration > 0 && (l.limit == 0 || rate * duration < (double)l.limit))
    l.limit = (int64_t)(rate * duration + 0.5);
  if (ew_cli_schemas(&l.cfg, "latency", &l.schemas) != 0)
    goto out;
  if (ew_encoder_new(&l.enc, l.schemas) != 0 ||
      ew_decoder_new(&l.dec, l.schemas, 0) != 0) {
    fprintf(stderr, "latency: cannot create the Avro encoder or decoder\n");
    goto out;
  }
  /* -1 from the reader after the limit is reached is not a failure. */
  if (ew_cli_each_line("latency", argv[1], lat_line, &l) != 0 &&
      (l.limit == 0 || (int64_t)l.nev < l.limit))
    goto out;
  if (l.nbad > 0 || l.nev == 0) {
    fprintf(stderr, "latency: %" PRId64 " bad lines, %zu events\n", l.nbad,
            l.nev);
    goto out;
  }
  if (lat_index(&l) != 0) {
    fprintf(stderr, "latency: out of memory\n");
    goto out;
  }
  fprintf(stderr,
          "latency: %zu events loaded (%.1f MB encoded; %" PRId64
          " reference lines skipped); sending at %.0f/s for %.1f s\n",
          l.nev, (double)l.pool_len / 1e6, l.nrefs, rate, (double)l.nev / rate);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = lat_on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  if (lat_consumer_start(&l) != 0 || lat_producer_start(&l) != 0)
    goto out;
  /* Lets the reader's fetcher reach the partition leader first. */
  struct timespec settle = {1, 0};
  nanosleep(&settle, NULL);

  double send_s = 0;
  int64_t max_lag_us = 0;
  if (lat_send(&l, rate, &send_s, &max_lag_us) != 0)
    goto out;
  rd_kafka_flush(l.prod, 120000);
  int64_t sent_done = lat_mono_us();
  if (l.delivered != (int64_t)l.nev) {
    fprintf(stderr, "latency: %" PRId64 " of %zu events delivered\n",
            l.delivered, l.nev);
    goto out;
  }
  if (l.create_time_stamps > 0) {
    fprintf(stderr,
            "latency: %" PRId64 " delivery reports carry no broker append "
            "time: create the input topics with --create-topics\n",
            l.create_time_stamps);
    goto out;
  }
  /* Until the alerts stop coming. */
  while (!lat_signal && !l.consumer_failed) {
    int64_t now = lat_mono_us(), last = atomic_load(&l.last_recv_us);
    if (last < sent_done)
      last = sent_done;
    if (now - last >= (int64_t)(idle_ms * 1000) ||
        now - sent_done >= (int64_t)(drain_s * 1e6))
      break;
    struct timespec ts = {0, 50000000};
    nanosleep(&ts, NULL);
  }
  atomic_store(&l.stop, 1);
  pthread_join(l.thread, NULL);
  l.thread_started = 0;
  if (l.consumer_failed || lat_signal)
    goto out;
  double last_alert_s =
      atomic_load(&l.last_recv_us) > sent_done
          ? (double)(atomic_load(&l.last_recv_us) - sent_done) / 1e6
          : 0;

  v = malloc((l.nal + 1) * sizeof *v);
  v_ev = malloc((l.nal + 1) * sizeof *v_ev);
  if (!v || !v_ev) {
    fprintf(stderr, "latency: out of memory\n");
    goto out;
  }
  size_t nv = 0, nv_ev = 0;
  for (size_t i = 0; i < l.nal; i++) {
    const lat_alert *a = &l.al[i];
    int64_t newest = -1;
    int at_event = 0;
    for (size_t j = 0; j < a->nidx; j++) {
      const lat_event *e = &l.ev[l.idx[a->idx_off + j]];
      if (e->append_ms > newest)
        newest = e->append_ms;
      if (e->event_time == a->detected_at)
        at_event = 1;
    }
    double ms = (double)a->recv_us / 1000.0 - (double)newest;
    v[nv++] = ms;
    if (at_event)
      v_ev[nv_ev++] = ms;
  }
  lat_dist all = lat_summary(v, nv), ev = lat_summary(v_ev, nv_ev);
  fprintf(stderr,
          "latency: %zu events sent in %.2f s (%.0f/s, at most %.1f ms behind "
          "the schedule); %lld alerts read, %zu name events of this run, "
          "%" PRId64 " name none; the last alert came %.1f s after the last "
          "send\n",
          l.nev, send_s, (double)l.nev / send_s, (double)max_lag_us / 1000.0,
          (long long)atomic_load(&l.nseen), l.nal, l.nforeign, last_alert_s);
  fprintf(stderr, "latency: %-22s %7s %9s %9s %9s %9s\n", "alerts", "count",
          "p50 ms", "p90 ms", "p99 ms", "max ms");
  fprintf(stderr, "latency: %-22s %7zu %9.1f %9.1f %9.1f %9.1f\n",
          "naming our events", all.n, all.p50, all.p90, all.p99, all.max);
  fprintf(stderr, "latency: %-22s %7zu %9.1f %9.1f %9.1f %9.1f\n",
          "detected at event time", ev.n, ev.p50, ev.p90, ev.p99, ev.max);
  printf("{\"rate_target\": %.0f, \"events_sent\": %zu, \"send_s\": %.3f, "
         "\"rate_achieved\": %.1f, \"max_send_lag_ms\": %.1f, "
         "\"alerts_read\": %lld, \"alerts_foreign\": %" PRId64
         ", \"decode_errors\": %" PRId64
         ", \"last_alert_after_send_s\": %.3f, ",
         rate, l.nev, send_s, (double)l.nev / send_s,
         (double)max_lag_us / 1000.0, (long long)atomic_load(&l.nseen),
         l.nforeign, l.ndecode_err, last_alert_s);
  lat_print_dist("alerts", &all);
  printf(", ");
  lat_print_dist("event_time_alerts", &ev);
  printf(", \"alerts_foreign_by_rule\": {");
  for (size_t r = 0; r < l.nforeign_rules; r++)
    printf("%s\"%s\": %" PRId64, r ? ", " : "", l.foreign[r].rule,
           l.foreign[r].n);
  printf("}}\n");
  rc = all.n > 0 ? EW_EXIT_OK : EW_EXIT_FAIL;
  if (all.n == 0)
    fprintf(stderr, "latency: no alert named an event of this run\n");

out:
  if (l.thread_started) {
    atomic_store(&l.stop, 1);
    pthread_join(l.thread, NULL);
  }
  if (l.cons) {
    rd_kafka_consumer_close(l.cons);
    rd_kafka_destroy(l.cons);
  }
  if (l.prod) {
    rd_kafka_flush(l.prod, 5000);
    rd_kafka_destroy(l.prod);
  }
  free(v);
  free(v_ev);
  free(l.pool);
  free(l.ev);
  free(l.ht);
  free(l.al);
  free(l.idx);
  ew_encoder_destroy(l.enc);
  ew_decoder_destroy(l.dec);
  ew_schemas_destroy(l.schemas);
  ew_config_free(&l.cfg);
  ew_arena_free(&l.arena);
  ew_arena_free(&l.c_arena);
  return rc;
}
