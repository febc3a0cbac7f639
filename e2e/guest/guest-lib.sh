# Functions for the in-guest scenario job (job.sh sources this file).
#
# Every probe container runs agent.sh as its init, with a private :Z volume
# at /probe. The host (this job, as unconfined_t root) hands it shell
# scripts through /probe/req and reads the results from /probe/res.
#
# A probe is one access attempt, planned with plan_probe. It becomes a line
# of probes.tsv with both what really happened inside the container and
# the kernel's decision from /sys/fs/selinux/access for the same source
# context, target context, class and permissions.

JOB=/mnt/job
OUT=$JOB/out
IMAGE=localhost/e2e-busybox:latest
ROOTLESS_USER=alice
ROOTLESS_UID=1000
ROOT_SOCKET=/run/podman/podman.sock
ROOTLESS_SOCKET=/run/user/$ROOTLESS_UID/podman/podman.sock
PROBE_ROOT=/srv/e2e/probe
ROOTLESS_PROBE_ROOT=/home/$ROOTLESS_USER/e2e-probe

T0=$(date +%s)
# phase NAME: record the time since the job started, for times.txt.
phase() {
	local t=$(($(date +%s) - T0))
	echo "### +${t}s $*"
	printf '%s\t%s\n' "$t" "$*" >>"$OUT/times.tsv"
	echo "E2E-PHASE +${t}s $*" >/dev/ttyS0 2>/dev/null
}

# as_user CMD...: run a command as the rootless user, keeping root's
# unconfined_t context (runuser does not change the SELinux context).
as_user() {
	runuser -u "$ROOTLESS_USER" -- env HOME=/home/$ROOTLESS_USER \
		XDG_RUNTIME_DIR=/run/user/$ROOTLESS_UID "$@"
}

# engine_of NAME: "rootless" for the rootless user's containers (their
# names start with "r-"), "root" otherwise.
engine_of() { case $1 in r-*) echo rootless ;; *) echo root ;; esac; }

# podman_for NAME ARGS...: run podman for the engine that owns NAME.
podman_for() {
	local name=$1
	shift
	if [ "$(engine_of "$name")" = rootless ]; then as_user podman "$@"; else podman "$@"; fi
}

probe_dir() {
	if [ "$(engine_of "$1")" = rootless ]; then echo "$ROOTLESS_PROBE_ROOT/$1"; else echo "$PROBE_ROOT/$1"; fi
}

# prepare_probe_dir NAME: create the container's /probe volume with the
# agent in it. Podman relabels it to the container's level (:Z).
prepare_probe_dir() {
	local dir
	dir=$(probe_dir "$1")
	mkdir -p "$dir/req" "$dir/res" "$dir/peer"
	cp "$JOB/agent.sh" "$dir/agent.sh"
	chmod 0777 "$dir" "$dir/req" "$dir/res" "$dir/peer"
	if [ "$(engine_of "$1")" = rootless ]; then chown -R "$ROOTLESS_USER:" "$dir"; fi
}

# run_probe_container NAME PODMAN-RUN-ARGS...: start a container whose
# init is the agent, in the background: at most $PARALLEL podman commands
# run at once, and wait_for_containers waits for them all. Each command's
# output and exit status go to containers/NAME.log. The probe volume is
# relabeled with :Z unless the arguments disable labeling.
PARALLEL=${PARALLEL:-3}
run_probe_container() {
	local name=$1 zopt=":Z"
	shift
	case " $* " in *" --privileged "* | *label=disable* | *" --pid host "*) zopt="" ;; esac
	prepare_probe_dir "$name"
	while [ "$(jobs -rp | wc -l)" -ge "$PARALLEL" ]; do wait -n; done
	echo "E2E-CONTAINER +$(($(date +%s) - T0))s $name" >/dev/ttyS0 2>/dev/null
	mkdir -p "$OUT/containers"
	{
		echo "+ podman run --name $name $*"
		podman_for "$name" run -d --pull never --name "$name" -v "$(probe_dir "$name"):/probe$zopt" "$@" \
			"$IMAGE" sh /probe/agent.sh 2>&1
		echo "exit=$?"
	} >"$OUT/containers/$name.log" &
}

wait_for_containers() { wait; }

# started_containers NAME...: print the names whose podman run succeeded;
# report the others in errors.txt.
started_containers() {
	local name
	for name in "$@"; do
		if grep -qx 'exit=0' "$OUT/containers/$name.log" 2>/dev/null; then
			echo "$name"
		else
			echo "podman run $name failed: $(grep -v '^+' "$OUT/containers/$name.log" | tail -2 | tr '\n' ' ')" >>"$OUT/errors.txt"
		fi
	done
}

