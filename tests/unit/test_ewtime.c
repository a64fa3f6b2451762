/*
 * test_ewtime.c - ISO-8601 parsing and Asia/Shanghai calendar arithmetic.
 *
 * Expected epoch values were computed independently (Python's datetime with
 * explicit UTC), and the civil-date conversion is checked against a naive
 * day-counting oracle over eight centuries, so the tests do not merely
 * restate the implementation's algorithm.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ewtime.h"

#define H (3600LL * 1000)
#define MIN (60LL * 1000)

static ew_time parse_ok(const char *s) {
  ew_time t = 12345;
  int rc = ew_time_parse(s, strlen(s), &t);
  if (rc != 0)
    print_error("ew_time_parse refused \"%s\"\n", s);
  assert_int_equal(rc, 0);
  return t;
}

static void parse_bad(const char *s) {
  ew_time t = 12345;
  int rc = ew_time_parse(s, strlen(s), &t);
  if (rc != -1)
    print_error("ew_time_parse accepted \"%s\"\n", s);
  assert_int_equal(rc, -1);
  assert_int_equal(t, 12345); /* *out untouched on error */
}

static void test_parse_offsets(void **state) {
  (void)state;
  const ew_time t0 = 1741051800000LL; /* 2025-03-04T01:30:00Z */
  assert_int_equal(parse_ok("2025-03-04T01:30:00Z"), t0);
  assert_int_equal(parse_ok("2025-03-04T09:30:00+08:00"), t0);
  assert_int_equal(parse_ok("2025-03-04T09:30:00+0800"), t0);
  assert_int_equal(parse_ok("2025-03-04T09:30:00+08"), t0);
  assert_int_equal(parse_ok("2025-03-03T20:30:00-05:00"), t0);
  assert_int_equal(parse_ok("2025-03-03T20:30:00-0500"), t0);
  assert_int_equal(parse_ok("2025-03-04T07:15:00+05:45"), t0);
  assert_int_equal(parse_ok("2025-03-04T01:30:00+00:00"), t0);
  assert_int_equal(parse_ok("2025-03-04T01:30:00-00:00"), t0);
  assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
  assert_int_equal(parse_ok("1969-12-31T23:59:59Z"), -1000);
}

static void test_parse_default_shanghai(void **state) {
  (void)state;
  /* No offset means Asia/Shanghai, i.e. exactly +08:00. */
  assert_int_equal(parse_ok("2025-03-04T09:30:00"),
                   parse_ok("2025-03-04T09:30:00+08:00"));
  assert_int_equal(parse_ok("1970-01-01T08:00:00"), 0);
  /* A bare date is midnight in Shanghai, 16:00 UTC the day before. */
  assert_int_equal(parse_ok("2025-03-04"), parse_ok("2025-03-03T16:00:00Z"));
  assert_int_equal(parse_ok("1970-01-01"), -8 * H);
  assert_int_equal(parse_ok("2024-02-29"), 1709164800000LL - 8 * H);
}

static void test_parse_fraction(void **state) {
  (void)state;
  const ew_time t0 = 1741051800000LL;
  assert_int_equal(parse_ok("2025-03-04T09:30:00.250+08:00"), t0 + 250);
  assert_int_equal(parse_ok("2025-03-04T09:30:00.5Z") - 8 * H, t0 + 500);
  assert_int_equal(parse_ok("2025-03-04T09:30:00.05"), t0 + 50);
  assert_int_equal(parse_ok("2025-03-04T09:30:00.000"), t0);
  assert_int_equal(parse_ok("2025-03-04T09:30:00.123456"), t0 + 123);
  assert_int_equal(parse_ok("2025-03-04T09:30:00.123456789"), t0 + 123);
  /* Truncated, never rounded into the next second. */
  assert_int_equal(parse_ok("2025-03-04T09:30:00.999999999+08:00"), t0 + 999);
  assert_int_equal(parse_ok("1969-12-31T23:59:59.999Z"), -1);
  parse_bad("2025-03-04T09:30:00.1234567890+08:00"); /* 10 digits */
  parse_bad("2025-03-04T09:30:00.+08:00");
  parse_bad("2025-03-04T09:30:00.");
  parse_bad("2025-03-04T09:30:00,250+08:00");
  parse_bad("2025-03-04T09:30:00.25x");
}

