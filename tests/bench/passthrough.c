/*
 * passthrough.c - ew_bench_passthrough: the broker-bound limit the daemon is
 * compared with (issue 7), plus the small Kafka chores of tests/bench/bench.sh.
 *
 * Default mode: a high-level consumer (its own group, from the beginning,
 * read_committed like the daemon) and an idempotent producer (acks=all, as
 * the daemon's) copy every record of the given topics, key, value and
 * headers unchanged and undecoded, to one output topic, until --records
 * records were consumed and every one of them is acknowledged. What this
 * measures is what librdkafka and the broker on this machine allow for the
 * same records on the same topics: no decoding, no state, no SQLite, no
 * transactions. The clock starts before the clients are created, as the
 * daemon's does when bench.sh starts it, so both figures include joining
 * the group. One JSON object line goes to stdout, a readable line to
 * stderr.
 *
 * Other modes (one per run; each prints one JSON object line):
 *   --wait-group GROUP TOPIC...  polls the group's committed offsets every
 *       --interval-ms (100) until they reach the end offsets every
 *       partition had when the wait began (the input is all written
 *       before), and prints the epoch ms at which it saw that. The daemon
 *       commits a Kafka offset only after every output of the records
 *       before it is committed in a Kafka transaction, so this is "every
 *       event processed and its outputs visible". --pid PID: give up (exit
 *       1) as soon as that process is gone.
 *   --count TOPIC...  the number of records a read_committed consumer sees
 *       on each topic (transaction markers and aborted records excluded).
 *   --delete-prefix PREFIX  deletes every topic whose name starts with
 *       PREFIX; PREFIX must start with "ewbench-" so that a slip cannot
 *       delete another engineer's topics.
 *
 * Exit status: 0 done, 1 a Kafka failure or a timeout, 2 bad arguments.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#define PT_META_TIMEOUT_MS 15000
#define PT_ADMIN_TIMEOUT_MS 30000
#define PT_MAX_TOPICS 64

static const char pt_usage[] =
    "usage: ew_bench_passthrough --brokers B [options] TOPIC...\n"
    "  (default)  --group G --out TOPIC --records N [--out-partitions P]\n"
    "             [--linger-ms MS] [--timeout-s S]\n"
    "             copy N records of TOPIC... to --out, report the rate\n"
    "  --wait-group G [--pid PID] [--interval-ms MS] [--timeout-s S]\n"
    "             wait until G's committed offsets reach the end of TOPIC...\n"
    "  --count    count the committed records of TOPIC...\n"
    "  --delete-prefix PREFIX   delete the topics named PREFIX* (ewbench-*)\n";

static volatile sig_atomic_t pt_stop;

static void pt_on_signal(int sig) {
  (void)sig;
  pt_stop = 1;
}

static double pt_now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t pt_epoch_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sets name=value on conf; prints the reason and returns -1 on failure. */
static int pt_set(rd_kafka_conf_t *conf, const char *name, const char *value) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, name, value, errstr, sizeof errstr) ==
      RD_KAFKA_CONF_OK)
    return 0;
  fprintf(stderr, "passthrough: %s=%s: %s\n", name, value, errstr);
  return -1;
}

/* A client of `type` on `brokers` with the pairs of `kv` (NULL-ended), or
 * NULL after printing why. */
static rd_kafka_t *pt_client(rd_kafka_type_t type, const char *brokers,
                             const char *const *kv) {
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (pt_set(conf, "bootstrap.servers", brokers) != 0 ||
      pt_set(conf, "client.id", "ew-bench-passthrough") != 0)
    goto fail;
  for (size_t i = 0; kv && kv[i]; i += 2)
    if (pt_set(conf, kv[i], kv[i + 1]) != 0)
      goto fail;
  rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, sizeof errstr);
  if (!rk) {
    fprintf(stderr, "passthrough: kafka: %s\n", errstr);
    goto fail;
  }
  return rk; /* rd_kafka_new took conf */
fail:
  rd_kafka_conf_destroy(conf);
  return NULL;
}

/* Every partition of `topics` as a list (offsets unset), or NULL after
 * printing why (a topic that does not exist is an error). */
