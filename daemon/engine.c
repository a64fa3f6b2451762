/*
 * engine.c - dispatch of input records, snapshot bookkeeping and the diff
 * between what the rules find now and what is open.
 *
 * Per event: the event_id is marked seen (a duplicate stops here), the
 * record is stored as its subject's snapshot unless an older one (by
 * event_time; ties go to the later record), then every enabled rule runs on
 * it. The findings are compared with the alerts open on the subject:
 *   - new finding                → OPEN, detected_at = this event_time;
 *   - open, fingerprint changed  → OPEN again, first detected_at kept;
 *   - open, unchanged            → nothing;
 *   - open, not found any more   → WITHDRAWN once, detected_at = this
 *     event_time, evidence = the finding's events plus this one;
 *   - a finding that was withdrawn and comes back is a new detection.
 * Outputs come in rule-table order (by rule number, rules/rules.c), each rule's
 * OPENs before its WITHDRAWNs (alert_id order). A disabled rule neither finds
 * nor withdraws: its open alerts stay as they were, because switching a rule
 * off says nothing about the facts.
 *
 * Reference records are stored (and cached); they are not replayed against
 * stored event snapshots: the next snapshot of a subject sees them. A
 * reference record that is itself a subject of findings (a random task,
 * R16d) is evaluated like an event, with the time it states as its event
 * time (drawn_at), so that the daemon and `check` agree on detected_at
 * whatever their clocks; its state is partition-less (-1), since every
 * instance reads every reference record.
 *
 * All per-event memory is in one arena reset at the start of each record,
 * and every statement is prepared once by the store.
 *
 * History (issue 3): every accepted penalty or inspection snapshot is also
 * recorded in the store's per-enterprise history before the rules run, for
 * the rules that look back (R13, R15, R22); ew_engine_advance prunes it
 * (see "history pruning" below).
 */
#include "engine.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "engine_int.h"
#include "ewtime.h"
#include "log.h"
#include "record_blob.h"
#include "rules/rules.h"

static int fail(ew_engine *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(ew_engine *e, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->errmsg, sizeof e->errmsg, fmt, ap);
  va_end(ap);
  return -1;
}

static int fail_store(ew_engine *e, const char *what) {
  return fail(e, "%s: %s", what, ew_store_errmsg(e->store));
}

int ew_engine_new(ew_engine **out, ew_store *store, const ew_rules_config *cfg,
                  ew_emit_fn emit, void *emit_ud, char *errstr,
                  size_t errstr_size) {
  *out = NULL;
  if (!store || !cfg || !emit) {
    snprintf(errstr, errstr_size, "engine: store, config and emit required");
    return -1;
  }
  ew_engine *e = calloc(1, sizeof *e);
  if (!e) {
    snprintf(errstr, errstr_size, "engine: out of memory");
    return -1;
  }
  e->store = store;
  e->cfg = cfg;
  e->emit = emit;
  e->emit_ud = emit_ud;
  e->clock = EW_NONE;
  e->hist_prune_day = INT64_MIN;
  /* Big enough for a busy snapshot's findings in one chunk, so that the
   * per-record reset never hands memory back to malloc. */
  e->arena.chunk_size = 64 * 1024;
  *out = e;
  return 0;
}

void ew_engine_destroy(ew_engine *e) {
  if (!e)
    return;
  ew_arena_free(&e->arena);
  free(e);
}

const char *ew_engine_errmsg(const ew_engine *e) {
  return e ? e->errmsg : "no engine";
}

/* ---- the evaluation context ---- */

static int build_ctx(ew_engine *e, const ew_record *rec, ew_rule_ctx *ctx) {
  const char *sid = ew_record_id(rec), *region = NULL;
  memset(ctx, 0, sizeof *ctx);
  ctx->cfg = e->cfg;
  ctx->store = e->store;
  ctx->arena = &e->arena;
  ctx->rec = rec;
  ctx->subject_id = sid;
  ctx->event_id = ew_record_event_id(rec);
  ctx->event_time = ew_record_event_time(rec);
  switch (rec->kind) {
  case EW_REC_INSPECTION:
    ctx->subject_type = EW_SUBJ_INSPECTION;
    ctx->agency_uscc = rec->u.inspection.agency_uscc;
    ctx->enterprise_uscc = rec->u.inspection.enterprise_uscc;
    region = rec->u.inspection.enterprise_region_code;
    break;
  case EW_REC_PENALTY:
    ctx->subject_type = EW_SUBJ_PENALTY;
    ctx->agency_uscc = rec->u.penalty.agency_uscc;
    ctx->enterprise_uscc = rec->u.penalty.enterprise_uscc;
    region = rec->u.penalty.enterprise_region_code;
    break;
  case EW_REC_COMPLAINT:
    ctx->subject_type = EW_SUBJ_COMPLAINT;
    ctx->agency_uscc = rec->u.complaint.handling_agency_uscc;
    ctx->enterprise_uscc = rec->u.complaint.enterprise_uscc;
    break;
  case EW_REC_RANDOM_TASK:
    ctx->subject_type = EW_SUBJ_RANDOM_TASK;
    ctx->agency_uscc = rec->u.random_task.agency_uscc;
    ctx->event_time = rec->u.random_task.drawn_at;
    break;
  default: /* feedback: its subject is the notice it answers */
    ctx->subject_type = EW_SUBJ_NOTICE;
    ctx->agency_uscc = rec->u.feedback.agency_uscc;
    break;
  }
  const ew_record *ag = NULL;
  if (ctx->agency_uscc &&
      ew_store_ref_get(e->store, EW_REC_AGENCY, ctx->agency_uscc, &ag) < 0)
    return fail_store(e, "agency lookup");
  ctx->agency = ag ? &ag->u.agency : NULL;
  ctx->agency_label = ctx->agency && ctx->agency->name ? ctx->agency->name
                      : ctx->agency_uscc               ? ctx->agency_uscc
                                         : "（未载明部门）";
  ctx->region_code = region        ? region
                     : ctx->agency ? ctx->agency->region_code
                                   : NULL;

  return 0;
}

