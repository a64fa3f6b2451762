/*
 * r02_unplanned.c - R02 计划外检查: an inspection that is not exempt (¶2:
 * national security, public safety, work safety, environment, complaints,
 * case investigation, superior assignment; plus enterprise request and
 * licensing verification by default) and that no filed plan item or random
 * sampling task covers.
 *
 * RANDOM_SAMPLING inspections are covered by their random task alone: it
 * must exist, belong to the agency and be for every check item (whether the
 * enterprise was drawn is R16a, not R02). Every other trigger needs, for each
 * check item, an item of a counted plan (status in plan_statuses, year of
 * started_at in Asia/Shanghai) of the agency, or of a JOINT_INSPECTION plan
 * listing the agency as participant, with the same check_item_code, the
 * enterprise targeted and started_at inside [window_start, window_end].
 * plan_id / plan_item_id, when given, restrict the search to that plan /
 * item.
 *
 * Facts: reason (no_check_items, random_task_missing, random_task_not_found,
 * random_task_other_agency, item_not_in_random_task, plan_not_found,
 * no_filed_plan, item_not_in_plan, enterprise_not_targeted, outside_window)
 * of the first unmatched item, trigger_type, check_items, unmatched_items,
 * item.<code>=<reason> per unmatched item when several, and what was
 * compared: year, plan_records (counted plans found), plans_not_counted,
 * plan_id (and, for a named plan that does not count, plan_agency_uscc,
 * plan_status, plan_year), window_start/window_end, industry_code /
 * target_industries / target_usccs (enterprise_not_targeted),
 * random_task_id.
 */
#include <inttypes.h>
#include <string.h>

#include "../ewtime.h"
#include "rules.h"

#define LEGAL_BASIS "临州办发〔2023〕18号 ¶2"

/* How close a plan item came to covering a check item; a later level is a
 * nearer miss, and the reason reported is that of the nearest one. */
enum {
  LV_NOT_IN_PLAN,    /* no counted item with that check_item_code */
  LV_NOT_TARGETED,   /* code matches, enterprise not targeted */
  LV_OUTSIDE_WINDOW, /* code and enterprise match, time does not */
  LV_MATCHED
};

static const char *const level_reason[] = {
    "item_not_in_plan", "enterprise_not_targeted", "outside_window", "ok"};

typedef struct item_result {
  const char *code;
  int level;
  const ew_plan *plan;      /* of the nearest miss, NULL at LV_NOT_IN_PLAN */
  const ew_plan_item *item; /* likewise */
} item_result;

typedef struct plan_list {
  const ew_plan **v;
  size_t n, cap;
  size_t not_counted;
  int joint_pass; /* visiting as participant: the plan may be there already */
  int oom;
  ew_arena *arena;
  const ew_rule_ctx *ctx;
  int year;
} plan_list;

static int plan_counts(const ew_rule_ctx *ctx, const ew_plan *p, int year) {
  const char *ag = ctx->agency_uscc;
  int own = p->agency_uscc && strcmp(p->agency_uscc, ag) == 0;
  int joint = p->plan_type == EW_PLAN_JOINT_INSPECTION &&
              ew_strv_has(p->participant_agency_usccs, ag);
  return (own || joint) && p->status >= 0 && p->status < 32 &&
         (ctx->cfg->r02.plan_statuses & (1u << p->status)) && p->year == year;
}

static int collect_plan(void *ud, const ew_record *rec) {
  plan_list *l = ud;
  const ew_plan *p = &rec->u.plan;
  for (size_t i = 0; l->joint_pass && i < l->n; i++)
    if (l->v[i] == p)
      return 0; /* both the lead and a participant */
  if (!plan_counts(l->ctx, p, l->year)) {
    l->not_counted++;
    return 0;
  }
  const ew_plan **v =
      ew_rule_array_grow(l->arena, l->v, l->n, &l->cap, sizeof *v);
  if (!v) {
    l->oom = 1;
    return 1;
  }
  l->v = v;
  l->v[l->n++] = p;
  return 0;
}

/* 1 when the plan item targets the enterprise. Industry targets match by
 * GB/T 4754 hierarchy: a target "C13" covers the enterprise's "C1311". */
static int targeted(const ew_plan_item *it, const ew_inspection *in) {
  if (it->target_usccs.n == 0 && it->target_industries.n == 0)
    return 1;
  if (ew_strv_has(it->target_usccs, in->enterprise_uscc))
    return 1;
  if (!in->industry_code)
    return 0;
  for (size_t i = 0; i < it->target_industries.n; i++) {
    const char *t = it->target_industries.v[i];
    if (t && *t && strncmp(in->industry_code, t, strlen(t)) == 0)
      return 1;
  }
  return 0;
}

