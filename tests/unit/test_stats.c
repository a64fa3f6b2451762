/*
 * test_stats.c - the stats stream (issue 5) against hand-computed numbers:
 * a new snapshot replaces its subject's counts rather than adding to them,
 * distinct counts count enterprises once, plan items compare planned with
 * executed, a withdrawn penalty or alert stops counting, and only values
 * that changed are emitted, once per flush, nothing after a rollback.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "engine_harness.h"
#include "stats.h"

static int setup(void **state) {
  harness *h = calloc(1, sizeof *h);
  if (!h || h_open(h, ":memory:") != 0)
    return -1;
  *state = h;
  return 0;
}

static int teardown(void **state) {
  harness *h = *state;
  h_close(h);
  free(h);
  return 0;
}

static int64_t val(harness *h, const char *agency, const char *period,
                   const char *metric) {
  int64_t v = 0;
  int found = 0;
  assert_int_equal(
      ew_store_stats_get(h->store, agency, period, metric, &v, NULL, &found),
      0);
  return found ? v : -1; /* -1: never counted */
}

static int eid = 0;
static const char *next_eid(harness *h) {
  return ew_arena_printf(&h->a, "E-%d", ++eid);
}

static ew_record insp(harness *h, const char *id, const char *ent,
                      ew_time started) {
  ew_record r = fx_inspection(&h->a, next_eid(h), id, started);
  r.u.inspection.enterprise_uscc = ew_arena_strdup(&h->a, ent);
  r.u.inspection.started_at = started;
  return r;
}

/* Applies `r` and flushes the stats in one transaction, as the daemon's
 * batch does. */
static void apply(harness *h, const ew_record *r) {
  ew_origin o = {"jsonl", 0, 0};
  assert_int_equal(ew_store_begin(h->store), 0);
  if (ew_engine_apply(h->engine, r, &o) != 0)
    fail_msg("apply: %s", ew_engine_errmsg(h->engine));
  assert_int_equal(ew_engine_flush_stats(h->engine), 0);
  assert_int_equal(ew_store_commit(h->store), 0);
}

static void test_periods(void **state) {
  (void)state;
  char m[8], q[8], hf[8];
  /* 2025-06-30 23:30 Shanghai is still June, Q2, H1; 16:30 UTC. */
  ew_stats_periods(
      ew_time_from_civil(2025, 6, 30) + 23LL * 3600000 + 30 * 60000, m, q, hf);
  assert_string_equal(m, "2025-06");
  assert_string_equal(q, "2025-Q2");
  assert_string_equal(hf, "2025-H1");
  ew_stats_periods(ew_time_from_civil(2025, 7, 1), m, q, hf);
  assert_string_equal(m, "2025-07");
  assert_string_equal(q, "2025-Q3");
  assert_string_equal(hf, "2025-H2");
  ew_stats_periods(ew_time_from_civil(2024, 12, 31), m, q, hf);
  assert_string_equal(q, "2024-Q4");
  assert_string_equal(hf, "2024-H2");
}

/* Two inspections of one enterprise in March, then the first moves to
 * April, then the second is cancelled. */
