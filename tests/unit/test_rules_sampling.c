/*
 * test_rules_sampling.c - R16a, R16b and R16d (双随机、一公开) through the
 * engine: for each rule id the cases that fire (severity and key facts
 * asserted) and the near misses that must not.
 *
 * Every test starts from a world in which a random check is clean: agency
 * FX_AG1 registered, officers O1/O2/O3 with valid certificates C1/C2/C3 of
 * FX_AG1, a FILED 2025 plan P1 with item C13-01 for March, and a random task
 * T1 of FX_AG1 for C13-01 that drew FX_ENT (out of 100) and officers O1/O2.
 * A test changes one thing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "engine_harness.h"

typedef struct world {
  harness h;
  int next_event;
} world;

/* T1's shape with `n` enterprises (FX_ENT first, then fillers) drawn from
 * `population` (EW_NONE: not given). */
static ew_record task(world *w, const char *task_id, size_t n,
                      int64_t population) {
  ew_arena *a = &w->h.a;
  ew_record t = fx_random_task(a, task_id, FX_AG1, "C13-01");
  t.u.random_task.officers = fx_strv(a, 2, "O1", "O2");
  t.u.random_task.population_size = population;
  t.u.random_task.enterprises.v =
      ew_arena_calloc(a, n ? n : 1, sizeof *t.u.random_task.enterprises.v);
  t.u.random_task.enterprises.n = n;
  for (size_t i = 0; i < n; i++) {
    char buf[32];
    snprintf(buf, sizeof buf, "91622901MA7%07zu", i);
    t.u.random_task.enterprises.v[i] =
        ew_arena_strdup(a, i == 0 ? FX_ENT : buf);
  }
  return t;
}

static ew_record sampling_item(world *w, const char *code, const char *agency,
                               int special) {
  ew_record r;
  r.kind = EW_REC_SAMPLING_ITEM;
  ew_rtype_init(ew_rtype_of(r.kind), &r.u);
  r.u.sampling_item.item_code = ew_arena_strdup(&w->h.a, code);
  r.u.sampling_item.agency_uscc = ew_arena_strdup(&w->h.a, agency);
  r.u.sampling_item.special_sector = (int8_t)special;
  return r;
}

static int setup(void **state) {
  world *w = calloc(1, sizeof *w);
  if (!w || h_open(&w->h, ":memory:") != 0)
    return -1;
  ew_arena *a = &w->h.a;
  ew_record c1 = fx_cert(a, "C1", "O1", FX_AG1);
  ew_record c2 = fx_cert(a, "C2", "O2", FX_AG1);
  ew_record c3 = fx_cert(a, "C3", "O3", FX_AG1);
  ew_record p = fx_plan(a, "P1", FX_AG1);
  fx_plan_item(a, &p.u.plan, "I1", "C13-01", fx_day(2025, 3, 1),
               fx_day(2025, 3, 31));
  ew_record t = task(w, "T1", 1, 100);
  if (h_apply(&w->h, &c1) || h_apply(&w->h, &c2) || h_apply(&w->h, &c3) ||
      h_apply(&w->h, &p) || h_apply(&w->h, &t))
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

/* The base inspection (ANNUAL_PLAN under P1, officers O1 and O2), with a
 * fresh event id. */
static ew_record base(world *w, const char *inspection_id) {
  char eid[32];
  snprintf(eid, sizeof eid, "ev-%d", ++w->next_event);
  ew_record r = fx_inspection(&w->h.a, eid, inspection_id, fx_t(w->next_event));
  fx_officer(&w->h.a, r.u.inspection.officers, "O1", "C1", 1);
  fx_officer(&w->h.a, r.u.inspection.officers, "O2", "C2", 1);
  return r;
}

/* The base inspection as a random check under T1. */
static ew_record random_check(world *w, const char *inspection_id) {
  ew_record r = base(w, inspection_id);
  r.u.inspection.trigger_type = EW_TRIG_RANDOM_SAMPLING;
  r.u.inspection.random_task_id = ew_arena_strdup(&w->h.a, "T1");
  return r;
}

/* ---- R16a ---- */

static void test_r16a_clean_random_check_is_silent(void **state) {
  world *w = *state;
  ew_record r = random_check(w, "INS-1");
  h_must_apply(&w->h, &r);
  assert_int_equal(w->h.n, 0);
}

static void test_r16a_enterprise_not_drawn(void **state) {
  world *w = *state;
  ew_record r = random_check(w, "INS-1");
  r.u.inspection.enterprise_uscc = FX_ENT2;
  h_must_apply(&w->h, &r);
  assert_int_equal(w->h.n, 1);
  const ew_alert *a = h_find(&w->h, "R16a");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_HIGH);
  assert_int_equal(a->status, EW_AST_OPEN);
  assert_int_equal(a->subject_type, EW_SUBJ_INSPECTION);
  assert_string_equal(a->subject_id, "INS-1");
  assert_string_equal(h_fact(a, "random_task_id"), "T1");
  assert_string_equal(h_fact(a, "enterprise_in_draw"), "false");
  assert_string_equal(h_fact(a, "drawn_enterprises"), "1");
  assert_string_equal(h_fact(a, "drawn_officers"), "2");
  assert_string_equal(h_fact(a, "officers_not_in_draw"), "");
  assert_string_equal(a->legal_basis, "临州办发〔2023〕18号 ¶8");
  assert_non_null(strstr(a->message, "临夏州市场监督管理局"));
  assert_non_null(strstr(a->message, FX_ENT2));
  assert_non_null(strstr(a->message, "不在抽查任务T1"));
}

