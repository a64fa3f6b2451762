/*
 * test_config.c - the configuration file: defaults, a full file, every kind
 * of refusal with its file:line, the kafka passthrough and rule overrides.
 *
 * Each test writes a real file into a fresh temporary folder and reads it
 * with ew_config_load, so libconfig's own behaviour (line numbers, the
 * 32-bit wrap of literals without L) is what is tested, not a model of it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libconfig.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "rules_config.h"

typedef struct fixture {
  char dir[64];
  char path[128];
  ew_config cfg;
  char err[1024];
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "/tmp/ew-test-config.XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  snprintf(f->path, sizeof f->path, "%s/enforcewatch.cfg", f->dir);
  assert_int_equal(ew_config_defaults(&f->cfg), 0);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  char cmd[160];
  ew_config_free(&f->cfg);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
  assert_int_equal(system(cmd), 0);
  free(f);
  return 0;
}

static void write_file(const char *path, const char *text) {
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  assert_int_equal(fputs(text, fp) >= 0, 1);
  assert_int_equal(fclose(fp), 0);
}

/* Loads `text` and returns ew_config_load's result. */
static int load(fixture *f, const char *text) {
  write_file(f->path, text);
  f->err[0] = '\0';
  return ew_config_load(&f->cfg, f->path, f->err, sizeof f->err);
}

/* Asserts that `text` is refused with exactly "<path>:<line>: <msg>". */
static void refused(fixture *f, const char *text, int line, const char *msg) {
  char want[1024];
  assert_int_equal(load(f, text), -1);
  snprintf(want, sizeof want, "%s:%d: %s", f->path, line, msg);
  assert_string_equal(f->err, want);
}

/* Asserts that `text` is refused at `line` with a message containing
 * `part` (for libconfig's and librdkafka's own wording). */
static void refused_like(fixture *f, const char *text, int line,
                         const char *part) {
  char prefix[256];
  assert_int_equal(load(f, text), -1);
  snprintf(prefix, sizeof prefix, "%s:%d: ", f->path, line);
  if (strncmp(f->err, prefix, strlen(prefix)) != 0 || !strstr(f->err, part))
    fail_msg("got \"%s\", want \"%s...%s...\"", f->err, prefix, part);
}

/* ---- defaults ---- */

static void test_defaults(void **state) {
  fixture *f = *state;
  const ew_config *c = &f->cfg;
  assert_null(c->path);
  assert_string_equal(c->brokers, "127.0.0.1:9092");
  assert_string_equal(c->group_id, "enforcewatch");
  assert_string_equal(c->client_id, "enforcewatchd");
  assert_string_equal(c->state_path, "enforcewatch-state.db");
  assert_null(c->schemas_dir);
  assert_int_equal(c->log_level, EW_LOG_INFO);
  assert_int_equal(c->max_message_bytes, 1000000);
  assert_int_equal(c->batch_max_records, 5000);
  assert_int_equal(c->batch_max_ms, 1000);
  assert_int_equal(c->tick_ms, 1000);
  assert_int_equal(c->shutdown_timeout_ms, 10000);
  assert_int_equal(c->topic_partitions, 3);
  assert_int_equal(c->topic_replication, 1);
  assert_int_equal(c->nkafka, 0);

  /* contract §2 */
  assert_string_equal(c->topics.inspections, "enforcement.inspections");
  assert_string_equal(c->topics.complaints, "enforcement.complaints");
  assert_string_equal(c->topics.penalties, "enforcement.penalties");
  assert_string_equal(c->topics.feedback, "enforcement.feedback");
  assert_string_equal(c->topics.alerts, "enforcement.alerts");
  assert_string_equal(c->topics.notices, "enforcement.notices");
  assert_string_equal(c->topics.stats, "enforcement.stats");
  assert_string_equal(c->topics.deadletter, "enforcement.deadletter");
  assert_string_equal(c->topics.progress, "enforcewatch.progress");
  assert_string_equal(c->instance_id, "enforcewatchd-1");
  assert_int_equal(c->transaction_max_rows, 10000);
  assert_int_equal(c->transaction_timeout_ms, 60000);
  for (int k = EW_REC_FIRST_REF; k <= EW_REC_LAST_REF; k++) {
    char want[64];
    snprintf(want, sizeof want, "enforcement.ref.%s",
             ew_rkind_name((ew_rkind)k));
    assert_string_equal(c->topics.ref[k], want);
  }

  /* the rules come from rules_config.c's own defaults */
  ew_rules_config r;
  ew_rules_config_defaults(&r);
  assert_int_equal(c->rules.r05.min_officers, r.r05.min_officers);
  assert_int_equal(c->rules.r02.exempt_triggers, r.r02.exempt_triggers);
  assert_int_equal(c->rules.r06.severity_none_certified,
                   r.r06.severity_none_certified);
  ew_rules_config_free(&r);
}

