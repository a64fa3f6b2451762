/*
 * test_rules_history.c - the rules that read the enterprise's history:
 * R13a, R13b (两轻一免), R15 (compulsion before soft measures), R22a, R22b
 * (fees and stoppages during inspections), through the engine: for every
 * rule id the cases that fire (severity and key facts asserted) and the
 * near misses that must not.
 *
 * The world: agency FX_AG1 registered, officers O1/O2 with valid
 * certificates, a FILED 2025 plan P1 for C13-01 in March. History is built
 * by applying earlier events, as the daemon would receive them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "engine_harness.h"
#include "ewtime.h"

#define HOUR (3600LL * 1000)
#define DAY EW_DAY_MS

typedef struct world {
  harness h;
  int n;
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

static ew_enumv enums(world *w, size_t n, ...) {
  ew_enumv v = {NULL, 0};
  va_list ap;
  v.v = ew_arena_calloc(&w->h.a, n ? n : 1, sizeof *v.v);
  va_start(ap, n);
  for (size_t i = 0; i < n; i++)
    v.v[i] = va_arg(ap, int);
  va_end(ap);
  v.n = n;
  return v;
}

/* A decision of FX_AG1 on FX_ENT for V-001 decided at `decided` and sent an
 * hour later: a 500-yuan fine at the GENERAL level, first offence claimed,
 * harm MINOR, corrected. */
static ew_record penalty(world *w, const char *no, ew_time decided) {
  char eid[32];
  snprintf(eid, sizeof eid, "pe-%d", ++w->n);
  ew_record r = fx_penalty(&w->h.a, eid, no, decided + HOUR + w->n);
  ew_penalty *p = &r.u.penalty;
  p->decided_at = decided;
  p->notice_of_rights_at = decided - 7 * DAY;
  p->penalty_types = enums(w, 1, EW_PT_FINE);
  p->fine_fen = 50000;
  p->discretion_level = EW_DL_GENERAL;
  p->first_offense = 1;
  p->corrected = 1;
  p->harm_level = EW_HARM_MINOR;
  p->av_coverage = EW_AV_FULL;
  fx_officer(&w->h.a, p->officers, "O1", "C1", 1);
  fx_officer(&w->h.a, p->officers, "O2", "C2", 1);
  return r;
}

/* The same decision imposing nothing (不予处罚). */
static void waive(ew_record *r) {
  r->u.penalty.penalty_types.n = 0;
  r->u.penalty.fine_fen = 0;
  r->u.penalty.discretion_level = EW_DL_NO_PENALTY;
}

static void item(world *w, const char *id, int kind, int64_t lookback,
                 int harm_max, int must_correct) {
  ew_record r;
  r.kind = EW_REC_LENIENCY_ITEM;
  ew_rtype_init(ew_rtype_of(r.kind), &r.u);
  r.u.leniency_item.item_id = ew_arena_strdup(&w->h.a, id);
  r.u.leniency_item.violation_code = ew_arena_strdup(&w->h.a, "V-001");
  r.u.leniency_item.kind = kind;
  r.u.leniency_item.lookback_days = lookback;
  r.u.leniency_item.harm_max = harm_max;
  r.u.leniency_item.must_correct = (int8_t)must_correct;
  h_must_apply(&w->h, &r);
}

/* The default list item: 首违不罚 for V-001, 730 days, harm up to MINOR,
 * correction required. */
static void first_offense_item(world *w) {
  item(w, "L-1", EW_LEN_FIRST_OFFENSE_NO_PENALTY, 730, EW_HARM_MINOR, 1);
}

static void grade(world *w, const char *ent, int g) {
  ew_record r;
  r.kind = EW_REC_CREDIT_GRADE;
  ew_rtype_init(ew_rtype_of(r.kind), &r.u);
  r.u.credit_grade.enterprise_uscc = ew_arena_strdup(&w->h.a, ent);
  r.u.credit_grade.grade = g;
  r.u.credit_grade.as_of = fx_day(2025, 3, 1);
  h_must_apply(&w->h, &r);
}

/* An on-site check of FX_ENT by FX_AG1 started at `started`; ENDED two
 * hours later when `ended` is set. */
static ew_record inspection(world *w, const char *id, ew_time started,
                            int ended) {
  char eid[32];
  snprintf(eid, sizeof eid, "ie-%d", ++w->n);
  ew_record r = fx_inspection(&w->h.a, eid, id, started + 10 * 60 * 1000);
  ew_inspection *in = &r.u.inspection;
  in->started_at = started;
  in->approved_at = started - DAY;
  if (ended) {
    in->status = EW_INSP_ENDED;
    in->ended_at = started + 2 * HOUR;
    in->event_time = in->ended_at + 10 * 60 * 1000;
    in->result = EW_RES_NO_ISSUE;
    in->ledger_registered_at = in->event_time;
    in->ledger_signed_by = fx_strv(&w->h.a, 2, "O1", "O2");
  }
  fx_officer(&w->h.a, in->officers, "O1", "C1", 1);
  fx_officer(&w->h.a, in->officers, "O2", "C2", 1);
  return r;
}

/* ================================================================ R13a === */

