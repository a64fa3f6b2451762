/*
 * stats.c - the stats stream (see stats.h).
 *
 * Metrics, per agency and period (the README lists them for analysts):
 *
 *   inspection, agency_uscc, at started_at (PLANNED without a start and
 *   CANCELLED inspections count nothing):
 *     inspections_total, inspections_trigger_<TriggerType>,
 *     inspections_planned (plan_id or random_task_id), inspections_exempt
 *     (else a trigger R02 exempts), inspections_unplanned (neither),
 *     inspections_joint (joint_plan_id), enterprises_inspected (distinct),
 *     inspections_repeat (total - distinct enterprises),
 *     plan_item_executed:<plan_id>/<item_id> (distinct enterprises)
 *   plan (FILED or AMENDED), its agency, at each item's window_end:
 *     plan_item_planned:<plan_id>/<item_id> = the item's target_usccs
 *   penalty, agency_uscc, at decided_at (withdrawn ones count nothing):
 *     penalties_total, penalties_fine (FINE among its types), fines_fen,
 *     confiscated_fen
 *   complaint, handling_agency_uscc, at received_at:
 *     complaints_total, complaints_channel_<Channel>,
 *     complaints_category_<Category>, complaints_concluded,
 *     complaints_on_time (concluded, and no R20a/R20b "conclude" alert
 *     open on it), complaints_substantiated (SUBSTANTIATED or
 *     PARTLY_SUBSTANTIATED), complaints_referred (an R21b alert open)
 *   alert, its agency_uscc, at detected_at, while OPEN:
 *     alerts_<rule_id>, alerts_total
 *
 * A contribution is stored as text, one part per line:
 *   "c\t<agency>\t<time>\t<metric>\t<count>" or
 *   "m\t<agency>\t<time>\t<metric>\t<member>" (a member of a distinct count).
 * Ids with a tab, a newline or 0x1f (the cells' key separator) have it
 * replaced by a space (ids come from the
 * feeds; the contract's ids never hold one).
 */
#include "stats.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "arena.h"
#include "ewtime.h"

/* A part of a contribution, after parsing or while building. */
typedef struct part {
  char kind; /* 'c' count, 'm' member */
  const char *agency;
  ew_time t;
  const char *metric;
  int64_t n;          /* 'c': the count; 'm': +1 / -1 once merged */
  const char *member; /* 'm' */
} part;

typedef struct partv {
  part *v;
  size_t n, cap;
} partv;

/* A value (or the count behind a member of a distinct count) read or
 * changed since the last flush. The transaction's changes live here and
 * reach the store once, at the flush before its commit: an event touches
 * ~30 values and a batch the same few hundred again and again, so writing
 * each change through cost more than the rules (issue 7's profile). */
typedef struct cell {
  char *key;     /* agency 0x1f period 0x1f metric [0x1f member] */
  int64_t value; /* now */
  int64_t orig;  /* in the store; 0 when absent */
  ew_time as_of;
  unsigned char existed, touched;
} cell;

typedef struct cell_map {
  cell *v;
  size_t n, cap; /* cap: 0 or a power of two; n <= cap / 2 */
} cell_map;

struct ew_stats_acc {
  ew_store *store;
  const ew_rules_config *cfg;
  ew_arena arena; /* per call */
  partv old, now;
  cell_map values, members;
  uint64_t gen; /* ew_store_generation the cells belong to */
  char *kbuf;   /* the key being looked up */
  size_t kcap;
  char errmsg[512];
};

static int st_fail(ew_stats_acc *st, const char *what) {
  snprintf(st->errmsg, sizeof st->errmsg, "stats: %s: %s", what,
           ew_store_errmsg(st->store));
  return -1;
}

static int oom(ew_stats_acc *st) {
  snprintf(st->errmsg, sizeof st->errmsg, "stats: out of memory");
  return -1;
}

const char *ew_stats_errmsg(const ew_stats_acc *st) {
  return st->errmsg;
}

