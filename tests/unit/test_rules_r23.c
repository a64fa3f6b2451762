/*
 * test_rules_r23.c - the profit-driven signals R23a-R23f through the engine:
 * each signal at its threshold and just under it, the minimum samples, the
 * judgement at the quarter's end and not before, withdrawal when late data
 * removes a signal, and severity raised by a second signal.
 *
 * Only the R23 rules are on, so that every alert emitted is theirs. The
 * clock follows the events as in the daemon and `check`: each record is
 * applied after the clock is moved to its event_time (a decision is sent
 * an hour after it is made). Agencies: FX_AG1 (harness, region 622900, a
 * prefecture) and FX_AG2 (622901, a county), both filing with FX_JB.
 * The quarter judged is 2025-Q1 (window 2024-04..2025-03), at 2025-04-01
 * 00:00 Asia/Shanghai.
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
#define DAY (24 * HOUR)
#define Q1_END (fx_day(2025, 4, 1))
#define AG1_Q1 FX_AG1 "/2025-Q1"
#define AG2_Q1 FX_AG2 "/2025-Q1"

typedef struct world {
  harness h;
  int next_event;
  int next_decision;
} world;

static int setup(void **state) {
  world *w = calloc(1, sizeof *w);
  if (!w || h_open(&w->h, ":memory:") != 0)
    return -1;
  for (size_t i = 0; i < ew_rule_table_count; i++) {
    const ew_rule_def *d = &ew_rule_table[i];
    if (strncmp(d->id, "R23", 3) != 0)
      ((ew_rule_common *)((char *)&w->h.cfg + d->cfg_offset))->enabled = 0;
  }
  ew_record a2 = fx_agency(&w->h.a, FX_AG2, "临夏市市场监督管理局", "622901");
  ew_record jb = fx_agency(&w->h.a, FX_JB, "临夏州司法局", "622900");
  if (h_apply(&w->h, &a2) || h_apply(&w->h, &jb))
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

static void only(world *w, const char *rule) {
  ew_rules_config *c = &w->h.cfg;
  c->r23a.c.enabled = strcmp(rule, "R23a") == 0;
  c->r23b.c.enabled = strcmp(rule, "R23b") == 0;
  c->r23c.c.enabled = strcmp(rule, "R23c") == 0;
  c->r23d.c.enabled = strcmp(rule, "R23d") == 0;
  c->r23e.c.enabled = strcmp(rule, "R23e") == 0;
  c->r23f.c.enabled = strcmp(rule, "R23f") == 0;
}

static const char *dup(world *w, const char *s) {
  return ew_arena_strdup(&w->h.a, s);
}

static const char *next_event(world *w) {
  char buf[32];
  snprintf(buf, sizeof buf, "EV-%d", ++w->next_event);
  return dup(w, buf);
}

/* An enterprise registered in `region`, number `n` (R25 is off, so the
 * check character does not matter; characters 3-8 do). */
static const char *ent(world *w, const char *region, int n) {
  char buf[19];
  snprintf(buf, sizeof buf, "91%sMA%07dX", region, n);
  return dup(w, buf);
}

static ew_time at(int y, int m, int d) {
  return fx_day(y, m, d) + 10 * HOUR;
}

/* A decision of `agency` on `enterprise` at `decided`, fining `fine_fen`
 * (none when 0), sent an hour later. */
static ew_record decision(world *w, const char *agency, const char *enterprise,
                          ew_time decided, int64_t fine_fen) {
  char no[32];
  snprintf(no, sizeof no, "D-%04d", ++w->next_decision);
  ew_record r = fx_penalty(&w->h.a, next_event(w), no, decided + HOUR);
  ew_penalty *p = &r.u.penalty;
  p->agency_uscc = dup(w, agency);
  p->enterprise_uscc = dup(w, enterprise);
  p->decided_at = decided;
  p->notice_of_rights_at = decided - 7 * DAY;
  p->fine_fen = fine_fen;
  if (fine_fen > 0) {
    p->penalty_types.v = ew_arena_calloc(&w->h.a, 1, sizeof(int));
    p->penalty_types.v[0] = EW_PT_FINE;
    p->penalty_types.n = 1;
  }
  return r;
}

/* Moves the clock to `t`, then keeps what that emitted in h->out. */
static void advance(world *w, ew_time t) {
  if (h_advance(&w->h, t) != 0)
    fail_msg("advance: %s", ew_engine_errmsg(w->h.engine));
}

