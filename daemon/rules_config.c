/*
 * rules_config.c - the defaults of rules.md and the table of every
 * configurable rule parameter.
 *
 * ew_rule_params[] is the single list of what can be configured: the config
 * parser reads the `rules` group through it and ew_rules_config_log prints
 * the effective values through it, so adding a threshold is one member in
 * rules_config.h and one row here.
 *
 * String lists (EW_PT_STRLIST) own malloc'd strings: the defaults are
 * strdup'd, ew_rules_config_free frees them, and a parser that replaces a
 * list must free the previous entries first.
 */
#include "rules_config.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define BIT(x) (1u << (x))

/* D14 default (rules.md §2): GB/T 2260 codes of Linxia prefecture (622900),
 * its city and counties (622901, 622921-622927) and Gansu province (620000).
 * They are only the defaults for this deployment's region: the real list is
 * configuration (`rules = { R25 = { region_codes = [...]; }; }`). */
static const char *const default_region_codes[] = {
    "622900", "622901", "622921", "622922", "622923",
    "622924", "622925", "622926", "622927", "620000"};

/* R15: factor codes a decision cites when compulsion could not wait [P]. */
static const char *const default_urgency_factors[] = {"URGENT"};

static const char *const notice_mode_symbols[] = {"NONE", "IMMEDIATE",
                                                  "BATCHED"};
const ew_enum ew_enum_notice_mode = {"NoticeMode", notice_mode_symbols, 3};

/* rules.md "Notice:": yes = one notice per alert as it opens, a
 * 行政执法监督意见书 unless the rule says otherwise; batched = the
 * agency's monthly notice (notices.h). */
static void notice_set(ew_rule_common *c, int mode, int type, int min_sev) {
  c->notice = mode;
  c->notice_type = type;
  c->notice_min_severity = min_sev;
}

static void strlist_add_defaults(ew_strlist *l, const char *const *v,
                                 size_t n) {
  for (size_t i = 0; i < n && l->n < EW_RULE_MAX_LIST; i++) {
    char *s = strdup(v[i]);
    if (!s) {
      ew_err("rules: out of memory while setting default lists");
      return;
    }
    l->v[l->n++] = s;
  }
}

