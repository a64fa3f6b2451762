/*
 * test_notices.c - supervision notices (notices.c) and the rules around
 * them: R21a/R21b (substantiated complaints about enforcement conduct) and
 * R24 (feedback on a notice overdue).
 *
 * Immediate notices: their fields (issuer = the registry's justice bureau,
 * recipient, alert ids, legal basis, required action, issued_at,
 * feedback_due_at = end of day + 30 d), issued once, none without a
 * registry entry or a justice bureau, R09's copy to the superior, R19c's
 * notice per agency named in other_agencies. Batched notices: one per
 * agency and month at 00:00 of the next month, listing the month's open
 * alerts once; a late alert of a month already issued goes to the next.
 * R24: fires at the deadline with no input, escalates to HIGH and a 通报,
 * stays silent or withdraws for feedback in time, stays open for late
 * feedback, and owes nothing when the notice's alerts were withdrawn.
 *
 * Each test switches every rule off but the ones it is about, so that the
 * notices it counts are those of its rules.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "calendar.h"
#include "engine_harness.h"
#include "engine_int.h"
#include "notices.h"
#include "rules/rules.h"

#define MS_DAY EW_DAY_MS

typedef struct world {
  harness h;
  int ev;
} world;

/* Every rule off except those listed (NULL-terminated). */
static void only(world *w, ...) {
  for (size_t i = 0; i < ew_rule_table_count; i++) {
    ew_rule_common *c = (ew_rule_common *)(void *)((char *)&w->h.cfg +
                                                   ew_rule_table[i].cfg_offset);
    c->enabled = 0;
    va_list ap;
    va_start(ap, w);
    for (const char *id; (id = va_arg(ap, const char *));)
      if (strcmp(id, ew_rule_table[i].id) == 0)
        c->enabled = 1;
    va_end(ap);
  }
}

static int setup(void **state) {
  world *w = calloc(1, sizeof *w);
  if (!w || h_open(&w->h, ":memory:") != 0)
    return -1;
  *state = w;
  return 0;
}

static int teardown(void **state) {
  world *w = *state;
  h_close(&w->h);
  free(w);
  return 0;
}

/* Moves the clock to `t` in a transaction; h.out / h.notices then hold
 * what that emitted. */
static void advance(world *w, ew_time t) {
  w->h.n = 0;
  w->h.nn = 0;
  assert_int_equal(ew_store_begin(w->h.store), 0);
  if (ew_engine_advance(w->h.engine, t) != 0)
    fail_msg("advance: %s", ew_engine_errmsg(w->h.engine));
  assert_int_equal(ew_store_commit(w->h.store), 0);
}

static const char *eid(world *w) {
  return ew_arena_printf(&w->h.a, "ev-%d", ++w->ev);
}

static void reg(world *w, const char *uscc, const char *jb,
                const char *parent) {
  ew_record ag = fx_agency(&w->h.a, uscc, "某县交通运输局", "622901");
  ag.u.agency.justice_bureau_uscc = jb ? ew_arena_strdup(&w->h.a, jb) : NULL;
  ag.u.agency.parent_agency_uscc =
      parent ? ew_arena_strdup(&w->h.a, parent) : NULL;
  if (strcmp(uscc, FX_AG1) == 0)
    ag.u.agency.name = "临夏州市场监督管理局";
  h_must_apply(&w->h, &ag);
}

/* An on-site inspection of FX_AG1 with no officer at all (R05 HIGH), at
 * `t`. */
static ew_record insp(world *w, const char *iid, ew_time t) {
  ew_record r = fx_inspection(&w->h.a, eid(w), iid, t);
  r.u.inspection.started_at = t;
  return r;
}

/* A substantiated complaint about enforcement conduct of FX_AG1 (single
 * officer), handled by FX_AG2, concluded at fx_t(0). */
static ew_record complaint(world *w, const char *cid, ew_time t) {
  ew_record r;
  r.kind = EW_REC_COMPLAINT;
  ew_rtype_init(ew_rtype_of(r.kind), &r.u);
  ew_complaint *c = &r.u.complaint;
  c->event_id = eid(w);
  c->event_time = t;
  c->complaint_id = ew_arena_strdup(&w->h.a, cid);
  c->received_at = fx_t(-72);
  c->channel = EW_CHAN_SPECIAL_SUPERVISOR;
  c->subject_type = EW_CSUBJ_ENFORCEMENT_CONDUCT;
  c->enterprise_uscc = FX_ENT;
  c->respondent_agency_uscc = FX_AG1;
  c->respondent_officer_ids = fx_strv(&w->h.a, 2, "O1", "O2");
  c->related_inspection_id = "INS-9";
  c->category = EW_CAT_SINGLE_OFFICER;
  c->handling_agency_uscc = FX_AG2;
  c->status = EW_CST_CONCLUDED;
  c->accepted_at = fx_t(-48);
  c->finding = EW_FIND_SUBSTANTIATED;
  c->concluded_at = fx_t(0);
  return r;
}

static ew_record feedback(world *w, const char *notice_id, ew_time at,
                          ew_time t) {
  ew_record r;
  r.kind = EW_REC_FEEDBACK;
  ew_rtype_init(ew_rtype_of(r.kind), &r.u);
  r.u.feedback.event_id = eid(w);
  r.u.feedback.event_time = t;
  r.u.feedback.notice_id = ew_arena_strdup(&w->h.a, notice_id);
  r.u.feedback.agency_uscc = FX_AG1;
  r.u.feedback.feedback_at = at;
  r.u.feedback.result = EW_FB_DONE;
  return r;
}

