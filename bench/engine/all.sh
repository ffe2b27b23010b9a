#!/usr/bin/env bash
# Runs every engine benchmark (run-d, network-ls, rm-200, memory, runc-floor, api-split) and prints one
# summary table against issue 3's targets. Each script's own output goes to the terminal and to
# $PBE_RESULTS/<script>.log; the summary also to $PBE_RESULTS/summary.md.
#   usage: bench/engine/all.sh [N=30]   (N = runs per run -d series; PBE_ENGINES to pick engines)
#          bench/engine/all.sh --summary   (only the table, from the figures already in $PBE_RESULTS)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
trap - EXIT   # each script cleans up after itself

summary_only=0
[ "${1:-}" = --summary ] && { summary_only=1; shift; }
n="${1:-30}"
[[ "$n" =~ ^[1-9][0-9]*$ ]] || pbe_die "N must be a positive integer, got '$n'"
mkdir -p "$PBE_RESULTS"
# Figures of engines not in PBE_ENGINES stay from earlier runs: PBE_ENGINES=pier all.sh redoes
# Pier's column only.
started=$SECONDS
context_start="$(pbe_context)"

run_step() {
  local name="$1"; shift
  pbe_log "=== $name $*"
  "$here/$name.sh" "$@" 2>&1 | tee "$PBE_RESULTS/$name.log" || pbe_log "$name failed (exit ${PIPESTATUS[0]}); its figures are n/a"
}
if [ $summary_only = 0 ]; then
  run_step run-d "$n"
  run_step network-ls 20
  run_step rm-200 200
  run_step memory 50
  run_step runc-floor "$n"
  run_step api-split 20
fi

# value ENGINE KEY -> the figure, or n/a
value() {
  local v
  v=$(awk -F'\t' -v e="$1" -v k="$2" '$1 == e && $2 == k { print $3 }' "$PBE_RESULTS"/*.tsv 2>/dev/null | tail -1)
  echo "${v:-n/a}"
}
# verdict OK-CONDITION-AWK VALUE LIMIT -> yes/no/n/a
verdict() {
  pbe_is_num "$2" && pbe_is_num "$3" || { echo n/a; return; }
  awk -v v="$2" -v l="$3" "BEGIN { print ($1) ? \"yes\" : \"NO\" }"
}

podman_run=$(value podman run_d_bridge_median_ms)
podman_ls=$(value podman network_ls_median_ms)
half_podman=$(pbe_ratio "$podman_run" 2)
ls_limit=$(pbe_is_num "$podman_ls" && awk -v p="$podman_ls" 'BEGIN { printf "%.1f", p * 1.5 }' || echo n/a)

row() {   # row LABEL KEY TARGET-TEXT LIMIT [AWK-CONDITION on v and l, default v <= l]
  local label="$1" key="$2" target="$3" limit="$4" condition="${5:-v <= l}"
  local pier docker podman
  pier=$(value pier "$key"); docker=$(value docker "$key"); podman=$(value podman "$key")
  printf '| %s | %s | %s | %s | %s | %s |\n' "$label" "$pier" "$docker" "$podman" "$target" \
    "$( [ -n "$limit" ] && verdict "$condition" "$pier" "$limit" || echo -)"
}

{
  echo "Engine: Pier vs Docker vs Podman ($(pbe_versions))"
  echo
  echo "- start: $context_start"
  echo "- end:   $(pbe_context); whole suite $((SECONDS - started)) s"
  echo "- pier CLI: $(pbe_pier_aot_state)"
  echo
  echo "| figure | Pier | Docker | Podman | target (issue 3) | Pier meets it |"
  echo "| --- | ---: | ---: | ---: | --- | --- |"
  row "run -d, default bridge, median ms" run_d_bridge_median_ms "<= podman/2 = $half_podman" "$half_podman"
  row "run -d, default bridge, p90 ms" run_d_bridge_p90_ms "" ""
  row "run -d, --network none, median ms" run_d_none_median_ms "" ""
  row "run -d, user network, median ms" run_d_user_median_ms "" ""
  row "network share (bridge - none), ms" net_share_ms "< 5" "5" "v < l"
  row "network ls, median ms" network_ls_median_ms "<= 1.5 x podman = $ls_limit" "$ls_limit"
  row "rm -f of 200 running, ms" rm_200_ms "<= 2000" "2000"
  row "  ... until the last veth is gone, ms" rm_200_veths_gone_ms "" ""
  row "memory lost per container, MiB" mem_lost_per_container_mib "<= 0.5" "0.5"
  row "  helper processes per container" helpers_per_container "" ""
  row "  helper RSS per container, MiB" helper_rss_per_container_mib "" ""
  row "  accounted (helpers' PSS + daemon + kernel), MiB" mem_accounted_per_container_mib "" ""
  row "  noise: MemAvailable drift per container, MiB" mem_drift_per_container_mib "" ""
  row "where run -d goes: API create, bridge, ms" api_create_bridge_median_ms "" ""
  row "  API start, bridge, ms" api_start_bridge_median_ms "" ""
  row "  API create, none, ms" api_create_none_median_ms "" ""
  row "  API start, none, ms" api_start_none_median_ms "" ""
  row "  CLI alone: version, ms" api_version_median_ms "" ""
  echo
  echo "OCI runtime floor (no daemon, no image, no network): runc run -d median $(value runc runc_run_median_ms) ms" \
       "(create $(value runc runc_create_median_ms) + start $(value runc runc_start_median_ms))."
} | tee "$PBE_RESULTS/summary.md"
