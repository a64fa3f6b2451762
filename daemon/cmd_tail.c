/*
 * cmd_tail.c - `enforcewatch tail`: a topic's records as JSON Lines.
 *
 * Every partition of the topic is assigned directly (no group join, no
 * offset commit), so tail never disturbs the daemon's consumer group and
 * always sees the whole topic. librdkafka needs a group.id for
 * rd_kafka_assign and rd_kafka_consumer_poll even so; the one set here is
 * never joined and never committed to.
 *
 * Without --follow, tail stops at the end each partition had when it
 * started: the high watermarks queried at start, which under read_committed
 * are the last stable offsets. A partition is done when a record at or past
 * its watermark - 1 arrives, or when librdkafka reports its end (needed
 * because the last offsets of a transactional topic are commit markers that
 * are never delivered).
 *
 * Values are decoded into records and printed as the JSON Lines of
 * contract §7 ("kind" for outputs, "type" for inputs, so the output of
 * tail on an input topic can be sent again). A null value on a reference
 * topic prints as the tombstone line {"type":..., id, "deleted":true}. The
 * dead-letter topic holds bytes that did not decode, so its records print
 * as {"topic", "partition", "offset", "key", "headers", "value_base64"}.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

#include <signal.h>
#include <time.h>

#include <jansson.h>

#include "arena.h"
#include "config.h"
#include "ewtime.h"
#include "consumers/avro_decode.h"
#include "producers/jsonl_writer.h"
#include "record.h"
#include "schemas/schema_registry.h"

#define TAIL_METADATA_TIMEOUT_MS 15000
#define TAIL_POLL_MS 100

static const char tail_usage[] =
    "usage: enforcewatch tail [--config FILE] [--from-beginning] [--max N]\n"
    "                         [--timeout-ms MS] [--follow] [--pretty] TOPIC\n"
    "\n"
    "Prints the committed records of TOPIC (all partitions, no consumer\n"
    "group) as JSON Lines on standard output; dead-letter records print with\n"
    "their key, headers and the value in base64.\n"
    "\n"
    "  --config FILE     brokers, topics and kafka properties from this file\n"
    "  --from-beginning  start at the oldest record (default: at the end)\n"
    "  --max N           stop after N records\n"
    "  --timeout-ms MS   stop when no record arrived for MS milliseconds\n"
    "  --follow          keep waiting for new records (default: stop at the\n"
    "                    end the partitions had at start)\n"
    "  --pretty          alerts as one readable line each, for a person at a\n"
    "                    terminal (other records stay JSON)\n"
    "\n"
    "Exit status: 0 done, 1 the topic or the broker failed, 2 bad arguments\n"
    "or configuration.\n";

static volatile sig_atomic_t tail_stop;

static void tail_on_signal(int sig) {
  (void)sig;
  tail_stop = 1;
}

typedef struct tail_part {
  int32_t id;
  int64_t lo, hi; /* watermarks at start */
  int done;       /* reached hi (only without --follow) */
} tail_part;

typedef struct tail_ctx {
  ew_config cfg;
  const char *topic;
  int kind; /* ew_rkind of the topic, or -1 */
  int deadletter;
  int pretty;
  ew_schemas *schemas;
  ew_decoder *dec;
  ew_arena arena;
  rd_kafka_t *rk;
  tail_part *parts;
  int nparts, ndone;
} tail_ctx;

static int64_t tail_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *tail_base64(const unsigned char *p, size_t n) {
  static const char tab[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
  if (!out)
    return NULL;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16;
    if (i + 1 < n)
      v |= (uint32_t)p[i + 1] << 8;
    if (i + 2 < n)
      v |= p[i + 2];
    *o++ = tab[v >> 18 & 63];
    *o++ = tab[v >> 12 & 63];
    *o++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
    *o++ = i + 2 < n ? tab[v & 63] : '=';
  }
  *o = '\0';
  return out;
}

/* Bytes as a JSON string when they are UTF-8 text (keys and x-error-*
 * headers are), else as {"base64": "..."}; NULL bytes as null. */
static json_t *tail_bytes(const void *p, size_t n) {
  if (!p)
    return json_null();
  json_t *s = json_stringn(p, n);
  if (s)
    return s;
  char *b = tail_base64(p, n);
  json_t *o = b ? json_pack("{ss}", "base64", b) : NULL;
  free(b);
  return o;
}

static int tail_print_json(json_t *o) {
  if (!o)
    return -1;
  int rc = json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(o);
  return rc == 0 && fputc('\n', stdout) != EOF ? 0 : -1;
}

