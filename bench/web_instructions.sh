#!/usr/bin/env bash
# web_instructions.sh: instructions `web` executes per request on one route, and its calls into
# the allocator per request, counted by callgrind. Unlike a rate, this count hardly moves with
# the machine's load (runs differ by about 1 %: how many requests share a Redis call depends on
# timing), so it shows small savings that wrk's noise hides; take the median of a few runs. One
# server thread under callgrind, counting from its first answer (start-up excluded), wrk for a
# few seconds.
#   bench/web_instructions.sh                          # POST /api/generatequotes
#   ROUTE=/api/noop bench/web_instructions.sh          # the no-op route
#   BUILD=/tmp/old bench/web_instructions.sh           # another build, for an A/B
#   DUMP=/tmp/ingest.cg bench/web_instructions.sh      # keep callgrind's dump, for
#                                                      # callgrind_annotate (by function)
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build/release}
ROUTE=${ROUTE:-/api/generatequotes}
DURATION=${DURATION:-6s}
WEB=$BUILD/src/pricing-engine
[[ -x $WEB ]] || { echo "missing $WEB: build the release preset first" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "valgrind is missing: run scripts/setup" >&2; exit 1; }
# shellcheck source=bench/wrk_lib.sh
source bench/wrk_lib.sh

scratch

redis_port=$(free_port)
start_redis "$redis_port" "$work"
pids+=("$redis_pid")

port=$(free_port)
REDIS_URL="redis://127.0.0.1:$redis_port" CONNECTION_NAMES=bench PRICING_BENCH_ROUTES=1 \
  PRICING_WEBHOOK_TOKEN=bench-token PRICING_FLUSH_SECONDS=3600 LOG_LEVEL=warn WEB_THREADS=1 \
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/callgrind.out" \
  "$WEB" web --port "$port" >"$work/web.log" 2>&1 &
web_pid=$!
pids+=("$web_pid")
for _ in $(seq 300); do  # valgrind starts slowly
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done
callgrind_control -i on "$web_pid" >/dev/null

PRICING_WEBHOOK_TOKEN=bench-token BODY_FILE=bench/ingest_event.json \
  wrk -t1 -c16 -d"$DURATION" -s bench/ingest_post.lua "http://127.0.0.1:$port$ROUTE" >"$work/wrk"
requests=$(awk '/requests in/ {print $1}' "$work/wrk")
callgrind_control -d "$web_pid" >/dev/null
sleep 1
for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
wait 2>/dev/null || true
pids=()

# Callgrind wrote the dump as callgrind.out.1 (callgrind.out itself is the empty final one).
dump="$work/callgrind.out.1"
[[ -z ${DUMP:-} ]] || cp "$dump" "$DUMP"
total=$(callgrind_annotate "$dump" 2>/dev/null |
  awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
calls() {  # <function as callgrind names it>: calls per request, summed over its callers
  # In the caller tree each function's block lists its callers ("< name (Nx)") above it
  # ("*  name"); blocks are separated by blank lines.
  callgrind_annotate --tree=caller "$dump" 2>/dev/null |
    awk -v f="$1" -v n="$requests" '
      /^ *[0-9,]+ +\( *[0-9.]+%\)  < / && match($0, /\([0-9,]+x\)/) {
        c = substr($0, RSTART + 1, RLENGTH - 3); gsub(",", "", c); pending += c; next }
      /^ *[0-9,]+ +\( *[0-9.]+%\)  \*  / { if (index($0, f)) found += pending; pending = 0; next }
      /^$/ { pending = 0 }
      END { printf "%.1f", found / n }'
}
# Every allocation reaches malloc (operator new and memalign call it); memalign is how Asio
# allocates a coroutine frame or handler its per-thread cache could not give back.
echo "route requests instructions_per_request mallocs_per_request memaligns_per_request"
echo "$ROUTE $requests $(awk -v t="$total" -v n="$requests" 'BEGIN {printf "%.0f", t / n}')" \
  "$(calls "malloc.c:malloc ") $(calls "malloc.c:memalign ")"
