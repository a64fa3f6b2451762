#!/usr/bin/env bash
# tests/integration/test_deadline_restart.sh ENFORCEWATCHD ENFORCEWATCH
#
# A deadline survives a crash (issue 4, architecture.md "Time": deadlines are
# rows in SQLite and fire once, when the daemon's clock passes them). The
# daemon's wall clock is faked with libfaketime; the case is an R12 penalty
# (filed 2025-04-01, not decided: due by 2025-06-30 23:59:59.999 +08:00, see
# lib.sh ew_r12_case).
#   1. `enforcewatch check` must print the R12 alert with --as-of 5 minutes
#      past the deadline, and none at the deadline itself: it is the
#      reference the daemon's alert is compared with;
#   2. the reference records are sent, the daemon starts at a fake time
#      EW_IT_DEADLINE_LEAD_S (30) seconds before the deadline, the penalty
#      is sent;
#   3. once the penalty's wake-up is in the SQLite `wakeup` table (due just
#      after the deadline), the daemon is killed with SIGKILL; the deadline
#      must not have passed on its clock yet, and the alert topic must hold
#      no R12 alert;
#   4. the daemon restarts at a fake time 5 minutes after the deadline, with
#      no new input: the R12 alert must appear, exactly once (one record with
#      its alert_id, OPEN, MEDIUM, detected_at = the deadline), equal to
#      check's; the fired wake-up is gone;
#   5. the daemon is killed with SIGKILL again and restarts 5 minutes later:
#      there is still exactly one R12 record; SIGTERM stops it with 0.
# The output topics are stamped with the broker's append time, since the
# daemon stamps its records with its fake 2025 clock (lib.sh
# ew_topics_log_append_time).
# shellcheck source=tests/integration/lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"

ew_init deadline_restart "$@"
ew_faketime_require
T_START=$SECONDS
LEAD_S=${EW_IT_DEADLINE_LEAD_S:-30}
DUE_MS=$EW_R12_DEADLINE_MS
AFTER_MS=$((DUE_MS + 1 + 5 * 60 * 1000))
AFTER=$(ew_ms_iso "$AFTER_MS")
WAKE_KIND=2 # EW_SUBJ_PENALTY (record.h)

# ---- 1. the reference: enforcewatch check -----------------------------------
ew_r12_case "$EW_TMP"
cat "$EW_TMP/refs.jsonl" "$EW_TMP/penalty.jsonl" >"$EW_TMP/all.jsonl"
"$EW_CLI" check --as-of "$AFTER" "$EW_TMP/all.jsonl" >"$EW_TMP/check.jsonl" \
  2>"$EW_TMP/check.err" || { cat "$EW_TMP/check.err" >&2; ew_fail "enforcewatch check failed"; }
"$EW_CLI" check --as-of "$EW_R12_DEADLINE" "$EW_TMP/all.jsonl" \
  >"$EW_TMP/check-at-deadline.jsonl" 2>>"$EW_TMP/check.err" || ew_fail "enforcewatch check failed"
ew_alerts_of "$EW_TMP/check.jsonl" R12 >"$EW_TMP/check.r12"
[[ $(wc -l <"$EW_TMP/check.r12") == 1 ]] ||
  ew_fail "enforcewatch check --as-of $AFTER printed $(wc -l <"$EW_TMP/check.r12") R12 alerts, want 1 (is R12 implemented?)"
[[ -z $(ew_alerts_of "$EW_TMP/check-at-deadline.jsonl" R12) ]] ||
  ew_fail "enforcewatch check --as-of $EW_R12_DEADLINE printed an R12 alert before the deadline passed"
ALERT_ID=$(python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["alert_id"])' <"$EW_TMP/check.r12")
ew_log "check: $ALERT_ID due $EW_R12_DEADLINE"

# ---- 2. daemon at deadline - LEAD_S, the case sent --------------------------
ew_broker_ensure
ew_config "topic_partitions = 1;"
ew_topics_log_append_time "$EW_T_ALERTS" "$EW_T_NOTICES"
ew_topics_create
ew_send "$EW_TMP/refs.jsonl" # before the start: the bootstrap reads them
STATE="$EW_TMP/state.db"

running() { grep -q ' running$' "$EW_DAEMON_LOG"; }
ew_daemon_start_at $((DUE_MS + 1 - LEAD_S * 1000)) daemon-1.log
ew_wait_for 60 "the daemon to run" running
ew_send "$EW_TMP/penalty.jsonl"

wake_due() {
  ew_sqlite "$STATE" "SELECT due_at FROM wakeup WHERE kind = ? AND subject_id = ?" \
    "$WAKE_KIND" "$EW_R12_CASE" 2>/dev/null || true
}
armed() { [[ -n $(wake_due) ]]; }
ew_wait_for $((LEAD_S + 30)) "the penalty's wake-up in $STATE" armed

# ---- 3. kill -9 while the deadline is armed ---------------------------------
ew_daemon_kill9
KILLED_FAKE_MS=$(ew_fake_now_ms)
due=$(wake_due)
ew_log "killed at fake $(ew_ms_iso "$KILLED_FAKE_MS"), $(((DUE_MS + 1 - KILLED_FAKE_MS) / 1000)) s before the deadline; wake-up due $(ew_ms_iso "$due")"
((KILLED_FAKE_MS <= DUE_MS)) ||
  ew_fail "the deadline passed on the daemon's clock before the kill: start earlier (EW_IT_DEADLINE_LEAD_S=$LEAD_S)"