static void test_inspections_follow_their_snapshots(void **state) {
  harness *h = *state;
  ew_time mar10 = fx_day(2025, 3, 10) + 9 * 3600000LL;
  ew_time mar20 = fx_day(2025, 3, 20) + 9 * 3600000LL;
  ew_time apr2 = fx_day(2025, 4, 2) + 9 * 3600000LL;

  ew_record a = insp(h, "I-1", FX_ENT, mar10);
  apply(h, &a);
  assert_int_equal(val(h, FX_AG1, "2025-03", "inspections_total"), 1);
  assert_int_equal(val(h, FX_AG1, "2025-Q1", "inspections_total"), 1);
  assert_int_equal(val(h, FX_AG1, "2025-H1", "inspections_total"), 1);
  assert_int_equal(val(h, FX_AG1, "2025-03", "inspections_trigger_ANNUAL_PLAN"),
                   1);
  /* No plan_id: not planned; ANNUAL_PLAN is not an R02 exemption. */
  assert_int_equal(val(h, FX_AG1, "2025-03", "inspections_unplanned"), 1);
  assert_int_equal(val(h, FX_AG1, "2025-03", "enterprises_inspected"), 1);

  ew_record b = insp(h, "I-2", FX_ENT, mar20);
  apply(h, &b);
  assert_int_equal(val(h, FX_AG1, "2025-03", "inspections_total"), 2);
  assert_int_equal(val(h, FX_AG1, "2025-03", "enterprises_inspected"), 1);
  assert_int_equal(val(h, FX_AG1, "2025-03", "inspections_repeat"), 1);

  ew_record a2 = insp(h, "I-1", FX_ENT, apr2);
  a2.u.inspection.event_time = apr2;
  apply(h, &a2);
  assert_int_equal(val(h, FX_AG1, "2025-03", "inspections_total"), 1);
  assert_int_equal(val(h, FX_AG1, "2025-03", "inspections_repeat"), 0);
  assert_int_equal(val(h, FX_AG1, "2025-04", "inspections_total"), 1);
  assert_int_equal(val(h, FX_AG1, "2025-Q1", "inspections_total"), 1);
  assert_int_equal(val(h, FX_AG1, "2025-Q2", "inspections_total"), 1);
  assert_int_equal(val(h, FX_AG1, "2025-H1", "inspections_total"), 2);
  assert_int_equal(val(h, FX_AG1, "2025-H1", "enterprises_inspected"), 1);
  assert_int_equal(val(h, FX_AG1, "2025-H1", "inspections_repeat"), 1);

  ew_record b2 = insp(h, "I-2", FX_ENT, mar20);
  b2.u.inspection.status = EW_INSP_CANCELLED;
  b2.u.inspection.event_time = apr2;
  apply(h, &b2);
  assert_int_equal(val(h, FX_AG1, "2025-03", "inspections_total"), 0);
  assert_int_equal(val(h, FX_AG1, "2025-03", "enterprises_inspected"), 0);
  assert_int_equal(val(h, FX_AG1, "2025-H1", "inspections_total"), 1);
  assert_int_equal(val(h, FX_AG1, "2025-H1", "enterprises_inspected"), 1);
  assert_int_equal(val(h, FX_AG1, "2025-H1", "inspections_repeat"), 0);
}

/* An item planned for two enterprises, executed for one of them twice and
 * once for an enterprise outside its targets. */
static void test_plan_items(void **state) {
  harness *h = *state;
  ew_record pl = fx_plan(&h->a, "PL-1", FX_AG1);
  ew_plan_item *it = fx_plan_item(&h->a, &pl.u.plan, "IT-1", "C13-01",
                                  fx_day(2025, 3, 1), fx_day(2025, 6, 30));
  it->target_usccs = fx_strv(&h->a, 2, FX_ENT, FX_ENT2);
  apply(h, &pl);
  assert_int_equal(val(h, FX_AG1, "2025-06", "plan_item_planned:PL-1/IT-1"), 2);
  assert_int_equal(val(h, FX_AG1, "2025-H1", "plan_item_planned:PL-1/IT-1"), 2);
  for (int i = 0; i < 3; i++) {
    char id[8];
    snprintf(id, sizeof id, "I-%d", i);
    ew_record r = insp(h, id, i < 2 ? FX_ENT : "91622921MA7000000X",
                       fx_day(2025, 4, 1 + i) + 9 * 3600000LL);
    r.u.inspection.plan_id = "PL-1";
    r.u.inspection.plan_item_id = "IT-1";
    apply(h, &r);
  }
  assert_int_equal(val(h, FX_AG1, "2025-H1", "plan_item_executed:PL-1/IT-1"),
                   2);
  assert_int_equal(val(h, FX_AG1, "2025-H1", "inspections_planned"), 3);
  assert_int_equal(val(h, FX_AG1, "2025-H1", "inspections_unplanned"), -1);

  /* The plan returned: nothing is planned any more. */
  pl.u.plan.status = EW_PST_RETURNED;
  apply(h, &pl);
  assert_int_equal(val(h, FX_AG1, "2025-H1", "plan_item_planned:PL-1/IT-1"), 0);
}

