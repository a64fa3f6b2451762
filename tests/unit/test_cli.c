/*
 * test_cli.c - `enforcewatch check` end to end: real JSON Lines files in a
 * temporary directory, the real engine over an in-memory store, stdout and
 * stderr captured into files.
 *
 * Alert lines are asserted loosely (the rule id is there or not), because
 * the rules have tests of their own; what is tested here is the command:
 * exit statuses, bad-line reports, file order, stdin, tombstones, --as-of,
 * --state (the state in a file the daemon's store can open).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "cli.h"
#include "store.h"

#define AGENCY "11622900MB1234567G"
#define JUSTICE "11622900MB7654321D"
#define ENTERPRISE "91622901MA7ABCDE19"

#define LINE_AGENCY                                                            \
  "{\"type\":\"agency\",\"agency_uscc\":\"" AGENCY "\","                       \
  "\"name\":\"临夏州市场监督管理局\",\"region_code\":\"622901\","    \
  "\"level\":\"PREFECTURE\",\"justice_bureau_uscc\":\"" JUSTICE "\"}\n"

#define LINE_CERT(no, officer)                                                 \
  "{\"type\":\"certificate\",\"cert_no\":\"" no "\",\"officer_id\":\"" officer \
  "\",\"agency_uscc\":\"" AGENCY "\",\"valid_from\":\"2024-01-01\","           \
  "\"valid_to\":\"2027-12-31\",\"status\":\"ACTIVE\"}\n"

/* An ON_SITE inspection started with the officers given as a JSON array. */
#define LINE_INSPECTION(event_id, officers)                                    \
  "{\"type\":\"inspection\",\"event_id\":\"" event_id "\","                    \
  "\"event_time\":\"2025-03-04T09:30:00+08:00\","                              \
  "\"inspection_id\":\"INS-001\",\"status\":\"STARTED\","                      \
  "\"agency_uscc\":\"" AGENCY "\",\"enterprise_uscc\":\"" ENTERPRISE "\","     \
  "\"enterprise_region_code\":\"622901\",\"check_class\":\"ROUTINE\","         \
  "\"trigger_type\":\"COMPLAINT\",\"complaint_id\":\"C-1\","                   \
  "\"check_items\":[\"C13-01\"],\"mode\":\"ON_SITE\","                         \
  "\"officers\":" officers ","                                                 \
  "\"started_at\":\"2025-03-04T09:30:00+08:00\"}\n"

#define ONE_OFFICER "[{\"officer_id\":\"O1\",\"cert_no\":\"C1\"}]"
#define TWO_OFFICERS                                                           \
  "[{\"officer_id\":\"O1\",\"cert_no\":\"C1\",\"cert_shown\":true},"           \
  "{\"officer_id\":\"O2\",\"cert_no\":\"C2\",\"cert_shown\":true}]"

#define R05 "\"rule_id\":\"R05\""

typedef struct fixture {
  char dir[64];
} fixture;

typedef struct run_result {
  int rc;
  char *out, *err;
} run_result;

static int setup(void **state) {
  fixture *fx = calloc(1, sizeof *fx);
  if (!fx)
    return -1;
  strcpy(fx->dir, "/tmp/test_cli.XXXXXX");
  if (!mkdtemp(fx->dir)) {
    free(fx);
    return -1;
  }
  *state = fx;
  return 0;
}

