# Sourced by the engine benchmarks (bench/engine/*.sh): starts Pier, Docker and Podman each in
# private state directories, runs their CLIs, times commands, and puts the host back as it found
# it (links, nftables/iptables tables, FORWARD policy, sysctls) when an engine is stopped, also on
# failure or Ctrl-C.
#
# Everything created is named pbe*: /tmp/pbe (Pier), /tmp/pbe-docker, /tmp/pbe-podman, bridges
# pbe0 (Pier), pbedk0/pbedk1 (Docker), pbepd0/pbepd1 (Podman), user network "pbenet". Subnets are
# away from Docker's 172.17-31 and Podman's 10.88 so that nothing clashes with other daemons or
# tests on the same machine.
#
# Environment: PBE_ENGINES (default "pier docker podman"), PBE_RESULTS (directory for the
# key/value results that all.sh summarises, default /tmp/pbe/results), PBE_DOCKER_CLI (default
# /usr/bin/docker, the client that matches Debian's dockerd).

PBE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PBE_ENGINES="${PBE_ENGINES:-pier docker podman}"
PBE_TMP=/tmp/pbe
PBE_DOCKER=/tmp/pbe-docker
PBE_PODMAN=/tmp/pbe-podman
PBE_RESULTS="${PBE_RESULTS:-$PBE_TMP/results}"
PBE_IMAGE_TAR="$PBE_TMP/busybox.tar"
PBE_DOCKER_CLI="${PBE_DOCKER_CLI:-/usr/bin/docker}"
PBE_USERNET=pbenet

# Per engine: default bridge, user-network bridge, user-network subnet.
PIER_BRIDGE=pbe0;   PIER_BIP=10.199.0.1/16;   PIER_USER_BRIDGE=pbe1;    PIER_USER_SUBNET=10.198.1.0/24
DOCKER_BRIDGE=pbedk0; DOCKER_BIP=10.201.0.1/24; DOCKER_USER_BRIDGE=pbedk1; DOCKER_USER_SUBNET=10.201.1.0/24
PODMAN_BRIDGE=pbepd0; PODMAN_SUBNET=10.202.0.0/24; PODMAN_USER_BRIDGE=pbepd1; PODMAN_USER_SUBNET=10.202.1.0/24

pbe_log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
pbe_die() { pbe_log "error: $*"; exit 1; }

pbe_image() {
  case "$1" in
    podman) echo localhost/busybox:latest ;;
    *) echo busybox:latest ;;
  esac
}

pbe_bridge() {
  case "$1" in pier) echo $PIER_BRIDGE ;; docker) echo $DOCKER_BRIDGE ;; podman) echo $PODMAN_BRIDGE ;; esac
}

# The engine's API socket (Podman has none here: empty).
pbe_socket() {
  case "$1" in pier) echo "$PBE_TMP/pier.sock" ;; docker) echo "$PBE_DOCKER/docker.sock" ;; *) echo "" ;; esac
}

# The engine's CLI, pointed at this benchmark's private daemon/state.
pbe_cli() {
  local engine="$1"; shift
  case "$engine" in
    pier) "$PBE_HOME/bin/pier" -H "unix://$PBE_TMP/pier.sock" "$@" ;;
    docker) "$PBE_DOCKER_CLI" -H "unix://$PBE_DOCKER/docker.sock" "$@" ;;
    podman) CONTAINERS_CONF="$PBE_PODMAN/containers.conf" podman \
              --root "$PBE_PODMAN/root" --runroot "$PBE_PODMAN/runroot" --tmpdir "$PBE_PODMAN/libpod" \
              --network-config-dir "$PBE_PODMAN/networks" --runtime runc --cgroup-manager cgroupfs "$@" ;;
    *) pbe_die "unknown engine '$engine' (expected pier, docker or podman)" ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# Timing and statistics

# Runs a command, its stdout into $PBE_LAST_OUT (through a file: no subshell in the timed span); sets PBE_LAST_MS to its wall time in
# milliseconds. EPOCHREALTIME is a bash builtin: no extra process inside the timed span.
pbe_time() {
  local t0 t1 rc=0
  t0=$EPOCHREALTIME
  "$@" > "$PBE_TMP/last.out" 2> "$PBE_TMP/last.err" || rc=$?
  t1=$EPOCHREALTIME
  PBE_LAST_OUT=$(< "$PBE_TMP/last.out")
  PBE_LAST_MS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }')
  [ $rc -ne 0 ] && pbe_log "failed ($rc): $* : $(head -c 300 "$PBE_TMP/last.err")"
  return $rc
}

