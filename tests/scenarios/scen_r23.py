"""scen_r23.py - scenarios of the profit-driven signals R23a-R23f
(趋利执法信号): statistical screens per agency and quarter that ask the
supervisor to look (请核查), and the substantiated quota complaint.

R23a-R23e are judged when the clock passes the quarter's end, 00:00 of
the next quarter's first day, so those scenarios set as_of to 2025-04-01
and expect their alerts on "<agency>/2025-Q1" (window 2024-04..2025-03).
R23f is judged when the complaint arrives.

Every decision is lawful on its own (two certified officers who showed
their certificates, parties told a week before, filed three weeks before,
published the same day, a fine of about ¥2,000 under no benchmark and below
the hearing threshold), so that R23 is the only rule to speak. Each agency's
data begins with one decision in May 2023: its windows are then never cut
short, and the quarters of 2024 are judged on months without cases and find
nothing.
"""

import datetime
import uuid

from scenario_lib import NS, Scenario, _digits, at, scenario

Q1_END = "2025-04-01T00:00:00+08:00"
MONTHS = [(2024, m) for m in range(4, 13)] + [(2025, m) for m in (1, 2, 3)]


def _cast(sc, name="临夏市市场监督管理局"):
    """The agency (region 622901) and two certified officers."""
    ag = sc.agency(name)
    return ag, [sc.officer(ag) for _ in range(2)]


def _days_before(day, n):
    d = datetime.date.fromisoformat(day) - datetime.timedelta(days=n)
    return d.isoformat()


def _decision(sc, ag, offs, ent, day, fine, hhmm="10:00"):
    """A lawful fine of `fine` fen on `ent` decided on `day` (YYYY-MM-DD)
    at `hhmm`, published and sent at 17:00."""
    sc.n_ev += 1
    n = sc.n_ev
    sc.events.append({
        "type": "penalty",
        "event_id": str(uuid.uuid5(NS, "%s/p%d" % (sc.name, n))),
        "event_time": at("17:00", day),
        "decision_no": "临市市监罚〔%s〕%s%03d号" % (day[:4],
                                                 _digits(sc.name, 3), n),
        "agency_uscc": ag, "enterprise_uscc": ent,
        "enterprise_region_code": ent[2:8], "industry_code": "F52",
        "filed_at": at("09:00", _days_before(day, 21)),
        "notice_of_rights_at": at("09:00", _days_before(day, 7)),
        "decided_at": at(hhmm, day), "published_at": at("16:00", day),
        "procedure": "GENERAL", "penalty_types": ["FINE"],
        "fine_fen": fine, "violation_code": "SPAQF-" + sc.tag,
        "benchmark_cited": False, "discretion_level": None,
        "factor_codes": [], "officers": [o() for o in offs],
        "av_coverage": "FULL"})


def _data_begins(sc, ag, offs):
    _decision(sc, ag, offs, sc.enterprise(), "2023-05-10", 150000)


def _monthly(sc, ag, offs, counts, fines):
    """counts[i] decisions in month i of 2024-04..2025-03, on the 5th, 9th,
    13th... of the month, the k-th of them fining fines[k % len(fines)]."""
    ents = [sc.enterprise() for _ in range(6)]
    k = 0
    for (y, m), n in zip(MONTHS, counts):
        for j in range(n):
            _decision(sc, ag, offs, ents[k % 6],
                      "%d-%02d-%02d" % (y, m, 5 + 4 * j), fines[k % len(fines)])
            k += 1


@scenario
def r23a_uniform_cases_and_fines():
    sc = Scenario("r23a_uniform_cases_and_fines",
                  "The market regulator decides exactly two cases every "
                  "month from April 2024 to March 2025, fining ¥1,950 to "
                  "¥2,050 each time (整齐化, the pattern of a monthly "
                  "quota): at the end of 2025-Q1 the monthly counts' CV is "
                  "0 (< 0.2) and every fine lies within 15% of the median: "
                  "R23a HIGH on the agency's quarter, with a 监督意见书.")
    sc.as_of = Q1_END
    ag, offs = _cast(sc)
    _data_begins(sc, ag, offs)
    _monthly(sc, ag, offs, [2] * 12, [195000, 200000, 205000, 200000])
    sc.expect("R23a OPEN HIGH %s/2025-Q1" % ag,
              "notice SUPERVISION_OPINION %s 1" % ag)
    return sc


