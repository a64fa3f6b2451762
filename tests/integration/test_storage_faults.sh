#!/usr/bin/env bash
# tests/integration/test_storage_faults.sh ENFORCEWATCHD ENFORCEWATCH
#
# Storage faults (issue #6): the state file lives on a small tmpfs that the
# test mounts (root only; without the right to mount it says so and exits
# 77, ctest's skip code when the test is registered with SKIP_RETURN_CODE 77).
# $EW_TMP/state.db is a symlink to it, so lib.sh's helpers read it as usual
# (SQLite resolves the link and keeps -wal/-shm beside the real file).
#
# A. Disk full. On topics of one partition, the reference records and the
#    first third of the sample's events are sent and processed. Then a
#    filler file takes every free block of the tmpfs and the rest of the
#    events is sent. The daemon must log one clear ERROR naming the state
#    file, SQLite's error and "free disk space"; keep running; count no
#    message towards the poison limit (no dead letter: the sample has no
#    bad record); and neither its SQLite offsets nor the group's committed
#    Kafka offsets may move past the saved work while the disk is full. The
#    filler is deleted: the daemon must say it consumes again, catch up by
#    itself, and its final state must equal `enforcewatch check --as-of` its
#    final clock on the whole sample.
# A2. Disk full inside a batch: with the file's suggested page cache cut to
#    10 pages, a batch spills to the WAL while the engine applies a message,
#    so the same message fails the engine again and again. After six
#    failures (POISON_LIMIT is 5) no message may have been condemned; the
#    space comes back and the final state must equal `enforcewatch check`'s
#    on the sample plus 46 more inspections.
# B. A page of the state file is overwritten under the running daemon (and
#    another connection writes, so that the daemon's page cache is dropped);
#    one more event is sent. The daemon must exit non-zero with a message
#    naming the file, "corrupt" and what to do, without condemning the event,
#    and neither offset (state file, group) may move past it.
# C. A start on that file must fail at once (PRAGMA quick_check at open), with
#    the same kind of message and a non-zero status.
# D. With the file moved away, a restart rebuilds what Kafka holds: every
#    reference record from the beginning, the events from the group's
#    committed offsets on (so only the unsaved event of B is read; the
#    history before it is lost), and what it publishes may concern that event
#    or repeat an earlier record exactly, never contradict one.
# shellcheck source=tests/integration/lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"

# Mounting needs root and CAP_SYS_ADMIN; probe before anything else.
probe=$(mktemp -d "${TMPDIR:-/tmp}/ewit-storage-probe.XXXXXX")
if ! mount -t tmpfs -o size=1m tmpfs "$probe" 2>"$probe.err"; then
  echo "SKIP storage_faults: cannot mount a tmpfs ($(tr '\n' ' ' <"$probe.err")); run as root" >&2
  rm -f "$probe.err"
  rmdir "$probe"
  exit 77
fi
umount "$probe"
rm -f "$probe.err"
rmdir "$probe"

ew_init storage_faults "$@"
[[ -f "$EW_SAMPLE" ]] || ew_fail "no sample at $EW_SAMPLE"
MNT="$EW_TMP/mnt"
STATE="$MNT/state.db"
FILLER="$MNT/filler"

# The daemon must be gone before the tmpfs is unmounted; a failed run keeps
# a copy of the state file for the post-mortem.
sf_cleanup() {
  local rc=$?
  set +e
  if [[ -n "$EW_DAEMON_PID" ]] && kill -0 "$EW_DAEMON_PID" 2>/dev/null; then
    kill -TERM "$EW_DAEMON_PID" 2>/dev/null
    sleep 3
    kill -KILL "$EW_DAEMON_PID" 2>/dev/null
    wait "$EW_DAEMON_PID" 2>/dev/null
  fi
  if mountpoint -q "$MNT"; then
    if [[ "$EW_VERDICT" != pass ]]; then
      mkdir -p "$EW_TMP/kept-state"
      cp -a "$MNT"/state.db* "$EW_TMP/kept-state/" 2>/dev/null
    fi
    umount "$MNT" || umount -l "$MNT"
  fi
  (exit "$rc")
  ew_cleanup
}
trap sf_cleanup EXIT

mkdir -p "$MNT"
mount -t tmpfs -o size=16m,mode=0700 tmpfs "$MNT" || ew_fail "mount tmpfs on $MNT failed"
ln -s "$STATE" "$EW_TMP/state.db"
ew_log "state file on a 16 MiB tmpfs: $STATE"
LOGGED_STATE="$EW_TMP/state.db" # the daemon names the configured path