/* The last millisecond of the Shanghai day y-m-d. */
static ew_time end_of(int y, int m, int d) {
  return fx_day(y, m, d) + MS_DAY - 1;
}

static const ew_notice *notice_to(const harness *h, int type,
                                  const char *recipient) {
  for (size_t i = 0; i < h->nn; i++)
    if (h->notices[i].notice_type == type &&
        strcmp(h->notices[i].recipient_agency_uscc, recipient) == 0)
      return &h->notices[i];
  return NULL;
}

/* ------------------------------------------------------ immediate ---- */

static void test_immediate_notice_fields(void **state) {
  world *w = *state;
  only(w, "R05", NULL);
  ew_record r = insp(w, "INS-1", fx_t(0));
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R05");
  assert_non_null(a);
  assert_int_equal(w->h.nn, 1);
  const ew_notice *n = &w->h.notices[0];
  assert_memory_equal(n->notice_id, "EWN-", 4);
  assert_int_equal(strlen(n->notice_id), 20);
  assert_int_equal(n->notice_type, EW_NT_SUPERVISION_OPINION);
  assert_string_equal(n->issuer_uscc, FX_JB);
  assert_string_equal(n->recipient_agency_uscc, FX_AG1);
  assert_int_equal(n->cc_usccs.n, 0);
  assert_int_equal(n->alert_ids.n, 1);
  assert_string_equal(n->alert_ids.v[0], a->alert_id);
  assert_string_equal(n->findings, a->message);
  assert_int_equal(n->legal_basis.n, 1);
  assert_string_equal(n->legal_basis.v[0],
                      "临州办发〔2023〕18号 ¶3；行政处罚法第42条");
  assert_int_equal(n->required_actions.n, 1);
  assert_string_equal(n->required_actions.v[0],
                      ew_notice_required_action("R05"));
  assert_int_equal(n->issued_at, fx_t(0));
  /* 2025-03-04 + 30 d, to the end of that day */
  assert_int_equal(n->feedback_due_at, end_of(2025, 4, 3));
  assert_int_equal(n->rectification_due_at, end_of(2025, 4, 3));
}

static void test_immediate_issued_once(void **state) {
  world *w = *state;
  only(w, "R05", NULL);
  ew_record r = insp(w, "INS-1", fx_t(0));
  h_must_apply(&w->h, &r);
  assert_int_equal(w->h.nn, 1);
  const char *first = ew_arena_strdup(&w->h.a, w->h.notices[0].notice_id);
  /* Changed facts: the alert is emitted again, the notice is not. */
  ew_record r2 = insp(w, "INS-1", fx_t(1));
  fx_officer(&w->h.a, r2.u.inspection.officers, "O9", NULL, 1);
  h_must_apply(&w->h, &r2);
  assert_int_equal(h_count(&w->h, "R05"), 1);
  assert_int_equal(w->h.nn, 0);
  /* Withdrawn and found again: still the one notice. */
  ew_record c = insp(w, "INS-1", fx_t(2));
  c.u.inspection.status = EW_INSP_CANCELLED;
  h_must_apply(&w->h, &c);
  assert_int_equal(h_find(&w->h, "R05")->status, EW_AST_WITHDRAWN);
  ew_record r3 = insp(w, "INS-1", fx_t(3));
  h_must_apply(&w->h, &r3);
  assert_int_equal(h_find(&w->h, "R05")->status, EW_AST_OPEN);
  assert_int_equal(w->h.nn, 0);
  /* Another alert, another notice. */
  ew_record r4 = insp(w, "INS-2", fx_t(4));
  h_must_apply(&w->h, &r4);
  assert_int_equal(w->h.nn, 1);
  assert_string_not_equal(w->h.notices[0].notice_id, first);
}

static void test_no_registry_no_notice(void **state) {
  world *w = *state;
  only(w, "R05", NULL);
  ew_record r = insp(w, "INS-1", fx_t(0));
  r.u.inspection.agency_uscc = FX_AG2; /* not registered */
  h_must_apply(&w->h, &r);
  assert_non_null(h_find(&w->h, "R05"));
  assert_int_equal(w->h.nn, 0);
  reg(w, FX_AG3, NULL, NULL); /* registered, no justice bureau */
  ew_record r2 = insp(w, "INS-2", fx_t(1));
  r2.u.inspection.agency_uscc = FX_AG3;
  h_must_apply(&w->h, &r2);
  assert_non_null(h_find(&w->h, "R05"));
  assert_int_equal(w->h.nn, 0);
}

static void test_r09_cc_parent(void **state) {
  world *w = *state;
  only(w, "R09", NULL);
  reg(w, FX_AG1, FX_JB, FX_AG3);
  ew_record p = fx_penalty(&w->h.a, eid(w), "罚〔2025〕1号", fx_t(0));
  p.u.penalty.is_major = 1;
  h_must_apply(&w->h, &p);
  const ew_alert *a = h_find(&w->h, "R09");
  assert_non_null(a);
  const ew_notice *n = notice_to(&w->h, EW_NT_SUPERVISION_OPINION, FX_AG1);
  assert_non_null(n);
  assert_string_equal(n->alert_ids.v[0], a->alert_id);
  assert_int_equal(n->cc_usccs.n, 1);
  assert_string_equal(n->cc_usccs.v[0], FX_AG3);
  assert_string_equal(n->required_actions.v[0],
                      ew_notice_required_action("R09"));
  /* Only R09 says 「cc 上级」. */
  only(w, "R05", NULL);
  ew_record r = insp(w, "INS-1", fx_t(1));
  h_must_apply(&w->h, &r);
  assert_int_equal(w->h.nn, 1);
  assert_int_equal(w->h.notices[0].cc_usccs.n, 0);
}

