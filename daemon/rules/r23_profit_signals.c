/*
 * r23_profit_signals.c - R23 趋利执法信号 (¶5 「严禁下达或变相下达罚没收入
 * 指标…不得同…考核、考评直接或者变相挂钩」; 行政处罚法第74条): statistical
 * screens of an agency's decisions that ask the supervisor to look (请核查);
 * none of them proves a quota.
 *
 * Subject: one per agency and quarter, subject_type AGENCY, subject_id
 * "<agency_uscc>/<YYYY>-Q<n>" (contract §5). The engine (engine_time.c)
 * judges it when the clock passes the quarter's end, 00:00 Asia/Shanghai of
 * the next quarter's first day (a wake-up, armed by the agency's decisions
 * and by the quarter before), and again when a decision inside its span
 * arrives late, changes or is withdrawn, or when a complaint of the quarter
 * does (R23f), as long as the quarter ended no more than four quarters
 * before the clock: older quarters are final, since history is pruned
 * behind them. Signals (a)-(e) are judged only once the quarter has ended
 * (before that the rule asks to be woken at its end); detected_at is the
 * quarter's end, the time the finding is about, so that the daemon and
 * `check` agree whatever path found it.
 *
 * Data: the agency's decisions in history (decided_at set, not withdrawn),
 * by decided_at; a case = a decision, whatever its penalty types (不予处罚
 * decisions included); a fine = a decision with fine_fen > 0. The window of
 * a signal is the `window_months` whole months before the quarter's end
 * (2024-04..2025-03 for 2025-Q1), cut at the start of the agency's data: the
 * month of its earliest decision ever received (kept in the store's meta,
 * EW_R23_FIRST_META, else the earliest on file). A feed that began in
 * October is judged on October..March, not on six empty months. Every
 * signal has a minimum sample (min_cases, and the others below), applied
 * to the denominator of its share, so that a small agency is not flagged
 * by chance.
 *   (a) 整齐化: the monthly case counts of the window (months with no case
 *       count as 0) have a coefficient of variation (population standard
 *       deviation / mean) below cv_max_percent, AND at least
 *       share_min_percent of the fines lie within band_percent of their
 *       median (|fine - median| <= band x median; the median of an even
 *       count is the mean of the two middle fines). Needs min_cases cases,
 *       min_cases fines and min_months months of data. HIGH.
 *   (b) 罚没 (fine_fen + confiscated_fen) of the 12 months before the
 *       quarter's end grew by more than growth_min_percent over the 12
 *       months before those, which grew by more than that over the 12
 *       before them. Three complete years: the agency's data begins before
 *       the first of them, and each year has min_year_cases decisions and
 *       罚没 above zero.
 *   (c) 顶格: fines at (or above) the statutory maximum of the decision's
 *       benchmark are more than share_max_percent of the fines judged. The
 *       benchmark is the one the decision names (benchmark_id), else its
 *       agency's for its violation_code, else the general one (R10's
 *       choice, ew_penalty_benchmark_find); a fine without a benchmark on
 *       file, or whose benchmark has no statutory maximum, is not judged
 *       (no_benchmark counts them) and min_cases applies to those judged.
 *   (d) more than share_max_percent of the cases are on enterprises
 *       registered outside the agency's area: USCC characters 3-8 (the
 *       registration's GB/T 2260 code) not within the agency's region_code
 *       in the registry, read by the code's level: a county code must be
 *       equal, a prefecture code (xxxx00) covers its counties, a province
 *       code (xx0000) its prefectures, so that a prefecture's bureau is not
 *       "elsewhere" in its own counties. An agency not in the registry (or
 *       without a region) is not judged; a USCC whose characters 3-8 are
 *       not six digits is left out of the share.
 *   (e) the cases decided in the last `last_days` days of the months (of
 *       the quarters, of the year) in the window, per day, are more than
 *       ratio_max_percent of the window's mean daily count, with at least
 *       min_end_cases cases in those days. Months, quarters and years are
 *       judged separately; the facts name which exceed (periods=...).
 *   (f) a complaint with a category of `categories` (PROFIT_DRIVEN) and a
 *       finding of `findings` (SUBSTANTIATED) against the agency
 *       (respondent_agency_uscc; a complaint without one names nobody),
 *       concluded in the quarter: the only machine-readable form of rules.md's
 *       "quota document found" in the contract. CRITICAL at once, without
 *       waiting for the quarter's end; detected_at = the earliest such
 *       concluded_at.
 * One alert per signal (R23a ... R23f) so that each is withdrawn on its
 * own; facts give the numbers behind it and the limits. Severity: each
 * rule's own (a HIGH, b-e MEDIUM, f CRITICAL), raised to severity_multi
 * (HIGH) when the agency has multi_signals (2) or more signals, enabled
 * ones only, in the quarter (fact signals=R23a,R23d). A disabled signal
 * neither fires nor counts.
 *
 * One computation per judgement: the six rows of the rule table are one
 * family, and the first enabled of them (in table order) computes every
 * signal and adds the findings of all enabled ones; the others return at
 * once. The engine emits them per rule id, so table order holds.
 *
 * Notice: 行政执法监督意见书 to the agency (config), at once. rules.md
 * asks for a copy to the 财政局 (no refund of fines), but the registry
 * knows no finance bureau, so none is copied.
 *
 * With several daemon instances, penalties are keyed by enterprise, so an
 * instance sees the decisions of its own partitions only (as R14b does).
 * A decision or complaint that moves to another agency leaves the old
 * agency's quarters as they were judged.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ewtime.h"
#include "rules.h"

#define LEGAL_BASIS "临州办发〔2023〕18号 ¶5；行政处罚法第74条"
#define B_YEARS_MONTHS 36 /* R23b: three years of 12 months */
#define REGIONS_MAX 64    /* distinct registration regions tallied (d) */
#define REGIONS_SHOWN 5

