#!/usr/bin/env bash
# The agent's RSS on a real node, secured next to plaintext: figures, not assertions. Runs the dev
# stack's node (cluster config single-node: ZooKeeper, a Kafka broker, the schema registry and the
# console under one agent) twice at the same time, once with AGENT_SECURITY=tls and once plaintext,
# each in a network namespace of its own (so the fixed ports of the catalog collide with nothing), and
# prints the agent's RSS when every service is READY and again after N minutes in which the agent
# probes its services (every probe of the secured node is a TLS handshake) and one service after
# another is restarted. Each agent starts as the image's ENTRYPOINT starts it (image/agent-run.sh:
# the secured node with the secured class-data archive, malloc's arenas capped).
#
#   it/bench/node-rss-bench.sh [--minutes N | --hour] [--restart-every S] [--before] [path/to/agent.jar]
#
# --before adds a third node, secured, started as the image started a secured node before its
# class-data archive was mapped in place (the same flags and archive, relocated at start as the JVM
# does by default: -XX:ArchiveRelocationMode=1), to compare in the same run.
#
# Needs: root (unshare -n, ip), bash, java 17, the agent jar and the service distributions
# (mvn -B -q -DskipTests package: agent/target/agent.jar and image/target/dist). Installs nothing;
# loopback only, inside the namespaces. Everything it makes is in a temp dir, removed at the end.
# A node that cannot run (no root, no namespaces, no distributions) prints that it was skipped, and why.
#
# Env: MINUTES (default 10), RESTART_EVERY (seconds between two restarts, default 60), SAMPLE_EVERY
# (minutes between two printed samples of every agent's RSS during the run, default 5), READY_TIMEOUT
# (seconds to wait for READY, default 600), AGENT_JVM_OPTS (the same flags for every node instead of
# the image's way, image/agent-jvm.sh and image/agent-run.sh).
#
# What is measured: VmRSS (and RssAnon, the part no other process shares) of the agent, PID 1 of its
# node, read from /proc; "at READY" is 5 s after `agent status` first says every service is READY;
# "after" is after the last restart's service is READY again; "max" the largest of the samples taken
# every 10 s in between. Load changes times, hardly RSS. The header (it/bench/lib.sh) says when, at
# which commit, and the machine's load.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
MINUTES=${MINUTES:-10}
RESTART_EVERY=${RESTART_EVERY:-60}
SAMPLE_EVERY=${SAMPLE_EVERY:-5}
BEFORE=
READY_TIMEOUT=${READY_TIMEOUT:-600}
JAR=
while [ $# -gt 0 ]; do
  case $1 in
    --minutes) MINUTES=$2; shift 2 ;;
    --minutes=*) MINUTES=${1#*=}; shift ;;
    --hour) MINUTES=60; shift ;;
    --restart-every) RESTART_EVERY=$2; shift 2 ;;
    --before) BEFORE=yes; shift ;;
    -h|--help) sed -n '2,32p' "$0"; exit 0 ;;
    *) JAR=$1; shift ;;
  esac
done
JAR=${JAR:-$root/agent/target/agent.jar}
DIST=$root/image/target/dist

# shellcheck source=lib.sh
. "$here/lib.sh"
echo "node-rss-bench: $(bench_header)"
echo "node-rss-bench: $MINUTES min of probes and a restart every $RESTART_EVERY s; java $(java -version 2>&1 | head -1)"

skip() { # skip WHY: the whole benchmark cannot run
  echo
  printf '%-12s %s\n' "node" "agent RSS"
  printf '%-12s %s\n' "secured" "SKIPPED: $1"
  printf '%-12s %s\n' "plaintext" "SKIPPED: $1"
  exit 0
}
[ -f "$JAR" ] || skip "no agent jar at $JAR (mvn -B -q -DskipTests package)"
[ -d "$DIST/lib" ] || skip "no service distributions in $DIST (mvn -B -q -DskipTests package)"
command -v java > /dev/null || skip "no java on PATH"
[ "$(id -u)" = 0 ] || skip "not root: each node runs in a network namespace of its own (unshare -n)"
unshare -n true 2> /dev/null || skip "unshare -n does not work here (a container without CAP_SYS_ADMIN?)"
command -v ip > /dev/null || skip "no ip (iproute2) to bring up the namespaces' loopback"