/* ---- the alerts open on a subject ---- */

typedef struct open_alert {
  const char *alert_id;
  const char *rule_id;
  uint64_t fingerprint;
  ew_time detected_at;
  void *body;
  size_t body_len;
  int matched;
} open_alert;

typedef struct open_list {
  open_alert *v;
  size_t n, cap;
  ew_arena *arena;
  int oom;
} open_list;

/* The store's row is valid only during the call, so it is copied. */
static int collect_open(void *ud, const ew_alert_state *st) {
  open_list *l = ud;
  open_alert *v = ew_rule_array_grow(l->arena, l->v, l->n, &l->cap, sizeof *v);
  if (!v) {
    l->oom = 1;
    return 1;
  }
  l->v = v;
  open_alert *o = &l->v[l->n];
  o->alert_id = ew_arena_strdup(l->arena, st->alert_id);
  o->rule_id = ew_arena_strdup(l->arena, st->rule_id);
  o->body = ew_arena_alloc(l->arena, st->body_len ? st->body_len : 1);
  if (!o->alert_id || !o->rule_id || !o->body) {
    l->oom = 1;
    return 1;
  }
  memcpy(o->body, st->body, st->body_len);
  o->body_len = st->body_len;
  o->fingerprint = st->fingerprint;
  o->detected_at = st->detected_at;
  o->matched = 0;
  l->n++;
  return 0;
}

static int emit_alert(ew_engine *e, const ew_alert *a, uint64_t fingerprint,
                      int32_t part) {
  ew_record out;
  if (ew_store_alert_state_put(e->store, a, fingerprint, part) < 0)
    return fail_store(e, "alert state");
  out.kind = EW_REC_ALERT;
  out.u.alert = *a;
  if (e->emit(e->emit_ud, &out) < 0)
    return fail(e, "emit of alert %s failed", a->alert_id);
  return 0;
}

static int withdraw(ew_engine *e, const open_alert *o, const char *event_id,
                    ew_time event_time, int32_t part) {
  ew_alert a;
  if (ew_blob_decode(ew_rtype_of(EW_REC_ALERT), o->body, o->body_len, &a,
                     &e->arena) < 0)
    return fail(e, "alert state %s: corrupt body", o->alert_id);
  a.status = EW_AST_WITHDRAWN;
  a.detected_at = event_time;
  int have = event_id == NULL; /* a reference record has no event id */
  for (size_t i = 0; i < a.evidence_event_ids.n && !have; i++)
    have = strcmp(a.evidence_event_ids.v[i], event_id) == 0;
  if (!have) {
    size_t n = a.evidence_event_ids.n;
    const char **v = ew_arena_alloc(&e->arena, (n + 1) * sizeof *v);
    if (!v)
      return fail(e, "out of memory");
    if (n)
      memcpy(v, a.evidence_event_ids.v, n * sizeof *v);
    v[n] = event_id;
    a.evidence_event_ids.v = v;
    a.evidence_event_ids.n = n + 1;
  }
  return emit_alert(e, &a, o->fingerprint, part);
}

/* Reference kinds that rules judge in their own right. */
static int ew_ref_is_subject(ew_rkind kind) {
  return kind == EW_REC_RANDOM_TASK;
}

