/* r19_repeated_inspections.c - placeholder while issue 4 is in progress: finds
 * nothing yet. */
#include "rules.h"

int ew_rule_r19a(const ew_rule_ctx *ctx, ew_findings *out) {
  (void)ctx;
  (void)out;
  return 0;
}

int ew_rule_r19b(const ew_rule_ctx *ctx, ew_findings *out) {
  (void)ctx;
  (void)out;
  return 0;
}

int ew_rule_r19c(const ew_rule_ctx *ctx, ew_findings *out) {
  (void)ctx;
  (void)out;
  return 0;
}

int ew_rule_r19d(const ew_rule_ctx *ctx, ew_findings *out) {
  (void)ctx;
  (void)out;
  return 0;
}
