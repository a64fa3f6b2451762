/*
 * test_rules_windows.c - the window rules R14b, R18a, R19a, R19b, R19c and
 * R19d through the engine: for each rule id a case at the limit that fires
 * (severity and key facts asserted), near misses just under the limit and
 * just outside the window, an earlier event that arrives after a later one
 * (the later one gets the alert), and an earlier event cancelled or
 * withdrawn (the later one's alert is withdrawn).
 *
 * Only the window rules are on, so that every emitted alert is theirs and
 * the tests can count them exactly. Agencies FX_AG1 (harness), FX_AG2 and
 * FX_AG3 are registered with the justice bureau FX_JB. Inspections are
 * STARTED routine ANNUAL_PLAN checks of FX_ENT by FX_AG1 (fx_inspection),
 * placed at their started_at.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "engine_harness.h"
#include "rules/rules.h"

#define HOUR (3600LL * 1000)
#define MINUTE (60LL * 1000)

typedef struct world {
  harness h;
  int next_event;
} world;

static int setup(void **state) {
  world *w = calloc(1, sizeof *w);
  if (!w || h_open(&w->h, ":memory:") != 0)
    return -1;
  for (size_t i = 0; i < ew_rule_table_count; i++) {
    const ew_rule_def *d = &ew_rule_table[i];
    if (!d->window)
      ((ew_rule_common *)((char *)&w->h.cfg + d->cfg_offset))->enabled = 0;
  }
  ew_record a2 = fx_agency(&w->h.a, FX_AG2, "临夏市卫生健康局", "622901");
  ew_record a3 = fx_agency(&w->h.a, FX_AG3, "临夏市消防救援大队", "622901");
  ew_record jb = fx_agency(&w->h.a, FX_JB, "临夏州司法局", "622900");
  if (h_apply(&w->h, &a2) || h_apply(&w->h, &a3) || h_apply(&w->h, &jb))
    return -1;
  *state = w;
  return 0;
}

static int teardown(void **state) {
  world *w = *state;
  h_close(&w->h);
  free(w);
  return 0;
}

static const char *next_event(world *w) {
  char buf[32];
  snprintf(buf, sizeof buf, "EV-%d", ++w->next_event);
  return ew_arena_strdup(&w->h.a, buf);
}

/* A STARTED routine check of FX_ENT by `agency` of `item` started at
 * `start`, recorded 10 minutes later. */
static ew_record insp(world *w, const char *id, const char *agency,
                      const char *item, ew_time start) {
  ew_record r = fx_inspection(&w->h.a, next_event(w), id, start + 10 * MINUTE);
  r.u.inspection.agency_uscc = ew_arena_strdup(&w->h.a, agency);
  r.u.inspection.check_items = fx_strv(&w->h.a, 1, item);
  r.u.inspection.started_at = start;
  return r;
}

/* The same inspection, CANCELLED a day later. */
static ew_record cancelled(world *w, ew_record r) {
  r.u.inspection.event_id = next_event(w);
  r.u.inspection.event_time += 24 * HOUR;
  r.u.inspection.status = EW_INSP_CANCELLED;
  return r;
}

static void apply(world *w, const ew_record *r) {
  h_must_apply(&w->h, r);
}

/* The n-th emitted alert of `rule` (any status), asserting its subject. */
static const ew_alert *alert_on(world *w, const char *rule, int nth,
                                const char *subject) {
  const ew_alert *a = h_find_nth(&w->h, rule, nth);
  assert_non_null(a);
  assert_string_equal(a->subject_id, subject);
  return a;
}

static ew_record grade(world *w, const char *uscc, int g);

static ew_time day(int y, int m, int d) {
  return fx_day(y, m, d) + 9 * HOUR; /* 09:00 */
}

/* =============================================================== R19a */

static void test_r19a_second_check_within_window(void **state) {
  world *w = *state;
  ew_record r1 = insp(w, "INS-1", FX_AG1, "C13-01", day(2025, 3, 1));
  apply(w, &r1);
  assert_int_equal(w->h.n, 0);
  /* 30 days less a minute later: inside the window. */
  ew_record r2 = insp(w, "INS-2", FX_AG1, "C14-01", day(2025, 3, 31) - MINUTE);
  apply(w, &r2);
  assert_int_equal(w->h.n, 1);
  const ew_alert *a = alert_on(w, "R19a", 0, "INS-2");
  assert_int_equal(a->severity, EW_SEV_MEDIUM);
  assert_int_equal(a->status, EW_AST_OPEN);
  assert_string_equal(h_fact(a, "inspections"), "2");
  assert_string_equal(h_fact(a, "maximum"), "1");
  assert_string_equal(h_fact(a, "window_days"), "30");
  assert_string_equal(h_fact(a, "earlier"), "INS-1");
  assert_string_equal(h_fact(a, "first_at"), ""); /* no times: see r19 */
  assert_string_equal(a->legal_basis, "临州办发〔2023〕18号 ¶11");
  assert_non_null(strstr(a->message, "30日内"));
  assert_non_null(strstr(a->message, "1次"));
  assert_non_null(strstr(a->message, "INS-1"));
  /* Evidence: its own event and the earlier check's. */
  assert_int_equal(a->evidence_event_ids.n, 2);
  assert_string_equal(a->evidence_event_ids.v[1], r1.u.inspection.event_id);
}

