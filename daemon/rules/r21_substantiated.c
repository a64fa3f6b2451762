/*
 * r21_substantiated.c - R21 投诉属实→责令改正/移交 (¶13 「反映情况属实的，
 * 应当责令有关行政执法部门立即改正，涉嫌违纪违法问题的，应将有关线索移交纪检
 * 监察及司法部门处置」).
 *
 * R21a: a complaint about enforcement conduct (subject_type
 * ENFORCEMENT_CONDUCT) whose finding is one the config calls substantiated
 * (r21a.findings, default SUBSTANTIATED): the agency complained about must
 * correct it (HIGH; its notice is an ORDER_CORRECTION).
 * R21b: such a complaint that is also in a discipline category
 * (r21b.categories: 以权谋私, 强制购买, 拉赞助, 强制订阅, 乱收费) or that the
 * handling agency marked suspected_discipline: the clue goes to 纪检监察
 * (CRITICAL; REFERRAL_DISCIPLINE). R21b uses R21a's notion of substantiated,
 * so the two agree on which complaints they look at.
 *
 * The alert is about the RESPONDENT: its agency_uscc is
 * respondent_agency_uscc (else the handling agency, which then is the
 * agency the complaint was lodged against as far as the feed tells), since
 * the supervision notice goes to alert.agency_uscc; region_code is the
 * respondent's in the registry. The finding is judged on any snapshot that
 * carries it, whatever the status: the finding is the fact ¶13 acts on, and
 * telling the complainant (CONCLUDED) may come days later. A later snapshot
 * with another finding withdraws the alert.
 *
 * Facts: finding, substantiated (the findings that count), category,
 * respondent_agency, respondent_from (respondent_agency_uscc or
 * handling_agency_uscc), handling_agency, status, respondent_officers and
 * related_inspection_id / related_penalty_id when given; R21b adds
 * suspected_discipline, referral_categories and reason (category,
 * suspected_discipline or both).
 */
#include <string.h>

#include "rules.h"

#define LEGAL_BASIS "临州办发〔2023〕18号 ¶13"

static const char *category_zh(int c) {
  switch (c) {
  case EW_CAT_NO_CERTIFICATE:
    return "无证执法或未出示执法证件";
  case EW_CAT_SINGLE_OFFICER:
    return "单人执法";
  case EW_CAT_UNPLANNED_INSPECTION:
    return "计划外检查";
  case EW_CAT_REPEATED_INSPECTION:
    return "重复检查";
  case EW_CAT_BUSINESS_DISRUPTION:
    return "干扰企业正常生产经营";
  case EW_CAT_ARBITRARY_FEE:
    return "乱收费";
  case EW_CAT_FORCED_PURCHASE:
    return "让企业购买指定商品或服务";
  case EW_CAT_SPONSORSHIP_DEMAND:
    return "拉赞助";
  case EW_CAT_FORCED_SUBSCRIPTION:
    return "强制订阅报刊";
  case EW_CAT_ABUSE_FOR_PRIVATE_GAIN:
    return "以权谋私";
  case EW_CAT_EXCESSIVE_PENALTY:
    return "过罚不当";
  case EW_CAT_BLANKET_ENFORCEMENT:
    return "“一刀切”执法";
  case EW_CAT_PROFIT_DRIVEN:
    return "趋利性执法";
  default:
    return "其他执法问题";
  }
}

/* "A,B": the symbols of `e` whose bit is set in `bits`; "none" when no bit
 * is. NULL on OOM. */
static const char *bits_join(ew_arena *a, const ew_enum *e, uint32_t bits) {
  size_t len = 0;
  for (int i = 0; i < e->n && i < 32; i++)
    if (bits & (1u << i))
      len += strlen(e->symbols[i]) + 1;
  if (!len)
    return "none";
  char *s = ew_arena_alloc(a, len), *p = s;
  if (!s)
    return NULL;
  for (int i = 0; i < e->n && i < 32; i++) {
    if (!(bits & (1u << i)))
      continue;
    size_t n = strlen(e->symbols[i]);
    if (p != s)
      *p++ = ',';
    memcpy(p, e->symbols[i], n);
    p += n;
  }
  *p = '\0';
  return s;
}

static int bit_set(uint32_t bits, int v) {
  return v >= 0 && v < 32 && (bits & (1u << v));
}

/* The complaint when R21 looks at it: about enforcement conduct and
 * substantiated. */
static const ew_complaint *substantiated(const ew_rule_ctx *ctx) {
  if (ctx->rec->kind != EW_REC_COMPLAINT)
    return NULL;
  const ew_complaint *c = &ctx->rec->u.complaint;
  if (c->subject_type != EW_CSUBJ_ENFORCEMENT_CONDUCT ||
      !bit_set(ctx->cfg->r21a.findings, c->finding))
    return NULL;
  return c;
}

/* Starts the finding on the respondent: agency, region and the facts both
 * variants share. *label is the respondent's name (else its USCC). Returns
 * NULL on OOM or a store failure (*failed = 1 for the latter). */
