/*
 * rules_config.h - every rule's switch, severity and thresholds.
 *
 * Defaults come from shared/domain/rules.md. The config file overrides them
 * in its `rules` group (e.g. `rules = { R05 = { min_officers = 3; }; }`);
 * the config parser walks ew_rule_params[] below, so a new threshold is one
 * struct member plus one table row, and the parser, the defaults and the
 * startup log of the effective values all follow from that row.
 */
#ifndef EW_RULES_CONFIG_H
#define EW_RULES_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define EW_RULE_MAX_LIST 64

/* How a rule's alerts reach the agency as a supervision notice (rules.md
 * "Notice:"; notices.h). */
typedef enum ew_notice_mode {
  EW_NOTICE_NONE,      /* alert only */
  EW_NOTICE_IMMEDIATE, /* one notice per alert, when it opens */
  EW_NOTICE_BATCHED    /* one notice per agency and month */
} ew_notice_mode;
extern const ew_enum ew_enum_notice_mode; /* NONE, IMMEDIATE, BATCHED */

typedef struct ew_rule_common {
  int enabled;             /* bool */
  int severity;            /* ew_enum_severity */
  int notice;              /* ew_notice_mode */
  int notice_type;         /* ew_enum_notice_type of an immediate notice */
  int notice_min_severity; /* alerts below it get no notice */
} ew_rule_common;

/* A configured list of strings (owned by the config, NUL-terminated). */
typedef struct ew_strlist {
  char *v[EW_RULE_MAX_LIST];
  size_t n;
} ew_strlist;

