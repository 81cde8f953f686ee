#!/usr/bin/env bash
# Supervisor benchmark: figures, not assertions. Runs the agent (as `agent run` on a small catalog of
# bash services, and as `agent run -- CMD`) and tini side by side in one run and prints a table.
#
#   it/bench/supervisor-bench.sh [path/to/agent.jar]
#
# Needs: bash 5 (EPOCHREALTIME), a JDK/JRE 17 `java`, the agent jar (mvn -pl agent package), and tini
# (Debian: apt-get install -y tini). Installs nothing. Runs as any user; no network besides loopback
# (the agent's HTTP endpoints listen on 127.0.0.1 at a random port).
#
# Env:
#   AGENT_JVM_OPTS   the agent's JVM flags (default: the image's, written by image/agent-jvm.sh)
#   RUNS             repetitions of each timing; the median is printed (default 5)
#   LAG_RUNS         repetitions of the readiness lag, which spreads over a probe interval (default 10)
#   PROBE_INTERVAL   exec probe interval of the readiness-lag measurement (default 500ms, the shipped
#                    catalog's; while a service starts the agent probes every min(interval, 100 ms))
#
# What is measured (timestamps are the services' own $EPOCHREALTIME, so no `date` fork is counted):
#   RSS             VmRSS of the agent (or tini) 2 s after its services started, idle `sleep` services
#   start -> exec   from just before `java -jar agent.jar run` is started to the first service's first line
#   crash -> retry  from the last line of a service that exits 1 to the first line of its restart
#   ready -> dep    from the moment a dependency's exec probe (test -f marker) can first pass (a random
#                   1-2 s after its start, so that it is not in step with the probes) to the
#                   dependent's first line; "(after READY log)" is from the agent's READY log line
#   SIGTERM -> exit from kill -TERM to the agent's (or tini's) exit, one `sleep` service
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
JAR=${1:-$here/../../agent/target/agent.jar}
RUNS=${RUNS:-5}
PROBE_INTERVAL=${PROBE_INTERVAL:-500ms}
LAG_RUNS=${LAG_RUNS:-$((RUNS < 10 ? 10 : RUNS))}
if [ -z "${AGENT_JVM_OPTS:-}" ]; then
  # the image's flags and class-data archive (image/agent-jvm.sh), made for this jar and this JVM
  jvm_dir="$(dirname "$JAR")/jvm"
  bash "$here/../../image/agent-jvm.sh" --if-stale "$jvm_dir" "$JAR" >&2
  AGENT_JVM_OPTS="@$jvm_dir/agent-run.jvmopts"
fi

die() { echo "supervisor-bench: $*" >&2; exit 2; }
[ -f "$JAR" ] || die "no agent jar at $JAR (mvn -B -pl agent package -DskipTests, or pass its path)"
command -v java >/dev/null || die "no java on PATH (a JRE 17)"
command -v tini >/dev/null || die "no tini on PATH (Debian: apt-get install -y tini)"
[ -n "${EPOCHREALTIME:-}" ] || die "bash 5 needed (EPOCHREALTIME)"

work=$(mktemp -d "${TMPDIR:-/tmp}/supervisor-bench.XXXXXX")
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }
# the line a service writes first: microseconds since the epoch
STAMP='echo ${EPOCHREALTIME/./}'

# wait_for FILE [LINES] [SECONDS]: until FILE has LINES lines (bounded)
wait_for() {
  local file=$1 lines=${2:-1} limit=${3:-30} end=$((SECONDS + ${3:-30}))
  while [ "$( { [ -f "$file" ] && wc -l < "$file"; } || echo 0)" -lt "$lines" ]; do
    [ $SECONDS -lt $end ] || die "timed out ($limit s) waiting for $lines line(s) in $file; agent log: $(tail -5 "$(dirname "$file")/agent.log" 2>/dev/null)"
    sleep 0.01
  done
}

