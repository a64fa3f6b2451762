#!/usr/bin/env bash
# test_report_html.sh - the half-year report of a scenario, as a supervisor
# sees it: `enforcewatch report` runs tests/report/report_h1.jsonl through
# the engine, headless Chromium opens the HTML, takes a screenshot and
# dumps the rendered DOM, and check_report.py finds the expected numbers
# (report_h1.expected, worked out by hand in gen_report_scenario.py) in the
# rendered tables, the CSV and the JSON.
#
# usage: test_report_html.sh ENFORCEWATCH
# Installs chromium (and a CJK font, so that the screenshot shows the
# Chinese headings) with apt-get when missing, like deploy/install-deps.sh.
# Keeps its files in EW_REPORT_OUT (default: a temporary directory, removed
# on success) so that the screenshot can be looked at.
set -euo pipefail

EW=${1:?usage: $0 ENFORCEWATCH}
HERE=$(cd "$(dirname "$0")" && pwd)
SCEN=$HERE/report_h1

fail() {
  echo "test_report_html: FAIL: $*" >&2
  exit 1
}

# --- chromium -------------------------------------------------------------
packages=(chromium fonts-wqy-zenhei)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
    missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test_report_html: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v chromium >/dev/null || fail "chromium is not installed"

OUT=${EW_REPORT_OUT:-}
cleanup=0
if [ -z "$OUT" ]; then
  OUT=$(mktemp -d /tmp/test_report_html.XXXXXX)
  cleanup=1
fi
mkdir -p "$OUT"

# --- the report, three ways ----------------------------------------------
python3 "$HERE/gen_report_scenario.py" --check ||
  fail "report_h1.* are stale: run tests/report/gen_report_scenario.py"
as_of=$(cat "$SCEN.asof")
for fmt in html csv json; do
  "$EW" report --period 2025-H1 --as-of "$as_of" --format "$fmt" \
    --out "$OUT/report.$fmt" "$SCEN.jsonl" 2>"$OUT/report-$fmt.err" ||
    fail "report --format $fmt: $(cat "$OUT/report-$fmt.err")"
done
grep -q '^report: 57 records, 0 bad lines' "$OUT/report-html.err" ||
  fail "the scenario did not read whole: $(cat "$OUT/report-html.err")"

# --- Chromium -------------------------------------------------------------
# A profile of its own, so that runs do not share (or lock) one.
chrome=(chromium --headless --no-sandbox --disable-gpu --hide-scrollbars
  --no-first-run --user-data-dir="$OUT/profile")
url="file://$OUT/report.html"
timeout 60 "${chrome[@]}" --window-size=1280,2400 \
  --screenshot="$OUT/report.png" "$url" >"$OUT/chromium-shot.log" 2>&1 ||
  fail "chromium --screenshot: $(tail -5 "$OUT/chromium-shot.log")"
timeout 60 "${chrome[@]}" --dump-dom "$url" >"$OUT/dom.html" \
  2>"$OUT/chromium-dom.log" ||
  fail "chromium --dump-dom: $(tail -5 "$OUT/chromium-dom.log")"

# The screenshot is a PNG of the window's size with something on it.
python3 - "$OUT/report.png" <<'EOF' || fail "bad screenshot $OUT/report.png"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", data[16:24])
assert (w, h) == (1280, 2400), (w, h)
# A blank page compresses to a few kB; tables, text and charts do not.
assert len(data) > 50000, len(data)
print("screenshot: %dx%d PNG, %d bytes" % (w, h, len(data)))
EOF
grep -q '<table id="overview">' "$OUT/dom.html" ||
  fail "the rendered page has no overview table"

python3 "$HERE/check_report.py" "$SCEN.expected" "$OUT/dom.html" \
  "$OUT/report.csv" "$OUT/report.json" || fail "numbers differ (files in $OUT)"

echo "test_report_html: ok"
[ "$cleanup" -eq 1 ] && rm -rf "$OUT"
exit 0