static void test_topic_lookup(void **state) {
  fixture *f = *state;
  for (int k = 0; k < EW_REC_COUNT; k++) {
    const char *t = ew_config_topic_of(&f->cfg, (ew_rkind)k);
    assert_non_null(t);
    assert_int_equal(ew_config_kind_of_topic(&f->cfg, t), k);
  }
  assert_null(ew_config_topic_of(&f->cfg, EW_REC_COUNT));
  assert_int_equal(ew_config_kind_of_topic(&f->cfg, "enforcement.deadletter"),
                   -1);
  assert_int_equal(ew_config_kind_of_topic(&f->cfg, "nope"), -1);
  assert_int_equal(ew_config_kind_of_topic(&f->cfg, NULL), -1);
  assert_string_equal(ew_config_topic_of(&f->cfg, EW_REC_CALENDAR_DAY),
                      "enforcement.ref.calendar_day");
}

/* ---- a full valid file ---- */

static const char full_file[] =
    "# every key\n"
    "brokers = \"k1:9092,k2:9092\";\n"
    "group_id = \"ew-test\";\n"
    "client_id = \"ew-test-client\";\n"
    "state_path = \"/var/lib/enforcewatch/state.db\";\n"
    "schemas_dir = \"/usr/share/enforcewatch/schemas\";\n"
    "log_level = \"debug\";\n"
    "max_message_bytes = 2000000L;\n"
    "batch = { max_records = 1000; max_ms = 250; };\n"
    "tick_ms = 500;\n"
    "shutdown_timeout_ms = 20000;\n"
    "topics = {\n"
    "  inspections = \"t.inspections\";\n"
    "  complaints = \"t.complaints\";\n"
    "  penalties = \"t.penalties\";\n"
    "  feedback = \"t.feedback\";\n"
    "  ref = {\n"
    "    agency = \"t.ref.agency\"; plan = \"t.ref.plan\";\n"
    "    approval = \"t.ref.approval\"; certificate = \"t.ref.certificate\";\n"
    "    benchmark = \"t.ref.benchmark\";\n"
    "    leniency_item = \"t.ref.leniency_item\";\n"
    "    sampling_item = \"t.ref.sampling_item\";\n"
    "    random_task = \"t.ref.random_task\";\n"
    "    credit_grade = \"t.ref.credit_grade\";\n"
    "    calendar_day = \"t.ref.calendar_day\";\n"
    "  };\n"
    "  alerts = \"t.alerts\";\n"
    "  notices = \"t.notices\";\n"
    "  stats = \"t.stats\";\n"
    "  deadletter = \"t.deadletter\";\n"
    "};\n"
    "topic_partitions = 12;\n"
    "topic_replication = 3;\n"
    "kafka = {\n"
    "  socket_timeout_ms = 30000;\n"
    "  statistics_interval_ms = \"0\";\n"
    "  api_version_request = true;\n"
    "  sasl_password = \"hunter2\";\n"
    "};\n"
    "rules = {\n"
    "  R02 = { exempt_triggers = [\"COMPLAINT\", \"WORK_SAFETY\"];\n"
    "          evaluate_planned = true; };\n"
    "  R05 = { min_officers = 3; severity = \"CRITICAL\"; };\n"
    "  R06 = { enabled = false; };\n"
    "  R25 = { region_codes = [\"622900\", \"622901\"];\n"
    "          uscc_allowlist = (\"91622901LEGACY0001\"); };\n"
    "};\n";