# Reads numbers (one a line) on stdin; prints "median p90 min max" (p90 by nearest rank).
pbe_stats() {
  sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "n/a n/a n/a n/a"; exit }
    med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    r = int(0.9 * NR); if (r < 0.9 * NR) r++
    printf "%.1f %.1f %.1f %.1f\n", med, v[r], v[1], v[NR] }'
}

# Records one figure for all.sh: pbe_result FILE ENGINE KEY VALUE
pbe_result() {
  mkdir -p "$PBE_RESULTS"
  printf '%s\t%s\t%s\n' "$2" "$3" "$4" >> "$PBE_RESULTS/$1.tsv"
}

# Forgets earlier figures of the engines about to be measured; other engines' figures stay, so
# that runs of single engines (PBE_ENGINES=pier) add up in the summary.
#   pbe_results_reset FILE [ENGINE...]   (default: $PBE_ENGINES)
pbe_results_reset() {
  local file="$PBE_RESULTS/$1.tsv"; shift
  local engines="${*:-$PBE_ENGINES}"
  [ -f "$file" ] || return 0
  awk -F'\t' -v e=" $engines " 'index(e, " " $1 " ") == 0' "$file" > "$file.tmp" && mv "$file.tmp" "$file"
}

# Arithmetic on figures that may be "n/a".
pbe_is_num() { [[ "$1" =~ ^-?[0-9]+(\.[0-9]+)?$ ]]; }
pbe_sub() { if pbe_is_num "$1" && pbe_is_num "$2"; then awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a - b }'; else echo n/a; fi; }
pbe_ratio() { if pbe_is_num "$1" && pbe_is_num "$2" && [[ ! "$2" =~ ^-?0(\.0+)?$ ]]; then awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; else echo n/a; fi; }

# `rm -f` as Docker means it (kill at once): Podman 4.3's rm -f first waits 10 s for SIGTERM,
# which `sleep` as pid 1 ignores, unless given -t 0.
pbe_rm_force() {
  case "$1" in podman) echo "rm -f -t 0" ;; *) echo "rm -f" ;; esac
}

# Removes containers by id, a batch per command (not timed). Prints nothing.
pbe_rm_ids() {
  local engine="$1"; shift
  local ids=("$@") i
  for ((i = 0; i < ${#ids[@]}; i += 100)); do
    pbe_cli "$engine" $(pbe_rm_force "$engine") "${ids[@]:i:100}" >/dev/null || pbe_log "warning: $engine rm -f failed for some containers"
  done
}

# Starts N `sleep 600` containers (not timed); ids into the named array.
pbe_start_sleepers() {
  local engine="$1" count="$2" i id
  local -n started_ids="$3"
  started_ids=()
  for ((i = 0; i < count; i++)); do
    id=$(pbe_cli "$engine" run -d "$(pbe_image "$engine")" sleep 600) \
      || { pbe_log "$engine: run -d failed after $i containers"; return 1; }
    started_ids+=("$id")
  done
}

# ---------------------------------------------------------------------------------------------
# Host state: saved before an engine starts, restored after it stops.

pbe_host_save() {
  local dir="$PBE_TMP/host-$1"
  mkdir -p "$dir"
  iptables-save > "$dir/iptables.v4" 2>/dev/null || true
  ip6tables-save > "$dir/iptables.v6" 2>/dev/null || true
  nft list tables > "$dir/nft-tables" 2>/dev/null || true
  ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort > "$dir/links"
  : > "$dir/sysctls"
  local key
  for key in net.ipv4.ip_forward net.ipv6.conf.all.forwarding net.bridge.bridge-nf-call-iptables \
             net.bridge.bridge-nf-call-ip6tables net.bridge.bridge-nf-call-arptables; do
    sysctl -n "$key" >/dev/null 2>&1 && echo "$key=$(sysctl -n "$key")" >> "$dir/sysctls"
  done
}

pbe_host_restore() {
  local dir="$PBE_TMP/host-$1"
  [ -d "$dir" ] || return 0
  local link
  # Only our own leftovers: links named pbe* that were not there before (host ends of veths
  # go with the bridge or the namespace; other people's links are never touched).
  for link in $(ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort | comm -13 "$dir/links" -); do
    case "$link" in
      pbe*) pbe_log "removing leftover link $link"; ip link del "$link" 2>/dev/null || true ;;
    esac
  done
  # Tables the engine added (iptables-nft's ip/ip6 filter/nat/mangle/raw, netavark's, Pier's
  # pier_pbe0): delete them whole; tables that were there before get their saved iptables state
  # back. Tables of any other name belong to someone else and stay.
  local table
  while read -r table; do
    case "$table" in
      "table ip filter"|"table ip nat"|"table ip mangle"|"table ip raw"|"table ip6 filter"|"table ip6 nat"|\
      "table ip6 mangle"|"table ip6 raw"|"table inet netavark"|"table inet pier_$PIER_BRIDGE"|"table bridge pier_$PIER_BRIDGE"|"table inet pier_${PIER_BRIDGE}_user")
        pbe_log "removing nftables $table (added by the engine)"
        nft delete $table 2>/dev/null || true ;;
    esac
  done < <(nft list tables 2>/dev/null | sort | comm -13 <(sort "$dir/nft-tables") -)
  if grep -q '^table ip ' "$dir/nft-tables"; then iptables-restore < "$dir/iptables.v4" || pbe_log "warning: iptables-restore failed"; fi
  if grep -q '^table ip6 ' "$dir/nft-tables"; then ip6tables-restore < "$dir/iptables.v6" || pbe_log "warning: ip6tables-restore failed"; fi
  if nft list table ip filter >/dev/null 2>&1; then iptables -P FORWARD ACCEPT 2>/dev/null || true; fi
  local line
  while IFS= read -r line; do
    [ -n "$line" ] && sysctl -q -w "$line" >/dev/null 2>&1 || true
  done < "$dir/sysctls"
  rm -rf "$dir"
}

# Kills helper processes of ours left behind, by pid: a runtime helper whose command line names
# our state directory (never a shell or anything else that merely mentions the path).
pbe_kill_leftovers() {
  local pattern="$1" pid comm
  for pid in $(pgrep -f -- "$pattern" || true); do
    comm=$(cat /proc/$pid/comm 2>/dev/null) || continue
    case "$comm" in
      conmon|aardvark-dns|netavark|containerd|containerd-shim*|runc|docker-proxy|dockerd) ;;
      *) continue ;;
    esac
    pbe_log "killing leftover $comm $pid"
    kill "$pid" 2>/dev/null || true
  done
}

