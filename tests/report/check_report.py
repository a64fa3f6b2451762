#!/usr/bin/env python3
"""check_report.py - checks the three forms of one `enforcewatch report`.

    check_report.py EXPECTED DOM CSV JSON

EXPECTED: `AGENCY PERIOD METRIC VALUE` lines (gen_report_scenario.py).
DOM: the HTML report as Chromium rendered it (`chromium --dump-dom`).
CSV, JSON: the same report with --format csv and --format json.

Asserts that
  - every expected value is what the rendered HTML tables show for that
    agency, period and metric (cells carry data-metric, a title
    "METRIC @ PERIOD", and their row data-agency), and what the CSV and the
    JSON say;
  - every number of the HTML tables is in the CSV, under the same agency,
    period and metric, and in the JSON;
  - the page has its sections and one chart per agency.
Prints what it checked; exits 1 with the differences otherwise.
"""

import csv
import json
import sys
from html.parser import HTMLParser


class Cells(HTMLParser):
    """(agency, period, metric) -> text of each numeric cell."""

    def __init__(self):
        super().__init__()
        self.cells, self.tables, self.charts = {}, [], 0
        self.row_agency, self.cur, self.text = None, None, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("id"):
            self.tables.append(a["id"])
        elif tag == "svg" and "fines-chart" in (a.get("class") or ""):
            self.charts += 1
        elif tag == "tr":
            self.row_agency = a.get("data-agency")
        elif tag == "td" and a.get("data-metric") and " @ " in (
                a.get("title") or ""):
            period = a["title"].rsplit(" @ ", 1)[1]
            self.cur = (self.row_agency, period, a["data-metric"])
            self.text = []

    def handle_data(self, data):
        if self.cur:
            self.text.append(data)

    def handle_endtag(self, tag):
        if tag == "td" and self.cur:
            key, text = self.cur, "".join(self.text).strip()
            if key in self.cells and self.cells[key] != text:
                raise SystemExit("two cells for %s: %r and %r" %
                                 (key, self.cells[key], text))
            self.cells[key] = text
            self.cur = None


def fmt(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        return "%.1f" % v
    return str(v)


def json_value(report, agency, period, metric):
    """The JSON's value of a metric, found where the model keeps it."""
    ag = next((x for x in report["agencies"]
               if x["agency_uscc"] == agency), None)
    if ag is None:
        return None
    p = report["period"]
    plan, insp = ag["plan_execution"], ag["inspections"]
    for prefix, field in (("plan_item_planned:", "planned"),
                          ("plan_item_executed:", "executed"),
                          ("plan_item_ratio_pct:", "ratio_pct"),
                          ("plan_item_flag:", "flag")):
        if metric.startswith(prefix) and period == p:
            key = metric[len(prefix):]
            for it in plan["items"]:
                if "%s/%s" % (it["plan_id"], it["item_id"]) == key:
                    return fmt(it[field])
            return None
    if metric.startswith("plan_") and period == p:
        name = {"plan_ratio_pct": "ratio_pct", "plan_flag": "flag"}.get(
            metric, metric[len("plan_"):])
        return fmt(plan.get(name))
    if metric.startswith("inspections_trigger_") and period == p:
        return fmt(insp["by_trigger"].get(metric[len("inspections_trigger_"):]))
    if metric == "inspections_joint_rate_pct" and period == p:
        return fmt(insp["joint_rate_pct"])
    if (metric.startswith("inspections_") or
            metric == "enterprises_inspected") and period == p:
        return fmt(insp.get(metric))
    fines = [x for x in ag["fines"] if x["period"] == period]
    if period == p and "fines_total" in ag:
        fines.append(ag["fines_total"])
    if metric == "alerts_total" and period == p:
        return fmt(ag["alerts"]["alerts_total"])
    if metric.startswith("alerts_R23"):
        return fmt(fines[0]["r23_alerts"].get(metric[len("alerts_"):])) \
            if fines else None
    if metric.startswith("alerts_") and period == p:
        return fmt(ag["alerts"]["by_rule"].get(metric[len("alerts_"):]))
    if metric in ("penalties_total", "penalties_fine", "fines_fen",
                  "fines_yuan", "confiscated_fen", "confiscated_yuan"):
        return fmt(fines[0][metric]) if fines else None
    if metric.startswith("complaints_"):
        if metric == "complaints_total" and period == p:
            return fmt(ag["complaints_total"])
        c = next((x for x in ag["complaints"] if x["period"] == period), None)
        if c is None:
            return None
        for prefix, field in (("complaints_channel_", "by_channel"),
                              ("complaints_category_", "by_category")):
            if metric.startswith(prefix):
                return fmt(c[field].get(metric[len(prefix):]))
        name = {"complaints_on_time_rate_pct": "on_time_rate_pct",
                "complaints_substantiated_rate_pct":
                    "substantiated_rate_pct"}.get(metric, metric)
        return fmt(c.get(name))
    return None


def main(argv):
    if len(argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    exp_path, dom_path, csv_path, json_path = argv[1:]
    cells = Cells()
    with open(dom_path, encoding="utf-8") as fp:
        cells.feed(fp.read())
    with open(csv_path, encoding="utf-8", newline="") as fp:
        rows = list(csv.DictReader(fp))
    with open(json_path, encoding="utf-8") as fp:
        report = json.load(fp)
    table = {}
    for r in rows:
        key = (r["agency_uscc"], r["period"], r["metric"])
        if key in table:
            raise SystemExit("CSV has %s twice" % (key,))
        table[key] = r["value"]

    errors = []
    with open(exp_path, encoding="utf-8") as fp:
        expected = [line.split() for line in fp if line.strip()]
    for agency, period, metric, value in expected:
        key = (agency, period, metric)
        got = cells.cells.get(key)
        if got is not None:
            got = got.rstrip("%")
        for where, v in (("HTML", got), ("CSV", table.get(key)),
                         ("JSON", json_value(report, *key))):
            if v != value:
                errors.append("%s %s %s: %s shows %r, expected %r" %
                              (agency, period, metric, where, v, value))

    # Every number of the HTML is in the CSV and the JSON.
    numbers = 0
    for key, text in cells.cells.items():
        if text in ("", "—"):
            continue
        text = text.rstrip("%")
        numbers += 1
        if table.get(key) != text:
            errors.append("HTML %s = %r, CSV %r" % (key, text,
                                                    table.get(key)))
        if json_value(report, *key) != text:
            errors.append("HTML %s = %r, JSON %r" %
                          (key, text, json_value(report, *key)))

    for t in ("overview", "inspections", "alerts", "complaints", "fines"):
        if t not in cells.tables:
            errors.append("no table #%s in the page" % t)
    if cells.charts != len(report["agencies"]):
        errors.append("%d charts for %d agencies" %
                      (cells.charts, len(report["agencies"])))
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    print("check_report: %d expected values found in HTML, CSV and JSON; "
          "%d HTML numbers all in the CSV and JSON; tables %s; %d charts" %
          (len(expected), numbers, ",".join(cells.tables), cells.charts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
