"""scen_notices.py - scenarios of supervision notices (immediate and batched
monthly), R21a/R21b (substantiated complaints about enforcement conduct)
and R24 (feedback on a notice overdue).

Expected files list notices as `notice TYPE RECIPIENT_USCC ALERT_COUNT`
lines, in emission order among the alerts: an immediate notice right after
the alert that calls for it, a batched one when check's clock (the as_of)
passes 00:00 of the next month.

A feedback event names the notice it answers by notice_id, which the
engine derives deterministically (daemon/notices.c); notice_id() below
computes it the same way, so that a scenario can answer its own notice.
"""

import uuid

from scenario_lib import NS, Scenario, at, market, scenario, started_ended
from ewdata import alert_id, notice_id  # noqa: E402 (path set by scenario_lib)

def _event_id(sc, what):
    sc.n_ev += 1
    return str(uuid.uuid5(NS, "%s/%s/%d" % (sc.name, what, sc.n_ev)))


def _complaint(sc, cid, respondent, handling, category, finding,
               suspected=False, subject_type="ENFORCEMENT_CONDUCT"):
    """A complaint handled on time (accepted the next working day, concluded
    two weeks later, complainant told the same day): RECEIVED, ACCEPTED and
    CONCLUDED snapshots; the last carries `finding`."""
    ent = sc.enterprise()
    base = {
        "type": "complaint", "complaint_id": cid,
        "received_at": at("10:00", "2025-03-06"),
        "channel": "SPECIAL_SUPERVISOR", "subject_type": subject_type,
        "complainant_uscc": ent,
        "enterprise_uscc": ent,
        "respondent_agency_uscc": respondent,
        "respondent_officer_ids": ["ZF-%s-01" % sc.tag],
        "related_inspection_id": None, "related_penalty_id": None,
        "category": category, "handling_agency_uscc": handling,
        "accepted_at": None, "rejected_at": None, "extension_days": 0,
        "finding": None, "suspected_discipline": suspected,
        "concluded_at": None, "feedback_at": None}
    snaps = [
        (at("10:05", "2025-03-06"), {"status": "RECEIVED"}),
        (at("09:40", "2025-03-07"), {"status": "ACCEPTED",
                                     "accepted_at": at("09:30",
                                                       "2025-03-07")}),
        (at("16:00", "2025-03-21"), {"status": "CONCLUDED",
                                     "finding": finding,
                                     "concluded_at": at("15:30",
                                                        "2025-03-21"),
                                     "feedback_at": at("15:45",
                                                       "2025-03-21")})]
    rec = dict(base)
    for when, change in snaps:
        rec = dict(rec, **change)
        sc.events.append(dict(rec, event_id=_event_id(sc, "c"),
                              event_time=when))


def _conduct_cast(sc):
    """The agency complained about (临夏市交通运输局) and the 司法局 that
    handles complaints about enforcement conduct and supervises it."""
    resp = sc.agency("临夏市交通运输局")
    (jb,) = sc.jbs
    return resp, jb


def _feedback(sc, nid, agency, when, day):
    sc.events.append({
        "type": "feedback", "event_id": _event_id(sc, "f"),
        "event_time": at(when, day), "notice_id": nid,
        "agency_uscc": agency, "feedback_at": at(when, day),
        "result": "DONE", "summary": "已组织整改，现场执法一律两人以上并出示证件。"})


# ========================================================= immediate ===

@scenario
def notice_immediate_single_officer():
    sc = Scenario("notice_immediate_single_officer",
                  "An on-site check by one officer (R05 HIGH, notice: yes): "
                  "a 行政执法监督意见书 from the agency's 司法局 follows the "
                  "alert at once. The ENDED snapshot repeats the finding "
                  "and issues nothing more.")
    ag, (o1, _), pid = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1()], plan_id=pid)
    sc.expect("R05 OPEN HIGH " + iid,
              "notice SUPERVISION_OPINION %s 1" % ag)
    return sc


# =========================================================== batched ===