static void test_r19a_just_outside_window_near_miss(void **state) {
  world *w = *state;
  ew_record r1 = insp(w, "INS-1", FX_AG1, "C13-01", day(2025, 3, 1));
  apply(w, &r1);
  ew_record r2 = insp(w, "INS-2", FX_AG1, "C14-01", day(2025, 3, 31));
  apply(w, &r2); /* exactly 30 x 24 h later */
  assert_int_equal(w->h.n, 0);
}

static void test_r19a_first_check_and_case_checks_near_miss(void **state) {
  world *w = *state;
  /* A complaint-driven check (个案) and a CASE-class check do not count. */
  ew_record r1 = insp(w, "INS-1", FX_AG1, "C13-01", day(2025, 3, 1));
  r1.u.inspection.trigger_type = EW_TRIG_COMPLAINT;
  apply(w, &r1);
  ew_record r2 = insp(w, "INS-2", FX_AG1, "C14-01", day(2025, 3, 5));
  r2.u.inspection.check_class = EW_CLASS_CASE;
  apply(w, &r2);
  ew_record r3 = insp(w, "INS-3", FX_AG1, "C15-01", day(2025, 3, 10));
  apply(w, &r3);
  assert_int_equal(w->h.n, 0);
  /* Nor does a later complaint check count as the later one. */
  ew_record r4 = insp(w, "INS-4", FX_AG1, "C16-01", day(2025, 3, 12));
  r4.u.inspection.trigger_type = EW_TRIG_ENTERPRISE_REQUEST;
  apply(w, &r4);
  assert_int_equal(w->h.n, 0);
}

static void test_r19a_other_enterprise_near_miss(void **state) {
  world *w = *state;
  ew_record r1 = insp(w, "INS-1", FX_AG1, "C13-01", day(2025, 3, 1));
  apply(w, &r1);
  ew_record r2 = insp(w, "INS-2", FX_AG1, "C14-01", day(2025, 3, 2));
  r2.u.inspection.enterprise_uscc = FX_ENT2;
  apply(w, &r2);
  assert_int_equal(w->h.n, 0);
}

static void test_r19a_late_earlier_check(void **state) {
  world *w = *state;
  /* The later check arrives first: nothing before it yet. */
  ew_record r2 = insp(w, "INS-2", FX_AG1, "C14-01", day(2025, 3, 20));
  apply(w, &r2);
  assert_int_equal(w->h.n, 0);
  /* The earlier one arrives: it is not over any limit itself, the later
   * one is judged again and gets the alert. */
  ew_record r1 = insp(w, "INS-1", FX_AG1, "C13-01", day(2025, 3, 1));
  apply(w, &r1);
  assert_int_equal(w->h.n, 1);
  const ew_alert *a = alert_on(w, "R19a", 0, "INS-2");
  assert_int_equal(a->status, EW_AST_OPEN);
  assert_string_equal(h_fact(a, "earlier"), "INS-1");
  /* detected_at: the judged snapshot's event time, not the late one's. */
  assert_true(a->detected_at == r2.u.inspection.event_time);
}

static void test_r19a_cancelled_earlier_withdraws(void **state) {
  world *w = *state;
  ew_record r1 = insp(w, "INS-1", FX_AG1, "C13-01", day(2025, 3, 1));
  apply(w, &r1);
  ew_record r2 = insp(w, "INS-2", FX_AG1, "C14-01", day(2025, 3, 10));
  apply(w, &r2);
  assert_int_equal(h_count(&w->h, "R19a"), 1);
  ew_record c1 = cancelled(w, r1);
  apply(w, &c1);
  assert_int_equal(w->h.n, 1);
  const ew_alert *a = alert_on(w, "R19a", 0, "INS-2");
  assert_int_equal(a->status, EW_AST_WITHDRAWN);
}

static void test_r19a_same_time_ties_by_id(void **state) {
  world *w = *state;
  ew_record rb = insp(w, "INS-B", FX_AG1, "C14-01", day(2025, 3, 1));
  apply(w, &rb);
  assert_int_equal(w->h.n, 0);
  ew_record ra = insp(w, "INS-A", FX_AG1, "C13-01", day(2025, 3, 1));
  apply(w, &ra); /* same time, sorts first: INS-B is the later one */
  assert_int_equal(w->h.n, 1);
  alert_on(w, "R19a", 0, "INS-B");
}

static void test_r19a_every_later_check_fires(void **state) {
  world *w = *state;
  ew_record r1 = insp(w, "INS-1", FX_AG1, "C13-01", day(2025, 3, 1));
  ew_record r2 = insp(w, "INS-2", FX_AG1, "C14-01", day(2025, 3, 10));
  ew_record r3 = insp(w, "INS-3", FX_AG1, "C15-01", day(2025, 3, 20));
  apply(w, &r1);
  apply(w, &r2);
  apply(w, &r3);
  const ew_alert *a = alert_on(w, "R19a", 0, "INS-3");
  assert_string_equal(h_fact(a, "inspections"), "3");
  assert_string_equal(h_fact(a, "earlier"), "INS-1,INS-2");
  assert_non_null(strstr(a->message, "2次"));
  /* R19d: a third routine check in the year. */
  alert_on(w, "R19d", 0, "INS-3");
  assert_int_equal(w->h.n, 2);
}