static void test_full_file(void **state) {
  fixture *f = *state;
  const ew_config *c = &f->cfg;
  if (load(f, full_file) != 0)
    fail_msg("%s", f->err);
  assert_string_equal(c->path, f->path);
  assert_string_equal(c->brokers, "k1:9092,k2:9092");
  assert_string_equal(c->group_id, "ew-test");
  assert_string_equal(c->client_id, "ew-test-client");
  assert_string_equal(c->state_path, "/var/lib/enforcewatch/state.db");
  assert_string_equal(c->schemas_dir, "/usr/share/enforcewatch/schemas");
  assert_int_equal(c->log_level, EW_LOG_DEBUG);
  assert_int_equal(c->max_message_bytes, 2000000);
  assert_int_equal(c->batch_max_records, 1000);
  assert_int_equal(c->batch_max_ms, 250);
  assert_int_equal(c->tick_ms, 500);
  assert_int_equal(c->shutdown_timeout_ms, 20000);
  assert_int_equal(c->topic_partitions, 12);
  assert_int_equal(c->topic_replication, 3);
  assert_string_equal(c->topics.inspections, "t.inspections");
  assert_string_equal(c->topics.feedback, "t.feedback");
  assert_string_equal(c->topics.deadletter, "t.deadletter");
  for (int k = EW_REC_FIRST_REF; k <= EW_REC_LAST_REF; k++) {
    char want[64];
    snprintf(want, sizeof want, "t.ref.%s", ew_rkind_name((ew_rkind)k));
    assert_string_equal(c->topics.ref[k], want);
  }
  assert_int_equal(ew_config_kind_of_topic(c, "t.ref.plan"), EW_REC_PLAN);
  assert_int_equal(ew_config_kind_of_topic(c, "enforcement.ref.plan"), -1);

  assert_int_equal(c->nkafka, 4);
  assert_string_equal(c->kafka[0].name, "socket.timeout.ms");
  assert_string_equal(c->kafka[0].value, "30000");
  assert_int_equal(c->kafka[0].line, 35);
  assert_string_equal(c->kafka[0].file, f->path);
  assert_string_equal(c->kafka[1].name, "statistics.interval.ms");
  assert_string_equal(c->kafka[1].value, "0");
  assert_string_equal(c->kafka[2].name, "api.version.request");
  assert_string_equal(c->kafka[2].value, "true");
  assert_string_equal(c->kafka[3].name, "sasl.password");

  assert_int_equal(c->rules.r02.exempt_triggers,
                   (1u << EW_TRIG_COMPLAINT) | (1u << EW_TRIG_WORK_SAFETY));
  assert_int_equal(c->rules.r02.evaluate_planned, 1);
  assert_int_equal(c->rules.r05.min_officers, 3);
  assert_int_equal(c->rules.r05.c.severity, EW_SEV_CRITICAL);
  assert_int_equal(c->rules.r05.c.enabled, 1);
  assert_int_equal(c->rules.r06.c.enabled, 0);
  assert_int_equal(c->rules.r25.region_codes.n, 2);
  assert_string_equal(c->rules.r25.region_codes.v[0], "622900");
  assert_string_equal(c->rules.r25.region_codes.v[1], "622901");
  assert_int_equal(c->rules.r25.uscc_allowlist.n, 1);
  assert_string_equal(c->rules.r25.uscc_allowlist.v[0], "91622901LEGACY0001");

  /* the startup log runs over every key without crashing */
  int saved = ew_log_level;
  ew_log_level = EW_LOG_ERROR;
  ew_config_log(c);
  ew_log_level = saved;
}

/* A second load over a loaded config replaces values and leaks nothing
 * (ASan checks the latter). */
static void test_reload(void **state) {
  fixture *f = *state;
  assert_int_equal(load(f, full_file), 0);
  assert_int_equal(load(f, "brokers = \"other:9092\";\n"
                           "rules = { R25 = { region_codes = []; }; };\n"),
                   0);
  assert_string_equal(f->cfg.brokers, "other:9092");
  assert_string_equal(f->cfg.topics.alerts, "t.alerts"); /* kept */
  assert_int_equal(f->cfg.nkafka, 0); /* the kafka group is per file */
  assert_int_equal(f->cfg.rules.r25.region_codes.n, 0);
}

