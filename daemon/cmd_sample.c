/*
 * cmd_sample.c - `enforcewatch sample`: the follow-up sample of rules.md §4
 * item 2 (电话走访/网络问卷). Which enterprises a supervisor phones, per
 * agency, about the inspections they had in a period, with the
 * questionnaire to ask them.
 *
 * The population is read from the daemon's state file (read-only: the
 * daemon may be running) or built from JSON Lines files by the very replay
 * `enforcewatch check` runs (ew_check_replay), so that both see the same
 * inspections: the history of inspections that took place (latest snapshot
 * STARTED or ENDED) with started_at in the period, and each enterprise's
 * credit grade from the credit_grade reference records. The draw itself is
 * sample.c's, a pure function specified in sample.h.
 *
 * The output holds nothing but the input and the parameters (no time of
 * the run), so the same input and seed give the same bytes: a rerun, or a
 * supervisor checking the draw, gets the same sheet.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "arena.h"
#include "cli.h"
#include "config.h"
#include "engine.h"
#include "ewtime.h"
#include "record.h"
#include "sample.h"
#include "store.h"

static const char sample_usage[] =
    "usage: enforcewatch sample --period PERIOD [options] --state FILE\n"
    "       enforcewatch sample --period PERIOD [options] FILE...\n"
    "\n"
    "Draws the 电话走访/网络问卷 follow-up sample (rules.md §4 item 2): per\n"
    "agency, enterprises it inspected in PERIOD (inspection STARTED or ENDED,\n"
    "started_at in the period), stratified by credit grade, reproducibly\n"
    "from a seed, with the questionnaire. The algorithm is in\n"
    "daemon/sample.h.\n"
    "\n"
    "  --period P     YYYY-Hn, YYYY-Qn or YYYY-MM (Asia/Shanghai)\n"
    "  --seed N       unsigned 64-bit seed; default: derived from the period\n"
    "                 (FNV-1a-64 of its text), so reruns agree\n"
    "  --agency USCC  only this agency (its draw does not change)\n"
    "  --rate R       share of each agency's enterprises, 0.05 or 5%\n"
    "                 (default 0.05)\n"
    "  --min N        at least N enterprises per agency (default 5)\n"
    "  --max N        at most N enterprises per agency (default 50)\n"
    "  --format F     text (a printable sheet per agency, default), csv or\n"
    "                 json\n"
    "  --out FILE     write there instead of standard output\n"
    "  --state FILE   read the daemon's SQLite state file, read-only\n"
    "  --config FILE  rule configuration for the replay of JSON Lines files\n"
    "\n"
    "FILE... are JSON Lines files replayed as `enforcewatch check` does\n"
    "(\"-\" is standard input). The seed used is printed on standard error\n"
    "and in the output.\n"
    "\n"
    "Exit status: 0 sample written, 1 input or output failed, 2 bad\n"
    "arguments.\n";

enum { FMT_TEXT, FMT_CSV, FMT_JSON };

typedef struct sample_ctx {
  const char *period;
  ew_time from, to;
  uint64_t seed;
  int seed_given;
  const char *agency; /* --agency, or NULL */
  ew_sample_params params;
  int format;
  ew_store *store;
  ew_arena arena; /* row strings, agency names */
  ew_sample_row *rows;
  size_t nrows, cap;
  int oom;
  ew_sample sample;
  const char **names; /* agency name per sample.agencies[i], NULL: none */
} sample_ctx;

/* ---- population ---- */

static int collect(void *ud, const ew_inspected_row *r) {
  sample_ctx *cx = ud;
  if (!r->agency_uscc || !r->enterprise_uscc || !r->inspection_id)
    return 0;
  if (cx->agency && strcmp(cx->agency, r->agency_uscc) != 0)
    return 0;
  if (cx->nrows == cx->cap) {
    size_t cap = cx->cap ? cx->cap * 2 : 256;
    ew_sample_row *v = realloc(cx->rows, cap * sizeof *v);
    if (!v) {
      cx->oom = 1;
      return 1;
    }
    cx->rows = v;
    cx->cap = cap;
  }
  ew_sample_row *row = &cx->rows[cx->nrows];
  row->agency_uscc = ew_arena_strdup(&cx->arena, r->agency_uscc);
  row->enterprise_uscc = ew_arena_strdup(&cx->arena, r->enterprise_uscc);
  row->inspection_id = ew_arena_strdup(&cx->arena, r->inspection_id);
  row->grade = -1;
  if (!row->agency_uscc || !row->enterprise_uscc || !row->inspection_id) {
    cx->oom = 1;
    return 1;
  }
  cx->nrows++;
  return 0;
}

