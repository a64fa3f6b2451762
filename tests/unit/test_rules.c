/*
 * test_rules.c - R02, R05, R06 and R25 through the engine: for each rule the
 * cases that fire (severity and key facts asserted) and the near misses
 * that must not.
 *
 * Every test starts from a world in which the base inspection is clean:
 * agency FX_AG1 registered, officers O1/O2 with valid certificates C1/C2 of
 * FX_AG1, both shown, and a FILED 2025 plan P1 of FX_AG1 with item I1 for
 * C13-01 from 2025-03-01 to 2025-03-31. A test changes one thing.
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

static int setup(void **state) {
  world *w = calloc(1, sizeof *w);
  if (h_open(&w->h, ":memory:") != 0)
    return -1;
  ew_arena *a = &w->h.a;
  ew_record c1 = fx_cert(a, "C1", "O1", FX_AG1);
  ew_record c2 = fx_cert(a, "C2", "O2", FX_AG1);
  ew_record p = fx_plan(a, "P1", FX_AG1);
  fx_plan_item(a, &p.u.plan, "I1", "C13-01", fx_day(2025, 3, 1),
               fx_day(2025, 3, 31));
  if (h_apply(&w->h, &c1) || h_apply(&w->h, &c2) || h_apply(&w->h, &p))
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

/* The clean base inspection, with a fresh event id. */
static ew_record base(world *w, const char *inspection_id) {
  char eid[32];
  snprintf(eid, sizeof eid, "ev-%d", ++w->next_event);
  ew_record r = fx_inspection(&w->h.a, eid, inspection_id, fx_t(w->next_event));
  fx_officer(&w->h.a, r.u.inspection.officers, "O1", "C1", 1);
  fx_officer(&w->h.a, r.u.inspection.officers, "O2", "C2", 1);
  return r;
}

static ew_record base_penalty(world *w, const char *decision_no) {
  char eid[32];
  snprintf(eid, sizeof eid, "ev-%d", ++w->next_event);
  ew_record r = fx_penalty(&w->h.a, eid, decision_no, fx_t(w->next_event));
  fx_officer(&w->h.a, r.u.penalty.officers, "O1", "C1", 1);
  fx_officer(&w->h.a, r.u.penalty.officers, "O2", "C2", 1);
  return r;
}

static void test_clean_base_is_silent(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-1");
  h_must_apply(&w->h, &r);
  assert_int_equal(w->h.n, 0);
  ew_record p = base_penalty(w, "临市监罚〔2025〕1号");
  h_must_apply(&w->h, &p);
  assert_int_equal(w->h.n, 0);
}

/* ---------------- R05 ---------------- */

static void test_r05_one_certified_fires(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-001");
  r.u.inspection.officers.v[1].cert_no = NULL; /* O2 shows nothing */
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R05");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_HIGH);
  assert_int_equal(a->status, EW_AST_OPEN);
  assert_int_equal(a->subject_type, EW_SUBJ_INSPECTION);
  assert_string_equal(a->subject_id, "INS-001");
  assert_string_equal(h_fact(a, "officers_listed"), "2");
  assert_string_equal(h_fact(a, "officers_certified"), "1");
  assert_string_equal(h_fact(a, "minimum"), "2");
  assert_string_equal(h_fact(a, "officer.O2"), "cert_missing");
  assert_string_equal(a->legal_basis,
                      "临州办发〔2023〕18号 ¶3；行政处罚法第42条");
  assert_string_equal(a->agency_uscc, FX_AG1);
  assert_string_equal(a->enterprise_uscc, FX_ENT);
  assert_string_equal(a->region_code, "622901");
  assert_string_equal(a->message,
                      "临夏州市场监督管理局对企业" FX_ENT
                      "的现场检查INS-001仅有1名持有效执法证的执法人员，"
                      "少于规定的2名。");
  assert_int_equal(a->detected_at, r.u.inspection.event_time);
  assert_int_equal(a->evidence_event_ids.n, 1);
  assert_string_equal(a->evidence_event_ids.v[0], r.u.inspection.event_id);
  assert_int_equal(a->due_at, EW_NONE);
}

static void test_r05_two_certified_one_expired_fires(void **state) {
  world *w = *state;
  ew_record c2 = fx_cert(&w->h.a, "C2", "O2", FX_AG1);
  c2.u.certificate.valid_to = fx_day(2025, 3, 1); /* before the check */
  h_must_apply(&w->h, &c2);
  ew_record r = base(w, "INS-2");
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R05");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_HIGH);
  assert_string_equal(h_fact(a, "officers_certified"), "1");
  assert_string_equal(h_fact(a, "officer.O2"), "cert_expired");
  assert_string_equal(h_fact(a, "officer.O1"), "");
}

