/*
 * report_html.c - the report model as one self-contained HTML file: inline
 * CSS, inline SVG charts, no script and nothing fetched, so that the file
 * can be mailed to a supervisor and opened offline.
 *
 * Every number printed is a field of the model (report.h), formatted by the
 * same helpers as the CSV and JSON, and every cell names the stats metric it
 * shows in its title (visible on hover) and data-metric attribute.
 */
#include <inttypes.h>
#include <string.h>

#include "ewtime.h"
#include "report.h"

static void esc(FILE *fp, const char *s) {
  for (; s && *s; s++) {
    switch (*s) {
    case '&':
      fputs("&amp;", fp);
      break;
    case '<':
      fputs("&lt;", fp);
      break;
    case '>':
      fputs("&gt;", fp);
      break;
    case '"':
      fputs("&quot;", fp);
      break;
    case '\'':
      fputs("&#39;", fp);
      break;
    default:
      fputc(*s, fp);
    }
  }
}

/* A table cell holding `text`, from `metric` of `period` (both NULL-able). */
static void cell(FILE *fp, const char *cls, const char *period,
                 const char *metric, const char *text) {
  fputs("<td", fp);
  if (cls) {
    fputs(" class=\"", fp);
    esc(fp, cls);
    fputc('"', fp);
  }
  if (metric) {
    fputs(" data-metric=\"", fp);
    esc(fp, metric);
    fputs("\" title=\"", fp);
    esc(fp, metric);
    if (period) {
      fputs(" @ ", fp);
      esc(fp, period);
    }
    fputc('"', fp);
  }
  fputc('>', fp);
  esc(fp, text);
  fputs("</td>", fp);
}

static void cell_count(FILE *fp, const char *period, const char *metric,
                       ew_rcount v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%" PRId64, v.value);
  cell(fp, v.present ? "num" : "num absent", period, metric, buf);
}

static void cell_int(FILE *fp, const char *period, const char *metric,
                     int64_t v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%" PRId64, v);
  cell(fp, "num", period, metric, buf);
}

static void cell_pct(FILE *fp, const char *period, const char *metric,
                     ew_rpct p) {
  char buf[40];
  if (!p.defined) {
    cell(fp, "num none", period, metric, "—");
    return;
  }
  ew_report_pct(p, buf);
  strcat(buf, "%");
  cell(fp, "num", period, metric, buf);
}

static void cell_yuan(FILE *fp, const char *period, const char *metric,
                      int64_t fen) {
  char buf[32];
  cell(fp, "num", period, metric, ew_report_yuan(fen, buf));
}

static void cell_flag(FILE *fp, const char *period, const char *metric,
                      int flag) {
  const char *t = ew_report_flag_text(flag);
  cell(fp,
       flag == EW_FLAG_BEHIND      ? "flag behind"
       : flag == EW_FLAG_DEVIATING ? "flag deviating"
                                   : "flag",
       period, metric, t ? t : "");
}

/* The agency's header cell, spanning `rows` rows of a per-period table. */
static void agency_cell_span(FILE *fp, const ew_report_agency *ag, int rows) {
  if (rows > 1)
    fprintf(fp, "<th scope=\"rowgroup\" rowspan=\"%d\" class=\"agency\">",
            rows);
  else
    fputs("<th scope=\"row\" class=\"agency\">", fp);
  if (ag->name) {
    esc(fp, ag->name);
    fputs("<br><span class=\"uscc\">", fp);
    esc(fp, ag->uscc);
    fputs("</span>", fp);
  } else {
    esc(fp, ag->uscc);
    fputs("<br><span class=\"uscc\">(名称未登记 / name not on file)</span>",
          fp);
  }
  fputs("</th>", fp);
}

static void agency_cell(FILE *fp, const ew_report_agency *ag) {
  agency_cell_span(fp, ag, 1);
}

/* A row of `ag`'s numbers: data-agency lets a reader (or a test) tell
 * whose they are in tables where the agency cell spans several rows. */
static void tr(FILE *fp, const ew_report_agency *ag, const char *cls) {
  fputs("<tr", fp);
  if (cls)
    fprintf(fp, " class=\"%s\"", cls);
  fputs(" data-agency=\"", fp);
  esc(fp, ag->uscc);
  fputs("\">", fp);
}

static void agency_title(FILE *fp, const ew_report_agency *ag) {
  esc(fp, ag->name ? ag->name : ag->uscc);
  if (ag->name) {
    fputs(" <span class=\"uscc\">", fp);
    esc(fp, ag->uscc);
    fputs("</span>", fp);
  }
}

static void th(FILE *fp, const char *zh, const char *en) {
  fputs("<th>", fp);
  esc(fp, zh);
  if (en) {
    fputs("<br><span class=\"en\">", fp);
    esc(fp, en);
    fputs("</span>", fp);
  }
  fputs("</th>", fp);
}

static void note(FILE *fp, const char *html) {
  fputs("<p class=\"note\">", fp);
  fputs(html, fp); /* our own text: already HTML */
  fputs("</p>\n", fp);
}

