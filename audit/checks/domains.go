package checks

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// Container labels and annotations that tie a container to a CRI pod
// sandbox or an OpenShift namespace. CRI-O and containerd set the
// io.kubernetes.pod.* labels on every container of a pod. The sandbox ID
// is an annotation: io.kubernetes.cri-o.SandboxID in CRI-O and
// io.kubernetes.cri.sandbox-id in containerd.
const (
	labelPodUID       = "io.kubernetes.pod.uid"
	labelPodNamespace = "io.kubernetes.pod.namespace"
	// annotationSCCMCS is the namespace annotation from which OpenShift
	// gives every pod of the namespace the same MCS level.
	annotationSCCMCS = "openshift.io/sa.scc.mcs"
	// annotationSCC names the security context constraint that admitted
	// an OpenShift pod; CRI-O copies pod annotations to its containers.
	annotationSCC = "openshift.io/scc"
)

var sandboxIDKeys = []string{"io.kubernetes.cri-o.SandboxID", "io.kubernetes.cri.sandbox-id", "io.kubernetes.sandbox.id"}

// domain is an isolation domain: containers that share an MCS level by
// design. A container that shares nothing is a domain of its own.
type domain struct {
	members []int
	// reasons name why the members share a level, such as "pod p1", and
	// describe joins them.
	reasons  []string
	describe string
	// grouped is true for a domain formed by a pod, a join, a sandbox or
	// a namespace, whose members are expected to share one level.
	grouped bool
}

// domainSet is the partition of the snapshot's containers into domains.
type domainSet struct {
	byContainer []int
	domains     []domain
}

// domainOf returns the domain of the container at index i.
func (d *domainSet) domainOf(i int) *domain {
	return &d.domains[d.byContainer[i]]
}

// containerKey names a container within its engine.
type containerKey struct {
	engine, url, name string
}

// isolationDomains groups the containers of the snapshot. Members of one
// Podman pod share the infra container's label. A container started with
// --ipc container:X or --pid container:X takes X's label, transitively.
// The containers of one CRI pod sandbox share one label, and so do all
// pods of one OpenShift namespace. --net container:X shares no label, so
// it forms no domain.
func (e *evaluation) isolationDomains() *domainSet {
	if e.domains != nil {
		return e.domains
	}
	containers := e.snap.Containers
	uf := newUnionFind(len(containers))
	reasons := map[int][]string{}
	note := func(i int, reason string) { reasons[i] = append(reasons[i], reason) }

	// One container listed twice, such as by two URLs of one service, is
	// one domain, never a collision with itself.
	byID := make(map[string]int, len(containers))
	for i, c := range containers {
		if j, ok := byID[c.ID]; ok {
			uf.union(i, j)
			note(i, fmt.Sprintf("the same container listed by %s and %s", engineLabel(containers[j].Engine), engineLabel(c.Engine)))
			continue
		}
		byID[c.ID] = i
	}
	// Most containers join nothing by name, so that table is built only
	// when a join needs it.
	var byName map[containerKey]int
	lookups := func() {
		if byName != nil {
			return
		}
		byName = make(map[containerKey]int, len(containers))
		for i, c := range containers {
			byName[containerKey{c.Engine.Name, c.Engine.URL, c.Name}] = i
		}
	}
	firstByKey := map[string]int{}
	join := func(i int, key, reason string) {
		if j, ok := firstByKey[key]; ok {
			uf.union(i, j)
		} else {
			firstByKey[key] = i
			note(i, reason)
		}
	}

	for i, c := range containers {
		if c.Pod != "" {
			name := c.PodName
			if name == "" {
				name = shortID(c.Pod)
			}
			join(i, "pod\x00"+c.Pod, "pod "+name)
		}
		for _, ns := range []struct{ kind, mode string }{{"IPC", c.IpcMode}, {"PID", c.PidMode}} {
			ref, ok := strings.CutPrefix(ns.mode, "container:")
			if !ok || ref == "" {
				continue
			}
			lookups()
			if j, found := resolveContainer(containers, byID, byName, c.Engine, ref); found && j != i {
				uf.union(i, j)
				note(i, fmt.Sprintf("joins the %s namespace of %s", ns.kind, containerName(containers[j])))
			}
		}
		if len(c.Labels) == 0 && len(c.Annotations) == 0 {
			continue
		}
		if uid := metadata(c, labelPodUID); uid != "" {
			join(i, "k8s-pod\x00"+uid, "Kubernetes pod "+podDisplayName(c, uid))
		}
		for _, key := range sandboxIDKeys {
			if id := metadata(c, key); id != "" {
				join(i, "sandbox\x00"+id, "CRI pod sandbox "+shortID(id))
				if j, ok := byID[id]; ok {
					uf.union(i, j)
				}
			}
		}
		if ns := metadata(c, labelPodNamespace); ns != "" && (metadata(c, annotationSCCMCS) != "" || metadata(c, annotationSCC) != "") {
			join(i, "openshift-ns\x00"+ns, "OpenShift namespace "+ns)
		}
	}

	// Number the domains in the order of their first member, then lay
	// the members out in one slice, each domain's in snapshot order.
	set := &domainSet{byContainer: make([]int, len(containers))}
	domainOfRoot := make([]int, len(containers))
	for i := range domainOfRoot {
		domainOfRoot[i] = -1
	}
	var sizes []int
	for i := range containers {
		root := uf.find(i)
		if domainOfRoot[root] < 0 {
			domainOfRoot[root] = len(sizes)
			sizes = append(sizes, 0)
		}
		set.byContainer[i] = domainOfRoot[root]
		sizes[domainOfRoot[root]]++
	}
	flat := make([]int, len(containers))
	set.domains = make([]domain, len(sizes))
	offset := 0
	for d, n := range sizes {
		set.domains[d].members = flat[offset : offset : offset+n]
		offset += n
	}
	for i := range containers {
		d := &set.domains[set.byContainer[i]]
		d.members = append(d.members, i)
	}
	for i, rs := range reasons {
		d := &set.domains[set.byContainer[i]]
		for _, r := range rs {
			if !slices.Contains(d.reasons, r) {
				d.reasons = append(d.reasons, r)
			}
		}
	}
	for i := range set.domains {
		d := &set.domains[i]
		sort.Strings(d.reasons)
		d.describe = strings.Join(d.reasons, "; ")
		d.grouped = len(d.reasons) > 0
	}
	e.domains = set
	return set
}

