#!/usr/bin/env bash
# Console over TLS, figures, not assertions: the page's and /readyz's latency over HTTPS next to plain
# HTTP (a new connection with a full handshake, with a resumed session, a kept connection as a
# browser's refresh uses), a wrong password's cost, and a fresh client's latency while a crowd stalls
# the TLS handshake, with how long the server keeps the stalled connections. All in one run.
#
#   it/bench/console-tls-bench.sh [path/to/agent-console.jar]
#
# Needs: a JDK 17 (the bench is one source file run by the java launcher), the console jar
# (mvn -B -pl agent package -DskipTests). Loopback only; the two consoles it starts end with it.
#
# Env: REQUESTS  requests per row (default 300); CROWD  stalled handshakes held open (default 120)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
JAR=${1:-$(ls "$here"/../../agent/target/agent-*-console.jar 2>/dev/null | head -1)}
[ -f "${JAR:-}" ] || { echo "console-tls-bench: no console jar (mvn -B -pl agent package -DskipTests, or pass its path)" >&2; exit 2; }
command -v java >/dev/null || { echo "console-tls-bench: no java on PATH" >&2; exit 2; }
exec java -cp "$JAR" "$here/ConsoleTlsBench.java" "$JAR" "${REQUESTS:-300}" "${CROWD:-120}"
