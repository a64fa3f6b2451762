/*
 * engine_time.c - the engine's clock and what follows from it (issue 4):
 * wake-ups that fire when the clock passes them, R01's (agency, year)
 * subjects, the window rules' followers, the judgement of notices, and the
 * pruning of history.
 *
 * A rule that waits for something (a publication, a decision, a feedback)
 * asks to be woken at its deadline (ew_finding_wake); the engine keeps one
 * durable wake-up per subject in the store, replaced after every judgement
 * of the subject. ew_engine_advance fires the wake-ups due, earliest first,
 * each judged at the time it was due: a daemon that was down for a month
 * judges the month's deadlines in order, as `check` would have, and a
 * warning (R01's 01-31) is emitted before the violation it grows into.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "ewtime.h"
#include "log.h"
#include "notices.h"
#include "rules/rules.h"

static int fail_store(ew_engine *e, const char *what) {
  return ew_engine_fail(e, "%s: %s", what, ew_store_errmsg(e->store));
}

/* ---- engine counters kept in the store's meta ---- */

#define META_CLOCK "clock"
#define META_R01_FROM "r01.from"
#define META_R01_TO "r01.to"
/* R01 covers at most this many years back from the clock, so that one
 * event dated decades ago cannot make every agency judged for each of
 * them. */
#define R01_MAX_YEARS 20

int ew_engine_load_meta(ew_engine *e) {
  uint64_t gen = ew_store_generation(e->store);
  if (e->clock_loaded && e->store_gen == gen)
    return 0;
  e->clock = EW_NONE;
  e->r01_from = e->r01_to = 0;
  e->hist_prune_day = INT64_MIN;
  e->hist_prune_more = 0;
  int64_t v;
  int found;
  if (ew_store_meta_get(e->store, META_CLOCK, &v, &found) < 0)
    return fail_store(e, "engine clock");
  if (found && (e->clock == EW_NONE || v > e->clock))
    e->clock = v;
  if (ew_store_meta_get(e->store, META_R01_FROM, &v, &found) < 0)
    return fail_store(e, "R01 years");
  e->r01_from = found ? v : 0;
  if (ew_store_meta_get(e->store, META_R01_TO, &v, &found) < 0)
    return fail_store(e, "R01 years");
  e->r01_to = found ? v : 0;
  e->clock_loaded = 1;
  e->store_gen = gen;
  return 0;
}

/* ---- R01: (agency, year) subjects ---- */

static int judge_agency_year(ew_engine *e, const ew_record *agency,
                             int64_t year) {
  const char *id = ew_arena_printf(&e->arena, "%s/%" PRId64,
                                   agency->u.agency.agency_uscc, year);
  if (!id)
    return ew_engine_fail(e, "out of memory");
  ew_subject sj = {0};
  sj.rec = agency;
  sj.type = EW_SUBJ_AGENCY;
  sj.id = id;
  sj.part = -1; /* from reference records: every instance's */
  sj.year = year;
  /* No event states it; a withdrawal (a plan arriving) is dated by the
   * clock, else by the first day of the year. */
  sj.event_time =
      e->clock != EW_NONE ? e->clock : ew_time_from_civil((int)year, 1, 1);
  return ew_engine_judge(e, &sj, e->clock);
}

static int r01_on(const ew_engine *e) {
  return e->cfg->r01.c.enabled;
}

