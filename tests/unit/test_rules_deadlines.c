/*
 * test_rules_deadlines.c - the deadline rules through the engine: R03's
 * emergency grace, R04 (ledger), R07 (publication), R12 (case duration),
 * R16c (random-task results) and R20a/R20b (complaints). For each rule id:
 * a case that fires, a near miss done in time, the act done late, the
 * wake-up (the deadline passes with no new snapshot: the engine clock is
 * advanced past it and the alert appears with detected_at = the deadline),
 * severity escalation where the rule has two levels (R12, R20), and a
 * working-day deadline across the 2025 National Day holiday.
 *
 * The world: agency FX_AG1 with its standing approval (engine_harness.h),
 * officers O1/O2 with valid certificates and a FILED 2025 plan for C13-01,
 * so that the base inspection (Tuesday 2025-03-04 09:00) is clean for every
 * other rule. The clock moves only through advance(), as the daemon's does;
 * feed() advances it to a snapshot's event_time first, as `check` does.
 *
 * Deadlines used below (no calendar records unless a test adds them):
 * 5 WD after Tue 03-04 is Tue 03-11; 7 WD is Thu 03-13; 20 WD is Tue 04-01;
 * 5 WD after Mon 03-03 is Mon 03-10, 10 WD Mon 03-17.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "calendar.h"
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
  ew_record c1 = fx_cert(a, "C1", "O1", FX_AG1);
  ew_record c2 = fx_cert(a, "C2", "O2", FX_AG1);
  ew_record p = fx_plan(a, "P1", FX_AG1);
  fx_plan_item(a, &p.u.plan, "I1", "C13-01", fx_day(2025, 1, 1),
               fx_day(2025, 12, 31));
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

static ew_time at(const char *iso) {
  ew_time t;
  if (ew_time_parse(iso, strlen(iso), &t) != 0)
    fail_msg("bad time %s", iso);
  return t;
}

static const char *fmt(ew_time t, char *buf) {
  return ew_time_format(t, buf);
}

/* Moves the engine clock to `t` in a transaction, as the daemon's tick
 * does; h->out then holds what the wake-ups due by `t` emitted. */
static void advance(world *w, ew_time t) {
  w->h.n = 0;
  w->h.nn = 0;
  assert_int_equal(ew_store_begin(w->h.store), 0);
  if (ew_engine_advance(w->h.engine, t) != 0)
    fail_msg("advance: %s", ew_engine_errmsg(w->h.engine));
  assert_int_equal(ew_store_commit(w->h.store), 0);
}

/* The clock moves to the record's time (check and the daemon do so before
 * applying it), then the record is applied; h->out holds what the record
 * emitted. */
static void feed(world *w, const ew_record *rec) {
  ew_time t = ew_record_event_time(rec);
  if (rec->kind == EW_REC_RANDOM_TASK)
    t = rec->u.random_task.drawn_at;
  advance(w, t);
  h_must_apply(&w->h, rec);
}

static void put_day(world *w, const char *date, int workday) {
  ew_record r;
  r.kind = EW_REC_CALENDAR_DAY;
  ew_rtype_init(ew_rtype_of(r.kind), &r.u);
  r.u.calendar_day.date = ew_arena_strdup(&w->h.a, date);
  r.u.calendar_day.is_workday = (int8_t)workday;
  h_must_apply(&w->h, &r);
}

/* The 2025 National Day holiday: 10-01 .. 10-08 off, Sunday 09-28 and
 * Saturday 10-11 worked (国务院办公厅 2024 notice). */
static void national_day_2025(world *w) {
  static const char *const off[] = {"2025-10-01", "2025-10-02", "2025-10-03",
                                    "2025-10-04", "2025-10-05", "2025-10-06",
                                    "2025-10-07", "2025-10-08"};
  for (size_t i = 0; i < sizeof off / sizeof off[0]; i++)
    put_day(w, off[i], 0);
  put_day(w, "2025-09-28", 1);
  put_day(w, "2025-10-11", 1);
}

static const char *next_eid(world *w) {
  char eid[32];
  snprintf(eid, sizeof eid, "ev-%d", ++w->next_event);
  return ew_arena_strdup(&w->h.a, eid);
}

/* The clean base inspection, ENDED at `ended` (started 2 h before) and
 * recorded at `et`, its ledger registered an hour after the end and signed
 * by both officers. */
static ew_record ended_at(world *w, const char *id, ew_time ended, ew_time et) {
  ew_record r = fx_inspection(&w->h.a, next_eid(w), id, et);
  ew_inspection *in = &r.u.inspection;
  fx_officer(&w->h.a, in->officers, "O1", "C1", 1);
  fx_officer(&w->h.a, in->officers, "O2", "C2", 1);
  in->status = EW_INSP_ENDED;
  in->started_at = ended - 2 * 3600 * 1000;
  in->ended_at = ended;
  in->approved_at = in->started_at - 24 * 3600 * 1000;
  in->result = EW_RES_NO_ISSUE;
  in->ledger_registered_at = ended + 3600 * 1000;
  in->ledger_signed_by = fx_strv(&w->h.a, 2, "O1", "O2");
  return r;
}

/* The base penalty (decided Tuesday 2025-03-04 09:00, GENERAL procedure),
 * recorded at `et`. */
static ew_record penalty_at(world *w, const char *no, ew_time et) {
  ew_record r = fx_penalty(&w->h.a, next_eid(w), no, et);
  fx_officer(&w->h.a, r.u.penalty.officers, "O1", "C1", 1);
  fx_officer(&w->h.a, r.u.penalty.officers, "O2", "C2", 1);
  r.u.penalty.av_coverage = EW_AV_FULL;
  return r;
}

/* A complaint handled by FX_AG1, received at `received`, recorded at `et`,
 * status RECEIVED. */
