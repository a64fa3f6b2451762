/*
 * r12_case_duration.c - R12 立案后超期未决 (¶3; 行政处罚法第60条: a decision
 * within 90 days of filing the case): a penalty case (filed_at set) not
 * decided `days` calendar days (default 90) after filed_at, MEDIUM; still
 * not decided `late_days` (default 120: SAMR's 90 + 30 with approval [S6])
 * after filed_at, severity_late (HIGH). One alert per case (discriminator
 * ""), whose severity rises: the same alert id is emitted again.
 *
 * Deadlines are ew_calendar_add_days(filed_at, n): the end of the n-th day
 * after the filing day (第85条: the first day does not count). The time
 * limits of 第60条 exclude 检测、鉴定、听证、公告 periods, which the contract
 * does not carry: the alert is a prompt to check, not proof.
 *
 * The case closes with its decision (decided_at), or, for a case withdrawn
 * without a decision (撤销立案: withdrawn_at set, decided_at absent), with
 * its withdrawal; closing by the first deadline is in time (no finding, an
 * open alert is withdrawn). Closing after it keeps the alert OPEN with the
 * late time in the facts, at the level the closing time reached. Nothing is
 * found before the first deadline passes; the engine is asked to wake the
 * case at each deadline still to come.
 *
 * Facts: filed_at, limit_days, deadline, late_days, late_deadline,
 * decided_at (or none), withdrawn_at (a withdrawn case without decision).
 * detected_at = the first deadline; due_at = the deadline of the level
 * reached.
 */
#include <inttypes.h>

#include "../calendar.h"
#include "../ewtime.h"
#include "rules.h"

#define LEGAL_BASIS "临州办发〔2023〕18号 ¶3；行政处罚法第60条"

int ew_rule_r12(const ew_rule_ctx *ctx, ew_findings *out) {
  if (ctx->rec->kind != EW_REC_PENALTY)
    return 0;
  const ew_penalty *p = &ctx->rec->u.penalty;
  const int64_t days = ctx->cfg->r12.days, late_days = ctx->cfg->r12.late_days;
  if (p->filed_at == EW_NONE)
    return 0;
  ew_time due = ew_calendar_add_days(p->filed_at, days);
  ew_time due_late = ew_calendar_add_days(p->filed_at, late_days);
  if (due == EW_NONE)
    return 0;
  /* A late level configured at or before the first adds nothing. */
  if (due_late != EW_NONE && due_late <= due)
    due_late = EW_NONE;
  int by_withdrawal = p->decided_at == EW_NONE && p->withdrawn_at != EW_NONE;
  ew_time closed = by_withdrawal ? p->withdrawn_at : p->decided_at;
  if (closed != EW_NONE && closed <= due)
    return 0;
  if (!ew_deadline_passed(ctx, out, due))
    return 0;
  int late = due_late != EW_NONE && (closed == EW_NONE || closed > due_late) &&
             ew_deadline_passed(ctx, out, due_late);

  ew_alert_builder *b = ew_finding_add(ctx, out, "R12", "",
                                       late ? ctx->cfg->r12.severity_late
                                            : ctx->cfg->r12.c.severity,
                                       LEGAL_BASIS);
  if (!b)
    return 0;
  b->alert.detected_at = due;
  b->alert.due_at = late ? due_late : due;
  char t[EW_TIME_BUFSZ], d1[11], d2[11], d3[11];
  ew_alert_fact(b, "filed_at", "%s", ew_time_format(p->filed_at, t));
  ew_alert_fact(b, "limit_days", "%" PRId64, days);
  ew_alert_fact(b, "deadline", "%s", ew_time_format(due, t));
  if (due_late != EW_NONE) {
    ew_alert_fact(b, "late_days", "%" PRId64, late_days);
    ew_alert_fact(b, "late_deadline", "%s", ew_time_format(due_late, t));
  }
  ew_alert_fact(b, "decided_at", "%s",
                p->decided_at == EW_NONE ? "none"
                                         : ew_time_format(p->decided_at, t));
  if (by_withdrawal)
    ew_alert_fact(b, "withdrawn_at", "%s", ew_time_format(p->withdrawn_at, t));

  const char *who = ew_rule_phrase(ctx, out);
  ew_time_date(p->filed_at, d1);
  if (closed == EW_NONE)
    ew_alert_message(
        b, "%s所涉案件于%s立案，至%s（立案后%" PRId64 "日）仍未作出处理决定。",
        who, d1, ew_time_date(b->alert.due_at, d2), late ? late_days : days);
  else
    ew_alert_message(b,
                     "%s所涉案件于%s立案，迟至%s才%s，超过立案后%" PRId64
                     "日的办案期限（%s）。",
                     who, d1, ew_time_date(closed, d3),
                     by_withdrawal ? "撤销" : "作出处理决定",
                     late ? late_days : days,
                     ew_time_date(b->alert.due_at, d2));
  if (b->oom)
    out->oom = 1;
  return 0;
}