void ew_rules_config_defaults(ew_rules_config *cfg) {
  memset(cfg, 0, sizeof *cfg);

  /* R01: an annual inspection plan filed by 01-31 (warning, MEDIUM) and by
   * 03-31 (violation, HIGH) [P]: the seed says only 「年初」; 3月底 follows
   * Liaocheng and Zhaoqing under 国办发〔2024〕54号 [S14]. The notice goes
   * out with the violation, not with the warning. */
  cfg->r01.c.enabled = 1;
  cfg->r01.c.severity = EW_SEV_MEDIUM;
  cfg->r01.severity_late = EW_SEV_HIGH;
  cfg->r01.warn_month = 1;
  cfg->r01.warn_day = 31;
  cfg->r01.due_month = 3;
  cfg->r01.due_day = 31;
  cfg->r01.plan_types = BIT(EW_PLAN_ANNUAL_INSPECTION);
  cfg->r01.plan_statuses = BIT(EW_PST_FILED) | BIT(EW_PST_AMENDED);
  cfg->r01.first_year = 0;
  notice_set(&cfg->r01.c, EW_NOTICE_IMMEDIATE, EW_NT_SUPERVISION_OPINION,
             EW_SEV_HIGH);

  /* R04: ledger registered and signed by every officer 5 WD after the
   * inspection ended [P]. LOW, batched. */
  cfg->r04.c.enabled = 1;
  cfg->r04.c.severity = EW_SEV_LOW;
  cfg->r04.workdays = 5;
  notice_set(&cfg->r04.c, EW_NOTICE_BATCHED, EW_NT_SUPERVISION_SUGGESTION,
             EW_SEV_INFO);

  /* R07: 行政处罚 decisions published within 7 WD, other decisions within
   * 20 WD (国办发〔2018〕118号 [S1]); 简易程序 (warning-only, on-the-spot)
   * decisions are not published (SAMR 公示规定 Art 2 [S25]). An inspection
   * result is an 执法决定 when it orders rectification or files a case.
   * MEDIUM, batched. */
  cfg->r07.c.enabled = 1;
  cfg->r07.c.severity = EW_SEV_MEDIUM;
  cfg->r07.penalty_workdays = 7;
  cfg->r07.inspection_workdays = 20;
  cfg->r07.exempt_procedures = BIT(EW_PROC_SIMPLE);
  cfg->r07.inspection_results =
      BIT(EW_RES_RECTIFICATION_ORDERED) | BIT(EW_RES_CASE_FILED);
  notice_set(&cfg->r07.c, EW_NOTICE_BATCHED, EW_NT_SUPERVISION_SUGGESTION,
             EW_SEV_INFO);

  /* R12: no decision 90 d after filing (行政处罚法第60条) MEDIUM, HIGH at
   * 120 d (SAMR +30 d with approval [S6]). */
  cfg->r12.c.enabled = 1;
  cfg->r12.c.severity = EW_SEV_MEDIUM;
  cfg->r12.days = 90;
  cfg->r12.severity_late = EW_SEV_HIGH;
  cfg->r12.late_days = 120;

  /* R14b [P]: one heavy type on >= 10 enterprises of one industry within
   * 7 d by one agency, outside a filed special campaign. MEDIUM, notice. */
  cfg->r14b.c.enabled = 1;
  cfg->r14b.c.severity = EW_SEV_MEDIUM;
  cfg->r14b.min_enterprises = 10;
  cfg->r14b.window_days = 7;
  notice_set(&cfg->r14b.c, EW_NOTICE_IMMEDIATE, EW_NT_SUPERVISION_OPINION,
             EW_SEV_INFO);

  /* R16c: random-task results published 20 WD after completion
   * (冀政办发〔2015〕22号 [S2]). MEDIUM. */
  cfg->r16c.c.enabled = 1;
  cfg->r16c.c.severity = EW_SEV_MEDIUM;
  cfg->r16c.workdays = 20;

  /* R18a [P] after Daqing [S16]: routine and random checks of one
   * enterprise by one agency, A 1 per 24 months, B 1 per 12, C 2 per 12, D
   * no cap; 个案 (complaint, case, assignment, request, licensing,
   * monitoring) not counted. MEDIUM. */
  cfg->r18a.c.enabled = 1;
  cfg->r18a.c.severity = EW_SEV_MEDIUM;
  cfg->r18a.exempt_triggers =
      BIT(EW_TRIG_COMPLAINT) | BIT(EW_TRIG_CASE_INVESTIGATION) |
      BIT(EW_TRIG_SUPERIOR_ASSIGNED) | BIT(EW_TRIG_ENTERPRISE_REQUEST) |
      BIT(EW_TRIG_LICENSING_VERIFICATION) | BIT(EW_TRIG_DATA_MONITORING);
  cfg->r18a.counted_classes = BIT(EW_CLASS_ROUTINE);
  cfg->r18a.max_a = 1;
  cfg->r18a.months_a = 24;
  cfg->r18a.max_b = 1;
  cfg->r18a.months_b = 12;
  cfg->r18a.max_c = 2;
  cfg->r18a.months_c = 12;

  /* R19 [P]: a 30 d (MEDIUM), b 12 months (HIGH), c 15 d, two agencies
   * without a joint plan (MEDIUM, notice to each), d more than 2 a year
   * (54号's default [S12]; MEDIUM). */
  cfg->r19a.c.enabled = 1;
  cfg->r19a.c.severity = EW_SEV_MEDIUM;
  cfg->r19a.window_days = 30;
  cfg->r19b.c.enabled = 1;
  cfg->r19b.c.severity = EW_SEV_HIGH;
  cfg->r19b.window_days = 365;
  cfg->r19c.c.enabled = 1;
  cfg->r19c.c.severity = EW_SEV_MEDIUM;
  cfg->r19c.window_days = 15;
  cfg->r19c.min_agencies = 2;
  notice_set(&cfg->r19c.c, EW_NOTICE_IMMEDIATE, EW_NT_SUPERVISION_OPINION,
             EW_SEV_INFO);
  cfg->r19d.c.enabled = 1;
  cfg->r19d.c.severity = EW_SEV_MEDIUM;
  cfg->r19d.max_per_year = 2;
  /* R19 counts routine checks, i.e. not 个案: check_class CASE, and the
   * triggers of rules.md R19d (投诉举报, 交办, 企业申请, 许可核查) plus case
   * investigation and data monitoring, which 司法部问答 [S12] also calls
   * 个案检查 (the same list as R18a's). SPECIAL (专项) checks count: ¶11's
   * merging applies to them too; 上级部署专项 is exempt by its trigger. */
  {
    uint32_t exempt =
        BIT(EW_TRIG_COMPLAINT) | BIT(EW_TRIG_CASE_INVESTIGATION) |
        BIT(EW_TRIG_SUPERIOR_ASSIGNED) | BIT(EW_TRIG_ENTERPRISE_REQUEST) |
        BIT(EW_TRIG_LICENSING_VERIFICATION) | BIT(EW_TRIG_DATA_MONITORING);
    uint32_t classes = BIT(EW_CLASS_ROUTINE) | BIT(EW_CLASS_SPECIAL);
    cfg->r19a.exempt_triggers = cfg->r19b.exempt_triggers = exempt;
    cfg->r19c.exempt_triggers = cfg->r19d.exempt_triggers = exempt;
    cfg->r19a.counted_classes = cfg->r19b.counted_classes = classes;
    cfg->r19c.counted_classes = cfg->r19d.counted_classes = classes;
  }

  /* R20 [P]: (i) enforcement conduct: accept 5 WD, conclude 30 d after
   * acceptance, extension up to 30 d [S11]; (ii) against an enterprise:
   * accept 7 WD, conclude 45 WD [S9]. MEDIUM overdue, HIGH past twice the
   * limit; notice. */
  cfg->r20a.c.enabled = 1;
  cfg->r20a.c.severity = EW_SEV_MEDIUM;
  cfg->r20a.severity_late = EW_SEV_HIGH;
  cfg->r20a.accept_workdays = 5;
  cfg->r20a.conclude_days = 30;
  cfg->r20a.max_extension_days = 30;
  notice_set(&cfg->r20a.c, EW_NOTICE_IMMEDIATE, EW_NT_SUPERVISION_OPINION,
             EW_SEV_INFO);
  cfg->r20b.c.enabled = 1;
  cfg->r20b.c.severity = EW_SEV_MEDIUM;
  cfg->r20b.severity_late = EW_SEV_HIGH;
  cfg->r20b.accept_workdays = 7;
  cfg->r20b.conclude_workdays = 45;
  notice_set(&cfg->r20b.c, EW_NOTICE_IMMEDIATE, EW_NT_SUPERVISION_OPINION,
             EW_SEV_INFO);

  /* R21 (¶13): a substantiated complaint about enforcement conduct orders
   * correction (HIGH); in the discipline categories, or with
   * suspected_discipline, it is also referred to 纪检监察 (CRITICAL). */
  cfg->r21a.c.enabled = 1;
  cfg->r21a.c.severity = EW_SEV_HIGH;
  cfg->r21a.findings = BIT(EW_FIND_SUBSTANTIATED);
  notice_set(&cfg->r21a.c, EW_NOTICE_IMMEDIATE, EW_NT_ORDER_CORRECTION,
             EW_SEV_INFO);
  cfg->r21b.c.enabled = 1;
  cfg->r21b.c.severity = EW_SEV_CRITICAL;
  cfg->r21b.categories =
      BIT(EW_CAT_ABUSE_FOR_PRIVATE_GAIN) | BIT(EW_CAT_FORCED_PURCHASE) |
      BIT(EW_CAT_SPONSORSHIP_DEMAND) | BIT(EW_CAT_FORCED_SUBSCRIPTION) |
      BIT(EW_CAT_ARBITRARY_FEE);
  notice_set(&cfg->r21b.c, EW_NOTICE_IMMEDIATE, EW_NT_REFERRAL_DISCIPLINE,
             EW_SEV_INFO);

  /* R23 (¶5) [P]: statistical screens, 请核查 not proof, per agency and
   * quarter over the 12 months before its end: (a) 整齐化 CV < 0.2 and
   * >= 80% of fines within 15% of the median (HIGH); (b) 罚没 up > 10%
   * a year, two years running; (c) 顶格 fines > 20%; (d) > 30% on
   * enterprises registered elsewhere; (e) the last 10 days of month,
   * quarter or year > 2x the mean daily count; each MEDIUM, HIGH with two
   * signals; at least 12 decisions (and 6 months of data for a) so that a
   * small agency is not flagged by chance. (f) a substantiated complaint
   * of 趋利性执法 (the quota document found): CRITICAL. 监督意见书 each;
   * the 财政局 of rules.md's cc is in no registry, so it is not copied. */
  cfg->r23a.c.enabled = 1;
  cfg->r23a.c.severity = EW_SEV_HIGH;
  cfg->r23a.severity_multi = EW_SEV_HIGH;
  cfg->r23a.multi_signals = 2;
  cfg->r23a.window_months = 12;
  cfg->r23a.min_cases = 12;
  cfg->r23a.min_months = 6;
  cfg->r23a.cv_max_percent = 20;
  cfg->r23a.band_percent = 15;
  cfg->r23a.share_min_percent = 80;
  cfg->r23b.c.enabled = 1;
  cfg->r23b.c.severity = EW_SEV_MEDIUM;
  cfg->r23b.severity_multi = EW_SEV_HIGH;
  cfg->r23b.multi_signals = 2;
  cfg->r23b.growth_min_percent = 10;
  cfg->r23b.min_year_cases = 12;
  cfg->r23c.c.enabled = 1;
  cfg->r23c.c.severity = EW_SEV_MEDIUM;
  cfg->r23c.severity_multi = EW_SEV_HIGH;
  cfg->r23c.multi_signals = 2;
  cfg->r23c.window_months = 12;
  cfg->r23c.min_cases = 12;
  cfg->r23c.share_max_percent = 20;
  cfg->r23d.c.enabled = 1;
  cfg->r23d.c.severity = EW_SEV_MEDIUM;
  cfg->r23d.severity_multi = EW_SEV_HIGH;
  cfg->r23d.multi_signals = 2;
  cfg->r23d.window_months = 12;
  cfg->r23d.min_cases = 12;
  cfg->r23d.share_max_percent = 30;
  cfg->r23e.c.enabled = 1;
  cfg->r23e.c.severity = EW_SEV_MEDIUM;
  cfg->r23e.severity_multi = EW_SEV_HIGH;
  cfg->r23e.multi_signals = 2;
  cfg->r23e.window_months = 12;
  cfg->r23e.min_cases = 12;
  cfg->r23e.last_days = 10;
  cfg->r23e.ratio_max_percent = 200;
  cfg->r23e.min_end_cases = 5;
  cfg->r23f.c.enabled = 1;
  cfg->r23f.c.severity = EW_SEV_CRITICAL;
  cfg->r23f.categories = BIT(EW_CAT_PROFIT_DRIVEN);
  cfg->r23f.findings = BIT(EW_FIND_SUBSTANTIATED);
  notice_set(&cfg->r23a.c, EW_NOTICE_IMMEDIATE, EW_NT_SUPERVISION_OPINION,
             EW_SEV_INFO);
  notice_set(&cfg->r23b.c, EW_NOTICE_IMMEDIATE, EW_NT_SUPERVISION_OPINION,
             EW_SEV_INFO);
  notice_set(&cfg->r23c.c, EW_NOTICE_IMMEDIATE, EW_NT_SUPERVISION_OPINION,
             EW_SEV_INFO);
  notice_set(&cfg->r23d.c, EW_NOTICE_IMMEDIATE, EW_NT_SUPERVISION_OPINION,
             EW_SEV_INFO);
  notice_set(&cfg->r23e.c, EW_NOTICE_IMMEDIATE, EW_NT_SUPERVISION_OPINION,
             EW_SEV_INFO);
  notice_set(&cfg->r23f.c, EW_NOTICE_IMMEDIATE, EW_NT_SUPERVISION_OPINION,
             EW_SEV_INFO);

  /* R24: feedback due 30 d after the notice [P] (MEDIUM); 15 d later HIGH
   * and an INSPECTION_BULLETIN (通报) candidate. */
  cfg->r24.c.enabled = 1;
  cfg->r24.c.severity = EW_SEV_MEDIUM;
  cfg->r24.severity_late = EW_SEV_HIGH;
  cfg->r24.feedback_days = 30;
  cfg->r24.escalate_days = 15;
  cfg->r24.rectification_days = 30;
  /* A 通报 or a referral informs; it asks the agency for no report. */
  cfg->r24.notice_types = BIT(EW_NT_SUPERVISION_OPINION) |
                          BIT(EW_NT_SUPERVISION_SUGGESTION) |
                          BIT(EW_NT_ORDER_CORRECTION);
  notice_set(&cfg->r24.c, EW_NOTICE_IMMEDIATE, EW_NT_INSPECTION_BULLETIN,
             EW_SEV_HIGH);

  /* R02: ¶2 exempt list [S0] plus ENTERPRISE_REQUEST and
   * LICENSING_VERIFICATION [P]; FILED and AMENDED plans count. */
  cfg->r02.c.enabled = 1;
  cfg->r02.c.severity = EW_SEV_HIGH;
  notice_set(&cfg->r02.c, EW_NOTICE_IMMEDIATE, EW_NT_SUPERVISION_OPINION,
             EW_SEV_INFO);
  cfg->r02.exempt_triggers =
      BIT(EW_TRIG_NATIONAL_SECURITY) | BIT(EW_TRIG_PUBLIC_SAFETY) |
      BIT(EW_TRIG_WORK_SAFETY) | BIT(EW_TRIG_ECO_ENVIRONMENT) |
      BIT(EW_TRIG_COMPLAINT) | BIT(EW_TRIG_CASE_INVESTIGATION) |
      BIT(EW_TRIG_SUPERIOR_ASSIGNED) | BIT(EW_TRIG_ENTERPRISE_REQUEST) |
      BIT(EW_TRIG_LICENSING_VERIFICATION);
  cfg->r02.plan_statuses = BIT(EW_PST_FILED) | BIT(EW_PST_AMENDED);
  cfg->r02.evaluate_planned = 0;

  /* R05: ¶3 「不得少于2人」; 行政处罚法第42条 for GENERAL/HEARING. */
  cfg->r05.c.enabled = 1;
  cfg->r05.c.severity = EW_SEV_HIGH;
  notice_set(&cfg->r05.c, EW_NOTICE_IMMEDIATE, EW_NT_SUPERVISION_OPINION,
             EW_SEV_INFO);
  cfg->r05.min_officers = 2;
  cfg->r05.apply_to_penalties = 1;

  /* R06: HIGH, CRITICAL when nobody is certified. Showing the certificate
   * is required on site and in remote checks (video); a document review
   * meets nobody, so it is not in the default set. */
  cfg->r06.c.enabled = 1;
  cfg->r06.c.severity = EW_SEV_HIGH;
  notice_set(&cfg->r06.c, EW_NOTICE_IMMEDIATE, EW_NT_SUPERVISION_OPINION,
             EW_SEV_INFO);
  cfg->r06.severity_none_certified = EW_SEV_CRITICAL;
  cfg->r06.require_cert_shown = 1;
  cfg->r06.require_same_agency = 1;
  cfg->r06.shown_modes = BIT(EW_MODE_ON_SITE) | BIT(EW_MODE_REMOTE);

  /* R03: ¶1 approval before the check; 54号 allows emergencies to be
   * approved afterwards, within 1 working day [P]. */
  cfg->r03.c.enabled = 1;
  cfg->r03.c.severity = EW_SEV_MEDIUM;
  notice_set(&cfg->r03.c, EW_NOTICE_BATCHED, EW_NT_SUPERVISION_SUGGESTION,
             EW_SEV_INFO);
  cfg->r03.emergency_grace_workdays = 1;
  cfg->r03.require_approval_record = 1;

  /* R08: A compulsory measures without FULL AV (HIGH); B on-site checks
   * without AV (LOW); C no written record (MEDIUM). */
  cfg->r08a.c.enabled = 1;
  cfg->r08a.c.severity = EW_SEV_HIGH;
  notice_set(&cfg->r08a.c, EW_NOTICE_IMMEDIATE, EW_NT_SUPERVISION_OPINION,
             EW_SEV_INFO);
  cfg->r08a.compulsory_measures =
      BIT(EW_CM_SEAL) | BIT(EW_CM_SEIZE) | BIT(EW_CM_ENFORCE);
  cfg->r08b.c.enabled = 1;
  cfg->r08b.c.severity = EW_SEV_LOW;
  notice_set(&cfg->r08b.c, EW_NOTICE_BATCHED, EW_NT_SUPERVISION_SUGGESTION,
             EW_SEV_INFO);
  cfg->r08b.modes = BIT(EW_MODE_ON_SITE);
  cfg->r08c.c.enabled = 1;
  cfg->r08c.c.severity = EW_SEV_MEDIUM;
  notice_set(&cfg->r08c.c, EW_NOTICE_BATCHED, EW_NT_SUPERVISION_SUGGESTION,
             EW_SEV_INFO);

  /* R09: HIGH; major also when hearing-eligible or of an R14 type [P]. */
  cfg->r09.c.enabled = 1;
  cfg->r09.c.severity = EW_SEV_HIGH;
  notice_set(&cfg->r09.c, EW_NOTICE_IMMEDIATE, EW_NT_SUPERVISION_OPINION,
             EW_SEV_INFO);
  cfg->r09.derive_major = 1;

  /* R10: a MEDIUM, b HIGH, c LOW. */
  cfg->r10a.c.enabled = 1;
  cfg->r10a.c.severity = EW_SEV_MEDIUM;
  cfg->r10b.c.enabled = 1;
  cfg->r10b.c.severity = EW_SEV_HIGH;
  cfg->r10c.c.enabled = 1;
  cfg->r10c.c.severity = EW_SEV_LOW;

  /* R11: HIGH. Hearing-eligible per 行政处罚法 Art 63: downgrading,
   * revoking, suspending business, closure, restricting employment, and
   * (as 其他较重的行政处罚) suspending licences and restricting operations;
   * or a fine or confiscation of at least the 较大数额, which Gansu has not
   * published: ¥10,000 [P] unless the benchmark names its own threshold.
   * Five days to request a hearing (Art 64), working days because Art 85
   * says the law's 「五日」 are working days (calendar.h). */
  cfg->r11.c.enabled = 1;
  cfg->r11.c.severity = EW_SEV_HIGH;
  cfg->r11.hearing_types =
      BIT(EW_PT_SUSPEND_LICENSE) | BIT(EW_PT_DOWNGRADE_QUALIFICATION) |
      BIT(EW_PT_REVOKE_LICENSE) | BIT(EW_PT_RESTRICT_OPERATIONS) |
      BIT(EW_PT_ORDER_SUSPEND_BUSINESS) | BIT(EW_PT_ORDER_CLOSURE) |
      BIT(EW_PT_RESTRICT_EMPLOYMENT);
  cfg->r11.hearing_threshold_fen = 1000000;
  cfg->r11.hearing_request_workdays = 5;

  /* R13: a MEDIUM, b LOW (to the agency only). */
  cfg->r13a.c.enabled = 1;
  cfg->r13a.c.severity = EW_SEV_MEDIUM;
  cfg->r13b.c.enabled = 1;
  cfg->r13b.c.severity = EW_SEV_LOW;

  /* R14a: ¶7's heavy sanctions need legal review, a hearing offer and
   * collective discussion. HIGH. */
  cfg->r14a.c.enabled = 1;
  cfg->r14a.c.severity = EW_SEV_HIGH;
  notice_set(&cfg->r14a.c, EW_NOTICE_IMMEDIATE, EW_NT_SUPERVISION_OPINION,
             EW_SEV_INFO);
  cfg->r14a.heavy_types =
      BIT(EW_PT_SUSPEND_LICENSE) | BIT(EW_PT_DOWNGRADE_QUALIFICATION) |
      BIT(EW_PT_REVOKE_LICENSE) | BIT(EW_PT_RESTRICT_OPERATIONS) |
      BIT(EW_PT_ORDER_SUSPEND_BUSINESS) | BIT(EW_PT_ORDER_CLOSURE) |
      BIT(EW_PT_RESTRICT_EMPLOYMENT);
  cfg->r14a.require_legal_review = 1;
  cfg->r14a.require_hearing_offer = 1;
  cfg->r14a.require_collective_discussion = 1;

  /* R15 [P]: compulsion on an A/B enterprise with no soft measure in the
   * prior 90 days and no urgency factor: LOW advisory. */
  cfg->r15.c.enabled = 1;
  cfg->r15.c.severity = EW_SEV_LOW;
  cfg->r15.grades = BIT(EW_GRADE_A) | BIT(EW_GRADE_B);
  cfg->r15.soft_lookback_days = 90;
  strlist_add_defaults(&cfg->r15.urgency_factors, default_urgency_factors,
                       sizeof default_urgency_factors /
                           sizeof default_urgency_factors[0]);

  /* R16: a HIGH; b MEDIUM for ANNUAL_PLAN routine checks of a listed item;
   * d LOW above 20% of the population (Liaoning's cap [S14]). */
  cfg->r16a.c.enabled = 1;
  cfg->r16a.c.severity = EW_SEV_HIGH;
  cfg->r16a.check_officers = 1;
  cfg->r16b.c.enabled = 1;
  cfg->r16b.c.severity = EW_SEV_MEDIUM;
  cfg->r16b.triggers = BIT(EW_TRIG_ANNUAL_PLAN);
  cfg->r16d.c.enabled = 1;
  cfg->r16d.c.severity = EW_SEV_LOW;
  cfg->r16d.max_draw_percent = 20;

  /* R17 LOW; R18b MEDIUM. */
  cfg->r17.c.enabled = 1;
  cfg->r17.c.severity = EW_SEV_LOW;
  cfg->r18b.c.enabled = 1;
  cfg->r18b.c.severity = EW_SEV_MEDIUM;

  /* R22: a fees with no linked penalty or statutory fee, b production
   * halted with no compulsory decision within a day [P]. HIGH. */
  cfg->r22a.c.enabled = 1;
  cfg->r22a.c.severity = EW_SEV_HIGH;
  notice_set(&cfg->r22a.c, EW_NOTICE_IMMEDIATE, EW_NT_SUPERVISION_OPINION,
             EW_SEV_INFO);
  cfg->r22b.c.enabled = 1;
  cfg->r22b.c.severity = EW_SEV_HIGH;
  notice_set(&cfg->r22b.c, EW_NOTICE_IMMEDIATE, EW_NT_SUPERVISION_OPINION,
             EW_SEV_INFO);
  cfg->r22b.decision_grace_days = 1;

  /* R25: INFO for identifiers, LOW for ended_at < started_at. */
  cfg->r25.c.enabled = 1;
  cfg->r25.c.severity = EW_SEV_INFO;
  cfg->r25.severity_time_order = EW_SEV_LOW;
  strlist_add_defaults(&cfg->r25.region_codes, default_region_codes,
                       sizeof default_region_codes /
                           sizeof default_region_codes[0]);
}

