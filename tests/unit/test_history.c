/*
 * test_history.c - the per-enterprise history of the store (issue 3) and
 * its pruning by the engine: what a snapshot records, that a later snapshot
 * replaces it and a withdrawal or cancellation drops it, the window edges
 * of every query, the partition column, the migration from a version-1
 * file, and that pruning runs once per engine day, in bounded steps, and
 * keeps what a rule can still need.
 *
 * Store-level tests use a real SQLite file in a temporary directory;
 * engine-level tests go through the engine harness.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "engine_harness.h"
#include "ewtime.h"

#define DAY EW_DAY_MS

typedef struct fixture {
  char dir[64];
  char path[96];
  ew_store *s;
  ew_arena a;
  int n; /* event ids */
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  char err[512];
  snprintf(f->dir, sizeof f->dir, "/tmp/ew-history-XXXXXX");
  if (!mkdtemp(f->dir))
    return -1;
  snprintf(f->path, sizeof f->path, "%s/state.db", f->dir);
  if (ew_store_open(&f->s, f->path, err, sizeof err) != 0) {
    fprintf(stderr, "%s\n", err);
    return -1;
  }
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  char p[128];
  ew_store_close(f->s);
  ew_arena_free(&f->a);
  const char *sfx[] = {"", "-wal", "-shm"};
  for (size_t i = 0; i < 3; i++) {
    snprintf(p, sizeof p, "%s%s", f->path, sfx[i]);
    unlink(p);
  }
  rmdir(f->dir);
  free(f);
  return 0;
}

/* A penalty of FX_AG1 on `ent` for `code`, decided at `decided` (EW_NONE:
 * a case still open, sent at fx_t(0)), fined 500 yuan. */
static ew_record pen(fixture *f, const char *no, const char *ent,
                     const char *code, ew_time decided) {
  char eid[32];
  snprintf(eid, sizeof eid, "pe-%d", ++f->n);
  ew_record r =
      fx_penalty(&f->a, eid, no, decided != EW_NONE ? decided : fx_t(0));
  r.u.penalty.enterprise_uscc = ent;
  r.u.penalty.violation_code = code;
  r.u.penalty.decided_at = decided;
  r.u.penalty.fine_fen = 50000;
  r.u.penalty.penalty_types.v = ew_arena_calloc(&f->a, 1, sizeof(int));
  r.u.penalty.penalty_types.v[0] = EW_PT_FINE;
  r.u.penalty.penalty_types.n = 1;
  return r;
}

/* An ENDED inspection of FX_AG1 on FX_ENT that ended at `ended`. */
static ew_record insp(fixture *f, const char *id, ew_time ended) {
  char eid[32];
  snprintf(eid, sizeof eid, "ie-%d", ++f->n);
  ew_record r = fx_inspection(&f->a, eid, id, ended);
  r.u.inspection.status = EW_INSP_ENDED;
  r.u.inspection.started_at = ended - 2 * 3600 * 1000;
  r.u.inspection.ended_at = ended;
  return r;
}

static void soft(fixture *f, ew_record *r, int measure) {
  r->u.inspection.soft_measures.v = ew_arena_calloc(&f->a, 2, sizeof(int));
  r->u.inspection.soft_measures.v[0] = measure;
  r->u.inspection.soft_measures.v[1] = measure; /* repeated by the feed */
  r->u.inspection.soft_measures.n = 2;
}

static void record(fixture *f, const ew_record *r, int32_t part) {
  assert_int_equal(ew_store_begin(f->s), 0);
  if (ew_store_hist_record(f->s, r, part) != 0)
    fail_msg("hist_record: %s", ew_store_errmsg(f->s));
  assert_int_equal(ew_store_commit(f->s), 0);
}

static int prior(fixture *f, const char *ent, const char *code, ew_time from,
                 ew_time to, const char *exclude, ew_hist_penalty *out) {
  int found = -1;
  assert_int_equal(ew_store_hist_prior_offence(f->s, ent, code, from, to,
                                               exclude, &f->a, out, &found),
                   0);
  return found;
}

static void counts(fixture *f, int64_t pen_want, int64_t ins_want) {
  int64_t p = -1, i = -1;
  assert_int_equal(ew_store_hist_count(f->s, &p, &i), 0);
  assert_int_equal(p, pen_want);
  assert_int_equal(i, ins_want);
}

