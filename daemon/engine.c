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
#include "stats.h"
#include "notices.h"
#include "ewtime.h"
#include "log.h"
#include "record_blob.h"
#include "rules/rules.h"

int ew_engine_fail(ew_engine *e, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->errmsg, sizeof e->errmsg, fmt, ap);
  va_end(ap);
  return -1;
}

static int fail_store(ew_engine *e, const char *what) {
  return ew_engine_fail(e, "%s: %s", what, ew_store_errmsg(e->store));
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
  if (ew_stats_new(&e->stats, store, cfg) != 0) {
    snprintf(errstr, errstr_size, "engine: out of memory");
    free(e);
    return -1;
  }
  *out = e;
  return 0;
}

void ew_engine_destroy(ew_engine *e) {
  if (!e)
    return;
  ew_stats_destroy(e->stats);
  ew_arena_free(&e->arena);
  free(e);
}

int ew_engine_flush_stats(ew_engine *e) {
  if (ew_stats_flush(e->stats, e->emit, e->emit_ud) != 0)
    return ew_engine_fail(e, "%s", ew_stats_errmsg(e->stats));
  return 0;
}

/* The time a stats value is "as of": the engine's clock, or the input's
 * time when that is later (the clock never runs ahead of wall time). */
static ew_time stats_as_of(const ew_engine *e, ew_time t) {
  ew_time at =
      e->clock == EW_NONE || (t != EW_NONE && t > e->clock) ? t : e->clock;
  return at == EW_NONE ? 0 : at; /* nothing dated it yet */
}

const char *ew_engine_errmsg(const ew_engine *e) {
  return e ? e->errmsg : "no engine";
}

/* ---- the evaluation context ---- */

