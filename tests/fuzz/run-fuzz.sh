#!/usr/bin/env bash
# tests/fuzz/run-fuzz.sh [SECONDS] - build the libFuzzer targets with clang
# and run each for SECONDS (default 60), starting from the seed corpus in
# tests/fuzz/corpus/. Prints executions, exec/s, crashes and corpus size
# per target; exits non-zero on any crash, leak, huge allocation, timeout
# or UB report. ctest runs it as the test `fuzz` (label fuzz).
#
#   tests/fuzz/run-fuzz.sh              60 s per target, one after another
#   tests/fuzz/run-fuzz.sh 900          15 minutes each
#   tests/fuzz/run-fuzz.sh --build-only just build (gen-corpus.sh uses it)
#
# Environment: EW_FUZZ_BUILD (build tree, default <repo>/build-fuzz),
# EW_FUZZ_JOBS (targets run at once, default 1; 2 on a 2-core machine
# halves the wall time), EW_FUZZ_TARGETS (default "avro_decode
# jsonl_reader"). New corpus entries and crash inputs stay in the build
# tree (fuzz-corpus/, fuzz-artifacts/); the committed seeds are read only.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${EW_FUZZ_BUILD:-$root/build-fuzz}
jobs=${EW_FUZZ_JOBS:-1}
targets=${EW_FUZZ_TARGETS:-avro_decode jsonl_reader}
build_only=0
secs=60
case "${1:-}" in
--build-only) build_only=1 ;;
"") ;;
*[!0-9]* | 0)
  echo "usage: $0 [SECONDS | --build-only]" >&2
  exit 2
  ;;
*) secs=$1 ;;
esac

# ---- dependencies: the project's, then clang with compiler-rt (libFuzzer)
"$root/deploy/install-deps.sh" >&2
cc=clang-14
missing=()
for p in clang-14 libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
    missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "run-fuzz: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
fi

# ---- build
cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER="$cc" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEW_SANITIZE=ON -DEW_FUZZ=ON \
  -DEW_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" --target \
  fuzz_avro_decode fuzz_jsonl_reader fuzz_make_corpus >&2
[ "$build_only" = 0 ] || exit 0

export EW_SCHEMAS_DIR=${EW_SCHEMAS_DIR:-$root/schemas}
# libFuzzer's own reports are what counts; keep the sanitizers fatal.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Seed corpus directory of a target.
seeds_of() {
  case "$1" in
  avro_decode) echo "$here/corpus/avro" ;;
  jsonl_reader) echo "$here/corpus/jsonl" ;;
  *) echo "$here/corpus/$1" ;;
  esac
}

# Runs one target; writes its summary line to $build/fuzz-logs/NAME.summary.
run_one() {
  local name=$1 bin="$build/tests/fuzz/fuzz_$1"
  local work="$build/fuzz-corpus/$name" art="$build/fuzz-artifacts/$name"
  local log="$build/fuzz-logs/$name.log" seeds rc=0
  seeds=$(seeds_of "$name")
  mkdir -p "$work" "$art"
  rm -f "$art"/*
  # -malloc_limit_mb: far above anything a 64 KiB input needs, far below
  # the 2 GiB avro-c 1.11.1 asks for on a 6-byte hostile value (§B4).
  "$bin" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 \
    -malloc_limit_mb=256 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$art/" "$work" "$seeds" >"$log" 2>&1 || rc=$?
  local execs eps crashes units bytes
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  crashes=$(find "$art" -type f | wc -l)
  units=$(find "$work" -type f | wc -l)
  bytes=$(find "$work" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')
  printf '%s: %s s, executions %s, exec/s %s, crashes %s, corpus %s files %s bytes, exit %s\n' \
    "fuzz_$name" "$secs" "${execs:-?}" "${eps:-?}" "$crashes" "$units" \
    "$bytes" "$rc" >"$build/fuzz-logs/$name.summary"
  if [ "$rc" != 0 ] || [ "$crashes" != 0 ]; then
    # The report: sanitizer or libFuzzer output of the failing input.
    grep -E -A40 '^==[0-9]+==ERROR|runtime error|^fuzz_|deadly signal|out-of-memory|malloc\(|Timeout' \
      "$log" | head -80 >&2 || true
    ls -l "$art" >&2
    return 1
  fi
}

mkdir -p "$build/fuzz-logs"
status=0
pids=()
for t in $targets; do
  if [ "$jobs" -gt 1 ]; then
    run_one "$t" &
    pids+=($!)
    if [ ${#pids[@]} -ge "$jobs" ]; then
      wait "${pids[0]}" || status=1
      pids=("${pids[@]:1}")
    fi
  else
    run_one "$t" || status=1
  fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done

for t in $targets; do
  cat "$build/fuzz-logs/$t.summary" 2>/dev/null || {
    echo "fuzz_$t: no summary"
    status=1
  }
done
[ "$status" = 0 ] && echo "fuzz: no crash, leak or timeout" ||
  echo "fuzz: FAILED (inputs under $build/fuzz-artifacts, logs under $build/fuzz-logs)"
exit "$status"
