/*
 * rules.c - the rule table the engine walks, and helpers shared by rules
 * (certificate validity, and how an officer's listings are judged, are one
 * definition for R05 and R06).
 */
#include "rules.h"

#include <string.h>

const ew_rule_def ew_rule_table[] = {
    {"R02", offsetof(ew_rules_config, r02.c), ew_rule_r02},
    {"R05", offsetof(ew_rules_config, r05.c), ew_rule_r05},
    {"R06", offsetof(ew_rules_config, r06.c), ew_rule_r06},
    {"R25", offsetof(ew_rules_config, r25.c), ew_rule_r25},
};
const size_t ew_rule_table_count =
    sizeof ew_rule_table / sizeof ew_rule_table[0];

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
