# wrk_lib.sh: what the wrk benchmarks share (sourced, not run): free ports, a scratch directory,
# starting redis-server and the local org, launching a server and timing its first answer,
# stopping it, reading wrk's numbers, medians.

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# scratch: a scratch directory in $work and an empty $pids; on exit, every process in $pids is
# killed (and reaped, so that the shell does not report it as "Killed") and $work removed.
scratch() {
  work=$(mktemp -d)
  pids=()
  trap 'for pid in "${pids[@]}"; do { kill -KILL "$pid" && wait "$pid"; } 2>/dev/null || true; done
        rm -rf "$work"' EXIT
}

# start_redis <port> <dir>: a redis-server on loopback, in the background, with AOF on and
# fsync every second (what the webhook's durability relies on), files and log in <dir>. Sets
# redis_pid and returns once the server answers PING.
start_redis() {
  redis-server --port "$1" --bind 127.0.0.1 --save '' --appendonly yes \
    --appendfsync everysec --dir "$2" >"$2/redis.log" 2>&1 &
  redis_pid=$!
  for _ in $(seq 100); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.05; done
  echo "redis-server did not start: $(cat "$2/redis.log")" >&2
  return 1
}

# start_devorg <bin> <dir> <devorg options...>: the local org in the background (log in
# <dir>/devorg.log, env file <dir>/org.env), LOG_LEVEL=warn. Sets devorg_pid, appends it to $pids
# (so the caller's exit trap stops it) and returns once the env file is written, with its
# variables exported into this shell.
start_devorg() {
  local bin=$1 dir=$2
  shift 2
  LOG_LEVEL=warn "$bin" devorg --port 0 --env-file "$dir/org.env" "$@" >"$dir/devorg.log" 2>&1 &
  devorg_pid=$!
  pids+=("$devorg_pid")
  for _ in $(seq 1200); do [[ -s $dir/org.env ]] && break; sleep 0.05; done
  [[ -s $dir/org.env ]] || { echo "the local org did not start: $(cat "$dir/devorg.log")" >&2; return 1; }
  set -a
  # shellcheck disable=SC1091
  source "$dir/org.env"
  set +a
}

# launch <port> <log> <command...>: starts the server and prints "<pid> <µs from exec to the
# first 200 from GET /healthz>" (python, for a clock finer than a shell loop's).
launch() {
  python3 - "$@" <<'PY'
import socket, subprocess, sys, time
port, log, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
request = b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
t0 = time.perf_counter()
p = subprocess.Popen(cmd, stdout=open(log, "wb"), stderr=subprocess.STDOUT)
while time.perf_counter() - t0 < 5:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(request)
            if s.recv(64).startswith(b"HTTP/1.1 200"):
                print(p.pid, int((time.perf_counter() - t0) * 1e6))
                sys.exit(0)
    except OSError:
        time.sleep(0.0005)
print(p.pid, -1)
sys.exit(1)
PY
}

# Stops the server (SIGTERM) and waits for it to go (it is python's child, not ours).
stop_server() {
  kill -TERM "$1" 2>/dev/null || return 0
  for _ in $(seq 500); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.01
  done
  kill -KILL "$1" 2>/dev/null || true
}

# wrk latency "1.23ms" / "950.00us" / "1.01s" -> microseconds
to_us() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.0f", v }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.0f", v * 1000 }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.0f", v * 1000000 } }'
}

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

