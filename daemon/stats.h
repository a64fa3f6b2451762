/*
 * stats.h - the stats stream (contract §5, issue 5): counts per agency,
 * period and metric, kept in the store and emitted as they change.
 *
 * Every subject (an inspection, a penalty, a complaint, a plan, an alert)
 * contributes a few parts to the counts, each at a time that places it in
 * its month (YYYY-MM), quarter (YYYY-Qn) and half-year (YYYY-Hn), Asia/
 * Shanghai. A subject's snapshot replaces its snapshot, so its parts replace
 * its parts: the stored contribution is taken back and the new one added,
 * and only the difference touches the counts. Distinct counts (enterprises
 * inspected, per plan item) count the subjects behind each member. The
 * metric names are listed in stats.c and the README.
 *
 * Changed values are remembered until ew_stats_flush hands them to the
 * engine's emit callback (as EW_REC_STATS records, at the end of a batch);
 * a rollback of the store forgets them with the counts they described.
 */
#ifndef EW_STATS_H
#define EW_STATS_H

#include "engine.h"
#include "record.h"
#include "rules_config.h"
#include "store.h"

typedef struct ew_stats_acc ew_stats_acc;

int ew_stats_new(ew_stats_acc **out, ew_store *store,
                 const ew_rules_config *cfg);
void ew_stats_destroy(ew_stats_acc *st);

/* An event's snapshot was stored (after its rules ran, so that alerts of
 * the subject are current). */
int ew_stats_on_event(ew_stats_acc *st, const ew_record *rec, ew_time as_of);
/* A plan was stored (`plan`) or deleted (NULL). */
int ew_stats_on_plan(ew_stats_acc *st, const char *plan_id,
                     const ew_record *plan, ew_time as_of);
/* An alert was emitted. */
int ew_stats_on_alert(ew_stats_acc *st, const ew_alert *a, ew_time as_of);

/* Emits every value changed since the last flush, in no particular order.
 * Returns 0, or -1 (a store failure, or emit refused: see errmsg). */
int ew_stats_flush(ew_stats_acc *st, ew_emit_fn emit, void *ud);

const char *ew_stats_errmsg(const ew_stats_acc *st);

/* The month, quarter and half-year of `t` ("2025-03", "2025-Q1",
 * "2025-H1") into bufs of at least 8 bytes. */
void ew_stats_periods(ew_time t, char month[8], char quarter[8], char half[8]);

#endif /* EW_STATS_H */
