"""scen_core.py - scenarios of R02, R05, R06, R25 and of snapshot handling."""

import uuid

from scenario_lib import (DAY, H1, NS, Scenario, _digits, at, market,
                          scenario, started_ended, ts)

# =================================================================== R05 ===

@scenario
def r05_single_officer():
    sc = Scenario("r05_single_officer",
                  "An on-site check by one certified officer: R05 HIGH.")
    ag, (o1, _), pid = market(sc)
    ent = sc.enterprise()
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, ent, [o1()], plan_id=pid)
    sc.expect("R05 OPEN HIGH " + iid)
    return sc


@scenario
def r05_two_valid_officers_near_miss():
    sc = Scenario("r05_two_valid_officers_near_miss",
                  "Two certified officers who show their certificates.")
    ag, (o1, o2), pid = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid)
    return sc


@scenario
def r05_remote_mode_near_miss():
    sc = Scenario("r05_remote_mode_near_miss",
                  "One officer, but a REMOTE (video) check: R05 is about "
                  "on-site checks only.")
    ag, (o1, _), pid = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1()], plan_id=pid,
                  mode="REMOTE")
    return sc


@scenario
def r05_document_review_near_miss():
    sc = Scenario("r05_document_review_near_miss",
                  "One officer reviewing documents: not on site, no R05.")
    ag, (o1, _), pid = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1()], plan_id=pid,
                  mode="DOCUMENT_REVIEW")
    return sc


@scenario
def r05_same_officer_twice():
    sc = Scenario("r05_same_officer_twice",
                  "The feed lists the same officer twice: one distinct "
                  "officer, R05 HIGH.")
    ag, (o1, _), pid = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o1()], plan_id=pid)
    sc.expect("R05 OPEN HIGH " + iid)
    return sc


@scenario
def r05_planned_status_near_miss():
    sc = Scenario("r05_planned_status_near_miss",
                  "A PLANNED inspection naming one officer: R05 looks at "
                  "STARTED and ENDED snapshots only.")
    ag, (o1, _), pid = market(sc)
    iid = sc.inspection_id()
    sc.inspection(iid, ag, sc.enterprise(), [o1()], at("09:00"),
                  status="PLANNED", plan_id=pid)
    return sc


@scenario
def r05_ended_snapshot_only():
    sc = Scenario("r05_ended_snapshot_only",
                  "The feed sends only the ENDED snapshot; one officer: "
                  "R05 HIGH.")
    ag, (o1, _), pid = market(sc)
    iid = sc.inspection_id()
    sc.inspection(iid, ag, sc.enterprise(), [o1()], at("11:40"),
                  status="ENDED", ended="11:30", plan_id=pid)
    sc.expect("R05 OPEN HIGH " + iid)
    return sc


@scenario
def r05_three_officers_one_invalid():
    sc = Scenario("r05_three_officers_one_invalid",
                  "Three officers, one with a SUSPENDED certificate: two "
                  "valid ones is enough for R05, but R06 fires.")
    ag, (o1, o2), pid = market(sc)
    o3 = sc.officer(ag, status="SUSPENDED")
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2(), o3()],
                  plan_id=pid)
    sc.expect("R06 OPEN HIGH " + iid)
    return sc


# =================================================================== R06 ===

@scenario
def r06_cert_not_shown():
    sc = Scenario("r06_cert_not_shown",
                  "Two certified officers, one does not show the "
                  "certificate: R06 HIGH (R05 is satisfied).")
    ag, (o1, o2), pid = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2(shown=False)],
                  plan_id=pid)
    sc.expect("R06 OPEN HIGH " + iid)
    return sc


@scenario
def r06_expired_cert():
    sc = Scenario("r06_expired_cert",
                  "One of two officers holds an EXPIRED certificate: R05 "
                  "HIGH (one valid) and R06 HIGH.")
    ag, (o1,), pid = market(sc, officers=1)
    o2 = sc.officer(ag, status="EXPIRED", valid_from="2019-12-01 00:00",
                    valid_to="2024-11-30 23:59:59")
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid)
    sc.expect("R05 OPEN HIGH " + iid, "R06 OPEN HIGH " + iid)
    return sc


@scenario
def r06_cert_valid_to_past():
    sc = Scenario("r06_cert_valid_to_past",
                  "A certificate still ACTIVE in the registry whose valid_to "
                  "is the day before the check: R05 HIGH, R06 HIGH.")
    ag, (o1,), pid = market(sc, officers=1)
    o2 = sc.officer(ag, valid_from="2020-03-04 00:00",
                    valid_to="2025-03-03 23:59:59")
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid)
    sc.expect("R05 OPEN HIGH " + iid, "R06 OPEN HIGH " + iid)
    return sc


