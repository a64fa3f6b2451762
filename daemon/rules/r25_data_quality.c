/*
 * r25_data_quality.c - R25 数据质量: identifiers that fail their standard,
 * and inspections that end before they start. The record is still
 * processed by every other rule (contract §6); R25 only reports.
 *
 * One alert per problem, told apart by the discriminator:
 *   "uscc:<field>"  every *_uscc string field of the event (found through
 *                   its descriptor, so a new contract field is covered), and
 *                   "uscc:agency.justice_bureau_uscc" of the acting agency's
 *                   registry record; fails GB 32100-2015 and is not on the
 *                   allowlist → facts field, value, reason (length, charset,
 *                   check_digit), expected_check when only the check
 *                   character is wrong;
 *   "region:<field>" the alert's region: enterprise_region_code when the
 *                   event has one, else the agency's registered region_code
 *                   ("region:agency.region_code"); not six digits or not in
 *                   the configured D14 list → facts field, value, reason
 *                   (format, not_in_list);
 *   "time_order"    inspection ended_at < started_at → severity
 *                   severity_time_order (LOW), facts started_at, ended_at.
 * Applies to every event kind and every inspection status but CANCELLED
 * (a cancelled inspection withdraws what is open on it).
 */
#include <stdio.h>
#include <string.h>

#include "../ewtime.h"
#include "../uscc.h"
#include "rules.h"

#define LEGAL_BASIS "GB 32100-2015；GB/T 2260"
/* An inspection record whose times contradict each other defeats the
 * plan's demand that enforcement be traceable (全过程留痕和可回溯). */
#define LEGAL_BASIS_TIME_ORDER "临州办发〔2023〕18号 ¶3（执法全过程留痕）"

static const struct {
  const char *field;
  const char *zh;
} field_names[] = {
    {"agency_uscc", "执法部门统一社会信用代码"},
    {"enterprise_uscc", "企业统一社会信用代码"},
    {"complainant_uscc", "投诉人统一社会信用代码"},
    {"respondent_agency_uscc", "被投诉部门统一社会信用代码"},
    {"handling_agency_uscc", "办理部门统一社会信用代码"},
    {"agency.justice_bureau_uscc", "执法部门所属司法行政机关统一社会信用代码"},
    {"enterprise_region_code", "企业行政区划代码"},
    {"agency.region_code", "执法部门行政区划代码"},
};

static const char *field_zh(const char *field) {
  for (size_t i = 0; i < sizeof field_names / sizeof field_names[0]; i++)
    if (strcmp(field_names[i].field, field) == 0)
      return field_names[i].zh;
  return field;
}

/* Starts the finding about one field's value. The discriminator
 * "<problem>:<field>" gives each field and kind of problem its own alert. */
static ew_alert_builder *field_finding(const ew_rule_ctx *ctx, ew_findings *out,
                                       const char *problem, const char *field,
                                       const char *value, const char *reason) {
  char disc[128];
  snprintf(disc, sizeof disc, "%s:%s", problem, field);
  ew_alert_builder *b = ew_finding_add(ctx, out, "R25", disc,
                                       ctx->cfg->r25.c.severity, LEGAL_BASIS);
  if (!b)
    return NULL;
  ew_alert_fact(b, "field", "%s", field);
  ew_alert_fact(b, "value", "%s", value);
  ew_alert_fact(b, "reason", "%s", reason);
  return b;
}

