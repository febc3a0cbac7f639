# Shell functions shared by the real-kernel test scripts. Source this file.
# It sets no shell options of its own.

# E2E_WORK contains every large file (images, kernels, run disks, results),
# outside the repository.
E2E_WORK=${E2E_WORK:-/var/tmp/mcsaudit-e2e}

log() { printf '[e2e %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[e2e] error: %s\n' "$*" >&2; exit 1; }

require_root() {
	[ "$(id -u)" = 0 ] || die "run as root: building the image needs loop devices, mount and chroot"
}

# Print the Debian mirror that the host's apt already uses, from
# /etc/apt/sources.list or the deb822 files in /etc/apt/sources.list.d.
# Security mirrors are skipped because debootstrap needs the main archive.
debian_mirror() {
	local url="" f
	if [ -f /etc/apt/sources.list ]; then
		url=$(awk '$1 == "deb" && $0 !~ /security/ {
			for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' /etc/apt/sources.list)
	fi
	if [ -z "$url" ]; then
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] || continue
			url=$(awk 'tolower($1) == "uris:" && $2 !~ /security/ { print $2; exit }' "$f")
			[ -n "$url" ] && break
		done
	fi
	[ -n "$url" ] || die "no Debian mirror found in /etc/apt/sources.list or /etc/apt/sources.list.d/*.sources"
	printf '%s\n' "$url"
}

# Install the host packages the harness needs, through apt, when any is
# missing. selinux-policy-src and selinux-policy-dev compile the container
# policy module; policycoreutils provides setfiles to label the image.
HOST_PACKAGES="debootstrap qemu-system-x86 qemu-utils e2fsprogs selinux-policy-dev selinux-policy-src
checkpolicy policycoreutils semodule-utils make m4 zstd attr"

install_host_packages() {
	local missing="" p
	for p in $HOST_PACKAGES; do
		dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	log "installing host packages:$missing"
	apt-get -o DPkg::Lock::Timeout=600 update -qq
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
		--no-install-recommends $missing >/dev/null
}

# Print seconds since the epoch, for wall-time measurements.
now() { date +%s; }
