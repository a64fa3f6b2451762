/*
 * rules.c - the rule table the engine walks, and helpers shared by rules
 * (certificate validity, and how an officer's listings are judged, are one
 * definition for R05 and R06).
 */
#include "rules.h"

#include <string.h>

const ew_rule_def ew_rule_table[] = {
    {"R01", offsetof(ew_rules_config, r01.c), ew_rule_r01,
     EW_ON(EW_SUBJ_AGENCY), 0},
    {"R02", offsetof(ew_rules_config, r02.c), ew_rule_r02, EW_ON_EVENTS, 0},
    {"R03", offsetof(ew_rules_config, r03.c), ew_rule_r03, EW_ON_EVENTS, 0},
    {"R04", offsetof(ew_rules_config, r04.c), ew_rule_r04,
     EW_ON(EW_SUBJ_INSPECTION), 0},
    {"R05", offsetof(ew_rules_config, r05.c), ew_rule_r05, EW_ON_EVENTS, 0},
    {"R06", offsetof(ew_rules_config, r06.c), ew_rule_r06, EW_ON_EVENTS, 0},
    {"R07", offsetof(ew_rules_config, r07.c), ew_rule_r07,
     EW_ON(EW_SUBJ_INSPECTION) | EW_ON(EW_SUBJ_PENALTY), 0},
    {"R08a", offsetof(ew_rules_config, r08a.c), ew_rule_r08a, EW_ON_EVENTS, 0},
    {"R08b", offsetof(ew_rules_config, r08b.c), ew_rule_r08b, EW_ON_EVENTS, 0},
    {"R08c", offsetof(ew_rules_config, r08c.c), ew_rule_r08c, EW_ON_EVENTS, 0},
    {"R09", offsetof(ew_rules_config, r09.c), ew_rule_r09, EW_ON_EVENTS, 0},
    {"R10a", offsetof(ew_rules_config, r10a.c), ew_rule_r10a, EW_ON_EVENTS, 0},
    {"R10b", offsetof(ew_rules_config, r10b.c), ew_rule_r10b, EW_ON_EVENTS, 0},
    {"R10c", offsetof(ew_rules_config, r10c.c), ew_rule_r10c, EW_ON_EVENTS, 0},
    {"R11", offsetof(ew_rules_config, r11.c), ew_rule_r11, EW_ON_EVENTS, 0},
    {"R12", offsetof(ew_rules_config, r12.c), ew_rule_r12,
     EW_ON(EW_SUBJ_PENALTY), 0},
    {"R13a", offsetof(ew_rules_config, r13a.c), ew_rule_r13a, EW_ON_EVENTS, 0},
    {"R13b", offsetof(ew_rules_config, r13b.c), ew_rule_r13b, EW_ON_EVENTS, 0},
    {"R14a", offsetof(ew_rules_config, r14a.c), ew_rule_r14a, EW_ON_EVENTS, 0},
    {"R14b", offsetof(ew_rules_config, r14b.c), ew_rule_r14b,
     EW_ON(EW_SUBJ_PENALTY), 1},
    {"R15", offsetof(ew_rules_config, r15.c), ew_rule_r15, EW_ON_EVENTS, 0},
    {"R16a", offsetof(ew_rules_config, r16a.c), ew_rule_r16a, EW_ON_EVENTS, 0},
    {"R16b", offsetof(ew_rules_config, r16b.c), ew_rule_r16b, EW_ON_EVENTS, 0},
    {"R16c", offsetof(ew_rules_config, r16c.c), ew_rule_r16c,
     EW_ON(EW_SUBJ_RANDOM_TASK), 0},
    {"R16d", offsetof(ew_rules_config, r16d.c), ew_rule_r16d, EW_ON_EVENTS, 0},
    {"R17", offsetof(ew_rules_config, r17.c), ew_rule_r17, EW_ON_EVENTS, 0},
    {"R18a", offsetof(ew_rules_config, r18a.c), ew_rule_r18a,
     EW_ON(EW_SUBJ_INSPECTION), 1},
    {"R18b", offsetof(ew_rules_config, r18b.c), ew_rule_r18b, EW_ON_EVENTS, 0},
    {"R19a", offsetof(ew_rules_config, r19a.c), ew_rule_r19a,
     EW_ON(EW_SUBJ_INSPECTION), 1},
    {"R19b", offsetof(ew_rules_config, r19b.c), ew_rule_r19b,
     EW_ON(EW_SUBJ_INSPECTION), 1},
    {"R19c", offsetof(ew_rules_config, r19c.c), ew_rule_r19c,
     EW_ON(EW_SUBJ_INSPECTION), 1},
    {"R19d", offsetof(ew_rules_config, r19d.c), ew_rule_r19d,
     EW_ON(EW_SUBJ_INSPECTION), 1},
    {"R20a", offsetof(ew_rules_config, r20a.c), ew_rule_r20a,
     EW_ON(EW_SUBJ_COMPLAINT), 0},
    {"R20b", offsetof(ew_rules_config, r20b.c), ew_rule_r20b,
     EW_ON(EW_SUBJ_COMPLAINT), 0},
    {"R21a", offsetof(ew_rules_config, r21a.c), ew_rule_r21a,
     EW_ON(EW_SUBJ_COMPLAINT), 0},
    {"R21b", offsetof(ew_rules_config, r21b.c), ew_rule_r21b,
     EW_ON(EW_SUBJ_COMPLAINT), 0},
    {"R22a", offsetof(ew_rules_config, r22a.c), ew_rule_r22a, EW_ON_EVENTS, 0},
    {"R22b", offsetof(ew_rules_config, r22b.c), ew_rule_r22b, EW_ON_EVENTS, 0},
    {"R23a", offsetof(ew_rules_config, r23a.c), ew_rule_r23a,
     EW_ON(EW_SUBJ_AGENCY), 0},
    {"R23b", offsetof(ew_rules_config, r23b.c), ew_rule_r23b,
     EW_ON(EW_SUBJ_AGENCY), 0},
    {"R23c", offsetof(ew_rules_config, r23c.c), ew_rule_r23c,
     EW_ON(EW_SUBJ_AGENCY), 0},
    {"R23d", offsetof(ew_rules_config, r23d.c), ew_rule_r23d,
     EW_ON(EW_SUBJ_AGENCY), 0},
    {"R23e", offsetof(ew_rules_config, r23e.c), ew_rule_r23e,
     EW_ON(EW_SUBJ_AGENCY), 0},
    {"R23f", offsetof(ew_rules_config, r23f.c), ew_rule_r23f,
     EW_ON(EW_SUBJ_AGENCY), 0},
    {"R24", offsetof(ew_rules_config, r24.c), ew_rule_r24,
     EW_ON(EW_SUBJ_NOTICE), 0},
    {"R25", offsetof(ew_rules_config, r25.c), ew_rule_r25, EW_ON_EVENTS, 0},
};
const size_t ew_rule_table_count =
    sizeof ew_rule_table / sizeof ew_rule_table[0];