static void test_r19c_notice_per_agency(void **state) {
  world *w = *state;
  only(w, "R19c", NULL);
  reg(w, FX_AG2, FX_JB, NULL);
  reg(w, FX_AG3, FX_JB, NULL);
  ew_alert_builder b;
  assert_int_equal(ew_alert_begin(&b, &w->h.a, "R19c", EW_SUBJ_INSPECTION,
                                  "INS-7", "", EW_SEV_MEDIUM),
                   0);
  ew_alert_set(&b, &b.alert.agency_uscc, FX_AG1);
  ew_alert_set(&b, &b.alert.legal_basis, "临州办发〔2023〕18号 ¶11");
  ew_alert_message(&b, "十五日内多个部门分别检查同一企业。");
  /* The alert's own agency listed too, and one twice: one notice each. */
  ew_alert_fact(&b, "other_agencies", "%s,%s,%s,%s", FX_AG2, FX_AG1, FX_AG3,
                FX_AG2);
  b.alert.detected_at = fx_t(0);
  assert_false(b.oom);
  for (int round = 0; round < 2; round++) {
    w->h.nn = 0;
    assert_int_equal(ew_store_begin(w->h.store), 0);
    if (ew_notices_on_alert(w->h.engine, &b.alert, 0) != 0)
      fail_msg("%s", ew_engine_errmsg(w->h.engine));
    assert_int_equal(ew_store_commit(w->h.store), 0);
    if (round == 1) {
      assert_int_equal(w->h.nn, 0); /* issued once */
      break;
    }
    assert_int_equal(w->h.nn, 3);
    const char *to[] = {FX_AG1, FX_AG2, FX_AG3};
    for (int i = 0; i < 3; i++) {
      const ew_notice *n = notice_to(&w->h, EW_NT_SUPERVISION_OPINION, to[i]);
      assert_non_null(n);
      assert_string_equal(n->alert_ids.v[0], b.alert.alert_id);
      assert_string_equal(n->issuer_uscc, FX_JB);
      assert_int_equal(n->issued_at, fx_t(0));
    }
    assert_string_not_equal(w->h.notices[0].notice_id,
                            w->h.notices[1].notice_id);
    assert_string_not_equal(w->h.notices[1].notice_id,
                            w->h.notices[2].notice_id);
  }
}

/* -------------------------------------------------------- batched ---- */

/* An inspection of FX_AG1 at `t` without video (R08b LOW, batched), or with
 * `av` FULL and a recording (no R08b). */
static ew_record noav(world *w, const char *iid, ew_time t, int av) {
  ew_record r = insp(w, iid, t);
  r.u.inspection.av_coverage = av ? EW_AV_FULL : EW_AV_NONE;
  r.u.inspection.av_record_ids =
      av ? fx_strv(&w->h.a, 1, "AV-1") : fx_strv(&w->h.a, 0);
  return r;
}

static void test_batched_monthly(void **state) {
  world *w = *state;
  only(w, "R08b", NULL);
  ew_record r1 = noav(w, "INS-1", fx_day(2025, 3, 4) + 9 * 3600000, 0);
  ew_record r2 = noav(w, "INS-2", fx_day(2025, 3, 20) + 9 * 3600000, 0);
  ew_record r3 = noav(w, "INS-3", fx_day(2025, 3, 10) + 9 * 3600000, 0);
  ew_record r3b = noav(w, "INS-3", fx_day(2025, 3, 11) + 9 * 3600000, 1);
  h_must_apply(&w->h, &r1);
  const char *id1 = ew_arena_strdup(&w->h.a, h_find(&w->h, "R08b")->alert_id);
  assert_int_equal(w->h.nn, 0); /* not immediately */
  h_must_apply(&w->h, &r2);
  const char *id2 = ew_arena_strdup(&w->h.a, h_find(&w->h, "R08b")->alert_id);
  h_must_apply(&w->h, &r3);
  assert_non_null(h_find(&w->h, "R08b"));
  h_must_apply(&w->h, &r3b); /* put right within the month */
  assert_int_equal(h_find(&w->h, "R08b")->status, EW_AST_WITHDRAWN);
  assert_int_equal(w->h.nn, 0);

  advance(w, fx_day(2025, 4, 1) - 1);
  assert_int_equal(w->h.nn, 0);
  advance(w, fx_day(2025, 4, 1));
  assert_int_equal(w->h.nn, 1);
  const ew_notice *n = &w->h.notices[0];
  assert_int_equal(n->notice_type, EW_NT_SUPERVISION_SUGGESTION);
  assert_string_equal(n->issuer_uscc, FX_JB);
  assert_string_equal(n->recipient_agency_uscc, FX_AG1);
  assert_int_equal(n->alert_ids.n, 2); /* not the withdrawn INS-3 */
  assert_true((strcmp(n->alert_ids.v[0], id1) == 0 &&
               strcmp(n->alert_ids.v[1], id2) == 0) ||
              (strcmp(n->alert_ids.v[0], id2) == 0 &&
               strcmp(n->alert_ids.v[1], id1) == 0));
  assert_int_equal(n->legal_basis.n, 1); /* one rule: one basis */
  assert_int_equal(n->required_actions.n, 1);
  assert_string_equal(n->required_actions.v[0],
                      ew_notice_required_action("R08b"));
  assert_int_equal(n->issued_at, fx_day(2025, 4, 1));
  assert_int_equal(n->feedback_due_at, end_of(2025, 5, 1));
  assert_non_null(strstr(n->findings, "2025年3月"));
  assert_non_null(strstr(n->findings, "INS-1"));
  assert_non_null(strstr(n->findings, "INS-2"));
  assert_null(strstr(n->findings, "INS-3"));
  assert_non_null(strstr(n->findings, "（2）"));
  assert_null(strstr(n->findings, "。。"));
  advance(w, fx_day(2025, 4, 2));
  assert_int_equal(w->h.nn, 0);

  /* INS-1 changes in April (still without recording): re-emitted, but
   * already listed, so April's batch does not list it again. */
  ew_record r1b = noav(w, "INS-1", fx_day(2025, 4, 3), 0);
  r1b.u.inspection.av_coverage = EW_AV_PARTIAL;
  h_must_apply(&w->h, &r1b);
  assert_int_equal(h_count(&w->h, "R08b"), 1);
  assert_int_equal(h_find(&w->h, "R08b")->status, EW_AST_OPEN);
  advance(w, fx_day(2025, 5, 1));
  assert_int_equal(w->h.nn, 0);
}