static void test_r05_two_valid_silent(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-3");
  r.u.inspection.officers.v[0].cert_shown = 0; /* R06's business, not R05 */
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R05"));
  assert_non_null(h_find(&w->h, "R06"));
}

static void test_r05_remote_silent(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-4");
  r.u.inspection.mode = EW_MODE_REMOTE;
  r.u.inspection.officers.n = 1;
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R05"));
  r = base(w, "INS-4b");
  r.u.inspection.mode = EW_MODE_DOCUMENT_REVIEW;
  r.u.inspection.officers.n = 1;
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R05"));
}

static void test_r05_same_officer_twice_counts_once(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-5");
  r.u.inspection.officers.v[1].officer_id = "O1";
  r.u.inspection.officers.v[1].cert_no = "C1";
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R05");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "officers_listed"), "1");
  assert_string_equal(h_fact(a, "officers_certified"), "1");
}

static void test_r05_certificate_problems(void **state) {
  world *w = *state;
  ew_arena *a = &w->h.a;
  struct {
    ew_record cert;
    const char *problem;
  } cases[] = {
      {fx_cert(a, "C2", "O2", FX_AG1), "cert_suspended"},
      {fx_cert(a, "C2", "O2", FX_AG1), "cert_revoked"},
      {fx_cert(a, "C2", "O2", FX_AG1), "cert_expired"},
      {fx_cert(a, "C2", "O9", FX_AG1), "cert_other_officer"},
      {fx_cert(a, "C2", "O2", FX_AG2), "cert_other_agency"},
      {fx_cert(a, "C2", "O2", FX_AG1), "cert_not_yet_valid"},
  };
  cases[0].cert.u.certificate.status = EW_CERT_SUSPENDED;
  cases[1].cert.u.certificate.status = EW_CERT_REVOKED;
  cases[2].cert.u.certificate.status = EW_CERT_EXPIRED;
  cases[5].cert.u.certificate.valid_from = fx_day(2025, 6, 1);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char id[16];
    h_must_apply(&w->h, &cases[i].cert);
    snprintf(id, sizeof id, "INS-P%zu", i);
    ew_record r = base(w, id);
    h_must_apply(&w->h, &r);
    const ew_alert *al = h_find(&w->h, "R05");
    assert_non_null(al);
    assert_string_equal(h_fact(al, "officer.O2"), cases[i].problem);
    assert_string_equal(h_fact(al, "officers_certified"), "1");
  }
}

static void test_r05_cert_not_found_fires(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-6");
  r.u.inspection.officers.v[1].cert_no = "NO-SUCH-CERT";
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R05");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "officer.O2"), "cert_not_found");
}

/* An officer of a participant agency of the joint plan holds a valid
 * certificate of that agency. */
static void test_r05_joint_plan_participant_cert_valid(void **state) {
  world *w = *state;
  ew_record c = fx_cert(&w->h.a, "C3", "O3", FX_AG3);
  ew_record j = fx_plan(&w->h.a, "J1", FX_AG1);
  j.u.plan.plan_type = EW_PLAN_JOINT_INSPECTION;
  j.u.plan.participant_agency_usccs = fx_strv(&w->h.a, 1, FX_AG3);
  h_must_apply(&w->h, &c);
  h_must_apply(&w->h, &j);
  ew_record r = base(w, "INS-7");
  r.u.inspection.officers.v[1].officer_id = "O3";
  r.u.inspection.officers.v[1].cert_no = "C3";
  h_must_apply(&w->h, &r);
  assert_non_null(h_find(&w->h, "R05")); /* not joint: other agency */
  r = base(w, "INS-7b");
  r.u.inspection.officers.v[1].officer_id = "O3";
  r.u.inspection.officers.v[1].cert_no = "C3";
  r.u.inspection.joint_plan_id = "J1";
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R05"));
  assert_null(h_find(&w->h, "R06"));
}

static void test_r05_not_started_silent(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-8");
  r.u.inspection.officers.n = 1;
  r.u.inspection.status = EW_INSP_PLANNED;
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R05"));
  r = base(w, "INS-8b");
  r.u.inspection.officers.n = 1;
  r.u.inspection.status = EW_INSP_ENDED;
  r.u.inspection.ended_at = r.u.inspection.started_at + 3600000;
  h_must_apply(&w->h, &r);
  assert_non_null(h_find(&w->h, "R05"));
}

