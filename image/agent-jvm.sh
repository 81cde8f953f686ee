#!/usr/bin/env bash
# The agent's JVM set-up, in one place for the image, the local dev stack and the test harness:
#
#   image/agent-jvm.sh [--if-stale] OUTDIR [AGENT_JAR]
#
# (--if-stale: do nothing when OUTDIR's flag files are newer than the jar and this script, as the
# dev stack, the benchmarks and the test harness call it before every start)
#
# writes into OUTDIR
#   agent-run.jvmopts  java @argfile for PID 1 (`java @OUTDIR/agent-run.jvmopts -jar agent.jar run`)
#   agent-cli.jvmopts  java @argfile for the short-lived CLI (`agent status`, `agent health`, ...)
#   agent-run.jsa, agent-cli.jsa   class-data archives of exactly the classes each path loads
#   agent-run-tls.jvmopts, agent-run-tls.jsa   the same for PID 1 of a secured node (AGENT_SECURITY=tls,
#                                  or a cluster config secured by default): its path with TLS trained too
#   native/libjnidispatch.so       JNA's native part, so that no JVM unpacks it at start
# and prints one line saying what it made. It never fails for want of an archive: without one the
# flag files simply do not name it. Needs bash, java 17 (`java` on PATH, or $JAVA), the agent jar,
# `sleep` and `true`; uses a temp dir and loopback only (the training agent's HTTP endpoints on
# 127.0.0.1). Every JVM it starts runs with a clean environment: nothing of the caller's AGENT_*,
# service overrides or JAVA_TOOL_OPTIONS reaches the training.
#
# Why: the agent is PID 1 of every container and must stay small. Its RSS is mostly the JVM's class
# data: the JDK's default archive is relocated at start (and so all of it is resident), whatever the
# agent uses of it. An archive of only the classes the agent loads, dumped from a training run of that
# path, is smaller than the default one and needs no class parsing or verification at start (docs/figures.md). The flags, one per line so the files read as a list:
#   -XX:+UseSerialGC -Xms4m -Xmx32m         one GC thread; the agent's live data is about 2 MiB
#   run: -Xmn512k, cli: -Xmn1m               young generation: PID 1 allocates little once started, and
#                                            every page of eden it cycles through stays resident
#   run: -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30
#                                            the old generation is sized to its live data after each full
#                                            collection (10-30 % free, not 40-70 %): a secured node
#                                            allocates about 1.7 MiB/s (a TLS handshake per probe) and
#                                            its old generation grew to 12-15 MiB for 4-5 MiB live (ADR 005)
#   -Xss512k                                 the agent's threads are shallow
#   -XX:StringTableSize=4096                 the interned-string table starts at 4096 buckets, not
#                                            65536 (0.5 MiB); it grows by itself if ever needed
#   -XX:-UsePerfData                         no /tmp/hsperfdata mmap per JVM (jcmd works by pid)
#   run: -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:ReservedCodeCacheSize=8m
#        -XX:Tier3*Threshold (ten times the defaults)
#                                            C1 only, one compiler thread, a small code cache: a
#                                            secured node's probes are TLS handshakes, whose elliptic-
#                                            curve arithmetic is about 4x slower interpreted (ADR 005);
#                                            thresholds ten times the defaults, so that only what is
#                                            really hot (that arithmetic) is compiled: 0.9 MiB less RSS
#   cli: -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1   C1 only: quick for a short-lived JVM
#   run: -XX:TrimNativeHeapInterval=10000    hand glibc's free malloc memory back to the system every 10 s
#                                            (where the JVM has the flag: 17.0.9 and later): a secured
#                                            node's handshakes leave freed memory in malloc's arenas,
#                                            1.7 MiB of its RSS at READY (jcmd System.trim_native_heap;
#                                            ADR 005); image/agent-run.sh also caps the arenas at 2
#   -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0
#                                            map the agent's archive at the address it was dumped for
#                                            (where the JVM has the flag and does not already do so):
#                                            17.0.15 relocates every archive at start by default, which
#                                            writes a pointer in nearly every page of it, so all of it is
#                                            resident; mapped in place, only the pages the agent reads
#                                            are: 3-4 MiB less RSS on a secured node (ADR 005 says what
#                                            this gives up: the archive's address is not randomized)
#   -Djna.boot.library.path, -Djna.nounpack  load JNA's native part from OUTDIR/native; never write it
#                                            to a temp dir (read-only or noexec /tmp works)
set -euo pipefail