static void test_parse_calendar_ranges(void **state) {
  (void)state;
  parse_ok("2024-02-29");
  parse_ok("2000-02-29T12:00:00Z"); /* divisible by 400: leap */
  parse_ok("2025-12-31T23:59:59+08:00");
  parse_ok("2025-01-31");
  parse_ok("2025-04-30");
  parse_bad("2025-02-29");
  parse_bad("2025-02-29T00:00:00+08:00");
  parse_bad("1900-02-29"); /* divisible by 100, not 400: common year */
  parse_bad("2100-02-29");
  parse_bad("2025-02-30");
  parse_bad("2025-04-31");
  parse_bad("2025-06-31");
  parse_bad("2025-01-32");
  parse_bad("2025-00-10");
  parse_bad("2025-13-01");
  parse_bad("2025-01-00");
  parse_bad("2025-03-04T24:00:00+08:00");
  parse_bad("2025-03-04T25:00:00+08:00");
  parse_bad("2025-03-04T09:60:00+08:00");
  parse_bad("2025-03-04T09:30:61+08:00");
  parse_bad("2025-03-04T09:30:00+24:00");
  parse_bad("2025-03-04T09:30:00+08:60");
  /* A leap second is accepted and counts as the next minute's first. */
  assert_int_equal(parse_ok("2016-12-31T23:59:60Z"),
                   parse_ok("2017-01-01T00:00:00Z"));
}

static void test_parse_garbage(void **state) {
  (void)state;
  parse_bad("");
  parse_bad("garbage");
  parse_bad("now");
  parse_bad("1741051800000");
  parse_bad("2025");
  parse_bad("2025-03");
  parse_bad("2025-3-4");
  parse_bad("2025/03/04");
  parse_bad("20250304");
  parse_bad("20250304T093000Z");
  parse_bad(" 2025-03-04");
  parse_bad("2025-03-04 ");
  parse_bad("2025-03-04junk");
  parse_bad("2025-03-04T");
  parse_bad("2025-03-04T09");
  parse_bad("2025-03-04T09:30");
  parse_bad("2025-03-04T09:30+08:00");
  parse_bad("2025-03-04T9:30:00+08:00");
  parse_bad("2025-03-04 09:30:00+08:00");
  parse_bad("2025-03-04t09:30:00+08:00");
  parse_bad("2025-03-04T09:30:00z");
  parse_bad("2025-03-04T09:30:00Z ");
  parse_bad("2025-03-04T09:30:00Zjunk");
  parse_bad("2025-03-04T09:30:00+08:00junk");
  parse_bad("2025-03-04T09:30:00+08:00Z");
  parse_bad("2025-03-04T09:30:00+8");
  parse_bad("2025-03-04T09:30:00+8:00");
  parse_bad("2025-03-04T09:30:00+08:");
  parse_bad("2025-03-04T09:30:00+08:0");
  parse_bad("2025-03-04T09:30:00+080");
  parse_bad("2025-03-04T09:30:00+08:000");
  parse_bad("2025-03-04T09:30:00 +08:00");
  parse_bad("2025-03-04T09:30:00GMT");
  parse_bad("+2025-03-04");
  parse_bad("-2025-03-04");
  parse_bad("2025-03-04T09:3a:00");
  parse_bad("２０２５-03-04"); /* full-width digits are not digits */
}