static rd_kafka_topic_partition_list_t *
pt_partitions(rd_kafka_t *rk, char **topics, int ntopics) {
  const struct rd_kafka_metadata *md = NULL;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk, 1, NULL, &md, PT_META_TIMEOUT_MS);
  if (err) {
    fprintf(stderr, "passthrough: metadata: %s\n", rd_kafka_err2str(err));
    return NULL;
  }
  rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(16);
  for (int i = 0; i < ntopics; i++) {
    const struct rd_kafka_metadata_topic *t = NULL;
    for (int j = 0; j < md->topic_cnt; j++)
      if (strcmp(md->topics[j].topic, topics[i]) == 0)
        t = &md->topics[j];
    if (!t || t->err || t->partition_cnt == 0) {
      fprintf(stderr, "passthrough: %s: %s\n", topics[i],
              t && t->err ? rd_kafka_err2str(t->err) : "no such topic");
      rd_kafka_topic_partition_list_destroy(l);
      l = NULL;
      break;
    }
    for (int p = 0; p < t->partition_cnt; p++)
      rd_kafka_topic_partition_list_add(l, topics[i], t->partitions[p].id);
  }
  rd_kafka_metadata_destroy(md);
  return l;
}

/* Fills each element's offset with the partition's high watermark (the last
 * stable offset for a read_committed client). Returns 0 or -1. */
static int pt_end_offsets(rd_kafka_t *rk, rd_kafka_topic_partition_list_t *l) {
  for (int i = 0; i < l->cnt; i++) {
    int64_t lo, hi;
    rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
        rk, l->elems[i].topic, l->elems[i].partition, &lo, &hi,
        PT_META_TIMEOUT_MS);
    if (err) {
      fprintf(stderr, "passthrough: %s[%" PRId32 "]: %s\n", l->elems[i].topic,
              l->elems[i].partition, rd_kafka_err2str(err));
      return -1;
    }
    l->elems[i].offset = hi;
  }
  return 0;
}

/* ---- copy mode ---------------------------------------------------------- */

typedef struct pt_copy {
  int64_t delivered, failed;
  rd_kafka_resp_err_t first_err;
} pt_copy;

static void pt_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m,
                     void *opaque) {
  pt_copy *c = opaque;
  (void)rk;
  if (m->err) {
    if (!c->failed)
      c->first_err = m->err;
    c->failed++;
  } else {
    c->delivered++;
  }
}

/* Creates `topic` with `parts` partitions unless it exists. Returns 0/-1. */
static int pt_create_topic(rd_kafka_t *rk, const char *topic, int parts) {
  char errstr[512];
  int rc = -1;
  rd_kafka_NewTopic_t *nt =
      rd_kafka_NewTopic_new(topic, parts, 1, errstr, sizeof errstr);
  rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
  rd_kafka_event_t *ev = NULL;
  if (!nt) {
    fprintf(stderr, "passthrough: %s: %s\n", topic, errstr);
    goto out;
  }
  rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
  ev = rd_kafka_queue_poll(q, PT_ADMIN_TIMEOUT_MS);
  if (!ev || rd_kafka_event_error(ev)) {
    fprintf(stderr, "passthrough: create %s: %s\n", topic,
            ev ? rd_kafka_event_error_string(ev) : "no answer");
    goto out;
  }
  size_t n = 0;
  const rd_kafka_topic_result_t **tr = rd_kafka_CreateTopics_result_topics(
      rd_kafka_event_CreateTopics_result(ev), &n);
  rd_kafka_resp_err_t err = n ? rd_kafka_topic_result_error(tr[0]) : 0;
  if (err && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
    fprintf(stderr, "passthrough: create %s: %s\n", topic,
            rd_kafka_err2str(err));
    goto out;
  }
  rc = 0;
out:
  if (ev)
    rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  if (nt)
    rd_kafka_NewTopic_destroy(nt);
  return rc;
}

