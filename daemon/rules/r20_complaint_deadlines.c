/*
 * r20_complaint_deadlines.c - R20 投诉举报办理超期 (¶12 「及时依法做好投诉线索
 * 受理与核查反馈工作」). R20a judges complaints about enforcement conduct
 * (subject_type ENFORCEMENT_CONDUCT, local rules [S11]), R20b complaints
 * against an enterprise (ENTERPRISE_VIOLATION, 市场监督管理投诉举报处理暂行
 * 办法 [S9]). Each has two stages, one alert per complaint and stage
 * (discriminators "accept" and "conclude"):
 *
 *   accept    accepted or rejected (accepted_at / rejected_at, the earlier
 *             when both are stated) within accept_workdays working days
 *             of received_at (R20a 5, R20b 7).
 *   conclude  a complaint accepted (accepted_at) and not rejected (no
 *             rejected_at, status not REJECTED) concluded (concluded_at)
 *             within R20a: conclude_days calendar days of accepted_at
 *             (30) plus its extension_days, of which at most
 *             max_extension_days (30) count; R20b: conclude_workdays
 *             working days (45). Without accepted_at the conclusion has no
 *             start and is not judged (the accept stage reports it).
 *
 * Overdue: MEDIUM (the common severity); past twice the limit (the same
 * count doubled: 10 WD, 2 x (30 + extension) d, 90 WD): severity_late
 * (HIGH), the same alert with its severity raised. Nothing is found before
 * the first deadline passes (ew_deadline_passed wakes the complaint there,
 * and at the doubled deadline while the act is still missing). An act by
 * the deadline withdraws an open alert; an act after it keeps the alert
 * OPEN with the late time in the facts, at the level the act reached.
 * A status that says the act happened (ACCEPTED, VERIFYING, CONCLUDED ...)
 * without its time is judged as not done, with the fact value not_stated:
 * the supervisor cannot see that the act was on time.
 *
 * Facts: stage; accept: received_at, limit_workdays, accepted_at,
 * rejected_at; conclude: accepted_at, limit_days (R20a, extension
 * included; extension_days, extension_allowed) or limit_workdays (R20b),
 * concluded_at; both: deadline, late_deadline (times, "none" when not
 * stated). detected_at = the first deadline, due_at = the deadline of the
 * level reached. The alert goes to the handling agency (the engine's
 * agency of a complaint), which owns these deadlines.
 */
#include <inttypes.h>
#include <stdio.h>

#include "../calendar.h"
#include "../ewtime.h"
#include "rules.h"

#define BASIS_R20A "临州办发〔2023〕18号 ¶12"
#define BASIS_R20B_ACCEPT                                                      \
  "临州办发〔2023〕18号 ¶12；市场监督管理投诉举报处理暂行办法第14条"
#define BASIS_R20B_CONCLUDE                                                    \
  "临州办发〔2023〕18号 ¶12；市场监督管理投诉举报处理暂行办法第21条"

/* One stage's deadline: `n` working days, or calendar days when `days`. */
typedef struct stage {
  const char *rule, *name, *basis;
  int severity, severity_late;
  int days;
  int64_t n;
  ew_time from;      /* received_at or accepted_at */
  ew_time due, due2; /* the limit and twice it */
  ew_time done;      /* the act, EW_NONE when missing or not stated */
} stage;

/* Places the stage's deadlines; returns 0, 1 when the calendar has no
 * answer (nothing is claimed), -1 on a store failure. */
static int place(const ew_rule_ctx *ctx, stage *s) {
  if (s->days) {
    s->due = ew_calendar_add_days(s->from, s->n);
    s->due2 = ew_calendar_add_days(s->from, 2 * s->n);
    return s->due == EW_NONE ? 1 : 0;
  }
  int rc = ew_calendar_add_workdays(ctx->store, s->from, s->n, &s->due);
  if (rc != 0)
    return rc;
  rc = ew_calendar_add_workdays(ctx->store, s->from, 2 * s->n, &s->due2);
  if (rc < 0)
    return -1;
  if (rc > 0)
    s->due2 = EW_NONE;
  return 0;
}

/* 0 when nothing is to be found (in time, or the deadline still to come),
 * 1 overdue, 2 past twice the limit. */
static int level(const ew_rule_ctx *ctx, ew_findings *out, const stage *s) {
  if (s->done != EW_NONE && s->done <= s->due)
    return 0;
  if (!ew_deadline_passed(ctx, out, s->due))
    return 0;
  if (s->due2 != EW_NONE && s->due2 > s->due &&
      (s->done == EW_NONE || s->done > s->due2) &&
      ew_deadline_passed(ctx, out, s->due2))
    return 2;
  return 1;
}

