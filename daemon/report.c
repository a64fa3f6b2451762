/*
 * report.c - the report model (see report.h), and its CSV and JSON forms.
 *
 * The model is read from the stats stream only, so that an analyst holding
 * the stream can rebuild every number: each count names the stats metric
 * it is, each derived number (ratios, flags, yuan) is a named derived row
 * of the CSV with its formula.
 */
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ewtime.h"

/* ---- periods ---- */

static int parse_digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 0;
}

int ew_period_parse(const char *s, ew_period *out) {
  ew_period p;
  memset(&p, 0, sizeof p);
  if (!s || strlen(s) != 7 || s[4] != '-' || parse_digits(s, 4, &p.year) ||
      p.year < 1970)
    return -1;
  if (s[5] == 'H' || s[5] == 'Q') {
    p.kind = s[5] == 'H' ? EW_PERIOD_HALF : EW_PERIOD_QUARTER;
    if (parse_digits(s + 6, 1, &p.n) || p.n < 1 ||
        p.n > (p.kind == EW_PERIOD_HALF ? 2 : 4))
      return -1;
  } else {
    p.kind = EW_PERIOD_MONTH;
    if (parse_digits(s + 5, 2, &p.n) || p.n < 1 || p.n > 12)
      return -1;
  }
  memcpy(p.name, s, 8);
  *out = p;
  return 0;
}

static void period_name(ew_period *p) {
  unsigned y = (unsigned)p->year % 10000u, n = (unsigned)p->n % 100u;
  if (p->kind == EW_PERIOD_MONTH)
    snprintf(p->name, sizeof p->name, "%04u-%02u", y, n);
  else
    snprintf(p->name, sizeof p->name, "%04u-%c%u", y,
             p->kind == EW_PERIOD_HALF ? 'H' : 'Q', n % 10u);
}

int ew_period_split(const ew_period *p, int kind, ew_period out[6]) {
  if (kind >= p->kind) {
    out[0] = *p;
    return 1;
  }
  /* Months per unit: a month 1, a quarter 3, a half 6. */
  static const int months[] = {1, 3, 6};
  int first = (p->n - 1) * months[p->kind] + 1; /* first month of p */
  int count = months[p->kind] / months[kind];
  for (int i = 0; i < count; i++) {
    out[i].kind = kind;
    out[i].year = p->year;
    out[i].n = (first - 1) / months[kind] + 1 + i;
    period_name(&out[i]);
  }
  return count;
}

/* ---- labels ---- */

typedef struct label {
  const char *sym, *text;
} label;

static const label trigger_labels[] = {
    {"ANNUAL_PLAN", "年度检查计划"},
    {"RANDOM_SAMPLING", "双随机抽查"},
    {"COMPLAINT", "投诉举报"},
    {"CASE_INVESTIGATION", "案件查处"},
    {"SUPERIOR_ASSIGNED", "上级交办"},
    {"NATIONAL_SECURITY", "国家安全"},
    {"PUBLIC_SAFETY", "公共安全"},
    {"WORK_SAFETY", "安全生产"},
    {"ECO_ENVIRONMENT", "生态环境"},
    {"ENTERPRISE_REQUEST", "企业申请"},
    {"LICENSING_VERIFICATION", "许可核查"},
    {"DATA_MONITORING", "数据监测"},
};
static const label channel_labels[] = {
    {"HOTLINE_12345", "12345热线"},
    {"HOTLINE_12315", "12315热线"},
    {"PHONE", "电话"},
    {"LETTER", "来信"},
    {"VISIT", "来访"},
    {"WEB", "网络"},
    {"SPECIAL_SUPERVISOR", "特邀监督员"},
    {"TRANSFER", "转办"},
};
static const label category_labels[] = {
    {"NO_CERTIFICATE", "未亮证/无证执法"},
    {"SINGLE_OFFICER", "单人执法"},
    {"UNPLANNED_INSPECTION", "计划外检查"},
    {"REPEATED_INSPECTION", "重复检查"},
    {"BUSINESS_DISRUPTION", "干扰生产经营"},
    {"ARBITRARY_FEE", "乱收费"},
    {"FORCED_PURCHASE", "强制购买指定商品"},
    {"SPONSORSHIP_DEMAND", "拉赞助"},
    {"FORCED_SUBSCRIPTION", "强制订阅报刊"},
    {"ABUSE_FOR_PRIVATE_GAIN", "以权谋私"},
    {"EXCESSIVE_PENALTY", "处罚畸重"},
    {"BLANKET_ENFORCEMENT", "一刀切"},
    {"PROFIT_DRIVEN", "趋利执法"},
    {"OTHER", "其他"},
};
/* rules.md §1, by rule number (R01 at index 1). */
static const char *const rule_titles[] = {
    NULL,
    "年度检查计划未按时备案",
    "计划外检查",
    "未经审批检查",
    "检查台账未登记/未签字",
    "执法人员少于2人",
    "无证/证件失效/未亮证",
    "执法决定未按时公示",
    "全过程记录缺失",
    "重大执法决定未法制审核",
    "裁量基准未载明/越档",
    "处罚前未告知/未告知听证",
    "立案后超期未决",
    "未落实“两轻一免”",
    "重罚手段/一刀切",
    "行政强制审慎",
    "双随机、一公开",
    "应非现场而现场检查",
    "信用分级分类频次",
    "重复/多头检查",
    "投诉举报办理超期",
    "投诉属实→责令改正/移交",
    "执法纪律",
    "趋利执法信号",
    "监督文书整改反馈超期",
    "数据质量",
};

