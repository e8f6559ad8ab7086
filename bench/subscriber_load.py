"""subscriber_load.py: one run of bench/subscriber_bench.sh on a fresh local org (its env in the
environment, redis-server at REDIS_PORT). Three phases, each on the same org:

1. throughput, Pub/Sub: N opportunities changed in transactions of PER (no consumer running),
   then one `pricing-engine subscriber` from `earliest`; timed until the stored replay id is the
   last event's (polled every 2 ms), its CPU from /proc.
2. throughput, webhook: the same events, queued in the org for its webhook while `web` was down
   (the org retries with backoff), delivered once `web` is up; timed from the first delivery to
   the last (the org's `delivered` counter: a 2xx, so the Ids are in Redis), web's CPU.
3. latency: both running (Redis prefixes `pe:` and `wh:`), RATE transactions/s of LAT_PER changes
   for DURATION s (skipped when 0); per transaction, its job's stream entry id (Redis time, ms) minus the event's
   commitTimestamp (the org's clock, ms), on each path; also minus the next transaction's
   commitTimestamp (a transaction is flushed into a job when the next one's event arrives), and
   each process's CPU per event at that pace.

Prints one `key=value` line per phase. Processes it starts are killed on exit.
"""
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse

BIN, WORK = sys.argv[1], sys.argv[2]
PER, N = int(os.environ["PER"]), int(os.environ["N"])
RATE, LAT_PER, DURATION = (float(os.environ["RATE"]), int(os.environ["LAT_PER"]),
                           float(os.environ["DURATION"]))
WEB_PORT = int(os.environ["WEB_PORT"])
env = os.environ
procs = []


class Redis:
    """Just enough RESP for GET and XRANGE."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.f = self.s.makefile("rb")

    def call(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.s.sendall(out)
        return self.read()

    def read(self):
        line = self.f.readline()[:-2]
        kind, rest = line[:1], line[1:]
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.f.read(n + 2)[:-2]
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        if kind == b":":
            return int(rest)
        if kind == b"-":
            raise RuntimeError(rest.decode())
        return rest


class Org:
    """One keep-alive connection to the local org."""

    def __init__(self):
        base = env["HEROKU_INTEGRATION_API_URL"].rsplit("/integration", 1)[0]
        u = urllib.parse.urlparse(base)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        self.headers = {}
        applink = urllib.parse.urlparse(env["HEROKU_APPLINK_API_URL"])
        auth = self.call("GET", applink.path + "/authorizations/" + env["CONNECTION_NAMES"],
                         headers={"Authorization": "Bearer " + env["HEROKU_APPLINK_TOKEN"],
                                  "X-App-UUID": env["HEROKU_APP_ID"]})
        self.headers = {"Authorization": "Bearer " + auth["org"]["user_auth"]["access_token"],
                        "Content-Type": "application/json"}

    def call(self, method, path, body=None, headers=None):
        self.conn.request(method, path, None if body is None else json.dumps(body),
                          self.headers if headers is None else headers)
        r = self.conn.getresponse()
        data = r.read()
        if r.status >= 300:
            raise RuntimeError(f"{method} {path}: {r.status} {data[:300]!r}")
        return json.loads(data or b"null")

    def ids(self, n):
        out, path = [], "/services/data/v62.0/query?q=SELECT+Id+FROM+Opportunity+ORDER+BY+Id"
        while path and len(out) < n:
            page = self.call("GET", path)
            out += [r["Id"] for r in page["records"]]
            path = None if page["done"] else page["nextRecordsUrl"]
        return out[:n]

    def edit(self, ids, stage):
        self.call("PATCH", "/services/data/v62.0/composite/sobjects", {
            "allOrNone": True,
            "records": [{"attributes": {"type": "Opportunity"}, "Id": i, "StageName": stage}
                        for i in ids]})

    def events(self):
        return self.call("GET", "/devorg/stats")["change_events"]


def cpu(pid):
    """CPU seconds of a process so far: the run time of its live threads (schedstat, ns)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        except FileNotFoundError:
            pass  # the thread ended meanwhile
    return total / 1e9


