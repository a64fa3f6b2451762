/*
 * r13_leniency.c - R13 未落实"两轻一免": a decision on a violation that the
 * leniency list (leniency_item records, D8) covers (¶7 「全面落实"两轻一免"
 * 清单制度」; 行政处罚法第33条).
 *
 * Judged on decisions: a penalty with decided_at and without withdrawn_at.
 * The items are those with the decision's violation_code. An item's
 * conditions hold when
 *   - first offence: the enterprise's history holds no OTHER decision for
 *     the same violation_code decided in [decided_at - lookback_days,
 *     decided_at), penalised or not: a violation let off under 首违不罚 is
 *     still a violation, so a repeat is no 初次违法 (Art 33). History
 *     decides: the decision's own first_offense flag is what the agency
 *     claims and is reported beside it (first_offense_claim), but neither
 *     makes nor breaks the condition;
 *   - harm_level <= harm_max (NONE < MINOR < SERIOUS);
 *   - corrected, when the item says must_correct.
 * R13a (MEDIUM): some item's conditions hold, and the decision is heavier
 * than the most lenient of those items allows (no-penalty kinds before
 * MITIGATED before LIGHTER, then by item_id):
 *   - NO_PENALTY, FIRST_OFFENSE_NO_PENALTY, NO_FAULT: no penalty type, no
 *     fine, no confiscation;
 *   - MITIGATED: discretion_level NO_PENALTY or MITIGATED;
 *   - LIGHTER: discretion_level NO_PENALTY, MITIGATED or LENIENT.
 *   A decision that imposes nothing never fires. A penalised decision that
 *   states no discretion_level under MITIGATED or LIGHTER fires
 *   (discretion_level=none): the list says leniency must be applied, and the
 *   decision does not show that it was.
 * R13b (LOW): the decision imposes nothing (免罚) on a code with a no-penalty
 * item, the party has not corrected (corrected=false), and every no-penalty
 * item of the code requires correction: 免罚 granted but not rectified,
 * which calls for the procedure to be restarted [S17]. First offence and
 * harm are reported but not required: R13b is about the missing correction.
 * A code without leniency items is not judged (nothing to apply).
 *
 * Facts: leniency_item, kind, first_offense_history (the prior decision_no,
 * or none), first_offense_claim, lookback_days, harm_level, harm_max,
 * corrected, must_correct, outcome (penalised / not_penalised),
 * penalty_types, fine_fen, confiscated_fen, discretion_level and allowed
 * (what the item allows: no_penalty, or the discretion levels).
 *
 * Order: history is what has arrived. Penalties are keyed by enterprise, so
 * one enterprise's decisions come in order on their partition; a prior
 * decision that arrives after this one (a late correction of the feed) does
 * not re-open or withdraw a finding on this one until its next snapshot.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../ewtime.h"
#include "rules.h"

#define LEGAL_BASIS "临州办发〔2023〕18号 ¶7；行政处罚法第33条"

/* One leniency item judged against the decision. */
typedef struct judged_item {
  const ew_leniency_item *item;
  int64_t lookback_days;
  const char *prior; /* decision_no of an earlier offence, NULL for none */
  int holds;         /* all conditions hold */
} judged_item;

typedef struct item_list {
  const ew_rule_ctx *ctx;
  ew_findings *out;
  judged_item *v;
  size_t n, cap;
} item_list;

static int collect_item(void *ud, const ew_record *rec) {
  item_list *l = ud;
  judged_item *v =
      ew_rule_array_grow(l->ctx->arena, l->v, l->n, &l->cap, sizeof *v);
  if (!v) {
    l->out->oom = 1;
    return 1;
  }
  l->v = v;
  memset(&l->v[l->n], 0, sizeof l->v[l->n]);
  l->v[l->n++].item = &rec->u.leniency_item;
  return 0;
}

static int no_penalty_kind(int kind) {
  return kind == EW_LEN_NO_PENALTY || kind == EW_LEN_FIRST_OFFENSE_NO_PENALTY ||
         kind == EW_LEN_NO_FAULT;
}

/* Lower is more lenient: the item that governs among those that hold. */
static int strictness(int kind) {
  return no_penalty_kind(kind) ? 0 : kind == EW_LEN_MITIGATED ? 1 : 2;
}

static int penalised(const ew_penalty *p) {
  return p->penalty_types.n > 0 || p->fine_fen > 0 || p->confiscated_fen > 0;
}