static int teardown(void **state) {
  fixture *fx = *state;
  DIR *d = opendir(fx->dir);
  struct dirent *de;
  char path[512];
  while (d && (de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.')
      continue;
    snprintf(path, sizeof path, "%s/%s", fx->dir, de->d_name);
    unlink(path);
  }
  if (d)
    closedir(d);
  rmdir(fx->dir);
  free(fx);
  return 0;
}

static void path_of(const fixture *fx, const char *name, char *buf,
                    size_t size) {
  snprintf(buf, size, "%s/%s", fx->dir, name);
}

static void write_file(const fixture *fx, const char *name, const char *text,
                       char *path, size_t size) {
  path_of(fx, name, path, size);
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  assert_int_equal(fputs(text, fp) >= 0, 1);
  assert_int_equal(fclose(fp), 0);
}

static char *slurp(const char *path) {
  FILE *fp = fopen(path, "r");
  assert_non_null(fp);
  fseek(fp, 0, SEEK_END);
  long n = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  assert_non_null(s);
  assert_int_equal(fread(s, 1, (size_t)n, fp), (size_t)n);
  s[n] = '\0';
  fclose(fp);
  return s;
}

/* Runs `check args...` with stdout and stderr in files (and stdin from
 * `stdin_path` when not NULL). */
static void run_check(const fixture *fx, run_result *r, const char *stdin_path,
                      const char *const *args) {
  char out_path[512], err_path[512];
  char *argv[32];
  int argc = 0;
  argv[argc++] = "check";
  while (*args && argc < 31)
    argv[argc++] = (char *)*args++;
  argv[argc] = NULL;

  path_of(fx, "stdout.txt", out_path, sizeof out_path);
  path_of(fx, "stderr.txt", err_path, sizeof err_path);
  fflush(stdout);
  fflush(stderr);
  int saved_out = dup(STDOUT_FILENO), saved_err = dup(STDERR_FILENO);
  int saved_in = dup(STDIN_FILENO);
  int out_fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int err_fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  assert_true(saved_out >= 0 && saved_err >= 0 && saved_in >= 0);
  assert_true(out_fd >= 0 && err_fd >= 0);
  dup2(out_fd, STDOUT_FILENO);
  dup2(err_fd, STDERR_FILENO);
  close(out_fd);
  close(err_fd);
  if (stdin_path) {
    int in_fd = open(stdin_path, O_RDONLY);
    assert_true(in_fd >= 0);
    dup2(in_fd, STDIN_FILENO);
    close(in_fd);
    clearerr(stdin);
  }

  r->rc = ew_cmd_check(argc, argv);

  fflush(stdout);
  fflush(stderr);
  dup2(saved_out, STDOUT_FILENO);
  dup2(saved_err, STDERR_FILENO);
  dup2(saved_in, STDIN_FILENO);
  close(saved_out);
  close(saved_err);
  close(saved_in);
  clearerr(stdin);
  r->out = slurp(out_path);
  r->err = slurp(err_path);
}

static void run_free(run_result *r) {
  free(r->out);
  free(r->err);
}

static int count_lines(const char *s) {
  int n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

static void test_usage_errors(void **state) {
  fixture *fx = *state;
  run_result r;
  char f[512];
  write_file(fx, "empty.jsonl", "", f, sizeof f);

  const char *none[] = {NULL};
  run_check(fx, &r, NULL, none);
  assert_int_equal(r.rc, 2);
  assert_non_null(strstr(r.err, "usage: enforcewatch check"));
  assert_string_equal(r.out, "");
  run_free(&r);

  const char *unknown[] = {"--bogus", f, NULL};
  run_check(fx, &r, NULL, unknown);
  assert_int_equal(r.rc, 2);
  assert_non_null(strstr(r.err, "unknown option --bogus"));
  run_free(&r);

  const char *bad_time[] = {"--as-of", "yesterday", f, NULL};
  run_check(fx, &r, NULL, bad_time);
  assert_int_equal(r.rc, 2);
  assert_non_null(strstr(r.err, "--as-of: not a time"));
  run_free(&r);

  const char *no_value[] = {f, "--as-of", NULL};
  run_check(fx, &r, NULL, no_value);
  assert_int_equal(r.rc, 2);
  assert_non_null(strstr(r.err, "--as-of needs a value"));
  run_free(&r);

  const char *flag_value[] = {"--config", NULL};
  run_check(fx, &r, NULL, flag_value);
  assert_int_equal(r.rc, 2);
  run_free(&r);
}

static void test_help(void **state) {
  fixture *fx = *state;
  run_result r;
  const char *args[] = {"--help", NULL};
  run_check(fx, &r, NULL, args);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "usage: enforcewatch check"));
  run_free(&r);
}