static void test_parse_respects_len(void **state) {
  (void)state;
  const char *s = "2025-03-04T09:30:00Zjunk";
  ew_time t = 0;
  assert_int_equal(ew_time_parse(s, 20, &t), 0);
  assert_int_equal(t, 1741051800000LL + 8 * H); /* 09:30Z is 17:30 here */
  assert_int_equal(ew_time_parse(s, 10, &t), 0);
  assert_int_equal(t, parse_ok("2025-03-04"));
  assert_int_equal(ew_time_parse(s, 9, &t), -1);
  assert_int_equal(ew_time_parse(s, 0, &t), -1);
  /* Not NUL-terminated: nothing past len may be read (ASan checks). */
  char exact[10];
  memcpy(exact, "2025-03-04", 10);
  assert_int_equal(ew_time_parse(exact, sizeof exact, &t), 0);
  assert_int_equal(ew_time_parse(exact, 7, &t), -1);
}

static void test_format(void **state) {
  (void)state;
  char buf[EW_TIME_BUFSZ];
  assert_string_equal(ew_time_format(0, buf), "1970-01-01T08:00:00+08:00");
  assert_string_equal(ew_time_format(1741051800000LL, buf),
                      "2025-03-04T09:30:00+08:00");
  assert_string_equal(ew_time_format(1741051800250LL, buf),
                      "2025-03-04T09:30:00.250+08:00");
  assert_string_equal(ew_time_format(1741051800007LL, buf),
                      "2025-03-04T09:30:00.007+08:00");
  assert_string_equal(ew_time_format(-1, buf), "1970-01-01T07:59:59.999+08:00");
  assert_string_equal(ew_time_format(-8 * H - 1, buf),
                      "1969-12-31T23:59:59.999+08:00");
  assert_string_equal(ew_time_format(1767198600000LL, buf),
                      "2026-01-01T00:30:00+08:00");
  assert_string_equal(ew_time_format(253402300799000LL - 8 * H, buf),
                      "9999-12-31T23:59:59+08:00");
  assert_string_equal(ew_time_format(-11676096000000LL, buf),
                      "1600-01-01T08:00:00+08:00");
  /* The ends of the range must not overflow (UBSan) and stay in buf. */
  assert_true(strlen(ew_time_format(INT64_MAX, buf)) < EW_TIME_BUFSZ);
  assert_true(strlen(ew_time_format(EW_NONE, buf)) < EW_TIME_BUFSZ);
}

static void test_round_trip(void **state) {
  (void)state;
  char buf[EW_TIME_BUFSZ];
  /* From 1600 to 2400 in steps that hit every ms remainder class. */
  const ew_time from = -11676096000000LL, to = 13569465600000LL;
  const ew_time step = 7 * H + 13 * MIN + 17123;
  long n = 0;
  for (ew_time t = from; t < to; t += step, n++) {
    ew_time back = 0;
    ew_time_format(t, buf);
    assert_int_equal(ew_time_parse(buf, strlen(buf), &back), 0);
    if (back != t)
      print_error("%lld -> %s -> %lld\n", (long long)t, buf, (long long)back);
    assert_int_equal(back, t);
  }
  assert_true(n > 900000);
  /* Parse → format is the identity on canonical text. */
  const char *canon[] = {
      "2025-03-04T09:30:00+08:00", "2024-02-29T23:59:59.999+08:00",
      "2000-01-01T00:00:00.001+08:00", "0001-01-01T00:00:00+08:00"};
  for (size_t i = 0; i < sizeof canon / sizeof canon[0]; i++)
    assert_string_equal(ew_time_format(parse_ok(canon[i]), buf), canon[i]);
}

static int naive_leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Walks the calendar one day at a time from 1600-01-01 to 2400-12-31 and
 * checks from_civil, date, year and the parser against the walk. */
