package main

import (
	"errors"
	"io"
	"io/fs"
	"math"
	"os"
	"runtime/debug"
	"testing"
)

// TestDefaultMemoryLimit: 3/4 of the smallest of the cgroup limits and
// MemTotal; "max" and v1's unlimited value are no limit; GOMEMLIMIT, or
// nothing readable, leaves the runtime's default.
func TestDefaultMemoryLimit(t *testing.T) {
	const gib = int64(1) << 30
	meminfo := "MemTotal:       24683584 kB\nMemFree:         1000 kB\n"
	cases := []struct {
		name   string
		env    string
		files  map[string]string
		want   int64
		wantOK bool
	}{
		{"machine only", "", map[string]string{memoryFiles.meminfo: meminfo}, 24683584 << 10 * 3 / 4, true},
		{"cgroup v2 below the machine", "", map[string]string{memoryFiles.cgroup2: "2147483648\n", memoryFiles.meminfo: meminfo}, 2 * gib * 3 / 4, true},
		{"cgroup v2 max", "", map[string]string{memoryFiles.cgroup2: "max\n", memoryFiles.meminfo: meminfo}, 24683584 << 10 * 3 / 4, true},
		{"cgroup v1 unlimited", "", map[string]string{memoryFiles.cgroup1: "9223372036854771712\n", memoryFiles.meminfo: meminfo}, 24683584 << 10 * 3 / 4, true},
		{"cgroup v1 limit", "", map[string]string{memoryFiles.cgroup1: "4294967296", memoryFiles.meminfo: meminfo}, 3 * gib, true},
		{"GOMEMLIMIT set", "1200MiB", map[string]string{memoryFiles.cgroup2: "2147483648", memoryFiles.meminfo: meminfo}, 0, false},
		{"nothing readable", "", map[string]string{}, 0, false},
		{"garbage", "", map[string]string{memoryFiles.cgroup2: "lots", memoryFiles.meminfo: "MemTotal: x kB"}, 0, false},
	}
	for _, c := range cases {
		getenv := func(k string) string {
			if k == "GOMEMLIMIT" {
				return c.env
			}
			return ""
		}
		read := func(p string) ([]byte, error) {
			if s, ok := c.files[p]; ok {
				return []byte(s), nil
			}
			return nil, errors.Join(fs.ErrNotExist)
		}
		got, ok := defaultMemoryLimit(getenv, read)
		if ok != c.wantOK || got != c.want {
			t.Errorf("%s: %d, %v; want %d, %v", c.name, got, ok, c.want, c.wantOK)
		}
	}
}

// TestApplyMemoryLimit: with GOMEMLIMIT unset, the process's limit is
// the default computed from this machine's files.
func TestApplyMemoryLimit(t *testing.T) {
	if os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOMEMLIMIT set")
	}
	want, ok := defaultMemoryLimit(os.Getenv, os.ReadFile)
	if !ok {
		t.Skip("no memory size readable here")
	}
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	applyMemoryLimit()
	if got := debug.SetMemoryLimit(-1); got != want {
		t.Errorf("limit %d after applyMemoryLimit, want %d", got, want)
	}
}

// TestWritePhase: a write phase sets the collector's target to GOGC 50
// and its end puts back what was set; with GOGC in the environment it
// changes nothing.
func TestWritePhase(t *testing.T) {
	t.Setenv("GOGC", "")
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	end := writePhase()
	if got := debug.SetGCPercent(50); got != 50 {
		t.Fatalf("in a write phase GOGC is %d, want 50", got)
	}
	end()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("after a write phase GOGC is %d, want the 100 set before", got)
	}
	t.Setenv("GOGC", "200")
	debug.SetGCPercent(200)
	end = writePhase()
	if got := debug.SetGCPercent(200); got != 200 {
		t.Fatalf("with GOGC=200 set, a write phase made it %d", got)
	}
	end()
}

// TestCountryMemoryLimit: the country demo lowers the soft memory limit to
// countryDemoMemoryLimit and restores it after; GOMEMLIMIT, or a lower
// limit already set, is left as it is.
func TestCountryMemoryLimit(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	old := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(old)
	e := &env{stdout: io.Discard, stderr: io.Discard}
	restore := countryMemoryLimit(e)
	if got := debug.SetMemoryLimit(-1); got != countryDemoMemoryLimit {
		t.Fatalf("limit %d, want %d", got, countryDemoMemoryLimit)
	}
	restore()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Fatalf("restored limit %d", got)
	}
	debug.SetMemoryLimit(1 << 30) // a smaller container's
	countryMemoryLimit(e)()
	if got := debug.SetMemoryLimit(-1); got != 1<<30 {
		t.Fatalf("a lower limit was raised: %d", got)
	}
	t.Setenv("GOMEMLIMIT", "4GiB")
	debug.SetMemoryLimit(math.MaxInt64)
	countryMemoryLimit(e)
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Fatalf("GOMEMLIMIT set, yet the limit changed: %d", got)
	}
}
