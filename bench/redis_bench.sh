#!/usr/bin/env bash
# redis_bench.sh: commands per second through our pipelined Redis connection (one connection, N
# coroutines: bench/redis_throughput) against redis-benchmark, on the same fresh redis-server, in
# the same run, and the ratios. Medians of RUNS runs. Used for docs/benchmarks.md.
#
#   cmake --build --preset release --target redis_throughput
#   bench/redis_bench.sh                       # 3 runs, about 45 s in all
#   RUNS=5 SECONDS_PER_RUN=3 bench/redis_bench.sh
#
# Baselines: redis-benchmark with 50 connections, unpipelined (-P 1: what one command per round
# trip gives) and pipelined (-P 16). Ours: 50 coroutines (as many callers as redis-benchmark has
# connections, each waiting for its reply) and 500 coroutines, all on ONE connection.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-3}
seconds=${SECONDS_PER_RUN:-2}
requests=${REQUESTS:-100000}
driver=${BUILD_DIR:-build/release}/bench/redis_throughput
if [[ ! -x $driver ]]; then
  echo "missing $driver: cmake --build --preset release --target redis_throughput" >&2
  exit 2
fi

# A free loopback port.
while :; do
  port=$((20000 + RANDOM % 40000))
  ss -ltn | grep -q ":$port " || break
done
dir=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" \
  --logfile "$dir/redis.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do
  redis-cli -p "$port" ping >/dev/null 2>&1 && break
  sleep 0.05
done

# redis-benchmark's requests per second for SET then GET, one per line.
baseline() {
  redis-benchmark -p "$port" -t set,get -n "$requests" -c 50 -P "$1" -q | tr '\r' '\n' |
    grep -oE '^ *(SET|GET): [0-9.]+ requests per second' | awk '{printf "%d\n", $2}'
}
# Ours: ops per second and commands per write.
ours() {
  "$driver" --url "redis://127.0.0.1:$port" --op "$1" --coroutines "$2" --seconds "$seconds" |
    sed -n 's/.*ops_per_sec=\([0-9]*\).*commands_per_write=\([0-9.]*\).*/\1 \2/p'
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A samples
for run in $(seq "$runs"); do
  echo "run $run/$runs" >&2
  for p in 1 16; do
    mapfile -t r < <(baseline "$p")
    samples[rb_p${p}_set]+="${r[0]} "
    samples[rb_p${p}_get]+="${r[1]} "
  done
  for c in 50 500; do
    for op in set get; do
      read -r ops per_write < <(ours "$op" "$c")
      samples[ours_c${c}_$op]+="$ops "
      samples[ours_c${c}_${op}_batch]+="$per_write "
    done
  done
done

med() { tr ' ' '\n' <<<"${samples[$1]}" | grep . | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

printf '%-48s %10s %10s\n' "commands per second (median of $runs runs)" SET GET
for key in rb_p1 rb_p16 ours_c50 ours_c500; do
  case $key in
    rb_p1) label="redis-benchmark -c 50 -P 1 (baseline)" ;;
    rb_p16) label="redis-benchmark -c 50 -P 16" ;;
    ours_c50) label="ours: 1 connection, 50 coroutines" ;;
    ours_c500) label="ours: 1 connection, 500 coroutines" ;;
  esac
  printf '%-48s %10s %10s\n' "$label" "$(med ${key}_set)" "$(med ${key}_get)"
done
echo
printf '%-48s %10s %10s\n' "ratio" SET GET
for c in 50 500; do
  for p in 1 16; do
    printf '%-48s %10s %10s\n' "ours ($c coroutines) / redis-benchmark -P $p" \
      "$(ratio "$(med ours_c${c}_set)" "$(med rb_p${p}_set)")" \
      "$(ratio "$(med ours_c${c}_get)" "$(med rb_p${p}_get)")"
  done
done
printf '%-48s %10s %10s\n' "commands per write, 50 coroutines" \
  "$(med ours_c50_set_batch)" "$(med ours_c50_get_batch)"
printf '%-48s %10s %10s\n' "commands per write, 500 coroutines" \
  "$(med ours_c500_set_batch)" "$(med ours_c500_get_batch)"
