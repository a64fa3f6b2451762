/*
 * test_kafka_producer.c - the transactional outbox sender over a real
 * SQLite file and the librdkafka mock cluster (style-and-idioms §B1: Kafka
 * behaviour without a broker). The mock is used for what a healthy broker
 * does not do on demand: refuse a produce or a commit. The real broker's
 * side (fencing, aborted records hidden from read_committed readers, a
 * SIGKILL mid-transaction) is covered by tests/crash and the integration
 * tests.
 *
 * What is checked: a transaction publishes its rows in seq order with a
 * progress marker of its last seq; a new instance reads the marker back and
 * sends only the rows after it (a crash between commit and delete repeats
 * nothing); a marker of another state file counts for nothing; a marker
 * ahead of a restored file makes new rows number above it; a refused
 * produce aborts and is sent again; a failed commit replaces the instance;
 * ew_kafka_producer_poll never rolls back a store transaction it did not
 * open.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <sqlite3.h>

#include "../producers/kafka_producer.h"
#include "config.h"
#include "store.h"

#define TOPIC "out"
#define PROGRESS "progress"
#define PRODUCE_API_KEY 0 /* Kafka protocol ApiKeys */
#define END_TXN_API_KEY 26

typedef struct fixture {
  char dir[64];
  char path[128];
  rd_kafka_t *mrk; /* owns the mock cluster */
  rd_kafka_mock_cluster_t *mc;
  ew_config cfg;
  ew_store *store;
  ew_kafka_producer *prod;
} fixture;

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  char err[512];
  if (!f)
    return -1;
  snprintf(f->dir, sizeof f->dir, "/tmp/ew-test-producer-XXXXXX");
  if (!mkdtemp(f->dir))
    return -1;
  snprintf(f->path, sizeof f->path, "%s/state.db", f->dir);

  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
  f->mrk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!f->mrk)
    return -1;
  f->mc = rd_kafka_mock_cluster_new(f->mrk, 1);
  if (!f->mc ||
      rd_kafka_mock_topic_create(f->mc, TOPIC, 1, 1) !=
          RD_KAFKA_RESP_ERR_NO_ERROR ||
      rd_kafka_mock_topic_create(f->mc, PROGRESS, 1, 1) !=
          RD_KAFKA_RESP_ERR_NO_ERROR)
    return -1;

  if (ew_config_defaults(&f->cfg) != 0)
    return -1;
  free(f->cfg.brokers);
  f->cfg.brokers = strdup(rd_kafka_mock_cluster_bootstraps(f->mc));
  free(f->cfg.topics.progress);
  f->cfg.topics.progress = strdup(PROGRESS);
  if (!f->cfg.brokers || !f->cfg.topics.progress ||
      ew_store_open(&f->store, f->path, err, sizeof err) != 0 ||
      ew_kafka_producer_new(&f->prod, &f->cfg, f->store, err, sizeof err) != 0)
    return -1;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  char p[160];
  const char *suffix[] = {"", "-wal", "-shm", "-journal"};
  ew_kafka_producer_destroy(f->prod);
  ew_store_close(f->store);
  ew_config_free(&f->cfg);
  if (f->mc)
    rd_kafka_mock_cluster_destroy(f->mc);
  if (f->mrk)
    rd_kafka_destroy(f->mrk);
  for (int i = 0; i < 4; i++) {
    snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
    unlink(p);
  }
  rmdir(f->dir);
  free(f);
  return 0;
}

static int64_t append(fixture *f, const char *key, const char *value) {
  ew_outbox_row row = {0,     TOPIC,         key,  strlen(key),
                       value, strlen(value), NULL, 0};
  int64_t seq = -1;
  assert_int_equal(ew_store_begin(f->store), 0);
  assert_int_equal(ew_store_outbox_append(f->store, &row, &seq), 0);
  assert_int_equal(ew_store_commit(f->store), 0);
  return seq;
}

/* Reads every record of topic[0] from the beginning: "key=value" strings
 * in topic order, at most `max` of them. */
