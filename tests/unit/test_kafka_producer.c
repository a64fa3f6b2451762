/*
 * test_kafka_producer.c - the outbox sender over a real SQLite file and the
 * librdkafka mock cluster (style-and-idioms §B1: Kafka behaviour without a
 * broker). The mock is used for what a healthy broker does not do on
 * demand: refuse a produce request.
 *
 * What is checked: rows of one key reach the topic in outbox order even
 * when an older one has to be retried (an OPEN must never land after the
 * WITHDRAWN that followed it), a row refused for good holds back its own
 * key only, and ew_kafka_producer_poll never rolls back a store
 * transaction it did not open.
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
#define PRODUCE_API_KEY 0 /* Kafka protocol ApiKey of ProduceRequest */

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
  if (!f->mc || rd_kafka_mock_topic_create(f->mc, TOPIC, 1, 1) !=
                    RD_KAFKA_RESP_ERR_NO_ERROR)
    return -1;

  if (ew_config_defaults(&f->cfg) != 0)
    return -1;
  free(f->cfg.brokers);
  f->cfg.brokers = strdup(rd_kafka_mock_cluster_bootstraps(f->mc));
  if (!f->cfg.brokers ||
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

/* Sends and polls until the producer has reported `failed` failures or
 * `ms` passed. */
static void pump_until_failed(fixture *f, uint64_t failed, int ms) {
  int64_t deadline = now_ms() + ms;
  ew_kafka_producer_stats st;
  do {
    assert_true(ew_kafka_producer_send(f->prod) >= 0);
    ew_kafka_producer_poll(f->prod, 50);
    ew_kafka_producer_get_stats(f->prod, &st);
  } while (st.failed < failed && now_ms() < deadline);
  assert_true(st.failed >= failed);
}

/* Reads every record of TOPIC[0] from the beginning: "key=value" strings
 * in topic order, at most `max` of them. */
static size_t read_topic(fixture *f, char out[][64], size_t max) {
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers",
                    rd_kafka_mock_cluster_bootstraps(f->mc), err, sizeof err);
  rd_kafka_conf_set(conf, "group.id", "reader", err, sizeof err);
  rd_kafka_conf_set(conf, "enable.partition.eof", "true", err, sizeof err);
  rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  assert_non_null(c);
  rd_kafka_poll_set_consumer(c);
  rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(parts, TOPIC, 0)->offset =
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

static size_t index_of(char got[][64], size_t n, const char *want) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(got[i], want) == 0)
      return i;
  fail_msg("%s not on the topic", want);
  return n;
}

/* An OPEN whose produce request fails is retried after a pause; the
 * WITHDRAWN of the same alert, appended meanwhile, must wait for it. A row
 * of another key need not. */
static void test_retry_keeps_key_order(void **state) {
  fixture *f = *state;
  char got[16][64];
  int64_t undelivered = -1;

  rd_kafka_mock_push_request_errors(f->mc, PRODUCE_API_KEY, 1,
                                    RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
  append(f, "AG1", "open");
  pump_until_failed(f, 1, 10000);

  append(f, "AG1", "withdrawn");
  append(f, "AG2", "other");
  assert_int_equal(ew_kafka_producer_flush(f->prod, 15000, &undelivered), 0);
  assert_int_equal(undelivered, 0);

  size_t n = read_topic(f, got, 16);
  assert_int_equal(n, 3);
  assert_true(index_of(got, n, "AG1=open") < index_of(got, n, "AG1=withdrawn"));
  index_of(got, n, "AG2=other");
}

/* A row librdkafka refuses outright (larger than message.max.bytes) stays
 * in the outbox and is retried, loudly; it holds back the rows of its own
 * key, not the others. Once an operator deletes it, its key moves on. */
static void test_refused_row_holds_its_key_only(void **state) {
  fixture *f = *state;
  char got[16][64], q[128];
  int64_t undelivered = -1;
  size_t big_len = 1200000;
  char *big = malloc(big_len + 1);
  assert_non_null(big);
  memset(big, 'x', big_len);
  big[big_len] = '\0';
  int64_t big_seq = append(f, "AG1", big);
  free(big);
  append(f, "AG1", "withdrawn");
  append(f, "AG2", "other");

  assert_int_equal(ew_kafka_producer_flush(f->prod, 3000, &undelivered), 0);
  /* Rows leave the outbox only as a delivered prefix: all three stay. */
  assert_int_equal(undelivered, 3);
  ew_kafka_producer_stats st;
  ew_kafka_producer_get_stats(f->prod, &st);
  assert_true(st.failed >= 1);
  assert_int_equal(st.delivered, 1);
  size_t n = read_topic(f, got, 16);
  assert_int_equal(n, 1);
  assert_string_equal(got[0], "AG2=other");

  sqlite3 *db;
  assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
  snprintf(q, sizeof q, "DELETE FROM outbox WHERE seq = %lld",
           (long long)big_seq);
  assert_int_equal(sqlite3_exec(db, q, NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  assert_int_equal(ew_kafka_producer_flush(f->prod, 10000, &undelivered), 0);
  assert_int_equal(undelivered, 0);
  n = read_topic(f, got, 16);
  assert_int_equal(n, 2);
  assert_string_equal(got[1], "AG1=withdrawn");
}

/* ew_kafka_producer_poll deletes delivered rows in a transaction of its
 * own. Called while the caller holds one (a contract breach, but one the
 * daemon could commit through a path it did not foresee), it must fail
 * without rolling the caller's transaction back. */
static void test_poll_leaves_caller_transaction(void **state) {
  fixture *f = *state;
  int64_t count = -1;
  append(f, "AG1", "first");
  assert_int_equal(ew_kafka_producer_send(f->prod), 1);

  ew_outbox_row row = {0, TOPIC, "AG1", 3, "second", 6, NULL, 0};
  assert_int_equal(ew_store_begin(f->store), 0);
  assert_int_equal(ew_store_outbox_append(f->store, &row, NULL), 0);
  /* The poll that serves the delivery report attempts the delete. */
  int rc = 0;
  int64_t deadline = now_ms() + 10000;
  while (rc == 0 && ew_kafka_producer_delivered_upto(f->prod) < 1 &&
         now_ms() < deadline)
    rc = ew_kafka_producer_poll(f->prod, 100);
  assert_int_equal(rc, -1);
  assert_int_equal(ew_kafka_producer_delivered_upto(f->prod), 1);
  assert_int_equal(ew_store_commit(f->store), 0); /* still open, still ours */
  assert_int_equal(ew_store_outbox_count(f->store, &count), 0);
  assert_int_equal(count, 2);

  /* Outside any transaction the delete goes through. */
  assert_int_equal(ew_kafka_producer_poll(f->prod, 0), 0);
  assert_int_equal(ew_store_outbox_count(f->store, &count), 0);
  assert_int_equal(count, 1);
}

int main(void) {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_retry_keeps_key_order),
      T(test_refused_row_holds_its_key_only),
      T(test_poll_leaves_caller_transaction),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
