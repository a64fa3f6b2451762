/*
 * r19_repeated_inspections.c - R19 重复检查、多头检查 (¶11 「同一部门对市场
 * 主体实施的多项检查，应当合并进行」「推行"综合查一次"」), and the helpers the
 * window rules over inspections (R18a, R19) share.
 *
 * Window rules count the events of one enterprise; the engine judges a
 * subject with them when it arrives and again whenever an earlier event of
 * its window arrives late, changes or is cancelled
 * (ew_engine_judge_followers). So a subject is judged on the events BEFORE
 * it only, never later ones, and the alert sits on the inspection that went
 * over the limit (contract §5).
 *
 * Time and order. An inspection is placed at `at` = ended_at, else
 * started_at, else event_time: the time history keeps and the engine finds
 * followers by, so that every re-judgement the engine makes is one these
 * rules need. Events are ordered by (at, inspection_id). Only STARTED and
 * ENDED inspections are counted or judged (history keeps no other).
 * A window of N days holds the earlier inspections LESS than N x 24 h
 * before the subject: for times given as dates (midnight) that is the N
 * calendar days ending with the subject's, both ends included.
 *
 * Routine. Each R19 rule counts the checks whose check_class is in its
 * counted_classes (ROUTINE, SPECIAL) and whose trigger is not in its
 * exempt_triggers (个案: complaint, case investigation, superior
 * assignment, enterprise request, licensing verification, data
 * monitoring). Both the subject and the earlier checks must count.
 *
 *   R19a: the same agency checked the enterprise within window_days (30)
 *     before: MEDIUM on every such later check. Facts: inspections (with
 *     this one), maximum=1, window_days, earlier (ids).
 *   R19b: the same agency checked one of the same check items within
 *     window_days (365) before: HIGH. Facts: items (the repeated codes),
 *     inspections, maximum=1, window_days, earlier.
 *   R19c: checks by at least min_agencies (2) distinct agencies within
 *     window_days (15), earlier checks under the subject's joint_plan_id
 *     left out (they were coordinated with it): MEDIUM on the check by
 *     which its agency joined, i.e. when the subject's agency has no
 *     counted check earlier in the window (under a joint plan or not). A
 *     further check by an agency already there is R19a's business. The
 *     joining agency is told by the alert on its own check, the agencies
 *     already there by its other_agencies (notices.c sends each a
 *     notice). Facts: agencies (with this one), minimum, window_days,
 *     other_agencies (in order of first check), earlier.
 *   R19d: more than max_per_year (2) checks of the enterprise by the agency
 *     in the calendar year (Asia/Shanghai) of the subject: MEDIUM on every
 *     check beyond the cap. Facts: inspections (this one's number in the
 *     year), maximum, year, earlier.
 * Facts name no times: `at` moves from started_at to ended_at when a check
 * ends, and a fact that followed it would re-emit an alert for nothing.
 * Evidence: the subject's event and the latest events of the earlier
 * inspections counted.
 *
 * Limit: when a check's `at` moves later (its ENDED snapshot), the engine
 * judges the checks from the new `at` on; a check between the old and the
 * new `at` keeps counting it until its own next snapshot.
 */
#include <inttypes.h>
#include <string.h>

#include "../ewtime.h"
#include "rules.h"

#define LEGAL_BASIS "临州办发〔2023〕18号 ¶11"
#define LEGAL_BASIS_D "临州办发〔2023〕18号 ¶11；国办发〔2024〕54号"

/* ---- helpers shared with R18a (rules.h) ---- */

ew_time ew_inspection_at(const ew_inspection *in) {
  return in->ended_at != EW_NONE     ? in->ended_at
         : in->started_at != EW_NONE ? in->started_at
                                     : in->event_time;
}

int ew_window_counted(int check_class, int trigger_type, uint32_t classes,
                      uint32_t exempt_triggers) {
  if (check_class < 0 || check_class >= 32 || !(classes & (1u << check_class)))
    return 0;
  return trigger_type < 0 || trigger_type >= 32 ||
         !(exempt_triggers & (1u << trigger_type));
}

typedef struct earlier_visit {
  ew_window_rows *rows;
  ew_arena *arena;
  const char *id;
  ew_time at;
  int oom;
} earlier_visit;

