#!/usr/bin/env bash
# eventing_e2e.sh: pattern 4 end to end at scale — 10,000 opportunity changes in 200
# transactions of 50 (sObject Collections updates on the local org, each one transaction and one
# change event with 50 record Ids), delivered to `web`, buffered in Redis, quoted by one `worker`.
# Reports the time from the first edit to the last notification, and the Salesforce API
# requests the worker spent (the org's /devorg/stats after, minus before, minus the edits).
# RUNS times, each on fresh processes.
#
#   cmake --preset release && cmake --build --preset release --target pricing-engine
#   RUNS=3 bench/eventing_e2e.sh           # TRANSACTIONS=200 PER_TRANSACTION=50
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
TRANSACTIONS=${TRANSACTIONS:-200}
PER_TRANSACTION=${PER_TRANSACTION:-50}
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

opportunities=$((TRANSACTIONS * PER_TRANSACTION))
for run in $(seq "$RUNS"); do
  work=$(mktemp -d)
  redis_port=$(free_port)
  web_port=$(free_port)
  start_redis "$redis_port" "$work"
  pids+=("$redis_pid")
  start_devorg "$bin" "$work" --seed "$opportunities" \
    --webhook "http://127.0.0.1:$web_port/api/generatequotes" --webhook-token bench
  export REDIS_URL="redis://127.0.0.1:$redis_port" PRICING_WEBHOOK_TOKEN=bench \
    PRICING_FLUSH_SECONDS=1 LOG_LEVEL=info WEB_ACCESS_LOG=false
  PORT=$web_port "$bin" web >"$work/web.log" 2>&1 &
  pids+=($!)
  "$bin" worker >"$work/worker.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$web_port/readyz" >/dev/null && break; sleep 0.05; done

  python3 - "$TRANSACTIONS" "$PER_TRANSACTION" <<'PY'
import json, os, sys, time, urllib.request
transactions, per = int(sys.argv[1]), int(sys.argv[2])
env = os.environ
org = env["HEROKU_INTEGRATION_API_URL"].rsplit("/integration", 1)[0]
def call(method, url, body=None, headers={}):
    req = urllib.request.Request(url, method=method, headers=headers,
                                 data=None if body is None else json.dumps(body).encode())
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read() or b"null")
auth = call("GET", env["HEROKU_APPLINK_API_URL"] + "/authorizations/" + env["CONNECTION_NAMES"],
            headers={"Authorization": "Bearer " + env["HEROKU_APPLINK_TOKEN"],
                     "X-App-UUID": env["HEROKU_APP_ID"]})
token = auth["org"]["user_auth"]["access_token"]
api = org + "/services/data/v62.0"
h = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
ids, url = [], api + "/query?q=SELECT+Id+FROM+Opportunity+ORDER+BY+Id"
while url:
    page = call("GET", url, headers=h)
    ids += [r["Id"] for r in page["records"]]
    url = org + page["nextRecordsUrl"] if not page["done"] else None
ids = ids[: transactions * per]
lines = call("GET", api + "/query?q=SELECT+COUNT()+FROM+OpportunityLineItem", headers=h)["totalSize"]
before = call("GET", org + "/devorg/stats")["total"]
start = time.time()
for t in range(transactions):
    chunk = ids[t * per:(t + 1) * per]
    call("PATCH", api + "/composite/sobjects", {"allOrNone": True, "records": [
        {"attributes": {"type": "Opportunity"}, "Id": i, "StageName": "Negotiation/Review"}
        for i in chunk]}, h)
edited = time.time()
deadline = start + 600
while time.time() < deadline:
    n = len(call("GET", org + "/devorg/notifications")["notifications"])
    if n >= transactions:
        break
    time.sleep(0.1)
done = time.time()
after = call("GET", org + "/devorg/stats")
quotes = call("GET", api + "/query?q=SELECT+COUNT()+FROM+Quote", headers=h)["totalSize"]
spent = after["total"] - before - transactions
print(f"opportunities {len(ids)} (opportunity lines in the org: {lines}); edits took "
      f"{edited - start:.2f} s; last notification after {done - start:.2f} s; "
      f"notifications {n}; quotes {quotes}; worker API requests {spent} "
      f"(by kind after: {json.dumps(after['by_kind'])})")
if n < transactions or quotes != len(ids):
    sys.exit("incomplete: see the logs")
PY
  grep -c 'msg=batch_done' "$work/worker.log" | sed 's/^/worker batches: /'
  stop_all
  work=""
done
