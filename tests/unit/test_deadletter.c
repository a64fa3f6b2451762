/*
 * test_deadletter.c - dead letters as outbox rows (producers/deadletter.c),
 * on a real SQLite store.
 *
 * The contract (§6) wants the original key, value and headers in the dead
 * letter. A consumed value can be larger than any record the producer may
 * send (a compressing feed gets a multi-megabyte value past the broker's
 * limit on compressed batches); such a dead letter is split by value into
 * parts that each fit, and the parts put together give the original bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "producers/deadletter.h"
#include "store.h"

typedef struct fx {
  ew_store *s;
} fx;

static int setup(void **state) {
  char err[256];
  fx *f = calloc(1, sizeof *f);
  if (!f)
    return -1;
  if (ew_store_open(&f->s, ":memory:", err, sizeof err) != 0) {
    fprintf(stderr, "store: %s\n", err);
    free(f);
    return -1;
  }
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fx *f = *state;
  ew_store_close(f->s);
  free(f);
  return 0;
}

/* ---- reading the outbox back ---- */

#define MAX_ROWS 64

typedef struct got_row {
  int64_t seq;
  char *topic;
  unsigned char *key, *value;
  size_t key_len, value_len;
  int key_null, value_null;
  size_t nheaders;
  char *hname[16];
  unsigned char *hvalue[16];
  size_t hlen[16];
  size_t size; /* ew_deadletter_record_size of the row */
} got_row;

typedef struct got {
  got_row rows[MAX_ROWS];
  size_t n;
} got;

static unsigned char *dup(const void *p, size_t n) {
  unsigned char *d = malloc(n ? n : 1);
  assert_non_null(d);
  if (n)
    memcpy(d, p, n);
  return d;
}

static int visit(void *ud, const ew_outbox_row *row) {
  got *g = ud;
  assert_true(g->n < MAX_ROWS);
  got_row *r = &g->rows[g->n++];
  r->seq = row->seq;
  r->topic = strdup(row->topic);
  r->key_null = row->key == NULL;
  r->value_null = row->value == NULL;
  r->key = dup(row->key, row->key_len);
  r->key_len = row->key_len;
  r->value = dup(row->value, row->value_len);
  r->value_len = row->value_len;
  assert_true(row->nheaders <= 16);
  r->nheaders = row->nheaders;
  for (size_t i = 0; i < row->nheaders; i++) {
    r->hname[i] = strdup(row->headers[i].name);
    r->hvalue[i] = dup(row->headers[i].value, row->headers[i].len);
    r->hlen[i] = row->headers[i].len;
  }
  r->size = ew_deadletter_record_size(row->key_len, row->value_len,
                                      row->headers, row->nheaders);
  return 0;
}

static void read_outbox(fx *f, got *g) {
  memset(g, 0, sizeof *g);
  assert_int_equal(ew_store_outbox_scan(f->s, 0, MAX_ROWS, visit, g), 0);
}

/* Empties the outbox for the next test. */
static void clear(fx *f) {
  assert_int_equal(ew_store_begin(f->s), 0);
  assert_int_equal(ew_store_outbox_delete_upto(f->s, INT64_MAX), 0);
  assert_int_equal(ew_store_commit(f->s), 0);
}

static void got_free(got *g) {
  for (size_t i = 0; i < g->n; i++) {
    got_row *r = &g->rows[i];
    free(r->topic);
    free(r->key);
    free(r->value);
    for (size_t j = 0; j < r->nheaders; j++) {
      free(r->hname[j]);
      free(r->hvalue[j]);
    }
  }
}

/* The value of header `name` of row r as a string, or NULL. */
static const char *header(const got_row *r, const char *name, char *buf,
                          size_t size) {
  for (size_t i = 0; i < r->nheaders; i++)
    if (strcmp(r->hname[i], name) == 0) {
      size_t n = r->hlen[i] < size - 1 ? r->hlen[i] : size - 1;
      memcpy(buf, r->hvalue[i], n);
      buf[n] = '\0';
      return buf;
    }
  return NULL;
}

/* ---- the source message ---- */

static const ew_outbox_header orig_headers[] = {
    {"x-feed", "linxia", 6},
    {"trace", "\x00\x01\xff", 3}, /* binary, with a NUL */
    {"x-feed", "again", 5},       /* a name may repeat */
};

static ew_deadletter_src source(const void *value, size_t value_len) {
  ew_deadletter_src src = {"enforcement.inspections",
                           3,
                           123456789012LL,
                           "91622901MA7XXXXX0",
                           17,
                           value,
                           value_len,
                           orig_headers,
                           3};
  return src;
}

/* Row r carries the original key and headers (first, in order) and the
 * x-* headers of the source. */
