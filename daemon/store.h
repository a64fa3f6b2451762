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

int ew_store_begin(ew_store *s); /* BEGIN IMMEDIATE */
int ew_store_commit(ew_store *s);
int ew_store_rollback(ew_store *s); /* harmless outside a transaction */

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

/* ---- reference records (contract §4) ---- */

/* Stores `rec` (a reference kind) under its id; a stored version is
 * replaced. */
int ew_store_ref_put(ew_store *s, const ew_record *rec);
/* Deletes the record (a tombstone); deleting an absent id is not an error. */
int ew_store_ref_delete(ew_store *s, ew_rkind kind, const char *id);
/* Looks a record up. On success *out is a record owned by the store, valid
 * until the next ew_store_ref_put/ref_delete of that kind, or NULL when there
 * is none. */
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
 * cache from the file: every record pointer obtained before it is invalid. */

/* Like ew_store_ref_by_agency, for the records of `kind` that list
 * `agency_uscc` in participant_agency_usccs (joint plans). Both visit records
 * in id order, so that rules that take "the first match" are deterministic
 * whatever order the records arrived in. */
int ew_store_ref_by_participant(ew_store *s, ew_rkind kind,
                                const char *agency_uscc, ew_ref_visit_fn fn,
                                void *ud);

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

#endif /* EW_STORE_H */
