#!/usr/bin/env bash
# pricing_floor.sh: what the pricing engine's arithmetic alone costs against the read-only loop
# (issue 6's "within 5x" target). Builds pricing_bench from this commit with parts of the engine
# taken out (bench/pricing_floor.patch, in a scratch git worktree, never in the tree), at three
# levels of PE_FLOOR:
#   0  the engine as it is (the release build)
#   1  without the quote strings (name, description, status label)
#   2  also without the line checks (price book entry, quantity, list price, override)
#   3  also without the family lookup (a line's row taken from its family name's length)
# then runs the four binaries alternating, ROUNDS times, and prints read / price in cache for
# each run (BM_ReadInput/1000 and BM_PriceLines/1000, medians of 3 repetitions).
#   cmake --preset release && cmake --build --preset release --target pricing_bench
#   bench/pricing_floor.sh                     # ROUNDS=2
# When the engine changes the patch may stop applying (the script then stops at git apply):
# remake it from the three levels above.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build/release}
ROUNDS=${ROUNDS:-2}
if [[ ! -x $BUILD/bench/pricing_bench ]]; then
  echo "missing $BUILD/bench/pricing_bench: build the release preset first" >&2
  exit 1
fi

work=$(mktemp -d)
cleanup() {
  git worktree remove --force "$work/tree" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

git worktree add -q --detach "$work/tree" HEAD
git -C "$work/tree" apply "$PWD/bench/pricing_floor.patch"
cp "$BUILD/bench/pricing_bench" "$work/bench-0"
for level in 1 2 3; do
  echo "building PE_FLOOR=$level ..." >&2
  cmake -S "$work/tree" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS="-DPE_FLOOR=$level" >/dev/null
  cmake --build "$work/build" -j2 --target pricing_bench >/dev/null
  cp "$work/build/bench/pricing_bench" "$work/bench-$level"
done

echo "round level read_M_lines_per_s price_M_lines_per_s read/price"
for round in $(seq "$ROUNDS"); do
  for level in 0 1 2 3; do
    "$work/bench-$level" --benchmark_filter='/1000$' --benchmark_repetitions=3 \
      --benchmark_report_aggregates_only=true 2>/dev/null |
      awk -v r="$round" -v l="$level" '
        /_median/ { for (i = 1; i <= NF; i++) if ($i ~ /^items_per_second=/) {
                      v = substr($i, 18); sub(/M\/s$/, "", v)
                      if ($1 ~ /ReadInput/) read = v; else price = v } }
        END { printf "%d %d %.1f %.1f %.2f\n", r, l, read, price, read / price }'
  done
done