/* The clock follows the event, then the event is applied. */
static void put(world *w, const ew_record *r) {
  advance(w, ew_record_event_time(r));
  h_must_apply(&w->h, r);
}

static void decide(world *w, const char *agency, const char *enterprise,
                   ew_time decided, int64_t fine_fen) {
  ew_record r = decision(w, agency, enterprise, decided, fine_fen);
  put(w, &r);
}

/* `per_month[i]` decisions of `agency` on a local enterprise in month i of
 * 2024-04..2025-03, on the 3rd, 6th, 9th... (never in the last 10 days),
 * each fining `fine_fen`. */
static void months(world *w, const char *agency, const int per_month[12],
                   int64_t fine_fen) {
  for (int i = 0; i < 12; i++) {
    int y = i < 9 ? 2024 : 2025, m = i < 9 ? i + 4 : i - 8;
    for (int k = 0; k < per_month[i]; k++)
      decide(w, agency, FX_ENT, at(y, m, 3 + 3 * (k % 6)) + k * HOUR, fine_fen);
  }
}

/* The alert of `rule` the last call emitted on `subject`, or NULL. */
static const ew_alert *alert_of(world *w, const char *rule,
                                const char *subject) {
  for (size_t i = 0; i < w->h.n; i++)
    if (strcmp(w->h.out[i].rule_id, rule) == 0 &&
        strcmp(w->h.out[i].subject_id, subject) == 0)
      return &w->h.out[i];
  return NULL;
}

static size_t r23_count(world *w) {
  size_t n = 0;
  for (size_t i = 0; i < w->h.n; i++)
    n += strncmp(w->h.out[i].rule_id, "R23", 3) == 0;
  return n;
}

static const ew_alert *must(world *w, const char *rule, const char *subject) {
  const ew_alert *a = alert_of(w, rule, subject);
  if (!a)
    fail_msg("no %s alert on %s", rule, subject);
  assert_int_equal(a->subject_type, EW_SUBJ_AGENCY);
  return a;
}

static const int TWO[12] = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};

/* ================================================================ R23a */

/* Two decisions a month, every fine ¥2000: CV 0, all within the band. */
static void test_r23a_uniform_fires_at_quarter_end(void **state) {
  world *w = *state;
  months(w, FX_AG1, TWO, 200000);
  advance(w, Q1_END - 1);
  assert_null(alert_of(w, "R23a", AG1_Q1)); /* not before the end */
  advance(w, Q1_END);
  assert_int_equal(r23_count(w), 1);
  const ew_alert *a = must(w, "R23a", AG1_Q1);
  assert_int_equal(a->severity, EW_SEV_HIGH);
  assert_int_equal(a->status, EW_AST_OPEN);
  assert_int_equal(a->detected_at, Q1_END);
  assert_string_equal(a->agency_uscc, FX_AG1);
  assert_string_equal(a->legal_basis,
                      "临州办发〔2023〕18号 ¶5；行政处罚法第74条");
  assert_string_equal(h_fact(a, "window"), "2024-04..2025-03");
  assert_string_equal(h_fact(a, "cases"), "24");
  assert_string_equal(h_fact(a, "monthly_counts"), "2,2,2,2,2,2,2,2,2,2,2,2");
  assert_string_equal(h_fact(a, "cv"), "0.000");
  assert_string_equal(h_fact(a, "cv_max"), "0.20");
  assert_string_equal(h_fact(a, "median_fen"), "200000");
  assert_string_equal(h_fact(a, "within_band_share"), "1.000");
  assert_string_equal(h_fact(a, "share_min"), "0.80");
  assert_string_equal(h_fact(a, "signals"), "R23a");
  assert_non_null(strstr(a->message, "请核查"));
  assert_int_equal(a->evidence_event_ids.n, 24);
  /* its notice: a 监督意见书 to the agency, from its justice bureau */
  assert_int_equal(w->h.nn, 1);
  assert_int_equal(w->h.notices[0].notice_type, EW_NT_SUPERVISION_OPINION);
  assert_string_equal(w->h.notices[0].recipient_agency_uscc, FX_AG1);
  assert_int_equal(w->h.notices[0].cc_usccs.n, 0);
}

/* 60 decisions: six pairs (6,4) of months give CV exactly 0.20, not
 * below it; five pairs and (5,5) give 0.183. */