static size_t read_topic(fixture *f, const char *topic, char out[][64],
                         size_t max) {
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers",
                    rd_kafka_mock_cluster_bootstraps(f->mc), err, sizeof err);
  rd_kafka_conf_set(conf, "group.id", "reader", err, sizeof err);
  rd_kafka_conf_set(conf, "enable.partition.eof", "true", err, sizeof err);
  rd_kafka_conf_set(conf, "isolation.level", "read_committed", err, sizeof err);
  rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  assert_non_null(c);
  rd_kafka_poll_set_consumer(c);
  rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(parts, topic, 0)->offset =
      RD_KAFKA_OFFSET_BEGINNING;
  assert_int_equal(rd_kafka_assign(c, parts), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(parts);
  size_t n = 0;
  int64_t deadline = now_ms() + 10000;
  while (n < max && now_ms() < deadline) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 100);
    if (!m)
      continue;
    int eof = m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
    if (!m->err)
      snprintf(out[n++], 64, "%.*s=%.*s", (int)m->key_len, (const char *)m->key,
               (int)m->len, (const char *)m->payload);
    rd_kafka_message_destroy(m);
    if (eof)
      break;
  }
  rd_kafka_consumer_close(c);
  rd_kafka_destroy(c);
  return n;
}

static int64_t outbox_count(fixture *f) {
  int64_t n = -1;
  assert_int_equal(ew_store_outbox_count(f->store, &n), 0);
  return n;
}

/* Sends until delivered_upto reaches `seq` or 20 s passed. */
static void send_until(fixture *f, int64_t seq) {
  int64_t deadline = now_ms() + 20000;
  while (ew_kafka_producer_delivered_upto(f->prod) < seq &&
         now_ms() < deadline) {
    assert_true(ew_kafka_producer_send(f->prod) >= 0);
    ew_kafka_producer_poll(f->prod, 50);
  }
  assert_int_equal(ew_kafka_producer_delivered_upto(f->prod), seq);
}

static void restart_producer(fixture *f) {
  char err[512];
  ew_kafka_producer_destroy(f->prod);
  f->prod = NULL;
  assert_int_equal(
      ew_kafka_producer_new(&f->prod, &f->cfg, f->store, err, sizeof err), 0);
}

static int64_t store_id(fixture *f) {
  int64_t id = -1;
  int found = 0;
  assert_int_equal(ew_store_meta_get(f->store, "store_id", &id, &found), 0);
  assert_true(found);
  return id;
}

/* One transaction: the rows in seq order, then the marker of the last. */
static void test_commits_rows_then_marker(void **state) {
  fixture *f = *state;
  char got[16][64], want[64];
  append(f, "AG1", "open");
  append(f, "AG2", "other");
  int64_t last = append(f, "AG1", "withdrawn");

  assert_int_equal(ew_kafka_producer_send(f->prod), 3);
  assert_int_equal(ew_kafka_producer_delivered_upto(f->prod), last);
  assert_int_equal(ew_kafka_producer_send(f->prod), 0); /* nothing left */

  size_t n = read_topic(f, TOPIC, got, 16);
  assert_int_equal(n, 3);
  assert_string_equal(got[0], "AG1=open");
  assert_string_equal(got[1], "AG2=other");
  assert_string_equal(got[2], "AG1=withdrawn");
  n = read_topic(f, PROGRESS, got, 16);
  assert_int_equal(n, 1);
  snprintf(want, sizeof want, "%s=%lld %lld", f->cfg.instance_id,
           (long long)store_id(f), (long long)last);
  assert_string_equal(got[0], want);

  ew_kafka_producer_stats st;
  ew_kafka_producer_get_stats(f->prod, &st);
  assert_int_equal(st.transactions, 1);
  int64_t undelivered = -1;
  assert_int_equal(ew_kafka_producer_flush(f->prod, 5000, &undelivered), 0);
  assert_int_equal(undelivered, 0);
}

/* Committed but not yet deleted when the process went away: the next
 * instance reads the marker, deletes those rows and sends only the new
 * one. */
static void test_restart_sends_only_after_marker(void **state) {
  fixture *f = *state;
  char got[16][64];
  append(f, "AG1", "a");
  int64_t b = append(f, "AG1", "b");
  assert_int_equal(ew_kafka_producer_send(f->prod), 2);
  assert_int_equal(outbox_count(f), 2); /* delete comes later, in poll */
  int64_t c = append(f, "AG1", "c");

  restart_producer(f);
  assert_int_equal(ew_kafka_producer_delivered_upto(f->prod), 0);
  assert_int_equal(ew_kafka_producer_send(f->prod), 1);
  assert_true(b < c);
  assert_int_equal(ew_kafka_producer_delivered_upto(f->prod), c);
  size_t n = read_topic(f, TOPIC, got, 16);
  assert_int_equal(n, 3);
  assert_string_equal(got[2], "AG1=c");
}