static void test_empty_file_is_defaults(void **state) {
  fixture *f = *state;
  assert_int_equal(load(f, "# nothing\n"), 0);
  assert_string_equal(f->cfg.topics.inspections, "enforcement.inspections");
  assert_int_equal(f->cfg.batch_max_records, 5000);
}

/* ---- unknown keys ---- */

static void test_unknown_top_level_key(void **state) {
  fixture *f = *state;
  refused(f, "brokers = \"a:1\";\n\nbrokerz = \"b:2\";\n", 3,
          "unknown key 'brokerz' at top level");
}

static void test_unknown_key_in_topics(void **state) {
  fixture *f = *state;
  refused(f,
          "topics = {\n"
          "  inspections = \"a\";\n"
          "  inspection = \"b\";\n"
          "};\n",
          3, "unknown key 'inspection' in group 'topics'");
  refused(f, "topics = { ref = {\n agency = \"a\";\n agencies = \"b\"; }; };\n",
          3, "unknown key 'agencies' in group 'topics.ref'");
  refused(f, "batch = {\n max_record = 5; };\n", 2,
          "unknown key 'max_record' in group 'batch'");
}

static void test_unknown_rule(void **state) {
  fixture *f = *state;
  refused(f, "rules = {\n  R05 = { min_officers = 2; };\n  R99 = { };\n};\n", 3,
          "unknown rule 'R99' in group 'rules'");
  refused(f, "rules = {\n  R05 = {\n    min_officer = 2;\n  };\n};\n", 3,
          "unknown key 'min_officer' in group 'rules.R05'");
  /* a key of another rule is not a key of this one */
  refused(f, "rules = { R05 = { exempt_triggers = []; }; };\n", 1,
          "unknown key 'exempt_triggers' in group 'rules.R05'");
}

/* ---- types and ranges ---- */

static void test_wrong_type(void **state) {
  fixture *f = *state;
  refused(f, "\ntick_ms = \"1000\";\n", 2,
          "'tick_ms' must be an integer, not a string");
  refused(f, "brokers = 9092;\n", 1,
          "'brokers' must be a string, not an integer");
  refused(f, "batch = 5;\n", 1, "'batch' must be a group, not an integer");
  refused(f, "tick_ms = 1.5;\n", 1,
          "'tick_ms' must be an integer, not a float");
  refused(f, "rules = { R05 = {\n enabled = 1; }; };\n", 2,
          "'rules.R05.enabled' must be a boolean, not an integer");
  refused(f, "rules = { R02 = {\n exempt_triggers = \"COMPLAINT\"; }; };\n", 2,
          "'rules.R02.exempt_triggers' must be an array of strings, not a "
          "string");
  refused(f, "kafka = {\n debug = [\"all\"]; };\n", 2,
          "'kafka.debug' must be a string, an integer or a boolean, not an "
          "array");
  refused(f, "brokers = \"\";\n", 1, "'brokers' must not be empty");
}

static void test_out_of_range(void **state) {
  fixture *f = *state;
  refused(f, "batch = {\n  max_records = 0;\n};\n", 2,
          "'batch.max_records' = 0 is out of range [1, 100000]");
  refused(f, "tick_ms = -5;\n", 1,
          "'tick_ms' = -5 is out of range [10, 3600000]");
  refused(f, "rules = { R05 = {\n min_officers = 101; }; };\n", 2,
          "'rules.R05.min_officers' = 101 is out of range [1, 100]");
  refused(f, "log_level = \"verbose\";\n", 1,
          "'log_level' = \"verbose\" is not a log level (error, warn, info, "
          "debug)");
  refused(f, "rules = { R05 = {\n severity = \"SEVERE\"; }; };\n", 2,
          "'rules.R05.severity' = \"SEVERE\" is not one of INFO, LOW, "
          "MEDIUM, HIGH, CRITICAL");
  refused(f, "rules = { R05 = {\n notice = \"NOW\"; }; };\n", 2,
          "'rules.R05.notice' = \"NOW\" is not one of NONE, IMMEDIATE, "
          "BATCHED");
}

static void test_enum_element_line(void **state) {
  fixture *f = *state;
  refused(f,
          "rules = { R02 = { exempt_triggers = [\n"
          "  \"COMPLAINT\",\n"
          "  \"COMPLAINTS\"\n"
          "]; }; };\n",
          3,
          "'rules.R02.exempt_triggers': 'COMPLAINTS' is not a TriggerType "
          "symbol");
}