static void test_r13a_first_offence_fined_fires(void **state) {
  world *w = *state;
  first_offense_item(w);
  ew_record p = penalty(w, "罚-1", fx_t(0));
  h_must_apply(&w->h, &p);
  const ew_alert *a = h_find(&w->h, "R13a");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_MEDIUM);
  assert_int_equal(a->status, EW_AST_OPEN);
  assert_int_equal(a->subject_type, EW_SUBJ_PENALTY);
  assert_string_equal(a->subject_id, "罚-1");
  assert_string_equal(h_fact(a, "leniency_item"), "L-1");
  assert_string_equal(h_fact(a, "kind"), "FIRST_OFFENSE_NO_PENALTY");
  assert_string_equal(h_fact(a, "first_offense_history"), "none");
  assert_string_equal(h_fact(a, "first_offense_claim"), "true");
  assert_string_equal(h_fact(a, "lookback_days"), "730");
  assert_string_equal(h_fact(a, "harm_level"), "MINOR");
  assert_string_equal(h_fact(a, "harm_max"), "MINOR");
  assert_string_equal(h_fact(a, "corrected"), "true");
  assert_string_equal(h_fact(a, "must_correct"), "true");
  assert_string_equal(h_fact(a, "outcome"), "penalised");
  assert_string_equal(h_fact(a, "penalty_types"), "FINE");
  assert_string_equal(h_fact(a, "fine_fen"), "50000");
  assert_string_equal(h_fact(a, "confiscated_fen"), "0");
  assert_string_equal(h_fact(a, "discretion_level"), "GENERAL");
  assert_string_equal(h_fact(a, "allowed"), "no_penalty");
  assert_string_equal(a->legal_basis,
                      "临州办发〔2023〕18号 ¶7；行政处罚法第33条");
  assert_string_equal(a->agency_uscc, FX_AG1);
  assert_string_equal(a->enterprise_uscc, FX_ENT);
  assert_string_equal(a->message,
                      "临夏州市场监督管理局对企业" FX_ENT
                      "的行政处罚决定罚-1所涉违法行为V-001属“两轻一免”"
                      "清单事项L-1（首违不罚），适用条件成立，依清单应不予"
                      "处罚，却仍作出处罚。");
  assert_int_equal(a->detected_at, p.u.penalty.event_time);
  assert_null(h_find(&w->h, "R13b"));
}

static void test_r13a_prior_offence_within_lookback_near_miss(void **state) {
  world *w = *state;
  first_offense_item(w);
  ew_record prior = penalty(w, "罚-0", fx_t(0) - 365 * DAY);
  h_must_apply(
      &w->h, &prior); /* itself a first offence: R13a on it, not our concern */
  ew_record p = penalty(w, "罚-1", fx_t(0));
  h_must_apply(&w->h, &p);
  assert_null(h_find(&w->h, "R13a"));
}

static void test_r13a_prior_outside_lookback_fires(void **state) {
  world *w = *state;
  first_offense_item(w);
  ew_record prior = penalty(w, "罚-0", fx_t(0) - 730 * DAY - 1);
  h_must_apply(&w->h, &prior);
  ew_record p = penalty(w, "罚-1", fx_t(0));
  h_must_apply(&w->h, &p);
  const ew_alert *a = h_find(&w->h, "R13a");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "first_offense_history"), "none");
  /* Exactly 730 days before is inside the lookback (another enterprise,
   * whose history is only this). */
  ew_record edge = penalty(w, "罚-E", fx_t(0) - 730 * DAY);
  edge.u.penalty.enterprise_uscc = FX_ENT2;
  h_must_apply(&w->h, &edge);
  ew_record q = penalty(w, "罚-2", fx_t(0));
  q.u.penalty.enterprise_uscc = FX_ENT2;
  h_must_apply(&w->h, &q);
  assert_null(h_find(&w->h, "R13a"));
}

/* A violation let off under the list is still a violation: the next one of
 * the same code is no first offence, so fining it is not R13a. */
static void test_r13a_waived_prior_counts_near_miss(void **state) {
  world *w = *state;
  first_offense_item(w);
  ew_record waived = penalty(w, "罚-W", fx_t(0) - 100 * DAY);
  waive(&waived);
  h_must_apply(&w->h, &waived);
  ew_record p = penalty(w, "罚-1", fx_t(0));
  h_must_apply(&w->h, &p);
  assert_null(h_find(&w->h, "R13a"));
}

static void test_r13a_prior_not_counting(void **state) {
  world *w = *state;
  first_offense_item(w);
  ew_record other_code = penalty(w, "罚-C", fx_t(0) - 90 * DAY);
  other_code.u.penalty.violation_code = "V-002";
  ew_record other_ent = penalty(w, "罚-E", fx_t(0) - 80 * DAY);
  other_ent.u.penalty.enterprise_uscc = FX_ENT2;
  ew_record withdrawn = penalty(w, "罚-X", fx_t(0) - 70 * DAY);
  withdrawn.u.penalty.withdrawn_at = fx_t(0) - 60 * DAY;
  ew_record later = penalty(w, "罚-L", fx_t(0) + DAY);
  h_must_apply(&w->h, &other_code);
  h_must_apply(&w->h, &other_ent);
  h_must_apply(&w->h, &withdrawn);
  h_must_apply(&w->h, &later); /* decided after the one judged below */
  ew_record p = penalty(w, "罚-1", fx_t(0));
  h_must_apply(&w->h, &p);
  const ew_alert *a = h_find(&w->h, "R13a");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "first_offense_history"), "none");
}

