#!/usr/bin/env python3
"""crash_verdict.py - the verdicts of the crash harness
(tests/crash/crash_harness.sh) and of tests/integration/test_broker_restart.sh.

    crash_verdict.py outputs --kills N EXPECTED ALERTS NOTICES STATS
    crash_verdict.py state CRASHED.db REFERENCE.db CRASHED_ALERTS
                     CRASHED_NOTICES CRASHED_STATS REFERENCE_ALERTS
                     REFERENCE_NOTICES REFERENCE_STATS

`outputs` compares what a daemon committed (the JSON Lines that
`enforcewatch tail`, a read_committed consumer, printed for its alert,
notice and stats topics) with EXPECTED, the output of `enforcewatch check
--as-of <the daemon's final clock>` on the same input, and prints exactly

    kills=N lost=L duplicated=D

then, when something is wrong, the first difference of each kind. Exit 0
only when nothing is lost, duplicated or extra.

  lost        an alert_id or notice_id whose final state check has and the
              committed output does not: missing, or a different final
              record. The final states are compared as the integration
              tests compare them (tests/integration/final_state.py: the
              daemon may judge a snapshot at a later clock than check; what
              that explains is listed, not counted).
  duplicated  an output message committed more than once: the same topic,
              key and value. The key of each output topic is a field of the
              record (contract §2: agency_uscc, recipient_agency_uscc), and
              tail decodes the value whole, so the decoded record stands for
              key and value. The engine emits an alert only when its
              severity, facts or message change or it is withdrawn
              (engine.c judge), every OPEN record carries the evidence of
              the snapshot that made it, and a notice_id is issued once
              (notices.c: the notice table is keyed by it), so a record
              repeats only when it was delivered twice. The one exception
              the engine allows, a finding that changes and changes back on
              the same evidence, is covered by counting against check: a
              record is a duplicate only beyond the number of times check
              emitted it (at least once). Stats records are not counted:
              a count that changes and changes back within a batch is
              emitted again byte for byte (stats.h: every value touched
              since the last flush), so a repeat proves nothing; `state`
              checks instead that the last committed value of each
              (agency, period, metric) is the one the state holds.
  extra       (printed, and failing, but not one of the two figures) a
              final OPEN alert or a notice only the daemon has, that the
              clock difference does not explain.

`state` compares two SQLite state files (a daemon killed many times and one
that never crashed, both stopped after the same input):
  - row for row (sorted multisets, every column, rowids aside), every
    table whose content the input alone decides: ref, snapshot,
    seen_event, hist_inspection, hist_penalty, wakeup, notice_pending,
    rule_param, meta (but its `clock` row, wall time at the stop, its
    `store_id`, the state file's random identity in the progress marker,
    and the `notice.batch:` rows, the last month each agency's batch was
    closed, which follows the clock: see below), and whatever tables a
    later schema adds. Not compared: offsets (the broker's positions),
    outbox (must be empty: checked), sqlite_sequence (outbox seq counters);
  - alert_state by final state: an alert OPEN on either side must be OPEN
    on the other with the same rule, subject, partition, severity, facts
    and message (the fingerprint column) and detected_at; WITHDRAWN and
    never opened are alike. The daemon's clock is the latest event time
    read over all partitions, so which alerts open for a while before a
    later snapshot withdraws them, and the notices those get, depend on the
    order in which it happened to read its partitions, which differs from
    run to run with or without crashes; for the same reason R24 alerts on a
    notice only one side issued are listed, not failed, and notice bodies
    (their findings quote the alert as it stood when issued) are not
    compared across runs;
  - the stats tables by value (as_of is the clock of the last change):
    every (agency, period, metric) value and every subject's contribution
    alike, but for what the R24 alerts above add to alerts_R24 and
    alerts_total;
  - each side against its own committed outputs (the crash-specific
    part): every alert's status and detected_at in alert_state are those
    of its last committed record, the notice ids in the state are exactly
    the notices committed, and every stats value and as_of is the last one
    committed for its key.
Exit 0 when nothing differs.
"""

import collections
import datetime as dt
import json
import os
import sqlite3
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
import final_state as fs  # noqa: E402


def canon(o):
    return json.dumps(o, sort_keys=True, ensure_ascii=False)


def records(path):
    """The records of a JSON Lines file without their "kind" tag."""
    out = []
    if not path or not os.path.exists(path):
        return out
    with open(path, encoding="utf-8") as fp:
        for line in fp:
            if line.strip():
                o = json.loads(line)
                o.pop("kind", None)
                out.append(o)
    return out