/* libconfig 1.5 wraps integer literals beyond 32 bits that lack the L
 * suffix (5000000000 -> 705032704) without complaint. */
static void test_64bit_wrap(void **state) {
  fixture *f = *state;
  refused(f, "\nmax_message_bytes = 5000000000;\n", 2,
          "'max_message_bytes' = 5000000000 does not fit in 32 bits and "
          "libconfig wrapped it to 705032704; write 64-bit integers with an "
          "L suffix (5000000000L)");
  /* with L it is read as what it says, and then range-checked */
  refused(f, "max_message_bytes = 5000000000L;\n", 1,
          "'max_message_bytes' = 5000000000 is out of range [64, "
          "1073741824]");
  assert_int_equal(load(f, "max_message_bytes = 3000000L;\n"), 0);
  assert_int_equal(f->cfg.max_message_bytes, 3000000);
  /* a wrap that lands inside the range is the dangerous one: 2^32 + 3 */
  refused_like(f, "rules = { R05 = { min_officers = 4294967299; }; };\n", 1,
               "'rules.R05.min_officers' = 4294967299 does not fit in 32 bits");
  refused_like(f, "tick_ms = 0x100000000;\n", 1,
               "'tick_ms' = 0x100000000 does not fit in 32 bits");
  /* several settings on one line: the right literal is checked */
  refused_like(f, "batch = { max_ms = 100; max_records = 4294967396; };\n", 1,
               "'batch.max_records' = 4294967396 does not fit in 32 bits");
  assert_int_equal(load(f, "tick_ms = 2000; batch = { max_ms = 100; };\n"), 0);
  assert_int_equal(f->cfg.tick_ms, 2000);
  assert_int_equal(f->cfg.batch_max_ms, 100);
}

/* ---- file errors ---- */

static void test_missing_file(void **state) {
  fixture *f = *state;
  char path[200], want[300];
  snprintf(path, sizeof path, "%s/absent.cfg", f->dir);
  assert_int_equal(ew_config_load(&f->cfg, path, f->err, sizeof f->err), -1);
  snprintf(want, sizeof want, "%s: No such file or directory", path);
  assert_string_equal(f->err, want);

  assert_int_equal(ew_config_load(&f->cfg, f->dir, f->err, sizeof f->err), -1);
  snprintf(want, sizeof want, "%s: Is a directory", f->dir);
  assert_string_equal(f->err, want);
}

static void test_unreadable_file(void **state) {
  fixture *f = *state;
  if (geteuid() == 0)
    skip(); /* root reads anything */
  write_file(f->path, "tick_ms = 100;\n");
  assert_int_equal(chmod(f->path, 0), 0);
  char want[300];
  assert_int_equal(ew_config_load(&f->cfg, f->path, f->err, sizeof f->err), -1);
  snprintf(want, sizeof want, "%s: Permission denied", f->path);
  assert_string_equal(f->err, want);
}

static void test_syntax_error(void **state) {
  fixture *f = *state;
  refused_like(f, "brokers = \"a:1\";\ntick_ms = 100;\ngroup_id = ;\n", 3,
               "syntax error");
  refused_like(f, "brokers = \"a:1\";\nbrokers = \"b:1\";\n", 2, "duplicate");
}

static void test_include_reports_included_file(void **state) {
  fixture *f = *state;
  char inc[200], want[300];
  snprintf(inc, sizeof inc, "%s/kafka.cfg", f->dir);
  write_file(inc, "socket_timeout_ms = 1000;\n\nbogus_property = \"x\";\n");
  assert_int_equal(load(f, "kafka = {\n@include \"kafka.cfg\"\n};\n"), -1);
  snprintf(want, sizeof want, "%s:3: kafka property 'bogus.property'", inc);
  if (strncmp(f->err, want, strlen(want)) != 0)
    fail_msg("got \"%s\"", f->err);

  write_file(inc, "socket_timeout_ms = 1000;\n");
  assert_int_equal(load(f, "kafka = {\n@include \"kafka.cfg\"\n};\n"), 0);
  assert_int_equal(f->cfg.nkafka, 1);
  assert_string_equal(f->cfg.kafka[0].file, inc); /* its own copy */
  assert_int_equal(f->cfg.kafka[0].line, 1);
}

