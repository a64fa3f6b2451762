/*
 * r15_compulsion.c - R15 行政强制审慎: a compulsory measure (查封、扣押、
 * 强制执行) on a low-risk enterprise without a soft measure first (¶7
 * 「采用非强制性手段能够达到行政管理目的的，不得实施行政强制」; 行政强制法
 * 第5条). An advisory (LOW, no notice): compulsion may be lawful, the
 * supervisor is asked to look.
 *
 * Judged on decisions (decided_at set, not withdrawn) with compulsory_measures.
 * Fires when all hold:
 *   - the enterprise's credit_grade record has a grade in the configured
 *     grades (default A, B: low credit risk);
 *   - the same agency has no inspection of the enterprise with a soft
 *     measure (soft_measures non-empty, or result RECTIFICATION_ORDERED or
 *     GUIDANCE_GIVEN) whose time (ended_at, else started_at) lies in
 *     [decided_at - soft_lookback_days, decided_at]. The same agency,
 *     because ¶7 asks the agency that compels whether its own gentler means
 *     would have done; another department's guidance on another matter
 *     says nothing about that;
 *   - no factor_code of the decision is a configured urgency factor.
 * No credit grade on file: not fired. R15 is about A/B enterprises only, and
 * without a grade the enterprise cannot be said to be one; assuming a grade
 * would raise advisories on enterprises that may well be high-risk (C/D),
 * where compulsion is the expected tool. When the grade record arrives,
 * the decision's next snapshot is judged with it.
 *
 * Facts: credit_grade, credit_grade_as_of, grades (the configured ones),
 * compulsory_measures, soft_measure (none), soft_measure_agency (same),
 * soft_lookback_days, factor_codes (or none), urgency_factors (the
 * configured ones, or none).
 *
 * Order: soft measures are inspections, another topic than penalties, so
 * the daemon may see a decision before an inspection that preceded it in
 * time. A soft measure that arrives after the decision's last snapshot
 * does not withdraw an R15 finding.
 */
#include <inttypes.h>
#include <stdio.h>

#include "../ewtime.h"
#include "rules.h"

#define LEGAL_BASIS "临州办发〔2023〕18号 ¶7；行政强制法第5条"

/* Joins the symbols of `v` with ',' into `buf`; "none" when empty. */
static const char *join_enums(char *buf, size_t size, const ew_enum *e,
                              ew_enumv v) {
  size_t len = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < v.n && len < size; i++)
    len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "," : "",
                            ew_sym(e, v.v[i]));
  return len ? buf : "none";
}

/* Joins the configured strings; "none" when empty. */
static const char *join_list(const ew_rule_ctx *ctx, const ew_strlist *l,
                             ew_findings *out) {
  const char *s = "";
  for (size_t i = 0; i < l->n && s; i++)
    s = ew_arena_printf(ctx->arena, "%s%s%s", s, i ? "," : "", l->v[i]);
  if (!s) {
    out->oom = 1;
    return "";
  }
  return *s ? s : "none";
}

static const char *join_strv(const ew_rule_ctx *ctx, ew_strv v,
                             ew_findings *out) {
  const char *s = "";
  for (size_t i = 0; i < v.n && s; i++)
    s = ew_arena_printf(ctx->arena, "%s%s%s", s, *s ? "," : "",
                        v.v[i] ? v.v[i] : "");
  if (!s) {
    out->oom = 1;
    return "";
  }
  return *s ? s : "none";
}

static const char *grades_text(char *buf, size_t size, uint32_t grades) {
  size_t len = 0;
  buf[0] = '\0';
  for (int g = 0; g < ew_enum_credit_grade.n && g < 32 && len < size; g++)
    if (grades & (1u << g))
      len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "," : "",
                              ew_enum_credit_grade.symbols[g]);
  return len ? buf : "none";
}

int ew_rule_r15(const ew_rule_ctx *ctx, ew_findings *out) {
  if (ctx->rec->kind != EW_REC_PENALTY)
    return 0;
  const ew_penalty *p = &ctx->rec->u.penalty;
  if (p->decided_at == EW_NONE || p->withdrawn_at != EW_NONE ||
      p->compulsory_measures.n == 0 || !p->enterprise_uscc)
    return 0;

  const ew_record *cg;
  if (ew_store_ref_get(ctx->store, EW_REC_CREDIT_GRADE, p->enterprise_uscc,
                       &cg) < 0)
    return -1;
  if (!cg) /* credit_grade=not_on_file: see the top of the file */
    return 0;
  int grade = cg->u.credit_grade.grade;
  uint32_t grades = ctx->cfg->r15.grades;
  if (grade < 0 || grade >= 32 || !(grades & (1u << grade)))
    return 0;

  for (size_t i = 0; i < p->factor_codes.n; i++)
    if (p->factor_codes.v[i] &&
        ew_strlist_has(&ctx->cfg->r15.urgency_factors, p->factor_codes.v[i]))
      return 0;

  int64_t days = ctx->cfg->r15.soft_lookback_days;
  ew_time span = days * EW_DAY_MS; /* days is bounded by the config table */
  ew_time from =
      p->decided_at > INT64_MIN + span ? p->decided_at - span : INT64_MIN;
  ew_hist_inspection soft;
  int found;
  if (ew_store_hist_soft_measure(ctx->store, p->enterprise_uscc,
                                 ctx->agency_uscc, from, p->decided_at,
                                 ctx->arena, &soft, &found) < 0)
    return -1;
  if (found)
    return 0;

  ew_alert_builder *b = ew_finding_add(ctx, out, "R15", "",
                                       ctx->cfg->r15.c.severity, LEGAL_BASIS);
  if (!b)
    return 0;
  char measures[128], gl[64], t[EW_TIME_BUFSZ];
  const char *grade_sym = ew_sym(&ew_enum_credit_grade, grade);
  ew_alert_fact(b, "credit_grade", "%s", grade_sym);
  ew_alert_fact(b, "credit_grade_as_of", "%s",
                cg->u.credit_grade.as_of == EW_NONE
                    ? "none"
                    : ew_time_format(cg->u.credit_grade.as_of, t));
  ew_alert_fact(b, "grades", "%s", grades_text(gl, sizeof gl, grades));
  ew_alert_fact(b, "compulsory_measures", "%s",
                join_enums(measures, sizeof measures,
                           &ew_enum_compulsory_measure,
                           p->compulsory_measures));
  ew_alert_fact(b, "soft_measure", "none");
  ew_alert_fact(b, "soft_measure_agency", "same");
  ew_alert_fact(b, "soft_lookback_days", "%" PRId64, days);
  ew_alert_fact(b, "factor_codes", "%s", join_strv(ctx, p->factor_codes, out));
  ew_alert_fact(b, "urgency_factors", "%s",
                join_list(ctx, &ctx->cfg->r15.urgency_factors, out));
  ew_alert_message(b,
                   "%s采取了行政强制措施，而该企业信用等级为%s，此前%" PRId64
                   "日内该部门未对其采取责令改正、行政指导等非强制性手段，"
                   "也未载明紧急情形。",
                   ew_rule_phrase(ctx, out), grade_sym, days);
  if (b->oom)
    out->oom = 1;
  return 0;
}