static void test_r13a_conditions_near_misses(void **state) {
  world *w = *state;
  first_offense_item(w);
  ew_record serious = penalty(w, "罚-S", fx_t(0));
  serious.u.penalty.harm_level = EW_HARM_SERIOUS;
  h_must_apply(&w->h, &serious);
  assert_null(h_find(&w->h, "R13a"));
  ew_record uncorrected = penalty(w, "罚-U", fx_t(0));
  uncorrected.u.penalty.enterprise_uscc = FX_ENT2;
  uncorrected.u.penalty.corrected = 0;
  h_must_apply(&w->h, &uncorrected);
  assert_null(h_find(&w->h, "R13a"));
  assert_null(h_find(&w->h, "R13b")); /* penalised: no waiver */
  ew_record not_penalised = penalty(w, "罚-N", fx_t(0) + DAY);
  waive(&not_penalised);
  not_penalised.u.penalty.enterprise_uscc = "91622921MA7000000X";
  h_must_apply(&w->h, &not_penalised);
  assert_null(h_find(&w->h, "R13a"));
}

static void test_r13a_harm_max_and_must_correct(void **state) {
  world *w = *state;
  item(w, "L-N", EW_LEN_NO_PENALTY, 730, EW_HARM_NONE, 0);
  ew_record minor = penalty(w, "罚-M", fx_t(0));
  h_must_apply(&w->h, &minor);
  assert_null(h_find(&w->h, "R13a")); /* MINOR > harm_max NONE */
  ew_record none = penalty(w, "罚-0", fx_t(0));
  none.u.penalty.enterprise_uscc = FX_ENT2;
  none.u.penalty.harm_level = EW_HARM_NONE;
  none.u.penalty.corrected = 0; /* the item needs no correction */
  none.u.penalty.first_offense = 0;
  h_must_apply(&w->h, &none);
  const ew_alert *a = h_find(&w->h, "R13a");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "kind"), "NO_PENALTY");
  assert_string_equal(h_fact(a, "corrected"), "false");
  assert_string_equal(h_fact(a, "must_correct"), "false");
  assert_string_equal(h_fact(a, "harm_max"), "NONE");
  /* The claim is reported; history decides. */
  assert_string_equal(h_fact(a, "first_offense_claim"), "false");
}

static void test_r13a_lighter_and_mitigated(void **state) {
  world *w = *state;
  item(w, "L-L", EW_LEN_LIGHTER, 730, EW_HARM_MINOR, 1);
  ew_record general = penalty(w, "罚-G", fx_t(0));
  h_must_apply(&w->h, &general);
  const ew_alert *a = h_find(&w->h, "R13a");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "kind"), "LIGHTER");
  assert_string_equal(h_fact(a, "discretion_level"), "GENERAL");
  assert_string_equal(h_fact(a, "allowed"),
                      "discretion_level in NO_PENALTY,MITIGATED,LENIENT");
  assert_non_null(strstr(a->message, "但处罚裁量档次为一般"));

  /* Each case on its own enterprise, so that none is a prior offence. */
  const char *ents[] = {FX_ENT2, "91622921MA7000001X", "91622921MA7000002X",
                        "91622921MA7000003X"};
  ew_record lenient = penalty(w, "罚-L", fx_t(0));
  lenient.u.penalty.enterprise_uscc = ents[0];
  lenient.u.penalty.discretion_level = EW_DL_LENIENT;
  h_must_apply(&w->h, &lenient);
  assert_null(h_find(&w->h, "R13a"));
  ew_record unstated = penalty(w, "罚-U", fx_t(0));
  unstated.u.penalty.enterprise_uscc = ents[1];
  unstated.u.penalty.discretion_level = -1;
  h_must_apply(&w->h, &unstated);
  a = h_find(&w->h, "R13a");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "discretion_level"), "none");

  item(w, "L-L", EW_LEN_MITIGATED, 730, EW_HARM_MINOR, 1);
  ew_record lenient2 = penalty(w, "罚-L2", fx_t(0));
  lenient2.u.penalty.enterprise_uscc = ents[2];
  lenient2.u.penalty.discretion_level = EW_DL_LENIENT;
  h_must_apply(&w->h, &lenient2);
  a = h_find(&w->h, "R13a");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "kind"), "MITIGATED");
  assert_string_equal(h_fact(a, "allowed"),
                      "discretion_level in NO_PENALTY,MITIGATED");
  ew_record mitigated = penalty(w, "罚-M", fx_t(0));
  mitigated.u.penalty.enterprise_uscc = ents[3];
  mitigated.u.penalty.discretion_level = EW_DL_MITIGATED;
  h_must_apply(&w->h, &mitigated);
  assert_null(h_find(&w->h, "R13a"));
}

