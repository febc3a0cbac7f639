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
cp "$here/guest/job.sh" "$here/guest/guest-lib.sh" "$here/guest/agent.sh" "$here/guest/overhead.sh" "$job/"
# The unknown-context scenario loads this module in the guest. It is
# compiled here, because the image has no checkmodule.
module=mcsaudit_e2e_macadmin
checkmodule -M -m -o "$job/$module.mod" "$here/guest/$module.te" >&2
semodule_package -o "$job/$module.pp" -m "$job/$module.mod" >&2
if [ "${E2E_OVERHEAD:-0}" = 1 ]; then
	log "building a static replayapi for the overhead measurement"
	(cd "$repo" && GOFLAGS="-buildvcs=false -tags=remote,exclude_graphdriver_btrfs,containers_image_openpgp" \
		CGO_ENABLED=0 go build -o "$job/replayapi" ./internal/tools/replayapi)
	mkdir -p "$job/fixtures/podman-api" "$job/fixtures/hostroot"
	cp -r "$repo/fixtures/podman-api/debian12-selinux" "$job/fixtures/podman-api/"
	cp -r "$repo/fixtures/hostroot/debian12-enforcing" "$job/fixtures/hostroot/"
fi

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
if [ -s "$results/overhead.tsv" ]; then
	# Median wall time per mode and the overhead of asking the kernel. Exit
	# status 1 means the scan ran and reported findings.
	awk -F'\t' 'NR > 1 && ($4 == 0 || $4 == 1) { t[$2] = t[$2] " " $3 }
		function median(list,   n, a, i, j, x) {
			n = split(list, a, " ")
			for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		END {
			on = median(t["true"]); off = median(t["false"])
			printf "  overhead: median %.2f s with kernel decisions, %.2f s without (%+.1f%%)\n", on, off, (off > 0 ? (on - off) / off * 100 : 0)
		}' "$results/overhead.tsv"
fi
echo "  results: $results"
# e2e-verdict exits 2 when the job left no results to judge.
case $verdict_exit in 0 | 1 | 2) exit "$verdict_exit" ;; *) exit 2 ;; esac
