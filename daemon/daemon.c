/*
 * daemon.c - the enforcewatchd loop (see daemon.h for its steps).
 *
 * Ordering and commits. SQLite is the source of truth: one transaction per
 * batch holds the state changes, every consumed partition's next offset and
 * the outbox rows of the outputs, so a crash at any instant rolls them back
 * together, and a restarted daemon resumes at the offsets SQLite holds (the
 * consumers seed them on assignment) and re-sends the outbox. Kafka's
 * committed offsets only matter to an instance that has no state for a
 * partition; they are stored and committed (asynchronously, synchronously
 * on revoke and at shutdown) only once every outbox row of the batch and of
 * all earlier batches is delivered, which a FIFO of committed batches keyed
 * by their last outbox seq tracks. At start its head is a barrier at the
 * last seq the previous run left in the outbox: the input behind those rows
 * is in SQLite but was never committed to Kafka.
 *
 * Failure. A store, engine or emit failure rolls the batch back, seeks the
 * consumers back to the batch's first offsets and pauses (1 s doubling to
 * 30 s) before the retry. A message that fails the engine on its own several
 * times in a row is a poison pill: it is dead-lettered with ENGINE_ERROR so
 * that its partition moves on; if even that cannot be written the store is
 * broken and the retries go on, loudly. A storage fault (ew_store_fault:
 * disk full, I/O error, ...) is never the message's: it is not counted, and
 * the retries go on until the fault passes, while neither SQLite nor Kafka
 * records an offset past the saved work; a corrupt state file cannot heal by
 * waiting, so the daemon then exits with status 1.
 *
 * Rebalance. The revoke hook runs inside the consumer's poll, possibly in the
 * middle of a batch: it commits the open batch (the local state is valid
 * whoever owns the partition next), and unless the partitions were lost it
 * flushes the producer briefly and commits the delivered offsets
 * synchronously so the next owner starts where this one stopped.
 */
#include "daemon.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "../consumers/avro_decode.h"
#include "../consumers/kafka_consumer.h"
#include "../producers/avro_encode.h"
#include "../producers/deadletter.h"
#include "../producers/kafka_producer.h"
#include "../schemas/schema_registry.h"
#include "arena.h"
#include "engine.h"
#include "log.h"
#include "rules_config_store.h"
#include "store.h"

#define STATS_INTERVAL_MS 60000
#define REFRESH_INTERVAL_MS 30000
#define BOOTSTRAP_LOG_MS 5000
#define BOOTSTRAP_REFRESH_MS 2000
#define REVOKE_FLUSH_MS 5000
/* Event consumers replaced after a fatal client error before the daemon
 * gives up (fatal_error). */
#define EVENTS_RECREATE_MAX 5
#define EVENTS_RECREATE_WINDOW_MS 600000
/* The retry pause and the poison limit may be lowered by a test build.
 * POISON_LIMIT: failures of one message before it is dead-lettered. */
#ifndef PAUSE_MIN_MS
#define PAUSE_MIN_MS 1000
#endif
#ifndef PAUSE_MAX_MS
#define PAUSE_MAX_MS 30000
#endif
#ifndef POISON_LIMIT
#define POISON_LIMIT 5
#endif
#define FIFO_MAX 256 /* pending batches; beyond it the newest are merged */

volatile sig_atomic_t ew_daemon_stop_signal;

/* One partition read in the current batch. */
typedef struct part_pos {
  const char *topic; /* the configured topic string */
  int32_t partition;
  int64_t first; /* offset of the batch's first message */
  int64_t next;  /* offset after its last message */
  int is_ref;
} part_pos;

/* A committed batch whose Kafka offsets wait for its outputs' delivery. */
typedef struct pending {
  int64_t need_seq; /* every outbox row <= it must be delivered; -1 none */
  part_pos *parts;  /* event partitions only; .next is what to commit */
  size_t n;
} pending;

typedef struct counters {
  uint64_t events, refs, tombstones, dead, alerts, notices, stats;
} counters;

struct ew_daemon {
  const ew_config *cfg;
  ew_store *store;
  ew_schemas *schemas;
  ew_decoder *dec;
  ew_encoder *enc;
  ew_engine *engine;
  ew_kafka_producer *prod;
  ew_kafka_consumer *events, *refs;
  ew_arena arena;

  /* the open batch */
  int batch_open;
  part_pos *bparts;
  size_t nbparts, capbparts;
  int64_t batch_last_seq; /* -1: no output yet */
  counters bc;            /* counted into `total` at commit */
  char failmsg[512];      /* why the batch failed (engine, emit, store) */
  int engine_failed;      /* ... and it was the engine on one message */

  pending *fifo;
  size_t fhead, fn, fcap;

  /* retry after a failed batch */
  int64_t pause_until;
  int retries;
  struct {
    const char *topic;
    int32_t partition;
    int64_t offset;
    int count;
    char why[512];
  } poison;

  int stopping;
  int events_recreated;          /* event consumers replaced (fatal_error) */
  int64_t events_recreate_since; /* ... counted since this monotonic ms */
  int rewind_failed;             /* no batch may be committed any more: exit */
  int store_fault; /* ew_store_fault that stopped consumption, 0 none */
  int store_fatal; /* ... and it cannot pass by waiting: exit */
  int64_t shutdown_deadline;
  int64_t next_tick, next_stats, next_refresh;
  counters total;
  uint64_t batches, failures;
};

/* ---- time ---- */

static int64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static ew_time wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (ew_time)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- signals ---- */

static void on_stop_signal(int sig) {
  /* The state file is crash-safe, so a second signal may cut it short. */
  if (ew_daemon_stop_signal)
    _exit(128 + sig);
  ew_daemon_stop_signal = sig;
}

