#!/usr/bin/env bash
# Install and run a private rootful Podman service with the mcsaudit scenario
# containers, for `make demo`, `make podman-up`/`podman-down` and the
# integration tests.
#
# Usage: scripts/podman-env.sh install | up | down [--keep] | status | url
#
# All state lives in one directory, MCSAUDIT_PODMAN_DIR (default
# /tmp/mcsaudit-podman). The service runs in its own mount and network
# namespace: as root, Podman 4.3 writes /run/containers/networks, /run/netns and
# /run/runc whatever containers.conf says, so it gets a private tmpfs on /run,
# and netavark's bridge and iptables rules stay out of the host's network.
# Containers therefore have no route off the machine, and `--network host`
# would mean the service's namespace, not the host's. Mounts that Podman makes
# (overlay MergedDir, netns) are visible only in that mount namespace: read
# them from the host as /proc/<service pid>/root/<path>.
#
# Environment:
#   MCSAUDIT_PODMAN_DIR            state directory; path of podman.sock in it must stay under 100 characters
#   MCSAUDIT_EXTRA_CONTAINERS      number of extra plain containers mcsaudit-extra-1..N (default 0)
#   MCSAUDIT_PODMAN_STORAGE_DRIVER overlay or vfs (default: overlay when the kernel mounts it there, else vfs)
#   MCSAUDIT_BUSYBOX               a statically linked busybox for the image (default: from Debian's busybox-static .deb)
#
# `up` writes in the state directory: podman.sock, service.pid, service.log,
# containers.conf, storage.conf, registries.conf, cache/ (busybox .deb and
# rootfs tarball), binds/, and `env` (sourceable KEY=value lines:
# MCSAUDIT_PODMAN_URL, MCSAUDIT_PODMAN_PID, MCSAUDIT_PODMAN_DIR, CONTAINERS_CONF,
# CONTAINERS_STORAGE_CONF, CONTAINERS_REGISTRIES_CONF). It prints the socket
# URL as the last line of stdout; progress goes to stderr. Run other Podman
# commands with `podman --url <URL>`: a local `podman` on the host, even with
# these CONTAINERS_* variables, writes /run/containers/networks on the host.
# The lock file <state dir>.lock serializes up and down and is left in place.
set -euo pipefail

readonly IMAGE=localhost/mcsaudit-busybox:latest
readonly POD=mcsaudit-pod
readonly NETWORK=mcsaudit
# The default podman network is 10.88.0.0/16 and `podman network create`
# takes subnets from 10.89.0.0/16 upwards, so use a range outside both.
readonly SUBNET=10.213.77.0/24
readonly SLEEP=(sleep 2147483647)
readonly START_TIMEOUT=30 # seconds to wait for the service's _ping
readonly DEBIAN_PACKAGES=(podman runc conmon catatonit netavark aardvark-dns iptables uidmap slirp4netns)
# NOTE: the Fedora path is written from Fedora's package names and has not been run.
readonly FEDORA_PACKAGES=(podman runc conmon catatonit netavark aardvark-dns iptables-nft shadow-utils slirp4netns busybox)

