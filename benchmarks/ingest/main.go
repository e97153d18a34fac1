// Command ingest measures the throughput and peak memory of lomsong's
// ingest path (dataset.Store.IngestFile: open, validate every row, write
// Parquet partitions, commit the manifest) on a generated measurements
// table of N rows over Vietnam, read as CSV and as Parquet, with and
// without exact-duplicate detection.
//
// Each case runs in a child process (this program re-executed), so that
// the peak RSS reported is that case's alone. Speeds are reported as
// ratios to the raw cost of reading the same file in the same run
// (encoding/csv without validation; the Parquet table reader without
// validation), which stay comparable on a shared, noisy machine where
// absolute rows/s do not.
//
//	go run ./benchmarks/ingest -rows 2000000      # quick check, about a minute
//	go run ./benchmarks/ingest                    # 20 million rows
//
// See README.md for the cases and RESULTS.md for the last full run.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	if len(os.Args) > 1 && os.Args[1] == "-child" {
		err = runChild(ctx, os.Args[2:], os.Stdout)
	} else {
		err = run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ingest:", err)
		os.Exit(1)
	}
}

// config is the parsed command line.
type config struct {
	gen       genOptions
	dir       string
	formats   []string
	dedup     []bool
	keep      bool
	reps      int
	profiles  string
	results   string
	maxReject float64
	args      []string
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &config{args: args}
	fs.Int64Var(&c.gen.Rows, "rows", 20_000_000, "rows in the generated table")
	fs.Uint64Var(&c.gen.Seed, "seed", 1, "seed of the generated table")
	fs.BoolVar(&c.gen.RandomOrder, "random-order", false, "timestamps in random order (default: roughly chronological, as exports are)")
	fs.Float64Var(&c.gen.DupShare, "dups", 0.002, "share of rows that exactly repeat the previous row")
	fs.Float64Var(&c.gen.BadShare, "bad", 0.001, "share of rows with an out-of-range signal (rejected)")
	fs.StringVar(&c.dir, "dir", filepath.Join(os.TempDir(), "lomsong-ingest-bench"), "working directory for the inputs and datasets")
	formats := fs.String("formats", "csv,parquet", "input formats to measure: csv, parquet")
	dedup := fs.String("dedup", "both", "duplicate detection: both, on or off")
	fs.BoolVar(&c.keep, "keep", false, "keep the generated inputs and the datasets (inputs are reused by later runs)")
	fs.IntVar(&c.reps, "reps", 1, "repetitions of every case; the fastest is reported, and the highest peak RSS")
	fs.StringVar(&c.profiles, "profiles", "", "directory to write a CPU and an allocation profile of every case to (CASE-repN.cpu.pprof, CASE-repN.allocs.pprof)")
	fs.StringVar(&c.results, "results", "benchmarks/ingest/RESULTS.md", "Markdown file to write the results to (\"\" for none)")
	fs.Float64Var(&c.maxReject, "max-reject-share", 0.05, "IngestOptions.MaxRejectShare")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.gen.Rows <= 0 || c.reps <= 0 {
		return nil, errors.New("-rows and -reps must be positive")
	}
	for _, f := range strings.Split(*formats, ",") {
		f = strings.TrimSpace(f)
		if f != "csv" && f != "parquet" {
			return nil, fmt.Errorf("-formats: unknown format %q (want csv, parquet)", f)
		}
		if !slices.Contains(c.formats, f) {
			c.formats = append(c.formats, f)
		}
	}
	switch *dedup {
	case "both":
		c.dedup = []bool{false, true}
	case "on":
		c.dedup = []bool{true}
	case "off":
		c.dedup = []bool{false}
	default:
		return nil, fmt.Errorf("-dedup %q: want both, on or off", *dedup)
	}
	return c, nil
}

// benchCase is one measured case.
type benchCase struct {
	name     string // unique, used for directories and profiles
	format   string // csv or parquet
	kind     string // one of the case kinds of child.go
	dedup    bool   // ingest only
	baseline string // name of the case whose rows/s is the ratio's denominator
	what     string // description in the table
}

