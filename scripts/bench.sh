#!/usr/bin/env bash
# Time whole scans of mcsaudit, for docs/benchmarks.md.
#
# Usage: scripts/bench.sh [real|replay|go|all]   (default: all)
#
#   real    starts the private Podman with 200 running containers and times
#           "mcsaudit scan --format json" against the podman inspect
#           pipeline operators use today, alternating, ROUNDS times each.
#   replay  times scans of 1,000 and 10,000 containers served by a replay
#           of API answers recorded on a real SELinux host, with a matching
#           procfs and file tree as host root.
#   go      runs the Go benchmarks of the label model, the checks and the
#           collectors.
#
# Each timed command reports wall time, its own user+system CPU time and
# peak RSS from GNU time. The real run needs root (it starts Podman).
# Environment: ROUNDS (default 5), BENCH_DIR (default: a new directory
# under /tmp, removed at the end; a BENCH_DIR you name is kept).
set -euo pipefail

cd "$(dirname "$0")/.."
export GOFLAGS="-buildvcs=false -tags=remote,exclude_graphdriver_btrfs,containers_image_openpgp" CGO_ENABLED=0

ROUNDS=${ROUNDS:-5}
if [[ -n ${BENCH_DIR:-} ]]; then
	DIR=$BENCH_DIR
	CLEANUP_DIR=
else
	DIR=$(mktemp -d /tmp/mcsaudit-bench.XXXXXX)
	CLEANUP_DIR=$DIR
fi
BIN=$DIR/bin
mkdir -p "$BIN"
PODMAN_STATE=

cleanup() {
	if [[ -n $PODMAN_STATE ]]; then
		MCSAUDIT_PODMAN_DIR=$PODMAN_STATE scripts/podman-env.sh down >/dev/null 2>&1 || true
	fi
	if [[ -n $CLEANUP_DIR ]]; then
		rm -rf "$CLEANUP_DIR"
	fi
}
trap cleanup EXIT

log() { printf 'bench: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

need_gnu_time() {
	if [[ ! -x /usr/bin/time ]]; then
		[[ $(id -u) -eq 0 ]] || die "GNU time (/usr/bin/time) is missing: install the Debian package 'time'"
		log "installing GNU time"
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends time >/dev/null
	fi
}

build() {
	log "building mcsaudit and replayapi"
	go build -o "$BIN/mcsaudit" ./cmd/mcsaudit
	go build -o "$BIN/replayapi" ./internal/tools/replayapi
}

# timed LABEL CMD...: runs CMD with stdout discarded and appends
# "LABEL wall user sys maxrss_kb" to $DIR/times.
timed() {
	local label=$1
	shift
	/usr/bin/time -o "$DIR/one" -f "%e %U %S %M" "$@" >/dev/null
	printf '%s %s\n' "$label" "$(cat "$DIR/one")" >>"$DIR/times"
}

# summarize LABEL: prints median and range of wall time, median CPU time
# (user+system), median CPU share of wall, and maximum RSS.
summarize() {
	awk -v label="$1" '
		$1 == label { n++; wall[n] = $2; cpu[n] = $3 + $4; if ($5 > rss) rss = $5 }
		function median(a, n,   i, j, t) {
			for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
			return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
		}
		END {
			if (n == 0) { printf "| %s | no runs |\n", label; exit }
			lo = hi = wall[1]; for (i = 1; i <= n; i++) { if (wall[i] < lo) lo = wall[i]; if (wall[i] > hi) hi = wall[i] }
			mw = median(wall, n); mc = median(cpu, n)
			printf "| %s | %d | %.2f s | %.2f–%.2f s | %.2f s | %.0f%% | %.0f MB |\n", label, n, mw, lo, hi, mc, 100 * mc / mw, rss / 1024
		}' "$DIR/times"
}

table_header() {
	echo "| command | runs | median wall | wall range | median CPU (user+sys) | CPU / wall | peak RSS |"
	echo "| --- | --- | --- | --- | --- | --- | --- |"
}

bench_real() {
	[[ $(id -u) -eq 0 ]] || die "the real-Podman benchmark starts a private Podman service and needs root"
	local url ids
	PODMAN_STATE=$DIR/podman
	log "starting the private Podman with 200 running containers"
	# 8 scenario containers and the pod's infra container, plus 191.
	url=$(MCSAUDIT_PODMAN_DIR=$PODMAN_STATE MCSAUDIT_EXTRA_CONTAINERS=191 scripts/podman-env.sh up | tail -n 1)
	ids=$(podman --url "$url" ps -q | wc -l)
	log "$ids containers running; $ROUNDS alternating rounds"

	: >"$DIR/times"
	for ((i = 1; i <= ROUNDS; i++)); do
		timed "mcsaudit-scan" "$BIN/mcsaudit" scan --url "$url" --format json
		# The inspect pipeline as operators run it: list, then inspect all.
		timed "podman-inspect" sh -c "podman --url '$url' inspect \$(podman --url '$url' ps -q)"
	done
	echo "### Real Podman, $ids running containers"
	echo
	table_header
	summarize "mcsaudit-scan"
	summarize "podman-inspect"
	echo
}

bench_replay() {
	local n sock root pid
	for n in 1000 10000; do
		sock=$DIR/replay-$n.sock
		root=$DIR/replay-$n
		rm -rf "$root" "$sock"
		log "building a replay of $n containers"
		"$BIN/replayapi" -count "$n" -socket "$sock" -host-root "$root" >"$DIR/replay-$n.out" 2>&1 &
		pid=$!
		for ((t = 0; t < 300; t++)); do
			grep -q ready "$DIR/replay-$n.out" 2>/dev/null && break
			kill -0 "$pid" 2>/dev/null || die "replayapi exited: $(cat "$DIR/replay-$n.out")"
			sleep 0.2
		done
		grep -q ready "$DIR/replay-$n.out" || die "replayapi for $n containers did not become ready"

		: >"$DIR/times"
		for ((i = 1; i <= ROUNDS; i++)); do
			timed "scan-$n" "$BIN/mcsaudit" scan --url "unix://$sock" --host-root "$root" --format json
		done
		kill "$pid"
		wait "$pid" 2>/dev/null || true
		rm -rf "$root" "$sock"

		echo "### Replayed API, $n containers"
		echo
		table_header
		summarize "scan-$n"
		echo
	done
}

bench_go() {
	echo "### Go benchmarks"
	echo
	echo '```'
	go test -run '^$' -bench . -benchmem -count 3 \
		./audit/seclabel/ ./audit/checks/ ./audit/collect/procfs/ ./audit/collect/files/ |
		grep -E '^(Benchmark|ok|goos|goarch|cpu)'
	echo '```'
	echo
}

main() {
	local what=${1:-all}
	need_gnu_time
	build
	echo "Machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(go version | cut -d' ' -f3); load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
	case $what in
	real) bench_real ;;
	replay) bench_replay ;;
	go) bench_go ;;
	all)
		bench_replay
		bench_go
		bench_real
		;;
	*) die "unknown benchmark '$what': use real, replay, go or all" ;;
	esac
}

main "$@"
