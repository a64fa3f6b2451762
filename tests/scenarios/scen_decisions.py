"""scen_decisions.py - scenarios of the penalty-decision rules R09, R10a,
R10b, R10c, R11, R14a and R18b.

Every scenario starts from one compliant decision (_decision): 临夏市市场监督
管理局 fines an enterprise ¥5,000 at the GENERAL level of its own discretion
benchmark, cites the benchmark, told the party of its rights on 02-24 and
decided on 03-04 15:30, with two certified officers who showed their
certificates (so R05, R06 and R25 stay quiet too). A scenario changes the
one thing it is about.

Benchmarks are keyed by benchmark_id and found by violation_code, so both
are derived from the scenario's tag: scenarios sent to one broker together
never see each other's benchmarks (a general benchmark has no agency to
keep it apart). calendar_day records are keyed by date and carry the real
State Council calendar (shared/domain/calendar-2025-2026.jsonl), as in
scen_procedure.py, so scenarios sent together agree on every date.
"""

import uuid

from scenario_lib import NS, Scenario, _digits, at, scenario

DECIDED = at("15:30")

# 2025 National Day and Mid-Autumn: 10-01 .. 10-08 off, Sunday 09-28 and
# Saturday 10-11 working (the State Council's 2025 notice).
NATIONAL_DAY_2025 = [("2025-09-28", True)] + [
    ("2025-10-%02d" % d, False) for d in range(1, 9)] + [("2025-10-11", True)]


def _cast(sc, benchmark=True, general=False, threshold=None):
    """The agency, its two certified officers and (unless benchmark=False)
    a benchmark for the scenario's violation code: statutory ¥1,000-¥20,000,
    bands MITIGATED ¥200-¥1,000, LENIENT ¥1,000-¥5,000, GENERAL
    ¥5,000-¥10,000, HEAVY ¥10,000-¥20,000. Returns (agency, officers,
    violation code, benchmark id)."""
    ag = sc.agency("临夏市市场监督管理局")
    offs = [sc.officer(ag) for _ in range(2)]
    code = "SPAQF-" + sc.tag
    bid = None
    if benchmark:
        bid = "JZ-" + sc.tag
        sc.ref("benchmark", benchmark_id=bid, violation_code=code,
               agency_uscc=None if general else ag,
               statutory_min_fen=100000, statutory_max_fen=2000000,
               hearing_threshold_fen=threshold,
               levels=[{"level": "MITIGATED", "min_fen": 20000,
                        "max_fen": 100000},
                       {"level": "LENIENT", "min_fen": 100000,
                        "max_fen": 500000},
                       {"level": "GENERAL", "min_fen": 500000,
                        "max_fen": 1000000},
                       {"level": "HEAVY", "min_fen": 1000000,
                        "max_fen": 2000000}])
    return ag, offs, code, bid


def _decision(sc, ag, offs, code, ent=None, n=1, event_time=None, **extra):
    """Appends the compliant decision (changed by `extra`) and returns its
    decision_no. `n` tells several decisions, or snapshots, apart."""
    dno = "临市市监罚〔2025〕%s%d号" % (_digits(sc.name, 3), n)
    rec = {
        "type": "penalty",
        "event_id": str(uuid.uuid5(NS, "%s/p%d/%s" % (sc.name, n,
                                                      event_time or ""))),
        "event_time": event_time or at("16:00"), "decision_no": dno,
        "agency_uscc": ag, "enterprise_uscc": ent or sc.enterprise(),
        "enterprise_region_code": "622901", "industry_code": "F52",
        "filed_at": at("10:00", "2025-02-17"),
        "notice_of_rights_at": at("10:00", "2025-02-24"),
        "decided_at": DECIDED, "procedure": "GENERAL",
        "penalty_types": ["FINE"], "fine_fen": 500000,
        "violation_code": code, "benchmark_cited": True,
        "discretion_level": "GENERAL", "factor_codes": [],
        "officers": [o() for o in offs], "av_coverage": "FULL"}
    rec.update(extra)
    sc.events.append(rec)
    return dno


def _reviewed(sc):
    """A legal review passed the day before the decision."""
    return {"legal_review_id": "FZSH-" + sc.tag, "legal_review_passed": True,
            "legal_review_at": at("10:00", "2025-03-03")}


# =================================================================== R09 ===