/* 1 when the decision's outcome is within what the item allows. */
static int outcome_allowed(const ew_penalty *p, int kind) {
  if (!penalised(p))
    return 1;
  if (no_penalty_kind(kind))
    return 0;
  int dl = p->discretion_level;
  if (dl == EW_DL_NO_PENALTY || dl == EW_DL_MITIGATED)
    return 1;
  return kind == EW_LEN_LIGHTER && dl == EW_DL_LENIENT;
}

static const char *allowed_text(int kind) {
  if (no_penalty_kind(kind))
    return "no_penalty";
  return kind == EW_LEN_MITIGATED ? "discretion_level in NO_PENALTY,MITIGATED"
                                  : "discretion_level in NO_PENALTY,MITIGATED,"
                                    "LENIENT";
}

static const char *kind_zh(int kind) {
  switch (kind) {
  case EW_LEN_NO_PENALTY:
    return "不予处罚";
  case EW_LEN_FIRST_OFFENSE_NO_PENALTY:
    return "首违不罚";
  case EW_LEN_NO_FAULT:
    return "无主观过错不予处罚";
  case EW_LEN_LIGHTER:
    return "从轻处罚";
  default:
    return "减轻处罚";
  }
}

static const char *level_zh(int level) {
  switch (level) {
  case EW_DL_NO_PENALTY:
    return "不予处罚";
  case EW_DL_MITIGATED:
    return "减轻";
  case EW_DL_LENIENT:
    return "从轻";
  case EW_DL_GENERAL:
    return "一般";
  case EW_DL_HEAVY:
    return "从重";
  default:
    return "未载明";
  }
}

/* Loads the items of the decision's code (in item_id order) and judges
 * each one's conditions against history. Returns 0 (also when there is
 * nothing to judge: l->n = 0), -1 on a store failure; OOM sets out->oom and
 * leaves l->n = 0. */
static int judge_items(const ew_rule_ctx *ctx, ew_findings *out, item_list *l) {
  const ew_penalty *p = &ctx->rec->u.penalty;
  memset(l, 0, sizeof *l);
  l->ctx = ctx;
  l->out = out;
  if (!p->violation_code || !p->enterprise_uscc)
    return 0;
  int rc = ew_store_ref_by_code(ctx->store, EW_REC_LENIENCY_ITEM,
                                p->violation_code, collect_item, l);
  if (rc < 0)
    return -1;
  if (out->oom) {
    l->n = 0;
    return 0;
  }
  for (size_t i = 0; i < l->n; i++) {
    judged_item *j = &l->v[i];
    const ew_leniency_item *it = j->item;
    ew_hist_penalty prior;
    int found;
    /* Clamped like the engine's pruning horizon (a century at most), so
     * that a wild value neither overflows nor asks for more than is kept. */
    j->lookback_days = it->lookback_days < 0       ? 0
                       : it->lookback_days > 36500 ? 36500
                                                   : it->lookback_days;
    ew_time span = j->lookback_days * EW_DAY_MS;
    ew_time from =
        p->decided_at > INT64_MIN + span ? p->decided_at - span : INT64_MIN;
    if (ew_store_hist_prior_offence(
            ctx->store, p->enterprise_uscc, p->violation_code, from,
            p->decided_at, p->decision_no, ctx->arena, &prior, &found) < 0)
      return -1;
    j->prior = found ? prior.decision_no : NULL;
    j->holds = !found && p->harm_level >= 0 && p->harm_level <= it->harm_max &&
               (it->must_correct != 1 || p->corrected == 1);
  }
  return 0;
}

static int judged(const ew_rule_ctx *ctx) {
  if (ctx->rec->kind != EW_REC_PENALTY)
    return 0;
  const ew_penalty *p = &ctx->rec->u.penalty;
  return p->decided_at != EW_NONE && p->withdrawn_at == EW_NONE;
}

static const char *bool_text(int8_t v) {
  return v == 1 ? "true" : "false";
}