/* The rows of the period with their credit grades, then the draw. */
static int sample_draw(sample_ctx *cx) {
  char errstr[512];
  const ew_record *rec;
  int rc = ew_store_inspected_scan(cx->store, cx->from, cx->to, collect, cx);
  if (cx->oom) {
    fprintf(stderr, "sample: out of memory\n");
    return -1;
  }
  if (rc != 0) {
    fprintf(stderr, "sample: store: %s\n", ew_store_errmsg(cx->store));
    return -1;
  }
  for (size_t i = 0; i < cx->nrows; i++) {
    ew_sample_row *row = &cx->rows[i];
    if (ew_store_ref_get(cx->store, EW_REC_CREDIT_GRADE, row->enterprise_uscc,
                         &rec) != 0) {
      fprintf(stderr, "sample: store: %s\n", ew_store_errmsg(cx->store));
      return -1;
    }
    row->grade = rec ? rec->u.credit_grade.grade : -1;
  }
  if (ew_sample_draw(cx->rows, cx->nrows, &cx->params, &cx->sample, errstr,
                     sizeof errstr) != 0) {
    fprintf(stderr, "%s\n", errstr);
    return -1;
  }
  cx->names = calloc(cx->sample.nagencies ? cx->sample.nagencies : 1,
                     sizeof *cx->names);
  if (!cx->names) {
    fprintf(stderr, "sample: out of memory\n");
    return -1;
  }
  for (size_t i = 0; i < cx->sample.nagencies; i++) {
    if (ew_store_ref_get(cx->store, EW_REC_AGENCY,
                         cx->sample.agencies[i].agency_uscc, &rec) != 0) {
      fprintf(stderr, "sample: store: %s\n", ew_store_errmsg(cx->store));
      return -1;
    }
    if (rec && rec->u.agency.name &&
        !(cx->names[i] = ew_arena_strdup(&cx->arena, rec->u.agency.name))) {
      fprintf(stderr, "sample: out of memory\n");
      return -1;
    }
  }
  return 0;
}

/* Outputs of the replay are not this command's: only its state is. */
static int discard(void *ud, const ew_record *out) {
  (void)ud;
  (void)out;
  return 0;
}

/* Replays `files` into an in-memory store (cx->store). Returns an exit
 * status. */
static int sample_replay(sample_ctx *cx, const char *config_path, char **files,
                         int nfiles) {
  ew_config cfg;
  ew_engine *engine = NULL;
  ew_replay replay;
  char errstr[512];
  int rc = EW_EXIT_FAIL;

  if (ew_cli_config(&cfg, "sample", config_path) != 0)
    return EW_EXIT_USAGE;
  if (ew_store_open(&cx->store, ":memory:", errstr, sizeof errstr) != 0) {
    fprintf(stderr, "sample: store: %s\n", errstr);
    goto out;
  }
  if (ew_engine_new(&engine, cx->store, &cfg.rules, discard, NULL, errstr,
                    sizeof errstr) != 0) {
    fprintf(stderr, "sample: engine: %s\n", errstr);
    goto out;
  }
  memset(&replay, 0, sizeof replay);
  replay.cmd = "sample";
  replay.store = cx->store;
  replay.engine = engine;
  replay.as_of = EW_NONE;
  if (ew_check_replay(&replay, files, nfiles) != 0)
    goto out;
  fprintf(stderr, "sample: %" PRId64 " records, %" PRId64 " bad lines\n",
          replay.nrecords, replay.nbad);
  rc = EW_EXIT_OK;
out:
  ew_engine_destroy(engine);
  ew_config_free(&cfg);
  return rc;
}

/* ---- output ---- */

/* "5%", "2.5%", "0.0001%". */
static void rate_text(uint32_t ppm, char *buf, size_t size) {
  unsigned whole = ppm / 10000, frac = ppm % 10000;
  if (!frac) {
    snprintf(buf, size, "%u%%", whole);
    return;
  }
  char f[8];
  snprintf(f, sizeof f, "%04u", frac);
  for (size_t n = strlen(f); n > 0 && f[n - 1] == '0'; n--)
    f[n - 1] = '\0';
  snprintf(buf, size, "%u.%s%%", whole, f);
}

