#!/usr/bin/env bash
# tests/scenarios/run.sh - runs every scenario through `enforcewatch check`
# and compares the alerts with the scenario's .expected file.
#
#   tests/scenarios/run.sh /path/to/enforcewatch [NAME...]
#
# For each <name>.jsonl beside this script (or only the NAMEs given):
#   enforcewatch check [--config <name>.cfg] <name>.jsonl
# must exit 0 and report no bad line on stderr (scenarios are clean input);
# each {"kind":"alert"} line of its output is projected to
# `rule_id status severity subject_id` and the list, in emission order, must
# equal <name>.expected (an empty file means no alert at all). With
# <name>.asof, check runs with --as-of that time; notices are projected to
# `notice TYPE RECIPIENT ALERT_COUNT` and compared when .expected lists any. A full run
# also checks that the committed scenario and sample files are what
# gen_scenarios.py and deploy/sample/gen_sample.py write. Prints
# PASS/FAIL per scenario, the diff of a failure, and "N passed, M failed";
# exits 1 on any failure, 2 on a usage error.
set -uo pipefail

usage() { echo "usage: $0 /path/to/enforcewatch [SCENARIO...]" >&2; exit 2; }
[[ $# -ge 1 ]] || usage
bin=$1; shift
[[ -x "$bin" && ! -d "$bin" ]] || { echo "$0: '$bin' is not an executable" >&2; exit 2; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
here=$(cd "$(dirname "$0")" && pwd)
command -v python3 >/dev/null || { echo "$0: python3 is required" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ew-scenarios.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

# Projects check's JSON Lines (stdin) to one alert per line. Output lines that
# are not JSON objects, or alerts missing a field, are reported and make the
# projection fail; other kinds (notice) are not part of .expected.
project() {
  python3 -c '
import json, sys
bad = 0
for n, line in enumerate(sys.stdin, 1):
    if not line.strip():
        continue
    try:
        o = json.loads(line)
    except ValueError as ex:
        print("stdout line %d is not JSON: %s" % (n, ex), file=sys.stderr)
        bad = 1
        continue
    if not isinstance(o, dict):
        print("stdout line %d is not an object" % n, file=sys.stderr)
        bad = 1
        continue
    if o.get("kind") == "notice":
        print("notice %s %s %d" % (o.get("notice_type"),
                                   o.get("recipient_agency_uscc"),
                                   len(o.get("alert_ids") or [])))
        continue
    if o.get("kind") != "alert":
        continue
    f = [o.get(k) for k in ("rule_id", "status", "severity", "subject_id")]
    if not all(isinstance(x, str) and x for x in f):
        print("stdout line %d: alert lacks rule_id/status/severity/subject_id"
              % n, file=sys.stderr)
        bad = 1
        continue
    print(" ".join(f))
sys.exit(bad)
'
}

if [[ $# -gt 0 ]]; then
  names=("$@")
else
  names=()
  for f in "$here"/*.jsonl; do
    [[ -e "$f" ]] || continue
    n=${f##*/}; names+=("${n%.jsonl}")
  done
fi
[[ ${#names[@]} -gt 0 ]] || { echo "$0: no scenarios in $here" >&2; exit 2; }

pass=0 fail=0

# The committed data must be what its generators write (only on a full run).
# gen_sample.py reads the calendar from ../shared beside the repository.
if [[ $# -eq 0 ]]; then
  gens=("generated_scenarios_up_to_date:$here/gen_scenarios.py")
  if [[ -f "$here/../../../shared/domain/calendar-2025-2026.jsonl" ]]; then
    gens+=("generated_sample_up_to_date:$here/../../deploy/sample/gen_sample.py")
  fi
  # The sample's planted findings are exactly what check reports on it, so
  # the README's run command shows what gen_sample.py says it plants.
  sample="$here/../../deploy/sample"
  python3 "$sample/gen_sample.py" --expected >"$tmp/sample.planted" ||
    { echo "$0: gen_sample.py --expected failed" >&2; exit 2; }
  sort "$tmp/sample.planted" >"$tmp/sample.want"
  "$bin" check "$sample/linxia.jsonl" 2>"$tmp/sample.err" |
    python3 -c 'import json, sys
for l in sys.stdin:
    a = json.loads(l)
    if a.get("kind") == "alert":
        print(a["rule_id"], a["status"], a["severity"], a["subject_id"])' |
    sort >"$tmp/sample.got"
  if diff -u "$tmp/sample.want" "$tmp/sample.got" >"$tmp/sample.diff"; then
    echo "PASS sample_alerts_as_planted"
    pass=$((pass + 1))
  else
    echo "FAIL sample_alerts_as_planted (- planted, + reported):"
    sed 's/^/    /' "$tmp/sample.diff"
    fail=$((fail + 1))
  fi
  for g in "${gens[@]}"; do
    if python3 "${g#*:}" --check >"$tmp/gen.out" 2>&1; then
      echo "PASS ${g%%:*}"
      pass=$((pass + 1))
    else
      echo "FAIL ${g%%:*}: run ${g#*:} and commit its output"
      sed 's/^/    /' "$tmp/gen.out"
      fail=$((fail + 1))
    fi
  done
fi

for name in "${names[@]}"; do
  in="$name.jsonl" exp="$here/$name.expected"
  out="$tmp/$name.out" err="$tmp/$name.err" got="$tmp/$name.got"
  why=()
  if [[ ! -f "$here/$in" ]]; then
    why+=("no $in")
  elif [[ ! -f "$exp" ]]; then
    why+=("no $name.expected")
  else
    args=(check)
    [[ -f "$here/$name.cfg" ]] && args+=(--config "$name.cfg")
    [[ -f "$here/$name.asof" ]] && args+=(--as-of "$(cat "$here/$name.asof")")
    # Run from the scenario directory so that reports name "<name>.jsonl:LINE".
    (cd "$here" && "$bin" "${args[@]}" "$in") >"$out" 2>"$err"
    rc=$?
    [[ $rc -eq 0 ]] || why+=("enforcewatch check exited $rc")
    # A bad-line report is "FILE:LINE: reason" (contract §7).
    if grep -Eq "(^|[ /])$name\.jsonl:[0-9]+:" "$err"; then
      why+=("bad input lines reported on stderr")
    fi
    if ! project <"$out" >"$got.all" 2>>"$err"; then
      why+=("unreadable output")
    else
      # Notices are compared only where the scenario lists some.
      if grep -q '^notice ' "$exp"; then
        cp "$got.all" "$got"
      else
        grep -v '^notice ' "$got.all" >"$got" || true
      fi
      if ! diff -u --label "$name.expected" \
             --label "$name (enforcewatch check)" "$exp" "$got" \
             >"$tmp/$name.diff"; then
        why+=("alerts differ from $name.expected")
      fi
    fi
  fi
  if [[ ${#why[@]} -eq 0 ]]; then
    echo "PASS $name"
    pass=$((pass + 1))
  else
    msg=$(printf '%s; ' "${why[@]}")
    echo "FAIL $name: ${msg%; }"
    [[ -s "$tmp/$name.diff" ]] && sed 's/^/    /' "$tmp/$name.diff"
    if [[ -s "$err" ]]; then
      echo "    -- stderr:"
      head -n 20 "$err" | sed 's/^/    /'
    fi
    fail=$((fail + 1))
  fi
done

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
