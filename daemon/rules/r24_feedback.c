/*
 * r24_feedback.c - R24 监督文书整改反馈超期 (§三(三) 「接到…行政执法监督
 * 建议书…后，应按要求整改到位并及时反馈整改结果」).
 *
 * The subject is an issued notice (subject NOTICE, notices.c) of a type that
 * asks for a report (r24.notice_types: 监督意见书, 监督建议书, 责令改正; a 通报
 * or a referral asks for none). Its feedback is the latest feedback event
 * with its notice_id. The deadline is the notice's own feedback_due_at (what
 * the agency was told), else issued_at + feedback_days.
 *   - feedback_at <= deadline: closed, nothing (an open R24 is withdrawn);
 *   - no feedback when the deadline has passed: MEDIUM, detected_at = due_at
 *     = the deadline;
 *   - still none escalate_days later: severity_late (HIGH), same alert,
 *     due_at = that second deadline, which notices.c issues the 通报
 *     (INSPECTION_BULLETIN) at;
 *   - feedback after the deadline: stays OPEN with the late time in facts,
 *     HIGH only when it came after the second deadline too.
 * Any feedback result (DONE, PARTIAL, DISPUTED) counts as the report: §三
 * (三) asks that the result be reported, and a PARTIAL or DISPUTED answer is
 * the supervisor's to judge, not a missing report.
 *
 * A notice whose every listed alert was WITHDRAWN at or before the deadline
 * needs no feedback: the data the notice rested on no longer shows the
 * problem (the agency put it right, or the finding was a data error), and
 * reporting on a finding that is gone would be a formality. The duty stays
 * once the deadline has passed with an alert still open, and for a notice
 * listing no alert or an alert whose state is unknown.
 *
 * Facts never depend on the time judged: notice_type, issued_at,
 * feedback_due_at, escalate_at, escalate_days, alerts (how many the notice
 * lists), feedback_at (none, or the late time) and feedback_result.
 */
#include <inttypes.h>
#include <string.h>

#include "../calendar.h"
#include "../ewtime.h"
#include "rules.h"

#define LEGAL_BASIS "临州办发〔2023〕18号 三(三)"

static const char *notice_type_zh(int t) {
  switch (t) {
  case EW_NT_SUPERVISION_OPINION:
    return "行政执法监督意见书";
  case EW_NT_SUPERVISION_SUGGESTION:
    return "行政执法监督建议书";
  case EW_NT_ORDER_CORRECTION:
    return "责令改正通知书";
  case EW_NT_INSPECTION_BULLETIN:
    return "通报";
  case EW_NT_REFERRAL_DISCIPLINE:
    return "问题线索移送函";
  case EW_NT_REFERRAL_JUDICIAL:
    return "案件移送函";
  default:
    return "监督通知";
  }
}

/* 1 when the notice lists alerts and each was WITHDRAWN at or before
 * `due`, 0 otherwise, -1 on a store failure. */
static int all_withdrawn_by(const ew_rule_ctx *ctx, const ew_notice *n,
                            ew_time due) {
  if (!n->alert_ids.n)
    return 0;
  for (size_t i = 0; i < n->alert_ids.n; i++) {
    ew_alert_state st;
    int found;
    if (ew_store_alert_state_get(ctx->store, n->alert_ids.v[i], ctx->arena, &st,
                                 &found) < 0)
      return -1;
    /* A withdrawn state's detected_at is the withdrawing snapshot's
     * event_time. */
    if (!found || st.status != EW_AST_WITHDRAWN || st.detected_at > due)
      return 0;
  }
  return 1;
}

