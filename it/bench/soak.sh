#!/usr/bin/env bash
# The soak: a secured cluster in network namespaces (production config: 3 ZooKeeper, 3 brokers, the
# registry; SOAK_ZOOKEEPERS=1 for one ZooKeeper) under an acks=all idempotent producer and a consumer
# group, with random faults for SOAK_MINUTES (default 30), one at a time and only while every node is
# READY and every partition in sync: kill -9 and SIGSTOP (20 s) of ZooKeeper, brokers and the registry,
# kill -9 of agents (each started again at once). Needs root, ip, unshare; waits for the machine-wide
# netns lock when another cluster test runs.
#
#   SOAK_MINUTES=30 SOAK_SEED=42 it/bench/soak.sh [extra Maven args, e.g. -o -Dtiming.multiple=2]
#
# Prints a dated report (date, commit, load average at start and end): the faults and the time from each
# to every service READY again, acknowledged vs consumed (lost must be 0), duplicates, the longest produce
# stall, restarts per service, each agent's RSS over time. Exits non-zero when a record was lost or the
# cluster was not whole again after a fault. Report: it/target/soak-report.txt; RSS samples:
# it/target/soak-rss.csv. docs/soak.md explains it.
set -euo pipefail
cd "$(dirname "$0")/../.."
SOAK_MINUTES=${SOAK_MINUTES:-30}
SOAK_SEED=${SOAK_SEED:-$(( $(date +%s) % 100000 ))}
SOAK_ZOOKEEPERS=${SOAK_ZOOKEEPERS:-3}
report=it/target/soak-report.txt
rm -f "$report"
echo "soak: $SOAK_MINUTES min, seed $SOAK_SEED, $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD), load $(cut -d' ' -f1-3 /proc/loadavg)"
mvn -B -q package -DskipTests "$@"
status=0
mvn -B -pl it -am verify -P bench,!docker -Dit.test=SoakBench -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dsoak.minutes="$SOAK_MINUTES" -Dsoak.seed="$SOAK_SEED" -Dsoak.zookeepers="$SOAK_ZOOKEEPERS" "$@" || status=$?
if [ -f "$report" ]; then
  echo; echo "report: $report"
else
  echo "soak: no report (the run failed before it finished: see the Maven output above)" >&2
  [ "$status" -ne 0 ] || status=1
fi
exit "$status"