static const char *label_of(const label *l, size_t n, const char *sym) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(l[i].sym, sym) == 0)
      return l[i].text;
  return NULL;
}

/* Position of `sym` in a label table (its enum order), n when absent. */
static size_t rank_of(const label *l, size_t n, const char *sym) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(l[i].sym, sym) == 0)
      return i;
  return n;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *ew_report_label_trigger(const char *sym) {
  return label_of(trigger_labels, NELEM(trigger_labels), sym);
}
const char *ew_report_label_channel(const char *sym) {
  return label_of(channel_labels, NELEM(channel_labels), sym);
}
const char *ew_report_label_category(const char *sym) {
  return label_of(category_labels, NELEM(category_labels), sym);
}

/* "R19a" -> 19 and "a"; -1 when `id` is not a rule id. */
static int rule_number(const char *id, const char **suffix) {
  if (id[0] != 'R' || id[1] < '0' || id[1] > '9' || id[2] < '0' || id[2] > '9')
    return -1;
  if (suffix)
    *suffix = id + 3;
  return (id[1] - '0') * 10 + (id[2] - '0');
}

const char *ew_report_rule_title(const char *rule_id) {
  int n = rule_number(rule_id, NULL);
  if (n <= 0 || (size_t)n >= NELEM(rule_titles))
    return NULL;
  return rule_titles[n];
}

const char *ew_report_flag_text(int flag) {
  switch (flag) {
  case EW_FLAG_BEHIND:
    return "推进不到位";
  case EW_FLAG_DEVIATING:
    return "落实有偏差";
  default:
    return NULL;
  }
}

char *ew_report_pct(ew_rpct p, char buf[32]) {
  int64_t t = p.tenths < 0 ? -p.tenths : p.tenths;
  snprintf(buf, 32, "%s%" PRId64 ".%" PRId64, p.tenths < 0 ? "-" : "", t / 10,
           t % 10);
  return buf;
}

char *ew_report_yuan(int64_t fen, char buf[32]) {
  /* -(INT64_MIN) overflows: print its magnitude unsigned. */
  uint64_t m = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
  snprintf(buf, 32, "%s%" PRIu64 ".%02" PRIu64, fen < 0 ? "-" : "", m / 100,
           m % 100);
  return buf;
}

/* ---- building ---- */

/* Grows a (v, n, cap) vector to hold one more element. */
#define VEC_PUSH(v, n, cap, errp)                                              \
  do {                                                                         \
    if ((n) == (cap)) {                                                        \
      size_t nc_ = (cap) ? 2 * (cap) : 16;                                     \
      void *p_ = realloc((v), nc_ * sizeof *(v));                              \
      if (!p_) {                                                               \
        *(errp) = 1;                                                           \
        break;                                                                 \
      }                                                                        \
      (v) = p_;                                                                \
      (cap) = nc_;                                                             \
    }                                                                          \
    memset(&(v)[(n)++], 0, sizeof *(v));                                       \
  } while (0)

static ew_rpct pct_of(int64_t num, int64_t den) {
  ew_rpct p = {0, 0};
  if (den == 0)
    return p;
  p.defined = 1;
  p.tenths = (int64_t)llround((double)num * 1000.0 / (double)den);
  return p;
}

/* The flag of executed against planned (planned > 0), on the exact ratio
 * rather than the rounded one shown: executed/planned < low% is
 * executed*100 < low*planned (in doubles: exact below 2^53, no overflow). */
static int flag_of(int64_t executed, int64_t planned, int low, int high) {
  if (planned <= 0)
    return EW_FLAG_NONE;
  if ((double)executed * 100.0 < (double)low * (double)planned)
    return EW_FLAG_BEHIND;
  if ((double)executed * 100.0 > (double)high * (double)planned)
    return EW_FLAG_DEVIATING;
  return EW_FLAG_NONE;
}

typedef struct build_ctx {
  ew_report *r;
  const char *periods[14]; /* P, complaint periods, fine periods */
  int nperiods;
  int oom;
} build_ctx;

static int period_wanted(const build_ctx *b, const char *period) {
  for (int i = 0; i < b->nperiods; i++)
    if (strcmp(b->periods[i], period) == 0)
      return 1;
  return 0;
}

static ew_report_agency *agency_add(ew_report *r, const char *uscc, int *oom) {
  VEC_PUSH(r->agencies, r->nagencies, r->agencies_cap, oom);
  if (*oom)
    return NULL;
  ew_report_agency *ag = &r->agencies[r->nagencies - 1];
  ag->uscc = ew_arena_strdup(&r->arena, uscc);
  if (!ag->uscc)
    *oom = 1;
  return ag;
}

