/*
 * store.h - the SQLite store: reference records, keyed state, offsets and
 * the outbox, one file in WAL mode.
 *
 * Every write happens between ew_store_begin() and ew_store_commit(): the
 * daemon applies a whole poll batch, records the consumed offsets and appends
 * the outputs to the outbox in one transaction, so that a crash rolls state,
 * offsets and outputs back together (style-and-idioms §B3 b).
 *
 * Errors: functions return 0 on success and -1 on failure; the message is on
 * the store (ew_store_errmsg), like sqlite3_errmsg.
 */
#ifndef EW_STORE_H
#define EW_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "record.h"

typedef struct ew_store ew_store;

/* Opens or creates the store at `path` (":memory:" for enforcewatch check),
 * switches to WAL, applies migrations. On failure returns -1 and writes the
 * reason into errstr. */
int ew_store_open(ew_store **out, const char *path, char *errstr,
                  size_t errstr_size);
/* Finalizes statements and closes. Accepts NULL. */
void ew_store_close(ew_store *s);
const char *ew_store_errmsg(const ew_store *s);

/* Added for storage faults (issue #6): when the last failure was the
 * storage's, not the caller's or the input's, its primary SQLite code
 * (SQLITE_FULL, _IOERR, _CORRUPT, _NOTADB, _READONLY, _CANTOPEN, _NOMEM),
 * else 0. ew_store_begin clears it. ew_store_open puts the fault's text and
 * advice in its errstr, and refuses a file that fails PRAGMA quick_check
 * (SQLITE_CORRUPT). */
int ew_store_fault(const ew_store *s);
/* "disk full", "state file corrupt", ...; and what the operator should do. */
const char *ew_store_fault_text(int fault);
const char *ew_store_fault_advice(int fault);
/* 1 for a fault that waiting cannot heal (a corrupt file), 0 for one that
 * may pass (space freed, I/O recovered). */
int ew_store_fault_permanent(int fault);
/* Added for issue 7: 1 when ew_store_open ran PRAGMA quick_check, i.e. the
 * file was new or its last close was not clean (a crash, a kill, a storage
 * fault); 0 when the last ew_store_close was clean and the check was
 * skipped, and for ":memory:" and read-only stores. ew_store_close marks
 * the file clean unless a storage fault was seen or a transaction is
 * open; damage done to a file after a clean close shows at the first read
 * of the damaged page (ew_store_fault SQLITE_CORRUPT). */
int ew_store_integrity_checked(const ew_store *s);

int ew_store_begin(ew_store *s); /* BEGIN IMMEDIATE */
int ew_store_commit(ew_store *s);
int ew_store_rollback(ew_store *s); /* harmless outside a transaction */
/* A number that changes with every rollback: what a caller keeps in memory
 * next to the store (the engine's clock) is stale when it has changed. */
uint64_t ew_store_generation(const ew_store *s);

/* ---- consumed offsets: the next offset to read per topic partition ---- */

int ew_store_offset_put(ew_store *s, const char *topic, int32_t partition,
                        int64_t next_offset);
/* Sets *next_offset, or -1 when the partition was never recorded. */
int ew_store_offset_get(ew_store *s, const char *topic, int32_t partition,
                        int64_t *next_offset);

/* ---- outbox: outputs waiting for delivery, in order ---- */

typedef struct ew_outbox_header {
  const char *name;
  const void *value;
  size_t len;
} ew_outbox_header;

typedef struct ew_outbox_row {
  int64_t seq;
  const char *topic;
  const void *key; /* may be NULL */
  size_t key_len;
  const void *value; /* may be NULL (a tombstone) */
  size_t value_len;
  const ew_outbox_header *headers;
  size_t nheaders;
} ew_outbox_row;

/* Appends one row; row->seq is ignored and the new seq is stored in *seq
 * (NULL-able). Bytes are copied. */
int ew_store_outbox_append(ew_store *s, const ew_outbox_row *row, int64_t *seq);
/* Calls fn for up to `limit` rows with seq > after_seq, in seq order. The
 * row's bytes are valid only during the call. fn returns 0 to go on, non-zero
 * to stop (that value is returned). */
typedef int (*ew_outbox_visit_fn)(void *ud, const ew_outbox_row *row);
int ew_store_outbox_scan(ew_store *s, int64_t after_seq, size_t limit,
                         ew_outbox_visit_fn fn, void *ud);