int ew_stats_new(ew_stats_acc **out, ew_store *store,
                 const ew_rules_config *cfg) {
  ew_stats_acc *st = calloc(1, sizeof *st);
  *out = NULL;
  if (!st)
    return -1;
  st->store = store;
  st->cfg = cfg;
  st->gen = ew_store_generation(store);
  *out = st;
  return 0;
}

static void map_clear(cell_map *m) {
  for (size_t i = 0; i < m->cap && m->n; i++)
    if (m->v[i].key) {
      free(m->v[i].key);
      m->v[i].key = NULL;
      m->n--;
    }
  /* After one huge batch, later ones should not walk its table. */
  if (m->cap > 4096) {
    free(m->v);
    m->v = NULL;
    m->cap = 0;
  }
}

void ew_stats_destroy(ew_stats_acc *st) {
  if (!st)
    return;
  map_clear(&st->values);
  map_clear(&st->members);
  free(st->values.v);
  free(st->members.v);
  free(st->kbuf);
  free(st->old.v);
  free(st->now.v);
  ew_arena_free(&st->arena);
  free(st);
}

void ew_stats_periods(ew_time t, char month[8], char quarter[8], char half[8]) {
  char date[16];
  ew_time_date(t, date);
  int m = (date[5] - '0') * 10 + (date[6] - '0');
  /* ew_time_date writes exactly YYYY-MM-DD, so m is 1..12. */
  memcpy(month, date, 7);
  month[7] = '\0';
  memcpy(quarter, date, 5);
  quarter[5] = 'Q';
  quarter[6] = (char)('1' + (m - 1) / 3);
  quarter[7] = '\0';
  memcpy(half, date, 5);
  half[5] = 'H';
  half[6] = m <= 6 ? '1' : '2';
  half[7] = '\0';
}

/* ---- cells ---- */

static uint64_t hash_str(const char *s) {
  return ew_fnv1a64(EW_FNV1A64_INIT, s, strlen(s));
}

/* A rollback took back what the cells hold: forget them. */
static void cells_sync(ew_stats_acc *st) {
  if (st->gen == ew_store_generation(st->store))
    return;
  map_clear(&st->values);
  map_clear(&st->members);
  st->gen = ew_store_generation(st->store);
}

static int map_grow(cell_map *m) {
  size_t cap = m->cap ? 2 * m->cap : 256;
  cell *grown = calloc(cap, sizeof *grown);
  if (!grown)
    return -1;
  for (size_t i = 0; i < m->cap; i++) {
    if (!m->v[i].key)
      continue;
    size_t j = hash_str(m->v[i].key) & (cap - 1);
    while (grown[j].key)
      j = (j + 1) & (cap - 1);
    grown[j] = m->v[i];
  }
  free(m->v);
  m->v = grown;
  m->cap = cap;
  return 0;
}

/* The key of a cell in st->kbuf: agency, period, metric and member (NULL
 * for a value) joined by 0x1f. */
static const char *make_key(ew_stats_acc *st, const char *agency,
                            const char *period, const char *metric,
                            const char *member) {
  size_t la = strlen(agency), lp = strlen(period), lm = strlen(metric);
  size_t lb = member ? strlen(member) + 1 : 0;
  size_t need = la + lp + lm + lb + 3;
  if (need > st->kcap) {
    char *k = realloc(st->kbuf, need);
    if (!k)
      return NULL;
    st->kbuf = k;
    st->kcap = need;
  }
  char *w = st->kbuf;
  memcpy(w, agency, la);
  w += la;
  *w++ = '\x1f';
  memcpy(w, period, lp);
  w += lp;
  *w++ = '\x1f';
  memcpy(w, metric, lm);
  w += lm;
  if (member) {
    *w++ = '\x1f';
    memcpy(w, member, lb - 1);
    w += lb - 1;
  }
  *w = '\0';
  return st->kbuf;
}

/* The cell of a value (member NULL) or of a member's count, read from the
 * store the first time the transaction asks. NULL: see errmsg. */