/* ---- topics ---- */

static void test_topic_names(void **state) {
  fixture *f = *state;
  refused(f, "topics = {\n alerts = \"enforcement.inspections\"; };\n", 2,
          "topic \"enforcement.inspections\" is configured for both "
          "'topics.inspections' and 'topics.alerts'");
  refused(f, "topics = { ref = {\n plan = \"enforcement.ref.agency\"; }; };\n",
          2,
          "topic \"enforcement.ref.agency\" is configured for both "
          "'topics.ref.agency' and 'topics.ref.plan'");
  refused(f, "topics = {\n alerts = \"bad topic\"; };\n", 2,
          "'topics.alerts' = \"bad topic\" is not a Kafka topic name (1-249 "
          "of a-z A-Z 0-9 . _ -)");
}

/* ---- kafka passthrough ---- */

static void test_kafka_passthrough(void **state) {
  fixture *f = *state;
  assert_int_equal(load(f, "kafka = {\n"
                           "  socket_timeout_ms = 1234;\n"
                           "  queue_buffering_max_kbytes = 2048L;\n"
                           "  enable_ssl_certificate_verification = false;\n"
                           "  linger_ms = \"7\";\n"
                           "};\n"),
                   0);
  assert_int_equal(f->cfg.nkafka, 4);
  assert_string_equal(f->cfg.kafka[1].name, "queue.buffering.max.kbytes");
  assert_string_equal(f->cfg.kafka[1].value, "2048");
  assert_string_equal(f->cfg.kafka[2].name,
                      "enable.ssl.certificate.verification");
  assert_string_equal(f->cfg.kafka[2].value, "false");

  /* applied to a librdkafka conf together with brokers and client_id */
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  char v[128];
  size_t n;
  assert_int_equal(ew_config_kafka_conf(&f->cfg, conf, f->err, sizeof f->err),
                   0);
  n = sizeof v;
  assert_int_equal(rd_kafka_conf_get(conf, "socket.timeout.ms", v, &n),
                   RD_KAFKA_CONF_OK);
  assert_string_equal(v, "1234");
  n = sizeof v;
  assert_int_equal(rd_kafka_conf_get(conf, "linger.ms", v, &n),
                   RD_KAFKA_CONF_OK);
  assert_string_equal(v, "7");
  n = sizeof v;
  assert_int_equal(rd_kafka_conf_get(conf, "bootstrap.servers", v, &n),
                   RD_KAFKA_CONF_OK);
  assert_string_equal(v, "127.0.0.1:9092");
  n = sizeof v;
  assert_int_equal(rd_kafka_conf_get(conf, "client.id", v, &n),
                   RD_KAFKA_CONF_OK);
  assert_string_equal(v, "enforcewatchd");
  rd_kafka_conf_destroy(conf);
}

static void test_kafka_refusals(void **state) {
  fixture *f = *state;
  refused_like(
      f, "kafka = {\n\n  socket_timeout = 5;\n};\n", 3,
      "kafka property 'socket.timeout' (from 'kafka.socket_timeout'):");
  refused_like(f, "kafka = {\n  socket_timeout_ms = \"soon\";\n};\n", 2,
               "kafka property 'socket.timeout.ms'");
  refused(f, "kafka = {\n  enable_auto_commit = true;\n};\n", 2,
          "kafka property 'enable.auto.commit' is set by enforcewatch "
          "(offsets are committed after delivery)");
  refused(f, "kafka = {\n  bootstrap_servers = \"x:1\";\n};\n", 2,
          "kafka property 'bootstrap.servers' is set by enforcewatch (use the "
          "top-level 'brokers' key)");
  refused(f, "kafka = {\n  message_timeout_ms = \"30000\";\n};\n", 2,
          "kafka property 'message.timeout.ms' is set by enforcewatch "
          "(outputs are retried until delivered, so one key's outputs keep "
          "their order)");
  refused(f, "kafka = {\n  partition_assignment_strategy = \"range\";\n};\n", 2,
          "kafka property 'partition.assignment.strategy' is set by "
          "enforcewatch (the rebalance handling is built for "
          "cooperative-sticky)");
  refused(f, "kafka = {\n  enable_idempotence = false;\n};\n", 2,
          "kafka property 'enable.idempotence' is set by enforcewatch (the "
          "producer is always idempotent)");
  refused(f, "kafka = {\n  socket_timeout_ms = 5000000000;\n};\n", 2,
          "'kafka.socket_timeout_ms' = 5000000000 does not fit in 32 bits and "
          "libconfig wrapped it to 705032704; write 64-bit integers with an "
          "L suffix (5000000000L)");
}

