#!/usr/bin/env bash
# Publishing ports (issue 6), engine by engine: Pier, Docker, Podman.
#   usage: bench/engine/ports.sh [N=3] [SECONDS=5]
#
# (a) wall time of `run -d -p 8000-8999:8000-8999 busybox sleep 600` (1000 ports, the whole CLI
#     process) and of its `rm -f`, N times;
# (b) packet-filter rules with the engine up and no container, with one container publishing one
#     port, and with one publishing 1000 ports. Pier: rules of its nftables tables (`nft -j`; set
#     and map elements are counted apart, they are not rules). Docker and Podman: `-A` lines of
#     iptables-save and ip6tables-save (iptables-nft: one nft rule each) plus netavark's own nft
#     table if there is one. Docker also: docker-proxy processes and their summed RSS;
# (c) TCP throughput with iperf3 (the host's /usr/bin/iperf3): the server runs in the container's
#     network namespace (nsenter --net on the container's pid), the client on the host, N rounds of
#     SECONDS each, alternating: to the container's own address (the bridge, no NAT), then to
#     127.0.0.1 at the published port (Pier: DNAT + route_localnet + masquerade in the kernel;
#     Docker: its userland proxy; Podman: netavark's DNAT). Medians, and their ratio.
# The engines run one after the other (1000 docker-proxy processes would weigh on the others).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

n="${1:-3}"
secs="${2:-5}"
[[ "$n" =~ ^[1-9][0-9]*$ ]] || pbe_die "N must be a positive integer, got '$n'"
[[ "$secs" =~ ^[1-9][0-9]*$ ]] || pbe_die "SECONDS must be a positive integer, got '$secs'"
command -v iperf3 >/dev/null || pbe_die "iperf3 is missing (apt-get install iperf3)"
command -v nsenter >/dev/null || pbe_die "nsenter is missing (util-linux)"

RANGE=8000-8999          # the 1000 published ports, host and container alike
ONE=8000                 # the single published port
IPERF_HOST=18201         # the published port iperf3 goes through, to 5201 in the container
for port in $ONE $IPERF_HOST; do
  ss -Htlnu "sport = :$port" | grep -q . && pbe_die "host port $port is in use: the benchmark needs it"
done
pbe_results_reset ports

IPERF_PID=""
ports_stop_iperf() {
  if [ -n "$IPERF_PID" ]; then kill "$IPERF_PID" 2>/dev/null || true; wait "$IPERF_PID" 2>/dev/null || true; IPERF_PID=""; fi
}
# The iperf3 server holds the container's namespace: it goes before the engines and their containers.
trap 'rc=$?; ports_stop_iperf; (exit $rc); pbe_on_exit' EXIT

# "RULES ELEMENTS" for the engine now.
ports_rules() {
  case "$1" in
    pier)
      local t
      for t in "inet pier_$PIER_BRIDGE" "inet pier_${PIER_BRIDGE}_user" "bridge pier_$PIER_BRIDGE"; do
        nft -j list table $t 2>/dev/null || true
        echo
      done | python3 -c '
import json, sys
rules = elements = 0
for line in sys.stdin:
    line = line.strip()
    if not line: continue
    for o in json.loads(line)["nftables"]:
        rules += "rule" in o
        for kind in ("set", "map"):
            if kind in o: elements += len(o[kind].get("elem", []))
print(rules, elements)'
      ;;
    *)
      local r
      r=$({ iptables-save 2>/dev/null; ip6tables-save 2>/dev/null; } | grep -c '^-A' || true)
      if nft list table inet netavark >/dev/null 2>&1; then
        r=$((r + $(nft -j list table inet netavark | python3 -c 'import json,sys; print(sum("rule" in o for o in json.load(sys.stdin)["nftables"]))')))
      fi
      echo "$r n/a"
      ;;
  esac
}

# "COUNT RSS_MIB" of the docker-proxy processes of our dockerd ("0 0" for the other engines).
ports_proxies() {
  local pid
  pid=$(cat "$PBE_DOCKER/pid" 2>/dev/null || true)
  if [ "$1" != docker ] || [ -z "$pid" ]; then echo "0 0"; return; fi
  ps --ppid "$pid" -o comm=,rss= | awk '$1 == "docker-proxy" { n++; kb += $2 } END { printf "%d %.1f\n", n, kb / 1024 }'
}

# Bits per second of one iperf3 run to ADDR PORT (empty on failure).
ports_iperf() {
  iperf3 -c "$1" -p "$2" -t "$secs" -O 1 -J 2>/dev/null \
    | python3 -c 'import json,sys; print("%.3f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))' 2>/dev/null || true
}

declare -A start_med start_p90 rm_med rules0 rules1 rules1000 elems1 elems1000 proxies proxy_rss direct published
for engine in $PBE_ENGINES; do
  for k in start_med start_p90 rm_med rules0 rules1 rules1000 elems1 elems1000 direct published; do
    declare -n a=$k; a[$engine]=n/a; unset -n a
  done
  proxies[$engine]=n/a; proxy_rss[$engine]=n/a
done