rss_mb() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
# the part of the RSS no other process shares (the rest: libjvm.so and the JDK's CDS archive, file pages
# that the services' JVMs in the same container map too)
anon_mb() { awk '/^RssAnon/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) { print "?"; exit } m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.0f", m }'; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

# catalog DIR SERVICES_JSON ASSIGNED_IDS_JSON START_ORDER_JSON
catalog() {
  mkdir -p "$1/templates"
  cat > "$1/catalog.json" <<JSON
{ "roles": [ { "id": "node", "cardinality": "1" } ],
  "services": [ $2 ],
  "clusterConfigs": [ { "id": "bench", "assignments": { "node": $3 } } ],
  "startOrder": [ $4 ] }
JSON
}

# service ID SCRIPT [HEALTH_JSON] [RESTART_JSON]: one service's JSON (script quoted for JSON)
service() {
  local script=${2//\\/\\\\}
  script=${script//\"/\\\"}
  printf '{ "id": "%s", "command": ["bash", "-c", "%s"], "health": %s, "restart": %s, "stop": { "signal": "TERM", "grace": "10s" } }' \
    "$1" "$script" "${3:-{ \"type\": \"none\" \}}" "${4:-{ \"policy\": \"always\", \"initialBackoff\": \"1s\" \}}"
}

# start_agent DIR: starts `agent run` in DIR (its working and data dir); sets AGENT_PID and T0 (us)
start_agent() {
  local dir=$1
  cd "$dir"
  T0=$(now_us)
  # HTTP on, as shipped, on loopback and a random port (a port in use ends the run with a clear error)
  # shellcheck disable=SC2086
  AGENT_SOCKET="$dir/agent.sock" AGENT_HTTP_PORT=$((20000 + RANDOM % 30000)) AGENT_HTTP_BIND=127.0.0.1 \
    java $AGENT_JVM_OPTS -jar "$JAR" run \
    --catalog "$dir/catalog.json" --templates "$dir/templates" --data-dir "$dir" \
    --role node --cluster-config bench --fqdn localhost > "$dir/agent.log" 2>&1 &
  AGENT_PID=$!
  pids+=("$AGENT_PID")
  cd - > /dev/null
}

# stop_pid PID: SIGTERM, wait for the exit (PID is this shell's child: no subshell here); sets STOP_MS
stop_pid() {
  local t1 t2
  t1=$(now_us)
  kill -TERM "$1"
  wait "$1" 2>/dev/null || true
  t2=$(now_us)
  STOP_MS=$(ms "$t1" "$t2")
}

idle() { service "$1" "$STAMP >> $1.started; exec sleep 100000"; }

jvm_shown=$AGENT_JVM_OPTS
[ "${AGENT_JVM_OPTS:0:1}" = @ ] && jvm_shown="$(tr '\n' ' ' < "${AGENT_JVM_OPTS:1}")"
echo "supervisor-bench: $RUNS runs each; agent JVM: $jvm_shown" >&2
echo "supervisor-bench: java $(java -version 2>&1 | head -1); $(tini --version 2>&1 | head -1); $(nproc) cpus; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# ---------------------------------------------------------------- agent run: one idle service
a_exec=(); a_stop=(); a_rss1=(); a_anon1=()
for ((i = 1; i <= RUNS; i++)); do
  d="$work/one-$i"; mkdir -p "$d"
  catalog "$d" "$(idle s1)" '["s1"]' ''
  start_agent "$d"
  wait_for "$d/s1.started"
  a_exec+=("$(ms "$T0" "$(head -1 "$d/s1.started")")")
  sleep 2
  a_rss1+=("$(rss_mb "$AGENT_PID")"); a_anon1+=("$(anon_mb "$AGENT_PID")")
  stop_pid "$AGENT_PID"; a_stop+=("$STOP_MS")
done

# ---------------------------------------------------------------- agent run: four idle services
a_rss4=(); a_anon4=()
for ((i = 1; i <= RUNS; i++)); do
  d="$work/four-$i"; mkdir -p "$d"
  catalog "$d" "$(idle s1), $(idle s2), $(idle s3), $(idle s4)" '["s1", "s2", "s3", "s4"]' ''
  start_agent "$d"
  for s in s1 s2 s3 s4; do wait_for "$d/$s.started"; done
  sleep 2
  a_rss4+=("$(rss_mb "$AGENT_PID")"); a_anon4+=("$(anon_mb "$AGENT_PID")")
  stop_pid "$AGENT_PID"
done

# ---------------------------------------------------------------- crash -> first retry
a_retry=()
for ((i = 1; i <= RUNS; i++)); do
  d="$work/crash-$i"; mkdir -p "$d"
  catalog "$d" "$(service c "$STAMP >> starts; if [ -f crashed ]; then exec sleep 100000; fi; touch crashed; sleep 0.5; $STAMP > exit_at; exit 1")" '["c"]' ''
  start_agent "$d"
  wait_for "$d/starts" 2
  a_retry+=("$(ms "$(cat "$d/exit_at")" "$(sed -n 2p "$d/starts")")")
  stop_pid "$AGENT_PID"
done

# ---------------------------------------------------------------- dependency ready -> dependent exec
a_lag=(); a_lag_log=()
for ((i = 1; i <= LAG_RUNS; i++)); do
  d="$work/dep-$i"; mkdir -p "$d"
  probe="{ \"type\": \"exec\", \"command\": [\"test\", \"-f\", \"ready.marker\"], \"interval\": \"$PROBE_INTERVAL\", \"timeout\": \"2s\", \"startupTimeout\": \"60s\" }"
  catalog "$d" "$(service dep "sleep $(printf '1.%03d' $((RANDOM % 1000))); $STAMP > ready_at; touch ready.marker; exec sleep 100000" "$probe"), $(idle app)" \
    '["dep", "app"]' '{ "service": "app", "waitFor": ["dep"] }'
  start_agent "$d"
  wait_for "$d/app.started"
  a_lag+=("$(ms "$(cat "$d/ready_at")" "$(head -1 "$d/app.started")")")
  # the agent's log: "2026-01-01T12:00:00.123Z INFO supervise - dep: STARTING -> READY (...)"
  ready_line=$(grep -m1 'dep: STARTING -> READY' "$d/agent.log" | cut -d' ' -f1)
  ready_us=$(( $(date -d "$ready_line" +%s%3N) * 1000 ))
  a_lag_log+=("$(ms "$ready_us" "$(head -1 "$d/app.started")")")
  stop_pid "$AGENT_PID"
done

# ---------------------------------------------------------------- agent run -- CMD (single-command mode)
s_exec=(); s_stop=(); s_rss=(); s_anon=()
for ((i = 1; i <= RUNS; i++)); do
  d="$work/single-$i"; mkdir -p "$d"; cd "$d"
  T0=$(now_us)
  # shellcheck disable=SC2086
  java $AGENT_JVM_OPTS -jar "$JAR" run -- bash -c "$STAMP > $d/started; exec sleep 100000" > "$d/agent.log" 2>&1 &
  p=$!; pids+=("$p"); cd - > /dev/null
  wait_for "$d/started"
  s_exec+=("$(ms "$T0" "$(cat "$d/started")")")
  sleep 2
  s_rss+=("$(rss_mb "$p")"); s_anon+=("$(anon_mb "$p")")
  stop_pid "$p"; s_stop+=("$STOP_MS")
done

# ---------------------------------------------------------------- tini
t_exec=(); t_stop=(); t_rss=(); t_anon=()
for ((i = 1; i <= RUNS; i++)); do
  d="$work/tini-$i"; mkdir -p "$d"
  T0=$(now_us)
  tini -s -- bash -c "$STAMP > $d/started; exec sleep 100000" > "$d/tini.log" 2>&1 &
  p=$!; pids+=("$p")
  wait_for "$d/started"
  t_exec+=("$(ms "$T0" "$(cat "$d/started")")")
  sleep 2
  t_rss+=("$(rss_mb "$p")"); t_anon+=("$(anon_mb "$p")")
  stop_pid "$p"; t_stop+=("$STOP_MS")
done

med() { printf '%s\n' "$@" | median; }
medf() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m }'; }
range() { printf '%s\n' "$@" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s..%s", lo, hi }'; }

printf '\n%-44s %-22s %-18s %-10s %s\n' "median of $RUNS (min..max)" "agent run (supervisor)" "agent run -- CMD" "tini" "target"
printf '%-44s %-22s %-18s %-10s %s\n' "RSS, 1 idle service (MiB)" "$(medf "${a_rss1[@]}") ($(range "${a_rss1[@]}"))" "$(medf "${s_rss[@]}")" "$(medf "${t_rss[@]}")" "< 40"
printf '%-44s %-22s %-18s %-10s %s\n' "RSS, 4 idle services (MiB)" "$(medf "${a_rss4[@]}") ($(range "${a_rss4[@]}"))" "n/a" "n/a" "< 40"
printf '%-44s %-22s %-18s %-10s %s\n' "  of which anonymous, 1 service (MiB)" "$(medf "${a_anon1[@]}") ($(range "${a_anon1[@]}"))" "$(medf "${s_anon[@]}")" "$(medf "${t_anon[@]}")" ""
printf '%-44s %-22s %-18s %-10s %s\n' "  of which anonymous, 4 services (MiB)" "$(medf "${a_anon4[@]}") ($(range "${a_anon4[@]}"))" "n/a" "n/a" ""
printf '%-44s %-22s %-18s %-10s %s\n' "start -> first service exec (ms)" "$(med "${a_exec[@]}") ($(range "${a_exec[@]}"))" "$(med "${s_exec[@]}")" "$(med "${t_exec[@]}")" ""
printf '%-44s %-22s %-18s %-10s %s\n' "crash -> first retry exec (ms)" "$(med "${a_retry[@]}") ($(range "${a_retry[@]}"))" "n/a" "n/a" "< 100"
printf '%-44s %-22s %-18s %-10s %s\n' "dependency ready -> dependent exec (ms) [$LAG_RUNS]" "$(med "${a_lag[@]}") ($(range "${a_lag[@]}"))" "n/a" "n/a" "< 100"
printf '%-44s %-22s %-18s %-10s %s\n' "  the same, from the agent's READY log [$LAG_RUNS]" "$(med "${a_lag_log[@]}") ($(range "${a_lag_log[@]}"))" "n/a" "n/a" ""
printf '%-44s %-22s %-18s %-10s %s\n' "SIGTERM -> exit, 1 service (ms)" "$(med "${a_stop[@]}") ($(range "${a_stop[@]}"))" "$(med "${s_stop[@]}")" "$(med "${t_stop[@]}")" ""
echo "(readiness: exec probe 'test -f' every $PROBE_INTERVAL; tini supervises nothing: n/a)"
