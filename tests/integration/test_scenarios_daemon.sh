#!/usr/bin/env bash
# tests/integration/test_scenarios_daemon.sh ENFORCEWATCHD ENFORCEWATCH
#
# The whole scenario suite (tests/scenarios/*.jsonl, or $EW_SCENARIOS_DIR)
# through enforcewatchd on the real broker: the alerts the daemon publishes
# must be exactly the alerts `enforcewatch check [--config <name>.cfg]
# <name>.jsonl` prints for each scenario (compared as multisets of canonical
# JSON: the daemon reads several partitions, so only the order may differ).
#
# One daemon per run, and as few runs as possible: every scenario goes into
# one shared run (its own topics, group and state file), since scenario ids
# never collide; a scenario gets another run only when it has to:
#   - it has a <name>.cfg: one run per distinct .cfg, its content appended to
#     the run's config (skipped if the .cfg sets brokers, topics, group_id,
#     state_path or client_id, which the test must own);
#   - a reference record (same type and id) of it differs from another
#     scenario's in the same run, or an event_id or event subject id is
#     another's: the two go to different runs, as they would overwrite each
#     other in one.
# Skipped, with the reason printed and counted: a scenario whose alerts depend
# on the clock (check and check --as-of <tomorrow> differ: a time-driven rule;
# the daemon's clock is the wall clock, not the file's event times), and one
# whose .cfg cannot be merged.
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
# outbox is empty (every alert delivered). Scenarios never share ids, so
# round k of one scenario cannot affect another, and each scenario is
# replayed in its own file order: interleaving-dependent scenarios (a
# reference update after events) need no run of their own.
#
# Output: per run its rounds; then "N scenarios compared, M alerts matched,
# K skipped (reasons)"; on a difference, per scenario, the alerts only check
# printed (-) and only the daemon published (+), paired by alert_id and status
# with the differing fields named. The dead-letter topic must stay empty.
# Exit status 0 only when every compared scenario matches.
# shellcheck source=tests/integration/lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"

ew_init scenarios_daemon "$@"
SCEN_DIR=${EW_SCENARIOS_DIR:-$EW_ROOT/tests/scenarios}
[[ -d "$SCEN_DIR" ]] || ew_fail "no scenario directory $SCEN_DIR"
T0=$SECONDS

# ---- 1. expected alerts, run plan ------------------------------------------
# Writes $EW_TMP/runs/<run>/{scenarios.txt,extra.cfg,rounds/NNN.jsonl,
# counts.txt,expected.jsonl}, $EW_TMP/runs.txt (one run dir per line),
# $EW_TMP/plan.json (scenario attribution, skips) for the comparison.
ew_log "planning: enforcewatch check on every scenario of $SCEN_DIR"
python3 - "$SCEN_DIR" "$EW_TMP" "$EW_CLI" >&2 <<'EOF' || ew_fail "planning failed"
import concurrent.futures as cf
import datetime as dt
import glob
import json
import os
import re
import subprocess
import sys

scen_dir, tmp, cli = sys.argv[1:4]
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
# The daemon's clock: now, plus a margin for the test's own run time.
TOMORROW = (dt.datetime.now(dt.timezone(dt.timedelta(hours=8))) +
            dt.timedelta(days=1)).isoformat(timespec="seconds")


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


def check(name, extra):
    args = [cli, "check"]
    cfg = os.path.join(scen_dir, name + ".cfg")
    if os.path.exists(cfg):
        args += ["--config", cfg]
    p = subprocess.run(args + extra + [os.path.join(scen_dir, name + ".jsonl")],
                       capture_output=True, text=True)
    bad = [l for l in p.stderr.splitlines()
           if re.search(r"\.jsonl:\d+:", l)]
    alerts = []
    for line in p.stdout.splitlines():
        if line.strip():
            o = json.loads(line)
            if o.get("kind") == "alert":
                o.pop("kind")
                alerts.append(o)
    return p.returncode, bad, alerts, p.stderr


names = sorted(os.path.basename(f)[:-len(".jsonl")]
               for f in glob.glob(os.path.join(scen_dir, "*.jsonl")))