static void on_alarm(int sig) {
  static const char msg[] =
      "enforcewatchd: graceful shutdown overran shutdown_timeout_ms; "
      "exiting now\n";
  (void)sig;
  ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
  (void)ignored;
  _exit(1);
}

int ew_daemon_install_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = on_stop_signal;
  if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0)
    return -1;
  sa.sa_handler = on_alarm;
  if (sigaction(SIGALRM, &sa, NULL) != 0)
    return -1;
  sa.sa_handler = SIG_IGN;
  return sigaction(SIGPIPE, &sa, NULL);
}

/* ---- outputs ---- */

/* The engine's emit callback: encode, then append to the outbox with the
 * contract key (§2) of the output's topic. */
static int emit(void *ud, const ew_record *out) {
  ew_daemon *d = ud;
  const char *topic = ew_config_topic_of(d->cfg, out->kind);
  const char *key = NULL;
  const void *buf;
  size_t len;
  char err[256];

  switch (out->kind) {
  case EW_REC_ALERT:
    key = out->u.alert.agency_uscc;
    break;
  case EW_REC_NOTICE:
    key = out->u.notice.recipient_agency_uscc;
    break;
  case EW_REC_STATS:
    key = out->u.stats.agency_uscc;
    break;
  default:
    topic = NULL;
    break;
  }
  if (!topic) {
    snprintf(d->failmsg, sizeof d->failmsg,
             "engine emitted a %s, not an output", ew_rkind_name(out->kind));
    return -1;
  }
  if (!key)
    key = ""; /* an alert without an agency: empty key, not a null one */
  if (ew_encode(d->enc, out, &buf, &len, err, sizeof err) != 0) {
    snprintf(d->failmsg, sizeof d->failmsg, "encoding a %s: %s",
             ew_rkind_name(out->kind), err);
    return -1;
  }
  ew_outbox_row row = {0, topic, key, strlen(key), buf, len, NULL, 0};
  int64_t seq;
  if (ew_store_outbox_append(d->store, &row, &seq) != 0) {
    snprintf(d->failmsg, sizeof d->failmsg, "outbox append: %s",
             ew_store_errmsg(d->store));
    return -1;
  }
  d->batch_last_seq = seq;
  if (out->kind == EW_REC_ALERT)
    d->bc.alerts++;
  else if (out->kind == EW_REC_NOTICE)
    d->bc.notices++;
  else
    d->bc.stats++;
  return 0;
}

static int dead_letter(ew_daemon *d, const rd_kafka_message_t *m,
                       const char *code, const char *why) {
  int64_t seq;
  if (ew_deadletter_append_message(d->store, d->cfg->topics.deadletter, m, code,
                                   why, &seq) != 0) {
    snprintf(d->failmsg, sizeof d->failmsg, "dead-letter append: %s",
             ew_store_errmsg(d->store));
    return -1;
  }
  d->batch_last_seq = seq;
  d->bc.dead++;
  ew_warn("dead letter: %s[%" PRId32 "]@%" PRId64 ": %s: %s",
          rd_kafka_topic_name(m->rkt), m->partition, m->offset, code, why);
  return 0;
}

/* ---- the batch ---- */

static int batch_begin(ew_daemon *d) {
  if (d->batch_open)
    return 0;
  if (d->rewind_failed) {
    snprintf(d->failmsg, sizeof d->failmsg, "stopping after a failed rewind");
    return -1;
  }
  if (ew_store_begin(d->store) != 0) {
    snprintf(d->failmsg, sizeof d->failmsg, "begin: %s",
             ew_store_errmsg(d->store));
    return -1;
  }
  d->batch_open = 1;
  d->engine_failed = 0;
  d->batch_last_seq = -1;
  memset(&d->bc, 0, sizeof d->bc);
  return 0;
}

static int track(ew_daemon *d, const char *topic, int32_t partition,
                 int64_t offset, int is_ref) {
  for (size_t i = 0; i < d->nbparts; i++)
    if (d->bparts[i].partition == partition && d->bparts[i].topic == topic) {
      d->bparts[i].next = offset + 1;
      return 0;
    }
  if (d->nbparts == d->capbparts) {
    size_t cap = d->capbparts ? d->capbparts * 2 : 16;
    part_pos *grown = realloc(d->bparts, cap * sizeof *grown);
    if (!grown) {
      snprintf(d->failmsg, sizeof d->failmsg, "out of memory");
      return -1;
    }
    d->bparts = grown;
    d->capbparts = cap;
  }
  d->bparts[d->nbparts++] =
      (part_pos){topic, partition, offset, offset + 1, is_ref};
  return 0;
}

/* Rewinds every partition of the failed batch to its first offset. If that
 * fails the consumer would go on past unsaved input and a later batch would
 * record offsets beyond it: the daemon stops instead, and the restart
 * resumes from the offsets in the state file. */
static void rewind_batch(ew_daemon *d) {
  int rc = 0;
  rd_kafka_topic_partition_list_t *ev = rd_kafka_topic_partition_list_new(8);
  rd_kafka_topic_partition_list_t *rf = rd_kafka_topic_partition_list_new(8);
  for (size_t i = 0; i < d->nbparts; i++)
    rd_kafka_topic_partition_list_add(d->bparts[i].is_ref ? rf : ev,
                                      d->bparts[i].topic,
                                      d->bparts[i].partition)
        ->offset = d->bparts[i].first;
  if (ev->cnt && d->events && ew_kafka_consumer_seek(d->events, ev) != 0)
    rc = -1;
  if (rf->cnt && d->refs && ew_kafka_consumer_seek(d->refs, rf) != 0)
    rc = -1;
  rd_kafka_topic_partition_list_destroy(ev);
  rd_kafka_topic_partition_list_destroy(rf);
  if (rc != 0 && !d->rewind_failed) {
    ew_err("cannot rewind the consumers after a failed batch; stopping so "
           "that the restart resumes from the state file");
    d->rewind_failed = 1;
  }
}