static int evaluate(ew_engine *e, const ew_record *rec, int32_t part) {
  ew_rule_ctx ctx;
  ew_findings found = {0};
  open_list open = {0};
  if (build_ctx(e, rec, &ctx) < 0)
    return -1;
  found.arena = &e->arena;
  for (size_t i = 0; i < ew_rule_table_count; i++) {
    const ew_rule_def *d = &ew_rule_table[i];
    if (!ew_rule_common_of(e->cfg, d)->enabled)
      continue;
    if (d->fn(&ctx, &found) < 0)
      return fail(e, "rule %s on %s: %s", d->id, ctx.subject_id,
                  ew_store_errmsg(e->store));
  }
  if (found.oom)
    return fail(e, "out of memory evaluating %s", ctx.subject_id);

  open.arena = &e->arena;
  if (ew_store_alert_state_open(e->store, ctx.subject_type, ctx.subject_id,
                                collect_open, &open) < 0)
    return fail_store(e, "open alerts");
  if (open.oom)
    return fail(e, "out of memory loading alerts of %s", ctx.subject_id);

  /* Emission follows the rule table, each rule's new or changed findings
   * before its withdrawals, so one snapshot's outputs come in rule order
   * whatever mix of OPEN and WITHDRAWN it produces. */
  for (size_t r = 0; r < ew_rule_table_count; r++) {
    const ew_rule_def *d = &ew_rule_table[r];
    if (!ew_rule_common_of(e->cfg, d)->enabled)
      continue; /* neither finds nor withdraws */
    for (size_t i = 0; i < found.n; i++) {
      ew_alert *a = &found.v[i]->alert;
      if (strcmp(a->rule_id, d->id) != 0)
        continue;
      int dup = 0;
      for (size_t j = 0; j < i && !dup; j++)
        dup = strcmp(found.v[j]->alert.alert_id, a->alert_id) == 0;
      if (dup)
        continue; /* a rule reported one discriminator twice: keep one */
      uint64_t fp = ew_alert_fingerprint(a);
      open_alert *o = NULL;
      for (size_t j = 0; j < open.n && !o; j++)
        if (strcmp(open.v[j].alert_id, a->alert_id) == 0)
          o = &open.v[j];
      if (o) {
        o->matched = 1;
        if (o->fingerprint == fp)
          continue;
        a->detected_at = o->detected_at;
      }
      if (emit_alert(e, a, fp, part) < 0)
        return -1;
    }
    for (size_t j = 0; j < open.n; j++) {
      const open_alert *o = &open.v[j];
      if (o->matched || strcmp(o->rule_id, d->id) != 0)
        continue;
      if (withdraw(e, o, ctx.event_id, ctx.event_time, part) < 0)
        return -1;
    }
  }
  return 0;
}

/* Reference topics are read side by side, so a random task may arrive
 * before the agency it names. Its findings quote the agency's name and
 * region, so a new or changed agency record judges the agency's tasks
 * again: an unchanged finding emits nothing, a changed one is updated. */
static int reevaluate_task(void *ud, const ew_record *task) {
  return evaluate(ud, task, -1) < 0 ? 1 : 0;
}

static int reevaluate_agency_tasks(ew_engine *e, const char *agency_uscc) {
  int rc = ew_store_ref_by_agency(e->store, EW_REC_RANDOM_TASK, agency_uscc,
                                  reevaluate_task, e);
  if (rc == 1)
    return -1; /* evaluate() has set the message */
  return rc < 0 ? fail_store(e, "random tasks of an agency") : 0;
}

int ew_engine_apply(ew_engine *e, const ew_record *rec,
                    const ew_origin *origin) {
  ew_arena_reset(&e->arena);
  if (ew_rkind_is_ref(rec->kind)) {
    if (!ew_record_id(rec)) {
      ew_warn("engine: %s without its id ignored", ew_rkind_name(rec->kind));
      return 0;
    }
    if (ew_store_ref_put(e->store, rec) < 0)
      return fail_store(e, "reference record");
    if (ew_ref_is_subject(rec->kind))
      return evaluate(e, rec, -1);
    if (rec->kind == EW_REC_AGENCY)
      return reevaluate_agency_tasks(e, rec->u.agency.agency_uscc);
    return 0;
  }
  if (!ew_rkind_is_event(rec->kind)) {
    const char *n = ew_rkind_name(rec->kind);
    return fail(e, "%s is not an input record", n ? n : "?");
  }
  const char *event_id = ew_record_event_id(rec), *sid = ew_record_id(rec);
  ew_time et = ew_record_event_time(rec);
  int32_t part = origin ? origin->partition : 0;
  if (!event_id || !sid || et == EW_NONE) {
    /* The decoders refuse records without their required fields, so this
     * is a caller bug; failing would wedge the batch on it forever. */
    ew_warn(
        "engine: %s without event_id, id or event_time ignored (%s:%d@%lld)",
        ew_rkind_name(rec->kind), origin && origin->topic ? origin->topic : "?",
        (int)part, origin ? (long long)origin->offset : -1LL);
    return 0;
  }
  int is_new, applied;
  if (ew_store_event_mark(e->store, event_id, part, et, &is_new) < 0)
    return fail_store(e, "event dedup");
  if (!is_new) {
    ew_debug("engine: duplicate event %s ignored", event_id);
    return 0;
  }
  if (ew_store_snapshot_put(e->store, rec, part, &applied) < 0)
    return fail_store(e, "snapshot");
  if (!applied) {
    ew_debug("engine: %s %s older than its stored snapshot, ignored",
             ew_rkind_name(rec->kind), sid);
    return 0;
  }
  if (ew_store_hist_record(e->store, rec, part) < 0)
    return fail_store(e, "history");
  return evaluate(e, rec, part);
}

