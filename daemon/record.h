/*
 * record.h - the plain C form of every record of the data contract.
 *
 * Every record that crosses a boundary (Kafka Avro, JSON Lines, SQLite) is one
 * of the structs below. Each struct has a descriptor (ew_rtype) that lists its
 * fields with their contract name, type, offset and default, so that the Avro
 * codec, the JSON Lines codec and the store walk one table instead of carrying
 * fourteen hand-written decoders each. The .avsc files in schemas/ are the wire
 * format; tests/unit/test_schemas.c proves they and these tables agree.
 *
 * Conventions for field values (contract.md §1):
 *   - strings are NUL-terminated, owned by the arena the record was decoded
 *     into; an absent optional string is NULL;
 *   - times are epoch milliseconds (ew_time); absent is EW_NONE;
 *   - optional longs use EW_NONE too;
 *   - enums are the index of the symbol in the enum's table; absent is -1;
 *   - bools are int8_t 0/1; an optional bool that is absent is -1, so test it
 *     with `== 1`, never by truthiness;
 *   - arrays are {v, n}; an absent array is {NULL, 0}.
 */
#ifndef EW_RECORD_H
#define EW_RECORD_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t ew_time; /* epoch milliseconds, UTC */
#define EW_NONE INT64_MIN
#define EW_ENUM_NONE (-1)
#define EW_BOOL_NONE ((int8_t)-1)

#define EW_VEC(T)                                                              \
  struct {                                                                     \
    T *v;                                                                      \
    size_t n;                                                                  \
  }

typedef EW_VEC(const char *) ew_strv;
typedef EW_VEC(int) ew_enumv;

/* ---- enums: the C value is the index of the symbol in its table ---- */

typedef struct ew_enum {
  const char *name; /* Avro enum name, e.g. "InspectionStatus" */
  const char *const *symbols;
  int n;
} ew_enum;

/* Returns the symbol's value, or -1 if `s` (length `len`) is not a symbol. */
int ew_enum_parse(const ew_enum *e, const char *s, size_t len);
/* Returns the symbol, or NULL if `v` is out of range. */
const char *ew_enum_name(const ew_enum *e, int v);