/* The period's first and last day. */
static void period_days(const sample_ctx *cx, char first[11], char last[11]) {
  ew_time_date(cx->from, first);
  ew_time_date(cx->to - 1, last);
}

/* An RFC 4180 field: quoted when it holds a comma, quote or line end. */
static void csv_field(FILE *fp, const char *s, int last) {
  s = s ? s : "";
  if (strpbrk(s, ",\"\r\n")) {
    fputc('"', fp);
    for (; *s; s++) {
      if (*s == '"')
        fputc('"', fp);
      fputc(*s, fp);
    }
    fputc('"', fp);
  } else {
    fputs(s, fp);
  }
  fputc(last ? '\n' : ',', fp);
}

/* The inspection ids joined by ';' (malloc'd), NULL when out of memory. */
static char *joined_ids(const ew_sample_pick *p) {
  size_t len = 1;
  for (size_t j = 0; j < p->ninspections; j++)
    len += strlen(p->inspection_ids[j]) + 1;
  char *s = malloc(len), *end = s;
  for (size_t j = 0; s && j < p->ninspections; j++)
    end += sprintf(end, "%s%s", j ? ";" : "", p->inspection_ids[j]);
  if (s)
    *end = '\0';
  return s;
}

/* Returns 0, or -1 when out of memory. */
static int write_csv(const sample_ctx *cx, FILE *fp) {
  char seed[32], num[32];
  snprintf(seed, sizeof seed, "%" PRIu64, cx->seed);
  fputs("period,seed,agency_uscc,agency_name,agency_population,"
        "agency_sample_size,rank,enterprise_uscc,credit_grade,inspection_ids",
        fp);
  for (size_t q = 0; q < ew_sample_nquestions; q++)
    fprintf(fp, ",%s", ew_sample_questions[q].id);
  fputc('\n', fp);
  for (size_t i = 0; i < cx->sample.nagencies; i++) {
    const ew_sample_agency *ag = &cx->sample.agencies[i];
    for (size_t k = 0; k < ag->n; k++) {
      const ew_sample_pick *p = &ag->picks[k];
      char *ids = joined_ids(p);
      if (!ids)
        return -1;
      csv_field(fp, cx->period, 0);
      csv_field(fp, seed, 0);
      csv_field(fp, ag->agency_uscc, 0);
      csv_field(fp, cx->names[i], 0);
      snprintf(num, sizeof num, "%zu", ag->population);
      csv_field(fp, num, 0);
      snprintf(num, sizeof num, "%zu", ag->n);
      csv_field(fp, num, 0);
      snprintf(num, sizeof num, "%zu", p->rank);
      csv_field(fp, num, 0);
      csv_field(fp, p->enterprise_uscc, 0);
      csv_field(fp, ew_sample_stratum_name(p->stratum), 0);
      csv_field(fp, ids, 0);
      free(ids);
      /* the answers, to be filled in */
      for (size_t q = 0; q < ew_sample_nquestions; q++)
        csv_field(fp, "", q + 1 == ew_sample_nquestions);
    }
  }
  return 0;
}