static int pt_run_copy(const char *brokers, const char *group, const char *out,
                       int out_parts, int64_t count, const char *linger,
                       double timeout_s, char **topics, int ntopics) {
  /* Same consumer settings as the daemon's event consumer where they
   * matter for speed (group, cooperative-sticky, read_committed). */
  const char *const ckv[] = {"group.id",
                             group,
                             "partition.assignment.strategy",
                             "cooperative-sticky",
                             "auto.offset.reset",
                             "earliest",
                             "enable.auto.commit",
                             "false",
                             "isolation.level",
                             "read_committed",
                             NULL};
  const char *const pkv[] = {
      "enable.idempotence", "true",           "linger.ms", linger,
      "partitioner",        "murmur2_random", NULL};
  double t0, t_first = -1, t_consumed = -1;
  rd_kafka_t *cons = NULL, *prod = NULL;
  rd_kafka_topic_partition_list_t *sub = NULL;
  pt_copy c = {0, 0, RD_KAFKA_RESP_ERR_NO_ERROR};
  int64_t consumed = 0, bytes = 0, produce_errs = 0;
  int rc = 1;
  char errstr[512];

  /* The output topic exists before the clock starts: the daemon's output
   * topics do too. */
  rd_kafka_t *admin = pt_client(RD_KAFKA_PRODUCER, brokers, NULL);
  if (!admin)
    return 1;
  int created = pt_create_topic(admin, out, out_parts);
  rd_kafka_destroy(admin);
  if (created != 0)
    return 1;

  t0 = pt_now_s();
  rd_kafka_conf_t *pconf = rd_kafka_conf_new();
  if (pt_set(pconf, "bootstrap.servers", brokers) != 0 ||
      pt_set(pconf, "client.id", "ew-bench-passthrough") != 0) {
    rd_kafka_conf_destroy(pconf);
    return 2;
  }
  for (size_t i = 0; pkv[i]; i += 2)
    if (pt_set(pconf, pkv[i], pkv[i + 1]) != 0) {
      rd_kafka_conf_destroy(pconf);
      return 2;
    }
  rd_kafka_conf_set_opaque(pconf, &c);
  rd_kafka_conf_set_dr_msg_cb(pconf, pt_dr_cb);
  prod = rd_kafka_new(RD_KAFKA_PRODUCER, pconf, errstr, sizeof errstr);
  if (!prod) {
    fprintf(stderr, "passthrough: kafka: %s\n", errstr);
    rd_kafka_conf_destroy(pconf);
    goto out;
  }
  cons = pt_client(RD_KAFKA_CONSUMER, brokers, ckv);
  if (!cons)
    goto out;
  rd_kafka_poll_set_consumer(cons);
  sub = rd_kafka_topic_partition_list_new(ntopics);
  for (int i = 0; i < ntopics; i++)
    rd_kafka_topic_partition_list_add(sub, topics[i], RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(cons, sub);
  if (err) {
    fprintf(stderr, "passthrough: subscribe: %s\n", rd_kafka_err2str(err));
    goto out;
  }

  while (!pt_stop && consumed < count) {
    if (pt_now_s() - t0 > timeout_s) {
      fprintf(stderr,
              "passthrough: timed out after %.0f s: %" PRId64 " of %" PRId64
              " records consumed\n",
              timeout_s, consumed, count);
      goto out;
    }
    rd_kafka_message_t *m = rd_kafka_consumer_poll(cons, 100);
    rd_kafka_poll(prod, 0);
    if (!m)
      continue;
    if (m->err) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
        fprintf(stderr, "passthrough: consume: %s\n",
                rd_kafka_message_errstr(m));
      int fatal = m->err == RD_KAFKA_RESP_ERR__FATAL;
      rd_kafka_message_destroy(m);
      if (fatal)
        goto out;
      continue;
    }
    if (t_first < 0)
      t_first = pt_now_s();
    rd_kafka_headers_t *h = NULL, *hc = NULL;
    if (rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR)
      hc = rd_kafka_headers_copy(h);
    for (;;) {
      err = rd_kafka_producev(prod, RD_KAFKA_V_TOPIC(out),
                              RD_KAFKA_V_KEY(m->key, m->key_len),
                              RD_KAFKA_V_VALUE(m->payload, m->len),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                              RD_KAFKA_V_HEADERS(hc), RD_KAFKA_V_END);
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
        break;
      rd_kafka_poll(prod, 10);
    }
    if (err) {
      /* The headers are still ours when producev failed. */
      if (hc)
        rd_kafka_headers_destroy(hc);
      if (!produce_errs++)
        fprintf(stderr, "passthrough: produce: %s\n", rd_kafka_err2str(err));
    }
    bytes += (int64_t)(m->len + m->key_len);
    consumed++;
    rd_kafka_message_destroy(m);
  }
  t_consumed = pt_now_s();
  while (!pt_stop && c.delivered + c.failed + produce_errs < consumed &&
         pt_now_s() - t0 <= timeout_s)
    rd_kafka_poll(prod, 50);
  double t_end = pt_now_s();
  if (c.delivered != count) {
    fprintf(stderr,
            "passthrough: %" PRId64 " of %" PRId64
            " records delivered (%" PRId64 " failed%s%s)\n",
            c.delivered, count, c.failed + produce_errs,
            c.failed ? ", first: " : "",
            c.failed ? rd_kafka_err2str(c.first_err) : "");
    goto out;
  }
  double wall = t_end - t0, from_first = t_end - t_first;
  fprintf(stderr,
          "passthrough: %" PRId64 " records (%.1f MB) in %.3f s: %.0f "
          "records/s, %.2f MB/s (%.0f records/s from the first record)\n",
          count, (double)bytes / 1e6, wall, (double)count / wall,
          (double)bytes / 1e6 / wall, (double)count / from_first);
  printf("{\"records\": %" PRId64 ", \"bytes\": %" PRId64
         ", \"wall_s\": %.3f, \"records_per_s\": %.1f, \"mb_per_s\": %.3f, "
         "\"first_record_s\": %.3f, \"consume_done_s\": %.3f, "
         "\"records_per_s_from_first\": %.1f, \"linger_ms\": %s}\n",
         count, bytes, wall, (double)count / wall, (double)bytes / 1e6 / wall,
         t_first - t0, t_consumed - t0, (double)count / from_first, linger);
  rc = 0;
out:
  if (sub)
    rd_kafka_topic_partition_list_destroy(sub);
  if (cons) {
    rd_kafka_consumer_close(cons);
    rd_kafka_destroy(cons);
  }
  if (prod) {
    rd_kafka_flush(prod, 5000);
    rd_kafka_destroy(prod);
  }
  return rc;
}

