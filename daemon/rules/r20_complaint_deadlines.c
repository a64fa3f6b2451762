/* r20_complaint_deadlines.c - placeholder while issue 4 is in progress: finds
 * nothing yet. */
#include "rules.h"

int ew_rule_r20a(const ew_rule_ctx *ctx, ew_findings *out) {
  (void)ctx;
  (void)out;
  return 0;
}

int ew_rule_r20b(const ew_rule_ctx *ctx, ew_findings *out) {
  (void)ctx;
  (void)out;
  return 0;
}
