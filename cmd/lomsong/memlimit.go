package main

import (
	"bufio"
	"bytes"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// The Go runtime lets its heap grow to twice the live heap between
// collections (GOGC=100) and knows nothing of the memory the machine or
// the container has: a country month whose live heap is 0.8 GiB reaches
// 1.6 GiB resident and is killed in a 1.5 GiB container though it fits.
// Unless GOMEMLIMIT is set, lomsong gives the runtime a soft memory limit
// of memoryLimitShare of the memory available to the process — its
// cgroup's limit (v2 memory.max, v1 memory.limit_in_bytes) when it has
// one, else the machine's MemTotal — so the collector works harder as the
// heap nears it instead of outgrowing the machine. The quarter left is
// for what is not Go heap (SQLite's page cache, cgo, the binary, other
// processes). On a machine with room the limit never binds; measured on
// the country demo, collecting near a limit above the live heap costs no
// time (docs in benchmarks/README.md).
const memoryLimitShare = 0.75

// cgroup and meminfo files read for the limit.
var memoryFiles = struct{ cgroup2, cgroup1, meminfo string }{
	"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes", "/proc/meminfo",
}

// defaultMemoryLimit returns the soft limit to set, and false when
// GOMEMLIMIT is set or no memory size could be read (then the runtime's
// default stays).
func defaultMemoryLimit(getenv func(string) string, read func(string) ([]byte, error)) (int64, bool) {
	if getenv("GOMEMLIMIT") != "" {
		return 0, false
	}
	avail, ok := int64(0), false
	take := func(v int64, found bool) {
		if found && (!ok || v < avail) {
			avail, ok = v, true
		}
	}
	if b, err := read(memoryFiles.cgroup2); err == nil {
		take(parseCgroupLimit(b))
	}
	if b, err := read(memoryFiles.cgroup1); err == nil {
		take(parseCgroupLimit(b))
	}
	if b, err := read(memoryFiles.meminfo); err == nil {
		take(parseMemTotal(b))
	}
	if !ok {
		return 0, false
	}
	return int64(float64(avail) * memoryLimitShare), true
}

// parseCgroupLimit reads a cgroup memory limit in bytes: "max" (v2) or a
// value of 2^60 or more (v1's "unlimited", a page-rounded 2^63) is no
// limit.
func parseCgroupLimit(b []byte) (int64, bool) {
	s := strings.TrimSpace(string(b))
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 || v >= 1<<60 {
		return 0, false
	}
	return v, true
}

// parseMemTotal reads MemTotal (kB) from /proc/meminfo, in bytes.
func parseMemTotal(b []byte) (int64, bool) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil || kb <= 0 || kb >= 1<<50 {
				return 0, false
			}
			return kb << 10, true
		}
	}
	return 0, false
}

// applyMemoryLimit sets the default soft memory limit (defaultMemoryLimit).
func applyMemoryLimit() {
	if limit, ok := defaultMemoryLimit(os.Getenv, os.ReadFile); ok {
		debug.SetMemoryLimit(limit)
	}
}