enum { SIG_A, SIG_B, SIG_C, SIG_D, SIG_E, SIG_F, SIG_N };
static const char *const SIG_ID[SIG_N] = {"R23a", "R23b", "R23c",
                                          "R23d", "R23e", "R23f"};

static const ew_rule_common *sig_common(const ew_rules_config *c, int s) {
  switch (s) {
  case SIG_A:
    return &c->r23a.c;
  case SIG_B:
    return &c->r23b.c;
  case SIG_C:
    return &c->r23c.c;
  case SIG_D:
    return &c->r23d.c;
  case SIG_E:
    return &c->r23e.c;
  default:
    return &c->r23f.c;
  }
}

static int sig_on(const ew_rules_config *c, int s) {
  return sig_common(c, s)->enabled;
}

/* ---- quarters and months (Asia/Shanghai) ---- */

/* Months are counted as year * 12 + month - 1. */
static int64_t month_of(ew_time t) {
  char d[11];
  ew_time_date(t, d);
  int64_t y = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 +
              (d[3] - '0');
  return y * 12 + (d[5] - '0') * 10 + (d[6] - '0') - 1;
}

static ew_time month_start(int64_t m) {
  return ew_time_from_civil((int)(m / 12), (int)(m % 12) + 1, 1);
}

/* "2024-04" */
static const char *month_text(ew_arena *a, int64_t m) {
  return ew_arena_printf(a, "%04d-%02d", (int)(m / 12), (int)(m % 12) + 1);
}

/* 「2024年4月」 */
static const char *month_zh(ew_arena *a, int64_t m) {
  return ew_arena_printf(a, "%d年%d月", (int)(m / 12), (int)(m % 12) + 1);
}

int64_t ew_r23_quarter_of(ew_time t) {
  return month_of(t) / 3;
}

ew_time ew_r23_quarter_end(int64_t q) {
  return month_start((q + 1) * 3);
}

int ew_r23_quarter_parse(const char *period, int64_t *q) {
  if (!period || strlen(period) != 7 || period[4] != '-' || period[5] != 'Q' ||
      period[6] < '1' || period[6] > '4')
    return -1;
  int64_t y = 0;
  for (int i = 0; i < 4; i++) {
    if (period[i] < '0' || period[i] > '9')
      return -1;
    y = y * 10 + (period[i] - '0');
  }
  if (y < 1)
    return -1;
  *q = y * 4 + (period[6] - '1');
  return 0;
}

static int64_t max64(int64_t a, int64_t b) {
  return a > b ? a : b;
}

ew_time ew_r23_span_start(int64_t q, int64_t months) {
  return month_start((q + 1) * 3 - months);
}

int64_t ew_r23_span_months(const ew_rules_config *c) {
  int64_t m = 0;
  if (c->r23a.c.enabled)
    m = max64(m, c->r23a.window_months);
  if (c->r23b.c.enabled)
    m = max64(m, B_YEARS_MONTHS);
  if (c->r23c.c.enabled)
    m = max64(m, c->r23c.window_months);
  if (c->r23d.c.enabled)
    m = max64(m, c->r23d.window_months);
  if (c->r23e.c.enabled)
    m = max64(m, c->r23e.window_months);
  return m;
}

int ew_r23_enabled(const ew_rules_config *c) {
  for (int s = 0; s < SIG_N; s++)
    if (sig_on(c, s))
      return 1;
  return 0;
}

/* ---- the data of one judgement ---- */

typedef struct dec {
  ew_hist_penalty h;
  int64_t month;
} dec;

typedef struct judgement {
  const ew_rule_ctx *ctx;
  ew_findings *out;
  const char *agency;
  int64_t q;
  ew_time end;       /* the quarter's end */
  int64_t end_month; /* the month after the quarter */
  ew_time first;     /* the agency's earliest decision: EW_NONE for none */
  int64_t first_month;
  dec *v; /* decisions of the span, in (decided_at, decision_no) order */
  size_t n, cap;
  int oom;
  int found[SIG_N];
  int nfound;
} judgement;

static int collect(void *ud, const ew_hist_penalty *h) {
  judgement *j = ud;
  if (h->decided_at == EW_NONE || !h->decision_no)
    return 0;
  dec *v = ew_rule_array_grow(j->ctx->arena, j->v, j->n, &j->cap, sizeof *v);
  if (!v) {
    j->oom = 1;
    return 1;
  }
  j->v = v;
  j->v[j->n].h = *h;
  j->v[j->n].month = month_of(h->decided_at);
  j->n++;
  return 0;
}

static int first_row(void *ud, const ew_hist_penalty *h) {
  *(ew_time *)ud = h->decided_at;
  return 1;
}

/* Where the agency's data begins: the meta entry, else the earliest
 * decision on file. */
static int data_start(judgement *j) {
  const ew_rule_ctx *ctx = j->ctx;
  char *key = ew_arena_printf(ctx->arena, "%s%s", EW_R23_FIRST_META, j->agency);
  int64_t v;
  int found = 0;
  j->first = EW_NONE;
  if (!key) {
    j->oom = 1;
    return 0;
  }
  if (ew_store_meta_get(ctx->store, key, &v, &found) < 0)
    return -1;
  if (found) {
    j->first = v;
  } else if (ew_store_hist_decisions_between(ctx->store, j->agency, INT64_MIN,
                                             INT64_MAX, ctx->arena, first_row,
                                             &j->first) < 0) {
    return -1;
  }
  j->first_month = j->first != EW_NONE ? month_of(j->first) : j->end_month;
  return 0;
}

/* The first month of a window of `months` whole months before the
 * quarter's end, cut at the start of the agency's data. */
static int64_t window_from(const judgement *j, int64_t months) {
  return max64(j->end_month - months, j->first_month);
}