def what(topic, o):
    if "alert_id" in o:
        return "%s %s (key %s)" % (o["alert_id"], fs.short(o),
                                   o.get("agency_uscc") or "")
    if "notice_id" in o:
        return "%s %s to %s" % (o["notice_id"], o.get("notice_type"),
                                o.get("recipient_agency_uscc"))
    return "%s %s" % (topic, canon(o))


def duplicates(expected, outputs):
    """[(topic, record, committed, allowed)] of the records committed more
    often than allowed, in topic order, then first commit order."""
    allowed = collections.Counter(canon(o) for o in expected)
    dups = []
    for topic, recs in outputs:
        seen = collections.Counter(canon(o) for o in recs)
        done = set()
        for o in recs:
            c = canon(o)
            if c in done:
                continue
            done.add(c)
            ok = max(1, allowed.get(c, 0))
            if seen[c] > ok:
                dups.append((topic, o, seen[c], ok))
    return dups


def cmd_outputs(argv):
    if len(argv) != 6 or argv[0] != "--kills":
        print("usage: crash_verdict.py outputs --kills N EXPECTED ALERTS "
              "NOTICES STATS", file=sys.stderr)
        return 2
    kills = int(argv[1])
    expected, alerts, notices, stats = argv[2:]
    exp = records(expected)
    outs = [("alerts", records(alerts)), ("notices", records(notices)),
            ("stats", records(stats))]
    res = fs.compare([o for o in exp if "alert_id" in o],
                     [o for o in exp if "notice_id" in o],
                     outs[0][1], outs[1][1])
    # final_state flags repeats too ("published twice in a row", a notice
    # published N times): those are counted by duplicates() below. A first
    # record that is not OPEN means its OPEN never arrived: lost.
    def kind(d):
        text = " ".join(d[2])
        if "twice in a row" in text or "notice published" in text:
            return "dup"
        if d[0] in "-~" or "first record" in text:
            return "lost"
        return "extra"
    lost = [d for d in res.diffs if kind(d) == "lost"]
    extra = [d for d in res.diffs if kind(d) == "extra"]
    dups = duplicates(exp, outs[:2])
    ndup = sum(n - ok for _, _, n, ok in dups)
    print("kills=%d lost=%d duplicated=%d" % (kills, len(lost), ndup))
    if lost:
        sign, rec, lines = lost[0]
        print("first lost: %s %s" % (sign, fs.describe(rec)))
        for line in lines:
            print("    %s" % line)
    if dups:
        topic, rec, n, ok = dups[0]
        print("first duplicate: %s: %s committed %d times, %d expected"
              % (topic, what(topic, rec), n, ok))
    if extra:
        sign, rec, lines = extra[0]
        print("extra=%d (only the daemon has them); first: %s"
              % (len(extra), fs.describe(rec)))
        for line in lines:
            print("    %s" % line)
    print("compared: %d alert ids in their final state (%d open, %d "
          "withdrawn), %d notices; committed %d alert, %d notice, %d stats "
          "record(s); check %d alert, %d notice record(s); %d explained%s"
          % (res.open + res.withdrawn, res.open, res.withdrawn, res.notices,
             len(outs[0][1]), len(outs[1][1]), len(outs[2][1]),
             sum("alert_id" in o for o in exp),
             sum("notice_id" in o for o in exp), len(res.explained),
             " (%s)" % fs.explained_summary(res) if res.explained else ""))
    return 0 if not (lost or dups or extra) else 1


# Compared row for row: what the input alone decides, whatever the order
# in which the partitions were read.
SKIP_TABLES = {"offsets", "outbox", "sqlite_sequence"}
FINAL_VIEW_TABLES = {"alert_state", "notice", "notice_alert", "stats",
                     "stats_contrib"}


def table_rows(db, table):
    cols = [r[1] for r in db.execute('PRAGMA table_info("%s")' % table)]
    rows = db.execute('SELECT * FROM "%s"' % table).fetchall()
    if table == "meta":
        # The clock is wall time at the stop; a batch closes when the clock
        # passes its month's end, which depends on the reading order (see
        # alert_state below).
        rows = [r for r in rows
                if r[cols.index("name")] not in ("clock", "store_id")
                and not r[cols.index("name")].startswith("notice.batch:")]
    return cols, collections.Counter(rows)


