/*
 * test_progress.c - the progress marker's value: what the producer writes
 * is what a restarted producer reads back, and nothing else is taken for
 * a marker (a wrong one would make outputs count as published).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../producers/progress.h"

static int parse(const char *s, int64_t *sid, int64_t *seq) {
  return ew_progress_parse(s, strlen(s), sid, seq);
}

static void test_round_trip(void **state) {
  (void)state;
  char buf[64];
  int64_t sid = -1, seq = -1;
  int n = ew_progress_format(buf, sizeof buf, INT64_MAX, 42);
  assert_int_equal(n, (int)strlen(buf));
  assert_string_equal(buf, "9223372036854775807 42");
  assert_int_equal(ew_progress_parse(buf, (size_t)n, &sid, &seq), 0);
  assert_true(sid == INT64_MAX);
  assert_int_equal(seq, 42);
  assert_int_equal(parse("0 0", &sid, &seq), 0);
  assert_int_equal(sid, 0);
  assert_int_equal(seq, 0);
}

static void test_too_small_buffer(void **state) {
  (void)state;
  char buf[8];
  assert_int_equal(ew_progress_format(buf, sizeof buf, 123456789, 1), -1);
}

static void test_refuses_non_markers(void **state) {
  (void)state;
  int64_t sid, seq;
  const char *bad[] = {
      "",
      "1",
      "1 ",
      " 1 2",
      "1  2",
      "1 2 ",
      "1 2\n",
      "-1 2",
      "1 -2",
      "+1 2",
      "1,2",
      "a 2",
      "1 2x",
      "1 0x10",
      "99999999999999999999 1", /* beyond int64 */
      "1 9223372036854775808",
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    if (parse(bad[i], &sid, &seq) != -1)
      fail_msg("\"%s\" taken for a marker", bad[i]);
  assert_int_equal(ew_progress_parse(NULL, 0, &sid, &seq), -1);
  /* The length bounds the read: no NUL needed, none looked for. */
  assert_int_equal(ew_progress_parse("12 34567", 5, &sid, &seq), 0);
  assert_int_equal(seq, 34);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip),
      cmocka_unit_test(test_too_small_buffer),
      cmocka_unit_test(test_refuses_non_markers),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
