#!/bin/bash
# Run the real-kernel tests end to end, as "make e2e-selinux" does. The
# script builds or reuses the SELinux guest image and builds a static
# mcsaudit. It boots the guest once to run the scenario job, then compares
# mcsaudit's findings with the kernel's verdicts on the host.
#
# Exits 0 when no scenario disagrees or errs (a scenario that the catalog
# does not cover yet does not fail the run), 1 when one does, and 2 when
# the pipeline itself failed. Results are kept in
# $E2E_WORK/results/TIMESTAMP and results/latest. E2E_KEEP sets how many
# result folders are kept (default 5). E2E_MCSAUDIT=PATH runs a static
# mcsaudit built elsewhere instead of building this checkout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
. "$here/lib.sh"
trap 'echo "[e2e] error: the pipeline failed, see the messages above" >&2; exit 2' ERR

require_root
total_start=$(now)

image_start=$(now)
image=$("$here/image.sh")
image_seconds=$(($(now) - image_start))

job="$E2E_WORK/job"
rm -rf "$job"
mkdir -p "$job"
if [ -n "${E2E_MCSAUDIT:-}" ]; then
	log "using the mcsaudit binary $E2E_MCSAUDIT"
	cp "$E2E_MCSAUDIT" "$job/mcsaudit"
else
	log "building a static mcsaudit"
	# The Makefile's GOFLAGS and CGO_ENABLED=0 give a static binary.
	make -s -C "$repo" build BIN="$job/mcsaudit" >&2
fi
cp "$here/guest/job.sh" "$here/guest/guest-lib.sh" "$here/guest/agent.sh" "$job/"

results="$E2E_WORK/results/$(date +%Y%m%d-%H%M%S)"
"$here/vm.sh" "$image" "$job" "$results"
ln -sfn "$results" "$E2E_WORK/results/latest"
ls -1d "$E2E_WORK"/results/2* | head -n -"${E2E_KEEP:-5}" | xargs -r rm -rf

. "$results/vm-times.txt"
total_seconds=$(($(now) - total_start))
{
	echo "image_seconds=$image_seconds"
	echo "image_reused=$([ "$(stat -c %Y "$image/info.txt")" -lt "$image_start" ] && echo yes || echo no)"
	echo "boot_seconds=${boot_seconds:-unknown}"
	echo "job_seconds=$(tail -1 "$results/times.tsv" 2>/dev/null | cut -f1)"
	echo "vm_seconds=$vm_seconds"
	echo "total_seconds=$total_seconds"
} >"$results/times.txt"

trap - ERR
set +e
(cd "$repo" && go run ./e2e/verdict/cmd/e2e-verdict "$results")
verdict_exit=$?
echo
sed 's/^/  /' "$results/times.txt"
echo "  results: $results"
# e2e-verdict exits 2 when the job left no results to judge.
case $verdict_exit in 0 | 1 | 2) exit "$verdict_exit" ;; *) exit 2 ;; esac