static void test_r16a_officer_not_drawn(void **state) {
  world *w = *state;
  ew_record r = random_check(w, "INS-1");
  fx_officer(&w->h.a, r.u.inspection.officers, "O3", "C3", 1);
  fx_officer(&w->h.a, r.u.inspection.officers, "O3", "C3", 1);
  h_must_apply(&w->h, &r);
  assert_int_equal(w->h.n, 1);
  const ew_alert *a = h_find(&w->h, "R16a");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_HIGH);
  assert_string_equal(h_fact(a, "enterprise_in_draw"), "true");
  assert_string_equal(h_fact(a, "officers_not_in_draw"), "O3");
  assert_non_null(strstr(a->message, "执法人员O3"));
}

static void test_r16a_enterprise_and_officers_not_drawn(void **state) {
  world *w = *state;
  ew_record r = random_check(w, "INS-1");
  r.u.inspection.enterprise_uscc = FX_ENT2;
  r.u.inspection.officers.n = 0;
  fx_officer(&w->h.a, r.u.inspection.officers, "O3", "C3", 1);
  fx_officer(&w->h.a, r.u.inspection.officers, "O4", NULL, 1);
  fx_officer(&w->h.a, r.u.inspection.officers, "O1", "C1", 1);
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R16a");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "enterprise_in_draw"), "false");
  assert_string_equal(h_fact(a, "officers_not_in_draw"), "O3,O4");
}

static void test_r16a_officers_not_checked_when_configured(void **state) {
  world *w = *state;
  w->h.cfg.r16a.check_officers = 0;
  ew_record r = random_check(w, "INS-1");
  fx_officer(&w->h.a, r.u.inspection.officers, "O3", "C3", 1);
  h_must_apply(&w->h, &r);
  assert_int_equal(h_count(&w->h, "R16a"), 0);
  /* The enterprise still counts, and the officer fact is left out. */
  r = random_check(w, "INS-2");
  r.u.inspection.enterprise_uscc = FX_ENT2;
  fx_officer(&w->h.a, r.u.inspection.officers, "O3", "C3", 1);
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R16a");
  assert_non_null(a);
  assert_null(ew_alert_fact_get(a, "officers_not_in_draw"));
}