static int scan_row(void *ud, const ew_stat_row *row) {
  build_ctx *b = ud;
  ew_report *r = b->r;
  if (!row->agency_uscc || !row->period || !row->metric ||
      !period_wanted(b, row->period))
    return 0;
  if (r->agency_filter && strcmp(r->agency_filter, row->agency_uscc) != 0)
    return 0;
  ew_report_agency *ag = r->nagencies ? &r->agencies[r->nagencies - 1] : NULL;
  /* The scan is ordered by agency, so an agency's rows are contiguous. */
  if (!ag || strcmp(ag->uscc, row->agency_uscc) != 0)
    ag = agency_add(r, row->agency_uscc, &b->oom);
  if (!ag)
    return -1;
  VEC_PUSH(ag->rows, ag->nrows, ag->rows_cap, &b->oom);
  if (b->oom)
    return -1;
  ew_stat_row *c = &ag->rows[ag->nrows - 1];
  c->agency_uscc = ag->uscc;
  c->period = ew_arena_strdup(&r->arena, row->period);
  c->metric = ew_arena_strdup(&r->arena, row->metric);
  c->value = row->value;
  c->as_of = row->as_of;
  if (!c->period || !c->metric) {
    b->oom = 1;
    return -1;
  }
  if (row->as_of != EW_NONE && (r->as_of == EW_NONE || row->as_of > r->as_of))
    r->as_of = row->as_of;
  r->nrows++;
  return 0;
}

static ew_rcount count_of(const ew_report_agency *ag, const char *period,
                          const char *metric) {
  ew_rcount c = {0, 0};
  for (size_t i = 0; i < ag->nrows; i++)
    if (strcmp(ag->rows[i].metric, metric) == 0 &&
        strcmp(ag->rows[i].period, period) == 0) {
      c.value = ag->rows[i].value;
      c.present = 1;
      break;
    }
  return c;
}

int ew_report_key_cmp(int family, const char *a, const char *b) {
  const label *l = NULL;
  size_t n = 0;
  switch (family) {
  case EW_KEYS_TRIGGER:
    l = trigger_labels, n = NELEM(trigger_labels);
    break;
  case EW_KEYS_CHANNEL:
    l = channel_labels, n = NELEM(channel_labels);
    break;
  case EW_KEYS_CATEGORY:
    l = category_labels, n = NELEM(category_labels);
    break;
  default: {
    const char *sa = "", *sb = "";
    int na = rule_number(a, &sa), nb = rule_number(b, &sb);
    if (na != nb)
      return na < nb ? -1 : 1;
    return na < 0 ? strcmp(a, b) : strcmp(sa, sb);
  }
  }
  size_t ra = rank_of(l, n, a), rb = rank_of(l, n, b);
  return ra != rb ? (ra < rb ? -1 : 1) : strcmp(a, b);
}

typedef int (*keyed_cmp_fn)(const void *, const void *);

static int cmp_trigger(const void *a, const void *b) {
  return ew_report_key_cmp(EW_KEYS_TRIGGER, ((const ew_rkeyed *)a)->key,
                           ((const ew_rkeyed *)b)->key);
}
static int cmp_channel(const void *a, const void *b) {
  return ew_report_key_cmp(EW_KEYS_CHANNEL, ((const ew_rkeyed *)a)->key,
                           ((const ew_rkeyed *)b)->key);
}
static int cmp_category(const void *a, const void *b) {
  return ew_report_key_cmp(EW_KEYS_CATEGORY, ((const ew_rkeyed *)a)->key,
                           ((const ew_rkeyed *)b)->key);
}
static int cmp_rule(const void *a, const void *b) {
  return ew_report_key_cmp(EW_KEYS_RULE, ((const ew_rkeyed *)a)->key,
                           ((const ew_rkeyed *)b)->key);
}

/* Collects the values of `period` whose metric starts with `prefix` into
 * `out`, keyed by the rest of the name, sorted with `cmp`. `accept`
 * (NULL-able) filters by key. */
static void keyed_collect(const ew_report_agency *ag, const char *period,
                          const char *prefix, int (*accept)(const char *key),
                          keyed_cmp_fn cmp, ew_rkeyedv *out, int *oom) {
  size_t plen = strlen(prefix);
  for (size_t i = 0; i < ag->nrows && !*oom; i++) {
    const ew_stat_row *row = &ag->rows[i];
    if (strcmp(row->period, period) != 0 ||
        strncmp(row->metric, prefix, plen) != 0 || !row->metric[plen])
      continue;
    const char *key = row->metric + plen;
    if (accept && !accept(key))
      continue;
    VEC_PUSH(out->v, out->n, out->cap, oom);
    if (*oom)
      return;
    out->v[out->n - 1].key = key;
    out->v[out->n - 1].metric = row->metric;
    out->v[out->n - 1].value = row->value;
  }
  if (out->n > 1)
    qsort(out->v, out->n, sizeof *out->v, cmp);
}

static int rule_r01_r19(const char *key) {
  int n = rule_number(key, NULL);
  return n >= 1 && n <= 19;
}
static int rule_r23(const char *key) {
  return rule_number(key, NULL) == 23;
}

static ew_report_item *item_of(ew_report *r, ew_report_agency *ag,
                               const char *key, int *oom) {
  for (size_t i = 0; i < ag->nitems; i++) {
    const ew_report_item *it = &ag->items[i];
    size_t pl = strlen(it->plan_id);
    if (strncmp(key, it->plan_id, pl) == 0 && key[pl] == '/' &&
        strcmp(key + pl + 1, it->item_id) == 0)
      return &ag->items[i];
  }
  VEC_PUSH(ag->items, ag->nitems, ag->items_cap, oom);
  if (*oom)
    return NULL;
  ew_report_item *it = &ag->items[ag->nitems - 1];
  /* Plan ids hold no '/' in the feeds we know; an item id may. */
  const char *slash = strchr(key, '/');
  it->plan_id = slash ? ew_arena_strndup(&r->arena, key, (size_t)(slash - key))
                      : ew_arena_strdup(&r->arena, key);
  it->item_id = ew_arena_strdup(&r->arena, slash ? slash + 1 : "");
  if (!it->plan_id || !it->item_id)
    *oom = 1;
  return it;
}

