#!/usr/bin/env bash
# tests/integration/test_scenarios_daemon.sh ENFORCEWATCHD ENFORCEWATCH
#
# The whole scenario suite (tests/scenarios/*.jsonl, or $EW_SCENARIOS_DIR)
# through enforcewatchd on the real broker: what the daemon publishes must be
# what `enforcewatch check [--config <name>.cfg] --as-of <T> <name>.jsonl`
# prints for each scenario, where T is the daemon's own final clock.
#
# Time. The daemon's clock follows the events while it reads a backlog and
# is wall time once a poll comes back empty (architecture.md "Time"), so by
# the end it has fired every deadline due by now, and it may have judged a
# snapshot at wall time where check judged it at its event time. After the
# last round the test waits for a tick of the caught-up daemon, stops it,
# reads its final clock T from its SQLite state (meta "clock") and runs check
# --as-of T. The alerts are compared by their final state per alert_id, the
# notices by notice_id (tests/integration/final_state.py says exactly how;
# e.g. an alert the daemon opened on its clock and a later snapshot withdrew,
# where check never opened it, is "explained", and is listed). A scenario's
# <name>.asof is not used: it is the time its .expected was written for,
# while the daemon can only run at wall time.
#
# One daemon per run, and as few runs as possible: every scenario goes into
# one shared run (its own topics, group and state file), since scenario ids
# never collide; a scenario gets another run only when it has to:
#   - it has a <name>.cfg: one run per distinct .cfg, its content appended to
#     the run's config (skipped if the .cfg sets brokers, topics, group_id,
#     state_path or client_id, which the test must own);
#   - its earliest event is of another year (Asia/Shanghai) than those of
#     the run, or it has no event: R01 judges every agency for every year
#     from the earliest event the engine has seen to its clock's, so in a
#     shared daemon an agency of a 2025 scenario would be judged for 2023;
#   - a reference record (same type and id) of it differs from another
#     scenario's in the same run, or an event_id or event subject id is
#     another's: the two go to different runs, as they would overwrite each
#     other in one.
# Skipped, with the reason printed and counted: a scenario whose .cfg cannot
# be merged. The files are copied when the runs are planned, and check reads
# the copies: the records compared are the records sent, even if the
# scenarios are regenerated meanwhile.
#
# Order. Within a scenario, what the daemon sees must be what check reads,
# where it matters. The daemon guarantees order only within a partition, and
# drains whatever reference records have arrived before events, so records
# sent together may be applied in any order across topics and keys. Each
# scenario file is therefore cut into segments at every point where order can
# matter: from reference records to events and back (a reference record
# updated or deleted after events), before and after a random_task (a
# reference record judged as a subject when it arrives, so it must see the
# agency registry first), and between events of different topics or keys
# (e.g. a complaint and the inspection it triggers). Round k sends the k-th
# segment of every scenario of the run in one `enforcewatch send`, and the
# next round starts only when the daemon has applied every record sent so far
# (the sum of the next offsets it stored in its SQLite state equals the
# number of records sent: fresh topics, a non-transactional producer) and its
# outbox is empty (every output delivered). Scenarios never share ids, so
# round k of one scenario cannot affect another, and each scenario is
# replayed in its own file order: interleaving-dependent scenarios (a
# reference update after events) need no run of their own.
#
# Output: per run its rounds and final clock; then "N scenarios compared,
# M alert ids matched, K notices matched, E explained, S skipped"; on a
# difference, per scenario, what only check printed (-), only the daemon
# published (+), or both with different final records (~, fields named).
# The dead-letter topic must stay empty. Exit status 0 only when every
# compared scenario matches.
# shellcheck source=tests/integration/lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"

ew_init scenarios_daemon "$@"
SCEN_DIR=${EW_SCENARIOS_DIR:-$EW_ROOT/tests/scenarios}
[[ -d "$SCEN_DIR" ]] || ew_fail "no scenario directory $SCEN_DIR"
T0=$SECONDS

# ---- 1. run plan -------------------------------------------------------------
# Writes $EW_TMP/runs/<run>/{scenarios.txt,extra.cfg,rounds/NNN.jsonl,
# counts.txt}, $EW_TMP/runs.txt (one run dir per line) and $EW_TMP/plan.json
# (run of each scenario, skips).
ew_log "planning the runs of $SCEN_DIR"
python3 - "$SCEN_DIR" "$EW_TMP" >&2 <<'EOF' || ew_fail "planning failed"
import datetime as dt
import glob
import json
import os
import re
import sys

