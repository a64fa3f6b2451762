/*
 * test_store.c - the SQLite store on real files in a temporary directory:
 * migrations and version refusal, WAL, reopen, offsets, the outbox, the
 * reference cache (put, replace, delete, by agency, by participant), the
 * engine's state tables, and rollback of all of it together.
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

#include "alert.h"
#include "fixtures.h"
#include "record_blob.h"
#include "store.h"

typedef struct fixture {
  char dir[64];
  char path[128];
  ew_arena arena;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/ew-test-store-XXXXXX");
  if (!mkdtemp(f->dir))
    return -1;
  snprintf(f->path, sizeof f->path, "%s/state.db", f->dir);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  char p[160];
  const char *suffix[] = {"", "-wal", "-shm", "-journal"};
  for (int i = 0; i < 4; i++) {
    snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
    unlink(p);
  }
  rmdir(f->dir);
  ew_arena_free(&f->arena);
  free(f);
  return 0;
}

static ew_store *open_store(const char *path) {
  ew_store *s = NULL;
  char err[512];
  int rc = ew_store_open(&s, path, err, sizeof err);
  if (rc != 0)
    fail_msg("open %s: %s", path, err);
  return s;
}

/* Runs one query on a separate connection and returns its text result. */
static void side_query(const char *path, const char *q, char *out, size_t n) {
  sqlite3 *db;
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
  int rc = sqlite3_step(st);
  snprintf(out, n, "%s",
           rc == SQLITE_ROW && sqlite3_column_text(st, 0)
               ? (const char *)sqlite3_column_text(st, 0)
               : "");
  sqlite3_finalize(st);
  sqlite3_close(db);
}

static void test_open_creates_wal_and_migrates(void **state) {
  fixture *f = *state;
  char v[256];
  ew_store *s = open_store(f->path);
  side_query(f->path, "PRAGMA journal_mode", v, sizeof v);
  assert_string_equal(v, "wal");
  side_query(f->path, "PRAGMA user_version", v, sizeof v);
  assert_string_equal(v, "7");
  side_query(f->path,
             "SELECT group_concat(name, ',') FROM (SELECT name FROM "
             "sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' "
             "ORDER BY name)",
             v, sizeof v);
  assert_string_equal(
      v, "alert_state,hist_complaint,hist_inspection,hist_penalty,meta,"
         "notice,notice_alert,notice_pending,offsets,"
         "outbox,outbox_parked,ref,rule_param,seen_event,snapshot,stats,"
         "stats_contrib,stats_member,wakeup");
  assert_int_equal(access(f->path, F_OK), 0);
  ew_store_close(s);
  /* Opening again applies nothing and keeps the version. */
  s = open_store(f->path);
  side_query(f->path, "PRAGMA user_version", v, sizeof v);
  assert_string_equal(v, "7");
  ew_store_close(s);
}

/* A file that already has content but no schema (version 0) is migrated
 * without touching the content. */
static void test_migrates_version_zero_file(void **state) {
  fixture *f = *state;
  sqlite3 *db;
  char v[128];
  assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db,
                                "CREATE TABLE notes(x); INSERT INTO notes "
                                "VALUES('kept')",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  sqlite3_close(db);
  ew_store *s = open_store(f->path);
  ew_store_close(s);
  side_query(f->path, "SELECT x FROM notes", v, sizeof v);
  assert_string_equal(v, "kept");
  side_query(f->path, "PRAGMA user_version", v, sizeof v);
  assert_string_equal(v, "7");
}

static void test_refuses_newer_file(void **state) {
  fixture *f = *state;
  sqlite3 *db;
  ew_store *s = NULL;
  char err[512];
  assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
  assert_int_equal(
      sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL),
      SQLITE_OK);
  sqlite3_close(db);
  assert_int_equal(ew_store_open(&s, f->path, err, sizeof err), -1);
  assert_null(s);
  assert_non_null(strstr(err, "99"));
  assert_non_null(strstr(err, "newer"));
}

static void test_open_failure_reports(void **state) {
  (void)state;
  ew_store *s = NULL;
  char err[512] = "";
  assert_int_equal(
      ew_store_open(&s, "/nonexistent-dir/x/state.db", err, sizeof err), -1);
  assert_null(s);
  assert_true(strlen(err) > 0);
  ew_store_close(NULL); /* accepts NULL */
}

static void test_memory_store(void **state) {
  (void)state;
  ew_store *s = open_store(":memory:");
  int64_t off;
  assert_int_equal(ew_store_offset_put(s, "t", 0, 5), 0);
  assert_int_equal(ew_store_offset_get(s, "t", 0, &off), 0);
  assert_int_equal(off, 5);
  ew_store_close(s);
}

