"""scen_plan_filing.py - scenarios of R01 (annual plan filed on time)."""

from scenario_lib import Scenario, scenario, ts


def _agency(sc, **kw):
    """An agency with no annual plan of its own for 2025 (2024 is filed)."""
    return sc.agency("临夏市市场监督管理局", annual_plans=(2024,), **kw)


def _r01(ag):
    return ag + "/2025"


@scenario
def r01_plan_not_filed():
    sc = Scenario("r01_plan_not_filed",
                  "No 2025 plan by 31 March: the warning of 31 January, then "
                  "the violation (same alert, HIGH) and its notice.")
    ag = _agency(sc)
    sc.as_of = "2025-04-01T09:00:00+08:00"
    sc.expect("R01 OPEN HIGH " + _r01(ag))
    return sc


@scenario
def r01_plan_not_filed_warning():
    sc = Scenario("r01_plan_not_filed_warning",
                  "Judged in February with no 2025 plan yet: the warning "
                  "only (MEDIUM), and no notice yet.")
    ag = _agency(sc)
    sc.as_of = "2025-02-10T09:00:00+08:00"
    sc.expect("R01 OPEN MEDIUM " + _r01(ag))
    return sc


@scenario
def r01_plan_filed_near_miss():
    sc = Scenario("r01_plan_filed_near_miss",
                  "The 2025 plan filed on 20 January: nothing, however late "
                  "the clock.")
    ag = _agency(sc)
    sc.plan(ag, [], filed="2025-01-20 10:00")
    sc.as_of = "2025-12-31T09:00:00+08:00"
    return sc


@scenario
def r01_plan_filed_late():
    sc = Scenario("r01_plan_filed_late",
                  "The plan filed on 10 April, after the 31 March deadline: "
                  "the violation stands, with its notice.")
    ag = _agency(sc)
    sc.plan(ag, [], filed="2025-04-10 10:00")
    # before the notice's feedback falls due (04-30), so R24 is not yet due
    sc.as_of = "2025-04-20T09:00:00+08:00"
    sc.expect("R01 OPEN HIGH " + _r01(ag),
              "notice SUPERVISION_OPINION %s 1" % ag)
    return sc


@scenario
def r01_draft_plan_only():
    sc = Scenario("r01_draft_plan_only",
                  "Only a DRAFT plan: not filed, so R01 HIGH after 31 March "
                  "with its notice.")
    ag = _agency(sc)
    sc.plan(ag, [], status="DRAFT")
    sc.as_of = "2025-04-01T09:00:00+08:00"
    sc.expect("R01 OPEN HIGH " + _r01(ag),
              "notice SUPERVISION_OPINION %s 1" % ag)
    return sc
