#!/usr/bin/env bash
# Install and run a private rootful Podman service with the mcsaudit scenario
# containers, for `make demo`, `make podman-up`/`podman-down` and the
# integration tests.
#
# Usage: scripts/podman-env.sh install | up | down [--keep] | status | url
#
# Environment:
#   MCSAUDIT_PODMAN_DIR            state directory (default /tmp/mcsaudit-podman), whose podman.sock path must stay under 100 characters
#   MCSAUDIT_EXTRA_CONTAINERS      number of extra plain containers mcsaudit-extra-1..N (default 0)
#   MCSAUDIT_PODMAN_STORAGE_DRIVER overlay or vfs for a new store (default: overlay when the kernel mounts it there, else vfs)
#   MCSAUDIT_BUSYBOX               static busybox for the image (default: taken from Debian's busybox-static .deb)
#
# `up` prints the socket URL as the last line of stdout (progress goes to
# stderr) and writes into the state directory podman.sock, service.pid,
# service.log, the Podman configuration, cache/ (busybox and rootfs tarball),
# binds/ and `env`: KEY=value lines for MCSAUDIT_PODMAN_URL, MCSAUDIT_PODMAN_PID,
# MCSAUDIT_PODMAN_DIR, CONTAINERS_CONF, CONTAINERS_STORAGE_CONF and
# CONTAINERS_REGISTRIES_CONF. The lock file <state dir>.lock serializes up and
# down and stays behind.
#
# As root, Podman 4.3 writes /run/containers/networks, /run/netns and /run/runc
# whatever containers.conf says. So the service runs in its own mount namespace
# with a private tmpfs on /run. It also has its own network namespace, which
# keeps netavark's bridge and iptables rules off the host and leaves containers
# no route off the machine. Mounts that Podman makes (overlay MergedDir, netns)
# exist only in that mount namespace: reach them as /proc/<service pid>/root/<path>.
# Use `podman --url <URL>` for other commands, because a local `podman` writes
# /run/containers/networks on the host even with these CONTAINERS_* variables.
set -euo pipefail

readonly IMAGE=localhost/mcsaudit-busybox:latest
readonly POD=mcsaudit-pod
readonly NETWORK=mcsaudit
# The default podman network is 10.88.0.0/16, and `podman network create` takes
# subnets from 10.89.0.0 to 10.255.255.255 (default_subnet_pools), so use a range below both.
readonly SUBNET=10.87.77.0/24
readonly SLEEP=(sleep 2147483647)
readonly START_TIMEOUT=30 # seconds to wait for the service's _ping
readonly DEBIAN_PACKAGES=(podman runc conmon catatonit netavark aardvark-dns iptables uidmap slirp4netns)
# NOTE: the Fedora names come from Fedora's package lists; that path has not been run.
readonly FEDORA_PACKAGES=(podman runc conmon catatonit netavark aardvark-dns iptables-nft shadow-utils slirp4netns busybox)