static void assert_carries_source(const got_row *r) {
  char buf[64];
  assert_string_equal(r->topic, "enforcement.deadletter");
  assert_int_equal(r->key_len, 17);
  assert_memory_equal(r->key, "91622901MA7XXXXX0", 17);
  assert_true(r->nheaders >= 8);
  for (size_t i = 0; i < 3; i++) {
    assert_string_equal(r->hname[i], orig_headers[i].name);
    assert_int_equal(r->hlen[i], orig_headers[i].len);
    assert_memory_equal(r->hvalue[i], orig_headers[i].value,
                        orig_headers[i].len);
  }
  assert_string_equal(header(r, "x-error-code", buf, sizeof buf), "TOO_LARGE");
  assert_string_equal(header(r, "x-source-topic", buf, sizeof buf),
                      "enforcement.inspections");
  assert_string_equal(header(r, "x-source-partition", buf, sizeof buf), "3");
  assert_string_equal(header(r, "x-source-offset", buf, sizeof buf),
                      "123456789012");
  assert_non_null(header(r, "x-error-message", buf, sizeof buf));
}

static unsigned char *pattern(size_t n) {
  unsigned char *v = malloc(n);
  assert_non_null(v);
  for (size_t i = 0; i < n; i++)
    v[i] = (unsigned char)(i * 7 + i / 251);
  return v;
}

/* ---- tests ---- */

static void test_small_dead_letter_is_one_record(void **state) {
  fx *f = *state;
  got g;
  int64_t seq = 0;
  unsigned char *v = pattern(5000);
  ew_deadletter_src src = source(v, 5000);
  assert_int_equal(ew_store_begin(f->s), 0);
  assert_int_equal(ew_deadletter_append(f->s, "enforcement.deadletter", &src,
                                        "TOO_LARGE", "why", &seq),
                   0);
  assert_int_equal(ew_store_commit(f->s), 0);
  read_outbox(f, &g);
  assert_int_equal(g.n, 1);
  assert_int_equal(g.rows[0].seq, seq);
  assert_carries_source(&g.rows[0]);
  assert_int_equal(g.rows[0].nheaders, 8);
  assert_int_equal(g.rows[0].value_len, 5000);
  assert_memory_equal(g.rows[0].value, v, 5000);
  got_free(&g);
  free(v);
  clear(f);
}

static void test_large_dead_letter_is_split(void **state) {
  fx *f = *state;
  got g;
  char buf[64];
  int64_t seq = 0;
  /* Limit 4000 bytes a record: a 10000-byte value needs parts. */
  unsigned char *v = pattern(10000);
  ew_deadletter_src src = source(v, 10000);
  assert_int_equal(ew_store_begin(f->s), 0);
  assert_int_equal(ew_deadletter_append_max(f->s, "enforcement.deadletter",
                                            &src, "TOO_LARGE", "why", 4000,
                                            &seq),
                   0);
  assert_int_equal(ew_store_commit(f->s), 0);
  read_outbox(f, &g);
  assert_true(g.n >= 3);
  assert_int_equal(seq, g.rows[g.n - 1].seq); /* the last part */
  size_t off = 0;
  for (size_t i = 0; i < g.n; i++) {
    got_row *r = &g.rows[i];
    char want[48];
    assert_carries_source(r);
    assert_int_equal(r->nheaders, 10);
    assert_true(r->size <= 4000);
    snprintf(want, sizeof want, "%zu/%zu", i + 1, g.n);
    assert_string_equal(header(r, "x-value-part", buf, sizeof buf), want);
    assert_string_equal(header(r, "x-value-size", buf, sizeof buf), "10000");
    assert_true(off + r->value_len <= 10000);
    assert_memory_equal(r->value, v + off, r->value_len);
    off += r->value_len;
  }
  assert_int_equal(off, 10000); /* byte for byte, nothing lost */
  got_free(&g);
  free(v);
  clear(f);
}

