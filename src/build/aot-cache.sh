#!/usr/bin/env bash
# Trains target/meshwave.aot, the ahead-of-time cache (JEP 483, 514, 515) the launcher hands a Java 25
# or newer, when this build finds one; otherwise leaves no cache behind and succeeds (JDK 17 builds and
# runs as before, with its class-data sharing archive, target/meshwave.jsa). Run by `mvn package`.
#
#   src/build/aot-cache.sh TARGET_DIR TRAINING_PLAN [JAVA]
#
# JAVA (the pom's -Dmeshwave.aot.java) names the java to train with; "none" trains nothing. Without it
# the first Java 25+ of: $MESHWAVE_JAVA, $JAVA_HOME/bin/java, java on PATH, /usr/lib/jvm/*/bin/java
# (newest first). The cache belongs to that very JVM build and to this jar: the path of the java that
# trained it goes to target/meshwave.aot.java, where the launcher finds it; any other JVM, or a rebuilt
# jar, makes the JVM ignore the cache (the launcher silences its warnings).
set -euo pipefail
target="$1"
plan="$2"
requested="${3:-}"
jar="$target/meshwave.jar"
rm -f "$target/meshwave.aot" "$target/meshwave.aot.java"

# The feature release (17, 25, ...) of the JDK a java executable belongs to, from its release file; 0 if unknown.
feature() {
  local bin line version=0
  bin="$(command -v -- "$1" 2>/dev/null)" || { echo 0; return; }
  bin="$(readlink -f -- "$bin")"
  if [ -f "${bin%/bin/java}/release" ]; then
    while IFS= read -r line; do
      case "$line" in JAVA_VERSION=*) version="${line#JAVA_VERSION=\"}"; version="${version%%[.\"]*}" ;; esac
    done < "${bin%/bin/java}/release"
  fi
  case "$version" in '' | *[!0-9]*) echo 0 ;; *) echo "$version" ;; esac
}

java=""
if [ "$requested" = none ]; then
  echo "aot-cache: skipped (meshwave.aot.java=none)" > "$target/aot-training.log"
  exit 0
elif [ -n "$requested" ]; then
  if [ "$(feature "$requested")" -lt 25 ]; then
    echo "aot-cache: $requested is not a Java 25 or newer" >&2
    exit 1
  fi
  java="$requested"
else
  candidates=("${MESHWAVE_JAVA:-}" "${JAVA_HOME:+$JAVA_HOME/bin/java}" java)
  # Newest first: sort the JDK directories by their feature release.
  for bin in /usr/lib/jvm/*/bin/java; do
    [ -x "$bin" ] && candidates+=("$(feature "$bin") $bin")
  done
  mapfile -t jvms < <(printf '%s\n' "${candidates[@]:3}" | sort -rn | cut -d' ' -f2-)
  for candidate in "${candidates[@]:0:3}" "${jvms[@]}"; do
    if [ -n "$candidate" ] && [ "$(feature "$candidate")" -ge 25 ]; then
      java="$candidate"
      break
    fi
  done
fi
if [ -z "$java" ]; then
  echo "aot-cache: no Java 25 or newer found; the launcher uses java with the class-data archive" > "$target/aot-training.log"
  exit 0
fi
java="$(readlink -f -- "$(command -v -- "$java")")"

# One run that records what a render loads, links and profiles, then writes the cache (JEP 514). The JVM
# flags are the launcher's: a cache made under other flags may be refused. A render goes through the same
# start as --version (Main, the version resource) and then through every layer.
rm -rf "$target/aot-training"
if ! "$java" -XX:AOTCacheOutput="$target/meshwave.aot" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -jar "$jar" render "$plan" --out "$target/aot-training" > "$target/aot-training.log" 2>&1; then
  echo "aot-cache: training with $java failed (see $target/aot-training.log); no cache" >&2
  rm -f "$target/meshwave.aot"
  exit 0
fi
rm -rf "$target/aot-training"
if [ -f "$target/meshwave.aot" ]; then
  echo "$java" > "$target/meshwave.aot.java"
  echo "aot-cache: trained $target/meshwave.aot with $java" >> "$target/aot-training.log"
fi