static cell *cell_get(ew_stats_acc *st, const char *agency, const char *period,
                      const char *metric, const char *member) {
  cells_sync(st);
  cell_map *m = member ? &st->members : &st->values;
  const char *key = make_key(st, agency, period, metric, member);
  if (!key) {
    oom(st);
    return NULL;
  }
  if (2 * (m->n + 1) > m->cap && map_grow(m) != 0) {
    oom(st);
    return NULL;
  }
  size_t i = hash_str(key) & (m->cap - 1);
  for (; m->v[i].key; i = (i + 1) & (m->cap - 1))
    if (strcmp(m->v[i].key, key) == 0)
      return &m->v[i];
  int64_t v = 0;
  ew_time as_of = EW_NONE;
  int found = 0;
  int rc = member ? ew_store_stats_member_get(st->store, agency, period, metric,
                                              member, &v, &found)
                  : ew_store_stats_get(st->store, agency, period, metric, &v,
                                       &as_of, &found);
  if (rc < 0) {
    st_fail(st, member ? "member" : "value");
    return NULL;
  }
  char *k = strdup(key);
  if (!k) {
    oom(st);
    return NULL;
  }
  m->v[i] = (cell){k, v, v, as_of, (unsigned char)found, 0};
  m->n++;
  return &m->v[i];
}

/* Adds `delta` to one value of one period. */
static int value_add(ew_stats_acc *st, const char *agency, const char *period,
                     const char *metric, int64_t delta, ew_time as_of) {
  cell *c = cell_get(st, agency, period, metric, NULL);
  if (!c)
    return -1;
  c->value += delta;
  c->as_of = as_of;
  c->touched = 1;
  return 0;
}

/* ---- parts ---- */

static int push(ew_stats_acc *st, partv *pv, part p) {
  if (pv->n == pv->cap) {
    size_t cap = pv->cap ? 2 * pv->cap : 32;
    part *grown = realloc(pv->v, cap * sizeof *grown);
    if (!grown)
      return oom(st);
    pv->v = grown;
    pv->cap = cap;
  }
  pv->v[pv->n++] = p;
  return 0;
}

static int count(ew_stats_acc *st, const char *agency, ew_time t,
                 const char *metric, int64_t n) {
  if (!agency || t == EW_NONE || n == 0)
    return 0;
  return push(st, &st->now, (part){'c', agency, t, metric, n, NULL});
}

static int member(ew_stats_acc *st, const char *agency, ew_time t,
                  const char *metric, const char *m) {
  if (!agency || t == EW_NONE || !m)
    return 0;
  return push(st, &st->now, (part){'m', agency, t, metric, 1, m});
}

static const char *metric2(ew_stats_acc *st, const char *prefix,
                           const char *name) {
  return ew_arena_printf(&st->arena, "%s%s", prefix, name ? name : "UNKNOWN");
}

/* Copies s into the arena with tabs and newlines made spaces. */
static const char *clean(ew_stats_acc *st, const char *s) {
  if (!s || !strpbrk(s, "\t\n\x1f"))
    return s;
  char *c = ew_arena_strdup(&st->arena, s);
  for (char *p = c; p && *p; p++)
    if (*p == '\t' || *p == '\n' || *p == '\x1f')
      *p = ' ';
  return c;
}

static char *encode(ew_stats_acc *st, const partv *pv) {
  size_t len = 1;
  for (size_t i = 0; i < pv->n; i++)
    len += strlen(pv->v[i].agency) + strlen(pv->v[i].metric) +
           (pv->v[i].member ? strlen(pv->v[i].member) : 0) + 48;
  char *out = ew_arena_alloc(&st->arena, len), *w = out;
  if (!out)
    return NULL;
  *w = '\0';
  for (size_t i = 0; i < pv->n; i++) {
    const part *p = &pv->v[i];
    int k;
    if (p->kind == 'm')
      k = snprintf(w, len, "m\t%s\t%" PRId64 "\t%s\t%s\n", p->agency, p->t,
                   p->metric, p->member);
    else
      k = snprintf(w, len, "c\t%s\t%" PRId64 "\t%s\t%" PRId64 "\n", p->agency,
                   p->t, p->metric, p->n);
    w += k;
    len -= (size_t)k;
  }
  return out;
}