static void test_split_at_the_real_limit(void **state) {
  fx *f = *state;
  got g;
  /* A value as a gzip-compressing feed delivers it: 3 MB, far over the
   * producer's message.max.bytes (EW_DEADLETTER_RECORD_MAX with the default
   * configuration). */
  size_t n = 3000000;
  unsigned char *v = pattern(n);
  ew_deadletter_src src = source(v, n);
  assert_int_equal(ew_store_begin(f->s), 0);
  assert_int_equal(ew_deadletter_append(f->s, "enforcement.deadletter", &src,
                                        "TOO_LARGE", "why", NULL),
                   0);
  assert_int_equal(ew_store_commit(f->s), 0);
  read_outbox(f, &g);
  assert_int_equal(g.n, 4);
  size_t off = 0;
  for (size_t i = 0; i < g.n; i++) {
    assert_true(g.rows[i].size <= EW_DEADLETTER_PART_MAX);
    assert_memory_equal(g.rows[i].value, v + off, g.rows[i].value_len);
    off += g.rows[i].value_len;
  }
  assert_int_equal(off, n);
  got_free(&g);
  free(v);
  clear(f);

  /* Just under the record limit: one record, whole. */
  size_t fixed = ew_deadletter_record_size(17, 0, orig_headers, 3);
  /* The five x-* headers: names plus values "TOO_LARGE", "why", topic, "3",
   * "123456789012". */
  fixed += 5 * 16 + strlen("x-error-code") + 9 + strlen("x-error-message") + 3 +
           strlen("x-source-topic") + 23 + strlen("x-source-partition") + 1 +
           strlen("x-source-offset") + 12;
  n = EW_DEADLETTER_RECORD_MAX - fixed;
  v = pattern(n);
  src = source(v, n);
  assert_int_equal(ew_store_begin(f->s), 0);
  assert_int_equal(ew_deadletter_append(f->s, "enforcement.deadletter", &src,
                                        "TOO_LARGE", "why", NULL),
                   0);
  assert_int_equal(ew_store_commit(f->s), 0);
  read_outbox(f, &g);
  assert_int_equal(g.n, 1);
  assert_int_equal(g.rows[0].size, EW_DEADLETTER_RECORD_MAX);
  assert_int_equal(g.rows[0].value_len, n);
  got_free(&g);
  /* One byte more: two parts. */
  clear(f);
  free(v);
  v = pattern(n + 1);
  src = source(v, n + 1);
  assert_int_equal(ew_store_begin(f->s), 0);
  assert_int_equal(ew_deadletter_append(f->s, "enforcement.deadletter", &src,
                                        "TOO_LARGE", "why", NULL),
                   0);
  assert_int_equal(ew_store_commit(f->s), 0);
  read_outbox(f, &g);
  assert_int_equal(g.n, 2);
  assert_int_equal(g.rows[0].value_len + g.rows[1].value_len, n + 1);
  got_free(&g);
  free(v);
  clear(f);
}

static void test_unsplittable_stays_whole(void **state) {
  fx *f = *state;
  got g;
  /* Headers of 3000 bytes under a limit of 4000: no room to repeat them on
   * every part, so the dead letter is appended whole (deadletter.h). */
  char *big = malloc(3000);
  assert_non_null(big);
  memset(big, 'h', 3000);
  ew_outbox_header hs[1] = {{"huge", big, 3000}};
  unsigned char *v = pattern(2000);
  ew_deadletter_src src = {"t", 0, 1, NULL, 0, v, 2000, hs, 1};
  assert_int_equal(ew_store_begin(f->s), 0);
  assert_int_equal(
      ew_deadletter_append_max(f->s, "dl", &src, "TOO_LARGE", NULL, 4000, NULL),
      0);
  assert_int_equal(ew_store_commit(f->s), 0);
  read_outbox(f, &g);
  assert_int_equal(g.n, 1);
  assert_true(g.rows[0].key_null);
  assert_int_equal(g.rows[0].value_len, 2000);
  assert_int_equal(g.rows[0].hlen[0], 3000);
  got_free(&g);
  free(v);
  free(big);
  clear(f);
}

static void test_tombstone_and_message_cut(void **state) {
  fx *f = *state;
  got g;
  char msg[3000], buf[2048];
  memset(msg, 'm', sizeof msg - 1);
  msg[sizeof msg - 1] = '\0';
  ew_deadletter_src src = {
      "enforcement.penalties", 0, 7, "k", 1, NULL, 0, NULL, 0};
  assert_int_equal(ew_store_begin(f->s), 0);
  assert_int_equal(ew_deadletter_append(f->s, "dl", &src,
                                        "TOMBSTONE_ON_EVENT_TOPIC", msg, NULL),
                   0);
  assert_int_equal(ew_store_commit(f->s), 0);
  read_outbox(f, &g);
  assert_int_equal(g.n, 1);
  assert_true(g.rows[0].value_null);
  assert_int_equal(g.rows[0].nheaders, 5);
  assert_int_equal(
      strlen(header(&g.rows[0], "x-error-message", buf, sizeof buf)), 1000);
  got_free(&g);
  clear(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_small_dead_letter_is_one_record),
      cmocka_unit_test(test_large_dead_letter_is_split),
      cmocka_unit_test(test_split_at_the_real_limit),
      cmocka_unit_test(test_unsplittable_stays_whole),
      cmocka_unit_test(test_tombstone_and_message_cut),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