static void strlist_free(ew_strlist *l) {
  for (size_t i = 0; i < l->n; i++) {
    free(l->v[i]);
    l->v[i] = NULL;
  }
  l->n = 0;
}

void ew_rules_config_free(ew_rules_config *cfg) {
  if (!cfg)
    return;
  for (size_t i = 0; i < ew_rule_params_count; i++)
    if (ew_rule_params[i].type == EW_PT_STRLIST)
      strlist_free((ew_strlist *)((char *)cfg + ew_rule_params[i].offset));
}

#define OFF(m) offsetof(ew_rules_config, m)
#define SEVERITY(rule, key, m)                                                 \
  { rule, key, EW_PT_ENUM, OFF(m), 0, 0, &ew_enum_severity }
#define COMMON(rule, r)                                                        \
  {rule, "enabled", EW_PT_BOOL, OFF(r.c.enabled), 0, 1, NULL},                 \
      SEVERITY(rule, "severity", r.c.severity), {rule,                         \
                                                 "notice",                     \
                                                 EW_PT_ENUM,                   \
                                                 OFF(r.c.notice),              \
                                                 0,                            \
                                                 0,                            \
                                                 &ew_enum_notice_mode},        \
      {rule, "notice_type",       EW_PT_ENUM, OFF(r.c.notice_type), 0,         \
       0,    &ew_enum_notice_type},                                            \
      SEVERITY(rule, "notice_min_severity", r.c.notice_min_severity)
