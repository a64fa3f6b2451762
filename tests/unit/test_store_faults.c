/*
 * test_store_faults.c - storage faults (issue #6) on real files: a full disk
 * (a small tmpfs the test mounts when it runs as root and may mount, else
 * PRAGMA max_page_count set on the store's connection by an SQLite
 * auto-extension; the test prints which one ran), a corrupt file found at
 * open and at first use, and the store telling these apart from a caller's
 * own mistake (ew_store_fault).
 *
 * Issue 7: PRAGMA quick_check runs at open only after a stop that was not a
 * clean close. A crash is a child process that opens the store, writes and
 * _exit()s without closing it; the tests below check when the open checks
 * (ew_store_integrity_checked) and that a corrupt file is still caught: at
 * open after a crash or a fault, at first use after a clean close, and at
 * the open after that use.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"

#define TOPIC "enforcement.inspections"

typedef struct fixture {
  char dir[64];
  char path[128];
  char filler[128];
  int mounted;
} fixture;

/* The fallback's limit, applied to every connection opened while it is
 * non-zero: the store's own connection is out of the test's reach. */
static int max_pages;

static int limit_pages(sqlite3 *db, char **err,
                       const sqlite3_api_routines *api) {
  (void)err;
  (void)api;
  if (max_pages > 0) {
    char q[64];
    snprintf(q, sizeof q, "PRAGMA max_page_count = %d", max_pages);
    sqlite3_exec(db, q, NULL, NULL, NULL);
  }
  return SQLITE_OK;
}

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  if (!f)
    return -1;
  snprintf(f->dir, sizeof f->dir, "/tmp/ew-test-faults-XXXXXX");
  if (!mkdtemp(f->dir)) {
    free(f);
    return -1;
  }
  snprintf(f->path, sizeof f->path, "%s/state.db", f->dir);
  snprintf(f->filler, sizeof f->filler, "%s/filler", f->dir);
  max_pages = 0;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  char p[160];
  const char *suffix[] = {"", "-wal", "-shm", "-journal"};
  for (int i = 0; i < 4; i++) {
    snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
    unlink(p);
  }
  unlink(f->filler);
  if (f->mounted)
    umount2(f->dir, MNT_DETACH);
  rmdir(f->dir);
  max_pages = 0;
  free(f);
  return 0;
}

static ew_store *open_store(const char *path) {
  ew_store *s = NULL;
  char err[512];
  if (ew_store_open(&s, path, err, sizeof err) != 0)
    fail_msg("open %s: %s", path, err);
  return s;
}