/* The same inspection ENDED two hours after it started: its `at` moves. */
static ew_record ended(world *w, ew_record r) {
  r.u.inspection.event_id = next_event(w);
  r.u.inspection.status = EW_INSP_ENDED;
  r.u.inspection.ended_at = r.u.inspection.started_at + 2 * HOUR;
  r.u.inspection.event_time = r.u.inspection.ended_at + 10 * MINUTE;
  return r;
}

static void test_r19a_ending_checks_change_nothing(void **state) {
  world *w = *state;
  ew_record g = grade(w, FX_ENT, EW_GRADE_B); /* R18a too */
  apply(w, &g);
  ew_record r1 = insp(w, "INS-1", FX_AG1, "C13-01", day(2025, 3, 1));
  ew_record r2 = insp(w, "INS-2", FX_AG1, "C14-01", day(2025, 3, 10));
  apply(w, &r1);
  apply(w, &r2);
  assert_int_equal(h_count(&w->h, "R19a"), 1);
  assert_int_equal(h_count(&w->h, "R18a"), 1);
  /* Each check ends: the findings are the same, nothing is emitted. */
  ew_record e1 = ended(w, r1);
  apply(w, &e1);
  assert_int_equal(w->h.n, 0);
  ew_record e2 = ended(w, r2);
  apply(w, &e2);
  assert_int_equal(w->h.n, 0);
}

/* =============================================================== R19b */

static void test_r19b_same_item_within_year(void **state) {
  world *w = *state;
  ew_record r1 = insp(w, "INS-1", FX_AG1, "C13-01", day(2025, 1, 10));
  apply(w, &r1);
  ew_record r2 = insp(w, "INS-2", FX_AG1, "C13-01", day(2025, 8, 1));
  r2.u.inspection.check_items = fx_strv(&w->h.a, 2, "C14-01", "C13-01");
  apply(w, &r2);
  assert_int_equal(w->h.n, 1); /* 200 days apart: no R19a */
  const ew_alert *a = alert_on(w, "R19b", 0, "INS-2");
  assert_int_equal(a->severity, EW_SEV_HIGH);
  assert_string_equal(h_fact(a, "items"), "C13-01");
  assert_string_equal(h_fact(a, "inspections"), "2");
  assert_string_equal(h_fact(a, "window_days"), "365");
  assert_string_equal(h_fact(a, "earlier"), "INS-1");
  assert_non_null(strstr(a->message, "C13-01"));
  assert_non_null(strstr(a->message, "365日内"));
}

static void test_r19b_near_misses(void **state) {
  world *w = *state;
  ew_record r1 = insp(w, "INS-1", FX_AG1, "C13-01", day(2024, 6, 1));
  apply(w, &r1);
  /* Exactly 365 days later: outside. */
  ew_record r2 = insp(w, "INS-2", FX_AG1, "C13-01", day(2025, 6, 1));
  apply(w, &r2);
  assert_int_equal(w->h.n, 0);
  /* Another item within the year: not the same item. */
  ew_record r3 = insp(w, "INS-3", FX_AG1, "C14-01", day(2025, 9, 1));
  apply(w, &r3);
  assert_int_equal(w->h.n, 0);
  /* The same item by another agency: R19b is per agency. */
  ew_record r4 = insp(w, "INS-4", FX_AG2, "C14-01", day(2025, 12, 1));
  apply(w, &r4);
  assert_int_equal(h_count(&w->h, "R19b"), 0);
}

static void test_r19b_late_earlier_and_withdrawal(void **state) {
  world *w = *state;
  ew_record r2 = insp(w, "INS-2", FX_AG1, "C13-01", day(2025, 8, 1));
  apply(w, &r2);
  assert_int_equal(w->h.n, 0);
  ew_record r1 = insp(w, "INS-1", FX_AG1, "C13-01", day(2025, 2, 1));
  apply(w, &r1);
  assert_int_equal(w->h.n, 1);
  assert_int_equal(alert_on(w, "R19b", 0, "INS-2")->status, EW_AST_OPEN);
  ew_record c1 = cancelled(w, r1);
  apply(w, &c1);
  assert_int_equal(w->h.n, 1);
  assert_int_equal(alert_on(w, "R19b", 0, "INS-2")->status, EW_AST_WITHDRAWN);
}

/* =============================================================== R19c */

static void test_r19c_two_agencies_within_window(void **state) {
  world *w = *state;
  ew_record r1 = insp(w, "INS-1", FX_AG1, "C13-01", day(2025, 3, 1));
  apply(w, &r1);
  /* 15 days less a minute later. */
  ew_record r2 = insp(w, "INS-2", FX_AG2, "W01", day(2025, 3, 16) - MINUTE);
  apply(w, &r2);
  assert_int_equal(w->h.n, 1);
  const ew_alert *a = alert_on(w, "R19c", 0, "INS-2");
  assert_int_equal(a->severity, EW_SEV_MEDIUM);
  assert_string_equal(a->agency_uscc, FX_AG2);
  assert_string_equal(h_fact(a, "agencies"), "2");
  assert_string_equal(h_fact(a, "minimum"), "2");
  assert_string_equal(h_fact(a, "window_days"), "15");
  assert_string_equal(h_fact(a, "other_agencies"), FX_AG1);
  assert_string_equal(h_fact(a, "earlier"), "INS-1");
  assert_non_null(strstr(a->message, "临夏州市场监督管理局"));
  assert_non_null(strstr(a->message, "15日内"));
  /* One notice to each agency. */
  assert_int_equal(w->h.nn, 2);
  assert_string_equal(w->h.notices[0].recipient_agency_uscc, FX_AG2);
  assert_string_equal(w->h.notices[1].recipient_agency_uscc, FX_AG1);

  /* A third agency checks in between: its own alert names the one before
   * it, and INS-2, judged again, now counts three agencies. */
  ew_record r3 = insp(w, "INS-3", FX_AG3, "X01", day(2025, 3, 10));
  apply(w, &r3);
  assert_int_equal(w->h.n, 2);
  a = alert_on(w, "R19c", 0, "INS-3");
  assert_string_equal(h_fact(a, "agencies"), "2");
  assert_string_equal(h_fact(a, "other_agencies"), FX_AG1);
  a = alert_on(w, "R19c", 1, "INS-2");
  assert_int_equal(a->status, EW_AST_OPEN);
  assert_string_equal(h_fact(a, "agencies"), "3");
  assert_string_equal(h_fact(a, "other_agencies"), FX_AG1 "," FX_AG3);
  assert_string_equal(h_fact(a, "earlier"), "INS-1,INS-3");
}

