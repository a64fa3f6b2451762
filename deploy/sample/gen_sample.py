#!/usr/bin/env python3
"""gen_sample.py - writes deploy/sample/linxia.jsonl, a small realistic data
set for Linxia Prefecture (临夏回族自治州) in the JSON Lines form of
contract.md §7: reference records first, then four weeks of events
(2025-03-03 .. 2025-04-02) in event_time order.

Deterministic and standard library only: the same script always writes the
same bytes, so the committed file is its output and `gen_sample.py --check`
in CI proves they agree.

    python3 deploy/sample/gen_sample.py            # (re)write linxia.jsonl
    python3 deploy/sample/gen_sample.py --check    # exit 1 if it is stale
    python3 deploy/sample/gen_sample.py --stdout   # write to stdout
    python3 deploy/sample/gen_sample.py --expected # the planted alerts

The contract has no names for enterprises (there is no enterprise registry
record yet), so their names live only in the comments below. Agencies carry
their real names. Every USCC has valid GB 32100 and GB 11714 check
characters, except ENT["E10"], whose last character is deliberately wrong.

Planted findings are recorded
with planted() next to the inspections that carry them;
`gen_sample.py --expected` prints the alert lines they must produce
(`rule_id status severity subject_id`, grouped by inspection; `check` emits
them in event-time order, so compare them as a set). Everything else is meant to be a
department doing its work by the book.
"""

import hashlib
import os
import sys
import uuid
from datetime import date as _date
from datetime import datetime as _datetime
from datetime import timedelta as _timedelta

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ewdata import (LINXIA_REGIONS, USCC_ALPHABET, alert_id,  # noqa: E402
                    dumps, make_uscc, notice_id, ts, validate_file)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "linxia.jsonl")
CALENDAR = os.path.normpath(os.path.join(
    HERE, "..", "..", "..", "shared", "domain", "calendar-2025-2026.jsonl"))
NS = uuid.UUID("6f1b2c1e-1d0e-4c8e-9a51-622900202503")  # event_id namespace


def _digits(seed, n):
    h = hashlib.sha256(seed.encode()).hexdigest()
    return "".join(str(int(c, 16) % 10) for c in h)[:n]


def _chars(seed, n):
    h = hashlib.sha256(("c" + seed).encode()).digest()
    return "".join(USCC_ALPHABET[b % 31] for b in h)[:n]


# ------------------------------------------------------------- agencies ---

AG = {}  # key -> agency record (without "type")


def agency(key, name, region, level, parent=None, jb=None, power=True):
    AG[key] = {
        "agency_uscc": make_uscc("11", region, "01" + _digits(key, 6)),
        "name": name, "region_code": region, "level": level,
        "parent_agency_uscc": AG[parent]["agency_uscc"] if parent else None,
        "has_inspection_power": power,
        "justice_bureau_uscc": AG[jb]["agency_uscc"] if jb else None,
    }


# 甘肃省司法厅: the prefecture's justice bureau files with it. It is outside
# Linxia (620000 is not in D14) and so not an agency record here.
PROVINCE_JUSTICE = make_uscc("11", "620000", "01" + _digits("GSSFT", 6))

agency("SFJ", "临夏回族自治州司法局", "622900", "PREFECTURE", power=False)
AG["SFJ"]["justice_bureau_uscc"] = PROVINCE_JUSTICE
COUNTY_JB = {  # region -> (key, 司法局 name)
    "622901": ("SFJ_LXS", "临夏市司法局"),
    "622921": ("SFJ_LXX", "临夏县司法局"),
    "622922": ("SFJ_KL", "康乐县司法局"),
    "622923": ("SFJ_YJ", "永靖县司法局"),
    "622924": ("SFJ_GH", "广河县司法局"),
    "622925": ("SFJ_HZ", "和政县司法局"),
    "622926": ("SFJ_DX", "东乡族自治县司法局"),
    "622927": ("SFJ_JSS", "积石山保安族东乡族撒拉族自治县司法局"),
}
for _r, (_k, _n) in COUNTY_JB.items():
    agency(_k, _n, _r, "COUNTY", parent="SFJ", jb="SFJ", power=False)


def jb_of(region):
    return "SFJ" if region == "622900" else COUNTY_JB[region][0]


for _k, _n, _r, _p in [
        ("ZSCJG", "临夏回族自治州市场监督管理局", "622900", None),
        ("ZSTHJ", "临夏回族自治州生态环境局", "622900", None),
        ("ZYJGL", "临夏回族自治州应急管理局", "622900", None),
        ("ZWJW", "临夏回族自治州卫生健康委员会", "622900", None),
        ("SSCJG", "临夏市市场监督管理局", "622901", "ZSCJG"),
        ("XSCJG", "临夏县市场监督管理局", "622921", "ZSCJG"),
        ("KLNY", "康乐县农业农村局", "622922", None),
        ("YJYJ", "永靖县应急管理局", "622923", "ZYJGL"),
        ("YJJT", "永靖县交通运输局", "622923", None),
        ("GHSCJG", "广河县市场监督管理局", "622924", "ZSCJG"),
        ("HZWJ", "和政县卫生健康局", "622925", "ZWJW"),
        ("DXSCJG", "东乡族自治县市场监督管理局", "622926", "ZSCJG"),
        ("JSSYJ", "积石山保安族东乡族撒拉族自治县应急管理局", "622927",
         "ZYJGL")]:
    agency(_k, _n, _r, "PREFECTURE" if _r == "622900" else "COUNTY",
           parent=_p, jb=jb_of(_r))


def A(key):
    return AG[key]["agency_uscc"]


# ---------------------------------------------------------- enterprises ---
# key: (region, GB/T 4754-2017 industry, organisation code style)
# "MA" = registered after 2015 (MA + 6 characters), "old" = 8-digit code.