static ew_alert_builder *start(const ew_rule_ctx *ctx, ew_findings *out,
                               const stage *s, int lvl) {
  ew_alert_builder *b =
      ew_finding_add(ctx, out, s->rule, s->name,
                     lvl == 2 ? s->severity_late : s->severity, s->basis);
  if (!b)
    return NULL;
  b->alert.detected_at = s->due;
  b->alert.due_at = lvl == 2 ? s->due2 : s->due;
  ew_alert_fact(b, "stage", "%s", s->name);
  return b;
}

static void deadline_facts(ew_alert_builder *b, const stage *s) {
  char t[EW_TIME_BUFSZ];
  ew_alert_fact(b, "deadline", "%s", ew_time_format(s->due, t));
  ew_alert_fact(b, "late_deadline", "%s",
                s->due2 == EW_NONE ? "none" : ew_time_format(s->due2, t));
}

/* "2025-03-04T10:00:00+08:00", "none", or "not_stated" when `said` (the
 * status says the act happened but its time is absent). */
static const char *time_fact(ew_time t, int said, char *buf) {
  return t != EW_NONE ? ew_time_format(t, buf) : said ? "not_stated" : "none";
}

static int accepted_status(int st) {
  return st == EW_CST_ACCEPTED || st == EW_CST_VERIFYING ||
         st == EW_CST_CONCLUDED;
}

static int judge_accept(const ew_rule_ctx *ctx, ew_findings *out, stage *s) {
  const ew_complaint *c = &ctx->rec->u.complaint;
  const char *unit = "个工作日";
  int rc = place(ctx, s);
  if (rc != 0)
    return rc < 0 ? -1 : 0;
  ew_time acc = c->accepted_at, rej = c->rejected_at;
  int rejected = rej != EW_NONE && (acc == EW_NONE || rej < acc);
  s->done = rejected ? rej : acc;
  int lvl = level(ctx, out, s);
  if (!lvl)
    return 0;

  ew_alert_builder *b = start(ctx, out, s, lvl);
  if (!b)
    return 0;
  char t[EW_TIME_BUFSZ], d1[11], d2[11], d3[11];
  int acc_said = accepted_status(c->status);
  int rej_said = c->status == EW_CST_REJECTED;
  ew_alert_fact(b, "received_at", "%s", ew_time_format(s->from, t));
  ew_alert_fact(b, "limit_workdays", "%" PRId64, s->n);
  deadline_facts(b, s);
  ew_alert_fact(b, "accepted_at", "%s", time_fact(acc, acc_said, t));
  ew_alert_fact(b, "rejected_at", "%s", time_fact(rej, rej_said, t));

  const char *who = ew_rule_phrase(ctx, out);
  ew_time_date(s->from, d1);
  if (s->done != EW_NONE)
    ew_alert_message(b,
                     "%s于%s收到，迟至%s才作出%s决定，晚于受理期限%s（收到后"
                     "%" PRId64 "%s）%s。",
                     who, d1, ew_time_date(s->done, d3),
                     rejected ? "不予受理" : "受理", ew_time_date(s->due, d2),
                     s->n, unit, lvl == 2 ? "，超过期限的两倍" : "");
  else if (acc_said || rej_said)
    ew_alert_message(b,
                     "%s于%s收到，状态为%s但未载明%s时间，无法确认在受理期限%s"
                     "（收到后%" PRId64 "%s）内作出决定。",
                     who, d1, ew_sym(&ew_enum_complaint_status, c->status),
                     rej_said ? "不予受理" : "受理", ew_time_date(s->due, d2),
                     s->n, unit);
  else if (lvl == 2)
    ew_alert_message(b,
                     "%s于%s收到，至%s（受理期限的两倍，收到后%" PRId64
                     "%s）仍未作出受理或不予受理决定。",
                     who, d1, ew_time_date(s->due2, d2), 2 * s->n, unit);
  else
    ew_alert_message(b,
                     "%s于%s收到，至受理期限%s（收到后%" PRId64
                     "%s）仍未作出受理或不予受理决定。",
                     who, d1, ew_time_date(s->due, d2), s->n, unit);
  if (b->oom)
    out->oom = 1;
  return 0;
}

/* `ext`, `allowed`: R20a's extension as stated and as counted; -1 for
 * R20b, which has none. */
