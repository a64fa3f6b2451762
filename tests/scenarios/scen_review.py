"""scen_review.py - scenarios added by the rule review (R16d duplicate
listings in a draw).

A feed may list one drawn enterprise twice in a random task; the draw
ratio counts each enterprise once.
"""

from scenario_lib import Scenario, at, scenario


def _task_with_duplicate(sc, n_distinct, population):
    """A random task of 广河县市场监督管理局 drawing `n_distinct` enterprises
    out of `population`, the first of them listed twice."""
    ag = sc.agency("广河县市场监督管理局", region="622924")
    ents = [sc.enterprise("622924") for _ in range(n_distinct)]
    tid = "CC-%s-T" % sc.tag
    sc.ref("random_task", task_id=tid, agency_uscc=ag,
           check_item_code="SCJG-CPZL-01", drawn_at=at("10:00", "2025-03-03"),
           enterprises=ents + ents[:1], officers=[],
           population_size=population, completed_at=None, published_at=None)
    return tid


@scenario
def r16d_duplicate_listing_near_miss():
    sc = Scenario("r16d_duplicate_listing_near_miss",
                  "A random task listing 25 USCCs out of a 名录库 of 120, one "
                  "of them twice: 24 enterprises drawn, exactly 20%, not "
                  "above the cap.")
    _task_with_duplicate(sc, 24, 120)
    return sc


@scenario
def r16d_duplicate_listing_above_cap():
    sc = Scenario("r16d_duplicate_listing_above_cap",
                  "A random task listing 26 USCCs out of 120, one of them "
                  "twice: 25 enterprises drawn (20.8%), above the 20% cap: "
                  "R16d LOW.")
    tid = _task_with_duplicate(sc, 25, 120)
    sc.expect("R16d OPEN LOW " + tid)
    return sc