static void test_r23a_cv_at_limit_near_miss(void **state) {
  world *w = *state;
  static const int c[12] = {6, 4, 6, 4, 6, 4, 6, 4, 6, 4, 6, 4};
  months(w, FX_AG1, c, 200000);
  advance(w, Q1_END);
  assert_int_equal(r23_count(w), 0);
}

static void test_r23a_cv_just_under_limit(void **state) {
  world *w = *state;
  static const int c[12] = {6, 4, 6, 4, 6, 4, 6, 4, 6, 4, 5, 5};
  months(w, FX_AG1, c, 200000);
  advance(w, Q1_END);
  const ew_alert *a = must(w, "R23a", AG1_Q1);
  assert_string_equal(h_fact(a, "cv"), "0.183");
  assert_string_equal(h_fact(a, "cases"), "60");
}

/* Five a month; fines: 36 at ¥2000, 6 at +15% and 6 at -15% (the band's
 * edges, within), 6 far above and 6 far below: 48 of 60 = 80% within. */
static void band_case(world *w, int64_t edge_high) {
  int n = 0;
  for (int i = 0; i < 12; i++) {
    int y = i < 9 ? 2024 : 2025, m = i < 9 ? i + 4 : i - 8;
    for (int k = 0; k < 5; k++, n++) {
      int64_t fine = n < 36   ? 200000
                     : n < 42 ? edge_high
                     : n < 48 ? 170000
                     : n < 54 ? 400000
                              : 50000;
      decide(w, FX_AG1, FX_ENT, at(y, m, 3 + 3 * k), fine);
    }
  }
  advance(w, Q1_END);
}

static void test_r23a_band_share_at_minimum(void **state) {
  world *w = *state;
  band_case(w, 230000);
  const ew_alert *a = must(w, "R23a", AG1_Q1);
  assert_string_equal(h_fact(a, "fines"), "60");
  assert_string_equal(h_fact(a, "within_band"), "48");
  assert_string_equal(h_fact(a, "within_band_share"), "0.800");
  assert_string_equal(h_fact(a, "median_fen"), "200000");
}

static void test_r23a_band_share_just_under_near_miss(void **state) {
  world *w = *state;
  band_case(w, 230001); /* one fen outside the band: 47 of 60 */
  assert_null(alert_of(w, "R23a", AG1_Q1));
}

/* The agency's data begins in October: six months of three decisions,
 * judged on those six months (min_months 6)... */
static void test_r23a_six_months_of_data(void **state) {
  world *w = *state;
  static const int c[12] = {0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3, 3};
  months(w, FX_AG1, c, 200000);
  advance(w, Q1_END);
  const ew_alert *a = must(w, "R23a", AG1_Q1);
  assert_string_equal(h_fact(a, "window"), "2024-10..2025-03");
  assert_string_equal(h_fact(a, "months"), "6");
}

/* ...five months (from November, 15 decisions) are too few. */
static void test_r23a_five_months_near_miss(void **state) {
  world *w = *state;
  static const int c[12] = {0, 0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3};
  months(w, FX_AG1, c, 200000);
  advance(w, Q1_END);
  assert_int_equal(r23_count(w), 0);
}

/* ================================================================ R23b */

/* One decision a month from 2021-12; the 罚没 of the three years before
 * 2025-04 is 1,200,000, then `y1`, then `y2` fen. */
static void growth_case(world *w, int64_t y1, int64_t y2) {
  only(w, "R23b");
  decide(w, FX_AG1, FX_ENT, at(2021, 12, 5), 100000); /* data begins */
  int64_t total[3] = {1200000, y1, y2};
  for (int i = 0; i < 36; i++) {
    int64_t mi = 2022 * 12 + 3 + i; /* 2022-04 .. */
    int64_t fine = total[i / 12] / 12;
    if (i % 12 == 11)
      fine = total[i / 12] - 11 * (total[i / 12] / 12);
    decide(w, FX_AG1, FX_ENT, at((int)(mi / 12), (int)(mi % 12) + 1, 5), fine);
  }
  advance(w, Q1_END);
}

static void test_r23b_growth_just_over_ten_percent(void **state) {
  world *w = *state;
  growth_case(w, 1320001, 1452002);
  const ew_alert *a = must(w, "R23b", AG1_Q1);
  assert_int_equal(a->severity, EW_SEV_MEDIUM);
  assert_string_equal(h_fact(a, "years"),
                      "2022-04..2023-03,2023-04..2024-03,2024-04..2025-03");
  assert_string_equal(h_fact(a, "amounts_fen"), "1200000,1320001,1452002");
  assert_string_equal(h_fact(a, "cases"), "12,12,12");
  assert_string_equal(h_fact(a, "growth"), "0.100,0.100");
  assert_string_equal(h_fact(a, "growth_min"), "0.10");
  assert_string_equal(h_fact(a, "data_from"), "2021-12-05");
}