// resolveContainer finds the container that a "container:<ref>" namespace
// mode names: by full ID (as Podman and Docker report it), then by name,
// then by a unique ID prefix of at least 12 characters, among the
// containers of the same engine.
func resolveContainer(containers []inventory.Container, byID map[string]int, byName map[containerKey]int, engine inventory.EngineRef, ref string) (int, bool) {
	if j, ok := byID[ref]; ok {
		return j, true
	}
	if j, ok := byName[containerKey{engine.Name, engine.URL, ref}]; ok {
		return j, true
	}
	if len(ref) < 12 {
		return 0, false
	}
	match := -1
	for j, c := range containers {
		if c.Engine.Name != engine.Name || c.Engine.URL != engine.URL {
			continue
		}
		if strings.HasPrefix(c.ID, ref) {
			if match >= 0 {
				return 0, false // ambiguous prefix
			}
			match = j
		}
	}
	return match, match >= 0
}

func engineLabel(e inventory.EngineRef) string {
	if e.URL != "" {
		return e.Name + " at " + e.URL
	}
	return e.Name
}

// metadata returns a container label, or the annotation of that name.
func metadata(c inventory.Container, key string) string {
	if v := c.Labels[key]; v != "" {
		return v
	}
	return c.Annotations[key]
}

func podDisplayName(c inventory.Container, uid string) string {
	if name := metadata(c, "io.kubernetes.pod.name"); name != "" {
		if ns := metadata(c, labelPodNamespace); ns != "" {
			return ns + "/" + name
		}
		return name
	}
	return uid
}

// unionFind is a disjoint-set forest with path halving and union by size.
type unionFind struct {
	parent, size []int
}

func newUnionFind(n int) *unionFind {
	uf := &unionFind{parent: make([]int, n), size: make([]int, n)}
	for i := range uf.parent {
		uf.parent[i], uf.size[i] = i, 1
	}
	return uf
}

func (uf *unionFind) find(i int) int {
	for uf.parent[i] != i {
		uf.parent[i] = uf.parent[uf.parent[i]]
		i = uf.parent[i]
	}
	return i
}

func (uf *unionFind) union(a, b int) {
	ra, rb := uf.find(a), uf.find(b)
	if ra == rb {
		return
	}
	if uf.size[ra] < uf.size[rb] {
		ra, rb = rb, ra
	}
	uf.parent[rb] = ra
	uf.size[ra] += uf.size[rb]
}