static int earlier_add(void *ud, const ew_hist_inspection *h) {
  earlier_visit *ev = ud;
  if (!h->inspection_id || strcmp(h->inspection_id, ev->id) == 0)
    return 0;
  /* (at, id) order: an equal time counts when its id sorts first. */
  if (h->at > ev->at ||
      (h->at == ev->at && strcmp(h->inspection_id, ev->id) > 0))
    return 0;
  ew_window_rows *r = ev->rows;
  ew_hist_inspection *v =
      ew_rule_array_grow(ev->arena, r->v, r->n, &r->cap, sizeof *v);
  if (!v) {
    ev->oom = 1;
    return 1;
  }
  r->v = v;
  r->v[r->n++] = *h; /* its strings are in the arena already */
  return 0;
}

/* A copy of rows (n > 0) in the arena: callers filter their rows in
 * place. */
static ew_hist_inspection *rows_copy(const ew_rule_ctx *ctx, ew_findings *out,
                                     const ew_hist_inspection *v, size_t n) {
  ew_hist_inspection *c = ew_arena_alloc(ctx->arena, n * sizeof *c);
  if (!c)
    out->oom = 1;
  else
    memcpy(c, v, n * sizeof *c);
  return c;
}

int ew_window_earlier(const ew_rule_ctx *ctx, ew_time from, ew_findings *out,
                      ew_window_rows *rows) {
  const ew_inspection *in = &ctx->rec->u.inspection;
  rows->v = NULL;
  rows->n = rows->cap = 0;
  earlier_visit ev = {rows, ctx->arena, in->inspection_id, ew_inspection_at(in),
                      0};
  if (!in->enterprise_uscc || !in->inspection_id || from > ev.at)
    return 0;
  ew_window_cache *wc = ctx->window;
  if (wc && wc->valid && from >= wc->from) {
    const ew_window_rows *c = &wc->rows;
    size_t k = 0;
    while (k < c->n && c->v[k].at < from)
      k++;
    if (k < c->n && (rows->v = rows_copy(ctx, out, c->v + k, c->n - k)))
      rows->n = rows->cap = c->n - k;
    return 0;
  }
  /* One read for all: R19d's year and the default windows are within a
   * year; a longer window configured reads again. */
  ew_time read_from = from;
  if (wc && ev.at - 366 * EW_DAY_MS < from)
    read_from = ev.at - 366 * EW_DAY_MS;
  if (ew_store_hist_inspections_between(ctx->store, in->enterprise_uscc,
                                        read_from, ev.at, ctx->arena,
                                        earlier_add, &ev) < 0)
    return -1;
  if (ev.oom) {
    out->oom = 1;
    return 0;
  }
  if (wc) {
    wc->rows.n = wc->rows.cap = 0;
    wc->rows.v = rows->n ? rows_copy(ctx, out, rows->v, rows->n) : NULL;
    wc->valid = !rows->n || wc->rows.v;
    wc->from = read_from;
    if (wc->rows.v)
      wc->rows.n = wc->rows.cap = rows->n;
    /* The caller asked from `from` only. */
    size_t k = 0;
    while (k < rows->n && rows->v[k].at < from)
      k++;
    rows->v += k;
    rows->n -= k;
    rows->cap -= k;
  }
  return 0;
}

#define IDS_MAX 20
#define EVIDENCE_MAX 32

const char *ew_window_ids(const ew_rule_ctx *ctx, ew_findings *out,
                          const char *const *ids, size_t n) {
  size_t len = 1;
  for (size_t i = 0; i < n && i < IDS_MAX; i++)
    len += strlen(ids[i]) + 1;
  if (n > IDS_MAX)
    len += 4;
  char *s = ew_arena_alloc(ctx->arena, len), *p = s;
  if (!s) {
    out->oom = 1;
    return "";
  }
  for (size_t i = 0; i < n && i < IDS_MAX; i++) {
    size_t l = strlen(ids[i]);
    if (p != s)
      *p++ = ',';
    memcpy(p, ids[i], l);
    p += l;
  }
  if (n > IDS_MAX) {
    memcpy(p, ",...", 4);
    p += 4;
  }
  *p = '\0';
  return s;
}

int ew_window_evidence(const ew_rule_ctx *ctx, ew_alert_builder *b,
                       ew_rkind kind, const char *const *ids, size_t n) {
  for (size_t i = 0; i < n && i < EVIDENCE_MAX; i++) {
    ew_record rec;
    int found;
    if (ew_store_snapshot_get(ctx->store, kind, ids[i], ctx->arena, &rec,
                              &found) < 0)
      return -1;
    const char *eid = found ? ew_record_event_id(&rec) : NULL;
    if (eid)
      ew_alert_evidence(b, eid);
  }
  return 0;
}

/* ---- R19 ---- */