static void write_text(const sample_ctx *cx, FILE *fp) {
  static const char rule[] = "============================================"
                             "==================================\n";
  static const char thin[] = "--------------------------------------------"
                             "----------------------------------\n";
  char first[11], last[11], rate[32];
  period_days(cx, first, last);
  rate_text(cx->params.rate_ppm, rate, sizeof rate);
  for (size_t i = 0; i < cx->sample.nagencies; i++) {
    const ew_sample_agency *ag = &cx->sample.agencies[i];
    if (i)
      fputc('\f', fp); /* one agency per printed page */
    fputs(rule, fp);
    fputs("涉企行政检查 电话走访/网络问卷 抽样单\n"
          "Follow-up sample of enterprise inspections (phone / online "
          "questionnaire)\n",
          fp);
    fputs(rule, fp);
    fprintf(fp, "执法部门 Agency:      %s (%s)\n",
            cx->names[i] ? cx->names[i] : ag->agency_uscc, ag->agency_uscc);
    fprintf(fp, "期间 Period:          %s (%s 至 %s)\n", cx->period, first,
            last);
    fprintf(fp, "随机种子 Seed:        %" PRIu64 "%s\n", cx->seed,
            cx->seed_given ? "" : " (由期间生成 derived from the period)");
    fprintf(fp,
            "抽样 Rule:            %s, 最少 min %zu, 最多 max %zu; "
            "按信用等级分层 stratified by credit grade\n",
            rate, cx->params.min, cx->params.max);
    fprintf(fp, "受检企业 Inspected:   %zu (", ag->population);
    for (int s = 0; s < EW_SAMPLE_NSTRATA; s++)
      fprintf(fp, "%s%s %zu", s ? ", " : "", ew_sample_stratum_name(s),
              ag->stratum_pop[s]);
    fprintf(fp, ")\n抽取 Drawn:           %zu (", ag->n);
    for (int s = 0; s < EW_SAMPLE_NSTRATA; s++)
      fprintf(fp, "%s%s %zu", s ? ", " : "", ew_sample_stratum_name(s),
              ag->stratum_size[s]);
    fputs(")\n", fp);
    for (size_t k = 0; k < ag->n; k++) {
      const ew_sample_pick *p = &ag->picks[k];
      fputs(thin, fp);
      fprintf(fp, "%zu. 企业 Enterprise: %s    信用等级 Credit grade: %s\n",
              p->rank, p->enterprise_uscc, ew_sample_stratum_name(p->stratum));
      fputs("   检查 Inspections: ", fp);
      for (size_t j = 0; j < p->ninspections; j++)
        fprintf(fp, "%s%s", j ? ", " : "", p->inspection_ids[j]);
      fputs("\n   走访日期 Date: __________  走访人 Caller: __________  "
            "联系人/电话 Contact: ____________________\n",
            fp);
      for (size_t q = 0; q < ew_sample_nquestions; q++) {
        const ew_sample_question *qu = &ew_sample_questions[q];
        if (qu->concern)
          fprintf(fp, "   (%zu) %s  □是 Yes  □否 No   [%s]\n       %s\n", q + 1,
                  qu->zh, qu->rules, qu->en);
        else
          fprintf(fp,
                  "   (%zu) %s %s:\n"
                  "       ________________________________________________"
                  "______________\n",
                  q + 1, qu->zh, qu->en);
      }
    }
    fputs(rule, fp);
    fputs("回答“否”(1)(2)(5) 或“是”(3)(4) 的，按投诉举报登记 (channel PHONE 或 "
          "WEB)，\n转入 R05、R06、R22 核查。An answer of concern is "
          "registered as a complaint\n(channel PHONE or WEB) and checked "
          "under R05, R06, R22.\n",
          fp);
  }
  if (!cx->sample.nagencies)
    fprintf(fp, "%s: 无受检企业 no inspection started in the period%s%s\n",
            cx->period, cx->agency ? " by " : "", cx->agency ? cx->agency : "");
}

/* A JSON array of the comma-separated items of `s`. */
static json_t *json_list(const char *s) {
  json_t *a = json_array();
  while (a && *s) {
    size_t n = strcspn(s, ",");
    if (json_array_append_new(a, json_stringn(s, n)) != 0) {
      json_decref(a);
      return NULL;
    }
    s += n + (s[n] == ',');
  }
  return a;
}

static json_t *json_agency(const sample_ctx *cx, size_t i) {
  const ew_sample_agency *ag = &cx->sample.agencies[i];
  json_t *strata = json_object(), *picks = json_array();
  for (int s = 0; strata && s < EW_SAMPLE_NSTRATA; s++)
    if (json_object_set_new(strata, ew_sample_stratum_name(s),
                            json_pack("{s:I,s:I}", "population",
                                      (json_int_t)ag->stratum_pop[s], "sample",
                                      (json_int_t)ag->stratum_size[s])) != 0)
      goto fail;
  for (size_t k = 0; picks && k < ag->n; k++) {
    const ew_sample_pick *p = &ag->picks[k];
    json_t *ids = json_array();
    for (size_t j = 0; ids && j < p->ninspections; j++)
      if (json_array_append_new(ids, json_string(p->inspection_ids[j])) != 0) {
        json_decref(ids);
        goto fail;
      }
    if (!ids ||
        json_array_append_new(
            picks, json_pack("{s:I,s:s,s:s,s:o}", "rank", (json_int_t)p->rank,
                             "enterprise_uscc", p->enterprise_uscc,
                             "credit_grade", ew_sample_stratum_name(p->stratum),
                             "inspection_ids", ids)) != 0)
      goto fail;
  }
  if (!strata || !picks)
    goto fail;
  return json_pack("{s:s,s:s?,s:I,s:I,s:o,s:o}", "agency_uscc", ag->agency_uscc,
                   "agency_name", cx->names[i], "population",
                   (json_int_t)ag->population, "sample_size", (json_int_t)ag->n,
                   "strata", strata, "sample", picks);
fail:
  json_decref(strata);
  json_decref(picks);
  return NULL;
}

