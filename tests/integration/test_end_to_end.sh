#!/usr/bin/env bash
# tests/integration/test_end_to_end.sh ENFORCEWATCHD ENFORCEWATCH
#
# The daemon and the offline check agree: the Linxia sample
# (deploy/sample/linxia.jsonl) is sent to fresh topics with `enforcewatch
# send`, enforcewatchd processes it, and the alerts it publishes must be
# exactly the alerts `enforcewatch check` prints for the same file (as sets:
# the daemon reads several partitions, so only the order may differ). Then
# SIGTERM must stop the daemon with status 0 within 15 s.
# shellcheck source=tests/integration/lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"

ew_init end_to_end "$@"
[[ -f "$EW_SAMPLE" ]] || ew_fail "no sample at $EW_SAMPLE"

ew_log "expected alerts: enforcewatch check $EW_SAMPLE"
"$EW_CLI" check "$EW_SAMPLE" >"$EW_TMP/expected.jsonl" 2>"$EW_TMP/check.err" ||
  { cat "$EW_TMP/check.err" >&2; ew_fail "enforcewatch check failed"; }
if grep -Eq 'linxia\.jsonl:[0-9]+:' "$EW_TMP/check.err"; then
  cat "$EW_TMP/check.err" >&2
  ew_fail "the sample has bad lines"
fi
want=$(ew_count_kind "$EW_TMP/expected.jsonl" alert)
((want > 0)) || ew_fail "enforcewatch check found no alert in the sample"
ew_log "check: $want alerts"

ew_broker_ensure
ew_config ""
ew_topics_create
ew_send "$EW_SAMPLE"
ew_daemon_start

got=0
alerts_reached() {
  ew_tail "$EW_T_ALERTS" "$EW_TMP/alerts.jsonl"
  got=$(ew_count_kind "$EW_TMP/alerts.jsonl" alert)
  ((got >= want))
}
ew_wait_for 120 "$want alerts on $EW_T_ALERTS (last seen: $EW_TMP/alerts.jsonl)" alerts_reached
ew_log "the daemon published $got alerts"

# A duplicate would arrive after the count was reached: look once more.
sleep 3
ew_tail "$EW_T_ALERTS" "$EW_TMP/alerts.jsonl"
ew_canon "$EW_TMP/expected.jsonl" "$EW_TMP/expected.canon"
ew_canon "$EW_TMP/alerts.jsonl" "$EW_TMP/alerts.canon"
if ! diff -u --label "enforcewatch check (expected)" --label "enforcewatchd ($EW_T_ALERTS)" \
     "$EW_TMP/expected.canon" "$EW_TMP/alerts.canon" >"$EW_TMP/alerts.diff"; then
  cat "$EW_TMP/alerts.diff" >&2
  ew_fail "the daemon's alerts differ from enforcewatch check's"
fi
ew_daemon_alive || ew_fail "the daemon exited before SIGTERM"

ew_log "SIGTERM"
ew_daemon_stop 15 || ew_fail "the daemon did not exit within 15 s of SIGTERM"
[[ "$EW_DAEMON_RC" == 0 ]] || ew_fail "the daemon exited with status $EW_DAEMON_RC after SIGTERM"
ew_pass
