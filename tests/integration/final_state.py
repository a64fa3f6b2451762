"""final_state.py - the comparison of the integration tests that run
enforcewatchd on input that `enforcewatch check` also reads
(test_end_to_end.sh, test_scenarios_daemon.sh).

The daemon's clock is wall time once it has caught up with its input, and
while it reads a backlog it is the latest event time read so far, over all
its partitions (architecture.md "Time"; daemon.c). check's clock is the
event time of each line in file order, then --as-of. The tests run check
with --as-of the daemon's final clock (the `clock` row of its SQLite `meta`
table after it stopped), so both have fired the same deadlines by the end.
But the daemon may judge a snapshot at a later clock than check did (a
snapshot read after a wall-clock tick, or read from one partition after a
later event of another): a deadline has then already passed when the
snapshot is first judged. So the comparison is of FINAL states, and the
differences that clock-ahead judging explains are listed, not failed:

alerts, per alert_id (the records of one alert_id share its key, so the
alert topic keeps their order):
  - check's last record OPEN: the daemon's last record must be the same
    record (every field), except
      "evidence": its evidence_event_ids name another snapshot (the daemon
        found it first on an earlier snapshot of the subject, at a later
        clock, and the engine does not re-emit a finding whose severity,
        facts and message are unchanged);
      "notice issued at another time": an R24 alert on a notice the two
        sides issued at different times (see notices) may differ in its
        times, facts and message, not in status and severity;
  - check's last record WITHDRAWN: the daemon's must be WITHDRAWN with the
    same severity;
  - no record from check: the daemon's last record may be WITHDRAWN
    ("withdrawn": opened on a clock ahead of the input, withdrawn by a
    later snapshot), never OPEN;
  - "derived": an alert only one side has is explained when its subject is
    a notice that is itself explained (R24 judges notices);
  - "R23 quarter final before its data came": an R23 signal only check
    has, of a quarter more than four before the daemon's final clock
    (daemon_clock_ms): the daemon judges late data only for the four
    quarters before its clock's, and between the test's rounds its clock
    is wall time;
  - the daemon's records of an alert_id start with OPEN and never repeat
    the record before them (a repeat is a duplicate delivery).
notices, by notice_id (the ids are deterministic: type, recipient, alerts):
  - the same set, each notice_id published once by the daemon;
  - "notice issued at another time": the same notice_id with another
    issued_at (a two-level deadline alert the daemon first saw at its
    second level is notified at that level's deadline);
  - "of explained alerts": a notice only the daemon issued is explained
    when every alert it lists was withdrawn in the end or is explained
    itself (the daemon issued it while the alert was open), and a notice
    only check issued when its alerts are explained ones (e.g. R24 alerts
    derived from a regrouped notice);
  - "on an alert state the other side never had": a notice only one side
    issued, each of whose alerts is explained or went through a status and
    severity on that side that it never had on the other (the daemon
    escalated an R24 alert to HIGH and issued the bulletin before the late
    feedback that keeps it MEDIUM arrived);
  - "regrouped": notices only one side issued are explained when, per
    notice type and recipient, both sides notified the same alerts (those
    above aside) in other notices: an alert that opens after its month's
    batch fired joins the next month's batch (notices.c), so the grouping
    follows the order in which the daemon read its partitions.
"""

import collections
import json


def canon(o):
    return json.dumps(o, sort_keys=True, ensure_ascii=False)


def read_jsonl(path, kind):
    """The objects of `kind` (alert, notice) of a JSON Lines file, in file
    order, without their "kind" tag (lines without one are taken as
    `kind`)."""
    out = []
    with open(path, encoding="utf-8") as fp:
        for line in fp:
            if not line.strip():
                continue
            o = json.loads(line)
            if o.get("kind", kind) != kind:
                continue
            o.pop("kind", None)
            out.append(o)
    return out


def _by(records, key):
    d = collections.OrderedDict()
    for r in records:
        d.setdefault(r.get(key), []).append(r)
    return d


def short(a):
    return "%s %s %s %s %s" % (a.get("rule_id"), a.get("status"),
                               a.get("severity"), a.get("subject_id"),
                               a.get("detected_at"))