# The sample in two: the references and a third of the events, then the rest.
python3 - "$EW_SAMPLE" "$EW_TMP" <<'EOF'
import json, sys
sample, tmp = sys.argv[1], sys.argv[2]
refs, events = [], []
for line in open(sample, encoding="utf-8"):
    t = json.loads(line)["type"]
    (events if t in ("inspection", "complaint", "penalty", "feedback")
     else refs).append(line)
third = len(events) // 3
with open(tmp + "/part1.jsonl", "w", encoding="utf-8") as fp:
    fp.writelines(refs + events[:third])
with open(tmp + "/part2.jsonl", "w", encoding="utf-8") as fp:
    fp.writelines(events[third:])
with open(tmp + "/refs.count", "w") as fp:
    fp.write(str(len(refs)))
EOF
N1=$(grep -c . "$EW_TMP/part1.jsonl")
N2=$(grep -c . "$EW_TMP/part2.jsonl")
NREFS=$(cat "$EW_TMP/refs.count")

ew_broker_ensure
ew_config "topic_partitions = 1;"
ew_topics_create
EVENT_TOPICS="'$EW_T_INSPECTIONS','$EW_T_COMPLAINTS','$EW_T_PENALTIES','$EW_T_FEEDBACK'"
GROUP="$EW_PREFIX.group"

# sf_state_events: the next offsets of the event topics in the state file.
sf_state_events() {
  ew_sqlite "$STATE" "SELECT coalesce(sum(next_offset), 0) FROM offsets WHERE topic IN ($EVENT_TOPICS)"
}

# sf_group_offsets: "topic partition offset" lines, the group's committed
# offsets as the broker reports them ("-" for none).
sf_group_offsets() {
  "$EW_KAFKA_SH" run-class org.apache.kafka.tools.consumer.group.ConsumerGroupCommand \
    --bootstrap-server "$EW_BROKERS" --describe --group "$GROUP" --offsets 2>/dev/null |
    awk -v p="$EW_PREFIX." 'index($2, p) == 1 { print $2, $3, $4 }'
}

# sf_group_sum: the sum of the group's committed offsets (none counts 0).
sf_group_sum() {
  sf_group_offsets | awk '{ if ($3 ~ /^[0-9]+$/) s += $3 } END { print s + 0 }'
}

# ---- A. disk full -----------------------------------------------------------

ew_send "$EW_TMP/part1.jsonl"
ew_daemon_start
ew_wait_caught_up 120 "$N1"
saved=$(sf_state_events)
group_before=""
for _ in $(seq 1 30); do
  group_before=$(sf_group_sum)
  [[ "$group_before" == "$saved" ]] && break
  sleep 1
done
[[ "$group_before" == "$saved" ]] ||
  ew_fail "the group's committed offsets ($group_before) never reached the saved ones ($saved)"
ew_log "part 1 saved: event offsets $saved in the state file and committed to the group"

dd if=/dev/zero of="$FILLER" bs=64k >/dev/null 2>&1 || true
dd if=/dev/zero of="$FILLER" bs=4k oflag=append conv=notrunc >/dev/null 2>&1 || true
ew_log "filled the tmpfs: $(df -h --output=size,used,avail "$MNT" | tail -n 1)"
ew_send "$EW_TMP/part2.jsonl"

sf_logged() { grep -Eq "$1" "$EW_DAEMON_LOG"; }
ew_wait_for 90 "the disk-full ERROR" \
  sf_logged "error state file $LOGGED_STATE: disk full: .*free disk space"
ew_wait_for 60 "three retries on the full disk" \
  sf_logged "warn state file $LOGGED_STATE: still disk full \(attempt 3\)"
ew_daemon_alive || ew_fail "the daemon exited on a full disk"

ew_log "the clear ERROR (once):"
grep -E "error state file .*: disk full: " "$EW_DAEMON_LOG" | head -n 3 | sed 's/^/    /' >&2
n_err=$(grep -Ec "error state file .*: disk full: " "$EW_DAEMON_LOG" || true)
[[ "$n_err" == 1 ]] || ew_fail "the disk-full ERROR was logged $n_err times, want once"
grep -E "warn state file .*: still disk full" "$EW_DAEMON_LOG" | tail -n 1 | sed 's/^/    /' >&2
if grep -Eq "poison message|dead letter:" "$EW_DAEMON_LOG"; then
  grep -E "poison message|dead letter:" "$EW_DAEMON_LOG" | head -n 3 >&2
  ew_fail "a message was condemned for a full disk"
