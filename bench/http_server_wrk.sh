#!/usr/bin/env bash
# http_server_wrk.sh: throughput and latency of the HTTP server on a trivial JSON route
# (GET /api/ping -> {"pong":true}) under wrk, next to a bare Beast coroutine server
# (bench/bare_beast_server.cpp) measured in the same run, for 1 and 2 server threads.
#
# Three servers per thread count, run in turn (interleaved, so machine noise hits all alike):
#   bare      bench/bare_beast_server: no router, limits, ids or logging (the baseline)
#   web       pricing-engine web with LOG_LEVEL=warn (no access log)
#   web+log   pricing-engine web with LOG_LEVEL=info (one access-log line per request, to a file)
# Each cell is the median of RUNS runs. Also reported: the server's CPU time per request (user +
# system, from /proc: unlike req/s, it hardly moves when other processes share the machine), its
# peak RSS, and its start-to-first-answer time (exec to the first 200 from GET /healthz).
#
# Builds nothing; build first:
#   cmake --preset release && cmake --build --preset release --target pricing-engine bare_beast_server
#   bench/http_server_wrk.sh                          # RUNS=3 DURATION=5s CONNECTIONS=64 WRK_THREADS=2
#   RUNS=5 THREADS="1" bench/http_server_wrk.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build/release}
RUNS=${RUNS:-3}
DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
THREADS=${THREADS:-"1 2"}
WEB=$BUILD/src/pricing-engine
BARE=$BUILD/bench/bare_beast_server
for f in "$WEB" "$BARE"; do
  [[ -x $f ]] || { echo "missing $f: build the release preset first" >&2; exit 1; }
done
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }

# shellcheck source=bench/wrk_lib.sh
source bench/wrk_lib.sh
scratch
# The web role wants a connection name; Redis it may lack here (the ping route does not use it).
export CONNECTION_NAMES=${CONNECTION_NAMES:-bench}

# run_one <kind> <threads>: one server, one wrk run; appends "rps p50 p99 rss ready cpu" to a file.
run_one() {
  local kind=$1 threads=$2 port pid ready
  port=$(free_port)
  case $kind in
    bare) read -r pid ready < <(launch "$port" "$work/log" "$BARE" "$port" "$threads") ;;
    web) read -r pid ready < <(PRICING_BENCH_ROUTES=1 LOG_LEVEL=warn launch "$port" "$work/log" \
                               "$WEB" web --port "$port" --threads "$threads") ;;
    web+log) read -r pid ready < <(PRICING_BENCH_ROUTES=1 LOG_LEVEL=info launch "$port" "$work/log" \
                                   "$WEB" web --port "$port" --threads "$threads") ;;
  esac
  pids=("$pid")
  if [[ $ready == -1 ]]; then
    echo "$kind did not start on port $port: $(cat "$work/log")" >&2
    exit 1
  fi
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency \
    "http://127.0.0.1:$port/api/ping" >"$work/wrk"
  local rss ticks
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat")  # utime + stime, in clock ticks
  stop_server "$pid"
  pids=()
  local rps p50 p99 requests cpu_us
  rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$work/wrk")
  p50=$(to_us "$(awk '$1 == "50%" {print $2}' "$work/wrk")")
  p99=$(to_us "$(awk '$1 == "99%" {print $2}' "$work/wrk")")
  if grep -q "Non-2xx\|Socket errors" "$work/wrk"; then
    echo "warning: $kind/$threads: $(grep 'Non-2xx\|Socket errors' "$work/wrk")" >&2
  fi
  requests=$(awk '/requests in/ {print $1}' "$work/wrk")
  cpu_us=$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$requests" \
    'BEGIN {printf "%.2f", t / hz * 1000000 / n}')
  echo "$rps $p50 $p99 $rss $ready $cpu_us" >>"$work/$kind-$threads"
}

kinds="bare web web+log"
echo "wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency http://127.0.0.1:PORT/api/ping;" \
  "$RUNS runs; $(nproc) cores; $(date -u +%Y-%m-%d)" >&2
for run in $(seq "$RUNS"); do
  for threads in $THREADS; do
    for kind in $kinds; do
      run_one "$kind" "$threads"
      echo "run $run threads $threads $kind: $(tail -1 "$work/$kind-$threads")" >&2
    done
  done
done

col() { awk -v c="$1" '{print $c}' "$2" | median; }
echo
echo "| server threads | server | req/s | vs bare | CPU µs/req | vs bare | p50 µs | p99 µs |" \
  "peak RSS MB | start to first answer ms |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for threads in $THREADS; do
  bare_rps=$(col 1 "$work/bare-$threads")
  bare_cpu=$(col 6 "$work/bare-$threads")
  for kind in $kinds; do
    f=$work/$kind-$threads
    rps=$(col 1 "$f")
    ratio=$(awk -v a="$rps" -v b="$bare_rps" 'BEGIN {printf "%.2f", a / b}')
    cpu=$(col 6 "$f")
    cpu_ratio=$(awk -v a="$cpu" -v b="$bare_cpu" 'BEGIN {printf "%.2f", a / b}')
    rss=$(awk -v k="$(col 4 "$f")" 'BEGIN {printf "%.1f", k / 1024}')
    ready=$(awk -v u="$(col 5 "$f")" 'BEGIN {printf "%.1f", u / 1000}')
    echo "| $threads | $kind | $rps | $ratio | $cpu | $cpu_ratio | $(col 2 "$f") | $(col 3 "$f") |" \
      "$rss | $ready |"
  done
done