/* Deletes rows with seq <= upto (they were delivered). */
int ew_store_outbox_delete_upto(ew_store *s, int64_t upto);
/* Number of rows in the outbox. */
int ew_store_outbox_count(ew_store *s, int64_t *count);
/* Added for the delivery review: the highest seq in the outbox, 0 when it
 * is empty (seqs only grow, so every later row has a higher one). */
int ew_store_outbox_last_seq(ew_store *s, int64_t *seq);
/* Makes every row appended from now on number above `seq` (a no-op when
 * they already would). For a state file restored from a backup whose
 * numbers the producer has already published. Call inside a transaction. */
int ew_store_outbox_reserve_upto(ew_store *s, int64_t seq);
/* Moves row `seq` from the outbox to the outbox_parked table with `reason`
 * (a row the cluster refuses for good must not hold back every output
 * behind it; parked, it keeps its bytes for an operator). Call inside a
 * transaction. */
int ew_store_outbox_park(ew_store *s, int64_t seq, const char *reason);

/* ---- reference records (contract §4) ---- */

/* Stores `rec` (a reference kind) under its id; a stored version is
 * replaced. */
int ew_store_ref_put(ew_store *s, const ew_record *rec);
/* Deletes the record (a tombstone); deleting an absent id is not an error. */
int ew_store_ref_delete(ew_store *s, ew_rkind kind, const char *id);
/* Looks a record up. On success *out is a record owned by the store, valid
 * until the next ew_store_ref_put/ref_delete of that kind, or NULL when there
 * is none. For the kinds read from the file rather than cached (credit
 * grades, approvals: see below) it is valid only until 15 more lookups of
 * such kinds have missed the store's ring of recent ones, or the next
 * rollback: use it, or copy what you need, before the next lookup. */
int ew_store_ref_get(ew_store *s, ew_rkind kind, const char *id,
                     const ew_record **out);
/* Calls fn for every stored record of `kind` whose agency_uscc equals
 * `agency_uscc` (plans, certificates, random tasks, sampling items,
 * approvals, benchmarks). Records are owned by the store as above. fn returns
 * 0 to go on, non-zero to stop (that value is returned). */
typedef int (*ew_ref_visit_fn)(void *ud, const ew_record *rec);
int ew_store_ref_by_agency(ew_store *s, ew_rkind kind, const char *agency_uscc,
                           ew_ref_visit_fn fn, void *ud);

/* ---- added for the engine (issue #2): reference lookups ---- */

/* Reference records are served from an in-memory cache loaded at open and
 * kept in step with put/delete, so rules never query SQLite per event. A
 * rollback of a transaction that changed reference records reloads the
 * cache of the kinds it changed from the file: every record pointer
 * obtained before it is invalid.
 *
 * Issue 7: the kinds whose number grows with the enterprises or the events
 * (credit grades: one per enterprise; approvals: one per inspection that
 * needs one) are not cached: ew_store_ref_get reads them by primary key
 * (the last few lookups are remembered), and the visitors read them from
 * the file, each record valid only during its call. */

/* Added for issue 7: the number of records of `kind` held in memory (0 for
 * a kind read from the file), for tests and diagnostics. */
size_t ew_store_ref_cached(const ew_store *s, ew_rkind kind);

/* Like ew_store_ref_by_agency, for the records of `kind` that list
 * `agency_uscc` in participant_agency_usccs (joint plans). Both visit records
 * in id order, so that rules that take "the first match" are deterministic
 * whatever order the records arrived in. */
int ew_store_ref_by_participant(ew_store *s, ew_rkind kind,
                                const char *agency_uscc, ew_ref_visit_fn fn,
                                void *ud);

/* Added for the decision rules (issue 3): like ew_store_ref_by_agency, for
 * the records of `kind` whose violation_code equals `violation_code`
 * (benchmarks, leniency items), in id order, whatever their agency_uscc
 * (general records, with none, included). Lets R10/R11 find a penalty's
 * benchmark in O(benchmarks of that code) instead of scanning every one. */
int ew_store_ref_by_code(ew_store *s, ew_rkind kind, const char *violation_code,
                         ew_ref_visit_fn fn, void *ud);

/* ====================================================================
 * Engine state (added for the engine, issue #2). Only engine.c writes these
 * tables. Rows carry the source partition (`part`) of the event that wrote
 * them, so that a partition's state can be found when it moves.
 * ==================================================================== */