static const char css[] =
    "body{font-family:\"Noto Sans CJK SC\",\"WenQuanYi Zen Hei\",\"Microsoft "
    "YaHei\",sans-serif;margin:24px auto;max-width:1200px;color:#222;"
    "line-height:1.45;padding:0 16px}"
    "h1{font-size:26px;margin-bottom:4px}"
    "h2{font-size:20px;border-bottom:2px solid #1f4e79;padding-bottom:4px;"
    "margin-top:36px;color:#1f4e79}"
    "h3{font-size:16px;margin:22px 0 6px}"
    ".en{color:#666;font-weight:normal;font-size:85%}"
    ".uscc{color:#777;font-size:80%;font-family:monospace}"
    "table{border-collapse:collapse;margin:6px 0 4px;font-size:14px}"
    "th,td{border:1px solid #bbb;padding:4px 8px;vertical-align:top}"
    "thead th{background:#e8eef5;text-align:center}"
    "th.agency{text-align:left;background:#f7f7f7;font-weight:normal}"
    "td.num{text-align:right;font-variant-numeric:tabular-nums}"
    "td.absent{color:#999}td.none{color:#999;text-align:center}"
    "td.flag{text-align:center;font-weight:bold}"
    "td.behind{background:#fde2e1;color:#a00000}"
    "td.deviating{background:#fff3cd;color:#8a5a00}"
    "tr.total td,tr.total th{font-weight:bold;background:#f3f3f3}"
    ".note{color:#444;font-size:13px;max-width:1000px;margin:2px 0 14px}"
    ".note code,.glossary code{background:#f1f1f1;padding:0 3px}"
    ".meta td{border:none;padding:1px 10px 1px 0}"
    ".howto{background:#f4f8fb;border-left:4px solid #1f4e79;padding:8px 14px;"
    "font-size:14px}"
    ".legend-behind{background:#fde2e1;color:#a00000;padding:0 4px}"
    ".legend-deviating{background:#fff3cd;color:#8a5a00;padding:0 4px}"
    "svg{display:block;margin:6px 0 14px}"
    "footer{margin-top:40px;color:#777;font-size:12px}";

static void head(FILE *fp, const ew_report *r) {
  char t[EW_TIME_BUFSZ];
  fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta "
        "charset=\"utf-8\">\n<meta name=\"viewport\" "
        "content=\"width=device-width, initial-scale=1\">\n<title>",
        fp);
  fputs("涉企行政执法监督报告 ", fp);
  esc(fp, r->period.name);
  fputs("</title>\n<style>", fp);
  fputs(css, fp);
  fputs("</style>\n</head>\n<body>\n<header>\n<h1>涉企行政执法监督报告 ", fp);
  esc(fp, r->period.name);
  fputs("</h1>\n<p class=\"en\">Supervision report on enterprise-related "
        "administrative enforcement: plan execution, complaints and fines"
        "</p>\n<table class=\"meta\">\n",
        fp);
  fputs("<tr><td>报告期 / Period</td><td id=\"period\">", fp);
  esc(fp, r->period.name);
  fputs("</td></tr>\n<tr><td>投诉统计期 / Complaint periods</td><td>", fp);
  for (int i = 0; i < r->ncperiods; i++) {
    fputs(i ? ", " : "", fp);
    esc(fp, r->cperiods[i].name);
  }
  fputs("</td></tr>\n<tr><td>罚没统计期 / Fine periods</td><td>", fp);
  for (int i = 0; i < r->nfperiods; i++) {
    fputs(i ? ", " : "", fp);
    esc(fp, r->fperiods[i].name);
  }
  fputs("</td></tr>\n<tr><td>部门 / Agencies</td><td>", fp);
  if (r->agency_filter) {
    esc(fp, r->agency_filter);
  } else {
    fprintf(fp, "全部（%zu 个）/ all (%zu)", r->nagencies, r->nagencies);
  }
  fputs("</td></tr>\n<tr><td>数据来源 / Source</td><td>", fp);
  esc(fp, r->source ? r->source : "stats");
  fprintf(fp, "（统计值 %" PRId64 " 条 / %" PRId64 " stats values）", r->nrows,
          r->nrows);
  fputs("</td></tr>\n<tr><td>数据截至 / Stats as of</td><td>", fp);
  esc(fp, r->as_of != EW_NONE ? ew_time_format(r->as_of, t) : "—");
  fprintf(fp,
          "</td></tr>\n<tr><td>标记阈值 / Flag thresholds</td><td>"
          "<span class=\"legend-behind\">推进不到位</span> 执行率低于 %d%%"
          "（executed/planned below %d%%）；"
          "<span class=\"legend-deviating\">落实有偏差</span> 执行率高于 %d%%"
          "（above %d%%）</td></tr>\n</table>\n</header>\n",
          r->low_pct, r->low_pct, r->high_pct, r->high_pct);
  fputs(
      "<section class=\"howto\"><b>如何阅读 / How to read.</b> "
      "本报告的每个数字都来自 enforcewatch 的统计流（stats），按部门、期间和"
      "指标汇总；把鼠标停在数字上可看到它对应的指标名和期间。"
      "灰色的 0 表示统计流中没有该值（按 0 计）；“—”表示分母为 "
      "0，比率无从计算。"
      "同样的数字也以 CSV 和 JSON 格式提供（<code>enforcewatch report "
      "--format csv|json</code>）。<br><span class=\"en\">Every number comes "
      "from the enforcewatch stats stream, per agency, period and metric; "
      "hover "
      "a number to see its metric and period. A grey 0 means the stream holds "
      "no value (counted as 0); “—” means a ratio whose denominator is 0. The "
      "CSV and JSON forms carry the same numbers.</span></section>\n",
      fp);
}

