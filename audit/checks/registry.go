package checks

// Catalog returns every check, in ID order. The list is explicit so that a
// reader sees the whole catalog in one place.
func Catalog() []Check {
	return []Check{
		host001,
		host002,
		host003,
		host004,
		host005,
		host006,
		mcs001,
		mcs002,
		mcs003,
		mcs004,
		mcs005,
		mount001,
		mount002,
		mount003,
		mount004,
		mount005,
		mount006,
		mount007,
		mount008,
		proc001,
		type001,
		type002,
		type003,
		type004,
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
