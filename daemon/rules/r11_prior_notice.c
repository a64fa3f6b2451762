/*
 * r11_prior_notice.c - R11 处罚前未告知/未告知听证 (¶4 「作出行政执法决定前，
 * 要告知行政相对人…依据、内容、事实、理由」; 行政处罚法第44条、第63条、
 * 第64条). Judged once decided (decided_at set). One alert per reason (the
 * discriminator), all at the configured severity (HIGH):
 *
 *   no_notice / notice_after_decision: notice_of_rights_at absent, or not
 *     before decided_at. Required of GENERAL and HEARING procedures. A
 *     SIMPLE (简易程序, 当场) decision still tells the party its rights, but
 *     orally on the spot with no written notice for the feed to time, so it
 *     is exempt, unless the case is hearing-eligible: such a case cannot
 *     lawfully go by the simple procedure, and the hearing right is told in
 *     the Art 44 notice (Art 63-64).
 *   hearing_not_offered: hearing-eligible (ew_penalty_hearing) and no
 *     hearing offered. Judged whatever the procedure. A HEARING procedure or
 *     hearing_waived=true count as offered: a hearing held was offered, and
 *     only a right one was told of can be waived.
 *   decided_before_hearing_window: hearing-eligible, offered, not waived,
 *     no hearing held, notice before the decision, and decided_at no later
 *     than window_end: the party may ask for a hearing 「五日内」 of being
 *     told (Art 64), and Art 85 makes the law's 「五日」 working days, so
 *     window_end = ew_calendar_add_workdays(notice_of_rights_at,
 *     hearing_request_workdays), the last millisecond of the n-th working
 *     day after the notice's date (Asia/Shanghai, calendar_day records
 *     included). A decision on that last day still fires: the party had
 *     until its end to ask. When the calendar has no answer within its
 *     bound (a calendar_day feed marking years as holidays), the window
 *     cannot be placed and nothing is claimed: no finding, no guess.
 *
 * Facts: reason, procedure, hearing_eligible, notice_of_rights_at,
 * decided_at; for the hearing reasons also hearing_types (the eligible
 * types present, "none"), fine_fen, confiscated_fen, hearing_threshold_fen,
 * threshold_source (benchmark/config), hearing_offered, hearing_waived; and
 * for the window hearing_request_workdays and window_end.
 */
#include <inttypes.h>
#include <string.h>

#include "../calendar.h"
#include "../ewtime.h"
#include "rules.h"

#define LEGAL_BASIS "临州办发〔2023〕18号 ¶4；行政处罚法第44条、第63条、第64条"

static const char *time_or_none(char *buf, ew_time t) {
  return t == EW_NONE ? "none" : ew_time_format(t, buf);
}

/* 「吊销许可证件、责令关闭」 or 「罚没金额达到听证标准」: why a hearing was
 * due. */
static const char *why_hearing(ew_arena *a, const ew_penalty *p,
                               const ew_hearing *h) {
  size_t len = 64;
  for (size_t i = 0; i < p->penalty_types.n; i++)
    len += strlen(ew_penalty_type_zh(p->penalty_types.v[i])) + 3;
  char *s = ew_arena_alloc(a, len), *q = s;
  if (!s)
    return NULL;
  uint32_t done = 0;
  for (size_t i = 0; i < p->penalty_types.n; i++) {
    int t = p->penalty_types.v[i];
    if (t < 0 || t >= 32 || !(h->types & (1u << t)) || (done & (1u << t)))
      continue;
    done |= 1u << t;
    if (q != s)
      q += strlen(strcpy(q, "、"));
    q += strlen(strcpy(q, ew_penalty_type_zh(t)));
  }
  if (h->by_amount) {
    if (q != s)
      q += strlen(strcpy(q, "、"));
    q += strlen(strcpy(q, "罚没金额达到听证标准"));
  }
  *q = '\0';
  return s;
}

static ew_alert_builder *start(const ew_rule_ctx *ctx, ew_findings *out,
                               const char *reason, const ew_hearing *h) {
  const ew_penalty *p = &ctx->rec->u.penalty;
  char t1[EW_TIME_BUFSZ], t2[EW_TIME_BUFSZ];
  ew_alert_builder *b = ew_finding_add(ctx, out, "R11", reason,
                                       ctx->cfg->r11.c.severity, LEGAL_BASIS);
  if (!b)
    return NULL;
  ew_alert_fact(b, "reason", "%s", reason);
  ew_alert_fact(b, "procedure", "%s", ew_sym(&ew_enum_procedure, p->procedure));
  ew_alert_fact(b, "hearing_eligible", "%s", h->eligible ? "true" : "false");
  ew_alert_fact(b, "notice_of_rights_at", "%s",
                time_or_none(t1, p->notice_of_rights_at));
  ew_alert_fact(b, "decided_at", "%s", time_or_none(t2, p->decided_at));
  return b;
}

