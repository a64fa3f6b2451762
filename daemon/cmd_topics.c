/*
 * cmd_topics.c - `enforcewatch topics create|list`: the configured topics.
 *
 * create asks the broker (Admin API CreateTopics) for every topic of the
 * configuration with cfg.topic_partitions partitions and cfg.topic_replication
 * replicas (the progress topic: one partition, so that a restarted producer
 * reads its last marker from one place); reference topics and the progress
 * topic are compacted (contract §2: a newer version of
 * a reference record replaces the older, a tombstone deletes). A topic that
 * exists already counts as done, so create is safe to run before every
 * start; an existing topic is left as it is, settings included.
 *
 * list prints, per configured topic, its role and its partition count from
 * the cluster metadata ("-" when the topic does not exist).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

#include "config.h"
#include "record.h"

#define TOPICS_TIMEOUT_MS 30000

static const char topics_usage[] =
    "usage: enforcewatch topics create [--config FILE]\n"
    "       enforcewatch topics list [--config FILE]\n"
    "\n"
    "create  creates every configured topic (reference and progress topics\n"
    "        compacted);\n"
    "        topics that exist already are left as they are\n"
    "list    prints each configured topic, its role and its partitions\n"
    "        (\"-\": missing)\n"
    "\n"
    "  --config FILE  brokers, topics and kafka properties from this file\n"
    "\n"
    "Exit status: 0 done, 1 the broker refused or did not answer, 2 bad\n"
    "arguments or configuration.\n";

/* Every record kind, the dead letters and the producer's progress. */
#define EW_N_TOPICS (EW_REC_COUNT + 2)

typedef struct topic_ent {
  const char *name; /* owned by the configuration */
  const char *role; /* record kind, "deadletter" or "progress" */
  int compact;
  int partitions; /* 0: cfg.topic_partitions */
} topic_ent;

/* The distinct configured topics in contract order: events, references,
 * outputs, dead letters. Returns how many were written to out. */
static size_t topics_collect(const ew_config *cfg, topic_ent out[EW_N_TOPICS]) {
  size_t n = 0;
  for (int k = 0; k < EW_N_TOPICS; k++) {
    const char *name = k < EW_REC_COUNT ? ew_config_topic_of(cfg, (ew_rkind)k)
                       : k == EW_REC_COUNT ? cfg->topics.deadletter
                                           : cfg->topics.progress;
    size_t i = 0;
    if (!name || !*name)
      continue;
    while (i < n && strcmp(out[i].name, name) != 0)
      i++;
    if (i < n)
      continue; /* two kinds configured onto one topic */
    out[n].name = name;
    out[n].role = k < EW_REC_COUNT    ? ew_rkind_name((ew_rkind)k)
                  : k == EW_REC_COUNT ? "deadletter"
                                      : "progress";
    out[n].compact = k > EW_REC_COUNT || ew_rkind_is_ref((ew_rkind)k);
    out[n].partitions = k > EW_REC_COUNT ? 1 : 0;
    n++;
  }
  return n;
}

static int topics_create(rd_kafka_t *rk, const ew_config *cfg,
                         const topic_ent *ents, size_t n) {
  char errstr[512];
  rd_kafka_NewTopic_t *nt[EW_N_TOPICS] = {0};
  rd_kafka_AdminOptions_t *opts = NULL;
  rd_kafka_queue_t *q = NULL;
  rd_kafka_event_t *ev = NULL;
  int rc = -1;

  if (cfg->topic_partitions < 1 || cfg->topic_partitions > INT32_MAX ||
      cfg->topic_replication < 1 || cfg->topic_replication > INT16_MAX) {
    fprintf(stderr,
            "topics: partitions %" PRId64 " / replication %" PRId64
            " out of range\n",
            cfg->topic_partitions, cfg->topic_replication);
    return -1;
  }
  char dl_max[32];
  snprintf(dl_max, sizeof dl_max, "%lld",
           (long long)ew_config_deadletter_max_bytes(cfg));
  for (size_t i = 0; i < n; i++) {
    nt[i] = rd_kafka_NewTopic_new(
        ents[i].name,
        ents[i].partitions ? ents[i].partitions : (int)cfg->topic_partitions,
        (int)cfg->topic_replication, errstr, sizeof errstr);
    if (!nt[i]) {
      fprintf(stderr, "topics: %s: %s\n", ents[i].name, errstr);
      goto out;
    }
    if (ents[i].compact &&
        rd_kafka_NewTopic_set_config(nt[i], "cleanup.policy", "compact") !=
            RD_KAFKA_RESP_ERR_NO_ERROR) {
      fprintf(stderr, "topics: %s: cannot set cleanup.policy\n", ents[i].name);
      goto out;
    }
    /* The progress topic is read from its start at every producer start:
     * small segments let compaction keep it at about one record per
     * daemon (the active segment is never compacted). */
    if (strcmp(ents[i].role, "progress") == 0 &&
        (rd_kafka_NewTopic_set_config(nt[i], "segment.ms", "3600000") !=
             RD_KAFKA_RESP_ERR_NO_ERROR ||
         rd_kafka_NewTopic_set_config(nt[i], "segment.bytes", "1048576") !=
             RD_KAFKA_RESP_ERR_NO_ERROR)) {
      fprintf(stderr, "topics: %s: cannot set segment size\n", ents[i].name);
      goto out;
    }
    if (strcmp(ents[i].role, "deadletter") == 0 &&
        rd_kafka_NewTopic_set_config(nt[i], "max.message.bytes", dl_max) !=
            RD_KAFKA_RESP_ERR_NO_ERROR) {
      fprintf(stderr, "topics: %s: cannot set max.message.bytes\n",
              ents[i].name);
      goto out;
    }
  }
  opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  if (rd_kafka_AdminOptions_set_request_timeout(opts, TOPICS_TIMEOUT_MS, errstr,
                                                sizeof errstr) ||
      rd_kafka_AdminOptions_set_operation_timeout(opts, TOPICS_TIMEOUT_MS,
                                                  errstr, sizeof errstr)) {
    fprintf(stderr, "topics: %s\n", errstr);
    goto out;
  }
  q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, nt, n, opts, q);
  /* The request timeout bounds the wait; the margin covers the lookup of a
   * broker to send it to. */
  ev = rd_kafka_queue_poll(q, 2 * TOPICS_TIMEOUT_MS + 5000);
  if (!ev) {
    fprintf(stderr, "topics: no answer from %s\n", cfg->brokers);
    goto out;
  }
  if (rd_kafka_event_error(ev)) {
    fprintf(stderr, "topics: %s: %s\n", cfg->brokers,
            rd_kafka_event_error_string(ev));
    goto out;
  }
  const rd_kafka_CreateTopics_result_t *res =
      rd_kafka_event_CreateTopics_result(ev);
  size_t cnt = 0;
  const rd_kafka_topic_result_t **tr =
      res ? rd_kafka_CreateTopics_result_topics(res, &cnt) : NULL;
  if (!res) {
    fprintf(stderr, "topics: unexpected answer %s\n", rd_kafka_event_name(ev));
    goto out;
  }
  rc = 0;
  for (size_t i = 0; i < cnt; i++) {
    const char *name = rd_kafka_topic_result_name(tr[i]);
    rd_kafka_resp_err_t err = rd_kafka_topic_result_error(tr[i]);
    const char *msg = rd_kafka_topic_result_error_string(tr[i]);
    int compact = 0;
    int64_t parts = cfg->topic_partitions;
    for (size_t j = 0; j < n; j++)
      if (strcmp(ents[j].name, name) == 0) {
        compact = ents[j].compact;
        if (ents[j].partitions)
          parts = ents[j].partitions;
      }
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
      printf("created %s (%" PRId64 " partitions, replication %" PRId64 "%s)\n",
             name, parts, cfg->topic_replication, compact ? ", compacted" : "");
    else if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
      printf("exists  %s\n", name);
    else {
      printf("failed  %s: %s\n", name, msg ? msg : rd_kafka_err2str(err));
      rc = -1;
    }
  }