@scenario
def r09_major_without_review():
    sc = Scenario("r09_major_without_review",
                  "A decision the agency itself marks as major (is_major) "
                  "with no legal review at all: R09 HIGH.")
    ag, offs, code, _ = _cast(sc)
    dno = _decision(sc, ag, offs, code, is_major=True)
    sc.expect("R09 OPEN HIGH " + dno)
    return sc


@scenario
def r09_review_after_decision():
    sc = Scenario("r09_review_after_decision",
                  "A major decision whose legal review passed half an hour "
                  "after it was decided: R09 HIGH.")
    ag, offs, code, _ = _cast(sc)
    dno = _decision(sc, ag, offs, code, is_major=True,
                    legal_review_id="FZSH-" + sc.tag,
                    legal_review_passed=True, legal_review_at=at("16:00"))
    sc.expect("R09 OPEN HIGH " + dno)
    return sc


@scenario
def r09_review_result_missing():
    sc = Scenario("r09_review_result_missing",
                  "A major decision with a legal review on file but no "
                  "result (legal_review_passed absent): not shown to have "
                  "passed, R09 HIGH.")
    ag, offs, code, _ = _cast(sc)
    rv = _reviewed(sc)
    rv["legal_review_passed"] = None
    dno = _decision(sc, ag, offs, code, is_major=True, **rv)
    sc.expect("R09 OPEN HIGH " + dno)
    return sc


@scenario
def r09_reviewed_before_decision_near_miss():
    sc = Scenario("r09_reviewed_before_decision_near_miss",
                  "A major decision whose legal review passed the day "
                  "before: no R09.")
    ag, offs, code, _ = _cast(sc)
    _decision(sc, ag, offs, code, is_major=True, **_reviewed(sc))
    return sc


@scenario
def r09_heavy_type_derived_major():
    sc = Scenario("r09_heavy_type_derived_major",
                  "Not marked major, but it revokes a licence (an R14 type, "
                  "hearing-eligible too): major by derivation. A hearing was "
                  "offered and the leaders discussed it, but there was no "
                  "legal review: R09 HIGH and R14a HIGH.")
    ag, offs, code, _ = _cast(sc)
    dno = _decision(sc, ag, offs, code,
                    penalty_types=["FINE", "REVOKE_LICENSE"],
                    hearing_offered=True, collective_discussion=True)
    sc.expect("R09 OPEN HIGH " + dno, "R14a OPEN HIGH " + dno)
    return sc


# ================================================================== R10a ===

@scenario
def r10a_benchmark_not_cited():
    sc = Scenario("r10a_benchmark_not_cited",
                  "The agency has a discretion benchmark for the violation, "
                  "but the decision does not state how it applied: R10a "
                  "MEDIUM.")
    ag, offs, code, _ = _cast(sc)
    dno = _decision(sc, ag, offs, code, benchmark_cited=False)
    sc.expect("R10a OPEN MEDIUM " + dno)
    return sc


@scenario
def r10a_general_benchmark_not_cited():
    sc = Scenario("r10a_general_benchmark_not_cited",
                  "Only a general benchmark (no issuing agency) covers the "
                  "violation; the decision does not cite it: R10a MEDIUM.")
    ag, offs, code, _ = _cast(sc, general=True)
    dno = _decision(sc, ag, offs, code, benchmark_cited=False)
    sc.expect("R10a OPEN MEDIUM " + dno)
    return sc


@scenario
def r10a_benchmark_not_on_file():
    sc = Scenario("r10a_benchmark_not_on_file",
                  "The decision names a benchmark that is not in the "
                  "registry and does not cite it: R10a MEDIUM "
                  "(benchmark=not_on_file); R10b cannot judge the fine "
                  "without the record and stays silent.")
    ag, offs, code, _ = _cast(sc, benchmark=False)
    dno = _decision(sc, ag, offs, code, benchmark_cited=False,
                    benchmark_id="JZ-LOST-" + sc.tag, fine_fen=50000)
    sc.expect("R10a OPEN MEDIUM " + dno)
    return sc


@scenario
def r10a_benchmark_cited_near_miss():
    sc = Scenario("r10a_benchmark_cited_near_miss",
                  "The compliant decision itself: benchmark cited, fine "
                  "within its band, rights told, two certified officers. "
                  "No alert.")
    ag, offs, code, _ = _cast(sc)
    _decision(sc, ag, offs, code)
    return sc


