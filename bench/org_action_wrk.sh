#!/usr/bin/env bash
# org_action_wrk.sh: sync generateQuote through AppLink invocations against the local org, 32 in
# flight: invocations per second, p50/p99, the app's CPU per invocation, its peak resident
# memory and the Salesforce API requests per invocation (the local org's /devorg/stats). Beside
# ours, in the same run and against the same kind of local org, the reference Node.js app
# (heroku-reference-apps/heroku-applink-pattern-org-action-nodejs) when REF_APP names a checkout
# of it with its npm dependencies installed (it is not in this tree: see docs/benchmarks.md).
#   bench/org_action_wrk.sh                                  # ours only, 3 runs
#   REF_APP=/tmp/refapp RUNS=5 bench/org_action_wrk.sh       # and the reference app
#   KINDS="applink dev ref" DURATION=10 bench/org_action_wrk.sh
# Kinds: applink (our web verifying each invocation with the add-on, the default deployment),
# dev (our web taking headers as given: what the reference app does), ref (the reference app).
# Every run starts a fresh local org (--seed 2000) and makes a fresh invocation for every request
# (a new x-request-id: each makes a new quote, as a new Apex call would). Prints one line per run
# and kind, then the medians and the ratios to the reference app. org_cpu_us and org_busy are the
# local org's CPU per invocation and its share of one core (it is one thread): near 1.00 it is the
# bottleneck, which no app can pass.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/wrk_lib.sh
BIN=${BIN:-build/release/src/pricing-engine}
RUNS=${RUNS:-3}
DURATION=${DURATION:-8}
CONNECTIONS=${CONNECTIONS:-32}
WRK_THREADS=${WRK_THREADS:-2}
INVOCATIONS_PER_RUN=${INVOCATIONS_PER_RUN:-25000}
KINDS=${KINDS:-"applink dev${REF_APP:+ ref}"}
export WRK_THREADS
scratch

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
peak_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
api_total() { curl -s "http://127.0.0.1:$1/devorg/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }

# make_invocations <org port> <count> <file>: headers the org would send, one invocation a line.
make_invocations() {
  python3 - "$1" "$2" "$3" <<'PY'
import http.client, json, sys
port, count, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
conn = http.client.HTTPConnection("127.0.0.1", port)
digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
def opp(n):
    s = ""
    for _ in range(12):
        s = digits[n % 62] + s
        n //= 62
    return "006" + s
with open(path, "w") as out:
    for i in range(count):
        body = {"opportunityId": opp(1 + i % 2000)}
        conn.request("POST", "/devorg/invocations",
                     body=json.dumps({"url": "/api/generatequote", "body": body, "send": False}),
                     headers={"Content-Type": "application/json"})
        r = json.loads(conn.getresponse().read())
        h = r["headers"]
        out.write("\t".join([h["x-request-id"], h["x-request-context"], h["x-client-context"],
                             json.dumps(body)]) + "\n")
PY
}

run_one() {
  local kind=$1 org_port app_port redis_port org_pid app_pid
  redis_pid=
  org_port=$(free_port)
  app_port=$(free_port)
  mkdir -p "$work/$kind"
  LOG_LEVEL=warn "$BIN" devorg --port "$org_port" --seed 2000 --env-file "$work/$kind/org.env" \
    --app-url "http://127.0.0.1:$app_port" >"$work/$kind/devorg.log" 2>&1 &
  org_pid=$!
  pids+=("$org_pid")
  for _ in $(seq 600); do [[ -s $work/$kind/org.env ]] && break; sleep 0.05; done
  make_invocations "$org_port" "$INVOCATIONS_PER_RUN" "$work/$kind/invocations.tsv"
  case $kind in
    applink|dev)
      redis_port=$(free_port)
      start_redis "$redis_port" "$work/$kind"
      pids+=("$redis_pid")
      (set -a; source "$work/$kind/org.env"; set +a
       REDIS_URL="redis://127.0.0.1:$redis_port" PORT=$app_port WEB_ACCESS_LOG=false LOG_LEVEL=warn \
         PRICING_INVOCATION_AUTH=$kind exec "$BIN" web) >"$work/$kind/app.log" 2>&1 &
      app_pid=$! ;;
    ref)
      (cd "$REF_APP" && APP_PORT=$app_port exec node src/server/app.js) >"$work/$kind/app.log" 2>&1 &
      app_pid=$! ;;
  esac
  pids+=("$app_pid")
  for _ in $(seq 200); do
    curl -s -o /dev/null "http://127.0.0.1:$app_port/" && break
    sleep 0.05
  done
  # A short warm-up (the reference app's SDK loads on its first request), not measured.
  INVOCATIONS="$work/$kind/invocations.tsv" wrk -t1 -c4 -d1s -s bench/org_action.lua \
    "http://127.0.0.1:$app_port" >/dev/null 2>&1 || true
  local cpu0 api0 out org0
  cpu0=$(cpu_ticks "$app_pid")
  org0=$(cpu_ticks "$org_pid")
  api0=$(api_total "$org_port")
  out=$(INVOCATIONS="$work/$kind/invocations.tsv" wrk -t"$WRK_THREADS" -c"$CONNECTIONS" \
        -d"${DURATION}s" --latency -s bench/org_action.lua "http://127.0.0.1:$app_port")
  local cpu1 api1 requests rps p50 p99 errors peak org1
  cpu1=$(cpu_ticks "$app_pid")
  org1=$(cpu_ticks "$org_pid")
  api1=$(api_total "$org_port")
  peak=$(peak_kb "$app_pid")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
  p50=$(to_us "$(awk '$1 == "50%" {print $2}' <<<"$out")")
  p99=$(to_us "$(awk '$1 == "99%" {print $2}' <<<"$out")")
  errors=$(awk '/^errors/ {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  local ticks=$(( cpu1 - cpu0 ))
  local hz; hz=$(getconf CLK_TCK)
  python3 - "$kind" "$rps" "$p50" "$p99" "$ticks" "$hz" "$requests" "$(( api1 - api0 ))" "$peak" \
    "${errors:-0}" "${non2xx:-0}" "$(( org1 - org0 ))" "$DURATION" <<'PY' | tee -a "$work/results"
import sys
kind, rps, p50, p99, ticks, hz, requests, api, peak, errors, non2xx, org, duration = sys.argv[1:]
requests = max(int(requests), 1)
cpu_us = int(ticks) / int(hz) * 1e6 / requests
org_us = int(org) / int(hz) * 1e6 / requests
org_busy = int(org) / int(hz) / float(duration)
print(f"{kind} rps {rps} p50_us {p50} p99_us {p99} cpu_us {cpu_us:.0f} api_per_invocation "
      f"{int(api) / requests:.2f} peak_rss_kb {peak} org_cpu_us {org_us:.0f} org_busy {org_busy:.2f} "
      f"requests {requests} errors {errors} non2xx {non2xx}")
PY
  if (( requests > INVOCATIONS_PER_RUN )); then
    echo "  (note: $requests requests > $INVOCATIONS_PER_RUN invocations: some were sent twice)" >&2
  fi
  kill -TERM "$app_pid" "$org_pid" 2>/dev/null || true
  wait "$app_pid" "$org_pid" 2>/dev/null || true
  if [[ -n $redis_pid ]]; then kill -TERM "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; fi
  rm -rf "${work:?}/$kind"
}