static ew_record complaint_at(world *w, const char *id, int subject_type,
                              ew_time received, ew_time et) {
  ew_record r;
  r.kind = EW_REC_COMPLAINT;
  ew_rtype_init(ew_rtype_of(r.kind), &r.u);
  ew_complaint *c = &r.u.complaint;
  c->event_id = next_eid(w);
  c->event_time = et;
  c->complaint_id = ew_arena_strdup(&w->h.a, id);
  c->received_at = received;
  c->channel = EW_CHAN_HOTLINE_12345;
  c->subject_type = subject_type;
  c->enterprise_uscc = ew_arena_strdup(&w->h.a, FX_ENT);
  c->category = EW_CAT_OTHER;
  c->handling_agency_uscc = ew_arena_strdup(&w->h.a, FX_AG1);
  c->status = EW_CST_RECEIVED;
  return r;
}

/* The one alert of `rule` the last apply or advance emitted. */
static const ew_alert *one(world *w, const char *rule) {
  assert_int_equal(h_count(&w->h, rule), 1);
  return h_find(&w->h, rule);
}

static void assert_deadline_alert(const ew_alert *a, int severity,
                                  ew_time detected, ew_time due) {
  char t1[EW_TIME_BUFSZ], t2[EW_TIME_BUFSZ];
  assert_non_null(a);
  assert_int_equal(a->status, EW_AST_OPEN);
  assert_int_equal(a->severity, severity);
  if (a->detected_at != detected || a->due_at != due)
    fail_msg("detected_at %s due_at %s, wanted %s and %s",
             fmt(a->detected_at, t1), fmt(a->due_at, t2), fmt(detected, t1),
             fmt(due, t2));
}

/* ------------------------------------------------------------- R03 --- */

/* An emergency check started Friday 03-07 without approval: pending during
 * the 1-WD grace (Monday 03-10), a finding when the clock passes it with no
 * snapshot after it, detected at the deadline; a snapshot then citing an
 * approval given in time withdraws it. */
static void test_r03_emergency_wake_up(void **state) {
  world *w = *state;
  ew_time fri = at("2025-03-07T10:00:00+08:00");
  ew_time due = at("2025-03-10T23:59:59.999+08:00");
  ew_record r = ended_at(w, "INS-03", fri + 7200000, fri + 7800000);
  r.u.inspection.status = EW_INSP_STARTED;
  r.u.inspection.ended_at = EW_NONE;
  r.u.inspection.started_at = fri;
  r.u.inspection.emergency = 1;
  r.u.inspection.approval_id = NULL;
  r.u.inspection.approved_at = EW_NONE;
  feed(w, &r);
  assert_int_equal(h_count(&w->h, "R03"), 0);
  advance(w, due);
  assert_int_equal(w->h.n, 0);
  advance(w, due + 1);
  const ew_alert *a = one(w, "R03");
  assert_deadline_alert(a, EW_SEV_MEDIUM, due, due);
  assert_string_equal(h_fact(a, "reason"), "no_approval");
  assert_string_equal(h_fact(a, "deadline"), "2025-03-10T23:59:59.999+08:00");
  assert_non_null(strstr(a->message, "仍未办理审批手续"));
  /* The approval, given Monday, is reported on Tuesday: in time. */
  ew_record ap =
      fx_approval(&w->h.a, "AP-03", FX_AG1, at("2025-03-10T09:00:00+08:00"));
  h_must_apply(&w->h, &ap);
  r.u.inspection.event_id = next_eid(w);
  r.u.inspection.event_time = at("2025-03-11T09:00:00+08:00");
  r.u.inspection.approval_id = "AP-03";
  feed(w, &r);
  a = one(w, "R03");
  assert_int_equal(a->status, EW_AST_WITHDRAWN);
}

/* Near miss: the emergency's approval arrives within the grace; the wake-up
 * asked for by the first snapshot is replaced by none. */
static void test_r03_emergency_approved_in_time_near_miss(void **state) {
  world *w = *state;
  ew_time fri = at("2025-03-07T10:00:00+08:00");
  ew_record r = ended_at(w, "INS-03B", fri + 7200000, fri + 600000);
  r.u.inspection.status = EW_INSP_STARTED;
  r.u.inspection.ended_at = EW_NONE;
  r.u.inspection.started_at = fri;
  r.u.inspection.emergency = 1;
  r.u.inspection.approval_id = NULL;
  r.u.inspection.approved_at = EW_NONE;
  feed(w, &r);
  ew_record ap =
      fx_approval(&w->h.a, "AP-03B", FX_AG1, at("2025-03-10T09:00:00+08:00"));
  h_must_apply(&w->h, &ap);
  r.u.inspection.event_id = next_eid(w);
  r.u.inspection.event_time = at("2025-03-10T09:30:00+08:00");
  r.u.inspection.approval_id = "AP-03B";
  feed(w, &r);
  assert_int_equal(h_count(&w->h, "R03"), 0);
  advance(w, at("2025-04-30T00:00:00+08:00"));
  assert_int_equal(w->h.n, 0);
}

/* ------------------------------------------------------------- R04 --- */

static void test_r04_unregistered_fires_at_deadline(void **state) {
  world *w = *state;
  ew_time end = fx_t(2), due = at("2025-03-11T23:59:59.999+08:00");
  ew_record r = ended_at(w, "INS-04", end, end + 600000);
  r.u.inspection.ledger_registered_at = EW_NONE;
  r.u.inspection.ledger_signed_by = fx_strv(&w->h.a, 0);
  feed(w, &r);
  assert_int_equal(h_count(&w->h, "R04"), 0); /* the deadline is to come */
  advance(w, due);
  assert_int_equal(w->h.n, 0);
  advance(w, due + 1);
  const ew_alert *a = one(w, "R04");
  assert_deadline_alert(a, EW_SEV_LOW, due, due);
  assert_string_equal(a->legal_basis, "临州办发〔2023〕18号 ¶1");
  assert_string_equal(h_fact(a, "reason"), "not_registered");
  assert_string_equal(h_fact(a, "problems"), "not_registered,unsigned");
  assert_string_equal(h_fact(a, "deadline"), "2025-03-11T23:59:59.999+08:00");
  assert_string_equal(h_fact(a, "limit_workdays"), "5");
  assert_string_equal(h_fact(a, "ledger_registered_at"), "none");
  assert_string_equal(h_fact(a, "officers_listed"), "2");
  assert_string_equal(h_fact(a, "officers_unsigned"), "O1,O2");
  assert_string_equal(a->message,
                      "临夏州市场监督管理局对企业" FX_ENT
                      "的现场检查INS-04于2025-03-04结束，至期限2025-03-11（结束"
                      "后5个工作日）仍未登记检查台账。");
  /* The same state sent again later changes nothing: facts do not depend
   * on the clock. */
  r.u.inspection.event_id = next_eid(w);
  r.u.inspection.event_time = at("2025-03-20T10:00:00+08:00");
  feed(w, &r);
  assert_int_equal(h_count(&w->h, "R04"), 0);
}