const ew_rule_def *ew_rule_find(const char *rule_id) {
  for (size_t i = 0; i < ew_rule_table_count; i++)
    if (strcmp(ew_rule_table[i].id, rule_id) == 0)
      return &ew_rule_table[i];
  return NULL;
}

void ew_finding_wake(ew_findings *out, ew_time at) {
  if (at != EW_NONE && (out->wake_at == EW_NONE || at < out->wake_at))
    out->wake_at = at;
}

int ew_deadline_passed(const ew_rule_ctx *ctx, ew_findings *out, ew_time due) {
  if (due == EW_NONE)
    return 0;
  if (ctx->now != EW_NONE && ctx->now > due)
    return 1;
  if (due < INT64_MAX)
    ew_finding_wake(out, due + 1);
  return 0;
}

void *ew_rule_array_grow(ew_arena *a, void *v, size_t n, size_t *cap,
                         size_t size) {
  if (n < *cap)
    return v;
  size_t ncap = *cap ? *cap * 2 : 8;
  void *nv = ew_arena_alloc(a, ncap * size);
  if (!nv)
    return NULL;
  if (n)
    memcpy(nv, v, n * size);
  *cap = ncap;
  return nv;
}

ew_alert_builder *ew_finding_add(const ew_rule_ctx *ctx, ew_findings *out,
                                 const char *rule_id, const char *discriminator,
                                 int severity, const char *legal_basis) {
  ew_alert_builder **v =
      ew_rule_array_grow(out->arena, out->v, out->n, &out->cap, sizeof *v);
  if (!v) {
    out->oom = 1;
    return NULL;
  }
  out->v = v;
  ew_alert_builder *b = ew_arena_alloc(out->arena, sizeof *b);
  if (!b) {
    out->oom = 1;
    return NULL;
  }
  ew_alert_begin(b, out->arena, rule_id, ctx->subject_type, ctx->subject_id,
                 discriminator, severity);
  b->alert.detected_at = ctx->event_time;
  ew_alert_set(b, &b->alert.agency_uscc, ctx->agency_uscc);
  ew_alert_set(b, &b->alert.enterprise_uscc, ctx->enterprise_uscc);
  ew_alert_set(b, &b->alert.region_code, ctx->region_code);
  ew_alert_set(b, &b->alert.legal_basis, legal_basis);
  ew_alert_evidence(b, ctx->event_id);
  if (b->oom)
    out->oom = 1;
  out->v[out->n++] = b;
  return b;
}

