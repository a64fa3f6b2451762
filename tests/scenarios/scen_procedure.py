"""scen_procedure.py - scenarios of the procedure of an inspection: R03
(approval), R08a/R08b/R08c (audio-visual and written records) and R17 (on
site where a remote check suffices).

Scenario.inspection already cites and files an approval given the day
before, records ON_SITE checks on video and gives ENDED snapshots a written
record, so each scenario here changes exactly the detail it is about.
Sampling items are keyed by item_code alone, so their codes carry the
scenario's tag; calendar_day records are keyed by date and carry the real
State Council calendar (shared/domain/calendar-2025-2026.jsonl), so that
scenarios sent to one broker together agree on every date.
"""

import uuid

from scenario_lib import (NS, Scenario, _digits, at, market, scenario,
                          started_ended)

# 2025 National Day and Mid-Autumn: 10-01 .. 10-08 off, Sunday 09-28 and
# Saturday 10-11 working (the State Council's 2025 notice).
NATIONAL_DAY_2025 = [("2025-09-28", True)] + [
    ("2025-10-%02d" % d, False) for d in range(1, 9)] + [("2025-10-11", True)]


def _calendar(sc, days):
    for date, workday in days:
        sc.ref("calendar_day", date=date, is_workday=workday)


def _emergency(sc, approved_day, approved_hhmm, start_day="2025-03-07",
               start="22:00", end="23:30", items=None, calendar=()):
    """An emergency check (PUBLIC_SAFETY) started at night on `start_day`:
    the STARTED snapshot has no approval yet; the ENDED snapshot, recorded
    half an hour after the approval, cites it (and files it)."""
    ag, (o1, o2), _ = market(sc, items=items)
    _calendar(sc, calendar)
    iid, ent = sc.inspection_id(), sc.enterprise()
    kw = dict(trigger="PUBLIC_SAFETY", check_class="CASE", emergency=True,
              day=start_day, started=start)
    sc.inspection(iid, ag, ent, [o1(), o2()], at("22:10", start_day),
                  approval_id=None, approved_at=None, **kw)
    h, m = map(int, approved_hhmm.split(":"))
    recorded = "%02d:%02d" % divmod(h * 60 + m + 30, 60)
    sc.inspection(iid, ag, ent, [o1(), o2()], at(recorded, approved_day),
                  status="ENDED", ended=end,
                  approved_at=at(approved_hhmm, approved_day), **kw)
    return iid


def _penalty(sc, ag, officers, **fields):
    ent = sc.enterprise()
    dno = "临市市监罚〔2025〕%s号" % _digits(sc.name, 2)
    rec = {
        "type": "penalty", "event_id": str(uuid.uuid5(NS, sc.name + "/p")),
        "event_time": at("16:00"), "decision_no": dno,
        "agency_uscc": ag, "enterprise_uscc": ent,
        "enterprise_region_code": "622901", "industry_code": "F52",
        "filed_at": at("10:00", "2025-02-17"),
        "notice_of_rights_at": at("10:00", "2025-02-24"),
        "decided_at": at("15:30"), "procedure": "GENERAL",
        "penalty_types": ["FINE"], "fine_fen": 500000,
        "violation_code": "SPAQF-126", "officers": officers,
        "av_coverage": "FULL"}
    rec.update(fields)
    sc.events.append(rec)
    return dno


def _mine_safety(sc, remote_capable=True, list_owner=None):
    """永靖县应急管理局 with two certified officers, a FILED 2025 plan for
    非煤矿山 checks of quarries (B10), and that item on the 抽查事项清单 of
    `list_owner` (default: the agency) as a special sector (安全生产), which
    remote (video) checking may serve when remote_capable."""
    ag = sc.agency("永靖县应急管理局", region="622923")
    offs = [sc.officer(ag) for _ in range(2)]
    code = "YJGL-FM-" + sc.tag
    owner = ag
    if list_owner:
        owner = sc.agency(list_owner, region="622900", key="B")
    sc.ref("sampling_item", item_code=code, agency_uscc=owner,
           special_sector=True, remote_capable=remote_capable)
    pid = sc.plan(ag, [(code, ["B10"], [], "2025-03-01", "2025-06-30")])
    return ag, offs, pid, code