work=$(mktemp -d "${TMPDIR:-/tmp}/node-rss-bench.XXXXXX")
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -INT "$p" 2> /dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 300); do kill -0 "$p" 2> /dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2> /dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

jvm_dir="$(dirname "$JAR")/jvm"
bash "$root/image/agent-jvm.sh" --if-stale "$jvm_dir" "$JAR" >&2
# the "before" node: the secured node's flags, its archive relocated at start as the JVM's default does
grep -v -e ArchiveRelocationMode -e UnlockDiagnosticVMOptions "$jvm_dir/agent-run-tls.jvmopts" > "$work/before.jvmopts"
java -jar "$JAR" ca init --out "$work/ca" --name "node-rss-bench CA" --users app,ops:admin > /dev/null

cli() { # cli NAME ARGS...: the agent CLI against node NAME
  local name=$1; shift
  AGENT_SOCKET="$work/$name.sock" java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "$JAR" "$@"
}
rss() { awk '/^VmRSS/ { r = $2 } /^RssAnon/ { a = $2 } END { if (r) printf "%.1f %.1f", r / 1024, a / 1024; else print "? ?" }' "/proc/$1/status" 2> /dev/null || echo "? ?"; }

start() { # start NAME SECURITY [before]
  local name=$1 security=$2 how=${3:-}
  mkdir -p "$work/$name"
  (
    export AGENT_ROLE=standalone AGENT_CLUSTER_CONFIG=single-node AGENT_CLUSTER_NAME=bench AGENT_FQDN=localhost \
      AGENT_CATALOG="$root/templates/catalog.json" AGENT_TEMPLATES="$root/templates" AGENT_HOME="$DIST" \
      AGENT_DATA_DIR="$work/$name" AGENT_SOCKET="$work/$name.sock" AGENT_MEMORY_MB=2048 AGENT_SECURITY="$security"
    if [ "$security" = tls ]; then
      export AGENT_CA_CERT_FILE="$work/ca/ca.crt" AGENT_CA_KEY_FILE="$work/ca/ca.key" AGENT_USERS_FILE="$work/ca/users"
    fi
    if [ -n "${AGENT_JVM_OPTS:-}" ]; then
      # shellcheck disable=SC2086
      exec unshare -n bash -c 'ip link set lo up && exec "$@"' bench java $AGENT_JVM_OPTS -jar "$JAR" run
    elif [ "$how" = before ]; then
      export MALLOC_ARENA_MAX=2 # as image/agent-run.sh does
      exec unshare -n bash -c 'ip link set lo up && exec "$@"' bench java @"$work/before.jvmopts" -jar "$JAR" run
    fi
    exec unshare -n bash -c 'ip link set lo up && exec "$@"' bench bash "$root/image/agent-run.sh" "$jvm_dir" "$JAR"
  ) > "$work/$name.log" 2>&1 &
  pids+=($!)
  eval "pid_$name=$!"
}

wait_ready() { # wait_ready NAME PID: until every service is READY (0), or the agent ended or the time ran out (1)
  local end=$((SECONDS + READY_TIMEOUT))
  while [ $SECONDS -lt $end ]; do
    kill -0 "$2" 2> /dev/null || return 1
    cli "$1" status > /dev/null 2>&1 && return 0
    sleep 2
  done
  return 1
}

declare -A ready_rss after_rss max_rss why restarts ready_s
nodes=(secured plaintext)
t0=$SECONDS
start secured tls
start plaintext plaintext
if [ -n "$BEFORE" ]; then
  nodes+=(before)
  start before tls before
fi
for n in "${nodes[@]}"; do
  p=pid_$n
  if wait_ready "$n" "${!p}"; then
    ready_s[$n]=$((SECONDS - t0))
    sleep 5
    ready_rss[$n]=$(rss "${!p}")
    max_rss[$n]=${ready_rss[$n]%% *}
    restarts[$n]=0
  else
    why[$n]="not READY within $READY_TIMEOUT s: $(tail -2 "$work/$n.log" | tr '\n' ' ' | cut -c1-200)"
  fi