enum { EW_INSP_PLANNED, EW_INSP_STARTED, EW_INSP_ENDED, EW_INSP_CANCELLED };
enum { EW_CLASS_ROUTINE, EW_CLASS_CASE, EW_CLASS_SPECIAL };
enum {
  EW_TRIG_ANNUAL_PLAN,
  EW_TRIG_RANDOM_SAMPLING,
  EW_TRIG_COMPLAINT,
  EW_TRIG_CASE_INVESTIGATION,
  EW_TRIG_SUPERIOR_ASSIGNED,
  EW_TRIG_NATIONAL_SECURITY,
  EW_TRIG_PUBLIC_SAFETY,
  EW_TRIG_WORK_SAFETY,
  EW_TRIG_ECO_ENVIRONMENT,
  EW_TRIG_ENTERPRISE_REQUEST,
  EW_TRIG_LICENSING_VERIFICATION,
  EW_TRIG_DATA_MONITORING,
  EW_TRIG_COUNT
};
enum { EW_MODE_ON_SITE, EW_MODE_REMOTE, EW_MODE_DOCUMENT_REVIEW };
enum { EW_AV_FULL, EW_AV_PARTIAL, EW_AV_NONE };
enum {
  EW_RES_NO_ISSUE,
  EW_RES_RECTIFICATION_ORDERED,
  EW_RES_GUIDANCE_GIVEN,
  EW_RES_CASE_FILED,
  EW_RES_REFERRED
};
enum {
  EW_SOFT_ADMIN_GUIDANCE,
  EW_SOFT_ADMIN_WARNING,
  EW_SOFT_ADMIN_SUGGESTION,
  EW_SOFT_ADMIN_REWARD
};
enum {
  EW_CHAN_HOTLINE_12345,
  EW_CHAN_HOTLINE_12315,
  EW_CHAN_PHONE,
  EW_CHAN_LETTER,
  EW_CHAN_VISIT,
  EW_CHAN_WEB,
  EW_CHAN_SPECIAL_SUPERVISOR,
  EW_CHAN_TRANSFER
};
enum { EW_CSUBJ_ENFORCEMENT_CONDUCT, EW_CSUBJ_ENTERPRISE_VIOLATION };
enum {
  EW_CAT_NO_CERTIFICATE,
  EW_CAT_SINGLE_OFFICER,
  EW_CAT_UNPLANNED_INSPECTION,
  EW_CAT_REPEATED_INSPECTION,
  EW_CAT_BUSINESS_DISRUPTION,
  EW_CAT_ARBITRARY_FEE,
  EW_CAT_FORCED_PURCHASE,
  EW_CAT_SPONSORSHIP_DEMAND,
  EW_CAT_FORCED_SUBSCRIPTION,
  EW_CAT_ABUSE_FOR_PRIVATE_GAIN,
  EW_CAT_EXCESSIVE_PENALTY,
  EW_CAT_BLANKET_ENFORCEMENT,
  EW_CAT_PROFIT_DRIVEN,
  EW_CAT_OTHER
};
enum {
  EW_CST_RECEIVED,
  EW_CST_ACCEPTED,
  EW_CST_REJECTED,
  EW_CST_VERIFYING,
  EW_CST_CONCLUDED
};
enum {
  EW_FIND_SUBSTANTIATED,
  EW_FIND_PARTLY_SUBSTANTIATED,
  EW_FIND_UNSUBSTANTIATED
};
enum { EW_PROC_SIMPLE, EW_PROC_GENERAL, EW_PROC_HEARING };
enum {
  EW_PT_WARNING,
  EW_PT_CIRCULATED_CRITICISM,
  EW_PT_FINE,
  EW_PT_CONFISCATE_GAINS,
  EW_PT_CONFISCATE_PROPERTY,
  EW_PT_SUSPEND_LICENSE,
  EW_PT_DOWNGRADE_QUALIFICATION,
  EW_PT_REVOKE_LICENSE,
  EW_PT_RESTRICT_OPERATIONS,
  EW_PT_ORDER_SUSPEND_BUSINESS,
  EW_PT_ORDER_CLOSURE,
  EW_PT_RESTRICT_EMPLOYMENT
};
enum {
  EW_DL_NO_PENALTY,
  EW_DL_MITIGATED,
  EW_DL_LENIENT,
  EW_DL_GENERAL,
  EW_DL_HEAVY
};
enum { EW_HARM_NONE, EW_HARM_MINOR, EW_HARM_SERIOUS }; /* harm_max: first 2 */
enum { EW_CM_SEAL, EW_CM_SEIZE, EW_CM_ENFORCE };
enum { EW_CRM_CREDIT_DOWNGRADE, EW_CRM_PUBLIC_EXPOSURE };
enum { EW_FB_DONE, EW_FB_PARTIAL, EW_FB_DISPUTED };
enum { EW_LVL_PREFECTURE, EW_LVL_COUNTY, EW_LVL_TOWNSHIP };
enum {
  EW_PLAN_ANNUAL_INSPECTION,
  EW_PLAN_JOINT_INSPECTION,
  EW_PLAN_SPECIAL_CAMPAIGN
};
enum { EW_PST_DRAFT, EW_PST_FILED, EW_PST_RETURNED, EW_PST_AMENDED };
enum { EW_CERT_ACTIVE, EW_CERT_SUSPENDED, EW_CERT_REVOKED, EW_CERT_EXPIRED };
enum {
  EW_LEN_NO_PENALTY,
  EW_LEN_FIRST_OFFENSE_NO_PENALTY,
  EW_LEN_NO_FAULT,
  EW_LEN_LIGHTER,
  EW_LEN_MITIGATED
};
enum { EW_GRADE_A, EW_GRADE_B, EW_GRADE_C, EW_GRADE_D };
enum { EW_SEV_INFO, EW_SEV_LOW, EW_SEV_MEDIUM, EW_SEV_HIGH, EW_SEV_CRITICAL };
enum { EW_AST_OPEN, EW_AST_WITHDRAWN };
enum {
  EW_SUBJ_INSPECTION,
  EW_SUBJ_COMPLAINT,
  EW_SUBJ_PENALTY,
  EW_SUBJ_PLAN,
  EW_SUBJ_AGENCY,
  EW_SUBJ_NOTICE,
  EW_SUBJ_ENTERPRISE,
  EW_SUBJ_RANDOM_TASK
};
enum {
  EW_NT_SUPERVISION_OPINION,
  EW_NT_SUPERVISION_SUGGESTION,
  EW_NT_ORDER_CORRECTION,
  EW_NT_INSPECTION_BULLETIN,
  EW_NT_REFERRAL_DISCIPLINE,
  EW_NT_REFERRAL_JUDICIAL
};

