"""scenario_lib.py - the toolkit behind the scenario files of tests/scenarios/.

Each scenario is one `<name>.jsonl` (contract §7 input: its own agencies,
plans, certificates..., then its events) and one `<name>.expected` (the
alerts `enforcewatch check` must print, in emission order, one
`rule_id status severity subject_id` per line; empty = no alert at all).
A scenario may also have `<name>.cfg`, a config file passed with --config,
and `<name>.asof`, the time passed with --as-of (issue 4: deadlines fire
when check's clock passes them; without it the clock stops at the latest
event time). Notices are compared only when the .expected file lists some:
a line `notice NOTICE_TYPE RECIPIENT_USCC ALERT_COUNT` per notice, in
emission order among the alert lines.

Scenarios are defined in the `scen_*.py` modules beside this file (one per
group of rules, so that work on different rules touches different files),
each function decorated with @scenario. gen_scenarios.py imports them all
and writes or checks the files.

Every id (USCCs, certificate numbers, inspection ids, event ids) is derived
from the scenario's name, so no two scenarios share one: any set of scenario
files can be sent to one broker together without colliding.

Expected order when one snapshot produces several alerts: the order of the
engine's rule table (daemon/rules/rules.c), which is by rule number.

Scenario.inspection makes a by-the-book inspection unless told otherwise:
besides planned officers and times it cites an approval ("SP-" + id,
approved the day before) and files that approval as a reference record
(R03 wants it on file), records ON_SITE checks on video (av_coverage FULL
with one av_record_id, R08b), and gives ENDED snapshots a written record
(R08c). A scenario about one of these passes the field it is about
(approval_id=None, av_record_ids=[], ...) or approval_record=False.
"""

import hashlib
import os
import sys
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(HERE, "..", "..", "deploy", "sample"))
from ewdata import (USCC_ALPHABET, dumps, make_uscc, ts,  # noqa: E402
                    uscc_valid, validate_file)

NS = uuid.UUID("0c7d7a52-3f0b-4d59-8f6e-2025a1e27500")
DAY = "2025-03-04"  # a Tuesday; every scenario happens on it unless it says


def _digits(seed, n):
    h = hashlib.sha256(seed.encode()).hexdigest()
    return "".join(str(int(c, 16) % 10) for c in h)[:n]


def _chars(seed, n):
    h = hashlib.sha256(("c" + seed).encode()).digest()
    return "".join(USCC_ALPHABET[b % 31] for b in h)[:n]


def at(hhmm, day=DAY):
    return ts("%s %s" % (day, hhmm))


class Officer:
    def __init__(self, officer_id, cert_no):
        self.officer_id, self.cert_no = officer_id, cert_no

    def __call__(self, shown=True, cert_no="same"):
        return {"officer_id": self.officer_id,
                "cert_no": self.cert_no if cert_no == "same" else cert_no,
                "cert_shown": shown}