/* A storage fault (issue #6) is no message's fault: it never counts
 * towards the poison limit, and it is told once, with what to do, and then
 * only briefly per retry. A corrupt file cannot heal by waiting: the
 * daemon exits (fatal_error). */
static void store_fault_log(ew_daemon *d, int fault,
                            const rd_kafka_message_t *at, int64_t pause) {
  const char *path = d->cfg->state_path;
  char where[300] = "";
  if (at)
    snprintf(where, sizeof where, " (at %s[%" PRId32 "]@%" PRId64 ")",
             rd_kafka_topic_name(at->rkt), at->partition, at->offset);
  if (ew_store_fault_permanent(fault)) {
    d->store_fatal = 1;
    ew_err("state file %s: %s: %s%s; %s. Consumption stopped: the batch was "
           "rolled back and no offset moved past it; exiting",
           path, ew_store_fault_text(fault), d->failmsg, where,
           ew_store_fault_advice(fault));
  } else if (fault != d->store_fault) {
    ew_err("state file %s: %s: %s%s; %s. Consumption stopped: the batch was "
           "rolled back and no offset moved past it; retrying in %" PRId64
           " ms, then every %d s at most, and resuming by itself",
           path, ew_store_fault_text(fault), d->failmsg, where,
           ew_store_fault_advice(fault), pause, PAUSE_MAX_MS / 1000);
  } else {
    ew_warn("state file %s: still %s (attempt %d): %s%s; retrying in %" PRId64
            " ms",
            path, ew_store_fault_text(fault), d->retries, d->failmsg, where,
            pause);
  }
  d->store_fault = fault;
}

/* Rolls the batch back, rewinds the consumers and schedules the retry.
 * `at` is the message being processed when it failed (NULL-able). */
static void batch_fail(ew_daemon *d, const rd_kafka_message_t *at) {
  /* read before the rollback, which may fail and replace it */
  int fault = ew_store_fault(d->store);
  ew_store_rollback(d->store);
  d->batch_open = 0;
  rewind_batch(d);
  d->failures++;
  d->retries++;
  int64_t pause = PAUSE_MIN_MS;
  for (int i = 1; i < d->retries && pause < PAUSE_MAX_MS; i++)
    pause *= 2;
  if (pause > PAUSE_MAX_MS)
    pause = PAUSE_MAX_MS;
  d->pause_until = mono_ms() + pause;

  if (at && d->engine_failed && !fault) {
    const char *topic =
        ew_config_topic_of(d->cfg, (ew_rkind)ew_config_kind_of_topic(
                                       d->cfg, rd_kafka_topic_name(at->rkt)));
    if (d->poison.topic == topic && d->poison.partition == at->partition &&
        d->poison.offset == at->offset) {
      d->poison.count++;
    } else {
      d->poison.topic = topic;
      d->poison.partition = at->partition;
      d->poison.offset = at->offset;
      d->poison.count = 1;
    }
    snprintf(d->poison.why, sizeof d->poison.why, "%s", d->failmsg);
  }
  d->engine_failed = 0;
  if (fault) {
    store_fault_log(d, fault, at, pause);
  } else if (at) {
    ew_err("batch failed at %s[%" PRId32 "]@%" PRId64
           ": %s; rolled back, rewound, retrying in %" PRId64
           " ms (attempt %d)",
           rd_kafka_topic_name(at->rkt), at->partition, at->offset, d->failmsg,
           pause, d->retries);
  } else {
    ew_err("batch failed: %s; rolled back, rewound, retrying in %" PRId64
           " ms (attempt %d)",
           d->failmsg, pause, d->retries);
  }
  d->nbparts = 0;
}

static void fifo_push(ew_daemon *d, int64_t need) {
  size_t nev = 0;
  for (size_t i = 0; i < d->nbparts; i++)
    nev += !d->bparts[i].is_ref;
  if (nev == 0 && need < 0)
    return; /* nothing to commit and nothing to wait for */

  pending *last = d->fn > d->fhead ? &d->fifo[d->fn - 1] : NULL;
  if (last && d->fn - d->fhead >= FIFO_MAX) {
    /* Merge into the newest entry: it then waits for the later outputs
     * too, which delays its commit but never commits early. */
    if (need > last->need_seq)
      last->need_seq = need;
    part_pos *grown = realloc(last->parts, (last->n + nev) * sizeof *grown);
    if (!grown)
      return; /* only a Kafka commit is lost; SQLite has the offsets */
    last->parts = grown;
    for (size_t i = 0; i < d->nbparts; i++) {
      if (d->bparts[i].is_ref)
        continue;
      size_t j = 0;
      while (j < last->n &&
             !(last->parts[j].topic == d->bparts[i].topic &&
               last->parts[j].partition == d->bparts[i].partition))
        j++;
      if (j == last->n)
        last->n++;
      last->parts[j] = d->bparts[i];
    }
    return;
  }
  if (d->fn == d->fcap) {
    if (d->fhead > 0) {
      memmove(d->fifo, d->fifo + d->fhead,
              (d->fn - d->fhead) * sizeof *d->fifo);
      d->fn -= d->fhead;
      d->fhead = 0;
    } else {
      size_t cap = d->fcap ? d->fcap * 2 : 16;
      pending *grown = realloc(d->fifo, cap * sizeof *grown);
      if (!grown)
        return;
      d->fifo = grown;
      d->fcap = cap;
    }
  }
  pending *p = &d->fifo[d->fn];
  p->need_seq = need;
  p->n = 0;
  p->parts = nev ? malloc(nev * sizeof *p->parts) : NULL;
  if (nev && !p->parts)
    return;
  for (size_t i = 0; i < d->nbparts; i++)
    if (!d->bparts[i].is_ref)
      p->parts[p->n++] = d->bparts[i];
  d->fn++;
}