typedef struct ew_rules_config {
  /* ---- deadlines and windows (issue 4). A deadline counted in working
   * days ends with the last working day (calendar.h); one counted in days
   * ends with the last day, 23:59:59.999 Asia/Shanghai (期间开始之日不计算
   * 在内, 行政处罚法第85条). ---- */
  struct {
    ew_rule_common c;   /* severity: not filed by the warning date */
    int severity_late;  /* not filed by the due date: the violation */
    int64_t warn_month; /* 01-31 [P] */
    int64_t warn_day;
    int64_t due_month; /* 03-31 [P] */
    int64_t due_day;
    uint32_t plan_types;    /* bit per EW_PLAN_*: plans that count */
    uint32_t plan_statuses; /* bit per EW_PST_* */
    int64_t first_year;     /* 0: from the first year of the input */
  } r01;
  struct {
    ew_rule_common c;
    int64_t workdays; /* after ended_at: ledger registered and signed */
  } r04;
  struct {
    ew_rule_common c;
    int64_t penalty_workdays;    /* 行政处罚 decisions: 7 WD */
    int64_t inspection_workdays; /* other decisions (inspection results) */
    uint32_t exempt_procedures;  /* bit per EW_PROC_*: not published */
    uint32_t inspection_results; /* bit per EW_RES_*: results published */
  } r07;
  struct {
    ew_rule_common c; /* severity: past `days` */
    int64_t days;     /* 行政处罚法第60条: 90 */
    int severity_late;
    int64_t late_days; /* 120 */
  } r12;
  struct {
    ew_rule_common c;
    int64_t min_enterprises; /* same heavy type, one industry: 10 */
    int64_t window_days;     /* 7 */
  } r14b;
  struct {
    ew_rule_common c;
    int64_t workdays; /* results published after completed_at: 20 */
  } r16c;
  struct {
    ew_rule_common c;
    uint32_t exempt_triggers; /* bit per EW_TRIG_*: 个案, not counted */
    uint32_t counted_classes; /* bit per EW_CLASS_*: routine checks */
    int64_t max_a, months_a;  /* 1 per 24 months */
    int64_t max_b, months_b;  /* 1 per 12 months */
    int64_t max_c, months_c;  /* 2 per 12 months */
  } r18a;
  struct {
    ew_rule_common c;
    int64_t window_days;      /* same agency, same enterprise: 30 */
    uint32_t exempt_triggers; /* bit per EW_TRIG_*: 个案, not counted */
    uint32_t counted_classes; /* bit per EW_CLASS_*: not 个案 */
  } r19a;
  struct {
    ew_rule_common c;
    int64_t window_days;      /* same agency, item and enterprise: 365 */
    uint32_t exempt_triggers; /* bit per EW_TRIG_*: 个案, not counted */
    uint32_t counted_classes; /* bit per EW_CLASS_*: not 个案 */
  } r19b;
  struct {
    ew_rule_common c;
    int64_t window_days;      /* several agencies, one enterprise: 15 */
    int64_t min_agencies;     /* 2 */
    uint32_t exempt_triggers; /* bit per EW_TRIG_*: 个案, not counted */
    uint32_t counted_classes; /* bit per EW_CLASS_*: not 个案 */
  } r19c;
  struct {
    ew_rule_common c;
    int64_t max_per_year;     /* one agency, one enterprise, calendar year: 2 */
    uint32_t exempt_triggers; /* bit per EW_TRIG_*: 个案, not counted */
    uint32_t counted_classes; /* bit per EW_CLASS_*: not 个案 */
  } r19d;
  struct {
    ew_rule_common c;           /* severity: overdue */
    int severity_late;          /* past twice the limit */
    int64_t accept_workdays;    /* 5 WD */
    int64_t conclude_days;      /* 30 d after acceptance */
    int64_t max_extension_days; /* 30 */
  } r20a;
  struct {
    ew_rule_common c;
    int severity_late;
    int64_t accept_workdays;   /* 7 WD (暂行办法第14条) */
    int64_t conclude_workdays; /* 45 WD (第21条) */
  } r20b;
  struct {
    ew_rule_common c;
    uint32_t findings; /* bit per EW_FIND_*: substantiated */
  } r21a;
  struct {
    ew_rule_common c;
    uint32_t categories; /* bit per EW_CAT_*: referred to 纪检监察 */
  } r21b;
  /* ---- profit-driven signals (issue 5, r23_profit_signals.c): screens
   * per agency and quarter over the months before the quarter's end.
   * Shares and ratios are whole percents. Each of R23a-R23e rises to
   * severity_multi when the agency has multi_signals or more signals
   * (R23a-R23f) in the quarter. ---- */
  struct {
    ew_rule_common c;          /* HIGH: 整齐化 is how a quota shows */
    int severity_multi;        /* with multi_signals signals: HIGH */
    int64_t multi_signals;     /* 2 */
    int64_t window_months;     /* 12 */
    int64_t min_cases;         /* decisions, and fined ones, in it: 12 */
    int64_t min_months;        /* months the agency's data covers: 6 */
    int64_t cv_max_percent;    /* monthly counts' CV below it: 20 */
    int64_t band_percent;      /* around the median fine: 15 */
    int64_t share_min_percent; /* of fines within the band, at least: 80 */
  } r23a;
  struct {
    ew_rule_common c;
    int severity_multi;
    int64_t multi_signals;
    int64_t growth_min_percent; /* 罚没 year on year, above it twice: 10 */
    int64_t min_year_cases;     /* decisions in each of the 3 years: 12 */
  } r23b;
  struct {
    ew_rule_common c;
    int severity_multi;
    int64_t multi_signals;
    int64_t window_months;     /* 12 */
    int64_t min_cases;         /* fines judged against a benchmark: 12 */
    int64_t share_max_percent; /* 顶格 fines, above it: 20 */
  } r23c;
  struct {
    ew_rule_common c;
    int severity_multi;
    int64_t multi_signals;
    int64_t window_months;     /* 12 */
    int64_t min_cases;         /* decisions: 12 */
    int64_t share_max_percent; /* on enterprises from elsewhere: 30 */
  } r23d;
  struct {
    ew_rule_common c;
    int severity_multi;
    int64_t multi_signals;
    int64_t window_months;     /* 12 */
    int64_t min_cases;         /* decisions: 12 */
    int64_t last_days;         /* of each month, quarter, year: 10 */
    int64_t ratio_max_percent; /* their daily rate over the mean: 200 */
    int64_t min_end_cases;     /* decisions in those days, at least: 5 */
  } r23e;
  struct {
    ew_rule_common c;    /* CRITICAL */
    uint32_t categories; /* bit per EW_CAT_*: PROFIT_DRIVEN */
    uint32_t findings;   /* bit per EW_FIND_*: SUBSTANTIATED */
  } r23f;
  struct {
    ew_rule_common c;           /* severity: feedback overdue */
    int severity_late;          /* escalated */
    int64_t feedback_days;      /* after the notice is served: 30 */
    int64_t escalate_days;      /* more after the due date: 15 */
    int64_t rectification_days; /* the notice's rectification_due_at */
    uint32_t notice_types; /* bit per EW_NT_*: notices that need feedback */
  } r24;
  struct {
    ew_rule_common c;
    uint32_t exempt_triggers; /* bit per EW_TRIG_*: not subject to the plan */
    uint32_t plan_statuses;   /* bit per EW_PST_*: plan statuses that count */
    int evaluate_planned;     /* bool: also check PLANNED inspections */
  } r02;
  struct {
    ew_rule_common c;
    int64_t min_officers;   /* distinct validly certified officers */
    int apply_to_penalties; /* bool: GENERAL/HEARING penalties too */
  } r05;
  struct {
    ew_rule_common c;
    int severity_none_certified; /* when no participant is certified */
    int require_cert_shown;      /* bool */
    int require_same_agency;     /* bool: certificate of the acting agency */
    uint32_t shown_modes;        /* bit per EW_MODE_*: cert_shown required */
  } r06;
  /* ---- procedure of an inspection ---- */
  struct {
    ew_rule_common c;
    int64_t emergency_grace_workdays; /* emergency: approval may follow */
    int require_approval_record;      /* bool: approval_id must be on file */
  } r03;
  struct {
    ew_rule_common c;
    uint32_t compulsory_measures; /* bit per EW_CM_*: needs FULL AV */
  } r08a;
  struct {
    ew_rule_common c;
    uint32_t modes; /* bit per EW_MODE_*: inspections that need AV */
  } r08b;
  struct {
    ew_rule_common c;
  } r08c; /* an ENDED inspection without a written record */
  /* ---- decisions ---- */
  struct {
    ew_rule_common c;
    int derive_major; /* bool: hearing-eligible (R11) or R14 types are major */
  } r09;
  struct {
    ew_rule_common c;
  } r10a; /* a benchmark exists but is not cited */
  struct {
    ew_rule_common c;
  } r10b; /* fine outside the level's band or the statutory range */
  struct {
    ew_rule_common c;
    ew_strlist aggravating_factors; /* empty: any factor code counts */
  } r10c;
  struct {
    ew_rule_common c;
    uint32_t hearing_types;        /* bit per EW_PT_*: hearing-eligible */
    int64_t hearing_threshold_fen; /* fine or confiscation making it so */
    /* Working days a party has to ask for a hearing once told of the
     * right: 行政处罚法 Art 64 「五日内提出」, and Art 85 makes the
     * law's 「五日」 working days. */
    int64_t hearing_request_workdays;
  } r11;
  struct {
    ew_rule_common c;
  } r13a; /* leniency list conditions hold, outcome heavier */
  struct {
    ew_rule_common c;
  } r13b; /* penalty waived under the list but not rectified */
  struct {
    ew_rule_common c;
    uint32_t heavy_types; /* bit per EW_PT_*: ¶7's heavy sanctions */
    int require_legal_review;
    int require_hearing_offer;
    int require_collective_discussion;
  } r14a;
  struct {
    ew_rule_common c;
    uint32_t grades;            /* bit per EW_GRADE_*: low-risk grades */
    int64_t soft_lookback_days; /* soft measures looked for before */
    ew_strlist urgency_factors; /* factor codes that justify urgency */
  } r15;
  /* ---- random sampling, remote checks, credit ---- */
  struct {
    ew_rule_common c;
    int check_officers; /* bool: officers must be in the draw too */
  } r16a;
  struct {
    ew_rule_common c;
    uint32_t triggers; /* bit per EW_TRIG_*: routine non-random checks */
  } r16b;
  struct {
    ew_rule_common c;
    int64_t max_draw_percent; /* of the 名录库 population */
  } r16d;
  struct {
    ew_rule_common c;
  } r17; /* on site for a remote-capable item, no justification */
  struct {
    ew_rule_common c;
  } r18b; /* credit measure without its legal basis */
  /* ---- discipline ---- */
  struct {
    ew_rule_common c;
    ew_strlist statutory_fee_items; /* check items with a statutory fee */
  } r22a;
  struct {
    ew_rule_common c;
    int64_t decision_grace_days; /* compulsory decision may follow by */
  } r22b;
  struct {
    ew_rule_common c;
    int severity_time_order;   /* ended_at before started_at */
    ew_strlist uscc_allowlist; /* legacy codes that fail the checksum */
    ew_strlist region_codes;   /* D14: known GB/T 2260 codes */
  } r25;
} ew_rules_config;