if not names:
    sys.exit("no scenario files in " + scen_dir)

with cf.ThreadPoolExecutor(max_workers=2) as pool:
    plain = dict(zip(names, pool.map(lambda n: check(n, []), names)))
    asof = dict(zip(names, pool.map(
        lambda n: check(n, ["--as-of", TOMORROW]), names)))

scen, skipped, errors = {}, {}, []
for name in names:
    rc, bad, alerts, err = plain[name]
    if rc != 0 or bad:
        errors.append("%s: enforcewatch check exited %d%s\n%s" % (
            name, rc, ", bad lines" if bad else "", err.strip()))
        continue
    if [canon(a) for a in alerts] != [canon(a) for a in asof[name][2]]:
        skipped[name] = ("depends on the clock (check --as-of %s differs; "
                         "the daemon runs on the wall clock)" % TOMORROW)
        continue
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
        for n, line in enumerate(fp, 1):
            if line.strip():
                recs.append((line if line.endswith("\n") else line + "\n",
                             json.loads(line)))
    scen[name] = {"cfg": cfg, "recs": recs, "expected": alerts}

if errors:
    print("\n".join(errors))
    sys.exit("enforcewatch check failed on %d scenario(s)" % len(errors))


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


# Runs: by .cfg content, then greedily apart from conflicting scenarios.
runs, notes = [], []
for name in sorted(scen, key=lambda n: (scen[n]["cfg"] != "", n)):
    s = scen[name]
    s["fp"] = footprint(s["recs"])
    for r in runs:
        if r["cfg"] == s["cfg"] and not any(
                conflict(s["fp"], scen[m]["fp"]) for m in r["members"]):
            r["members"].append(name)
            break
    else:
        clash = sorted(m for r in runs if r["cfg"] == s["cfg"]
                       for m in r["members"]
                       if conflict(s["fp"], scen[m]["fp"]))
        if clash:
            notes.append("%s shares ids with %s: run apart" % (
                name, ", ".join(clash[:3]) + (", ..." if len(clash) > 3
                                              else "")))
        runs.append({"cfg": s["cfg"], "members": [name]})

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
        with open(os.path.join(d, "expected.jsonl"), "w",
                  encoding="utf-8") as fp:
            for m in r["members"]:
                for a in scen[m]["expected"]:
                    fp.write(canon(a) + "\n")
        print("run r%d: %d scenario(s), %d round(s), %d record(s), %d "
              "expected alert(s)%s" % (
                  i, len(r["members"]), nrounds,
                  sum(len(s) for v in segs.values() for s in v),
                  sum(len(scen[m]["expected"]) for m in r["members"]),
                  ", with its .cfg" if r["cfg"] else ""))
for n in notes:
    print(n)

# Attribution of an alert to its scenario: by alert_id as check printed it,
# else by any id-like value (subject, agency, enterprise, evidence) that
# occurs in exactly one scenario's records.
owner = {}


def walk(v, name):
    if isinstance(v, str):
        owner.setdefault(v, set()).add(name)
    elif isinstance(v, list):
        for x in v:
            walk(x, name)
    elif isinstance(v, dict):
        for x in v.values():
            walk(x, name)


for name, s in scen.items():
    for _, o in s["recs"]:
        walk(o, name)
    for a in s["expected"]:
        owner.setdefault(a["alert_id"], set()).add(name)