pbe_umount_under() {
  local root="$1" m
  for m in $(awk -v r="$root" '$2 ~ "^"r { print $2 }' /proc/self/mounts | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
}

# ---------------------------------------------------------------------------------------------
# Engines up and down

PBE_UP=""   # the engines up, in the order they came up, for pbe_down_all and the exit trap

pbe_wait_for() {   # pbe_wait_for SECONDS PID command...: until the command succeeds
  local seconds="$1" pid="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && return 1
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.2
  done
}

pbe_image_tar() {
  mkdir -p "$PBE_TMP"
  [ -s "$PBE_IMAGE_TAR" ] || "$PBE_HOME/bin/make-busybox-image" "$PBE_IMAGE_TAR"
}

# Starts the engine and imports the busybox image; returns 1 (with a message) if it can't.
pbe_up() {
  local engine="$1"
  pbe_image_tar
  pbe_host_save "$engine"
  PBE_UP="$PBE_UP $engine"
  case "$engine" in
    pier)
      [ -x "$PBE_HOME/bin/pier" ] || { pbe_log "pier: $PBE_HOME/bin/pier is missing"; return 1; }
      rm -rf "$PBE_TMP/data" "$PBE_TMP/run"
      mkdir -p "$PBE_TMP/data" "$PBE_TMP/run"
      "$PBE_HOME/bin/pierd" --host "unix://$PBE_TMP/pier.sock" --data-root "$PBE_TMP/data" \
        --exec-root "$PBE_TMP/run" --bridge-name $PIER_BRIDGE --bip $PIER_BIP \
        > "$PBE_TMP/pierd.log" 2>&1 &
      echo $! > "$PBE_TMP/pierd.pid"
      pbe_wait_for 90 "$(cat "$PBE_TMP/pierd.pid")" pbe_cli pier version \
        || { pbe_log "pier: pierd did not come up; see $PBE_TMP/pierd.log"; tail -5 "$PBE_TMP/pierd.log" >&2; return 1; }
      ;;
    docker)
      command -v dockerd >/dev/null || { pbe_log "docker: dockerd missing (apt-get install docker.io)"; return 1; }
      rm -rf "$PBE_DOCKER"; mkdir -p "$PBE_DOCKER"
      # Our own bridge, so that another dockerd's docker0 on this machine is left alone.
      ip link del $DOCKER_BRIDGE 2>/dev/null || true
      ip link add $DOCKER_BRIDGE type bridge && ip addr add $DOCKER_BIP dev $DOCKER_BRIDGE && ip link set $DOCKER_BRIDGE up
      dockerd --data-root "$PBE_DOCKER/data" --exec-root "$PBE_DOCKER/run" --pidfile "$PBE_DOCKER/dockerd.pid" \
        -H "unix://$PBE_DOCKER/docker.sock" --bridge $DOCKER_BRIDGE --iptables=true \
        --default-address-pool base=10.201.128.0/17,size=24 > "$PBE_DOCKER/dockerd.log" 2>&1 &
      echo $! > "$PBE_DOCKER/pid"
      pbe_wait_for 60 "$(cat "$PBE_DOCKER/pid")" pbe_cli docker version \
        || { pbe_log "docker: dockerd did not come up; see $PBE_DOCKER/dockerd.log"; return 1; }
      ;;
    podman)
      command -v podman >/dev/null || { pbe_log "podman: missing (apt-get install podman netavark aardvark-dns)"; return 1; }
      rm -rf "$PBE_PODMAN"; mkdir -p "$PBE_PODMAN/networks"
      # Podman keeps a few things at fixed places (netavark's run dir, a blob cache): note which
      # ones we bring into being, to remove them afterwards.
      local shared
      for shared in /run/containers /var/lib/containers; do
        [ -e "$shared" ] || echo "$shared" >> "$PBE_TMP/host-podman/made"
      done
      # This kernel forbids raising RLIMIT_NOFILE: no default ulimits. Our own default network
      # (DNS off, like podman's built-in one) so another podman's podman0 is left alone.
      cat > "$PBE_PODMAN/containers.conf" <<EOF