static void test_offsets(void **state) {
  fixture *f = *state;
  ew_store *s = open_store(f->path);
  int64_t off = 123;
  assert_int_equal(ew_store_offset_get(s, "enforcement.inspections", 0, &off),
                   0);
  assert_int_equal(off, -1);
  assert_int_equal(ew_store_begin(s), 0);
  assert_int_equal(ew_store_offset_put(s, "enforcement.inspections", 0, 10), 0);
  assert_int_equal(ew_store_offset_put(s, "enforcement.inspections", 1, 20), 0);
  assert_int_equal(ew_store_offset_put(s, "enforcement.inspections", 0, 11), 0);
  assert_int_equal(ew_store_commit(s), 0);
  assert_int_equal(ew_store_offset_get(s, "enforcement.inspections", 0, &off),
                   0);
  assert_int_equal(off, 11);
  assert_int_equal(ew_store_offset_get(s, "enforcement.inspections", 1, &off),
                   0);
  assert_int_equal(off, 20);
  assert_int_equal(ew_store_offset_get(s, "enforcement.penalties", 0, &off), 0);
  assert_int_equal(off, -1);
  ew_store_close(s);
}

/* ---- outbox ---- */

typedef struct seen_rows {
  int n;
  int64_t seq[8];
  char topic[8][64];
  int key_null[8];
  size_t key_len[8];
  int value_null[8];
  unsigned char value[8][16];
  size_t value_len[8];
  size_t nheaders[8];
  char h0name[8][32];
  size_t h0len[8];
  unsigned char h0val[8][8];
  int h1null[8];
  int stop_after;
} seen_rows;

static int collect_rows(void *ud, const ew_outbox_row *row) {
  seen_rows *r = ud;
  int i = r->n++;
  r->seq[i] = row->seq;
  snprintf(r->topic[i], 64, "%s", row->topic);
  r->key_null[i] = row->key == NULL;
  r->key_len[i] = row->key_len;
  r->value_null[i] = row->value == NULL;
  r->value_len[i] = row->value_len;
  if (row->value)
    memcpy(r->value[i], row->value, row->value_len);
  r->nheaders[i] = row->nheaders;
  if (row->nheaders) {
    snprintf(r->h0name[i], 32, "%s", row->headers[0].name);
    r->h0len[i] = row->headers[0].len;
    memcpy(r->h0val[i], row->headers[0].value, row->headers[0].len);
  }
  if (row->nheaders > 1)
    r->h1null[i] = row->headers[1].value == NULL;
  return r->stop_after && r->n == r->stop_after ? 7 : 0;
}

static void test_outbox(void **state) {
  fixture *f = *state;
  ew_store *s = open_store(f->path);
  const unsigned char bin[] = {0, 1, 0, 0xff, 'x'};
  ew_outbox_header hdrs[2] = {{"x-error-code", "\0bin", 4},
                              {"x-null", NULL, 0}};
  ew_outbox_row rows[3] = {
      {0, "alerts", "AG1", 3, bin, sizeof bin, NULL, 0},
      {0, "alerts", "", 0, "v2", 2, hdrs, 2},     /* empty key, not NULL */
      {0, "ref.plan", NULL, 0, NULL, 0, NULL, 0}, /* tombstone, no key */
  };
  int64_t seq[3], count;
  assert_int_equal(ew_store_begin(s), 0);
  for (int i = 0; i < 3; i++)
    assert_int_equal(ew_store_outbox_append(s, &rows[i], &seq[i]), 0);
  assert_int_equal(ew_store_commit(s), 0);
  assert_true(seq[0] < seq[1] && seq[1] < seq[2]);
  assert_int_equal(ew_store_outbox_count(s, &count), 0);
  assert_int_equal(count, 3);

  seen_rows r = {0};
  assert_int_equal(ew_store_outbox_scan(s, 0, 2, collect_rows, &r), 0);
  assert_int_equal(r.n, 2);
  assert_int_equal(r.seq[0], seq[0]);
  assert_string_equal(r.topic[0], "alerts");
  assert_int_equal(r.value_len[0], sizeof bin);
  assert_memory_equal(r.value[0], bin, sizeof bin);
  assert_int_equal(r.nheaders[0], 0);
  assert_false(r.key_null[1]);
  assert_int_equal(r.key_len[1], 0);
  assert_int_equal(r.nheaders[1], 2);
  assert_string_equal(r.h0name[1], "x-error-code");
  assert_int_equal(r.h0len[1], 4);
  assert_memory_equal(r.h0val[1], "\0bin", 4);
  assert_true(r.h1null[1]);

  memset(&r, 0, sizeof r);
  assert_int_equal(ew_store_outbox_scan(s, seq[1], 100, collect_rows, &r), 0);
  assert_int_equal(r.n, 1);
  assert_true(r.key_null[0]);
  assert_true(r.value_null[0]);
  assert_string_equal(r.topic[0], "ref.plan");

  /* The visitor's non-zero return stops the scan and is returned. */
  memset(&r, 0, sizeof r);
  r.stop_after = 1;
  assert_int_equal(ew_store_outbox_scan(s, 0, 100, collect_rows, &r), 7);
  assert_int_equal(r.n, 1);

  assert_int_equal(ew_store_outbox_delete_upto(s, seq[1]), 0);
  assert_int_equal(ew_store_outbox_count(s, &count), 0);
  assert_int_equal(count, 1);
  assert_int_equal(ew_store_outbox_delete_upto(s, seq[2]), 0);
  /* Sequence numbers are never reused, even once the outbox is empty. */
  int64_t next;
  assert_int_equal(ew_store_outbox_append(s, &rows[0], &next), 0);
  assert_true(next > seq[2]);
  ew_store_close(s);
}

