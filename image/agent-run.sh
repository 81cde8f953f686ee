#!/bin/bash
# The agent as PID 1: `agent run` in the JVM set-up that fits this node, exec'd, so that the JVM itself
# is PID 1 (it reaps orphans and gets the container's signals). The image's ENTRYPOINT; the local dev
# stack (examples/local/run.sh) and the benchmarks start the agent the same way.
#
#   agent-run.sh JVM_DIR AGENT_JAR [ARGS of `agent run`...]
#
# JVM_DIR holds what image/agent-jvm.sh wrote; $JAVA (default `java` on PATH) is the JVM.
#
# - A secured node starts with agent-run-tls.jvmopts, whose class-data archive holds the TLS path too
#   (about 3 MiB less RSS than loading those classes into the plaintext archive's JVM); a plaintext
#   node, and single-command mode (`-- CMD`), with agent-run.jvmopts, whose archive is 7 MiB smaller
#   (ADR 005). The node is taken as secured when AGENT_SECURITY=tls, or when AGENT_SECURITY is not set
#   and the node is given the cluster's CA (AGENT_CA_CERT_FILE): a node secured by its cluster
#   config's default cannot start without it. The agent itself decides the node's security as before;
#   this only picks the archive (a plaintext node given a CA just carries the larger one).
# - glibc's malloc keeps at most 2 arenas in the agent (MALLOC_ARENA_MAX, unless already set): by
#   default it makes up to 8 per core, one for each thread that meets contention, and on a secured
#   node 16 arenas held 5.4 MiB where 2 hold 1.9 MiB (ADR 005). The services do not inherit it: the
#   agent starts them with an environment of their own. Not in single-command mode, whose command
#   inherits the agent's environment.
set -u
jvm=${1:?usage: agent-run.sh JVM_DIR AGENT_JAR [ARGS...]}
jar=${2:?usage: agent-run.sh JVM_DIR AGENT_JAR [ARGS...]}
shift 2

single=
for a in "$@"; do
  if [ "$a" = -- ]; then single=yes; break; fi
done
security=${AGENT_SECURITY:-}
security=${security//[[:space:]]/}
secured=
case "$security" in
  tls) secured=yes ;;
  '') [ -n "${AGENT_CA_CERT_FILE:-}" ] && secured=yes ;;
esac
opts=$jvm/agent-run.jvmopts
if [ -n "$secured" ] && [ -z "$single" ] && [ -f "$jvm/agent-run-tls.jvmopts" ]; then
  opts=$jvm/agent-run-tls.jvmopts
fi
if [ -z "$single" ] && [ -z "${MALLOC_ARENA_MAX+set}" ]; then
  export MALLOC_ARENA_MAX=2
fi
exec "${JAVA:-java}" @"$opts" -jar "$jar" run "$@"