@scenario
def r06_cert_not_yet_valid():
    sc = Scenario("r06_cert_not_yet_valid",
                  "A certificate whose valid_from is the day after the "
                  "check: R05 HIGH, R06 HIGH.")
    ag, (o1,), pid = market(sc, officers=1)
    o2 = sc.officer(ag, valid_from="2025-03-05 00:00",
                    valid_to="2030-03-04 23:59:59")
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid)
    sc.expect("R05 OPEN HIGH " + iid, "R06 OPEN HIGH " + iid)
    return sc


@scenario
def r06_suspended_cert():
    sc = Scenario("r06_suspended_cert",
                  "One of two officers holds a SUSPENDED certificate.")
    ag, (o1,), pid = market(sc, officers=1)
    o2 = sc.officer(ag, status="SUSPENDED")
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid)
    sc.expect("R05 OPEN HIGH " + iid, "R06 OPEN HIGH " + iid)
    return sc


@scenario
def r06_revoked_cert():
    sc = Scenario("r06_revoked_cert",
                  "One of two officers holds a REVOKED certificate.")
    ag, (o1,), pid = market(sc, officers=1)
    o2 = sc.officer(ag, status="REVOKED")
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid)
    sc.expect("R05 OPEN HIGH " + iid, "R06 OPEN HIGH " + iid)
    return sc


@scenario
def r06_unknown_cert():
    sc = Scenario("r06_unknown_cert",
                  "A certificate number that no certificate record has "
                  "(cert_not_found): R05 HIGH, R06 HIGH.")
    ag, (o1,), pid = market(sc, officers=1)
    o2 = sc.officer(ag, registered=False)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid)
    sc.expect("R05 OPEN HIGH " + iid, "R06 OPEN HIGH " + iid)
    return sc


@scenario
def r06_auxiliary_without_cert():
    sc = Scenario("r06_auxiliary_without_cert",
                  "Two certified officers bring a 执法辅助人员 without a "
                  "certificate (cert_no null): R06 HIGH, R05 satisfied.")
    ag, (o1, o2), pid = market(sc)
    aux = {"officer_id": "FZ-%s-01" % sc.tag, "cert_no": None,
           "cert_shown": False}
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2(), aux],
                  plan_id=pid)
    sc.expect("R06 OPEN HIGH " + iid)
    return sc


@scenario
def r06_cert_other_officer():
    sc = Scenario("r06_cert_other_officer",
                  "An officer shows a certificate registered to another "
                  "officer: R05 HIGH, R06 HIGH.")
    ag, (o1, o2), pid = market(sc)
    iid = sc.inspection_id()
    borrowed = {"officer_id": "ZF-%s-99" % sc.tag, "cert_no": o2.cert_no,
                "cert_shown": True}
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), borrowed],
                  plan_id=pid)
    sc.expect("R05 OPEN HIGH " + iid, "R06 OPEN HIGH " + iid)
    return sc


@scenario
def r06_cert_other_agency():
    sc = Scenario("r06_cert_other_agency",
                  "An officer of the county regulator joins with a "
                  "certificate issued for another department (the "
                  "prefecture's): not valid for this agency's check "
                  "(require_same_agency), R05 HIGH and R06 HIGH.")
    ag, (o1,), pid = market(sc, officers=1)
    other = sc.agency("临夏回族自治州市场监督管理局", region="622900", key="Z")
    o2 = sc.officer(ag, cert_agency=other)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid)
    sc.expect("R05 OPEN HIGH " + iid, "R06 OPEN HIGH " + iid)
    return sc


@scenario
def r06_no_certified_critical():
    sc = Scenario("r06_no_certified_critical",
                  "Neither officer holds a valid certificate: R05 HIGH and "
                  "R06 CRITICAL.")
    ag, _, pid = market(sc, officers=0)
    o1 = sc.officer(ag, status="EXPIRED", valid_from="2019-12-01 00:00",
                    valid_to="2024-11-30 23:59:59")
    o2 = sc.officer(ag, registered=False)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid)
    sc.expect("R05 OPEN HIGH " + iid, "R06 OPEN CRITICAL " + iid)
    return sc


@scenario
def r06_valid_near_miss():
    sc = Scenario("r06_valid_near_miss",
                  "Both certificates are valid at started_at: one was issued "
                  "that very morning, the other ends that evening.")
    ag, _, pid = market(sc, officers=0)
    o1 = sc.officer(ag, valid_from="2025-03-04 00:00",
                    valid_to="2030-03-03 23:59:59")
    o2 = sc.officer(ag, valid_from="2020-03-05 00:00",
                    valid_to="2025-03-04 23:59:59")
    iid = sc.inspection_id()
    sc.inspection(iid, ag, sc.enterprise(), [o1(), o2()], at("09:40"),
                  plan_id=pid)
    return sc