int ew_engine_delete_ref(ew_engine *e, ew_rkind kind, const char *id) {
  if (ew_store_ref_delete(e->store, kind, id) < 0)
    return fail_store(e, "reference tombstone");
  return 0;
}

/* ---- history pruning (issue 3) ----
 *
 * History is kept as long as some rule can look back at it: the longest of
 * R15's soft_lookback_days, the largest lookback_days of the leniency items
 * on file (730, the contract's default, when there is none) and R22b's
 * decision_grace_days, plus HIST_SLACK_DAYS for events that arrive late (a
 * decision is often sent when it is published, days after decided_at).
 * The span is measured back from the engine clock, but never from later
 * than the newest entry of history: the daemon's clock is wall time, and a
 * backlog replayed long after the fact (a new deployment reading its topics
 * from the beginning) must keep the history its own events still need, as
 * `check` does; the clock only keeps one decision dated in the future from
 * pruning everything else.
 * It runs from ew_engine_advance at most once per engine day (Asia/
 * Shanghai) and deletes at most HIST_PRUNE_LIMIT entries of each kind per
 * call, so that a tick's transaction stays short; a prune that reaches the
 * limit is continued by the following calls until nothing old is left.
 */
#define HIST_PRUNE_LIMIT 1000
#define HIST_SLACK_DAYS 30
#define HIST_DEFAULT_LOOKBACK_DAYS 730
#define HIST_MAX_DAYS 36500 /* a century: far from int64 overflow */

static int64_t hist_clamp_days(int64_t d) {
  return d < 0 ? 0 : d > HIST_MAX_DAYS ? HIST_MAX_DAYS : d;
}

static int hist_longest_lookback(void *ud, const ew_record *rec) {
  int64_t *days = ud, d = hist_clamp_days(rec->u.leniency_item.lookback_days);
  if (d > *days)
    *days = d;
  return 0;
}

/* The days back from the prune's reference time that a rule may still
 * read, slack included. */
static int hist_horizon_days(ew_engine *e, int64_t *days) {
  int64_t d = -1;
  if (ew_store_ref_each(e->store, EW_REC_LENIENCY_ITEM, hist_longest_lookback,
                        &d) < 0)
    return -1;
  if (d < 0)
    d = HIST_DEFAULT_LOOKBACK_DAYS;
  int64_t soft = hist_clamp_days(e->cfg->r15.soft_lookback_days);
  int64_t grace = hist_clamp_days(e->cfg->r22b.decision_grace_days);
  if (soft > d)
    d = soft;
  if (grace > d)
    d = grace;
  *days = d + HIST_SLACK_DAYS;
  return 0;
}

static int hist_prune(ew_engine *e) {
  if (e->clock == EW_NONE)
    return 0;
  ew_time local = e->clock > INT64_MAX - EW_SHANGHAI_OFFSET_MS
                      ? INT64_MAX
                      : e->clock + EW_SHANGHAI_OFFSET_MS;
  int64_t day = local / EW_DAY_MS - (local % EW_DAY_MS < 0);
  if (day == e->hist_prune_day && !e->hist_prune_more)
    return 0;
  ew_time newest;
  int64_t days, deleted = 0;
  int more = 0;
  if (ew_store_hist_newest(e->store, &newest) < 0 ||
      hist_horizon_days(e, &days) < 0)
    return fail_store(e, "history prune");
  ew_time from = newest < e->clock ? newest : e->clock;
  if (newest != EW_NONE && from > INT64_MIN + days * EW_DAY_MS) {
    ew_time before = from - days * EW_DAY_MS;
    if (ew_store_hist_prune(e->store, before, HIST_PRUNE_LIMIT, &deleted,
                            &more) < 0)
      return fail_store(e, "history prune");
    if (deleted)
      ew_debug("engine: pruned %lld history entries older than %lld days%s",
               (long long)deleted, (long long)days, more ? " (more left)" : "");
  }
  e->hist_prune_day = day;
  e->hist_prune_more = more;
  return 0;
}

int ew_engine_advance(ew_engine *e, ew_time now) {
  if (now != EW_NONE && now > e->clock)
    e->clock = now;
  if (hist_prune(e) < 0)
    return -1;
  return 0;
}
