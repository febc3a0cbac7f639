package host

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// writeTree creates files under a temporary root; a name ending in "/"
// creates a directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		path := filepath.Join(root, name)
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(path, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestReadSELinuxRealEnforcingHost(t *testing.T) {
	st := ReadSELinux("../../../fixtures/hostroot/debian12-enforcing")

	if st.State != inventory.SELinuxEnforcing {
		t.Errorf("State = %q (%s), want enforcing", st.State, st.StateReason)
	}
	if st.ConfigMode != "enforcing" {
		t.Errorf("ConfigMode = %q, want enforcing", st.ConfigMode)
	}
	if st.PolicyType != "default" {
		t.Errorf("PolicyType = %q, want default", st.PolicyType)
	}
	if st.PolicyVersion != "33" {
		t.Errorf("PolicyVersion = %q, want 33", st.PolicyVersion)
	}
	// The real host runs an MCS policy and still reads mls=1.
	if st.MLSEnabled == nil || !*st.MLSEnabled {
		t.Errorf("MLSEnabled = %v, want true", st.MLSEnabled)
	}
}

func TestReadSELinuxStates(t *testing.T) {
	tests := []struct {
		name       string
		files      map[string]string
		want       inventory.SELinuxState
		reasonPart string
	}{
		{
			name:  "permissive",
			files: map[string]string{"sys/kernel/": "", "sys/fs/selinux/enforce": "0"},
			want:  inventory.SELinuxPermissive,
		},
		{
			name:  "enforcing with trailing NUL",
			files: map[string]string{"sys/kernel/": "", "sys/fs/selinux/enforce": "1\x00"},
			want:  inventory.SELinuxEnforcing,
		},
		{
			name:       "no selinuxfs on a visible sysfs",
			files:      map[string]string{"sys/kernel/": "", "etc/selinux/config": "SELINUX=disabled\n"},
			want:       inventory.SELinuxDisabled,
			reasonPart: "not mounted",
		},
		{
			name:       "no sysfs under the host root",
			files:      map[string]string{"etc/selinux/config": "SELINUX=enforcing\n"},
			want:       inventory.SELinuxUnknown,
			reasonPart: "sysfs is not visible",
		},
		{
			name:       "garbage in enforce",
			files:      map[string]string{"sys/kernel/": "", "sys/fs/selinux/enforce": "yes"},
			want:       inventory.SELinuxUnknown,
			reasonPart: `unexpected value "yes"`,
		},
		{
			name:       "enforce unreadable",
			files:      map[string]string{"sys/kernel/": "", "sys/fs/selinux/enforce/": ""},
			want:       inventory.SELinuxUnknown,
			reasonPart: "reading",
		},
		{
			name:       "selinuxfs without enforce",
			files:      map[string]string{"sys/kernel/": "", "sys/fs/selinux/mls": "1"},
			want:       inventory.SELinuxUnknown,
			reasonPart: "no enforce file",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := ReadSELinux(writeTree(t, tt.files))
			if st.State != tt.want {
				t.Errorf("State = %q (%s), want %q", st.State, st.StateReason, tt.want)
			}
			if !strings.Contains(st.StateReason, tt.reasonPart) {
				t.Errorf("StateReason = %q, want it to mention %q", st.StateReason, tt.reasonPart)
			}
		})
	}
}

func TestParseConfig(t *testing.T) {
	input := `# This file controls the state of SELinux on the system.
SELINUX=permissive
  SELINUXTYPE = "mls"
SETLOCALDEFS=0
not a key value line
`
	mode, policy, err := ParseConfig(strings.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	if mode != "permissive" {
		t.Errorf("mode = %q, want permissive", mode)
	}
	if policy != "mls" {
		t.Errorf("policy = %q, want mls", policy)
	}
}