/* Parses `text` (modified in place) into st->old. */
static int decode(ew_stats_acc *st, char *text) {
  st->old.n = 0;
  for (char *line = text; line && *line;) {
    char *end = strchr(line, '\n');
    if (end)
      *end = '\0';
    char *f[5] = {0};
    char *s = line;
    for (int i = 0; i < 5 && s; i++) {
      f[i] = s;
      s = i < 4 ? strchr(s, '\t') : NULL;
      if (s)
        *s++ = '\0';
    }
    if (!f[4] || (f[0][0] != 'c' && f[0][0] != 'm')) {
      snprintf(st->errmsg, sizeof st->errmsg, "stats: corrupt contribution");
      return -1;
    }
    part p = {f[0][0], f[1], strtoll(f[2], NULL, 10), f[3], 1, NULL};
    if (p.kind == 'c')
      p.n = strtoll(f[4], NULL, 10);
    else
      p.member = f[4];
    if (push(st, &st->old, p) != 0)
      return -1;
    line = end ? end + 1 : NULL;
  }
  return 0;
}

/* Adds `delta` to the value of one metric in the three periods of t. */
static int add_value(ew_stats_acc *st, const char *agency, ew_time t,
                     const char *metric, int64_t delta, ew_time as_of) {
  char p[3][8];
  ew_stats_periods(t, p[0], p[1], p[2]);
  for (int i = 0; i < 3; i++)
    if (value_add(st, agency, p[i], metric, delta, as_of) != 0)
      return -1;
  return 0;
}

/* inspections_repeat follows its two inputs. */
static int update_repeat(ew_stats_acc *st, const char *agency,
                         const char *period, ew_time as_of) {
  cell *c = cell_get(st, agency, period, "inspections_total", NULL);
  int64_t total = c ? c->value : 0;
  c = c ? cell_get(st, agency, period, "enterprises_inspected", NULL) : NULL;
  int64_t ents = c ? c->value : 0;
  c = c ? cell_get(st, agency, period, "inspections_repeat", NULL) : NULL;
  if (!c)
    return -1;
  if (total - ents == c->value)
    return 0;
  c->value = total - ents;
  c->as_of = as_of;
  c->touched = 1;
  return 0;
}

static int add_member(ew_stats_acc *st, const part *p, int64_t delta,
                      ew_time as_of) {
  char per[3][8];
  ew_stats_periods(p->t, per[0], per[1], per[2]);
  for (int i = 0; i < 3; i++) {
    cell *c = cell_get(st, p->agency, per[i], p->metric, p->member);
    if (!c)
      return -1;
    int64_t before = c->value;
    c->value += delta;
    c->touched = 1;
    /* The distinct count carries the name of its member set. */
    int64_t change = (c->value > 0) - (before > 0);
    if (change && value_add(st, p->agency, per[i], p->metric, change, as_of))
      return -1;
  }
  return 0;
}

static int same_key(const part *a, const part *b) {
  return a->kind == b->kind && a->t == b->t &&
         strcmp(a->agency, b->agency) == 0 &&
         strcmp(a->metric, b->metric) == 0 &&
         (a->kind == 'c' || strcmp(a->member, b->member) == 0);
}

static int cmp_key(const void *a, const void *b) {
  const part *x = a, *y = b;
  int c = (x->kind > y->kind) - (x->kind < y->kind);
  if (!c)
    c = (x->t > y->t) - (x->t < y->t);
  if (!c)
    c = strcmp(x->agency, y->agency);
  if (!c)
    c = strcmp(x->metric, y->metric);
  if (!c && x->kind == 'm')
    c = strcmp(x->member, y->member);
  return c;
}

