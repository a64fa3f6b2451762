/*
 * r01_plan_filing.c - R01 年度检查计划未按时备案: an agency with
 * inspection powers has no annual inspection plan filed for year Y by the
 * warning date (MEDIUM) or by the due date (HIGH) (rules.md R01; ¶2
 * 「编制年度行政执法检查计划…并于每年年初报同级司法行政机关备案」).
 *
 * The subject is the (agency, year) pair, "<agency_uscc>/<year>"; the
 * engine judges it for every registered agency and every year from the
 * first year of the input to the clock's (engine_time.c), again whenever
 * one of the agency's plans changes, and when a date passes.
 *
 * A plan counts when it is the agency's own, of a configured type
 * (ANNUAL_INSPECTION), in a counted status (FILED, AMENDED) and has a
 * filed_at: the earliest such filed_at is when the plan was filed.
 *   - filed by the warning date: nothing;
 *   - past the warning date and not filed yet: MEDIUM (severity). A
 *     plan filed before the due date withdraws the warning: the duty of ¶2
 *     was met, the warning had done its job;
 *   - past the due date and not filed by it: HIGH (severity_late), and it stays
 * open once the plan is filed late (the facts then say when). Both dates end at
 * 23:59:59.999 Asia/Shanghai; a configured day beyond the month's last (02-30)
 * means its last day.
 */
#include <stdio.h>

#include "../ewtime.h"
#include "rules.h"

static const char BASIS[] = "临州办发〔2023〕18号 ¶2";

/* The last millisecond of month/day of `year`, the day clamped to the
 * month's last. */
static ew_time end_of(int64_t year, int64_t month, int64_t day) {
  ew_time first = ew_time_from_civil((int)year, (int)month, 1);
  int64_t days =
      (ew_time_from_civil((int)year, (int)month + 1, 1) - first) / EW_DAY_MS;
  if (day > days)
    day = days;
  return first + day * EW_DAY_MS - 1;
}

typedef struct filed {
  const ew_rules_config *cfg;
  int64_t year;
  ew_time at;     /* earliest filed_at of a counted plan; EW_NONE */
  const char *id; /* that plan */
} filed;

static int earliest_filing(void *ud, const ew_record *rec) {
  filed *f = ud;
  const ew_plan *p = &rec->u.plan;
  if (p->year != f->year || p->filed_at == EW_NONE || p->plan_type < 0 ||
      p->status < 0 || !(f->cfg->r01.plan_types & (1u << p->plan_type)) ||
      !(f->cfg->r01.plan_statuses & (1u << p->status)))
    return 0;
  if (f->at == EW_NONE || p->filed_at < f->at) {
    f->at = p->filed_at;
    f->id = p->plan_id;
  }
  return 0;
}

int ew_rule_r01(const ew_rule_ctx *ctx, ew_findings *out) {
  const ew_record *r = ctx->rec;
  if (ctx->subject_type != EW_SUBJ_AGENCY || r->kind != EW_REC_AGENCY ||
      ctx->year <= 0 || ctx->year > 9999 ||
      r->u.agency.has_inspection_power == 0 || !r->u.agency.agency_uscc)
    return 0;
  const ew_rules_config *cfg = ctx->cfg;
  ew_time warn = end_of(ctx->year, cfg->r01.warn_month, cfg->r01.warn_day);
  ew_time due = end_of(ctx->year, cfg->r01.due_month, cfg->r01.due_day);
  if (warn > due)
    warn = due; /* a misconfigured warning after the due date warns at it */

  filed f = {cfg, ctx->year, EW_NONE, NULL};
  if (ew_store_ref_by_agency(ctx->store, EW_REC_PLAN, r->u.agency.agency_uscc,
                             earliest_filing, &f) < 0)
    return -1;
  if (f.at != EW_NONE && f.at <= warn)
    return 0;

  int late =
      ew_deadline_passed(ctx, out, due) && !(f.at != EW_NONE && f.at <= due);
  int warned = !late && ew_deadline_passed(ctx, out, warn) &&
               !(f.at != EW_NONE && f.at <= ctx->now);
  if (!late && f.at != EW_NONE && f.at > warn && f.at <= due &&
      (ctx->now == EW_NONE || f.at > ctx->now))
    ew_finding_wake(out, f.at); /* a filing dated ahead: judge it then */
  if (!late && !warned)
    return 0;

  ew_alert_builder *b = ew_finding_add(
      ctx, out, "R01", NULL,
      late ? cfg->r01.severity_late : cfg->r01.c.severity, BASIS);
  if (!b)
    return 0;
  char tb[EW_TIME_BUFSZ], wd[11], dd[11], fd[11];
  ew_time_date(warn, wd);
  ew_time_date(due, dd);
  b->alert.detected_at = warn;
  b->alert.due_at = late ? due : warn;
  ew_alert_fact(b, "year", "%lld", (long long)ctx->year);
  /* A warning stands only while nothing is filed: the filing a record
   * dates ahead of the clock is not named until it is late. */
  ew_alert_fact(b, "plan_filed_at", "%s",
                late && f.at != EW_NONE ? ew_time_format(f.at, tb) : "none");
  if (late && f.id)
    ew_alert_fact(b, "plan_id", "%s", f.id);
  ew_alert_fact(b, "warn_date", "%s", wd);
  ew_alert_fact(b, "due_date", "%s", dd);
  if (late && f.at != EW_NONE)
    ew_alert_message(b,
                     "%s的%lld年度行政执法检查计划于%s才报司法行政机关备案，"
                     "晚于规定的%s。",
                     ctx->agency_label, (long long)ctx->year,
                     ew_time_date(f.at, fd), dd);
  else if (late)
    ew_alert_message(b,
                     "%s截至%s仍未向司法行政机关备案%lld年度行政执法检查计划。",
                     ctx->agency_label, dd, (long long)ctx->year);
  else
    ew_alert_message(b,
                     "%s截至%s尚未向司法行政机关备案%lld年度行政执法检查计划，"
                     "应于%s前备案。",
                     ctx->agency_label, wd, (long long)ctx->year, dd);
  return 0;
}