@scenario
def r10a_other_agency_benchmark_near_miss():
    sc = Scenario("r10a_other_agency_benchmark_near_miss",
                  "A benchmark for the violation exists, but another "
                  "county's: it does not bind this agency, so not citing "
                  "it is no R10a.")
    ag, offs, code, _ = _cast(sc, benchmark=False)
    other = sc.agency("康乐县市场监督管理局", region="622922", key="K")
    sc.ref("benchmark", benchmark_id="JZ-K-" + sc.tag, violation_code=code,
           agency_uscc=other, statutory_min_fen=100000,
           statutory_max_fen=2000000, hearing_threshold_fen=None,
           levels=[])
    _decision(sc, ag, offs, code, benchmark_cited=False)
    return sc


# ================================================================== R10b ===

@scenario
def r10b_fine_above_band():
    sc = Scenario("r10b_fine_above_band",
                  "A LENIENT (从轻) fine of ¥6,000 where the benchmark's "
                  "lenient band ends at ¥5,000: R10b HIGH.")
    ag, offs, code, _ = _cast(sc)
    dno = _decision(sc, ag, offs, code, discretion_level="LENIENT",
                    fine_fen=600000)
    sc.expect("R10b OPEN HIGH " + dno)
    return sc


@scenario
def r10b_fine_within_band_near_miss():
    sc = Scenario("r10b_fine_within_band_near_miss",
                  "A LENIENT fine of exactly ¥5,000, the top of the lenient "
                  "band: no R10b.")
    ag, offs, code, _ = _cast(sc)
    _decision(sc, ag, offs, code, discretion_level="LENIENT",
              fine_fen=500000)
    return sc


@scenario
def r10b_fine_below_statutory_min():
    sc = Scenario("r10b_fine_below_statutory_min",
                  "No discretion level declared and a fine of ¥800, below "
                  "the statutory minimum of ¥1,000: R10b HIGH.")
    ag, offs, code, _ = _cast(sc)
    dno = _decision(sc, ag, offs, code, discretion_level=None,
                    fine_fen=80000)
    sc.expect("R10b OPEN HIGH " + dno)
    return sc


@scenario
def r10b_mitigated_below_minimum_near_miss():
    sc = Scenario("r10b_mitigated_below_minimum_near_miss",
                  "The same ¥800 fine as a MITIGATED (减轻) penalty within "
                  "the mitigated band: going below the statutory minimum is "
                  "what 减轻处罚 means, no R10b.")
    ag, offs, code, _ = _cast(sc)
    _decision(sc, ag, offs, code, discretion_level="MITIGATED",
              fine_fen=80000)
    return sc


# ================================================================== R10c ===

@scenario
def r10c_heavy_without_factor():
    sc = Scenario("r10c_heavy_without_factor",
                  "A HEAVY (从重) fine of ¥12,000 with no aggravating factor "
                  "recorded; reviewed and offered a hearing as its amount "
                  "requires: R10c LOW only.")
    ag, offs, code, _ = _cast(sc)
    dno = _decision(sc, ag, offs, code, discretion_level="HEAVY",
                    fine_fen=1200000, hearing_offered=True, **_reviewed(sc))
    sc.expect("R10c OPEN LOW " + dno)
    return sc


@scenario
def r10c_heavy_with_factor_near_miss():
    sc = Scenario("r10c_heavy_with_factor_near_miss",
                  "The same HEAVY fine with its aggravating factor code: no "
                  "R10c.")
    ag, offs, code, _ = _cast(sc)
    _decision(sc, ag, offs, code, discretion_level="HEAVY",
              fine_fen=1200000, hearing_offered=True,
              factor_codes=["CZ-LF-02"], **_reviewed(sc))
    return sc


# =================================================================== R11 ===

@scenario
def r11_no_notice():
    sc = Scenario("r11_no_notice",
                  "A GENERAL-procedure fine with no prior notice of the "
                  "facts, reasons and rights: R11 HIGH.")
    ag, offs, code, _ = _cast(sc)
    dno = _decision(sc, ag, offs, code, notice_of_rights_at=None)
    sc.expect("R11 OPEN HIGH " + dno)
    return sc


@scenario
def r11_notice_after_decision():
    sc = Scenario("r11_notice_after_decision",
                  "The notice of rights is dated half an hour after the "
                  "decision: R11 HIGH.")
    ag, offs, code, _ = _cast(sc)
    dno = _decision(sc, ag, offs, code, notice_of_rights_at=at("16:00"))
    sc.expect("R11 OPEN HIGH " + dno)
    return sc