static ew_alert_builder *begin(const ew_rule_ctx *ctx, ew_findings *out,
                               const ew_complaint *c, const char *rule_id,
                               int severity, const char **label, int *failed) {
  const char *resp = c->respondent_agency_uscc ? c->respondent_agency_uscc
                                               : c->handling_agency_uscc;
  const ew_record *ag = NULL;
  *failed = 0;
  if (resp && ew_store_ref_get(ctx->store, EW_REC_AGENCY, resp, &ag) < 0) {
    *failed = 1;
    return NULL;
  }
  *label = ag && ag->u.agency.name ? ag->u.agency.name
           : resp                  ? resp
                                   : "（未载明被投诉部门）";
  ew_alert_builder *b =
      ew_finding_add(ctx, out, rule_id, "", severity, LEGAL_BASIS);
  if (!b)
    return NULL;
  /* The notice follows alert.agency_uscc: the agency complained about, and
   * its region, not the handling agency's. */
  ew_alert_set(b, &b->alert.agency_uscc, resp);
  if (ag)
    ew_alert_set(b, &b->alert.region_code, ag->u.agency.region_code);
  else if (!resp || !c->handling_agency_uscc ||
           strcmp(resp, c->handling_agency_uscc) != 0)
    b->alert.region_code = NULL; /* unknown, not the handling agency's */
  ew_alert_fact(b, "finding", "%s", ew_sym(&ew_enum_finding, c->finding));
  const char *subst =
      bits_join(ctx->arena, &ew_enum_finding, ctx->cfg->r21a.findings);
  ew_alert_fact(b, "substantiated", "%s", subst ? subst : "");
  ew_alert_fact(b, "category", "%s", ew_sym(&ew_enum_category, c->category));
  ew_alert_fact(b, "respondent_agency", "%s", resp ? resp : "none");
  ew_alert_fact(b, "respondent_from", "%s",
                c->respondent_agency_uscc ? "respondent_agency_uscc"
                                          : "handling_agency_uscc");
  ew_alert_fact(b, "handling_agency", "%s",
                c->handling_agency_uscc ? c->handling_agency_uscc : "none");
  ew_alert_fact(b, "status", "%s",
                ew_sym(&ew_enum_complaint_status, c->status));
  if (c->respondent_officer_ids.n) {
    size_t len = 1;
    for (size_t i = 0; i < c->respondent_officer_ids.n; i++)
      len += strlen(c->respondent_officer_ids.v[i]) + 1;
    char *ids = ew_arena_alloc(ctx->arena, len), *p = ids;
    if (ids) {
      for (size_t i = 0; i < c->respondent_officer_ids.n; i++) {
        size_t n = strlen(c->respondent_officer_ids.v[i]);
        if (i)
          *p++ = ',';
        memcpy(p, c->respondent_officer_ids.v[i], n);
        p += n;
      }
      *p = '\0';
      ew_alert_fact(b, "respondent_officers", "%s", ids);
    } else {
      b->oom = 1;
    }
  }
  if (c->related_inspection_id)
    ew_alert_fact(b, "related_inspection_id", "%s", c->related_inspection_id);
  if (c->related_penalty_id)
    ew_alert_fact(b, "related_penalty_id", "%s", c->related_penalty_id);
  if (!subst)
    b->oom = 1;
  return b;
}

static int finish(ew_findings *out, ew_alert_builder *b, int failed) {
  if (failed)
    return -1;
  if (!b || b->oom)
    out->oom = 1;
  return 0;
}

int ew_rule_r21a(const ew_rule_ctx *ctx, ew_findings *out) {
  const ew_complaint *c = substantiated(ctx);
  if (!c)
    return 0;
  const char *label;
  int failed;
  ew_alert_builder *b =
      begin(ctx, out, c, "R21a", ctx->cfg->r21a.c.severity, &label, &failed);
  if (b)
    ew_alert_message(b,
                     "%s办理的投诉举报%s经核查属实：%s存在%s问题，应责令其"
                     "立即改正。",
                     ctx->agency_label, c->complaint_id, label,
                     category_zh(c->category));
  return finish(out, b, failed);
}

int ew_rule_r21b(const ew_rule_ctx *ctx, ew_findings *out) {
  const ew_complaint *c = substantiated(ctx);
  if (!c)
    return 0;
  int by_category = bit_set(ctx->cfg->r21b.categories, c->category);
  int by_mark = c->suspected_discipline == 1;
  if (!by_category && !by_mark)
    return 0;
  const char *label;
  int failed;
  ew_alert_builder *b =
      begin(ctx, out, c, "R21b", ctx->cfg->r21b.c.severity, &label, &failed);
  if (!b)
    return finish(out, b, failed);
  ew_alert_fact(b, "suspected_discipline", "%s", by_mark ? "true" : "false");
  const char *cats =
      bits_join(ctx->arena, &ew_enum_category, ctx->cfg->r21b.categories);
  ew_alert_fact(b, "referral_categories", "%s", cats ? cats : "");
  if (!cats)
    b->oom = 1;
  ew_alert_fact(b, "reason", "%s",
                by_category && by_mark ? "category,suspected_discipline"
                : by_category          ? "category"
                                       : "suspected_discipline");
  ew_alert_message(b,
                   "%s办理的投诉举报%s经核查属实：%s存在%s问题，涉嫌违纪违法，"
                   "应将问题线索移送纪检监察机关处置。",
                   ctx->agency_label, c->complaint_id, label,
                   category_zh(c->category));
  return finish(out, b, failed);
}
