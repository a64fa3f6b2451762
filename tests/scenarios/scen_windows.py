"""scen_windows.py - scenarios of the window rules, which count several
events: R14b (one heavy sanction on many enterprises of one industry, 一刀切),
R18a (checks above the cap of the credit grade) and R19a-R19d (repeated and
uncoordinated checks).

A window rule judges an event on the events before it (time, then id) and
puts its alert on the event that went over the limit; `check`, like the
daemon, judges the later events again when an earlier one arrives late or
is cancelled (r19a_earlier_check_sent_late, r19a_cancelled_earlier_withdraws).

Every agency files its 2025 annual plan on 01-10, before R01's warning
date, so that R01 stays out; every check is a compliant, planned one
(approved the day before 03-04, two certified officers, on video, ledger
signed), on a day of the plan's window (03-01 .. 06-30), so that the window
rules are the only ones to speak. Everything happens in 2025: a check in
2024 would make R01 judge the agency's 2024 plan.
"""

import uuid

from scenario_lib import (NS, Scenario, _digits, at, market, scenario, ts)

PLAN_FILED = "2025-01-10 10:00"
H1 = ("2025-03-01", "2025-06-30")
FOOD = "SCJG-FOOD-02"
LABEL = "SCJG-FOOD-05"
PRICE = "SCJG-JG-01"


def _cast(sc, items=(FOOD, LABEL, PRICE)):
    """临夏市市场监督管理局, two certified officers and its 2025 plan: the
    given items for retail (F52) in H1. Returns (agency, officers,
    plan_id)."""
    return market(sc, items=[(c, ["F51", "F52", "H62"], [], *H1)
                             for c in items], filed=PLAN_FILED)


def _health(sc, items=("WSJD-GG-01",)):
    """临夏市卫生健康局 with two certified officers and its own plan."""
    ag = sc.agency("临夏市卫生健康局", key="H")
    offs = [sc.officer(ag) for _ in range(2)]
    pid = sc.plan(ag, [(c, ["F52"], [], *H1) for c in items], key="H",
                  filed=PLAN_FILED)
    return ag, offs, pid


def _check(sc, ag, ent, offs, pid, day, item=FOOD, iid=None, ended=True,
           **kw):
    """A compliant check of `ent` on `day`: STARTED 09:30 (sent 09:40) and,
    unless ended=False, ENDED 11:30 (sent 11:40). Returns its id."""
    iid = iid or sc.inspection_id()
    snaps = [("STARTED", "09:40", None)]
    if ended:
        snaps.append(("ENDED", "11:40", "11:30"))
    for status, sent, end in snaps:
        sc.inspection(iid, ag, ent, [o() for o in offs], at(sent, day),
                      status=status, ended=end, day=day, plan_id=pid,
                      check_items=(item,), **kw)
    return iid


def _grade(sc, ent, grade):
    sc.ref("credit_grade", enterprise_uscc=ent, grade=grade,
           as_of=ts("2025-03-01 00:00"))


# ================================================================= R19a ===

@scenario
def r19a_second_check_within_30_days():
    sc = Scenario("r19a_second_check_within_30_days",
                  "The market regulator checks a shop's food safety on 03-04 "
                  "and its labels on 03-25, 21 days later, instead of both "
                  "at once: R19a MEDIUM on the second check.")
    ag, offs, pid = _cast(sc)
    ent = sc.enterprise()
    _check(sc, ag, ent, offs, pid, "2025-03-04")
    iid = _check(sc, ag, ent, offs, pid, "2025-03-25", item=LABEL)
    sc.expect("R19a OPEN MEDIUM " + iid)
    return sc


@scenario
def r19a_checks_31_days_apart_near_miss():
    sc = Scenario("r19a_checks_31_days_apart_near_miss",
                  "The same two checks 31 days apart (03-04, 04-04): outside "
                  "the 30-day window, no alert.")
    ag, offs, pid = _cast(sc)
    ent = sc.enterprise()
    _check(sc, ag, ent, offs, pid, "2025-03-04")
    _check(sc, ag, ent, offs, pid, "2025-04-04", item=LABEL)
    return sc


