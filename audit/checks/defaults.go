package checks

import (
	"path"
	"slices"
	"strings"
)

// wideningBoolean is an SELinux boolean that lets every confined
// container reach more than its own files when it is on.
type wideningBoolean struct {
	name   string
	allows string
}

// defaultWideningBooleans are the booleans HOST-004 reports when on. The
// names and effects come from the tunable_policy blocks of
// container-selinux v2.250.0 (container.te, which also uses the older
// virt_* names) and refpolicy RELEASE_2_20260616
// (policy/modules/services/container.te), whose container module spells
// some of them container_use_*. Booleans that are on by default in
// container-selinux (container_use_dri_devices) are left out, because
// reporting them would flag every host.
var defaultWideningBooleans = []wideningBoolean{
	{"container_connect_any", "containers connect to any TCP port on the host and the network"},
	{"container_manage_cgroup", "containers write the host's cgroup file system (meant for systemd inside a container)"},
	{"container_manage_public_content", "containers write public_content_rw_t files shared with host services"},
	{"container_modify_selinux_labels", "containers set the labels of the processes and files they create"},
	{"container_use_cephfs", "containers read and write every file on CephFS, which carries one label for all containers"},
	{"container_use_devices", "containers read and write every device node mounted into them"},
	{"container_use_ecryptfs", "containers read and write every file on eCryptfs"},
	{"container_use_host_all_caps", "containers use every capability against the host, outside their user namespace"},
	{"container_use_mknod", "containers create device nodes"},
	{"container_use_nfs", "containers read and write every file on NFS, which carries one label (nfs_t) for all containers"},
	{"container_use_samba", "containers read and write every file on CIFS, which carries one label (cifs_t) for all containers"},
	{"container_use_sysadmin", "containers use CAP_SYS_ADMIN, for example to mount file systems"},
	{"container_use_xserver_devices", "containers use X server devices mounted into them"},
	{"virt_sandbox_use_all_caps", "containers use every capability except CAP_SYS_MODULE"},
	{"virt_sandbox_use_mknod", "containers create device nodes"},
	{"virt_sandbox_use_netlink", "containers use netlink sockets, which configure the kernel's network state"},
	{"virt_sandbox_use_sys_admin", "containers use CAP_SYS_ADMIN, for example to mount file systems"},
	{"virt_use_nfs", "containers read and write every file on NFS, which carries one label (nfs_t) for all containers"},
	{"virt_use_samba", "containers read and write every file on CIFS, which carries one label (cifs_t) for all containers"},
}

// defaultSystemPaths are the host paths that must never carry a
// container type (MOUNT-003) and that an unconfined container must never
// mount writable (MOUNT-004 raises those to critical). Directories that
// users commonly hand to containers on purpose, such as subdirectories of
// /srv, /var/lib and /var/log, match only as the directory itself.
var defaultSystemPaths = []string{
	"/", "/bin", "/boot/**", "/dev", "/etc/**", "/home", "/lib", "/lib64", "/media", "/mnt", "/opt",
	"/proc", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr/**", "/var", "/var/cache", "/var/home",
	"/var/lib", "/var/log", "/var/spool", "/var/tmp",
}

// defaultHomeDirectories match home directories: root's, the usual
// /home/<user>, and /var/home/<user> of Fedora's image-based editions,
// where /home is a symlink to /var/home.
var defaultHomeDirectories = []string{"/root", "/home/*", "/var/home/*"}

// defaultEngineTypes are the process types that engines choose on their
// own: container_t (alias svirt_lxc_net_t) for every container,
// container_init_t when Podman runs systemd in the container, and
// container_kvm_t for VM-based runtimes such as Kata. Any other confined
// type was chosen by someone, and TYPE-003 reports it.
var defaultEngineTypes = []string{"container_t", "svirt_lxc_net_t", "container_init_t", "container_kvm_t"}

// contentTypes are the file types of container content as
// container-selinux v2.250.0 defines them: container_file_t (which every
// container domain may read and write at its level, with its aliases) and
// the read-only image types. Engine state types such as
// container_var_lib_t are not content.
var (
	writableContentTypes = []string{"container_file_t", "svirt_sandbox_file_t", "svirt_lxc_file_t"}
	readOnlyContentTypes = []string{"container_ro_file_t", "container_share_t", "docker_share_t"}
)

func isContentType(t string) bool {
	return slices.Contains(writableContentTypes, t) || slices.Contains(readOnlyContentTypes, t)
}

// engineSockets are the API sockets of container engines and runtimes.
// Access to any of them lets a process start a privileged container.
var engineSockets = []string{
	"podman.sock", "docker.sock", "containerd.sock", "crio.sock", "cri-dockerd.sock", "dockershim.sock", "buildkitd.sock",
}

// isEngineSocket reports whether a mount source or destination names an
// engine or runtime socket.
func isEngineSocket(p string) bool {
	return p != "" && slices.Contains(engineSockets, path.Base(p))
}

// Defaults are the built-in lists that a Config adds to, for the check
// reference and for "mcsaudit explain".
type Defaults struct {
	ConfinedTypes    []string
	UnconfinedTypes  []string
	EngineTypes      []string
	WideningBooleans [][2]string
	SystemPaths      []string
	HomeDirectories  []string
	EngineSockets    []string
}

// BuiltinDefaults returns a copy of the built-in lists.
func BuiltinDefaults() Defaults {
	cl := (&Config{}).settings().classifier
	d := Defaults{
		ConfinedTypes:   cl.ConfinedTypes,
		UnconfinedTypes: cl.UnconfinedTypes,
		EngineTypes:     slices.Clone(defaultEngineTypes),
		SystemPaths:     slices.Clone(defaultSystemPaths),
		HomeDirectories: slices.Clone(defaultHomeDirectories),
		EngineSockets:   slices.Clone(engineSockets),
	}
	for _, b := range defaultWideningBooleans {
		d.WideningBooleans = append(d.WideningBooleans, [2]string{b.name, b.allows})
	}
	return d
}

// isFileType reports whether a type is a file type: a container file type,
// or a name that the reference policy's conventions give only to files
// (*_file_t, *_exec_t). A process label with such a type is malformed.
func (s *settings) isFileType(t string) bool {
	return s.classifier.IsContainerFileType(t) || strings.HasSuffix(t, "_file_t") || strings.HasSuffix(t, "_exec_t")
}