/* Replaces the stored contribution of `subject` with st->now. */
static int replace(ew_stats_acc *st, const char *subject, ew_time as_of) {
  char *text = NULL;
  if (ew_store_stats_contrib_get(st->store, subject, &st->arena, &text) < 0)
    return st_fail(st, "contribution");
  char *now_text = encode(st, &st->now);
  if (!now_text)
    return oom(st);
  if (text ? strcmp(text, now_text) == 0 : !*now_text)
    return 0; /* nothing this subject adds has changed */
  if (decode(st, text ? text : "") != 0)
    return -1;
  /* Net change per key: the old parts count negative. */
  for (size_t i = 0; i < st->old.n; i++)
    st->old.v[i].n = -st->old.v[i].n;
  for (size_t i = 0; i < st->now.n; i++)
    if (push(st, &st->old, st->now.v[i]) != 0)
      return -1;
  partv *all = &st->old;
  int repeat_touched = 0;
  /* Sorted, equal keys are neighbours: a plan of many items merges in
   * n log n, not n^2 (the review measured 14 s for 32,000 items). */
  qsort(all->v, all->n, sizeof *all->v, cmp_key);
  for (size_t i = 0; i < all->n;) {
    part *p = &all->v[i];
    int64_t delta = 0;
    size_t j = i;
    for (; j < all->n && same_key(p, &all->v[j]); j++)
      delta += all->v[j].n;
    i = j;
    if (!delta)
      continue;
    if (p->kind == 'c'
            ? add_value(st, p->agency, p->t, p->metric, delta, as_of) != 0
            : add_member(st, p, delta, as_of) != 0)
      return -1;
    if (strcmp(p->metric, "inspections_total") == 0 ||
        strcmp(p->metric, "enterprises_inspected") == 0)
      repeat_touched = 1;
  }
  if (repeat_touched)
    for (size_t i = 0; i < all->n; i++) {
      const part *p = &all->v[i];
      if (strcmp(p->metric, "inspections_total") != 0)
        continue;
      char per[3][8];
      ew_stats_periods(p->t, per[0], per[1], per[2]);
      for (int k = 0; k < 3; k++)
        if (update_repeat(st, p->agency, per[k], as_of) != 0)
          return -1;
    }
  if (ew_store_stats_contrib_put(st->store, subject, now_text) < 0)
    return st_fail(st, "contribution");
  return 0;
}

/* ---- contributions ---- */

static int inspection_parts(ew_stats_acc *st, const ew_inspection *in) {
  if (in->status == EW_INSP_CANCELLED || in->started_at == EW_NONE)
    return 0;
  const char *ag = clean(st, in->agency_uscc);
  ew_time t = in->started_at;
  int planned = in->plan_id || in->random_task_id;
  int exempt = !planned && in->trigger_type >= 0 &&
               (st->cfg->r02.exempt_triggers & (1u << in->trigger_type));
  if (count(st, ag, t, "inspections_total", 1) != 0 ||
      (in->trigger_type >= 0 &&
       count(st, ag, t,
             metric2(st, "inspections_trigger_",
                     ew_enum_name(&ew_enum_trigger_type, in->trigger_type)),
             1) != 0) ||
      count(st, ag, t,
            planned  ? "inspections_planned"
            : exempt ? "inspections_exempt"
                     : "inspections_unplanned",
            1) != 0 ||
      (in->joint_plan_id && count(st, ag, t, "inspections_joint", 1) != 0) ||
      member(st, ag, t, "enterprises_inspected",
             clean(st, in->enterprise_uscc)) != 0)
    return -1;
  if (in->plan_id && in->plan_item_id) {
    const char *m =
        ew_arena_printf(&st->arena, "plan_item_executed:%s/%s",
                        clean(st, in->plan_id), clean(st, in->plan_item_id));
    if (!m || member(st, ag, t, m, clean(st, in->enterprise_uscc)) != 0)
      return -1;
  }
  return 0;
}

