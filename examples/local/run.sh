#!/usr/bin/env bash
# The dockhand dev stack on this machine, without Docker: builds what is needed, then runs the agent in
# the foreground supervising ZooKeeper, a Kafka broker, the schema registry, the console and a Kafka
# Connect worker for one node
# (cluster config single-node, role standalone). Ctrl-C stops everything cleanly.
#
#   Kafka            localhost:9092
#   schema registry  http://localhost:8081/apis/ccompat/v7
#   console          http://localhost:9021
#   Kafka Connect    http://localhost:8083 (https with the users' logins when secured: docs/connect.md)
#   agent            http://localhost:9800/status, and `examples/local/agent status`
#   Kafka's tools    examples/local/bin/kafka-topics --list (and the others: ls examples/local/bin)
#
# Data lives under ./run/data (override with AGENT_DATA_DIR); the node may use AGENT_MEMORY_MB (2048).
#
# AGENT_SECURITY=tls examples/local/run.sh runs the same stack secured: TLS on every listener, SCRAM
# logins on Kafka, logins for the registry's writes, the console and Kafka Connect's REST API. Unless AGENT_CA_CERT_FILE is given,
# a dev CA and users (app, ops:admin; random passwords) are made once in ./run/secrets.
# With DOCKHAND_SKIP_BUILD=1 nothing in the checkout is written: everything the stack makes is under
# the data dir and beside the control socket.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

if [ "${DOCKHAND_SKIP_BUILD:-}" != 1 ]; then
  echo "dev stack: building the agent and the service distributions (mvn package)..." >&2
  mvn -B -q package -DskipTests
fi

export AGENT_ROLE=standalone
export AGENT_CLUSTER_CONFIG="${AGENT_CLUSTER_CONFIG:-single-node}"  # or kraft-single-node: Kafka 4, KRaft
export AGENT_CLUSTER_NAME="${AGENT_CLUSTER_NAME:-dev}"
export AGENT_FQDN="${AGENT_FQDN:-localhost}"
export AGENT_CATALOG="${AGENT_CATALOG:-$root/templates/catalog.json}"
export AGENT_TEMPLATES="${AGENT_TEMPLATES:-$root/templates}"
export AGENT_HOME="$root/image/target/dist"
export AGENT_DATA_DIR="${AGENT_DATA_DIR:-$root/run/data}"
export AGENT_SOCKET="${AGENT_SOCKET:-$root/run/agent.sock}"
export AGENT_MEMORY_MB="${AGENT_MEMORY_MB:-2048}"
mkdir -p "$AGENT_DATA_DIR" "$(dirname "$AGENT_SOCKET")"

if [ "${AGENT_SECURITY:-}" = tls ] && [ -z "${AGENT_CA_CERT_FILE:-}" ]; then
  secrets="${DOCKHAND_SECRETS_DIR:-$root/run/secrets}"
  if [ ! -f "$secrets/ca.key" ]; then
    java -jar "$root/agent/target/agent.jar" ca init --out "$secrets" --name "dockhand dev CA" --users app,ops:admin >&2
  fi
  export AGENT_CA_CERT_FILE="$secrets/ca.crt" AGENT_CA_KEY_FILE="$secrets/ca.key" AGENT_USERS_FILE="$secrets/users"
  echo "dev stack: secured; the CA is $secrets/ca.crt, the users and their passwords are in $secrets/users" >&2
fi

# Until the agent answers on its socket, `examples/local/agent status` reads this pid (ours, and the
# agent's once we exec it) and says the stack is starting rather than that no agent runs.
echo $$ > "$AGENT_SOCKET.starting"
echo "dev stack: starting (pid $$); data in $AGENT_DATA_DIR; in another terminal: examples/local/agent status" >&2
# the agent's JVM as in the image: flags and class-data archives made by image/agent-jvm.sh from this
# machine's JVM, once per build of the agent jar (a few seconds, up to a minute on a busy machine),
# kept in the data dir; started as the image's ENTRYPOINT starts it (image/agent-run.sh): a secured
# node with the archive that holds its TLS path too
jar="$root/agent/target/agent.jar"
jvm="$AGENT_DATA_DIR/agent-jvm"
bash "$root/image/agent-jvm.sh" --if-stale "$jvm" "$jar" >&2
exec bash "$root/image/agent-run.sh" "$jvm" "$jar" "$@"
