package seclabel

import (
	"slices"
	"testing"
)

func TestClassifyProcessDefaults(t *testing.T) {
	classifier := DefaultClassifier()
	cases := map[string]DomainClass{
		"container_t":                    DomainConfined,
		"container_init_t":               DomainConfined,
		"container_kvm_t":                DomainConfined,
		"container_engine_t":             DomainConfined,
		"container_userns_t":             DomainConfined,
		"container_logreader_t":          DomainConfined,
		"container_device_plugin_init_t": DomainConfined,
		"svirt_lxc_net_t":                DomainConfined,
		"svirt_t":                        DomainConfined,
		"my_container.process":           DomainConfined,
		"spc_t":                          DomainUnconfined,
		"unconfined_t":                   DomainUnconfined,
		"container_runtime_t":            DomainUnconfined,
		"docker_t":                       DomainUnconfined,
		"kubelet_t":                      DomainUnconfined,
		"kernel_t":                       DomainUnconfined,
		"init_t":                         DomainUnconfined,
		"initrc_t":                       DomainUnconfined,
		"unconfined_service_t":           DomainUnconfined,
		"httpd_t":                        DomainUnknown,
		"container_file_t":               DomainUnknown,
		"container_user_t":               DomainUnknown,
		".process":                       DomainUnknown,
		"process":                        DomainUnknown,
		"":                               DomainUnknown,
	}
	for typ, want := range cases {
		if got := classifier.ClassifyProcess(typ); got != want {
			t.Errorf("ClassifyProcess(%q) = %v, want %v", typ, got, want)
		}
	}
}

func TestClassifierCallerLists(t *testing.T) {
	classifier := DefaultClassifier()
	classifier.ConfinedTypes = append(classifier.ConfinedTypes, "my_sandbox_t")
	classifier.UnconfinedTypes = append(classifier.UnconfinedTypes, "trusted.process", "*_admin_t")

	if got := classifier.ClassifyProcess("my_sandbox_t"); got != DomainConfined {
		t.Errorf("added confined type = %v, want confined", got)
	}
	// An exact entry wins over the "*.process" pattern.
	if got := classifier.ClassifyProcess("trusted.process"); got != DomainUnconfined {
		t.Errorf("exact unconfined entry = %v, want unconfined", got)
	}
	if got := classifier.ClassifyProcess("other.process"); got != DomainConfined {
		t.Errorf("pattern entry = %v, want confined", got)
	}
	if got := classifier.ClassifyProcess("db_admin_t"); got != DomainUnconfined {
		t.Errorf("added pattern = %v, want unconfined", got)
	}

	// The same kind of entry in both lists contradicts itself.
	classifier.UnconfinedTypes = append(classifier.UnconfinedTypes, "container_t")
	if got := classifier.ClassifyProcess("container_t"); got != DomainUnknown {
		t.Errorf("type in both lists = %v, want unknown", got)
	}

	// Changes do not leak into the defaults.
	if got := DefaultClassifier().ClassifyProcess("container_t"); got != DomainConfined {
		t.Errorf("DefaultClassifier after a change = %v, want confined", got)
	}
	if slices.Contains(DefaultClassifier().ConfinedTypes, "my_sandbox_t") {
		t.Error("appending to one Classifier changed the default list")
	}
}

func TestClassifierReplacedLists(t *testing.T) {
	classifier := &Classifier{ConfinedTypes: []string{"only_t"}}
	if got := classifier.ClassifyProcess("only_t"); got != DomainConfined {
		t.Errorf("ClassifyProcess(only_t) = %v, want confined", got)
	}
	if got := classifier.ClassifyProcess("container_t"); got != DomainUnknown {
		t.Errorf("ClassifyProcess(container_t) with replaced lists = %v, want unknown", got)
	}

	var zero Classifier
	if got := zero.ClassifyProcess("container_t"); got != DomainUnknown {
		t.Errorf("zero Classifier = %v, want unknown", got)
	}
}

func TestIsContainerFileType(t *testing.T) {
	classifier := DefaultClassifier()
	cases := map[string]bool{
		"container_file_t":     true,
		"svirt_sandbox_file_t": true,
		"container_ro_file_t":  true,
		"container_var_lib_t":  true,
		"container_home_t":     true,
		"etc_t":                false,
		"user_home_t":          false,
		"container_t":          false,
		"":                     false,
	}
	for typ, want := range cases {
		if got := classifier.IsContainerFileType(typ); got != want {
			t.Errorf("IsContainerFileType(%q) = %v, want %v", typ, got, want)
		}
	}

	classifier.ContainerFileTypes = append(classifier.ContainerFileTypes, "*.socket")
	if !classifier.IsContainerFileType("my_container.socket") {
		t.Error("IsContainerFileType ignores a caller pattern")
	}
}

// The default lists must not overlap, or ClassifyProcess would return
// unknown for a type the package documents as classified.
func TestDefaultListsDisjoint(t *testing.T) {
	classifier := DefaultClassifier()
	for _, typ := range classifier.ConfinedTypes {
		if slices.Contains(classifier.UnconfinedTypes, typ) {
			t.Errorf("%q is in both default process lists", typ)
		}
		if slices.Contains(classifier.ContainerFileTypes, typ) {
			t.Errorf("process type %q is in the file type list", typ)
		}
	}
	for _, typ := range classifier.UnconfinedTypes {
		if slices.Contains(classifier.ContainerFileTypes, typ) {
			t.Errorf("process type %q is in the file type list", typ)
		}
	}
}

func TestDomainClassString(t *testing.T) {
	cases := map[DomainClass]string{
		DomainUnknown:    "unknown",
		DomainConfined:   "confined",
		DomainUnconfined: "unconfined",
		DomainClass(9):   "unknown",
	}
	for class, want := range cases {
		if got := class.String(); got != want {
			t.Errorf("DomainClass(%d).String() = %q, want %q", int(class), got, want)
		}
	}
}
