/*
 * test_rules_procedure.c - the procedure of an inspection through the
 * engine: R03 (approval), R08a/R08b/R08c (audio-visual and written
 * records) and R17 (on site where a remote check suffices). For each rule
 * id the cases that fire, with severity and key facts asserted, and the
 * near misses that must not.
 *
 * Every test starts from a world in which the base inspection is clean:
 * agency FX_AG1 with its standing approval FX_APPROVAL (engine_harness.h),
 * officers O1/O2 with valid certificates, a FILED 2025 plan for C13-01 in
 * March; the base inspection (fx_inspection) started Tuesday 2025-03-04
 * 09:00, approved the day before, recorded on video. A test changes one
 * thing. Calendar records are put where a test needs a holiday.
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
  if (!w || h_open(&w->h, ":memory:") != 0)
    return -1;
  ew_arena *a = &w->h.a;
  ew_record ag2 = fx_agency(a, FX_AG2, "临夏市市场监督管理局", "622901");
  ew_record c1 = fx_cert(a, "C1", "O1", FX_AG1);
  ew_record c2 = fx_cert(a, "C2", "O2", FX_AG1);
  ew_record p = fx_plan(a, "P1", FX_AG1);
  fx_plan_item(a, &p.u.plan, "I1", "C13-01", fx_day(2025, 1, 1),
               fx_day(2025, 3, 31));
  if (h_apply(&w->h, &ag2) || h_apply(&w->h, &c1) || h_apply(&w->h, &c2) ||
      h_apply(&w->h, &p))
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

/* The clean base inspection, with a fresh event id, recorded at `et`. */
static ew_record base_at(world *w, const char *inspection_id, ew_time et) {
  char eid[32];
  snprintf(eid, sizeof eid, "ev-%d", ++w->next_event);
  ew_record r = fx_inspection(&w->h.a, eid, inspection_id, et);
  fx_officer(&w->h.a, r.u.inspection.officers, "O1", "C1", 1);
  fx_officer(&w->h.a, r.u.inspection.officers, "O2", "C2", 1);
  return r;
}

static ew_record base(world *w, const char *inspection_id) {
  return base_at(w, inspection_id, fx_t(w->next_event + 1));
}

static ew_record base_penalty(world *w, const char *decision_no) {
  char eid[32];
  snprintf(eid, sizeof eid, "ev-%d", ++w->next_event);
  ew_record r = fx_penalty(&w->h.a, eid, decision_no, fx_t(w->next_event));
  fx_officer(&w->h.a, r.u.penalty.officers, "O1", "C1", 1);
  fx_officer(&w->h.a, r.u.penalty.officers, "O2", "C2", 1);
  r.u.penalty.av_coverage = EW_AV_FULL;
  return r;
}

static void put_approval(world *w, const char *id, const char *agency,
                         ew_time approved_at) {
  ew_record ap = fx_approval(&w->h.a, id, agency, approved_at);
  h_must_apply(&w->h, &ap);
}

static void put_day(world *w, const char *date, int workday) {
  ew_record r;
  r.kind = EW_REC_CALENDAR_DAY;
  ew_rtype_init(ew_rtype_of(r.kind), &r.u);
  r.u.calendar_day.date = ew_arena_strdup(&w->h.a, date);
  r.u.calendar_day.is_workday = (int8_t)workday;
  h_must_apply(&w->h, &r);
}

static void put_sampling_item(world *w, const char *code, const char *agency,
                              int remote) {
  ew_record r;
  r.kind = EW_REC_SAMPLING_ITEM;
  ew_rtype_init(ew_rtype_of(r.kind), &r.u);
  r.u.sampling_item.item_code = ew_arena_strdup(&w->h.a, code);
  r.u.sampling_item.agency_uscc = ew_arena_strdup(&w->h.a, agency);
  r.u.sampling_item.special_sector = 1; /* keeps R16b out of the way */
  r.u.sampling_item.remote_capable = (int8_t)remote;
  h_must_apply(&w->h, &r);
}

static ew_time at(const char *iso) {
  ew_time t;
  if (ew_time_parse(iso, strlen(iso), &t) != 0)
    fail_msg("bad time %s", iso);
  return t;
}