static int tail_print_deadletter(const rd_kafka_message_t *m) {
  rd_kafka_headers_t *hdrs = NULL;
  json_t *o = json_object(), *h = json_object();
  char *b64 = NULL;
  if (!o || !h)
    goto fail;
  json_object_set_new(o, "topic", json_string(rd_kafka_topic_name(m->rkt)));
  json_object_set_new(o, "partition", json_integer(m->partition));
  json_object_set_new(o, "offset", json_integer(m->offset));
  json_object_set_new(o, "key", tail_bytes(m->key, m->key_len));
  if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char *name;
    const void *val;
    size_t len;
    for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &val, &len) ==
                       RD_KAFKA_RESP_ERR_NO_ERROR;
         i++) {
      json_t *v = tail_bytes(val, len), *prev = json_object_get(h, name);
      /* A repeated header keeps every value, in order. */
      if (json_is_array(prev)) {
        json_array_append_new(prev, v);
      } else if (prev) {
        json_t *a = json_pack("[O]", prev);
        json_array_append_new(a, v);
        json_object_set_new(h, name, a);
      } else {
        json_object_set_new(h, name, v);
      }
    }
  }
  json_object_set_new(o, "headers", h);
  h = NULL;
  if (m->payload) {
    b64 = tail_base64(m->payload, m->len);
    if (!b64)
      goto fail;
    json_object_set_new(o, "value_base64", json_string(b64));
  } else {
    json_object_set_new(o, "value_base64", json_null());
  }
  free(b64);
  return tail_print_json(o);
fail:
  free(b64);
  json_decref(h);
  json_decref(o);
  return -1;
}

/* A null value on a reference topic, in the tombstone form that
 * `enforcewatch send` and `check` read. */
static int tail_print_tombstone(tail_ctx *tx, const rd_kafka_message_t *m) {
  const ew_rtype *t = tx->kind >= 0 ? ew_rtype_of((ew_rkind)tx->kind) : NULL;
  if (!t || !ew_rkind_is_ref((ew_rkind)tx->kind) || !t->id_field) {
    fprintf(stderr, "tail: %s [%" PRId32 "] @%" PRId64 ": null value\n",
            tx->topic, m->partition, m->offset);
    return 0;
  }
  json_t *o = json_object();
  if (!o)
    return -1;
  json_object_set_new(o, "type", json_string(t->name));
  json_object_set_new(o, t->id_field, tail_bytes(m->key, m->key_len));
  json_object_set_new(o, "deleted", json_true());
  return tail_print_json(o);
}

/* The line a supervisor reads at a terminal: when, how bad, which rule,
 * the message, then what was observed against the limit. */
static int tail_print_alert_pretty(const ew_alert *a) {
  char when[EW_TIME_BUFSZ];
  printf("%s %-8s %-4s %-9s %s", ew_time_format(a->detected_at, when),
         ew_enum_name(&ew_enum_severity, a->severity), a->rule_id,
         ew_enum_name(&ew_enum_alert_status, a->status), a->message);
  printf("\n    %s %s;", ew_enum_name(&ew_enum_subject_type, a->subject_type),
         a->subject_id);
  for (size_t i = 0; i < a->facts.n; i++)
    printf(" %s=%s", a->facts.v[i].key, a->facts.v[i].value);
  printf("\n    依据: %s\n", a->legal_basis);
  return fflush(stdout) == 0 && !ferror(stdout) ? 0 : -1;
}

/* Prints one record. Returns 0 (also when it does not decode: that is
 * reported on stderr), or -1 when stdout fails. */
static int tail_print(tail_ctx *tx, const rd_kafka_message_t *m) {
  char errstr[512];
  ew_record rec;
  if (tx->deadletter)
    return tail_print_deadletter(m);
  if (!m->payload)
    return tail_print_tombstone(tx, m);
  ew_arena_reset(&tx->arena);
  ew_decode_error err = ew_decode(tx->dec, m->payload, m->len, EW_REC_COUNT,
                                  &rec, &tx->arena, errstr, sizeof errstr);
  if (err != EW_DECODE_OK) {
    fprintf(stderr, "tail: %s [%" PRId32 "] @%" PRId64 ": %s: %s\n", tx->topic,
            m->partition, m->offset, ew_decode_error_code(err), errstr);
    return 0;
  }
  if (tx->pretty && rec.kind == EW_REC_ALERT)
    return tail_print_alert_pretty(&rec.u.alert);
  int output = rec.kind == EW_REC_ALERT || rec.kind == EW_REC_NOTICE ||
               rec.kind == EW_REC_STATS;
  return ew_jsonl_write(stdout, &rec,
                        output ? EW_JSON_TAG_KIND : EW_JSON_TAG_TYPE);
}

static tail_part *tail_part_of(tail_ctx *tx, int32_t id) {
  for (int i = 0; i < tx->nparts; i++)
    if (tx->parts[i].id == id)
      return &tx->parts[i];
  return NULL;
}

