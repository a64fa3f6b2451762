/*
 * fixtures.h - small constructors of contract records for unit tests.
 *
 * Records are built in C, not parsed from JSON, so that the engine and
 * store tests do not depend on the codecs. Every constructor starts from
 * ew_rtype_init (the contract defaults) and fills what a typical valid
 * record has; tests then change the one field they are about. Strings and
 * arrays live in the arena passed in.
 */
#ifndef EW_TEST_FIXTURES_H
#define EW_TEST_FIXTURES_H

#include <stdarg.h>
#include <string.h>

#include "arena.h"
#include "ewtime.h"
#include "record.h"

/* Valid GB 32100 codes (check characters computed, see test_uscc). */
#define FX_AG1 "11622900MB1234567G" /* 临夏州市场监督管理局, 622900 */
#define FX_AG2 "11622901MB0000011B" /* another agency, 622901 */
#define FX_AG3 "11622900MB7654321D" /* a joint-plan participant */
#define FX_JB "11622900MB0000099X"  /* justice bureau */
#define FX_ENT "91622901MA7ABCDEFL"
#define FX_ENT2 "91622921MA70001238"
/* A standing approval of FX_AG1 for any enterprise (R03). */
#define FX_APPROVAL "AP-FX-1"

/* 2025-03-04 09:00 Asia/Shanghai plus `h` hours. */
static inline ew_time fx_t(int h) {
  return ew_time_from_civil(2025, 3, 4) + (9LL + h) * 3600 * 1000;
}
static inline ew_time fx_day(int y, int m, int d) {
  return ew_time_from_civil(y, m, d);
}

static inline ew_strv fx_strv(ew_arena *a, size_t n, ...) {
  ew_strv v = {NULL, 0};
  if (!n)
    return v;
  v.v = ew_arena_calloc(a, n, sizeof *v.v);
  va_list ap;
  va_start(ap, n);
  for (size_t i = 0; i < n; i++)
    v.v[i] = ew_arena_strdup(a, va_arg(ap, const char *));
  va_end(ap);
  v.n = n;
  return v;
}

static inline ew_record fx_agency(ew_arena *a, const char *uscc,
                                  const char *name, const char *region) {
  ew_record r;
  r.kind = EW_REC_AGENCY;
  ew_rtype_init(ew_rtype_of(r.kind), &r.u);
  r.u.agency.agency_uscc = ew_arena_strdup(a, uscc);
  r.u.agency.name = ew_arena_strdup(a, name);
  r.u.agency.region_code = ew_arena_strdup(a, region);
  r.u.agency.level = EW_LVL_PREFECTURE;
  r.u.agency.justice_bureau_uscc = ew_arena_strdup(a, FX_JB);
  return r;
}

/* An ACTIVE certificate valid through 2024..2026. */
static inline ew_record fx_cert(ew_arena *a, const char *cert_no,
                                const char *officer_id, const char *agency) {
  ew_record r;
  r.kind = EW_REC_CERTIFICATE;
  ew_rtype_init(ew_rtype_of(r.kind), &r.u);
  r.u.certificate.cert_no = ew_arena_strdup(a, cert_no);
  r.u.certificate.officer_id = ew_arena_strdup(a, officer_id);
  r.u.certificate.agency_uscc = ew_arena_strdup(a, agency);
  r.u.certificate.valid_from = fx_day(2024, 1, 1);
  r.u.certificate.valid_to = fx_day(2026, 12, 31);
  r.u.certificate.status = EW_CERT_ACTIVE;
  return r;
}

/* A FILED annual plan for 2025 with no items yet. */
static inline ew_record fx_plan(ew_arena *a, const char *plan_id,
                                const char *agency) {
  ew_record r;
  r.kind = EW_REC_PLAN;
  ew_rtype_init(ew_rtype_of(r.kind), &r.u);
  r.u.plan.plan_id = ew_arena_strdup(a, plan_id);
  r.u.plan.agency_uscc = ew_arena_strdup(a, agency);
  r.u.plan.year = 2025;
  r.u.plan.plan_type = EW_PLAN_ANNUAL_INSPECTION;
  r.u.plan.status = EW_PST_FILED;
  r.u.plan.filed_at = fx_day(2025, 1, 10);
  return r;
}

/* Appends an item for `code` targeting everyone, window [ws, we]. Items
 * are kept in a fixed arena block of 8 so that appending needs no realloc.
 */
static inline ew_plan_item *fx_plan_item(ew_arena *a, ew_plan *p,
                                         const char *item_id, const char *code,
                                         ew_time ws, ew_time we) {
  if (!p->items.v)
    p->items.v = ew_arena_calloc(a, 8, sizeof *p->items.v);
  ew_plan_item *it = &p->items.v[p->items.n++];
  const ew_rtype *pt = ew_rtype_of(EW_REC_PLAN);
  for (size_t i = 0; i < pt->nfields; i++)
    if (strcmp(pt->fields[i].name, "items") == 0)
      ew_rtype_init(pt->fields[i].sub, it);
  it->item_id = ew_arena_strdup(a, item_id);
  it->check_item_code = ew_arena_strdup(a, code);
  it->window_start = ws;
  it->window_end = we;
  return it;
}