static void overview(FILE *fp, const ew_report *r) {
  const char *p = r->period.name;
  fputs("<h2>总览 <span class=\"en\">Overview, ", fp);
  esc(fp, p);
  fputs("</span></h2>\n<table id=\"overview\">\n<thead><tr>", fp);
  th(fp, "部门", "Agency");
  th(fp, "检查总数", "inspections");
  th(fp, "计划外检查", "unplanned");
  th(fp, "计划执行率", "plan executed/planned");
  th(fp, "推进不到位项", "items behind");
  th(fp, "落实有偏差项", "items deviating");
  th(fp, "预警总数", "alerts");
  th(fp, "投诉举报", "complaints");
  th(fp, "罚款（元）", "fines, yuan");
  fputs("</tr></thead>\n<tbody>\n", fp);
  for (size_t i = 0; i < r->nagencies; i++) {
    const ew_report_agency *ag = &r->agencies[i];
    const ew_report_fines *tot = &ag->fines[r->nfperiods];
    tr(fp, ag, NULL);
    agency_cell(fp, ag);
    cell_count(fp, p, "inspections_total", ag->insp_total);
    cell_count(fp, p, "inspections_unplanned", ag->insp_unplanned);
    cell_pct(fp, p, "plan_ratio_pct", ag->plan_ratio);
    if (ag->nitems) {
      cell_int(fp, p, "plan_items_behind", ag->items_behind);
      cell_int(fp, p, "plan_items_deviating", ag->items_deviating);
    } else { /* no plan values: nothing to count */
      cell(fp, "num none", NULL, NULL, "—");
      cell(fp, "num none", NULL, NULL, "—");
    }
    cell_count(fp, p, "alerts_total", ag->alerts_total);
    cell_count(fp, p, "complaints_total", ag->complaints_total);
    cell_yuan(fp, p, "fines_yuan", tot->fines_fen.value);
    fputs("</tr>\n", fp);
  }
  fputs("</tbody>\n</table>\n", fp);
  if (r->nagencies == 0)
    note(fp, "本期统计流中没有任何部门的数值。/ The stats stream holds no "
             "value for this period.");
  note(fp,
       "每行一个部门（按统一社会信用代码排序）。计划执行率 = 各计划事项已执行"
       "企业数之和 ÷ 计划检查对象数之和（仅计列明检查对象的事项）。"
       "<span class=\"en\">One row per agency. Plan executed/planned = the sum "
       "of <code>plan_item_executed:*</code> over the sum of "
       "<code>plan_item_planned:*</code> (items that list their targets); the "
       "other columns are <code>inspections_total</code>, "
       "<code>inspections_unplanned</code>, <code>alerts_total</code>, "
       "<code>complaints_total</code> and <code>fines_fen</code>/100 of the "
       "report period.</span>");
}

/* The union of the keys of one keyed list per agency and sub-period (`of`
 * selects it), ordered as the report lists a family. */
typedef const ew_rkeyedv *(*keyed_of_fn)(const ew_report_agency *ag, int i);

static size_t union_keys(const ew_report *r, keyed_of_fn of, int nper,
                         int family, const char **keys, size_t max) {
  size_t n = 0;
  for (size_t a = 0; a < r->nagencies; a++)
    for (int i = 0; i < nper; i++) {
      const ew_rkeyedv *kv = of(&r->agencies[a], i);
      for (size_t k = 0; k < kv->n; k++) {
        size_t j = 0;
        while (j < n && strcmp(keys[j], kv->v[k].key) != 0)
          j++;
        if (j == n && n < max)
          keys[n++] = kv->v[k].key;
      }
    }
  for (size_t a = 1; a < n; a++) /* insertion sort: a few keys */
    for (size_t b = a;
         b > 0 && ew_report_key_cmp(family, keys[b], keys[b - 1]) < 0; b--) {
      const char *t = keys[b];
      keys[b] = keys[b - 1];
      keys[b - 1] = t;
    }
  return n;
}

static int64_t keyed_find(const ew_rkeyedv *kv, const char *key, int *found) {
  for (size_t j = 0; j < kv->n; j++)
    if (strcmp(kv->v[j].key, key) == 0) {
      *found = 1;
      return kv->v[j].value;
    }
  *found = 0;
  return 0;
}

static const ew_rkeyedv *triggers_of(const ew_report_agency *ag, int i) {
  (void)i;
  return &ag->triggers;
}

