/*
 * test_calendar.c - working days against the real 2025-2026 State Council
 * calendar (tests/unit/data/calendar-2025-2026.jsonl, a verbatim copy of
 * shared/domain/calendar-2025-2026.jsonl), read with the JSON Lines reader
 * into a real store file that is closed and opened again before the tests,
 * so the answers come from what the store persisted.
 *
 * 2025 facts used below: the Spring Festival week 01-28 .. 02-04 is off and
 * Sunday 01-26 and Saturday 02-08 are 调休 working days; National Day
 * 10-01 .. 10-08 is off with Sunday 09-28 and Saturday 10-11 working; the
 * first week of March is an ordinary week. ew_calendar_add_days counts
 * calendar days and needs no calendar.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calendar.h"
#include "consumers/jsonl_reader.h"
#include "ewtime.h"
#include "store.h"

typedef struct fixture {
  char dir[64];
  char path[128];
  ew_store *store;
  int records;
} fixture;

static ew_store *open_store(const char *path) {
  ew_store *s = NULL;
  char err[512];
  if (ew_store_open(&s, path, err, sizeof err) != 0)
    fail_msg("open %s: %s", path, err);
  return s;
}

/* Reads the calendar file line by line into the store, in one
 * transaction. Returns the number of records stored. */
static int load_calendar(ew_store *s, const char *file) {
  FILE *fp = fopen(file, "r");
  char line[512], err[256];
  ew_arena a = EW_ARENA_INIT;
  int n = 0, lineno = 0;
  if (!fp)
    fail_msg("cannot open %s", file);
  assert_int_equal(ew_store_begin(s), 0);
  while (fgets(line, sizeof line, fp)) {
    ew_record rec;
    int tomb = 0, rc;
    lineno++;
    ew_arena_reset(&a);
    rc = ew_jsonl_parse(line, strcspn(line, "\n"), &rec, &tomb, &a, err,
                        sizeof err);
    if (rc == 1)
      continue;
    if (rc != 0)
      fail_msg("%s:%d: %s", file, lineno, err);
    assert_int_equal(rec.kind, EW_REC_CALENDAR_DAY);
    assert_int_equal(tomb, 0);
    assert_int_equal(ew_store_ref_put(s, &rec), 0);
    n++;
  }
  fclose(fp);
  ew_arena_free(&a);
  assert_int_equal(ew_store_commit(s), 0);
  return n;
}

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  const char *data = getenv("EW_TEST_DATA");
  char file[1024];
  snprintf(f->dir, sizeof f->dir, "/tmp/ew-test-calendar-XXXXXX");
  if (!mkdtemp(f->dir))
    return -1;
  snprintf(f->path, sizeof f->path, "%s/state.db", f->dir);
  snprintf(file, sizeof file, "%s/unit/data/calendar-2025-2026.jsonl",
           data ? data : "tests");
  ew_store *s = open_store(f->path);
  f->records = load_calendar(s, file);
  ew_store_close(s);
  f->store = open_store(f->path);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  char p[160];
  const char *suffix[] = {"", "-wal", "-shm", "-journal"};
  ew_store_close(f->store);
  for (int i = 0; i < 4; i++) {
    snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
    unlink(p);
  }
  rmdir(f->dir);
  free(f);
  return 0;
}

static int workday(ew_store *s, const char *date) {
  int w = -1;
  if (ew_calendar_is_workday(s, date, &w) != 0)
    fail_msg("is_workday(%s) failed", date);
  return w;
}

/* ew_calendar_add_workdays(t, n) formatted, "none" when there is no answer.
 */
static const char *deadline(ew_store *s, const char *t, int64_t n) {
  static char buf[EW_TIME_BUFSZ];
  ew_time at, out;
  if (ew_time_parse(t, strlen(t), &at) != 0)
    fail_msg("bad time %s", t);
  int rc = ew_calendar_add_workdays(s, at, n, &out);
  if (rc < 0)
    fail_msg("add_workdays: %s", ew_store_errmsg(s));
  if (rc == 1) {
    assert_int_equal(out, EW_NONE);
    return "none";
  }
  return ew_time_format(out, buf);
}

static int64_t between(ew_store *s, const char *from, const char *to) {
  ew_time a, b;
  int64_t n = -2;
  if (ew_time_parse(from, strlen(from), &a) != 0 ||
      ew_time_parse(to, strlen(to), &b) != 0)
    fail_msg("bad time %s or %s", from, to);
  assert_int_equal(ew_calendar_workdays_between(s, a, b, &n), 0);
  return n;
}

