package host

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

const booleansDir = "sys/fs/selinux/booleans"

// containerBoolean reports whether a policy boolean bears on what
// containers may reach. container-selinux names its booleans container_*
// and the older shared ones virt_* (virt_use_nfs, virt_sandbox_use_all_caps).
func containerBoolean(name string) bool {
	return strings.HasPrefix(name, "container_") || strings.HasPrefix(name, "virt_")
}

// ReadBooleans reads the container-related booleans under the host root,
// sorted by name. It returns an error when the booleans directory cannot be
// listed; a single unreadable boolean is skipped and named in the error
// list returned alongside.
func ReadBooleans(root string) ([]inventory.Boolean, []error, error) {
	dir := filepath.Join(root, booleansDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	// A readable directory gives a non-nil list, even an empty one: nil
	// means the booleans were not read at all.
	booleans := []inventory.Boolean{}
	var problems []error
	for _, e := range entries {
		if !containerBoolean(e.Name()) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(path)
		if err != nil {
			problems = append(problems, fmt.Errorf("reading %s: %w", path, err))
			continue
		}
		b, err := ParseBoolean(e.Name(), string(data))
		if err != nil {
			problems = append(problems, err)
			continue
		}
		booleans = append(booleans, b)
	}
	sort.Slice(booleans, func(i, j int) bool { return booleans[i].Name < booleans[j].Name })
	return booleans, problems, nil
}

// ParseBoolean reads one selinuxfs boolean file, which holds the current
// and the pending value as "1 0".
func ParseBoolean(name, content string) (inventory.Boolean, error) {
	fields := strings.Fields(strings.TrimRight(content, "\x00"))
	if len(fields) != 2 || !isBit(fields[0]) || !isBit(fields[1]) {
		return inventory.Boolean{}, fmt.Errorf("invalid boolean file %s: %q, want two values of 0 or 1", name, content)
	}
	return inventory.Boolean{Name: name, Current: fields[0] == "1", Pending: fields[1] == "1"}, nil
}

func isBit(s string) bool { return s == "0" || s == "1" }

// containersConfPaths are the files Podman reads its labeling setting
// from, in the order it reads them: later files override earlier ones.
var containersConfPaths = []string{
	"usr/share/containers/containers.conf",
	"etc/containers/containers.conf",
}

// containersConfDropIns is the directory of *.conf files read after
// etc/containers/containers.conf, in lexical order.
const containersConfDropIns = "etc/containers/containers.conf.d"

// ReadPodmanConfig returns the label= settings of the root Podman's
// containers.conf files under the host root, one entry per file that
// exists, in the order Podman applies them. Unreadable or invalid files
// are returned as errors alongside.
func ReadPodmanConfig(root string) ([]inventory.EngineConfig, []error) {
	paths := append([]string(nil), containersConfPaths...)
	dropIns, err := filepath.Glob(filepath.Join(root, containersConfDropIns, "*.conf"))
	if err == nil {
		sort.Strings(dropIns)
		for _, p := range dropIns {
			rel, _ := filepath.Rel(root, p)
			paths = append(paths, rel)
		}
	}

	var (
		configs  []inventory.EngineConfig
		problems []error
	)
	for _, rel := range paths {
		f, err := os.Open(filepath.Join(root, rel))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			problems = append(problems, err)
			continue
		}
		label, perr := ParseContainersConfLabel(f)
		f.Close()
		if perr != nil {
			problems = append(problems, fmt.Errorf("parsing /%s: %w", rel, perr))
			continue
		}
		configs = append(configs, inventory.EngineConfig{Engine: "podman", Path: "/" + rel, Label: label})
	}
	return configs, problems
}

// ParseContainersConfLabel returns the [containers] label setting of a
// containers.conf file: "true", "false", or "" when the file leaves it
// unset.
func ParseContainersConfLabel(r io.Reader) (string, error) {
	var conf struct {
		Containers struct {
			Label *bool `toml:"label"`
		} `toml:"containers"`
	}
	if _, err := toml.NewDecoder(r).Decode(&conf); err != nil {
		return "", err
	}
	if conf.Containers.Label == nil {
		return "", nil
	}
	if *conf.Containers.Label {
		return "true", nil
	}
	return "false", nil
}