/* ---------------- recording ---------------- */

static void test_penalty_recorded_replaced_withdrawn(void **state) {
  fixture *f = *state;
  ew_hist_penalty h;
  ew_time d = fx_day(2025, 3, 4);
  ew_record r = pen(f, "D-1", FX_ENT, "V-001", d);
  r.u.penalty.case_id = "CASE-1";
  r.u.penalty.confiscated_fen = 700;
  r.u.penalty.compulsory_measures.v = ew_arena_calloc(&f->a, 1, sizeof(int));
  r.u.penalty.compulsory_measures.v[0] = EW_CM_SEAL;
  r.u.penalty.compulsory_measures.n = 1;
  record(f, &r, 0);
  counts(f, 1, 0);
  assert_int_equal(prior(f, FX_ENT, "V-001", d - DAY, d + 1, NULL, &h), 1);
  assert_string_equal(h.decision_no, "D-1");
  assert_string_equal(h.enterprise_uscc, FX_ENT);
  assert_string_equal(h.agency_uscc, FX_AG1);
  assert_string_equal(h.case_id, "CASE-1");
  assert_string_equal(h.violation_code, "V-001");
  assert_int_equal(h.decided_at, d);
  assert_int_equal(h.fine_fen, 50000);
  assert_int_equal(h.confiscated_fen, 700);
  assert_int_equal(h.compulsory, 1);
  assert_int_equal(h.penalised, 1);

  /* A later snapshot waives the penalty: same row, not penalised, still an
   * earlier offence (a violation let off is a violation). */
  ew_record r2 = pen(f, "D-1", FX_ENT, "V-001", d);
  r2.u.penalty.penalty_types.n = 0;
  r2.u.penalty.fine_fen = 0;
  record(f, &r2, 0);
  counts(f, 1, 0);
  assert_int_equal(prior(f, FX_ENT, "V-001", d - DAY, d + 1, NULL, &h), 1);
  assert_int_equal(h.penalised, 0);

  /* Penalised by confiscation alone counts as penalised. */
  r2.u.penalty.confiscated_fen = 1;
  record(f, &r2, 0);
  assert_int_equal(prior(f, FX_ENT, "V-001", d - DAY, d + 1, NULL, &h), 1);
  assert_int_equal(h.penalised, 1);
  assert_int_equal(h.compulsory, 0);
  assert_null(h.case_id);

  /* Withdrawn: dropped. */
  ew_record r3 = pen(f, "D-1", FX_ENT, "V-001", d);
  r3.u.penalty.withdrawn_at = d + DAY;
  record(f, &r3, 0);
  counts(f, 0, 0);
  assert_int_equal(prior(f, FX_ENT, "V-001", d - DAY, d + 1, NULL, &h), 0);
}

static void test_prior_window_edges(void **state) {
  fixture *f = *state;
  ew_hist_penalty h;
  ew_time d = fx_day(2025, 3, 4);
  ew_record a = pen(f, "D-A", FX_ENT, "V-001", d - 100 * DAY);
  ew_record b = pen(f, "D-B", FX_ENT, "V-001", d - 10 * DAY);
  ew_record other_code = pen(f, "D-C", FX_ENT, "V-002", d - 5 * DAY);
  ew_record other_ent = pen(f, "D-E", FX_ENT2, "V-001", d - 5 * DAY);
  ew_record open_case = pen(f, "D-O", FX_ENT, "V-001", EW_NONE);
  record(f, &a, 0);
  record(f, &b, 0);
  record(f, &other_code, 0);
  record(f, &other_ent, 0);
  record(f, &open_case, 0);
  counts(f, 5, 0);
  /* The latest one in the window. */
  assert_int_equal(prior(f, FX_ENT, "V-001", d - 200 * DAY, d, NULL, &h), 1);
  assert_string_equal(h.decision_no, "D-B");
  /* `from` is inclusive, `to` exclusive. */
  assert_int_equal(
      prior(f, FX_ENT, "V-001", d - 100 * DAY, d - 10 * DAY, NULL, &h), 1);
  assert_string_equal(h.decision_no, "D-A");
  assert_int_equal(
      prior(f, FX_ENT, "V-001", d - 100 * DAY + 1, d - 10 * DAY, NULL, &h), 0);
  /* The decision itself is excluded. */
  assert_int_equal(prior(f, FX_ENT, "V-001", d - 50 * DAY, d, "D-B", &h), 0);
  /* Other codes and enterprises are not offences of this one. */
  assert_int_equal(prior(f, FX_ENT, "V-002", d - 200 * DAY, d, NULL, &h), 1);
  assert_string_equal(h.decision_no, "D-C");
  assert_int_equal(prior(f, FX_ENT2, "V-001", d - 200 * DAY, d, NULL, &h), 1);
  assert_string_equal(h.decision_no, "D-E");
  assert_int_equal(prior(f, FX_ENT2, "V-002", d - 200 * DAY, d, NULL, &h), 0);
}