#define INT(rule, key, m, lo, hi)                                              \
  { rule, key, EW_PT_INT, OFF(m), lo, hi, NULL }
#define ENUMSET(rule, key, m, e)                                               \
  { rule, key, EW_PT_ENUMSET, OFF(m), 0, 0, e }

const ew_rule_param ew_rule_params[] = {
    COMMON("R01", r01),
    SEVERITY("R01", "severity_late", r01.severity_late),
    INT("R01", "warn_month", r01.warn_month, 1, 12),
    INT("R01", "warn_day", r01.warn_day, 1, 31),
    INT("R01", "due_month", r01.due_month, 1, 12),
    INT("R01", "due_day", r01.due_day, 1, 31),
    ENUMSET("R01", "plan_types", r01.plan_types, &ew_enum_plan_type),
    ENUMSET("R01", "plan_statuses", r01.plan_statuses, &ew_enum_plan_status),
    INT("R01", "first_year", r01.first_year, 0, 9999),

    COMMON("R02", r02),
    {"R02", "exempt_triggers", EW_PT_ENUMSET, OFF(r02.exempt_triggers), 0, 0,
     &ew_enum_trigger_type},
    {"R02", "plan_statuses", EW_PT_ENUMSET, OFF(r02.plan_statuses), 0, 0,
     &ew_enum_plan_status},
    {"R02", "evaluate_planned", EW_PT_BOOL, OFF(r02.evaluate_planned), 0, 1,
     NULL},

    COMMON("R04", r04),
    INT("R04", "workdays", r04.workdays, 0, 250),

    COMMON("R05", r05),
    {"R05", "min_officers", EW_PT_INT, OFF(r05.min_officers), 1, 100, NULL},
    {"R05", "apply_to_penalties", EW_PT_BOOL, OFF(r05.apply_to_penalties), 0, 1,
     NULL},

    COMMON("R06", r06),
    SEVERITY("R06", "severity_none_certified", r06.severity_none_certified),
    {"R06", "require_cert_shown", EW_PT_BOOL, OFF(r06.require_cert_shown), 0, 1,
     NULL},
    {"R06", "require_same_agency", EW_PT_BOOL, OFF(r06.require_same_agency), 0,
     1, NULL},
    {"R06", "shown_modes", EW_PT_ENUMSET, OFF(r06.shown_modes), 0, 0,
     &ew_enum_mode},

    COMMON("R03", r03),
    {"R03", "emergency_grace_workdays", EW_PT_INT,
     OFF(r03.emergency_grace_workdays), 0, 30, NULL},
    {"R03", "require_approval_record", EW_PT_BOOL,
     OFF(r03.require_approval_record), 0, 1, NULL},

    COMMON("R07", r07),
    INT("R07", "penalty_workdays", r07.penalty_workdays, 0, 250),
    INT("R07", "inspection_workdays", r07.inspection_workdays, 0, 250),
    ENUMSET("R07", "exempt_procedures", r07.exempt_procedures,
            &ew_enum_procedure),
    ENUMSET("R07", "inspection_results", r07.inspection_results,
            &ew_enum_inspection_result),

    COMMON("R08a", r08a),
    {"R08a", "compulsory_measures", EW_PT_ENUMSET,
     OFF(r08a.compulsory_measures), 0, 0, &ew_enum_compulsory_measure},
    COMMON("R08b", r08b),
    {"R08b", "modes", EW_PT_ENUMSET, OFF(r08b.modes), 0, 0, &ew_enum_mode},
    COMMON("R08c", r08c),

    COMMON("R09", r09),
    {"R09", "derive_major", EW_PT_BOOL, OFF(r09.derive_major), 0, 1, NULL},

    COMMON("R10a", r10a),
    COMMON("R10b", r10b),
    COMMON("R10c", r10c),
    {"R10c", "aggravating_factors", EW_PT_STRLIST,
     OFF(r10c.aggravating_factors), 0, 0, NULL},

    COMMON("R11", r11),
    {"R11", "hearing_types", EW_PT_ENUMSET, OFF(r11.hearing_types), 0, 0,
     &ew_enum_penalty_type},
    {"R11", "hearing_threshold_fen", EW_PT_INT, OFF(r11.hearing_threshold_fen),
     0, INT64_MAX, NULL},
    {"R11", "hearing_request_workdays", EW_PT_INT,
     OFF(r11.hearing_request_workdays), 0, 60, NULL},

    COMMON("R12", r12),
    INT("R12", "days", r12.days, 1, 3650),
    SEVERITY("R12", "severity_late", r12.severity_late),
    INT("R12", "late_days", r12.late_days, 1, 3650),

    COMMON("R13a", r13a),
    COMMON("R13b", r13b),

    COMMON("R14a", r14a),
    {"R14a", "heavy_types", EW_PT_ENUMSET, OFF(r14a.heavy_types), 0, 0,
     &ew_enum_penalty_type},
    {"R14a", "require_legal_review", EW_PT_BOOL, OFF(r14a.require_legal_review),
     0, 1, NULL},
    {"R14a", "require_hearing_offer", EW_PT_BOOL,
     OFF(r14a.require_hearing_offer), 0, 1, NULL},
    {"R14a", "require_collective_discussion", EW_PT_BOOL,
     OFF(r14a.require_collective_discussion), 0, 1, NULL},

    COMMON("R14b", r14b),
    INT("R14b", "min_enterprises", r14b.min_enterprises, 2, 100000),
    INT("R14b", "window_days", r14b.window_days, 1, 366),

    COMMON("R15", r15),
    {"R15", "grades", EW_PT_ENUMSET, OFF(r15.grades), 0, 0,
     &ew_enum_credit_grade},
    {"R15", "soft_lookback_days", EW_PT_INT, OFF(r15.soft_lookback_days), 0,
     3650, NULL},
    {"R15", "urgency_factors", EW_PT_STRLIST, OFF(r15.urgency_factors), 0, 0,
     NULL},

    COMMON("R16a", r16a),
    {"R16a", "check_officers", EW_PT_BOOL, OFF(r16a.check_officers), 0, 1,
     NULL},
    COMMON("R16b", r16b),
    {"R16b", "triggers", EW_PT_ENUMSET, OFF(r16b.triggers), 0, 0,
     &ew_enum_trigger_type},
    COMMON("R16c", r16c),
    INT("R16c", "workdays", r16c.workdays, 0, 250),
    COMMON("R16d", r16d),
    {"R16d", "max_draw_percent", EW_PT_INT, OFF(r16d.max_draw_percent), 0, 100,
     NULL},

    COMMON("R17", r17),
    COMMON("R18a", r18a),
    ENUMSET("R18a", "exempt_triggers", r18a.exempt_triggers,
            &ew_enum_trigger_type),
    ENUMSET("R18a", "counted_classes", r18a.counted_classes,
            &ew_enum_check_class),
    INT("R18a", "max_a", r18a.max_a, 0, 1000),
    INT("R18a", "months_a", r18a.months_a, 1, 120),
    INT("R18a", "max_b", r18a.max_b, 0, 1000),
    INT("R18a", "months_b", r18a.months_b, 1, 120),
    INT("R18a", "max_c", r18a.max_c, 0, 1000),
    INT("R18a", "months_c", r18a.months_c, 1, 120),
    COMMON("R18b", r18b),

    COMMON("R19a", r19a),
    INT("R19a", "window_days", r19a.window_days, 1, 3650),
    ENUMSET("R19a", "exempt_triggers", r19a.exempt_triggers,
            &ew_enum_trigger_type),
    ENUMSET("R19a", "counted_classes", r19a.counted_classes,
            &ew_enum_check_class),
    COMMON("R19b", r19b),
    INT("R19b", "window_days", r19b.window_days, 1, 3650),
    ENUMSET("R19b", "exempt_triggers", r19b.exempt_triggers,
            &ew_enum_trigger_type),
    ENUMSET("R19b", "counted_classes", r19b.counted_classes,
            &ew_enum_check_class),
    COMMON("R19c", r19c),
    INT("R19c", "window_days", r19c.window_days, 1, 3650),
    INT("R19c", "min_agencies", r19c.min_agencies, 2, 100),
    ENUMSET("R19c", "exempt_triggers", r19c.exempt_triggers,
            &ew_enum_trigger_type),
    ENUMSET("R19c", "counted_classes", r19c.counted_classes,
            &ew_enum_check_class),
    COMMON("R19d", r19d),
    INT("R19d", "max_per_year", r19d.max_per_year, 1, 1000),
    ENUMSET("R19d", "exempt_triggers", r19d.exempt_triggers,
            &ew_enum_trigger_type),
    ENUMSET("R19d", "counted_classes", r19d.counted_classes,
            &ew_enum_check_class),

    COMMON("R20a", r20a),
    SEVERITY("R20a", "severity_late", r20a.severity_late),
    INT("R20a", "accept_workdays", r20a.accept_workdays, 0, 250),
    INT("R20a", "conclude_days", r20a.conclude_days, 1, 3650),
    INT("R20a", "max_extension_days", r20a.max_extension_days, 0, 3650),
    COMMON("R20b", r20b),
    SEVERITY("R20b", "severity_late", r20b.severity_late),
    INT("R20b", "accept_workdays", r20b.accept_workdays, 0, 250),
    INT("R20b", "conclude_workdays", r20b.conclude_workdays, 1, 1000),

    COMMON("R21a", r21a),
    ENUMSET("R21a", "findings", r21a.findings, &ew_enum_finding),
    COMMON("R21b", r21b),
    ENUMSET("R21b", "categories", r21b.categories, &ew_enum_category),

    COMMON("R23a", r23a),
    SEVERITY("R23a", "severity_multi", r23a.severity_multi),
    INT("R23a", "multi_signals", r23a.multi_signals, 2, 6),
    INT("R23a", "window_months", r23a.window_months, 1, 36),
    INT("R23a", "min_cases", r23a.min_cases, 1, 1000000),
    INT("R23a", "min_months", r23a.min_months, 1, 36),
    INT("R23a", "cv_max_percent", r23a.cv_max_percent, 1, 1000),
    INT("R23a", "band_percent", r23a.band_percent, 0, 100),
    INT("R23a", "share_min_percent", r23a.share_min_percent, 1, 100),
    COMMON("R23b", r23b),
    SEVERITY("R23b", "severity_multi", r23b.severity_multi),
    INT("R23b", "multi_signals", r23b.multi_signals, 2, 6),
    INT("R23b", "growth_min_percent", r23b.growth_min_percent, 0, 10000),
    INT("R23b", "min_year_cases", r23b.min_year_cases, 1, 1000000),
    COMMON("R23c", r23c),
    SEVERITY("R23c", "severity_multi", r23c.severity_multi),
    INT("R23c", "multi_signals", r23c.multi_signals, 2, 6),
    INT("R23c", "window_months", r23c.window_months, 1, 36),
    INT("R23c", "min_cases", r23c.min_cases, 1, 1000000),
    INT("R23c", "share_max_percent", r23c.share_max_percent, 0, 99),
    COMMON("R23d", r23d),
    SEVERITY("R23d", "severity_multi", r23d.severity_multi),
    INT("R23d", "multi_signals", r23d.multi_signals, 2, 6),
    INT("R23d", "window_months", r23d.window_months, 1, 36),
    INT("R23d", "min_cases", r23d.min_cases, 1, 1000000),
    INT("R23d", "share_max_percent", r23d.share_max_percent, 0, 99),
    COMMON("R23e", r23e),
    SEVERITY("R23e", "severity_multi", r23e.severity_multi),
    INT("R23e", "multi_signals", r23e.multi_signals, 2, 6),
    INT("R23e", "window_months", r23e.window_months, 1, 36),
    INT("R23e", "min_cases", r23e.min_cases, 1, 1000000),
    INT("R23e", "last_days", r23e.last_days, 1, 27),
    INT("R23e", "ratio_max_percent", r23e.ratio_max_percent, 100, 100000),
    INT("R23e", "min_end_cases", r23e.min_end_cases, 1, 1000000),
    COMMON("R23f", r23f),
    ENUMSET("R23f", "categories", r23f.categories, &ew_enum_category),
    ENUMSET("R23f", "findings", r23f.findings, &ew_enum_finding),

    COMMON("R22a", r22a),
    {"R22a", "statutory_fee_items", EW_PT_STRLIST,
     OFF(r22a.statutory_fee_items), 0, 0, NULL},
    COMMON("R22b", r22b),
    {"R22b", "decision_grace_days", EW_PT_INT, OFF(r22b.decision_grace_days), 0,
     365, NULL},

    COMMON("R24", r24),
    SEVERITY("R24", "severity_late", r24.severity_late),
    INT("R24", "feedback_days", r24.feedback_days, 1, 3650),
    INT("R24", "escalate_days", r24.escalate_days, 1, 3650),
    INT("R24", "rectification_days", r24.rectification_days, 0, 3650),
    ENUMSET("R24", "notice_types", r24.notice_types, &ew_enum_notice_type),

    COMMON("R25", r25),
    SEVERITY("R25", "severity_time_order", r25.severity_time_order),
    {"R25", "uscc_allowlist", EW_PT_STRLIST, OFF(r25.uscc_allowlist), 0, 0,
     NULL},
    {"R25", "region_codes", EW_PT_STRLIST, OFF(r25.region_codes), 0, 0, NULL},
};