static void test_r05_min_officers_configured(void **state) {
  world *w = *state;
  w->h.cfg.r05.min_officers = 3;
  ew_record r = base(w, "INS-9");
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R05");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "officers_certified"), "2");
  assert_string_equal(h_fact(a, "minimum"), "3");
}

static void test_r05_penalties(void **state) {
  world *w = *state;
  ew_record p = base_penalty(w, "PEN-1");
  p.u.penalty.officers.n = 1;
  h_must_apply(&w->h, &p);
  const ew_alert *a = h_find(&w->h, "R05");
  assert_non_null(a);
  assert_int_equal(a->subject_type, EW_SUBJ_PENALTY);
  assert_string_equal(a->subject_id, "PEN-1");
  assert_string_equal(h_fact(a, "officers_certified"), "1");
  assert_non_null(strstr(a->message, "行政处罚决定PEN-1"));

  p = base_penalty(w, "PEN-2");
  p.u.penalty.officers.n = 1;
  p.u.penalty.procedure = EW_PROC_SIMPLE; /* 简易程序: one officer may act */
  h_must_apply(&w->h, &p);
  assert_null(h_find(&w->h, "R05"));

  w->h.cfg.r05.apply_to_penalties = 0;
  p = base_penalty(w, "PEN-3");
  p.u.penalty.officers.n = 1;
  h_must_apply(&w->h, &p);
  assert_null(h_find(&w->h, "R05"));
}

static void test_r05_disabled_silent(void **state) {
  world *w = *state;
  w->h.cfg.r05.c.enabled = 0;
  ew_record r = base(w, "INS-10");
  r.u.inspection.officers.n = 1;
  h_must_apply(&w->h, &r);
  assert_int_equal(w->h.n, 0);
}

/* ---------------- R06 ---------------- */

static void test_r06_not_shown_high(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-20");
  r.u.inspection.officers.v[1].cert_shown = 0;
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R06");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_HIGH);
  assert_string_equal(h_fact(a, "officers_listed"), "2");
  assert_string_equal(h_fact(a, "officers_certified"), "2");
  assert_string_equal(h_fact(a, "officers_not_shown"), "1");
  assert_string_equal(h_fact(a, "officer.O2"), "cert_not_shown");
  assert_string_equal(h_fact(a, "officer.O1"), "");
  assert_string_equal(a->legal_basis, "临州办发〔2023〕18号 ¶3");
  assert_non_null(strstr(a->message, "临夏州市场监督管理局"));
  assert_non_null(strstr(a->message, FX_ENT));
  assert_non_null(strstr(a->message, "未主动出示执法证件"));
}

static void test_r06_none_certified_critical(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-21");
  r.u.inspection.officers.v[0].cert_no = NULL;
  r.u.inspection.officers.v[1].cert_no = "GHOST";
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R06");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_CRITICAL);
  assert_string_equal(h_fact(a, "officers_certified"), "0");
  assert_string_equal(h_fact(a, "officer.O1"), "cert_missing");
  assert_string_equal(h_fact(a, "officer.O2"), "cert_not_found");
  /* R05 fires alongside, with its own facts. */
  assert_string_equal(h_fact(h_find(&w->h, "R05"), "officers_certified"), "0");
}

static void test_r06_cert_not_found_fires(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-22");
  r.u.inspection.officers.v[1].cert_no = "C-UNKNOWN";
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R06");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_HIGH); /* O1 is certified */
  assert_string_equal(h_fact(a, "officer.O2"), "cert_not_found");
  assert_string_equal(h_fact(a, "officers_certified"), "1");
}

static void test_r06_expired_and_not_shown(void **state) {
  world *w = *state;
  ew_record c2 = fx_cert(&w->h.a, "C2", "O2", FX_AG1);
  c2.u.certificate.status = EW_CERT_EXPIRED;
  h_must_apply(&w->h, &c2);
  ew_record r = base(w, "INS-23");
  r.u.inspection.officers.v[1].cert_shown = 0;
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R06");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "officer.O2"), "cert_expired,cert_not_shown");
  assert_string_equal(h_fact(a, "officers_not_shown"), "1");
}

static void test_r06_no_officers_critical(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-24");
  r.u.inspection.officers.n = 0;
  r.u.inspection.mode = EW_MODE_DOCUMENT_REVIEW;
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R06");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_CRITICAL);
  assert_string_equal(h_fact(a, "officers_listed"), "0");
}