static void test_batched_late_alert_goes_to_next_month(void **state) {
  world *w = *state;
  only(w, "R08b", NULL);
  ew_record r1 = noav(w, "INS-1", fx_day(2025, 3, 4), 0);
  h_must_apply(&w->h, &r1);
  advance(w, fx_day(2025, 4, 2));
  assert_int_equal(w->h.nn, 1);
  const char *march = ew_arena_strdup(&w->h.a, w->h.notices[0].notice_id);
  /* A March inspection reported after March's notice went out. */
  ew_record late = noav(w, "INS-2", fx_day(2025, 3, 25), 0);
  h_must_apply(&w->h, &late);
  const ew_alert *a = h_find(&w->h, "R08b");
  assert_non_null(a);
  const char *id = ew_arena_strdup(&w->h.a, a->alert_id);
  assert_int_equal(a->detected_at, fx_day(2025, 3, 25));
  advance(w, fx_day(2025, 4, 30));
  assert_int_equal(w->h.nn, 0); /* no second March notice */
  advance(w, fx_day(2025, 5, 1));
  assert_int_equal(w->h.nn, 1);
  assert_int_equal(w->h.notices[0].issued_at, fx_day(2025, 5, 1));
  assert_int_equal(w->h.notices[0].alert_ids.n, 1);
  assert_string_equal(w->h.notices[0].alert_ids.v[0], id);
  assert_string_not_equal(w->h.notices[0].notice_id, march);
  assert_non_null(strstr(w->h.notices[0].findings, "2025年4月"));
}

static void test_batched_without_justice_bureau(void **state) {
  world *w = *state;
  only(w, "R08b", NULL);
  ew_record r1 = noav(w, "INS-1", fx_day(2025, 3, 4), 0);
  r1.u.inspection.agency_uscc = FX_AG2; /* not registered */
  h_must_apply(&w->h, &r1);
  assert_non_null(h_find(&w->h, "R08b"));
  advance(w, fx_day(2025, 4, 2));
  assert_int_equal(w->h.nn, 0);
}

/* --------------------------------------------------------- R21a/b ---- */

static void test_r21a_fires_on_respondent(void **state) {
  world *w = *state;
  only(w, "R21a", "R21b", NULL);
  ew_record c = complaint(w, "TS-1", fx_t(0));
  h_must_apply(&w->h, &c);
  assert_int_equal(w->h.n, 1);
  const ew_alert *a = h_find(&w->h, "R21a");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_HIGH);
  assert_int_equal(a->subject_type, EW_SUBJ_COMPLAINT);
  assert_string_equal(a->subject_id, "TS-1");
  assert_string_equal(a->agency_uscc, FX_AG1); /* the respondent */
  assert_string_equal(a->region_code, "622900");
  assert_string_equal(a->enterprise_uscc, FX_ENT);
  assert_int_equal(a->detected_at, fx_t(0));
  assert_string_equal(a->legal_basis, "临州办发〔2023〕18号 ¶13");
  assert_string_equal(h_fact(a, "finding"), "SUBSTANTIATED");
  assert_string_equal(h_fact(a, "substantiated"), "SUBSTANTIATED");
  assert_string_equal(h_fact(a, "category"), "SINGLE_OFFICER");
  assert_string_equal(h_fact(a, "respondent_agency"), FX_AG1);
  assert_string_equal(h_fact(a, "respondent_from"), "respondent_agency_uscc");
  assert_string_equal(h_fact(a, "handling_agency"), FX_AG2);
  assert_string_equal(h_fact(a, "respondent_officers"), "O1,O2");
  assert_string_equal(h_fact(a, "related_inspection_id"), "INS-9");
  assert_non_null(strstr(a->message, "TS-1"));
  assert_non_null(strstr(a->message, "临夏州市场监督管理局"));
  assert_non_null(strstr(a->message, "单人执法"));
  assert_int_equal(w->h.nn, 1);
  const ew_notice *n = &w->h.notices[0];
  assert_int_equal(n->notice_type, EW_NT_ORDER_CORRECTION);
  assert_string_equal(n->recipient_agency_uscc, FX_AG1);
  assert_string_equal(n->issuer_uscc, FX_JB);
  assert_string_equal(n->alert_ids.v[0], a->alert_id);
  assert_string_equal(n->required_actions.v[0],
                      ew_notice_required_action("R21a"));
}

