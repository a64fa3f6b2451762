/*
 * test_rules_decisions.c - the penalty-decision rules R09, R10a, R10b, R10c,
 * R11, R14a and R18b through the engine: for each rule id the cases that
 * fire (severity and key facts asserted) and the near misses that must not.
 *
 * Every test starts from a world in which the base decision is clean:
 * agency FX_AG1 registered, officers O1/O2 with valid certificates of FX_AG1
 * (shown, so R05/R06 stay quiet), and FX_AG1's benchmark BM-AG1 for V-001
 * (statutory ¥1,000-¥20,000; MITIGATED ¥200-¥1,000, LENIENT ¥1,000-¥5,000,
 * GENERAL ¥5,000-¥10,000, HEAVY ¥10,000-¥20,000; no hearing threshold of
 * its own). The base decision: GENERAL procedure, decided on Tuesday
 * 2025-03-04 09:00, the party told of its rights on Monday 02-24 (so a
 * hearing's five working days to ask, 02-25 .. 03-03, ran out before the
 * decision), a ¥5,000 FINE at the GENERAL level citing the benchmark. A
 * test changes one thing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "engine_harness.h"

#define HOUR (3600LL * 1000)

typedef struct world {
  harness h;
  int next_event;
} world;

static ew_enumv enums(ew_arena *a, size_t n, ...) {
  ew_enumv v = {NULL, 0};
  if (!n)
    return v;
  v.v = ew_arena_calloc(a, n, sizeof *v.v);
  va_list ap;
  va_start(ap, n);
  for (size_t i = 0; i < n; i++)
    v.v[i] = va_arg(ap, int);
  va_end(ap);
  v.n = n;
  return v;
}

/* A benchmark for `code`, of `agency` (NULL: a general one), with the
 * statutory range ¥1,000-¥20,000 and the four usual bands. */
static ew_record benchmark(ew_arena *a, const char *id, const char *code,
                           const char *agency) {
  static const ew_benchmark_level levels[] = {{EW_DL_MITIGATED, 20000, 100000},
                                              {EW_DL_LENIENT, 100000, 500000},
                                              {EW_DL_GENERAL, 500000, 1000000},
                                              {EW_DL_HEAVY, 1000000, 2000000}};
  ew_record r;
  r.kind = EW_REC_BENCHMARK;
  ew_rtype_init(ew_rtype_of(r.kind), &r.u);
  ew_benchmark *b = &r.u.benchmark;
  b->benchmark_id = ew_arena_strdup(a, id);
  b->violation_code = ew_arena_strdup(a, code);
  b->agency_uscc = agency ? ew_arena_strdup(a, agency) : NULL;
  b->statutory_min_fen = 100000;
  b->statutory_max_fen = 2000000;
  b->levels.v = ew_arena_calloc(a, 4, sizeof *b->levels.v);
  memcpy(b->levels.v, levels, sizeof levels);
  b->levels.n = 4;
  return r;
}