ENT_SPEC = {
    # 临夏市
    "E01": ("622901", "C14", "MA"),   # 临夏市八坊清真食品有限公司
    "E02": ("622901", "F51", "old"),  # 临夏市河州牛羊肉批发市场有限公司
    "E03": ("622901", "H62", "MA"),   # 临夏市东关餐饮管理有限公司
    "E04": ("622901", "H61", "MA"),   # 临夏市八坊十三巷文化旅游酒店有限公司
    "E05": ("622901", "F52", "old"),  # 临夏市华联超市有限责任公司
    "E06": ("622901", "C30", "MA"),   # 临夏市金河砖雕工艺品有限公司
    "E07": ("622901", "C15", "MA"),   # 临夏市清泉纯净水有限公司
    # 临夏县
    "E08": ("622921", "C13", "old"),  # 临夏县北塬马铃薯淀粉有限公司
    "E09": ("622921", "C13", "MA"),   # 临夏县韩集清真肉食品有限公司
    "E10": ("622921", "H62", "MA"),   # 临夏县莲花镇餐饮服务有限公司 (bad C18)
    "E11": ("622921", "C33", "old"),  # 临夏县河州刀具制造有限公司
    # 康乐县
    "E12": ("622922", "A03", "MA"),   # 康乐县莲麓肉牛养殖有限公司
    "E13": ("622922", "C13", "MA"),   # 康乐县胭脂饲料有限公司
    "E14": ("622922", "F51", "MA"),   # 康乐县丰源农资有限公司
    "E15": ("622922", "F52", "MA"),   # 康乐县苏集兽药经营有限公司
    # 永靖县
    "E16": ("622923", "G54", "old"),  # 永靖县刘家峡旅游客运有限公司
    "E17": ("622923", "C26", "old"),  # 永靖县盐锅峡化工有限责任公司
    "E18": ("622923", "C30", "MA"),   # 永靖县三塬建材有限公司
    "E19": ("622923", "G54", "MA"),   # 永靖县黄河三峡物流有限公司
    "E20": ("622923", "H61", "MA"),   # 永靖县太极湖度假酒店有限公司
    "E21": ("622923", "C26", "old"),  # 永靖县刘家峡电化有限公司
    # 广河县
    "E22": ("622924", "C19", "old"),  # 广河县三甲集皮毛加工有限公司
    "E23": ("622924", "C19", "MA"),   # 广河县齐家皮革制品有限公司
    "E24": ("622924", "F51", "MA"),   # 广河县三甲集农贸批发有限公司
    "E25": ("622924", "H62", "MA"),   # 广河县洮河餐饮有限公司
    "E26": ("622924", "C14", "MA"),   # 广河县祁家集食品有限公司
    # 和政县
    "E27": ("622925", "C15", "MA"),   # 和政县啤特果饮品有限公司
    "E28": ("622925", "H61", "MA"),   # 和政县松鸣岩旅游酒店有限公司
    "E29": ("622925", "H61", "old"),  # 和政县宁河宾馆有限公司
    "E30": ("622925", "Q84", "MA"),   # 和政县中医骨伤医院有限公司
    "E31": ("622925", "A01", "MA"),   # 和政县牡丹生态农业有限公司
    # 东乡族自治县
    "E32": ("622926", "H62", "MA"),   # 东乡族自治县手抓羊肉餐饮有限公司
    "E33": ("622926", "C14", "MA"),   # 东乡族自治县锁南食品有限公司
    "E34": ("622926", "C13", "MA"),   # 东乡族自治县东乡土豆农产品有限公司
    "E35": ("622926", "F52", "MA"),   # 东乡族自治县布楞沟农贸有限公司
    # 积石山县
    "E36": ("622927", "C33", "old"),  # 积石山县保安腰刀制造有限公司
    "E37": ("622927", "B10", "MA"),   # 积石山县大河家黄河石材有限公司
    "E38": ("622927", "F52", "MA"),   # 积石山县吹麻滩商贸有限公司
    "E39": ("622927", "E47", "MA"),   # 积石山县刘集建筑工程有限公司
    "E40": ("622927", "B10", "MA"),   # 积石山县石塬砂石料有限公司
}
BAD_ENTERPRISE = "E10"

ENT = {}  # key -> {"uscc", "region", "industry"}
for _k, (_r, _ind, _style) in ENT_SPEC.items():
    _body = ("MA" + _chars(_k, 6)) if _style == "MA" \
        else ("6" + _digits(_k, 7))
    ENT[_k] = {"uscc": make_uscc("91", _r, _body,
                                 corrupt=(_k == BAD_ENTERPRISE)),
               "region": _r, "industry": _ind}


def U(key):
    return ENT[key]["uscc"]


# ---------------------------------------------------- officers and certs ---
# Officer ids are the departments' personnel numbers; cert_no follows
# "62-<year of issue>-<serial>". Certificates run five years.

OFF = {}   # key -> (officer_id, cert_no or None, agency key)
CERTS = []
_serial = [1000]


def officer(key, agency_key, issued="2022-06-01", status="ACTIVE",
            valid_to=None, registered=True):
    _serial[0] += 37
    year = issued[:4]
    cert_no = "62-%s-%05d" % (year, _serial[0])
    oid = "ZF%s-%s" % (AG[agency_key]["region_code"], key)
    OFF[key] = (oid, cert_no, agency_key)
    if not registered:
        return
    if valid_to is None:  # five years, the last day included
        d = _date.fromisoformat(issued)
        valid_to = (d.replace(year=d.year + 5)
                    - _timedelta(days=1)).isoformat()
    CERTS.append({
        "cert_no": cert_no, "officer_id": oid, "agency_uscc": A(agency_key),
        "valid_from": ts(issued + " 00:00"),
        "valid_to": ts(valid_to + " 23:59:59"), "status": status})


for _a, _n, _iss in [("ZSCJG", 4, "2021-09-15"), ("ZSTHJ", 2, "2022-03-01"),
                     ("ZYJGL", 3, "2023-05-10"), ("ZWJW", 2, "2022-11-20"),
                     ("SSCJG", 3, "2021-09-15"), ("XSCJG", 2, "2023-03-01"),
                     ("KLNY", 2, "2022-08-01"), ("YJYJ", 2, "2023-05-10"),
                     ("YJJT", 2, "2024-01-08"), ("GHSCJG", 2, "2021-09-15"),
                     ("HZWJ", 2, "2022-11-20"), ("DXSCJG", 2, "2023-03-01"),
                     ("JSSYJ", 2, "2023-05-10")]:
    for _i in range(1, _n + 1):
        officer("%s-%d" % (_a, _i), _a, issued=_iss)
# The odd ones out, each used by exactly one inspection below.
officer("YJYJ-3", "YJYJ", issued="2023-05-10", status="SUSPENDED")
officer("GHSCJG-3", "GHSCJG", issued="2019-12-01", status="EXPIRED")
# Status never updated, but valid_to is behind us: expired by date.
officer("HZWJ-3", "HZWJ", issued="2020-03-01", valid_to="2025-02-28")
# Shows a certificate number that no registry record has.
officer("DXSCJG-3", "DXSCJG", issued="2024-04-12", registered=False)


