package verdict

import (
	"strings"
	"testing"
)

const probesHeader = "scenario\tprobe\tsubject\trelation\towner\tpath\top\tclass\tscontext\ttcontext\tkernel\tobserved\tdetail\n"

func TestReadProbesEmptyFields(t *testing.T) {
	in := probesHeader +
		"bind-var-z\tm-z:/m/var:read\tm-z\thost\t\t/srv/e2e/bind/var-z\tread\tfile\ts:r:container_t:s0:c1,c2\to:r:container_file_t:s0\tallowed\tallowed\t\n"
	probes, err := ReadProbes(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(probes) != 1 {
		t.Fatalf("got %d probes, want 1", len(probes))
	}
	p := probes[0]
	if p.Owner != "" || p.Path != "/srv/e2e/bind/var-z" || p.Observed != "allowed" || p.Detail != "" {
		t.Errorf("probe = %+v", p)
	}
}

func TestReadProbesRejectsBadInput(t *testing.T) {
	tests := map[string]string{
		"empty":         "",
		"wrong header":  "scenario\tprobe\n",
		"short line":    probesHeader + "a\tb\tc\n",
		"extra columns": probesHeader + strings.Repeat("x\t", 13) + "x\n",
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := ReadProbes(strings.NewReader(in)); err == nil {
				t.Error("ReadProbes returned no error")
			}
		})
	}
}

func TestReadCatalogFromTable(t *testing.T) {
	table := `┌──────────┬──────────┐
│    ID    │ SEVERITY │
├──────────┼──────────┤
│ HOST-001 │ critical │
│ MCS-002  │ high     │
│ MOUNT-006│ low      │
└──────────┴──────────┘`
	ids, err := ReadCatalog(strings.NewReader(table))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"HOST-001", "MCS-002", "MOUNT-006"} {
		if !ids[id] {
			t.Errorf("%s missing from %v", id, ids)
		}
	}
	if len(ids) != 3 {
		t.Errorf("got %d IDs, want 3: %v", len(ids), ids)
	}
}

func TestReadCatalogRejectsNoIDs(t *testing.T) {
	if _, err := ReadCatalog(strings.NewReader("Error: unknown command \"checks\"\n")); err == nil {
		t.Error("ReadCatalog returned no error for output without check IDs")
	}
}

func TestReadReportRejectsInvalidJSON(t *testing.T) {
	if _, err := ReadReport(strings.NewReader("{")); err == nil {
		t.Error("ReadReport returned no error for truncated JSON")
	}
}
