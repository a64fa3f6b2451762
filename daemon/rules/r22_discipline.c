/*
 * r22_discipline.c - R22 执法纪律: money taken and production stopped during
 * an inspection (¶6 「禁止以权谋私…干扰企业正常经营…乱收费」; ¶3 「现场
 * 检查不得干扰企业正常生产经营活动」). Judged on STARTED and ENDED
 * inspections (CANCELLED withdraws). Both HIGH.
 *
 * R22a: fees_collected_fen > 0, no check item of the inspection is a
 * configured statutory-fee item, and no linked penalty. Linked = the
 * inspection names a case_id and history holds a decision of that case on
 * the same enterprise. Without a case_id nothing is linked: matching any
 * decision of the agency on the enterprise around that day would excuse a
 * fee by an unrelated fine, and money collected on the spot belongs to a
 * case the record can name. Facts: fees_collected_fen, case_id (or none),
 * linked_penalty (none), check_items, statutory_fee_items (or none).
 *
 * R22b: production_halted=true without a compulsory-measure decision: no
 * decision in history of the same agency on the same enterprise with
 * compulsory_measures, decided in [start - grace, end + grace], where start
 * is started_at (else ended_at, else the event time), end is ended_at (else
 * started_at, else the event time) and grace is decision_grace_days. The
 * lower bound keeps an old decision on another matter from covering today's
 * stoppage, and is why the engine's pruning needs only `grace` days of
 * history for R22. Facts: production_halted, compulsory_decision (none),
 * window_from (start - grace) and decision_grace_days. Not the window's
 * end: it moves from started_at to ended_at between the STARTED and the
 * ENDED snapshot, and would re-open the same finding for no news.
 *
 * Order (a known limitation): inspections and penalties arrive on different
 * topics, in any order relative to each other. A decision that arrives
 * after the inspection's last snapshot cannot withdraw an R22 finding,
 * because rules are evaluated only on the subject's own snapshots; a
 * decision that arrives between two snapshots is seen by the later one.
 */
#include <inttypes.h>
#include <stdio.h>

#include "../ewtime.h"
#include "rules.h"

#define LEGAL_BASIS "临州办发〔2023〕18号 ¶6；¶3"

static int judged(const ew_rule_ctx *ctx) {
  if (ctx->rec->kind != EW_REC_INSPECTION)
    return 0;
  const ew_inspection *in = &ctx->rec->u.inspection;
  return (in->status == EW_INSP_STARTED || in->status == EW_INSP_ENDED) &&
         in->enterprise_uscc && in->agency_uscc;
}

/* Joins `n` strings with ','; "none" when there are none. */
static const char *join(const ew_rule_ctx *ctx, const char *const *v, size_t n,
                        ew_findings *out) {
  const char *s = "";
  for (size_t i = 0; i < n && s; i++)
    if (v[i])
      s = ew_arena_printf(ctx->arena, "%s%s%s", s, *s ? "," : "", v[i]);
  if (!s) {
    out->oom = 1;
    return "";
  }
  return *s ? s : "none";
}

int ew_rule_r22a(const ew_rule_ctx *ctx, ew_findings *out) {
  if (!judged(ctx))
    return 0;
  const ew_inspection *in = &ctx->rec->u.inspection;
  if (in->fees_collected_fen <= 0)
    return 0;
  const ew_strlist *fee_items = &ctx->cfg->r22a.statutory_fee_items;
  for (size_t i = 0; i < in->check_items.n; i++)
    if (in->check_items.v[i] && ew_strlist_has(fee_items, in->check_items.v[i]))
      return 0;
  ew_hist_penalty linked;
  int found;
  if (ew_store_hist_case_decision(ctx->store, in->enterprise_uscc, in->case_id,
                                  ctx->arena, &linked, &found) < 0)
    return -1;
  if (found)
    return 0;

  ew_alert_builder *b = ew_finding_add(ctx, out, "R22a", "",
                                       ctx->cfg->r22a.c.severity, LEGAL_BASIS);
  if (!b)
    return 0;
  ew_alert_fact(b, "fees_collected_fen", "%" PRId64, in->fees_collected_fen);
  ew_alert_fact(b, "case_id", "%s", in->case_id ? in->case_id : "none");
  ew_alert_fact(b, "linked_penalty", "none");
  ew_alert_fact(b, "check_items", "%s",
                join(ctx, in->check_items.v, in->check_items.n, out));
  ew_alert_fact(
      b, "statutory_fee_items", "%s",
      join(ctx, (const char *const *)fee_items->v, fee_items->n, out));
  ew_alert_message(b,
                   "%s中向企业收取费用%" PRId64 ".%02" PRId64
                   "元，但未关联行政处罚决定，检查事项也不属于法定收费事项。",
                   ew_rule_phrase(ctx, out), in->fees_collected_fen / 100,
                   in->fees_collected_fen % 100);
  if (b->oom)
    out->oom = 1;
  return 0;
}

int ew_rule_r22b(const ew_rule_ctx *ctx, ew_findings *out) {
  if (!judged(ctx))
    return 0;
  const ew_inspection *in = &ctx->rec->u.inspection;
  if (in->production_halted != 1)
    return 0;
  ew_time start = in->started_at != EW_NONE ? in->started_at
                  : in->ended_at != EW_NONE ? in->ended_at
                                            : ctx->event_time;
  ew_time end = in->ended_at != EW_NONE     ? in->ended_at
                : in->started_at != EW_NONE ? in->started_at
                                            : ctx->event_time;
  int64_t days = ctx->cfg->r22b.decision_grace_days;
  ew_time grace = days * EW_DAY_MS; /* days is bounded by the config table */
  ew_time from = start > INT64_MIN + grace ? start - grace : INT64_MIN;
  ew_time to = end < INT64_MAX - grace ? end + grace : INT64_MAX;
  ew_hist_penalty decision;
  int found;
  if (ew_store_hist_compulsory(ctx->store, in->enterprise_uscc, in->agency_uscc,
                               from, to, ctx->arena, &decision, &found) < 0)
    return -1;
  if (found)
    return 0;

  ew_alert_builder *b = ew_finding_add(ctx, out, "R22b", "",
                                       ctx->cfg->r22b.c.severity, LEGAL_BASIS);
  if (!b)
    return 0;
  char t1[EW_TIME_BUFSZ];
  ew_alert_fact(b, "production_halted", "true");
  ew_alert_fact(b, "compulsory_decision", "none");
  ew_alert_fact(b, "window_from", "%s", ew_time_format(from, t1));
  ew_alert_fact(b, "decision_grace_days", "%" PRId64, days);
  ew_alert_message(b,
                   "%s中企业被停止生产经营，但该部门在检查前后%" PRId64
                   "日内未作出行政强制措施决定。",
                   ew_rule_phrase(ctx, out), days);
  if (b->oom)
    out->oom = 1;
  return 0;
}