static void plan_section(FILE *fp, const ew_report *r) {
  const char *p = r->period.name;
  char m[1024];
  fputs("<h2>一、计划执行情况 <span class=\"en\">1. Plan execution, ", fp);
  esc(fp, p);
  fputs("</span></h2>\n", fp);
  fprintf(fp,
          "<p class=\"note\">“每半年一调度一推进”：逐部门、逐计划事项比较计划"
          "检查对象数与已检查企业数。执行率低于 %d%% 标记为"
          "<span class=\"legend-behind\">推进不到位</span>，高于 %d%% 标记为"
          "<span class=\"legend-deviating\">落实有偏差</span>（按精确比值判断，"
          "恰好等于阈值不标记）。<span class=\"en\">Per agency and plan item: "
          "<b>planned</b> = <code>plan_item_planned:&lt;plan&gt;/&lt;item&gt;"
          "</code> (the number of target enterprises the filed plan lists for "
          "the item, counted in the period of the item's window end); "
          "<b>executed</b> = <code>plan_item_executed:&lt;plan&gt;/&lt;item&gt;"
          "</code> (distinct enterprises inspected under the item, by "
          "inspection start). Ratio = executed/planned; flagged below %d%% or "
          "above %d%% (exact comparison; a ratio equal to a threshold is not "
          "flagged). An item without a planned count (no target list) shows "
          "“—”.</span></p>\n",
          r->low_pct, r->high_pct, r->low_pct, r->high_pct);
  for (size_t i = 0; i < r->nagencies; i++) {
    const ew_report_agency *ag = &r->agencies[i];
    fputs("<h3>", fp);
    agency_title(fp, ag);
    fputs("</h3>\n", fp);
    if (ag->nitems == 0) {
      note(fp, "本期没有计划事项的统计值。/ No plan item values in this "
               "period.");
      continue;
    }
    fputs("<table class=\"plan\" data-agency=\"", fp);
    esc(fp, ag->uscc);
    fputs("\">\n<thead><tr>", fp);
    th(fp, "计划", "plan_id");
    th(fp, "事项", "item_id");
    th(fp, "计划检查对象数", "planned");
    th(fp, "已检查企业数", "executed");
    th(fp, "执行率", "ratio");
    th(fp, "标记", "flag");
    fputs("</tr></thead>\n<tbody>\n", fp);
    for (size_t k = 0; k < ag->nitems; k++) {
      const ew_report_item *it = &ag->items[k];
      tr(fp, ag, NULL);
      fputs("<td>", fp);
      esc(fp, it->plan_id);
      fputs("</td><td>", fp);
      esc(fp, it->item_id);
      fputs("</td>", fp);
      if (it->planned.present)
        cell_count(fp, p, it->planned_metric, it->planned);
      else
        cell(fp, "num none", p, it->planned_metric, "—");
      cell_count(fp, p, it->executed_metric, it->executed);
      snprintf(m, sizeof m, "plan_item_ratio_pct:%s/%s", it->plan_id,
               it->item_id);
      cell_pct(fp, p, m, it->ratio);
      snprintf(m, sizeof m, "plan_item_flag:%s/%s", it->plan_id, it->item_id);
      cell_flag(fp, p, m, it->flag);
      fputs("</tr>\n", fp);
    }
    tr(fp, ag, "total");
    fputs("<td colspan=\"2\">合计 / total</td>", fp);
    cell_int(fp, p, "plan_planned_sum", ag->planned_sum);
    cell_int(fp, p, "plan_executed_sum", ag->executed_sum);
    cell_pct(fp, p, "plan_ratio_pct", ag->plan_ratio);
    cell_flag(fp, p, "plan_flag", ag->plan_flag);
    fputs("</tr>\n</tbody>\n</table>\n", fp);
  }

  /* Inspections */
  fputs("<h3>检查情况 <span class=\"en\">Inspections, ", fp);
  esc(fp, p);
  fputs("</span></h3>\n<table id=\"inspections\">\n<thead><tr>", fp);
  th(fp, "部门", "Agency");
  th(fp, "检查总数", "total");
  th(fp, "计划内", "planned");
  th(fp, "计划外", "unplanned");
  th(fp, "豁免情形", "exempt");
  th(fp, "联合检查", "joint");
  th(fp, "联合检查率", "joint rate");
  th(fp, "被检查企业数", "enterprises");
  th(fp, "重复检查", "repeat");
  fputs("</tr></thead>\n<tbody>\n", fp);
  for (size_t i = 0; i < r->nagencies; i++) {
    const ew_report_agency *ag = &r->agencies[i];
    tr(fp, ag, NULL);
    agency_cell(fp, ag);
    cell_count(fp, p, "inspections_total", ag->insp_total);
    cell_count(fp, p, "inspections_planned", ag->insp_planned);
    cell_count(fp, p, "inspections_unplanned", ag->insp_unplanned);
    cell_count(fp, p, "inspections_exempt", ag->insp_exempt);
    cell_count(fp, p, "inspections_joint", ag->insp_joint);
    cell_pct(fp, p, "inspections_joint_rate_pct", ag->joint_rate);
    cell_count(fp, p, "enterprises_inspected", ag->enterprises);
    cell_count(fp, p, "inspections_repeat", ag->insp_repeat);
    fputs("</tr>\n", fp);
  }
  fputs("</tbody>\n</table>\n", fp);
  note(fp,
       "按检查开始时间计入期间，计划中（未开始）和已取消的检查不计。计划内 = 有"
       "计划或双随机任务；豁免情形 = 无计划但属 R02 豁免的启动方式（投诉举报、"
       "案件查处、上级交办等）；计划外 = 二者皆非。重复检查 = 检查总数 − 被检查"
       "企业数。<span class=\"en\">Counted by inspection start; planned-only "
       "and cancelled inspections are not counted. Metrics: "
       "<code>inspections_total</code>, <code>inspections_planned</code> "
       "(plan_id or random_task_id), <code>inspections_exempt</code> (no plan, "
       "trigger exempt under R02), <code>inspections_unplanned</code> "
       "(neither), <code>inspections_joint</code> (joint_plan_id), joint rate "
       "= joint/total, <code>enterprises_inspected</code> (distinct), "
       "<code>inspections_repeat</code> (total − distinct "
       "enterprises).</span>");

  /* By trigger: the triggers present, in enum order. */
  const char *keys[64];
  size_t nkeys = union_keys(r, triggers_of, 1, EW_KEYS_TRIGGER, keys, 64);
  fputs("<h3>按启动方式 <span class=\"en\">Inspections by trigger, ", fp);
  esc(fp, p);
  fputs("</span></h3>\n", fp);
  if (nkeys == 0) {
    note(fp, "本期无按启动方式的统计值。/ No per-trigger values in this "
             "period.");
  } else {
    fputs("<table id=\"triggers\">\n<thead><tr>", fp);
    th(fp, "部门", "Agency");
    for (size_t k = 0; k < nkeys; k++) {
      const char *l = ew_report_label_trigger(keys[k]);
      th(fp, l ? l : keys[k], keys[k]);
    }
    fputs("</tr></thead>\n<tbody>\n", fp);
    for (size_t i = 0; i < r->nagencies; i++) {
      const ew_report_agency *ag = &r->agencies[i];
      tr(fp, ag, NULL);
      agency_cell(fp, ag);
      for (size_t k = 0; k < nkeys; k++) {
        int found;
        ew_rcount v;
        v.value = keyed_find(&ag->triggers, keys[k], &found);
        v.present = found;
        snprintf(m, sizeof m, "inspections_trigger_%s", keys[k]);
        if (found)
          cell_count(fp, p, m, v);
        else
          cell(fp, "num none", NULL, NULL, "—");
      }
      fputs("</tr>\n", fp);
    }
    fputs("</tbody>\n</table>\n", fp);
    note(fp, "每列一种启动方式（检查的 trigger_type），“—”表示该部门本期没有"
             "该值。<span class=\"en\">One column per trigger type present: "
             "<code>inspections_trigger_&lt;TRIGGER&gt;</code>; “—”: no value "
             "for that agency.</span>");
  }
}