/* Of the items whose conditions hold, the most lenient governs. */
static void test_r13a_most_lenient_item_governs(void **state) {
  world *w = *state;
  item(w, "L-A", EW_LEN_LIGHTER, 730, EW_HARM_MINOR, 1);
  item(w, "L-B", EW_LEN_NO_PENALTY, 730, EW_HARM_NONE, 1);
  ew_record minor = penalty(w, "罚-1", fx_t(0));
  minor.u.penalty.discretion_level = EW_DL_LENIENT;
  h_must_apply(&w->h,
               &minor); /* only L-A holds, and LENIENT is what it allows */
  assert_null(h_find(&w->h, "R13a"));
  ew_record none = penalty(w, "罚-2", fx_t(0));
  none.u.penalty.enterprise_uscc = FX_ENT2;
  none.u.penalty.discretion_level = EW_DL_LENIENT;
  none.u.penalty.harm_level = EW_HARM_NONE;
  h_must_apply(&w->h, &none); /* L-B holds too: no penalty at all */
  const ew_alert *a = h_find(&w->h, "R13a");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "leniency_item"), "L-B");
  assert_string_equal(h_fact(a, "allowed"), "no_penalty");
}

static void test_r13a_not_judged_and_withdrawn(void **state) {
  world *w = *state;
  ew_record no_item = penalty(w, "罚-0", fx_t(0));
  h_must_apply(&w->h, &no_item);
  assert_null(h_find(&w->h, "R13a"));
  first_offense_item(w);
  ew_record open_case = penalty(w, "罚-1", fx_t(0));
  open_case.u.penalty.decided_at = EW_NONE;
  open_case.u.penalty.enterprise_uscc = FX_ENT2;
  h_must_apply(&w->h, &open_case);
  assert_null(h_find(&w->h, "R13a"));

  ew_record p = penalty(w, "罚-2", fx_t(0) + DAY);
  p.u.penalty.enterprise_uscc = "91622921MA7000001X";
  h_must_apply(&w->h, &p);
  assert_non_null(h_find(&w->h, "R13a"));
  /* Withdrawn by the agency: the finding goes with it. */
  ew_record gone = p;
  gone.u.penalty.event_id = "pe-gone";
  gone.u.penalty.event_time += DAY;
  gone.u.penalty.withdrawn_at = gone.u.penalty.event_time;
  h_must_apply(&w->h, &gone);
  const ew_alert *a = h_find(&w->h, "R13a");
  assert_non_null(a);
  assert_int_equal(a->status, EW_AST_WITHDRAWN);
}

static void test_r13a_fixed_snapshot_withdraws(void **state) {
  world *w = *state;
  first_offense_item(w);
  ew_record p = penalty(w, "罚-1", fx_t(0));
  h_must_apply(&w->h, &p);
  assert_non_null(h_find(&w->h, "R13a"));
  ew_record fixed = p;
  fixed.u.penalty.event_id = "pe-fixed";
  fixed.u.penalty.event_time += HOUR;
  waive(&fixed);
  h_must_apply(&w->h, &fixed);
  const ew_alert *a = h_find(&w->h, "R13a");
  assert_non_null(a);
  assert_int_equal(a->status, EW_AST_WITHDRAWN);
  assert_null(h_find(&w->h, "R13b")); /* corrected */
}

static void test_r13a_disabled(void **state) {
  world *w = *state;
  w->h.cfg.r13a.c.enabled = 0;
  first_offense_item(w);
  ew_record p = penalty(w, "罚-1", fx_t(0));
  h_must_apply(&w->h, &p);
  assert_null(h_find(&w->h, "R13a"));
}

/* ================================================================ R13b === */

static void test_r13b_waived_not_corrected_fires(void **state) {
  world *w = *state;
  first_offense_item(w);
  ew_record p = penalty(w, "罚-1", fx_t(0));
  waive(&p);
  p.u.penalty.corrected = 0;
  h_must_apply(&w->h, &p);
  const ew_alert *a = h_find(&w->h, "R13b");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_LOW);
  assert_string_equal(h_fact(a, "leniency_item"), "L-1");
  assert_string_equal(h_fact(a, "kind"), "FIRST_OFFENSE_NO_PENALTY");
  assert_string_equal(h_fact(a, "corrected"), "false");
  assert_string_equal(h_fact(a, "must_correct"), "true");
  assert_string_equal(h_fact(a, "outcome"), "not_penalised");
  assert_string_equal(h_fact(a, "penalty_types"), "none");
  assert_string_equal(h_fact(a, "first_offense_history"), "none");
  assert_string_equal(a->legal_basis,
                      "临州办发〔2023〕18号 ¶7；行政处罚法第33条");
  assert_string_equal(a->message,
                      "临夏州市场监督管理局对企业" FX_ENT
                      "的行政处罚决定罚-1依“两轻一免”清单事项L-1（首违不罚）"
                      "对违法行为V-001未予处罚，但当事人未改正违法行为，应重新"
                      "启动处罚程序。");
  assert_null(h_find(&w->h, "R13a"));
}