static int setup(void **state) {
  world *w = calloc(1, sizeof *w);
  if (!w || h_open(&w->h, ":memory:") != 0)
    return -1;
  ew_arena *a = &w->h.a;
  ew_record c1 = fx_cert(a, "C1", "O1", FX_AG1);
  ew_record c2 = fx_cert(a, "C2", "O2", FX_AG1);
  ew_record bm = benchmark(a, "BM-AG1", "V-001", FX_AG1);
  if (h_apply(&w->h, &c1) || h_apply(&w->h, &c2) || h_apply(&w->h, &bm))
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

/* The clean base decision, with a fresh event id. */
static ew_record base(world *w, const char *decision_no) {
  char eid[32];
  ew_arena *a = &w->h.a;
  snprintf(eid, sizeof eid, "ev-%d", ++w->next_event);
  ew_record r = fx_penalty(a, eid, decision_no, fx_t(w->next_event));
  ew_penalty *p = &r.u.penalty;
  fx_officer(a, p->officers, "O1", "C1", 1);
  fx_officer(a, p->officers, "O2", "C2", 1);
  p->penalty_types = enums(a, 1, EW_PT_FINE);
  p->fine_fen = 500000;
  p->benchmark_cited = 1;
  p->discretion_level = EW_DL_GENERAL;
  p->notice_of_rights_at = fx_t(-8 * 24);
  return r;
}

/* Gives the base decision what a heavy sanction needs: a legal review
 * passed the day before, collective discussion, a hearing offered. */
static void safeguards(ew_penalty *p) {
  p->legal_review_id = "FZSH-1";
  p->legal_review_passed = 1;
  p->legal_review_at = p->decided_at - 24 * HOUR;
  p->collective_discussion = 1;
  p->hearing_offered = 1;
}

static void strlist_set(ew_strlist *l, const char *s) {
  l->v[l->n++] = strdup(s);
}

static void test_clean_base_is_silent(void **state) {
  world *w = *state;
  ew_record p = base(w, "PEN-0");
  h_must_apply(&w->h, &p);
  assert_int_equal(w->h.n, 0);
  /* A heavy sanction with every safeguard, decided after the hearing
   * window: silent too. */
  p = base(w, "PEN-0b");
  p.u.penalty.penalty_types =
      enums(&w->h.a, 2, EW_PT_FINE, EW_PT_REVOKE_LICENSE);
  safeguards(&p.u.penalty);
  h_must_apply(&w->h, &p);
  assert_int_equal(w->h.n, 0);
}

static void test_open_case_is_silent(void **state) {
  world *w = *state;
  ew_record p = base(w, "PEN-OPEN");
  ew_penalty *q = &p.u.penalty;
  q->decided_at = EW_NONE;
  q->notice_of_rights_at = EW_NONE;
  q->is_major = 1;
  q->penalty_types = enums(&w->h.a, 2, EW_PT_FINE, EW_PT_ORDER_CLOSURE);
  q->fine_fen = 9000000;
  q->benchmark_cited = 0;
  q->discretion_level = EW_DL_HEAVY;
  q->credit_measures = enums(&w->h.a, 1, EW_CRM_PUBLIC_EXPOSURE);
  h_must_apply(&w->h, &p);
  assert_int_equal(w->h.n, 0);
}

/* ---------------- R09 ---------------- */

static void test_r09_declared_major_without_review_fires(void **state) {
  world *w = *state;
  ew_record p = base(w, "临市监罚〔2025〕9号");
  p.u.penalty.is_major = 1;
  h_must_apply(&w->h, &p);
  assert_int_equal(h_count(&w->h, "R09"), 1);
  const ew_alert *a = h_find(&w->h, "R09");
  assert_int_equal(a->severity, EW_SEV_HIGH);
  assert_int_equal(a->subject_type, EW_SUBJ_PENALTY);
  assert_string_equal(a->subject_id, "临市监罚〔2025〕9号");
  assert_string_equal(h_fact(a, "is_major"), "true");
  assert_string_equal(h_fact(a, "major_because"), "declared");
  assert_string_equal(h_fact(a, "legal_review_id"), "none");
  assert_string_equal(h_fact(a, "legal_review_passed"), "absent");
  assert_string_equal(h_fact(a, "legal_review_at"), "none");
  assert_string_equal(h_fact(a, "decided_at"), "2025-03-04T09:00:00+08:00");
  assert_string_equal(h_fact(a, "reason"), "no_review");
  assert_string_equal(a->legal_basis,
                      "临州办发〔2023〕18号 ¶3；"
                      "甘肃省重大行政执法决定法制审核办法第3条；"
                      "行政处罚法第58条");
  assert_string_equal(a->message,
                      "临夏州市场监督管理局对企业" FX_ENT
                      "的行政处罚决定临市监罚〔2025〕9号属于重大执法决定"
                      "（已认定为重大执法决定），但未经法制审核即作出决定。");
  assert_string_equal(a->enterprise_uscc, FX_ENT);
  assert_string_equal(a->region_code, "622901");
}

static void test_r09_reviewed_before_decision_silent(void **state) {
  world *w = *state;
  ew_record p = base(w, "PEN-9a");
  p.u.penalty.is_major = 1;
  p.u.penalty.legal_review_id = "FZSH-9";
  p.u.penalty.legal_review_passed = 1;
  p.u.penalty.legal_review_at = p.u.penalty.decided_at - 1; /* 1 ms before */
  h_must_apply(&w->h, &p);
  assert_null(h_find(&w->h, "R09"));
}

static void test_r09_review_problems(void **state) {
  world *w = *state;
  struct {
    int8_t passed;
    ew_time at_offset; /* from decided_at; EW_NONE: absent */
    const char *reason, *passed_fact;
  } cases[] = {
      {-1, -HOUR, "not_passed", "absent"},
      {0, -HOUR, "not_passed", "false"},
      {1, EW_NONE, "review_time_missing", "true"},
      {1, 0, "review_after_decision", "true"}, /* the same instant */
      {1, HOUR, "review_after_decision", "true"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char no[16];
    snprintf(no, sizeof no, "PEN-9R%zu", i);
    ew_record p = base(w, no);
    ew_penalty *q = &p.u.penalty;
    q->is_major = 1;
    q->legal_review_id = "FZSH-9";
    q->legal_review_passed = cases[i].passed;
    q->legal_review_at = cases[i].at_offset == EW_NONE
                             ? EW_NONE
                             : q->decided_at + cases[i].at_offset;
    h_must_apply(&w->h, &p);
    const ew_alert *a = h_find(&w->h, "R09");
    assert_non_null(a);
    assert_string_equal(h_fact(a, "reason"), cases[i].reason);
    assert_string_equal(h_fact(a, "legal_review_passed"), cases[i].passed_fact);
    assert_string_equal(h_fact(a, "legal_review_id"), "FZSH-9");
  }
}

static void test_r09_derived_from_hearing_amount(void **state) {
  world *w = *state;
  /* ¥10,000, the default 较大数额: hearing-eligible, hence major. */
  ew_record p = base(w, "PEN-9D");
  p.u.penalty.fine_fen = 1000000;
  p.u.penalty.hearing_offered = 1;
  h_must_apply(&w->h, &p);
  const ew_alert *a = h_find(&w->h, "R09");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "is_major"), "false");
  assert_string_equal(h_fact(a, "major_because"), "hearing_eligible");
  assert_non_null(strstr(a->message, "（符合听证条件）"));

  /* One fen less: not eligible, not major. */
  p = base(w, "PEN-9E");
  p.u.penalty.fine_fen = 999999;
  h_must_apply(&w->h, &p);
  assert_null(h_find(&w->h, "R09"));

  /* Not derived when the config says so. */
  w->h.cfg.r09.derive_major = 0;
  p = base(w, "PEN-9F");
  p.u.penalty.fine_fen = 1000000;
  p.u.penalty.hearing_offered = 1;
  h_must_apply(&w->h, &p);
  assert_null(h_find(&w->h, "R09"));
}

static void test_r09_derived_from_heavy_type(void **state) {
  world *w = *state;
  ew_record p = base(w, "PEN-9H");
  p.u.penalty.penalty_types =
      enums(&w->h.a, 2, EW_PT_FINE, EW_PT_REVOKE_LICENSE);
  p.u.penalty.is_major = 1;
  h_must_apply(&w->h, &p);
  const ew_alert *a = h_find(&w->h, "R09");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "major_because"),
                      "declared,hearing_eligible,heavy_type");

  /* A heavy type that is not a hearing type: heavy_type alone. */
  w->h.cfg.r11.hearing_types = 0;
  p = base(w, "PEN-9I");
  p.u.penalty.penalty_types =
      enums(&w->h.a, 2, EW_PT_FINE, EW_PT_REVOKE_LICENSE);
  h_must_apply(&w->h, &p);
  a = h_find(&w->h, "R09");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "major_because"), "heavy_type");
  assert_string_equal(h_fact(a, "is_major"), "false");
}

static void test_r09_benchmark_threshold_makes_major(void **state) {
  world *w = *state;
  /* The agency's benchmark sets its own 较大数额 of ¥3,000. */
  ew_record bm = benchmark(&w->h.a, "BM-AG1", "V-001", FX_AG1);
  bm.u.benchmark.hearing_threshold_fen = 300000;
  h_must_apply(&w->h, &bm);
  ew_record p = base(w, "PEN-9T");
  p.u.penalty.hearing_offered = 1;
  h_must_apply(&w->h, &p);
  const ew_alert *a = h_find(&w->h, "R09");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "major_because"), "hearing_eligible");
}

/* ---------------- R10a ---------------- */

static void test_r10a_agency_benchmark_not_cited_fires(void **state) {
  world *w = *state;
  ew_record p = base(w, "PEN-10A");
  p.u.penalty.benchmark_cited = 0;
  h_must_apply(&w->h, &p);
  assert_int_equal(w->h.n, 1);
  const ew_alert *a = h_find(&w->h, "R10a");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_MEDIUM);
  assert_string_equal(h_fact(a, "violation_code"), "V-001");
  assert_string_equal(h_fact(a, "benchmark_id"), "BM-AG1");
  assert_string_equal(h_fact(a, "benchmark"), "on_file");
  assert_string_equal(h_fact(a, "benchmark_source"), "agency");
  assert_string_equal(h_fact(a, "benchmark_cited"), "false");
  assert_string_equal(a->legal_basis,
                      "临州办发〔2023〕18号 ¶4；国办发〔2022〕27号");
  assert_string_equal(a->message,
                      "临夏州市场监督管理局对企业" FX_ENT
                      "的行政处罚决定PEN-10A所涉违法行为V-001有行政裁量权基准"
                      "BM-AG1，但决定书未载明裁量基准的适用情况。");
}

