/*
 * r07_publication.c - R07 执法决定未按时公示 (¶3 「行政执法信息及时准确公示」;
 * 国办发〔2018〕118号: 行政处罚 decisions within 7 working days, other
 * 执法决定 within 20). MEDIUM, one alert per subject (discriminator ""):
 *
 *   penalty      a decision (decided_at set) not published (published_at)
 *                by ew_calendar_add_workdays(decided_at, penalty_workdays).
 *                Procedures in exempt_procedures (default SIMPLE: 当场
 *                warnings, which SAMR's 公示规定 Art 2 leaves unpublished)
 *                are not judged. A decision revoked (withdrawn_at) by the
 *                deadline has nothing left to publish and is not judged
 *                either; one revoked after the deadline while still
 *                unpublished was late all the same and keeps its alert,
 *                with withdrawn_at in the facts.
 *   inspection   an ENDED inspection whose result is an 执法决定 (result in
 *                inspection_results, default RECTIFICATION_ORDERED and
 *                CASE_FILED) not published (result_published_at) by
 *                ew_calendar_add_workdays(ended_at, inspection_workdays);
 *                an ENDED snapshot without ended_at is placed at its
 *                event_time (facts: ended_at_source=event_time).
 *
 * Nothing is found before the deadline passes (the engine is asked to wake
 * the subject just after it); a publication by the deadline withdraws an
 * open alert, one after it keeps the alert OPEN with the late time as
 * published_at. A deadline beyond the calendar's bound is not claimed.
 *
 * Facts: decision (penalty|inspection_result), decided_at or ended_at (+
 * ended_at_source) and result, procedure (penalties), deadline,
 * limit_workdays, published_at (or none), withdrawn_at (when set).
 * detected_at = due_at = the deadline.
 */
#include <inttypes.h>

#include "../calendar.h"
#include "../ewtime.h"
#include "rules.h"

#define LEGAL_BASIS "临州办发〔2023〕18号 ¶3；国办发〔2018〕118号"

/* 「责令改正」...: what an inspection result decided, for messages. */
static const char *result_zh(int result) {
  switch (result) {
  case EW_RES_NO_ISSUE:
    return "未发现问题";
  case EW_RES_RECTIFICATION_ORDERED:
    return "责令整改";
  case EW_RES_GUIDANCE_GIVEN:
    return "行政指导";
  case EW_RES_CASE_FILED:
    return "立案查处";
  case EW_RES_REFERRED:
    return "移送处理";
  default:
    return "检查结果";
  }
}

/* The common part of both findings; NULL on OOM (out->oom set). */
static ew_alert_builder *start(const ew_rule_ctx *ctx, ew_findings *out,
                               ew_time due, const char *decision) {
  ew_alert_builder *b = ew_finding_add(ctx, out, "R07", "",
                                       ctx->cfg->r07.c.severity, LEGAL_BASIS);
  if (!b)
    return NULL;
  b->alert.detected_at = b->alert.due_at = due;
  ew_alert_fact(b, "decision", "%s", decision);
  return b;
}