@scenario
def r23a_uneven_months_near_miss():
    sc = Scenario("r23a_uneven_months_near_miss",
                  "The same fines, but one month has three cases and "
                  "another one: the monthly counts' CV is 0.204, not below "
                  "0.2. No alert.")
    sc.as_of = Q1_END
    ag, offs = _cast(sc)
    _data_begins(sc, ag, offs)
    _monthly(sc, ag, offs, [2] * 10 + [3, 1],
             [195000, 200000, 205000, 200000])
    return sc


@scenario
def r23d_r23e_two_signals():
    sc = Scenario("r23d_r23e_two_signals",
                  "From October 2024 the market regulator decides 24 cases, "
                  "16 of them in the last ten days of October, November, "
                  "January and February (2.03 times the window's mean daily "
                  "count) and 8 on enterprises registered in 永靖县 (33%): "
                  "R23d and R23e, both HIGH as two signals of one quarter. "
                  "2024-Q4's window holds only 8 cases, below the minimum "
                  "of 12: nothing then.")
    sc.as_of = Q1_END
    ag, offs = _cast(sc)
    _data_begins(sc, ag, offs)
    local = [sc.enterprise() for _ in range(4)]
    away = [sc.enterprise(region="622923") for _ in range(2)]
    n = 0
    for y, m, last in ((2024, 10, 31), (2024, 11, 30), (2025, 1, 31),
                       (2025, 2, 28)):
        for d in range(4):
            ent = away[n % 2] if n % 3 == 0 else local[n % 4]
            _decision(sc, ag, offs, ent, "%d-%02d-%02d" % (y, m, last - d),
                      120000 + 7000 * n)
            n += 1
    for d in range(8):
        ent = away[n % 2] if n % 3 == 0 else local[n % 4]
        _decision(sc, ag, offs, ent, "2025-03-%02d" % (3 + 2 * d),
                  120000 + 7000 * n)
        n += 1
    sc.expect("R23d OPEN HIGH %s/2025-Q1" % ag,
              "R23e OPEN HIGH %s/2025-Q1" % ag)
    return sc


@scenario
def r23f_quota_complaint_substantiated():
    sc = Scenario("r23f_quota_complaint_substantiated",
                  "A 特邀监督员 reports that the transport bureau gives its "
                  "teams a monthly fine quota (趋利性执法, PROFIT_DRIVEN); "
                  "the 司法局 finds it SUBSTANTIATED on 02-20, the quota "
                  "document in hand: R21a HIGH on the complaint with its "
                  "order to correct, and R23f CRITICAL on the bureau's "
                  "2025-Q1 at once, with a 监督意见书.")
    ag, _ = _cast(sc, "临夏市交通运输局")
    (jb,) = sc.jbs
    cid = "LXJD-%s" % sc.tag
    ent = sc.enterprise()
    base = {
        "type": "complaint", "complaint_id": cid,
        "received_at": at("10:00", "2025-02-03"),
        "channel": "SPECIAL_SUPERVISOR", "subject_type": "ENFORCEMENT_CONDUCT",
        "complainant_uscc": ent, "enterprise_uscc": ent,
        "respondent_agency_uscc": ag, "respondent_officer_ids": [],
        "related_inspection_id": None, "related_penalty_id": None,
        "category": "PROFIT_DRIVEN", "handling_agency_uscc": jb,
        "accepted_at": None, "rejected_at": None, "extension_days": 0,
        "finding": None, "suspected_discipline": False,
        "concluded_at": None, "feedback_at": None}
    for i, (sent, fields) in enumerate([
            (at("10:05", "2025-02-03"), {"status": "RECEIVED"}),
            (at("09:40", "2025-02-04"), {"status": "ACCEPTED",
                                         "accepted_at": at("09:30",
                                                           "2025-02-04")}),
            (at("16:00", "2025-02-20"), {
                "status": "CONCLUDED", "accepted_at": at("09:30",
                                                         "2025-02-04"),
                "finding": "SUBSTANTIATED",
                "concluded_at": at("15:30", "2025-02-20"),
                "feedback_at": at("15:45", "2025-02-20")})]):
        rec = dict(base, event_id=str(uuid.uuid5(NS, "%s/c%d" % (sc.name, i))),
                   event_time=sent)
        rec.update(fields)
        sc.events.append(rec)
    sc.expect("R21a OPEN HIGH " + cid,
              "notice ORDER_CORRECTION %s 1" % ag,
              "R23f OPEN CRITICAL %s/2025-Q1" % ag,
              "notice SUPERVISION_OPINION %s 1" % ag)
    return sc