static void test_r21a_falls_back_to_handling_agency(void **state) {
  world *w = *state;
  only(w, "R21a", "R21b", NULL);
  ew_record c = complaint(w, "TS-2", fx_t(0));
  c.u.complaint.respondent_agency_uscc = NULL;
  c.u.complaint.handling_agency_uscc = FX_AG1;
  h_must_apply(&w->h, &c);
  const ew_alert *a = h_find(&w->h, "R21a");
  assert_non_null(a);
  assert_string_equal(a->agency_uscc, FX_AG1);
  assert_string_equal(h_fact(a, "respondent_from"), "handling_agency_uscc");
  assert_int_equal(w->h.nn, 1);
  /* An unregistered respondent: no region guessed, no notice. */
  ew_record c2 = complaint(w, "TS-3", fx_t(1));
  c2.u.complaint.respondent_agency_uscc = FX_AG3;
  h_must_apply(&w->h, &c2);
  a = h_find(&w->h, "R21a");
  assert_non_null(a);
  assert_string_equal(a->agency_uscc, FX_AG3);
  assert_null(a->region_code);
  assert_non_null(strstr(a->message, FX_AG3));
  assert_int_equal(w->h.nn, 0);
}

static void test_r21b_category_and_mark(void **state) {
  world *w = *state;
  only(w, "R21a", "R21b", NULL);
  ew_record c = complaint(w, "TS-4", fx_t(0));
  c.u.complaint.category = EW_CAT_ARBITRARY_FEE;
  h_must_apply(&w->h, &c);
  assert_int_equal(w->h.n, 2);
  assert_string_equal(w->h.out[0].rule_id, "R21a");
  const ew_alert *b = h_find(&w->h, "R21b");
  assert_non_null(b);
  assert_int_equal(b->severity, EW_SEV_CRITICAL);
  assert_string_equal(b->agency_uscc, FX_AG1);
  assert_string_equal(h_fact(b, "reason"), "category");
  assert_string_equal(h_fact(b, "suspected_discipline"), "false");
  assert_non_null(strstr(h_fact(b, "referral_categories"), "ARBITRARY_FEE"));
  assert_non_null(strstr(b->message, "乱收费"));
  assert_non_null(strstr(b->message, "纪检监察"));
  assert_int_equal(w->h.nn, 2);
  assert_int_equal(w->h.notices[0].notice_type, EW_NT_ORDER_CORRECTION);
  assert_int_equal(w->h.notices[1].notice_type, EW_NT_REFERRAL_DISCIPLINE);
  assert_string_equal(w->h.notices[1].recipient_agency_uscc, FX_AG1);
  assert_string_equal(w->h.notices[1].alert_ids.v[0], b->alert_id);
  assert_int_equal(w->h.notices[0].rectification_due_at, end_of(2025, 4, 3));
  assert_int_equal(w->h.notices[1].rectification_due_at, EW_NONE);

  /* Another category, but marked suspected_discipline. */
  ew_record c2 = complaint(w, "TS-5", fx_t(1));
  c2.u.complaint.category = EW_CAT_OTHER;
  c2.u.complaint.suspected_discipline = 1;
  h_must_apply(&w->h, &c2);
  b = h_find(&w->h, "R21b");
  assert_non_null(b);
  assert_string_equal(h_fact(b, "reason"), "suspected_discipline");
  assert_string_equal(h_fact(b, "suspected_discipline"), "true");
  /* Both. */
  ew_record c3 = complaint(w, "TS-6", fx_t(2));
  c3.u.complaint.category = EW_CAT_ABUSE_FOR_PRIVATE_GAIN;
  c3.u.complaint.suspected_discipline = 1;
  h_must_apply(&w->h, &c3);
  assert_string_equal(h_fact(h_find(&w->h, "R21b"), "reason"),
                      "category,suspected_discipline");
}

static void test_r21_near_misses(void **state) {
  world *w = *state;
  only(w, "R21a", "R21b", NULL);
  ew_record c = complaint(w, "TS-7", fx_t(0));
  c.u.complaint.category = EW_CAT_ARBITRARY_FEE;
  c.u.complaint.finding = EW_FIND_UNSUBSTANTIATED;
  h_must_apply(&w->h, &c);
  assert_int_equal(w->h.n, 0);
  ew_record c2 = complaint(w, "TS-8", fx_t(1));
  c2.u.complaint.finding = EW_FIND_PARTLY_SUBSTANTIATED;
  h_must_apply(&w->h, &c2);
  assert_int_equal(w->h.n, 0);
  ew_record c3 = complaint(w, "TS-9", fx_t(2));
  c3.u.complaint.finding = -1; /* not concluded yet */
  c3.u.complaint.status = EW_CST_VERIFYING;
  h_must_apply(&w->h, &c3);
  assert_int_equal(w->h.n, 0);
  ew_record c4 = complaint(w, "TS-10", fx_t(3));
  c4.u.complaint.subject_type = EW_CSUBJ_ENTERPRISE_VIOLATION;
  c4.u.complaint.category = EW_CAT_ARBITRARY_FEE;
  h_must_apply(&w->h, &c4);
  assert_int_equal(w->h.n, 0);
  assert_int_equal(w->h.nn, 0);
  /* Another category, not marked: R21a without R21b. */
  ew_record c5 = complaint(w, "TS-11", fx_t(4));
  c5.u.complaint.category = EW_CAT_REPEATED_INSPECTION;
  h_must_apply(&w->h, &c5);
  assert_int_equal(w->h.n, 1);
  assert_non_null(h_find(&w->h, "R21a"));
  /* PARTLY_SUBSTANTIATED counts when configured so. */
  w->h.cfg.r21a.findings |= 1u << EW_FIND_PARTLY_SUBSTANTIATED;
  ew_record c6 = complaint(w, "TS-8", fx_t(5));
  c6.u.complaint.finding = EW_FIND_PARTLY_SUBSTANTIATED;
  h_must_apply(&w->h, &c6);
  assert_non_null(h_find(&w->h, "R21a"));
}