static void test_r06_shown_modes(void **state) {
  world *w = *state;
  /* A document review meets nobody: not showing is no finding. */
  ew_record r = base(w, "INS-25");
  r.u.inspection.mode = EW_MODE_DOCUMENT_REVIEW;
  r.u.inspection.officers.v[0].cert_shown = 0;
  r.u.inspection.officers.v[1].cert_shown = 0;
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R06"));
  /* ... but a remote check (video) does. */
  r = base(w, "INS-26");
  r.u.inspection.mode = EW_MODE_REMOTE;
  r.u.inspection.officers.v[0].cert_shown = 0;
  h_must_apply(&w->h, &r);
  assert_non_null(h_find(&w->h, "R06"));
  /* require_cert_shown off: only validity counts. */
  w->h.cfg.r06.require_cert_shown = 0;
  r = base(w, "INS-27");
  r.u.inspection.officers.v[0].cert_shown = 0;
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R06"));
}

static void test_r06_other_agency_configurable(void **state) {
  world *w = *state;
  ew_record c2 = fx_cert(&w->h.a, "C2", "O2", FX_AG2);
  h_must_apply(&w->h, &c2);
  ew_record r = base(w, "INS-28");
  h_must_apply(&w->h, &r);
  assert_string_equal(h_fact(h_find(&w->h, "R06"), "officer.O2"),
                      "cert_other_agency");
  w->h.cfg.r06.require_same_agency = 0;
  r = base(w, "INS-29");
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R06"));
  assert_null(h_find(&w->h, "R05"));
}

static void test_r06_penalty_and_planned(void **state) {
  world *w = *state;
  ew_record p = base_penalty(w, "PEN-20");
  p.u.penalty.officers.v[0].cert_shown = 0;
  p.u.penalty.procedure = EW_PROC_SIMPLE;
  h_must_apply(&w->h, &p);
  const ew_alert *a = h_find(&w->h, "R06");
  assert_non_null(a);
  assert_int_equal(a->subject_type, EW_SUBJ_PENALTY);
  assert_string_equal(h_fact(a, "officer.O1"), "cert_not_shown");

  ew_record r = base(w, "INS-30");
  r.u.inspection.status = EW_INSP_PLANNED;
  r.u.inspection.officers.v[0].cert_no = NULL;
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R06"));
}

/* ---------------- R02 ---------------- */

static void test_r02_planned_item_in_window_silent(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-40");
  r.u.inspection.started_at = fx_day(2025, 3, 1); /* the window's first ms */
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R02"));
  r = base(w, "INS-41");
  r.u.inspection.started_at = fx_day(2025, 3, 31);
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R02"));
}

static void test_r02_one_day_outside_window_fires(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-42");
  r.u.inspection.started_at = fx_day(2025, 4, 1);
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R02");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_HIGH);
  assert_string_equal(h_fact(a, "reason"), "outside_window");
  assert_string_equal(h_fact(a, "trigger_type"), "ANNUAL_PLAN");
  assert_string_equal(h_fact(a, "unmatched_items"), "C13-01");
  assert_string_equal(h_fact(a, "plan_id"), "P1");
  assert_string_equal(h_fact(a, "window_end"), "2025-03-31T00:00:00+08:00");
  assert_string_equal(h_fact(a, "started_at"), "2025-04-01T00:00:00+08:00");
  assert_string_equal(a->legal_basis, "临州办发〔2023〕18号 ¶2");
  assert_non_null(strstr(a->message, "临夏州市场监督管理局对企业" FX_ENT));
  r = base(w, "INS-43");
  r.u.inspection.started_at = fx_day(2025, 2, 28);
  h_must_apply(&w->h, &r);
  assert_string_equal(h_fact(h_find(&w->h, "R02"), "reason"), "outside_window");
}

static void test_r02_exempt_triggers_silent(void **state) {
  world *w = *state;
  const int exempt[] = {EW_TRIG_NATIONAL_SECURITY,
                        EW_TRIG_PUBLIC_SAFETY,
                        EW_TRIG_WORK_SAFETY,
                        EW_TRIG_ECO_ENVIRONMENT,
                        EW_TRIG_COMPLAINT,
                        EW_TRIG_CASE_INVESTIGATION,
                        EW_TRIG_SUPERIOR_ASSIGNED,
                        EW_TRIG_ENTERPRISE_REQUEST,
                        EW_TRIG_LICENSING_VERIFICATION};
  for (size_t i = 0; i < sizeof exempt / sizeof exempt[0]; i++) {
    char id[16];
    snprintf(id, sizeof id, "INS-X%zu", i);
    ew_record r = base(w, id);
    r.u.inspection.trigger_type = exempt[i];
    r.u.inspection.check_items.n = 0; /* would be unplanned otherwise */
    h_must_apply(&w->h, &r);
    assert_null(h_find(&w->h, "R02"));
  }
  /* DATA_MONITORING is not exempt by default. */
  ew_record r = base(w, "INS-X9");
  r.u.inspection.trigger_type = EW_TRIG_DATA_MONITORING;
  r.u.inspection.check_items.n = 0;
  h_must_apply(&w->h, &r);
  assert_string_equal(h_fact(h_find(&w->h, "R02"), "reason"), "no_check_items");
}