/* ---- reference records ---- */

typedef struct visit_ids {
  int n;
  char id[8][32];
  int stop_at;
} visit_ids;

static int collect_ids(void *ud, const ew_record *rec) {
  visit_ids *v = ud;
  snprintf(v->id[v->n++], 32, "%s", ew_record_id(rec));
  return v->stop_at && v->n == v->stop_at ? 42 : 0;
}

static void test_ref_put_replace_delete(void **state) {
  fixture *f = *state;
  ew_arena *a = &f->arena;
  ew_store *s = open_store(f->path);
  const ew_record *got;
  ew_record ag = fx_agency(a, FX_AG1, "临夏州市场监督管理局", "622900");
  assert_int_equal(ew_store_ref_put(s, &ag), 0);
  assert_int_equal(ew_store_ref_get(s, EW_REC_AGENCY, FX_AG1, &got), 0);
  assert_non_null(got);
  assert_string_equal(got->u.agency.name, "临夏州市场监督管理局");
  /* The store keeps its own copy. */
  assert_ptr_not_equal(got->u.agency.name, ag.u.agency.name);

  ew_record ag2 = fx_agency(a, FX_AG1, "临夏州市场监管局（更名）", "622900");
  assert_int_equal(ew_store_ref_put(s, &ag2), 0);
  assert_int_equal(ew_store_ref_get(s, EW_REC_AGENCY, FX_AG1, &got), 0);
  assert_string_equal(got->u.agency.name, "临夏州市场监管局（更名）");

  /* Same id, other kind: a separate record. */
  assert_int_equal(ew_store_ref_get(s, EW_REC_CREDIT_GRADE, FX_AG1, &got), 0);
  assert_null(got);

  assert_int_equal(ew_store_ref_delete(s, EW_REC_AGENCY, FX_AG1), 0);
  assert_int_equal(ew_store_ref_get(s, EW_REC_AGENCY, FX_AG1, &got), 0);
  assert_null(got);
  assert_int_equal(ew_store_ref_delete(s, EW_REC_AGENCY, "absent"), 0);

  ew_record ins = fx_inspection(a, "e1", "INS-1", fx_t(0));
  assert_int_equal(ew_store_ref_put(s, &ins), -1);
  assert_non_null(strstr(ew_store_errmsg(s), "not a reference kind"));
  ew_store_close(s);
}