static const char *mode_zh(int mode) {
  switch (mode) {
  case EW_MODE_ON_SITE:
    return "现场检查";
  case EW_MODE_REMOTE:
    return "非现场检查";
  case EW_MODE_DOCUMENT_REVIEW:
    return "书面检查";
  default:
    return "检查";
  }
}

const char *ew_rule_phrase(const ew_rule_ctx *ctx, ew_findings *out) {
  if (out->phrase)
    return out->phrase;
  const ew_record *r = ctx->rec;
  const char *who = ctx->agency_label, *ent = ctx->enterprise_uscc;
  const char *sid = ctx->subject_id;
  /* Required for inspections and penalties; the decoders enforce it, this
   * only keeps a hand-built record from reaching printf with NULL. */
  if (!ent && r->kind != EW_REC_COMPLAINT && r->kind != EW_REC_RANDOM_TASK)
    ent = "（未载明）";
  switch (r->kind) {
  case EW_REC_INSPECTION:
    out->phrase = ew_arena_printf(out->arena, "%s对企业%s的%s%s", who, ent,
                                  mode_zh(r->u.inspection.mode), sid);
    break;
  case EW_REC_PENALTY:
    out->phrase = ew_arena_printf(out->arena, "%s对企业%s的行政处罚决定%s", who,
                                  ent, sid);
    break;
  case EW_REC_COMPLAINT:
    out->phrase =
        ent ? ew_arena_printf(out->arena, "%s办理的涉及企业%s的投诉举报%s", who,
                              ent, sid)
            : ew_arena_printf(out->arena, "%s办理的投诉举报%s", who, sid);
    break;
  case EW_REC_RANDOM_TASK:
    out->phrase = ew_arena_printf(out->arena, "%s的双随机抽查任务%s", who, sid);
    break;
  default: /* feedback */
    out->phrase =
        ew_arena_printf(out->arena, "%s对监督通知%s的整改反馈", who, sid);
    break;
  }
  if (!out->phrase) {
    out->oom = 1;
    return "";
  }
  return out->phrase;
}

const char *ew_sym(const ew_enum *e, int v) {
  const char *s = ew_enum_name(e, v);
  return s ? s : "?";
}

int ew_strv_has(ew_strv v, const char *s) {
  for (size_t i = 0; i < v.n; i++)
    if (v.v[i] && strcmp(v.v[i], s) == 0)
      return 1;
  return 0;
}

int ew_strlist_has(const ew_strlist *list, const char *s) {
  for (size_t i = 0; i < list->n; i++)
    if (strcmp(list->v[i], s) == 0)
      return 1;
  return 0;
}

int ew_rule_officers(const ew_rule_ctx *ctx, ew_officers *out) {
  const ew_record *r = ctx->rec;
  ew_time at = EW_NONE;
  if (r->kind == EW_REC_INSPECTION) {
    out->v = r->u.inspection.officers.v;
    out->n = r->u.inspection.officers.n;
    at = r->u.inspection.started_at;
  } else if (r->kind == EW_REC_PENALTY) {
    out->v = r->u.penalty.officers.v;
    out->n = r->u.penalty.officers.n;
    at = r->u.penalty.decided_at;
  } else {
    return -1;
  }
  out->at = at != EW_NONE ? at : ctx->event_time;
  return 0;
}

