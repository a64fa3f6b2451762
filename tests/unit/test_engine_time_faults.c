/*
 * test_engine_time_faults.c - the clock machinery where it is easy to get
 * wrong (found in review): the engine's clock and R01's years across a
 * rolled-back transaction, the clock of a restarted process before its
 * first advance, `enforcewatch check` firing what is due at --as-of equal
 * to its clock, long agency ids in (agency, year) subjects, and a clock
 * that jumps decades ahead.
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

#include "cli.h"
#include "engine_harness.h"
#include "ewtime.h"

#define R01_2025 FX_AG1 "/2025"
#define R01_2026 FX_AG1 "/2026"

typedef struct world {
  harness h;
  char dir[64];
  char path[96];
} world;

static int setup(void **state) {
  world *w = calloc(1, sizeof *w);
  if (!w)
    return -1;
  snprintf(w->dir, sizeof w->dir, "/tmp/ew-review-XXXXXX");
  if (!mkdtemp(w->dir))
    return -1;
  snprintf(w->path, sizeof w->path, "%s/state.db", w->dir);
  if (h_open(&w->h, w->path) != 0)
    return -1;
  *state = w;
  return 0;
}

static int teardown(void **state) {
  world *w = *state;
  char p[160];
  h_close(&w->h);
  const char *sfx[] = {"", "-wal", "-shm", ".jsonl", ".out"};
  for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
    snprintf(p, sizeof p, "%s%s", w->path, sfx[i]);
    unlink(p);
  }
  rmdir(w->dir);
  free(w);
  return 0;
}

static void must_advance(world *w, ew_time t) {
  if (h_advance(&w->h, t) != 0)
    fail_msg("advance: %s", ew_engine_errmsg(w->h.engine));
}

static ew_time wake_of(world *w, int kind, const char *id) {
  ew_time t;
  assert_int_equal(ew_store_wakeup_get(w->h.store, kind, id, &t), 0);
  return t;
}

/* Moves the clock to `t` in a transaction that is then rolled back, as the
 * daemon's batch_fail does when a later message of the batch fails. */
static void advance_rolled_back(world *w, ew_time t) {
  w->h.n = w->h.nn = 0;
  assert_int_equal(ew_store_begin(w->h.store), 0);
  assert_int_equal(ew_engine_advance(w->h.engine, t), 0);
  ew_store_rollback(w->h.store);
}

/* ---- the clock and a rolled-back batch ---- */

/* A batch moved the clock to 02-05 (firing R01's 01-31 warning) and was
 * rolled back: the store's clock is 01-15 again, and so must the engine's
 * be. Moving it to 01-20 then fires nothing, since no deadline lies before
 * 01-20; the engine instead keeps 02-05 in memory and fires the warning
 * (whose wake-up the rollback restored) at a clock of "01-20". In the
 * daemon the retry of the batch replays its first events after deadlines
 * they came before, so a deadline an event of the batch meets is fired
 * anyway (OPEN, then WITHDRAWN), and the event is judged at the later
 * clock. */
static void test_rollback_leaves_clock_ahead(void **state) {
  world *w = *state;
  must_advance(w, fx_day(2025, 1, 15));
  advance_rolled_back(w, fx_day(2025, 2, 5));
  assert_non_null(h_find(&w->h, "R01")); /* what the rolled-back batch did */
  must_advance(w, fx_day(2025, 1, 20));
  assert_null(h_find(&w->h, "R01"));
  int64_t v;
  int found;
  assert_int_equal(ew_store_meta_get(w->h.store, "clock", &v, &found), 0);
  assert_true(found);
  assert_int_equal(v, fx_day(2025, 1, 20));
}

/* R01's years live in memory (r01_from/r01_to) and in meta. A batch that
 * crossed into 2026 judged every agency for 2026 (arming each one's 02-01
 * wake-up) and was rolled back: the wake-ups and meta went, the memory
 * stayed, so cover_year thinks 2026 is covered and never judges it again.
 * R01 for 2026 is then lost for every agency, for good. */
