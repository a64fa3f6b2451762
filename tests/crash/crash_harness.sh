#!/usr/bin/env bash
# tests/crash/crash_harness.sh [OPTIONS] ENFORCEWATCHD ENFORCEWATCH
#
# Exactly once under crashes (architecture.md "Delivery and crash safety";
# issue 6): whatever happens to the process, a read_committed consumer of the
# output topics sees every alert, notice and stat exactly once, and the state
# after recovery equals the state of a run that never crashed.
#
#   1. tests/crash/gen_load.py writes --events (100000) realistic events with
#      their reference data (a few percent of the cases break a rule:
#      thousands of alerts and notices, deadlines among them); they are sent
#      to fresh topics on a PRIVATE broker (deploy/kafka.sh on
#      EW_CRASH_KAFKA_PORT, default 19092, controller port + 1, data in
#      /tmp/ewcrash-kafka-<port>; stopped and wiped at the end) before any
#      daemon starts, so the daemon reads a backlog whose clock follows the
#      events, as check's does;
#   2. a reference daemon (its own group, state file, outputs, instance id)
#      reads it all without a crash and stops with SIGTERM;
#   3. the daemon under test reads it and is killed with SIGKILL --kills (20)
#      times, restarted after each kill. The kill plan is seeded (--seed):
#      most kills at a random point in each of equal slices of its progress
#      (the consumed offsets in its SQLite state; while the harness waits
#      for that point it lets the daemon run in slices of 30-150 ms between
#      SIGSTOP and SIGCONT, so a fast daemon cannot overrun several points
#      between two looks), then after a random 0-400 ms, so they land
#      mid-batch and mid-delivery; one in ten a random 30-900 ms after a
#      start (the very first start among them: the first reference
#      bootstrap); one from the fault hook (EW_FAULT_KILL_IN_TXN=N, N in
#      1..3: the daemon kills itself inside its N-th Kafka transaction; a
#      build without the hook is killed by the harness and the log says so);
#      the last one 0-1.5 s after the whole input is applied, while the
#      final wall-clock tick fires the remaining deadlines. Once, midway,
#      the broker is stopped, left down --outage (30) seconds and started
#      again while the daemon runs. A daemon that exits on its own is
#      restarted, as systemd's Restart=on-failure would, and fails the run;
#   4. the last daemon runs until it has applied every record, ticked on the
#      wall clock and emptied its outbox, then SIGTERM stops it;
#   5. its committed alert, notice and stats records (`enforcewatch tail`,
#      isolation.level=read_committed) are compared with `enforcewatch
#      check --as-of <its final clock>` on the same JSON Lines
#      (tests/crash/crash_verdict.py outputs), which prints
#          kills=N lost=L duplicated=D
#      and the first difference; the reference run is held to the same
#      comparison (it proves the comparison itself);
#   6. the SQLite state of the crashed daemon is compared with the
#      reference's (crash_verdict.py state): row for row the tables the
#      input alone decides (ref, snapshot, seen_event, history, wakeup,
#      notice_pending, meta ...), alert_state by final state, and each
#      state against its own committed outputs; kills.tsv lists every kill
#      (kind, records applied, outbox rows left, stage).
# Exit 0 only when nothing is lost, duplicated or extra and the states are
# equal.
#
# Options:
#   --events N     events to generate (default 100000; reference data extra)
#   --kills K      SIGKILLs of the daemon under test (default 20, >= 4)
#   --seed S       seed of the data and of the kill plan (default 1)
#   --outage SECS  how long the broker stays down (default 30; 0: no outage)
#   --no-reference skip the run without crashes and the state comparison
#
# Full size (README):  tests/crash/crash_harness.sh build/enforcewatchd build/enforcewatch
# CI size (ctest -L crash): --events 4000 --kills 20 --outage 30
#
# Environment: EW_CRASH_KAFKA_PORT (19092), EW_CRASH_KEEP_BROKER=1 (leave the
# private broker running and its data in place), and lib.sh's EW_IT_KEEP_TMP.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../integration/lib.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
EVENTS=100000
KILLS=20
SEED=1
OUTAGE=30
REFERENCE=1
usage() { sed -n '2,/^# shellcheck/p' "$0" | sed -e '/^# shellcheck/d' -e 's/^# \{0,1\}//' >&2; }
while [[ $# -gt 0 && $1 == -* ]]; do
  case $1 in
    --events) EVENTS=$2; shift 2 ;;
    --kills) KILLS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --outage) OUTAGE=$2; shift 2 ;;
    --no-reference) REFERENCE=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "$0: unknown option $1" >&2; usage; exit 2 ;;
  esac
