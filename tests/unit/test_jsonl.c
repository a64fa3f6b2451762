/*
 * test_jsonl.c - the JSON Lines codec: jsonl_reader and jsonl_writer.
 *
 * Records are compared field by field through their descriptors, so the
 * round-trip tests cover every field of every kind without a hand-written
 * comparison per struct. The full lines below give every top-level field a
 * non-default value (checked by assert_all_present), so a field the writer
 * or the reader forgets cannot hide behind its default.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consumers/jsonl_reader.h"
#include "ewtime.h"
#include "producers/jsonl_writer.h"

#define AG "11622900MB1234567X"
#define JB "11622900MB7654321Y"
#define EN "91622901MA7XXXXX1A"

typedef struct line_case {
  ew_rkind kind;
  const char *line;
} line_case;

/* One full line per kind. alert and notice are in the exact form the
 * writer produces (canonical), so they double as golden output. */
static const line_case full_lines[] = {
    {EW_REC_INSPECTION,
     "{\"type\":\"inspection\",\"event_id\":\"E-INS-001-1\","
     "\"event_time\":\"2025-03-04T09:30:00+08:00\",\"inspection_id\":"
     "\"INS-001\",\"status\":\"ENDED\",\"agency_uscc\":\"" AG "\","
     "\"enterprise_uscc\":\"" EN "\",\"enterprise_region_code\":\"622901\","
     "\"industry_code\":\"C13\",\"check_class\":\"ROUTINE\","
     "\"trigger_type\":\"ANNUAL_PLAN\",\"plan_id\":\"PLAN-2025-01\","
     "\"plan_item_id\":\"ITEM-01\",\"random_task_id\":\"RT-01\","
     "\"joint_plan_id\":\"JP-01\",\"complaint_id\":\"CP-01\","
     "\"case_id\":\"CASE-01\",\"check_items\":[\"C13-01\",\"C13-02\"],"
     "\"approval_id\":\"AP-01\",\"approved_at\":\"2025-03-01T10:00:00Z\","
     "\"emergency\":true,\"mode\":\"ON_SITE\","
     "\"onsite_justification\":\"现场核查必要\",\"officers\":["
     "{\"officer_id\":\"O1\",\"cert_no\":\"甘A001\",\"cert_shown\":true},"
     "{\"officer_id\":\"O2\",\"cert_no\":null,\"cert_shown\":false},"
     "{\"officer_id\":\"O3\"}],"
     "\"started_at\":\"2025-03-04T09:00:00\","
     "\"ended_at\":\"2025-03-04T11:15:30.500+08:00\","
     "\"written_record_id\":\"WR-01\",\"av_coverage\":\"FULL\","
     "\"av_record_ids\":[\"AV-1\"],\"result\":\"RECTIFICATION_ORDERED\","
     "\"soft_measures\":[\"ADMIN_GUIDANCE\",\"ADMIN_WARNING\"],"
     "\"ledger_registered_at\":1741072800000,"
     "\"ledger_signed_by\":[\"O1\",\"O2\"],"
     "\"result_published_at\":\"2025-03-10\",\"fees_collected_fen\":0,"
     "\"production_halted\":true}"},
    {EW_REC_COMPLAINT,
     "{\"type\":\"complaint\",\"event_id\":\"E-CP-1\",\"event_time\":"
     "\"2025-04-01T08:00:00Z\",\"complaint_id\":\"CP-01\",\"received_at\":"
     "\"2025-04-01T15:59:00+08:00\",\"channel\":\"HOTLINE_12345\","
     "\"subject_type\":\"ENFORCEMENT_CONDUCT\",\"complainant_uscc\":\"" EN
     "\",\"enterprise_uscc\":\"" EN "\",\"respondent_agency_uscc\":\"" AG
     "\",\"respondent_officer_ids\":[\"O1\"],\"related_inspection_id\":"
     "\"INS-001\",\"related_penalty_id\":\"临市监罚〔2025〕1号\","
     "\"category\":\"SINGLE_OFFICER\",\"handling_agency_uscc\":\"" JB "\","
     "\"status\":\"CONCLUDED\",\"accepted_at\":\"2025-04-02\","
     "\"rejected_at\":\"2025-04-03\",\"extension_days\":15,"
     "\"finding\":\"PARTLY_SUBSTANTIATED\",\"suspected_discipline\":true,"
     "\"concluded_at\":\"2025-05-01T12:00:00+0800\","
     "\"feedback_at\":\"2025-05-02T12:00:00+08\"}"},
    {EW_REC_PENALTY,
     "{\"type\":\"penalty\",\"event_id\":\"E-PN-1\",\"event_time\":"
     "\"2025-05-01T10:00:00+08:00\",\"decision_no\":\"临市监罚〔2025〕1号\","
     "\"case_id\":\"CASE-01\",\"agency_uscc\":\"" AG "\","
     "\"enterprise_uscc\":\"" EN "\",\"enterprise_region_code\":\"622901\","
     "\"industry_code\":\"C13\",\"filed_at\":\"2025-04-01\","
     "\"notice_of_rights_at\":\"2025-04-10\",\"decided_at\":"
     "\"2025-04-20T09:00:00+08:00\",\"published_at\":\"2025-04-25\","
     "\"withdrawn_at\":\"2025-04-30\",\"procedure\":\"HEARING\","
     "\"penalty_types\":[\"WARNING\",\"FINE\"],\"fine_fen\":500000,"
     "\"confiscated_fen\":120000,\"violation_code\":\"V-001\","
     "\"benchmark_id\":\"BM-01\",\"benchmark_cited\":true,"
     "\"discretion_level\":\"LENIENT\",\"factor_codes\":[\"F1\",\"F2\"],"
     "\"first_offense\":true,\"corrected\":true,\"harm_level\":\"SERIOUS\","
     "\"is_major\":true,\"legal_review_id\":\"LR-01\","
     "\"legal_review_at\":\"2025-04-18\",\"legal_review_passed\":false,"
     "\"collective_discussion\":true,\"hearing_offered\":true,"
     "\"hearing_waived\":false,\"compulsory_measures\":[\"SEAL\"],"
     "\"credit_measures\":[\"PUBLIC_EXPOSURE\"],"
     "\"credit_measure_legal_basis\":\"信用条例第12条\","
     "\"officers\":[{\"officer_id\":\"O1\",\"cert_no\":\"甘A001\","
     "\"cert_shown\":true}],\"av_coverage\":\"PARTIAL\"}"},
    {EW_REC_FEEDBACK,
     "{\"type\":\"feedback\",\"event_id\":\"E-FB-1\",\"event_time\":"
     "\"2025-06-01T10:00:00+08:00\",\"notice_id\":\"NT-01\","
     "\"agency_uscc\":\"" AG "\",\"feedback_at\":\"2025-06-01T09:00:00\","
     "\"result\":\"PARTIAL\",\"summary\":\"已整改两项，一项正在办理。\"}"},
    {EW_REC_AGENCY,
     "{\"type\":\"agency\",\"agency_uscc\":\"" AG "\",\"name\":"
     "\"临夏州市场监督管理局\",\"region_code\":\"622900\",\"level\":"
     "\"PREFECTURE\",\"parent_agency_uscc\":\"11620000MB0000000A\","
     "\"has_inspection_power\":false,\"justice_bureau_uscc\":\"" JB "\"}"},
    {EW_REC_PLAN,
     "{\"type\":\"plan\",\"plan_id\":\"PLAN-2025-01\",\"agency_uscc\":\"" AG
     "\",\"year\":2025,\"plan_type\":\"JOINT_INSPECTION\",\"status\":"
     "\"FILED\",\"filed_at\":\"2025-01-15\",\"items\":[{\"item_id\":"
     "\"ITEM-01\",\"check_item_code\":\"C13-01\",\"target_industries\":"
     "[\"C13\",\"C14\"],\"target_usccs\":[],\"max_per_enterprise\":2,"
     "\"mode\":\"ON_SITE\",\"window_start\":\"2025-03-01\",\"window_end\":"
     "\"2025-06-30T23:59:59+08:00\"},{\"item_id\":\"ITEM-02\","
     "\"check_item_code\":\"C13-02\",\"target_usccs\":[\"" EN "\"],"
     "\"max_per_enterprise\":null,\"window_start\":\"2025-07-01\","
     "\"window_end\":\"2025-09-30\"}],"
     "\"participant_agency_usccs\":[\"" JB "\"]}"},
    {EW_REC_APPROVAL,
     "{\"type\":\"approval\",\"approval_id\":\"AP-01\",\"agency_uscc\":"
     "\"" AG "\",\"enterprise_uscc\":\"" EN "\",\"inspection_id\":"
     "\"INS-001\",\"approved_at\":\"2025-03-01T10:00:00+08:00\","
     "\"valid_until\":\"2025-03-31T00:00:00+08:00\"}"},
    {EW_REC_CERTIFICATE,
     "{\"type\":\"certificate\",\"cert_no\":\"甘A001\",\"officer_id\":\"O1\","
     "\"agency_uscc\":\"" AG "\",\"valid_from\":\"2023-01-01\","
     "\"valid_to\":\"2027-12-31T23:59:59+08:00\",\"status\":\"ACTIVE\"}"},
    {EW_REC_BENCHMARK,
     "{\"type\":\"benchmark\",\"benchmark_id\":\"BM-01\",\"violation_code\":"
     "\"V-001\",\"agency_uscc\":\"" AG "\",\"statutory_min_fen\":100000,"
     "\"statutory_max_fen\":10000000,\"hearing_threshold_fen\":5000000,"
     "\"levels\":[{\"level\":\"MITIGATED\",\"min_fen\":100000,\"max_fen\":"
     "300000},{\"level\":\"GENERAL\",\"min_fen\":300000,\"max_fen\":"
     "7000000},{\"level\":\"HEAVY\",\"min_fen\":7000000,\"max_fen\":"
     "10000000}]}"},
    {EW_REC_LENIENCY_ITEM,
     "{\"type\":\"leniency_item\",\"item_id\":\"LI-01\",\"violation_code\":"
     "\"V-001\",\"kind\":\"FIRST_OFFENSE_NO_PENALTY\",\"lookback_days\":365,"
     "\"harm_max\":\"NONE\",\"must_correct\":false}"},
    {EW_REC_SAMPLING_ITEM,
     "{\"type\":\"sampling_item\",\"item_code\":\"C13-01\",\"agency_uscc\":"
     "\"" AG "\",\"special_sector\":true,\"remote_capable\":true}"},
    {EW_REC_RANDOM_TASK,
     "{\"type\":\"random_task\",\"task_id\":\"RT-01\",\"agency_uscc\":\"" AG
     "\",\"check_item_code\":\"C13-01\",\"drawn_at\":"
     "\"2025-02-20T10:00:00+08:00\",\"enterprises\":[\"" EN
     "\",\"91622901MA7YYYYY2B\"],\"officers\":[\"O1\",\"O2\"],"
     "\"population_size\":120,\"completed_at\":\"2025-05-01\","
     "\"published_at\":\"2025-05-10\"}"},
    {EW_REC_CREDIT_GRADE,
     "{\"type\":\"credit_grade\",\"enterprise_uscc\":\"" EN "\",\"grade\":"
     "\"B\",\"as_of\":\"2025-01-01\"}"},
    {EW_REC_CALENDAR_DAY,
     "{\"type\":\"calendar_day\",\"date\":\"2025-01-26\",\"is_workday\":"
     "true}"},
    {EW_REC_ALERT,
     "{\"kind\":\"alert\",\"alert_id\":\"EW-R05-0123456789abcdef\","
     "\"rule_id\":\"R05\",\"severity\":\"HIGH\",\"status\":\"OPEN\","
     "\"detected_at\":\"2025-03-04T09:30:00+08:00\",\"agency_uscc\":\"" AG
     "\",\"enterprise_uscc\":\"" EN "\",\"region_code\":\"622901\","
     "\"subject_type\":\"INSPECTION\",\"subject_id\":\"INS-001\","
     "\"evidence_event_ids\":[\"E-INS-001-1\"],\"facts\":{"
     "\"officers_listed\":\"2\",\"officers_certified\":\"1\","
     "\"minimum\":\"2\"},\"legal_basis\":"
     "\"临州办发〔2023〕18号 ¶3；行政处罚法第42条\",\"message\":"
     "\"临夏州市场监督管理局对企业91622901MA7XXXXX的现场检查INS-001仅有1名"
     "持有效执法证的执法人员，少于规定的2名。\",\"due_at\":"
     "\"2025-03-11T09:30:00.250+08:00\"}"},
    {EW_REC_NOTICE,
     "{\"kind\":\"notice\",\"notice_id\":\"NT-01\",\"notice_type\":"
     "\"SUPERVISION_OPINION\",\"issuer_uscc\":\"" JB "\","
     "\"recipient_agency_uscc\":\"" AG "\",\"cc_usccs\":"
     "[\"11620000MB0000000A\"],\"alert_ids\":[\"EW-R05-0123456789abcdef\"],"
     "\"findings\":\"发现问题\",\"legal_basis\":[\"临州办发〔2023〕18号 ¶3\"],"
     "\"required_actions\":[\"整改\",\"反馈\"],\"issued_at\":"
     "\"2025-03-05T00:00:00+08:00\",\"rectification_due_at\":"
     "\"2025-04-05T00:00:00+08:00\",\"feedback_due_at\":"
     "\"2025-04-10T00:00:00+08:00\"}"},
    {EW_REC_STATS,
     "{\"type\":\"stats\",\"agency_uscc\":\"" AG "\",\"period\":\"2025-Q1\","
     "\"metric\":\"inspections_total\",\"value\":42,\"as_of\":"
     "\"2025-03-31T23:59:59+08:00\"}"},
};
#define NFULL (sizeof full_lines / sizeof full_lines[0])

