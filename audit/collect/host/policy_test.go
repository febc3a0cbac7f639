package host

import (
	"strings"
	"testing"
)

func TestReadBooleansRealHost(t *testing.T) {
	booleans, problems, err := ReadBooleans("../../../fixtures/hostroot/debian12-enforcing")
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 0 {
		t.Errorf("problems = %v, want none", problems)
	}
	if len(booleans) != 17 {
		t.Errorf("read %d booleans, want the 17 container_* and virt_* files", len(booleans))
	}
	for i := 1; i < len(booleans); i++ {
		if booleans[i-1].Name >= booleans[i].Name {
			t.Errorf("booleans not sorted: %s before %s", booleans[i-1].Name, booleans[i].Name)
		}
	}
	for _, b := range booleans {
		if b.Name == "virt_use_nfs" && (b.Current || b.Pending) {
			t.Errorf("virt_use_nfs = %+v, want off as recorded", b)
		}
	}
}

func TestReadBooleansFiltersAndReportsBadFiles(t *testing.T) {
	root := writeTree(t, map[string]string{
		"sys/fs/selinux/booleans/container_use_devices": "1 1",
		"sys/fs/selinux/booleans/httpd_can_network":     "1 1",
		"sys/fs/selinux/booleans/virt_use_nfs":          "garbage",
	})
	booleans, problems, err := ReadBooleans(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(booleans) != 1 || booleans[0].Name != "container_use_devices" || !booleans[0].Current {
		t.Errorf("booleans = %+v, want only container_use_devices on", booleans)
	}
	if len(problems) != 1 || !strings.Contains(problems[0].Error(), "virt_use_nfs") {
		t.Errorf("problems = %v, want one naming virt_use_nfs", problems)
	}
}

func TestReadBooleansMissingDirectory(t *testing.T) {
	if _, _, err := ReadBooleans(t.TempDir()); err == nil {
		t.Error("ReadBooleans on a root without selinuxfs returned no error")
	}
}

func TestParseBoolean(t *testing.T) {
	tests := []struct {
		content          string
		current, pending bool
		wantErr          bool
	}{
		{"0 0", false, false, false},
		{"1 1\n", true, true, false},
		{"1 0", true, false, false},
		{"1", false, false, true},
		{"2 0", false, false, true},
		{"", false, false, true},
	}
	for _, tt := range tests {
		b, err := ParseBoolean("virt_use_nfs", tt.content)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseBoolean(%q) error = %v, want error %v", tt.content, err, tt.wantErr)
			continue
		}
		if err == nil && (b.Current != tt.current || b.Pending != tt.pending) {
			t.Errorf("ParseBoolean(%q) = %+v, want current %v pending %v", tt.content, b, tt.current, tt.pending)
		}
	}
}

func TestReadPodmanConfigOrder(t *testing.T) {
	root := writeTree(t, map[string]string{
		"usr/share/containers/containers.conf":          "[containers]\nlabel = true\n",
		"etc/containers/containers.conf":                "[engine]\ncgroup_manager = \"cgroupfs\"\n",
		"etc/containers/containers.conf.d/99-off.conf":  "[containers]\nlabel = false\n",
		"etc/containers/containers.conf.d/10-junk.conf": "[containers\n",
	})
	configs, problems := ReadPodmanConfig(root)

	want := []struct{ path, label string }{
		{"/usr/share/containers/containers.conf", "true"},
		{"/etc/containers/containers.conf", ""},
		{"/etc/containers/containers.conf.d/99-off.conf", "false"},
	}
	if len(configs) != len(want) {
		t.Fatalf("configs = %+v, want %d entries", configs, len(want))
	}
	for i, w := range want {
		if configs[i].Path != w.path || configs[i].Label != w.label {
			t.Errorf("config %d = %s label %q, want %s label %q", i, configs[i].Path, configs[i].Label, w.path, w.label)
		}
	}
	if len(problems) != 1 || !strings.Contains(problems[0].Error(), "10-junk.conf") {
		t.Errorf("problems = %v, want one naming 10-junk.conf", problems)
	}
}

func TestReadBooleansNoneRelevant(t *testing.T) {
	root := writeTree(t, map[string]string{"sys/fs/selinux/booleans/httpd_can_network": "1 1"})
	booleans, _, err := ReadBooleans(root)
	if err != nil {
		t.Fatal(err)
	}
	if booleans == nil || len(booleans) != 0 {
		t.Errorf("booleans = %#v, want an empty, non-nil list", booleans)
	}
}
