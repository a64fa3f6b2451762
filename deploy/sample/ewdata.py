"""ewdata - shared helpers of the sample and scenario generators.

Standard library only. Holds what both generators need and must not get
wrong twice: the GB 32100 check digit (rules.md §3) and the GB 11714 check of
the organisation code inside it, the JSON Lines time form (contract §1), and
a validator of JSON Lines files against the field lists, types and enum
symbols of contract.md §3–§4, so that a typo in generated data is caught here
instead of showing up as a bad-line report of `enforcewatch check`.

Run it directly to validate files: `python3 ewdata.py FILE.jsonl...`.
"""

import datetime as _dt
import json
import re
import sys

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 3^(i-1) mod 31, i = 1..17
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
TZ = _dt.timezone(_dt.timedelta(hours=8))  # Asia/Shanghai has no DST

# D14 (rules.md §2): the prefecture and its eight county-level divisions.
LINXIA_REGIONS = {
    "622900": "临夏回族自治州",
    "622901": "临夏市",
    "622921": "临夏县",
    "622922": "康乐县",
    "622923": "永靖县",
    "622924": "广河县",
    "622925": "和政县",
    "622926": "东乡族自治县",
    "622927": "积石山保安族东乡族撒拉族自治县",
}


def uscc_check_char(first17):
    """The GB 32100 check character (position 18) of a 17-character body."""
    if len(first17) != 17 or any(c not in USCC_ALPHABET for c in first17):
        raise ValueError("not a USCC body: %r" % (first17,))
    s = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - s % 31) % 31]


def uscc_valid(code):
    return (isinstance(code, str) and len(code) == 18
            and all(c in USCC_ALPHABET for c in code)
            and uscc_check_char(code[:17]) == code[17])


def org_check_char(body8):
    """The GB 11714 check character of an 8-character organisation code."""
    def val(c):
        return int(c) if c.isdigit() else ord(c) - ord("A") + 10
    c9 = 11 - sum(val(c) * w for c, w in zip(body8, ORG_WEIGHTS)) % 11
    return {10: "X", 11: "0"}.get(c9, str(c9))


def make_uscc(prefix2, region, body8, corrupt=False):
    """A USCC from its registration class, region and organisation body.

    The organisation code gets its GB 11714 check character, the whole code
    its GB 32100 one. With corrupt=True the last character is replaced by
    another valid character of the alphabet, so only the check digit fails."""
    org = body8 + org_check_char(body8)
    first17 = prefix2 + region + org
    c18 = uscc_check_char(first17)
    if corrupt:
        c18 = USCC_ALPHABET[(USCC_ALPHABET.index(c18) + 7) % 31]
    code = first17 + c18
    assert uscc_valid(code) != corrupt
    return code


for _sample in ("913502000728319549", "9135021359498494XQ",
                "91350213678251743X"):
    assert uscc_valid(_sample), _sample  # rules.md §3 "verified locally"


def ts(s):
    """'2025-03-04 09:30' (Asia/Shanghai) -> '2025-03-04T09:30:00+08:00'."""
    fmt = "%Y-%m-%d %H:%M:%S" if s.count(":") == 2 else "%Y-%m-%d %H:%M"
    return _dt.datetime.strptime(s, fmt).replace(tzinfo=TZ).isoformat()


def parse_time(v):
    """Epoch ms of a contract §1 JSON time, or raises ValueError."""
    if isinstance(v, bool):
        raise ValueError("bool is not a time")
    if isinstance(v, int):
        return v
    if not isinstance(v, str):
        raise ValueError("not a time: %r" % (v,))
    d = _dt.datetime.fromisoformat(v)
    if d.tzinfo is None:
        d = d.replace(tzinfo=TZ)
    return int(d.timestamp() * 1000)


FNV_INIT = 0xcbf29ce484222325
FNV_PRIME = 0x100000001b3