static void test_rollback_loses_new_r01_year(void **state) {
  world *w = *state;
  ew_record p = fx_plan(&w->h.a, "PL-2025", FX_AG1);
  h_must_apply(&w->h, &p);
  must_advance(w, fx_day(2025, 6, 1));
  assert_null(h_find(&w->h, "R01"));
  advance_rolled_back(w, fx_day(2026, 1, 2));
  assert_int_equal(wake_of(w, EW_SUBJ_AGENCY, R01_2026), EW_NONE);
  must_advance(w, fx_day(2026, 4, 2));
  const ew_alert *a = h_find(&w->h, "R01");
  assert_non_null(a);
  assert_string_equal(a->subject_id, R01_2026);
  assert_int_equal(a->severity, EW_SEV_HIGH);
}

/* The same with a year reached through an event's year (cover_year from
 * ew_engine_apply): the rolled-back apply of a 2024 event widened the
 * years in memory only, and the retry of that very event judges nothing. */
static void test_rollback_loses_past_r01_year(void **state) {
  world *w = *state;
  ew_origin o = {"jsonl", 0, 0};
  must_advance(w, fx_day(2025, 1, 15));
  ew_record in =
      fx_inspection(&w->h.a, "ev-2024", "INS-2024", fx_day(2024, 6, 3));
  w->h.n = 0;
  assert_int_equal(ew_store_begin(w->h.store), 0);
  assert_int_equal(ew_engine_apply(w->h.engine, &in, &o), 0);
  ew_store_rollback(w->h.store);
  assert_non_null(h_find(&w->h, "R01")); /* FX_AG1/2024, rolled back */
  h_must_apply(&w->h, &in);              /* the batch's retry */
  const ew_alert *a = h_find(&w->h, "R01");
  assert_non_null(a);
  assert_string_equal(a->subject_id, FX_AG1 "/2024");
}

/* ---- the clock of a fresh process, before its first advance ---- */

/* A random task whose results are overdue (R16c) is OPEN. The process
 * restarts (the daemon; h_open reopens the same state file) and, before
 * any event moves the clock, reads a reference record: the daemon's
 * bootstrap reads the reference topics before any event. The engine judges
 * it at e->clock, which is still EW_NONE because load_meta runs only in
 * advance/cover_year: "no deadline has passed", so the open R16c is
 * WITHDRAWN (and opens again, as a new detection, at the first tick). Here
 * the agency record h_open applies re-judges the agency's tasks. */
static void test_restart_judges_refs_before_clock_loaded(void **state) {
  world *w = *state;
  must_advance(w, fx_day(2025, 6, 2));
  ew_record task = fx_random_task(&w->h.a, "RT-1", FX_AG1, "C13-01");
  task.u.random_task.completed_at = fx_day(2025, 3, 3);
  h_must_apply(&w->h, &task);
  const ew_alert *a = h_find(&w->h, "R16c");
  assert_non_null(a);
  assert_int_equal(a->status, EW_AST_OPEN);

  h_close(&w->h);
  assert_int_equal(h_open(&w->h, w->path), 0);
  /* h_open re-applied the agency: nothing about the task may change */
  assert_null(h_find(&w->h, "R16c"));
  /* and an unchanged version of the task changes nothing either */
  task = fx_random_task(&w->h.a, "RT-1", FX_AG1, "C13-01");
  task.u.random_task.completed_at = fx_day(2025, 3, 3);
  h_must_apply(&w->h, &task);
  assert_null(h_find(&w->h, "R16c"));
}

/* ---- `enforcewatch check` and --as-of ---- */

/* Runs `enforcewatch check [--as-of AS_OF] FILE` with stdout in a file and
 * returns how many output lines are R24 alerts (-1 on a failure). */
static int check_r24_count(world *w, const char *as_of) {
  char in[128], out[128];
  snprintf(in, sizeof in, "%s.jsonl", w->path);
  snprintf(out, sizeof out, "%s.out", w->path);
  char *argv[5];
  int argc = 0;
  argv[argc++] = "check";
  if (as_of) {
    argv[argc++] = "--as-of";
    argv[argc++] = (char *)as_of;
  }
  argv[argc++] = in;
  argv[argc] = NULL;
  fflush(stdout);
  int saved = dup(1);
  int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (saved < 0 || fd < 0 || dup2(fd, 1) < 0)
    return -1;
  close(fd);
  int rc = ew_cmd_check(argc, argv);
  fflush(stdout);
  dup2(saved, 1);
  close(saved);
  if (rc != 0)
    return -1;
  FILE *f = fopen(out, "r");
  if (!f)
    return -1;
  char line[8192];
  int n = 0;
  while (fgets(line, sizeof line, f))
    n += strstr(line, "\"kind\":\"alert\"") &&
         strstr(line, "\"rule_id\":\"R24\"");
  fclose(f);
  return n;
}