static void tail_part_done(tail_ctx *tx, tail_part *p) {
  if (p && !p->done) {
    p->done = 1;
    tx->ndone++;
  }
}

/* Finds the topic's partitions and their watermarks. Returns 0 or -1. */
static int tail_partitions(tail_ctx *tx) {
  const struct rd_kafka_metadata *md = NULL;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(tx->rk, 1, NULL, &md, TAIL_METADATA_TIMEOUT_MS);
  int rc = -1;
  if (err) {
    fprintf(stderr, "tail: cannot read the cluster metadata from %s: %s\n",
            tx->cfg.brokers, rd_kafka_err2str(err));
    return -1;
  }
  const struct rd_kafka_metadata_topic *t = NULL;
  for (int i = 0; i < md->topic_cnt; i++)
    if (strcmp(md->topics[i].topic, tx->topic) == 0)
      t = &md->topics[i];
  if (!t || t->err || t->partition_cnt == 0) {
    fprintf(stderr, "tail: %s: %s\n", tx->topic,
            t && t->err ? rd_kafka_err2str(t->err) : "no such topic");
    goto out;
  }
  tx->parts = calloc((size_t)t->partition_cnt, sizeof *tx->parts);
  if (!tx->parts) {
    fprintf(stderr, "tail: out of memory\n");
    goto out;
  }
  tx->nparts = t->partition_cnt;
  for (int i = 0; i < t->partition_cnt; i++) {
    tail_part *p = &tx->parts[i];
    p->id = t->partitions[i].id;
    err = rd_kafka_query_watermark_offsets(tx->rk, tx->topic, p->id, &p->lo,
                                           &p->hi, TAIL_METADATA_TIMEOUT_MS);
    if (err) {
      fprintf(stderr, "tail: %s [%" PRId32 "]: cannot read the offsets: %s\n",
              tx->topic, p->id, rd_kafka_err2str(err));
      goto out;
    }
  }
  rc = 0;
out:
  rd_kafka_metadata_destroy(md);
  return rc;
}

static int tail_assign(tail_ctx *tx, int from_beginning) {
  rd_kafka_topic_partition_list_t *l =
      rd_kafka_topic_partition_list_new(tx->nparts);
  for (int i = 0; i < tx->nparts; i++)
    rd_kafka_topic_partition_list_add(l, tx->topic, tx->parts[i].id)->offset =
        from_beginning ? RD_KAFKA_OFFSET_BEGINNING : tx->parts[i].hi;
  rd_kafka_resp_err_t err = rd_kafka_assign(tx->rk, l);
  rd_kafka_topic_partition_list_destroy(l);
  if (err) {
    fprintf(stderr, "tail: %s: cannot assign the partitions: %s\n", tx->topic,
            rd_kafka_err2str(err));
    return -1;
  }
  return 0;
}

/* Errors that mean the topic cannot be read at all, as opposed to the
 * transient ones librdkafka retries by itself. */
static int tail_fatal_error(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR__FATAL ||
         err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
         err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
         err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION ||
         err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
         err == RD_KAFKA_RESP_ERR__AUTHENTICATION;
}

static int tail_loop(tail_ctx *tx, int follow, int64_t max, int64_t idle_ms) {
  int64_t count = 0, last = tail_now_ms();
  while (!tail_stop) {
    if (!follow && tx->ndone == tx->nparts)
      return 0;
    if (max > 0 && count >= max)
      return 0;
    rd_kafka_message_t *m = rd_kafka_consumer_poll(tx->rk, TAIL_POLL_MS);
    if (!m) {
      if (fflush(stdout) != 0)
        goto stdout_failed;
      if (idle_ms > 0 && tail_now_ms() - last >= idle_ms)
        return 0;
      continue;
    }
    tail_part *p = tail_part_of(tx, m->partition);
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (!follow)
        tail_part_done(tx, p);
      rd_kafka_message_destroy(m);
      continue;
    }
    if (m->err) {
      fprintf(stderr, "tail: %s: %s\n", tx->topic, rd_kafka_message_errstr(m));
      int fatal = tail_fatal_error(m->err);
      rd_kafka_message_destroy(m);
      if (fatal)
        return -1;
      continue;
    }
    /* Past the start's end of a partition: not ours without --follow. */
    if (!follow && p && m->offset >= p->hi) {
      tail_part_done(tx, p);
      rd_kafka_message_destroy(m);
      continue;
    }
    last = tail_now_ms();
    int rc = tail_print(tx, m);
    count++;
    if (!follow && p && m->offset + 1 >= p->hi)
      tail_part_done(tx, p);
    rd_kafka_message_destroy(m);
    if (rc != 0)
      goto stdout_failed;
  }
  return 0;
