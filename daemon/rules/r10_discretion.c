/*
 * r10_discretion.c - R10 裁量基准未载明/越档 (¶4 「有行政裁量权基准的，要在
 * 行政执法决定书中对行政裁量权基准的适用情况予以明确」; 国办发〔2022〕27号).
 * Judged once decided (decided_at set).
 *
 * The benchmark is ew_penalty_benchmark_find's: the one named by
 * benchmark_id, else the agency's own for the violation_code, else a general
 * one. A named benchmark missing from the registry is reported as
 * benchmark=not_on_file and never replaced by another.
 *
 * R10a (MEDIUM): a benchmark applies and the decision does not cite it
 *   (benchmark_cited != true). A benchmark_id not on file still fires: the
 *   record itself says which benchmark applied, and that it was not cited.
 *   Facts: violation_code, benchmark_id, benchmark (on_file/not_on_file),
 *   benchmark_source (benchmark_id/agency/general), benchmark_cited.
 * R10b (HIGH): the fine is outside the band of the declared discretion
 *   level in the benchmark, or outside [statutory_min_fen,
 *   statutory_max_fen]. No check without FINE among the penalty types and a
 *   zero fine_fen. No discretion_level: the statutory range only; a level
 *   the benchmark has no band for: likewise (band=not_in_benchmark). The
 *   statutory minimum does not bind MITIGATED (减轻处罚 is by definition
 *   below it, 行政处罚法第32条) or NO_PENALTY; their band still does. A
 *   benchmark not on file does NOT fire R10b: without the record there is
 *   no band and no range, and a HIGH 越档 finding must not be guessed (R10a
 *   reports the missing record when the decision did not cite it). Facts:
 *   fine_fen, band_min_fen, band_max_fen, statutory_min_fen,
 *   statutory_max_fen, discretion_level, benchmark_id, reason (the applying
 *   ones of above_statutory_max, below_statutory_min, above_band,
 *   below_band, joined by ',').
 * R10c (LOW): discretion_level HEAVY (从重) without an aggravating factor
 *   code: any factor code when the config's aggravating_factors is empty,
 *   else one of that list. Needs no benchmark. Facts: discretion_level,
 *   factor_codes, aggravating_factors ("any" when the list is empty).
 *
 * Cost: one hash lookup (benchmark_id) or one walk of the benchmarks of a
 * single violation_code (store index), per rule and penalty.
 */
#include <inttypes.h>
#include <string.h>

#include "rules.h"

#define LEGAL_BASIS "临州办发〔2023〕18号 ¶4；国办发〔2022〕27号"

static const char *level_zh(int level) {
  switch (level) {
  case EW_DL_NO_PENALTY:
    return "不予处罚";
  case EW_DL_MITIGATED:
    return "减轻处罚";
  case EW_DL_LENIENT:
    return "从轻处罚";
  case EW_DL_GENERAL:
    return "一般处罚";
  case EW_DL_HEAVY:
    return "从重处罚";
  default:
    return "未载明";
  }
}

/* "5000元" or "5000.50元", in the arena. */
static const char *yuan(ew_arena *a, int64_t fen) {
  const char *sign = fen < 0 ? "-" : "";
  uint64_t v = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
  if (v % 100 == 0)
    return ew_arena_printf(a, "%s%" PRIu64 "元", sign, v / 100);
  return ew_arena_printf(a, "%s%" PRIu64 ".%02" PRIu64 "元", sign, v / 100,
                         v % 100);
}

static int decided_penalty(const ew_rule_ctx *ctx) {
  return ctx->rec->kind == EW_REC_PENALTY &&
         ctx->rec->u.penalty.decided_at != EW_NONE;
}

