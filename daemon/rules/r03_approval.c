/*
 * r03_approval.c - R03 未经审批检查: an inspection (STARTED or ENDED) carried
 * out without an approval given before it started (¶1 「履行审批手续」;
 * 国办发〔2024〕54号: the head approves in advance, an emergency check may
 * be approved afterwards).
 *
 * The approval time is the approval record's approved_at when the record
 * is on file (it is the filing, the event only repeats it), else the
 * event's approved_at. The check fires, with the first problem found as
 * `reason`, when:
 *   no_approval             approval_id is null, or no approval time is
 *                           known at all (event and record both silent);
 *   approval_not_on_file    require_approval_record and no approval record
 *                           has that approval_id;
 *   approval_other_agency   the record is another agency's approval;
 *   approval_other_enterprise / approval_other_inspection
 *                           the record names another enterprise /
 *                           inspection (only when it names one);
 *   approval_expired        the record's valid_until is before the start;
 *   approved_after_start    approved after started_at (not an emergency);
 *   emergency_approval_late an emergency approved after the deadline
 *                           ew_calendar_add_workdays(started_at,
 *                           emergency_grace_workdays): with the default 1,
 *                           by the end of the next working day.
 * An emergency check whose approval is still missing is not a finding
 * while that deadline has not passed (the approval may still come): it
 * fires no_approval when a snapshot recorded after the deadline still
 * lacks it (detected_at = that snapshot's event_time, as for every other
 * reason), or, with no snapshot after it, when the engine clock passes the
 * deadline (ew_deadline_passed asks the engine to wake the inspection just
 * after it; detected_at = the deadline). Either way due_at = the deadline.
 * A snapshot citing an approval given in time withdraws it.
 * started_at missing (a STARTED snapshot without it) falls back to the
 * snapshot's event_time, and the facts say so (started_at_source).
 *
 * Facts: reason, problems (all of them, when more than one), approval_id,
 * approved_at (or not_stated), approved_at_source (record|event),
 * event_approved_at (when the record overrides a different event value),
 * started_at, emergency, and for emergencies grace_workdays and deadline;
 * limit = the latest approval time allowed (started_at, or the deadline);
 * plus the record's approval_agency / approval_enterprise /
 * approval_inspection_id / valid_until when they are the problem.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../calendar.h"
#include "../ewtime.h"
#include "rules.h"

#define LEGAL_BASIS "临州办发〔2023〕18号 ¶1；国办发〔2024〕54号"

enum {
  P_NO_APPROVAL,
  P_NOT_ON_FILE,
  P_OTHER_AGENCY,
  P_OTHER_ENTERPRISE,
  P_OTHER_INSPECTION,
  P_EXPIRED,
  P_AFTER_START,
  P_EMERGENCY_LATE,
  P_COUNT
};

static const char *const problem_name[P_COUNT] = {"no_approval",
                                                  "approval_not_on_file",
                                                  "approval_other_agency",
                                                  "approval_other_enterprise",
                                                  "approval_other_inspection",
                                                  "approval_expired",
                                                  "approved_after_start",
                                                  "emergency_approval_late"};

typedef struct judgement {
  int has[P_COUNT];
  int n;
  ew_time started;
  int started_stated;
  int emergency;
  ew_time deadline;   /* emergencies; EW_NONE beyond the calendar's bound */
  int by_clock;       /* no_approval found by the clock passing deadline */
  ew_time approved;   /* the approval time used; EW_NONE when unknown */
  const char *source; /* "record" or "event" */
  const ew_approval *ap;
} judgement;

static void add(judgement *j, int p) {
  if (!j->has[p]) {
    j->has[p] = 1;
    j->n++;
  }
}

static int differs(const char *a, const char *b) {
  return !a || !b || strcmp(a, b) != 0;
}

/* Within the emergency grace: nothing to find yet. The grace is over when
 * the snapshot was recorded after it, or when the engine clock has passed
 * it; else the engine is asked to wake the inspection just after it. */
static int pending(const ew_rule_ctx *ctx, ew_findings *out, judgement *j) {
  if (!j->emergency || j->deadline == EW_NONE || ctx->event_time > j->deadline)
    return 0;
  if (!ew_deadline_passed(ctx, out, j->deadline))
    return 1;
  j->by_clock = 1;
  return 0;
}