static void test_r04_registered_in_time_near_miss(void **state) {
  world *w = *state;
  ew_time end = fx_t(2);
  ew_record r = ended_at(w, "INS-04B", end, end + 600000);
  r.u.inspection.ledger_registered_at = at("2025-03-11T17:00:00+08:00");
  feed(w, &r);
  advance(w, at("2025-06-30T00:00:00+08:00"));
  assert_int_equal(w->h.n, 0);
  /* The clock is long past the deadline: a late snapshot repeating the
   * timely ledger (say, with the result published) finds nothing. */
  r.u.inspection.event_id = next_eid(w);
  r.u.inspection.event_time = at("2025-06-30T10:00:00+08:00");
  r.u.inspection.result_published_at = at("2025-03-20T10:00:00+08:00");
  feed(w, &r);
  assert_int_equal(h_count(&w->h, "R04"), 0);
}

static void test_r04_registered_late_stays_open(void **state) {
  world *w = *state;
  ew_time end = fx_t(2), due = at("2025-03-11T23:59:59.999+08:00");
  ew_record r = ended_at(w, "INS-04C", end, end + 600000);
  r.u.inspection.ledger_registered_at = EW_NONE;
  feed(w, &r);
  advance(w, due + 1);
  const ew_alert *a = one(w, "R04");
  char id[EW_ALERT_ID_BUFSZ];
  snprintf(id, sizeof id, "%s", a->alert_id);
  r.u.inspection.event_id = next_eid(w);
  r.u.inspection.event_time = at("2025-03-13T10:00:00+08:00");
  r.u.inspection.ledger_registered_at = at("2025-03-13T09:00:00+08:00");
  feed(w, &r);
  a = one(w, "R04");
  assert_deadline_alert(a, EW_SEV_LOW, due, due);
  assert_string_equal(a->alert_id, id);
  assert_string_equal(h_fact(a, "reason"), "registered_late");
  assert_string_equal(h_fact(a, "ledger_registered_at"),
                      "2025-03-13T09:00:00+08:00");
  assert_string_equal(h_fact(a, "officers_unsigned"), "none");
  assert_non_null(strstr(a->message, "迟至2025-03-13才登记"));
}

/* Registered in time, one officer's signature missing at the deadline:
 * fires; a later snapshot with every signature withdraws it (signatures
 * carry no time, see r04_ledger.c). */
static void test_r04_unsigned_officer(void **state) {
  world *w = *state;
  ew_time end = fx_t(2), due = at("2025-03-11T23:59:59.999+08:00");
  ew_record r = ended_at(w, "INS-04D", end, end + 600000);
  r.u.inspection.ledger_signed_by = fx_strv(&w->h.a, 1, "O1");
  feed(w, &r);
  advance(w, due + 1);
  const ew_alert *a = one(w, "R04");
  assert_deadline_alert(a, EW_SEV_LOW, due, due);
  assert_string_equal(h_fact(a, "reason"), "unsigned");
  assert_string_equal(h_fact(a, "problems"), "");
  assert_string_equal(h_fact(a, "officers_unsigned"), "O2");
  assert_non_null(strstr(a->message, "执法人员O2仍未在检查台账上签字"));
  r.u.inspection.event_id = next_eid(w);
  r.u.inspection.event_time = at("2025-03-14T10:00:00+08:00");
  r.u.inspection.ledger_signed_by = fx_strv(&w->h.a, 2, "O2", "O1");
  feed(w, &r);
  a = one(w, "R04");
  assert_int_equal(a->status, EW_AST_WITHDRAWN);
}

/* Ended Tuesday 09-30: the five working days skip National Day and count
 * the 调休 Saturday 10-11, so the deadline is Tuesday 10-14 (10-09 without
 * the calendar). */
static void test_r04_holiday_week(void **state) {
  world *w = *state;
  national_day_2025(w);
  ew_time end = at("2025-09-30T16:00:00+08:00");
  ew_time due = at("2025-10-14T23:59:59.999+08:00");
  ew_record r = ended_at(w, "INS-04E", end, end + 600000);
  r.u.inspection.started_at = end - 3600000;
  r.u.inspection.ledger_registered_at = EW_NONE;
  feed(w, &r);
  advance(w, at("2025-10-10T00:00:00+08:00"));
  assert_int_equal(h_count(&w->h, "R04"), 0);
  advance(w, due + 1);
  const ew_alert *a = one(w, "R04");
  assert_deadline_alert(a, EW_SEV_LOW, due, due);
  assert_string_equal(h_fact(a, "deadline"), "2025-10-14T23:59:59.999+08:00");
}

/* Not ENDED: nothing to judge, however late. */
static void test_r04_started_only_near_miss(void **state) {
  world *w = *state;
  ew_record r = ended_at(w, "INS-04F", fx_t(2), fx_t(0) + 600000);
  r.u.inspection.status = EW_INSP_STARTED;
  r.u.inspection.ended_at = EW_NONE;
  r.u.inspection.ledger_registered_at = EW_NONE;
  feed(w, &r);
  advance(w, at("2025-06-30T00:00:00+08:00"));
  assert_int_equal(h_count(&w->h, "R04"), 0);
}

/* ------------------------------------------------------------- R07 --- */