static int cmp_item(const void *a, const void *b) {
  const ew_report_item *x = a, *y = b;
  int c = strcmp(x->plan_id, y->plan_id);
  return c ? c : strcmp(x->item_id, y->item_id);
}

#define PLANNED_PREFIX "plan_item_planned:"
#define EXECUTED_PREFIX "plan_item_executed:"

static void build_plan(ew_report *r, ew_report_agency *ag, int *oom) {
  const char *p = r->period.name;
  for (size_t i = 0; i < ag->nrows && !*oom; i++) {
    const ew_stat_row *row = &ag->rows[i];
    int planned =
        strncmp(row->metric, PLANNED_PREFIX, sizeof PLANNED_PREFIX - 1) == 0;
    int executed =
        strncmp(row->metric, EXECUTED_PREFIX, sizeof EXECUTED_PREFIX - 1) == 0;
    if ((!planned && !executed) || strcmp(row->period, p) != 0)
      continue;
    const char *key = row->metric + (planned ? sizeof PLANNED_PREFIX - 1
                                             : sizeof EXECUTED_PREFIX - 1);
    ew_report_item *it = item_of(r, ag, key, oom);
    if (!it)
      return;
    if (planned) {
      it->planned.value = row->value;
      it->planned.present = 1;
      it->planned_metric = row->metric;
    } else {
      it->executed.value = row->value;
      it->executed.present = 1;
      it->executed_metric = row->metric;
    }
  }
  if (ag->nitems > 1)
    qsort(ag->items, ag->nitems, sizeof *ag->items, cmp_item);
  for (size_t i = 0; i < ag->nitems && !*oom; i++) {
    ew_report_item *it = &ag->items[i];
    /* The names the stats would carry, for the CSV rows of absent values. */
    if (!it->planned_metric)
      it->planned_metric = ew_arena_printf(&r->arena, PLANNED_PREFIX "%s/%s",
                                           it->plan_id, it->item_id);
    if (!it->executed_metric)
      it->executed_metric = ew_arena_printf(&r->arena, EXECUTED_PREFIX "%s/%s",
                                            it->plan_id, it->item_id);
    if (!it->planned_metric || !it->executed_metric) {
      *oom = 1;
      return;
    }
    if (!it->planned.present)
      continue; /* no target list: nothing to compare with */
    it->ratio = pct_of(it->executed.value, it->planned.value);
    it->flag =
        flag_of(it->executed.value, it->planned.value, r->low_pct, r->high_pct);
    ag->planned_sum += it->planned.value;
    ag->executed_sum += it->executed.value;
    ag->items_behind += it->flag == EW_FLAG_BEHIND;
    ag->items_deviating += it->flag == EW_FLAG_DEVIATING;
  }
  ag->plan_ratio = pct_of(ag->executed_sum, ag->planned_sum);
  ag->plan_flag =
      flag_of(ag->executed_sum, ag->planned_sum, r->low_pct, r->high_pct);
}

static void build_agency(ew_report *r, ew_store *store, ew_report_agency *ag,
                         int *oom) {
  const ew_record *rec = NULL;
  if (ew_store_ref_get(store, EW_REC_AGENCY, ag->uscc, &rec) == 0 && rec &&
      rec->u.agency.name && *rec->u.agency.name) {
    ag->name = ew_arena_strdup(&r->arena, rec->u.agency.name);
    if (!ag->name)
      *oom = 1;
  }
  const char *p = r->period.name;
  build_plan(r, ag, oom);

  ag->insp_total = count_of(ag, p, "inspections_total");
  ag->insp_planned = count_of(ag, p, "inspections_planned");
  ag->insp_unplanned = count_of(ag, p, "inspections_unplanned");
  ag->insp_exempt = count_of(ag, p, "inspections_exempt");
  ag->insp_joint = count_of(ag, p, "inspections_joint");
  ag->enterprises = count_of(ag, p, "enterprises_inspected");
  ag->insp_repeat = count_of(ag, p, "inspections_repeat");
  ag->joint_rate = pct_of(ag->insp_joint.value, ag->insp_total.value);
  keyed_collect(ag, p, "inspections_trigger_", NULL, cmp_trigger, &ag->triggers,
                oom);
  keyed_collect(ag, p, "alerts_", rule_r01_r19, cmp_rule, &ag->alerts, oom);
  ag->alerts_total = count_of(ag, p, "alerts_total");
  ag->complaints_total = count_of(ag, p, "complaints_total");

  for (int q = 0; q < r->ncperiods; q++) {
    ew_report_complaints *c = &ag->complaints[q];
    const char *cp = r->cperiods[q].name;
    c->period = cp;
    c->total = count_of(ag, cp, "complaints_total");
    c->concluded = count_of(ag, cp, "complaints_concluded");
    c->on_time = count_of(ag, cp, "complaints_on_time");
    c->substantiated = count_of(ag, cp, "complaints_substantiated");
    c->referred = count_of(ag, cp, "complaints_referred");
    c->on_time_rate = pct_of(c->on_time.value, c->concluded.value);
    c->substantiated_rate = pct_of(c->substantiated.value, c->concluded.value);
    keyed_collect(ag, cp, "complaints_channel_", NULL, cmp_channel,
                  &c->channels, oom);
    keyed_collect(ag, cp, "complaints_category_", NULL, cmp_category,
                  &c->categories, oom);
  }
  for (int m = 0; m <= r->nfperiods; m++) {
    ew_report_fines *f = &ag->fines[m];
    const char *fp = m < r->nfperiods ? r->fperiods[m].name : p;
    f->period = fp;
    f->penalties_total = count_of(ag, fp, "penalties_total");
    f->penalties_fine = count_of(ag, fp, "penalties_fine");
    f->fines_fen = count_of(ag, fp, "fines_fen");
    f->confiscated_fen = count_of(ag, fp, "confiscated_fen");
    keyed_collect(ag, fp, "alerts_", rule_r23, cmp_rule, &f->r23, oom);
  }
}