static void test_ref_by_agency_sorted_and_indexed(void **state) {
  fixture *f = *state;
  ew_arena *a = &f->arena;
  ew_store *s = open_store(f->path);
  const char *ids[] = {"P3", "P1", "P2"};
  for (int i = 0; i < 3; i++) {
    ew_record p = fx_plan(a, ids[i], FX_AG1);
    assert_int_equal(ew_store_ref_put(s, &p), 0);
  }
  ew_record p4 = fx_plan(a, "P4", FX_AG2);
  ew_record c = fx_cert(a, "CERT-1", "O1", FX_AG1);
  assert_int_equal(ew_store_ref_put(s, &p4), 0);
  assert_int_equal(ew_store_ref_put(s, &c), 0);

  visit_ids v = {0};
  assert_int_equal(
      ew_store_ref_by_agency(s, EW_REC_PLAN, FX_AG1, collect_ids, &v), 0);
  assert_int_equal(v.n, 3);
  assert_string_equal(v.id[0], "P1");
  assert_string_equal(v.id[1], "P2");
  assert_string_equal(v.id[2], "P3");

  memset(&v, 0, sizeof v);
  v.stop_at = 2;
  assert_int_equal(
      ew_store_ref_by_agency(s, EW_REC_PLAN, FX_AG1, collect_ids, &v), 42);
  assert_int_equal(v.n, 2);

  memset(&v, 0, sizeof v);
  assert_int_equal(
      ew_store_ref_by_agency(s, EW_REC_CERTIFICATE, FX_AG1, collect_ids, &v),
      0);
  assert_int_equal(v.n, 1);
  assert_string_equal(v.id[0], "CERT-1");

  /* Moving P2 to another agency moves it between groups. */
  ew_record p2 = fx_plan(a, "P2", FX_AG2);
  assert_int_equal(ew_store_ref_put(s, &p2), 0);
  memset(&v, 0, sizeof v);
  ew_store_ref_by_agency(s, EW_REC_PLAN, FX_AG1, collect_ids, &v);
  assert_int_equal(v.n, 2);
  assert_string_equal(v.id[0], "P1");
  assert_string_equal(v.id[1], "P3");
  memset(&v, 0, sizeof v);
  ew_store_ref_by_agency(s, EW_REC_PLAN, FX_AG2, collect_ids, &v);
  assert_int_equal(v.n, 2);
  assert_string_equal(v.id[0], "P2");
  assert_string_equal(v.id[1], "P4");

  /* Joint plan: found by its participants (listed twice: visited once). */
  ew_record j = fx_plan(a, "J1", FX_AG2);
  j.u.plan.plan_type = EW_PLAN_JOINT_INSPECTION;
  j.u.plan.participant_agency_usccs = fx_strv(a, 3, FX_AG3, FX_AG1, FX_AG3);
  assert_int_equal(ew_store_ref_put(s, &j), 0);
  memset(&v, 0, sizeof v);
  ew_store_ref_by_participant(s, EW_REC_PLAN, FX_AG3, collect_ids, &v);
  assert_int_equal(v.n, 1);
  assert_string_equal(v.id[0], "J1");
  memset(&v, 0, sizeof v);
  ew_store_ref_by_participant(s, EW_REC_PLAN, FX_AG1, collect_ids, &v);
  assert_int_equal(v.n, 1);

  /* Deleting removes it from every index. */
  assert_int_equal(ew_store_ref_delete(s, EW_REC_PLAN, "J1"), 0);
  assert_int_equal(ew_store_ref_delete(s, EW_REC_PLAN, "P1"), 0);
  memset(&v, 0, sizeof v);
  ew_store_ref_by_participant(s, EW_REC_PLAN, FX_AG3, collect_ids, &v);
  assert_int_equal(v.n, 0);
  memset(&v, 0, sizeof v);
  ew_store_ref_by_agency(s, EW_REC_PLAN, FX_AG1, collect_ids, &v);
  assert_int_equal(v.n, 1);
  assert_string_equal(v.id[0], "P3");
  ew_store_close(s);
}

/* Many records force the hash tables to grow; all stay reachable. */
static void test_ref_many(void **state) {
  fixture *f = *state;
  ew_arena *a = &f->arena;
  ew_store *s = open_store(f->path);
  char id[32];
  assert_int_equal(ew_store_begin(s), 0);
  for (int i = 0; i < 2000; i++) {
    snprintf(id, sizeof id, "C%05d", i);
    ew_record c = fx_cert(a, id, "O", i % 2 ? FX_AG1 : FX_AG2);
    assert_int_equal(ew_store_ref_put(s, &c), 0);
  }
  assert_int_equal(ew_store_commit(s), 0);
  ew_store_close(s);
  s = open_store(f->path); /* reload from the file */
  for (int i = 0; i < 2000; i++) {
    const ew_record *r;
    snprintf(id, sizeof id, "C%05d", i);
    assert_int_equal(ew_store_ref_get(s, EW_REC_CERTIFICATE, id, &r), 0);
    assert_non_null(r);
    assert_string_equal(r->u.certificate.agency_uscc, i % 2 ? FX_AG1 : FX_AG2);
  }
  ew_store_close(s);
}

