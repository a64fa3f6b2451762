#!/usr/bin/env bash
# tests/integration/test_deadletter.sh ENFORCEWATCHD ENFORCEWATCH
#
# Bad input goes to the dead-letter topic and the daemon moves on
# (contract §6). On topics of one partition (so "after" is well defined):
#   1. the reference records and the first third of the sample's events are
#      sent with `enforcewatch send`;
#   2. four records that cannot be decoded are produced to the inspections
#      topic with the Kafka console producer: a value without the magic
#      byte, a frame with an unknown schema id, the inspection schema's id
#      followed by a truncated body, and one over max_message_bytes;
#   3. the rest of the events is sent.
# Then the daemon runs. The dead-letter topic must hold the four records with
# their original key, value and header plus x-error-code (BAD_FRAME,
# UNKNOWN_SCHEMA, MALFORMED, TOO_LARGE), x-error-message, x-source-topic,
# x-source-partition and x-source-offset; and the alerts must be exactly those
# of `enforcewatch check` on the whole sample, including the ones caused by
# events sent after the bad records. SIGTERM must stop the daemon with 0.
# shellcheck source=tests/integration/lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"

ew_init deadletter "$@"
[[ -f "$EW_SAMPLE" ]] || ew_fail "no sample at $EW_SAMPLE"

# The sample split in two around the bad records; and the bad records.
python3 - "$EW_SAMPLE" "$EW_TMP" <<'EOF'
import json, sys
sample, tmp = sys.argv[1], sys.argv[2]
refs, events = [], []
for line in open(sample, encoding="utf-8"):
    t = json.loads(line)["type"]
    (events if t in ("inspection", "complaint", "penalty", "feedback")
     else refs).append(line)
half = len(events) // 3
with open(tmp + "/part1.jsonl", "w", encoding="utf-8") as fp:
    fp.writelines(refs + events[:half])
with open(tmp + "/part2.jsonl", "w", encoding="utf-8") as fp:
    fp.writelines(events[half:])
with open(tmp + "/split_time", "w") as fp:
    fp.write(json.loads(events[half])["event_time"])
key = next(json.loads(l)["enterprise_uscc"] for l in events[half:]
           if json.loads(l)["type"] == "inspection")
bad = [  # (expected x-error-code, value); values are UTF-8 text on one line
    ("BAD_FRAME", '{"inspection_id": "not Avro at all"}'),
    ("UNKNOWN_SCHEMA", "\x00\x00\x00\x7f\x7f" + "unknown schema id 32639"),
    ("MALFORMED", "\x00\x00\x00\x00\x01" + "\x02"),  # id 1, then cut short
    # Over max_message_bytes (1000000) yet under the broker's limit: it must
    # reach the dead-letter topic whole, not block the outbox.
    ("TOO_LARGE", "\x00\x00\x00\x00\x01" + "x" * 1010000),
]
with open(tmp + "/bad.txt", "w", encoding="utf-8", newline="\n") as fp:
    for n, (_, value) in enumerate(bad):
        fp.write("x-feed:linxia-test,x-seq:%d\t%s\t%s\n" % (n, key, value))
json.dump({"key": key, "records": bad}, open(tmp + "/bad.json", "w"))
EOF

ew_log "expected alerts: enforcewatch check $EW_SAMPLE"
"$EW_CLI" check "$EW_SAMPLE" >"$EW_TMP/expected.jsonl" 2>"$EW_TMP/check.err" ||
  { cat "$EW_TMP/check.err" >&2; ew_fail "enforcewatch check failed"; }
want=$(ew_count_kind "$EW_TMP/expected.jsonl" alert)
after=$(python3 - "$EW_TMP/expected.jsonl" "$(cat "$EW_TMP/split_time")" <<'EOF'
import datetime as dt, json, sys
split = dt.datetime.fromisoformat(sys.argv[2])
print(sum(1 for l in open(sys.argv[1], encoding="utf-8")
          if json.loads(l).get("kind") == "alert"
          and dt.datetime.fromisoformat(json.loads(l)["detected_at"]) >= split))
EOF
)
((after > 0)) || ew_fail "the second half of the sample causes no alert: split it elsewhere"
ew_log "check: $want alerts, $after of them from events after the bad records"

