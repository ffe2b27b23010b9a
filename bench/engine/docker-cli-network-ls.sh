#!/usr/bin/env bash
# Issue 7's bar: the same `docker network ls` binary against pierd and against dockerd, N runs
# each after 3 warm-up runs, interleaved; wall time of the CLI process.
#   usage: bench/engine/docker-cli-network-ls.sh [N=20]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
PBE_ENGINES="pier docker"
n="${1:-20}"
[[ "$n" =~ ^[1-9][0-9]*$ ]] || pbe_die "N must be a positive integer, got '$n'"
pbe_results_reset docker-cli-network-ls
declare -A median p90
up=()
for engine in pier docker; do
  median[$engine]=n/a; p90[$engine]=n/a
  if pbe_up "$engine"; then up+=("$engine"); : > "$PBE_TMP/dcli.$engine"; else pbe_down "$engine"; fi
done
for ((i = 0; i < n + 3; i++)); do
  for engine in "${up[@]}"; do
    if pbe_time "$PBE_DOCKER_CLI" -H "unix://$(pbe_socket "$engine")" network ls; then
      ((i >= 3)) && echo "$PBE_LAST_MS" >> "$PBE_TMP/dcli.$engine"
    fi
  done
done
for engine in "${up[@]}"; do read -r median[$engine] p90[$engine] _ _ < <(pbe_stats < "$PBE_TMP/dcli.$engine"); done
pbe_down_all
echo
echo "docker network ls ($PBE_DOCKER_CLI) against each daemon, ms ($n runs after 3 warm-up runs, interleaved)"
echo "$(pbe_context)"
printf '%-8s %10s %10s\n' daemon median p90
for engine in pier docker; do
  printf '%-8s %10s %10s\n' "$engine" "${median[$engine]}" "${p90[$engine]}"
  pbe_result docker-cli-network-ls "$engine" median_ms "${median[$engine]}"
done
echo "pierd/dockerd: $(pbe_ratio "${median[pier]}" "${median[docker]}")"