/* ---- rules ---- */

static void test_rules_overrides(void **state) {
  fixture *f = *state;
  assert_int_equal(load(f, "rules = {\n"
                           "  R05 = { min_officers = 3; };\n"
                           "  R02 = { exempt_triggers = [\"COMPLAINT\"];\n"
                           "          severity = \"MEDIUM\"; };\n"
                           "  R06 = { severity_none_certified = \"HIGH\";\n"
                           "          shown_modes = [\"ON_SITE\"]; };\n"
                           "  R25 = { enabled = false; };\n"
                           "};\n"),
                   0);
  assert_int_equal(f->cfg.rules.r05.min_officers, 3);
  assert_int_equal(f->cfg.rules.r02.exempt_triggers, 1u << EW_TRIG_COMPLAINT);
  assert_int_equal(f->cfg.rules.r02.c.severity, EW_SEV_MEDIUM);
  assert_int_equal(f->cfg.rules.r06.severity_none_certified, EW_SEV_HIGH);
  assert_int_equal(f->cfg.rules.r06.shown_modes, 1u << EW_MODE_ON_SITE);
  assert_int_equal(f->cfg.rules.r25.c.enabled, 0);
  /* untouched values keep their defaults */
  assert_int_equal(f->cfg.rules.r05.c.severity, EW_SEV_HIGH);
  assert_int_equal(f->cfg.rules.r02.plan_statuses,
                   (1u << EW_PST_FILED) | (1u << EW_PST_AMENDED));

  /* an empty exempt list exempts nothing */
  assert_int_equal(load(f, "rules = { R02 = { exempt_triggers = []; }; };\n"),
                   0);
  assert_int_equal(f->cfg.rules.r02.exempt_triggers, 0);
}

static void test_rules_strlist_limits(void **state) {
  fixture *f = *state;
  char text[4096];
  size_t n =
      (size_t)snprintf(text, sizeof text, "rules = { R25 = { region_codes = [");
  for (int i = 0; i <= EW_RULE_MAX_LIST; i++)
    n += (size_t)snprintf(text + n, sizeof text - n, "%s\"%06d\"",
                          i ? ", " : "", 620000 + i);
  snprintf(text + n, sizeof text - n, "]; }; };\n");
  refused(f, text, 1,
          "'rules.R25.region_codes' has 65 entries, at most 64 are "
          "allowed");
  refused(f, "rules = { R25 = { region_codes = [\"622900\",\n \"\"]; }; };\n",
          2, "'rules.R25.region_codes' must be an array of non-empty strings");
  /* the refusals left the default list in place */
  ew_rules_config r;
  ew_rules_config_defaults(&r);
  assert_int_equal(f->cfg.rules.r25.region_codes.n, r.r25.region_codes.n);
  for (size_t i = 0; i < r.r25.region_codes.n; i++)
    assert_string_equal(f->cfg.rules.r25.region_codes.v[i],
                        r.r25.region_codes.v[i]);
  ew_rules_config_free(&r);
}

/* deploy/enforcewatch.cfg lists every key with its default: loading it
 * changes nothing. */
