/*
 * cmd_report.c - `enforcewatch report`: the periodic reports of rules.md §4
 * (half-year plan execution, quarterly complaints, monthly fines) as HTML,
 * CSV or JSON.
 *
 * The numbers are the stats stream's values (contract §5), read from the
 * daemon's state file (opened read-only, so a running daemon is not
 * disturbed) or computed from JSON Lines files by the same engine as
 * `enforcewatch check`, over an in-memory store. Either way the report
 * counts nothing itself (report.c): what it shows an analyst can rebuild
 * from the stream.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "engine.h"
#include "report.h"
#include "store.h"

static const char report_usage[] =
    "usage: enforcewatch report --period P [--agency USCC]\n"
    "           [--format html|csv|json] [--out FILE]\n"
    "           [--behind-below PCT] [--deviating-above PCT]\n"
    "           (--state FILE | [--config FILE] [--as-of TIME] FILE...)\n"
    "\n"
    "Writes the report of period P from the stats: plan execution per\n"
    "agency and plan item, inspections and R01-R19 alerts of P; complaints\n"
    "per quarter of P; fines per month of P, with charts in HTML.\n"
    "\n"
    "  --period P           2025-H1 (half-year), 2025-Q2 (quarter) or\n"
    "                       2025-03 (month)\n"
    "  --agency USCC        only this agency\n"
    "  --format F           html (default: one self-contained file), csv\n"
    "                       (agency, period, metric, value rows) or json\n"
    "  --out FILE           write to FILE (default: standard output)\n"
    "  --behind-below PCT   flag 推进不到位 when executed/planned < PCT%\n"
    "                       (default 50)\n"
    "  --deviating-above PCT  flag 落实有偏差 when executed/planned > PCT%\n"
    "                       (default 120)\n"
    "  --state FILE         read the daemon's state file (read-only)\n"
    "  FILE...              or run JSON Lines files (\"-\": standard input)\n"
    "                       through the engine as `enforcewatch check` does\n"
    "  --config FILE        rule configuration for FILE... (as check)\n"
    "  --as-of TIME         clock after the last file (as check)\n"
    "\n"
    "Exit status: 0 written, 1 a file or the store failed, 2 bad arguments.\n";

/* The replay's outputs (alerts, notices, stats records) are not wanted:
 * the report reads the store the engine left behind. */
static int report_discard(void *ud, const ew_record *out) {
  (void)ud;
  (void)out;
  return 0;
}

/* Runs the JSON Lines files into a new in-memory store. */
static int report_replay(ew_store **store, const char *config_path,
                         ew_time as_of, char **files, int nfiles) {
  ew_config cfg;
  ew_engine *engine = NULL;
  ew_replay replay;
  char errstr[512];
  int rc = -1;

  *store = NULL;
  if (ew_cli_config(&cfg, "report", config_path) != 0)
    return -2;
  if (ew_store_open(store, ":memory:", errstr, sizeof errstr) != 0) {
    fprintf(stderr, "report: store: %s\n", errstr);
    goto out;
  }
  if (ew_engine_new(&engine, *store, &cfg.rules, report_discard, NULL, errstr,
                    sizeof errstr) != 0) {
    fprintf(stderr, "report: engine: %s\n", errstr);
    goto out;
  }
  memset(&replay, 0, sizeof replay);
  replay.cmd = "report";
  replay.store = *store;
  replay.engine = engine;
  replay.as_of = as_of;
  if (ew_check_replay(&replay, files, nfiles) != 0)
    goto out;
  fprintf(stderr, "report: %" PRId64 " records, %" PRId64 " bad lines\n",
          replay.nrecords, replay.nbad);
  rc = 0;
out:
  ew_engine_destroy(engine);
  ew_config_free(&cfg);
  if (rc != 0) {
    ew_store_close(*store);
    *store = NULL;
  }
  return rc;
}

static int report_pct_opt(const char *opt, const char *arg, int *out) {
  int64_t v;
  if (!arg)
    return 0;
  if (ew_cli_int("report", opt, arg, 0, 100000, &v) != 0)
    return -1;
  *out = (int)v;
  return 0;
}