fi
during=$(sf_state_events)
[[ "$during" == "$saved" ]] ||
  ew_fail "the state file's event offsets moved during the fault: $during, saved $saved"
group_during=$(sf_group_sum)
((group_during <= saved)) ||
  ew_fail "the group's committed offsets ($group_during) passed the saved work ($saved)"
ew_log "during the fault: state file offsets $during, group offsets $group_during, saved $saved"
sf_group_offsets | sed 's/^/    group: /' >&2
ew_tail "$EW_T_DEADLETTER" "$EW_TMP/deadletter-during.jsonl"
[[ ! -s "$EW_TMP/deadletter-during.jsonl" ]] || ew_fail "dead letters during the fault"

rm -f "$FILLER"
ew_log "deleted the filler: $(df -h --output=size,used,avail "$MNT" | tail -n 1)"
ew_wait_for 60 "the daemon to consume again" \
  sf_logged "info state file $LOGGED_STATE: disk full no more, after [0-9]+ failed attempt\(s\); consuming again"
grep -E "disk full no more" "$EW_DAEMON_LOG" | sed 's/^/    /' >&2
ew_wait_caught_up 120 $((N1 + N2))
ew_daemon_alive || ew_fail "the daemon exited after the fault"
ew_daemon_stop 15 || ew_fail "the daemon did not exit within 15 s of SIGTERM"
[[ "$EW_DAEMON_RC" == 0 ]] || ew_fail "the daemon exited with status $EW_DAEMON_RC after SIGTERM"
ew_final_clock
cp "$EW_DAEMON_LOG" "$EW_TMP/daemon-a.log"

"$EW_CLI" check --as-of "$EW_FINAL_CLOCK" "$EW_SAMPLE" >"$EW_TMP/expected.jsonl" \
  2>"$EW_TMP/check.err" || { cat "$EW_TMP/check.err" >&2; ew_fail "enforcewatch check --as-of failed"; }
ew_tail "$EW_T_ALERTS" "$EW_TMP/alerts.jsonl"
ew_tail "$EW_T_NOTICES" "$EW_TMP/notices.jsonl"
ew_tail "$EW_T_DEADLETTER" "$EW_TMP/deadletter.jsonl"
[[ ! -s "$EW_TMP/deadletter.jsonl" ]] || {
  head -c 2000 "$EW_TMP/deadletter.jsonl" >&2
  ew_fail "good events were dead-lettered"
}
ew_compare_final "$EW_TMP/expected.jsonl" "$EW_TMP/alerts.jsonl" "$EW_TMP/notices.jsonl" ||
  ew_fail "after the full disk, the final state differs from enforcewatch check --as-of"
final_state=$(sf_state_events)
for _ in $(seq 1 30); do
  [[ "$(sf_group_sum)" == "$final_state" ]] && break
  sleep 1
done
group_final=$(sf_group_sum)
[[ "$group_final" == "$final_state" ]] ||
  ew_fail "the group's committed offsets ($group_final) differ from the state file's ($final_state) after a clean stop"
ew_log "A passed: every event applied once, the group committed $group_final"

# ---- A2. disk full in the middle of a batch ----------------------------------

# With SQLite's default page cache (2000 KiB) a sample batch fits in memory
# and the disk-full error comes at COMMIT, as in A. A bigger batch spills
# dirty pages to the WAL while the engine applies a message: the error then
# comes from inside the engine, on one message, again and again: exactly
# what the poison limit counts. The state file's suggested cache size (a
# header field, PRAGMA default_cache_size) is set to 10 pages so that every
# batch spills. The fault is kept past POISON_LIMIT (5) failures of the same
# message: no message may be condemned for it.
ew_sqlite "$STATE" "SELECT 1" >/dev/null || ew_fail "the state file cannot be read after A"
python3 - "$STATE" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("PRAGMA default_cache_size = 10")
c.commit()
c.close()
EOF
# New inspections: those of part 2 with new event and inspection ids.
python3 - "$EW_TMP/part2.jsonl" "$EW_TMP/part3.jsonl" <<'EOF'
import json, sys
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in open(sys.argv[1], encoding="utf-8"):
        o = json.loads(line)
        if o["type"] == "inspection":
            o["event_id"] += "-a2"
            o["inspection_id"] += "-A2"
            out.write(json.dumps(o, ensure_ascii=False) + "\n")
