"""scen_history.py - scenarios of the rules that read an enterprise's
history: R13a, R13b (两轻一免), R15 (compulsion before soft measures), R22a
and R22b (fees and stoppages during inspections).

Decisions start from one compliant decision (_decision): 临夏市市场监督管理局
fines an enterprise ¥2,000 (below every hearing threshold, no benchmark on
file for the scenario's own violation code), told the party of its rights
eight days before and decided at 15:30, with two certified officers who
showed their certificates. A scenario changes what it is about.

Order: the daemon reads penalties and inspections from different topics, in
no fixed order relative to each other. Where one decision must precede
another, both are on the penalties topic with the enterprise as key, the
earlier one first in the file. The near misses where a decision must
precede an inspection or the reverse (r15_soft_measure_by_agency_near_miss,
r22a_linked_penalty_near_miss, r22b_compulsory_decision_near_miss) rely on
the file order across topics, which `check` keeps and which the daemon
scenario test (tests/integration/test_scenarios_daemon.sh) keeps by sending
each topic's segment in its own round; in production the daemon gives no
such guarantee (see the order notes in daemon/rules/r15_compulsion.c and
r22_discipline.c).

Leniency items are found by violation_code and credit grades by enterprise,
so both derive from the scenario's tag or its own enterprise: scenarios sent
to one broker together never see each other's list items or grades.
"""

import datetime
import uuid

from scenario_lib import (DAY, H1, NS, Scenario, _digits, at, market,
                          scenario, started_ended, ts)


def _cast(sc):
    """The agency, its two certified officers and the scenario's violation
    code. Returns (agency, officers, code)."""
    ag = sc.agency("临夏市市场监督管理局")
    offs = [sc.officer(ag) for _ in range(2)]
    return ag, offs, "SPAQF-" + sc.tag


def _shift(day, days):
    """`day` (YYYY-MM-DD) moved by `days` calendar days."""
    d = datetime.date.fromisoformat(day) + datetime.timedelta(days=days)
    return d.isoformat()


def _decision(sc, ag, offs, code, ent, n=1, day=DAY, **extra):
    """Appends the compliant decision of `ent` (changed by `extra`) decided
    on `day` at 15:30 and sent at 16:00; returns its decision_no. `n` tells
    several decisions apart."""
    dno = "临市市监罚〔%s〕%s%d号" % (day[:4], _digits(sc.name, 3), n)
    event_time = extra.pop("event_time", at("16:00", day))
    rec = {
        "type": "penalty",
        "event_id": str(uuid.uuid5(NS, "%s/p%d/%s" % (sc.name, n,
                                                      event_time))),
        "event_time": event_time, "decision_no": dno,
        "agency_uscc": ag, "enterprise_uscc": ent,
        "enterprise_region_code": "622901", "industry_code": "F52",
        "filed_at": at("10:00", _shift(day, -15)),
        "notice_of_rights_at": at("10:00", _shift(day, -8)),
        "decided_at": at("15:30", day), "published_at": at("15:50", day),
        "procedure": "GENERAL",
        "penalty_types": ["FINE"], "fine_fen": 200000,
        "violation_code": code, "benchmark_cited": False,
        "discretion_level": "GENERAL", "factor_codes": [],
        "first_offense": True, "corrected": True, "harm_level": "MINOR",
        "officers": [o() for o in offs], "av_coverage": "FULL"}
    rec.update(extra)
    sc.events.append(rec)
    return dno


def _leniency(sc, code, kind, key="1", **extra):
    """Files a leniency_item for `code` (defaults of the contract: 730 days,
    harm up to MINOR, correction required)."""
    rec = dict(item_id="LQYM-%s-%s" % (sc.tag, key), violation_code=code,
               kind=kind, lookback_days=730, harm_max="MINOR",
               must_correct=True)
    rec.update(extra)
    sc.ref("leniency_item", **rec)
    return rec["item_id"]


def _grade(sc, ent, grade):
    sc.ref("credit_grade", enterprise_uscc=ent, grade=grade,
           as_of=ts("2025-03-01 00:00"))


# ================================================================== R13a ===

