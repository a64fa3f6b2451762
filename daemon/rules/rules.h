/*
 * rules.h - private interface between the engine and the per-event rules.
 *
 * A rule is one function over one accepted snapshot: it reads the record
 * and the reference cache through the context and appends zero or more
 * findings. It never writes state and never emits: the engine compares the
 * findings with what is open for the subject and emits the difference.
 * Adding a rule is one file in this directory plus one row in
 * ew_rule_table (rules.c).
 *
 * Findings and everything they point to live in the context's arena, which
 * the engine resets per event.
 */
#ifndef EW_RULES_H
#define EW_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "../alert.h"
#include "../arena.h"
#include "../record.h"
#include "../rules_config.h"
#include "../store.h"

struct ew_window_cache;

typedef struct ew_rule_ctx {
  const ew_rules_config *cfg;
  ew_store *store;
  ew_arena *arena;      /* per-event scratch; findings live here too */
  const ew_record *rec; /* the accepted snapshot */
  int subject_type;     /* EW_SUBJ_* */
  const char *subject_id;
  const char *event_id;
  ew_time event_time;
  const char *agency_uscc;     /* acting agency; NULL if the kind has none */
  const char *enterprise_uscc; /* NULL if none */
  const char *region_code;     /* enterprise_region_code, else the agency's */
  const ew_agency *agency;     /* registry record, NULL when not registered */
  const char *agency_label;    /* agency name, else its USCC */
  /* Issue 4: the time the subject is judged at. For a snapshot, the engine
   * clock when it arrives (never before its event_time); for a wake-up
   * (ew_finding_wake), the time the wake-up was due. EW_NONE before the
   * clock has been set, when no deadline can have passed. */
  ew_time now;
  /* Subjects that are not records: an agency and a year for R01
   * (subject_type EW_SUBJ_AGENCY, rec = the agency record, subject_id
   * "<agency_uscc>/<year>"), else 0. */
  int64_t year;
  /* The subject's earlier inspections, read once per judgement for R18a
   * and R19a-d (ew_window_earlier); NULL: every call reads. */
  struct ew_window_cache *window;
} ew_rule_ctx;

typedef struct ew_findings {
  ew_arena *arena;
  ew_alert_builder **v;
  size_t n, cap;
  const char *phrase; /* ew_rule_phrase, built on first use */
  int oom;            /* sticky; the engine fails the event when set */
  /* Issue 4: the earliest time any rule asked the subject to be judged
   * again (ew_finding_wake); EW_NONE for none. The engine keeps one
   * durable wake-up per subject and replaces it after every judgement, so
   * a later snapshot that meets a deadline cancels it by not asking. */
  ew_time wake_at;
} ew_findings;

/* Asks the engine to judge the subject again at `at` (EW_NONE: ignored).
 * Deadline rules call it for the next deadline that has not passed yet. */
void ew_finding_wake(ew_findings *out, ew_time at);

/* The deadline `due` (the last instant allowed, e.g. from
 * ew_calendar_add_workdays) has passed at ctx->now: returns 1. Otherwise
 * returns 0 and, when `due` is known, asks to be woken just after it. A
 * deadline rule fires when this says 1 and the act is still not done (or
 * was done after `due`), with detected_at = due_at = due. */
int ew_deadline_passed(const ew_rule_ctx *ctx, ew_findings *out, ew_time due);

/* 「临夏州市场监督管理局对企业9162…的现场检查INS-001」: who did what to
 * whom, the start of every message. Built only when a rule reports
 * something (most snapshots are clean), then kept for the record. Never
 * NULL: "" on OOM, which also sets out->oom. */
const char *ew_rule_phrase(const ew_rule_ctx *ctx, ew_findings *out);

/* Starts a finding of `rule_id` on the context's subject: id, severity,
 * agency, enterprise, region, legal basis, evidence = the snapshot's event,
 * detected_at = its event_time. Returns the builder (stable until the arena
 * is reset), or NULL on OOM (out->oom is then set). */
ew_alert_builder *ew_finding_add(const ew_rule_ctx *ctx, ew_findings *out,
                                 const char *rule_id, const char *discriminator,
                                 int severity, const char *legal_basis);

typedef int (*ew_rule_fn)(const ew_rule_ctx *ctx, ew_findings *out);