done
[[ $EVENTS =~ ^[0-9]+$ && $EVENTS -ge 100 ]] || { echo "$0: --events must be >= 100" >&2; exit 2; }
[[ $KILLS =~ ^[0-9]+$ && $KILLS -ge 4 ]] || { echo "$0: --kills must be >= 4" >&2; exit 2; }
[[ $SEED =~ ^[0-9]+$ && $OUTAGE =~ ^[0-9]+$ ]] || { echo "$0: --seed and --outage are numbers" >&2; exit 2; }

# A private broker: this harness stops it, and never the shared one.
export EW_KAFKA_PORT=${EW_CRASH_KAFKA_PORT:-19092}
export EW_KAFKA_CONTROLLER_PORT=$((EW_KAFKA_PORT + 1))
export EW_KAFKA_DATA=/tmp/ewcrash-kafka-$EW_KAFKA_PORT
export EW_KEEP_BROKER=1    # lib.sh must not stop it: crash_cleanup does
export EW_IT_KEEP_TOPICS=1 # the whole broker is wiped instead
CRASH_BROKER_STARTED=0

ew_init crash_harness "$@"
RANDOM=$SEED # the run slices of wait_applied
T_START=$SECONDS

crash_cleanup() {
  local rc=$?
  set +e
  if ew_daemon_alive; then
    kill -KILL "$EW_DAEMON_PID" 2>/dev/null
    wait "$EW_DAEMON_PID" 2>/dev/null
    EW_DAEMON_PID=""
  fi
  if [[ $CRASH_BROKER_STARTED == 1 && ${EW_CRASH_KEEP_BROKER:-0} != 1 ]]; then
    "$EW_KAFKA_SH" stop --wipe >/dev/null 2>&1
  fi
  (exit "$rc")
  ew_cleanup
}
trap crash_cleanup EXIT

# ---- 1. the input ------------------------------------------------------------
LOAD="$EW_TMP/load.jsonl"
python3 "$HERE/gen_load.py" --events "$EVENTS" --seed "$SEED" --out "$LOAD" 2>"$EW_TMP/gen.log" ||
  { cat "$EW_TMP/gen.log" >&2; ew_fail "gen_load.py failed"; }
ew_log "$(cat "$EW_TMP/gen.log")"
TOTAL=$(grep -c . "$LOAD")

"$EW_KAFKA_SH" status >/dev/null 2>&1 || CRASH_BROKER_STARTED=1
ew_broker_ensure
ew_log "private broker on $EW_BROKERS (data $EW_KAFKA_DATA)"
# The daemon's defaults: with static membership (instance_id) a restart
# within the session timeout gets its partitions back at once.
ew_config ""
"$EW_DAEMOND" -c "$EW_CFG" --check-config >/dev/null 2>&1 ||
  ew_fail "enforcewatchd refuses the test configuration: $("$EW_DAEMOND" -c "$EW_CFG" --check-config 2>&1 | tail -n 1)"

