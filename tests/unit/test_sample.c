/*
 * test_sample.c - the follow-up sample (rules.md §4 item 2): the draw of
 * sample.c against its description in sample.h, and `enforcewatch sample`
 * over real JSON Lines files and a real state file.
 *
 * The golden draw below was computed by an independent re-implementation
 * of sample.h's text (Python, not in the tree), so a change to the draw
 * that the description does not follow fails here.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "cli.h"
#include "engine.h"
#include "ewtime.h"
#include "log.h"
#include "sample.h"
#include "store.h"

/* ---- populations ---- */

/* Rows whose strings live in `text`. */
typedef struct pop {
  ew_sample_row *rows;
  size_t n, cap;
  char (*text)[3][32];
} pop;

static void pop_add(pop *p, const char *agency, const char *enterprise,
                    const char *inspection, int grade) {
  if (p->n == p->cap) {
    p->cap = p->cap ? p->cap * 2 : 64;
    p->rows = realloc(p->rows, p->cap * sizeof *p->rows);
    p->text = realloc(p->text, p->cap * sizeof *p->text);
    assert_non_null(p->rows);
    assert_non_null(p->text);
    /* the rows point into text: re-point them after the move */
    for (size_t i = 0; i < p->n; i++) {
      p->rows[i].agency_uscc = p->text[i][0];
      p->rows[i].enterprise_uscc = p->text[i][1];
      p->rows[i].inspection_id = p->text[i][2];
    }
  }
  snprintf(p->text[p->n][0], 32, "%s", agency);
  snprintf(p->text[p->n][1], 32, "%s", enterprise);
  snprintf(p->text[p->n][2], 32, "%s", inspection);
  p->rows[p->n] = (ew_sample_row){p->text[p->n][0], p->text[p->n][1],
                                  p->text[p->n][2], grade};
  p->n++;
}

/* `count` enterprises of `agency`, one inspection each, grades cycling
 * through `grades` (a string of A-D and '-' for none). */
static void pop_fill(pop *p, const char *agency, const char *prefix,
                     size_t count, const char *grades) {
  char e[32], ins[32];
  for (size_t i = 0; i < count; i++) {
    char g = grades[i % strlen(grades)];
    snprintf(e, sizeof e, "%s%05zu", prefix, i);
    snprintf(ins, sizeof ins, "INS-%s%05zu", prefix, i);
    pop_add(p, agency, e, ins, g == '-' ? -1 : g - 'A');
  }
}

static void pop_free(pop *p) {
  free(p->rows);
  free(p->text);
  memset(p, 0, sizeof *p);
}

static const ew_sample_params defaults = {20250701, 50000, 5, 50};

static void draw(const pop *p, const ew_sample_params *params, ew_sample *s) {
  char errstr[256];
  assert_int_equal(
      ew_sample_draw(p->rows, p->n, params, s, errstr, sizeof errstr), 0);
}

static const ew_sample_agency *agency_of(const ew_sample *s, const char *a) {
  for (size_t i = 0; i < s->nagencies; i++)
    if (strcmp(s->agencies[i].agency_uscc, a) == 0)
      return &s->agencies[i];
  fail_msg("agency %s not in the sample", a);
  return NULL;
}

/* Same picks in the same order. */
static int same_picks(const ew_sample_agency *x, const ew_sample_agency *y) {
  if (x->n != y->n)
    return 0;
  for (size_t i = 0; i < x->n; i++)
    if (strcmp(x->picks[i].enterprise_uscc, y->picks[i].enterprise_uscc) ||
        x->picks[i].stratum != y->picks[i].stratum ||
        x->picks[i].rank != y->picks[i].rank)
      return 0;
  return 1;
}

static int picked(const ew_sample_agency *ag, const char *enterprise) {
  for (size_t i = 0; i < ag->n; i++)
    if (strcmp(ag->picks[i].enterprise_uscc, enterprise) == 0)
      return 1;
  return 0;
}

/* ---- the pieces of the algorithm ---- */

static void test_prng_and_hash_vectors(void **state) {
  (void)state;
  /* splitmix64's published outputs for seed 0, FNV-1a-64's for "" and
   * "a": sample.h names these functions, these pin them down. */
  uint64_t st = 0;
  assert_true(ew_sample_splitmix64(&st) == UINT64_C(0xe220a8397b1dcdaf));
  assert_true(ew_sample_splitmix64(&st) == UINT64_C(0x6e789e6aa1b965f4));
  assert_true(ew_sample_splitmix64(&st) == UINT64_C(0x06c45d188009454f));
  assert_true(ew_sample_fnv1a64("") == UINT64_C(0xcbf29ce484222325));
  assert_true(ew_sample_fnv1a64("a") == UINT64_C(0xaf63dc4c8601ec8c));
  assert_true(ew_sample_default_seed("2025-H1") ==
              ew_sample_fnv1a64("2025-H1"));
  /* uniform stays in range, bound 1 is always 0 */
  st = 7;
  for (int i = 0; i < 1000; i++)
    assert_true(ew_sample_uniform(&st, 3) < 3);
  assert_true(ew_sample_uniform(&st, 1) == 0);
}