static const ew_rkeyedv *alerts_of(const ew_report_agency *ag, int i) {
  (void)i;
  return &ag->alerts;
}

static void alerts_section(FILE *fp, const ew_report *r) {
  const char *p = r->period.name;
  const char *keys[128];
  char m[64];
  size_t n = union_keys(r, alerts_of, 1, EW_KEYS_RULE, keys, 128);
  fputs("<h3>R01–R19 预警 <span class=\"en\">Open alerts of rules R01–R19, ",
        fp);
  esc(fp, p);
  fputs("</span></h3>\n<table id=\"alerts\">\n<thead><tr>", fp);
  th(fp, "部门", "Agency");
  for (size_t k = 0; k < n; k++) {
    const char *t = ew_report_rule_title(keys[k]);
    th(fp, keys[k], t);
  }
  th(fp, "全部预警", "all rules");
  fputs("</tr></thead>\n<tbody>\n", fp);
  for (size_t i = 0; i < r->nagencies; i++) {
    const ew_report_agency *ag = &r->agencies[i];
    tr(fp, ag, NULL);
    agency_cell(fp, ag);
    for (size_t k = 0; k < n; k++) {
      int found;
      ew_rcount v;
      v.value = keyed_find(&ag->alerts, keys[k], &found);
      v.present = found;
      snprintf(m, sizeof m, "alerts_%s", keys[k]);
      if (found)
        cell_count(fp, p, m, v);
      else
        cell(fp, "num none", NULL, NULL, "—");
    }
    cell_count(fp, p, "alerts_total", ag->alerts_total);
    fputs("</tr>\n", fp);
  }
  fputs("</tbody>\n</table>\n", fp);
  note(
      fp,
      "每列一条规则（rules.md），数值为本期发现、目前仍未撤销（OPEN）的预警数，"
      "按发现时间计入期间；“全部预警”含所有规则（包括 R20–R25）。"
      "<span class=\"en\">One column per rule with a value: "
      "<code>alerts_&lt;rule_id&gt;</code> = alerts detected in the period "
      "and still OPEN (withdrawn ones are taken back). “all rules” is "
      "<code>alerts_total</code>, every rule included.</span>");
}

static const ew_rkeyedv *channels_of(const ew_report_agency *ag, int i) {
  return &ag->complaints[i].channels;
}
static const ew_rkeyedv *categories_of(const ew_report_agency *ag, int i) {
  return &ag->complaints[i].categories;
}

