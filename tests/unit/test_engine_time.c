/*
 * test_engine_time.c - the engine's clock (issue 4): durable wake-ups that
 * fire once when the clock passes them, in time order, across a restart;
 * the clock kept in the store; and R01, whose (agency, year) subjects live
 * on wake-ups alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine_harness.h"
#include "ewtime.h"

#define DAY EW_DAY_MS
#define R01_SUBJECT FX_AG1 "/2025"

typedef struct world {
  harness h;
  char dir[64];
  char path[96];
} world;

static int setup(void **state) {
  world *w = calloc(1, sizeof *w);
  snprintf(w->dir, sizeof w->dir, "/tmp/ew-time-XXXXXX");
  if (!w || !mkdtemp(w->dir))
    return -1;
  snprintf(w->path, sizeof w->path, "%s/state.db", w->dir);
  if (h_open(&w->h, w->path) != 0)
    return -1;
  *state = w;
  return 0;
}

static int teardown(void **state) {
  world *w = *state;
  char p[128];
  h_close(&w->h);
  const char *sfx[] = {"", "-wal", "-shm"};
  for (size_t i = 0; i < 3; i++) {
    snprintf(p, sizeof p, "%s%s", w->path, sfx[i]);
    unlink(p);
  }
  rmdir(w->dir);
  free(w);
  return 0;
}

/* The last millisecond of a Shanghai date. */
static ew_time end_of(int y, int m, int d) {
  return fx_day(y, m, d) + DAY - 1;
}

static void must_advance(world *w, ew_time t) {
  if (h_advance(&w->h, t) != 0)
    fail_msg("advance: %s", ew_engine_errmsg(w->h.engine));
}

static void must_apply(world *w, const ew_record *r) {
  h_must_apply(&w->h, r);
}

static ew_time wake_of(world *w, int kind, const char *id) {
  ew_time t;
  assert_int_equal(ew_store_wakeup_get(w->h.store, kind, id, &t), 0);
  return t;
}

/* A plan of FX_AG1 for 2025 filed at `filed`. */
static ew_record plan_filed(world *w, const char *id, ew_time filed) {
  ew_record p = fx_plan(&w->h.a, id, FX_AG1);
  p.u.plan.filed_at = filed;
  return p;
}

/* Nothing is due before the warning date; the agency's subject waits on a
 * wake-up just after it. */
static void test_r01_waits_for_the_warning_date(void **state) {
  world *w = *state;
  must_advance(w, fx_day(2025, 1, 15));
  assert_null(h_find(&w->h, "R01"));
  assert_int_equal(wake_of(w, EW_SUBJ_AGENCY, R01_SUBJECT),
                   end_of(2025, 1, 31) + 1);
}

/* Not filed: MEDIUM at the warning date, then HIGH (same alert) at the due
 * date with the notice; one advance across both emits both, in order. */
static void test_r01_warning_then_violation(void **state) {
  world *w = *state;
  must_advance(w, fx_day(2025, 1, 15));
  must_advance(w, fx_day(2025, 4, 2));
  assert_int_equal(h_count(&w->h, "R01"), 2);
  const ew_alert *warn = h_find_nth(&w->h, "R01", 0);
  const ew_alert *late = h_find_nth(&w->h, "R01", 1);
  assert_string_equal(warn->subject_id, R01_SUBJECT);
  assert_int_equal(warn->subject_type, EW_SUBJ_AGENCY);
  assert_int_equal(warn->severity, EW_SEV_MEDIUM);
  assert_int_equal(warn->detected_at, end_of(2025, 1, 31));
  assert_int_equal(late->severity, EW_SEV_HIGH);
  assert_string_equal(late->alert_id, warn->alert_id);
  assert_int_equal(late->detected_at, end_of(2025, 1, 31));
  assert_int_equal(late->due_at, end_of(2025, 3, 31));
  assert_string_equal(h_fact(late, "plan_filed_at"), "none");
  assert_string_equal(h_fact(late, "due_date"), "2025-03-31");
  assert_non_null(strstr(late->legal_basis, "¶2"));
  /* the notice goes out with the violation, not with the warning */
  assert_int_equal(w->h.nn, 1);
  const ew_notice *n = &w->h.notices[0];
  assert_int_equal(n->notice_type, EW_NT_SUPERVISION_OPINION);
  assert_string_equal(n->issuer_uscc, FX_JB);
  assert_string_equal(n->recipient_agency_uscc, FX_AG1);
  assert_int_equal(n->alert_ids.n, 1);
  assert_string_equal(n->alert_ids.v[0], late->alert_id);
  assert_int_equal(n->issued_at, end_of(2025, 3, 31));
  assert_int_equal(n->feedback_due_at, end_of(2025, 4, 30));
  /* fired once: nothing more as the clock goes on (until 04-30, when the
   * notice's feedback falls due and R24 takes over) */
  must_advance(w, fx_day(2025, 4, 30));
  assert_null(h_find(&w->h, "R01"));
  assert_int_equal(w->h.nn, 0);
  must_advance(w, fx_day(2025, 12, 31));
  assert_null(h_find(&w->h, "R01"));
}

