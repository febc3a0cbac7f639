// Package apireplay serves a recorded Podman REST API on a unix socket, so
// that tests can run the official Podman bindings against real server
// responses without a Podman service.
//
// A recording is a directory laid out like fixtures/podman-api/<host>/:
// containers-json.json, containers/<id>.json, info.json and version.json.
// The server can also inject faults that a real server cannot be made to
// produce on demand (delays, invalid JSON, 500s, a container that vanishes
// between list and inspect, a ping that never returns):
//
//	api, err := apireplay.Load("../../../fixtures/podman-api/debian12-selinux")
//	if err != nil {
//		t.Fatal(err)
//	}
//	srv := apireplay.Start(t, api)
//	srv.Vanish(api.Listed()[0].ID)
//	err = podman.Collect(ctx, podman.Options{URL: srv.URL()}, snap)
package apireplay

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// ListedContainer is one entry of the container list that the server
// returns.
type ListedContainer struct {
	ID   string
	Name string
	// Pod is the pod ID, empty when the container is in no pod.
	Pod string
}

// API is the set of documents a replay server returns. Its contents do not
// change after Load or Synthetic returns, so one API can back many servers.
type API struct {
	// libpodVersion is the Libpod-API-Version header of every response.
	libpodVersion string
	// dockerVersion is the API-Version header (the Docker-compatible API).
	dockerVersion string

	list    []byte
	listed  []ListedContainer
	inspect map[string][]byte // inspect document by full container ID
	names   map[string]string // container ID by name
	ids     []string          // sorted keys of inspect, for prefix lookup
	info    []byte
	version []byte
}

// Load reads a recorded API from dir. Inspect documents are read for every
// file in dir/containers, so containers that the list omits (stopped ones)
// can still be inspected by ID or name, as on a real server.
func Load(dir string) (*API, error) {
	api := &API{inspect: map[string][]byte{}, names: map[string]string{}}
	var err error
	if api.list, err = os.ReadFile(filepath.Join(dir, "containers-json.json")); err != nil {
		return nil, err
	}
	if api.info, err = os.ReadFile(filepath.Join(dir, "info.json")); err != nil {
		return nil, err
	}
	if api.version, err = os.ReadFile(filepath.Join(dir, "version.json")); err != nil {
		return nil, err
	}
	if err := api.readVersions(); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "version.json"), err)
	}
	if api.listed, err = decodeListed(api.list); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "containers-json.json"), err)
	}

	files, err := filepath.Glob(filepath.Join(dir, "containers", "*.json"))
	if err != nil {
		return nil, err
	}
	for _, file := range files {
		doc, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		if err := api.addInspect(doc); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
	}
	for _, lc := range api.listed {
		if _, ok := api.inspect[lc.ID]; !ok {
			return nil, fmt.Errorf("%s: listed container %s (%s) has no inspect document in %s",
				dir, lc.Name, lc.ID, filepath.Join(dir, "containers"))
		}
	}
	api.sortIDs()
	return api, nil
}

// Listed returns the containers of the list response, in its order.
func (a *API) Listed() []ListedContainer {
	return append([]ListedContainer(nil), a.listed...)
}

// LibpodVersion returns the Libpod API version that the server reports.
func (a *API) LibpodVersion() string { return a.libpodVersion }

// Resolve finds the container that an inspect request for nameOrID names,
// in the order Podman looks it up: exact ID, exact name, then a unique ID
// prefix. When none matches, or a prefix matches several, the error has
// the message that Podman sends.
func (a *API) Resolve(nameOrID string) (string, error) {
	if _, ok := a.inspect[nameOrID]; ok {
		return nameOrID, nil
	}
	if id, ok := a.names[nameOrID]; ok {
		return id, nil
	}
	if nameOrID != "" {
		i := sort.SearchStrings(a.ids, nameOrID)
		var matches []string
		for ; i < len(a.ids) && strings.HasPrefix(a.ids[i], nameOrID); i++ {
			matches = append(matches, a.ids[i])
		}
		switch len(matches) {
		case 1:
			return matches[0], nil
		case 0:
		default:
			return "", fmt.Errorf("more than one result for container %q: %w", nameOrID, errAmbiguous)
		}
	}
	return "", fmt.Errorf("no container with name or ID %q found: %w", nameOrID, errNoSuchContainer)
}

// The causes Podman puts in its error bodies (libpod/define/errors.go).
var (
	errNoSuchContainer = errors.New("no such container")
	errAmbiguous       = errors.New("container already exists")
)