static void add_facts(const ew_rule_ctx *ctx, ew_alert_builder *b,
                      const judged_item *j) {
  const ew_penalty *p = &ctx->rec->u.penalty;
  const ew_leniency_item *it = j->item;
  char types[256] = "";
  size_t len = 0;
  for (size_t i = 0; i < p->penalty_types.n && len < sizeof types; i++)
    len += (size_t)snprintf(
        types + len, sizeof types - len, "%s%s", len ? "," : "",
        ew_sym(&ew_enum_penalty_type, p->penalty_types.v[i]));
  ew_alert_fact(b, "leniency_item", "%s", it->item_id);
  ew_alert_fact(b, "kind", "%s", ew_sym(&ew_enum_leniency_kind, it->kind));
  ew_alert_fact(b, "first_offense_history", "%s", j->prior ? j->prior : "none");
  ew_alert_fact(b, "lookback_days", "%" PRId64, j->lookback_days);
  ew_alert_fact(b, "first_offense_claim", "%s", bool_text(p->first_offense));
  ew_alert_fact(b, "harm_level", "%s",
                ew_sym(&ew_enum_harm_level, p->harm_level));
  ew_alert_fact(b, "harm_max", "%s", ew_sym(&ew_enum_harm_max, it->harm_max));
  ew_alert_fact(b, "corrected", "%s", bool_text(p->corrected));
  ew_alert_fact(b, "must_correct", "%s", bool_text(it->must_correct));
  ew_alert_fact(b, "outcome", "%s",
                penalised(p) ? "penalised" : "not_penalised");
  ew_alert_fact(b, "penalty_types", "%s", len ? types : "none");
  ew_alert_fact(b, "fine_fen", "%" PRId64, p->fine_fen);
  ew_alert_fact(b, "confiscated_fen", "%" PRId64, p->confiscated_fen);
  ew_alert_fact(b, "discretion_level", "%s",
                p->discretion_level >= 0
                    ? ew_sym(&ew_enum_discretion_level, p->discretion_level)
                    : "none");
  ew_alert_fact(b, "allowed", "%s", allowed_text(it->kind));
}

int ew_rule_r13a(const ew_rule_ctx *ctx, ew_findings *out) {
  item_list l;
  if (!judged(ctx))
    return 0;
  if (judge_items(ctx, out, &l) < 0)
    return -1;
  const judged_item *gov = NULL;
  for (size_t i = 0; i < l.n; i++)
    if (l.v[i].holds &&
        (!gov || strictness(l.v[i].item->kind) < strictness(gov->item->kind)))
      gov = &l.v[i];
  const ew_penalty *p = &ctx->rec->u.penalty;
  if (!gov || outcome_allowed(p, gov->item->kind))
    return 0;

  ew_alert_builder *b = ew_finding_add(ctx, out, "R13a", "",
                                       ctx->cfg->r13a.c.severity, LEGAL_BASIS);
  if (!b)
    return 0;
  add_facts(ctx, b, gov);
  if (no_penalty_kind(gov->item->kind))
    ew_alert_message(b,
                     "%s所涉违法行为%s属“两轻一免”清单事项%s（%s），"
                     "适用条件成立，依清单应不予处罚，却仍作出处罚。",
                     ew_rule_phrase(ctx, out), p->violation_code,
                     gov->item->item_id, kind_zh(gov->item->kind));
  else
    ew_alert_message(b,
                     "%s所涉违法行为%s属“两轻一免”清单事项%s（%s），"
                     "适用条件成立，但处罚裁量档次为%s。",
                     ew_rule_phrase(ctx, out), p->violation_code,
                     gov->item->item_id, kind_zh(gov->item->kind),
                     level_zh(p->discretion_level));
  if (b->oom)
    out->oom = 1;
  return 0;
}

int ew_rule_r13b(const ew_rule_ctx *ctx, ew_findings *out) {
  item_list l;
  if (!judged(ctx))
    return 0;
  const ew_penalty *p = &ctx->rec->u.penalty;
  if (penalised(p) || p->corrected == 1)
    return 0;
  if (judge_items(ctx, out, &l) < 0)
    return -1;
  const judged_item *first = NULL;
  for (size_t i = 0; i < l.n; i++) {
    const ew_leniency_item *it = l.v[i].item;
    if (!no_penalty_kind(it->kind))
      continue;
    if (it->must_correct != 1)
      return 0; /* a waiver that needs no correction is available */
    if (!first)
      first = &l.v[i];
  }
  if (!first)
    return 0;

  ew_alert_builder *b = ew_finding_add(ctx, out, "R13b", "",
                                       ctx->cfg->r13b.c.severity, LEGAL_BASIS);
  if (!b)
    return 0;
  add_facts(ctx, b, first);
  ew_alert_message(b,
                   "%s依“两轻一免”清单事项%s（%s）对违法行为%s未予处罚，"
                   "但当事人未改正违法行为，应重新启动处罚程序。",
                   ew_rule_phrase(ctx, out), first->item->item_id,
                   kind_zh(first->item->kind), p->violation_code);
  if (b->oom)
    out->oom = 1;
  return 0;
}
