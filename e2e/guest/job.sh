#!/bin/bash
# In-guest scenario job of the real-kernel tests. Root's login shell on the
# SELinux-enforcing guest runs it as unconfined_t, with the job disk at
# /mnt/job; everything it records goes to /mnt/job/out:
#
#   report.json     mcsaudit scan --format json over both Podman services
#   checks.txt      mcsaudit checks (the catalog of this build)
#   probes.tsv      every access attempt: what happened inside the
#                   container and the decision /sys/fs/selinux/access
#                   returned for it
#   containers.tsv  each container's engine, PID and labels
#   times.tsv       seconds since the job started, per phase
#   env.txt, setup.log, containers/NAME.log, avc.txt, errors.txt: for
#                   diagnosis
#
# Order matters: the scenario containers are created and their setup
# writes done, then mcsaudit scans, and only then are the probe objects
# created and the accesses tried, so that the probes' own files never
# appear in the scan.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/guest-lib.sh"
# The rootless user's podman fails in a working directory it cannot enter,
# such as root's home, where the login shell starts.
cd /
mkdir -p "$OUT/batch"
: >"$OUT/plan.tsv"

phase "environment"
{
	echo "enforce=$(cat /sys/fs/selinux/enforce)"
	echo "shell_context=$(id -Z)"
	echo "kernel=$(uname -r)"
	echo "policy_modules=$(semodule -l | grep -E '^(container|podman)$' | tr '\n' ' ')"
	echo "podman=$(podman version --format '{{.Client.Version}}' 2>&1)"
	echo "uptime_at_start=$(cut -d' ' -f1 /proc/uptime)"
} >"$OUT/env.txt"
if [ "$(cat /sys/fs/selinux/enforce)" != 1 ]; then
	echo "SELinux is not enforcing in the guest" | tee -a "$OUT/errors.txt"
	exit 1
fi

phase "root Podman service and image"
mkdir -p /run/podman
start_service root "$ROOT_SOCKET" podman
podman import /root/e2e/busybox-rootfs.tar "$IMAGE" >>"$OUT/setup.log" 2>&1
# Podman running as unconfined_t creates its store with the parent
# directory's type (container_var_lib_t), which container_t may not
# execute from. restorecon gives the image layers container_ro_file_t.
restorecon -RF /var/lib/containers /run/containers

phase "rootless Podman service and image"
install -d -m 0700 -o "$ROOTLESS_USER" -g "$ROOTLESS_USER" "/run/user/$ROOTLESS_UID"
restorecon -F "/run/user/$ROOTLESS_UID"
as_user mkdir -p "/run/user/$ROOTLESS_UID/podman" "$ROOTLESS_PROBE_ROOT"
# The tarball sits in root's home, which the rootless user cannot read.
install -m 0644 /root/e2e/busybox-rootfs.tar /tmp/e2e-busybox.tar
as_user podman import /tmp/e2e-busybox.tar "$IMAGE" >>"$OUT/setup.log" 2>&1
restorecon -RF "/home/$ROOTLESS_USER/.local/share/containers"
SCAN_URLS=(--url "unix://$ROOT_SOCKET")
start_service rootless "$ROOTLESS_SOCKET" as_user podman && SCAN_URLS+=(--url "unix://$ROOTLESS_SOCKET")

phase "host directories for the bind scenarios"
BIND_DIRS=""
for kind in var home etc; do
	case $kind in
	var) base=/srv/e2e/bind ;;
	home) base=/home/$ROOTLESS_USER/e2e-bind ;;
	etc) base=/etc/e2e-bind ;;
	esac
	for mode in plain z Z ro; do
		mkdir -p "$base/$kind-$mode"
		BIND_DIRS="$BIND_DIRS $base/$kind-$mode"
	done
done
mkdir -p /srv/e2e/shared
for dir in $BIND_DIRS /srv/e2e/shared; do
	echo "host file" >"$dir/host.txt"
	chmod 0777 "$dir"
	chmod 0666 "$dir/host.txt"