/* ---- helpers ---- */

static int parse(const char *line, ew_record *rec, int *tomb, ew_arena *a,
                 char *err, size_t errsz) {
  return ew_jsonl_parse(line, strlen(line), rec, tomb, a, err, errsz);
}

static void parse_ok(const char *line, ew_record *rec, ew_arena *a) {
  char err[256];
  int tomb = -1;
  int rc = parse(line, rec, &tomb, a, err, sizeof err);
  if (rc != 0)
    print_error("refused: %s\n  line: %s\n", err, line);
  assert_int_equal(rc, 0);
  assert_int_equal(tomb, 0);
}

/* Parses a line that must fail and checks the reason contains `want`. */
static void parse_bad(const char *line, const char *want) {
  ew_arena a = EW_ARENA_INIT;
  ew_record rec;
  char err[256];
  int tomb = 0;
  int rc = parse(line, &rec, &tomb, &a, err, sizeof err);
  if (rc != -1 || !strstr(err, want))
    print_error("line: %s\n  rc %d, reason: %s\n  wanted: %s\n", line, rc, err,
                want);
  assert_int_equal(rc, -1);
  assert_non_null(strstr(err, want));
  assert_null(strchr(err, '\n'));
  assert_int_equal(tomb, 0);
  ew_arena_free(&a);
}

static const char *str_at(const void *body, size_t off) {
  const char *s;
  memcpy(&s, (const char *)body + off, sizeof s);
  return s;
}

typedef struct anyvec {
  const void *v;
  size_t n;
} anyvec;

/* Field-by-field equality through the descriptor; reports the first
 * difference. */
static int body_equal(const ew_rtype *t, const void *a, const void *b) {
  for (size_t i = 0; i < t->nfields; i++) {
    const ew_field *f = &t->fields[i];
    const char *pa = (const char *)a + f->offset;
    const char *pb = (const char *)b + f->offset;
    int same = 1;
    switch (f->type) {
    case EW_FT_STR: {
      const char *sa = str_at(a, f->offset), *sb = str_at(b, f->offset);
      same = (!sa && !sb) || (sa && sb && strcmp(sa, sb) == 0);
      break;
    }
    case EW_FT_TIME:
    case EW_FT_LONG:
      same = memcmp(pa, pb, sizeof(int64_t)) == 0;
      break;
    case EW_FT_BOOL:
      same = *(const int8_t *)pa == *(const int8_t *)pb;
      break;
    case EW_FT_ENUM:
      same = memcmp(pa, pb, sizeof(int)) == 0;
      break;
    default: {
      anyvec va, vb;
      memcpy(&va, pa, sizeof va);
      memcpy(&vb, pb, sizeof vb);
      same = va.n == vb.n;
      for (size_t j = 0; same && j < va.n; j++) {
        if (f->type == EW_FT_STRV) {
          same = strcmp(((const char *const *)va.v)[j],
                        ((const char *const *)vb.v)[j]) == 0;
        } else if (f->type == EW_FT_ENUMV) {
          same = ((const int *)va.v)[j] == ((const int *)vb.v)[j];
        } else if (f->type == EW_FT_RECV) {
          same = body_equal(f->sub, (const char *)va.v + j * f->sub->size,
                            (const char *)vb.v + j * f->sub->size);
        } else {
          const ew_fact *fa = va.v, *fb = vb.v;
          same = strcmp(fa[j].key, fb[j].key) == 0 &&
                 strcmp(fa[j].value, fb[j].value) == 0;
        }
      }
    }
    }
    if (!same) {
      print_error("%s.%s differs\n", t->name, f->name);
      return 0;
    }
  }
  return 1;
}

/* Every top-level field holds a value (arrays non-empty). */
static void assert_all_present(const ew_rtype *t, const void *body) {
  for (size_t i = 0; i < t->nfields; i++) {
    const ew_field *f = &t->fields[i];
    const char *p = (const char *)body + f->offset;
    int present;
    switch (f->type) {
    case EW_FT_STR:
      present = str_at(body, f->offset) != NULL;
      break;
    case EW_FT_TIME:
    case EW_FT_LONG: {
      int64_t v;
      memcpy(&v, p, sizeof v);
      present = v != EW_NONE;
      break;
    }
    case EW_FT_BOOL:
      present = *(const int8_t *)p != EW_BOOL_NONE;
      break;
    case EW_FT_ENUM: {
      int v;
      memcpy(&v, p, sizeof v);
      present = v != EW_ENUM_NONE;
      break;
    }
    default: {
      anyvec v;
      memcpy(&v, p, sizeof v);
      present = v.n > 0 && v.v != NULL;
    }
    }
    if (!present)
      print_error("%s.%s is absent in the full line\n", t->name, f->name);
    assert_true(present);
  }
}

/* ---- reader: full lines ---- */

static void test_full_lines_cover_every_kind(void **state) {
  (void)state;
  int seen[EW_REC_COUNT] = {0};
  ew_arena a = EW_ARENA_INIT;
  assert_int_equal(NFULL, EW_REC_COUNT);
  for (size_t i = 0; i < NFULL; i++) {
    ew_record rec;
    parse_ok(full_lines[i].line, &rec, &a);
    assert_int_equal(rec.kind, full_lines[i].kind);
    assert_all_present(ew_rtype_of(rec.kind), ew_record_body(&rec));
    seen[rec.kind]++;
    ew_arena_reset(&a);
  }
  for (int k = 0; k < EW_REC_COUNT; k++)
    assert_int_equal(seen[k], 1);
  ew_arena_free(&a);
}