def start(role, log, **extra):
    e = dict(env, REDIS_URL=f"redis://127.0.0.1:{env['REDIS_PORT']}", **extra)
    p = subprocess.Popen([BIN, role], env=e, stdout=open(f"{WORK}/{log}", "ab"),
                         stderr=subprocess.STDOUT)
    procs.append(p)
    return p


def stop(p):
    p.terminate()
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    procs.remove(p)


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def main():
    org_pid, redis_pid = int(env["ORG_PID"]), int(env["REDIS_PID"])
    org = Org()
    redis = Redis(int(env["REDIS_PORT"]))
    ids = org.ids(max(N, LAT_PER * int(RATE * DURATION)))
    if len(ids) < N:
        sys.exit(f"the org has {len(ids)} opportunities, {N} needed")

    # The events, with nothing consuming them (the webhook's port is closed: the org retries).
    t = time.perf_counter()
    for k in range(0, N, PER):
        org.edit(ids[k:k + PER], "Id. Decision Makers")
    edits = time.perf_counter() - t
    events = org.events()["events"]

    # 1. One subscriber from the earliest event.
    key = f"pe:pubsub:replay:{env['CONNECTION_NAMES']}:/data/OpportunityChangeEvent"
    org_cpu, redis_cpu = cpu(org_pid), cpu(redis_pid)
    t0 = time.perf_counter()
    sub = start("subscriber", "subscriber.log", PRICING_PUBSUB_START="earliest",
                PRICING_FLUSH_SECONDS="1", LOG_LEVEL="info")
    first = None
    while time.perf_counter() - t0 < 300:
        v = redis.call("GET", key)
        n = int.from_bytes(v, "big") if v else 0
        if n and first is None:
            first = (time.perf_counter(), n, cpu(sub.pid))
        if n >= events:
            break
        time.sleep(0.002)
    t1 = time.perf_counter()
    sub_cpu, org_cpu, redis_cpu = cpu(sub.pid), cpu(org_pid) - org_cpu, cpu(redis_pid) - redis_cpu
    if n < events:
        sys.exit(f"the subscriber stored {n} of {events} events: see {WORK}/subscriber.log")
    stop(sub)
    tail = events - first[1]
    rate_tail = tail / (t1 - first[0]) if tail else float("nan")
    cpu_tail = (sub_cpu - first[2]) / tail * 1e6 if tail else float("nan")
    print(f"path=pubsub per={PER} records={N} events={events} edits_s={edits:.2f} "
          f"seconds={t1 - t0:.3f} events_per_s={events / (t1 - t0):.0f} "
          f"events_per_s_after_first_batch={rate_tail:.0f} first_batch_events={first[1]} "
          f"cpu_us_per_event={sub_cpu / events * 1e6:.1f} "
          f"cpu_us_per_event_after_first_batch={cpu_tail:.1f} "
          f"org_cpu_us_per_event={org_cpu / events * 1e6:.1f} "
          f"redis_cpu_us_per_event={redis_cpu / events * 1e6:.1f}", flush=True)

    # 2. The webhook: the org's queue drains into web once it is up.
    web = start("web", "web.log", PORT=str(WEB_PORT), PRICING_REDIS_PREFIX="wh:",
                PRICING_WEBHOOK_TOKEN="bench", WEB_ACCESS_LOG="false", LOG_LEVEL="warn",
                PRICING_FLUSH_SECONDS="1")
    deadline = time.time() + 120
    d0 = None
    while time.time() < deadline:
        d = org.events()["delivered"]
        if d and d0 is None:
            d0, t0 = d, time.perf_counter()
            web_cpu, org_cpu, redis_cpu = cpu(web.pid), cpu(org_pid), cpu(redis_pid)
        if d >= events:
            break
        time.sleep(0.005)
    t1 = time.perf_counter()
    if d < events:
        sys.exit(f"the webhook took {d} of {events} events: see {WORK}/web.log")
    web_cpu, org_cpu = cpu(web.pid) - web_cpu, cpu(org_pid) - org_cpu
    redis_cpu = cpu(redis_pid) - redis_cpu
    n = events - d0
    print(f"path=webhook per={PER} records={N} events={events} first_poll_delivered={d0} "
          f"seconds={t1 - t0:.3f} events_per_s={n / (t1 - t0):.0f} "
          f"cpu_us_per_event={web_cpu / n * 1e6:.1f} "
          f"org_cpu_us_per_event={org_cpu / n * 1e6:.1f} "
          f"redis_cpu_us_per_event={redis_cpu / n * 1e6:.1f}", flush=True)

    if DURATION <= 0:
        return
    # 3. Latency at a steady pace, both paths at once.
    sub = start("subscriber", "subscriber.log", PRICING_FLUSH_SECONDS="1", LOG_LEVEL="info")
    while redis.call("GET", f"pe:pubsub:lease:{env['CONNECTION_NAMES']}:"
                     "/data/OpportunityChangeEvent") is None:
        time.sleep(0.01)
    time.sleep(0.5)  # subscribed
    before = org.events()["events"]
    count = int(RATE * DURATION)
    cpu0 = {"pubsub": cpu(sub.pid), "webhook": cpu(web.pid), "org": cpu(org_pid)}
    t0 = time.perf_counter()
    for k in range(count):
        pause = t0 + k / RATE - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        org.edit(ids[k * LAT_PER:(k + 1) * LAT_PER], "Perception Analysis")
    sent = time.perf_counter() - t0
    made = org.events()["events"] - before
    paced = {"pubsub": cpu(sub.pid), "webhook": cpu(web.pid), "org": cpu(org_pid)}
    paced = {k: (v - cpu0[k]) / made * 1e6 for k, v in paced.items()}
    time.sleep(3)  # the last transaction is flushed after PRICING_FLUSH_SECONDS idle
    changes = org.call("GET", f"/devorg/changes?limit={min(1000, made)}")["changes"]
    committed = {}
    for c in changes:
        h = c["data"]["ChangeEventHeader"]
        committed[h["transactionKey"]] = h["commitTimestamp"]
    idle_key = max(committed, key=committed.get)
    order = sorted(committed, key=committed.get)
    next_commit = dict(zip(order, [committed[k] for k in order[1:]]))
    for prefix, path in (("pe:", "pubsub"), ("wh:", "webhook")):
        entries = redis.call("XRANGE", prefix + "jobs", "-", "+")
        lat, beyond, idle = [], [], None
        for entry_id, fields in entries:
            f = dict(zip(fields[::2], fields[1::2]))
            tx = f[b"tx"].decode()
            if tx not in committed:
                continue
            ms = int(entry_id.split(b"-")[0]) - committed[tx]
            if tx == idle_key:
                idle = ms
            else:
                lat.append(ms)
                beyond.append(int(entry_id.split(b"-")[0]) - next_commit[tx])
        print(f"path={path} latency transactions={count} per={LAT_PER} rate={RATE:g} "
              f"sent_s={sent:.2f} events={made} matched={len(lat) + (idle is not None)} "
              f"p50_ms={percentile(lat, 0.5)} p99_ms={percentile(lat, 0.99)} "
              f"max_ms={max(lat) if lat else 'nan'} "
              f"after_next_commit_p50_ms={percentile(beyond, 0.5)} "
              f"after_next_commit_p99_ms={percentile(beyond, 0.99)} "
              f"cpu_us_per_event={paced[path]:.1f} org_cpu_us_per_event={paced['org']:.1f} "
              f"last_idle_flush_ms={idle}", flush=True)


try:
    main()
finally:
    for p in list(procs):
        stop(p)