static void test_clean_base_is_silent(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-1");
  h_must_apply(&w->h, &r);
  assert_int_equal(w->h.n, 0);
  r = base(w, "INS-1");
  r.u.inspection.status = EW_INSP_ENDED;
  r.u.inspection.ended_at = fx_t(2);
  h_must_apply(&w->h, &r);
  assert_int_equal(w->h.n, 0);
  ew_record p = base_penalty(w, "临市监罚〔2025〕1号");
  h_must_apply(&w->h, &p);
  assert_int_equal(w->h.n, 0);
}

/* ------------------------------------------------------------- R03 --- */

static void test_r03_no_approval_fires(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-301");
  r.u.inspection.approval_id = NULL;
  r.u.inspection.approved_at = EW_NONE;
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R03");
  assert_non_null(a);
  assert_int_equal(w->h.n, 1);
  assert_int_equal(a->severity, EW_SEV_MEDIUM);
  assert_int_equal(a->subject_type, EW_SUBJ_INSPECTION);
  assert_string_equal(a->subject_id, "INS-301");
  assert_string_equal(a->legal_basis,
                      "临州办发〔2023〕18号 ¶1；国办发〔2024〕54号");
  assert_string_equal(h_fact(a, "reason"), "no_approval");
  assert_string_equal(h_fact(a, "approval_id"), "none");
  assert_string_equal(h_fact(a, "approved_at"), "not_stated");
  assert_string_equal(h_fact(a, "started_at"), "2025-03-04T09:00:00+08:00");
  assert_string_equal(h_fact(a, "limit"), "2025-03-04T09:00:00+08:00");
  assert_string_equal(h_fact(a, "emergency"), "false");
  assert_string_equal(h_fact(a, "problems"), "");
  assert_non_null(strstr(a->message, "临夏州市场监督管理局对企业"));
  assert_non_null(strstr(a->message, "INS-301未履行审批手续"));
}

static void test_r03_approved_after_start(void **state) {
  world *w = *state;
  put_approval(w, "AP-2", FX_AG1, fx_t(2));
  ew_record r = base(w, "INS-302");
  r.u.inspection.approval_id = "AP-2";
  r.u.inspection.approved_at = fx_t(2);
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R03");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "reason"), "approved_after_start");
  assert_string_equal(h_fact(a, "approval_id"), "AP-2");
  assert_string_equal(h_fact(a, "approved_at"), "2025-03-04T11:00:00+08:00");
  assert_string_equal(h_fact(a, "approved_at_source"), "record");
  assert_string_equal(h_fact(a, "limit"), "2025-03-04T09:00:00+08:00");
  assert_non_null(strstr(a->message, "先检查后审批"));
  /* Near miss: approved at the very minute the check started. */
  put_approval(w, "AP-3", FX_AG1, fx_t(0));
  r = base(w, "INS-303");
  r.u.inspection.approval_id = "AP-3";
  r.u.inspection.approved_at = fx_t(0);
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R03"));
}

/* The approval record's approved_at wins over the event's, both ways. */
static void test_r03_record_time_is_authoritative(void **state) {
  world *w = *state;
  put_approval(w, "AP-4", FX_AG1, fx_t(1));
  ew_record r = base(w, "INS-304");
  r.u.inspection.approval_id = "AP-4";
  r.u.inspection.approved_at = fx_t(-24); /* the feed says the day before */
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R03");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "reason"), "approved_after_start");
  assert_string_equal(h_fact(a, "approved_at"), "2025-03-04T10:00:00+08:00");
  assert_string_equal(h_fact(a, "approved_at_source"), "record");
  assert_string_equal(h_fact(a, "event_approved_at"),
                      "2025-03-03T09:00:00+08:00");
  /* The feed claims after the start, the filing says before: clean. */
  put_approval(w, "AP-5", FX_AG1, fx_t(-2));
  r = base(w, "INS-305");
  r.u.inspection.approval_id = "AP-5";
  r.u.inspection.approved_at = fx_t(3);
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R03"));
  /* Without the record requirement the event's time is all there is. */
  w->h.cfg.r03.require_approval_record = 0;
  r = base(w, "INS-306");
  r.u.inspection.approval_id = "AP-NOT-FILED";
  r.u.inspection.approved_at = fx_t(1);
  h_must_apply(&w->h, &r);
  a = h_find(&w->h, "R03");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "reason"), "approved_after_start");
  assert_string_equal(h_fact(a, "approved_at_source"), "event");
  assert_string_equal(h_fact(a, "event_approved_at"), "");
  /* An approval id without any time cannot show approval in advance. */
  r = base(w, "INS-307");
  r.u.inspection.approval_id = "AP-NOT-FILED";
  r.u.inspection.approved_at = EW_NONE;
  h_must_apply(&w->h, &r);
  a = h_find(&w->h, "R03");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "reason"), "no_approval");
  assert_string_equal(h_fact(a, "approval_id"), "AP-NOT-FILED");
  assert_string_equal(h_fact(a, "approved_at"), "not_stated");
  assert_non_null(strstr(a->message, "未载明审批时间"));
}