extern const ew_enum ew_enum_inspection_status, ew_enum_check_class,
    ew_enum_trigger_type, ew_enum_mode, ew_enum_av_coverage,
    ew_enum_inspection_result, ew_enum_soft_measure, ew_enum_channel,
    ew_enum_complaint_subject, ew_enum_category, ew_enum_complaint_status,
    ew_enum_finding, ew_enum_procedure, ew_enum_penalty_type,
    ew_enum_discretion_level, ew_enum_harm_level, ew_enum_harm_max,
    ew_enum_compulsory_measure, ew_enum_credit_measure, ew_enum_feedback_result,
    ew_enum_agency_level, ew_enum_plan_type, ew_enum_plan_status,
    ew_enum_cert_status, ew_enum_leniency_kind, ew_enum_credit_grade,
    ew_enum_severity, ew_enum_alert_status, ew_enum_subject_type,
    ew_enum_notice_type;

/* ---- sub-records ---- */

typedef struct ew_officer {
  const char *officer_id;
  const char *cert_no; /* optional */
  int8_t cert_shown;   /* = false */
} ew_officer;

typedef struct ew_plan_item {
  const char *item_id;
  const char *check_item_code;
  ew_strv target_industries;
  ew_strv target_usccs;
  int64_t max_per_enterprise; /* optional */
  int mode;                   /* optional, ew_enum_mode */
  ew_time window_start;
  ew_time window_end;
} ew_plan_item;

typedef struct ew_benchmark_level {
  int level; /* ew_enum_discretion_level */
  int64_t min_fen;
  int64_t max_fen;
} ew_benchmark_level;

typedef struct ew_fact {
  const char *key;
  const char *value;
} ew_fact;

/* ---- events (contract §3) ---- */

typedef struct ew_inspection {
  const char *event_id;
  ew_time event_time;
  const char *inspection_id;
  int status;
  const char *agency_uscc;
  const char *enterprise_uscc;
  const char *enterprise_region_code; /* optional */
  const char *industry_code;          /* optional */
  int check_class;
  int trigger_type;
  const char *plan_id;        /* optional */
  const char *plan_item_id;   /* optional */
  const char *random_task_id; /* optional */
  const char *joint_plan_id;  /* optional */
  const char *complaint_id;   /* optional */
  const char *case_id;        /* optional */
  ew_strv check_items;
  const char *approval_id; /* optional */
  ew_time approved_at;     /* optional */
  int8_t emergency;        /* = false */
  int mode;
  const char *onsite_justification; /* optional */
  EW_VEC(ew_officer) officers;
  ew_time started_at;            /* optional */
  ew_time ended_at;              /* optional */
  const char *written_record_id; /* optional */
  int av_coverage;               /* = NONE */
  ew_strv av_record_ids;
  int result; /* optional */
  ew_enumv soft_measures;
  ew_time ledger_registered_at; /* optional */
  ew_strv ledger_signed_by;
  ew_time result_published_at; /* optional */
  int64_t fees_collected_fen;  /* = 0 */
  int8_t production_halted;    /* = false */
} ew_inspection;

