/*
 * engine_int.h - the engine's private state, for engine.c and its tests.
 */
#ifndef EW_ENGINE_INT_H
#define EW_ENGINE_INT_H

#include "arena.h"
#include "engine.h"

struct ew_engine {
  ew_store *store;            /* borrowed */
  const ew_rules_config *cfg; /* borrowed */
  ew_emit_fn emit;
  void *emit_ud;
  /* The engine's notion of "now": moved only by ew_engine_advance and
   * never backwards (kept in the store's meta, so across restarts too).
   * Snapshots are judged at it; wake-ups due at or before it fire. */
  ew_time clock;
  /* The clock and R01's years are copies of the store's meta, read again
   * after a rollback (ew_store_generation) so that a batch rolled back
   * leaves no trace in memory either. */
  int clock_loaded;
  uint64_t store_gen;
  /* R01 judges (agency, year) subjects for the years [r01_from, r01_to]
   * (0: none yet): from the first year of the input (or the configured
   * first_year) to the clock's year. Kept in meta. */
  int64_t r01_from, r01_to;
  /* History pruning (issue 3): the engine day (Asia/Shanghai, days since
   * the epoch) of the last prune, INT64_MIN before the first, and whether
   * that prune stopped at its per-call bound with old entries left. */
  int64_t hist_prune_day;
  int hist_prune_more;
  ew_arena arena; /* per-record scratch: findings, decoded alert states */
  struct ew_stats_acc *stats; /* the stats stream's counts (stats.h) */
  char errmsg[512];
};

/* What the rules judge: an event's snapshot, a reference record judged in
 * its own right (a random task), a notice, or an (agency, year) of R01. */
typedef struct ew_subject {
  const ew_record *rec;
  int type;             /* EW_SUBJ_*; also the wake-up kind */
  const char *id;       /* subject_id of its alerts */
  int32_t part;         /* partition of its state; -1: every instance's */
  const char *event_id; /* evidence of its findings; NULL for none */
  ew_time event_time;   /* detected_at of findings, unless a rule says */
  int64_t year;         /* R01's year, else 0 */
} ew_subject;

/* Wake-up kinds beyond the subject types: a batched notice due. */
#define EW_WAKE_NOTICE_BATCH 100

/* Runs every enabled rule that judges sj->type at `now`, emits the
 * difference with the subject's open alerts and stores its wake-up. */
int ew_engine_judge(ew_engine *e, const ew_subject *sj, ew_time now);
/* The same with the window rules alone (ew_rule_def.window): the other
 * rules' alerts and the wake-up are left as they are. */
int ew_engine_judge_windows(ew_engine *e, const ew_subject *sj, ew_time now);

/* engine_time.c: (re)loads the clock, R01's years and the pruning state
 * from the store when they are not in memory or a rollback made them
 * stale. Every entry point calls it first. */
int ew_engine_load_meta(ew_engine *e);

/* engine_time.c: R01's (agency, year) subjects. Judges every year in
 * [r01_from, r01_to] of agency `agency_uscc` (a registry put or a plan
 * change); `year` > 0 limits it to that year. */
int ew_engine_judge_agency_years(ew_engine *e, const char *agency_uscc,
                                 int64_t year);
/* Widens R01's years to include `year` (an event's year), judging every
 * agency for the new years. */
int ew_engine_cover_year(ew_engine *e, int64_t year);
/* Judges the notice `notice_id` again (issue, feedback); `event_id`,
 * `event_time` those of the feedback, NULL / EW_NONE otherwise. */
/* Fires the wake-ups of one subject due after the clock and at or before
 * `upto`, in order: a snapshot judged ahead of the engine's clock (the
 * daemon's clock waits for its slowest partition) first meets its own
 * deadlines that passed before it, as in `check`, whose clock always
 * stands at the snapshot. `part`: the subject's partition. */
int ew_engine_fire_own(ew_engine *e, int kind, const char *subject_id,
                       int32_t part, ew_time upto);
int ew_engine_judge_notice(ew_engine *e, const char *notice_id,
                           const char *event_id, ew_time event_time);
/* The window rules: judges again the inspections of the same enterprise
 * (or decisions of the same agency) that follow `rec` within the longest
 * window, since their counts include it. `was` is where history placed
 * `rec` before this snapshot (EW_NONE: nowhere): the events between its
 * old and new place are judged again too. */
int ew_engine_judge_followers(ew_engine *e, const ew_record *rec, ew_time was);

int ew_engine_fail(ew_engine *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif /* EW_ENGINE_INT_H */