const size_t ew_rule_params_count =
    sizeof ew_rule_params / sizeof ew_rule_params[0];

/* Appends `s` to the line, truncating (with "...") rather than failing:
 * the log line is for operators, the values themselves are in cfg. */
static void line_add(char *line, size_t size, size_t *len, const char *s) {
  size_t n = strlen(s);
  if (*len + n + 4 >= size) {
    if (*len + 4 < size) {
      memcpy(line + *len, "...", 4);
      *len += 3;
    }
    return;
  }
  memcpy(line + *len, s, n + 1);
  *len += n;
}

/* A bounded writer that, like snprintf, counts what did not fit. */
typedef struct fmt_buf {
  char *p;
  size_t size, len; /* len: of the whole text, written or not */
} fmt_buf;

static void fmt_add(fmt_buf *b, const char *s) {
  size_t n = strlen(s);
  if (b->len < b->size) {
    size_t room = b->size - b->len - 1, k = n < room ? n : room;
    memcpy(b->p + b->len, s, k);
    b->p[b->len + k] = '\0';
  }
  b->len += n;
}

int ew_rules_config_format_param(const ew_rule_param *p,
                                 const ew_rules_config *cfg, char *buf,
                                 size_t size) {
  const char *at = (const char *)cfg + p->offset;
  char num[32];
  fmt_buf b = {buf, size, 0};
  if (size)
    buf[0] = '\0';
  switch (p->type) {
  case EW_PT_BOOL: {
    int v;
    memcpy(&v, at, sizeof v);
    fmt_add(&b, v ? "true" : "false");
    break;
  }
  case EW_PT_INT: {
    int64_t v;
    memcpy(&v, at, sizeof v);
    snprintf(num, sizeof num, "%" PRId64, v);
    fmt_add(&b, num);
    break;
  }
  case EW_PT_ENUM: {
    int v;
    memcpy(&v, at, sizeof v);
    const char *n = ew_enum_name(p->enm, v);
    fmt_add(&b, n ? n : "?");
    break;
  }
  case EW_PT_ENUMSET: {
    uint32_t v;
    memcpy(&v, at, sizeof v);
    fmt_add(&b, "[");
    int first = 1;
    for (int i = 0; i < p->enm->n && i < 32; i++) {
      if (!(v & BIT(i)))
        continue;
      if (!first)
        fmt_add(&b, ",");
      fmt_add(&b, p->enm->symbols[i]);
      first = 0;
    }
    fmt_add(&b, "]");
    break;
  }
  case EW_PT_STRLIST: {
    const ew_strlist *l = (const ew_strlist *)(const void *)at;
    fmt_add(&b, "[");
    for (size_t i = 0; i < l->n; i++) {
      if (i)
        fmt_add(&b, ",");
      fmt_add(&b, l->v[i]);
    }
    fmt_add(&b, "]");
    break;
  }
  }
  return b.len > INT_MAX ? INT_MAX : (int)b.len;
}

void ew_rules_config_log(const ew_rules_config *cfg) {
  char line[1024], value[1024];
  size_t i = 0;
  while (i < ew_rule_params_count) {
    const char *rule = ew_rule_params[i].rule;
    size_t len = 0;
    line[0] = '\0';
    for (;
         i < ew_rule_params_count && strcmp(ew_rule_params[i].rule, rule) == 0;
         i++) {
      line_add(line, sizeof line, &len, " ");
      line_add(line, sizeof line, &len, ew_rule_params[i].key);
      line_add(line, sizeof line, &len, "=");
      ew_rules_config_format_param(&ew_rule_params[i], cfg, value,
                                   sizeof value);
      line_add(line, sizeof line, &len, value);
    }
    ew_info("rules: %s%s", rule, line);
  }
}