static void test_r21_finding_revised_withdraws(void **state) {
  world *w = *state;
  only(w, "R21a", "R21b", NULL);
  ew_record c = complaint(w, "TS-12", fx_t(0));
  c.u.complaint.category = EW_CAT_FORCED_PURCHASE;
  h_must_apply(&w->h, &c);
  assert_int_equal(w->h.n, 2);
  ew_record c2 = complaint(w, "TS-12", fx_t(5));
  c2.u.complaint.category = EW_CAT_FORCED_PURCHASE;
  c2.u.complaint.finding = EW_FIND_UNSUBSTANTIATED;
  h_must_apply(&w->h, &c2);
  assert_int_equal(w->h.n, 2);
  assert_int_equal(h_find(&w->h, "R21a")->status, EW_AST_WITHDRAWN);
  assert_int_equal(h_find(&w->h, "R21b")->status, EW_AST_WITHDRAWN);
  assert_int_equal(w->h.nn, 0);
}

/* ------------------------------------------------------------ R24 ---- */

/* An R05 alert at fx_t(0) and its notice; returns the notice id. */
static const char *r24_notice(world *w) {
  only(w, "R05", "R24", NULL);
  ew_record r = insp(w, "INS-1", fx_t(0));
  h_must_apply(&w->h, &r);
  assert_int_equal(w->h.nn, 1);
  assert_int_equal(h_count(&w->h, "R24"), 0);
  return ew_arena_strdup(&w->h.a, w->h.notices[0].notice_id);
}

static void test_r24_fires_and_escalates(void **state) {
  world *w = *state;
  const char *nid = r24_notice(w);
  ew_time due = end_of(2025, 4, 3), esc = end_of(2025, 4, 18);
  advance(w, due);
  assert_int_equal(w->h.n, 0);
  advance(w, due + 1);
  assert_int_equal(w->h.n, 1);
  const ew_alert *a = h_find(&w->h, "R24");
  assert_non_null(a);
  const char *aid = ew_arena_strdup(&w->h.a, a->alert_id);
  assert_int_equal(a->status, EW_AST_OPEN);
  assert_int_equal(a->severity, EW_SEV_MEDIUM);
  assert_int_equal(a->subject_type, EW_SUBJ_NOTICE);
  assert_string_equal(a->subject_id, nid);
  assert_string_equal(a->agency_uscc, FX_AG1);
  assert_null(a->enterprise_uscc);
  assert_int_equal(a->detected_at, due);
  assert_int_equal(a->due_at, due);
  assert_string_equal(a->legal_basis, "临州办发〔2023〕18号 三(三)");
  assert_string_equal(h_fact(a, "feedback_at"), "none");
  assert_string_equal(h_fact(a, "notice_type"), "SUPERVISION_OPINION");
  assert_string_equal(h_fact(a, "feedback_due_at"),
                      "2025-04-03T23:59:59.999+08:00");
  assert_string_equal(h_fact(a, "escalate_at"),
                      "2025-04-18T23:59:59.999+08:00");
  assert_string_equal(h_fact(a, "alerts"), "1");
  assert_non_null(strstr(a->message, nid));
  assert_int_equal(w->h.nn, 0); /* MEDIUM: no 通报 yet */

  advance(w, esc);
  assert_int_equal(w->h.n, 0);
  advance(w, esc + 1);
  assert_int_equal(w->h.n, 1);
  a = h_find(&w->h, "R24");
  assert_string_equal(a->alert_id, aid);
  assert_int_equal(a->severity, EW_SEV_HIGH);
  assert_int_equal(a->detected_at, due);
  assert_int_equal(a->due_at, esc);
  assert_int_equal(w->h.nn, 1);
  const ew_notice *n = &w->h.notices[0];
  assert_int_equal(n->notice_type, EW_NT_INSPECTION_BULLETIN);
  assert_string_equal(n->recipient_agency_uscc, FX_AG1);
  assert_string_equal(n->issuer_uscc, FX_JB);
  assert_int_equal(n->alert_ids.n, 1);
  assert_string_equal(n->alert_ids.v[0], aid);
  assert_int_equal(n->issued_at, esc);
  assert_int_equal(n->rectification_due_at, EW_NONE); /* informs only */
  /* A 通报 asks for no feedback; nothing more ever. */
  advance(w, fx_day(2025, 12, 31));
  assert_int_equal(w->h.n, 0);
  assert_int_equal(w->h.nn, 0);
}

static void test_r24_clock_jump_fires_in_order(void **state) {
  world *w = *state;
  r24_notice(w);
  advance(w, fx_day(2025, 7, 1));
  assert_int_equal(w->h.n, 2);
  assert_int_equal(w->h.out[0].severity, EW_SEV_MEDIUM);
  assert_int_equal(w->h.out[1].severity, EW_SEV_HIGH);
  assert_int_equal(w->h.nn, 1);
  assert_int_equal(w->h.notices[0].notice_type, EW_NT_INSPECTION_BULLETIN);
}

