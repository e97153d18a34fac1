package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// writeReport renders the results as Markdown: machine, command, input and
// one table row per case.
func writeReport(w io.Writer, c *config, results []measured, sizes map[string]int64, now time.Time) {
	fmt.Fprintf(w, "# Ingest throughput and peak memory\n\n")
	fmt.Fprintf(w, "- Date: %s\n", now.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(w, "- Machine: %s\n", machine())
	fmt.Fprintf(w, "- Go: %s %s/%s, GOMAXPROCS %d%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), envNote())
	if rev := revision(); rev != "" {
		fmt.Fprintf(w, "- Revision: %s\n", rev)
	}
	fmt.Fprintf(w, "- Command: `%s`\n", command(c.args))
	fmt.Fprintf(w, "- Input: %d rows (seed %d, %s timestamps, %.1f%% exact repeats, %.1f%% out-of-range signals, ~3%% no-service rows)",
		c.gen.Rows, c.gen.Seed, map[bool]string{false: "roughly chronological", true: "randomly ordered"}[c.gen.RandomOrder],
		100*c.gen.DupShare, 100*c.gen.BadShare)
	for _, f := range c.formats {
		note := ""
		if f == "parquet" {
			note = ", snappy"
		}
		fmt.Fprintf(w, "; %s %.0f MiB%s", f, float64(sizes[f])/(1<<20), note)
	}
	fmt.Fprintf(w, "\n")
	if c.reps > 1 {
		fmt.Fprintf(w, "- Repetitions: %d; the fastest is shown, with the highest peak RSS of any repetition\n", c.reps)
	}
	fmt.Fprintf(w, "\n")

	rate, cpuRate := map[string]float64{}, map[string]float64{}
	for _, m := range results {
		rate[m.name] = float64(m.best.Rows) / m.best.Seconds
		cpuRate[m.name] = float64(m.best.Rows) / max(m.cpu, 1e-9)
	}
	fmt.Fprintf(w, "| Case | What | Rows read | Accepted | Rejected | Seconds | Rows/s | × raw read | CPU s | × raw read (CPU) | Peak RSS MiB | Alloc B/row | Allocs/row | GCs |\n")
	fmt.Fprintf(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, m := range results {
		r := m.best
		acc, rej := "", ""
		if m.kind == caseIngest {
			acc, rej = strconv.FormatInt(r.Accepted, 10), strconv.FormatInt(r.Rejected, 10)
		}
		ratio, cpuRatio := "—", "—"
		if b := rate[m.baseline]; b > 0 {
			ratio = fmt.Sprintf("%.2f", rate[m.name]/b)
		}
		if b := cpuRate[m.baseline]; b > 0 {
			cpuRatio = fmt.Sprintf("%.2f", cpuRate[m.name]/b)
		}
		rows := float64(max(r.Rows, 1))
		fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %.1f | %s | %s | %.1f | %s | %.0f | %.0f | %.2f | %d |\n",
			m.name, m.what, r.Rows, acc, rej, r.Seconds, thousands(rate[m.name]), ratio, m.cpu, cpuRatio,
			float64(m.hwm)/1024, float64(r.AllocBytes)/rows, float64(r.Mallocs)/rows, r.NumGC)
	}
	fmt.Fprintf(w, "\n× raw read is the case's rows/s divided by the raw read of the same file in this run (read-csv for CSV, scan-parquet for Parquet). ")
	fmt.Fprintf(w, "× raw read (CPU) is the same ratio in rows per CPU second (user + system, all threads, GC included); it is the steadier figure when other work competes for the cores, but it counts work done in parallel (GC, zstd) as extra cost. ")
	fmt.Fprintf(w, "Peak RSS is the child process's VmHWM. Alloc B/row and Allocs/row are Go heap allocations during the case per row read.\n")

	// The memory price of duplicate detection, per format.
	for _, f := range c.formats {
		var on, off *measured
		for i := range results {
			m := &results[i]
			if m.kind == caseIngest && m.format == f {
				if m.dedup {
					on = m
				} else {
					off = m
				}
			}
		}
		if on != nil && off != nil {
			fmt.Fprintf(w, "\nDuplicate detection on %s: peak RSS %+.0f MiB (%.1f bytes per row read), rows/s ×%.2f of dedup off.\n",
				f, float64(on.hwm-off.hwm)/1024, float64(on.hwm-off.hwm)*1024/float64(max(on.best.Rows, 1)),
				rate[on.name]/rate[off.name])
		}
	}
}

// machine describes the CPU and memory from /proc.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
				mem = fmt.Sprintf(", %.0f GiB RAM", float64(kb)/(1<<20))
			}
		}
	}
	return fmt.Sprintf("%d CPUs (nproc), %s%s; shared with other work, so compare ratios rather than absolute rows/s", runtime.NumCPU(), model, mem)
}

// envNote lists the Go runtime settings from the environment, if any.
func envNote() string {
	var s []string
	for _, k := range []string{"GOGC", "GOMEMLIMIT", "GODEBUG"} {
		if v := os.Getenv(k); v != "" {
			s = append(s, k+"="+v)
		}
	}
	if len(s) == 0 {
		return ""
	}
	return ", " + strings.Join(s, " ")
}

// revision returns the VCS revision stamped into the binary, if any.
func revision() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = " (with uncommitted changes)"
			}
		}
	}
	if rev == "" {
		return ""
	}
	return rev + modified
}

// command reconstructs the command line that produced the run.
func command(args []string) string {
	prog := filepath.Base(os.Args[0])
	if strings.Contains(os.Args[0], "go-build") {
		prog = "go run ./benchmarks/ingest"
	}
	if len(args) == 0 {
		return prog
	}
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = a
		if a == "" || strings.ContainsAny(a, " \t'\"$") {
			q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return prog + " " + strings.Join(q, " ")
}

// thousands formats a rate with comma separators: 1,234,567.
func thousands(v float64) string {
	s := strconv.FormatInt(int64(v+0.5), 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
