#!/usr/bin/env bash
# tests/bench/state_1m.sh BUILD_DIR WORK_DIR - the restart and the memory of
# enforcewatchd with 1,000,000 enterprises of state (issue 7: "RSS <= 64 MiB
# with 1,000,000 enterprises of state; restart <= 2 s").
#
#   1. input: tests/crash/gen_load.py writes a realistic template (20,000
#      events of Linxia's departments, a few percent breaking a rule);
#      tests/bench/state_1m.py gen keeps its reference records and clones its
#      inspections and penalties, round after round, for new enterprises
#      until there are 1,000,000 enterprises (each with a credit grade; about
#      900,000 of them inspected, 1.2 million inspections and penalties). The
#      last events are held back for step 3.
#   2. state: `enforcewatch check --state WORK/state-built.db --as-of NOW` on
#      it (NOW: a daemon's clock is the wall clock, so its state has fired
#      every deadline up to now; a state left at June 2025 would make the
#      first tick fire 17 months of deadlines). build_s and check_rss_kib
#      are its wall time and peak RSS.
#   3. measure (state_1m.py measure, on a copy of the state): topics named
#      $EW_BENCH_PREFIX.* on the broker, a first start that applies 200
#      events (every event partition then has its offset in the state file,
#      as for a daemon that has run a while), SIGTERM, one event sent, then
#      the time from the exec of enforcewatchd until that event is applied
#      (its offset moves in the state file, in the transaction that applies
#      it), three times: restart_s is the median, restarts_s all three (the
#      Kafka clients' start varies by a few hundred ms); 5,000 more events,
#      rss_kib = VmHWM after them; kill -9, one event sent, and
#      restart_unclean_s likewise (an open after a crash runs PRAGMA
#      quick_check on the whole file).
#
# stdout: ONE JSON line {"enterprises", "state_bytes", "restart_s",
# "restart_unclean_s", "rss_kib", "build_s", ...}; logs on stderr. Exit 0
# when measured, non-zero when something broke; a figure above its goal
# never fails it. (bench.sh runs this; contract in /work/notes/design.md.)
#
# Environment: EW_BENCH_BROKERS (default: deploy/kafka.sh's broker, started
# if needed), EW_BENCH_PREFIX (topic prefix; default ewstate1m-PID, topics
# deleted at the end), EW_1M_ENTERPRISES (1000000), EW_1M_MORE (5000),
# EW_1M_WARM (100: events of the first start, besides 100 original
# records of the template: inspections, penalties, complaints, feedback),
# EW_1M_LOG_LEVEL (the daemon's, default info), EW_1M_RESTARTS (3),
# EW_1M_TEMPLATE_EVENTS (20000), EW_1M_SEED (1), EW_1M_DAEMON (another
# enforcewatchd to measure on the same state, e.g. an older build: the
# before/after comparison), EW_1M_CACHE (a directory of its own where the
# input and the built state are kept, default WORK_DIR). Files of an earlier
# run there with the same parameters are reused (the input, and the built
# state unless EW_1M_REBUILD=1), so a second measurement costs minutes, not
# a build (about 30 min on 2 shared cores).
# Needs python3 and /usr/bin/time; 2 shared cores: it runs niced.
set -euo pipefail