# crash_variant TAG: writes $EW_TMP/TAG.cfg from EW_CFG with TAG's own group,
# output topics, instance_id and progress topic (instance_id is the
# transactional.id: two daemons sharing it would fence each other); the
# input topics and the state file ($EW_TMP/state.db, moved away after a
# run) are shared.
crash_variant() {
  local tag=$1 out="$EW_TMP/$1.cfg" t
  sed -e "s/^group_id = .*/group_id = \"$EW_PREFIX.$tag.group\";/" \
    -e "s/^instance_id = .*/instance_id = \"$EW_PREFIX.$tag\";/" \
    -e "s/^  progress = .*/  progress = \"$EW_PREFIX.$tag.progress\";/" "$EW_CFG" >"$out"
  for t in alerts notices stats deadletter; do
    sed -i "s/\"$EW_PREFIX\\.enforcement\\.$t\"/\"$EW_PREFIX.$tag.$t\"/" "$out"
  done
  if ! grep -q "^group_id = \"$EW_PREFIX.$tag.group\";" "$out" ||
    ! grep -q "\"$EW_PREFIX.$tag.alerts\"" "$out"; then
    ew_fail "could not derive $out from $EW_CFG"
  fi
}
crash_variant crash
[[ $REFERENCE == 1 ]] && crash_variant reference
ew_topics_create
for tag in crash reference; do
  [[ -f "$EW_TMP/$tag.cfg" ]] || continue
  "$EW_CLI" topics create --config "$EW_TMP/$tag.cfg" >>"$EW_TMP/topics-create.log" 2>&1 ||
    { cat "$EW_TMP/topics-create.log" >&2; ew_fail "topics create ($tag) failed"; }
done
T_SEND=$SECONDS
ew_send "$LOAD"
ew_log "$TOTAL records sent in $((SECONDS - T_SEND)) s"

STATE="$EW_TMP/state.db"
NSTART=0
# crash_start TAG [ENV=VALUE...]: enforcewatchd with TAG's config, its log
# in $EW_TMP/TAG-<n>.log (one per start).
crash_start() {
  local tag=$1
  shift
  NSTART=$((NSTART + 1))
  EW_DAEMON_LOG="$EW_TMP/$tag-$NSTART.log"
  env "$@" "$EW_DAEMOND" -c "$EW_TMP/$tag.cfg" >"$EW_DAEMON_LOG" 2>&1 &
  EW_DAEMON_PID=$!
  START_MS=$(ew_now_ms)
}
applied() { ew_state_value "SELECT coalesce(sum(next_offset), 0) FROM offsets"; }
outbox_rows() { ew_state_value "SELECT count(*) FROM outbox"; }

# crash_finish TAG: the daemon of TAG runs to the end of its input and its
# outbox, SIGTERM stops it; then its outputs are read and compared with
# check --as-of its final clock. Sets VERDICT_RC.
crash_finish() {
  local tag=$1 kills=$2
  ew_wait_caught_up "$((300 + EVENTS / 20))" "$TOTAL"
  ew_daemon_alive || ew_fail "the $tag daemon exited before SIGTERM"
  ew_daemon_stop 60 || ew_fail "the $tag daemon did not exit within 60 s of SIGTERM"
  [[ "$EW_DAEMON_RC" == 0 ]] || ew_fail "the $tag daemon exited with status $EW_DAEMON_RC after SIGTERM"
  ew_final_clock
  "$EW_CLI" check --as-of "$EW_FINAL_CLOCK" "$LOAD" >"$EW_TMP/$tag-expected.jsonl" \
    2>"$EW_TMP/$tag-check.err" || { tail "$EW_TMP/$tag-check.err" >&2; ew_fail "enforcewatch check failed"; }
  if grep -Eq 'load\.jsonl:[0-9]+:' "$EW_TMP/$tag-check.err"; then
    head "$EW_TMP/$tag-check.err" >&2
    ew_fail "the generated input has bad lines"
  fi
  local t
  for t in alerts notices stats; do
    "$EW_CLI" tail --config "$EW_TMP/$tag.cfg" --from-beginning --timeout-ms 10000 \
      "$EW_PREFIX.$tag.$t" >"$EW_TMP/$tag-$t.jsonl" 2>"$EW_TMP/$tag-$t.err" ||
      { cat "$EW_TMP/$tag-$t.err" >&2; ew_fail "enforcewatch tail $t failed"; }
  done
  VERDICT_RC=0
  python3 "$HERE/crash_verdict.py" outputs --kills "$kills" "$EW_TMP/$tag-expected.jsonl" \
    "$EW_TMP/$tag-alerts.jsonl" "$EW_TMP/$tag-notices.jsonl" "$EW_TMP/$tag-stats.jsonl" \
    >"$EW_TMP/$tag-verdict.txt" || VERDICT_RC=$?
  ((VERDICT_RC <= 1)) || ew_fail "crash_verdict.py failed"
}