/* Exactly 10% in the first year is not "more than 10%". */
static void test_r23b_growth_at_ten_percent_near_miss(void **state) {
  world *w = *state;
  growth_case(w, 1320000, 1452002);
  assert_null(alert_of(w, "R23b", AG1_Q1));
}

/* The same growth without data before the three years: not complete. */
static void test_r23b_incomplete_years_near_miss(void **state) {
  world *w = *state;
  only(w, "R23b");
  int64_t total[3] = {1200000, 1320001, 1452002};
  for (int i = 0; i < 36; i++) {
    int64_t mi = 2022 * 12 + 3 + i;
    int64_t fine = total[i / 12] / 12;
    if (i % 12 == 11)
      fine = total[i / 12] - 11 * (total[i / 12] / 12);
    decide(w, FX_AG1, FX_ENT, at((int)(mi / 12), (int)(mi % 12) + 1, 5), fine);
  }
  advance(w, Q1_END);
  assert_null(alert_of(w, "R23b", AG1_Q1));
}

/* ================================================================ R23c */

static ew_record benchmark(world *w, const char *id, int64_t max_fen) {
  ew_record r;
  r.kind = EW_REC_BENCHMARK;
  ew_rtype_init(ew_rtype_of(r.kind), &r.u);
  r.u.benchmark.benchmark_id = dup(w, id);
  r.u.benchmark.violation_code = dup(w, "V-001");
  r.u.benchmark.statutory_min_fen = 10000;
  r.u.benchmark.statutory_max_fen = max_fen;
  return r;
}

/* 15 fines citing B-1 (statutory maximum ¥5000), `at_max` of them at it,
 * the others one fen under; and one fine citing a benchmark not on file. */
static void top_case(world *w, int at_max) {
  only(w, "R23c");
  ew_record bm = benchmark(w, "B-1", 500000);
  h_must_apply(&w->h, &bm);
  for (int i = 0; i < 15; i++) {
    ew_record r = decision(w, FX_AG1, FX_ENT, at(2024, 4 + (i % 9), 3 + i),
                           i < at_max ? 500000 : 499999);
    r.u.penalty.benchmark_id = dup(w, "B-1");
    put(w, &r);
  }
  ew_record x = decision(w, FX_AG1, FX_ENT, at(2025, 1, 8), 500000);
  x.u.penalty.benchmark_id = dup(w, "B-UNKNOWN");
  put(w, &x);
  advance(w, Q1_END);
}

static void test_r23c_top_fines_over_limit(void **state) {
  world *w = *state;
  top_case(w, 4); /* 26.7% */
  const ew_alert *a = must(w, "R23c", AG1_Q1);
  assert_int_equal(a->severity, EW_SEV_MEDIUM);
  assert_string_equal(h_fact(a, "cases"), "16");
  assert_string_equal(h_fact(a, "judged"), "15");
  assert_string_equal(h_fact(a, "no_benchmark"), "1");
  assert_string_equal(h_fact(a, "at_max"), "4");
  assert_string_equal(h_fact(a, "share"), "0.267");
  assert_string_equal(h_fact(a, "share_max"), "0.20");
  assert_int_equal(a->evidence_event_ids.n, 4);
}

static void test_r23c_top_fines_at_limit_near_miss(void **state) {
  world *w = *state;
  top_case(w, 3); /* 20%: not more than 20% */
  assert_null(alert_of(w, "R23c", AG1_Q1));
}

/* ================================================================ R23d */

/* `n` decisions of FX_AG2 (a county, 622901), `away` of them on
 * enterprises of 622921 (another county), over the window. */
static void away_case(world *w, int n, int away) {
  only(w, "R23d");
  for (int i = 0; i < n; i++)
    decide(w, FX_AG2, i < away ? ent(w, "622921", i) : ent(w, "622901", i),
           at(2024, 4 + (i % 12 < 9 ? i % 12 : 0), 2 + i), 100000 + i);
  advance(w, Q1_END);
}

