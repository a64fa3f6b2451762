/*
 * ewtime.h - contract times: epoch milliseconds, ISO-8601 text, and calendar
 * dates in Asia/Shanghai (UTC+8 all year: China has kept no DST since 1991,
 * so a fixed offset is exact and needs no tz database).
 */
#ifndef EW_EWTIME_H
#define EW_EWTIME_H

#include <stddef.h>

#include "record.h"

#define EW_SHANGHAI_OFFSET_MS (8LL * 3600 * 1000)
#define EW_DAY_MS (24LL * 3600 * 1000)

/* Parses an ISO-8601 date-time: "2025-03-04T09:30:00+08:00",
 * "2025-03-04T01:30:00Z", "2025-03-04T09:30:00.250+08:00", or without an
 * offset ("2025-03-04T09:30:00", read as Asia/Shanghai), or a bare date
 * "2025-03-04" (midnight Asia/Shanghai). `len` bytes of `s` are read.
 * Returns 0 and sets *out, or -1 if the text is not such a time. */
int ew_time_parse(const char *s, size_t len, ew_time *out);

/* Formats `t` as "2025-03-04T09:30:00+08:00" (milliseconds shown only when
 * non-zero) into `buf` (>= EW_TIME_BUFSZ bytes). Returns buf. */
#define EW_TIME_BUFSZ 40
char *ew_time_format(ew_time t, char *buf);

/* The Asia/Shanghai calendar date of `t` as "YYYY-MM-DD" into `buf`
 * (>= 11 bytes). Returns buf. */
char *ew_time_date(ew_time t, char *buf);

/* Year (e.g. 2025) of `t` in Asia/Shanghai. */
int ew_time_year(ew_time t);

/* Midnight Asia/Shanghai of the given civil date, as ew_time. */
ew_time ew_time_from_civil(int year, int month, int day);

#endif /* EW_EWTIME_H */
