#!/usr/bin/env bash
# tests/integration/test_end_to_end.sh ENFORCEWATCHD ENFORCEWATCH
#
# The daemon and the offline check agree: the Linxia sample
# (deploy/sample/linxia.jsonl) is sent to fresh topics with `enforcewatch
# send`, enforcewatchd processes it, and what it publishes must be what
# `enforcewatch check --as-of T` prints for the same file, T being the
# daemon's own final clock.
#
# Time. The daemon reads the sample as a backlog, its clock following the
# events, and then runs on the wall clock (architecture.md "Time"), so by
# the end it has fired every deadline due by now. The test waits until the
# daemon has applied every record (the sum of the next offsets in its
# SQLite state), has ticked on the wall clock since, and has delivered
# everything (empty outbox); then SIGTERM must stop it with status 0 within
# 15 s, leaving nothing undelivered. Its final clock T is the `clock` row of
# its SQLite `meta` table. The alerts are compared by their final state per
# alert_id and the notices by notice_id (tests/integration/final_state.py:
# the daemon reads several partitions and may judge a snapshot at a later
# clock than check, so only the final states must agree, and what that
# explains is listed). The dead-letter topic must stay empty.
# shellcheck source=tests/integration/lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"

ew_init end_to_end "$@"
[[ -f "$EW_SAMPLE" ]] || ew_fail "no sample at $EW_SAMPLE"
T_START=$SECONDS

"$EW_CLI" check "$EW_SAMPLE" >"$EW_TMP/check-plain.jsonl" 2>"$EW_TMP/check.err" ||
  { cat "$EW_TMP/check.err" >&2; ew_fail "enforcewatch check failed"; }
if grep -Eq 'linxia\.jsonl:[0-9]+:' "$EW_TMP/check.err"; then
  cat "$EW_TMP/check.err" >&2
  ew_fail "the sample has bad lines"
fi

ew_broker_ensure
ew_config ""
ew_topics_create
ew_send "$EW_SAMPLE"
ew_daemon_start
ew_wait_caught_up 120 "$(grep -c . "$EW_SAMPLE")"
ew_daemon_alive || ew_fail "the daemon exited before SIGTERM"

ew_log "SIGTERM"
ew_daemon_stop 15 || ew_fail "the daemon did not exit within 15 s of SIGTERM"
[[ "$EW_DAEMON_RC" == 0 ]] || ew_fail "the daemon exited with status $EW_DAEMON_RC after SIGTERM"
ew_final_clock
AS_OF=$(ew_ms_iso "$EW_FINAL_CLOCK")

ew_log "expected: enforcewatch check --as-of $AS_OF (the daemon's final clock) $EW_SAMPLE"
"$EW_CLI" check --as-of "$EW_FINAL_CLOCK" "$EW_SAMPLE" >"$EW_TMP/expected.jsonl" \
  2>"$EW_TMP/check.err" || { cat "$EW_TMP/check.err" >&2; ew_fail "enforcewatch check --as-of failed"; }
want=$(ew_count_kind "$EW_TMP/expected.jsonl" alert)
((want > 0)) || ew_fail "enforcewatch check found no alert in the sample"

ew_tail "$EW_T_ALERTS" "$EW_TMP/alerts.jsonl"
ew_tail "$EW_T_NOTICES" "$EW_TMP/notices.jsonl"
ew_tail "$EW_T_DEADLETTER" "$EW_TMP/deadletter.jsonl"
[[ ! -s "$EW_TMP/deadletter.jsonl" ]] || {
  head -c 2000 "$EW_TMP/deadletter.jsonl" >&2
  ew_fail "the sample produced dead letters"
}
ew_log "check: $want alert record(s), $(ew_count_kind "$EW_TMP/expected.jsonl" notice) notice(s);" \
  "daemon: $(ew_count_kind "$EW_TMP/alerts.jsonl" alert) alert record(s)," \
  "$(ew_count_kind "$EW_TMP/notices.jsonl" notice) notice(s)"
ew_compare_final "$EW_TMP/expected.jsonl" "$EW_TMP/alerts.jsonl" "$EW_TMP/notices.jsonl" ||
  ew_fail "the daemon's final state differs from enforcewatch check --as-of $AS_OF"
ew_log "done in $((SECONDS - T_START)) s"
ew_pass
