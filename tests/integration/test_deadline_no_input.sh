#!/usr/bin/env bash
# tests/integration/test_deadline_no_input.sh ENFORCEWATCHD ENFORCEWATCH
#
# An overdue alert appears with no further input (issue 4, architecture.md
# "Time": in the daemon the clock advances with wall time, so an overdue
# alert appears within a minute of the deadline even when no events
# arrive). The daemon's wall clock is faked with libfaketime; the case is an
# R12 penalty (filed 2025-04-01, not decided: due by 2025-06-30
# 23:59:59.999 +08:00, see lib.sh ew_r12_case).
#   1. the reference records are sent; the daemon starts at a fake time
#      40 s before the deadline and runs;
#   2. at 20 s before the deadline (fake) the penalty is sent, and nothing
#      else after it; its wake-up must be in the SQLite `wakeup` table
#      before the deadline, and no R12 alert out;
#   3. `enforcewatch tail --follow` watches the alert topic: the R12 alert
#      must appear within 60 s after the deadline (the delay, on the
#      daemon's clock, is printed), exactly once, with detected_at = the
#      deadline and the content `enforcewatch check --as-of` prints;
#   4. SIGTERM stops the daemon with status 0.
# The output topics are stamped with the broker's append time (lib.sh
# ew_topics_log_append_time).
# shellcheck source=tests/integration/lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"

ew_init deadline_no_input "$@"
ew_faketime_require
T_START=$SECONDS
DUE_MS=$EW_R12_DEADLINE_MS
MAX_DELAY_MS=60000
WAKE_KIND=2 # EW_SUBJ_PENALTY (record.h)

ew_r12_case "$EW_TMP"
cat "$EW_TMP/refs.jsonl" "$EW_TMP/penalty.jsonl" >"$EW_TMP/all.jsonl"
"$EW_CLI" check --as-of "$(ew_ms_iso $((DUE_MS + 1 + MAX_DELAY_MS)))" "$EW_TMP/all.jsonl" \
  >"$EW_TMP/check.jsonl" 2>"$EW_TMP/check.err" ||
  { cat "$EW_TMP/check.err" >&2; ew_fail "enforcewatch check failed"; }
ew_alerts_of "$EW_TMP/check.jsonl" R12 >"$EW_TMP/check.r12"
[[ $(wc -l <"$EW_TMP/check.r12") == 1 ]] ||
  ew_fail "enforcewatch check printed $(wc -l <"$EW_TMP/check.r12") R12 alerts a minute after the deadline, want 1 (is R12 implemented?)"

# ---- 1. the daemon, 40 s early ---------------------------------------------
ew_broker_ensure
ew_config "topic_partitions = 1;"
ew_topics_log_append_time "$EW_T_ALERTS" "$EW_T_NOTICES"
ew_topics_create
ew_send "$EW_TMP/refs.jsonl"
STATE="$EW_TMP/state.db"
running() { grep -q ' running$' "$EW_DAEMON_LOG"; }
ew_daemon_start_at $((DUE_MS + 1 - 40000))
ew_wait_for 40 "the daemon to run" running

# ---- 2. the case, 20 s before its deadline, then nothing ---------------------
ew_wait_fake_until $((DUE_MS + 1 - 20000))
((DUE_MS + 1 - $(ew_fake_now_ms) >= 15000)) ||
  ew_fail "the daemon took too long to start: less than 15 s left before the deadline"
ew_send "$EW_TMP/penalty.jsonl"
SENT_FAKE_MS=$(ew_fake_now_ms)
"$EW_CLI" tail --config "$EW_CFG" --from-beginning --follow "$EW_T_ALERTS" \
  >"$EW_TMP/alerts.jsonl" 2>"$EW_TMP/tail.err" &
EW_BG_PIDS+=($!)
armed() {
  [[ -n $(ew_sqlite "$STATE" "SELECT due_at FROM wakeup WHERE kind = ? AND subject_id = ?" \
    "$WAKE_KIND" "$EW_R12_CASE" 2>/dev/null) ]]
}
ew_wait_for 30 "the penalty's wake-up in $STATE" armed
ARMED_FAKE_MS=$(ew_fake_now_ms)
((ARMED_FAKE_MS <= DUE_MS)) || ew_fail "the wake-up was armed only after the deadline had passed"
[[ -z $(ew_alerts_of "$EW_TMP/alerts.jsonl" R12) ]] || ew_fail "an R12 alert before the deadline"
ew_log "penalty sent at fake $(ew_ms_iso "$SENT_FAKE_MS"), wake-up armed $(((DUE_MS + 1 - ARMED_FAKE_MS) / 1000)) s before the deadline"

# ---- 3. the alert, by the clock alone ---------------------------------------
SEEN_FAKE_MS=""
while :; do
  if [[ -n $(ew_alerts_of "$EW_TMP/alerts.jsonl" R12) ]]; then
    SEEN_FAKE_MS=$(ew_fake_now_ms)
    break
  fi
  ew_daemon_alive || ew_fail "the daemon exited while waiting for the R12 alert"
  (($(ew_fake_now_ms) <= DUE_MS + 1 + MAX_DELAY_MS)) || break
  sleep 0.2
done
[[ -n "$SEEN_FAKE_MS" ]] ||
  ew_fail "no R12 alert on $EW_T_ALERTS $((MAX_DELAY_MS / 1000)) s after the deadline (daemon clock)"
DELAY_MS=$((SEEN_FAKE_MS - DUE_MS - 1))
DELAY=$(printf '%d.%d' $((DELAY_MS / 1000)) $((DELAY_MS % 1000 / 100)))
ew_log "the R12 alert appeared ${DELAY} s after the deadline (daemon clock; polled every 0.2 s)"
echo "deadline_no_input: overdue alert ${DELAY} s after its deadline"
((DELAY_MS >= 0)) || ew_fail "the R12 alert appeared before the deadline"

# A duplicate would follow the first: wait for an empty outbox and a few
# ticks, then look again.
settled() { [[ $(ew_sqlite "$STATE" "SELECT count(*) FROM outbox") == 0 ]]; }
ew_wait_for 30 "the daemon's outbox to empty" settled
sleep 3
ew_alerts_of "$EW_TMP/alerts.jsonl" R12 >"$EW_TMP/daemon.r12"
python3 - "$EW_TMP/daemon.r12" "$EW_TMP/check.r12" "$DUE_MS" <<'EOF' || ew_fail "the R12 alert is wrong"
import datetime as dt, json, sys
got = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
want = json.loads(open(sys.argv[2], encoding="utf-8").read())
due_ms = int(sys.argv[3])
bad = []
if len(got) != 1:
    bad.append("%d R12 records, want exactly 1" % len(got))
for a in got[:1]:
    det = round(dt.datetime.fromisoformat(a["detected_at"]).timestamp() * 1000)
    if det != due_ms:
        bad.append("detected_at %s is not the deadline" % a["detected_at"])
    for k in sorted(set(a) | set(want)):
        if a.get(k) != want.get(k):
            bad.append("%s: daemon %s, check %s" % (
                k, json.dumps(a.get(k), ensure_ascii=False),
                json.dumps(want.get(k), ensure_ascii=False)))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF

# ---- 4. stop ----------------------------------------------------------------
ew_daemon_alive || ew_fail "the daemon exited"
ew_daemon_stop 15 || ew_fail "the daemon did not exit within 15 s of SIGTERM"
[[ "$EW_DAEMON_RC" == 0 ]] || ew_fail "the daemon exited with status $EW_DAEMON_RC after SIGTERM"
ew_log "done in $((SECONDS - T_START)) s"
ew_pass