const char *ew_cert_problem_name(ew_cert_problem p) {
  static const char *const names[] = {
      [EW_CP_OK] = "ok",
      [EW_CP_MISSING] = "cert_missing",
      [EW_CP_NOT_FOUND] = "cert_not_found",
      [EW_CP_OTHER_OFFICER] = "cert_other_officer",
      [EW_CP_SUSPENDED] = "cert_suspended",
      [EW_CP_REVOKED] = "cert_revoked",
      [EW_CP_EXPIRED] = "cert_expired",
      [EW_CP_NOT_YET_VALID] = "cert_not_yet_valid",
      [EW_CP_OTHER_AGENCY] = "cert_other_agency"};
  return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "?";
}

int ew_cert_scope_init(const ew_rule_ctx *ctx, ew_cert_scope *sc,
                       ew_findings *out) {
  const char **v;
  size_t n = 0, cap = 1;
  const ew_plan *joint = NULL;
  sc->agencies = NULL;
  sc->n = 0;
  if (ctx->rec->kind == EW_REC_INSPECTION &&
      ctx->rec->u.inspection.joint_plan_id) {
    const ew_record *p;
    if (ew_store_ref_get(ctx->store, EW_REC_PLAN,
                         ctx->rec->u.inspection.joint_plan_id, &p) < 0)
      return -1;
    if (p && p->u.plan.plan_type == EW_PLAN_JOINT_INSPECTION) {
      joint = &p->u.plan;
      cap += 1 + joint->participant_agency_usccs.n;
    }
  }
  v = ew_arena_alloc(ctx->arena, cap * sizeof *v);
  if (!v) {
    out->oom = 1; /* the engine fails the event; the scope is just empty */
    return 0;
  }
  if (ctx->agency_uscc)
    v[n++] = ctx->agency_uscc;
  if (joint) {
    if (joint->agency_uscc)
      v[n++] = joint->agency_uscc;
    for (size_t i = 0; i < joint->participant_agency_usccs.n; i++)
      if (joint->participant_agency_usccs.v[i])
        v[n++] = joint->participant_agency_usccs.v[i];
  }
  sc->agencies = v;
  sc->n = n;
  return 0;
}

int ew_cert_check(const ew_rule_ctx *ctx, const ew_cert_scope *sc,
                  const ew_officer *o, ew_time at, ew_cert_problem *out) {
  const ew_record *r;
  if (!o->cert_no) {
    *out = EW_CP_MISSING;
    return 0;
  }
  if (ew_store_ref_get(ctx->store, EW_REC_CERTIFICATE, o->cert_no, &r) < 0)
    return -1;
  if (!r) {
    *out = EW_CP_NOT_FOUND;
    return 0;
  }
  const ew_certificate *c = &r->u.certificate;
  if (!c->officer_id || !o->officer_id ||
      strcmp(c->officer_id, o->officer_id) != 0)
    *out = EW_CP_OTHER_OFFICER;
  else if (c->status == EW_CERT_SUSPENDED)
    *out = EW_CP_SUSPENDED;
  else if (c->status == EW_CERT_REVOKED)
    *out = EW_CP_REVOKED;
  else if (c->status != EW_CERT_ACTIVE)
    *out = EW_CP_EXPIRED;
  else if (c->valid_to != EW_NONE && at > c->valid_to)
    *out = EW_CP_EXPIRED;
  else if (c->valid_from != EW_NONE && at < c->valid_from)
    *out = EW_CP_NOT_YET_VALID;
  else
    *out = EW_CP_OK;
  if (*out == EW_CP_OK && ctx->cfg->r06.require_same_agency) {
    int ok = 0;
    for (size_t i = 0; i < sc->n && !ok; i++)
      ok = c->agency_uscc && strcmp(sc->agencies[i], c->agency_uscc) == 0;
    if (!ok)
      *out = EW_CP_OTHER_AGENCY;
  }
  return 0;
}

/* 1 when the officer of listing i (which has an officer_id) appears in an
 * earlier listing: only the first listing of an officer starts a judgement. */
static int listed_before(const ew_officers *of, size_t i) {
  for (size_t j = 0; j < i; j++)
    if (of->v[j].officer_id &&
        strcmp(of->v[j].officer_id, of->v[i].officer_id) == 0)
      return 1;
  return 0;
}

