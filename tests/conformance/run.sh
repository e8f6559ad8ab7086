#!/usr/bin/env bash
# Runs the jsforce conformance suite against a fresh local org: starts `pricing-engine devorg`
# on a free port with sample data, waits for its env file, then runs node's test runner over
# tests/conformance/*.test.mjs with that environment. CTest calls it (label conformance).
#   tests/conformance/run.sh build/release/src/pricing-engine
set -euo pipefail
binary=${1:?usage: run.sh path/to/pricing-engine}
here=$(cd "$(dirname "$0")" && pwd)
if [[ ! -d $here/node_modules/jsforce ]]; then
  echo "jsforce is not installed in $here/node_modules: run scripts/setup" >&2
  exit 1
fi
work=$(mktemp -d)
org_pid=
cleanup() {
  if [[ -n $org_pid ]]; then kill "$org_pid" 2>/dev/null || true; wait "$org_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The port of the AppLink SDK test's own app (applink_sdk.test.mjs), where the org sends its
# invocations.
APPLINK_TEST_APP_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export APPLINK_TEST_APP_PORT
LOG_LEVEL=warn "$binary" devorg --port 0 --seed 50 --env-file "$work/org.env" \
  --app-url "http://127.0.0.1:$APPLINK_TEST_APP_PORT" >"$work/devorg.log" 2>&1 &
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
node --test --test-reporter=spec ./*.test.mjs || status=$?
if [[ $status -ne 0 ]]; then
  if ! kill -0 "$org_pid" 2>/dev/null; then echo "the local org is no longer running" >&2; fi
  echo "--- the local org's output:" >&2
  tail -n 60 "$work/devorg.log" >&2
fi
exit "$status"