@scenario
def r13a_first_offence_fined():
    sc = Scenario("r13a_first_offence_fined",
                  "The violation is on the 首违不罚 list; a first offence "
                  "with minor harm, corrected at once, is fined ¥2,000 all "
                  "the same: R13a MEDIUM.")
    ag, offs, code = _cast(sc)
    _leniency(sc, code, "FIRST_OFFENSE_NO_PENALTY")
    dno = _decision(sc, ag, offs, code, sc.enterprise())
    sc.expect("R13a OPEN MEDIUM " + dno)
    return sc


@scenario
def r13a_prior_offence_within_two_years_near_miss():
    sc = Scenario("r13a_prior_offence_within_two_years_near_miss",
                  "The same enterprise was fined for the same violation on "
                  "2024-01-15 (serious harm then, so that decision is no "
                  "leniency case itself): the 2025 offence is not a first "
                  "offence within the 730-day lookback, the fine is no R13a.")
    ag, offs, code = _cast(sc)
    _leniency(sc, code, "FIRST_OFFENSE_NO_PENALTY")
    ent = sc.enterprise()
    _decision(sc, ag, offs, code, ent, n=1, day="2024-01-15",
              harm_level="SERIOUS", first_offense=True)
    _decision(sc, ag, offs, code, ent, n=2, first_offense=False)
    return sc


@scenario
def r13a_prior_offence_older_than_lookback():
    sc = Scenario("r13a_prior_offence_older_than_lookback",
                  "The enterprise's earlier fine for the same violation was "
                  "on 2023-02-20, more than 730 days before: a first offence "
                  "again, fined: R13a MEDIUM.")
    ag, offs, code = _cast(sc)
    _leniency(sc, code, "FIRST_OFFENSE_NO_PENALTY")
    ent = sc.enterprise()
    _decision(sc, ag, offs, code, ent, n=1, day="2023-02-20",
              harm_level="SERIOUS")
    dno = _decision(sc, ag, offs, code, ent, n=2)
    sc.expect("R13a OPEN MEDIUM " + dno)
    return sc


@scenario
def r13a_not_corrected_near_miss():
    sc = Scenario("r13a_not_corrected_near_miss",
                  "A listed first offence, but the enterprise has not "
                  "corrected it (the item requires correction): the list "
                  "does not apply, the fine is no R13a.")
    ag, offs, code = _cast(sc)
    _leniency(sc, code, "FIRST_OFFENSE_NO_PENALTY")
    _decision(sc, ag, offs, code, sc.enterprise(), corrected=False)
    return sc


@scenario
def r13a_lighter_item_general_level():
    sc = Scenario("r13a_lighter_item_general_level",
                  "The list says 从轻处罚 for the violation; the conditions "
                  "hold, yet the fine is at the GENERAL level: R13a MEDIUM.")
    ag, offs, code = _cast(sc)
    _leniency(sc, code, "LIGHTER")
    dno = _decision(sc, ag, offs, code, sc.enterprise())
    sc.expect("R13a OPEN MEDIUM " + dno)
    return sc


@scenario
def r13a_lighter_item_lenient_level_near_miss():
    sc = Scenario("r13a_lighter_item_lenient_level_near_miss",
                  "The list says 从轻处罚 and the fine is at the LENIENT "
                  "level: applied as listed, no R13a.")
    ag, offs, code = _cast(sc)
    _leniency(sc, code, "LIGHTER")
    _decision(sc, ag, offs, code, sc.enterprise(), discretion_level="LENIENT")
    return sc


@scenario
def r13a_decision_withdrawn():
    sc = Scenario("r13a_decision_withdrawn",
                  "A listed first offence is fined (R13a MEDIUM); two days "
                  "later the agency withdraws the decision: R13a WITHDRAWN.")
    ag, offs, code = _cast(sc)
    _leniency(sc, code, "NO_PENALTY")
    ent = sc.enterprise()
    dno = _decision(sc, ag, offs, code, ent)
    _decision(sc, ag, offs, code, ent, event_time=at("10:00", "2025-03-06"),
              withdrawn_at=at("09:30", "2025-03-06"))
    sc.expect("R13a OPEN MEDIUM " + dno, "R13a WITHDRAWN MEDIUM " + dno)
    return sc


# ================================================================== R13b ===

@scenario
def r13b_waived_not_rectified():
    sc = Scenario("r13b_waived_not_rectified",
                  "The list says 不予处罚 on condition of correction; the "
                  "agency imposes nothing although the enterprise has not "
                  "corrected: R13b LOW (the procedure should be restarted).")
    ag, offs, code = _cast(sc)
    _leniency(sc, code, "NO_PENALTY")
    dno = _decision(sc, ag, offs, code, sc.enterprise(), penalty_types=[],
                    fine_fen=0, discretion_level="NO_PENALTY",
                    corrected=False)
    sc.expect("R13b OPEN LOW " + dno)
    return sc