static void test_file_loaded(void **state) {
  fixture *f = *state;
  assert_int_equal(f->records, 72); /* every line of the file */
}

static void test_spring_festival_2025(void **state) {
  ew_store *s = ((fixture *)*state)->store;
  assert_int_equal(workday(s, "2025-01-24"), 1); /* Friday */
  assert_int_equal(workday(s, "2025-01-25"), 0); /* Saturday */
  assert_int_equal(workday(s, "2025-01-26"), 1); /* Sunday, 调休 */
  assert_int_equal(workday(s, "2025-01-27"), 1); /* Monday */
  static const char *const off[] = {"2025-01-28", "2025-01-29", "2025-01-30",
                                    "2025-01-31", "2025-02-01", "2025-02-02",
                                    "2025-02-03", "2025-02-04"};
  for (size_t i = 0; i < sizeof off / sizeof off[0]; i++)
    assert_int_equal(workday(s, off[i]), 0);
  assert_int_equal(workday(s, "2025-02-05"), 1); /* Wednesday, back */
  assert_int_equal(workday(s, "2025-02-08"), 1); /* Saturday, 调休 */
  assert_int_equal(workday(s, "2025-02-09"), 0); /* Sunday */
}

static void test_national_day_2025(void **state) {
  ew_store *s = ((fixture *)*state)->store;
  assert_int_equal(workday(s, "2025-09-27"), 0); /* Saturday */
  assert_int_equal(workday(s, "2025-09-28"), 1); /* Sunday, 调休 */
  assert_int_equal(workday(s, "2025-09-30"), 1);
  for (int d = 1; d <= 8; d++) {
    char date[16];
    snprintf(date, sizeof date, "2025-10-%02d", d);
    assert_int_equal(workday(s, date), 0);
  }
  assert_int_equal(workday(s, "2025-10-09"), 1);
  assert_int_equal(workday(s, "2025-10-11"), 1); /* Saturday, 调休 */
  assert_int_equal(workday(s, "2025-10-12"), 0);
}

static void test_ordinary_week_and_defaults(void **state) {
  ew_store *s = ((fixture *)*state)->store;
  static const char *const week[] = {"2025-03-03", "2025-03-04", "2025-03-05",
                                     "2025-03-06", "2025-03-07"};
  for (size_t i = 0; i < 5; i++)
    assert_int_equal(workday(s, week[i]), 1);
  assert_int_equal(workday(s, "2025-03-08"), 0);
  assert_int_equal(workday(s, "2025-03-09"), 0);
  /* A year without records follows Monday-Friday (2027-02-06 is a
   * Saturday, 2027-02-08 a Monday). */
  assert_int_equal(workday(s, "2027-02-06"), 0);
  assert_int_equal(workday(s, "2027-02-08"), 1);
  /* 2026: New Year 01-01..01-03 off, Sunday 01-04 working. */
  assert_int_equal(workday(s, "2026-01-02"), 0);
  assert_int_equal(workday(s, "2026-01-04"), 1);
}

static void test_invalid_dates(void **state) {
  ew_store *s = ((fixture *)*state)->store;
  int w = 7;
  assert_int_equal(ew_calendar_is_workday(s, "2025-02-30", &w), 1);
  assert_int_equal(ew_calendar_is_workday(s, "2025-3-4", &w), 1);
  assert_int_equal(ew_calendar_is_workday(s, "2025-03-04T09:00", &w), 1);
  assert_int_equal(ew_calendar_is_workday(s, "", &w), 1);
  assert_int_equal(ew_calendar_is_workday(s, NULL, &w), 1);
  assert_int_equal(w, 7); /* untouched */
}