/* Fills `j`; returns 0, or -1 on a store failure. */
static int judge(const ew_rule_ctx *ctx, ew_findings *out, judgement *j) {
  const ew_inspection *in = &ctx->rec->u.inspection;
  memset(j, 0, sizeof *j);
  j->started_stated = in->started_at != EW_NONE;
  j->started = j->started_stated ? in->started_at : ctx->event_time;
  j->emergency = in->emergency == 1;
  j->deadline = EW_NONE;
  if (j->emergency &&
      ew_calendar_add_workdays(ctx->store, j->started,
                               ctx->cfg->r03.emergency_grace_workdays,
                               &j->deadline) < 0)
    return -1;
  j->approved = in->approved_at;
  j->source = in->approved_at != EW_NONE ? "event" : NULL;

  if (!in->approval_id) {
    if (!pending(ctx, out, j))
      add(j, P_NO_APPROVAL);
    return 0;
  }
  if (ctx->cfg->r03.require_approval_record) {
    const ew_record *r;
    if (ew_store_ref_get(ctx->store, EW_REC_APPROVAL, in->approval_id, &r) < 0)
      return -1;
    if (!r) {
      add(j, P_NOT_ON_FILE);
    } else {
      const ew_approval *ap = j->ap = &r->u.approval;
      if (differs(ap->agency_uscc, ctx->agency_uscc))
        add(j, P_OTHER_AGENCY);
      if (ap->enterprise_uscc &&
          differs(ap->enterprise_uscc, ctx->enterprise_uscc))
        add(j, P_OTHER_ENTERPRISE);
      if (ap->inspection_id && differs(ap->inspection_id, in->inspection_id))
        add(j, P_OTHER_INSPECTION);
      if (ap->approved_at != EW_NONE) {
        j->approved = ap->approved_at;
        j->source = "record";
      }
      if (ap->valid_until != EW_NONE && ap->valid_until < j->started)
        add(j, P_EXPIRED);
    }
  }
  if (j->approved == EW_NONE) {
    if (!pending(ctx, out, j))
      add(j, P_NO_APPROVAL);
  } else if (j->approved > j->started) {
    if (!j->emergency)
      add(j, P_AFTER_START);
    else if (j->deadline == EW_NONE || j->approved > j->deadline)
      add(j, P_EMERGENCY_LATE);
  }
  return 0;
}

/* "2025-03-04 09:30" for messages. */
static char *short_time(ew_time t, char *buf) {
  ew_time_format(t, buf);
  buf[10] = ' ';
  buf[16] = '\0';
  return buf;
}

static const char *agency_label(const ew_rule_ctx *ctx, const char *uscc) {
  const ew_record *r = NULL;
  if (!uscc)
    return "（未载明部门）";
  if (ew_store_ref_get(ctx->store, EW_REC_AGENCY, uscc, &r) < 0 || !r ||
      !r->u.agency.name)
    return uscc;
  return r->u.agency.name;
}

static void message(const ew_rule_ctx *ctx, ew_findings *out,
                    ew_alert_builder *b, const judgement *j, int first) {
  const ew_inspection *in = &ctx->rec->u.inspection;
  const char *who = ew_rule_phrase(ctx, out), *id = in->approval_id;
  char s[EW_TIME_BUFSZ], a[EW_TIME_BUFSZ], d[EW_TIME_BUFSZ];
  short_time(j->started, s);
  switch (first) {
  case P_NO_APPROVAL:
    if (j->emergency)
      ew_alert_message(b, "%s为紧急检查，至补办期限%s仍未办理审批手续。", who,
                       j->deadline != EW_NONE ? short_time(j->deadline, d)
                                              : "（超出日历范围）");
    else if (!id)
      ew_alert_message(b, "%s未履行审批手续，未载明审批编号。", who);
    else
      ew_alert_message(
          b, "%s所载审批%s未载明审批时间，无法确认检查前已经审批。", who, id);
    break;
  case P_NOT_ON_FILE:
    ew_alert_message(b, "%s所载审批编号%s在审批备案记录中不存在。", who, id);
    break;
  case P_OTHER_AGENCY:
    ew_alert_message(b, "%s所载审批%s系其他部门（%s）的审批。", who, id,
                     agency_label(ctx, j->ap->agency_uscc));
    break;
  case P_OTHER_ENTERPRISE:
    ew_alert_message(b, "%s所载审批%s系针对其他企业%s的审批。", who, id,
                     j->ap->enterprise_uscc);
    break;
  case P_OTHER_INSPECTION:
    ew_alert_message(b, "%s所载审批%s系针对其他检查%s的审批。", who, id,
                     j->ap->inspection_id);
    break;
  case P_EXPIRED:
    ew_alert_message(b, "%s于%s开始，所载审批%s已于%s失效。", who, s, id,
                     short_time(j->ap->valid_until, d));
    break;
  case P_AFTER_START:
    ew_alert_message(b, "%s于%s开始，审批时间为%s，属先检查后审批。", who, s,
                     short_time(j->approved, a));
    break;
  default: /* P_EMERGENCY_LATE */
    if (j->deadline != EW_NONE)
      ew_alert_message(b,
                       "%s为紧急检查，于%s开始，审批时间%s晚于补办期限%s"
                       "（开始后%" PRId64 "个工作日内）。",
                       who, s, short_time(j->approved, a),
                       short_time(j->deadline, d),
                       ctx->cfg->r03.emergency_grace_workdays);
    else
      ew_alert_message(b,
                       "%s为紧急检查，于%s开始，审批时间%s无法在工作日历范围内"
                       "确认补办期限。",
                       who, s, short_time(j->approved, a));
    break;
  }
}