/* ---- wait-group mode ---------------------------------------------------- */

/* Whether process `pid` still runs. A dead child of bench.sh stays a zombie
 * until the script waits for it, and kill(pid, 0) succeeds on a zombie, so
 * its state in /proc is read instead. */
static int pt_alive(long pid) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%ld/stat", pid);
  FILE *fp = fopen(path, "r");
  if (!fp)
    return 0;
  size_t n = fread(buf, 1, sizeof buf - 1, fp);
  fclose(fp);
  buf[n] = '\0';
  const char *p = strrchr(buf, ')'); /* the name may hold spaces */
  return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

static int pt_run_wait(const char *brokers, const char *group, long pid,
                       int interval_ms, double timeout_s, char **topics,
                       int ntopics) {
  /* group.id only names the group whose offsets are fetched: this client
   * never subscribes, so it never joins nor disturbs the daemon's group. */
  const char *const kv[] = {"group.id", group, "enable.auto.commit", "false",
                            NULL};
  double t0 = pt_now_s(), next_log = t0 + 10;
  rd_kafka_topic_partition_list_t *end = NULL, *com = NULL;
  int rc = 1;
  rd_kafka_t *rk = pt_client(RD_KAFKA_CONSUMER, brokers, kv);
  if (!rk)
    return 1;
  end = pt_partitions(rk, topics, ntopics);
  if (!end || pt_end_offsets(rk, end) != 0)
    goto out;
  int64_t total = 0;
  for (int i = 0; i < end->cnt; i++)
    total += end->elems[i].offset;
  com = rd_kafka_topic_partition_list_copy(end);
  while (!pt_stop) {
    if (pid > 0 && !pt_alive(pid)) {
      fprintf(stderr, "passthrough: process %ld is gone\n", pid);
      goto out;
    }
    for (int i = 0; i < com->cnt; i++)
      com->elems[i].offset = RD_KAFKA_OFFSET_INVALID;
    rd_kafka_resp_err_t err = rd_kafka_committed(rk, com, 5000);
    int64_t done = 0;
    int all = err == RD_KAFKA_RESP_ERR_NO_ERROR;
    for (int i = 0; i < com->cnt && !err; i++) {
      int64_t o = com->elems[i].offset;
      if (o >= 0)
        done += o < end->elems[i].offset ? o : end->elems[i].offset;
      /* Nothing is ever committed for an empty partition. */
      if (o < end->elems[i].offset && end->elems[i].offset > 0)
        all = 0;
    }
    if (all) {
      printf("{\"done_epoch_ms\": %" PRId64 ", \"records\": %" PRId64
             ", \"waited_s\": %.3f}\n",
             pt_epoch_ms(), total, pt_now_s() - t0);
      rc = 0;
      goto out;
    }
    double now = pt_now_s();
    if (now - t0 > timeout_s) {
      fprintf(stderr,
              "passthrough: timed out after %.0f s: group %s at %" PRId64
              " of %" PRId64 "\n",
              timeout_s, group, done, total);
      goto out;
    }
    if (now >= next_log) {
      fprintf(stderr,
              "passthrough: group %s committed %" PRId64 " of %" PRId64
              "%s%s\n",
              group, done, total, err ? ": " : "",
              err ? rd_kafka_err2str(err) : "");
      next_log = now + 10;
    }
    struct timespec ts = {interval_ms / 1000, (interval_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
  }
out:
  if (com)
    rd_kafka_topic_partition_list_destroy(com);
  if (end)
    rd_kafka_topic_partition_list_destroy(end);
  rd_kafka_destroy(rk);
  return rc;
}

/* ---- count mode --------------------------------------------------------- */

static int pt_run_count(const char *brokers, char **topics, int ntopics) {
  /* Direct assignment: no group join, nothing committed. The stop rule is
   * tail's: a partition is done at its end offset or at its EOF event (its
   * last offsets may be commit markers, which are never delivered). */
  const char *const kv[] = {
      "group.id",        "ew-bench-count",       "enable.auto.commit",
      "false",           "enable.partition.eof", "true",
      "isolation.level", "read_committed",       NULL};
  int rc = 1;
  rd_kafka_topic_partition_list_t *l = NULL;
  int64_t *per_topic = calloc((size_t)ntopics, sizeof *per_topic);
  int64_t *hi = NULL;
  char *done = NULL;
  rd_kafka_t *rk = pt_client(RD_KAFKA_CONSUMER, brokers, kv);
  if (!rk || !per_topic)
    goto out;
  l = pt_partitions(rk, topics, ntopics);
  if (!l || pt_end_offsets(rk, l) != 0)
    goto out;
  hi = calloc((size_t)l->cnt, sizeof *hi);
  done = calloc((size_t)l->cnt, 1);
  if (!hi || !done)
    goto out;
  int ndone = 0;
  for (int i = 0; i < l->cnt; i++) {
    hi[i] = l->elems[i].offset;
    l->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
    if (hi[i] == 0) {
      done[i] = 1;
      ndone++;
    }
  }
  rd_kafka_resp_err_t err = rd_kafka_assign(rk, l);
  if (err) {
    fprintf(stderr, "passthrough: assign: %s\n", rd_kafka_err2str(err));
    goto out;
  }
  double t0 = pt_now_s();
  while (!pt_stop && ndone < l->cnt) {
    if (pt_now_s() - t0 > 300) {
      fprintf(stderr, "passthrough: count timed out\n");
      goto out;
    }
    rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
    if (!m)
      continue;
    int i = 0;
    while (i < l->cnt &&
           (strcmp(l->elems[i].topic, rd_kafka_topic_name(m->rkt)) != 0 ||
            l->elems[i].partition != m->partition))
      i++;
    if (i == l->cnt || done[i]) {
      rd_kafka_message_destroy(m);
      continue;
    }
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->offset < hi[i]) {
      for (int t = 0; t < ntopics; t++)
        if (strcmp(topics[t], l->elems[i].topic) == 0)
          per_topic[t]++;
    } else if (m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      fprintf(stderr, "passthrough: %s\n", rd_kafka_message_errstr(m));
      rd_kafka_message_destroy(m);
      goto out;
    }
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF || m->offset + 1 >= hi[i]) {
      done[i] = 1;
      ndone++;
    }
    rd_kafka_message_destroy(m);
  }
  printf("{");
  for (int t = 0; t < ntopics; t++)
    printf("%s\"%s\": %" PRId64, t ? ", " : "", topics[t], per_topic[t]);
  printf("}\n");
  rc = 0;
out:
  if (l)
    rd_kafka_topic_partition_list_destroy(l);
  free(per_topic);
  free(hi);
  free(done);
  if (rk) {
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
  }
  return rc;
}