static void test_parse_inspection(void **state) {
  (void)state;
  ew_arena a = EW_ARENA_INIT;
  ew_record rec;
  parse_ok(full_lines[EW_REC_INSPECTION].line, &rec, &a);
  const ew_inspection *in = &rec.u.inspection;
  assert_string_equal(in->event_id, "E-INS-001-1");
  assert_int_equal(in->event_time, 1741051800000LL);
  assert_string_equal(in->inspection_id, "INS-001");
  assert_int_equal(in->status, EW_INSP_ENDED);
  assert_string_equal(in->agency_uscc, AG);
  assert_int_equal(in->trigger_type, EW_TRIG_ANNUAL_PLAN);
  assert_int_equal(in->check_items.n, 2);
  assert_string_equal(in->check_items.v[1], "C13-02");
  assert_int_equal(in->approved_at, 1740823200000LL);
  assert_int_equal(in->emergency, 1);
  assert_int_equal(in->mode, EW_MODE_ON_SITE);
  assert_string_equal(in->onsite_justification, "现场核查必要");
  assert_int_equal(in->officers.n, 3);
  assert_string_equal(in->officers.v[0].officer_id, "O1");
  assert_string_equal(in->officers.v[0].cert_no, "甘A001");
  assert_int_equal(in->officers.v[0].cert_shown, 1);
  assert_string_equal(in->officers.v[1].officer_id, "O2");
  assert_null(in->officers.v[1].cert_no);
  assert_int_equal(in->officers.v[1].cert_shown, 0);
  assert_null(in->officers.v[2].cert_no); /* absent: sub-record defaults */
  assert_int_equal(in->officers.v[2].cert_shown, 0);
  assert_int_equal(in->started_at, 1741050000000LL); /* no offset: +08:00 */
  assert_int_equal(in->ended_at, 1741058130500LL);
  assert_int_equal(in->av_coverage, EW_AV_FULL);
  assert_int_equal(in->result, EW_RES_RECTIFICATION_ORDERED);
  assert_int_equal(in->soft_measures.n, 2);
  assert_int_equal(in->soft_measures.v[0], EW_SOFT_ADMIN_GUIDANCE);
  assert_int_equal(in->soft_measures.v[1], EW_SOFT_ADMIN_WARNING);
  assert_int_equal(in->ledger_registered_at, 1741072800000LL); /* epoch ms */
  assert_int_equal(in->result_published_at, ew_time_from_civil(2025, 3, 10));
  assert_int_equal(in->fees_collected_fen, 0);
  assert_int_equal(in->production_halted, 1);
  assert_string_equal(ew_record_id(&rec), "INS-001");
  ew_arena_free(&a);
}

static void test_parse_plan_items(void **state) {
  (void)state;
  ew_arena a = EW_ARENA_INIT;
  ew_record rec;
  parse_ok(full_lines[EW_REC_PLAN].line, &rec, &a);
  const ew_plan *p = &rec.u.plan;
  assert_string_equal(p->plan_id, "PLAN-2025-01");
  assert_int_equal(p->year, 2025);
  assert_int_equal(p->plan_type, EW_PLAN_JOINT_INSPECTION);
  assert_int_equal(p->status, EW_PST_FILED);
  assert_int_equal(p->items.n, 2);
  const ew_plan_item *i0 = &p->items.v[0], *i1 = &p->items.v[1];
  assert_string_equal(i0->item_id, "ITEM-01");
  assert_int_equal(i0->target_industries.n, 2);
  assert_string_equal(i0->target_industries.v[1], "C14");
  assert_int_equal(i0->target_usccs.n, 0); /* [] */
  assert_int_equal(i0->max_per_enterprise, 2);
  assert_int_equal(i0->mode, EW_MODE_ON_SITE);
  assert_int_equal(i0->window_start, ew_time_from_civil(2025, 3, 1));
  assert_int_equal(i0->window_end, ew_time_from_civil(2025, 7, 1) - 1000);
  assert_string_equal(i1->check_item_code, "C13-02");
  assert_int_equal(i1->target_industries.n, 0); /* absent */
  assert_int_equal(i1->target_usccs.n, 1);
  assert_string_equal(i1->target_usccs.v[0], EN);
  assert_int_equal(i1->max_per_enterprise, EW_NONE); /* null */
  assert_int_equal(i1->mode, EW_ENUM_NONE);          /* absent */
  assert_int_equal(p->participant_agency_usccs.n, 1);
  ew_arena_free(&a);
}

static void test_parse_benchmark_levels(void **state) {
  (void)state;
  ew_arena a = EW_ARENA_INIT;
  ew_record rec;
  parse_ok(full_lines[EW_REC_BENCHMARK].line, &rec, &a);
  const ew_benchmark *b = &rec.u.benchmark;
  assert_int_equal(b->statutory_max_fen, 10000000);
  assert_int_equal(b->hearing_threshold_fen, 5000000);
  assert_int_equal(b->levels.n, 3);
  assert_int_equal(b->levels.v[0].level, EW_DL_MITIGATED);
  assert_int_equal(b->levels.v[1].level, EW_DL_GENERAL);
  assert_int_equal(b->levels.v[1].min_fen, 300000);
  assert_int_equal(b->levels.v[2].level, EW_DL_HEAVY);
  assert_int_equal(b->levels.v[2].max_fen, 10000000);
  ew_arena_free(&a);
}

static void test_parse_alert_facts(void **state) {
  (void)state;
  ew_arena a = EW_ARENA_INIT;
  ew_record rec;
  parse_ok(full_lines[EW_REC_ALERT].line, &rec, &a);
  const ew_alert *al = &rec.u.alert;
  assert_int_equal(rec.kind, EW_REC_ALERT);
  assert_int_equal(al->severity, EW_SEV_HIGH);
  assert_int_equal(al->subject_type, EW_SUBJ_INSPECTION);
  assert_int_equal(al->facts.n, 3);
  assert_string_equal(al->facts.v[0].key, "officers_listed");
  assert_string_equal(al->facts.v[0].value, "2");
  assert_string_equal(al->facts.v[2].key, "minimum");
  assert_string_equal(al->legal_basis,
                      "临州办发〔2023〕18号 ¶3；行政处罚法第42条");
  assert_non_null(strstr(al->message, "少于规定的2名。"));
  assert_int_equal(al->due_at, 1741051800000LL + 7 * EW_DAY_MS + 250);
  ew_arena_free(&a);
}

static void test_facts_keep_order(void **state) {
  (void)state;
  ew_arena a = EW_ARENA_INIT;
  ew_record rec;
  parse_ok("{\"type\":\"alert\",\"alert_id\":\"A\",\"rule_id\":\"R02\","
           "\"severity\":\"INFO\",\"status\":\"WITHDRAWN\",\"detected_at\":0,"
           "\"subject_type\":\"PLAN\",\"subject_id\":\"P\",\"facts\":{"
           "\"z\":\"1\",\"a\":\"2\",\"m\":\"\",\"原因\":\"无计划\"},"
           "\"legal_basis\":\"L\",\"message\":\"M\"}",
           &rec, &a);
  const ew_alert *al = &rec.u.alert;
  assert_int_equal(al->status, EW_AST_WITHDRAWN);
  assert_int_equal(al->facts.n, 4);
  assert_string_equal(al->facts.v[0].key, "z");
  assert_string_equal(al->facts.v[1].key, "a");
  assert_string_equal(al->facts.v[2].key, "m");
  assert_string_equal(al->facts.v[2].value, "");
  assert_string_equal(al->facts.v[3].key, "原因");
  assert_string_equal(al->facts.v[3].value, "无计划");
  assert_null(al->agency_uscc);
  assert_int_equal(al->evidence_event_ids.n, 0);
  assert_int_equal(al->due_at, EW_NONE);
  /* The same line with "kind" reads the same. */
  ew_record rec2;
  parse_ok("{\"kind\":\"stats\",\"agency_uscc\":\"" AG "\",\"period\":"
           "\"2025-03\",\"metric\":\"fines_fen\",\"value\":-5,\"as_of\":0}",
           &rec2, &a);
  assert_int_equal(rec2.kind, EW_REC_STATS);
  assert_int_equal(rec2.u.stats.value, -5);
  ew_arena_free(&a);
}

/* ---- reader: defaults ---- */

static void test_defaults(void **state) {
  (void)state;
  ew_arena a = EW_ARENA_INIT;
  ew_record rec;

  parse_ok("{\"type\":\"inspection\",\"event_id\":\"E1\",\"event_time\":"
           "\"2025-03-04T09:30:00+08:00\",\"inspection_id\":\"I1\",\"status\":"
           "\"PLANNED\",\"agency_uscc\":\"" AG "\",\"enterprise_uscc\":\"" EN
           "\",\"check_class\":\"CASE\",\"trigger_type\":\"COMPLAINT\","
           "\"mode\":\"REMOTE\",\"plan_id\":null,\"officers\":null,"
           "\"emergency\":null}",
           &rec, &a);
  const ew_inspection *in = &rec.u.inspection;
  assert_int_equal(in->av_coverage, EW_AV_NONE);
  assert_int_equal(in->emergency, 0);
  assert_int_equal(in->production_halted, 0);
  assert_int_equal(in->fees_collected_fen, 0);
  assert_null(in->plan_id);
  assert_null(in->enterprise_region_code);
  assert_int_equal(in->started_at, EW_NONE);
  assert_int_equal(in->result, EW_ENUM_NONE);
  assert_int_equal(in->officers.n, 0);
  assert_null(in->officers.v);
  assert_int_equal(in->check_items.n, 0);
  assert_int_equal(in->soft_measures.n, 0);

  parse_ok("{\"type\":\"penalty\",\"event_id\":\"E2\",\"event_time\":0,"
           "\"decision_no\":\"D1\",\"agency_uscc\":\"" AG "\","
           "\"enterprise_uscc\":\"" EN "\",\"violation_code\":\"V1\"}",
           &rec, &a);
  const ew_penalty *pn = &rec.u.penalty;
  assert_int_equal(pn->procedure, EW_PROC_GENERAL);
  assert_int_equal(pn->harm_level, EW_HARM_MINOR);
  assert_int_equal(pn->legal_review_passed, EW_BOOL_NONE);
  assert_int_equal(pn->fine_fen, 0);
  assert_int_equal(pn->benchmark_cited, 0);
  assert_int_equal(pn->discretion_level, EW_ENUM_NONE);
  assert_int_equal(pn->av_coverage, EW_AV_NONE);
  assert_int_equal(pn->decided_at, EW_NONE);

  parse_ok("{\"type\":\"leniency_item\",\"item_id\":\"L1\","
           "\"violation_code\":\"V1\",\"kind\":\"LIGHTER\"}",
           &rec, &a);
  assert_int_equal(rec.u.leniency_item.kind, EW_LEN_LIGHTER);
  assert_int_equal(rec.u.leniency_item.lookback_days, 730);
  assert_int_equal(rec.u.leniency_item.harm_max, EW_HARM_MINOR);
  assert_int_equal(rec.u.leniency_item.must_correct, 1);

  parse_ok("{\"type\":\"agency\",\"agency_uscc\":\"" AG "\",\"name\":\"N\","
           "\"region_code\":\"622900\",\"level\":\"COUNTY\","
           "\"justice_bureau_uscc\":\"" JB "\",\"has_inspection_power\":null}",
           &rec, &a);
  assert_int_equal(rec.u.agency.has_inspection_power, 1);
  assert_null(rec.u.agency.parent_agency_uscc);

  parse_ok("{\"type\":\"sampling_item\",\"item_code\":\"C1\",\"agency_uscc\":"
           "\"" AG "\"}",
           &rec, &a);
  assert_int_equal(rec.u.sampling_item.special_sector, 0);
  assert_int_equal(rec.u.sampling_item.remote_capable, 0);

  parse_ok("{\"type\":\"complaint\",\"event_id\":\"E3\",\"event_time\":0,"
           "\"complaint_id\":\"C1\",\"received_at\":0,\"channel\":\"WEB\","
           "\"subject_type\":\"ENTERPRISE_VIOLATION\",\"category\":\"OTHER\","
           "\"handling_agency_uscc\":\"" AG "\",\"status\":\"RECEIVED\"}",
           &rec, &a);
  assert_int_equal(rec.u.complaint.extension_days, 0);
  assert_int_equal(rec.u.complaint.suspected_discipline, 0);
  assert_int_equal(rec.u.complaint.finding, EW_ENUM_NONE);
  ew_arena_free(&a);
}

