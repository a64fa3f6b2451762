/*
 * sample.c - the follow-up sample (rules.md §4 item 2): the draw described
 * in sample.h, the periods and rates of the command line, and the
 * questionnaire.
 *
 * Everything that decides which enterprise is drawn is integer arithmetic
 * on bytes (no floating point, no locale, no qsort tie left to the C
 * library), so that the draw is the same on every machine and a supervisor
 * can redo it from sample.h with nothing but the input rows and the seed.
 */
#include "sample.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ewtime.h"

#define PPM 1000000u

/* Above this the products of steps 2 and 3 could leave 64 bits. */
#define MAX_POPULATION ((size_t)UINT32_MAX)

const ew_sample_question ew_sample_questions[] = {
    {"cert_shown", "检查人员是否出示执法证件",
     "Did the inspectors show their enforcement certificates?", "R06", "否",
     "NO_CERTIFICATE"},
    {"two_officers", "是否两名以上执法人员",
     "Were at least two enforcement officers present?", "R05", "否",
     "SINGLE_OFFICER"},
    {"disruption", "是否干扰正常生产经营",
     "Did the inspection disrupt normal production or business?", "R22b", "是",
     "BUSINESS_DISRUPTION"},
    {"fees", "是否收取费用/要求购买/赞助",
     "Were fees charged, or purchases or sponsorship demanded?", "R22a", "是",
     "ARBITRARY_FEE"},
    {"result_explained", "检查结果是否告知说明",
     "Was the result of the inspection told and explained to you?", "R07,R16c",
     "否", "OTHER"},
    {"notes", "其他意见和建议", "Other remarks (free text)", "", NULL, NULL},
};
const size_t ew_sample_nquestions =
    sizeof ew_sample_questions / sizeof ew_sample_questions[0];

const char *ew_sample_stratum_name(int stratum) {
  static const char *const names[EW_SAMPLE_NSTRATA] = {"A", "B", "C", "D",
                                                       "UNKNOWN"};
  return stratum >= 0 && stratum < EW_SAMPLE_NSTRATA ? names[stratum] : "?";
}

/* ---- step 4: randomness ---- */

uint64_t ew_sample_fnv1a64(const char *s) {
  uint64_t h = UINT64_C(0xcbf29ce484222325);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    h ^= *p;
    h *= UINT64_C(0x100000001b3);
  }
  return h;
}