/* Returns the number of columns (0: no table, a note says so). */
static size_t keyed_table(FILE *fp, const ew_report *r, const char *id,
                          const char *prefix, keyed_of_fn of, int family,
                          const char *(*label_fn)(const char *)) {
  const char *keys[64];
  char m[256];
  size_t n = union_keys(r, of, r->ncperiods, family, keys, 64);
  if (n == 0) {
    note(fp, "本期无此项统计值。/ No values in these periods.");
    return 0;
  }
  fprintf(fp, "<table id=\"%s\">\n<thead><tr>", id);
  th(fp, "部门", "Agency");
  th(fp, "期间", "period");
  for (size_t k = 0; k < n; k++) {
    const char *l = label_fn(keys[k]);
    th(fp, l ? l : keys[k], keys[k]);
  }
  fputs("</tr></thead>\n<tbody>\n", fp);
  for (size_t i = 0; i < r->nagencies; i++) {
    const ew_report_agency *ag = &r->agencies[i];
    for (int q = 0; q < r->ncperiods; q++) {
      const char *cp = ag->complaints[q].period;
      tr(fp, ag, NULL);
      if (q == 0)
        agency_cell_span(fp, ag, r->ncperiods);
      fputs("<td>", fp);
      esc(fp, cp);
      fputs("</td>", fp);
      for (size_t k = 0; k < n; k++) {
        int found;
        ew_rcount v;
        v.value = keyed_find(of(ag, q), keys[k], &found);
        v.present = found;
        snprintf(m, sizeof m, "%s%s", prefix, keys[k]);
        if (found)
          cell_count(fp, cp, m, v);
        else
          cell(fp, "num none", NULL, NULL, "—");
      }
      fputs("</tr>\n", fp);
    }
  }
  fputs("</tbody>\n</table>\n", fp);
  return n;
}

static void complaints_section(FILE *fp, const ew_report *r) {
  fputs("<h2>二、投诉举报办理情况 <span class=\"en\">2. Complaints, per ", fp);
  fputs(r->period.kind == EW_PERIOD_HALF ? "quarter" : "period", fp);
  fputs("</span></h2>\n<table id=\"complaints\">\n<thead><tr>", fp);
  th(fp, "部门", "Agency");
  th(fp, "期间", "period");
  th(fp, "受理总数", "received");
  th(fp, "已办结", "concluded");
  th(fp, "按期办结", "on time");
  th(fp, "按期办结率", "on-time rate");
  th(fp, "属实", "substantiated");
  th(fp, "属实率", "substantiated rate");
  th(fp, "移交纪检监察", "referred");
  fputs("</tr></thead>\n<tbody>\n", fp);
  for (size_t i = 0; i < r->nagencies; i++) {
    const ew_report_agency *ag = &r->agencies[i];
    for (int q = 0; q < r->ncperiods; q++) {
      const ew_report_complaints *k = &ag->complaints[q];
      tr(fp, ag, NULL);
      if (q == 0)
        agency_cell_span(fp, ag, r->ncperiods);
      fputs("<td>", fp);
      esc(fp, k->period);
      fputs("</td>", fp);
      cell_count(fp, k->period, "complaints_total", k->total);
      cell_count(fp, k->period, "complaints_concluded", k->concluded);
      cell_count(fp, k->period, "complaints_on_time", k->on_time);
      cell_pct(fp, k->period, "complaints_on_time_rate_pct", k->on_time_rate);
      cell_count(fp, k->period, "complaints_substantiated", k->substantiated);
      cell_pct(fp, k->period, "complaints_substantiated_rate_pct",
               k->substantiated_rate);
      cell_count(fp, k->period, "complaints_referred", k->referred);
      fputs("</tr>\n", fp);
    }
  }
  fputs("</tbody>\n</table>\n", fp);
  note(fp,
       "按收到时间计入期间，归办理部门（handling_agency_uscc）。按期办结 = "
       "已办结且没有 R20 办结超期预警；按期办结率 = 按期办结 ÷ 已办结；属实 = "
       "核查结论为属实或部分属实，属实率 = 属实 ÷ 已办结；移交 = 有 R21b "
       "移交纪检监察预警。<span class=\"en\">By received_at, to the handling "
       "agency. Metrics: <code>complaints_total</code>, "
       "<code>complaints_concluded</code>, <code>complaints_on_time</code> "
       "(concluded with no open R20 conclusion-deadline alert), on-time rate = "
       "on_time/concluded, <code>complaints_substantiated</code> "
       "(SUBSTANTIATED or PARTLY_SUBSTANTIATED), substantiated rate = "
       "substantiated/concluded, <code>complaints_referred</code> (an open "
       "R21b referral).</span>");
  fputs("<h3>按渠道 <span class=\"en\">By channel</span></h3>\n", fp);
  if (keyed_table(fp, r, "complaint-channels", "complaints_channel_",
                  channels_of, EW_KEYS_CHANNEL, ew_report_label_channel))
    note(fp,
         "<code>complaints_channel_&lt;CHANNEL&gt;</code>：每列一种收到渠道。"
         "<span class=\"en\">One column per channel present.</span>");
  fputs("<h3>按类别 <span class=\"en\">By category</span></h3>\n", fp);
  if (keyed_table(fp, r, "complaint-categories", "complaints_category_",
                  categories_of, EW_KEYS_CATEGORY, ew_report_label_category))
    note(fp,
         "<code>complaints_category_&lt;CATEGORY&gt;</code>：每列一种反映问题"
         "类别。<span class=\"en\">One column per category present.</span>");
}

/* Bars of fines and confiscations per month, scaled to the agency's
 * largest month. */
