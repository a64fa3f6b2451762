/*
 * r14b_blanket.c - R14b "一刀切"、运动式执法 (¶7 「禁止"一刀切"、运动式执法」):
 * one agency imposing the same heavy sanction (the config's R14a
 * heavy_types: 暂扣许可证件、降低资质等级、吊销许可证件、限制开展生产经营活动、
 * 责令停产停业、责令关闭、限制从业) on min_enterprises (10) or more DISTINCT
 * enterprises of one industry within window_days (7), outside a filed
 * special campaign.
 *
 * Judged on decisions (decided_at set, not withdrawn) with a heavy type and
 * an industry_code; a decision that names no industry cannot be grouped by
 * one and is left alone. Industries match by equal industry_code (GB/T 4754
 * as the feed gives it: "C1311" and "C13" are different groups).
 *
 * Window and order: the agency's decisions ordered by (decided_at,
 * decision_no), those before the subject with decided_at less than
 * window_days x 24 h before it, plus the subject: never a later decision.
 * The engine judges the agency's later decisions again when an earlier one
 * arrives late, changes or is withdrawn (ew_engine_judge_followers).
 *
 * Fires on the decision that crossed the limit: the count of distinct
 * enterprises before it was below min_enterprises and it brings the count
 * to min_enterprises (its enterprise was not counted yet). One alert per
 * burst, not one per decision of it: the finding is about the agency's
 * campaign, and every later decision of the same burst would send the same
 * agency the same notice again. A burst that goes on fires again once its
 * count has fallen below the limit and crosses it anew. One alert per heavy
 * type (discriminator = the type's symbol): a decision may cross for two.
 *
 * Special campaigns: plans of the agency (ew_store_ref_by_agency) of type
 * SPECIAL_CAMPAIGN whose status counts as filed (R02's plan_statuses:
 * FILED, AMENDED). An item covers a decision when decided_at is within
 * [window_start, window_end] and the item targets the enterprise as R02
 * reads targets: listed in target_usccs, or its industry_code falls under
 * one of target_industries by GB/T 4754 hierarchy (a target "C13" covers
 * "C1311"), or both lists are empty (the whole jurisdiction). A covered
 * decision is the campaign's: it neither fires nor counts.
 *
 * Facts: penalty_type, industry_code, enterprises (with this one), minimum,
 * window_days, first_decided_at (the earliest decision counted),
 * special_campaign=none. Evidence: the decisions counted (one per
 * enterprise, the first).
 */
#include <inttypes.h>
#include <string.h>

#include "../ewtime.h"
#include "rules.h"

#define LEGAL_BASIS "临州办发〔2023〕18号 ¶7"

typedef struct campaigns {
  const ew_plan **v;
  size_t n, cap;
  uint32_t statuses;
  ew_arena *arena;
  int oom;
} campaigns;

static int campaign_add(void *ud, const ew_record *rec) {
  campaigns *c = ud;
  const ew_plan *p = &rec->u.plan;
  if (p->plan_type != EW_PLAN_SPECIAL_CAMPAIGN || p->status < 0 ||
      p->status >= 32 || !(c->statuses & (1u << p->status)))
    return 0;
  const ew_plan **v =
      ew_rule_array_grow(c->arena, c->v, c->n, &c->cap, sizeof *v);
  if (!v) {
    c->oom = 1;
    return 1;
  }
  c->v = v;
  c->v[c->n++] = p;
  return 0;
}

static int item_targets(const ew_plan_item *it, const char *enterprise,
                        const char *industry) {
  if (it->target_usccs.n == 0 && it->target_industries.n == 0)
    return 1;
  if (enterprise && ew_strv_has(it->target_usccs, enterprise))
    return 1;
  for (size_t i = 0; industry && i < it->target_industries.n; i++) {
    const char *t = it->target_industries.v[i];
    if (t && *t && strncmp(industry, t, strlen(t)) == 0)
      return 1;
  }
  return 0;
}

static int covered(const campaigns *c, const char *enterprise,
                   const char *industry, ew_time decided_at) {
  for (size_t p = 0; p < c->n; p++)
    for (size_t i = 0; i < c->v[p]->items.n; i++) {
      const ew_plan_item *it = &c->v[p]->items.v[i];
      if (it->window_start != EW_NONE && decided_at < it->window_start)
        continue;
      if (it->window_end != EW_NONE && decided_at > it->window_end)
        continue;
      if (item_targets(it, enterprise, industry))
        return 1;
    }
  return 0;
}

typedef struct earlier {
  ew_hist_penalty *v;
  size_t n, cap;
  ew_arena *arena;
  const char *self;
  ew_time at;
  int oom;
} earlier;

static int earlier_add(void *ud, const ew_hist_penalty *h) {
  earlier *e = ud;
  if (!h->decision_no || strcmp(h->decision_no, e->self) == 0)
    return 0;
  if (h->decided_at > e->at ||
      (h->decided_at == e->at && strcmp(h->decision_no, e->self) > 0))
    return 0;
  ew_hist_penalty *v =
      ew_rule_array_grow(e->arena, e->v, e->n, &e->cap, sizeof *v);
  if (!v) {
    e->oom = 1;
    return 1;
  }
  e->v = v;
  e->v[e->n++] = *h;
  return 0;
}