def _quarry_check(sc, ag, offs, pid, code, **kw):
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise("622923"),
                  [o() for o in offs], plan_id=pid, check_items=[code],
                  region="622923", industry="B10", **kw)
    return iid


# =================================================================== R03 ===

@scenario
def r03_no_approval():
    sc = Scenario("r03_no_approval",
                  "An on-site check that cites no approval at all: R03 "
                  "MEDIUM, emitted once for STARTED and ENDED.")
    ag, (o1, o2), pid = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid,
                  approval_id=None, approved_at=None)
    sc.expect("R03 OPEN MEDIUM " + iid)
    return sc


@scenario
def r03_approved_after_start():
    sc = Scenario("r03_approved_after_start",
                  "The check started at 09:30 and was approved at 10:00 "
                  "(先检查后审批), not an emergency: R03 MEDIUM.")
    ag, (o1, o2), pid = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid,
                  approved_at=at("10:00"))
    sc.expect("R03 OPEN MEDIUM " + iid)
    return sc


@scenario
def r03_approved_at_start_near_miss():
    sc = Scenario("r03_approved_at_start_near_miss",
                  "Approved at 09:30, the minute the check started: in "
                  "advance enough, no R03.")
    ag, (o1, o2), pid = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid,
                  approved_at=at("09:30"))
    return sc


@scenario
def r03_approval_not_on_file():
    sc = Scenario("r03_approval_not_on_file",
                  "The check cites an approval number (approved, it says, "
                  "the day before) that no approval record has: R03 MEDIUM.")
    ag, (o1, o2), pid = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid,
                  approval_record=False)
    sc.expect("R03 OPEN MEDIUM " + iid)
    return sc


@scenario
def r03_record_time_overrides_event():
    sc = Scenario("r03_record_time_overrides_event",
                  "The feed says the check was approved the day before, but "
                  "the filed approval record says 11:00, after the 09:30 "
                  "start; the record is authoritative: R03 MEDIUM.")
    ag, (o1, o2), pid = market(sc)
    iid, ent = sc.inspection_id(), sc.enterprise()
    sc.approval("SP-" + iid, ag, at("11:00"), enterprise_uscc=ent,
                inspection_id=iid)
    started_ended(sc, iid, ag, ent, [o1(), o2()], plan_id=pid)
    sc.expect("R03 OPEN MEDIUM " + iid)
    return sc


@scenario
def r03_approval_other_enterprise():
    sc = Scenario("r03_approval_other_enterprise",
                  "The approval cited was given for another enterprise: "
                  "R03 MEDIUM.")
    ag, (o1, o2), pid = market(sc)
    iid, ent, other = sc.inspection_id(), sc.enterprise(), sc.enterprise()
    sc.approval("SP-" + iid, ag, at("16:00", "2025-03-03"),
                enterprise_uscc=other)
    started_ended(sc, iid, ag, ent, [o1(), o2()], plan_id=pid)
    sc.expect("R03 OPEN MEDIUM " + iid)
    return sc


@scenario
def r03_approval_expired():
    sc = Scenario("r03_approval_expired",
                  "A standing approval (no enterprise named) that was valid "
                  "until the day before the check: R03 MEDIUM.")
    ag, (o1, o2), pid = market(sc)
    iid = sc.inspection_id()
    sc.approval("SP-" + iid, ag, at("16:00", "2025-02-03"),
                valid_until=at("23:59", "2025-03-03"))
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid)
    sc.expect("R03 OPEN MEDIUM " + iid)
    return sc


@scenario
def r03_standing_approval_near_miss():
    sc = Scenario("r03_standing_approval_near_miss",
                  "A standing approval of the agency (no enterprise or "
                  "inspection named) valid through the day of the check.")
    ag, (o1, o2), pid = market(sc)
    iid = sc.inspection_id()
    sc.approval("SP-" + iid, ag, at("16:00", "2025-02-03"),
                valid_until=at("23:59"))
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid)
    return sc


