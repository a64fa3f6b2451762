/*
 * rules_config_store.h - remembering the rule configuration across starts.
 *
 * A change of a rule parameter takes effect at the next start; the
 * supervisors who read the alerts need to know when thresholds moved, so
 * the daemon compares the effective configuration with the one the state
 * file recorded at the previous start, logs each difference, and records
 * the new one.
 */
#ifndef EW_RULES_CONFIG_STORE_H
#define EW_RULES_CONFIG_STORE_H

#include "rules_config.h"
#include "store.h"

/* Compares `cfg` with the configuration saved in `s` by the previous call
 * and logs at info level, per parameter (named "R05.min_officers", values
 * as ew_rules_config_format_param writes them):
 *   rules: R05.min_officers changed 2 -> 3 since the last start
 *   rules: R17.severity=LOW is new since the last start
 *   rules: R99.gone (was 5) is no longer a parameter
 * and, when nothing was saved before, one line saying the configuration is
 * recorded for the first time. Then saves `cfg` in its own transaction, so
 * it must be called outside one (at start, right after ew_store_open).
 * Returns 0, or -1 on a store failure (ew_store_errmsg; nothing saved) or
 * when out of memory (logged). */
int ew_rules_config_diff_and_save(ew_store *s, const ew_rules_config *cfg);

#endif /* EW_RULES_CONFIG_STORE_H */
