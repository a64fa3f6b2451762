"""scen_deadlines.py - scenarios of the deadline rules: R03's emergency grace
(the approval never comes), R04 (ledger), R07 (publication of decisions
and inspection results), R12 (case duration), R16c (random-task results)
and R20a/R20b (complaint deadlines).

A deadline fires when check's clock passes it: either a later event, or the
scenario's as_of (written to <name>.asof, passed as --as-of), with no event
after it: the alert then comes from the engine's wake-up, detected at the
deadline. Each near miss does the act in time, or stops the clock before
the deadline.

The agency's 2025 plan is filed on 01-10, before R01's warning date, so
that R01 stays out of these scenarios. Working-day deadlines here stay
clear of public holidays (03-04 + 20 WD is 04-01, before 清明), except the
National Day scenario, which files the real 2025 calendar_day records (as
scen_procedure.py does) so that scenarios sent to one broker together agree
on every date.
"""

import uuid

from scenario_lib import (NS, Scenario, _digits, at, market, scenario,
                          started_ended, ts)

PLAN_FILED = "2025-01-10 10:00"
YEAR = ("2025-01-01", "2025-12-31")

# 2025 National Day and Mid-Autumn: 10-01 .. 10-08 off, Sunday 09-28 and
# Saturday 10-11 working (the State Council's 2025 notice).
NATIONAL_DAY_2025 = [("2025-09-28", True)] + [
    ("2025-10-%02d" % d, False) for d in range(1, 9)] + [("2025-10-11", True)]


def _cast(sc, whole_year=False):
    """临夏市市场监督管理局, two certified officers and its 2025 plan, filed
    in time (items for retail, F52, in H1 or the whole year)."""
    items = None
    if whole_year:
        items = [("SCJG-FOOD-02", ["F51", "F52", "H62"], [], *YEAR)]
    return market(sc, items=items, filed=PLAN_FILED)


def _ended(sc, ag, offs, pid, **kw):
    """One compliant inspection on 03-04 (STARTED 09:30, ENDED 11:30, its
    ledger registered and signed when it ends unless `kw` says otherwise).
    Returns its id."""
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o() for o in offs],
                  plan_id=pid, **kw)
    return iid


def _penalty(sc, ag, offs, key="p", event_time=None, **fields):
    """A compliant GENERAL decision of 03-04 15:30 (filed 02-17, parties
    told on 02-24, a ¥2,000 fine below the hearing threshold), changed by
    `fields`. Returns (decision_no, the record) for later snapshots."""
    dno = "临市市监罚〔2025〕%s号" % _digits(sc.name + key, 3)
    rec = {
        "type": "penalty",
        "event_id": str(uuid.uuid5(NS, "%s/%s/%s" % (sc.name, key,
                                                     event_time))),
        "event_time": event_time or at("16:00"), "decision_no": dno,
        "agency_uscc": ag, "enterprise_uscc": sc.enterprise(),
        "enterprise_region_code": "622901", "industry_code": "F52",
        "filed_at": at("10:00", "2025-02-17"),
        "notice_of_rights_at": at("10:00", "2025-02-24"),
        "decided_at": at("15:30"), "procedure": "GENERAL",
        "penalty_types": ["FINE"], "fine_fen": 200000,
        "violation_code": "SPAQF-" + sc.tag,
        "officers": [o() for o in offs], "av_coverage": "FULL"}
    rec.update(fields)
    sc.events.append(rec)
    return dno, rec


def _again(sc, rec, event_time, **changes):
    """A later snapshot of the same subject with `changes`."""
    new = dict(rec, **changes)
    new["event_time"] = event_time
    new["event_id"] = str(uuid.uuid5(NS, "%s/%s/%s" % (
        sc.name, rec.get("decision_no") or rec.get("complaint_id"),
        event_time)))
    sc.events.append(new)
    return new


