#!/usr/bin/env bash
# Supervisor benchmark: figures, not assertions. Runs the agent (as `agent run` on a small catalog of
# bash services, and as `agent run -- CMD`) next to tini and dumb-init in one run and prints tables.
#
#   it/bench/supervisor-bench.sh [path/to/agent.jar]
#
# (The agent's RSS on a real node, secured next to plaintext, at READY and after minutes of probes
# and restarts: it/bench/node-rss-bench.sh.)
#
# Needs: bash 5 (EPOCHREALTIME), a JDK/JRE 17 `java`, the agent jar (mvn -pl agent package), perl
# (Debian's perl-base, essential), tini and dumb-init (Debian: apt-get install -y tini dumb-init).
# Installs nothing. Runs as any user; no network besides loopback (the agent's HTTP endpoints listen
# on 127.0.0.1 at a random port).
#
# Env:
#   AGENT_JVM_OPTS   the agent's JVM flags (default: the image's, written by image/agent-jvm.sh)
#   RUNS             repetitions of each timing; the median is printed (default 5)
#   LAG_RUNS         repetitions of the readiness lag, which spreads over a probe interval (default 10)
#   PROBE_INTERVAL   exec probe interval of the readiness-lag measurement (default 500ms, the shipped
#                    catalog's; while a service starts the agent probes every min(interval, 100 ms))
#   SECTIONS         which parts to run, of "supervisor single signals" (default: all three)
#
# What is measured (timestamps are the services' own $EPOCHREALTIME, so no `date` fork is counted):
#   RSS             VmRSS of the agent (or tini, dumb-init) 2 s after its services started, idle `sleep` services
#   start -> exec   from just before the agent (or tini, dumb-init) is started to the first service's first line
#   -- true         from just before `TOOL -- true` is started to its exit (a command that does nothing)
#   crash -> retry  from the last line of a service that exits 1 to the first line of its restart
#   ready -> dep    from the moment a dependency's exec probe (test -f marker) can first pass (a random
#                   1-2 s after its start, so that it is not in step with the probes) to the
#                   dependent's first line; "(after READY log)" is from the agent's READY log line
#   SIGTERM -> exit from kill -TERM to the agent's (or tini's, dumb-init's) exit, one `sleep` service
#   signals         each of the 31 standard signals sent to each tool (`agent run --`, `tini -s --`,
#                   `dumb-init --`, each in a session of its own) running a perl command that records
#                   every signal it gets: what reached the command, what happened to the tool
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
command -v tini >/dev/null || die "no tini on PATH (Debian: apt-get install -y tini dumb-init)"
command -v dumb-init >/dev/null || die "no dumb-init on PATH (Debian: apt-get install -y tini dumb-init)"
command -v perl >/dev/null || die "no perl on PATH (Debian: perl-base)"
SECTIONS=${SECTIONS:-supervisor single signals}
section() { [[ " $SECTIONS " == *" $1 "* ]]; }
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
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
echo "supervisor-bench: $(bench_header)" >&2
echo "supervisor-bench: java $(java -version 2>&1 | head -1); $(tini --version 2>&1 | head -1); $(dumb-init --version 2>&1 | head -1); $(nproc) cpus; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

a_exec=(); a_stop=(); a_rss1=(); a_anon1=(); a_rss4=(); a_anon4=(); a_retry=(); a_lag=(); a_lag_log=()
if section supervisor; then
  # ---------------------------------------------------------------- agent run: one idle service
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
  for ((i = 1; i <= RUNS; i++)); do
    d="$work/crash-$i"; mkdir -p "$d"
    catalog "$d" "$(service c "$STAMP >> starts; if [ -f crashed ]; then exec sleep 100000; fi; touch crashed; sleep 0.5; $STAMP > exit_at; exit 1")" '["c"]' ''
    start_agent "$d"
    wait_for "$d/starts" 2
    a_retry+=("$(ms "$(cat "$d/exit_at")" "$(sed -n 2p "$d/starts")")")
    stop_pid "$AGENT_PID"
  done

  # ---------------------------------------------------------------- dependency ready -> dependent exec
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

fi