scen_dir, tmp = sys.argv[1:3]
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
EVENT_KEY = {"inspection": "enterprise_uscc", "complaint": "complaint_id",
             "penalty": "enterprise_uscc", "feedback": "notice_id"}
EVENT_SUBJECT = {"inspection": "inspection_id", "complaint": "complaint_id",
                 "penalty": "decision_no", "feedback": "notice_id"}
REF_ID = {"agency": "agency_uscc", "plan": "plan_id",
          "approval": "approval_id", "certificate": "cert_no",
          "benchmark": "benchmark_id", "leniency_item": "item_id",
          "sampling_item": "item_code", "random_task": "task_id",
          "credit_grade": "enterprise_uscc", "calendar_day": "date"}
SUBJECT_REFS = {"random_task"}  # judged by rules when they arrive
RESERVED = {"brokers", "topics", "group_id", "state_path", "client_id"}


def canon(o):
    return json.dumps(o, sort_keys=True, ensure_ascii=False)


def cfg_top_keys(text):
    """Top-level setting names of a libconfig file (comments, strings and
    nested groups skipped)."""
    text = re.sub(r'"(\\.|[^"\\])*"', '""', text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"(#|//)[^\n]*", "", text)
    keys, depth = set(), 0
    for m in re.finditer(r"[{}\[\]()]|([A-Za-z*][-A-Za-z0-9_*]*)\s*[=:]",
                         text):
        t = m.group(0)
        if t in "{[(":
            depth += 1
        elif t in "}])":
            depth -= 1
        elif depth == 0:
            keys.add(m.group(1))
    return keys


names = sorted(os.path.basename(f)[:-len(".jsonl")]
               for f in glob.glob(os.path.join(scen_dir, "*.jsonl")))
if not names:
    sys.exit("no scenario files in " + scen_dir)

scen, skipped = {}, {}
copies = os.path.join(tmp, "scenarios")
os.makedirs(copies)
for name in names:
    cfg_path = os.path.join(scen_dir, name + ".cfg")
    cfg = open(cfg_path, encoding="utf-8").read() if os.path.exists(
        cfg_path) else ""
    clash = cfg_top_keys(cfg) & RESERVED
    if clash:
        skipped[name] = ".cfg sets %s, which the test owns" % ",".join(
            sorted(clash))
        continue
    recs = []
    with open(os.path.join(scen_dir, name + ".jsonl"), encoding="utf-8") as fp:
        text = fp.read()
    # check reads this copy: the scenario files may be regenerated while
    # the daemon runs.
    with open(os.path.join(copies, name + ".jsonl"), "w",
              encoding="utf-8") as fp:
        fp.write(text)
    if cfg:
        with open(os.path.join(copies, name + ".cfg"), "w",
                  encoding="utf-8") as fp:
            fp.write(cfg)
    for n, line in enumerate(text.splitlines(True), 1):
        if line.strip():
            try:
                o = json.loads(line)
            except ValueError as ex:
                sys.exit("%s.jsonl:%d: %s" % (name, n, ex))
            recs.append((line if line.endswith("\n") else line + "\n", o))
    scen[name] = {"cfg": cfg, "recs": recs}


def event_year(o):
    """The Shanghai year of an event's event_time (contract §1 forms)."""
    t = o.get("event_time")
    if isinstance(t, int):
        return dt.datetime.fromtimestamp(t / 1000, SHANGHAI).year
    if isinstance(t, str):
        d = dt.datetime.fromisoformat(t.replace("Z", "+00:00"))
        if d.tzinfo is None:
            d = d.replace(tzinfo=SHANGHAI)
        return d.astimezone(SHANGHAI).year
    return None


def first_year(recs):
    years = [event_year(o) for _, o in recs if o.get("type") in EVENT_KEY]
    years = [y for y in years if y is not None]
    return min(years) if years else None


def lane(o):
    t = o.get("type")
    if t in EVENT_KEY:
        return ("event", t, o.get(EVENT_KEY[t]))
    if t in SUBJECT_REFS:
        return ("subject-ref", t)
    return ("ref",)


def segments(recs):
    out, last = [], None
    for line, o in recs:
        ln = lane(o)
        if ln != last:
            out.append([])
            last = ln
        out[-1].append(line)
    return out