for engine in $PBE_ENGINES; do
  if ! pbe_up "$engine"; then pbe_log "$engine: could not start: n/a"; pbe_down "$engine"; continue; fi
  image=$(pbe_image "$engine")
  rmf=$(pbe_rm_force "$engine")
  read -r rules0[$engine] _ < <(ports_rules "$engine")

  # One published port.
  if pbe_time pbe_cli "$engine" run -d -p $ONE:$ONE "$image" sleep 600; then
    id=$PBE_LAST_OUT
    read -r rules1[$engine] elems1[$engine] < <(ports_rules "$engine")
    pbe_cli "$engine" $rmf "$id" >/dev/null
  fi

  # 1000 published ports, N times.
  : > "$PBE_TMP/start.$engine"; : > "$PBE_TMP/rm.$engine"
  for ((i = 0; i < n; i++)); do
    pbe_time pbe_cli "$engine" run -d -p $RANGE:$RANGE "$image" sleep 600 || break
    id=$PBE_LAST_OUT
    echo "$PBE_LAST_MS" >> "$PBE_TMP/start.$engine"
    if ((i == 0)); then
      read -r rules1000[$engine] elems1000[$engine] < <(ports_rules "$engine")
      read -r proxies[$engine] proxy_rss[$engine] < <(ports_proxies "$engine")
    fi
    pbe_time pbe_cli "$engine" $rmf "$id" && echo "$PBE_LAST_MS" >> "$PBE_TMP/rm.$engine"
    pbe_log "$engine: 1000 ports: run -d $(tail -1 "$PBE_TMP/start.$engine") ms, rm -f $PBE_LAST_MS ms"
  done
  [ -s "$PBE_TMP/start.$engine" ] && read -r start_med[$engine] start_p90[$engine] _ _ < <(pbe_stats < "$PBE_TMP/start.$engine")
  [ -s "$PBE_TMP/rm.$engine" ] && read -r rm_med[$engine] _ _ _ < <(pbe_stats < "$PBE_TMP/rm.$engine")

  # Throughput: direct to the container's address, and through the published port from 127.0.0.1.
  if id=$(pbe_cli "$engine" run -d -p $IPERF_HOST:5201 "$image" sleep 600); then
    pid=$(pbe_cli "$engine" inspect -f '{{.State.Pid}}' "$id")
    ip=$(pbe_cli "$engine" inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$id")
    nsenter --net=/proc/"$pid"/ns/net iperf3 -s -p 5201 > "$PBE_TMP/iperf3.log" 2>&1 &
    IPERF_PID=$!
    pbe_wait_for 10 "$IPERF_PID" nsenter --net=/proc/"$pid"/ns/net ss -Htln "sport = :5201" \
      || pbe_log "$engine: iperf3 server did not start"
    sleep 0.3
    : > "$PBE_TMP/direct.$engine"; : > "$PBE_TMP/published.$engine"
    for ((i = 0; i < n; i++)); do
      v=$(ports_iperf "$ip" 5201); [ -n "$v" ] && echo "$v" >> "$PBE_TMP/direct.$engine"
      v=$(ports_iperf 127.0.0.1 $IPERF_HOST); [ -n "$v" ] && echo "$v" >> "$PBE_TMP/published.$engine"
      pbe_log "$engine: iperf3 round $((i + 1)): direct $(tail -1 "$PBE_TMP/direct.$engine") Gbit/s, 127.0.0.1:$IPERF_HOST $v Gbit/s"
    done
    ports_stop_iperf
    pbe_cli "$engine" $rmf "$id" >/dev/null || true
    [ -s "$PBE_TMP/direct.$engine" ] && read -r direct[$engine] _ _ _ < <(pbe_stats < "$PBE_TMP/direct.$engine")
    [ -s "$PBE_TMP/published.$engine" ] && read -r published[$engine] _ _ _ < <(pbe_stats < "$PBE_TMP/published.$engine")
  fi
  pbe_down "$engine"
done

echo
echo "Publishing ports: $RANGE (1000 ports) and one port; $n runs; iperf3 $secs s per round, $n rounds"
echo "$(pbe_context); pier CLI: $(pbe_pier_aot_state)"
echo "$(pbe_versions)"
printf '%-8s %18s %10s %22s %18s %14s %22s\n' engine "run -d 1000 med/p90" "rm -f med" "rules: none/1/1000" "elements: 1/1000" "proxies (MiB)" "Gbit/s direct/via lo"
for engine in $PBE_ENGINES; do
  printf '%-8s %18s %10s %22s %18s %14s %22s\n' "$engine" "${start_med[$engine]}/${start_p90[$engine]}" "${rm_med[$engine]}" \
    "${rules0[$engine]}/${rules1[$engine]}/${rules1000[$engine]}" "${elems1[$engine]}/${elems1000[$engine]}" \
    "${proxies[$engine]} (${proxy_rss[$engine]})" "${direct[$engine]}/${published[$engine]}"
  for k in start_med start_p90 rm_med rules0 rules1 rules1000 proxies proxy_rss direct published; do
    declare -n a=$k; pbe_result ports "$engine" "$k" "${a[$engine]}"; unset -n a
  done
done
echo
for engine in $PBE_ENGINES; do
  echo "$engine: via 127.0.0.1 / direct = $(pbe_ratio "${published[$engine]}" "${direct[$engine]}")"
done
case " $PBE_ENGINES " in
  *" pier "*)
    for other in docker podman; do
      case " $PBE_ENGINES " in *" $other "*) ;; *) continue ;; esac
      echo "pier/$other: via 127.0.0.1 $(pbe_ratio "${published[pier]}" "${published[$other]}")x; run -d 1000 ports $(pbe_ratio "${start_med[pier]}" "${start_med[$other]}")x"
    done ;;
esac