static void test_r07_penalty_unpublished(void **state) {
  world *w = *state;
  ew_time due = at("2025-03-13T23:59:59.999+08:00");
  ew_record p = penalty_at(w, "罚-07", fx_t(1));
  feed(w, &p);
  assert_int_equal(h_count(&w->h, "R07"), 0);
  advance(w, due);
  assert_int_equal(h_count(&w->h, "R07"), 0);
  advance(w, due + 1);
  const ew_alert *a = one(w, "R07");
  assert_deadline_alert(a, EW_SEV_MEDIUM, due, due);
  assert_int_equal(a->subject_type, EW_SUBJ_PENALTY);
  assert_string_equal(a->legal_basis,
                      "临州办发〔2023〕18号 ¶3；国办发〔2018〕118号");
  assert_string_equal(h_fact(a, "decision"), "penalty");
  assert_string_equal(h_fact(a, "decided_at"), "2025-03-04T09:00:00+08:00");
  assert_string_equal(h_fact(a, "procedure"), "GENERAL");
  assert_string_equal(h_fact(a, "limit_workdays"), "7");
  assert_string_equal(h_fact(a, "deadline"), "2025-03-13T23:59:59.999+08:00");
  assert_string_equal(h_fact(a, "published_at"), "none");
  assert_string_equal(a->message,
                      "临夏州市场监督管理局对企业" FX_ENT
                      "的行政处罚决定罚-07于2025-03-04作出，至公示期限2025-03-"
                      "13（作出后7个工作日）仍未公示。");
}

static void test_r07_published_in_time_near_miss(void **state) {
  world *w = *state;
  ew_record p = penalty_at(w, "罚-07B", fx_t(1));
  feed(w, &p);
  p.u.penalty.event_id = next_eid(w);
  p.u.penalty.event_time = at("2025-03-13T21:00:00+08:00");
  p.u.penalty.published_at = at("2025-03-13T20:00:00+08:00");
  feed(w, &p);
  advance(w, at("2025-06-30T00:00:00+08:00"));
  assert_int_equal(h_count(&w->h, "R07"), 0);
}

static void test_r07_published_late_stays_open(void **state) {
  world *w = *state;
  ew_time due = at("2025-03-13T23:59:59.999+08:00");
  ew_record p = penalty_at(w, "罚-07C", fx_t(1));
  feed(w, &p);
  advance(w, due + 1);
  one(w, "R07");
  p.u.penalty.event_id = next_eid(w);
  p.u.penalty.event_time = at("2025-03-20T10:00:00+08:00");
  p.u.penalty.published_at = at("2025-03-20T09:00:00+08:00");
  feed(w, &p);
  const ew_alert *a = one(w, "R07");
  assert_deadline_alert(a, EW_SEV_MEDIUM, due, due);
  assert_string_equal(h_fact(a, "published_at"), "2025-03-20T09:00:00+08:00");
  assert_non_null(strstr(a->message, "迟至2025-03-20才公示"));
}

/* A SIMPLE (当场) decision is not published; a decision revoked before the
 * deadline has nothing to publish. */
static void test_r07_exempt_near_misses(void **state) {
  world *w = *state;
  ew_record p = penalty_at(w, "罚-07D", fx_t(1));
  p.u.penalty.procedure = EW_PROC_SIMPLE;
  feed(w, &p);
  ew_record q = penalty_at(w, "罚-07E", fx_t(2));
  q.u.penalty.withdrawn_at = at("2025-03-10T10:00:00+08:00");
  feed(w, &q);
  advance(w, at("2025-06-30T00:00:00+08:00"));
  assert_int_equal(h_count(&w->h, "R07"), 0);
}

/* Revoked after the deadline while unpublished: it was late all the same. */
static void test_r07_revoked_after_deadline(void **state) {
  world *w = *state;
  ew_time due = at("2025-03-13T23:59:59.999+08:00");
  ew_record p = penalty_at(w, "罚-07F", fx_t(1));
  p.u.penalty.withdrawn_at = at("2025-03-20T10:00:00+08:00");
  p.u.penalty.event_time = at("2025-03-20T11:00:00+08:00");
  feed(w, &p);
  const ew_alert *a = one(w, "R07");
  assert_deadline_alert(a, EW_SEV_MEDIUM, due, due);
  assert_string_equal(h_fact(a, "withdrawn_at"), "2025-03-20T10:00:00+08:00");
}

/* An inspection that orders rectification: its result is an 执法决定, due
 * within 20 WD (Tuesday 04-01). */
static void test_r07_inspection_result(void **state) {
  world *w = *state;
  ew_time due = at("2025-04-01T23:59:59.999+08:00");
  ew_record r = ended_at(w, "INS-07", fx_t(2), fx_t(3));
  r.u.inspection.result = EW_RES_RECTIFICATION_ORDERED;
  feed(w, &r);
  advance(w, due);
  assert_int_equal(h_count(&w->h, "R07"), 0);
  advance(w, due + 1);
  const ew_alert *a = one(w, "R07");
  assert_deadline_alert(a, EW_SEV_MEDIUM, due, due);
  assert_int_equal(a->subject_type, EW_SUBJ_INSPECTION);
  assert_string_equal(h_fact(a, "decision"), "inspection_result");
  assert_string_equal(h_fact(a, "result"), "RECTIFICATION_ORDERED");
  assert_string_equal(h_fact(a, "limit_workdays"), "20");
  assert_string_equal(h_fact(a, "published_at"), "none");
  assert_non_null(strstr(a->message, "作出责令整改决定"));
  /* Published late: still open, with the late time. */
  r.u.inspection.event_id = next_eid(w);
  r.u.inspection.event_time = at("2025-04-03T10:00:00+08:00");
  r.u.inspection.result_published_at = at("2025-04-02T10:00:00+08:00");
  feed(w, &r);
  a = one(w, "R07");
  assert_deadline_alert(a, EW_SEV_MEDIUM, due, due);
  assert_string_equal(h_fact(a, "published_at"), "2025-04-02T10:00:00+08:00");
}

static void test_r07_inspection_result_near_misses(void **state) {
  world *w = *state;
  ew_record r = ended_at(w, "INS-07B", fx_t(2), fx_t(3));
  r.u.inspection.result = EW_RES_CASE_FILED;
  r.u.inspection.result_published_at = at("2025-04-01T18:00:00+08:00");
  feed(w, &r);
  ew_record s = ended_at(w, "INS-07C", fx_t(2), fx_t(3));
  s.u.inspection.result = EW_RES_NO_ISSUE; /* not a decision */
  feed(w, &s);
  advance(w, at("2025-06-30T00:00:00+08:00"));
  assert_int_equal(h_count(&w->h, "R07"), 0);
}