static void test_inspection_soft_measures(void **state) {
  fixture *f = *state;
  ew_hist_inspection h;
  int found;
  ew_time t = fx_day(2025, 2, 1) + 10 * 3600 * 1000;
  ew_record guided = insp(f, "INS-G", t);
  soft(f, &guided, EW_SOFT_ADMIN_GUIDANCE);
  ew_record plain = insp(f, "INS-P", t + DAY);
  plain.u.inspection.result = EW_RES_NO_ISSUE;
  ew_record ordered = insp(f, "INS-R", t - 20 * DAY);
  ordered.u.inspection.result = EW_RES_RECTIFICATION_ORDERED;
  ew_record other = insp(f, "INS-O", t + 2 * DAY);
  other.u.inspection.agency_uscc = FX_AG2;
  other.u.inspection.result = EW_RES_GUIDANCE_GIVEN;
  record(f, &guided, 1);
  record(f, &plain, 1);
  record(f, &ordered, 1);
  record(f, &other, 1);
  counts(f, 0, 4);

  /* Same agency: the latest soft one, its measures once each. */
  assert_int_equal(ew_store_hist_soft_measure(f->s, FX_ENT, FX_AG1,
                                              t - DAY * 90, t + 30 * DAY, &f->a,
                                              &h, &found),
                   0);
  assert_int_equal(found, 1);
  assert_string_equal(h.inspection_id, "INS-G");
  assert_string_equal(h.soft_measures, "ADMIN_GUIDANCE");
  assert_null(h.result);
  assert_int_equal(h.at, t);
  assert_string_equal(h.agency_uscc, FX_AG1);
  /* Both ends inclusive: `at` is ended_at. */
  assert_int_equal(
      ew_store_hist_soft_measure(f->s, FX_ENT, FX_AG1, t, t, &f->a, &h, &found),
      0);
  assert_int_equal(found, 1);
  assert_int_equal(ew_store_hist_soft_measure(f->s, FX_ENT, FX_AG1,
                                              t - 19 * DAY, t - 1, &f->a, &h,
                                              &found),
                   0);
  assert_int_equal(found, 0);
  /* A result alone is a soft measure. */
  assert_int_equal(ew_store_hist_soft_measure(f->s, FX_ENT, FX_AG1,
                                              t - 21 * DAY, t - 1, &f->a, &h,
                                              &found),
                   0);
  assert_int_equal(found, 1);
  assert_string_equal(h.inspection_id, "INS-R");
  assert_string_equal(h.soft_measures, "");
  assert_string_equal(h.result, "RECTIFICATION_ORDERED");
  /* Any agency (NULL) sees the other agency's guidance too. */
  assert_int_equal(ew_store_hist_soft_measure(f->s, FX_ENT, NULL, t - DAY * 90,
                                              t + 30 * DAY, &f->a, &h, &found),
                   0);
  assert_string_equal(h.inspection_id, "INS-O");
  assert_int_equal(ew_store_hist_soft_measure(f->s, FX_ENT, FX_AG2, t + 1,
                                              t + DAY, &f->a, &h, &found),
                   0);
  assert_int_equal(found, 0);

  /* A later CANCELLED or PLANNED snapshot drops the inspection. */
  ew_record cancelled = insp(f, "INS-G", t);
  cancelled.u.inspection.status = EW_INSP_CANCELLED;
  record(f, &cancelled, 1);
  ew_record planned = insp(f, "INS-R", t);
  planned.u.inspection.status = EW_INSP_PLANNED;
  record(f, &planned, 1);
  counts(f, 0, 2);
  assert_int_equal(ew_store_hist_soft_measure(f->s, FX_ENT, FX_AG1,
                                              t - DAY * 90, t + 30 * DAY, &f->a,
                                              &h, &found),
                   0);
  assert_int_equal(found, 0);

  /* Only started: `at` is started_at. */
  ew_record started = insp(f, "INS-S", t);
  started.u.inspection.status = EW_INSP_STARTED;
  started.u.inspection.ended_at = EW_NONE;
  soft(f, &started, EW_SOFT_ADMIN_WARNING);
  record(f, &started, 1);
  assert_int_equal(ew_store_hist_soft_measure(f->s, FX_ENT, FX_AG1, t - DAY,
                                              t + DAY, &f->a, &h, &found),
                   0);
  assert_int_equal(found, 1);
  assert_string_equal(h.inspection_id, "INS-S");
  assert_int_equal(h.at, started.u.inspection.started_at);
  assert_string_equal(h.soft_measures, "ADMIN_WARNING");
}