@scenario
def r06_penalty_cert_not_shown():
    sc = Scenario("r06_penalty_cert_not_shown",
                  "A penalty decision whose second officer did not show the "
                  "certificate: R06 HIGH on the decision.")
    ag, (o1, o2), _ = market(sc)
    ent = sc.enterprise()
    dno = "临市市监罚〔2025〕%s号" % _digits(sc.name, 2)
    sc.events.append({
        "type": "penalty", "event_id": str(uuid.uuid5(NS, sc.name + "/p")),
        "event_time": at("16:00"), "decision_no": dno,
        "agency_uscc": ag, "enterprise_uscc": ent,
        "enterprise_region_code": "622901", "industry_code": "F52",
        "filed_at": at("10:00", "2025-02-17"),
        "notice_of_rights_at": at("10:00", "2025-02-24"),
        "decided_at": at("15:30"), "procedure": "GENERAL",
        "penalty_types": ["FINE"], "fine_fen": 500000,
        "violation_code": "SPAQF-126", "officers": [o1(), o2(shown=False)],
        "av_coverage": "FULL"})
    sc.expect("R06 OPEN HIGH " + dno)
    return sc


@scenario
def r06_changed_finding_reopens():
    sc = Scenario("r06_changed_finding_reopens",
                  "STARTED: officer 2's certificate is unknown (R05, R06 "
                  "HIGH). ENDED: the feed corrects officer 1's certificate "
                  "number to one that is unknown too, so nobody is "
                  "certified: both findings change and are emitted again, "
                  "R06 now CRITICAL (same alert ids).")
    ag, (o1,), pid = market(sc, officers=1)
    o2 = sc.officer(ag, registered=False)
    iid, ent = sc.inspection_id(), sc.enterprise()
    sc.inspection(iid, ag, ent, [o1(), o2()], at("09:40"), plan_id=pid)
    sc.inspection(iid, ag, ent, [o1(cert_no="62-2022-0000000"), o2()],
                  at("11:40"), status="ENDED", ended="11:30", plan_id=pid)
    sc.expect("R05 OPEN HIGH " + iid, "R06 OPEN HIGH " + iid,
              "R05 OPEN HIGH " + iid, "R06 OPEN CRITICAL " + iid)
    return sc


# =================================================================== R02 ===

@scenario
def r02_item_not_in_plan():
    sc = Scenario("r02_item_not_in_plan",
                  "An ANNUAL_PLAN check of an item (advertising) that the "
                  "department's filed plan does not contain: R02 HIGH.")
    ag, (o1, o2), pid = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid,
                  check_items=["SCJG-GGJG-01"])
    sc.expect("R02 OPEN HIGH " + iid)
    return sc


@scenario
def r02_one_of_two_items_unplanned():
    sc = Scenario("r02_one_of_two_items_unplanned",
                  "Two check items, the second of them not in the plan.")
    ag, (o1, o2), pid = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()],
                  check_items=["SCJG-FOOD-02", "SCJG-JLQJ-01"])
    sc.expect("R02 OPEN HIGH " + iid)
    return sc


@scenario
def r02_outside_window_by_one_day():
    sc = Scenario("r02_outside_window_by_one_day",
                  "The plan item's window ends on 2025-03-03 23:59:59; the "
                  "check starts on 2025-03-04: R02 HIGH.")
    ag, (o1, o2), pid = market(sc, items=[
        ("SCJG-FOOD-02", ["F52"], [], "2025-01-01", "2025-03-03")])
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid)
    sc.expect("R02 OPEN HIGH " + iid)
    return sc


@scenario
def r02_window_last_day_near_miss():
    sc = Scenario("r02_window_last_day_near_miss",
                  "The plan item's window ends on 2025-03-04 23:59:59; the "
                  "check starts that afternoon: planned.")
    ag, (o1, o2), pid = market(sc, items=[
        ("SCJG-FOOD-02", ["F52"], [], "2025-01-01", "2025-03-04")])
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid,
                  started="15:00", ended="16:30")
    return sc


@scenario
def r02_window_starts_next_day():
    sc = Scenario("r02_window_starts_next_day",
                  "The window opens on 2025-03-05; the check is on "
                  "2025-03-04: R02 HIGH.")
    ag, (o1, o2), pid = market(sc, items=[
        ("SCJG-FOOD-02", ["F52"], [], "2025-03-05", "2025-06-30")])
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid)
    sc.expect("R02 OPEN HIGH " + iid)
    return sc


@scenario
def r02_exempt_trigger_near_miss():
    sc = Scenario("r02_exempt_trigger_near_miss",
                  "A WORK_SAFETY check by a department with no plan at all: "
                  "安全生产 is exempt from the plan (¶2).")
    ag = sc.agency("永靖县应急管理局", region="622923")
    o1, o2 = sc.officer(ag), sc.officer(ag)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise("622923"), [o1(), o2()],
                  trigger="WORK_SAFETY", check_items=["YJGL-WHP-01"],
                  region="622923", industry="C26")
    return sc


@scenario
def r02_complaint_trigger_near_miss():
    sc = Scenario("r02_complaint_trigger_near_miss",
                  "A check of an item outside the plan, triggered by a "
                  "complaint: 投诉举报 is exempt.")
    ag, (o1, o2), _ = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()],
                  trigger="COMPLAINT", check_items=["SCJG-GGJG-01"],
                  complaint_id="12345-20250303-0211", check_class="CASE")
    return sc