log() { printf 'podman-env: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

setup_paths() {
	DIR=$(realpath -m -- "${MCSAUDIT_PODMAN_DIR:-/tmp/mcsaudit-podman}")
	# The path goes unescaped into TOML strings and into mountinfo matching.
	[[ $DIR =~ ^/[A-Za-z0-9._/+-]+$ && $DIR != / ]] ||
		die "invalid MCSAUDIT_PODMAN_DIR '$DIR': use an absolute path of letters, digits and ._+-/ other than /"
	SOCK=$DIR/podman.sock
	((${#SOCK} < 100)) ||
		die "socket path $SOCK has ${#SOCK} characters, more than the 99 allowed (unix sockets take at most 107): set a shorter MCSAUDIT_PODMAN_DIR"
	URL=unix://$SOCK
	MARKER=$DIR/.mcsaudit-podman-state
	export CONTAINERS_CONF=$DIR/containers.conf CONTAINERS_STORAGE_CONF=$DIR/storage.conf CONTAINERS_REGISTRIES_CONF=$DIR/registries.conf
}

take_lock() {
	mkdir -p -- "$(dirname -- "$DIR")"
	exec 9>"$DIR.lock"
	flock -w 300 9 || die "timed out after 300 s waiting for $DIR.lock, held by another up or down"
}

# Runs the remote client against the private service, with a timeout because the client has none.
remote() { timeout 120 podman --url "$URL" "$@"; }

# Checks that a PID names a live process, counting zombies as dead.
is_alive() {
	local stat
	{ stat=$(<"/proc/$1/stat"); } 2>/dev/null || return 1
	stat=${stat##*) }
	[[ ${stat%% *} != Z ]]
}

# Prints the PID in service.pid if that process is this directory's service.
service_pid() {
	local pid cmdline
	pid=$(cat "$DIR/service.pid" 2>/dev/null) || return 1
	[[ $pid =~ ^[0-9]+$ ]] && is_alive "$pid" || return 1
	cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
	[[ $cmdline == *"system service"*"$URL"* ]] && echo "$pid"
}

ping_service() {
	if command -v curl >/dev/null; then
		[[ $(curl -s --max-time 2 --unix-socket "$SOCK" http://d/_ping 2>/dev/null) == OK ]]
	else
		timeout 2 podman --url "$URL" version >/dev/null 2>&1
	fi
}

cmd_install() {
	local pkg missing=() output
	if ! command -v dpkg-query >/dev/null; then
		for pkg in podman runc conmon catatonit; do command -v "$pkg" >/dev/null || missing+=("$pkg"); done
		((${#missing[@]} == 0)) ||
			die "missing ${missing[*]}. On Fedora run as root: dnf install -y ${FEDORA_PACKAGES[*]}, and set MCSAUDIT_BUSYBOX=/usr/sbin/busybox"
		return 0
	fi
	for pkg in "${DEBIAN_PACKAGES[@]}"; do
		[[ $(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null) == installed ]] || missing+=("$pkg")
	done
	((${#missing[@]} == 0)) && return 0
	((EUID == 0)) ||
		die "missing Debian packages: ${missing[*]}. Run as root: apt-get install -y --no-install-recommends ${missing[*]}"
	log "installing ${missing[*]}"
	# The list leaves out fuse-overlayfs and busybox-static, because their initramfs hooks take about a minute on Debian 12.
	if ! output=$(apt-get install -y --no-install-recommends "${missing[@]}" 2>&1); then
		grep -qE 'Unable to locate package|has no installation candidate' <<<"$output" ||
			die "apt-get install ${missing[*]} failed: $output"
		log "the package lists lack ${missing[*]}, so running apt-get update"
		apt-get update >&2 || die "apt-get update failed"
		apt-get install -y --no-install-recommends "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
	fi
}

# Prints the storage driver for a new store. Real installs use overlay, but the
# kernel rejects it on some backing file systems, such as an overlayfs /tmp
# inside a container. So this mounts a test overlay in a throwaway mount
# namespace and falls back to vfs, which copies layers and works anywhere.
pick_driver() {
	local probe=$DIR/tmp/overlay-probe
	if [[ -n ${MCSAUDIT_PODMAN_STORAGE_DRIVER:-} ]]; then
		echo "$MCSAUDIT_PODMAN_STORAGE_DRIVER"
		return
	fi
	mkdir -p "$probe"/{lower,upper,work,merged}
	if unshare --mount --propagation private mount -n -t overlay overlay \
		-o "lowerdir=$probe/lower,upperdir=$probe/upper,workdir=$probe/work" "$probe/merged" 2>/dev/null; then
		echo overlay
	else
		echo vfs
	fi
	rm -rf "$probe"
}

write_configs() {
	local nofile nproc=32768 nproc_hard driver
	# Root cannot raise hard rlimits on every host, and rootful Podman requests
	# nofile and nproc of 1048576 by default, so request this shell's limits.
	nofile=$(ulimit -Hn)
	nproc_hard=$(ulimit -Hu)
	if [[ $nproc_hard != unlimited ]] && ((nproc_hard < nproc)); then nproc=$nproc_hard; fi
	cat >"$DIR/containers.conf" <<EOF
# Written by scripts/podman-env.sh up. Every path stays inside $DIR.
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
# crun 1.8.1 (Debian 12) fails with "cgroups in hybrid mode not supported" on hosts with hybrid cgroup v1/v2.
runtime = "runc"
# Works without systemd as PID 1. A container's cgroup is /libpod_parent/libpod-<id>, or /libpod_parent/<pod id>/libpod-<id> in a pod.
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$DIR/events/events.log"
tmp_dir = "$DIR/tmp"
image_copy_tmp_dir = "$DIR/tmp"
volume_path = "$DIR/volumes"
# File locks live in tmp_dir, because every rootful Podman on the host shares the default shm locks (/dev/shm/libpod_lock).
lock_type = "file"

[network]
network_backend = "netavark"
network_config_dir = "$DIR/networks"
default_network = "$NETWORK"
default_subnet = "$SUBNET"
EOF
	cat >"$DIR/registries.conf" <<'EOF'
# No registries: the image comes from `podman import`, and Podman builds the pod pause image from catatonit.
unqualified-search-registries = []
EOF

	# A store with layers keeps its driver, because Podman cannot read it with another.
	driver=$(sed -n 's/^driver = "\(.*\)"$/\1/p' "$DIR/storage.conf" 2>/dev/null) || true
	if [[ -n $driver && -d $DIR/storage/$driver-layers ]]; then
		[[ -z ${MCSAUDIT_PODMAN_STORAGE_DRIVER:-} || $MCSAUDIT_PODMAN_STORAGE_DRIVER == "$driver" ]] ||
			die "$DIR uses storage driver '$driver', not '$MCSAUDIT_PODMAN_STORAGE_DRIVER': run '$0 down' first"
		return 0
	fi
	# Podman records the driver in its database even when the start fails, so start the store afresh.
	rm -rf --one-file-system "$DIR/storage"
	driver=$(pick_driver)
	log "storage driver: $driver"
	cat >"$DIR/storage.conf" <<EOF
# Written by scripts/podman-env.sh up. The driver is overlay when the kernel
# mounted a test overlay in $DIR, else vfs, unless MCSAUDIT_PODMAN_STORAGE_DRIVER chose it.
[storage]
driver = "$driver"
graphroot = "$DIR/storage"
runroot = "$DIR/run"
EOF
}

# Prints the path of a static busybox, taken from Debian's busybox-static .deb
# (downloaded into the cache once) unless MCSAUDIT_BUSYBOX names one.
find_busybox() {
	local deb bin=$DIR/cache/busybox
	if [[ -n ${MCSAUDIT_BUSYBOX:-} ]]; then
		[[ -x $MCSAUDIT_BUSYBOX ]] || die "MCSAUDIT_BUSYBOX=$MCSAUDIT_BUSYBOX is not an executable file"
		echo "$MCSAUDIT_BUSYBOX"
		return
	fi
	if [[ ! -x $bin ]]; then
		command -v apt-get >/dev/null || die "no apt-get to fetch busybox-static: set MCSAUDIT_BUSYBOX to a static busybox"
		deb=$(compgen -G "$DIR/cache/busybox-static_*.deb" | head -n 1) || true
		if [[ -z $deb ]]; then
			log "downloading busybox-static"
			# apt downloads as its _apt user into a directory that user owns, else it warns.
			if id _apt >/dev/null 2>&1; then chown _apt "$DIR/cache"; fi
			(cd "$DIR/cache" && apt-get download busybox-static >&2) || die "apt-get download busybox-static failed"
			deb=$(compgen -G "$DIR/cache/busybox-static_*.deb" | head -n 1)
		fi
		dpkg-deb --fsys-tarfile "$deb" | tar -x -O ./bin/busybox >"$bin.part" || die "extracting bin/busybox from $deb failed"
		chmod 0755 "$bin.part" && mv "$bin.part" "$bin"
	fi
	echo "$bin"
}

build_rootfs() {
	local tarball=$1 stage=$DIR/tmp/rootfs applets applet
	rm -rf "$stage"
	mkdir -p "$stage"/{bin,etc,tmp,proc,sys,dev}
	chmod 1777 "$stage/tmp"
	cp "$(find_busybox)" "$stage/bin/busybox"
	# busybox cannot run from a noexec mount, so the fallback is a fixed list of the applets that the scenarios use.
	applets=$("$stage/bin/busybox" --list 2>/dev/null) || applets="sh sleep cat ls ps id env grep mount"
	for applet in $applets; do
		[[ -e $stage/bin/$applet ]] || ln -s busybox "$stage/bin/$applet"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$stage/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$stage/etc/group"
	tar --numeric-owner --owner=0 --group=0 -C "$stage" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
	rm -rf "$stage"
}

# Imports the busybox image and builds the pod pause image with a local podman
# in a throwaway namespace. As root, Podman 4.3 keeps the blob-info cache of
# image copies and builds in the fixed /var/lib/containers/cache. It also
# writes temporary files to /var/tmp even with TMPDIR set. So /run, /var/lib
# and /var/tmp are private tmpfs mounts in that namespace.
prepare_images() {
	local tarball=$DIR/cache/busybox-rootfs.tar
	remote image exists "$IMAGE" && remote pod exists "$POD" && return 0
	remote image exists "$IMAGE" || [[ -s $tarball ]] || build_rootfs "$tarball"
	log "importing $IMAGE and building the pod pause image"
	# shellcheck disable=SC2016 # $1 and $2 expand in the inner shell.
	(cd / && unshare --mount --net --propagation slave -- sh -c '
		set -e
		mount -n -t tmpfs -o mode=0755,size=64m mcsaudit-run /run
		mount -n -t tmpfs -o mode=0755,size=64m mcsaudit-varlib /var/lib
		mount -n -t tmpfs -o mode=1777,size=256m mcsaudit-vartmp /var/tmp
		podman image exists "$2" || podman import --quiet "$1" "$2"
		podman pod create --name mcsaudit-pause-build
		podman pod rm mcsaudit-pause-build' mcsaudit-images "$tarball" "$IMAGE") >/dev/null 9>&- ||
		die "importing $tarball as $IMAGE or building the pause image failed"
}

start_service() {
	local pid deadline
	# The launcher mounts the private /run, brings up loopback and execs the service, which keeps its PID.
	# shellcheck disable=SC2016 # $1 expands in the launcher's shell.
	local launcher='mount -n -t tmpfs -o mode=0755,size=64m mcsaudit-run /run || exit 1
if command -v ip >/dev/null; then ip link set lo up; fi
exec podman system service --time=0 "$1"'
	rm -f "$SOCK"
	log "starting podman system service on $URL (log: $DIR/service.log)"
	# setsid keeps the service out of the caller's process group, so Ctrl-C in `make` leaves it running.
	(cd / && TMPDIR=$DIR/tmp exec setsid unshare --mount --net --propagation slave -- sh -c "$launcher" mcsaudit-podman "$URL") \
		</dev/null >"$DIR/service.log" 2>&1 9>&- &
	pid=$!
	deadline=$((SECONDS + START_TIMEOUT))
	until [[ -S $SOCK ]] && ping_service; do
		if ! is_alive "$pid"; then
			tail -n 20 "$DIR/service.log" >&2
			die "podman system service exited during start; log above, full log in $DIR/service.log"
		fi
		if ((SECONDS >= deadline)); then
			tail -n 20 "$DIR/service.log" >&2
			kill -KILL "$pid" 2>/dev/null || true
			die "podman service did not respond to _ping on $URL within $START_TIMEOUT s; log above, full log in $DIR/service.log"
		fi
		sleep 0.1
	done
	echo "$pid" >"$DIR/service.pid"
	readlink "/proc/$pid/ns/net" >"$DIR/service.netns"
}

# Creates a container that runs a long sleep, or starts it when it exists.
ensure_container() {
	local name=$1
	shift
	case ${STATE[$name]:-} in
	running) ;;
	"") remote run -d --name "$name" "$@" "$IMAGE" "${SLEEP[@]}" >/dev/null ;;
	*) remote start "$name" >/dev/null ;;
	esac
}

ensure_scenarios() {
	local extra=${MCSAUDIT_EXTRA_CONTAINERS:-0} i name state missing=() stopped=()
	[[ $extra =~ ^[0-9]+$ ]] || die "invalid MCSAUDIT_EXTRA_CONTAINERS '$extra': expected a number of containers"
	declare -gA STATE=()
	while read -r name state; do
		[[ -n $name ]] && STATE[$name]=$state
	done < <(remote ps -a --format '{{.Names}} {{.State}}')
	mkdir -p "$DIR/binds/rw" "$DIR/binds/ro"

	log "creating scenario containers"
	ensure_container mcsaudit-plain
	ensure_container mcsaudit-privileged --privileged
	ensure_container mcsaudit-nolabel --security-opt label=disable
	ensure_container mcsaudit-pidhost --pid host
	remote pod exists "$POD" || remote pod create --name "$POD" >/dev/null
	ensure_container mcsaudit-pod-a --pod "$POD"
	ensure_container mcsaudit-pod-b --pod "$POD"
	ensure_container mcsaudit-ipcjoin --ipc container:mcsaudit-plain
	ensure_container mcsaudit-bind -v "$DIR/binds/rw:/data:z" -v "$DIR/binds/ro:/data-ro:ro"

	for ((i = 1; i <= extra; i++)); do
		case ${STATE[mcsaudit-extra-$i]:-} in
		running) ;;
		"") missing+=("mcsaudit-extra-$i") ;;
		*) stopped+=("mcsaudit-extra-$i") ;;
		esac
	done
	((${#stopped[@]} == 0)) || remote start "${stopped[@]}" >/dev/null
	if ((${#missing[@]})); then
		log "creating ${#missing[@]} extra containers"
		# NOTE: 8 concurrent clients is untuned. The service serializes much of the work on its locks.
		printf '%s\n' "${missing[@]}" |
			xargs -P 8 -I '{}' timeout 120 podman --url "$URL" run -d --name '{}' "$IMAGE" "${SLEEP[@]}" >/dev/null ||
			die "creating extra containers failed"
	fi
}

# Prints the container and pod IDs this directory has used: the list that up
# records, the store, and what the running service reports.
known_ids() {
	{
		cat "$DIR/ids" 2>/dev/null || true
		find "$DIR/storage" -mindepth 2 -maxdepth 2 -path '*-containers/*' -printf '%f\n' 2>/dev/null || true
		if service_pid >/dev/null; then
			remote ps -aq --no-trunc 2>/dev/null || true
			remote pod ps -q --no-trunc 2>/dev/null || true
		fi
	} | { grep -E '^[0-9a-f]{64}$' || true; } | sort -u
}

# Prints the PIDs of processes that this directory's services started. These
# are the processes in the recorded service network namespace whose command
# line names the state directory (the service, conmon, `podman container
# cleanup`), and the processes in the cgroup of one of its containers. The
# kernel can reuse a namespace's inode number once the namespace is gone, hence
# the command line check.
started_pids() {
	local ids_file=$1 netns pattern pid
	netns=$(cat "$DIR/service.netns" 2>/dev/null) || netns=""
	{
		if [[ -n $netns && $netns != "$(readlink /proc/self/ns/net)" ]]; then
			pattern=${netns//\[/\\[}
			pattern=${pattern//\]/\\]}
			find /proc -mindepth 3 -maxdepth 3 -path '/proc/[0-9]*/ns/net' -lname "$pattern" 2>/dev/null |
				while IFS=/ read -r _ _ pid _; do
					if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$DIR/"; then echo "$pid"; fi
				done || true # find fails on processes that exit during the walk
		fi
		if [[ -s $ids_file ]]; then
			grep -oE -m 1 'libpod-[0-9a-f]{64}' /proc/[0-9]*/cgroup 2>/dev/null |
				awk -F'[/:]' 'NR == FNR { ids[$0] = 1; next } (substr($NF, 8) in ids) { print $3 }' "$ids_file" - || true
		fi
	} | sort -un | while read -r pid; do
		if ((pid != 1 && pid != $$)) && is_alive "$pid"; then echo "$pid"; fi
	done
}

# Stops leftover processes, unmounts what is mounted under the state directory,
# and removes empty cgroups named by its IDs.
cleanup_leftovers() {
	local ids_file=$DIR/ids.all pids pid tries
	known_ids >"$ids_file"
	mapfile -t pids < <(started_pids "$ids_file")
	if ((${#pids[@]})); then
		log "stopping leftover processes: $(ps -o pid=,comm= -p "${pids[*]}" | tr -s ' \n' ' ')"
		kill -TERM "${pids[@]}" 2>/dev/null || true
		for tries in {1..30}; do
			mapfile -t pids < <(for pid in "${pids[@]}"; do if is_alive "$pid"; then echo "$pid"; fi; done)
			((${#pids[@]})) || break
			# A container's PID 1 ignores TERM unless it handles it, so send KILL after 1 s.
			if ((tries == 10)); then kill -KILL "${pids[@]}" 2>/dev/null || true; fi
			sleep 0.1
		done
		((${#pids[@]} == 0)) || log "warning: processes still alive after KILL: ${pids[*]}"
	fi

	awk -v dir="$DIR" '$5 == dir || index($5, dir "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		while read -r mountpoint; do
			log "unmounting $mountpoint"
			umount -n "$mountpoint" || umount -n -l "$mountpoint" || log "warning: could not unmount $mountpoint"
		done

	# Podman 4.3 with cgroupfs leaves a removed pod's cgroup (with a conmon child) behind.
	# Children sort after their parents, so the reversed list removes them first.
	find /sys/fs/cgroup -mindepth 2 -maxdepth 5 -type d -path '*/libpod_parent/*' 2>/dev/null |
		awk -F/ 'NR == FNR { ids[$0] = 1; next } { for (i = 1; i <= NF; i++) { n = $i; sub(/^libpod-/, "", n); if (n in ids) { print; next } } }' "$ids_file" - |
		sort -r | xargs -r rmdir 2>/dev/null || true
	rm -f "$ids_file"
}

cmd_up() {
	local pid tool
	for tool in unshare setsid flock timeout realpath; do
		command -v "$tool" >/dev/null || die "$tool not found: install util-linux and coreutils"
	done
	setup_paths
	take_lock
	cmd_install
	((EUID == 0)) || die "up must run as root: it starts rootful Podman in its own mount and network namespace"
	if [[ -d $DIR && ! -f $MARKER && -n $(ls -A "$DIR") ]]; then
		die "$DIR exists, is not empty and was not made by this script: set MCSAUDIT_PODMAN_DIR to another path"
	fi
	mkdir -p "$DIR"/{cache,events,networks,volumes}
	touch "$MARKER"

	if pid=$(service_pid) && ping_service; then
		log "reusing podman service (pid $pid) on $URL"
	else
		[[ ! -e $DIR/service.pid ]] || log "service.pid names no live service; cleaning up after it"
		if [[ -n $pid ]]; then
			log "podman service (pid $pid) does not answer _ping; killing it"
			kill -KILL "$pid" 2>/dev/null || true
		fi
		cleanup_leftovers
		# Podman treats a missing tmp_dir like a reboot and resets the state of
		# every container, which the containers of a dead service need.
		rm -rf "$DIR/run" "$DIR/tmp" "$DIR/service.pid" "$DIR/service.netns"
		mkdir -p "$DIR/run" "$DIR/tmp"
		write_configs
		start_service
		pid=$(cat "$DIR/service.pid")
	fi
	prepare_images
	ensure_scenarios
	known_ids >"$DIR/ids"
	printf '%s\n' "MCSAUDIT_PODMAN_URL=$URL" "MCSAUDIT_PODMAN_PID=$pid" "MCSAUDIT_PODMAN_DIR=$DIR" \
		"CONTAINERS_CONF=$CONTAINERS_CONF" "CONTAINERS_STORAGE_CONF=$CONTAINERS_STORAGE_CONF" \
		"CONTAINERS_REGISTRIES_CONF=$CONTAINERS_REGISTRIES_CONF" >"$DIR/env.part"
	mv "$DIR/env.part" "$DIR/env"
	log "ready: $(remote ps -q | wc -l) containers running"
	echo "$URL"
}

remove_all_containers() {
	local attempt output
	for attempt in 1 2 3; do
		output=$(
			remote pod rm -af -t 0 2>&1 >/dev/null
			remote rm -af -t 0 2>&1 >/dev/null
		) || true
		if [[ -z $(remote ps -aq) && -z $(remote pod ps -q) ]]; then return 0; fi
		log "removing containers, attempt $attempt of 3: ${output:-containers still listed}"
		sleep 1
	done
	log "warning: containers still listed after 3 attempts; their processes are stopped below"
}

cmd_down() {
	local keep=0 pid tries
	case ${1:-} in
	--keep) keep=1 ;;
	"") ;;
	*) die "unknown option '$1' for down: expected --keep or nothing" ;;
	esac
	setup_paths
	take_lock
	if [[ ! -d $DIR ]]; then
		log "nothing to stop: $DIR does not exist"
		return 0
	fi
	[[ -f $MARKER ]] || die "$DIR has no $(basename "$MARKER") file, so this script did not make it and down leaves it alone"
	((EUID == 0)) || die "down must run as root, like up"

	known_ids >"$DIR/ids"
	if pid=$(service_pid); then
		if ping_service; then remove_all_containers; fi
		log "stopping podman service (pid $pid)"
		kill -TERM "$pid" 2>/dev/null || true
		for tries in {1..100}; do
			is_alive "$pid" || break
			if ((tries == 100)); then kill -KILL "$pid" 2>/dev/null || true; fi
			sleep 0.1
		done
	fi
	# `podman container cleanup` processes that conmon starts as containers exit
	# can still be writing the store, so clean up again when the removal fails.
	for tries in 1 2 3; do
		cleanup_leftovers
		rm -f "$SOCK" "$DIR/service.pid" "$DIR/service.netns" "$DIR/env"
		if ((keep)); then
			log "kept $DIR; the next up reuses its image and busybox cache"
			return 0
		fi
		# The marker goes last, so that a failed removal can be retried.
		if find "$DIR" -mindepth 1 -maxdepth 1 ! -path "$MARKER" -exec rm -rf --one-file-system -- {} + 2>/dev/null &&
			rm -f "$MARKER" && rmdir "$DIR"; then
			log "removed $DIR"
			return 0
		fi
		sleep 1
	done
	die "could not remove $DIR: $(find "$DIR" -mindepth 1 -maxdepth 1 ! -path "$MARKER" -exec rm -rf --one-file-system -- {} + 2>&1)"
}

cmd_status() {
	local pid
	setup_paths
	if pid=$(service_pid) && ping_service; then
		printf 'podman service is up (pid %s)\n%s\n' "$pid" "$URL"
	else
		printf 'podman service is not running\n%s\n' "$URL"
		return 3
	fi
}

case ${1:-} in
install) cmd_install ;;
up) cmd_up ;;
down) cmd_down "${2:-}" ;;
status) cmd_status ;;
url) setup_paths && echo "$URL" ;;
*)
	echo "usage: $0 install | up | down [--keep] | status | url" >&2
	exit 2
	;;
esac
