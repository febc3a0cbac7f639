#!/bin/bash
# Boot the SELinux test image once, run a job in it, and copy the job's
# results back to the host.
#
#   e2e/vm.sh IMAGE_DIR JOB_DIR OUT_DIR
#
# JOB_DIR must contain job.sh. It is copied onto a second disk, which the
# guest mounts at /mnt/job. Root's login shell on the serial console runs
# job.sh there as unconfined_t and powers off. The job writes its results
# under /mnt/job/out, which ends up in OUT_DIR together with the serial
# console log (console.log) and the host's timings (vm-times.txt).
#
# The root disk is a qcow2 overlay on the cached raw image, so the image
# itself is never changed. The VM has no network device.
#
# Environment: E2E_TIMEOUT (seconds, default 1200), E2E_MEM (MiB, default
# 3072), E2E_SMP (default 2), E2E_ACCEL (tcg or kvm, default tcg; a KVM that
# cannot run a stock Debian guest hangs, so tcg is the safe default).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

[ $# = 3 ] || die "usage: e2e/vm.sh IMAGE_DIR JOB_DIR OUT_DIR"
image=$1 jobdir=$2 out=$3
timeout=${E2E_TIMEOUT:-1200}
[ -f "$image/disk.img" ] || die "no disk.img in $image: build it with e2e/image.sh"
[ -f "$jobdir/job.sh" ] || die "no job.sh in $jobdir"
require_root

case "${E2E_ACCEL:-tcg}" in
tcg) accel=(-accel tcg,thread=multi -cpu max) ;;
kvm) accel=(-enable-kvm -cpu host) ;;
*) die "invalid E2E_ACCEL ${E2E_ACCEL}: want tcg or kvm" ;;
esac

run="$E2E_WORK/run"
rm -rf "$run"
mkdir -p "$run/jobfs/out" "$out"
cp -r "$jobdir/." "$run/jobfs/"
truncate -s 256M "$run/job.img"
mkfs.ext4 -q -L e2ejob -d "$run/jobfs" "$run/job.img"
qemu-img create -q -f qcow2 -b "$image/disk.img" -F raw "$run/root.qcow2"

log "booting the VM (${E2E_ACCEL:-tcg}, timeout ${timeout} s); console log in $out/console.log"
started=$(now)
set +e
timeout "$timeout" qemu-system-x86_64 "${accel[@]}" -smp "${E2E_SMP:-2}" -m "${E2E_MEM:-3072}" \
	-display none -monitor none -serial "file:$out/console.log" -nic none -no-reboot \
	-kernel "$image/vmlinuz" -initrd "$image/initrd.img" \
	-append "root=/dev/vda rw console=ttyS0,115200 security=selinux selinux=1 enforcing=1 panic=-1 loglevel=3" \
	-drive "file=$run/root.qcow2,format=qcow2,if=virtio,cache=unsafe" \
	-drive "file=$run/job.img,format=raw,if=virtio,cache=unsafe"
qemu_rc=$?
set -e
elapsed=$(($(now) - started))
log "the VM stopped after $elapsed s (qemu exit code $qemu_rc)"

mnt="$run/mnt"
mkdir -p "$mnt"
# noload: read the disk as it is even if the guest could not unmount it
# cleanly, without replaying its journal.
mount -o loop,ro,noload "$run/job.img" "$mnt"
cp -r "$mnt/out/." "$out/"
umount "$mnt"
{
	echo "vm_seconds=$elapsed"
	echo "qemu_exit=$qemu_rc"
	grep -ao 'E2E-JOB-START uptime=[0-9.]*' "$out/console.log" | sed 's/.*=/boot_seconds=/' | head -1
	grep -ao 'E2E-JOB-END rc=[0-9]*' "$out/console.log" | sed 's/.*=/job_exit=/' | head -1
} >"$out/vm-times.txt"
rm -rf "$run"
[ "$qemu_rc" = 0 ] || die "the VM did not power off by itself (qemu exit code $qemu_rc; 124 is the $timeout s timeout)"