static void test_civil_against_oracle(void **state) {
  (void)state;
  static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  /* 1600-01-01T00:00:00+08:00 */
  ew_time midnight = -11676096000000LL - 8 * H;
  char want[32], got[11];
  for (int y = 1600; y <= 2400; y++)
    for (int m = 1; m <= 12; m++) {
      int days = dim[m - 1] + (m == 2 && naive_leap(y));
      for (int d = 1; d <= days; d++, midnight += EW_DAY_MS) {
        snprintf(want, sizeof want, "%04d-%02d-%02d", y, m, d);
        assert_int_equal(ew_time_from_civil(y, m, d), midnight);
        assert_string_equal(ew_time_date(midnight, got), want);
        assert_string_equal(ew_time_date(midnight + EW_DAY_MS - 1, got), want);
        assert_int_equal(ew_time_year(midnight), y);
        assert_int_equal(ew_time_year(midnight + EW_DAY_MS - 1), y);
        ew_time p = 0;
        assert_int_equal(ew_time_parse(want, 10, &p), 0);
        assert_int_equal(p, midnight);
      }
      /* One past the month's last day is refused by the parser. */
      snprintf(want, sizeof want, "%04d-%02d-%02d", y, m, days + 1);
      ew_time p = 0;
      assert_int_equal(ew_time_parse(want, 10, &p), -1);
    }
}

static void test_shanghai_boundary(void **state) {
  (void)state;
  char buf[11];
  /* 16:30 UTC on New Year's Eve is already 2026 in Shanghai. */
  ew_time t = parse_ok("2025-12-31T16:30:00Z");
  assert_int_equal(t, 1767198600000LL);
  assert_string_equal(ew_time_date(t, buf), "2026-01-01");
  assert_int_equal(ew_time_year(t), 2026);
  t = parse_ok("2025-12-31T15:59:59.999Z");
  assert_string_equal(ew_time_date(t, buf), "2025-12-31");
  assert_int_equal(ew_time_year(t), 2025);
  t = parse_ok("2025-12-31T16:00:00Z");
  assert_string_equal(ew_time_date(t, buf), "2026-01-01");
  assert_int_equal(t, ew_time_from_civil(2026, 1, 1));
  /* A New York evening is the next morning in Shanghai. */
  t = parse_ok("2025-06-30T20:00:00-04:00");
  assert_string_equal(ew_time_date(t, buf), "2025-07-01");
  assert_string_equal(ew_time_date(-1, buf), "1970-01-01");
  assert_string_equal(ew_time_date(-8 * H - 1, buf), "1969-12-31");
  assert_int_equal(ew_time_year(-8 * H - 1), 1969);
}

static void test_from_civil_normalizes(void **state) {
  (void)state;
  assert_int_equal(ew_time_from_civil(1970, 1, 1), -8 * H);
  assert_int_equal(ew_time_from_civil(2025, 3, 4), parse_ok("2025-03-04"));
  assert_int_equal(ew_time_from_civil(2025, 13, 1),
                   ew_time_from_civil(2026, 1, 1));
  assert_int_equal(ew_time_from_civil(2025, 0, 1),
                   ew_time_from_civil(2024, 12, 1));
  assert_int_equal(ew_time_from_civil(2025, -11, 1),
                   ew_time_from_civil(2024, 1, 1));
  assert_int_equal(ew_time_from_civil(2025, 3, 0),
                   ew_time_from_civil(2025, 2, 28));
  assert_int_equal(ew_time_from_civil(2024, 3, 0),
                   ew_time_from_civil(2024, 2, 29));
  assert_int_equal(ew_time_from_civil(2025, 1, 32),
                   ew_time_from_civil(2025, 2, 1));
  assert_int_equal(ew_time_from_civil(2025, 1, 1) + 365 * EW_DAY_MS,
                   ew_time_from_civil(2026, 1, 1));
  assert_int_equal(ew_time_from_civil(2024, 1, 1) + 366 * EW_DAY_MS,
                   ew_time_from_civil(2025, 1, 1));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_offsets),
      cmocka_unit_test(test_parse_default_shanghai),
      cmocka_unit_test(test_parse_fraction),
      cmocka_unit_test(test_parse_calendar_ranges),
      cmocka_unit_test(test_parse_garbage),
      cmocka_unit_test(test_parse_respects_len),
      cmocka_unit_test(test_format),
      cmocka_unit_test(test_round_trip),
      cmocka_unit_test(test_civil_against_oracle),
      cmocka_unit_test(test_shanghai_boundary),
      cmocka_unit_test(test_from_civil_normalizes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
