#!/usr/bin/env bash
# deploy/kafka.sh - a real local single-node Apache Kafka broker (KRaft,
# combined broker+controller) on 127.0.0.1, without Docker.
#
# Kafka is fetched with Maven (the machine's normal Maven settings) into the
# local Maven cache; no other downloads happen.  The broker runs from a plain
# Java classpath, exactly like the binary distribution's libs/ directory.
#
# Usage: deploy/kafka.sh COMMAND [ARGS...]
#   fetch                  resolve Kafka + logging binding with Maven (cached)
#   start                  fetch if needed, format storage, start the broker in
#                          the background, wait until it answers (idempotent)
#   stop [--wipe]          stop the broker (SIGTERM, wait, SIGKILL); harmless
#                          when not running; --wipe also removes the data dir
#   clean                  same as: stop --wipe
#   status                 print running / not running (exit 0 / 1)
#   bootstrap              print the bootstrap address, e.g. 127.0.0.1:9092
#   run-class CLASS ARGS   run a Java class on the Kafka classpath, e.g.
#                          run-class org.apache.kafka.tools.TopicCommand \
#                            --bootstrap-server 127.0.0.1:9092 --list
#   classpath              print the Kafka classpath
#   version                print the Kafka version in use
#   logs [N]               print the last N (default 100) broker log lines
#
# Environment (all optional):
#   EW_KAFKA_PORT             broker PLAINTEXT port            (9092)
#   EW_KAFKA_CONTROLLER_PORT  KRaft controller port            (9093)
#   EW_KAFKA_DATA             data dir       (/tmp/enforcewatch-kafka-$PORT)
#   EW_KAFKA_VERSION          exact Kafka version to use (default: newest 3.9.x,
#                             else newest 4.x >= 4.1)
#   EW_KAFKA_CACHE            cache base dir        ($HOME/.cache/enforcewatch)
#   EW_KAFKA_HOME             dir holding pom/classpath (EW_KAFKA_CACHE/kafka-VER)
#   EW_KAFKA_HEAP_OPTS        broker heap         (-Xms256m -Xmx512m)
#   EW_KAFKA_START_TIMEOUT    seconds to wait for the broker (90)
#   EW_KAFKA_STOP_TIMEOUT     seconds to wait after SIGTERM (30)
set -euo pipefail

readonly SELF="kafka.sh"
readonly DEP_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.6.1"
readonly SLF4J_RELOAD4J_VERSION="1.7.36"
readonly RELOAD4J_VERSION="1.2.25"

PORT="${EW_KAFKA_PORT:-9092}"
CPORT="${EW_KAFKA_CONTROLLER_PORT:-9093}"
DATA="${EW_KAFKA_DATA:-/tmp/enforcewatch-kafka-${PORT}}"
CACHE_BASE="${EW_KAFKA_CACHE:-${HOME:-/root}/.cache/enforcewatch}"
HEAP_OPTS="${EW_KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
START_TIMEOUT="${EW_KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT="${EW_KAFKA_STOP_TIMEOUT:-30}"

PIDFILE="$DATA/kafka.pid"
LOGFILE="$DATA/kafka.log"
MARKER="$DATA/.enforcewatch-kafka"

# Set by select_kafka / fetch.
KVER=""
KHOME=""
JAVA=""

say() { printf '%s: %s\n' "$SELF" "$*" >&2; }
die() { say "error: $*"; exit 1; }

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
}

