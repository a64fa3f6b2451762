/* r16c_results_published.c - placeholder while issue 4 is in progress: finds
 * nothing yet. */
#include "rules.h"

int ew_rule_r16c(const ew_rule_ctx *ctx, ew_findings *out) {
  (void)ctx;
  (void)out;
  return 0;
}
