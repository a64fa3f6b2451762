/*
 * notices.c - supervision notices: the policy of notices.h.
 *
 * A notice is emitted right after the alert that calls for it, then stored
 * and judged as a subject (R24 arms its feedback deadline). Its fields:
 *   notice_id     "EWN-" + 16 hex of FNV-1a-64 over the notice type, the
 *                 recipient and the alert ids (and the month of a batch);
 *   issued_at     when the finding became what calls for the notice: the
 *                 alert's due_at for a deadline rule (R24 escalated at its
 *                 second deadline, R01 at its violation date), else its
 *                 detected_at; a batch is issued at 00:00 of the month
 *                 after. Never the engine clock, which is wall time in the
 *                 daemon and the input's time in `check`: the same input
 *                 issues the same notices in both;
 *   feedback_due_at, rectification_due_at  R24's feedback_days and
 *                 rectification_days after issued_at, end of day; no
 *                 rectification date on a notice that asks for no report
 *                 (a type not in R24's notice_types: 通报, referrals).
 * A new notice is judged at its issued_at, not at the clock: a notice issued
 * while the engine catches up (a batch at 04-01 fired by a clock already in
 * June) then has its feedback deadlines fired in time order like every
 * other wake-up, the MEDIUM before the HIGH.
 *
 * Batches: an alert joins the batch of the month it was detected in. A
 * month's batch is closed when it fires (the store's meta keeps the last
 * closed month per agency); an alert detected in a closed month (its event
 * arrived late) joins the agency's next open month instead, so an agency
 * never gets two notices for one month.
 */
#include "notices.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "alert.h"
#include "calendar.h"
#include "engine_int.h"
#include "ewtime.h"
#include "log.h"
#include "record_blob.h"
#include "rules/rules.h"

static int fail_store(ew_engine *e, const char *what) {
  return ew_engine_fail(e, "%s: %s", what, ew_store_errmsg(e->store));
}

/* By rule-id prefix, longest first where they overlap. */
static const struct {
  const char *prefix;
  const char *action;
} actions[] = {
    {"R01", "立即编制年度行政执法检查计划，报同级司法行政机关备案"},
    {"R02", "停止计划外检查，按年度检查计划或法定个案情形开展检查"},
    {"R03", "补正检查审批手续，检查前严格履行审批程序"},
    {"R04", "完成涉企检查台账登记，由参与检查的执法人员签字后归档"},
    {"R05", "现场执法确保不少于2名持有效执法证件的执法人员"},
    {"R06", "核查执法人员资格，禁止无证人员执法，执法时主动出示执法证件"},
    {"R07", "在规定期限内公示行政执法决定"},
    {"R08", "落实执法全过程记录制度，补齐文字和音像记录"},
    {"R09", "重大执法决定作出前完成法制审核"},
    {"R10", "在执法决定书中载明裁量基准适用情况，按基准确定处罚幅度"},
    {"R11", "作出处罚前依法告知，保障陈述、申辩和听证权利"},
    {"R12", "在法定期限内作出处理决定，确需延期的依法审批"},
    {"R13", "对照“两轻一免”清单依法从轻、减轻或不予处罚"},
    {"R14", "审慎使用重罚手段，履行法制审核、听证和集体讨论程序，禁止“一刀切”"},
    {"R15", "能以非强制性手段达到目的的，不实施行政强制"},
    {"R16", "落实“双随机、一公开”，按时公开抽查检查结果"},
    {"R17", "能够通过非现场方式检查的，不再进行现场检查"},
    {"R18", "按信用风险分级确定检查频次，信用惩戒须有法定依据"},
    {"R19", "合并同一企业的多项检查，推行“综合查一次”，避免重复检查"},
    {"R20", "在规定时限内受理、办结投诉举报并反馈投诉人"},
    {"R21a", "立即纠正被投诉的执法行为，并报告整改结果"},
    {"R21b", "将涉嫌违纪违法问题线索移送纪检监察机关处置"},
    {"R22", "严守执法纪律，退还违规收取的费用，不得干扰企业正常经营"},
    {"R23", "核查罚没收入情况，不得下达或变相下达罚没指标"},
    {"R24", "立即报送监督文书整改落实情况"},
};