int ew_engine_judge_agency_years(ew_engine *e, const char *agency_uscc,
                                 int64_t year) {
  if (!r01_on(e) || !agency_uscc)
    return 0;
  if (ew_engine_load_meta(e) < 0)
    return -1;
  if (e->r01_from == 0)
    return 0; /* no year is covered yet */
  const ew_record *ag = NULL;
  if (ew_store_ref_get(e->store, EW_REC_AGENCY, agency_uscc, &ag) < 0)
    return fail_store(e, "agency lookup");
  /* A deleted agency is judged as one without inspection powers, so that
   * its open R01 alerts are withdrawn. */
  ew_record gone;
  if (!ag) {
    memset(&gone, 0, sizeof gone);
    gone.kind = EW_REC_AGENCY;
    ew_rtype_init(ew_rtype_of(EW_REC_AGENCY), &gone.u);
    gone.u.agency.agency_uscc = agency_uscc;
    gone.u.agency.has_inspection_power = 0;
    ag = &gone;
  }
  int64_t from = year > 0 ? year : e->r01_from;
  int64_t to = year > 0 ? year : e->r01_to;
  if (from < e->r01_from)
    from = e->r01_from;
  if (to > e->r01_to)
    to = e->r01_to;
  for (int64_t y = from; y <= to; y++)
    if (judge_agency_year(e, ag, y) < 0)
      return -1;
  return 0;
}

typedef struct years_visit {
  ew_engine *e;
  int64_t from, to;
  int failed;
} years_visit;

static int judge_years_of(void *ud, const ew_record *agency) {
  years_visit *v = ud;
  for (int64_t y = v->from; y <= v->to; y++)
    if (judge_agency_year(v->e, agency, y) < 0) {
      v->failed = 1;
      return 1;
    }
  return 0;
}

/* Judges every agency for the years [from, to]. The registry is walked
 * once per range; each judgement may emit, which does not touch the
 * reference cache, so the walk stays valid. */
static int judge_all_agencies(ew_engine *e, int64_t from, int64_t to) {
  years_visit v = {e, from, to, 0};
  if (from > to)
    return 0;
  int rc = ew_store_ref_each(e->store, EW_REC_AGENCY, judge_years_of, &v);
  if (v.failed)
    return -1;
  return rc < 0 ? fail_store(e, "agencies") : 0;
}

int ew_engine_cover_year(ew_engine *e, int64_t year) {
  if (!r01_on(e) || year <= 0)
    return 0;
  if (ew_engine_load_meta(e) < 0)
    return -1;
  int64_t clock_year = e->clock != EW_NONE ? ew_time_year(e->clock) : year;
  if (year > clock_year)
    year = clock_year; /* the future is covered when the clock gets there */
  int64_t from = e->r01_from, to = e->r01_to;
  int64_t want_from = e->cfg->r01.first_year > 0 ? e->cfg->r01.first_year
                      : from && from < year      ? from
                                                 : year;
  int64_t want_to = to > clock_year ? to : clock_year;
  if (want_from < want_to - R01_MAX_YEARS + 1)
    want_from = want_to - R01_MAX_YEARS + 1;
  if (want_from > want_to)
    return 0;
  if (from == want_from && to == want_to)
    return 0;
  e->r01_from = want_from;
  e->r01_to = want_to;
  if (ew_store_meta_put(e->store, META_R01_FROM, want_from) < 0 ||
      ew_store_meta_put(e->store, META_R01_TO, want_to) < 0)
    return fail_store(e, "R01 years");
  if (from == 0)
    return judge_all_agencies(e, want_from, want_to);
  /* Only the years not covered before. */
  if (want_from < from && judge_all_agencies(e, want_from, from - 1) < 0)
    return -1;
  if (want_to > to &&
      judge_all_agencies(e, to + 1 > want_from ? to + 1 : want_from, want_to) <
          0)
    return -1;
  return 0;
}

/* ---- R23: (agency, quarter) subjects (issue 5) ----
 *
 * "<agency_uscc>/<YYYY>-Q<n>" is judged at the quarter's end (a wake-up),
 * and again when a decision inside its span, or a complaint concluded in
 * it (R23f), arrives or changes, if it ended no more than
 * R23_LATE_QUARTERS quarters before the clock's quarter: history is kept
 * that long behind the longest span (hist_horizon_days), and older quarters
 * are final. Wake-ups: a decision arms the open quarter whose span it
 * reaches; a quarter judged after its end arms the next one while the
 * agency has decisions within the next one's span. */
#define R23_LATE_QUARTERS 4

