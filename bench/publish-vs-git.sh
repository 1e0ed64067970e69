#!/usr/bin/env bash
# Times `meshwave publish` (all waves, pushed to a fresh bare repository) against the git CLI making
# the same commits from the same files (`git add -A && git commit` per wave, then one push).
# Usage: bench/publish-vs-git.sh [PLAN] [RUNS]; prints the medians and their ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
plan="${1:-examples/istio-to-asm/plan.yaml}"
runs="${2:-7}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
./meshwave --version >/dev/null
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@localhost \
  GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@localhost SOURCE_DATE_EPOCH=1767225600

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# The files of each branch, taken from one meshwave publish, for the git CLI to commit.
git init -q --bare -b main "$work/ref.git"
XDG_CACHE_HOME="$work/cache-ref" java -jar target/meshwave.jar publish "$plan" --repo "file://$work/ref.git" --push >/dev/null
branches=$(git -C "$work/ref.git" for-each-ref --format='%(refname:short)' refs/heads/meshwave/ | sort)
for b in $branches; do
  mkdir -p "$work/snap/$b"
  git -C "$work/ref.git" archive "$b" | tar -x -C "$work/snap/$b"
done

: > "$work/meshwave.times"
: > "$work/git.times"
for i in $(seq "$runs"); do
  rm -rf "$work/m.git" "$work/cache"
  git init -q --bare -b main "$work/m.git"
  t0=$(now)
  XDG_CACHE_HOME="$work/cache" java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar target/meshwave.jar \
    publish "$plan" --repo "file://$work/m.git" --push --pr none >/dev/null
  t1=$(now)
  echo "$t1 - $t0" | bc >> "$work/meshwave.times"

  rm -rf "$work/g.git" "$work/wt"
  git init -q --bare -b main "$work/g.git"
  git init -q -b main "$work/wt"
  t0=$(now)
  for b in $branches; do
    find "$work/wt" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
    cp -r "$work/snap/$b/." "$work/wt/"
    git -C "$work/wt" add -A
    git -C "$work/wt" commit -q -m "$b"
    git -C "$work/wt" branch -q "$b"
  done
  git -C "$work/wt" push -q "$work/g.git" $(for b in $branches; do echo "refs/heads/$b"; done)
  t1=$(now)
  echo "$t1 - $t0" | bc >> "$work/git.times"
done

m=$(median < "$work/meshwave.times")
g=$(median < "$work/git.times")
echo "plan: $plan ($(echo "$branches" | wc -l) branches), $runs runs, $(nproc) cores"
echo "meshwave publish (JVM start, render, commit, push): median ${m}s"
echo "git CLI add/commit per wave + push:                  median ${g}s"
echo "ratio meshwave/git: $(echo "scale=2; $m / $g" | bc)"
