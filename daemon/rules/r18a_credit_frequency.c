/*
 * r18a_credit_frequency.c - R18a 信用分级分类检查频次 (¶10 「针对不同风险等级、
 * 信用水平的企业…合理确定、动态调整抽查检查比例、频次」): one agency checked
 * one enterprise more often than the cap of its credit grade allows.
 *
 * Caps [P] after Daqing [S16], from the config: grade A max_a checks per
 * months_a months (1 per 24), B max_b per months_b (1 per 12), C max_c per
 * months_c (2 per 12), D no cap. Counted: STARTED and ENDED inspections
 * whose check_class is in counted_classes (ROUTINE) and whose trigger is
 * not in exempt_triggers (个案: complaint, case, assignment, request,
 * licensing, data monitoring), by the subject's agency, placed and ordered
 * as every window rule does (r19_repeated_inspections.c: `at` = ended_at,
 * else started_at, else event_time; (at, inspection_id) order; only the
 * checks before the subject). The period is calendar months in
 * Asia/Shanghai back from the subject's time, the day clamped to the end of
 * a shorter month; a check exactly months_x months before is outside it
 * (the period has run out: a check on the same date two years later is the
 * first of a new period).
 *
 * Fires (MEDIUM) on every counted check whose number in its period,
 * itself included, exceeds the cap: each is a check beyond what the grade
 * allows.
 *
 * The grade is the enterprise's credit_grade record as on file when the
 * subject is judged (the contract keeps one grade per enterprise, not a
 * history). No grade on file: silent. The cap depends on the grade, and
 * assuming one would either flood low-risk caps onto unknown enterprises or
 * let every check pass; the frequency of checks on ungraded enterprises is
 * for R19a/R19d, which need no grade. A grade that arrives or changes later
 * is used the next time the enterprise's checks are judged.
 *
 * Facts: credit_grade, credit_grade_as_of, inspections (with this one),
 * maximum, months, earlier (ids). No window start: it would follow the
 * subject's `at`, which moves from started_at to ended_at when the check
 * ends, and re-emit the alert for nothing.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../ewtime.h"
#include "rules.h"

#define LEGAL_BASIS "临州办发〔2023〕18号 ¶10"

/* `t` minus `months` calendar months in Asia/Shanghai, at the same time of
 * day; the day is clamped to the last day of a shorter month. */
static ew_time months_before(ew_time t, int64_t months) {
  char date[16];
  int y, m, d;
  ew_time_date(t, date);
  if (sscanf(date, "%d-%d-%d", &y, &m, &d) != 3)
    return t;
  ew_time tod = t - ew_time_from_civil(y, m, d);
  int tm = m - (int)months; /* months is bounded by the config table */
  ew_time first = ew_time_from_civil(y, tm, 1);
  int64_t dim = (ew_time_from_civil(y, tm + 1, 1) - first) / EW_DAY_MS;
  return first + ((d < dim ? d : dim) - 1) * EW_DAY_MS + tod;
}

int ew_rule_r18a(const ew_rule_ctx *ctx, ew_findings *out) {
  if (ctx->rec->kind != EW_REC_INSPECTION)
    return 0;
  const ew_inspection *in = &ctx->rec->u.inspection;
  uint32_t classes = ctx->cfg->r18a.counted_classes;
  uint32_t exempt = ctx->cfg->r18a.exempt_triggers;
  if ((in->status != EW_INSP_STARTED && in->status != EW_INSP_ENDED) ||
      !in->agency_uscc || !in->enterprise_uscc || !in->inspection_id ||
      !ew_window_counted(in->check_class, in->trigger_type, classes, exempt))
    return 0;

  const ew_record *cg;
  if (ew_store_ref_get(ctx->store, EW_REC_CREDIT_GRADE, in->enterprise_uscc,
                       &cg) < 0)
    return -1;
  if (!cg) /* no grade on file: see the top of the file */
    return 0;
  int grade = cg->u.credit_grade.grade;
  ew_time as_of = cg->u.credit_grade.as_of;
  int64_t max, months;
  switch (grade) {
  case EW_GRADE_A:
    max = ctx->cfg->r18a.max_a;
    months = ctx->cfg->r18a.months_a;
    break;
  case EW_GRADE_B:
    max = ctx->cfg->r18a.max_b;
    months = ctx->cfg->r18a.months_b;
    break;
  case EW_GRADE_C:
    max = ctx->cfg->r18a.max_c;
    months = ctx->cfg->r18a.months_c;
    break;
  default: /* D: no cap */
    return 0;
  }

  ew_time at = ew_inspection_at(in);
  ew_time from = months_before(at, months) + 1;
  ew_window_rows rows;
  if (ew_window_earlier(ctx, from, out, &rows) < 0)
    return -1;
  size_t k = 0;
  for (size_t i = 0; i < rows.n; i++) {
    const ew_hist_inspection *h = &rows.v[i];
    if (h->agency_uscc && strcmp(h->agency_uscc, in->agency_uscc) == 0 &&
        ew_window_counted(h->check_class, h->trigger_type, classes, exempt))
      rows.v[k++] = *h;
  }
  rows.n = k;
  if ((int64_t)rows.n + 1 <= max)
    return 0;

  ew_alert_builder *b = ew_finding_add(ctx, out, "R18a", "",
                                       ctx->cfg->r18a.c.severity, LEGAL_BASIS);
  if (!b)
    return 0;
  const char **ids = ew_arena_alloc(ctx->arena, (rows.n + 1) * sizeof *ids);
  if (!ids) {
    out->oom = 1;
    return 0;
  }
  for (size_t i = 0; i < rows.n; i++)
    ids[i] = rows.v[i].inspection_id;
  const char *sym = ew_sym(&ew_enum_credit_grade, grade);
  char t[EW_TIME_BUFSZ];
  ew_alert_fact(b, "credit_grade", "%s", sym);
  ew_alert_fact(b, "credit_grade_as_of", "%s",
                as_of == EW_NONE ? "none" : ew_time_format(as_of, t));
  ew_alert_fact(b, "inspections", "%zu", rows.n + 1);
  ew_alert_fact(b, "maximum", "%" PRId64, max);
  ew_alert_fact(b, "months", "%" PRId64, months);
  ew_alert_fact(b, "earlier", "%s", ew_window_ids(ctx, out, ids, rows.n));
  if (ew_window_evidence(ctx, b, EW_REC_INSPECTION, ids, rows.n) < 0)
    return -1;
  if (rows.n)
    ew_alert_message(b,
                     "%s是该部门%" PRId64 "个月内对该企业（信用风险分类%s类）"
                     "的第%zu次日常检查（此前%zu次：%s%s），超过每%" PRId64
                     "个月%" PRId64 "次的频次上限。",
                     ew_rule_phrase(ctx, out), months, sym, rows.n + 1, rows.n,
                     ids[0], rows.n > 1 ? "等" : "", months, max);
  else /* max_a etc. may be configured 0: no routine check at all */
    ew_alert_message(
        b,
        "%s是对信用风险分类%s类企业的日常检查，而该类企业每%" PRId64
        "个月的日常检查上限为0次。",
        ew_rule_phrase(ctx, out), sym, months);
  if (b->oom)
    out->oom = 1;
  return 0;
}