/* Judges every listing of the officer first listed at of->v[first]: valid
 * when any listing presents a valid certificate, else the first listing's
 * problem. Listings after a valid one are looked at for cert_shown only, so
 * they cost no store lookup. */
static int judge_officer(const ew_rule_ctx *ctx, const ew_cert_scope *sc,
                         const ew_officers *of, size_t first,
                         ew_officer_cert *oc) {
  const char *id = of->v[first].officer_id;
  oc->officer_id = id;
  oc->problem = EW_CP_MISSING;
  oc->shown = 0;
  for (size_t j = first; j < of->n; j++) {
    ew_cert_problem p;
    if (!of->v[j].officer_id || strcmp(of->v[j].officer_id, id) != 0)
      continue;
    oc->shown |= of->v[j].cert_shown == 1;
    if (oc->problem == EW_CP_OK)
      continue;
    if (ew_cert_check(ctx, sc, &of->v[j], of->at, &p) < 0)
      return -1;
    if (j == first || p == EW_CP_OK)
      oc->problem = p;
  }
  return 0;
}

int ew_officer_certs_judge(const ew_rule_ctx *ctx, const ew_officers *of,
                           ew_officer_certs *res, ew_findings *out) {
  ew_cert_scope sc;
  res->v = NULL;
  res->n = res->certified = 0;
  if (ew_cert_scope_init(ctx, &sc, out) < 0)
    return -1;
  if (of->n && !(res->v = ew_arena_alloc(ctx->arena, of->n * sizeof *res->v))) {
    out->oom = 1;
    return 1;
  }
  for (size_t i = 0; i < of->n; i++) {
    if (!of->v[i].officer_id || listed_before(of, i))
      continue;
    ew_officer_cert *oc = &res->v[res->n++];
    if (judge_officer(ctx, &sc, of, i, oc) < 0)
      return -1;
    res->certified += oc->problem == EW_CP_OK;
  }
  return 0;
}

/* ---- decisions: shared judgements on a penalty ---- */

const char *ew_enumv_join(ew_arena *a, const ew_enum *e, ew_enumv v,
                          uint32_t mask) {
  size_t len = 1;
  for (size_t i = 0; i < v.n; i++)
    if (v.v[i] >= 0 && v.v[i] < 32 && (mask & (1u << v.v[i])))
      len += strlen(ew_sym(e, v.v[i])) + 1;
  char *s = ew_arena_alloc(a, len), *p = s;
  if (!s)
    return NULL;
  *p = '\0';
  for (size_t i = 0; i < v.n; i++) {
    if (v.v[i] < 0 || v.v[i] >= 32 || !(mask & (1u << v.v[i])))
      continue;
    /* A type listed twice is shown once. */
    int seen = 0;
    for (size_t j = 0; j < i && !seen; j++)
      seen = v.v[j] == v.v[i];
    if (seen)
      continue;
    const char *sym = ew_sym(e, v.v[i]);
    if (p != s)
      *p++ = ',';
    size_t n = strlen(sym);
    memcpy(p, sym, n + 1);
    p += n;
  }
  return s;
}

uint32_t ew_enumv_bits(ew_enumv v) {
  uint32_t bits = 0;
  for (size_t i = 0; i < v.n; i++)
    if (v.v[i] >= 0 && v.v[i] < 32)
      bits |= 1u << v.v[i];
  return bits;
}

const char *ew_penalty_type_zh(int type) {
  static const char *const zh[] = {
      [EW_PT_WARNING] = "警告",
      [EW_PT_CIRCULATED_CRITICISM] = "通报批评",
      [EW_PT_FINE] = "罚款",
      [EW_PT_CONFISCATE_GAINS] = "没收违法所得",
      [EW_PT_CONFISCATE_PROPERTY] = "没收非法财物",
      [EW_PT_SUSPEND_LICENSE] = "暂扣许可证件",
      [EW_PT_DOWNGRADE_QUALIFICATION] = "降低资质等级",
      [EW_PT_REVOKE_LICENSE] = "吊销许可证件",
      [EW_PT_RESTRICT_OPERATIONS] = "限制开展生产经营活动",
      [EW_PT_ORDER_SUSPEND_BUSINESS] = "责令停产停业",
      [EW_PT_ORDER_CLOSURE] = "责令关闭",
      [EW_PT_RESTRICT_EMPLOYMENT] = "限制从业"};
  return type >= 0 && (size_t)type < sizeof zh / sizeof zh[0] && zh[type]
             ? zh[type]
             : "?";
}