int ew_cmd_report(int argc, char **argv) {
  const char *period = NULL, *agency = NULL, *format = "html", *out_path = NULL;
  const char *state = NULL, *config_path = NULL, *as_of_arg = NULL;
  const char *low_arg = NULL, *high_arg = NULL;
  const ew_cli_opt opts[] = {{"period", &period, NULL},
                             {"agency", &agency, NULL},
                             {"format", &format, NULL},
                             {"out", &out_path, NULL},
                             {"state", &state, NULL},
                             {"config", &config_path, NULL},
                             {"as-of", &as_of_arg, NULL},
                             {"behind-below", &low_arg, NULL},
                             {"deviating-above", &high_arg, NULL}};
  ew_report_opts ro;
  ew_report rep;
  ew_store *store = NULL;
  ew_time as_of = EW_NONE;
  ew_period pp;
  char errstr[512], source[1024];
  FILE *fp = NULL;
  int rc = EW_EXIT_FAIL, nfiles, usage_bad = 0;

  memset(&ro, 0, sizeof ro);
  memset(&rep, 0, sizeof rep);
  ro.low_pct = 50;
  ro.high_pct = 120;
  nfiles = ew_cli_parse(argc, argv, opts, sizeof opts / sizeof opts[0]);
  if (nfiles == EW_CLI_HELP) {
    fputs(report_usage, stdout);
    return EW_EXIT_OK;
  }
  if (nfiles < 0)
    usage_bad = 1;
  else if (!period) {
    fprintf(stderr, "report: --period is required\n");
    usage_bad = 1;
  } else if (ew_period_parse(period, &pp) != 0) {
    fprintf(stderr,
            "report: --period: \"%s\" is not YYYY-Hn, YYYY-Qn or YYYY-MM\n",
            period);
    usage_bad = 1;
  } else if (strcmp(format, "html") != 0 && strcmp(format, "csv") != 0 &&
             strcmp(format, "json") != 0) {
    fprintf(stderr, "report: --format: \"%s\" is not html, csv or json\n",
            format);
    usage_bad = 1;
  } else if ((state != NULL) == (nfiles > 0)) {
    fprintf(stderr, "report: give either --state FILE or JSON Lines files\n");
    usage_bad = 1;
  } else if (state && (config_path || as_of_arg)) {
    fprintf(stderr, "report: --config and --as-of go with JSON Lines files, "
                    "not --state\n");
    usage_bad = 1;
  } else if (as_of_arg && ew_check_parse_time(as_of_arg, &as_of) != 0) {
    fprintf(stderr, "report: --as-of: not a time: \"%s\"\n", as_of_arg);
    usage_bad = 1;
  } else if (report_pct_opt("behind-below", low_arg, &ro.low_pct) != 0 ||
             report_pct_opt("deviating-above", high_arg, &ro.high_pct) != 0) {
    usage_bad = 1;
  } else if (ro.high_pct < ro.low_pct) {
    fprintf(stderr,
            "report: --deviating-above (%d) is below --behind-below (%d)\n",
            ro.high_pct, ro.low_pct);
    usage_bad = 1;
  }
  if (usage_bad) {
    fputs(report_usage, stderr);
    return EW_EXIT_USAGE;
  }

  if (state) {
    if (ew_store_open_readonly(&store, state, errstr, sizeof errstr) != 0) {
      fprintf(stderr, "report: %s\n", errstr);
      goto out;
    }
    snprintf(source, sizeof source, "state file %s", state);
  } else {
    int r = report_replay(&store, config_path, as_of, argv + 1, nfiles);
    if (r == -2)
      return EW_EXIT_USAGE;
    if (r != 0)
      goto out;
    int n = snprintf(source, sizeof source, "JSON Lines:");
    for (int i = 1; i <= nfiles && n >= 0 && (size_t)n < sizeof source; i++)
      n += snprintf(source + n, sizeof source - (size_t)n, " %s", argv[i]);
  }
  ro.period = period;
  ro.agency = agency;
  ro.source = source;
  if (ew_report_build(&rep, store, &ro, errstr, sizeof errstr) != 0) {
    fprintf(stderr, "report: %s\n", errstr);
    goto out;
  }

  fp = out_path ? fopen(out_path, "w") : stdout;
  if (!fp) {
    fprintf(stderr, "report: %s: %s\n", out_path, strerror(errno));
    goto out;
  }
  errno = 0;
  int wrc = strcmp(format, "html") == 0  ? ew_report_write_html(&rep, fp)
            : strcmp(format, "csv") == 0 ? ew_report_write_csv(&rep, fp)
                                         : ew_report_write_json(&rep, fp);
  if (fflush(fp) != 0 || ferror(fp))
    wrc = -1;
  int err = errno ? errno : EIO;
  if (out_path && fclose(fp) != 0 && wrc == 0) {
    wrc = -1;
    err = errno ? errno : EIO;
  }
  fp = NULL;
  if (wrc != 0) {
    fprintf(stderr, "report: %s: %s\n", out_path ? out_path : "stdout",
            strerror(err));
    goto out;
  }
  fprintf(stderr, "report: %s, %zu agencies, %" PRId64 " stats values\n",
          rep.period.name, rep.nagencies, rep.nrows);
  rc = EW_EXIT_OK;
out:
  ew_report_free(&rep);
  ew_store_close(store);
  return rc;
}
