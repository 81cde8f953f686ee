#!/usr/bin/env bash
# Runs one of Kafka's (or ZooKeeper's) command-line classes the way Apache Kafka's own
# kafka-run-class.sh does, from the distribution this script belongs to. Every *.sh beside it calls
# this script, so the choice of lib dir is made here and only here:
#
#   kafka-run-class.sh CLASS [ARGS...]
#
# Env, as Kafka's own script reads it:
#   JAVA_HOME                   java from $JAVA_HOME/bin, else `java` on PATH
#   KAFKA_HEAP_OPTS             default -Xmx256M
#   KAFKA_JVM_PERFORMANCE_OPTS  default: serial GC, C1 only, no perf-data file (short-lived tools,
#                               small containers; Kafka's G1 defaults suit a server, not a tool)
#   KAFKA_LOG4J_OPTS            default: config/tools-log4j.properties (warnings and errors to stderr)
#   KAFKA_OPTS                  added as is
#   DOCKHAND_KAFKA_LIB          the lib dir to run from (default: lib/kafka of this distribution)
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $(basename "$0") CLASS [ARGS...]" >&2
  exit 2
fi

home=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
# The Kafka line the tools come from: the one the image's brokers run (3.9, ZooKeeper mode).
lib_dir=${DOCKHAND_KAFKA_LIB:-$home/lib/kafka}
if [ ! -d "$lib_dir" ]; then
  echo "$(basename "$0"): no Kafka lib dir at $lib_dir (set DOCKHAND_KAFKA_LIB or build the distribution: mvn -B package)" >&2
  exit 2
fi

java=java
if [ -n "${JAVA_HOME:-}" ]; then
  java=$JAVA_HOME/bin/java
fi

# word splitting of the option variables is intended, as in Kafka's own script
# shellcheck disable=SC2086
exec "$java" ${KAFKA_HEAP_OPTS:--Xmx256M} \
  ${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Djava.awt.headless=true} \
  ${KAFKA_LOG4J_OPTS:--Dlog4j.configuration=file:$home/config/tools-log4j.properties} \
  ${KAFKA_OPTS:-} \
  -cp "$lib_dir/*" "$@"