/* ---- delete mode -------------------------------------------------------- */

static int pt_run_delete(const char *brokers, const char *prefix) {
  const struct rd_kafka_metadata *md = NULL;
  rd_kafka_DeleteTopic_t *del[1024];
  size_t n = 0;
  int rc = 1;
  rd_kafka_queue_t *q = NULL;
  rd_kafka_event_t *ev = NULL;
  rd_kafka_t *rk = pt_client(RD_KAFKA_PRODUCER, brokers, NULL);
  if (!rk)
    return 1;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk, 1, NULL, &md, PT_META_TIMEOUT_MS);
  if (err) {
    fprintf(stderr, "passthrough: metadata: %s\n", rd_kafka_err2str(err));
    goto out;
  }
  for (int i = 0; i < md->topic_cnt && n < sizeof del / sizeof del[0]; i++)
    if (strncmp(md->topics[i].topic, prefix, strlen(prefix)) == 0)
      del[n++] = rd_kafka_DeleteTopic_new(md->topics[i].topic);
  if (n > 0) {
    q = rd_kafka_queue_new(rk);
    rd_kafka_DeleteTopics(rk, del, n, NULL, q);
    ev = rd_kafka_queue_poll(q, PT_ADMIN_TIMEOUT_MS);
    if (!ev || rd_kafka_event_error(ev)) {
      fprintf(stderr, "passthrough: delete: %s\n",
              ev ? rd_kafka_event_error_string(ev) : "no answer");
      goto out;
    }
  }
  printf("{\"deleted\": %zu}\n", n);
  rc = 0;
