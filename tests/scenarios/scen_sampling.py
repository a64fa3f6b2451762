"""scen_sampling.py - scenarios of R16a, R16b and R16d (双随机、一公开).

Sampling items are keyed by item_code alone (contract §4), so every item
code a scenario lists is derived from the scenario's tag: two scenarios sent
to one broker never overwrite each other's 抽查事项清单.
"""

from scenario_lib import Scenario, at, scenario, started_ended


def _random_cast(sc, drawn_extra=1, officers=2):
    """广河县市场监督管理局 with `officers` certified officers, and the
    enterprise a random task of the agency drew (plus `drawn_extra` others).
    Returns (agency, officers, drawn enterprise, others, task id, item)."""
    ag = sc.agency("广河县市场监督管理局", region="622924")
    offs = [sc.officer(ag) for _ in range(officers)]
    ent = sc.enterprise("622924")
    others = [sc.enterprise("622924") for _ in range(drawn_extra)]
    item = "SCJG-CPZL-01"
    tid = sc.task(ag, item, [*others, ent], offs[:2])
    return ag, offs, ent, others, tid, item


def _random_check(sc, ag, ent, officers, tid, item):
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, ent, officers, trigger="RANDOM_SAMPLING",
                  random_task_id=tid, check_items=[item], region="622924",
                  industry="C19")
    return iid


def _listed(sc, ag, special=False):
    """An item of the agency's 抽查事项清单, unique to the scenario."""
    code = "SCJG-CJ-" + sc.tag
    sc.ref("sampling_item", item_code=code, agency_uscc=ag,
           special_sector=special, remote_capable=False)
    return code


def _planned_cast(sc, special=False, list_owner=None):
    """临夏市市场监督管理局 with two certified officers, an item of the
    抽查事项清单 of `list_owner` (default: the agency itself) and a FILED 2025
    plan of the agency covering that item for retail (F52). Returns (agency,
    officers, plan id, item)."""
    ag = sc.agency("临夏市市场监督管理局")
    offs = [sc.officer(ag) for _ in range(2)]
    owner = ag if list_owner is None else list_owner(sc)
    code = _listed(sc, owner, special=special)
    pid = sc.plan(ag, [(code, ["F52"], [], "2025-03-01", "2025-06-30")])
    return ag, offs, pid, code


def _task(sc, ag, n_drawn, population, key="T"):
    """A random task of `ag` drawing `n_drawn` enterprises out of
    `population` (None: not given)."""
    tid = "CC-%s-%s" % (sc.tag, key)
    sc.ref("random_task", task_id=tid, agency_uscc=ag,
           check_item_code="SCJG-CPZL-01", drawn_at=at("10:00", "2025-03-03"),
           enterprises=[sc.enterprise("622924") for _ in range(n_drawn)],
           officers=[], population_size=population, completed_at=None,
           published_at=None)
    return tid


# ================================================================== R16a ===

@scenario
def r16a_enterprise_not_drawn():
    sc = Scenario("r16a_enterprise_not_drawn",
                  "双随机: a RANDOM_SAMPLING check under the agency's task for "
                  "the item, by drawn officers, of an enterprise the task did "
                  "not draw: R16a HIGH (R02 is satisfied by the task).")
    ag, (o1, o2), _, _, tid, item = _random_cast(sc)
    outsider = sc.enterprise("622924")
    iid = _random_check(sc, ag, outsider, [o1(), o2()], tid, item)
    sc.expect("R16a OPEN HIGH " + iid)
    return sc


@scenario
def r16a_officer_not_drawn():
    sc = Scenario("r16a_officer_not_drawn",
                  "双随机: the drawn enterprise, but one of the two officers "
                  "(validly certified) was not drawn from the 执法检查人员名录库: "
                  "R16a HIGH.")
    ag, (o1, _, o3), ent, _, tid, item = _random_cast(sc, officers=3)
    iid = _random_check(sc, ag, ent, [o1(), o3()], tid, item)
    sc.expect("R16a OPEN HIGH " + iid)
    return sc


