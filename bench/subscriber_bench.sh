#!/usr/bin/env bash
# subscriber_bench.sh: issue 19's figures for `pricing-engine subscriber` beside the webhook, in
# the same run on the same local org (docs/benchmarks.md, "Eventing over the Pub/Sub API"):
# events decoded and buffered per second by one subscriber, its CPU per event, and the latency
# from the org's commit to the job on the stream. For each case PER:RECORDS (RECORDS opportunities
# changed in transactions of PER, one change event each) and each of RUNS runs, a fresh
# redis-server (AOF, everysec) and local org (--seed SEED, --pubsub-port, --webhook to a `web` not
# yet started), then bench/subscriber_load.py: the subscriber drains the events from `earliest`,
# then `web` takes the same events from the org's webhook queue, then both at once at a steady
# pace (RATE transactions/s of LAT_PER changes for DURATION s; in the first case only). Prints the runs' lines, then the
# medians per case.
#
#   cmake --preset release && cmake --build --preset release --target pricing-engine
#   RUNS=3 bench/subscriber_bench.sh     # CASES="200:20000 20:20000 1:20000" SEED=20000
#   CASES=20:20000 RUNS=1 RATE=20 LAT_PER=20 DURATION=30 bench/subscriber_bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
CASES=${CASES:-200:20000 20:20000 1:20000}
SEED=${SEED:-20000}
export RATE=${RATE:-20} LAT_PER=${LAT_PER:-20} DURATION=${DURATION:-30}
bin=${BUILD:-build/release}/src/pricing-engine
[[ -x $bin ]] || { echo "missing $bin: build the release preset first" >&2; exit 1; }
# shellcheck source=bench/wrk_lib.sh
source bench/wrk_lib.sh

pids=()
work=""
stop_all() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
  [[ -z $work ]] || rm -rf "$work"
}
trap stop_all EXIT

results=$(mktemp)
trap 'stop_all; rm -f "$results"' EXIT
duration=$DURATION
for case in $CASES; do
  export PER=${case%%:*} N=${case##*:}
  for _ in $(seq "$RUNS"); do
    work=$(mktemp -d)
    redis_port=$(free_port)
    WEB_PORT=$(free_port)
    start_redis "$redis_port" "$work"
    pids+=("$redis_pid")
    start_devorg "$bin" "$work" --seed "$SEED" --pubsub-port 0 \
      --webhook "http://127.0.0.1:$WEB_PORT/api/generatequotes" --webhook-token bench
    REDIS_PORT=$redis_port REDIS_PID=$redis_pid WEB_PORT=$WEB_PORT ORG_PID=$devorg_pid \
      DURATION=$duration \
      python3 bench/subscriber_load.py "$bin" "$work" | tee -a "$results" ||
      { tail -5 "$work"/*.log >&2; exit 1; }
    stop_all
    work=""
  done
  duration=0
done

# Medians per case and path of every figure the runs printed.
echo "medians of $RUNS runs:"
python3 - "$results" <<'PY'
import collections, statistics, sys
groups = collections.defaultdict(list)
for line in open(sys.argv[1]):
    kv = dict(f.split("=", 1) for f in line.split() if "=" in f)
    kind = "latency" if " latency " in line else "throughput"
    groups[(kv["per"], kv["path"], kind)].append(kv)
for (per, path, kind), runs in groups.items():
    out = []
    for k in runs[0]:
        try:
            out.append(f"{k}={statistics.median(float(r[k]) for r in runs):g}")
        except ValueError:
            pass
    print(f"{kind} path={path} " + " ".join(o for o in out if not o.startswith("per=")) +
          f" per={per}")
PY