((due > DUE_MS && due <= DUE_MS + 1000)) ||
  ew_fail "the wake-up is due at $due, want just after the deadline $DUE_MS"
clock=$(ew_sqlite "$STATE" "SELECT value FROM meta WHERE name = 'clock'")
((clock <= DUE_MS)) || ew_fail "the daemon's stored clock $clock is past the deadline before the kill"
ew_tail "$EW_T_ALERTS" "$EW_TMP/alerts-before.jsonl"
before=$(ew_alerts_of "$EW_TMP/alerts-before.jsonl" R12 | wc -l)
((before == 0)) || ew_fail "$before R12 alert(s) published before the deadline passed"
ew_log "before the kill: $(ew_count_kind "$EW_TMP/alerts-before.jsonl" alert) alert(s), no R12"

# ---- 4. restart after the deadline, no new input -----------------------------
RESTART_SECONDS=$SECONDS
ew_daemon_start_at "$AFTER_MS" daemon-2.log
r12_out() {
  ew_tail "$EW_T_ALERTS" "$EW_TMP/alerts.jsonl"
  [[ -n $(ew_alerts_of "$EW_TMP/alerts.jsonl" R12) ]]
}
# The killed daemon still holds the partitions until the group's session
# times out (session.timeout.ms, 45 s): the clock follows wall time, and the
# deadline fires, only once they are assigned again and read to their end,
# since the backlog could have met it.
ew_wait_for 120 "the R12 alert after the restart" r12_out
APPEARED_S=$((SECONDS - RESTART_SECONDS))
ew_log "the R12 alert was on $EW_T_ALERTS ${APPEARED_S} s after the restart"

# A duplicate would come after the first: let the daemon settle (outbox
# empty, a few ticks), then count.
settled() { [[ $(ew_sqlite "$STATE" "SELECT count(*) FROM outbox") == 0 ]]; }
ew_wait_for 30 "the daemon's outbox to empty" settled
sleep 3
ew_tail "$EW_T_ALERTS" "$EW_TMP/alerts.jsonl"
ew_alerts_of "$EW_TMP/alerts.jsonl" R12 >"$EW_TMP/daemon.r12"
python3 - "$EW_TMP/daemon.r12" "$EW_TMP/check.r12" "$ALERT_ID" "$DUE_MS" <<'EOF' || ew_fail "the R12 alert after the restart is wrong"
import datetime as dt, json, sys
got = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
want = json.loads(open(sys.argv[2], encoding="utf-8").read())
alert_id, due_ms = sys.argv[3], int(sys.argv[4])
bad = []
mine = [a for a in got if a["alert_id"] == alert_id]
if len(got) != 1 or len(mine) != 1:
    bad.append("%d R12 record(s), %d with alert_id %s; want exactly 1"
               % (len(got), len(mine), alert_id))
for a in mine:
    if a["status"] != "OPEN" or a["severity"] != "MEDIUM":
        bad.append("status %s severity %s, want OPEN MEDIUM"
                   % (a["status"], a["severity"]))
    det = round(dt.datetime.fromisoformat(a["detected_at"]).timestamp() * 1000)
    if det != due_ms:
        bad.append("detected_at %s is not the deadline" % a["detected_at"])
    if a != want:
        for k in sorted(set(a) | set(want)):
            if a.get(k) != want.get(k):
                bad.append("%s: daemon %s, check %s" % (
                    k, json.dumps(a.get(k), ensure_ascii=False),
                    json.dumps(want.get(k), ensure_ascii=False)))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF
due=$(wake_due)
[[ -z "$due" ]] || ((due > AFTER_MS)) ||
  ew_fail "the fired wake-up is still in the table (due $(ew_ms_iso "$due"))"
next=none
[[ -z "$due" ]] || next=$(ew_ms_iso "$due")
ew_log "exactly one R12 alert ($ALERT_ID OPEN MEDIUM, detected_at $EW_R12_DEADLINE); next wake-up of the case: $next"

# ---- 5. a crash after the alert: it must not come again --------------------
ew_daemon_alive || ew_fail "the daemon exited after the restart"
ew_daemon_kill9
THIRD_MS=$((AFTER_MS + 5 * 60 * 1000))
ew_daemon_start_at "$THIRD_MS" daemon-3.log
ticked() {
  local clock
  clock=$(ew_sqlite "$STATE" "SELECT value FROM meta WHERE name = 'clock'" 2>/dev/null) || return 1
  [[ -n "$clock" ]] && ((clock >= THIRD_MS + 2000)) && settled
}
ew_wait_for 120 "the third daemon to tick (after the session timeout, see above)" ticked
ew_tail "$EW_T_ALERTS" "$EW_TMP/alerts.jsonl"
n=$(ew_alerts_of "$EW_TMP/alerts.jsonl" R12 | wc -l)
((n == 1)) || ew_fail "$n R12 records after a second crash and restart, want still 1"
ew_log "killed again after the alert and restarted: still exactly one R12 record"

ew_daemon_alive || ew_fail "the third daemon exited"
ew_daemon_stop 15 || ew_fail "the daemon did not exit within 15 s of SIGTERM"
[[ "$EW_DAEMON_RC" == 0 ]] || ew_fail "the daemon exited with status $EW_DAEMON_RC after SIGTERM"
ew_log "done in $((SECONDS - T_START)) s"
ew_pass
