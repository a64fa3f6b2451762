#!/usr/bin/env bash
# tests/integration/test_broker_restart.sh ENFORCEWATCHD ENFORCEWATCH
#
# The daemon rides out a broker restart (architecture.md "Delivery and crash
# safety": whatever happens, a read_committed consumer sees every output
# exactly once). On a PRIVATE broker (deploy/kafka.sh on
# EW_BROKER_RESTART_PORT, default 19096, controller port + 1; data in a
# directory of its own; stopped and wiped at the end), never the shared one:
#   1. tests/crash/gen_load.py writes EW_IT_BROKER_RESTART_EVENTS (8000)
#      events with their reference data, all sent before the daemon starts
#      (a backlog, so that its clock follows the events as check's does; a
#      daemon that has caught up runs on the wall clock, and input sent
#      after that would be judged at a clock check never has). The daemon's
#      consumers prefetch little (kafka queued.min.messages 50,
#      queued.max.messages.kbytes 1024), so most of the input is still on
#      the broker when it goes away;
#   2. once the daemon has applied a tenth of the events, the broker is
#      stopped for EW_IT_BROKER_RESTART_OUTAGE_S (30) seconds and started
#      again; the daemon must stay up all along, log that it cannot reach
#      the broker (librdkafka's transport errors, or its own waiting
#      message), and not have read everything while the broker was away;
#   3. then it must resume: apply every record, tick on the wall clock,
#      empty its outbox, and stop with status 0 on SIGTERM;
#   4. its committed alerts and notices (enforcewatch tail, read_committed)
#      must equal `enforcewatch check --as-of <its final clock>` on the same
#      input by final state (final_state.py via lib.sh ew_compare_final),
#      and no alert, notice or stats message may be committed twice
#      (tests/crash/crash_verdict.py outputs: kills=0 lost=0 duplicated=0).
# shellcheck source=tests/integration/lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"

export EW_KAFKA_PORT=${EW_BROKER_RESTART_PORT:-19096}
export EW_KAFKA_CONTROLLER_PORT=$((EW_KAFKA_PORT + 1))
export EW_KAFKA_DATA=/tmp/ewit-broker-restart-kafka-$EW_KAFKA_PORT
export EW_KEEP_BROKER=1    # stopped and wiped by restart_cleanup
export EW_IT_KEEP_TOPICS=1 # the whole broker goes
RESTART_BROKER_STARTED=0

ew_init broker_restart "$@"
T_START=$SECONDS
EVENTS=${EW_IT_BROKER_RESTART_EVENTS:-8000}
OUTAGE_S=${EW_IT_BROKER_RESTART_OUTAGE_S:-30}

restart_cleanup() {
  local rc=$?
  set +e
  if ew_daemon_alive; then
    kill -KILL "$EW_DAEMON_PID" 2>/dev/null
    wait "$EW_DAEMON_PID" 2>/dev/null
    EW_DAEMON_PID=""
  fi
  if [[ $RESTART_BROKER_STARTED == 1 ]]; then
    "$EW_KAFKA_SH" stop --wipe >/dev/null 2>&1
  fi
  (exit "$rc")
  ew_cleanup
}
trap restart_cleanup EXIT

# ---- 1. the input ------------------------------------------------------------
LOAD="$EW_TMP/load.jsonl"
python3 "$EW_ROOT/tests/crash/gen_load.py" --events "$EVENTS" --seed 6 --out "$LOAD" \
  2>"$EW_TMP/gen.log" || { cat "$EW_TMP/gen.log" >&2; ew_fail "gen_load.py failed"; }
ew_log "$(cat "$EW_TMP/gen.log")"
TOTAL=$(grep -c . "$LOAD")
NREFS=$(grep -c -v '"event_id"' "$LOAD")

"$EW_KAFKA_SH" status >/dev/null 2>&1 || RESTART_BROKER_STARTED=1
ew_broker_ensure
ew_log "private broker on $EW_BROKERS (data $EW_KAFKA_DATA)"
ew_config 'kafka = { queued_min_messages = "50"; queued_max_messages_kbytes = "1024"; };'
ew_topics_create
ew_send "$LOAD"
ew_daemon_start

applied() { ew_state_value "SELECT coalesce(sum(next_offset), 0) FROM offsets"; }
# A tenth of the events in: well inside the backlog (ew_wait_for looks only
# once a second, the daemon reads thousands of records in that time).
deadline=$((SECONDS + 300))
until (($(applied) >= NREFS + (TOTAL - NREFS) / 10)); do
  ew_daemon_alive || ew_fail "the daemon exited before the broker was stopped"
  ((SECONDS < deadline)) || ew_fail "the daemon applied no events in 300 s"
  sleep 0.1
