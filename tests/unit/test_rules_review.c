/*
 * test_rules_review.c - cases found by the review of the rule
 * implementations against rules.md: R02 messages that must not misstate
 * (a named plan that does not count, items failing for different reasons,
 * an industry target without the event's industry_code, long item lists),
 * R25 on a USCC keyed with a full-width character, R16d on a draw that
 * lists an enterprise twice; and that every rule stays silent on the kinds
 * and statuses it does not judge.
 *
 * The world is test_rules.c's: agency FX_AG1 registered, officers O1/O2
 * with valid certificates C1/C2, and a FILED 2025 plan P1 of FX_AG1 with
 * item I1 for C13-01 from 2025-03-01 to 2025-03-31.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "engine_harness.h"
#include "rules/rules.h"
#include "uscc.h"

typedef struct world {
  harness h;
  int next_event;
} world;

static int setup(void **state) {
  world *w = calloc(1, sizeof *w);
  if (!w || h_open(&w->h, ":memory:") != 0)
    return -1;
  ew_arena *a = &w->h.a;
  ew_record c1 = fx_cert(a, "C1", "O1", FX_AG1);
  ew_record c2 = fx_cert(a, "C2", "O2", FX_AG1);
  ew_record p = fx_plan(a, "P1", FX_AG1);
  fx_plan_item(a, &p.u.plan, "I1", "C13-01", fx_day(2025, 3, 1),
               fx_day(2025, 3, 31));
  if (h_apply(&w->h, &c1) || h_apply(&w->h, &c2) || h_apply(&w->h, &p))
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

static ew_record base(world *w, const char *inspection_id) {
  char eid[32];
  snprintf(eid, sizeof eid, "ev-%d", ++w->next_event);
  ew_record r = fx_inspection(&w->h.a, eid, inspection_id, fx_t(w->next_event));
  fx_officer(&w->h.a, r.u.inspection.officers, "O1", "C1", 1);
  fx_officer(&w->h.a, r.u.inspection.officers, "O2", "C2", 1);
  return r;
}

/* 1 when `s` is well-formed UTF-8 (no truncated sequence). */
static int utf8_ok(const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    int n = *p < 0x80             ? 1
            : (*p & 0xE0) == 0xC0 ? 2
            : (*p & 0xF0) == 0xE0 ? 3
            : (*p & 0xF8) == 0xF0 ? 4
                                  : 0;
    if (!n)
      return 0;
    for (int i = 1; i < n; i++)
      if ((p[i] & 0xC0) != 0x80)
        return 0;
    p += n;
  }
  return 1;
}

/* ---------------- R02 ---------------- */

/* The inspection names a DRAFT plan while the agency has a FILED one that
 * covers the item: only the named plan is tried (R02 fires), but the
 * agency does have a filed plan, and the alert must not say it has none. */
static void test_r02_named_plan_not_counted_says_why(void **state) {
  world *w = *state;
  ew_record draft = fx_plan(&w->h.a, "P2", FX_AG1);
  draft.u.plan.status = EW_PST_DRAFT;
  fx_plan_item(&w->h.a, &draft.u.plan, "I1", "C13-01", fx_day(2025, 1, 1),
               fx_day(2025, 12, 31));
  h_must_apply(&w->h, &draft);
  ew_record r = base(w, "INS-R1");
  r.u.inspection.plan_id = "P2";
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R02");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_HIGH);
  assert_string_equal(h_fact(a, "reason"), "no_filed_plan");
  assert_string_equal(h_fact(a, "plan_id"), "P2");
  assert_string_equal(h_fact(a, "plan_status"), "DRAFT");
  assert_string_equal(h_fact(a, "plan_year"), "2025");
  assert_string_equal(h_fact(a, "plan_agency_uscc"), FX_AG1);
  assert_null(strstr(a->message, "无已备案的检查计划"));
  assert_string_equal(a->message,
                      "临夏州市场监督管理局对企业" FX_ENT
                      "的现场检查INS-R1不在已备案的检查计划或抽查任务范围内："
                      "所列检查计划P2不是该部门2025年度已备案的检查计划"
                      "（计划状态为草稿）。");

  /* Another agency's plan of another year: both said. */
  ew_record other = fx_plan(&w->h.a, "P3", FX_AG2);
  other.u.plan.year = 2024;
  fx_plan_item(&w->h.a, &other.u.plan, "I1", "C13-01", fx_day(2025, 1, 1),
               fx_day(2025, 12, 31));
  h_must_apply(&w->h, &other);
  r = base(w, "INS-R2");
  r.u.inspection.plan_id = "P3";
  h_must_apply(&w->h, &r);
  a = h_find(&w->h, "R02");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "plan_agency_uscc"), FX_AG2);
  assert_string_equal(h_fact(a, "plan_status"), "FILED");
  assert_string_equal(h_fact(a, "plan_year"), "2024");
  assert_non_null(strstr(a->message, "（系其他部门的计划，计划年度为2024年）"));

  /* Without plan_id the agency's own filed plan covers it: no R02. */
  r = base(w, "INS-R3");
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R02"));
}