static void test_r16a_task_without_officer_draw_near_miss(void **state) {
  world *w = *state;
  ew_record t = task(w, "T1", 1, 100);
  t.u.random_task.officers.n = 0;
  h_must_apply(&w->h, &t);
  ew_record r = random_check(w, "INS-1");
  fx_officer(&w->h.a, r.u.inspection.officers, "O3", "C3", 1);
  h_must_apply(&w->h, &r);
  assert_int_equal(h_count(&w->h, "R16a"), 0);
}

static void test_r16a_leaves_task_problems_to_r02(void **state) {
  world *w = *state;
  /* Not on file. */
  ew_record r = random_check(w, "INS-1");
  r.u.inspection.random_task_id = "T-NONE";
  r.u.inspection.enterprise_uscc = FX_ENT2;
  h_must_apply(&w->h, &r);
  assert_int_equal(h_count(&w->h, "R02"), 1);
  assert_int_equal(h_count(&w->h, "R16a"), 0);
  /* Another agency's task. */
  ew_record t2 = task(w, "T2", 1, 100);
  t2.u.random_task.agency_uscc = FX_AG2;
  h_must_apply(&w->h, &t2);
  r = random_check(w, "INS-2");
  r.u.inspection.random_task_id = "T2";
  r.u.inspection.enterprise_uscc = FX_ENT2;
  h_must_apply(&w->h, &r);
  assert_string_equal(h_fact(h_find(&w->h, "R02"), "reason"),
                      "random_task_other_agency");
  assert_int_equal(h_count(&w->h, "R16a"), 0);
  /* Another item's task. */
  r = random_check(w, "INS-3");
  r.u.inspection.check_items = fx_strv(&w->h.a, 2, "C13-01", "C14-02");
  r.u.inspection.enterprise_uscc = FX_ENT2;
  h_must_apply(&w->h, &r);
  assert_string_equal(h_fact(h_find(&w->h, "R02"), "reason"),
                      "item_not_in_random_task");
  assert_int_equal(h_count(&w->h, "R16a"), 0);
}

static void test_r16a_other_trigger_near_miss(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-1"); /* ANNUAL_PLAN, names T1 all the same */
  r.u.inspection.random_task_id = "T1";
  r.u.inspection.enterprise_uscc = FX_ENT2;
  h_must_apply(&w->h, &r);
  assert_int_equal(h_count(&w->h, "R16a"), 0);
}

static void test_r16a_planned_near_miss_and_cancel_withdraws(void **state) {
  world *w = *state;
  ew_record r = random_check(w, "INS-1");
  r.u.inspection.enterprise_uscc = FX_ENT2;
  r.u.inspection.status = EW_INSP_PLANNED;
  r.u.inspection.started_at = EW_NONE;
  h_must_apply(&w->h, &r);
  assert_int_equal(h_count(&w->h, "R16a"), 0);
  r = random_check(w, "INS-1");
  r.u.inspection.enterprise_uscc = FX_ENT2;
  r.u.inspection.status = EW_INSP_ENDED;
  r.u.inspection.ended_at = fx_t(3);
  h_must_apply(&w->h, &r);
  assert_int_equal(h_count(&w->h, "R16a"), 1);
  r = random_check(w, "INS-1");
  r.u.inspection.enterprise_uscc = FX_ENT2;
  r.u.inspection.status = EW_INSP_CANCELLED;
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R16a");
  assert_non_null(a);
  assert_int_equal(a->status, EW_AST_WITHDRAWN);
}

static void test_r16a_severity_from_config(void **state) {
  world *w = *state;
  w->h.cfg.r16a.c.severity = EW_SEV_CRITICAL;
  ew_record r = random_check(w, "INS-1");
  r.u.inspection.enterprise_uscc = FX_ENT2;
  h_must_apply(&w->h, &r);
  assert_int_equal(h_find(&w->h, "R16a")->severity, EW_SEV_CRITICAL);
  w->h.cfg.r16a.c.enabled = 0;
  r = random_check(w, "INS-2");
  r.u.inspection.enterprise_uscc = FX_ENT2;
  h_must_apply(&w->h, &r);
  assert_int_equal(h_count(&w->h, "R16a"), 0);
}

