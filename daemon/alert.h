/*
 * alert.h - building alert records: a deterministic id, facts and evidence
 * appended into an arena, and a fingerprint for change detection.
 *
 * alert_id = "EW-" rule_id "-" 16 lowercase hex digits of FNV-1a-64 over
 *   rule_id 0x1F subject_type 0x1F subject_id 0x1F discriminator
 * (subject_type as its contract symbol, e.g. "INSPECTION"; discriminator ""
 * unless a rule raises several alerts on one subject). The same finding on
 * the same subject therefore has the same id in every run and every daemon,
 * which is what lets consumers deduplicate (contract §5).
 *
 * The builder never fails half-way in a way callers must unwind: an OOM sets
 * a sticky flag that the caller checks once, after the rule has run.
 */
#ifndef EW_ALERT_H
#define EW_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "record.h"

#define EW_FNV1A64_INIT UINT64_C(0xcbf29ce484222325)

/* Folds `n` bytes into the FNV-1a-64 hash `h`. */
uint64_t ew_fnv1a64(uint64_t h, const void *p, size_t n);

/* "EW-R05-" + 16 hex + NUL for rule ids up to 15 characters. */
#define EW_ALERT_ID_BUFSZ 40

/* Writes the alert id into `buf` (EW_ALERT_ID_BUFSZ bytes); `discriminator`
 * may be NULL (same as ""). Returns buf. */
char *ew_alert_id_format(char *buf, const char *rule_id, int subject_type,
                         const char *subject_id, const char *discriminator);

/* A hash of what makes a finding "the same" for change detection: severity,
 * facts (keys and values, in order) and message. Not the evidence or the
 * detection time, which change with every snapshot. */
uint64_t ew_alert_fingerprint(const ew_alert *a);

typedef struct ew_alert_builder {
  ew_alert alert; /* the record being built; strings live in `arena` */
  ew_arena *arena;
  size_t facts_cap;
  size_t evidence_cap;
  int oom; /* sticky: some allocation failed, the alert is incomplete */
} ew_alert_builder;

/* Starts an OPEN alert with its id, rule, subject and severity; every other
 * field absent (EW_NONE times, NULL strings, empty arrays). The strings
 * passed are copied. Returns 0, or -1 on OOM (also sets b->oom). */
int ew_alert_begin(ew_alert_builder *b, ew_arena *arena, const char *rule_id,
                   int subject_type, const char *subject_id,
                   const char *discriminator, int severity);

/* Appends a fact whose value is printf-formatted. */
int ew_alert_fact(ew_alert_builder *b, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Appends an evidence event id (copied; a duplicate is not added twice). */
int ew_alert_evidence(ew_alert_builder *b, const char *event_id);
/* Sets the message, printf-formatted. */
int ew_alert_message(ew_alert_builder *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Sets an optional string field (agency_uscc, enterprise_uscc, region_code,
 * legal_basis...) to a copy of `s` (NULL leaves it absent). */
int ew_alert_set(ew_alert_builder *b, const char **field, const char *s);

/* The value of fact `key` of `a`, or NULL. */
const char *ew_alert_fact_get(const ew_alert *a, const char *key);

#endif /* EW_ALERT_H */