def show(cols, row):
    parts = []
    for c, v in zip(cols, row):
        if isinstance(v, bytes):
            v = "<%d bytes>" % len(v)
        elif isinstance(v, str) and len(v) > 60:
            v = v[:57] + "..."
        parts.append("%s=%s" % (c, v))
        if len(parts) == 6:
            break
    return " ".join(parts)


ALERT_COLS = ("alert_id, part, subject_type, subject_id, rule_id, status, "
              "fingerprint, detected_at")


def alerts_of(db):
    return {r[0]: r for r in db.execute("SELECT %s FROM alert_state"
                                        % ALERT_COLS)}


def last_committed(path, key):
    out = {}
    for o in records(path):
        out[o[key]] = o
    return out


def to_ms(iso):
    return round(dt.datetime.fromisoformat(iso).timestamp() * 1000)


def table_exists(db, name):
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                      "AND name = ?", (name,)).fetchone() is not None


def state_vs_outputs(label, db, alerts_path, notices_path, stats_path):
    """The state a daemon left agrees with what it committed: every alert's
    status and detected_at are those of its last committed record, and the
    notices in the state are the notices committed, and each stats value
    and as_of is the last one committed for its agency, period and metric.
    Returns problems."""
    bad = []
    st = alerts_of(db)
    out = last_committed(alerts_path, "alert_id")
    for aid in sorted(set(st) | set(out)):
        s, o = st.get(aid), out.get(aid)
        if s is None or o is None:
            bad.append("%s: alert %s %s" % (
                label, aid, "committed but not in alert_state" if s is None
                else "in alert_state (%s) but never committed" % s[5]))
        elif (s[5], s[7]) != (o["status"], to_ms(o["detected_at"])):
            bad.append("%s: alert %s is %s/%d in alert_state, last committed "
                       "%s/%s" % (label, aid, s[5], s[7], o["status"],
                                  o["detected_at"]))
    if table_exists(db, "stats"):
        st = {(r[0], r[1], r[2]): (r[3], r[4]) for r in db.execute(
            "SELECT agency_uscc, period, metric, value, as_of FROM stats")}
        out = {}
        for o in records(stats_path):
            out[(o["agency_uscc"], o["period"], o["metric"])] = (
                o["value"], to_ms(o["as_of"]))
        for k in sorted(set(st) | set(out)):
            if st.get(k) != out.get(k):
                bad.append("%s: stats %s: %s in the state, last committed %s"
                           % (label, "/".join(k), st.get(k), out.get(k)))
    sn = {r[0] for r in db.execute("SELECT notice_id FROM notice")}
    on = set(last_committed(notices_path, "notice_id"))
    for nid in sorted(sn ^ on):
        bad.append("%s: notice %s %s" % (label, nid, "in the state, never "
                                         "committed" if nid in sn else
                                         "committed, not in the state"))
    return bad


def stats_tables(dbs, r24_explained, summary):
    """The stats tables of both sides: the values (not as_of, which is the
    clock of the last change) per agency, period and metric, and each
    subject's contribution; the R24 alerts on notices only one side issued
    (see alert_state) count in alerts_R24 and alerts_total on that side
    only, and that difference is listed, not failed."""
    if not table_exists(dbs[0], "stats"):
        return []
    bad = []
    vals = [{(r[0], r[1], r[2]): r[3] for r in db.execute(
        "SELECT agency_uscc, period, metric, value FROM stats")}
        for db in dbs]
    diff = {}  # (agency, period, metric) -> crashed - reference
    for k in set(vals[0]) | set(vals[1]):
        d = vals[0].get(k, 0) - vals[1].get(k, 0)
        if d:
            diff[k] = d
    r24 = 0
    for k, d in sorted(diff.items()):
        agency, period, metric = k
        if metric in ("alerts_R24", "alerts_total") and diff.get(
                (agency, period, "alerts_total")) == diff.get(
                (agency, period, "alerts_R24")):
            r24 += 1
            continue
        bad.append("stats %s: %s after the crashes, %s without crashes"
                   % ("/".join(k), vals[0].get(k), vals[1].get(k)))
    contrib = [{r[0]: r[1] for r in db.execute(
        "SELECT subject, parts FROM stats_contrib")} for db in dbs]
    skip = {"A:" + a for a in r24_explained}
    nc = 0
    for subj in sorted(set(contrib[0]) | set(contrib[1])):
        if subj in skip:
            continue
        if contrib[0].get(subj) != contrib[1].get(subj):
            bad.append("stats_contrib %s differs: %r / %r" % (
                subj, contrib[0].get(subj), contrib[1].get(subj)))
        else:
            nc += 1
    summary.append("stats: %d values alike%s, %d contributions alike" % (
        len(set(vals[0]) | set(vals[1])) - len(diff),
        " (%d alerts_R24/alerts_total values differ by those R24 alerts "
        "only)" % r24 if r24 else "", nc))
    return bad


