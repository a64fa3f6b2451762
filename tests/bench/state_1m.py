#!/usr/bin/env python3
"""state_1m.py - the two halves of tests/bench/state_1m.sh (issue 7).

    state_1m.py gen TEMPLATE ENTERPRISES MORE WARM OUTDIR
    state_1m.py measure --daemon BIN --cli BIN --state FILE --dir DIR
                        --brokers HOST:PORT --prefix PREFIX

gen: a province's worth of input from a small realistic one. TEMPLATE is
tests/crash/gen_load.py output (Linxia's departments, their plans,
certificates, approvals and benchmarks, and a few percent of cases that
break a rule). Its reference records are kept as they are; its inspections
and penalties are cloned in rounds, each round for new enterprises (valid
USCCs of the same county, the template's wrong check characters kept wrong)
with every id suffixed "-rN", and the clones of one template event are
written together, so the stream keeps the template's time order. Rounds =
ENTERPRISES // (enterprises of the template); every enterprise, cloned or
not (the rest up to ENTERPRISES only has a grade), gets a credit_grade (A
30 %, B 50 %, C 15 %, D 5 %). Complaints and feedback are left out: they
are not per enterprise. Writes OUTDIR/refs.jsonl, grades.jsonl,
events.jsonl (what the state is built from) and the last events held
back: tail_w.jsonl (WARM of them for the first start, plus the template's
first 30 inspections, penalties and complaints and 10 feedback records as
they are (their ids are not in the state: every clone's has a suffix):
every event partition gets a consumed offset in the state file, as in a
daemon that has run for a while, so the restarts below do not measure the
reset of a partition never read), tail_a.jsonl (1, waiting at the clean restart),
tail_m.jsonl (MORE, processed for the RSS figure), tail_b.jsonl (1, waiting
at the restart after kill -9). A summary line goes to stdout as JSON.

measure: the daemon on a state file built from that. Topics named PREFIX.*
on the broker; a config in DIR. Then:
  1. W is sent and the daemon started and left to process it (the group
     is created, the rule configuration recorded, every event partition
     gets its offset in the state file): first_start_s.
  2. SIGTERM (a clean close); A is sent; the daemon is exec'd again:
     from just before the exec until A's offset is in the state file (the
     offsets table moves in the transaction that applies the event, so that
     moment means "applied and durable"; the file is polled read-only every
     2 ms). Done --restarts times (A again under a new event_id: the same
     snapshot, later in the stream); restart_s is the median, restarts_s
     every one (the Kafka clients' start varies by a few hundred ms).
  3. MORE events are sent and processed: rss_kib = VmHWM of the daemon
     after them (peak resident set since its start), with VmRSS.
  4. kill -9; B is sent; exec again: restart_unclean_s likewise.
  5. SIGTERM.
The daemon's log of each start is kept in DIR (start-*.log); the phases
it logs (state file opened, bootstrap done, running) are reported in ms
after the exec. One JSON line goes to stdout.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.normpath(os.path.join(HERE, "..", "..", "deploy",
                                                 "sample")))
from ewdata import USCC_ALPHABET, make_uscc, uscc_valid  # noqa: E402

EVENT_TYPES = ("inspection", "penalty", "complaint", "feedback")
CLONED = ("inspection", "penalty")
ID_FIELDS = ("event_id", "inspection_id", "decision_no", "case_id",
             "complaint_id", "written_record_id", "legal_review_id")
BODY_CHARS = USCC_ALPHABET[:10] + "ABCDEFGHJKLMN"  # as gen_load.py
GRADES = [("A", 30), ("B", 50), ("C", 15), ("D", 5)]


def log(msg):
    print("[state_1m %s] %s" % (time.strftime("%H:%M:%S"), msg),
          file=sys.stderr, flush=True)


def body(prefix, n):
    """An 8-character organisation body: prefix + n in base 23."""
    s = ""
    for _ in range(6):
        n, d = divmod(n, len(BODY_CHARS))
        s = BODY_CHARS[d] + s
    return prefix + s


def grade_of(i):
    x = (i * 2654435761) % 100
    for g, pct in GRADES:
        if x < pct:
            return g
        x -= pct
    return "D"


def gen(template, n_ent, more, warm, outdir):
    refs, events, ents = [], [], {}
    others = {k: [] for k in EVENT_TYPES}  # the first start's extra events
    with open(template, encoding="utf-8") as fp:
        for line in fp:
            if not line.strip():
                continue
            o = json.loads(line)
            if o["type"] not in EVENT_TYPES:
                refs.append(line if line.endswith("\n") else line + "\n")
            else:
                others[o["type"]].append(line.rstrip("\n"))
            if o["type"] in CLONED:
                events.append(o)
                u = o.get("enterprise_uscc")
                if u and u not in ents:
                    region = o.get("enterprise_region_code") or u[2:8]
                    ents[u] = (len(ents), region, uscc_valid(u))
    if not events or not ents:
        sys.exit("state_1m.py gen: no inspection or penalty in %s" % template)
    rounds = max(1, n_ent // len(ents))
    regions = sorted({r for _, r, _ in ents.values()})
    log("template: %d reference records, %d inspection/penalty events, %d "
        "enterprises; %d rounds" % (len(refs), len(events), len(ents), rounds))

    def clone_uscc(u, r):
        j, region, valid = ents[u]
        return make_uscc("91", region, body("MC", r * len(ents) + j),
                         corrupt=not valid)

    with open(os.path.join(outdir, "refs.jsonl"), "w", encoding="utf-8") as fp:
        fp.writelines(refs)
    n_grades = 0
    with open(os.path.join(outdir, "grades.jsonl"), "w",
              encoding="utf-8") as fp:
        def grade_line(u, i):
            return json.dumps({"type": "credit_grade", "enterprise_uscc": u,
                               "grade": grade_of(i),
                               "as_of": "2025-01-01T00:00:00+08:00"}) + "\n"
        for r in range(rounds):
            for u in ents:
                fp.write(grade_line(clone_uscc(u, r), n_grades))
                n_grades += 1
        for i in range(n_grades, n_ent):  # enterprises never inspected
            u = make_uscc("91", regions[i % len(regions)], body("MD", i))
            fp.write(grade_line(u, i))
            n_grades += 1

    total = len(events) * rounds
    held = warm + 2 + more
    if total <= held:
        sys.exit("state_1m.py gen: too few events for the tail")
    tails = [("tail_w.jsonl", warm), ("tail_a.jsonl", 1),
             ("tail_m.jsonl", more), ("tail_b.jsonl", 1)]
    out = open(os.path.join(outdir, "events.jsonl"), "w", encoding="utf-8")
    written, tail_i, tail_left = 0, -1, 0
    for o in events:
        for r in range(rounds):
            c = dict(o)
            suf = "-r%d" % r
            for f in ID_FIELDS:
                if c.get(f):
                    c[f] = c[f] + suf
            if c.get("av_record_ids"):
                c["av_record_ids"] = [x + suf for x in c["av_record_ids"]]
            if c.get("enterprise_uscc"):
                c["enterprise_uscc"] = clone_uscc(o["enterprise_uscc"], r)
            if written == total - held or (tail_i >= 0 and tail_left == 0):
                out.close()
                tail_i += 1
                name, tail_left = tails[tail_i]
                out = open(os.path.join(outdir, name), "w", encoding="utf-8")
            out.write(json.dumps(c, ensure_ascii=False) + "\n")
            written += 1
            if tail_i >= 0:
                tail_left -= 1
    out.close()
    with open(os.path.join(outdir, "tail_w.jsonl"), "a",
              encoding="utf-8") as fp:
        for line in (others["inspection"][:30] + others["penalty"][:30] +
                     others["complaint"][:30] + others["feedback"][:10]):
            fp.write(line + "\n")
    summary = {"enterprises": n_grades, "enterprises_inspected":
               rounds * len(ents), "rounds": rounds,
               "reference_records": len(refs) + n_grades,
               "state_events": total - held, "held_back_events": held}
    print(json.dumps(summary))


# ---- measure -----------------------------------------------------------------

def write_config(d, brokers, prefix, state):
    refs = "".join('    %s = "%s.enforcement.ref.%s";\n' % (k, prefix, k)
                   for k in ("agency", "plan", "approval", "certificate",
                             "benchmark", "leniency_item", "sampling_item",
                             "random_task", "credit_grade", "calendar_day"))
    t = lambda n: "%s.%s" % (prefix, n)  # noqa: E731
    cfg = os.path.join(d, "enforcewatch.cfg")
    with open(cfg, "w", encoding="utf-8") as fp:
        fp.write('''# Written by tests/bench/state_1m.py.
brokers = "%s";
group_id = "%s.group";
instance_id = "%s.daemon";
state_path = "%s";
log_level = "%s";
topics = {
  inspections = "%s";
  complaints = "%s";
  penalties = "%s";
  feedback = "%s";
  ref = {
%s  };
  alerts = "%s";
  notices = "%s";
  stats = "%s";
  deadletter = "%s";
  progress = "%s";
};
''' % (brokers, prefix, prefix, state,
            os.environ.get("EW_1M_LOG_LEVEL", "info"),
            t("enforcement.inspections"),
            t("enforcement.complaints"), t("enforcement.penalties"),
            t("enforcement.feedback"), refs, t("enforcement.alerts"),
            t("enforcement.notices"), t("enforcement.stats"),
            t("enforcement.deadletter"), t("enforcewatch.progress")))
    return cfg


class Bench:
    def __init__(self, a):
        self.a = a
        self.cfg = write_config(a.dir, a.brokers, a.prefix, a.state)
        self.proc = None
        self.starts = 0
        self.db = None
        self.topics = tuple("%s.enforcement.%s" % (a.prefix, k)
                            for k in ("inspections", "complaints", "penalties",
                                      "feedback"))

    def cli(self, *args):
        r = subprocess.run([self.a.cli] + list(args) + ["--config", self.cfg],
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit("enforcewatch %s failed:\n%s%s" % (" ".join(args),
                                                        r.stdout, r.stderr))
        return r

    def send(self, name):
        r = self.cli("send", os.path.join(self.a.dir, name))
        log("sent %s: %s" % (name, r.stderr.strip().splitlines()[-1]
                             if r.stderr.strip() else r.stdout.strip()))

    def consumed(self):
        """Events applied so far: the sum of the state's next offsets of
        the event topics (0 before any)."""
        if self.db is None:
            if not os.path.exists(self.a.state):
                return 0
            self.db = sqlite3.connect("file:%s?mode=ro" % self.a.state,
                                      uri=True, timeout=10)
        q = "SELECT coalesce(sum(next_offset), 0) FROM offsets WHERE topic IN" \
            " (?, ?, ?, ?)"
        for _ in range(50):
            try:
                return self.db.execute(q, self.topics).fetchone()[0]
            except sqlite3.OperationalError:  # busy or no table yet
                time.sleep(0.01)
        return self.db.execute(q, self.topics).fetchone()[0]

    def start(self):
        self.starts += 1
        self.logpath = os.path.join(self.a.dir, "start-%d.log" % self.starts)
        lf = open(self.logpath, "w")
        self.t_exec_wall = time.time()
        t0 = time.monotonic()
        self.proc = subprocess.Popen([self.a.daemon, "-c", self.cfg],
                                     stdout=lf, stderr=subprocess.STDOUT)
        lf.close()
        return t0

    def wait_consumed(self, want, limit_s, what):
        deadline = time.monotonic() + limit_s
        while True:
            n = self.consumed()
            if n >= want:
                return time.monotonic()
            if self.proc.poll() is not None:
                sys.exit("the daemon exited (status %s) while waiting for %s;"
                         " see %s" % (self.proc.returncode, what,
                                      self.logpath))
            if time.monotonic() > deadline:
                sys.exit("timed out after %d s waiting for %s (%d of %d "
                         "events applied); see %s" % (limit_s, what, n, want,
                                                      self.logpath))
            time.sleep(0.002)

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(120)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc = None
        return rc

    def status(self):
        out = {}
        with open("/proc/%d/status" % self.proc.pid) as fp:
            for line in fp:
                k, _, v = line.partition(":")
                if k in ("VmHWM", "VmRSS"):
                    out[k] = int(v.split()[0])
        return out

    def phases(self):
        """ms after the exec of what the daemon logs at start."""
        marks = {"state_opened": "state file ", "bootstrap_done":
                 "bootstrap: reference topics read", "running": "info running"}
        out, open_ms = {}, None
        with open(self.logpath, encoding="utf-8", errors="replace") as fp:
            for line in fp:
                for k, m in marks.items():
                    if k in out or m not in line:
                        continue
                    if k == "state_opened" and " open" not in line:
                        continue
                    ts = line.split(" ", 1)[0]
                    try:
                        t = datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ")
                    except ValueError:
                        continue
                    t = t.replace(tzinfo=timezone.utc).timestamp()
                    out[k + "_ms"] = round((t - self.t_exec_wall) * 1000)
                if "opened in " in line and open_ms is None:
                    try:
                        open_ms = int(line.split("opened in ")[1].split()[0])
                    except (IndexError, ValueError):
                        pass
                    out["quick_check"] = "quick_check passed" in line
        if open_ms is not None:
            out["store_open_ms"] = open_ms
        return out


def measure(a):
    b = Bench(a)
    res = {}
    b.cli("topics", "create")
    base = b.consumed()
    b.send("tail_w.jsonl")
    n_warm = sum(1 for _ in open(os.path.join(a.dir, "tail_w.jsonl")))
    t0 = b.start()
    b.wait_consumed(base + n_warm, a.timeout, "the first start's events")
    res["first_start_s"] = round(time.monotonic() - t0, 3)
    res["first_start"] = b.phases()
    rc = b.stop()
    if rc != 0:
        sys.exit("the daemon exited with status %d at SIGTERM" % rc)
    base += n_warm - 1

    with open(os.path.join(a.dir, "tail_a.jsonl"), encoding="utf-8") as fp:
        event_a = json.loads(fp.readline())
    times = []
    for i in range(a.restarts):
        if i:
            rc = b.stop()
            if rc != 0:
                sys.exit("the daemon exited with status %d at SIGTERM" % rc)
            base += 1
        again = dict(event_a, event_id="%s-restart%d" % (event_a["event_id"],
                                                          i))
        name = "tail_a%d.jsonl" % i
        with open(os.path.join(a.dir, name), "w", encoding="utf-8") as fp:
            fp.write(json.dumps(again, ensure_ascii=False) + "\n")
        b.send(name)
        t0 = b.start()
        t1 = b.wait_consumed(base + 2, a.timeout,
                             "the event waiting at restart")
        times.append(round(t1 - t0, 3))
        res["restart"] = b.phases()
        log("restart: %.3f s %s" % (times[-1], res["restart"]))
    res["restart_s"] = sorted(times)[len(times) // 2]
    res["restarts_s"] = times

    n_more = sum(1 for _ in open(os.path.join(a.dir, "tail_m.jsonl")))
    t0 = time.monotonic()
    b.send("tail_m.jsonl")
    t1 = b.wait_consumed(base + 2 + n_more, a.timeout, "the events after it")
    st = b.status()
    res["more_events"] = n_more
    res["more_s"] = round(t1 - t0, 3)
    res["rss_kib"] = st["VmHWM"]
    res["rss_now_kib"] = st["VmRSS"]
    log("after %d more events: VmHWM %d KiB, VmRSS %d KiB" %
        (n_more, st["VmHWM"], st["VmRSS"]))

    b.stop(signal.SIGKILL)
    b.send("tail_b.jsonl")
    t0 = b.start()
    t1 = b.wait_consumed(base + 3 + n_more, a.timeout,
                         "the event waiting at the restart after kill -9")
    res["restart_unclean_s"] = round(t1 - t0, 3)
    res["restart_unclean"] = b.phases()
    res["rss_unclean_kib"] = b.status()["VmHWM"]
    log("restart after kill -9: %.3f s %s" % (res["restart_unclean_s"],
                                             res["restart_unclean"]))
    rc = b.stop()
    if rc != 0:
        sys.exit("the daemon exited with status %d at SIGTERM" % rc)
    print(json.dumps(res))


def main(argv):
    if len(argv) >= 2 and argv[1] == "gen" and len(argv) == 7:
        gen(argv[2], int(argv[3]), int(argv[4]), int(argv[5]), argv[6])
        return 0
    if len(argv) >= 2 and argv[1] == "measure":
        import argparse
        ap = argparse.ArgumentParser(prog="state_1m.py measure")
        for k in ("daemon", "cli", "state", "dir", "brokers", "prefix"):
            ap.add_argument("--" + k, required=True)
        ap.add_argument("--timeout", type=int, default=600)
        ap.add_argument("--restarts", type=int, default=3)
        a = ap.parse_args(argv[2:])
        measure(a)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
