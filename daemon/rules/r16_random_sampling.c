/*
 * r16_random_sampling.c - R16 双随机、一公开 (¶8 「所有行政检查事项均应纳入随机
 * 抽查事项清单，实行"双随机、一公开"」), three of its variants:
 *
 * R16a (HIGH) - a RANDOM_SAMPLING inspection (STARTED or ENDED) whose
 * enterprise, or (check_officers) one of whose officers, is not in the draw
 * of its random task. The draw is judged only when the task can stand for
 * the inspection at all: on file, of the acting agency and for every check
 * item. A missing task, another agency's task, another item's task and an
 * inspection without check items are R02's findings, and a draw made for
 * something else says nothing about this check, so R16a stays silent then
 * rather than report the same defect twice. A task that records no officers
 * (officers []) has an officer draw that was not filed, not one that
 * excluded everybody: officers are then not judged (drawn_officers=0 says
 * so) and only the enterprise can make R16a fire.
 * Facts: random_task_id, enterprise_in_draw (true/false), drawn_enterprises
 * (count), drawn_officers (count), and, when officers are judged,
 * officers_not_in_draw (the distinct officer ids outside the draw joined by
 * ',', "" when all were drawn).
 *
 * R16b (MEDIUM) - a routine inspection (check_class ROUTINE, trigger in the
 * configured set, default ANNUAL_PLAN; STARTED or ENDED) of a check item that
 * the agency's 抽查事项清单 lists (a sampling_item with that item_code and the
 * inspection's agency) outside the special sectors (special_sector false):
 * it should have been a random check. An item without a sampling_item of the
 * agency is not on the list, so the rule cannot fire for it (there is no
 * list to have ignored). Facts: items (the listed non-special items, ','),
 * special_sector=false, special_sector_items (listed items exempt as
 * special sector, only when there are any), trigger_type, check_class.
 *
 * R16d (LOW) - a random task drawing more than max_draw_percent (default
 * 20, Liaoning's cap) of the 名录库: drawn * 100 > max_draw_percent *
 * population_size, drawn = the distinct USCCs of enterprises. Judged on the
 * task record itself (subject RANDOM_TASK, detected at drawn_at). Without
 * population_size (or with a non-positive one) the ratio is unknown and nothing
 * is reported: the contract makes the field optional, and a missing size is not
 * evidence of an oversized draw. Facts: drawn, population_size, drawn_percent
 * (one decimal, rounded half up), max_percent.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

#define LEGAL_BASIS "临州办发〔2023〕18号 ¶8"

static int judged_status(const ew_inspection *in) {
  return in->status == EW_INSP_STARTED || in->status == EW_INSP_ENDED;
}

/* Joins `v[0..n)` with ','; "" for none. NULL on OOM. */
static const char *join(ew_arena *a, const char *const *v, size_t n) {
  size_t len = 1;
  for (size_t i = 0; i < n; i++)
    len += strlen(v[i]) + 1;
  char *s = ew_arena_alloc(a, len), *p = s;
  if (!s)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    size_t l = strlen(v[i]);
    if (i)
      *p++ = ',';
    memcpy(p, v[i], l);
    p += l;
  }
  *p = '\0';
  return s;
}

static int seen_before(const char *const *v, size_t n, const char *s) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(v[i], s) == 0)
      return 1;
  return 0;
}

/* ---- R16a ---- */

/* 1 when the task covers every check item, as R02 requires of it. */
static int task_covers(const ew_inspection *in, const ew_random_task *t) {
  if (in->check_items.n == 0 || !t->check_item_code)
    return 0;
  for (size_t i = 0; i < in->check_items.n; i++)
    if (!in->check_items.v[i] ||
        strcmp(in->check_items.v[i], t->check_item_code) != 0)
      return 0;
  return 1;
}