EOF
N3=$(grep -c . "$EW_TMP/part3.jsonl")
ew_daemon_start
ew_wait_for 120 "the daemon to run with a small page cache" sf_logged "info running"
dd if=/dev/zero of="$FILLER" bs=64k >/dev/null 2>&1 || true
dd if=/dev/zero of="$FILLER" bs=4k oflag=append conv=notrunc >/dev/null 2>&1 || true
ew_log "filled the tmpfs again: $(df -h --output=size,used,avail "$MNT" | tail -n 1)"
ew_send "$EW_TMP/part3.jsonl"
ew_wait_for 120 "six failed attempts on the full disk (POISON_LIMIT is 5)" \
  sf_logged "warn state file $LOGGED_STATE: still disk full \(attempt 6\)"
grep -E "(error|warn) state file .*disk full" "$EW_DAEMON_LOG" | sed 's/^/    /' >&2
if grep -Eq "poison message|dead letter:" "$EW_DAEMON_LOG"; then
  grep -E "poison message|dead letter:" "$EW_DAEMON_LOG" | head -n 3 >&2
  ew_fail "a message was condemned for a full disk"
fi
# The same message failed the engine at least POISON_LIMIT + 1 times.
mid=$(grep -E "(error|warn) state file .*disk full( \(attempt [0-9]+\))?: engine: .* \(at [^ ]+\)" "$EW_DAEMON_LOG" |
  sed -E 's/.* \(at ([^ ]+)\);.*/\1/' | sort | uniq -c | sort -rn | head -n 1)
ew_log "the message failed most often inside the engine: ${mid:-none}"
mid_count=$(awk '{ print $1 + 0 }' <<<"${mid:-0}")
((mid_count >= 6)) ||
  ew_fail "no message failed the engine 6 times on the full disk (the page cache did not spill?)"
[[ "$(sf_state_events)" == "$final_state" ]] ||
  ew_fail "the state file's event offsets moved during the fault"
group_during=$(sf_group_sum)
((group_during <= final_state)) ||
  ew_fail "the group's committed offsets ($group_during) passed the saved work ($final_state)"
rm -f "$FILLER"
ew_wait_for 60 "the daemon to consume again" \
  sf_logged "info state file $LOGGED_STATE: disk full no more, after [0-9]+ failed attempt\(s\); consuming again"
grep -E "disk full no more" "$EW_DAEMON_LOG" | sed 's/^/    /' >&2
ew_wait_caught_up 120 $((N1 + N2 + N3))
ew_daemon_stop 15 || ew_fail "the daemon did not exit within 15 s of SIGTERM"
[[ "$EW_DAEMON_RC" == 0 ]] || ew_fail "the daemon exited with status $EW_DAEMON_RC after SIGTERM"
ew_final_clock
cat "$EW_SAMPLE" "$EW_TMP/part3.jsonl" >"$EW_TMP/all.jsonl"
"$EW_CLI" check --as-of "$EW_FINAL_CLOCK" "$EW_TMP/all.jsonl" >"$EW_TMP/expected-a2.jsonl" \
  2>"$EW_TMP/check.err" || { cat "$EW_TMP/check.err" >&2; ew_fail "enforcewatch check --as-of failed"; }
ew_tail "$EW_T_ALERTS" "$EW_TMP/alerts.jsonl"
ew_tail "$EW_T_NOTICES" "$EW_TMP/notices.jsonl"
ew_tail "$EW_T_DEADLETTER" "$EW_TMP/deadletter.jsonl"
[[ ! -s "$EW_TMP/deadletter.jsonl" ]] || ew_fail "good events were dead-lettered"
ew_compare_final "$EW_TMP/expected-a2.jsonl" "$EW_TMP/alerts.jsonl" "$EW_TMP/notices.jsonl" >"$EW_TMP/compare-a2.txt" || {
  cat "$EW_TMP/compare-a2.txt" >&2
  ew_fail "after the mid-batch fault, the final state differs from enforcewatch check --as-of"
}
head -n 1 "$EW_TMP/compare-a2.txt" >&2
cp "$EW_DAEMON_LOG" "$EW_TMP/daemon-a2.log"
final_state=$(sf_state_events)
ew_log "A2 passed: $N3 more inspections applied once after the mid-batch fault"

# ---- B. a page corrupted under the running daemon ---------------------------

# sf_exited SECS DESC: waits for the daemon to exit by itself; sets
# EW_DAEMON_RC.
sf_exited() {
  ew_wait_for "$1" "$2" bash -c "! kill -0 $EW_DAEMON_PID 2>/dev/null"
  EW_DAEMON_RC=0
  wait "$EW_DAEMON_PID" || EW_DAEMON_RC=$?
  EW_DAEMON_PID=""
}