const char *ew_notice_required_action(const char *rule_id) {
  const char *best = NULL;
  size_t best_len = 0;
  for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
    size_t n = strlen(actions[i].prefix);
    if (n > best_len && strncmp(rule_id, actions[i].prefix, n) == 0) {
      best = actions[i].action;
      best_len = n;
    }
  }
  return best;
}

static uint64_t hash_str(uint64_t h, const char *s) {
  h = ew_fnv1a64(h, s ? s : "", s ? strlen(s) : 0);
  return ew_fnv1a64(h, "\x1f", 1);
}

/* The registry's justice bureau of `agency_uscc`, and its superior. */
static int issuer_of(ew_engine *e, const char *agency_uscc, const char **issuer,
                     const char **parent) {
  const ew_record *ag = NULL;
  *issuer = NULL;
  if (parent)
    *parent = NULL;
  if (agency_uscc &&
      ew_store_ref_get(e->store, EW_REC_AGENCY, agency_uscc, &ag) < 0)
    return fail_store(e, "agency lookup");
  if (!ag)
    return 0;
  /* Copied: the registry's record may be replaced while the notice is
   * built (a nested judgement reads the reference cache too). */
  const char *jb = ag->u.agency.justice_bureau_uscc;
  const char *up = ag->u.agency.parent_agency_uscc;
  if (jb && *jb && !(*issuer = ew_arena_strdup(&e->arena, jb)))
    return ew_engine_fail(e, "out of memory");
  if (parent && up && *up && !(*parent = ew_arena_strdup(&e->arena, up)))
    return ew_engine_fail(e, "out of memory");
  return 0;
}

/* A one-element string vector in the arena; empty for NULL. Sets *oom
 * when it cannot be allocated. */
static ew_strv strv1(ew_arena *a, const char *s, int *oom) {
  ew_strv v = {NULL, 0};
  if (!s)
    return v;
  const char **p = ew_arena_alloc(a, sizeof *p);
  if (!p) {
    *oom = 1;
    return v;
  }
  p[0] = s;
  v.v = p;
  v.n = 1;
  return v;
}

/* Emits, stores and judges a finished notice. */
static int issue(ew_engine *e, ew_notice *n, int32_t part) {
  const ew_rules_config *c = e->cfg;
  n->feedback_due_at = ew_calendar_add_days(n->issued_at, c->r24.feedback_days);
  /* A 通报 or a referral (not in R24's notice_types) informs: nothing to
   * rectify by a date, though the contract requires a feedback_due_at. */
  int asks = n->notice_type >= 0 && n->notice_type < 32 &&
             (c->r24.notice_types & (1u << n->notice_type));
  n->rectification_due_at =
      asks && c->r24.rectification_days > 0
          ? ew_calendar_add_days(n->issued_at, c->r24.rectification_days)
          : EW_NONE;
  ew_record out;
  out.kind = EW_REC_NOTICE;
  out.u.notice = *n;
  if (e->emit(e->emit_ud, &out) < 0)
    return ew_engine_fail(e, "emit of notice %s failed", n->notice_id);
  if (ew_store_notice_put(e->store, n, part) < 0)
    return fail_store(e, "notice");
  for (size_t i = 0; i < n->alert_ids.n; i++)
    if (ew_store_notice_alert_add(e->store, n->alert_ids.v[i], n->notice_id) <
        0)
      return fail_store(e, "notice of alert");
  ew_debug("notices: %s %s to %s issued", n->notice_id,
           ew_enum_name(&ew_enum_notice_type, n->notice_type),
           n->recipient_agency_uscc);
  /* Judged at its issue time (see the top of this file); a feedback that
   * came before it (a replay) is found by R24 in the store. */
  ew_subject sj = {0};
  sj.rec = &out;
  sj.type = EW_SUBJ_NOTICE;
  sj.id = n->notice_id;
  sj.part = part;
  sj.event_time = n->issued_at;
  return ew_engine_judge(e, &sj, n->issued_at);
}