int ew_rule_r16a(const ew_rule_ctx *ctx, ew_findings *out) {
  if (ctx->rec->kind != EW_REC_INSPECTION)
    return 0;
  const ew_inspection *in = &ctx->rec->u.inspection;
  if (!judged_status(in) || in->trigger_type != EW_TRIG_RANDOM_SAMPLING ||
      !in->random_task_id || !ctx->agency_uscc || !in->enterprise_uscc)
    return 0;
  const ew_record *rt;
  if (ew_store_ref_get(ctx->store, EW_REC_RANDOM_TASK, in->random_task_id,
                       &rt) < 0)
    return -1;
  if (!rt)
    return 0; /* R02: random_task_not_found */
  const ew_random_task *t = &rt->u.random_task;
  if (!t->agency_uscc || strcmp(t->agency_uscc, ctx->agency_uscc) != 0 ||
      !task_covers(in, t))
    return 0; /* R02: another agency's or another item's task */

  int ent_in = ew_strv_has(t->enterprises, in->enterprise_uscc);
  int judge_officers = ctx->cfg->r16a.check_officers && t->officers.n > 0;
  const char **missing = NULL;
  size_t nmissing = 0;
  if (judge_officers && in->officers.n) {
    missing = ew_arena_alloc(ctx->arena, in->officers.n * sizeof *missing);
    if (!missing) {
      out->oom = 1;
      return 0;
    }
    for (size_t i = 0; i < in->officers.n; i++) {
      const char *id = in->officers.v[i].officer_id;
      if (id && !ew_strv_has(t->officers, id) &&
          !seen_before(missing, nmissing, id))
        missing[nmissing++] = id;
    }
  }
  if (ent_in && nmissing == 0)
    return 0;

  const char *list = join(ctx->arena, missing, nmissing);
  if (!list) {
    out->oom = 1;
    return 0;
  }
  ew_alert_builder *b = ew_finding_add(ctx, out, "R16a", "",
                                       ctx->cfg->r16a.c.severity, LEGAL_BASIS);
  if (!b)
    return 0;
  ew_alert_fact(b, "random_task_id", "%s", in->random_task_id);
  ew_alert_fact(b, "enterprise_in_draw", "%s", ent_in ? "true" : "false");
  ew_alert_fact(b, "drawn_enterprises", "%zu", t->enterprises.n);
  ew_alert_fact(b, "drawn_officers", "%zu", t->officers.n);
  if (judge_officers)
    ew_alert_fact(b, "officers_not_in_draw", "%s", list);
  const char *phrase = ew_rule_phrase(ctx, out);
  if (!ent_in && nmissing)
    ew_alert_message(
        b,
        "%s为双随机抽查，但该企业不在抽查任务%s随机抽取的%zu户"
        "检查对象之列，执法人员%s也不在随机抽取的执法检查人员之列。",
        phrase, in->random_task_id, t->enterprises.n, list);
  else if (!ent_in)
    ew_alert_message(b,
                     "%s为双随机抽查，但该企业不在抽查任务%s随机抽取的%zu户"
                     "检查对象之列。",
                     phrase, in->random_task_id, t->enterprises.n);
  else
    ew_alert_message(b,
                     "%s为双随机抽查，但执法人员%s不在抽查任务%s随机抽取的"
                     "执法检查人员之列。",
                     phrase, list, in->random_task_id);
  if (b->oom)
    out->oom = 1;
  return 0;
}

/* ---- R16b ---- */