@scenario
def r19a_complaint_check_near_miss():
    sc = Scenario("r19a_complaint_check_near_miss",
                  "The second check, 10 days after a routine one, follows a "
                  "complaint (个案): not a routine check, no alert.")
    ag, offs, pid = _cast(sc)
    ent = sc.enterprise()
    _check(sc, ag, ent, offs, pid, "2025-03-04")
    _check(sc, ag, ent, offs, pid, "2025-03-14", item=LABEL,
           trigger="COMPLAINT", check_class="CASE")
    return sc


@scenario
def r19a_earlier_check_sent_late():
    sc = Scenario("r19a_earlier_check_sent_late",
                  "The check of 03-25 reaches enforcewatch before the one of "
                  "03-04 it repeats: when the earlier one arrives, the later "
                  "one is judged again and gets R19a MEDIUM.")
    ag, offs, pid = _cast(sc)
    ent = sc.enterprise()
    first, later = sc.inspection_id(), sc.inspection_id()
    _check(sc, ag, ent, offs, pid, "2025-03-25", item=LABEL, iid=later)
    _check(sc, ag, ent, offs, pid, "2025-03-04", iid=first)
    sc.expect("R19a OPEN MEDIUM " + later)
    return sc


@scenario
def r19a_cancelled_earlier_withdraws():
    sc = Scenario("r19a_cancelled_earlier_withdraws",
                  "A check started on 03-04 is later recorded as CANCELLED "
                  "(it did not take place); the check of 03-20 is then no "
                  "repeat: its R19a alert is withdrawn.")
    ag, offs, pid = _cast(sc)
    ent = sc.enterprise()
    first = _check(sc, ag, ent, offs, pid, "2025-03-04", ended=False)
    iid = _check(sc, ag, ent, offs, pid, "2025-03-20", item=LABEL)
    sc.inspection(first, ag, ent, [o() for o in offs],
                  at("10:00", "2025-03-21"), status="CANCELLED",
                  day="2025-03-04", plan_id=pid, check_items=(FOOD,))
    sc.expect("R19a OPEN MEDIUM " + iid, "R19a WITHDRAWN MEDIUM " + iid)
    return sc


# ================================================================= R19b ===

@scenario
def r19b_same_item_within_a_year():
    sc = Scenario("r19b_same_item_within_a_year",
                  "The market regulator checks the same item (food safety) "
                  "of the same shop on 03-04 and again on 06-10: R19b HIGH on "
                  "the second check.")
    ag, offs, pid = _cast(sc)
    ent = sc.enterprise()
    _check(sc, ag, ent, offs, pid, "2025-03-04")
    iid = _check(sc, ag, ent, offs, pid, "2025-06-10")
    sc.expect("R19b OPEN HIGH " + iid)
    return sc


@scenario
def r19b_other_item_near_miss():
    sc = Scenario("r19b_other_item_near_miss",
                  "The second check on 06-10 is of another item (labels): "
                  "no repeat of an item, no alert.")
    ag, offs, pid = _cast(sc)
    ent = sc.enterprise()
    _check(sc, ag, ent, offs, pid, "2025-03-04")
    _check(sc, ag, ent, offs, pid, "2025-06-10", item=LABEL)
    return sc


# ================================================================= R19c ===

@scenario
def r19c_two_departments_within_15_days():
    sc = Scenario("r19c_two_departments_within_15_days",
                  "The market regulator checks a shop on 03-04 and the health "
                  "bureau on 03-12, each on its own: R19c MEDIUM on the "
                  "health bureau's check, and a supervision notice to each "
                  "department.")
    ag, offs, pid = _cast(sc)
    hag, hoffs, hpid = _health(sc)
    ent = sc.enterprise()
    _check(sc, ag, ent, offs, pid, "2025-03-04")
    iid = _check(sc, hag, ent, hoffs, hpid, "2025-03-12",
                 item="WSJD-GG-01")
    sc.expect("R19c OPEN MEDIUM " + iid,
              "notice SUPERVISION_OPINION %s 1" % hag,
              "notice SUPERVISION_OPINION %s 1" % ag)
    return sc