static void match_item(const ew_inspection *in, ew_time at,
                       const plan_list *plans, item_result *r) {
  r->level = LV_NOT_IN_PLAN;
  r->plan = NULL;
  r->item = NULL;
  for (size_t p = 0; p < plans->n && r->level < LV_MATCHED; p++) {
    const ew_plan *pl = plans->v[p];
    for (size_t i = 0; i < pl->items.n && r->level < LV_MATCHED; i++) {
      const ew_plan_item *it = &pl->items.v[i];
      int lv;
      if (in->plan_item_id &&
          (!it->item_id || strcmp(it->item_id, in->plan_item_id) != 0))
        continue;
      if (!it->check_item_code || strcmp(it->check_item_code, r->code) != 0)
        continue;
      if (!targeted(it, in))
        lv = LV_NOT_TARGETED;
      else if (at < it->window_start || at > it->window_end)
        lv = LV_OUTSIDE_WINDOW;
      else
        lv = LV_MATCHED;
      if (lv > r->level) {
        r->level = lv;
        r->plan = pl;
        r->item = it;
      }
    }
  }
}

/* 1 when check item i repeats an earlier one: only the first is judged. */
static int repeated(const ew_inspection *in, size_t i) {
  for (size_t j = 0; j < i; j++)
    if (in->check_items.v[j] && in->check_items.v[i] &&
        strcmp(in->check_items.v[j], in->check_items.v[i]) == 0)
      return 1;
  return 0;
}

/* Joins with ',' the codes of the items selected by `sel` (sel[i] != 0),
 * or of every unmatched item when `sel` is NULL. */
static const char *unmatched_list(ew_arena *a, const item_result *r, size_t n,
                                  const char *sel) {
  size_t len = 1;
  for (size_t i = 0; i < n; i++)
    if (sel ? sel[i] : r[i].level != LV_MATCHED)
      len += strlen(r[i].code) + 1;
  char *s = ew_arena_alloc(a, len);
  if (!s)
    return NULL;
  s[0] = '\0';
  for (size_t i = 0, first = 1; i < n; i++) {
    if (!(sel ? sel[i] : r[i].level != LV_MATCHED))
      continue;
    if (!first)
      strcat(s, ",");
    strcat(s, r[i].code);
    first = 0;
  }
  return s;
}

/* Joins a string vector with ','; "none" when empty. NULL on OOM. */
static const char *join_strv(ew_arena *a, ew_strv v) {
  const char *s = "";
  for (size_t i = 0; i < v.n && s; i++)
    if (v.v[i])
      s = ew_arena_printf(a, "%s%s%s", s, *s ? "," : "", v.v[i]);
  return s && !*s ? "none" : s;
}

static const char *plan_status_zh(int status) {
  switch (status) {
  case EW_PST_DRAFT:
    return "草稿";
  case EW_PST_FILED:
    return "已备案";
  case EW_PST_RETURNED:
    return "已退回";
  case EW_PST_AMENDED:
    return "已修订备案";
  default:
    return "未载明";
  }
}

static ew_alert_builder *start(const ew_rule_ctx *ctx, ew_findings *out,
                               const char *reason) {
  const ew_inspection *in = &ctx->rec->u.inspection;
  ew_alert_builder *b = ew_finding_add(ctx, out, "R02", "",
                                       ctx->cfg->r02.c.severity, LEGAL_BASIS);
  if (!b)
    return NULL;
  ew_alert_fact(b, "reason", "%s", reason);
  ew_alert_fact(b, "trigger_type", "%s",
                ew_sym(&ew_enum_trigger_type, in->trigger_type));
  ew_alert_fact(b, "check_items", "%zu", in->check_items.n);
  return b;
}

/* `why` is built in the arena, never cut to a fixed buffer: ids and lists of
 * item codes have no length limit, and a cut could split a UTF-8 character
 * of the text after them. NULL (OOM) sets out->oom. */
static void finish(ew_alert_builder *b, ew_findings *out, const char *phrase,
                   const char *why) {
  if (!why) {
    out->oom = 1;
    return;
  }
  ew_alert_message(b, "%s不在已备案的检查计划或抽查任务范围内：%s。", phrase,
                   why);
  if (b->oom)
    out->oom = 1;
}

/* One result per check item of the inspection, each with its code ("" for
 * a null item) filled in. NULL on OOM, with out->oom set. */