@scenario
def r13b_waived_and_rectified_near_miss():
    sc = Scenario("r13b_waived_and_rectified_near_miss",
                  "The same waiver, the enterprise having corrected: the "
                  "list applied as it should be, no alert.")
    ag, offs, code = _cast(sc)
    _leniency(sc, code, "NO_PENALTY")
    _decision(sc, ag, offs, code, sc.enterprise(), penalty_types=[],
              fine_fen=0, discretion_level="NO_PENALTY", corrected=True)
    return sc


# =================================================================== R15 ===

@scenario
def r15_seal_on_grade_a_without_soft_measure():
    sc = Scenario("r15_seal_on_grade_a_without_soft_measure",
                  "An A-grade (low-risk) enterprise's goods are sealed with "
                  "the fine, after no order to correct or guidance by the "
                  "agency in the 90 days before: R15 LOW advisory.")
    ag, offs, code = _cast(sc)
    ent = sc.enterprise()
    _grade(sc, ent, "A")
    dno = _decision(sc, ag, offs, code, ent, compulsory_measures=["SEAL"])
    sc.expect("R15 OPEN LOW " + dno)
    return sc


@scenario
def r15_soft_measure_by_agency_near_miss():
    sc = Scenario("r15_soft_measure_by_agency_near_miss",
                  "The market regulator gave the A-grade enterprise "
                  "administrative guidance during a check on 02-20, then "
                  "sealed its goods on 03-04: a soft measure came first, "
                  "no R15.")
    ag, offs, pid = market(sc, items=[("SCJG-FOOD-02", ["F52"], [],
                                       "2025-02-01", "2025-06-30")])
    ent = sc.enterprise()
    _grade(sc, ent, "A")
    iid = sc.inspection_id()
    for status, t, ended in (("STARTED", "09:40", None),
                             ("ENDED", "11:40", "11:30")):
        sc.inspection(iid, ag, ent, [o() for o in offs],
                      at(t, "2025-02-20"), status=status, ended=ended,
                      plan_id=pid, day="2025-02-20",
                      soft_measures=["ADMIN_GUIDANCE"],
                      approved_at=at("16:00", "2025-02-19"))
    _decision(sc, ag, offs, "SPAQF-" + sc.tag, ent,
              compulsory_measures=["SEAL"])
    return sc


@scenario
def r15_grade_c_near_miss():
    sc = Scenario("r15_grade_c_near_miss",
                  "The same seal on a C-grade (higher-risk) enterprise: "
                  "R15 is about A/B enterprises only.")
    ag, offs, code = _cast(sc)
    ent = sc.enterprise()
    _grade(sc, ent, "C")
    _decision(sc, ag, offs, code, ent, compulsory_measures=["SEAL"])
    return sc


@scenario
def r15_urgent_factor_near_miss():
    sc = Scenario("r15_urgent_factor_near_miss",
                  "A seal on a B-grade enterprise, the decision naming the "
                  "urgency factor URGENT: no R15.")
    ag, offs, code = _cast(sc)
    ent = sc.enterprise()
    _grade(sc, ent, "B")
    _decision(sc, ag, offs, code, ent, compulsory_measures=["SEIZE"],
              factor_codes=["URGENT"])
    return sc


@scenario
def r15_other_agency_guidance_still_fires():
    sc = Scenario("r15_other_agency_guidance_still_fires",
                  "Another department (卫生健康局) gave the enterprise "
                  "administrative guidance on 02-20; the market regulator "
                  "itself tried nothing softer before sealing: R15 LOW. "
                  "(Fires in either order of the two topics.)")
    ag, offs, code = _cast(sc)
    ent = sc.enterprise()
    _grade(sc, ent, "A")
    health = sc.agency("临夏市卫生健康局", key="H")
    hoffs = [sc.officer(health) for _ in range(2)]
    hplan = sc.plan(health, [("WSJD-GG-01", ["F52"], [], "2025-02-01",
                              "2025-06-30")], key="H")
    iid = sc.inspection_id()
    for status, t, ended in (("STARTED", "09:40", None),
                             ("ENDED", "11:40", "11:30")):
        sc.inspection(iid, health, ent, [o() for o in hoffs],
                      at(t, "2025-02-20"), status=status, ended=ended,
                      plan_id=hplan, check_items=("WSJD-GG-01",),
                      day="2025-02-20", soft_measures=["ADMIN_GUIDANCE"],
                      approved_at=at("16:00", "2025-02-19"))
    dno = _decision(sc, ag, offs, code, ent, compulsory_measures=["SEAL"])
    sc.expect("R15 OPEN LOW " + dno)
    return sc