def _fnv(h, s):
    for b in s.encode("utf-8"):
        h = ((h ^ b) * FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return h


def alert_id(rule, subject_type, subject_id, disc=""):
    """The alert id the engine gives a finding (daemon/alert.c
    ew_alert_id_format)."""
    h = FNV_INIT
    for n, part in enumerate((rule, subject_type, subject_id, disc)):
        if n:
            h = _fnv(h, "\x1f")
        h = _fnv(h, part)
    return "EW-%s-%016x" % (rule, h)


def notice_id(notice_type, recipient, alert):
    """The id of the immediate notice about one alert (daemon/notices.c)."""
    h = FNV_INIT
    for part in (notice_type, recipient, alert):
        h = _fnv(_fnv(h, part), "\x1f")
    return "EWN-%016x" % h


def dumps(obj):
    """One JSON Lines line: compact, UTF-8 Chinese kept readable."""
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


# ---------------------------------------------------------------------------
# contract.md §3-§4 as data: field -> (kind, presence, extra)
#   kind: str | time | long | bool | enum | strs | enums | recs
#   presence: "req" required, "opt" nullable, "dflt" has a default, "arr" array
# ---------------------------------------------------------------------------

E = {
    "InspectionStatus": "PLANNED STARTED ENDED CANCELLED",
    "CheckClass": "ROUTINE CASE SPECIAL",
    "TriggerType": "ANNUAL_PLAN RANDOM_SAMPLING COMPLAINT CASE_INVESTIGATION "
                   "SUPERIOR_ASSIGNED NATIONAL_SECURITY PUBLIC_SAFETY "
                   "WORK_SAFETY ECO_ENVIRONMENT ENTERPRISE_REQUEST "
                   "LICENSING_VERIFICATION DATA_MONITORING",
    "Mode": "ON_SITE REMOTE DOCUMENT_REVIEW",
    "AvCoverage": "FULL PARTIAL NONE",
    "InspectionResult": "NO_ISSUE RECTIFICATION_ORDERED GUIDANCE_GIVEN "
                        "CASE_FILED REFERRED",
    "SoftMeasure": "ADMIN_GUIDANCE ADMIN_WARNING ADMIN_SUGGESTION "
                   "ADMIN_REWARD",
    "Channel": "HOTLINE_12345 HOTLINE_12315 PHONE LETTER VISIT WEB "
               "SPECIAL_SUPERVISOR TRANSFER",
    "ComplaintSubject": "ENFORCEMENT_CONDUCT ENTERPRISE_VIOLATION",
    "Category": "NO_CERTIFICATE SINGLE_OFFICER UNPLANNED_INSPECTION "
                "REPEATED_INSPECTION BUSINESS_DISRUPTION ARBITRARY_FEE "
                "FORCED_PURCHASE SPONSORSHIP_DEMAND FORCED_SUBSCRIPTION "
                "ABUSE_FOR_PRIVATE_GAIN EXCESSIVE_PENALTY BLANKET_ENFORCEMENT "
                "PROFIT_DRIVEN OTHER",
    "ComplaintStatus": "RECEIVED ACCEPTED REJECTED VERIFYING CONCLUDED",
    "Finding": "SUBSTANTIATED PARTLY_SUBSTANTIATED UNSUBSTANTIATED",
    "Procedure": "SIMPLE GENERAL HEARING",
    "PenaltyType": "WARNING CIRCULATED_CRITICISM FINE CONFISCATE_GAINS "
                   "CONFISCATE_PROPERTY SUSPEND_LICENSE "
                   "DOWNGRADE_QUALIFICATION REVOKE_LICENSE "
                   "RESTRICT_OPERATIONS ORDER_SUSPEND_BUSINESS ORDER_CLOSURE "
                   "RESTRICT_EMPLOYMENT",
    "DiscretionLevel": "NO_PENALTY MITIGATED LENIENT GENERAL HEAVY",
    "HarmLevel": "NONE MINOR SERIOUS",
    "HarmMax": "NONE MINOR",
    "CompulsoryMeasure": "SEAL SEIZE ENFORCE",
    "CreditMeasure": "CREDIT_DOWNGRADE PUBLIC_EXPOSURE",
    "FeedbackResult": "DONE PARTIAL DISPUTED",
    "AgencyLevel": "PREFECTURE COUNTY TOWNSHIP",
    "PlanType": "ANNUAL_INSPECTION JOINT_INSPECTION SPECIAL_CAMPAIGN",
    "PlanStatus": "DRAFT FILED RETURNED AMENDED",
    "CertStatus": "ACTIVE SUSPENDED REVOKED EXPIRED",
    "LeniencyKind": "NO_PENALTY FIRST_OFFENSE_NO_PENALTY NO_FAULT LIGHTER "
                    "MITIGATED",
    "CreditGrade": "A B C D",
}
E = {k: set(v.split()) for k, v in E.items()}

OFFICER = {"officer_id": ("str", "req"), "cert_no": ("str", "opt"),
           "cert_shown": ("bool", "dflt")}
PLAN_ITEM = {
    "item_id": ("str", "req"), "check_item_code": ("str", "req"),
    "target_industries": ("strs", "arr"), "target_usccs": ("strs", "arr"),
    "max_per_enterprise": ("long", "opt"), "mode": ("enum", "opt", "Mode"),
    "window_start": ("time", "req"), "window_end": ("time", "req"),
}
BENCH_LEVEL = {"level": ("enum", "req", "DiscretionLevel"),
               "min_fen": ("long", "req"), "max_fen": ("long", "req")}

ENVELOPE = {"event_id": ("str", "req"), "event_time": ("time", "req")}

SCHEMA = {
    "inspection": dict(ENVELOPE, **{
        "inspection_id": ("str", "req"),
        "status": ("enum", "req", "InspectionStatus"),
        "agency_uscc": ("str", "req"), "enterprise_uscc": ("str", "req"),
        "enterprise_region_code": ("str", "opt"),
        "industry_code": ("str", "opt"),
        "check_class": ("enum", "req", "CheckClass"),
        "trigger_type": ("enum", "req", "TriggerType"),
        "plan_id": ("str", "opt"), "plan_item_id": ("str", "opt"),
        "random_task_id": ("str", "opt"), "joint_plan_id": ("str", "opt"),
        "complaint_id": ("str", "opt"), "case_id": ("str", "opt"),
        "check_items": ("strs", "arr"),
        "approval_id": ("str", "opt"), "approved_at": ("time", "opt"),
        "emergency": ("bool", "dflt"),
        "mode": ("enum", "req", "Mode"),
        "onsite_justification": ("str", "opt"),
        "officers": ("recs", "arr", OFFICER),
        "started_at": ("time", "opt"), "ended_at": ("time", "opt"),
        "written_record_id": ("str", "opt"),
        "av_coverage": ("enum", "dflt", "AvCoverage"),
        "av_record_ids": ("strs", "arr"),
        "result": ("enum", "opt", "InspectionResult"),
        "soft_measures": ("enums", "arr", "SoftMeasure"),
        "ledger_registered_at": ("time", "opt"),
        "ledger_signed_by": ("strs", "arr"),
        "result_published_at": ("time", "opt"),
        "fees_collected_fen": ("long", "dflt"),
        "production_halted": ("bool", "dflt"),
    }),
    "complaint": dict(ENVELOPE, **{
        "complaint_id": ("str", "req"), "received_at": ("time", "req"),
        "channel": ("enum", "req", "Channel"),
        "subject_type": ("enum", "req", "ComplaintSubject"),
        "complainant_uscc": ("str", "opt"), "enterprise_uscc": ("str", "opt"),
        "respondent_agency_uscc": ("str", "opt"),
        "respondent_officer_ids": ("strs", "arr"),
        "related_inspection_id": ("str", "opt"),
        "related_penalty_id": ("str", "opt"),
        "category": ("enum", "req", "Category"),
        "handling_agency_uscc": ("str", "req"),
        "status": ("enum", "req", "ComplaintStatus"),
        "accepted_at": ("time", "opt"), "rejected_at": ("time", "opt"),
        "extension_days": ("long", "dflt"),
        "finding": ("enum", "opt", "Finding"),
        "suspected_discipline": ("bool", "dflt"),
        "concluded_at": ("time", "opt"), "feedback_at": ("time", "opt"),
    }),
    "penalty": dict(ENVELOPE, **{
        "decision_no": ("str", "req"), "case_id": ("str", "opt"),
        "agency_uscc": ("str", "req"), "enterprise_uscc": ("str", "req"),
        "enterprise_region_code": ("str", "opt"),
        "industry_code": ("str", "opt"),
        "filed_at": ("time", "opt"), "notice_of_rights_at": ("time", "opt"),
        "decided_at": ("time", "opt"), "published_at": ("time", "opt"),
        "withdrawn_at": ("time", "opt"),
        "procedure": ("enum", "dflt", "Procedure"),
        "penalty_types": ("enums", "arr", "PenaltyType"),
        "fine_fen": ("long", "dflt"), "confiscated_fen": ("long", "dflt"),
        "violation_code": ("str", "req"), "benchmark_id": ("str", "opt"),
        "benchmark_cited": ("bool", "dflt"),
        "discretion_level": ("enum", "opt", "DiscretionLevel"),
        "factor_codes": ("strs", "arr"),
        "first_offense": ("bool", "dflt"), "corrected": ("bool", "dflt"),
        "harm_level": ("enum", "dflt", "HarmLevel"),
        "is_major": ("bool", "dflt"), "legal_review_id": ("str", "opt"),
        "legal_review_at": ("time", "opt"),
        "legal_review_passed": ("bool", "opt"),
        "collective_discussion": ("bool", "dflt"),
        "hearing_offered": ("bool", "dflt"),
        "hearing_waived": ("bool", "dflt"),
        "compulsory_measures": ("enums", "arr", "CompulsoryMeasure"),
        "credit_measures": ("enums", "arr", "CreditMeasure"),
        "credit_measure_legal_basis": ("str", "opt"),
        "officers": ("recs", "arr", OFFICER),
        "av_coverage": ("enum", "dflt", "AvCoverage"),
    }),
    "feedback": dict(ENVELOPE, **{
        "notice_id": ("str", "req"), "agency_uscc": ("str", "req"),
        "feedback_at": ("time", "req"),
        "result": ("enum", "req", "FeedbackResult"),
        "summary": ("str", "opt"),
    }),
    "agency": {
        "agency_uscc": ("str", "req"), "name": ("str", "req"),
        "region_code": ("str", "req"),
        "level": ("enum", "req", "AgencyLevel"),
        "parent_agency_uscc": ("str", "opt"),
        "has_inspection_power": ("bool", "dflt"),
        "justice_bureau_uscc": ("str", "req"),
    },
    "plan": {
        "plan_id": ("str", "req"), "agency_uscc": ("str", "req"),
        "year": ("long", "req"), "plan_type": ("enum", "req", "PlanType"),
        "status": ("enum", "req", "PlanStatus"),
        "filed_at": ("time", "opt"),
        "items": ("recs", "arr", PLAN_ITEM),
        "participant_agency_usccs": ("strs", "arr"),
    },
    "approval": {
        "approval_id": ("str", "req"), "agency_uscc": ("str", "req"),
        "enterprise_uscc": ("str", "opt"), "inspection_id": ("str", "opt"),
        "approved_at": ("time", "req"), "valid_until": ("time", "opt"),
    },
    "certificate": {
        "cert_no": ("str", "req"), "officer_id": ("str", "req"),
        "agency_uscc": ("str", "req"), "valid_from": ("time", "req"),
        "valid_to": ("time", "req"), "status": ("enum", "req", "CertStatus"),
    },
    "benchmark": {
        "benchmark_id": ("str", "req"), "violation_code": ("str", "req"),
        "agency_uscc": ("str", "opt"), "statutory_min_fen": ("long", "req"),
        "statutory_max_fen": ("long", "req"),
        "hearing_threshold_fen": ("long", "opt"),
        "levels": ("recs", "arr", BENCH_LEVEL),
    },
    "leniency_item": {
        "item_id": ("str", "req"), "violation_code": ("str", "req"),
        "kind": ("enum", "req", "LeniencyKind"),
        "lookback_days": ("long", "dflt"),
        "harm_max": ("enum", "dflt", "HarmMax"),
        "must_correct": ("bool", "dflt"),
    },
    "sampling_item": {
        "item_code": ("str", "req"), "agency_uscc": ("str", "req"),
        "special_sector": ("bool", "dflt"),
        "remote_capable": ("bool", "dflt"),
    },
    "random_task": {
        "task_id": ("str", "req"), "agency_uscc": ("str", "req"),
        "check_item_code": ("str", "req"), "drawn_at": ("time", "req"),
        "enterprises": ("strs", "arr"), "officers": ("strs", "arr"),
        "population_size": ("long", "opt"), "completed_at": ("time", "opt"),
        "published_at": ("time", "opt"),
    },
    "credit_grade": {
        "enterprise_uscc": ("str", "req"),
        "grade": ("enum", "req", "CreditGrade"), "as_of": ("time", "req"),
    },
    "calendar_day": {"date": ("str", "req"), "is_workday": ("bool", "req")},
}
ID_FIELD = {"agency": "agency_uscc", "plan": "plan_id",
            "approval": "approval_id", "certificate": "cert_no",
            "benchmark": "benchmark_id", "leniency_item": "item_id",
            "sampling_item": "item_code", "random_task": "task_id",
            "credit_grade": "enterprise_uscc", "calendar_day": "date"}
EVENT_TYPES = ("inspection", "complaint", "penalty", "feedback")
USCC_FIELD = re.compile(r"(^|_)uscc$")
USCC_LIST_FIELD = re.compile(r"_usccs$|^enterprises$")
REGION_FIELD = re.compile(r"region_code$")


def _check_value(path, v, spec, errs, usccs):
    kind, presence = spec[0], spec[1]
    if v is None:
        if presence == "req":
            errs.append("%s: required, is null" % path)
        return
    name = path.rsplit(".", 1)[-1]
    if kind == "str":
        if not isinstance(v, str) or not v:
            errs.append("%s: not a non-empty string" % path)
        elif USCC_FIELD.search(name):
            usccs.append((path, v))
        elif REGION_FIELD.search(name) and not re.fullmatch(r"\d{6}", v):
            errs.append("%s: region code %r is not 6 digits" % (path, v))
    elif kind == "time":
        try:
            parse_time(v)
        except ValueError as ex:
            errs.append("%s: %s" % (path, ex))
        if isinstance(v, str) and not re.search(r"[+-]\d\d:\d\d$|Z$", v):
            errs.append("%s: time %r has no offset" % (path, v))
    elif kind == "long":
        if isinstance(v, bool) or not isinstance(v, int):
            errs.append("%s: not an integer" % path)
    elif kind == "bool":
        if not isinstance(v, bool):
            errs.append("%s: not a boolean" % path)
    elif kind == "enum":
        if v not in E[spec[2]]:
            errs.append("%s: %r is not a %s" % (path, v, spec[2]))
    elif kind in ("strs", "enums", "recs"):
        if not isinstance(v, list):
            errs.append("%s: not an array" % path)
            return
        for i, x in enumerate(v):
            p = "%s[%d]" % (path, i)
            if kind == "strs":
                if not isinstance(x, str) or not x:
                    errs.append("%s: not a non-empty string" % p)
                elif USCC_LIST_FIELD.search(name):
                    usccs.append((p, x))
            elif kind == "enums":
                if x not in E[spec[2]]:
                    errs.append("%s: %r is not a %s" % (p, x, spec[2]))
            else:
                _check_object(p, x, spec[2], errs, usccs)


def _check_object(path, obj, fields, errs, usccs):
    if not isinstance(obj, dict):
        errs.append("%s: not an object" % path)
        return
    for k in obj:
        if k not in fields:
            errs.append("%s.%s: unknown field" % (path, k))
    for k, spec in fields.items():
        if k in obj:
            _check_value("%s.%s" % (path, k), obj[k], spec, errs, usccs)
        elif spec[1] == "req":
            errs.append("%s.%s: required field missing" % (path, k))


def validate_line(text, where="line"):
    """Returns (errors, [(path, uscc)...], record dict or None)."""
    errs, usccs = [], []
    try:
        obj = json.loads(text)
    except ValueError as ex:
        return ["%s: not JSON: %s" % (where, ex)], usccs, None
    if not isinstance(obj, dict) or obj.get("type") not in SCHEMA:
        return ["%s: no known \"type\"" % where], usccs, None
    t = obj["type"]
    body = {k: v for k, v in obj.items() if k != "type"}
    if body.get("deleted") is True and t in ID_FIELD:
        if set(body) != {"deleted", ID_FIELD[t]}:
            errs.append("%s: a tombstone holds only its id" % where)
        return errs, usccs, obj
    _check_object("%s(%s)" % (where, t), body, SCHEMA[t], errs, usccs)
    return errs, usccs, obj


def validate_file(path, expect_bad_usccs=(), regions=None, ordered=True):
    """Validates a JSON Lines file; returns a list of problems.

    Every USCC must pass its check digit except those listed in
    expect_bad_usccs, each of which must occur and fail. With `ordered`,
    events must be in event_time order. With `regions`, every *region_code
    must be in it."""
    problems, bad_seen = [], set()
    last_event_time = None
    with open(path, encoding="utf-8") as fp:
        for n, line in enumerate(fp, 1):
            if not line.strip():
                problems.append("%s:%d: blank line" % (path, n))
                continue
            where = "%s:%d" % (path, n)
            errs, usccs, obj = validate_line(line, where)
            problems += errs
            for p, code in usccs:
                if code in expect_bad_usccs:
                    if uscc_valid(code):
                        problems.append("%s: %s should fail its check digit"
                                        % (p, code))
                    bad_seen.add(code)
                elif not uscc_valid(code):
                    problems.append("%s: %s fails the GB 32100 check"
                                    % (p, code))
            if obj is None:
                continue
            if regions is not None:
                for k, v in obj.items():
                    if REGION_FIELD.search(k) and v is not None \
                            and v not in regions:
                        problems.append("%s: %s=%s not in D14" % (where, k, v))
            if ordered and obj["type"] in EVENT_TYPES \
                    and "event_time" in obj:
                t = parse_time(obj["event_time"])
                if last_event_time is not None and t < last_event_time:
                    problems.append("%s: event_time goes backwards" % where)
                last_event_time = t
    for code in set(expect_bad_usccs) - bad_seen:
        problems.append("%s: the deliberately bad USCC %s does not occur"
                        % (path, code))
    return problems


if __name__ == "__main__":
    bad = []
    for f in sys.argv[1:]:
        bad += validate_file(f)
    print("\n".join(bad) if bad else "ok: %d file(s)" % len(sys.argv[1:]))
    sys.exit(1 if bad else 0)
