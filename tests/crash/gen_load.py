#!/usr/bin/env python3
"""gen_load.py - a large, realistic, seeded input for the crash harness
(tests/crash/crash_harness.sh): Linxia's departments at work for four
months (2025-03-03 .. 2025-06-30), in the JSON Lines form of contract §7.

    python3 tests/crash/gen_load.py --events 100000 --seed 1 --out load.jsonl
    python3 tests/crash/gen_load.py --events 100000 --enterprises 100000 ...

Writes the reference records first (agencies with their justice bureaus,
2025 and 2026 annual plans filed in January, certificates, monthly batch
approvals, discretion benchmarks, the 2025-2026 calendar from the sample),
then at least --events events in event_time order: inspections (STARTED,
ENDED, and for results that must be published a later snapshot with the
publication), penalty cases (filed, decided, published), complaints
(received, accepted, concluded) and the departments' feedback on the
supervision notices they get. The same arguments always write the same
bytes.

Most of it is a department doing its work by the book; a few percent of the
cases break a rule, so that a run yields thousands of alerts and notices:
  inspections  R02 an item outside the plan, R05+R06 an officer with an
               expired certificate, R06 a certificate not shown, R03 an
               approval not on file, R04 a ledger never registered, R07 a
               rectification order never published (deadline), R05 on a
               STARTED snapshot listing one officer, withdrawn by the ENDED
               one that lists both;
  penalties    R07 never published, R12 never decided (deadlines), R10a
               benchmark not cited, R10b a fine outside its band;
  complaints   R20a/R20b accepted late (deadline), R21a substantiated
               conduct complaints (ORDER_CORRECTION notices);
  enterprises  R25 a USCC with a wrong check character;
  feedback     85 % of the R02, R05, R06 and R21a notices are answered
               within two weeks; the rest, and the notices of the other
               rules, raise R24 once their 30 days pass.
Acts that meet a deadline come at least three working days before it and
late acts well after it, so that a daemon which judges a snapshot a little
ahead of its event time (it reads several partitions) reaches the same
final state as `enforcewatch check`. An enterprise is inspected at most
twice, by two departments more than 20 days apart (R19 stays quiet).

Standard library only; ewdata (deploy/sample) supplies the USCC check
characters, the alert and notice ids, the time form and the validator.
"""

import argparse
import datetime as dt
import json
import os
import random
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.normpath(os.path.join(HERE, "..", "..", "deploy", "sample"))
sys.path.insert(0, SAMPLE)
from ewdata import (LINXIA_REGIONS, TZ, USCC_ALPHABET, alert_id,  # noqa: E402
                    dumps, make_uscc, notice_id, uscc_valid, validate_file)

START = dt.date(2025, 3, 3)
END = dt.date(2025, 6, 30)

# Department kinds of every county: (key, name suffix, check items,
# violation codes). Items are in the department's plan; their target lists
# are empty, so every enterprise of the county is targeted.
KINDS = [
    ("SCJG", "市场监督管理局", ["SCJG-FOOD-01", "SCJG-CPZL-01", "SCJG-TZSB-01"],
     ["SPAQF-126", "CPZLF-49"]),
    ("YJGL", "应急管理局", ["YJGL-WHP-01", "YJGL-GMZY-01"], ["AQSCF-99"]),
    ("STHJ", "生态环境局", ["STHJ-PWXK-01", "STHJ-WF-01"], ["DQWRF-108"]),
    ("WSJK", "卫生健康局", ["WSJK-GGWS-01", "WSJK-YL-01"], ["GGWSF-36"]),
    ("NYNC", "农业农村局", ["NYNC-SL-01", "NYNC-NZ-01"], ["NYFGF-52"]),
]
INDUSTRIES = ["C13", "C14", "C15", "C19", "C26", "C30", "C33", "F51", "F52",
              "H61", "H62", "G54", "B10", "E47", "Q84", "A01", "A03"]
# violation code -> (statutory min, max, hearing threshold) in fen; the
# levels split the range. Fines stay under the hearing threshold (R11).
BENCH = {"SPAQF-126": (500000, 5000000, 5000000),
         "CPZLF-49": (200000, 3000000, 3000000),
         "AQSCF-99": (1000000, 10000000, 5000000),
         "DQWRF-108": (2000000, 20000000, 10000000),
         "GGWSF-36": (50000, 3000000, 3000000),
         "NYFGF-52": (100000, 2000000, 2000000)}


