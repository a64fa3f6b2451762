#!/usr/bin/env bash
# The README's run command: from a fresh Debian 12 machine to alerts on the
# screen. Installs what is missing, builds, starts the local Kafka broker,
# creates the topics, sends the Linxia sample data, then runs enforcewatchd
# in the foreground while the alerts and notices it publishes are printed as
# they arrive.
# Ctrl-C stops the daemon (gracefully) and the alert printer; the broker keeps
# running for another round (`deploy/kafka.sh stop` stops it).
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)"
deploy/kafka.sh start

work=${EW_RUN_DIR:-$(mktemp -d /tmp/enforcewatch-run.XXXXXX)}
cfg=$work/enforcewatch.cfg
# The sample config with the state file moved into the run's folder.
sed "s|^state_path = .*|state_path = \"$work/state.db\";|" deploy/enforcewatch.cfg >"$cfg"

build/enforcewatch topics create --config "$cfg"
build/enforcewatch send --config "$cfg" deploy/sample/linxia.jsonl

echo "run-local: alerts and supervision notices appear below as enforcewatchd" \
  "publishes them (Ctrl-C to stop)"
build/enforcewatch tail --config "$cfg" --from-beginning --follow --pretty enforcement.alerts &
alerts_pid=$!
build/enforcewatch tail --config "$cfg" --from-beginning --follow --pretty enforcement.notices &
notices_pid=$!
trap 'kill "$alerts_pid" "$notices_pid" 2>/dev/null || true' EXIT
build/enforcewatchd -c "$cfg"