static void test_r03_approval_not_on_file(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-310");
  r.u.inspection.approval_id = "AP-NOPE";
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R03");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "reason"), "approval_not_on_file");
  assert_string_equal(h_fact(a, "approval_id"), "AP-NOPE");
  /* Only the event's time is known, and it is before the start. */
  assert_string_equal(h_fact(a, "approved_at_source"), "event");
  assert_string_equal(h_fact(a, "problems"), "");
  assert_non_null(strstr(a->message, "AP-NOPE在审批备案记录中不存在"));
  /* Near miss: the requirement switched off. */
  w->h.cfg.r03.require_approval_record = 0;
  r = base(w, "INS-311");
  r.u.inspection.approval_id = "AP-NOPE";
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R03"));
}

static void test_r03_approval_of_other_agency(void **state) {
  world *w = *state;
  put_approval(w, "AP-AG2", FX_AG2, fx_t(-24));
  ew_record r = base(w, "INS-312");
  r.u.inspection.approval_id = "AP-AG2";
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R03");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "reason"), "approval_other_agency");
  assert_string_equal(h_fact(a, "approval_agency"), FX_AG2);
  assert_non_null(strstr(a->message, "临夏市市场监督管理局"));
}

static void test_r03_approval_of_other_enterprise_or_inspection(void **state) {
  world *w = *state;
  ew_record ap = fx_approval(&w->h.a, "AP-E2", FX_AG1, fx_t(-24));
  ap.u.approval.enterprise_uscc = FX_ENT2;
  h_must_apply(&w->h, &ap);
  ew_record r = base(w, "INS-313");
  r.u.inspection.approval_id = "AP-E2";
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R03");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "reason"), "approval_other_enterprise");
  assert_string_equal(h_fact(a, "approval_enterprise"), FX_ENT2);

  ap = fx_approval(&w->h.a, "AP-I9", FX_AG1, fx_t(-24));
  ap.u.approval.enterprise_uscc = FX_ENT;
  ap.u.approval.inspection_id = "INS-999";
  h_must_apply(&w->h, &ap);
  r = base(w, "INS-314");
  r.u.inspection.approval_id = "AP-I9";
  h_must_apply(&w->h, &r);
  a = h_find(&w->h, "R03");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "reason"), "approval_other_inspection");
  assert_string_equal(h_fact(a, "approval_inspection_id"), "INS-999");

  /* Near miss: the approval names this enterprise and this inspection. */
  ap = fx_approval(&w->h.a, "AP-315", FX_AG1, fx_t(-24));
  ap.u.approval.enterprise_uscc = FX_ENT;
  ap.u.approval.inspection_id = "INS-315";
  h_must_apply(&w->h, &ap);
  r = base(w, "INS-315");
  r.u.inspection.approval_id = "AP-315";
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R03"));
}

static void test_r03_approval_expired(void **state) {
  world *w = *state;
  ew_record ap = fx_approval(&w->h.a, "AP-OLD", FX_AG1, fx_day(2025, 2, 1));
  ap.u.approval.valid_until = fx_t(0) - 1;
  h_must_apply(&w->h, &ap);
  ew_record r = base(w, "INS-316");
  r.u.inspection.approval_id = "AP-OLD";
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R03");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "reason"), "approval_expired");
  assert_string_equal(h_fact(a, "valid_until"),
                      "2025-03-04T08:59:59.999+08:00");
  assert_non_null(strstr(a->message, "已于2025-03-04 08:59失效"));
  /* Near miss: valid until the start itself. */
  ap.u.approval.valid_until = fx_t(0);
  h_must_apply(&w->h, &ap);
  r = base(w, "INS-317");
  r.u.inspection.approval_id = "AP-OLD";
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R03"));
}