/* The subjects a rule judges, bits of EW_SUBJ_* (record.h). */
#define EW_ON(subj) (1u << (subj))
#define EW_ON_EVENTS                                                           \
  (EW_ON(EW_SUBJ_INSPECTION) | EW_ON(EW_SUBJ_PENALTY) |                        \
   EW_ON(EW_SUBJ_COMPLAINT) | EW_ON(EW_SUBJ_RANDOM_TASK))

typedef struct ew_rule_def {
  const char *id;    /* rule_id of its alerts */
  size_t cfg_offset; /* of its ew_rule_common in ew_rules_config */
  ew_rule_fn fn;
  uint32_t subjects; /* EW_ON bits: the engine calls fn for these only */
  /* Counts other events within a window (R14b, R18a, R19): a subject is
   * judged again by these rules alone when an earlier event of its window
   * arrives late or changes (ew_engine_judge_followers). */
  int window;
} ew_rule_def;

/* The table row of `rule_id`, or NULL. */
const ew_rule_def *ew_rule_find(const char *rule_id);

extern const ew_rule_def ew_rule_table[];
extern const size_t ew_rule_table_count;

static inline const ew_rule_common *
ew_rule_common_of(const ew_rules_config *cfg, const ew_rule_def *d) {
  return (const ew_rule_common *)(const void *)((const char *)cfg +
                                                d->cfg_offset);
}

/* Each returns 0, or -1 on a store failure (OOM is reported through
 * out->oom). A rule that does not apply to the record returns 0 with no
 * findings. */
