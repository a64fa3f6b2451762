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

#include "rules.h"

#define LEGAL_BASIS "临州办发〔2023〕18号 ¶3；行政处罚法第42条"

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
  ew_officer_certs oc;
  if (!applies(ctx) || ew_rule_officers(ctx, &of) < 0)
    return 0;
  int rc = ew_officer_certs_judge(ctx, &of, &oc, out);
  if (rc != 0)
    return rc < 0 ? -1 : 0; /* a store failure, or out of memory */
  int64_t minimum = ctx->cfg->r05.min_officers;
  if ((int64_t)oc.certified >= minimum)
    return 0;

  ew_alert_builder *b = ew_finding_add(ctx, out, "R05", "",
                                       ctx->cfg->r05.c.severity, LEGAL_BASIS);
  if (!b)
    return 0;
  ew_alert_fact(b, "officers_listed", "%zu", oc.n);
  ew_alert_fact(b, "officers_certified", "%zu", oc.certified);
  ew_alert_fact(b, "minimum", "%" PRId64, minimum);
  for (size_t i = 0; i < oc.n; i++) {
    if (oc.v[i].problem == EW_CP_OK)
      continue;
    const char *key =
        ew_arena_printf(ctx->arena, "officer.%s", oc.v[i].officer_id);
    if (!key) {
      out->oom = 1;
      break;
    }
    ew_alert_fact(b, key, "%s", ew_cert_problem_name(oc.v[i].problem));
  }
  if (oc.certified == 0)
    ew_alert_message(b, "%s无持有效执法证的执法人员，少于规定的%" PRId64 "名。",
                     ew_rule_phrase(ctx, out), minimum);
  else
    ew_alert_message(
        b, "%s仅有%zu名持有效执法证的执法人员，少于规定的%" PRId64 "名。",
        ew_rule_phrase(ctx, out), oc.certified, minimum);
  if (b->oom)
    out->oom = 1;
  return 0;
}