static void test_r10a_no_benchmark_silent(void **state) {
  world *w = *state;
  ew_record p = base(w, "PEN-10B");
  p.u.penalty.benchmark_cited = 0;
  p.u.penalty.violation_code = "V-999"; /* nobody has a benchmark for it */
  h_must_apply(&w->h, &p);
  assert_int_equal(w->h.n, 0);
  /* Another agency's benchmark for the code does not apply to FX_AG1. */
  ew_record other = benchmark(&w->h.a, "BM-AG2", "V-999", FX_AG2);
  h_must_apply(&w->h, &other);
  p = base(w, "PEN-10C");
  p.u.penalty.benchmark_cited = 0;
  p.u.penalty.violation_code = "V-999";
  h_must_apply(&w->h, &p);
  assert_int_equal(w->h.n, 0);
}

static void test_r10a_general_benchmark_and_precedence(void **state) {
  world *w = *state;
  ew_record gen = benchmark(&w->h.a, "BM-GEN", "V-002", NULL);
  h_must_apply(&w->h, &gen);
  ew_record p = base(w, "PEN-10D");
  p.u.penalty.benchmark_cited = 0;
  p.u.penalty.violation_code = "V-002";
  h_must_apply(&w->h, &p);
  const ew_alert *a = h_find(&w->h, "R10a");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "benchmark_id"), "BM-GEN");
  assert_string_equal(h_fact(a, "benchmark_source"), "general");

  /* A general one for V-001 sorts before BM-AG1, but the agency's wins. */
  ew_record gen1 = benchmark(&w->h.a, "BM-0-GEN", "V-001", NULL);
  h_must_apply(&w->h, &gen1);
  p = base(w, "PEN-10E");
  p.u.penalty.benchmark_cited = 0;
  h_must_apply(&w->h, &p);
  a = h_find(&w->h, "R10a");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "benchmark_id"), "BM-AG1");
  assert_string_equal(h_fact(a, "benchmark_source"), "agency");

  /* Deleting the agency's benchmark leaves the general one. */
  assert_int_equal(ew_store_begin(w->h.store), 0);
  assert_int_equal(ew_store_ref_delete(w->h.store, EW_REC_BENCHMARK, "BM-AG1"),
                   0);
  assert_int_equal(ew_store_commit(w->h.store), 0);
  p = base(w, "PEN-10F");
  p.u.penalty.benchmark_cited = 0;
  h_must_apply(&w->h, &p);
  a = h_find(&w->h, "R10a");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "benchmark_id"), "BM-0-GEN");
}

static void test_r10a_cited_benchmark_not_on_file(void **state) {
  world *w = *state;
  ew_record p = base(w, "PEN-10G");
  p.u.penalty.benchmark_cited = 0;
  p.u.penalty.benchmark_id = "BM-LOST";
  p.u.penalty.fine_fen = 50000; /* below BM-AG1's minimum: no R10b */
  h_must_apply(&w->h, &p);
  assert_int_equal(w->h.n, 1);
  const ew_alert *a = h_find(&w->h, "R10a");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "benchmark"), "not_on_file");
  assert_string_equal(h_fact(a, "benchmark_id"), "BM-LOST");
  assert_string_equal(h_fact(a, "benchmark_source"), "benchmark_id");
  assert_non_null(strstr(a->message, "BM-LOST未在备案的裁量基准中找到"));

  /* Cited: R10a is satisfied, and R10b cannot judge a missing record. */
  p = base(w, "PEN-10H");
  p.u.penalty.benchmark_id = "BM-LOST";
  p.u.penalty.fine_fen = 50000;
  h_must_apply(&w->h, &p);
  assert_int_equal(w->h.n, 0);
}

/* ---------------- R10b ---------------- */

static void test_r10b_above_band_fires(void **state) {
  world *w = *state;
  ew_record p = base(w, "PEN-10I");
  p.u.penalty.fine_fen = 1000001; /* GENERAL band ends at ¥10,000 */
  p.u.penalty.hearing_offered = 1;
  h_must_apply(&w->h, &p);
  const ew_alert *a = h_find(&w->h, "R10b");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_HIGH);
  assert_string_equal(h_fact(a, "fine_fen"), "1000001");
  assert_string_equal(h_fact(a, "band_min_fen"), "500000");
  assert_string_equal(h_fact(a, "band_max_fen"), "1000000");
  assert_string_equal(h_fact(a, "statutory_min_fen"), "100000");
  assert_string_equal(h_fact(a, "statutory_max_fen"), "2000000");
  assert_string_equal(h_fact(a, "discretion_level"), "GENERAL");
  assert_string_equal(h_fact(a, "benchmark_id"), "BM-AG1");
  assert_string_equal(h_fact(a, "reason"), "above_band");
  assert_string_equal(a->message,
                      "临夏州市场监督管理局对企业" FX_ENT
                      "的行政处罚决定PEN-10I罚款10000.01元，超出裁量基准BM-AG1"
                      "“一般处罚”档次5000元至10000元的幅度。");
}

static void test_r10b_band_edges_silent(void **state) {
  world *w = *state;
  const int64_t fines[] = {500000, 1000000};
  for (size_t i = 0; i < 2; i++) {
    char no[16];
    snprintf(no, sizeof no, "PEN-10J%zu", i);
    ew_record p = base(w, no);
    p.u.penalty.fine_fen = fines[i];
    p.u.penalty.hearing_offered = 1;
    h_must_apply(&w->h, &p);
    assert_null(h_find(&w->h, "R10b"));
  }
}

static void test_r10b_statutory_range(void **state) {
  world *w = *state;
  /* HEAVY ¥25,000: above the band and the statutory maximum. */
  ew_record p = base(w, "PEN-10K");
  p.u.penalty.discretion_level = EW_DL_HEAVY;
  p.u.penalty.factor_codes = fx_strv(&w->h.a, 1, "AGG-REPEAT");
  p.u.penalty.fine_fen = 2500000;
  h_must_apply(&w->h, &p);
  const ew_alert *a = h_find(&w->h, "R10b");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "reason"), "above_statutory_max,above_band");
  assert_non_null(
      strstr(a->message, "高于裁量基准BM-AG1载明的法定最高罚款20000元"));

  /* LENIENT ¥500: below the band and the statutory minimum. */
  p = base(w, "PEN-10L");
  p.u.penalty.discretion_level = EW_DL_LENIENT;
  p.u.penalty.fine_fen = 50000;
  h_must_apply(&w->h, &p);
  a = h_find(&w->h, "R10b");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "reason"), "below_statutory_min,below_band");

  /* MITIGATED (减轻) ¥500 within its band: the statutory minimum does not
   * bind a mitigated penalty. */
  p = base(w, "PEN-10M");
  p.u.penalty.discretion_level = EW_DL_MITIGATED;
  p.u.penalty.fine_fen = 50000;
  h_must_apply(&w->h, &p);
  assert_null(h_find(&w->h, "R10b"));
}