# ---------------------------------------------------------------- single-command mode: agent, tini, dumb-init
# Each as it is started outside a container: tini with -s (it is then a child subreaper, as the agent
# becomes by itself when not PID 1), dumb-init as it is (setsid mode, its default).
TOOLS=(agent tini dumb-init)
# tool_argv TOOL: sets ARGV to the tool's command line, up to and including its --
tool_argv() {
  case $1 in
    agent) ARGV=(java); [ -n "$AGENT_JVM_OPTS" ] && read -r -a opts <<< "$AGENT_JVM_OPTS" && ARGV+=("${opts[@]}"); ARGV+=(-jar "$JAR" run --) ;;
    tini) ARGV=(tini -s --) ;;
    dumb-init) ARGV=(dumb-init --) ;;
  esac
}
declare -A t_exec t_true t_stop t_rss t_anon
if section single; then
  for tool in "${TOOLS[@]}"; do
    tool_argv "$tool"
    e=(); tr=(); st=(); r=(); an=()
    for ((i = 1; i <= RUNS; i++)); do
      d="$work/$tool-$i"; mkdir -p "$d"; cd "$d"
      T0=$(now_us)
      "${ARGV[@]}" bash -c "$STAMP > $d/started; exec sleep 100000" > "$d/tool.log" 2>&1 &
      p=$!; pids+=("$p"); cd - > /dev/null
      wait_for "$d/started"
      e+=("$(ms "$T0" "$(cat "$d/started")")")
      sleep 2
      r+=("$(rss_mb "$p")"); an+=("$(anon_mb "$p")")
      stop_pid "$p"; st+=("$STOP_MS")
      t1=$(now_us)
      "${ARGV[@]}" true > "$d/true.log" 2>&1 || die "$tool -- true failed: $(cat "$d/true.log")"
      t2=$(now_us)
      tr+=("$(ms "$t1" "$t2")")
    done
    t_exec[$tool]="${e[*]}"; t_true[$tool]="${tr[*]}"; t_stop[$tool]="${st[*]}"; t_rss[$tool]="${r[*]}"; t_anon[$tool]="${an[*]}"
  done
fi

# ---------------------------------------------------------------- the 31 standard signals
# recorder FILE: a perl command that catches every signal it can, appends each one's name to FILE, and
# writes "ready PID" first. Only what reaches it is recorded; a SIGSTOP that reaches it stops it.
RECORDER='open(my $f, ">>", $ARGV[0]) or die "$ARGV[0]: $!"; select((select($f), $| = 1)[0]);
for my $s (grep { $_ ne "KILL" && $_ ne "STOP" && $_ ne "ZERO" && !/^NUM/ } split " ", $Config::Config{sig_name}) {
  $SIG{$s} = sub { print $f "$_[0]\n" } }
print $f "ready $$\n"; sleep 1 while 1;'
SIGNALS=(HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU URG
  XCPU XFSZ VTALRM PROF WINCH IO PWR SYS)