typedef struct ew_complaint {
  const char *event_id;
  ew_time event_time;
  const char *complaint_id;
  ew_time received_at;
  int channel;
  int subject_type;
  const char *complainant_uscc;       /* optional */
  const char *enterprise_uscc;        /* optional */
  const char *respondent_agency_uscc; /* optional */
  ew_strv respondent_officer_ids;
  const char *related_inspection_id; /* optional */
  const char *related_penalty_id;    /* optional */
  int category;
  const char *handling_agency_uscc;
  int status;
  ew_time accepted_at;         /* optional */
  ew_time rejected_at;         /* optional */
  int64_t extension_days;      /* = 0 */
  int finding;                 /* optional */
  int8_t suspected_discipline; /* = false */
  ew_time concluded_at;        /* optional */
  ew_time feedback_at;         /* optional */
} ew_complaint;

typedef struct ew_penalty {
  const char *event_id;
  ew_time event_time;
  const char *decision_no;
  const char *case_id; /* optional */
  const char *agency_uscc;
  const char *enterprise_uscc;
  const char *enterprise_region_code; /* optional */
  const char *industry_code;          /* optional */
  ew_time filed_at;                   /* optional */
  ew_time notice_of_rights_at;        /* optional */
  ew_time decided_at;                 /* optional */
  ew_time published_at;               /* optional */
  ew_time withdrawn_at;               /* optional */
  int procedure;                      /* = GENERAL */
  ew_enumv penalty_types;
  int64_t fine_fen;        /* = 0 */
  int64_t confiscated_fen; /* = 0 */
  const char *violation_code;
  const char *benchmark_id; /* optional */
  int8_t benchmark_cited;   /* = false */
  int discretion_level;     /* optional */
  ew_strv factor_codes;
  int8_t first_offense;         /* = false */
  int8_t corrected;             /* = false */
  int harm_level;               /* = MINOR */
  int8_t is_major;              /* = false */
  const char *legal_review_id;  /* optional */
  ew_time legal_review_at;      /* optional */
  int8_t legal_review_passed;   /* optional: -1 absent */
  int8_t collective_discussion; /* = false */
  int8_t hearing_offered;       /* = false */
  int8_t hearing_waived;        /* = false */
  ew_enumv compulsory_measures;
  ew_enumv credit_measures;
  const char *credit_measure_legal_basis; /* optional */
  EW_VEC(ew_officer) officers;
  int av_coverage; /* = NONE */
} ew_penalty;

typedef struct ew_feedback {
  const char *event_id;
  ew_time event_time;
  const char *notice_id;
  const char *agency_uscc;
  ew_time feedback_at;
  int result;
  const char *summary; /* optional */
} ew_feedback;

/* ---- reference records (contract §4) ---- */

typedef struct ew_agency {
  const char *agency_uscc;
  const char *name;
  const char *region_code;
  int level;
  const char *parent_agency_uscc; /* optional */
  int8_t has_inspection_power;    /* = true */
  const char *justice_bureau_uscc;
} ew_agency;

typedef struct ew_plan {
  const char *plan_id;
  const char *agency_uscc;
  int64_t year;
  int plan_type;
  int status;
  ew_time filed_at; /* optional */
  EW_VEC(ew_plan_item) items;
  ew_strv participant_agency_usccs;
} ew_plan;

typedef struct ew_approval {
  const char *approval_id;
  const char *agency_uscc;
  const char *enterprise_uscc; /* optional */
  const char *inspection_id;   /* optional */
  ew_time approved_at;
  ew_time valid_until; /* optional */
} ew_approval;

typedef struct ew_certificate {
  const char *cert_no;
  const char *officer_id;
  const char *agency_uscc;
  ew_time valid_from;
  ew_time valid_to;
  int status;
} ew_certificate;

typedef struct ew_benchmark {
  const char *benchmark_id;
  const char *violation_code;
  const char *agency_uscc; /* optional */
  int64_t statutory_min_fen;
  int64_t statutory_max_fen;
  int64_t hearing_threshold_fen; /* optional */
  EW_VEC(ew_benchmark_level) levels;
} ew_benchmark;

