#!/usr/bin/env bash
# Embedded DNS side by side (issue 5): the same dnsperf run, from inside a container's network
# namespace, against each engine's resolver on a user network: Pier's and Docker's at 127.0.0.11,
# Podman's aardvark-dns on the network's gateway. The question is another container's name
# ("db A"), which every resolver answers itself: nothing is forwarded, nothing leaves the machine.
# One engine runs at a time. Per engine: R runs with 256 queries in flight (the best q/s counts),
# then two runs at half that rate for latency percentiles (dnsperf -v: one line per answer): with
# the same dnsperf flags (4 sockets, 2 threads), and with one socket and one thread, which is
# enough to send that rate and leaves the server more of the 2 cores.
# The CPU the resolver's process spent per answered query is taken over the half-load run: the machine's
# other load moves it least (PBE_DNS_RATE=N sets that run's rate, to compare builds at the same rate).
# Then the same series with the project's own load tool (bench's DnsLoad: the same question over 4
# connected sockets, in sendmmsg/recvmmsg batches), which needs about a third of dnsperf's CPU per
# query: on 2 cores the load tool's share caps what a fast resolver can show. PBE_DNS_TOOLS picks
# the tools ("dnsperf dnsload" by default).
#   usage: bench/engine/dns.sh [seconds per run=10] [R=3]
# Run it under `flock /tmp/pbe.lock` (the engine scripts share /tmp/pbe and the pbe* names).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
secs="${1:-10}"; runs="${2:-3}"
[[ "$secs" =~ ^[1-9][0-9]*$ && "$runs" =~ ^[1-9][0-9]*$ ]] || pbe_die "usage: dns.sh [seconds] [runs]"
PBE_DNS_TOOLS="${PBE_DNS_TOOLS:-dnsperf dnsload}"
[[ " $PBE_DNS_TOOLS " != *" dnsperf "* ]] || command -v dnsperf >/dev/null || pbe_die "dnsperf not found (apt-get install dnsperf)"
if [[ " $PBE_DNS_TOOLS " == *" dnsload "* ]]; then
  source "$PBE_HOME/bin/env.sh"
  bench_jar="$PBE_HOME/bench/target/pier-bench-0.1.0-SNAPSHOT.jar"
  if [ ! -f "$bench_jar" ] || [ -n "$(find "$PBE_HOME/bench/src" "$PBE_HOME/linux/src/main" -newer "$bench_jar" -print -quit)" ]; then
    (cd "$PBE_HOME" && mvn -q -o -pl bench -am package -DskipTests) || pbe_die "cannot build pier-bench"
  fi
fi
command -v nsenter >/dev/null || pbe_die "nsenter not found"
pbe_results_reset dns
# dnsperf's own flags, the same for every engine: 256 in flight, 4 sockets, 2 threads.
DNSPERF_FLAGS=(-q 256 -c 4 -T 2)

# The resolver a container on pbenet asks.
dns_server() {
  case "$1" in
    pier|docker) echo 127.0.0.11 ;;
    podman) echo "${PODMAN_USER_SUBNET%.0/24}.1" ;;   # aardvark-dns on the gateway
  esac
}

# One dnsperf run in the namespace of process $1; extra flags after the server.
perf() {
  local pid="$1" server="$2"; shift 2
  nsenter -n -t "$pid" dnsperf -s "$server" -d "$PBE_TMP/dns.queries" -l "$secs" "$@" 2>&1
}

# One DnsLoad run in the namespace of process $1 (prints "key: value" lines); extra flags after the server.
dnsload() {
  local pid="$1" server="$2"; shift 2
  nsenter -n -t "$pid" "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$bench_jar:$PBE_HOME/bench/target/lib/*" \
    dev.pier.bench.DnsLoad "$server" db --seconds "$secs" "$@" 2>&1
}
kv() { # kv FILE KEY -> the value of "KEY: value"
  awk -v k="$2" -F': ' '$1 == k { print $2; exit }' "$1"
}