static int issue_immediate(ew_engine *e, const ew_alert *a,
                           const ew_rule_common *c, const char *recipient,
                           int32_t part) {
  int type = c->notice_type;
  const char *issuer, *parent;
  if (issuer_of(e, recipient, &issuer, &parent) < 0)
    return -1;
  if (!issuer) {
    ew_warn("notices: %s is not registered with a justice bureau; alert %s "
            "gets no notice",
            recipient, a->alert_id);
    return 0;
  }
  const char *tname = ew_enum_name(&ew_enum_notice_type, type);
  uint64_t h = hash_str(EW_FNV1A64_INIT, tname);
  h = hash_str(h, recipient);
  h = hash_str(h, a->alert_id);
  char id[32];
  snprintf(id, sizeof id, "EWN-%016" PRIx64, h);
  ew_notice n;
  int found;
  if (ew_store_notice_get(e->store, id, &e->arena, &n, NULL, &found) < 0)
    return fail_store(e, "notice");
  if (found)
    return 0; /* issued once, whatever the alert does afterwards */
  int oom = 0;
  memset(&n, 0, sizeof n);
  n.notice_id = ew_arena_strdup(&e->arena, id);
  n.notice_type = type;
  n.issuer_uscc = issuer;
  n.recipient_agency_uscc = recipient;
  /* rules.md R09: 「cc 上级」. */
  n.cc_usccs =
      strv1(&e->arena, strcmp(a->rule_id, "R09") == 0 ? parent : NULL, &oom);
  n.alert_ids = strv1(&e->arena, a->alert_id, &oom);
  n.findings = a->message ? a->message : a->rule_id;
  n.legal_basis = strv1(&e->arena, a->legal_basis, &oom);
  n.required_actions =
      strv1(&e->arena, ew_notice_required_action(a->rule_id), &oom);
  /* A rule's configured severity is that of its first level. A notice due
   * from that level dates from the first deadline (detected_at), one due
   * only at a later level (R01's violation, R24's 通报) from that level's
   * deadline (due_at): the same dates whether the alert passed through the
   * first level or was first judged after both deadlines (a daemon with
   * its clock ahead of a backlog). */
  n.issued_at = c->notice_min_severity > c->severity && a->due_at != EW_NONE &&
                        a->due_at > a->detected_at
                    ? a->due_at
                    : a->detected_at;
  if (!n.notice_id || oom)
    return ew_engine_fail(e, "out of memory");
  if (n.issued_at == EW_NONE)
    return 0; /* an alert without a time cannot date a notice */
  return issue(e, &n, part);
}

/* Months are counted as year * 12 + month - 1 (Asia/Shanghai). */
static int64_t month_index(ew_time t) {
  char date[11];
  ew_time_date(t, date);
  int y = (date[0] - '0') * 1000 + (date[1] - '0') * 100 +
          (date[2] - '0') * 10 + (date[3] - '0');
  int m = (date[5] - '0') * 10 + (date[6] - '0');
  return (int64_t)y * 12 + m - 1;
}

/* 00:00 of the first day of month `mi`. */
static ew_time month_start(int64_t mi) {
  return ew_time_from_civil((int)(mi / 12), (int)(mi % 12) + 1, 1);
}

/* The month of a batch id "<agency>/YYYY-MM", or -1. */
static int64_t batch_month(const char *month) {
  int y, m;
  char tail;
  if (sscanf(month, "%4d-%2d%c", &y, &m, &tail) != 2 || m < 1 || m > 12)
    return -1;
  return (int64_t)y * 12 + m - 1;
}

/* The meta entry holding the last closed month of an agency's batches. */
static const char *closed_key(ew_engine *e, const char *agency_uscc) {
  return ew_arena_printf(&e->arena, "notice.batch:%s", agency_uscc);
}

