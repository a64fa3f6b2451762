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
#
# Every test gets its own prefix for every topic and the group id
# (ewit-<name>-<pid>-<random>), so tests never see each other's records and a
# run never sees an earlier one's. The topics are deleted at the end of a
# passing test (EW_IT_KEEP_TOPICS=1 keeps them); the temp dir is kept when a
# test fails (and always with EW_IT_KEEP_TMP=1), and its path is printed.
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
  local ref refs=""
  for ref in agency plan approval certificate benchmark leniency_item \
             sampling_item random_task credit_grade calendar_day; do
    refs+="    $ref = \"$(ew_topic "enforcement.ref.$ref")\";"$'\n'
  done
  cat >"$EW_CFG" <<EOF
# Written by tests/integration/lib.sh for test "$EW_TEST".
brokers = "$EW_BROKERS";
group_id = "$EW_PREFIX.group";
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