/* Records `event_id` as seen. *is_new = 1 the first time, 0 for a
 * duplicate (which the engine then ignores). */
int ew_store_event_mark(ew_store *s, const char *event_id, int32_t part,
                        ew_time event_time, int *is_new);

/* Stores event `rec` as the snapshot of its subject (ew_record_id: the
 * inspection_id, complaint_id, decision_no or notice_id) unless the stored
 * snapshot has a later event_time; an equal event_time replaces it (later in
 * the stream wins). *applied = 1 when stored, 0 when ignored as older. */
int ew_store_snapshot_put(ew_store *s, const ew_record *rec, int32_t part,
                          int *applied);
/* Loads the snapshot of the subject into *out, its strings and arrays in
 * `a`. *found = 0 (and *out untouched) when there is none. */
int ew_store_snapshot_get(ew_store *s, ew_rkind kind, const char *subject_id,
                          ew_arena *a, ew_record *out, int *found);

/* The last emitted version of one alert. */
typedef struct ew_alert_state {
  const char *alert_id;
  const char *rule_id;
  int status;           /* EW_AST_OPEN or EW_AST_WITHDRAWN */
  uint64_t fingerprint; /* ew_alert_fingerprint of the last OPEN version */
  ew_time detected_at;
  const void *body; /* record_blob of the emitted ew_alert */
  size_t body_len;
} ew_alert_state;

/* Stores `a` (as emitted) as the state of a->alert_id, replacing any. */
int ew_store_alert_state_put(ew_store *s, const ew_alert *a,
                             uint64_t fingerprint, int32_t part);
/* Calls fn for every alert of the subject whose last emitted status is OPEN,
 * in alert_id order. The state is valid only during the call, and fn must
 * not write to the store. fn returns 0 to go on, non-zero to stop (that value
 * is returned). */
typedef int (*ew_alert_state_visit_fn)(void *ud, const ew_alert_state *st);
int ew_store_alert_state_open(ew_store *s, int subject_type,
                              const char *subject_id,
                              ew_alert_state_visit_fn fn, void *ud);
/* Loads the state of one alert, its strings and body copied into `a`.
 * *found = 0 when there is none. */
int ew_store_alert_state_get(ew_store *s, const char *alert_id, ew_arena *a,
                             ew_alert_state *out, int *found);

/* ====================================================================
 * History per enterprise (added for issue 3: R13, R15, R22). What later
 * rules need to know of earlier decisions and inspections. Only engine.c
 * writes it (ew_store_hist_record, for every accepted event snapshot) and
 * prunes it; rules read it through the queries below. One row per
 * decision_no and per inspection_id, so a later snapshot replaces the row;
 * a withdrawn decision, or an inspection whose latest snapshot is PLANNED or
 * CANCELLED, has none. Rows carry the source partition (`part`) like the
 * rest of keyed state.
 * ==================================================================== */

/* A penalty as remembered. A case still open has decided_at EW_NONE; the
 * queries below return decisions only. */
typedef struct ew_hist_penalty {
  const char *decision_no;
  const char *enterprise_uscc;
  const char *agency_uscc;
  const char *case_id;        /* NULL when the record names none */
  const char *violation_code; /* NULL when the record names none */
  ew_time decided_at;
  int64_t fine_fen;
  int64_t confiscated_fen;
  int compulsory; /* compulsory_measures non-empty */
  int penalised;  /* penalty_types non-empty, or a fine or confiscation */
  /* issue 4 (R14b): */
  int32_t part;
  const char *industry_code; /* NULL when the record names none */
  uint32_t penalty_types;    /* bit per EW_PT_* */
  /* issue 5 (R23c): */
  const char *benchmark_id; /* NULL when the record names none */
} ew_hist_penalty;

/* A STARTED or ENDED inspection as remembered. */
typedef struct ew_hist_inspection {
  const char *inspection_id;
  const char *enterprise_uscc;
  const char *agency_uscc;
  ew_time at;                /* ended_at, else started_at, else event_time */
  const char *soft_measures; /* symbols joined by ',', "" for none */
  const char *result;        /* inspection_result symbol, NULL if absent */
  /* issue 4 (R18a, R19): */
  int32_t part;
  ew_time started_at;        /* EW_NONE when the record has none */
  int check_class;           /* EW_CLASS_*, -1 when not known */
  int trigger_type;          /* EW_TRIG_*, -1 when not known */
  const char *check_items;   /* item codes joined by ',', "" for none */
  const char *joint_plan_id; /* NULL when none */
} ew_hist_inspection;

