/*
 * faketime_shim.c - preloaded before libfaketime by the deadline tests
 * (lib.sh ew_daemon_start_at), to keep librdkafka's timed waits working
 * on a fake wall clock.
 *
 * librdkafka 2.0.2 on Debian 12 waits with glibc's C11 cnd_timedwait, whose
 * deadline it computes with timespec_get(TIME_UTC). libfaketime fakes
 * timespec_get but cannot translate cnd_timedwait's deadline (glibc calls
 * its pthread implementation internally, past the preload), so every wait
 * would end at once with a clock in the past ("Timed out waiting for 1
 * background thread(s) to initialize") or hang for the offset with a clock
 * in the future. timespec_get is therefore answered with the real time
 * here; the daemon reads its wall clock with clock_gettime(CLOCK_REALTIME),
 * which libfaketime still fakes.
 */
#define _GNU_SOURCE
#include <sys/syscall.h>
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