static void write_input(world *w, const char *text) {
  char in[128];
  snprintf(in, sizeof in, "%s.jsonl", w->path);
  FILE *f = fopen(in, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

/* The agency FX_AG1 with its 2025 plan filed; then an event of 2025-06-30
 * and, last, a late event of 2024. The 2024 event widens R01's years: R01
 * for 2024 is HIGH at once, its notice is issued at 2024-03-31 and R24
 * arms its feedback deadline (2024-04-30), long before the clock. */
#define AG_LINE(uscc, power, jb)                                               \
  "{\"type\":\"agency\",\"agency_uscc\":\"" uscc "\",\"name\":\"某局\","     \
  "\"region_code\":\"622900\",\"level\":\"PREFECTURE\","                       \
  "\"has_inspection_power\":" power ",\"justice_bureau_uscc\":\"" jb "\"}\n"
#define INS_LINE(eid, iid, time)                                               \
  "{\"type\":\"inspection\",\"event_id\":\"" eid "\",\"event_time\":\"" time   \
  "\",\"inspection_id\":\"" iid "\",\"status\":\"PLANNED\",\"agency_uscc\":"   \
  "\"" FX_AG1 "\",\"enterprise_uscc\":\"" FX_ENT "\",\"check_class\":"         \
  "\"ROUTINE\",\"trigger_type\":\"COMPLAINT\",\"check_items\":[\"C13-01\"],"   \
  "\"mode\":\"ON_SITE\",\"officers\":[]}\n"
static const char LATE_YEAR_INPUT[] = AG_LINE(FX_JB, "false", FX_JB) AG_LINE(
    FX_AG1, "true",
    FX_JB) "{\"type\":\"plan\",\"plan_id\":\"PL-2025\",\"agency_uscc\":"
           "\"" FX_AG1
           "\",\"year\":2025,\"plan_type\":\"ANNUAL_INSPECTION\",\"status\":"
           "\"FILED\",\"filed_at\":\"2025-01-10T10:00:00+08:00\",\"items\":[],"
           "\"participant_agency_usccs\":[]}\n" INS_LINE(
               "ev-1", "INS-1", "2025-06-30T09:00:00+08:00")
               INS_LINE("ev-2", "INS-2", "2024-06-03T09:00:00+08:00");

/* Contract §7: check "fires every deadline that falls at or before
 * --as-of (default: the latest time seen in the input)". R24's 2024-04-30
 * deadline falls before both, yet check emits no R24: check_advance skips
 * ew_engine_advance when the time is not after the last one it passed, so
 * the wake-ups the last event armed in the past never fire. The daemon
 * fires them at its next tick: the two disagree on the same input. One
 * millisecond more of --as-of shows what was due (MEDIUM and HIGH). */
static void test_check_as_of_equal_to_clock_fires_nothing(void **state) {
  world *w = *state;
  write_input(w, LATE_YEAR_INPUT);
  assert_int_equal(check_r24_count(w, "2025-06-30T09:00:00.001+08:00"), 2);
  assert_int_equal(check_r24_count(w, "2025-06-30T09:00:00+08:00"), 2);
  assert_int_equal(check_r24_count(w, NULL), 2);
}

/* Pins the engine side of the fix: ew_engine_advance to the time the clock
 * is at already still fires what is due by it (the daemon's tick relies on
 * it, and check should call it so). */
static void test_advance_to_same_time_fires_due_wakeups(void **state) {
  world *w = *state;
  ew_record p = fx_plan(&w->h.a, "PL-2025", FX_AG1);
  h_must_apply(&w->h, &p);
  must_advance(w, fx_day(2025, 6, 30));
  ew_record in =
      fx_inspection(&w->h.a, "ev-2024", "INS-2024", fx_day(2024, 6, 3));
  in.u.inspection.status = EW_INSP_PLANNED; /* R01's notice alone */
  h_must_apply(&w->h, &in);
  assert_non_null(h_find(&w->h, "R01"));
  assert_null(h_find(&w->h, "R24")); /* armed in the past, not fired yet */
  must_advance(w, fx_day(2025, 6, 30));
  assert_int_equal(h_count(&w->h, "R24"), 2);
  assert_int_equal(h_find_nth(&w->h, "R24", 0)->severity, EW_SEV_MEDIUM);
  assert_int_equal(h_find_nth(&w->h, "R24", 1)->severity, EW_SEV_HIGH);
}

/* ---- (agency, year) subject ids ---- */

/* judge_agency_year formats "<agency_uscc>/<year>" into char id[160] with
 * snprintf: an agency id of 160 bytes or more (agency records are
 * untrusted input; the contract's 18 characters are R25's check, not a
 * decode error) loses its "/<year>", so every year of the agency shares one
 * subject and one alert id, and fire() finds no '/' in the wake-up's id and
 * drops the wake-up. The cut may also fall inside a UTF-8 sequence. */
static void test_r01_long_agency_id_keeps_year(void **state) {
  world *w = *state;
  char uscc[201];
  memset(uscc, 'A', 200);
  uscc[200] = '\0';
  ew_record ag = fx_agency(&w->h.a, uscc, "长编号的局", "622900");
  h_must_apply(&w->h, &ag);
  must_advance(w, fx_day(2025, 1, 15));
  must_advance(w, fx_day(2025, 4, 2));
  const ew_alert *mine = NULL;
  for (size_t i = 0; i < w->h.n; i++)
    if (strcmp(w->h.out[i].rule_id, "R01") == 0 &&
        strcmp(w->h.out[i].agency_uscc, uscc) == 0)
      mine = &w->h.out[i];
  assert_non_null(mine);
  size_t n = strlen(mine->subject_id);
  assert_true(n > 5);
  assert_string_equal(mine->subject_id + n - 5, "/2025");
}

/* R01 covers at most R01_MAX_YEARS (20) years back from the clock. When the
 * clock jumps more than that (check with an event dated 2050 after 2025's;
 * one mistyped year suffices), cover_year narrows the range to [2031, 2050]
 * but judges "the years not covered before" from to + 1 = 2026: every
 * agency gets R01 HIGH for 2026..2030 too, years outside the range that a
 * later plan (judged over [r01_from, r01_to] only) can never withdraw. */
static void test_r01_clock_jump_judges_years_outside_cover(void **state) {
  world *w = *state;
  w->h.cfg.r01.c.notice = EW_NOTICE_NONE; /* 25 alerts fit h->out */
  ew_record p = fx_plan(&w->h.a, "PL-2025", FX_AG1);
  h_must_apply(&w->h, &p);
  must_advance(w, fx_day(2025, 6, 1));
  must_advance(w, fx_day(2050, 6, 1));
  size_t n2030 = 0, n2031 = 0;
  for (size_t i = 0; i < w->h.n; i++) {
    if (strcmp(w->h.out[i].rule_id, "R01") != 0)
      continue;
    n2030 += strcmp(w->h.out[i].subject_id, FX_AG1 "/2030") == 0;
    n2031 += strcmp(w->h.out[i].subject_id, FX_AG1 "/2031") == 0;
  }
  assert_int_equal(n2031, 1); /* inside the range: judged */
  assert_int_equal(n2030, 0); /* outside it: not */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_rollback_leaves_clock_ahead, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_rollback_loses_new_r01_year, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_rollback_loses_past_r01_year, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(
          test_restart_judges_refs_before_clock_loaded, setup, teardown),
      cmocka_unit_test_setup_teardown(
          test_check_as_of_equal_to_clock_fires_nothing, setup, teardown),
      cmocka_unit_test_setup_teardown(
          test_advance_to_same_time_fires_due_wakeups, setup, teardown),
      cmocka_unit_test_setup_teardown(test_r01_long_agency_id_keeps_year, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(
          test_r01_clock_jump_judges_years_outside_cover, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