@scenario
def r02_data_monitoring_unplanned():
    sc = Scenario("r02_data_monitoring_unplanned",
                  "DATA_MONITORING is not an exempt trigger; the item is not "
                  "in the plan: R02 HIGH.")
    ag, (o1, o2), _ = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()],
                  trigger="DATA_MONITORING", check_items=["SCJG-JLQJ-01"])
    sc.expect("R02 OPEN HIGH " + iid)
    return sc


@scenario
def r02_draft_plan():
    sc = Scenario("r02_draft_plan",
                  "The matching plan is still a DRAFT (not filed with the "
                  "justice bureau): R02 HIGH.")
    ag, (o1, o2), pid = market(sc, status="DRAFT")
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid)
    sc.expect("R02 OPEN HIGH " + iid)
    return sc


@scenario
def r02_returned_plan():
    sc = Scenario("r02_returned_plan",
                  "The justice bureau RETURNED the plan: it does not count.")
    ag, (o1, o2), pid = market(sc, status="RETURNED")
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid)
    sc.expect("R02 OPEN HIGH " + iid)
    return sc


@scenario
def r02_amended_plan_near_miss():
    sc = Scenario("r02_amended_plan_near_miss",
                  "An AMENDED plan counts like a FILED one.")
    ag, (o1, o2), pid = market(sc, status="AMENDED")
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid)
    return sc


@scenario
def r02_no_plan_id_near_miss():
    sc = Scenario("r02_no_plan_id_near_miss",
                  "The feed gives no plan_id: any counted plan of the "
                  "agency may match, and the filed one does.")
    ag, (o1, o2), _ = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()])
    return sc


@scenario
def r02_plan_of_last_year():
    sc = Scenario("r02_plan_of_last_year",
                  "Only a 2024 plan is filed; a 2025 check is unplanned.")
    ag, (o1, o2), pid = market(sc, year=2024, items=[
        ("SCJG-FOOD-02", ["F52"], [], "2024-03-01", "2025-06-30")])
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()])
    sc.expect("R02 OPEN HIGH " + iid)
    return sc


@scenario
def r02_new_year_shanghai_near_miss():
    sc = Scenario("r02_new_year_shanghai_near_miss",
                  "Started 2025-01-01 00:30 +08:00, which is still 2024 in "
                  "UTC: the plan year is taken in Asia/Shanghai, so the "
                  "2025 plan (filed in December) matches.")
    ag, (o1, o2), pid = market(sc, filed="2024-12-20 10:00", items=[
        ("SCJG-FOOD-02", ["F52"], [], "2025-01-01", "2025-06-30")])
    iid = sc.inspection_id()
    ent = sc.enterprise()
    sc.inspection(iid, ag, ent, [o1(), o2()], "2025-01-01T00:40:00+08:00",
                  plan_id=pid, started=None,
                  started_at="2025-01-01T00:30:00+08:00",
                  approved_at="2024-12-31T16:00:00+08:00", emergency=False)
    return sc


@scenario
def r02_enterprise_not_targeted():
    sc = Scenario("r02_enterprise_not_targeted",
                  "The plan item targets food production (C13, C14); the "
                  "enterprise is a restaurant (H62): R02 HIGH.")
    ag, (o1, o2), pid = market(sc, items=[
        ("SCJG-FOOD-01", ["C13", "C14"], [], *H1)])
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid,
                  check_items=["SCJG-FOOD-01"], industry="H62")
    sc.expect("R02 OPEN HIGH " + iid)
    return sc


@scenario
def r02_target_uscc_near_miss():
    sc = Scenario("r02_target_uscc_near_miss",
                  "The plan item names enterprises by USCC (no industries); "
                  "this one is on the list.")
    ag = sc.agency("临夏市市场监督管理局")
    o1, o2 = sc.officer(ag), sc.officer(ag)
    ent, other = sc.enterprise(), sc.enterprise()
    pid = sc.plan(ag, [("SCJG-FOOD-02", [], [other, ent], *H1)])
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, ent, [o1(), o2()], plan_id=pid,
                  industry="H62")
    return sc


@scenario
def r02_joint_plan_participant_near_miss():
    sc = Scenario("r02_joint_plan_participant_near_miss",
                  "综合查一次: the city market regulator takes part in the "
                  "prefecture's filed JOINT_INSPECTION plan and has no plan "
                  "of its own for this item.")
    lead = sc.agency("临夏回族自治州市场监督管理局", region="622900", key="L")
    part = sc.agency("临夏市市场监督管理局", key="A")
    o1, o2 = sc.officer(part), sc.officer(part)
    ent = sc.enterprise()
    jp = sc.plan(lead, [("SCJG-CY-01", ["H61", "H62"], [], *H1)],
                 plan_type="JOINT_INSPECTION", participants=[part], key="J")
    iid = sc.inspection_id()
    started_ended(sc, iid, part, ent, [o1(), o2()], plan_id=jp,
                  joint_plan_id=jp, check_items=["SCJG-CY-01"],
                  industry="H62", check_class="SPECIAL")
    return sc