/* X-1 is in no plan, C13-02 is in a plan but checked outside its window:
 * the message must not say C13-02 is not in any plan. */
static void test_r02_mixed_reasons_message(void **state) {
  world *w = *state;
  ew_record p = fx_plan(&w->h.a, "P4", FX_AG1);
  fx_plan_item(&w->h.a, &p.u.plan, "I2", "C13-02", fx_day(2025, 4, 1),
               fx_day(2025, 4, 30));
  h_must_apply(&w->h, &p);
  ew_record r = base(w, "INS-R4");
  r.u.inspection.check_items = fx_strv(&w->h.a, 3, "X-1", "C13-01", "C13-02");
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R02");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "reason"), "item_not_in_plan");
  assert_string_equal(h_fact(a, "unmatched_items"), "X-1,C13-02");
  assert_string_equal(h_fact(a, "item.X-1"), "item_not_in_plan");
  assert_string_equal(h_fact(a, "item.C13-02"), "outside_window");
  assert_null(strstr(a->message, "C13-02未列入"));
  assert_non_null(strstr(a->message,
                         "检查事项X-1未列入已备案的检查计划；另有检查事项"
                         "C13-02亦不符合已备案的检查计划。"));

  /* The first unmatched item is the window one: it is named with its plan,
   * the item in no plan is named apart. */
  r = base(w, "INS-R5");
  r.u.inspection.check_items = fx_strv(&w->h.a, 2, "C13-02", "X-1");
  h_must_apply(&w->h, &r);
  a = h_find(&w->h, "R02");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "reason"), "outside_window");
  assert_non_null(strstr(a->message,
                         "检查时间不在计划P4检查事项C13-02的时间安排内；"
                         "另有检查事项X-1亦不符合已备案的检查计划。"));

  /* One reason for all: the message is the plain one. */
  r = base(w, "INS-R6");
  r.u.inspection.check_items = fx_strv(&w->h.a, 2, "X-1", "X-2");
  h_must_apply(&w->h, &r);
  a = h_find(&w->h, "R02");
  assert_non_null(a);
  assert_non_null(
      strstr(a->message, "：检查事项X-1,X-2未列入已备案的检查计划。"));
}

/* 52 unplanned items: the text after the list used to be cut at a fixed
 * 512-byte buffer, in the middle of a UTF-8 character. */
static void test_r02_long_item_list_message_whole(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-R7");
  ew_strv v = {ew_arena_calloc(&w->h.a, 52, sizeof(char *)), 52};
  for (size_t i = 0; i < v.n; i++)
    v.v[i] = ew_arena_printf(&w->h.a, "C99-%04zu", i);
  r.u.inspection.check_items = v;
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R02");
  assert_non_null(a);
  assert_true(utf8_ok(a->message));
  size_t n = strlen(a->message);
  const char *tail = "C99-0051未列入已备案的检查计划。";
  assert_true(n > strlen(tail));
  assert_string_equal(a->message + n - strlen(tail), tail);
}

/* An item targeting industry F52 and an inspection without industry_code:
 * R02 fires (coverage cannot be shown), but it says the code is missing
 * rather than that the enterprise is outside the target. */
static void test_r02_industry_target_without_industry_code(void **state) {
  world *w = *state;
  ew_record p = fx_plan(&w->h.a, "P5", FX_AG1);
  ew_plan_item *it = fx_plan_item(&w->h.a, &p.u.plan, "I5", "C13-05",
                                  fx_day(2025, 1, 1), fx_day(2025, 12, 31));
  it->target_industries = fx_strv(&w->h.a, 2, "F52", "H62");
  h_must_apply(&w->h, &p);
  ew_record r = base(w, "INS-R8");
  r.u.inspection.check_items = fx_strv(&w->h.a, 1, "C13-05");
  r.u.inspection.industry_code = NULL;
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R02");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "reason"), "enterprise_not_targeted");
  assert_string_equal(h_fact(a, "industry_code"), "not_stated");
  assert_string_equal(h_fact(a, "target_industries"), "F52,H62");
  assert_string_equal(h_fact(a, "target_usccs"), "0");
  assert_non_null(strstr(a->message, "检查记录未载明企业行业代码"));
  assert_null(strstr(a->message, "企业不在计划"));

  /* With the code stated and outside the target: the plain message. */
  r = base(w, "INS-R9");
  r.u.inspection.check_items = fx_strv(&w->h.a, 1, "C13-05");
  h_must_apply(&w->h, &r); /* industry C1311 */
  a = h_find(&w->h, "R02");
  assert_non_null(a);
  assert_string_equal(h_fact(a, "industry_code"), "C1311");
  assert_non_null(strstr(a->message, "企业不在计划P5检查事项C13-05的检查对象"));

  /* Stated and inside: planned. */
  r = base(w, "INS-R10");
  r.u.inspection.check_items = fx_strv(&w->h.a, 1, "C13-05");
  r.u.inspection.industry_code = "F5211";
  h_must_apply(&w->h, &r);
  assert_null(h_find(&w->h, "R02"));
}