static void test_time_forms(void **state) {
  (void)state;
  ew_arena a = EW_ARENA_INIT;
  ew_record rec;
  const char *forms[] = {"1741051800000", "\"2025-03-04T09:30:00+08:00\"",
                         "\"2025-03-04T09:30:00\"", "\"2025-03-04T01:30:00Z\"",
                         "\"2025-03-04T09:30:00.000+0800\""};
  for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
    char line[256];
    snprintf(line, sizeof line,
             "{\"type\":\"credit_grade\",\"enterprise_uscc\":\"" EN
             "\",\"grade\":\"A\",\"as_of\":%s}",
             forms[i]);
    parse_ok(line, &rec, &a);
    assert_int_equal(rec.u.credit_grade.as_of, 1741051800000LL);
  }
  parse_ok("{\"type\":\"credit_grade\",\"enterprise_uscc\":\"" EN "\","
           "\"grade\":\"D\",\"as_of\":-1}",
           &rec, &a);
  assert_int_equal(rec.u.credit_grade.as_of, -1);
  ew_arena_free(&a);
}

static void test_blank_lines(void **state) {
  (void)state;
  ew_arena a = EW_ARENA_INIT;
  ew_record rec;
  char err[64];
  int tomb = 7;
  assert_int_equal(ew_jsonl_parse("", 0, &rec, &tomb, &a, err, sizeof err), 1);
  assert_int_equal(tomb, 0);
  assert_int_equal(parse("   ", &rec, &tomb, &a, err, sizeof err), 1);
  assert_int_equal(parse(" \t\r", &rec, &tomb, &a, err, sizeof err), 1);
  /* A CRLF line's '\r' is JSON white space, not an error. */
  parse_ok("{\"type\":\"calendar_day\",\"date\":\"2025-01-01\","
           "\"is_workday\":false}\r",
           &rec, &a);
  assert_int_equal(rec.u.calendar_day.is_workday, 0);
  /* A UTF-8 byte order mark (first line of a Windows-made file) is skipped. */
  parse_ok("\xEF\xBB\xBF{\"type\":\"calendar_day\",\"date\":\"2025-01-26\","
           "\"is_workday\":true}",
           &rec, &a);
  assert_int_equal(rec.u.calendar_day.is_workday, 1);
  assert_int_equal(parse("\xEF\xBB\xBF", &rec, &tomb, &a, err, sizeof err), 1);
  parse_bad("\xEF\xBB{}", "invalid JSON");
  ew_arena_free(&a);
}

/* ---- reader: errors ---- */

#define INSP_HEAD                                                              \
  "{\"type\":\"inspection\",\"event_id\":\"E1\",\"event_time\":0,"             \
  "\"inspection_id\":\"I1\",\"status\":\"STARTED\",\"agency_uscc\":\"" AG      \
  "\",\"enterprise_uscc\":\"" EN "\",\"check_class\":\"ROUTINE\","             \
  "\"trigger_type\":\"ANNUAL_PLAN\",\"mode\":\"ON_SITE\""

static void test_errors_json(void **state) {
  (void)state;
  parse_bad("{\"type\":\"plan\",", "invalid JSON at column");
  parse_bad("not json", "invalid JSON");
  parse_bad("{\"type\":\"calendar_day\",\"date\":\"2025-01-01\","
            "\"is_workday\":true} {}",
            "invalid JSON");
  parse_bad("{\"type\":\"calendar_day\",\"date\":\"2025-01-01\","
            "\"is_workday\":true,}",
            "invalid JSON");
  parse_bad("{\"type\":\"calendar_day\",\"date\":\"2025-01-01\","
            "\"date\":\"2025-01-02\",\"is_workday\":true}",
            "duplicate");
  parse_bad("{\"type\":\"calendar_day\",\"date\":\"2025\\u0000\","
            "\"is_workday\":true}",
            "invalid JSON");
  parse_bad("{\"type\":\"calendar_day\",\"date\":\"\xff\xfe\","
            "\"is_workday\":true}",
            "invalid JSON");
  parse_bad("[1,2]", "expected a JSON object, got an array");
  parse_bad("\"inspection\"", "invalid JSON");
}

static void test_errors_type(void **state) {
  (void)state;
  parse_bad("{\"plan_id\":\"P\"}", "missing \"type\"");
  parse_bad("{}", "missing \"type\"");
  parse_bad("{\"type\":5}", "field \"type\": expected a record type string");
  parse_bad("{\"type\":null}", "field \"type\": expected");
  parse_bad("{\"type\":\"inspectoin\"}",
            "field \"type\": unknown record type \"inspectoin\"");
  parse_bad("{\"type\":\"Plan\",\"plan_id\":\"P\"}", "unknown record type");
  parse_bad("{\"kind\":\"inspection\",\"event_id\":\"E\"}",
            "field \"event_time\": required field is missing");
  parse_bad("{\"kind\":\"inspection\",\"type\":\"inspection\"}",
            "field \"kind\": unknown field of inspection");
  /* "kind" naming no record kind is not a tag. */
  parse_bad("{\"kind\":\"LIGHTER\",\"item_id\":\"L\"}", "missing \"type\"");
  /* With both, "type" is the tag and "kind" an ordinary (unknown) field. */
  parse_bad("{\"type\":\"stats\",\"kind\":\"stats\",\"agency_uscc\":\"A\","
            "\"period\":\"P\",\"metric\":\"M\",\"value\":1,\"as_of\":0}",
            "field \"kind\": unknown field of stats");
}

static void test_errors_fields(void **state) {
  (void)state;
  parse_bad(INSP_HEAD ",\"statsu\":\"ENDED\"}",
            "field \"statsu\": unknown field of inspection");
  parse_bad(INSP_HEAD ",\"officers\":[{\"officer_id\":\"O1\","
                      "\"cert_shwon\":true}]}",
            "field \"officers[0].cert_shwon\": unknown field of officer");
  parse_bad(INSP_HEAD ",\"officers\":[{\"officer_id\":\"O1\"},"
                      "{\"officer_id\":\"O2\",\"cert_shown\":\"yes\"}]}",
            "field \"officers[1].cert_shown\": expected true or false");
  parse_bad(INSP_HEAD ",\"officers\":[\"O1\"]}",
            "field \"officers[0]\": expected an object, got a string");
  parse_bad(INSP_HEAD ",\"officers\":{\"officer_id\":\"O1\"}}",
            "field \"officers\": expected an array of objects");
  parse_bad(INSP_HEAD ",\"officers\":[{\"cert_shown\":true}]}",
            "field \"officers[0].officer_id\": required field is missing");
  parse_bad(INSP_HEAD ",\"officers\":[{\"officer_id\":\"\"}]}",
            "field \"officers[0].officer_id\": must not be empty");
  parse_bad(INSP_HEAD ",\"result\":\"FINE\"}",
            "field \"result\": unknown InspectionResult value \"FINE\"");
  parse_bad(INSP_HEAD ",\"av_coverage\":\"full\"}",
            "field \"av_coverage\": unknown AvCoverage value \"full\"");
  parse_bad(INSP_HEAD ",\"av_coverage\":2}",
            "field \"av_coverage\": expected a AvCoverage string, got an "
            "integer");
  parse_bad(INSP_HEAD ",\"soft_measures\":[\"ADMIN_GUIDANCE\",\"HUG\"]}",
            "field \"soft_measures[1]\": unknown SoftMeasure value \"HUG\"");
  parse_bad(INSP_HEAD ",\"soft_measures\":\"ADMIN_GUIDANCE\"}",
            "field \"soft_measures\": expected an array of SoftMeasure");
  parse_bad(INSP_HEAD ",\"check_items\":[\"C1\",1]}",
            "field \"check_items[1]\": expected a string, got an integer");
  parse_bad(INSP_HEAD ",\"check_items\":[\"C1\",null]}",
            "field \"check_items[1]\": expected a string, got null");
  parse_bad(INSP_HEAD ",\"check_items\":\"C1\"}",
            "field \"check_items\": expected an array of strings");
  parse_bad(INSP_HEAD ",\"fees_collected_fen\":5.0}",
            "field \"fees_collected_fen\": expected an integer, got a real");
  parse_bad(INSP_HEAD ",\"fees_collected_fen\":\"5\"}",
            "field \"fees_collected_fen\": expected an integer, got a string");
  parse_bad(INSP_HEAD ",\"fees_collected_fen\":99999999999999999999}",
            "invalid JSON");
  parse_bad(INSP_HEAD ",\"emergency\":1}",
            "field \"emergency\": expected true or false");
  parse_bad(INSP_HEAD ",\"emergency\":\"false\"}",
            "field \"emergency\": expected true or false");
  parse_bad(INSP_HEAD ",\"plan_id\":7}",
            "field \"plan_id\": expected a string, got an integer");
  parse_bad(INSP_HEAD ",\"started_at\":\"2025-02-29T09:00:00+08:00\"}",
            "field \"started_at\": expected an ISO-8601 time");
  parse_bad(INSP_HEAD ",\"started_at\":\"2025-03-04T25:00:00\"}",
            "got \"2025-03-04T25:00:00\"");
  parse_bad(INSP_HEAD ",\"started_at\":\"yesterday\"}", "\"yesterday\"");
  parse_bad(INSP_HEAD ",\"started_at\":1.7e12}",
            "field \"started_at\": expected an ISO-8601 time string or epoch "
            "milliseconds, got a real number");
  parse_bad(INSP_HEAD ",\"started_at\":true}", "got a boolean");
  parse_bad(INSP_HEAD ",\"deleted\":false}",
            "field \"deleted\": only reference records");
  parse_bad("{\"type\":\"plan\",\"plan_id\":\"P\",\"agency_uscc\":\"" AG
            "\",\"year\":\"2025\",\"plan_type\":\"JOINT_INSPECTION\","
            "\"status\":\"FILED\"}",
            "field \"year\": expected an integer, got a string");
  parse_bad("{\"type\":\"plan\",\"plan_id\":\"P\",\"agency_uscc\":\"" AG
            "\",\"year\":2025,\"plan_type\":\"JOINT_INSPECTION\","
            "\"status\":\"FILED\",\"items\":[{\"item_id\":\"I\","
            "\"check_item_code\":\"C\",\"window_start\":\"2025-01-01\","
            "\"window_end\":\"2025-13-01\"}]}",
            "field \"items[0].window_end\": expected an ISO-8601 time");
  parse_bad("{\"type\":\"benchmark\",\"benchmark_id\":\"B\","
            "\"violation_code\":\"V\",\"statutory_min_fen\":1,"
            "\"statutory_max_fen\":2,\"levels\":[{\"level\":\"LIGHT\","
            "\"min_fen\":1,\"max_fen\":2}]}",
            "field \"levels[0].level\": unknown DiscretionLevel value");
  parse_bad("{\"type\":\"alert\",\"alert_id\":\"A\",\"rule_id\":\"R\","
            "\"severity\":\"HIGH\",\"status\":\"OPEN\",\"detected_at\":0,"
            "\"subject_type\":\"PLAN\",\"subject_id\":\"P\",\"facts\":"
            "{\"a\":1},\"legal_basis\":\"L\",\"message\":\"M\"}",
            "field \"facts.a\": expected a string, got an integer");
  parse_bad("{\"type\":\"alert\",\"alert_id\":\"A\",\"rule_id\":\"R\","
            "\"severity\":\"HIGH\",\"status\":\"OPEN\",\"detected_at\":0,"
            "\"subject_type\":\"PLAN\",\"subject_id\":\"P\",\"facts\":"
            "[\"a=1\"],\"legal_basis\":\"L\",\"message\":\"M\"}",
            "field \"facts\": expected an object of strings");
  /* Control characters from the input never break the one-line reason. */
  parse_bad(INSP_HEAD ",\"bad\\nname\":1}",
            "field \"bad?name\": unknown field");
  parse_bad(INSP_HEAD ",\"result\":\"NO\\nISSUE\"}",
            "unknown InspectionResult value \"NO?ISSUE\"");
}