int ew_rule_r01(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r02(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r03(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r04(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r05(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r06(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r07(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r08a(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r08b(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r08c(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r09(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r10a(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r10b(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r10c(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r11(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r12(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r13a(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r13b(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r14a(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r14b(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r15(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r16a(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r16b(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r16c(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r16d(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r17(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r18a(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r18b(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r19a(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r19b(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r19c(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r19d(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r20a(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r20b(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r21a(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r21b(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r22a(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r22b(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r23a(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r23b(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r23c(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r23d(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r23e(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r23f(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r24(const ew_rule_ctx *ctx, ew_findings *out);
int ew_rule_r25(const ew_rule_ctx *ctx, ew_findings *out);

/* ---- helpers shared by rules ---- */

/* Makes room for one more element in `v`, an array in `a` of `n` elements
 * of `size` bytes with room for *cap: returns `v` while it has room, else a
 * copy with twice the capacity (8 at first), since arena memory cannot be
 * realloc'ed. NULL on OOM, with *cap unchanged. The engine grows its list
 * of open alerts with it too. */
void *ew_rule_array_grow(ew_arena *a, void *v, size_t n, size_t *cap,
                         size_t size);

/* The symbol of `v`, or "?" when out of range (never NULL, for printf). */
const char *ew_sym(const ew_enum *e, int v);
/* 1 when `v` holds the string `s`. */
int ew_strv_has(ew_strv v, const char *s);
/* 1 when `list` holds `s`. */
int ew_strlist_has(const ew_strlist *list, const char *s);

/* The officers of an inspection or penalty, and the time their
 * certificates must be valid at: started_at (inspection) or decided_at
 * (penalty), else the snapshot's event_time. */
typedef struct ew_officers {
  const ew_officer *v;
  size_t n;
  ew_time at;
} ew_officers;
int ew_rule_officers(const ew_rule_ctx *ctx, ew_officers *out);

/* What is wrong with an officer's certificate; EW_CP_OK when valid. */
typedef enum ew_cert_problem {
  EW_CP_OK,
  EW_CP_MISSING,       /* the event names no cert_no */
  EW_CP_NOT_FOUND,     /* no certificate record with that cert_no */
  EW_CP_OTHER_OFFICER, /* the record belongs to another officer */
  EW_CP_SUSPENDED,
  EW_CP_REVOKED,
  EW_CP_EXPIRED,       /* status EXPIRED, or `at` after valid_to */
  EW_CP_NOT_YET_VALID, /* `at` before valid_from */
  EW_CP_OTHER_AGENCY   /* issued to an agency not acting here */
} ew_cert_problem;

/* "cert_missing", "cert_not_found", ... (the fact values). */
const char *ew_cert_problem_name(ew_cert_problem p);

/* The agencies whose certificates are valid for the subject: the acting
 * agency, plus, for an inspection under a known JOINT_INSPECTION plan
 * (joint_plan_id), that plan's agency and participants. Returns -1 on a
 * store failure; OOM sets out->oom. */
typedef struct ew_cert_scope {
  const char *const *agencies;
  size_t n;
} ew_cert_scope;
int ew_cert_scope_init(const ew_rule_ctx *ctx, ew_cert_scope *sc,
                       ew_findings *out);

/* Checks the certificate `o` presents at `at`. Returns 0 and sets *out, or
 * -1 on a store failure. Agency scope is checked only when the config's
 * R06 require_same_agency is on (R05 shares R06's notion of validity). */
int ew_cert_check(const ew_rule_ctx *ctx, const ew_cert_scope *sc,
                  const ew_officer *o, ew_time at, ew_cert_problem *out);

/* One officer as R05 and R06 judge them: an officer listed twice counts
 * once, and counts as certified if any of the listings presents a valid
 * certificate. */
typedef struct ew_officer_cert {
  const char *officer_id;
  ew_cert_problem problem; /* EW_CP_OK, else the first listing's problem */
  int shown;               /* some listing has cert_shown = true */
} ew_officer_cert;

typedef struct ew_officer_certs {
  ew_officer_cert *v; /* in the order of first listing; in ctx->arena */
  size_t n;           /* distinct officer_ids; listings without one skipped */
  size_t certified;   /* of them, those with problem EW_CP_OK */
} ew_officer_certs;

/* Judges the certificates of the officers `of` (from ew_rule_officers) at
 * of->at, within the subject's ew_cert_scope. Returns 0, -1 on a store
 * failure, or 1 when out of memory (out->oom is set; nothing was judged). */
int ew_officer_certs_judge(const ew_rule_ctx *ctx, const ew_officers *of,
                           ew_officer_certs *res, ew_findings *out);

/* ---- decisions (R09, R10, R11, R14a): shared judgements on a penalty ---- */

/* "WARNING,FINE": the symbols of `v` whose bit is set in `mask` (~0u for
 * all), joined by ','; "" when none. NULL on OOM. In `a`. */
const char *ew_enumv_join(ew_arena *a, const ew_enum *e, ew_enumv v,
                          uint32_t mask);
/* The bits (1u << value) of the values in `v`. */
uint32_t ew_enumv_bits(ew_enumv v);
/* 「吊销许可证件」...: a penalty type as the law names it; "?" if unknown. */
const char *ew_penalty_type_zh(int type);

/* The discretion benchmark (D6) that governs a penalty: the one it names
 * (benchmark_id), else the one of its violation_code issued by its agency,
 * else a general one (no agency_uscc) of that code; the first by id when
 * several qualify. A named benchmark that is not on file is reported as
 * such (not_on_file), never replaced by a guess. */
typedef struct ew_penalty_benchmark {
  const ew_benchmark *bm; /* NULL when none applies or it is not on file */
  const char *id;         /* bm's id, or the benchmark_id not on file */
  const char *source;     /* "benchmark_id", "agency", "general"; NULL */
  int not_on_file;        /* benchmark_id given, no such record */
} ew_penalty_benchmark;
/* Returns 0, or -1 on a store failure. ctx->rec must be a penalty. */
int ew_penalty_benchmark_find(const ew_rule_ctx *ctx,
                              ew_penalty_benchmark *out);

/* Hearing eligibility (行政处罚法第63条) as R11 defines it and R09 derives
 * "major" from: a penalty type in the config's R11 hearing_types, or a fine
 * or confiscation (> 0) of at least the benchmark's hearing_threshold_fen
 * when it sets one, else the config's R11 hearing_threshold_fen. */
typedef struct ew_hearing {
  int eligible;
  uint32_t types;           /* bits of the penalty's hearing-eligible types */
  int by_amount;            /* fine_fen or confiscated_fen >= threshold */
  int64_t threshold_fen;    /* the 较大数额 that applied */
  const char *threshold_of; /* "benchmark" or "config" */
} ew_hearing;
/* `pb` is the penalty's benchmark, or NULL to look it up. Returns 0, or -1
 * on a store failure. ctx->rec must be a penalty. */
int ew_penalty_hearing(const ew_rule_ctx *ctx, const ew_penalty_benchmark *pb,
                       ew_hearing *out);

/* Whether a penalty was legally reviewed (法制审核) and passed before its
 * decision: a review id, legal_review_passed == 1 (absent is not passed),
 * and legal_review_at before decided_at. R09 and R14a share it. */
typedef enum ew_review_problem {
  EW_RV_OK,
  EW_RV_NONE,         /* no legal_review_id */
  EW_RV_NOT_PASSED,   /* legal_review_passed false or absent */
  EW_RV_TIME_MISSING, /* no legal_review_at: cannot be placed before */
  EW_RV_AFTER         /* legal_review_at >= decided_at */
} ew_review_problem;
ew_review_problem ew_penalty_review(const ew_penalty *p);
/* "no_review", "not_passed", "review_time_missing",
 * "review_after_decision" (the fact values); "ok" for EW_RV_OK. */
const char *ew_review_problem_name(ew_review_problem r);

/* ---- window rules (R18a, R19; issue 4): defined in
 * r19_repeated_inspections.c ---- */

/* The time window rules place an inspection at, as history does: ended_at,
 * else started_at, else event_time. */
ew_time ew_inspection_at(const ew_inspection *in);

/* 1 when an inspection of `check_class` and `trigger_type` is counted by a
 * window rule with these bits (EW_CLASS_* counted, EW_TRIG_* exempt). */
int ew_window_counted(int check_class, int trigger_type, uint32_t classes,
                      uint32_t exempt_triggers);

/* The inspections of the subject's enterprise (ctx->rec, an inspection)
 * with `at` in [from, the subject's at] that come before the subject in
 * (at, inspection_id) order, in that order, copied into ctx->arena. Never
 * the subject itself, never a later one. Returns 0, or -1 on a store
 * failure; OOM sets out->oom (and returns 0 with what was collected). */
typedef struct ew_window_rows {
  ew_hist_inspection *v;
  size_t n, cap;
} ew_window_rows;
/* Five rules ask for the same enterprise's history with their own window:
 * the widest read so far serves every narrower one. */
typedef struct ew_window_cache {
  int valid;
  ew_time from; /* rows hold every earlier inspection with at >= from */
  ew_window_rows rows;
} ew_window_cache;
int ew_window_earlier(const ew_rule_ctx *ctx, ew_time from, ew_findings *out,
                      ew_window_rows *rows);

/* "INS-1,INS-2": the ids of `n` subjects (at most 20, then ",..."), in
 * ctx->arena; "" on OOM (out->oom set). */
const char *ew_window_ids(const ew_rule_ctx *ctx, ew_findings *out,
                          const char *const *ids, size_t n);

/* Adds the event ids of the latest snapshots of the `n` subjects of `kind`
 * (at most 32) to the finding's evidence. Returns 0, or -1 on a store
 * failure. */
int ew_window_evidence(const ew_rule_ctx *ctx, ew_alert_builder *b,
                       ew_rkind kind, const char *const *ids, size_t n);

/* ---- R23 (issue 5): (agency, quarter) subjects, defined in
 * r23_profit_signals.c and used by engine_time.c ----
 *
 * A quarter is counted as year * 4 + (quarter - 1); its subject_id is
 * "<agency_uscc>/<YYYY>-Q<n>" (subject_type AGENCY, rec = the agency
 * record, ctx->year 0 so that R01 leaves it alone). */

/* The quarter (Asia/Shanghai) of `t`. */
int64_t ew_r23_quarter_of(ew_time t);
/* 00:00 Asia/Shanghai of the first day after quarter `q`: when it ends. */
ew_time ew_r23_quarter_end(int64_t q);
/* Parses "YYYY-Qn" (the part after the '/'): 0 and *q, or -1. */
int ew_r23_quarter_parse(const char *period, int64_t *q);
/* 00:00 Asia/Shanghai of the first day of the month `months` months
 * before the end of quarter `q`. */
ew_time ew_r23_span_start(int64_t q, int64_t months);
/* The months of decisions before a quarter's end that its judgement reads
 * (the longest window of R23a, c, d, e; 36 with R23b); 0 when none of
 * them is enabled. */
int64_t ew_r23_span_months(const ew_rules_config *cfg);
/* 1 when any of R23a-R23f is enabled. */
int ew_r23_enabled(const ew_rules_config *cfg);
/* The meta entry "r23.first:<agency>" keeps the earliest decided_at of the
 * agency's decisions ever received, where its data begins (engine_time.c
 * writes it, history pruning does not touch it). */
#define EW_R23_FIRST_META "r23.first:"

#endif /* EW_RULES_H */
