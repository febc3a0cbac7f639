// Package host reads the host's SELinux state from files under a host root.
//
// It reads the files itself instead of calling go-selinux's GetEnabled and
// EnforceMode, because those read the live /sys of the process that calls
// them and report "disabled" when mcsaudit runs in a container with the
// host mounted elsewhere:
//
//	state := host.ReadSELinux("/host")
//	fmt.Println(state.State, state.PolicyType)
package host

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// Paths of the files read, relative to the host root.
const (
	selinuxfsDir   = "sys/fs/selinux"
	enforceFile    = "sys/fs/selinux/enforce"
	mlsFile        = "sys/fs/selinux/mls"
	policyversFile = "sys/fs/selinux/policyvers"
	configFile     = "etc/selinux/config"
	// sysfsProbe is a directory every mounted sysfs has. It separates an absent
	// selinuxfs (SELinux disabled) from a host root with no sysfs at all.
	sysfsProbe = "sys/kernel"
)

// ReadSELinux reads the SELinux state of the host mounted at root. It
// never fails: what it cannot read is left empty or marked unknown with the
// reason in StateReason.
func ReadSELinux(root string) inventory.SELinux {
	var st inventory.SELinux

	if cfg, err := os.Open(filepath.Join(root, configFile)); err == nil {
		mode, policy, perr := ParseConfig(cfg)
		cfg.Close()
		if perr == nil {
			st.ConfigMode, st.PolicyType = mode, policy
		}
	}
	if v, err := readTrimmed(filepath.Join(root, policyversFile)); err == nil {
		st.PolicyVersion = v
	}
	if v, err := readTrimmed(filepath.Join(root, mlsFile)); err == nil {
		mls := v == "1"
		st.MLSEnabled = &mls
	}

	st.State, st.StateReason = readState(root)
	return st
}

// readState decides the running mode from selinuxfs.
func readState(root string) (inventory.SELinuxState, string) {
	enforcePath := filepath.Join(root, enforceFile)
	value, err := readTrimmed(enforcePath)
	switch {
	case err == nil:
		switch value {
		case "1":
			return inventory.SELinuxEnforcing, enforcePath + " reads 1"
		case "0":
			return inventory.SELinuxPermissive, enforcePath + " reads 0"
		default:
			return inventory.SELinuxUnknown, fmt.Sprintf("unexpected value %q in %s", value, enforcePath)
		}
	case errors.Is(err, fs.ErrNotExist):
		return stateWithoutSelinuxfs(root)
	default:
		return inventory.SELinuxUnknown, fmt.Sprintf("reading %s: %v", enforcePath, err)
	}
}

// stateWithoutSelinuxfs tells "SELinux is off" from "this host root does
// not show sysfs", which happens when a container mounts the host's / but
// not its /sys.
func stateWithoutSelinuxfs(root string) (inventory.SELinuxState, string) {
	selinuxfs := filepath.Join(root, selinuxfsDir)
	if entries, err := os.ReadDir(selinuxfs); err == nil && len(entries) > 0 {
		return inventory.SELinuxUnknown, fmt.Sprintf("%s exists but has no enforce file", selinuxfs)
	}
	if _, err := os.Stat(filepath.Join(root, sysfsProbe)); err != nil {
		return inventory.SELinuxUnknown, fmt.Sprintf(
			"sysfs is not visible under %s (no %s): mount the host's /sys there", root, sysfsProbe)
	}
	return inventory.SELinuxDisabled, fmt.Sprintf("selinuxfs is not mounted (%s is missing)", selinuxfs)
}

// ParseConfig reads SELINUX= and SELINUXTYPE= from an /etc/selinux/config
// file. Comments and unknown keys are skipped; values keep their case.
func ParseConfig(r io.Reader) (mode, policyType string, err error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		value = strings.Trim(strings.TrimSpace(value), `"'`)
		switch strings.TrimSpace(key) {
		case "SELINUX":
			mode = value
		case "SELINUXTYPE":
			policyType = value
		}
	}
	if err := sc.Err(); err != nil {
		return "", "", fmt.Errorf("reading SELinux config: %w", err)
	}
	return mode, policyType, nil
}

// readTrimmed reads a small selinuxfs or config value. selinuxfs files may
// end in a newline or a NUL byte depending on the kernel version.
func readTrimmed(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(data), "\n\x00 "), nil
}