int ew_rule_r10a(const ew_rule_ctx *ctx, ew_findings *out) {
  if (!decided_penalty(ctx))
    return 0;
  const ew_penalty *p = &ctx->rec->u.penalty;
  if (p->benchmark_cited == 1)
    return 0;
  ew_penalty_benchmark pb;
  if (ew_penalty_benchmark_find(ctx, &pb) < 0)
    return -1;
  if (!pb.bm && !pb.not_on_file)
    return 0; /* no benchmark for this violation: nothing to cite */

  ew_alert_builder *b = ew_finding_add(ctx, out, "R10a", "",
                                       ctx->cfg->r10a.c.severity, LEGAL_BASIS);
  if (!b)
    return 0;
  ew_alert_fact(b, "violation_code", "%s",
                p->violation_code ? p->violation_code : "none");
  ew_alert_fact(b, "benchmark_id", "%s", pb.id);
  ew_alert_fact(b, "benchmark", "%s",
                pb.not_on_file ? "not_on_file" : "on_file");
  ew_alert_fact(b, "benchmark_source", "%s", pb.source);
  ew_alert_fact(b, "benchmark_cited", "false");
  if (pb.not_on_file)
    ew_alert_message(b,
                     "%s未在决定书中载明行政裁量权基准的适用情况，所涉基准%s"
                     "未在备案的裁量基准中找到。",
                     ew_rule_phrase(ctx, out), pb.id);
  else
    ew_alert_message(b,
                     "%s所涉违法行为%s有行政裁量权基准%s，但决定书未载明裁量"
                     "基准的适用情况。",
                     ew_rule_phrase(ctx, out), p->violation_code, pb.id);
  if (b->oom)
    out->oom = 1;
  return 0;
}

typedef struct band_check {
  const ew_benchmark_level *band; /* NULL: no level, or none in benchmark */
  int above_max, below_min, above_band, below_band;
} band_check;

static void judge_fine(const ew_penalty *p, const ew_benchmark *bm,
                       band_check *bc) {
  int64_t fine = p->fine_fen;
  memset(bc, 0, sizeof *bc);
  for (size_t i = 0; i < bm->levels.n && !bc->band; i++)
    if (p->discretion_level >= 0 &&
        bm->levels.v[i].level == p->discretion_level)
      bc->band = &bm->levels.v[i];
  int min_binds = p->discretion_level != EW_DL_MITIGATED &&
                  p->discretion_level != EW_DL_NO_PENALTY;
  bc->above_max = fine > bm->statutory_max_fen;
  bc->below_min = min_binds && fine < bm->statutory_min_fen;
  if (bc->band) {
    bc->above_band = fine > bc->band->max_fen;
    bc->below_band = fine < bc->band->min_fen;
  }
}

int ew_rule_r10b(const ew_rule_ctx *ctx, ew_findings *out) {
  if (!decided_penalty(ctx))
    return 0;
  const ew_penalty *p = &ctx->rec->u.penalty;
  int has_fine = 0;
  for (size_t i = 0; i < p->penalty_types.n && !has_fine; i++)
    has_fine = p->penalty_types.v[i] == EW_PT_FINE;
  if (!has_fine && p->fine_fen == 0)
    return 0;
  ew_penalty_benchmark pb;
  if (ew_penalty_benchmark_find(ctx, &pb) < 0)
    return -1;
  if (!pb.bm)
    return 0; /* none, or not on file: nothing to measure against */
  const ew_benchmark *bm = pb.bm;
  band_check bc;
  judge_fine(p, bm, &bc);
  if (!bc.above_max && !bc.below_min && !bc.above_band && !bc.below_band)
    return 0;

  ew_alert_builder *b = ew_finding_add(ctx, out, "R10b", "",
                                       ctx->cfg->r10b.c.severity, LEGAL_BASIS);
  if (!b)
    return 0;
  char reason[96] = "";
  static const char *const names[] = {
      "above_statutory_max", "below_statutory_min", "above_band", "below_band"};
  const int on[] = {bc.above_max, bc.below_min, bc.above_band, bc.below_band};
  for (size_t i = 0; i < 4; i++) {
    if (!on[i])
      continue;
    if (reason[0])
      strcat(reason, ",");
    strcat(reason, names[i]);
  }
  const char *level =
      p->discretion_level >= 0
          ? ew_sym(&ew_enum_discretion_level, p->discretion_level)
          : "absent";
  ew_alert_fact(b, "fine_fen", "%" PRId64, p->fine_fen);
  if (bc.band) {
    ew_alert_fact(b, "band_min_fen", "%" PRId64, bc.band->min_fen);
    ew_alert_fact(b, "band_max_fen", "%" PRId64, bc.band->max_fen);
  } else if (p->discretion_level >= 0) {
    ew_alert_fact(b, "band", "not_in_benchmark");
  }
  ew_alert_fact(b, "statutory_min_fen", "%" PRId64, bm->statutory_min_fen);
  ew_alert_fact(b, "statutory_max_fen", "%" PRId64, bm->statutory_max_fen);
  ew_alert_fact(b, "discretion_level", "%s", level);
  ew_alert_fact(b, "benchmark_id", "%s", pb.id);
  ew_alert_fact(b, "reason", "%s", reason);

  ew_arena *a = ctx->arena;
  const char *fine = yuan(a, p->fine_fen);
  const char *smax = yuan(a, bm->statutory_max_fen);
  const char *smin = yuan(a, bm->statutory_min_fen);
  const char *bmin = bc.band ? yuan(a, bc.band->min_fen) : "";
  const char *bmax = bc.band ? yuan(a, bc.band->max_fen) : "";
  if (!fine || !smax || !smin || !bmin || !bmax) {
    out->oom = 1;
    return 0;
  }
  if (bc.above_max)
    ew_alert_message(b, "%s罚款%s，高于裁量基准%s载明的法定最高罚款%s。",
                     ew_rule_phrase(ctx, out), fine, pb.id, smax);
  else if (bc.below_min)
    ew_alert_message(b,
                     "%s罚款%s，低于裁量基准%s载明的法定最低罚款%s，且未适用"
                     "减轻处罚。",
                     ew_rule_phrase(ctx, out), fine, pb.id, smin);
  else
    ew_alert_message(b, "%s罚款%s，超出裁量基准%s“%s”档次%s至%s的幅度。",
                     ew_rule_phrase(ctx, out), fine, pb.id,
                     level_zh(p->discretion_level), bmin, bmax);
  if (b->oom)
    out->oom = 1;
  return 0;
}