/* Several problems: the first is the reason, all are listed. */
static void test_r03_several_problems(void **state) {
  world *w = *state;
  put_approval(w, "AP-X", FX_AG2, fx_t(5));
  ew_record r = base(w, "INS-318");
  r.u.inspection.approval_id = "AP-X";
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R03");
  assert_non_null(a);
  assert_int_equal(h_count(&w->h, "R03"), 1);
  assert_string_equal(h_fact(a, "reason"), "approval_other_agency");
  assert_string_equal(h_fact(a, "problems"),
                      "approval_other_agency,approved_after_start");
}

/* An emergency check started on Friday 2025-03-07 may be approved by the
 * end of the next working day, Monday 03-10. */
static void test_r03_emergency_grace_across_weekend(void **state) {
  world *w = *state;
  ew_time fri = at("2025-03-07T10:00:00+08:00");
  put_approval(w, "AP-MON", FX_AG1, at("2025-03-10T17:00:00+08:00"));
  ew_record r = base_at(w, "INS-320", at("2025-03-10T17:30:00+08:00"));
  r.u.inspection.emergency = 1;
  r.u.inspection.started_at = fri;
  r.u.inspection.approval_id = "AP-MON";
  r.u.inspection.approved_at = at("2025-03-10T17:00:00+08:00");
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R03"));
  /* Not an emergency: the same approval is late. */
  r = base_at(w, "INS-321", at("2025-03-10T17:30:00+08:00"));
  r.u.inspection.started_at = fri;
  r.u.inspection.approval_id = "AP-MON";
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R03");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "reason"), "approved_after_start");
  /* Approved on Tuesday, two working days later: late even so. */
  put_approval(w, "AP-TUE", FX_AG1, at("2025-03-11T09:00:00+08:00"));
  r = base_at(w, "INS-322", at("2025-03-11T09:30:00+08:00"));
  r.u.inspection.emergency = 1;
  r.u.inspection.started_at = fri;
  r.u.inspection.approval_id = "AP-TUE";
  h_must_apply(&w->h, &r);
  a = h_find(&w->h, "R03");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_MEDIUM);
  assert_string_equal(h_fact(a, "reason"), "emergency_approval_late");
  assert_string_equal(h_fact(a, "emergency"), "true");
  assert_string_equal(h_fact(a, "grace_workdays"), "1");
  assert_string_equal(h_fact(a, "deadline"), "2025-03-10T23:59:59.999+08:00");
  assert_string_equal(h_fact(a, "limit"), "2025-03-10T23:59:59.999+08:00");
  assert_string_equal(h_fact(a, "approved_at"), "2025-03-11T09:00:00+08:00");
  assert_non_null(strstr(a->message, "补办期限2025-03-10 23:59"));
  /* Two working days of grace make Tuesday fine. */
  w->h.cfg.r03.emergency_grace_workdays = 2;
  r = base_at(w, "INS-323", at("2025-03-11T09:30:00+08:00"));
  r.u.inspection.emergency = 1;
  r.u.inspection.started_at = fri;
  r.u.inspection.approval_id = "AP-TUE";
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R03"));
}

/* The grace follows the calendar: started the Monday before the 2025
 * Spring Festival, the next working day is Wednesday 02-05. */
static void test_r03_emergency_grace_over_holiday(void **state) {
  world *w = *state;
  static const char *const off[] = {"2025-01-28", "2025-01-29", "2025-01-30",
                                    "2025-01-31", "2025-02-03", "2025-02-04"};
  put_approval(w, "AP-CNY", FX_AG1, at("2025-02-05T10:00:00+08:00"));
  ew_record r = base_at(w, "INS-330", at("2025-02-05T10:30:00+08:00"));
  r.u.inspection.emergency = 1;
  r.u.inspection.started_at = at("2025-01-27T15:00:00+08:00");
  r.u.inspection.approval_id = "AP-CNY";
  /* Without the holiday records, Tuesday 01-28 was the deadline. */
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R03");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "deadline"), "2025-01-28T23:59:59.999+08:00");
  for (size_t i = 0; i < sizeof off / sizeof off[0]; i++)
    put_day(w, off[i], 0);
  r = base_at(w, "INS-331", at("2025-02-05T10:30:00+08:00"));
  r.u.inspection.emergency = 1;
  r.u.inspection.started_at = at("2025-01-27T15:00:00+08:00");
  r.u.inspection.approval_id = "AP-CNY";
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R03"));
}