static int penalty_parts(ew_stats_acc *st, const ew_penalty *p) {
  if (p->decided_at == EW_NONE || p->withdrawn_at != EW_NONE)
    return 0;
  const char *ag = clean(st, p->agency_uscc);
  ew_time t = p->decided_at;
  int fine = 0;
  for (size_t i = 0; i < p->penalty_types.n; i++)
    fine |= p->penalty_types.v[i] == EW_PT_FINE;
  return count(st, ag, t, "penalties_total", 1) != 0 ||
                 count(st, ag, t, "penalties_fine", fine) != 0 ||
                 count(st, ag, t, "fines_fen", p->fine_fen) != 0 ||
                 count(st, ag, t, "confiscated_fen", p->confiscated_fen) != 0
             ? -1
             : 0;
}

typedef struct complaint_alerts {
  char conclude_a[EW_ALERT_ID_BUFSZ], conclude_b[EW_ALERT_ID_BUFSZ];
  int overdue, referred;
} complaint_alerts;

static int visit_complaint_alert(void *ud, const ew_alert_state *s) {
  complaint_alerts *ca = ud;
  if (strcmp(s->alert_id, ca->conclude_a) == 0 ||
      strcmp(s->alert_id, ca->conclude_b) == 0)
    ca->overdue = 1;
  if (s->rule_id && strcmp(s->rule_id, "R21b") == 0)
    ca->referred = 1;
  return 0;
}

static int complaint_parts(ew_stats_acc *st, const ew_complaint *c) {
  const char *ag = clean(st, c->handling_agency_uscc);
  ew_time t = c->received_at;
  if (!ag || t == EW_NONE)
    return 0;
  int concluded = c->status == EW_CST_CONCLUDED || c->concluded_at != EW_NONE;
  complaint_alerts ca = {{0}, {0}, 0, 0};
  ew_alert_id_format(ca.conclude_a, "R20a", EW_SUBJ_COMPLAINT, c->complaint_id,
                     "conclude");
  ew_alert_id_format(ca.conclude_b, "R20b", EW_SUBJ_COMPLAINT, c->complaint_id,
                     "conclude");
  if (ew_store_alert_state_open(st->store, EW_SUBJ_COMPLAINT, c->complaint_id,
                                visit_complaint_alert, &ca) < 0)
    return st_fail(st, "complaint alerts");
  int substantiated = c->finding == EW_FIND_SUBSTANTIATED ||
                      c->finding == EW_FIND_PARTLY_SUBSTANTIATED;
  return count(st, ag, t, "complaints_total", 1) != 0 ||
                 (c->channel >= 0 &&
                  count(st, ag, t,
                        metric2(st, "complaints_channel_",
                                ew_enum_name(&ew_enum_channel, c->channel)),
                        1) != 0) ||
                 (c->category >= 0 &&
                  count(st, ag, t,
                        metric2(st, "complaints_category_",
                                ew_enum_name(&ew_enum_category, c->category)),
                        1) != 0) ||
                 count(st, ag, t, "complaints_concluded", concluded) != 0 ||
                 count(st, ag, t, "complaints_on_time",
                       concluded && !ca.overdue) != 0 ||
                 count(st, ag, t, "complaints_substantiated", substantiated) !=
                     0 ||
                 count(st, ag, t, "complaints_referred", ca.referred) != 0
             ? -1
             : 0;
}

static void begin(ew_stats_acc *st) {
  ew_arena_reset(&st->arena);
  st->now.n = 0;
}

int ew_stats_on_event(ew_stats_acc *st, const ew_record *rec, ew_time as_of) {
  const char *prefix;
  int rc;
  begin(st);
  switch (rec->kind) {
  case EW_REC_INSPECTION:
    prefix = "I:";
    rc = inspection_parts(st, &rec->u.inspection);
    break;
  case EW_REC_PENALTY:
    prefix = "P:";
    rc = penalty_parts(st, &rec->u.penalty);
    break;
  case EW_REC_COMPLAINT:
    prefix = "C:";
    rc = complaint_parts(st, &rec->u.complaint);
    break;
  default:
    return 0;
  }
  const char *subject =
      ew_arena_printf(&st->arena, "%s%s", prefix, ew_record_id(rec));
  if (rc != 0 || !subject)
    return rc != 0 ? -1 : oom(st);
  return replace(st, subject, as_of);
}

