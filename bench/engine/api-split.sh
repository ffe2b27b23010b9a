#!/usr/bin/env bash
# Where a `run -d` goes, for the engines with a daemon (Pier, Docker): the same container made
# through the Engine API with curl (no CLI process), timed per call: POST /containers/create,
# POST /containers/{id}/start; and the CLI alone: `version` (start-up + one small request).
# Default bridge and --network none, N runs each after PBE_WARMUP (default 5) untimed ones.
# Compare with run-d.sh's medians: CLI cost = run -d - (create + start).
#   usage: bench/engine/api-split.sh [N=20]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

n="${1:-20}"
warmup="${PBE_WARMUP:-5}"
[[ "$n" =~ ^[1-9][0-9]*$ ]] || pbe_die "N must be a positive integer, got '$n'"
[[ "$warmup" =~ ^[0-9]+$ ]] || pbe_die "PBE_WARMUP must be a non-negative integer, got '$warmup'"
command -v curl >/dev/null || pbe_die "curl is missing (apt-get install curl)"
pbe_results_reset api-split
engines=()
for engine in $PBE_ENGINES; do [ "$engine" != podman ] && engines+=("$engine"); done
declare -A result


# api ENGINE METHOD PATH [JSON]: one curl call; the body to stdout; fails on an HTTP error.
api() {
  local engine="$1" method="$2" path="$3" body="${4:-}"
  local args=(-sS --fail-with-body --unix-socket "$(pbe_socket "$engine")" -X "$method")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' -d "$body")
  curl "${args[@]}" "http://localhost/v1.41$path"
}

for engine in "${engines[@]}"; do
  for k in create.bridge start.bridge create.none start.none version; do result[$engine.$k]=n/a; done
  if pbe_up "$engine"; then
    image=$(pbe_image "$engine")
    for mode in bridge none; do
      : > "$PBE_TMP/split.create"; : > "$PBE_TMP/split.start"
      ids=()
      network=default; [ $mode = none ] && network=none
      body="{\"Image\":\"$image\",\"Cmd\":[\"sleep\",\"600\"],\"HostConfig\":{\"NetworkMode\":\"$network\"}}"
      ok=1
      for ((i = 0; i < warmup + n; i++)); do
        pbe_time api "$engine" POST /containers/create "$body" || { ok=0; break; }
        create_ms=$PBE_LAST_MS
        id=$(jq -r .Id <<< "$PBE_LAST_OUT"); ids+=("$id")
        pbe_time api "$engine" POST "/containers/$id/start" || { ok=0; break; }
        if ((i >= warmup)); then echo "$create_ms" >> "$PBE_TMP/split.create"; echo "$PBE_LAST_MS" >> "$PBE_TMP/split.start"; fi
      done
      pbe_rm_ids "$engine" "${ids[@]}"
      if [ $ok = 1 ]; then
        result[$engine.create.$mode]=$(pbe_stats < "$PBE_TMP/split.create" | cut -d' ' -f1)
        result[$engine.start.$mode]=$(pbe_stats < "$PBE_TMP/split.start" | cut -d' ' -f1)
      else
        pbe_log "$engine: API series ($mode) failed: n/a"
      fi
    done
    : > "$PBE_TMP/split.version"
    for ((i = 0; i < warmup + n; i++)); do
      pbe_time pbe_cli "$engine" version || break
      ((i >= warmup)) && echo "$PBE_LAST_MS" >> "$PBE_TMP/split.version"
    done
    result[$engine.version]=$(pbe_stats < "$PBE_TMP/split.version" | cut -d' ' -f1)
  fi
  pbe_down "$engine"
done

echo
echo "run -d through the Engine API with curl, medians in ms ($n runs after $warmup warm-up runs)"
echo "$(pbe_context)"
printf '%-8s %15s %15s %15s %15s %13s\n' engine "create bridge" "start bridge" "create none" "start none" "CLI version"
for engine in "${engines[@]}"; do
  printf '%-8s %15s %15s %15s %15s %13s\n' "$engine" "${result[$engine.create.bridge]}" "${result[$engine.start.bridge]}" \
    "${result[$engine.create.none]}" "${result[$engine.start.none]}" "${result[$engine.version]}"
  for k in create.bridge start.bridge create.none start.none version; do
    pbe_result api-split "$engine" "api_${k/./_}_median_ms" "${result[$engine.$k]}"
  done
done