static void test_r02_joint_plan_participant_silent(void **state) {
  world *w = *state;
  ew_record j = fx_plan(&w->h.a, "J1", FX_AG2);
  j.u.plan.plan_type = EW_PLAN_JOINT_INSPECTION;
  j.u.plan.participant_agency_usccs = fx_strv(&w->h.a, 1, FX_AG1);
  fx_plan_item(&w->h.a, &j.u.plan, "JI1", "F20-02", fx_day(2025, 3, 1),
               fx_day(2025, 3, 10));
  h_must_apply(&w->h, &j);
  ew_record r = base(w, "INS-44");
  r.u.inspection.check_items = fx_strv(&w->h.a, 1, "F20-02");
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R02"));
  /* An ANNUAL plan of another agency listing us does not count. */
  j.u.plan.plan_type = EW_PLAN_ANNUAL_INSPECTION;
  h_must_apply(&w->h, &j);
  r = base(w, "INS-45");
  r.u.inspection.check_items = fx_strv(&w->h.a, 1, "F20-02");
  h_must_apply(&w->h, &r);
  assert_string_equal(h_fact(h_find(&w->h, "R02"), "reason"),
                      "item_not_in_plan");
}

static void test_r02_random_sampling(void **state) {
  world *w = *state;
  ew_record t = fx_random_task(&w->h.a, "T1", FX_AG1, "R-07");
  ew_record t2 = fx_random_task(&w->h.a, "T2", FX_AG2, "R-07");
  h_must_apply(&w->h, &t);
  h_must_apply(&w->h, &t2);

  ew_record r = base(w, "INS-50");
  r.u.inspection.trigger_type = EW_TRIG_RANDOM_SAMPLING;
  r.u.inspection.random_task_id = "T1";
  r.u.inspection.check_items = fx_strv(&w->h.a, 1, "R-07");
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R02"));

  struct {
    const char *task;
    const char *item;
    const char *reason;
  } cases[] = {{NULL, "R-07", "random_task_missing"},
               {"T-NONE", "R-07", "random_task_not_found"},
               {"T2", "R-07", "random_task_other_agency"},
               {"T1", "C13-01", "item_not_in_random_task"}};
  for (size_t i = 0; i < 4; i++) {
    char id[16];
    snprintf(id, sizeof id, "INS-R%zu", i);
    r = base(w, id);
    r.u.inspection.trigger_type = EW_TRIG_RANDOM_SAMPLING;
    r.u.inspection.random_task_id = cases[i].task;
    r.u.inspection.check_items = fx_strv(&w->h.a, 1, cases[i].item);
    h_must_apply(&w->h, &r);
    const ew_alert *a = h_find(&w->h, "R02");
    assert_non_null(a);
    assert_string_equal(h_fact(a, "reason"), cases[i].reason);
    assert_string_equal(h_fact(a, "trigger_type"), "RANDOM_SAMPLING");
  }
  /* The plan does not rescue a random check (C13-01 is planned). */
  assert_string_equal(h_fact(h_find(&w->h, "R02"), "unmatched_items"),
                      "C13-01");
}

