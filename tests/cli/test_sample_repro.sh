#!/usr/bin/env bash
# `enforcewatch sample` is reproducible (rules.md §4 item 2): the real
# binary, run twice on the same JSON Lines input with the same seed, writes
# the same bytes, in every format; without --seed it derives the same seed
# from the period; another seed draws another sample.
#
#   tests/cli/test_sample_repro.sh ENFORCEWATCH SAMPLE.jsonl
#
# SAMPLE.jsonl is the deployment sample (deploy/sample/linxia.jsonl): its
# agencies inspected few enterprises, so nearly all are drawn. A generated
# file of 400 enterprises of one agency (20 drawn) shows that the seed
# matters.
set -euo pipefail

bin=${1:?usage: $0 ENFORCEWATCH SAMPLE.jsonl}
input=${2:?usage: $0 ENFORCEWATCH SAMPLE.jsonl}
tmp=$(mktemp -d /tmp/test_sample_repro.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# 1. The same seed twice: the same bytes, in each format, to stdout and to
#    --out alike.
for fmt in text csv json; do
  "$bin" sample --period 2025-H1 --seed 20250701 --format "$fmt" "$input" \
    >"$tmp/a.$fmt" 2>"$tmp/a.err"
  "$bin" sample --period 2025-H1 --seed 20250701 --format "$fmt" \
    --out "$tmp/b.$fmt" "$input" 2>"$tmp/b.err"
  cmp "$tmp/a.$fmt" "$tmp/b.$fmt" || fail "$fmt: two runs differ"
  [ -s "$tmp/a.$fmt" ] || fail "$fmt: empty output"
  grep -q 'seed 20250701,' "$tmp/a.err" || fail "$fmt: seed not printed"
done
grep -q '检查人员是否出示执法证件' "$tmp/a.text" || fail "no questionnaire"
lines=$(wc -l <"$tmp/a.csv")
[ "$lines" -gt 10 ] || fail "csv has $lines lines"

# 2. No --seed: the seed derived from the period, printed, and the same on
#    a rerun.
"$bin" sample --period 2025-H1 --format csv "$input" >"$tmp/d1.csv" \
  2>"$tmp/d1.err"
"$bin" sample --period 2025-H1 --format csv "$input" >"$tmp/d2.csv" \
  2>/dev/null
cmp "$tmp/d1.csv" "$tmp/d2.csv" || fail "default seed: two runs differ"
grep -q 'derived from the period' "$tmp/d1.err" ||
  fail "default seed not printed"

# 3. A population where the seed decides: 400 enterprises, 20 drawn.
gen="$tmp/big.jsonl"
grades=(A B C D)
for i in $(seq 0 399); do
  printf '{"type":"credit_grade","enterprise_uscc":"91622901MA%08d","grade":"%s","as_of":"2025-01-01"}\n' \
    "$i" "${grades[i % 4]}"
  printf '{"type":"inspection","event_id":"ev-%s","event_time":"2025-03-01T09:00:00+08:00","inspection_id":"INS-%s","status":"ENDED","agency_uscc":"11622900MB1234567G","enterprise_uscc":"91622901MA%08d","check_class":"ROUTINE","trigger_type":"COMPLAINT","complaint_id":"C-1","check_items":["C13-01"],"mode":"ON_SITE","started_at":"2025-03-01T09:00:00+08:00"}\n' \
    "$i" "$i" "$i"
done >"$gen"
"$bin" sample --period 2025-H1 --seed 1 --format csv "$gen" >"$tmp/s1.csv" \
  2>/dev/null
"$bin" sample --period 2025-H1 --seed 1 --format csv "$gen" >"$tmp/s1b.csv" \
  2>/dev/null
"$bin" sample --period 2025-H1 --seed 2 --format csv "$gen" >"$tmp/s2.csv" \
  2>/dev/null
cmp "$tmp/s1.csv" "$tmp/s1b.csv" || fail "seed 1: two runs differ"
[ "$(($(wc -l <"$tmp/s1.csv") - 1))" -eq 20 ] || fail "not 20 drawn of 400"
cut -d, -f8 "$tmp/s1.csv" | sort >"$tmp/e1"
cut -d, -f8 "$tmp/s2.csv" | sort >"$tmp/e2"
if cmp -s "$tmp/e1" "$tmp/e2"; then
  fail "seeds 1 and 2 drew the same enterprises"
fi

echo "sample reproducibility: ok"