static void put_marker(fixture *f, int64_t sid, int64_t seq) {
  char err[512], value[64];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers",
                    rd_kafka_mock_cluster_bootstraps(f->mc), err, sizeof err);
  rd_kafka_t *p = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  assert_non_null(p);
  snprintf(value, sizeof value, "%lld %lld", (long long)sid, (long long)seq);
  assert_int_equal(rd_kafka_producev(p, RD_KAFKA_V_TOPIC(PROGRESS),
                                     RD_KAFKA_V_KEY(f->cfg.instance_id,
                                                    strlen(f->cfg.instance_id)),
                                     RD_KAFKA_V_VALUE(value, strlen(value)),
                                     RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                     RD_KAFKA_V_END),
                   RD_KAFKA_RESP_ERR_NO_ERROR);
  assert_int_equal(rd_kafka_flush(p, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_destroy(p);
}

/* A marker written for another state file under the same instance_id (the
 * file was replaced): every row of this file is still to be sent. */
static void test_marker_of_other_file_ignored(void **state) {
  fixture *f = *state;
  put_marker(f, store_id(f) + 1, 100);
  append(f, "AG1", "a");
  int64_t b = append(f, "AG1", "b");
  assert_int_equal(ew_kafka_producer_send(f->prod), 2);
  assert_int_equal(ew_kafka_producer_delivered_upto(f->prod), b);
}

/* A marker of this file ahead of it (the file was restored from a backup):
 * its rows count as published and new rows number above the marker, so
 * none of them is mistaken for published. */
static void test_marker_ahead_reserves_numbers(void **state) {
  fixture *f = *state;
  char got[16][64];
  append(f, "AG1", "old");
  put_marker(f, store_id(f), 50);
  assert_int_equal(ew_kafka_producer_send(f->prod), 0);
  assert_int_equal(ew_kafka_producer_delivered_upto(f->prod), 50);
  assert_int_equal(outbox_count(f), 0);
  int64_t seq = append(f, "AG1", "new");
  assert_true(seq > 50);
  assert_int_equal(ew_kafka_producer_send(f->prod), 1);
  size_t n = read_topic(f, TOPIC, got, 16);
  assert_int_equal(n, 1);
  assert_string_equal(got[0], "AG1=new");
}

/* A produce request the broker refuses fails the transaction: it is
 * aborted and sent again whole after a pause; the key's order holds. */
static void test_refused_produce_aborts_and_resends(void **state) {
  fixture *f = *state;
  char got[16][64];
  rd_kafka_mock_push_request_errors(f->mc, PRODUCE_API_KEY, 1,
                                    RD_KAFKA_RESP_ERR_INVALID_RECORD);
  append(f, "AG1", "open");
  int64_t last = append(f, "AG1", "withdrawn");
  assert_int_equal(ew_kafka_producer_send(f->prod), 0);
  ew_kafka_producer_stats st;
  ew_kafka_producer_get_stats(f->prod, &st);
  assert_int_equal(st.transactions, 0);
  assert_true(st.aborted + st.recreated >= 1);
  assert_int_equal(ew_kafka_producer_delivered_upto(f->prod), 0);

  send_until(f, last);
  /* The mock cluster keeps aborted records visible even to read_committed
   * readers (a real broker hides them: tests/crash), so the committed pair
   * is the last one on the topic, in order. */
  size_t n = read_topic(f, TOPIC, got, 16);
  assert_true(n >= 2);
  assert_string_equal(got[n - 2], "AG1=open");
  assert_string_equal(got[n - 1], "AG1=withdrawn");
}

/* A commit the coordinator reports as failed: the instance is replaced and
 * the marker read back decides. The mock applies the transaction anyway
 * (as a real coordinator may have before the error reached us), so the
 * row counts as published and is not sent a second time. */
static void test_failed_commit_replaces_instance(void **state) {
  fixture *f = *state;
  char got[16][64];
  rd_kafka_mock_push_request_errors(f->mc, END_TXN_API_KEY, 1,
                                    RD_KAFKA_RESP_ERR_INVALID_TXN_STATE);
  int64_t last = append(f, "AG1", "open");
  assert_int_equal(ew_kafka_producer_send(f->prod), 0);
  ew_kafka_producer_stats st;
  ew_kafka_producer_get_stats(f->prod, &st);
  assert_int_equal(st.recreated, 1);
  send_until(f, last);
  ew_kafka_producer_get_stats(f->prod, &st);
  assert_int_equal(st.transactions, 0);
  assert_int_equal(read_topic(f, TOPIC, got, 16), 1);
}

/* A row librdkafka can never send (larger than message.max.bytes) must not
 * hold back the outputs behind it: it is parked, bytes and reason, and the
 * rest is published in order. */
static void test_refused_row_is_parked(void **state) {
  fixture *f = *state;
  char got[16][64];
  size_t big_len = 1200000;
  char *big = malloc(big_len + 1);
  assert_non_null(big);
  memset(big, 'x', big_len);
  big[big_len] = '\0';
  append(f, "AG1", "open");
  int64_t big_seq = append(f, "AG1", big);
  free(big);
  int64_t last = append(f, "AG2", "other");

  send_until(f, last);
  ew_kafka_producer_stats st;
  ew_kafka_producer_get_stats(f->prod, &st);
  assert_int_equal(st.parked, 1);
  size_t n = read_topic(f, TOPIC, got, 16);
  assert_true(n >= 2);
  assert_string_equal(got[n - 2], "AG1=open");
  assert_string_equal(got[n - 1], "AG2=other");

  sqlite3 *db;
  sqlite3_stmt *q;
  assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT seq, length(value), reason "
                                      "FROM outbox_parked",
                                      -1, &q, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(q), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int64(q, 0), big_seq);
  assert_int_equal(sqlite3_column_int64(q, 1), (int64_t)big_len);
  assert_non_null(
      strstr((const char *)sqlite3_column_text(q, 2), "MSG_SIZE_TOO_LARGE"));
  assert_int_equal(sqlite3_step(q), SQLITE_DONE);
  sqlite3_finalize(q);
  sqlite3_close(db);
}

