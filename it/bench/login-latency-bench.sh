#!/usr/bin/env bash
# Figures for docs/figures.md: what a console or registry login costs the server, PBKDF2 at 100,000
# iterations (before) and 600,000 (now), a new login and a cached one (dev.dockhand.users, the code
# both run). Asserts nothing.
#   it/bench/login-latency-bench.sh [ROUNDS]    (after mvn -B package; ROUNDS 15 by default)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/it/bench/lib.sh"
agent="$root/agent/target/agent.jar"
[ -f "$agent" ] || { echo "login-latency-bench.sh: build first (mvn -B package): no $agent" >&2; exit 2; }
classes=$(mktemp -d "${TMPDIR:-/tmp}/login-latency-bench.XXXXXX")
trap 'rm -rf "$classes"' EXIT
javac -cp "$agent" -d "$classes" "$root/it/bench/LoginLatencyBench.java"
out="$classes/table.md"
bench_start "$out"
java -cp "$classes:$agent" LoginLatencyBench 100000 "${1:-15}" header > "$classes/100k.md"
java -cp "$classes:$agent" LoginLatencyBench 600000 "${1:-15}" > "$classes/600k.md"
# the table rows first, then the notes
{ grep '^|' "$classes/100k.md"; grep '^|' "$classes/600k.md"; grep -hv '^|' "$classes/100k.md" "$classes/600k.md"; } > "$out"
bench_report login-latency-bench "$out"