# ---- 2. the run that never crashes -------------------------------------------
if [[ $REFERENCE == 1 ]]; then
  T_REF=$SECONDS
  crash_start reference
  crash_finish reference 0
  REF_S=$((SECONDS - T_REF))
  ew_log "reference run (no crash): $REF_S s; $(head -n 1 "$EW_TMP/reference-verdict.txt")"
  ((VERDICT_RC == 0)) || {
    sed 's/^/    /' "$EW_TMP/reference-verdict.txt" >&2
    ew_fail "the run WITHOUT crashes already differs from check: the comparison, not the crashes, is at fault"
  }
  mkdir -p "$EW_TMP/reference"
  mv "$STATE" "$EW_TMP/reference/"
  rm -f "$STATE-wal" "$STATE-shm"
fi

# ---- 3. the kill plan --------------------------------------------------------
# One line per step: "boot DELAY_MS", "progress FRACTION DELAY_MS",
# "fault N", "outage", "end DELAY_MS".
python3 - "$SEED" "$KILLS" "$OUTAGE" >"$EW_TMP/plan.txt" <<'EOF'
import random, sys
seed, kills, outage = map(int, sys.argv[1:])
rnd = random.Random(seed * 7919 + 17)
nboot = max(1, kills // 10)
nprog = kills - nboot - 2  # one fault-hook kill, one at the end
# One point in each of nprog equal slices of 2 %..95 % of the input: spread
# over the whole run, never bunched.
steps = [("progress", 0.02 + 0.93 * (i + rnd.uniform(0.1, 0.9)) / nprog) for i in range(nprog)]
for _ in range(nboot - 1):
    steps.insert(rnd.randint(1, len(steps)), ("boot",))
steps.insert(0, ("boot",))  # the very first bootstrap, then others
mid = [i for i, s in enumerate(steps) if s[0] == "progress" and 0.3 < s[1] < 0.7]
steps.insert(mid[len(mid) // 2] if mid else len(steps) // 2, ("fault",))
if outage:
    mid = [i for i, s in enumerate(steps) if s[0] == "progress" and s[1] > 0.45]
    steps.insert(mid[0] if mid else len(steps), ("outage",))
steps.append(("end",))
for s in steps:
    if s[0] == "progress":
        print("progress %.4f %d" % (s[1], rnd.randint(0, 400)))
    elif s[0] == "boot":
        print("boot %d" % rnd.randint(30, 900))
    elif s[0] == "fault":
        print("fault %d" % rnd.randint(1, 3))
    elif s[0] == "end":
        print("end %d" % rnd.randint(0, 1500))
    else:
        print("outage")
EOF
ew_log "kill plan (seed $SEED): $(awk '{print $1}' "$EW_TMP/plan.txt" | sort | uniq -c | awk '{printf "%s %s, ", $1, $2}')"

# ---- 4. the crashes ----------------------------------------------------------
KILLED=0
FAULT_KILLS=0
STALL_S=$((120 + EVENTS / 500))
printf 'kill\tkind\tapplied\tof\toutbox_after\tms_after_start\tstage\n' >"$EW_TMP/kills.tsv"

# note_kill KIND: records the kill just done.
note_kill() {
  local kind=$1 stage=running
  KILLED=$((KILLED + 1))
  grep -q ' running$' "$EW_DAEMON_LOG" || stage=bootstrap
  printf '%d\t%s\t%s\t%d\t%s\t%d\t%s\n' "$KILLED" "$kind" "$(applied)" "$TOTAL" \
    "$(outbox_rows)" "$(($(ew_now_ms) - START_MS))" "$stage" >>"$EW_TMP/kills.tsv"
  ew_log "kill $KILLED ($kind, $stage): $(applied)/$TOTAL applied, $(outbox_rows) outbox row(s) left"
}
kill9() {
  kill -KILL "$EW_DAEMON_PID" 2>/dev/null || true
  { wait "$EW_DAEMON_PID"; } 2>/dev/null || true
  EW_DAEMON_PID=""
}
msleep() { sleep "$(($1 / 1000)).$(printf '%03d' $(($1 % 1000)))"; }
# unplanned_exit: the daemon died without being killed: recorded (the run
# fails in the end), and restarted by the caller, as systemd's
# Restart=on-failure would.
UNPLANNED=0
unplanned_exit() {
  local rc=0 why
  { wait "$EW_DAEMON_PID"; } 2>/dev/null || rc=$?
  EW_DAEMON_PID=""
  UNPLANNED=$((UNPLANNED + 1))
  why=$(grep -E ' (error|fatal) ' "$EW_DAEMON_LOG" | grep -v 'librdkafka FAIL' | tail -n 1)
  printf '%s\t%s\t%s\t%s\n' "$EW_DAEMON_LOG" "$rc" "$(applied)" "$why" >>"$EW_TMP/exits.tsv"
  ew_log "UNPLANNED EXIT of the daemon (status $rc) at $(applied)/$TOTAL: $why; restarting it"
}

# wait_applied N: lets the daemon run in slices of 30-150 ms (SIGCONT ...
# SIGSTOP) until N records are applied, so that a fast daemon cannot run
# past several planned kill points between two looks at its state; returns
# with it running. Fails when the daemon dies or stalls.
wait_applied() {
  local want=$1 last=-1 since=$SECONDS a
  while :; do
    a=$(applied)
    a=${a:-0}
    if ((a >= want)); then
      kill -CONT "$EW_DAEMON_PID" 2>/dev/null || true
      return 0
    fi
    if ! ew_daemon_alive; then
      unplanned_exit
      crash_start crash
      continue
    fi
    if ((a != last)); then
      last=$a
      since=$SECONDS
    fi
    ((SECONDS - since < STALL_S)) || ew_fail "no progress for ${STALL_S} s at $a/$TOTAL"
    kill -CONT "$EW_DAEMON_PID" 2>/dev/null || true
    msleep $((30 + RANDOM % 121))
    kill -STOP "$EW_DAEMON_PID" 2>/dev/null || true
  done
}

T_CRASH=$SECONDS
running=0
while read -r kind arg delay; do
  if [[ $kind == outage ]]; then
    [[ $running == 1 ]] || { crash_start crash; running=1; }
    wait_applied "$((TOTAL / 2))"
    ew_log "broker outage: stopping the broker for $OUTAGE s at $(applied)/$TOTAL"
    OUT_S=$SECONDS
    "$EW_KAFKA_SH" stop >>"$EW_TMP/broker-outage.log" 2>&1
    sleep "$OUTAGE"
    "$EW_KAFKA_SH" start >>"$EW_TMP/broker-outage.log" 2>&1 || ew_fail "the broker did not start again"
    OUTAGE_REAL=$((SECONDS - OUT_S))
    if ew_daemon_alive; then
      ew_log "broker back after $OUTAGE_REAL s (stop, ${OUTAGE} s, start); the daemon is still running"
    else
      unplanned_exit
      crash_start crash
    fi
    continue
  fi
  if [[ $kind == fault ]]; then
    ((running == 0)) || ew_fail "kill plan: a fault step must follow a kill"
    crash_start crash EW_FAULT_KILL_IN_TXN="$arg"
    running=1
    # The daemon kills itself inside its arg-th Kafka transaction. A build
    # without the hook never does: the harness kills it instead, once it
    # has moved on a little, and says so.
    from=$(applied)
    from=${from:-0}
    deadline=$((SECONDS + 60))
    # (stderr aside: bash reports the job it reaps here as "Killed")
    while ew_daemon_alive && ((SECONDS < deadline)); do
      a=$(applied)
      if ! grep -q 'EW_FAULT_KILL_IN_TXN' "$EW_DAEMON_LOG" &&
        [[ ${a:-0} -ge $((from + TOTAL / 50)) || ${a:-0} -ge $TOTAL ]]; then
        break
      fi
      sleep 0.1
    done 2>/dev/null
    if ew_daemon_alive; then
      ew_log "fault hook: EW_FAULT_KILL_IN_TXN=$arg did not kill the daemon (not in this build?); SIGKILL from the harness instead"
      kill9
      note_kill fault-hook-missing
    else
      rc=0
      { wait "$EW_DAEMON_PID"; } 2>/dev/null || rc=$?
      EW_DAEMON_PID=""
      ((rc == 137)) || ew_fail "with EW_FAULT_KILL_IN_TXN=$arg the daemon exited with status $rc, not SIGKILL (137)"
      FAULT_KILLS=$((FAULT_KILLS + 1))
      note_kill "fault-hook-txn-$arg"
    fi
    running=0
    continue
  fi
  ((running == 1)) || crash_start crash
  running=1
  case $kind in
    boot)
      msleep "$arg"
      ew_daemon_alive || { unplanned_exit; crash_start crash; msleep "$arg"; }
      ;;
    progress)
      # At the planned point, and never before this start has applied
      # something of its own: a kill mid-work, not one more boot kill.
      from=$(applied)
      want=$(python3 -c "import math; print(max(math.ceil($arg * $TOTAL), ${from:-0} + max(1, $TOTAL // 200)))")
      wait_applied "$((want < TOTAL ? want : TOTAL))"
      msleep "$delay"
      ;;
    end)
      wait_applied "$TOTAL"
      msleep "$arg"
      ;;
  esac
  kill9
  note_kill "$kind"
  running=0