static void test_r01_filed_in_time_is_silent(void **state) {
  world *w = *state;
  ew_record p = plan_filed(w, "PL-1", fx_day(2025, 1, 10));
  must_apply(w, &p);
  must_advance(w, fx_day(2025, 6, 1));
  assert_null(h_find(&w->h, "R01"));
  assert_int_equal(wake_of(w, EW_SUBJ_AGENCY, R01_SUBJECT), EW_NONE);
}

/* Filed after the warning but by the due date: the warning is withdrawn
 * and no violation follows. A filing the record dates ahead of the clock
 * counts from that date. */
static void test_r01_filed_before_due_withdraws_warning(void **state) {
  world *w = *state;
  must_advance(w, fx_day(2025, 2, 3));
  assert_int_equal(h_find(&w->h, "R01")->severity, EW_SEV_MEDIUM);
  ew_record p = plan_filed(w, "PL-1", fx_day(2025, 2, 15));
  must_apply(w, &p);
  assert_null(h_find(&w->h, "R01"));
  must_advance(w, fx_day(2025, 2, 16));
  const ew_alert *a = h_find(&w->h, "R01");
  assert_non_null(a);
  assert_int_equal(a->status, EW_AST_WITHDRAWN);
  must_advance(w, fx_day(2025, 6, 1));
  assert_null(h_find(&w->h, "R01"));
}

/* Filed after the due date: the violation stays open and says when. A
 * plan that does not count (a draft, another year) changes nothing. */
static void test_r01_filed_late_stays_open(void **state) {
  world *w = *state;
  must_advance(w, fx_day(2025, 4, 2));
  ew_record draft = plan_filed(w, "PL-0", fx_day(2025, 1, 5));
  draft.u.plan.status = EW_PST_DRAFT;
  must_apply(w, &draft);
  ew_record other = plan_filed(w, "PL-9", fx_day(2025, 1, 5));
  other.u.plan.year = 2024;
  must_apply(w, &other);
  assert_null(h_find(&w->h, "R01"));
  ew_record p = plan_filed(w, "PL-1", fx_day(2025, 4, 10));
  must_apply(w, &p);
  const ew_alert *a = h_find(&w->h, "R01");
  assert_non_null(a);
  assert_int_equal(a->status, EW_AST_OPEN);
  assert_int_equal(a->severity, EW_SEV_HIGH);
  assert_string_equal(h_fact(a, "plan_id"), "PL-1");
  assert_non_null(strstr(a->message, "2025-04-10"));
  assert_int_equal(w->h.nn, 0); /* the notice was issued once already */
}

/* An agency without inspection powers files no plan; deleting an agency
 * withdraws what it had open. */