static item_result *item_results(const ew_rule_ctx *ctx, ew_findings *out) {
  const ew_strv *items = &ctx->rec->u.inspection.check_items;
  item_result *r = ew_arena_alloc(ctx->arena, items->n * sizeof *r);
  if (!r) {
    out->oom = 1;
    return NULL;
  }
  for (size_t i = 0; i < items->n; i++)
    r[i].code = items->v[i] ? items->v[i] : "";
  return r;
}

/* The inspection names a plan or random task (`id_fact` = `id`) of which
 * no record is on file: the finding says so, with `records_fact` = 0, rather
 * than judging the check items against nothing. `label` names it in the
 * message. */
static void not_on_file(const ew_rule_ctx *ctx, ew_findings *out,
                        const char *reason, const char *id_fact,
                        const char *records_fact, const char *id,
                        const char *label) {
  ew_alert_builder *b = start(ctx, out, reason);
  if (!b)
    return;
  ew_alert_fact(b, id_fact, "%s", id);
  ew_alert_fact(b, records_fact, "0");
  finish(b, out, ew_rule_phrase(ctx, out),
         ew_arena_printf(ctx->arena, "%s%s无备案记录", label, id));
}

static int random_sampling(const ew_rule_ctx *ctx, ew_findings *out) {
  const ew_inspection *in = &ctx->rec->u.inspection;
  const ew_record *rt = NULL;
  ew_alert_builder *b;
  if (!in->random_task_id) {
    if (!(b = start(ctx, out, "random_task_missing")))
      return 0;
    finish(b, out, ew_rule_phrase(ctx, out), "随机抽查检查未关联抽查任务");
    return 0;
  }
  if (ew_store_ref_get(ctx->store, EW_REC_RANDOM_TASK, in->random_task_id,
                       &rt) < 0)
    return -1;
  if (!rt) {
    not_on_file(ctx, out, "random_task_not_found", "random_task_id",
                "random_task_records", in->random_task_id, "抽查任务");
    return 0;
  }
  const ew_random_task *t = &rt->u.random_task;
  if (!t->agency_uscc || strcmp(t->agency_uscc, ctx->agency_uscc) != 0) {
    if (!(b = start(ctx, out, "random_task_other_agency")))
      return 0;
    ew_alert_fact(b, "random_task_id", "%s", in->random_task_id);
    ew_alert_fact(b, "task_agency_uscc", "%s",
                  t->agency_uscc ? t->agency_uscc : "");
    finish(b, out, ew_rule_phrase(ctx, out),
           ew_arena_printf(ctx->arena, "抽查任务%s不属于该部门",
                           in->random_task_id));
    return 0;
  }
  item_result *r = item_results(ctx, out);
  if (!r)
    return 0;
  size_t unmatched = 0;
  for (size_t i = 0; i < in->check_items.n; i++) {
    int ok = repeated(in, i) ||
             (t->check_item_code && strcmp(r[i].code, t->check_item_code) == 0);
    r[i].level = ok ? LV_MATCHED : LV_NOT_IN_PLAN;
    unmatched += !ok;
  }
  if (!unmatched)
    return 0;
  const char *list = unmatched_list(ctx->arena, r, in->check_items.n, NULL);
  if (!list || !(b = start(ctx, out, "item_not_in_random_task"))) {
    out->oom |= !list;
    return 0;
  }
  ew_alert_fact(b, "unmatched_items", "%s", list);
  ew_alert_fact(b, "random_task_id", "%s", in->random_task_id);
  ew_alert_fact(b, "task_check_item_code", "%s",
                t->check_item_code ? t->check_item_code : "");
  finish(b, out, ew_rule_phrase(ctx, out),
         ew_arena_printf(ctx->arena, "检查事项%s不属于抽查任务%s的抽查事项",
                         list, in->random_task_id));
  return 0;
}

/* The inspection names a plan that is on file but does not count for it:
 * says why (another agency's plan, its status, its year) in facts and in
 * the returned text, rather than claiming the agency has no filed plan at
 * all (it may have others; only the named one is tried). NULL on OOM. */