done
restorecon -RF /srv /home/$ROOTLESS_USER /etc/e2e-bind
# The unknown-context scenario's directory and file carry a type that the
# loaded policy does not define. Setting such a context needs SELinux's
# mac_admin permission, which Debian's refpolicy denies unconfined_t, so
# the job loads a module that grants it. The kernel then stores the
# context unmapped, and /sys/fs/selinux/access rejects it with EINVAL.
# semodule runs as semanage_t, which may neither read the job disk (tmp_t
# below mnt_t) nor write its files, so the module goes to the policy's
# module directory first and the output goes through a pipe.
semodule_start=$(date +%s)
module=/usr/share/selinux/default/mcsaudit_e2e_macadmin.pp
install -m 0644 "$JOB/mcsaudit_e2e_macadmin.pp" "$module"
restorecon -F "$module"
semodule -i "$module" 2>&1 | cat >>"$OUT/setup.log"
[ "${PIPESTATUS[0]}" = 0 ] || echo "semodule -i $module failed" >>"$OUT/errors.txt"
echo "semodule -i $module took $(($(date +%s) - semodule_start)) s" >>"$OUT/setup.log"
NOSUCH_DIR=/srv/e2e/bind/nosuch
NOSUCH_CONTEXT=system_u:object_r:mcsaudit_nosuch_t:s0
mkdir -p "$NOSUCH_DIR"
echo "host file" >"$NOSUCH_DIR/host.txt"
chmod 0777 "$NOSUCH_DIR"
chmod 0666 "$NOSUCH_DIR/host.txt"
for path in "$NOSUCH_DIR" "$NOSUCH_DIR/host.txt"; do
	if ! setfattr -n security.selinux -v "$NOSUCH_CONTEXT" "$path" >>"$OUT/setup.log" 2>&1; then
		echo "setfattr $NOSUCH_CONTEXT $path failed; trying chcon" >>"$OUT/setup.log"
		chcon "$NOSUCH_CONTEXT" "$path" >>"$OUT/setup.log" 2>&1 ||
			echo "labeling $path $NOSUCH_CONTEXT failed" >>"$OUT/errors.txt"
	fi
done
for dir in $BIND_DIRS /srv/e2e/shared "$NOSUCH_DIR" "$NOSUCH_DIR/host.txt"; do
	echo "$dir $(file_label "$dir")"
done >"$OUT/bind-labels-before.txt"

# bind_dir KIND MODE: the host directory of one bind scenario.
bind_dir() {
	case $1 in
	var) echo "/srv/e2e/bind/$1-$2" ;;
	home) echo "/home/$ROOTLESS_USER/e2e-bind/$1-$2" ;;
	etc) echo "/etc/e2e-bind/$1-$2" ;;
	esac
}
# bind_args MODE: three -v options, one per host type, in MODE.
bind_args() {
	local kind opt
	case $1 in plain) opt="" ;; z) opt=":z" ;; Z) opt=":Z" ;; ro) opt=":ro" ;; esac
	for kind in var home etc; do printf -- '-v %s:/m/%s%s ' "$(bind_dir "$kind" "$1")" "$kind" "$opt"; done
}

phase "scenario containers"
# Independent containers start in parallel; a1 and the pods must exist
# before the containers that join them.
NET="--network none"
podman pod create --name p1 --network none >>"$OUT/setup.log" 2>&1
podman pod create --name p2 --infra=false >>"$OUT/setup.log" 2>&1
run_probe_container a1 $NET
run_probe_container a2 $NET
run_probe_container c1 $NET --security-opt label=level:s0:c100,c200
run_probe_container c2 $NET --security-opt label=level:s0:c100,c200
run_probe_container d-super $NET --security-opt label=level:s0:c100,c200,c300
run_probe_container d-sub $NET --security-opt label=level:s0:c100
run_probe_container d-s0 $NET --security-opt label=level:s0
run_probe_container d-full $NET --security-opt label=level:s0-s0:c0.c1023
run_probe_container b-nolabel $NET --security-opt label=disable
run_probe_container b-priv $NET --privileged
run_probe_container g-pidhost $NET --pid host
run_probe_container p1-a --pod p1
run_probe_container p1-b --pod p1
run_probe_container p2-a $NET --pod p2
run_probe_container p2-b $NET --pod p2
for mode in plain z Z ro; do
	# shellcheck disable=SC2046 # bind_args prints separate options
	run_probe_container "m-$mode" $NET $(bind_args "$mode")