func cases(c *config) []benchCase {
	var out []benchCase
	for _, f := range c.formats {
		base := "read-csv"
		if f == "parquet" {
			base = "scan-parquet"
		}
		if f == "csv" {
			out = append(out, benchCase{name: "read-csv", format: f, kind: caseReadCSV, baseline: base,
				what: "raw read: encoding/csv, no validation"})
		} else {
			out = append(out,
				benchCase{name: "scan-parquet", format: f, kind: caseScanParquet, baseline: base,
					what: "raw read: arrowio.OpenTable rows as strings, no validation"},
				benchCase{name: "decode-parquet", format: f, kind: caseDecodeParquet, baseline: base,
					what: "typed decode: arrowio.NewMeasurementReader"})
		}
		out = append(out, benchCase{name: "sha256-" + f, format: f, kind: caseSHA256, baseline: base,
			what: "dataset.SHA256File (first pass of IngestFile)"})
		for _, d := range c.dedup {
			on := "off"
			if d {
				on = "on"
			}
			out = append(out, benchCase{name: "ingest-" + f + "-dedup-" + on, format: f, kind: caseIngest, dedup: d, baseline: base,
				what: "IngestFile, dedup " + on})
		}
	}
	return out
}

// measured is the reported outcome of a case over its repetitions.
type measured struct {
	benchCase
	best childResult // fastest repetition (wall clock)
	cpu  float64     // least CPU seconds over repetitions
	hwm  int64       // highest VmHWM over repetitions, KiB
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return err
	}
	if c.profiles != "" {
		if err := os.MkdirAll(c.profiles, 0o755); err != nil {
			return err
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}

	inputs, err := prepareInputs(ctx, c, stderr)
	if err != nil {
		return err
	}
	if !c.keep {
		defer func() {
			for _, p := range inputs {
				os.Remove(p)
			}
		}()
	}

	all := cases(c)
	results := make([]measured, len(all))
	for rep := 1; rep <= c.reps; rep++ {
		for i, bc := range all {
			if err := ctx.Err(); err != nil {
				return err
			}
			res, err := runCase(ctx, c, exe, bc, inputs[bc.format], rep)
			if err != nil {
				return fmt.Errorf("%s: %w", bc.name, err)
			}
			if bc.kind == caseSHA256 {
				res.Rows = c.gen.Rows
			}
			fmt.Fprintf(stderr, "%-26s rep %d: %6.1f s (CPU %6.1f s), %10.0f rows/s, peak RSS %7.1f MiB\n",
				bc.name, rep, res.Seconds, res.CPUSeconds, float64(res.Rows)/res.Seconds, float64(res.HWMKiB)/1024)
			m := &results[i]
			m.benchCase = bc
			if rep == 1 || res.Seconds < m.best.Seconds {
				m.best = res
			}
			if rep == 1 || res.CPUSeconds < m.cpu {
				m.cpu = res.CPUSeconds
			}
			m.hwm = max(m.hwm, res.HWMKiB)
		}
	}

	sizes := map[string]int64{}
	for f, p := range inputs {
		if st, err := os.Stat(p); err == nil {
			sizes[f] = st.Size()
		}
	}
	var md bytes.Buffer
	writeReport(&md, c, results, sizes, time.Now())
	if _, err := stdout.Write(md.Bytes()); err != nil {
		return err
	}
	if c.results != "" {
		if err := os.WriteFile(c.results, md.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "wrote %s\n", c.results)
	}
	return check(results, c.gen.Rows)
}

