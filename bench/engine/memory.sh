#!/usr/bin/env bash
# Memory the machine loses per running container beyond the container's own processes:
#   (MemAvailable before - MemAvailable after starting COUNT `sleep 600` containers
#    - RSS of the containers' own processes) / COUNT
# on Pier, Docker and Podman (default bridge). MemAvailable moves with everything else on the
# machine, so it is read a third time after the containers are removed again, and "before" is
# interpolated linearly between the first and third reading to the moment of the second (a
# steady drift cancels out); "drift" = (first - third reading) / COUNT shows how much the
# machine moved on its own.
# Also: the helper processes each container brings (docker: containerd-shim, docker-proxy;
# podman: conmon; pier: whatever it runs), their RSS, the daemon's RSS growth, and the kernel's
# growth (Slab + KernelStack + PageTables). "accounted" = helpers' PSS + daemon growth + kernel
# growth: a sum of parts that other people's work on the machine disturbs less.
#   usage: bench/engine/memory.sh [COUNT=50]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

count="${1:-50}"
settle="${PBE_SETTLE:-5}"
[[ "$count" =~ ^[1-9][0-9]*$ ]] || pbe_die "COUNT must be a positive integer, got '$count'"
[[ "$settle" =~ ^[0-9]+$ ]] || pbe_die "PBE_SETTLE must be a non-negative integer (seconds), got '$settle'"
pbe_results_reset memory
declare -A lost helpers helper_rss helper_names daemon_growth kernel_growth drift own_rss accounted

meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }   # kB

# Median of 9 samples of MemAvailable, 0.25 s apart (kB), then the time of the middle sample.
mem_available() {
  local i middle
  for i in 1 2 3 4 5 6 7 8 9; do
    meminfo MemAvailable > "$PBE_TMP/mem.$i"
    [ $i = 5 ] && middle=$EPOCHREALTIME
    sleep 0.25
  done
  echo "$(cat "$PBE_TMP"/mem.? | pbe_stats | cut -d' ' -f1) $middle"
  rm -f "$PBE_TMP"/mem.?
}

kernel_kb() { echo $(( $(meminfo Slab) + $(meminfo KernelStack) + $(meminfo PageTables) )); }

proc_kb() {   # proc_kb FILE FIELD PID...: FIELD's kB in /proc/PID/FILE, summed over the pids
  local file="$1" field="$2" pid sum=0 v; shift 2
  for pid in "$@"; do
    v=$(awk -v f="$field:" '$1 == f { print $2 }' "/proc/$pid/$file" 2>/dev/null || true)
    sum=$((sum + ${v:-0}))
  done
  echo $sum
}
pss_kb() { proc_kb smaps_rollup Pss "$@"; }   # shared pages split between their users
rss_kb() { proc_kb status VmRSS "$@"; }

# The daemon processes whose growth we report, and under which helpers may hang.
daemon_pids() {
  case "$1" in
    pier) cat "$PBE_TMP/pierd.pid" ;;
    docker) local d; d=$(cat "$PBE_DOCKER/pid"); echo "$d"; pgrep -P "$d" -x containerd || true ;;
    podman) ;;   # no daemon
  esac
}

live_pids() { ps -eo pid=,stat= | awk '$2 !~ /^Z/ { print $1 }' | sort; }   # sorted as comm(1) wants

# New processes since the snapshot that belong to the containers' plumbing: a known runtime
# helper, anything whose command line names a container id, or a descendant of the daemon.
helper_pids() {
  local before="$1" sleepers="$2" idfile="$3"; shift 3
  local daemons="$*" pid comm
  local -A desc=()
  if [ -n "$daemons" ]; then
    while read -r pid; do desc[$pid]=1; done < <(ps -eo pid=,ppid= | awk -v roots=" $daemons " '
      { parent[$1] = $2 } END {
        for (p in parent) { q = p; for (hops = 0; hops < 64 && q > 1; hops++) {
          q = parent[q]; if (index(roots, " " q " ")) { print p; break } } } }')
  fi
  for pid in $(live_pids | comm -13 "$before" - | comm -23 - "$sleepers"); do
    comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
    case "$comm" in
      containerd-shim*|docker-proxy|conmon|runc|crun) echo "$pid"; continue ;;
    esac
    if [ -n "${desc[$pid]:-}" ] || tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -f "$idfile"; then
      echo "$pid"
    fi
  done
}

