#!/usr/bin/env bash
# Kafka Connect on the dev stack (one node in a network namespace: root, ip, unshare): the worker's time to
# READY (agent start connect → GET /health 200, median of RUNS, default 3) and the file source's records/s,
# as strings and as Avro records through the registry's converter, next to kafka-console-producer reading
# the same file. Figures, not assertions; the table is printed and written to it/target/bench/connect.md.
# LINES=N lines in the file (default 1000000, as in docs/figures.md). Extra args go to Maven (e.g. -o).
set -euo pipefail
cd "$(dirname "$0")/../.."
. it/bench/lib.sh
bench_start it/target/bench/connect.md
mvn -B -q package -DskipTests "$@"
mvn -B -pl it -am verify -P bench,!docker -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test=ConnectBench -Dbench.runs="${RUNS:-3}" -Dbench.connect.lines="${LINES:-1000000}" "$@"
bench_report connect-bench it/target/bench/connect.md