/* Judges one heavy type `t` of the subject against the earlier decisions:
 * 0, or -1 on a store failure. */
static int judge_type(const ew_rule_ctx *ctx, ew_findings *out,
                      const ew_penalty *p, const earlier *e, const campaigns *c,
                      int t) {
  int64_t min = ctx->cfg->r14b.min_enterprises;
  /* First decision per enterprise counted, in time order. */
  const ew_hist_penalty **first =
      ew_arena_alloc(ctx->arena, (e->n + 1) * sizeof *first);
  if (!first) {
    out->oom = 1;
    return 0;
  }
  size_t n = 0;
  int self_counted = 0;
  for (size_t i = 0; i < e->n; i++) {
    const ew_hist_penalty *h = &e->v[i];
    if (!(h->penalty_types & (1u << t)) || !h->industry_code ||
        strcmp(h->industry_code, p->industry_code) != 0 || !h->enterprise_uscc)
      continue;
    if (covered(c, h->enterprise_uscc, h->industry_code, h->decided_at))
      continue;
    int seen = 0;
    for (size_t j = 0; j < n && !seen; j++)
      seen = strcmp(first[j]->enterprise_uscc, h->enterprise_uscc) == 0;
    if (seen)
      continue;
    first[n++] = h;
    self_counted |= strcmp(h->enterprise_uscc, p->enterprise_uscc) == 0;
  }
  /* Crossed: below the limit before, at it with this enterprise. */
  if (self_counted || (int64_t)n >= min || (int64_t)n + 1 < min)
    return 0;

  const char *sym = ew_sym(&ew_enum_penalty_type, t);
  ew_alert_builder *b = ew_finding_add(ctx, out, "R14b", sym,
                                       ctx->cfg->r14b.c.severity, LEGAL_BASIS);
  if (!b)
    return 0;
  int64_t days = ctx->cfg->r14b.window_days;
  ew_time first_at = n ? first[0]->decided_at : p->decided_at;
  char ts[EW_TIME_BUFSZ], date[16];
  ew_alert_fact(b, "penalty_type", "%s", sym);
  ew_alert_fact(b, "industry_code", "%s", p->industry_code);
  ew_alert_fact(b, "enterprises", "%zu", n + 1);
  ew_alert_fact(b, "minimum", "%" PRId64, min);
  ew_alert_fact(b, "window_days", "%" PRId64, days);
  ew_alert_fact(b, "first_decided_at", "%s", ew_time_format(first_at, ts));
  ew_alert_fact(b, "special_campaign", "none");
  const char **ids = ew_arena_alloc(ctx->arena, (n + 1) * sizeof *ids);
  if (!ids) {
    out->oom = 1;
    return 0;
  }
  for (size_t i = 0; i < n; i++)
    ids[i] = first[i]->decision_no;
  if (ew_window_evidence(ctx, b, EW_REC_PENALTY, ids, n) < 0)
    return -1;
  ew_alert_message(b,
                   "%s适用%s；该部门此前%" PRId64
                   "日内（自%s起）已对%s行业的%zu"
                   "家其他企业适用同一处罚，本决定使其达到%zu家，且不在已备案的"
                   "专项整治计划内，涉嫌\"一刀切\"执法。",
                   ew_rule_phrase(ctx, out), ew_penalty_type_zh(t), days,
                   ew_time_date(first_at, date), p->industry_code, n, n + 1);
  if (b->oom)
    out->oom = 1;
  return 0;
}

int ew_rule_r14b(const ew_rule_ctx *ctx, ew_findings *out) {
  if (ctx->rec->kind != EW_REC_PENALTY)
    return 0;
  const ew_penalty *p = &ctx->rec->u.penalty;
  uint32_t heavy = ew_enumv_bits(p->penalty_types) & ctx->cfg->r14a.heavy_types;
  if (!heavy || p->decided_at == EW_NONE || p->withdrawn_at != EW_NONE ||
      !p->agency_uscc || !p->enterprise_uscc || !p->decision_no ||
      !p->industry_code || !*p->industry_code)
    return 0;

  campaigns c = {NULL, 0, 0, ctx->cfg->r02.plan_statuses, ctx->arena, 0};
  if (ew_store_ref_by_agency(ctx->store, EW_REC_PLAN, p->agency_uscc,
                             campaign_add, &c) < 0)
    return -1;
  if (c.oom) {
    out->oom = 1;
    return 0;
  }
  if (covered(&c, p->enterprise_uscc, p->industry_code, p->decided_at))
    return 0;

  int64_t days = ctx->cfg->r14b.window_days;
  ew_time span = days * EW_DAY_MS; /* days is bounded by the config table */
  ew_time from =
      p->decided_at > INT64_MIN + span ? p->decided_at - span + 1 : INT64_MIN;
  earlier e = {NULL, 0, 0, ctx->arena, p->decision_no, p->decided_at, 0};
  if (ew_store_hist_decisions_between(ctx->store, p->agency_uscc, from,
                                      p->decided_at, ctx->arena, earlier_add,
                                      &e) < 0)
    return -1;
  if (e.oom) {
    out->oom = 1;
    return 0;
  }
  for (int t = 0; t < 32; t++)
    if ((heavy & (1u << t)) && judge_type(ctx, out, p, &e, &c, t) < 0)
      return -1;
  return 0;
}