def footprint(recs):
    """What a scenario must not share with another in the same run: its
    reference keys (with every version it sends), event ids and subjects."""
    refs, ids = {}, set()
    for _, o in recs:
        t = o.get("type")
        if t in EVENT_KEY:
            ids.add(("event_id", o.get("event_id")))
            ids.add((t, o.get(EVENT_SUBJECT[t])))
        elif t in REF_ID:
            refs.setdefault((t, o.get(REF_ID[t])), set()).add(
                "deleted" if o.get("deleted") else canon(o))
    return refs, ids


def conflict(a, b):
    ra, ia = a
    rb, ib = b
    if ia & ib:
        return True
    for k in ra.keys() & rb.keys():
        versions = ra[k] | rb[k]
        if len(versions) > 1 or "deleted" in versions:
            return True
    return False


# Runs: by .cfg content and earliest event year, then greedily apart from
# conflicting scenarios.
runs, notes = [], []
for name in sorted(scen, key=lambda n: (scen[n]["cfg"] != "", n)):
    s = scen[name]
    s["fp"] = footprint(s["recs"])
    s["year"] = first_year(s["recs"])
    for r in runs:
        if (r["cfg"], r["year"]) == (s["cfg"], s["year"]) and not any(
                conflict(s["fp"], scen[m]["fp"]) for m in r["members"]):
            r["members"].append(name)
            break
    else:
        clash = sorted(m for r in runs
                       if (r["cfg"], r["year"]) == (s["cfg"], s["year"])
                       for m in r["members"]
                       if conflict(s["fp"], scen[m]["fp"]))
        if clash:
            notes.append("%s shares ids with %s: run apart" % (
                name, ", ".join(clash[:3]) + (", ..." if len(clash) > 3
                                              else "")))
        runs.append({"cfg": s["cfg"], "year": s["year"], "members": [name]})

os.makedirs(os.path.join(tmp, "runs"))
with open(os.path.join(tmp, "runs.txt"), "w") as rfp:
    for i, r in enumerate(runs, 1):
        d = os.path.join(tmp, "runs", "r%d" % i)
        os.makedirs(os.path.join(d, "rounds"))
        rfp.write(d + "\n")
        segs = {m: segments(scen[m]["recs"]) for m in r["members"]}
        nrounds = max(len(v) for v in segs.values())
        with open(os.path.join(d, "counts.txt"), "w") as cfp:
            for k in range(nrounds):
                lines = [l for m in r["members"] if k < len(segs[m])
                         for l in segs[m][k]]
                with open(os.path.join(d, "rounds", "%03d.jsonl" % (k + 1)),
                          "w", encoding="utf-8") as fp:
                    fp.writelines(lines)
                cfp.write("%d\n" % len(lines))
        with open(os.path.join(d, "extra.cfg"), "w", encoding="utf-8") as fp:
            fp.write(r["cfg"])
        with open(os.path.join(d, "scenarios.txt"), "w") as fp:
            fp.write("".join(m + "\n" for m in r["members"]))
        print("run r%d: %d scenario(s), %d round(s), %d record(s), events "
              "from %s%s" % (i, len(r["members"]), nrounds,
                             sum(len(s) for v in segs.values() for s in v),
                             r["year"] or "(none)",
                             ", with its .cfg" if r["cfg"] else ""))
for n in notes:
    print(n)
json.dump({"run_of": {m: "r%d" % i for i, r in enumerate(runs, 1)
                      for m in r["members"]},
           "skipped": skipped}, open(os.path.join(tmp, "plan.json"), "w"),
          ensure_ascii=False)
EOF

# ---- 2. one daemon per run --------------------------------------------------

# wait_applied N: until the daemon's state file says it applied N records
# (sum of stored next offsets; fresh topics start at 0) and its outbox is
# empty, polling every 50 ms; fails after 60 s or when the daemon exits.
wait_applied() {
  python3 - "$EW_TMP/state.db" "$1" "$EW_DAEMON_PID" <<'EOF' ||
import os, sqlite3, sys, time
db, want, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
deadline, got, outbox = time.monotonic() + 60, -1, -1
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit("the daemon exited")
    try:
        c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=1)
        got = c.execute("SELECT coalesce(sum(next_offset), 0) FROM offsets"
                        ).fetchone()[0]
        outbox = c.execute("SELECT count(*) FROM outbox").fetchone()[0]
        c.close()
        if got > want:
            sys.exit("the daemon applied %d records, more than the %d sent"
                     % (got, want))
        if got == want and outbox == 0:
            sys.exit(0)
    except sqlite3.Error:
        pass  # not created yet, or busy
    time.sleep(0.05)