@scenario
def r02_joint_plan_non_participant():
    sc = Scenario("r02_joint_plan_non_participant",
                  "A department cites a joint plan that does not list it "
                  "as a participant: R02 HIGH.")
    lead = sc.agency("临夏回族自治州市场监督管理局", region="622900", key="L")
    other = sc.agency("临夏回族自治州卫生健康委员会", region="622900", key="W")
    part = sc.agency("临夏市市场监督管理局", key="A")
    o1, o2 = sc.officer(part), sc.officer(part)
    jp = sc.plan(lead, [("SCJG-CY-01", ["H61", "H62"], [], *H1)],
                 plan_type="JOINT_INSPECTION", participants=[other], key="J")
    iid = sc.inspection_id()
    started_ended(sc, iid, part, sc.enterprise(), [o1(), o2()], plan_id=jp,
                  joint_plan_id=jp, check_items=["SCJG-CY-01"],
                  industry="H62", check_class="SPECIAL")
    sc.expect("R02 OPEN HIGH " + iid)
    return sc


@scenario
def r02_random_task_near_miss():
    sc = Scenario("r02_random_task_near_miss",
                  "双随机: RANDOM_SAMPLING under a random task of the agency "
                  "for this item, enterprise and officers drawn; no plan.")
    ag = sc.agency("广河县市场监督管理局", region="622924")
    o1, o2 = sc.officer(ag), sc.officer(ag)
    ent = sc.enterprise("622924")
    tid = sc.task(ag, "SCJG-CPZL-01", [ent, sc.enterprise("622924")],
                  [o1, o2])
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, ent, [o1(), o2()], trigger="RANDOM_SAMPLING",
                  random_task_id=tid, check_items=["SCJG-CPZL-01"],
                  region="622924", industry="C19")
    return sc


@scenario
def r02_random_task_missing():
    sc = Scenario("r02_random_task_missing",
                  "RANDOM_SAMPLING citing a random task that does not "
                  "exist: R02 HIGH.")
    ag = sc.agency("广河县市场监督管理局", region="622924")
    o1, o2 = sc.officer(ag), sc.officer(ag)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise("622924"), [o1(), o2()],
                  trigger="RANDOM_SAMPLING", random_task_id="CC-NO-SUCH-TASK",
                  check_items=["SCJG-CPZL-01"], region="622924",
                  industry="C19")
    sc.expect("R02 OPEN HIGH " + iid)
    return sc


@scenario
def r02_random_task_other_item():
    sc = Scenario("r02_random_task_other_item",
                  "The random task was drawn for product quality; the check "
                  "covers food: the task does not cover it, R02 HIGH.")
    ag = sc.agency("广河县市场监督管理局", region="622924")
    o1, o2 = sc.officer(ag), sc.officer(ag)
    ent = sc.enterprise("622924")
    tid = sc.task(ag, "SCJG-CPZL-01", [ent], [o1, o2])
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, ent, [o1(), o2()], trigger="RANDOM_SAMPLING",
                  random_task_id=tid, check_items=["SCJG-FOOD-01"],
                  region="622924", industry="C14")
    sc.expect("R02 OPEN HIGH " + iid)
    return sc


@scenario
def r02_random_task_other_agency():
    sc = Scenario("r02_random_task_other_agency",
                  "The cited random task belongs to another department: "
                  "R02 HIGH.")
    ag = sc.agency("广河县市场监督管理局", region="622924", key="A")
    owner = sc.agency("临夏回族自治州市场监督管理局", region="622900", key="Z")
    o1, o2 = sc.officer(ag), sc.officer(ag)
    ent = sc.enterprise("622924")
    tid = sc.task(owner, "SCJG-CPZL-01", [ent], [o1, o2])
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, ent, [o1(), o2()], trigger="RANDOM_SAMPLING",
                  random_task_id=tid, check_items=["SCJG-CPZL-01"],
                  region="622924", industry="C19")
    sc.expect("R02 OPEN HIGH " + iid)
    return sc


@scenario
def r02_no_check_items():
    sc = Scenario("r02_no_check_items",
                  "An ANNUAL_PLAN check that names no check item at all: "
                  "nothing to match, R02 HIGH.")
    ag, (o1, o2), pid = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid,
                  check_items=[])
    sc.expect("R02 OPEN HIGH " + iid)
    return sc


# =================================================================== R25 ===

@scenario
def r25_bad_check_digit():
    sc = Scenario("r25_bad_check_digit",
                  "The enterprise USCC fails the GB 32100 check digit: R25 "
                  "INFO; the check itself is otherwise in order.")
    ag, (o1, o2), pid = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(bad_uscc=True), [o1(), o2()],
                  plan_id=pid)
    sc.expect("R25 OPEN INFO " + iid)
    return sc


