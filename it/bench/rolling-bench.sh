#!/usr/bin/env bash
# A roll of the 3 brokers of a production cluster (network namespaces) under a producer with acks=all
# (RF 3, min.insync.replicas 2), a producer that does not retry and a consumer group, side by side:
# dockhand's readiness (in sync) and stop gates; readiness as it was (the broker answers) without gates;
# readiness ignored with and without gates. Then kill -9 of a broker to every partition back in sync.
# Needs root, ip, unshare. Figures, not assertions; the table is printed and written to
# it/target/bench/rolling.md. Extra args go to Maven (e.g. -Dtiming.multiple=2, -Drolling.modes=dockhand,answers, -o).
set -euo pipefail
cd "$(dirname "$0")/../.."
. it/bench/lib.sh
bench_start it/target/bench/rolling.md
mvn -B -q package -DskipTests "$@"
mvn -B -pl it -am verify -P bench,!docker -Dit.test=RollingBench -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false "$@"
bench_report rolling-bench it/target/bench/rolling.md