out:
  if (ev)
    rd_kafka_event_destroy(ev);
  if (q)
    rd_kafka_queue_destroy(q);
  if (opts)
    rd_kafka_AdminOptions_destroy(opts);
  for (size_t i = 0; i < n; i++)
    if (nt[i])
      rd_kafka_NewTopic_destroy(nt[i]);
  return rc;
}

static int topics_list(rd_kafka_t *rk, const ew_config *cfg,
                       const topic_ent *ents, size_t n) {
  const struct rd_kafka_metadata *md = NULL;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk, 1, NULL, &md, TOPICS_TIMEOUT_MS);
  if (err) {
    fprintf(stderr, "topics: cannot read the cluster metadata from %s: %s\n",
            cfg->brokers, rd_kafka_err2str(err));
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    const struct rd_kafka_metadata_topic *t = NULL;
    for (int j = 0; j < md->topic_cnt; j++)
      if (strcmp(md->topics[j].topic, ents[i].name) == 0)
        t = &md->topics[j];
    if (t && !t->err)
      printf("%s\t%s\t%d\n", ents[i].name, ents[i].role, t->partition_cnt);
    else
      printf("%s\t%s\t-\n", ents[i].name, ents[i].role);
  }
  rd_kafka_metadata_destroy(md);
  return 0;
}

int ew_cmd_topics(int argc, char **argv) {
  const char *config_path = NULL;
  const ew_cli_opt opts[] = {{"config", &config_path, NULL}};
  ew_config cfg;
  topic_ent ents[EW_N_TOPICS];
  char errstr[512];
  rd_kafka_conf_t *conf = NULL;
  rd_kafka_t *rk = NULL;
  int rc = EW_EXIT_FAIL, n, create = 0;

  n = ew_cli_parse(argc, argv, opts, sizeof opts / sizeof opts[0]);
  if (n == EW_CLI_HELP) {
    fputs(topics_usage, stdout);
    return EW_EXIT_OK;
  }
  if (n >= 0 && (n != 1 || (strcmp(argv[1], "create") != 0 &&
                            strcmp(argv[1], "list") != 0))) {
    fprintf(stderr, "topics: expected create or list\n");
    n = -1;
  }
  if (n < 0) {
    fputs(topics_usage, stderr);
    return EW_EXIT_USAGE;
  }
  create = strcmp(argv[1], "create") == 0;
  if (ew_cli_config(&cfg, "topics", config_path) != 0)
    return EW_EXIT_USAGE;
  size_t nents = topics_collect(&cfg, ents);
  conf = ew_cli_kafka_conf(&cfg, "topics", NULL, NULL);
  if (!conf) {
    rc = EW_EXIT_USAGE;
    goto out;
  }
  rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) {
    fprintf(stderr, "topics: kafka: %s\n", errstr);
    rd_kafka_conf_destroy(conf);
    goto out;
  }
  if ((create ? topics_create(rk, &cfg, ents, nents)
              : topics_list(rk, &cfg, ents, nents)) == 0)
    rc = EW_EXIT_OK;
out:
  if (rk)
    rd_kafka_destroy(rk);
  ew_config_free(&cfg);
  return rc;
}