static void test_r23d_elsewhere_over_limit(void **state) {
  world *w = *state;
  away_case(w, 20, 7); /* 35% */
  const ew_alert *a = must(w, "R23d", AG2_Q1);
  assert_int_equal(a->severity, EW_SEV_MEDIUM);
  assert_string_equal(h_fact(a, "judged"), "20");
  assert_string_equal(h_fact(a, "elsewhere"), "7");
  assert_string_equal(h_fact(a, "share"), "0.350");
  assert_string_equal(h_fact(a, "share_max"), "0.30");
  assert_string_equal(h_fact(a, "agency_region"), "622901");
  assert_string_equal(h_fact(a, "regions"), "622921:7");
  assert_string_equal(a->region_code, "622901");
}

static void test_r23d_elsewhere_at_limit_near_miss(void **state) {
  world *w = *state;
  away_case(w, 20, 6); /* 30% */
  assert_null(alert_of(w, "R23d", AG2_Q1));
}

/* A small agency: 11 decisions, all elsewhere, below min_cases 12... */
static void test_r23d_small_agency_near_miss(void **state) {
  world *w = *state;
  away_case(w, 11, 11);
  assert_int_equal(r23_count(w), 0);
}

/* ...12 are enough. */
static void test_r23d_minimum_sample_fires(void **state) {
  world *w = *state;
  away_case(w, 12, 12);
  const ew_alert *a = must(w, "R23d", AG2_Q1);
  assert_string_equal(h_fact(a, "judged"), "12");
  assert_string_equal(h_fact(a, "min_cases"), "12");
}

/* A prefecture's bureau (622900) is not "elsewhere" in its counties. */
static void test_r23d_prefecture_covers_counties(void **state) {
  world *w = *state;
  only(w, "R23d");
  for (int i = 0; i < 20; i++)
    decide(w, FX_AG1, ent(w, i < 10 ? "622921" : "622927", i),
           at(2024, 5, 1 + i), 100000);
  advance(w, Q1_END);
  assert_int_equal(r23_count(w), 0);
}

/* ================================================================ R23e */

/* 24 decisions, fines all different (no 整齐化): `rush` on the 22nd and
 * 25th of months that end no quarter (in the last 10 days of April, May,
 * July...), the others on the 10th. */
static void rush_case(world *w, int rush) {
  only(w, "R23e");
  static const int no_q_end[8][2] = {{2024, 4}, {2024, 5},  {2024, 7},
                                     {2024, 8}, {2024, 10}, {2024, 11},
                                     {2025, 1}, {2025, 2}};
  int n = 0;
  for (int i = 0; i < rush; i++, n++)
    decide(w, FX_AG1, FX_ENT,
           fx_day(no_q_end[i / 2][0], no_q_end[i / 2][1], i % 2 ? 25 : 22),
           10000 * (n + 1));
  for (; n < 24; n++)
    decide(w, FX_AG1, FX_ENT, at(2024, 4 + (n % 9), 10) + n * HOUR,
           10000 * (n + 1));
  advance(w, Q1_END);
}

static void test_r23e_month_end_rush(void **state) {
  world *w = *state;
  rush_case(w, 16); /* (16 / 120) / (24 / 365) = 2.03 */
  const ew_alert *a = must(w, "R23e", AG1_Q1);
  assert_int_equal(a->severity, EW_SEV_MEDIUM);
  assert_string_equal(h_fact(a, "days"), "365");
  assert_string_equal(h_fact(a, "cases"), "24");
  assert_string_equal(h_fact(a, "month_end_cases"), "16");
  assert_string_equal(h_fact(a, "month_end_days"), "120");
  assert_string_equal(h_fact(a, "month_end_ratio"), "2.03");
  assert_string_equal(h_fact(a, "quarter_end_cases"), "0");
  assert_string_equal(h_fact(a, "year_end_days"), "10");
  assert_string_equal(h_fact(a, "ratio_max"), "2.00");
  assert_string_equal(h_fact(a, "periods"), "month");
}

static void test_r23e_under_twice_near_miss(void **state) {
  world *w = *state;
  rush_case(w, 15); /* 1.90 */
  assert_null(alert_of(w, "R23e", AG1_Q1));
}

/* A one-month window (March: its last 10 days begin on the 22nd) and
 * minimums of one: a decision at 03-21 23:59:59.999 is not in them; the
 * same decision corrected to 03-22 00:00, sent in April, is: 1 case in 10
 * days against 1 in 31, over twice the mean, at month and quarter end. */
