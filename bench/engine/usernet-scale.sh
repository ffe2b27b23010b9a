#!/usr/bin/env bash
# The network share of a container start on a user network, and whether it grows with the number
# of containers already on that network: with P containers on network pbescale (P = 10, then
# 500 by default), K starts on pbescale and K with --network none, interleaved, each timed as its
# Engine API `POST /containers/{id}/start` alone (curl on the engine's socket: no CLI start-up in
# the figure). Share = median(user network) - median(none). Docker and Pier (Podman has no API
# socket here).
#   usage: bench/engine/usernet-scale.sh [K=20] [populations...]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
PBE_ENGINES="${PBE_ENGINES:-pier docker}"
PBE_ENGINES="${PBE_ENGINES//podman/}"

k="${1:-20}"; shift || true
populations=("${@:-10 500}")
read -r -a populations <<< "${populations[*]}"
[[ "$k" =~ ^[1-9][0-9]*$ ]] || pbe_die "K must be a positive integer, got '$k'"
pbe_results_reset usernet-scale

api() { # api ENGINE METHOD PATH [JSON]
  local sock; sock=$(pbe_socket "$1")
  if [ -n "${4:-}" ]; then
    curl -sf --unix-socket "$sock" -X "$2" -H 'Content-Type: application/json' -d "$4" "http://engine/v1.41$3"
  else
    curl -sf --unix-socket "$sock" -X "$2" "http://engine/v1.41$3"
  fi
}
create() { # create ENGINE NETWORK -> id
  api "$1" POST /containers/create "{\"Image\":\"busybox:latest\",\"Cmd\":[\"sleep\",\"600\"],\"HostConfig\":{\"NetworkMode\":\"$2\"}}" \
    | sed 's/.*"Id":"\([0-9a-f]*\)".*/\1/'
}
scale_subnet() { case "$1" in pier) echo 10.194.0.0/16 ;; docker) echo 10.193.0.0/16 ;; esac; }

declare -A share user none
for engine in $PBE_ENGINES; do
  pbe_up "$engine" || { pbe_down "$engine"; continue; }
  pbe_cli "$engine" network create --subnet "$(scale_subnet "$engine")" pbescale >/dev/null
  population=0
  for p in "${populations[@]}"; do
    pbe_log "$engine: filling pbescale to $p containers"
    while ((population < p)); do
      batch=()
      for ((b = 0; b < 8 && population < p; b++, population++)); do
        ( id=$(create "$engine" pbescale) && api "$engine" POST "/containers/$id/start" ) &
        batch+=($!)
      done
      wait "${batch[@]}" # not a bare wait: the engine's daemon is a child of this shell too
    done
    : > "$PBE_TMP/user.$engine.$p"; : > "$PBE_TMP/none.$engine.$p"
    temp=()
    for ((i = 0; i < k + 2; i++)); do
      for mode in pbescale none; do
        id=$(create "$engine" "$mode")
        temp+=("$id")
        pbe_time api "$engine" POST "/containers/$id/start" || continue
        file=user; [ "$mode" = none ] && file=none
        ((i >= 2)) && echo "$PBE_LAST_MS" >> "$PBE_TMP/$file.$engine.$p"
      done
    done
    pbe_rm_ids "$engine" "${temp[@]}"
    read -r u _ _ _ < <(pbe_stats < "$PBE_TMP/user.$engine.$p")
    read -r n _ _ _ < <(pbe_stats < "$PBE_TMP/none.$engine.$p")
    user[$engine.$p]=$u; none[$engine.$p]=$n; share[$engine.$p]=$(pbe_sub "$u" "$n")
    pbe_log "$engine, $p on the network: start user $u ms, none $n ms, share ${share[$engine.$p]} ms"
  done
  pbe_rm_ids "$engine" $(pbe_cli "$engine" ps -aq)
  pbe_cli "$engine" network rm pbescale >/dev/null || true
  pbe_down "$engine"
done

echo
echo "container start (POST /containers/{id}/start), ms: median of $k per mode, interleaved; share = user network - none"
echo "$(pbe_context)"
printf '%-8s %12s %12s %12s %12s\n' engine population "user net" none share
for engine in $PBE_ENGINES; do
  for p in "${populations[@]}"; do
    printf '%-8s %12s %12s %12s %12s\n' "$engine" "$p" "${user[$engine.$p]:-n/a}" "${none[$engine.$p]:-n/a}" "${share[$engine.$p]:-n/a}"
    pbe_result usernet-scale "$engine" "share_at_${p}_ms" "${share[$engine.$p]:-n/a}"
  done
done