@scenario
def r19c_16_days_apart_near_miss():
    sc = Scenario("r19c_16_days_apart_near_miss",
                  "The health bureau's check comes 16 days after the market "
                  "regulator's (03-04, 03-20): outside the 15-day window.")
    ag, offs, pid = _cast(sc)
    hag, hoffs, hpid = _health(sc)
    ent = sc.enterprise()
    _check(sc, ag, ent, offs, pid, "2025-03-04")
    _check(sc, hag, ent, hoffs, hpid, "2025-03-20", item="WSJD-GG-01")
    return sc


@scenario
def r19c_joint_plan_near_miss():
    sc = Scenario("r19c_joint_plan_near_miss",
                  "Both departments check the shop under one joint plan "
                  "(综合查一次, joint_plan_id shared), on 03-04 and 03-05: "
                  "coordinated, no alert.")
    ag, offs, pid = _cast(sc)
    hag, hoffs, hpid = _health(sc)
    jp = sc.plan(ag, [(FOOD, ["F52"], [], *H1),
                      ("WSJD-GG-01", ["F52"], [], *H1)],
                 plan_type="JOINT_INSPECTION", participants=[hag], key="J",
                 filed=PLAN_FILED)
    ent = sc.enterprise()
    _check(sc, ag, ent, offs, jp, "2025-03-04", joint_plan_id=jp)
    _check(sc, hag, ent, hoffs, jp, "2025-03-05", item="WSJD-GG-01",
           joint_plan_id=jp)
    return sc


# ================================================================= R19d ===

@scenario
def r19d_third_check_in_a_year():
    sc = Scenario("r19d_third_check_in_a_year",
                  "Three routine checks of one shop by the market regulator "
                  "in 2025 (03-04, 04-15, 06-10; each of another item, more "
                  "than 30 days apart): the third exceeds the cap of two a "
                  "year, R19d MEDIUM.")
    ag, offs, pid = _cast(sc)
    ent = sc.enterprise()
    _check(sc, ag, ent, offs, pid, "2025-03-04")
    _check(sc, ag, ent, offs, pid, "2025-04-15", item=LABEL)
    iid = _check(sc, ag, ent, offs, pid, "2025-06-10", item=PRICE)
    sc.expect("R19d OPEN MEDIUM " + iid)
    return sc


@scenario
def r19d_licensing_check_near_miss():
    sc = Scenario("r19d_licensing_check_near_miss",
                  "The same three checks, the third a licensing verification "
                  "(许可核查, exempt from the cap): no alert.")
    ag, offs, pid = _cast(sc)
    ent = sc.enterprise()
    _check(sc, ag, ent, offs, pid, "2025-03-04")
    _check(sc, ag, ent, offs, pid, "2025-04-15", item=LABEL)
    _check(sc, ag, ent, offs, pid, "2025-06-10", item=PRICE,
           trigger="LICENSING_VERIFICATION")
    return sc


# ================================================================= R18a ===

@scenario
def r18a_grade_b_second_check_in_12_months():
    sc = Scenario("r18a_grade_b_second_check_in_12_months",
                  "A grade-B enterprise (一般信用风险: one routine check per "
                  "12 months) checked by the market regulator on 03-04 and "
                  "06-10: R18a MEDIUM on the second check.")
    ag, offs, pid = _cast(sc)
    ent = sc.enterprise()
    _grade(sc, ent, "B")
    _check(sc, ag, ent, offs, pid, "2025-03-04")
    iid = _check(sc, ag, ent, offs, pid, "2025-06-10", item=LABEL)
    sc.expect("R18a OPEN MEDIUM " + iid)
    return sc


@scenario
def r18a_grade_c_within_cap_near_miss():
    sc = Scenario("r18a_grade_c_within_cap_near_miss",
                  "The same two checks of a grade-C enterprise (two per 12 "
                  "months): within the cap, no alert.")
    ag, offs, pid = _cast(sc)
    ent = sc.enterprise()
    _grade(sc, ent, "C")
    _check(sc, ag, ent, offs, pid, "2025-03-04")
    _check(sc, ag, ent, offs, pid, "2025-06-10", item=LABEL)
    return sc