/* Returns 0 (a failed write is left to ferror), or -1 when the document
 * could not be built. */
static int write_json(const sample_ctx *cx, FILE *fp) {
  char seed[32], from[EW_TIME_BUFSZ], to[EW_TIME_BUFSZ], rate[32];
  json_t *qs = json_array(), *ags = json_array(), *root = NULL;
  int rc = -1;
  snprintf(seed, sizeof seed, "%" PRIu64, cx->seed);
  rate_text(cx->params.rate_ppm, rate, sizeof rate);
  for (size_t q = 0; qs && q < ew_sample_nquestions; q++) {
    const ew_sample_question *qu = &ew_sample_questions[q];
    if (json_array_append_new(
            qs,
            json_pack("{s:s,s:s,s:s,s:o,s:s?,s:s?}", "id", qu->id, "zh", qu->zh,
                      "en", qu->en, "rules", json_list(qu->rules), "concern",
                      qu->concern, "complaint_category", qu->category)) != 0)
      goto out;
  }
  for (size_t i = 0; ags && i < cx->sample.nagencies; i++)
    if (json_array_append_new(ags, json_agency(cx, i)) != 0)
      goto out;
  if (!qs || !ags)
    goto out;
  /* The seed is a string: JSON readers keep only 53 bits of a number. */
  root = json_pack(
      "{s:s,s:s,s:s,s:s,s:b,s:s,s:I,s:I,s:s,s:O,s:O}", "period", cx->period,
      "from", ew_time_format(cx->from, from), "to", ew_time_format(cx->to, to),
      "seed", seed, "seed_derived_from_period", !cx->seed_given, "rate", rate,
      "min", (json_int_t)cx->params.min, "max", (json_int_t)cx->params.max,
      "algorithm",
      "splitmix64 per agency from seed XOR FNV-1a-64(agency_uscc); "
      "largest-remainder allocation over A,B,C,D,UNKNOWN; each stratum "
      "sorted by enterprise_uscc, then partial Fisher-Yates "
      "(daemon/sample.h)",
      "questionnaire", qs, "agencies", ags);
  if (!root)
    goto out;
  /* a failed write shows in ferror(fp), which the caller reports */
  if (json_dumpf(root, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0)
    fputc('\n', fp);
  rc = 0;
out:
  json_decref(root);
  json_decref(qs);
  json_decref(ags);
  return rc;
}

/* Writes the sample to `path` (NULL: stdout). Returns an exit status. */
static int sample_write(const sample_ctx *cx, const char *path) {
  FILE *fp = path ? fopen(path, "w") : stdout;
  int rc = 0;
  if (!fp) {
    fprintf(stderr, "sample: %s: %s\n", path, strerror(errno));
    return EW_EXIT_FAIL;
  }
  errno = 0;
  if (cx->format == FMT_CSV)
    rc = write_csv(cx, fp);
  else if (cx->format == FMT_JSON)
    rc = write_json(cx, fp);
  else
    write_text(cx, fp);
  if (rc != 0)
    fprintf(stderr, "sample: out of memory\n");
  if (fflush(fp) != 0 || ferror(fp)) {
    fprintf(stderr, "sample: %s: %s\n", path ? path : "stdout",
            strerror(errno ? errno : EIO));
    rc = -1;
  }
  if (path && fclose(fp) != 0 && rc == 0) {
    fprintf(stderr, "sample: %s: %s\n", path, strerror(errno));
    rc = -1;
  }
  return rc ? EW_EXIT_FAIL : EW_EXIT_OK;
}

/* ---- arguments ---- */

static int parse_seed(const char *s, uint64_t *out) {
  char *end;
  if (!s || *s < '0' || *s > '9')
    return -1;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end)
    return -1;
  *out = v;
  return 0;
}