def _field_diff(c, d):
    lines = ["final records differ:"]
    for k in sorted(set(c) | set(d)):
        if c.get(k) != d.get(k):
            lines.append("  %s: check  %s" % (k, json.dumps(
                c.get(k), ensure_ascii=False)))
            lines.append("  %s  daemon %s" % (" " * len(k), json.dumps(
                d.get(k), ensure_ascii=False)))
    return lines


class Result:
    def __init__(self):
        self.open = 0          # alert ids matched, final OPEN
        self.withdrawn = 0     # alert ids matched, final WITHDRAWN
        self.notices = 0       # notice ids matched
        self.explained = []    # (why, record)
        self.diffs = []        # (sign, record, text lines)

    def ok(self):
        return not self.diffs


R23_LATE_QUARTERS = 4  # engine_time.c: older quarters are final


def _r23_final(alert, daemon_clock_ms):
    """1 when `alert` is an R23 signal of a quarter the daemon held final
    before its data arrived: check's clock follows the input, the daemon's
    had reached daemon_clock_ms (wall time between the test's rounds), and
    the daemon judges late data only for the R23_LATE_QUARTERS quarters
    before its clock's quarter (engine_time.c)."""
    import datetime
    rule = alert.get("rule_id") or ""
    sid = alert.get("subject_id") or ""
    if daemon_clock_ms is None or not rule.startswith("R23") or "/" not in sid:
        return 0
    try:
        y, q = sid.rsplit("/", 1)[1].split("-Q")
        quarter = int(y) * 4 + int(q) - 1
    except ValueError:
        return 0
    t = datetime.datetime.utcfromtimestamp(int(daemon_clock_ms) / 1000 +
                                           8 * 3600)
    cur = t.year * 4 + (t.month - 1) // 3
    return 1 if quarter < cur - R23_LATE_QUARTERS else 0