/* ---------------- R25 / uscc ---------------- */

/* 18 characters, the last one full-width (U+FF2C, 3 bytes): a charset
 * problem, not a length one. */
#define FULLWIDTH_USCC "91622901MA7ABCDEF\xef\xbc\xac"

static void test_uscc_fullwidth_is_charset(void **state) {
  (void)state;
  assert_int_equal(ew_uscc_check(FULLWIDTH_USCC), EW_USCC_BAD_CHAR);
  assert_int_equal(ew_uscc_check("91622901MA7ABCDE\xef\xbc\xac"),
                   EW_USCC_BAD_LENGTH); /* 17 characters */
  assert_int_equal(ew_uscc_check("91622901MA7ABCDEF\xef\xbc\xac"
                                 "1"),
                   EW_USCC_BAD_LENGTH); /* 19 characters */
  assert_int_equal(ew_uscc_check(FX_ENT), EW_USCC_OK);
}

static void test_r25_fullwidth_uscc(void **state) {
  world *w = *state;
  ew_record r = base(w, "INS-R11");
  r.u.inspection.enterprise_uscc = FULLWIDTH_USCC;
  h_must_apply(&w->h, &r);
  const ew_alert *a = h_find(&w->h, "R25");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_INFO);
  assert_string_equal(h_fact(a, "field"), "enterprise_uscc");
  assert_string_equal(h_fact(a, "reason"), "charset");
  assert_non_null(strstr(a->message, "含有代码字符集以外的字符"));
  assert_null(strstr(a->message, "长度"));
}

/* ---------------- R16d ---------------- */

static ew_record task_listing(world *w, const char *task_id, size_t distinct,
                              size_t dup, int64_t population) {
  ew_arena *a = &w->h.a;
  ew_record t = fx_random_task(a, task_id, FX_AG1, "C13-01");
  size_t n = distinct + dup;
  t.u.random_task.population_size = population;
  t.u.random_task.enterprises.v =
      ew_arena_calloc(a, n, sizeof *t.u.random_task.enterprises.v);
  t.u.random_task.enterprises.n = n;
  for (size_t i = 0; i < n; i++)
    t.u.random_task.enterprises.v[i] =
        ew_arena_printf(a, "91622901MA7%07zu", i < distinct ? i : 0);
  return t;
}

static void test_r16d_duplicate_listing_counts_once(void **state) {
  world *w = *state;
  /* 20 enterprises of 100, one listed twice more: 20%, at the cap. */
  ew_record t = task_listing(w, "TD1", 20, 2, 100);
  h_must_apply(&w->h, &t);
  assert_null(h_find(&w->h, "R16d"));
  /* 21 distinct: above, and the facts count them once. */
  t = task_listing(w, "TD2", 21, 3, 100);
  h_must_apply(&w->h, &t);
  const ew_alert *a = h_find(&w->h, "R16d");
  assert_non_null(a);
  assert_int_equal(a->severity, EW_SEV_LOW);
  assert_string_equal(h_fact(a, "drawn"), "21");
  assert_string_equal(h_fact(a, "drawn_percent"), "21.0");
  assert_non_null(strstr(a->message, "抽取21户"));
}

/* ---------------- kinds and statuses not judged ---------------- */

/* Calls every rule of the table directly on `rec` and returns the ids of
 * the rules that reported something, joined by ','. */
static const char *rules_finding(world *w, const ew_record *rec, int subject,
                                 const char *agency, const char *ent,
                                 ew_time at) {
  static char ids[256];
  ew_arena a = EW_ARENA_INIT;
  ew_rule_ctx ctx;
  memset(&ctx, 0, sizeof ctx);
  ctx.cfg = &w->h.cfg;
  ctx.store = w->h.store;
  ctx.arena = &a;
  ctx.rec = rec;
  ctx.subject_type = subject;
  ctx.subject_id = ew_record_id(rec);
  ctx.event_id = ew_record_event_id(rec);
  ctx.event_time = at;
  ctx.agency_uscc = agency;
  ctx.enterprise_uscc = ent;
  ctx.agency_label = agency;
  ids[0] = '\0';
  for (size_t i = 0; i < ew_rule_table_count; i++) {
    ew_findings f = {0};
    f.arena = &a;
    assert_int_equal(ew_rule_table[i].fn(&ctx, &f), 0);
    assert_int_equal(f.oom, 0);
    if (f.n) {
      if (ids[0])
        strcat(ids, ",");
      strcat(ids, ew_rule_table[i].id);
    }
  }
  ew_arena_free(&a);
  return ids;
}

