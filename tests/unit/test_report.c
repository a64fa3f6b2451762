/*
 * test_report.c - the period report (report.c, report_html.c,
 * cmd_report.c) on a real state file whose stats table is filled with
 * ew_store_stats_add: the numbers, ratios and flags at and just inside the
 * thresholds, and the CSV, JSON and HTML forms carrying them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "fixtures.h"
#include "report.h"
#include "store.h"

#define AG2_NAME "县局,\"测试\"<b>" /* CSV quoting and HTML escaping */

typedef struct fixture {
  char dir[64];
  char state[128];
} fixture;

static void stat_add(ew_store *s, const char *agency, const char *period,
                     const char *metric, int64_t v) {
  assert_int_equal(ew_store_stats_add(s, agency, period, metric, v,
                                      fx_day(2025, 6, 30), NULL),
                   0);
}

/* The scenario of these tests; every number below is asserted somewhere. */
static void fill(ew_store *s) {
  ew_arena a = EW_ARENA_INIT;
  ew_record ag1 = fx_agency(&a, FX_AG1, "临夏州市场监督管理局", "622900");
  ew_record ag2 = fx_agency(&a, FX_AG2, AG2_NAME, "622901");
  assert_int_equal(ew_store_begin(s), 0);
  assert_int_equal(ew_store_ref_put(s, &ag1), 0);
  assert_int_equal(ew_store_ref_put(s, &ag2), 0);
  const char *h = "2025-H1";
  /* Plan items: at the low threshold, just below it, at the high
   * threshold, just above it, executed without a planned count, planned
   * and not executed at all. */
  stat_add(s, FX_AG1, h, "plan_item_planned:P1/I1", 10);
  stat_add(s, FX_AG1, h, "plan_item_executed:P1/I1", 5);
  stat_add(s, FX_AG1, h, "plan_item_planned:P1/I2", 100);
  stat_add(s, FX_AG1, h, "plan_item_executed:P1/I2", 49);
  stat_add(s, FX_AG1, h, "plan_item_planned:P1/I3", 10);
  stat_add(s, FX_AG1, h, "plan_item_executed:P1/I3", 12);
  stat_add(s, FX_AG1, h, "plan_item_planned:P1/I4", 100);
  stat_add(s, FX_AG1, h, "plan_item_executed:P1/I4", 121);
  stat_add(s, FX_AG1, h, "plan_item_executed:P1/I5", 3);
  stat_add(s, FX_AG1, h, "plan_item_planned:P1/I6", 8);
  /* Inspections. */
  stat_add(s, FX_AG1, h, "inspections_total", 20);
  stat_add(s, FX_AG1, h, "inspections_planned", 12);
  stat_add(s, FX_AG1, h, "inspections_unplanned", 3);
  stat_add(s, FX_AG1, h, "inspections_exempt", 5);
  stat_add(s, FX_AG1, h, "inspections_joint", 4);
  stat_add(s, FX_AG1, h, "enterprises_inspected", 16);
  stat_add(s, FX_AG1, h, "inspections_repeat", 4);
  stat_add(s, FX_AG1, h, "inspections_trigger_COMPLAINT", 5);
  stat_add(s, FX_AG1, h, "inspections_trigger_ANNUAL_PLAN", 10);
  stat_add(s, FX_AG1, h, "inspections_trigger_RANDOM_SAMPLING", 2);
  stat_add(s, FX_AG1, h, "alerts_R19a", 1);
  stat_add(s, FX_AG1, h, "alerts_R02", 3);
  stat_add(s, FX_AG1, h, "alerts_R05", 2);
  stat_add(s, FX_AG1, h, "alerts_R21a", 1); /* not one of R01-R19 */
  stat_add(s, FX_AG1, h, "alerts_R23a", 1);
  stat_add(s, FX_AG1, h, "alerts_total", 8);
  /* Complaints: Q1 with rates, Q2 with nothing concluded. */
  stat_add(s, FX_AG1, h, "complaints_total", 8);
  stat_add(s, FX_AG1, "2025-Q1", "complaints_total", 6);
  stat_add(s, FX_AG1, "2025-Q1", "complaints_channel_WEB", 2);
  stat_add(s, FX_AG1, "2025-Q1", "complaints_channel_HOTLINE_12345", 4);
  stat_add(s, FX_AG1, "2025-Q1", "complaints_category_OTHER", 5);
  stat_add(s, FX_AG1, "2025-Q1", "complaints_category_SINGLE_OFFICER", 1);
  stat_add(s, FX_AG1, "2025-Q1", "complaints_concluded", 4);
  stat_add(s, FX_AG1, "2025-Q1", "complaints_on_time", 3);
  stat_add(s, FX_AG1, "2025-Q1", "complaints_substantiated", 1);
  stat_add(s, FX_AG1, "2025-Q1", "complaints_referred", 1);
  stat_add(s, FX_AG1, "2025-Q2", "complaints_total", 2);
  /* Fines. */
  stat_add(s, FX_AG1, "2025-01", "penalties_total", 2);
  stat_add(s, FX_AG1, "2025-01", "penalties_fine", 2);
  stat_add(s, FX_AG1, "2025-01", "fines_fen", 123456);
  stat_add(s, FX_AG1, "2025-01", "confiscated_fen", 5);
  stat_add(s, FX_AG1, "2025-03", "penalties_total", 1);
  stat_add(s, FX_AG1, "2025-03", "penalties_fine", 1);
  stat_add(s, FX_AG1, "2025-03", "fines_fen", 100000);
  stat_add(s, FX_AG1, "2025-03", "alerts_R23a", 1);
  stat_add(s, FX_AG1, h, "penalties_total", 3);
  stat_add(s, FX_AG1, h, "penalties_fine", 3);
  stat_add(s, FX_AG1, h, "fines_fen", 223456);
  stat_add(s, FX_AG1, h, "confiscated_fen", 5);
  /* Outside the report: another half-year, another year. */
  stat_add(s, FX_AG1, "2025-07", "fines_fen", 777777);
  stat_add(s, FX_AG1, "2025-H2", "inspections_total", 999);
  stat_add(s, FX_AG1, "2024-H1", "inspections_total", 888);
  /* A second agency with only a fine. */
  stat_add(s, FX_AG2, "2025-02", "fines_fen", 5000);
  stat_add(s, FX_AG2, h, "fines_fen", 5000);
  assert_int_equal(ew_store_commit(s), 0);
  ew_arena_free(&a);
}