def compare(check_alerts, check_notices, daemon_alerts, daemon_notices,
            daemon_clock_ms=None):
    r = Result()
    cal, dal = _by(check_alerts, "alert_id"), _by(daemon_alerts, "alert_id")
    cn, dn = _by(check_notices, "notice_id"), _by(daemon_notices, "notice_id")

    for aid, recs in dal.items():
        if recs[0].get("status") != "OPEN":
            r.diffs.append(("+", recs[0], ["the daemon's first record of "
                                           "this alert is not OPEN"]))
        for prev, cur in zip(recs, recs[1:]):
            if canon(prev) == canon(cur):
                r.diffs.append(("+", cur, ["published twice in a row by "
                                           "the daemon (duplicate)"]))
    for nid, recs in dn.items():
        if len(recs) > 1:
            r.diffs.append(("+", recs[-1], ["notice published %d times by "
                                            "the daemon" % len(recs)]))

    # Notices both sides issued, and those issued at different times.
    retimed = set()
    for nid in cn:
        if nid in dn:
            r.notices += 1
            c, d = cn[nid][-1], dn[nid][-1]
            if c.get("issued_at") != d.get("issued_at"):
                retimed.add(nid)
                r.explained.append(("notice issued at another time", d))

    # Alerts: matched, explained at once, or pending (only one side).
    gone = set()  # alert ids withdrawn in the end, on one side or both
    final_r23 = set()  # R23 alerts of quarters final in the daemon
    pending = []  # (sign, record): only on one side, not explained yet
    for aid in list(cal) + [a for a in dal if a not in cal]:
        c = cal[aid][-1] if aid in cal else None
        d = dal[aid][-1] if aid in dal else None
        if c is not None and d is not None:
            if c.get("status") == "WITHDRAWN":
                gone.add(aid)
                if (d.get("status"), d.get("severity")) == (
                        "WITHDRAWN", c.get("severity")):
                    r.withdrawn += 1
                else:
                    r.diffs.append(("~", c, [
                        "final state: check WITHDRAWN %s, daemon %s %s" % (
                            c.get("severity"), d.get("status"),
                            d.get("severity"))]))
            elif canon(c) == canon(d):
                r.open += 1
            elif d.get("evidence_event_ids") and canon(
                    dict(c, evidence_event_ids=None)) == canon(
                    dict(d, evidence_event_ids=None)):
                r.open += 1
                r.explained.append(("evidence", d))
            elif (c.get("subject_type") == "NOTICE"
                  and c.get("subject_id") in retimed
                  and (c.get("status"), c.get("severity")) == (
                      d.get("status"), d.get("severity"))):
                r.open += 1
                r.explained.append(("notice issued at another time", d))
            else:
                r.diffs.append(("~", c, _field_diff(c, d)))
        elif c is not None and _r23_final(c, daemon_clock_ms):
            final_r23.add(aid)
            r.explained.append(("R23 quarter final before its data came", c))
        elif c is not None:
            pending.append(("-", c))
        elif d.get("status") == "WITHDRAWN":
            gone.add(aid)
            r.explained.append(("withdrawn", d))
        else:
            pending.append(("+", d))

    def states(recs):
        return {(a.get("status"), a.get("severity")) for a in recs}

    def unseen(sign, aid):
        """1 when the side of `sign` had a state of the alert (status and
        severity) that the other side never had."""
        mine, other = (cal, dal) if sign == "-" else (dal, cal)
        return bool(states(mine.get(aid, [])) - states(other.get(aid, [])))

    # Notices only one side issued, and the alerts judged on them, explain
    # each other: iterate until nothing more is explained.
    pend_n = [("-", cn[n][-1]) for n in cn if n not in dn] + \
             [("+", dn[n][-1]) for n in dn if n not in cn]
    expl_alerts, expl_notices = set(gone) | final_r23, set()
    changed = True
    while changed:
        changed = False
        for item in list(pending):
            a = item[1]
            if a.get("subject_type") == "NOTICE" and (
                    a.get("subject_id") in expl_notices):
                pending.remove(item)
                expl_alerts.add(a.get("alert_id"))
                r.explained.append(("derived", a))
                changed = True
        for item in list(pend_n):
            sign, n = item
            ids = set(n.get("alert_ids") or [])
            if ids and ids <= expl_alerts and (sign == "+" or ids - gone):
                why = "of explained alerts"
            elif ids and all(a in expl_alerts or unseen(sign, a)
                             for a in ids):
                why = "on an alert state the other side never had"
            else:
                continue
            pend_n.remove(item)
            expl_notices.add(n.get("notice_id"))
            r.explained.append((why, n))
            changed = True
        group = collections.OrderedDict()
        for item in pend_n:
            n = item[1]
            key = (n.get("notice_type"), n.get("recipient_agency_uscc"))
            group.setdefault(key, []).append(item)
        for items in group.values():
            signs = {s for s, _ in items}
            ids = {s: set().union(*[set(n.get("alert_ids") or [])
                                    for t, n in items if t == s])
                   - expl_alerts for s in signs}
            if signs == {"-", "+"} and ids["-"] == ids["+"]:
                for item in items:
                    pend_n.remove(item)
                    expl_notices.add(item[1].get("notice_id"))
                    r.explained.append(("regrouped", item[1]))
                changed = True

    for sign, a in pending:
        r.diffs.append((sign, a, [
            "only enforcewatch check has it (final %s)" % a.get("status")
            if sign == "-" else "only the daemon has it, final OPEN"]))
    for sign, n in pend_n:
        r.diffs.append((sign, n, ["notice only %s issued" % (
            "enforcewatch check" if sign == "-" else "the daemon")]))
    return r


def describe(rec, why=None):
    if "notice_id" in rec:
        s = "notice %s %s %s issued %s alerts=%s" % (
            rec.get("notice_id"), rec.get("notice_type"),
            rec.get("recipient_agency_uscc"), rec.get("issued_at"),
            ",".join(rec.get("alert_ids") or []))
    else:
        s = "%s %s" % (rec.get("alert_id"), short(rec))
        if why == "evidence":
            s += " (first found on snapshot %s)" % ",".join(
                rec.get("evidence_event_ids") or [])
    return s + (" [%s]" % why if why else "")


def explained_summary(result):
    """'R12 withdrawn x3, notice regrouped x2, ...' of the explained."""
    c = collections.Counter(
        ("notice" if "notice_id" in rec else rec.get("rule_id")) + " " + why
        for why, rec in result.explained)
    return ", ".join("%s x%d" % (k, n) for k, n in sorted(c.items()))