# One more inspection, of a new subject, for the daemon to fail on.
LATE_ID=SF-LATE-0001
python3 - "$EW_TMP/part2.jsonl" "$EW_TMP/late.jsonl" "$LATE_ID" <<'EOF'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    if o["type"] == "inspection":
        o["event_id"] = "storage-faults-late-1"
        o["inspection_id"] = sys.argv[3]
        with open(sys.argv[2], "w", encoding="utf-8") as fp:
            fp.write(json.dumps(o, ensure_ascii=False) + "\n")
        break
EOF
insp_committed=$(sf_group_offsets | awk -v t="$EW_T_INSPECTIONS" '$1 == t { print $3 }')
[[ "$insp_committed" =~ ^[0-9]+$ ]] || ew_fail "no committed offset of $EW_T_INSPECTIONS"

ew_daemon_start
ew_wait_for 120 "the daemon to run again on the sound file" sf_logged "info running"
root=$(ew_sqlite "$STATE" "SELECT rootpage FROM sqlite_master WHERE name = 'snapshot'")
[[ "$root" =~ ^[0-9]+$ ]] || ew_fail "no snapshot table in the state file"
# The page is overwritten in the file; another connection's write then makes
# the daemon's next read transaction drop its page cache, so that its next
# read of the page meets the damage.
python3 - "$STATE" "$root" <<'EOF'
import sqlite3, sys
path, page = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as fp:
    fp.seek((page - 1) * 4096)
    fp.write(bytes((0xA5 ^ i) & 0xFF for i in range(4096)))
c = sqlite3.connect(path, timeout=10)
c.execute("INSERT OR REPLACE INTO meta(name, value) VALUES('storage_faults_test', 1)")
c.commit()
c.close()
EOF
ew_log "overwrote page $root (the snapshot table's root) of $STATE under the running daemon"
ew_send "$EW_TMP/late.jsonl"
sf_exited 60 "the daemon to stop on the corrupt page"
# 1, its own failure status: a sanitizer's abort would be another.
[[ "$EW_DAEMON_RC" == 1 ]] || ew_fail "the daemon exited with status $EW_DAEMON_RC on a corrupt state file, want 1"
grep -E "^[^ ]+ error " "$EW_DAEMON_LOG" | sed 's/^/    /' >&2
sf_logged "error state file $LOGGED_STATE: state file corrupt: .*malformed.*restore it from a backup.*; exiting" ||
  ew_fail "no clear message naming the corrupt state file"
if grep -Eq "poison message|dead letter:" "$EW_DAEMON_LOG"; then
  ew_fail "the event was condemned for a corrupt state file"
fi
insp_state=$(ew_sqlite "$STATE" "SELECT next_offset FROM offsets WHERE topic = '$EW_T_INSPECTIONS'")
insp_group=$(sf_group_offsets | awk -v t="$EW_T_INSPECTIONS" '$1 == t { print $3 }')
[[ "$insp_state" == "$insp_committed" && "$insp_group" == "$insp_committed" ]] ||
  ew_fail "offsets moved past the unsaved event: state $insp_state, group $insp_group, before $insp_committed"
ew_log "B passed: exit status $EW_DAEMON_RC; $EW_T_INSPECTIONS stays at $insp_committed in the state file and the group"

# ---- C. the corrupt file at start -------------------------------------------

cp "$EW_DAEMON_LOG" "$EW_TMP/daemon-b.log"
ew_daemon_start
sf_exited 60 "the daemon to refuse the corrupt file"
[[ "$EW_DAEMON_RC" == 1 ]] || ew_fail "the daemon exited with status $EW_DAEMON_RC on a corrupt state file at start, want 1"
grep -E "^[^ ]+ error " "$EW_DAEMON_LOG" | sed 's/^/    /' >&2
sf_logged "error state file $LOGGED_STATE: state file corrupt: .*quick_check.*restore it from a backup" ||
  ew_fail "no clear message naming the corrupt state file"
if sf_logged "info running"; then
  ew_fail "the daemon ran on the corrupt file"
fi
ew_log "C passed: the corrupt file was refused at start with status $EW_DAEMON_RC"

# ---- D. moved away: rebuilt from Kafka ---------------------------------------