/* An emergency without approval yet is pending while the snapshot is
 * within the grace, and a finding once a snapshot comes after it. */
static void test_r03_emergency_pending_then_missing(void **state) {
  world *w = *state;
  ew_time fri = at("2025-03-07T10:00:00+08:00");
  ew_record r = base_at(w, "INS-340", at("2025-03-07T10:10:00+08:00"));
  r.u.inspection.emergency = 1;
  r.u.inspection.started_at = fri;
  r.u.inspection.approval_id = NULL;
  r.u.inspection.approved_at = EW_NONE;
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R03"));
  r = base_at(w, "INS-340", at("2025-03-11T08:00:00+08:00"));
  r.u.inspection.emergency = 1;
  r.u.inspection.status = EW_INSP_ENDED;
  r.u.inspection.started_at = fri;
  r.u.inspection.ended_at = fri + 3600 * 1000;
  r.u.inspection.approval_id = NULL;
  r.u.inspection.approved_at = EW_NONE;
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R03");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "reason"), "no_approval");
  assert_string_equal(h_fact(a, "emergency"), "true");
  assert_string_equal(h_fact(a, "deadline"), "2025-03-10T23:59:59.999+08:00");
  /* The snapshot comes after the deadline and the clock has not passed it
   * (the harness moves no clock): the subject's own wake-up fires first,
   * so the finding is dated at the deadline, as `check` dates it. */
  assert_int_equal(a->detected_at, at("2025-03-10T23:59:59.999+08:00"));
  assert_non_null(strstr(a->message, "仍未办理审批手续"));
  /* A later snapshot citing a timely approval withdraws it. */
  put_approval(w, "AP-340", FX_AG1, at("2025-03-10T09:00:00+08:00"));
  r = base_at(w, "INS-340", at("2025-03-11T09:00:00+08:00"));
  r.u.inspection.emergency = 1;
  r.u.inspection.status = EW_INSP_ENDED;
  r.u.inspection.started_at = fri;
  r.u.inspection.ended_at = fri + 3600 * 1000;
  r.u.inspection.approval_id = "AP-340";
  h_must_apply(&w->h, &r);
  a = h_find(&w->h, "R03");
  assert_non_null(a);
  assert_int_equal(a->status, EW_AST_WITHDRAWN);
}

static void test_r03_started_at_missing_uses_event_time(void **state) {
  world *w = *state;
  put_approval(w, "AP-L", FX_AG1, fx_t(5));
  ew_record r = base_at(w, "INS-350", fx_t(3));
  r.u.inspection.started_at = EW_NONE;
  r.u.inspection.approval_id = "AP-L";
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R03");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "reason"), "approved_after_start");
  assert_string_equal(h_fact(a, "started_at"), "2025-03-04T12:00:00+08:00");
  assert_string_equal(h_fact(a, "started_at_source"), "event_time");
}

static void test_r03_statuses_and_switch(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-360");
  r.u.inspection.status = EW_INSP_PLANNED;
  r.u.inspection.approval_id = NULL;
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R03"));
  r = base(w, "INS-360");
  r.u.inspection.approval_id = NULL;
  h_must_apply(&w->h, &r);
  assert_non_null(h_find(&w->h, "R03"));
  r = base(w, "INS-360");
  r.u.inspection.status = EW_INSP_CANCELLED;
  r.u.inspection.approval_id = NULL;
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R03");
  assert_non_null(a);
  assert_int_equal(a->status, EW_AST_WITHDRAWN);
  w->h.cfg.r03.c.enabled = 0;
  r = base(w, "INS-361");
  r.u.inspection.approval_id = NULL;
  h_must_apply(&w->h, &r);
  assert_int_equal(w->h.n, 0);
}

/* ------------------------------------------------------------ R08a --- */

