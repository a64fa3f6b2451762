/*
 * cmd_send.c - `enforcewatch send`: JSON Lines files onto their Kafka topics.
 *
 * Each line is Avro-encoded with the schema of its type, Confluent-framed,
 * and produced to the configured topic of that type with the key of
 * contract §2, exactly as a department's feed would. A reference tombstone
 * ("deleted": true) becomes a null value under the record's id.
 *
 * The producer is idempotent, so a retry inside librdkafka cannot duplicate
 * or reorder a record; every delivery report is checked, and the counts on
 * stderr are of records the broker acknowledged. Partitioning is murmur2,
 * the Java client's, so a key lands on the partition a Java feed would pick.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

#include "arena.h"
#include "config.h"
#include "consumers/jsonl_reader.h"
#include "producers/avro_encode.h"
#include "record.h"
#include "schemas/schema_registry.h"

static const char send_usage[] =
    "usage: enforcewatch send [--config FILE] FILE...\n"
    "\n"
    "Encodes each JSON line of the files (\"-\" is standard input) as Avro\n"
    "and produces it to the topic of its type, keyed as in the data\n"
    "contract; a reference line with \"deleted\": true becomes a tombstone.\n"
    "Bad lines are reported on standard error as FILE:LINE: reason.\n"
    "\n"
    "  --config FILE  brokers, topics and kafka properties from this file\n"
    "\n"
    "Exit status: 0 every line delivered, 1 a bad line, an unreadable file or\n"
    "a failed delivery, 2 bad arguments or configuration.\n";

/* What a delivery report needs to name the line it is about; one per
 * produced message, freed by the report. */
typedef struct send_msg {
  const char *file;
  int64_t line;
  const char *topic; /* owned by the configuration */
} send_msg;

typedef struct send_ctx {
  ew_config cfg;
  ew_schemas *schemas;
  ew_encoder *enc;
  rd_kafka_t *rk;
  ew_arena arena;
  int64_t nbad, ndelivered, nfailed;
  const char *topics[EW_REC_COUNT]; /* distinct topics delivered to */
  size_t ntopics;
  int fatal; /* the producer hit a fatal error */
} send_ctx;

/* The Kafka key of contract §2 (design.md "Wire format decisions"). */
static const char *send_key(const ew_record *rec) {
  const char *k;
  switch (rec->kind) {
  case EW_REC_INSPECTION:
    return rec->u.inspection.enterprise_uscc;
  case EW_REC_COMPLAINT:
    return rec->u.complaint.complaint_id;
  case EW_REC_PENALTY:
    return rec->u.penalty.enterprise_uscc;
  case EW_REC_FEEDBACK:
    return rec->u.feedback.notice_id;
  case EW_REC_ALERT:
    k = rec->u.alert.agency_uscc;
    return k ? k : "";
  case EW_REC_NOTICE:
    return rec->u.notice.recipient_agency_uscc;
  case EW_REC_STATS:
    return rec->u.stats.agency_uscc;
  default:
    return ew_record_id(rec);
  }
}

static void send_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m,
                       void *opaque) {
  send_ctx *sx = opaque;
  send_msg *msg = m->_private;
  (void)rk;
  if (m->err) {
    fprintf(stderr, "%s:%" PRId64 ": delivery to %s failed: %s\n", msg->file,
            msg->line, msg->topic, rd_kafka_err2str(m->err));
    sx->nfailed++;
  } else {
    size_t i = 0;
    while (i < sx->ntopics && strcmp(sx->topics[i], msg->topic) != 0)
      i++;
    if (i == sx->ntopics && i < EW_REC_COUNT)
      sx->topics[sx->ntopics++] = msg->topic;
    sx->ndelivered++;
  }
  free(msg);
}

static void send_error_cb(rd_kafka_t *rk, int err, const char *reason,
                          void *opaque) {
  send_ctx *sx = opaque;
  char buf[512];
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    rd_kafka_fatal_error(rk, buf, sizeof buf);
    fprintf(stderr, "send: kafka: fatal: %s\n", buf);
    sx->fatal = 1;
    return;
  }
  /* Transient (a broker down, a timeout): librdkafka retries by itself, but
   * without this line a send to a dead broker is silent until it fails.
   * A failed connection is logged by librdkafka already (FAIL). */
  if (err != RD_KAFKA_RESP_ERR__TRANSPORT)
    fprintf(stderr, "send: kafka: %s\n", reason);
}

/* Encodes and produces one line (an ew_cli_line_fn). Returns 0 (also for a
 * bad line) or -1 when the send cannot go on. */