static void count_into(counters *to, const counters *from) {
  to->events += from->events;
  to->refs += from->refs;
  to->tombstones += from->tombstones;
  to->dead += from->dead;
  to->alerts += from->alerts;
  to->notices += from->notices;
  to->stats += from->stats;
}

/* Records the offsets, commits the batch, queues its Kafka commit. On
 * failure returns -1 with the transaction still open and failmsg set: the
 * caller calls batch_fail. */
static int batch_commit(ew_daemon *d, int64_t started) {
  if (!d->batch_open)
    return 0;
  /* The stats the batch changed go out with it, once per value. */
  if (ew_engine_flush_stats(d->engine) != 0) {
    if (!d->failmsg[0])
      snprintf(d->failmsg, sizeof d->failmsg, "stats: %s",
               ew_engine_errmsg(d->engine));
    return -1;
  }
  for (size_t i = 0; i < d->nbparts; i++)
    if (ew_store_offset_put(d->store, d->bparts[i].topic,
                            d->bparts[i].partition, d->bparts[i].next) != 0) {
      snprintf(d->failmsg, sizeof d->failmsg, "recording offsets: %s",
               ew_store_errmsg(d->store));
      return -1;
    }
  if (ew_store_commit(d->store) != 0) {
    snprintf(d->failmsg, sizeof d->failmsg, "committing the batch: %s",
             ew_store_errmsg(d->store));
    return -1;
  }
  d->batch_open = 0;
  d->batches++;
  if (d->nbparts > 0 && d->store_fault) {
    ew_info("state file %s: %s no more, after %d failed attempt(s); "
            "consuming again",
            d->cfg->state_path, ew_store_fault_text(d->store_fault),
            d->retries);
    d->store_fault = 0;
  }
  if (d->nbparts > 0)
    d->retries = 0; /* input moved on; a tick alone proves nothing */
  for (size_t i = 0; i < d->nbparts; i++)
    if (d->poison.topic == d->bparts[i].topic &&
        d->poison.partition == d->bparts[i].partition &&
        d->bparts[i].next > d->poison.offset)
      d->poison.topic = NULL; /* got past it */
  fifo_push(d, d->batch_last_seq);
  count_into(&d->total, &d->bc);
  if (d->bc.events || d->bc.refs || d->bc.dead || d->batch_last_seq >= 0)
    ew_debug("batch: %" PRIu64 " event(s), %" PRIu64 " ref(s), %" PRIu64
             " dead letter(s), %" PRIu64 " alert(s), %" PRIu64
             " notice(s), %" PRIu64 " stat(s) over %zu partition(s) in %" PRId64
             " ms",
             d->bc.events, d->bc.refs, d->bc.dead, d->bc.alerts, d->bc.notices,
             d->bc.stats, d->nbparts, mono_ms() - started);
  d->nbparts = 0;
  return 0;
}

/* Stores and commits the offsets of every batch whose outputs, and all
 * earlier outputs, are delivered. */
static void commit_delivered(ew_daemon *d, int sync) {
  if (!d->events)
    return;
  int64_t upto = ew_kafka_producer_delivered_upto(d->prod);
  rd_kafka_topic_partition_list_t *list = NULL;
  while (d->fhead < d->fn && (d->fifo[d->fhead].need_seq < 0 ||
                              d->fifo[d->fhead].need_seq <= upto)) {
    pending *p = &d->fifo[d->fhead++];
    for (size_t i = 0; i < p->n; i++) {
      if (!list)
        list = rd_kafka_topic_partition_list_new(8);
      rd_kafka_topic_partition_t *e = rd_kafka_topic_partition_list_find(
          list, p->parts[i].topic, p->parts[i].partition);
      if (!e)
        e = rd_kafka_topic_partition_list_add(list, p->parts[i].topic,
                                              p->parts[i].partition);
      e->offset = p->parts[i].next;
    }
    free(p->parts);
    p->parts = NULL;
  }
  if (d->fhead == d->fn)
    d->fhead = d->fn = 0;
  if (list || sync)
    ew_kafka_consumer_commit(d->events, list, !sync);
  if (list)
    rd_kafka_topic_partition_list_destroy(list);
}

/* Decodes and applies one message inside the open batch. Returns 0 when it
 * was applied or dead-lettered, -1 when the batch must be rolled back. */
