#!/usr/bin/env bash
# Figures for docs/adr/006-registry-compatibility.md: Apicurio 2.4.2 by configuration alone, with
# our Confluent-compatibility layer, and behind a separate proxy process. Asserts nothing.
#   it/bench/registry-compat-bench.sh [RUNS]    (after mvn -B package; RUNS defaults to 3)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
jar="$root/image/registry/target/quarkus-app/quarkus-run.jar"
[ -f "$jar" ] || { echo "registry-compat-bench.sh: build first (mvn -B package): no $jar" >&2; exit 2; }
classes=$(mktemp -d "${TMPDIR:-/tmp}/registry-bench.XXXXXX")
trap 'rm -rf "$classes"' EXIT
# compiled once: the proxy's JVM runs the same class, not a source file it would compile at each start
javac -d "$classes" "$root/it/bench/RegistryCompatBench.java"
java -cp "$classes" RegistryCompatBench "$jar" "${1:-3}"
