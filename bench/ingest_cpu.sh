#!/usr/bin/env bash
# ingest_cpu.sh: where one webhook request's CPU goes. Runs `web` and redis-server (AOF on,
# everysec) under wrk on one route for a few seconds and prints, per request answered, web's
# user and system CPU and redis-server's, with the rate; then the context switches (voluntary:
# a thread went to sleep) of each per request during the run, and the requests per buffer
# script call (Redis INFO commandstats; the idle flush, once a second, is a script call too, so
# the no-op route shows all its requests over a handful of calls). Quick A/B runs of a change
# (run it before and after, alternating) rather than the table of bench/ingest_wrk.sh.
#   bench/ingest_cpu.sh                          # POST /api/generatequotes, 4 s
#   ROUTE=/api/noop RUNS=5 bench/ingest_cpu.sh   # the no-op route, 5 runs
#   WEB_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 bench/ingest_cpu.sh   # another malloc
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build/release}
ROUTE=${ROUTE:-/api/generatequotes}
RUNS=${RUNS:-1}
DURATION=${DURATION:-4s}
WEB=$BUILD/src/pricing-engine
[[ -x $WEB ]] || { echo "missing $WEB: build the release preset first" >&2; exit 1; }
# shellcheck source=bench/wrk_lib.sh
source bench/wrk_lib.sh

scratch

per_request() {  # <pid> <requests>: "user sys" µs per request
  awk -v n="$2" -v hz="$(getconf CLK_TCK)" \
    '{printf "%.2f %.2f", $14 / hz * 1e6 / n, $15 / hz * 1e6 / n}' "/proc/$1/stat"
}

sleeps() {  # <pid>: voluntary context switches of all its threads so far
  cat /proc/"$1"/task/*/status | awk '/^voluntary_ctxt_switches/ {n += $2} END {print n}'
}

echo "route requests/s web_user_us web_sys_us redis_user_us redis_sys_us" \
  "web_sleeps redis_sleeps per_call"
for _ in $(seq "$RUNS"); do
  redis_port=$(free_port)
  start_redis "$redis_port" "$work"
  pids=("$redis_pid")
  port=$(free_port)
  REDIS_URL="redis://127.0.0.1:$redis_port" CONNECTION_NAMES=bench PRICING_BENCH_ROUTES=1 \
    PRICING_WEBHOOK_TOKEN=bench-token PRICING_FLUSH_SECONDS=3600 LOG_LEVEL=warn \
    WEB_THREADS=${WEB_THREADS:-2} LD_PRELOAD=${WEB_PRELOAD:-} \
    "$WEB" web --port "$port" >"$work/web.log" 2>&1 &
  web_pid=$!
  pids+=("$web_pid")
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
  web_sleeps=$(sleeps "$web_pid")
  redis_sleeps=$(sleeps "$redis_pid")
  PRICING_WEBHOOK_TOKEN=bench-token BODY_FILE=bench/ingest_event.json \
    wrk -t2 -c64 -d"$DURATION" -s bench/ingest_post.lua "http://127.0.0.1:$port$ROUTE" >"$work/wrk"
  requests=$(awk '/requests in/ {print $1}' "$work/wrk")
  rate=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$work/wrk")
  calls=$(redis-cli -p "$redis_port" info commandstats |
    awk -F'[=,]' '/^cmdstat_evalsha:/ {print $2}')
  echo "$ROUTE $rate $(per_request "$web_pid" "$requests") $(per_request "$redis_pid" "$requests")" \
    "$(awk -v a="$web_sleeps" -v b="$(sleeps "$web_pid")" -v n="$requests" \
      'BEGIN {printf "%.3f", (b - a) / n}')" \
    "$(awk -v a="$redis_sleeps" -v b="$(sleeps "$redis_pid")" -v n="$requests" \
      'BEGIN {printf "%.3f", (b - a) / n}')" \
    "$(awk -v c="${calls:-0}" -v n="$requests" 'BEGIN {if (c > 0) printf "%.1f", n / c; else print "-"}')"
  kill -KILL "$web_pid" "$redis_pid" 2>/dev/null || true
  wait "$web_pid" "$redis_pid" 2>/dev/null || true
  rm -rf "$work/appendonlydir" "$work/appendonly.aof"
done