static void test_r24_feedback_in_time(void **state) {
  world *w = *state;
  const char *nid = r24_notice(w);
  ew_record f = feedback(w, nid, fx_day(2025, 3, 20), fx_day(2025, 3, 20));
  h_must_apply(&w->h, &f);
  assert_int_equal(w->h.n, 0);
  advance(w, fx_day(2025, 7, 1));
  assert_int_equal(w->h.n, 0);
  assert_int_equal(w->h.nn, 0);
}

static void test_r24_feedback_on_last_moment(void **state) {
  world *w = *state;
  const char *nid = r24_notice(w);
  ew_record f = feedback(w, nid, end_of(2025, 4, 3), end_of(2025, 4, 3));
  h_must_apply(&w->h, &f);
  advance(w, fx_day(2025, 7, 1));
  assert_int_equal(w->h.n, 0);
}

static void test_r24_feedback_in_time_arriving_late_withdraws(void **state) {
  world *w = *state;
  const char *nid = r24_notice(w);
  advance(w, fx_day(2025, 4, 5));
  assert_int_equal(h_find(&w->h, "R24")->status, EW_AST_OPEN);
  /* Reported on 04-02, but the event reaches us on 04-06. */
  ew_record f = feedback(w, nid, fx_day(2025, 4, 2), fx_day(2025, 4, 6));
  h_must_apply(&w->h, &f);
  assert_int_equal(w->h.n, 1);
  assert_int_equal(h_find(&w->h, "R24")->status, EW_AST_WITHDRAWN);
  advance(w, fx_day(2025, 7, 1));
  assert_int_equal(w->h.n, 0);
  assert_int_equal(w->h.nn, 0);
}

static void test_r24_late_feedback_stays_open(void **state) {
  world *w = *state;
  const char *nid = r24_notice(w);
  advance(w, fx_day(2025, 4, 5));
  assert_int_equal(w->h.n, 1);
  ew_record f = feedback(w, nid, fx_day(2025, 4, 10) + 3600000,
                         fx_day(2025, 4, 10) + 3600000);
  h_must_apply(&w->h, &f);
  assert_int_equal(w->h.n, 1);
  const ew_alert *a = h_find(&w->h, "R24");
  assert_int_equal(a->status, EW_AST_OPEN);
  assert_int_equal(a->severity, EW_SEV_MEDIUM);
  assert_string_equal(h_fact(a, "feedback_at"), "2025-04-10T01:00:00+08:00");
  assert_string_equal(h_fact(a, "feedback_result"), "DONE");
  assert_int_equal(a->detected_at, end_of(2025, 4, 3));
  assert_int_equal(a->evidence_event_ids.n, 1);
  assert_string_equal(a->evidence_event_ids.v[0], f.u.feedback.event_id);
  assert_non_null(strstr(a->message, "2025-04-10"));
  /* Reported before the second deadline: no escalation, no 通报. */
  advance(w, fx_day(2025, 7, 1));
  assert_int_equal(w->h.n, 0);
  assert_int_equal(w->h.nn, 0);
}

static void test_r24_very_late_feedback_stays_high(void **state) {
  world *w = *state;
  const char *nid = r24_notice(w);
  advance(w, fx_day(2025, 5, 1));
  assert_int_equal(w->h.n, 2);
  ew_record f = feedback(w, nid, fx_day(2025, 5, 2), fx_day(2025, 5, 2));
  h_must_apply(&w->h, &f);
  const ew_alert *a = h_find(&w->h, "R24");
  assert_non_null(a);
  assert_int_equal(a->status, EW_AST_OPEN);
  assert_int_equal(a->severity, EW_SEV_HIGH);
  assert_string_equal(h_fact(a, "feedback_at"), "2025-05-02T00:00:00+08:00");
  assert_int_equal(w->h.nn, 0); /* the 通报 went out once */
}

static void test_r24_alerts_withdrawn_owe_nothing(void **state) {
  world *w = *state;
  r24_notice(w);
  ew_record c = insp(w, "INS-1", fx_t(24));
  c.u.inspection.status = EW_INSP_CANCELLED;
  h_must_apply(&w->h, &c);
  assert_int_equal(h_find(&w->h, "R05")->status, EW_AST_WITHDRAWN);
  advance(w, fx_day(2025, 7, 1));
  assert_int_equal(w->h.n, 0);
  assert_int_equal(w->h.nn, 0);
}

static void test_r24_withdrawn_after_deadline_still_owes(void **state) {
  world *w = *state;
  r24_notice(w);
  advance(w, fx_day(2025, 4, 5));
  assert_int_equal(h_count(&w->h, "R24"), 1);
  ew_record c = insp(w, "INS-1", fx_day(2025, 4, 6));
  c.u.inspection.status = EW_INSP_CANCELLED;
  h_must_apply(&w->h, &c);
  advance(w, fx_day(2025, 7, 1));
  assert_int_equal(h_count(&w->h, "R24"), 1);
  assert_int_equal(h_find(&w->h, "R24")->severity, EW_SEV_HIGH);
}