@scenario
def notice_batched_monthly():
    sc = Scenario("notice_batched_monthly",
                  "Two March on-site checks without video (R08b LOW, notice: "
                  "batched) and a third whose recording is reported later the "
                  "same day (R08b withdrawn): at 2025-04-01 00:00 one "
                  "行政执法监督建议书 lists the two open alerts.")
    ag, (o1, o2), pid = market(sc)
    ents = [sc.enterprise() for _ in range(3)]
    ids = [sc.inspection_id() for _ in range(3)]
    for iid, ent, day in zip(ids, ents,
                             ("2025-03-04", "2025-03-12", "2025-03-18")):
        sc.inspection(iid, ag, ent, [o1(), o2()], at("09:40", day), day=day,
                      approved_at=at("16:00", "2025-03-03"), plan_id=pid,
                      av_coverage="NONE", av_record_ids=[])
    sc.inspection(ids[2], ag, ents[2], [o1(), o2()], at("17:00", "2025-03-18"),
                  day="2025-03-18", approved_at=at("16:00", "2025-03-03"),
                  plan_id=pid)
    sc.as_of = "2025-04-01T00:00:00+08:00"
    sc.expect("R08b OPEN LOW " + ids[0], "R08b OPEN LOW " + ids[1],
              "R08b OPEN LOW " + ids[2], "R08b WITHDRAWN LOW " + ids[2],
              "notice SUPERVISION_SUGGESTION %s 2" % ag)
    return sc


@scenario
def notice_batched_before_month_end_near_miss():
    sc = Scenario("notice_batched_before_month_end_near_miss",
                  "The same two March checks without video, checked at "
                  "2025-03-31 23:59: the month is not over, no notice yet.")
    ag, (o1, o2), pid = market(sc)
    ids = []
    for day in ("2025-03-04", "2025-03-12"):
        iid = sc.inspection_id()
        ids.append(iid)
        sc.inspection(iid, ag, sc.enterprise(), [o1(), o2()],
                      at("09:40", day), day=day,
                      approved_at=at("16:00", "2025-03-03"), plan_id=pid,
                      av_coverage="NONE", av_record_ids=[])
    sc.as_of = "2025-03-31T23:59:00+08:00"
    sc.expect("R08b OPEN LOW " + ids[0], "R08b OPEN LOW " + ids[1])
    return sc


# ============================================================== R21 ===

@scenario
def r21a_substantiated_conduct_complaint():
    sc = Scenario("r21a_substantiated_conduct_complaint",
                  "A 特邀监督员 reports that one officer inspected alone; the "
                  "司法局 finds it SUBSTANTIATED: R21a HIGH on the agency "
                  "complained about, and an order to correct (责令改正) to "
                  "that agency, not to the 司法局 that handled it.")
    resp, jb = _conduct_cast(sc)
    cid = "LXJD-%s" % sc.tag
    _complaint(sc, cid, resp, jb, "SINGLE_OFFICER", "SUBSTANTIATED")
    sc.expect("R21a OPEN HIGH " + cid,
              "notice ORDER_CORRECTION %s 1" % resp)
    return sc


@scenario
def r21a_unsubstantiated_near_miss():
    sc = Scenario("r21a_unsubstantiated_near_miss",
                  "The same complaint found UNSUBSTANTIATED: nothing to "
                  "correct.")
    resp, jb = _conduct_cast(sc)
    _complaint(sc, "LXJD-%s" % sc.tag, resp, jb, "SINGLE_OFFICER",
               "UNSUBSTANTIATED")
    return sc


@scenario
def r21a_enterprise_violation_near_miss():
    sc = Scenario("r21a_enterprise_violation_near_miss",
                  "A substantiated complaint against an ENTERPRISE (not "
                  "about enforcement conduct): R21 is not about it.")
    resp, jb = _conduct_cast(sc)
    _complaint(sc, "12345-%s" % sc.tag, None, resp, "OTHER",
               "SUBSTANTIATED", subject_type="ENTERPRISE_VIOLATION")
    return sc


@scenario
def r21b_forced_purchase_referral():
    sc = Scenario("r21b_forced_purchase_referral",
                  "Officers made the company buy designated fire "
                  "extinguishers (FORCED_PURCHASE), substantiated: R21a HIGH "
                  "with its order to correct, and R21b CRITICAL with a "
                  "referral of the clue to 纪检监察.")
    resp, jb = _conduct_cast(sc)
    cid = "LXJD-%s" % sc.tag
    _complaint(sc, cid, resp, jb, "FORCED_PURCHASE", "SUBSTANTIATED")
    sc.expect("R21a OPEN HIGH " + cid,
              "notice ORDER_CORRECTION %s 1" % resp,
              "R21b OPEN CRITICAL " + cid,
              "notice REFERRAL_DISCIPLINE %s 1" % resp)
    return sc


