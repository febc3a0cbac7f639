package procfs

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

const (
	idA = "d8b5ffed7146da8a2dadc59d3ad22b443fb837b818ef26b1fb2324aa77e5daf8"
	idB = "5b8d775fb3ef5f234c18785b6f768611f5008d5a82de68494946660e0d6d2d4e"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want statFields
	}{
		{
			name: "recorded sleep",
			in:   "28455 (sleep) S 28435 28455 28455 0 -1 4194560 1141 0 0 0 2 1 0 0 20 0 1 0 110743 2322432 324 18446744073709551615 4198400 5785993 140732050705920 0 0 0 0 0 0 1 0 0 17 0 0 0 0 0 0 6141704 6178576 578486272 140732050710365 140732050710382 140732050710382 140732050710509 0\n",
			want: statFields{PID: 28455, Comm: "sleep", State: 'S', PPID: 28435, StartTime: 110743},
		},
		{
			name: "comm with spaces and parentheses",
			in:   "77 (a) b (c)) Z 1 77 77 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 500 0 0\n",
			want: statFields{PID: 77, Comm: "a) b (c)", State: 'Z', PPID: 1, StartTime: 500},
		},
		{
			name: "kernel thread",
			in:   "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 3 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
			want: statFields{PID: 2, Comm: "kthreadd", State: 'S', PPID: 0, StartTime: 3},
		},
		{
			name: "empty comm",
			in:   "9 () R 1 9 9 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42 0 0\n",
			want: statFields{PID: 9, Comm: "", State: 'R', PPID: 1, StartTime: 42},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStat(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("parseStat: %v", err)
			}
			if got != tt.want {
				t.Errorf("parseStat = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseStatRejects(t *testing.T) {
	tests := map[string]string{
		"no parentheses":     "28455 sleep S 28435\n",
		"no closing":         "28455 (sleep S 28435\n",
		"pid not a number":   "x (sleep) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5\n",
		"truncated":          "28455 (sleep) S 28435 28455\n",
		"ppid not a number":  "5 (sh) S p 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5\n",
		"two-letter state":   "5 (sh) SS 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5\n",
		"starttime negative": "5 (sh) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 -5\n",
		"empty":              "",
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := parseStat(strings.NewReader(in))
			if !errors.Is(err, errMalformed) {
				t.Errorf("parseStat(%q) error = %v, want errMalformed", in, err)
			}
		})
	}
}

func TestParseCgroup(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []cgroupLine
	}{
		{
			name: "cgroup v2",
			in:   "0::/machine.slice/libpod-" + idA + ".scope/container\n",
			want: []cgroupLine{{Hierarchy: "0", Path: "/machine.slice/libpod-" + idA + ".scope/container"}},
		},
		{
			name: "cgroup v1 hybrid",
			in: "9:name=systemd:/\n" +
				"8:pids:/libpod_parent/conmon\n" +
				"2:cpu,cpuacct:/libpod_parent/conmon\n" +
				"0::/\n",
			want: []cgroupLine{
				{Hierarchy: "9", Controllers: "name=systemd", Path: "/"},
				{Hierarchy: "8", Controllers: "pids", Path: "/libpod_parent/conmon"},
				{Hierarchy: "2", Controllers: "cpu,cpuacct", Path: "/libpod_parent/conmon"},
				{Hierarchy: "0", Path: "/"},
			},
		},
		{
			name: "path with a colon",
			in:   "0::/odd:name\n",
			want: []cgroupLine{{Hierarchy: "0", Path: "/odd:name"}},
		},
		{
			name: "no trailing newline and blank lines",
			in:   "\n0::/init.scope",
			want: []cgroupLine{{Hierarchy: "0", Path: "/init.scope"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseCgroup(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("parseCgroup: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseCgroup = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseCgroupRejects(t *testing.T) {
	for _, in := range []string{"garbage\n", "0/init.scope\n", ":pids:/x\n"} {
		if _, err := parseCgroup(strings.NewReader(in)); !errors.Is(err, errMalformed) {
			t.Errorf("parseCgroup(%q) error = %v, want errMalformed", in, err)
		}
	}
}

func TestCgroupLineKinds(t *testing.T) {
	tests := []struct {
		line             cgroupLine
		systemd, unified bool
	}{
		{cgroupLine{"9", "name=systemd", "/"}, true, false},
		{cgroupLine{"1", "cpu,name=systemd", "/"}, true, false},
		{cgroupLine{"0", "", "/"}, false, true},
		{cgroupLine{"4", "memory", "/"}, false, false},
		{cgroupLine{"3", "", "/"}, false, false},
	}
	for _, tt := range tests {
		if got := tt.line.isSystemd(); got != tt.systemd {
			t.Errorf("%+v isSystemd = %v, want %v", tt.line, got, tt.systemd)
		}
		if got := tt.line.isUnified(); got != tt.unified {
			t.Errorf("%+v isUnified = %v, want %v", tt.line, got, tt.unified)
		}
	}
}

func TestParseStatus(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int
	}{
		{"root", "Name:\tconmon\nPPid:\t1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n", 0},
		{"real differs from effective", "Name:\tsu\nUid:\t1000\t0\t0\t0\n", 1000},
		{"mapped rootless uid", "Uid:\t200000\t200000\t200000\t200000\n", 200000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStatus(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("parseStatus: %v", err)
			}
			if got != tt.want {
				t.Errorf("parseStatus = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestParseStatusRejects(t *testing.T) {
	for _, in := range []string{"Name:\tsleep\n", "Uid:\n", "Uid:\tx\t0\t0\t0\n", "Uid:\t-1\t0\t0\t0\n"} {
		if _, err := parseStatus(strings.NewReader(in)); !errors.Is(err, errMalformed) {
			t.Errorf("parseStatus(%q) error = %v, want errMalformed", in, err)
		}
	}
}

func TestParseCmdline(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"NUL separated", "sleep\x002147483647\x00", []string{"sleep", "2147483647"}},
		{"empty argument kept", "a\x00\x00b\x00", []string{"a", "", "b"}},
		{"rewritten argv without NUL", "nginx: worker process", []string{"nginx: worker process"}},
		{"kernel thread", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseCmdline(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("parseCmdline: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseCmdline = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseAttr(t *testing.T) {
	tests := map[string]string{
		"system_u:system_r:spc_t:s0\x00":   "system_u:system_r:spc_t:s0",
		"system_u:system_r:spc_t:s0\n":     "system_u:system_r:spc_t:s0",
		"system_u:system_r:spc_t:s0\x00\n": "system_u:system_r:spc_t:s0",
		"docker-default (enforce)\n":       "docker-default (enforce)",
		"":                                 "",
	}
	for in, want := range tests {
		got, err := parseAttr(strings.NewReader(in))
		if err != nil {
			t.Fatalf("parseAttr(%q): %v", in, err)
		}
		if got != want {
			t.Errorf("parseAttr(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseConmonArgs(t *testing.T) {
	tests := []struct {
		name string
		args string
		want conmonArgs
	}{
		{
			name: "recorded podman conmon",
			args: "/usr/bin/conmon --api-version 1 -c " + idA + " -u " + idA + " -r /usr/bin/crun -n b-priv --exit-dir /run/libpod/exits --runtime-arg --log-format=json --exit-command /usr/bin/podman --exit-command-arg --root --exit-command-arg -c --exit-command-arg " + idB,
			want: conmonArgs{ID: idA, Name: "b-priv", Podman: true},
		},
		{
			name: "long option with separate value",
			args: "conmon --cid " + idA + " --name web",
			want: conmonArgs{ID: idA, Name: "web"},
		},
		{
			name: "long option with equals",
			args: "conmon --cid=" + idA + " --name=web",
			want: conmonArgs{ID: idA, Name: "web"},
		},
		{
			name: "short option with attached value",
			args: "conmon -c" + idA,
			want: conmonArgs{ID: idA},
		},
		{
			name: "exec session",
			args: "conmon -c " + idA + " -e --exit-command /usr/libexec/crio-cleanup",
			want: conmonArgs{ID: idA, Exec: true},
		},
		{
			name: "short ID rejected",
			args: "conmon -c d8b5ffed7146 -n short",
			want: conmonArgs{Name: "short"},
		},
		{
			name: "uppercase ID rejected",
			args: "conmon -c " + strings.ToUpper(idA),
			want: conmonArgs{},
		},
		{
			name: "-c inside another program's arguments",
			args: "conmon --exit-command-arg -c --exit-command-arg " + idA,
			want: conmonArgs{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseConmonArgs(strings.Fields(tt.args))
			if got != tt.want {
				t.Errorf("parseConmonArgs = %+v, want %+v", got, tt.want)
			}
		})
	}
}
