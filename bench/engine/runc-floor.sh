#!/usr/bin/env bash
# The floor under every engine's `run -d`: the OCI runtime alone (runc, and crun when it is
# installed), on a ready bundle (the busybox rootfs, `sleep 600`, new pid/mount/uts/ipc/net
# namespaces, no network set up), N times: `create`, `start`, and both as one `run -d`.
# Container ids pbe-floor-*, state under /tmp/pbe/runc and /tmp/pbe/crun, deleted after each
# run (untimed).
#   usage: bench/engine/runc-floor.sh [N=30]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

n="${1:-30}"
[[ "$n" =~ ^[1-9][0-9]*$ ]] || pbe_die "N must be a positive integer, got '$n'"
pbe_results_reset runc-floor runc crun
command -v runc >/dev/null || pbe_die "runc is missing (apt-get install runc)"
runtimes=(runc)
command -v crun >/dev/null && runtimes+=(crun)
pbe_image_tar
bundle="$PBE_TMP/floor-bundle"

cleanup_floor() {
  local rt id
  for rt in "${runtimes[@]}"; do
    [ -d "$PBE_TMP/$rt" ] || continue
    for id in $("$rt" --root "$PBE_TMP/$rt" list -q 2>/dev/null || true); do
      "$rt" --root "$PBE_TMP/$rt" delete -f "$id" >/dev/null 2>&1 || true
    done
    rm -rf "${PBE_TMP:?}/$rt"
  done
  rm -rf "$bundle" "$PBE_TMP"/floor.*
}
trap 'cleanup_floor; pbe_on_exit' EXIT
cleanup_floor

mkdir -p "$bundle/rootfs"
tar -C "$bundle/rootfs" -xf "$PBE_IMAGE_TAR"
# runc's default spec, minus the terminal and the rlimits (this kernel forbids raising
# RLIMIT_NOFILE), running sleep 600.
(cd "$bundle" && runc spec)
jq '.process.terminal = false | .process.args = ["sleep", "600"] | del(.process.rlimits)
    | .root.readonly = false' "$bundle/config.json" > "$bundle/config.tmp"
mv "$bundle/config.tmp" "$bundle/config.json"

usable=()
for rt in "${runtimes[@]}"; do
  # A runtime that cannot start a container here at all (crun refuses hybrid cgroups) is skipped.
  if ! "$rt" --root "$PBE_TMP/$rt" run -d --bundle "$bundle" pbe-floor-probe > /dev/null 2> "$PBE_TMP/floor.err"; then
    pbe_log "$rt cannot run a container on this machine, skipped: $(head -c 200 "$PBE_TMP/floor.err")"
    continue
  fi
  "$rt" --root "$PBE_TMP/$rt" delete -f pbe-floor-probe >/dev/null
  usable+=("$rt")
done
[ ${#usable[@]} -gt 0 ] || pbe_die "no OCI runtime could run a container"

for rt in "${usable[@]}"; do
  root="$PBE_TMP/$rt"
  for step in create start run; do : > "$PBE_TMP/floor.$rt.$step"; done
  for ((i = 0; i < n; i++)); do
    id="pbe-floor-$i"
    pbe_time "$rt" --root "$root" create --bundle "$bundle" "$id" || pbe_die "$rt create failed"
    echo "$PBE_LAST_MS" >> "$PBE_TMP/floor.$rt.create"
    pbe_time "$rt" --root "$root" start "$id" || pbe_die "$rt start failed"
    echo "$PBE_LAST_MS" >> "$PBE_TMP/floor.$rt.start"
    "$rt" --root "$root" delete -f "$id" >/dev/null
    pbe_time "$rt" --root "$root" run -d --bundle "$bundle" "$id" || pbe_die "$rt run -d failed"
    echo "$PBE_LAST_MS" >> "$PBE_TMP/floor.$rt.run"
    "$rt" --root "$root" delete -f "$id" >/dev/null
  done
done

echo
echo "OCI runtime alone on a ready bundle, ms ($n runs; no image, no network, no daemon)"
echo "$(pbe_context); runc $(runc --version | head -1 | awk '{print $3}')"
printf '%-14s %8s %8s %8s %8s\n' step median p90 min max
for rt in "${usable[@]}"; do
  for step in create start run; do
    read -r med p90 min max < <(pbe_stats < "$PBE_TMP/floor.$rt.$step")
    label="$rt $step"; [ $step = run ] && label="$rt run -d"
    printf '%-14s %8s %8s %8s %8s\n' "$label" "$med" "$p90" "$min" "$max"
    pbe_result runc-floor "$rt" "${rt}_${step}_median_ms" "$med"
  done
done
