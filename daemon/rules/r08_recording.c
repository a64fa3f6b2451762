/*
 * r08_recording.c - R08 全过程记录缺失 (¶3 「执法全过程留痕和可回溯管理」),
 * three rules:
 *
 * R08a (HIGH) 查封、扣押、强制执行 and other on-site acts that directly touch
 *   personal freedom, life and health or major property rights need full
 *   audio-visual recording (国办发〔2018〕118号):
 *   - a penalty whose compulsory_measures include one of the configured
 *     measures (default SEAL, SEIZE, ENFORCE) with av_coverage != FULL. A
 *     compulsory measure is carried out during the investigation, before
 *     the decision, so every penalty snapshot is judged, decided or not;
 *   - an inspection (STARTED/ENDED) that halted production
 *     (production_halted = true): stopping a business on the spot is such
 *     an act on major property rights, so it needs av_coverage FULL and at
 *     least one av_record_id (the inspection names its recordings; a
 *     penalty has no such field, so only its coverage is judged).
 *   Facts: reason (av_not_full | no_av_record_ids), measures (the
 *   configured ones taken, e.g. SEAL,SEIZE) or production_halted=true,
 *   av_coverage, av_records (inspections), required=FULL.
 *
 * R08b (LOW) an inspection (STARTED/ENDED) in a configured mode (default
 *   ON_SITE: 现场检查, 国办发〔2017〕14号) without audio-visual recording:
 *   av_coverage NONE, or no av_record_ids. Facts: reason (av_coverage_none
 *   | no_av_record_ids), mode, av_coverage, av_records,
 *   required=av_records>=1,av_coverage!=NONE. An inspection that halted
 *   production without recording raises both R08a and R08b: one is about
 *   the halt, the other about the check.
 *
 * R08c (MEDIUM) an ENDED inspection, of any mode, without written_record_id
 *   (文字记录: the 检查笔录). Only ENDED: the record is written during the
 *   check and may be filed at its end. Facts: reason=no_written_record,
 *   written_record_id=missing, status, required=written_record_id.
 */
#include <stdio.h>
#include <string.h>

#include "rules.h"

#define LEGAL_BASIS_A "临州办发〔2023〕18号 ¶3；国办发〔2018〕118号"
#define LEGAL_BASIS_B                                                          \
  "临州办发〔2023〕18号 ¶3；国办发〔2018〕118号；国办发〔2017〕14号"
#define LEGAL_BASIS_C "临州办发〔2023〕18号 ¶3"

static int inspection_final(const ew_record *r) {
  return r->kind == EW_REC_INSPECTION &&
         (r->u.inspection.status == EW_INSP_STARTED ||
          r->u.inspection.status == EW_INSP_ENDED);
}

static int in_set(uint32_t set, int v) {
  return v >= 0 && v < 32 && (set & (1u << v));
}

static const char *av_zh(int av) {
  switch (av) {
  case EW_AV_FULL:
    return "全程";
  case EW_AV_PARTIAL:
    return "部分";
  default:
    return "无";
  }
}

static const char *measure_zh(int m) {
  switch (m) {
  case EW_CM_SEAL:
    return "查封";
  case EW_CM_SEIZE:
    return "扣押";
  case EW_CM_ENFORCE:
    return "强制执行";
  default:
    return "行政强制措施";
  }
}

/* ---------------------------------------------------------------- R08a --- */

static int r08a_penalty(const ew_rule_ctx *ctx, ew_findings *out) {
  const ew_penalty *p = &ctx->rec->u.penalty;
  uint32_t set = ctx->cfg->r08a.compulsory_measures;
  char codes[128] = "", zh[128] = "";
  size_t lc = 0, lz = 0, taken = 0;
  if (p->av_coverage == EW_AV_FULL)
    return 0;
  for (int m = 0; m < ew_enum_compulsory_measure.n; m++) {
    int listed = 0;
    for (size_t i = 0; i < p->compulsory_measures.n && !listed; i++)
      listed = p->compulsory_measures.v[i] == m;
    if (!listed || !in_set(set, m))
      continue;
    lc += (size_t)snprintf(codes + lc, sizeof codes - lc, "%s%s",
                           taken ? "," : "",
                           ew_sym(&ew_enum_compulsory_measure, m));
    lz += (size_t)snprintf(zh + lz, sizeof zh - lz, "%s%s", taken ? "、" : "",
                           measure_zh(m));
    taken++;
  }
  if (!taken)
    return 0;
  ew_alert_builder *b = ew_finding_add(
      ctx, out, "R08a", "", ctx->cfg->r08a.c.severity, LEGAL_BASIS_A);
  if (!b)
    return 0;
  ew_alert_fact(b, "reason", "av_not_full");
  ew_alert_fact(b, "measures", "%s", codes);
  ew_alert_fact(b, "av_coverage", "%s",
                ew_sym(&ew_enum_av_coverage, p->av_coverage));
  ew_alert_fact(b, "required", "FULL");
  ew_alert_message(
      b, "%s涉及%s等行政强制措施，但音像记录为%s，未实现全程音像记录。",
      ew_rule_phrase(ctx, out), zh, av_zh(p->av_coverage));
  if (b->oom)
    out->oom = 1;
  return 0;
}