static int apply(ew_daemon *d, const rd_kafka_message_t *m, ew_rkind kind,
                 const char *topic, int from_refs) {
  char why[512];

  if (!m->payload) { /* a tombstone */
    if (!ew_rkind_is_ref(kind))
      return dead_letter(d, m, "TOMBSTONE_ON_EVENT_TOPIC",
                         "a null value on an event topic");
    if (!m->key || m->key_len == 0)
      return dead_letter(d, m, "TOMBSTONE_WITHOUT_KEY",
                         "a null value without a key deletes nothing");
    ew_arena_reset(&d->arena);
    const char *id = ew_arena_strndup(&d->arena, m->key, m->key_len);
    if (!id) {
      snprintf(d->failmsg, sizeof d->failmsg, "out of memory");
      return -1;
    }
    if (ew_engine_delete_ref(d->engine, kind, id) != 0) {
      snprintf(d->failmsg, sizeof d->failmsg, "deleting %s %s: %s",
               ew_rkind_name(kind), id, ew_engine_errmsg(d->engine));
      d->engine_failed = 1;
      return -1;
    }
    d->bc.tombstones++;
    d->bc.refs++;
    return 0;
  }

  if ((int64_t)m->len > d->cfg->max_message_bytes) {
    snprintf(why, sizeof why,
             "value of %zu bytes exceeds max_message_bytes (%" PRId64 ")",
             m->len, d->cfg->max_message_bytes);
    return dead_letter(d, m, ew_decode_error_code(EW_DECODE_TOO_LARGE), why);
  }
  ew_record rec;
  ew_arena_reset(&d->arena);
  ew_decode_error derr = ew_decode(d->dec, m->payload, m->len, kind, &rec,
                                   &d->arena, why, sizeof why);
  if (derr != EW_DECODE_OK)
    return dead_letter(d, m, ew_decode_error_code(derr), why);

  ew_origin origin = {topic, m->partition, m->offset};
  d->failmsg[0] = '\0';
  /* The clock follows the events while they are read (a backlog is judged
   * as `check` judges it), as far as every partition with messages left has
   * come (watermark.h), never beyond wall time: an event dated in the
   * future must not make deadlines pass early. */
  ew_time et = ew_record_event_time(&rec), wall = wall_ms(), to = et;
  if (!from_refs && d->events) {
    ew_time bound = ew_kafka_consumer_clock_bound(d->events, m, et);
    if (bound == EW_WATERMARK_HOLD)
      to = EW_NONE;
    else if (bound != EW_NONE && bound < to)
      to = bound;
  }
  if (to != EW_NONE && ew_engine_advance(d->engine, to < wall ? to : wall)) {
    /* A deadline that fails to fire is not this event's fault: the batch
     * is retried, and the event is never dead-lettered for it. */
    snprintf(d->failmsg, sizeof d->failmsg, "clock: %s",
             ew_engine_errmsg(d->engine));
    return -1;
  }
  if (ew_engine_apply(d->engine, &rec, &origin) != 0) {
    if (!d->failmsg[0]) /* else emit() said why */
      snprintf(d->failmsg, sizeof d->failmsg, "engine: %s",
               ew_engine_errmsg(d->engine));
    d->engine_failed = 1;
    return -1;
  }
  if (from_refs)
    d->bc.refs++;
  else
    d->bc.events++;
  return 0;
}

/* A message that failed the engine POISON_LIMIT times: commit what the batch
 * holds before it, try it once more in a transaction of its own, and if the
 * engine fails again, dead-letter it in a fresh one. That the dead letter
 * can be written shows the store works, so the message itself is the
 * problem, and its partition must not stall behind it for ever. */
static int apply_poison(ew_daemon *d, const rd_kafka_message_t *m,
                        ew_rkind kind, const char *topic, int from_refs) {
  char why[600];
  if (d->batch_open && batch_commit(d, mono_ms()) != 0) {
    /* m is tracked only now, so that the rewind covers it too */
    track(d, topic, m->partition, m->offset, from_refs);
    return -1;
  }
  if (track(d, topic, m->partition, m->offset, from_refs) != 0 ||
      batch_begin(d) != 0)
    return -1;
  if (apply(d, m, kind, topic, from_refs) == 0)
    return 0;
  /* Only the engine failing on the message itself condemns it; a storage
   * fault, or a clock that could not advance, is retried like any batch. */
  if (!d->engine_failed || ew_store_fault(d->store))
    return -1;
  snprintf(why, sizeof why, "engine failed %d times: %s", d->poison.count + 1,
           d->failmsg);
  ew_store_rollback(d->store); /* m stays tracked: it is in the next try */
  d->batch_open = 0;
  d->engine_failed = 0;
  if (batch_begin(d) != 0)
    return -1;
  /* Committed at once: a failure later in the batch must not undo it. */
  if (dead_letter(d, m, "ENGINE_ERROR", why) != 0 ||
      batch_commit(d, mono_ms()) != 0)
    return -1;
  ew_err("poison message %s[%" PRId32 "]@%" PRId64 " dead-lettered: %s", topic,
         m->partition, m->offset, why);
  return 0;
}

/* Applies one consumed message inside the batch (begun on demand). Returns 0
 * when it was applied or dead-lettered, -1 when the batch must be rolled
 * back. */
static int process(ew_daemon *d, const rd_kafka_message_t *m, int from_refs) {
  const char *mtopic = rd_kafka_topic_name(m->rkt);
  int kind = ew_config_kind_of_topic(d->cfg, mtopic);
  const char *topic =
      kind >= 0 ? ew_config_topic_of(d->cfg, (ew_rkind)kind) : NULL;

  if (!topic) { /* cannot happen: only configured topics are read */
    ew_err("message from unconfigured topic %s ignored", mtopic);
    return 0;
  }
  if (d->poison.topic == topic && d->poison.partition == m->partition &&
      d->poison.offset == m->offset && d->poison.count >= POISON_LIMIT)
    return apply_poison(d, m, (ew_rkind)kind, topic, from_refs);
  /* Tracked before anything can fail, so that a rollback rewinds to it. */
  if (track(d, topic, m->partition, m->offset, from_refs) != 0 ||
      batch_begin(d) != 0)
    return -1;
  return apply(d, m, (ew_rkind)kind, topic, from_refs);
}

static int paused(const ew_daemon *d) {
  return mono_ms() < d->pause_until;
}

