/*
 * kafka_consumer.c - the event group consumer and the reference consumer
 * (see kafka_consumer.h for what each guarantees).
 *
 * librdkafka 2.0.2 specifics followed here (style-and-idioms §B1):
 *   - rd_kafka_new takes ownership of the conf only on success;
 *   - rd_kafka_assign and friends need a group.id even when no group is ever
 *     joined, so the reference consumer has one that it never joins nor
 *     commits to;
 *   - the rebalance callback branches on the protocol (COOPERATIVE uses the
 *     incremental calls, EAGER replaces the whole assignment) and never
 *     keeps the list it is given;
 *   - rd_kafka_offsets_store refuses partitions that are not assigned (since
 *     2.0.0), which is what keeps a late store after a revoke harmless;
 *   - log lines are queued (log.queue=true) and served by the poll calls on
 *     the daemon's thread, so they never interleave with ours mid-line.
 */
#include "kafka_consumer.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../daemon/log.h"
#include "watermark.h"

typedef struct ref_part {
  const char *topic; /* the configured topic string */
  int32_t partition;
  int64_t high; /* high watermark when assigned; -1 unknown */
  int caught_up;
} ref_part;

struct ew_kafka_consumer {
  rd_kafka_t *rk;
  const ew_config *cfg;
  ew_store *store;
  int is_refs;
  ew_kafka_revoke_fn on_revoke;
  void *revoke_ud;
  int fatal;
  char errmsg[512];
  int joined; /* the group consumer received an assignment (maybe empty)
               * and has not lost it since */
  /* reference consumer */
  ref_part *parts;
  size_t nparts, cap;
  size_t lagging;
  int have_metadata;         /* one metadata refresh succeeded */
  int missing[EW_REC_COUNT]; /* ref topic found missing: warned once */
  /* event consumer: the partitions' event times (watermark.h) */
  ew_watermark wm;
  /* informational errors are logged at warn once per code and minute */
  rd_kafka_resp_err_t last_err;
  int64_t last_err_ms;
};

/* A partition with messages to read that has delivered none for this long
 * (a stalled fetch, a partition librdkafka serves last) stops holding the
 * engine's clock back (watermark.h). */
#define WATERMARK_HOLD_MS 10000

static int64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *who(const ew_kafka_consumer *c) {
  return c->is_refs ? "ref consumer" : "consumer";
}

/* ---- callbacks ---- */

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

static void note_error(ew_kafka_consumer *c, rd_kafka_resp_err_t err,
                       const char *what) {
  int64_t now = mono_ms();
  if (err == c->last_err && now - c->last_err_ms < 60000) {
    ew_debug("%s: %s", who(c), what);
    return;
  }
  c->last_err = err;
  c->last_err_ms = now;
  ew_warn("%s: %s", who(c), what);
}

static void set_fatal(ew_kafka_consumer *c) {
  char reason[400];
  rd_kafka_resp_err_t err = rd_kafka_fatal_error(c->rk, reason, sizeof reason);
  if (!c->fatal)
    snprintf(c->errmsg, sizeof c->errmsg, "%s: fatal error %s: %s", who(c),
             rd_kafka_err2name(err), reason);
  c->fatal = 1;
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason,
                     void *opaque) {
  ew_kafka_consumer *c = opaque;
  (void)rk;
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    set_fatal(c);
    ew_err("%s", c->errmsg);
    return;
  }
  char what[512];
  snprintf(what, sizeof what, "%s: %s",
           rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
  note_error(c, (rd_kafka_resp_err_t)err, what);
}