static void test_reopen_keeps_everything(void **state) {
  fixture *f = *state;
  ew_arena *a = &f->arena;
  ew_store *s = open_store(f->path);
  ew_record p = fx_plan(a, "P1", FX_AG1);
  fx_plan_item(a, &p.u.plan, "I1", "C13-01", fx_day(2025, 3, 1),
               fx_day(2025, 3, 31));
  ew_record ins = fx_inspection(a, "e1", "INS-1", fx_t(0));
  ew_outbox_row row = {0, "alerts", "k", 1, "v", 1, NULL, 0};
  int is_new, applied;
  assert_int_equal(ew_store_begin(s), 0);
  assert_int_equal(ew_store_ref_put(s, &p), 0);
  assert_int_equal(ew_store_offset_put(s, "t", 3, 77), 0);
  assert_int_equal(ew_store_outbox_append(s, &row, NULL), 0);
  assert_int_equal(ew_store_event_mark(s, "e1", 3, fx_t(0), &is_new), 0);
  assert_int_equal(ew_store_snapshot_put(s, &ins, 3, &applied), 0);
  assert_int_equal(ew_store_commit(s), 0);
  ew_store_close(s);

  s = open_store(f->path);
  const ew_record *got;
  int64_t off, count;
  ew_record snap;
  int found;
  assert_int_equal(ew_store_ref_get(s, EW_REC_PLAN, "P1", &got), 0);
  assert_non_null(got);
  assert_int_equal(got->u.plan.items.n, 1);
  assert_string_equal(got->u.plan.items.v[0].check_item_code, "C13-01");
  assert_int_equal(got->u.plan.items.v[0].window_end, fx_day(2025, 3, 31));
  assert_int_equal(ew_store_offset_get(s, "t", 3, &off), 0);
  assert_int_equal(off, 77);
  assert_int_equal(ew_store_outbox_count(s, &count), 0);
  assert_int_equal(count, 1);
  assert_int_equal(ew_store_event_mark(s, "e1", 3, fx_t(0), &is_new), 0);
  assert_false(is_new);
  assert_int_equal(
      ew_store_snapshot_get(s, EW_REC_INSPECTION, "INS-1", a, &snap, &found),
      0);
  assert_true(found);
  assert_string_equal(snap.u.inspection.event_id, "e1");
  assert_string_equal(snap.u.inspection.check_items.v[0], "C13-01");
  ew_store_close(s);
}

/* ---- engine state ---- */

static void test_event_mark_and_snapshot(void **state) {
  fixture *f = *state;
  ew_arena *a = &f->arena;
  ew_store *s = open_store(f->path);
  int is_new, applied, found;
  assert_int_equal(ew_store_event_mark(s, "e1", 0, fx_t(0), &is_new), 0);
  assert_true(is_new);
  assert_int_equal(ew_store_event_mark(s, "e1", 0, fx_t(0), &is_new), 0);
  assert_false(is_new);

  ew_record v2 = fx_inspection(a, "e2", "INS-1", fx_t(2));
  ew_record v1 = fx_inspection(a, "e1", "INS-1", fx_t(1));
  ew_record v2b = fx_inspection(a, "e2b", "INS-1", fx_t(2));
  ew_record got;
  assert_int_equal(ew_store_snapshot_put(s, &v2, 0, &applied), 0);
  assert_true(applied);
  assert_int_equal(ew_store_snapshot_put(s, &v1, 0, &applied), 0);
  assert_false(applied); /* older */
  assert_int_equal(
      ew_store_snapshot_get(s, EW_REC_INSPECTION, "INS-1", a, &got, &found), 0);
  assert_true(found);
  assert_string_equal(got.u.inspection.event_id, "e2");
  assert_int_equal(ew_store_snapshot_put(s, &v2b, 0, &applied), 0);
  assert_true(applied); /* same time: later in the stream wins */
  ew_store_snapshot_get(s, EW_REC_INSPECTION, "INS-1", a, &got, &found);
  assert_string_equal(got.u.inspection.event_id, "e2b");

  /* Subjects are per kind. */
  assert_int_equal(
      ew_store_snapshot_get(s, EW_REC_PENALTY, "INS-1", a, &got, &found), 0);
  assert_false(found);
  ew_store_close(s);
}

typedef struct open_ids {
  int n;
  char id[8][64];
  char rule[8][8];
  uint64_t fp[8];
  ew_time detected_at[8];
} open_ids;

static int collect_open(void *ud, const ew_alert_state *st) {
  open_ids *o = ud;
  snprintf(o->id[o->n], 64, "%s", st->alert_id);
  snprintf(o->rule[o->n], 8, "%s", st->rule_id);
  o->fp[o->n] = st->fingerprint;
  o->detected_at[o->n] = st->detected_at;
  o->n++;
  return 0;
}