typedef struct ew_leniency_item {
  const char *item_id;
  const char *violation_code;
  int kind;
  int64_t lookback_days; /* = 730 */
  int harm_max;          /* = MINOR */
  int8_t must_correct;   /* = true */
} ew_leniency_item;

typedef struct ew_sampling_item {
  const char *item_code;
  const char *agency_uscc;
  int8_t special_sector; /* = false */
  int8_t remote_capable; /* = false */
} ew_sampling_item;

typedef struct ew_random_task {
  const char *task_id;
  const char *agency_uscc;
  const char *check_item_code;
  ew_time drawn_at;
  ew_strv enterprises;
  ew_strv officers;
  int64_t population_size; /* optional */
  ew_time completed_at;    /* optional */
  ew_time published_at;    /* optional */
} ew_random_task;

typedef struct ew_credit_grade {
  const char *enterprise_uscc;
  int grade;
  ew_time as_of;
} ew_credit_grade;

typedef struct ew_calendar_day {
  const char *date; /* YYYY-MM-DD */
  int8_t is_workday;
} ew_calendar_day;

/* ---- outputs (contract §5) ---- */

typedef struct ew_alert {
  const char *alert_id;
  const char *rule_id;
  int severity;
  int status;
  ew_time detected_at;
  const char *agency_uscc;     /* optional */
  const char *enterprise_uscc; /* optional */
  const char *region_code;     /* optional */
  int subject_type;
  const char *subject_id;
  ew_strv evidence_event_ids;
  EW_VEC(ew_fact) facts;
  const char *legal_basis;
  const char *message;
  ew_time due_at; /* optional */
} ew_alert;

typedef struct ew_notice {
  const char *notice_id;
  int notice_type;
  const char *issuer_uscc;
  const char *recipient_agency_uscc;
  ew_strv cc_usccs;
  ew_strv alert_ids;
  const char *findings;
  ew_strv legal_basis;
  ew_strv required_actions;
  ew_time issued_at;
  ew_time rectification_due_at; /* optional */
  ew_time feedback_due_at;
} ew_notice;

typedef struct ew_stats {
  const char *agency_uscc;
  const char *period;
  const char *metric;
  int64_t value;
  ew_time as_of;
} ew_stats;

/* ---- the tagged record ---- */

typedef enum ew_rkind {
  EW_REC_INSPECTION,
  EW_REC_COMPLAINT,
  EW_REC_PENALTY,
  EW_REC_FEEDBACK,
  EW_REC_AGENCY,
  EW_REC_PLAN,
  EW_REC_APPROVAL,
  EW_REC_CERTIFICATE,
  EW_REC_BENCHMARK,
  EW_REC_LENIENCY_ITEM,
  EW_REC_SAMPLING_ITEM,
  EW_REC_RANDOM_TASK,
  EW_REC_CREDIT_GRADE,
  EW_REC_CALENDAR_DAY,
  EW_REC_ALERT,
  EW_REC_NOTICE,
  EW_REC_STATS,
  EW_REC_COUNT
} ew_rkind;

#define EW_REC_FIRST_EVENT EW_REC_INSPECTION
#define EW_REC_LAST_EVENT EW_REC_FEEDBACK
#define EW_REC_FIRST_REF EW_REC_AGENCY
#define EW_REC_LAST_REF EW_REC_CALENDAR_DAY

static inline int ew_rkind_is_event(ew_rkind k) {
  return k >= EW_REC_FIRST_EVENT && k <= EW_REC_LAST_EVENT;
}
static inline int ew_rkind_is_ref(ew_rkind k) {
  return k >= EW_REC_FIRST_REF && k <= EW_REC_LAST_REF;
}