static int build_ctx(ew_engine *e, const ew_subject *sj, ew_time now,
                     ew_rule_ctx *ctx) {
  const ew_record *rec = sj->rec;
  const char *region = NULL;
  memset(ctx, 0, sizeof *ctx);
  ctx->cfg = e->cfg;
  ctx->store = e->store;
  ctx->arena = &e->arena;
  ctx->rec = rec;
  ctx->subject_type = sj->type;
  ctx->subject_id = sj->id;
  ctx->event_id = sj->event_id;
  ctx->event_time = sj->event_time;
  ctx->now = now;
  ctx->year = sj->year;
  switch (rec->kind) {
  case EW_REC_INSPECTION:
    ctx->agency_uscc = rec->u.inspection.agency_uscc;
    ctx->enterprise_uscc = rec->u.inspection.enterprise_uscc;
    region = rec->u.inspection.enterprise_region_code;
    break;
  case EW_REC_PENALTY:
    ctx->agency_uscc = rec->u.penalty.agency_uscc;
    ctx->enterprise_uscc = rec->u.penalty.enterprise_uscc;
    region = rec->u.penalty.enterprise_region_code;
    break;
  case EW_REC_COMPLAINT:
    ctx->agency_uscc = rec->u.complaint.handling_agency_uscc;
    ctx->enterprise_uscc = rec->u.complaint.enterprise_uscc;
    break;
  case EW_REC_RANDOM_TASK:
    ctx->agency_uscc = rec->u.random_task.agency_uscc;
    break;
  case EW_REC_AGENCY:
    ctx->agency_uscc = rec->u.agency.agency_uscc;
    break;
  case EW_REC_NOTICE:
    ctx->agency_uscc = rec->u.notice.recipient_agency_uscc;
    break;
  default:
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
  if (ew_stats_on_alert(e->stats, a, stats_as_of(e, a->detected_at)) != 0)
    return ew_engine_fail(e, "%s", ew_stats_errmsg(e->stats));
  out.kind = EW_REC_ALERT;
  out.u.alert = *a;
  if (e->emit(e->emit_ud, &out) < 0)
    return ew_engine_fail(e, "emit of alert %s failed", a->alert_id);
  /* The notices that list the alert are judged again (R24 asks no
   * feedback once every listed alert is withdrawn, and again when one
   * reopens); then the notice the alert calls for, if any, follows it. */
  if (ew_notices_on_change(e, a) < 0)
    return -1;
  if (a->status == EW_AST_OPEN && ew_notices_on_alert(e, a, part) < 0)
    return -1;
  return 0;
}

static int withdraw(ew_engine *e, const open_alert *o, const char *event_id,
                    ew_time event_time, int32_t part) {
  ew_alert a;
  if (ew_blob_decode(ew_rtype_of(EW_REC_ALERT), o->body, o->body_len, &a,
                     &e->arena) < 0)
    return ew_engine_fail(e, "alert state %s: corrupt body", o->alert_id);
  a.status = EW_AST_WITHDRAWN;
  a.detected_at = event_time;
  int have = event_id == NULL; /* a reference record has no event id */
  for (size_t i = 0; i < a.evidence_event_ids.n && !have; i++)
    have = strcmp(a.evidence_event_ids.v[i], event_id) == 0;
  if (!have) {
    size_t n = a.evidence_event_ids.n;
    const char **v = ew_arena_alloc(&e->arena, (n + 1) * sizeof *v);
    if (!v)
      return ew_engine_fail(e, "out of memory");
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

static int judge(ew_engine *e, const ew_subject *sj, ew_time now,
                 int windows_only) {
  ew_rule_ctx ctx;
  ew_findings found = {0};
  open_list open = {0};
  ew_window_cache window = {0};
  int32_t part = sj->part;
  if (build_ctx(e, sj, now, &ctx) < 0)
    return -1;
  ctx.window = &window;
  found.arena = &e->arena;
  found.wake_at = EW_NONE;
  uint32_t on = EW_ON(sj->type);
  for (size_t i = 0; i < ew_rule_table_count; i++) {
    const ew_rule_def *d = &ew_rule_table[i];
    if (!(d->subjects & on) || !ew_rule_common_of(e->cfg, d)->enabled ||
        (windows_only && !d->window))
      continue;
    if (d->fn(&ctx, &found) < 0)
      return ew_engine_fail(e, "rule %s on %s: %s", d->id, ctx.subject_id,
                            ew_store_errmsg(e->store));
  }
  if (found.oom)
    return ew_engine_fail(e, "out of memory evaluating %s", ctx.subject_id);

  open.arena = &e->arena;
  if (ew_store_alert_state_open(e->store, ctx.subject_type, ctx.subject_id,
                                collect_open, &open) < 0)
    return fail_store(e, "open alerts");
  if (open.oom)
    return ew_engine_fail(e, "out of memory loading alerts of %s",
                          ctx.subject_id);

  /* Emission follows the rule table, each rule's new or changed findings
   * before its withdrawals, so one snapshot's outputs come in rule order
   * whatever mix of OPEN and WITHDRAWN it produces. */
  for (size_t r = 0; r < ew_rule_table_count; r++) {
    const ew_rule_def *d = &ew_rule_table[r];
    if (!ew_rule_common_of(e->cfg, d)->enabled || (windows_only && !d->window))
      continue; /* neither finds nor withdraws */
    /* Not filtered by subject: an alert a rule raised on this subject is
     * withdrawn by it when the rule no longer finds it. */
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
  /* The subject's one wake-up: what this judgement asked for replaces
   * what the last one did, so a snapshot that meets a deadline cancels it
   * by not asking again. */
  /* A wake-up at or before the time judged would fire at once and again
   * for ever: what a rule asks for must lie ahead. */
  if (found.wake_at != EW_NONE && now != EW_NONE && found.wake_at <= now) {
    ew_warn("engine: wake-up of %s at or before the time judged ignored",
            sj->id);
    found.wake_at = EW_NONE;
  }
  if (!windows_only &&
      ew_store_wakeup_put(e->store, sj->type, sj->id, part, found.wake_at) < 0)
    return fail_store(e, "wake-up");
  return 0;
}

int ew_engine_judge(ew_engine *e, const ew_subject *sj, ew_time now) {
  return judge(e, sj, now, 0);
}

int ew_engine_judge_windows(ew_engine *e, const ew_subject *sj, ew_time now) {
  return judge(e, sj, now, 1);
}

/* The subject of an event or of a reference record judged in its own
 * right: the record states the time it is judged at (a random task, its
 * drawn_at), so that the daemon and `check` agree on detected_at whatever
 * their clocks. */
static int subject_of(const ew_record *rec, int32_t part, ew_subject *sj) {
  memset(sj, 0, sizeof *sj);
  sj->rec = rec;
  sj->id = ew_record_id(rec);
  sj->part = part;
  sj->event_id = ew_record_event_id(rec);
  sj->event_time = ew_record_event_time(rec);
  switch (rec->kind) {
  case EW_REC_INSPECTION:
    sj->type = EW_SUBJ_INSPECTION;
    break;
  case EW_REC_PENALTY:
    sj->type = EW_SUBJ_PENALTY;
    break;
  case EW_REC_COMPLAINT:
    sj->type = EW_SUBJ_COMPLAINT;
    break;
  case EW_REC_RANDOM_TASK:
    sj->type = EW_SUBJ_RANDOM_TASK;
    sj->event_time = rec->u.random_task.drawn_at;
    break;
  case EW_REC_NOTICE:
    sj->type = EW_SUBJ_NOTICE;
    sj->event_time = rec->u.notice.issued_at;
    break;
  default:
    return -1;
  }
  return sj->id ? 0 : -1;
}

static int evaluate(ew_engine *e, const ew_record *rec, int32_t part) {
  ew_subject sj;
  if (subject_of(rec, part, &sj) < 0)
    return 0;
  return ew_engine_judge(e, &sj, e->clock);
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

/* A plan's year for R01, or 0 when it names none. */
static int64_t plan_year(const ew_record *plan) {
  return plan && plan->kind == EW_REC_PLAN ? plan->u.plan.year : 0;
}

int ew_engine_apply(ew_engine *e, const ew_record *rec,
                    const ew_origin *origin) {
  ew_arena_reset(&e->arena);
  if (ew_engine_load_meta(e) < 0)
    return -1;
  if (ew_rkind_is_ref(rec->kind)) {
    if (!ew_record_id(rec)) {
      ew_warn("engine: %s without its id ignored", ew_rkind_name(rec->kind));
      return 0;
    }
    /* A plan that moves to another agency or year leaves R01's judgement
     * of the old one to be made again. */
    const ew_record *old = NULL;
    char *old_agency = NULL;
    int64_t old_year = 0;
    if (rec->kind == EW_REC_PLAN) {
      if (ew_store_ref_get(e->store, EW_REC_PLAN, ew_record_id(rec), &old) < 0)
        return fail_store(e, "plan lookup");
      if (old && old->u.plan.agency_uscc) {
        old_agency = ew_arena_strdup(&e->arena, old->u.plan.agency_uscc);
        old_year = plan_year(old);
      }
    }
    if (ew_store_ref_put(e->store, rec) < 0)
      return fail_store(e, "reference record");
    if (rec->kind == EW_REC_PLAN &&
        ew_stats_on_plan(e->stats, ew_record_id(rec), rec,
                         stats_as_of(e, rec->u.plan.filed_at)) != 0)
      return ew_engine_fail(e, "%s", ew_stats_errmsg(e->stats));
    if (ew_ref_is_subject(rec->kind))
      return evaluate(e, rec, -1);
    if (rec->kind == EW_REC_AGENCY)
      return reevaluate_agency_tasks(e, rec->u.agency.agency_uscc) < 0 ||
                     ew_engine_judge_agency_years(e, rec->u.agency.agency_uscc,
                                                  0) < 0
                 ? -1
                 : 0;
    if (rec->kind == EW_REC_PLAN) {
      if (old_agency &&
          ew_engine_judge_agency_years(e, old_agency, old_year) < 0)
        return -1;
      if (rec->u.plan.agency_uscc &&
          ew_engine_judge_agency_years(e, rec->u.plan.agency_uscc,
                                       plan_year(rec)) < 0)
        return -1;
    }
    return 0;
  }
  if (!ew_rkind_is_event(rec->kind)) {
    const char *n = ew_rkind_name(rec->kind);
    return ew_engine_fail(e, "%s is not an input record", n ? n : "?");
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
  ew_subject own;
  if (rec->kind == EW_REC_FEEDBACK
          ? ew_engine_fire_own(e, EW_SUBJ_NOTICE, sid, part, et) < 0
          : subject_of(rec, part, &own) == 0 &&
                ew_engine_fire_own(e, own.type, own.id, part, et) < 0)
    return -1;
  if (ew_store_snapshot_put(e->store, rec, part, &applied) < 0)
    return fail_store(e, "snapshot");
  if (!applied) {
    ew_debug("engine: %s %s older than its stored snapshot, ignored",
             ew_rkind_name(rec->kind), sid);
    return 0;
  }
  ew_time was = EW_NONE;
  if (ew_store_hist_time(e->store, rec->kind, sid, &was) < 0 ||
      ew_store_hist_record(e->store, rec, part) < 0)
    return fail_store(e, "history");
  if (ew_engine_cover_year(e, ew_time_year(et)) < 0)
    return -1;
  if (rec->kind == EW_REC_FEEDBACK)
    return ew_engine_judge_notice(e, sid, event_id, et);
  if (evaluate(e, rec, part) < 0)
    return -1;
  if (ew_engine_judge_followers(e, rec, was) < 0)
    return -1;
  /* After the rules: a complaint's counts read its alerts. */
  if (ew_stats_on_event(e->stats, rec, stats_as_of(e, et)) != 0)
    return ew_engine_fail(e, "%s", ew_stats_errmsg(e->stats));
  return 0;
}

int ew_engine_delete_ref(ew_engine *e, ew_rkind kind, const char *id) {
  ew_arena_reset(&e->arena);
  if (ew_engine_load_meta(e) < 0)
    return -1;
  const ew_record *old = NULL;
  char *agency = NULL;
  int64_t year = 0;
  if (kind == EW_REC_PLAN || kind == EW_REC_AGENCY) {
    if (ew_store_ref_get(e->store, kind, id, &old) < 0)
      return fail_store(e, "reference lookup");
    if (old && kind == EW_REC_PLAN && old->u.plan.agency_uscc) {
      agency = ew_arena_strdup(&e->arena, old->u.plan.agency_uscc);
      year = plan_year(old);
    }
    if (old && kind == EW_REC_AGENCY)
      agency = ew_arena_strdup(&e->arena, id);
  }
  if (ew_store_ref_delete(e->store, kind, id) < 0)
    return fail_store(e, "reference tombstone");
  if (kind == EW_REC_PLAN &&
      ew_stats_on_plan(e->stats, id, NULL, stats_as_of(e, EW_NONE)) != 0)
    return ew_engine_fail(e, "%s", ew_stats_errmsg(e->stats));
  /* A deleted plan may leave its agency without one for the year; a
   * deleted agency's R01 alerts are withdrawn. */
  if (agency)
    return ew_engine_judge_agency_years(e, agency, year);
  return 0;
}