valid_port() { [[ "$1" =~ ^[0-9]+$ ]] && (( $1 > 0 && $1 < 65536 )); }
valid_port "$PORT" || die "EW_KAFKA_PORT='$PORT' is not a port number"
valid_port "$CPORT" || die "EW_KAFKA_CONTROLLER_PORT='$CPORT' is not a port number"
[[ "$PORT" != "$CPORT" ]] || die "broker and controller port are both $PORT"
[[ "$DATA" == /* ]] || DATA="$PWD/$DATA"

# ---------------------------------------------------------------- tooling ---

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else return 1
  fi
}

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "'$1' is missing and apt-get is not available; install it by hand"
  say "installing $* with apt-get"
  if [[ $APT_UPDATED -eq 0 ]]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
      || die "apt-get update failed"
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || die "apt-get install $* failed"
}

find_java() {
  [[ -n "$JAVA" ]] && return 0
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    JAVA="$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    JAVA="$(command -v java)"
  else
    apt_install openjdk-17-jre-headless
    JAVA="$(command -v java)" || die "java still missing after installing openjdk-17-jre-headless"
  fi
}

ensure_mvn() {
  command -v mvn >/dev/null 2>&1 && return 0
  apt_install maven
  command -v mvn >/dev/null 2>&1 || die "mvn still missing after installing maven"
}

LOCK_FD=""  # fd of the innermost held lock; closed in the broker process
# with_lock FILE CMD...: run CMD holding an exclusive flock on FILE (if flock exists).
with_lock() {
  local lock="$1"; shift
  mkdir -p "$(dirname "$lock")"
  if command -v flock >/dev/null 2>&1; then
    local fd prev="$LOCK_FD" rc=0
    exec {fd}>"$lock"
    flock -w 600 "$fd" || die "could not lock $lock"
    LOCK_FD="$fd"
    "$@" || rc=$?
    LOCK_FD="$prev"
    exec {fd}>&-
    return $rc
  fi
  "$@"
}

# ------------------------------------------------------------------ fetch ---

# classpath_ok DIR: DIR/classpath.txt exists and every entry is present.
classpath_ok() {
  local dir="$1" cp entry
  [[ -s "$dir/classpath.txt" && -s "$dir/version" && -s "$dir/logging" ]] || return 1
  cp="$(<"$dir/classpath.txt")"
  [[ "$cp" == *kafka_2.13-* ]] || return 1
  local IFS=':'
  for entry in $cp; do
    [[ -f "$entry" ]] || return 1
  done
}

# run_mvn DIR LOG ARGS...: quiet batch Maven in DIR; output goes to LOG.
run_mvn() {
  local dir="$1" log="$2"; shift 2
  (cd "$dir" && mvn -q -B -Dstyle.color=never "$@") >"$log" 2>&1
}

# write_pom FILE VERSION EXTRA_DEPS_XML
write_pom() {
  local file="$1" ver="$2" extra="${3:-}"
  cat >"$file" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- generated by enforcewatch deploy/kafka.sh: Kafka runtime classpath -->
<project>
  <modelVersion>4.0.0</modelVersion>
  <groupId>enforcewatch.local</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>$ver</version>
    </dependency>
$extra  </dependencies>
</project>
EOF
}

dep_xml() {  # dep_xml GROUP ARTIFACT VERSION
  printf '    <dependency>\n      <groupId>%s</groupId>\n      <artifactId>%s</artifactId>\n      <version>%s</version>\n    </dependency>\n' "$1" "$2" "$3"
}

# resolve_version SPEC: resolve kafka_2.13 SPEC (exact or range) with Maven and
# print the concrete version; fails if it does not resolve.
resolve_version() {
  local spec="$1" dir="$CACHE_BASE/resolve" v
  mkdir -p "$dir"
  write_pom "$dir/pom.xml" "$spec"
  rm -f "$dir/cp.txt"
  if ! run_mvn "$dir" "$dir/mvn.log" "$DEP_PLUGIN:build-classpath" \
        -DexcludeTransitive=true -Dmdep.outputFile=cp.txt; then
    return 1
  fi
  v="$(tr ':' '\n' <"$dir/cp.txt" | sed -n 's#.*/kafka_2\.13-\([0-9][^/]*\)\.jar$#\1#p' | head -n1)"
  [[ -n "$v" ]] || return 1
  printf '%s\n' "$v"
}

# pick_version: newest 3.9.x (3.9.1, then 3.9.0 as explicit fallbacks),
# else newest 4.x >= 4.1 (never 4.0.x).
pick_version() {
  local spec v
  for spec in "[3.9.0,3.9.999]" "3.9.1" "3.9.0"; do
    if v="$(resolve_version "$spec")"; then
      printf '%s\n' "$v"; return 0
    fi
  done
  say "no Kafka 3.9.x resolved with Maven; trying Kafka 4.x (>= 4.1)"
  if v="$(resolve_version "[4.1.0,4.999.999]")"; then
    say "NOTE: using Kafka $v (4.x), not 3.9.x"
    printf '%s\n' "$v"; return 0
  fi
  say "Maven output of the last attempt:"
  tail -n 30 "$CACHE_BASE/resolve/mvn.log" >&2 || true
  return 1
}

# fetch_into DIR VERSION: write the pom and build the runtime classpath.
fetch_into() {
  local dir="$1" ver="$2" major extra logging binding
  mkdir -p "$dir"
  rm -f "$dir/classpath.txt" "$dir/version" "$dir/logging" "$dir/binding"
  major="${ver%%.*}"
  # kafka-tools: TopicCommand, ConsoleConsumer, ProducerPerformance, ...
  extra="$(dep_xml org.apache.kafka kafka-tools "$ver")"$'\n'
  if (( major < 4 )); then
    # Kafka 3.x logs through slf4j 1.7 + log4j 1.x API (the distribution ships reload4j).
    extra+="$(dep_xml org.slf4j slf4j-reload4j "$SLF4J_RELOAD4J_VERSION")"$'\n'
    extra+="$(dep_xml ch.qos.reload4j reload4j "$RELOAD4J_VERSION")"$'\n'
    logging="log4j1"
    binding="org.slf4j:slf4j-reload4j:$SLF4J_RELOAD4J_VERSION + ch.qos.reload4j:reload4j:$RELOAD4J_VERSION"
  else
    logging="log4j2"
  fi
  write_pom "$dir/pom.xml" "$ver" "$extra"
  if ! run_mvn "$dir" "$dir/mvn.log" "$DEP_PLUGIN:build-classpath" \
        -Dmdep.includeScope=runtime -Dmdep.outputFile=classpath.tmp; then
    tail -n 30 "$dir/mvn.log" >&2 || true
    die "Maven could not resolve Kafka $ver (log: $dir/mvn.log)"
  fi
  if [[ "$logging" == log4j2 ]]; then
    # Kafka 4.x ships log4j2 (log4j-core); add the slf4j bridge of the same version.
    local cp l4j slf impl
    cp="$(<"$dir/classpath.tmp")"
    l4j="$(tr ':' '\n' <<<"$cp" | sed -n 's#.*/log4j-core-\([0-9][^/]*\)\.jar$#\1#p' | head -n1)"
    slf="$(tr ':' '\n' <<<"$cp" | sed -n 's#.*/slf4j-api-\([0-9][^/]*\)\.jar$#\1#p' | head -n1)"
    [[ -n "$l4j" ]] || die "Kafka $ver has no log4j-core on its classpath; cannot pick a logging binding"
    if [[ "$slf" == 1.* ]]; then impl=log4j-slf4j-impl; else impl=log4j-slf4j2-impl; fi
    if ! tr ':' '\n' <<<"$cp" | grep -q "/$impl-"; then
      extra+="$(dep_xml org.apache.logging.log4j "$impl" "$l4j")"$'\n'
      write_pom "$dir/pom.xml" "$ver" "$extra"
      if ! run_mvn "$dir" "$dir/mvn.log" "$DEP_PLUGIN:build-classpath" \
            -Dmdep.includeScope=runtime -Dmdep.outputFile=classpath.tmp; then
        tail -n 30 "$dir/mvn.log" >&2 || true
        die "Maven could not resolve org.apache.logging.log4j:$impl:$l4j (log: $dir/mvn.log)"
      fi
    fi
    binding="org.apache.logging.log4j:$impl:$l4j (slf4j-api ${slf:-?}, log4j-core $l4j)"
  fi
  tr -d '\n' <"$dir/classpath.tmp" >"$dir/classpath.txt"
  rm -f "$dir/classpath.tmp"
  printf '%s\n' "$binding" >"$dir/binding"
  printf '%s\n' "$logging" >"$dir/logging"
  printf '%s\n' "$ver" >"$dir/version"   # written last: marks the fetch complete
  classpath_ok "$dir" || die "classpath in $dir is incomplete after Maven ran"
}

# select_kafka [fetch]: set KVER/KHOME, fetching with Maven when needed.
select_kafka_locked() {
  local v
  if [[ -n "${EW_KAFKA_HOME:-}" ]] && classpath_ok "$EW_KAFKA_HOME" \
     && { [[ -z "${EW_KAFKA_VERSION:-}" ]] || [[ "$(<"$EW_KAFKA_HOME/version")" == "$EW_KAFKA_VERSION" ]]; }; then
    KHOME="$EW_KAFKA_HOME"; KVER="$(<"$KHOME/version")"; return 0
  fi
  if [[ -n "${EW_KAFKA_VERSION:-}" ]]; then
    v="$EW_KAFKA_VERSION"
    [[ "$v" == 4.0.* ]] && die "Kafka 4.0.x is not supported here; use 3.9.x or >= 4.1"
  elif [[ -z "${EW_KAFKA_HOME:-}" && -s "$CACHE_BASE/kafka.version" ]]; then
    # The version picked by an earlier fetch (re-fetched below if its jars went missing).
    v="$(<"$CACHE_BASE/kafka.version")"
  else
    ensure_mvn
    say "resolving Apache Kafka (newest 3.9.x) with Maven"
    v="$(pick_version)" || die "could not resolve any Kafka 3.9.x or 4.x (>= 4.1) with Maven"
  fi
  KVER="$v"
  KHOME="${EW_KAFKA_HOME:-$CACHE_BASE/kafka-$v}"
  if ! classpath_ok "$KHOME" || [[ "$(<"$KHOME/version")" != "$KVER" ]]; then
    ensure_mvn
    say "fetching Kafka $KVER and its runtime dependencies with Maven into the local Maven cache"
    fetch_into "$KHOME" "$KVER"
    say "Kafka $KVER ready ($(tr ':' '\n' <"$KHOME/classpath.txt" | wc -l) jars; logging: $(<"$KHOME/binding"))"
  fi
  if [[ -z "${EW_KAFKA_VERSION:-}" && -z "${EW_KAFKA_HOME:-}" ]]; then
    printf '%s\n' "$KVER" >"$CACHE_BASE/kafka.version"
  fi
}

select_kafka() {
  [[ -n "$KHOME" ]] && return 0
  mkdir -p "$CACHE_BASE"
  with_lock "$CACHE_BASE/.fetch.lock" select_kafka_locked
}

kafka_cp() { cat "$KHOME/classpath.txt"; }

# ------------------------------------------------------------ processes ---

# is_our_broker PID: PID is alive and is a kafka.Kafka using our server.properties.
is_our_broker() {
  local pid="$1" cmd
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmd" == *" kafka.Kafka $DATA/server.properties"* ]]
}

# broker_pid: print the pid of our running broker (pid file, else /proc scan).
broker_pid() {
  local pid p
  if [[ -s "$PIDFILE" ]]; then
    pid="$(<"$PIDFILE")"
    if is_our_broker "$pid"; then printf '%s\n' "$pid"; return 0; fi
  fi
  for p in /proc/[0-9]*; do
    pid="${p#/proc/}"
    if is_our_broker "$pid"; then printf '%s\n' "$pid"; return 0; fi
  done
  return 1
}

port_open() {  # port_open PORT: something accepts TCP connections on 127.0.0.1:PORT
  timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

broker_ready() {
  port_open "$PORT" && grep -q "Kafka Server started" "$LOGFILE" 2>/dev/null
}

# ------------------------------------------------------------ config files ---

random_cluster_id() {
  # Kafka cluster ids are base64url-encoded 16-byte UUIDs (22 chars).  Avoid a
  # leading '-', which the argument parser would take for an option.
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ ${#id} -eq 22 && "$id" =~ ^[A-Za-z0-9] ]] && { printf '%s\n' "$id"; return 0; }
  done
}

write_server_properties() {
  cat >"$DATA/server.properties" <<EOF
# generated by enforcewatch deploy/kafka.sh (Kafka $KVER) - do not edit
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CPORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA/logs
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
group.initial.rebalance.delay.ms=0
log.cleaner.enable=true
log.retention.hours=168
log.segment.bytes=1073741824
log.retention.check.interval.ms=300000
num.network.threads=3
num.io.threads=4
num.recovery.threads.per.data.dir=1
EOF
}

# write_log_config FILE broker|tools
write_log_config() {
  local file="$1" kind="$2" logging
  logging="$(<"$KHOME/logging")"
  if [[ "$logging" == log4j1 ]]; then
    if [[ "$kind" == broker ]]; then
      cat >"$file" <<'EOF'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.authorizer.logger=WARN
EOF
    else
      cat >"$file" <<'EOF'
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.appender.stderr.Target=System.err
EOF
    fi
  else
    local level=INFO target=SYSTEM_OUT
    [[ "$kind" == tools ]] && { level=WARN; target=SYSTEM_ERR; }
    cat >"$file" <<EOF
status = warn
appender.console.type = Console
appender.console.name = CONSOLE
appender.console.target = $target
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = $level
rootLogger.appenderRef.console.ref = CONSOLE
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.statechange.name = state.change.logger
logger.statechange.level = WARN
EOF
  fi
}

log_opt() {  # log_opt FILE: JVM flag that points the logging backend at FILE
  if [[ "$(<"$KHOME/logging")" == log4j1 ]]; then
    printf '%s\n' "-Dlog4j.configuration=file:$1"
  else
    printf '%s\n' "-Dlog4j2.configurationFile=$1"
  fi
}

# ---------------------------------------------------------------- commands ---

cmd_fetch() {
  select_kafka
  find_java
  say "Kafka $KVER in $KHOME"
  say "logging binding: $(<"$KHOME/binding")"
}

init_data_dir() {
  if [[ -d "$DATA" && ! -e "$MARKER" ]] && [[ -n "$(ls -A "$DATA" 2>/dev/null)" ]]; then
    die "$DATA exists, is not empty and was not made by $SELF; set EW_KAFKA_DATA to another dir"
  fi
  mkdir -p "$DATA/logs"
  : >"$MARKER"
}

cmd_start_locked() {
  local pid
  if pid="$(broker_pid)"; then
    if broker_ready; then
      say "already running (pid $pid, 127.0.0.1:$PORT, data $DATA)"
      return 0
    fi
    say "broker (pid $pid) is starting; waiting for it"
    wait_ready "$pid"
    return 0
  fi
  local p
  for p in "$PORT" "$CPORT"; do
    if port_open "$p"; then
      die "127.0.0.1:$p is already in use by another process (not a broker of $DATA)"
    fi
  done

  select_kafka
  find_java
  init_data_dir
  write_server_properties
  write_log_config "$DATA/log4j.properties" broker
  write_log_config "$DATA/tools-log4j.properties" tools

  local cp; cp="$(kafka_cp)"
  if [[ ! -f "$DATA/logs/meta.properties" ]]; then
    local cid; cid="$(random_cluster_id)"
    say "formatting KRaft storage in $DATA/logs (cluster id $cid)"
    if ! "$JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
          "$(log_opt "$DATA/tools-log4j.properties")" -cp "$cp" \
          kafka.tools.StorageTool format --ignore-formatted \
          --config "$DATA/server.properties" --cluster-id "$cid" \
          >"$DATA/format.log" 2>&1; then
      cat "$DATA/format.log" >&2
      die "formatting the storage failed"
    fi
  fi

  [[ -f "$LOGFILE" ]] && mv -f "$LOGFILE" "$LOGFILE.1"
  say "starting Kafka $KVER on 127.0.0.1:$PORT (controller :$CPORT, data $DATA)"
  # The subshell drops the lock fd (the broker must not hold it) and execs
  # setsid, which execs java: $! is the broker's pid.
  # shellcheck disable=SC2086  # HEAP_OPTS is a list of JVM flags
  ( if [[ -n "$LOCK_FD" ]]; then exec {LOCK_FD}>&-; fi
    exec setsid "$JAVA" $HEAP_OPTS -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
    -Djava.awt.headless=true -Dkafka.logs.dir="$DATA" \
    "$(log_opt "$DATA/log4j.properties")" \
    -cp "$cp" kafka.Kafka "$DATA/server.properties" \
    >"$LOGFILE" 2>&1 </dev/null ) &
  pid=$!
  printf '%s\n' "$pid" >"$PIDFILE"
  wait_ready "$pid"
}

wait_ready() {
  local pid="$1" start=$SECONDS p
  while :; do
    if ! kill -0 "$pid" 2>/dev/null && p="$(broker_pid)"; then
      pid="$p"; printf '%s\n' "$pid" >"$PIDFILE"   # setsid had to fork
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      say "broker process $pid exited during startup; last log lines ($LOGFILE):"
      tail -n 60 "$LOGFILE" >&2 || true
      rm -f "$PIDFILE"
      exit 1
    fi
    if broker_ready; then
      say "Kafka $KVER is up on 127.0.0.1:$PORT (pid $pid, started in $((SECONDS - start)) s)"
      return 0
    fi
    if (( SECONDS - start >= START_TIMEOUT )); then
      say "broker did not come up within ${START_TIMEOUT} s; last log lines ($LOGFILE):"
      tail -n 60 "$LOGFILE" >&2 || true
      say "stopping the half-started broker (pid $pid)"
      stop_pid "$pid"
      exit 1
    fi
    sleep 0.5
  done
}

cmd_start() {
  mkdir -p "$(dirname "$DATA")"
  with_lock "$DATA.lock" cmd_start_locked
}

stop_pid() {
  local pid="$1" waited=0
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if (( waited >= STOP_TIMEOUT * 2 )); then
      say "broker (pid $pid) did not stop within ${STOP_TIMEOUT} s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  rm -f "$PIDFILE"
}

cmd_stop_locked() {
  local wipe="$1" pid
  if pid="$(broker_pid)"; then
    say "stopping broker (pid $pid)"
    stop_pid "$pid"
    say "stopped"
  else
    rm -f "$PIDFILE"
    say "not running"
  fi
  if [[ "$wipe" == 1 && -d "$DATA" ]]; then
    if [[ -e "$MARKER" || -z "$(ls -A "$DATA" 2>/dev/null)" ]]; then
      rm -rf -- "$DATA"
      say "removed $DATA"
    else
      die "refusing to remove $DATA: it was not made by $SELF"
    fi
  fi
}

cmd_stop() {
  local wipe=0
  while (( $# )); do
    case "$1" in
      --wipe|--clean) wipe=1 ;;
      *) die "stop: unknown option '$1' (use --wipe)" ;;
    esac
    shift
  done
  mkdir -p "$(dirname "$DATA")"
  with_lock "$DATA.lock" cmd_stop_locked "$wipe"
  [[ "$wipe" == 1 ]] && rm -f "$DATA.lock"
  return 0
}

cmd_status() {
  local pid ver=""
  if pid="$(broker_pid)"; then
    [[ -s "$DATA/server.properties" ]] && ver="$(sed -n 's/.*(Kafka \(.*\)) - do not edit$/\1/p' "$DATA/server.properties" | head -n1)"
    if broker_ready; then
      echo "$SELF: running (pid $pid, Kafka ${ver:-?}, bootstrap 127.0.0.1:$PORT, data $DATA)"
    else
      echo "$SELF: running but not ready yet (pid $pid, bootstrap 127.0.0.1:$PORT, data $DATA)"
    fi
    return 0
  fi
  echo "$SELF: not running (bootstrap 127.0.0.1:$PORT, data $DATA)"
  return 1
}

cmd_run_class() {
  (( $# >= 1 )) || die "usage: $SELF run-class CLASS [ARGS...]"
  select_kafka
  find_java
  local cfg="$KHOME/tools-log.properties"
  [[ -s "$cfg" ]] || write_log_config "$cfg" tools
  # shellcheck disable=SC2086  # EW_KAFKA_TOOL_OPTS is a list of JVM flags
  exec "$JAVA" ${EW_KAFKA_TOOL_OPTS:--Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1} \
    -Djava.awt.headless=true "$(log_opt "$cfg")" -cp "$(kafka_cp)" "$@"
}

main() {
  local cmd="${1:-}"
  (( $# )) && shift
  case "$cmd" in
    fetch)      cmd_fetch ;;
    start)      cmd_start ;;
    stop)       cmd_stop "$@" ;;
    clean|wipe) cmd_stop --wipe ;;
    status)     cmd_status ;;
    bootstrap)  echo "127.0.0.1:$PORT" ;;
    run-class)  cmd_run_class "$@" ;;
    classpath)  select_kafka; kafka_cp; echo ;;
    version)    select_kafka; echo "$KVER" ;;
    logs)       [[ -f "$LOGFILE" ]] || die "no broker log at $LOGFILE"
                tail -n "${1:-100}" "$LOGFILE" ;;
    -h|--help|help) usage ;;
    "")         usage; exit 2 ;;
    *)          say "unknown command '$cmd'"; usage; exit 2 ;;
  esac
}

main "$@"