state_of() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo X; return; }; s=${s##*) }; echo "${s%% *}"; }
# what_happens TOOL SIGNAL: sets HAPPENED to what SIGNAL sent to TOOL did
what_happens() {
  local tool=$1 sig=$2 d p child got="" t status
  d=$(mktemp -d "$work/sig-$tool-$sig.XXXX")
  tool_argv "$tool"
  cd "$d"
  setsid "${ARGV[@]}" perl -MConfig -e "$RECORDER" "$d/got" > "$d/tool.log" 2>&1 &
  p=$!; pids+=("$p"); cd - > /dev/null
  wait_for "$d/got"
  child=$(head -1 "$d/got" | cut -d' ' -f2)
  kill -"$sig" "$p"
  # what reaches the command comes within milliseconds; a JVM's crash report takes longer to write
  for ((t = 0; t < 300; t++)); do
    got=$(sed -n 2p "$d/got")
    [ -n "$got" ] && break
    kill -0 "$p" 2>/dev/null && [ "$(state_of "$p")" != Z ] || break
    [ "$(state_of "$child")" = T ] && break
    [ "$(state_of "$p")" = T ] && [ "$sig" = STOP ] && break
    sleep 0.01
  done
  sleep 0.2   # a tool that stops itself after forwarding does so right after
  local tool_state child_state out
  tool_state=$(state_of "$p"); child_state=$(state_of "$child")
  if [ -n "$got" ]; then
    out=$([ "$got" = "$sig" ] && echo forwarded || echo "as $got")
  elif [ "$child_state" = T ]; then
    out="as STOP"
  elif [ "$tool_state" = X ] || [ "$tool_state" = Z ]; then
    status=0; wait "$p" 2>/dev/null || status=$?
    out="fatal ($status)"
    compgen -G "$d/hs_err_pid*.log" > /dev/null && out="fatal, crash report"
  elif [ "$tool_state" = T ]; then
    out="stops"
  else
    out=dropped
  fi
  [ -n "$got$([ "$child_state" = T ] && echo x)" ] && [ "$tool_state" = T ] && out="$out, stops itself"
  kill -CONT "$p" 2>/dev/null || true
  kill -KILL "$p" "$child" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  HAPPENED=$out
}
declare -A sigtab
if section signals; then
  for tool in "${TOOLS[@]}"; do
    for sig in "${SIGNALS[@]}"; do
      what_happens "$tool" "$sig"
      sigtab[$tool.$sig]=$HAPPENED
    done
  done
fi

med() { printf '%s\n' "$@" | median; }
medf() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m }'; }
range() { printf '%s\n' "$@" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s..%s", lo, hi }'; }
# of TOOL ARRAY: the median (min..max) of a tool's figures, "n/a" when not measured
of() { local -n a=$2; [ -n "${a[$1]:-}" ] || { echo n/a; return; }; read -r -a v <<< "${a[$1]}"; echo "$(med "${v[@]}") ($(range "${v[@]}"))"; }
offf() { local -n a=$2; [ -n "${a[$1]:-}" ] || { echo n/a; return; }; read -r -a v <<< "${a[$1]}"; echo "$(medf "${v[@]}")"; }
sup() { if (($# == 0)); then echo n/a; else echo "$(med "$@") ($(range "$@"))"; fi; }
supf() { if (($# == 0)); then echo n/a; else echo "$(medf "$@") ($(range "$@"))"; fi; }

if section supervisor || section single; then
  row='%-44s %-22s %-22s %-18s %-18s %s\n'
  printf "\n$row" "median of $RUNS (min..max)" "agent run (supervisor)" "agent run -- CMD" "tini -s" "dumb-init" "target"
  printf "$row" "RSS, 1 idle service (MiB)" "$(supf "${a_rss1[@]}")" "$(offf agent t_rss)" "$(offf tini t_rss)" "$(offf dumb-init t_rss)" "< 40"
  printf "$row" "RSS, 4 idle services (MiB)" "$(supf "${a_rss4[@]}")" "n/a" "n/a" "n/a" "< 40"
  printf "$row" "  of which anonymous, 1 service (MiB)" "$(supf "${a_anon1[@]}")" "$(offf agent t_anon)" "$(offf tini t_anon)" "$(offf dumb-init t_anon)" ""
  printf "$row" "  of which anonymous, 4 services (MiB)" "$(supf "${a_anon4[@]}")" "n/a" "n/a" "n/a" ""
  printf "$row" "start -> first service exec (ms)" "$(sup "${a_exec[@]}")" "$(of agent t_exec)" "$(of tini t_exec)" "$(of dumb-init t_exec)" ""
  printf "$row" "-- true: start -> exit (ms)" "n/a" "$(of agent t_true)" "$(of tini t_true)" "$(of dumb-init t_true)" ""
  printf "$row" "crash -> first retry exec (ms)" "$(sup "${a_retry[@]}")" "n/a" "n/a" "n/a" "< 100"
  printf "$row" "dependency ready -> dependent exec (ms) [$LAG_RUNS]" "$(sup "${a_lag[@]}")" "n/a" "n/a" "n/a" "< 100"
  printf "$row" "  the same, from the agent's READY log [$LAG_RUNS]" "$(sup "${a_lag_log[@]}")" "n/a" "n/a" "n/a" ""
  printf "$row" "SIGTERM -> exit, 1 service (ms)" "$(sup "${a_stop[@]}")" "$(of agent t_stop)" "$(of tini t_stop)" "$(of dumb-init t_stop)" ""
  echo "(readiness: exec probe 'test -f' every $PROBE_INTERVAL; tini and dumb-init supervise nothing: n/a)"
fi

if section signals; then
  echo
  echo "each signal sent once to the tool; what reached its command, and what the tool did"
  printf '%-10s %-32s %-32s %s\n' signal "agent run --" "tini -s --" "dumb-init --"
  n=0
  for sig in "${SIGNALS[@]}"; do
    n=$((n + 1))
    printf '%-10s %-32s %-32s %s\n' "$n $sig" "${sigtab[agent.$sig]}" "${sigtab[tini.$sig]}" "${sigtab[dumb-init.$sig]}"
  done
  echo "(forwarded: the command got it; as X: it got X instead; stops itself: the tool stopped after"
  echo " forwarding; fatal (N): the tool ended, status N; crash report: the JVM wrote hs_err_pid*.log; dropped: nothing)"
fi
