#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int ew_log_level = EW_LOG_INFO;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void ew_log_write(int level, const char *file, int line, const char *fmt, ...) {
  struct timespec ts;
  struct tm tm;
  char stamp[32];
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  /* Only debug lines carry file:line; the rest are for operators. */
  if (level == EW_LOG_DEBUG)
    fprintf(stderr, "%s.%03ldZ %s %s:%d ", stamp, ts.tv_nsec / 1000000,
            level_names[level], file, line);
  else
    fprintf(stderr, "%s.%03ldZ %s ", stamp, ts.tv_nsec / 1000000,
            level_names[level]);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

int ew_log_level_parse(const char *s) {
  for (int i = 0; i < (int)(sizeof level_names / sizeof level_names[0]); i++)
    if (strcmp(s, level_names[i]) == 0)
      return i;
  return -1;
}