static void test_r23e_day_boundary(void **state) {
  world *w = *state;
  only(w, "R23e");
  w->h.cfg.r23e.window_months = 1;
  w->h.cfg.r23e.min_cases = 1;
  w->h.cfg.r23e.min_end_cases = 1;
  ew_record r = decision(w, FX_AG1, FX_ENT, fx_day(2025, 3, 22) - 1, 100);
  put(w, &r);
  advance(w, Q1_END);
  assert_int_equal(r23_count(w), 0);
  r.u.penalty.event_id = next_event(w);
  r.u.penalty.event_time = at(2025, 4, 2);
  r.u.penalty.decided_at = fx_day(2025, 3, 22);
  put(w, &r);
  const ew_alert *a = must(w, "R23e", AG1_Q1);
  assert_string_equal(h_fact(a, "window"), "2025-03..2025-03");
  assert_string_equal(h_fact(a, "days"), "31");
  assert_string_equal(h_fact(a, "month_end_cases"), "1");
  assert_string_equal(h_fact(a, "month_end_ratio"), "3.10");
  assert_string_equal(h_fact(a, "periods"), "month,quarter");
  assert_string_equal(h_fact(a, "year_end_cases"), "");
}

/* ================================================================ R23f */

static ew_record complaint(world *w, const char *id, int finding,
                           ew_time concluded) {
  ew_record r;
  r.kind = EW_REC_COMPLAINT;
  ew_rtype_init(ew_rtype_of(r.kind), &r.u);
  ew_complaint *c = &r.u.complaint;
  c->event_id = next_event(w);
  c->event_time = concluded + HOUR;
  c->complaint_id = dup(w, id);
  c->received_at = concluded - 20 * DAY;
  c->channel = EW_CHAN_HOTLINE_12345;
  c->subject_type = EW_CSUBJ_ENFORCEMENT_CONDUCT;
  c->respondent_agency_uscc = dup(w, FX_AG1);
  c->category = EW_CAT_PROFIT_DRIVEN;
  c->handling_agency_uscc = dup(w, FX_JB);
  c->status = EW_CST_CONCLUDED;
  c->accepted_at = concluded - 19 * DAY;
  c->finding = finding;
  c->concluded_at = concluded;
  return r;
}

static void test_r23f_quota_found_at_once(void **state) {
  world *w = *state;
  ew_record c = complaint(w, "TS-1", EW_FIND_SUBSTANTIATED, at(2025, 2, 10));
  put(w, &c);
  const ew_alert *a = must(w, "R23f", AG1_Q1);
  assert_int_equal(a->severity, EW_SEV_CRITICAL);
  assert_int_equal(a->detected_at, at(2025, 2, 10));
  assert_string_equal(h_fact(a, "complaints"), "TS-1");
  assert_string_equal(h_fact(a, "categories"), "PROFIT_DRIVEN");
  assert_string_equal(h_fact(a, "findings"), "SUBSTANTIATED");
  assert_int_equal(a->evidence_event_ids.n, 1);
  assert_string_equal(a->evidence_event_ids.v[0], c.u.complaint.event_id);
  /* the finding overturned: withdrawn */
  ew_record c2 = complaint(w, "TS-1", EW_FIND_UNSUBSTANTIATED, at(2025, 2, 10));
  c2.u.complaint.event_time += DAY;
  put(w, &c2);
  a = must(w, "R23f", AG1_Q1);
  assert_int_equal(a->status, EW_AST_WITHDRAWN);
}

static void test_r23f_partly_substantiated_near_miss(void **state) {
  world *w = *state;
  ew_record c =
      complaint(w, "TS-2", EW_FIND_PARTLY_SUBSTANTIATED, at(2025, 2, 10));
  put(w, &c);
  ew_record other =
      complaint(w, "TS-3", EW_FIND_SUBSTANTIATED, at(2025, 2, 11));
  other.u.complaint.category = EW_CAT_EXCESSIVE_PENALTY;
  put(w, &other);
  advance(w, Q1_END);
  assert_int_equal(r23_count(w), 0);
}

/* ============================================= late data, severity, time */

/* R23d fires at the quarter's end on 13 decisions, 4 elsewhere (30.8%);
 * a withdrawal sent in April leaves 3 of 12 (25%): withdrawn. A decision
 * of March sent late in April brings it back (detected_at = the quarter's
 * end). */