static void test_r10b_without_level_or_band(void **state) {
  world *w = *state;
  /* No declared level: the statutory range only. */
  ew_record p = base(w, "PEN-10N");
  p.u.penalty.discretion_level = EW_ENUM_NONE;
  p.u.penalty.fine_fen = 3000000;
  h_must_apply(&w->h, &p);
  const ew_alert *a = h_find(&w->h, "R10b");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "discretion_level"), "absent");
  assert_string_equal(h_fact(a, "reason"), "above_statutory_max");
  assert_string_equal(h_fact(a, "band_min_fen"), "");
  assert_string_equal(h_fact(a, "band"), "");

  p = base(w, "PEN-10O"); /* ¥15,000 without a level: within statute */
  p.u.penalty.discretion_level = EW_ENUM_NONE;
  p.u.penalty.fine_fen = 1500000;
  h_must_apply(&w->h, &p);
  assert_null(h_find(&w->h, "R10b"));

  /* A level the benchmark has no band for. */
  ew_record bm = benchmark(&w->h.a, "BM-AG1", "V-001", FX_AG1);
  bm.u.benchmark.levels.n = 1; /* MITIGATED only */
  h_must_apply(&w->h, &bm);
  p = base(w, "PEN-10P");
  p.u.penalty.fine_fen = 90000;
  h_must_apply(&w->h, &p);
  a = h_find(&w->h, "R10b");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "band"), "not_in_benchmark");
  assert_string_equal(h_fact(a, "reason"), "below_statutory_min");
}

static void test_r10b_fine_presence(void **state) {
  world *w = *state;
  /* A warning, no fine: nothing to measure. */
  ew_record p = base(w, "PEN-10Q");
  p.u.penalty.penalty_types = enums(&w->h.a, 1, EW_PT_WARNING);
  p.u.penalty.fine_fen = 0;
  h_must_apply(&w->h, &p);
  assert_int_equal(w->h.n, 0);
  /* FINE listed with a zero amount: judged, below the minimum. */
  p = base(w, "PEN-10R");
  p.u.penalty.fine_fen = 0;
  h_must_apply(&w->h, &p);
  const ew_alert *a = h_find(&w->h, "R10b");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "fine_fen"), "0");
  /* An amount without FINE listed is still a fine. */
  p = base(w, "PEN-10S");
  p.u.penalty.penalty_types = enums(&w->h.a, 1, EW_PT_WARNING);
  p.u.penalty.fine_fen = 1200000;
  p.u.penalty.hearing_offered = 1;
  h_must_apply(&w->h, &p);
  a = h_find(&w->h, "R10b");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "reason"), "above_band");
}

static void test_r10b_named_benchmark_wins(void **state) {
  world *w = *state;
  ew_record other = benchmark(&w->h.a, "BM-PROV", "V-001", NULL);
  other.u.benchmark.levels.v[2].max_fen = 400000 + 500000; /* up to ¥9,000 */
  other.u.benchmark.levels.v[2].min_fen = 600000;          /* from ¥6,000 */
  h_must_apply(&w->h, &other);
  ew_record p = base(w, "PEN-10T"); /* ¥5,000: fine under BM-AG1 */
  p.u.penalty.benchmark_id = "BM-PROV";
  h_must_apply(&w->h, &p);
  const ew_alert *a = h_find(&w->h, "R10b");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "benchmark_id"), "BM-PROV");
  assert_string_equal(h_fact(a, "band_min_fen"), "600000");
  assert_string_equal(h_fact(a, "reason"), "below_band");
}

/* ---------------- R10c ---------------- */

static void test_r10c_heavy_without_factor_fires(void **state) {
  world *w = *state;
  ew_record p = base(w, "PEN-10U");
  p.u.penalty.discretion_level = EW_DL_HEAVY;
  p.u.penalty.fine_fen = 1500000;
  p.u.penalty.hearing_offered = 1;
  h_must_apply(&w->h, &p);
  assert_int_equal(h_count(&w->h, "R10c"), 1);
  const ew_alert *a = h_find(&w->h, "R10c");
  assert_int_equal(a->severity, EW_SEV_LOW);
  assert_string_equal(h_fact(a, "discretion_level"), "HEAVY");
  assert_string_equal(h_fact(a, "factor_codes"), "none");
  assert_string_equal(h_fact(a, "aggravating_factors"), "any");
  assert_non_null(strstr(a->message, "按从重档次处罚，但未载明任何从重情节"));
  assert_null(h_find(&w->h, "R10b")); /* within the HEAVY band */

  p = base(w, "PEN-10V"); /* any factor code will do by default */
  p.u.penalty.discretion_level = EW_DL_HEAVY;
  p.u.penalty.fine_fen = 1500000;
  p.u.penalty.hearing_offered = 1;
  p.u.penalty.factor_codes = fx_strv(&w->h.a, 1, "F-07");
  h_must_apply(&w->h, &p);
  assert_null(h_find(&w->h, "R10c"));

  p = base(w, "PEN-10W"); /* GENERAL needs no factor */
  h_must_apply(&w->h, &p);
  assert_null(h_find(&w->h, "R10c"));
}

static void test_r10c_configured_factors(void **state) {
  world *w = *state;
  strlist_set(&w->h.cfg.r10c.aggravating_factors, "AGG-01");
  strlist_set(&w->h.cfg.r10c.aggravating_factors, "AGG-02");
  ew_record p = base(w, "PEN-10X");
  p.u.penalty.discretion_level = EW_DL_HEAVY;
  p.u.penalty.fine_fen = 1500000;
  p.u.penalty.hearing_offered = 1;
  p.u.penalty.factor_codes = fx_strv(&w->h.a, 2, "MIT-01", "FIRST");
  h_must_apply(&w->h, &p);
  const ew_alert *a = h_find(&w->h, "R10c");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "factor_codes"), "MIT-01,FIRST");
  assert_string_equal(h_fact(a, "aggravating_factors"), "AGG-01,AGG-02");

  p = base(w, "PEN-10Y");
  p.u.penalty.discretion_level = EW_DL_HEAVY;
  p.u.penalty.fine_fen = 1500000;
  p.u.penalty.hearing_offered = 1;
  p.u.penalty.factor_codes = fx_strv(&w->h.a, 2, "MIT-01", "AGG-02");
  h_must_apply(&w->h, &p);
  assert_null(h_find(&w->h, "R10c"));
}