[containers]
default_ulimits = []
[network]
network_config_dir = "$PBE_PODMAN/networks"
default_network = "pbepod"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$PBE_PODMAN/events.log"
tmp_dir = "$PBE_PODMAN/libpod"
EOF
      pbe_podman_network pbepod $PODMAN_BRIDGE $PODMAN_SUBNET --disable-dns \
        || { pbe_log "podman: cannot create its default network"; return 1; }
      ;;
    *) pbe_die "unknown engine '$engine'" ;;
  esac
  pbe_cli "$engine" import "$PBE_IMAGE_TAR" "$(pbe_image "$engine")" >/dev/null \
    || { pbe_log "$engine: import of $PBE_IMAGE_TAR failed"; return 1; }
  pbe_log "$engine is up"
}

# Creates the user network pbenet; returns 1 if the engine can't.
pbe_usernet_create() {
  local engine="$1"
  case "$engine" in
    pier) pbe_cli pier network create --subnet $PIER_USER_SUBNET -o com.docker.network.bridge.name=$PIER_USER_BRIDGE $PBE_USERNET >/dev/null ;;
    docker) pbe_cli docker network create --subnet $DOCKER_USER_SUBNET -o com.docker.network.bridge.name=$DOCKER_USER_BRIDGE $PBE_USERNET >/dev/null ;;
    podman) pbe_podman_network $PBE_USERNET $PODMAN_USER_BRIDGE $PODMAN_USER_SUBNET ;;
  esac
}

# Podman 4.3 has no option for the bridge's name (it picks podmanN), and its default network
# can't be created by name: create the network under a scratch name, then rewrite its file (name,
# bridge) before any container makes the bridge. A file named like the default network replaces
# podman's built-in one.
pbe_podman_network() {
  local name="$1" bridge="$2" subnet="$3"; shift 3
  local dir="$PBE_PODMAN/networks"
  pbe_cli podman network create --subnet "$subnet" "$@" pbescratch >/dev/null || return 1
  sed -E -e 's/"name": *"pbescratch"/"name": "'"$name"'"/' \
         -e 's/"network_interface": *"[^"]*"/"network_interface": "'"$bridge"'"/' \
         "$dir/pbescratch.json" > "$dir/$name.json"
  rm -f "$dir/pbescratch.json"
  grep -q "\"$bridge\"" "$dir/$name.json" && pbe_cli podman network inspect "$name" >/dev/null
}

pbe_usernet_rm() {
  pbe_cli "$1" network rm $PBE_USERNET >/dev/null 2>&1 || true
}