@scenario
def r25_bad_agency_uscc():
    sc = Scenario("r25_bad_agency_uscc",
                  "The department's own USCC fails the check digit (as "
                  "registered, and as sent): R25 INFO.")
    ag = sc.agency("临夏市市场监督管理局", bad_uscc=True)
    o1, o2 = sc.officer(ag), sc.officer(ag)
    pid = sc.plan(ag, [("SCJG-FOOD-02", ["F52"], [], *H1)])
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid)
    sc.expect("R25 OPEN INFO " + iid)
    return sc


@scenario
def r25_letter_check_digit_near_miss():
    sc = Scenario("r25_letter_check_digit_near_miss",
                  "USCCs whose check character is a letter are valid.")
    ag, (o1, o2), pid = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(letter_c18=True), [o1(), o2()],
                  plan_id=pid)
    return sc


@scenario
def r25_allowlist_near_miss():
    sc = Scenario("r25_allowlist_near_miss",
                  "A legacy USCC that fails the check digit but is on the "
                  "configured allow-list (r25_allowlist_near_miss.cfg).")
    ag, (o1, o2), pid = market(sc)
    ent = sc.enterprise(bad_uscc=True)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, ent, [o1(), o2()], plan_id=pid)
    sc.cfg = ("# The engine's R25 allow-list: legacy codes that fail the "
              "checksum.\nrules = {\n  R25 = {\n    uscc_allowlist = "
              "[ \"%s\" ];\n  };\n};\n" % ent)
    return sc


@scenario
def r25_time_order():
    sc = Scenario("r25_time_order",
                  "The ENDED snapshot has ended_at before started_at: R25 "
                  "LOW, raised by the ENDED snapshot.")
    ag, (o1, o2), pid = market(sc)
    iid, ent = sc.inspection_id(), sc.enterprise()
    sc.inspection(iid, ag, ent, [o1(), o2()], at("14:10"), started="14:00",
                  plan_id=pid)
    sc.inspection(iid, ag, ent, [o1(), o2()], at("17:40"), status="ENDED",
                  started="14:00", ended="11:30", plan_id=pid)
    sc.expect("R25 OPEN LOW " + iid)
    return sc


@scenario
def r25_equal_times_near_miss():
    sc = Scenario("r25_equal_times_near_miss",
                  "ended_at equal to started_at is not out of order.")
    ag, (o1, o2), pid = market(sc)
    iid, ent = sc.inspection_id(), sc.enterprise()
    sc.inspection(iid, ag, ent, [o1(), o2()], at("14:10"), status="ENDED",
                  started="14:00", ended="14:00", plan_id=pid)
    return sc


@scenario
def r25_unknown_region():
    sc = Scenario("r25_unknown_region",
                  "enterprise_region_code 620102 (兰州市城关区) is not in "
                  "the configured D14 list: R25 INFO.")
    ag, (o1, o2), pid = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise("620102"), [o1(), o2()],
                  plan_id=pid, region="620102")
    sc.expect("R25 OPEN INFO " + iid)
    return sc


@scenario
def r25_penalty_bad_uscc():
    sc = Scenario("r25_penalty_bad_uscc",
                  "A penalty decision on an enterprise whose USCC fails the "
                  "check digit: R25 INFO on the decision.")
    ag, (o1, o2), _ = market(sc)
    ent = sc.enterprise(bad_uscc=True)
    dno = "临市市监罚〔2025〕%s号" % _digits(sc.name, 2)
    sc.events.append({
        "type": "penalty", "event_id": str(uuid.uuid5(NS, sc.name + "/p")),
        "event_time": at("16:00"), "decision_no": dno,
        "agency_uscc": ag, "enterprise_uscc": ent,
        "enterprise_region_code": "622901", "industry_code": "F52",
        "filed_at": at("10:00", "2025-02-17"),
        "notice_of_rights_at": at("10:00", "2025-02-24"),
        "decided_at": at("15:30"), "procedure": "GENERAL",
        "penalty_types": ["WARNING"], "violation_code": "SPAQF-126",
        "officers": [o1(), o2()], "av_coverage": "FULL"})
    sc.expect("R25 OPEN INFO " + dno)
    return sc


# ============================================================= snapshots ===

@scenario
def snapshot_fix_withdraws():
    sc = Scenario("snapshot_fix_withdraws",
                  "STARTED lists one officer (R05 OPEN); ENDED lists the "
                  "second officer too: the same alert is WITHDRAWN.")
    ag, (o1, o2), pid = market(sc)
    iid, ent = sc.inspection_id(), sc.enterprise()
    sc.inspection(iid, ag, ent, [o1()], at("09:40"), plan_id=pid)
    sc.inspection(iid, ag, ent, [o1(), o2()], at("11:40"), status="ENDED",
                  ended="11:30", plan_id=pid)
    sc.expect("R05 OPEN HIGH " + iid, "R05 WITHDRAWN HIGH " + iid)
    return sc