// check fails the run when the cases disagree about the input: every case
// must read every generated row, every ingest must account for each row as
// accepted or rejected, CSV and Parquet ingests with the same dedup setting
// must accept and reject the same rows, and dedup must reject at least the
// rows that dedup off rejects.
func check(results []measured, rows int64) error {
	type verdict struct{ accepted, rejected int64 }
	byDedup := map[bool]map[string]verdict{false: {}, true: {}}
	for _, m := range results {
		r := m.best
		if r.Rows != rows {
			return fmt.Errorf("check: %s read %d rows of %d", m.name, r.Rows, rows)
		}
		if m.kind != caseIngest {
			continue
		}
		if r.Accepted+r.Rejected != r.Rows || r.Accepted == 0 {
			return fmt.Errorf("check: %s accepted %d and rejected %d of %d rows", m.name, r.Accepted, r.Rejected, r.Rows)
		}
		byDedup[m.dedup][m.format] = verdict{r.Accepted, r.Rejected}
	}
	for dedup, vs := range byDedup {
		if c, p := vs["csv"], vs["parquet"]; len(vs) == 2 && c != p {
			return fmt.Errorf("check: dedup %t: CSV accepted %d, rejected %d; Parquet accepted %d, rejected %d",
				dedup, c.accepted, c.rejected, p.accepted, p.rejected)
		}
		for f, on := range vs {
			if off, ok := byDedup[false][f]; ok && dedup && on.rejected < off.rejected {
				return fmt.Errorf("check: %s: dedup on rejected %d rows, fewer than dedup off's %d", f, on.rejected, off.rejected)
			}
		}
	}
	return nil
}

// prepareInputs generates the input files (one pass for all formats), or
// reuses those a -keep run left for the same rows and generator settings.
func prepareInputs(ctx context.Context, c *config, stderr io.Writer) (map[string]string, error) {
	g := c.gen
	stem := fmt.Sprintf("measurements-%d-s%d-d%g-b%g", g.Rows, g.Seed, g.DupShare, g.BadShare)
	if g.RandomOrder {
		stem += "-random"
	}
	inputs := map[string]string{}
	var csvPath, pqPath string
	for _, f := range c.formats {
		p := filepath.Join(c.dir, stem+"."+f)
		inputs[f] = p
		if _, err := os.Stat(p); err == nil {
			fmt.Fprintf(stderr, "reusing %s\n", p)
			continue
		}
		if f == "csv" {
			csvPath = p
		} else {
			pqPath = p
		}
	}
	if csvPath == "" && pqPath == "" {
		return inputs, nil
	}
	fmt.Fprintf(stderr, "generating %d rows into %s …\n", g.Rows, strings.Join(slices.DeleteFunc([]string{csvPath, pqPath}, func(s string) bool { return s == "" }), ", "))
	start := time.Now()
	if err := generate(ctx, g, csvPath, pqPath); err != nil {
		return nil, err
	}
	fmt.Fprintf(stderr, "generated in %.1f s\n", time.Since(start).Seconds())
	return inputs, nil
}

// runCase runs one case in a child process and decodes its result.
func runCase(ctx context.Context, c *config, exe string, bc benchCase, input string, rep int) (childResult, error) {
	args := []string{"-child", "-case", bc.kind, "-input", input,
		"-max-reject-share", fmt.Sprint(c.maxReject), fmt.Sprintf("-dedup=%t", bc.dedup)}
	var ds string
	if bc.kind == caseIngest {
		ds = filepath.Join(c.dir, fmt.Sprintf("dataset-%s-rep%d", bc.name, rep))
		if err := os.RemoveAll(ds); err != nil {
			return childResult{}, err
		}
		args = append(args, "-dataset", ds)
		if !c.keep {
			defer os.RemoveAll(ds)
		}
	}
	if c.profiles != "" {
		stem := filepath.Join(c.profiles, fmt.Sprintf("%s-rep%d", bc.name, rep))
		args = append(args, "-cpuprofile", stem+".cpu.pprof", "-memprofile", stem+".allocs.pprof")
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return childResult{}, err
	}
	var res childResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		return childResult{}, fmt.Errorf("child output %q: %w", out.String(), err)
	}
	return res, nil
}