static void test_r13b_near_misses(void **state) {
  world *w = *state;
  first_offense_item(w);
  ew_record corrected = penalty(w, "罚-1", fx_t(0));
  waive(&corrected);
  h_must_apply(&w->h, &corrected);
  assert_null(h_find(&w->h, "R13b"));
  ew_record fined = penalty(w, "罚-2", fx_t(0));
  fined.u.penalty.corrected = 0;
  fined.u.penalty.enterprise_uscc = FX_ENT2;
  h_must_apply(&w->h, &fined);
  assert_null(h_find(&w->h, "R13b"));
}

static void test_r13b_items_that_need_no_correction(void **state) {
  world *w = *state;
  item(w, "L-L", EW_LEN_LIGHTER, 730, EW_HARM_MINOR, 1);
  ew_record p = penalty(w, "罚-1", fx_t(0));
  waive(&p);
  p.u.penalty.corrected = 0;
  h_must_apply(&w->h, &p); /* a LIGHTER item grants no waiver */
  assert_null(h_find(&w->h, "R13b"));
  item(w, "L-F", EW_LEN_FIRST_OFFENSE_NO_PENALTY, 730, EW_HARM_MINOR, 1);
  ew_record q = penalty(w, "罚-2", fx_t(0));
  waive(&q);
  q.u.penalty.corrected = 0;
  q.u.penalty.enterprise_uscc = FX_ENT2;
  h_must_apply(&w->h, &q);
  assert_non_null(h_find(&w->h, "R13b"));
  /* A NO_FAULT item of the code waives without correction. */
  item(w, "L-Z", EW_LEN_NO_FAULT, 730, EW_HARM_MINOR, 0);
  ew_record r = penalty(w, "罚-3", fx_t(0));
  waive(&r);
  r.u.penalty.corrected = 0;
  r.u.penalty.enterprise_uscc = "91622921MA7000001X";
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R13b"));
}

/* ================================================================= R15 === */

static ew_record compulsion(world *w, const char *no, ew_time decided) {
  ew_record r = penalty(w, no, decided);
  r.u.penalty.compulsory_measures = enums(w, 2, EW_CM_SEAL, EW_CM_SEIZE);
  return r;
}

/* An ENDED inspection of FX_ENT by `agency` `days_before` the decision at
 * fx_t(0) (ended at that instant minus the days), with `measure` (or
 * result `result` when measure < 0). */
static void soft_measure(world *w, const char *id, const char *agency,
                         int64_t ms_before, int measure, int result) {
  ew_record r = inspection(w, id, fx_t(0) - ms_before - 2 * HOUR, 1);
  r.u.inspection.agency_uscc = agency;
  if (measure >= 0)
    r.u.inspection.soft_measures = enums(w, 1, measure);
  r.u.inspection.result = result;
  h_must_apply(&w->h, &r);
}

static void test_r15_fires_without_soft_measure(void **state) {
  world *w = *state;
  grade(w, FX_ENT, EW_GRADE_A);
  ew_record p = compulsion(w, "罚-1", fx_t(0));
  h_must_apply(&w->h, &p);
  const ew_alert *a = h_find(&w->h, "R15");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_LOW);
  assert_string_equal(h_fact(a, "credit_grade"), "A");
  assert_string_equal(h_fact(a, "credit_grade_as_of"),
                      "2025-03-01T00:00:00+08:00");
  assert_string_equal(h_fact(a, "grades"), "A,B");
  assert_string_equal(h_fact(a, "compulsory_measures"), "SEAL,SEIZE");
  assert_string_equal(h_fact(a, "soft_measure"), "none");
  assert_string_equal(h_fact(a, "soft_measure_agency"), "same");
  assert_string_equal(h_fact(a, "soft_lookback_days"), "90");
  assert_string_equal(h_fact(a, "factor_codes"), "none");
  assert_string_equal(h_fact(a, "urgency_factors"), "URGENT");
  assert_string_equal(a->legal_basis,
                      "临州办发〔2023〕18号 ¶7；行政强制法第5条");
  assert_string_equal(a->message,
                      "临夏州市场监督管理局对企业" FX_ENT
                      "的行政处罚决定罚-1采取了行政强制措施，而该企业信用"
                      "等级为A，此前90日内该部门未对其采取责令改正、行政"
                      "指导等非强制性手段，也未载明紧急情形。");
}

static void test_r15_soft_measure_near_miss(void **state) {
  world *w = *state;
  grade(w, FX_ENT, EW_GRADE_B);
  soft_measure(w, "INS-S", FX_AG1, 30 * DAY, EW_SOFT_ADMIN_GUIDANCE,
               EW_RES_NO_ISSUE);
  ew_record p = compulsion(w, "罚-1", fx_t(0));
  h_must_apply(&w->h, &p);
  assert_null(h_find(&w->h, "R15"));
}

static void test_r15_rectification_order_near_miss(void **state) {
  world *w = *state;
  grade(w, FX_ENT, EW_GRADE_A);
  soft_measure(w, "INS-R", FX_AG1, 90 * DAY, -1,
               EW_RES_RECTIFICATION_ORDERED); /* exactly 90 days */
  ew_record p = compulsion(w, "罚-1", fx_t(0));
  h_must_apply(&w->h, &p);
  assert_null(h_find(&w->h, "R15"));
}