/* ------------------------------------------------------------- R12 --- */

/* Filed 01-02: MEDIUM when 90 days have passed (04-02), the same alert
 * HIGH at 120 days (05-02), with no snapshot in between. */
static void test_r12_open_case_escalates(void **state) {
  world *w = *state;
  ew_time due = at("2025-04-02T23:59:59.999+08:00");
  ew_time late = at("2025-05-02T23:59:59.999+08:00");
  ew_record p = penalty_at(w, "罚-12", at("2025-01-02T10:10:00+08:00"));
  p.u.penalty.filed_at = at("2025-01-02T10:00:00+08:00");
  p.u.penalty.decided_at = EW_NONE;
  p.u.penalty.notice_of_rights_at = EW_NONE;
  feed(w, &p);
  assert_int_equal(h_count(&w->h, "R12"), 0);
  advance(w, due);
  assert_int_equal(h_count(&w->h, "R12"), 0);
  advance(w, due + 1);
  const ew_alert *a = one(w, "R12");
  assert_deadline_alert(a, EW_SEV_MEDIUM, due, due);
  assert_string_equal(a->legal_basis,
                      "临州办发〔2023〕18号 ¶3；行政处罚法第60条");
  assert_string_equal(h_fact(a, "filed_at"), "2025-01-02T10:00:00+08:00");
  assert_string_equal(h_fact(a, "limit_days"), "90");
  assert_string_equal(h_fact(a, "deadline"), "2025-04-02T23:59:59.999+08:00");
  assert_string_equal(h_fact(a, "late_days"), "120");
  assert_string_equal(h_fact(a, "late_deadline"),
                      "2025-05-02T23:59:59.999+08:00");
  assert_string_equal(h_fact(a, "decided_at"), "none");
  assert_non_null(strstr(a->message, "至2025-04-02（立案后90日）仍未作出"));
  char id[EW_ALERT_ID_BUFSZ];
  snprintf(id, sizeof id, "%s", a->alert_id);
  advance(w, late);
  assert_int_equal(h_count(&w->h, "R12"), 0);
  advance(w, late + 1);
  a = one(w, "R12");
  /* Same alert, severity raised; first detection kept, due_at the level. */
  assert_string_equal(a->alert_id, id);
  assert_deadline_alert(a, EW_SEV_HIGH, due, late);
  assert_non_null(strstr(a->message, "至2025-05-02（立案后120日）仍未作出"));
  advance(w, at("2025-12-31T00:00:00+08:00"));
  assert_int_equal(w->h.n, 0);
}

static void test_r12_decided_in_time_near_miss(void **state) {
  world *w = *state;
  ew_record p = penalty_at(w, "罚-12B", at("2025-01-02T10:10:00+08:00"));
  p.u.penalty.filed_at = at("2025-01-02T10:00:00+08:00");
  p.u.penalty.decided_at = EW_NONE;
  feed(w, &p);
  p.u.penalty.event_id = next_eid(w);
  p.u.penalty.event_time = at("2025-04-02T18:00:00+08:00");
  p.u.penalty.decided_at = at("2025-04-02T17:00:00+08:00");
  p.u.penalty.notice_of_rights_at = at("2025-03-20T10:00:00+08:00");
  p.u.penalty.published_at = at("2025-04-03T10:00:00+08:00");
  feed(w, &p);
  advance(w, at("2025-12-31T00:00:00+08:00"));
  assert_int_equal(h_count(&w->h, "R12"), 0);
  /* A case dropped (withdrawn without decision) within 90 days. */
  ew_record q = penalty_at(w, "罚-12C", at("2025-12-31T10:00:00+08:00"));
  q.u.penalty.filed_at = at("2025-06-02T10:00:00+08:00");
  q.u.penalty.decided_at = EW_NONE;
  q.u.penalty.withdrawn_at = at("2025-07-01T10:00:00+08:00");
  feed(w, &q);
  assert_int_equal(h_count(&w->h, "R12"), 0);
}

/* Decided after 90 days (and before 120): the alert stays OPEN with the
 * late decision time and does not rise to HIGH. */
static void test_r12_decided_late(void **state) {
  world *w = *state;
  ew_time due = at("2025-04-02T23:59:59.999+08:00");
  ew_record p = penalty_at(w, "罚-12D", at("2025-01-02T10:10:00+08:00"));
  p.u.penalty.filed_at = at("2025-01-02T10:00:00+08:00");
  p.u.penalty.decided_at = EW_NONE;
  feed(w, &p);
  advance(w, due + 1);
  one(w, "R12");
  p.u.penalty.event_id = next_eid(w);
  p.u.penalty.event_time = at("2025-04-10T18:00:00+08:00");
  p.u.penalty.decided_at = at("2025-04-10T17:00:00+08:00");
  p.u.penalty.notice_of_rights_at = at("2025-04-01T10:00:00+08:00");
  p.u.penalty.published_at = at("2025-04-11T10:00:00+08:00");
  feed(w, &p);
  const ew_alert *a = one(w, "R12");
  assert_deadline_alert(a, EW_SEV_MEDIUM, due, due);
  assert_string_equal(h_fact(a, "decided_at"), "2025-04-10T17:00:00+08:00");
  assert_non_null(strstr(a->message, "迟至2025-04-10才作出处理决定"));
  advance(w, at("2025-12-31T00:00:00+08:00"));
  assert_int_equal(h_count(&w->h, "R12"), 0);
}

/* ------------------------------------------------------------ R16c --- */

static ew_record task(world *w, const char *id) {
  ew_record t = fx_random_task(&w->h.a, id, FX_AG1, "C13-01");
  t.u.random_task.officers = fx_strv(&w->h.a, 2, "O1", "O2");
  t.u.random_task.completed_at = fx_t(8); /* Tuesday 03-04 17:00 */
  return t;
}