int ew_report_build(ew_report *r, ew_store *store, const ew_report_opts *o,
                    char *errstr, size_t errstr_size) {
  build_ctx b;
  memset(r, 0, sizeof *r);
  memset(&b, 0, sizeof b);
  r->as_of = EW_NONE;
  if (ew_period_parse(o->period, &r->period) != 0) {
    snprintf(errstr, errstr_size,
             "period \"%s\": expected YYYY-Hn, YYYY-Qn or YYYY-MM",
             o->period ? o->period : "");
    return -1;
  }
  if (o->low_pct < 0 || o->high_pct < o->low_pct) {
    snprintf(errstr, errstr_size, "thresholds: need 0 <= low (%d) <= high (%d)",
             o->low_pct, o->high_pct);
    return -1;
  }
  r->low_pct = o->low_pct;
  r->high_pct = o->high_pct;
  r->ncperiods = ew_period_split(&r->period, EW_PERIOD_QUARTER, r->cperiods);
  r->nfperiods = ew_period_split(&r->period, EW_PERIOD_MONTH, r->fperiods);
  r->agency_filter = o->agency ? ew_arena_strdup(&r->arena, o->agency) : NULL;
  r->source = o->source ? ew_arena_strdup(&r->arena, o->source) : NULL;

  b.r = r;
  b.periods[b.nperiods++] = r->period.name;
  for (int i = 0; i < r->ncperiods; i++)
    b.periods[b.nperiods++] = r->cperiods[i].name;
  for (int i = 0; i < r->nfperiods; i++)
    b.periods[b.nperiods++] = r->fperiods[i].name;

  char year[8];
  snprintf(year, sizeof year, "%04u", (unsigned)r->period.year % 10000u);
  if (ew_store_stats_scan(store, o->agency, year, scan_row, &b) != 0) {
    if (b.oom)
      snprintf(errstr, errstr_size, "out of memory");
    else
      snprintf(errstr, errstr_size, "stats: %s", ew_store_errmsg(store));
    return -1;
  }
  /* An agency asked for by name is reported even with no values, so that
   * "nothing" reads as nothing rather than as a missing section. */
  if (o->agency && r->nagencies == 0 && !agency_add(r, o->agency, &b.oom)) {
    snprintf(errstr, errstr_size, "out of memory");
    return -1;
  }
  for (size_t i = 0; i < r->nagencies && !b.oom; i++)
    build_agency(r, store, &r->agencies[i], &b.oom);
  if (b.oom) {
    snprintf(errstr, errstr_size, "out of memory");
    return -1;
  }
  return 0;
}

static void agency_free(ew_report_agency *ag) {
  free(ag->items);
  free(ag->triggers.v);
  free(ag->alerts.v);
  for (size_t i = 0; i < NELEM(ag->complaints); i++) {
    free(ag->complaints[i].channels.v);
    free(ag->complaints[i].categories.v);
  }
  for (size_t i = 0; i < NELEM(ag->fines); i++)
    free(ag->fines[i].r23.v);
  free(ag->rows);
}

void ew_report_free(ew_report *r) {
  if (!r)
    return;
  for (size_t i = 0; i < r->nagencies; i++)
    agency_free(&r->agencies[i]);
  free(r->agencies);
  ew_arena_free(&r->arena);
  memset(r, 0, sizeof *r);
  r->as_of = EW_NONE;
}

/* ---- CSV ---- */

/* One CSV line per value: every number the HTML shows is one of these,
 * under the stats metric it was read from or a named derived metric. */
typedef struct csv_out {
  FILE *fp;
  const ew_report_agency *ag;
  /* The rows of ag->rows already written (the rest follow at the end). */
  unsigned char *used;
} csv_out;

static void csv_field(FILE *fp, const char *s) {
  if (!s)
    s = "";
  if (!strpbrk(s, ",\"\r\n")) {
    fputs(s, fp);
    return;
  }
  fputc('"', fp);
  for (; *s; s++) {
    if (*s == '"')
      fputc('"', fp);
    fputc(*s, fp);
  }
  fputc('"', fp);
}

static void csv_line(csv_out *c, const char *period, const char *metric,
                     const char *value, const char *source, const char *note) {
  csv_field(c->fp, c->ag->uscc);
  fputc(',', c->fp);
  csv_field(c->fp, c->ag->name);
  fputc(',', c->fp);
  csv_field(c->fp, period);
  fputc(',', c->fp);
  csv_field(c->fp, metric);
  fputc(',', c->fp);
  csv_field(c->fp, value);
  fputc(',', c->fp);
  csv_field(c->fp, source);
  fputc(',', c->fp);
  csv_field(c->fp, note);
  fputc('\n', c->fp);
}