/* Sets the wake-up of (agency, q) at q's end unless it is set. */
static int r23_arm(ew_engine *e, const char *agency_uscc, int64_t q) {
  ew_time end = ew_r23_quarter_end(q), due;
  const char *id = ew_arena_printf(&e->arena, "%s/%04d-Q%d", agency_uscc,
                                   (int)(q / 4), (int)(q % 4) + 1);
  if (!id)
    return ew_engine_fail(e, "out of memory");
  if (ew_store_wakeup_get(e->store, EW_SUBJ_AGENCY, id, &due) < 0 ||
      (due != end &&
       ew_store_wakeup_put(e->store, EW_SUBJ_AGENCY, id, -1, end) < 0))
    return fail_store(e, "R23 wake-up");
  return 0;
}

static int r23_first_row(void *ud, const ew_hist_penalty *h) {
  if (h->decided_at != EW_NONE && h->decided_at < *(ew_time *)ud)
    *(ew_time *)ud = h->decided_at;
  return 1;
}

static int r23_any_row(void *ud, const ew_hist_penalty *h) {
  (void)h;
  *(int *)ud = 1;
  return 1;
}

static int r23_judge_quarter(ew_engine *e, const char *agency_uscc, int64_t q,
                             const char *event_id, ew_time event_time,
                             ew_time now) {
  const char *id = ew_arena_printf(&e->arena, "%s/%04d-Q%d", agency_uscc,
                                   (int)(q / 4), (int)(q % 4) + 1);
  if (!id)
    return ew_engine_fail(e, "out of memory");
  const ew_record *ag = NULL;
  if (ew_store_ref_get(e->store, EW_REC_AGENCY, agency_uscc, &ag) < 0)
    return fail_store(e, "agency lookup");
  /* Decisions of an agency missing from the registry are judged too. */
  ew_record stub;
  if (!ag) {
    memset(&stub, 0, sizeof stub);
    stub.kind = EW_REC_AGENCY;
    ew_rtype_init(ew_rtype_of(EW_REC_AGENCY), &stub.u);
    stub.u.agency.agency_uscc = agency_uscc;
    stub.u.agency.has_inspection_power = 0;
    ag = &stub;
  }
  ew_subject sj = {0};
  sj.rec = ag;
  sj.type = EW_SUBJ_AGENCY;
  sj.id = id;
  sj.part = -1;
  sj.event_id = event_id;
  sj.event_time = event_time;
  if (ew_engine_judge(e, &sj, now) < 0)
    return -1;
  ew_time next_end = ew_r23_quarter_end(q + 1);
  int64_t span = ew_r23_span_months(e->cfg);
  if (now == EW_NONE || now < ew_r23_quarter_end(q) || next_end <= now ||
      span == 0)
    return 0;
  int has = 0;
  if (ew_store_hist_decisions_between(
          e->store, agency_uscc, ew_r23_span_start(q + 1, span), next_end - 1,
          &e->arena, r23_any_row, &has) < 0)
    return fail_store(e, "R23 decisions");
  return has ? r23_arm(e, agency_uscc, q + 1) : 0;
}

/* Keeps the earliest decided_at of the agency's decisions ever received
 * (EW_R23_FIRST_META), where R23 takes its data to begin. The first time,
 * history's earliest counts too (a store from before R23). */
static int r23_note_first(ew_engine *e, const char *agency_uscc, ew_time t) {
  const char *key =
      ew_arena_printf(&e->arena, "%s%s", EW_R23_FIRST_META, agency_uscc);
  int64_t v;
  int found;
  if (!key)
    return ew_engine_fail(e, "out of memory");
  if (ew_store_meta_get(e->store, key, &v, &found) < 0)
    return fail_store(e, "R23 data start");
  if (!found) {
    v = t;
    if (ew_store_hist_decisions_between(e->store, agency_uscc, INT64_MIN, t,
                                        &e->arena, r23_first_row, &v) < 0)
      return fail_store(e, "R23 data start");
  }
  if (found && v <= t)
    return 0;
  if (v > t)
    v = t;
  return ew_store_meta_put(e->store, key, v) < 0
             ? fail_store(e, "R23 data start")
             : 0;
}