int ew_rule_r03(const ew_rule_ctx *ctx, ew_findings *out) {
  const ew_record *rec = ctx->rec;
  judgement j;
  if (rec->kind != EW_REC_INSPECTION ||
      (rec->u.inspection.status != EW_INSP_STARTED &&
       rec->u.inspection.status != EW_INSP_ENDED))
    return 0;
  if (judge(ctx, out, &j) < 0)
    return -1;
  if (j.n == 0)
    return 0;

  const ew_inspection *in = &rec->u.inspection;
  ew_alert_builder *b = ew_finding_add(ctx, out, "R03", "",
                                       ctx->cfg->r03.c.severity, LEGAL_BASIS);
  if (!b)
    return 0;
  /* The emergency's approval missing at its deadline is a deadline finding;
   * found by the clock, it is detected at the deadline itself. */
  if (j.has[P_NO_APPROVAL] && j.emergency && j.deadline != EW_NONE) {
    b->alert.due_at = j.deadline;
    if (j.by_clock)
      b->alert.detected_at = j.deadline;
  }
  char t[EW_TIME_BUFSZ], list[256];
  size_t len = 0;
  int first = -1;
  list[0] = '\0';
  for (int p = 0; p < P_COUNT; p++) {
    if (!j.has[p])
      continue;
    if (first < 0)
      first = p;
    len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
                            len ? "," : "", problem_name[p]);
  }
  ew_alert_fact(b, "reason", "%s", problem_name[first]);
  if (j.n > 1)
    ew_alert_fact(b, "problems", "%s", list);
  ew_alert_fact(b, "approval_id", "%s",
                in->approval_id ? in->approval_id : "none");
  if (j.approved != EW_NONE) {
    ew_alert_fact(b, "approved_at", "%s", ew_time_format(j.approved, t));
    ew_alert_fact(b, "approved_at_source", "%s", j.source);
    if (j.ap && in->approved_at != EW_NONE && in->approved_at != j.approved)
      ew_alert_fact(b, "event_approved_at", "%s",
                    ew_time_format(in->approved_at, t));
  } else {
    ew_alert_fact(b, "approved_at", "not_stated");
  }
  ew_alert_fact(b, "started_at", "%s", ew_time_format(j.started, t));
  if (!j.started_stated)
    ew_alert_fact(b, "started_at_source", "event_time");
  ew_alert_fact(b, "emergency", "%s", j.emergency ? "true" : "false");
  if (j.emergency) {
    ew_alert_fact(b, "grace_workdays", "%" PRId64,
                  ctx->cfg->r03.emergency_grace_workdays);
    ew_alert_fact(b, "deadline", "%s",
                  j.deadline != EW_NONE ? ew_time_format(j.deadline, t)
                                        : "beyond_calendar");
    ew_alert_fact(b, "limit", "%s",
                  j.deadline != EW_NONE ? ew_time_format(j.deadline, t)
                                        : "beyond_calendar");
  } else {
    ew_alert_fact(b, "limit", "%s", ew_time_format(j.started, t));
  }
  if (j.has[P_OTHER_AGENCY])
    ew_alert_fact(b, "approval_agency", "%s",
                  j.ap->agency_uscc ? j.ap->agency_uscc : "none");
  if (j.has[P_OTHER_ENTERPRISE])
    ew_alert_fact(b, "approval_enterprise", "%s", j.ap->enterprise_uscc);
  if (j.has[P_OTHER_INSPECTION])
    ew_alert_fact(b, "approval_inspection_id", "%s", j.ap->inspection_id);
  if (j.has[P_EXPIRED])
    ew_alert_fact(b, "valid_until", "%s", ew_time_format(j.ap->valid_until, t));
  message(ctx, out, b, &j, first);
  if (b->oom)
    out->oom = 1;
  return 0;
}
