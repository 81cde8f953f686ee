#!/usr/bin/env bash
# Slow-client benchmark: figures, not assertions. How fast the agent's /livez and /readyz and the
# console's /livez answer a fresh connection while a crowd of idle and half-sent connections is held
# open (and re-opened when the server closes them), next to the same figures with no crowd, in one run.
#
#   it/bench/slow-clients.sh [path/to/agent.jar] [path/to/agent-console.jar]
#
# Needs: a JDK/JRE 17 `java`, python3, the agent jars (mvn -B -pl agent package -DskipTests). Traffic
# goes to loopback only (the crowd from 127.0.0.1, or spread over 127.0.0.2-9 for "several addresses").
#
# Env:
#   CROWD     idle + half-sent connections held open (default 200: half send nothing, half half a head)
#   REQUESTS  fresh-connection requests timed per figure (default 300)
#   AGENT_JVM_OPTS  the agent's JVM flags (default: the image's, written by image/agent-jvm.sh)
#
# Printed per server and crowd: p50, p99 and max latency of a fresh connection's request (connect to
# last byte), failures, and the server's thread count and RSS at the end of the run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
JAR=${1:-$here/../../agent/target/agent.jar}
CONSOLE_JAR=${2:-$(ls "$here"/../../agent/target/agent-*-console.jar 2>/dev/null | head -1)}
CROWD=${CROWD:-200}
REQUESTS=${REQUESTS:-300}

die() { echo "slow-clients: $*" >&2; exit 2; }
[ -f "$JAR" ] || die "no agent jar at $JAR (mvn -B -pl agent package -DskipTests, or pass its path)"
[ -f "$CONSOLE_JAR" ] || die "no console jar (agent/target/agent-*-console.jar)"
command -v java >/dev/null || die "no java on PATH"
command -v python3 >/dev/null || die "no python3 on PATH"

if [ -z "${AGENT_JVM_OPTS:-}" ]; then
  # the image's flags and class-data archive (image/agent-jvm.sh), made for this jar and this JVM
  jvm_dir="$(dirname "$JAR")/jvm"
  bash "$here/../../image/agent-jvm.sh" --if-stale "$jvm_dir" "$JAR" >&2
  AGENT_JVM_OPTS="@$jvm_dir/agent-run.jvmopts"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/slow-clients.XXXXXX")
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ---- the agent: one idle service, HTTP on a free port
agent_port=$(free_port)
mkdir -p "$work/templates" "$work/data"
cat > "$work/catalog.json" <<'JSON'
{ "roles": [ { "id": "node", "cardinality": "1" } ],
  "services": [ { "id": "idle", "command": ["sleep", "3600"], "stop": { "signal": "TERM", "grace": "5s" } } ],
  "clusterConfigs": [ { "id": "bench", "assignments": { "node": ["idle"] } } ] }
JSON
AGENT_SOCKET="$work/agent.sock" AGENT_HTTP_PORT=$agent_port AGENT_HTTP_BIND=0.0.0.0 \
  java $AGENT_JVM_OPTS -jar "$JAR" run --catalog "$work/catalog.json" --templates "$work/templates" \
  --data-dir "$work/data" --role node --cluster-config bench --fqdn localhost > "$work/agent.log" 2>&1 &
agent_pid=$!
pids+=("$agent_pid")

# ---- the console: no cluster behind it; /livez answers regardless
console_port=$(free_port)
cat > "$work/console.properties" <<PROPS
listen.host=0.0.0.0
listen.port=$console_port
cluster.name=bench
bootstrap.servers=127.0.0.1:1
schema.registry.url=
zookeeper.connect=
agents=
request.timeout.ms=500
PROPS
java -Xmx128m -XX:+UseSerialGC -cp "$CONSOLE_JAR" dev.dockhand.agent.cli.Main console --config "$work/console.properties" \
  > "$work/console.log" 2>&1 &
console_pid=$!
pids+=("$console_pid")

. "$here/lib.sh"
bench_header
python3 - "$agent_port" "$console_port" "$CROWD" "$REQUESTS" "$agent_pid" "$console_pid" <<'PY'
import socket, sys, threading, time, selectors, os

agent_port, console_port, crowd, requests, agent_pid, console_pid = map(int, sys.argv[1:])

def await_port(port, what):
    end = time.time() + 60
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
                if s.recv(12).startswith(b"HTTP/1.1"):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit(f"slow-clients: {what} did not answer on {port} within 60 s")

class Crowd:
    """n connections, half silent, half half-sent; each re-opened when the server closes it."""
    def __init__(self, port, n, sources):
        self.port, self.n, self.sources = port, n, sources
        self.sel = selectors.DefaultSelector()
        self.stop = False
        self.reopened = 0
        for i in range(n):
            self.open(i)
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()
    def open(self, i):
        try:
            s = socket.socket()
            if self.sources:
                s.bind((self.sources[i % len(self.sources)], 0))
            s.connect(("127.0.0.1", self.port))
            if i % 2:
                s.sendall(b"GET /livez HTTP/1.1\r\nX-Slow: ")
            s.setblocking(False)
            self.sel.register(s, selectors.EVENT_READ, i)
        except OSError:
            pass
    def run(self):
        while not self.stop:
            for key, _ in self.sel.select(timeout=0.2):
                s, i = key.fileobj, key.data
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    self.sel.unregister(s); s.close(); self.reopened += 1
                    if not self.stop:
                        self.open(i)
    def close(self):
        self.stop = True
        self.t.join()
        for key in list(self.sel.get_map().values()):
            key.fileobj.close()

def timed(port, path, n):
    lat, failed = [], 0
    for _ in range(n):
        t0 = time.perf_counter()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.settimeout(5)
                s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                buf = b""
                while True:
                    b = s.recv(4096)
                    if not b:
                        break
                    buf += b
            if not buf.startswith(b"HTTP/1.1 200") and not buf.startswith(b"HTTP/1.1 503"):
                failed += 1
                continue
            lat.append((time.perf_counter() - t0) * 1000)
        except OSError:
            failed += 1
    lat.sort()
    pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] if lat else float("nan")
    return pick(0.5), pick(0.99), (lat[-1] if lat else float("nan")), failed

def proc(pid):
    st = open(f"/proc/{pid}/status").read()
    get = lambda k: [l.split()[1] for l in st.splitlines() if l.startswith(k)][0]
    return int(get("Threads:")), int(get("VmRSS:")) / 1024

await_port(agent_port, "the agent")
await_port(console_port, "the console")
print(f"{'server':<16} {'path':<8} {'crowd':<22} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'failed':>7} {'threads':>8} {'RSS MiB':>8}")
several = [f"127.0.0.{i}" for i in range(2, 10)]
for name, port, pid, paths in (("agent", agent_port, agent_pid, ("/livez", "/readyz")),
                                ("console", console_port, console_pid, ("/livez",))):
    for label, n, sources in (("none", 0, []), (f"{crowd} from one address", crowd, []),
                              (f"{crowd} from 8 addresses", crowd, several)):
        c = Crowd(port, n, sources) if n else None
        time.sleep(0.5 if n else 0)
        for path in paths:
            p50, p99, mx, failed = timed(port, path, requests)
            threads, rss = proc(pid)
            print(f"{name:<16} {path:<8} {label:<22} {p50:8.1f} {p99:8.1f} {mx:8.1f} {failed:7d} {threads:8d} {rss:8.1f}")
        if c:
            c.close()
PY
