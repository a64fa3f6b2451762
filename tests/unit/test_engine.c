/*
 * test_engine.c - snapshot semantics of the engine: dedup by event_id,
 * older snapshots ignored, OPEN / changed / unchanged / WITHDRAWN diffs,
 * deterministic ids across instances, CANCELLED, disabled rules, state that
 * survives a restart, rollback, reference records and the clock.
 *
 * R05 serves as the probe rule: one officer on site fires it, two certified
 * officers clear it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdlib.h>
#include <unistd.h>

#include <sqlite3.h>

#include "engine_harness.h"
#include "engine_int.h"

static int setup_world(harness *h, const char *path) {
  if (h_open(h, path) != 0)
    return -1;
  ew_record c1 = fx_cert(&h->a, "C1", "O1", FX_AG1);
  ew_record c2 = fx_cert(&h->a, "C2", "O2", FX_AG1);
  ew_record p = fx_plan(&h->a, "P1", FX_AG1);
  fx_plan_item(&h->a, &p.u.plan, "I1", "C13-01", fx_day(2025, 3, 1),
               fx_day(2025, 3, 31));
  return h_apply(h, &c1) || h_apply(h, &c2) || h_apply(h, &p) ? -1 : 0;
}

static int setup(void **state) {
  harness *h = calloc(1, sizeof *h);
  *state = h;
  return setup_world(h, ":memory:");
}

static int teardown(void **state) {
  harness *h = *state;
  h_close(h);
  free(h);
  return 0;
}

/* An inspection snapshot with `officers` certified officers (1 or 2). */
static ew_record snap(harness *h, const char *event_id, const char *id,
                      ew_time t, int officers) {
  ew_record r = fx_inspection(&h->a, event_id, id, t);
  fx_officer(&h->a, r.u.inspection.officers, "O1", "C1", 1);
  if (officers > 1)
    fx_officer(&h->a, r.u.inspection.officers, "O2", "C2", 1);
  return r;
}

static void apply_ok(harness *h, const ew_record *r) {
  if (h_apply(h, r) != 0)
    fail_msg("apply: %s", ew_engine_errmsg(h->engine));
}

static void test_dedup_by_event_id(void **state) {
  harness *h = *state;
  ew_record v1 = snap(h, "e1", "INS-1", fx_t(0), 1);
  apply_ok(h, &v1);
  assert_int_equal(h->n, 1);
  apply_ok(h, &v1);
  assert_int_equal(h->n, 0);
  /* Same event_id with other content (and a later time): still a
   * duplicate. */
  ew_record v1b = snap(h, "e1", "INS-1", fx_t(5), 2);
  apply_ok(h, &v1b);
  assert_int_equal(h->n, 0);
  /* A new event_id that fixes the cause does withdraw. */
  ew_record v2 = snap(h, "e2", "INS-1", fx_t(5), 2);
  apply_ok(h, &v2);
  assert_int_equal(h->n, 1);
  assert_int_equal(h->out[0].status, EW_AST_WITHDRAWN);
}

static void test_older_snapshot_ignored(void **state) {
  harness *h = *state;
  ew_record v2 = snap(h, "e2", "INS-1", fx_t(2), 2); /* clean */
  ew_record v1 = snap(h, "e1", "INS-1", fx_t(1), 1); /* would fire R05 */
  apply_ok(h, &v2);
  assert_int_equal(h->n, 0);
  apply_ok(h, &v1);
  assert_int_equal(h->n, 0);
  /* Equal event_time: the later record in the stream wins. */
  ew_record v2b = snap(h, "e2b", "INS-1", fx_t(2), 1);
  apply_ok(h, &v2b);
  assert_int_equal(h->n, 1);
  assert_string_equal(h->out[0].rule_id, "R05");
}

