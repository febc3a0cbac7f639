package checks

// Catalog returns every check, in ID order. The list is explicit so that a
// reader sees the whole catalog in one place.
func Catalog() []Check {
	return []Check{
		host001,
		host002,
		type002,
	}
}

// Lookup returns the check with the given ID.
func Lookup(id string) (Check, bool) {
	for _, c := range Catalog() {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}