[[ $# -eq 2 ]] || { echo "usage: $0 BUILD_DIR WORK_DIR" >&2; exit 2; }
BUILD=$(cd "$1" && pwd)
mkdir -p "$2"
WORK=$(cd "$2" && pwd)
CACHE=${EW_1M_CACHE:-$WORK}
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CLI=$BUILD/enforcewatch
DAEMON=${EW_1M_DAEMON:-$BUILD/enforcewatchd}
N=${EW_1M_ENTERPRISES:-1000000}
MORE=${EW_1M_MORE:-5000}
WARM=${EW_1M_WARM:-100}
TEMPLATE_EVENTS=${EW_1M_TEMPLATE_EVENTS:-20000}
SEED=${EW_1M_SEED:-1}
export EW_SCHEMAS_DIR=${EW_SCHEMAS_DIR:-$ROOT/schemas}
[[ -x $CLI && -x $DAEMON ]] || { echo "$0: no $CLI or $DAEMON" >&2; exit 2; }

log() { printf '[state_1m %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ---- the broker and the topic prefix ----
OWN_PREFIX=0
if [[ -z ${EW_BENCH_BROKERS:-} ]]; then
  "$ROOT/deploy/kafka.sh" start >&2
  EW_BENCH_BROKERS=$("$ROOT/deploy/kafka.sh" bootstrap)
fi
if [[ -z ${EW_BENCH_PREFIX:-} ]]; then
  EW_BENCH_PREFIX="ewstate1m-$$-$RANDOM"
  OWN_PREFIX=1
fi
cleanup() {
  if ((OWN_PREFIX)); then
    "$ROOT/deploy/kafka.sh" run-class org.apache.kafka.tools.TopicCommand \
      --bootstrap-server "$EW_BENCH_BROKERS" --delete \
      --topic "${EW_BENCH_PREFIX//./\\.}\\..*" >/dev/null 2>&1 ||
      log "could not delete the topics $EW_BENCH_PREFIX.* (ignored)"
  fi
}
trap cleanup EXIT

# ---- 1. the input ----
# The generator's version: raise it when state_1m.py gen writes other input.
STAMP="gen=2 enterprises=$N more=$MORE warm=$WARM template=$TEMPLATE_EVENTS seed=$SEED"
if [[ -f $CACHE/input.done && $(cat "$CACHE/input.done") == "$STAMP" ]]; then
  log "1. input of an earlier run reused ($STAMP)"
else
  rm -f "$CACHE/input.done" "$CACHE/state.done"
  log "1. input: $STAMP"
  nice python3 "$ROOT/tests/crash/gen_load.py" --events "$TEMPLATE_EVENTS" \
    --seed "$SEED" --out "$CACHE/template.jsonl" >&2
  nice python3 "$HERE/state_1m.py" gen "$CACHE/template.jsonl" "$N" "$MORE" \
    "$WARM" "$CACHE" >"$CACHE/input.json"
  echo "$STAMP" >"$CACHE/input.done"
fi
log "   $(cat "$CACHE/input.json")"

# ---- 2. the state ----
BUILT=$CACHE/state-built.db
if [[ ${EW_1M_REBUILD:-0} != 1 && -f $CACHE/state.done && -f $BUILT ]]; then
  log "2. state of an earlier run reused: $(cat "$CACHE/state.done")"
else
  rm -f "$CACHE/state.done" "$BUILT" "$BUILT-wal" "$BUILT-shm"
  AS_OF=$(($(date +%s) * 1000))
  log "2. enforcewatch check --state (as of $(date -u -d "@$((AS_OF / 1000))" +%FT%TZ))"
  start=$(date +%s.%N)
  nice /usr/bin/time -f '%M' -o "$CACHE/check.rss" \
    "$CLI" check --state "$BUILT" --as-of "$AS_OF" "$CACHE/refs.jsonl" \
    "$CACHE/grades.jsonl" "$CACHE/events.jsonl" >/dev/null 2>"$CACHE/check.log" || {
    tail -n 20 "$CACHE/check.log" >&2
    log "enforcewatch check --state failed"
    exit 1
  }
  end=$(date +%s.%N)
  python3 -c 'import json, sys; print(json.dumps({"build_s": round(float(sys.argv[2]) - float(sys.argv[1]), 1), "check_rss_kib": int(open(sys.argv[3]).read().split()[-1]), "check": open(sys.argv[4]).read().strip().splitlines()[-1]}))' \
    "$start" "$end" "$CACHE/check.rss" "$CACHE/check.log" >"$CACHE/state.done"
  log "   $(cat "$CACHE/state.done")"
fi

# ---- 3. measure, on a copy ----
rm -f "$WORK"/state.db "$WORK"/state.db-wal "$WORK"/state.db-shm
if [[ $CACHE != "$WORK" ]]; then
  cp "$CACHE"/tail_?.jsonl "$WORK"/
fi
cp "$BUILT" "$WORK/state.db"
# The copy's dirty pages written back while a start reads the file would
# slow its quick_check several times over (measured: 48 s instead of 10 s).
sync "$WORK/state.db"
STATE_BYTES=$(stat -c %s "$WORK/state.db")
log "3. measuring $DAEMON on a copy of the state ($STATE_BYTES bytes), topics $EW_BENCH_PREFIX.*"
python3 "$HERE/state_1m.py" measure --daemon "$DAEMON" --cli "$CLI" \
  --state "$WORK/state.db" --dir "$WORK" --brokers "$EW_BENCH_BROKERS" \
  --prefix "$EW_BENCH_PREFIX" --restarts "${EW_1M_RESTARTS:-3}" \
  >"$WORK/measure.json"

python3 - "$CACHE/input.json" "$CACHE/state.done" "$WORK/measure.json" \
  "$STATE_BYTES" "$DAEMON" <<'EOF'
import json, sys
out = {}
for p in sys.argv[1:4]:
    out.update(json.loads(open(p).read().strip().splitlines()[-1]))
out["state_bytes"] = int(sys.argv[4])
out["daemon"] = sys.argv[5]
keys = ["enterprises", "state_bytes", "restart_s", "restart_unclean_s",
        "rss_kib"]
print(json.dumps({**{k: out.pop(k) for k in keys}, **out}))
EOF