/* One query on a separate connection; its first column as an integer. */
static long long side_int(const char *path, const char *q) {
  sqlite3 *db;
  sqlite3_stmt *st;
  long long v = -1;
  assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
  if (sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

static void side_text(const char *path, const char *q, char *out, size_t n) {
  sqlite3 *db;
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
  int rc = sqlite3_step(st);
  snprintf(out, n, "%s",
           rc == SQLITE_ROW && sqlite3_column_text(st, 0)
               ? (const char *)sqlite3_column_text(st, 0)
               : "");
  sqlite3_finalize(st);
  sqlite3_close(db);
}

static void side_exec(const char *path, const char *q) {
  sqlite3 *db;
  assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, q, NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
}

static int append(ew_store *s, const char *value, size_t len) {
  ew_outbox_row row = {0, TOPIC, "k", 1, value, len, NULL, 0};
  return ew_store_outbox_append(s, &row, NULL);
}

/* Rows appended by save_baseline: "saved-0" ... "saved-<n-1>". */
static void save_baseline(ew_store *s, int n) {
  char v[32];
  assert_int_equal(ew_store_begin(s), 0);
  for (int i = 0; i < n; i++) {
    snprintf(v, sizeof v, "saved-%d", i);
    assert_int_equal(append(s, v, strlen(v)), 0);
  }
  assert_int_equal(ew_store_offset_put(s, TOPIC, 0, n), 0);
  assert_int_equal(ew_store_commit(s), 0);
}

typedef struct seen {
  int n;
  char values[8][32];
} seen;

static int collect(void *ud, const ew_outbox_row *row) {
  seen *v = ud;
  if (v->n < 8)
    snprintf(v->values[v->n], sizeof v->values[v->n], "%.*s",
             (int)row->value_len, (const char *)row->value);
  v->n++;
  return 0;
}

/* The store holds exactly the baseline of `n` rows and offset `n`. */
static void assert_baseline(ew_store *s, int n) {
  int64_t count = -1, next = -1;
  char want[32];
  seen v = {0};
  assert_int_equal(ew_store_outbox_count(s, &count), 0);
  assert_int_equal(count, n);
  assert_int_equal(ew_store_offset_get(s, TOPIC, 0, &next), 0);
  assert_int_equal(next, n);
  assert_int_equal(ew_store_outbox_scan(s, 0, 100, collect, &v), 0);
  assert_int_equal(v.n, n);
  for (int i = 0; i < n && i < 8; i++) {
    snprintf(want, sizeof want, "saved-%d", i);
    assert_string_equal(v.values[i], want);
  }
}

/* Fills the filesystem of the fixture's directory with a file until the
 * kernel says ENOSPC. */
static void fill_disk(const fixture *f) {
  static char block[4096];
  int fd = open(f->filler, O_CREAT | O_WRONLY | O_TRUNC, 0600);
  assert_true(fd >= 0);
  ssize_t w;
  while ((w = write(fd, block, sizeof block)) == (ssize_t)sizeof block)
    ;
  int e = errno;
  close(fd);
  assert_true(w >= 0 || e == ENOSPC);
}

static int try_tmpfs(fixture *f) {
  if (geteuid() != 0)
    return 0;
  if (mount("tmpfs", f->dir, "tmpfs", 0, "size=2m,mode=0700") != 0) {
    print_message("[ INFO     ] mount tmpfs on %s refused: %s\n", f->dir,
                  strerror(errno));
    return 0;
  }
  f->mounted = 1;
  return 1;
}

/* SQLITE_FULL for real: the store says so, the failed transaction rolls
 * back, nothing of it reaches the file, and once there is room again the
 * same connection commits (the daemon resumes without a restart). `rows`
 * of 8 KiB are appended in one transaction: few enough for the page cache
 * to hold them, the failure comes at the commit (where the daemon's
 * batch_commit meets it); more, at an append once the cache spills. */
static void disk_full(fixture *f, int rows) {
  int tmpfs = try_tmpfs(f);
  print_message("[ INFO     ] disk full by %s\n",
                tmpfs ? "a 2 MiB tmpfs filled up with a filler file"
                      : "PRAGMA max_page_count (fallback: no tmpfs mount)");
  ew_store *s = open_store(f->path);
  save_baseline(s, 3);
  if (tmpfs) {
    fill_disk(f);
  } else {
    ew_store_close(s);
    max_pages = (int)side_int(f->path, "PRAGMA page_count") + 2;
    s = open_store(f->path);
  }

  static char big[8192];
  memset(big, 'x', sizeof big);
  assert_int_equal(ew_store_begin(s), 0);
  int rc = 0, i;
  for (i = 0; i < rows && rc == 0; i++)
    rc = append(s, big, sizeof big);
  const char *where = "an append";
  if (rc == 0) { /* the page cache held it all: the commit must fail */
    where = "the commit";
    rc = ew_store_offset_put(s, TOPIC, 0, 1000);
    if (rc == 0)
      rc = ew_store_commit(s);
  }
  print_message("[ INFO     ] SQLITE_FULL at %s after %d row(s) of 8 KiB: "
                "%s\n",
                where, i, ew_store_errmsg(s));
  assert_int_equal(rc, -1);
  assert_int_equal(ew_store_fault(s), SQLITE_FULL);
  assert_string_equal(ew_store_fault_text(ew_store_fault(s)), "disk full");
  assert_false(ew_store_fault_permanent(ew_store_fault(s)));
  assert_non_null(strstr(ew_store_fault_advice(SQLITE_FULL), "free disk"));
  assert_non_null(strstr(ew_store_errmsg(s), "full"));
  ew_store_rollback(s);

  /* Nothing half-written: this connection, and another one reading the
   * file, see the baseline only, and the file is sound. */
  assert_baseline(s, 3);
  assert_int_equal(side_int(f->path, "SELECT count(*) FROM outbox"), 3);
  assert_int_equal(side_int(f->path, "SELECT max(next_offset) FROM offsets"),
                   3);
  char ic[64];
  side_text(f->path, "PRAGMA integrity_check", ic, sizeof ic);
  assert_string_equal(ic, "ok");

  /* Room again: the same connection goes on (with the fallback, the limit
   * belongs to the connection, so it takes a reopen). */
  if (tmpfs) {
    assert_int_equal(unlink(f->filler), 0);
  } else {
    ew_store_close(s);
    max_pages = 0;
    s = open_store(f->path);
  }
  assert_int_equal(ew_store_begin(s), 0);
  assert_int_equal(ew_store_fault(s), 0); /* cleared by the new transaction */
  assert_int_equal(append(s, big, sizeof big), 0);
  assert_int_equal(ew_store_offset_put(s, TOPIC, 0, 4), 0);
  assert_int_equal(ew_store_commit(s), 0);
  ew_store_close(s);

  s = open_store(f->path);
  /* Checked (quick_check passes) when the store that met the fault was
   * the one closed last; the fallback's reopened store closed clean. */
  assert_int_equal(ew_store_integrity_checked(s), tmpfs ? 1 : 0);
  int64_t count = -1, next = -1;
  assert_int_equal(ew_store_outbox_count(s, &count), 0);
  assert_int_equal(count, 4);
  assert_int_equal(ew_store_offset_get(s, TOPIC, 0, &next), 0);
  assert_int_equal(next, 4);
  ew_store_close(s);
}

static void test_disk_full_at_commit(void **state) {
  disk_full(*state, 8);
}

static void test_disk_full_mid_batch(void **state) {
  disk_full(*state, 1024);
}

/* A crash: a child process opens the store (which clears the clean-close
 * mark), commits one row and dies without closing it. */
static void crash_after_open(const fixture *f) {
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    ew_store *s = NULL;
    char err[512];
    int ok = ew_store_open(&s, f->path, err, sizeof err) == 0 &&
             ew_store_offset_put(s, "crash", 0, 1) == 0;
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
}

/* A state file of `rows` outbox rows of 1 KiB, closed (so checkpointed:
 * every page is in the main file). Returns the outbox's root page. */
static int make_state(const fixture *f, int rows) {
  ew_store *s = open_store(f->path);
  static char v[1024];
  memset(v, 'v', sizeof v);
  assert_int_equal(ew_store_begin(s), 0);
  for (int i = 0; i < rows; i++)
    assert_int_equal(append(s, v, sizeof v), 0);
  assert_int_equal(ew_store_offset_put(s, TOPIC, 0, rows), 0);
  assert_int_equal(ew_store_commit(s), 0);
  ew_store_close(s);
  int root = (int)side_int(
      f->path, "SELECT rootpage FROM sqlite_master WHERE name = 'outbox'");
  assert_true(root > 1);
  return root;
}

/* Overwrites `len` bytes at `off` of the state file. */
static void scribble(const fixture *f, off_t off, size_t len) {
  unsigned char junk[4096];
  assert_true(len <= sizeof junk);
  for (size_t i = 0; i < len; i++)
    junk[i] = (unsigned char)(0xA5 ^ i);
  int fd = open(f->path, O_WRONLY);
  assert_true(fd >= 0);
  assert_int_equal(pwrite(fd, junk, len, off), (ssize_t)len);
  close(fd);
}

static void test_corrupt_header_at_open(void **state) {
  fixture *f = *state;
  make_state(f, 50);
  scribble(f, 0, 100); /* the header, magic string included */
  ew_store *s = NULL;
  char err[512];
  assert_int_equal(ew_store_open(&s, f->path, err, sizeof err), -1);
  assert_null(s);
  print_message("[ INFO     ] %s\n", err);
  assert_non_null(strstr(err, ew_store_fault_text(SQLITE_NOTADB)));
  assert_non_null(strstr(err, "restore it from a backup"));
  assert_true(ew_store_fault_permanent(SQLITE_NOTADB));
}

/* After a crash the open runs quick_check, which reads every page: the
 * damaged one is found before anything runs on the file. The crash leaves
 * its write in the -wal; the outbox stays in the main file. */
static void test_corrupt_page_at_open(void **state) {
  fixture *f = *state;
  int root = make_state(f, 2000);
  crash_after_open(f);
  scribble(f, (off_t)(root - 1) * 4096, 4096);
  ew_store *s = NULL;
  char err[512];
  assert_int_equal(ew_store_open(&s, f->path, err, sizeof err), -1);
  assert_null(s);
  print_message("[ INFO     ] %s\n", err);
  assert_non_null(strstr(err, "quick_check"));
  assert_non_null(strstr(err, ew_store_fault_text(SQLITE_CORRUPT)));
  assert_non_null(strstr(err, "restore it from a backup"));
}

/* Damage that appears while the store is open shows at the first read of
 * the page. Another connection's write makes the store's next read
 * transaction drop its page cache, so the read goes to the file. */
static void test_corrupt_page_at_first_use(void **state) {
  fixture *f = *state;
  int root = make_state(f, 2000);
  ew_store *s = open_store(f->path);
  scribble(f, (off_t)(root - 1) * 4096, 4096);
  side_exec(f->path, "INSERT OR REPLACE INTO meta(name, value) VALUES('x', 1)");
  int64_t count = -1;
  assert_int_equal(ew_store_outbox_count(s, &count), -1);
  print_message("[ INFO     ] %s\n", ew_store_errmsg(s));
  assert_int_equal(ew_store_fault(s), SQLITE_CORRUPT);
  assert_true(ew_store_fault_permanent(ew_store_fault(s)));
  assert_string_equal(ew_store_fault_text(ew_store_fault(s)),
                      "state file corrupt");
  ew_store_close(s);
}

/* After a clean close the open skips quick_check, so damage done to the
 * closed file shows at the first read of the page; that store then does
 * not mark the file clean, and the next open refuses it. */
static void test_corrupt_after_clean_close(void **state) {
  fixture *f = *state;
  int root = make_state(f, 2000);
  scribble(f, (off_t)(root - 1) * 4096, 4096);
  ew_store *s = open_store(f->path);
  assert_int_equal(ew_store_integrity_checked(s), 0);
  int64_t count = -1;
  assert_int_equal(ew_store_outbox_count(s, &count), -1);
  assert_int_equal(ew_store_fault(s), SQLITE_CORRUPT);
  ew_store_close(s);

  s = NULL;
  char err[512];
  assert_int_equal(ew_store_open(&s, f->path, err, sizeof err), -1);
  assert_null(s);
  print_message("[ INFO     ] %s\n", err);
  assert_non_null(strstr(err, "quick_check"));
  assert_non_null(strstr(err, ew_store_fault_text(SQLITE_CORRUPT)));
}

/* When the open checks: a new file, after a crash, after a storage fault,
 * after a close with a transaction open; not after a clean close. What the
 * mark says is in the meta table, cleared by the open. */
static void test_quick_check_only_after_unclean_stop(void **state) {
  fixture *f = *state;
  ew_store *s = open_store(f->path); /* new */
  assert_int_equal(ew_store_integrity_checked(s), 1);
  save_baseline(s, 3);
  ew_store_close(s);
  assert_int_equal(side_int(f->path, "SELECT value FROM meta"
                                     " WHERE name = 'store.clean_close'"),
                   1);

  s = open_store(f->path); /* after a clean close */
  assert_int_equal(ew_store_integrity_checked(s), 0);
  assert_baseline(s, 3);
  /* open: the mark is gone, so a crash now would be checked */
  assert_int_equal(side_int(f->path, "SELECT count(*) FROM meta"
                                     " WHERE name = 'store.clean_close'"),
                   0);
  ew_store_close(s);

  crash_after_open(f);
  s = open_store(f->path); /* after a crash */
  assert_int_equal(ew_store_integrity_checked(s), 1);
  ew_store_close(s);
  s = open_store(f->path);
  assert_int_equal(ew_store_integrity_checked(s), 0);

  /* A storage fault: a full file (the fallback's page limit). */
  ew_store_close(s);
  max_pages = (int)side_int(f->path, "PRAGMA page_count") + 1;
  s = open_store(f->path);
  static char big[8192];
  assert_int_equal(ew_store_begin(s), 0);
  int rc = 0;
  for (int i = 0; i < 64 && rc == 0; i++)
    rc = append(s, big, sizeof big);
  if (rc == 0)
    rc = ew_store_commit(s);
  assert_int_equal(rc, -1);
  assert_int_equal(ew_store_fault(s), SQLITE_FULL);
  ew_store_rollback(s);
  ew_store_close(s);
  max_pages = 0;
  s = open_store(f->path); /* after a fault */
  assert_int_equal(ew_store_integrity_checked(s), 1);
  assert_baseline(s, 3);

  /* Closed inside a transaction: not vouched for either. */
  assert_int_equal(ew_store_begin(s), 0);
  ew_store_close(s);
  s = open_store(f->path);
  assert_int_equal(ew_store_integrity_checked(s), 1);
  ew_store_close(s);

  /* A reader neither checks nor marks. */
  s = NULL;
  char err[512];
  assert_int_equal(ew_store_open_readonly(&s, f->path, err, sizeof err), 0);
  assert_int_equal(ew_store_integrity_checked(s), 0);
  ew_store_close(s);
  s = open_store(f->path);
  assert_int_equal(ew_store_integrity_checked(s), 0); /* the last close's */
  ew_store_close(s);
}

/* A caller's mistake is no storage fault. */
static void test_caller_error_is_no_fault(void **state) {
  fixture *f = *state;
  ew_store *s = open_store(f->path);
  assert_int_equal(ew_store_begin(s), 0);
  assert_int_equal(ew_store_begin(s), -1); /* already in a transaction */
  assert_int_equal(ew_store_fault(s), 0);
  assert_false(ew_store_fault_permanent(0));
  ew_store_rollback(s);
  ew_store_close(s);
  assert_int_equal(ew_store_fault(NULL), 0);
}

static void test_cannot_open(void **state) {
  fixture *f = *state;
  char path[192], err[512];
  ew_store *s = NULL;
  snprintf(path, sizeof path, "%s/no-such-dir/state.db", f->dir);
  assert_int_equal(ew_store_open(&s, path, err, sizeof err), -1);
  print_message("[ INFO     ] %s\n", err);
  assert_non_null(strstr(err, ew_store_fault_text(SQLITE_CANTOPEN)));
  assert_false(ew_store_fault_permanent(SQLITE_CANTOPEN));
}

int main(void) {
  sqlite3_auto_extension((void (*)(void))limit_pages);
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_disk_full_at_commit),
      T(test_disk_full_mid_batch),
      T(test_corrupt_header_at_open),
      T(test_corrupt_page_at_open),
      T(test_corrupt_page_at_first_use),
      T(test_corrupt_after_clean_close),
      T(test_quick_check_only_after_unclean_stop),
      T(test_caller_error_is_no_fault),
      T(test_cannot_open),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
