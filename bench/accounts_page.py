#!/usr/bin/env python3
"""accounts_page.py: what the Accounts page (GET /, src/pages/accounts_page.hpp) adds to the time
its orgs take. Three orgs in one local org (`devorg --orgs sales=300,support=50,empty=0`), each
answering after an injected latency (LATENCY_MS, default 50), `web` with a session.

Each sample, on kept-alive connections:
  page      the time to the first byte of GET / (the page answers once every panel is read)
  floor     the same two queries the page makes per org (its first page and its COUNT(), in one
            Composite request), sent straight to the three orgs at once, until the last whole
            answer: the slowest org's own answer time, the best any design could do
  overhead  page - floor of the same sample (they alternate, so both see the same machine)
  inside    page - the slowest org as web timed it itself (its Server-Timing header)
Medians per run, then the median of the runs' medians.

  bench/accounts_page.py                          # build/release/src/pricing-engine, 5 runs x 40
  BIN=... RUNS=3 SAMPLES=100 LATENCY_MS=50 bench/accounts_page.py
"""
import json
import os
import re
import select
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("BIN", os.path.join(ROOT, "build/release/src/pricing-engine"))
RUNS = int(os.environ.get("RUNS", "5"))
SAMPLES = int(os.environ.get("SAMPLES", "40"))
LATENCY_MS = int(os.environ.get("LATENCY_MS", "50"))
ORGS = os.environ.get("ORGS", "sales=300,support=50,empty=0")
PASSWORD = "bench-password-123"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Conn:
    """One kept-alive HTTP/1.1 connection; request() answers (status, headers, body, ttfb s)."""

    def __init__(self, port):
        self.port = port
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def send(self, method, path, headers=None, body=b""):
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        for k, v in (headers or {}).items():
            lines.append(f"{k}: {v}")
        if body:
            lines.append(f"Content-Length: {len(body)}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)

    def read(self):
        """Reads one response; answers (status, headers, body, time of its first byte)."""
        first = None
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("connection closed")
            if first is None:
                first = time.perf_counter()
            self.buf += chunk
        if first is None:
            first = time.perf_counter()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        length = int(headers.get("content-length", "0"))
        while len(self.buf) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("connection closed")
            self.buf += chunk
        body, self.buf = self.buf[:length], self.buf[length:]
        return status, headers, body, first

    def request(self, method, path, headers=None, body=b""):
        start = time.perf_counter()
        self.send(method, path, headers, body)
        status, h, b, first = self.read()
        return status, h, b, first - start


def main():
    work = tempfile.mkdtemp(prefix="pe-accounts-bench-")
    procs = []
    try:
        redis_port = free_port()
        procs.append(subprocess.Popen(
            ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL))
        org_port = free_port()
        env_file = os.path.join(work, "env")
        procs.append(subprocess.Popen(
            [BIN, "devorg", "--port", str(org_port), "--orgs", ORGS, "--env-file", env_file],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "devorg.log"), "w")))
        for _ in range(200):
            if os.path.exists(env_file):
                break
            time.sleep(0.05)
        env = dict(line.rstrip("\n").split("=", 1) for line in open(env_file) if "=" in line)
        web_port = free_port()
        web_env = dict(os.environ, **env, REDIS_URL=f"redis://127.0.0.1:{redis_port}",
                       PORT=str(web_port), PRICING_UI_PASSWORD=PASSWORD,
                       PRICING_INVOCATION_AUTH="dev", WEB_ACCESS_LOG="false", LOG_LEVEL="warn")
        procs.append(subprocess.Popen([BIN, "web"], env=web_env, stdout=subprocess.DEVNULL,
                                      stderr=open(os.path.join(work, "web.log"), "w")))
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", web_port)).close()
                break
            except OSError:
                time.sleep(0.05)

        names = env["CONNECTION_NAMES"].split(",")
        api_url = urllib.parse.urlparse(env["HEROKU_APPLINK_API_URL"])
        applink = Conn(api_url.port)
        orgs = []
        for name in names:
            status, _, body, _ = applink.request(
                "GET", f"{api_url.path}/authorizations/{name}",
                {"Authorization": f"Bearer {env['HEROKU_APPLINK_TOKEN']}",
                 "X-App-UUID": env["HEROKU_APP_ID"]})
            assert status == 200, body
            auth = json.loads(body)["org"]
            port = urllib.parse.urlparse(auth["instance_url"]).port
            orgs.append({"name": name, "port": port, "token": auth["user_auth"]["access_token"],
                         "version": auth["api_version"]})
            fault = json.dumps({"latency_ms": LATENCY_MS}).encode()
            status, _, body, _ = Conn(org_port).request(
                "POST", f"/devorg/faults?org={name}", {"Content-Type": "application/json"}, fault)
            assert status == 200, body

        web = Conn(web_port)
        form = urllib.parse.urlencode({"password": PASSWORD, "next": "/"}).encode()
        status, headers, _, _ = web.request(
            "POST", "/login", {"Content-Type": "application/x-www-form-urlencoded"}, form)
        assert status == 303, status
        cookie = headers["set-cookie"].split(";")[0]

        page_soql = ("SELECT Id, Name, BillingCountry, CreatedDate FROM Account "
                     "ORDER BY Name ASC, Id ASC LIMIT 51")
        count_soql = "SELECT COUNT() FROM Account"
        direct = []
        for org in orgs:
            base = f"/services/data/v{org['version']}"
            composite = {"allOrNone": False, "compositeRequest": [
                {"method": "GET", "url": f"{base}/query?q={urllib.parse.quote(q)}",
                 "referenceId": f"query{i}"} for i, q in enumerate((page_soql, count_soql))]}
            direct.append((Conn(org["port"]), f"{base}/composite",
                           {"Authorization": f"Bearer {org['token']}",
                            "Content-Type": "application/json"},
                           json.dumps(composite).encode()))

        def floor_sample():
            start = time.perf_counter()
            for conn, path, headers, body in direct:
                conn.send("POST", path, headers, body)
            waiting = {conn.sock: conn for conn, _, _, _ in direct}
            while waiting:
                ready, _, _ = select.select(list(waiting), [], [], 10)
                for sock in ready:
                    status, _, body, _ = waiting.pop(sock).read()
                    assert status == 200, body
            return time.perf_counter() - start

        def page_sample():
            status, headers, body, ttfb = web.request("GET", "/", {"Cookie": cookie})
            assert status == 200, status
            assert body.count(b'class="panel"') == len(orgs)
            durations = [float(d) for d in
                         re.findall(r"org\d+;dur=([0-9.]+)", headers["server-timing"])]
            return ttfb, max(durations) / 1000

        for _ in range(5):  # warm: credentials fetched, connections open
            page_sample()
            floor_sample()
        results = []
        for run in range(RUNS):
            pages, floors, overheads, insides = [], [], [], []
            for _ in range(SAMPLES):
                floor = floor_sample()
                page, slowest_inside = page_sample()
                pages.append(page)
                floors.append(floor)
                overheads.append(page - floor)
                insides.append(page - slowest_inside)
            row = {k: statistics.median(v) * 1000 for k, v in
                   (("page_ms", pages), ("floor_ms", floors), ("overhead_ms", overheads),
                    ("inside_ms", insides))}
            results.append(row)
            print(f"run {run + 1}: page {row['page_ms']:.2f} ms, floor {row['floor_ms']:.2f} ms, "
                  f"overhead {row['overhead_ms']:.2f} ms, inside {row['inside_ms']:.2f} ms "
                  f"(medians of {SAMPLES})", flush=True)
        summary = {k: statistics.median(r[k] for r in results) for k in results[0]}
        print(f"median of {RUNS} runs: page {summary['page_ms']:.2f} ms, floor "
              f"{summary['floor_ms']:.2f} ms, overhead {summary['overhead_ms']:.2f} ms "
              f"(target < 5 ms), inside {summary['inside_ms']:.2f} ms; orgs {ORGS}, "
              f"latency {LATENCY_MS} ms")
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    sys.exit(main())