static const char *named_plan_why(const ew_rule_ctx *ctx, ew_alert_builder *b,
                                  const ew_plan *p, int year) {
  const char *ag = ctx->agency_uscc;
  int own = p->agency_uscc && strcmp(p->agency_uscc, ag) == 0;
  int joint = p->plan_type == EW_PLAN_JOINT_INSPECTION &&
              ew_strv_has(p->participant_agency_usccs, ag);
  int counted = p->status >= 0 && p->status < 32 &&
                (ctx->cfg->r02.plan_statuses & (1u << p->status));
  const char *detail = "";
  ew_alert_fact(b, "plan_id", "%s", p->plan_id);
  ew_alert_fact(b, "plan_agency_uscc", "%s",
                p->agency_uscc ? p->agency_uscc : "none");
  ew_alert_fact(b, "plan_status", "%s",
                ew_sym(&ew_enum_plan_status, p->status));
  ew_alert_fact(b, "plan_year", "%" PRId64, p->year);
  if (!own && !joint)
    detail = ew_arena_printf(ctx->arena, "系其他部门的计划");
  if (detail && !counted)
    detail = ew_arena_printf(ctx->arena, "%s%s计划状态为%s", detail,
                             *detail ? "，" : "", plan_status_zh(p->status));
  if (detail && p->year != year)
    detail = ew_arena_printf(ctx->arena, "%s%s计划年度为%" PRId64 "年", detail,
                             *detail ? "，" : "", p->year);
  if (!detail)
    return NULL;
  return ew_arena_printf(
      ctx->arena, "所列检查计划%s不是该部门%d年度已备案的检查计划%s%s%s",
      p->plan_id, year, *detail ? "（" : "", detail, *detail ? "）" : "");
}

static int planned(const ew_rule_ctx *ctx, ew_findings *out, ew_time at) {
  const ew_inspection *in = &ctx->rec->u.inspection;
  plan_list plans = {0};
  const ew_plan *named = NULL;
  ew_alert_builder *b;
  const char *why;
  char tbuf[EW_TIME_BUFSZ];
  plans.arena = ctx->arena;
  plans.ctx = ctx;
  plans.year = ew_time_year(at);

  if (in->plan_id) {
    const ew_record *p;
    if (ew_store_ref_get(ctx->store, EW_REC_PLAN, in->plan_id, &p) < 0)
      return -1;
    if (!p) {
      not_on_file(ctx, out, "plan_not_found", "plan_id", "plan_records",
                  in->plan_id, "所列检查计划");
      return 0;
    }
    named = &p->u.plan;
    collect_plan(&plans, p);
  } else {
    if (ew_store_ref_by_agency(ctx->store, EW_REC_PLAN, ctx->agency_uscc,
                               collect_plan, &plans) < 0)
      return -1;
    plans.joint_pass = 1;
    if (ew_store_ref_by_participant(ctx->store, EW_REC_PLAN, ctx->agency_uscc,
                                    collect_plan, &plans) < 0)
      return -1;
  }
  if (plans.oom) {
    out->oom = 1;
    return 0;
  }
  if (plans.n == 0) {
    if (!(b = start(ctx, out, "no_filed_plan")))
      return 0;
    ew_alert_fact(b, "year", "%d", plans.year);
    ew_alert_fact(b, "plan_records", "0");
    ew_alert_fact(b, "plans_not_counted", "%zu", plans.not_counted);
    if (named)
      why = named_plan_why(ctx, b, named, plans.year);
    else
      why = ew_arena_printf(ctx->arena, "该部门%d年度无已备案的检查计划",
                            plans.year);
    finish(b, out, ew_rule_phrase(ctx, out), why);
    return 0;
  }

  item_result *r = item_results(ctx, out);
  if (!r)
    return 0;
  size_t unmatched = 0, first = 0;
  for (size_t i = 0; i < in->check_items.n; i++) {
    if (repeated(in, i)) {
      r[i].level = LV_MATCHED;
      continue;
    }
    match_item(in, at, &plans, &r[i]);
    if (r[i].level != LV_MATCHED && unmatched++ == 0)
      first = i;
  }
  if (!unmatched)
    return 0;

  /* The message states the first unmatched item's reason for the items it
   * holds for (every item in no plan, or that one item) and names the other
   * unmatched items apart, so that no item is said to fail for a reason
   * that is not its own; the item.<code> facts give each one's reason. */
  size_t n = in->check_items.n;
  const item_result *f = &r[first];
  char *sel = ew_arena_alloc(ctx->arena, 2 * n);
  if (!sel) {
    out->oom = 1;
    return 0;
  }
  char *rest = sel + n;
  size_t nrest = 0;
  for (size_t i = 0; i < n; i++) {
    int miss = r[i].level != LV_MATCHED;
    sel[i] = (char)(miss &&
                    (f->level == LV_NOT_IN_PLAN ? r[i].level == LV_NOT_IN_PLAN
                                                : i == first));
    rest[i] = (char)(miss && !sel[i]);
    nrest += (size_t)rest[i];
  }
  const char *list = unmatched_list(ctx->arena, r, n, NULL);
  const char *named_items = unmatched_list(ctx->arena, r, n, sel);
  const char *others = unmatched_list(ctx->arena, r, n, rest);
  if (!list || !named_items || !others ||
      !(b = start(ctx, out, level_reason[f->level]))) {
    out->oom |= !list || !named_items || !others;
    return 0;
  }
  ew_alert_fact(b, "unmatched_items", "%s", list);
  if (unmatched > 1)
    for (size_t i = 0; i < in->check_items.n; i++)
      if (r[i].level != LV_MATCHED) {
        const char *key = ew_arena_printf(ctx->arena, "item.%s", r[i].code);
        if (!key) {
          out->oom = 1;
          break;
        }
        ew_alert_fact(b, key, "%s", level_reason[r[i].level]);
      }
  ew_alert_fact(b, "year", "%d", plans.year);
  ew_alert_fact(b, "plan_records", "%zu", plans.n);
  if (in->plan_item_id)
    ew_alert_fact(b, "plan_item_id", "%s", in->plan_item_id);
  if (f->plan) {
    ew_alert_fact(b, "plan_id", "%s", f->plan->plan_id);
    ew_alert_fact(b, "plan_item", "%s", f->item->item_id);
  } else if (in->plan_id) {
    ew_alert_fact(b, "plan_id", "%s", in->plan_id);
  }
  switch (f->level) {
  case LV_NOT_IN_PLAN:
    why = ew_arena_printf(ctx->arena, "检查事项%s未列入已备案的检查计划",
                          named_items);
    break;
  case LV_NOT_TARGETED: {
    /* The observed value and what the item targets. Without the event's
     * industry_code an industry target cannot be checked: the finding
     * stands (the record does not show the check was planned), but the
     * message must not claim the enterprise is outside the target. */
    const ew_plan_item *it = f->item;
    const char *industries = join_strv(ctx->arena, it->target_industries);
    if (!industries) {
      out->oom = 1;
      return 0;
    }
    ew_alert_fact(b, "industry_code", "%s",
                  in->industry_code ? in->industry_code : "not_stated");
    ew_alert_fact(b, "target_industries", "%s", industries);
    ew_alert_fact(b, "target_usccs", "%zu", it->target_usccs.n);
    if (!in->industry_code && it->target_industries.n > 0)
      why = ew_arena_printf(ctx->arena,
                            "检查记录未载明企业行业代码，无法确认企业属于计划%s"
                            "检查事项%s的检查对象范围",
                            f->plan->plan_id, f->code);
    else
      why = ew_arena_printf(ctx->arena,
                            "企业不在计划%s检查事项%s的检查对象范围内",
                            f->plan->plan_id, f->code);
    break;
  }
  default:
    ew_alert_fact(b, "started_at", "%s", ew_time_format(at, tbuf));
    ew_alert_fact(b, "window_start", "%s",
                  ew_time_format(f->item->window_start, tbuf));
    ew_alert_fact(b, "window_end", "%s",
                  ew_time_format(f->item->window_end, tbuf));
    why =
        ew_arena_printf(ctx->arena, "检查时间不在计划%s检查事项%s的时间安排内",
                        f->plan->plan_id, f->code);
    break;
  }
  if (why && nrest)
    why = ew_arena_printf(
        ctx->arena, "%s；另有检查事项%s亦不符合已备案的检查计划", why, others);
  finish(b, out, ew_rule_phrase(ctx, out), why);
  return 0;
}

