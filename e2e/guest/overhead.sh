#!/bin/bash
# Overhead of the kernel's access decisions, run by job.sh inside the
# SELinux-enforcing guest when the job carries replayapi (E2E_OVERHEAD=1).
#
# replayapi serves a synthetic Podman API of $OVERHEAD_COUNT containers
# (default 1000) and writes a host root for them. That tree's sys is
# replaced by a symlink to the guest's /sys, so "mcsaudit scan" asks the
# real kernel about the synthetic containers' labels, which the loaded
# policy defines. The scan runs $OVERHEAD_RUNS times (default 5) with
# --kernel-decisions=true and as often with false, alternating, and
# overhead.tsv gets one line per run: run, kernel_decisions, seconds,
# exit status.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/guest-lib.sh"

count=${OVERHEAD_COUNT:-1000}
runs=${OVERHEAD_RUNS:-5}
work=/tmp/e2e-overhead
socket=$work/api.sock
root=$work/root
rm -rf "$work"
mkdir -p "$work"

"$JOB/replayapi" -count "$count" -socket "$socket" -host-root "$root" -fixtures "$JOB/fixtures" \
	>"$work/replayapi.out" 2>"$OUT/overhead-replayapi.log" &
replay_pid=$!
for _ in $(seq 1 600); do
	grep -q '^ready$' "$work/replayapi.out" 2>/dev/null && break
	kill -0 "$replay_pid" 2>/dev/null || break
	sleep 0.5
done
if ! grep -q '^ready$' "$work/replayapi.out" 2>/dev/null; then
	echo "replayapi did not start; see overhead-replayapi.log" >>"$OUT/errors.txt"
	kill "$replay_pid" 2>/dev/null
	exit 1
fi
rm -rf "$root/sys"
ln -s /sys "$root/sys"

printf 'run\tkernel_decisions\tseconds\texit\n' >"$OUT/overhead.tsv"
for run in $(seq 1 "$runs"); do
	for decisions in true false; do
		start=$(date +%s.%N)
		"$JOB/mcsaudit" scan --url "unix://$socket" --host-root "$root" --kernel-decisions="$decisions" \
			--format json -o "$work/report-$decisions.json" 2>"$work/scan-$decisions.log"
		status=$?
		end=$(date +%s.%N)
		printf '%s\t%s\t%s\t%s\n' "$run" "$decisions" "$(echo "$end - $start" | awk '{ print $1 - $3 }')" "$status" \
			>>"$OUT/overhead.tsv"
	done
done
# The last report of each mode shows what the kernel was asked.
for decisions in true false; do
	jq -c '[.coverage.sources[] | select(.source == "kernel-access")], (.decisions // [] | length), (.containers | length)' \
		"$work/report-$decisions.json" >"$OUT/overhead-coverage-$decisions.txt" 2>&1
done
cp "$work/scan-true.log" "$OUT/overhead-scan.log"
kill "$replay_pid" 2>/dev/null
wait "$replay_pid" 2>/dev/null
exit 0