static int add_batched(ew_engine *e, const ew_alert *a, int32_t part) {
  int has, found;
  if (!a->agency_uscc || a->detected_at == EW_NONE)
    return 0;
  if (ew_store_notice_alert_has(e->store, a->alert_id, &has) < 0)
    return fail_store(e, "notice of alert");
  if (has)
    return 0; /* already listed by an earlier month's notice */
  const char *key = closed_key(e, a->agency_uscc);
  int64_t closed, mi = month_index(a->detected_at);
  if (!key)
    return ew_engine_fail(e, "out of memory");
  if (ew_store_meta_get(e->store, key, &closed, &found) < 0)
    return fail_store(e, "batched notice");
  if (found && mi <= closed)
    mi = closed + 1; /* that month's notice is out: the next one lists it */
  const char *batch = ew_arena_printf(&e->arena, "%s/%04d-%02d", a->agency_uscc,
                                      (int)(mi / 12), (int)(mi % 12) + 1);
  if (!batch)
    return ew_engine_fail(e, "out of memory");
  if (ew_store_notice_pending_add(e->store, batch, a->alert_id, part) < 0 ||
      ew_store_wakeup_put(e->store, EW_WAKE_NOTICE_BATCH, batch, -1,
                          month_start(mi + 1)) < 0)
    return fail_store(e, "batched notice");
  return 0;
}

int ew_notices_on_alert(ew_engine *e, const ew_alert *a, int32_t part) {
  const ew_rule_def *d = ew_rule_find(a->rule_id);
  if (!d)
    return 0;
  const ew_rule_common *c = ew_rule_common_of(e->cfg, d);
  if (c->notice == EW_NOTICE_NONE || a->severity < c->notice_min_severity)
    return 0;
  if (c->notice == EW_NOTICE_BATCHED)
    return add_batched(e, a, part);
  if (!a->agency_uscc)
    return 0;
  if (issue_immediate(e, a, c, a->agency_uscc, part) < 0)
    return -1;
  /* rules.md R19c: 「notice to both」: every other agency the finding
   * names gets its own notice. */
  const char *others = ew_alert_fact_get(a, "other_agencies");
  while (others && *others) {
    const char *comma = strchr(others, ',');
    size_t len = comma ? (size_t)(comma - others) : strlen(others);
    char *one = ew_arena_strndup(&e->arena, others, len);
    if (!one)
      return ew_engine_fail(e, "out of memory");
    if (*one && strcmp(one, a->agency_uscc) != 0 &&
        issue_immediate(e, a, c, one, part) < 0)
      return -1;
    others = comma ? comma + 1 : NULL;
  }
  return 0;
}

/* Appends `s` to `v` (capacity *cap); with `unique`, not when it is there
 * already. NULL is not appended. */
static int strv_add(ew_arena *a, ew_strv *v, size_t *cap, const char *s,
                    int unique) {
  if (!s)
    return 0;
  for (size_t i = 0; unique && i < v->n; i++)
    if (strcmp(v->v[i], s) == 0)
      return 0;
  const char **nv = ew_rule_array_grow(a, (void *)v->v, v->n, cap, sizeof *nv);
  if (!nv)
    return -1;
  nv[v->n++] = s;
  v->v = nv;
  return 0;
}

