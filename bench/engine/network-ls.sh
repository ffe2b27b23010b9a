#!/usr/bin/env bash
# Wall time of a whole `network ls` CLI process (start-up, one API round trip, output), N runs
# after PBE_WARMUP (default 3) untimed ones, on Pier, Docker and Podman, all up at once and
# interleaved (one run per engine per round, the order rotating).
#   usage: bench/engine/network-ls.sh [N=20]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

n="${1:-20}"
warmup="${PBE_WARMUP:-3}"
[[ "$n" =~ ^[1-9][0-9]*$ ]] || pbe_die "N must be a positive integer, got '$n'"
[[ "$warmup" =~ ^[0-9]+$ ]] || pbe_die "PBE_WARMUP must be a non-negative integer, got '$warmup'"
pbe_results_reset network-ls
declare -A median p90

up=()
for engine in $PBE_ENGINES; do
  median[$engine]=n/a; p90[$engine]=n/a
  if pbe_up "$engine"; then
    up+=("$engine"); : > "$PBE_TMP/times.$engine"; rm -f "$PBE_TMP/failed.$engine"
  else
    pbe_down "$engine"
  fi
done
for ((i = 0; i < warmup + n && ${#up[@]} > 0; i++)); do
  for ((j = 0; j < ${#up[@]}; j++)); do
    engine="${up[(i + j) % ${#up[@]}]}"
    [ -e "$PBE_TMP/failed.$engine" ] && continue
    if pbe_time pbe_cli "$engine" network ls; then
      ((i >= warmup)) && echo "$PBE_LAST_MS" >> "$PBE_TMP/times.$engine"
    else
      touch "$PBE_TMP/failed.$engine"
    fi
  done
done
for engine in "${up[@]}"; do
  [ -e "$PBE_TMP/failed.$engine" ] || read -r median[$engine] p90[$engine] _ _ < <(pbe_stats < "$PBE_TMP/times.$engine")
done
pbe_down_all

echo
echo "network ls: wall time of the CLI process, ms ($n runs after $warmup warm-up runs, interleaved)"
echo "$(pbe_context); pier CLI: $(pbe_pier_aot_state)"
printf '%-8s %10s %10s\n' engine median p90
for engine in $PBE_ENGINES; do
  printf '%-8s %10s %10s\n' "$engine" "${median[$engine]}" "${p90[$engine]}"
  pbe_result network-ls "$engine" network_ls_median_ms "${median[$engine]}"
  pbe_result network-ls "$engine" network_ls_p90_ms "${p90[$engine]}"
done
case " $PBE_ENGINES " in
  *" pier "*)
    for other in docker podman; do
      case " $PBE_ENGINES " in *" $other "*) echo "pier/$other: $(pbe_ratio "${median[pier]}" "${median[$other]}")" ;; esac
    done ;;
esac
