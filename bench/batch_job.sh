#!/usr/bin/env bash
# batch_job.sh: pattern 3 (batch jobs) end to end. One POST /api/executebatch over every selected
# opportunity of a fresh local org, from the request to the job's end: wall time, Quotes and
# QuoteLineItems written, quotes per opportunity, the Salesforce API requests the job spent (the
# local org's /devorg/stats after minus before, by kind), the worker's peak resident memory
# (VmHWM) and whether the job failed, with the error it gave. Each run, dataset and size gets
# fresh processes: a redis-server on a free port, a local org, the app's web and worker.
#
#   REF_JOB=/tmp/refjob RUNS=3 bench/batch_job.sh                       # ours and ref, 150 and 5,000
#   BIN=/path/to/pricing-engine REF_JOB=/tmp/refjob SIZES=150 DATASETS=sample RUNS=1 bench/batch_job.sh
#   KINDS=ours SIZES=100000 DATASETS=seed RUNS=1 JOB_TIMEOUT=600 bench/batch_job.sh   # 100,000 (Bulk)
#   KINDS=ours SIZES=20000 DATASETS=seed LATENCY_MS=50 WORKERS="1 2" CONCURRENCY="1 4" bench/batch_job.sh
#   PRICING_BULK_THRESHOLD=1000000 PRICING_CHUNK_SIZE=500 KINDS=ours SIZES=5000 DATASETS=seed \
#     LATENCY_MS=50 WORKERS="1 2" CONCURRENCY="1 4" bench/batch_job.sh      # the same on the Graph path
#
# Kinds (KINDS, default "ref ours" when REF_JOB is set, else "ours"):
#   ref   heroku-reference-apps/heroku-applink-pattern-org-job-nodejs, unchanged, checked out with
#         its npm dependencies in REF_JOB, outside this tree (docs/benchmarks.md, "Batch jobs
#         (pattern 3)", says how). `node server/index.js` (APP_PORT) and `node server/worker.js`,
#         both on REDIS_URL. Its Redis client always speaks TLS (server/config/redis.js:
#         tls {rejectUnauthorized:false}, as Heroku Key-Value Store wants), so its redis-server
#         listens with TLS only, on a self-signed certificate made for the run. It reports a
#         job's end only in the worker's log: the run waits for "Job processing completed for Job
#         ID: <id>" or "Error executing batch for Job ID: <id>" there, or the worker's exit.
#   ours  this product: a redis-server (plain, AOF everysec), `pricing-engine web` and WORKERS
#         `pricing-engine worker`s (each WORKER_CONCURRENCY lanes, from CONCURRENCY), with the
#         local org's environment (--env-file) plus REDIS_URL, PORT and PRICING_SEAL_KEY; the
#         default invocation check (applink: the web asks the local org's add-on endpoint).
#         The end: GET /api/jobs/{id} polled every POLL_MS (50) with one invocation's headers until
#         the state is no longer queued or running; the wall time runs from the request to the
#         status's endedAt. Also recorded: the write path, the status's counts, and the floor of
#         that path (docs/batch-jobs.md), computed from the org's own rows after the job:
#           plan ⌈N/2000⌉ + per chunk (1 read + writes) + 1 publish, where writes are
#           ⌈nodes/500⌉ on the Graph path (nodes = the chunk's quotable opportunities + their
#           lines, chunks of PRICING_CHUNK_SIZE in Id order) and 10 on the Bulk path (chunks of
#           PRICING_BULK_CHUNK_SIZE). PRICING_CHUNK_SIZE, PRICING_BULK_CHUNK_SIZE and
#           PRICING_BULK_THRESHOLD pass through to the processes (the floor reads them too).
#         floor_paged: the same with each chunk's read counted as its pages rather than 1, a page
#         being 2,000 rows with the subquery's lines (how the local org pages a parent-child query).
#         vs_floor is (api_requests + platform_events) / floor: the completion event goes to the
#         Eventing publish endpoint, which /devorg/stats counts apart (platform_events).
#         Polls are not Salesforce requests, but each one's invocation check is an add-on call the
#         local org counts (kind applink, if it counts it): that kind is left out of api_requests
#         and shown apart (api_kinds lists everything).
# Datasets (DATASETS, default "seed sample"); N is each of SIZES:
#   seed    `devorg --seed N`: its N opportunities as seeded (2.8 lines each on average), selected
#           with `Id != null`.
#   sample  `devorg --seed 1` (accounts, products, the standard price book) plus N opportunities
#           shaped as the reference's own data/create job makes them (server/services/data.js:
#           "Sample Opportunity i", exactly 2 lines each, a random active price book entry,
#           quantity 1-10, price 10-109), inserted by this script with sObject Collections before
#           the measurement; selected with `Name LIKE 'Sample Opportunity%'`.
# Other knobs: SIZES (default "150 5000"), RUNS (3), WORKERS (ours: worker counts to run, "1"),
# CONCURRENCY (ours: WORKER_CONCURRENCY values, "2"; every WORKERS x CONCURRENCY pair is run),
# LATENCY_MS (the local org's --fault-latency-ms, every kind, 0), ORG_DB (1: the local org keeps
# its data in a SQLite file in the run's directory rather than in memory; default 1 from 50,000
# opportunities), POLL_MS (50), JOB_TIMEOUT (seconds to wait for a job's
# end, 300), START_TIMEOUT (seconds for a process to come up, 60: seeding 100,000 takes ~30 s), BIN (the pricing-engine binary
# that serves the local org, default build/release/src/pricing-engine), KEEP_LOGS=<dir> (copy each
# run's logs there), WARMUP (1: before the measured job, one whose clause matches nothing, so
# that the figures are those of a worker that has run before; 0: a worker's first job).
# Prints one line per run, kind, dataset and size (after " | ": the job's own summary or error),
# then the medians over RUNS and the ratios of wall times to the baselines measured in the same
# invocation (ours against ref; each worker count against the first of WORKERS; each
# concurrency against the first of CONCURRENCY). org_busy: the local org's CPU during the job
# over the wall time (it is one thread: near 1.00 it is what limits the job); worker_cpu_s: the
# workers' CPU seconds over the job; seed_s: how long the local org took to start with its data.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/wrk_lib.sh
BIN=${BIN:-build/release/src/pricing-engine}
RUNS=${RUNS:-3}
SIZES=${SIZES:-"150 5000"}
DATASETS=${DATASETS:-"seed sample"}
KINDS=${KINDS:-${REF_JOB:+ref }ours}
WORKERS=${WORKERS:-1}
CONCURRENCY=${CONCURRENCY:-2}
LATENCY_MS=${LATENCY_MS:-0}
ORG_DB=${ORG_DB:-}
POLL_MS=${POLL_MS:-50}
SEAL_KEY=4f1c2b3a5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7a8
JOB_TIMEOUT=${JOB_TIMEOUT:-300}
START_TIMEOUT=${START_TIMEOUT:-60}
KEEP_LOGS=${KEEP_LOGS:-}
WARMUP=${WARMUP:-1}
[[ -x $BIN ]] || { echo "missing $BIN: build the release preset or set BIN" >&2; exit 1; }
for kind in $KINDS; do
  case "$kind" in
    ref)
      [[ -n ${REF_JOB:-} && -f $REF_JOB/server/worker.js ]] \
        || { echo "kind ref: REF_JOB must name a checkout of the reference job app" >&2; exit 1; }
      (cd "$REF_JOB" && timeout 30 node -e "import('@heroku/applink').catch(e => { console.error(e.message); process.exit(1) })") \
        || { echo "kind ref: @heroku/applink does not load in $REF_JOB (npm install? the undici override on Node 20: docs/benchmarks.md)" >&2; exit 1; } ;;
    ours) ;;
    *) echo "unknown kind '$kind' (known: ref ours)" >&2; exit 1 ;;
  esac