typedef enum ew_param_type {
  EW_PT_BOOL,    /* int */
  EW_PT_INT,     /* int64_t, within [min, max] */
  EW_PT_ENUM,    /* int, one symbol of `enm` (a severity, a notice mode) */
  EW_PT_ENUMSET, /* uint32_t bit set of `enm` symbols, from a string array */
  EW_PT_STRLIST  /* ew_strlist, from a string array */
} ew_param_type;

typedef struct ew_rule_param {
  const char *rule; /* "R05" */
  const char *key;  /* "min_officers"; "enabled" and "severity" too */
  ew_param_type type;
  size_t offset;      /* in ew_rules_config */
  int64_t min, max;   /* EW_PT_INT */
  const ew_enum *enm; /* EW_PT_ENUM, EW_PT_ENUMSET */
} ew_rule_param;

extern const ew_rule_param ew_rule_params[];
extern const size_t ew_rule_params_count;

/* Fills `cfg` with the defaults of rules.md. */
void ew_rules_config_defaults(ew_rules_config *cfg);
/* Frees the strings of the string lists. Accepts NULL. */
void ew_rules_config_free(ew_rules_config *cfg);
/* Logs every effective value at info level, one line per rule. */
void ew_rules_config_log(const ew_rules_config *cfg);
/* Writes the value of parameter `p` of `cfg` as the log shows it ("2",
 * "true", "MEDIUM", "[ON_SITE,REMOTE]", "[622900,622901]") into `buf`,
 * NUL-terminated and cut to `size` bytes. Returns the length of the whole
 * text, like snprintf: a value >= size means it was cut. */
int ew_rules_config_format_param(const ew_rule_param *p,
                                 const ew_rules_config *cfg, char *buf,
                                 size_t size);

#endif /* EW_RULES_CONFIG_H */