static void test_missing_file_exits_1(void **state) {
  fixture *fx = *state;
  run_result r;
  char f[512], missing[512];
  write_file(fx, "a.jsonl", LINE_INSPECTION("E1", ONE_OFFICER), f, sizeof f);
  path_of(fx, "missing.jsonl", missing, sizeof missing);

  /* The missing file stops the check before the file after it. */
  const char *args[] = {missing, f, NULL};
  run_check(fx, &r, NULL, args);
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.err, "missing.jsonl: No such file or directory"));
  assert_null(strstr(r.out, R05));
  assert_non_null(strstr(r.err, "check: 0 records, 0 bad lines, 0 alerts"));
  run_free(&r);

  /* A directory opens but cannot be read. */
  const char *dir[] = {fx->dir, NULL};
  run_check(fx, &r, NULL, dir);
  assert_int_equal(r.rc, 1);
  run_free(&r);
}

static void test_r05_single_officer(void **state) {
  fixture *fx = *state;
  run_result r;
  char f[512];
  write_file(fx, "r05.jsonl", LINE_AGENCY LINE_INSPECTION("E1", ONE_OFFICER), f,
             sizeof f);
  const char *args[] = {f, NULL};
  run_check(fx, &r, NULL, args);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, R05));
  /* Every output line is an alert or notice object, one per line. */
  assert_int_equal(strncmp(r.out, "{\"kind\":\"", 9), 0);
  assert_non_null(strstr(r.err, "check: 2 records, 0 bad lines, "));
  run_free(&r);
}

static void test_bad_lines_reported_and_skipped(void **state) {
  fixture *fx = *state;
  run_result r;
  char f[512], want[600];
  write_file(fx, "bad.jsonl",
             LINE_AGENCY                           /* 1 */
             "{not json\n"                         /* 2 */
             "{\"type\":\"inspection\"}\n"         /* 3: fields missing */
             "   \n"                               /* 4: blank, skipped */
             "{\"type\":\"nosuchtype\",\"x\":1}\n" /* 5 */
             LINE_INSPECTION("E1", ONE_OFFICER),   /* 6 */
             f, sizeof f);
  const char *args[] = {f, NULL};
  run_check(fx, &r, NULL, args);
  assert_int_equal(r.rc, 0);
  snprintf(want, sizeof want, "%s:2: ", f);
  assert_non_null(strstr(r.err, want));
  snprintf(want, sizeof want, "%s:3: ", f);
  assert_non_null(strstr(r.err, want));
  snprintf(want, sizeof want, "%s:5: ", f);
  assert_non_null(strstr(r.err, want));
  snprintf(want, sizeof want, "%s:4: ", f);
  assert_null(strstr(r.err, want));
  /* The line after the bad ones was applied. */
  assert_non_null(strstr(r.out, R05));
  assert_non_null(strstr(r.err, "check: 2 records, 3 bad lines, "));
  run_free(&r);
}

static void test_as_of_forms(void **state) {
  fixture *fx = *state;
  run_result r;
  char f[512];
  write_file(fx, "a.jsonl", LINE_INSPECTION("E1", ONE_OFFICER), f, sizeof f);
  const char *forms[][3] = {{"--as-of", "2025-12-31T00:00:00+08:00", NULL},
                            {"--as-of=2025-12-31", NULL, NULL},
                            {"--as-of", "1767139200000", NULL},
                            {"--as-of", "2025-03-04T01:30:00Z", NULL}};
  for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
    const char *args[5] = {0};
    size_t n = 0;
    for (size_t j = 0; j < 3 && forms[i][j]; j++)
      args[n++] = forms[i][j];
    args[n] = f;
    run_check(fx, &r, NULL, args);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.out, R05));
    run_free(&r);
  }
}

static void test_stdin_and_file_order(void **state) {
  fixture *fx = *state;
  run_result r;
  char refs[512], insp[512];
  write_file(fx, "refs.jsonl",
             LINE_AGENCY LINE_CERT("C1", "O1") LINE_CERT("C2", "O2"), refs,
             sizeof refs);
  write_file(fx, "insp.jsonl", LINE_INSPECTION("E1", TWO_OFFICERS), insp,
             sizeof insp);

  /* Certificates first: both officers are certified, so no R05. */
  const char *args[] = {refs, "-", NULL};
  run_check(fx, &r, insp, args);
  assert_int_equal(r.rc, 0);
  assert_null(strstr(r.out, R05));
  assert_non_null(strstr(r.err, "check: 4 records, 0 bad lines, "));
  run_free(&r);

  /* The inspection before the certificates: evaluated without them. */
  const char *reversed[] = {"-", refs, NULL};
  run_check(fx, &r, insp, reversed);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, R05));
  run_free(&r);
}

