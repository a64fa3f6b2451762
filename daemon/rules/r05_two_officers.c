/*
 * r05_two_officers.c - R05 执法人员少于2人: an on-site inspection (or a
 * GENERAL/HEARING penalty, when configured) with fewer than min_officers
 * distinct officers holding a valid certificate (¶3; 行政处罚法第42条).
 *
 * Facts: officers_listed (distinct ids), officers_certified, minimum, and
 * officer.<id>=<problem> for each officer whose certificate does not count,
 * so that a missing record reads cert_not_found instead of being guessed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "rules.h"

#define LEGAL_BASIS "临州办发〔2023〕18号 ¶3；行政处罚法第42条"

typedef struct officer_result {
  const char *officer_id;
  ew_cert_problem problem;
} officer_result;

static int applies(const ew_rule_ctx *ctx) {
  const ew_record *r = ctx->rec;
  if (r->kind == EW_REC_INSPECTION) {
    const ew_inspection *in = &r->u.inspection;
    return (in->status == EW_INSP_STARTED || in->status == EW_INSP_ENDED) &&
           in->mode == EW_MODE_ON_SITE;
  }
  if (r->kind == EW_REC_PENALTY)
    return ctx->cfg->r05.apply_to_penalties &&
           r->u.penalty.procedure != EW_PROC_SIMPLE;
  return 0;
}

int ew_rule_r05(const ew_rule_ctx *ctx, ew_findings *out) {
  ew_officers of;
  ew_cert_scope sc;
  if (!applies(ctx) || ew_rule_officers(ctx, &of) < 0)
    return 0;
  if (ew_cert_scope_init(ctx, &sc, out) < 0)
    return -1;
  officer_result *res =
      of.n ? ew_arena_alloc(ctx->arena, of.n * sizeof *res) : NULL;
  if (of.n && !res) {
    out->oom = 1;
    return 0;
  }
  size_t listed = 0, certified = 0;
  for (size_t i = 0; i < of.n; i++) {
    const char *id = of.v[i].officer_id;
    int seen = 0;
    for (size_t j = 0; j < i && !seen; j++)
      seen = id && of.v[j].officer_id && strcmp(of.v[j].officer_id, id) == 0;
    if (!id || seen)
      continue;
    /* An officer listed twice counts once, and counts as certified if any
     * of the listings presents a valid certificate. */
    ew_cert_problem best = EW_CP_MISSING;
    int first = 1;
    for (size_t j = i; j < of.n && best != EW_CP_OK; j++) {
      ew_cert_problem p;
      if (!of.v[j].officer_id || strcmp(of.v[j].officer_id, id) != 0)
        continue;
      if (ew_cert_check(ctx, &sc, &of.v[j], of.at, &p) < 0)
        return -1;
      if (first || p == EW_CP_OK)
        best = p;
      first = 0;
    }
    res[listed].officer_id = id;
    res[listed].problem = best;
    listed++;
    certified += best == EW_CP_OK;
  }
  int64_t minimum = ctx->cfg->r05.min_officers;
  if ((int64_t)certified >= minimum)
    return 0;

  ew_alert_builder *b = ew_finding_add(ctx, out, "R05", "",
                                       ctx->cfg->r05.c.severity, LEGAL_BASIS);
  if (!b)
    return 0;
  ew_alert_fact(b, "officers_listed", "%zu", listed);
  ew_alert_fact(b, "officers_certified", "%zu", certified);
  ew_alert_fact(b, "minimum", "%" PRId64, minimum);
  for (size_t i = 0; i < listed; i++) {
    if (res[i].problem == EW_CP_OK)
      continue;
    const char *key =
        ew_arena_printf(ctx->arena, "officer.%s", res[i].officer_id);
    if (!key) {
      out->oom = 1;
      break;
    }
    ew_alert_fact(b, key, "%s", ew_cert_problem_name(res[i].problem));
  }
  if (certified == 0)
    ew_alert_message(b, "%s无持有效执法证的执法人员，少于规定的%" PRId64 "名。",
                     ew_rule_phrase(ctx, out), minimum);
  else
    ew_alert_message(
        b, "%s仅有%zu名持有效执法证的执法人员，少于规定的%" PRId64 "名。",
        ew_rule_phrase(ctx, out), certified, minimum);
  if (b->oom)
    out->oom = 1;
  return 0;
}