@scenario
def unchanged_finding_not_repeated():
    sc = Scenario("unchanged_finding_not_repeated",
                  "STARTED and ENDED both have one officer: the unchanged "
                  "finding is emitted once.")
    ag, (o1, _), pid = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1()], plan_id=pid)
    sc.expect("R05 OPEN HIGH " + iid)
    return sc


@scenario
def withdrawn_then_reopened():
    sc = Scenario("withdrawn_then_reopened",
                  "One officer (OPEN), then two (WITHDRAWN), then a later "
                  "correction back to one (OPEN again, same alert id).")
    ag, (o1, o2), pid = market(sc)
    iid, ent = sc.inspection_id(), sc.enterprise()
    sc.inspection(iid, ag, ent, [o1()], at("09:40"), plan_id=pid)
    sc.inspection(iid, ag, ent, [o1(), o2()], at("10:10"), plan_id=pid)
    sc.inspection(iid, ag, ent, [o1()], at("11:40"), status="ENDED",
                  ended="11:30", plan_id=pid)
    sc.expect("R05 OPEN HIGH " + iid, "R05 WITHDRAWN HIGH " + iid,
              "R05 OPEN HIGH " + iid)
    return sc


@scenario
def duplicate_event_ignored():
    sc = Scenario("duplicate_event_ignored",
                  "A second record with an event_id already seen is ignored, "
                  "even though its content (two officers) would withdraw "
                  "the R05 finding.")
    ag, (o1, o2), pid = market(sc)
    iid, ent = sc.inspection_id(), sc.enterprise()
    first = sc.inspection(iid, ag, ent, [o1()], at("09:40"), plan_id=pid)
    sc.inspection(iid, ag, ent, [o1(), o2()], at("11:40"), status="ENDED",
                  ended="11:30", plan_id=pid, event_id=first["event_id"])
    sc.expect("R05 OPEN HIGH " + iid)
    return sc


@scenario
def duplicate_identical_line_ignored():
    sc = Scenario("duplicate_identical_line_ignored",
                  "The feed re-sends the same violating snapshot (same "
                  "event_id, same content): one alert.")
    ag, (o1, _), pid = market(sc)
    iid, ent = sc.inspection_id(), sc.enterprise()
    first = sc.inspection(iid, ag, ent, [o1()], at("09:40"), plan_id=pid)
    sc.events.append(dict(first))
    sc.expect("R05 OPEN HIGH " + iid)
    return sc


@scenario
def older_snapshot_ignored():
    sc = Scenario("older_snapshot_ignored",
                  "A violating snapshot at 10:00 (OPEN), then one with an "
                  "older event_time (09:00) that would fix it: ignored.")
    ag, (o1, o2), pid = market(sc)
    iid, ent = sc.inspection_id(), sc.enterprise()
    sc.inspection(iid, ag, ent, [o1()], at("10:00"), plan_id=pid,
                  started="09:30")
    sc.inspection(iid, ag, ent, [o1(), o2()], at("09:50"), plan_id=pid,
                  started="09:30")
    sc.expect("R05 OPEN HIGH " + iid)
    return sc


@scenario
def older_violating_snapshot_ignored():
    sc = Scenario("older_violating_snapshot_ignored",
                  "A correct snapshot at 10:00, then an older (09:50) one "
                  "with one officer: ignored, no alert.")
    ag, (o1, o2), pid = market(sc)
    iid, ent = sc.inspection_id(), sc.enterprise()
    sc.inspection(iid, ag, ent, [o1(), o2()], at("10:00"), plan_id=pid,
                  started="09:30")
    sc.inspection(iid, ag, ent, [o1()], at("09:50"), plan_id=pid,
                  started="09:30")
    return sc


@scenario
def same_time_later_in_stream_wins():
    sc = Scenario("same_time_later_in_stream_wins",
                  "Two snapshots with the same event_time: the later line "
                  "wins, so the fix applies (OPEN, WITHDRAWN).")
    ag, (o1, o2), pid = market(sc)
    iid, ent = sc.inspection_id(), sc.enterprise()
    sc.inspection(iid, ag, ent, [o1()], at("10:00"), plan_id=pid)
    sc.inspection(iid, ag, ent, [o1(), o2()], at("10:00"), plan_id=pid)
    sc.expect("R05 OPEN HIGH " + iid, "R05 WITHDRAWN HIGH " + iid)
    return sc


@scenario
def cancelled_withdraws():
    sc = Scenario("cancelled_withdraws",
                  "A STARTED snapshot with one officer (OPEN), then the "
                  "inspection is CANCELLED: the finding is WITHDRAWN.")
    ag, (o1, _), pid = market(sc)
    iid, ent = sc.inspection_id(), sc.enterprise()
    sc.inspection(iid, ag, ent, [o1()], at("09:40"), plan_id=pid)
    sc.inspection(iid, ag, ent, [o1()], at("10:20"), status="CANCELLED",
                  plan_id=pid)
    sc.expect("R05 OPEN HIGH " + iid, "R05 WITHDRAWN HIGH " + iid)
    return sc