static void test_sizes(void **state) {
  (void)state;
  /* 5% with min 5 and max 50 */
  assert_int_equal(ew_sample_size(0, &defaults), 0);
  assert_int_equal(ew_sample_size(3, &defaults), 3);
  assert_int_equal(ew_sample_size(60, &defaults), 5);
  assert_int_equal(ew_sample_size(400, &defaults), 20);
  assert_int_equal(ew_sample_size(410, &defaults), 21); /* 20.5 rounds up */
  assert_int_equal(ew_sample_size(2000, &defaults), 50);

  /* the same through the whole draw */
  static const size_t sizes[][2] = {{3, 3}, {60, 5}, {400, 20}, {2000, 50}};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    pop p = {0};
    ew_sample s = {0};
    pop_fill(&p, "AG", "E", sizes[i][0], "ABCD-");
    draw(&p, &defaults, &s);
    assert_int_equal(s.nagencies, 1);
    assert_int_equal(s.agencies[0].population, sizes[i][0]);
    assert_int_equal(s.agencies[0].n, sizes[i][1]);
    for (size_t k = 0; k < s.agencies[0].n; k++) {
      assert_int_equal(s.agencies[0].picks[k].rank, k + 1);
      for (size_t j = 0; j < k; j++) /* no enterprise twice */
        assert_string_not_equal(s.agencies[0].picks[j].enterprise_uscc,
                                s.agencies[0].picks[k].enterprise_uscc);
    }
    ew_sample_free(&s);
    pop_free(&p);
  }
}

