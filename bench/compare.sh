#!/usr/bin/env bash
# Times `tongbao build` against Hugo and against `cp -r` of tongbao's own
# output (the disk's floor), and a rebuild over tongbao's own output, on
# generated sites of N periods shaped like the seed (examples/gen-site.rs),
# with each run's peak memory, tongbao's CPU time, and how long the host of
# this virtual machine kept tongbao waiting (its steal time; this machine's
# runs swing by half with it).
#
#   bench/compare.sh                 # 100, 1000, 2000 and 10000 periods
#   bench/compare.sh 100 1000        # chosen sizes
#   WRITE_DOCS=1 bench/compare.sh    # also replace the table in docs/PERFORMANCE.md
#   RUNS=3 bench/compare.sh          # each tool three times a size, the fastest kept
#   TMPDIR=/srv/bench bench/compare.sh   # work on the disk you publish from
#
# Needs: Hugo (`apt-get install hugo`) and GNU time (`apt-get install time`).
# The disk here slows down for minutes after large deletions, so every run
# writes into a new folder and everything is deleted only at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("$@")
[ "${#sizes[@]}" -gt 0 ] || sizes=(100 1000 2000 10000)
for tool in hugo /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "compare.sh: $tool is missing" >&2; exit 1; }
done

cargo build --release --quiet --bin tongbao --example gen-site
target=${CARGO_TARGET_DIR:-target}
tongbao="$target/release/tongbao"
gen="$target/release/examples/gen-site"

work=$(mktemp -d "${TMPDIR:-/tmp}/tongbao-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# steal: the CPU time, in seconds over every core, that the host of this
# virtual machine has given to others since boot (0 where the kernel does
# not count it). A run that waited for the host is slower for reasons of
# its own; the table shows how long tongbao's run waited.
steal() {
  awk '/^cpu / { printf "%.2f\n", ($9 == "" ? 0 : $9) / 100 }' /proc/stat 2>/dev/null || echo 0
}
# measure COMMAND...: runs the command under GNU time and prints
# "seconds peak_MB cpu_seconds steal_seconds" for it.
measure() {
  local log="$work/time-$RANDOM.log"
  local stolen_before
  stolen_before=$(steal)
  /usr/bin/time -v -o "$log" "$@" >/dev/null 2>"$log.err" || {
    echo "compare.sh: failed: $*" >&2
    cat "$log.err" >&2
    exit 1
  }
  local wall rss user system stolen
  stolen=$(awk -v before="$stolen_before" -v after="$(steal)" 'BEGIN { printf "%.1f", after - before }')
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  user=$(awk -F': ' '/User time \(seconds\)/ {print $2}' "$log")
  system=$(awk -F': ' '/System time \(seconds\)/ {print $2}' "$log")
  # wall is m:ss.ss or h:mm:ss
  awk -v wall="$wall" -v rss="$rss" -v cpu="$user + $system" -v stolen="$stolen" 'BEGIN {
    n = split(wall, part, ":"); seconds = 0
    for (i = 1; i <= n; i++) seconds = seconds * 60 + part[i]
    split(cpu, parts, " [+] ")
    printf "%.2f %d %.2f %s\n", seconds, rss / 1024, parts[1] + parts[2], stolen
  }'
}
# fastest NAME COMMAND...: runs the command RUNS times, with NAME in its
# arguments replaced by NAME-1, NAME-2, ... (a new folder each run), and
# prints the measure of the fastest run. An empty NAME replaces nothing:
# the same command each run, as a rebuild over one folder is. One run is at the mercy of the
# host and of the disk (a file system slows down as it ages with many
# files made and deleted, see docs/PERFORMANCE.md); the fastest of a few
# is what the program itself costs.
runs=${RUNS:-1}
fastest() {
  local name=$1
  shift
  local run
  for run in $(seq "$runs"); do
    measure "${@//"$name"/"$name-$run"}"
  done | sort -n | head -n 1
}
rows=()
for n in "${sizes[@]}"; do
  echo "== $n periods" >&2
  "$gen" --periods "$n" --hugo "$work/hugo-$n" "$work/site-$n"
  read -r t_time t_mem t_cpu t_steal < <(fastest "$work/out-$n" "$tongbao" build --root "$work/site-$n" --output "$work/out-$n")
  read -r h_time h_mem _ _ < <(fastest "$work/hugo-out-$n" hugo --quiet -s "$work/hugo-$n" -d "$work/hugo-out-$n")
  read -r c_time _ _ _ < <(fastest "$work/copy-$n" cp -r "$work/out-$n-1" "$work/copy-$n")
  # A rebuild of the same site over its own output, as a clerk rebuilds
  # after an edit: the unchanged files are linked, not written again.
  read -r r_time _ r_cpu _ < <(fastest "" "$tongbao" build --root "$work/site-$n" --output "$work/out-$n-1")
  size=$(du -sm "$work/out-$n-1" | cut -f1)
  per=$(awk -v t="$t_time" -v n="$n" 'BEGIN { printf "%.2f", t * 1000 / n }')
  speedup=$(awk -v t="$t_time" -v h="$h_time" 'BEGIN { printf "%.1f", (t > 0 ? h / t : 0) }')
  floor=$(awk -v t="$t_time" -v c="$c_time" 'BEGIN { printf "%.1f", (c > 0 ? t / c : 0) }')
  rows+=("| $n | $t_time s | $per ms | $t_cpu s | $t_steal s | $t_mem MB | $r_time s ($r_cpu s CPU) | $h_time s | $h_mem MB | ${speedup}× | $c_time s | ${floor}× | $size MB |")
done

table="| periods | tongbao | per period | tongbao CPU | host steal | tongbao peak | rebuild | Hugo | Hugo peak | Hugo ÷ tongbao | cp -r | tongbao ÷ cp | output |
|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for row in "${rows[@]}"; do table+=$'\n'"$row"; done
echo "$table"

if [ "${WRITE_DOCS:-0}" = 1 ]; then
  docs=docs/PERFORMANCE.md
  stamp="Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $(hugo version | cut -d' ' -f2), fastest of $runs run(s) each."
  awk -v table="$table" -v stamp="$stamp" '
    /<!-- compare:begin -->/ { print; print stamp; print ""; print table; skip = 1; next }
    /<!-- compare:end -->/ { skip = 0 }
    !skip { print }
  ' "$docs" >"$docs.new"
  mv "$docs.new" "$docs"
  echo "wrote the table into $docs" >&2
fi