static void test_late_data_withdraws_and_reopens(void **state) {
  world *w = *state;
  only(w, "R23d");
  ew_record away[4];
  for (int i = 0; i < 13; i++) {
    ew_record r = decision(w, FX_AG2, ent(w, i < 4 ? "622921" : "622901", i),
                           at(2024, 5, 1 + i), 100000);
    if (i < 4)
      away[i] = r;
    put(w, &r);
  }
  advance(w, Q1_END);
  const ew_alert *a = must(w, "R23d", AG2_Q1);
  assert_int_equal(a->status, EW_AST_OPEN);
  assert_string_equal(h_fact(a, "share"), "0.308");
  char id[EW_ALERT_ID_BUFSZ];
  strcpy(id, a->alert_id);

  ew_record wd = away[0];
  wd.u.penalty.event_id = next_event(w);
  wd.u.penalty.event_time = at(2025, 4, 10);
  wd.u.penalty.withdrawn_at = at(2025, 4, 10);
  put(w, &wd);
  a = must(w, "R23d", AG2_Q1);
  assert_int_equal(a->status, EW_AST_WITHDRAWN);
  assert_string_equal(a->alert_id, id);
  assert_int_equal(a->detected_at, at(2025, 4, 10));

  ew_record late =
      decision(w, FX_AG2, ent(w, "622922", 99), at(2025, 3, 30), 100000);
  late.u.penalty.event_time = at(2025, 4, 20);
  put(w, &late);
  a = must(w, "R23d", AG2_Q1);
  assert_int_equal(a->status, EW_AST_OPEN);
  assert_int_equal(a->detected_at, Q1_END);
  assert_string_equal(h_fact(a, "elsewhere"), "4");
  assert_string_equal(h_fact(a, "judged"), "13");
}

/* Two signals in the quarter: R23d and R23e both HIGH. */
static void test_two_signals_raise_severity(void **state) {
  world *w = *state;
  w->h.cfg.r23a.c.enabled = w->h.cfg.r23b.c.enabled = 0;
  w->h.cfg.r23c.c.enabled = w->h.cfg.r23f.c.enabled = 0;
  /* 24 decisions of FX_AG2, fines all different; 16 in the last days of
   * months (as rush_case) and 8 of all 24 on enterprises elsewhere. */
  static const int no_q_end[8][2] = {{2024, 4}, {2024, 5},  {2024, 7},
                                     {2024, 8}, {2024, 10}, {2024, 11},
                                     {2025, 1}, {2025, 2}};
  for (int n = 0; n < 24; n++) {
    ew_time t =
        n < 16 ? fx_day(no_q_end[n / 2][0], no_q_end[n / 2][1], n % 2 ? 25 : 22)
               : at(2024, 4 + (n % 9), 10) + n * HOUR;
    decide(w, FX_AG2, ent(w, n % 3 ? "622901" : "622923", n), t,
           10000 * (n + 1));
  }
  advance(w, Q1_END);
  assert_int_equal(r23_count(w), 2);
  const ew_alert *d = must(w, "R23d", AG2_Q1);
  const ew_alert *e = must(w, "R23e", AG2_Q1);
  assert_int_equal(d->severity, EW_SEV_HIGH);
  assert_int_equal(e->severity, EW_SEV_HIGH);
  assert_string_equal(h_fact(d, "signals"), "R23d,R23e");
  assert_string_equal(h_fact(e, "signals"), "R23d,R23e");
  /* with R23e off, R23d alone is MEDIUM again */
  w->h.cfg.r23e.c.enabled = 0;
  ew_record late = decision(w, FX_AG2, ent(w, "622901", 77), at(2025, 3, 2), 5);
  put(w, &late);
  d = must(w, "R23d", AG2_Q1);
  assert_int_equal(d->severity, EW_SEV_MEDIUM);
}

/* The quarter's judgement follows the clock through the next quarters
 * while the agency has decisions in their windows; a decision older than
 * four quarters before the clock's leaves a quarter as it was judged. */