/* 1 when `t` lies in the span of quarter `q`. */
static int r23_covers(int64_t q, int64_t span, ew_time t) {
  return t != EW_NONE && t < ew_r23_quarter_end(q) &&
         t >= ew_r23_span_start(q, span);
}

static int r23_on_event(ew_engine *e, const ew_record *rec, ew_time was) {
  if (!ew_r23_enabled(e->cfg))
    return 0;
  ew_time clock = e->clock;
  int64_t cur = clock != EW_NONE ? ew_r23_quarter_of(clock) : 0;
  if (rec->kind == EW_REC_PENALTY) {
    const ew_penalty *p = &rec->u.penalty;
    ew_time t = p->withdrawn_at == EW_NONE ? p->decided_at : EW_NONE;
    int64_t span = ew_r23_span_months(e->cfg);
    if (!p->agency_uscc || span == 0)
      return 0;
    if (t != EW_NONE && r23_note_first(e, p->agency_uscc, t) < 0)
      return -1;
    /* Late data: the ended quarters whose span it enters or leaves. */
    ew_time moved = t != EW_NONE ? t : p->decided_at;
    for (int64_t q = cur - R23_LATE_QUARTERS; clock != EW_NONE && q < cur; q++)
      if ((r23_covers(q, span, moved) || r23_covers(q, span, was)) &&
          r23_judge_quarter(e, p->agency_uscc, q, p->event_id, p->event_time,
                            clock) < 0)
        return -1;
    if (t == EW_NONE)
      return 0;
    int64_t open = ew_r23_quarter_of(clock != EW_NONE && clock > t ? clock : t);
    return r23_covers(open, span, t) ? r23_arm(e, p->agency_uscc, open) : 0;
  }
  if (rec->kind == EW_REC_COMPLAINT && e->cfg->r23f.c.enabled) {
    const ew_complaint *c = &rec->u.complaint;
    ew_time t[2] = {c->concluded_at, was};
    if (!c->respondent_agency_uscc)
      return 0;
    for (int i = 0; i < 2; i++) {
      if (t[i] == EW_NONE ||
          (i == 1 && t[0] != EW_NONE &&
           ew_r23_quarter_of(t[0]) == ew_r23_quarter_of(t[1])))
        continue;
      int64_t q = ew_r23_quarter_of(t[i]);
      if (clock != EW_NONE && q < cur - R23_LATE_QUARTERS)
        continue;
      if (r23_judge_quarter(e, c->respondent_agency_uscc, q, c->event_id,
                            c->event_time, clock) < 0)
        return -1;
    }
  }
  return 0;
}

/* ---- notices as subjects (R24) ---- */

int ew_engine_judge_notice(ew_engine *e, const char *notice_id,
                           const char *event_id, ew_time event_time) {
  ew_record rec;
  int32_t part;
  int found;
  memset(&rec, 0, sizeof rec);
  rec.kind = EW_REC_NOTICE;
  if (ew_store_notice_get(e->store, notice_id, &e->arena, &rec.u.notice, &part,
                          &found) < 0)
    return fail_store(e, "notice");
  if (!found)
    return 0; /* feedback on a notice not issued here: kept, not judged */
  ew_subject sj = {0};
  sj.rec = &rec;
  sj.type = EW_SUBJ_NOTICE;
  sj.id = rec.u.notice.notice_id;
  sj.part = part;
  sj.event_id = event_id;
  sj.event_time = event_time != EW_NONE ? event_time : rec.u.notice.issued_at;
  return ew_engine_judge(e, &sj, e->clock);
}

/* ---- followers of the window rules ---- */

typedef struct follower {
  const char *id;
  int32_t part;
} follower;

typedef struct followers {
  ew_arena *arena;
  const char *self;
  follower *v;
  size_t n, cap;
  int oom;
} followers;

