/*
 * r14_heavy_sanctions.c - R14a 重罚手段: a decision using one of ¶7's heavy
 * sanctions (暂扣许可证件、降低资质等级、吊销许可证件、限制开展生产经营活动、
 * 责令停产停业、责令关闭、限制从业; the config's heavy_types) without each of
 * the safeguards the config requires (行政处罚法第57条 集体讨论, 第58条
 * 法制审核, 第63条 听证). Judged once decided (decided_at set).
 *
 *   legal_review: ew_penalty_review, as R09 judges it (a review id, passed,
 *     and before decided_at).
 *   hearing_offer: neither hearing_offered nor hearing_waived, and no
 *     HEARING procedure. A waiver counts as an offer: the party was told of
 *     the right and declined it, which is what Art 63 asks of the agency.
 *   collective_discussion: collective_discussion not true.
 *
 * R09 and R11 may fire on the same decision: they cite other provisions
 * and other omissions (R09 any major decision, R11 the notice and the
 * hearing window), and a supervisor acts on each separately.
 *
 * One alert per decision. Facts: heavy_types (the penalty's heavy types),
 * missing (the applying ones of legal_review, hearing_offer,
 * collective_discussion, joined by ','), and legal_review (the R09 reason)
 * when the review is missing.
 */
#include <string.h>

#include "rules.h"

#define LEGAL_BASIS "临州办发〔2023〕18号 ¶7；行政处罚法第57条、第58条、第63条"

int ew_rule_r14a(const ew_rule_ctx *ctx, ew_findings *out) {
  if (ctx->rec->kind != EW_REC_PENALTY)
    return 0;
  const ew_penalty *p = &ctx->rec->u.penalty;
  uint32_t heavy = ew_enumv_bits(p->penalty_types) & ctx->cfg->r14a.heavy_types;
  if (p->decided_at == EW_NONE || !heavy)
    return 0;

  ew_review_problem rv = ew_penalty_review(p);
  int no_review = ctx->cfg->r14a.require_legal_review && rv != EW_RV_OK;
  int no_offer = ctx->cfg->r14a.require_hearing_offer &&
                 p->hearing_offered != 1 && p->hearing_waived != 1 &&
                 p->procedure != EW_PROC_HEARING;
  int no_discussion = ctx->cfg->r14a.require_collective_discussion &&
                      p->collective_discussion != 1;
  if (!no_review && !no_offer && !no_discussion)
    return 0;

  ew_alert_builder *b = ew_finding_add(ctx, out, "R14a", "",
                                       ctx->cfg->r14a.c.severity, LEGAL_BASIS);
  if (!b)
    return 0;
  static const struct {
    const char *key, *zh;
  } what[] = {{"legal_review", "法制审核"},
              {"hearing_offer", "听证告知"},
              {"collective_discussion", "负责人集体讨论"}};
  const int on[] = {no_review, no_offer, no_discussion};
  char missing[64] = "", missing_zh[96] = "", types_zh[320] = "";
  for (size_t i = 0; i < 3; i++) {
    if (!on[i])
      continue;
    if (missing[0]) {
      strcat(missing, ",");
      strcat(missing_zh, "、");
    }
    strcat(missing, what[i].key);
    strcat(missing_zh, what[i].zh);
  }
  /* Each heavy type once, in the order of EW_PT_*: all 12 names with their
   * separators take 219 bytes, so types_zh cannot overflow. */
  for (int t = 0; t < 32; t++) {
    if (!(heavy & (1u << t)))
      continue;
    if (types_zh[0])
      strcat(types_zh, "、");
    strcat(types_zh, ew_penalty_type_zh(t));
  }
  const char *types =
      ew_enumv_join(ctx->arena, &ew_enum_penalty_type, p->penalty_types, heavy);
  if (!types) {
    out->oom = 1;
    return 0;
  }
  ew_alert_fact(b, "heavy_types", "%s", types);
  ew_alert_fact(b, "missing", "%s", missing);
  if (no_review)
    ew_alert_fact(b, "legal_review", "%s", ew_review_problem_name(rv));
  ew_alert_message(b, "%s适用%s，但缺少%s。", ew_rule_phrase(ctx, out),
                   types_zh, missing_zh);
  if (b->oom)
    out->oom = 1;
  return 0;
}