static void mark_used(csv_out *c, const char *period, const char *metric) {
  for (size_t i = 0; i < c->ag->nrows; i++)
    if (strcmp(c->ag->rows[i].metric, metric) == 0 &&
        strcmp(c->ag->rows[i].period, period) == 0)
      c->used[i] = 1;
}

/* A count of the stats, or 0 with source "absent". */
static void csv_count(csv_out *c, const char *period, const char *metric,
                      ew_rcount v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%" PRId64, v.value);
  if (v.present) {
    mark_used(c, period, metric);
    csv_line(c, period, metric, buf, "stats", NULL);
  } else {
    csv_line(c, period, metric, buf, "absent",
             "no value in the stats stream: 0");
  }
}

static void csv_keyed(csv_out *c, const char *period, const ew_rkeyedv *kv) {
  for (size_t i = 0; i < kv->n; i++) {
    ew_rcount v = {kv->v[i].value, 1};
    csv_count(c, period, kv->v[i].metric, v);
  }
}

static void csv_pct(csv_out *c, const char *period, const char *metric,
                    ew_rpct p, const char *formula) {
  char buf[32];
  if (p.defined)
    csv_line(c, period, metric, ew_report_pct(p, buf), "derived", formula);
}

static void csv_derived_int(csv_out *c, const char *period, const char *metric,
                            int64_t v, const char *formula) {
  char buf[32];
  snprintf(buf, sizeof buf, "%" PRId64, v);
  csv_line(c, period, metric, buf, "derived", formula);
}

static void csv_agency(FILE *fp, const ew_report *r, const ew_report_agency *ag,
                       unsigned char *used) {
  csv_out c = {fp, ag, used};
  const char *p = r->period.name;
  char metric[1024], note[1100], buf[32];

  for (size_t i = 0; i < ag->nitems; i++) {
    const ew_report_item *it = &ag->items[i];
    if (it->planned.present)
      csv_count(&c, p, it->planned_metric, it->planned);
    csv_count(&c, p, it->executed_metric, it->executed);
    snprintf(metric, sizeof metric, "plan_item_ratio_pct:%s/%s", it->plan_id,
             it->item_id);
    snprintf(note, sizeof note, "100 * %s / %s", it->executed_metric,
             it->planned_metric);
    csv_pct(&c, p, metric, it->ratio, note);
    if (it->flag != EW_FLAG_NONE) {
      snprintf(metric, sizeof metric, "plan_item_flag:%s/%s", it->plan_id,
               it->item_id);
      snprintf(note, sizeof note, "%s %s than %d%%", "plan_item_ratio_pct",
               it->flag == EW_FLAG_BEHIND ? "lower" : "higher",
               it->flag == EW_FLAG_BEHIND ? r->low_pct : r->high_pct);
      csv_line(&c, p, metric, ew_report_flag_text(it->flag), "derived", note);
    }
  }
  if (ag->nitems) {
    csv_derived_int(&c, p, "plan_planned_sum", ag->planned_sum,
                    "sum of plan_item_planned:* (items with a planned count)");
    csv_derived_int(&c, p, "plan_executed_sum", ag->executed_sum,
                    "sum of plan_item_executed:* of those items");
    csv_pct(&c, p, "plan_ratio_pct", ag->plan_ratio,
            "100 * plan_executed_sum / plan_planned_sum");
    if (ag->plan_flag != EW_FLAG_NONE)
      csv_line(&c, p, "plan_flag", ew_report_flag_text(ag->plan_flag),
               "derived", "plan_ratio_pct outside the thresholds");
    csv_derived_int(&c, p, "plan_items_behind", ag->items_behind,
                    "items flagged 推进不到位");
    csv_derived_int(&c, p, "plan_items_deviating", ag->items_deviating,
                    "items flagged 落实有偏差");
  }

  csv_count(&c, p, "inspections_total", ag->insp_total);
  csv_count(&c, p, "inspections_planned", ag->insp_planned);
  csv_count(&c, p, "inspections_unplanned", ag->insp_unplanned);
  csv_count(&c, p, "inspections_exempt", ag->insp_exempt);
  csv_count(&c, p, "inspections_joint", ag->insp_joint);
  csv_pct(&c, p, "inspections_joint_rate_pct", ag->joint_rate,
          "100 * inspections_joint / inspections_total");
  csv_count(&c, p, "enterprises_inspected", ag->enterprises);
  csv_count(&c, p, "inspections_repeat", ag->insp_repeat);
  csv_keyed(&c, p, &ag->triggers);
  csv_keyed(&c, p, &ag->alerts);
  csv_count(&c, p, "alerts_total", ag->alerts_total);

  if (strcmp(r->cperiods[0].name, p) != 0)
    csv_count(&c, p, "complaints_total", ag->complaints_total);
  for (int q = 0; q < r->ncperiods; q++) {
    const ew_report_complaints *k = &ag->complaints[q];
    csv_count(&c, k->period, "complaints_total", k->total);
    csv_keyed(&c, k->period, &k->channels);
    csv_keyed(&c, k->period, &k->categories);
    csv_count(&c, k->period, "complaints_concluded", k->concluded);
    csv_count(&c, k->period, "complaints_on_time", k->on_time);
    csv_pct(&c, k->period, "complaints_on_time_rate_pct", k->on_time_rate,
            "100 * complaints_on_time / complaints_concluded");
    csv_count(&c, k->period, "complaints_substantiated", k->substantiated);
    csv_pct(&c, k->period, "complaints_substantiated_rate_pct",
            k->substantiated_rate,
            "100 * complaints_substantiated / complaints_concluded");
    csv_count(&c, k->period, "complaints_referred", k->referred);
  }
  /* The period's own total follows its months; a month is its own. */
  int last = r->period.kind == EW_PERIOD_MONTH ? 0 : r->nfperiods;
  for (int m = 0; m <= last; m++) {
    const ew_report_fines *f = &ag->fines[m];
    csv_count(&c, f->period, "penalties_total", f->penalties_total);
    csv_count(&c, f->period, "penalties_fine", f->penalties_fine);
    csv_count(&c, f->period, "fines_fen", f->fines_fen);
    csv_line(&c, f->period, "fines_yuan",
             ew_report_yuan(f->fines_fen.value, buf), "derived",
             "fines_fen / 100");
    csv_count(&c, f->period, "confiscated_fen", f->confiscated_fen);
    csv_line(&c, f->period, "confiscated_yuan",
             ew_report_yuan(f->confiscated_fen.value, buf), "derived",
             "confiscated_fen / 100");
    csv_keyed(&c, f->period, &f->r23);
  }
  /* The other values of these periods (alerts of R20-R25, metrics this
   * report does not lay out), so that the CSV holds every value read. */
  for (size_t i = 0; i < ag->nrows; i++)
    if (!used[i]) {
      snprintf(buf, sizeof buf, "%" PRId64, ag->rows[i].value);
      csv_line(&c, ag->rows[i].period, ag->rows[i].metric, buf, "stats", NULL);
    }
}

