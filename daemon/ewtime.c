/*
 * ewtime.c - contract times without libc's time zone machinery.
 *
 * mktime/timegm/localtime depend on TZ and the host's tz database, and
 * strptime on the locale; a daemon whose rules count days in Asia/Shanghai
 * must give the same answer on every host. Asia/Shanghai is a fixed UTC+8
 * (no DST since 1991), so the civil calendar is computed directly with
 * Howard Hinnant's days-from-civil algorithms
 * (http://howardhinnant.github.io/date_algorithms.html), which are exact for
 * the proleptic Gregorian calendar and need no tables.
 *
 * The parser is deliberately strict: a time that is not exactly one of the
 * forms below is bad input (contract §6), not something to guess at.
 *   YYYY-MM-DD                                   midnight Asia/Shanghai
 *   YYYY-MM-DDTHH:MM:SS[.f{1,9}][offset]         no offset: Asia/Shanghai
 *   offset = Z | ±HH:MM | ±HHMM | ±HH
 * The separator is an upper-case 'T' (no space, no lower-case 't'/'z'), the
 * seconds are required and fractions use '.'; digits past the millisecond
 * are truncated, not rounded, so a time never moves into the next second.
 * Second 60 (a leap second) is accepted and, as in POSIX time, counts as the
 * first second of the next minute.
 */
#include "ewtime.h"

#include <stdio.h>

/* Floor division: C's '/' truncates towards zero, which would give years
 * before 0000 the wrong 400-year era and month -1 the wrong year. */
static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    q--;
  return q;
}

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d (m 1..12). */
static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = floor_div(y, 400);
  int64_t yoe = y - era * 400;                                   /* [0, 399] */
  int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* [0, 146096] */
  return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d) {
  z += 719468;
  int64_t era = floor_div(z, 146097);
  int64_t doe = z - era * 146097; /* [0, 146096] */
  int64_t yoe =
      (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);     /* [0, 365] */
  int64_t mp = (5 * doy + 2) / 153;                          /* [0, 11] */
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m) {
  static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Splits `t` into the Asia/Shanghai day number and milliseconds of that day,
 * without computing t + offset or floor(t / day) * day, either of which
 * overflows at the ends of the int64 range (EW_NONE is INT64_MIN). */
static void shanghai_split(ew_time t, int64_t *day, int64_t *ms_of_day) {
  int64_t dd = t / EW_DAY_MS, ms = t % EW_DAY_MS;
  if (ms < 0) {
    ms += EW_DAY_MS;
    dd--;
  }
  ms += EW_SHANGHAI_OFFSET_MS;
  if (ms >= EW_DAY_MS) {
    dd++;
    ms -= EW_DAY_MS;
  }
  *day = dd;
  *ms_of_day = ms;
}

/* Reads exactly `n` ASCII digits at s[*pos]; advances *pos. */
static int digits(const char *s, size_t len, size_t *pos, int n, int *out) {
  int v = 0;
  if (len - *pos < (size_t)n)
    return -1;
  for (int i = 0; i < n; i++) {
    char c = s[*pos + (size_t)i];
    if (c < '0' || c > '9')
      return -1;
    v = v * 10 + (c - '0');
  }
  *pos += (size_t)n;
  *out = v;
  return 0;
}

static int expect(const char *s, size_t len, size_t *pos, char c) {
  if (*pos >= len || s[*pos] != c)
    return -1;
  (*pos)++;
  return 0;
}

/* Parses the offset part at s[*pos..len); the whole rest must be an offset.
 * Sets *off_ms to the offset east of UTC. */
static int parse_offset(const char *s, size_t len, size_t pos,
                        int64_t *off_ms) {
  if (pos == len) {
    *off_ms = EW_SHANGHAI_OFFSET_MS;
    return 0;
  }
  if (s[pos] == 'Z') {
    *off_ms = 0;
    return pos + 1 == len ? 0 : -1;
  }
  if (s[pos] != '+' && s[pos] != '-')
    return -1;
  int sign = s[pos] == '-' ? -1 : 1;
  int oh, om = 0;
  pos++;
  if (digits(s, len, &pos, 2, &oh) < 0)
    return -1;
  if (pos < len) {
    if (s[pos] == ':')
      pos++;
    if (digits(s, len, &pos, 2, &om) < 0)
      return -1;
  }
  if (pos != len || oh > 23 || om > 59)
    return -1;
  *off_ms = sign * ((int64_t)oh * 3600 + om * 60) * 1000;
  return 0;
}

int ew_time_parse(const char *s, size_t len, ew_time *out) {
  size_t pos = 0;
  /* Set by digits() before use; initialized for gcc -O3, which cannot
   * see that a failed digits() returns at once. */
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0;
  int64_t off_ms;

  if (!s || digits(s, len, &pos, 4, &y) < 0 || expect(s, len, &pos, '-') < 0 ||
      digits(s, len, &pos, 2, &mo) < 0 || expect(s, len, &pos, '-') < 0 ||
      digits(s, len, &pos, 2, &d) < 0)
    return -1;
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
    return -1;
  if (pos == len) {
    *out = ew_time_from_civil(y, mo, d);
    return 0;
  }
  if (expect(s, len, &pos, 'T') < 0 || digits(s, len, &pos, 2, &h) < 0 ||
      expect(s, len, &pos, ':') < 0 || digits(s, len, &pos, 2, &mi) < 0 ||
      expect(s, len, &pos, ':') < 0 || digits(s, len, &pos, 2, &sec) < 0)
    return -1;
  if (h > 23 || mi > 59 || sec > 60)
    return -1;
  if (pos < len && s[pos] == '.') {
    int n = 0;
    pos++;
    while (pos < len && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 3)
        ms = ms * 10 + (s[pos] - '0');
      n++;
      pos++;
    }
    if (n < 1 || n > 9)
      return -1;
    for (int i = n; i < 3; i++)
      ms *= 10;
  }
  if (parse_offset(s, len, pos, &off_ms) < 0)
    return -1;
  *out = days_from_civil(y, mo, d) * EW_DAY_MS +
         ((int64_t)h * 3600 + mi * 60 + sec) * 1000 + ms - off_ms;
  return 0;
}