/* One iteration: refs first, then events, then the tick, then commit. */
static void run_batch(ew_daemon *d, int refs_only) {
  int64_t started = mono_ms();
  int64_t deadline = started + d->cfg->batch_max_ms;
  int64_t max = d->cfg->batch_max_records, n = 0;
  rd_kafka_message_t *m;

  while (n < max && !ew_daemon_stop_signal) {
    int64_t left = deadline - mono_ms();
    m = ew_kafka_consumer_poll(d->refs, refs_only && left > 0 ? (int)left : 0);
    if (!m)
      break;
    int rc = process(d, m, 1);
    if (rc != 0)
      batch_fail(d, m);
    rd_kafka_message_destroy(m);
    if (rc != 0)
      return;
    n++;
    if (refs_only && ew_kafka_consumer_caught_up(d->refs, NULL))
      break; /* the bootstrap is done: no need to wait out the batch */
  }
  int idle = 1; /* no event was waiting: the consumer has caught up */
  int64_t first = n;
  while (!refs_only && d->events && n < max && !ew_daemon_stop_signal) {
    int64_t left = deadline - mono_ms();
    idle = 0;
    if (left <= 0)
      break;
    /* The batch waits for its first event only: once the messages that
     * are there have been taken, it ends. A backlog fills batches up to
     * max_records (few commits, few transactions, each stats value emitted
     * once per batch); a live feed gets small batches that leave within
     * milliseconds, and the ones that come during a commit make the next
     * batch larger. */
    m = ew_kafka_consumer_poll(d->events, n == first ? (int)left : 0);
    if (!m) {
      /* An empty poll alone is not enough: before the group has assigned
       * the partitions, or while a fetch is slow, the backlog is still
       * ahead and must be judged on its own clock. */
      idle = ew_kafka_consumer_at_end(d->events);
      break;
    }
    int rc = process(d, m, 0);
    if (rc != 0)
      batch_fail(d, m);
    rd_kafka_message_destroy(m);
    if (rc != 0)
      return;
    n++;
    /* Paused: the revoke hook's commit failed inside this poll, and `m`
     * began a new batch. It is committed below like any other, never left
     * open: the producer's own transactions must not run inside it. */
    if (paused(d))
      break;
  }
  if (!refs_only && mono_ms() >= d->next_tick) {
    d->next_tick = mono_ms() + d->cfg->tick_ms;
    d->failmsg[0] = '\0';
    /* Wall time once the input has caught up: a deadline then passes
     * within a tick even when no event arrives. While a backlog is read,
     * the events move the clock (apply) and the tick only fires what is
     * due by it. */
    /* Its own transaction: a deadline that fails to fire must not roll
     * back the events before it. */
    if (d->batch_open && batch_commit(d, started) != 0) {
      batch_fail(d, NULL);
      return;
    }
    if (batch_begin(d) != 0 ||
        ew_engine_advance(d->engine, idle ? wall_ms() : EW_NONE) != 0) {
      if (!d->failmsg[0])
        snprintf(d->failmsg, sizeof d->failmsg, "clock tick: %s",
                 ew_engine_errmsg(d->engine));
      batch_fail(d, NULL);
      return;
    }
  }
  if (batch_commit(d, started) != 0)
    batch_fail(d, NULL);
}

/* Hands the outbox over, serves delivery reports, commits what they allow. */
static void deliver(ew_daemon *d, int timeout_ms) {
  if (ew_kafka_producer_send(d->prod) < 0)
    ew_err("%s", ew_kafka_producer_errmsg(d->prod));
  if (ew_kafka_producer_poll(d->prod, timeout_ms) != 0)
    ew_err("%s", ew_kafka_producer_errmsg(d->prod));
  commit_delivered(d, 0);
}

/* ---- rebalance ---- */

static void on_revoke(void *ud, const rd_kafka_topic_partition_list_t *parts,
                      int lost) {
  ew_daemon *d = ud;
  (void)parts;
  /* The batch's work is valid local state whoever reads the partitions
   * next; commit it so the next assignment starts after it. */
  if (d->batch_open && batch_commit(d, mono_ms()) != 0)
    batch_fail(d, NULL);
  if (lost)
    return; /* another member may own them: commit nothing for them */
  int64_t budget = REVOKE_FLUSH_MS;
  if (d->stopping) {
    budget = d->shutdown_deadline - mono_ms() - 1000;
    if (budget < 0)
      budget = 0;
  }
  if (budget > d->cfg->shutdown_timeout_ms)
    budget = d->cfg->shutdown_timeout_ms;
  int64_t left = -1;
  if (ew_kafka_producer_flush(d->prod, (int)budget, &left) != 0)
    ew_err("%s", ew_kafka_producer_errmsg(d->prod));
  commit_delivered(d, 1);
  if (left > 0)
    ew_warn("rebalance: %" PRId64 " output(s) not yet delivered; the revoked "
            "partitions' Kafka offsets stay behind them",
            left);
}

/* ---- lifecycle ---- */

