/*
 * test_rules_config_store.c - the rule configuration remembered across
 * starts in a real state file: the first start records it, an unchanged
 * start logs no change, a changed one logs each changed parameter (and
 * parameters that appeared or disappeared) and records the new values;
 * plus ew_rules_config_format_param's snprintf-like contract and the
 * failure when called inside an open transaction.
 *
 * Log lines go to stderr; the tests point stderr at a file around each call
 * and read it back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "rules_config.h"
#include "rules_config_store.h"
#include "store.h"

typedef struct fixture {
  char dir[64];
  char path[128];
  char logpath[128];
  char log[16384];
  ew_rules_config cfg;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/ew-test-rcs-XXXXXX");
  if (!mkdtemp(f->dir))
    return -1;
  snprintf(f->path, sizeof f->path, "%s/state.db", f->dir);
  snprintf(f->logpath, sizeof f->logpath, "%s/log.txt", f->dir);
  ew_rules_config_defaults(&f->cfg);
  ew_log_level = EW_LOG_INFO;
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
  unlink(f->logpath);
  rmdir(f->dir);
  ew_rules_config_free(&f->cfg);
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

/* One start: opens the store, diffs and saves with stderr captured into
 * f->log, closes. Returns the function's rc. */
static int start(fixture *f) {
  ew_store *s = open_store(f->path);
  fflush(stderr);
  int saved = dup(STDERR_FILENO);
  int fd = open(f->logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  assert_true(saved >= 0 && fd >= 0);
  dup2(fd, STDERR_FILENO);
  close(fd);
  int rc = ew_rules_config_diff_and_save(s, &f->cfg);
  fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  FILE *fp = fopen(f->logpath, "r");
  size_t n = fread(f->log, 1, sizeof f->log - 1, fp);
  f->log[n] = '\0';
  fclose(fp);
  ew_store_close(s);
  return rc;
}

static size_t count(const char *hay, const char *needle) {
  size_t n = 0;
  for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
    n++;
  return n;
}

typedef struct rows {
  char text[16384];
  size_t n;
} rows;

static int row_cb(void *ud, const char *name, const char *value) {
  rows *r = ud;
  size_t len = strlen(r->text);
  snprintf(r->text + len, sizeof r->text - len, "%s=%s\n", name, value);
  r->n++;
  return 0;
}

static void saved_rows(fixture *f, rows *r) {
  ew_store *s = open_store(f->path);
  memset(r, 0, sizeof *r);
  assert_int_equal(ew_store_rule_params_scan(s, row_cb, r), 0);
  ew_store_close(s);
}

/* Runs one SQL statement on the file from a separate connection. */
static void side_exec(const char *path, const char *q) {
  sqlite3 *db;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, q, NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
}

static void test_format_param(void **state) {
  fixture *f = *state;
  char buf[64];
  for (size_t i = 0; i < ew_rule_params_count; i++) {
    const ew_rule_param *p = &ew_rule_params[i];
    if (strcmp(p->rule, "R08b") == 0 && strcmp(p->key, "modes") == 0) {
      assert_int_equal(
          ew_rules_config_format_param(p, &f->cfg, buf, sizeof buf), 9);
      assert_string_equal(buf, "[ON_SITE]");
      /* Cut like snprintf: the whole length is still returned. */
      assert_int_equal(ew_rules_config_format_param(p, &f->cfg, buf, 3), 9);
      assert_string_equal(buf, "[O");
      assert_int_equal(ew_rules_config_format_param(p, &f->cfg, NULL, 0), 9);
    } else if (strcmp(p->rule, "R05") == 0 &&
               strcmp(p->key, "min_officers") == 0) {
      ew_rules_config_format_param(p, &f->cfg, buf, sizeof buf);
      assert_string_equal(buf, "2");
    } else if (strcmp(p->rule, "R03") == 0 && strcmp(p->key, "severity") == 0) {
      ew_rules_config_format_param(p, &f->cfg, buf, sizeof buf);
      assert_string_equal(buf, "MEDIUM");
    } else if (strcmp(p->rule, "R03") == 0 &&
               strcmp(p->key, "require_approval_record") == 0) {
      ew_rules_config_format_param(p, &f->cfg, buf, sizeof buf);
      assert_string_equal(buf, "true");
    }
  }
}

static void test_first_start_records_everything(void **state) {
  fixture *f = *state;
  rows r;
  assert_int_equal(start(f), 0);
  assert_non_null(strstr(f->log, "no configuration recorded by an earlier "
                                 "start"));
  assert_int_equal(count(f->log, "changed"), 0);
  saved_rows(f, &r);
  assert_int_equal(r.n, ew_rule_params_count);
  assert_non_null(strstr(r.text, "R05.min_officers=2\n"));
  assert_non_null(strstr(r.text, "R03.emergency_grace_workdays=1\n"));
  assert_non_null(strstr(r.text, "R08a.compulsory_measures=[SEAL,SEIZE,"
                                 "ENFORCE]\n"));
  assert_non_null(strstr(r.text, "R25.region_codes=[622900,"));
  /* The same configuration again: nothing to report. */
  assert_int_equal(start(f), 0);
  assert_int_equal(count(f->log, "rules:"), 0);
}

static void test_changes_are_logged_and_saved(void **state) {
  fixture *f = *state;
  rows r;
  assert_int_equal(start(f), 0);
  f->cfg.r05.min_officers = 3;
  f->cfg.r03.c.enabled = 0;
  f->cfg.r25.region_codes.v[f->cfg.r25.region_codes.n++] = strdup("620102");
  assert_int_equal(start(f), 0);
  assert_non_null(strstr(
      f->log, "rules: R05.min_officers changed 2 -> 3 since the last start"));
  assert_non_null(strstr(
      f->log, "rules: R03.enabled changed true -> false since the last start"));
  assert_non_null(strstr(f->log, "rules: R25.region_codes changed [622900,"));
  assert_non_null(strstr(f->log, ",620000,620102] since the last start"));
  assert_int_equal(count(f->log, " changed "), 3);
  saved_rows(f, &r);
  assert_int_equal(r.n, ew_rule_params_count);
  assert_non_null(strstr(r.text, "R05.min_officers=3\n"));
  assert_non_null(strstr(r.text, "R03.enabled=false\n"));
  /* And the next start compares with the new values. */
  assert_int_equal(start(f), 0);
  assert_int_equal(count(f->log, "rules:"), 0);
}

/* A build that adds or drops a parameter says so. */
static void test_new_and_dropped_parameters(void **state) {
  fixture *f = *state;
  rows r;
  assert_int_equal(start(f), 0);
  side_exec(f->path, "DELETE FROM rule_param WHERE name = 'R17.severity';"
                     "INSERT INTO rule_param VALUES('R99.gone', '5')");
  assert_int_equal(start(f), 0);
  assert_non_null(
      strstr(f->log, "rules: R17.severity=LOW is new since the last start"));
  assert_non_null(
      strstr(f->log, "rules: R99.gone (was 5) is no longer a parameter"));
  assert_int_equal(count(f->log, "rules:"), 2);
  saved_rows(f, &r);
  assert_int_equal(r.n, ew_rule_params_count);
  assert_null(strstr(r.text, "R99.gone"));
  assert_non_null(strstr(r.text, "R17.severity=LOW\n"));
}

/* Its own transaction: inside the caller's it fails, saves nothing and
 * says why on the store. */
static void test_inside_a_transaction_fails(void **state) {
  fixture *f = *state;
  rows r;
  ew_store *s = open_store(f->path);
  assert_int_equal(ew_store_begin(s), 0);
  assert_int_equal(ew_rules_config_diff_and_save(s, &f->cfg), -1);
  assert_non_null(strstr(ew_store_errmsg(s), "transaction"));
  assert_int_equal(ew_store_rollback(s), 0);
  ew_store_close(s);
  saved_rows(f, &r);
  assert_int_equal(r.n, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_format_param, setup, teardown),
      cmocka_unit_test_setup_teardown(test_first_start_records_everything,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_changes_are_logged_and_saved, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_new_and_dropped_parameters, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_inside_a_transaction_fails, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