done

services=(kafka-broker schema-registry control-center zookeeper)
start_s=$SECONDS
end=$((SECONDS + MINUTES * 60))
next_restart=$((SECONDS + RESTART_EVERY))
next_sample=$((SECONDS + SAMPLE_EVERY * 60))
k=0
echo
echo "samples: minutes since READY, then each node's agent RSS [anonymous] in MiB"
sample() {
  local line n p r
  line=$(printf '%5.1f min' "$(awk -v s=$((SECONDS - start_s)) 'BEGIN { print s / 60 }')")
  for n in "${nodes[@]}"; do
    p=pid_$n
    if [ -n "${why[$n]:-}" ]; then line="$line  $n -"; continue; fi
    r=$(rss "${!p}")
    line="$line  $n ${r% *} [${r#* }]"
  done
  echo "$line  (load $(cut -d' ' -f1 /proc/loadavg))"
}
sample
while [ $SECONDS -lt $end ]; do
  sleep 10
  for n in "${nodes[@]}"; do
    [ -z "${why[$n]:-}" ] || continue
    p=pid_$n
    r=$(rss "${!p}"); r=${r%% *}
    [ "$r" = "?" ] && { why[$n]="the agent ended during the run: $(tail -2 "$work/$n.log" | tr '\n' ' ' | cut -c1-200)"; continue; }
    awk -v a="$r" -v b="${max_rss[$n]}" 'BEGIN { exit !(a > b) }' && max_rss[$n]=$r
  done
  if [ $SECONDS -ge $next_restart ] && [ $SECONDS -lt $((end - 30)) ]; then
    s=${services[$((k % ${#services[@]}))]}; k=$((k + 1))
    for n in "${nodes[@]}"; do
      [ -z "${why[$n]:-}" ] || continue
      cli "$n" restart "$s" > /dev/null 2>&1 && restarts[$n]=$((restarts[$n] + 1))
    done
    next_restart=$((SECONDS + RESTART_EVERY))
  fi
  if [ $SECONDS -ge $next_sample ]; then
    sample
    next_sample=$((SECONDS + SAMPLE_EVERY * 60))
  fi
done
for n in "${nodes[@]}"; do
  [ -z "${why[$n]:-}" ] || continue
  p=pid_$n
  if wait_ready "$n" "${!p}"; then
    sleep 5
    after_rss[$n]=$(rss "${!p}")
  else
    why[$n]="not READY again after the run: $(tail -2 "$work/$n.log" | tr '\n' ' ' | cut -c1-200)"
  fi
done

echo
echo "agent (PID 1 of the node) RSS in MiB, anonymous in brackets; load now $(cut -d' ' -f1-3 /proc/loadavg)"
row='%-10s %-16s %-18s %-22s %-12s %s\n'
printf "$row" node "READY after (s)" "RSS at READY" "RSS after $MINUTES min" "max (RSS)" restarts
for n in "${nodes[@]}"; do
  if [ -n "${why[$n]:-}" ] && [ -z "${ready_rss[$n]:-}" ]; then
    printf '%-10s SKIPPED: %s\n' "$n" "${why[$n]}"
    continue
  fi
  a=${ready_rss[$n]}; b=${after_rss[$n]:-}
  printf "$row" "$n" "${ready_s[$n]}" "${a% *} [${a#* }]" "$([ -n "$b" ] && echo "${b% *} [${b#* }]" || echo "n/a")" "${max_rss[$n]}" "${restarts[$n]}"
  [ -z "${why[$n]:-}" ] || printf '%-10s   (then: %s)\n' "" "${why[$n]}"
done
echo "(single-node: the services its catalog gives a standalone node; restarted in turn: ${services[*]})"
if [ -n "$BEFORE" ]; then
  echo "(before: secured, its class-data archive relocated at start, the JVM's default, where the others map theirs in place)"
fi
echo "($(bench_header))"