static int judge_penalty(const ew_rule_ctx *ctx, ew_findings *out) {
  const ew_penalty *p = &ctx->rec->u.penalty;
  const int64_t days = ctx->cfg->r07.penalty_workdays;
  ew_time due;
  if (p->decided_at == EW_NONE)
    return 0;
  if (p->procedure >= 0 && p->procedure < 32 &&
      (ctx->cfg->r07.exempt_procedures & (1u << p->procedure)))
    return 0;
  int rc = ew_calendar_add_workdays(ctx->store, p->decided_at, days, &due);
  if (rc < 0)
    return -1;
  if (rc > 0)
    return 0;
  if (p->published_at != EW_NONE && p->published_at <= due)
    return 0;
  if (p->withdrawn_at != EW_NONE && p->withdrawn_at <= due)
    return 0;
  if (!ew_deadline_passed(ctx, out, due))
    return 0;

  ew_alert_builder *b = start(ctx, out, due, "penalty");
  if (!b)
    return 0;
  char t[EW_TIME_BUFSZ], d1[11], d2[11], d3[11];
  ew_alert_fact(b, "decided_at", "%s", ew_time_format(p->decided_at, t));
  ew_alert_fact(b, "procedure", "%s", ew_sym(&ew_enum_procedure, p->procedure));
  ew_alert_fact(b, "deadline", "%s", ew_time_format(due, t));
  ew_alert_fact(b, "limit_workdays", "%" PRId64, days);
  ew_alert_fact(
      b, "published_at", "%s",
      p->published_at == EW_NONE ? "none" : ew_time_format(p->published_at, t));
  if (p->withdrawn_at != EW_NONE)
    ew_alert_fact(b, "withdrawn_at", "%s", ew_time_format(p->withdrawn_at, t));
  const char *who = ew_rule_phrase(ctx, out);
  ew_time_date(p->decided_at, d1);
  ew_time_date(due, d2);
  if (p->published_at == EW_NONE)
    ew_alert_message(
        b, "%s于%s作出，至公示期限%s（作出后%" PRId64 "个工作日）仍未公示。",
        who, d1, d2, days);
  else
    ew_alert_message(b,
                     "%s于%s作出，迟至%s才公示，晚于公示期限%s（作出后%" PRId64
                     "个工作日）。",
                     who, d1, ew_time_date(p->published_at, d3), d2, days);
  if (b->oom)
    out->oom = 1;
  return 0;
}

static int judge_inspection(const ew_rule_ctx *ctx, ew_findings *out) {
  const ew_inspection *in = &ctx->rec->u.inspection;
  const int64_t days = ctx->cfg->r07.inspection_workdays;
  ew_time due;
  if (in->status != EW_INSP_ENDED || in->result < 0 || in->result >= 32 ||
      !(ctx->cfg->r07.inspection_results & (1u << in->result)))
    return 0;
  int ended_stated = in->ended_at != EW_NONE;
  ew_time ended = ended_stated ? in->ended_at : ctx->event_time;
  int rc = ew_calendar_add_workdays(ctx->store, ended, days, &due);
  if (rc < 0)
    return -1;
  if (rc > 0)
    return 0;
  ew_time pub = in->result_published_at;
  if (pub != EW_NONE && pub <= due)
    return 0;
  if (!ew_deadline_passed(ctx, out, due))
    return 0;

  ew_alert_builder *b = start(ctx, out, due, "inspection_result");
  if (!b)
    return 0;
  char t[EW_TIME_BUFSZ], d1[11], d2[11], d3[11];
  ew_alert_fact(b, "ended_at", "%s", ew_time_format(ended, t));
  if (!ended_stated)
    ew_alert_fact(b, "ended_at_source", "event_time");
  ew_alert_fact(b, "result", "%s",
                ew_sym(&ew_enum_inspection_result, in->result));
  ew_alert_fact(b, "deadline", "%s", ew_time_format(due, t));
  ew_alert_fact(b, "limit_workdays", "%" PRId64, days);
  ew_alert_fact(b, "published_at", "%s",
                pub == EW_NONE ? "none" : ew_time_format(pub, t));
  const char *who = ew_rule_phrase(ctx, out);
  ew_time_date(ended, d1);
  ew_time_date(due, d2);
  if (pub == EW_NONE)
    ew_alert_message(b,
                     "%s于%s结束并作出%s决定，至公示期限%s（结束后%" PRId64
                     "个工作日）检查结果仍未公示。",
                     who, d1, result_zh(in->result), d2, days);
  else
    ew_alert_message(b,
                     "%s于%s结束并作出%s决定，检查结果迟至%s才公示，晚于公示"
                     "期限%s（结束后%" PRId64 "个工作日）。",
                     who, d1, result_zh(in->result), ew_time_date(pub, d3), d2,
                     days);
  if (b->oom)
    out->oom = 1;
  return 0;
}

int ew_rule_r07(const ew_rule_ctx *ctx, ew_findings *out) {
  switch (ctx->rec->kind) {
  case EW_REC_PENALTY:
    return judge_penalty(ctx, out);
  case EW_REC_INSPECTION:
    return judge_inspection(ctx, out);
  default:
    return 0;
  }
}