# The process that answers: CPU per answered query at a fixed rate is the figure the machine's
# other load moves least.
resolver_pid() {
  case "$1" in
    pier) cat "$PBE_TMP/pierd.pid" ;;
    docker) cat "$PBE_DOCKER/pid" ;;
    podman) pgrep -nx aardvark-dns ;;
  esac
}
cpu_ticks() { # utime + stime of every thread of process $1, in clock ticks
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

field() { # field FILE 'awk pattern' N -> the Nth word of the first matching line
  awk "/$2/ { print \$$3; exit }" "$1"
}

declare -A qps lost p50 p99 p999 halfq halflost p99one halfloston cpuus
declare -A lqps llost lp50 lp99 lp999 lhalfq lhalflost lcpuus ltoolus
printf 'db A\n' > "$PBE_TMP/dns.queries" 2>/dev/null || { mkdir -p "$PBE_TMP"; printf 'db A\n' > "$PBE_TMP/dns.queries"; }
for engine in $PBE_ENGINES; do
  qps[$engine]=n/a; lost[$engine]=n/a; p50[$engine]=n/a; p99[$engine]=n/a; p999[$engine]=n/a; halfq[$engine]=n/a; halflost[$engine]=n/a
  p99one[$engine]=n/a; halfloston[$engine]=n/a; cpuus[$engine]=n/a
  for k in lqps llost lp50 lp99 lp999 lhalfq lhalflost lcpuus ltoolus; do unset -n ref; declare -n ref=$k; ref[$engine]=n/a; done
  pbe_up "$engine" || { pbe_down "$engine"; continue; }
  pbe_usernet_create "$engine" || { pbe_log "$engine: no user network"; pbe_down "$engine"; continue; }
  img="$(pbe_image "$engine")"
  pbe_cli "$engine" run -d --name db --network $PBE_USERNET "$img" sleep 3600 >/dev/null
  pbe_cli "$engine" run -d --name client --network $PBE_USERNET "$img" sleep 3600 >/dev/null
  pid="$(pbe_cli "$engine" inspect -f '{{.State.Pid}}' client)"
  server="$(dns_server "$engine")"
  # The name must resolve before anything is measured (aardvark-dns starts with the first container).
  for _ in $(seq 50); do
    nsenter -n -t "$pid" dig +time=1 +tries=1 +short @"$server" db A 2>/dev/null | grep -q '^[0-9]' && break
    sleep 0.2
  done
  answer="$(nsenter -n -t "$pid" dig +time=1 +tries=1 +short @"$server" db A 2>/dev/null | head -1)"
  [ -n "$answer" ] || { pbe_log "$engine: db does not resolve at $server"; pbe_down "$engine"; continue; }
  pbe_log "$engine: db is $answer at $server; $runs x ${secs}s at 256 in flight"
  best=0
  for ((r = 1; r <= runs; r++)); do
    [[ " $PBE_DNS_TOOLS " == *" dnsperf "* ]] || break
    perf "$pid" "$server" "${DNSPERF_FLAGS[@]}" > "$PBE_TMP/dns.full.$engine.$r"
    q="$(field "$PBE_TMP/dns.full.$engine.$r" 'Queries per second' 4)"; q="${q%.*}"
    l="$(field "$PBE_TMP/dns.full.$engine.$r" 'Queries lost' 3)"
    pbe_log "$engine run $r: $q q/s, $l lost, load $(cut -d' ' -f1 /proc/loadavg)"
    if [ -n "$q" ] && ((q > best)); then best=$q; lost[$engine]=$l; fi
  done
  qps[$engine]=$best
  half=$((best / 2)); [ -n "${PBE_DNS_RATE:-}" ] && half=$PBE_DNS_RATE
  if ((half > 0)) && [[ " $PBE_DNS_TOOLS " == *" dnsperf "* ]]; then
    rpid="$(resolver_pid "$engine")"; before="$(cpu_ticks "$rpid" 2>/dev/null || echo)"
    perf "$pid" "$server" "${DNSPERF_FLAGS[@]}" -Q "$half" -v > "$PBE_TMP/dns.half.$engine" || true
    after="$(cpu_ticks "$rpid" 2>/dev/null || echo)"
    halfq[$engine]="$(field "$PBE_TMP/dns.half.$engine" 'Queries per second' 4)"; halfq[$engine]="${halfq[$engine]%.*}"
    completed="$(field "$PBE_TMP/dns.half.$engine" 'Queries completed' 3)"
    if [ -n "$before" ] && [ -n "$after" ] && pbe_is_num "${completed:-x}" && ((completed > 0)); then
      cpuus[$engine]="$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$completed" 'BEGIN { printf "%.2f", t / hz * 1e6 / n }')"
    fi
    halflost[$engine]="$(field "$PBE_TMP/dns.half.$engine" 'Queries lost' 3)"
    # "> NOERROR db A 0.000123": the last field is the answer's latency in seconds.
    read -r p50[$engine] p99[$engine] p999[$engine] < <(awk '$1 == ">" { print $NF }' "$PBE_TMP/dns.half.$engine" | sort -g \
      | awk '{ v[NR] = $1 } END { if (NR == 0) { print "n/a n/a n/a"; exit }
               printf "%.3f %.3f %.3f\n", v[int(NR * 0.5) + 1] * 1000, v[int(NR * 0.99)] * 1000, v[int(NR * 0.999)] * 1000 }')
    perf "$pid" "$server" -q 256 -c 1 -T 1 -Q "$half" -v > "$PBE_TMP/dns.half1.$engine" || true
    halfloston[$engine]="$(field "$PBE_TMP/dns.half1.$engine" 'Queries lost' 3)"
    p99one[$engine]="$(awk '$1 == ">" { print $NF }' "$PBE_TMP/dns.half1.$engine" | sort -g \
      | awk '{ v[NR] = $1 } END { if (NR == 0) { print "n/a"; exit } printf "%.3f\n", v[int(NR * 0.99)] * 1000 }')"
  fi
  if [[ " $PBE_DNS_TOOLS " == *" dnsload "* ]]; then
    best=0
    for ((r = 1; r <= runs; r++)); do
      dnsload "$pid" "$server" --in-flight 256 > "$PBE_TMP/dnsload.full.$engine.$r" || true
      q="$(kv "$PBE_TMP/dnsload.full.$engine.$r" 'queries per second')"; q="${q%.*}"
      l="$(kv "$PBE_TMP/dnsload.full.$engine.$r" 'queries lost')"
      pbe_log "$engine dnsload run $r: $q q/s, $l lost, load $(cut -d' ' -f1 /proc/loadavg)"
      if pbe_is_num "${q:-x}" && ((q > best)); then best=$q; llost[$engine]=$l; fi
    done
    lqps[$engine]=$best
    half=$((best / 2)); [ -n "${PBE_DNS_RATE:-}" ] && half=$PBE_DNS_RATE
    if ((half > 0)); then
      rpid="$(resolver_pid "$engine")"; before="$(cpu_ticks "$rpid" 2>/dev/null || echo)"
      dnsload "$pid" "$server" --in-flight 256 --rate "$half" > "$PBE_TMP/dnsload.half.$engine" || true
      after="$(cpu_ticks "$rpid" 2>/dev/null || echo)"
      f="$PBE_TMP/dnsload.half.$engine"
      lhalfq[$engine]="$(kv "$f" 'queries per second')"; lhalfq[$engine]="${lhalfq[$engine]%.*}"
      lhalflost[$engine]="$(kv "$f" 'queries lost')"
      lp50[$engine]="$(kv "$f" 'latency p50 ms')"; lp99[$engine]="$(kv "$f" 'latency p99 ms')"; lp999[$engine]="$(kv "$f" 'latency p99.9 ms')"
      ltoolus[$engine]="$(kv "$f" 'load tool cpu us per query')"
      completed="$(kv "$f" 'queries answered')"
      # The warm-up second before the measured run is counted in the ticks: take it off at the half rate.
      if [ -n "$before" ] && [ -n "$after" ] && pbe_is_num "${completed:-x}" && ((completed > 0)); then
        lcpuus[$engine]="$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$completed" -v w="$half" 'BEGIN { printf "%.2f", t / hz * 1e6 / (n + w) }')"
      fi
    fi
  fi
  for k in qps lost p50 p99 p999 halfq halflost p99one halfloston cpuus lqps llost lp50 lp99 lp999 lhalfq lhalflost lcpuus ltoolus; do
    unset -n ref; declare -n ref=$k
    pbe_result dns "$engine" "dns_$k" "${ref[$engine]}"
  done
  pbe_down "$engine"