static int follower_add(followers *f, const char *id, int32_t part) {
  if (!id || strcmp(id, f->self) == 0)
    return 0;
  follower *v = ew_rule_array_grow(f->arena, f->v, f->n, &f->cap, sizeof *v);
  if (!v) {
    f->oom = 1;
    return 1;
  }
  f->v = v;
  f->v[f->n].id = id;
  f->v[f->n].part = part;
  f->n++;
  return 0;
}

static int follower_inspection(void *ud, const ew_hist_inspection *h) {
  return follower_add(ud, h->inspection_id, h->part);
}

static int follower_penalty(void *ud, const ew_hist_penalty *h) {
  return follower_add(ud, h->decision_no, h->part);
}

static int64_t days_max(int64_t a, int64_t b) {
  return a > b ? a : b;
}

/* The longest window, in days, over which a later inspection of the same
 * enterprise counts this one: 0 when no window rule is on. */
static int64_t inspection_window_days(const ew_rules_config *c) {
  int64_t d = 0;
  if (c->r19a.c.enabled)
    d = days_max(d, c->r19a.window_days);
  if (c->r19b.c.enabled)
    d = days_max(d, c->r19b.window_days);
  if (c->r19c.c.enabled)
    d = days_max(d, c->r19c.window_days);
  if (c->r19d.c.enabled)
    d = days_max(d, 366); /* the rest of a calendar year */
  if (c->r18a.c.enabled) {
    int64_t m = days_max(c->r18a.months_a,
                         days_max(c->r18a.months_b, c->r18a.months_c));
    d = days_max(d, m * 31);
  }
  return d;
}

/* Judges a follower with the window rules. What changes is dated by the
 * event that moved the window (`cause_time`) when that came later than the
 * follower's own snapshot: a cancellation withdraws the later check's R19a
 * when it is known, not before. */
static int judge_snapshot(ew_engine *e, ew_rkind kind, const follower *fw,
                          ew_time cause_time) {
  const char *id = fw->id;
  ew_record rec;
  int found;
  memset(&rec, 0, sizeof rec);
  if (ew_store_snapshot_get(e->store, kind, id, &e->arena, &rec, &found) < 0)
    return fail_store(e, "snapshot");
  if (!found)
    return 0;
  rec.kind = kind;
  ew_subject sj = {0};
  sj.rec = &rec;
  sj.type = kind == EW_REC_INSPECTION ? EW_SUBJ_INSPECTION
            : kind == EW_REC_PENALTY  ? EW_SUBJ_PENALTY
                                      : EW_SUBJ_COMPLAINT;
  sj.id = ew_record_id(&rec);
  sj.event_id = ew_record_event_id(&rec);
  sj.event_time = ew_record_event_time(&rec);
  if (cause_time != EW_NONE && cause_time > sj.event_time)
    sj.event_time = cause_time;
  sj.part = fw->part;
  return ew_engine_judge_windows(e, &sj, e->clock);
}

/* [from, to] covering `t` and `was` (either may be EW_NONE) and `days`
 * after the later; 0 when there is nothing to cover. */
static int window_span(ew_time t, ew_time was, int64_t days, ew_time *from,
                       ew_time *to) {
  ew_time lo = t == EW_NONE ? was : was == EW_NONE || t < was ? t : was;
  ew_time hi = t == EW_NONE ? was : was == EW_NONE || t > was ? t : was;
  if (!days || lo == EW_NONE || hi > INT64_MAX - days * EW_DAY_MS)
    return 0;
  *from = lo;
  *to = hi + days * EW_DAY_MS;
  return 1;
}