static void chart(FILE *fp, const ew_report *r, const ew_report_agency *ag) {
  const int w = 120 + 90 * r->nfperiods, h = 230, top = 44, base = 190;
  int64_t max = 0;
  char buf[32];
  for (int m = 0; m < r->nfperiods; m++) {
    if (ag->fines[m].fines_fen.value > max)
      max = ag->fines[m].fines_fen.value;
    if (ag->fines[m].confiscated_fen.value > max)
      max = ag->fines[m].confiscated_fen.value;
  }
  fprintf(fp,
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
          "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
          "class=\"fines-chart\" data-agency=\"",
          w, h, w, h);
  esc(fp, ag->uscc);
  fputs("\"><title>", fp);
  esc(fp, ag->name ? ag->name : ag->uscc);
  fputs(
      " 每月罚没金额（元）/ fines and confiscations per month, yuan</title>\n",
      fp);
  fprintf(fp,
          "<line x1=\"60\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>\n",
          base, w - 20, base);
  fprintf(fp,
          "<rect x=\"60\" y=\"6\" width=\"12\" height=\"12\" "
          "fill=\"#1f4e79\"/><text x=\"78\" y=\"16\" font-size=\"12\">罚款 "
          "fines</text><rect x=\"170\" y=\"6\" width=\"12\" height=\"12\" "
          "fill=\"#e08a1e\"/><text x=\"188\" y=\"16\" font-size=\"12\">没收 "
          "confiscated</text>\n");
  for (int m = 0; m < r->nfperiods; m++) {
    const ew_report_fines *f = &ag->fines[m];
    int x = 80 + 90 * m;
    int64_t vals[2] = {f->fines_fen.value, f->confiscated_fen.value};
    static const char *const colors[2] = {"#1f4e79", "#e08a1e"};
    static const char *const names[2] = {"fines_yuan", "confiscated_yuan"};
    for (int s = 0; s < 2; s++) {
      int bh = max > 0 && vals[s] > 0
                   ? (int)((double)vals[s] * (base - top) / (double)max + 0.5)
                   : 0;
      if (vals[s] > 0 && bh < 1)
        bh = 1;
      ew_report_yuan(vals[s], buf);
      fprintf(fp,
              "<rect x=\"%d\" y=\"%d\" width=\"30\" height=\"%d\" "
              "fill=\"%s\" data-metric=\"%s\" data-period=\"%s\"><title>%s "
              "%s: %s</title></rect>\n",
              x + 32 * s, base - bh, bh, colors[s], names[s], f->period,
              f->period, names[s], buf);
      if (vals[s] != 0)
        fprintf(fp,
                "<text x=\"%d\" y=\"%d\" font-size=\"10\" "
                "text-anchor=\"middle\">%s</text>\n",
                x + 32 * s + 15, base - bh - 4 - 11 * s, buf);
    }
    fprintf(fp,
            "<text x=\"%d\" y=\"%d\" font-size=\"12\" "
            "text-anchor=\"middle\">%s</text>\n",
            x + 31, base + 18, f->period);
  }
  if (max == 0)
    fprintf(fp,
            "<text x=\"%d\" y=\"%d\" font-size=\"13\" fill=\"#777\" "
            "text-anchor=\"middle\">本期无罚没 / no fines or confiscations"
            "</text>\n",
            w / 2, base - 60);
  fputs("</svg>\n", fp);
}

static const ew_rkeyedv *r23_of(const ew_report_agency *ag, int i) {
  return &ag->fines[i].r23;
}

