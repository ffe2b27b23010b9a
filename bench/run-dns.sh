#!/usr/bin/env bash
# Embedded resolver benchmark (issue 5): dnsperf from inside a container's namespace against
# 127.0.0.11, asking a container's name (answered by pierd, never forwarded).
#   usage: bench/run-dns.sh [seconds per run, default 10]
# Runs a private pierd (prefix pbd*, its own bridge, subnet, data and exec roots) and removes it all
# on exit, also when interrupted. Needs root and dnsperf (Debian's package: apt-get install dnsperf).
set -euo pipefail
source "$(dirname "$0")/../bin/env.sh"
cd "$PIER_HOME"
SECONDS_PER_RUN="${1:-10}"

if [ "$(id -u)" != 0 ]; then echo "run-dns: must run as root" >&2; exit 77; fi
command -v dnsperf >/dev/null || { echo "run-dns: dnsperf not found (apt-get install dnsperf)" >&2; exit 77; }
[ -d daemon/target/classes ] && [ -d cli/target ] || (mvn -q -o -pl daemon,cli -am package -DskipTests)

prefix="pbd$(printf '%04x' $((RANDOM)))"
root="$(mktemp -d "/tmp/pier-$prefix.XXXX")"
sock="$root/pier.sock"
b=$((RANDOM % 200 + 20))
pierd_pid=""
pier() { bin/pier -H "unix://$sock" "$@"; }
cleanup() {
  set +e
  if [ -n "$pierd_pid" ] && kill -0 "$pierd_pid" 2>/dev/null; then
    ids="$(pier ps -aq 2>/dev/null)"; [ -n "$ids" ] && pier rm -f $ids >/dev/null 2>&1
    pier network rm "$prefix-net" >/dev/null 2>&1
    kill "$pierd_pid"; wait "$pierd_pid" 2>/dev/null
  fi
  for n in $(ls "$root/run/netns" 2>/dev/null); do umount -l "$root/run/netns/$n"; rm -f "$root/run/netns/$n" "/run/netns/$n"; done
  umount -l "$root/run/netns" 2>/dev/null
  for c in $(runc --root "$root/run/runc" list -q 2>/dev/null); do runc --root "$root/run/runc" delete -f "$c"; done
  grep -o " $root[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l
  ip link del "${prefix}br" 2>/dev/null; ip link del "${prefix}nb" 2>/dev/null
  nft delete table inet "pier_${prefix}br" 2>/dev/null; nft delete table inet "pier_${prefix}br_user" 2>/dev/null
  nft delete table bridge "pier_${prefix}br" 2>/dev/null
  rm -rf "$root"
}
trap cleanup EXIT INT TERM

bin/pierd --host "unix://$sock" --data-root "$root/data" --exec-root "$root/run" --bridge-name "${prefix}br" \
  --bip "10.253.$b.1/24" >"$root/pierd.log" 2>&1 &
pierd_pid=$!
for _ in $(seq 100); do [ -S "$sock" ] && pier version >/dev/null 2>&1 && break; sleep 0.1; done
busybox_tar="e2e/target/busybox.tar"
[ -f "$busybox_tar" ] || { mkdir -p e2e/target; bin/make-busybox-image "$busybox_tar"; }
pier import "$busybox_tar" busybox:latest >/dev/null
pier network create --subnet "10.254.$b.0/24" -o "com.docker.network.bridge.name=${prefix}nb" "$prefix-net" >/dev/null
# --dns at the network's gateway, where nothing answers: only container names are asked here.
pier run -d --name db --network "$prefix-net" --dns "10.254.$b.1" busybox sleep 3600 >/dev/null
client="$(pier run -d --name client --network "$prefix-net" --dns "10.254.$b.1" busybox sleep 3600)"
netns="pier-${client:0:12}"
printf 'db A\n' >"$root/queries"

echo "# pier embedded resolver, $(date -u +%F), kernel $(uname -r), $(nproc) cores, $(java -version 2>&1 | head -1)"
echo "# $SECONDS_PER_RUN s per run; the load runs in the asking container's namespace"
echo
echo "## throughput, 256 queries in flight"
ip netns exec "$netns" dnsperf -s 127.0.0.11 -d "$root/queries" -q 256 -l "$SECONDS_PER_RUN" -c 4 -T 2 2>&1 \
  | grep -E "Queries (sent|completed|lost)|Queries per second|Average Latency" | tee "$root/full.txt"
qps="$(awk '/Queries per second/ {print int($4)}' "$root/full.txt")"
half=$((qps / 2))
echo
echo "## latency at half that load ($half q/s)"
ip netns exec "$netns" dnsperf -s 127.0.0.11 -d "$root/queries" -q 256 -Q "$half" -l "$SECONDS_PER_RUN" -v 2>/dev/null \
  >"$root/half.txt" || true
grep -E "Queries (sent|completed|lost)|Queries per second|Average Latency" "$root/half.txt"
# -v prints one line per query: "> NOERROR db A 0.000123"; the last field is its latency in seconds.
awk '$1 == ">" {print $NF}' "$root/half.txt" | sort -g | awk '{v[NR]=$1} END {
  if (NR == 0) { print "no per-query latencies"; exit }
  printf "  p50 %.3f ms   p99 %.3f ms   p99.9 %.3f ms   max %.3f ms   (%d queries)\n",
    v[int(NR*0.5)+1]*1000, v[int(NR*0.99)]*1000, v[int(NR*0.999)]*1000, v[NR]*1000, NR }'