int ew_rule_r16b(const ew_rule_ctx *ctx, ew_findings *out) {
  if (ctx->rec->kind != EW_REC_INSPECTION)
    return 0;
  const ew_inspection *in = &ctx->rec->u.inspection;
  if (!judged_status(in) || in->check_class != EW_CLASS_ROUTINE ||
      in->trigger_type < 0 || in->trigger_type >= 32 ||
      !(ctx->cfg->r16b.triggers & (1u << in->trigger_type)) ||
      !ctx->agency_uscc || in->check_items.n == 0)
    return 0;

  size_t n = in->check_items.n, nlisted = 0, nspecial = 0;
  const char **listed = ew_arena_alloc(ctx->arena, 2 * n * sizeof *listed);
  if (!listed) {
    out->oom = 1;
    return 0;
  }
  const char **special = listed + n;
  for (size_t i = 0; i < n; i++) {
    const char *code = in->check_items.v[i];
    const ew_record *r;
    if (!code || seen_before(listed, nlisted, code) ||
        seen_before(special, nspecial, code))
      continue;
    if (ew_store_ref_get(ctx->store, EW_REC_SAMPLING_ITEM, code, &r) < 0)
      return -1;
    if (!r || !r->u.sampling_item.agency_uscc ||
        strcmp(r->u.sampling_item.agency_uscc, ctx->agency_uscc) != 0)
      continue; /* not on this agency's list */
    if (r->u.sampling_item.special_sector == 1)
      special[nspecial++] = code;
    else
      listed[nlisted++] = code;
  }
  if (nlisted == 0)
    return 0;

  const char *items = join(ctx->arena, listed, nlisted);
  const char *sp = join(ctx->arena, special, nspecial);
  if (!items || !sp) {
    out->oom = 1;
    return 0;
  }
  ew_alert_builder *b = ew_finding_add(ctx, out, "R16b", "",
                                       ctx->cfg->r16b.c.severity, LEGAL_BASIS);
  if (!b)
    return 0;
  ew_alert_fact(b, "items", "%s", items);
  ew_alert_fact(b, "special_sector", "false");
  if (nspecial)
    ew_alert_fact(b, "special_sector_items", "%s", sp);
  ew_alert_fact(b, "trigger_type", "%s",
                ew_sym(&ew_enum_trigger_type, in->trigger_type));
  ew_alert_fact(b, "check_class", "%s",
                ew_sym(&ew_enum_check_class, in->check_class));
  ew_alert_message(b,
                   "%s为日常检查，其检查事项%s已列入该部门随机抽查事项清单且"
                   "不属于特殊重点领域，应当以双随机抽查方式实施。",
                   ew_rule_phrase(ctx, out), items);
  if (b->oom)
    out->oom = 1;
  return 0;
}

/* ---- R16d ---- */

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The number of distinct enterprises in the draw: a USCC the feed lists
 * twice was drawn once and must not inflate the ratio. -1 on OOM. */
static int64_t distinct_drawn(ew_arena *a, ew_strv v) {
  if (v.n == 0)
    return 0;
  const char **s = ew_arena_alloc(a, v.n * sizeof *s);
  size_t n = 0;
  int64_t d = 0;
  if (!s)
    return -1;
  for (size_t i = 0; i < v.n; i++)
    if (v.v[i])
      s[n++] = v.v[i];
  qsort(s, n, sizeof *s, cmp_str);
  for (size_t i = 0; i < n; i++)
    d += i == 0 || strcmp(s[i - 1], s[i]) != 0;
  return d;
}

int ew_rule_r16d(const ew_rule_ctx *ctx, ew_findings *out) {
  if (ctx->rec->kind != EW_REC_RANDOM_TASK)
    return 0;
  const ew_random_task *t = &ctx->rec->u.random_task;
  int64_t pop = t->population_size, max = ctx->cfg->r16d.max_draw_percent;
  if (pop == EW_NONE || pop <= 0 || max < 0)
    return 0;
  int64_t drawn = distinct_drawn(ctx->arena, t->enterprises);
  if (drawn < 0) {
    out->oom = 1;
    return 0;
  }
  /* max <= 100 (the config's bound), so max * pop overflows only for a
   * population no draw of an in-memory list can exceed a share of. */
  if (pop > INT64_MAX / 100 || drawn * 100 <= max * pop)
    return 0;

  int64_t tenths = (drawn * 1000 + pop / 2) / pop;
  ew_alert_builder *b = ew_finding_add(ctx, out, "R16d", "",
                                       ctx->cfg->r16d.c.severity, LEGAL_BASIS);
  if (!b)
    return 0;
  ew_alert_fact(b, "drawn", "%" PRId64, drawn);
  ew_alert_fact(b, "population_size", "%" PRId64, pop);
  ew_alert_fact(b, "drawn_percent", "%" PRId64 ".%" PRId64, tenths / 10,
                tenths % 10);
  ew_alert_fact(b, "max_percent", "%" PRId64, max);
  ew_alert_message(
      b,
      "%s从%" PRId64 "户检查对象名录库中抽取%" PRId64 "户，抽取比例%" PRId64
      ".%" PRId64 "%%，超过规定的%" PRId64 "%%。",
      ew_rule_phrase(ctx, out), pop, drawn, tenths / 10, tenths % 10, max);
  if (b->oom)
    out->oom = 1;
  return 0;
}