sys.exit("timed out: %d of %d records applied, %d output(s) in the outbox"
         % (got, want, outbox))
EOF
    ew_fail "waiting for the daemon to apply $1 records"
}

BASE_TMP=$EW_TMP
BASE_PREFIX=$EW_PREFIX
ew_broker_ensure
while read -r run; do
  r=${run##*/}
  # lib.sh keeps one config, state file and daemon in EW_TMP under
  # EW_PREFIX: each run gets its own of both (topics "<prefix>.<run>.*",
  # still deleted at the end by the "<prefix>.*" pattern).
  EW_TMP=$run
  EW_PREFIX="$BASE_PREFIX.$r"
  ew_config "$(cat "$run/extra.cfg")"
  ew_topics_create
  ew_daemon_start
  sent=0 k=0
  while read -r count; do
    k=$((k + 1))
    f=$(printf '%s/rounds/%03d.jsonl' "$run" "$k")
    ((count > 0)) || continue
    ew_send "$f"
    sent=$((sent + count))
    wait_applied "$sent"
  done <"$run/counts.txt"
  ew_wait_caught_up 60 "$sent"
  ew_daemon_alive || ew_fail "the daemon of run $r exited"
  ew_daemon_stop 15 || ew_fail "the daemon of run $r did not stop within 15 s"
  [[ "$EW_DAEMON_RC" == 0 ]] || ew_fail "the daemon of run $r exited with $EW_DAEMON_RC"
  ew_final_clock
  echo "$EW_FINAL_CLOCK" >"$run/clock.txt"
  ew_log "run $r: the daemon applied all $sent records; final clock $(ew_ms_iso "$EW_FINAL_CLOCK")"
  ew_tail "$EW_T_ALERTS" "$run/alerts.jsonl"
  ew_tail "$EW_T_NOTICES" "$run/notices.jsonl"
  ew_tail "$EW_T_DEADLETTER" "$run/deadletter.jsonl"
  EW_TMP=$BASE_TMP
  EW_PREFIX=$BASE_PREFIX
done <"$EW_TMP/runs.txt"

# ---- 3. check --as-of the daemon's final clock, comparison -------------------
python3 - "$EW_TMP" "$EW_TMP/scenarios" "$EW_CLI" "$EW_ROOT/tests/integration" "$((SECONDS - T0))" <<'EOF' ||
import collections
import concurrent.futures as cf
import datetime as dt
import json
import os
import re
import subprocess
import sys

tmp, scen_dir, cli, here, secs = sys.argv[1:6]
sys.path.insert(0, here)
import final_state as fs  # noqa: E402

plan = json.load(open(os.path.join(tmp, "plan.json"), encoding="utf-8"))
CHECK_TIMEOUT_S = 300


def iso(ms):
    return dt.datetime.fromtimestamp(ms / 1000, dt.timezone(
        dt.timedelta(hours=8))).isoformat(timespec="seconds")


def check(name, as_of):
    args = [cli, "check"]
    cfg = os.path.join(scen_dir, name + ".cfg")
    if os.path.exists(cfg):
        args += ["--config", cfg]
    args += ["--as-of", as_of, os.path.join(scen_dir, name + ".jsonl")]
    try:
        p = subprocess.run(args, capture_output=True, text=True,
                           timeout=CHECK_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return name, "timed out after %d s" % CHECK_TIMEOUT_S, [], []
    bad = [l for l in p.stderr.splitlines() if re.search(r"\.jsonl:\d+:", l)]
    if p.returncode != 0 or bad:
        return name, "exited %d%s: %s" % (
            p.returncode, ", bad lines" if bad else "",
            p.stderr.strip()[:2000]), [], []
    alerts, notices = [], []
    for line in p.stdout.splitlines():
        if line.strip():
            o = json.loads(line)
            k = o.pop("kind", None)
            (alerts if k == "alert" else notices if k == "notice"
             else []).append(o)
    return name, None, alerts, notices


def walk(v, name, owner):
    if isinstance(v, str):
        owner.setdefault(v, set()).add(name)
    elif isinstance(v, list):
        for x in v:
            walk(x, name, owner)
    elif isinstance(v, dict):
        for x in v.values():
            walk(x, name, owner)


compared = open_n = wd_n = notices_n = 0
errors, bad, dead, explained = [], {}, [], collections.Counter()
clocks = []
for run in open(os.path.join(tmp, "runs.txt")).read().split():
    rname = os.path.basename(run)
    members = open(os.path.join(run, "scenarios.txt")).read().split()
    as_of = open(os.path.join(run, "clock.txt")).read().strip()
    clocks.append(int(as_of))
    with cf.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda n: check(n, as_of), members))
    want_a, want_n, owner = [], [], {}
    for name, err, alerts, notices in results:
        if err:
            errors.append("%s: enforcewatch check --as-of %s %s" % (
                name, as_of, err))
            continue
        want_a += alerts
        want_n += notices
        for line in open(os.path.join(scen_dir, name + ".jsonl"),
                         encoding="utf-8"):
            if line.strip():
                walk(json.loads(line), name, owner)
        for o in alerts:
            owner.setdefault(o["alert_id"], set()).add(name)
        for o in notices:
            owner.setdefault(o["notice_id"], set()).add(name)
    owner = {k: min(v) for k, v in owner.items() if len(v) == 1}
    compared += len(members)
    res = fs.compare(want_a, want_n,
                     fs.read_jsonl(os.path.join(run, "alerts.jsonl"), "alert"),
                     fs.read_jsonl(os.path.join(run, "notices.jsonl"),
                                   "notice"),
                     daemon_clock_ms=as_of)
    open_n += res.open
    wd_n += res.withdrawn
    notices_n += res.notices

    def scenario_of(o):
        for v in [o.get("alert_id"), o.get("notice_id"), o.get("subject_id"),
                  (o.get("subject_id") or "").split("/")[0],
                  o.get("agency_uscc"), o.get("enterprise_uscc"),
                  o.get("recipient_agency_uscc")] + list(
                      o.get("evidence_event_ids") or []) + list(
                      o.get("alert_ids") or []):
            if v in owner:
                return owner[v]
        return "(no scenario)"

    for sign, rec, lines in res.diffs:
        bad.setdefault((scenario_of(rec), rname), []).append(
            (sign, rec, lines))
    for why, rec in res.explained:
        explained[(scenario_of(rec), fs.describe(rec, why))] += 1
    for line in open(os.path.join(run, "deadletter.jsonl"), encoding="utf-8"):
        if line.strip():
            dead.append("%s: %s" % (rname, line.strip()[:300]))