static void test_add_workdays_ordinary_week(void **state) {
  ew_store *s = ((fixture *)*state)->store;
  assert_string_equal(deadline(s, "2025-03-04T10:00:00+08:00", 0),
                      "2025-03-04T23:59:59.999+08:00");
  assert_string_equal(deadline(s, "2025-03-04T10:00:00+08:00", 1),
                      "2025-03-05T23:59:59.999+08:00");
  assert_string_equal(deadline(s, "2025-03-04T10:00:00+08:00", 5),
                      "2025-03-11T23:59:59.999+08:00");
  /* Across a weekend: Friday + 1 and Saturday + 0 or + 1 are Monday. */
  assert_string_equal(deadline(s, "2025-03-07T17:00:00+08:00", 1),
                      "2025-03-10T23:59:59.999+08:00");
  assert_string_equal(deadline(s, "2025-03-07T17:00:00+08:00", 2),
                      "2025-03-11T23:59:59.999+08:00");
  assert_string_equal(deadline(s, "2025-03-08T10:00:00+08:00", 0),
                      "2025-03-10T23:59:59.999+08:00");
  assert_string_equal(deadline(s, "2025-03-08T10:00:00+08:00", 1),
                      "2025-03-10T23:59:59.999+08:00");
  assert_string_equal(deadline(s, "2025-03-08T10:00:00+08:00", 2),
                      "2025-03-11T23:59:59.999+08:00");
}

static void test_add_workdays_spring_festival(void **state) {
  ew_store *s = ((fixture *)*state)->store;
  /* Friday 01-24: Saturday 01-25 is off, Sunday 01-26 is 调休. */
  assert_string_equal(deadline(s, "2025-01-24T15:00:00+08:00", 1),
                      "2025-01-26T23:59:59.999+08:00");
  assert_string_equal(deadline(s, "2025-01-24T15:00:00+08:00", 2),
                      "2025-01-27T23:59:59.999+08:00");
  assert_string_equal(deadline(s, "2025-01-24T15:00:00+08:00", 3),
                      "2025-02-05T23:59:59.999+08:00");
  /* The Monday before the holiday: next working day is after it. */
  assert_string_equal(deadline(s, "2025-01-27T09:00:00+08:00", 1),
                      "2025-02-05T23:59:59.999+08:00");
  /* During the holiday, n = 0 and n = 1 both mean the first day back. */
  assert_string_equal(deadline(s, "2025-01-30T09:00:00+08:00", 0),
                      "2025-02-05T23:59:59.999+08:00");
  assert_string_equal(deadline(s, "2025-01-30T09:00:00+08:00", 1),
                      "2025-02-05T23:59:59.999+08:00");
  assert_string_equal(deadline(s, "2025-01-30T09:00:00+08:00", 2),
                      "2025-02-06T23:59:59.999+08:00");
  /* Friday 02-07 + 1 is Saturday 02-08, a 调休 working day. */
  assert_string_equal(deadline(s, "2025-02-07T09:00:00+08:00", 1),
                      "2025-02-08T23:59:59.999+08:00");
}

static void test_add_workdays_national_day(void **state) {
  ew_store *s = ((fixture *)*state)->store;
  assert_string_equal(deadline(s, "2025-09-27T09:00:00+08:00", 1),
                      "2025-09-28T23:59:59.999+08:00");
  assert_string_equal(deadline(s, "2025-09-30T09:00:00+08:00", 1),
                      "2025-10-09T23:59:59.999+08:00");
  assert_string_equal(deadline(s, "2025-09-30T09:00:00+08:00", 3),
                      "2025-10-11T23:59:59.999+08:00");
  assert_string_equal(deadline(s, "2025-09-30T09:00:00+08:00", 4),
                      "2025-10-13T23:59:59.999+08:00");
}

/* The date is the Shanghai date, whatever the offset the time came in. */
static void test_add_workdays_shanghai_date(void **state) {
  ew_store *s = ((fixture *)*state)->store;
  /* 16:30Z on Tuesday is 00:30 on Wednesday in Shanghai. */
  assert_string_equal(deadline(s, "2025-03-04T16:30:00Z", 1),
                      "2025-03-06T23:59:59.999+08:00");
  assert_string_equal(deadline(s, "2025-03-04T15:59:59.999Z", 1),
                      "2025-03-05T23:59:59.999+08:00");
  /* The last millisecond of a day is still that day. */
  assert_string_equal(deadline(s, "2025-03-07T23:59:59.999+08:00", 0),
                      "2025-03-07T23:59:59.999+08:00");
}

static void test_add_workdays_no_answer(void **state) {
  ew_store *s = ((fixture *)*state)->store;
  ew_time out = 0;
  assert_int_equal(ew_calendar_add_workdays(s, EW_NONE, 1, &out), 1);
  assert_int_equal(out, EW_NONE);
  out = 0;
  assert_int_equal(
      ew_calendar_add_workdays(s, ew_time_from_civil(2025, 3, 4), -1, &out), 1);
  assert_int_equal(out, EW_NONE);
  /* More working days than the bound can hold. */
  assert_int_equal(
      ew_calendar_add_workdays(s, ew_time_from_civil(2025, 3, 4), 3000, &out),
      1);
  /* Outside the years 0001..9999. */
  assert_int_equal(ew_calendar_add_workdays(s, INT64_MAX, 1, &out), 1);
  assert_int_equal(
      ew_calendar_add_workdays(s, ew_time_from_civil(9999, 12, 31), 1, &out),
      1);
}