typedef struct bm_pick {
  const char *agency;
  const ew_benchmark *own, *general;
} bm_pick;

/* Keeps the first benchmark of the penalty's agency and the first general
 * one (records come in id order); stops at the agency's, which wins. */
static int bm_visit(void *ud, const ew_record *rec) {
  bm_pick *pk = ud;
  const ew_benchmark *b = &rec->u.benchmark;
  if (!b->agency_uscc || !*b->agency_uscc) {
    if (!pk->general)
      pk->general = b;
  } else if (pk->agency && strcmp(b->agency_uscc, pk->agency) == 0) {
    pk->own = b;
    return 1;
  }
  return 0;
}

int ew_penalty_benchmark_find(const ew_rule_ctx *ctx,
                              ew_penalty_benchmark *out) {
  const ew_penalty *p = &ctx->rec->u.penalty;
  memset(out, 0, sizeof *out);
  if (p->benchmark_id) {
    const ew_record *r;
    if (ew_store_ref_get(ctx->store, EW_REC_BENCHMARK, p->benchmark_id, &r) < 0)
      return -1;
    out->id = p->benchmark_id;
    out->source = "benchmark_id";
    if (r)
      out->bm = &r->u.benchmark;
    else
      out->not_on_file = 1;
    return 0;
  }
  if (!p->violation_code)
    return 0;
  /* Indexed by code: the cost is the number of benchmarks of this one
   * violation (agencies' refinements plus the general one), not of all. */
  bm_pick pk = {p->agency_uscc, NULL, NULL};
  if (ew_store_ref_by_code(ctx->store, EW_REC_BENCHMARK, p->violation_code,
                           bm_visit, &pk) < 0)
    return -1;
  if (pk.own) {
    out->bm = pk.own;
    out->source = "agency";
  } else if (pk.general) {
    out->bm = pk.general;
    out->source = "general";
  }
  if (out->bm)
    out->id = out->bm->benchmark_id;
  return 0;
}

int ew_penalty_hearing(const ew_rule_ctx *ctx, const ew_penalty_benchmark *pb,
                       ew_hearing *out) {
  const ew_penalty *p = &ctx->rec->u.penalty;
  ew_penalty_benchmark own;
  memset(out, 0, sizeof *out);
  if (!pb) {
    if (ew_penalty_benchmark_find(ctx, &own) < 0)
      return -1;
    pb = &own;
  }
  out->types = ew_enumv_bits(p->penalty_types) & ctx->cfg->r11.hearing_types;
  if (pb->bm && pb->bm->hearing_threshold_fen != EW_NONE) {
    out->threshold_fen = pb->bm->hearing_threshold_fen;
    out->threshold_of = "benchmark";
  } else {
    out->threshold_fen = ctx->cfg->r11.hearing_threshold_fen;
    out->threshold_of = "config";
  }
  /* Amounts of zero never make a case 较大数额, whatever the threshold. */
  int64_t t = out->threshold_fen;
  out->by_amount = (p->fine_fen > 0 && p->fine_fen >= t) ||
                   (p->confiscated_fen > 0 && p->confiscated_fen >= t);
  out->eligible = out->types != 0 || out->by_amount;
  return 0;
}

ew_review_problem ew_penalty_review(const ew_penalty *p) {
  if (!p->legal_review_id || !*p->legal_review_id)
    return EW_RV_NONE;
  if (p->legal_review_passed != 1)
    return EW_RV_NOT_PASSED;
  if (p->legal_review_at == EW_NONE)
    return EW_RV_TIME_MISSING;
  if (p->decided_at != EW_NONE && p->legal_review_at >= p->decided_at)
    return EW_RV_AFTER;
  return EW_RV_OK;
}

const char *ew_review_problem_name(ew_review_problem r) {
  static const char *const names[] = {[EW_RV_OK] = "ok",
                                      [EW_RV_NONE] = "no_review",
                                      [EW_RV_NOT_PASSED] = "not_passed",
                                      [EW_RV_TIME_MISSING] =
                                          "review_time_missing",
                                      [EW_RV_AFTER] = "review_after_decision"};
  return (unsigned)r < sizeof names / sizeof names[0] ? names[r] : "?";
}
