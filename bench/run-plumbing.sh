#!/usr/bin/env bash
# Endpoint plumbing benchmark: pier (FFM) vs one ip process per step vs ip -batch, side by side.
# usage: bench/run-plumbing.sh [--ip-per-step-max=N] [sizes...]   (default sizes: 1 100 1000)
#        bench/run-plumbing.sh --cleanup                          (remove pbn* leftovers of a killed run)
set -euo pipefail
source "$(dirname "$0")/../bin/env.sh"
BENCH="$PIER_HOME/bench"

if [ "$(id -u)" != 0 ]; then
  echo "run-plumbing: must run as root (it creates namespaces, veths and a bridge)" >&2
  exit 77
fi

# Build when the jar is missing or any source it depends on is newer than it.
jar="$BENCH/target/pier-bench-0.1.0-SNAPSHOT.jar"
if [ ! -f "$jar" ] || [ ! -f "$BENCH/target/lib/pier-linux-0.1.0-SNAPSHOT.jar" ] \
   || [ -n "$(find "$BENCH/src" "$PIER_HOME/linux/src/main" "$BENCH/pom.xml" "$PIER_HOME/linux/pom.xml" "$PIER_HOME/pom.xml" \
              -newer "$jar" -print -quit)" ]; then
  echo "run-plumbing: building pier-bench" >&2
  (cd "$PIER_HOME" && mvn -q -o -pl bench -am package -DskipTests)
fi

exec java --enable-native-access=ALL-UNNAMED -cp "$jar:$BENCH/target/lib/*" dev.pier.bench.EndpointPlumbingBench "$@"