/* The subject as the R19 rules judge it: a STARTED or ENDED inspection
 * with its agency and enterprise that counts with these bits; NULL
 * otherwise. */
static const ew_inspection *subject(const ew_rule_ctx *ctx, uint32_t classes,
                                    uint32_t exempt) {
  if (ctx->rec->kind != EW_REC_INSPECTION)
    return NULL;
  const ew_inspection *in = &ctx->rec->u.inspection;
  if ((in->status != EW_INSP_STARTED && in->status != EW_INSP_ENDED) ||
      !in->agency_uscc || !in->enterprise_uscc || !in->inspection_id)
    return NULL;
  return ew_window_counted(in->check_class, in->trigger_type, classes, exempt)
             ? in
             : NULL;
}

/* [at - days x 24 h + 1 ms, at]: less than `days` days before. */
static ew_time window_from(ew_time at, int64_t days) {
  ew_time span = days * EW_DAY_MS; /* days is bounded by the config table */
  return at > INT64_MIN + span ? at - span + 1 : INT64_MIN;
}

/* The earlier rows that count: same agency as the subject (or any, when
 * `agency` is NULL) and routine by these bits. Kept in place. */
static void keep_counted(ew_window_rows *rows, const char *agency,
                         uint32_t classes, uint32_t exempt) {
  size_t k = 0;
  for (size_t i = 0; i < rows->n; i++) {
    const ew_hist_inspection *h = &rows->v[i];
    if (agency && (!h->agency_uscc || strcmp(h->agency_uscc, agency) != 0))
      continue;
    if (!ew_window_counted(h->check_class, h->trigger_type, classes, exempt))
      continue;
    rows->v[k++] = *h;
  }
  rows->n = k;
}

/* The ids of the rows, in ctx->arena; NULL on OOM (out->oom set). */
static const char **row_ids(const ew_rule_ctx *ctx, ew_findings *out,
                            const ew_window_rows *rows) {
  const char **ids = ew_arena_alloc(ctx->arena, (rows->n + 1) * sizeof *ids);
  if (!ids) {
    out->oom = 1;
    return NULL;
  }
  for (size_t i = 0; i < rows->n; i++)
    ids[i] = rows->v[i].inspection_id;
  return ids;
}

/* The fact and evidence every R19 finding has: earlier (the ids), plus the
 * earlier inspections' events. No times: an inspection's `at` moves from
 * started_at to ended_at when it ends, and a fact that followed it would
 * re-emit the alert unchanged in substance. Returns the ids text, or NULL
 * on a store failure. */
static const char *add_earlier(const ew_rule_ctx *ctx, ew_findings *out,
                               ew_alert_builder *b,
                               const ew_window_rows *rows) {
  const char **ids = row_ids(ctx, out, rows);
  if (!ids)
    return "";
  const char *text = ew_window_ids(ctx, out, ids, rows->n);
  ew_alert_fact(b, "earlier", "%s", text);
  if (ew_window_evidence(ctx, b, EW_REC_INSPECTION, ids, rows->n) < 0)
    return NULL;
  return text;
}

/* 「INS-1」 or 「INS-1等」: the first earlier check, for messages. */
static const char *first_named(const ew_rule_ctx *ctx, ew_findings *out,
                               const ew_window_rows *rows) {
  const char *s = ew_arena_printf(ctx->arena, "%s%s", rows->v[0].inspection_id,
                                  rows->n > 1 ? "等" : "");
  if (!s) {
    out->oom = 1;
    return "";
  }
  return s;
}

static void finish(ew_findings *out, ew_alert_builder *b) {
  if (b->oom)
    out->oom = 1;
}

int ew_rule_r19a(const ew_rule_ctx *ctx, ew_findings *out) {
  uint32_t classes = ctx->cfg->r19a.counted_classes;
  uint32_t exempt = ctx->cfg->r19a.exempt_triggers;
  const ew_inspection *in = subject(ctx, classes, exempt);
  if (!in)
    return 0;
  int64_t days = ctx->cfg->r19a.window_days;
  ew_window_rows rows;
  if (ew_window_earlier(ctx, window_from(ew_inspection_at(in), days), out,
                        &rows) < 0)
    return -1;
  keep_counted(&rows, in->agency_uscc, classes, exempt);
  if (!rows.n)
    return 0;

  ew_alert_builder *b = ew_finding_add(ctx, out, "R19a", "",
                                       ctx->cfg->r19a.c.severity, LEGAL_BASIS);
  if (!b)
    return 0;
  ew_alert_fact(b, "inspections", "%zu", rows.n + 1);
  ew_alert_fact(b, "maximum", "1");
  ew_alert_fact(b, "window_days", "%" PRId64, days);
  if (!add_earlier(ctx, out, b, &rows))
    return -1;
  ew_alert_message(b,
                   "%s之前%" PRId64 "日内，该部门已对该企业进行过%zu次日常检"
                   "查（%s），同一部门对同一企业的多项检查应当合并进行。",
                   ew_rule_phrase(ctx, out), days, rows.n,
                   first_named(ctx, out, &rows));
  finish(out, b);
  return 0;
}