static void test_open_then_withdrawn(void **state) {
  harness *h = *state;
  ew_record v1 = snap(h, "e1", "INS-1", fx_t(0), 1);
  apply_ok(h, &v1);
  assert_int_equal(h->n, 1);
  const ew_alert *a = &h->out[0];
  char id[EW_ALERT_ID_BUFSZ];
  snprintf(id, sizeof id, "%s", a->alert_id);
  assert_int_equal(a->status, EW_AST_OPEN);
  assert_int_equal(a->detected_at, fx_t(0));

  ew_record v2 = snap(h, "e2", "INS-1", fx_t(3), 2);
  apply_ok(h, &v2);
  assert_int_equal(h->n, 1);
  a = &h->out[0];
  assert_string_equal(a->alert_id, id);
  assert_string_equal(a->rule_id, "R05");
  assert_int_equal(a->status, EW_AST_WITHDRAWN);
  assert_int_equal(a->detected_at, fx_t(3));
  /* It still says what was withdrawn ... */
  assert_int_equal(a->severity, EW_SEV_HIGH);
  assert_string_equal(h_fact(a, "officers_certified"), "1");
  assert_non_null(a->message);
  /* ... and which event withdrew it. */
  assert_int_equal(a->evidence_event_ids.n, 2);
  assert_string_equal(a->evidence_event_ids.v[0], "e1");
  assert_string_equal(a->evidence_event_ids.v[1], "e2");

  /* Withdrawn once: a further clean snapshot emits nothing. */
  ew_record v3 = snap(h, "e3", "INS-1", fx_t(4), 2);
  apply_ok(h, &v3);
  assert_int_equal(h->n, 0);

  /* The cause coming back is a new detection with a new detected_at, under
   * the same id. */
  ew_record v4 = snap(h, "e4", "INS-1", fx_t(6), 1);
  apply_ok(h, &v4);
  assert_int_equal(h->n, 1);
  assert_string_equal(h->out[0].alert_id, id);
  assert_int_equal(h->out[0].status, EW_AST_OPEN);
  assert_int_equal(h->out[0].detected_at, fx_t(6));
}

static void test_unchanged_not_reemitted(void **state) {
  harness *h = *state;
  ew_record v1 = snap(h, "e1", "INS-1", fx_t(0), 1);
  apply_ok(h, &v1);
  assert_int_equal(h->n, 1);
  /* New snapshots with the same finding (other unrelated fields differ). */
  ew_record v2 = snap(h, "e2", "INS-1", fx_t(1), 1);
  v2.u.inspection.written_record_id = "W-1";
  apply_ok(h, &v2);
  assert_int_equal(h->n, 0);
  ew_record v3 = snap(h, "e3", "INS-1", fx_t(2), 1);
  v3.u.inspection.status = EW_INSP_ENDED;
  v3.u.inspection.ended_at = fx_t(2);
  apply_ok(h, &v3);
  assert_int_equal(h->n, 0);
}

static void test_changed_reopens_keeping_first_detection(void **state) {
  harness *h = *state;
  ew_record v1 = snap(h, "e1", "INS-1", fx_t(0), 1);
  apply_ok(h, &v1);
  char id[EW_ALERT_ID_BUFSZ];
  snprintf(id, sizeof id, "%s", h->out[0].alert_id);
  /* O1's certificate gets revoked: same rule, other facts. */
  ew_record c1 = fx_cert(&h->a, "C1", "O1", FX_AG1);
  c1.u.certificate.status = EW_CERT_REVOKED;
  apply_ok(h, &c1);
  ew_record v2 = snap(h, "e2", "INS-1", fx_t(2), 1);
  apply_ok(h, &v2);
  const ew_alert *a = h_find(h, "R05");
  assert_non_null(a);
  assert_string_equal(a->alert_id, id);
  assert_int_equal(a->status, EW_AST_OPEN);
  assert_string_equal(h_fact(a, "officers_certified"), "0");
  assert_string_equal(h_fact(a, "officer.O1"), "cert_revoked");
  assert_int_equal(a->detected_at, fx_t(0)); /* first detection kept */
  assert_string_equal(a->evidence_event_ids.v[0], "e2");
  /* R06 is new on this snapshot. */
  assert_int_equal(h_find(h, "R06")->detected_at, fx_t(2));
}

/* Two engines over two stores fed the same records emit the same alerts,
 * ids included. */