static void test_r19c_just_outside_window_near_miss(void **state) {
  world *w = *state;
  ew_record r1 = insp(w, "INS-1", FX_AG1, "C13-01", day(2025, 3, 1));
  apply(w, &r1);
  /* Exactly 15 days later: outside. */
  ew_record r2 = insp(w, "INS-2", FX_AG2, "W01", day(2025, 3, 16));
  apply(w, &r2);
  assert_int_equal(w->h.n, 0);
}

static void test_r19c_same_agency_again_near_miss(void **state) {
  world *w = *state;
  ew_record r1 = insp(w, "INS-1", FX_AG1, "C13-01", day(2025, 3, 1));
  ew_record r2 = insp(w, "INS-2", FX_AG2, "W01", day(2025, 3, 3));
  apply(w, &r1);
  apply(w, &r2);
  alert_on(w, "R19c", 0, "INS-2");
  /* FX_AG1 again: it was told by INS-2's alert; its repeat is R19a's. */
  ew_record r3 = insp(w, "INS-3", FX_AG1, "C14-01", day(2025, 3, 5));
  apply(w, &r3);
  assert_int_equal(w->h.n, 1);
  alert_on(w, "R19a", 0, "INS-3");
}

static void test_r19c_shared_joint_plan_near_miss(void **state) {
  world *w = *state;
  ew_record r1 = insp(w, "INS-1", FX_AG1, "C13-01", day(2025, 3, 1));
  r1.u.inspection.joint_plan_id = "JP-1";
  apply(w, &r1);
  ew_record r2 = insp(w, "INS-2", FX_AG2, "W01", day(2025, 3, 1) + HOUR);
  r2.u.inspection.joint_plan_id = "JP-1";
  apply(w, &r2);
  assert_int_equal(w->h.n, 0);
  /* Another joint plan is not shared. */
  ew_record r3 = insp(w, "INS-3", FX_AG3, "X01", day(2025, 3, 2));
  r3.u.inspection.joint_plan_id = "JP-2";
  apply(w, &r3);
  const ew_alert *a = alert_on(w, "R19c", 0, "INS-3");
  assert_string_equal(h_fact(a, "other_agencies"), FX_AG1 "," FX_AG2);
}

static void test_r19c_own_joint_check_counts_as_joined(void **state) {
  world *w = *state;
  ew_record r1 = insp(w, "INS-1", FX_AG1, "C13-01", day(2025, 3, 1));
  r1.u.inspection.joint_plan_id = "JP-1";
  ew_record r2 = insp(w, "INS-2", FX_AG2, "W01", day(2025, 3, 3));
  apply(w, &r1);
  apply(w, &r2);
  alert_on(w, "R19c", 0, "INS-2"); /* JP-1 is not INS-2's */
  /* FX_AG1 again under JP-1: its own earlier check is under the same plan,
   * but FX_AG1 was in the cluster already and was named by INS-2's. */
  ew_record r3 = insp(w, "INS-3", FX_AG1, "C14-01", day(2025, 3, 5));
  r3.u.inspection.joint_plan_id = "JP-1";
  apply(w, &r3);
  assert_int_equal(h_count(&w->h, "R19c"), 0);
}

static void test_r19c_late_and_cancelled(void **state) {
  world *w = *state;
  ew_record r2 = insp(w, "INS-2", FX_AG2, "W01", day(2025, 3, 10));
  apply(w, &r2);
  assert_int_equal(w->h.n, 0);
  ew_record r1 = insp(w, "INS-1", FX_AG1, "C13-01", day(2025, 3, 5));
  apply(w, &r1);
  assert_int_equal(h_count(&w->h, "R19c"), 1);
  alert_on(w, "R19c", 0, "INS-2");
  ew_record c1 = cancelled(w, r1);
  apply(w, &c1);
  assert_int_equal(w->h.n, 1);
  assert_int_equal(alert_on(w, "R19c", 0, "INS-2")->status, EW_AST_WITHDRAWN);
}

/* =============================================================== R19d */

