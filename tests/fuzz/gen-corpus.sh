#!/usr/bin/env bash
# tests/fuzz/gen-corpus.sh - (re)writes the seed corpus of the fuzz targets:
#
#   corpus/jsonl/  lines of deploy/sample/linxia.jsonl (the first and the
#                  longest of every type), the alerts and notices that
#                  `enforcewatch check` writes for it, a stats line, a
#                  tombstone, and known-hostile lines;
#   corpus/avro/   every valid JSON Lines record above encoded by our encoder
#                  (fuzz_make_corpus: Confluent frame + Avro body, the first
#                  and the longest per kind), and the known-hostile values of
#                  style-and-idioms §B4/§B5.
#
# Run it after a schema or sample change and commit the result; it builds
# with run-fuzz.sh --build-only (same EW_FUZZ_BUILD).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${EW_FUZZ_BUILD:-$root/build-fuzz}
sample="$root/deploy/sample/linxia.jsonl"
export EW_SCHEMAS_DIR=${EW_SCHEMAS_DIR:-$root/schemas}
export ASAN_OPTIONS=detect_leaks=0 # short-lived tools, not under test here

"$here/run-fuzz.sh" --build-only
cmake --build "$build" --target enforcewatch >&2

jl="$here/corpus/jsonl"
av="$here/corpus/avro"
rm -rf "$jl" "$av"
mkdir -p "$jl" "$av"

# ---- JSON Lines: real records
python3 - "$sample" "$jl" <<'EOF'
import json, sys
sample, out = sys.argv[1], sys.argv[2]
first, longest = {}, {}
for line in open(sample, encoding="utf-8"):
    line = line.rstrip("\n")
    if not line.strip():
        continue
    t = json.loads(line)["type"]
    first.setdefault(t, line)
    if len(line) > len(longest.get(t, "")):
        longest[t] = line
for t in sorted(first):
    lines = [first[t]] + ([longest[t]] if longest[t] != first[t] else [])
    with open(f"{out}/sample-{t}.jsonl", "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
EOF
"$build/enforcewatch" check "$sample" 2>/dev/null | python3 -c '
import json, sys
seen = {}
for line in sys.stdin:
    k = json.loads(line)["kind"]
    if k not in seen:
        seen[k] = line
out = sys.argv[1]
for k, line in seen.items():
    open(f"{out}/check-{k}.jsonl", "w", encoding="utf-8").write(line)
' "$jl"
cat >"$jl/stats.jsonl" <<'EOF'
{"type":"stats","agency_uscc":"11622900MB1H55826Y","period":"2025-H1","metric":"inspections_total","value":42,"as_of":"2025-07-01T00:00:00+08:00"}
EOF
cat >"$jl/tombstone.jsonl" <<'EOF'
{"type":"plan","plan_id":"PLAN-2025-001","deleted":true}
{"type":"calendar_day","date":"2025-10-01","deleted":true}
EOF
# A multi-line file with CRLF line ends, a BOM and a blank line.
printf '\xef\xbb\xbf{"type":"calendar_day","date":"2025-10-01","is_workday":false}\r\n\r\n{"type":"calendar_day","date":"2025-10-08","is_workday":true}\r\n' \
  >"$jl/crlf-bom.jsonl"

# ---- JSON Lines: known-hostile lines, one file each
bad() { printf '%s\n' "$2" >"$jl/bad-$1.jsonl"; }
bad not-json '{"type":"calendar_day","date":'
bad not-object '["calendar_day"]'
bad duplicate '{"type":"calendar_day","date":"2025-10-01","date":"2025-10-02","is_workday":true}'
bad unknown-field '{"type":"calendar_day","date":"2025-10-01","is_workday":true,"cert_shwon":1}'
bad unknown-type '{"type":"weather","date":"2025-10-01"}'
bad nul '{"type":"calendar_day","date":"2025\u0000-10-01","is_workday":true}'
bad empty-id '{"type":"calendar_day","date":"","is_workday":true}'
bad huge-int '{"type":"stats","agency_uscc":"a","period":"p","metric":"m","value":99999999999999999999,"as_of":0}'
bad int-min '{"type":"stats","agency_uscc":"a","period":"p","metric":"m","value":-9223372036854775808,"as_of":0}'
bad bad-time '{"type":"stats","agency_uscc":"a","period":"p","metric":"m","value":1,"as_of":"2025-02-30T25:61:00+99:00"}'
bad far-time '{"type":"stats","agency_uscc":"a","period":"p","metric":"m","value":1,"as_of":9223372036854775807}'
bad enum '{"type":"credit_grade","enterprise_uscc":"x","grade":"E","as_of":0}'
bad tombstone-event '{"type":"inspection","inspection_id":"I","deleted":true}'
bad kind-alert '{"kind":"alert"}'
printf '{"type":"calendar_day","date":"\xff\xfe\xc0\xaf","is_workday":true}\n' >"$jl/bad-utf8.jsonl"
python3 -c 'print("[" * 5000 + "]" * 5000)' >"$jl/bad-deep.jsonl"
# JSON text the reader's scanner (consumers/json_scan.c) must take or refuse
# exactly as jansson did: escapes, surrogates, NUL rules, numbers, tokens.
bad json-surrogate '{"type":"calendar_day","date":"\ud83d\ude00\ud800","is_workday":true}'
bad json-escapes '{"type":"calendar_day","d\u0061te":"\"\\\/\b\f\n\r\t\u00e9","is_workday":true,"x":1}'
bad json-dup-escaped '{"type":"calendar_day","date":"2025-10-01","d\u0061te":"2025-10-02","is_workday":true}'
bad json-nul-key '{"type":"calendar_day","date\u0000":"2025-10-01","is_workday":true}'
bad json-real '{"type":"stats","agency_uscc":"a","period":"p","metric":"m","value":-0.0e-999,"as_of":1.5E+999}'
bad json-tokens '{"type":"calendar_day","date":-,"is_workday":tru}'
bad json-trailing '{"type":"calendar_day","date":"2025-10-01","is_workday":true} x'
printf '{"type":"calendar_day","date":"2025\t10","is_workday":true}\n' >"$jl/bad-json-control.jsonl"
# jansson's stream lost a NUL put back after a word or number: accepted
# there, so the unknown field after it is the error.
printf '{"type":"calendar_day","date":"2025-10-01","is_workday":true\0,"x":1}\n' \
  >"$jl/bad-json-nul-after-word.jsonl"

# ---- Avro: real values from every valid line above
"$build/tests/fuzz/fuzz_make_corpus" "$av" "$sample" "$jl"/*.jsonl

# ---- Avro: known-hostile values (calendar_day is schema id 14, credit_grade
# 13, notice 16, approval 7)
hex() { printf '%b' "$(echo "$2" | sed 's/\(..\)/\\x\1/g')" >"$av/bad-$1.avro"; }
hex huge-string-6b 000000000efeffffff0f                # declares 2^31-1 bytes
hex huge-string-10b-varint 000000000efeffffffffffffffff01
hex truncated-string 000000000e1432303235               # 10 declared, 4 there
hex truncated-varint 000000000e80
hex bad-magic 010000000e0278
hex magic-guid 01000000000000000000000000000000000e0278
hex unknown-schema 0000000063027800
hex short-frame 0000000e
hex union-index 000000000702610262040278
hex enum-index 000000000d02780802
hex bool-byte 000000000e027802
hex trailing 000000000e027801ee
hex array-count 0000000010026e0002690272feffffff0f0261
hex block-size 0000000010026e0002690272037e0261026200