static void offset_commit_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                             rd_kafka_topic_partition_list_t *offsets,
                             void *opaque) {
  ew_kafka_consumer *c = opaque;
  (void)rk;
  if (err == RD_KAFKA_RESP_ERR__NO_OFFSET)
    return;
  if (err) {
    char what[300];
    snprintf(what, sizeof what, "offset commit failed: %s",
             rd_kafka_err2str(err));
    note_error(c, err, what);
    return;
  }
  for (int i = 0; offsets && i < offsets->cnt; i++) {
    const rd_kafka_topic_partition_t *p = &offsets->elems[i];
    if (p->offset < 0)
      continue; /* assigned, but nothing to commit for it */
    if (p->err)
      ew_warn("%s: commit of %s[%" PRId32 "]@%" PRId64 " failed: %s", who(c),
              p->topic, p->partition, p->offset, rd_kafka_err2str(p->err));
    else
      ew_debug("%s: committed %s[%" PRId32 "]@%" PRId64, who(c), p->topic,
               p->partition, p->offset);
  }
}

/* Overwrites each partition's start offset with the one SQLite holds: that
 * is where the state this instance keeps actually ends. A partition never
 * seen keeps RD_KAFKA_OFFSET_INVALID, i.e. the group's committed offset, else
 * auto.offset.reset (earliest). */
static void seed_offsets(ew_kafka_consumer *c,
                         rd_kafka_topic_partition_list_t *parts) {
  for (int i = 0; i < parts->cnt; i++) {
    rd_kafka_topic_partition_t *p = &parts->elems[i];
    int64_t next = -1;
    if (ew_store_offset_get(c->store, p->topic, p->partition, &next) != 0) {
      ew_err("%s: reading the stored offset of %s[%" PRId32
             "] failed (%s); starting at the committed offset",
             who(c), p->topic, p->partition, ew_store_errmsg(c->store));
      next = -1;
    }
    if (next >= 0)
      p->offset = next;
    if (p->offset >= 0)
      ew_info("%s: assigned %s[%" PRId32 "] from offset %" PRId64
              " (state file)",
              who(c), p->topic, p->partition, p->offset);
    else
      ew_info("%s: assigned %s[%" PRId32 "] from the committed offset", who(c),
              p->topic, p->partition);
  }
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque) {
  ew_kafka_consumer *c = opaque;
  const char *proto = rd_kafka_rebalance_protocol(rk);
  int cooperative = proto && strcmp(proto, "COOPERATIVE") == 0;
  rd_kafka_error_t *error = NULL;
  rd_kafka_resp_err_t ret = RD_KAFKA_RESP_ERR_NO_ERROR;

  switch (err) {
  case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
    c->joined = 1;
    seed_offsets(c, parts);
    for (int i = 0; i < parts->cnt; i++)
      if (ew_watermark_assign(&c->wm, parts->elems[i].topic,
                              parts->elems[i].partition, parts->elems[i].offset,
                              mono_ms()) != 0)
        ew_warn("%s: out of memory: %s[%" PRId32 "] does not hold the clock",
                who(c), parts->elems[i].topic, parts->elems[i].partition);
    if (cooperative)
      error = rd_kafka_incremental_assign(rk, parts);
    else
      ret = rd_kafka_assign(rk, parts);
    break;
  case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS: {
    int lost = rd_kafka_assignment_lost(rk);
    /* Lost (the group's session timed out, e.g. over a broker restart):
     * until the group assigns again, an empty assignment says nothing
     * about being at the end of anything (at_end). */
    if (lost)
      c->joined = 0;
    for (int i = 0; i < parts->cnt; i++) {
      ew_info("%s: %s %s[%" PRId32 "]", who(c), lost ? "lost" : "revoked",
              parts->elems[i].topic, parts->elems[i].partition);
      ew_watermark_revoke(&c->wm, parts->elems[i].topic,
                          parts->elems[i].partition);
    }
    if (c->on_revoke)
      c->on_revoke(c->revoke_ud, parts, lost);
    if (cooperative)
      error = rd_kafka_incremental_unassign(rk, parts);
    else
      ret = rd_kafka_assign(rk, NULL);
    break;
  }
  default:
    ew_err("%s: rebalance failed: %s; dropping the assignment", who(c),
           rd_kafka_err2str(err));
    c->joined = 0; /* an empty assignment, but not the group's word */
    rd_kafka_assign(rk, NULL);
    ew_watermark_clear(&c->wm);
    return;
  }
  if (error) {
    ew_err("%s: %s assignment failed: %s", who(c), proto ? proto : "?",
           rd_kafka_error_string(error));
    if (rd_kafka_error_is_fatal(error))
      set_fatal(c);
    rd_kafka_error_destroy(error);
  } else if (ret) {
    ew_err("%s: assignment failed: %s", who(c), rd_kafka_err2str(ret));
  }
}

