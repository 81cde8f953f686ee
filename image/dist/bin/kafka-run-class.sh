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
#   KAFKA_LOG4J_OPTS            default: config/tools-log4j.properties for Kafka 3.9 (reload4j) and
#                               config/tools-log4j2.properties for Kafka 4 (log4j2), both named: each
#                               line reads its own (warnings and errors to stderr)
#   KAFKA_OPTS                  added as is
#   DOCKHAND_KAFKA_LIB          the lib dir to run from; default: the one the agent wrote for this
#                               node's cluster config into $AGENT_CONF_DIR/kafka-lib (lib/kafka4 on a
#                               KRaft node), else lib/kafka (Kafka 3.9) of this distribution
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $(basename "$0") CLASS [ARGS...]" >&2
  exit 2
fi

home=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
# The Kafka line the tools come from: the one this node's brokers run (the agent renders its lib dir
# into conf/kafka-lib at every start), else Kafka 3.9 (ZooKeeper mode).
conf_dir=${AGENT_CONF_DIR:-${AGENT_DATA_DIR:-/var/lib/dockhand}/conf}
node_lib=
if [ -z "${DOCKHAND_KAFKA_LIB:-}" ] && [ -e "$conf_dir/kafka-lib" ]; then
  # read only a regular file of sane size: a FIFO there would hang every tool, a directory end in a grep error
  if [ ! -f "$conf_dir/kafka-lib" ] || [ ! -r "$conf_dir/kafka-lib" ] \
      || [ "$(stat -L -c %s -- "$conf_dir/kafka-lib")" -gt 4096 ]; then
    echo "$(basename "$0"): $(printf '%q' "$conf_dir/kafka-lib") is not a readable regular file of at most 4096 bytes (the agent" \
      "writes it at start; remove it, or set DOCKHAND_KAFKA_LIB)" >&2
    exit 2
  fi
  node_lib=$(grep -v '^[[:space:]]*#' "$conf_dir/kafka-lib" | head -n 1 | tr -d '[:space:]' || true)
fi
lib_dir=${DOCKHAND_KAFKA_LIB:-${node_lib:-$home/lib/kafka}}
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
  ${KAFKA_LOG4J_OPTS:--Dlog4j.configuration=file:$home/config/tools-log4j.properties -Dlog4j2.configurationFile=$home/config/tools-log4j2.properties} \
  ${KAFKA_OPTS:-} \
  -cp "$lib_dir/*" "$@"