static void test_r15_soft_measure_outside_window_fires(void **state) {
  world *w = *state;
  grade(w, FX_ENT, EW_GRADE_A);
  soft_measure(w, "INS-OLD", FX_AG1, 90 * DAY + 1, EW_SOFT_ADMIN_WARNING,
               EW_RES_NO_ISSUE);
  soft_measure(w, "INS-LATER", FX_AG1, -HOUR, EW_SOFT_ADMIN_WARNING,
               EW_RES_NO_ISSUE);
  soft_measure(w, "INS-PLAIN", FX_AG1, DAY, -1, EW_RES_NO_ISSUE);
  ew_record p = compulsion(w, "罚-1", fx_t(0));
  h_must_apply(&w->h, &p);
  assert_non_null(h_find(&w->h, "R15"));
}

/* Another department's guidance is not this agency's soft measure. */
static void test_r15_other_agency_soft_measure_fires(void **state) {
  world *w = *state;
  grade(w, FX_ENT, EW_GRADE_A);
  soft_measure(w, "INS-O", FX_AG2, 10 * DAY, EW_SOFT_ADMIN_GUIDANCE,
               EW_RES_GUIDANCE_GIVEN);
  ew_record p = compulsion(w, "罚-1", fx_t(0));
  h_must_apply(&w->h, &p);
  assert_non_null(h_find(&w->h, "R15"));
}

static void test_r15_grades(void **state) {
  world *w = *state;
  ew_record p = compulsion(w, "罚-1", fx_t(0));
  h_must_apply(&w->h, &p); /* no grade on file: not judged */
  assert_null(h_find(&w->h, "R15"));
  grade(w, FX_ENT, EW_GRADE_C);
  ew_record p2 = compulsion(w, "罚-1", fx_t(0));
  h_must_apply(&w->h, &p2);
  assert_null(h_find(&w->h, "R15"));
  w->h.cfg.r15.grades |= 1u << EW_GRADE_C;
  ew_record p3 = compulsion(w, "罚-1", fx_t(0));
  h_must_apply(&w->h, &p3);
  const ew_alert *a = h_find(&w->h, "R15");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "credit_grade"), "C");
  assert_string_equal(h_fact(a, "grades"), "A,B,C");
}

static void test_r15_urgency_and_no_compulsion(void **state) {
  world *w = *state;
  grade(w, FX_ENT, EW_GRADE_A);
  ew_record urgent = compulsion(w, "罚-1", fx_t(0));
  urgent.u.penalty.factor_codes = fx_strv(&w->h.a, 2, "F-REPEAT", "URGENT");
  h_must_apply(&w->h, &urgent);
  assert_null(h_find(&w->h, "R15"));
  ew_record other = compulsion(w, "罚-2", fx_t(0));
  other.u.penalty.factor_codes = fx_strv(&w->h.a, 1, "F-REPEAT");
  h_must_apply(&w->h, &other);
  const ew_alert *a = h_find(&w->h, "R15");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "factor_codes"), "F-REPEAT");
  ew_record plain = penalty(w, "罚-3", fx_t(0));
  h_must_apply(&w->h, &plain);
  assert_null(h_find(&w->h, "R15"));
}

/* ================================================================ R22a === */

static void test_r22a_fee_without_link_fires(void **state) {
  world *w = *state;
  ew_record r = inspection(w, "INS-1", fx_t(0), 0);
  r.u.inspection.fees_collected_fen = 20050;
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R22a");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_HIGH);
  assert_int_equal(a->subject_type, EW_SUBJ_INSPECTION);
  assert_string_equal(h_fact(a, "fees_collected_fen"), "20050");
  assert_string_equal(h_fact(a, "case_id"), "none");
  assert_string_equal(h_fact(a, "linked_penalty"), "none");
  assert_string_equal(h_fact(a, "check_items"), "C13-01");
  assert_string_equal(h_fact(a, "statutory_fee_items"), "none");
  assert_string_equal(a->legal_basis, "临州办发〔2023〕18号 ¶6；¶3");
  assert_string_equal(a->message,
                      "临夏州市场监督管理局对企业" FX_ENT
                      "的现场检查INS-1中向企业收取费用200.50元，但未关联行政"
                      "处罚决定，检查事项也不属于法定收费事项。");
  /* Unchanged on ENDED: not emitted again; CANCELLED withdraws. */
  ew_record e = inspection(w, "INS-1", fx_t(0), 1);
  e.u.inspection.fees_collected_fen = 20050;
  h_must_apply(&w->h, &e);
  assert_null(h_find(&w->h, "R22a"));
  ew_record c = e;
  c.u.inspection.event_id = "ie-cancel";
  c.u.inspection.event_time += HOUR;
  c.u.inspection.status = EW_INSP_CANCELLED;
  h_must_apply(&w->h, &c);
  a = h_find(&w->h, "R22a");
  assert_non_null(a);
  assert_int_equal(a->status, EW_AST_WITHDRAWN);
}