done

# bars TOOL Q P99... : the issue's bar on one tool's figures (q/s at 256 in flight, p99 at half load).
bars() {
  local tool="$1"; declare -n q="$2"; shift 2
  echo
  for other in docker podman; do
    [[ " $PBE_ENGINES " == *" $other "* ]] && echo "$tool: pier / $other q/s: $(pbe_ratio "${q[pier]}" "${q[$other]}")"
  done
  local faster=0 v
  for other in docker podman; do
    v="${q[$other]:-n/a}"; pbe_is_num "$v" && ((v > faster)) && faster=$v
  done
  if ((faster > 0)) && pbe_is_num "${q[pier]}"; then
    echo "$tool: bar: q/s >= 3 x $faster = $((3 * faster)): $(awk -v p="${q[pier]}" -v f="$faster" 'BEGIN { print (p >= 3 * f) ? "met" : "NOT met" }')" \
         "($(pbe_ratio "${q[pier]}" "$faster") x)"
  fi
  for v in "$@"; do
    echo "$tool: bar: p99 at half load < 1 ms (${v#*:}): $(pbe_is_num "${v%%:*}" && awk -v v="${v%%:*}" 'BEGIN { print (v < 1) ? "met" : "NOT met" }' || echo n/a) (${v%%:*} ms)"
  done
}