typedef struct ew_record {
  ew_rkind kind;
  union {
    ew_inspection inspection;
    ew_complaint complaint;
    ew_penalty penalty;
    ew_feedback feedback;
    ew_agency agency;
    ew_plan plan;
    ew_approval approval;
    ew_certificate certificate;
    ew_benchmark benchmark;
    ew_leniency_item leniency_item;
    ew_sampling_item sampling_item;
    ew_random_task random_task;
    ew_credit_grade credit_grade;
    ew_calendar_day calendar_day;
    ew_alert alert;
    ew_notice notice;
    ew_stats stats;
  } u;
} ew_record;

/* ---- descriptors ---- */

typedef enum ew_ftype {
  EW_FT_STR,   /* const char * */
  EW_FT_TIME,  /* ew_time; Avro long timestamp-millis */
  EW_FT_LONG,  /* int64_t */
  EW_FT_BOOL,  /* int8_t */
  EW_FT_ENUM,  /* int */
  EW_FT_STRV,  /* ew_strv; Avro array of string */
  EW_FT_ENUMV, /* ew_enumv; Avro array of enum */
  EW_FT_RECV,  /* EW_VEC(sub-record); Avro array of record */
  EW_FT_MAP    /* EW_VEC(ew_fact); Avro map of string */
} ew_ftype;

enum {
  EW_FF_OPT = 1u << 0,  /* nullable: Avro ["null", T] default null */
  EW_FF_DFLT = 1u << 1, /* not nullable but has a default (`= v`) */
};

typedef struct ew_rtype ew_rtype;

typedef struct ew_field {
  const char *name; /* the contract's field name */
  ew_ftype type;
  unsigned flags;
  size_t offset;       /* within the struct */
  const ew_enum *enm;  /* ENUM, ENUMV */
  const ew_rtype *sub; /* RECV */
  int64_t dflt;        /* with EW_FF_DFLT: LONG, BOOL, ENUM value */
} ew_field;

/* A field is required when it has neither EW_FF_OPT nor EW_FF_DFLT and is
 * not an array or map (arrays and maps default to empty). */
static inline int ew_field_required(const ew_field *f) {
  return !(f->flags & (EW_FF_OPT | EW_FF_DFLT)) && f->type != EW_FT_STRV &&
         f->type != EW_FT_ENUMV && f->type != EW_FT_RECV &&
         f->type != EW_FT_MAP;
}

struct ew_rtype {
  const char *name; /* contract name: "inspection", "plan", "plan_item" */
  const char *avro; /* Avro full name: "enforcewatch.Inspection" */
  size_t size;      /* sizeof the struct */
  const ew_field *fields;
  size_t nfields;
  const char *id_field; /* the subject/ref id field name, NULL for subs */
};

/* The descriptor of a top-level kind; NULL for EW_REC_COUNT. */
const ew_rtype *ew_rtype_of(ew_rkind k);
/* Looks a kind up by its contract name ("inspection", "calendar_day"...).
 * Returns -1 if unknown. */
int ew_rkind_parse(const char *name, size_t len);
const char *ew_rkind_name(ew_rkind k);

/* Pointer to the body of `rec` (the union member of its kind). */
static inline void *ew_record_body(ew_record *rec) {
  return &rec->u;
}
static inline const void *ew_record_body_const(const ew_record *rec) {
  return &rec->u;
}
/* The value of the record's id field (inspection_id, plan_id, date...). */
const char *ew_record_id(const ew_record *rec);
/* event_id and event_time for events; NULL / EW_NONE for the rest. */
const char *ew_record_event_id(const ew_record *rec);
ew_time ew_record_event_time(const ew_record *rec);

/* Sets every field of `body` (a struct of type `t`) to its absent/default
 * value: NULL strings, EW_NONE times, -1 optional enums, defaults for
 * EW_FF_DFLT fields, empty arrays. Decoders call it before filling. */
void ew_rtype_init(const ew_rtype *t, void *body);

/* Returns the first required field of `body` that is absent (NULL string,
 * EW_NONE time/long, -1 enum), or NULL when all are present. */
const ew_field *ew_rtype_missing(const ew_rtype *t, const void *body);

#endif /* EW_RECORD_H */