/* ---------------- R11 ---------------- */

static void test_r11_no_notice_fires(void **state) {
  world *w = *state;
  ew_record p = base(w, "PEN-11A");
  p.u.penalty.notice_of_rights_at = EW_NONE;
  h_must_apply(&w->h, &p);
  assert_int_equal(w->h.n, 1);
  const ew_alert *a = h_find(&w->h, "R11");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_HIGH);
  assert_string_equal(h_fact(a, "reason"), "no_notice");
  assert_string_equal(h_fact(a, "procedure"), "GENERAL");
  assert_string_equal(h_fact(a, "hearing_eligible"), "false");
  assert_string_equal(h_fact(a, "notice_of_rights_at"), "none");
  assert_string_equal(a->legal_basis, "临州办发〔2023〕18号 ¶4；"
                                      "行政处罚法第44条、第63条、第64条");
  char id[EW_ALERT_ID_BUFSZ];
  assert_string_equal(
      a->alert_id,
      ew_alert_id_format(id, "R11", EW_SUBJ_PENALTY, "PEN-11A", "no_notice"));
  assert_string_equal(a->message,
                      "临夏州市场监督管理局对企业" FX_ENT
                      "的行政处罚决定PEN-11A作出前未告知当事人拟作出的行政处罚"
                      "内容及事实、理由、依据和依法享有的陈述、申辩权利。");
}

static void test_r11_notice_timing(void **state) {
  world *w = *state;
  ew_record p = base(w, "PEN-11B"); /* told at the very instant */
  p.u.penalty.notice_of_rights_at = p.u.penalty.decided_at;
  h_must_apply(&w->h, &p);
  const ew_alert *a = h_find(&w->h, "R11");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "reason"), "notice_after_decision");
  assert_string_equal(h_fact(a, "notice_of_rights_at"),
                      "2025-03-04T09:00:00+08:00");

  p = base(w, "PEN-11C"); /* 1 ms before, not hearing-eligible: fine */
  p.u.penalty.notice_of_rights_at = p.u.penalty.decided_at - 1;
  h_must_apply(&w->h, &p);
  assert_null(h_find(&w->h, "R11"));
}

static void test_r11_simple_procedure(void **state) {
  world *w = *state;
  /* 简易程序: told on the spot, no written notice to time. */
  ew_record p = base(w, "PEN-11D");
  p.u.penalty.procedure = EW_PROC_SIMPLE;
  p.u.penalty.notice_of_rights_at = EW_NONE;
  p.u.penalty.penalty_types = enums(&w->h.a, 1, EW_PT_WARNING);
  p.u.penalty.fine_fen = 0;
  h_must_apply(&w->h, &p);
  assert_int_equal(w->h.n, 0);

  /* A hearing-eligible case cannot go by the simple procedure. */
  p = base(w, "PEN-11E");
  p.u.penalty.procedure = EW_PROC_SIMPLE;
  p.u.penalty.notice_of_rights_at = EW_NONE;
  p.u.penalty.penalty_types =
      enums(&w->h.a, 2, EW_PT_FINE, EW_PT_SUSPEND_LICENSE);
  h_must_apply(&w->h, &p);
  assert_int_equal(h_count(&w->h, "R11"), 2);
  const ew_alert *a0 = h_find_nth(&w->h, "R11", 0);
  const ew_alert *a1 = h_find_nth(&w->h, "R11", 1);
  assert_string_equal(h_fact(a0, "reason"), "no_notice");
  assert_string_equal(h_fact(a0, "hearing_eligible"), "true");
  assert_non_null(strstr(a0->message, "陈述、申辩、要求听证权利"));
  assert_string_equal(h_fact(a1, "reason"), "hearing_not_offered");
  assert_string_not_equal(a0->alert_id, a1->alert_id);
}

static void test_r11_hearing_not_offered(void **state) {
  world *w = *state;
  ew_record p = base(w, "PEN-11F");
  p.u.penalty.penalty_types =
      enums(&w->h.a, 3, EW_PT_FINE, EW_PT_ORDER_SUSPEND_BUSINESS,
            EW_PT_ORDER_SUSPEND_BUSINESS);
  h_must_apply(&w->h, &p);
  const ew_alert *a = h_find(&w->h, "R11");
  assert_non_null(a);
  assert_int_equal(h_count(&w->h, "R11"), 1);
  assert_string_equal(h_fact(a, "reason"), "hearing_not_offered");
  assert_string_equal(h_fact(a, "hearing_types"), "ORDER_SUSPEND_BUSINESS");
  assert_string_equal(h_fact(a, "hearing_threshold_fen"), "1000000");
  assert_string_equal(h_fact(a, "threshold_source"), "config");
  assert_string_equal(h_fact(a, "hearing_offered"), "false");
  assert_string_equal(h_fact(a, "hearing_waived"), "false");
  assert_non_null(strstr(a->message, "符合听证条件（责令停产停业），但未告知"
                                     "当事人有要求听证的权利"));

  /* Waived: it was offered and declined. A hearing held: offered. */
  p = base(w, "PEN-11G");
  p.u.penalty.penalty_types = enums(&w->h.a, 1, EW_PT_REVOKE_LICENSE);
  p.u.penalty.hearing_waived = 1;
  h_must_apply(&w->h, &p);
  assert_null(h_find(&w->h, "R11"));
  p = base(w, "PEN-11H");
  p.u.penalty.penalty_types = enums(&w->h.a, 1, EW_PT_REVOKE_LICENSE);
  p.u.penalty.procedure = EW_PROC_HEARING;
  p.u.penalty.notice_of_rights_at = p.u.penalty.decided_at - HOUR;
  h_must_apply(&w->h, &p);
  assert_null(h_find(&w->h, "R11"));
}

static void test_r11_hearing_amount_threshold(void **state) {
  world *w = *state;
  /* ¥5,000 is below the config's ¥10,000: not eligible. */
  ew_record p = base(w, "PEN-11I");
  h_must_apply(&w->h, &p);
  assert_null(h_find(&w->h, "R11"));
  /* Confiscation counts as well as the fine. */
  p = base(w, "PEN-11J");
  p.u.penalty.confiscated_fen = 1000000;
  h_must_apply(&w->h, &p);
  const ew_alert *a = h_find(&w->h, "R11");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "confiscated_fen"), "1000000");
  assert_string_equal(h_fact(a, "hearing_types"), "none");
  assert_non_null(strstr(a->message, "罚没金额达到听证标准"));
  /* The benchmark's own threshold (¥3,000) wins over the config's. */
  ew_record bm = benchmark(&w->h.a, "BM-AG1", "V-001", FX_AG1);
  bm.u.benchmark.hearing_threshold_fen = 300000;
  h_must_apply(&w->h, &bm);
  p = base(w, "PEN-11K");
  h_must_apply(&w->h, &p);
  a = h_find(&w->h, "R11");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "reason"), "hearing_not_offered");
  assert_string_equal(h_fact(a, "hearing_threshold_fen"), "300000");
  assert_string_equal(h_fact(a, "threshold_source"), "benchmark");
  assert_string_equal(h_fact(a, "fine_fen"), "500000");
}