@scenario
def r03_emergency_next_workday_near_miss():
    sc = Scenario("r03_emergency_next_workday_near_miss",
                  "An emergency check on Friday night 2025-03-07, approved "
                  "on Monday 03-10 10:00, the next working day: within the "
                  "grace. The STARTED snapshot without approval is pending, "
                  "not a finding.")
    _emergency(sc, "2025-03-10", "10:00")
    return sc


@scenario
def r03_emergency_two_workdays_late():
    sc = Scenario("r03_emergency_two_workdays_late",
                  "The same emergency check approved on Tuesday 03-11, two "
                  "working days later: past the deadline (Monday 23:59:59), "
                  "R03 MEDIUM raised when the deadline passes with no "
                  "approval, then updated (same alert) by the ENDED snapshot "
                  "that shows the late approval.")
    iid = _emergency(sc, "2025-03-11", "10:00")
    sc.expect("R03 OPEN MEDIUM " + iid, "R03 OPEN MEDIUM " + iid)
    return sc


@scenario
def r03_emergency_after_holiday_near_miss():
    sc = Scenario("r03_emergency_after_holiday_near_miss",
                  "An emergency check on the evening of Tuesday 2025-09-30, "
                  "approved on Thursday 10-09: the National Day holiday "
                  "(10-01 .. 10-08, calendar_day records) does not count, "
                  "10-09 is the next working day.")
    _emergency(sc, "2025-10-09", "09:00", start_day="2025-09-30",
               items=[("SCJG-FOOD-02", ["F52"], [], "2025-07-01",
                       "2025-12-31")], calendar=NATIONAL_DAY_2025)
    return sc


@scenario
def r03_emergency_after_holiday_late():
    sc = Scenario("r03_emergency_after_holiday_late",
                  "The same holiday emergency approved on Friday 10-10, the "
                  "second working day after it: R03 MEDIUM when the grace "
                  "ends on 10-09, updated by the late approval.")
    iid = _emergency(sc, "2025-10-10", "09:00", start_day="2025-09-30",
                     items=[("SCJG-FOOD-02", ["F52"], [], "2025-07-01",
                             "2025-12-31")], calendar=NATIONAL_DAY_2025)
    sc.expect("R03 OPEN MEDIUM " + iid, "R03 OPEN MEDIUM " + iid)
    return sc


# ================================================================== R08a ===

@scenario
def r08a_seal_without_full_av():
    sc = Scenario("r08a_seal_without_full_av",
                  "A decision whose case sealed goods (查封) with only "
                  "partial audio-visual recording: R08a HIGH.")
    ag, (o1, o2), _ = market(sc)
    dno = _penalty(sc, ag, [o1(), o2()], compulsory_measures=["SEAL"],
                   av_coverage="PARTIAL")
    sc.expect("R08a OPEN HIGH " + dno)
    return sc


@scenario
def r08a_seal_full_av_near_miss():
    sc = Scenario("r08a_seal_full_av_near_miss",
                  "The same sealing, recorded in full.")
    ag, (o1, o2), _ = market(sc)
    _penalty(sc, ag, [o1(), o2()], compulsory_measures=["SEAL"],
             av_coverage="FULL")
    return sc


@scenario
def r08a_no_compulsion_near_miss():
    sc = Scenario("r08a_no_compulsion_near_miss",
                  "A fine without any compulsory measure and without "
                  "recording: R08a is about compulsion only.")
    ag, (o1, o2), _ = market(sc)
    _penalty(sc, ag, [o1(), o2()], av_coverage="NONE")
    return sc


# ================================================================== R08b ===

@scenario
def r08b_on_site_without_av():
    sc = Scenario("r08b_on_site_without_av",
                  "An on-site check with no audio-visual recording "
                  "(av_coverage NONE): R08b LOW.")
    ag, (o1, o2), pid = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid,
                  av_coverage="NONE")
    sc.expect("R08b OPEN LOW " + iid)
    return sc


@scenario
def r08b_full_av_without_records():
    sc = Scenario("r08b_full_av_without_records",
                  "The feed says FULL coverage but names no recording "
                  "(av_record_ids empty): R08b LOW.")
    ag, (o1, o2), pid = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid,
                  av_record_ids=[])
    sc.expect("R08b OPEN LOW " + iid)
    return sc


