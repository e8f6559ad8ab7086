#!/usr/bin/env bash
# Issue 4's benchmark: API requests and wall time to write 10,000 quotes with 3 lines each through
# the unit of work, against one record per REST call, on a fresh local org; and the requests
# paging the 20,000 quotes written. RUNS times, each on a fresh org.
#   RUNS=3 bench/salesforce_bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
bin=build/release/src/pricing-engine
load=build/release/bench/unit_of_work_load
[[ -x $bin && -x $load ]] || { echo "build the release preset first (pricing-engine unit_of_work_load)" >&2; exit 1; }
for run in $(seq 1 "$runs"); do
  work=$(mktemp -d)
  LOG_LEVEL=warn "$bin" devorg --port 0 --seed 5 --env-file "$work/org.env" >"$work/devorg.log" 2>&1 &
  pid=$!
  while [[ ! -s $work/org.env ]]; do sleep 0.05; done
  echo "== run $run"
  "$load" --env-file "$work/org.env" --quotes "${QUOTES:-10000}"
  kill $pid; wait $pid 2>/dev/null || true
  rm -rf "$work"
done