static void test_sample_file_shows_defaults(void **state) {
  fixture *f = *state;
  const char *data = getenv("EW_TEST_DATA");
  char path[1024];
  ew_config d;
  if (!data)
    skip();
  snprintf(path, sizeof path, "%s/../deploy/enforcewatch.cfg", data);
  if (ew_config_load(&f->cfg, path, f->err, sizeof f->err) != 0)
    fail_msg("%s", f->err);
  assert_int_equal(ew_config_defaults(&d), 0);
  const ew_config *c = &f->cfg;
  assert_string_equal(c->brokers, d.brokers);
  assert_string_equal(c->group_id, d.group_id);
  assert_string_equal(c->client_id, d.client_id);
  assert_string_equal(c->state_path, d.state_path);
  assert_null(c->schemas_dir);
  assert_int_equal(c->log_level, d.log_level);
  assert_int_equal(c->max_message_bytes, d.max_message_bytes);
  assert_int_equal(c->batch_max_records, d.batch_max_records);
  assert_int_equal(c->batch_max_ms, d.batch_max_ms);
  assert_int_equal(c->tick_ms, d.tick_ms);
  assert_int_equal(c->shutdown_timeout_ms, d.shutdown_timeout_ms);
  assert_int_equal(c->topic_partitions, d.topic_partitions);
  assert_int_equal(c->topic_replication, d.topic_replication);
  for (int k = 0; k < EW_REC_COUNT; k++)
    assert_string_equal(ew_config_topic_of(c, (ew_rkind)k),
                        ew_config_topic_of(&d, (ew_rkind)k));
  assert_string_equal(c->topics.deadletter, d.topics.deadletter);
  assert_int_equal(c->nkafka, 0);
  /* every rule parameter as in rules_config.c */
  for (size_t i = 0; i < ew_rule_params_count; i++) {
    const ew_rule_param *p = &ew_rule_params[i];
    const char *a = (const char *)&c->rules + p->offset;
    const char *b = (const char *)&d.rules + p->offset;
    switch (p->type) {
    case EW_PT_BOOL:
    case EW_PT_ENUM:
      assert_int_equal(*(const int *)a, *(const int *)b);
      break;
    case EW_PT_INT:
      assert_int_equal(*(const int64_t *)a, *(const int64_t *)b);
      break;
    case EW_PT_ENUMSET:
      assert_int_equal(*(const uint32_t *)a, *(const uint32_t *)b);
      break;
    case EW_PT_STRLIST: {
      const ew_strlist *la = (const ew_strlist *)a, *lb = (const ew_strlist *)b;
      assert_int_equal(la->n, lb->n);
      for (size_t j = 0; j < la->n; j++)
        assert_string_equal(la->v[j], lb->v[j]);
      break;
    }
    }
  }
  ew_config_free(&d);

  /* ...and lists every rule parameter, so that it documents them all */
  config_t lc;
  config_init(&lc);
  assert_int_equal(config_read_file(&lc, path), CONFIG_TRUE);
  for (size_t i = 0; i < ew_rule_params_count; i++) {
    char key[128];
    snprintf(key, sizeof key, "rules.%s.%s", ew_rule_params[i].rule,
             ew_rule_params[i].key);
    if (!config_lookup(&lc, key))
      fail_msg("deploy/enforcewatch.cfg does not list %s", key);
  }
  config_destroy(&lc);
}

int main(void) {
  /* libconfig's messages are checked in English */
  setenv("LC_ALL", "C", 1);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
      cmocka_unit_test_setup_teardown(test_topic_lookup, setup, teardown),
      cmocka_unit_test_setup_teardown(test_full_file, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
      cmocka_unit_test_setup_teardown(test_empty_file_is_defaults, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_unknown_top_level_key, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_unknown_key_in_topics, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_unknown_rule, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wrong_type, setup, teardown),
      cmocka_unit_test_setup_teardown(test_out_of_range, setup, teardown),
      cmocka_unit_test_setup_teardown(test_enum_element_line, setup, teardown),
      cmocka_unit_test_setup_teardown(test_64bit_wrap, setup, teardown),
      cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unreadable_file, setup, teardown),
      cmocka_unit_test_setup_teardown(test_syntax_error, setup, teardown),
      cmocka_unit_test_setup_teardown(test_include_reports_included_file, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_topic_names, setup, teardown),
      cmocka_unit_test_setup_teardown(test_kafka_passthrough, setup, teardown),
      cmocka_unit_test_setup_teardown(test_kafka_refusals, setup, teardown),
      cmocka_unit_test_setup_teardown(test_rules_overrides, setup, teardown),
      cmocka_unit_test_setup_teardown(test_rules_strlist_limits, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_sample_file_shows_defaults, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
