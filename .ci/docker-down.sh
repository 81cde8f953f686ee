#!/usr/bin/env bash
# Stops the dockerd that .ci/docker-up.sh started, by the pid it recorded (never by name:
# the machine is shared). Bounded: SIGTERM, wait up to 30 s, then SIGKILL.
set -euo pipefail

STATE_DIR="${DOCKHAND_DOCKERD_STATE:-/var/tmp/dockhand-dockerd}"
PID_FILE="$STATE_DIR/dockerd.pid"

log() { printf 'docker-down: %s\n' "$*" >&2; }

if [ ! -f "$PID_FILE" ]; then
  log "no $PID_FILE: nothing started by docker-up.sh to stop"
  exit 0
fi
pid="$(cat "$PID_FILE")"
if ! kill -0 "$pid" 2>/dev/null; then
  log "dockerd (pid $pid) is not running"
  rm -f "$PID_FILE"
  exit 0
fi
# Make sure the pid still is a dockerd before signalling it (pids get reused).
if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != "dockerd" ]; then
  log "pid $pid is no longer dockerd ($(cat "/proc/$pid/comm" 2>/dev/null || echo gone)); leaving it alone"
  rm -f "$PID_FILE"
  exit 0
fi
log "stopping dockerd (pid $pid)"
kill -TERM "$pid"
for ((i = 0; i < 60; i++)); do
  kill -0 "$pid" 2>/dev/null || { rm -f "$PID_FILE"; log "stopped"; exit 0; }
  sleep 0.5
done
log "dockerd (pid $pid) did not stop within 30 s; sending SIGKILL"
kill -KILL "$pid" 2>/dev/null || true
rm -f "$PID_FILE"