@scenario
def ref_update_replaces_certificate():
    sc = Scenario("ref_update_replaces_certificate",
                  "A certificate is registered ACTIVE, then re-sent "
                  "SUSPENDED (same cert_no): the newer record counts.")
    ag, (o1, o2), pid = market(sc)
    cert = dict(next(r for r in sc.refs if r["type"] == "certificate"
                     and r["cert_no"] == o2.cert_no))
    cert["status"] = "SUSPENDED"
    sc.refs.append(cert)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid)
    sc.expect("R05 OPEN HIGH " + iid, "R06 OPEN HIGH " + iid)
    return sc


@scenario
def ref_tombstone_deletes_certificate():
    sc = Scenario("ref_tombstone_deletes_certificate",
                  "A certificate record is deleted (tombstone line): the "
                  "certificate is then unknown.")
    ag, (o1, o2), pid = market(sc)
    sc.refs.append({"type": "certificate", "cert_no": o2.cert_no,
                    "deleted": True})
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid)
    sc.expect("R05 OPEN HIGH " + iid, "R06 OPEN HIGH " + iid)
    return sc


@scenario
def all_compliant():
    sc = Scenario("all_compliant",
                  "A department doing everything right for a week: planned "
                  "checks, a 双随机 check, a joint check, a complaint-driven "
                  "check, a remote check by one officer, a penalty and a "
                  "complaint. No alert at all.")
    ag = sc.agency("临夏市市场监督管理局", key="A")
    lead = sc.agency("临夏回族自治州市场监督管理局", region="622900", key="L")
    offs = [sc.officer(ag) for _ in range(4)]
    ents = [sc.enterprise() for _ in range(6)]
    pid = sc.plan(ag, [("SCJG-FOOD-02", ["F51", "F52", "H62"], [], *H1),
                       ("SCJG-FOOD-01", ["C14", "C15"], [], *H1)])
    jp = sc.plan(lead, [("SCJG-CY-01", [], [ents[4]], *H1)],
                 plan_type="JOINT_INSPECTION", participants=[ag], key="J")
    tid = sc.task(ag, "SCJG-FOOD-01", [ents[1], ents[5]], offs)
    o = [f() for f in offs]
    days = ["2025-03-03", "2025-03-04", "2025-03-05", "2025-03-06",
            "2025-03-07"]

    def check(n, ent, officers, **kw):
        iid = sc.inspection_id()
        d = days[n]
        sc.inspection(iid, ag, ent, officers, at("09:40", d), day=d,
                      approved_at=at("16:00", "2025-02-28"), **kw)
        sc.inspection(iid, ag, ent, officers, at("11:40", d), day=d,
                      status="ENDED", ended="11:30",
                      approved_at=at("16:00", "2025-02-28"), **kw)
        return iid

    check(0, ents[0], [o[0], o[1]], plan_id=pid)
    check(1, ents[1], [o[2], o[3]], trigger="RANDOM_SAMPLING",
          random_task_id=tid, check_items=["SCJG-FOOD-01"], industry="C14")
    check(2, ents[2], [o[0], o[2]], trigger="COMPLAINT",
          complaint_id="12345-20250303-0777", check_class="CASE",
          check_items=["SCJG-GGJG-01"], industry="C30")
    check(3, ents[3], [o[1]], mode="REMOTE", plan_id=pid, industry="H62")
    check(4, ents[4], [o[1], o[3]], plan_id=jp, joint_plan_id=jp,
          check_items=["SCJG-CY-01"], industry="H61", check_class="SPECIAL")
    sc.events.append({
        "type": "complaint", "event_id": str(uuid.uuid5(NS, sc.name + "/c")),
        "event_time": at("08:50", "2025-03-05"),
        "complaint_id": "12345-20250303-0777",
        "received_at": at("15:10", "2025-03-03"), "channel": "HOTLINE_12345",
        "subject_type": "ENTERPRISE_VIOLATION", "enterprise_uscc": ents[2],
        "category": "OTHER", "handling_agency_uscc": ag,
        "status": "ACCEPTED", "accepted_at": at("08:45", "2025-03-05")})
    sc.events.append({
        "type": "penalty", "event_id": str(uuid.uuid5(NS, sc.name + "/p")),
        "event_time": at("16:00", "2025-03-07"),
        "decision_no": "临市市监罚〔2025〕%s号" % _digits(sc.name, 2),
        "agency_uscc": ag, "enterprise_uscc": ents[0],
        "enterprise_region_code": "622901", "industry_code": "F52",
        "filed_at": at("10:00", "2025-02-10"),
        "notice_of_rights_at": at("10:00", "2025-02-24"),
        "decided_at": at("15:30", "2025-03-07"), "procedure": "GENERAL",
        "penalty_types": ["FINE"], "fine_fen": 500000,
        "violation_code": "SPAQF-126", "officers": [o[0], o[1]],
        "av_coverage": "FULL"})
    sc.events.sort(key=lambda e: e["event_time"])
    return sc


