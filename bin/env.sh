# Sourced by every script: selects JDK 25 (the machine's default java is 17).
# Without a subshell or dirname: bin/pier sources this on every command, and each fork costs ~2 ms.
_pier_here="${BASH_SOURCE[0]}"
case "$_pier_here" in */*) _pier_here="${_pier_here%/*}" ;; *) _pier_here=. ;; esac
_pier_cwd="$PWD"
cd -P -- "$_pier_here/.." && PIER_HOME="$PWD"
cd -- "$_pier_cwd" || exit 1
unset _pier_here _pier_cwd
export PIER_HOME
if [ -z "${PIER_JAVA_HOME:-}" ]; then
  for j in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk-arm64 /usr/lib/jvm/java-25-openjdk-amd64; do
    [ -x "$j/bin/java" ] && PIER_JAVA_HOME="$j" && break
  done
fi
if [ -z "${PIER_JAVA_HOME:-}" ]; then
  echo "pier: JDK 25 not found under /usr/lib/jvm (set PIER_JAVA_HOME)" >&2
  exit 1
fi
export JAVA_HOME="$PIER_JAVA_HOME"
export PATH="$JAVA_HOME/bin:$PATH"
# The CLI's JVM, for bin/pier and for the AOT caches bin/build trains (a cache needs the same options):
# C1 only, the smallest collector, no perf file.
PIER_CLI_JAVA_OPTS=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData)