def t(d, hh=9, mm=0):
    """A Shanghai time on date d."""
    return dt.datetime(d.year, d.month, d.day, hh, mm, tzinfo=TZ)


def iso(x):
    return x.isoformat()


class Gen:
    def __init__(self, seed, calendar):
        self.rnd = random.Random(seed)
        self.calendar = calendar
        self.holidays = set()
        self.workdays_on = set()
        for line in calendar:
            o = json.loads(line)
            d = dt.date.fromisoformat(o["date"])
            (self.workdays_on if o["is_workday"] else self.holidays).add(d)
        self.refs = []     # (type, record)
        self.events = []   # (event_time, seq, record)
        self.seq = 0
        self.counts = {}

    # ---- helpers ----

    def is_workday(self, d):
        if d in self.holidays:
            return False
        return d.weekday() < 5 or d in self.workdays_on

    def wd_after(self, d, n):
        while n > 0:
            d += dt.timedelta(days=1)
            if self.is_workday(d):
                n -= 1
        return d

    def emit(self, rec, when):
        self.seq += 1
        rec["event_time"] = iso(when)
        self.events.append((when, self.seq, rec))
        self.counts[rec["type"]] = self.counts.get(rec["type"], 0) + 1

    def eid(self, *parts):
        return "ev-" + "-".join(parts)

    def chars(self, n):
        return "".join(self.rnd.choice(USCC_ALPHABET[:10] + "ABCDEFGHJKLMN")
                       for _ in range(n))

    # ---- reference data ----

    def build_refs(self, n_enterprises):
        rnd = self.rnd
        province_jb = make_uscc("11", "620000", "01990001")
        self.jb = {}
        for region, name in LINXIA_REGIONS.items():
            uscc = make_uscc("11", region, "0177" + region[2:])
            self.jb[region] = uscc
            self.refs.append(("agency", {
                "agency_uscc": uscc, "name": name + "司法局",
                "region_code": region,
                "level": "PREFECTURE" if region == "622900" else "COUNTY",
                "parent_agency_uscc": None if region == "622900"
                else self.jb["622900"],
                "has_inspection_power": False,
                "justice_bureau_uscc": province_jb if region == "622900"
                else self.jb["622900"]}))
        self.depts = []  # dicts: uscc, region, kind, items, codes, officers
        for region, rname in LINXIA_REGIONS.items():
            for k, (key, suffix, items, codes) in enumerate(KINDS):
                uscc = make_uscc("11", region, "02%s%02d" % (region[2:], k))
                d = {"uscc": uscc, "region": region, "key": key,
                     "items": items, "codes": codes, "officers": [],
                     "expired": None}
                self.depts.append(d)
                self.refs.append(("agency", {
                    "agency_uscc": uscc, "name": rname + suffix,
                    "region_code": region,
                    "level": "PREFECTURE" if region == "622900" else "COUNTY",
                    "parent_agency_uscc": None,
                    "has_inspection_power": True,
                    "justice_bureau_uscc": self.jb[region]}))
                for year, filed in ((2025, "2025-01-15"), (2026,
                                                           "2026-01-15")):
                    pid = "JH-%d-%s-%s-NDJH" % (year, region, key)
                    plan = {"plan_id": pid, "agency_uscc": uscc,
                            "year": year, "plan_type": "ANNUAL_INSPECTION",
                            "status": "FILED",
                            "filed_at": iso(t(dt.date.fromisoformat(filed),
                                              10)),
                            "items": [], "participant_agency_usccs": []}
                    if year == 2025:
                        for n, code in enumerate(items, 1):
                            plan["items"].append({
                                "item_id": "%s-%02d" % (pid, n),
                                "check_item_code": code,
                                "target_industries": [], "target_usccs": [],
                                "max_per_enterprise": None, "mode": None,
                                "window_start": iso(t(dt.date(2025, 1, 1),
                                                      0)),
                                "window_end": "2025-12-31T23:59:59+08:00"})
                        d["plan"] = pid
                    self.refs.append(("plan", plan))
                for i in range(1, 9):
                    d["officers"].append(self.cert(d, i, "ACTIVE",
                                                   "2023-01-01",
                                                   "2027-12-31"))
                d["expired"] = self.cert(d, 9, "ACTIVE", "2019-01-01",
                                         "2024-12-31")
                # One approval per month: the head signs the month's
                # inspection list on the last working day before it.
                d["approval"] = {}
                for month in range(3, 7):
                    first = dt.date(2025, month, 1)
                    signed = first - dt.timedelta(days=1)
                    while not self.is_workday(signed):
                        signed -= dt.timedelta(days=1)
                    last = (dt.date(2025, month + 1, 1)
                            - dt.timedelta(days=1))
                    aid = "SP-2025%02d-%s-%s" % (month, region, key)
                    d["approval"][month] = aid
                    self.refs.append(("approval", {
                        "approval_id": aid, "agency_uscc": uscc,
                        "enterprise_uscc": None, "inspection_id": None,
                        "approved_at": iso(t(signed, 17)),
                        "valid_until": iso(t(last, 23, 59))}))
        for code, (lo, hi, hear) in sorted(BENCH.items()):
            step = (hi - lo) // 4
            self.refs.append(("benchmark", {
                "benchmark_id": "JZ-622900-" + code, "violation_code": code,
                "agency_uscc": None, "statutory_min_fen": lo,
                "statutory_max_fen": hi, "hearing_threshold_fen": hear,
                "levels": [{"level": lv, "min_fen": lo + i * step,
                            "max_fen": lo + (i + 1) * step}
                           for i, lv in enumerate(["MITIGATED", "LENIENT",
                                                   "GENERAL", "HEAVY"])]}))
        self.ents = {r: [] for r in LINXIA_REGIONS}
        regions = sorted(LINXIA_REGIONS)
        for n in range(n_enterprises):
            region = regions[n % len(regions)]
            bad = rnd.random() < 0.003  # R25: a typo in the check character
            self.ents[region].append({
                "uscc": make_uscc("91", region, "MA" + self.chars(6),
                                  corrupt=bad),
                "region": region, "industry": rnd.choice(INDUSTRIES),
                "seen": []})  # (date, agency) of its inspections

    def cert(self, d, i, status, valid_from, valid_to):
        oid = "ZF%s-%s-%02d" % (d["region"], d["key"], i)
        cert_no = "62-%s-%s%s%02d" % (valid_from[:4], d["region"][2:],
                                      d["key"][:2], i)
        self.refs.append(("certificate", {
            "cert_no": cert_no, "officer_id": oid,
            "agency_uscc": d["uscc"],
            "valid_from": iso(t(dt.date.fromisoformat(valid_from), 0)),
            "valid_to": valid_to + "T23:59:59+08:00", "status": status}))
        return (oid, cert_no)

    def officers(self, d, n=2):
        return [{"officer_id": o, "cert_no": c, "cert_shown": True}
                for o, c in self.rnd.sample(d["officers"], n)]

    # ---- events ----

    def days(self):
        d, out = START, []
        while d <= END - dt.timedelta(days=10):
            if self.is_workday(d):
                out.append(d)
            d += dt.timedelta(days=1)
        return out

    def pick_enterprise(self, d, day):
        """An enterprise of d's county that d has not inspected and nobody
        inspected in the last 20 days, inspected fewer than twice."""
        pool = self.ents[d["region"]]
        for _ in range(40):
            e = self.rnd.choice(pool)
            if len(e["seen"]) >= 2:
                continue
            if any(a == d["uscc"] or (day - s).days <= 20
                   for s, a in e["seen"]):
                continue
            e["seen"].append((day, d["uscc"]))
            e["used"] = True
            return e
        return None

    def feedback(self, notice, agency_uscc, issued):
        """Most notices are answered within two weeks (R24 otherwise)."""
        if self.rnd.random() < 0.15:
            return
        when = issued + dt.timedelta(days=self.rnd.randint(3, 14),
                                     hours=self.rnd.randint(1, 6))
        self.emit({"type": "feedback", "event_id": self.eid("fb", notice),
                   "event_time": None, "notice_id": notice,
                   "agency_uscc": agency_uscc, "feedback_at": iso(when),
                   "result": "DONE", "summary": "已整改并报送整改报告"}, when)

    def inspection(self, n, d, day):
        rnd = self.rnd
        e = self.pick_enterprise(d, day)
        if e is None:
            return None
        iid = "JC-%s-%s-2025-%06d" % (d["region"], d["key"], n)
        start = t(day, rnd.randint(8, 14), rnd.choice((0, 15, 30, 45)))
        end = start + dt.timedelta(minutes=rnd.randint(50, 180))
        items = [rnd.choice(d["items"])]
        plan_item = "%s-%02d" % (d["plan"], d["items"].index(items[0]) + 1)
        offs = self.officers(d)
        started_offs = offs
        v = rnd.random()
        problems = []
        approval = d["approval"][day.month]
        if v < 0.015:  # R02: an item outside the plan
            items, plan_item = [d["key"] + "-QT-99"], None
            problems.append("R02")
        elif v < 0.025:  # R05 + R06: one officer's certificate expired
            oid, cert = d["expired"]
            offs = [offs[0], {"officer_id": oid, "cert_no": cert,
                              "cert_shown": True}]
            started_offs = offs
            problems += ["R05", "R06"]
        elif v < 0.035:  # R06: a certificate not shown
            offs = [offs[0], dict(offs[1], cert_shown=False)]
            started_offs = offs
            problems.append("R06")
        elif v < 0.040:  # R03: an approval that is not on file
            approval = "SP-%s-LOST-%06d" % (d["region"], n)
        elif v < 0.045:  # R05 found on the STARTED snapshot, which lists
            # one officer; the ENDED one lists both: WITHDRAWN
            started_offs = offs[:1]
        result = "NO_ISSUE"
        r = rnd.random()
        if r < 0.08:
            result = "RECTIFICATION_ORDERED"
        elif r < 0.20:
            result = "GUIDANCE_GIVEN"
        elif r < 0.34:
            result = "CASE_FILED"
        base = {
            "type": "inspection", "event_id": None, "event_time": None,
            "inspection_id": iid, "status": "STARTED",
            "agency_uscc": d["uscc"], "enterprise_uscc": e["uscc"],
            "enterprise_region_code": e["region"],
            "industry_code": e["industry"], "check_class": "ROUTINE",
            "trigger_type": "ANNUAL_PLAN", "plan_id": d["plan"],
            "plan_item_id": plan_item, "random_task_id": None,
            "joint_plan_id": None, "complaint_id": None, "case_id": None,
            "check_items": items, "approval_id": approval,
            "approved_at": None, "emergency": False, "mode": "ON_SITE",
            "onsite_justification": None, "officers": started_offs,
            "started_at": iso(start), "ended_at": None,
            "written_record_id": None, "av_coverage": "FULL",
            "av_record_ids": ["ZFJL-%s-01" % iid], "result": None,
            "soft_measures": [], "ledger_registered_at": None,
            "ledger_signed_by": [], "result_published_at": None,
            "fees_collected_fen": 0, "production_halted": False}
        s = dict(base, event_id=self.eid(iid, "STARTED"))
        s_time = start + dt.timedelta(minutes=10)
        self.emit(s, s_time)
        ended = dict(base, status="ENDED", officers=offs,
                     event_id=self.eid(iid, "ENDED"), ended_at=iso(end),
                     result=result, written_record_id="JCBL-" + iid,
                     soft_measures=["ADMIN_GUIDANCE"]
                     if result == "GUIDANCE_GIVEN" else [],
                     ledger_registered_at=iso(end + dt.timedelta(minutes=30)),
                     ledger_signed_by=sorted(o["officer_id"] for o in offs))
        if rnd.random() < 0.012:  # R04: the ledger is never registered
            ended["ledger_registered_at"], ended["ledger_signed_by"] = None, []
        self.emit(ended, end + dt.timedelta(minutes=40))
        if result == "RECTIFICATION_ORDERED" or result == "CASE_FILED":
            if rnd.random() >= 0.04:  # else R07: never published
                pub = t(self.wd_after(day, rnd.randint(1, 4)), 16)
                p = dict(ended, event_id=self.eid(iid, "PUBLISHED"),
                         result_published_at=iso(pub))
                self.emit(p, pub + dt.timedelta(minutes=5))
        for rule in problems:  # the immediate notices, answered mostly
            aid = alert_id(rule, "INSPECTION", iid)
            self.feedback(notice_id("SUPERVISION_OPINION", d["uscc"], aid),
                          d["uscc"], s_time)
        if result == "CASE_FILED":
            self.penalty(iid, d, e, day)
        return iid

    def penalty(self, iid, d, e, day):
        rnd = self.rnd
        no = "%s-%s罚〔2025〕%s号" % (d["region"], d["key"], iid[-6:])
        code = rnd.choice(d["codes"])
        lo, hi, hear = BENCH[code]
        step = (hi - lo) // 4
        # A level whose whole band lies under the hearing threshold (R11).
        levels = [lv for i, lv in enumerate(["MITIGATED", "LENIENT",
                                             "GENERAL"])
                  if lo + (i + 1) * step < hear]
        level = rnd.choice(levels)
        li = ["MITIGATED", "LENIENT", "GENERAL"].index(level)
        fine = (lo + li * step + rnd.randint(1, step - 1)) // 100 * 100
        filed = t(self.wd_after(day, 1), 10)
        rights = t(self.wd_after(filed.date(), rnd.randint(5, 10)), 15)
        decided = t(self.wd_after(rights.date(), rnd.randint(8, 15)), 11)
        base = {
            "type": "penalty", "event_id": None, "event_time": None,
            "decision_no": no, "case_id": "AJ-" + iid,
            "agency_uscc": d["uscc"], "enterprise_uscc": e["uscc"],
            "enterprise_region_code": e["region"],
            "industry_code": e["industry"], "filed_at": iso(filed),
            "notice_of_rights_at": None, "decided_at": None,
            "published_at": None, "withdrawn_at": None,
            "procedure": "GENERAL", "penalty_types": ["WARNING", "FINE"],
            "fine_fen": fine, "confiscated_fen": 0, "violation_code": code,
            "benchmark_id": "JZ-622900-" + code, "benchmark_cited": True,
            "discretion_level": level, "factor_codes": [],
            "first_offense": False, "corrected": True, "harm_level": "MINOR",
            "is_major": False, "legal_review_id": None,
            "legal_review_at": None, "legal_review_passed": None,
            "collective_discussion": False, "hearing_offered": False,
            "hearing_waived": False, "compulsory_measures": [],
            "credit_measures": [], "credit_measure_legal_basis": None,
            "officers": self.officers(d), "av_coverage": "FULL"}
        self.emit(dict(base, event_id=self.eid(no, "FILED")),
                  filed + dt.timedelta(minutes=20))
        if rnd.random() < 0.015:  # R12: never decided
            return
        dec = dict(base, event_id=self.eid(no, "DECIDED"),
                   notice_of_rights_at=iso(rights), decided_at=iso(decided))
        v = rnd.random()
        if v < 0.02:  # R10a: the benchmark is not cited
            dec["benchmark_cited"] = False
        elif v < 0.04:  # R10b: a fine under its level's band
            dec["fine_fen"] = lo + li * step - step // 2
        self.emit(dec, decided + dt.timedelta(minutes=30))
        if rnd.random() < 0.03:  # R07: never published
            return
        pub = t(self.wd_after(decided.date(), rnd.randint(1, 3)), 10)
        self.emit(dict(dec, event_id=self.eid(no, "PUBLISHED"),
                       published_at=iso(pub)), pub + dt.timedelta(minutes=10))

    def complaint(self, n, day):
        rnd = self.rnd
        region = rnd.choice(sorted(LINXIA_REGIONS))
        scjg = [d for d in self.depts if d["region"] == region
                and d["key"] == "SCJG"][0]
        e = rnd.choice(self.ents[region])
        e["used"] = True
        cid = "TS-%s-2025-%06d" % (region, n)
        received = t(day, rnd.randint(8, 17), rnd.randint(0, 59))
        conduct = rnd.random() < 0.06
        base = {"type": "complaint", "event_id": None, "event_time": None,
                "complaint_id": cid, "received_at": iso(received),
                "channel": rnd.choice(["HOTLINE_12345", "HOTLINE_12315",
                                       "WEB", "PHONE", "LETTER"]),
                "subject_type": "ENTERPRISE_VIOLATION",
                "complainant_uscc": None, "enterprise_uscc": e["uscc"],
                "respondent_agency_uscc": None,
                "respondent_officer_ids": [], "related_inspection_id": None,
                "related_penalty_id": None, "category": "OTHER",
                "handling_agency_uscc": scjg["uscc"], "status": "RECEIVED",
                "accepted_at": None, "rejected_at": None,
                "extension_days": 0, "finding": None,
                "suspected_discipline": False, "concluded_at": None,
                "feedback_at": None}
        resp = None
        if conduct:  # about a department's conduct: the 司法局 handles it
            resp = rnd.choice([d for d in self.depts
                               if d["region"] == region])
            base.update(subject_type="ENFORCEMENT_CONDUCT",
                        channel="SPECIAL_SUPERVISOR",
                        complainant_uscc=e["uscc"], enterprise_uscc=None,
                        respondent_agency_uscc=resp["uscc"],
                        respondent_officer_ids=[resp["officers"][0][0]],
                        category=rnd.choice(["BUSINESS_DISRUPTION",
                                             "SINGLE_OFFICER", "OTHER"]),
                        handling_agency_uscc=self.jb[region])
        self.emit(dict(base, event_id=self.eid(cid, "0")),
                  received + dt.timedelta(minutes=5))
        # R20: accepted late, 3 working days past the limit (R20a 5, R20b
        # 7) and well before twice the limit.
        late = rnd.random() < 0.03
        acc = t(self.wd_after(day, (8 if conduct else 10) if late else 1), 9,
                30)
        s = dict(base, status="ACCEPTED", accepted_at=iso(acc),
                 event_id=self.eid(cid, "1"))
        self.emit(s, acc + dt.timedelta(minutes=10))
        done = t(self.wd_after(acc.date(), rnd.randint(5, 12)), 15)
        finding = "UNSUBSTANTIATED"
        if conduct and rnd.random() < 0.4:
            finding = "SUBSTANTIATED"
        c = dict(s, status="CONCLUDED", finding=finding,
                 concluded_at=iso(done),
                 feedback_at=iso(done + dt.timedelta(minutes=30)),
                 event_id=self.eid(cid, "2"))
        c_time = done + dt.timedelta(hours=1)
        self.emit(c, c_time)
        if finding == "SUBSTANTIATED":  # R21a: an order to correct
            aid = alert_id("R21a", "COMPLAINT", cid)
            self.feedback(notice_id("ORDER_CORRECTION", resp["uscc"], aid),
                          resp["uscc"], c_time)

    def build_events(self, target):
        rnd = self.rnd
        days = self.days()
        n = 0
        while len(self.events) < target:
            n += 1
            day = rnd.choice(days)
            if rnd.random() < 0.80:
                self.inspection(n, rnd.choice(self.depts), day)
            else:
                self.complaint(n, day)

    def lines(self):
        out = [dumps(dict({"type": ty}, **rec)) for ty, rec in self.refs]
        out += self.calendar
        out += [dumps(rec) for _, _, rec in
                sorted(self.events, key=lambda x: (x[0], x[1]))]
        return out