for run in $(seq "$RUNS"); do
  for kind in $KINDS; do run_one "$kind"; done
done

echo "== medians over $RUNS runs (one line per kind)"
for kind in $KINDS; do
  line=""
  for field in rps p50_us p99_us cpu_us api_per_invocation peak_rss_kb org_cpu_us org_busy; do
    value=$(awk -v k="$kind" -v f="$field" '$1 == k { for (i = 2; i < NF; i += 2) if ($i == f) print $(i + 1) }' \
            "$work/results" | median)
    line+=" $field $value"
  done
  echo "$kind$line"
done
if [[ " $KINDS " == *" ref "* ]]; then
  echo "== ratios to the reference app, run by run (rps: ours/ref; p99 and peak RSS: ours/ref)"
  python3 - "$work/results" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
runs = {}
for r in rows:
    d = dict(zip(r[1::2], r[2::2]))
    runs.setdefault(r[0], []).append(d)
for kind in ("applink", "dev"):
    if kind not in runs or "ref" not in runs: continue
    pairs = list(zip(runs[kind], runs["ref"]))
    rps = [float(a["rps"]) / float(b["rps"]) for a, b in pairs]
    p99 = [float(a["p99_us"]) / float(b["p99_us"]) for a, b in pairs]
    rss = [float(a["peak_rss_kb"]) / float(b["peak_rss_kb"]) for a, b in pairs]
    print(f"{kind}/ref rps x{statistics.median(rps):.2f} (runs {', '.join(f'{x:.2f}' for x in rps)}) "
          f"p99 x{statistics.median(p99):.2f} peak_rss x{statistics.median(rss):.2f}")
PY
fi
