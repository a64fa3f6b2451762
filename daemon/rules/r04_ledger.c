/*
 * r04_ledger.c - R04 检查台账未登记/未签字 (¶1 「建立涉企检查台账制度，进行
 * 登记，由行政执法人员签字后归档」): an ENDED inspection whose ledger entry
 * is not registered, or not signed by every officer of the inspection,
 * `workdays` working days (default 5 [P]) after ended_at. LOW, one alert
 * per inspection (discriminator "").
 *
 * The deadline is ew_calendar_add_workdays(ended_at, workdays), the end of
 * the 5th working day after the end (calendar_day records included); an
 * ENDED snapshot without ended_at is placed at its event_time, and the
 * facts say so. Beyond the calendar's bound nothing is claimed.
 *
 * Problems, in this order (`reason` is the first, `problems` lists all
 * when there are several):
 *   not_registered   ledger_registered_at absent;
 *   registered_late  ledger_registered_at after the deadline: the alert
 *                    stays OPEN once the ledger is registered late, with
 *                    the late time in the facts;
 *   unsigned         an officer listed on the inspection (distinct
 *                    officer_id) is missing from ledger_signed_by.
 * Signatures carry no time of their own in the contract (ledger_signed_by
 * is a list of ids), and a snapshot sent after the deadline for another
 * reason (the result published, say) repeats signatures made in time, so
 * its event_time cannot date them: the registration time dates the signed
 * ledger (¶1: signed, then filed). A snapshot that shows every signature
 * with the ledger registered in time therefore withdraws an open alert,
 * even when it arrives after the deadline; a ledger still unsigned at the
 * deadline fires.
 * Nothing is found before the deadline has passed (ew_deadline_passed asks
 * the engine to wake the inspection just after it), so an inspection that
 * gets its ledger in time never raises an alert.
 *
 * Facts: reason, problems (several), ended_at (+ ended_at_source), deadline,
 * limit_workdays, ledger_registered_at (or none), officers_listed,
 * officers_unsigned (ids joined by ',', or none). detected_at = due_at =
 * the deadline.
 */
#include <inttypes.h>
#include <string.h>

#include "../calendar.h"
#include "../ewtime.h"
#include "rules.h"

#define LEGAL_BASIS "临州办发〔2023〕18号 ¶1"

/* The distinct officer_ids of the inspection not in ledger_signed_by,
 * joined by ','; "" when all signed. NULL on OOM. *listed = distinct ids. */
static const char *unsigned_officers(ew_arena *a, const ew_inspection *in,
                                     size_t *listed, size_t *missing) {
  size_t len = 1;
  for (size_t i = 0; i < in->officers.n; i++)
    if (in->officers.v[i].officer_id)
      len += strlen(in->officers.v[i].officer_id) + 1;
  char *s = ew_arena_alloc(a, len), *p = s;
  if (!s)
    return NULL;
  *p = '\0';
  *listed = *missing = 0;
  for (size_t i = 0; i < in->officers.n; i++) {
    const char *id = in->officers.v[i].officer_id;
    int seen = 0;
    if (!id)
      continue;
    for (size_t j = 0; j < i && !seen; j++)
      seen = in->officers.v[j].officer_id &&
             strcmp(in->officers.v[j].officer_id, id) == 0;
    if (seen)
      continue;
    ++*listed;
    if (ew_strv_has(in->ledger_signed_by, id))
      continue;
    ++*missing;
    if (p != s)
      *p++ = ',';
    size_t n = strlen(id);
    memcpy(p, id, n + 1);
    p += n;
  }
  return s;
}

int ew_rule_r04(const ew_rule_ctx *ctx, ew_findings *out) {
  if (ctx->rec->kind != EW_REC_INSPECTION ||
      ctx->rec->u.inspection.status != EW_INSP_ENDED)
    return 0;
  const ew_inspection *in = &ctx->rec->u.inspection;
  int64_t days = ctx->cfg->r04.workdays;
  int ended_stated = in->ended_at != EW_NONE;
  ew_time ended = ended_stated ? in->ended_at : ctx->event_time, due;
  int rc = ew_calendar_add_workdays(ctx->store, ended, days, &due);
  if (rc < 0)
    return -1;
  if (rc > 0)
    return 0;

  size_t listed, missing;
  const char *unsig = unsigned_officers(ctx->arena, in, &listed, &missing);
  if (!unsig) {
    out->oom = 1;
    return 0;
  }
  ew_time reg = in->ledger_registered_at;
  int not_reg = reg == EW_NONE, late = !not_reg && reg > due;
  if (!not_reg && !late && !missing)
    return 0;
  if (!ew_deadline_passed(ctx, out, due))
    return 0;

  ew_alert_builder *b = ew_finding_add(ctx, out, "R04", "",
                                       ctx->cfg->r04.c.severity, LEGAL_BASIS);
  if (!b)
    return 0;
  b->alert.detected_at = b->alert.due_at = due;
  const char *first = not_reg ? "not_registered"
                      : late  ? "registered_late"
                              : "unsigned";
  char t[EW_TIME_BUFSZ], d1[11], d2[11], d3[11];
  ew_alert_fact(b, "reason", "%s", first);
  if ((not_reg || late) && missing)
    ew_alert_fact(b, "problems", "%s,unsigned", first);
  ew_alert_fact(b, "ended_at", "%s", ew_time_format(ended, t));
  if (!ended_stated)
    ew_alert_fact(b, "ended_at_source", "event_time");
  ew_alert_fact(b, "deadline", "%s", ew_time_format(due, t));
  ew_alert_fact(b, "limit_workdays", "%" PRId64, days);
  ew_alert_fact(b, "ledger_registered_at", "%s",
                not_reg ? "none" : ew_time_format(reg, t));
  ew_alert_fact(b, "officers_listed", "%zu", listed);
  ew_alert_fact(b, "officers_unsigned", "%s", missing ? unsig : "none");

  const char *who = ew_rule_phrase(ctx, out);
  ew_time_date(ended, d1);
  ew_time_date(due, d2);
  if (not_reg)
    ew_alert_message(b,
                     "%s于%s结束，至期限%s（结束后%" PRId64
                     "个工作日）仍未登记检查台账。",
                     who, d1, d2, days);
  else if (late && missing)
    ew_alert_message(
        b,
        "%s于%s结束，检查台账迟至%s才登记，晚于期限%s（结束后%" PRId64
        "个工作日），且执法人员%s未签字。",
        who, d1, ew_time_date(reg, d3), d2, days, unsig);
  else if (late)
    ew_alert_message(
        b,
        "%s于%s结束，检查台账迟至%s才登记，晚于期限%s（结束后%" PRId64
        "个工作日）。",
        who, d1, ew_time_date(reg, d3), d2, days);
  else
    ew_alert_message(b,
                     "%s于%s结束，至期限%s（结束后%" PRId64
                     "个工作日）执法人员%s仍未在检查台账上签字。",
                     who, d1, d2, days, unsig);
  if (b->oom)
    out->oom = 1;
  return 0;
}