static void test_r16c_unpublished(void **state) {
  world *w = *state;
  ew_time due = at("2025-04-01T23:59:59.999+08:00");
  ew_record t = task(w, "T-16");
  feed(w, &t);
  assert_int_equal(h_count(&w->h, "R16c"), 0);
  advance(w, due);
  assert_int_equal(h_count(&w->h, "R16c"), 0);
  advance(w, due + 1);
  const ew_alert *a = one(w, "R16c");
  assert_deadline_alert(a, EW_SEV_MEDIUM, due, due);
  assert_int_equal(a->subject_type, EW_SUBJ_RANDOM_TASK);
  assert_string_equal(a->subject_id, "T-16");
  assert_string_equal(a->agency_uscc, FX_AG1);
  assert_string_equal(a->legal_basis, "临州办发〔2023〕18号 ¶8");
  assert_string_equal(h_fact(a, "completed_at"), "2025-03-04T17:00:00+08:00");
  assert_string_equal(h_fact(a, "limit_workdays"), "20");
  assert_string_equal(h_fact(a, "deadline"), "2025-04-01T23:59:59.999+08:00");
  assert_string_equal(h_fact(a, "published_at"), "none");
  assert_string_equal(a->message, "临夏州市场监督管理局的双随机抽查任务T-"
                                  "16于2025-03-04完成，至公示期限2025-04-01（"
                                  "完成后20个工作日）抽查结果仍未公示。");
  /* Published late: still open. */
  t.u.random_task.published_at = at("2025-04-08T10:00:00+08:00");
  h_must_apply(&w->h, &t);
  a = one(w, "R16c");
  assert_deadline_alert(a, EW_SEV_MEDIUM, due, due);
  assert_string_equal(h_fact(a, "published_at"), "2025-04-08T10:00:00+08:00");
}

static void test_r16c_published_in_time_near_miss(void **state) {
  world *w = *state;
  ew_record t = task(w, "T-16B");
  feed(w, &t);
  t.u.random_task.published_at = at("2025-03-28T10:00:00+08:00");
  h_must_apply(&w->h, &t);
  ew_record u = task(w, "T-16C");
  u.u.random_task.completed_at = EW_NONE; /* not completed: no deadline */
  h_must_apply(&w->h, &u);
  advance(w, at("2025-12-31T00:00:00+08:00"));
  assert_int_equal(h_count(&w->h, "R16c"), 0);
}

/* ------------------------------------------------------------- R20 --- */

/* Received Monday 03-03, never acted on: MEDIUM after 5 WD (03-10), HIGH
 * after 10 WD (03-17), one alert "accept". */
static void test_r20a_accept_escalates(void **state) {
  world *w = *state;
  ew_time due = at("2025-03-10T23:59:59.999+08:00");
  ew_time late = at("2025-03-17T23:59:59.999+08:00");
  ew_record c = complaint_at(w, "TS-20", EW_CSUBJ_ENFORCEMENT_CONDUCT,
                             at("2025-03-03T10:00:00+08:00"), fx_t(0));
  feed(w, &c);
  assert_int_equal(h_count(&w->h, "R20a"), 0);
  advance(w, due + 1);
  const ew_alert *a = one(w, "R20a");
  assert_deadline_alert(a, EW_SEV_MEDIUM, due, due);
  assert_int_equal(a->subject_type, EW_SUBJ_COMPLAINT);
  assert_string_equal(a->agency_uscc, FX_AG1);
  assert_string_equal(a->legal_basis, "临州办发〔2023〕18号 ¶12");
  char id[EW_ALERT_ID_BUFSZ];
  ew_alert_id_format(id, "R20a", EW_SUBJ_COMPLAINT, "TS-20", "accept");
  assert_string_equal(a->alert_id, id);
  assert_string_equal(h_fact(a, "stage"), "accept");
  assert_string_equal(h_fact(a, "received_at"), "2025-03-03T10:00:00+08:00");
  assert_string_equal(h_fact(a, "limit_workdays"), "5");
  assert_string_equal(h_fact(a, "deadline"), "2025-03-10T23:59:59.999+08:00");
  assert_string_equal(h_fact(a, "late_deadline"),
                      "2025-03-17T23:59:59.999+08:00");
  assert_string_equal(h_fact(a, "accepted_at"), "none");
  assert_string_equal(h_fact(a, "rejected_at"), "none");
  assert_string_equal(a->message,
                      "临夏州市场监督管理局办理的涉及企业" FX_ENT
                      "的投诉举报TS-20于2025-03-03收到，至受理期限2025-03-10（"
                      "收到后5个工作日）仍未作出受理或不予受理决定。");
  advance(w, late + 1);
  a = one(w, "R20a");
  assert_string_equal(a->alert_id, id);
  assert_deadline_alert(a, EW_SEV_HIGH, due, late);
  assert_non_null(strstr(a->message, "受理期限的两倍"));
}

/* Accepted late: the accept alert stays open with the late time; the
 * conclusion's 30 days run from the acceptance (04-11), then HIGH at 60
 * (05-11): a second alert "conclude". */
