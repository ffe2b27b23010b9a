#!/usr/bin/env bash
# `network create` + `network rm` of a bridge network with its own subnet, N times per engine,
# interleaved: the wall time of the two CLI processes, and of the same two Engine API requests
# timed inside one client process (network_pair.py: the daemon's share, without any CLI's
# start-up). Podman has no API socket here: its figure is the CLI pair only.
#   usage: bench/engine/network-create.sh [N=20]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

n="${1:-20}"
[[ "$n" =~ ^[1-9][0-9]*$ ]] || pbe_die "N must be a positive integer, got '$n'"
pbe_results_reset network-create
declare -A cli_median api_median

subnet() { # a /24 per engine and round (the API pairs use a /16 of their own), away from every other benchmark subnet
  case "$1" in pier) echo "10.197.$2.0/24" ;; docker) echo "10.196.$2.0/24" ;; podman) echo "10.195.$2.0/24" ;; esac
}
cli_pair() {
  local engine="$1" name="$2" net="$3"
  pbe_cli "$engine" network create --subnet "$net" "$name" >/dev/null && pbe_cli "$engine" network rm "$name" >/dev/null
}
up=()
for engine in $PBE_ENGINES; do
  cli_median[$engine]=n/a; api_median[$engine]=n/a
  if pbe_up "$engine"; then up+=("$engine"); : > "$PBE_TMP/cli.$engine"; : > "$PBE_TMP/api.$engine"; else pbe_down "$engine"; fi
done
for ((i = 0; i < n + 2; i++)); do
  for engine in "${up[@]}"; do
    net=$(subnet "$engine" $((i + 1)))
    if pbe_time cli_pair "$engine" "pbenc$i" "$net"; then
      ((i >= 2)) && echo "$PBE_LAST_MS" >> "$PBE_TMP/cli.$engine"
    fi
  done
done
declare -A api_create api_rm
for engine in "${up[@]}"; do
  read -r cli_median[$engine] _ _ _ < <(pbe_stats < "$PBE_TMP/cli.$engine")
  sock=$(pbe_socket "$engine")
  [ -n "$sock" ] || continue
  base=$(subnet "$engine" 0); base=${base%.0.0/24}
  read -r api_create[$engine] api_rm[$engine] api_median[$engine] \
    < <(python3 "$(dirname "$0")/network_pair.py" "$sock" "$base" "$n" pbena) || pbe_log "$engine: API pairs failed"
done
pbe_down_all

echo
echo "network create + network rm, ms (median of $n pairs after 2 warm-up pairs, interleaved)"
echo "$(pbe_context); pier CLI: $(pbe_pier_aot_state)"
printf '%-8s %14s %14s %12s %12s\n' engine "two CLIs" "two API calls" "API create" "API rm"
for engine in $PBE_ENGINES; do
  printf '%-8s %14s %14s %12s %12s\n' "$engine" "${cli_median[$engine]}" "${api_median[$engine]}" "${api_create[$engine]:-n/a}" "${api_rm[$engine]:-n/a}"
  pbe_result network-create "$engine" create_rm_cli_ms "${cli_median[$engine]}"
  pbe_result network-create "$engine" create_rm_api_ms "${api_median[$engine]}"
done
case " $PBE_ENGINES " in
  *" pier "*" docker "*|*" docker "*" pier "*)
    echo "docker/pier: CLI $(pbe_ratio "${cli_median[docker]}" "${cli_median[pier]}")x, API $(pbe_ratio "${api_median[docker]}" "${api_median[pier]}")x" ;;
esac