/* A calendar that marks more than the bound as holidays makes the search
 * give up instead of looping. */
static void test_bounded_search(void **state) {
  (void)state;
  ew_store *s = open_store(":memory:");
  ew_arena a = EW_ARENA_INIT;
  ew_time start = ew_time_from_civil(2030, 1, 1), out;
  assert_int_equal(ew_store_begin(s), 0);
  for (int i = 0; i <= EW_CALENDAR_MAX_DAYS + 1; i++) {
    char date[16];
    ew_record r;
    r.kind = EW_REC_CALENDAR_DAY;
    ew_rtype_init(ew_rtype_of(r.kind), &r.u);
    ew_time_date(start + (int64_t)i * EW_DAY_MS, date);
    r.u.calendar_day.date = ew_arena_strdup(&a, date);
    r.u.calendar_day.is_workday = 0;
    assert_int_equal(ew_store_ref_put(s, &r), 0);
  }
  assert_int_equal(ew_store_commit(s), 0);
  assert_int_equal(ew_calendar_add_workdays(s, start, 0, &out), 1);
  assert_int_equal(ew_calendar_add_workdays(s, start, 1, &out), 1);
  /* The day before the block still has its answer. */
  assert_int_equal(ew_calendar_add_workdays(s, start - EW_DAY_MS, 0, &out), 0);
  ew_store_close(s);
  ew_arena_free(&a);
}

static void test_workdays_between(void **state) {
  ew_store *s = ((fixture *)*state)->store;
  /* 01-26 (调休), 01-27, 02-05. */
  assert_int_equal(
      between(s, "2025-01-24T09:00:00+08:00", "2025-02-05T08:00:00+08:00"), 3);
  assert_int_equal(
      between(s, "2025-03-04T09:00:00+08:00", "2025-03-04T18:00:00+08:00"), 0);
  assert_int_equal(
      between(s, "2025-03-07T09:00:00+08:00", "2025-03-10T09:00:00+08:00"), 1);
  /* Backwards is 0, not negative. */
  assert_int_equal(
      between(s, "2025-03-10T09:00:00+08:00", "2025-03-07T09:00:00+08:00"), 0);
  /* 2025 has 248 working days: 261 weekdays, 18 of them holidays, and 5
   * 调休 weekend days (01-26, 02-08, 04-27, 09-28, 10-11). */
  assert_int_equal(
      between(s, "2024-12-31T12:00:00+08:00", "2025-12-31T12:00:00+08:00"),
      248);
  int64_t n = 0;
  assert_int_equal(ew_calendar_workdays_between(s, EW_NONE, 0, &n), 1);
  assert_int_equal(n, -1);
}

/* workdays_between is the inverse of add_workdays over all of 2025. */
static void test_inverse_over_2025(void **state) {
  ew_store *s = ((fixture *)*state)->store;
  ew_time t0 = ew_time_from_civil(2025, 1, 1) + 10 * 3600 * 1000LL;
  for (int d = 0; d < 365; d++) {
    ew_time t = t0 + (int64_t)d * EW_DAY_MS, due;
    for (int64_t n = 0; n <= 4; n++) {
      int64_t back = -1;
      char date[16];
      int w = -1;
      assert_int_equal(ew_calendar_add_workdays(s, t, n, &due), 0);
      assert_int_equal((due + 1) % EW_DAY_MS,
                       (EW_DAY_MS - EW_SHANGHAI_OFFSET_MS) % EW_DAY_MS);
      assert_int_equal(ew_calendar_is_workday(s, ew_time_date(due, date), &w),
                       0);
      assert_int_equal(w, 1);
      assert_int_equal(ew_calendar_workdays_between(s, t, due, &back), 0);
      if (n > 0) {
        assert_int_equal(back, n);
      } else {
        /* n = 0: the same day when it is a working day, else the next. */
        assert_int_equal(ew_calendar_is_workday(s, ew_time_date(t, date), &w),
                         0);
        assert_int_equal(back, w ? 0 : 1);
      }
    }
  }
}

