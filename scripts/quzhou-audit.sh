#!/usr/bin/env bash
# The whole Quzhou audit with the built CLI: generate the register's population (3,424 organizations,
# seed 2023, as of 2023-05-31), score it, write the report, score it again six months later, diff the
# two dates, and verify the first results. Prints each step's wall time and the total.
# Usage: bash scripts/quzhou-audit.sh [OUT_DIR]   (default out/quzhou; run `npx tsup` first)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-out/quzhou}"
CLI=(node dist/cli.js)
BEFORE=2023-05-31
AFTER=2023-11-30
mkdir -p "$OUT"

ms() { echo $(( $(date +%s%N) / 1000000 )); }
step() {
  local name=$1
  shift
  local t0
  t0=$(ms)
  "$@"
  printf '%-10s %6d ms\n' "$name" $(( $(ms) - t0 )) >> "$OUT/timings.txt"
}

: > "$OUT/timings.txt"
total0=$(ms)
step generate "${CLI[@]}" generate --count 3424 --seed 2023 --as-of "$BEFORE" --out "$OUT/population.ndjson"
step score "${CLI[@]}" score "$OUT/population.ndjson" --as-of "$BEFORE" --format ndjson --out "$OUT/results-$BEFORE.ndjson"
step report "${CLI[@]}" report "$OUT/results-$BEFORE.ndjson" --out "$OUT/report.html"
step score-2 "${CLI[@]}" score "$OUT/population.ndjson" --as-of "$AFTER" --format ndjson --out "$OUT/results-$AFTER.ndjson"
step diff "${CLI[@]}" diff "$OUT/results-$BEFORE.ndjson" "$OUT/results-$AFTER.ndjson" --out "$OUT/diff-$BEFORE-$AFTER.txt"
step verify "${CLI[@]}" verify "$OUT/population.ndjson" "$OUT/results-$BEFORE.ndjson"
printf '%-10s %6d ms\n' total $(( $(ms) - total0 )) >> "$OUT/timings.txt"

echo
sed -n '/^## 等级分布/,/^## 得分分布/p' "$OUT/report.md" | sed '$d'
sed -n '1,8p' "$OUT/diff-$BEFORE-$AFTER.txt"
echo
echo "wall time 耗时 (generate + score + report + score at $AFTER + diff + verify):"
cat "$OUT/timings.txt"
echo "outputs: $OUT/report.html, $OUT/report.md, $OUT/diff-$BEFORE-$AFTER.txt"
