/*
 * test_store_refs.c - reference records at a province's scale (issue 7) on
 * real files: the kinds that grow with the enterprises or the events
 * (credit grades, approvals) stay out of the in-memory cache and are found
 * by primary key; the ring of recent lookups keeps a returned record valid,
 * follows puts and deletes, and forgets what a rollback undid; a rollback
 * reloads only the cached kinds it changed; the visitors serve the kinds
 * read from the file in id order.
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

#include "fixtures.h"
#include "store.h"

typedef struct fixture {
  char dir[64];
  char path[128];
  ew_arena arena;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  if (!f)
    return -1;
  snprintf(f->dir, sizeof f->dir, "/tmp/ew-test-store-refs-XXXXXX");
  if (!mkdtemp(f->dir)) {
    free(f);
    return -1;
  }
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
  if (ew_store_open(&s, path, err, sizeof err) != 0)
    fail_msg("open %s: %s", path, err);
  return s;
}

static ew_record grade(ew_arena *a, const char *uscc, int g) {
  ew_record r;
  r.kind = EW_REC_CREDIT_GRADE;
  ew_rtype_init(ew_rtype_of(r.kind), &r.u);
  r.u.credit_grade.enterprise_uscc = ew_arena_strdup(a, uscc);
  r.u.credit_grade.grade = g;
  r.u.credit_grade.as_of = fx_t(0);
  return r;
}

/* "E0000042": the id of the n-th synthetic enterprise. */
static const char *ent(char *buf, size_t n, int i) {
  snprintf(buf, n, "E%07d", i);
  return buf;
}

/* The grade of enterprise `i`, or -1 when it has none. */
static int grade_of(ew_store *s, int i) {
  char id[16];
  const ew_record *r = NULL;
  assert_int_equal(
      ew_store_ref_get(s, EW_REC_CREDIT_GRADE, ent(id, sizeof id, i), &r), 0);
  if (!r)
    return -1;
  assert_int_equal(r->kind, EW_REC_CREDIT_GRADE);
  assert_string_equal(r->u.credit_grade.enterprise_uscc, id);
  return r->u.credit_grade.grade;
}

#define NGRADES 3000

static void put_grades(ew_store *s, ew_arena *a) {
  char id[16];
  assert_int_equal(ew_store_begin(s), 0);
  for (int i = 0; i < NGRADES; i++) {
    ew_record g = grade(a, ent(id, sizeof id, i), i % 4);
    assert_int_equal(ew_store_ref_put(s, &g), 0);
  }
  assert_int_equal(ew_store_commit(s), 0);
}

/* Credit grades and approvals are never in the cache, yet every one is
 * found, also after a reopen and by a reader; the small kinds are cached. */
static void test_grades_found_but_not_cached(void **state) {
  fixture *f = *state;
  ew_arena *a = &f->arena;
  ew_store *s = open_store(f->path);
  ew_record ag = fx_agency(a, FX_AG1, "临夏州市场监督管理局", "622900");
  ew_record ap = fx_approval(a, FX_APPROVAL, FX_AG1, fx_t(1));
  assert_int_equal(ew_store_ref_put(s, &ag), 0);
  assert_int_equal(ew_store_ref_put(s, &ap), 0);
  put_grades(s, a);
  assert_int_equal(ew_store_ref_cached(s, EW_REC_CREDIT_GRADE), 0);
  assert_int_equal(ew_store_ref_cached(s, EW_REC_APPROVAL), 0);
  assert_int_equal(ew_store_ref_cached(s, EW_REC_AGENCY), 1);
  for (int i = 0; i < NGRADES; i += 7)
    assert_int_equal(grade_of(s, i), i % 4);
  assert_int_equal(grade_of(s, NGRADES), -1); /* none on file */
  ew_store_close(s);

  s = open_store(f->path);
  assert_int_equal(ew_store_ref_cached(s, EW_REC_CREDIT_GRADE), 0);
  assert_int_equal(ew_store_ref_cached(s, EW_REC_AGENCY), 1);
  for (int i = NGRADES - 1; i >= 0; i -= 13)
    assert_int_equal(grade_of(s, i), i % 4);
  const ew_record *r = NULL;
  assert_int_equal(ew_store_ref_get(s, EW_REC_APPROVAL, FX_APPROVAL, &r), 0);
  assert_non_null(r);
  assert_string_equal(r->u.approval.agency_uscc, FX_AG1);
  assert_int_equal(r->u.approval.approved_at, fx_t(1));
  /* Same id, another kind read from the file: a separate record. */
  assert_int_equal(ew_store_ref_get(s, EW_REC_CREDIT_GRADE, FX_APPROVAL, &r),
                   0);
  assert_null(r);
  /* Not a reference kind: nothing, as before. */
  assert_int_equal(ew_store_ref_get(s, EW_REC_INSPECTION, "E0000001", &r), 0);
  assert_null(r);
  ew_store_close(s);

  char err[512];
  s = NULL;
  assert_int_equal(ew_store_open_readonly(&s, f->path, err, sizeof err), 0);
  assert_int_equal(grade_of(s, 42), 42 % 4);
  assert_int_equal(ew_store_ref_cached(s, EW_REC_CREDIT_GRADE), 0);
  ew_store_close(s);
}