int ew_engine_judge_followers(ew_engine *e, const ew_record *rec, ew_time was) {
  if (r23_on_event(e, rec, was) < 0)
    return -1;
  followers f = {&e->arena, ew_record_id(rec), NULL, 0, 0, 0};
  int rc = 0;
  ew_rkind kind = rec->kind;
  ew_time from, to;
  if (rec->kind == EW_REC_INSPECTION) {
    const ew_inspection *in = &rec->u.inspection;
    ew_time t = in->ended_at != EW_NONE     ? in->ended_at
                : in->started_at != EW_NONE ? in->started_at
                                            : in->event_time;
    if (!in->enterprise_uscc ||
        !window_span(t, was, inspection_window_days(e->cfg), &from, &to))
      return 0;
    rc = ew_store_hist_inspections_between(e->store, in->enterprise_uscc, from,
                                           to, &e->arena, follower_inspection,
                                           &f);
  } else if (rec->kind == EW_REC_PENALTY) {
    const ew_penalty *p = &rec->u.penalty;
    int64_t days = e->cfg->r14b.c.enabled ? e->cfg->r14b.window_days : 0;
    if (!p->agency_uscc || !window_span(p->decided_at, was, days, &from, &to))
      return 0;
    rc = ew_store_hist_decisions_between(e->store, p->agency_uscc, from, to,
                                         &e->arena, follower_penalty, &f);
  } else {
    return 0;
  }
  if (rc < 0)
    return fail_store(e, "window followers");
  if (f.oom)
    return ew_engine_fail(e, "out of memory listing window followers");
  for (size_t i = 0; i < f.n; i++)
    if (judge_snapshot(e, kind, &f.v[i], ew_record_event_time(rec)) < 0)
      return -1;
  return 0;
}

/* ---- wake-ups ---- */

static int fire(ew_engine *e, const ew_wakeup *w) {
  /* Removed first: judging the subject arms its next wake-up, if any. */
  if (ew_store_wakeup_put(e->store, w->kind, w->subject_id, w->part, EW_NONE) <
      0)
    return fail_store(e, "wake-up");
  ew_subject sj = {0};
  const ew_record *ref = NULL;
  switch (w->kind) {
  case EW_SUBJ_INSPECTION:
  case EW_SUBJ_PENALTY:
  case EW_SUBJ_COMPLAINT: {
    ew_rkind kind = w->kind == EW_SUBJ_INSPECTION ? EW_REC_INSPECTION
                    : w->kind == EW_SUBJ_PENALTY  ? EW_REC_PENALTY
                                                  : EW_REC_COMPLAINT;
    ew_record rec;
    int found;
    memset(&rec, 0, sizeof rec);
    if (ew_store_snapshot_get(e->store, kind, w->subject_id, &e->arena, &rec,
                              &found) < 0)
      return fail_store(e, "snapshot");
    if (!found)
      return 0;
    rec.kind = kind;
    sj.rec = &rec;
    sj.type = w->kind;
    sj.id = w->subject_id;
    sj.part = w->part;
    sj.event_id = ew_record_event_id(&rec);
    sj.event_time = ew_record_event_time(&rec);
    return ew_engine_judge(e, &sj, w->due_at);
  }
  case EW_SUBJ_RANDOM_TASK:
    if (ew_store_ref_get(e->store, EW_REC_RANDOM_TASK, w->subject_id, &ref) < 0)
      return fail_store(e, "random task");
    if (!ref)
      return 0;
    sj.rec = ref;
    sj.type = w->kind;
    sj.id = w->subject_id;
    sj.part = -1;
    sj.event_time = ref->u.random_task.drawn_at;
    return ew_engine_judge(e, &sj, w->due_at);
  case EW_SUBJ_NOTICE: {
    ew_record rec;
    int32_t part;
    int found;
    memset(&rec, 0, sizeof rec);
    rec.kind = EW_REC_NOTICE;
    if (ew_store_notice_get(e->store, w->subject_id, &e->arena, &rec.u.notice,
                            &part, &found) < 0)
      return fail_store(e, "notice");
    if (!found)
      return 0;
    sj.rec = &rec;
    sj.type = w->kind;
    sj.id = w->subject_id;
    sj.part = part;
    sj.event_time = rec.u.notice.issued_at;
    return ew_engine_judge(e, &sj, w->due_at);
  }
  case EW_SUBJ_AGENCY: {
    /* "<agency_uscc>/<year>" (R01) or "<agency_uscc>/<YYYY>-Q<n>" (R23) */
    const char *slash = strrchr(w->subject_id, '/');
    if (!slash)
      return 0;
    char *uscc = ew_arena_strndup(&e->arena, w->subject_id,
                                  (size_t)(slash - w->subject_id));
    if (!uscc)
      return ew_engine_fail(e, "out of memory");
    int64_t year = strtoll(slash + 1, NULL, 10);
    if (ew_store_ref_get(e->store, EW_REC_AGENCY, uscc, &ref) < 0)
      return fail_store(e, "agency");
    int64_t q;
    if (ew_r23_quarter_parse(slash + 1, &q) == 0)
      return r23_judge_quarter(e, uscc, q, NULL, w->due_at, w->due_at);
    if (!ref)
      return 0;
    sj.rec = ref;
    sj.type = w->kind;
    sj.id = w->subject_id;
    sj.part = -1;
    sj.year = year;
    sj.event_time = w->due_at;
    return ew_engine_judge(e, &sj, w->due_at);
  }
  case EW_WAKE_NOTICE_BATCH:
    return ew_notices_fire_batch(e, w->subject_id, w->due_at);
  default:
    ew_warn("engine: wake-up of unknown kind %d for %s dropped", w->kind,
            w->subject_id);
    return 0;
  }
}