static void test_r02_no_filed_plan(void **state) {
  world *w = *state;
  ew_record ag2 = fx_agency(&w->h.a, FX_AG2, "临夏市市场监督管理局", "622901");
  ew_record draft = fx_plan(&w->h.a, "P9", FX_AG2);
  draft.u.plan.status = EW_PST_DRAFT;
  fx_plan_item(&w->h.a, &draft.u.plan, "I1", "C13-01", fx_day(2025, 1, 1),
               fx_day(2025, 12, 31));
  ew_record last_year = fx_plan(&w->h.a, "P8", FX_AG2);
  last_year.u.plan.year = 2024;
  fx_plan_item(&w->h.a, &last_year.u.plan, "I1", "C13-01", fx_day(2025, 1, 1),
               fx_day(2025, 12, 31));
  h_must_apply(&w->h, &ag2);
  h_must_apply(&w->h, &draft);
  h_must_apply(&w->h, &last_year);
  ew_record r = base(w, "INS-51");
  r.u.inspection.agency_uscc = FX_AG2;
  r.u.inspection.officers.n = 0;
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R02");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "reason"), "no_filed_plan");
  assert_string_equal(h_fact(a, "plan_records"), "0");
  assert_string_equal(h_fact(a, "plans_not_counted"), "2");
  assert_string_equal(h_fact(a, "year"), "2025");
  assert_non_null(strstr(a->message, "临夏市市场监督管理局"));
  /* AMENDED counts. */
  draft.u.plan.status = EW_PST_AMENDED;
  h_must_apply(&w->h, &draft);
  r = base(w, "INS-52");
  r.u.inspection.agency_uscc = FX_AG2;
  r.u.inspection.officers.n = 0;
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R02"));
}

static void test_r02_item_not_in_plan(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-53");
  r.u.inspection.check_items = fx_strv(&w->h.a, 3, "C13-01", "X-1", "X-2");
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R02");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "reason"), "item_not_in_plan");
  assert_string_equal(h_fact(a, "unmatched_items"), "X-1,X-2");
  assert_string_equal(h_fact(a, "item.X-1"), "item_not_in_plan");
  assert_string_equal(h_fact(a, "item.X-2"), "item_not_in_plan");
  assert_string_equal(h_fact(a, "check_items"), "3");
  assert_string_equal(h_fact(a, "plan_records"), "1");
}

static void test_r02_enterprise_targeting(void **state) {
  world *w = *state;
  ew_record p = fx_plan(&w->h.a, "P1", FX_AG1);
  ew_plan_item *it = fx_plan_item(&w->h.a, &p.u.plan, "I1", "C13-01",
                                  fx_day(2025, 3, 1), fx_day(2025, 3, 31));
  it->target_usccs = fx_strv(&w->h.a, 1, FX_ENT2);
  h_must_apply(&w->h, &p);
  ew_record r = base(w, "INS-54");
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R02");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "reason"), "enterprise_not_targeted");
  assert_string_equal(h_fact(a, "plan_id"), "P1");
  assert_string_equal(h_fact(a, "plan_item"), "I1");
  /* The industry list covers C1311 through its division C13. */
  it->target_industries = fx_strv(&w->h.a, 1, "C13");
  h_must_apply(&w->h, &p);
  r = base(w, "INS-55");
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R02"));
  /* ... but not C14. */
  it->target_industries = fx_strv(&w->h.a, 1, "C14");
  h_must_apply(&w->h, &p);
  r = base(w, "INS-56");
  h_must_apply(&w->h, &r);
  assert_non_null(h_find(&w->h, "R02"));
  /* Named enterprise. */
  it->target_usccs = fx_strv(&w->h.a, 2, FX_ENT2, FX_ENT);
  h_must_apply(&w->h, &p);
  r = base(w, "INS-57");
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R02"));
}

static void test_r02_plan_id_and_item_restrict(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-58");
  r.u.inspection.plan_id = "P-MISSING";
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R02");
  assert_string_equal(h_fact(a, "reason"), "plan_not_found");
  assert_string_equal(h_fact(a, "plan_id"), "P-MISSING");
  assert_string_equal(h_fact(a, "plan_records"), "0");

  r = base(w, "INS-59");
  r.u.inspection.plan_id = "P1";
  r.u.inspection.plan_item_id = "I1";
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R02"));

  r = base(w, "INS-60");
  r.u.inspection.plan_id = "P1";
  r.u.inspection.plan_item_id = "I-OTHER";
  h_must_apply(&w->h, &r);
  a = h_find(&w->h, "R02");
  assert_string_equal(h_fact(a, "reason"), "item_not_in_plan");
  assert_string_equal(h_fact(a, "plan_item_id"), "I-OTHER");
}

static void test_r02_no_check_items_and_planned(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-61");
  r.u.inspection.check_items.n = 0;
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R02");
  assert_string_equal(h_fact(a, "reason"), "no_check_items");
  assert_string_equal(h_fact(a, "check_items"), "0");

  r = base(w, "INS-62");
  r.u.inspection.status = EW_INSP_PLANNED;
  r.u.inspection.started_at = EW_NONE;
  r.u.inspection.check_items.n = 0;
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R02"));
  w->h.cfg.r02.evaluate_planned = 1;
  r = base(w, "INS-63");
  r.u.inspection.status = EW_INSP_PLANNED;
  r.u.inspection.started_at = EW_NONE;
  r.u.inspection.check_items.n = 0;
  h_must_apply(&w->h, &r);
  assert_non_null(h_find(&w->h, "R02"));
}