@scenario
def r21b_suspected_discipline_referral():
    sc = Scenario("r21b_suspected_discipline_referral",
                  "A substantiated complaint of business disruption that the "
                  "司法局 marks suspected_discipline: R21a and R21b.")
    resp, jb = _conduct_cast(sc)
    cid = "LXJD-%s" % sc.tag
    _complaint(sc, cid, resp, jb, "BUSINESS_DISRUPTION", "SUBSTANTIATED",
               suspected=True)
    sc.expect("R21a OPEN HIGH " + cid,
              "notice ORDER_CORRECTION %s 1" % resp,
              "R21b OPEN CRITICAL " + cid,
              "notice REFERRAL_DISCIPLINE %s 1" % resp)
    return sc


@scenario
def r21b_other_category_near_miss():
    sc = Scenario("r21b_other_category_near_miss",
                  "Substantiated business disruption, not marked "
                  "suspected_discipline: an order to correct (R21a), no "
                  "referral (no R21b).")
    resp, jb = _conduct_cast(sc)
    cid = "LXJD-%s" % sc.tag
    _complaint(sc, cid, resp, jb, "BUSINESS_DISRUPTION", "SUBSTANTIATED")
    sc.expect("R21a OPEN HIGH " + cid,
              "notice ORDER_CORRECTION %s 1" % resp)
    return sc


# ============================================================== R24 ===

def _r24_cast(sc):
    """A single-officer check on 2025-03-04 (R05 HIGH) and the supervision
    opinion it calls for: feedback due 2025-04-03 23:59:59.999, the 通报
    after 2025-04-18. Returns (agency, inspection id, notice id)."""
    ag, (o1, _), pid = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1()], plan_id=pid)
    nid = notice_id("SUPERVISION_OPINION", ag,
                    alert_id("R05", "INSPECTION", iid))
    sc.expect("R05 OPEN HIGH " + iid,
              "notice SUPERVISION_OPINION %s 1" % ag)
    return ag, iid, nid


@scenario
def r24_feedback_overdue_escalated():
    sc = Scenario("r24_feedback_overdue_escalated",
                  "No feedback on the supervision opinion: R24 MEDIUM when "
                  "the 30 days are over (2025-04-04), HIGH 15 days later "
                  "(2025-04-19) with a 通报 to the agency; checked on "
                  "2025-04-25 with no further input.")
    ag, iid, nid = _r24_cast(sc)
    sc.as_of = "2025-04-25T00:00:00+08:00"
    sc.expect("R24 OPEN MEDIUM " + nid, "R24 OPEN HIGH " + nid,
              "notice INSPECTION_BULLETIN %s 1" % ag)
    return sc


@scenario
def r24_feedback_overdue_medium():
    sc = Scenario("r24_feedback_overdue_medium",
                  "No feedback on the supervision opinion, checked on "
                  "2025-04-10: overdue (MEDIUM), not yet a 通报.")
    ag, iid, nid = _r24_cast(sc)
    sc.as_of = "2025-04-10T00:00:00+08:00"
    sc.expect("R24 OPEN MEDIUM " + nid)
    return sc


@scenario
def r24_feedback_in_time_near_miss():
    sc = Scenario("r24_feedback_in_time_near_miss",
                  "The agency reports its rectification on 2025-03-28, "
                  "within the 30 days: the notice is closed, no R24 even "
                  "on 2025-04-25.")
    ag, iid, nid = _r24_cast(sc)
    _feedback(sc, nid, ag, "10:00", "2025-03-28")
    sc.as_of = "2025-04-25T00:00:00+08:00"
    return sc


@scenario
def r24_late_feedback_stays_open():
    sc = Scenario("r24_late_feedback_stays_open",
                  "The feedback comes on 2025-04-10, six days late: R24 "
                  "MEDIUM from 2025-04-04 stays open with the late time in "
                  "its facts (emitted again), and it is not escalated.")
    ag, iid, nid = _r24_cast(sc)
    _feedback(sc, nid, ag, "10:00", "2025-04-10")
    sc.as_of = "2025-04-25T00:00:00+08:00"
    sc.expect("R24 OPEN MEDIUM " + nid, "R24 OPEN MEDIUM " + nid)
    return sc
