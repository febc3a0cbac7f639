package kernel

import (
	"errors"
	"fmt"
	"sort"

	"github.com/mcsaudit/mcsaudit/audit/inventory"
)

// Question is one access question: may Source do Perms to Target of Class.
type Question struct {
	Source string
	Target string
	Class  string
	Perms  []string
}

// Key identifies a question's (source, target, class) for lookups.
func (q Question) Key() string { return q.Source + "\x00" + q.Target + "\x00" + q.Class }

// Common permission sets the checks ask about.
var (
	// FilePerms is what reaching a file means: reading, changing, creating
	// and removing it.
	FilePerms = []string{"read", "write", "append", "open", "create", "unlink"}
	// DirPerms is what reaching a directory means.
	DirPerms = []string{"read", "write", "search", "add_name", "remove_name"}
	// ProcessPerms is what reaching a process means.
	ProcessPerms = []string{"signal", "sigkill", "ptrace"}
)

// Asker answers questions through a cached querier and records each answer
// as an inventory.AccessDecision.
type Asker struct {
	cache   *Cache
	classes map[string]Class
}

// NewAsker loads the classes the questions use and wraps the querier in a
// cache.
func NewAsker(root string, q Querier, classNames ...string) (*Asker, error) {
	classes, err := LoadClasses(root, classNames...)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return &Asker{cache: NewCache(q), classes: classes}, nil
}

// Ask answers one question. It returns an error only when the interface
// itself fails (ErrUnavailable); a context the policy rejects is recorded
// in the decision's Error field.
func (a *Asker) Ask(q Question) (inventory.AccessDecision, error) {
	d := inventory.AccessDecision{Source: q.Source, Target: q.Target, Class: q.Class, Allowed: []string{}, Denied: []string{}}
	class, ok := a.classes[q.Class]
	if !ok {
		return d, fmt.Errorf("class %q was not loaded", q.Class)
	}
	answer, err := a.cache.Query(q.Source, q.Target, class.Index)
	switch {
	case errors.Is(err, ErrInvalidContext):
		d.Error = err.Error()
		return d, nil
	case err != nil:
		return d, err
	}

	for _, perm := range q.Perms {
		bit, ok := class.Perms[perm]
		if !ok {
			// The loaded policy lacks the permission, so nothing grants it.
			d.Denied = append(d.Denied, perm)
			continue
		}
		if answer.Allowed&bit != 0 {
			d.Allowed = append(d.Allowed, perm)
		} else {
			d.Denied = append(d.Denied, perm)
		}
	}
	sort.Strings(d.Allowed)
	sort.Strings(d.Denied)
	d.Permissive = answer.Permissive()
	return d, nil
}

// Queries returns how many questions reached the kernel.
func (a *Asker) Queries() int { return a.cache.Queries() }
