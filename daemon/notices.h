/*
 * notices.h - supervision notices (行政执法监督通知, contract §5 notice):
 * which alerts call for one, and how it is built and issued.
 *
 * Each rule's configuration says (rules_config.h ew_rule_common):
 *   notice = NONE       the alert alone;
 *   notice = IMMEDIATE  one notice of the rule's notice_type per alert,
 *                       issued when the alert opens at or above
 *                       notice_min_severity (R01 when the warning becomes
 *                       a violation, R24 when it escalates to a 通报);
 *   notice = BATCHED    the agency's notice of the month: every such alert
 *                       detected in a month and still open when the month
 *                       is over, in one 监督建议书 (SUPERVISION_SUGGESTION,
 *                       whatever the rule's notice_type, which is that of
 *                       its immediate notices) issued at 00:00 of the next
 *                       month. An alert is listed once: one already listed
 *                       is not listed again when it is re-emitted, and one
 *                       detected in a month whose notice is already out
 *                       (a late event) is listed by the agency's next one.
 * The recipient is alert.agency_uscc (rules make it the agency that must
 * act: R21's respondent), plus, for R19c, every agency of the fact
 * other_agencies=<uscc>,<uscc> (each its own notice); R09's notice is copied
 * to the agency's parent_agency_uscc (「cc 上级」).
 * The issuer is the justice bureau (justice_bureau_uscc) of the recipient
 * agency in the registry; an agency not registered gets no notice (logged),
 * since nobody could be named to issue it. Notice ids are deterministic, so
 * a re-run issues the same notices, and each is issued once. An issued
 * notice is a subject in its own right: R24 judges its feedback.
 */
#ifndef EW_NOTICES_H
#define EW_NOTICES_H

#include <stdint.h>

#include "engine.h"

/* Called by the engine after it emitted alert `a` (OPEN) from the state of
 * partition `part`. Returns 0, or -1 with the engine's errmsg set. */
int ew_notices_on_alert(ew_engine *e, const ew_alert *a, int32_t part);

/* Called by the engine after it emitted alert `a` (OPEN or WITHDRAWN),
 * before ew_notices_on_alert: the notices that already list it are judged
 * again. */
int ew_notices_on_change(ew_engine *e, const ew_alert *a);

/* Issues the batched notice `batch` ("<agency_uscc>/<YYYY-MM>") due at
 * `due`: its wake-up has fired. */
int ew_notices_fire_batch(ew_engine *e, const char *batch, ew_time due);

/* 「立即…」: what the agency must do about findings of `rule_id`, or NULL
 * for a rule that asks nothing of it. */
const char *ew_notice_required_action(const char *rule_id);

#endif /* EW_NOTICES_H */