/* A record returned stays valid while 15 other lookups miss; a repeated
 * lookup is served by the ring (the same record). */
static void test_ring_keeps_a_record_valid(void **state) {
  fixture *f = *state;
  ew_store *s = open_store(f->path);
  put_grades(s, &f->arena);
  const ew_record *held = NULL, *again = NULL;
  assert_int_equal(ew_store_ref_get(s, EW_REC_CREDIT_GRADE, "E0000005", &held),
                   0);
  assert_non_null(held);
  for (int i = 100; i < 115; i++) /* 15 misses, some of them absent ids */
    grade_of(s, i % 2 ? i : NGRADES + i);
  assert_string_equal(held->u.credit_grade.enterprise_uscc, "E0000005");
  assert_int_equal(held->u.credit_grade.grade, 5 % 4);
  assert_int_equal(ew_store_ref_get(s, EW_REC_CREDIT_GRADE, "E0000005", &again),
                   0);
  assert_ptr_equal(again, held);
  /* Many more lookups than the ring holds: every answer still right. */
  for (int i = 0; i < 200; i++)
    assert_int_equal(grade_of(s, (i * 37) % NGRADES), ((i * 37) % NGRADES) % 4);
  ew_store_close(s);
}

/* Puts and deletes are seen at once, also where the ring remembered an
 * absence or an older version. */
static void test_put_delete_seen_through_the_ring(void **state) {
  fixture *f = *state;
  ew_arena *a = &f->arena;
  ew_store *s = open_store(f->path);
  put_grades(s, a);
  assert_int_equal(grade_of(s, 7), 7 % 4);
  ew_record g = grade(a, "E0000007", EW_GRADE_D);
  assert_int_equal(ew_store_ref_put(s, &g), 0);
  assert_int_equal(grade_of(s, 7), EW_GRADE_D);

  assert_int_equal(grade_of(s, NGRADES + 1), -1); /* absent, remembered */
  char id[16];
  g = grade(a, ent(id, sizeof id, NGRADES + 1), EW_GRADE_B);
  assert_int_equal(ew_store_ref_put(s, &g), 0);
  assert_int_equal(grade_of(s, NGRADES + 1), EW_GRADE_B);

  assert_int_equal(ew_store_ref_delete(s, EW_REC_CREDIT_GRADE, "E0000007"), 0);
  assert_int_equal(grade_of(s, 7), -1);
  assert_int_equal(ew_store_ref_delete(s, EW_REC_CREDIT_GRADE, "absent"), 0);
  ew_store_close(s);
}

/* A rollback undoes grades the ring had seen inside the transaction, and
 * reloads the cached kinds the transaction changed (plans) but not the
 * others (an agency's record is the very same memory before and after). */