static int judge_conclude(const ew_rule_ctx *ctx, ew_findings *out, stage *s,
                          int64_t ext, int64_t allowed) {
  const ew_complaint *c = &ctx->rec->u.complaint;
  const char *unit = s->days ? "日" : "个工作日";
  if (c->accepted_at == EW_NONE || c->rejected_at != EW_NONE ||
      c->status == EW_CST_REJECTED)
    return 0;
  int rc = place(ctx, s);
  if (rc != 0)
    return rc < 0 ? -1 : 0;
  s->done = c->concluded_at;
  int lvl = level(ctx, out, s);
  if (!lvl)
    return 0;

  ew_alert_builder *b = start(ctx, out, s, lvl);
  if (!b)
    return 0;
  char t[EW_TIME_BUFSZ], d1[11], d2[11], d3[11], extra[64] = "";
  int said = c->status == EW_CST_CONCLUDED;
  ew_alert_fact(b, "accepted_at", "%s", ew_time_format(s->from, t));
  if (s->days) {
    ew_alert_fact(b, "limit_days", "%" PRId64, s->n);
    ew_alert_fact(b, "extension_days", "%" PRId64, ext);
    ew_alert_fact(b, "extension_allowed", "%" PRId64, allowed);
    if (allowed > 0)
      snprintf(extra, sizeof extra, "，含延长%" PRId64 "日", allowed);
  } else {
    ew_alert_fact(b, "limit_workdays", "%" PRId64, s->n);
  }
  deadline_facts(b, s);
  ew_alert_fact(b, "concluded_at", "%s", time_fact(c->concluded_at, said, t));

  const char *who = ew_rule_phrase(ctx, out);
  ew_time_date(s->from, d1);
  if (s->done != EW_NONE)
    ew_alert_message(
        b,
        "%s于%s受理，迟至%s才办结，晚于办结期限%s（受理后%" PRId64 "%s%s）%s。",
        who, d1, ew_time_date(s->done, d3), ew_time_date(s->due, d2), s->n,
        unit, extra, lvl == 2 ? "，超过期限的两倍" : "");
  else if (said)
    ew_alert_message(b,
                     "%s于%s受理，状态为已办结但未载明办结时间，无法确认在办结"
                     "期限%s（受理后%" PRId64 "%s%s）内办结。",
                     who, d1, ew_time_date(s->due, d2), s->n, unit, extra);
  else if (lvl == 2)
    ew_alert_message(
        b, "%s于%s受理，至%s（办结期限的两倍，受理后%" PRId64 "%s）仍未办结。",
        who, d1, ew_time_date(s->due2, d2), 2 * s->n, unit);
  else
    ew_alert_message(
        b, "%s于%s受理，至办结期限%s（受理后%" PRId64 "%s%s）仍未办结。", who,
        d1, ew_time_date(s->due, d2), s->n, unit, extra);
  if (b->oom)
    out->oom = 1;
  return 0;
}

int ew_rule_r20a(const ew_rule_ctx *ctx, ew_findings *out) {
  if (ctx->rec->kind != EW_REC_COMPLAINT ||
      ctx->rec->u.complaint.subject_type != EW_CSUBJ_ENFORCEMENT_CONDUCT)
    return 0;
  const ew_complaint *c = &ctx->rec->u.complaint;
  const ew_rules_config *cfg = ctx->cfg;
  stage acc = {.rule = "R20a",
               .name = "accept",
               .basis = BASIS_R20A,
               .severity = cfg->r20a.c.severity,
               .severity_late = cfg->r20a.severity_late,
               .n = cfg->r20a.accept_workdays,
               .from = c->received_at};
  if (judge_accept(ctx, out, &acc) < 0)
    return -1;
  /* An extension beyond the maximum is not counted (granted or not, the
   * rules allow no more). */
  int64_t ext = c->extension_days > 0 ? c->extension_days : 0;
  int64_t allowed =
      ext < cfg->r20a.max_extension_days ? ext : cfg->r20a.max_extension_days;
  stage con = {.rule = "R20a",
               .name = "conclude",
               .basis = BASIS_R20A,
               .severity = cfg->r20a.c.severity,
               .severity_late = cfg->r20a.severity_late,
               .days = 1,
               .n = cfg->r20a.conclude_days + allowed,
               .from = c->accepted_at};
  return judge_conclude(ctx, out, &con, c->extension_days, allowed);
}

int ew_rule_r20b(const ew_rule_ctx *ctx, ew_findings *out) {
  if (ctx->rec->kind != EW_REC_COMPLAINT ||
      ctx->rec->u.complaint.subject_type != EW_CSUBJ_ENTERPRISE_VIOLATION)
    return 0;
  const ew_complaint *c = &ctx->rec->u.complaint;
  const ew_rules_config *cfg = ctx->cfg;
  stage acc = {.rule = "R20b",
               .name = "accept",
               .basis = BASIS_R20B_ACCEPT,
               .severity = cfg->r20b.c.severity,
               .severity_late = cfg->r20b.severity_late,
               .n = cfg->r20b.accept_workdays,
               .from = c->received_at};
  if (judge_accept(ctx, out, &acc) < 0)
    return -1;
  stage con = {.rule = "R20b",
               .name = "conclude",
               .basis = BASIS_R20B_CONCLUDE,
               .severity = cfg->r20b.c.severity,
               .severity_late = cfg->r20b.severity_late,
               .n = cfg->r20b.conclude_workdays,
               .from = c->accepted_at};
  return judge_conclude(ctx, out, &con, -1, -1);
}
