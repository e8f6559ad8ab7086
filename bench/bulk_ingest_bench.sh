#!/usr/bin/env bash
# Bulk API 2.0 ingest on the local org (issue 17's large write path): QUOTES Quote upserts on
# GenerationKey__c, then 3 QuoteLineItems per quote upserted with the relationship column
# Quote.GenerationKey__c, each job polled with backoff until JobComplete. Starts
# `pricing-engine devorg --seed 2000` (release build) on a file database (DB=memory for an
# in-memory one), runs bench/bulk_ingest_load once. Results go in docs/benchmarks.md.
#   QUOTES=100000 bench/bulk_ingest_bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
quotes=${QUOTES:-100000}
bin=build/release/src/pricing-engine
load=build/release/bench/bulk_ingest_load
[[ -x $bin && -x $load ]] || { echo "build the release preset first (targets pricing-engine bulk_ingest_load)" >&2; exit 1; }
work=$(mktemp -d)
pid=
trap '[[ -n $pid ]] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
db=()
[[ ${DB:-file} == memory ]] || db=(--db "$work/org.sqlite")
LOG_LEVEL=warn "$bin" devorg --port 0 --seed 2000 "${db[@]}" --env-file "$work/org.env" >"$work/devorg.log" 2>&1 &
pid=$!
while [[ ! -s $work/org.env ]]; do
  kill -0 "$pid" 2>/dev/null || { cat "$work/devorg.log"; exit 1; }
  sleep 0.1
done
"$load" --env-file "$work/org.env" --quotes "$quotes" --lines-per-quote 3
echo "peak RSS of devorg: $(grep VmHWM /proc/$pid/status | awk '{print $2/1024 " MB"}')"