static void test_r08a_penalty_compulsory_without_full_av(void **state) {
  world *w = *state;
  ew_record p = base_penalty(w, "临市监罚〔2025〕81号");
  int measures[] = {EW_CM_SEAL, EW_CM_SEIZE};
  p.u.penalty.compulsory_measures.v = measures;
  p.u.penalty.compulsory_measures.n = 2;
  p.u.penalty.av_coverage = EW_AV_PARTIAL;
  h_must_apply(&w->h, &p);
  const ew_alert *a = h_find(&w->h, "R08a");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_HIGH);
  assert_int_equal(a->subject_type, EW_SUBJ_PENALTY);
  assert_string_equal(a->subject_id, "临市监罚〔2025〕81号");
  assert_string_equal(a->legal_basis,
                      "临州办发〔2023〕18号 ¶3；国办发〔2018〕118号");
  assert_string_equal(h_fact(a, "reason"), "av_not_full");
  assert_string_equal(h_fact(a, "measures"), "SEAL,SEIZE");
  assert_string_equal(h_fact(a, "av_coverage"), "PARTIAL");
  assert_string_equal(h_fact(a, "required"), "FULL");
  assert_non_null(strstr(a->message, "查封、扣押"));
  /* Near miss: recorded in full. */
  p = base_penalty(w, "临市监罚〔2025〕82号");
  p.u.penalty.compulsory_measures.v = measures;
  p.u.penalty.compulsory_measures.n = 2;
  h_must_apply(&w->h, &p);
  assert_null(h_find(&w->h, "R08a"));
  /* Near miss: no compulsory measure, no recording. */
  p = base_penalty(w, "临市监罚〔2025〕83号");
  p.u.penalty.av_coverage = EW_AV_NONE;
  h_must_apply(&w->h, &p);
  assert_null(h_find(&w->h, "R08a"));
}

/* The measure is taken before the decision: a case in progress counts;
 * and only the configured measures do. */
static void test_r08a_case_in_progress_and_config(void **state) {
  world *w = *state;
  int seize[] = {EW_CM_SEIZE}, both[] = {EW_CM_SEAL, EW_CM_ENFORCE};
  ew_record p = base_penalty(w, "临市监罚〔2025〕84号");
  p.u.penalty.decided_at = EW_NONE;
  p.u.penalty.compulsory_measures.v = seize;
  p.u.penalty.compulsory_measures.n = 1;
  p.u.penalty.av_coverage = EW_AV_NONE;
  h_must_apply(&w->h, &p);
  const ew_alert *a = h_find(&w->h, "R08a");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "measures"), "SEIZE");
  assert_string_equal(h_fact(a, "av_coverage"), "NONE");
  w->h.cfg.r08a.compulsory_measures = 1u << EW_CM_ENFORCE;
  p = base_penalty(w, "临市监罚〔2025〕85号");
  p.u.penalty.compulsory_measures.v = seize;
  p.u.penalty.compulsory_measures.n = 1;
  p.u.penalty.av_coverage = EW_AV_NONE;
  h_must_apply(&w->h, &p);
  assert_null(h_find(&w->h, "R08a"));
  p = base_penalty(w, "临市监罚〔2025〕86号");
  p.u.penalty.compulsory_measures.v = both;
  p.u.penalty.compulsory_measures.n = 2;
  p.u.penalty.av_coverage = EW_AV_NONE;
  h_must_apply(&w->h, &p);
  a = h_find(&w->h, "R08a");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "measures"), "ENFORCE");
}

static void test_r08a_production_halted(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-801");
  r.u.inspection.production_halted = 1;
  r.u.inspection.av_coverage = EW_AV_PARTIAL;
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R08a");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_HIGH);
  assert_string_equal(h_fact(a, "reason"), "av_not_full");
  assert_string_equal(h_fact(a, "production_halted"), "true");
  assert_string_equal(h_fact(a, "av_coverage"), "PARTIAL");
  assert_string_equal(h_fact(a, "av_records"), "1");
  assert_non_null(strstr(a->message, "责令企业停产"));
  assert_null(h_find(&w->h, "R08b")); /* partial video is video */
  /* FULL claimed with no recording named: R08a, and R08b for the check. */
  r = base(w, "INS-802");
  r.u.inspection.production_halted = 1;
  r.u.inspection.av_record_ids.n = 0;
  h_must_apply(&w->h, &r);
  a = h_find(&w->h, "R08a");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "reason"), "no_av_record_ids");
  assert_string_equal(h_fact(a, "av_records"), "0");
  assert_non_null(h_find(&w->h, "R08b"));
  /* Near miss: halted, recorded in full. */
  r = base(w, "INS-803");
  r.u.inspection.production_halted = 1;
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R08a"));
}