int ew_stats_on_plan(ew_stats_acc *st, const char *plan_id,
                     const ew_record *plan, ew_time as_of) {
  begin(st);
  if (plan && plan->kind == EW_REC_PLAN &&
      (plan->u.plan.status == EW_PST_FILED ||
       plan->u.plan.status == EW_PST_AMENDED)) {
    const ew_plan *pl = &plan->u.plan;
    for (size_t i = 0; i < pl->items.n; i++) {
      const ew_plan_item *it = &pl->items.v[i];
      const char *m =
          ew_arena_printf(&st->arena, "plan_item_planned:%s/%s",
                          clean(st, plan_id), clean(st, it->item_id));
      if (!m || count(st, clean(st, pl->agency_uscc), it->window_end, m,
                      (int64_t)it->target_usccs.n) != 0)
        return -1;
    }
  }
  const char *subject = ew_arena_printf(&st->arena, "L:%s", plan_id);
  return subject ? replace(st, subject, as_of) : oom(st);
}

int ew_stats_on_alert(ew_stats_acc *st, const ew_alert *a, ew_time as_of) {
  begin(st);
  if (a->status == EW_AST_OPEN && a->agency_uscc) {
    const char *ag = clean(st, a->agency_uscc);
    if (count(st, ag, a->detected_at, metric2(st, "alerts_", a->rule_id), 1) !=
            0 ||
        count(st, ag, a->detected_at, "alerts_total", 1) != 0)
      return -1;
  }
  const char *subject = ew_arena_printf(&st->arena, "A:%s", a->alert_id);
  return subject ? replace(st, subject, as_of) : oom(st);
}

/* Splits a copy of a cell's key (in st->kbuf) into its parts; f[3] is
 * NULL for a value. */
static int split_key(ew_stats_acc *st, const char *key, char *f[4]) {
  size_t need = strlen(key) + 1;
  if (need > st->kcap) {
    char *k = realloc(st->kbuf, need);
    if (!k)
      return oom(st);
    st->kbuf = k;
    st->kcap = need;
  }
  memcpy(st->kbuf, key, need);
  f[0] = st->kbuf;
  for (int i = 1; i < 4; i++) {
    char *sep = f[i - 1] ? strchr(f[i - 1], '\x1f') : NULL;
    f[i] = sep ? sep + 1 : NULL;
    if (sep)
      *sep = '\0';
  }
  return 0;
}

int ew_stats_flush(ew_stats_acc *st, ew_emit_fn emit, void *ud) {
  cells_sync(st);
  char *f[4];
  for (size_t i = 0; i < st->members.cap; i++) {
    const cell *c = &st->members.v[i];
    if (!c->key || c->value == c->orig)
      continue;
    if (split_key(st, c->key, f) != 0)
      return -1;
    if (ew_store_stats_member_put(st->store, f[0], f[1], f[2], f[3], c->value) <
        0)
      return st_fail(st, "member");
  }
  for (size_t i = 0; i < st->values.cap; i++) {
    const cell *c = &st->values.v[i];
    /* Created, even at 0, or changed: a value that went and came back
     * within the transaction is no news. */
    if (!c->key || !c->touched || (c->existed && c->value == c->orig))
      continue;
    if (split_key(st, c->key, f) != 0)
      return -1;
    if (ew_store_stats_put(st->store, f[0], f[1], f[2], c->value, c->as_of) < 0)
      return st_fail(st, "value");
    ew_record out;
    memset(&out, 0, sizeof out);
    out.kind = EW_REC_STATS;
    out.u.stats = (ew_stats){f[0], f[1], f[2], c->value, c->as_of};
    if (emit(ud, &out) < 0) {
      snprintf(st->errmsg, sizeof st->errmsg, "stats: emit refused");
      return -1;
    }
  }
  map_clear(&st->values);
  map_clear(&st->members);
  return 0;
}
