#!/usr/bin/env bash
# Figures for image/registry/README.md: a registration's latency on a secured registry, a user's
# first request (PBKDF2) next to its later ones (the login cache), next to HTTPS and plain HTTP
# without logins. Asserts nothing.
#   it/bench/registry-auth-bench.sh [RUNS] [USERS]    (after mvn -B package; RUNS 2, USERS 20 by default)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
jar="$root/image/registry/target/quarkus-app/quarkus-run.jar"
agent="$root/agent/target/agent.jar"
for f in "$jar" "$agent"; do
  [ -f "$f" ] || { echo "registry-auth-bench.sh: build first (mvn -B package): no $f" >&2; exit 2; }
done
classes=$(mktemp -d "${TMPDIR:-/tmp}/registry-auth-bench.XXXXXX")
trap 'rm -rf "$classes"' EXIT
javac -cp "$agent" -d "$classes" "$root/it/bench/RegistryAuthBench.java"
java -cp "$classes:$agent" RegistryAuthBench "$jar" "$root/templates" "${1:-2}" "${2:-20}"