static void test_deterministic_across_instances(void **state) {
  (void)state;
  harness h1, h2;
  assert_int_equal(setup_world(&h1, ":memory:"), 0);
  assert_int_equal(setup_world(&h2, ":memory:"), 0);
  harness *hs[2] = {&h1, &h2};
  ew_alert got[2][8];
  size_t ngot[2] = {0, 0};
  for (int k = 0; k < 2; k++) {
    harness *h = hs[k];
    ew_record v1 = snap(h, "e1", "INS-9", fx_t(0), 1);
    v1.u.inspection.enterprise_uscc = "91622901MA7ABCDEF0";
    v1.u.inspection.check_items = fx_strv(&h->a, 1, "Z-9");
    ew_record v2 = snap(h, "e2", "INS-9", fx_t(1), 2);
    apply_ok(h, &v1);
    for (size_t i = 0; i < h->n; i++)
      got[k][ngot[k]++] = h->out[i];
    apply_ok(h, &v2);
    for (size_t i = 0; i < h->n; i++)
      got[k][ngot[k]++] = h->out[i];
  }
  assert_int_equal(ngot[0], ngot[1]);
  assert_true(ngot[0] >= 6); /* R02, R05, R06?, R25 open; then withdrawals */
  for (size_t i = 0; i < ngot[0]; i++) {
    const ew_alert *a = &got[0][i], *b = &got[1][i];
    assert_string_equal(a->alert_id, b->alert_id);
    assert_int_equal(a->status, b->status);
    assert_int_equal(a->severity, b->severity);
    assert_int_equal(a->detected_at, b->detected_at);
    assert_string_equal(a->message, b->message);
    assert_int_equal(ew_alert_fingerprint(a), ew_alert_fingerprint(b));
  }
  h_close(&h1);
  h_close(&h2);
}

/* The id is the documented hash, recomputed here independently. */
static void test_alert_id_formula(void **state) {
  harness *h = *state;
  ew_record v1 = snap(h, "e1", "INS-001", fx_t(0), 1);
  apply_ok(h, &v1);
  const char in[] = "R05\x1fINSPECTION\x1fINS-001\x1f";
  uint64_t x = UINT64_C(0xcbf29ce484222325);
  for (size_t i = 0; i < sizeof in - 1; i++) {
    x ^= (unsigned char)in[i];
    x *= UINT64_C(0x100000001b3);
  }
  char want[64];
  snprintf(want, sizeof want, "EW-R05-%016" PRIx64, x);
  assert_string_equal(h->out[0].alert_id, want);
  assert_int_equal(strlen(h->out[0].alert_id), 3 + 3 + 1 + 16);
}

static void test_cancelled_withdraws_everything(void **state) {
  harness *h = *state;
  ew_record v1 = snap(h, "e1", "INS-1", fx_t(0), 1);
  v1.u.inspection.officers.v[0].cert_shown = 0;
  v1.u.inspection.enterprise_uscc = "91622901MA7ABCDEF0";
  apply_ok(h, &v1);
  assert_int_equal(h->n, 3); /* R05, R06, R25 */
  ew_record v2 = snap(h, "e2", "INS-1", fx_t(1), 1);
  v2.u.inspection.status = EW_INSP_CANCELLED;
  v2.u.inspection.officers.v[0].cert_shown = 0;
  v2.u.inspection.enterprise_uscc = "91622901MA7ABCDEF0";
  apply_ok(h, &v2);
  assert_int_equal(h->n, 3);
  for (size_t i = 0; i < h->n; i++) {
    assert_int_equal(h->out[i].status, EW_AST_WITHDRAWN);
    assert_int_equal(h->out[i].detected_at, fx_t(1));
  }
  /* Withdrawals come in alert_id order. */
  assert_true(strcmp(h->out[0].alert_id, h->out[1].alert_id) < 0);
  assert_true(strcmp(h->out[1].alert_id, h->out[2].alert_id) < 0);
}

/* One snapshot that withdraws one rule and opens another: outputs follow
 * the rule order, not "opens first". */
