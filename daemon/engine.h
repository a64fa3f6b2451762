/*
 * engine.h - the rule engine: decoded records and a clock in, findings out.
 *
 * The engine knows nothing of Kafka or JSON. The daemon and `enforcewatch
 * check` both feed it ew_records and collect its outputs through an emit
 * callback, which is what makes their alerts identical.
 *
 * Snapshot semantics (contract §1): an event is the full current state of
 * its subject. An event whose event_id was seen is ignored; an event older
 * than the stored snapshot of its subject is ignored. Otherwise every rule of
 * the subject is evaluated again: a new or changed finding is emitted as an
 * OPEN alert, a finding that no longer holds is emitted once as WITHDRAWN
 * (same alert_id), an unchanged finding is not emitted again.
 *
 * All calls that change state must run inside ew_store_begin/commit of the
 * engine's store; the caller owns the transaction and so decides the batch.
 */
#ifndef EW_ENGINE_H
#define EW_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "rules_config.h"
#include "store.h"

typedef struct ew_engine ew_engine;

/* Where an input record came from. Keyed state is stored with its partition
 * so that a partition's state can move between instances. enforcewatch check
 * uses topic "jsonl", partition 0, offset = line number. */
typedef struct ew_origin {
  const char *topic;
  int32_t partition;
  int64_t offset;
} ew_origin;

/* Receives every output (kind EW_REC_ALERT, EW_REC_NOTICE or EW_REC_STATS) in
 * order. `out` is valid only during the call. Returns 0, or -1 to make the
 * engine call fail (the caller then rolls the batch back). */
typedef int (*ew_emit_fn)(void *ud, const ew_record *out);

/* Creates an engine over `store` (borrowed; must outlive the engine) with
 * the rule configuration `cfg` (borrowed likewise). */
int ew_engine_new(ew_engine **out, ew_store *store, const ew_rules_config *cfg,
                  ew_emit_fn emit, void *emit_ud, char *errstr,
                  size_t errstr_size);
/* Destroys the engine. Accepts NULL. */
void ew_engine_destroy(ew_engine *e);
const char *ew_engine_errmsg(const ew_engine *e);

/* Applies one decoded input record: a reference record is stored, an event
 * is deduplicated, stored as its subject's snapshot and evaluated. `rec` is
 * borrowed. Returns 0, or -1 on a store or emit failure. */
int ew_engine_apply(ew_engine *e, const ew_record *rec,
                    const ew_origin *origin);
/* A tombstone on a reference topic: deletes the reference record. */
int ew_engine_delete_ref(ew_engine *e, ew_rkind kind, const char *id);
/* Moves the engine's clock to `now` (never backwards) and fires every
 * deadline due at or before it. */
int ew_engine_advance(ew_engine *e, ew_time now);
/* Emits (EW_REC_STATS) every stats value changed since the last call: the
 * daemon calls it at the end of each batch, inside its transaction. */
int ew_engine_flush_stats(ew_engine *e);

#endif /* EW_ENGINE_H */