static void test_tombstone_deletes_reference(void **state) {
  fixture *fx = *state;
  run_result r;
  char refs[512], tomb[512], insp[512];
  write_file(fx, "refs.jsonl",
             LINE_AGENCY LINE_CERT("C1", "O1") LINE_CERT("C2", "O2"), refs,
             sizeof refs);
  write_file(fx, "tomb.jsonl",
             "{\"type\":\"certificate\",\"cert_no\":\"C2\",\"deleted\":true}\n",
             tomb, sizeof tomb);
  write_file(fx, "insp.jsonl", LINE_INSPECTION("E1", TWO_OFFICERS), insp,
             sizeof insp);
  const char *args[] = {refs, tomb, insp, NULL};
  run_check(fx, &r, NULL, args);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, R05));
  assert_non_null(strstr(r.err, "check: 5 records, 0 bad lines, "));
  run_free(&r);
}

static void test_outputs_are_not_inputs(void **state) {
  fixture *fx = *state;
  run_result r;
  char f[512], out[512];
  write_file(fx, "a.jsonl", LINE_AGENCY LINE_INSPECTION("E1", ONE_OFFICER), f,
             sizeof f);
  const char *args[] = {f, NULL};
  run_check(fx, &r, NULL, args);
  assert_int_equal(r.rc, 0);
  int nout = count_lines(r.out);
  assert_true(nout >= 1);
  write_file(fx, "out.jsonl", r.out, out, sizeof out);
  run_free(&r);

  /* check's own output read back: every line is refused as an output. */
  const char *again[] = {out, NULL};
  run_check(fx, &r, NULL, again);
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.out, "");
  assert_non_null(strstr(r.err, "is an output, not an input record"));
  char want[64];
  snprintf(want, sizeof want, "check: 0 records, %d bad lines, 0 alerts", nout);
  assert_non_null(strstr(r.err, want));
  run_free(&r);
}

/* --stats adds the stats stream's values; without it check writes only
 * alerts and notices (contract §7). */
static void test_stats_only_when_asked(void **state) {
  fixture *fx = *state;
  run_result r;
  char f[512];
  write_file(fx, "stats.jsonl", LINE_AGENCY LINE_INSPECTION("E1", ONE_OFFICER),
             f, sizeof f);
  const char *plain[] = {f, NULL};
  run_check(fx, &r, NULL, plain);
  assert_int_equal(r.rc, 0);
  assert_null(strstr(r.out, "\"kind\":\"stats\""));
  run_free(&r);

  const char *with[] = {"--stats", f, NULL};
  run_check(fx, &r, NULL, with);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, R05));
  assert_non_null(
      strstr(r.out, "\"metric\":\"inspections_total\",\"value\":1"));
  assert_non_null(strstr(r.out, "\"metric\":\"alerts_R05\",\"value\":1"));
  run_free(&r);
}

static void test_many_records_span_transactions(void **state) {
  fixture *fx = *state;
  run_result r;
  char f[512], path[512];
  /* More records than one store transaction holds (10000): the
   * certificates committed in the first one are still seen by the
   * inspection in a later one. */
  path_of(fx, "many.jsonl", path, sizeof path);
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  fputs(LINE_AGENCY LINE_CERT("C1", "O1") LINE_CERT("C2", "O2"), fp);
  for (int i = 0; i < 10500; i++)
    fprintf(fp,
            "{\"type\":\"certificate\",\"cert_no\":\"F%d\","
            "\"officer_id\":\"X%d\",\"agency_uscc\":\"" AGENCY "\","
            "\"valid_from\":\"2024-01-01\",\"valid_to\":\"2027-12-31\","
            "\"status\":\"ACTIVE\"}\n",
            i, i);
  fputs(LINE_INSPECTION("E1", TWO_OFFICERS), fp);
  assert_int_equal(fclose(fp), 0);
  snprintf(f, sizeof f, "%s", path);
  const char *args[] = {f, NULL};
  run_check(fx, &r, NULL, args);
  assert_int_equal(r.rc, 0);
  assert_null(strstr(r.out, R05));
  assert_non_null(strstr(r.err, "check: 10504 records, 0 bad lines, "));
  run_free(&r);
}

