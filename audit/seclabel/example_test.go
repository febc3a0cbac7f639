package seclabel_test

import (
	"errors"
	"fmt"

	"github.com/mcsaudit/mcsaudit/audit/seclabel"
)

// Two containers that Podman started with different MCS levels cannot
// reach each other's files, while a privileged container (spc_t) can.
func Example() {
	container, err := seclabel.ParseContext("system_u:system_r:container_t:s0:c74,c276")
	if err != nil {
		fmt.Println(err)
		return
	}
	otherFile, err := seclabel.ParseContext("system_u:object_r:container_file_t:s0:c294,c449")
	if err != nil {
		fmt.Println(err)
		return
	}
	privileged, err := seclabel.ParseContext("system_u:system_r:spc_t:s0")
	if err != nil {
		fmt.Println(err)
		return
	}

	classifier := seclabel.DefaultClassifier()
	fmt.Println(container.Type(), classifier.ClassifyProcess(container.Type()))
	fmt.Println("container_t -> other file:", classifier.CheckMCS(container, otherFile))
	fmt.Println("spc_t -> other file:", classifier.CheckMCS(privileged, otherFile))

	_, err = seclabel.ParseContext("system_u:system_r:container_t:s0:c5.c1")
	fmt.Println(errors.Is(err, seclabel.ErrInvalidLabel), err)
	// Output:
	// container_t confined
	// container_t -> other file: denied
	// spc_t -> other file: allowed
	// true invalid SELinux context "system_u:system_r:container_t:s0:c5.c1" at offset 33: reversed category interval "c5.c1", so write "c1.c5"
}

// ParseRange accepts any spelling that the kernel accepts and String prints
// the kernel's canonical form.
func ExampleParseRange() {
	for _, text := range []string{"s0:c2,c0,c1,c7", "s0:c0.c1", "s0-s0", "s0-s0:c0.c1023"} {
		r, err := seclabel.ParseRange(text)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s -> %s\n", text, r)
	}
	// Output:
	// s0:c2,c0,c1,c7 -> s0:c0.c2,c7
	// s0:c0.c1 -> s0:c0,c1
	// s0-s0 -> s0
	// s0-s0:c0.c1023 -> s0-s0:c0.c1023
}

// A process at the object's level or above reaches it: the MCS rule
// compares the high levels of both ranges.
func ExampleCanReach() {
	object, _ := seclabel.ParseRange("s0:c100,c200")
	for _, text := range []string{"s0:c100,c200", "s0:c100,c200,c300", "s0:c100", "s0-s0:c0.c1023"} {
		process, _ := seclabel.ParseRange(text)
		fmt.Printf("%s: %v\n", text, seclabel.CanReach(process, object))
	}
	// Output:
	// s0:c100,c200: true
	// s0:c100,c200,c300: true
	// s0:c100: false
	// s0-s0:c0.c1023: true
}

// Callers extend the default lists with site-specific types.
func ExampleClassifier() {
	classifier := seclabel.DefaultClassifier()
	classifier.ConfinedTypes = append(classifier.ConfinedTypes, "my_sandbox_t")

	for _, typ := range []string{"container_t", "my_app.process", "spc_t", "my_sandbox_t", "httpd_t"} {
		fmt.Println(typ, classifier.ClassifyProcess(typ))
	}
	// Output:
	// container_t confined
	// my_app.process confined
	// spc_t unconfined
	// my_sandbox_t confined
	// httpd_t unknown
}