static void test_mixed_outputs_in_rule_order(void **state) {
  harness *h = *state;
  ew_record v1 = snap(h, "e1", "INS-1", fx_t(0), 1);
  apply_ok(h, &v1);
  assert_int_equal(h->n, 1);
  ew_record v2 = snap(h, "e2", "INS-1", fx_t(1), 2);
  v2.u.inspection.officers.v[1].cert_shown = 0;
  v2.u.inspection.ended_at = fx_t(-2);
  apply_ok(h, &v2);
  assert_int_equal(h->n, 3);
  assert_string_equal(h->out[0].rule_id, "R05");
  assert_int_equal(h->out[0].status, EW_AST_WITHDRAWN);
  assert_string_equal(h->out[1].rule_id, "R06");
  assert_int_equal(h->out[1].status, EW_AST_OPEN);
  assert_string_equal(h->out[2].rule_id, "R25");
  assert_int_equal(h->out[2].status, EW_AST_OPEN);
}

static void test_disabled_rule_emits_nothing(void **state) {
  harness *h = *state;
  ew_record v1 = snap(h, "e1", "INS-1", fx_t(0), 1);
  apply_ok(h, &v1);
  assert_int_equal(h->n, 1);
  h->cfg.r05.c.enabled = 0;
  ew_record v2 = snap(h, "e2", "INS-1", fx_t(1), 2);
  apply_ok(h, &v2);
  assert_int_equal(h->n, 0); /* no finding, and no withdrawal either */
  /* Switched back on, the rule sees the fixed snapshot and withdraws. */
  h->cfg.r05.c.enabled = 1;
  ew_record v3 = snap(h, "e3", "INS-1", fx_t(2), 2);
  apply_ok(h, &v3);
  assert_int_equal(h->n, 1);
  assert_int_equal(h->out[0].status, EW_AST_WITHDRAWN);
}

/* State lives in SQLite: a new engine over the same file knows what is
 * open, what was seen, and which partition wrote it. */
static void test_state_survives_restart(void **state) {
  (void)state;
  char dir[] = "/tmp/ew-test-engine-XXXXXX";
  char path[128];
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/state.db", dir);
  harness h;
  assert_int_equal(setup_world(&h, path), 0);
  ew_record v1 = snap(&h, "e1", "INS-1", fx_t(0), 1);
  ew_origin o = {"enforcement.inspections", 3, 41};
  assert_int_equal(ew_store_begin(h.store), 0);
  assert_int_equal(ew_engine_apply(h.engine, &v1, &o), 0);
  assert_int_equal(ew_store_commit(h.store), 0);
  assert_int_equal(h.n, 1);
  h_close(&h);

  sqlite3 *db;
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT (SELECT part FROM alert_state),"
                                      " (SELECT part FROM snapshot),"
                                      " (SELECT part FROM seen_event)",
                                      -1, &st, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  for (int i = 0; i < 3; i++)
    assert_int_equal(sqlite3_column_int(st, i), 3);
  sqlite3_finalize(st);
  sqlite3_close(db);

  harness h2;
  assert_int_equal(h_open(&h2, path), 0);
  v1 = snap(&h2, "e1", "INS-1", fx_t(0), 1); /* h's arena is gone */
  apply_ok(&h2, &v1);                        /* seen before the restart */
  assert_int_equal(h2.n, 0);
  ew_record v2 = snap(&h2, "e2", "INS-1", fx_t(1), 2);
  apply_ok(&h2, &v2);
  assert_int_equal(h2.n, 1);
  assert_int_equal(h2.out[0].status, EW_AST_WITHDRAWN);
  h_close(&h2);
  const char *suffix[] = {"", "-wal", "-shm"};
  for (int i = 0; i < 3; i++) {
    char p[160];
    snprintf(p, sizeof p, "%s%s", path, suffix[i]);
    unlink(p);
  }
  rmdir(dir);
}

/* An emit failure fails the call; the caller's rollback undoes the dedup
 * mark, the snapshot and the alert state, so a retry emits again. */
static void test_emit_failure_and_rollback(void **state) {
  harness *h = *state;
  ew_record v1 = snap(h, "e1", "INS-1", fx_t(0), 1);
  h->fail_emit = 1;
  assert_int_equal(h_apply(h, &v1), -1);
  assert_non_null(strstr(ew_engine_errmsg(h->engine), "emit"));
  h->fail_emit = 0;
  apply_ok(h, &v1);
  assert_int_equal(h->n, 1);
  assert_int_equal(h->out[0].status, EW_AST_OPEN);
}