/* ---- R16b ---- */

static void test_r16b_listed_item_checked_by_plan(void **state) {
  world *w = *state;
  ew_record si = sampling_item(w, "C13-01", FX_AG1, 0);
  h_must_apply(&w->h, &si);
  ew_record r = base(w, "INS-1");
  h_must_apply(&w->h, &r);
  assert_int_equal(w->h.n, 1);
  const ew_alert *a = h_find(&w->h, "R16b");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_MEDIUM);
  assert_string_equal(a->subject_id, "INS-1");
  assert_string_equal(h_fact(a, "items"), "C13-01");
  assert_string_equal(h_fact(a, "special_sector"), "false");
  assert_string_equal(h_fact(a, "trigger_type"), "ANNUAL_PLAN");
  assert_string_equal(h_fact(a, "check_class"), "ROUTINE");
  assert_null(ew_alert_fact_get(a, "special_sector_items"));
  assert_string_equal(a->legal_basis, "临州办发〔2023〕18号 ¶8");
  assert_non_null(strstr(a->message, "临夏州市场监督管理局"));
  assert_non_null(strstr(a->message, "C13-01"));
}

static void test_r16b_only_listed_items_reported(void **state) {
  world *w = *state;
  ew_record s1 = sampling_item(w, "C13-01", FX_AG1, 0);
  ew_record s2 = sampling_item(w, "C14-02", FX_AG1, 1);
  ew_record s3 = sampling_item(w, "C15-03", FX_AG1, 0);
  h_must_apply(&w->h, &s1);
  h_must_apply(&w->h, &s2);
  h_must_apply(&w->h, &s3);
  ew_record p = fx_plan(&w->h.a, "P1", FX_AG1);
  fx_plan_item(&w->h.a, &p.u.plan, "I1", "C13-01", fx_day(2025, 3, 1),
               fx_day(2025, 3, 31));
  fx_plan_item(&w->h.a, &p.u.plan, "I2", "C14-02", fx_day(2025, 3, 1),
               fx_day(2025, 3, 31));
  fx_plan_item(&w->h.a, &p.u.plan, "I3", "C15-03", fx_day(2025, 3, 1),
               fx_day(2025, 3, 31));
  fx_plan_item(&w->h.a, &p.u.plan, "I4", "C16-04", fx_day(2025, 3, 1),
               fx_day(2025, 3, 31));
  h_must_apply(&w->h, &p);
  ew_record r = base(w, "INS-1");
  r.u.inspection.check_items =
      fx_strv(&w->h.a, 5, "C16-04", "C13-01", "C14-02", "C15-03", "C13-01");
  h_must_apply(&w->h, &r);
  assert_int_equal(w->h.n, 1);
  const ew_alert *a = h_find(&w->h, "R16b");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "items"), "C13-01,C15-03");
  assert_string_equal(h_fact(a, "special_sector_items"), "C14-02");
}

static void test_r16b_special_sector_near_miss(void **state) {
  world *w = *state;
  ew_record si = sampling_item(w, "C13-01", FX_AG1, 1);
  h_must_apply(&w->h, &si);
  ew_record r = base(w, "INS-1");
  h_must_apply(&w->h, &r);
  assert_int_equal(w->h.n, 0);
}

static void test_r16b_unlisted_item_near_miss(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-1"); /* no sampling item at all */
  h_must_apply(&w->h, &r);
  assert_int_equal(w->h.n, 0);
  ew_record si = sampling_item(w, "C13-01", FX_AG2, 0);
  h_must_apply(&w->h, &si); /* on another agency's list */
  r = base(w, "INS-2");
  /* Another enterprise: a second check of the first one would be R19's
   * repeated inspection, which is not what this case is about. */
  r.u.inspection.enterprise_uscc = FX_ENT2;
  h_must_apply(&w->h, &r);
  assert_int_equal(w->h.n, 0);
}