static void check_uscc(const ew_rule_ctx *ctx, ew_findings *out,
                       const char *field, const char *value) {
  if (!value || ew_strlist_has(&ctx->cfg->r25.uscc_allowlist, value))
    return;
  ew_uscc_status st = ew_uscc_check(value);
  if (st == EW_USCC_OK)
    return;
  char what[64];
  ew_alert_builder *b =
      field_finding(ctx, out, "uscc", field, value, ew_uscc_status_name(st));
  if (!b)
    return;
  switch (st) {
  case EW_USCC_BAD_LENGTH:
    snprintf(what, sizeof what, "长度不是18位");
    break;
  case EW_USCC_BAD_CHAR:
    snprintf(what, sizeof what, "含有代码字符集以外的字符");
    break;
  default: {
    char c = ew_uscc_check_char(value);
    ew_alert_fact(b, "expected_check", "%c", c);
    snprintf(what, sizeof what, "校验码应为%c", c);
    break;
  }
  }
  ew_alert_message(b, "%s记录中%s“%s”不符合GB 32100-2015（%s）。",
                   ew_rule_phrase(ctx, out), field_zh(field), value, what);
  if (b->oom)
    out->oom = 1;
}

static void check_region(const ew_rule_ctx *ctx, ew_findings *out,
                         const char *field, const char *value) {
  int format_ok = ew_region_code_format_ok(value);
  if (format_ok && ew_strlist_has(&ctx->cfg->r25.region_codes, value))
    return;
  ew_alert_builder *b = field_finding(ctx, out, "region", field, value,
                                      format_ok ? "not_in_list" : "format");
  if (!b)
    return;
  ew_alert_message(b,
                   format_ok ? "%s记录中%s“%s”不在配置的行政区划代码（GB/T "
                               "2260）范围内。"
                             : "%s记录中%s“%s”不是6位数字的行政区划代码（GB/T "
                               "2260）。",
                   ew_rule_phrase(ctx, out), field_zh(field), value);
  if (b->oom)
    out->oom = 1;
}

static void check_time_order(const ew_rule_ctx *ctx, ew_findings *out) {
  const ew_inspection *in = &ctx->rec->u.inspection;
  char t1[EW_TIME_BUFSZ], t2[EW_TIME_BUFSZ];
  if (in->started_at == EW_NONE || in->ended_at == EW_NONE ||
      in->ended_at >= in->started_at)
    return;
  ew_alert_builder *b =
      ew_finding_add(ctx, out, "R25", "time_order",
                     ctx->cfg->r25.severity_time_order, LEGAL_BASIS_TIME_ORDER);
  if (!b)
    return;
  ew_alert_fact(b, "started_at", "%s", ew_time_format(in->started_at, t1));
  ew_alert_fact(b, "ended_at", "%s", ew_time_format(in->ended_at, t2));
  ew_alert_message(b, "%s记录的结束时间%s早于开始时间%s。",
                   ew_rule_phrase(ctx, out), t2, t1);
  if (b->oom)
    out->oom = 1;
}

int ew_rule_r25(const ew_rule_ctx *ctx, ew_findings *out) {
  const ew_record *r = ctx->rec;
  if (!ew_rkind_is_event(r->kind))
    return 0;
  if (r->kind == EW_REC_INSPECTION &&
      r->u.inspection.status == EW_INSP_CANCELLED)
    return 0;

  const ew_rtype *t = ew_rtype_of(r->kind);
  const char *body = (const char *)&r->u;
  const char *region_field = NULL, *region = NULL;
  for (size_t i = 0; i < t->nfields; i++) {
    const ew_field *f = &t->fields[i];
    size_t nl = strlen(f->name);
    const char *v;
    if (f->type != EW_FT_STR)
      continue;
    memcpy(&v, body + f->offset, sizeof v);
    if (nl > 5 && strcmp(f->name + nl - 5, "_uscc") == 0)
      check_uscc(ctx, out, f->name, v);
    else if (strcmp(f->name, "enterprise_region_code") == 0 && v) {
      region_field = f->name;
      region = v;
    }
  }
  if (ctx->agency)
    check_uscc(ctx, out, "agency.justice_bureau_uscc",
               ctx->agency->justice_bureau_uscc);
  if (!region && ctx->agency && ctx->agency->region_code) {
    region_field = "agency.region_code";
    region = ctx->agency->region_code;
  }
  if (region)
    check_region(ctx, out, region_field, region);
  if (r->kind == EW_REC_INSPECTION)
    check_time_order(ctx, out);
  return 0;
}
