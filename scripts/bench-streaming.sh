#!/usr/bin/env bash
# Peak memory (max RSS) of generate and score on NDJSON at two sizes: a streamed run holds one row at
# a time, so the peak should not grow with the count. Prints the figures; asserts nothing.
# Usage: bash scripts/bench-streaming.sh [SMALL] [LARGE]   (default 2000 and 50000; run `npx tsup` first)
set -euo pipefail
cd "$(dirname "$0")/.."
SMALL="${1:-2000}"
LARGE="${2:-50000}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
for n in "$SMALL" "$LARGE"; do
  gen_kb=$( { /usr/bin/time -f '%M %e' node dist/cli.js generate --count "$n" --seed 1 --out "$TMP/p.ndjson" 2>&1 >/dev/null; } | tail -1)
  score_kb=$( { /usr/bin/time -f '%M %e' node dist/cli.js score "$TMP/p.ndjson" --as-of 2023-05-31 --format ndjson --out "$TMP/r.ndjson" 2>&1 >/dev/null; } | tail -1)
  printf 'count %7d  generate: max RSS %6d KiB in %5ss   score: max RSS %6d KiB in %6ss   (input %d MiB, results %d MiB)\n' \
    "$n" ${gen_kb% *} ${gen_kb#* } ${score_kb% *} ${score_kb#* } $(( $(stat -c %s "$TMP/p.ndjson") / 1048576 )) $(( $(stat -c %s "$TMP/r.ndjson") / 1048576 ))
done
