/*
 * report.h - the periodic reports of rules.md §4 (issue 5), built from the
 * stats stream.
 *
 * One model, three renderings: ew_report_build reads the stats values of a
 * period (ew_store_stats_scan) and the agencies' names (reference records),
 * computes what the report derives from them (plan-execution ratios and
 * their flags, complaint rates, yuan), and the writers print that model as
 * HTML, CSV or JSON. The writers compute nothing: every number the HTML
 * shows is a field of the model, which the CSV and the JSON carry too.
 *
 * The report covers a period P and the periods inside it: plan execution,
 * inspections and alert counts of P itself; complaints per quarter of P (P
 * itself when P is a quarter or a month); fines per month of P.
 */
#ifndef EW_REPORT_H
#define EW_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"
#include "record.h"
#include "store.h"

enum { EW_PERIOD_MONTH, EW_PERIOD_QUARTER, EW_PERIOD_HALF };

/* A period as the stats name it: "2025-03", "2025-Q1", "2025-H1". */
typedef struct ew_period {
  int kind; /* EW_PERIOD_* */
  int year;
  int n;         /* month 1-12, quarter 1-4, half 1-2 */
  char name[12]; /* "2025-H1" */
} ew_period;

/* Parses YYYY-MM, YYYY-Qn or YYYY-Hn. Returns 0, or -1 when `s` is none. */
int ew_period_parse(const char *s, ew_period *out);
/* The periods of `kind` inside `p`, in order (a half has 2 quarters and 6
 * months); `p` itself when `kind` is not finer than p's. Returns how many
 * were written to out (at most 6). */
int ew_period_split(const ew_period *p, int kind, ew_period out[6]);

/* Flags of a plan item (or an agency's plan total). */
enum {
  EW_FLAG_NONE,
  EW_FLAG_BEHIND,   /* 推进不到位: executed/planned below low_pct */
  EW_FLAG_DEVIATING /* 落实有偏差: executed/planned above high_pct */
};
/* "推进不到位", "落实有偏差", or NULL for EW_FLAG_NONE. */
const char *ew_report_flag_text(int flag);

/* A count read from the stats: `present` = 0 when the stream has no value
 * for it (the report then shows 0). */
typedef struct ew_rcount {
  int64_t value;
  int present;
} ew_rcount;

/* A percentage of two counts, in tenths of a percent (456 = 45.6%),
 * rounded half up; `defined` = 0 when the denominator is 0. */
typedef struct ew_rpct {
  int64_t tenths;
  int defined;
} ew_rpct;

/* A count under a name inside a family of metrics (a trigger, a channel, a
 * rule id): `key` is the name's tail ("ANNUAL_PLAN", "R02"), `metric` the
 * whole metric name. */
typedef struct ew_rkeyed {
  const char *key, *metric;
  int64_t value;
} ew_rkeyed;

typedef struct ew_rkeyedv {
  ew_rkeyed *v;
  size_t n, cap;
} ew_rkeyedv;

typedef struct ew_report_item {
  const char *plan_id, *item_id;
  const char *planned_metric, *executed_metric;
  ew_rcount planned, executed;
  ew_rpct ratio; /* executed / planned */
  int flag;      /* EW_FLAG_*; EW_FLAG_NONE without a planned count */
} ew_report_item;

typedef struct ew_report_complaints {
  const char *period;
  ew_rcount total, concluded, on_time, substantiated, referred;
  ew_rpct on_time_rate;       /* on_time / concluded */
  ew_rpct substantiated_rate; /* substantiated / concluded */
  ew_rkeyedv channels, categories;
} ew_report_complaints;

typedef struct ew_report_fines {
  const char *period;
  ew_rcount penalties_total, penalties_fine, fines_fen, confiscated_fen;
  ew_rkeyedv r23; /* alerts_R23a ... present in the stats */
} ew_report_fines;

typedef struct ew_report_agency {
  const char *uscc;
  const char *name; /* from the agency registry; NULL when not on file */

  /* Plan execution of the report's period. */
  ew_report_item *items;
  size_t nitems, items_cap;
  int64_t planned_sum, executed_sum; /* over items with a planned count */
  ew_rpct plan_ratio;                /* executed_sum / planned_sum */
  int plan_flag;
  int64_t items_behind, items_deviating;

  /* Inspections of the report's period. */
  ew_rcount insp_total, insp_planned, insp_unplanned, insp_exempt, insp_joint,
      enterprises, insp_repeat;
  ew_rpct joint_rate; /* joint / total */
  ew_rkeyedv triggers;
  ew_rkeyedv alerts; /* alerts_R01 ... alerts_R19d, in rule order */
  ew_rcount alerts_total;

  ew_rcount complaints_total;         /* of the report's period */
  ew_report_complaints complaints[6]; /* per ew_report.cperiods */
  ew_report_fines fines[7];           /* per ew_report.fperiods, then P */

  /* Every stats value of the report's periods, as read. */
  ew_stat_row *rows;
  size_t nrows, rows_cap;
} ew_report_agency;

typedef struct ew_report_opts {
  const char *period; /* "2025-H1" */
  const char *agency; /* NULL: every agency */
  int low_pct;        /* 推进不到位 below this (50) */
  int high_pct;       /* 落实有偏差 above this (120) */
  const char *source; /* what the numbers were read from, for the reader */
} ew_report_opts;

typedef struct ew_report {
  ew_period period;
  ew_period cperiods[6]; /* complaint periods: quarters of P, or P */
  int ncperiods;
  ew_period fperiods[6]; /* fine periods: months of P */
  int nfperiods;
  int low_pct, high_pct;
  const char *agency_filter; /* NULL: every agency */
  const char *source;
  ew_time as_of; /* the latest as_of of the values read; EW_NONE: none */
  ew_report_agency *agencies; /* in USCC order */
  size_t nagencies, agencies_cap;
  int64_t nrows; /* stats values read */
  ew_arena arena;
} ew_report;

/* Builds the report of o->period from the stats of `store`. Returns 0, or
 * -1 with the reason in errstr. `r` is to be freed with ew_report_free in
 * either case. */
int ew_report_build(ew_report *r, ew_store *store, const ew_report_opts *o,
                    char *errstr, size_t errstr_size);
void ew_report_free(ew_report *r);

/* Writers: 0, or -1 when the stream failed (errno set by stdio). */
int ew_report_write_csv(const ew_report *r, FILE *fp);
int ew_report_write_json(const ew_report *r, FILE *fp);
int ew_report_write_html(const ew_report *r, FILE *fp); /* report_html.c */

/* Shared by the writers. */
/* "45.6" (tenths of a percent). */
char *ew_report_pct(ew_rpct p, char buf[32]);
/* "1234.50" (fen as yuan, 2 decimals). */
char *ew_report_yuan(int64_t fen, char buf[32]);
/* Chinese label of a trigger, channel or category symbol; NULL if none. */
const char *ew_report_label_trigger(const char *sym);
const char *ew_report_label_channel(const char *sym);
const char *ew_report_label_category(const char *sym);
/* Families of keyed metrics, for ew_report_key_cmp. */
enum { EW_KEYS_TRIGGER, EW_KEYS_CHANNEL, EW_KEYS_CATEGORY, EW_KEYS_RULE };
/* Orders two keys of a family as the report lists them: symbols in their
 * enum order (unknown ones last, by name), rule ids by number then
 * letter. Returns <0, 0 or >0. */
int ew_report_key_cmp(int family, const char *a, const char *b);
/* Title of a rule family ("R19" of "R19a"), Chinese; NULL if unknown. */
const char *ew_report_rule_title(const char *rule_id);

#endif /* EW_REPORT_H */