stdout_failed:
  fprintf(stderr, "tail: stdout: %s\n", strerror(errno ? errno : EIO));
  return -1;
}

int ew_cmd_tail(int argc, char **argv) {
  const char *config_path = NULL, *max_arg = NULL, *timeout_arg = NULL;
  int from_beginning = 0, follow = 0, pretty = 0;
  const ew_cli_opt opts[] = {
      {"config", &config_path, NULL}, {"from-beginning", NULL, &from_beginning},
      {"max", &max_arg, NULL},        {"timeout-ms", &timeout_arg, NULL},
      {"follow", NULL, &follow},      {"pretty", NULL, &pretty}};
  static const char *const pre[] = {"auto.offset.reset", "earliest", NULL};
  /* No group join and no commit (see the top of the file); the stop logic
   * needs the end-of-partition events; read_committed is the contract. */
  static const char *const post[] = {"group.id",
                                     "enforcewatch-tail",
                                     "enable.auto.commit",
                                     "false",
                                     "enable.auto.offset.store",
                                     "false",
                                     "enable.partition.eof",
                                     "true",
                                     "isolation.level",
                                     "read_committed",
                                     NULL};
  tail_ctx tx;
  char errstr[512];
  rd_kafka_conf_t *conf = NULL;
  int64_t max = 0, idle_ms = 0;
  int rc = EW_EXIT_FAIL, n;
  struct sigaction sa, old_int, old_term;

  memset(&tx, 0, sizeof tx);
  n = ew_cli_parse(argc, argv, opts, sizeof opts / sizeof opts[0]);
  if (n == EW_CLI_HELP) {
    fputs(tail_usage, stdout);
    return EW_EXIT_OK;
  }
  if (n >= 0 && n != 1) {
    fprintf(stderr, "tail: expected one topic\n");
    n = -1;
  }
  if (n >= 0 && max_arg &&
      ew_cli_int("tail", "max", max_arg, 1, INT64_MAX, &max) != 0)
    n = -1;
  if (n >= 0 && timeout_arg &&
      ew_cli_int("tail", "timeout-ms", timeout_arg, 1, INT64_MAX, &idle_ms) !=
          0)
    n = -1;
  if (n < 0) {
    fputs(tail_usage, stderr);
    return EW_EXIT_USAGE;
  }
  tx.topic = argv[1];
  if (ew_cli_config(&tx.cfg, "tail", config_path) != 0)
    return EW_EXIT_USAGE;
  tx.kind = ew_config_kind_of_topic(&tx.cfg, tx.topic);
  tx.pretty = pretty;
  tx.deadletter = tx.cfg.topics.deadletter &&
                  strcmp(tx.cfg.topics.deadletter, tx.topic) == 0;
  conf = ew_cli_kafka_conf(&tx.cfg, "tail", pre, post);
  if (!conf) {
    rc = EW_EXIT_USAGE;
    goto out;
  }
  if (!tx.deadletter) {
    if (ew_cli_schemas(&tx.cfg, "tail", &tx.schemas) != 0)
      goto out;
    if (ew_decoder_new(&tx.dec, tx.schemas, 0) != 0) {
      fprintf(stderr, "tail: cannot create the Avro decoder\n");
      goto out;
    }
  }

  tx.rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (!tx.rk) {
    fprintf(stderr, "tail: kafka: %s\n", errstr);
    goto out;
  }
  conf = NULL; /* rd_kafka_new took it */
  if (tail_partitions(&tx) != 0)
    goto out;
  /* Without --follow, starting at the end means being done already, and an
   * empty partition has nothing to wait for. */
  for (int i = 0; i < tx.nparts && !follow; i++)
    if (!from_beginning || tx.parts[i].lo >= tx.parts[i].hi)
      tail_part_done(&tx, &tx.parts[i]);
  if (tail_assign(&tx, from_beginning) != 0)
    goto out;

  tail_stop = 0;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = tail_on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  if (tail_loop(&tx, follow, max, idle_ms) == 0)
    rc = EW_EXIT_OK;
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);

out:
  if (fflush(stdout) != 0 && rc == EW_EXIT_OK) {
    fprintf(stderr, "tail: stdout: %s\n", strerror(errno));
    rc = EW_EXIT_FAIL;
  }
  if (conf)
    rd_kafka_conf_destroy(conf);
  if (tx.rk) {
    rd_kafka_consumer_close(tx.rk);
    rd_kafka_destroy(tx.rk);
  }
  free(tx.parts);
  ew_decoder_destroy(tx.dec);
  ew_schemas_destroy(tx.schemas);
  ew_config_free(&tx.cfg);
  ew_arena_free(&tx.arena);
  return rc;
}