static void test_parameters(void **state) {
  (void)state;
  uint32_t ppm;
  assert_int_equal(ew_sample_parse_rate("0.05", &ppm), 0);
  assert_int_equal(ppm, 50000);
  assert_int_equal(ew_sample_parse_rate("5%", &ppm), 0);
  assert_int_equal(ppm, 50000);
  assert_int_equal(ew_sample_parse_rate("2.5%", &ppm), 0);
  assert_int_equal(ppm, 25000);
  assert_int_equal(ew_sample_parse_rate("1", &ppm), 0);
  assert_int_equal(ppm, 1000000);
  assert_int_equal(ew_sample_parse_rate(".000001", &ppm), 0);
  assert_int_equal(ppm, 1);
  assert_int_equal(ew_sample_parse_rate("0", &ppm), 0);
  assert_int_equal(ppm, 0);
  const char *bad[] = {"",          "%",    ".",     "1.5", "101%",
                       "0.0000001", "-0.1", "0.05x", "5 %", "abc"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(ew_sample_parse_rate(bad[i], &ppm), -1);

  /* min above max is refused */
  pop p = {0};
  ew_sample s = {0};
  char errstr[256];
  ew_sample_params inverted = {1, 50000, 10, 5};
  pop_fill(&p, "AG", "E", 10, "A");
  assert_int_equal(
      ew_sample_draw(p.rows, p.n, &inverted, &s, errstr, sizeof errstr), -1);
  assert_non_null(strstr(errstr, "bad parameters"));
  assert_int_equal(s.nagencies, 0);
  pop_free(&p);
}

static void test_periods(void **state) {
  (void)state;
  ew_time from, to;
  assert_int_equal(ew_sample_period("2025-H1", &from, &to), 0);
  assert_true(from == ew_time_from_civil(2025, 1, 1));
  assert_true(to == ew_time_from_civil(2025, 7, 1));
  assert_int_equal(ew_sample_period("2025-H2", &from, &to), 0);
  assert_true(from == ew_time_from_civil(2025, 7, 1));
  assert_true(to == ew_time_from_civil(2026, 1, 1));
  assert_int_equal(ew_sample_period("2025-Q2", &from, &to), 0);
  assert_true(from == ew_time_from_civil(2025, 4, 1));
  assert_true(to == ew_time_from_civil(2025, 7, 1));
  assert_int_equal(ew_sample_period("2025-Q4", &from, &to), 0);
  assert_true(to == ew_time_from_civil(2026, 1, 1));
  assert_int_equal(ew_sample_period("2025-12", &from, &to), 0);
  assert_true(from == ew_time_from_civil(2025, 12, 1));
  assert_true(to == ew_time_from_civil(2026, 1, 1));
  const char *bad[] = {"2025-H3", "2025-H0", "2025-Q5", "2025-13",  "2025-00",
                       "2025",    "25-H1",   "2025-h1", "2025-H1x", "2025/H1"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(ew_sample_period(bad[i], &from, &to), -1);
}

static void test_allocation(void **state) {
  (void)state;
  size_t out[EW_SAMPLE_NSTRATA];
  /* 80 A + 20 C, 10 drawn: 8 A + 2 C */
  const size_t p1[EW_SAMPLE_NSTRATA] = {80, 0, 20, 0, 0};
  ew_sample_allocate(10, p1, out);
  assert_int_equal(out[0], 8);
  assert_int_equal(out[1], 0);
  assert_int_equal(out[2], 2);
  assert_int_equal(out[3], 0);
  assert_int_equal(out[4], 0);
  /* equal remainders: the earlier strata get the seats left */
  const size_t p2[EW_SAMPLE_NSTRATA] = {3, 3, 3, 0, 1};
  ew_sample_allocate(5, p2, out);
  assert_int_equal(out[0], 2);
  assert_int_equal(out[1], 2);
  assert_int_equal(out[2], 1);
  assert_int_equal(out[4], 0);
  /* the largest remainder wins over the order */
  const size_t p3[EW_SAMPLE_NSTRATA] = {1, 2, 0, 0, 7};
  ew_sample_allocate(5, p3, out); /* quotas 0.5, 1.0, 0, 0, 3.5 */
  assert_int_equal(out[0], 1);
  assert_int_equal(out[1], 1);
  assert_int_equal(out[4], 3);
  /* a small stratum may get nothing; the total is always n */
  const size_t p4[EW_SAMPLE_NSTRATA] = {97, 1, 1, 1, 0};
  ew_sample_allocate(5, p4, out);
  assert_int_equal(out[0] + out[1] + out[2] + out[3] + out[4], 5);
  assert_int_equal(out[0], 5);
}

static void test_strata_in_the_draw(void **state) {
  (void)state;
  pop p = {0};
  ew_sample s = {0};
  ew_sample_params ten = {99, 100000, 5, 50}; /* 10% of 100 */
  pop_fill(&p, "AG", "A", 80, "A");
  pop_fill(&p, "AG", "C", 20, "C");
  draw(&p, &ten, &s);
  const ew_sample_agency *ag = agency_of(&s, "AG");
  assert_int_equal(ag->n, 10);
  assert_int_equal(ag->stratum_pop[EW_GRADE_A], 80);
  assert_int_equal(ag->stratum_pop[EW_GRADE_C], 20);
  assert_int_equal(ag->stratum_size[EW_GRADE_A], 8);
  assert_int_equal(ag->stratum_size[EW_GRADE_C], 2);
  size_t a = 0, c = 0;
  for (size_t i = 0; i < ag->n; i++) {
    /* the grade the pick carries is its enterprise's */
    char want = ag->picks[i].stratum == EW_GRADE_A ? 'A' : 'C';
    assert_int_equal(ag->picks[i].enterprise_uscc[0], want);
    a += ag->picks[i].stratum == EW_GRADE_A;
    c += ag->picks[i].stratum == EW_GRADE_C;
    /* strata come out in order A, B, C, D, unknown */
    if (i)
      assert_true(ag->picks[i - 1].stratum <= ag->picks[i].stratum);
  }
  assert_int_equal(a, 8);
  assert_int_equal(c, 2);
  ew_sample_free(&s);
  pop_free(&p);
}

static void test_same_seed_same_sample(void **state) {
  (void)state;
  pop p = {0}, q = {0};
  ew_sample s1 = {0}, s2 = {0}, s3 = {0};
  pop_fill(&p, "AG", "E", 400, "AABBBCD-");
  draw(&p, &defaults, &s1);
  draw(&p, &defaults, &s2);
  assert_true(same_picks(&s1.agencies[0], &s2.agencies[0]));
  /* the order of the input rows does not matter */
  for (size_t i = p.n; i-- > 0;)
    pop_add(&q, p.rows[i].agency_uscc, p.rows[i].enterprise_uscc,
            p.rows[i].inspection_id, p.rows[i].grade);
  draw(&q, &defaults, &s3);
  assert_true(same_picks(&s1.agencies[0], &s3.agencies[0]));
  ew_sample_free(&s1);
  ew_sample_free(&s2);
  ew_sample_free(&s3);
  pop_free(&p);
  pop_free(&q);
}

static void test_different_seed_different_sample(void **state) {
  (void)state;
  /* 50 of 2000: two seeds agreeing on the same set has a probability far
   * below 1e-100; for these fixed seeds it is simply asserted. */
  pop p = {0};
  ew_sample s1 = {0}, s2 = {0};
  ew_sample_params seed1 = defaults, seed2 = defaults;
  seed1.seed = 1;
  seed2.seed = 2;
  pop_fill(&p, "AG", "E", 2000, "ABCD-");
  draw(&p, &seed1, &s1);
  draw(&p, &seed2, &s2);
  assert_int_equal(s1.agencies[0].n, 50);
  assert_int_equal(s2.agencies[0].n, 50);
  size_t common = 0;
  for (size_t i = 0; i < 50; i++)
    common += picked(&s2.agencies[0], s1.agencies[0].picks[i].enterprise_uscc);
  assert_true(common < 50);
  assert_false(same_picks(&s1.agencies[0], &s2.agencies[0]));
  /* the per-stratum counts depend on the population only */
  assert_memory_equal(s1.agencies[0].stratum_size, s2.agencies[0].stratum_size,
                      sizeof s1.agencies[0].stratum_size);
  ew_sample_free(&s1);
  ew_sample_free(&s2);
  pop_free(&p);
}

static void test_other_agencies_do_not_change_a_draw(void **state) {
  (void)state;
  pop alone = {0}, crowd = {0};
  ew_sample s1 = {0}, s2 = {0};
  pop_fill(&alone, "AG-M", "E", 300, "ABC-");
  /* agencies sorted before and after it, one sharing its enterprises */
  pop_fill(&crowd, "AG-A", "E", 500, "AB");
  pop_fill(&crowd, "AG-M", "E", 300, "ABC-");
  pop_fill(&crowd, "AG-Z", "X", 77, "D");
  draw(&alone, &defaults, &s1);
  draw(&crowd, &defaults, &s2);
  assert_int_equal(s2.nagencies, 3);
  /* agencies come out sorted */
  assert_string_equal(s2.agencies[0].agency_uscc, "AG-A");
  assert_string_equal(s2.agencies[1].agency_uscc, "AG-M");
  assert_string_equal(s2.agencies[2].agency_uscc, "AG-Z");
  assert_true(same_picks(agency_of(&s1, "AG-M"), agency_of(&s2, "AG-M")));
  ew_sample_free(&s1);
  ew_sample_free(&s2);
  pop_free(&alone);
  pop_free(&crowd);
}

static void test_enterprise_rows_merge(void **state) {
  (void)state;
  pop p = {0};
  ew_sample s = {0};
  /* several inspections (one repeated), grades known on one row only */
  pop_add(&p, "AG", "E1", "INS-9", -1);
  pop_add(&p, "AG", "E1", "INS-2", EW_GRADE_C);
  pop_add(&p, "AG", "E1", "INS-2", EW_GRADE_C);
  pop_add(&p, "AG", "E1", "INS-5", EW_GRADE_B);
  pop_add(&p, "AG", "E2", "INS-1", -1);
  pop_add(&p, "AG", "E3", "", EW_GRADE_A);    /* no inspection id: ignored */
  pop_add(&p, "", "E4", "INS-4", EW_GRADE_A); /* no agency: ignored */
  pop_add(&p, "AG", "E5", "INS-7", 9);        /* out of range: unknown */
  draw(&p, &defaults, &s);
  const ew_sample_agency *ag = agency_of(&s, "AG");
  assert_int_equal(s.nagencies, 1);
  assert_int_equal(ag->population, 3);
  assert_int_equal(ag->n, 3);
  assert_int_equal(ag->stratum_pop[EW_GRADE_B], 1);
  assert_int_equal(ag->stratum_pop[EW_SAMPLE_UNKNOWN], 2);
  const ew_sample_pick *e1 = &ag->picks[0]; /* the only B */
  assert_string_equal(e1->enterprise_uscc, "E1");
  assert_int_equal(e1->stratum, EW_GRADE_B);
  assert_int_equal(e1->ninspections, 3);
  assert_string_equal(e1->inspection_ids[0], "INS-2");
  assert_string_equal(e1->inspection_ids[1], "INS-5");
  assert_string_equal(e1->inspection_ids[2], "INS-9");
  ew_sample_free(&s);
  pop_free(&p);
}

/* Computed from sample.h's description alone (see the file comment). */
static void test_golden_draw(void **state) {
  (void)state;
  pop p = {0};
  ew_sample s = {0};
  char e[16], ins[16];
  for (int i = 0; i < 40; i++) {
    snprintf(e, sizeof e, "E%02d", i);
    snprintf(ins, sizeof ins, "I%02d", i);
    pop_add(&p, "AG1", e, ins, i % 5 < 4 ? i % 5 : -1);
  }
  for (int i = 0; i < 12; i++) {
    snprintf(e, sizeof e, "F%02d", i);
    snprintf(ins, sizeof ins, "J%02d", i);
    pop_add(&p, "AG0", e, ins, i < 9 ? EW_GRADE_A : EW_GRADE_D);
  }
  ew_sample_params params = {42, 200000, 5, 50};
  draw(&p, &params, &s);
  static const char *const ag0[] = {"F05", "F07", "F00", "F02", "F10"};
  static const char *const ag1[] = {"E30", "E25", "E21", "E11",
                                    "E37", "E02", "E23", "E24"};
  static const int ag1_strata[] = {0, 0, 1, 1, 2, 2, 3, 4};
  assert_int_equal(s.nagencies, 2);
  assert_int_equal(s.agencies[0].n, 5);
  for (size_t i = 0; i < 5; i++)
    assert_string_equal(s.agencies[0].picks[i].enterprise_uscc, ag0[i]);
  assert_int_equal(s.agencies[0].stratum_size[EW_GRADE_A], 4);
  assert_int_equal(s.agencies[0].stratum_size[EW_GRADE_D], 1);
  assert_int_equal(s.agencies[1].n, 8);
  for (size_t i = 0; i < 8; i++) {
    assert_string_equal(s.agencies[1].picks[i].enterprise_uscc, ag1[i]);
    assert_int_equal(s.agencies[1].picks[i].stratum, ag1_strata[i]);
  }
  ew_sample_free(&s);
  pop_free(&p);
}

/* ---- `enforcewatch sample` ---- */

#define AG1 "11622900MB1234567G"
#define AG2 "11622900MB7654321D"

typedef struct fixture {
  char dir[64];
} fixture;

static int setup(void **state) {
  fixture *fx = calloc(1, sizeof *fx);
  if (!fx)
    return -1;
  strcpy(fx->dir, "/tmp/test_sample.XXXXXX");
  if (!mkdtemp(fx->dir)) {
    free(fx);
    return -1;
  }
  *state = fx;
  return 0;
}

static int teardown(void **state) {
  fixture *fx = *state;
  DIR *d = opendir(fx->dir);
  struct dirent *de;
  char path[512];
  while (d && (de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.')
      continue;
    snprintf(path, sizeof path, "%s/%s", fx->dir, de->d_name);
    unlink(path);
  }
  if (d)
    closedir(d);
  rmdir(fx->dir);
  free(fx);
  return 0;
}

static void path_of(const fixture *fx, const char *name, char *buf,
                    size_t size) {
  snprintf(buf, size, "%s/%s", fx->dir, name);
}

static char *slurp(const char *path) {
  FILE *fp = fopen(path, "r");
  assert_non_null(fp);
  fseek(fp, 0, SEEK_END);
  long n = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  assert_non_null(s);
  assert_int_equal(fread(s, 1, (size_t)n, fp), (size_t)n);
  s[n] = '\0';
  fclose(fp);
  return s;
}

static void inspection(FILE *fp, const char *event_id, const char *agency,
                       const char *enterprise, const char *id,
                       const char *status, const char *started_at) {
  fprintf(fp,
          "{\"type\":\"inspection\",\"event_id\":\"%s\","
          "\"event_time\":\"2025-07-05T09:00:00+08:00\","
          "\"inspection_id\":\"%s\",\"status\":\"%s\","
          "\"agency_uscc\":\"%s\",\"enterprise_uscc\":\"%s\","
          "\"check_class\":\"ROUTINE\",\"trigger_type\":\"COMPLAINT\","
          "\"complaint_id\":\"C-1\",\"check_items\":[\"C13-01\"],"
          "\"mode\":\"ON_SITE\"",
          event_id, id, status, agency, enterprise);
  if (started_at)
    fprintf(fp, ",\"started_at\":\"%s\"", started_at);
  fputs("}\n", fp);
}

static void grade(FILE *fp, const char *enterprise, const char *g) {
  fprintf(fp,
          "{\"type\":\"credit_grade\",\"enterprise_uscc\":\"%s\","
          "\"grade\":\"%s\",\"as_of\":\"2025-01-01\"}\n",
          enterprise, g);
}

/* The population file: what is in 2025-H1 and what is not. */
static void write_population(const fixture *fx, char *path, size_t size) {
  path_of(fx, "in.jsonl", path, size);
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  fprintf(fp,
          "{\"type\":\"agency\",\"agency_uscc\":\"" AG1 "\","
          "\"name\":\"临夏州市场监督管理局\",\"region_code\":\"622901\","
          "\"level\":\"PREFECTURE\",\"justice_bureau_uscc\":\"" AG2 "\"}\n");
  grade(fp, "E1", "A");
  grade(fp, "E2", "B");
  /* E1: two inspections in the period */
  inspection(fp, "ev1", AG1, "E1", "INS-1", "ENDED",
             "2025-03-01T09:00:00+08:00");
  inspection(fp, "ev2", AG1, "E1", "INS-2", "STARTED",
             "2025-05-01T09:00:00+08:00");
  /* E2: started, then cancelled: not in the population */
  inspection(fp, "ev3", AG1, "E2", "INS-3", "STARTED",
             "2025-03-02T09:00:00+08:00");
  fprintf(fp, "{\"type\":\"inspection\",\"event_id\":\"ev3b\","
              "\"event_time\":\"2025-07-06T09:00:00+08:00\","
              "\"inspection_id\":\"INS-3\",\"status\":\"CANCELLED\","
              "\"agency_uscc\":\"" AG1 "\",\"enterprise_uscc\":\"E2\","
              "\"check_class\":\"ROUTINE\",\"trigger_type\":\"COMPLAINT\","
              "\"mode\":\"ON_SITE\"}\n");
  /* E3: only planned */
  inspection(fp, "ev4", AG1, "E3", "INS-4", "PLANNED", NULL);
  /* E4: started just after the period; E7 just before it */
  inspection(fp, "ev5", AG1, "E4", "INS-5", "ENDED",
             "2025-07-01T00:00:00+08:00");
  inspection(fp, "ev6", AG1, "E7", "INS-8", "ENDED",
             "2024-12-31T23:59:59+08:00");
  /* E5 (no grade) on the last instant, E6 on the first */
  inspection(fp, "ev7", AG1, "E5", "INS-6", "ENDED",
             "2025-06-30T23:59:59.999+08:00");
  inspection(fp, "ev8", AG1, "E6", "INS-7", "STARTED",
             "2025-01-01T00:00:00+08:00");
  /* another agency */
  inspection(fp, "ev9", AG2, "E1", "INS-9", "ENDED",
             "2025-02-01T09:00:00+08:00");
  assert_int_equal(fclose(fp), 0);
}

typedef struct run_result {
  int rc;
  char *out, *err;
} run_result;

/* Runs `sample args...` with stdout and stderr in files. */
static void run_sample(const fixture *fx, run_result *r,
                       const char *const *args) {
  char out_path[512], err_path[512];
  char *argv[32];
  int argc = 0;
  argv[argc++] = "sample";
  while (*args && argc < 31)
    argv[argc++] = (char *)*args++;
  argv[argc] = NULL;
  path_of(fx, "stdout.txt", out_path, sizeof out_path);
  path_of(fx, "stderr.txt", err_path, sizeof err_path);
  fflush(stdout);
  fflush(stderr);
  int saved_out = dup(STDOUT_FILENO), saved_err = dup(STDERR_FILENO);
  int out_fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int err_fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  assert_true(saved_out >= 0 && saved_err >= 0 && out_fd >= 0 && err_fd >= 0);
  dup2(out_fd, STDOUT_FILENO);
  dup2(err_fd, STDERR_FILENO);
  close(out_fd);
  close(err_fd);

  r->rc = ew_cmd_sample(argc, argv);

  fflush(stdout);
  fflush(stderr);
  dup2(saved_out, STDOUT_FILENO);
  dup2(saved_err, STDERR_FILENO);
  close(saved_out);
  close(saved_err);
  r->out = slurp(out_path);
  r->err = slurp(err_path);
}

static void run_free(run_result *r) {
  free(r->out);
  free(r->err);
}

static int discard(void *ud, const ew_record *out) {
  (void)ud;
  (void)out;
  return 0;
}

/* The bytes of a file; *len its size. */
static char *read_all(const char *path, size_t *len) {
  FILE *fp = fopen(path, "rb");
  assert_non_null(fp);
  fseek(fp, 0, SEEK_END);
  long n = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  assert_non_null(s);
  assert_int_equal(fread(s, 1, (size_t)n, fp), (size_t)n);
  fclose(fp);
  *len = (size_t)n;
  return s;
}

/* A daemon's state file made by the engine from the JSON Lines file. */
static void make_state(const char *jsonl, const char *state) {
  ew_config cfg;
  ew_store *store = NULL;
  ew_engine *engine = NULL;
  char errstr[512];
  char *files[] = {(char *)jsonl};
  assert_int_equal(ew_config_defaults(&cfg), 0);
  assert_int_equal(ew_store_open(&store, state, errstr, sizeof errstr), 0);
  assert_int_equal(ew_engine_new(&engine, store, &cfg.rules, discard, NULL,
                                 errstr, sizeof errstr),
                   0);
  ew_replay replay;
  memset(&replay, 0, sizeof replay);
  replay.cmd = "test";
  replay.store = store;
  replay.engine = engine;
  replay.as_of = EW_NONE;
  assert_int_equal(ew_check_replay(&replay, files, 1), 0);
  assert_int_equal(replay.nbad, 0);
  ew_engine_destroy(engine);
  ew_store_close(store);
  ew_config_free(&cfg);
}

static void test_cli_population(void **state) {
  fixture *fx = *state;
  char in[512];
  run_result r;
  write_population(fx, in, sizeof in);
  const char *args[] = {"--period", "2025-H1", "--format", "csv", in, NULL};
  run_sample(fx, &r, args);
  assert_int_equal(r.rc, EW_EXIT_OK);
  char seed[32], line[512];
  snprintf(seed, sizeof seed, "%" PRIu64, ew_sample_default_seed("2025-H1"));
  /* E1 (grade A) first: the A stratum comes before the unknown one */
  snprintf(line, sizeof line,
           "2025-H1,%s," AG1 ",临夏州市场监督管理局,3,3,1,E1,A,INS-1;INS-2,"
           ",,,,,\n",
           seed);
  assert_non_null(strstr(r.out, line));
  assert_true(strncmp(r.out, "period,seed,agency_uscc,agency_name,", 36) == 0);
  /* E5 and E6 are the unknown-grade stratum, in draw order */
  assert_non_null(strstr(r.out, ",E5,UNKNOWN,INS-6,"));
  assert_non_null(strstr(r.out, ",E6,UNKNOWN,INS-7,"));
  /* not in the population: cancelled, planned, outside the period */
  assert_null(strstr(r.out, ",E2,"));
  assert_null(strstr(r.out, ",E3,"));
  assert_null(strstr(r.out, ",E4,"));
  assert_null(strstr(r.out, ",E7,"));
  /* the other agency, with no name on file */
  snprintf(line, sizeof line, "2025-H1,%s," AG2 ",,1,1,1,E1,A,INS-9,", seed);
  assert_non_null(strstr(r.out, line));
  /* the seed is printed */
  snprintf(line, sizeof line, "seed %s (derived from the period)", seed);
  assert_non_null(strstr(r.err, line));
  run_free(&r);

  /* H2 has E4 only */
  const char *h2[] = {"--period", "2025-H2", "--format", "csv", in, NULL};
  run_sample(fx, &r, h2);
  assert_int_equal(r.rc, EW_EXIT_OK);
  assert_non_null(strstr(r.out, ",E4,UNKNOWN,INS-5,"));
  assert_null(strstr(r.out, ",E1,"));
  run_free(&r);
}

static void test_cli_same_seed_same_bytes(void **state) {
  fixture *fx = *state;
  char in[512], st[512], a[512], b[512];
  run_result r;
  write_population(fx, in, sizeof in);
  path_of(fx, "state.db", st, sizeof st);
  path_of(fx, "a.out", a, sizeof a);
  path_of(fx, "b.out", b, sizeof b);
  make_state(in, st);
  const char *formats[] = {"text", "csv", "json"};
  for (size_t f = 0; f < 3; f++) {
    /* JSON Lines twice, then the state file: the same bytes */
    const char *from_jsonl[] = {"--period", "2025-H1",  "--seed", "12345",
                                "--format", formats[f], "--out",  a,
                                in,         NULL};
    run_sample(fx, &r, from_jsonl);
    assert_int_equal(r.rc, EW_EXIT_OK);
    assert_string_equal(r.out, ""); /* --out took it */
    assert_non_null(strstr(r.err, "seed 12345,"));
    run_free(&r);
    char *first = slurp(a);
    assert_true(strlen(first) > 100);
    run_sample(fx, &r, from_jsonl);
    assert_int_equal(r.rc, EW_EXIT_OK);
    run_free(&r);
    char *second = slurp(a);
    assert_string_equal(first, second);
    const char *from_state[] = {"--period", "2025-H1",  "--seed", "12345",
                                "--format", formats[f], "--out",  b,
                                "--state",  st,         NULL};
    run_sample(fx, &r, from_state);
    assert_int_equal(r.rc, EW_EXIT_OK);
    run_free(&r);
    char *third = slurp(b);
    assert_string_equal(first, third);
    free(first);
    free(second);
    free(third);
  }
  /* the default format is the sheet; the state file is not written to */
  size_t len_before, len_after;
  char *before = read_all(st, &len_before);
  run_sample(fx, &r,
             (const char *[]){"--period", "2025-H1", "--state", st, NULL});
  assert_int_equal(r.rc, EW_EXIT_OK);
  assert_non_null(strstr(r.out, "检查人员是否出示执法证件"));
  assert_non_null(strstr(r.out, "临夏州市场监督管理局"));
  run_free(&r);
  char *after = read_all(st, &len_after);
  assert_int_equal(len_before, len_after);
  assert_memory_equal(before, after, len_before);
  free(before);
  free(after);
}

static void test_cli_agency_filter(void **state) {
  fixture *fx = *state;
  char in[512];
  run_result all, one;
  write_population(fx, in, sizeof in);
  const char *a1[] = {"--period", "2025-H1", "--format", "csv", in, NULL};
  const char *a2[] = {"--period", "2025-H1", "--format", "csv",
                      "--agency", AG1,       in,         NULL};
  run_sample(fx, &all, a1);
  run_sample(fx, &one, a2);
  assert_int_equal(all.rc, EW_EXIT_OK);
  assert_int_equal(one.rc, EW_EXIT_OK);
  /* every line of the filtered output is a line of the full one, and
   * every line of the full one naming AG1 is in the filtered one */
  char *save = NULL;
  size_t n = 0;
  for (char *l = strtok_r(one.out, "\n", &save); l;
       l = strtok_r(NULL, "\n", &save), n++) {
    assert_non_null(strstr(all.out, l));
    assert_true(n == 0 || strstr(l, AG1) != NULL);
  }
  size_t n_ag1 = 0;
  for (char *p = strstr(all.out, "," AG1 ","); p;
       p = strstr(p + 1, "," AG1 ","))
    n_ag1++;
  assert_int_equal(n, 1 + n_ag1);
  run_free(&all);
  run_free(&one);
}

static void test_cli_json_shape(void **state) {
  fixture *fx = *state;
  char in[512];
  run_result r;
  write_population(fx, in, sizeof in);
  const char *args[] = {"--period", "2025-H1", "--seed", "18446744073709551615",
                        "--format", "json",    in,       NULL};
  run_sample(fx, &r, args);
  assert_int_equal(r.rc, EW_EXIT_OK);
  /* the seed as a string: no JSON reader rounds it */
  assert_non_null(strstr(r.out, "\"seed\": \"18446744073709551615\""));
  assert_non_null(strstr(r.out, "\"seed_derived_from_period\": false"));
  assert_non_null(strstr(r.out, "\"complaint_category\": \"NO_CERTIFICATE\""));
  assert_non_null(strstr(r.out, "\"inspection_ids\": [\n"));
  assert_non_null(strstr(r.out, "\"INS-1\",\n"));
  run_free(&r);
}

static void test_cli_usage(void **state) {
  fixture *fx = *state;
  char in[512];
  run_result r;
  write_population(fx, in, sizeof in);
  const char *const bad[][8] = {
      {in, NULL},
      {"--period", "2025-H3", in, NULL},
      {"--period", "2025-H1", NULL},
      {"--period", "2025-H1", "--state", "x.db", in, NULL},
      {"--period", "2025-H1", "--format", "xml", in, NULL},
      {"--period", "2025-H1", "--min", "10", "--max", "5", in, NULL},
      {"--period", "2025-H1", "--rate", "2", in, NULL},
      {"--period", "2025-H1", "--seed", "-1", in, NULL},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    run_sample(fx, &r, bad[i]);
    assert_int_equal(r.rc, EW_EXIT_USAGE);
    assert_non_null(strstr(r.err, "usage: enforcewatch sample"));
    run_free(&r);
  }
  run_sample(fx, &r, (const char *[]){"--help", NULL});
  assert_int_equal(r.rc, EW_EXIT_OK);
  assert_non_null(strstr(r.out, "usage: enforcewatch sample"));
  run_free(&r);
  /* a state file that is not there */
  char missing[512];
  path_of(fx, "missing.db", missing, sizeof missing);
  run_sample(fx, &r,
             (const char *[]){"--period", "2025-H1", "--state", missing, NULL});
  assert_int_equal(r.rc, EW_EXIT_FAIL);
  assert_true(access(missing, F_OK) != 0); /* and it was not created */
  run_free(&r);
}

int main(void) {
  /* the replay's notices of agencies without a justice bureau */
  ew_log_level = EW_LOG_ERROR;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_prng_and_hash_vectors),
      cmocka_unit_test(test_sizes),
      cmocka_unit_test(test_parameters),
      cmocka_unit_test(test_periods),
      cmocka_unit_test(test_allocation),
      cmocka_unit_test(test_strata_in_the_draw),
      cmocka_unit_test(test_same_seed_same_sample),
      cmocka_unit_test(test_different_seed_different_sample),
      cmocka_unit_test(test_other_agencies_do_not_change_a_draw),
      cmocka_unit_test(test_enterprise_rows_merge),
      cmocka_unit_test(test_golden_draw),
      cmocka_unit_test_setup_teardown(test_cli_population, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cli_same_seed_same_bytes, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_cli_agency_filter, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cli_json_shape, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cli_usage, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