done
for data in $DATASETS; do
  case "$data" in seed|sample) ;; *) echo "unknown dataset '$data' (known: seed sample)" >&2; exit 1 ;; esac
done
scratch
touch "$work/results"

# What talks to the local org, sends the job and reads logs: one python file, one subcommand each.
cat >"$work/bj.py" <<'PY'
import datetime, http.client, json, os, random, re, statistics, sys, time, urllib.parse

def connect(port):
    return http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)

class Org:
    """The local org's REST API as the integration user (the AppLink authorization's session)."""
    def __init__(self, port, env_file):
        env = dict(l.split("=", 1) for l in open(env_file).read().splitlines() if "=" in l)
        self.conn = connect(port)
        auth = self.call("GET", urllib.parse.urlsplit(env["HEROKU_APPLINK_API_URL"]).path + "/authorizations/devorg",
                         headers={"Authorization": "Bearer " + env["HEROKU_APPLINK_TOKEN"],
                                  "X-App-UUID": env["HEROKU_APP_ID"]})
        self.auth = {"Authorization": "Bearer " + auth["org"]["user_auth"]["access_token"]}
        self.base = "/services/data/v" + auth["org"]["api_version"]
    def call(self, method, path, body=None, headers=None):
        self.conn.request(method, path, body=None if body is None else json.dumps(body),
                          headers={"Content-Type": "application/json", **(headers or {})})
        r = self.conn.getresponse()
        data = r.read()
        if r.status >= 300:
            sys.exit(f"{method} {path[:120]}: {r.status} {data[:300]!r}")
        return json.loads(data) if data else None
    def q(self, soql):
        return self.call("GET", self.base + "/query?q=" + urllib.parse.quote(soql), headers=self.auth)
    def post(self, path, body):
        return self.call("POST", self.base + path, body, headers=self.auth)