json.dump({"owner": {k: min(v) for k, v in owner.items() if len(v) == 1},
           "run_of": {m: "r%d" % i for i, r in enumerate(runs, 1)
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
  ew_log "run $r: the daemon applied all $sent records"
  ew_tail "$EW_T_ALERTS" "$run/alerts.jsonl"
  ew_tail "$EW_T_DEADLETTER" "$run/deadletter.jsonl"
  ew_daemon_alive || ew_fail "the daemon of run $r exited"
  ew_daemon_stop 15 || ew_fail "the daemon of run $r did not stop within 15 s"
  [[ "$EW_DAEMON_RC" == 0 ]] || ew_fail "the daemon of run $r exited with $EW_DAEMON_RC"
  EW_TMP=$BASE_TMP
  EW_PREFIX=$BASE_PREFIX
done <"$EW_TMP/runs.txt"

# ---- 3. comparison ----------------------------------------------------------
python3 - "$EW_TMP" "$((SECONDS - T0))" <<'EOF' || ew_fail "the daemon's alerts differ from enforcewatch check's"
import collections
import json
import os
import sys

tmp, secs = sys.argv[1], sys.argv[2]
plan = json.load(open(os.path.join(tmp, "plan.json"), encoding="utf-8"))
owner = plan["owner"]


def canon(o):
    return json.dumps(o, sort_keys=True, ensure_ascii=False)


def load(path, kind):
    out = []
    for line in open(path, encoding="utf-8"):
        if line.strip():
            o = json.loads(line)
            if o.get("kind", kind) == kind:
                o.pop("kind", None)
                out.append(o)
    return out


def scenario_of(a):
    for v in [a.get("alert_id"), a.get("subject_id"),
              (a.get("subject_id") or "").split("/")[0], a.get("agency_uscc"),
              a.get("enterprise_uscc")] + list(a.get("evidence_event_ids")
                                               or []):
        if v in owner:
            return owner[v]
    return "(no scenario)"


def short(a):
    return "%s %s %s %s %s" % (a.get("rule_id"), a.get("status"),
                               a.get("severity"), a.get("subject_id"),
                               a.get("detected_at"))


compared, matched, bad, dead = 0, 0, {}, []
for run in open(os.path.join(tmp, "runs.txt")).read().split():
    members = open(os.path.join(run, "scenarios.txt")).read().split()
    compared += len(members)
    want = collections.Counter(canon(a) for a in load(
        os.path.join(run, "expected.jsonl"), "alert"))
    got = collections.Counter(canon(a) for a in load(
        os.path.join(run, "alerts.jsonl"), "alert"))
    matched += sum((want & got).values())
    for c, sign in ((want - got, "-"), (got - want, "+")):
        for line, n in c.items():
            a = json.loads(line)
            bad.setdefault(scenario_of(a), []).extend([(sign, a)] * n)
    for line in open(os.path.join(run, "deadletter.jsonl"), encoding="utf-8"):
        if line.strip():
            dead.append("%s: %s" % (os.path.basename(run), line.strip()[:300]))

skipped = plan["skipped"]
reasons = collections.Counter(skipped.values())
print("%d scenarios compared, %d alerts matched, %d skipped%s (%ss)" % (
    compared, matched, len(skipped),
    " (" + "; ".join("%d: %s" % (n, r) for r, n in reasons.items()) + ")"
    if skipped else "", secs))
for name in sorted(skipped):
    print("  skipped %s: %s" % (name, skipped[name]))
for name in sorted(bad):
    print("DIFF %s (run %s): - only enforcewatch check, + only enforcewatchd"
          % (name, plan["run_of"].get(name, "?")))
    items = bad[name]
    # Pair a missing and an extra alert of the same id and status, and name
    # the fields in which they differ.
    minus = [a for s, a in items if s == "-"]
    plus = [a for s, a in items if s == "+"]
    for a in minus:
        twin = next((b for b in plus if b.get("alert_id") == a.get("alert_id")
                     and b.get("status") == a.get("status")), None)
        if twin is not None:
            plus.remove(twin)
            print("  ~ %s" % short(a))
            for k in sorted(set(a) | set(twin)):
                if a.get(k) != twin.get(k):
                    print("      %s: check %s" % (k, json.dumps(
                        a.get(k), ensure_ascii=False)))
                    print("      %s: daemon %s" % (" " * len(k), json.dumps(
                        twin.get(k), ensure_ascii=False)))
        else:
            print("  - %s\n      %s" % (short(a), canon(a)))
    for b in plus:
        print("  + %s\n      %s" % (short(b), canon(b)))
for line in dead:
    print("DEAD LETTER %s" % line)
if not compared:
    print("no scenario was compared")
sys.exit(1 if bad or dead or not compared else 0)
EOF
ew_pass