static ew_time at(const char *iso) {
  ew_time t;
  if (ew_time_parse(iso, strlen(iso), &t) != 0)
    fail_msg("bad time %s", iso);
  return t;
}

static void put_day(world *w, const char *date, int workday) {
  ew_record r;
  r.kind = EW_REC_CALENDAR_DAY;
  ew_rtype_init(ew_rtype_of(r.kind), &r.u);
  r.u.calendar_day.date = ew_arena_strdup(&w->h.a, date);
  r.u.calendar_day.is_workday = (int8_t)workday;
  h_must_apply(&w->h, &r);
}

/* A licence revoked (hearing-eligible) with every safeguard, the hearing
 * offered with the notice at `notice` and not waived, decided at
 * `decided` and recorded an hour later: only the hearing window can make
 * R11 (or anything) fire. */
static void window_case(world *w, const char *decision_no, ew_time notice,
                        ew_time decided) {
  ew_record p = base(w, decision_no);
  p.u.penalty.event_time = decided + HOUR;
  p.u.penalty.penalty_types =
      enums(&w->h.a, 2, EW_PT_FINE, EW_PT_REVOKE_LICENSE);
  p.u.penalty.notice_of_rights_at = notice;
  p.u.penalty.decided_at = decided;
  safeguards(&p.u.penalty);
  h_must_apply(&w->h, &p);
}

/* Asserts the last apply emitted exactly one alert, R11's window finding
 * with `window_end`. */
static void assert_window_finding(const world *w, const char *window_end) {
  assert_int_equal(w->h.n, 1);
  const ew_alert *a = h_find(&w->h, "R11");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_HIGH);
  assert_string_equal(h_fact(a, "reason"), "decided_before_hearing_window");
  assert_string_equal(h_fact(a, "hearing_request_workdays"), "5");
  assert_string_equal(h_fact(a, "window_end"), window_end);
}

/* Art 64's five days are working days (Art 85): told on Tuesday 02-25,
 * the party may ask until the end of Tuesday 03-04 (02-26, 02-27, 02-28,
 * 03-03, 03-04), so deciding at any time on 03-04 is too early. */
static void test_r11_decided_before_hearing_window(void **state) {
  world *w = *state;
  window_case(w, "PEN-11L", fx_t(-7 * 24), fx_t(0));
  assert_window_finding(w, "2025-03-04T23:59:59.999+08:00");
  const ew_alert *a = h_find(&w->h, "R11");
  assert_string_equal(h_fact(a, "hearing_offered"), "true");
  assert_string_equal(h_fact(a, "hearing_waived"), "false");
  assert_string_equal(h_fact(a, "notice_of_rights_at"),
                      "2025-02-25T09:00:00+08:00");
  assert_string_equal(h_fact(a, "decided_at"), "2025-03-04T09:00:00+08:00");
  assert_string_equal(h_fact(a, "hearing_types"), "REVOKE_LICENSE");
  assert_string_equal(a->legal_basis, "临州办发〔2023〕18号 ¶4；"
                                      "行政处罚法第44条、第63条、第64条");
  assert_string_equal(a->message,
                      "临夏州市场监督管理局对企业" FX_ENT
                      "的行政处罚决定PEN-11L在告知听证权利后5个工作日的申请"
                      "期限届满前即作出，当事人并未放弃听证。");

  /* The window's last millisecond is still inside; the next one is not. */
  window_case(w, "PEN-11M", fx_t(-7 * 24), at("2025-03-04T23:59:59.999+08:00"));
  assert_window_finding(w, "2025-03-04T23:59:59.999+08:00");
  window_case(w, "PEN-11M2", fx_t(-7 * 24), at("2025-03-05T00:00:00+08:00"));
  assert_int_equal(w->h.n, 0);

  /* The time of day of the notice does not matter: its date never counts.
   * Told at 23:00 on Monday 02-24, the window still ends on 03-03. */
  window_case(w, "PEN-11M3", at("2025-02-24T23:00:00+08:00"), fx_t(0));
  assert_int_equal(w->h.n, 0);

  /* Waived within the window: the party gave the hearing up. */
  ew_record p = base(w, "PEN-11N");
  p.u.penalty.penalty_types = enums(&w->h.a, 1, EW_PT_REVOKE_LICENSE);
  p.u.penalty.fine_fen = 0;
  p.u.penalty.hearing_offered = 1;
  p.u.penalty.hearing_waived = 1;
  p.u.penalty.notice_of_rights_at = p.u.penalty.decided_at - 24 * HOUR;
  h_must_apply(&w->h, &p);
  assert_null(h_find(&w->h, "R11"));

  /* A longer configured window: ten working days from Monday 02-24 run
   * to Monday 03-10. */
  w->h.cfg.r11.hearing_request_workdays = 10;
  p = base(w, "PEN-11O");
  p.u.penalty.penalty_types = enums(&w->h.a, 1, EW_PT_REVOKE_LICENSE);
  p.u.penalty.fine_fen = 0;
  p.u.penalty.hearing_offered = 1;
  h_must_apply(&w->h, &p);
  a = h_find(&w->h, "R11");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "hearing_request_workdays"), "10");
  assert_string_equal(h_fact(a, "window_end"), "2025-03-10T23:59:59.999+08:00");
  assert_non_null(strstr(a->message, "告知听证权利后10个工作日的申请期限"));
}

/* Weekends do not count: told on Friday 03-07, the five working days are
 * 03-10 .. 03-14. Counted in calendar days the window would have closed on
 * Wednesday 03-12, and a decision on Thursday 03-13 would have passed. */
static void test_r11_hearing_window_over_weekend(void **state) {
  world *w = *state;
  ew_time fri = at("2025-03-07T10:00:00+08:00");
  window_case(w, "PEN-11Q", fri, at("2025-03-13T10:00:00+08:00"));
  assert_window_finding(w, "2025-03-14T23:59:59.999+08:00");
  /* Once the window has ended on Friday 23:59:59.999, the weekend and the
   * Monday after are free. */
  window_case(w, "PEN-11R", fri, at("2025-03-15T10:00:00+08:00"));
  assert_int_equal(w->h.n, 0);
  window_case(w, "PEN-11S", fri, at("2025-03-17T10:00:00+08:00"));
  assert_int_equal(w->h.n, 0);
}

/* Holidays follow the calendar_day records (the State Council's 2025
 * notice, shared/domain/calendar-2025-2026.jsonl): 10-01 .. 10-08 off,
 * Sunday 09-28 and Saturday 10-11 working. */