# ================================================================= R14b ===

def _closure(sc, ag, offs, ent, n, day, hhmm):
    """A compliant decision ordering `ent`, a restaurant (H62), to suspend
    business, decided on `day` at `hhmm`: legally reviewed the day before,
    discussed collectively, the hearing offered and waived, parties told
    two weeks before, published the same day. Returns its decision_no."""
    dno = "临市市监罚〔2025〕%s%02d号" % (_digits(sc.name, 3), n)
    d = "2025-03-%02d" % int(day)
    prev = "2025-03-%02d" % (int(day) - 1)
    sc.events.append({
        "type": "penalty",
        "event_id": str(uuid.uuid5(NS, "%s/p%d" % (sc.name, n))),
        "event_time": at("18:00", d), "decision_no": dno,
        "agency_uscc": ag, "enterprise_uscc": ent,
        "enterprise_region_code": "622901", "industry_code": "H62",
        "filed_at": at("10:00", "2025-02-10"),
        "notice_of_rights_at": at("10:00", "2025-02-17"),
        "decided_at": at(hhmm, d), "published_at": at("17:00", d),
        "procedure": "GENERAL",
        "penalty_types": ["FINE", "ORDER_SUSPEND_BUSINESS"],
        "fine_fen": 500000, "violation_code": "SPAQF-" + sc.tag,
        "benchmark_cited": False, "discretion_level": "GENERAL",
        "factor_codes": [], "is_major": True,
        "legal_review_id": "FZSH-%s-%02d" % (sc.tag, n),
        "legal_review_passed": True, "legal_review_at": at("10:00", prev),
        "collective_discussion": True, "hearing_offered": True,
        "hearing_waived": True,
        "officers": [o() for o in offs], "av_coverage": "FULL"})
    return dno


def _campaign_week(sc, ag, offs, ents):
    """Two closures a day, 03-03 .. 03-07, one per enterprise in `ents`
    (in order). Returns the decision numbers."""
    slots = [(day, hhmm) for day in range(3, 8) for hhmm in ("10:30",
                                                             "15:30")]
    return [_closure(sc, ag, offs, ent, n, *slots[n - 1])
            for n, ent in enumerate(ents, 1)]


@scenario
def r14b_ten_restaurants_closed_in_a_week():
    sc = Scenario("r14b_ten_restaurants_closed_in_a_week",
                  "The market regulator orders ten restaurants (H62) to "
                  "suspend business between 03-03 and 03-07, each decision "
                  "lawful on its own, with no special campaign filed: R14b "
                  "MEDIUM on the tenth decision.")
    ag, offs, _ = _cast(sc)
    dnos = _campaign_week(sc, ag, offs, [sc.enterprise() for _ in range(10)])
    sc.expect("R14b OPEN MEDIUM " + dnos[-1])
    return sc


@scenario
def r14b_nine_restaurants_near_miss():
    sc = Scenario("r14b_nine_restaurants_near_miss",
                  "Ten such decisions in the week, but two of them on the "
                  "same restaurant: nine enterprises, below the ten of R14b.")
    ag, offs, _ = _cast(sc)
    ents = [sc.enterprise() for _ in range(9)]
    _campaign_week(sc, ag, offs, ents + [ents[4]])
    return sc


@scenario
def r14b_special_campaign_near_miss():
    sc = Scenario("r14b_special_campaign_near_miss",
                  "The ten closures fall within a special campaign for "
                  "catering (H) the agency filed for March: no R14b.")
    ag, offs, _ = _cast(sc)
    sc.plan(ag, [("SCJG-CY-01", ["H"], [], "2025-03-01", "2025-03-31")],
            plan_type="SPECIAL_CAMPAIGN", key="S", filed="2025-02-25 10:00")
    _campaign_week(sc, ag, offs, [sc.enterprise() for _ in range(10)])
    return sc