/* National Day 2025 seen from inside the holiday and from the 调休 weekend
 * days around it (Sunday 09-28 and Saturday 10-11 are working days). */
static void test_add_workdays_national_day_inside(void **state) {
  ew_store *s = ((fixture *)*state)->store;
  /* From a holiday, n = 0 and n = 1 both mean the first day back. */
  assert_string_equal(deadline(s, "2025-10-03T10:00:00+08:00", 0),
                      "2025-10-09T23:59:59.999+08:00");
  assert_string_equal(deadline(s, "2025-10-03T10:00:00+08:00", 1),
                      "2025-10-09T23:59:59.999+08:00");
  assert_string_equal(deadline(s, "2025-10-03T10:00:00+08:00", 3),
                      "2025-10-11T23:59:59.999+08:00");
  /* The last holiday, 10-08, still does not count itself. */
  assert_string_equal(deadline(s, "2025-10-08T23:00:00+08:00", 1),
                      "2025-10-09T23:59:59.999+08:00");
  /* A working Sunday and a working Saturday are their own day for n = 0,
   * and count as the first working day after the day before them. */
  assert_string_equal(deadline(s, "2025-09-28T10:00:00+08:00", 0),
                      "2025-09-28T23:59:59.999+08:00");
  assert_string_equal(deadline(s, "2025-09-28T10:00:00+08:00", 1),
                      "2025-09-29T23:59:59.999+08:00");
  assert_string_equal(deadline(s, "2025-09-28T10:00:00+08:00", 3),
                      "2025-10-09T23:59:59.999+08:00");
  assert_string_equal(deadline(s, "2025-10-11T10:00:00+08:00", 0),
                      "2025-10-11T23:59:59.999+08:00");
  assert_string_equal(deadline(s, "2025-10-10T10:00:00+08:00", 1),
                      "2025-10-11T23:59:59.999+08:00");
  /* Sunday 10-12 is an ordinary weekend day again. */
  assert_string_equal(deadline(s, "2025-10-11T10:00:00+08:00", 1),
                      "2025-10-13T23:59:59.999+08:00");
  /* An ordinary Saturday before the working Sunday, n = 0. */
  assert_string_equal(deadline(s, "2025-09-27T10:00:00+08:00", 0),
                      "2025-09-28T23:59:59.999+08:00");
}

static void test_workdays_between_national_day(void **state) {
  ew_store *s = ((fixture *)*state)->store;
  /* Friday 09-26 to Saturday 10-11: 09-28 (Sunday), 09-29, 09-30, 10-09,
   * 10-10 and 10-11 (Saturday). */
  assert_int_equal(
      between(s, "2025-09-26T18:00:00+08:00", "2025-10-11T09:00:00+08:00"), 6);
  /* The holiday week itself has none. */
  assert_int_equal(
      between(s, "2025-09-30T09:00:00+08:00", "2025-10-08T23:00:00+08:00"), 0);
  /* Only the working Sunday from the Saturday before it. */
  assert_int_equal(
      between(s, "2025-09-27T09:00:00+08:00", "2025-09-28T09:00:00+08:00"), 1);
  /* The working Saturday counts, the Sunday after it does not. */
  assert_int_equal(
      between(s, "2025-10-10T09:00:00+08:00", "2025-10-11T09:00:00+08:00"), 1);
  assert_int_equal(
      between(s, "2025-10-11T09:00:00+08:00", "2025-10-12T09:00:00+08:00"), 0);
  assert_int_equal(
      between(s, "2025-10-11T09:00:00+08:00", "2025-10-13T09:00:00+08:00"), 1);
}

/* ew_calendar_add_days(t, n) formatted, "none" for EW_NONE. */
static const char *add_days(const char *t, int64_t n) {
  static char buf[EW_TIME_BUFSZ];
  ew_time at;
  if (ew_time_parse(t, strlen(t), &at) != 0)
    fail_msg("bad time %s", t);
  ew_time out = ew_calendar_add_days(at, n);
  return out == EW_NONE ? "none" : ew_time_format(out, buf);
}

