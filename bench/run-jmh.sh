#!/usr/bin/env bash
# JMH micro-benchmarks of the plumbing hot path without kernel state changes (NetlinkEncodingBench).
# usage: bench/run-jmh.sh [JMH options...]   e.g. bench/run-jmh.sh -f 1 -wi 2 -i 3 'NetlinkEncodingBench.hop.*'
set -euo pipefail
source "$(dirname "$0")/../bin/env.sh"
BENCH="$PIER_HOME/bench"
if [ "$(id -u)" != 0 ]; then
  echo "run-jmh: must run as root (netlink buffer sizes, a pbnjmh* network namespace)" >&2
  exit 77
fi
jar="$BENCH/target/pier-bench-0.1.0-SNAPSHOT.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$BENCH/src" "$PIER_HOME/linux/src/main" -newer "$jar" -print -quit)" ]; then
  echo "run-jmh: building pier-bench" >&2
  (cd "$PIER_HOME" && mvn -q -o -pl bench -am package -DskipTests)
fi
if [ $# -eq 0 ]; then set -- NetlinkEncodingBench; fi
exec java --enable-native-access=ALL-UNNAMED -cp "$jar:$BENCH/target/lib/*" org.openjdk.jmh.Main "$@"
