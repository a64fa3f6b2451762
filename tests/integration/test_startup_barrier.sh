#!/usr/bin/env bash
# tests/integration/test_startup_barrier.sh ENFORCEWATCHD ENFORCEWATCH
#
# Delivery review, finding "startup barrier": outbox rows left by the last
# run cover input whose offsets that run committed to SQLite but not to
# Kafka. No Kafka offset of the new run may be committed before those rows
# are delivered - not even for a batch that has no outputs of its own.
#   1. a first start creates the state file; it is stopped;
#   2. an undeliverable row (to a topic that does not exist; the broker does
#      not auto-create) is put in its outbox, as if the last run had left it;
#   3. the daemon starts again and reads one complaint that emits nothing;
#   4. once SQLite has the complaint's offset, the group must have no
#      committed offset on the complaints topic;
#   5. an operator deletes the stuck row: the offset is committed then.
# shellcheck source=tests/integration/lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"

ew_init startup_barrier "$@"
ew_broker_ensure
ew_config "topic_partitions = 1;"
ew_topics_create

python3 - "$EW_TMP/complaint.jsonl" "$EW_SAMPLE" <<'EOF'
import json, sys
for line in open(sys.argv[2], encoding="utf-8"):
    if json.loads(line).get("event_id") == "7b87cb30-9a12-5df7-8b19-3ec41ce0c98d":
        open(sys.argv[1], "w", encoding="utf-8").write(line)
        break
else:
    sys.exit("complaint not found in the sample")
EOF

running() { grep -q ' running$' "$EW_DAEMON_LOG"; }
ew_daemon_start
ew_wait_for 60 "the first start" running
ew_daemon_stop 20 || ew_fail "first stop timed out"

STATE="$EW_TMP/state.db"
python3 - "$STATE" "$EW_PREFIX.nowhere" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT INTO outbox(topic, key, value, headers) VALUES(?, ?, ?, NULL)",
           (sys.argv[2], b"k", b"left over"))
db.commit()
EOF

ew_daemon_start
ew_wait_for 60 "the second start" running
ew_send "$EW_TMP/complaint.jsonl"

sqlite_offset() {
  python3 - "$STATE" "$EW_T_COMPLAINTS" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
r = db.execute("SELECT next_offset FROM offsets WHERE topic = ? AND part = 0",
               (sys.argv[2],)).fetchone()
print(r[0] if r else -1)
EOF
}
complaint_in_sqlite() { [[ $(sqlite_offset) == 1 ]]; }
ew_wait_for 60 "the complaint's offset in SQLite" complaint_in_sqlite

kafka_offset() {
  "$EW_KAFKA_SH" run-class org.apache.kafka.tools.consumer.group.ConsumerGroupCommand \
    --bootstrap-server "$EW_BROKERS" --describe --group "$EW_PREFIX.group" \
    --offsets 2>/dev/null | awk -v t="$EW_T_COMPLAINTS" '$2 == t && $3 == 0 { print $4 }'
}
# Commits are asynchronous and run every loop iteration: give them time.
sleep 6
got=$(kafka_offset)
ew_log "committed offset of $EW_T_COMPLAINTS[0] with the row stuck: '${got}'"
[[ -z "$got" || "$got" == "-" ]] ||
  ew_fail "offset $got committed to Kafka while a row of the last run is undelivered"

python3 - "$STATE" "$EW_PREFIX.nowhere" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
db.execute("DELETE FROM outbox WHERE topic = ?", (sys.argv[2],))
db.commit()
EOF
committed() { [[ $(kafka_offset) == 1 ]]; }
ew_wait_for 90 "the offset committed once the stuck row is gone" committed

ew_daemon_stop 20 || ew_fail "the daemon did not stop"
[[ "$EW_DAEMON_RC" == 0 ]] || ew_fail "exit status $EW_DAEMON_RC"
ew_pass
