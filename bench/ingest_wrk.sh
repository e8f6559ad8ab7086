#!/usr/bin/env bash
# ingest_wrk.sh: webhook ingest with the Redis-backed buffer, under wrk, against our own no-op
# route measured in the same run, beside redis-benchmark's rates on the same redis-server.
#
# One redis-server (AOF on, appendfsync everysec: the durability the guarantees assume), one
# `pricing-engine web` per run (WEB_THREADS server threads, no worker, idle flush off), wrk
# posting the Eventing sample (bench/ingest_event.json) as application/cloudevents+json:
#   noop       POST /api/noop: the same server, parsing nothing, storing nothing (the ceiling)
#   noop-redis POST /api/noop-redis: the same, answered once Redis answered a PING (shared
#              round trips, as the webhook's): the floor of any route that stores before answering
#   ingest     POST /api/generatequotes: token check, CloudEvent parse, one Lua script per event
#              (the same transaction and Id each time: a redelivery storm, the cheapest path)
#   ingest-tx  POST /api/generatequotes, each wrk connection sending transactions of 50 events
#              with new Ids (bench/ingest_transactions.lua): every 50th event flushes a job
#   ingest-half  ingest paced at half the rate ingest reached in the same run (evenly spaced
#              starts, bench/ingest_paced.lua): the latency at half the peak load
# Each cell is the median of RUNS runs; also the server's CPU µs per request, redis-server's
# (the CPU it spent during the run, per request the server answered), the server's peak RSS and
# its start-to-first-answer time.
#
#   cmake --preset release && cmake --build --preset release --target pricing-engine
#   bench/ingest_wrk.sh                       # RUNS=3 DURATION=5s CONNECTIONS=64 WEB_THREADS=2
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build/release}
RUNS=${RUNS:-3}
DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
WEB_THREADS=${WEB_THREADS:-2}
KINDS=${KINDS:-"noop noop-redis ingest ingest-tx ingest-half"}
WEB=$BUILD/src/pricing-engine
[[ -x $WEB ]] || { echo "missing $WEB: build the release preset first" >&2; exit 1; }
for tool in wrk redis-server redis-benchmark redis-cli; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed (scripts/setup)" >&2; exit 1; }
done

# shellcheck source=bench/wrk_lib.sh
source bench/wrk_lib.sh

scratch
redis_port=$(free_port)
start_redis "$redis_port" "$work"
pids=("$redis_pid")

rb() {  # redis-benchmark SET rate, requests/s
  redis-benchmark -p "$redis_port" -t set -n 200000 -c 50 "$@" -q 2>/dev/null |
    awk '/SET/ {for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/) {printf "%.0f", $i; exit}}'
}

export CONNECTIONS WRK_THREADS REDIS_URL="redis://127.0.0.1:$redis_port" CONNECTION_NAMES=bench PRICING_BENCH_ROUTES=1 \
  PRICING_WEBHOOK_TOKEN=bench-token PRICING_FLUSH_SECONDS=3600 LOG_LEVEL=warn \
  WEB_THREADS BODY_FILE=bench/ingest_event.json

run_one() {
  local kind=$1 port pid ready path script
  port=$(free_port)
  read -r pid ready < <(launch "$port" "$work/log" "$WEB" web --port "$port")
  local redis_ticks_before
  redis_ticks_before=$(awk '{print $14 + $15}' "/proc/$redis_pid/stat")
  pids=("$redis_pid" "$pid")
  [[ $ready != -1 ]] || { echo "web did not start: $(cat "$work/log")" >&2; exit 1; }
  case $kind in
    noop) path=/api/noop script=bench/ingest_post.lua ;;
    noop-redis) path=/api/noop-redis script=bench/ingest_post.lua ;;
    ingest) path=/api/generatequotes script=bench/ingest_post.lua ;;
    ingest-tx) path=/api/generatequotes script=bench/ingest_transactions.lua ;;
    ingest-half)
      path=/api/generatequotes script=bench/ingest_paced.lua
      [[ -s $work/ingest ]] || { echo "ingest-half needs ingest first in KINDS" >&2; exit 1; }
      export TARGET_RATE=$(( $(tail -1 "$work/ingest" | awk '{print $1}') / 2 ))
      ;;
  esac
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$script" \
    "http://127.0.0.1:$port$path" >"$work/wrk"
  local rss ticks
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  local redis_ticks=$(( $(awk '{print $14 + $15}' "/proc/$redis_pid/stat") - redis_ticks_before ))
  stop_server "$pid"
  pids=("$redis_pid")
  if grep -q "Non-2xx\|Socket errors" "$work/wrk"; then
    echo "warning: $kind: $(grep 'Non-2xx\|Socket errors' "$work/wrk")" >&2
  fi
  local rps p50 p99 requests cpu_us redis_us
  rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$work/wrk")
  p50=$(to_us "$(awk '$1 == "50%" {print $2}' "$work/wrk")")
  p99=$(to_us "$(awk '$1 == "99%" {print $2}' "$work/wrk")")
  requests=$(awk '/requests in/ {print $1}' "$work/wrk")
  cpu_us=$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$requests" \
    'BEGIN {printf "%.2f", t / hz * 1000000 / n}')
  redis_us=$(awk -v t="$redis_ticks" -v hz="$(getconf CLK_TCK)" -v n="$requests" \
    'BEGIN {printf "%.2f", t / hz * 1000000 / n}')
  echo "$rps $p50 $p99 $rss $ready $cpu_us $redis_us" >>"$work/$kind"
  redis-cli -p "$redis_port" flushall >/dev/null
}

echo "wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION; web threads $WEB_THREADS; $RUNS runs;" \
  "$(nproc) cores; $(date -u +%Y-%m-%d)" >&2
for run in $(seq "$RUNS"); do
  for kind in $KINDS; do
    run_one "$kind"
    echo "run $run $kind: $(tail -1 "$work/$kind")" >&2
  done
  rb >>"$work/rb-plain"; echo >>"$work/rb-plain"
  rb -P 16 >>"$work/rb-pipelined"; echo >>"$work/rb-pipelined"
done

col() { awk -v c="$1" '{print $c}' "$2" | median; }
noop_rps=0
[[ -s $work/noop ]] && noop_rps=$(col 1 "$work/noop")
echo
echo "| route | req/s | vs noop | CPU µs/req | redis CPU µs/req | p50 µs | p99 µs | peak RSS MB | start to first answer ms |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for kind in $KINDS; do
  f=$work/$kind
  rps=$(col 1 "$f")
  echo "| $kind | $rps | $(awk -v a="$rps" -v b="$noop_rps" 'BEGIN {if (b > 0) printf "%.2f", a / b; else printf "-"}') |" \
    "$(col 6 "$f") | $(col 7 "$f") | $(col 2 "$f") | $(col 3 "$f") |" \
    "$(awk -v k="$(col 4 "$f")" 'BEGIN {printf "%.1f", k / 1024}') |" \
    "$(awk -v u="$(col 5 "$f")" 'BEGIN {printf "%.1f", u / 1000}') |"
done
echo
echo "redis-benchmark SET on the same server (-c 50): unpipelined $(median <"$work/rb-plain") req/s," \
  "pipelined (-P 16) $(median <"$work/rb-pipelined") req/s"