/* ---------------- R25 ---------------- */

static void test_r25_bad_check_digit_info(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-70");
  r.u.inspection.enterprise_uscc = "91622901MA7ABCDEFM"; /* L is right */
  h_must_apply(&w->h, &r);
  assert_int_equal(h_count(&w->h, "R25"), 1);
  const ew_alert *a = h_find(&w->h, "R25");
  assert_int_equal(a->severity, EW_SEV_INFO);
  assert_string_equal(h_fact(a, "field"), "enterprise_uscc");
  assert_string_equal(h_fact(a, "value"), "91622901MA7ABCDEFM");
  assert_string_equal(h_fact(a, "reason"), "check_digit");
  assert_string_equal(h_fact(a, "expected_check"), "L");
  assert_string_equal(a->legal_basis, "GB 32100-2015；GB/T 2260");
  assert_non_null(strstr(a->message, "企业统一社会信用代码"));
  char id[EW_ALERT_ID_BUFSZ];
  ew_alert_id_format(id, "R25", EW_SUBJ_INSPECTION, "INS-70",
                     "uscc:enterprise_uscc");
  assert_string_equal(a->alert_id, id);
  /* The record is processed as far as it can be: no other rule fires on a
   * clean record because of it. */
  assert_int_equal(w->h.n, 1);
}

static void test_r25_allowlisted_silent(void **state) {
  world *w = *state;
  w->h.cfg.r25.uscc_allowlist.v[0] = strdup("91622901MA7ABCDEFM");
  w->h.cfg.r25.uscc_allowlist.n = 1;
  ew_record r = base(w, "INS-71");
  r.u.inspection.enterprise_uscc = "91622901MA7ABCDEFM";
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R25"));
}

static void test_r25_length_and_charset(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-72");
  r.u.inspection.enterprise_uscc = "9162290";
  r.u.inspection.agency_uscc = "11622900MB123456IG"; /* I: not allowed */
  r.u.inspection.officers.n = 0;
  h_must_apply(&w->h, &r);
  assert_int_equal(h_count(&w->h, "R25"), 2);
  const ew_alert *a0 = h_find_nth(&w->h, "R25", 0);
  const ew_alert *a1 = h_find_nth(&w->h, "R25", 1);
  assert_string_equal(h_fact(a0, "field"), "agency_uscc");
  assert_string_equal(h_fact(a0, "reason"), "charset");
  assert_string_equal(h_fact(a1, "field"), "enterprise_uscc");
  assert_string_equal(h_fact(a1, "reason"), "length");
  assert_string_not_equal(a0->alert_id, a1->alert_id);
}

static void test_r25_time_order_low(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-73");
  r.u.inspection.status = EW_INSP_ENDED;
  r.u.inspection.ended_at = r.u.inspection.started_at - 60000;
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R25");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_LOW);
  assert_string_equal(h_fact(a, "started_at"), "2025-03-04T09:00:00+08:00");
  assert_string_equal(h_fact(a, "ended_at"), "2025-03-04T08:59:00+08:00");
  assert_non_null(strstr(a->legal_basis, "¶3"));
  char id[EW_ALERT_ID_BUFSZ];
  ew_alert_id_format(id, "R25", EW_SUBJ_INSPECTION, "INS-73", "time_order");
  assert_string_equal(a->alert_id, id);
  /* Equal times are fine. */
  r = base(w, "INS-74");
  r.u.inspection.status = EW_INSP_ENDED;
  r.u.inspection.ended_at = r.u.inspection.started_at;
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R25"));
}

static void test_r25_region_codes(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-75");
  r.u.inspection.enterprise_region_code = "110101"; /* Beijing */
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R25");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_INFO);
  assert_string_equal(h_fact(a, "field"), "enterprise_region_code");
  assert_string_equal(h_fact(a, "reason"), "not_in_list");
  assert_string_equal(a->region_code, "110101");

  r = base(w, "INS-76");
  r.u.inspection.enterprise_region_code = "62290X";
  h_must_apply(&w->h, &r);
  assert_string_equal(h_fact(h_find(&w->h, "R25"), "reason"), "format");

  /* Without an enterprise region, the agency's registered one is checked
   * (and is the alert's region). */
  ew_record ag = fx_agency(&w->h.a, FX_AG1, "临夏州市场监督管理局", "630100");
  h_must_apply(&w->h, &ag);
  r = base(w, "INS-77");
  r.u.inspection.enterprise_region_code = NULL;
  h_must_apply(&w->h, &r);
  a = h_find(&w->h, "R25");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "field"), "agency.region_code");
  assert_string_equal(a->region_code, "630100");

  /* Configured list. */
  w->h.cfg.r25.region_codes.v[w->h.cfg.r25.region_codes.n++] = strdup("630100");
  r = base(w, "INS-78");
  r.u.inspection.enterprise_region_code = NULL;
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R25"));
}