static const char *window_text(judgement *j, int64_t from) {
  const char *a = month_text(j->ctx->arena, from);
  const char *b = month_text(j->ctx->arena, j->end_month - 1);
  const char *s =
      a && b ? ew_arena_printf(j->ctx->arena, "%s..%s", a, b) : NULL;
  if (!s)
    j->oom = 1;
  return s ? s : "";
}

static const char *window_zh(judgement *j, int64_t from) {
  const char *a = month_zh(j->ctx->arena, from);
  const char *b = month_zh(j->ctx->arena, j->end_month - 1);
  const char *s =
      a && b ? ew_arena_printf(j->ctx->arena, "%s至%s", a, b) : NULL;
  if (!s)
    j->oom = 1;
  return s ? s : "";
}

/* num / den with `places` decimals, rounded half up; both >= 0, den > 0. */
static const char *ratio_text(judgement *j, int64_t num, int64_t den,
                              int places) {
  int64_t scale = 1;
  for (int i = 0; i < places; i++)
    scale *= 10;
  int64_t v = (num * scale * 2 + den) / (den * 2);
  const char *s = places
                      ? ew_arena_printf(j->ctx->arena, "%" PRId64 ".%0*" PRId64,
                                        v / scale, places, v % scale)
                      : ew_arena_printf(j->ctx->arena, "%" PRId64, v);
  if (!s)
    j->oom = 1;
  return s ? s : "";
}

/* A configured percent as a fraction, "0.20". */
static const char *percent_text(judgement *j, int64_t pct) {
  return ratio_text(j, pct, 100, 2);
}

/* 「2000.00元」 */
static const char *yuan(judgement *j, int64_t fen) {
  int64_t a = fen < 0 ? -fen : fen;
  const char *s =
      ew_arena_printf(j->ctx->arena, "%s%" PRId64 ".%02" PRId64 "元",
                      fen < 0 ? "-" : "", a / 100, a % 100);
  if (!s)
    j->oom = 1;
  return s ? s : "";
}

/* ---- the signals: numbers first, findings once all are known ---- */

typedef struct sig_a {
  int64_t from, months, cases, fines, within, m2;
  int64_t counts[36];
  int64_t n_q_s2; /* n * sum(c^2) - (sum c)^2 */
} sig_a;