def calendar_lines():
    """The calendar_day records of the sample (2025-2026 holidays)."""
    out = []
    with open(os.path.join(SAMPLE, "linxia.jsonl"), encoding="utf-8") as fp:
        for line in fp:
            if line.startswith('{"type": "calendar_day"'):
                out.append(line.rstrip("\n"))
    return out


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=100000,
                    help="at least this many events (default 100000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--enterprises", type=int, default=None,
                    help="enterprises in the pool (default max(200, "
                    "events/2)); each is inspected at most twice, so keep "
                    "it near events/2 or above")
    ap.add_argument("--out", default="-", help="file (default stdout)")
    ap.add_argument("--validate", action="store_true",
                    help="check the file against contract §3-§4 (slow)")
    args = ap.parse_args(argv[1:])
    if args.events < 1:
        ap.error("--events must be positive")
    if args.enterprises is not None and args.enterprises < len(LINXIA_REGIONS):
        ap.error("--enterprises must be at least %d (one per county)"
                 % len(LINXIA_REGIONS))
    g = Gen(args.seed, calendar_lines())
    # About 2.3 events per inspection, at most two per enterprise.
    g.build_refs(args.enterprises if args.enterprises is not None
                 else max(200, args.events // 2))
    g.build_events(args.events)
    text = "\n".join(g.lines()) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        with open(args.out, "w", encoding="utf-8") as fp:
            fp.write(text)
    print("gen_load: %d reference records, %d events (%s), seed %d" % (
        len(g.refs) + len(g.calendar), len(g.events),
        ", ".join("%s %d" % kv for kv in sorted(g.counts.items())),
        args.seed), file=sys.stderr)
    if args.validate and args.out != "-":
        bad = {e["uscc"] for es in g.ents.values() for e in es
               if e.get("used") and not uscc_valid(e["uscc"])}
        problems = validate_file(args.out, expect_bad_usccs=bad,
                                 regions=set(LINXIA_REGIONS))
        for p in problems[:20]:
            print(p, file=sys.stderr)
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
