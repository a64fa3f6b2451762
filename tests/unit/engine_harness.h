/*
 * engine_harness.h - an engine over a real store that records what it
 * emits, for test_engine and test_rules.
 *
 * The emitted alerts are deep-copied (the engine's record is valid only
 * during the callback) into the harness's own arena; apply() clears the
 * list first, so after each call `h->out` holds exactly what that record
 * produced.
 */
#ifndef EW_TEST_ENGINE_HARNESS_H
#define EW_TEST_ENGINE_HARNESS_H

#include <stdio.h>
#include <string.h>

#include "alert.h"
#include "engine.h"
#include "fixtures.h"
#include "record_blob.h"
#include "rules_config.h"
#include "store.h"

#define H_MAX_OUT 64

typedef struct harness {
  ew_store *store;
  ew_engine *engine;
  ew_rules_config cfg;
  ew_arena a;     /* input records */
  ew_arena out_a; /* copies of emitted alerts */
  ew_alert out[H_MAX_OUT];
  size_t n;
  ew_notice notices[H_MAX_OUT]; /* notices emitted, likewise (issue 4) */
  size_t nn;
  int fail_emit; /* make the emit callback fail */
  size_t nstats; /* stats records emitted (ew_engine_flush_stats) */
} harness;

static inline int h_emit(void *ud, const ew_record *rec) {
  harness *h = ud;
  if (h->fail_emit)
    return -1;
  if (rec->kind == EW_REC_STATS) { /* issue 5: counted, checked by value */
    h->nstats++;
    return 0;
  }
  if (rec->kind == EW_REC_NOTICE && h->nn < H_MAX_OUT)
    return ew_blob_copy(ew_rtype_of(EW_REC_NOTICE), &h->notices[h->nn++],
                        &rec->u.notice, &h->out_a);
  if (rec->kind != EW_REC_ALERT || h->n == H_MAX_OUT)
    return -1;
  return ew_blob_copy(ew_rtype_of(EW_REC_ALERT), &h->out[h->n++], &rec->u.alert,
                      &h->out_a);
}

/* Opens `path` (":memory:" or a file) and an engine with default rules;
 * the agency FX_AG1 is registered as 临夏州市场监督管理局, with its standing
 * approval FX_APPROVAL (which fx_inspection cites). */
static inline int h_open(harness *h, const char *path) {
  char err[512];
  memset(h, 0, sizeof *h);
  ew_rules_config_defaults(&h->cfg);
  if (ew_store_open(&h->store, path, err, sizeof err) != 0 ||
      ew_engine_new(&h->engine, h->store, &h->cfg, h_emit, h, err,
                    sizeof err) != 0) {
    fprintf(stderr, "harness: %s\n", err);
    return -1;
  }
  ew_record ag = fx_agency(&h->a, FX_AG1, "临夏州市场监督管理局", "622900");
  ew_record ap = fx_approval(&h->a, FX_APPROVAL, FX_AG1, fx_day(2025, 1, 2));
  if (ew_engine_apply(h->engine, &ag, NULL) != 0)
    return -1;
  return ew_engine_apply(h->engine, &ap, NULL);
}

static inline void h_close(harness *h) {
  ew_engine_destroy(h->engine);
  ew_store_close(h->store);
  ew_rules_config_free(&h->cfg);
  ew_arena_free(&h->a);
  ew_arena_free(&h->out_a);
  h->engine = NULL;
  h->store = NULL;
}

/* Applies one record in its own transaction; returns the engine's rc. */
static inline int h_apply(harness *h, const ew_record *rec) {
  ew_origin o = {"jsonl", 0, 0};
  h->n = 0;
  h->nn = 0;
  if (ew_store_begin(h->store) != 0)
    return -1;
  int rc = ew_engine_apply(h->engine, rec, &o);
  if (rc == 0)
    rc = ew_store_commit(h->store);
  if (rc != 0)
    ew_store_rollback(h->store);
  return rc;
}

/* Moves the engine clock to `now` in its own transaction, firing what is
 * due (issue 4); the outputs it emits replace h->out / h->notices. */
static inline int h_advance(harness *h, ew_time now) {
  h->n = 0;
  h->nn = 0;
  if (ew_store_begin(h->store) != 0)
    return -1;
  int rc = ew_engine_advance(h->engine, now);
  if (rc == 0)
    rc = ew_store_commit(h->store);
  if (rc != 0)
    ew_store_rollback(h->store);
  return rc;
}

/* h_apply for records a test expects to go through: a failure fails the
 * test with the engine's message. */
#define h_must_apply(h, rec)                                                   \
  do {                                                                         \
    if (h_apply((h), (rec)) != 0)                                              \
      fail_msg("apply: %s", ew_engine_errmsg((h)->engine));                    \
  } while (0)

/* The n-th alert emitted for `rule_id` by the last apply, or NULL. */
static inline const ew_alert *h_find_nth(const harness *h, const char *rule_id,
                                         int nth) {
  for (size_t i = 0; i < h->n; i++)
    if (strcmp(h->out[i].rule_id, rule_id) == 0 && nth-- == 0)
      return &h->out[i];
  return NULL;
}
static inline const ew_alert *h_find(const harness *h, const char *rule_id) {
  return h_find_nth(h, rule_id, 0);
}
static inline size_t h_count(const harness *h, const char *rule_id) {
  size_t c = 0;
  for (size_t i = 0; i < h->n; i++)
    c += strcmp(h->out[i].rule_id, rule_id) == 0;
  return c;
}
/* A fact's value, "" when absent (so assert_string_equal reports it). */
static inline const char *h_fact(const ew_alert *a, const char *key) {
  const char *v = a ? ew_alert_fact_get(a, key) : NULL;
  return v ? v : "";
}

#endif /* EW_TEST_ENGINE_HARNESS_H */