char *ew_time_format(ew_time t, char *buf) {
  int64_t day, msd, y;
  int m, d;
  shanghai_split(t, &day, &msd);
  civil_from_days(day, &y, &m, &d);
  int hh = (int)(msd / 3600000), mi = (int)(msd / 60000 % 60);
  int ss = (int)(msd / 1000 % 60), ms = (int)(msd % 1000);
  if (ms)
    snprintf(buf, EW_TIME_BUFSZ, "%04lld-%02d-%02dT%02d:%02d:%02d.%03d+08:00",
             (long long)y, m, d, hh, mi, ss, ms);
  else
    snprintf(buf, EW_TIME_BUFSZ, "%04lld-%02d-%02dT%02d:%02d:%02d+08:00",
             (long long)y, m, d, hh, mi, ss);
  return buf;
}

/* Writes the `n` last decimal digits of `v` (>= 0) at `p`. */
static void put_digits(char *p, int64_t v, int n) {
  for (int i = n - 1; i >= 0; i--, v /= 10)
    p[i] = (char)('0' + v % 10);
}

char *ew_time_date(ew_time t, char *buf) {
  int64_t day, msd, y;
  int m, d;
  shanghai_split(t, &day, &msd);
  civil_from_days(day, &y, &m, &d);
  /* Ten characters whatever the year: a year outside 0..9999 (no
   * contract time is) is clamped rather than cut mid-field. */
  put_digits(buf, y < 0 ? 0 : y > 9999 ? 9999 : y, 4);
  buf[4] = '-';
  put_digits(buf + 5, m, 2);
  buf[7] = '-';
  put_digits(buf + 8, d, 2);
  buf[10] = '\0';
  return buf;
}

int ew_time_year(ew_time t) {
  int64_t day, msd, y;
  int m, d;
  shanghai_split(t, &day, &msd);
  civil_from_days(day, &y, &m, &d);
  return (int)y;
}

/* Month and day outside their ranges are carried over, so callers can ask
 * for "the 1st of month m + 1" or "day 0" (the last day of the previous
 * month) without calendar arithmetic of their own. */
ew_time ew_time_from_civil(int year, int month, int day) {
  int64_t m0 = (int64_t)month - 1;
  int64_t y = (int64_t)year + floor_div(m0, 12);
  int m = (int)(m0 - floor_div(m0, 12) * 12) + 1;
  int64_t days = days_from_civil(y, m, 1) + ((int64_t)day - 1);
  return days * EW_DAY_MS - EW_SHANGHAI_OFFSET_MS;
}