static int count_open_r05(void *ud, const ew_alert_state *st) {
  *(int *)ud += strcmp(st->rule_id, "R05") == 0;
  return 0;
}

/* --state FILE: the state goes to an SQLite file that the store opens
 * afterwards (as `report --state` and the daemon do), holding the records,
 * the snapshot and the open alert; a second run continues it: its duplicate
 * events emit nothing, and a later snapshot withdraws the alert the first
 * run opened. */
static void test_state_file(void **state) {
  fixture *fx = *state;
  run_result r;
  char a[512], b[512], db[512], bad[512];
  write_file(fx, "a.jsonl",
             LINE_AGENCY LINE_CERT("C1", "O1") LINE_CERT("C2", "O2")
                 LINE_INSPECTION("E1", ONE_OFFICER),
             a, sizeof a);
  write_file(fx, "b.jsonl", LINE_INSPECTION("E2", TWO_OFFICERS), b, sizeof b);
  path_of(fx, "state.db", db, sizeof db);

  const char *first[] = {"--state", db, a, NULL};
  run_check(fx, &r, NULL, first);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, R05));
  assert_non_null(strstr(r.err, "check: 4 records, 0 bad lines, "));
  run_free(&r);

  ew_store *s = NULL;
  char err[512];
  const ew_record *rec = NULL;
  ew_record snap;
  ew_arena arena = EW_ARENA_INIT;
  int found = 0, open = 0;
  assert_int_equal(ew_store_open_readonly(&s, db, err, sizeof err), 0);
  assert_int_equal(ew_store_ref_get(s, EW_REC_AGENCY, AGENCY, &rec), 0);
  assert_non_null(rec);
  assert_int_equal(ew_store_ref_get(s, EW_REC_CERTIFICATE, "C2", &rec), 0);
  assert_non_null(rec);
  assert_int_equal(ew_store_snapshot_get(s, EW_REC_INSPECTION, "INS-001",
                                         &arena, &snap, &found),
                   0);
  assert_true(found);
  assert_string_equal(snap.u.inspection.event_id, "E1");
  assert_int_equal(ew_store_alert_state_open(s, EW_SUBJ_INSPECTION, "INS-001",
                                             count_open_r05, &open),
                   0);
  assert_int_equal(open, 1);
  ew_store_close(s);
  ew_arena_free(&arena);

  run_check(fx, &r, NULL, first); /* the same input again: duplicates */
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.out, "");
  run_free(&r);

  const char *second[] = {"--state", db, b, NULL};
  run_check(fx, &r, NULL, second);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, R05));
  assert_non_null(strstr(r.out, "\"status\":\"WITHDRAWN\""));
  run_free(&r);

  const char *empty[] = {"--state", "", a, NULL};
  run_check(fx, &r, NULL, empty);
  assert_int_equal(r.rc, 2);
  assert_non_null(strstr(r.err, "--state: not a file name"));
  run_free(&r);

  path_of(fx, "no-such-dir/state.db", bad, sizeof bad);
  const char *unopenable[] = {"--state", bad, a, NULL};
  run_check(fx, &r, NULL, unopenable);
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.err, "check: state file "));
  assert_non_null(strstr(r.err, "no-such-dir/state.db"));
  assert_string_equal(r.out, "");
  run_free(&r);
}

static void test_empty_input(void **state) {
  fixture *fx = *state;
  run_result r;
  char f[512];
  write_file(fx, "empty.jsonl", "", f, sizeof f);
  const char *args[] = {f, NULL};
  run_check(fx, &r, NULL, args);
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.out, "");
  assert_non_null(strstr(r.err, "check: 0 records, 0 bad lines, 0 alerts"));
  run_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_usage_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_help, setup, teardown),
      cmocka_unit_test_setup_teardown(test_missing_file_exits_1, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_r05_single_officer, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bad_lines_reported_and_skipped,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_as_of_forms, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stdin_and_file_order, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_tombstone_deletes_reference, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_outputs_are_not_inputs, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_stats_only_when_asked, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_many_records_span_transactions,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_empty_input, setup, teardown),
      cmocka_unit_test_setup_teardown(test_state_file, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
