#!/usr/bin/env bash
# Runs the independent Pub/Sub client (npm's salesforce-pubsub-api-client) against a fresh local
# org serving the Pub/Sub API over TLS: starts `pricing-engine devorg --pubsub-tls-port 0`, waits
# for its env file, runs node's test runner over pubsub_client.test.mjs. CTest calls it.
#   tests/pubsub_client/run.sh build/release/src/pricing-engine
set -euo pipefail
binary=${1:?usage: run.sh path/to/pricing-engine}
here=$(cd "$(dirname "$0")" && pwd)
if [[ ! -d $here/node_modules/salesforce-pubsub-api-client ]]; then
  echo "salesforce-pubsub-api-client is not installed in $here/node_modules: run scripts/setup" >&2
  exit 1
fi
work=$(mktemp -d)
org_pid=
cleanup() {
  if [[ -n $org_pid ]]; then kill "$org_pid" 2>/dev/null || true; wait "$org_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
LOG_LEVEL=warn "$binary" devorg --port 0 --seed 5 --pubsub-tls-port 0 --env-file "$work/org.env" \
  >"$work/devorg.log" 2>&1 &
org_pid=$!
for _ in $(seq 1 200); do
  [[ -s $work/org.env ]] && break
  if ! kill -0 "$org_pid" 2>/dev/null; then
    echo "the local org exited:" >&2
    cat "$work/devorg.log" >&2
    exit 1
  fi
  sleep 0.05
done
[[ -s $work/org.env ]] || { echo "the local org did not become ready in 10 s" >&2; exit 1; }
set -a
# shellcheck disable=SC1091
source "$work/org.env"
set +a
cd "$here"
status=0
# --test-force-exit: the client leaves its gRPC subscription handles open after close().
node --test --test-force-exit --test-reporter=spec --test-concurrency=1 pubsub_client.test.mjs || status=$?
if [[ $status -ne 0 ]]; then
  echo "--- devorg log" >&2
  cat "$work/devorg.log" >&2
fi
exit $status
