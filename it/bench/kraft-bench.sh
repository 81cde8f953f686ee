#!/usr/bin/env bash
# The kraft cluster (KRaft, Kafka 4) secured as shipped and explicitly plaintext, next to the production cluster
# (ZooKeeper, Kafka 3.9) secured as shipped, in one run, each as 8 agents in network namespaces (root, ip,
# unshare): time to every node READY, and time from kill -9 of a broker to its agent READY and to full ISR,
# with the ratios the issue's goals name (secured kraft <= 1.5 x plaintext kraft, kraft <= production). Figures, not assertions; the table is printed and written to
# it/target/bench/kraft.md. RUNS=N rounds (default 1); extra args go to Maven (e.g. -o, -Dtiming.multiple=2).
set -euo pipefail
cd "$(dirname "$0")/../.."
. it/bench/lib.sh
bench_start it/target/bench/kraft.md
mvn -B -q package -DskipTests "$@"
mvn -B -pl it -am verify -P bench,!docker -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test=KRaftBench -Dbench.runs="${RUNS:-1}" "$@"
bench_report kraft-bench it/target/bench/kraft.md