ew_broker_ensure
ew_config "topic_partitions = 1;"
ew_topics_create
ew_send "$EW_TMP/part1.jsonl"
ew_log "producing 4 bad records to $EW_T_INSPECTIONS"
ew_produce_raw "$EW_T_INSPECTIONS" <"$EW_TMP/bad.txt"
ew_send "$EW_TMP/part2.jsonl"
ew_daemon_start

ew_wait_caught_up 120 $(($(grep -c . "$EW_TMP/part1.jsonl") + $(grep -c . "$EW_TMP/part2.jsonl") + 4))
ew_tail "$EW_T_DEADLETTER" "$EW_TMP/deadletter.jsonl"
ew_daemon_alive || ew_fail "the daemon exited on bad input"
ew_daemon_stop 15 || ew_fail "the daemon did not exit within 15 s of SIGTERM"
[[ "$EW_DAEMON_RC" == 0 ]] || ew_fail "the daemon exited with status $EW_DAEMON_RC after SIGTERM"
ew_final_clock
ew_tail "$EW_T_ALERTS" "$EW_TMP/alerts.jsonl"
ew_tail "$EW_T_NOTICES" "$EW_TMP/notices.jsonl"

ew_log "checking the dead-letter records"
python3 - "$EW_TMP/deadletter.jsonl" "$EW_TMP/bad.json" "$EW_T_INSPECTIONS" <<'EOF' ||
import base64, json, sys
records = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
bad = json.load(open(sys.argv[2]))
topic = sys.argv[3]
problems = []
if len(records) != len(bad["records"]):
    problems.append("%d dead-letter records, want %d"
                    % (len(records), len(bad["records"])))
last_offset = -1
for n, (rec, (code, value)) in enumerate(zip(records, bad["records"])):
    where = "dead-letter record %d" % n
    h = rec.get("headers") or {}
    print("  %s: x-error-code=%s x-error-message=%r offset=%s" % (
        where, h.get("x-error-code"), h.get("x-error-message"),
        h.get("x-source-offset")))
    if rec.get("key") != bad["key"]:
        problems.append("%s: key %r, want %r" % (where, rec.get("key"), bad["key"]))
    got_value = base64.b64decode(rec.get("value_base64") or "")
    if got_value != value.encode("utf-8"):
        problems.append("%s: value %r, want the original %r"
                        % (where, got_value, value.encode("utf-8")))
    for name in ("x-error-code", "x-error-message", "x-source-topic",
                 "x-source-partition", "x-source-offset"):
        if not isinstance(h.get(name), str) or not h.get(name):
            problems.append("%s: header %s missing or empty" % (where, name))
    if h.get("x-error-code") != code:
        problems.append("%s: x-error-code %r, want %r"
                        % (where, h.get("x-error-code"), code))
    if h.get("x-source-topic") != topic:
        problems.append("%s: x-source-topic %r, want %r"
                        % (where, h.get("x-source-topic"), topic))
    if h.get("x-source-partition") != "0":
        problems.append("%s: x-source-partition %r, want \"0\""
                        % (where, h.get("x-source-partition")))
    off = h.get("x-source-offset", "")
    if not (isinstance(off, str) and off.isdigit()) or int(off) <= last_offset:
        problems.append("%s: x-source-offset %r is not an increasing decimal"
                        % (where, off))
    else:
        last_offset = int(off)
    if h.get("x-feed") != "linxia-test" or h.get("x-seq") != str(n):
        problems.append("%s: the original headers were not kept: %r" % (where, h))
for p in problems:
    print("  " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
EOF
  ew_fail "the dead-letter records are not as expected (see above; $EW_TMP/deadletter.jsonl)"

# The daemon's clock is wall time once it has caught up: compare with check
# --as-of its final clock, by final state (lib.sh ew_compare_final).
"$EW_CLI" check --as-of "$EW_FINAL_CLOCK" "$EW_SAMPLE" >"$EW_TMP/expected-final.jsonl" \
  2>"$EW_TMP/check.err" || { cat "$EW_TMP/check.err" >&2; ew_fail "enforcewatch check --as-of failed"; }
ew_compare_final "$EW_TMP/expected-final.jsonl" "$EW_TMP/alerts.jsonl" "$EW_TMP/notices.jsonl" ||
  ew_fail "the daemon's final state differs from enforcewatch check's (records after the bad ones lost?)"
ew_log "all alerts published, $after of them from events after the bad records"
ew_pass
