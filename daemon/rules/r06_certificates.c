/*
 * r06_certificates.c - R06 无证/证件失效/未亮证: a participant of an
 * inspection (STARTED or ENDED) or a penalty lacks a valid certificate, or
 * did not show it (cert_shown=false) where showing is required (¶3
 * 「必须主动出示行政执法证件」).
 *
 * One alert per subject. Severity HIGH (configurable), CRITICAL
 * (severity_none_certified) when no participant is certified, including
 * when the record lists no officer at all. Facts: officers_listed,
 * officers_certified, officers_not_shown, and officer.<id>=<problems> with
 * the problems joined by ',' (e.g. "cert_expired,cert_not_shown").
 */
#include <stdio.h>

#include "rules.h"

#define LEGAL_BASIS "临州办发〔2023〕18号 ¶3"

static int applies(const ew_rule_ctx *ctx, int *shown_required) {
  const ew_record *r = ctx->rec;
  int req = ctx->cfg->r06.require_cert_shown;
  if (r->kind == EW_REC_INSPECTION) {
    const ew_inspection *in = &r->u.inspection;
    *shown_required = req && in->mode >= 0 && in->mode < 32 &&
                      (ctx->cfg->r06.shown_modes & (1u << in->mode));
    return in->status == EW_INSP_STARTED || in->status == EW_INSP_ENDED;
  }
  if (r->kind == EW_REC_PENALTY) {
    *shown_required = req; /* 行政处罚法第55条: shown when investigating */
    return 1;
  }
  return 0;
}

/* The officer did not show a certificate where showing is required. */
static int unshown(int shown_required, const ew_officer_cert *o) {
  return shown_required && !o->shown;
}

int ew_rule_r06(const ew_rule_ctx *ctx, ew_findings *out) {
  ew_officers of;
  ew_officer_certs oc;
  int shown_required = 0;
  if (!applies(ctx, &shown_required) || ew_rule_officers(ctx, &of) < 0)
    return 0;
  int rc = ew_officer_certs_judge(ctx, &of, &oc, out);
  if (rc != 0)
    return rc < 0 ? -1 : 0; /* a store failure, or out of memory */
  size_t listed = oc.n, certified = oc.certified, not_shown = 0;
  for (size_t i = 0; i < listed; i++)
    not_shown += unshown(shown_required, &oc.v[i]);
  if (listed > 0 && certified == listed && not_shown == 0)
    return 0;

  int severity = certified == 0 ? ctx->cfg->r06.severity_none_certified
                                : ctx->cfg->r06.c.severity;
  ew_alert_builder *b =
      ew_finding_add(ctx, out, "R06", "", severity, LEGAL_BASIS);
  if (!b)
    return 0;
  ew_alert_fact(b, "officers_listed", "%zu", listed);
  ew_alert_fact(b, "officers_certified", "%zu", certified);
  ew_alert_fact(b, "officers_not_shown", "%zu", not_shown);
  for (size_t i = 0; i < listed; i++) {
    const ew_officer_cert *o = &oc.v[i];
    int hidden = unshown(shown_required, o);
    if (o->problem == EW_CP_OK && !hidden)
      continue;
    const char *key = ew_arena_printf(ctx->arena, "officer.%s", o->officer_id);
    if (!key) {
      out->oom = 1;
      break;
    }
    if (o->problem != EW_CP_OK && hidden)
      ew_alert_fact(b, key, "%s,cert_not_shown",
                    ew_cert_problem_name(o->problem));
    else if (o->problem != EW_CP_OK)
      ew_alert_fact(b, key, "%s", ew_cert_problem_name(o->problem));
    else
      ew_alert_fact(b, key, "cert_not_shown");
  }

  size_t uncertified = listed - certified;
  if (listed == 0)
    ew_alert_message(
        b, "%s未登记任何执法人员，无法确认由持有效执法证件的人员执法。",
        ew_rule_phrase(ctx, out));
  else if (certified == 0 && not_shown > 0)
    ew_alert_message(
        b, "%s的%zu名执法人员均未持有效执法证件，其中%zu名未主动出示执法证件。",
        ew_rule_phrase(ctx, out), listed, not_shown);
  else if (certified == 0)
    ew_alert_message(b, "%s的%zu名执法人员均未持有效执法证件。",
                     ew_rule_phrase(ctx, out), listed);
  else if (uncertified > 0 && not_shown > 0)
    ew_alert_message(
        b, "%s有%zu名执法人员未持有效执法证件、%zu名未主动出示执法证件。",
        ew_rule_phrase(ctx, out), uncertified, not_shown);
  else if (uncertified > 0)
    ew_alert_message(b, "%s有%zu名执法人员未持有效执法证件。",
                     ew_rule_phrase(ctx, out), uncertified);
  else
    ew_alert_message(b, "%s有%zu名执法人员未主动出示执法证件。",
                     ew_rule_phrase(ctx, out), not_shown);
  if (b->oom)
    out->oom = 1;
  return 0;
}
