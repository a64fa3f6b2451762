# shellcheck shell=bash
# tests/integration/lib.sh - helpers for the integration tests, which run the
# real binaries against the real local broker (deploy/kafka.sh).
#
# Source it from a test script, then:
#   ew_init NAME ENFORCEWATCHD ENFORCEWATCH   temp dir, cleanup trap, binaries
#   ew_broker_ensure                          start the broker if needed
#   ew_config [EXTRA_LINES]                   a config file of unique topic
#                                             names, group id and state file
#   ew_daemon_start / ew_daemon_stop SECS     run and stop enforcewatchd
#   ew_wait_for SECS DESC CMD...              poll until CMD succeeds
#   ew_tail TOPIC OUT                         the committed records of TOPIC
#   ew_canon IN OUT                           JSON Lines, canonical and sorted
#   ew_pass / ew_fail MSG                     the verdict
#   ew_daemon_start_at MS [LOG]               enforcewatchd on a fake wall clock
#   ew_fake_now_ms / ew_wait_fake_until MS    that clock, seen from the test
#   ew_daemon_kill9                           SIGKILL the daemon (a crash)
#   ew_topics_log_append_time TOPIC...        output topics stamped by the broker
#   ew_sqlite DB SQL [ARG...]                 a read-only query, rows as TSV
#   ew_r12_case DIR / ew_alerts_of FILE RULE  the deadline tests' case, alerts
#   ew_wait_caught_up SECS RECORDS            input applied, a wall-clock tick
#   ew_final_clock                            a stopped daemon's clock (ms)
#   ew_compare_final EXPECTED ALERTS NOTICES  final states vs check --as-of
#
# Every test gets its own prefix for every topic and the group id
# (ewit-<name>-<pid>-<random>), so tests never see each other's records and a
# run never sees an earlier one's. The topics are deleted at the end of a
# passing test (EW_IT_KEEP_TOPICS=1 keeps them); the temp dir is kept when a
# test fails (and always with EW_IT_KEEP_TMP=1), and its path is printed.
#
# The daemon's clock is wall time once it has caught up (architecture.md
# "Time"), so deadline tests run it under libfaketime (Debian package
# faketime; see ew_daemon_start_at). Background helpers a test starts (e.g.
# `enforcewatch tail --follow`) go in EW_BG_PIDS and are killed at exit.
#
# Environment: EW_SOURCE_DIR (repository root; ctest sets it), EW_IT_KEEP_TMP,
# EW_IT_KEEP_TOPICS, EW_KEEP_BROKER (do not stop a broker this test started),
# and deploy/kafka.sh's own EW_KAFKA_* variables.

set -euo pipefail

# The globals below are the interface of this file to the test scripts.
# shellcheck disable=SC2034
EW_ROOT=${EW_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
EW_KAFKA_SH="$EW_ROOT/deploy/kafka.sh"
# shellcheck disable=SC2034
EW_SAMPLE="$EW_ROOT/deploy/sample/linxia.jsonl"

EW_TEST=""          # the test's name
EW_TMP=""           # its temp dir
EW_DAEMOND=""       # enforcewatchd
EW_CLI=""           # enforcewatch
EW_CFG=""           # the config file written by ew_config
EW_PREFIX=""        # topic / group prefix
EW_BROKERS=""
EW_DAEMON_PID=""
EW_DAEMON_RC=""
EW_DAEMON_LOG=""
EW_BROKER_STARTED=0
EW_VERDICT=""       # "pass" once ew_pass ran
EW_FAKETIME_LIB=""  # libfaketimeMT.so.1, found by ew_faketime_require
EW_FAKETIME_SHIM="" # faketime_shim.so, built by ew_faketime_require
EW_FAKE_OFFSET_S=0  # fake minus real wall time of the last faked daemon, s
EW_BG_PIDS=()       # background helpers, killed at exit

ew_log() { printf '[%s %s] %s\n' "${EW_TEST:-it}" "$(date +%H:%M:%S)" "$*" >&2; }

ew_fail() {
  ew_log "FAIL: $*"
  exit 1
}

ew_pass() {
  EW_VERDICT=pass
  echo "PASS ${EW_TEST}"
}

# ew_abs PATH: PATH made absolute (the file must exist).
ew_abs() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd)" "$(basename "$1")"); }

