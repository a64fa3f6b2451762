/*
 * r17_remote.c - R17 应非现场而现场检查 (¶9 「通过信息共享、"互联网＋监管"等
 * 方式达到行政检查要求的，不再进行现场检查」): an ON_SITE inspection
 * (STARTED or ENDED) of a check item that the agency's 抽查事项清单 marks
 * remote_capable, without an onsite_justification. LOW.
 *
 * An item counts as remote-capable only through a sampling_item record
 * (id = the item code) of the inspecting agency with remote_capable = true.
 * A check item without such a record is not remote-capable: the record is
 * the agency's own claim that remote checking suffices, and its absence
 * claims nothing, so it never fires alone; when the rule fires for other
 * items, the items without a record are listed (items_not_on_file) so the
 * supervisor sees what was not judged. A justification of only white space
 * (ASCII or the ideographic space U+3000) is no justification.
 *
 * Facts: remote_capable_items (comma-separated), check_items (count),
 * onsite_justification=missing, mode=ON_SITE, items_not_on_file.
 */
#include <stdio.h>
#include <string.h>

#include "rules.h"

#define LEGAL_BASIS "临州办发〔2023〕18号 ¶9"

static int blank(const char *s) {
  if (!s)
    return 1;
  while (*s) {
    if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
      s++;
    else if (strncmp(s, "\xe3\x80\x80", 3) == 0)
      s += 3;
    else
      return 0;
  }
  return 1;
}

/* Appends `s` to the comma-separated list in the arena; NULL on OOM. */
static const char *list_add(ew_arena *a, const char *list, const char *s) {
  return list ? ew_arena_printf(a, "%s,%s", list, s) : ew_arena_strdup(a, s);
}

int ew_rule_r17(const ew_rule_ctx *ctx, ew_findings *out) {
  const ew_record *r = ctx->rec;
  if (r->kind != EW_REC_INSPECTION)
    return 0;
  const ew_inspection *in = &r->u.inspection;
  if ((in->status != EW_INSP_STARTED && in->status != EW_INSP_ENDED) ||
      in->mode != EW_MODE_ON_SITE || !blank(in->onsite_justification))
    return 0;

  const char *remote = NULL, *unknown = NULL;
  for (size_t i = 0; i < in->check_items.n; i++) {
    const char *code = in->check_items.v[i];
    const ew_record *it;
    if (!code)
      continue;
    /* An item listed twice is judged once. */
    int seen = 0;
    for (size_t k = 0; k < i && !seen; k++)
      seen = in->check_items.v[k] && strcmp(in->check_items.v[k], code) == 0;
    if (seen)
      continue;
    if (ew_store_ref_get(ctx->store, EW_REC_SAMPLING_ITEM, code, &it) < 0)
      return -1;
    const ew_sampling_item *si = it ? &it->u.sampling_item : NULL;
    const char **list = NULL;
    if (!si)
      list = &unknown;
    else if (si->remote_capable == 1 && si->agency_uscc && ctx->agency_uscc &&
             strcmp(si->agency_uscc, ctx->agency_uscc) == 0)
      list = &remote;
    if (!list)
      continue;
    if (!(*list = list_add(ctx->arena, *list, code))) {
      out->oom = 1;
      return 0;
    }
  }
  if (!remote)
    return 0;

  ew_alert_builder *b = ew_finding_add(ctx, out, "R17", "",
                                       ctx->cfg->r17.c.severity, LEGAL_BASIS);
  if (!b)
    return 0;
  ew_alert_fact(b, "remote_capable_items", "%s", remote);
  ew_alert_fact(b, "check_items", "%zu", in->check_items.n);
  ew_alert_fact(b, "onsite_justification", "missing");
  ew_alert_fact(b, "mode", "ON_SITE");
  if (unknown)
    ew_alert_fact(b, "items_not_on_file", "%s", unknown);
  ew_alert_message(b,
                   "%s所涉检查事项%s已列为可通过非现场方式检查，"
                   "但未说明实施现场检查的理由。",
                   ew_rule_phrase(ctx, out), remote);
  if (b->oom)
    out->oom = 1;
  return 0;
}