/* 1 when one of the penalty's factor codes is an aggravating one. */
static int has_aggravating(const ew_rule_ctx *ctx, const ew_penalty *p) {
  const ew_strlist *list = &ctx->cfg->r10c.aggravating_factors;
  for (size_t i = 0; i < p->factor_codes.n; i++) {
    const char *f = p->factor_codes.v[i];
    if (f && *f && (list->n == 0 || ew_strlist_has(list, f)))
      return 1;
  }
  return 0;
}

/* "A,B" of a string vector, "none" when empty; NULL on OOM. */
static const char *join_strv(ew_arena *a, const char *const *v, size_t n) {
  size_t len = 5;
  for (size_t i = 0; i < n; i++)
    len += (v[i] ? strlen(v[i]) : 0) + 1;
  char *s = ew_arena_alloc(a, len), *q = s;
  if (!s)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    if (!v[i] || !*v[i])
      continue;
    if (q != s)
      *q++ = ',';
    size_t l = strlen(v[i]);
    memcpy(q, v[i], l);
    q += l;
  }
  if (q == s) {
    memcpy(s, "none", 5);
    return s;
  }
  *q = '\0';
  return s;
}

int ew_rule_r10c(const ew_rule_ctx *ctx, ew_findings *out) {
  if (!decided_penalty(ctx))
    return 0;
  const ew_penalty *p = &ctx->rec->u.penalty;
  if (p->discretion_level != EW_DL_HEAVY || has_aggravating(ctx, p))
    return 0;
  const ew_strlist *list = &ctx->cfg->r10c.aggravating_factors;

  ew_alert_builder *b = ew_finding_add(ctx, out, "R10c", "",
                                       ctx->cfg->r10c.c.severity, LEGAL_BASIS);
  if (!b)
    return 0;
  const char *codes =
      join_strv(ctx->arena, p->factor_codes.v, p->factor_codes.n);
  const char *agg =
      list->n ? join_strv(ctx->arena, (const char *const *)list->v, list->n)
              : "any";
  if (!codes || !agg) {
    out->oom = 1;
    return 0;
  }
  ew_alert_fact(b, "discretion_level", "HEAVY");
  ew_alert_fact(b, "factor_codes", "%s", codes);
  ew_alert_fact(b, "aggravating_factors", "%s", agg);
  if (list->n)
    ew_alert_message(b, "%s按从重档次处罚，但未载明规定的从重情节。",
                     ew_rule_phrase(ctx, out));
  else
    ew_alert_message(b, "%s按从重档次处罚，但未载明任何从重情节。",
                     ew_rule_phrase(ctx, out));
  if (b->oom)
    out->oom = 1;
  return 0;
}