static void test_case_and_compulsory_queries(void **state) {
  fixture *f = *state;
  ew_hist_penalty h;
  int found;
  ew_time d = fx_day(2025, 3, 4);
  ew_record c1 = pen(f, "D-1", FX_ENT, "V-001", d);
  c1.u.penalty.case_id = "CASE-1";
  ew_record c1_open = pen(f, "D-2", FX_ENT, "V-001", EW_NONE);
  c1_open.u.penalty.case_id = "CASE-2";
  ew_record seal = pen(f, "D-3", FX_ENT, "V-003", d + DAY);
  seal.u.penalty.compulsory_measures.v = ew_arena_calloc(&f->a, 1, sizeof(int));
  seal.u.penalty.compulsory_measures.v[0] = EW_CM_SEIZE;
  seal.u.penalty.compulsory_measures.n = 1;
  record(f, &c1, 2);
  record(f, &c1_open, 2);
  record(f, &seal, 2);

  assert_int_equal(
      ew_store_hist_case_decision(f->s, FX_ENT, "CASE-1", &f->a, &h, &found),
      0);
  assert_int_equal(found, 1);
  assert_string_equal(h.decision_no, "D-1");
  /* Of another enterprise, undecided, or no case: nothing. */
  assert_int_equal(
      ew_store_hist_case_decision(f->s, FX_ENT2, "CASE-1", &f->a, &h, &found),
      0);
  assert_int_equal(found, 0);
  assert_int_equal(
      ew_store_hist_case_decision(f->s, FX_ENT, "CASE-2", &f->a, &h, &found),
      0);
  assert_int_equal(found, 0);
  assert_int_equal(
      ew_store_hist_case_decision(f->s, FX_ENT, NULL, &f->a, &h, &found), 0);
  assert_int_equal(found, 0);

  /* Compulsory: by the same agency, both ends inclusive. */
  assert_int_equal(ew_store_hist_compulsory(f->s, FX_ENT, FX_AG1, d + DAY,
                                            d + DAY, &f->a, &h, &found),
                   0);
  assert_int_equal(found, 1);
  assert_string_equal(h.decision_no, "D-3");
  assert_int_equal(h.compulsory, 1);
  assert_int_equal(ew_store_hist_compulsory(f->s, FX_ENT, FX_AG2, d - DAY,
                                            d + 2 * DAY, &f->a, &h, &found),
                   0);
  assert_int_equal(found, 0);
  assert_int_equal(ew_store_hist_compulsory(f->s, FX_ENT, FX_AG1, d - DAY,
                                            d + DAY - 1, &f->a, &h, &found),
                   0);
  assert_int_equal(found, 0);
}