static void test_alert_state(void **state) {
  fixture *f = *state;
  ew_arena *a = &f->arena;
  ew_store *s = open_store(f->path);
  ew_alert_builder b1, b2, b3;
  ew_alert_begin(&b1, a, "R05", EW_SUBJ_INSPECTION, "INS-1", "", EW_SEV_HIGH);
  ew_alert_begin(&b2, a, "R25", EW_SUBJ_INSPECTION, "INS-1", "time_order",
                 EW_SEV_LOW);
  ew_alert_begin(&b3, a, "R05", EW_SUBJ_INSPECTION, "INS-2", "", EW_SEV_HIGH);
  ew_alert_builder *all[] = {&b1, &b2, &b3};
  for (int i = 0; i < 3; i++) {
    all[i]->alert.detected_at = fx_t(i);
    ew_alert_fact(all[i], "n", "%d", i);
    ew_alert_message(all[i], "m%d", i);
    all[i]->alert.legal_basis = "L";
    assert_int_equal(ew_store_alert_state_put(s, &all[i]->alert, 100 + i, 4),
                     0);
  }
  open_ids o = {0};
  assert_int_equal(ew_store_alert_state_open(s, EW_SUBJ_INSPECTION, "INS-1",
                                             collect_open, &o),
                   0);
  assert_int_equal(o.n, 2);
  /* alert_id order */
  assert_true(strcmp(o.id[0], o.id[1]) < 0);

  /* WITHDRAWN is not open any more. */
  b1.alert.status = EW_AST_WITHDRAWN;
  assert_int_equal(ew_store_alert_state_put(s, &b1.alert, 100, 4), 0);
  memset(&o, 0, sizeof o);
  ew_store_alert_state_open(s, EW_SUBJ_INSPECTION, "INS-1", collect_open, &o);
  assert_int_equal(o.n, 1);
  assert_string_equal(o.id[0], b2.alert.alert_id);
  assert_string_equal(o.rule[0], "R25");
  assert_int_equal(o.fp[0], 101);
  assert_int_equal(o.detected_at[0], fx_t(1));

  ew_alert_state st;
  int found;
  ew_alert back;
  assert_int_equal(
      ew_store_alert_state_get(s, b1.alert.alert_id, a, &st, &found), 0);
  assert_true(found);
  assert_int_equal(st.status, EW_AST_WITHDRAWN);
  assert_int_equal(
      ew_blob_decode(ew_rtype_of(EW_REC_ALERT), st.body, st.body_len, &back, a),
      0);
  assert_string_equal(back.message, "m0");
  assert_string_equal(ew_alert_fact_get(&back, "n"), "0");
  assert_int_equal(ew_store_alert_state_get(s, "EW-none", a, &st, &found), 0);
  assert_false(found);
  ew_store_close(s);
}

/* ---- transactions ---- */

static void test_rollback_really_rolls_back(void **state) {
  fixture *f = *state;
  ew_arena *a = &f->arena;
  ew_store *s = open_store(f->path);
  ew_record p1 = fx_plan(a, "P1", FX_AG1);
  assert_int_equal(ew_store_ref_put(s, &p1), 0); /* autocommit */
  assert_int_equal(ew_store_rollback(s), 0);     /* harmless outside */

  ew_record p1b = fx_plan(a, "P1", FX_AG2); /* moves P1 to AG2 */
  ew_record p2 = fx_plan(a, "P2", FX_AG1);
  ew_record ins = fx_inspection(a, "e1", "INS-1", fx_t(0));
  ew_outbox_row row = {0, "alerts", "k", 1, "v", 1, NULL, 0};
  ew_alert_builder b;
  int is_new, applied, found;
  ew_alert_begin(&b, a, "R05", EW_SUBJ_INSPECTION, "INS-1", "", EW_SEV_HIGH);
  b.alert.detected_at = fx_t(0);

  assert_int_equal(ew_store_begin(s), 0);
  assert_int_equal(ew_store_ref_put(s, &p1b), 0);
  assert_int_equal(ew_store_ref_put(s, &p2), 0);
  assert_int_equal(ew_store_ref_delete(s, EW_REC_PLAN, "P1"), 0);
  assert_int_equal(ew_store_ref_put(s, &p1b), 0);
  assert_int_equal(ew_store_offset_put(s, "t", 0, 9), 0);
  assert_int_equal(ew_store_outbox_append(s, &row, NULL), 0);
  assert_int_equal(ew_store_event_mark(s, "e1", 0, fx_t(0), &is_new), 0);
  assert_int_equal(ew_store_snapshot_put(s, &ins, 0, &applied), 0);
  assert_int_equal(ew_store_alert_state_put(s, &b.alert, 1, 0), 0);
  /* Inside the transaction the cache shows the changes. */
  const ew_record *got;
  ew_store_ref_get(s, EW_REC_PLAN, "P1", &got);
  assert_string_equal(got->u.plan.agency_uscc, FX_AG2);
  assert_int_equal(ew_store_rollback(s), 0);

  ew_store_ref_get(s, EW_REC_PLAN, "P1", &got);
  assert_non_null(got);
  assert_string_equal(got->u.plan.agency_uscc, FX_AG1);
  ew_store_ref_get(s, EW_REC_PLAN, "P2", &got);
  assert_null(got);
  visit_ids v = {0};
  ew_store_ref_by_agency(s, EW_REC_PLAN, FX_AG1, collect_ids, &v);
  assert_int_equal(v.n, 1);
  assert_string_equal(v.id[0], "P1");
  memset(&v, 0, sizeof v);
  ew_store_ref_by_agency(s, EW_REC_PLAN, FX_AG2, collect_ids, &v);
  assert_int_equal(v.n, 0);

  int64_t off, count;
  ew_store_offset_get(s, "t", 0, &off);
  assert_int_equal(off, -1);
  ew_store_outbox_count(s, &count);
  assert_int_equal(count, 0);
  assert_int_equal(ew_store_event_mark(s, "e1", 0, fx_t(0), &is_new), 0);
  assert_true(is_new);
  ew_record snap;
  ew_store_snapshot_get(s, EW_REC_INSPECTION, "INS-1", a, &snap, &found);
  assert_false(found);
  ew_alert_state st;
  ew_store_alert_state_get(s, b.alert.alert_id, a, &st, &found);
  assert_false(found);

  /* And a committed transaction survives a close. */
  assert_int_equal(ew_store_begin(s), 0);
  assert_int_equal(ew_store_ref_put(s, &p2), 0);
  assert_int_equal(ew_store_commit(s), 0);
  assert_int_equal(ew_store_rollback(s), 0);
  ew_store_close(s);
  s = open_store(f->path);
  ew_store_ref_get(s, EW_REC_PLAN, "P2", &got);
  assert_non_null(got);
  ew_store_close(s);
}