static int send_line(void *ud, const char *name, int64_t lineno,
                     const char *line, size_t len) {
  send_ctx *sx = ud;
  char errstr[512];
  ew_record rec;
  int tombstone = 0, rc;
  const void *val = NULL;
  size_t val_len = 0;

  ew_arena_reset(&sx->arena);
  rc = ew_jsonl_parse(line, len, &rec, &tombstone, &sx->arena, errstr,
                      sizeof errstr);
  if (rc == 1)
    return 0;
  if (rc != 0) {
    ew_cli_bad_line(name, lineno, errstr, &sx->nbad);
    return 0;
  }
  const char *topic = ew_config_topic_of(&sx->cfg, rec.kind);
  const char *key = send_key(&rec);
  if (!topic) {
    snprintf(errstr, sizeof errstr, "no topic is configured for %s",
             ew_rkind_name(rec.kind));
    ew_cli_bad_line(name, lineno, errstr, &sx->nbad);
    return 0;
  }
  if (!key) {
    ew_cli_bad_line(name, lineno, "the record has no key field", &sx->nbad);
    return 0;
  }
  if (!tombstone &&
      ew_encode(sx->enc, &rec, &val, &val_len, errstr, sizeof errstr) != 0) {
    ew_cli_bad_line(name, lineno, errstr, &sx->nbad);
    return 0;
  }

  send_msg *msg = malloc(sizeof *msg);
  if (!msg) {
    fprintf(stderr, "send: out of memory\n");
    return -1;
  }
  msg->file = name;
  msg->line = lineno;
  msg->topic = topic;
  for (;;) {
    rd_kafka_resp_err_t err =
        rd_kafka_producev(sx->rk, RD_KAFKA_V_TOPIC(topic),
                          RD_KAFKA_V_KEY((void *)key, strlen(key)),
                          RD_KAFKA_V_VALUE((void *)val, val_len),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                          RD_KAFKA_V_OPAQUE(msg), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
      break;
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && !sx->fatal) {
      rd_kafka_poll(sx->rk, 100);
      continue;
    }
    free(msg);
    fprintf(stderr, "%s:%" PRId64 ": cannot produce to %s: %s\n", name, lineno,
            topic, rd_kafka_err2str(err));
    sx->nfailed++;
    return sx->fatal ? -1 : 0;
  }
  rd_kafka_poll(sx->rk, 0);
  return sx->fatal ? -1 : 0;
}

/* Waits for every delivery report; what is still queued after the message
 * timeout (plus a margin) is purged, which reports it as failed. */
static void send_drain(send_ctx *sx) {
  char buf[32];
  size_t sz = sizeof buf;
  int timeout_ms = 300000;
  if (rd_kafka_conf_get(rd_kafka_conf(sx->rk), "message.timeout.ms", buf,
                        &sz) == RD_KAFKA_CONF_OK)
    timeout_ms = atoi(buf);
  rd_kafka_flush(sx->rk, timeout_ms > 0 ? timeout_ms + 5000 : -1);
  if (rd_kafka_outq_len(sx->rk) > 0) {
    rd_kafka_purge(sx->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(sx->rk, 5000);
  }
}

int ew_cmd_send(int argc, char **argv) {
  const char *config_path = NULL;
  const ew_cli_opt opts[] = {{"config", &config_path, NULL}};
  /* message.timeout.ms: a CLI user waits for the answer; the 5-minute
   * default is for daemons. The passthrough may raise it. */
  static const char *const pre[] = {
      "linger.ms",      "20", "message.timeout.ms", "30000", "partitioner",
      "murmur2_random", NULL};
  static const char *const post[] = {"enable.idempotence", "true", NULL};
  send_ctx sx;
  char errstr[512];
  rd_kafka_conf_t *conf = NULL;
  int rc = EW_EXIT_FAIL, nfiles, file_failed = 0;

  memset(&sx, 0, sizeof sx);
  nfiles = ew_cli_parse(argc, argv, opts, sizeof opts / sizeof opts[0]);
  if (nfiles == EW_CLI_HELP) {
    fputs(send_usage, stdout);
    return EW_EXIT_OK;
  }
  if (nfiles == 0)
    fprintf(stderr, "send: no input file (use - for standard input)\n");
  if (nfiles <= 0) {
    fputs(send_usage, stderr);
    return EW_EXIT_USAGE;
  }
  if (ew_cli_config(&sx.cfg, "send", config_path) != 0)
    return EW_EXIT_USAGE;
  conf = ew_cli_kafka_conf(&sx.cfg, "send", pre, post);
  if (!conf) {
    rc = EW_EXIT_USAGE;
    goto out;
  }

  if (ew_cli_schemas(&sx.cfg, "send", &sx.schemas) != 0)
    goto out;
  if (ew_encoder_new(&sx.enc, sx.schemas) != 0) {
    fprintf(stderr, "send: cannot create the Avro encoder\n");
    goto out;
  }

  rd_kafka_conf_set_opaque(conf, &sx);
  rd_kafka_conf_set_dr_msg_cb(conf, send_dr_cb);
  rd_kafka_conf_set_error_cb(conf, send_error_cb);
  sx.rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!sx.rk) {
    fprintf(stderr, "send: kafka: %s\n", errstr);
    goto out;
  }
  conf = NULL; /* rd_kafka_new took it */

  for (int i = 1; i <= nfiles && !file_failed; i++)
    if (ew_cli_each_line("send", argv[i], send_line, &sx) != 0)
      file_failed = 1;
  send_drain(&sx);

  fprintf(stderr,
          "send: %" PRId64 " records to %zu topics, %" PRId64 " bad lines\n",
          sx.ndelivered, sx.ntopics, sx.nbad);
  if (sx.nfailed)
    fprintf(stderr, "send: %" PRId64 " records not delivered\n", sx.nfailed);
  if (!file_failed && !sx.fatal && sx.nbad == 0 && sx.nfailed == 0)
    rc = EW_EXIT_OK;

out:
  if (conf)
    rd_kafka_conf_destroy(conf);
  if (sx.rk)
    rd_kafka_destroy(sx.rk);
  ew_encoder_destroy(sx.enc);
  ew_schemas_destroy(sx.schemas);
  ew_config_free(&sx.cfg);
  ew_arena_free(&sx.arena);
  return rc;
}