static void test_r20a_accepted_late_then_conclusion(void **state) {
  world *w = *state;
  ew_time due = at("2025-03-10T23:59:59.999+08:00");
  ew_time cdue = at("2025-04-11T23:59:59.999+08:00");
  ew_time clate = at("2025-05-11T23:59:59.999+08:00");
  ew_record c = complaint_at(w, "TS-20B", EW_CSUBJ_ENFORCEMENT_CONDUCT,
                             at("2025-03-03T10:00:00+08:00"), fx_t(0));
  feed(w, &c);
  advance(w, due + 1);
  one(w, "R20a");
  c.u.complaint.event_id = next_eid(w);
  c.u.complaint.event_time = at("2025-03-12T10:00:00+08:00");
  c.u.complaint.status = EW_CST_ACCEPTED;
  c.u.complaint.accepted_at = at("2025-03-12T09:00:00+08:00");
  feed(w, &c);
  const ew_alert *a = one(w, "R20a");
  assert_deadline_alert(a, EW_SEV_MEDIUM, due, due);
  assert_string_equal(h_fact(a, "stage"), "accept");
  assert_string_equal(h_fact(a, "accepted_at"), "2025-03-12T09:00:00+08:00");
  assert_non_null(strstr(a->message, "迟至2025-03-12才作出受理决定"));
  advance(w, cdue);
  assert_int_equal(h_count(&w->h, "R20a"), 0);
  advance(w, cdue + 1);
  a = one(w, "R20a");
  assert_deadline_alert(a, EW_SEV_MEDIUM, cdue, cdue);
  assert_string_equal(h_fact(a, "stage"), "conclude");
  assert_string_equal(h_fact(a, "limit_days"), "30");
  assert_string_equal(h_fact(a, "extension_days"), "0");
  assert_string_equal(h_fact(a, "concluded_at"), "none");
  char id[EW_ALERT_ID_BUFSZ];
  ew_alert_id_format(id, "R20a", EW_SUBJ_COMPLAINT, "TS-20B", "conclude");
  assert_string_equal(a->alert_id, id);
  advance(w, clate + 1);
  a = one(w, "R20a");
  assert_deadline_alert(a, EW_SEV_HIGH, cdue, clate);
  /* Concluded at last: still open (late), at the level it reached. */
  c.u.complaint.event_id = next_eid(w);
  c.u.complaint.event_time = at("2025-05-20T10:00:00+08:00");
  c.u.complaint.status = EW_CST_CONCLUDED;
  c.u.complaint.concluded_at = at("2025-05-20T09:00:00+08:00");
  feed(w, &c);
  a = one(w, "R20a");
  assert_deadline_alert(a, EW_SEV_HIGH, cdue, clate);
  assert_string_equal(h_fact(a, "concluded_at"), "2025-05-20T09:00:00+08:00");
  assert_non_null(strstr(a->message, "迟至2025-05-20才办结"));
}

/* An approved extension counts up to max_extension_days (30): 45 asked,
 * 60 days in all from acceptance on 03-04 (05-03). */
static void test_r20a_extension_capped(void **state) {
  world *w = *state;
  ew_time cdue = at("2025-05-03T23:59:59.999+08:00");
  ew_record c = complaint_at(w, "TS-20C", EW_CSUBJ_ENFORCEMENT_CONDUCT,
                             at("2025-03-03T10:00:00+08:00"), fx_t(1));
  c.u.complaint.status = EW_CST_VERIFYING;
  c.u.complaint.accepted_at = fx_t(0);
  c.u.complaint.extension_days = 45;
  feed(w, &c);
  advance(w, cdue);
  assert_int_equal(h_count(&w->h, "R20a"), 0);
  advance(w, cdue + 1);
  const ew_alert *a = one(w, "R20a");
  assert_deadline_alert(a, EW_SEV_MEDIUM, cdue, cdue);
  assert_string_equal(h_fact(a, "limit_days"), "60");
  assert_string_equal(h_fact(a, "extension_days"), "45");
  assert_string_equal(h_fact(a, "extension_allowed"), "30");
  assert_non_null(strstr(a->message, "含延长30日"));
}

static void test_r20a_in_time_near_misses(void **state) {
  world *w = *state;
  ew_record c = complaint_at(w, "TS-20D", EW_CSUBJ_ENFORCEMENT_CONDUCT,
                             at("2025-03-03T10:00:00+08:00"), fx_t(0));
  feed(w, &c);
  c.u.complaint.event_id = next_eid(w);
  c.u.complaint.event_time = at("2025-03-10T18:00:00+08:00");
  c.u.complaint.status = EW_CST_ACCEPTED;
  c.u.complaint.accepted_at = at("2025-03-10T17:00:00+08:00");
  feed(w, &c);
  c.u.complaint.event_id = next_eid(w);
  c.u.complaint.event_time = at("2025-04-09T18:00:00+08:00");
  c.u.complaint.status = EW_CST_CONCLUDED;
  c.u.complaint.concluded_at = at("2025-04-09T17:00:00+08:00");
  feed(w, &c);
  /* Rejected in time: no conclusion is due. */
  ew_record r = complaint_at(w, "TS-20E", EW_CSUBJ_ENFORCEMENT_CONDUCT,
                             at("2025-04-09T10:00:00+08:00"), fx_t(0));
  r.u.complaint.event_time = at("2025-04-10T10:00:00+08:00");
  r.u.complaint.status = EW_CST_REJECTED;
  r.u.complaint.rejected_at = at("2025-04-10T09:00:00+08:00");
  feed(w, &r);
  advance(w, at("2025-12-31T00:00:00+08:00"));
  assert_int_equal(h_count(&w->h, "R20a"), 0);
  assert_int_equal(h_count(&w->h, "R20b"), 0);
}

/* The status says accepted, the time is missing: judged not done, and the
 * facts say not_stated. */
static void test_r20a_acceptance_time_not_stated(void **state) {
  world *w = *state;
  ew_time due = at("2025-03-10T23:59:59.999+08:00");
  ew_record c = complaint_at(w, "TS-20F", EW_CSUBJ_ENFORCEMENT_CONDUCT,
                             at("2025-03-03T10:00:00+08:00"), fx_t(0));
  c.u.complaint.status = EW_CST_ACCEPTED;
  feed(w, &c);
  advance(w, due + 1);
  const ew_alert *a = one(w, "R20a");
  assert_deadline_alert(a, EW_SEV_MEDIUM, due, due);
  assert_string_equal(h_fact(a, "accepted_at"), "not_stated");
  assert_non_null(strstr(a->message, "未载明受理时间"));
}

/* R20b: a complaint against an enterprise received Monday 09-29: 7 WD
 * skip National Day and count Saturday 10-11, due Wednesday 10-15. R20a
 * does not judge it. */