static void test_r19d_third_check_in_year(void **state) {
  world *w = *state;
  /* 07:00 on New Year's Day in Shanghai is still 2024 in UTC: 2025's. */
  ew_record r1 =
      insp(w, "INS-1", FX_AG1, "C13-01", fx_day(2025, 1, 1) + 7 * HOUR);
  ew_record r2 = insp(w, "INS-2", FX_AG1, "C14-01", day(2025, 4, 1));
  ew_record r3 = insp(w, "INS-3", FX_AG1, "C15-01", day(2025, 8, 1));
  apply(w, &r1);
  apply(w, &r2);
  assert_int_equal(w->h.n, 0);
  apply(w, &r3);
  assert_int_equal(w->h.n, 1);
  const ew_alert *a = alert_on(w, "R19d", 0, "INS-3");
  assert_int_equal(a->severity, EW_SEV_MEDIUM);
  assert_string_equal(h_fact(a, "inspections"), "3");
  assert_string_equal(h_fact(a, "maximum"), "2");
  assert_string_equal(h_fact(a, "year"), "2025");
  assert_string_equal(h_fact(a, "earlier"), "INS-1,INS-2");
  assert_string_equal(a->legal_basis,
                      "临州办发〔2023〕18号 ¶11；国办发〔2024〕54号");
  assert_non_null(strstr(a->message, "2025年度"));
  assert_non_null(strstr(a->message, "第3次"));
}

static void test_r19d_previous_year_near_miss(void **state) {
  world *w = *state;
  /* 23:59 on New Year's Eve in Shanghai: last year's. */
  ew_record r1 =
      insp(w, "INS-1", FX_AG1, "C13-01", fx_day(2025, 1, 1) - MINUTE);
  ew_record r2 = insp(w, "INS-2", FX_AG1, "C14-01", day(2025, 4, 1));
  ew_record r3 = insp(w, "INS-3", FX_AG1, "C15-01", day(2025, 8, 1));
  apply(w, &r1);
  apply(w, &r2);
  apply(w, &r3);
  assert_int_equal(w->h.n, 0);
  /* A complaint check in the year is not counted either. */
  ew_record r4 = insp(w, "INS-4", FX_AG1, "C16-01", day(2025, 10, 1));
  r4.u.inspection.trigger_type = EW_TRIG_COMPLAINT;
  apply(w, &r4);
  assert_int_equal(w->h.n, 0);
}

static void test_r19d_late_first_and_cancelled(void **state) {
  world *w = *state;
  ew_record r2 = insp(w, "INS-2", FX_AG1, "C14-01", day(2025, 4, 1));
  ew_record r3 = insp(w, "INS-3", FX_AG1, "C15-01", day(2025, 8, 1));
  apply(w, &r2);
  apply(w, &r3);
  assert_int_equal(w->h.n, 0);
  ew_record r1 = insp(w, "INS-1", FX_AG1, "C13-01", day(2025, 1, 10));
  apply(w, &r1);
  assert_int_equal(w->h.n, 1);
  alert_on(w, "R19d", 0, "INS-3");
  ew_record c2 = cancelled(w, r2);
  apply(w, &c2);
  assert_int_equal(w->h.n, 1);
  assert_int_equal(alert_on(w, "R19d", 0, "INS-3")->status, EW_AST_WITHDRAWN);
}

/* =============================================================== R18a */

static ew_record grade(world *w, const char *uscc, int g) {
  ew_record r;
  r.kind = EW_REC_CREDIT_GRADE;
  ew_rtype_init(ew_rtype_of(r.kind), &r.u);
  r.u.credit_grade.enterprise_uscc = ew_arena_strdup(&w->h.a, uscc);
  r.u.credit_grade.grade = g;
  r.u.credit_grade.as_of = fx_day(2025, 1, 1);
  return r;
}

static void test_r18a_grade_b_second_check(void **state) {
  world *w = *state;
  ew_record g = grade(w, FX_ENT, EW_GRADE_B);
  apply(w, &g);
  ew_record r1 = insp(w, "INS-1", FX_AG1, "C13-01", day(2024, 6, 11));
  ew_record r2 = insp(w, "INS-2", FX_AG1, "C14-01", day(2025, 6, 10));
  apply(w, &r1);
  assert_int_equal(w->h.n, 0);
  apply(w, &r2);
  assert_int_equal(w->h.n, 1);
  const ew_alert *a = alert_on(w, "R18a", 0, "INS-2");
  assert_int_equal(a->severity, EW_SEV_MEDIUM);
  assert_string_equal(h_fact(a, "credit_grade"), "B");
  assert_string_equal(h_fact(a, "inspections"), "2");
  assert_string_equal(h_fact(a, "maximum"), "1");
  assert_string_equal(h_fact(a, "months"), "12");
  assert_string_equal(h_fact(a, "earlier"), "INS-1");
  assert_string_equal(a->legal_basis, "临州办发〔2023〕18号 ¶10");
  assert_non_null(strstr(a->message, "12个月"));
  assert_non_null(strstr(a->message, "B类"));
}

static void test_r18a_period_run_out_near_miss(void **state) {
  world *w = *state;
  ew_record g = grade(w, FX_ENT, EW_GRADE_B);
  apply(w, &g);
  /* Exactly 12 months before: the period has run out. */
  ew_record r1 = insp(w, "INS-1", FX_AG1, "C13-01", day(2024, 6, 10));
  ew_record r2 = insp(w, "INS-2", FX_AG1, "C14-01", day(2025, 6, 10));
  apply(w, &r1);
  apply(w, &r2);
  assert_int_equal(w->h.n, 0);
}

