#!/usr/bin/env bash
# Times `meshwave publish` (all waves, pushed to a fresh bare repository) against the git CLI making
# the same commits from the same files (`git add -A && git commit` per wave, then one push).
#
#   bench/publish-vs-git.sh [PLAN] [RUNS]             an example plan (default examples/istio-to-asm)
#   bench/publish-vs-git.sh --fleet C N W [RUNS]      a synthetic fleet: C clusters × N namespaces, W waves
#
# Prints the medians of wall time and of CPU time (user + sys, children included: on a shared machine the
# steadier figure) and their ratios, and meshwave's peak RSS. meshwave runs with the launcher's JVM flags and
# a heap of MESHWAVE_HEAP (default 256m). With --fleet the git CLI's branch contents are not copied in for
# each run but written into its working tree untimed (`git archive | tar`, one branch at a time, so a
# 1,000-cluster fleet needs no snapshot per branch): git is timed on add, commit and push alone.
# WORK_DIR chooses where (default /dev/shm when it exists).
set -euo pipefail
cd "$(dirname "$0")/.."
fleet=""
if [ "${1:-}" = --fleet ]; then
  fleet="$2 $3 $4"; runs="${5:-3}"
else
  plan="${1:-examples/istio-to-asm/plan.yaml}"
  runs="${2:-7}"
fi
heap="${MESHWAVE_HEAP:-256m}"
base="${WORK_DIR:-$([ -d /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")}"
work="$(mktemp -d "$base/publish-vs-git.XXXXXX")"
trap 'rm -rf "$work"' EXIT
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (/usr/bin/time)" >&2; exit 2; }
./meshwave --version >/dev/null
if [ -n "$fleet" ]; then
  [ -d target/test-classes/dev/meshwave/testing ] || mvn -B -q -o test-compile >&2
  plan="$work/plan.yaml"
  # shellcheck disable=SC2086
  java -cp target/test-classes dev.meshwave.testing.SyntheticPlans $fleet > "$plan"
fi
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@localhost \
  GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@localhost SOURCE_DATE_EPOCH=1767225600
meshwave=(java "-Xmx$heap" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:SharedArchiveFile=target/meshwave.jsa
  -Xlog:cds=off -Xlog:cds+dynamic=off -jar target/meshwave.jar)

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# timed FILE COMMAND...: appends "wall cpu rss" of one run of COMMAND to FILE.
timed() {
  local file="$1"; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/one" "$@" >/dev/null
  awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$work/one" >> "$file"
}

# The files of each branch, taken from one meshwave publish, for the git CLI to commit.
git init -q --bare -b main "$work/ref.git"
XDG_CACHE_HOME="$work/cache-ref" "${meshwave[@]}" publish "$plan" --repo "file://$work/ref.git" --push --quiet >/dev/null
rm -rf "$work/cache-ref"
branches=$(git -C "$work/ref.git" for-each-ref --format='%(refname:short)' refs/heads/meshwave/ | sort)
if [ -z "$fleet" ]; then
  for b in $branches; do
    mkdir -p "$work/snap/$b"
    git -C "$work/ref.git" archive "$b" | tar -x -C "$work/snap/$b"
  done
fi

: > "$work/meshwave.times"
: > "$work/git.times"
for i in $(seq "$runs"); do
  rm -rf "$work/m.git" "$work/cache"
  git init -q --bare -b main "$work/m.git"
  timed "$work/meshwave.times" env XDG_CACHE_HOME="$work/cache" \
    "${meshwave[@]}" publish "$plan" --repo "file://$work/m.git" --push --pr none --quiet
  rm -rf "$work/cache" "$work/m.git"

  rm -rf "$work/g.git" "$work/wt"
  git init -q --bare -b main "$work/g.git"
  git init -q -b main "$work/wt"
  : > "$work/git.steps"
  for b in $branches; do
    find "$work/wt" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
    if [ -n "$fleet" ]; then
      git -C "$work/ref.git" archive "$b" | tar -x -C "$work/wt"
      timed "$work/git.steps" sh -c 'git -C "$1" add -A && git -C "$1" commit -q -m "$2" && git -C "$1" branch -q "$2"' - "$work/wt" "$b"
    else
      timed "$work/git.steps" sh -c 'cp -r "$1/." "$2/" && git -C "$2" add -A && git -C "$2" commit -q -m "$3" && git -C "$2" branch -q "$3"' \
        - "$work/snap/$b" "$work/wt" "$b"
    fi
  done
  # shellcheck disable=SC2046
  timed "$work/git.steps" git -C "$work/wt" push -q "$work/g.git" $(for b in $branches; do echo "refs/heads/$b"; done)
  awk '{w += $1; c += $2} END {printf "%.2f %.2f 0\n", w, c}' "$work/git.steps" >> "$work/git.times"
  rm -rf "$work/wt" "$work/g.git"
done

mw=$(cut -d' ' -f1 < "$work/meshwave.times" | median); mc=$(cut -d' ' -f2 < "$work/meshwave.times" | median)
gw=$(cut -d' ' -f1 < "$work/git.times" | median); gc=$(cut -d' ' -f2 < "$work/git.times" | median)
rss=$(cut -d' ' -f3 < "$work/meshwave.times" | sort -n | tail -1)
echo "plan: ${fleet:+synthetic $fleet (clusters namespaces waves), }$plan ($(echo "$branches" | wc -l) branches), $runs runs, $(nproc) cores"
echo "meshwave publish -Xmx$heap (JVM start, render, commit, push): median ${mw}s wall, ${mc}s CPU, peak RSS $((rss / 1024)) MiB"
echo "git CLI add/commit per wave + push:                  median ${gw}s wall, ${gc}s CPU"
echo "ratio meshwave/git: $(echo "scale=2; $mw / $gw" | bc) wall, $(echo "scale=2; $mc / $gc" | bc) CPU"
