#!/usr/bin/env bash
# Flakiness under load: runs the agent's unit tests (the real-process ones included: LauncherLinuxTest,
# SingleCommandLinuxTest, SingleCommandPid1Test, JnaLinuxTest, ...) and the PID-1 integration tests
# (AgentPid1IT) again and again while busy loops keep every core of the machine loaded, and prints how
# many runs failed and which tests. A test that fails here fails on a busy CI machine some day.
#
#   it/bench/stress-tests.sh
#
# Env:
#   RUNS       runs of the agent's unit tests (default 10)
#   PID1_RUNS  runs of AgentPid1IT (default RUNS; 0 skips them)
#   LOAD       busy loops to start (default: one per core, `nproc`)
#   MVN        the Maven command (default: mvn -B -o)
#
# Needs what the tests need (root for the PID-namespace tests, perl, util-linux), and a first build of
# the modules (it builds them once itself). Runs from the repository root it lives in; starts nothing
# it does not stop (the busy loops by pid at exit). Logs of failed runs stay in the printed directory.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
RUNS=${RUNS:-10}
PID1_RUNS=${PID1_RUNS:-$RUNS}
LOAD=${LOAD:-$(nproc)}
read -r -a mvn <<< "${MVN:-mvn -B -o}"
logs=$(mktemp -d "${TMPDIR:-/tmp}/stress-tests.XXXXXX")

busy=()
cleanup() {
  local p
  for p in "${busy[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  for p in "${busy[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

cd "$root"
. "$here/lib.sh"
bench_header
echo "stress-tests: building once ($(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
"${mvn[@]}" -q package -DskipTests > "$logs/build.log" 2>&1 || { echo "stress-tests: the build failed, see $logs/build.log" >&2; exit 2; }

for ((i = 0; i < LOAD; i++)); do
  ( while :; do :; done ) &
  busy+=("$!")
done
echo "stress-tests: $LOAD busy loops (pids ${busy[*]}); logs in $logs" >&2

# failed_tests DIR: "Class.method" of every failed or erroring test in the surefire/failsafe reports of DIR
failed_tests() {
  local f
  for f in "$1"/TEST-*.xml; do
    [ -f "$f" ] || continue
    awk '/<testcase / { match($0, /name="[^"]*"/); n = substr($0, RSTART + 6, RLENGTH - 7);
                        match($0, /classname="[^"]*"/); c = substr($0, RSTART + 11, RLENGTH - 12) }
         /<(failure|error)[ >]/ { print c "." n }' "$f"
  done | sort -u | tr '\n' ' '
}

# run_suite NAME N ARGS...: runs Maven N times with ARGS, counts the failed runs
run_suite() {
  local name=$1 n=$2 reports=$3
  shift 3
  local failed=0 i t0 secs tests
  for ((i = 1; i <= n; i++)); do
    t0=$SECONDS
    if "${mvn[@]}" "$@" > "$logs/$name-$i.log" 2>&1; then
      tests=$(grep -Eo 'Tests run: [0-9]+, Failures: 0, Errors: 0, Skipped: [0-9]+$' "$logs/$name-$i.log" | tail -1 || true)
      echo "$name run $i/$n: ok in $((SECONDS - t0)) s (${tests:-no test count})"
      rm -f "$logs/$name-$i.log"
    else
      failed=$((failed + 1))
      echo "$name run $i/$n: FAILED in $((SECONDS - t0)) s: $(failed_tests "$reports") (log: $logs/$name-$i.log)"
    fi
  done
  echo "$name: $failed of $n runs failed"
  FAILED_RUNS=$((FAILED_RUNS + failed))
}

FAILED_RUNS=0
run_suite unit "$RUNS" agent/target/surefire-reports -pl agent surefire:test
if ((PID1_RUNS > 0)); then
  run_suite pid1 "$PID1_RUNS" it/target/failsafe-reports -pl it -am verify -Dit.test=AgentPid1IT -Dtest=none \
    -Dsurefire.failIfNoSpecifiedTests=false
fi
echo "stress-tests: $FAILED_RUNS failed runs in total (load at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
((FAILED_RUNS == 0))