/* ---- history pruning (issue 3) ----
 *
 * History is kept as long as some rule can look back at it: the longest of
 * R15's soft_lookback_days, the largest lookback_days of the leniency items
 * on file (730, the contract's default, when there is none), R22b's
 * decision_grace_days and the windows of R14b, R18a and R19 (and, for
 * R23, its longest span plus R23_LATE_QUARTERS of late data), plus
 * HIST_SLACK_DAYS for events that arrive late (a decision is often sent
 * when it is published, days after decided_at).
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
  d = days_max(d, hist_clamp_days(e->cfg->r15.soft_lookback_days));
  d = days_max(d, hist_clamp_days(e->cfg->r22b.decision_grace_days));
  d = days_max(d, hist_clamp_days(inspection_window_days(e->cfg)));
  d = days_max(d, hist_clamp_days(e->cfg->r14b.window_days));
  if (ew_r23_enabled(e->cfg))
    d = days_max(
        d, hist_clamp_days(
               (ew_r23_span_months(e->cfg) + 3 * R23_LATE_QUARTERS) * 31));
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

int ew_engine_fire_own(ew_engine *e, int kind, const char *subject_id,
                       int32_t part, ew_time upto) {
  if (e->clock != EW_NONE && upto <= e->clock)
    return 0; /* what was due by the clock has fired */
  /* Each firing may arm the next deadline of the subject, later than it:
   * a subject has a handful (accept, conclude, publish...). */
  for (int i = 0; i < 64; i++) {
    ew_time due;
    if (ew_store_wakeup_get(e->store, kind, subject_id, &due) < 0)
      return fail_store(e, "wake-up");
    if (due == EW_NONE || due > upto ||
        (e->clock != EW_NONE && due <= e->clock))
      return 0;
    ew_wakeup w = {kind, subject_id, part, due};
    if (fire(e, &w) < 0)
      return -1;
  }
  return 0;
}

int ew_engine_advance(ew_engine *e, ew_time now) {
  ew_arena_reset(&e->arena);
  if (ew_engine_load_meta(e) < 0)
    return -1;
  if (now != EW_NONE && now > e->clock) {
    e->clock = now;
    if (ew_store_meta_put(e->store, META_CLOCK, now) < 0)
      return fail_store(e, "engine clock");
  }
  if (e->clock == EW_NONE)
    return 0;
  if (ew_engine_cover_year(e, ew_time_year(e->clock)) < 0)
    return -1;
  for (;;) {
    ew_wakeup w;
    int found;
    ew_arena_reset(&e->arena);
    if (ew_store_wakeup_next(e->store, e->clock, &e->arena, &w, &found) < 0)
      return fail_store(e, "wake-ups");
    if (!found)
      break;
    if (fire(e, &w) < 0)
      return -1;
  }
  return hist_prune(e);
}