static inline ew_record fx_random_task(ew_arena *a, const char *task_id,
                                       const char *agency, const char *code) {
  ew_record r;
  r.kind = EW_REC_RANDOM_TASK;
  ew_rtype_init(ew_rtype_of(r.kind), &r.u);
  r.u.random_task.task_id = ew_arena_strdup(a, task_id);
  r.u.random_task.agency_uscc = ew_arena_strdup(a, agency);
  r.u.random_task.check_item_code = ew_arena_strdup(a, code);
  r.u.random_task.drawn_at = fx_day(2025, 2, 1);
  r.u.random_task.enterprises = fx_strv(a, 1, FX_ENT);
  return r;
}

/* A STARTED on-site ANNUAL_PLAN inspection by FX_AG1 of FX_ENT at fx_t(0),
 * check item C13-01, no officers yet. Approved the day before under
 * FX_APPROVAL (R03; engine_harness.h files that approval), recorded on
 * video with one recording (R08b), with its written record (R08c, which
 * looks at ENDED snapshots). */
static inline ew_record fx_inspection(ew_arena *a, const char *event_id,
                                      const char *inspection_id,
                                      ew_time event_time) {
  ew_record r;
  r.kind = EW_REC_INSPECTION;
  ew_rtype_init(ew_rtype_of(r.kind), &r.u);
  ew_inspection *in = &r.u.inspection;
  in->event_id = ew_arena_strdup(a, event_id);
  in->event_time = event_time;
  in->inspection_id = ew_arena_strdup(a, inspection_id);
  in->status = EW_INSP_STARTED;
  in->agency_uscc = ew_arena_strdup(a, FX_AG1);
  in->enterprise_uscc = ew_arena_strdup(a, FX_ENT);
  in->enterprise_region_code = ew_arena_strdup(a, "622901");
  in->industry_code = ew_arena_strdup(a, "C1311");
  in->check_class = EW_CLASS_ROUTINE;
  in->trigger_type = EW_TRIG_ANNUAL_PLAN;
  in->check_items = fx_strv(a, 1, "C13-01");
  in->mode = EW_MODE_ON_SITE;
  in->started_at = fx_t(0);
  in->approval_id = ew_arena_strdup(a, FX_APPROVAL);
  in->approved_at = fx_t(-24);
  in->av_coverage = EW_AV_FULL;
  in->av_record_ids = fx_strv(a, 1, "AV-FX-1");
  in->written_record_id = ew_arena_strdup(a, "WR-FX-1");
  return r;
}

/* A GENERAL penalty by FX_AG1 on FX_ENT decided at fx_t(0), its parties
 * told of their rights (行政处罚法第44条, R11) a week before. */
static inline ew_record fx_penalty(ew_arena *a, const char *event_id,
                                   const char *decision_no,
                                   ew_time event_time) {
  ew_record r;
  r.kind = EW_REC_PENALTY;
  ew_rtype_init(ew_rtype_of(r.kind), &r.u);
  ew_penalty *p = &r.u.penalty;
  p->event_id = ew_arena_strdup(a, event_id);
  p->event_time = event_time;
  p->decision_no = ew_arena_strdup(a, decision_no);
  p->agency_uscc = ew_arena_strdup(a, FX_AG1);
  p->enterprise_uscc = ew_arena_strdup(a, FX_ENT);
  p->enterprise_region_code = ew_arena_strdup(a, "622901");
  p->decided_at = fx_t(0);
  p->notice_of_rights_at = fx_t(-7 * 24);
  p->violation_code = ew_arena_strdup(a, "V-001");
  return r;
}

/* Appends an officer; officers are kept in a fixed block of 8. The
 * inspection and penalty officer vectors have the same layout, so both go
 * through this one helper. */
#define fx_officer(a, rec_officers, id, cert, shown)                           \
  do {                                                                         \
    if (!(rec_officers).v)                                                     \
      (rec_officers).v = ew_arena_calloc((a), 8, sizeof *(rec_officers).v);    \
    ew_officer *o_ = &(rec_officers).v[(rec_officers).n++];                    \
    o_->officer_id = ew_arena_strdup((a), (id));                               \
    o_->cert_no = (cert) ? ew_arena_strdup((a), (cert)) : NULL;                \
    o_->cert_shown = (int8_t)(shown);                                          \
  } while (0)

/* An approval of `agency` given at `approved_at`, for no particular
 * enterprise or inspection and without expiry (R03). */
static inline ew_record fx_approval(ew_arena *a, const char *approval_id,
                                    const char *agency, ew_time approved_at) {
  ew_record r;
  r.kind = EW_REC_APPROVAL;
  ew_rtype_init(ew_rtype_of(r.kind), &r.u);
  r.u.approval.approval_id = ew_arena_strdup(a, approval_id);
  r.u.approval.agency_uscc = ew_arena_strdup(a, agency);
  r.u.approval.approved_at = approved_at;
  return r;
}

#endif /* EW_TEST_FIXTURES_H */