/* ---- construction ---- */

static int conf_set(rd_kafka_conf_t *conf, const char *name, const char *value,
                    char *errstr, size_t errstr_size) {
  char rderr[256];
  if (rd_kafka_conf_set(conf, name, value, rderr, sizeof rderr) ==
      RD_KAFKA_CONF_OK)
    return 0;
  snprintf(errstr, errstr_size, "%s=%s: %s", name, value, rderr);
  return -1;
}

/* Defaults first, the file's `kafka` group next, then what the guarantees
 * depend on (config.c refuses those names in the file anyway). */
static rd_kafka_conf_t *make_conf(ew_kafka_consumer *c, const char *group_id,
                                  char *errstr, size_t errstr_size) {
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (!conf) {
    snprintf(errstr, errstr_size, "out of memory");
    return NULL;
  }
  /* Static membership: a daemon restarted after a crash is the same member
   * and gets its partitions back at once, instead of waiting out the dead
   * member's session. The messages fetched ahead were the largest part of
   * the daemon's memory in a backlog (librdkafka keeps up to 64 MB per
   * consumer): 8 MB is still a second's work or more. The config's kafka
   * settings may override it. */
  if (conf_set(conf, "queued.max.messages.kbytes", "8192", errstr,
               errstr_size) != 0 ||
      (!c->is_refs &&
       (conf_set(conf, "partition.assignment.strategy", "cooperative-sticky",
                 errstr, errstr_size) != 0 ||
        conf_set(conf, "group.instance.id", c->cfg->instance_id, errstr,
                 errstr_size) != 0)) ||
      ew_config_kafka_conf(c->cfg, conf, errstr, errstr_size) != 0 ||
      conf_set(conf, "group.id", group_id, errstr, errstr_size) != 0 ||
      conf_set(conf, "enable.auto.commit", "false", errstr, errstr_size) != 0 ||
      conf_set(conf, "enable.auto.offset.store", "false", errstr,
               errstr_size) != 0 ||
      conf_set(conf, "auto.offset.reset", "earliest", errstr, errstr_size) !=
          0 ||
      conf_set(conf, "isolation.level", "read_committed", errstr,
               errstr_size) != 0 ||
      conf_set(conf, "enable.partition.eof", c->is_refs ? "true" : "false",
               errstr, errstr_size) != 0 ||
      conf_set(conf, "log.queue", "true", errstr, errstr_size) != 0) {
    rd_kafka_conf_destroy(conf);
    return NULL;
  }
  rd_kafka_conf_set_opaque(conf, c);
  rd_kafka_conf_set_log_cb(conf, log_cb);
  rd_kafka_conf_set_error_cb(conf, error_cb);
  if (!c->is_refs) {
    rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
    rd_kafka_conf_set_offset_commit_cb(conf, offset_commit_cb);
  }
  return conf;
}

static int start(ew_kafka_consumer *c, const char *group_id, char *errstr,
                 size_t errstr_size) {
  rd_kafka_conf_t *conf = make_conf(c, group_id, errstr, errstr_size);
  if (!conf)
    return -1;
  char rderr[512];
  c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, rderr, sizeof rderr);
  if (!c->rk) {
    rd_kafka_conf_destroy(conf); /* still ours: rd_kafka_new failed */
    snprintf(errstr, errstr_size, "creating the %s: %s", who(c), rderr);
    return -1;
  }
  conf = NULL; /* owned by c->rk now */
  rd_kafka_resp_err_t err = rd_kafka_set_log_queue(c->rk, NULL);
  if (!err)
    err = rd_kafka_poll_set_consumer(c->rk);
  if (err) {
    snprintf(errstr, errstr_size, "setting up the %s: %s", who(c),
             rd_kafka_err2str(err));
    return -1;
  }
  return 0;
}