@scenario
def r11_simple_procedure_near_miss():
    sc = Scenario("r11_simple_procedure_near_miss",
                  "A warning on the spot under the simple procedure (简易程序): "
                  "rights told orally, no written notice to time. No R11.")
    ag, offs, code, _ = _cast(sc)
    _decision(sc, ag, offs, code, procedure="SIMPLE",
              notice_of_rights_at=None, penalty_types=["WARNING"],
              fine_fen=0, discretion_level=None, benchmark_cited=False,
              violation_code="SPAQF-NB-" + sc.tag)
    return sc


@scenario
def r11_hearing_not_offered():
    sc = Scenario("r11_hearing_not_offered",
                  "An order to suspend business (hearing-eligible), reviewed "
                  "and discussed, but the party was never told it may ask "
                  "for a hearing: R11 HIGH and R14a HIGH (hearing offer "
                  "missing).")
    ag, offs, code, _ = _cast(sc)
    dno = _decision(sc, ag, offs, code,
                    penalty_types=["FINE", "ORDER_SUSPEND_BUSINESS"],
                    collective_discussion=True, **_reviewed(sc))
    sc.expect("R11 OPEN HIGH " + dno, "R14a OPEN HIGH " + dno)
    return sc


def _confiscation(sc, notice, decided=DECIDED, event_time=None,
                  reviewed_on="2025-03-03", calendar=(), filed=None):
    """¥12,000 of illegal gains confiscated (hearing-eligible amount),
    legally reviewed on `reviewed_on`, the hearing offered with the notice
    of rights at `notice` and not waived, decided at `decided`. Returns the
    decision_no."""
    ag, offs, code, _ = _cast(sc)
    for date, workday in calendar:
        sc.ref("calendar_day", date=date, is_workday=workday)
    return _decision(sc, ag, offs, code, event_time=event_time,
                     penalty_types=["FINE", "CONFISCATE_GAINS"],
                     confiscated_fen=1200000, hearing_offered=True,
                     notice_of_rights_at=notice, decided_at=decided,
                     legal_review_id="FZSH-" + sc.tag,
                     legal_review_passed=True,
                     legal_review_at=at("10:00", reviewed_on),
                     **({"filed_at": filed} if filed else {}))


@scenario
def r11_decided_before_hearing_window():
    sc = Scenario("r11_decided_before_hearing_window",
                  "¥12,000 of illegal gains confiscated (hearing-eligible "
                  "amount), hearing offered on Sunday 03-02 and the decision "
                  "made on 03-04, before the five working days to ask "
                  "(03-03 .. 03-07, 行政处罚法第64条、第85条) ran out: R11 "
                  "HIGH.")
    dno = _confiscation(sc, at("10:00", "2025-03-02"))
    sc.expect("R11 OPEN HIGH " + dno)
    return sc


@scenario
def r11_hearing_window_over_weekend():
    sc = Scenario("r11_hearing_window_over_weekend",
                  "The same confiscation, hearing offered on Thursday 02-27 "
                  "10:00: five calendar days would have run out on 03-04 "
                  "10:00, before the 15:30 decision, but the weekend does "
                  "not count and the five working days (02-28, 03-03 .. "
                  "03-06) had not: R11 HIGH.")
    dno = _confiscation(sc, at("10:00", "2025-02-27"))
    sc.expect("R11 OPEN HIGH " + dno)
    return sc


@scenario
def r11_hearing_window_passed_near_miss():
    sc = Scenario("r11_hearing_window_passed_near_miss",
                  "The same confiscation, hearing offered on Monday 02-24: "
                  "the five working days (02-25 .. 03-03) had run out by "
                  "03-04. No R11.")
    _confiscation(sc, at("10:00", "2025-02-24"))
    return sc


@scenario
def r11_hearing_window_over_holiday():
    sc = Scenario("r11_hearing_window_over_holiday",
                  "The same confiscation, hearing offered on Tuesday "
                  "2025-09-30 and decided on Tuesday 10-14: the National Day "
                  "holiday (10-01 .. 10-08, calendar_day records) does not "
                  "count, the working Saturday 10-11 does, so the five "
                  "working days are 10-09, 10-10, 10-11, 10-13, 10-14: R11 "
                  "HIGH.")
    dno = _confiscation(sc, at("10:00", "2025-09-30"),
                        decided=at("15:30", "2025-10-14"),
                        event_time=at("16:00", "2025-10-14"),
                        reviewed_on="2025-10-13",
                        calendar=NATIONAL_DAY_2025,
                        filed=at("10:00", "2025-09-15"))
    sc.expect("R11 OPEN HIGH " + dno)
    return sc


