#!/usr/bin/env python3
"""gen_report_scenario.py - the scenario of the report test (issue 5).

Writes report_h1.jsonl (contract §7 input: two market-regulation agencies,
their 2025 plans, half a year of inspections, complaints and penalties) and
report_h1.expected: the numbers `enforcewatch report --period 2025-H1` must
show for it, one `AGENCY PERIOD METRIC VALUE` line each, worked out here by
hand from what the scenario contains (the comments say how), not read back
from the program. test_report_html.sh checks them in the HTML (as Chromium
renders it), the CSV and the JSON.

Run it after changing the scenario: `python3 tests/report/gen_report_scenario.py`
(`--check` only compares). It reuses the scenario toolkit of
tests/scenarios (scenario_lib.py), so its ids and records are built the same
way as every scenario's.
"""

import datetime as dt
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "..", "scenarios"))
from scenario_lib import Scenario, at, ts  # noqa: E402

NAME = "report_h1"
AS_OF = "2025-06-30T23:59:59+08:00"


def day_before(day):
    return (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()


def build():
    sc = Scenario(NAME, __doc__)
    exp = []

    def expect(agency, period, metric, value):
        exp.append("%s %s %s %s" % (agency, period, metric, value))

    a = sc.agency("临夏市市场监督管理局", region="622901", key="A")
    b = sc.agency("临夏县市场监督管理局", region="622921", key="B")
    oa = [sc.officer(a) for _ in range(2)]
    ob = [sc.officer(b) for _ in range(2)]
    e = [None] + [sc.enterprise("622901") for _ in range(10)]
    f = [None] + [sc.enterprise("622921") for _ in range(3)]

    # --- plans: A lists 4, 2 and 1 target enterprises, B lists 2 -------
    pa = sc.plan(a, [
        ("SCJG-FOOD-01", [], [e[1], e[2], e[3], e[4]],
         "2025-01-01", "2025-06-30"),
        ("SCJG-FOOD-02", [], [e[5], e[6]], "2025-01-01", "2025-05-31"),
        ("SCJG-FOOD-03", [], [e[7]], "2025-01-01", "2025-06-30"),
    ], key="P", filed="2025-01-10 10:00")
    pb = sc.plan(b, [
        ("SCJG-FOOD-01", [], [f[1], f[2]], "2025-01-01", "2025-06-30"),
    ], key="Q", filed="2025-01-10 10:00")
    ia = ["%s-%02d" % (pa, n) for n in (1, 2, 3)]
    ib = "%s-01" % pb

    # --- inspections of A, each started 09:30 and ended 11:30 ------------
    def inspect(ag, ent, offs, day, trigger="ANNUAL_PLAN", items=None,
                item=None, plan=None):
        iid = sc.inspection_id()
        extra = {"approved_at": at("16:00", day_before(day))}
        if item:
            extra.update(plan_id=plan, plan_item_id=item)
        for status, hhmm, ended in (("STARTED", "09:40", None),
                                    ("ENDED", "11:40", "11:30")):
            sc.inspection(iid, ag, ent, [o() for o in offs],
                          at(hhmm, day), status=status, ended=ended,
                          day=day, trigger=trigger,
                          check_items=items or ("SCJG-FOOD-01",), **extra)
        return iid

    # Item 01 (4 planned): E1 only -> executed 1, 25.0%: 推进不到位.
    inspect(a, e[1], oa, "2025-02-11", items=("SCJG-FOOD-01",), item=ia[0],
            plan=pa)
    # Item 02 (2 planned): E5 and E6 -> 2, 100.0%: no flag.
    inspect(a, e[5], oa, "2025-04-08", items=("SCJG-FOOD-02",), item=ia[1],
            plan=pa)
    inspect(a, e[6], oa, "2025-05-13", items=("SCJG-FOOD-02",), item=ia[1],
            plan=pa)
    # Item 03 (1 planned): E7 and E8 -> 2, 200.0%: 落实有偏差. E8 is not
    # one of the item's targets: R02 (enterprise_not_targeted).
    inspect(a, e[7], oa, "2025-03-18", items=("SCJG-FOOD-03",), item=ia[2],
            plan=pa)
    inspect(a, e[8], oa, "2025-04-15", items=("SCJG-FOOD-03",), item=ia[2],
            plan=pa)
    # E1 again, on a complaint (exempt from R02 and from R19's counts).
    inspect(a, e[1], oa, "2025-05-20", trigger="COMPLAINT",
            items=("SCJG-GGJG-01",))
    # E9 on a complaint (exempt), E10 on data monitoring (unplanned: R02).
    inspect(a, e[9], oa, "2025-06-10", trigger="COMPLAINT",
            items=("SCJG-GGJG-01",))
    inspect(a, e[10], oa, "2025-05-27", trigger="DATA_MONITORING",
            items=("SCJG-GGJG-02",))

    h = "2025-H1"
    expect(a, h, "plan_item_planned:%s/%s" % (pa, ia[0]), 4)
    expect(a, h, "plan_item_executed:%s/%s" % (pa, ia[0]), 1)
    expect(a, h, "plan_item_ratio_pct:%s/%s" % (pa, ia[0]), "25.0")
    expect(a, h, "plan_item_flag:%s/%s" % (pa, ia[0]), "推进不到位")
    expect(a, h, "plan_item_planned:%s/%s" % (pa, ia[1]), 2)
    expect(a, h, "plan_item_executed:%s/%s" % (pa, ia[1]), 2)
    expect(a, h, "plan_item_ratio_pct:%s/%s" % (pa, ia[1]), "100.0")
    expect(a, h, "plan_item_planned:%s/%s" % (pa, ia[2]), 1)
    expect(a, h, "plan_item_executed:%s/%s" % (pa, ia[2]), 2)
    expect(a, h, "plan_item_ratio_pct:%s/%s" % (pa, ia[2]), "200.0")
    expect(a, h, "plan_item_flag:%s/%s" % (pa, ia[2]), "落实有偏差")
    # 1 + 2 + 2 executed of 4 + 2 + 1 planned.
    expect(a, h, "plan_planned_sum", 7)
    expect(a, h, "plan_executed_sum", 5)
    expect(a, h, "plan_ratio_pct", "71.4")
    expect(a, h, "plan_items_behind", 1)
    expect(a, h, "plan_items_deviating", 1)
    # 8 inspections: 5 under the plan, 2 on complaints, 1 unplanned; 7
    # enterprises (E1 twice).
    expect(a, h, "inspections_total", 8)
    expect(a, h, "inspections_planned", 5)
    expect(a, h, "inspections_exempt", 2)
    expect(a, h, "inspections_unplanned", 1)
    expect(a, h, "enterprises_inspected", 7)
    expect(a, h, "inspections_repeat", 1)
    expect(a, h, "inspections_trigger_ANNUAL_PLAN", 5)
    expect(a, h, "inspections_trigger_COMPLAINT", 2)
    expect(a, h, "inspections_trigger_DATA_MONITORING", 1)
    expect(a, h, "inspections_joint_rate_pct", "0.0")
    expect(a, h, "alerts_R02", 2)  # E8 not targeted, E10 unplanned
    # B planned 2 and inspected none: 0.0%, 推进不到位.
    expect(b, h, "plan_item_planned:%s/%s" % (pb, ib), 2)
    expect(b, h, "plan_item_executed:%s/%s" % (pb, ib), 0)
    expect(b, h, "plan_item_ratio_pct:%s/%s" % (pb, ib), "0.0")
    expect(b, h, "plan_item_flag:%s/%s" % (pb, ib), "推进不到位")

    # --- complaints handled by A, against enterprises (R20b: accept in 7
    # working days, conclude in 45 working days of acceptance) ------------
    def complaint(n, channel, received, accepted, concluded=None,
                  finding=None, category="OTHER", ent=None):
        cid = "TS-%s-%02d" % (sc.tag, n)
        base = {"type": "complaint", "complaint_id": cid,
                "received_at": ts(received), "channel": channel,
                "subject_type": "ENTERPRISE_VIOLATION",
                "enterprise_uscc": ent or e[2], "category": category,
                "handling_agency_uscc": a}
        snaps = [dict(base, status="ACCEPTED", accepted_at=ts(accepted))]
        if concluded:
            snaps.append(dict(base, status="CONCLUDED",
                              accepted_at=ts(accepted),
                              concluded_at=ts(concluded), finding=finding))
        for i, s in enumerate(snaps):
            t = s["accepted_at"] if i == 0 else s["concluded_at"]
            s.update(event_id="%s-ev%d" % (cid, i), event_time=t)
            sc.events.append(s)

    # Q1: 4 received; 3 concluded, of which 2 in time (the one of January
    # concluded on 04-30, past its 45 working days); 1 substantiated.
    complaint(1, "PHONE", "2025-01-06 10:00", "2025-01-07 10:00",
              "2025-04-30 10:00", "UNSUBSTANTIATED")
    complaint(2, "HOTLINE_12345", "2025-02-10 10:00", "2025-02-11 10:00",
              "2025-03-10 10:00", "SUBSTANTIATED")
    complaint(3, "WEB", "2025-03-03 10:00", "2025-03-04 10:00",
              "2025-03-20 10:00", "UNSUBSTANTIATED")
    complaint(4, "HOTLINE_12315", "2025-03-24 10:00", "2025-03-25 10:00")
    # Q2: 1 received, concluded in time, partly substantiated.
    complaint(5, "WEB", "2025-04-14 10:00", "2025-04-15 10:00",
              "2025-05-06 10:00", "PARTLY_SUBSTANTIATED")
    q1, q2 = "2025-Q1", "2025-Q2"
    expect(a, q1, "complaints_total", 4)
    expect(a, q1, "complaints_channel_PHONE", 1)
    expect(a, q1, "complaints_channel_HOTLINE_12345", 1)
    expect(a, q1, "complaints_channel_WEB", 1)
    expect(a, q1, "complaints_channel_HOTLINE_12315", 1)
    expect(a, q1, "complaints_category_OTHER", 4)
    expect(a, q1, "complaints_concluded", 3)
    expect(a, q1, "complaints_on_time", 2)
    expect(a, q1, "complaints_on_time_rate_pct", "66.7")
    expect(a, q1, "complaints_substantiated", 1)
    expect(a, q1, "complaints_substantiated_rate_pct", "33.3")
    expect(a, q2, "complaints_total", 1)
    expect(a, q2, "complaints_concluded", 1)
    expect(a, q2, "complaints_on_time_rate_pct", "100.0")
    expect(a, q2, "complaints_substantiated_rate_pct", "100.0")
    expect(a, h, "complaints_total", 5)

    # --- penalties (GENERAL, told of their rights a week before, published
    # two days after) ------------------------------------------------------
    def penalty(n, ag, ent, region, offs, decided, fine, types=("FINE",),
                confiscated=0, withdrawn=None):
        no = "罚-%s-%02d" % (sc.tag, n)
        d = dt.date.fromisoformat(decided)

        def day(delta):
            return ts((d + dt.timedelta(days=delta)).isoformat() + " 10:00")

        rec = {"type": "penalty", "decision_no": no, "agency_uscc": ag,
               "enterprise_uscc": ent, "enterprise_region_code": region,
               "industry_code": "F52", "filed_at": day(-20),
               "notice_of_rights_at": day(-7), "decided_at": day(0),
               "published_at": day(1), "procedure": "GENERAL",
               "penalty_types": list(types), "fine_fen": fine,
               "confiscated_fen": confiscated,
               "violation_code": "SPAQF-126",
               "officers": [o() for o in offs], "av_coverage": "FULL"}
        snaps = [rec]
        if withdrawn:
            snaps.append(dict(rec, withdrawn_at=ts(withdrawn)))
        for i, s in enumerate(snaps):
            t = s["published_at"] if i == 0 else s["withdrawn_at"]
            sc.events.append(dict(s, event_id="%s-ev%d" % (no, i),
                                  event_time=t))

    penalty(1, a, e[3], "622901", oa, "2025-01-08", 50000)
    penalty(2, a, e[4], "622901", oa, "2025-03-06", 100000)
    penalty(3, a, e[5], "622901", oa, "2025-03-12", 250050,
            types=("FINE", "CONFISCATE_GAINS"), confiscated=12345)
    penalty(4, a, e[6], "622901", oa, "2025-05-08", 0, types=("WARNING",))
    # Decided, then withdrawn: counts nothing.
    penalty(5, a, e[7], "622901", oa, "2025-04-09", 999900,
            withdrawn="2025-04-21 10:00")
    penalty(6, b, f[1], "622921", ob, "2025-02-13", 80000)
    penalty(7, b, f[2], "622921", ob, "2025-06-05", 120000)
    expect(a, "2025-01", "penalties_total", 1)
    expect(a, "2025-01", "fines_yuan", "500.00")
    expect(a, "2025-03", "penalties_total", 2)
    expect(a, "2025-03", "penalties_fine", 2)
    expect(a, "2025-03", "fines_yuan", "3500.50")
    expect(a, "2025-03", "confiscated_yuan", "123.45")
    expect(a, "2025-04", "penalties_total", 0)
    expect(a, "2025-04", "fines_yuan", "0.00")
    expect(a, "2025-05", "penalties_total", 1)
    expect(a, "2025-05", "penalties_fine", 0)
    expect(a, h, "penalties_total", 4)
    expect(a, h, "penalties_fine", 3)
    expect(a, h, "fines_yuan", "4000.50")
    expect(a, h, "confiscated_yuan", "123.45")
    expect(b, "2025-02", "fines_yuan", "800.00")
    expect(b, "2025-06", "fines_yuan", "1200.00")
    expect(b, h, "fines_yuan", "2000.00")

    # Events in time order, as a feed delivers them.
    sc.events.sort(key=lambda r: (r["event_time"], r["event_id"]))
    return sc, exp


def main(argv):
    sc, exp = build()
    body, _ = sc.files()
    files = {NAME + ".jsonl": body,
             NAME + ".expected": "".join(x + "\n" for x in exp),
             NAME + ".asof": AS_OF + "\n"}
    stale = []
    for name, text in files.items():
        path = os.path.join(HERE, name)
        if "--check" in argv:
            try:
                with open(path, encoding="utf-8") as fp:
                    if fp.read() != text:
                        stale.append(name)
            except FileNotFoundError:
                stale.append(name)
        else:
            with open(path, "w", encoding="utf-8") as fp:
                fp.write(text)
    if stale:
        print("stale: " + " ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