static int setup(void **state) {
  fixture *fx = calloc(1, sizeof *fx);
  if (!fx)
    return -1;
  strcpy(fx->dir, "/tmp/test_report.XXXXXX");
  if (!mkdtemp(fx->dir)) {
    free(fx);
    return -1;
  }
  snprintf(fx->state, sizeof fx->state, "%s/state.db", fx->dir);
  char errstr[256];
  ew_store *s = NULL;
  if (ew_store_open(&s, fx->state, errstr, sizeof errstr) != 0)
    return -1;
  fill(s);
  ew_store_close(s);
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

static void build(const fixture *fx, ew_report *r, const char *period,
                  const char *agency, int low, int high) {
  ew_store *s = NULL;
  char errstr[256];
  assert_int_equal(ew_store_open_readonly(&s, fx->state, errstr, sizeof errstr),
                   0);
  ew_report_opts o = {period, agency, low, high, "test"};
  int rc = ew_report_build(r, s, &o, errstr, sizeof errstr);
  if (rc != 0)
    fail_msg("build: %s", errstr);
  ew_store_close(s);
}

/* Writes `r` with `w` into a string. */
static char *render(const ew_report *r, int (*w)(const ew_report *, FILE *)) {
  char *buf = NULL;
  size_t len = 0;
  FILE *fp = open_memstream(&buf, &len);
  assert_non_null(fp);
  assert_int_equal(w(r, fp), 0);
  assert_int_equal(fclose(fp), 0);
  return buf;
}

static const ew_report_item *item(const ew_report_agency *ag, const char *id) {
  for (size_t i = 0; i < ag->nitems; i++)
    if (strcmp(ag->items[i].item_id, id) == 0)
      return &ag->items[i];
  fail_msg("no item %s", id);
  return NULL;
}

/* ---- periods ---- */

static void test_periods(void **state) {
  (void)state;
  ew_period p, sub[6];
  assert_int_equal(ew_period_parse("2025-H1", &p), 0);
  assert_int_equal(p.kind, EW_PERIOD_HALF);
  assert_int_equal(ew_period_split(&p, EW_PERIOD_QUARTER, sub), 2);
  assert_string_equal(sub[0].name, "2025-Q1");
  assert_string_equal(sub[1].name, "2025-Q2");
  assert_int_equal(ew_period_split(&p, EW_PERIOD_MONTH, sub), 6);
  assert_string_equal(sub[0].name, "2025-01");
  assert_string_equal(sub[5].name, "2025-06");
  assert_int_equal(ew_period_parse("2025-H2", &p), 0);
  assert_int_equal(ew_period_split(&p, EW_PERIOD_QUARTER, sub), 2);
  assert_string_equal(sub[0].name, "2025-Q3");
  assert_int_equal(ew_period_split(&p, EW_PERIOD_MONTH, sub), 6);
  assert_string_equal(sub[0].name, "2025-07");
  assert_string_equal(sub[5].name, "2025-12");
  assert_int_equal(ew_period_parse("2025-Q4", &p), 0);
  assert_int_equal(ew_period_split(&p, EW_PERIOD_QUARTER, sub), 1);
  assert_string_equal(sub[0].name, "2025-Q4");
  assert_int_equal(ew_period_split(&p, EW_PERIOD_MONTH, sub), 3);
  assert_string_equal(sub[0].name, "2025-10");
  assert_string_equal(sub[2].name, "2025-12");
  assert_int_equal(ew_period_parse("2025-03", &p), 0);
  assert_int_equal(p.kind, EW_PERIOD_MONTH);
  assert_int_equal(ew_period_split(&p, EW_PERIOD_MONTH, sub), 1);
  assert_string_equal(sub[0].name, "2025-03");
  const char *bad[] = {"2025-H3",  "2025-Q0", "2025-Q5", "2025-13",
                       "2025-00",  "2025-3",  "2025",    "25-H1",
                       "2025-H1x", "",        "abcd-H1", "2025H1"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    assert_int_equal(ew_period_parse(bad[i], &p), -1);
}

/* ---- the model ---- */

static void test_numbers_and_flags(void **state) {
  fixture *fx = *state;
  ew_report r;
  build(fx, &r, "2025-H1", NULL, 50, 120);
  assert_int_equal(r.nagencies, 2);
  const ew_report_agency *ag = &r.agencies[0];
  assert_string_equal(ag->uscc, FX_AG1);
  assert_string_equal(ag->name, "临夏州市场监督管理局");
  assert_string_equal(r.agencies[1].name, AG2_NAME);
  assert_int_equal(r.as_of, fx_day(2025, 6, 30));

  assert_int_equal(ag->nitems, 6);
  const ew_report_item *it = item(ag, "I1"); /* 50%: at the threshold */
  assert_string_equal(it->plan_id, "P1");
  assert_int_equal(it->planned.value, 10);
  assert_int_equal(it->executed.value, 5);
  assert_int_equal(it->ratio.tenths, 500);
  assert_int_equal(it->flag, EW_FLAG_NONE);
  it = item(ag, "I2"); /* 49%: just below */
  assert_int_equal(it->ratio.tenths, 490);
  assert_int_equal(it->flag, EW_FLAG_BEHIND);
  it = item(ag, "I3"); /* 120%: at the threshold */
  assert_int_equal(it->ratio.tenths, 1200);
  assert_int_equal(it->flag, EW_FLAG_NONE);
  it = item(ag, "I4"); /* 121%: just above */
  assert_int_equal(it->ratio.tenths, 1210);
  assert_int_equal(it->flag, EW_FLAG_DEVIATING);
  it = item(ag, "I5"); /* no planned count: no ratio, no flag */
  assert_int_equal(it->planned.present, 0);
  assert_int_equal(it->executed.value, 3);
  assert_int_equal(it->ratio.defined, 0);
  assert_int_equal(it->flag, EW_FLAG_NONE);
  it = item(ag, "I6"); /* planned, nothing executed */
  assert_int_equal(it->executed.present, 0);
  assert_int_equal(it->executed.value, 0);
  assert_int_equal(it->ratio.tenths, 0);
  assert_int_equal(it->flag, EW_FLAG_BEHIND);
  /* Items in id order. */
  assert_string_equal(ag->items[0].item_id, "I1");
  assert_string_equal(ag->items[5].item_id, "I6");
  /* Totals over the items with a planned count: 228 planned, 187 done. */
  assert_int_equal(ag->planned_sum, 228);
  assert_int_equal(ag->executed_sum, 187);
  assert_int_equal(ag->plan_ratio.tenths, 820); /* 82.02% */
  assert_int_equal(ag->plan_flag, EW_FLAG_NONE);
  assert_int_equal(ag->items_behind, 2);
  assert_int_equal(ag->items_deviating, 1);

  assert_int_equal(ag->insp_total.value, 20); /* not H2's 999, 2024's 888 */
  assert_int_equal(ag->insp_planned.value, 12);
  assert_int_equal(ag->insp_unplanned.value, 3);
  assert_int_equal(ag->insp_exempt.value, 5);
  assert_int_equal(ag->insp_joint.value, 4);
  assert_int_equal(ag->enterprises.value, 16);
  assert_int_equal(ag->insp_repeat.value, 4);
  assert_int_equal(ag->joint_rate.tenths, 200);
  assert_int_equal(ag->triggers.n, 3); /* enum order */
  assert_string_equal(ag->triggers.v[0].key, "ANNUAL_PLAN");
  assert_int_equal(ag->triggers.v[0].value, 10);
  assert_string_equal(ag->triggers.v[1].key, "RANDOM_SAMPLING");
  assert_string_equal(ag->triggers.v[2].key, "COMPLAINT");
  assert_int_equal(ag->alerts.n, 3); /* R01-R19 only, rule order */
  assert_string_equal(ag->alerts.v[0].key, "R02");
  assert_int_equal(ag->alerts.v[0].value, 3);
  assert_string_equal(ag->alerts.v[1].key, "R05");
  assert_string_equal(ag->alerts.v[2].key, "R19a");
  assert_int_equal(ag->alerts_total.value, 8);

  assert_int_equal(r.ncperiods, 2);
  const ew_report_complaints *q1 = &ag->complaints[0], *q2 = &ag->complaints[1];
  assert_string_equal(q1->period, "2025-Q1");
  assert_int_equal(q1->total.value, 6);
  assert_int_equal(q1->concluded.value, 4);
  assert_int_equal(q1->on_time_rate.tenths, 750);
  assert_int_equal(q1->substantiated_rate.tenths, 250);
  assert_int_equal(q1->referred.value, 1);
  assert_int_equal(q1->channels.n, 2);
  assert_string_equal(q1->channels.v[0].key, "HOTLINE_12345");
  assert_int_equal(q1->channels.v[0].value, 4);
  assert_string_equal(q1->categories.v[0].key, "SINGLE_OFFICER");
  assert_string_equal(q1->categories.v[1].key, "OTHER");
  assert_string_equal(q2->period, "2025-Q2");
  assert_int_equal(q2->total.value, 2);
  assert_int_equal(q2->on_time_rate.defined, 0);
  assert_int_equal(q2->substantiated_rate.defined, 0);
  assert_int_equal(ag->complaints_total.value, 8);

  assert_int_equal(r.nfperiods, 6);
  assert_string_equal(ag->fines[0].period, "2025-01");
  assert_int_equal(ag->fines[0].fines_fen.value, 123456);
  assert_int_equal(ag->fines[0].confiscated_fen.value, 5);
  assert_int_equal(ag->fines[1].fines_fen.present, 0);
  assert_int_equal(ag->fines[2].penalties_total.value, 1);
  assert_int_equal(ag->fines[2].r23.n, 1);
  assert_string_equal(ag->fines[2].r23.v[0].key, "R23a");
  assert_string_equal(ag->fines[6].period, "2025-H1");
  assert_int_equal(ag->fines[6].fines_fen.value, 223456);
  assert_int_equal(r.agencies[1].fines[1].fines_fen.value, 5000);
  ew_report_free(&r);
}

static void test_thresholds_are_options(void **state) {
  fixture *fx = *state;
  ew_report r;
  /* 60/110: I1 (50%) falls behind, I3 (120%) now deviates. */
  build(fx, &r, "2025-H1", FX_AG1, 60, 110);
  assert_int_equal(r.nagencies, 1);
  assert_int_equal(item(&r.agencies[0], "I1")->flag, EW_FLAG_BEHIND);
  assert_int_equal(item(&r.agencies[0], "I3")->flag, EW_FLAG_DEVIATING);
  assert_int_equal(r.agencies[0].items_behind, 3);
  assert_int_equal(r.agencies[0].items_deviating, 2);
  ew_report_free(&r);
  /* 49/121: the items just inside the defaults are not flagged. */
  build(fx, &r, "2025-H1", FX_AG1, 49, 121);
  assert_int_equal(item(&r.agencies[0], "I2")->flag, EW_FLAG_NONE);
  assert_int_equal(item(&r.agencies[0], "I4")->flag, EW_FLAG_NONE);
  ew_report_free(&r);
}

static void test_quarter_and_month(void **state) {
  fixture *fx = *state;
  ew_report r;
  build(fx, &r, "2025-Q1", NULL, 50, 120);
  assert_int_equal(r.ncperiods, 1);
  assert_string_equal(r.cperiods[0].name, "2025-Q1");
  assert_int_equal(r.nfperiods, 3);
  assert_int_equal(r.agencies[0].complaints[0].total.value, 6);
  assert_int_equal(r.agencies[0].fines[0].fines_fen.value, 123456);
  assert_int_equal(r.agencies[0].nitems, 0); /* plan values are H1's here */
  ew_report_free(&r);
  build(fx, &r, "2025-03", FX_AG1, 50, 120);
  assert_int_equal(r.nfperiods, 1);
  assert_int_equal(r.agencies[0].fines[0].fines_fen.value, 100000);
  char *csv = render(&r, ew_report_write_csv);
  /* A month is its own total: its values once each. */
  const char *line = FX_AG1 ",临夏州市场监督管理局,2025-03,fines_fen,100000,";
  char *at = strstr(csv, line);
  assert_non_null(at);
  assert_null(strstr(at + 1, line));
  free(csv);
  ew_report_free(&r);
}

static void test_agency_without_values(void **state) {
  fixture *fx = *state;
  ew_report r;
  build(fx, &r, "2025-H1", FX_AG3, 50, 120);
  assert_int_equal(r.nagencies, 1);
  assert_string_equal(r.agencies[0].uscc, FX_AG3);
  assert_null(r.agencies[0].name);
  assert_int_equal(r.agencies[0].insp_total.present, 0);
  assert_int_equal(r.nrows, 0);
  ew_report_free(&r);
}

/* ---- CSV, JSON, HTML ---- */

static void assert_has(const char *text, const char *what) {
  if (!strstr(text, what))
    fail_msg("missing: %s", what);
}

static void test_csv(void **state) {
  fixture *fx = *state;
  ew_report r;
  build(fx, &r, "2025-H1", NULL, 50, 120);
  char *csv = render(&r, ew_report_write_csv);
#define A1 FX_AG1 ",临夏州市场监督管理局,"
  assert_has(csv, "agency_uscc,agency_name,period,metric,value,source,note\n");
  assert_has(csv, A1 "2025-H1,plan_item_planned:P1/I2,100,stats,\n");
  assert_has(csv, A1 "2025-H1,plan_item_executed:P1/I2,49,stats,\n");
  assert_has(csv, A1 "2025-H1,plan_item_ratio_pct:P1/I2,49.0,derived,100 * "
                     "plan_item_executed:P1/I2 / plan_item_planned:P1/I2\n");
  assert_has(csv, A1 "2025-H1,plan_item_flag:P1/I2,推进不到位,derived,");
  assert_has(csv, A1 "2025-H1,plan_item_ratio_pct:P1/I1,50.0,derived,");
  assert_has(csv, A1 "2025-H1,plan_item_flag:P1/I4,落实有偏差,derived,");
  assert_has(csv, A1 "2025-H1,plan_item_flag:P1/I6,推进不到位,derived,");
  assert_null(strstr(csv, "plan_item_flag:P1/I1,"));
  assert_null(strstr(csv, "plan_item_flag:P1/I3,"));
  assert_null(strstr(csv, "plan_item_flag:P1/I5,"));
  assert_null(strstr(csv, "plan_item_ratio_pct:P1/I5,"));
  assert_has(csv, A1 "2025-H1,plan_item_executed:P1/I6,0,absent,");
  assert_has(csv, A1 "2025-H1,plan_planned_sum,228,derived,");
  assert_has(csv, A1 "2025-H1,plan_executed_sum,187,derived,");
  assert_has(csv, A1 "2025-H1,plan_ratio_pct,82.0,derived,");
  assert_has(csv, A1 "2025-H1,plan_items_behind,2,derived,");
  assert_has(csv, A1 "2025-H1,inspections_joint_rate_pct,20.0,derived,");
  assert_has(csv, A1 "2025-H1,inspections_trigger_COMPLAINT,5,stats,\n");
  assert_has(csv, A1 "2025-H1,alerts_R19a,1,stats,\n");
  assert_has(csv, A1 "2025-H1,alerts_R21a,1,stats,\n"); /* not laid out */
  assert_has(csv, A1 "2025-Q1,complaints_channel_HOTLINE_12345,4,stats,\n");
  assert_has(csv, A1 "2025-Q1,complaints_on_time_rate_pct,75.0,derived,");
  assert_has(csv, A1 "2025-Q1,complaints_substantiated_rate_pct,25.0,derived,");
  assert_null(strstr(csv, "2025-Q2,complaints_on_time_rate_pct"));
  assert_has(csv, A1 "2025-Q2,complaints_concluded,0,absent,");
  assert_has(csv, A1 "2025-01,fines_yuan,1234.56,derived,fines_fen / 100\n");
  assert_has(csv, A1 "2025-01,confiscated_yuan,0.05,derived,");
  assert_has(csv, A1 "2025-02,fines_yuan,0.00,derived,");
  assert_has(csv, A1 "2025-03,alerts_R23a,1,stats,\n");
  assert_has(csv, A1 "2025-H1,fines_yuan,2234.56,derived,");
  assert_has(csv, FX_AG2 ",\"县局,\"\"测试\"\"<b>\",2025-02,fines_yuan,50.00,");
  assert_null(strstr(csv, "777777")); /* 2025-07 */
  assert_null(strstr(csv, "999"));    /* 2025-H2 */
  assert_null(strstr(csv, "888"));    /* 2024-H1 */
#undef A1
  /* Every stats value read is a line of its own (source stats), once. */
  int stats_lines = 0;
  for (const char *p = csv; (p = strstr(p, ",stats,")) != NULL; p++)
    stats_lines++;
  assert_int_equal(stats_lines, r.nrows);
  free(csv);
  ew_report_free(&r);
}

static void test_json(void **state) {
  fixture *fx = *state;
  ew_report r;
  build(fx, &r, "2025-H1", NULL, 50, 120);
  char *text = render(&r, ew_report_write_json);
  json_error_t jerr;
  json_t *root = json_loads(text, 0, &jerr);
  if (!root)
    fail_msg("json: %s at line %d", jerr.text, jerr.line);
  assert_string_equal(json_string_value(json_object_get(root, "period")),
                      "2025-H1");
  assert_string_equal(json_string_value(json_object_get(root, "as_of")),
                      "2025-06-30T00:00:00+08:00");
  json_t *th = json_object_get(root, "thresholds");
  assert_int_equal(json_integer_value(json_object_get(th, "behind_below_pct")),
                   50);
  json_t *ags = json_object_get(root, "agencies");
  assert_int_equal(json_array_size(ags), 2);
  json_t *ag = json_array_get(ags, 0);
  assert_string_equal(json_string_value(json_object_get(ag, "name")),
                      "临夏州市场监督管理局");
  json_t *plan = json_object_get(ag, "plan_execution");
  json_t *items = json_object_get(plan, "items");
  assert_int_equal(json_array_size(items), 6);
  json_t *i2 = json_array_get(items, 1);
  assert_string_equal(json_string_value(json_object_get(i2, "item_id")), "I2");
  assert_int_equal(json_integer_value(json_object_get(i2, "planned")), 100);
  assert_int_equal(json_integer_value(json_object_get(i2, "executed")), 49);
  assert_true(json_real_value(json_object_get(i2, "ratio_pct")) == 49.0);
  assert_string_equal(json_string_value(json_object_get(i2, "flag")),
                      "推进不到位");
  json_t *i3 = json_array_get(items, 2);
  assert_true(json_is_null(json_object_get(i3, "flag")));
  json_t *i5 = json_array_get(items, 4);
  assert_true(json_is_null(json_object_get(i5, "planned")));
  assert_true(json_is_null(json_object_get(i5, "ratio_pct")));
  assert_true(json_real_value(json_object_get(plan, "ratio_pct")) == 82.0);
  assert_int_equal(json_integer_value(json_object_get(plan, "items_behind")),
                   2);
  json_t *insp = json_object_get(ag, "inspections");
  assert_int_equal(
      json_integer_value(json_object_get(insp, "inspections_total")), 20);
  assert_int_equal(json_integer_value(json_object_get(
                       json_object_get(insp, "by_trigger"), "COMPLAINT")),
                   5);
  json_t *alerts = json_object_get(json_object_get(ag, "alerts"), "by_rule");
  assert_int_equal(json_object_size(alerts), 3);
  assert_int_equal(json_integer_value(json_object_get(alerts, "R02")), 3);
  json_t *cs = json_object_get(ag, "complaints");
  assert_int_equal(json_array_size(cs), 2);
  json_t *q1 = json_array_get(cs, 0);
  assert_true(json_real_value(json_object_get(q1, "on_time_rate_pct")) == 75.0);
  assert_int_equal(json_integer_value(json_object_get(
                       json_object_get(q1, "by_channel"), "WEB")),
                   2);
  assert_true(
      json_is_null(json_object_get(json_array_get(cs, 1), "on_time_rate_pct")));
  json_t *fines = json_object_get(ag, "fines");
  assert_int_equal(json_array_size(fines), 6);
  json_t *jan = json_array_get(fines, 0);
  assert_string_equal(json_string_value(json_object_get(jan, "period")),
                      "2025-01");
  assert_int_equal(json_integer_value(json_object_get(jan, "fines_fen")),
                   123456);
  assert_string_equal(json_string_value(json_object_get(jan, "fines_yuan")),
                      "1234.56");
  json_t *tot = json_object_get(ag, "fines_total");
  assert_string_equal(json_string_value(json_object_get(tot, "fines_yuan")),
                      "2234.56");
  assert_int_equal(
      json_integer_value(json_object_get(
          json_object_get(json_array_get(fines, 2), "r23_alerts"), "R23a")),
      1);
  /* The raw values, for an analyst's own sums. */
  size_t nstats =
      json_array_size(json_object_get(ag, "stats")) +
      json_array_size(json_object_get(json_array_get(ags, 1), "stats"));
  assert_int_equal(nstats, r.nrows);
  /* Ratios print as written in the HTML (49.0, not 49.000000000000001). */
  assert_has(text, "\"ratio_pct\": 49.0,");
  json_decref(root);
  free(text);
  ew_report_free(&r);
}

static void test_html(void **state) {
  fixture *fx = *state;
  ew_report r;
  build(fx, &r, "2025-H1", NULL, 50, 120);
  char *html = render(&r, ew_report_write_html);
  assert_true(strncmp(html, "<!DOCTYPE html>", 15) == 0);
  assert_has(html, "<meta charset=\"utf-8\">");
  assert_has(html, "</html>\n");
  /* Self-contained: no script, no external resource. */
  assert_null(strstr(html, "<script"));
  assert_null(strstr(html, "<link"));
  assert_null(strstr(html, "src="));
  assert_null(strstr(html, "href="));
  assert_null(strstr(html, "url("));
  assert_null(strstr(html, "@import"));
  /* The sections and their numbers. */
  assert_has(html, "<table id=\"overview\">");
  assert_has(html, "<table id=\"inspections\">");
  assert_has(html, "<table id=\"triggers\">");
  assert_has(html, "<table id=\"alerts\">");
  assert_has(html, "<table id=\"complaints\">");
  assert_has(html, "<table id=\"complaint-channels\">");
  assert_has(html, "<table id=\"complaint-categories\">");
  assert_has(html, "<table id=\"fines\">");
  assert_has(html, "<table id=\"r23\">");
  assert_has(html, "data-metric=\"plan_item_flag:P1/I2\" "
                   "title=\"plan_item_flag:P1/I2 @ 2025-H1\">推进不到位</td>");
  assert_has(html, "data-metric=\"plan_item_flag:P1/I4\" "
                   "title=\"plan_item_flag:P1/I4 @ 2025-H1\">落实有偏差</td>");
  assert_has(html, "title=\"plan_item_ratio_pct:P1/I2 @ 2025-H1\">49.0%</td>");
  assert_has(html, "title=\"plan_ratio_pct @ 2025-H1\">82.0%</td>");
  assert_has(html,
             "title=\"complaints_on_time_rate_pct @ 2025-Q1\">75.0%</td>");
  assert_has(html, "title=\"fines_yuan @ 2025-01\">1234.56</td>");
  assert_has(html, "title=\"fines_yuan @ 2025-H1\">2234.56</td>");
  assert_has(html, "title=\"inspections_total @ 2025-H1\">20</td>");
  assert_has(html, "title=\"alerts_R19a @ 2025-H1\">1</td>");
  /* A chart per agency, with the month's value. */
  assert_has(html, "<svg xmlns=\"http://www.w3.org/2000/svg\"");
  assert_has(html, ">1234.56</text>");
  /* The agency name escaped. */
  assert_has(html, "县局,&quot;测试&quot;&lt;b&gt;");
  assert_null(strstr(html, "<b>\""));
  /* Each table explained, with its metric names. */
  assert_has(html, "<code>plan_item_planned:&lt;plan&gt;/&lt;item&gt;</code>");
  assert_has(html, "<code>complaints_on_time</code>");
  assert_has(html, "<code>fines_fen</code>");
  free(html);
  ew_report_free(&r);
}

/* Every number of the HTML is a value of the CSV: the text of each cell
 * with a data-metric appears on a CSV line of that metric. */
static void test_html_numbers_in_csv(void **state) {
  fixture *fx = *state;
  ew_report r;
  build(fx, &r, "2025-H1", NULL, 50, 120);
  char *html = render(&r, ew_report_write_html);
  char *csv = render(&r, ew_report_write_csv);
  int cells = 0;
  for (const char *p = html; (p = strstr(p, "<td")) != NULL; p++) {
    const char *end = strstr(p, "</td>");
    const char *m = strstr(p, "data-metric=\"");
    if (!m || m > end)
      continue;
    m += strlen("data-metric=\"");
    const char *t = strstr(m, "@ ");
    const char *gt = strchr(m, '>');
    if (!t || t > gt)
      continue;
    char metric[256], period[16], value[64], want[400];
    snprintf(metric, sizeof metric, "%.*s", (int)(strchr(m, '"') - m), m);
    snprintf(period, sizeof period, "%.*s", (int)(gt - 1 - (t + 2)), t + 2);
    snprintf(value, sizeof value, "%.*s", (int)(end - gt - 1), gt + 1);
    if (!*value || strcmp(value, "—") == 0)
      continue; /* no number (an empty flag cell) */
    char *pct = strchr(value, '%');
    if (pct)
      *pct = '\0';
    snprintf(want, sizeof want, ",%s,%s,%s,", period, metric, value);
    if (!strstr(csv, want))
      fail_msg("HTML cell %s not in the CSV", want);
    cells++;
  }
  assert_true(cells > 100);
  free(html);
  free(csv);
  ew_report_free(&r);
}

/* ---- the command ---- */

static int run(const fixture *fx, const char *out_name, ...) {
  char *argv[32];
  int argc = 0;
  va_list ap;
  argv[argc++] = "report";
  va_start(ap, out_name);
  for (const char *a; (a = va_arg(ap, const char *)) != NULL;)
    argv[argc++] = (char *)a;
  va_end(ap);
  char out[256];
  if (out_name) {
    snprintf(out, sizeof out, "%s/%s", fx->dir, out_name);
    argv[argc++] = "--out";
    argv[argc++] = out;
  }
  argv[argc] = NULL;
  return ew_cmd_report(argc, argv);
}

static void test_cmd_state(void **state) {
  fixture *fx = *state;
  char path[256];
  struct stat before, after;
  assert_int_equal(stat(fx->state, &before), 0);
  assert_int_equal(run(fx, "r.csv", "--period", "2025-H1", "--format", "csv",
                       "--state", fx->state, NULL),
                   EW_EXIT_OK);
  snprintf(path, sizeof path, "%s/r.csv", fx->dir);
  char *csv = slurp(path);
  assert_has(csv, "plan_item_flag:P1/I2,推进不到位,derived,");
  free(csv);
  /* Read-only: the state file is not touched. */
  assert_int_equal(stat(fx->state, &after), 0);
  assert_int_equal(before.st_size, after.st_size);
  assert_int_equal(before.st_mtime, after.st_mtime);

  assert_int_equal(run(fx, "a.csv", "--period", "2025-H1", "--format=csv",
                       "--agency", FX_AG2, "--state", fx->state, NULL),
                   EW_EXIT_OK);
  snprintf(path, sizeof path, "%s/a.csv", fx->dir);
  csv = slurp(path);
  assert_null(strstr(csv, FX_AG1));
  assert_has(csv, FX_AG2 ",");
  free(csv);

  assert_int_equal(run(fx, "t.json", "--period", "2025-H1", "--format", "json",
                       "--behind-below", "60", "--deviating-above", "110",
                       "--state", fx->state, NULL),
                   EW_EXIT_OK);
  snprintf(path, sizeof path, "%s/t.json", fx->dir);
  json_t *root = json_load_file(path, 0, NULL);
  assert_non_null(root);
  assert_true(strncmp(json_string_value(json_object_get(root, "source")),
                      "state file ", 11) == 0);
  json_t *plan = json_object_get(
      json_array_get(json_object_get(root, "agencies"), 0), "plan_execution");
  assert_int_equal(json_integer_value(json_object_get(plan, "items_behind")),
                   3);
  json_decref(root);

  assert_int_equal(
      run(fx, "r.html", "--period", "2025-H1", "--state", fx->state, NULL),
      EW_EXIT_OK);
  snprintf(path, sizeof path, "%s/r.html", fx->dir);
  char *html = slurp(path);
  assert_true(strncmp(html, "<!DOCTYPE html>", 15) == 0);
  free(html);
}

static void test_cmd_usage_and_failures(void **state) {
  fixture *fx = *state;
  char bad[256];
  assert_int_equal(run(fx, NULL, "--state", fx->state, NULL), EW_EXIT_USAGE);
  assert_int_equal(
      run(fx, NULL, "--period", "2025-H3", "--state", fx->state, NULL),
      EW_EXIT_USAGE);
  assert_int_equal(run(fx, NULL, "--period", "2025-H1", "--format", "pdf",
                       "--state", fx->state, NULL),
                   EW_EXIT_USAGE);
  assert_int_equal(run(fx, NULL, "--period", "2025-H1", NULL), EW_EXIT_USAGE);
  assert_int_equal(run(fx, NULL, "--period", "2025-H1", "--state", fx->state,
                       "x.jsonl", NULL),
                   EW_EXIT_USAGE);
  assert_int_equal(run(fx, NULL, "--period", "2025-H1", "--state", fx->state,
                       "--as-of", "2025-06-30", NULL),
                   EW_EXIT_USAGE);
  assert_int_equal(run(fx, NULL, "--period", "2025-H1", "--behind-below", "130",
                       "--state", fx->state, NULL),
                   EW_EXIT_USAGE);
  assert_int_equal(run(fx, NULL, "--period", "2025-H1", "--behind-below", "x",
                       "--state", fx->state, NULL),
                   EW_EXIT_USAGE);
  assert_int_equal(run(fx, NULL, "--period", "2025-H1", "--bogus", NULL),
                   EW_EXIT_USAGE);
  /* A state file that is not there, or not a state file. */
  snprintf(bad, sizeof bad, "%s/missing.db", fx->dir);
  assert_int_equal(run(fx, NULL, "--period", "2025-H1", "--state", bad, NULL),
                   EW_EXIT_FAIL);
  struct stat st;
  assert_int_equal(stat(bad, &st), -1); /* and not created */
  snprintf(bad, sizeof bad, "%s/plain.txt", fx->dir);
  FILE *fp = fopen(bad, "w");
  assert_non_null(fp);
  fputs("not a database\n", fp);
  fclose(fp);
  assert_int_equal(run(fx, NULL, "--period", "2025-H1", "--state", bad, NULL),
                   EW_EXIT_FAIL);
  /* An output that cannot be written. */
  assert_int_equal(run(fx, "no/such/dir.html", "--period", "2025-H1", "--state",
                       fx->state, NULL),
                   EW_EXIT_FAIL);
  /* A JSON Lines file that cannot be read. */
  snprintf(bad, sizeof bad, "%s/missing.jsonl", fx->dir);
  assert_int_equal(run(fx, NULL, "--period", "2025-H1", bad, NULL),
                   EW_EXIT_FAIL);
}

static void test_readonly_store_refuses_writes(void **state) {
  fixture *fx = *state;
  ew_store *s = NULL;
  char errstr[256];
  int64_t v;
  int found;
  assert_int_equal(ew_store_open_readonly(&s, fx->state, errstr, sizeof errstr),
                   0);
  assert_int_equal(ew_store_stats_get(s, FX_AG1, "2025-H1", "inspections_total",
                                      &v, NULL, &found),
                   0);
  assert_int_equal(found, 1);
  assert_int_equal(v, 20);
  assert_int_equal(
      ew_store_stats_add(s, FX_AG1, "2025-H1", "inspections_total", 1, 0, NULL),
      -1);
  const ew_record *rec = NULL;
  assert_int_equal(ew_store_ref_get(s, EW_REC_AGENCY, FX_AG1, &rec), 0);
  assert_non_null(rec);
  ew_store_close(s);

  /* An SQLite file that is no state file. */
  char path[256];
  snprintf(path, sizeof path, "%s/empty.db", fx->dir);
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  fclose(fp);
  assert_int_equal(ew_store_open_readonly(&s, path, errstr, sizeof errstr), -1);
  assert_null(s);
  assert_has(errstr, "not an enforcewatch state file");
}

/* A running daemon holds the file: the report reads the last commit and
 * neither waits for nor disturbs the open transaction. */
static void test_state_of_a_running_writer(void **state) {
  fixture *fx = *state;
  ew_store *w = NULL;
  char errstr[256], path[256];
  assert_int_equal(ew_store_open(&w, fx->state, errstr, sizeof errstr), 0);
  assert_int_equal(ew_store_begin(w), 0);
  stat_add(w, FX_AG1, "2025-H1", "inspections_total", 100);
  assert_int_equal(run(fx, "w.csv", "--period", "2025-H1", "--format", "csv",
                       "--state", fx->state, NULL),
                   EW_EXIT_OK);
  snprintf(path, sizeof path, "%s/w.csv", fx->dir);
  char *csv = slurp(path);
  assert_has(csv, ",2025-H1,inspections_total,20,stats,");
  free(csv);
  assert_int_equal(ew_store_commit(w), 0);
  assert_int_equal(run(fx, "w.csv", "--period", "2025-H1", "--format", "csv",
                       "--state", fx->state, NULL),
                   EW_EXIT_OK);
  csv = slurp(path);
  assert_has(csv, ",2025-H1,inspections_total,120,stats,");
  free(csv);
  ew_store_close(w);
}

/* JSON Lines through the engine (as `check`): the stats the engine keeps
 * are the report's numbers. */
static void test_cmd_jsonl(void **state) {
  fixture *fx = *state;
  char in[256], out[256];
  snprintf(in, sizeof in, "%s/in.jsonl", fx->dir);
  FILE *fp = fopen(in, "w");
  assert_non_null(fp);
  fputs("{\"type\":\"agency\",\"agency_uscc\":\"" FX_AG1
        "\",\"name\":\"临夏州市场监督管理局\",\"region_code\":\"622900\","
        "\"level\":\"PREFECTURE\",\"justice_bureau_uscc\":\"" FX_JB "\"}\n"
        "this line is bad\n",
        fp);
  for (int i = 1; i <= 3; i++)
    fprintf(fp,
            "{\"type\":\"penalty\",\"event_id\":\"e%d\",\"event_time\":"
            "\"2025-0%d-10T10:00:00+08:00\",\"decision_no\":\"D%d\","
            "\"case_id\":\"C%d\",\"agency_uscc\":\"" FX_AG1 "\","
            "\"enterprise_uscc\":\"" FX_ENT "\",\"procedure\":\"GENERAL\","
            "\"penalty_types\":[\"FINE\"],\"fine_fen\":%d,"
            "\"decided_at\":\"2025-0%d-10T10:00:00+08:00\","
            "\"violation_code\":\"V-1\",\"officers\":[]}\n",
            i, i, i, i, i * 10000, i);
  fclose(fp);
  assert_int_equal(run(fx, "j.csv", "--period", "2025-H1", "--format", "csv",
                       "--as-of", "2025-06-30T00:00:00+08:00", in, NULL),
                   EW_EXIT_OK);
  snprintf(out, sizeof out, "%s/j.csv", fx->dir);
  char *csv = slurp(out);
#define A1 FX_AG1 ",临夏州市场监督管理局,"
  assert_has(csv, A1 "2025-02,fines_fen,20000,stats,");
  assert_has(csv, A1 "2025-03,fines_yuan,300.00,derived,");
  assert_has(csv, A1 "2025-H1,penalties_total,3,stats,");
  assert_has(csv, A1 "2025-H1,fines_fen,60000,stats,");
#undef A1
  free(csv);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_periods),
      cmocka_unit_test_setup_teardown(test_numbers_and_flags, setup, teardown),
      cmocka_unit_test_setup_teardown(test_thresholds_are_options, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_quarter_and_month, setup, teardown),
      cmocka_unit_test_setup_teardown(test_agency_without_values, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_csv, setup, teardown),
      cmocka_unit_test_setup_teardown(test_json, setup, teardown),
      cmocka_unit_test_setup_teardown(test_html, setup, teardown),
      cmocka_unit_test_setup_teardown(test_html_numbers_in_csv, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_cmd_state, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cmd_usage_and_failures, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_readonly_store_refuses_writes, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_state_of_a_running_writer, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_cmd_jsonl, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
