/*
 * log.h - level-gated logging to stderr.
 *
 * The macro tests the level before evaluating its arguments (Redis's
 * serverLog idea), so debug lines cost nothing when debug is off.
 */
#ifndef EW_LOG_H
#define EW_LOG_H

enum { EW_LOG_ERROR, EW_LOG_WARN, EW_LOG_INFO, EW_LOG_DEBUG };

extern int ew_log_level;

void ew_log_write(int level, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define ew_log(level, ...)                                                     \
  do {                                                                         \
    if ((level) <= ew_log_level)                                               \
      ew_log_write((level), __FILE__, __LINE__, __VA_ARGS__);                  \
  } while (0)

#define ew_err(...) ew_log(EW_LOG_ERROR, __VA_ARGS__)
#define ew_warn(...) ew_log(EW_LOG_WARN, __VA_ARGS__)
#define ew_info(...) ew_log(EW_LOG_INFO, __VA_ARGS__)
#define ew_debug(...) ew_log(EW_LOG_DEBUG, __VA_ARGS__)

/* Parses "error", "warn", "info", "debug"; returns -1 if unknown. */
int ew_log_level_parse(const char *s);

#endif /* EW_LOG_H */