int ew_report_write_csv(const ew_report *r, FILE *fp) {
  fputs("agency_uscc,agency_name,period,metric,value,source,note\n", fp);
  for (size_t i = 0; i < r->nagencies; i++) {
    const ew_report_agency *ag = &r->agencies[i];
    unsigned char *used = calloc(ag->nrows ? ag->nrows : 1, 1);
    if (!used) {
      errno = ENOMEM;
      return -1;
    }
    csv_agency(fp, r, ag, used);
    free(used);
  }
  return ferror(fp) ? -1 : 0;
}

/* ---- JSON ---- */

/* Builders that keep going after an allocation failure: json_object_set_new
 * with a NULL value fails and the failure is seen once, at the end. */
typedef struct json_ctx {
  int failed;
} json_ctx;

/* The _new calls take `v` (and free it when they fail, NULL obj included). */
static void jset(json_ctx *j, json_t *obj, const char *key, json_t *v) {
  if (json_object_set_new(obj, key, v) != 0)
    j->failed = 1;
}

static void jappend(json_ctx *j, json_t *arr, json_t *v) {
  if (json_array_append_new(arr, v) != 0)
    j->failed = 1;
}

static json_t *jpct(ew_rpct p) {
  return p.defined ? json_real((double)p.tenths / 10.0) : json_null();
}

static json_t *jstr(const char *s) {
  return s ? json_string(s) : json_null();
}

static json_t *jyuan(int64_t fen) {
  char buf[32];
  return json_string(ew_report_yuan(fen, buf));
}

static json_t *jkeyed(json_ctx *j, const ew_rkeyedv *kv) {
  json_t *o = json_object();
  for (size_t i = 0; i < kv->n; i++)
    jset(j, o, kv->v[i].key, json_integer(kv->v[i].value));
  return o;
}