def create_sample(port, env_file, n):
    """The reference's data/create shape: 'Sample Opportunity i', 2 lines each."""
    org, n = Org(port, env_file), int(n)
    rng = random.Random(n)
    account = org.q("SELECT Id FROM Account LIMIT 1")["records"][0]["Id"]
    book = org.q("SELECT Id FROM Pricebook2 WHERE IsStandard = true LIMIT 1")["records"][0]["Id"]
    entries = org.q(f"SELECT Id, Product2Id FROM PricebookEntry WHERE Pricebook2Id = '{book}' AND IsActive = true")["records"]
    close = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    def insert(records):
        ids = []
        for i in range(0, len(records), 200):
            res = org.post("/composite/sobjects", {"allOrNone": True, "records": records[i:i + 200]})
            bad = [r for r in res if not r.get("success")]
            if bad:
                sys.exit(f"sample insert failed: {bad[:3]}")
            ids += [r["id"] for r in res]
        return ids
    opps = insert([{"attributes": {"type": "Opportunity"}, "Name": f"Sample Opportunity {i}", "AccountId": account,
                    "StageName": "Prospecting", "CloseDate": close, "Pricebook2Id": book} for i in range(n)])
    lines = []
    for opp in opps:
        for _ in range(2):
            e = entries[rng.randrange(len(entries))]
            lines.append({"attributes": {"type": "OpportunityLineItem"}, "OpportunityId": opp,
                          "PricebookEntryId": e["Id"], "Product2Id": e["Product2Id"],
                          "Quantity": rng.randrange(1, 11), "UnitPrice": rng.randrange(10, 110)})
    insert(lines)

def counts(port, env_file, where, line_where):
    """<selected opportunities> <their lines> <quotes> <quote lines>"""
    org = Org(port, env_file)
    n = lambda soql: org.q(soql)["totalSize"]
    print(n("SELECT COUNT() FROM Opportunity WHERE " + where), n("SELECT COUNT() FROM OpportunityLineItem WHERE " + line_where),
          n("SELECT COUNT() FROM Quote"), n("SELECT COUNT() FROM QuoteLineItem"))

def send(org_port, app_port, where):
    """Headers from the local org ("send": false), then POST /api/executebatch with them:
    prints <http status> <job id> <wall clock of the request, s> <answer if refused>."""
    body = {"soqlWhereClause": where}
    org = connect(org_port)
    org.request("POST", "/devorg/invocations", body=json.dumps({"url": "/api/executebatch", "body": body, "send": False}),
                headers={"Content-Type": "application/json"})
    headers = json.loads(org.getresponse().read())["headers"]
    app = connect(app_port)
    t0 = time.time()
    app.request("POST", "/api/executebatch", body=json.dumps(body), headers={"Content-Type": "application/json", **headers})
    r = app.getresponse()
    answer = r.read().decode(errors="replace")
    try:
        job = json.loads(answer).get("jobId") or "-"
    except ValueError:
        job = "-"
    print(r.status, job, f"{t0:.6f}", "" if r.status == 202 else answer[:200].replace("\n", " "))

def alive(pid):
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] not in "ZX"
    except OSError:
        return False

def wait_ref(log, offset, pid, timeout, job):
    """Watches the reference worker's log from byte offset on: prints <wall clock of the end, s>
    <state> <detail>."""
    deadline = time.monotonic() + float(timeout)
    def done(state, detail):
        print(f"{time.time():.6f}", state, detail.replace("\n", " ")[:300])
        sys.exit(0)
    while True:
        with open(log, "rb") as f:
            f.seek(int(offset))
            text = f.read().decode(errors="replace")
        m = re.search(r"Job processing completed for Job ID: " + re.escape(job) + r"\. Results: (\d+) succeeded, (\d+) failed", text)
        if m:
            done("succeeded" if m.group(2) == "0" else "failed", f"{m.group(1)} succeeded, {m.group(2)} failed")
        if "Error executing batch for Job ID: " + job in text or "Error executing handler for job" in text:
            # Logged as console.error({err}, message): the error's first line follows "err:".
            m = re.search(r"err: ([^\n]*)", text)
            done("failed", m.group(1).strip() if m else "see the worker log")
        if re.search(r"No Opportunities or related|No quotes were registered", text):
            done("empty", "no opportunities with lines")
        if not alive(pid):
            done("crashed", (text.strip().splitlines() or ["(empty log)"])[-1])
        if time.monotonic() > deadline:
            done("timeout", f"no end in the worker log after {float(timeout):.0f} s")
        time.sleep(0.01)