/* Records what history keeps of the accepted snapshot `rec` (a penalty, an
 * inspection or, for R23f, a complaint; other kinds are ignored) with its
 * source partition. */
int ew_store_hist_record(ew_store *s, const ew_record *rec, int32_t part);

/* The queries: each finds at most one entry, copies its strings into `a`
 * and sets *found (0: none, *out untouched). */

/* The latest decision on `enterprise_uscc` for `violation_code`, penalised
 * or waived, decided in [from, to) other than `exclude_decision_no` (R13a's
 * first offence: a violation let off under 首违不罚 is still an offence, so
 * the next one is not 初次违法). */
int ew_store_hist_prior_offence(ew_store *s, const char *enterprise_uscc,
                                const char *violation_code, ew_time from,
                                ew_time to, const char *exclude_decision_no,
                                ew_arena *a, ew_hist_penalty *out, int *found);
/* The latest inspection of `enterprise_uscc` by `agency_uscc` (NULL: by any
 * agency) with a soft measure (soft_measures non-empty, or result
 * RECTIFICATION_ORDERED or GUIDANCE_GIVEN) whose time `at` is in
 * [from, to] (R15). */
int ew_store_hist_soft_measure(ew_store *s, const char *enterprise_uscc,
                               const char *agency_uscc, ew_time from,
                               ew_time to, ew_arena *a, ew_hist_inspection *out,
                               int *found);
/* The first decision on `enterprise_uscc` of case `case_id` (NULL-able: no
 * case, nothing found) (R22a). */
int ew_store_hist_case_decision(ew_store *s, const char *enterprise_uscc,
                                const char *case_id, ew_arena *a,
                                ew_hist_penalty *out, int *found);
/* The first decision with compulsory measures on `enterprise_uscc` by
 * `agency_uscc` dated from..to (R22b). A case still open carries its
 * measures before any decision, so its date is then the snapshot's
 * event_time: a seal recorded on an undecided case counts from when it was
 * recorded. */
int ew_store_hist_compulsory(ew_store *s, const char *enterprise_uscc,
                             const char *agency_uscc, ew_time from, ew_time to,
                             ew_arena *a, ew_hist_penalty *out, int *found);

/* Pruning. An entry's time is decided_at (else the snapshot's event_time)
 * for a penalty, `at` for an inspection and concluded_at for a complaint
 * (R23f; its entries are deleted up to `limit` too, and not counted by
 * ew_store_hist_newest or ew_store_hist_count). */

/* The latest entry time in history; EW_NONE when it is empty. */
int ew_store_hist_newest(ew_store *s, ew_time *out);
/* Deletes up to `limit` penalties and up to `limit` inspections whose time
 * is before `before`, oldest first. *deleted = how many; *more = 1 when a
 * limit was reached, so that older entries may remain. */
int ew_store_hist_prune(ew_store *s, ew_time before, int64_t limit,
                        int64_t *deleted, int *more);
/* Number of entries of each kind. */
int ew_store_hist_count(ew_store *s, int64_t *penalties, int64_t *inspections);

/* Calls fn for every stored reference record of `kind`, in no particular
 * order (the engine takes the longest leniency lookback from it). Records
 * are owned by the store as for ew_store_ref_get. fn returns 0 to go on,
 * non-zero to stop (that value is returned). */
int ew_store_ref_each(ew_store *s, ew_rkind kind, ew_ref_visit_fn fn, void *ud);

/* ---- added for rules_config_store.c (issue 3): the rule configuration
 * of the last start, one text row per parameter ("R05.min_officers" ->
 * "2"). Only ew_rules_config_diff_and_save writes it. ---- */

/* Calls fn for every row in name order; the strings are valid only during
 * the call. fn returns 0 to go on, non-zero to stop (that value is
 * returned). */
typedef int (*ew_rule_param_visit_fn)(void *ud, const char *name,
                                      const char *value);
int ew_store_rule_params_scan(ew_store *s, ew_rule_param_visit_fn fn, void *ud);
/* Deletes every row. */
int ew_store_rule_params_clear(ew_store *s);
/* Stores one row, replacing a row of that name. */
int ew_store_rule_param_put(ew_store *s, const char *name, const char *value);