/* ------------------------------------------------------------ R08b --- */

static void test_r08b_on_site_without_av(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-810");
  r.u.inspection.av_coverage = EW_AV_NONE;
  r.u.inspection.av_record_ids.n = 0;
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R08b");
  assert_non_null(a);
  assert_int_equal(w->h.n, 1);
  assert_int_equal(a->severity, EW_SEV_LOW);
  assert_string_equal(
      a->legal_basis,
      "临州办发〔2023〕18号 ¶3；国办发〔2018〕118号；国办发〔2017〕14号");
  assert_string_equal(h_fact(a, "reason"), "av_coverage_none");
  assert_string_equal(h_fact(a, "mode"), "ON_SITE");
  assert_string_equal(h_fact(a, "av_coverage"), "NONE");
  assert_string_equal(h_fact(a, "av_records"), "0");
  assert_string_equal(h_fact(a, "required"), "av_records>=1,av_coverage!=NONE");
  assert_non_null(strstr(a->message, "未进行音像记录"));
  /* Coverage claimed, no recording named. */
  r = base(w, "INS-811");
  r.u.inspection.av_record_ids.n = 0;
  h_must_apply(&w->h, &r);
  a = h_find(&w->h, "R08b");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "reason"), "no_av_record_ids");
  assert_string_equal(h_fact(a, "av_coverage"), "FULL");
  /* NONE with a recording id still says there was no recording. */
  r = base(w, "INS-812");
  r.u.inspection.av_coverage = EW_AV_NONE;
  h_must_apply(&w->h, &r);
  a = h_find(&w->h, "R08b");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "reason"), "av_coverage_none");
  assert_string_equal(h_fact(a, "av_records"), "1");
}

static void test_r08b_near_misses(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-813");
  r.u.inspection.av_coverage = EW_AV_PARTIAL;
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R08b"));
  r = base(w, "INS-814");
  r.u.inspection.mode = EW_MODE_REMOTE;
  r.u.inspection.av_coverage = EW_AV_NONE;
  r.u.inspection.av_record_ids.n = 0;
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R08b"));
  r = base(w, "INS-815");
  r.u.inspection.status = EW_INSP_PLANNED;
  r.u.inspection.av_coverage = EW_AV_NONE;
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R08b"));
  /* Configured to cover remote checks too. */
  w->h.cfg.r08b.modes |= 1u << EW_MODE_REMOTE;
  r = base(w, "INS-816");
  r.u.inspection.mode = EW_MODE_REMOTE;
  r.u.inspection.av_coverage = EW_AV_NONE;
  r.u.inspection.av_record_ids.n = 0;
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R08b");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "mode"), "REMOTE");
}

/* ------------------------------------------------------------ R08c --- */

static void test_r08c_ended_without_written_record(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-820");
  r.u.inspection.written_record_id = NULL;
  h_must_apply(&w->h, &r); /* STARTED: the record may still be written */
  assert_null(h_find(&w->h, "R08c"));
  r = base(w, "INS-820");
  r.u.inspection.status = EW_INSP_ENDED;
  r.u.inspection.ended_at = fx_t(3);
  r.u.inspection.written_record_id = NULL;
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R08c");
  assert_non_null(a);
  assert_int_equal(w->h.n, 1);
  assert_int_equal(a->severity, EW_SEV_MEDIUM);
  assert_string_equal(a->legal_basis, "临州办发〔2023〕18号 ¶3");
  assert_string_equal(h_fact(a, "reason"), "no_written_record");
  assert_string_equal(h_fact(a, "written_record_id"), "missing");
  assert_string_equal(h_fact(a, "status"), "ENDED");
  assert_non_null(strstr(a->message, "INS-820已结束，但未载明检查笔录"));
  /* The feed sends the record id later: withdrawn. */
  r = base(w, "INS-820");
  r.u.inspection.status = EW_INSP_ENDED;
  r.u.inspection.ended_at = fx_t(3);
  h_must_apply(&w->h, &r);
  a = h_find(&w->h, "R08c");
  assert_non_null(a);
  assert_int_equal(a->status, EW_AST_WITHDRAWN);
}