static void test_errors_required(void **state) {
  (void)state;
  /* Missing, null and empty required fields. */
  parse_bad("{\"type\":\"inspection\",\"event_id\":\"E1\",\"event_time\":0,"
            "\"inspection_id\":\"I1\",\"status\":\"STARTED\","
            "\"enterprise_uscc\":\"" EN "\",\"check_class\":\"ROUTINE\","
            "\"trigger_type\":\"ANNUAL_PLAN\",\"mode\":\"ON_SITE\"}",
            "field \"agency_uscc\": required field is missing or null");
  parse_bad("{\"type\":\"inspection\",\"event_id\":\"E1\",\"event_time\":0,"
            "\"inspection_id\":\"I1\",\"status\":\"STARTED\","
            "\"agency_uscc\":null,\"enterprise_uscc\":\"" EN "\","
            "\"check_class\":\"ROUTINE\",\"trigger_type\":\"ANNUAL_PLAN\","
            "\"mode\":\"ON_SITE\"}",
            "field \"agency_uscc\": required field is missing or null");
  parse_bad("{\"type\":\"inspection\",\"event_id\":\"E1\",\"event_time\":0,"
            "\"inspection_id\":\"\",\"status\":\"STARTED\","
            "\"agency_uscc\":\"" AG "\",\"enterprise_uscc\":\"" EN "\","
            "\"check_class\":\"ROUTINE\",\"trigger_type\":\"ANNUAL_PLAN\","
            "\"mode\":\"ON_SITE\"}",
            "field \"inspection_id\": must not be empty");
  parse_bad("{\"type\":\"inspection\",\"event_id\":\"E1\","
            "\"inspection_id\":\"I1\",\"status\":\"STARTED\","
            "\"agency_uscc\":\"" AG "\",\"enterprise_uscc\":\"" EN "\","
            "\"check_class\":\"ROUTINE\",\"trigger_type\":\"ANNUAL_PLAN\","
            "\"mode\":\"ON_SITE\"}",
            "field \"event_time\": required field is missing or null");
  parse_bad("{\"type\":\"inspection\",\"event_id\":\"E1\",\"event_time\":0,"
            "\"inspection_id\":\"I1\",\"agency_uscc\":\"" AG "\","
            "\"enterprise_uscc\":\"" EN "\",\"check_class\":\"ROUTINE\","
            "\"trigger_type\":\"ANNUAL_PLAN\",\"mode\":\"ON_SITE\"}",
            "field \"status\": required field is missing or null");
  parse_bad("{\"type\":\"calendar_day\",\"date\":\"2025-01-01\"}",
            "field \"is_workday\": required field is missing or null");
  parse_bad("{\"type\":\"calendar_day\",\"date\":\"2025-01-01\","
            "\"is_workday\":null}",
            "field \"is_workday\": required");
  parse_bad("{\"type\":\"plan\",\"plan_id\":\"P\",\"agency_uscc\":\"" AG
            "\",\"plan_type\":\"JOINT_INSPECTION\",\"status\":\"FILED\"}",
            "field \"year\": required field is missing or null");
  parse_bad("{\"type\":\"stats\",\"agency_uscc\":\"" AG "\",\"period\":\"P\","
            "\"metric\":\"M\",\"as_of\":0}",
            "field \"value\": required");
  parse_bad("{\"type\":\"plan\",\"plan_id\":\"P\",\"agency_uscc\":\"" AG
            "\",\"year\":2025,\"plan_type\":\"ANNUAL_INSPECTION\","
            "\"status\":\"FILED\",\"items\":[{\"item_id\":\"I\","
            "\"check_item_code\":\"C\",\"window_start\":\"2025-01-01\"}]}",
            "field \"items[0].window_end\": required");
}

static void test_errstr_limits(void **state) {
  (void)state;
  ew_arena a = EW_ARENA_INIT;
  ew_record rec;
  char tiny[12];
  int tomb;
  /* A short buffer truncates, never overflows (ASan) and stays a string. */
  assert_int_equal(
      parse("{\"type\":\"nope\"}", &rec, &tomb, &a, tiny, sizeof tiny), -1);
  assert_int_equal(strlen(tiny), sizeof tiny - 1);
  /* No buffer at all is allowed. */
  assert_int_equal(parse("{\"type\":\"nope\"}", &rec, &tomb, &a, NULL, 0), -1);
  /* A long bad value is quoted shortened, cut on a character boundary. */
  char line[1024], err[512];
  snprintf(line, sizeof line, INSP_HEAD ",\"result\":\"%s\"}",
           "执法执法执法执法执法执法执法执法执法执法执法执法执法执法执法执法");
  assert_int_equal(parse(line, &rec, &tomb, &a, err, sizeof err), -1);
  assert_non_null(strstr(err, "unknown InspectionResult value \"执法"));
  assert_true(strlen(err) < 160);
  ew_arena_free(&a);
}

/* ---- reader: tombstones ---- */

static void test_tombstones(void **state) {
  (void)state;
  ew_arena a = EW_ARENA_INIT;
  ew_record rec;
  char err[256];
  int tomb = 0;

  assert_int_equal(parse("{\"type\":\"plan\",\"plan_id\":\"P1\","
                         "\"deleted\":true}",
                         &rec, &tomb, &a, err, sizeof err),
                   0);
  assert_int_equal(tomb, 1);
  assert_int_equal(rec.kind, EW_REC_PLAN);
  assert_string_equal(ew_record_id(&rec), "P1");
  assert_null(rec.u.plan.agency_uscc);
  assert_int_equal(rec.u.plan.year, EW_NONE);

  /* Other members are still checked, but only the id is kept. */
  tomb = 0;
  assert_int_equal(parse("{\"deleted\":true,\"type\":\"agency\",\"name\":"
                         "\"旧名\",\"agency_uscc\":\"" AG "\"}",
                         &rec, &tomb, &a, err, sizeof err),
                   0);
  assert_int_equal(tomb, 1);
  assert_string_equal(rec.u.agency.agency_uscc, AG);
  assert_null(rec.u.agency.name);
  assert_int_equal(rec.u.agency.has_inspection_power, 1);

  assert_int_equal(parse("{\"type\":\"calendar_day\",\"date\":\"2025-10-01\","
                         "\"deleted\":true}",
                         &rec, &tomb, &a, err, sizeof err),
                   0);
  assert_int_equal(tomb, 1);
  assert_string_equal(rec.u.calendar_day.date, "2025-10-01");

  /* "deleted": false or null is an ordinary record. */
  tomb = 5;
  assert_int_equal(parse("{\"type\":\"calendar_day\",\"date\":\"2025-10-01\","
                         "\"is_workday\":false,\"deleted\":false}",
                         &rec, &tomb, &a, err, sizeof err),
                   0);
  assert_int_equal(tomb, 0);
  assert_int_equal(rec.u.calendar_day.is_workday, 0);
  parse_bad("{\"type\":\"calendar_day\",\"date\":\"2025-10-01\","
            "\"deleted\":null}",
            "field \"is_workday\": required");

  parse_bad("{\"type\":\"plan\",\"deleted\":true}",
            "field \"plan_id\": required field is missing or null");
  parse_bad("{\"type\":\"plan\",\"plan_id\":\"\",\"deleted\":true}",
            "field \"plan_id\": must not be empty");
  parse_bad("{\"type\":\"plan\",\"plan_id\":\"P1\",\"deleted\":true,"
            "\"yaer\":2025}",
            "field \"yaer\": unknown field of plan");
  parse_bad("{\"type\":\"plan\",\"plan_id\":\"P1\",\"deleted\":true,"
            "\"year\":\"2025\"}",
            "field \"year\": expected an integer");
  parse_bad("{\"type\":\"plan\",\"plan_id\":\"P1\",\"deleted\":\"yes\"}",
            "field \"deleted\": expected true or false");
  parse_bad("{\"type\":\"plan\",\"plan_id\":\"P1\",\"deleted\":1}",
            "field \"deleted\": expected true or false");
  parse_bad("{\"type\":\"feedback\",\"notice_id\":\"N\",\"deleted\":true}",
            "field \"deleted\": only reference records can be deleted");
  parse_bad("{\"kind\":\"alert\",\"alert_id\":\"A\",\"deleted\":true}",
            "field \"deleted\": only reference records can be deleted");

  /* A caller that cannot take tombstones says so with a NULL pointer. */
  assert_int_equal(parse("{\"type\":\"plan\",\"plan_id\":\"P1\","
                         "\"deleted\":true}",
                         &rec, NULL, &a, err, sizeof err),
                   -1);
  assert_non_null(strstr(err, "tombstone is not accepted"));
  parse_ok(full_lines[EW_REC_PLAN].line, &rec, &a);
  ew_arena_free(&a);
}