static void test_r01_powers_and_deletion(void **state) {
  world *w = *state;
  ew_record ag2 = fx_agency(&w->h.a, FX_AG2, "临夏市某局", "622901");
  ag2.u.agency.has_inspection_power = 0;
  must_apply(w, &ag2);
  /* first judged after both dates: the violation at once */
  must_advance(w, fx_day(2025, 4, 2));
  assert_int_equal(h_count(&w->h, "R01"), 1);
  assert_int_equal(h_find(&w->h, "R01")->severity, EW_SEV_HIGH);
  for (size_t i = 0; i < w->h.n; i++)
    assert_string_equal(w->h.out[i].agency_uscc, FX_AG1);
  w->h.n = 0;
  assert_int_equal(ew_store_begin(w->h.store), 0);
  assert_int_equal(ew_engine_delete_ref(w->h.engine, EW_REC_AGENCY, FX_AG1), 0);
  assert_int_equal(ew_store_commit(w->h.store), 0);
  const ew_alert *a = h_find(&w->h, "R01");
  assert_non_null(a);
  assert_int_equal(a->status, EW_AST_WITHDRAWN);
  assert_string_equal(a->subject_id, R01_SUBJECT);
}

/* A plan moved to another year leaves its old year unfiled. */
static void test_r01_plan_moved_to_another_year(void **state) {
  world *w = *state;
  ew_record p = plan_filed(w, "PL-1", fx_day(2025, 1, 10));
  must_apply(w, &p);
  must_advance(w, fx_day(2025, 4, 2));
  assert_null(h_find(&w->h, "R01"));
  p.u.plan.year = 2026;
  must_apply(w, &p);
  assert_int_equal(h_find(&w->h, "R01")->severity, EW_SEV_HIGH);
}

/* The years judged start with the first year of the input: an event from
 * 2024 makes 2024 a year R01 covers, judged at once since its dates are
 * long past. */
static void test_r01_years_follow_the_input(void **state) {
  world *w = *state;
  must_advance(w, fx_day(2025, 1, 15));
  ew_record in =
      fx_inspection(&w->h.a, "ev-2024", "INS-2024", fx_day(2024, 6, 3));
  must_apply(w, &in);
  const ew_alert *a = NULL;
  for (size_t i = 0; i < w->h.n; i++)
    if (strcmp(w->h.out[i].rule_id, "R01") == 0)
      a = &w->h.out[i];
  assert_non_null(a);
  assert_string_equal(a->subject_id, FX_AG1 "/2024");
  assert_int_equal(a->severity, EW_SEV_HIGH);
  assert_int_equal(a->due_at, end_of(2024, 3, 31));
}

/* Wake-ups and the clock are in the state file: a restart after the
 * deadline fires it once, and the clock never runs back. */
static void test_wakeups_survive_restart(void **state) {
  world *w = *state;
  must_advance(w, fx_day(2025, 1, 15));
  assert_int_equal(wake_of(w, EW_SUBJ_AGENCY, R01_SUBJECT),
                   end_of(2025, 1, 31) + 1);
  h_close(&w->h);
  assert_int_equal(h_open(&w->h, w->path), 0);
  /* an earlier time does not move the restored clock back */
  must_advance(w, fx_day(2025, 1, 1));
  assert_null(h_find(&w->h, "R01"));
  must_advance(w, fx_day(2025, 2, 1));
  assert_int_equal(h_count(&w->h, "R01"), 1);
  h_close(&w->h);
  assert_int_equal(h_open(&w->h, w->path), 0);
  must_advance(w, fx_day(2025, 2, 2));
  assert_null(h_find(&w->h, "R01"));
}

/* A disabled rule arms nothing and finds nothing. */
static void test_r01_disabled(void **state) {
  world *w = *state;
  w->h.cfg.r01.c.enabled = 0;
  must_advance(w, fx_day(2025, 4, 2));
  assert_null(h_find(&w->h, "R01"));
  assert_int_equal(wake_of(w, EW_SUBJ_AGENCY, R01_SUBJECT), EW_NONE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_r01_waits_for_the_warning_date,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_r01_warning_then_violation, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_r01_filed_in_time_is_silent, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(
          test_r01_filed_before_due_withdraws_warning, setup, teardown),
      cmocka_unit_test_setup_teardown(test_r01_filed_late_stays_open, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_r01_powers_and_deletion, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_r01_plan_moved_to_another_year,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_r01_years_follow_the_input, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_wakeups_survive_restart, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_r01_disabled, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
