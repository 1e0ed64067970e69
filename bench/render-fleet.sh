#!/usr/bin/env bash
# One large synthetic fleet for bench/run.sh (issue #20): renders CLUSTERS × NAMESPACES RUNS times with
# MESHWAVE (run.sh's launcher script, heap capped at 256 MiB), then copies its output with `cp -r`
# RUNS times (the floor: the same files written by the fastest tool there is), deleting every output as
# soon as it is measured. Above 1,000 clusters the output (about 1 MB per cluster) is copied 1,000 cluster
# directories at a time, each copy deleted before the next, so that a 10,000-cluster fleet (2.2 million
# files, about 10 GB) needs its own size of tmpfs and not twice that; the floor is then the sum of the chunks.
#
#   bench/render-fleet.sh CLUSTERS NAMESPACES RUNS MESHWAVE DIR
#
# Prints one line on stdout:
#   ok RENDER_SECONDS PEAK_RSS_KIB CP_SECONDS FILES BYTES     (medians of RUNS; the largest RSS)
#   failed EXIT REASON                                        (the render failed: OutOfMemoryError, …)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# = 5 ] || { sed -n '9p' "$0" >&2; exit 2; }
clusters="$1" namespaces="$2" runs="$3" meshwave="$4" dir="$5"
waves=10; [ "$namespaces" -lt 10 ] && waves="$namespaces"
work="$(mktemp -d "$dir/render-fleet.XXXXXX")"
trap 'rm -rf "$work"' EXIT
chunk="${BENCH_CHUNK:-1000}"   # cluster directories per copy above that many clusters
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

java -cp target/test-classes dev.meshwave.testing.SyntheticPlans "$clusters" "$namespaces" "$waves" > "$work/plan.yaml"
out="$work/out"
: > "$work/render.times"
files=0 bytes=0
for i in $(seq "$runs"); do
  rm -rf "$out"
  if ! /usr/bin/time -f "%e %M" -o "$work/one" "$meshwave" render "$work/plan.yaml" --out "$out" --quiet \
      >/dev/null 2>"$work/err"; then
    code=$(sed -n 's/^Command exited with non-zero status \([0-9]*\)$/\1/p; s/^Command terminated by \(signal [0-9]*\)$/\1/p' "$work/one")
    reason=$( { grep -o -m1 'OutOfMemoryError[^"]*\|meshwave: .*' "$work/err" || true; } | head -1 | cut -c1-120)
    echo "failed ${code:-?} ${reason:-see stderr}"
    cat "$work/err" >&2
    exit 0
  fi
  tail -1 "$work/one" >> "$work/render.times"
  if [ "$i" = 1 ]; then
    files=$(find "$out" -type f | wc -l)
    bytes=$(du -sb "$out" | cut -f1)
  fi
done
render=$(cut -d' ' -f1 < "$work/render.times" | median)
rss=$(cut -d' ' -f2 < "$work/render.times" | sort -n | tail -1)

# The floor: cp -r of the render's own output (left by the last run), whole or 1,000 clusters at a time.
: > "$work/cp.times"
for _ in $(seq "$runs"); do
  if [ "$clusters" -le "$chunk" ]; then
    rm -rf "$work/copy"
    /usr/bin/time -f "%e" -o "$work/one" cp -r "$out" "$work/copy"
    tail -1 "$work/one" >> "$work/cp.times"
    rm -rf "$work/copy"
  else
    total=0
    # Chunks of $chunk cluster directories, then everything outside clusters/.
    ls "$out/clusters" | split -l "$chunk" - "$work/chunk."
    for chunk in "$work"/chunk.*; do
      mkdir -p "$work/copy/clusters"
      /usr/bin/time -f "%e" -o "$work/one" sh -c 'cd "$1/clusters" && xargs cp -r -t "$2/clusters" < "$3"' sh "$out" "$work/copy" "$chunk"
      total=$(echo "$total + $(tail -1 "$work/one")" | bc)
      rm -rf "$work/copy"
    done
    rm -f "$work"/chunk.*
    mkdir -p "$work/copy"
    /usr/bin/time -f "%e" -o "$work/one" sh -c 'cd "$1" && find . -mindepth 1 -maxdepth 1 ! -name clusters -exec cp -r -t "$2" {} +' sh "$out" "$work/copy"
    total=$(echo "$total + $(tail -1 "$work/one")" | bc)
    rm -rf "$work/copy"
    printf '%.2f\n' "$total" >> "$work/cp.times"
  fi
done
rm -rf "$out"
cp_floor=$(median < "$work/cp.times")
echo "ok $render $rss $cp_floor $files $bytes"