static int parse_args(sample_ctx *cx, const char *seed, const char *rate,
                      const char *min, const char *max, const char *format) {
  int64_t v;
  if (!cx->period) {
    fprintf(stderr, "sample: --period is required\n");
    return -1;
  }
  if (ew_sample_period(cx->period, &cx->from, &cx->to) != 0) {
    fprintf(stderr,
            "sample: --period: expected YYYY-Hn, YYYY-Qn or YYYY-MM, got "
            "\"%s\"\n",
            cx->period);
    return -1;
  }
  cx->seed = ew_sample_default_seed(cx->period);
  if (seed) {
    if (parse_seed(seed, &cx->seed) != 0) {
      fprintf(stderr,
              "sample: --seed: expected an unsigned 64-bit integer, got "
              "\"%s\"\n",
              seed);
      return -1;
    }
    cx->seed_given = 1;
  }
  if (rate && ew_sample_parse_rate(rate, &cx->params.rate_ppm) != 0) {
    fprintf(stderr,
            "sample: --rate: expected a share from 0 to 1 (0.05) or a "
            "percentage (5%%), got \"%s\"\n",
            rate);
    return -1;
  }
  if (min) {
    if (ew_cli_int("sample", "min", min, 0, 1000000, &v) != 0)
      return -1;
    cx->params.min = (size_t)v;
  }
  if (max) {
    if (ew_cli_int("sample", "max", max, 0, 1000000, &v) != 0)
      return -1;
    cx->params.max = (size_t)v;
  }
  if (cx->params.min > cx->params.max) {
    fprintf(stderr, "sample: --min %zu is above --max %zu\n", cx->params.min,
            cx->params.max);
    return -1;
  }
  if (!format || strcmp(format, "text") == 0)
    cx->format = FMT_TEXT;
  else if (strcmp(format, "csv") == 0)
    cx->format = FMT_CSV;
  else if (strcmp(format, "json") == 0)
    cx->format = FMT_JSON;
  else {
    fprintf(stderr,
            "sample: --format: expected text, csv or json, got \"%s\"\n",
            format);
    return -1;
  }
  return 0;
}

int ew_cmd_sample(int argc, char **argv) {
  const char *seed = NULL, *rate = NULL, *min = NULL, *max = NULL,
             *format = NULL, *out = NULL, *state = NULL, *config = NULL;
  sample_ctx cx;
  memset(&cx, 0, sizeof cx);
  cx.params = (ew_sample_params){0, 50000, 5, 50};
  const ew_cli_opt opts[] = {
      {"period", &cx.period, NULL}, {"seed", &seed, NULL},
      {"agency", &cx.agency, NULL}, {"rate", &rate, NULL},
      {"min", &min, NULL},          {"max", &max, NULL},
      {"format", &format, NULL},    {"out", &out, NULL},
      {"state", &state, NULL},      {"config", &config, NULL}};
  char errstr[512];
  int rc = EW_EXIT_FAIL;

  int nfiles = ew_cli_parse(argc, argv, opts, sizeof opts / sizeof opts[0]);
  if (nfiles == EW_CLI_HELP) {
    fputs(sample_usage, stdout);
    return EW_EXIT_OK;
  }
  if (nfiles >= 0 && parse_args(&cx, seed, rate, min, max, format) != 0)
    nfiles = -1;
  if (nfiles >= 0 && (nfiles > 0) == (state != NULL)) {
    fprintf(stderr, "sample: give either --state FILE or JSON Lines files\n");
    nfiles = -1;
  }
  if (nfiles >= 0 && state && config) {
    fprintf(stderr, "sample: --config is for the replay of JSON Lines files\n");
    nfiles = -1;
  }
  if (nfiles < 0) {
    fputs(sample_usage, stderr);
    return EW_EXIT_USAGE;
  }
  cx.params.seed = cx.seed;

  if (state) {
    if (ew_store_open_readonly(&cx.store, state, errstr, sizeof errstr) != 0) {
      fprintf(stderr, "sample: %s\n", errstr);
      goto done;
    }
  } else if ((rc = sample_replay(&cx, config, argv + 1, nfiles)) !=
             EW_EXIT_OK) {
    goto done;
  }
  rc = EW_EXIT_FAIL;
  if (sample_draw(&cx) != 0)
    goto done;
  size_t drawn = 0;
  for (size_t i = 0; i < cx.sample.nagencies; i++)
    drawn += cx.sample.agencies[i].n;
  fprintf(stderr,
          "sample: period %s, seed %" PRIu64 "%s, %zu agencies, %zu "
          "inspections, %zu enterprises drawn\n",
          cx.period, cx.seed, cx.seed_given ? "" : " (derived from the period)",
          cx.sample.nagencies, cx.nrows, drawn);
  rc = sample_write(&cx, out);

done:
  ew_store_close(cx.store);
  ew_sample_free(&cx.sample);
  free(cx.rows);
  free(cx.names);
  ew_arena_free(&cx.arena);
  return rc;
}
