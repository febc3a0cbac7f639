package seclabel

import "testing"

// Sinks keep the compiler from removing the benchmarked calls.
var (
	contextSink Context
	levelSink   Level
	boolSink    bool
)

func BenchmarkParseContext(b *testing.B) {
	const label = "system_u:system_r:container_t:s0:c123,c456"
	b.ReportAllocs()
	for b.Loop() {
		c, err := ParseContext(label)
		if err != nil {
			b.Fatal(err)
		}
		contextSink = c
	}
}

func BenchmarkParseLevel(b *testing.B) {
	const level = "s0:c123,c456"
	b.ReportAllocs()
	for b.Loop() {
		l, err := ParseLevel(level)
		if err != nil {
			b.Fatal(err)
		}
		levelSink = l
	}
}

func BenchmarkDominates(b *testing.B) {
	x := mustLevel(b, "s0:c100,c200,c300")
	y := mustLevel(b, "s0:c100,c200")
	b.ReportAllocs()
	for b.Loop() {
		boolSink = Dominates(x, y)
	}
}

func BenchmarkCanReach(b *testing.B) {
	process := mustRange(b, "s0-s0:c0.c1023")
	object := mustRange(b, "s0:c100,c200")
	b.ReportAllocs()
	for b.Loop() {
		boolSink = CanReach(process, object)
	}
}

func BenchmarkContextString(b *testing.B) {
	c := mustContext(b, "unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023")
	b.ReportAllocs()
	for b.Loop() {
		_ = c.String()
	}
}