def _task(sc, ag, offs, published=None):
    """A random task drawn 03-03 and completed Tuesday 03-04 17:00: its
    results are due 20 WD later, on 04-01."""
    tid = "CC-%s-T" % sc.tag
    sc.ref("random_task", task_id=tid, agency_uscc=ag,
           check_item_code="SCJG-FOOD-02", drawn_at=at("10:00", "2025-03-03"),
           enterprises=[sc.enterprise()],
           officers=[o.officer_id for o in offs],
           population_size=120, completed_at=at("17:00"),
           published_at=published)
    return tid


def _complaint(sc, ag, subject_type, received, event_time, key="c",
               **fields):
    """A hotline complaint handled by `ag`, status RECEIVED unless `fields`
    say otherwise. Returns (complaint_id, the record)."""
    cid = "12345-2025%s-%s" % (received[5:10].replace("-", ""),
                               _digits(sc.name + key, 4))
    rec = {
        "type": "complaint",
        "event_id": str(uuid.uuid5(NS, "%s/%s/%s" % (sc.name, key,
                                                     event_time))),
        "event_time": event_time, "complaint_id": cid,
        "received_at": received, "channel": "HOTLINE_12345",
        "subject_type": subject_type, "complainant_uscc": None,
        "enterprise_uscc": sc.enterprise(), "respondent_agency_uscc": None,
        "respondent_officer_ids": [], "related_inspection_id": None,
        "related_penalty_id": None, "category": "OTHER",
        "handling_agency_uscc": ag, "status": "RECEIVED",
        "accepted_at": None, "rejected_at": None, "extension_days": 0,
        "finding": None, "suspected_discipline": False,
        "concluded_at": None, "feedback_at": None}
    rec.update(fields)
    sc.events.append(rec)
    return cid, rec


# =================================================================== R03 ===

def _emergency_no_approval(sc):
    """A night-time emergency check (PUBLIC_SAFETY) started Friday 03-07
    22:00 that cites no approval; the feed sends nothing after it."""
    ag, (o1, o2), pid = _cast(sc)
    iid = sc.inspection_id()
    sc.inspection(iid, ag, sc.enterprise(), [o1(), o2()],
                  at("22:10", "2025-03-07"), day="2025-03-07",
                  started="22:00", trigger="PUBLIC_SAFETY",
                  check_class="CASE", emergency=True, approval_id=None,
                  approved_at=None)
    return iid


@scenario
def r03_emergency_approval_never_comes():
    sc = Scenario("r03_emergency_approval_never_comes",
                  "An emergency check may be approved by the end of the next "
                  "working day (Monday 03-10); no approval and no later "
                  "snapshot: the deadline passing raises R03 MEDIUM.")
    iid = _emergency_no_approval(sc)
    sc.as_of = ts("2025-03-11 00:00")
    sc.expect("R03 OPEN MEDIUM " + iid)
    return sc


@scenario
def r03_emergency_within_grace_near_miss():
    sc = Scenario("r03_emergency_within_grace_near_miss",
                  "The same emergency check judged on Monday 03-10 23:00: "
                  "the approval may still come, nothing yet.")
    _emergency_no_approval(sc)
    sc.as_of = ts("2025-03-10 23:00")
    return sc


# =================================================================== R04 ===

@scenario
def r04_ledger_not_registered():
    sc = Scenario("r04_ledger_not_registered",
                  "An inspection ended Tuesday 03-04 without a ledger entry: "
                  "5 WD later (03-11) R04 LOW.")
    ag, offs, pid = _cast(sc)
    iid = _ended(sc, ag, offs, pid, ledger_registered_at=None,
                 ledger_signed_by=[])
    sc.as_of = ts("2025-03-12 00:00")
    sc.expect("R04 OPEN LOW " + iid)
    return sc


@scenario
def r04_ledger_registered_on_last_day_near_miss():
    sc = Scenario("r04_ledger_registered_on_last_day_near_miss",
                  "The ledger is registered and signed on 03-11, the fifth "
                  "working day: in time.")
    ag, offs, pid = _cast(sc)
    iid = _ended(sc, ag, offs, pid, ledger_registered_at=None,
                 ledger_signed_by=[])
    sc.inspection(iid, ag, sc.events[-1]["enterprise_uscc"],
                  [o() for o in offs], at("17:10", "2025-03-11"),
                  status="ENDED", ended="11:30", plan_id=pid,
                  ledger_registered_at=at("17:00", "2025-03-11"))
    sc.as_of = ts("2025-03-31 00:00")
    return sc