static int cmp_fen(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

static int judge_a(judgement *j, sig_a *r) {
  const ew_rules_config *c = j->ctx->cfg;
  memset(r, 0, sizeof *r);
  r->from = window_from(j, c->r23a.window_months);
  r->months = j->end_month - r->from;
  if (r->months < c->r23a.min_months || r->months > 36)
    return 0;
  int64_t *fines = ew_arena_alloc(j->ctx->arena, (j->n + 1) * sizeof *fines);
  if (!fines) {
    j->oom = 1;
    return 0;
  }
  for (size_t i = 0; i < j->n; i++) {
    const dec *d = &j->v[i];
    if (d->month < r->from || d->month >= j->end_month)
      continue;
    r->counts[d->month - r->from]++;
    r->cases++;
    if (d->h.fine_fen > 0)
      fines[r->fines++] = d->h.fine_fen;
  }
  if (r->cases < c->r23a.min_cases || r->fines < c->r23a.min_cases)
    return 0;
  int64_t sq = 0;
  for (int64_t m = 0; m < r->months; m++)
    sq += r->counts[m] * r->counts[m];
  r->n_q_s2 = r->months * sq - r->cases * r->cases;
  int64_t cv = c->r23a.cv_max_percent;
  if (!(10000 * r->n_q_s2 < cv * cv * r->cases * r->cases))
    return 0;
  qsort(fines, (size_t)r->fines, sizeof *fines, cmp_fen);
  r->m2 = fines[(r->fines - 1) / 2] + fines[r->fines / 2];
  for (int64_t i = 0; i < r->fines; i++) {
    int64_t d = 2 * fines[i] - r->m2;
    if (100 * (d < 0 ? -d : d) <= c->r23a.band_percent * r->m2)
      r->within++;
  }
  return 100 * r->within >= c->r23a.share_min_percent * r->fines;
}

typedef struct sig_b {
  int64_t cases[3], amount[3];
  int64_t from; /* first month of the first year */
} sig_b;

/* 100 * to > (100 + pct) * from, without overflow for any amounts. */
static int grew(int64_t from, int64_t to, int64_t pct) {
  while (from > INT64_MAX / 20000 || to > INT64_MAX / 200) {
    from /= 2;
    to /= 2;
  }
  return 100 * to > (100 + pct) * from;
}

static int judge_b(judgement *j, sig_b *r) {
  const ew_rules_config *c = j->ctx->cfg;
  memset(r, 0, sizeof *r);
  r->from = j->end_month - B_YEARS_MONTHS;
  /* Complete: the agency's data begins before the three years. */
  if (j->first == EW_NONE || j->first >= month_start(r->from))
    return 0;
  for (size_t i = 0; i < j->n; i++) {
    const dec *d = &j->v[i];
    if (d->month < r->from || d->month >= j->end_month)
      continue;
    int y = (int)((d->month - r->from) / 12);
    r->cases[y]++;
    int64_t amt = d->h.fine_fen + d->h.confiscated_fen;
    if (amt > 0 && r->amount[y] <= INT64_MAX - amt)
      r->amount[y] += amt;
  }
  for (int y = 0; y < 3; y++)
    if (r->cases[y] < c->r23b.min_year_cases || r->amount[y] <= 0)
      return 0;
  int64_t g = c->r23b.growth_min_percent;
  return grew(r->amount[0], r->amount[1], g) &&
         grew(r->amount[1], r->amount[2], g);
}

typedef struct sig_c {
  int64_t from, cases, fined, judged, no_benchmark, at_max;
  const char **ids; /* the 顶格 decisions */
} sig_c;

static int judge_c(judgement *j, sig_c *r) {
  const ew_rule_ctx *ctx = j->ctx;
  const ew_rules_config *c = ctx->cfg;
  memset(r, 0, sizeof *r);
  r->from = window_from(j, c->r23c.window_months);
  r->ids = ew_arena_alloc(ctx->arena, (j->n + 1) * sizeof *r->ids);
  if (!r->ids) {
    j->oom = 1;
    return 0;
  }
  /* The benchmark is found as R10 finds it, from a penalty that carries
   * what history kept of the decision. */
  ew_record rec;
  ew_rule_ctx bctx = *ctx;
  memset(&rec, 0, sizeof rec);
  rec.kind = EW_REC_PENALTY;
  bctx.rec = &rec;
  bctx.window = NULL; /* another subject's history */
  for (size_t i = 0; i < j->n; i++) {
    const dec *d = &j->v[i];
    if (d->month < r->from || d->month >= j->end_month)
      continue;
    r->cases++;
    if (d->h.fine_fen <= 0)
      continue;
    r->fined++;
    ew_penalty_benchmark pb;
    rec.u.penalty.benchmark_id = d->h.benchmark_id;
    rec.u.penalty.violation_code = d->h.violation_code;
    rec.u.penalty.agency_uscc = j->agency;
    if (ew_penalty_benchmark_find(&bctx, &pb) < 0)
      return -1;
    if (!pb.bm || pb.bm->statutory_max_fen <= 0) {
      r->no_benchmark++;
      continue;
    }
    r->judged++;
    if (d->h.fine_fen >= pb.bm->statutory_max_fen)
      r->ids[r->at_max++] = d->h.decision_no;
  }
  return r->judged >= c->r23c.min_cases &&
         100 * r->at_max > c->r23c.share_max_percent * r->judged;
}

typedef struct region_n {
  char code[7];
  int64_t n;
} region_n;

typedef struct sig_d {
  int64_t from, cases, judged, elsewhere;
  const char *region;
  region_n regions[REGIONS_MAX];
  size_t nregions;
  int64_t other_regions; /* elsewhere, beyond REGIONS_MAX distinct codes */
  const char **ids;
} sig_d;

static int six_digits(const char *s) {
  for (int i = 0; i < 6; i++)
    if (s[i] < '0' || s[i] > '9')
      return 0;
  return 1;
}

/* Whether the registration region `code` lies within `area` (6 digits
 * each), by the level of `area`'s code. */
static int within_area(const char *code, const char *area) {
  size_t n = strncmp(area + 2, "0000", 4) == 0 ? 2
             : strncmp(area + 4, "00", 2) == 0 ? 4
                                               : 6;
  return strncmp(code, area, n) == 0;
}

static int judge_d(judgement *j, sig_d *r) {
  const ew_rule_ctx *ctx = j->ctx;
  const ew_rules_config *c = ctx->cfg;
  memset(r, 0, sizeof *r);
  r->from = window_from(j, c->r23d.window_months);
  r->region = ctx->agency ? ctx->agency->region_code : NULL;
  if (!r->region || strlen(r->region) != 6 || !six_digits(r->region))
    return 0;
  r->ids = ew_arena_alloc(ctx->arena, (j->n + 1) * sizeof *r->ids);
  if (!r->ids) {
    j->oom = 1;
    return 0;
  }
  for (size_t i = 0; i < j->n; i++) {
    const dec *d = &j->v[i];
    if (d->month < r->from || d->month >= j->end_month)
      continue;
    r->cases++;
    const char *u = d->h.enterprise_uscc;
    if (!u || strlen(u) < 8 || !six_digits(u + 2))
      continue;
    r->judged++;
    if (within_area(u + 2, r->region))
      continue;
    r->ids[r->elsewhere++] = d->h.decision_no;
    size_t k = 0;
    while (k < r->nregions && strncmp(r->regions[k].code, u + 2, 6) != 0)
      k++;
    if (k == r->nregions) {
      if (k == REGIONS_MAX) {
        r->other_regions++;
        continue;
      }
      memcpy(r->regions[k].code, u + 2, 6);
      r->regions[k].code[6] = '\0';
      r->nregions++;
    }
    r->regions[k].n++;
  }
  return r->judged >= c->r23d.min_cases &&
         100 * r->elsewhere > c->r23d.share_max_percent * r->judged;
}

/* The period kinds of (e): the last days of every month, of the months
 * that end a quarter, of December. */
enum { END_MONTH, END_QUARTER, END_YEAR, END_N };
static const char *const END_NAME[END_N] = {"month", "quarter", "year"};
static const char *const END_ZH[END_N] = {"月末", "季末", "年末"};

static int end_kind_has(int kind, int64_t month) {
  int m = (int)(month % 12);
  return kind == END_MONTH ? 1 : kind == END_QUARTER ? m % 3 == 2 : m == 11;
}

typedef struct sig_e {
  int64_t from, cases, days;
  int64_t end_cases[END_N], end_days[END_N];
  int over[END_N];
  const char **ids; /* decided in the last days of a month */
  int64_t nids;
} sig_e;

static int judge_e(judgement *j, sig_e *r) {
  const ew_rules_config *c = j->ctx->cfg;
  int64_t last = c->r23e.last_days;
  memset(r, 0, sizeof *r);
  r->from = window_from(j, c->r23e.window_months);
  if (r->from >= j->end_month)
    return 0;
  r->days = (j->end - month_start(r->from)) / EW_DAY_MS;
  for (int64_t m = r->from; m < j->end_month; m++)
    for (int k = 0; k < END_N; k++)
      if (end_kind_has(k, m))
        r->end_days[k] += last;
  r->ids = ew_arena_alloc(j->ctx->arena, (j->n + 1) * sizeof *r->ids);
  if (!r->ids) {
    j->oom = 1;
    return 0;
  }
  for (size_t i = 0; i < j->n; i++) {
    const dec *d = &j->v[i];
    if (d->month < r->from || d->month >= j->end_month)
      continue;
    r->cases++;
    if (d->h.decided_at < month_start(d->month + 1) - last * EW_DAY_MS)
      continue;
    r->ids[r->nids++] = d->h.decision_no;
    for (int k = 0; k < END_N; k++)
      if (end_kind_has(k, d->month))
        r->end_cases[k]++;
  }
  if (r->cases < c->r23e.min_cases || r->days <= 0)
    return 0;
  int any = 0;
  for (int k = 0; k < END_N; k++) {
    r->over[k] = r->end_days[k] > 0 &&
                 r->end_cases[k] >= c->r23e.min_end_cases &&
                 r->end_cases[k] * r->days * 100 >
                     c->r23e.ratio_max_percent * r->cases * r->end_days[k];
    any |= r->over[k];
  }
  return any;
}

typedef struct sig_f {
  const char **ids;
  size_t n, cap;
  uint32_t categories, findings;
  ew_time first;
  ew_arena *arena;
  const ew_rules_config *cfg;
  int oom;
} sig_f;

static int complaint_add(void *ud, const ew_hist_complaint *h) {
  sig_f *r = ud;
  if (h->category < 0 || h->category >= 32 || h->finding < 0 ||
      h->finding >= 32 || !(r->cfg->r23f.categories & (1u << h->category)) ||
      !(r->cfg->r23f.findings & (1u << h->finding)) || !h->complaint_id)
    return 0;
  const char **v =
      ew_rule_array_grow(r->arena, r->ids, r->n, &r->cap, sizeof *v);
  if (!v) {
    r->oom = 1;
    return 1;
  }
  r->ids = v;
  r->ids[r->n++] = h->complaint_id;
  r->categories |= 1u << h->category;
  r->findings |= 1u << h->finding;
  if (r->first == EW_NONE || h->concluded_at < r->first)
    r->first = h->concluded_at;
  return 0;
}

static int judge_f(judgement *j, sig_f *r) {
  const ew_rule_ctx *ctx = j->ctx;
  memset(r, 0, sizeof *r);
  r->first = EW_NONE;
  r->arena = ctx->arena;
  r->cfg = ctx->cfg;
  if (ew_store_hist_complaints_between(ctx->store, j->agency,
                                       month_start(j->q * 3), j->end - 1,
                                       ctx->arena, complaint_add, r) < 0)
    return -1;
  if (r->oom)
    j->oom = 1;
  return r->n > 0;
}

/* ---- findings ---- */

/* "A,B": the symbols of `e` whose bit is set. */
static const char *symbols(judgement *j, const ew_enum *e, uint32_t bits) {
  size_t len = 1;
  for (int i = 0; i < e->n && i < 32; i++)
    if (bits & (1u << i))
      len += strlen(e->symbols[i]) + 1;
  char *s = ew_arena_alloc(j->ctx->arena, len), *p = s;
  if (!s) {
    j->oom = 1;
    return "";
  }
  *p = '\0';
  for (int i = 0; i < e->n && i < 32; i++)
    if (bits & (1u << i))
      p += sprintf(p, "%s%s", p == s ? "" : ",", e->symbols[i]);
  return s;
}

static const char *signals_text(judgement *j) {
  size_t len = 1;
  for (int s = 0; s < SIG_N; s++)
    if (j->found[s])
      len += strlen(SIG_ID[s]) + 1;
  char *t = ew_arena_alloc(j->ctx->arena, len), *p = t;
  if (!t) {
    j->oom = 1;
    return "";
  }
  *p = '\0';
  for (int s = 0; s < SIG_N; s++)
    if (j->found[s])
      p += sprintf(p, "%s%s", p == t ? "" : ",", SIG_ID[s]);
  return t;
}

/* "1,2,3" of `n` counts. */
static const char *counts_text(judgement *j, const int64_t *v, int64_t n) {
  char *s = ew_arena_alloc(j->ctx->arena, (size_t)n * 21 + 1), *p = s;
  if (!s) {
    j->oom = 1;
    return "";
  }
  *p = '\0';
  for (int64_t i = 0; i < n; i++)
    p += sprintf(p, "%s%" PRId64, i ? "," : "", v[i]);
  return s;
}

/* The severity of signal `s` given how many the agency has. */
static int severity_of(const judgement *j, int s) {
  const ew_rules_config *c = j->ctx->cfg;
  int sev = sig_common(c, s)->severity, multi = sev;
  int64_t need = INT64_MAX;
  switch (s) {
  case SIG_A:
    multi = c->r23a.severity_multi, need = c->r23a.multi_signals;
    break;
  case SIG_B:
    multi = c->r23b.severity_multi, need = c->r23b.multi_signals;
    break;
  case SIG_C:
    multi = c->r23c.severity_multi, need = c->r23c.multi_signals;
    break;
  case SIG_D:
    multi = c->r23d.severity_multi, need = c->r23d.multi_signals;
    break;
  case SIG_E:
    multi = c->r23e.severity_multi, need = c->r23e.multi_signals;
    break;
  default:
    break;
  }
  return j->nfound >= need && multi > sev ? multi : sev;
}

/* Starts the finding of signal `s`: the quarter's end as detected_at, the
 * decisions `ids` (or complaints) as evidence instead of the event that
 * caused the judgement. */
static ew_alert_builder *begin(judgement *j, int s) {
  ew_alert_builder *b = ew_finding_add(j->ctx, j->out, SIG_ID[s], NULL,
                                       severity_of(j, s), LEGAL_BASIS);
  if (!b)
    return NULL;
  b->alert.detected_at = j->end;
  b->alert.evidence_event_ids.n = 0;
  return b;
}

static int finish(judgement *j, ew_alert_builder *b, ew_rkind kind,
                  const char *const *ids, size_t n) {
  ew_alert_fact(b, "signals", "%s", signals_text(j));
  if (ew_window_evidence(j->ctx, b, kind, ids, n) < 0)
    return -1;
  if (b->oom)
    j->out->oom = 1;
  return 0;
}

static const char *quarter_zh(judgement *j) {
  const char *s = ew_arena_printf(j->ctx->arena, "%d年第%d季度",
                                  (int)(j->q / 4), (int)(j->q % 4) + 1);
  if (!s)
    j->oom = 1;
  return s ? s : "";
}

static int add_a(judgement *j, const sig_a *r) {
  const ew_rules_config *c = j->ctx->cfg;
  ew_alert_builder *b = begin(j, SIG_A);
  if (!b)
    return 0;
  double cv = r->cases ? sqrt((double)r->n_q_s2) / (double)r->cases : 0;
  ew_alert_fact(b, "window", "%s", window_text(j, r->from));
  ew_alert_fact(b, "months", "%" PRId64, r->months);
  ew_alert_fact(b, "min_months", "%" PRId64, c->r23a.min_months);
  ew_alert_fact(b, "cases", "%" PRId64, r->cases);
  ew_alert_fact(b, "min_cases", "%" PRId64, c->r23a.min_cases);
  ew_alert_fact(b, "monthly_counts", "%s",
                counts_text(j, r->counts, r->months));
  ew_alert_fact(b, "cv", "%.3f", cv);
  ew_alert_fact(b, "cv_max", "%s", percent_text(j, c->r23a.cv_max_percent));
  ew_alert_fact(b, "fines", "%" PRId64, r->fines);
  ew_alert_fact(b, "median_fen", "%" PRId64, r->m2 / 2);
  ew_alert_fact(b, "band", "%s", percent_text(j, c->r23a.band_percent));
  ew_alert_fact(b, "within_band", "%" PRId64, r->within);
  ew_alert_fact(b, "within_band_share", "%s",
                ratio_text(j, r->within, r->fines, 3));
  ew_alert_fact(b, "share_min", "%s",
                percent_text(j, c->r23a.share_min_percent));
  ew_alert_message(b,
                   "%s%s每月办案数高度均衡（%" PRId64
                   "件，变异系数%.3f，低于%s），且%" PRId64 "件罚款中%" PRId64
                   "件集中在中位数%s上下%" PRId64
                   "%%以内，呈“整齐化”特征，可能存在罚没指标，请核查。",
                   j->ctx->agency_label, window_zh(j, r->from), r->cases, cv,
                   percent_text(j, c->r23a.cv_max_percent), r->fines, r->within,
                   yuan(j, r->m2 / 2), c->r23a.band_percent);
  const char **ids = ew_arena_alloc(j->ctx->arena, (j->n + 1) * sizeof *ids);
  size_t n = 0;
  if (!ids) {
    j->oom = 1;
    return 0;
  }
  for (size_t i = 0; i < j->n; i++)
    if (j->v[i].month >= r->from && j->v[i].month < j->end_month)
      ids[n++] = j->v[i].h.decision_no;
  return finish(j, b, EW_REC_PENALTY, ids, n);
}

static int add_b(judgement *j, const sig_b *r) {
  const ew_rules_config *c = j->ctx->cfg;
  ew_alert_builder *b = begin(j, SIG_B);
  if (!b)
    return 0;
  const char *y[3], *g[2];
  char first[11];
  for (int i = 0; i < 3; i++) {
    const char *from = month_text(j->ctx->arena, r->from + 12 * i);
    const char *to = month_text(j->ctx->arena, r->from + 12 * i + 11);
    y[i] =
        from && to ? ew_arena_printf(j->ctx->arena, "%s..%s", from, to) : NULL;
    if (!y[i]) {
      j->oom = 1;
      y[i] = "";
    }
  }
  for (int i = 0; i < 2; i++)
    g[i] = ratio_text(j, r->amount[i + 1] - r->amount[i], r->amount[i], 3);
  ew_alert_fact(b, "years", "%s,%s,%s", y[0], y[1], y[2]);
  ew_alert_fact(b, "cases", "%" PRId64 ",%" PRId64 ",%" PRId64, r->cases[0],
                r->cases[1], r->cases[2]);
  ew_alert_fact(b, "min_year_cases", "%" PRId64, c->r23b.min_year_cases);
  ew_alert_fact(b, "amounts_fen", "%" PRId64 ",%" PRId64 ",%" PRId64,
                r->amount[0], r->amount[1], r->amount[2]);
  ew_alert_fact(b, "growth", "%s,%s", g[0], g[1]);
  ew_alert_fact(b, "growth_min", "%s",
                percent_text(j, c->r23b.growth_min_percent));
  ew_alert_fact(b, "data_from", "%s", ew_time_date(j->first, first));
  ew_alert_message(
      b,
      "%s罚没收入连续两年同比增长超过%" PRId64
      "%%（%s、%s、%s，增幅%s、%s），请核查是否存在罚没指标或"
      "与考核挂钩。",
      j->ctx->agency_label, c->r23b.growth_min_percent, yuan(j, r->amount[0]),
      yuan(j, r->amount[1]), yuan(j, r->amount[2]),
      ratio_text(j, 100 * (r->amount[1] - r->amount[0]), r->amount[0], 1),
      ratio_text(j, 100 * (r->amount[2] - r->amount[1]), r->amount[1], 1));
  return finish(j, b, EW_REC_PENALTY, NULL, 0);
}

static int add_c(judgement *j, const sig_c *r) {
  const ew_rules_config *c = j->ctx->cfg;
  ew_alert_builder *b = begin(j, SIG_C);
  if (!b)
    return 0;
  ew_alert_fact(b, "window", "%s", window_text(j, r->from));
  ew_alert_fact(b, "cases", "%" PRId64, r->cases);
  ew_alert_fact(b, "fined", "%" PRId64, r->fined);
  ew_alert_fact(b, "judged", "%" PRId64, r->judged);
  ew_alert_fact(b, "no_benchmark", "%" PRId64, r->no_benchmark);
  ew_alert_fact(b, "min_cases", "%" PRId64, c->r23c.min_cases);
  ew_alert_fact(b, "at_max", "%" PRId64, r->at_max);
  ew_alert_fact(b, "share", "%s", ratio_text(j, r->at_max, r->judged, 3));
  ew_alert_fact(b, "share_max", "%s",
                percent_text(j, c->r23c.share_max_percent));
  ew_alert_message(b,
                   "%s%s对照裁量基准的%" PRId64 "件罚款中有%" PRId64
                   "件按法定上限顶格处罚（占%s%%，超过%" PRId64
                   "%%），请核查是否存在以罚增收。",
                   j->ctx->agency_label, window_zh(j, r->from), r->judged,
                   r->at_max, ratio_text(j, 100 * r->at_max, r->judged, 1),
                   c->r23c.share_max_percent);
  return finish(j, b, EW_REC_PENALTY, r->ids, (size_t)r->at_max);
}

static int cmp_region(const void *a, const void *b) {
  const region_n *x = a, *y = b;
  if (x->n != y->n)
    return x->n < y->n ? 1 : -1;
  return strcmp(x->code, y->code);
}

static int add_d(judgement *j, sig_d *r) {
  const ew_rules_config *c = j->ctx->cfg;
  ew_alert_builder *b = begin(j, SIG_D);
  if (!b)
    return 0;
  qsort(r->regions, r->nregions, sizeof *r->regions, cmp_region);
  char regions[REGIONS_SHOWN * 28 + 8], *p = regions;
  *p = '\0';
  for (size_t i = 0; i < r->nregions && i < REGIONS_SHOWN; i++)
    p += sprintf(p, "%s%s:%" PRId64, i ? "," : "", r->regions[i].code,
                 r->regions[i].n);
  if (r->nregions > REGIONS_SHOWN || r->other_regions)
    strcpy(p, ",...");
  ew_alert_fact(b, "window", "%s", window_text(j, r->from));
  ew_alert_fact(b, "cases", "%" PRId64, r->cases);
  ew_alert_fact(b, "judged", "%" PRId64, r->judged);
  ew_alert_fact(b, "min_cases", "%" PRId64, c->r23d.min_cases);
  ew_alert_fact(b, "elsewhere", "%" PRId64, r->elsewhere);
  ew_alert_fact(b, "share", "%s", ratio_text(j, r->elsewhere, r->judged, 3));
  ew_alert_fact(b, "share_max", "%s",
                percent_text(j, c->r23d.share_max_percent));
  ew_alert_fact(b, "agency_region", "%s", r->region);
  ew_alert_fact(b, "regions", "%s", regions);
  ew_alert_message(b,
                   "%s%s的%" PRId64 "件处罚决定中有%" PRId64
                   "件针对登记地在本辖区（%s）以外的企业（占%s%%，超过%" PRId64
                   "%%），存在大量异地执法迹象，请核查。",
                   j->ctx->agency_label, window_zh(j, r->from), r->judged,
                   r->elsewhere, r->region,
                   ratio_text(j, 100 * r->elsewhere, r->judged, 1),
                   c->r23d.share_max_percent);
  return finish(j, b, EW_REC_PENALTY, r->ids, (size_t)r->elsewhere);
}

static int add_e(judgement *j, const sig_e *r) {
  const ew_rules_config *c = j->ctx->cfg;
  ew_alert_builder *b = begin(j, SIG_E);
  if (!b)
    return 0;
  char periods[32] = "", zh[32] = "";
  int64_t wn = 0, wd = 1; /* the highest ratio exceeding, for the message */
  for (int k = 0; k < END_N; k++) {
    if (!r->over[k])
      continue;
    snprintf(periods + strlen(periods), sizeof periods - strlen(periods),
             "%s%s", *periods ? "," : "", END_NAME[k]);
    snprintf(zh + strlen(zh), sizeof zh - strlen(zh), "%s%s", *zh ? "、" : "",
             END_ZH[k]);
    int64_t n = r->end_cases[k] * r->days, d = r->cases * r->end_days[k];
    if (n * wd > wn * d) {
      wn = n;
      wd = d;
    }
  }
  ew_alert_fact(b, "window", "%s", window_text(j, r->from));
  ew_alert_fact(b, "days", "%" PRId64, r->days);
  ew_alert_fact(b, "cases", "%" PRId64, r->cases);
  ew_alert_fact(b, "min_cases", "%" PRId64, c->r23e.min_cases);
  ew_alert_fact(b, "last_days", "%" PRId64, c->r23e.last_days);
  for (int k = 0; k < END_N; k++) {
    if (!r->end_days[k])
      continue;
    char key[32];
    snprintf(key, sizeof key, "%s_end_cases", END_NAME[k]);
    ew_alert_fact(b, key, "%" PRId64, r->end_cases[k]);
    snprintf(key, sizeof key, "%s_end_days", END_NAME[k]);
    ew_alert_fact(b, key, "%" PRId64, r->end_days[k]);
    snprintf(key, sizeof key, "%s_end_ratio", END_NAME[k]);
    ew_alert_fact(
        b, key, "%s",
        ratio_text(j, r->end_cases[k] * r->days, r->cases * r->end_days[k], 2));
  }
  ew_alert_fact(b, "ratio_max", "%s",
                percent_text(j, c->r23e.ratio_max_percent));
  ew_alert_fact(b, "min_end_cases", "%" PRId64, c->r23e.min_end_cases);
  ew_alert_fact(b, "periods", "%s", periods);
  ew_alert_message(b,
                   "%s%s在%s最后%" PRId64
                   "日集中办案，日均办案数达到全期日均的%s倍（超过%s倍），"
                   "存在突击执法迹象，请核查。",
                   j->ctx->agency_label, window_zh(j, r->from), zh,
                   c->r23e.last_days, ratio_text(j, wn, wd, 2),
                   ratio_text(j, c->r23e.ratio_max_percent, 100, 2));
  return finish(j, b, EW_REC_PENALTY, r->ids, (size_t)r->nids);
}

static int add_f(judgement *j, const sig_f *r) {
  ew_alert_builder *b = begin(j, SIG_F);
  if (!b)
    return 0;
  char first[EW_TIME_BUFSZ];
  b->alert.detected_at = r->first;
  const char *ids = ew_window_ids(j->ctx, j->out, r->ids, r->n);
  ew_alert_fact(b, "complaints", "%s", ids);
  ew_alert_fact(b, "categories", "%s",
                symbols(j, &ew_enum_category, r->categories));
  ew_alert_fact(b, "findings", "%s", symbols(j, &ew_enum_finding, r->findings));
  ew_alert_fact(b, "first_concluded_at", "%s", ew_time_format(r->first, first));
  ew_alert_message(b,
                   "投诉举报%s%s经查属实，%s%s存在趋利性执法、下达或变相下达"
                   "罚没指标的问题，请核查并依法处理。",
                   r->ids[0], r->n > 1 ? "等" : "", j->ctx->agency_label,
                   quarter_zh(j));
  return finish(j, b, EW_REC_COMPLAINT, r->ids, r->n);
}

/* ---- the family's one computation ---- */

static int judge(const ew_rule_ctx *ctx, ew_findings *out) {
  const ew_rules_config *c = ctx->cfg;
  const char *slash;
  judgement j;
  memset(&j, 0, sizeof j);
  if (ctx->subject_type != EW_SUBJ_AGENCY || ctx->rec->kind != EW_REC_AGENCY ||
      !ctx->agency_uscc || !ctx->subject_id ||
      !(slash = strrchr(ctx->subject_id, '/')) ||
      ew_r23_quarter_parse(slash + 1, &j.q) < 0)
    return 0; /* R01's (agency, year) subjects */
  j.ctx = ctx;
  j.out = out;
  j.agency = ctx->agency_uscc;
  j.end = ew_r23_quarter_end(j.q);
  j.end_month = (j.q + 1) * 3;

  sig_a a = {0};
  sig_b bsig = {0};
  sig_c csig = {0};
  sig_d d = {0};
  sig_e e = {0};
  sig_f f = {0};
  int64_t span = ew_r23_span_months(c);
  /* (a)-(e) speak once the quarter is over; until then the engine is
   * asked to judge it at its end. */
  if (span > 0 && ew_deadline_passed(ctx, out, j.end - 1)) {
    if (data_start(&j) < 0 ||
        ew_store_hist_decisions_between(ctx->store, j.agency,
                                        month_start(j.end_month - span),
                                        j.end - 1, ctx->arena, collect, &j) < 0)
      return -1;
    if (j.oom) {
      out->oom = 1;
      return 0;
    }
    j.found[SIG_A] = sig_on(c, SIG_A) && judge_a(&j, &a);
    j.found[SIG_B] = sig_on(c, SIG_B) && judge_b(&j, &bsig);
    if (sig_on(c, SIG_C) && (j.found[SIG_C] = judge_c(&j, &csig)) < 0)
      return -1;
    j.found[SIG_D] = sig_on(c, SIG_D) && judge_d(&j, &d);
    j.found[SIG_E] = sig_on(c, SIG_E) && judge_e(&j, &e);
  }
  if (sig_on(c, SIG_F) && (j.found[SIG_F] = judge_f(&j, &f)) < 0)
    return -1;
  for (int s = 0; s < SIG_N; s++)
    j.nfound += j.found[s];
  if (!j.oom && ((j.found[SIG_A] && add_a(&j, &a) < 0) ||
                 (j.found[SIG_B] && add_b(&j, &bsig) < 0) ||
                 (j.found[SIG_C] && add_c(&j, &csig) < 0) ||
                 (j.found[SIG_D] && add_d(&j, &d) < 0) ||
                 (j.found[SIG_E] && add_e(&j, &e) < 0) ||
                 (j.found[SIG_F] && add_f(&j, &f) < 0)))
    return -1;
  if (j.oom)
    out->oom = 1;
  return 0;
}

/* The first enabled signal of the family judges for all of them. */
static int family(const ew_rule_ctx *ctx, ew_findings *out, int s) {
  for (int i = 0; i < s; i++)
    if (sig_on(ctx->cfg, i))
      return 0;
  return judge(ctx, out);
}

int ew_rule_r23a(const ew_rule_ctx *ctx, ew_findings *out) {
  return family(ctx, out, SIG_A);
}
int ew_rule_r23b(const ew_rule_ctx *ctx, ew_findings *out) {
  return family(ctx, out, SIG_B);
}
int ew_rule_r23c(const ew_rule_ctx *ctx, ew_findings *out) {
  return family(ctx, out, SIG_C);
}
int ew_rule_r23d(const ew_rule_ctx *ctx, ew_findings *out) {
  return family(ctx, out, SIG_D);
}
int ew_rule_r23e(const ew_rule_ctx *ctx, ew_findings *out) {
  return family(ctx, out, SIG_E);
}
int ew_rule_r23f(const ew_rule_ctx *ctx, ew_findings *out) {
  return family(ctx, out, SIG_F);
}