static void test_r16b_class_and_trigger_near_misses(void **state) {
  world *w = *state;
  ew_record si = sampling_item(w, "C13-01", FX_AG1, 0);
  h_must_apply(&w->h, &si);
  ew_record r = base(w, "INS-1");
  r.u.inspection.check_class = EW_CLASS_CASE;
  h_must_apply(&w->h, &r);
  assert_int_equal(h_count(&w->h, "R16b"), 0);
  r = base(w, "INS-2");
  r.u.inspection.trigger_type = EW_TRIG_COMPLAINT;
  h_must_apply(&w->h, &r);
  assert_int_equal(h_count(&w->h, "R16b"), 0);
  r = random_check(w, "INS-3"); /* done the right way */
  h_must_apply(&w->h, &r);
  assert_int_equal(w->h.n, 0);
  r = base(w, "INS-4");
  r.u.inspection.status = EW_INSP_PLANNED;
  r.u.inspection.started_at = EW_NONE;
  h_must_apply(&w->h, &r);
  assert_int_equal(h_count(&w->h, "R16b"), 0);
}

static void test_r16b_configured_triggers(void **state) {
  world *w = *state;
  ew_record si = sampling_item(w, "C13-01", FX_AG1, 0);
  h_must_apply(&w->h, &si);
  w->h.cfg.r16b.triggers = 1u << EW_TRIG_COMPLAINT;
  ew_record r = base(w, "INS-1");
  r.u.inspection.trigger_type = EW_TRIG_COMPLAINT;
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R16b");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "trigger_type"), "COMPLAINT");
  r = base(w, "INS-2"); /* ANNUAL_PLAN is no longer in the set */
  h_must_apply(&w->h, &r);
  assert_int_equal(h_count(&w->h, "R16b"), 0);
}

/* ---- R16d ---- */

static void test_r16d_draw_above_cap(void **state) {
  world *w = *state;
  ew_record t = task(w, "T9", 21, 100);
  h_must_apply(&w->h, &t);
  assert_int_equal(w->h.n, 1);
  const ew_alert *a = h_find(&w->h, "R16d");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_LOW);
  assert_int_equal(a->status, EW_AST_OPEN);
  assert_int_equal(a->subject_type, EW_SUBJ_RANDOM_TASK);
  assert_string_equal(a->subject_id, "T9");
  assert_true(a->detected_at == t.u.random_task.drawn_at);
  assert_string_equal(a->agency_uscc, FX_AG1);
  assert_null(a->enterprise_uscc);
  assert_string_equal(a->region_code, "622900"); /* the agency's */
  assert_int_equal(a->evidence_event_ids.n, 0);
  assert_string_equal(h_fact(a, "drawn"), "21");
  assert_string_equal(h_fact(a, "population_size"), "100");
  assert_string_equal(h_fact(a, "drawn_percent"), "21.0");
  assert_string_equal(h_fact(a, "max_percent"), "20");
  assert_string_equal(a->legal_basis, "临州办发〔2023〕18号 ¶8");
  assert_non_null(strstr(a->message, "临夏州市场监督管理局的双随机抽查任务T9"));
  assert_non_null(strstr(a->message, "21.0%"));
}

static void test_r16d_exactly_at_cap_near_miss(void **state) {
  world *w = *state;
  ew_record t = task(w, "T9", 20, 100);
  h_must_apply(&w->h, &t);
  assert_int_equal(w->h.n, 0);
}

static void test_r16d_rounding(void **state) {
  world *w = *state;
  ew_record t = task(w, "T9", 1, 3);
  h_must_apply(&w->h, &t);
  assert_string_equal(h_fact(h_find(&w->h, "R16d"), "drawn_percent"), "33.3");
  t = task(w, "T9", 2, 3);
  h_must_apply(&w->h, &t);
  assert_string_equal(h_fact(h_find(&w->h, "R16d"), "drawn_percent"), "66.7");
  t = task(w, "T9", 7, 33); /* 21.2121... */
  h_must_apply(&w->h, &t);
  assert_string_equal(h_fact(h_find(&w->h, "R16d"), "drawn_percent"), "21.2");
}