static void test_r20b_accept_holiday_week(void **state) {
  world *w = *state;
  national_day_2025(w);
  ew_time due = at("2025-10-15T23:59:59.999+08:00");
  ew_record c = complaint_at(w, "TS-20G", EW_CSUBJ_ENTERPRISE_VIOLATION,
                             at("2025-09-29T10:00:00+08:00"),
                             at("2025-09-29T10:05:00+08:00"));
  feed(w, &c);
  advance(w, at("2025-10-10T00:00:00+08:00"));
  assert_int_equal(h_count(&w->h, "R20b"), 0);
  advance(w, due + 1);
  const ew_alert *a = one(w, "R20b");
  assert_deadline_alert(a, EW_SEV_MEDIUM, due, due);
  assert_int_equal(h_count(&w->h, "R20a"), 0);
  assert_string_equal(h_fact(a, "limit_workdays"), "7");
  assert_string_equal(h_fact(a, "deadline"), "2025-10-15T23:59:59.999+08:00");
  assert_string_equal(
      a->legal_basis,
      "临州办发〔2023〕18号 ¶12；市场监督管理投诉举报处理暂行办法第14条");
  /* Accepted in time after all (recorded late): withdrawn. */
  c.u.complaint.event_id = next_eid(w);
  c.u.complaint.event_time = at("2025-10-17T10:00:00+08:00");
  c.u.complaint.status = EW_CST_ACCEPTED;
  c.u.complaint.accepted_at = at("2025-10-15T16:00:00+08:00");
  feed(w, &c);
  a = one(w, "R20b");
  assert_int_equal(a->status, EW_AST_WITHDRAWN);
}

/* R20b's conclusion: 45 WD after acceptance MEDIUM, 90 WD HIGH. */
static void test_r20b_conclusion_escalates(void **state) {
  world *w = *state;
  ew_time acc = fx_t(0), cdue, clate;
  assert_int_equal(ew_calendar_add_workdays(w->h.store, acc, 45, &cdue), 0);
  assert_int_equal(ew_calendar_add_workdays(w->h.store, acc, 90, &clate), 0);
  assert_int_equal(cdue, at("2025-05-06T23:59:59.999+08:00"));
  ew_record c = complaint_at(w, "TS-20H", EW_CSUBJ_ENTERPRISE_VIOLATION,
                             at("2025-03-03T10:00:00+08:00"), fx_t(1));
  c.u.complaint.status = EW_CST_ACCEPTED;
  c.u.complaint.accepted_at = acc;
  feed(w, &c);
  advance(w, cdue + 1);
  const ew_alert *a = one(w, "R20b");
  assert_deadline_alert(a, EW_SEV_MEDIUM, cdue, cdue);
  assert_string_equal(h_fact(a, "stage"), "conclude");
  assert_string_equal(h_fact(a, "limit_workdays"), "45");
  assert_string_equal(
      a->legal_basis,
      "临州办发〔2023〕18号 ¶12；市场监督管理投诉举报处理暂行办法第21条");
  advance(w, clate + 1);
  a = one(w, "R20b");
  assert_deadline_alert(a, EW_SEV_HIGH, cdue, clate);
  /* Concluded in time for neither level: stays HIGH. */
  c.u.complaint.event_id = next_eid(w);
  c.u.complaint.event_time = clate + 3 * EW_DAY_MS;
  c.u.complaint.status = EW_CST_CONCLUDED;
  c.u.complaint.concluded_at = clate + 2 * EW_DAY_MS;
  feed(w, &c);
  a = one(w, "R20b");
  assert_deadline_alert(a, EW_SEV_HIGH, cdue, clate);
}

/* A daemon that was down: one advance far past both levels of two rules
 * fires each wake-up in order and ends at the right severities. */
static void test_deadlines_catch_up_in_one_advance(void **state) {
  world *w = *state;
  ew_record p = penalty_at(w, "罚-CU", at("2025-01-02T10:10:00+08:00"));
  p.u.penalty.filed_at = at("2025-01-02T10:00:00+08:00");
  p.u.penalty.decided_at = EW_NONE;
  feed(w, &p);
  ew_record c = complaint_at(w, "TS-CU", EW_CSUBJ_ENFORCEMENT_CONDUCT,
                             at("2025-01-03T10:00:00+08:00"),
                             at("2025-01-03T10:05:00+08:00"));
  feed(w, &c);
  advance(w, at("2025-12-31T00:00:00+08:00"));
  /* R12 MEDIUM then HIGH; R20a MEDIUM then HIGH. */
  assert_int_equal(h_count(&w->h, "R12"), 2);
  assert_int_equal(h_find_nth(&w->h, "R12", 0)->severity, EW_SEV_MEDIUM);
  assert_int_equal(h_find_nth(&w->h, "R12", 1)->severity, EW_SEV_HIGH);
  assert_int_equal(h_count(&w->h, "R20a"), 2);
  assert_int_equal(h_find_nth(&w->h, "R20a", 1)->severity, EW_SEV_HIGH);
  assert_int_equal(h_find_nth(&w->h, "R20a", 0)->detected_at,
                   h_find_nth(&w->h, "R20a", 1)->detected_at);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_r03_emergency_wake_up),
      T(test_r03_emergency_approved_in_time_near_miss),
      T(test_r04_unregistered_fires_at_deadline),
      T(test_r04_registered_in_time_near_miss),
      T(test_r04_registered_late_stays_open),
      T(test_r04_unsigned_officer),
      T(test_r04_holiday_week),
      T(test_r04_started_only_near_miss),
      T(test_r07_penalty_unpublished),
      T(test_r07_published_in_time_near_miss),
      T(test_r07_published_late_stays_open),
      T(test_r07_exempt_near_misses),
      T(test_r07_revoked_after_deadline),
      T(test_r07_inspection_result),
      T(test_r07_inspection_result_near_misses),
      T(test_r12_open_case_escalates),
      T(test_r12_decided_in_time_near_miss),
      T(test_r12_decided_late),
      T(test_r16c_unpublished),
      T(test_r16c_published_in_time_near_miss),
      T(test_r20a_accept_escalates),
      T(test_r20a_accepted_late_then_conclusion),
      T(test_r20a_extension_capped),
      T(test_r20a_in_time_near_misses),
      T(test_r20a_acceptance_time_not_stated),
      T(test_r20b_accept_holiday_week),
      T(test_r20b_conclusion_escalates),
      T(test_deadlines_catch_up_in_one_advance),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
