/*
 * test_watermark.c - the low watermark that bounds the daemon's clock while
 * a backlog is read from several partitions (consumers/watermark.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../consumers/watermark.h"

#define DAY (24LL * 3600 * 1000)

static ew_watermark two_partitions(void) {
  ew_watermark w = {0};
  w.hold_ms = 10000;
  assert_int_equal(ew_watermark_assign(&w, "insp", 0, 0, 0), 0);
  assert_int_equal(ew_watermark_assign(&w, "insp", 1, 0, 0), 0);
  ew_watermark_find(&w, "insp", 0)->high = 100;
  ew_watermark_find(&w, "insp", 1)->high = 100;
  return w;
}

/* Nothing is known of a partition with messages to read that delivered
 * none: the clock stays. */
static void test_unseen_partition_holds(void **state) {
  (void)state;
  ew_watermark w = two_partitions();
  ew_watermark_seen(ew_watermark_find(&w, "insp", 0), 0, 10 * DAY, 5);
  assert_int_equal(ew_watermark_bound(&w, 5), EW_WATERMARK_HOLD);
  ew_watermark_clear(&w);
}

/* The partition furthest behind bounds the clock, however far another has
 * read ahead. */
static void test_slowest_partition_bounds(void **state) {
  (void)state;
  ew_watermark w = two_partitions();
  ew_wm_part *a = ew_watermark_find(&w, "insp", 0);
  ew_wm_part *b = ew_watermark_find(&w, "insp", 1);
  ew_watermark_seen(a, 0, 10 * DAY, 5);
  ew_watermark_seen(b, 0, 2 * DAY, 5);
  for (int64_t off = 1; off < 60; off++)
    ew_watermark_seen(a, off, (10 + off) * DAY, 6);
  assert_int_equal(ew_watermark_bound(&w, 6), 2 * DAY);
  /* An older event does not move a partition's time back. */
  ew_watermark_seen(b, 1, 1 * DAY, 7);
  assert_int_equal(ew_watermark_bound(&w, 7), 2 * DAY);
  ew_watermark_seen(b, 2, 30 * DAY, 8);
  assert_int_equal(ew_watermark_bound(&w, 8), 30 * DAY);
  ew_watermark_clear(&w);
}

/* A partition read to its high watermark no longer holds the clock; none
 * holding: no bound. */
static void test_read_to_end_releases(void **state) {
  (void)state;
  ew_watermark w = two_partitions();
  ew_wm_part *a = ew_watermark_find(&w, "insp", 0);
  ew_wm_part *b = ew_watermark_find(&w, "insp", 1);
  ew_watermark_seen(a, 0, 10 * DAY, 5);
  ew_watermark_seen(b, 99, 2 * DAY, 5);
  assert_false(ew_watermark_unread(b));
  assert_true(ew_watermark_unread(a));
  assert_int_equal(ew_watermark_bound(&w, 5), 10 * DAY);
  ew_watermark_seen(a, 99, 11 * DAY, 6);
  assert_int_equal(ew_watermark_bound(&w, 6), EW_NONE);
  /* New messages on b (a larger high watermark): it holds again. */
  b->high = 120;
  assert_int_equal(ew_watermark_bound(&w, 7), 2 * DAY);
  ew_watermark_clear(&w);
}

/* A partition that delivers nothing for hold_ms stops holding, so one
 * stalled fetch cannot stop every deadline; an unknown high watermark
 * counts as messages to read until then. */
static void test_stalled_partition_released(void **state) {
  (void)state;
  ew_watermark w = two_partitions();
  ew_wm_part *a = ew_watermark_find(&w, "insp", 0);
  ew_watermark_find(&w, "insp", 1)->high = -1;
  ew_watermark_seen(a, 0, 10 * DAY, 100);
  assert_int_equal(ew_watermark_bound(&w, 10000), EW_WATERMARK_HOLD);
  ew_watermark_seen(a, 1, 11 * DAY, 10001);
  assert_int_equal(ew_watermark_bound(&w, 10001), 11 * DAY);
  ew_watermark_clear(&w);
}

/* Revoked partitions leave; assigning again starts afresh. */
static void test_revoke_and_reassign(void **state) {
  (void)state;
  ew_watermark w = two_partitions();
  ew_watermark_seen(ew_watermark_find(&w, "insp", 0), 0, 10 * DAY, 5);
  ew_watermark_revoke(&w, "insp", 1);
  assert_null(ew_watermark_find(&w, "insp", 1));
  assert_int_equal(w.n, 1);
  assert_int_equal(ew_watermark_bound(&w, 5), 10 * DAY);
  assert_int_equal(ew_watermark_assign(&w, "insp", 0, 40, 6), 0);
  assert_int_equal(w.n, 1);
  assert_int_equal(ew_watermark_find(&w, "insp", 0)->last, EW_NONE);
  assert_int_equal(ew_watermark_bound(&w, 6), EW_WATERMARK_HOLD);
  ew_watermark_clear(&w);
  assert_int_equal(w.n, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_unseen_partition_holds),
      cmocka_unit_test(test_slowest_partition_bounds),
      cmocka_unit_test(test_read_to_end_releases),
      cmocka_unit_test(test_stalled_partition_released),
      cmocka_unit_test(test_revoke_and_reassign),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