@scenario
def r04_ledger_registered_late():
    sc = Scenario("r04_ledger_registered_late",
                  "No ledger at the deadline (R04 LOW from the wake-up); "
                  "registered on 03-13, two days late: the alert stays open "
                  "with the late time (emitted again).")
    ag, offs, pid = _cast(sc)
    iid = _ended(sc, ag, offs, pid, ledger_registered_at=None,
                 ledger_signed_by=[])
    sc.inspection(iid, ag, sc.events[-1]["enterprise_uscc"],
                  [o() for o in offs], at("09:10", "2025-03-13"),
                  status="ENDED", ended="11:30", plan_id=pid,
                  ledger_registered_at=at("09:00", "2025-03-13"))
    sc.expect("R04 OPEN LOW " + iid, "R04 OPEN LOW " + iid)
    return sc


@scenario
def r04_ledger_unsigned_officer():
    sc = Scenario("r04_ledger_unsigned_officer",
                  "The ledger is registered at once, but one of the two "
                  "officers never signs it: R04 LOW at the deadline.")
    ag, (o1, o2), pid = _cast(sc)
    iid = _ended(sc, ag, (o1, o2), pid, ledger_signed_by=[o1.officer_id])
    sc.as_of = ts("2025-03-31 00:00")
    sc.expect("R04 OPEN LOW " + iid)
    return sc


@scenario
def r04_ledger_after_national_day_near_miss():
    sc = Scenario("r04_ledger_after_national_day_near_miss",
                  "Ended Tuesday 09-30; the ledger is registered on 10-14. "
                  "Five working days skip the National Day holiday and count "
                  "the 调休 Saturday 10-11 (calendar_day records): in time.")
    ag, offs, pid = _cast(sc, whole_year=True)
    for date, workday in NATIONAL_DAY_2025:
        sc.ref("calendar_day", date=date, is_workday=workday)
    iid, ent, day = sc.inspection_id(), sc.enterprise(), "2025-09-30"
    officers = [o() for o in offs]
    sc.inspection(iid, ag, ent, officers, at("09:40", day), day=day,
                  plan_id=pid)
    for recorded, registered in ((at("11:40", day), None),
                                 (at("10:10", "2025-10-14"),
                                  at("10:00", "2025-10-14"))):
        sc.inspection(iid, ag, ent, officers, recorded, status="ENDED",
                      ended="11:30", day=day, plan_id=pid,
                      ledger_registered_at=registered,
                      ledger_signed_by=[o["officer_id"] for o in officers]
                      if registered else [])
    sc.as_of = ts("2025-10-31 00:00")
    return sc


# =================================================================== R07 ===

@scenario
def r07_penalty_unpublished():
    sc = Scenario("r07_penalty_unpublished",
                  "A fine decided on Tuesday 03-04 is not published within 7 "
                  "working days (by 03-13): R07 MEDIUM.")
    ag, offs, _ = _cast(sc)
    dno, _ = _penalty(sc, ag, offs)
    sc.as_of = ts("2025-03-14 00:00")
    sc.expect("R07 OPEN MEDIUM " + dno)
    return sc


@scenario
def r07_penalty_published_on_last_day_near_miss():
    sc = Scenario("r07_penalty_published_on_last_day_near_miss",
                  "The decision is published on 03-13, the seventh working "
                  "day: in time.")
    ag, offs, _ = _cast(sc)
    _, rec = _penalty(sc, ag, offs)
    _again(sc, rec, at("18:10", "2025-03-13"),
           published_at=at("18:00", "2025-03-13"))
    sc.as_of = ts("2025-03-31 00:00")
    return sc