if_stale=
if [ "${1:-}" = --if-stale ]; then if_stale=yes; shift; fi
out=${1:?usage: agent-jvm.sh [--if-stale] OUTDIR [AGENT_JAR]}
here=$(cd "$(dirname "$0")" && pwd)
jar=${2:-$here/../agent/target/agent.jar}
java=${JAVA:-java}
mkdir -p "$out"
out=$(cd "$out" && pwd)
jar=$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")
[ -f "$jar" ] || { echo "agent-jvm.sh: no agent jar at $jar" >&2; exit 2; }
if [ -n "$if_stale" ] && [ "$out/agent-run.jvmopts" -nt "$jar" ] && [ "$out/agent-run.jvmopts" -nt "$0" ] \
    && [ "$out/agent-cli.jvmopts" -nt "$jar" ] && [ -f "$out/agent-run-tls.jvmopts" ]; then
  exit 0
fi
# the work takes seconds (a training run of the agent): say so before, not only after
echo "agent-jvm.sh: making the agent's JVM flags and class-data archives in $out (a few seconds)..." >&2

# Every JVM below runs with a clean environment: only what finding java and a temp dir needs. The
# caller's may be a secured node's (AGENT_SECURITY, AGENT_CA_*, AGENT_USERS_FILE: the dev stack's
# AGENT_SECURITY=tls made every training run fail, and the node ran without archives after 90 s of
# tries), name another catalog, socket or data dir, or carry service overrides (KAFKA_CFG_*,
# JAVA_TOOL_OPTIONS): any of them would change the path trained or make the training fail.
clean=(env -i PATH="${PATH:-/usr/local/bin:/usr/bin:/bin}" HOME="${HOME:-/tmp}" TMPDIR="${TMPDIR:-/tmp}")
[ -n "${JAVA_HOME:-}" ] && clean+=(JAVA_HOME="$JAVA_HOME")
[ -n "${LANG:-}" ] && clean+=(LANG="$LANG")

common=(-XX:+UseSerialGC -Xms4m -Xmx32m -Xss512k -XX:MaxMetaspaceSize=64m -XX:StringTableSize=4096 -XX:-UsePerfData)
run_flags=("${common[@]}" -Xmn512k -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:ReservedCodeCacheSize=8m
  -XX:Tier3InvocationThreshold=2000 -XX:Tier3MinInvocationThreshold=1000 -XX:Tier3CompileThreshold=20000
  -XX:Tier3BackEdgeThreshold=600000)
cli_flags=("${common[@]}" -Xmn1m -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:ReservedCodeCacheSize=16m)
# an older JVM that has no such flag refuses to start with it: PID 1 then runs without
if "${clean[@]}" "$java" -XX:TrimNativeHeapInterval=10000 -version > /dev/null 2>&1; then
  run_flags+=(-XX:TrimNativeHeapInterval=10000)
fi
# an archive mapped where it was dumped, not relocated (falls back to relocating if that address is
# taken); the flag is diagnostic in 17 and absent from some JVMs: only where this JVM takes it
in_place=(-XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0)
if "${clean[@]}" "$java" "${in_place[@]}" -version > /dev/null 2>&1; then
  run_flags+=("${in_place[@]}")
  cli_flags+=("${in_place[@]}")
fi

