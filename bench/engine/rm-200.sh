#!/usr/bin/env bash
# Starts COUNT `sleep 600` containers on the default bridge (untimed), then times one
# `rm -f ID...` with every id in a single command, on Pier, Docker and Podman (Podman: `rm -f
# -t 0`, which kills at once like Docker's `rm -f`; without -t 0 Podman 4.3 waits 10 s for
# SIGTERM, which sleep as pid 1 ignores). Also reports how
# long `ps -q` took, what is left right after rm returns (containers, veths on the bridge) and
# when the last veth was gone.
#   usage: bench/engine/rm-200.sh [COUNT=200]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

count="${1:-200}"
[[ "$count" =~ ^[1-9][0-9]*$ ]] || pbe_die "COUNT must be a positive integer, got '$count'"
pbe_results_reset rm-200
declare -A rm_ms ps_ms left_containers left_veths veths_gone_ms

veths_on() { { ip -o link show master "$1" 2>/dev/null || true; } | wc -l; }   # the bridge may be gone

for engine in $PBE_ENGINES; do
  rm_ms[$engine]=n/a; ps_ms[$engine]=n/a; left_containers[$engine]=n/a; left_veths[$engine]=n/a; veths_gone_ms[$engine]=n/a
  if pbe_up "$engine"; then
    bridge=$(pbe_bridge "$engine")
    pbe_log "$engine: starting $count containers"
    if pbe_start_sleepers "$engine" "$count" started; then
      pbe_time pbe_cli "$engine" ps -q
      ps_ms[$engine]=$PBE_LAST_MS
      mapfile -t ids <<< "$PBE_LAST_OUT"
      pbe_log "$engine: $(veths_on "$bridge") veths on $bridge, ${#ids[@]} running; rm -f of all of them"
      if [ "${#ids[@]}" -ne "$count" ]; then
        pbe_log "$engine: ps -q lists ${#ids[@]} containers, expected $count"
      fi
      t0=$EPOCHREALTIME
      if pbe_time pbe_cli "$engine" $(pbe_rm_force "$engine") "${ids[@]}"; then
        rm_ms[$engine]=$PBE_LAST_MS
      fi
      left_containers[$engine]=$(pbe_cli "$engine" ps -aq | grep -c . || true)
      left_veths[$engine]=$(veths_on "$bridge")
      for _ in $(seq 1 600); do [ "$(veths_on "$bridge")" -eq 0 ] && break; sleep 0.05; done
      [ "$(veths_on "$bridge")" -eq 0 ] && veths_gone_ms[$engine]=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", (b - a) * 1000 }')
    else
      pbe_rm_ids "$engine" "${started[@]}"
    fi
  fi
  pbe_down "$engine"
done

echo
echo "rm -f of $count running containers in one command, ms"
echo "$(pbe_context)"
printf '%-8s %10s %10s %16s %16s %16s\n' engine "rm -f" "ps -q" "left: ctrs" "left: veths" "veths gone"
for engine in $PBE_ENGINES; do
  printf '%-8s %10s %10s %16s %16s %16s\n' "$engine" "${rm_ms[$engine]}" "${ps_ms[$engine]}" \
    "${left_containers[$engine]}" "${left_veths[$engine]}" "${veths_gone_ms[$engine]}"
  pbe_result rm-200 "$engine" rm_200_ms "${rm_ms[$engine]}"
  pbe_result rm-200 "$engine" rm_200_veths_gone_ms "${veths_gone_ms[$engine]}"
  pbe_result rm-200 "$engine" rm_200_left_containers "${left_containers[$engine]}"
done