static void test_r22a_linked_case_near_miss(void **state) {
  world *w = *state;
  ew_record p = penalty(w, "罚-1", fx_t(0) - DAY);
  p.u.penalty.case_id = "CASE-1";
  h_must_apply(&w->h, &p);
  ew_record r = inspection(w, "INS-1", fx_t(0), 1);
  r.u.inspection.fees_collected_fen = 50000;
  r.u.inspection.case_id = "CASE-1";
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R22a"));
}

static void test_r22a_unlinked_cases_fire(void **state) {
  world *w = *state;
  ew_record open_case = penalty(w, "罚-1", fx_t(0));
  open_case.u.penalty.decided_at = EW_NONE;
  open_case.u.penalty.case_id = "CASE-OPEN";
  h_must_apply(&w->h, &open_case);
  ew_record other_ent = penalty(w, "罚-2", fx_t(0) - DAY);
  other_ent.u.penalty.case_id = "CASE-2";
  other_ent.u.penalty.enterprise_uscc = FX_ENT2;
  h_must_apply(&w->h, &other_ent);
  const char *cases[] = {"CASE-OPEN", "CASE-2", "CASE-NONE"};
  for (size_t i = 0; i < 3; i++) {
    char id[16];
    snprintf(id, sizeof id, "INS-%zu", i);
    ew_record r = inspection(w, id, fx_t(0), 1);
    r.u.inspection.fees_collected_fen = 100;
    r.u.inspection.case_id = cases[i];
    h_must_apply(&w->h, &r);
    const ew_alert *a = h_find(&w->h, "R22a");
    assert_non_null(a);
    assert_string_equal(h_fact(a, "case_id"), cases[i]);
  }
}

static void test_r22a_statutory_fee_item_near_miss(void **state) {
  world *w = *state;
  ew_strlist *l = &w->h.cfg.r22a.statutory_fee_items;
  l->v[l->n++] = strdup("C13-01");
  ew_record r = inspection(w, "INS-1", fx_t(0), 1);
  r.u.inspection.fees_collected_fen = 50000;
  r.u.inspection.check_items = fx_strv(&w->h.a, 2, "C13-09", "C13-01");
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R22a"));
  ew_record q = inspection(w, "INS-2", fx_t(0), 1);
  q.u.inspection.fees_collected_fen = 50000;
  q.u.inspection.check_items = fx_strv(&w->h.a, 1, "C13-09");
  h_must_apply(&w->h, &q);
  const ew_alert *a = h_find(&w->h, "R22a");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "statutory_fee_items"), "C13-01");
}

static void test_r22a_not_judged(void **state) {
  world *w = *state;
  ew_record planned = inspection(w, "INS-1", fx_t(0), 0);
  planned.u.inspection.status = EW_INSP_PLANNED;
  planned.u.inspection.fees_collected_fen = 50000;
  h_must_apply(&w->h, &planned);
  assert_null(h_find(&w->h, "R22a"));
  ew_record free = inspection(w, "INS-2", fx_t(0), 1);
  h_must_apply(&w->h, &free);
  assert_null(h_find(&w->h, "R22a"));
}

/* ================================================================ R22b === */

static ew_record halted(world *w, const char *id) {
  ew_record r = inspection(w, id, fx_t(0), 1); /* 09:00 - 11:00 */
  r.u.inspection.production_halted = 1;
  return r;
}

static void test_r22b_halted_without_decision_fires(void **state) {
  world *w = *state;
  ew_record r = inspection(w, "INS-1", fx_t(0), 0);
  r.u.inspection.production_halted = 1;
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R22b");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_HIGH);
  assert_string_equal(h_fact(a, "production_halted"), "true");
  assert_string_equal(h_fact(a, "compulsory_decision"), "none");
  assert_string_equal(h_fact(a, "window_from"), "2025-03-03T09:00:00+08:00");
  assert_string_equal(h_fact(a, "window_to"), "");
  assert_string_equal(h_fact(a, "decision_grace_days"), "1");
  assert_string_equal(a->legal_basis, "临州办发〔2023〕18号 ¶6；¶3");
  assert_string_equal(a->message,
                      "临夏州市场监督管理局对企业" FX_ENT
                      "的现场检查INS-1中企业被停止生产经营，但该部门在检查"
                      "前后1日内未作出行政强制措施决定。");
  assert_null(h_find(&w->h, "R22a"));
  /* The ENDED snapshot finds the same: not emitted again. */
  ew_record e = halted(w, "INS-1");
  e.u.inspection.event_time += HOUR;
  h_must_apply(&w->h, &e);
  assert_null(h_find(&w->h, "R22b"));
}

static void test_r22b_decision_near_miss(void **state) {
  world *w = *state;
  ew_record p = compulsion(w, "罚-1", fx_t(1));
  h_must_apply(&w->h, &p);
  ew_record r = halted(w, "INS-1");
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R22b"));
}

/* A seal on a case not yet decided is a compulsory measure already taken:
 * it covers the stoppage from when its snapshot was recorded. */
