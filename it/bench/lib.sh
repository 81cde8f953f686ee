# Sourced by the benchmark scripts: what every printed figure carries, and no stale table.
#
#   bench_header             the date (UTC), the commit (and whether the tree had changes), the
#                            machine (cores, memory) and its load average, on stdout
#   bench_report NAME FILE   after a benchmark that writes FILE: prints the header and FILE if the run
#                            wrote it; otherwise says that the benchmark was skipped or failed (the
#                            Maven output above says why) and returns 1; never an earlier run's table
#   bench_start FILE         before the run: removes FILE, so that only this run's table can be printed

bench_header() {
  local root commit dirty
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
  dirty=$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null | head -1)
  printf 'measured %s, commit %s%s, %s cores, %s MiB, load average %s\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$commit" "${dirty:+ (with uncommitted changes)}" "$(nproc)" \
    "$(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo)" "$(cut -d' ' -f1-3 /proc/loadavg)"
}

bench_start() {
  rm -f "$1"
}

bench_report() {
  local name=$1 file=$2
  if [ -s "$file" ]; then
    bench_header
    cat "$file"
  else
    echo "$name: SKIPPED or FAILED: this run wrote no table ($file); the output above says why" >&2
    return 1
  fi
}