# JNA's native library for this platform, copied out of the jar once
rm -rf "$out/native"
if "${clean[@]}" "$java" -Xshare:auto -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$jar" dev.dockhand.agent.linux.JnaNativeExport \
    "$out/native" > /dev/null; then
  chmod 0755 "$out/native"
  chmod 0644 "$out/native/libjnidispatch.so"
  jna=(-Djna.boot.library.path="$out/native" -Djna.nounpack=true)
else
  rm -rf "$out/native"
  # JNA unpacks its library at start, by default under ~/.cache; /tmp is what a container has
  jna=(-Djna.tmpdir=/tmp)
fi
run_flags+=("${jna[@]}")
cli_flags+=("${jna[@]}")

work=$(mktemp -d "${TMPDIR:-/tmp}/agent-jvm.XXXXXX")
agent_pid=
cleanup() {
  if [ -n "$agent_pid" ]; then kill -KILL "$agent_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Training: PID 1's path as every node walks it (catalog, a node list, templates with macros,
# render, start, exec and TCP probes, a dependency, the control socket and HTTP endpoints, a clean
# stop), then the CLI's (`agent status` against it). What each path touches here is archived and
# needs no class loading, lambda spinning or method-handle generation at a real start. What only
# some roles use (the HTTP probe's client, on the registry and console nodes) is left out: the
# whole archive is resident in every agent, a class loaded at run time only where it is used.
# A secured node's path is trained in a second run into an archive of its own (agent-run-tls): a
# throw-away CA made by `agent ca init`, the node's key and certificates issued and written, its
# probes over TLS (an HTTPS probe of the console, serving with the node's certificate). Its 1,100
# classes more would cost a plaintext node 7 MiB: the JVM maps the archive at a random address and
# relocates every page of it, so all of it is resident (ADR 005).
mkdir -p "$work/templates/first" "$work/templates/console"
cat > "$work/templates/first/first.properties" <<'PROPS'
node.id=@@ID@@
host=@@HOST@@
cluster.id=@@CLUSTER_ID@@
agents=@@AGENT_ENDPOINTS@@
PROPS
# the secured run's HTTPS server: the console (agent-console.jar, beside the agent jar in the image and
# in image/target/dist), with the node's certificate, and a Kafka that is not there (its page is not
# asked for; /livez answers without it). Without that jar the secured run probes exec and TCP only.
cat > "$work/templates/console/console.properties" <<'PROPS'
listen.host=127.0.0.1
listen.port=@@SERVICE_PORT@@
listen.tls.certificate=@@TLS_DIR@@/node.crt
listen.tls.key=@@TLS_DIR@@/node.key
login.users=@@TLS_DIR@@/users.hashed
bootstrap.servers=127.0.0.1:9
PROPS
console_jar=$(dirname "$jar")/agent-console.jar
[ -f "$console_jar" ] || console_jar=$(ls "$(dirname "$jar")"/agent-*-console.jar 2>/dev/null | head -1)
write_catalog() { # write_catalog HTTP_PORT CONSOLE_PORT
  cat > "$work/catalog.json" <<JSON
{ "roles": [ { "id": "node", "cardinality": "1+" } ],
  "services": [
    { "id": "first", "command": ["sleep", "600"], "templates": [ { "source": "first/first.properties", "target": "first/first.properties" } ],
      "health": { "type": "exec", "command": ["true"], "interval": "100ms" }, "stop": { "signal": "TERM", "grace": "5s" } },
    { "id": "second", "port": $1, "command": ["sleep", "600"],
      "health": { "type": "tcp", "interval": "100ms" }, "stop": { "signal": "TERM", "grace": "5s" } },
    { "id": "third", "command": ["sleep", "600"],
      "health": { "type": "http", "port": $1, "path": "/livez", "expectBody": "ok", "interval": "100ms" },
      "stop": { "signal": "TERM", "grace": "5s" } },
    { "id": "console", "port": $2, "command": ["@@JAVA@@", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx64m",
        "-XX:-UsePerfData", "-cp", "$console_jar", "dev.dockhand.agent.cli.Main", "console", "--config", "@@CONF_DIR@@/console/console.properties"],
      "templates": [ { "source": "console/console.properties", "target": "console/console.properties" } ],
      "health": { "type": "http", "path": "/livez", "interval": "100ms", "startupTimeout": "60s" },
      "stop": { "signal": "TERM", "grace": "5s" } } ],
  "clusterConfigs": [ { "id": "train", "assignments": { "node": ["first", "second", "third"] } },
    { "id": "train-tls", "security": "tls", "assignments": { "node": ["first", "second"$([ -n "$console_jar" ] && echo ', "console"')] } } ],
  "autogen": [ { "file": "first/first.properties", "pattern": "@@ID@@", "macro": "UNIQUE_SELF_NODE_INT" },
               { "file": "first/first.properties", "pattern": "@@HOST@@", "macro": "GET_NODE_FQDN" } ],
  "startOrder": [ { "service": "first", "waitFor": [] }, { "service": "second", "waitFor": ["first"] },
                  { "service": "console", "waitFor": ["first"] } ] }
JSON
}

# train TRIES NAME CLUSTER_CONFIG [ENV...]: one training run of `agent run` (and `agent status` against it)
# until every service is READY (`agent status` exits 0); writes $work/NAME-run.classlist and
# NAME-cli.classlist and returns 0 when it got that far. Each try is bounded in time, not in tries:
# each starts a JVM, slow on a busy machine; a port someone else holds ends a try at once.
train() {
  local tries=$1 name=$2 config=$3 attempt port trained= deadline
  shift 3
  for ((attempt = 1; attempt <= tries; attempt++)); do
    port=$((20000 + RANDOM % 30000))
    write_catalog "$port" "$((port + 1))"
    rm -rf "$work/agent.sock" "$work/data-$name"
    (
      cd "$work"
      exec "${clean[@]}" AGENT_SOCKET="$work/agent.sock" AGENT_HTTP_PORT="$port" AGENT_HTTP_BIND=127.0.0.1 \
        AGENT_NODES="node=localhost,other.invalid" AGENT_CLUSTER_NAME=train AGENT_MEMORY_MB=1024 "$@" \
        "$java" "${run_flags[@]}" -XX:DumpLoadedClassList="$work/$name-run.classlist" -jar "$jar" run \
        --catalog "$work/catalog.json" --templates "$work/templates" --data-dir "$work/data-$name" \
        --role node --cluster-config "$config" --fqdn localhost > "$work/$name.log" 2>&1
    ) &
    agent_pid=$!
    deadline=$((SECONDS + 30))
    while [ "$SECONDS" -lt "$deadline" ]; do
      if "${clean[@]}" AGENT_SOCKET="$work/agent.sock" "$java" "${cli_flags[@]}" \
          -XX:DumpLoadedClassList="$work/$name-cli.classlist" -jar "$jar" status > /dev/null 2>&1; then
        trained=yes
        break
      fi
      kill -0 "$agent_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -TERM "$agent_pid" 2>/dev/null || true
    deadline=$((SECONDS + 30))
    while [ "$SECONDS" -lt "$deadline" ]; do kill -0 "$agent_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$agent_pid" 2>/dev/null || true
    wait "$agent_pid" 2>/dev/null || true
    agent_pid=
    [ -n "$trained" ] && return 0
  done
  return 1
}

trained= secured=
if train 3 plain train; then
  trained=yes
  # the secured path: a CA of its own (never the caller's), then a node of a cluster config marked tls;
  # one try only (its ports were free a moment ago), so that the whole script stays within about 2 min
  if "${clean[@]}" "$java" -Xshare:auto -XX:TieredStopAtLevel=1 -jar "$jar" ca init --out "$work/ca" \
      --name "agent-jvm training" --users train > "$work/ca.log" 2>&1 \
      && train 1 tls train-tls AGENT_SECURITY=tls AGENT_CA_CERT_FILE="$work/ca/ca.crt" \
        AGENT_CA_KEY_FILE="$work/ca/ca.key" AGENT_USERS_FILE="$work/ca/users"; then
    # both runs' classes, each once: what a secured node loads before its first handshake too
    cat "$work/plain-run.classlist" "$work/tls-run.classlist" | awk '!seen[$0]++' > "$work/run-tls.classlist"
    secured=yes
  fi
fi

archive() { # archive NAME CLASSLIST FLAGS...: dumps OUTDIR/NAME.jsa, prints its path or nothing
  local name=$1 list=$2
  shift 2
  rm -f "$out/$name.jsa"
  if [ -s "$list" ] && "${clean[@]}" "$java" "$@" -Xshare:dump -XX:SharedClassListFile="$list" \
      -XX:SharedArchiveFile="$out/$name.jsa" -cp "$jar" > "$work/$name.dump.log" 2>&1 && [ -s "$out/$name.jsa" ]; then
    chmod 0644 "$out/$name.jsa"
    echo "$out/$name.jsa"
  else
    rm -f "$out/$name.jsa"
  fi
}
run_jsa= cli_jsa= tls_jsa=
if [ -n "$trained" ]; then
  run_jsa=$(archive agent-run "$work/plain-run.classlist" "${run_flags[@]}")
  cli_jsa=$(archive agent-cli "$work/plain-cli.classlist" "${cli_flags[@]}")
fi
if [ -n "$secured" ]; then
  tls_jsa=$(archive agent-run-tls "$work/run-tls.classlist" "${run_flags[@]}")
fi
tls_flags=("${run_flags[@]}")
[ -n "$run_jsa" ] && run_flags+=(-XX:SharedArchiveFile="$run_jsa" -Xshare:auto)
[ -n "$cli_jsa" ] && cli_flags+=(-XX:SharedArchiveFile="$cli_jsa" -Xshare:auto)
# without a secured archive of its own, a secured node uses the plaintext one
if [ -n "$tls_jsa" ]; then tls_flags+=(-XX:SharedArchiveFile="$tls_jsa" -Xshare:auto); else tls_flags=("${run_flags[@]}"); fi

printf '%s\n' "${run_flags[@]}" > "$out/agent-run.jvmopts.tmp" && mv "$out/agent-run.jvmopts.tmp" "$out/agent-run.jvmopts"
printf '%s\n' "${tls_flags[@]}" > "$out/agent-run-tls.jvmopts.tmp" && mv "$out/agent-run-tls.jvmopts.tmp" "$out/agent-run-tls.jvmopts"
printf '%s\n' "${cli_flags[@]}" > "$out/agent-cli.jvmopts.tmp" && mv "$out/agent-cli.jvmopts.tmp" "$out/agent-cli.jvmopts"
chmod 0644 "$out/agent-run.jvmopts" "$out/agent-run-tls.jvmopts" "$out/agent-cli.jvmopts"
if [ -n "$run_jsa" ] && [ -n "$cli_jsa" ] && [ -n "$tls_jsa" ]; then
  echo "agent-jvm.sh: $out/agent-run.jvmopts, agent-run-tls.jvmopts and agent-cli.jvmopts, with class-data archives"
elif [ -n "$run_jsa" ] && [ -n "$cli_jsa" ]; then
  echo "agent-jvm.sh: $out/agent-run.jvmopts, agent-run-tls.jvmopts and agent-cli.jvmopts, with class-data archives, the secured path's left out (its training failed: $(cat "$work/ca.log" "$work/tls.log" 2>/dev/null | tail -3 | tr '\n' ' '))" >&2
else
  echo "agent-jvm.sh: $out/agent-run.jvmopts, agent-run-tls.jvmopts and agent-cli.jvmopts, WITHOUT class-data archives (training failed: $(tail -3 "$work/plain.log" 2>/dev/null | tr '\n' ' '))" >&2
fi