int ew_rule_r24(const ew_rule_ctx *ctx, ew_findings *out) {
  if (ctx->rec->kind != EW_REC_NOTICE)
    return 0;
  const ew_notice *n = &ctx->rec->u.notice;
  const ew_rules_config *cfg = ctx->cfg;
  int type = n->notice_type;
  if (type < 0 || type >= 32 || !(cfg->r24.notice_types & (1u << type)))
    return 0;
  ew_time due =
      n->feedback_due_at != EW_NONE
          ? n->feedback_due_at
          : ew_calendar_add_days(n->issued_at, cfg->r24.feedback_days);
  if (due == EW_NONE)
    return 0;

  ew_record fb;
  int found = 0;
  memset(&fb, 0, sizeof fb);
  if (ew_store_snapshot_get(ctx->store, EW_REC_FEEDBACK, n->notice_id,
                            ctx->arena, &fb, &found) < 0)
    return -1;
  const ew_feedback *f = found ? &fb.u.feedback : NULL;
  /* feedback_at is required by the contract; a hand-made record without
   * it is dated by its event. */
  ew_time fat = !f                          ? EW_NONE
                : f->feedback_at != EW_NONE ? f->feedback_at
                                            : f->event_time;
  if (f && fat != EW_NONE && fat <= due)
    return 0; /* reported in time: the notice is closed */

  if (!ew_deadline_passed(ctx, out, due))
    return 0;
  int rc = all_withdrawn_by(ctx, n, due);
  if (rc != 0)
    return rc < 0 ? -1 : 0;

  ew_time esc = ew_calendar_add_days(due, cfg->r24.escalate_days);
  /* Escalated when still nothing at the second deadline; a late report
   * that came before it stops the escalation (and its wake-up). */
  int late =
      esc != EW_NONE && (!f || fat > esc) && ew_deadline_passed(ctx, out, esc);

  ew_alert_builder *b = ew_finding_add(
      ctx, out, "R24", "", late ? cfg->r24.severity_late : cfg->r24.c.severity,
      LEGAL_BASIS);
  if (!b)
    return 0;
  b->alert.detected_at = due;
  b->alert.due_at = late ? esc : due;
  if (f)
    ew_alert_evidence(b, f->event_id);

  char t_issued[EW_TIME_BUFSZ], t_due[EW_TIME_BUFSZ], t_esc[EW_TIME_BUFSZ],
      t_fb[EW_TIME_BUFSZ];
  ew_time_format(n->issued_at, t_issued);
  ew_time_format(due, t_due);
  if (esc != EW_NONE)
    ew_time_format(esc, t_esc);
  else
    strcpy(t_esc, "none");
  if (f)
    ew_time_format(fat, t_fb);
  ew_alert_fact(b, "notice_type", "%s",
                ew_sym(&ew_enum_notice_type, n->notice_type));
  ew_alert_fact(b, "issued_at", "%s", t_issued);
  ew_alert_fact(b, "feedback_due_at", "%s", t_due);
  ew_alert_fact(b, "escalate_at", "%s", t_esc);
  ew_alert_fact(b, "escalate_days", "%" PRId64, cfg->r24.escalate_days);
  ew_alert_fact(b, "alerts", "%zu", n->alert_ids.n);
  ew_alert_fact(b, "feedback_at", "%s", f ? t_fb : "none");
  if (f)
    ew_alert_fact(b, "feedback_result", "%s",
                  ew_sym(&ew_enum_feedback_result, f->result));

  char d_issued[11], d_due[11], d_fb[11];
  ew_time_date(n->issued_at, d_issued);
  ew_time_date(due, d_due);
  if (f)
    ew_time_date(fat, d_fb);
  const char *head =
      ew_arena_printf(ctx->arena, "%s收到的%s%s（%s印发）应于%s前反馈整改结果",
                      ctx->agency_label, notice_type_zh(n->notice_type),
                      n->notice_id, d_issued, d_due);
  if (!head) {
    out->oom = 1;
    return 0;
  }
  if (!f && !late)
    ew_alert_message(b, "%s，逾期未反馈。", head);
  else if (!f)
    ew_alert_message(b, "%s，逾期%" PRId64 "日仍未反馈，应予通报。", head,
                     cfg->r24.escalate_days);
  else if (!late)
    ew_alert_message(b, "%s，迟至%s才反馈。", head, d_fb);
  else
    ew_alert_message(b, "%s，逾期%" PRId64 "日以上、迟至%s才反馈，应予通报。",
                     head, cfg->r24.escalate_days, d_fb);
  if (b->oom)
    out->oom = 1;
  return 0;
}