static void test_r08c_any_mode_and_empty_id(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-821");
  r.u.inspection.status = EW_INSP_ENDED;
  r.u.inspection.mode = EW_MODE_DOCUMENT_REVIEW;
  r.u.inspection.written_record_id = "";
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R08c");
  assert_non_null(a);
  assert_non_null(strstr(a->message, "书面检查INS-821"));
  r = base(w, "INS-822");
  r.u.inspection.status = EW_INSP_ENDED;
  r.u.inspection.mode = EW_MODE_DOCUMENT_REVIEW;
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R08c"));
}

/* ------------------------------------------------------------- R17 --- */

static void test_r17_remote_capable_item_on_site(void **state) {
  world *w = *state;
  put_sampling_item(w, "C13-01", FX_AG1, 1);
  ew_record r = base(w, "INS-170");
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R17");
  assert_non_null(a);
  assert_int_equal(w->h.n, 1);
  assert_int_equal(a->severity, EW_SEV_LOW);
  assert_string_equal(a->legal_basis, "临州办发〔2023〕18号 ¶9");
  assert_string_equal(h_fact(a, "remote_capable_items"), "C13-01");
  assert_string_equal(h_fact(a, "check_items"), "1");
  assert_string_equal(h_fact(a, "onsite_justification"), "missing");
  assert_string_equal(h_fact(a, "mode"), "ON_SITE");
  assert_string_equal(h_fact(a, "items_not_on_file"), "");
  assert_non_null(strstr(a->message, "C13-01已列为可通过非现场方式检查"));
  /* A justification of blanks (ASCII and U+3000) is none. */
  r = base(w, "INS-171");
  r.u.inspection.onsite_justification = " \t\xe3\x80\x80";
  h_must_apply(&w->h, &r);
  assert_non_null(h_find(&w->h, "R17"));
  /* Several items: the remote-capable ones, and those not on file. */
  r = base(w, "INS-172");
  r.u.inspection.check_items = fx_strv(&w->h.a, 3, "X-9", "C13-01", "C13-01");
  h_must_apply(&w->h, &r);
  a = h_find(&w->h, "R17");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "remote_capable_items"), "C13-01");
  assert_string_equal(h_fact(a, "items_not_on_file"), "X-9");
  assert_string_equal(h_fact(a, "check_items"), "3");
}

static void test_r17_near_misses(void **state) {
  world *w = *state;
  put_sampling_item(w, "C13-01", FX_AG1, 1);
  ew_record r = base(w, "INS-173");
  r.u.inspection.onsite_justification = "需现场核查冷库温控设备";
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R17"));
  r = base(w, "INS-174");
  r.u.inspection.mode = EW_MODE_REMOTE;
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R17"));
  r = base(w, "INS-175");
  r.u.inspection.status = EW_INSP_PLANNED;
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R17"));
  /* Not remote-capable, another agency's list, not on file at all. */
  put_sampling_item(w, "C13-02", FX_AG1, 0);
  put_sampling_item(w, "C13-03", FX_AG2, 1);
  r = base(w, "INS-176");
  r.u.inspection.check_items = fx_strv(&w->h.a, 3, "C13-02", "C13-03", "X-1");
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R17"));
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_clean_base_is_silent),
      T(test_r03_no_approval_fires),
      T(test_r03_approved_after_start),
      T(test_r03_record_time_is_authoritative),
      T(test_r03_approval_not_on_file),
      T(test_r03_approval_of_other_agency),
      T(test_r03_approval_of_other_enterprise_or_inspection),
      T(test_r03_approval_expired),
      T(test_r03_several_problems),
      T(test_r03_emergency_grace_across_weekend),
      T(test_r03_emergency_grace_over_holiday),
      T(test_r03_emergency_pending_then_missing),
      T(test_r03_started_at_missing_uses_event_time),
      T(test_r03_statuses_and_switch),
      T(test_r08a_penalty_compulsory_without_full_av),
      T(test_r08a_case_in_progress_and_config),
      T(test_r08a_production_halted),
      T(test_r08b_on_site_without_av),
      T(test_r08b_near_misses),
      T(test_r08c_ended_without_written_record),
      T(test_r08c_any_mode_and_empty_id),
      T(test_r17_remote_capable_item_on_site),
      T(test_r17_near_misses),
  };
#undef T
  return cmocka_run_group_tests(tests, NULL, NULL);
}
