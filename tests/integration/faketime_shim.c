/*
 * faketime_shim.c - preloaded before libfaketime wherever a daemon runs on
 * a fake wall clock (lib.sh ew_daemon_start_at, tests/bench/bench.sh), to
 * keep librdkafka's timed waits working.
 *
 * librdkafka 2.0.2 on Debian 12 computes the deadlines of its timed waits
 * from two calls: timespec_get(TIME_UTC) for glibc's C11 cnd_timedwait, and
 * gettimeofday for cnd_timedwait_ms (tinycthread_extra.c: rd_kafka_flush
 * and the transactional calls). libfaketime fakes both but cannot translate
 * the waits' deadlines (glibc calls its pthread implementation internally,
 * past the preload), so with a clock in the past every wait ends at once
 * ("Timed out waiting for 1 background thread(s) to initialize", or a
 * commit_transaction that cannot finish at once times out and the producer
 * is replaced again and again), and with a clock in the future it hangs for
 * the offset. Both calls are answered with the real time here; the daemon
 * reads its wall clock with clock_gettime(CLOCK_REALTIME), which
 * libfaketime still fakes. The record timestamps librdkafka takes from
 * gettimeofday become real as well, which is what the broker expects.
 */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

int timespec_get(struct timespec *ts, int base) {
  if (base != TIME_UTC)
    return 0;
  /* The system call, not clock_gettime: libfaketime interposes that. */
  if (syscall(SYS_clock_gettime, CLOCK_REALTIME, ts) != 0)
    return 0;
  return base;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
  struct timespec ts;
  (void)tz; /* obsolete: always NULL in practice */
  if (syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts) != 0)
    return -1;
  tv->tv_sec = ts.tv_sec; /* glibc declares tv nonnull */
  tv->tv_usec = ts.tv_nsec / 1000;
  return 0;
}
