#!/usr/bin/env bash
# The local org's speed over HTTP (issue 3's targets: ≥ 50,000 rows/s read through query pages of
# a 2-level query on 10,000 opportunities, ≥ 5,000 records/s created one by one over keep-alive).
# Starts `pricing-engine devorg --seed 10000` (release build, access log off), then runs
# bench/devorg_load RUNS times against it; each run prints the version-list baseline, the read
# rate and the write rate. Results go in docs/benchmarks.md with the medians.
#   RUNS=5 bench/devorg_bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
bin=build/release/src/pricing-engine
load=build/release/bench/devorg_load
[[ -x $bin && -x $load ]] || { echo "build the release preset first (targets pricing-engine devorg_load)" >&2; exit 1; }
work=$(mktemp -d)
pid=
trap '[[ -n $pid ]] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
start=$(date +%s.%N)
LOG_LEVEL=warn "$bin" devorg --port 0 --seed 10000 --env-file "$work/org.env" >"$work/devorg.log" 2>&1 &
pid=$!
while [[ ! -s $work/org.env ]]; do
  kill -0 "$pid" 2>/dev/null || { cat "$work/devorg.log"; exit 1; }
  sleep 0.1
done
echo "seeded 10,000 opportunities in $(echo "$(date +%s.%N) - $start" | bc) s"
for run in $(seq 1 "$runs"); do
  echo "run $run: $("$load" --env-file "$work/org.env" --reads 3 --creates 5000 --baseline 5000 | tr '\n' ' ')"
done
echo "peak RSS of devorg: $(grep VmHWM /proc/$pid/status | awk '{print $2/1024 " MB"}')"
