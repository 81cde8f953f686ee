#!/usr/bin/env bash
# Rolls dockhand containers one at a time: each is restarted only when its agent reports every service
# ready (`agent ready`), and the next one only once it is ready again. A broker is ready when it is back
# in the ISR of every partition it hosts, a ZooKeeper node when it has joined the quorum, so a roll that
# waits for readiness never takes a partition below min.insync.replicas nor the ensemble below its
# quorum. (Each agent also holds its own stop until that is safe, at most the catalog's waitUntilSafe;
# see docs/rolling.md.)
#
#   roll.sh [OPTIONS] ROLE|CONTAINER...
#
#   ROLE        every running container whose AGENT_ROLE is ROLE (broker, zookeeper, schemareg, gateway),
#               in name order
#   CONTAINER   that container
#
#   -p, --project NAME   only containers of this compose project (docker compose -p NAME)
#   --filter FILTER      only containers docker ps --filter FILTER lists (e.g. name=kafka-prod-)
#   --recreate FILE      recreate each container from compose file FILE (a new image or a changed
#                        environment: docker compose -f FILE up -d --no-deps --force-recreate SERVICE)
#                        instead of restarting it
#   --timeout SECONDS    the longest a container may take to be ready, before and after its restart
#                        (default 900: a broker catching up on a large backlog)
#   --dry-run            print what would be rolled, in order, and exit
#   -h, --help
#
# Examples (compose-production):
#   examples/compose-production/roll.sh -p dockhand-prod broker
#   examples/compose-production/roll.sh -p dockhand-prod zookeeper broker
#   DOCKHAND_IMAGE=dockhand:new examples/compose-production/roll.sh -p dockhand-prod \
#     --recreate examples/compose-production/docker-compose.yml broker
#
# Exit codes: 0 every container rolled and ready again; 1 one was not ready in time, or could not be
# restarted (the roll stops there, the rest untouched); 2 bad usage or nothing to roll.
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
die() { echo "roll.sh: $*" >&2; exit 2; }
log() { echo "roll.sh: $(date -u +%H:%M:%S) $*"; }

project=''
filter=()
recreate=''
timeout=900
dry_run=''
targets=()
while (($#)); do
  case $1 in
    -p|--project) [ $# -ge 2 ] || die "$1 needs a project name"; project=$2; filter+=(--filter "label=com.docker.compose.project=$2"); shift 2 ;;
    --filter) [ $# -ge 2 ] || die "$1 needs a docker ps filter (e.g. name=kafka-prod-)"; filter+=(--filter "$2"); shift 2 ;;
    --recreate) [ $# -ge 2 ] || die "$1 needs a compose file"; recreate=$2; shift 2 ;;
    --timeout) [ $# -ge 2 ] || die "$1 needs a number of seconds"; timeout=$2; shift 2 ;;
    --dry-run) dry_run=yes; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; targets+=("$@"); break ;;
    -*) die "unknown option '$1' (see --help)" ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ $timeout =~ ^[1-9][0-9]{0,5}$ ]] || die "--timeout '$timeout': give a whole number of seconds (e.g. 900)"
((${#targets[@]})) || die "name a role (broker, zookeeper, ...) or containers to roll (see --help)"
[ -z "$recreate" ] || [ -r "$recreate" ] || die "--recreate '$recreate': no such compose file"
command -v docker >/dev/null || die "docker is not on PATH"

# the running containers (of the project, or that the filters select)
mapfile -t running < <(docker ps "${filter[@]}" --format '{{.Names}}' | sort -V)

role_of() { docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$1" | sed -n 's/^AGENT_ROLE=//p' | head -n 1; }

order=()
for t in "${targets[@]}"; do
  found=''
  for c in "${running[@]}"; do
    if [ "$c" = "$t" ]; then
      order+=("$c"); found=yes
    fi
  done
  if [ -z "$found" ]; then
    for c in "${running[@]}"; do
      if [ "$(role_of "$c")" = "$t" ]; then
        order+=("$c"); found=yes
      fi
    done
  fi
  [ -n "$found" ] || die "'$t' is neither a running container nor the role of one${project:+ in project $project}"
done

if [ -n "$dry_run" ]; then
  printf '%s\n' "${order[@]}"
  exit 0
fi

# ready: the agent answers and says every service of its node is ready
ready() { docker exec "$1" agent ready >/dev/null 2>&1; }

await_ready() { # await_ready CONTAINER WHY
  local c=$1 why=$2 deadline=$((SECONDS + timeout)) state
  until ready "$c"; do
    state=$(docker inspect -f '{{.State.Status}}' "$c" 2>/dev/null || echo gone)
    if [ "$state" != running ] && [ "$state" != restarting ]; then
      log "$c is $state $why; stopping the roll here"
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      log "$c not ready within ${timeout} s $why; stopping the roll here. Its agent says:"
      docker exec "$c" agent status || true
      exit 1
    fi
    sleep 2
  done
}

log "rolling ${order[*]}"
start=$SECONDS
for c in "${order[@]}"; do
  t0=$SECONDS
  # a container that is not ready now (a broker still catching up) is not restarted until it is
  await_ready "$c" "before its restart"
  if [ -n "$recreate" ]; then
    service=$(docker inspect -f '{{index .Config.Labels "com.docker.compose.service"}}' "$c")
    cproject=$(docker inspect -f '{{index .Config.Labels "com.docker.compose.project"}}' "$c")
    if [ -z "$service" ] || [ -z "$cproject" ]; then
      log "$c was not made by docker compose: cannot recreate it"
      exit 1
    fi
    log "$c: recreating (service $service of project $cproject)"
    docker compose -p "$cproject" -f "$recreate" up -d --no-deps --force-recreate "$service" >/dev/null
  else
    # the container's own stop timeout (compose's stop_grace_period): the agent stops its services
    # within it, its stop gate's wait included
    grace=$(docker inspect -f '{{if .Config.StopTimeout}}{{.Config.StopTimeout}}{{end}}' "$c")
    log "$c: restarting${grace:+ (stop timeout $grace s)}"
    docker restart ${grace:+-t "$grace"} "$c" >/dev/null
  fi
  await_ready "$c" "after its restart"
  log "$c: ready again after $((SECONDS - t0)) s"
done
log "rolled ${#order[@]} container(s) in $((SECONDS - start)) s"