done

# ---- 2. the broker goes away mid-run -----------------------------------------
AT_STOP=$(applied)
LOG_AT_STOP=$(wc -l <"$EW_DAEMON_LOG")
ew_log "stopping the broker at $AT_STOP/$TOTAL applied"
"$EW_KAFKA_SH" stop >>"$EW_TMP/broker.log" 2>&1
DOWN_S=$SECONDS
while ((SECONDS - DOWN_S < OUTAGE_S)); do
  ew_daemon_alive || ew_fail "the daemon exited while the broker was down"
  sleep 1
done
ew_daemon_alive || ew_fail "the daemon exited while the broker was down"
DURING=$(applied)
# Its own lines first (librdkafka's raw FAIL lines repeat them).
WAITED=$(tail -n "+$((LOG_AT_STOP + 1))" "$EW_DAEMON_LOG" | grep -v 'librdkafka FAIL' |
  grep -E -i 'ALL_BROKERS_DOWN|brokers are down|_TRANSPORT|connection refused|wait' | head -n 3 || true)
[[ -n "$WAITED" ]] || {
  tail -n 20 "$EW_DAEMON_LOG" >&2
  ew_fail "the daemon logged nothing about the missing broker in ${OUTAGE_S} s"
}
((DURING < TOTAL)) || ew_fail "the daemon had read the whole input before the broker went away: nothing to resume"
ew_log "the daemon is up after ${OUTAGE_S} s without a broker ($DURING/$TOTAL applied); it logged:"
while IFS= read -r line; do ew_log "    $line"; done <<<"$WAITED"
"$EW_KAFKA_SH" start >>"$EW_TMP/broker.log" 2>&1 || {
  cat "$EW_TMP/broker.log" >&2
  ew_fail "the broker did not start again"
}
ew_log "broker back after $((SECONDS - DOWN_S)) s"

# ---- 3. the daemon resumes ---------------------------------------------------
ew_wait_caught_up 300 "$TOTAL"
ew_daemon_alive || ew_fail "the daemon exited before SIGTERM"
ew_log "resumed: all $TOTAL records applied, outbox empty"
ew_daemon_stop 30 || ew_fail "the daemon did not exit within 30 s of SIGTERM"
[[ "$EW_DAEMON_RC" == 0 ]] || ew_fail "the daemon exited with status $EW_DAEMON_RC after SIGTERM"
ew_final_clock

# ---- 4. its outputs against check --------------------------------------------
"$EW_CLI" check --as-of "$EW_FINAL_CLOCK" "$LOAD" >"$EW_TMP/expected.jsonl" \
  2>"$EW_TMP/check.err" || { tail "$EW_TMP/check.err" >&2; ew_fail "enforcewatch check failed"; }
ew_tail "$EW_T_ALERTS" "$EW_TMP/alerts.jsonl"
ew_tail "$EW_T_NOTICES" "$EW_TMP/notices.jsonl"
ew_tail "$EW_T_STATS" "$EW_TMP/stats.jsonl"
ew_tail "$EW_T_DEADLETTER" "$EW_TMP/deadletter.jsonl"
[[ ! -s "$EW_TMP/deadletter.jsonl" ]] || ew_fail "the input produced dead letters"
ew_compare_final "$EW_TMP/expected.jsonl" "$EW_TMP/alerts.jsonl" "$EW_TMP/notices.jsonl" >"$EW_TMP/final.txt" ||
  { cat "$EW_TMP/final.txt" >&2; ew_fail "the daemon's final state differs from enforcewatch check --as-of its clock"; }
ew_log "$(head -n 1 "$EW_TMP/final.txt")"
python3 "$EW_ROOT/tests/crash/crash_verdict.py" outputs --kills 0 "$EW_TMP/expected.jsonl" \
  "$EW_TMP/alerts.jsonl" "$EW_TMP/notices.jsonl" "$EW_TMP/stats.jsonl" >"$EW_TMP/verdict.txt" ||
  { cat "$EW_TMP/verdict.txt" >&2; ew_fail "outputs lost or committed twice across the broker restart"; }
ew_log "$(head -n 1 "$EW_TMP/verdict.txt")"
ew_log "done in $((SECONDS - T_START)) s"
ew_pass