int ew_daemon_new(ew_daemon **out, const ew_config *cfg, char *errstr,
                  size_t errstr_size) {
  ew_daemon *d = calloc(1, sizeof *d);
  char err[512];
  *out = NULL;
  if (!d) {
    snprintf(errstr, errstr_size, "out of memory");
    return -1;
  }
  d->cfg = cfg;
  int64_t opening = mono_ms();
  if (ew_store_open(&d->store, cfg->state_path, err, sizeof err) != 0) {
    snprintf(errstr, errstr_size, "state file %s: %s", cfg->state_path, err);
    goto fail;
  }
  /* The check that makes an open after a crash slower is worth a line: a
   * start that takes long says why. */
  ew_info("state file %s opened in %" PRId64 " ms (%s)", cfg->state_path,
          mono_ms() - opening,
          ew_store_integrity_checked(d->store)
              ? "PRAGMA quick_check passed: new, or not closed cleanly"
              : "closed cleanly last time: quick_check skipped");
  /* A rule change takes effect at this start; say what changed since the
   * last one, so that a shift in alerts can be traced to the config. */
  if (ew_rules_config_diff_and_save(d->store, &cfg->rules) != 0) {
    int fault = ew_store_fault(d->store);
    snprintf(errstr, errstr_size,
             "state file %s: recording the rule configuration: %s%s%s",
             cfg->state_path, ew_store_errmsg(d->store), fault ? "; " : "",
             fault ? ew_store_fault_advice(fault) : "");
    goto fail;
  }
  const char *dir =
      cfg->schemas_dir ? cfg->schemas_dir : ew_schemas_default_dir();
  if (ew_schemas_load(&d->schemas, dir, err, sizeof err) != 0) {
    snprintf(errstr, errstr_size, "schemas: %s", err);
    goto fail;
  }
  if (ew_decoder_new(&d->dec, d->schemas, (size_t)cfg->max_message_bytes) !=
          0 ||
      ew_encoder_new(&d->enc, d->schemas) != 0) {
    snprintf(errstr, errstr_size, "creating the Avro codec failed");
    goto fail;
  }
  if (ew_engine_new(&d->engine, d->store, &cfg->rules, emit, d, err,
                    sizeof err) != 0) {
    snprintf(errstr, errstr_size, "engine: %s", err);
    goto fail;
  }
  if (ew_kafka_producer_new(&d->prod, cfg, d->store, errstr, errstr_size) !=
          0 ||
      ew_kafka_consumer_new_refs(&d->refs, cfg, d->store, errstr,
                                 errstr_size) != 0)
    goto fail;
  int64_t backlog = 0, last_seq = 0;
  if (ew_store_outbox_count(d->store, &backlog) == 0 && backlog > 0)
    ew_info("outbox: %" PRId64 " output(s) left from the last run are sent "
            "again",
            backlog);
  if (ew_store_outbox_last_seq(d->store, &last_seq) != 0) {
    snprintf(errstr, errstr_size, "state file %s: %s", cfg->state_path,
             ew_store_errmsg(d->store));
    goto fail;
  }
  /* The input behind the rows left over was committed to SQLite by the
   * last run but not to Kafka: no Kafka offset of this run may pass the
   * barrier before they are delivered, or a batch without outputs would
   * commit past them. */
  if (last_seq > 0)
    fifo_push(d, last_seq);
  ew_info("state file %s open, schemas from %s", cfg->state_path, dir);
  *out = d;
  return 0;
fail:
  ew_daemon_destroy(d);
  return -1;
}

void ew_daemon_destroy(ew_daemon *d) {
  if (!d)
    return;
  if (d->batch_open)
    ew_store_rollback(d->store);
  ew_kafka_consumer_close(d->events);
  d->events = NULL;
  ew_kafka_consumer_close(d->refs);
  d->refs = NULL;
  ew_kafka_producer_destroy(d->prod);
  ew_engine_destroy(d->engine);
  ew_encoder_destroy(d->enc);
  ew_decoder_destroy(d->dec);
  ew_schemas_destroy(d->schemas);
  ew_store_close(d->store);
  ew_arena_free(&d->arena);
  for (size_t i = d->fhead; i < d->fn; i++)
    free(d->fifo[i].parts);
  free(d->fifo);
  free(d->bparts);
  free(d);
}

/* A fatal error of the event consumer is one of the client, not of the
 * daemon's state: seen after a broker outage outlasted the group session,
 * when librdkafka 2.0.2 takes the static member's own rejoin for a rival
 * (FENCED_INSTANCE_ID). The consumed offsets are in the state file, so a new
 * consumer resumes exactly; the daemon exits only when that keeps failing
 * (more than EVENTS_RECREATE_MAX times in EVENTS_RECREATE_WINDOW_MS). */
static int recreate_events(ew_daemon *d) {
  char err[512];
  int64_t now = mono_ms();
  if (now - d->events_recreate_since > EVENTS_RECREATE_WINDOW_MS) {
    d->events_recreate_since = now;
    d->events_recreated = 0;
  }
  if (++d->events_recreated > EVENTS_RECREATE_MAX)
    return -1;
  ew_err("%s; replacing the event consumer (%d in the last %d min): the "
         "offsets are in the state file",
         ew_kafka_consumer_errmsg(d->events), d->events_recreated,
         EVENTS_RECREATE_WINDOW_MS / 60000);
  /* A fatal instance's close may hang (2.0.2, #4187) and can commit
   * nothing: the batch is committed here and the instance abandoned. */
  if (d->batch_open && batch_commit(d, mono_ms()) != 0)
    batch_fail(d, NULL);
  ew_kafka_consumer_abandon(d->events);
  d->events = NULL;
  if (ew_kafka_consumer_new_events(&d->events, d->cfg, d->store, on_revoke, d,
                                   err, sizeof err) != 0) {
    ew_err("%s", err);
    return -1;
  }
  return 0;
}

static int fatal_error(ew_daemon *d) {
  if (d->rewind_failed || d->store_fatal)
    return 1;
  if (d->events && ew_kafka_consumer_fatal(d->events) &&
      recreate_events(d) != 0) {
    ew_err("%s; exiting",
           d->events ? ew_kafka_consumer_errmsg(d->events) : "event consumer");
    return 1;
  }
  if (d->refs && ew_kafka_consumer_fatal(d->refs)) {
    ew_err("%s; exiting", ew_kafka_consumer_errmsg(d->refs));
    return 1;
  }
  return 0;
}

