/* r21_substantiated.c - placeholder while issue 4 is in progress: finds nothing
 * yet. */
#include "rules.h"

int ew_rule_r21a(const ew_rule_ctx *ctx, ew_findings *out) {
  (void)ctx;
  (void)out;
  return 0;
}

int ew_rule_r21b(const ew_rule_ctx *ctx, ew_findings *out) {
  (void)ctx;
  (void)out;
  return 0;
}
