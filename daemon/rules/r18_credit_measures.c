/*
 * r18_credit_measures.c - R18b 信用惩戒无依据: a decision that lowers the
 * enterprise's credit grade or exposes it publicly (credit_measures) without
 * naming the legal basis for doing so (credit_measure_legal_basis absent,
 * empty or blank), against ¶10 「不得随意使用…」. Judged once decided
 * (decided_at set): the measures are part of the decision.
 *
 * One alert per decision, MEDIUM. Facts: credit_measures (joined by ','),
 * credit_measure_legal_basis ("none" when absent, "blank" when only
 * whitespace).
 */
#include <string.h>

#include "rules.h"

#define LEGAL_BASIS "临州办发〔2023〕18号 ¶10"

/* 1 when `s` has a character other than ASCII or ideographic (U+3000)
 * whitespace. */
static int has_text(const char *s) {
  while (*s) {
    if (strncmp(s, "\xe3\x80\x80", 3) == 0)
      s += 3;
    else if (strchr(" \t\r\n\v\f", *s))
      s++;
    else
      return 1;
  }
  return 0;
}

static const char *measure_zh(int m) {
  switch (m) {
  case EW_CRM_CREDIT_DOWNGRADE:
    return "降低信用等级";
  case EW_CRM_PUBLIC_EXPOSURE:
    return "公开曝光";
  default:
    return "信用惩戒";
  }
}

int ew_rule_r18b(const ew_rule_ctx *ctx, ew_findings *out) {
  if (ctx->rec->kind != EW_REC_PENALTY)
    return 0;
  const ew_penalty *p = &ctx->rec->u.penalty;
  const char *basis = p->credit_measure_legal_basis;
  if (p->decided_at == EW_NONE || p->credit_measures.n == 0 ||
      (basis && has_text(basis)))
    return 0;

  ew_alert_builder *b = ew_finding_add(ctx, out, "R18b", "",
                                       ctx->cfg->r18b.c.severity, LEGAL_BASIS);
  if (!b)
    return 0;
  const char *measures = ew_enumv_join(ctx->arena, &ew_enum_credit_measure,
                                       p->credit_measures, ~0u);
  if (!measures) {
    out->oom = 1;
    return 0;
  }
  int first = p->credit_measures.v[0], both = 0;
  for (size_t i = 1; i < p->credit_measures.n; i++)
    both |= p->credit_measures.v[i] != first;
  ew_alert_fact(b, "credit_measures", "%s", measures);
  ew_alert_fact(b, "credit_measure_legal_basis", "%s",
                basis ? "blank" : "none");
  ew_alert_message(b, "%s采取%s的信用惩戒措施，但未载明法律依据。",
                   ew_rule_phrase(ctx, out),
                   both ? "降低信用等级、公开曝光" : measure_zh(first));
  if (b->oom)
    out->oom = 1;
  return 0;
}