def cmd_state(argv):
    if len(argv) != 8:
        print("usage: crash_verdict.py state CRASHED.db REFERENCE.db "
              "CRASHED_ALERTS CRASHED_NOTICES CRASHED_STATS "
              "REFERENCE_ALERTS REFERENCE_NOTICES REFERENCE_STATS",
              file=sys.stderr)
        return 2
    dbs = [sqlite3.connect("file:%s?mode=ro" % p, uri=True) for p in argv[:2]]
    problems = []
    for i, db in enumerate(dbs):
        left = db.execute("SELECT count(*) FROM outbox").fetchone()[0]
        if left:
            problems.append("%s has %d undelivered outbox row(s)"
                            % (argv[i], left))
    tables = [sorted(r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'"))
        for db in dbs]
    if tables[0] != tables[1]:
        print("state: the table lists differ: %s / %s" % tuple(tables))
        return 1
    summary = []
    for table in tables[0]:
        if table in SKIP_TABLES or table in FINAL_VIEW_TABLES:
            continue
        (cols, a), (_, b) = table_rows(dbs[0], table), table_rows(dbs[1],
                                                                  table)
        if a == b:
            summary.append("%s %d" % (table, sum(a.values())))
            continue
        only_a, only_b = a - b, b - a
        problems.append("table %s differs: %d row(s) only after the crashes, "
                        "%d only in the run without crashes" % (
                            table, sum(only_a.values()),
                            sum(only_b.values())))
        for label, rows in (("crashed", only_a), ("reference", only_b)):
            for row in sorted(rows, key=repr)[:2]:
                problems.append("    %s: %s" % (label, show(cols, row)))

    # alert_state by final state: which alerts stand OPEN, and how.
    a, b = alerts_of(dbs[0]), alerts_of(dbs[1])
    notices = [{r[0] for r in db.execute("SELECT notice_id FROM notice")}
               for db in dbs]
    equal_open = equal_gone = explained = 0
    r24_explained = set()
    for aid in sorted(set(a) | set(b)):
        x, y = a.get(aid), b.get(aid)
        sx = x[5] if x else "absent"
        sy = y[5] if y else "absent"
        if sx != "OPEN" and sy != "OPEN":
            equal_gone += 1
            continue
        if x and y and x == y:
            equal_open += 1
            continue
        r = x or y
        if r[2] == "NOTICE" and (r[3] in notices[0]) != (r[3] in notices[1]):
            explained += 1  # R24 on a notice only one side issued
            r24_explained.add(aid)
            continue
        problems.append("alert %s %s %s %s: after the crashes %s, without "
                        "crashes %s" % (aid, r[4], r[2], r[3], show(
                            ALERT_COLS.split(", "), x) if x else "absent",
                            show(ALERT_COLS.split(", "), y) if y
                            else "absent"))
    summary.append("alert_state: %d open alike, %d withdrawn or never "
                   "opened on both%s" % (
                       equal_open, equal_gone, ", %d R24 on notices only one "
                       "side issued" % explained if explained else ""))
    problems += stats_tables(dbs, r24_explained, summary)
    problems += state_vs_outputs("after the crashes", dbs[0], *argv[2:5])
    problems += state_vs_outputs("without crashes", dbs[1], *argv[5:8])
    summary.append("alert_state and notice agree with the committed outputs "
                   "on both sides" if not any(
                       "committed" in p for p in problems) else
                   "alert_state/notice vs committed outputs: see above")
    for p in problems[:12]:
        print("state: %s" % p)
    if len(problems) > 12:
        print("state: ... %d more" % (len(problems) - 12))
    print("state: %s (%s)" % ("equal" if not problems else "DIFFERENT",
                              "; ".join(summary)))
    return 0 if not problems else 1


def main(argv):
    if len(argv) >= 2 and argv[1] == "outputs":
        return cmd_outputs(argv[2:])
    if len(argv) >= 2 and argv[1] == "state":
        return cmd_state(argv[2:])
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