// readVersions reads the API versions from the recorded version document.
func (a *API) readVersions() error {
	var doc struct {
		APIVersion string `json:"ApiVersion"`
		Components []struct {
			Name    string
			Details map[string]string
		}
	}
	if err := json.Unmarshal(a.version, &doc); err != nil {
		return err
	}
	for _, c := range doc.Components {
		if c.Name == "Podman Engine" {
			a.libpodVersion = c.Details["APIVersion"]
		}
	}
	if a.libpodVersion == "" {
		return errors.New(`no "Podman Engine" component with an APIVersion`)
	}
	a.dockerVersion = doc.APIVersion
	return nil
}

func decodeListed(list []byte) ([]ListedContainer, error) {
	var entries []struct {
		ID    string `json:"Id"`
		Names []string
		Pod   string
	}
	if err := json.Unmarshal(list, &entries); err != nil {
		return nil, err
	}
	listed := make([]ListedContainer, 0, len(entries))
	for _, e := range entries {
		lc := ListedContainer{ID: e.ID, Pod: e.Pod}
		if len(e.Names) > 0 {
			lc.Name = e.Names[0]
		}
		listed = append(listed, lc)
	}
	return listed, nil
}

// addInspect indexes one inspect document by its ID and name.
func (a *API) addInspect(doc []byte) error {
	var head struct {
		ID   string `json:"Id"`
		Name string
	}
	if err := json.Unmarshal(doc, &head); err != nil {
		return err
	}
	if head.ID == "" {
		return errors.New("inspect document has no Id")
	}
	a.inspect[head.ID] = doc
	a.names[strings.TrimPrefix(head.Name, "/")] = head.ID
	return nil
}

func (a *API) sortIDs() {
	a.ids = a.ids[:0]
	for id := range a.inspect {
		a.ids = append(a.ids, id)
	}
	sort.Strings(a.ids)
}

// Synthetic builds an API of n running containers by cloning the listed
// containers of recorded in turn. Each pass over the recorded list is one
// generation g. Clone i gets an ID derived from i, the name
// "<recorded name>-<g>" and the labels "app" and "io.mcsaudit.replica".
// Each generation gets its own copy of every recorded pod, with new pod
// IDs and names, and namespace references point at the generation's
// infra container. IDs depend only on i, so every call with the same
// recording returns the same API. Each clone keeps a full inspect
// document in memory, about 6 KB for the debian12-selinux recording.
//
// NOTE: when n is not a multiple of the recorded list length, the last
// generation can contain a pod member without its infra container, and
// that member's namespace references then name a container that is not
// served.
func Synthetic(recorded *API, n int) (*API, error) {
	if n < 0 {
		return nil, fmt.Errorf("synthetic container count %d is negative", n)
	}
	if len(recorded.listed) == 0 {
		return nil, errors.New("the recording lists no containers to clone")
	}
	var listEntries []json.RawMessage
	if err := json.Unmarshal(recorded.list, &listEntries); err != nil {
		return nil, err
	}

	api := &API{
		libpodVersion: recorded.libpodVersion,
		dockerVersion: recorded.dockerVersion,
		version:       recorded.version,
		inspect:       make(map[string][]byte, n),
		names:         make(map[string]string, n),
		listed:        make([]ListedContainer, 0, n),
	}
	var err error
	if api.info, err = withContainerCount(recorded.info, n); err != nil {
		return nil, fmt.Errorf("info document: %w", err)
	}

	levels := newLevelMapper(recorded.inspect)
	outList := make([]map[string]any, 0, n)
	var ids *strings.Replacer
	for i := range n {
		k := i % len(recorded.listed)
		generation := i / len(recorded.listed)
		if k == 0 {
			ids = generationReplacer(recorded, generation)
		}
		base := recorded.listed[k]
		c := clone{
			index:      i,
			generation: generation,
			id:         ids.Replace(base.ID),
			pod:        ids.Replace(base.Pod),
			name:       cloneName(base.Name, ids, generation),
			labels:     map[string]any{"app": fmt.Sprintf("app-%d", generation%7), "io.mcsaudit.replica": strconv.Itoa(i)},
		}

		doc, err := c.inspectDocument(levels.rewrite(ids.Replace(string(recorded.inspect[base.ID])), generation))
		if err != nil {
			return nil, fmt.Errorf("cloning inspect of %s: %w", base.Name, err)
		}
		entry, err := c.listEntry(ids.Replace(string(listEntries[k])))
		if err != nil {
			return nil, fmt.Errorf("cloning list entry of %s: %w", base.Name, err)
		}
		api.inspect[c.id] = doc
		api.names[c.name] = c.id
		api.listed = append(api.listed, ListedContainer{ID: c.id, Name: c.name, Pod: c.pod})
		outList = append(outList, entry)
	}
	if api.list, err = encodeJSON(outList); err != nil {
		return nil, err
	}
	api.sortIDs()
	return api, nil
}