mkdir -p "$EW_TMP/corrupt"
mv "$MNT"/state.db* "$EW_TMP/corrupt/"
ew_log "moved the corrupt file away; restarting on an empty state"
EW_DAEMON_LOG="$EW_TMP/daemon-d.log"
"$EW_DAEMOND" -c "$EW_CFG" >"$EW_DAEMON_LOG" 2>&1 &
EW_DAEMON_PID=$!
ew_wait_for 120 "the rebuilt daemon to run" sf_logged "info running"
sf_logged "bootstrap: reference topics read \($NREFS record\(s\)" ||
  ew_fail "the rebuild did not read the $NREFS reference records from the beginning"
sf_late_applied() {
  [[ "$(ew_state_value "SELECT next_offset FROM offsets WHERE topic = '$EW_T_INSPECTIONS'")" == $((insp_committed + 1)) ]]
}
ew_wait_for 90 "the rebuilt daemon to apply the unsaved event" sf_late_applied
sleep 5 # a few ticks on the rebuilt state
ew_daemon_alive || ew_fail "the rebuilt daemon exited"
ew_daemon_stop 15 || ew_fail "the rebuilt daemon did not exit within 15 s of SIGTERM"
[[ "$EW_DAEMON_RC" == 0 ]] || ew_fail "the rebuilt daemon exited with status $EW_DAEMON_RC"
grep -E "assigned .* from|bootstrap: reference|stats:" "$EW_DAEMON_LOG" | sed 's/^/    /' >&2

refs_now=$(ew_sqlite "$STATE" "SELECT count(*) FROM ref")
snaps_now=$(ew_sqlite "$STATE" "SELECT group_concat(subject_id) FROM snapshot")
ew_log "rebuilt state: $refs_now reference record(s), event snapshots: $snaps_now"
ew_sqlite "$STATE" "SELECT topic, next_offset FROM offsets WHERE topic IN ($EVENT_TOPICS)" |
  sed 's/^/    state offsets: /' >&2
sf_group_offsets | sed 's/^/    group: /' >&2
[[ "$refs_now" == "$NREFS" ]] || ew_fail "the rebuilt state has $refs_now reference records, want $NREFS"
[[ "$snaps_now" == "$LATE_ID" ]] ||
  ew_fail "the rebuilt state holds the snapshots '$snaps_now', want only $LATE_ID (events before the group's offsets are not read again)"
insp_group=$(sf_group_offsets | awk -v t="$EW_T_INSPECTIONS" '$1 == t { print $3 }')
[[ "$insp_group" == $((insp_committed + 1)) ]] ||
  ew_fail "the group's offset of $EW_T_INSPECTIONS is $insp_group after the rebuild, want $((insp_committed + 1))"

# What the rebuilt daemon published may concern the new event, or repeat an
# earlier record exactly (same alert id, same content); it must never
# contradict what was published before (e.g. withdraw an alert it forgot).
ew_tail "$EW_T_ALERTS" "$EW_TMP/alerts-after.jsonl"
ew_tail "$EW_T_DEADLETTER" "$EW_TMP/deadletter-after.jsonl"
[[ ! -s "$EW_TMP/deadletter-after.jsonl" ]] || ew_fail "the rebuild produced dead letters"
python3 - "$EW_TMP/alerts.jsonl" "$EW_TMP/alerts-after.jsonl" "$LATE_ID" <<'EOF' ||
import json, sys
def load(p):
    return [json.loads(l) for l in open(p, encoding="utf-8") if l.strip()]
before, after, late = load(sys.argv[1]), load(sys.argv[2]), sys.argv[3]
if after[:len(before)] != before:
    print("  the alert topic changed under the test", file=sys.stderr)
    sys.exit(1)
new = after[len(before):]
seen = {json.dumps(a, sort_keys=True) for a in before}
bad = [a for a in new
       if a.get("subject_id") != late and json.dumps(a, sort_keys=True) not in seen]
print("  after the rebuild: %d alert record(s): %d on %s, %d repeats" % (
    len(new), sum(1 for a in new if a.get("subject_id") == late), late,
    sum(1 for a in new if json.dumps(a, sort_keys=True) in seen)), file=sys.stderr)
for a in new:
    print("    %s %s %s %s" % (a["alert_id"], a["status"], a.get("subject_id"),
                             a.get("detected_at")), file=sys.stderr)
for a in bad:
    print("  unexplained: %s" % json.dumps(a, ensure_ascii=False)[:400],
          file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
  ew_fail "the rebuilt daemon published alerts that contradict the earlier ones"
ew_log "D passed: references read from the beginning, events from the group's committed offsets"
ew_pass