# ================================================================== R22a ===

@scenario
def r22a_fee_without_penalty():
    sc = Scenario("r22a_fee_without_penalty",
                  "The officers collect ¥300 from the shop during a routine "
                  "check that names no case: R22a HIGH (once: the ENDED "
                  "snapshot says the same).")
    ag, (o1, o2), pid = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid,
                  fees_collected_fen=30000)
    sc.expect("R22a OPEN HIGH " + iid)
    return sc


@scenario
def r22a_linked_penalty_near_miss():
    sc = Scenario("r22a_linked_penalty_near_miss",
                  "A case investigation (case_id given) during which the "
                  "officers collect the ¥300 fine of that case's decision, "
                  "decided that morning: the money is linked to a penalty, "
                  "no R22a.")
    ag, (o1, o2), pid = market(sc)
    ent = sc.enterprise()
    case_id = "临市市监立〔2025〕%s号" % _digits(sc.name, 3)
    _decision(sc, ag, [o1, o2], "SPAQF-" + sc.tag, ent, case_id=case_id,
              fine_fen=30000, decided_at=at("10:30"),
              event_time=at("10:40"))
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, ent, [o1(), o2()], plan_id=pid,
                  trigger="CASE_INVESTIGATION", case_id=case_id,
                  fees_collected_fen=30000)
    return sc


@scenario
def r22a_statutory_fee_item_near_miss():
    sc = Scenario("r22a_statutory_fee_item_near_miss",
                  "¥300 collected during the check of an item with a "
                  "statutory fee (a metrology verification, configured in "
                  "r22a_statutory_fee_item_near_miss.cfg): no R22a.")
    ag, (o1, o2), pid = market(sc, items=[("SCJG-JLJD-01", ["F52"], [],
                                           *H1)])
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid,
                  check_items=("SCJG-JLJD-01",), fees_collected_fen=30000)
    sc.cfg = ("# R22a: check items that carry a statutory fee.\n"
              "rules = {\n"
              "  R22a = {\n"
              "    statutory_fee_items = [ \"SCJG-JLJD-01\" ];\n"
              "  };\n"
              "};\n")
    return sc


# ================================================================== R22b ===

@scenario
def r22b_production_halted_without_decision():
    sc = Scenario("r22b_production_halted_without_decision",
                  "The officers stop the shop's business during the check; "
                  "the agency has made no compulsory-measure decision: R22b "
                  "HIGH (once).")
    ag, (o1, o2), pid = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid,
                  production_halted=True)
    sc.expect("R22b OPEN HIGH " + iid)
    return sc


@scenario
def r22b_compulsory_decision_near_miss():
    sc = Scenario("r22b_compulsory_decision_near_miss",
                  "Production stops during the check because the agency "
                  "decided to seal the premises at 10:00 that morning "
                  "(a compulsory-measure decision on file): no R22b.")
    ag, (o1, o2), pid = market(sc)
    ent = sc.enterprise()
    _decision(sc, ag, [o1, o2], "SPAQF-" + sc.tag, ent,
              compulsory_measures=["SEAL"], decided_at=at("10:00"),
              event_time=at("10:05"))
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, ent, [o1(), o2()], plan_id=pid,
                  production_halted=True)
    return sc


@scenario
def r22b_planned_inspection_near_miss():
    sc = Scenario("r22b_planned_inspection_near_miss",
                  "A PLANNED check whose record already says production "
                  "will be halted: nothing has happened yet, R22b judges "
                  "STARTED and ENDED snapshots only.")
    ag, (o1, o2), pid = market(sc)
    iid = sc.inspection_id()
    sc.inspection(iid, ag, sc.enterprise(), [o1(), o2()], at("09:00"),
                  status="PLANNED", plan_id=pid, production_halted=True)
    return sc
