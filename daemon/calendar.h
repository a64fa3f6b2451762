/*
 * calendar.h - working days (工作日) in Asia/Shanghai, for every rule and
 * deadline counted in working days (rules.md "WD", D11).
 *
 * A date is a working day when it is a Monday to Friday, unless a
 * `calendar_day` reference record with that date as its id says otherwise:
 * the State Council's annual holiday notice turns weekdays into holidays
 * (春节, 国庆 ...) and weekend days into working days (调休). Dates without a
 * record follow the Monday-Friday default, so a year whose notice has not
 * been loaded is counted as if it had no holidays: the records are the
 * calendar, the weekday rule only fills the gaps.
 *
 * Dates are civil dates in Asia/Shanghai (fixed UTC+8, see ewtime.h); an
 * instant belongs to the date it has in Shanghai, whatever the host's TZ.
 *
 * Every search is bounded by EW_CALENDAR_MAX_DAYS days, so a calendar that
 * (wrongly) marks years as holidays cannot make a rule loop: the functions
 * then answer 1 ("no answer within the bound") instead.
 *
 * Return values of all functions: 0 on success; -1 when the store failed
 * (the message is ew_store_errmsg); 1 when there is no answer: an invalid
 * argument, or the answer lies beyond EW_CALENDAR_MAX_DAYS days.
 */
#ifndef EW_CALENDAR_H
#define EW_CALENDAR_H

#include <stdint.h>

#include "record.h"
#include "store.h"

/* The most calendar days a search walks: ten years and a little. */
#define EW_CALENDAR_MAX_DAYS 3660

/* Sets *out to 1 when `date` ("YYYY-MM-DD", exactly 10 characters, a valid
 * Gregorian date) is a working day, else 0. Returns 1 (and leaves *out) when
 * `date` is not such a date. */
int ew_calendar_is_workday(ew_store *s, const char *date, int *out);

/* The deadline "within n working days of t": the last millisecond
 * (23:59:59.999 +08:00) of a working day D counted from the Shanghai date
 * of `t` (call it d0):
 *   n = 0: D = d0 if d0 is a working day, else the first working day after
 *          d0 ("by the end of the working day");
 *   n > 0: D = the n-th working day strictly after d0; d0 itself never
 *          counts, whether or not it is a working day, and whatever the
 *          time of day of t.
 * So an act on Friday 2025-03-07 with n = 1 is due by Monday 2025-03-10
 * 23:59:59.999; on Saturday 2025-03-08 also by Monday 03-10; on Monday
 * 2025-01-27 (before the 2025 Spring Festival, 01-28..02-04 off) by
 * Wednesday 2025-02-05. Returns 1 (*out = EW_NONE) when t is EW_NONE, n is
 * negative, or D lies more than EW_CALENDAR_MAX_DAYS days after d0. */
int ew_calendar_add_workdays(ew_store *s, ew_time t, int64_t n, ew_time *out);

/* The number of working days D with date(from) < D <= date(to) (Shanghai
 * dates; the times of day do not matter): how many working days have
 * passed from `from` to `to`. 0 when to's date is not after from's. It is
 * the inverse of ew_calendar_add_workdays: for n >= 1,
 * workdays_between(t, add_workdays(t, n)) == n. Returns 1 (*out = -1) when
 * either time is EW_NONE or the dates are more than EW_CALENDAR_MAX_DAYS
 * days apart. */
int ew_calendar_workdays_between(ew_store *s, ew_time from, ew_time to,
                                 int64_t *out);

/* The deadline "within n days of t" (calendar days, issue 4): the last
 * millisecond of the Shanghai date of `t` plus n days. The day of `t`
 * itself does not count (行政处罚法第85条 「期间开始的日，不计算在内」), so
 * n = 30 from 2025-03-04 10:00 is 2025-04-03 23:59:59.999 +08:00. Returns
 * EW_NONE when t is EW_NONE, n is negative or the result overflows. */
ew_time ew_calendar_add_days(ew_time t, int64_t n);

#endif /* EW_CALENDAR_H */