# ew_init NAME ENFORCEWATCHD ENFORCEWATCH
ew_init() {
  [[ $# -eq 3 ]] || { echo "usage: $0 /path/to/enforcewatchd /path/to/enforcewatch" >&2; exit 2; }
  EW_TEST=$1
  local d=$2 c=$3
  [[ -x "$d" && -x "$c" ]] || { echo "$0: $d or $c is not an executable" >&2; exit 2; }
  EW_DAEMOND=$(ew_abs "$d")
  EW_CLI=$(ew_abs "$c")
  command -v python3 >/dev/null || { echo "$0: python3 is required" >&2; exit 2; }
  EW_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ewit-$EW_TEST.XXXXXX")
  EW_PREFIX="ewit-${EW_TEST//_/-}-$$-$RANDOM"
  trap ew_cleanup EXIT
  trap 'ew_log "interrupted"; exit 130' INT TERM
}

ew_cleanup() {
  local rc=$?
  trap - EXIT
  set +e
  local bg
  for bg in "${EW_BG_PIDS[@]}"; do
    kill "$bg" 2>/dev/null
    wait "$bg" 2>/dev/null
  done
  if [[ -n "$EW_DAEMON_PID" ]] && kill -0 "$EW_DAEMON_PID" 2>/dev/null; then
    ew_log "killing the daemon (pid $EW_DAEMON_PID)"
    kill -TERM "$EW_DAEMON_PID" 2>/dev/null
    local i
    for ((i = 0; i < 50; i++)); do
      kill -0 "$EW_DAEMON_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$EW_DAEMON_PID" 2>/dev/null
    wait "$EW_DAEMON_PID" 2>/dev/null
  fi
  if [[ "$EW_VERDICT" != pass ]]; then
    [[ $rc -eq 0 ]] && rc=1
    if [[ -n "$EW_DAEMON_LOG" && -s "$EW_DAEMON_LOG" ]]; then
      ew_log "last lines of the daemon's log ($EW_DAEMON_LOG):"
      tail -n 40 "$EW_DAEMON_LOG" | sed 's/^/    /' >&2
    fi
    [[ -n "$EW_TMP" ]] && ew_log "kept $EW_TMP"
    echo "FAIL ${EW_TEST}"
  else
    if [[ -n "$EW_BROKERS" && "${EW_IT_KEEP_TOPICS:-0}" != 1 ]]; then
      ew_delete_topics
    fi
    if [[ -n "$EW_TMP" && "${EW_IT_KEEP_TMP:-0}" != 1 ]]; then
      rm -rf -- "$EW_TMP"
    fi
  fi
  if [[ $EW_BROKER_STARTED == 1 && "${EW_KEEP_BROKER:-0}" != 1 ]]; then
    "$EW_KAFKA_SH" stop >&2
  fi
  exit "$rc"
}

# ew_broker_ensure: a ready broker at EW_BROKERS. `kafka.sh start` is
# idempotent: it returns at once when the broker is up, and waits for one that
# is still starting.
ew_broker_ensure() {
  if ! "$EW_KAFKA_SH" status >/dev/null 2>&1; then
    EW_BROKER_STARTED=1
  fi
  "$EW_KAFKA_SH" start >&2 || ew_fail "the broker did not start (deploy/kafka.sh start)"
  EW_BROKERS=$("$EW_KAFKA_SH" bootstrap)
}

# ew_topic NAME: the prefixed topic name of a default topic name.
ew_topic() { printf '%s.%s\n' "$EW_PREFIX" "$1"; }

# ew_config [EXTRA]: writes $EW_TMP/enforcewatch.cfg (libconfig) naming every
# topic with the test's prefix; EXTRA (e.g. "topic_partitions = 1;") is
# appended verbatim. Sets EW_CFG and EW_T_<TOPIC> for the event, output and
# dead-letter topics.
ew_config() {
  local extra=${1:-}
  [[ -n "$EW_BROKERS" ]] || ew_fail "ew_config before ew_broker_ensure"
  EW_CFG="$EW_TMP/enforcewatch.cfg"
  EW_T_INSPECTIONS=$(ew_topic enforcement.inspections)
  EW_T_COMPLAINTS=$(ew_topic enforcement.complaints)
  EW_T_PENALTIES=$(ew_topic enforcement.penalties)
  EW_T_FEEDBACK=$(ew_topic enforcement.feedback)
  EW_T_ALERTS=$(ew_topic enforcement.alerts)
  EW_T_NOTICES=$(ew_topic enforcement.notices)
  EW_T_STATS=$(ew_topic enforcement.stats)
  EW_T_DEADLETTER=$(ew_topic enforcement.deadletter)
  EW_T_PROGRESS=$(ew_topic enforcewatch.progress)
  local ref refs=""
  for ref in agency plan approval certificate benchmark leniency_item \
             sampling_item random_task credit_grade calendar_day; do
    refs+="    $ref = \"$(ew_topic "enforcement.ref.$ref")\";"$'\n'
  done
  cat >"$EW_CFG" <<EOF
# Written by tests/integration/lib.sh for test "$EW_TEST".
brokers = "$EW_BROKERS";
group_id = "$EW_PREFIX.group";
# transactional.id is cluster-wide: one per test, or tests fence each other.
instance_id = "$EW_PREFIX.daemon";
state_path = "$EW_TMP/state.db";
topics = {
  inspections = "$EW_T_INSPECTIONS";
  complaints = "$EW_T_COMPLAINTS";
  penalties = "$EW_T_PENALTIES";
  feedback = "$EW_T_FEEDBACK";
  ref = {
$refs  };
  alerts = "$EW_T_ALERTS";
  notices = "$EW_T_NOTICES";
  stats = "$EW_T_STATS";
  deadletter = "$EW_T_DEADLETTER";
  progress = "$EW_T_PROGRESS";
};
$extra
EOF
}

# ew_cli ARGS...: the enforcewatch CLI; its output goes where the caller says.
ew_cli() { "$EW_CLI" "$@"; }

ew_topics_create() {
  "$EW_CLI" topics create --config "$EW_CFG" >"$EW_TMP/topics-create.log" 2>&1 || {
    cat "$EW_TMP/topics-create.log" >&2
    ew_fail "enforcewatch topics create failed"
  }
}

# ew_send FILE...: enforcewatch send; every line must be delivered.
ew_send() {
  local log="$EW_TMP/send.$RANDOM.log"
  if ! "$EW_CLI" send --config "$EW_CFG" "$@" >"$log" 2>&1; then
    cat "$log" >&2
    ew_fail "enforcewatch send $* failed"
  fi
  ew_log "sent $*: $(tail -n 1 "$log")"
}

# ew_daemon_start: enforcewatchd -c EW_CFG in the background, its output in
# $EW_TMP/daemon.log.
ew_daemon_start() {
  EW_DAEMON_LOG="$EW_TMP/daemon.log"
  "$EW_DAEMOND" -c "$EW_CFG" >"$EW_DAEMON_LOG" 2>&1 &
  EW_DAEMON_PID=$!
  ew_log "started enforcewatchd (pid $EW_DAEMON_PID)"
}

ew_daemon_alive() { [[ -n "$EW_DAEMON_PID" ]] && kill -0 "$EW_DAEMON_PID" 2>/dev/null; }

# ew_daemon_stop SECS: SIGTERM, then wait up to SECS seconds. Sets
# EW_DAEMON_RC to its exit status; returns 1 (after SIGKILL) if it did not
# exit in time.
ew_daemon_stop() {
  local secs=$1 deadline
  [[ -n "$EW_DAEMON_PID" ]] || ew_fail "no daemon to stop"
  kill -TERM "$EW_DAEMON_PID" 2>/dev/null || true
  deadline=$((SECONDS + secs))
  while kill -0 "$EW_DAEMON_PID" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      kill -KILL "$EW_DAEMON_PID" 2>/dev/null || true
      wait "$EW_DAEMON_PID" 2>/dev/null || true
      EW_DAEMON_PID=""
      EW_DAEMON_RC=timeout
      return 1
    fi
    sleep 0.2
  done
  # shellcheck disable=SC2034  # read by the tests
  EW_DAEMON_RC=0
  # shellcheck disable=SC2034
  wait "$EW_DAEMON_PID" || EW_DAEMON_RC=$?
  EW_DAEMON_PID=""
  return 0
}

# ew_wait_for SECS DESC CMD...: runs CMD every second until it succeeds; fails
# the test after SECS seconds, or at once when a started daemon has died.
ew_wait_for() {
  local secs=$1 desc=$2 deadline
  shift 2
  deadline=$((SECONDS + secs))
  until "$@"; do
    if [[ -n "$EW_DAEMON_PID" ]] && ! ew_daemon_alive; then
      ew_fail "the daemon exited while waiting for $desc"
    fi
    ((SECONDS < deadline)) || ew_fail "timed out after ${secs}s waiting for $desc"
    sleep 1
  done
}

# ew_tail TOPIC OUT: the committed records of TOPIC, from the beginning, as
# JSON Lines in OUT (tail stops at the end the partitions had when it began).
ew_tail() {
  "$EW_CLI" tail --config "$EW_CFG" --from-beginning --timeout-ms 5000 "$1" \
    >"$2" 2>"$2.err" || {
    cat "$2.err" >&2
    ew_fail "enforcewatch tail $1 failed"
  }
}

# ew_count_kind FILE KIND: the number of JSON lines of FILE whose "kind" is
# KIND (e.g. alert).
ew_count_kind() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
n = 0
with open(sys.argv[1], encoding="utf-8") as fp:
    for line in fp:
        if line.strip() and json.loads(line).get("kind") == sys.argv[2]:
            n += 1
print(n)
EOF
}

# ew_canon IN OUT [KIND]: the JSON lines of IN (only those of KIND, default
# alert) with the "kind" tag dropped, keys sorted, one per line, the lines
# sorted: two files with the same records give identical OUT files whatever
# order the records came in.
ew_canon() {
  python3 - "$1" "$2" "${3:-alert}" <<'EOF'
import json, sys
out = []
with open(sys.argv[1], encoding="utf-8") as fp:
    for line in fp:
        if not line.strip():
            continue
        o = json.loads(line)
        if o.get("kind", sys.argv[3]) != sys.argv[3]:
            continue
        o.pop("kind", None)
        out.append(json.dumps(o, sort_keys=True, ensure_ascii=False))
out.sort()
with open(sys.argv[2], "w", encoding="utf-8") as fp:
    fp.write("".join(l + "\n" for l in out))
EOF
}

# ew_console_producer_class: the Kafka console producer's class on the
# broker's classpath (kafka.tools.ConsoleProducer up to 3.9,
# org.apache.kafka.tools.ConsoleProducer from 4.0 on).
ew_console_producer_class() {
  "$EW_KAFKA_SH" classpath | python3 -c '
import sys, zipfile
want = ["org/apache/kafka/tools/ConsoleProducer.class",
        "kafka/tools/ConsoleProducer.class"]
for jar in sys.stdin.read().strip().split(":"):
    if not jar.endswith(".jar"):
        continue
    try:
        names = set(zipfile.ZipFile(jar).namelist())
    except (OSError, zipfile.BadZipFile):
        continue
    for w in want:
        if w in names:
            print(w[:-len(".class")].replace("/", "."))
            sys.exit(0)
sys.exit(1)
'
}

# ew_produce_raw TOPIC < LINES: produces raw records with the Kafka console
# producer. Each input line is "HEADERS<TAB>KEY<TAB>VALUE" with HEADERS as
# "name:value,name:value"; the value's bytes are the line's UTF-8 bytes.
ew_produce_raw() {
  local topic=$1 cls
  cls=$(ew_console_producer_class) || ew_fail "no ConsoleProducer class on the Kafka classpath"
  "$EW_KAFKA_SH" run-class "$cls" --bootstrap-server "$EW_BROKERS" \
    --topic "$topic" --producer-property acks=all \
    --property parse.key=true --property parse.headers=true \
    >"$EW_TMP/console-producer.log" 2>&1 || {
    cat "$EW_TMP/console-producer.log" >&2
    ew_fail "the console producer failed"
  }
}

# ew_delete_topics: deletes every topic of this test (best effort).
ew_delete_topics() {
  local re="${EW_PREFIX//./\\.}\\..*"
  "$EW_KAFKA_SH" run-class org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "$EW_BROKERS" --delete --topic "$re" \
    >/dev/null 2>&1 || ew_log "could not delete the topics $re (ignored)"
}

# ---- a fake wall clock for the daemon (deadline tests) ----------------------

# ew_faketime_require: sets EW_FAKETIME_LIB to libfaketime's multi-threaded
# preload library (librdkafka runs threads), or fails the test: the package
# is part of deploy/install-deps.sh, so a missing one is a setup error. Also
# builds faketime_shim.c (see there why librdkafka needs it) into EW_TMP as
# EW_FAKETIME_SHIM.
ew_faketime_require() {
  [[ -n "$EW_FAKETIME_LIB" ]] && return 0
  local f cc=${CC:-cc}
  for f in /usr/lib/*/faketime/libfaketimeMT.so.1 /usr/lib/faketime/libfaketimeMT.so.1 \
           /usr/local/lib/faketime/libfaketimeMT.so.1; do
    if [[ -f "$f" ]]; then
      EW_FAKETIME_LIB=$f
      break
    fi
  done
  [[ -n "$EW_FAKETIME_LIB" ]] ||
    ew_fail "libfaketime not found (Debian package faketime; deploy/install-deps.sh installs it)"
  command -v "$cc" >/dev/null || cc=gcc
  EW_FAKETIME_SHIM="$EW_TMP/faketime_shim.so"
  "$cc" -std=c11 -O2 -shared -fPIC -o "$EW_FAKETIME_SHIM" \
    "$EW_ROOT/tests/integration/faketime_shim.c" >"$EW_TMP/faketime_shim.log" 2>&1 || {
    cat "$EW_TMP/faketime_shim.log" >&2
    ew_fail "could not build tests/integration/faketime_shim.c"
  }
}

# ew_now_ms: real wall time, epoch milliseconds.
ew_now_ms() { date +%s%3N; }

# ew_fake_now_ms: the wall time the last daemon started by ew_daemon_start_at
# sees now, epoch milliseconds.
ew_fake_now_ms() { echo $(($(ew_now_ms) + EW_FAKE_OFFSET_S * 1000)); }

# ew_wait_fake_until MS: sleeps until the daemon's fake wall clock reaches MS.
ew_wait_fake_until() {
  local left
  left=$(($1 - $(ew_fake_now_ms)))
  ((left <= 0)) || sleep "$((left / 1000)).$(printf '%03d' $((left % 1000)))"
}

# ew_ms_iso MS: epoch milliseconds as ISO-8601 in Asia/Shanghai.
ew_ms_iso() {
  python3 -c 'import datetime as d, sys
t = d.datetime.fromtimestamp(int(sys.argv[1]) / 1000, d.timezone(d.timedelta(hours=8)))
print(t.isoformat(timespec="milliseconds"))' "$1"
}

# ew_daemon_start_at MS [LOG]: like ew_daemon_start, but the daemon's wall
# clock (CLOCK_REALTIME, time()) starts at MS (epoch milliseconds, to the
# nearest second) and runs at the real rate from there; CLOCK_MONOTONIC stays
# real, so librdkafka's timers and the daemon's tick are unaffected, and
# faketime_shim.so keeps librdkafka's timed waits on real time. LOG
# (default daemon.log) is a file name in EW_TMP, so that a restarted daemon
# keeps the first one's log. Under ASan the preload comes before the ASan
# runtime in the library list; verify_asan_link_order=0 lets ASan accept it.
ew_daemon_start_at() {
  local fake_ms=$1 now_ms diff asan=${ASAN_OPTIONS:-}
  ew_faketime_require
  now_ms=$(ew_now_ms)
  diff=$((fake_ms - now_ms))
  if ((diff >= 0)); then
    EW_FAKE_OFFSET_S=$(((diff + 500) / 1000))
  else
    EW_FAKE_OFFSET_S=$(((diff - 500) / 1000))
  fi
  EW_DAEMON_LOG="$EW_TMP/${2:-daemon.log}"
  LD_PRELOAD="$EW_FAKETIME_SHIM:$EW_FAKETIME_LIB${LD_PRELOAD:+:$LD_PRELOAD}" \
    FAKETIME="$(printf '%+d' "$EW_FAKE_OFFSET_S")" \
    FAKETIME_DONT_FAKE_MONOTONIC=1 \
    ASAN_OPTIONS="${asan:+$asan:}verify_asan_link_order=0" \
    "$EW_DAEMOND" -c "$EW_CFG" >"$EW_DAEMON_LOG" 2>&1 &
  EW_DAEMON_PID=$!
  ew_log "started enforcewatchd (pid $EW_DAEMON_PID) at fake time $(ew_ms_iso "$(ew_fake_now_ms)") (offset ${EW_FAKE_OFFSET_S}s)"
}

# ew_daemon_kill9: SIGKILL, as a crash; the daemon is gone when it returns.
ew_daemon_kill9() {
  [[ -n "$EW_DAEMON_PID" ]] || ew_fail "no daemon to kill"
  kill -KILL "$EW_DAEMON_PID" 2>/dev/null || true
  wait "$EW_DAEMON_PID" 2>/dev/null || true
  ew_log "killed enforcewatchd (pid $EW_DAEMON_PID) with SIGKILL"
  EW_DAEMON_PID=""
}

# ew_topics_log_append_time TOPIC...: creates each TOPIC (with EW_CFG's
# topic_partitions, default 3) stamped with the broker's append time. A
# daemon on a fake clock stamps its records with that clock, and a record
# dated long ago would be deleted by the broker's time retention (7 days,
# checked every 5 minutes) while the test still reads it. Run it before
# ew_topics_create, which accepts existing topics.
ew_topics_log_append_time() {
  local t parts
  parts=$(sed -n 's/^[[:space:]]*topic_partitions[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p' "$EW_CFG" | tail -n 1)
  for t in "$@"; do
    "$EW_KAFKA_SH" run-class org.apache.kafka.tools.TopicCommand \
      --bootstrap-server "$EW_BROKERS" --create --topic "$t" \
      --partitions "${parts:-3}" --replication-factor 1 \
      --config message.timestamp.type=LogAppendTime \
      >"$EW_TMP/topic-create.log" 2>&1 || {
      cat "$EW_TMP/topic-create.log" >&2
      ew_fail "could not create $t with message.timestamp.type=LogAppendTime"
    }
  done
}

# ew_sqlite DB SQL [ARG...]: one read-only query on the daemon's state file
# (python3's sqlite3: no sqlite3 CLI needed); rows as tab-separated lines.
# Returns 1 when the database cannot be read (not there yet, busy).
ew_sqlite() {
  python3 - "$@" <<'EOF'
import sqlite3, sys
try:
    c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True, timeout=5)
    for row in c.execute(sys.argv[2], sys.argv[3:]):
        print("\t".join("" if v is None else str(v) for v in row))
except sqlite3.Error as ex:
    print("sqlite: %s" % ex, file=sys.stderr)
    sys.exit(1)
EOF
}

# ew_r12_case DIR: an R12 case (rules.md: a penalty case filed and not decided
# 90 calendar days later) for the deadline tests, in DIR/refs.jsonl (its
# agency and justice bureau, and certificates for its two officers, so that
# nothing but R12 can fire) and DIR/penalty.jsonl (the case, filed
# 2025-04-01 10:00 +08:00, no decided_at). Its deadline, the end of the
# Shanghai day 2025-04-01 + 90 days, is EW_R12_DEADLINE (ISO) and
# EW_R12_DEADLINE_MS; its decision_no EW_R12_CASE. The agency has no
# inspection power, so R01 (plan filing) has nothing to say about it.
# shellcheck disable=SC2034  # read by the deadline tests
EW_R12_CASE="DL-R12-0001"
# shellcheck disable=SC2034
EW_R12_DEADLINE="2025-06-30T23:59:59.999+08:00"
# shellcheck disable=SC2034
EW_R12_DEADLINE_MS=1751299199999
ew_r12_case() {
  python3 - "$1" "$EW_ROOT/deploy/sample" "$EW_R12_CASE" <<'EOF'
import json, sys
out, sample, case = sys.argv[1:4]
sys.path.insert(0, sample)
from ewdata import make_uscc  # valid GB 32100 check characters (no R25)
jb = make_uscc("11", "622901", "01770001")
ag = make_uscc("11", "622901", "01770002")
ent = make_uscc("91", "622901", "MA77R12A")
refs = [
    {"type": "agency", "agency_uscc": jb, "name": "临夏市司法局",
     "region_code": "622901", "level": "COUNTY", "parent_agency_uscc": None,
     "has_inspection_power": False, "justice_bureau_uscc": jb},
    {"type": "agency", "agency_uscc": ag, "name": "临夏市市场监督管理局",
     "region_code": "622901", "level": "COUNTY", "parent_agency_uscc": None,
     "has_inspection_power": False, "justice_bureau_uscc": jb},
]
officers = []
for i in (1, 2):
    refs.append({"type": "certificate", "cert_no": "62-2023-7700%d" % i,
                 "officer_id": "ZF-DL-R12-%d" % i, "agency_uscc": ag,
                 "valid_from": "2023-01-01T00:00:00+08:00",
                 "valid_to": "2027-12-31T23:59:59+08:00", "status": "ACTIVE"})
    officers.append({"officer_id": "ZF-DL-R12-%d" % i,
                     "cert_no": "62-2023-7700%d" % i, "cert_shown": True})
penalty = {"type": "penalty", "event_id": "dl-r12-case-filed",
           "event_time": "2025-04-01T10:05:00+08:00", "decision_no": case,
           "agency_uscc": ag, "enterprise_uscc": ent,
           "enterprise_region_code": "622901",
           "filed_at": "2025-04-01T10:00:00+08:00", "decided_at": None,
           "procedure": "GENERAL", "violation_code": "SPAQF-126-BQ",
           "officers": officers}
with open(out + "/refs.jsonl", "w", encoding="utf-8") as fp:
    fp.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in refs)
with open(out + "/penalty.jsonl", "w", encoding="utf-8") as fp:
    fp.write(json.dumps(penalty, ensure_ascii=False) + "\n")
EOF
}

# ew_alerts_of FILE RULE [STATUS]: the alerts of RULE (and STATUS) in the
# JSON Lines FILE, one canonical JSON object per line, in file order.
ew_alerts_of() {
  python3 - "$@" <<'EOF'
import json, sys
path, rule = sys.argv[1], sys.argv[2]
status = sys.argv[3] if len(sys.argv) > 3 else None
for line in open(path, encoding="utf-8"):
    if not line.strip():
        continue
    o = json.loads(line)
    if o.get("kind", "alert") != "alert" or o.get("rule_id") != rule:
        continue
    if status and o.get("status") != status:
        continue
    o.pop("kind", None)
    print(json.dumps(o, sort_keys=True, ensure_ascii=False))
EOF
}

# ---- the daemon's final state against check --as-of its clock ---------------

# ew_state_value SQL: one value from the daemon's state file (EW_TMP/state.db),
# empty when it cannot be read yet.
ew_state_value() { ew_sqlite "$EW_TMP/state.db" "$1" 2>/dev/null || true; }

# ew_wait_caught_up SECS RECORDS: waits until the daemon has applied RECORDS
# records (the sum of the next offsets in its state: fresh topics, every
# record sent counted once), then until it has ticked on the wall clock
# since (its stored clock reached the time of that moment) and delivered
# every output (empty outbox): by then it has fired every deadline due and
# published what followed.
ew_wait_caught_up() {
  _EW_WAIT_RECORDS=$2
  ew_wait_for "$1" "the daemon to apply $2 records" _ew_applied
  _EW_WAIT_SINCE=$(ew_now_ms)
  ew_wait_for 60 "a wall-clock tick of the daemon after its input, and an empty outbox" _ew_ticked
}
_EW_WAIT_RECORDS=0
_EW_WAIT_SINCE=0
_ew_applied() {
  [[ $(ew_state_value "SELECT coalesce(sum(next_offset), 0) FROM offsets") == "$_EW_WAIT_RECORDS" ]]
}
_ew_ticked() {
  local clock
  clock=$(ew_state_value "SELECT value FROM meta WHERE name = 'clock'")
  [[ -n "$clock" ]] && ((clock >= _EW_WAIT_SINCE)) &&
    [[ $(ew_state_value "SELECT count(*) FROM outbox") == 0 ]]
}

# ew_final_clock: sets EW_FINAL_CLOCK to the clock a stopped daemon left in
# its state (epoch ms); fails the test when it left outputs undelivered.
EW_FINAL_CLOCK=""
ew_final_clock() {
  local left
  left=$(ew_state_value "SELECT count(*) FROM outbox")
  [[ "$left" == 0 ]] || ew_fail "the daemon stopped with '$left' undelivered output(s)"
  EW_FINAL_CLOCK=$(ew_state_value "SELECT value FROM meta WHERE name = 'clock'")
  [[ -n "$EW_FINAL_CLOCK" ]] || ew_fail "no clock in the daemon's state"
}

# ew_compare_final EXPECTED ALERTS NOTICES: compares what the daemon
# published (the JSON Lines of its alert and notice topics) with EXPECTED,
# the output of `enforcewatch check --as-of <its final clock>` on the same
# input, by final state (tests/integration/final_state.py); prints the
# matches, what the daemon's clock running ahead of the input explains, and
# every difference. Returns 1 on a difference.
ew_compare_final() {
  python3 - "$EW_ROOT/tests/integration" "$@" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
import final_state as fs  # noqa: E402
expected, alerts, notices = sys.argv[2:5]
res = fs.compare(fs.read_jsonl(expected, "alert"),
                 fs.read_jsonl(expected, "notice"),
                 fs.read_jsonl(alerts, "alert"),
                 fs.read_jsonl(notices, "notice"))
print("%d alert ids matched in their final state (%d open, %d withdrawn), "
      "%d notices matched, %d explained%s" % (
          res.open + res.withdrawn, res.open, res.withdrawn, res.notices,
          len(res.explained), " (%s)" % fs.explained_summary(res)
          if res.explained else ""))
for why, rec in res.explained:
    print("  explained: %s" % fs.describe(rec, why))
if res.diffs:
    print("differences: - only enforcewatch check, + only enforcewatchd, "
          "~ both, final states differ")
for sign, rec, lines in res.diffs:
    print("%s %s" % (sign, fs.describe(rec)))
    for line in lines:
        print("    %s" % line)
sys.exit(0 if res.ok() else 1)
EOF
}