class Scenario:
    """One scenario: reference records, events and expected alert lines."""

    def __init__(self, name, doc):
        self.name, self.doc = name, doc
        self.refs, self.events, self.expected = [], [], []
        self.cfg = None
        self.as_of = None  # ISO time for --as-of, or None
        self.tag = "".join(w[0] for w in name.split("_")).upper()[:6] + \
            _digits(name, 4)
        self.n_officers = self.n_ent = self.n_ev = self.n_ins = 0
        self.bad_usccs, self.jbs = set(), set()
        self.approvals = set()

    # --- reference records ---
    def ref(self, t, **rec):
        self.refs.append(dict({"type": t}, **rec))
        return rec

    def agency(self, name, region="622901", level=None, bad_uscc=False,
               key="A", annual_plans=(2023, 2024, 2025)):
        """An agency with inspection power, and its justice bureau. It has
        filed an (empty) annual inspection plan on 01-10 of each year in
        `annual_plans`, so that R01 is silent unless a scenario is about
        it; the plans a scenario checks against come from plan()."""
        seed = self.name + "/" + key
        jb = make_uscc("11", region, "01" + _digits(self.name + "/jb/" +
                                                    region, 6))
        if jb not in self.jbs:
            self.jbs.add(jb)
            self.ref("agency", agency_uscc=jb, name=_jb_name(region),
                     region_code=region, level=_level(region),
                     parent_agency_uscc=None, has_inspection_power=False,
                     justice_bureau_uscc=jb)
        uscc = make_uscc("11", region, "01" + _digits(seed, 6),
                         corrupt=bad_uscc)
        if bad_uscc:
            self.bad_usccs.add(uscc)
        self.ref("agency", agency_uscc=uscc, name=name, region_code=region,
                 level=level or _level(region), parent_agency_uscc=None,
                 has_inspection_power=True, justice_bureau_uscc=jb)
        for year in annual_plans:
            self.ref("plan", plan_id="JH-%s-%s-Y%d" % (self.tag, key, year),
                     agency_uscc=uscc, year=year,
                     plan_type="ANNUAL_INSPECTION", status="FILED",
                     filed_at=ts("%d-01-10 10:00" % year), items=[],
                     participant_agency_usccs=[])
        return uscc

    def enterprise(self, region="622901", bad_uscc=False, letter_c18=False):
        """A USCC of an enterprise registered in `region` (no ref record:
        the contract has no enterprise registry)."""
        self.n_ent += 1
        seed = "%s/E%d" % (self.name, self.n_ent)
        for i in range(1000):
            body = "MA" + _chars(seed + str(i), 6)
            code = make_uscc("91", region, body, corrupt=bad_uscc)
            if not letter_c18 or code[17].isalpha():
                break
        if bad_uscc:
            self.bad_usccs.add(code)
        return code

    def officer(self, agency_uscc, status="ACTIVE",
                valid_from="2022-06-01 00:00", valid_to="2027-05-31 23:59:59",
                registered=True, cert_agency=None, cert_officer=None):
        self.n_officers += 1
        oid = "ZF-%s-%02d" % (self.tag, self.n_officers)
        cert = "62-2022-%s%02d" % (_digits(self.name, 5), self.n_officers)
        if registered:
            self.ref("certificate", cert_no=cert,
                     officer_id=cert_officer or oid,
                     agency_uscc=cert_agency or agency_uscc,
                     valid_from=ts(valid_from), valid_to=ts(valid_to),
                     status=status)
        return Officer(oid, cert)

    def plan(self, agency_uscc, items, status="FILED", year=2025,
             plan_type="ANNUAL_INSPECTION", participants=(), key="P",
             filed=None):
        pid = "JH-%s-%s" % (self.tag, key)
        rec = self.ref(
            "plan", plan_id=pid, agency_uscc=agency_uscc, year=year,
            plan_type=plan_type, status=status,
            filed_at=None if status == "DRAFT" else ts(
                filed or "%d-02-20 10:00" % year),
            items=[], participant_agency_usccs=list(participants))
        for n, it in enumerate(items, 1):
            code, industries, usccs, start, end = it
            rec["items"].append({
                "item_id": "%s-%02d" % (pid, n), "check_item_code": code,
                "target_industries": list(industries),
                "target_usccs": list(usccs), "max_per_enterprise": None,
                "mode": None, "window_start": ts(start + " 00:00"),
                "window_end": ts(end + " 23:59:59")})
        return pid

    def approval(self, approval_id, agency_uscc, approved_at,
                 enterprise_uscc=None, inspection_id=None, valid_until=None):
        """Files an approval record (once per approval_id)."""
        if approval_id in self.approvals:
            return approval_id
        self.approvals.add(approval_id)
        self.ref("approval", approval_id=approval_id,
                 agency_uscc=agency_uscc, enterprise_uscc=enterprise_uscc,
                 inspection_id=inspection_id, approved_at=approved_at,
                 valid_until=valid_until)
        return approval_id

    def task(self, agency_uscc, item, enterprises, officers, key="T"):
        tid = "CC-%s-%s" % (self.tag, key)
        self.ref("random_task", task_id=tid, agency_uscc=agency_uscc,
                 check_item_code=item, drawn_at=at("10:00", "2025-03-03"),
                 enterprises=list(enterprises),
                 officers=[o.officer_id for o in officers],
                 population_size=120, completed_at=None, published_at=None)
        return tid

    # --- events ---
    def inspection_id(self):
        self.n_ins += 1
        return "INS-%s-%03d" % (self.tag, self.n_ins)

    def inspection(self, iid, agency_uscc, enterprise_uscc, officers,
                   event_time, status="STARTED", started="09:30",
                   ended=None, trigger="ANNUAL_PLAN",
                   check_items=("SCJG-FOOD-02",),
                   mode="ON_SITE", region="622901", industry="F52",
                   event_id=None, day=DAY, approval_record=True, **extra):
        self.n_ev += 1
        rec = {
            "type": "inspection",
            "event_id": event_id or str(uuid.uuid5(
                NS, "%s/%d" % (self.name, self.n_ev))),
            "event_time": event_time, "inspection_id": iid,
            "status": status, "agency_uscc": agency_uscc,
            "enterprise_uscc": enterprise_uscc,
            "enterprise_region_code": region, "industry_code": industry,
            "check_class": "ROUTINE", "trigger_type": trigger,
            "check_items": list(check_items),
            "approval_id": "SP-" + iid, "approved_at": at("16:00",
                                                          "2025-03-03"),
            "mode": mode, "officers": list(officers),
            "started_at": at(started, day) if started and status != "PLANNED"
            else None,
            "ended_at": at(ended, day) if ended else None,
            "av_coverage": "FULL" if mode == "ON_SITE" else "NONE",
        }
        if status == "ENDED":
            rec.update(result="NO_ISSUE", written_record_id="JCBL-" + iid,
                       ledger_registered_at=event_time,
                       ledger_signed_by=sorted(
                           {o["officer_id"] for o in officers}))
        rec.update(extra)
        if rec.get("av_coverage") == "FULL" and "av_record_ids" not in extra:
            rec["av_record_ids"] = ["YX-" + iid]
        if approval_record and rec.get("approval_id") and \
                rec.get("approved_at"):
            self.approval(rec["approval_id"], agency_uscc,
                          rec["approved_at"], enterprise_uscc=enterprise_uscc,
                          inspection_id=iid)
        self.events.append(rec)
        return rec

    def expect(self, *lines):
        self.expected += lines

    def files(self):
        body = "".join(dumps(r) + "\n" for r in self.refs + self.events)
        exp = "".join(e + "\n" for e in self.expected)
        return body, exp