static void test_add_days(void **state) {
  (void)state;
  /* The day of t does not count: 30 days from 03-04 is 04-03. */
  assert_string_equal(add_days("2025-03-04T10:00:00+08:00", 30),
                      "2025-04-03T23:59:59.999+08:00");
  /* R12's 90 days from a case filed on 04-01. */
  assert_string_equal(add_days("2025-04-01T10:00:00+08:00", 90),
                      "2025-06-30T23:59:59.999+08:00");
  /* n = 0 is the end of t's own day, from its first and last millisecond. */
  assert_string_equal(add_days("2025-03-04T00:00:00+08:00", 0),
                      "2025-03-04T23:59:59.999+08:00");
  assert_string_equal(add_days("2025-03-04T23:59:59.999+08:00", 0),
                      "2025-03-04T23:59:59.999+08:00");
  assert_string_equal(add_days("2025-03-04T23:59:59.999+08:00", 1),
                      "2025-03-05T23:59:59.999+08:00");
  /* Calendar days: holidays and weekends count like any other day. */
  assert_string_equal(add_days("2025-09-30T09:00:00+08:00", 1),
                      "2025-10-01T23:59:59.999+08:00");
  assert_string_equal(add_days("2025-03-07T09:00:00+08:00", 1),
                      "2025-03-08T23:59:59.999+08:00");
  /* Month, leap day and year ends. */
  assert_string_equal(add_days("2024-02-28T09:00:00+08:00", 1),
                      "2024-02-29T23:59:59.999+08:00");
  assert_string_equal(add_days("2025-02-28T09:00:00+08:00", 1),
                      "2025-03-01T23:59:59.999+08:00");
  assert_string_equal(add_days("2025-12-31T09:00:00+08:00", 1),
                      "2026-01-01T23:59:59.999+08:00");
  /* The Shanghai date, whatever the offset: 16:30Z is 00:30 next day. */
  assert_string_equal(add_days("2025-03-04T16:30:00Z", 0),
                      "2025-03-05T23:59:59.999+08:00");
  assert_string_equal(add_days("2025-03-04T15:59:59.999Z", 0),
                      "2025-03-04T23:59:59.999+08:00");
  /* Before the epoch the day is still floored, not truncated. */
  assert_string_equal(add_days("1969-12-31T23:00:00+08:00", 0),
                      "1969-12-31T23:59:59.999+08:00");
  assert_string_equal(add_days("1969-12-31T23:00:00+08:00", 1),
                      "1970-01-01T23:59:59.999+08:00");
}

static void test_add_days_no_answer(void **state) {
  (void)state;
  ew_time t = ew_time_from_civil(2025, 3, 4);
  assert_int_equal(ew_calendar_add_days(EW_NONE, 0), EW_NONE);
  assert_int_equal(ew_calendar_add_days(EW_NONE, 30), EW_NONE);
  assert_int_equal(ew_calendar_add_days(t, -1), EW_NONE);
  assert_int_equal(ew_calendar_add_days(t, INT64_MIN), EW_NONE);
  /* Overflow is refused, not wrapped. */
  assert_int_equal(ew_calendar_add_days(t, INT64_MAX), EW_NONE);
  assert_int_equal(ew_calendar_add_days(INT64_MAX - 1, 1), EW_NONE);
  /* Every answer is the last millisecond of a Shanghai day. */
  for (int64_t n = 0; n < 400; n += 7) {
    ew_time due = ew_calendar_add_days(t, n);
    assert_int_equal((due + 1) % EW_DAY_MS,
                     (EW_DAY_MS - EW_SHANGHAI_OFFSET_MS) % EW_DAY_MS);
    assert_true(due - t > n * EW_DAY_MS);
    assert_true(due - t <= (n + 1) * EW_DAY_MS);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_file_loaded),
      cmocka_unit_test(test_spring_festival_2025),
      cmocka_unit_test(test_national_day_2025),
      cmocka_unit_test(test_ordinary_week_and_defaults),
      cmocka_unit_test(test_invalid_dates),
      cmocka_unit_test(test_add_workdays_ordinary_week),
      cmocka_unit_test(test_add_workdays_spring_festival),
      cmocka_unit_test(test_add_workdays_national_day),
      cmocka_unit_test(test_add_workdays_shanghai_date),
      cmocka_unit_test(test_add_workdays_no_answer),
      cmocka_unit_test(test_bounded_search),
      cmocka_unit_test(test_workdays_between),
      cmocka_unit_test(test_inverse_over_2025),
      cmocka_unit_test(test_add_workdays_national_day_inside),
      cmocka_unit_test(test_workdays_between_national_day),
      cmocka_unit_test(test_add_days),
      cmocka_unit_test(test_add_days_no_answer),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