/* ---- reader: the JSON text, exactly as jansson 2.14 read it ---- */

/* The reader scans lines itself (consumers/json_scan.c) but accepts the
 * language jansson's json_loadb(JSON_REJECT_DUPLICATES) accepted, with its
 * error texts and columns, quirks included. */
typedef struct json_case {
  const char *line;
  size_t len;
  const char *err;
} json_case;
#define JC(lit, err)                                                           \
  { lit, sizeof(lit) - 1, err }

static void test_json_errors_exact(void **state) {
  (void)state;
  static const json_case cases[] = {
      JC("{\"a\":1,}",
         "invalid JSON at column 8: string or '}' expected near '}'"),
      JC("{\"type\":\"plan\"",
         "invalid JSON at column 14: '}' expected near end of file"),
      JC("{\"type\":\"plan\"}x",
         "invalid JSON at column 16: end of file expected near 'x'"),
      JC("{\"a\":\"\\ud800\"}", "invalid JSON at column 13: invalid Unicode "
                                "'\\uD800' near '\"\\ud800\"'"),
      JC("{\"a\":\"\\ud800\\u0041\"}",
         "invalid JSON at column 19: invalid Unicode '\\uD800\\u0041' near "
         "'\"\\ud800\\u0041\"'"),
      JC("{\"a\":\"\\udc00x\"}", "invalid JSON at column 14: invalid Unicode "
                                 "'\\uDC00' near '\"\\udc00x\"'"),
      JC("{\"a\":\"x\\u0000\"}",
         "invalid JSON at column 14: \\u0000 is not allowed without "
         "JSON_ALLOW_NUL near '\"x\\u0000\"'"),
      JC("{\"a\\u0000\":1}", "invalid JSON at column 10: NUL byte in object "
                             "key not supported near '\"a\\u0000\"'"),
      /* Keys compare decoded: "d\u0061te" is "date". */
      JC("{\"date\":1,\"d\\u0061te\":2}",
         "invalid JSON at column 21: duplicate object key near "
         "'\"d\\u0061te\"'"),
      JC("{\"a\":99999999999999999999}",
         "invalid JSON at column 25: too big integer near "
         "'99999999999999999999'"),
      /* Saved text over 20 bytes is not quoted. */
      JC("{\"a\":-99999999999999999999}",
         "invalid JSON at column 26: too big negative integer"),
      JC("{\"a\":1e999}",
         "invalid JSON at column 10: real number overflow near '1e999'"),
      /* Columns count characters, not bytes. */
      JC("{\"名称\":\"执法\",x}",
         "invalid JSON at column 12: string or '}' expected near 'x'"),
      JC("{\"a\":\"\xE6\x89\"}",
         "invalid JSON at column 6: unable to decode byte 0xe6 near '\"'"),
      JC("{\"a\":1\xFF}",
         "invalid JSON at column 6: unable to decode byte 0xff near '1'"),
      /* A text starting with NUL is "near end of file". */
      JC("\0{}", "invalid JSON at column 1: '[' or '{' expected near end of "
                 "file"),
      /* An escaped newline restarts jansson's column. */
      JC("{\"a\":\"x\\\ny\"}",
         "invalid JSON at column 0: invalid escape near '\"x\\?'"),
      JC("{\"a\":-}", "invalid JSON at column 6: invalid token near '-'"),
      JC("{\"a\":01}", "invalid JSON at column 6: invalid token near '0'"),
      JC("{\"a\":1.}", "invalid JSON at column 7: invalid token near '1.'"),
      JC("{\"a\":tru}", "invalid JSON at column 8: invalid token near 'tru'"),
      JC("{\"a\":\"\t\"}",
         "invalid JSON at column 6: control character 0x9 near '\"'"),
      JC("{\"a\" 1}", "invalid JSON at column 6: ':' expected near '1'"),
      JC("[1,", "invalid JSON at column 3: ']' expected near end of file"),
      /* A syntax error anywhere wins over a field error before it. */
      JC("{\"type\":\"nope\",\"x\":tru}",
         "invalid JSON at column 22: invalid token near 'tru'"),
      JC("{\"type\":\"calendar_day\",\"date\":\"2025-01-01\","
         "\"is_workday\":true}\0",
         "invalid JSON at column 62: end of file expected near end of file"),
  };
  ew_arena a = EW_ARENA_INIT;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    ew_record rec;
    char err[512];
    int tomb = 0;
    int rc = ew_jsonl_parse(cases[i].line, cases[i].len, &rec, &tomb, &a, err,
                            sizeof err);
    if (rc != -1 || strcmp(err, cases[i].err) != 0)
      print_error("case %zu: rc %d\n  got:  %s\n  want: %s\n", i, rc, err,
                  cases[i].err);
    assert_int_equal(rc, -1);
    assert_string_equal(err, cases[i].err);
    ew_arena_reset(&a);
  }
  ew_arena_free(&a);
}

static void test_json_values(void **state) {
  (void)state;
  ew_arena a = EW_ARENA_INIT;
  ew_record rec;
  char err[256];
  int tomb;

  /* Escapes, a surrogate pair, escaped keys (also the tag's). */
  parse_ok("{\"typ\\u0065\":\"alert\",\"alert_id\":\"A\",\"rule_id\":\"R\","
           "\"severity\":\"LOW\",\"status\":\"OPEN\",\"detected_at\":0,"
           "\"subject_type\":\"PLAN\",\"subject_id\":\"P\",\"facts\":{"
           "\"r\\u00e9sum\\u00E9\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\","
           "\"emoji\":\"\\ud83d\\ude00\xF0\x9F\x98\x80\"},"
           "\"legal_basis\":\"L\",\"m\\u0065ssage\":\"\\u6267\\u6cd5\"}",
           &rec, &a);
  assert_int_equal(rec.kind, EW_REC_ALERT);
  assert_int_equal(rec.u.alert.facts.n, 2);
  assert_string_equal(rec.u.alert.facts.v[0].key, "résumé");
  assert_string_equal(rec.u.alert.facts.v[0].value, "\"\\/\b\f\n\r\t");
  assert_string_equal(rec.u.alert.facts.v[1].value,
                      "\xF0\x9F\x98\x80\xF0\x9F\x98\x80");
  assert_string_equal(rec.u.alert.message, "执法");

  /* jansson's stream drops a NUL put back after a word or a number. */
  static const char nul[] = "{\"type\":\"calendar_day\",\"date\":"
                            "\"2025-01-01\",\"is_workday\":true\0}";
  assert_int_equal(
      ew_jsonl_parse(nul, sizeof nul - 1, &rec, &tomb, &a, err, sizeof err), 0);
  assert_int_equal(rec.u.calendar_day.is_workday, 1);

  /* The integer range: strtoll's, then EW_NONE is "absent". */
  parse_ok(INSP_HEAD ",\"fees_collected_fen\":9223372036854775807}", &rec, &a);
  assert_int_equal(rec.u.inspection.fees_collected_fen, INT64_MAX);
  parse_ok(INSP_HEAD ",\"fees_collected_fen\":-9223372036854775807}", &rec, &a);
  assert_int_equal(rec.u.inspection.fees_collected_fen, -INT64_MAX);
  parse_bad(INSP_HEAD ",\"fees_collected_fen\":-9223372036854775808}",
            "field \"fees_collected_fen\": integer out of range");
  parse_bad(INSP_HEAD ",\"started_at\":-9223372036854775808}",
            "field \"started_at\": time out of range");
  parse_bad(INSP_HEAD ",\"fees_collected_fen\":9223372036854775808}",
            "too big integer");
  /* An underflowing real is a real, an overflowing one a syntax error. */
  parse_bad(INSP_HEAD ",\"fees_collected_fen\":1e-999}",
            "field \"fees_collected_fen\": expected an integer, got a real");
  parse_bad(INSP_HEAD ",\"fees_collected_fen\":-0.5E+999}",
            "real number overflow");
  parse_ok(INSP_HEAD ",\"fees_collected_fen\":-0}", &rec, &a);
  assert_int_equal(rec.u.inspection.fees_collected_fen, 0);
  ew_arena_free(&a);
}

/* Nesting: 2048 levels are JSON (then a field error), 2049 are not. */
static void test_json_depth(void **state) {
  (void)state;
  size_t n = sizeof INSP_HEAD + 32 + 2 * 2050;
  char *line = malloc(n);
  assert_non_null(line);
  for (int depth = 2047; depth <= 2048; depth++) {
    char *p = line + sprintf(line, INSP_HEAD ",\"check_items\":");
    memset(p, '[', (size_t)depth);
    memset(p + depth, ']', (size_t)depth);
    strcpy(p + 2 * depth, "}");
    /* The root object is level 1. */
    parse_bad(line, depth == 2047 ? "field \"check_items[0]\": expected a "
                                    "string, got an array"
                                  : "maximum parsing depth reached near '['");
  }
  free(line);
}