for engine in $PBE_ENGINES; do
  for k in lost helpers helper_rss helper_names daemon_growth kernel_growth drift own_rss accounted; do
    declare -n v=$k; v[$engine]=n/a; unset -n v
  done
  if pbe_up "$engine"; then
    sleep "$settle"
    mapfile -t daemons < <(daemon_pids "$engine")
    live_pids > "$PBE_TMP/pids.before"
    daemon_before=$(rss_kb "${daemons[@]}")
    kernel_before=$(kernel_kb)
    read -r avail_before time_before < <(mem_available)
    pbe_log "$engine: starting $count containers"
    own=""
    if pbe_start_sleepers "$engine" "$count" started; then
      sleep "$settle"
      read -r avail_after time_after < <(mem_available)
      kernel_after=$(kernel_kb)
      daemon_after=$(rss_kb "${daemons[@]}")
      printf '%s\n' "${started[@]}" > "$PBE_TMP/ids"
      if pbe_cli "$engine" inspect "${started[@]}" | jq -r '.[].State.Pid' | sort > "$PBE_TMP/pids.sleep" \
          && [ "$(grep -c '^[1-9]' "$PBE_TMP/pids.sleep")" -eq "$count" ]; then
        mapfile -t sleepers < "$PBE_TMP/pids.sleep"
        own=$(rss_kb "${sleepers[@]}")
        mapfile -t helper_list < <(helper_pids "$PBE_TMP/pids.before" "$PBE_TMP/pids.sleep" "$PBE_TMP/ids" "${daemons[@]}")
        h_rss=$(rss_kb "${helper_list[@]}")
        h_pss=$(pss_kb "${helper_list[@]}")
        own_rss[$engine]=$(awk -v a="$own" -v n="$count" 'BEGIN { printf "%.2f", a / n / 1024 }')
        helpers[$engine]=$(awk -v h="${#helper_list[@]}" -v n="$count" 'BEGIN { printf "%.2f", h / n }')
        helper_rss[$engine]=$(awk -v a="$h_rss" -v n="$count" 'BEGIN { printf "%.2f", a / n / 1024 }')
        helper_names[$engine]=$(for p in "${helper_list[@]}"; do cat "/proc/$p/comm" 2>/dev/null; done | sort | uniq -c | awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }')
        [ -z "${helper_names[$engine]}" ] && helper_names[$engine]="none"
        daemon_growth[$engine]=$(awk -v a="$daemon_before" -v b="$daemon_after" -v n="$count" 'BEGIN { printf "%.2f", (b - a) / n / 1024 }')
        kernel_growth[$engine]=$(awk -v a="$kernel_before" -v b="$kernel_after" -v n="$count" 'BEGIN { printf "%.2f", (b - a) / n / 1024 }')
        accounted[$engine]=$(awk -v h="$h_pss" -v d1="$daemon_before" -v d2="$daemon_after" -v k1="$kernel_before" \
          -v k2="$kernel_after" -v n="$count" 'BEGIN { printf "%.2f", (h + d2 - d1 + k2 - k1) / n / 1024 }')
      else
        pbe_log "$engine: could not read the containers' pids from inspect: n/a"
      fi
      pbe_rm_ids "$engine" "${started[@]}"
      sleep "$settle"
      read -r avail_end time_end < <(mem_available)
      drift[$engine]=$(awk -v a="$avail_before" -v b="$avail_end" -v n="$count" 'BEGIN { printf "%.2f", (a - b) / n / 1024 }')
      if [ -n "${own:-}" ] && [ "${own_rss[$engine]}" != n/a ]; then
        lost[$engine]=$(awk -v a="$avail_before" -v ta="$time_before" -v b="$avail_after" -v tb="$time_after" \
          -v c="$avail_end" -v tc="$time_end" -v o="$own" -v n="$count" 'BEGIN {
            base = a + (c - a) * (tb - ta) / (tc - ta)
            printf "%.2f", (base - b - o) / n / 1024 }')
      fi
    else
      pbe_rm_ids "$engine" "${started[@]}"
    fi
  fi
  pbe_down "$engine"
done

echo
echo "memory per running container, MiB ($count containers on the default bridge; settle ${settle}s)"
echo "$(pbe_context)"
printf '%-8s %7s %7s %8s %8s %7s %7s %9s %7s  %s\n' engine lost "own rss" helpers "hlp rss" daemon kernel accounted drift "helper processes"
for engine in $PBE_ENGINES; do
  printf '%-8s %7s %7s %8s %8s %7s %7s %9s %7s  %s\n' "$engine" "${lost[$engine]}" "${own_rss[$engine]}" \
    "${helpers[$engine]}" "${helper_rss[$engine]}" "${daemon_growth[$engine]}" "${kernel_growth[$engine]}" \
    "${accounted[$engine]}" "${drift[$engine]}" "${helper_names[$engine]}"
  pbe_result memory "$engine" mem_lost_per_container_mib "${lost[$engine]}"
  pbe_result memory "$engine" helpers_per_container "${helpers[$engine]}"
  pbe_result memory "$engine" helper_rss_per_container_mib "${helper_rss[$engine]}"
  pbe_result memory "$engine" mem_drift_per_container_mib "${drift[$engine]}"
  pbe_result memory "$engine" mem_accounted_per_container_mib "${accounted[$engine]}"
done
echo "lost = (MemAvailable before, drift-corrected - after - own rss) / $count; own rss = the containers'"
echo "own processes; helpers, hlp rss = processes per container outside it (shim, conmon, ...) and their RSS;"
echo "daemon = RSS growth of pierd / dockerd+containerd; kernel = growth of Slab+KernelStack+PageTables;"
echo "accounted = helpers' PSS + daemon + kernel; drift = (MemAvailable before - after removing them"
echo "again) / $count: how much the rest of the machine moved meanwhile. All per container, MiB."