static void test_r22b_undecided_case_with_seal_near_miss(void **state) {
  world *w = *state;
  ew_record p = compulsion(w, "罚-1", fx_t(1));
  p.u.penalty.event_time = fx_t(1);
  p.u.penalty.decided_at = EW_NONE; /* the case is still open */
  p.u.penalty.notice_of_rights_at = EW_NONE;
  h_must_apply(&w->h, &p);
  ew_record r = halted(w, "INS-1");
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R22b"));
}

/* The window is [started_at - grace, ended_at + grace], both inclusive. */
static void test_r22b_decision_window(void **state) {
  world *w = *state;
  struct {
    ew_time decided;
    const char *agency;
    int compulsory;
    int fires;
  } cases[] = {
      {fx_t(2) + DAY, FX_AG1, 1, 0},     /* ended_at + 1 day */
      {fx_t(2) + DAY + 1, FX_AG1, 1, 1}, /* a millisecond later */
      {fx_t(0) - DAY, FX_AG1, 1, 0},     /* started_at - 1 day */
      {fx_t(0) - DAY - 1, FX_AG1, 1, 1}, /* a millisecond earlier */
      {fx_t(1), FX_AG2, 1, 1},           /* another agency's decision */
      {fx_t(1), FX_AG1, 0, 1},           /* no compulsory measure */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char no[16], id[16], ent[32];
    snprintf(no, sizeof no, "罚-%zu", i);
    snprintf(id, sizeof id, "INS-%zu", i);
    /* One enterprise per case, so that earlier cases' decisions stay out. */
    snprintf(ent, sizeof ent, "91622921MA700000%zuX", i);
    ew_record p = cases[i].compulsory ? compulsion(w, no, cases[i].decided)
                                      : penalty(w, no, cases[i].decided);
    p.u.penalty.agency_uscc = cases[i].agency;
    p.u.penalty.enterprise_uscc = ew_arena_strdup(&w->h.a, ent);
    h_must_apply(&w->h, &p);
    ew_record r = halted(w, id);
    r.u.inspection.enterprise_uscc = p.u.penalty.enterprise_uscc;
    h_must_apply(&w->h, &r);
    if (cases[i].fires)
      assert_non_null(h_find(&w->h, "R22b"));
    else
      assert_null(h_find(&w->h, "R22b"));
  }
}

/* A decision that arrives after an inspection snapshot is seen only by the
 * inspection's next snapshot (the documented limitation). */
static void test_r22b_late_decision_seen_by_next_snapshot(void **state) {
  world *w = *state;
  ew_record started = inspection(w, "INS-1", fx_t(0), 0);
  started.u.inspection.production_halted = 1;
  h_must_apply(&w->h, &started);
  assert_non_null(h_find(&w->h, "R22b"));
  ew_record p = compulsion(w, "罚-1", fx_t(1));
  h_must_apply(&w->h, &p);
  assert_null(h_find(&w->h, "R22b")); /* nothing re-evaluates INS-1 */
  ew_record ended = halted(w, "INS-1");
  h_must_apply(&w->h, &ended);
  const ew_alert *a = h_find(&w->h, "R22b");
  assert_non_null(a);
  assert_int_equal(a->status, EW_AST_WITHDRAWN);
}

static void test_r22b_not_judged(void **state) {
  world *w = *state;
  ew_record planned = halted(w, "INS-1");
  planned.u.inspection.status = EW_INSP_PLANNED;
  h_must_apply(&w->h, &planned);
  assert_null(h_find(&w->h, "R22b"));
  ew_record running = inspection(w, "INS-2", fx_t(0), 1);
  h_must_apply(&w->h, &running);
  assert_null(h_find(&w->h, "R22b"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_r13a_first_offence_fined_fires),
      T(test_r13a_prior_offence_within_lookback_near_miss),
      T(test_r13a_prior_outside_lookback_fires),
      T(test_r13a_waived_prior_counts_near_miss),
      T(test_r13a_prior_not_counting),
      T(test_r13a_conditions_near_misses),
      T(test_r13a_harm_max_and_must_correct),
      T(test_r13a_lighter_and_mitigated),
      T(test_r13a_most_lenient_item_governs),
      T(test_r13a_not_judged_and_withdrawn),
      T(test_r13a_fixed_snapshot_withdraws),
      T(test_r13a_disabled),
      T(test_r13b_waived_not_corrected_fires),
      T(test_r13b_near_misses),
      T(test_r13b_items_that_need_no_correction),
      T(test_r15_fires_without_soft_measure),
      T(test_r15_soft_measure_near_miss),
      T(test_r15_rectification_order_near_miss),
      T(test_r15_soft_measure_outside_window_fires),
      T(test_r15_other_agency_soft_measure_fires),
      T(test_r15_grades),
      T(test_r15_urgency_and_no_compulsion),
      T(test_r22a_fee_without_link_fires),
      T(test_r22a_linked_case_near_miss),
      T(test_r22a_unlinked_cases_fire),
      T(test_r22a_statutory_fee_item_near_miss),
      T(test_r22a_not_judged),
      T(test_r22b_halted_without_decision_fires),
      T(test_r22b_decision_near_miss),
      T(test_r22b_undecided_case_with_seal_near_miss),
      T(test_r22b_decision_window),
      T(test_r22b_late_decision_seen_by_next_snapshot),
      T(test_r22b_not_judged),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