def _level(region):
    return "PREFECTURE" if region == "622900" else "COUNTY"


def _jb_name(region):
    return {"622900": "临夏回族自治州司法局", "622901": "临夏市司法局",
            "622921": "临夏县司法局", "622922": "康乐县司法局",
            "622923": "永靖县司法局", "622924": "广河县司法局",
            "622925": "和政县司法局", "622926": "东乡族自治县司法局",
            "622927": "积石山保安族东乡族撒拉族自治县司法局"}[region]


H1 = ("2025-03-01", "2025-06-30")
SCENARIOS = []


def scenario(fn):
    SCENARIOS.append(fn)
    return fn


def market(sc, items=None, status="FILED", officers=2, **plan_kw):
    """The usual cast: 临夏市市场监督管理局 with a FILED 2025 plan whose item
    SCJG-FOOD-02 targets retail (F52), and `officers` certified officers."""
    ag = sc.agency("临夏市市场监督管理局")
    offs = [sc.officer(ag) for _ in range(officers)]
    pid = sc.plan(ag, items if items is not None else
                  [("SCJG-FOOD-02", ["F51", "F52", "H62"], [], *H1)],
                  status=status, **plan_kw)
    return ag, offs, pid


def started_ended(sc, iid, ag, ent, officers, started="09:30", ended="11:30",
                  **kw):
    """The two usual snapshots with the same content: STARTED, recorded 10
    minutes after `started`, and ENDED, recorded 10 minutes after `ended`."""
    def later(hhmm):
        h, m = map(int, hhmm.split(":"))
        return "%02d:%02d" % divmod(h * 60 + m + 10, 60)
    sc.inspection(iid, ag, ent, officers, at(later(started)), started=started,
                  **kw)
    sc.inspection(iid, ag, ent, officers, at(later(ended)), status="ENDED",
                  started=started, ended=ended, **kw)


# ---------------------------------------------------------------- output ---

def build():
    out = {}
    for fn in SCENARIOS:
        sc = fn()
        assert sc.name not in out, sc.name
        body, exp = sc.files()
        out[sc.name] = (sc, body, exp)
    return out


def main(argv):
    check = "--check" in argv
    stale, problems = [], []
    built = build()
    for name, (sc, body, exp) in built.items():
        files = {name + ".jsonl": body, name + ".expected": exp}
        if sc.cfg:
            files[name + ".cfg"] = sc.cfg
        if sc.as_of:
            files[name + ".asof"] = sc.as_of + "\n"
        for fname, text in files.items():
            path = os.path.join(HERE, fname)
            if check:
                try:
                    with open(path, encoding="utf-8") as fp:
                        if fp.read() != text:
                            stale.append(fname)
                except FileNotFoundError:
                    stale.append(fname)
            else:
                with open(path, "w", encoding="utf-8") as fp:
                    fp.write(text)
        path = os.path.join(HERE, name + ".jsonl")
        if os.path.exists(path):
            problems += validate_file(path, expect_bad_usccs=sc.bad_usccs,
                                      ordered=False)
        for code in sc.bad_usccs:
            assert not uscc_valid(code)
    exts = (".jsonl", ".expected", ".cfg", ".asof")
    known = {n + ext for n in built for ext in exts}
    for f in os.listdir(HERE):
        if f.endswith(exts) and f not in known:
            stale.append(f + " (no longer generated)")
    for s in stale:
        print("stale: %s" % s, file=sys.stderr)
    for p in problems:
        print(p, file=sys.stderr)
    if not stale and not problems:
        print("%d scenarios%s" % (len(built), ", up to date" if check
                                  else " written"))
    return 1 if stale or problems else 0