/* Lines far longer than the usual: the token tape outgrows its stack
 * buffer. */
static void test_json_long_line(void **state) {
  (void)state;
  ew_arena a = EW_ARENA_INIT;
  ew_record rec;
  size_t n = 1000, cap = 64 + n * 24;
  char *line = malloc(cap), *p = line;
  assert_non_null(line);
  p += sprintf(p, "{\"type\":\"random_task\",\"task_id\":\"RT\","
                  "\"agency_uscc\":\"" AG "\",\"check_item_code\":\"C\","
                  "\"drawn_at\":0,\"enterprises\":[");
  for (size_t i = 0; i < n; i++)
    p += sprintf(p, "%s\"E%zu\"", i ? "," : "", i);
  strcpy(p, "]}");
  parse_ok(line, &rec, &a);
  assert_int_equal(rec.u.random_task.enterprises.n, n);
  assert_string_equal(rec.u.random_task.enterprises.v[n - 1], "E999");
  /* A duplicate among many keys is still found. */
  p = line + sprintf(line, "{\"type\":\"x\"");
  for (size_t i = 0; i < n; i++)
    p += sprintf(p, ",\"k%zu\":%zu", i, i);
  strcpy(p, ",\"k500\":1}");
  parse_bad(line, "duplicate object key near '\"k500\"'");
  free(line);
  ew_arena_free(&a);
}

/* jansson itself as the oracle: every cut and one corruption per byte of
 * the full lines is refused by both or by neither, with jansson's message
 * when it refuses. */
static void assert_jansson_agrees(const char *line, size_t len) {
  ew_arena a = EW_ARENA_INIT;
  ew_record rec;
  char err[512], want[512];
  int tomb = 0;
  const char *p = line;
  size_t n = len;
  int rc = ew_jsonl_parse(line, len, &rec, &tomb, &a, err, sizeof err);
  if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
    p += 3;
    n -= 3;
  }
  if (rc == 1) { /* blank: nothing for jansson to read */
    for (size_t i = 0; i < n; i++)
      assert_true(p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n');
    ew_arena_free(&a);
    return;
  }
  json_error_t je;
  json_t *root = json_loadb(p, n, JSON_REJECT_DUPLICATES, &je);
  if (root) {
    if (rc != 0 && strncmp(err, "invalid JSON", 12) == 0)
      print_error("jansson accepts, reader says: %s\n", err);
    assert_true(rc == 0 || strncmp(err, "invalid JSON", 12) != 0);
    json_decref(root);
  } else {
    snprintf(want, sizeof want, "invalid JSON at column %d: %s", je.column,
             je.text);
    for (char *q = want; *q; q++)
      if ((unsigned char)*q < 0x20 || *q == 0x7f)
        *q = '?';
    if (rc != -1 || strcmp(err, want) != 0)
      print_error("rc %d\n  reader:  %s\n  jansson: %s\n", rc, err, want);
    assert_int_equal(rc, -1);
    assert_string_equal(err, want);
  }
  ew_arena_free(&a);
}

static void test_jansson_agreement(void **state) {
  (void)state;
  static const char subst[] = {'"',    '\\',   'u',    '0',    '-',    '.',
                               'e',    '[',    ']',    '{',    '}',    ',',
                               ':',    ' ',    '\n',   '\0',   '\t',   'x',
                               '\x7f', '\x80', '\xC3', '\xED', '\xF4', '\xFF'};
  char buf[4096];
  for (size_t i = 0; i < NFULL; i++) {
    const char *line = full_lines[i].line;
    size_t len = strlen(line);
    assert_true(len < sizeof buf);
    for (size_t cut = 0; cut <= len; cut++)
      assert_jansson_agrees(line, cut);
    for (size_t pos = 0; pos < len; pos++) {
      memcpy(buf, line, len);
      buf[pos] = subst[(pos + i) % sizeof subst];
      assert_jansson_agrees(buf, len);
      /* A byte inserted, shifting the rest. */
      memcpy(buf + pos + 1, line + pos, len - pos);
      buf[pos] = subst[(pos * 7 + i) % sizeof subst];
      assert_jansson_agrees(buf, len + 1);
    }
  }
}

/* ---- writer ---- */

static char *format_ok(const ew_record *rec, ew_json_tag tag) {
  char *s = ew_jsonl_format(rec, tag);
  assert_non_null(s);
  assert_null(strchr(s, '\n'));
  return s;
}

/* Writes `rec`, reads it back and compares field by field. */
static void assert_round_trip(const ew_record *rec, ew_json_tag tag) {
  ew_arena a = EW_ARENA_INIT;
  ew_record back;
  char *line = format_ok(rec, tag);
  parse_ok(line, &back, &a);
  assert_int_equal(back.kind, rec->kind);
  if (!body_equal(ew_rtype_of(rec->kind), ew_record_body_const(rec),
                  ew_record_body(&back)))
    print_error("line: %s\n", line);
  assert_true(body_equal(ew_rtype_of(rec->kind), ew_record_body_const(rec),
                         ew_record_body(&back)));
  /* Writing the read-back record gives the same bytes: deterministic. */
  char *again = format_ok(&back, tag);
  assert_string_equal(again, line);
  free(again);
  free(line);
  ew_arena_free(&a);
}

static void test_round_trip_every_kind(void **state) {
  (void)state;
  ew_arena a = EW_ARENA_INIT;
  for (size_t i = 0; i < NFULL; i++) {
    ew_record rec;
    parse_ok(full_lines[i].line, &rec, &a);
    assert_round_trip(&rec, EW_JSON_TAG_TYPE);
    assert_round_trip(&rec, EW_JSON_TAG_KIND);
    ew_arena_reset(&a);
  }
  ew_arena_free(&a);
}

/* The writer lists every field, in descriptor order, after the tag: checked
 * with jansson directly on an all-default and on a full record of each
 * kind. */
static void assert_members_in_order(const char *line, ew_rkind kind,
                                    const char *tag) {
  const ew_rtype *t = ew_rtype_of(kind);
  json_error_t jerr;
  json_t *root = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
  assert_non_null(root);
  assert_int_equal(json_object_size(root), t->nfields + 1);
  void *it = json_object_iter(root);
  assert_string_equal(json_object_iter_key(it), tag);
  assert_string_equal(json_string_value(json_object_iter_value(it)), t->name);
  for (size_t i = 0; i < t->nfields; i++) {
    it = json_object_iter_next(root, it);
    assert_non_null(it);
    assert_string_equal(json_object_iter_key(it), t->fields[i].name);
  }
  json_decref(root);
}

static void test_writer_every_field(void **state) {
  (void)state;
  ew_arena a = EW_ARENA_INIT;
  for (int k = 0; k < EW_REC_COUNT; k++) {
    ew_record rec;
    rec.kind = (ew_rkind)k;
    ew_rtype_init(ew_rtype_of(rec.kind), ew_record_body(&rec));
    char *line = format_ok(&rec, EW_JSON_TAG_TYPE);
    assert_members_in_order(line, rec.kind, "type");
    assert_non_null(strstr(line, ":null"));
    free(line);
    parse_ok(full_lines[k].line, &rec, &a);
    line = format_ok(&rec, EW_JSON_TAG_KIND);
    assert_members_in_order(line, rec.kind,
                            k == EW_REC_LENIENCY_ITEM ? "type" : "kind");
    free(line);
  }
  ew_arena_free(&a);
}