static int r08a_inspection(const ew_rule_ctx *ctx, ew_findings *out) {
  const ew_inspection *in = &ctx->rec->u.inspection;
  const char *reason;
  if (in->production_halted != 1)
    return 0;
  if (in->av_coverage != EW_AV_FULL)
    reason = "av_not_full";
  else if (in->av_record_ids.n == 0)
    reason = "no_av_record_ids";
  else
    return 0;
  ew_alert_builder *b = ew_finding_add(
      ctx, out, "R08a", "", ctx->cfg->r08a.c.severity, LEGAL_BASIS_A);
  if (!b)
    return 0;
  ew_alert_fact(b, "reason", "%s", reason);
  ew_alert_fact(b, "production_halted", "true");
  ew_alert_fact(b, "av_coverage", "%s",
                ew_sym(&ew_enum_av_coverage, in->av_coverage));
  ew_alert_fact(b, "av_records", "%zu", in->av_record_ids.n);
  ew_alert_fact(b, "required", "FULL");
  if (in->av_coverage != EW_AV_FULL)
    ew_alert_message(b,
                     "%s中责令企业停产，但音像记录为%s，未实现全程音像记录。",
                     ew_rule_phrase(ctx, out), av_zh(in->av_coverage));
  else
    ew_alert_message(b,
                     "%s中责令企业停产，称全程音像记录但未载明任何音像记录。",
                     ew_rule_phrase(ctx, out));
  if (b->oom)
    out->oom = 1;
  return 0;
}

int ew_rule_r08a(const ew_rule_ctx *ctx, ew_findings *out) {
  if (ctx->rec->kind == EW_REC_PENALTY)
    return r08a_penalty(ctx, out);
  if (inspection_final(ctx->rec))
    return r08a_inspection(ctx, out);
  return 0;
}

/* ---------------------------------------------------------------- R08b --- */

int ew_rule_r08b(const ew_rule_ctx *ctx, ew_findings *out) {
  if (!inspection_final(ctx->rec))
    return 0;
  const ew_inspection *in = &ctx->rec->u.inspection;
  const char *reason;
  if (!in_set(ctx->cfg->r08b.modes, in->mode))
    return 0;
  if (in->av_coverage == EW_AV_NONE || in->av_coverage < 0)
    reason = "av_coverage_none";
  else if (in->av_record_ids.n == 0)
    reason = "no_av_record_ids";
  else
    return 0;
  ew_alert_builder *b = ew_finding_add(
      ctx, out, "R08b", "", ctx->cfg->r08b.c.severity, LEGAL_BASIS_B);
  if (!b)
    return 0;
  ew_alert_fact(b, "reason", "%s", reason);
  ew_alert_fact(b, "mode", "%s", ew_sym(&ew_enum_mode, in->mode));
  ew_alert_fact(b, "av_coverage", "%s",
                ew_sym(&ew_enum_av_coverage, in->av_coverage));
  ew_alert_fact(b, "av_records", "%zu", in->av_record_ids.n);
  ew_alert_fact(b, "required", "av_records>=1,av_coverage!=NONE");
  if (in->av_coverage == EW_AV_NONE || in->av_coverage < 0)
    ew_alert_message(b, "%s未进行音像记录。", ew_rule_phrase(ctx, out));
  else
    ew_alert_message(b, "%s载明音像记录为%s，但未载明任何音像记录编号。",
                     ew_rule_phrase(ctx, out), av_zh(in->av_coverage));
  if (b->oom)
    out->oom = 1;
  return 0;
}

/* ---------------------------------------------------------------- R08c --- */

int ew_rule_r08c(const ew_rule_ctx *ctx, ew_findings *out) {
  const ew_record *r = ctx->rec;
  if (r->kind != EW_REC_INSPECTION || r->u.inspection.status != EW_INSP_ENDED ||
      (r->u.inspection.written_record_id &&
       r->u.inspection.written_record_id[0]))
    return 0;
  ew_alert_builder *b = ew_finding_add(
      ctx, out, "R08c", "", ctx->cfg->r08c.c.severity, LEGAL_BASIS_C);
  if (!b)
    return 0;
  ew_alert_fact(b, "reason", "no_written_record");
  ew_alert_fact(b, "written_record_id", "missing");
  ew_alert_fact(b, "status", "ENDED");
  ew_alert_fact(b, "required", "written_record_id");
  ew_alert_message(b, "%s已结束，但未载明检查笔录等文字记录。",
                   ew_rule_phrase(ctx, out));
  if (b->oom)
    out->oom = 1;
  return 0;
}
