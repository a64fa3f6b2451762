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

#endif /* EW_STORE_H */