int ew_rule_r02(const ew_rule_ctx *ctx, ew_findings *out) {
  if (ctx->rec->kind != EW_REC_INSPECTION)
    return 0;
  const ew_inspection *in = &ctx->rec->u.inspection;
  const ew_rules_config *cfg = ctx->cfg;
  if (!(in->status == EW_INSP_STARTED || in->status == EW_INSP_ENDED ||
        (in->status == EW_INSP_PLANNED && cfg->r02.evaluate_planned)))
    return 0;
  if (in->trigger_type >= 0 && in->trigger_type < 32 &&
      (cfg->r02.exempt_triggers & (1u << in->trigger_type)))
    return 0;
  if (!ctx->agency_uscc || !in->enterprise_uscc)
    return 0; /* required fields: the decoder has refused such records */
  /* A PLANNED inspection has no started_at yet: judge it at event time. */
  ew_time at = in->started_at != EW_NONE ? in->started_at : ctx->event_time;

  if (in->check_items.n == 0) {
    ew_alert_builder *b = start(ctx, out, "no_check_items");
    if (b)
      finish(b, out, ew_rule_phrase(ctx, out), "未载明检查事项");
    return 0;
  }
  if (in->trigger_type == EW_TRIG_RANDOM_SAMPLING)
    return random_sampling(ctx, out);
  return planned(ctx, out, at);
}
