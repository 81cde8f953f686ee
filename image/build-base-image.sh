#!/usr/bin/env bash
# Builds a JRE 17 base image from Debian packages, for machines whose Docker engine cannot pull
# from a registry:
#
#   debootstrap --variant=minbase --include=openjdk-17-jre-headless,... bookworm ROOTFS MIRROR
#   tar -C ROOTFS -c . | docker import -c 'ENV ...' - dockhand/jre17-base:bookworm
#
# then build the dockhand image on it:
#
#   docker build --build-arg BASE_IMAGE=dockhand/jre17-base:bookworm -f image/Dockerfile .
#
# Cached twice, because a debootstrap takes over a minute:
#   - the image: when the engine already has it, nothing is done (use --force to rebuild);
#   - the root file system as a tarball under ${XDG_CACHE_HOME:-~/.cache}/dockhand/: a fresh
#     engine (or --force without --refresh) only imports it (a few seconds).
#
# Options: --force    re-import even when the engine has the image
#          --refresh  debootstrap again even when a cached tarball exists (implies --force)
# Env:     DOCKHAND_BASE_IMAGE   image name (default dockhand/jre17-base:bookworm)
#          DOCKHAND_DEBIAN_MIRROR  Debian mirror (default: the one in this machine's apt sources)
#          DOCKHAND_CACHE_DIR    tarball cache dir
set -euo pipefail

SUITE=bookworm
IMAGE="${DOCKHAND_BASE_IMAGE:-dockhand/jre17-base:bookworm}"
# bash: the agent's wrapper and probes need it (Debian's /bin/sh is dash);
# procps: ps/pkill/pgrep for operators and for the Docker tests; iproute2: `ss` to look at ports.
PACKAGES=openjdk-17-jre-headless,bash,procps,iproute2
CACHE_DIR="${DOCKHAND_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/dockhand}"

log() { printf 'build-base-image: %s\n' "$*" >&2; }
die() { printf 'build-base-image: error: %s\n' "$*" >&2; exit 1; }

force=false refresh=false
for arg in "$@"; do
  case "$arg" in
    --force) force=true ;;
    --refresh) force=true refresh=true ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$arg' (known: --force, --refresh, --help)" ;;
  esac
done

command -v docker >/dev/null 2>&1 || die "no docker client on PATH; run .ci/docker-up.sh first"
docker info >/dev/null 2>&1 || die "the Docker engine does not answer 'docker info'; run .ci/docker-up.sh first"

if ! $force && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "$IMAGE already exists in the engine; nothing to do (--force to re-import, --refresh to rebuild)"
  exit 0
fi

arch="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
tarball="$CACHE_DIR/jre17-base-$SUITE-$arch.tar"

# The mirror apt uses on this machine: deb822 files (URIs:) first, then one-line sources.
# Only Debian's main archive will do (not -security, not third-party repositories).
find_mirror() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri="$(awk '/^URIs:/ {for (i = 2; i <= NF; i++) print $i}' "$f" | grep -v -- '-security' | grep -i 'debian' | head -n 1 || true)"
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    uri="$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):/) { print $i; break } }' "$f" \
      | grep -v -- '-security' | grep -i 'debian' | head -n 1 || true)"
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
}

if $refresh || [ ! -s "$tarball" ]; then
  [ "$(id -u)" -eq 0 ] || die "debootstrap needs root; run as root (or put a cached $tarball in place)"
  command -v debootstrap >/dev/null 2>&1 || die "debootstrap is not installed; run .ci/docker-up.sh (installs it) or: apt-get install debootstrap"
  mirror="${DOCKHAND_DEBIAN_MIRROR:-$(find_mirror)}"
  [ -n "$mirror" ] || die "found no Debian mirror in /etc/apt/sources.list*; set DOCKHAND_DEBIAN_MIRROR=http://..."

  workdir="$(mktemp -d "${TMPDIR:-/var/tmp}/dockhand-rootfs.XXXXXX")"
  trap 'rm -rf "$workdir"' EXIT
  rootfs="$workdir/rootfs"
  log "debootstrap $SUITE ($arch) from $mirror with $PACKAGES (takes about a minute)"
  start=$SECONDS
  if ! debootstrap --variant=minbase --arch="$arch" --include="$PACKAGES" \
      "$SUITE" "$rootfs" "$mirror" >"$workdir/debootstrap.log" 2>&1; then
    tail -n 30 "$workdir/debootstrap.log" >&2
    cp "$workdir/debootstrap.log" "${TMPDIR:-/var/tmp}/dockhand-debootstrap.log" 2>/dev/null || true
    die "debootstrap failed (last lines above; full log: ${TMPDIR:-/var/tmp}/dockhand-debootstrap.log)"
  fi
  log "debootstrap done in $((SECONDS - start)) s"

  # Slim it: downloaded packages, apt lists, docs and man pages are of no use in a container.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
    "$rootfs"/var/log/*.log "$rootfs"/var/cache/debconf/*-old
  # The image's apt should use the same mirror as the machine that built it.
  echo "deb $mirror $SUITE main" >"$rootfs/etc/apt/sources.list"
  # Check the JRE is there before caching the tree (it runs only once imported: java needs /proc).
  [ -x "$rootfs/usr/lib/jvm/java-17-openjdk-$arch/bin/java" ] \
    || die "no java in the new root file system (expected /usr/lib/jvm/java-17-openjdk-$arch/bin/java)"

  mkdir -p "$CACHE_DIR"
  # Write to a temp file then rename: an interrupted run never leaves a truncated cache behind.
  tar --numeric-owner -C "$rootfs" -cf "$tarball.tmp" .
  mv -f "$tarball.tmp" "$tarball"
  log "cached the root file system: $tarball ($(du -h "$tarball" | cut -f1))"
else
  log "using cached root file system $tarball"
fi

java_home="/usr/lib/jvm/java-17-openjdk-$arch"
start=$SECONDS
docker import \
  -c "ENV JAVA_HOME=$java_home" \
  -c "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  -c "ENV LANG=C.UTF-8" \
  -c 'CMD ["/bin/bash"]' \
  -m "dockhand JRE 17 base: debootstrap $SUITE minbase + $PACKAGES" \
  "$tarball" "$IMAGE" >/dev/null
log "imported $IMAGE in $((SECONDS - start)) s"
if ! version="$(docker run --rm "$IMAGE" java -version 2>&1)"; then
  printf '%s\n' "$version" >&2
  die "java does not run in $IMAGE (output above); try again with --refresh"
fi
log "$IMAGE ready: $(printf '%s\n' "$version" | head -n 1)"