def O(key, shown=True):
    oid, cert, _ = OFF[key]
    return {"officer_id": oid, "cert_no": cert, "cert_shown": shown}


def OID(key):
    return OFF[key][0]


# ----------------------------------------------------------------- plans ---

PLANS = []
PLAN_OF = {}  # agency key -> plan_id


def plan(agency_key, items, status="FILED", filed="2025-02-20",
         plan_type="ANNUAL_INSPECTION", participants=(), suffix="NDJH",
         year=2025):
    pid = "JH-%d-%s-%s-%s" % (year, AG[agency_key]["region_code"],
                              agency_key, suffix)
    rec = {"plan_id": pid, "agency_uscc": A(agency_key), "year": year,
           "plan_type": plan_type, "status": status,
           "filed_at": ts(filed + " 10:00") if status != "DRAFT" else None,
           "items": [], "participant_agency_usccs": [A(p) for p in
                                                     participants]}
    for n, (code, industries, usccs, start, end) in enumerate(items, 1):
        rec["items"].append({
            "item_id": "%s-%02d" % (pid, n), "check_item_code": code,
            "target_industries": list(industries),
            "target_usccs": [U(e) for e in usccs],
            "max_per_enterprise": 1, "mode": None,
            "window_start": ts(start + " 00:00"),
            "window_end": ts(end + " 23:59:59")})
    PLANS.append(rec)
    if plan_type == "ANNUAL_INSPECTION" and year == 2025:
        PLAN_OF[agency_key] = pid
    return pid


H1 = ("2025-03-01", "2025-06-30")
YEAR = ("2025-03-01", "2025-12-31")
plan("ZSCJG", [("SCJG-FOOD-01", ["C13", "C14", "C15"], [], *H1),
               ("SCJG-CY-01", ["H62"], [], "2025-03-01", "2025-05-31"),
               ("SCJG-TZSB-01", ["H61", "C26"], [], "2025-04-01",
                "2025-09-30")], filed="2025-01-20")
# 排污许可 checks are scheduled from April: a March check is outside it.
plan("ZSTHJ", [("STHJ-PWXK-01", ["C26", "C30", "C19"], [], "2025-04-01",
                "2025-10-31"),
               ("STHJ-WF-01", ["C26", "C33"], [], *H1)], filed="2025-02-12")
plan("ZYJGL", [("YJGL-WHP-01", ["C26"], [], *H1),
               ("YJGL-FM-01", ["B10"], [], "2025-03-01", "2025-05-31")],
     filed="2025-01-24")
plan("ZWJW", [("WSJK-GGWS-01", ["H61"], [], *H1),
              ("WSJK-YL-01", ["Q84"], [], *YEAR)], filed="2025-02-18")
plan("SSCJG", [("SCJG-FOOD-02", ["F51", "F52", "H62"], [], *H1),
               ("SCJG-FOOD-01", ["C14", "C15"], [], *H1)], filed="2025-02-25")
plan("XSCJG", [("SCJG-FOOD-01", ["C13"], [], *H1),
               ("SCJG-CY-01", ["H62"], [], *H1)], filed="2025-02-27")
# 康乐县农业农村局 has not filed: its plan is still a DRAFT. R01 (planted
# below) warns when the first events show the clock past 01-31, and finds
# the violation, with its notice, when it passes 03-31.
KLNY_PLAN = plan("KLNY", [("NYNC-SL-01", ["C13"], [], *H1),
                          ("NYNC-NZ-01", ["F51", "F52"], [], *H1)],
                 status="DRAFT")
plan("YJYJ", [("YJGL-WHP-01", ["C26"], [], *H1),
              ("YJGL-GMZY-01", ["C30", "C33"], [], *H1)], filed="2025-02-26")
plan("YJJT", [("JTYS-DLYS-01", ["G54"], [], *H1)], filed="2025-03-03")
plan("GHSCJG", [("SCJG-FOOD-01", ["C14"], [], *H1),
                ("SCJG-CPZL-01", ["C19"], [], *H1),
                ("SCJG-FOOD-02", ["F51", "F52", "H62"], [], *H1)],
     filed="2025-02-21")
plan("HZWJ", [("WSJK-GGWS-01", ["H61"], [], *H1),
              ("WSJK-YL-01", ["Q84"], [], *YEAR)], filed="2025-02-28")
plan("DXSCJG", [("SCJG-FOOD-01", ["C13", "C14"], [], *H1),
                ("SCJG-CY-01", ["H62"], [], *H1),
                ("SCJG-FOOD-02", ["F52"], [], *H1)], filed="2025-02-24")
plan("JSSYJ", [("YJGL-FM-01", ["B10", "C30"], [], *H1),
               ("YJGL-GMZY-01", ["C33", "E47"], [], *H1)], filed="2025-02-27")
# The 2026 plans, filed in January (items omitted: the sample's events are
# all of 2025). They keep a daemon run in 2026 or later from finding every
# department without a plan; 康乐县农业农村局 has filed none again.
for _key in [k for k in list(PLAN_OF) if k != "KLNY"]:
    plan(_key, [], filed="2026-01-15", year=2026)

# 综合查一次: one joint visit to the 八坊十三巷 hotel, led by the prefecture
# market regulator with the health commission and the city regulator.
JOINT = plan("ZSCJG",
             [("SCJG-CY-01", [], ["E04"], "2025-03-10", "2025-03-31"),
              ("WSJK-GGWS-01", [], ["E04"], "2025-03-10", "2025-03-31"),
              ("SCJG-FOOD-02", [], ["E04"], "2025-03-10", "2025-03-31")],
             plan_type="JOINT_INSPECTION", participants=("ZWJW", "SSCJG"),
             filed="2025-03-05", suffix="LHJC")


def item_of(plan_id, code):
    for p in PLANS:
        if p["plan_id"] == plan_id:
            for it in p["items"]:
                if it["check_item_code"] == code:
                    return it["item_id"]
    return None


# ---------------------------------------------------------- random tasks ---