/* ew_kafka_producer_poll deletes published rows in a transaction of its
 * own. Called while the caller holds one (a contract breach, but one the
 * daemon could commit through a path it did not foresee), it must fail
 * without rolling the caller's transaction back. */
static void test_poll_leaves_caller_transaction(void **state) {
  fixture *f = *state;
  int64_t count = -1;
  append(f, "AG1", "first");
  assert_int_equal(ew_kafka_producer_send(f->prod), 1);
  sleep(1); /* published rows are deleted at most once a second */

  ew_outbox_row row = {0, TOPIC, "AG1", 3, "second", 6, NULL, 0};
  assert_int_equal(ew_store_begin(f->store), 0);
  assert_int_equal(ew_store_outbox_append(f->store, &row, NULL), 0);
  /* The poll attempts the delete of the published row. */
  assert_int_equal(ew_kafka_producer_poll(f->prod, 0), -1);
  assert_int_equal(ew_kafka_producer_delivered_upto(f->prod), 1);
  assert_int_equal(ew_store_commit(f->store), 0); /* still open, still ours */
  assert_int_equal(ew_store_outbox_count(f->store, &count), 0);
  assert_int_equal(count, 2);

  /* Outside any transaction the delete goes through (poll waits 30 s
   * after a failed delete; flush deletes at once). */
  assert_int_equal(ew_kafka_producer_poll(f->prod, 0), 0);
  assert_int_equal(ew_store_outbox_count(f->store, &count), 0);
  assert_int_equal(count, 2);
  assert_int_equal(ew_kafka_producer_flush(f->prod, 0, NULL), 0);
  assert_int_equal(ew_store_outbox_count(f->store, &count), 0);
  assert_int_equal(count, 1);
}

int main(void) {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_commits_rows_then_marker),
      T(test_restart_sends_only_after_marker),
      T(test_marker_of_other_file_ignored),
      T(test_marker_ahead_reserves_numbers),
      T(test_refused_produce_aborts_and_resends),
      T(test_failed_commit_replaces_instance),
      T(test_refused_row_is_parked),
      T(test_poll_leaves_caller_transaction),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
