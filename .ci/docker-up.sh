#!/usr/bin/env bash
# Makes a Docker engine available on this machine for the `docker` Maven profile of it/:
#   1. installs docker.io and debootstrap with apt when they are missing (retries while another
#      apt holds the dpkg lock: several engineers share the machine),
#   2. starts /usr/sbin/dockerd in the background unless an engine already answers,
#   3. waits, bounded, until `docker info` answers.
# Idempotent: a second run with the engine up does nothing. Stop it with .ci/docker-down.sh.
set -euo pipefail

STATE_DIR="${DOCKHAND_DOCKERD_STATE:-/var/tmp/dockhand-dockerd}"
PID_FILE="$STATE_DIR/dockerd.pid"
LOG_FILE="$STATE_DIR/dockerd.log"
READY_TIMEOUT_S="${DOCKHAND_DOCKERD_TIMEOUT:-60}"
APT_TRIES="${DOCKHAND_APT_TRIES:-30}"

log() { printf 'docker-up: %s\n' "$*" >&2; }
die() { printf 'docker-up: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (installs packages, starts dockerd); try: sudo $0"

apt_get() {
  # apt-get exits 100 when the dpkg/apt lock is held by another apt; wait and retry (bounded).
  local i
  for ((i = 1; i <= APT_TRIES; i++)); do
    if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=10 "$@"; then
      return 0
    fi
    log "apt-get $* failed (attempt $i/$APT_TRIES; another apt may hold the lock); retrying in 5 s"
    sleep 5
  done
  die "apt-get $* kept failing after $APT_TRIES attempts; see the messages above"
}

missing=()
[ -x /usr/sbin/dockerd ] || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if ((${#missing[@]})); then
  log "installing ${missing[*]} with apt"
  apt_get update -q
  apt_get install -y -q --no-install-recommends "${missing[@]}"
fi
command -v docker >/dev/null 2>&1 || die "no docker client on PATH after installing docker.io"

if docker info >/dev/null 2>&1; then
  log "engine already answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
  exit 0
fi

mkdir -p "$STATE_DIR"
if [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
  log "dockerd (pid $(cat "$PID_FILE")) is running but does not answer yet; waiting for it"
else
  log "starting /usr/sbin/dockerd (log: $LOG_FILE)"
  # setsid: dockerd must outlive this script and the shell that ran it.
  setsid /usr/sbin/dockerd >>"$LOG_FILE" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
fi

deadline=$((SECONDS + READY_TIMEOUT_S))
until docker info >/dev/null 2>&1; do
  if ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
    tail -n 20 "$LOG_FILE" >&2 || true
    die "dockerd exited before it answered; last lines of $LOG_FILE above"
  fi
  if ((SECONDS >= deadline)); then
    tail -n 20 "$LOG_FILE" >&2 || true
    die "dockerd did not answer 'docker info' within ${READY_TIMEOUT_S} s; see $LOG_FILE"
  fi
  sleep 0.5
done
log "engine ready: $(docker version --format 'server {{.Server.Version}}' 2>/dev/null) (pid $(cat "$PID_FILE"))"