# start_service LABEL SOCKET CMD...: start a Podman API service in the
# background (its log in /run/e2e, so that the job disk can be unmounted
# while it runs) and wait up to 60 s for its socket.
start_service() {
	local label=$1 socket=$2 i
	shift 2
	mkdir -p /run/e2e
	"$@" system service --time=0 "unix://$socket" >"/run/e2e/service-$label.log" 2>&1 &
	echo $! >"/run/e2e/service-$label.pid"
	disown
	for i in $(seq 60); do
		[ -S "$socket" ] && return 0
		sleep 1
	done
	echo "the $label Podman service did not create $socket" | tee -a "$OUT/errors.txt"
	return 1
}

# stop_services: stop the services start_service started, by PID, and
# keep their logs.
stop_services() {
	local f
	for f in /run/e2e/service-*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	cp /run/e2e/service-*.log "$OUT/" 2>/dev/null
}

# wait_for_agents NAME...: wait up to 90 s until every agent has started.
wait_for_agents() {
	local name deadline=$(($(date +%s) + 90)) missing
	while :; do
		missing=""
		for name in "$@"; do
			[ -f "$(probe_dir "$name")/res/up" ] || missing="$missing $name"
		done
		[ -z "$missing" ] && return 0
		if [ "$(date +%s)" -ge "$deadline" ]; then
			echo "agents not started:$missing" | tee -a "$OUT/errors.txt"
			return 1
		fi
		sleep 1
	done
}

# send_request NAME STEP SCRIPT-FILE: hand a script to the container's
# agent. The rename makes the file appear whole.
send_request() {
	local dir
	dir=$(probe_dir "$1")
	cp "$3" "$dir/req/.next"
	chmod 0644 "$dir/req/.next"
	mv "$dir/req/.next" "$dir/req/$2.sh"
}

# wait_for_step STEP NAME...: wait up to 60 s for every agent to finish
# request STEP.
wait_for_step() {
	local step=$1 name deadline=$(($(date +%s) + 60)) missing
	shift
	while :; do
		missing=""
		for name in "$@"; do
			[ -s "$(probe_dir "$name")/res/$step.rc" ] || missing="$missing $name"
		done
		[ -z "$missing" ] && return 0
		if [ "$(date +%s)" -ge "$deadline" ]; then
			echo "request $step not finished by:$missing" | tee -a "$OUT/errors.txt"
			return 1
		fi
		sleep 1
	done
}

# record_containers NAME...: inspect every container once per engine and
# store name, PID, ProcessLabel and MountLabel in containers.info, because
# each podman command costs seconds under emulation.
record_containers() {
	local name root="" rootless="" format
	format='{{.Name}}\t{{.State.Pid}}\t{{.ProcessLabel}}\t{{.MountLabel}}'
	for name in "$@"; do
		if [ "$(engine_of "$name")" = rootless ]; then rootless="$rootless $name"; else root="$root $name"; fi
	done
	{
		[ -n "$root" ] && podman inspect --format "$format" $root
		[ -n "$rootless" ] && as_user podman inspect --format "$format" $rootless
	} >"$OUT/containers.info" 2>>"$OUT/errors.txt"
}

# container_field NAME pid|process_label|mount_label, from containers.info.
container_field() {
	local column
	case $2 in pid) column=2 ;; process_label) column=3 ;; mount_label) column=4 ;; esac
	awk -F'\t' -v name="$1" -v column="$column" '$1 == name { print $column; exit }' "$OUT/containers.info"
}

# process_label NAME: the context the container's init really runs with.
process_label() {
	local pid
	pid=$(container_field "$1" pid)
	[ -n "$pid" ] && [ "$pid" != 0 ] && tr -d '\0' <"/proc/$pid/attr/current" 2>/dev/null
}

file_label() { getfattr --only-values -h -n security.selinux "$1" 2>/dev/null | tr -d '\0'; }