static void test_r11_hearing_window_over_holiday(void **state) {
  world *w = *state;
  ew_time tue = at("2025-09-30T10:00:00+08:00");
  ew_time decided = at("2025-10-14T16:00:00+08:00");
  /* Without the records 10-01 .. 10-07 would count and the window end on
   * Tuesday 10-07: a decision on 10-14 passes. */
  window_case(w, "PEN-11T", tue, decided);
  assert_int_equal(w->h.n, 0);

  put_day(w, "2025-09-28", 1);
  for (int d = 1; d <= 8; d++) {
    char date[11];
    snprintf(date, sizeof date, "2025-10-%02d", d);
    put_day(w, date, 0);
  }
  put_day(w, "2025-10-11", 1);

  /* Told on 09-30: 10-09, 10-10, Saturday 10-11, 10-13, 10-14. */
  window_case(w, "PEN-11U", tue, decided);
  assert_window_finding(w, "2025-10-14T23:59:59.999+08:00");
  window_case(w, "PEN-11V", tue, at("2025-10-15T09:00:00+08:00"));
  assert_int_equal(w->h.n, 0);

  /* Told on Friday 09-26: Sunday 09-28, 09-29, 09-30, 10-09, 10-10. The
   * working Saturday 10-11 is the first day a decision may be made. */
  ew_time fri = at("2025-09-26T10:00:00+08:00");
  window_case(w, "PEN-11W", fri, at("2025-10-10T17:00:00+08:00"));
  assert_window_finding(w, "2025-10-10T23:59:59.999+08:00");
  window_case(w, "PEN-11X", fri, at("2025-10-11T09:00:00+08:00"));
  assert_int_equal(w->h.n, 0);
}

/* When the calendar cannot place the window (no answer within
 * EW_CALENDAR_MAX_DAYS; here a negative count, which the config loader
 * refuses, stands in for that) R11 claims nothing, and the rest of the
 * evaluation goes on. */
static void test_r11_hearing_window_no_answer(void **state) {
  world *w = *state;
  w->h.cfg.r11.hearing_request_workdays = -1;
  window_case(w, "PEN-11Y", fx_t(-7 * 24), fx_t(0));
  assert_int_equal(w->h.n, 0);
  /* The same decision without a hearing offer: the other reasons still
   * fire. */
  ew_record p = base(w, "PEN-11Z");
  p.u.penalty.penalty_types = enums(&w->h.a, 1, EW_PT_REVOKE_LICENSE);
  p.u.penalty.fine_fen = 0;
  h_must_apply(&w->h, &p);
  assert_string_equal(h_fact(h_find(&w->h, "R11"), "reason"),
                      "hearing_not_offered");
}

static void test_r11_fixed_snapshot_withdraws(void **state) {
  world *w = *state;
  ew_record p = base(w, "PEN-11P");
  p.u.penalty.notice_of_rights_at = EW_NONE;
  h_must_apply(&w->h, &p);
  const ew_alert *a = h_find(&w->h, "R11");
  assert_non_null(a);
  char id[EW_ALERT_ID_BUFSZ];
  snprintf(id, sizeof id, "%s", a->alert_id);
  p = base(w, "PEN-11P"); /* the feed corrects the notice date */
  h_must_apply(&w->h, &p);
  a = h_find(&w->h, "R11");
  assert_non_null(a);
  assert_int_equal(a->status, EW_AST_WITHDRAWN);
  assert_string_equal(a->alert_id, id);
}

/* ---------------- R14a ---------------- */

static void test_r14a_heavy_without_safeguards_fires(void **state) {
  world *w = *state;
  ew_record p = base(w, "PEN-14A");
  p.u.penalty.penalty_types =
      enums(&w->h.a, 3, EW_PT_FINE, EW_PT_REVOKE_LICENSE, EW_PT_ORDER_CLOSURE);
  h_must_apply(&w->h, &p);
  const ew_alert *a = h_find(&w->h, "R14a");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_HIGH);
  assert_string_equal(h_fact(a, "heavy_types"), "REVOKE_LICENSE,ORDER_CLOSURE");
  assert_string_equal(h_fact(a, "missing"),
                      "legal_review,hearing_offer,collective_discussion");
  assert_string_equal(h_fact(a, "legal_review"), "no_review");
  assert_string_equal(a->legal_basis, "临州办发〔2023〕18号 ¶7；"
                                      "行政处罚法第57条、第58条、第63条");
  assert_string_equal(a->message,
                      "临夏州市场监督管理局对企业" FX_ENT
                      "的行政处罚决定PEN-14A适用吊销许可证件、责令关闭，但缺少"
                      "法制审核、听证告知、负责人集体讨论。");
  /* R09 (derived major) and R11 (hearing) see the same decision. */
  assert_non_null(h_find(&w->h, "R09"));
  assert_non_null(h_find(&w->h, "R11"));
}

static void test_r14a_each_safeguard(void **state) {
  world *w = *state;
  /* Only collective discussion missing. */
  ew_record p = base(w, "PEN-14B");
  p.u.penalty.penalty_types = enums(&w->h.a, 1, EW_PT_RESTRICT_EMPLOYMENT);
  safeguards(&p.u.penalty);
  p.u.penalty.collective_discussion = 0;
  h_must_apply(&w->h, &p);
  const ew_alert *a = h_find(&w->h, "R14a");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "missing"), "collective_discussion");
  assert_string_equal(h_fact(a, "legal_review"), "");
  assert_int_equal(w->h.n, 1);

  /* Review after the decision. */
  p = base(w, "PEN-14C");
  p.u.penalty.penalty_types = enums(&w->h.a, 1, EW_PT_RESTRICT_EMPLOYMENT);
  safeguards(&p.u.penalty);
  p.u.penalty.legal_review_at = p.u.penalty.decided_at + HOUR;
  h_must_apply(&w->h, &p);
  a = h_find(&w->h, "R14a");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "missing"), "legal_review");
  assert_string_equal(h_fact(a, "legal_review"), "review_after_decision");

  /* A waiver counts as an offer. */
  p = base(w, "PEN-14D");
  p.u.penalty.penalty_types = enums(&w->h.a, 1, EW_PT_RESTRICT_EMPLOYMENT);
  safeguards(&p.u.penalty);
  p.u.penalty.hearing_offered = 0;
  p.u.penalty.hearing_waived = 1;
  h_must_apply(&w->h, &p);
  assert_int_equal(w->h.n, 0);

  /* Not required by the config. */
  w->h.cfg.r14a.require_collective_discussion = 0;
  p = base(w, "PEN-14E");
  p.u.penalty.penalty_types = enums(&w->h.a, 1, EW_PT_RESTRICT_EMPLOYMENT);
  safeguards(&p.u.penalty);
  p.u.penalty.collective_discussion = 0;
  h_must_apply(&w->h, &p);
  assert_int_equal(w->h.n, 0);
}