TASKS = [
    {"task_id": "CC-2025-622900-SCJG-001", "agency_uscc": A("ZSCJG"),
     "check_item_code": "SCJG-FOOD-01", "drawn_at": ts("2025-03-03 10:00"),
     "enterprises": [U(e) for e in ("E01", "E09", "E26", "E27", "E34")],
     "officers": [OID("ZSCJG-%d" % i) for i in range(1, 5)],
     "population_size": 186, "completed_at": None, "published_at": None},
    {"task_id": "CC-2025-622924-SCJG-001", "agency_uscc": A("GHSCJG"),
     "check_item_code": "SCJG-CPZL-01", "drawn_at": ts("2025-03-05 09:00"),
     "enterprises": [U("E22"), U("E23")],
     "officers": [OID("GHSCJG-1"), OID("GHSCJG-2")],
     "population_size": 64, "completed_at": None, "published_at": None},
]

SAMPLING_ITEMS = [
    {"item_code": "SCJG-FOOD-01", "agency_uscc": A("ZSCJG"),
     "special_sector": False, "remote_capable": False},
    {"item_code": "SCJG-CPZL-01", "agency_uscc": A("GHSCJG"),
     "special_sector": False, "remote_capable": False},
    {"item_code": "YJGL-FM-01", "agency_uscc": A("ZYJGL"),
     "special_sector": True, "remote_capable": True},
]

# 食品安全法第一百二十六条 (经营者未按规定…) and 大气污染防治法第一百零八条.
BENCHMARKS = [
    {"benchmark_id": "JZ-622900-SCJG-SPAQ-126", "violation_code": "SPAQF-126",
     "agency_uscc": A("ZSCJG"), "statutory_min_fen": 500000,
     "statutory_max_fen": 5000000, "hearing_threshold_fen": 5000000,
     "levels": [
         {"level": "MITIGATED", "min_fen": 500000, "max_fen": 1000000},
         {"level": "LENIENT", "min_fen": 1000000, "max_fen": 2000000},
         {"level": "GENERAL", "min_fen": 2000000, "max_fen": 3500000},
         {"level": "HEAVY", "min_fen": 3500000, "max_fen": 5000000}]},
    {"benchmark_id": "JZ-622900-STHJ-DQ-108", "violation_code": "DQWRF-108",
     "agency_uscc": A("ZSTHJ"), "statutory_min_fen": 2000000,
     "statutory_max_fen": 20000000, "hearing_threshold_fen": 5000000,
     "levels": [
         {"level": "LENIENT", "min_fen": 2000000, "max_fen": 5000000},
         {"level": "GENERAL", "min_fen": 5000000, "max_fen": 12000000},
         {"level": "HEAVY", "min_fen": 12000000, "max_fen": 20000000}]},
]

LENIENCY = [
    {"item_id": "LQYM-622900-SCJG-001", "violation_code": "SPAQF-126-BQ",
     "kind": "FIRST_OFFENSE_NO_PENALTY", "lookback_days": 730,
     "harm_max": "MINOR", "must_correct": True},
    {"item_id": "LQYM-622900-SCJG-002", "violation_code": "GGF-58-BS",
     "kind": "NO_PENALTY", "lookback_days": 730, "harm_max": "NONE",
     "must_correct": True},
]

CREDIT = [(e, g) for e, g in [("E01", "A"), ("E03", "C"), ("E05", "B"),
                              ("E17", "B"), ("E22", "A"), ("E23", "C"),
                              ("E25", "B"), ("E33", "B")]]

# ---------------------------------------------------------------- events ---

EVENTS = []    # (event_time iso, seq, record)
APPROVALS = []
_seq = [0]


def emit(rec, when):
    _seq[0] += 1
    rec["event_time"] = ts(when)
    EVENTS.append((rec["event_time"], _seq[0], rec))
    return rec


def eid(*parts):
    return str(uuid.uuid5(NS, "/".join(parts)))


def inspection(n, agency_key, ent_key, trigger, items, officers, start, end,
               result="NO_ISSUE", plan_id=None, task=None, joint=None,
               complaint=None, case=None, mode="ON_SITE",
               started_officers=None,
               ended_at=None, planned_at=None, cancelled_at=None,
               check_class=None, soft=(), justification=None):
    """Snapshots of one inspection: [PLANNED], STARTED, ENDED|CANCELLED.

    `start`/`end` are 'YYYY-MM-DD HH:MM'. The STARTED snapshot is recorded
    10 minutes after the start, the ENDED one 40 minutes after the end."""
    region = AG[agency_key]["region_code"]
    iid = "JC-%s-2025-%04d" % (region, n)
    day = start[:10]
    apr_id = "SP-%s-2025-%04d" % (region, n)
    approved = "%s 16:30" % _day_before(day)
    if trigger in ("COMPLAINT",):
        approved = start[:11] + "08:45"
    APPROVALS.append({
        "approval_id": apr_id, "agency_uscc": A(agency_key),
        "enterprise_uscc": U(ent_key), "inspection_id": iid,
        "approved_at": ts(approved), "valid_until": ts(day + " 23:59")})
    if plan_id is None and trigger == "ANNUAL_PLAN":
        plan_id = PLAN_OF[agency_key]
    if joint:
        plan_id = joint
    base = {
        "type": "inspection", "event_id": None, "event_time": None,
        "inspection_id": iid, "status": None,
        "agency_uscc": A(agency_key), "enterprise_uscc": U(ent_key),
        "enterprise_region_code": ENT[ent_key]["region"],
        "industry_code": ENT[ent_key]["industry"],
        "check_class": check_class or (
            "CASE" if trigger in ("COMPLAINT", "CASE_INVESTIGATION")
            else "ROUTINE"),
        "trigger_type": trigger, "plan_id": plan_id,
        "plan_item_id": item_of(plan_id, items[0]) if plan_id else None,
        "random_task_id": task, "joint_plan_id": joint,
        "complaint_id": complaint, "case_id": case,
        "check_items": list(items),
        "approval_id": apr_id, "approved_at": ts(approved),
        "emergency": False, "mode": mode,
        "onsite_justification": justification,
        "officers": [], "started_at": None, "ended_at": None,
        "written_record_id": None,
        "av_coverage": "FULL" if mode == "ON_SITE" else "NONE",
        "av_record_ids": [], "result": None, "soft_measures": [],
        "ledger_registered_at": None, "ledger_signed_by": [],
        "result_published_at": None, "fees_collected_fen": 0,
        "production_halted": False,
    }
    snaps = []
    if planned_at:
        s = dict(base, status="PLANNED", officers=list(officers))
        s["event_id"] = eid("inspection", iid, "PLANNED")
        snaps.append(emit(s, planned_at))
    if cancelled_at:
        s = dict(base, status="CANCELLED", officers=list(officers))
        s["event_id"] = eid("inspection", iid, "CANCELLED")
        snaps.append(emit(s, cancelled_at))
        return iid, snaps
    s = dict(base, status="STARTED",
             officers=list(started_officers or officers),
             started_at=ts(start))
    if mode == "ON_SITE":
        s["av_record_ids"] = ["ZFJL-%s-01" % iid]
    s["event_id"] = eid("inspection", iid, "STARTED")
    snaps.append(emit(s, _plus(start, 10)))
    e = dict(s, status="ENDED", officers=list(officers),
             ended_at=ts(ended_at or end), result=result,
             written_record_id="JCBL-%s" % iid,
             soft_measures=list(soft),
             ledger_registered_at=ts(_plus(end, 30)),
             ledger_signed_by=sorted({o["officer_id"] for o in officers}))
    e["event_id"] = eid("inspection", iid, "ENDED")
    snaps.append(emit(e, _plus(end, 40)))
    return iid, snaps


