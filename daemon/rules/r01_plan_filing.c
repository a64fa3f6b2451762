/* r01_plan_filing.c - placeholder while issue 4 is in progress: finds nothing
 * yet. */
#include "rules.h"

int ew_rule_r01(const ew_rule_ctx *ctx, ew_findings *out) {
  (void)ctx;
  (void)out;
  return 0;
}
