package kernel

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Class is one object class of the loaded policy, as selinuxfs numbers it.
type Class struct {
	Name  string
	Index uint16
	// Perms maps a permission name to its bit in a Decision's vectors.
	Perms map[string]uint32
}

// Mask returns the bits of the named permissions. A name the class lacks
// is an error, so a typo never silently asks for nothing.
func (c Class) Mask(perms ...string) (uint32, error) {
	var mask uint32
	for _, p := range perms {
		bit, ok := c.Perms[p]
		if !ok {
			return 0, fmt.Errorf("class %s has no permission %q", c.Name, p)
		}
		mask |= bit
	}
	return mask, nil
}

// Names lists, sorted, the permissions whose bits are set in vector.
func (c Class) Names(vector uint32) []string {
	var names []string
	for name, bit := range c.Perms {
		if vector&bit != 0 {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// LoadClasses reads the index and permission numbers of the named classes
// from sys/fs/selinux/class under root. Policies number classes and
// permissions differently, so they are read from the running kernel, never
// assumed.
func LoadClasses(root string, names ...string) (map[string]Class, error) {
	classes := make(map[string]Class, len(names))
	for _, name := range names {
		c, err := loadClass(filepath.Join(root, "sys/fs/selinux/class", name), name)
		if err != nil {
			return nil, err
		}
		classes[name] = c
	}
	return classes, nil
}

func loadClass(dir, name string) (Class, error) {
	index, err := readNumber(filepath.Join(dir, "index"), 16)
	if err != nil {
		return Class{}, fmt.Errorf("reading class %s: %w", name, err)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "perms"))
	if err != nil {
		return Class{}, fmt.Errorf("reading permissions of class %s: %w", name, err)
	}
	c := Class{Name: name, Index: uint16(index), Perms: make(map[string]uint32, len(entries))}
	for _, e := range entries {
		n, err := readNumber(filepath.Join(dir, "perms", e.Name()), 32)
		if err != nil {
			return Class{}, fmt.Errorf("reading permission %s of class %s: %w", e.Name(), name, err)
		}
		// selinuxfs numbers permissions from 1; the vector bit is 1<<(n-1).
		if n < 1 || n > 32 {
			return Class{}, fmt.Errorf("permission %s of class %s has number %d, want 1 to 32", e.Name(), name, n)
		}
		c.Perms[e.Name()] = 1 << (n - 1)
	}
	return c, nil
}

// readNumber reads a decimal number from a selinuxfs file.
func readNumber(path string, bits int) (uint64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	text := strings.TrimSpace(strings.TrimRight(string(data), "\x00"))
	n, err := strconv.ParseUint(text, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("invalid number %q in %s: %w", text, path, err)
	}
	return n, nil
}