static void test_r14a_light_types_silent(void **state) {
  world *w = *state;
  ew_record p = base(w, "PEN-14F");
  p.u.penalty.penalty_types =
      enums(&w->h.a, 3, EW_PT_WARNING, EW_PT_FINE, EW_PT_CONFISCATE_GAINS);
  h_must_apply(&w->h, &p);
  assert_int_equal(w->h.n, 0);
}

/* ---------------- R18b ---------------- */

static void test_r18b_measure_without_basis_fires(void **state) {
  world *w = *state;
  ew_record p = base(w, "PEN-18A");
  p.u.penalty.credit_measures =
      enums(&w->h.a, 2, EW_CRM_CREDIT_DOWNGRADE, EW_CRM_PUBLIC_EXPOSURE);
  h_must_apply(&w->h, &p);
  assert_int_equal(w->h.n, 1);
  const ew_alert *a = h_find(&w->h, "R18b");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_MEDIUM);
  assert_string_equal(h_fact(a, "credit_measures"),
                      "CREDIT_DOWNGRADE,PUBLIC_EXPOSURE");
  assert_string_equal(h_fact(a, "credit_measure_legal_basis"), "none");
  assert_string_equal(a->legal_basis, "临州办发〔2023〕18号 ¶10");
  assert_string_equal(
      a->message, "临夏州市场监督管理局对企业" FX_ENT
                  "的行政处罚决定PEN-18A采取降低信用等级、公开曝光的信用惩戒"
                  "措施，但未载明法律依据。");

  p = base(w, "PEN-18B"); /* blank, ideographic space included */
  p.u.penalty.credit_measures = enums(&w->h.a, 1, EW_CRM_PUBLIC_EXPOSURE);
  p.u.penalty.credit_measure_legal_basis = " \xe3\x80\x80\t";
  h_must_apply(&w->h, &p);
  a = h_find(&w->h, "R18b");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "credit_measure_legal_basis"), "blank");
  assert_string_equal(h_fact(a, "credit_measures"), "PUBLIC_EXPOSURE");
}

static void test_r18b_near_misses(void **state) {
  world *w = *state;
  ew_record p = base(w, "PEN-18C");
  p.u.penalty.credit_measures = enums(&w->h.a, 1, EW_CRM_CREDIT_DOWNGRADE);
  p.u.penalty.credit_measure_legal_basis = "《企业信息公示暂行条例》第十八条";
  h_must_apply(&w->h, &p);
  assert_int_equal(w->h.n, 0);
  p = base(w, "PEN-18D"); /* no measure, no basis needed */
  p.u.penalty.credit_measure_legal_basis = "";
  h_must_apply(&w->h, &p);
  assert_int_equal(w->h.n, 0);
}

static void test_disabled_rules_silent(void **state) {
  world *w = *state;
  w->h.cfg.r09.c.enabled = 0;
  w->h.cfg.r10a.c.enabled = 0;
  w->h.cfg.r10b.c.enabled = 0;
  w->h.cfg.r10c.c.enabled = 0;
  w->h.cfg.r11.c.enabled = 0;
  w->h.cfg.r14a.c.enabled = 0;
  w->h.cfg.r18b.c.enabled = 0;
  ew_record p = base(w, "PEN-OFF");
  ew_penalty *q = &p.u.penalty;
  q->notice_of_rights_at = EW_NONE;
  q->is_major = 1;
  q->penalty_types = enums(&w->h.a, 2, EW_PT_FINE, EW_PT_ORDER_CLOSURE);
  q->fine_fen = 9000000;
  q->benchmark_cited = 0;
  q->discretion_level = EW_DL_HEAVY;
  q->credit_measures = enums(&w->h.a, 1, EW_CRM_PUBLIC_EXPOSURE);
  h_must_apply(&w->h, &p);
  assert_int_equal(w->h.n, 0);
}

static void test_severity_from_config(void **state) {
  world *w = *state;
  w->h.cfg.r18b.c.severity = EW_SEV_HIGH;
  w->h.cfg.r10a.c.severity = EW_SEV_LOW;
  ew_record p = base(w, "PEN-SEV");
  p.u.penalty.benchmark_cited = 0;
  p.u.penalty.credit_measures = enums(&w->h.a, 1, EW_CRM_CREDIT_DOWNGRADE);
  h_must_apply(&w->h, &p);
  assert_int_equal(w->h.n, 2);
  /* Emitted in rule-table order. */
  assert_string_equal(w->h.out[0].rule_id, "R10a");
  assert_int_equal(w->h.out[0].severity, EW_SEV_LOW);
  assert_string_equal(w->h.out[1].rule_id, "R18b");
  assert_int_equal(w->h.out[1].severity, EW_SEV_HIGH);
}

int main(void) {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_clean_base_is_silent),
      T(test_open_case_is_silent),
      T(test_r09_declared_major_without_review_fires),
      T(test_r09_reviewed_before_decision_silent),
      T(test_r09_review_problems),
      T(test_r09_derived_from_hearing_amount),
      T(test_r09_derived_from_heavy_type),
      T(test_r09_benchmark_threshold_makes_major),
      T(test_r10a_agency_benchmark_not_cited_fires),
      T(test_r10a_no_benchmark_silent),
      T(test_r10a_general_benchmark_and_precedence),
      T(test_r10a_cited_benchmark_not_on_file),
      T(test_r10b_above_band_fires),
      T(test_r10b_band_edges_silent),
      T(test_r10b_statutory_range),
      T(test_r10b_without_level_or_band),
      T(test_r10b_fine_presence),
      T(test_r10b_named_benchmark_wins),
      T(test_r10c_heavy_without_factor_fires),
      T(test_r10c_configured_factors),
      T(test_r11_no_notice_fires),
      T(test_r11_notice_timing),
      T(test_r11_simple_procedure),
      T(test_r11_hearing_not_offered),
      T(test_r11_hearing_amount_threshold),
      T(test_r11_decided_before_hearing_window),
      T(test_r11_hearing_window_over_weekend),
      T(test_r11_hearing_window_over_holiday),
      T(test_r11_hearing_window_no_answer),
      T(test_r11_fixed_snapshot_withdraws),
      T(test_r14a_heavy_without_safeguards_fires),
      T(test_r14a_each_safeguard),
      T(test_r14a_light_types_silent),
      T(test_r18b_measure_without_basis_fires),
      T(test_r18b_near_misses),
      T(test_disabled_rules_silent),
      T(test_severity_from_config),
  };
#undef T
  return cmocka_run_group_tests(tests, NULL, NULL);
}
