#!/usr/bin/env bash
# Time from `agent run` to each service READY vs. the same rendered commands started directly, for the
# dev stack (one node) and the production cluster (8 nodes in network namespaces). Needs root, ip, unshare.
# Figures, not assertions; the table is printed and written to it/target/bench/critical-path.md.
# Extra args go to Maven (e.g. -Dtiming.multiple=2, -o).
set -euo pipefail
cd "$(dirname "$0")/../.."
. it/bench/lib.sh
bench_start it/target/bench/critical-path.md
mvn -B -q package -DskipTests "$@"
mvn -B -pl it -am verify -P bench,!docker -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=CriticalPathBench \
    "$@"
bench_report critical-path it/target/bench/critical-path.md
