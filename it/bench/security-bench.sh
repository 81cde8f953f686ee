#!/usr/bin/env bash
# What securing a cluster costs: the dev stack (1 node) and the production cluster (8 nodes in network
# namespaces), plaintext then secured in one run: time to every node READY, produce and consume
# throughput (acks=all). Needs root, ip, unshare. Figures, not assertions; the table is printed and
# written to it/target/bench/security.md. Extra args go to Maven (e.g. -Dbench.records=50000, -o).
set -euo pipefail
cd "$(dirname "$0")/../.."
. it/bench/lib.sh
bench_start it/target/bench/security.md
mvn -B -q package -DskipTests "$@"
mvn -B -pl it -am verify -P bench,!docker -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=SecurityBench "$@"
bench_report security-bench it/target/bench/security.md