done
run_probe_container m-nosuch $NET -v "$NOSUCH_DIR:/m/nosuch"
run_probe_container v1 $NET -v /srv/e2e/shared:/data:z
run_probe_container v2 $NET -v /srv/e2e/shared:/data:z
run_probe_container r-a $NET
run_probe_container r-b $NET
wait_for_containers
run_probe_container g-ipc $NET --ipc container:a1
run_probe_container g-pid $NET --pid container:a1
wait_for_containers
CONTAINERS="a1 a2 c1 c2 d-super d-sub d-s0 d-full b-nolabel b-priv g-pidhost p1-a p1-b p2-a p2-b g-ipc g-pid
m-plain m-z m-Z m-ro m-nosuch v1 v2 r-a r-b"
record_containers $CONTAINERS
# shellcheck disable=SC2046 # one name per line
set -- $(started_containers $CONTAINERS)
RUNNING="$*"
wait_for_agents $RUNNING

phase "setup writes (the shared :z volume is written by two containers)"
echo ':' >"$OUT/batch/noop.sh"
echo 'echo v1 > /data/from-v1' >"$OUT/batch/v1-setup.sh"
echo 'echo v2 > /data/from-v2' >"$OUT/batch/v2-setup.sh"
for name in $RUNNING; do
	case $name in v1 | v2) send_request "$name" 1 "$OUT/batch/$name-setup.sh" ;; *) send_request "$name" 1 "$OUT/batch/noop.sh" ;; esac
done
wait_for_step 1 $RUNNING
ls -laZ /srv/e2e/shared >"$OUT/shared-volume-labels.txt" 2>&1

phase "mcsaudit scan"
"$JOB/mcsaudit" version >"$OUT/mcsaudit-version.txt" 2>&1
"$JOB/mcsaudit" checks >"$OUT/checks.txt" 2>&1
scan_start=$(date +%s)
"$JOB/mcsaudit" scan "${SCAN_URLS[@]}" --host-root / \
	--format json -o "$OUT/report.json" 2>"$OUT/scan.log"
echo "exit=$? seconds=$(($(date +%s) - scan_start))" >>"$OUT/scan.log"

phase "probe objects and plans"
# peer_probes SCENARIO RELATION SUBJECT OWNER: SUBJECT reads and writes a
# file that carries OWNER's file label (its MountLabel). The file sits in
# SUBJECT's own /probe volume, because SELinux decides on the labels alone
# and SUBJECT cannot see OWNER's root file system.
peer_probes() {
	local scenario=$1 relation=$2 subject=$3 owner=$4 file label
	file=$(probe_dir "$subject")/peer/$owner
	label=$(container_field "$owner" mount_label)
	echo peer >"$file"
	chmod 0666 "$file"
	chcon "$label" "$file" || echo "chcon $label $file failed" >>"$OUT/errors.txt"
	plan_probe "$scenario" "$subject:$owner:read" "$subject" "$relation" "$owner" "" read file "$file" \
		"cat /probe/peer/$owner"
	plan_probe "$scenario" "$subject:$owner:write" "$subject" "$relation" "$owner" "" write file "$file" \
		"echo probe > /probe/peer/$owner"
}
# mount_probes SCENARIO SUBJECT HOST-DIR MOUNT-POINT [RELATION]: SUBJECT
# reads the host's file in a bind mount and creates a file next to it.
# The relation is "host", or "own" for a :Z bind, which Podman relabeled
# to SUBJECT's own level.
mount_probes() {
	local scenario=$1 subject=$2 dir=$3 target=$4 relation=${5:-host}
	plan_probe "$scenario" "$subject:$target:read" "$subject" "$relation" "" "$dir" read file "$dir/host.txt" \
		"cat $target/host.txt"
	plan_probe "$scenario" "$subject:$target:write" "$subject" "$relation" "" "$dir" write dir "$dir" \
		"echo probe > $target/new-$subject"
}