out:
  for (size_t i = 0; i < n; i++)
    rd_kafka_DeleteTopic_destroy(del[i]);
  if (ev)
    rd_kafka_event_destroy(ev);
  if (q)
    rd_kafka_queue_destroy(q);
  if (md)
    rd_kafka_metadata_destroy(md);
  rd_kafka_destroy(rk);
  return rc;
}

/* ---- main --------------------------------------------------------------- */

static int pt_num(const char *opt, const char *s, int64_t min, int64_t *out) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end || v < min) {
    fprintf(stderr, "passthrough: %s: bad number '%s'\n", opt, s);
    return -1;
  }
  *out = v;
  return 0;
}

int main(int argc, char **argv) {
  const char *brokers = NULL, *group = NULL, *out = NULL, *wait_group = NULL;
  const char *prefix = NULL, *linger = "5";
  int64_t count = -1, out_parts = 3, pid = 0, interval = 100, timeout = 600;
  int count_mode = 0, ntopics = 0;
  char *topics[PT_MAX_TOPICS];

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    int64_t *num = NULL, min = 0;
    const char **str = NULL;
    if (strcmp(a, "--count") == 0) {
      count_mode = 1;
      continue;
    }
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      fputs(pt_usage, stdout);
      return 0;
    }
    if (strcmp(a, "--brokers") == 0)
      str = &brokers;
    else if (strcmp(a, "--group") == 0)
      str = &group;
    else if (strcmp(a, "--out") == 0)
      str = &out;
    else if (strcmp(a, "--wait-group") == 0)
      str = &wait_group;
    else if (strcmp(a, "--delete-prefix") == 0)
      str = &prefix;
    else if (strcmp(a, "--linger-ms") == 0)
      str = &linger;
    else if (strcmp(a, "--records") == 0)
      num = &count, min = 1;
    else if (strcmp(a, "--out-partitions") == 0)
      num = &out_parts, min = 1;
    else if (strcmp(a, "--pid") == 0)
      num = &pid, min = 1;
    else if (strcmp(a, "--interval-ms") == 0)
      num = &interval, min = 1;
    else if (strcmp(a, "--timeout-s") == 0)
      num = &timeout, min = 1;
    else if (a[0] == '-' && a[1] == '-') {
      fprintf(stderr, "passthrough: unknown option %s\n%s", a, pt_usage);
      return 2;
    } else {
      if (ntopics == PT_MAX_TOPICS) {
        fprintf(stderr, "passthrough: too many topics\n");
        return 2;
      }
      topics[ntopics++] = argv[i];
      continue;
    }
    if (!v) {
      fprintf(stderr, "passthrough: %s needs a value\n", a);
      return 2;
    }
    i++;
    if (str)
      *str = v;
    else if (pt_num(a, v, min, num) != 0)
      return 2;
  }
  if (!brokers) {
    fprintf(stderr, "passthrough: --brokers is required\n%s", pt_usage);
    return 2;
  }

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = pt_on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  if (prefix) {
    if (strncmp(prefix, "ewbench-", 8) != 0 || strlen(prefix) < 12) {
      fprintf(stderr, "passthrough: --delete-prefix must start with "
                      "'ewbench-' and name one run\n");
      return 2;
    }
    return pt_run_delete(brokers, prefix);
  }
  if (ntopics == 0) {
    fprintf(stderr, "passthrough: no topic\n%s", pt_usage);
    return 2;
  }
  if (count_mode)
    return pt_run_count(brokers, topics, ntopics);
  if (wait_group)
    return pt_run_wait(brokers, wait_group, (long)pid, (int)interval,
                       (double)timeout, topics, ntopics);
  if (!group || !out || count < 1) {
    fprintf(stderr,
            "passthrough: --group, --out and --records N are required "
            "to copy\n%s",
            pt_usage);
    return 2;
  }
  return pt_run_copy(brokers, group, out, (int)out_parts, count, linger,
                     (double)timeout, topics, ntopics);
}