/* ====================================================================
 * Time (issue 4). Only the engine writes these.
 * ==================================================================== */

/* Window queries (R14b, R18a, R19): fn is called for each entry in time
 * order (ties by id), its strings in `a`; fn must not use the store and
 * returns 0 to go on, non-zero to stop (that value is returned). */
typedef int (*ew_hist_inspection_fn)(void *ud, const ew_hist_inspection *h);
typedef int (*ew_hist_penalty_fn)(void *ud, const ew_hist_penalty *h);
/* The inspections of `enterprise_uscc` (any agency) with `at` in
 * [from, to]. */
int ew_store_hist_inspections_between(ew_store *s, const char *enterprise_uscc,
                                      ew_time from, ew_time to, ew_arena *a,
                                      ew_hist_inspection_fn fn, void *ud);
/* The decisions of `agency_uscc` (any enterprise) with decided_at in
 * [from, to]. */
int ew_store_hist_decisions_between(ew_store *s, const char *agency_uscc,
                                    ew_time from, ew_time to, ew_arena *a,
                                    ew_hist_penalty_fn fn, void *ud);

/* Added for R23f (issue 5): a complaint concluded with a finding against a
 * named agency (respondent_agency_uscc, concluded_at and finding set; a
 * later snapshot without them removes the row). Pruned like the rest of
 * history, by concluded_at. */
typedef struct ew_hist_complaint {
  const char *complaint_id;
  const char *respondent_agency_uscc;
  int category; /* EW_CAT_*, -1 when not known */
  int finding;  /* EW_FIND_* */
  ew_time concluded_at;
  int32_t part;
} ew_hist_complaint;
typedef int (*ew_hist_complaint_fn)(void *ud, const ew_hist_complaint *h);
/* The complaints against `respondent_uscc` concluded in [from, to], in
 * (concluded_at, complaint_id) order, as the window queries above. */
int ew_store_hist_complaints_between(ew_store *s, const char *respondent_uscc,
                                     ew_time from, ew_time to, ew_arena *a,
                                     ew_hist_complaint_fn fn, void *ud);

/* The time history places inspection, decision or complaint `id` at (an
 * inspection's `at`, a decision's decided_at, a complaint's concluded_at),
 * EW_NONE when it has no row: where it was before a new snapshot moves
 * it. */
int ew_store_hist_time(ew_store *s, ew_rkind kind, const char *id, ew_time *t);

/* Wake-ups: at most one per subject, the time the engine must judge it
 * again. `kind` is the engine's subject kind (engine.c); `part` the
 * partition whose state the subject is (-1: every instance's). */
typedef struct ew_wakeup {
  int kind;
  const char *subject_id;
  int32_t part;
  ew_time due_at;
} ew_wakeup;
/* Sets the subject's wake-up to `due_at`, or removes it (EW_NONE). */
int ew_store_wakeup_put(ew_store *s, int kind, const char *subject_id,
                        int32_t part, ew_time due_at);
/* *due_at = the subject's wake-up, EW_NONE when it has none. */
int ew_store_wakeup_get(ew_store *s, int kind, const char *subject_id,
                        ew_time *due_at);
/* The earliest wake-up due at or before `upto` (ties by kind, then id),
 * its id copied into `a`; *found = 0 when there is none. */
int ew_store_wakeup_next(ew_store *s, ew_time upto, ew_arena *a, ew_wakeup *out,
                         int *found);

/* Named integers of the engine (its clock, R01's first year). */
int ew_store_meta_get(ew_store *s, const char *name, int64_t *value,
                      int *found);
int ew_store_meta_put(ew_store *s, const char *name, int64_t value);

/* Notices as issued, with the partition of the state they came from. */
int ew_store_notice_put(ew_store *s, const ew_notice *n, int32_t part);
/* Loads a notice, its strings in `a`; *found = 0 when there is none.
 * `part` may be NULL. */
int ew_store_notice_get(ew_store *s, const char *notice_id, ew_arena *a,
                        ew_notice *out, int32_t *part, int *found);
/* Which alerts each notice lists: a batched notice lists none twice, and
 * a withdrawn alert has its notices judged again (R24). */
int ew_store_notice_alert_add(ew_store *s, const char *alert_id,
                              const char *notice_id);