static void log_stats(ew_daemon *d) {
  int64_t backlog = -1;
  ew_kafka_producer_stats ps;
  ew_store_outbox_count(d->store, &backlog);
  ew_kafka_producer_get_stats(d->prod, &ps);
  ew_info("stats: events=%" PRIu64 " refs=%" PRIu64 " (tombstones %" PRIu64
          ") alerts=%" PRIu64 " notices=%" PRIu64 " stats=%" PRIu64
          " dead_letters=%" PRIu64 " outbox_backlog=%" PRId64
          " transactions=%" PRIu64 " aborted=%" PRIu64 " delivered=%" PRIu64
          " delivery_failures=%" PRIu64 " parked=%" PRIu64 " batches=%" PRIu64
          " batch_failures=%" PRIu64,
          d->total.events, d->total.refs, d->total.tombstones, d->total.alerts,
          d->total.notices, d->total.stats, d->total.dead, backlog,
          ps.transactions, ps.aborted, ps.delivered, ps.failed, ps.parked,
          d->batches, d->failures);
}

/* Wait out a retry pause while delivery reports keep being served. */
static void wait_pause(ew_daemon *d) {
  int64_t left = d->pause_until - mono_ms();
  deliver(d, left > 100 ? 100 : (left > 0 ? (int)left : 0));
}

/* Reads every reference partition up to its high watermark before any event
 * is judged. Returns 0, or 1 when stopped or failed fatally. */
static int bootstrap(ew_daemon *d) {
  int64_t next_log = mono_ms() + BOOTSTRAP_LOG_MS, started = mono_ms();
  int64_t next_refresh = mono_ms() + BOOTSTRAP_REFRESH_MS;
  size_t lagging = 0;
  while (!ew_kafka_consumer_caught_up(d->refs, &lagging)) {
    if (ew_daemon_stop_signal || fatal_error(d))
      return 1;
    if (mono_ms() >= next_refresh) { /* no metadata yet, or a topic missing */
      ew_kafka_consumer_refresh_refs(d->refs, 1000);
      next_refresh = mono_ms() + BOOTSTRAP_REFRESH_MS;
    }
    if (paused(d)) {
      wait_pause(d);
      continue;
    }
    run_batch(d, 1);
    deliver(d, 0);
    if (mono_ms() >= next_log) {
      if (lagging == 0)
        ew_info("bootstrap: waiting for the cluster metadata from %s",
                d->cfg->brokers);
      else
        ew_info("bootstrap: %zu reference partition(s) still behind, %" PRIu64
                " record(s) read",
                lagging, d->total.refs);
      next_log = mono_ms() + BOOTSTRAP_LOG_MS;
    }
  }
  ew_info("bootstrap: reference topics read (%" PRIu64 " record(s), %" PRId64
          " ms)",
          d->total.refs, mono_ms() - started);
  return 0;
}

static void shutdown_gracefully(ew_daemon *d) {
  int64_t t = d->cfg->shutdown_timeout_ms;
  d->stopping = 1;
  d->shutdown_deadline = mono_ms() + t;
  /* The backstop: librdkafka 2.0.2 can hang in close after a lost
   * partition (#4187). */
  alarm((unsigned)((t + 999) / 1000 + 2));
  if (d->batch_open && batch_commit(d, mono_ms()) != 0)
    batch_fail(d, NULL);

  int64_t left = -1;
  if (ew_kafka_producer_flush(d->prod, (int)(t * 6 / 10), &left) != 0)
    ew_err("%s", ew_kafka_producer_errmsg(d->prod));
  commit_delivered(d, 1);
  ew_kafka_consumer_close(d->events); /* the revoke hook commits the rest */
  d->events = NULL;
  ew_kafka_consumer_close(d->refs);
  d->refs = NULL;
  int64_t budget = d->shutdown_deadline - mono_ms() - 500;
  if (budget > 0 && left != 0)
    ew_kafka_producer_flush(d->prod, (int)budget, &left);
  else
    ew_store_outbox_count(d->store, &left);
  if (left > 0)
    ew_warn("shutdown: %" PRId64 " output(s) undelivered; they stay in the "
            "outbox and are sent at the next start",
            left);
  log_stats(d);
  ew_kafka_producer_destroy(d->prod);
  d->prod = NULL;
  alarm(0);
}

int ew_daemon_run(ew_daemon *d) {
  int code = 0;
  char err[512];

  deliver(d, 0); /* the outbox of the last run goes first */
  if (bootstrap(d) != 0) {
    code = fatal_error(d) ? 1 : 0;
    goto out;
  }
  if (ew_kafka_consumer_new_events(&d->events, d->cfg, d->store, on_revoke, d,
                                   err, sizeof err) != 0) {
    ew_err("%s", err);
    code = 1;
    goto out;
  }
  int64_t now = mono_ms();
  d->next_tick = now; /* fire overdue deadlines at once */
  d->next_stats = now + STATS_INTERVAL_MS;
  d->next_refresh = now + REFRESH_INTERVAL_MS;
  ew_info("running");

  while (!ew_daemon_stop_signal) {
    if (fatal_error(d)) {
      code = 1;
      break;
    }
    if (paused(d)) {
      wait_pause(d);
      continue;
    }
    run_batch(d, 0);
    deliver(d, 0);
    now = mono_ms();
    if (now >= d->next_refresh) {
      ew_kafka_consumer_refresh_refs(d->refs, 2000);
      d->next_refresh = mono_ms() + REFRESH_INTERVAL_MS;
    }
    if (now >= d->next_stats) {
      log_stats(d);
      d->next_stats = now + STATS_INTERVAL_MS;
    }
  }
out:
  if (ew_daemon_stop_signal)
    ew_info("signal %d: shutting down (within %" PRId64 " ms)",
            (int)ew_daemon_stop_signal, d->cfg->shutdown_timeout_ms);
  shutdown_gracefully(d);
  ew_info("stopped");
  return code;
}