/* Runs one query on a separate connection and returns its integer. */
static int64_t side_int(const char *path, const char *q) {
  sqlite3 *db;
  sqlite3_stmt *st;
  int64_t v = -1;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
  if (sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

static void test_partition_and_reopen(void **state) {
  fixture *f = *state;
  char err[512];
  ew_record p = pen(f, "D-1", FX_ENT, "V-001", fx_day(2025, 3, 4));
  ew_record i = insp(f, "INS-1", fx_day(2025, 3, 4));
  record(f, &p, 3);
  record(f, &i, 5);
  assert_int_equal(side_int(f->path, "SELECT part FROM hist_penalty"), 3);
  assert_int_equal(side_int(f->path, "SELECT part FROM hist_inspection"), 5);
  ew_store_close(f->s);
  f->s = NULL;
  assert_int_equal(ew_store_open(&f->s, f->path, err, sizeof err), 0);
  counts(f, 1, 1);
}

/* Drops every table a version-1 file did not have (history, and whatever
 * later migrations added) and sets the version back to 1. */
static void make_version_one(const char *path) {
  static const char *const v1 =
      "'offsets','outbox','ref','seen_event','snapshot','alert_state'";
  char q[256], drops[1024] = "";
  sqlite3 *db;
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  snprintf(q, sizeof q,
           "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT "
           "LIKE 'sqlite%%' AND name NOT IN (%s)",
           v1);
  assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
  while (sqlite3_step(st) == SQLITE_ROW) {
    size_t len = strlen(drops);
    snprintf(drops + len, sizeof drops - len, "DROP TABLE %s;",
             (const char *)sqlite3_column_text(st, 0));
  }
  sqlite3_finalize(st);
  assert_non_null(strstr(drops, "hist_penalty"));
  assert_non_null(strstr(drops, "hist_inspection"));
  assert_int_equal(sqlite3_exec(db, drops, NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal(
      sqlite3_exec(db, "PRAGMA user_version = 1", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
}

/* A version-1 state file (before history existed) gains the tables and
 * keeps its content. */
static void test_migrates_version_one_file(void **state) {
  fixture *f = *state;
  char err[512];
  int64_t off = 0;
  int64_t current = side_int(f->path, "PRAGMA user_version");
  assert_true(current >= 2);
  assert_int_equal(ew_store_begin(f->s), 0);
  assert_int_equal(ew_store_offset_put(f->s, "t", 0, 42), 0);
  assert_int_equal(ew_store_commit(f->s), 0);
  ew_store_close(f->s);
  f->s = NULL;
  make_version_one(f->path);
  if (ew_store_open(&f->s, f->path, err, sizeof err) != 0)
    fail_msg("reopen: %s", err);
  assert_int_equal(side_int(f->path, "PRAGMA user_version"), current);
  assert_int_equal(ew_store_offset_get(f->s, "t", 0, &off), 0);
  assert_int_equal(off, 42);
  counts(f, 0, 0);
  ew_record p = pen(f, "D-1", FX_ENT, "V-001", fx_day(2025, 3, 4));
  record(f, &p, 0);
  counts(f, 1, 0);
}

static void test_prune_store_bounded(void **state) {
  fixture *f = *state;
  int64_t deleted;
  int more;
  ew_time d = fx_day(2025, 1, 1);
  assert_int_equal(ew_store_begin(f->s), 0);
  for (int k = 0; k < 25; k++) {
    char no[16];
    snprintf(no, sizeof no, "D-%02d", k);
    ew_record p = pen(f, no, FX_ENT, "V-001", d + k * DAY);
    assert_int_equal(ew_store_hist_record(f->s, &p, 0), 0);
  }
  ew_record i = insp(f, "INS-1", d);
  assert_int_equal(ew_store_hist_record(f->s, &i, 0), 0);
  /* Oldest first, at most `limit` of each kind. */
  assert_int_equal(ew_store_hist_prune(f->s, d + 20 * DAY, 10, &deleted, &more),
                   0);
  assert_int_equal(deleted, 11);
  assert_int_equal(more, 1);
  ew_hist_penalty h;
  assert_int_equal(prior(f, FX_ENT, "V-001", d, d + 10 * DAY, NULL, &h), 0);
  assert_int_equal(prior(f, FX_ENT, "V-001", d, d + 11 * DAY, NULL, &h), 1);
  assert_string_equal(h.decision_no, "D-10");
  assert_int_equal(ew_store_hist_prune(f->s, d + 20 * DAY, 10, &deleted, &more),
                   0);
  assert_int_equal(deleted, 10);
  assert_int_equal(more, 1); /* it cannot know that this was the last */
  assert_int_equal(ew_store_hist_prune(f->s, d + 20 * DAY, 10, &deleted, &more),
                   0);
  assert_int_equal(deleted, 0);
  assert_int_equal(more, 0);
  assert_int_equal(ew_store_commit(f->s), 0);
  counts(f, 5, 0);
  ew_time newest;
  assert_int_equal(ew_store_hist_newest(f->s, &newest), 0);
  assert_int_equal(newest, d + 24 * DAY);
}

/* ---------------- through the engine ---------------- */

typedef struct eworld {
  harness h;
  int n;
} eworld;

static int esetup(void **state) {
  eworld *w = calloc(1, sizeof *w);
  if (h_open(&w->h, ":memory:") != 0)
    return -1;
  /* R23 keeps four years of decisions (test_rules_r23.c); these tests
   * are about the horizons of the rules of issues 3 and 4. */
  w->h.cfg.r23a.c.enabled = w->h.cfg.r23b.c.enabled = 0;
  w->h.cfg.r23c.c.enabled = w->h.cfg.r23d.c.enabled = 0;
  w->h.cfg.r23e.c.enabled = w->h.cfg.r23f.c.enabled = 0;
  *state = w;
  return 0;
}

static int eteardown(void **state) {
  eworld *w = *state;
  h_close(&w->h);
  free(w);
  return 0;
}

/* A fined penalty on FX_ENT for V-001 decided (and sent) at `decided`. */
static ew_record epen(eworld *w, const char *no, ew_time decided) {
  char eid[32];
  snprintf(eid, sizeof eid, "ev-%d", ++w->n);
  ew_record r = fx_penalty(&w->h.a, eid, no, decided);
  r.u.penalty.decided_at = decided;
  r.u.penalty.notice_of_rights_at = decided - 7 * DAY;
  r.u.penalty.fine_fen = 50000;
  r.u.penalty.penalty_types.v = ew_arena_calloc(&w->h.a, 1, sizeof(int));
  r.u.penalty.penalty_types.v[0] = EW_PT_FINE;
  r.u.penalty.penalty_types.n = 1;
  return r;
}

static void eapply(eworld *w, const ew_record *r) {
  if (h_apply(&w->h, r) != 0)
    fail_msg("apply: %s", ew_engine_errmsg(w->h.engine));
}

static void advance(eworld *w, ew_time now) {
  assert_int_equal(ew_store_begin(w->h.store), 0);
  if (ew_engine_advance(w->h.engine, now) != 0)
    fail_msg("advance: %s", ew_engine_errmsg(w->h.engine));
  assert_int_equal(ew_store_commit(w->h.store), 0);
}

static int64_t npen(eworld *w) {
  int64_t p, i;
  assert_int_equal(ew_store_hist_count(w->h.store, &p, &i), 0);
  return p;
}

/* 1 when decision `no`, decided at `t`, is in history. */
static int kept(eworld *w, const char *no, ew_time t) {
  ew_hist_penalty h;
  int found;
  assert_int_equal(ew_store_hist_prior_offence(w->h.store, FX_ENT, "V-001", t,
                                               t + 1, NULL, &w->h.out_a, &h,
                                               &found),
                   0);
  return found && strcmp(h.decision_no, no) == 0;
}

static void test_engine_records_accepted_snapshots_only(void **state) {
  eworld *w = *state;
  ew_time d = fx_day(2025, 3, 4);
  ew_record p = epen(w, "D-1", d);
  p.u.penalty.event_time = d + DAY;
  eapply(w, &p);
  assert_int_equal(npen(w), 1);
  /* An older snapshot that withdraws it is ignored, history included. */
  ew_record older = epen(w, "D-1", d);
  older.u.penalty.event_time = d;
  older.u.penalty.withdrawn_at = d;
  eapply(w, &older);
  assert_int_equal(npen(w), 1);
  /* A duplicate event id is ignored too. */
  ew_record dup = older;
  dup.u.penalty.event_id = p.u.penalty.event_id;
  dup.u.penalty.event_time = d + 2 * DAY;
  eapply(w, &dup);
  assert_int_equal(npen(w), 1);
  /* A newer one does withdraw it. */
  ew_record newer = epen(w, "D-1", d);
  newer.u.penalty.event_time = d + 3 * DAY;
  newer.u.penalty.withdrawn_at = d + 3 * DAY;
  eapply(w, &newer);
  assert_int_equal(npen(w), 0);
}

/* With no leniency item on file the longest lookback is R18a's window for
 * A-grade enterprises, 24 months (counted as 24 * 31 = 744 days), plus 30
 * of slack, measured from the newest entry (the clock is later). Pruning
 * runs once per engine day. */
static void test_prune_once_per_day_keeps_needed(void **state) {
  eworld *w = *state;
  ew_time now = fx_day(2025, 3, 4);
  ew_time edge = now - 774 * DAY;
  ew_record keep_edge = epen(w, "D-EDGE", edge);
  ew_record drop = epen(w, "D-OLD", edge - 1);
  ew_record recent = epen(w, "D-NEW", now);
  eapply(w, &keep_edge);
  eapply(w, &drop);
  eapply(w, &recent);
  assert_int_equal(npen(w), 3);
  advance(w, now + 5 * DAY); /* the clock is later than the newest entry */
  assert_int_equal(npen(w), 2);
  assert_true(kept(w, "D-EDGE", edge));
  assert_false(kept(w, "D-OLD", edge - 1));

  /* Once per engine day: the same day again prunes nothing... */
  ew_record late_old = epen(w, "D-OLD2", edge - DAY);
  eapply(w, &late_old);
  advance(w, now + 5 * DAY + 3600 * 1000);
  assert_int_equal(npen(w), 3);
  /* ...the next day does. */
  advance(w, now + 6 * DAY);
  assert_int_equal(npen(w), 2);
  assert_false(kept(w, "D-OLD2", edge - DAY));
}

/* The daemon's clock is wall time: history of a replayed backlog is judged
 * from its own newest entry, not from the clock. */
static void test_prune_measures_from_newest_entry(void **state) {
  eworld *w = *state;
  ew_time now = fx_day(2025, 3, 4);
  ew_record p = epen(w, "D-1", now - 700 * DAY);
  ew_record q = epen(w, "D-2", now);
  eapply(w, &p);
  eapply(w, &q);
  advance(w, fx_day(2030, 1, 1));
  assert_int_equal(npen(w), 2);
  assert_true(kept(w, "D-1", now - 700 * DAY));
}

/* A decision dated in the future cannot prune the rest: the clock caps the
 * reference time. */
static void test_prune_capped_by_clock(void **state) {
  eworld *w = *state;
  ew_time now = fx_day(2025, 3, 4);
  ew_record p = epen(w, "D-1", now - 700 * DAY);
  ew_record future = epen(w, "D-F", fx_day(2099, 1, 1));
  eapply(w, &p);
  eapply(w, &future);
  advance(w, now);
  assert_int_equal(npen(w), 2);
  assert_true(kept(w, "D-1", now - 700 * DAY));
}

static ew_record lenient(eworld *w, const char *id, int64_t lookback) {
  ew_record r;
  r.kind = EW_REC_LENIENCY_ITEM;
  ew_rtype_init(ew_rtype_of(r.kind), &r.u);
  r.u.leniency_item.item_id = ew_arena_strdup(&w->h.a, id);
  r.u.leniency_item.violation_code = ew_arena_strdup(&w->h.a, "V-001");
  r.u.leniency_item.kind = EW_LEN_FIRST_OFFENSE_NO_PENALTY;
  r.u.leniency_item.lookback_days = lookback;
  return r;
}

/* The horizon follows the longest lookback on file, and R15's lookback
 * when that is longer; an entry R13 still needs survives the prune and
 * still makes the next decision a repeat offence. */
static void test_prune_horizon_follows_rules(void **state) {
  eworld *w = *state;
  ew_time now = fx_day(2025, 3, 4);
  ew_record item = lenient(w, "L-1", 1500);
  eapply(w, &item);
  ew_record old = epen(w, "D-1", now - 1400 * DAY);
  ew_record older = epen(w, "D-0", now - 1600 * DAY);
  ew_record cur = epen(w, "D-2", now - DAY);
  eapply(w, &old);
  eapply(w, &older);
  eapply(w, &cur);
  advance(w, now);
  /* 1500 + 30 days back from the newest entry (now - 1 day). */
  assert_int_equal(npen(w), 2);
  assert_true(kept(w, "D-1", now - 1400 * DAY));

  /* The next decision: D-2, a day before, is a prior penalised one in the
   * lookback, so R13a does not fire; with D-2 waived, D-1 (1401 days
   * before) still is. */
  ew_record waive = epen(w, "D-2", now - DAY);
  waive.u.penalty.event_time = now;
  waive.u.penalty.penalty_types.n = 0;
  waive.u.penalty.fine_fen = 0;
  waive.u.penalty.corrected = 1;
  eapply(w, &waive);
  ew_record next = epen(w, "D-3", now);
  next.u.penalty.corrected = 1;
  next.u.penalty.event_time = now + 1;
  eapply(w, &next);
  assert_null(h_find(&w->h, "R13a"));

  /* With the item gone, R15's lookback (raised to 3000 days) decides. */
  assert_int_equal(ew_store_begin(w->h.store), 0);
  assert_int_equal(
      ew_engine_delete_ref(w->h.engine, EW_REC_LENIENCY_ITEM, "L-1"), 0);
  assert_int_equal(ew_store_commit(w->h.store), 0);
  w->h.cfg.r15.soft_lookback_days = 3000;
  ew_record ancient = epen(w, "D-A", now - 3000 * DAY);
  eapply(w, &ancient);
  advance(w, now + DAY);
  assert_true(kept(w, "D-A", now - 3000 * DAY));
  w->h.cfg.r15.soft_lookback_days = 90;
  advance(w, now + 2 * DAY); /* 744 + 30 days now (R18a) */
  assert_false(kept(w, "D-A", now - 3000 * DAY));
  assert_false(kept(w, "D-1", now - 1400 * DAY));
  assert_true(kept(w, "D-3", now));
}

/* A large backlog is pruned in steps of at most 1000 per kind per call;
 * the following calls continue on the same day. */
static void test_prune_bounded_per_call(void **state) {
  eworld *w = *state;
  ew_time now = fx_day(2025, 3, 4);
  ew_time old = now - 2000 * DAY;
  assert_int_equal(ew_store_begin(w->h.store), 0);
  for (int k = 0; k < 2500; k++) {
    char no[16];
    snprintf(no, sizeof no, "D-%04d", k);
    ew_record p = epen(w, no, old + k);
    assert_int_equal(ew_store_hist_record(w->h.store, &p, 0), 0);
  }
  assert_int_equal(ew_store_commit(w->h.store), 0);
  ew_record cur = epen(w, "D-NOW", now);
  eapply(w, &cur);
  assert_int_equal(npen(w), 2501);
  advance(w, now);
  assert_int_equal(npen(w), 1501);
  advance(w, now + 1);
  assert_int_equal(npen(w), 501);
  advance(w, now + 2);
  assert_int_equal(npen(w), 1);
  advance(w, now + 3); /* nothing left, and done for the day */
  assert_int_equal(npen(w), 1);
  assert_true(kept(w, "D-NOW", now));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_penalty_recorded_replaced_withdrawn,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_prior_window_edges, setup, teardown),
      cmocka_unit_test_setup_teardown(test_inspection_soft_measures, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_case_and_compulsory_queries, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_partition_and_reopen, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_migrates_version_one_file, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_prune_store_bounded, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(
          test_engine_records_accepted_snapshots_only, esetup, eteardown),
      cmocka_unit_test_setup_teardown(test_prune_once_per_day_keeps_needed,
                                      esetup, eteardown),
      cmocka_unit_test_setup_teardown(test_prune_measures_from_newest_entry,
                                      esetup, eteardown),
      cmocka_unit_test_setup_teardown(test_prune_capped_by_clock, esetup,
                                      eteardown),
      cmocka_unit_test_setup_teardown(test_prune_horizon_follows_rules, esetup,
                                      eteardown),
      cmocka_unit_test_setup_teardown(test_prune_bounded_per_call, esetup,
                                      eteardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
