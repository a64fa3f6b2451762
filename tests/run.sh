#!/usr/bin/env bash
# The test command (README "Test"; .ci/run calls it): installs what is
# missing, builds twice (a plain -Werror build, and the ASan+UBSan build that
# runs every test), starts the real local Kafka broker, runs unit, scenario
# and integration tests, and checks the formatting.
#
#   tests/run.sh            everything
#   tests/run.sh -L unit    only the ctest label given (unit|scenario|integration)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)
start=$(date +%s)

step() { printf '\n== %s (%ss)\n' "$*" "$(($(date +%s) - start))"; }

step "dependencies"
deploy/install-deps.sh

step "plain build (-Werror)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"

step "sanitizer build (ASan+UBSan)"
# EW_PLAIN_BUILD_DIR: the valgrind test runs build/'s daemon (valgrind
# cannot run ASan binaries).
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DEW_SANITIZE=ON \
  -DEW_PLAIN_BUILD_DIR="$root/build" >/dev/null
cmake --build build-asan -j"$jobs"

step "format check"
cmake --build build --target format-check

broker_started=0
stop_broker() {
  if [ "$broker_started" = 1 ]; then deploy/kafka.sh stop || true; fi
}
trap stop_broker EXIT

if [ "${1:-}" != "-L" ] || [ "${2:-}" = "integration" ]; then
  step "local Kafka broker"
  if ! deploy/kafka.sh status >/dev/null 2>&1; then
    deploy/kafka.sh start
    broker_started=1
  fi
fi

step "tests under ASan+UBSan"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure "$@")

step "done"
