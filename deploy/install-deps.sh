#!/usr/bin/env bash
# Installs the Debian 12 packages enforcewatch builds, runs and tests with.
# Safe to run again: apt-get is called only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  librdkafka-dev libavro-dev libconfig-dev libsqlite3-dev libjansson-dev
  libcmocka-dev clang-format python3
  openjdk-17-jre-headless maven
  faketime # libfaketime: the deadline integration tests fake the daemon's clock
  valgrind # one daemon run under memcheck (tests/integration/test_valgrind_daemon.sh)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
    missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
