#!/usr/bin/env bash
# Wall time of `run -d busybox sleep 600` (the whole CLI process), N runs per series, for the
# default bridge, --network none and a user network, on Pier, Docker and Podman.
#   usage: bench/engine/run-d.sh [N=30]      (warm-up runs per series: PBE_WARMUP, default 5)
# All engines are up at once and the runs are interleaved (one run per engine per round, the
# order rotating), so that the load of the rest of the machine falls on every engine alike.
# Prints median/p90 per series, the network share (median bridge - median none) and the
# ratios Pier/Docker, Pier/Podman. Containers are removed after each series, untimed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

n="${1:-30}"
warmup="${PBE_WARMUP:-5}"
[[ "$n" =~ ^[1-9][0-9]*$ ]] || pbe_die "N must be a positive integer, got '$n'"
[[ "$warmup" =~ ^[0-9]+$ ]] || pbe_die "PBE_WARMUP must be a non-negative integer, got '$warmup'"
pbe_results_reset run-d
modes=(bridge none user)
declare -A median p90
for engine in $PBE_ENGINES; do
  for mode in "${modes[@]}"; do median[$engine.$mode]=n/a; p90[$engine.$mode]=n/a; done
done

up=()
for engine in $PBE_ENGINES; do
  if pbe_up "$engine"; then up+=("$engine"); else pbe_log "$engine: could not start: n/a"; pbe_down "$engine"; fi
done

for mode in "${modes[@]}"; do
  active=()
  for engine in "${up[@]}"; do
    if [ "$mode" = user ] && ! pbe_usernet_create "$engine"; then
      pbe_log "$engine: network create $PBE_USERNET failed: user network n/a"
      continue
    fi
    active+=("$engine")
    : > "$PBE_TMP/times.$engine"; : > "$PBE_TMP/ids.$engine"; rm -f "$PBE_TMP/failed.$engine"
  done
  [ ${#active[@]} -eq 0 ] && continue
  pbe_log "$mode: $warmup warm-up + $n timed runs, interleaved: ${active[*]}"
  for ((i = 0; i < warmup + n; i++)); do
    for ((j = 0; j < ${#active[@]}; j++)); do
      engine="${active[(i + j) % ${#active[@]}]}"
      [ -e "$PBE_TMP/failed.$engine" ] && continue
      args=(run -d)
      case "$mode" in
        none) args+=(--network none) ;;
        user) args+=(--network "$PBE_USERNET") ;;
      esac
      if pbe_time pbe_cli "$engine" "${args[@]}" "$(pbe_image "$engine")" sleep 600; then
        echo "$PBE_LAST_OUT" >> "$PBE_TMP/ids.$engine"
        ((i >= warmup)) && echo "$PBE_LAST_MS" >> "$PBE_TMP/times.$engine"
      else
        pbe_log "$engine: $mode series failed: n/a"
        touch "$PBE_TMP/failed.$engine"
      fi
    done
  done
  for engine in "${active[@]}"; do
    mapfile -t ids < "$PBE_TMP/ids.$engine"
    pbe_rm_ids "$engine" "${ids[@]}"
    [ "$mode" = user ] && pbe_usernet_rm "$engine"
    [ -e "$PBE_TMP/failed.$engine" ] && continue
    read -r median[$engine.$mode] p90[$engine.$mode] _ _ < <(pbe_stats < "$PBE_TMP/times.$engine")
  done
done
pbe_down_all

echo
echo "run -d busybox sleep 600: wall time of the CLI process, ms ($n runs after $warmup warm-up runs per series, interleaved)"
echo "$(pbe_context); pier CLI: $(pbe_pier_aot_state)"
printf '%-8s %16s %16s %16s %14s\n' engine "bridge med/p90" "none med/p90" "user med/p90" "net share"
for engine in $PBE_ENGINES; do
  share=$(pbe_sub "${median[$engine.bridge]}" "${median[$engine.none]}")
  printf '%-8s %16s %16s %16s %14s\n' "$engine" \
    "${median[$engine.bridge]}/${p90[$engine.bridge]}" "${median[$engine.none]}/${p90[$engine.none]}" \
    "${median[$engine.user]}/${p90[$engine.user]}" "$share"
  for mode in "${modes[@]}"; do
    pbe_result run-d "$engine" "run_d_${mode}_median_ms" "${median[$engine.$mode]}"
    pbe_result run-d "$engine" "run_d_${mode}_p90_ms" "${p90[$engine.$mode]}"
  done
  pbe_result run-d "$engine" net_share_ms "$share"
done
echo
for other in docker podman; do
  case " $PBE_ENGINES " in *" pier "*) ;; *) break ;; esac
  case " $PBE_ENGINES " in *" $other "*) ;; *) continue ;; esac
  printf 'pier/%-7s bridge %s  none %s  user %s\n' "$other" \
    "$(pbe_ratio "${median[pier.bridge]}" "${median[$other.bridge]}")" \
    "$(pbe_ratio "${median[pier.none]}" "${median[$other.none]}")" \
    "$(pbe_ratio "${median[pier.user]}" "${median[$other.user]}")"
done