echo
echo "# embedded DNS, a container name from inside a container ($(pbe_context))"
echo "# $(pbe_versions)"
if [[ " $PBE_DNS_TOOLS " == *" dnsperf "* ]]; then
  echo "# dnsperf ${DNSPERF_FLAGS[*]} -l $secs: best of $runs runs at 256 in flight; then one run at half that rate"
  printf '| %-7s | %10s | %5s | %9s | %5s | %7s | %7s | %9s | %17s | %5s | %12s |\n' engine "q/s (256)" lost "half q/s" lost "p50 ms" "p99 ms" "p99.9 ms" "p99 ms, 1 thread" lost "CPU µs/query"
  printf '|---------|-----------:|------:|----------:|------:|--------:|--------:|----------:|------------------:|------:|-------------:|\n'
  for engine in $PBE_ENGINES; do
    printf '| %-7s | %10s | %5s | %9s | %5s | %7s | %7s | %9s | %17s | %5s | %12s |\n' "$engine" "${qps[$engine]}" "${lost[$engine]}" \
      "${halfq[$engine]}" "${halflost[$engine]}" "${p50[$engine]}" "${p99[$engine]}" "${p999[$engine]}" "${p99one[$engine]}" "${halfloston[$engine]}" "${cpuus[$engine]}"
  done
fi
if [[ " $PBE_DNS_TOOLS " == *" dnsload "* ]]; then
  echo "# DnsLoad (bench), 4 sockets -l $secs: best of $runs runs at 256 in flight; then one run at half that rate"
  printf '| %-7s | %10s | %5s | %9s | %5s | %7s | %7s | %9s | %12s | %13s |\n' engine "q/s (256)" lost "half q/s" lost "p50 ms" "p99 ms" "p99.9 ms" "CPU µs/query" "tool µs/query"
  printf '|---------|-----------:|------:|----------:|------:|--------:|--------:|----------:|-------------:|--------------:|\n'
  for engine in $PBE_ENGINES; do
    printf '| %-7s | %10s | %5s | %9s | %5s | %7s | %7s | %9s | %12s | %13s |\n' "$engine" "${lqps[$engine]}" "${llost[$engine]}" \
      "${lhalfq[$engine]}" "${lhalflost[$engine]}" "${lp50[$engine]}" "${lp99[$engine]}" "${lp999[$engine]}" "${lcpuus[$engine]}" "${ltoolus[$engine]}"
  done
fi
if [[ " $PBE_ENGINES " == *" pier "* ]]; then
  if [[ " $PBE_DNS_TOOLS " == *" dnsperf "* ]]; then
    bars dnsperf qps "${p99[pier]}:dnsperf -c 4 -T 2" "${p99one[pier]}:dnsperf -c 1 -T 1"
    echo "dnsperf: lost at 256 in flight: ${lost[pier]}; at half load: ${halflost[pier]} and ${halfloston[pier]}"
  fi
  if [[ " $PBE_DNS_TOOLS " == *" dnsload "* ]]; then
    bars dnsload lqps "${lp99[pier]}:DnsLoad, 4 sockets"
    echo "dnsload: lost at 256 in flight: ${llost[pier]}; at half load: ${lhalflost[pier]}"
  fi
fi
