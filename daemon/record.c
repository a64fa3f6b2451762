/*
 * record.c - enum tables and field descriptors of every contract record.
 *
 * One row per contract field, in contract order. The Avro schemas in
 * schemas/ list the same fields in the same order (test_schemas checks it).
 */
#include "record.h"

#include <string.h>

int ew_enum_parse(const ew_enum *e, const char *s, size_t len) {
  for (int i = 0; i < e->n; i++)
    if (strlen(e->symbols[i]) == len && memcmp(e->symbols[i], s, len) == 0)
      return i;
  return -1;
}

const char *ew_enum_name(const ew_enum *e, int v) {
  return v >= 0 && v < e->n ? e->symbols[v] : NULL;
}

#define ENUM(var, avro_name, ...)                                              \
  static const char *const var##_syms[] = {__VA_ARGS__};                       \
  const ew_enum var = {avro_name, var##_syms,                                  \
                       (int)(sizeof var##_syms / sizeof var##_syms[0])}

ENUM(ew_enum_inspection_status, "InspectionStatus", "PLANNED", "STARTED",
     "ENDED", "CANCELLED");
ENUM(ew_enum_check_class, "CheckClass", "ROUTINE", "CASE", "SPECIAL");
ENUM(ew_enum_trigger_type, "TriggerType", "ANNUAL_PLAN", "RANDOM_SAMPLING",
     "COMPLAINT", "CASE_INVESTIGATION", "SUPERIOR_ASSIGNED",
     "NATIONAL_SECURITY", "PUBLIC_SAFETY", "WORK_SAFETY", "ECO_ENVIRONMENT",
     "ENTERPRISE_REQUEST", "LICENSING_VERIFICATION", "DATA_MONITORING");
ENUM(ew_enum_mode, "InspectionMode", "ON_SITE", "REMOTE", "DOCUMENT_REVIEW");
ENUM(ew_enum_av_coverage, "AvCoverage", "FULL", "PARTIAL", "NONE");
ENUM(ew_enum_inspection_result, "InspectionResult", "NO_ISSUE",
     "RECTIFICATION_ORDERED", "GUIDANCE_GIVEN", "CASE_FILED", "REFERRED");
ENUM(ew_enum_soft_measure, "SoftMeasure", "ADMIN_GUIDANCE", "ADMIN_WARNING",
     "ADMIN_SUGGESTION", "ADMIN_REWARD");
ENUM(ew_enum_channel, "ComplaintChannel", "HOTLINE_12345", "HOTLINE_12315",
     "PHONE", "LETTER", "VISIT", "WEB", "SPECIAL_SUPERVISOR", "TRANSFER");
ENUM(ew_enum_complaint_subject, "ComplaintSubject", "ENFORCEMENT_CONDUCT",
     "ENTERPRISE_VIOLATION");
ENUM(ew_enum_category, "ComplaintCategory", "NO_CERTIFICATE", "SINGLE_OFFICER",
     "UNPLANNED_INSPECTION", "REPEATED_INSPECTION", "BUSINESS_DISRUPTION",
     "ARBITRARY_FEE", "FORCED_PURCHASE", "SPONSORSHIP_DEMAND",
     "FORCED_SUBSCRIPTION", "ABUSE_FOR_PRIVATE_GAIN", "EXCESSIVE_PENALTY",
     "BLANKET_ENFORCEMENT", "PROFIT_DRIVEN", "OTHER");
ENUM(ew_enum_complaint_status, "ComplaintStatus", "RECEIVED", "ACCEPTED",
     "REJECTED", "VERIFYING", "CONCLUDED");
ENUM(ew_enum_finding, "ComplaintFinding", "SUBSTANTIATED",
     "PARTLY_SUBSTANTIATED", "UNSUBSTANTIATED");
ENUM(ew_enum_procedure, "PenaltyProcedure", "SIMPLE", "GENERAL", "HEARING");
ENUM(ew_enum_penalty_type, "PenaltyType", "WARNING", "CIRCULATED_CRITICISM",
     "FINE", "CONFISCATE_GAINS", "CONFISCATE_PROPERTY", "SUSPEND_LICENSE",
     "DOWNGRADE_QUALIFICATION", "REVOKE_LICENSE", "RESTRICT_OPERATIONS",
     "ORDER_SUSPEND_BUSINESS", "ORDER_CLOSURE", "RESTRICT_EMPLOYMENT");
ENUM(ew_enum_discretion_level, "DiscretionLevel", "NO_PENALTY", "MITIGATED",
     "LENIENT", "GENERAL", "HEAVY");
ENUM(ew_enum_harm_level, "HarmLevel", "NONE", "MINOR", "SERIOUS");
ENUM(ew_enum_harm_max, "HarmMax", "NONE", "MINOR");
ENUM(ew_enum_compulsory_measure, "CompulsoryMeasure", "SEAL", "SEIZE",
     "ENFORCE");
ENUM(ew_enum_credit_measure, "CreditMeasure", "CREDIT_DOWNGRADE",
     "PUBLIC_EXPOSURE");
ENUM(ew_enum_feedback_result, "FeedbackResult", "DONE", "PARTIAL", "DISPUTED");
ENUM(ew_enum_agency_level, "AgencyLevel", "PREFECTURE", "COUNTY", "TOWNSHIP");
ENUM(ew_enum_plan_type, "PlanType", "ANNUAL_INSPECTION", "JOINT_INSPECTION",
     "SPECIAL_CAMPAIGN");
ENUM(ew_enum_plan_status, "PlanStatus", "DRAFT", "FILED", "RETURNED",
     "AMENDED");
ENUM(ew_enum_cert_status, "CertificateStatus", "ACTIVE", "SUSPENDED", "REVOKED",
     "EXPIRED");
ENUM(ew_enum_leniency_kind, "LeniencyKind", "NO_PENALTY",
     "FIRST_OFFENSE_NO_PENALTY", "NO_FAULT", "LIGHTER", "MITIGATED");
ENUM(ew_enum_credit_grade, "CreditRiskGrade", "A", "B", "C", "D");
ENUM(ew_enum_severity, "Severity", "INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL");
ENUM(ew_enum_alert_status, "AlertStatus", "OPEN", "WITHDRAWN");
ENUM(ew_enum_subject_type, "SubjectType", "INSPECTION", "COMPLAINT", "PENALTY",
     "PLAN", "AGENCY", "NOTICE", "ENTERPRISE", "RANDOM_TASK");
ENUM(ew_enum_notice_type, "NoticeType", "SUPERVISION_OPINION",
     "SUPERVISION_SUGGESTION", "ORDER_CORRECTION", "INSPECTION_BULLETIN",
     "REFERRAL_DISCIPLINE", "REFERRAL_JUDICIAL");

/* Field rows. S = struct type in scope. */
#define F(name, type, flags)                                                   \
  { #name, type, flags, offsetof(S, name), NULL, NULL, 0 }
#define STR(name) F(name, EW_FT_STR, 0)
#define OSTR(name) F(name, EW_FT_STR, EW_FF_OPT)
#define TIME(name) F(name, EW_FT_TIME, 0)
#define OTIME(name) F(name, EW_FT_TIME, EW_FF_OPT)
#define LONG(name) F(name, EW_FT_LONG, 0)
#define OLONG(name) F(name, EW_FT_LONG, EW_FF_OPT)
#define DLONG(name, d)                                                         \
  { #name, EW_FT_LONG, EW_FF_DFLT, offsetof(S, name), NULL, NULL, d }
#define BOOL(name) F(name, EW_FT_BOOL, 0)
#define OBOOL(name) F(name, EW_FT_BOOL, EW_FF_OPT)
#define DBOOL(name, d)                                                         \
  { #name, EW_FT_BOOL, EW_FF_DFLT, offsetof(S, name), NULL, NULL, d }
#define ENUMF(name, e)                                                         \
  { #name, EW_FT_ENUM, 0, offsetof(S, name), &e, NULL, 0 }
#define OENUM(name, e)                                                         \
  { #name, EW_FT_ENUM, EW_FF_OPT, offsetof(S, name), &e, NULL, 0 }
#define DENUM(name, e, d)                                                      \
  { #name, EW_FT_ENUM, EW_FF_DFLT, offsetof(S, name), &e, NULL, d }
#define STRV(name) F(name, EW_FT_STRV, 0)
#define ENUMV(name, e)                                                         \
  { #name, EW_FT_ENUMV, 0, offsetof(S, name), &e, NULL, 0 }
#define RECV(name, t)                                                          \
  { #name, EW_FT_RECV, 0, offsetof(S, name), NULL, &t, 0 }
#define MAP(name) F(name, EW_FT_MAP, 0)
#define NF(arr) (sizeof(arr) / sizeof(arr[0]))
#define RTYPE(var, cname, avro, idf)                                           \
  const ew_rtype var = {                                                       \
      cname, avro, sizeof(S), var##_fields, NF(var##_fields), idf}

#define S ew_officer
static const ew_field ew_rt_officer_fields[] = {STR(officer_id), OSTR(cert_no),
                                                DBOOL(cert_shown, 0)};
static RTYPE(ew_rt_officer, "officer", "enforcewatch.Officer", NULL);
#undef S

#define S ew_plan_item
static const ew_field ew_rt_plan_item_fields[] = {
    STR(item_id),       STR(check_item_code),      STRV(target_industries),
    STRV(target_usccs), OLONG(max_per_enterprise), OENUM(mode, ew_enum_mode),
    TIME(window_start), TIME(window_end)};
static RTYPE(ew_rt_plan_item, "plan_item", "enforcewatch.PlanItem", NULL);
#undef S

#define S ew_benchmark_level
static const ew_field ew_rt_benchmark_level_fields[] = {
    ENUMF(level, ew_enum_discretion_level), LONG(min_fen), LONG(max_fen)};
static RTYPE(ew_rt_benchmark_level, "benchmark_level",
             "enforcewatch.BenchmarkLevel", NULL);
#undef S

#define S ew_inspection
static const ew_field ew_rt_inspection_fields[] = {
    STR(event_id),
    TIME(event_time),
    STR(inspection_id),
    ENUMF(status, ew_enum_inspection_status),
    STR(agency_uscc),
    STR(enterprise_uscc),
    OSTR(enterprise_region_code),
    OSTR(industry_code),
    ENUMF(check_class, ew_enum_check_class),
    ENUMF(trigger_type, ew_enum_trigger_type),
    OSTR(plan_id),
    OSTR(plan_item_id),
    OSTR(random_task_id),
    OSTR(joint_plan_id),
    OSTR(complaint_id),
    OSTR(case_id),
    STRV(check_items),
    OSTR(approval_id),
    OTIME(approved_at),
    DBOOL(emergency, 0),
    ENUMF(mode, ew_enum_mode),
    OSTR(onsite_justification),
    RECV(officers, ew_rt_officer),
    OTIME(started_at),
    OTIME(ended_at),
    OSTR(written_record_id),
    DENUM(av_coverage, ew_enum_av_coverage, EW_AV_NONE),
    STRV(av_record_ids),
    OENUM(result, ew_enum_inspection_result),
    ENUMV(soft_measures, ew_enum_soft_measure),
    OTIME(ledger_registered_at),
    STRV(ledger_signed_by),
    OTIME(result_published_at),
    DLONG(fees_collected_fen, 0),
    DBOOL(production_halted, 0)};
static RTYPE(ew_rt_inspection, "inspection", "enforcewatch.Inspection",
             "inspection_id");
#undef S

#define S ew_complaint
static const ew_field ew_rt_complaint_fields[] = {
    STR(event_id),
    TIME(event_time),
    STR(complaint_id),
    TIME(received_at),
    ENUMF(channel, ew_enum_channel),
    ENUMF(subject_type, ew_enum_complaint_subject),
    OSTR(complainant_uscc),
    OSTR(enterprise_uscc),
    OSTR(respondent_agency_uscc),
    STRV(respondent_officer_ids),
    OSTR(related_inspection_id),
    OSTR(related_penalty_id),
    ENUMF(category, ew_enum_category),
    STR(handling_agency_uscc),
    ENUMF(status, ew_enum_complaint_status),
    OTIME(accepted_at),
    OTIME(rejected_at),
    DLONG(extension_days, 0),
    OENUM(finding, ew_enum_finding),
    DBOOL(suspected_discipline, 0),
    OTIME(concluded_at),
    OTIME(feedback_at)};
static RTYPE(ew_rt_complaint, "complaint", "enforcewatch.Complaint",
             "complaint_id");
#undef S

#define S ew_penalty
static const ew_field ew_rt_penalty_fields[] = {
    STR(event_id),
    TIME(event_time),
    STR(decision_no),
    OSTR(case_id),
    STR(agency_uscc),
    STR(enterprise_uscc),
    OSTR(enterprise_region_code),
    OSTR(industry_code),
    OTIME(filed_at),
    OTIME(notice_of_rights_at),
    OTIME(decided_at),
    OTIME(published_at),
    OTIME(withdrawn_at),
    DENUM(procedure, ew_enum_procedure, EW_PROC_GENERAL),
    ENUMV(penalty_types, ew_enum_penalty_type),
    DLONG(fine_fen, 0),
    DLONG(confiscated_fen, 0),
    STR(violation_code),
    OSTR(benchmark_id),
    DBOOL(benchmark_cited, 0),
    OENUM(discretion_level, ew_enum_discretion_level),
    STRV(factor_codes),
    DBOOL(first_offense, 0),
    DBOOL(corrected, 0),
    DENUM(harm_level, ew_enum_harm_level, EW_HARM_MINOR),
    DBOOL(is_major, 0),
    OSTR(legal_review_id),
    OTIME(legal_review_at),
    OBOOL(legal_review_passed),
    DBOOL(collective_discussion, 0),
    DBOOL(hearing_offered, 0),
    DBOOL(hearing_waived, 0),
    ENUMV(compulsory_measures, ew_enum_compulsory_measure),
    ENUMV(credit_measures, ew_enum_credit_measure),
    OSTR(credit_measure_legal_basis),
    RECV(officers, ew_rt_officer),
    DENUM(av_coverage, ew_enum_av_coverage, EW_AV_NONE)};
static RTYPE(ew_rt_penalty, "penalty", "enforcewatch.Penalty", "decision_no");
#undef S

#define S ew_feedback
static const ew_field ew_rt_feedback_fields[] = {
    STR(event_id),    TIME(event_time),  STR(notice_id),
    STR(agency_uscc), TIME(feedback_at), ENUMF(result, ew_enum_feedback_result),
    OSTR(summary)};
static RTYPE(ew_rt_feedback, "feedback", "enforcewatch.Feedback", "notice_id");
#undef S

#define S ew_agency
static const ew_field ew_rt_agency_fields[] = {
    STR(agency_uscc),         STR(name),
    STR(region_code),         ENUMF(level, ew_enum_agency_level),
    OSTR(parent_agency_uscc), DBOOL(has_inspection_power, 1),
    STR(justice_bureau_uscc)};
static RTYPE(ew_rt_agency, "agency", "enforcewatch.Agency", "agency_uscc");
#undef S

#define S ew_plan
static const ew_field ew_rt_plan_fields[] = {
    STR(plan_id),
    STR(agency_uscc),
    LONG(year),
    ENUMF(plan_type, ew_enum_plan_type),
    ENUMF(status, ew_enum_plan_status),
    OTIME(filed_at),
    RECV(items, ew_rt_plan_item),
    STRV(participant_agency_usccs)};
static RTYPE(ew_rt_plan, "plan", "enforcewatch.Plan", "plan_id");
#undef S

#define S ew_approval
static const ew_field ew_rt_approval_fields[] = {
    STR(approval_id),    STR(agency_uscc),  OSTR(enterprise_uscc),
    OSTR(inspection_id), TIME(approved_at), OTIME(valid_until)};
static RTYPE(ew_rt_approval, "approval", "enforcewatch.Approval",
             "approval_id");
#undef S

#define S ew_certificate
static const ew_field ew_rt_certificate_fields[] = {
    STR(cert_no),     STR(officer_id), STR(agency_uscc),
    TIME(valid_from), TIME(valid_to),  ENUMF(status, ew_enum_cert_status)};
static RTYPE(ew_rt_certificate, "certificate", "enforcewatch.Certificate",
             "cert_no");
#undef S

#define S ew_benchmark
static const ew_field ew_rt_benchmark_fields[] = {
    STR(benchmark_id),
    STR(violation_code),
    OSTR(agency_uscc),
    LONG(statutory_min_fen),
    LONG(statutory_max_fen),
    OLONG(hearing_threshold_fen),
    RECV(levels, ew_rt_benchmark_level)};
static RTYPE(ew_rt_benchmark, "benchmark", "enforcewatch.Benchmark",
             "benchmark_id");
#undef S

#define S ew_leniency_item
static const ew_field ew_rt_leniency_item_fields[] = {
    STR(item_id),
    STR(violation_code),
    ENUMF(kind, ew_enum_leniency_kind),
    DLONG(lookback_days, 730),
    DENUM(harm_max, ew_enum_harm_max, EW_HARM_MINOR),
    DBOOL(must_correct, 1)};
static RTYPE(ew_rt_leniency_item, "leniency_item", "enforcewatch.LeniencyItem",
             "item_id");
#undef S

#define S ew_sampling_item
static const ew_field ew_rt_sampling_item_fields[] = {
    STR(item_code), STR(agency_uscc), DBOOL(special_sector, 0),
    DBOOL(remote_capable, 0)};
static RTYPE(ew_rt_sampling_item, "sampling_item", "enforcewatch.SamplingItem",
             "item_code");
#undef S

#define S ew_random_task
static const ew_field ew_rt_random_task_fields[] = {
    STR(task_id),           STR(agency_uscc),    STR(check_item_code),
    TIME(drawn_at),         STRV(enterprises),   STRV(officers),
    OLONG(population_size), OTIME(completed_at), OTIME(published_at)};
static RTYPE(ew_rt_random_task, "random_task", "enforcewatch.RandomTask",
             "task_id");
#undef S

#define S ew_credit_grade
static const ew_field ew_rt_credit_grade_fields[] = {
    STR(enterprise_uscc), ENUMF(grade, ew_enum_credit_grade), TIME(as_of)};
static RTYPE(ew_rt_credit_grade, "credit_grade", "enforcewatch.CreditGrade",
             "enterprise_uscc");
#undef S

#define S ew_calendar_day
static const ew_field ew_rt_calendar_day_fields[] = {STR(date),
                                                     BOOL(is_workday)};
static RTYPE(ew_rt_calendar_day, "calendar_day", "enforcewatch.CalendarDay",
             "date");
#undef S

#define S ew_alert
static const ew_field ew_rt_alert_fields[] = {
    STR(alert_id),
    STR(rule_id),
    ENUMF(severity, ew_enum_severity),
    ENUMF(status, ew_enum_alert_status),
    TIME(detected_at),
    OSTR(agency_uscc),
    OSTR(enterprise_uscc),
    OSTR(region_code),
    ENUMF(subject_type, ew_enum_subject_type),
    STR(subject_id),
    STRV(evidence_event_ids),
    MAP(facts),
    STR(legal_basis),
    STR(message),
    OTIME(due_at)};
static RTYPE(ew_rt_alert, "alert", "enforcewatch.Alert", "alert_id");
#undef S

#define S ew_notice
static const ew_field ew_rt_notice_fields[] = {
    STR(notice_id),
    ENUMF(notice_type, ew_enum_notice_type),
    STR(issuer_uscc),
    STR(recipient_agency_uscc),
    STRV(cc_usccs),
    STRV(alert_ids),
    STR(findings),
    STRV(legal_basis),
    STRV(required_actions),
    TIME(issued_at),
    OTIME(rectification_due_at),
    TIME(feedback_due_at)};
static RTYPE(ew_rt_notice, "notice", "enforcewatch.Notice", "notice_id");
#undef S

#define S ew_stats
static const ew_field ew_rt_stats_fields[] = {
    STR(agency_uscc), STR(period), STR(metric), LONG(value), TIME(as_of)};
static RTYPE(ew_rt_stats, "stats", "enforcewatch.Stats", "agency_uscc");
#undef S

static const ew_rtype *const rtypes[EW_REC_COUNT] = {
    [EW_REC_INSPECTION] = &ew_rt_inspection,
    [EW_REC_COMPLAINT] = &ew_rt_complaint,
    [EW_REC_PENALTY] = &ew_rt_penalty,
    [EW_REC_FEEDBACK] = &ew_rt_feedback,
    [EW_REC_AGENCY] = &ew_rt_agency,
    [EW_REC_PLAN] = &ew_rt_plan,
    [EW_REC_APPROVAL] = &ew_rt_approval,
    [EW_REC_CERTIFICATE] = &ew_rt_certificate,
    [EW_REC_BENCHMARK] = &ew_rt_benchmark,
    [EW_REC_LENIENCY_ITEM] = &ew_rt_leniency_item,
    [EW_REC_SAMPLING_ITEM] = &ew_rt_sampling_item,
    [EW_REC_RANDOM_TASK] = &ew_rt_random_task,
    [EW_REC_CREDIT_GRADE] = &ew_rt_credit_grade,
    [EW_REC_CALENDAR_DAY] = &ew_rt_calendar_day,
    [EW_REC_ALERT] = &ew_rt_alert,
    [EW_REC_NOTICE] = &ew_rt_notice,
    [EW_REC_STATS] = &ew_rt_stats,
};

const ew_rtype *ew_rtype_of(ew_rkind k) {
  return (unsigned)k < EW_REC_COUNT ? rtypes[k] : NULL;
}

int ew_rkind_parse(const char *name, size_t len) {
  for (int k = 0; k < EW_REC_COUNT; k++)
    if (strlen(rtypes[k]->name) == len &&
        memcmp(rtypes[k]->name, name, len) == 0)
      return k;
  return -1;
}

const char *ew_rkind_name(ew_rkind k) {
  return (unsigned)k < EW_REC_COUNT ? rtypes[k]->name : NULL;
}

static const ew_field *field_named(const ew_rtype *t, const char *name) {
  for (size_t i = 0; i < t->nfields; i++)
    if (strcmp(t->fields[i].name, name) == 0)
      return &t->fields[i];
  return NULL;
}

static const char *str_at(const void *body, size_t off) {
  const char *s;
  memcpy(&s, (const char *)body + off, sizeof s);
  return s;
}

const char *ew_record_id(const ew_record *rec) {
  const ew_rtype *t = ew_rtype_of(rec->kind);
  const ew_field *f = field_named(t, t->id_field);
  return str_at(&rec->u, f->offset);
}

const char *ew_record_event_id(const ew_record *rec) {
  if (!ew_rkind_is_event(rec->kind))
    return NULL;
  /* Every event starts with event_id, event_time (contract §1 envelope). */
  return str_at(&rec->u, ew_rtype_of(rec->kind)->fields[0].offset);
}

ew_time ew_record_event_time(const ew_record *rec) {
  if (!ew_rkind_is_event(rec->kind))
    return EW_NONE;
  ew_time t;
  memcpy(&t, (const char *)&rec->u + ew_rtype_of(rec->kind)->fields[1].offset,
         sizeof t);
  return t;
}

void ew_rtype_init(const ew_rtype *t, void *body) {
  char *b = body;
  memset(b, 0, t->size);
  for (size_t i = 0; i < t->nfields; i++) {
    const ew_field *f = &t->fields[i];
    int dflt = (f->flags & EW_FF_DFLT) != 0;
    switch (f->type) {
    case EW_FT_TIME:
    case EW_FT_LONG: {
      int64_t v = dflt ? f->dflt : EW_NONE;
      memcpy(b + f->offset, &v, sizeof v);
      break;
    }
    case EW_FT_BOOL: {
      int8_t v = dflt ? (int8_t)f->dflt : EW_BOOL_NONE;
      memcpy(b + f->offset, &v, sizeof v);
      break;
    }
    case EW_FT_ENUM: {
      int v = dflt ? (int)f->dflt : EW_ENUM_NONE;
      memcpy(b + f->offset, &v, sizeof v);
      break;
    }
    default: /* strings NULL, arrays {NULL, 0}: the memset did it */
      break;
    }
  }
}

const ew_field *ew_rtype_missing(const ew_rtype *t, const void *body) {
  const char *b = body;
  for (size_t i = 0; i < t->nfields; i++) {
    const ew_field *f = &t->fields[i];
    if (!ew_field_required(f))
      continue;
    switch (f->type) {
    case EW_FT_STR:
      if (str_at(b, f->offset) == NULL)
        return f;
      break;
    case EW_FT_TIME:
    case EW_FT_LONG: {
      int64_t v;
      memcpy(&v, b + f->offset, sizeof v);
      if (v == EW_NONE)
        return f;
      break;
    }
    case EW_FT_BOOL: {
      int8_t v;
      memcpy(&v, b + f->offset, sizeof v);
      if (v == EW_BOOL_NONE)
        return f;
      break;
    }
    case EW_FT_ENUM: {
      int v;
      memcpy(&v, b + f->offset, sizeof v);
      if (v == EW_ENUM_NONE)
        return f;
      break;
    }
    default:
      break;
    }
  }
  return NULL;
}