@scenario
def r07_simple_procedure_near_miss():
    sc = Scenario("r07_simple_procedure_near_miss",
                  "An on-the-spot warning (简易程序) is not published, and "
                  "need not be.")
    ag, offs, _ = _cast(sc)
    _penalty(sc, ag, offs, procedure="SIMPLE", penalty_types=["WARNING"],
             fine_fen=0, filed_at=None, notice_of_rights_at=None)
    sc.as_of = ts("2025-03-31 00:00")
    return sc


@scenario
def r07_inspection_result_unpublished():
    sc = Scenario("r07_inspection_result_unpublished",
                  "An inspection of 03-04 orders rectification; the result "
                  "is not published within 20 working days (by 04-01): R07 "
                  "MEDIUM.")
    ag, offs, pid = _cast(sc)
    iid = _ended(sc, ag, offs, pid, result="RECTIFICATION_ORDERED")
    sc.as_of = ts("2025-04-02 00:00")
    sc.expect("R07 OPEN MEDIUM " + iid)
    return sc


@scenario
def r07_inspection_result_published_near_miss():
    sc = Scenario("r07_inspection_result_published_near_miss",
                  "The rectification order is published on 03-20, within "
                  "20 working days.")
    ag, offs, pid = _cast(sc)
    iid = _ended(sc, ag, offs, pid, result="RECTIFICATION_ORDERED")
    sc.inspection(iid, ag, sc.events[-1]["enterprise_uscc"],
                  [o() for o in offs], at("10:10", "2025-03-20"),
                  status="ENDED", ended="11:30", plan_id=pid,
                  result="RECTIFICATION_ORDERED",
                  ledger_registered_at=at("11:40"),
                  result_published_at=at("10:00", "2025-03-20"))
    sc.as_of = ts("2025-04-30 00:00")
    return sc


# =================================================================== R12 ===

def _open_case(sc):
    ag, offs, _ = _cast(sc)
    return _penalty(sc, ag, offs, event_time=at("10:30", "2025-01-02"),
                    filed_at=at("10:00", "2025-01-02"),
                    notice_of_rights_at=None, decided_at=None)


@scenario
def r12_case_open_past_120_days():
    sc = Scenario("r12_case_open_past_120_days",
                  "A case filed on 01-02 is still undecided: MEDIUM at 90 "
                  "days (04-02), the same alert HIGH at 120 days (05-02).")
    dno, _ = _open_case(sc)
    sc.as_of = ts("2025-05-03 00:00")
    sc.expect("R12 OPEN MEDIUM " + dno, "R12 OPEN HIGH " + dno)
    return sc


@scenario
def r12_decided_within_90_days_near_miss():
    sc = Scenario("r12_decided_within_90_days_near_miss",
                  "The case filed on 01-02 is decided on 04-01 (day 89) and "
                  "published the next day.")
    dno, rec = _open_case(sc)
    _again(sc, rec, at("17:00", "2025-04-01"),
           notice_of_rights_at=at("10:00", "2025-03-20"),
           decided_at=at("16:00", "2025-04-01"),
           published_at=at("16:30", "2025-04-01"))
    sc.as_of = ts("2025-06-30 00:00")
    return sc


# ================================================================== R16c ===

@scenario
def r16c_results_unpublished():
    sc = Scenario("r16c_results_unpublished",
                  "A random task completed on 03-04 has not published its "
                  "results 20 working days later (04-01): R16c MEDIUM.")
    ag, offs, _ = _cast(sc)
    tid = _task(sc, ag, offs)
    sc.as_of = ts("2025-04-02 00:00")
    sc.expect("R16c OPEN MEDIUM " + tid)
    return sc


@scenario
def r16c_results_published_near_miss():
    sc = Scenario("r16c_results_published_near_miss",
                  "The task's results are published on 03-28.")
    ag, offs, _ = _cast(sc)
    _task(sc, ag, offs, published=at("10:00", "2025-03-28"))
    sc.as_of = ts("2025-06-30 00:00")
    return sc


# ================================================================== R20a ===