static int starts_with(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void test_writer_golden(void **state) {
  (void)state;
  ew_arena a = EW_ARENA_INIT;
  ew_record rec;
  char *s;

  /* Canonical lines come back byte for byte. */
  parse_ok(full_lines[EW_REC_ALERT].line, &rec, &a);
  s = format_ok(&rec, EW_JSON_TAG_KIND);
  assert_string_equal(s, full_lines[EW_REC_ALERT].line);
  free(s);
  s = format_ok(&rec, EW_JSON_TAG_TYPE);
  assert_true(starts_with(s, "{\"type\":\"alert\",\"alert_id\":"));
  free(s);
  parse_ok(full_lines[EW_REC_NOTICE].line, &rec, &a);
  s = format_ok(&rec, EW_JSON_TAG_KIND);
  assert_string_equal(s, full_lines[EW_REC_NOTICE].line);
  free(s);

  /* Defaults are written out; times normalise to +08:00. */
  parse_ok("{\"type\":\"leniency_item\",\"item_id\":\"L1\","
           "\"violation_code\":\"V1\",\"kind\":\"LIGHTER\"}",
           &rec, &a);
  s = format_ok(&rec, EW_JSON_TAG_TYPE);
  assert_string_equal(s, "{\"type\":\"leniency_item\",\"item_id\":\"L1\","
                         "\"violation_code\":\"V1\",\"kind\":\"LIGHTER\","
                         "\"lookback_days\":730,\"harm_max\":\"MINOR\","
                         "\"must_correct\":true}");
  free(s);
  /* leniency_item has a field "kind", so it is always tagged "type". */
  s = format_ok(&rec, EW_JSON_TAG_KIND);
  assert_true(starts_with(s, "{\"type\":\"leniency_item\",\"item_id\":"));
  assert_round_trip(&rec, EW_JSON_TAG_KIND);
  free(s);

  parse_ok("{\"type\":\"approval\",\"approval_id\":\"AP\",\"agency_uscc\":"
           "\"" AG "\",\"approved_at\":\"2025-03-01T02:00:00.5Z\"}",
           &rec, &a);
  s = format_ok(&rec, EW_JSON_TAG_TYPE);
  assert_string_equal(s, "{\"type\":\"approval\",\"approval_id\":\"AP\","
                         "\"agency_uscc\":\"" AG "\",\"enterprise_uscc\":null,"
                         "\"inspection_id\":null,\"approved_at\":"
                         "\"2025-03-01T10:00:00.500+08:00\","
                         "\"valid_until\":null}");
  free(s);

  parse_ok("{\"type\":\"benchmark\",\"benchmark_id\":\"B\","
           "\"violation_code\":\"V\",\"statutory_min_fen\":-1,"
           "\"statutory_max_fen\":9223372036854775807,\"levels\":[]}",
           &rec, &a);
  s = format_ok(&rec, EW_JSON_TAG_TYPE);
  assert_string_equal(s, "{\"type\":\"benchmark\",\"benchmark_id\":\"B\","
                         "\"violation_code\":\"V\",\"agency_uscc\":null,"
                         "\"statutory_min_fen\":-1,\"statutory_max_fen\":"
                         "9223372036854775807,\"hearing_threshold_fen\":null,"
                         "\"levels\":[]}");
  free(s);

  parse_ok("{\"type\":\"penalty\",\"event_id\":\"E\",\"event_time\":0,"
           "\"decision_no\":\"D\",\"agency_uscc\":\"A\",\"enterprise_uscc\":"
           "\"B\",\"violation_code\":\"V\",\"legal_review_passed\":true,"
           "\"officers\":[{\"officer_id\":\"O\"}]}",
           &rec, &a);
  s = format_ok(&rec, EW_JSON_TAG_TYPE);
  assert_non_null(strstr(s, "\"event_time\":\"1970-01-01T08:00:00+08:00\""));
  assert_non_null(strstr(s, "\"legal_review_passed\":true,"));
  assert_non_null(strstr(s, "\"procedure\":\"GENERAL\",\"penalty_types\":[],"));
  assert_non_null(strstr(s, "\"officers\":[{\"officer_id\":\"O\","
                            "\"cert_no\":null,\"cert_shown\":false}],"
                            "\"av_coverage\":\"NONE\"}"));
  free(s);
  ew_arena_free(&a);
}

static void test_writer_strings(void **state) {
  (void)state;
  ew_arena a = EW_ARENA_INIT;
  ew_record rec, back;
  rec.kind = EW_REC_FEEDBACK;
  ew_rtype_init(ew_rtype_of(rec.kind), &rec.u);
  rec.u.feedback.event_id = "E\"1\"";
  rec.u.feedback.event_time = 1741051800001LL;
  rec.u.feedback.notice_id = "C:\\notice\\1";
  rec.u.feedback.agency_uscc = AG;
  rec.u.feedback.feedback_at = 1741051800000LL;
  rec.u.feedback.result = EW_FB_DONE;
  rec.u.feedback.summary = "整改完毕\n第二行\t制表\x01\x1f\x7f 😀 /";

  char *s = format_ok(&rec, EW_JSON_TAG_TYPE);
  /* Chinese and emoji raw, never \u escaped; controls escaped. */
  assert_non_null(strstr(s, "\"summary\":\"整改完毕\\n第二行\\t制表"
                            "\\u0001\\u001f\x7f 😀 /\"}"));
  assert_non_null(strstr(s, "\"event_id\":\"E\\\"1\\\"\""));
  assert_non_null(strstr(s, "\"notice_id\":\"C:\\\\notice\\\\1\""));
  assert_non_null(
      strstr(s, "\"event_time\":\"2025-03-04T09:30:00.001+08:00\""));
  assert_null(strstr(s, "\\u6574"));
  free(s);
  assert_round_trip(&rec, EW_JSON_TAG_TYPE);

  /* Bytes that are not UTF-8 become U+FFFD instead of an unreadable line. */
  rec.u.feedback.summary = "bad\xff\xc0\x80 overlong, \xed\xa0\x80 surrogate, "
                           "cut \xe6\x95";
  s = format_ok(&rec, EW_JSON_TAG_TYPE);
  assert_non_null(strstr(s, "bad\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD overlong, "
                            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD surrogate, "
                            "cut \xEF\xBF\xBD\xEF\xBF\xBD\"}"));
  parse_ok(s, &back, &a);
  assert_string_equal(back.u.feedback.summary,
                      "bad\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD overlong, "
                      "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD surrogate, cut "
                      "\xEF\xBF\xBD\xEF\xBF\xBD");
  free(s);
  ew_arena_free(&a);
}

static void test_writer_time_range(void **state) {
  (void)state;
  ew_record rec;
  rec.kind = EW_REC_CREDIT_GRADE;
  ew_rtype_init(ew_rtype_of(rec.kind), &rec.u);
  rec.u.credit_grade.enterprise_uscc = EN;
  rec.u.credit_grade.grade = EW_GRADE_C;
  /* Times ISO text cannot carry go out as epoch ms, and still round-trip. */
  const ew_time odd[] = {ew_time_from_civil(0, 1, 1) - 1,
                         ew_time_from_civil(10000, 1, 1), INT64_MAX,
                         EW_NONE + 1};
  for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
    rec.u.credit_grade.as_of = odd[i];
    char *s = format_ok(&rec, EW_JSON_TAG_TYPE);
    char want[64];
    snprintf(want, sizeof want, "\"as_of\":%lld}", (long long)odd[i]);
    assert_non_null(strstr(s, want));
    free(s);
    assert_round_trip(&rec, EW_JSON_TAG_TYPE);
  }
  const ew_time even[] = {ew_time_from_civil(0, 1, 1),
                          ew_time_from_civil(10000, 1, 1) - 1, 0, -1};
  for (size_t i = 0; i < sizeof even / sizeof even[0]; i++) {
    rec.u.credit_grade.as_of = even[i];
    char *s = format_ok(&rec, EW_JSON_TAG_TYPE);
    assert_non_null(strstr(s, "\"as_of\":\""));
    free(s);
    assert_round_trip(&rec, EW_JSON_TAG_TYPE);
  }
}

static void test_writer_file(void **state) {
  (void)state;
  ew_arena a = EW_ARENA_INIT;
  ew_record rec, back;
  char buf[4096];
  FILE *fp = tmpfile();
  assert_non_null(fp);
  for (size_t i = 0; i < NFULL; i++) {
    parse_ok(full_lines[i].line, &rec, &a);
    assert_int_equal(ew_jsonl_write(fp, &rec, EW_JSON_TAG_KIND), 0);
  }
  rewind(fp);
  size_t n = 0;
  while (fgets(buf, sizeof buf, fp)) {
    size_t len = strlen(buf);
    assert_true(len > 0 && buf[len - 1] == '\n');
    parse_ok(buf, &back, &a); /* the newline is white space to JSON */
    assert_int_equal(back.kind, full_lines[n].kind);
    ew_record orig;
    parse_ok(full_lines[n].line, &orig, &a);
    assert_true(body_equal(ew_rtype_of(orig.kind), &orig.u, &back.u));
    n++;
  }
  assert_int_equal(n, NFULL);
  fclose(fp);
  /* A write error is reported. */
  fp = fopen("/dev/full", "w");
  if (fp) {
    setvbuf(fp, NULL, _IONBF, 0);
    assert_int_equal(ew_jsonl_write(fp, &rec, EW_JSON_TAG_TYPE), -1);
    fclose(fp);
  }
  /* An invalid kind is refused, not read out of bounds. */
  rec.kind = EW_REC_COUNT;
  assert_null(ew_jsonl_format(&rec, EW_JSON_TAG_TYPE));
  ew_arena_free(&a);
}

/* Every truncation and many one-byte corruptions of the full lines: the
 * reader must refuse them with a one-line reason or accept them, and what it
 * accepts must round-trip through the writer (ASan/valgrind watch memory). */
static void test_corrupted_lines(void **state) {
  (void)state;
  static const char subst[] = {'"', '0', '}', '\\', 'x', (char)0xE6};
  ew_arena a = EW_ARENA_INIT;
  char buf[4096], err[256];
  long accepted = 0, refused = 0;
  for (size_t i = 0; i < NFULL; i++) {
    const char *line = full_lines[i].line;
    size_t len = strlen(line);
    assert_true(len < sizeof buf);
    for (size_t cut = 0; cut < len; cut++) {
      ew_record rec;
      int tomb,
          rc = ew_jsonl_parse(line, cut, &rec, &tomb, &a, err, sizeof err);
      assert_true(rc == -1 || (rc == 1 && cut == 0));
      ew_arena_reset(&a);
    }
    for (size_t pos = 0; pos < len; pos++)
      for (size_t c = 0; c < sizeof subst; c++) {
        ew_record rec;
        int tomb = 0;
        if (line[pos] == subst[c])
          continue;
        memcpy(buf, line, len + 1);
        buf[pos] = subst[c];
        int rc = ew_jsonl_parse(buf, len, &rec, &tomb, &a, err, sizeof err);
        if (rc == 0) {
          accepted++;
          if (!tomb)
            assert_round_trip(&rec, EW_JSON_TAG_TYPE);
        } else {
          assert_int_equal(rc, -1);
          assert_true(err[0] != '\0');
          assert_null(strchr(err, '\n'));
          refused++;
        }
        ew_arena_reset(&a);
      }
  }
  /* Both branches were exercised (a changed digit or letter still parses). */
  assert_true(accepted > 1000);
  assert_true(refused > 10000);
  ew_arena_free(&a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_full_lines_cover_every_kind),
      cmocka_unit_test(test_parse_inspection),
      cmocka_unit_test(test_parse_plan_items),
      cmocka_unit_test(test_parse_benchmark_levels),
      cmocka_unit_test(test_parse_alert_facts),
      cmocka_unit_test(test_facts_keep_order),
      cmocka_unit_test(test_defaults),
      cmocka_unit_test(test_time_forms),
      cmocka_unit_test(test_blank_lines),
      cmocka_unit_test(test_errors_json),
      cmocka_unit_test(test_errors_type),
      cmocka_unit_test(test_errors_fields),
      cmocka_unit_test(test_errors_required),
      cmocka_unit_test(test_errstr_limits),
      cmocka_unit_test(test_tombstones),
      cmocka_unit_test(test_json_errors_exact),
      cmocka_unit_test(test_json_values),
      cmocka_unit_test(test_json_depth),
      cmocka_unit_test(test_json_long_line),
      cmocka_unit_test(test_jansson_agreement),
      cmocka_unit_test(test_round_trip_every_kind),
      cmocka_unit_test(test_writer_every_field),
      cmocka_unit_test(test_writer_golden),
      cmocka_unit_test(test_writer_strings),
      cmocka_unit_test(test_writer_time_range),
      cmocka_unit_test(test_writer_file),
      cmocka_unit_test(test_corrupted_lines),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