static void hearing_facts(const ew_rule_ctx *ctx, ew_findings *out,
                          ew_alert_builder *b, const ew_hearing *h) {
  const ew_penalty *p = &ctx->rec->u.penalty;
  const char *types = ew_enumv_join(ctx->arena, &ew_enum_penalty_type,
                                    p->penalty_types, h->types);
  if (!types) {
    out->oom = 1;
    return;
  }
  ew_alert_fact(b, "hearing_types", "%s", *types ? types : "none");
  ew_alert_fact(b, "fine_fen", "%" PRId64, p->fine_fen);
  ew_alert_fact(b, "confiscated_fen", "%" PRId64, p->confiscated_fen);
  ew_alert_fact(b, "hearing_threshold_fen", "%" PRId64, h->threshold_fen);
  ew_alert_fact(b, "threshold_source", "%s", h->threshold_of);
  ew_alert_fact(b, "hearing_offered", "%s",
                p->hearing_offered == 1 ? "true" : "false");
  ew_alert_fact(b, "hearing_waived", "%s",
                p->hearing_waived == 1 ? "true" : "false");
}

static void finish(ew_findings *out, ew_alert_builder *b) {
  if (b && b->oom)
    out->oom = 1;
}

int ew_rule_r11(const ew_rule_ctx *ctx, ew_findings *out) {
  if (ctx->rec->kind != EW_REC_PENALTY)
    return 0;
  const ew_penalty *p = &ctx->rec->u.penalty;
  if (p->decided_at == EW_NONE)
    return 0;
  ew_hearing h;
  if (ew_penalty_hearing(ctx, NULL, &h) < 0)
    return -1;
  ew_time notice = p->notice_of_rights_at, decided = p->decided_at;
  ew_alert_builder *b;

  if (p->procedure != EW_PROC_SIMPLE || h.eligible) {
    if (notice == EW_NONE) {
      b = start(ctx, out, "no_notice", &h);
      if (b)
        ew_alert_message(
            b,
            "%s作出前未告知当事人拟作出的行政处罚内容及事实、理由、"
            "依据和依法享有的陈述、申辩%s权利。",
            ew_rule_phrase(ctx, out), h.eligible ? "、要求听证" : "");
      finish(out, b);
    } else if (notice >= decided) {
      b = start(ctx, out, "notice_after_decision", &h);
      if (b)
        ew_alert_message(
            b,
            "%s的处罚前告知不早于决定作出，当事人无法在决定前陈述、"
            "申辩。",
            ew_rule_phrase(ctx, out));
      finish(out, b);
    }
  }
  if (!h.eligible)
    return 0;

  int held = p->procedure == EW_PROC_HEARING;
  int waived = p->hearing_waived == 1;
  if (p->hearing_offered != 1 && !waived && !held) {
    b = start(ctx, out, "hearing_not_offered", &h);
    if (b) {
      hearing_facts(ctx, out, b, &h);
      const char *why = why_hearing(ctx->arena, p, &h);
      if (!why)
        out->oom = 1;
      else
        ew_alert_message(
            b, "%s符合听证条件（%s），但未告知当事人有要求听证的权利。",
            ew_rule_phrase(ctx, out), why);
    }
    finish(out, b);
    return 0;
  }
  int64_t days = ctx->cfg->r11.hearing_request_workdays;
  if (waived || held || notice == EW_NONE || notice >= decided)
    return 0;
  ew_time window_end;
  int rc = ew_calendar_add_workdays(ctx->store, notice, days, &window_end);
  if (rc < 0)
    return -1;
  if (rc > 0 || decided > window_end)
    return 0;
  b = start(ctx, out, "decided_before_hearing_window", &h);
  if (b) {
    char t[EW_TIME_BUFSZ];
    hearing_facts(ctx, out, b, &h);
    ew_alert_fact(b, "hearing_request_workdays", "%" PRId64, days);
    ew_alert_fact(b, "window_end", "%s", ew_time_format(window_end, t));
    ew_alert_message(b,
                     "%s在告知听证权利后%" PRId64
                     "个工作日的申请期限届满前即作出，当事人并未放弃听证。",
                     ew_rule_phrase(ctx, out), days);
  }
  finish(out, b);
  return 0;
}