int ew_notices_fire_batch(ew_engine *e, const char *batch, ew_time due) {
  const char *slash = strrchr(batch, '/');
  int64_t mi = slash ? batch_month(slash + 1) : -1;
  if (!slash || mi < 0) {
    ew_warn("notices: batch \"%s\" is not <agency>/<YYYY-MM>; dropped", batch);
    return 0;
  }
  char *recipient = ew_arena_strndup(&e->arena, batch, (size_t)(slash - batch));
  const char *key = recipient ? closed_key(e, recipient) : NULL;
  if (!key)
    return ew_engine_fail(e, "out of memory");
  /* Closed whatever it lists: a later alert of this month joins the next. */
  int64_t closed;
  int found;
  if (ew_store_meta_get(e->store, key, &closed, &found) < 0 ||
      ((!found || closed < mi) && ew_store_meta_put(e->store, key, mi) < 0))
    return fail_store(e, "batched notice");

  ew_strv pending;
  if (ew_store_notice_pending_take(e->store, batch, &e->arena, &pending) < 0)
    return fail_store(e, "batched notice");
  ew_notice n;
  memset(&n, 0, sizeof n);
  size_t cap_ids = 0, cap_basis = 0, cap_actions = 0, cap_msgs = 0;
  ew_strv msgs = {NULL, 0};
  uint64_t h = hash_str(EW_FNV1A64_INIT, "BATCH");
  h = hash_str(h, batch);
  for (size_t i = 0; i < pending.n; i++) {
    ew_alert_state st;
    int has;
    if (ew_store_alert_state_get(e->store, pending.v[i], &e->arena, &st,
                                 &found) < 0 ||
        ew_store_notice_alert_has(e->store, pending.v[i], &has) < 0)
      return fail_store(e, "alert state");
    /* Withdrawn within the month: nothing to notify. */
    if (!found || st.status != EW_AST_OPEN || has)
      continue;
    ew_alert a;
    if (ew_blob_decode(ew_rtype_of(EW_REC_ALERT), st.body, st.body_len, &a,
                       &e->arena) < 0)
      return ew_engine_fail(e, "alert state %s: corrupt body", pending.v[i]);
    h = hash_str(h, a.alert_id);
    if (strv_add(&e->arena, &n.alert_ids, &cap_ids, a.alert_id, 1) < 0 ||
        strv_add(&e->arena, &msgs, &cap_msgs, a.message ? a.message : a.rule_id,
                 0) < 0 ||
        strv_add(&e->arena, &n.legal_basis, &cap_basis, a.legal_basis, 1) < 0 ||
        strv_add(&e->arena, &n.required_actions, &cap_actions,
                 ew_notice_required_action(a.rule_id), 1) < 0)
      return ew_engine_fail(e, "out of memory");
  }
  if (!n.alert_ids.n)
    return 0;
  const char *issuer;
  if (issuer_of(e, recipient, &issuer, NULL) < 0)
    return -1;
  if (!issuer) {
    ew_warn("notices: %s is not registered with a justice bureau; its "
            "notice of %s (%zu alerts) is not issued",
            recipient, slash + 1, n.alert_ids.n);
    return 0;
  }
  /* 「2025年3月发现贵单位存在以下问题：（1）…。（2）…。」 built in one
   * piece: one line per alert, each message a sentence of its own. */
  size_t len = 64;
  for (size_t i = 0; i < msgs.n; i++)
    len += strlen(msgs.v[i]) + 32;
  char *findings = ew_arena_alloc(&e->arena, len);
  char id[32];
  snprintf(id, sizeof id, "EWN-%016" PRIx64, h);
  n.notice_id = ew_arena_strdup(&e->arena, id);
  if (!findings || !n.notice_id)
    return ew_engine_fail(e, "out of memory");
  size_t off =
      (size_t)snprintf(findings, len, "%d年%d月发现贵单位存在以下问题：",
                       (int)(mi / 12), (int)(mi % 12) + 1);
  for (size_t i = 0; i < msgs.n && off < len; i++)
    off += (size_t)snprintf(findings + off, len - off, "（%zu）%s", i + 1,
                            msgs.v[i]);
  n.notice_type = EW_NT_SUPERVISION_SUGGESTION;
  n.issuer_uscc = issuer;
  n.recipient_agency_uscc = recipient;
  n.findings = findings;
  n.issued_at = due;
  return issue(e, &n, -1);
}

int ew_notices_on_change(ew_engine *e, const ew_alert *a) {
  ew_strv ids;
  if (ew_store_notices_of_alert(e->store, a->alert_id, &e->arena, &ids) < 0)
    return fail_store(e, "notices of alert");
  /* R24 asks no feedback on a notice whose alerts are all withdrawn; a
   * withdrawal (or a reopening) that arrives after R24 was judged, as
   * when a backlog is read with the clock ahead of it, must count. */
  for (size_t i = 0; i < ids.n; i++)
    if (ew_engine_judge_notice(e, ids.v[i], NULL, a->detected_at) < 0)
      return -1;
  return 0;
}