peer_probes default-distinct own a1 a1
peer_probes default-distinct cross a1 a2
peer_probes default-distinct cross a2 a1
peer_probes forced-same-level cross c1 c2
peer_probes forced-same-level cross c2 c1
peer_probes superset-level cross d-super c1
peer_probes superset-level cross c1 d-super
peer_probes subset-level cross c1 d-sub
peer_probes subset-level cross d-sub c1
peer_probes s0-level cross a1 d-s0
peer_probes s0-level cross d-s0 a1
peer_probes full-range-level cross d-full a1
peer_probes full-range-level cross a1 d-full
peer_probes label-disable cross b-nolabel a1
peer_probes privileged cross b-priv a1
peer_probes pid-host cross g-pidhost a1
A1PID=$(container_field a1 pid)
plan_probe pid-host "g-pidhost:a1:proc-read" g-pidhost cross a1 "" read file "/proc/$A1PID/root/etc/hostname" \
	"cat /proc/$A1PID/root/etc/hostname"
plan_probe pid-host "g-pidhost:a1:proc-write" g-pidhost cross a1 "" write dir "/proc/$A1PID/root/tmp" \
	"echo probe > /proc/$A1PID/root/tmp/from-pidhost"
plan_probe pid-host "g-pidhost:a1:signal" g-pidhost cross a1 "" signal process "pid:$A1PID" "kill -0 $A1PID"
peer_probes pod-infra same-domain p1-a p1-b
peer_probes pod-infra same-domain p1-b p1-a
peer_probes pod-no-infra cross p2-a p2-b
peer_probes pod-no-infra cross p2-b p2-a
peer_probes ipc-join same-domain g-ipc a1
peer_probes pid-join same-domain g-pid a1
plan_probe pid-join "g-pid:a1:signal" g-pid same-domain a1 "" signal process "pid:$A1PID" "kill -0 1"
for mode in plain z Z ro; do
	for kind in var home etc; do
		relation=host
		[ "$mode" = Z ] && relation=own
		mount_probes "bind-$kind-$mode" "m-$mode" "$(bind_dir "$kind" "$mode")" "/m/$kind" "$relation"
	done
done
mount_probes unknown-context m-nosuch "$NOSUCH_DIR" /m/nosuch
for pair in "v1 v2" "v2 v1"; do
	set -- $pair
	mount_probes shared-z-volume "$1" /srv/e2e/shared /data
	plan_probe shared-z-volume "$1:$2:read" "$1" cross "$2" "" read file "/srv/e2e/shared/from-$2" \
		"cat /data/from-$2"
	plan_probe shared-z-volume "$1:$2:write" "$1" cross "$2" "" write file "/srv/e2e/shared/from-$2" \
		"echo probe > /data/from-$2"
done
peer_probes rootless cross r-a r-b
peer_probes rootless cross r-b r-a
peer_probes rootless cross r-a a1
peer_probes rootless cross a1 r-a

phase "probes run inside the containers"
SUBJECTS=""
for batch in "$OUT"/batch/*.sh; do
	name=$(basename "$batch" .sh)
	case " $RUNNING " in *" $name "*) ;; *) continue ;; esac
	{ echo "$BATCH_HEADER"; cat "$batch"; } >"$batch.full"
	send_request "$name" 2 "$batch.full"
	SUBJECTS="$SUBJECTS $name"
done
wait_for_step 2 $SUBJECTS

phase "kernel decisions and results"
finish_probes
printf 'name\tengine\tpid\tprocess_context\tprocess_label\tmount_label\n' >"$OUT/containers.tsv"
for name in $CONTAINERS; do
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$(engine_of "$name")" "$(container_field "$name" pid)" \
		"$(process_label "$name")" "$(container_field "$name" process_label)" \
		"$(container_field "$name" mount_label)" >>"$OUT/containers.tsv"
done
dmesg | grep -i 'avc:' >"$OUT/avc.txt"
stop_services
if [ -x "$JOB/replayapi" ]; then
	phase "overhead of the kernel decisions (replayed API)"
	bash "$JOB/overhead.sh" || echo "overhead.sh failed with status $?" >>"$OUT/errors.txt"
fi
phase "done"