@scenario
def r16a_drawn_near_miss():
    sc = Scenario("r16a_drawn_near_miss",
                  "双随机: the second of two drawn enterprises, checked by the "
                  "two drawn officers listed in the other order.")
    ag, (o1, o2), ent, _, tid, item = _random_cast(sc)
    _random_check(sc, ag, ent, [o2(), o1()], tid, item)
    return sc


@scenario
def r16a_other_item_left_to_r02():
    sc = Scenario("r16a_other_item_left_to_r02",
                  "A RANDOM_SAMPLING check of an enterprise the task did not "
                  "draw, for an item the task is not about: the task does "
                  "not cover the check at all, which is R02's finding; R16a "
                  "does not report the same check twice.")
    ag, (o1, o2), _, _, tid, _ = _random_cast(sc)
    iid = _random_check(sc, ag, sc.enterprise("622924"), [o1(), o2()], tid,
                        "SCJG-FOOD-01")
    sc.expect("R02 OPEN HIGH " + iid)
    return sc


# ================================================================== R16b ===

@scenario
def r16b_listed_item_checked_by_plan():
    sc = Scenario("r16b_listed_item_checked_by_plan",
                  "A routine ANNUAL_PLAN check (plan item covers it) of an "
                  "item on the agency's 抽查事项清单 outside the special "
                  "sectors: it should have been drawn at random, R16b MEDIUM.")
    ag, (o1, o2), pid, code = _planned_cast(sc)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid,
                  check_items=[code])
    sc.expect("R16b OPEN MEDIUM " + iid)
    return sc


@scenario
def r16b_special_sector_near_miss():
    sc = Scenario("r16b_special_sector_near_miss",
                  "The same routine planned check, but the listed item is in "
                  "a special sector (公共安全/生命健康): checks by plan are "
                  "allowed.")
    ag, (o1, o2), pid, code = _planned_cast(sc, special=True)
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid,
                  check_items=[code])
    return sc


@scenario
def r16b_other_agencys_list_near_miss():
    sc = Scenario("r16b_other_agencys_list_near_miss",
                  "The item is on another department's 抽查事项清单, not on "
                  "the inspecting department's: no R16b.")
    ag, (o1, o2), pid, code = _planned_cast(
        sc, list_owner=lambda s: s.agency("临夏市卫生健康局", key="B"))
    iid = sc.inspection_id()
    started_ended(sc, iid, ag, sc.enterprise(), [o1(), o2()], plan_id=pid,
                  check_items=[code])
    return sc


# ================================================================== R16d ===

@scenario
def r16d_draw_above_cap():
    sc = Scenario("r16d_draw_above_cap",
                  "A random task drawing 25 of a 名录库 of 120 enterprises "
                  "(20.8%, above the 20% cap): R16d LOW on the task, when it "
                  "is filed.")
    ag = sc.agency("广河县市场监督管理局", region="622924")
    tid = _task(sc, ag, 25, 120)
    sc.expect("R16d OPEN LOW " + tid)
    return sc


@scenario
def r16d_draw_at_cap_near_miss():
    sc = Scenario("r16d_draw_at_cap_near_miss",
                  "A random task drawing 24 of 120 enterprises: exactly "
                  "20%, not above the cap.")
    ag = sc.agency("广河县市场监督管理局", region="622924")
    _task(sc, ag, 24, 120)
    return sc


@scenario
def r16d_without_population_near_miss():
    sc = Scenario("r16d_without_population_near_miss",
                  "A random task drawing 30 enterprises without "
                  "population_size: the ratio is unknown, nothing is "
                  "reported.")
    ag = sc.agency("广河县市场监督管理局", region="622924")
    _task(sc, ag, 30, None)
    return sc


@scenario
def r16d_corrected_population_withdraws():
    sc = Scenario("r16d_corrected_population_withdraws",
                  "A random task filed with population_size 100 for 25 "
                  "drawn (R16d OPEN), then re-filed with the 名录库's real "
                  "size 150 (16.7%): the alert is WITHDRAWN.")
    ag = sc.agency("广河县市场监督管理局", region="622924")
    tid = _task(sc, ag, 25, 100)
    fixed = dict(sc.refs[-1], population_size=150)
    sc.refs.append(fixed)
    sc.expect("R16d OPEN LOW " + tid, "R16d WITHDRAWN LOW " + tid)
    return sc