int ew_kafka_consumer_new_events(ew_kafka_consumer **out, const ew_config *cfg,
                                 ew_store *store, ew_kafka_revoke_fn on_revoke,
                                 void *revoke_ud, char *errstr,
                                 size_t errstr_size) {
  ew_kafka_consumer *c = calloc(1, sizeof *c);
  rd_kafka_topic_partition_list_t *topics = NULL;
  *out = NULL;
  if (!c) {
    snprintf(errstr, errstr_size, "out of memory");
    return -1;
  }
  c->cfg = cfg;
  c->store = store;
  c->on_revoke = on_revoke;
  c->revoke_ud = revoke_ud;
  c->wm.hold_ms = WATERMARK_HOLD_MS;
  if (start(c, cfg->group_id, errstr, errstr_size) != 0)
    goto fail;
  topics = rd_kafka_topic_partition_list_new(4);
  for (int k = EW_REC_FIRST_EVENT; k <= EW_REC_LAST_EVENT; k++)
    rd_kafka_topic_partition_list_add(
        topics, ew_config_topic_of(cfg, (ew_rkind)k), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(c->rk, topics);
  if (err) {
    snprintf(errstr, errstr_size, "subscribing to the event topics: %s",
             rd_kafka_err2str(err));
    goto fail;
  }
  rd_kafka_topic_partition_list_destroy(topics);
  ew_info("consumer: group %s subscribed to %s, %s, %s, %s", cfg->group_id,
          cfg->topics.inspections, cfg->topics.complaints,
          cfg->topics.penalties, cfg->topics.feedback);
  *out = c;
  return 0;
fail:
  if (topics)
    rd_kafka_topic_partition_list_destroy(topics);
  c->on_revoke = NULL; /* nothing was handed out yet */
  ew_kafka_consumer_close(c);
  return -1;
}

int ew_kafka_consumer_new_refs(ew_kafka_consumer **out, const ew_config *cfg,
                               ew_store *store, char *errstr,
                               size_t errstr_size) {
  ew_kafka_consumer *c = calloc(1, sizeof *c);
  char group[512];
  *out = NULL;
  if (!c) {
    snprintf(errstr, errstr_size, "out of memory");
    return -1;
  }
  c->cfg = cfg;
  c->store = store;
  c->is_refs = 1;
  /* Never joined and never committed to: assign() merely requires one. */
  snprintf(group, sizeof group, "%s-refs", cfg->group_id);
  if (start(c, group, errstr, errstr_size) != 0)
    goto fail;
  /* A broker that is down now is not a reason to exit: the bootstrap keeps
   * asking, and no event is read before it has succeeded. */
  if (ew_kafka_consumer_refresh_refs(c, 10000) < 0)
    ew_warn("ref consumer: no metadata from %s yet; retrying", cfg->brokers);
  *out = c;
  return 0;
fail:
  ew_kafka_consumer_close(c);
  return -1;
}

void ew_kafka_consumer_close(ew_kafka_consumer *c) {
  if (!c)
    return;
  if (c->rk) {
    /* Runs the last revoke (the daemon's hook commits what was delivered)
     * and leaves the group. It may hang after a lost partition in 2.0.2
     * (#4187); the daemon bounds its shutdown with an alarm. */
    rd_kafka_resp_err_t err = rd_kafka_consumer_close(c->rk);
    if (err)
      ew_warn("%s: close: %s", who(c), rd_kafka_err2str(err));
    rd_kafka_destroy(c->rk);
  }
  free(c->parts);
  ew_watermark_clear(&c->wm);
  free(c);
}

void ew_kafka_consumer_abandon(ew_kafka_consumer *c) {
  if (!c)
    return;
  if (c->rk)
    rd_kafka_destroy_flags(c->rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  free(c->parts);
  ew_watermark_clear(&c->wm);
  free(c);
}

/* ---- polling ---- */

static ref_part *find_part(ew_kafka_consumer *c, const char *topic,
                           int32_t partition) {
  for (size_t i = 0; i < c->nparts; i++)
    if (c->parts[i].partition == partition &&
        strcmp(c->parts[i].topic, topic) == 0)
      return &c->parts[i];
  return NULL;
}

static void mark_caught_up(ew_kafka_consumer *c, ref_part *p) {
  if (!p || p->caught_up)
    return;
  p->caught_up = 1;
  c->lagging--;
  ew_debug("%s: %s[%" PRId32 "] caught up", who(c), p->topic, p->partition);
}

static void on_error_message(ew_kafka_consumer *c, rd_kafka_message_t *m) {
  const char *topic = m->rkt ? rd_kafka_topic_name(m->rkt) : NULL;
  if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    if (c->is_refs && topic)
      mark_caught_up(c, find_part(c, topic, m->partition));
    return;
  }
  if (m->err == RD_KAFKA_RESP_ERR__FATAL) {
    set_fatal(c);
    ew_err("%s", c->errmsg);
    return;
  }
  char what[600];
  if (topic)
    snprintf(what, sizeof what, "%s[%" PRId32 "]: %s: %s", topic, m->partition,
             rd_kafka_err2name(m->err), rd_kafka_message_errstr(m));
  else
    snprintf(what, sizeof what, "%s: %s", rd_kafka_err2name(m->err),
             rd_kafka_message_errstr(m));
  note_error(c, m->err, what);
}

rd_kafka_message_t *ew_kafka_consumer_poll(ew_kafka_consumer *c,
                                           int timeout_ms) {
  int64_t deadline = mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
  for (;;) {
    if (c->fatal)
      return NULL;
    int64_t left = deadline - mono_ms();
    rd_kafka_message_t *m =
        rd_kafka_consumer_poll(c->rk, left > 0 ? (int)left : 0);
    if (!m)
      return NULL;
    if (!m->err) {
      if (c->is_refs && c->lagging) {
        ref_part *p = find_part(c, rd_kafka_topic_name(m->rkt), m->partition);
        if (p && p->high >= 0 && m->offset + 1 >= p->high)
          mark_caught_up(c, p);
      }
      return m;
    }
    on_error_message(c, m);
    rd_kafka_message_destroy(m);
  }
}

ew_time ew_kafka_consumer_clock_bound(ew_kafka_consumer *c,
                                      const rd_kafka_message_t *m, ew_time t) {
  int64_t now = mono_ms();
  ew_wm_part *p =
      ew_watermark_find(&c->wm, rd_kafka_topic_name(m->rkt), m->partition);
  if (p)
    ew_watermark_seen(p, m->offset, t, now);
  /* A partition that seems read to its end may have grown since its last
   * fetch: ask librdkafka for the fetch's high watermark (a lookup, no
   * request). One with messages left needs no asking. */
  for (size_t i = 0; i < c->wm.n; i++) {
    ew_wm_part *q = &c->wm.v[i];
    int64_t lo, hi;
    if (ew_watermark_unread(q) && q->high >= 0)
      continue;
    if (rd_kafka_get_watermark_offsets(c->rk, q->topic, q->partition, &lo,
                                       &hi) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        hi >= 0) {
      q->high = hi;
      if (q->next < 0)
        q->next = lo; /* nothing read, no offset stored: from the start */
    }
  }
  return ew_watermark_bound(&c->wm, now);
}

int ew_kafka_consumer_fatal(const ew_kafka_consumer *c) {
  return c->fatal;
}

const char *ew_kafka_consumer_errmsg(const ew_kafka_consumer *c) {
  return c->errmsg;
}

rd_kafka_t *ew_kafka_consumer_handle(ew_kafka_consumer *c) {
  return c->rk;
}

/* ---- offsets ---- */

int ew_kafka_consumer_seek(ew_kafka_consumer *c,
                           rd_kafka_topic_partition_list_t *offsets) {
  if (!offsets || offsets->cnt == 0)
    return 0;
  /* Waits until the fetcher has switched, so no message fetched from the
   * old position can be returned afterwards. */
  rd_kafka_error_t *error = rd_kafka_seek_partitions(c->rk, offsets, 10000);
  if (error) {
    ew_err("%s: seek failed: %s", who(c), rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
    return -1;
  }
  int rc = 0;
  for (int i = 0; i < offsets->cnt; i++) {
    const rd_kafka_topic_partition_t *p = &offsets->elems[i];
    if (p->err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION ||
        p->err == RD_KAFKA_RESP_ERR__STATE)
      ew_debug("%s: seek %s[%" PRId32 "]@%" PRId64 " skipped: %s", who(c),
               p->topic, p->partition, p->offset, rd_kafka_err2str(p->err));
    else if (p->err) {
      ew_err("%s: seek %s[%" PRId32 "]@%" PRId64 " failed: %s", who(c),
             p->topic, p->partition, p->offset, rd_kafka_err2str(p->err));
      rc = -1;
    } else
      ew_info("%s: rewound %s[%" PRId32 "] to offset %" PRId64, who(c),
              p->topic, p->partition, p->offset);
  }
  return rc;
}

int ew_kafka_consumer_commit(ew_kafka_consumer *c,
                             rd_kafka_topic_partition_list_t *offsets,
                             int async) {
  if (offsets && offsets->cnt > 0) {
    rd_kafka_resp_err_t err = rd_kafka_offsets_store(c->rk, offsets);
    /* __STATE / __UNKNOWN_PARTITION: none of them is assigned any more,
     * their new owner starts from what was committed before. */
    if (err && err != RD_KAFKA_RESP_ERR__STATE &&
        err != RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) {
      ew_warn("%s: storing offsets failed: %s", who(c), rd_kafka_err2str(err));
      return -1;
    }
    for (int i = 0; i < offsets->cnt; i++)
      if (offsets->elems[i].err)
        ew_debug("%s: offset of %s[%" PRId32 "] not stored: %s", who(c),
                 offsets->elems[i].topic, offsets->elems[i].partition,
                 rd_kafka_err2str(offsets->elems[i].err));
  }
  rd_kafka_resp_err_t err = rd_kafka_commit(c->rk, NULL, async);
  if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
    ew_warn("%s: commit failed: %s", who(c), rd_kafka_err2str(err));
    return -1;
  }
  return 0;
}

/* ---- reference topics ---- */

static int add_part(ew_kafka_consumer *c, const char *topic, int32_t partition,
                    int64_t high, int caught_up) {
  if (c->nparts == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 32;
    ref_part *grown = realloc(c->parts, cap * sizeof *grown);
    if (!grown)
      return -1;
    c->parts = grown;
    c->cap = cap;
  }
  c->parts[c->nparts++] = (ref_part){topic, partition, high, caught_up};
  if (!caught_up)
    c->lagging++;
  return 0;
}

int ew_kafka_consumer_refresh_refs(ew_kafka_consumer *c, int timeout_ms) {
  const struct rd_kafka_metadata *md = NULL;
  rd_kafka_resp_err_t err = rd_kafka_metadata(c->rk, 1, NULL, &md, timeout_ms);
  if (err) {
    ew_warn("%s: metadata request failed: %s", who(c), rd_kafka_err2str(err));
    return -1;
  }
  rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(16);
  size_t first_new = c->nparts;
  int64_t backlog = 0;
  int rc = 0;
  for (int k = EW_REC_FIRST_REF; k <= EW_REC_LAST_REF; k++) {
    const char *topic = c->cfg->topics.ref[k];
    const struct rd_kafka_metadata_topic *mt = NULL;
    for (int t = 0; t < md->topic_cnt && !mt; t++)
      if (strcmp(md->topics[t].topic, topic) == 0)
        mt = &md->topics[t];
    if (!mt || mt->err) {
      if (!c->missing[k])
        ew_warn("%s: reference topic %s is not available (%s); %s records "
                "are not read until it exists (enforcewatch topics create)",
                who(c), topic,
                rd_kafka_err2str(mt ? mt->err
                                    : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART),
                ew_rkind_name((ew_rkind)k));
      c->missing[k] = 1;
      continue;
    }
    if (c->missing[k])
      ew_info("%s: reference topic %s is available now", who(c), topic);
    c->missing[k] = 0;
    for (int i = 0; i < mt->partition_cnt; i++) {
      int32_t part = mt->partitions[i].id;
      if (find_part(c, topic, part))
        continue;
      int64_t next = -1, low = -1, high = -1;
      if (ew_store_offset_get(c->store, topic, part, &next) != 0) {
        ew_err("%s: reading the stored offset of %s[%" PRId32
               "] failed (%s); reading it from the beginning",
               who(c), topic, part, ew_store_errmsg(c->store));
        next = -1;
      }
      if (rd_kafka_query_watermark_offsets(c->rk, topic, part, &low, &high,
                                           timeout_ms) != 0)
        high = -1; /* unknown: caught up at end of partition */
      int64_t from = next >= 0 ? next : low;
      int caught_up = high >= 0 && from >= 0 && from >= high;
      if (!caught_up && high >= 0 && from >= 0)
        backlog += high - from;
      if (add_part(c, topic, part, high, caught_up) != 0) {
        rc = -1;
        goto done;
      }
      rd_kafka_topic_partition_list_add(list, topic, part)->offset =
          next >= 0 ? next : RD_KAFKA_OFFSET_BEGINNING;
    }
  }
  if (list->cnt > 0) {
    rd_kafka_error_t *error = rd_kafka_incremental_assign(c->rk, list);
    if (error) {
      ew_err("%s: assigning reference partitions failed: %s", who(c),
             rd_kafka_error_string(error));
      rd_kafka_error_destroy(error);
      /* forget them: the next refresh tries again */
      for (size_t i = first_new; i < c->nparts; i++)
        if (!c->parts[i].caught_up)
          c->lagging--;
      c->nparts = first_new;
      rc = -1;
      goto done;
    }
    ew_info("%s: assigned %d reference partition(s), about %" PRId64
            " record(s) to read",
            who(c), list->cnt, backlog);
  }
  rc = list->cnt;
  c->have_metadata = 1;
done:
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_metadata_destroy(md);
  return rc;
}

int ew_kafka_consumer_caught_up(const ew_kafka_consumer *c, size_t *lagging) {
  if (lagging)
    *lagging = c->lagging;
  return c->have_metadata && c->lagging == 0;
}

int ew_kafka_consumer_at_end(ew_kafka_consumer *c) {
  rd_kafka_topic_partition_list_t *a = NULL;
  if (!c->joined ||
      rd_kafka_assignment(c->rk, &a) != RD_KAFKA_RESP_ERR_NO_ERROR)
    return 0;
  int at_end =
      a->cnt == 0 || rd_kafka_position(c->rk, a) == RD_KAFKA_RESP_ERR_NO_ERROR;
  for (int i = 0; i < a->cnt && at_end; i++) {
    const rd_kafka_topic_partition_t *p = &a->elems[i];
    int64_t lo = -1, hi = -1, pos = p->offset;
    /* The high watermark of the last fetch response: unknown (-1) until
     * the partition has been fetched once. */
    if (rd_kafka_get_watermark_offsets(c->rk, p->topic, p->partition, &lo,
                                       &hi) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        hi < 0) {
      at_end = 0;
      break;
    }
    if (pos < 0) { /* nothing read since the assignment: where it began */
      int64_t next = -1;
      if (c->store &&
          ew_store_offset_get(c->store, p->topic, p->partition, &next) < 0)
        next = -1;
      pos = next >= 0 ? next : lo;
    }
    at_end = pos >= hi;
  }
  rd_kafka_topic_partition_list_destroy(a);
  return at_end;
}