@scenario
def r20a_complaint_not_accepted():
    sc = Scenario("r20a_complaint_not_accepted",
                  "A complaint about an officer's conduct received Monday "
                  "03-03 is neither accepted nor rejected: MEDIUM after 5 WD "
                  "(03-10), HIGH after twice that (03-17).")
    ag, _, _ = _cast(sc)
    cid, _ = _complaint(sc, ag, "ENFORCEMENT_CONDUCT",
                        at("10:00", "2025-03-03"), at("10:05", "2025-03-03"),
                        category="SINGLE_OFFICER")
    sc.as_of = ts("2025-03-18 00:00")
    sc.expect("R20a OPEN MEDIUM " + cid, "R20a OPEN HIGH " + cid)
    return sc


@scenario
def r20a_conclusion_overdue():
    sc = Scenario("r20a_conclusion_overdue",
                  "Accepted on 03-04, not concluded 30 days later (04-03): "
                  "R20a MEDIUM on the conclusion.")
    ag, _, _ = _cast(sc)
    cid, _ = _complaint(sc, ag, "ENFORCEMENT_CONDUCT",
                        at("10:00", "2025-03-03"), at("09:10"),
                        category="SINGLE_OFFICER",
                        status="ACCEPTED", accepted_at=at("09:00"))
    sc.as_of = ts("2025-04-04 00:00")
    sc.expect("R20a OPEN MEDIUM " + cid)
    return sc


@scenario
def r20a_concluded_in_time_near_miss():
    sc = Scenario("r20a_concluded_in_time_near_miss",
                  "Accepted the next day, concluded (unsubstantiated) on "
                  "03-28: both deadlines met.")
    ag, _, _ = _cast(sc)
    _, rec = _complaint(sc, ag, "ENFORCEMENT_CONDUCT",
                        at("10:00", "2025-03-03"), at("10:05", "2025-03-03"),
                        category="SINGLE_OFFICER")
    rec = _again(sc, rec, at("09:10"), status="ACCEPTED",
                 accepted_at=at("09:00"))
    _again(sc, rec, at("16:10", "2025-03-28"), status="CONCLUDED",
           finding="UNSUBSTANTIATED", concluded_at=at("16:00", "2025-03-28"),
           feedback_at=at("16:05", "2025-03-28"))
    sc.as_of = ts("2025-06-30 00:00")
    return sc


# ================================================================== R20b ===

@scenario
def r20b_acceptance_late():
    sc = Scenario("r20b_acceptance_late",
                  "A consumer complaint against an enterprise received "
                  "Monday 03-03 is accepted on 03-13, after the 7-WD limit "
                  "(03-12): R20b MEDIUM when the deadline passes, emitted "
                  "again with the late acceptance time.")
    ag, _, _ = _cast(sc)
    cid, rec = _complaint(sc, ag, "ENTERPRISE_VIOLATION",
                          at("10:00", "2025-03-03"), at("10:05", "2025-03-03"),
                          channel="HOTLINE_12315")
    _again(sc, rec, at("09:10", "2025-03-13"), status="ACCEPTED",
           accepted_at=at("09:00", "2025-03-13"))
    sc.expect("R20b OPEN MEDIUM " + cid, "R20b OPEN MEDIUM " + cid)
    return sc


@scenario
def r20b_accepted_on_last_day_near_miss():
    sc = Scenario("r20b_accepted_on_last_day_near_miss",
                  "Accepted on 03-12, the seventh working day, and concluded "
                  "on 04-18, well within 45 working days.")
    ag, _, _ = _cast(sc)
    _, rec = _complaint(sc, ag, "ENTERPRISE_VIOLATION",
                        at("10:00", "2025-03-03"), at("10:05", "2025-03-03"),
                        channel="HOTLINE_12315")
    rec = _again(sc, rec, at("17:10", "2025-03-12"), status="ACCEPTED",
                 accepted_at=at("17:00", "2025-03-12"))
    _again(sc, rec, at("16:10", "2025-04-18"), status="CONCLUDED",
           finding="UNSUBSTANTIATED", concluded_at=at("16:00", "2025-04-18"))
    sc.as_of = ts("2025-04-30 00:00")
    return sc
