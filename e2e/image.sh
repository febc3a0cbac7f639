#!/bin/bash
# Build, or reuse from the cache, a Debian bookworm disk image that boots
# with SELinux enforcing (refpolicy "default", an MCS policy) and runs
# Podman. Prints the image directory on stdout. The directory contains
# disk.img (raw ext4, no partition table), vmlinuz, initrd.img and
# info.txt.
#
# The cache key is a hash of this script and of the host's
# selinux-policy-src version, so editing the package list or the guest
# configuration below builds a new image. Images live under
# $E2E_WORK/image-KEY; E2E_REBUILD=1 forces a rebuild.
#
# Needs root, loop devices and the Debian mirror that the host's apt uses.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

SUITE=bookworm
SIZE=${E2E_IMAGE_SIZE:-4G}
# Debian's selinux-policy-default does not build refpolicy's container and
# podman modules, so the container_t and container_file_t types that
# Podman's labels name would not exist. They are compiled from
# selinux-policy-src on the host and loaded into the image's policy store.
GUEST_PACKAGES="linux-image-amd64 selinux-policy-default policycoreutils semodule-utils selinux-utils
podman crun conmon catatonit uidmap slirp4netns golang-github-containers-common containernetworking-plugins
jq attr procps util-linux dbus libpam-systemd"

require_root
install_host_packages

policy_version=$(dpkg-query -W -f '${Version}' selinux-policy-src)
key=$(cat "$0" <(echo "$SUITE $policy_version") | sha256sum | cut -c1-16)
out="$E2E_WORK/image-$key"
if [ -f "$out/info.txt" ] && [ "${E2E_REBUILD:-0}" != 1 ]; then
	log "reusing cached image $out"
	echo "$out"
	exit 0
fi

mirror=$(debian_mirror)
build="$E2E_WORK/build-$key"
root="$build/root"
rm -rf "$build"
mkdir -p "$root"
started=$(now)

cleanup() {
	local m
	for m in dev/pts dev proc sys; do
		mountpoint -q "$root/$m" && umount -l "$root/$m"
	done
	mountpoint -q "$root" && umount "$root"
	return 0
}
trap cleanup EXIT

log "compiling the container and podman policy modules (selinux-policy-src $policy_version)"
mkdir -p "$build/modules"
tar --zstd -xf /usr/src/selinux-policy-src.tar.zst -C "$build/modules" --strip-components=4 \
	selinux-policy-src/policy/modules/services/container.te \
	selinux-policy-src/policy/modules/services/container.fc \
	selinux-policy-src/policy/modules/services/podman.te \
	selinux-policy-src/policy/modules/services/podman.fc
make -s -C "$build/modules" -f /usr/share/selinux/devel/Makefile container.pp podman.pp >"$build/modules.log" 2>&1 ||
	{ tail -20 "$build/modules.log"; die "compiling the policy modules failed"; }

log "creating a $SIZE ext4 image and running debootstrap ($SUITE minbase from $mirror)"
truncate -s "$SIZE" "$build/disk.img"
mkfs.ext4 -q -L e2eroot "$build/disk.img"
mount -o loop "$build/disk.img" "$root"
debootstrap --variant=minbase --include=systemd-sysv,udev,kmod "$SUITE" "$root" "$mirror" \
	>"$build/debootstrap.log" 2>&1 || { tail -20 "$build/debootstrap.log"; die "debootstrap failed"; }

mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
# Keep package scripts from starting services inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"