static void test_penalties(void **state) {
  harness *h = *state;
  ew_record p = fx_penalty(&h->a, next_eid(h), "DEC-1", fx_t(0));
  p.u.penalty.penalty_types.v = ew_arena_calloc(&h->a, 1, sizeof(int));
  p.u.penalty.penalty_types.v[0] = EW_PT_FINE;
  p.u.penalty.penalty_types.n = 1;
  p.u.penalty.fine_fen = 500000;
  apply(h, &p);
  ew_record q = fx_penalty(&h->a, next_eid(h), "DEC-2", fx_t(24));
  q.u.penalty.confiscated_fen = 1200;
  apply(h, &q);
  assert_int_equal(val(h, FX_AG1, "2025-03", "penalties_total"), 2);
  assert_int_equal(val(h, FX_AG1, "2025-03", "penalties_fine"), 1);
  assert_int_equal(val(h, FX_AG1, "2025-03", "fines_fen"), 500000);
  assert_int_equal(val(h, FX_AG1, "2025-Q1", "confiscated_fen"), 1200);

  ew_record p2 = p;
  p2.u.penalty.event_id = next_eid(h);
  p2.u.penalty.event_time = fx_t(48);
  p2.u.penalty.withdrawn_at = fx_t(48);
  apply(h, &p2);
  assert_int_equal(val(h, FX_AG1, "2025-03", "penalties_total"), 1);
  assert_int_equal(val(h, FX_AG1, "2025-03", "fines_fen"), 0);
}

/* A complaint concluded on time, one concluded past R20a's deadline (its
 * conclude alert stays open). */
static void test_complaints(void **state) {
  harness *h = *state;
  ew_time rec = fx_day(2025, 3, 3) + 9 * 3600000LL;
  for (int late = 0; late < 2; late++) {
    ew_record r;
    r.kind = EW_REC_COMPLAINT;
    ew_rtype_init(ew_rtype_of(r.kind), &r.u);
    ew_complaint *c = &r.u.complaint;
    c->event_id = next_eid(h);
    c->complaint_id = late ? "C-LATE" : "C-OK";
    c->received_at = rec;
    c->channel = EW_CHAN_HOTLINE_12345;
    c->subject_type = EW_CSUBJ_ENFORCEMENT_CONDUCT;
    c->category = EW_CAT_SINGLE_OFFICER;
    c->handling_agency_uscc = FX_AG2;
    c->respondent_agency_uscc = FX_AG1;
    c->status = EW_CST_CONCLUDED;
    c->accepted_at = rec + 24 * 3600000LL;
    c->concluded_at =
        c->accepted_at + (late ? 45 : 10) * 24 * 3600000LL; /* limit 30 d */
    c->finding = late ? EW_FIND_UNSUBSTANTIATED : EW_FIND_PARTLY_SUBSTANTIATED;
    c->event_time = c->concluded_at;
    assert_int_equal(h_advance(h, c->event_time), 0);
    apply(h, &r);
  }
  assert_int_equal(val(h, FX_AG2, "2025-Q1", "complaints_total"), 2);
  assert_int_equal(
      val(h, FX_AG2, "2025-Q1", "complaints_channel_HOTLINE_12345"), 2);
  assert_int_equal(
      val(h, FX_AG2, "2025-Q1", "complaints_category_SINGLE_OFFICER"), 2);
  assert_int_equal(val(h, FX_AG2, "2025-Q1", "complaints_concluded"), 2);
  assert_int_equal(val(h, FX_AG2, "2025-Q1", "complaints_on_time"), 1);
  assert_int_equal(val(h, FX_AG2, "2025-Q1", "complaints_substantiated"), 1);
}

