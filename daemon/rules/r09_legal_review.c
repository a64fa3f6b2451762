/*
 * r09_legal_review.c - R09 重大执法决定未法制审核: a major penalty decision
 * made without a passed legal review (法制审核) that precedes it (¶3
 * 「重大执法决定法制审核全覆盖」; 甘肃省重大行政执法决定法制审核办法第3条
 * 「未经审核的，不得作出执法决定」; 行政处罚法第58条).
 *
 * Major: is_major=true as the feed declares it, or, when the config's
 * derive_major is on, hearing-eligible as R11 defines it (Art 58(1)(三):
 * 需经听证程序) or of one of R14a's heavy types ([P] of rules.md). Judged
 * once decided: before decided_at the case is open and review may follow.
 *
 * Fires when the review is missing, not passed (an absent
 * legal_review_passed counts as not passed: the feed cannot show it was),
 * has no time (so cannot be shown to precede the decision), or is not
 * before decided_at. One alert per decision. Facts: is_major, major_because
 * (the applying ones of declared, hearing_eligible, heavy_type, joined by
 * ','), legal_review_id, legal_review_passed (true/false/absent),
 * legal_review_at, decided_at, reason (no_review, not_passed,
 * review_time_missing, review_after_decision; the first that applies).
 */
#include <string.h>

#include "../ewtime.h"
#include "rules.h"

#define LEGAL_BASIS                                                                                 \
  "临州办发〔2023〕18号 ¶3；甘肃省重大行政执法决定法制审核办法第3条；" \
  "行政处罚法第58条"

static const char *time_or_none(char *buf, ew_time t) {
  return t == EW_NONE ? "none" : ew_time_format(t, buf);
}

static const char *review_zh(ew_review_problem rv, const ew_penalty *p) {
  switch (rv) {
  case EW_RV_NONE:
    return "未经法制审核即作出决定";
  case EW_RV_NOT_PASSED:
    return p->legal_review_passed == 0 ? "法制审核未通过即作出决定"
                                       : "未载明法制审核通过即作出决定";
  case EW_RV_TIME_MISSING:
    return "未载明法制审核时间，无法确认审核先于决定";
  default:
    return "法制审核晚于决定作出";
  }
}

int ew_rule_r09(const ew_rule_ctx *ctx, ew_findings *out) {
  if (ctx->rec->kind != EW_REC_PENALTY)
    return 0;
  const ew_penalty *p = &ctx->rec->u.penalty;
  if (p->decided_at == EW_NONE)
    return 0;
  ew_review_problem rv = ew_penalty_review(p);
  if (rv == EW_RV_OK)
    return 0; /* reviewed in time: major or not, nothing to find */

  int declared = p->is_major == 1, hearing = 0, heavy = 0;
  if (ctx->cfg->r09.derive_major) {
    ew_hearing h;
    if (ew_penalty_hearing(ctx, NULL, &h) < 0)
      return -1;
    hearing = h.eligible;
    heavy = (ew_enumv_bits(p->penalty_types) & ctx->cfg->r14a.heavy_types) != 0;
  }
  if (!declared && !hearing && !heavy)
    return 0;

  ew_alert_builder *b = ew_finding_add(ctx, out, "R09", "",
                                       ctx->cfg->r09.c.severity, LEGAL_BASIS);
  if (!b)
    return 0;
  char because[64] = "", why[128] = "", t1[EW_TIME_BUFSZ], t2[EW_TIME_BUFSZ];
  static const struct {
    const char *key, *zh;
  } kinds[] = {{"declared", "已认定为重大执法决定"},
               {"hearing_eligible", "符合听证条件"},
               {"heavy_type", "适用重罚手段"}};
  const int on[] = {declared, hearing, heavy};
  for (size_t i = 0; i < 3; i++) {
    if (!on[i])
      continue;
    if (because[0]) {
      strcat(because, ",");
      strcat(why, "、");
    }
    strcat(because, kinds[i].key);
    strcat(why, kinds[i].zh);
  }
  ew_alert_fact(b, "is_major", "%s", declared ? "true" : "false");
  ew_alert_fact(b, "major_because", "%s", because);
  ew_alert_fact(b, "legal_review_id", "%s",
                p->legal_review_id && *p->legal_review_id ? p->legal_review_id
                                                          : "none");
  ew_alert_fact(b, "legal_review_passed", "%s",
                p->legal_review_passed == 1   ? "true"
                : p->legal_review_passed == 0 ? "false"
                                              : "absent");
  ew_alert_fact(b, "legal_review_at", "%s",
                time_or_none(t1, p->legal_review_at));
  ew_alert_fact(b, "decided_at", "%s", time_or_none(t2, p->decided_at));
  ew_alert_fact(b, "reason", "%s", ew_review_problem_name(rv));
  ew_alert_message(b, "%s属于重大执法决定（%s），但%s。",
                   ew_rule_phrase(ctx, out), why, review_zh(rv, p));
  if (b->oom)
    out->oom = 1;
  return 0;
}