static void test_r24_only_configured_notice_types(void **state) {
  world *w = *state;
  only(w, "R21a", "R21b", "R24", NULL);
  ew_record c = complaint(w, "TS-20", fx_t(0));
  c.u.complaint.category = EW_CAT_SPONSORSHIP_DEMAND;
  h_must_apply(&w->h, &c);
  assert_int_equal(w->h.nn, 2);
  const ew_notice *order = notice_to(&w->h, EW_NT_ORDER_CORRECTION, FX_AG1);
  assert_non_null(order);
  const char *oid = ew_arena_strdup(&w->h.a, order->notice_id);
  advance(w, fx_day(2025, 4, 10));
  /* The order to correct owes a report; the referral does not. */
  assert_int_equal(w->h.n, 1);
  assert_string_equal(h_find(&w->h, "R24")->subject_id, oid);
  /* Not configured: silent. */
  w->h.cfg.r24.notice_types = 0;
  advance(w, fx_day(2025, 7, 1));
  assert_int_equal(w->h.n, 1);
  assert_int_equal(h_find(&w->h, "R24")->status, EW_AST_WITHDRAWN);
}

static void test_batch_notice_judged_at_issue(void **state) {
  world *w = *state;
  only(w, "R08b", "R24", NULL);
  ew_record r1 = noav(w, "INS-1", fx_day(2025, 3, 4), 0);
  h_must_apply(&w->h, &r1);
  /* One jump far past the batch and both of its feedback deadlines: the
   * batch, then MEDIUM at 05-01's end, then HIGH and the 通报. */
  advance(w, fx_day(2025, 7, 1));
  assert_int_equal(w->h.nn, 2);
  assert_int_equal(w->h.notices[0].notice_type, EW_NT_SUPERVISION_SUGGESTION);
  assert_int_equal(w->h.notices[1].notice_type, EW_NT_INSPECTION_BULLETIN);
  assert_int_equal(w->h.notices[1].issued_at, end_of(2025, 5, 16));
  assert_int_equal(w->h.n, 2);
  assert_string_equal(w->h.out[0].rule_id, "R24");
  assert_int_equal(w->h.out[0].severity, EW_SEV_MEDIUM);
  assert_int_equal(w->h.out[0].due_at, end_of(2025, 5, 1));
  assert_int_equal(w->h.out[1].severity, EW_SEV_HIGH);
  assert_string_equal(w->h.out[0].subject_id, w->h.notices[0].notice_id);
}

/* A notice due from a rule's first level dates from the first deadline,
 * whether the alert passed through that level or was first judged after
 * both deadlines (a daemon's clock ahead of a backlog): R20a's acceptance,
 * 5 working days (03-11), twice that (03-18) for HIGH. */
/* A complaint about FX_AG1's conduct, handled by FX_AG2, received at
 * fx_t(0) and never accepted, applied when the clock is at `clock`. */
static void unaccepted_complaint(world *w, ew_time clock) {
  only(w, "R20a", NULL);
  reg(w, FX_AG2, FX_JB, NULL);
  advance(w, clock);
  ew_record c = complaint(w, "CP-LATE", fx_t(0));
  ew_complaint *cp = &c.u.complaint;
  cp->received_at = fx_t(0);
  cp->status = EW_CST_RECEIVED;
  cp->accepted_at = cp->concluded_at = EW_NONE;
  cp->finding = -1;
  h_must_apply(&w->h, &c);
}

static void test_issued_at_first_level_either_way(void **state) {
  world *w = *state;
  /* first judged after both deadlines (the clock ahead of the record):
   * HIGH at once */
  unaccepted_complaint(w, fx_day(2025, 3, 25));
  assert_int_equal(h_count(&w->h, "R20a"), 1);
  assert_int_equal(h_find(&w->h, "R20a")->severity, EW_SEV_HIGH);
  const ew_notice *n = notice_to(&w->h, EW_NT_SUPERVISION_OPINION, FX_AG2);
  assert_non_null(n);
  assert_int_equal(n->issued_at, end_of(2025, 3, 11));
}

static void test_issued_at_first_level_in_steps(void **state) {
  world *w = *state;
  unaccepted_complaint(w, fx_t(0));
  assert_int_equal(w->h.nn, 0);
  advance(w, fx_day(2025, 3, 13));
  assert_int_equal(h_find(&w->h, "R20a")->severity, EW_SEV_MEDIUM);
  const ew_notice *n = notice_to(&w->h, EW_NT_SUPERVISION_OPINION, FX_AG2);
  assert_non_null(n);
  assert_int_equal(n->issued_at, end_of(2025, 3, 11));
  advance(w, fx_day(2025, 3, 25)); /* HIGH: no second notice */
  assert_int_equal(h_find(&w->h, "R20a")->severity, EW_SEV_HIGH);
  assert_int_equal(w->h.nn, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_immediate_notice_fields),
      T(test_immediate_issued_once),
      T(test_no_registry_no_notice),
      T(test_r09_cc_parent),
      T(test_r19c_notice_per_agency),
      T(test_batched_monthly),
      T(test_batched_late_alert_goes_to_next_month),
      T(test_batched_without_justice_bureau),
      T(test_r21a_fires_on_respondent),
      T(test_r21a_falls_back_to_handling_agency),
      T(test_r21b_category_and_mark),
      T(test_r21_near_misses),
      T(test_r21_finding_revised_withdraws),
      T(test_r24_fires_and_escalates),
      T(test_r24_clock_jump_fires_in_order),
      T(test_r24_feedback_in_time),
      T(test_r24_feedback_on_last_moment),
      T(test_r24_feedback_in_time_arriving_late_withdraws),
      T(test_r24_late_feedback_stays_open),
      T(test_r24_very_late_feedback_stays_high),
      T(test_r24_alerts_withdrawn_owe_nothing),
      T(test_r24_withdrawn_after_deadline_still_owes),
      T(test_r24_only_configured_notice_types),
      T(test_batch_notice_judged_at_issue),
      T(test_issued_at_first_level_either_way),
      T(test_issued_at_first_level_in_steps),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