skipped = plan["skipped"]
reasons = collections.Counter(skipped.values())
print("%d scenarios compared (check --as-of the daemon's final clock, %s), "
      "%d alert ids matched in their final state (%d open, %d withdrawn), "
      "%d notices matched, %d explained, %d skipped%s (%ss)" % (
          compared, " .. ".join(sorted({iso(min(clocks)), iso(max(clocks))}))
          if clocks else "-", open_n + wd_n, open_n, wd_n, notices_n,
          sum(explained.values()), len(skipped),
          " (" + "; ".join("%d: %s" % (n, r) for r, n in reasons.items()) +
          ")" if skipped else "", secs))
for name in sorted(skipped):
    print("  skipped %s: %s" % (name, skipped[name]))
if explained:
    print("explained by the daemon's clock running ahead of the input "
          "(tests/integration/final_state.py says how):")
    for (name, what), n in sorted(explained.items()):
        print("  %s: %s%s" % (name, what, " (x%d)" % n if n > 1 else ""))
for e in errors:
    print("ERROR %s" % e)
for (name, rname) in sorted(bad):
    print("DIFF %s (run %s): - only enforcewatch check, + only "
          "enforcewatchd, ~ both, final states differ" % (name, rname))
    for sign, rec, lines in bad[(name, rname)]:
        print("  %s %s" % (sign, fs.describe(rec)))
        for l in lines:
            print("      %s" % l)
for line in dead:
    print("DEAD LETTER %s" % line)
if not compared:
    print("no scenario was compared")
sys.exit(1 if bad or dead or errors or not compared else 0)
EOF
  ew_fail "the daemon's final state differs from enforcewatch check's"
ew_pass