# pbe_stop_daemon ENGINE DAEMON PIDFILE TENTHS: when the daemon in PIDFILE runs, removes the engine's
# containers and user network, then stops it (SIGKILL after TENTHS tenths of a second).
pbe_stop_daemon() {
  local engine="$1" daemon="$2" pidfile="$3" tenths="$4" pid ids
  pid=$(cat "$pidfile" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    ids=$(pbe_cli "$engine" ps -aq 2>/dev/null || true)
    [ -n "$ids" ] && pbe_rm_ids "$engine" $ids
    pbe_usernet_rm "$engine"
    kill "$pid"
    for _ in $(seq 1 "$tenths"); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { pbe_log "$daemon $pid still running; SIGKILL"; kill -9 "$pid"; }
  fi
  return 0
}

# Stops the engine and removes everything it made. Safe to call twice.
pbe_down() {
  local engine="$1"
  pbe_log "$engine: cleaning up"
  case "$engine" in
    pier)
      pbe_stop_daemon pier pierd "$PBE_TMP/pierd.pid" 100
      rm -f "$PBE_TMP/pierd.pid"
      pbe_kill_leftovers "$PBE_TMP/run"
      pbe_umount_under "$PBE_TMP/run"; pbe_umount_under "$PBE_TMP/data"
      rm -rf "$PBE_TMP/run" "$PBE_TMP/data" "$PBE_TMP/pier.sock"
      ;;
    docker)
      pbe_stop_daemon docker dockerd "$PBE_DOCKER/pid" 150
      pbe_kill_leftovers "$PBE_DOCKER/"
      sleep 0.5
      pbe_umount_under "$PBE_DOCKER"
      rm -rf "$PBE_DOCKER"
      ;;
    podman)
      if [ -f "$PBE_PODMAN/containers.conf" ]; then
        pbe_cli podman rm -af -t 0 >/dev/null 2>&1 || true
        pbe_usernet_rm podman
        pbe_cli podman network rm -f pbepod >/dev/null 2>&1 || true
        pbe_cli podman rmi -af >/dev/null 2>&1 || true
      fi
      pbe_kill_leftovers "$PBE_PODMAN/"
      sleep 0.5
      pbe_umount_under "$PBE_PODMAN"
      rm -rf "$PBE_PODMAN"
      if [ -f "$PBE_TMP/host-podman/made" ] && ! ps -eo stat=,comm= | awk '$2 == "conmon" && $1 !~ /Z/ { found = 1 } END { exit !found }'; then
        xargs -r rm -rf < "$PBE_TMP/host-podman/made"
      fi
      ;;
  esac
  pbe_host_restore "$engine"
  PBE_UP=$(echo " $PBE_UP " | sed "s/ $engine / /g; s/^ *//; s/ *$//")
}

# Stops every engine that is up, the last one first: each restores the host state it saved,
# so the first one's restore leaves the host as it was before any of them.
pbe_down_all() {
  local engines=($PBE_UP) i
  for ((i = ${#engines[@]} - 1; i >= 0; i--)); do pbe_down "${engines[i]}"; done
}

pbe_on_exit() {
  local rc=$?
  trap - EXIT INT TERM
  pbe_down_all
  exit $rc
}
trap pbe_on_exit EXIT
trap 'exit 130' INT TERM

# One line about the machine and the moment, for the results.
pbe_context() {
  echo "date: $(date -u +'%Y-%m-%d %H:%M UTC'); kernel: $(uname -r); cpus: $(nproc);" \
       "mem: $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# Whether bin/pier will start on its JDK AOT cache (the same test bin/pier makes): a stale cache
# means a slower CLI and a training run in the background.
pbe_pier_aot_state() {
  local t="$PBE_HOME/cli/target" jar="$PBE_HOME/cli/target/pier-cli-0.1.0-SNAPSHOT.jar" kind stale=""
  for kind in pier pier-action pier-local; do
    if ! [ -f "$jar" ] || [ "$t/classes/dev/pier/cli/Main.class" -nt "$jar" ] \
       || ! [ -f "$t/$kind.aot" ] || ! [ "$t/$kind.aot" -nt "$jar" ]; then stale="$stale $kind"; fi
  done
  if [ -z "$stale" ]; then echo "AOT caches fresh"; else echo "AOT cache missing or stale:$stale"; fi
}

pbe_versions() {
  echo "docker: $(dockerd --version 2>/dev/null | cut -d, -f1), client $("$PBE_DOCKER_CLI" --version 2>/dev/null | cut -d, -f1);" \
       "podman: $(podman --version 2>/dev/null) (runc, netavark $(dpkg-query -W -f='${Version}' netavark 2>/dev/null));" \
       "runc: $(runc --version 2>/dev/null | head -1 | awk '{print $3}'); pier: $(git -C "$PBE_HOME" rev-parse --short HEAD 2>/dev/null)+worktree"
}
