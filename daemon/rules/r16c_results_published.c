/*
 * r16c_results_published.c - R16c 双随机抽查结果未按时公开 (¶8 「实行"双随机、
 * 一公开"」; 20 working days after the task's completion, as in
 * 冀政办发〔2015〕22号 [S2]): a random task (the reference record, judged as
 * subject RANDOM_TASK) with completed_at set whose results are not
 * published (published_at) by ew_calendar_add_workdays(completed_at,
 * workdays). MEDIUM, one alert per task (discriminator "").
 *
 * Nothing is found before the deadline passes (the engine wakes the task
 * just after it); a new version of the task record published by the
 * deadline withdraws an open alert, one published after it keeps the alert
 * OPEN with the late time as published_at. A task not completed has no
 * deadline yet. Beyond the calendar's bound nothing is claimed.
 *
 * Facts: completed_at, deadline, limit_workdays, published_at (or none).
 * detected_at = due_at = the deadline. The task has no enterprise of its
 * own; the alert names the drawing agency.
 */
#include <inttypes.h>

#include "../calendar.h"
#include "../ewtime.h"
#include "rules.h"

#define LEGAL_BASIS "临州办发〔2023〕18号 ¶8"

int ew_rule_r16c(const ew_rule_ctx *ctx, ew_findings *out) {
  if (ctx->rec->kind != EW_REC_RANDOM_TASK)
    return 0;
  const ew_random_task *task = &ctx->rec->u.random_task;
  const int64_t days = ctx->cfg->r16c.workdays;
  ew_time due, pub = task->published_at;
  if (task->completed_at == EW_NONE)
    return 0;
  int rc = ew_calendar_add_workdays(ctx->store, task->completed_at, days, &due);
  if (rc < 0)
    return -1;
  if (rc > 0)
    return 0;
  if (pub != EW_NONE && pub <= due)
    return 0;
  if (!ew_deadline_passed(ctx, out, due))
    return 0;

  ew_alert_builder *b = ew_finding_add(ctx, out, "R16c", "",
                                       ctx->cfg->r16c.c.severity, LEGAL_BASIS);
  if (!b)
    return 0;
  b->alert.detected_at = b->alert.due_at = due;
  char t[EW_TIME_BUFSZ], d1[11], d2[11], d3[11];
  ew_alert_fact(b, "completed_at", "%s", ew_time_format(task->completed_at, t));
  ew_alert_fact(b, "deadline", "%s", ew_time_format(due, t));
  ew_alert_fact(b, "limit_workdays", "%" PRId64, days);
  ew_alert_fact(b, "published_at", "%s",
                pub == EW_NONE ? "none" : ew_time_format(pub, t));
  const char *who = ew_rule_phrase(ctx, out);
  ew_time_date(task->completed_at, d1);
  ew_time_date(due, d2);
  if (pub == EW_NONE)
    ew_alert_message(b,
                     "%s于%s完成，至公示期限%s（完成后%" PRId64
                     "个工作日）抽查结果仍未公示。",
                     who, d1, d2, days);
  else
    ew_alert_message(
        b,
        "%s于%s完成，抽查结果迟至%s才公示，晚于公示期限%s（完成后%" PRId64
        "个工作日）。",
        who, d1, ew_time_date(pub, d3), d2, days);
  if (b->oom)
    out->oom = 1;
  return 0;
}
