/*
 * fake_clock_shim.c - preloaded before libfaketime under the latency daemon
 * of bench.sh, so that only the daemon's own wall clock is fake.
 *
 * enforcewatchd reads its wall clock with clock_gettime(CLOCK_REALTIME),
 * which libfaketime keeps faking. librdkafka 2.0.2 computes the deadlines of
 * its timed waits from two other calls: timespec_get (C11 cnd_timedwait;
 * tests/integration/faketime_shim.c answers that one too) and gettimeofday
 * (cnd_timedwait_ms in tinycthread_extra.c: rd_kafka_flush and the
 * transactional calls). A deadline computed on a clock 20 months in the
 * past has passed before the wait begins, so a commit_transaction that
 * cannot finish at once times out and the producer is replaced, again and
 * again. Both calls get the real time here, through the system call, past
 * libfaketime's interposition. The record timestamps librdkafka takes from
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
