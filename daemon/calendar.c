/*
 * calendar.c - working days from the Monday-Friday rule and the
 * calendar_day reference records (see calendar.h for the exact semantics).
 *
 * Days are handled as day numbers (days since 1970-01-01 in Asia/Shanghai),
 * which makes "the next day" an increment and the weekday a remainder; a
 * day number becomes the record id "YYYY-MM-DD" only for the lookup. The
 * records come from the store's in-memory reference cache, so a lookup is
 * a hash probe, not a query: walking a few weeks per rule is cheap.
 *
 * Arithmetic is limited to the years 0001..9999 (what "YYYY" can name), so
 * no day number near the ends of the ew_time range is ever multiplied back
 * into milliseconds.
 */
#include "calendar.h"

#include <string.h>

#include "ewtime.h"

/* The Shanghai day number of `t`, without computing t + offset (which
 * overflows near INT64_MAX). */
static int64_t day_of(ew_time t) {
  int64_t d = t / EW_DAY_MS, ms = t % EW_DAY_MS;
  if (ms < 0) {
    ms += EW_DAY_MS;
    d--;
  }
  if (ms + EW_SHANGHAI_OFFSET_MS >= EW_DAY_MS)
    d++;
  return d;
}

/* Day numbers of 0001-01-01 and 9999-12-31. */
static int64_t first_day(void) {
  return day_of(ew_time_from_civil(1, 1, 1));
}
static int64_t last_day(void) {
  return day_of(ew_time_from_civil(9999, 12, 31));
}

/* The last millisecond of day `d` in Shanghai. */
static ew_time day_end(int64_t d) {
  return (d + 1) * EW_DAY_MS - EW_SHANGHAI_OFFSET_MS - 1;
}

/* Monday to Friday; 1970-01-01 (day 0) was a Thursday. */
static int weekday_default(int64_t d) {
  int wd = (int)(((d % 7) + 7 + 4) % 7); /* 0 = Sunday ... 6 = Saturday */
  return wd >= 1 && wd <= 5;
}

/* The record for `date` decides; without one, the weekday does. */
static int lookup(ew_store *s, const char *date, int64_t d, int *out) {
  const ew_record *r;
  if (ew_store_ref_get(s, EW_REC_CALENDAR_DAY, date, &r) < 0)
    return -1;
  if (r &&
      (r->u.calendar_day.is_workday == 0 || r->u.calendar_day.is_workday == 1))
    *out = r->u.calendar_day.is_workday;
  else
    *out = weekday_default(d);
  return 0;
}

static int workday_of_day(ew_store *s, int64_t d, int *out) {
  char date[16];
  /* Noon UTC of day d is the same date in Shanghai (20:00). */
  ew_time_date(d * EW_DAY_MS + EW_DAY_MS / 2, date);
  return lookup(s, date, d, out);
}

int ew_calendar_is_workday(ew_store *s, const char *date, int *out) {
  ew_time t;
  if (!date || strlen(date) != 10 || ew_time_parse(date, 10, &t) < 0)
    return 1;
  return lookup(s, date, day_of(t), out);
}

int ew_calendar_add_workdays(ew_store *s, ew_time t, int64_t n, ew_time *out) {
  *out = EW_NONE;
  if (t == EW_NONE || n < 0)
    return 1;
  int64_t d0 = day_of(t), lo = first_day(), hi = last_day();
  if (d0 < lo || d0 > hi)
    return 1;
  int64_t left = n;
  /* n = 0 looks at d0 itself; n > 0 starts the count the day after. */
  for (int64_t k = n == 0 ? 0 : 1; k <= EW_CALENDAR_MAX_DAYS; k++) {
    int64_t d = d0 + k;
    int work;
    if (d > hi)
      return 1;
    if (workday_of_day(s, d, &work) < 0)
      return -1;
    if (!work)
      continue;
    if (left <= 1) {
      *out = day_end(d);
      return 0;
    }
    left--;
  }
  return 1;
}

int ew_calendar_workdays_between(ew_store *s, ew_time from, ew_time to,
                                 int64_t *out) {
  *out = -1;
  if (from == EW_NONE || to == EW_NONE)
    return 1;
  int64_t d1 = day_of(from), d2 = day_of(to), lo = first_day(), hi = last_day();
  if (d1 < lo || d1 > hi || d2 < lo || d2 > hi)
    return 1;
  if (d2 - d1 > EW_CALENDAR_MAX_DAYS)
    return 1;
  int64_t count = 0;
  for (int64_t d = d1 + 1; d <= d2; d++) {
    int work;
    if (workday_of_day(s, d, &work) < 0)
      return -1;
    count += work;
  }
  *out = count;
  return 0;
}

ew_time ew_calendar_add_days(ew_time t, int64_t n) {
  /* Bounded far below int64 overflow: 10^6 days is ~2700 years. */
  if (t == EW_NONE || n < 0 || n > 1000000 || t > INT64_MAX / 2 ||
      t < INT64_MIN / 2)
    return EW_NONE;
  ew_time local = t + EW_SHANGHAI_OFFSET_MS;
  int64_t day = local / EW_DAY_MS - (local % EW_DAY_MS < 0);
  return (day + n + 1) * EW_DAY_MS - EW_SHANGHAI_OFFSET_MS - 1;
}