# access_decision SCONTEXT TCONTEXT CLASS PERM...: ask the kernel, through
# /sys/fs/selinux/access, whether SCONTEXT has every PERM on TCONTEXT.
# Prints "allowed", "denied" or "error" (an unknown context or class).
# The kernel returns "ALLOWED DECIDED AUDITALLOW AUDITDENY SEQNO FLAGS",
# vectors in hex; permission N of a class is bit 1 << (N - 1). Only shell
# builtins run here, because a fork costs milliseconds under emulation.
access_decision() {
	local scon=$1 tcon=$2 class=$3 index="" need=0 perm bit answer=""
	shift 3
	# selinuxfs files have no trailing newline, so read returns 1 at EOF
	# even when it read the number.
	read -r index <"/sys/fs/selinux/class/$class/index" 2>/dev/null
	[ -n "$index" ] || { echo error; return; }
	for perm in "$@"; do
		bit=""
		read -r bit <"/sys/fs/selinux/class/$class/perms/$perm" 2>/dev/null
		[ -n "$bit" ] || { echo error; return; }
		need=$((need | (1 << (bit - 1))))
	done
	[ -n "$scon" ] && [ -n "$tcon" ] || { echo error; return; }
	exec 3<>/sys/fs/selinux/access
	if printf '%s %s %s' "$scon" "$tcon" "$index" >&3 2>/dev/null; then
		read -r answer <&3
	fi
	exec 3>&-
	[ -n "$answer" ] || { echo error; return; }
	if (((16#${answer%% *} & need) == need)); then echo allowed; else echo denied; fi
}

# plan_probe SCENARIO ID SUBJECT RELATION OWNER PATH OP CLASS HOST-OBJECT COMMAND
#
# RELATION is "cross" (another isolation domain's object), "same-domain"
# (a pod member's or a joined container's object), "own" (the subject's
# own object) or "host" (a host directory bound into the subject).
# OWNER is the container whose object it is; PATH is the host path of the
# bind source for "host" probes. OP is read, write or signal; CLASS and
# the permissions checked follow from OP and the object. HOST-OBJECT is
# where the host reads the target's label (a file, a directory or
# "pid:N"). COMMAND runs inside SUBJECT; exit status 0 means allowed.
plan_probe() {
	# "-" stands for an empty field, because read collapses adjacent tabs.
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:--}" "${6:--}" "$7" "$8" "$9" >>"$OUT/plan.tsv"
	printf "p '%s' '%s'\n" "$2" "${10}" >>"$OUT/batch/$3.sh"
}

# The shell function each batch starts with: run a command, print
# "ID<TAB>allowed" or "ID<TAB>denied<TAB>error message".
BATCH_HEADER='p() {
	id=$1
	shift
	if msg=$(sh -c "$*" 2>&1); then
		printf "%s\tallowed\t\n" "$id"
	else
		printf "%s\tdenied\t%s\n" "$id" "$(echo "$msg" | tr "\t\n" "  ")"
	fi
}'

# permissions_for OP CLASS: the permissions a probe's access needs.
permissions_for() {
	case $1/$2 in
	read/file) echo "read open" ;;
	write/file) echo "write open" ;;
	write/dir) echo "write add_name search" ;;
	signal/process) echo "signull" ;;
	*) echo "unknown" ;;
	esac
}

# finish_probes: join plan.tsv with the agents' results and the kernel's
# decisions into probes.tsv (columns in its header line).
finish_probes() {
	local scenario id subject relation owner path op class object scon tcon kernel result rid rest
	local -A subject_context results
	printf 'scenario\tprobe\tsubject\trelation\towner\tpath\top\tclass\tscontext\ttcontext\tkernel\tobserved\tdetail\n' \
		>"$OUT/probes.tsv"
	while IFS=$'\t' read -r scenario id subject relation owner path op class object; do
		[ "$owner" = - ] && owner=""
		[ "$path" = - ] && path=""
		if [ -z "${subject_context[$subject]+set}" ]; then
			subject_context[$subject]=$(process_label "$subject")
			# Each result line is "ID<TAB>allowed" or "ID<TAB>denied<TAB>message".
			while IFS= read -r result; do
				rid=${result%%$'\t'*}
				rest=${result#*$'\t'}
				[[ $rest == *$'\t'* ]] || rest+=$'\t'
				results[$rid]=$rest
			done <"$(probe_dir "$subject")/res/2.out" 2>/dev/null
		fi
		scon=${subject_context[$subject]}
		tcon=""
		case $object in
		pid:*) read -r -d '' tcon <"/proc/${object#pid:}/attr/current" 2>/dev/null ;;
		*) tcon=$(file_label "$object") ;;
		esac
		# shellcheck disable=SC2046 # the permission list is split on purpose
		kernel=$(access_decision "$scon" "$tcon" "$class" $(permissions_for "$op" "$class"))
		result=${results[$id]:-missing$'\t'}
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$id" "$subject" "$relation" \
			"$owner" "$path" "$op" "$class" "$scon" "$tcon" "$kernel" "$result" >>"$OUT/probes.tsv"
	done <"$OUT/plan.tsv"
}