def _day_before(day):
    d = _date.fromisoformat(day) - _timedelta(days=1)
    while d.weekday() >= 5:
        d -= _timedelta(days=1)
    return d.isoformat()


def _plus(when, minutes):
    d = _datetime.strptime(when, "%Y-%m-%d %H:%M")
    return (d + _timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M")


PLANTED = []  # (inspection or decision id, [expected alert lines])


def planted(subject, *alerts):
    PLANTED.append((subject, list(alerts)))


planted(A("KLNY") + "/2025", "R01 OPEN MEDIUM %s/2025" % A("KLNY"),
        "R01 OPEN HIGH %s/2025" % A("KLNY"))


# Week 1 -------------------------------------------------------------------
T_ZS = TASKS[0]["task_id"]
T_GH = TASKS[1]["task_id"]
inspection(1, "ZSCJG", "E01", "RANDOM_SAMPLING", ["SCJG-FOOD-01"],
           [O("ZSCJG-1"), O("ZSCJG-2")], "2025-03-04 09:30",
           "2025-03-04 11:40", task=T_ZS)
inspection(2, "SSCJG", "E05", "ANNUAL_PLAN", ["SCJG-FOOD-02"],
           [O("SSCJG-1"), O("SSCJG-2")], "2025-03-04 10:00",
           "2025-03-04 11:30")
# R05: one officer of 永靖县交通运输局 checks a coach company alone.
i03, _ = inspection(3, "YJJT", "E16", "ANNUAL_PLAN", ["JTYS-DLYS-01"],
                    [O("YJJT-1")], "2025-03-05 09:00", "2025-03-05 10:30",
                    result="GUIDANCE_GIVEN", soft=["ADMIN_GUIDANCE"])
planted(i03, "R05 OPEN HIGH " + i03)
inspection(4, "XSCJG", "E08", "ANNUAL_PLAN", ["SCJG-FOOD-01"],
           [O("XSCJG-1"), O("XSCJG-2")], "2025-03-05 14:30",
           "2025-03-05 16:10")
# R06: the second officer does not show the certificate.
i05, _ = inspection(5, "ZYJGL", "E17", "ANNUAL_PLAN", ["YJGL-WHP-01"],
                    [O("ZYJGL-1"), O("ZYJGL-2", shown=False)],
                    "2025-03-06 09:30", "2025-03-06 12:00",
                    result="RECTIFICATION_ORDERED")
planted(i05, "R06 OPEN HIGH " + i05)
inspection(6, "GHSCJG", "E22", "RANDOM_SAMPLING", ["SCJG-CPZL-01"],
           [O("GHSCJG-1"), O("GHSCJG-2")], "2025-03-06 10:00",
           "2025-03-06 11:50", task=T_GH)
inspection(7, "ZWJW", "E28", "ANNUAL_PLAN", ["WSJK-GGWS-01"],
           [O("ZWJW-1"), O("ZWJW-2")], "2025-03-07 09:30", "2025-03-07 11:00",
           result="RECTIFICATION_ORDERED", soft=["ADMIN_SUGGESTION"])

# Week 2 -------------------------------------------------------------------
# R05 then fixed: the STARTED snapshot lists one officer, the ENDED one the
# second officer who was there all along -> OPEN, then WITHDRAWN.
i08, _ = inspection(8, "ZSCJG", "E33", "ANNUAL_PLAN", ["SCJG-FOOD-01"],
                    [O("ZSCJG-1"), O("ZSCJG-3")], "2025-03-10 09:30",
                    "2025-03-10 11:30", started_officers=[O("ZSCJG-1")])
# R16b as well: SCJG-FOOD-01 is on the bureau's 抽查事项清单, so a routine
# plan check of it should have been a random draw.
planted(i08, "R05 OPEN HIGH " + i08, "R16b OPEN MEDIUM " + i08,
        "R05 WITHDRAWN HIGH " + i08)
# R02: 康乐县农业农村局's plan is a DRAFT, so its plan checks are unplanned.
i09, _ = inspection(9, "KLNY", "E13", "ANNUAL_PLAN", ["NYNC-SL-01"],
                    [O("KLNY-1"), O("KLNY-2")], "2025-03-10 10:00",
                    "2025-03-10 12:00")
planted(i09, "R02 OPEN HIGH " + i09)
# R05 + R06: one of two officers holds an EXPIRED certificate.
i10, _ = inspection(10, "GHSCJG", "E26", "ANNUAL_PLAN", ["SCJG-FOOD-01"],
                    [O("GHSCJG-3"), O("GHSCJG-1")], "2025-03-11 09:30",
                    "2025-03-11 11:00")
planted(i10, "R05 OPEN HIGH " + i10, "R06 OPEN HIGH " + i10)
C1 = "12345-20250310-0417"
CASE1 = "临市市监立〔2025〕41号"
inspection(11, "SSCJG", "E03", "COMPLAINT", ["SCJG-FOOD-02"],
           [O("SSCJG-2"), O("SSCJG-3")], "2025-03-11 14:00",
           "2025-03-11 16:00", result="CASE_FILED", complaint=C1, case=CASE1)
# R02: 排污许可 checks are planned from April; this one is in March.
i12, _ = inspection(12, "ZSTHJ", "E21", "ANNUAL_PLAN", ["STHJ-PWXK-01"],
                    [O("ZSTHJ-1"), O("ZSTHJ-2")], "2025-03-12 09:30",
                    "2025-03-12 12:30")
planted(i12, "R02 OPEN HIGH " + i12)
# R05 + R06: a certificate still ACTIVE in the registry but past valid_to.
i13, _ = inspection(13, "HZWJ", "E30", "ANNUAL_PLAN", ["WSJK-YL-01"],
                    [O("HZWJ-3"), O("HZWJ-1")], "2025-03-12 10:00",
                    "2025-03-12 11:30")
planted(i13, "R05 OPEN HIGH " + i13, "R06 OPEN HIGH " + i13)
# R05 + R06: a SUSPENDED certificate.
i14, _ = inspection(14, "YJYJ", "E18", "ANNUAL_PLAN", ["YJGL-GMZY-01"],
                    [O("YJYJ-3"), O("YJYJ-1")], "2025-03-13 09:30",
                    "2025-03-13 11:00", result="RECTIFICATION_ORDERED")
planted(i14, "R05 OPEN HIGH " + i14, "R06 OPEN HIGH " + i14)
# R05 + R06: a certificate number that is in no registry record.
i15, _ = inspection(15, "DXSCJG", "E32", "ANNUAL_PLAN", ["SCJG-CY-01"],
                    [O("DXSCJG-1"), O("DXSCJG-3")], "2025-03-13 10:30",
                    "2025-03-13 12:00")
planted(i15, "R05 OPEN HIGH " + i15, "R06 OPEN HIGH " + i15)
# R25: the enterprise's USCC fails its check digit.
i16, _ = inspection(16, "XSCJG", "E10", "ANNUAL_PLAN", ["SCJG-CY-01"],
                    [O("XSCJG-1"), O("XSCJG-2")], "2025-03-14 09:30",
                    "2025-03-14 11:00")
planted(i16, "R25 OPEN INFO " + i16)
# 非煤矿山 checks may be done by video (the item is remote_capable, see
# inspection 36); this one is on site and says why, so no R17.
inspection(17, "ZYJGL", "E37", "ANNUAL_PLAN", ["YJGL-FM-01"],
           [O("ZYJGL-1"), O("ZYJGL-3")], "2025-03-14 10:00",
           "2025-03-14 15:00",
           justification="采场边坡及爆破器材库需现场查验，视频无法覆盖")

# Week 3 -------------------------------------------------------------------
for _n, _a, _item, _offs in [(18, "ZSCJG", "SCJG-CY-01",
                              [O("ZSCJG-2"), O("ZSCJG-4")]),
                             (19, "ZWJW", "WSJK-GGWS-01",
                              [O("ZWJW-1"), O("ZWJW-2")]),
                             (20, "SSCJG", "SCJG-FOOD-02",
                              [O("SSCJG-1"), O("SSCJG-2")])]:
    inspection(_n, _a, "E04", "ANNUAL_PLAN", [_item], _offs,
               "2025-03-17 09:30", "2025-03-17 11:30", joint=JOINT,
               check_class="SPECIAL")
# R02: a check item (advertising) that is not in the city regulator's plan.
i21, _ = inspection(21, "SSCJG", "E06", "ANNUAL_PLAN", ["SCJG-GGJG-01"],
                    [O("SSCJG-1"), O("SSCJG-3")], "2025-03-18 09:30",
                    "2025-03-18 10:40")
planted(i21, "R02 OPEN HIGH " + i21)
# R25 (LOW): ended_at typed as 11:30, before the 14:00 start.
i22, _ = inspection(22, "JSSYJ", "E36", "ANNUAL_PLAN", ["YJGL-GMZY-01"],
                    [O("JSSYJ-1"), O("JSSYJ-2")], "2025-03-18 14:00",
                    "2025-03-18 17:30", ended_at="2025-03-18 11:30")
planted(i22, "R25 OPEN LOW " + i22)
# R02: a second check of the DRAFT-plan department.
i23, _ = inspection(23, "KLNY", "E14", "ANNUAL_PLAN", ["NYNC-NZ-01"],
                    [O("KLNY-1"), O("KLNY-2")], "2025-03-19 09:30",
                    "2025-03-19 11:00")
planted(i23, "R02 OPEN HIGH " + i23)
inspection(24, "ZSCJG", "E09", "RANDOM_SAMPLING", ["SCJG-FOOD-01"],
           [O("ZSCJG-1"), O("ZSCJG-3")], "2025-03-19 10:00",
           "2025-03-19 12:00", task=T_ZS)
_, snaps25 = inspection(25, "YJJT", "E19", "ANNUAL_PLAN", ["JTYS-DLYS-01"],
                        [O("YJJT-1"), O("YJJT-2")], "2025-03-20 09:30",
                        "2025-03-20 11:00")
# The feed re-sent the ENDED snapshot: same event_id, to be ignored.
_dup = snaps25[-1]
EVENTS.append((_dup["event_time"], _seq[0] + 0.5, _dup))
inspection(26, "HZWJ", "E29", "ANNUAL_PLAN", ["WSJK-GGWS-01"],
           [O("HZWJ-1"), O("HZWJ-2")], "2025-03-20 10:00", "2025-03-20 11:30")
inspection(27, "ZSTHJ", "E23", "ECO_ENVIRONMENT", ["STHJ-WF-01"],
           [O("ZSTHJ-1"), O("ZSTHJ-2")], "2025-03-21 09:30",
           "2025-03-21 12:00", result="CASE_FILED",
           case="临州环立〔2025〕9号")
inspection(28, "DXSCJG", "E34", "ANNUAL_PLAN", ["SCJG-FOOD-01"],
           [O("DXSCJG-1"), O("DXSCJG-2")], "2025-03-21 14:00",
           "2025-03-21 15:40")

# Week 4 -------------------------------------------------------------------
inspection(29, "GHSCJG", "E25", "ANNUAL_PLAN", ["SCJG-FOOD-02"],
           [O("GHSCJG-1"), O("GHSCJG-2")], "2025-03-24 09:30",
           "2025-03-24 10:50", result="RECTIFICATION_ORDERED")
inspection(30, "YJYJ", "E17", "WORK_SAFETY", ["YJGL-WHP-01"],
           [O("YJYJ-1"), O("YJYJ-2")], "2025-03-24 10:00", "2025-03-24 12:30")
inspection(31, "ZSCJG", "E27", "RANDOM_SAMPLING", ["SCJG-FOOD-01"],
           [O("ZSCJG-2"), O("ZSCJG-4")], "2025-03-25 09:30",
           "2025-03-25 11:10", task=T_ZS, planned_at="2025-03-20 15:00")
inspection(32, "GHSCJG", "E24", "ANNUAL_PLAN", ["SCJG-FOOD-02"],
           [O("GHSCJG-1"), O("GHSCJG-2")], "2025-03-27 09:30",
           "2025-03-27 11:00", planned_at="2025-03-24 16:00",
           cancelled_at="2025-03-26 17:20")
inspection(33, "JSSYJ", "E39", "ANNUAL_PLAN", ["YJGL-GMZY-01"],
           [O("JSSYJ-1"), O("JSSYJ-2")], "2025-03-26 09:30",
           "2025-03-26 11:30")
inspection(34, "ZWJW", "E20", "ANNUAL_PLAN", ["WSJK-GGWS-01"],
           [O("ZWJW-1"), O("ZWJW-2")], "2025-03-26 14:30", "2025-03-26 16:00")
inspection(35, "DXSCJG", "E35", "LICENSING_VERIFICATION", ["SCJG-XKHC-01"],
           [O("DXSCJG-1"), O("DXSCJG-2")], "2025-03-27 09:30",
           "2025-03-27 10:30")
# Remote (video) check by one officer: not an on-site check, so no R05.
inspection(36, "ZYJGL", "E40", "ANNUAL_PLAN", ["YJGL-FM-01"],
           [O("ZYJGL-3")], "2025-03-27 10:00", "2025-03-27 11:00",
           mode="REMOTE")
inspection(37, "SSCJG", "E07", "ANNUAL_PLAN", ["SCJG-FOOD-01"],
           [O("SSCJG-2"), O("SSCJG-3")], "2025-03-28 09:30",
           "2025-03-28 11:00")

# ------------------------------------------------------------ complaints ---


def complaint(cid, snaps, **fixed):
    for n, (when, changes) in enumerate(snaps):
        rec = {"type": "complaint", "event_id": eid("complaint", cid, str(n)),
               "event_time": None, "complaint_id": cid,
               "complainant_uscc": None, "enterprise_uscc": None,
               "respondent_agency_uscc": None, "respondent_officer_ids": [],
               "related_inspection_id": None, "related_penalty_id": None,
               "accepted_at": None, "rejected_at": None, "extension_days": 0,
               "finding": None, "suspected_discipline": False,
               "concluded_at": None, "feedback_at": None}
        rec.update(fixed)
        for prev in snaps[:n + 1]:
            rec.update(prev[1])
        emit(rec, when)


# A 12345 hotline report about the kitchen of a restaurant in 临夏市.
complaint(C1, [
    ("2025-03-10 16:25", {"status": "RECEIVED"}),
    ("2025-03-11 09:10", {"status": "ACCEPTED",
                          "accepted_at": ts("2025-03-11 09:05")}),
    ("2025-03-28 15:00", {"status": "CONCLUDED", "finding": "SUBSTANTIATED",
                          "concluded_at": ts("2025-03-28 14:30"),
                          "feedback_at": ts("2025-03-28 14:50")})],
    received_at=ts("2025-03-10 16:20"), channel="HOTLINE_12345",
    subject_type="ENTERPRISE_VIOLATION", enterprise_uscc=U("E03"),
    category="OTHER", handling_agency_uscc=A("SSCJG"))
# The coach company tells a 特邀行政执法监督员 that one officer came alone.
C2 = "LXJD-2025-0012"
complaint(C2, [
    ("2025-03-06 10:05", {"status": "RECEIVED"}),
    ("2025-03-07 09:40", {"status": "ACCEPTED",
                          "accepted_at": ts("2025-03-07 09:30")}),
    ("2025-03-14 17:00", {"status": "VERIFYING"}),
    ("2025-03-21 16:00", {"status": "CONCLUDED", "finding": "SUBSTANTIATED",
                          "concluded_at": ts("2025-03-21 15:30"),
                          "feedback_at": ts("2025-03-21 15:45")})],
    received_at=ts("2025-03-06 10:00"), channel="SPECIAL_SUPERVISOR",
    subject_type="ENFORCEMENT_CONDUCT", complainant_uscc=U("E16"),
    respondent_agency_uscc=A("YJJT"), respondent_officer_ids=[OID("YJJT-1")],
    related_inspection_id=i03, category="SINGLE_OFFICER",
    handling_agency_uscc=A("SFJ_YJ"))
# Substantiated: the department must correct it (R21a, ORDER_CORRECTION).
planted(C2, "R21a OPEN HIGH " + C2)
# A 12315 consumer complaint: food past its date at a supermarket.
complaint("12315-20250325-1033", [
    ("2025-03-25 11:20", {"status": "RECEIVED"}),
    ("2025-03-27 10:00", {"status": "ACCEPTED",
                          "accepted_at": ts("2025-03-27 09:50")})],
    received_at=ts("2025-03-25 11:15"), channel="HOTLINE_12315",
    subject_type="ENTERPRISE_VIOLATION", enterprise_uscc=U("E05"),
    category="OTHER", handling_agency_uscc=A("SSCJG"))

# ------------------------------------------------------------- penalties ---


def penalty(decision_no, snaps, **fixed):
    for n, (when, changes) in enumerate(snaps):
        rec = {"type": "penalty",
               "event_id": eid("penalty", decision_no, str(n)),
               "event_time": None, "decision_no": decision_no,
               "case_id": None, "published_at": None, "withdrawn_at": None,
               "penalty_types": [], "fine_fen": 0, "confiscated_fen": 0,
               "benchmark_id": None, "benchmark_cited": False,
               "discretion_level": None, "factor_codes": [],
               "first_offense": False, "corrected": False,
               "harm_level": "MINOR", "is_major": False,
               "legal_review_id": None, "legal_review_at": None,
               "legal_review_passed": None, "collective_discussion": False,
               "hearing_offered": False, "hearing_waived": False,
               "compulsory_measures": [], "credit_measures": [],
               "credit_measure_legal_basis": None, "av_coverage": "FULL"}
        rec.update(fixed)
        for prev in snaps[:n + 1]:
            rec.update(prev[1])
        emit(rec, when)


def ent_fields(k):
    return {"enterprise_uscc": U(k), "enterprise_region_code":
            ENT[k]["region"], "industry_code": ENT[k]["industry"]}


# The complaint case at the 临夏市 restaurant (inspection 11).
penalty("临市市监罚〔2025〕17号", [
    ("2025-03-27 16:00", {}),
    ("2025-03-31 10:00", {"published_at": ts("2025-03-31 09:30")})],
    case_id=CASE1, agency_uscc=A("SSCJG"), **ent_fields("E03"),
    filed_at=ts("2025-03-12 10:00"),
    notice_of_rights_at=ts("2025-03-20 15:00"),
    decided_at=ts("2025-03-27 15:30"), procedure="GENERAL",
    penalty_types=["WARNING", "FINE"], fine_fen=2500000,
    violation_code="SPAQF-126", benchmark_id=BENCHMARKS[0]["benchmark_id"],
    benchmark_cited=True, discretion_level="GENERAL", corrected=True,
    officers=[O("SSCJG-2"), O("SSCJG-3")])
# 当场处罚 (simple procedure) after inspection 29.
penalty("广市监简罚〔2025〕6号", [
    ("2025-03-24 11:20", {}),
    ("2025-03-26 09:00", {"published_at": ts("2025-03-26 08:45")})],
    agency_uscc=A("GHSCJG"), **ent_fields("E25"),
    decided_at=ts("2025-03-24 10:45"), procedure="SIMPLE",
    penalty_types=["WARNING"], violation_code="SPAQF-126-BQ",
    officers=[O("GHSCJG-1"), O("GHSCJG-2")], first_offense=True,
    corrected=True)
# R13a: SPAQF-126-BQ is on the 两轻一免 list as 首违不罚; a corrected first
# offence of minor harm still got a warning.
planted("广市监简罚〔2025〕6号", "R13a OPEN MEDIUM 广市监简罚〔2025〕6号")
# The tannery's waste-gas case (inspection 27); hearing offered and waived.
penalty("临州环罚〔2025〕9号", [
    ("2025-04-02 17:00", {})],
    case_id="临州环立〔2025〕9号", agency_uscc=A("ZSTHJ"), **ent_fields("E23"),
    filed_at=ts("2025-03-21 16:00"),
    notice_of_rights_at=ts("2025-03-25 10:00"),
    decided_at=ts("2025-04-02 16:30"), procedure="GENERAL",
    penalty_types=["FINE"], fine_fen=6000000, violation_code="DQWRF-108",
    benchmark_id=BENCHMARKS[1]["benchmark_id"], benchmark_cited=True,
    discretion_level="GENERAL", is_major=True,
    legal_review_id="临州环法审〔2025〕4号",
    legal_review_at=ts("2025-03-31 11:00"), legal_review_passed=True,
    collective_discussion=True, hearing_offered=True, hearing_waived=True,
    officers=[O("ZSTHJ-1"), O("ZSTHJ-2")])


# -------------------------------------------------------------- feedback ---
# The departments answer the supervision notices on the findings above
# within a week of the inspection (整改反馈), closing them: a daemon run long
# after 2025 then raises R24 only for 康乐县农业农村局, which answers none
# (nor files its plan). Notice ids are the engine's (ewdata.notice_id).
NOTICE_TYPE = {"R02": "SUPERVISION_OPINION", "R05": "SUPERVISION_OPINION",
               "R06": "SUPERVISION_OPINION"}


def _answer(notice, agency_uscc, when):
    emit({"type": "feedback", "event_id": eid("feedback", notice),
          "event_time": None, "notice_id": notice,
          "agency_uscc": agency_uscc, "feedback_at": ts(when),
          "result": "DONE", "summary": "已整改并报送整改报告"}, when)


def answer_notices():
    last = {}  # inspection_id -> (agency_uscc, last snapshot time)
    for _, _, rec in EVENTS:
        if rec.get("type") == "inspection":
            last[rec["inspection_id"]] = (rec["agency_uscc"],
                                          rec["event_time"])
    for _, alerts in PLANTED:
        for line in alerts:
            rule, _, _, sid = line.split()
            if rule not in NOTICE_TYPE or sid not in last:
                continue
            agency_uscc, t = last[sid]
            if agency_uscc == A("KLNY"):
                continue
            when = (_datetime.fromisoformat(t) + _timedelta(days=7))
            _answer(notice_id(NOTICE_TYPE[rule], agency_uscc,
                              alert_id(rule, "INSPECTION", sid)),
                    agency_uscc, when.strftime("%Y-%m-%d %H:%M"))
    # The order to correct the single-officer visit (R21a on C2).
    _answer(notice_id("ORDER_CORRECTION", A("YJJT"),
                      alert_id("R21a", "COMPLAINT", C2)),
            A("YJJT"), "2025-03-28 10:00")


answer_notices()


# ---------------------------------------------------------------- output ---

def lines():
    out = []

    def ref(t, rec):
        out.append(dumps(dict({"type": t}, **rec)))

    for a in AG.values():
        ref("agency", a)
    for p in PLANS:
        ref("plan", p)
    for c in CERTS:
        ref("certificate", c)
    for t in TASKS:
        ref("random_task", t)
    for s in SAMPLING_ITEMS:
        ref("sampling_item", s)
    for b in BENCHMARKS:
        ref("benchmark", b)
    for li in LENIENCY:
        ref("leniency_item", li)
    for e, g in CREDIT:
        ref("credit_grade", {"enterprise_uscc": U(e), "grade": g,
                             "as_of": ts("2025-03-01 00:00")})
    for ap in sorted(APPROVALS, key=lambda r: r["approved_at"]):
        ref("approval", ap)
    with open(CALENDAR, encoding="utf-8") as fp:
        out += [ln.rstrip("\n") for ln in fp if ln.strip()]
    for _, _, rec in sorted(EVENTS, key=lambda x: (x[0], x[1])):
        out.append(dumps(rec))
    return out


def expected_alerts():
    return [a for _, alerts in PLANTED for a in alerts]


def main(argv):
    if "--expected" in argv:  # needs no calendar: PLANTED is built on import
        sys.stdout.write("\n".join(expected_alerts()) + "\n")
        return 0
    text = "\n".join(lines()) + "\n"
    if "--stdout" in argv:
        sys.stdout.write(text)
        return 0
    if "--check" in argv:
        with open(OUT, encoding="utf-8") as fp:
            if fp.read() != text:
                print("%s is stale: run %s" % (OUT, argv[0]), file=sys.stderr)
                return 1
    else:
        with open(OUT, "w", encoding="utf-8") as fp:
            fp.write(text)
    problems = validate_file(OUT, expect_bad_usccs={U(BAD_ENTERPRISE)},
                             regions=set(LINXIA_REGIONS))
    for p in problems:
        print(p, file=sys.stderr)
    if not problems:
        print("%s: %d lines, valid" % (OUT, text.count("\n")))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