/* 1 when the comma-separated `list` holds `code`. */
static int list_has(const char *list, const char *code) {
  size_t n = strlen(code);
  for (const char *p = list; p && *p;) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    if (len == n && memcmp(p, code, n) == 0)
      return 1;
    p = comma ? comma + 1 : NULL;
  }
  return 0;
}

int ew_rule_r19b(const ew_rule_ctx *ctx, ew_findings *out) {
  uint32_t classes = ctx->cfg->r19b.counted_classes;
  uint32_t exempt = ctx->cfg->r19b.exempt_triggers;
  const ew_inspection *in = subject(ctx, classes, exempt);
  if (!in || !in->check_items.n)
    return 0;
  int64_t days = ctx->cfg->r19b.window_days;
  ew_window_rows rows;
  if (ew_window_earlier(ctx, window_from(ew_inspection_at(in), days), out,
                        &rows) < 0)
    return -1;
  keep_counted(&rows, in->agency_uscc, classes, exempt);

  /* The subject's items checked before (each once, in the subject's
   * order), and the earlier checks that share one. */
  const char *items = "";
  for (size_t i = 0; i < in->check_items.n && items; i++) {
    const char *code = in->check_items.v[i];
    int seen = 0, repeated = 0;
    if (!code || !*code)
      continue;
    for (size_t j = 0; j < i && !seen; j++)
      seen = in->check_items.v[j] && strcmp(in->check_items.v[j], code) == 0;
    for (size_t r = 0; r < rows.n && !seen && !repeated; r++)
      repeated = list_has(rows.v[r].check_items, code);
    if (repeated)
      items =
          ew_arena_printf(ctx->arena, "%s%s%s", items, *items ? "," : "", code);
  }
  if (!items) {
    out->oom = 1;
    return 0;
  }
  if (!*items)
    return 0;
  size_t k = 0;
  for (size_t r = 0; r < rows.n; r++) {
    int shares = 0;
    for (size_t i = 0; i < in->check_items.n && !shares; i++)
      shares = in->check_items.v[i] && *in->check_items.v[i] &&
               list_has(rows.v[r].check_items, in->check_items.v[i]);
    if (shares)
      rows.v[k++] = rows.v[r];
  }
  rows.n = k;

  ew_alert_builder *b = ew_finding_add(ctx, out, "R19b", "",
                                       ctx->cfg->r19b.c.severity, LEGAL_BASIS);
  if (!b)
    return 0;
  ew_alert_fact(b, "items", "%s", items);
  ew_alert_fact(b, "inspections", "%zu", rows.n + 1);
  ew_alert_fact(b, "maximum", "1");
  ew_alert_fact(b, "window_days", "%" PRId64, days);
  if (!add_earlier(ctx, out, b, &rows))
    return -1;
  ew_alert_message(b,
                   "%s的检查事项%s在之前%" PRId64 "日内已由该部门对该企业检查"
                   "过%zu次（%s），属于同一事项的重复检查。",
                   ew_rule_phrase(ctx, out), items, days, rows.n,
                   first_named(ctx, out, &rows));
  finish(out, b);
  return 0;
}