static json_t *jagency(json_ctx *j, const ew_report *r,
                       const ew_report_agency *ag) {
  json_t *a = json_object();
  jset(j, a, "agency_uscc", json_string(ag->uscc));
  jset(j, a, "name", jstr(ag->name));

  json_t *plan = json_object(), *items = json_array();
  jset(j, plan, "period", json_string(r->period.name));
  for (size_t i = 0; i < ag->nitems; i++) {
    const ew_report_item *it = &ag->items[i];
    json_t *o = json_object();
    jset(j, o, "plan_id", json_string(it->plan_id));
    jset(j, o, "item_id", json_string(it->item_id));
    jset(j, o, "planned",
         it->planned.present ? json_integer(it->planned.value) : json_null());
    jset(j, o, "executed", json_integer(it->executed.value));
    jset(j, o, "ratio_pct", jpct(it->ratio));
    jset(j, o, "flag", jstr(ew_report_flag_text(it->flag)));
    jappend(j, items, o);
  }
  jset(j, plan, "items", items);
  jset(j, plan, "planned_sum", json_integer(ag->planned_sum));
  jset(j, plan, "executed_sum", json_integer(ag->executed_sum));
  jset(j, plan, "ratio_pct", jpct(ag->plan_ratio));
  jset(j, plan, "flag", jstr(ew_report_flag_text(ag->plan_flag)));
  jset(j, plan, "items_behind", json_integer(ag->items_behind));
  jset(j, plan, "items_deviating", json_integer(ag->items_deviating));
  jset(j, a, "plan_execution", plan);

  json_t *insp = json_object();
  jset(j, insp, "period", json_string(r->period.name));
  jset(j, insp, "inspections_total", json_integer(ag->insp_total.value));
  jset(j, insp, "inspections_planned", json_integer(ag->insp_planned.value));
  jset(j, insp, "inspections_unplanned",
       json_integer(ag->insp_unplanned.value));
  jset(j, insp, "inspections_exempt", json_integer(ag->insp_exempt.value));
  jset(j, insp, "inspections_joint", json_integer(ag->insp_joint.value));
  jset(j, insp, "joint_rate_pct", jpct(ag->joint_rate));
  jset(j, insp, "enterprises_inspected", json_integer(ag->enterprises.value));
  jset(j, insp, "inspections_repeat", json_integer(ag->insp_repeat.value));
  jset(j, insp, "by_trigger", jkeyed(j, &ag->triggers));
  jset(j, a, "inspections", insp);

  json_t *alerts = json_object();
  jset(j, alerts, "period", json_string(r->period.name));
  jset(j, alerts, "by_rule", jkeyed(j, &ag->alerts));
  jset(j, alerts, "alerts_total", json_integer(ag->alerts_total.value));
  jset(j, a, "alerts", alerts);

  jset(j, a, "complaints_total", json_integer(ag->complaints_total.value));
  json_t *cs = json_array();
  for (int q = 0; q < r->ncperiods; q++) {
    const ew_report_complaints *k = &ag->complaints[q];
    json_t *o = json_object();
    jset(j, o, "period", json_string(k->period));
    jset(j, o, "complaints_total", json_integer(k->total.value));
    jset(j, o, "by_channel", jkeyed(j, &k->channels));
    jset(j, o, "by_category", jkeyed(j, &k->categories));
    jset(j, o, "complaints_concluded", json_integer(k->concluded.value));
    jset(j, o, "complaints_on_time", json_integer(k->on_time.value));
    jset(j, o, "on_time_rate_pct", jpct(k->on_time_rate));
    jset(j, o, "complaints_substantiated",
         json_integer(k->substantiated.value));
    jset(j, o, "substantiated_rate_pct", jpct(k->substantiated_rate));
    jset(j, o, "complaints_referred", json_integer(k->referred.value));
    jappend(j, cs, o);
  }
  jset(j, a, "complaints", cs);

  json_t *fs = json_array();
  for (int m = 0; m <= r->nfperiods; m++) {
    const ew_report_fines *f = &ag->fines[m];
    json_t *o = json_object();
    jset(j, o, "period", json_string(f->period));
    jset(j, o, "penalties_total", json_integer(f->penalties_total.value));
    jset(j, o, "penalties_fine", json_integer(f->penalties_fine.value));
    jset(j, o, "fines_fen", json_integer(f->fines_fen.value));
    jset(j, o, "fines_yuan", jyuan(f->fines_fen.value));
    jset(j, o, "confiscated_fen", json_integer(f->confiscated_fen.value));
    jset(j, o, "confiscated_yuan", jyuan(f->confiscated_fen.value));
    jset(j, o, "r23_alerts", jkeyed(j, &f->r23));
    if (m == r->nfperiods)
      jset(j, a, "fines_total", o);
    else
      jappend(j, fs, o);
  }
  jset(j, a, "fines", fs);

  json_t *rows = json_array();
  for (size_t i = 0; i < ag->nrows; i++) {
    json_t *o = json_object();
    jset(j, o, "period", json_string(ag->rows[i].period));
    jset(j, o, "metric", json_string(ag->rows[i].metric));
    jset(j, o, "value", json_integer(ag->rows[i].value));
    jappend(j, rows, o);
  }
  jset(j, a, "stats", rows);
  return a;
}

static json_t *jperiods(json_ctx *j, const ew_period *p, int n) {
  json_t *a = json_array();
  for (int i = 0; i < n; i++)
    jappend(j, a, json_string(p[i].name));
  return a;
}

int ew_report_write_json(const ew_report *r, FILE *fp) {
  json_ctx j = {0};
  char t[40];
  json_t *root = json_object();
  jset(&j, root, "report", json_string("enforcewatch period report"));
  jset(&j, root, "period", json_string(r->period.name));
  jset(&j, root, "complaint_periods", jperiods(&j, r->cperiods, r->ncperiods));
  jset(&j, root, "fine_periods", jperiods(&j, r->fperiods, r->nfperiods));
  jset(&j, root, "agency_filter", jstr(r->agency_filter));
  jset(&j, root, "source", jstr(r->source));
  jset(&j, root, "as_of",
       r->as_of != EW_NONE ? json_string(ew_time_format(r->as_of, t))
                           : json_null());
  json_t *th = json_object();
  jset(&j, th, "behind_below_pct", json_integer(r->low_pct));
  jset(&j, th, "deviating_above_pct", json_integer(r->high_pct));
  jset(&j, root, "thresholds", th);
  jset(&j, root, "stats_values", json_integer(r->nrows));
  json_t *ags = json_array();
  for (size_t i = 0; i < r->nagencies; i++)
    jappend(&j, ags, jagency(&j, r, &r->agencies[i]));
  jset(&j, root, "agencies", ags);
  int rc = -1;
  if (j.failed) {
    errno = ENOMEM;
  } else if (json_dumpf(root, fp,
                        JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                            JSON_REAL_PRECISION(15)) == 0) {
    fputc('\n', fp);
    rc = ferror(fp) ? -1 : 0;
  }
  json_decref(root);
  return rc;
}