// clone is one synthetic container derived from a recorded one.
type clone struct {
	index, generation int
	id, pod, name     string
	labels            map[string]any
}

func (c clone) inspectDocument(text string) ([]byte, error) {
	doc, err := decodeObject(text)
	if err != nil {
		return nil, err
	}
	doc["Name"] = c.name
	if config, ok := doc["Config"].(map[string]any); ok {
		config["Labels"] = c.labels
	}
	// Every clone gets rootfs directories of its own: the recorded layer
	// directory name is replaced with one derived from the clone's index.
	if driver, ok := doc["GraphDriver"].(map[string]any); ok {
		if data, ok := driver["Data"].(map[string]any); ok {
			layer := syntheticID("layer", c.index)
			for key, v := range data {
				if path, ok := v.(string); ok {
					data[key] = layerDir.ReplaceAllString(path, "/overlay/"+layer+"/")
				}
			}
		}
	}
	// Every clone gets a PID of its own, so a matching procfs tree can
	// hold one process per container.
	if state, ok := doc["State"].(map[string]any); ok {
		if pid, ok := state["Pid"].(json.Number); ok && pid != "0" {
			state["Pid"] = SyntheticPID(c.index)
		}
	}
	return encodeJSON(doc)
}

func (c clone) listEntry(text string) (map[string]any, error) {
	entry, err := decodeObject(text)
	if err != nil {
		return nil, err
	}
	entry["Names"] = []string{c.name}
	entry["Labels"] = c.labels
	if podName, ok := entry["PodName"].(string); ok && podName != "" {
		entry["PodName"] = fmt.Sprintf("%s-%d", podName, c.generation)
	}
	return entry, nil
}

// generationReplacer maps every recorded container and pod ID, and its
// 12-character short form, to the IDs of one generation. Full IDs come
// first so that a replacement never stops at the short form of a full ID.
func generationReplacer(recorded *API, generation int) *strings.Replacer {
	var full, short []string
	seenPods := map[string]bool{}
	for k, lc := range recorded.listed {
		newID := syntheticID("container", generation*len(recorded.listed)+k)
		full = append(full, lc.ID, newID)
		short = append(short, lc.ID[:12], newID[:12])
		if lc.Pod != "" && !seenPods[lc.Pod] {
			seenPods[lc.Pod] = true
			newPod := syntheticID("pod "+lc.Pod, generation)
			full = append(full, lc.Pod, newPod)
			short = append(short, lc.Pod[:12], newPod[:12])
		}
	}
	return strings.NewReplacer(append(full, short...)...)
}

// layerDir matches the container's own layer directory in an overlay path.
var layerDir = regexp.MustCompile(`/overlay/[0-9a-f]{64}/`)

// SyntheticPID is the host PID a synthetic clone's inspect reports for the
// clone with the given index.
func SyntheticPID(index int) int { return 100000 + index }

// syntheticID derives a 64-hex-digit ID, the form Podman uses, from a kind
// and an index.
func syntheticID(kind string, index int) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("apireplay %s %d", kind, index)))
	return hex.EncodeToString(sum[:])
}

// cloneName keeps Podman's "<pod ID prefix>-infra" form for infra
// containers, whose replaced name already differs per generation, and
// appends the generation to every other name.
func cloneName(name string, ids *strings.Replacer, generation int) string {
	replaced := ids.Replace(name)
	if replaced != name {
		return replaced
	}
	return fmt.Sprintf("%s-%d", name, generation)
}

// withContainerCount sets the container counts of an info document to n
// running containers.
func withContainerCount(info []byte, n int) ([]byte, error) {
	doc, err := decodeObject(string(info))
	if err != nil {
		return nil, err
	}
	if store, ok := doc["store"].(map[string]any); ok {
		store["containerStore"] = map[string]any{"number": n, "paused": 0, "running": n, "stopped": 0}
	}
	return encodeJSON(doc)
}

// decodeObject decodes a JSON object and keeps numbers as json.Number, so
// that re-encoding does not round large integers.
func decodeObject(text string) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// encodeJSON encodes v the way Podman's API server does: no HTML escaping,
// with a trailing newline.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Inspect returns the inspect document served for a container ID, or nil.
func (a *API) Inspect(id string) []byte { return a.inspect[id] }