int ew_store_notice_alert_has(ew_store *s, const char *alert_id, int *has);
/* The notices that list `alert_id`, in id order, strings in `a`. */
int ew_store_notices_of_alert(ew_store *s, const char *alert_id, ew_arena *a,
                              ew_strv *notice_ids);
/* Alerts waiting for the batched notice `batch` ("<agency>/<YYYY-MM>"). An
 * alert already waiting is not added twice. */
int ew_store_notice_pending_add(ew_store *s, const char *batch,
                                const char *alert_id, int32_t part);
/* Removes and returns (in alert_id order, strings in `a`) the alerts
 * waiting for `batch`. */
int ew_store_notice_pending_take(ew_store *s, const char *batch, ew_arena *a,
                                 ew_strv *alert_ids);

/* ---- stats (issue 5): values of the stats stream ---- */

typedef struct ew_stat_row {
  const char *agency_uscc, *period, *metric;
  int64_t value;
  ew_time as_of;
} ew_stat_row;
typedef int (*ew_stats_visit_fn)(void *ud, const ew_stat_row *r);

/* Sets a value and its as_of. */
int ew_store_stats_put(ew_store *s, const char *agency, const char *period,
                       const char *metric, int64_t value, ew_time as_of);
/* Adds `delta` to a value (created at 0), stamps it `as_of`; *value
 * (NULL-able) receives the sum. */
int ew_store_stats_add(ew_store *s, const char *agency, const char *period,
                       const char *metric, int64_t delta, ew_time as_of,
                       int64_t *value);
int ew_store_stats_get(ew_store *s, const char *agency, const char *period,
                       const char *metric, int64_t *value, ew_time *as_of,
                       int *found);
/* Calls fn for every value of `agency` (NULL: all) whose period is
 * `period_prefix` or starts with it and a '-' (NULL: all; "2025" selects
 * 2025-03, 2025-Q1 and 2025-H1), ordered by agency, period and metric.
 * The row is valid only during the call; fn returns non-zero to stop. */
int ew_store_stats_scan(ew_store *s, const char *agency,
                        const char *period_prefix, ew_stats_visit_fn fn,
                        void *ud);
/* What a subject adds to the stats now, as text (stats.c's format);
 * *parts = NULL when nothing. put with NULL or "" deletes. */
int ew_store_stats_contrib_get(ew_store *s, const char *subject, ew_arena *a,
                               char **parts);
int ew_store_stats_contrib_put(ew_store *s, const char *subject,
                               const char *parts);
/* The count of subjects behind `member` of a distinct count (0, *found 0
 * when none); put sets it (a count <= 0 deletes the row). */
int ew_store_stats_member_get(ew_store *s, const char *agency,
                              const char *period, const char *metric,
                              const char *member, int64_t *n, int *found);
int ew_store_stats_member_put(ew_store *s, const char *agency,
                              const char *period, const char *metric,
                              const char *member, int64_t n);

/* ---- added for `enforcewatch report` (issue 5) ---- */

/* Opens an existing state file for reading only (a running daemon's): no
 * migration, nothing written. A file of another schema version is refused.
 * Only the readers (ref lookups, ew_store_stats_scan/get, ...) may be used;
 * a write fails. On failure returns -1 with the reason in errstr. */
int ew_store_open_readonly(ew_store **out, const char *path, char *errstr,
                           size_t errstr_size);

/* ---- added for `enforcewatch sample` (issue 5) ---- */

/* One inspection that took place (history row), as the follow-up sample
 * reads it. Strings are valid only during the callback. */
typedef struct ew_inspected_row {
  const char *agency_uscc;
  const char *enterprise_uscc;
  const char *inspection_id;
  ew_time started_at;
} ew_inspected_row;
typedef int (*ew_inspected_fn)(void *ud, const ew_inspected_row *r);
/* Calls fn for every inspection in history (latest snapshot STARTED or
 * ENDED: not PLANNED, not CANCELLED) whose started_at is in [from, to),
 * ordered by agency_uscc, enterprise_uscc, inspection_id. History is
 * pruned past the longest rule lookback (engine_time.c: R23b's three
 * years and more by default), so older periods may come back incomplete. fn
 * returns 0 to go on, non-zero to stop (that value is returned). Read-only:
 * works on a store of ew_store_open_readonly. */
int ew_store_inspected_scan(ew_store *s, ew_time from, ew_time to,
                            ew_inspected_fn fn, void *ud);

#endif /* EW_STORE_H */