/* BEGIN IMMEDIATE takes the write lock: a second connection cannot write
 * meanwhile (it waits busy_timeout, here shortened, then gives up). */
static void test_begin_immediate_locks(void **state) {
  fixture *f = *state;
  ew_store *s = open_store(f->path);
  sqlite3 *db;
  assert_int_equal(ew_store_begin(s), 0);
  assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 50);
  assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL),
                   SQLITE_BUSY);
  assert_int_equal(ew_store_commit(s), 0);
  assert_int_equal(
      sqlite3_exec(db, "BEGIN IMMEDIATE; COMMIT", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  ew_store_close(s);
}

/* The daemon's startup barrier: the highest seq left in the outbox, 0 for
 * an empty one (delivery review). */
static void test_outbox_last_seq(void **state) {
  fixture *f = *state;
  ew_store *s = open_store(f->path);
  ew_outbox_row row = {0, "alerts", "AG1", 3, "v", 1, NULL, 0};
  int64_t last = -1, a, b;
  assert_int_equal(ew_store_outbox_last_seq(s, &last), 0);
  assert_int_equal(last, 0);
  assert_int_equal(ew_store_outbox_append(s, &row, &a), 0);
  assert_int_equal(ew_store_outbox_append(s, &row, &b), 0);
  assert_int_equal(ew_store_outbox_last_seq(s, &last), 0);
  assert_int_equal(last, b);
  assert_int_equal(ew_store_outbox_delete_upto(s, b), 0);
  assert_int_equal(ew_store_outbox_last_seq(s, &last), 0);
  assert_int_equal(last, 0);
  ew_store_close(s);
}

/* A BEGIN refused because a transaction is already open (the producer's
 * delete, run inside a batch by mistake) must not make the batch's
 * rollback forget to reload the reference cache (delivery review). */
static void test_refused_begin_keeps_cache_reload(void **state) {
  fixture *f = *state;
  ew_store *s = open_store(f->path);
  ew_record p1 = fx_plan(&f->arena, "P1", FX_AG1);
  const ew_record *got;
  assert_int_equal(ew_store_begin(s), 0);
  assert_int_equal(ew_store_ref_put(s, &p1), 0);
  assert_int_equal(ew_store_begin(s), -1); /* nested: refused */
  assert_int_equal(ew_store_rollback(s), 0);
  assert_int_equal(ew_store_ref_get(s, EW_REC_PLAN, "P1", &got), 0);
  assert_null(got); /* the cache matches the file again */
  ew_store_close(s);
}

typedef struct stat_seen {
  char rows[8][96];
  int n;
} stat_seen;

static int collect_stat(void *ud, const ew_stat_row *r) {
  stat_seen *seen = ud;
  if (seen->n < 8)
    snprintf(seen->rows[seen->n++], sizeof seen->rows[0], "%s %s %s=%lld",
             r->agency_uscc, r->period, r->metric, (long long)r->value);
  return 0;
}

/* Values add up and go back; a scan by prefix takes every period of the
 * year and no other year; a member counts its subjects and disappears at
 * zero; a contribution is replaced and deleted. */
static void test_stats_values_members_contribs(void **state) {
  fixture *f = *state;
  ew_store *s = open_store(f->path);
  int64_t v = -1, n = -1;
  ew_time as_of = 0;
  int found = 0;
  ew_arena a = EW_ARENA_INIT;
  assert_int_equal(ew_store_begin(s), 0);
  assert_int_equal(
      ew_store_stats_add(s, "AG", "2025-03", "fines_fen", 500, 1000, &v), 0);
  assert_int_equal(v, 500);
  assert_int_equal(
      ew_store_stats_add(s, "AG", "2025-03", "fines_fen", -200, 2000, &v), 0);
  assert_int_equal(v, 300);
  assert_int_equal(
      ew_store_stats_add(s, "AG", "2025-Q1", "fines_fen", 300, 2000, NULL), 0);
  assert_int_equal(
      ew_store_stats_add(s, "AG", "2026-01", "fines_fen", 1, 2000, NULL), 0);
  assert_int_equal(
      ew_store_stats_add(s, "AG2", "2025-H1", "fines_fen", 7, 2000, NULL), 0);
  assert_int_equal(
      ew_store_stats_get(s, "AG", "2025-03", "fines_fen", &v, &as_of, &found),
      0);
  assert_true(found);
  assert_int_equal(v, 300);
  assert_int_equal(as_of, 2000);
  assert_int_equal(
      ew_store_stats_get(s, "AG", "2025-04", "fines_fen", &v, NULL, &found), 0);
  assert_false(found);

  stat_seen seen = {0};
  assert_int_equal(ew_store_stats_scan(s, "AG", "2025", collect_stat, &seen),
                   0);
  assert_int_equal(seen.n, 2);
  assert_string_equal(seen.rows[0], "AG 2025-03 fines_fen=300");
  assert_string_equal(seen.rows[1], "AG 2025-Q1 fines_fen=300");
  memset(&seen, 0, sizeof seen);
  assert_int_equal(ew_store_stats_scan(s, NULL, "2025-H1", collect_stat, &seen),
                   0);
  assert_int_equal(seen.n, 1);
  assert_string_equal(seen.rows[0], "AG2 2025-H1 fines_fen=7");

  found = 1;
  assert_int_equal(
      ew_store_stats_member_get(s, "AG", "2025-03", "ents", "E1", &n, &found),
      0);
  assert_int_equal(found, 0);
  assert_int_equal(n, 0);
  assert_int_equal(
      ew_store_stats_member_put(s, "AG", "2025-03", "ents", "E1", 2), 0);
  assert_int_equal(
      ew_store_stats_member_get(s, "AG", "2025-03", "ents", "E1", &n, &found),
      0);
  assert_int_equal(found, 1);
  assert_int_equal(n, 2);
  /* A count down to 0 deletes the row. */
  assert_int_equal(
      ew_store_stats_member_put(s, "AG", "2025-03", "ents", "E1", 0), 0);
  assert_int_equal(ew_store_commit(s), 0);
  char v2[64];
  side_query(f->path, "SELECT count(*) FROM stats_member", v2, sizeof v2);
  assert_string_equal(v2, "0");

  char *parts = NULL;
  assert_int_equal(ew_store_begin(s), 0);
  assert_int_equal(ew_store_stats_contrib_put(s, "I:1", "a"), 0);
  assert_int_equal(ew_store_stats_contrib_put(s, "I:1", "b"), 0);
  assert_int_equal(ew_store_stats_contrib_get(s, "I:1", &a, &parts), 0);
  assert_string_equal(parts, "b");
  assert_int_equal(ew_store_stats_contrib_put(s, "I:1", NULL), 0);
  assert_int_equal(ew_store_stats_contrib_get(s, "I:1", &a, &parts), 0);
  assert_null(parts);
  assert_int_equal(ew_store_commit(s), 0);
  ew_arena_free(&a);
  ew_store_close(s);
}

int main(void) {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_open_creates_wal_and_migrates),
      T(test_stats_values_members_contribs),
      T(test_migrates_version_zero_file),
      T(test_refuses_newer_file),
      T(test_open_failure_reports),
      T(test_memory_store),
      T(test_offsets),
      T(test_outbox),
      T(test_ref_put_replace_delete),
      T(test_ref_by_agency_sorted_and_indexed),
      T(test_ref_many),
      T(test_reopen_keeps_everything),
      T(test_event_mark_and_snapshot),
      T(test_alert_state),
      T(test_rollback_really_rolls_back),
      T(test_begin_immediate_locks),
      T(test_outbox_last_seq),
      T(test_refused_begin_keeps_cache_reload),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