static void test_reference_records_and_tombstones(void **state) {
  harness *h = *state;
  /* Without C2 the second officer is uncertified: R05 fires. */
  assert_int_equal(ew_store_begin(h->store), 0);
  assert_int_equal(ew_engine_delete_ref(h->engine, EW_REC_CERTIFICATE, "C2"),
                   0);
  assert_int_equal(ew_store_commit(h->store), 0);
  ew_record v1 = snap(h, "e1", "INS-1", fx_t(0), 2);
  apply_ok(h, &v1);
  assert_string_equal(h_fact(h_find(h, "R05"), "officer.O2"), "cert_not_found");
  /* The reference arriving later does not replay old snapshots; the next
   * snapshot of the subject sees it. */
  ew_record c2 = fx_cert(&h->a, "C2", "O2", FX_AG1);
  apply_ok(h, &c2);
  assert_int_equal(h->n, 0);
  ew_record v2 = snap(h, "e2", "INS-1", fx_t(1), 2);
  apply_ok(h, &v2);
  assert_int_equal(h_count(h, "R05"), 1);
  assert_int_equal(h_find(h, "R05")->status, EW_AST_WITHDRAWN);
}

static void test_outputs_are_not_inputs(void **state) {
  harness *h = *state;
  ew_record al;
  al.kind = EW_REC_ALERT;
  ew_rtype_init(ew_rtype_of(al.kind), &al.u);
  assert_int_equal(h_apply(h, &al), -1);
  assert_non_null(strstr(ew_engine_errmsg(h->engine), "alert"));
  /* An event without its ids is skipped (and logged), not fatal. */
  ew_record bad = snap(h, "e1", "INS-1", fx_t(0), 1);
  bad.u.inspection.event_id = NULL;
  assert_int_equal(h_apply(h, &bad), 0);
  assert_int_equal(h->n, 0);
}

static void test_clock_monotonic(void **state) {
  harness *h = *state;
  assert_int_equal(h->engine->clock, EW_NONE);
  assert_int_equal(ew_engine_advance(h->engine, fx_t(5)), 0);
  assert_int_equal(h->engine->clock, fx_t(5));
  assert_int_equal(ew_engine_advance(h->engine, fx_t(1)), 0);
  assert_int_equal(h->engine->clock, fx_t(5));
  assert_int_equal(ew_engine_advance(h->engine, EW_NONE), 0);
  assert_int_equal(h->engine->clock, fx_t(5));
  assert_int_equal(ew_engine_advance(h->engine, fx_t(9)), 0);
  assert_int_equal(h->engine->clock, fx_t(9));
  /* No rule of this issue is time-driven: advancing emits nothing. */
  assert_int_equal(h->n, 0);
}

static void test_new_rejects_missing_parts(void **state) {
  harness *h = *state;
  ew_engine *e = (ew_engine *)1;
  char err[128];
  assert_int_equal(ew_engine_new(&e, NULL, &h->cfg, h_emit, h, err, sizeof err),
                   -1);
  assert_null(e);
  assert_true(strlen(err) > 0);
  ew_engine_destroy(NULL);
}

int main(void) {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_dedup_by_event_id),
      T(test_older_snapshot_ignored),
      T(test_open_then_withdrawn),
      T(test_unchanged_not_reemitted),
      T(test_changed_reopens_keeping_first_detection),
      cmocka_unit_test(test_deterministic_across_instances),
      T(test_alert_id_formula),
      T(test_cancelled_withdraws_everything),
      T(test_mixed_outputs_in_rule_order),
      T(test_disabled_rule_emits_nothing),
      cmocka_unit_test(test_state_survives_restart),
      T(test_emit_failure_and_rollback),
      T(test_reference_records_and_tombstones),
      T(test_outputs_are_not_inputs),
      T(test_clock_monotonic),
      T(test_new_rejects_missing_parts),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