static void test_r16d_without_population_near_miss(void **state) {
  world *w = *state;
  ew_record t = task(w, "T9", 50, EW_NONE);
  h_must_apply(&w->h, &t);
  assert_int_equal(w->h.n, 0);
  t = task(w, "T9", 50, 0);
  h_must_apply(&w->h, &t);
  assert_int_equal(w->h.n, 0);
}

static void test_r16d_corrected_task_withdraws(void **state) {
  world *w = *state;
  ew_record t = task(w, "T9", 30, 100);
  h_must_apply(&w->h, &t);
  assert_int_equal(h_count(&w->h, "R16d"), 1);
  t = task(w, "T9", 30, 200); /* the 名录库 size was misreported */
  h_must_apply(&w->h, &t);
  const ew_alert *a = h_find(&w->h, "R16d");
  assert_non_null(a);
  assert_int_equal(a->status, EW_AST_WITHDRAWN);
  h_must_apply(&w->h, &t); /* re-sent unchanged: nothing new */
  assert_int_equal(w->h.n, 0);
}

/* Reference topics are read side by side: a task may come before the agency
 * it names. The agency's arrival re-judges the task, so the finding ends up
 * naming the department and its region as if they had come in order. */
static void test_r16d_task_before_its_agency(void **state) {
  world *w = *state;
  ew_record t = task(w, "T9", 30, 100);
  t.u.random_task.agency_uscc = ew_arena_strdup(&w->h.a, FX_AG2);
  h_must_apply(&w->h, &t);
  const ew_alert *a = h_find(&w->h, "R16d");
  assert_non_null(a);
  assert_null(a->region_code);
  assert_non_null(strstr(a->message, FX_AG2));
  ew_record ag = fx_agency(&w->h.a, FX_AG2, "临夏市市场监督管理局", "622901");
  h_must_apply(&w->h, &ag);
  a = h_find(&w->h, "R16d");
  assert_non_null(a);
  assert_int_equal(a->status, EW_AST_OPEN);
  assert_string_equal(a->region_code, "622901");
  assert_non_null(strstr(a->message, "临夏市市场监督管理局的双随机抽查任务T9"));
  h_must_apply(&w->h, &ag); /* the same agency again changes nothing */
  assert_int_equal(w->h.n, 0);
}

static void test_r16d_configured_cap(void **state) {
  world *w = *state;
  w->h.cfg.r16d.max_draw_percent = 50;
  ew_record t = task(w, "T9", 21, 100);
  h_must_apply(&w->h, &t);
  assert_int_equal(w->h.n, 0);
  t = task(w, "T8", 51, 100);
  h_must_apply(&w->h, &t);
  assert_string_equal(h_fact(h_find(&w->h, "R16d"), "max_percent"), "50");
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_r16a_clean_random_check_is_silent),
      T(test_r16a_enterprise_not_drawn),
      T(test_r16a_officer_not_drawn),
      T(test_r16a_enterprise_and_officers_not_drawn),
      T(test_r16a_officers_not_checked_when_configured),
      T(test_r16a_task_without_officer_draw_near_miss),
      T(test_r16a_leaves_task_problems_to_r02),
      T(test_r16a_other_trigger_near_miss),
      T(test_r16a_planned_near_miss_and_cancel_withdraws),
      T(test_r16a_severity_from_config),
      T(test_r16b_listed_item_checked_by_plan),
      T(test_r16b_only_listed_items_reported),
      T(test_r16b_special_sector_near_miss),
      T(test_r16b_unlisted_item_near_miss),
      T(test_r16b_class_and_trigger_near_misses),
      T(test_r16b_configured_triggers),
      T(test_r16d_draw_above_cap),
      T(test_r16d_exactly_at_cap_near_miss),
      T(test_r16d_rounding),
      T(test_r16d_without_population_near_miss),
      T(test_r16d_corrected_task_withdraws),
      T(test_r16d_task_before_its_agency),
      T(test_r16d_configured_cap),
  };
#undef T
  return cmocka_run_group_tests(tests, NULL, NULL);
}