static void test_r18a_grade_c_at_cap_near_miss(void **state) {
  world *w = *state;
  ew_record g = grade(w, FX_ENT, EW_GRADE_C);
  apply(w, &g);
  ew_record r1 = insp(w, "INS-1", FX_AG1, "C13-01", day(2024, 9, 1));
  ew_record r2 = insp(w, "INS-2", FX_AG1, "C14-01", day(2025, 3, 1));
  apply(w, &r1);
  apply(w, &r2);
  assert_int_equal(w->h.n, 0); /* 2 per 12 months: at the cap */
  ew_record r3 = insp(w, "INS-3", FX_AG1, "C15-01", day(2025, 6, 1));
  apply(w, &r3);
  const ew_alert *a = alert_on(w, "R18a", 0, "INS-3");
  assert_string_equal(h_fact(a, "credit_grade"), "C");
  assert_string_equal(h_fact(a, "inspections"), "3");
  assert_string_equal(h_fact(a, "maximum"), "2");
}

static void test_r18a_grade_a_24_months(void **state) {
  world *w = *state;
  ew_record g = grade(w, FX_ENT, EW_GRADE_A);
  apply(w, &g);
  ew_record r1 = insp(w, "INS-1", FX_AG1, "C13-01", day(2023, 7, 1));
  ew_record r2 = insp(w, "INS-2", FX_AG1, "C14-01", day(2025, 6, 1));
  apply(w, &r1);
  apply(w, &r2);
  const ew_alert *a = alert_on(w, "R18a", 0, "INS-2");
  assert_string_equal(h_fact(a, "months"), "24");
  assert_string_equal(h_fact(a, "earlier"), "INS-1");
}

static void test_r18a_no_grade_or_d_near_miss(void **state) {
  world *w = *state;
  ew_record r1 = insp(w, "INS-1", FX_AG1, "C13-01", day(2024, 9, 1));
  ew_record r2 = insp(w, "INS-2", FX_AG1, "C14-01", day(2025, 3, 1));
  apply(w, &r1);
  apply(w, &r2);
  assert_int_equal(w->h.n, 0); /* no grade on file */
  ew_record g = grade(w, FX_ENT, EW_GRADE_D);
  apply(w, &g);
  ew_record r3 = insp(w, "INS-3", FX_AG1, "C15-01", day(2025, 5, 1));
  apply(w, &r3);
  assert_int_equal(w->h.n, 0); /* D: no cap */
}

static void test_r18a_exempt_and_other_agency_near_miss(void **state) {
  world *w = *state;
  ew_record g = grade(w, FX_ENT, EW_GRADE_B);
  apply(w, &g);
  ew_record r1 = insp(w, "INS-1", FX_AG1, "C13-01", day(2024, 9, 1));
  r1.u.inspection.trigger_type = EW_TRIG_LICENSING_VERIFICATION;
  ew_record r2 = insp(w, "INS-2", FX_AG2, "W01", day(2024, 10, 1));
  ew_record r3 = insp(w, "INS-3", FX_AG1, "C14-01", day(2025, 3, 1));
  apply(w, &r1);
  apply(w, &r2);
  apply(w, &r3);
  assert_int_equal(w->h.n, 0);
}

static void test_r18a_month_end_clamped(void **state) {
  world *w = *state;
  w->h.cfg.r18a.months_b = 1;
  ew_record g = grade(w, FX_ENT, EW_GRADE_B);
  apply(w, &g);
  /* One month before 31 March is 28 February (not 3 March): the check of
   * 1 March is within the month, the one of 28 February at the same time
   * of day is not. */
  ew_record r1 = insp(w, "INS-1", FX_AG1, "C13-01", day(2025, 2, 28));
  ew_record r2 = insp(w, "INS-2", FX_AG1, "C14-01", day(2025, 3, 1) + HOUR);
  ew_record r3 = insp(w, "INS-3", FX_AG1, "C15-01", day(2025, 3, 31));
  apply(w, &r1);
  apply(w, &r2);
  apply(w, &r3);
  const ew_alert *a = alert_on(w, "R18a", 0, "INS-3");
  assert_string_equal(h_fact(a, "earlier"), "INS-2");
  assert_string_equal(h_fact(a, "months"), "1");
}

static void test_r18a_late_earlier_and_cancelled(void **state) {
  world *w = *state;
  ew_record g = grade(w, FX_ENT, EW_GRADE_B);
  apply(w, &g);
  ew_record r2 = insp(w, "INS-2", FX_AG1, "C14-01", day(2025, 6, 1));
  apply(w, &r2);
  assert_int_equal(w->h.n, 0);
  ew_record r1 = insp(w, "INS-1", FX_AG1, "C13-01", day(2025, 1, 5));
  apply(w, &r1);
  assert_int_equal(w->h.n, 1);
  alert_on(w, "R18a", 0, "INS-2");
  ew_record c1 = cancelled(w, r1);
  apply(w, &c1);
  assert_int_equal(w->h.n, 1);
  assert_int_equal(alert_on(w, "R18a", 0, "INS-2")->status, EW_AST_WITHDRAWN);
}

/* =============================================================== R14b */

/* A decision of FX_AG1 ordering enterprise number `ent` of industry C1311
 * to suspend business, decided at `t`. */