log() { printf 'podman-env: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

setup_paths() {
	DIR=$(realpath -m -- "${MCSAUDIT_PODMAN_DIR:-/tmp/mcsaudit-podman}")
	# The path goes unquoted into TOML files and mountinfo matching.
	[[ $DIR =~ ^/[A-Za-z0-9._/+-]+$ && $DIR != / ]] ||
		die "invalid MCSAUDIT_PODMAN_DIR '$DIR': use an absolute path of letters, digits and ._+-/ other than /"
	SOCK=$DIR/podman.sock
	((${#SOCK} < 100)) || die "socket path $SOCK is ${#SOCK} characters, more than unix sockets allow here (99): set a shorter MCSAUDIT_PODMAN_DIR"
	URL=unix://$SOCK
	MARKER=$DIR/.mcsaudit-podman-state
	export CONTAINERS_CONF=$DIR/containers.conf
	export CONTAINERS_STORAGE_CONF=$DIR/storage.conf
	export CONTAINERS_REGISTRIES_CONF=$DIR/registries.conf
}

take_lock() {
	mkdir -p -- "$(dirname -- "$DIR")"
	exec 9>"$DIR.lock"
	flock -w 300 9 || die "timed out after 300 s waiting for $DIR.lock held by another up or down"
}

# Runs the remote client against the private service; the bindings have no timeout of their own.
remote() { timeout 120 podman --url "$URL" "$@"; }

# Checks that a PID names a live process, counting zombies as dead.
is_alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ ${stat%% *} != Z ]]
}

# Prints the PID from service.pid if that process is this directory's service.
service_pid() {
	local pid cmdline
	pid=$(cat "$DIR/service.pid" 2>/dev/null) || return 1
	[[ $pid =~ ^[0-9]+$ ]] && is_alive "$pid" || return 1
	cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
	[[ $cmdline == *"system service"*"$URL"* ]] || return 1
	echo "$pid"
}

ping_service() {
	if command -v curl >/dev/null; then
		[[ $(curl -s --max-time 2 --unix-socket "$SOCK" http://d/_ping 2>/dev/null) == OK ]]
	else
		timeout 2 podman --url "$URL" version >/dev/null 2>&1
	fi
}

missing_packages() {
	local pkg
	if command -v dpkg-query >/dev/null; then
		for pkg in "${DEBIAN_PACKAGES[@]}"; do
			[[ $(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null) == installed ]] || echo "$pkg"
		done
	elif command -v rpm >/dev/null; then
		for pkg in "${FEDORA_PACKAGES[@]}"; do
			rpm -q "$pkg" >/dev/null 2>&1 || echo "$pkg"
		done
	else
		for pkg in podman runc conmon catatonit; do
			command -v "$pkg" >/dev/null || echo "$pkg"
		done
	fi
}

cmd_install() {
	local missing output
	mapfile -t missing < <(missing_packages)
	((${#missing[@]} == 0)) && return 0
	if ((EUID != 0)); then
		die "missing packages: ${missing[*]}. Install them as root, e.g. with: $0 install"
	fi
	log "installing ${missing[*]}"
	if command -v apt-get >/dev/null; then
		# Leave out fuse-overlayfs and busybox-static: their initramfs hooks take about a minute.
		if ! output=$(apt-get install -y --no-install-recommends "${missing[@]}" 2>&1); then
			if ! grep -qE 'Unable to locate package|has no installation candidate' <<<"$output"; then
				printf '%s\n' "$output" >&2
				die "apt-get install ${missing[*]} failed"
			fi
			log "package lists are missing these packages, running apt-get update"
			apt-get update >&2 || die "apt-get update failed"
			apt-get install -y --no-install-recommends "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
		fi
	elif command -v dnf >/dev/null; then
		dnf install -y "${missing[@]}" >&2 || die "dnf install ${missing[*]} failed"
	else
		die "no apt-get or dnf: install ${missing[*]} with the system's package manager"
	fi
}

# Prints the storage driver for a new graphroot. Overlay is the driver real
# installs use, but the kernel rejects it on some backing file systems (for
# example an overlayfs /tmp inside a container), so probe a real mount in a
# throwaway mount namespace and fall back to vfs, which copies every layer
# and works anywhere.
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
	# Root cannot raise hard rlimits on every host, and rootful Podman asks for
	# nofile and nproc of 1048576 by default: stay within this shell's limits.
	nofile=$(ulimit -Hn)
	nproc_hard=$(ulimit -Hu)
	if [[ $nproc_hard != unlimited ]] && ((nproc_hard < nproc)); then nproc=$nproc_hard; fi

	cat >"$DIR/containers.conf" <<EOF
# Written by scripts/podman-env.sh up; every path stays inside $DIR.
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
# crun 1.8.1 (Debian 12) fails with "cgroups in hybrid mode not supported" on hosts with hybrid cgroups.
runtime = "runc"
# Works without systemd as PID 1. Containers get the cgroup /libpod_parent/libpod-<id>.
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$DIR/events/events.log"
tmp_dir = "$DIR/tmp"
image_copy_tmp_dir = "$DIR/tmp"
volume_path = "$DIR/volumes"
# File locks under tmp_dir: the default shm locks (/dev/shm/libpod_lock) are shared by every rootful Podman on the host.
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

	# A graphroot with layers keeps its driver: Podman cannot read it with another.
	driver=$(sed -n 's/^driver = "\(.*\)"$/\1/p' "$DIR/storage.conf" 2>/dev/null) || true
	if [[ -n $driver && -d $DIR/storage/$driver-layers ]]; then
		if [[ -n ${MCSAUDIT_PODMAN_STORAGE_DRIVER:-} && $MCSAUDIT_PODMAN_STORAGE_DRIVER != "$driver" ]]; then
			die "$DIR uses storage driver '$driver', not '$MCSAUDIT_PODMAN_STORAGE_DRIVER': run '$0 down' first"
		fi
		return 0
	fi
	# Podman records the driver in its database even when the start fails, so begin afresh.
	rm -rf --one-file-system "$DIR/storage"
	driver=$(pick_driver)
	log "storage driver: $driver"
	cat >"$DIR/storage.conf" <<EOF
# Written by scripts/podman-env.sh up. The driver is overlay when the kernel
# mounted a test overlay in $DIR, else vfs (or MCSAUDIT_PODMAN_STORAGE_DRIVER).
[storage]
driver = "$driver"
graphroot = "$DIR/storage"
runroot = "$DIR/run"
EOF
}

# Prints the path of a statically linked busybox, downloading Debian's
# busybox-static .deb into the cache when needed.
find_busybox() {
	local deb bin=$DIR/cache/busybox
	if [[ -n ${MCSAUDIT_BUSYBOX:-} ]]; then
		[[ -x $MCSAUDIT_BUSYBOX ]] || die "MCSAUDIT_BUSYBOX=$MCSAUDIT_BUSYBOX is not an executable file"
		if command -v ldd >/dev/null && ! ldd "$MCSAUDIT_BUSYBOX" 2>&1 | grep -q 'not a dynamic executable'; then
			die "MCSAUDIT_BUSYBOX=$MCSAUDIT_BUSYBOX is dynamically linked: the image has no libc, so use a static build"
		fi
		echo "$MCSAUDIT_BUSYBOX"
		return
	fi
	if [[ ! -x $bin ]]; then
		command -v apt-get >/dev/null ||
			die "no apt-get to fetch busybox-static: set MCSAUDIT_BUSYBOX to a static busybox (on Fedora: dnf install busybox, then MCSAUDIT_BUSYBOX=/usr/sbin/busybox)"
		deb=$(compgen -G "$DIR/cache/busybox-static_*.deb" | head -n 1) || true
		if [[ -z $deb ]]; then
			log "downloading busybox-static"
			# apt's _apt user downloads only into a directory it owns, else apt warns and downloads as root.
			if id _apt >/dev/null 2>&1; then chown _apt "$DIR/cache"; fi
			(cd "$DIR/cache" && apt-get download busybox-static >&2) || die "apt-get download busybox-static failed"
			deb=$(compgen -G "$DIR/cache/busybox-static_*.deb" | head -n 1)
		fi
		dpkg-deb --fsys-tarfile "$deb" | tar -x -O ./bin/busybox >"$bin.part"
		chmod 0755 "$bin.part"
		mv "$bin.part" "$bin"
	fi
	echo "$bin"
}

build_rootfs() {
	local tarball=$1 busybox stage=$DIR/tmp/rootfs applets applet
	busybox=$(find_busybox)
	rm -rf "$stage"
	mkdir -p "$stage"/{bin,etc,tmp,proc,sys,dev}
	chmod 1777 "$stage/tmp"
	cp "$busybox" "$stage/bin/busybox"
	# Running busybox fails when its directory is mounted noexec; the fixed list covers the scenarios.
	applets=$("$stage/bin/busybox" --list 2>/dev/null) || applets="sh sleep cat ls ps id env grep mount"
	for applet in $applets; do
		[[ -e $stage/bin/$applet ]] || ln -s busybox "$stage/bin/$applet"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$stage/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$stage/etc/group"
	tar --numeric-owner --owner=0 --group=0 -C "$stage" -cf "$tarball.part" .
	mv "$tarball.part" "$tarball"
	rm -rf "$stage"
}

# Imports the busybox image and builds the pod pause image with a local podman
# in a throwaway namespace: as root, Podman 4.3 keeps the blob-info cache of
# image copies and builds in the fixed /var/lib/containers/cache and writes
# temporary files to /var/tmp even with TMPDIR set, so /run, /var/lib and
# /var/tmp are private tmpfs mounts there.
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
	# The launcher mounts the private /run, brings up loopback and becomes the service, keeping its PID.
	# shellcheck disable=SC2016 # $1 expands in the launcher's shell.
	local launcher='mount -n -t tmpfs -o mode=0755,size=64m mcsaudit-run /run || exit 1
if command -v ip >/dev/null; then ip link set lo up; fi
exec podman system service --time=0 "$1"'
	rm -f "$SOCK"
	log "starting podman system service on $URL (log: $DIR/service.log)"
	# setsid keeps the service out of the caller's process group, so Ctrl-C on `make` leaves it running.
	(cd / && TMPDIR=$DIR/tmp exec setsid unshare --mount --net --propagation slave -- sh -c "$launcher" mcsaudit-podman "$URL") \
		</dev/null >"$DIR/service.log" 2>&1 9>&- &
	pid=$!
	deadline=$((SECONDS + START_TIMEOUT))
	until [[ -S $SOCK ]] && ping_service; do
		if ! is_alive "$pid"; then
			tail -n 20 "$DIR/service.log" >&2 || true
			die "podman system service exited during start; log above, full log in $DIR/service.log"
		fi
		if ((SECONDS >= deadline)); then
			tail -n 20 "$DIR/service.log" >&2 || true
			kill -KILL "$pid" 2>/dev/null || true
			die "podman service did not answer _ping on $URL within $START_TIMEOUT s; log above, full log in $DIR/service.log"
		fi
		sleep 0.1
	done
	echo "$pid" >"$DIR/service.pid"
	readlink "/proc/$pid/ns/net" >"$DIR/service.netns"
}

# Creates a container that runs a long sleep, or starts it when it exists.
ensure_container() {
	local name=$1 state
	shift
	state=$(awk -v name="$name" '$1 == name { print $2 }' <<<"$STATES")
	case $state in
	running) ;;
	"") remote run -d --name "$name" "$@" "$IMAGE" "${SLEEP[@]}" >/dev/null ;;
	*) remote start "$name" >/dev/null ;;
	esac
}

ensure_scenarios() {
	local extra=${MCSAUDIT_EXTRA_CONTAINERS:-0} i name missing=() stopped=()
	[[ $extra =~ ^[0-9]+$ ]] || die "invalid MCSAUDIT_EXTRA_CONTAINERS '$extra': expected a number of containers"
	mkdir -p "$DIR/binds/rw" "$DIR/binds/ro"
	STATES=$(remote ps -a --format '{{.Names}} {{.State}}')

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
		name=mcsaudit-extra-$i
		case $(awk -v name="$name" '$1 == name { print $2 }' <<<"$STATES") in
		running) ;;
		"") missing+=("$name") ;;
		*) stopped+=("$name") ;;
		esac
	done
	((${#stopped[@]} == 0)) || remote start "${stopped[@]}" >/dev/null
	if ((${#missing[@]})); then
		log "creating ${#missing[@]} extra containers"
		# Eight concurrent clients; more mostly wait on Podman's locks.
		printf '%s\n' "${missing[@]}" |
			xargs -P 8 -I '{}' timeout 120 podman --url "$URL" run -d --name '{}' "$IMAGE" "${SLEEP[@]}" >/dev/null ||
			die "creating extra containers failed"
	fi
}

write_env() {
	{
		printf 'MCSAUDIT_PODMAN_URL=%s\n' "$URL"
		printf 'MCSAUDIT_PODMAN_PID=%s\n' "$1"
		printf 'MCSAUDIT_PODMAN_DIR=%s\n' "$DIR"
		printf 'CONTAINERS_CONF=%s\n' "$CONTAINERS_CONF"
		printf 'CONTAINERS_STORAGE_CONF=%s\n' "$CONTAINERS_STORAGE_CONF"
		printf 'CONTAINERS_REGISTRIES_CONF=%s\n' "$CONTAINERS_REGISTRIES_CONF"
	} >"$DIR/env.part"
	mv "$DIR/env.part" "$DIR/env"
}

# Prints the container and pod IDs this directory has used, from the record
# that up writes, the store, and the running service.
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

# Prints the PIDs of processes this directory's services started: processes in
# the recorded service network namespace whose command line names the state
# directory (conmon, the service itself, `podman container cleanup`), and
# processes in the cgroup of one of its containers. A namespace inode number
# can be reused after the namespace is gone, hence the command line check.
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

# Stops leftover processes, then removes host mounts and cgroups under this directory's IDs.
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

	# Podman 4.3 with cgroupfs can leave a removed pod's cgroup behind; remove only empty ones named by our IDs.
	find /sys/fs/cgroup -mindepth 2 -maxdepth 5 -type d -path '*/libpod_parent/*' 2>/dev/null |
		awk 'NR == FNR { ids[$0] = 1; next } { n = $0; sub(/.*\//, "", n); sub(/^libpod-/, "", n) } n in ids' "$ids_file" - |
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
		if [[ -e $DIR/service.pid ]]; then log "service.pid names no live service; cleaning up after it"; fi
		if [[ -n ${pid:-} ]]; then
			log "podman service (pid $pid) does not answer _ping; killing it"
			kill -KILL "$pid" 2>/dev/null || true
		fi
		cleanup_leftovers
		# Podman treats a missing tmp_dir like a reboot and resets every container's
		# state, which the containers of a dead service need.
		rm -rf "$DIR/run" "$DIR/tmp" "$DIR/service.pid" "$DIR/service.netns"
		mkdir -p "$DIR/run" "$DIR/tmp"
		write_configs
		start_service
		pid=$(cat "$DIR/service.pid")
	fi
	prepare_images
	ensure_scenarios
	known_ids >"$DIR/ids"
	write_env "$pid"
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
		log "removing containers, attempt $attempt: ${output:-containers still listed}"
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
	[[ -f $MARKER ]] || die "$DIR has no $(basename "$MARKER") file, so this script did not make it; not touching it"
	((EUID == 0)) || die "down must run as root, like up"

	known_ids >"$DIR/ids"
	if pid=$(service_pid); then
		ping_service && remove_all_containers
		log "stopping podman service (pid $pid)"
		kill -TERM "$pid" 2>/dev/null || true
		for tries in {1..100}; do
			is_alive "$pid" || break
			((tries == 100)) && kill -KILL "$pid" 2>/dev/null
			sleep 0.1
		done
	fi
	cleanup_leftovers
	rm -f "$SOCK" "$DIR/service.pid" "$DIR/service.netns" "$DIR/env"
	if ((keep)); then
		log "kept $DIR (image and busybox cache stay for the next up)"
	else
		rm -rf --one-file-system -- "$DIR"
		log "removed $DIR"
	fi
}

cmd_status() {
	local pid
	setup_paths
	if pid=$(service_pid) && ping_service; then
		echo "podman service is up (pid $pid)"
		echo "$URL"
	else
		echo "podman service is not running"
		echo "$URL"
		return 3
	fi
}

case ${1:-} in
install) cmd_install ;;
up) cmd_up ;;
down) cmd_down "${2:-}" ;;
status) cmd_status ;;
url)
	setup_paths
	echo "$URL"
	;;
*)
	echo "usage: $0 install | up | down [--keep] | status | url" >&2
	exit 2
	;;
esac
