/*
 * config.h - the daemon's and the CLI's configuration file (libconfig).
 *
 * Every key has a row in a table with its type, bounds and default; a key
 * that is not in the table, a value of the wrong type or out of range is
 * refused at start with file:line (style-and-idioms §B7). Integers are read
 * as 64-bit and range-checked, because libconfig silently wraps literals
 * beyond 32 bits that lack the L suffix.
 *
 * The `kafka` group is passed through to librdkafka: a key's underscores
 * become dots (`socket_timeout_ms = "1000"` sets socket.timeout.ms), because
 * libconfig names cannot contain dots.
 */
#ifndef EW_CONFIG_H
#define EW_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "rules_config.h"

/* Topic names; every one is configurable (contract §2). */
typedef struct ew_topics {
  char *inspections, *complaints, *penalties, *feedback;
  char *ref[EW_REC_LAST_REF + 1]; /* indexed by ew_rkind of a ref kind */
  char *alerts, *notices, *stats, *deadletter;
  char *progress; /* the producer's committed outbox seq (compacted) */
} ew_topics;

typedef struct ew_kafka_prop {
  char *name; /* librdkafka property, dotted */
  char *value;
  const char *file; /* where it was set, for error messages */
  int line;
} ew_kafka_prop;

typedef struct ew_config {
  char *path;                /* the file read, NULL for defaults only */
  char *brokers;             /* "127.0.0.1:9092" */
  char *group_id;            /* "enforcewatch" */
  char *client_id;           /* "enforcewatchd" */
  char *instance_id;         /* transactional.id, group.instance.id */
  char *state_path;          /* SQLite file */
  char *schemas_dir;         /* NULL: ew_schemas_default_dir() */
  int log_level;             /* EW_LOG_* */
  int64_t max_message_bytes; /* dead-letter anything larger */
  int64_t batch_max_records; /* records per SQLite transaction */
  int64_t batch_max_ms;      /* ms a batch may stay open */
  int64_t tick_ms;           /* clock/deadline tick */
  int64_t shutdown_timeout_ms;
  int64_t transaction_max_rows; /* outbox rows per Kafka transaction */
  int64_t transaction_timeout_ms;
  int64_t topic_partitions; /* for `enforcewatch topics create` */
  int64_t topic_replication;
  ew_topics topics;
  ew_kafka_prop *kafka;
  size_t nkafka;
  ew_rules_config rules;
} ew_config;

/* Fills `cfg` with every default. */
int ew_config_defaults(ew_config *cfg);
/* Reads `path` over the defaults. Returns 0, or -1 with "file:line: reason"
 * (or "file: reason" for I/O errors) in errstr. */
int ew_config_load(ew_config *cfg, const char *path, char *errstr,
                   size_t errstr_size);
/* Frees every string. Accepts NULL. */
void ew_config_free(ew_config *cfg);

/* The configured topic of an input or output kind, NULL for none. */
const char *ew_config_topic_of(const ew_config *cfg, ew_rkind kind);
/* The kind whose topic is `topic`, or -1. */
int ew_config_kind_of_topic(const ew_config *cfg, const char *topic);

/* Sets bootstrap.servers, client.id and every `kafka` passthrough property
 * on a librdkafka configuration (rd_kafka_conf_t). Returns 0, or -1 with
 * "file:line: kafka property 'x': reason" in errstr. */
struct rd_kafka_conf_s;
int ew_config_kafka_conf(const ew_config *cfg, struct rd_kafka_conf_s *conf,
                         char *errstr, size_t errstr_size);
/* The largest record the daemon may have to write to the dead-letter topic:
 * an input as large as any topic accepts (Kafka's default limit, or
 * max_message_bytes when that is larger) plus room for the x-* headers.
 * The producer's message.max.bytes and the dead-letter topic's
 * max.message.bytes are both set to it, so that no dead letter is refused
 * and left blocking the outbox. */
int64_t ew_config_deadletter_max_bytes(const ew_config *cfg);

/* Logs every effective value at info level (secrets of the kafka group are
 * masked); the rules are logged by ew_rules_config_log. */
void ew_config_log(const ew_config *cfg);

#endif /* EW_CONFIG_H */