uint64_t ew_sample_splitmix64(uint64_t *state) {
  uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

uint64_t ew_sample_uniform(uint64_t *state, uint64_t bound) {
  /* 2^64 mod bound: the values below it are the incomplete last round of
   * 0..bound-1 that would favour the small numbers. */
  uint64_t threshold = (0 - bound) % bound;
  for (;;) {
    uint64_t x = ew_sample_splitmix64(state);
    if (x >= threshold)
      return x % bound;
  }
}

/* ---- steps 2 and 3: sizes ---- */

size_t ew_sample_size(size_t population, const ew_sample_params *p) {
  uint64_t n = ((uint64_t)population * p->rate_ppm + PPM - 1) / PPM;
  if (n < p->min)
    n = p->min;
  if (n > p->max)
    n = p->max;
  if (n > population)
    n = population;
  return (size_t)n;
}

void ew_sample_allocate(size_t n, const size_t pop[EW_SAMPLE_NSTRATA],
                        size_t out[EW_SAMPLE_NSTRATA]) {
  uint64_t total = 0, rem[EW_SAMPLE_NSTRATA];
  size_t given = 0;
  int extra[EW_SAMPLE_NSTRATA] = {0};
  for (int s = 0; s < EW_SAMPLE_NSTRATA; s++)
    total += pop[s];
  for (int s = 0; s < EW_SAMPLE_NSTRATA; s++) {
    out[s] = 0;
    rem[s] = 0;
    if (!total)
      continue;
    out[s] = (size_t)((uint64_t)n * pop[s] / total);
    rem[s] = (uint64_t)n * pop[s] % total;
    given += out[s];
  }
  /* The remainders sum to (n - given) * total, each below total, so there
   * are at least n - given strata with one: each gets at most one seat,
   * and floor + 1 never exceeds a stratum's population. */
  while (given < n) {
    int best = -1;
    for (int s = 0; s < EW_SAMPLE_NSTRATA; s++)
      if (!extra[s] && rem[s] > 0 && (best < 0 || rem[s] > rem[best]))
        best = s;
    if (best < 0)
      break; /* n above the population: not a caller of ours */
    extra[best] = 1;
    out[best]++;
    given++;
  }
}

/* ---- periods and rates ---- */

static int digits(const char *s, size_t n, int *out) {
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 0;
}

int ew_sample_period(const char *s, ew_time *from, ew_time *to) {
  int year, n, m0, months;
  if (!s || strlen(s) != 7 || s[4] != '-' || digits(s, 4, &year) != 0 ||
      year < 1000)
    return -1;
  if (s[5] == 'H' || s[5] == 'Q') {
    if (digits(s + 6, 1, &n) != 0)
      return -1;
    months = s[5] == 'H' ? 6 : 3;
    if (n < 1 || n > 12 / months)
      return -1;
    m0 = (n - 1) * months + 1;
  } else {
    if (digits(s + 5, 2, &m0) != 0 || m0 < 1 || m0 > 12)
      return -1;
    months = 1;
  }
  int m1 = m0 + months, y1 = year;
  if (m1 > 12) {
    m1 -= 12;
    y1++;
  }
  *from = ew_time_from_civil(year, m0, 1);
  *to = ew_time_from_civil(y1, m1, 1);
  return 0;
}

uint64_t ew_sample_default_seed(const char *period) {
  return ew_sample_fnv1a64(period);
}

int ew_sample_parse_rate(const char *s, uint32_t *ppm) {
  size_t len = s ? strlen(s) : 0;
  int percent = len > 0 && s[len - 1] == '%';
  size_t end = len - (size_t)percent, i = 0;
  int decimals = percent ? 4 : 6, seen = 0;
  uint64_t v = 0;
  for (; i < end && s[i] >= '0' && s[i] <= '9'; i++, seen = 1)
    if ((v = v * 10 + (uint64_t)(s[i] - '0')) > PPM)
      return -1;
  int k = 0;
  if (i < end && s[i] == '.')
    for (i++; i < end && s[i] >= '0' && s[i] <= '9'; i++, k++, seen = 1) {
      if (k == decimals)
        return -1;
      v = v * 10 + (uint64_t)(s[i] - '0');
    }
  if (!seen || i != end)
    return -1;
  for (; k < decimals; k++)
    v *= 10;
  if (v > PPM)
    return -1;
  *ppm = (uint32_t)v;
  return 0;
}

/* ---- the draw ---- */

/* One enterprise of the agency being drawn: its rows are
 * rows[first .. first+count). */
typedef struct ent {
  size_t first, count;
  int stratum;
} ent;

static int row_cmp(const void *a, const void *b) {
  const ew_sample_row *x = *(const ew_sample_row *const *)a;
  const ew_sample_row *y = *(const ew_sample_row *const *)b;
  int c = strcmp(x->agency_uscc, y->agency_uscc);
  if (!c)
    c = strcmp(x->enterprise_uscc, y->enterprise_uscc);
  if (!c)
    c = strcmp(x->inspection_id, y->inspection_id);
  return c;
}

static int usable(const ew_sample_row *r) {
  return r->agency_uscc && *r->agency_uscc && r->enterprise_uscc &&
         *r->enterprise_uscc && r->inspection_id && *r->inspection_id;
}

/* Copies enterprise `e` into `pick`: its USCC and its distinct inspection
 * ids (the rows are sorted, so duplicates are neighbours). */
static int pick_fill(ew_arena *a, const ew_sample_row *const *v, const ent *e,
                     ew_sample_pick *pick) {
  pick->enterprise_uscc = ew_arena_strdup(a, v[e->first]->enterprise_uscc);
  pick->stratum = e->stratum;
  pick->inspection_ids = ew_arena_calloc(a, e->count, sizeof(const char *));
  if (!pick->enterprise_uscc || !pick->inspection_ids)
    return -1;
  pick->ninspections = 0;
  for (size_t i = e->first; i < e->first + e->count; i++) {
    const char *id = v[i]->inspection_id;
    if (pick->ninspections &&
        strcmp(pick->inspection_ids[pick->ninspections - 1], id) == 0)
      continue;
    if (!(pick->inspection_ids[pick->ninspections++] = ew_arena_strdup(a, id)))
      return -1;
  }
  return 0;
}

/* Draws one agency, whose rows are v[0 .. n). `ents` and `idx` have room
 * for n entries. */
static int draw_agency(ew_sample *out, const ew_sample_params *p,
                       const ew_sample_row *const *v, size_t n, ent *ents,
                       size_t *idx, ew_sample_agency *ag, char *errstr,
                       size_t errstr_size) {
  size_t nents = 0;
  memset(ag, 0, sizeof *ag);
  if (!(ag->agency_uscc = ew_arena_strdup(&out->arena, v[0]->agency_uscc)))
    goto oom;
  for (size_t i = 0; i < n; i++) {
    int g = v[i]->grade;
    if (g < EW_GRADE_A || g > EW_GRADE_D)
      g = EW_SAMPLE_UNKNOWN;
    if (nents && strcmp(v[ents[nents - 1].first]->enterprise_uscc,
                        v[i]->enterprise_uscc) == 0) {
      ent *e = &ents[nents - 1];
      e->count++;
      if (g < e->stratum) /* the best known grade */
        e->stratum = g;
      continue;
    }
    ents[nents++] = (ent){i, 1, g};
  }
  if (nents > MAX_POPULATION) {
    snprintf(errstr, errstr_size, "agency %s: population %zu too large",
             ag->agency_uscc, nents);
    return -1;
  }
  ag->population = nents;
  for (size_t i = 0; i < nents; i++)
    ag->stratum_pop[ents[i].stratum]++;
  ag->n = ew_sample_size(nents, p);
  ew_sample_allocate(ag->n, ag->stratum_pop, ag->stratum_size);
  ag->picks =
      ew_arena_calloc(&out->arena, ag->n ? ag->n : 1, sizeof *ag->picks);
  if (!ag->picks)
    goto oom;

  uint64_t state = p->seed ^ ew_sample_fnv1a64(ag->agency_uscc);
  size_t rank = 0;
  for (int s = 0; s < EW_SAMPLE_NSTRATA; s++) {
    size_t m = 0, k = ag->stratum_size[s];
    for (size_t i = 0; i < nents; i++) /* sorted by USCC already */
      if (ents[i].stratum == s)
        idx[m++] = i;
    for (size_t i = 0; i < k; i++) {
      size_t j = i + (size_t)ew_sample_uniform(&state, m - i);
      size_t t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
      ew_sample_pick *pick = &ag->picks[rank];
      pick->rank = ++rank;
      if (pick_fill(&out->arena, v, &ents[idx[i]], pick) != 0)
        goto oom;
    }
  }
  return 0;
oom:
  snprintf(errstr, errstr_size, "sample: out of memory");
  return -1;
}

int ew_sample_draw(const ew_sample_row *rows, size_t nrows,
                   const ew_sample_params *p, ew_sample *out, char *errstr,
                   size_t errstr_size) {
  const ew_sample_row **v = NULL;
  ent *ents = NULL;
  size_t *idx = NULL, n = 0, nag = 0;
  int rc = -1;

  memset(out, 0, sizeof *out);
  if (p->rate_ppm > PPM || p->min > p->max) {
    snprintf(errstr, errstr_size,
             "sample: bad parameters (rate %u ppm, min %zu, max %zu)",
             (unsigned)p->rate_ppm, p->min, p->max);
    return -1;
  }
  v = malloc((nrows ? nrows : 1) * sizeof *v);
  ents = malloc((nrows ? nrows : 1) * sizeof *ents);
  idx = malloc((nrows ? nrows : 1) * sizeof *idx);
  if (!v || !ents || !idx)
    goto oom;
  for (size_t i = 0; i < nrows; i++)
    if (usable(&rows[i]))
      v[n++] = &rows[i];
  /* The full key decides the order: equal keys are equal rows but for the
   * grade, and the grade of an enterprise is taken over all its rows. */
  qsort(v, n, sizeof *v, row_cmp);
  for (size_t i = 0; i < n; i++)
    if (i == 0 || strcmp(v[i - 1]->agency_uscc, v[i]->agency_uscc) != 0)
      nag++;
  out->agencies =
      ew_arena_calloc(&out->arena, nag ? nag : 1, sizeof *out->agencies);
  if (!out->agencies)
    goto oom;
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && strcmp(v[i]->agency_uscc, v[j]->agency_uscc) == 0)
      j++;
    if (draw_agency(out, p, v + i, j - i, ents, idx,
                    &out->agencies[out->nagencies], errstr, errstr_size) != 0)
      goto fail;
    out->nagencies++;
    i = j;
  }
  rc = 0;
  goto done;
oom:
  snprintf(errstr, errstr_size, "sample: out of memory");
fail:
  ew_sample_free(out);
done:
  free(v);
  free(ents);
  free(idx);
  return rc;
}

void ew_sample_free(ew_sample *s) {
  if (!s)
    return;
  ew_arena_free(&s->arena);
  memset(s, 0, sizeof *s);
}