int ew_rule_r19c(const ew_rule_ctx *ctx, ew_findings *out) {
  uint32_t classes = ctx->cfg->r19c.counted_classes;
  uint32_t exempt = ctx->cfg->r19c.exempt_triggers;
  const ew_inspection *in = subject(ctx, classes, exempt);
  if (!in)
    return 0;
  int64_t days = ctx->cfg->r19c.window_days;
  ew_window_rows rows;
  if (ew_window_earlier(ctx, window_from(ew_inspection_at(in), days), out,
                        &rows) < 0)
    return -1;
  keep_counted(&rows, NULL, classes, exempt);
  /* The subject's own agency checked before within the window, joint plan
   * or not: it joined earlier (see the top). */
  for (size_t r = 0; r < rows.n; r++)
    if (rows.v[r].agency_uscc &&
        strcmp(rows.v[r].agency_uscc, in->agency_uscc) == 0)
      return 0;
  /* Checks under the subject's joint plan were coordinated with it. */
  const char *jp =
      in->joint_plan_id && *in->joint_plan_id ? in->joint_plan_id : NULL;
  size_t k = 0;
  for (size_t r = 0; r < rows.n; r++) {
    const ew_hist_inspection *h = &rows.v[r];
    if (!h->agency_uscc ||
        (jp && h->joint_plan_id && strcmp(h->joint_plan_id, jp) == 0))
      continue;
    rows.v[k++] = *h;
  }
  rows.n = k;

  /* The other agencies, in order of their first check. */
  const char **others =
      ew_arena_alloc(ctx->arena, (rows.n + 1) * sizeof *others);
  if (!others) {
    out->oom = 1;
    return 0;
  }
  size_t nothers = 0;
  for (size_t r = 0; r < rows.n; r++) {
    const char *ag = rows.v[r].agency_uscc;
    int seen = 0;
    for (size_t j = 0; j < nothers && !seen; j++)
      seen = strcmp(others[j], ag) == 0;
    if (!seen)
      others[nothers++] = ag;
  }
  if ((int64_t)nothers + 1 < ctx->cfg->r19c.min_agencies)
    return 0;

  /* Names for the message, looked up once the history walk is over. */
  const char *names = "";
  for (size_t j = 0; j < nothers && names; j++) {
    const ew_record *ag;
    if (ew_store_ref_get(ctx->store, EW_REC_AGENCY, others[j], &ag) < 0)
      return -1;
    const char *name = ag && ag->u.agency.name ? ag->u.agency.name : others[j];
    names = ew_arena_printf(ctx->arena, "%s%s%s", names, j ? "、" : "", name);
  }
  if (!names) {
    out->oom = 1;
    return 0;
  }

  ew_alert_builder *b = ew_finding_add(ctx, out, "R19c", "",
                                       ctx->cfg->r19c.c.severity, LEGAL_BASIS);
  if (!b)
    return 0;
  ew_alert_fact(b, "agencies", "%zu", nothers + 1);
  ew_alert_fact(b, "minimum", "%" PRId64, ctx->cfg->r19c.min_agencies);
  ew_alert_fact(b, "window_days", "%" PRId64, days);
  ew_alert_fact(b, "other_agencies", "%s",
                ew_window_ids(ctx, out, others, nothers));
  if (!add_earlier(ctx, out, b, &rows))
    return -1;
  ew_alert_message(
      b,
      "%s之前%" PRId64 "日内，%s也对该企业进行过%zu次日常检查"
      "（%s），共%zu个部门分头检查且未纳入同一联合检查计划，应当推行"
      "\"综合查一次\"。",
      ew_rule_phrase(ctx, out), days, names, rows.n,
      first_named(ctx, out, &rows), nothers + 1);
  finish(out, b);
  return 0;
}

int ew_rule_r19d(const ew_rule_ctx *ctx, ew_findings *out) {
  uint32_t classes = ctx->cfg->r19d.counted_classes;
  uint32_t exempt = ctx->cfg->r19d.exempt_triggers;
  const ew_inspection *in = subject(ctx, classes, exempt);
  if (!in)
    return 0;
  ew_time at = ew_inspection_at(in);
  int year = ew_time_year(at);
  ew_window_rows rows;
  if (ew_window_earlier(ctx, ew_time_from_civil(year, 1, 1), out, &rows) < 0)
    return -1;
  keep_counted(&rows, in->agency_uscc, classes, exempt);
  int64_t max = ctx->cfg->r19d.max_per_year;
  if ((int64_t)rows.n + 1 <= max)
    return 0;

  ew_alert_builder *b = ew_finding_add(
      ctx, out, "R19d", "", ctx->cfg->r19d.c.severity, LEGAL_BASIS_D);
  if (!b)
    return 0;
  ew_alert_fact(b, "inspections", "%zu", rows.n + 1);
  ew_alert_fact(b, "maximum", "%" PRId64, max);
  ew_alert_fact(b, "year", "%d", year);
  if (!add_earlier(ctx, out, b, &rows))
    return -1;
  ew_alert_message(
      b,
      "%s是该部门%d年度对该企业的第%zu次日常检查（此前%zu次：%s），"
      "超过每年%" PRId64 "次的上限。",
      ew_rule_phrase(ctx, out), year, rows.n + 1, rows.n,
      first_named(ctx, out, &rows), max);
  finish(out, b);
  return 0;
}