static void test_rollback_keeps_the_cache_right(void **state) {
  fixture *f = *state;
  ew_arena *a = &f->arena;
  ew_store *s = open_store(f->path);
  put_grades(s, a);
  ew_record ag = fx_agency(a, FX_AG1, "临夏州市场监督管理局", "622900");
  ew_record p1 = fx_plan(a, "P1", FX_AG1);
  assert_int_equal(ew_store_ref_put(s, &ag), 0);
  assert_int_equal(ew_store_ref_put(s, &p1), 0);
  const ew_record *agency_before, *agency_after, *plan;
  assert_int_equal(ew_store_ref_get(s, EW_REC_AGENCY, FX_AG1, &agency_before),
                   0);

  assert_int_equal(ew_store_begin(s), 0);
  ew_record g = grade(a, "E0000001", EW_GRADE_D);
  ew_record fresh = grade(a, "NEW-ENT", EW_GRADE_A);
  ew_record p1b = fx_plan(a, "P1", FX_AG2);
  assert_int_equal(ew_store_ref_put(s, &g), 0);
  assert_int_equal(ew_store_ref_put(s, &fresh), 0);
  assert_int_equal(ew_store_ref_delete(s, EW_REC_CREDIT_GRADE, "E0000002"), 0);
  assert_int_equal(ew_store_ref_put(s, &p1b), 0);
  assert_int_equal(grade_of(s, 1), EW_GRADE_D); /* the ring sees them */
  assert_int_equal(grade_of(s, 2), -1);
  const ew_record *r;
  assert_int_equal(ew_store_ref_get(s, EW_REC_CREDIT_GRADE, "NEW-ENT", &r), 0);
  assert_non_null(r);
  assert_int_equal(ew_store_rollback(s), 0);

  assert_int_equal(grade_of(s, 1), 1 % 4);
  assert_int_equal(grade_of(s, 2), 2 % 4);
  assert_int_equal(ew_store_ref_get(s, EW_REC_CREDIT_GRADE, "NEW-ENT", &r), 0);
  assert_null(r);
  assert_int_equal(ew_store_ref_get(s, EW_REC_PLAN, "P1", &plan), 0);
  assert_non_null(plan);
  assert_string_equal(plan->u.plan.agency_uscc, FX_AG1);
  assert_int_equal(ew_store_ref_get(s, EW_REC_AGENCY, FX_AG1, &agency_after),
                   0);
  assert_ptr_equal(agency_after, agency_before); /* not reloaded */
  assert_int_equal(ew_store_ref_cached(s, EW_REC_PLAN), 1);
  assert_int_equal(ew_store_ref_cached(s, EW_REC_CREDIT_GRADE), 0);

  /* Only grades changed: no cached kind is reloaded at all. */
  assert_int_equal(ew_store_begin(s), 0);
  assert_int_equal(ew_store_ref_put(s, &g), 0);
  assert_int_equal(ew_store_rollback(s), 0);
  const ew_record *plan_after;
  assert_int_equal(ew_store_ref_get(s, EW_REC_PLAN, "P1", &plan_after), 0);
  assert_ptr_equal(plan_after, plan);
  assert_int_equal(grade_of(s, 1), 1 % 4);
  ew_store_close(s);
}

typedef struct visit_ids {
  char id[8][32];
  int n, stop_at;
} visit_ids;

static int collect_ids(void *ud, const ew_record *rec) {
  visit_ids *v = ud;
  if (v->n < 8)
    snprintf(v->id[v->n], sizeof v->id[0], "%s", ew_record_id(rec));
  v->n++;
  return v->stop_at && v->n == v->stop_at ? 42 : 0;
}

static int count_records(void *ud, const ew_record *rec) {
  (void)rec;
  ++*(int *)ud;
  return 0;
}

/* The visitors serve the kinds read from the file like the cached ones:
 * by agency in id order, a non-zero return stops, every record of a kind;
 * a field the kind does not have matches nothing. */
static void test_visitors_of_file_kinds(void **state) {
  fixture *f = *state;
  ew_arena *a = &f->arena;
  ew_store *s = open_store(f->path);
  const char *ids[] = {"AP-3", "AP-1", "AP-2"};
  for (int i = 0; i < 3; i++) {
    ew_record ap = fx_approval(a, ids[i], FX_AG1, fx_t(i));
    assert_int_equal(ew_store_ref_put(s, &ap), 0);
  }
  ew_record other = fx_approval(a, "AP-0", FX_AG2, fx_t(0));
  assert_int_equal(ew_store_ref_put(s, &other), 0);
  put_grades(s, a);

  visit_ids v = {0};
  assert_int_equal(
      ew_store_ref_by_agency(s, EW_REC_APPROVAL, FX_AG1, collect_ids, &v), 0);
  assert_int_equal(v.n, 3);
  assert_string_equal(v.id[0], "AP-1");
  assert_string_equal(v.id[1], "AP-2");
  assert_string_equal(v.id[2], "AP-3");
  memset(&v, 0, sizeof v);
  v.stop_at = 2;
  assert_int_equal(
      ew_store_ref_by_agency(s, EW_REC_APPROVAL, FX_AG1, collect_ids, &v), 42);
  assert_int_equal(v.n, 2);

  int n = 0;
  assert_int_equal(ew_store_ref_each(s, EW_REC_CREDIT_GRADE, count_records, &n),
                   0);
  assert_int_equal(n, NGRADES);
  n = 0;
  assert_int_equal(ew_store_ref_each(s, EW_REC_APPROVAL, count_records, &n), 0);
  assert_int_equal(n, 4);
  n = 0;
  assert_int_equal(ew_store_ref_by_participant(s, EW_REC_APPROVAL, FX_AG1,
                                               count_records, &n),
                   0);
  assert_int_equal(
      ew_store_ref_by_code(s, EW_REC_CREDIT_GRADE, "X", count_records, &n), 0);
  assert_int_equal(
      ew_store_ref_by_agency(s, EW_REC_CREDIT_GRADE, FX_AG1, count_records, &n),
      0);
  assert_int_equal(n, 0);
  ew_store_close(s);
}

int main(void) {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_grades_found_but_not_cached),
      T(test_ring_keeps_a_record_valid),
      T(test_put_delete_seen_through_the_ring),
      T(test_rollback_keeps_the_cache_right),
      T(test_visitors_of_file_kinds),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