def headers_for(org_port, url, body, method):
    """An invocation's headers from the local org, not sent ("send": false)."""
    org = connect(org_port)
    org.request("POST", "/devorg/invocations", body=json.dumps({"url": url, "body": body, "method": method, "send": False}),
                headers={"Content-Type": "application/json"})
    r = org.getresponse()
    data = r.read()
    if r.status != 200:
        sys.exit(f"POST /devorg/invocations: {r.status} {data[:300]!r}")
    return json.loads(data)["headers"]

def parse_time(v):
    """A status time (ISO 8601, or epoch s/ms) as epoch seconds; None when absent."""
    if v in (None, "", 0):
        return None
    if isinstance(v, (int, float)):
        return v / 1000 if v > 1e11 else float(v)
    try:
        return datetime.datetime.fromisoformat(str(v).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None

def wait_ours(org_port, app_port, job, timeout, poll_ms, status_file):
    """Polls GET /api/jobs/{job} on the web (one invocation's headers, reused) until the state
    ends: prints <wall clock of the end, s: the status's endedAt, else when first seen> <state>
    <detail>; writes the last status to status_file. Polls that were answered: status_file.polls."""
    hdrs = headers_for(org_port, "/api/jobs/" + job, {}, "GET")
    app = connect(app_port)
    deadline = time.monotonic() + float(timeout)
    polls, last = 0, {}
    while True:
        try:
            app.request("GET", "/api/jobs/" + job, headers=hdrs)
            r = app.getresponse()
            data = r.read()
        except (OSError, http.client.HTTPException) as e:
            app = connect(app_port)
            data, r = b"", None
        polls += 1
        if r is not None and r.status == 200:
            last = json.loads(data)
            state = last.get("state")
            if state not in ("queued", "running"):
                seen = time.time()
                json.dump(last, open(status_file, "w"))
                open(status_file + ".polls", "w").write(str(polls))
                end = parse_time(last.get("endedAt")) or seen
                c = last.get("counts", {})
                errs = last.get("errors") or []
                detail = (f"path {last.get('writePath')} chunks {c.get('chunks')} done {c.get('done')} failed {c.get('failed')} "
                          f"skipped {c.get('skipped')} quotes {c.get('quotes')} seen_after_end_ms {(seen - end) * 1000:.0f}"
                          + (f" first error: {json.dumps(errs[0])[:200]}" if errs else ""))
                print(f"{end:.6f}", state, detail)
                return
        elif r is not None and r.status != 200:
            print(f"{time.time():.6f}", "failed", f"GET /api/jobs/{job}: {r.status} {data[:200]!r}")
            return
        if time.monotonic() > deadline:
            json.dump(last, open(status_file, "w"))
            open(status_file + ".polls", "w").write(str(polls))
            print(f"{time.time():.6f}", "timeout", f"still {last.get('state')} after {float(timeout):.0f} s: {json.dumps(last.get('counts'))}")
            return
        time.sleep(float(poll_ms) / 1000)

def floor(port, env_file, where, line_where, status_file):
    """The floor of the job's write path (docs/batch-jobs.md) from the org's rows:
    prints <path> <floor> <plan> <chunks> <reads> <writes> <floor with read pages>; "- ..."
    without a status."""
    try:
        status = json.load(open(status_file))
    except (OSError, ValueError):
        print("- - - - - - -"); return
    path = status.get("writePath") or "-"
    org = Org(port, env_file)
    def rows(soql):
        page = org.q(soql)
        out = page["records"]
        while not page.get("done", True):
            page = org.call("GET", page["nextRecordsUrl"], headers=org.auth)
            out += page["records"]
        return out
    ids = [r["Id"] for r in rows(f"SELECT Id FROM Opportunity WHERE ({where}) ORDER BY Id")]
    per_opp = {}
    for r in rows(f"SELECT OpportunityId FROM OpportunityLineItem WHERE {line_where}"):
        k = r["OpportunityId"][:15]
        per_opp[k] = per_opp.get(k, 0) + 1
    n = len(ids)
    plan = max(1, -(-n // 2000))
    bulk = path == "bulk"
    size = int(os.environ.get("PRICING_BULK_CHUNK_SIZE" if bulk else "PRICING_CHUNK_SIZE") or (5000 if bulk else 2000))
    chunks, writes, pages = -(-n // size), 0, 0
    for c in range(chunks):
        part = ids[c * size:(c + 1) * size]
        lines = [per_opp.get(i[:15], 0) for i in part]
        nodes = sum(1 + k for k in lines if k)
        writes += 10 if bulk else -(-nodes // 500)
        # The read's pages when a page holds 2,000 rows, the lines of the subquery included
        # (how the local org pages): what the read costs at the least with that page size.
        pages += max(1, -(-(len(part) + sum(lines)) // 2000))
    reads = chunks
    fl = plan + reads + writes + 1
    print(path, fl, plan, chunks, reads, writes, fl - reads + pages)

def cpu_s(*pids):
    """utime + stime of these processes, s (0 for one that is gone)."""
    total = 0
    for pid in pids:
        try:
            f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total += int(f[11]) + int(f[12])
        except OSError:
            pass
    print(f"{total / os.sysconf('SC_CLK_TCK'):.2f}")

def line(kind, data, n, workers, conc, before, after, s0, s1, peak, sent, ended, fl, org_cpu0, org_cpu1, wcpu0, wcpu1, seed_s, polls):
    opps, lines, q0, ql0 = map(int, before.split())
    _, _, q1, ql1 = map(int, after.split())
    s0, s1 = json.loads(s0), json.loads(s1)
    by_kind = {k: v - s0["by_kind"].get(k, 0) for k, v in s1["by_kind"].items()}
    checks = by_kind.get("applink", 0) if kind == "ours" else 0
    api = s1["total"] - s0["total"] - checks
    by_kind = ",".join(f"{k}:{v}" for k, v in sorted(by_kind.items()) if v) or "-"
    status, job, t0, *refused = sent.split(" ", 3)
    if status == "202":
        t1, state, *detail = ended.split(" ", 2)
        ms, detail = (float(t1) - float(t0)) * 1000, (detail or [""])[0]
    else:
        ms, state, detail = 0, "refused", f"HTTP {status} {' '.join(refused)}"
    quotes = q1 - q0
    path, fl_total, *rest = fl.split()
    events = s1.get("platform_events", 0) - s0.get("platform_events", 0)
    # The completion event goes to the Eventing publish endpoint, which /devorg/stats counts apart
    # (platform_events), not in total: the floor's 1 publish is compared with it.
    ratio = f"{(api + events) / int(fl_total):.2f}" if fl_total != "-" else "-"
    paged = rest[-1]
    paged_ratio = f"{(api + events) / int(paged):.2f}" if paged != "-" else "-"
    busy = (float(org_cpu1) - float(org_cpu0)) / max(ms / 1000, 1e-9)
    print(f"{kind} data {data} n {n} workers {workers} conc {conc} opps {opps} lines {lines} state {state} wall_ms {ms:.0f} "
          f"quotes {quotes} quote_lines {ql1 - ql0} quotes_per_opp {quotes / max(opps, 1):.2f} api_requests {api} "
          f"path {path} floor {fl_total} vs_floor {ratio} floor_paged {paged} vs_floor_paged {paged_ratio} api_kinds {by_kind} invocation_checks {checks} polls {polls} "
          f"faults {s1['faults'] - s0['faults']} platform_events {events} worker_peak_rss_kb {peak} worker_cpu_s {float(wcpu1) - float(wcpu0):.2f} "
          f"org_busy {busy:.2f} seed_s {seed_s} | {detail}")

def medians(results, runs):
    groups = {}
    for row in open(results):
        fields, _, detail = row.partition(" | ")
        f = fields.split()
        d = dict(zip(f[1::2], f[2::2]))
        groups.setdefault((f[0], d["data"], d["n"], d["workers"], d["conc"]), []).append((d, detail.strip()))
    meds = {}
    for key, rows in groups.items():
        kind, data, n, workers, conc = key
        def med(k, fmt="{:.0f}"):
            vals = [float(d[k]) for d, _ in rows if d.get(k, "-") != "-"]
            return fmt.format(statistics.median(vals)) if vals else "-"
        meds[key] = float(med("wall_ms"))
        failed = sum(d["state"] != "succeeded" for d, _ in rows)
        errors = sorted({f"{d['state']}: {e}" for d, e in rows if d["state"] != "succeeded"})
        print(f"{kind} data {data} n {n} workers {workers} conc {conc} opps {rows[0][0]['opps']} lines {rows[0][0]['lines']} "
              f"wall_ms {med('wall_ms')} quotes {med('quotes')} quotes_per_opp {med('quotes_per_opp', '{:.2f}')} "
              f"api_requests {med('api_requests')} path {rows[0][0]['path']} floor {med('floor')} vs_floor {med('vs_floor', '{:.2f}')} "
              f"floor_paged {med('floor_paged')} vs_floor_paged {med('vs_floor_paged', '{:.2f}')} "
              f"worker_peak_rss_kb {med('worker_peak_rss_kb')} worker_cpu_s {med('worker_cpu_s', '{:.2f}')} "
              f"org_busy {med('org_busy', '{:.2f}')} seed_s {med('seed_s', '{:.1f}')} failed {failed}/{len(rows)}"
              + (f" | {'; '.join(errors)}" if errors else ""))
    print("== ratios of median wall times to the baseline of the same invocation (baseline / this: >1 means faster)")
    workers_list = os.environ.get("WORKERS", "1").split()
    conc_list = os.environ.get("CONCURRENCY", "2").split()
    for (kind, data, n, workers, conc), ms in meds.items():
        if kind != "ours" or not ms:
            continue
        out = []
        ref = meds.get(("ref", data, n, "1", "-"))
        if ref:
            out.append(f"ref/ours {ref / ms:.2f}")
        base = meds.get((kind, data, n, workers_list[0], conc))
        if base and workers != workers_list[0]:
            out.append(f"workers {workers_list[0]}->{workers} {base / ms:.2f}")
        base = meds.get((kind, data, n, workers, conc_list[0]))
        if base and conc != conc_list[0]:
            out.append(f"concurrency {conc_list[0]}->{conc} {base / ms:.2f}")
        if out:
            print(f"ours data {data} n {n} workers {workers} conc {conc}: " + ", ".join(out))

globals()[sys.argv[1].replace("-", "_")](*sys.argv[2:])
PY
bj() { python3 "$work/bj.py" "$@"; }

# wait_for <seconds> <command...>: runs the command every 50 ms until it succeeds; 1 on timeout.
wait_for() {
  local deadline=$(( SECONDS + $1 )); shift
  until "$@" >/dev/null 2>&1; do
    (( SECONDS < deadline )) || return 1
    sleep 0.05
  done
}
peak_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
stats() { curl -sf -m 10 "http://127.0.0.1:$1/devorg/stats"; }

# --- kind ref: the reference Node.js job app --------------------------------------------------

# start_ref <redis port> <app port>: a TLS-only redis-server, the web and the worker; sets
# app_pids and worker_pid.
start_ref() {
  local redis_port=$1 app_port=$2
  redis-server --port 0 --tls-port "$redis_port" --tls-cert-file "$work/redis.crt" \
    --tls-key-file "$work/redis.key" --tls-auth-clients no --bind 127.0.0.1 --save '' \
    --appendonly no --dir "$run_dir" >"$run_dir/redis.log" 2>&1 &
  pids+=($!); app_pids=($!)
  wait_for "$START_TIMEOUT" redis-cli --tls --insecure -p "$redis_port" ping \
    || { echo "redis-server (TLS) did not start: $(tail -3 "$run_dir/redis.log")" >&2; return 1; }
  (cd "$REF_JOB" && REDIS_URL="rediss://127.0.0.1:$redis_port" APP_PORT=$app_port LOG_LEVEL=warn \
     exec node server/index.js) >"$run_dir/web.log" 2>&1 &
  pids+=($!); app_pids+=($!)
  (cd "$REF_JOB" && REDIS_URL="rediss://127.0.0.1:$redis_port" exec node server/worker.js) \
    >"$run_dir/worker.log" 2>&1 &
  worker_pid=$!
  pids+=("$worker_pid"); app_pids+=("$worker_pid")
  wait_for "$START_TIMEOUT" curl -sf "http://127.0.0.1:$app_port/health" \
    || { echo "reference web did not start: $(tail -5 "$run_dir/web.log")" >&2; return 1; }
  # Pub/Sub: a job published before the worker has subscribed is lost, so wait for that.
  wait_for "$START_TIMEOUT" grep -q 'Subscribed successfully to jobsChannel' "$run_dir/worker.log" \
    || { echo "reference worker did not subscribe: $(tail -5 "$run_dir/worker.log")" >&2; return 1; }
}

# mark_ref: just before a job is sent: where its lines will start in the worker's log.
mark_ref() { wait_from=$(stat -c %s "$run_dir/worker.log"); }

# wait_ref <job id>: "<wall clock of the end> <state> <detail>" from the worker's log.
wait_ref() { bj wait-ref "$run_dir/worker.log" "$wait_from" "$worker_pid" "$JOB_TIMEOUT" "$1"; }

# warm_ref: a job whose clause matches nothing, not measured (loads the SDK and jsforce, which
# a long-running worker has done before its jobs).
warm_ref() {
  local sent; mark_ref
  sent=$(bj send "$org_port" "$app_port" "Id = null")
  [[ ${sent%% *} == 202 ]] || { echo "warm-up job refused: $sent" >&2; return 1; }
  wait_ref "$(awk '{print $2}' <<<"$sent")" >/dev/null
}

# --- kind ours: this product's web and workers ------------------------------------------------

# start_ours <redis port> <app port>: a redis-server, the web and $workers workers with
# WORKER_CONCURRENCY=$conc; sets app_pids, worker_pid (the first) and worker_pids.
start_ours() {
  local redis_port=$1 app_port=$2 i
  start_redis "$redis_port" "$run_dir"
  pids+=("$redis_pid"); app_pids=("$redis_pid")
  local -a envs
  mapfile -t envs <"$run_dir/org.env"
  envs+=("REDIS_URL=redis://127.0.0.1:$redis_port" "PORT=$app_port" "PRICING_SEAL_KEY=$SEAL_KEY"
         "WORKER_CONCURRENCY=$conc" "LOG_LEVEL=${APP_LOG_LEVEL:-warn}")
  env "${envs[@]}" "$BIN" web >"$run_dir/web.log" 2>&1 &
  pids+=($!); app_pids+=($!)
  worker_pids=()
  for i in $(seq "$workers"); do
    env "${envs[@]}" "$BIN" worker >"$run_dir/worker$i.log" 2>&1 &
    pids+=($!); app_pids+=($!); worker_pids+=($!)
  done
  worker_pid=${worker_pids[0]}
  wait_for "$START_TIMEOUT" curl -sf "http://127.0.0.1:$app_port/healthz" \
    || { echo "web did not start: $(tail -5 "$run_dir/web.log")" >&2; return 1; }
}

# mark_ours: nothing to mark (the end is read from the job's status).
mark_ours() { :; }

# wait_ours <job id>: "<endedAt> <state> <detail>" from GET /api/jobs/{id}; the last status in
# $run_dir/status.json.
wait_ours() { bj wait-ours "$org_port" "$app_port" "$1" "$JOB_TIMEOUT" "$POLL_MS" "$run_dir/status.json"; }

# warm_ours: a job whose clause matches nothing, not measured (the worker's first job: its
# connections to Redis and the org, the describe cache of the web).
warm_ours() {
  local sent
  sent=$(bj send "$org_port" "$app_port" "Id = null")
  [[ ${sent%% *} == 202 ]] || { echo "warm-up job refused: $sent" >&2; return 1; }
  bj wait-ours "$org_port" "$app_port" "$(awk '{print $2}' <<<"$sent")" "$JOB_TIMEOUT" "$POLL_MS" "$run_dir/warm.json" >/dev/null
  rm -f "$run_dir/warm.json" "$run_dir/warm.json.polls"
}

# --- the kinds ----------------------------------------------------------------------------------

# kind <kind> <step> [args...]: a kind's step. Each kind has start_<kind> <redis port> <app port>
# (its Redis, web and worker; sets app_pids and worker_pid), warm_<kind> (an unmeasured job),
# mark_<kind> (just before the measured job is sent) and wait_<kind> <job id> (prints "<wall
# clock of the job's end, s> <state: succeeded|failed|empty|crashed|timeout> <detail>").
kind() {
  local k=$1 step=$2; shift 2
  case "$k" in
    ref) "${step}_ref" "$@" ;;
    ours) "${step}_ours" "$@" ;;
    *) echo "unknown kind '$k' (known: ref ours)" >&2
       return 1 ;;
  esac
}

# --- one run ------------------------------------------------------------------------------------

# run_one <kind> <dataset> <n>: one line in $work/results ($workers and $conc: ours's processes).
run_one() {
  local kind=$1 data=$2 n=$3 redis_port org_pid where line_where seed db_args=() t_seed seed_s
  run_dir="$work/run"
  rm -rf "$run_dir"; mkdir -p "$run_dir"
  org_port=$(free_port); app_port=$(free_port); redis_port=$(free_port)
  case "$data" in
    seed) seed=$n; where="Id != null"; line_where="Id != null" ;;
    sample) seed=1; where="Name LIKE 'Sample Opportunity%'"
            line_where="Opportunity.Name LIKE 'Sample Opportunity%'" ;;
  esac
  if [[ ${ORG_DB:-$(( seed >= 50000 ))} == 1 ]]; then db_args=(--db "$run_dir/org.db"); fi
  t_seed=$(date +%s.%N)
  LOG_LEVEL=warn "$BIN" devorg --port "$org_port" --seed "$seed" --env-file "$run_dir/org.env" \
    --app-url "http://127.0.0.1:$app_port" --fault-latency-ms "$LATENCY_MS" "${db_args[@]}" \
    >"$run_dir/devorg.log" 2>&1 &
  org_pid=$!
  pids+=("$org_pid")
  wait_for "$START_TIMEOUT" test -s "$run_dir/org.env" \
    || { echo "devorg did not start: $(tail -3 "$run_dir/devorg.log")" >&2; return 1; }
  seed_s=$(awk -v a="$t_seed" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
  if [[ $data == sample ]]; then bj create-sample "$org_port" "$run_dir/org.env" "$n"; fi
  local before; before=$(bj counts "$org_port" "$run_dir/org.env" "$where" "$line_where")
  app_pids=(); worker_pid=; worker_pids=()
  kind "$kind" start "$redis_port" "$app_port"
  (( ${#worker_pids[@]} )) || worker_pids=("$worker_pid")
  if (( WARMUP )); then kind "$kind" warm; fi
  local stats0 sent ended="" stats1 peak=0 p after fl org_cpu0 org_cpu1 wcpu0 wcpu1 polls=0
  stats0=$(stats "$org_port")
  org_cpu0=$(bj cpu-s "$org_pid"); wcpu0=$(bj cpu-s "${worker_pids[@]}")
  kind "$kind" mark
  sent=$(bj send "$org_port" "$app_port" "$where")
  if [[ ${sent%% *} == 202 ]]; then ended=$(kind "$kind" wait "$(awk '{print $2}' <<<"$sent")"); fi
  stats1=$(stats "$org_port")
  org_cpu1=$(bj cpu-s "$org_pid"); wcpu1=$(bj cpu-s "${worker_pids[@]}")
  for p in "${worker_pids[@]}"; do p=$(peak_kb "$p"); (( p > peak )) && peak=$p; done
  [[ -f $run_dir/status.json.polls ]] && polls=$(cat "$run_dir/status.json.polls")
  after=$(bj counts "$org_port" "$run_dir/org.env" "$where" "$line_where")
  fl=$(bj floor "$org_port" "$run_dir/org.env" "$where" "$line_where" "$run_dir/status.json")
  bj line "$kind" "$data" "$n" "$workers" "$conc" "$before" "$after" "$stats0" "$stats1" "$peak" "$sent" "$ended" \
    "$fl" "$org_cpu0" "$org_cpu1" "$wcpu0" "$wcpu1" "$seed_s" "$polls" | tee -a "$work/results"
  if [[ -n $KEEP_LOGS ]]; then
    mkdir -p "$KEEP_LOGS"
    for f in "$run_dir"/*.log "$run_dir"/status.json; do
      [[ -f $f ]] && cp "$f" "$KEEP_LOGS/$kind-w$workers-c$conc-$data-$n-run$run-$(basename "$f")"
    done
  fi
  local pid
  for pid in "${app_pids[@]}" "$org_pid"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${app_pids[@]}" "$org_pid"; do wait "$pid" 2>/dev/null || true; done
  pids=()  # all reaped: nothing for the exit trap to kill
}

if [[ " $KINDS " == *" ref "* ]]; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/redis.key" -out "$work/redis.crt" \
    -days 1 -subj /CN=127.0.0.1 >/dev/null 2>&1
fi
for run in $(seq "$RUNS"); do
  for n in $SIZES; do
    for data in $DATASETS; do
      for kind in $KINDS; do
        if [[ $kind == ours ]]; then
          for workers in $WORKERS; do
            for conc in $CONCURRENCY; do run_one "$kind" "$data" "$n"; done
          done
        else
          workers=1 conc=- run_one "$kind" "$data" "$n"
        fi
      done
    done
  done
done

echo "== medians over $RUNS runs (kind, dataset, size; failed: runs whose job did not succeed)"
WORKERS=$WORKERS CONCURRENCY=$CONCURRENCY bj medians "$work/results" "$RUNS"
