package inventory

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestSnapshotRoundTrip(t *testing.T) {
	snap := New("host-1", time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC))
	snap.Host.SELinux = SELinux{State: SELinuxEnforcing, PolicyType: "targeted"}
	snap.Containers = append(snap.Containers, Container{
		ID: "abc", Name: "web", DiscoveredBy: DiscoveredByAPI,
		ProcessLabel: Label{State: Labeled, Value: "system_u:system_r:container_t:s0:c1,c2"},
		MountLabel:   Label{State: Unknown, Reason: "inspect failed"},
	})
	snap.AddGap(Gap{Source: SourcePodman, Reason: "one container vanished"})

	var buf bytes.Buffer
	if err := snap.Write(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got.Host.SELinux.State != SELinuxEnforcing {
		t.Errorf("SELinux state = %q, want enforcing", got.Host.SELinux.State)
	}
	if len(got.Containers) != 1 || got.Containers[0].ProcessLabel.Value != "system_u:system_r:container_t:s0:c1,c2" {
		t.Errorf("containers = %+v, want the one written", got.Containers)
	}
	if got.Containers[0].MountLabel.State != Unknown {
		t.Errorf("mount label state = %q, want unknown kept as unknown", got.Containers[0].MountLabel.State)
	}
	if len(got.Coverage.Gaps) != 1 {
		t.Errorf("gaps = %+v, want the one written", got.Coverage.Gaps)
	}
}

func TestReadRejectsBadSnapshots(t *testing.T) {
	tests := map[string]string{
		"other schema version": `{"schemaVersion": "99"}`,
		"no schema version":    `{"host": {}}`,
		"not JSON":             `garbage`,
		"numeric version":      `{"schemaVersion": 1}`,
		"a report":             `{"schemaVersion": "1", "tool": {"name": "mcsaudit"}, "findings": []}`,
	}
	for name, input := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := Read(strings.NewReader(input)); err == nil {
				t.Error("Read accepted an invalid snapshot")
			}
		})
	}
}

// "Read, none present" and "not read" are different facts and must both
// survive a snapshot round trip.
func TestSnapshotKeepsEmptyBooleans(t *testing.T) {
	for name, booleans := range map[string][]Boolean{"empty": {}, "not read": nil} {
		snap := New("h", time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC))
		snap.Host.SELinux.Booleans = booleans
		var buf bytes.Buffer
		if err := snap.Write(&buf); err != nil {
			t.Fatal(err)
		}
		got, err := Read(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if (got.Host.SELinux.Booleans == nil) != (booleans == nil) {
			t.Errorf("%s: booleans read back as %#v", name, got.Host.SELinux.Booleans)
		}
	}
}