log "installing guest packages"
in_root() { chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"; }
in_root apt-get update -qq >"$build/apt.log" 2>&1
in_root apt-get install -y --no-install-recommends $GUEST_PACKAGES >>"$build/apt.log" 2>&1 ||
	{ tail -30 "$build/apt.log"; die "installing guest packages failed"; }
# The busybox-static package adds an initramfs hook that costs a minute
# under emulation, and only its binary is needed, for the container image.
in_root sh -c 'cd /tmp && apt-get download -qq busybox-static && dpkg-deb -x busybox-static_*.deb /tmp/bb' >>"$build/apt.log" 2>&1

log "configuring the guest"
echo e2e-selinux >"$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 e2e-selinux\n' >"$root/etc/hosts"
echo '/dev/vda / ext4 defaults 0 1' >"$root/etc/fstab"
printf 'SELINUX=enforcing\nSELINUXTYPE=default\n' >"$root/etc/selinux/config"
in_root passwd -d root >/dev/null
in_root useradd -m -u 1000 -s /bin/bash alice
# useradd already assigns subordinate IDs on bookworm, and a second range
# would make newuidmap reject the rootless user's mapping.
for f in subuid subgid; do
	grep -q '^alice:' "$root/etc/$f" 2>/dev/null || echo 'alice:100000:65536' >>"$root/etc/$f"
done

mkdir -p "$root/etc/containers" "$root/home/alice/.config/containers"
printf '[storage]\ndriver = "overlay"\nrunroot = "/run/containers/storage"\ngraphroot = "/var/lib/containers/storage"\n' \
	>"$root/etc/containers/storage.conf"
echo 'unqualified-search-registries = []' >"$root/etc/containers/registries.conf"
# runuser gives alice no systemd user session, so her Podman uses cgroupfs.
printf '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' >"$root/home/alice/.config/containers/containers.conf"
in_root chown -R alice:alice /home/alice/.config

# The job starts its own Podman services from root's shell. The packaged
# units would start Podman at boot as podman_t, whose lock files and
# sockets then carry labels the job does not expect.
for unit in podman.socket podman.service podman-restart.service podman-auto-update.service \
	podman-auto-update.timer podman-kube@.service apt-daily.timer apt-daily-upgrade.timer \
	e2scrub_all.timer fstrim.timer systemd-timesyncd.service; do
	in_root systemctl mask "$unit" >/dev/null 2>&1 || true
done
in_root systemctl --global mask podman.socket podman.service >/dev/null 2>&1 || true

# The serial console logs root in, and root's login shell runs the job from
# the second disk and powers off. A root login shell runs as unconfined_t,
# like an administrator's shell.
mkdir -p "$root/etc/systemd/system/serial-getty@ttyS0.service.d"
cat >"$root/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf" <<'EOF'
[Service]
ExecStart=
ExecStart=-/sbin/agetty --autologin root --noclear --keep-baud 115200 %I vt220
EOF
cat >"$root/root/.bash_profile" <<'EOF'
if [ "$(tty)" = /dev/ttyS0 ] && [ ! -e /run/e2e-job-started ]; then
	touch /run/e2e-job-started
	mkdir -p /mnt/job
	if mount -o context=system_u:object_r:tmp_t:s0 /dev/vdb /mnt/job && [ -f /mnt/job/job.sh ]; then
		echo "E2E-JOB-START uptime=$(cut -d' ' -f1 /proc/uptime)"
		bash /mnt/job/job.sh >/mnt/job/out/job.log 2>&1
		echo "E2E-JOB-END rc=$? uptime=$(cut -d' ' -f1 /proc/uptime)"
		sync
		umount /mnt/job
	else
		echo "E2E-JOB-MISSING"
	fi
	# The disk is a throwaway overlay, so skip the orderly shutdown: it
	# would wait 90 s for each container whose init ignores SIGTERM.
	sync
	echo o >/proc/sysrq-trigger
fi
EOF

log "building the busybox image tarball"
bbroot="$build/bbroot"
mkdir -p "$bbroot"/{bin,etc,tmp,proc,sys,dev,root,probe}
cp "$root/tmp/bb/bin/busybox" "$bbroot/bin/busybox"
for applet in sh cat echo ls mkdir rm sleep touch mv cp id kill head tail wc stat grep sed tr printf ps; do
	ln -s busybox "$bbroot/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$bbroot/etc/passwd"
echo 'root:x:0:' >"$bbroot/etc/group"
mkdir -p "$root/root/e2e"
tar -C "$bbroot" -cf "$root/root/e2e/busybox-rootfs.tar" .
rm -rf "$root/tmp/bb" "$root"/tmp/busybox-static_*.deb

log "loading the container and podman modules into the image's policy store"
cp "$build/modules/container.pp" "$build/modules/podman.pp" "$root/root/e2e/"
# -n: commit to the store without loading into the (host's) kernel.
in_root semodule -n -i /root/e2e/container.pp /root/e2e/podman.pp
in_root semodule -l | grep -qx container || die "the container module is not in the image's policy store"

rm -f "$root/usr/sbin/policy-rc.d"
in_root apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root/etc/apt/sources.list" "$root"/etc/apt/sources.list.d/*
for m in dev/pts dev proc sys; do umount -l "$root/$m"; done

log "labeling the file system with setfiles"
policy=$(ls "$root"/etc/selinux/default/policy/policy.* | sort -V | tail -1)
contexts="$root/etc/selinux/default/contexts/files/file_contexts"
setfiles -F -r "$root" -c "$policy" "$contexts" "$root" 2>&1 | grep -v 'Removing leading' | head -20 || true
# setfiles leaves the mount point itself unlabeled.
setfattr -n security.selinux -v system_u:object_r:root_t:s0 "$root"
label=$(getfattr --only-values -n security.selinux "$root/usr/bin/podman" 2>/dev/null | tr -d '\0')
[ -n "$label" ] || die "setfiles left /usr/bin/podman unlabeled"

cp "$root"/boot/vmlinuz-* "$build/vmlinuz"
cp "$root"/boot/initrd.img-* "$build/initrd.img"
{
	echo "key=$key"
	echo "suite=$SUITE"
	echo "selinux-policy-src=$policy_version"
	echo "podman=$(in_root dpkg-query -W -f '${Version}' podman)"
	echo "kernel=$(basename "$root"/boot/vmlinuz-*)"
	echo "podman_label=$label"
	echo "build_seconds=$(($(now) - started))"
} >"$build/info.txt"
umount "$root"
trap - EXIT
rmdir "$root"

rm -rf "$out"
mv "$build" "$out"
# Images built from older versions of this script are never used again.
for old in "$E2E_WORK"/image-*/; do
	[ "${old%/}" = "$out" ] || rm -rf "${old%/}"
done
log "image ready in $out ($(($(now) - started)) s)"
echo "$out"