@scenario
def r11_hearing_window_after_holiday_near_miss():
    sc = Scenario("r11_hearing_window_after_holiday_near_miss",
                  "The same holiday case decided on Wednesday 10-15, the "
                  "day after the five working days ran out. No R11.")
    _confiscation(sc, at("10:00", "2025-09-30"),
                  decided=at("09:30", "2025-10-15"),
                  event_time=at("16:00", "2025-10-15"),
                  reviewed_on="2025-10-14",
                  calendar=NATIONAL_DAY_2025,
                        filed=at("10:00", "2025-09-15"))
    return sc


@scenario
def r11_hearing_waived_near_miss():
    sc = Scenario("r11_hearing_waived_near_miss",
                  "Hearing offered on 03-02 and waived in writing by the "
                  "party: deciding on 03-04 is fine. No R11.")
    ag, offs, code, _ = _cast(sc)
    _decision(sc, ag, offs, code, penalty_types=["FINE", "CONFISCATE_GAINS"],
              confiscated_fen=1200000, hearing_offered=True,
              hearing_waived=True,
              notice_of_rights_at=at("10:00", "2025-03-02"), **_reviewed(sc))
    return sc


@scenario
def r11_open_case_near_miss():
    sc = Scenario("r11_open_case_near_miss",
                  "A case still under way (no decided_at), no notice yet: "
                  "nothing is final, no R11 (nor any decision rule).")
    ag, offs, code, _ = _cast(sc)
    _decision(sc, ag, offs, code, decided_at=None, notice_of_rights_at=None,
              benchmark_cited=False, credit_measures=["PUBLIC_EXPOSURE"])
    return sc


@scenario
def r11_notice_fixed_withdraws():
    sc = Scenario("r11_notice_fixed_withdraws",
                  "The feed first sends the decision without its notice "
                  "date (R11 OPEN), then corrects it: the alert is "
                  "WITHDRAWN.")
    ag, offs, code, _ = _cast(sc)
    ent = sc.enterprise()
    dno = _decision(sc, ag, offs, code, ent=ent, notice_of_rights_at=None)
    _decision(sc, ag, offs, code, ent=ent, event_time=at("17:00"))
    sc.expect("R11 OPEN HIGH " + dno, "R11 WITHDRAWN HIGH " + dno)
    return sc


# ================================================================== R14a ===

@scenario
def r14a_revoke_without_collective_discussion():
    sc = Scenario("r14a_revoke_without_collective_discussion",
                  "A licence revoked after legal review and a hearing offer, "
                  "but without the leaders' collective discussion: R14a "
                  "HIGH.")
    ag, offs, code, _ = _cast(sc)
    dno = _decision(sc, ag, offs, code,
                    penalty_types=["FINE", "REVOKE_LICENSE"],
                    hearing_offered=True, **_reviewed(sc))
    sc.expect("R14a OPEN HIGH " + dno)
    return sc


@scenario
def r14a_all_safeguards_near_miss():
    sc = Scenario("r14a_all_safeguards_near_miss",
                  "The same revocation with collective discussion too; the "
                  "party waived the hearing it was offered. No alert.")
    ag, offs, code, _ = _cast(sc)
    _decision(sc, ag, offs, code, penalty_types=["FINE", "REVOKE_LICENSE"],
              hearing_offered=True, hearing_waived=True,
              collective_discussion=True, **_reviewed(sc))
    return sc


# ================================================================== R18b ===

@scenario
def r18b_credit_downgrade_without_basis():
    sc = Scenario("r18b_credit_downgrade_without_basis",
                  "The decision also lowers the enterprise's credit grade "
                  "and names no legal basis for it: R18b MEDIUM.")
    ag, offs, code, _ = _cast(sc)
    dno = _decision(sc, ag, offs, code, credit_measures=["CREDIT_DOWNGRADE"])
    sc.expect("R18b OPEN MEDIUM " + dno)
    return sc


@scenario
def r18b_credit_measure_with_basis_near_miss():
    sc = Scenario("r18b_credit_measure_with_basis_near_miss",
                  "Public exposure with its legal basis stated: no R18b.")
    ag, offs, code, _ = _cast(sc)
    _decision(sc, ag, offs, code, credit_measures=["PUBLIC_EXPOSURE"],
              credit_measure_legal_basis="《市场监督管理行政处罚信息公示规定》"
                                         "第二条")
    return sc