static void fines_section(FILE *fp, const ew_report *r) {
  const char *p = r->period.name;
  fputs("<h2>三、罚没情况 <span class=\"en\">3. Fines and confiscations, per "
        "month</span></h2>\n<table id=\"fines\">\n<thead><tr>",
        fp);
  th(fp, "部门", "Agency");
  th(fp, "期间", "period");
  th(fp, "处罚决定数", "decisions");
  th(fp, "含罚款", "with a fine");
  th(fp, "罚款（元）", "fines, yuan");
  th(fp, "没收（元）", "confiscated, yuan");
  fputs("</tr></thead>\n<tbody>\n", fp);
  for (size_t i = 0; i < r->nagencies; i++) {
    const ew_report_agency *ag = &r->agencies[i];
    /* A month is its own total. */
    int rows = r->period.kind == EW_PERIOD_MONTH ? 1 : r->nfperiods + 1;
    for (int m = 0; m < rows; m++) {
      const ew_report_fines *f = &ag->fines[m];
      int total = m == r->nfperiods;
      tr(fp, ag, total ? "total" : NULL);
      if (m == 0)
        agency_cell_span(fp, ag, rows);
      fputs("<td>", fp);
      esc(fp, f->period);
      if (total)
        fputs(" 合计 / total", fp);
      fputs("</td>", fp);
      cell_count(fp, f->period, "penalties_total", f->penalties_total);
      cell_count(fp, f->period, "penalties_fine", f->penalties_fine);
      cell_yuan(fp, f->period, "fines_yuan", f->fines_fen.value);
      cell_yuan(fp, f->period, "confiscated_yuan", f->confiscated_fen.value);
      fputs("</tr>\n", fp);
    }
  }
  fputs("</tbody>\n</table>\n", fp);
  note(fp,
       "按处罚决定日期计入月份，撤销的决定不计。金额以元表示（统计流中以分计："
       "元 = 分 ÷ 100）。<span class=\"en\">By decided_at; withdrawn decisions "
       "are not counted. Metrics: <code>penalties_total</code>, "
       "<code>penalties_fine</code> (decisions with a FINE), "
       "<code>fines_fen</code> and <code>confiscated_fen</code>, shown in "
       "yuan (fen/100). The total row is the report period's own "
       "value.</span>");
  fputs("<h3>每月罚没图 <span class=\"en\">Fines per month, by "
        "agency</span></h3>\n",
        fp);
  for (size_t i = 0; i < r->nagencies; i++) {
    fputs("<h4>", fp);
    agency_title(fp, &r->agencies[i]);
    fputs("</h4>\n", fp);
    chart(fp, r, &r->agencies[i]);
  }

  const char *keys[16];
  char m[64];
  size_t n = union_keys(r, r23_of, r->nfperiods + 1, EW_KEYS_RULE, keys, 16);
  fputs("<h3>趋利执法信号（R23） <span class=\"en\">Profit-driven enforcement "
        "signals</span></h3>\n",
        fp);
  if (n == 0) {
    note(fp, "本期统计流中没有 R23 预警。/ No R23 alert values in the stats "
             "for these periods.");
    return;
  }
  fputs("<table id=\"r23\">\n<thead><tr>", fp);
  th(fp, "部门", "Agency");
  th(fp, "期间", "period");
  for (size_t k = 0; k < n; k++)
    th(fp, keys[k], NULL);
  fputs("</tr></thead>\n<tbody>\n", fp);
  for (size_t i = 0; i < r->nagencies; i++) {
    const ew_report_agency *ag = &r->agencies[i];
    /* The periods with a value; a month is its own total. */
    int last = r->period.kind == EW_PERIOD_MONTH ? 0 : r->nfperiods;
    int rows = 0, first = 1;
    for (int f = 0; f <= last; f++)
      rows += ag->fines[f].r23.n > 0;
    for (int f = 0; f <= last; f++) {
      const ew_report_fines *fi = &ag->fines[f];
      if (fi->r23.n == 0)
        continue;
      tr(fp, ag, f == r->nfperiods ? "total" : NULL);
      if (first)
        agency_cell_span(fp, ag, rows);
      first = 0;
      fputs("<td>", fp);
      esc(fp, fi->period);
      fputs("</td>", fp);
      for (size_t k = 0; k < n; k++) {
        int found;
        ew_rcount v;
        v.value = keyed_find(&fi->r23, keys[k], &found);
        v.present = found;
        snprintf(m, sizeof m, "alerts_%s", keys[k]);
        if (found)
          cell_count(fp, fi->period, m, v);
        else
          cell(fp, "num none", NULL, NULL, "—");
      }
      fputs("</tr>\n", fp);
    }
  }
  fputs("</tbody>\n</table>\n", fp);
  (void)p;
  note(
      fp,
      "R23 是统计筛查信号（“请核查”），不是违法结论：a 整齐化、b 罚没逐年增长、"
      "c 顶格处罚比例、d 异地执法比例、e 期末集中处罚、f 发现罚没指标文件。"
      "<span class=\"en\"><code>alerts_R23a</code> … <code>alerts_R23f</code>: "
      "open R23 signal alerts detected in the period — screens that ask for "
      "a check, not proof.</span>");
}

static void glossary(FILE *fp) {
  fputs(
      "<h2>附：指标说明 <span class=\"en\">Appendix: metrics</span></h2>\n"
      "<ul class=\"glossary\">\n"
      "<li>统计流 <code>enforcement.stats</code>：每条记录为 (agency_uscc, "
      "period, metric, value, as_of)；period 为月 YYYY-MM、季 YYYY-Qn 或半年 "
      "YYYY-Hn（北京时间）。本报告读取这些值，不另行计数。"
      "<span class=\"en\">The stats stream: one value per agency, period "
      "and metric; this report reads these values and counts nothing "
      "itself.</span></li>\n"
      "<li>派生值（执行率、按期办结率、属实率、联合检查率、元金额、标记）在 "
      "CSV "
      "中以 <code>source=derived</code> 给出，并附计算公式。<span "
      "class=\"en\">Derived numbers are rows with source=derived in the "
      "CSV, with their formula.</span></li>\n"
      "<li>比率四舍五入到 0.1%；标记按精确比值判断。<span class=\"en\">Ratios "
      "are rounded to 0.1%; flags compare the exact ratio.</span></li>\n"
      "</ul>\n",
      fp);
}

int ew_report_write_html(const ew_report *r, FILE *fp) {
  head(fp, r);
  overview(fp, r);
  plan_section(fp, r);
  alerts_section(fp, r);
  complaints_section(fp, r);
  fines_section(fp, r);
  glossary(fp);
  fputs(
      "<footer>由 enforcewatch report 生成 / generated by enforcewatch "
      "report. 同样的数字见 CSV 与 JSON 输出 / the CSV and JSON outputs carry "
      "the same numbers.</footer>\n</body>\n</html>\n",
      fp);
  return ferror(fp) ? -1 : 0;
}
