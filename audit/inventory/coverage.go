package inventory

// Source names one kind of evidence.
type Source string

// Evidence sources recorded in coverage.
const (
	SourceHostSELinux  Source = "host-selinux"
	SourcePodman       Source = "podman"
	SourceProcfs       Source = "procfs"
	SourceFileLabels   Source = "file-labels"
	SourceBooleans     Source = "selinux-booleans"
	SourceEngineConfig Source = "engine-config"
)

// Status is how much of a source was read.
type Status string

// Source statuses.
const (
	StatusComplete    Status = "complete"
	StatusPartial     Status = "partial"
	StatusUnavailable Status = "unavailable"
)

// Coverage records what evidence was read and what was not, and why.
type Coverage struct {
	Sources []SourceStatus `json:"sources"`
	Gaps    []Gap          `json:"gaps"`
}

// SourceStatus is how much of one source a collector read.
type SourceStatus struct {
	Source Source `json:"source"`
	// Target is the thing read, such as a socket URL or a host root.
	Target string `json:"target,omitempty"`
	Status Status `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// Gap is one piece of evidence that could not be read.
type Gap struct {
	Source Source `json:"source"`
	// Subject is the container ID, path or file the gap is about.
	Subject string `json:"subject,omitempty"`
	Reason  string `json:"reason"`
}

// AddGap records a piece of evidence that could not be read.
func (s *Snapshot) AddGap(g Gap) {
	s.Coverage.Gaps = append(s.Coverage.Gaps, g)
}

// SetSource records how much of a source was read, replacing an earlier
// status for the same source and target.
func (s *Snapshot) SetSource(st SourceStatus) {
	for i, old := range s.Coverage.Sources {
		if old.Source == st.Source && old.Target == st.Target {
			s.Coverage.Sources[i] = st
			return
		}
	}
	s.Coverage.Sources = append(s.Coverage.Sources, st)
}
