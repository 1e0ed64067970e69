#!/usr/bin/env bash
# Start-up figures of issue 20, through the launcher as a user runs it: `./meshwave --version` and a
# render of examples/helm-flux on JDK 17 (class-data sharing archive) and on the Java 25+ the build
# trained its ahead-of-time cache with, beside `kubectl version --client`, all in the same run. The
# commands take turns (one round runs each once) so that a busy machine slows them alike.
#
#   bench/startup.sh [RUNS]     RUNS rounds, medians reported (default 7); needs target/ built (mvn package)
#
# Prints "name seconds" lines (run.sh reads them): kubectl, version17, version25, render17, render25,
# then java17 and java25 (the JVMs' paths; "none" when the build found no Java 25, and its figures are "—").
# JAVA17 chooses the first JVM (default: java on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-7}"
[ -f target/meshwave.jar ] || { echo "bench/startup.sh: build first (mvn -DskipTests package)" >&2; exit 2; }
java17="$(readlink -f "$(command -v "${JAVA17:-java}")")"
java25=none
if [ -f target/meshwave.aot ] && [ -f target/meshwave.aot.java ]; then
  java25="$(cat target/meshwave.aot.java)"
fi
base="${BENCH_DIR:-$([ -d /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")}"
work="$(mktemp -d "$base/meshwave-startup.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# The launcher with an explicit JVM; JAVA_HOME cleared so that MESHWAVE_JAVA alone decides.
names=(kubectl version17 render17)
commands=("kubectl version --client"
  "MESHWAVE_JAVA='$java17' JAVA_HOME= ./meshwave --version"
  "MESHWAVE_JAVA='$java17' JAVA_HOME= ./meshwave render examples/helm-flux/plan.yaml --out '$work/out'")
if [ "$java25" != none ]; then
  names+=(version25 render25)
  commands+=("MESHWAVE_JAVA='$java25' JAVA_HOME= ./meshwave --version"
    "MESHWAVE_JAVA='$java25' JAVA_HOME= ./meshwave render examples/helm-flux/plan.yaml --out '$work/out'")
fi
# Check once that each works (and that --version says nothing on stderr): a failure is not timed as a fast run.
for i in "${!names[@]}"; do
  rm -rf "$work/out"
  if ! eval "${commands[$i]}" > /dev/null 2> "$work/err"; then
    echo "bench/startup.sh: ${names[$i]} failed:" >&2
    cat "$work/err" >&2
    exit 1
  fi
  case "${names[$i]}" in
    version*) if [ -s "$work/err" ]; then echo "bench/startup.sh: ${names[$i]} printed on stderr:" >&2; cat "$work/err" >&2; exit 1; fi ;;
  esac
done
# eval, not bash -c: no extra shell is timed, for meshwave or kubectl.
for _ in $(seq "$runs"); do
  for i in "${!names[@]}"; do
    rm -rf "$work/out"
    start=$(date +%s%N)
    eval "${commands[$i]}" > /dev/null 2>&1
    end=$(date +%s%N)
    echo $(((end - start) / 1000)) >> "$work/${names[$i]}.us"
  done
done
median() { sort -n | awk '{a[NR]=$1} END {printf "%.3f\n", (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2) / 1e6}'; }
for name in kubectl version17 version25 render17 render25; do
  if [ -f "$work/$name.us" ]; then
    echo "$name $(median < "$work/$name.us")"
  else
    echo "$name —"
  fi
done
echo "java17 $java17"
echo "java25 $java25"