static void test_next_quarters_and_final_quarters(void **state) {
  world *w = *state;
  only(w, "R23d");
  for (int i = 0; i < 12; i++)
    decide(w, FX_AG2, ent(w, "622921", i), at(2024, 5, 1 + i), 100000);
  advance(w, fx_day(2024, 7, 1)); /* 2024-Q2 */
  assert_non_null(alert_of(w, "R23d", FX_AG2 "/2024-Q2"));
  advance(w, fx_day(2024, 10, 1)); /* 2024-Q3: no new decision, judged */
  assert_non_null(alert_of(w, "R23d", FX_AG2 "/2024-Q3"));
  advance(w, fx_day(2025, 8, 1)); /* Q4, 2025-Q1 (same finding), Q2 */
  assert_null(alert_of(w, "R23d", FX_AG2 "/2025-Q2")); /* window: none */
  /* 2024-Q2 ended five quarters before 2025-Q3: final. */
  ew_record wd =
      decision(w, FX_AG2, ent(w, "622901", 50), at(2024, 5, 20), 100000);
  wd.u.penalty.event_time = fx_day(2025, 8, 2);
  put(w, &wd);
  assert_null(alert_of(w, "R23d", FX_AG2 "/2024-Q2"));
  ew_time due;
  assert_int_equal(
      ew_store_wakeup_get(w->h.store, EW_SUBJ_AGENCY, FX_AG2 "/2025-Q3", &due),
      0);
  assert_int_equal(due, EW_NONE); /* May 2024 is outside 2025-Q3's window */
}

/* R23 keeps the decisions its windows need: four years of them. */
static void test_history_kept_for_r23(void **state) {
  world *w = *state;
  only(w, "R23b");
  decide(w, FX_AG1, FX_ENT, at(2021, 6, 1), 100);
  decide(w, FX_AG1, FX_ENT, at(2025, 3, 1), 100);
  advance(w, Q1_END + 2 * DAY);
  int64_t p, i;
  assert_int_equal(ew_store_hist_count(w->h.store, &p, &i), 0);
  assert_int_equal(p, 2);
  only(w, "R23a"); /* 12 months + 12 months of late data: 744 days */
  advance(w, Q1_END + 3 * DAY);
  assert_int_equal(ew_store_hist_count(w->h.store, &p, &i), 0);
  assert_int_equal(p, 1);
}

/* The quarter helpers. */
static void test_quarters(void **state) {
  (void)state;
  int64_t q;
  assert_int_equal(ew_r23_quarter_parse("2025-Q1", &q), 0);
  assert_int_equal(q, 2025 * 4);
  assert_int_equal(ew_r23_quarter_end(q), fx_day(2025, 4, 1));
  assert_int_equal(ew_r23_quarter_of(fx_day(2025, 4, 1) - 1), q);
  assert_int_equal(ew_r23_quarter_of(fx_day(2025, 4, 1)), q + 1);
  assert_int_equal(ew_r23_quarter_parse("2025-Q4", &q), 0);
  assert_int_equal(ew_r23_quarter_end(q), fx_day(2026, 1, 1));
  assert_int_equal(ew_r23_span_start(q, 12), fx_day(2025, 1, 1));
  assert_int_equal(ew_r23_quarter_parse("2025", &q), -1);
  assert_int_equal(ew_r23_quarter_parse("2025-Q5", &q), -1);
  assert_int_equal(ew_r23_quarter_parse("2025-Q1x", &q), -1);
  assert_int_equal(ew_r23_quarter_parse("20a5-Q1", &q), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
      T(test_r23a_uniform_fires_at_quarter_end),
      T(test_r23a_cv_at_limit_near_miss),
      T(test_r23a_cv_just_under_limit),
      T(test_r23a_band_share_at_minimum),
      T(test_r23a_band_share_just_under_near_miss),
      T(test_r23a_six_months_of_data),
      T(test_r23a_five_months_near_miss),
      T(test_r23b_growth_just_over_ten_percent),
      T(test_r23b_growth_at_ten_percent_near_miss),
      T(test_r23b_incomplete_years_near_miss),
      T(test_r23c_top_fines_over_limit),
      T(test_r23c_top_fines_at_limit_near_miss),
      T(test_r23d_elsewhere_over_limit),
      T(test_r23d_elsewhere_at_limit_near_miss),
      T(test_r23d_small_agency_near_miss),
      T(test_r23d_minimum_sample_fires),
      T(test_r23d_prefecture_covers_counties),
      T(test_r23e_month_end_rush),
      T(test_r23e_under_twice_near_miss),
      T(test_r23e_day_boundary),
      T(test_r23f_quota_found_at_once),
      T(test_r23f_partly_substantiated_near_miss),
      T(test_late_data_withdraws_and_reopens),
      T(test_two_signals_raise_severity),
      T(test_next_quarters_and_final_quarters),
      T(test_history_kept_for_r23),
      cmocka_unit_test(test_quarters),
#undef T
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