@scenario
def r08b_partial_av_near_miss():
    sc = Scenario("r08b_partial_av_near_miss",
                  "Partial recording with a recording id: recorded, no R08b.")
    ag, (o1, o2), pid = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid,
                  av_coverage="PARTIAL", av_record_ids=["YX-" + iid])
    return sc


@scenario
def r08b_remote_without_av_near_miss():
    sc = Scenario("r08b_remote_without_av_near_miss",
                  "A remote (video) check without av records: R08b is about "
                  "on-site checks by default.")
    ag, (o1, o2), pid = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid,
                  mode="REMOTE")
    return sc


# ================================================================== R08c ===

@scenario
def r08c_ended_without_written_record():
    sc = Scenario("r08c_ended_without_written_record",
                  "The ENDED snapshot names no written record (检查笔录): "
                  "R08c MEDIUM.")
    ag, (o1, o2), pid = market(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid,
                  written_record_id=None)
    sc.expect("R08c OPEN MEDIUM " + iid)
    return sc


@scenario
def r08c_written_record_sent_later():
    sc = Scenario("r08c_written_record_sent_later",
                  "ENDED without a written record (OPEN), then a corrected "
                  "ENDED snapshot with it: WITHDRAWN.")
    ag, (o1, o2), pid = market(sc)
    iid, ent = sc.inspection_id(), sc.enterprise()
    sc.inspection(iid, ag, ent, [o1(), o2()], at("11:40"), status="ENDED",
                  ended="11:30", plan_id=pid, written_record_id=None)
    sc.inspection(iid, ag, ent, [o1(), o2()], at("15:00"), status="ENDED",
                  ended="11:30", plan_id=pid)
    sc.expect("R08c OPEN MEDIUM " + iid, "R08c WITHDRAWN MEDIUM " + iid)
    return sc


@scenario
def r08c_started_without_record_near_miss():
    sc = Scenario("r08c_started_without_record_near_miss",
                  "A STARTED snapshot without a written record: it is "
                  "written during the check, R08c waits for ENDED.")
    ag, (o1, o2), pid = market(sc)
    iid = sc.inspection_id()
    sc.inspection(iid, ag, sc.enterprise(), [o1(), o2()], at("09:40"),
                  plan_id=pid, written_record_id=None)
    return sc


# =================================================================== R17 ===

@scenario
def r17_remote_capable_item_on_site():
    sc = Scenario("r17_remote_capable_item_on_site",
                  "永靖县应急管理局 checks a quarry on site for an item its "
                  "抽查事项清单 marks remote_capable, without saying why: "
                  "R17 LOW.")
    ag, offs, pid, code = _mine_safety(sc)
    iid = _quarry_check(sc, ag, offs, pid, code)
    sc.expect("R17 OPEN LOW " + iid)
    return sc


@scenario
def r17_justified_on_site_near_miss():
    sc = Scenario("r17_justified_on_site_near_miss",
                  "The same on-site check with an onsite_justification.")
    ag, offs, pid, code = _mine_safety(sc)
    _quarry_check(sc, ag, offs, pid, code,
                  onsite_justification="边坡位移监测数据异常，需现场核查")
    return sc


@scenario
def r17_remote_check_near_miss():
    sc = Scenario("r17_remote_check_near_miss",
                  "The remote-capable item checked by video (REMOTE).")
    ag, offs, pid, code = _mine_safety(sc)
    _quarry_check(sc, ag, offs, pid, code, mode="REMOTE")
    return sc


@scenario
def r17_not_remote_capable_near_miss():
    sc = Scenario("r17_not_remote_capable_near_miss",
                  "On site for a listed item that is not remote_capable.")
    ag, offs, pid, code = _mine_safety(sc, remote_capable=False)
    _quarry_check(sc, ag, offs, pid, code)
    return sc


@scenario
def r17_other_agency_list_near_miss():
    sc = Scenario("r17_other_agency_list_near_miss",
                  "The item is remote_capable on another agency's list, "
                  "not on the inspecting agency's: no R17.")
    ag, offs, pid, code = _mine_safety(sc, list_owner="临夏回族自治州应急管理局")
    _quarry_check(sc, ag, offs, pid, code)
    return sc