/* Alerts count while open, by rule; only changed values are emitted. */
static void test_alerts_and_emission(void **state) {
  harness *h = *state;
  ew_record a = insp(h, "I-1", FX_ENT, fx_t(0)); /* no officers: R05 */
  h->nstats = 0;
  apply(h, &a);
  assert_true(h->nstats > 0);
  int64_t r05 = val(h, FX_AG1, "2025-03", "alerts_R05");
  assert_int_equal(r05, 1);
  assert_true(val(h, FX_AG1, "2025-03", "alerts_total") >= 1);

  /* The same snapshot again (a new event id): nothing changed, nothing is
   * emitted. */
  ew_record again = a;
  again.u.inspection.event_id = next_eid(h);
  h->nstats = 0;
  apply(h, &again);
  assert_int_equal(h->nstats, 0);

  /* Two certified officers: R05 withdrawn, its count back to 0. */
  ew_record c1 = fx_cert(&h->a, "CERT-1", "OF-1", FX_AG1);
  ew_record c2 = fx_cert(&h->a, "CERT-2", "OF-2", FX_AG1);
  apply(h, &c1);
  apply(h, &c2);
  ew_record b = insp(h, "I-1", FX_ENT, fx_t(0));
  b.u.inspection.event_time = fx_t(1);
  fx_officer(&h->a, b.u.inspection.officers, "OF-1", "CERT-1", 1);
  fx_officer(&h->a, b.u.inspection.officers, "OF-2", "CERT-2", 1);
  apply(h, &b);
  assert_int_equal(val(h, FX_AG1, "2025-03", "alerts_R05"), 0);

  /* A rolled-back batch leaves neither counts nor emissions. */
  int64_t before = val(h, FX_AG1, "2025-03", "inspections_total");
  ew_origin o = {"jsonl", 0, 0};
  assert_int_equal(ew_store_begin(h->store), 0);
  ew_record c = insp(h, "I-9", FX_ENT2, fx_t(2));
  assert_int_equal(ew_engine_apply(h->engine, &c, &o), 0);
  assert_int_equal(ew_store_rollback(h->store), 0);
  h->nstats = 0;
  assert_int_equal(ew_store_begin(h->store), 0);
  assert_int_equal(ew_engine_flush_stats(h->engine), 0);
  assert_int_equal(ew_store_commit(h->store), 0);
  assert_int_equal(h->nstats, 0);
  assert_int_equal(val(h, FX_AG1, "2025-03", "inspections_total"), before);
}

/* Values change in the accumulator and reach the store at the flush; a
 * snapshot that moves and moves back within one batch is no news. */
static void test_batch_changes_meet_at_flush(void **state) {
  harness *h = *state;
  ew_record a = insp(h, "I-1", FX_ENT, fx_t(0));
  apply(h, &a);
  assert_int_equal(val(h, FX_AG1, "2025-03", "inspections_total"), 1);

  ew_origin o = {"jsonl", 0, 0};
  assert_int_equal(ew_store_begin(h->store), 0);
  ew_record b = insp(h, "I-2", FX_ENT2, fx_t(1));
  assert_int_equal(ew_engine_apply(h->engine, &b, &o), 0);
  assert_int_equal(val(h, FX_AG1, "2025-03", "inspections_total"), 1);
  h->nstats = 0;
  assert_int_equal(ew_engine_flush_stats(h->engine), 0);
  assert_int_equal(ew_store_commit(h->store), 0);
  assert_true(h->nstats > 0);
  assert_int_equal(val(h, FX_AG1, "2025-03", "inspections_total"), 2);

  /* I-1 to March 20 and back to March 4 in one transaction. */
  assert_int_equal(ew_store_begin(h->store), 0);
  ew_record later = insp(h, "I-1", FX_ENT, fx_t(16 * 24));
  later.u.inspection.event_time = fx_t(16 * 24);
  assert_int_equal(ew_engine_apply(h->engine, &later, &o), 0);
  ew_record back = insp(h, "I-1", FX_ENT, fx_t(0));
  back.u.inspection.event_time = fx_t(16 * 24 + 1);
  assert_int_equal(ew_engine_apply(h->engine, &back, &o), 0);
  h->nstats = 0;
  assert_int_equal(ew_engine_flush_stats(h->engine), 0);
  assert_int_equal(ew_store_commit(h->store), 0);
  assert_int_equal(h->nstats, 0);
  assert_int_equal(val(h, FX_AG1, "2025-03", "inspections_total"), 2);
  assert_int_equal(val(h, FX_AG1, "2025-03", "enterprises_inspected"), 2);
}

int main(void) {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_periods),
      T(test_inspections_follow_their_snapshots),
      T(test_plan_items),
      T(test_penalties),
      T(test_complaints),
      T(test_alerts_and_emission),
      T(test_batch_changes_meet_at_flush),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