static ew_record closure(world *w, const char *no, int ent, ew_time t) {
  char uscc[32];
  snprintf(uscc, sizeof uscc, "91622901MA7%07d", ent);
  ew_record r = fx_penalty(&w->h.a, next_event(w), no, t + HOUR);
  ew_penalty *p = &r.u.penalty;
  p->enterprise_uscc = ew_arena_strdup(&w->h.a, uscc);
  p->industry_code = ew_arena_strdup(&w->h.a, "C1311");
  p->decided_at = t;
  p->penalty_types.v = ew_arena_calloc(&w->h.a, 2, sizeof *p->penalty_types.v);
  p->penalty_types.v[0] = EW_PT_FINE;
  p->penalty_types.v[1] = EW_PT_ORDER_SUSPEND_BUSINESS;
  p->penalty_types.n = 2;
  return r;
}

static const char *dno(world *w, int i) {
  char buf[32];
  snprintf(buf, sizeof buf, "D-%02d", i);
  return ew_arena_strdup(&w->h.a, buf);
}

/* Decisions D-01..D-<n> on enterprises 1..n, twelve hours apart from
 * 2025-03-01 09:00 (ten of them span 4.5 days). */
static void closures(world *w, int n) {
  for (int i = 1; i <= n; i++) {
    ew_record r =
        closure(w, dno(w, i), i, day(2025, 3, 1) + (i - 1) * 12 * HOUR);
    apply(w, &r);
  }
}

static void test_r14b_tenth_enterprise_crosses(void **state) {
  world *w = *state;
  closures(w, 9);
  assert_int_equal(w->h.n, 0);
  ew_record r = closure(w, "D-10", 10, day(2025, 3, 5) + 12 * HOUR);
  apply(w, &r);
  assert_int_equal(w->h.n, 1);
  const ew_alert *a = alert_on(w, "R14b", 0, "D-10");
  assert_int_equal(a->severity, EW_SEV_MEDIUM);
  assert_string_equal(h_fact(a, "penalty_type"), "ORDER_SUSPEND_BUSINESS");
  assert_string_equal(h_fact(a, "industry_code"), "C1311");
  assert_string_equal(h_fact(a, "enterprises"), "10");
  assert_string_equal(h_fact(a, "minimum"), "10");
  assert_string_equal(h_fact(a, "window_days"), "7");
  assert_string_equal(h_fact(a, "first_decided_at"),
                      "2025-03-01T09:00:00+08:00");
  assert_string_equal(a->legal_basis, "临州办发〔2023〕18号 ¶7");
  assert_non_null(strstr(a->message, "7日内"));
  assert_non_null(strstr(a->message, "9家"));
  assert_non_null(strstr(a->message, "责令停产停业"));
  assert_int_equal(a->evidence_event_ids.n, 10);
  /* A notice to the agency. */
  assert_int_equal(w->h.nn, 1);
  assert_string_equal(w->h.notices[0].recipient_agency_uscc, FX_AG1);
  /* The eleventh of the same burst: the limit was crossed already. */
  ew_record r11 = closure(w, "D-11", 11, day(2025, 3, 6));
  apply(w, &r11);
  assert_int_equal(w->h.n, 0);
}

static void test_r14b_near_misses(void **state) {
  world *w = *state;
  closures(w, 9);
  /* The tenth decision is on an enterprise already counted. */
  ew_record r = closure(w, "D-10", 3, day(2025, 3, 5) + 12 * HOUR);
  apply(w, &r);
  assert_int_equal(w->h.n, 0);
  /* Another industry. */
  r = closure(w, "D-11", 11, day(2025, 3, 5) + 13 * HOUR);
  r.u.penalty.industry_code = "C1320";
  apply(w, &r);
  assert_int_equal(w->h.n, 0);
  /* A fine only: no heavy type. */
  r = closure(w, "D-12", 12, day(2025, 3, 5) + 14 * HOUR);
  r.u.penalty.penalty_types.n = 1;
  apply(w, &r);
  assert_int_equal(w->h.n, 0);
  /* Another agency. */
  r = closure(w, "D-13", 13, day(2025, 3, 5) + 15 * HOUR);
  r.u.penalty.agency_uscc = FX_AG2;
  apply(w, &r);
  assert_int_equal(w->h.n, 0);
}

static void test_r14b_just_outside_window_near_miss(void **state) {
  world *w = *state;
  closures(w, 9);
  /* Exactly 7 days after D-01: D-01 is outside, nine remain. */
  ew_record r = closure(w, "D-10", 10, day(2025, 3, 8));
  apply(w, &r);
  assert_int_equal(w->h.n, 0);
}

static void test_r14b_special_campaign_near_miss(void **state) {
  world *w = *state;
  ew_record p = fx_plan(&w->h.a, "SC-1", FX_AG1);
  p.u.plan.plan_type = EW_PLAN_SPECIAL_CAMPAIGN;
  ew_plan_item *it = fx_plan_item(&w->h.a, &p.u.plan, "SC-1-01", "C13-01",
                                  fx_day(2025, 3, 1), fx_day(2025, 3, 31));
  it->target_industries = fx_strv(&w->h.a, 1, "C13"); /* covers C1311 */
  apply(w, &p);
  closures(w, 10);
  assert_int_equal(h_count(&w->h, "R14b"), 0);
}