static void test_r25_justice_bureau_and_complaints(void **state) {
  world *w = *state;
  ew_record ag = fx_agency(&w->h.a, FX_AG1, "临夏州市场监督管理局", "622900");
  ag.u.agency.justice_bureau_uscc = "11622900MB0000099Y";
  h_must_apply(&w->h, &ag);
  ew_record r = base(w, "INS-79");
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R25");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "field"), "agency.justice_bureau_uscc");
  assert_string_equal(h_fact(a, "expected_check"), "X");

  ew_record c;
  c.kind = EW_REC_COMPLAINT;
  ew_rtype_init(ew_rtype_of(c.kind), &c.u);
  c.u.complaint.event_id = "ev-c1";
  c.u.complaint.event_time = fx_t(0);
  c.u.complaint.complaint_id = "CMP-1";
  c.u.complaint.received_at = fx_t(0);
  c.u.complaint.channel = EW_CHAN_HOTLINE_12345;
  c.u.complaint.subject_type = EW_CSUBJ_ENFORCEMENT_CONDUCT;
  c.u.complaint.complainant_uscc = "91622901MA7ABCDEF1";
  c.u.complaint.category = EW_CAT_SINGLE_OFFICER;
  c.u.complaint.handling_agency_uscc = FX_JB;
  c.u.complaint.status = EW_CST_RECEIVED;
  h_must_apply(&w->h, &c);
  assert_int_equal(w->h.n, 1);
  a = h_find(&w->h, "R25");
  assert_int_equal(a->subject_type, EW_SUBJ_COMPLAINT);
  assert_string_equal(a->subject_id, "CMP-1");
  assert_string_equal(h_fact(a, "field"), "complainant_uscc");
  assert_string_equal(a->agency_uscc, FX_JB);
  assert_null(a->enterprise_uscc);
}

static void test_r25_disabled_and_cancelled(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-80");
  r.u.inspection.status = EW_INSP_CANCELLED;
  r.u.inspection.enterprise_uscc = "bad";
  h_must_apply(&w->h, &r);
  assert_int_equal(w->h.n, 0);
  w->h.cfg.r25.c.enabled = 0;
  r = base(w, "INS-81");
  r.u.inspection.enterprise_uscc = "bad";
  h_must_apply(&w->h, &r);
  assert_int_equal(w->h.n, 0);
}

int main(void) {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_clean_base_is_silent),
      T(test_r05_one_certified_fires),
      T(test_r05_two_certified_one_expired_fires),
      T(test_r05_two_valid_silent),
      T(test_r05_remote_silent),
      T(test_r05_same_officer_twice_counts_once),
      T(test_r05_certificate_problems),
      T(test_r05_cert_not_found_fires),
      T(test_r05_joint_plan_participant_cert_valid),
      T(test_r05_not_started_silent),
      T(test_r05_min_officers_configured),
      T(test_r05_penalties),
      T(test_r05_disabled_silent),
      T(test_r06_not_shown_high),
      T(test_r06_none_certified_critical),
      T(test_r06_cert_not_found_fires),
      T(test_r06_expired_and_not_shown),
      T(test_r06_no_officers_critical),
      T(test_r06_shown_modes),
      T(test_r06_other_agency_configurable),
      T(test_r06_penalty_and_planned),
      T(test_r02_planned_item_in_window_silent),
      T(test_r02_one_day_outside_window_fires),
      T(test_r02_exempt_triggers_silent),
      T(test_r02_joint_plan_participant_silent),
      T(test_r02_random_sampling),
      T(test_r02_no_filed_plan),
      T(test_r02_item_not_in_plan),
      T(test_r02_enterprise_targeting),
      T(test_r02_plan_id_and_item_restrict),
      T(test_r02_no_check_items_and_planned),
      T(test_r25_bad_check_digit_info),
      T(test_r25_allowlisted_silent),
      T(test_r25_length_and_charset),
      T(test_r25_time_order_low),
      T(test_r25_region_codes),
      T(test_r25_justice_bureau_and_complaints),
      T(test_r25_disabled_and_cancelled),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