done <"$EW_TMP/plan.txt"
CRASH_S=$((SECONDS - T_CRASH))

# ---- 5. the last start runs to the end; outputs against check ----------------
crash_start crash
crash_finish crash "$KILLED"
CRASH_TOTAL_S=$((SECONDS - T_CRASH))
cat "$EW_TMP/crash-verdict.txt"
VERDICT=$VERDICT_RC

# ---- 6. the state against the run without crashes ----------------------------
STATE_RC=0
if [[ $REFERENCE == 1 ]]; then
  python3 "$HERE/crash_verdict.py" state "$STATE" "$EW_TMP/reference/state.db" \
    "$EW_TMP/crash-alerts.jsonl" "$EW_TMP/crash-notices.jsonl" "$EW_TMP/crash-stats.jsonl" \
    "$EW_TMP/reference-alerts.jsonl" "$EW_TMP/reference-notices.jsonl" \
    "$EW_TMP/reference-stats.jsonl" || STATE_RC=$?
fi

stages=$(awk -F'\t' 'NR > 1 {print $7}' "$EW_TMP/kills.tsv" | sort | uniq -c | awk '{printf "%s %s, ", $1, $2}')
midd=$(awk -F'\t' 'NR > 1 && $5 > 0' "$EW_TMP/kills.tsv" | wc -l)
ew_log "kills: $KILLED (${FAULT_KILLS} by the fault hook; ${stages}$midd with outputs undelivered); broker outage: ${OUTAGE} s stopped, ${OUTAGE_REAL:-0} s from stop to ready"
ew_log "events: $EVENTS (+ $((TOTAL - EVENTS)) reference records); crash run $CRASH_TOTAL_S s (kills $CRASH_S s)${REF_S:+, reference run $REF_S s}; total $((SECONDS - T_START)) s"
ew_log "details: $EW_TMP/kills.tsv, crash-verdict.txt (kept with EW_IT_KEEP_TMP=1 or on failure)"
if ((UNPLANNED > 0)); then
  ew_log "the daemon exited on its own $UNPLANNED time(s) (log, status, applied, last error):"
  sed 's/^/    /' "$EW_TMP/exits.tsv" >&2
fi
((VERDICT == 0)) || ew_fail "outputs lost, duplicated or extra (see above)"
((UNPLANNED == 0)) || ew_fail "the daemon exited on its own $UNPLANNED time(s) (see above)"
((STATE_RC == 0)) || ew_fail "the state after the crashes differs from the state of the run without crashes"
ew_pass