static void test_r14b_campaign_not_covering(void **state) {
  world *w = *state;
  /* A DRAFT campaign, a filed one for another industry, and a filed one
   * whose window ended: none covers. */
  ew_record p1 = fx_plan(&w->h.a, "SC-1", FX_AG1);
  p1.u.plan.plan_type = EW_PLAN_SPECIAL_CAMPAIGN;
  p1.u.plan.status = EW_PST_DRAFT;
  fx_plan_item(&w->h.a, &p1.u.plan, "SC-1-01", "C13-01", fx_day(2025, 3, 1),
               fx_day(2025, 3, 31));
  ew_record p2 = fx_plan(&w->h.a, "SC-2", FX_AG1);
  p2.u.plan.plan_type = EW_PLAN_SPECIAL_CAMPAIGN;
  ew_plan_item *it = fx_plan_item(&w->h.a, &p2.u.plan, "SC-2-01", "C13-01",
                                  fx_day(2025, 3, 1), fx_day(2025, 3, 31));
  it->target_industries = fx_strv(&w->h.a, 1, "H62");
  ew_record p3 = fx_plan(&w->h.a, "SC-3", FX_AG1);
  p3.u.plan.plan_type = EW_PLAN_SPECIAL_CAMPAIGN;
  fx_plan_item(&w->h.a, &p3.u.plan, "SC-3-01", "C13-01", fx_day(2025, 2, 1),
               fx_day(2025, 2, 28));
  apply(w, &p1);
  apply(w, &p2);
  apply(w, &p3);
  closures(w, 10);
  alert_on(w, "R14b", 0, "D-10");
}

static void test_r14b_late_earliest_decision(void **state) {
  world *w = *state;
  /* D-02..D-10 arrive first: nine enterprises. */
  for (int i = 2; i <= 10; i++) {
    ew_record r =
        closure(w, dno(w, i), i, day(2025, 3, 1) + (i - 1) * 12 * HOUR);
    apply(w, &r);
  }
  assert_int_equal(h_count(&w->h, "R14b"), 0);
  /* D-01, the earliest, arrives last: D-10 crossed the limit. */
  ew_record r1 = closure(w, "D-01", 1, day(2025, 3, 1));
  apply(w, &r1);
  assert_int_equal(w->h.n, 1);
  const ew_alert *a = alert_on(w, "R14b", 0, "D-10");
  assert_int_equal(a->status, EW_AST_OPEN);
  assert_string_equal(h_fact(a, "first_decided_at"),
                      "2025-03-01T09:00:00+08:00");
}

static void test_r14b_withdrawn_decision_withdraws(void **state) {
  world *w = *state;
  closures(w, 10);
  ew_record r = closure(w, "D-11", 11, day(2025, 3, 6) + 12 * HOUR);
  apply(w, &r);
  assert_int_equal(w->h.n, 0);
  /* D-03 is withdrawn: D-10 no longer crosses, D-11 does now. */
  ew_record d3 = closure(w, "D-03", 3, day(2025, 3, 2));
  d3.u.penalty.event_time = day(2025, 3, 10);
  d3.u.penalty.withdrawn_at = day(2025, 3, 10);
  apply(w, &d3);
  assert_int_equal(w->h.n, 2);
  const ew_alert *a = alert_on(w, "R14b", 0, "D-10");
  assert_int_equal(a->status, EW_AST_WITHDRAWN);
  a = alert_on(w, "R14b", 1, "D-11");
  assert_int_equal(a->status, EW_AST_OPEN);
  assert_string_equal(h_fact(a, "enterprises"), "10");
  assert_string_equal(h_fact(a, "first_decided_at"),
                      "2025-03-01T09:00:00+08:00");
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_r19a_second_check_within_window),
      T(test_r19a_just_outside_window_near_miss),
      T(test_r19a_first_check_and_case_checks_near_miss),
      T(test_r19a_other_enterprise_near_miss),
      T(test_r19a_late_earlier_check),
      T(test_r19a_cancelled_earlier_withdraws),
      T(test_r19a_same_time_ties_by_id),
      T(test_r19a_every_later_check_fires),
      T(test_r19a_ending_checks_change_nothing),
      T(test_r19b_same_item_within_year),
      T(test_r19b_near_misses),
      T(test_r19b_late_earlier_and_withdrawal),
      T(test_r19c_two_agencies_within_window),
      T(test_r19c_just_outside_window_near_miss),
      T(test_r19c_same_agency_again_near_miss),
      T(test_r19c_shared_joint_plan_near_miss),
      T(test_r19c_own_joint_check_counts_as_joined),
      T(test_r19c_late_and_cancelled),
      T(test_r19d_third_check_in_year),
      T(test_r19d_previous_year_near_miss),
      T(test_r19d_late_first_and_cancelled),
      T(test_r18a_grade_b_second_check),
      T(test_r18a_period_run_out_near_miss),
      T(test_r18a_grade_c_at_cap_near_miss),
      T(test_r18a_grade_a_24_months),
      T(test_r18a_no_grade_or_d_near_miss),
      T(test_r18a_exempt_and_other_agency_near_miss),
      T(test_r18a_month_end_clamped),
      T(test_r18a_late_earlier_and_cancelled),
      T(test_r14b_tenth_enterprise_crosses),
      T(test_r14b_near_misses),
      T(test_r14b_just_outside_window_near_miss),
      T(test_r14b_special_campaign_near_miss),
      T(test_r14b_campaign_not_covering),
      T(test_r14b_late_earliest_decision),
      T(test_r14b_withdrawn_decision_withdraws),
  };
#undef T
  return cmocka_run_group_tests(tests, NULL, NULL);
}