static void test_rules_silent_on_kinds_they_do_not_judge(void **state) {
  world *w = *state;
  ew_arena *a = &w->h.a;

  /* A random task: only R16d judges it (here above the cap). */
  ew_record t = task_listing(w, "TK", 30, 0, 100);
  t.u.random_task.officers = fx_strv(a, 1, "O9");
  assert_string_equal(rules_finding(w, &t, EW_SUBJ_RANDOM_TASK, FX_AG1, NULL,
                                    t.u.random_task.drawn_at),
                      "R16d");
  t.u.random_task.population_size = EW_NONE;
  assert_string_equal(rules_finding(w, &t, EW_SUBJ_RANDOM_TASK, FX_AG1, NULL,
                                    t.u.random_task.drawn_at),
                      "");

  /* A complaint and a feedback with valid codes: nothing (R25 only looks). */
  ew_record c;
  c.kind = EW_REC_COMPLAINT;
  ew_rtype_init(ew_rtype_of(c.kind), &c.u);
  c.u.complaint.event_id = "ev-c";
  c.u.complaint.event_time = fx_t(0);
  c.u.complaint.complaint_id = "CP-1";
  c.u.complaint.received_at = fx_t(0);
  c.u.complaint.channel = EW_CHAN_HOTLINE_12345;
  c.u.complaint.subject_type = EW_CSUBJ_ENFORCEMENT_CONDUCT;
  c.u.complaint.enterprise_uscc = FX_ENT;
  c.u.complaint.respondent_agency_uscc = FX_AG1;
  c.u.complaint.category = EW_CAT_ARBITRARY_FEE;
  c.u.complaint.handling_agency_uscc = FX_AG1;
  c.u.complaint.status = EW_CST_CONCLUDED;
  c.u.complaint.finding = EW_FIND_UNSUBSTANTIATED;
  assert_string_equal(
      rules_finding(w, &c, EW_SUBJ_COMPLAINT, FX_AG1, FX_ENT, fx_t(0)), "");
  /* substantiated, about a fee: the complaint rules of issue 4 speak */
  c.u.complaint.finding = EW_FIND_SUBSTANTIATED;
  assert_string_equal(
      rules_finding(w, &c, EW_SUBJ_COMPLAINT, FX_AG1, FX_ENT, fx_t(0)),
      "R21a,R21b");
  ew_record fb;
  fb.kind = EW_REC_FEEDBACK;
  ew_rtype_init(ew_rtype_of(fb.kind), &fb.u);
  fb.u.feedback.event_id = "ev-f";
  fb.u.feedback.event_time = fx_t(0);
  fb.u.feedback.notice_id = "N-1";
  fb.u.feedback.agency_uscc = FX_AG1;
  fb.u.feedback.feedback_at = fx_t(0);
  fb.u.feedback.result = EW_FB_DONE;
  assert_string_equal(
      rules_finding(w, &fb, EW_SUBJ_NOTICE, FX_AG1, NULL, fx_t(0)), "");

  /* An inspection wrong in every way: CANCELLED, nothing is judged;
   * PLANNED, only R25 (ended before started) with the default config. */
  ew_record r = fx_inspection(a, "ev-x", "INS-X", fx_t(0));
  ew_inspection *in = &r.u.inspection;
  in->check_items.n = 0;
  in->approval_id = NULL;
  in->approved_at = EW_NONE;
  in->av_coverage = EW_AV_NONE;
  in->av_record_ids.n = 0;
  in->written_record_id = NULL;
  in->fees_collected_fen = 5000;
  in->production_halted = 1;
  in->ended_at = fx_t(-1);
  in->status = EW_INSP_CANCELLED;
  assert_string_equal(
      rules_finding(w, &r, EW_SUBJ_INSPECTION, FX_AG1, FX_ENT, fx_t(0)), "");
  in->status = EW_INSP_PLANNED;
  assert_string_equal(
      rules_finding(w, &r, EW_SUBJ_INSPECTION, FX_AG1, FX_ENT, fx_t(0)), "R25");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_r02_named_plan_not_counted_says_why),
      T(test_r02_mixed_reasons_message),
      T(test_r02_long_item_list_message_whole),
      T(test_r02_industry_target_without_industry_code),
      cmocka_unit_test(test_uscc_fullwidth_is_charset),
      T(test_r25_fullwidth_uscc),
      T(test_r16d_duplicate_listing_counts_once),
      T(test_rules_silent_on_kinds_they_do_not_judge),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
