// Command pipeline measures lomsong's hot path in one run: (a) h3-go's
// LatLngToCell per point, (b) hexgrid.IndexInto, (c) the whole dataset
// (Parquet) → H3 → per (cell, carrier, tech) aggregates pipeline at each
// -cpu setting, and (d) the whole `lomsong aggregate` command on the same
// dataset, its outputs written, beside (c) at each -cpu setting, each case
// in a child process so that its peak resident memory is its own. Figures
// are printed as rows/s and as ratios to h3-go measured in the same run.
//
//	go run ./benchmarks/pipeline -rows 100000000 -cpu 1,2
//
// Rows are generated deterministically around -hotspots settlement centres
// over Vietnam's extent (Gaussian spread -sigma-km), four carriers, mostly
// 4G, so that the number of distinct (cell, carrier, tech) keys is that of
// a national month rather than one key per row.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/pipeline"
	"github.com/lomsong/lomsong/internal/benchrows"
)

type result struct {
	Case     string  `json:"case"`
	CPU      int     `json:"cpu"`
	Rows     int64   `json:"rows"`
	Seconds  float64 `json:"seconds"`
	PeakMiB  float64 `json:"peak_mib"`
	CPUSec   float64 `json:"cpu_seconds"`             // user+system CPU time of the child
	BPerKey  float64 `json:"bytes_per_key,omitempty"` // Aggregator.SizeBytes per key
	Keys     int     `json:"keys,omitempty"`
	Mismatch int64   `json:"mismatch,omitempty"`
	Checked  int     `json:"checked,omitempty"` // rows of case (b) checked against h3-go
	// ReadSeconds is the read and aggregate phase of case (d), by the
	// command's own figure; the rest of its wall time is writing.
	ReadSeconds float64 `json:"read_seconds,omitempty"`
	// Writes, WriteCPUSec: case write's writes of the output tables and the
	// CPU time they took (the profile, if any, covers only them).
	Writes      int     `json:"writes,omitempty"`
	WriteCPUSec float64 `json:"write_cpu_seconds,omitempty"`
}

func main() {
	rows := flag.Int64("rows", 100_000_000, "measurement rows to generate and aggregate")
	indexRows := flag.Int("index-rows", 10_000_000, "points for the indexing cases (a) and (b)")
	cpus := flag.String("cpu", "1,2", "comma-separated GOMAXPROCS values for the pipeline case")
	dir := flag.String("dir", filepath.Join(os.TempDir(), "lomsong-bench-pipeline"), "working directory (dataset)")
	hotspots := flag.Int("hotspots", 5000, "settlement centres the rows cluster around")
	sigmaKm := flag.Float64("sigma-km", 1.0, "Gaussian spread of rows around a centre, km")
	res := flag.Int("res", 8, "H3 analysis resolution")
	keep := flag.Bool("keep", false, "keep the generated dataset")
	child := flag.String("child", "", "internal: run one case in this process")
	cpu := flag.Int("child-cpu", 1, "internal: GOMAXPROCS of the child")
	out := flag.String("results", "", "also write the Markdown table to this file")
	cpuprofile := flag.String("cpuprofile", "", "internal: with -child, write a CPU profile to this file")
	command := flag.Bool("command", true, "also time the whole `lomsong aggregate` command, outputs written, at each -cpu setting (case d)")
	lomsong := flag.String("lomsong", "", "lomsong binary for case (d) (default: built from this module into -dir; run from the module root)")
	repeat := flag.Int("repeat", 1, "run cases (c) and (d) this many times, alternating")
	writes := flag.Int("writes", 0, "time this many in-process writes of the output tables after case (c), in their own child (case write)")
	flag.Parse()

	if *child == "write" {
		runtime.GOMAXPROCS(*cpu)
		r, err := runWrite(*dir, *res, *cpu, *writes, *cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		r.PeakMiB = peakMiB()
		json.NewEncoder(os.Stdout).Encode(r)
		return
	}
	if *child != "" {
		runtime.GOMAXPROCS(*cpu)
		if *cpuprofile != "" {
			f, err := os.Create(*cpuprofile)
			if err == nil && pprof.StartCPUProfile(f) == nil {
				defer pprof.StopCPUProfile()
			}
		}
		r, err := runCase(*child, *dir, *res, *indexRows, *cpu)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		r.PeakMiB = peakMiB()
		r.CPUSec = cpuSeconds()
		json.NewEncoder(os.Stdout).Encode(r)
		pprof.StopCPUProfile()
		return
	}

	ds := filepath.Join(*dir, "dataset")
	// A kept dataset is reused only if it was generated with the same
	// parameters into parts of the current format (the stamp file).
	stampPath := filepath.Join(*dir, "generated.txt")
	stamp := fmt.Sprintf("rows %d, hotspots %d, sigma %g km, parts %s\n", *rows, *hotspots, *sigmaKm, dataset.PartCodec)
	old, _ := os.ReadFile(stampPath)
	if st, err := dataset.Open(ds); err != nil || rowsIn(st) != *rows || string(old) != stamp {
		if len(old) > 0 && string(old) != stamp {
			fmt.Fprintf(os.Stderr, "kept dataset was %q: generating anew\n", strings.TrimSpace(string(old)))
		}
		os.RemoveAll(*dir)
		start := time.Now()
		fmt.Fprintf(os.Stderr, "generating %d rows into %s ...\n", *rows, ds)
		if err := generate(ds, *rows, *hotspots, *sigmaKm); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "generated in %.1fs\n", time.Since(start).Seconds())
		// Write the new dataset back to disk now, so that no write-back
		// can overlap the cases.
		start = time.Now()
		syscall.Sync()
		fmt.Fprintf(os.Stderr, "synced in %.1fs\n", time.Since(start).Seconds())
		if err := os.WriteFile(stampPath, []byte(stamp), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if !*keep {
		defer os.RemoveAll(*dir)
	}
	var results []result
	for _, c := range []struct {
		name string
		cpu  int
	}{{"h3", 1}, {"index", 1}} {
		results = append(results, spawn(c.name, c.cpu, *dir, *res, *indexRows))
	}
	if *command && *lomsong == "" {
		*lomsong = filepath.Join(*dir, "lomsong")
		build := exec.Command("go", "build", "-o", *lomsong, "./cmd/lomsong")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "building lomsong (run from the module root or give -lomsong): %v\n", err)
			os.Exit(1)
		}
	}
	for range max(*repeat, 1) {
		for _, s := range strings.Split(*cpus, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n < 1 {
				fmt.Fprintf(os.Stderr, "bad -cpu value %q\n", s)
				os.Exit(2)
			}
			results = append(results, spawn("pipeline", n, *dir, *res, *indexRows))
			if *command {
				r, err := runCommand(*lomsong, n, *dir, *res)
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				results = append(results, r)
			}
			if *writes > 0 {
				results = append(results, spawn("write", n, *dir, *res, *indexRows, "-writes", strconv.Itoa(*writes)))
			}
		}
	}
	table := render(results, *rows, *res)
	fmt.Print(table)
	if *out != "" {
		if err := os.WriteFile(*out, []byte(table), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if err := check(results, *rows); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// check fails the run when a case's answer is wrong: IndexInto cells that
// differ from h3-go's, or a pipeline that did not aggregate every row.
func check(rs []result, rows int64) error {
	for _, r := range rs {
		switch {
		case r.Case == "index" && (r.Mismatch != 0 || r.Checked == 0):
			return fmt.Errorf("case index: %d of %d cells differ from h3-go", r.Mismatch, r.Checked)
		case (r.Case == "pipeline" || r.Case == "command") && (r.Rows != rows || r.Keys == 0):
			return fmt.Errorf("case %s at %d CPUs: %d rows aggregated into %d keys, want all %d rows", r.Case, r.CPU, r.Rows, r.Keys, rows)
		}
	}
	return nil
}

func rowsIn(s *dataset.Store) int64 {
	var n int64
	for _, p := range s.Parts("measurements", nil, nil) {
		n += p.Rows
	}
	return n
}

func spawn(name string, cpu int, dir string, res, indexRows int, args ...string) result {
	cmd := exec.Command(os.Args[0], append([]string{"-child", name, "-child-cpu", strconv.Itoa(cpu), "-dir", dir,
		"-res", strconv.Itoa(res), "-index-rows", strconv.Itoa(indexRows)}, args...)...)
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		fmt.Fprintf(os.Stderr, "case %s cpu %d: %v\n", name, cpu, err)
		os.Exit(1)
	}
	var r result
	if err := json.Unmarshal(b, &r); err != nil {
		fmt.Fprintf(os.Stderr, "case %s: %v: %s\n", name, err, b)
		os.Exit(1)
	}
	return r
}

// commandFigures reads the summary line of `lomsong aggregate`: rows, the
// read and aggregate phase's rate, and keys.
var commandFigures = regexp.MustCompile(`(?m)^(\d+) rows read in [0-9.]+s \((\d+) rows/s\), (\d+) keys`)

// runCommand times `lomsong aggregate` on the dataset with GOMAXPROCS cpu,
// its outputs written into a fresh folder: wall time, the child's CPU time
// and peak RSS (getrusage), and the read and aggregate phase by the
// command's own figure.
func runCommand(lomsong string, cpu int, dir string, res int) (result, error) {
	out := filepath.Join(dir, "aggregates")
	if err := os.RemoveAll(out); err != nil {
		return result{}, err
	}
	cmd := exec.Command(lomsong, "aggregate", "--dataset", filepath.Join(dir, "dataset"), "--res", strconv.Itoa(res), "--out", out)
	cmd.Env = append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(cpu))
	var stdout strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	el := time.Since(start).Seconds()
	if err != nil {
		return result{}, fmt.Errorf("case command cpu %d: %v", cpu, err)
	}
	m := commandFigures.FindStringSubmatch(stdout.String())
	if m == nil {
		return result{}, fmt.Errorf("case command cpu %d: no summary line in %q", cpu, stdout.String())
	}
	rows, _ := strconv.ParseInt(m[1], 10, 64)
	rate, _ := strconv.ParseFloat(m[2], 64)
	keys, _ := strconv.Atoi(m[3])
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	r := result{Case: "command", CPU: cpu, Rows: rows, Seconds: el, Keys: keys, ReadSeconds: float64(rows) / max(rate, 1),
		CPUSec: math.NaN(), PeakMiB: math.NaN()}
	if ru != nil {
		tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
		r.CPUSec, r.PeakMiB = tv(ru.Utime)+tv(ru.Stime), float64(ru.Maxrss)/1024 // Maxrss: KiB on Linux
	}
	return r, nil
}

// points returns n deterministic points over Vietnam's extent.
func points(n int) (lon, lat []float64) {
	r := rand.New(rand.NewPCG(1, 2))
	lon, lat = make([]float64, n), make([]float64, n)
	for i := range lon {
		lon[i] = 102.2 + 7.2*r.Float64()
		lat[i] = 8.6 + 14.7*r.Float64()
	}
	return lon, lat
}

func runCase(name, dir string, res, indexRows, cpu int) (result, error) {
	switch name {
	case "h3", "index":
		lon, lat := points(indexRows)
		dst := make([]hexgrid.Cell, len(lon))
		start := time.Now()
		var err error
		if name == "h3" {
			err = hexgrid.IndexIntoH3(dst, lon, lat, res)
		} else {
			err = hexgrid.IndexInto(dst, lon, lat, res)
		}
		el := time.Since(start).Seconds()
		if err != nil {
			return result{}, err
		}
		var mismatch int64
		checked := 0
		if name == "index" { // check a sample against the reference
			checked = min(100000, len(lon))
			ref := make([]hexgrid.Cell, checked)
			hexgrid.IndexIntoH3(ref, lon[:len(ref)], lat[:len(ref)], res)
			for i := range ref {
				if ref[i] != dst[i] {
					mismatch++
				}
			}
		}
		return result{Case: name, CPU: cpu, Rows: int64(len(lon)), Seconds: el, Mismatch: mismatch, Checked: checked}, nil
	case "pipeline":
		s, err := dataset.Open(filepath.Join(dir, "dataset"))
		if err != nil {
			return result{}, err
		}
		cfg := aggregate.DefaultConfig()
		cfg.Resolution = res
		start := time.Now()
		a, n, err := pipeline.Aggregate(context.Background(), s, pipeline.AggregateOptions{Config: cfg, Workers: cpu})
		el := time.Since(start).Seconds()
		if err != nil {
			return result{}, err
		}
		bpk := float64(a.SizeBytes()) / float64(max(a.Len(), 1))
		return result{Case: name, CPU: cpu, Rows: n, Seconds: el, Keys: a.Len(), BPerKey: bpk}, nil
	}
	return result{}, fmt.Errorf("unknown case %q", name)
}

// runWrite aggregates the dataset as case (c) does, then writes its tables
// n times as `lomsong aggregate` does (pipeline.WriteAggregates into two
// atomic files, committed) and reports the mean wall and CPU time of a
// write. A CPU profile, if asked for, covers only the writes.
func runWrite(dir string, res, cpu, n int, profile string) (result, error) {
	s, err := dataset.Open(filepath.Join(dir, "dataset"))
	if err != nil {
		return result{}, err
	}
	cfg := aggregate.DefaultConfig()
	cfg.Resolution = res
	a, rows, err := pipeline.Aggregate(context.Background(), s, pipeline.AggregateOptions{Config: cfg, Workers: cpu})
	if err != nil {
		return result{}, err
	}
	out := filepath.Join(dir, "writes")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return result{}, err
	}
	defer os.RemoveAll(out)
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return result{}, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return result{}, err
		}
		defer pprof.StopCPUProfile()
	}
	cpu0, start := cpuSeconds(), time.Now()
	keys := 0
	for range max(n, 1) {
		pq, err := dataset.CreateAtomic(filepath.Join(out, "aggregates.parquet"))
		if err != nil {
			return result{}, err
		}
		csv, err := dataset.CreateAtomic(filepath.Join(out, "aggregates.csv"))
		if err != nil {
			pq.Abort()
			return result{}, err
		}
		keys, err = pipeline.WriteAggregates(pq, csv, a.Order(), map[string]string{"lomsong.table": "aggregates"})
		if err == nil {
			if err = pq.Commit(); err == nil {
				err = csv.Commit()
			}
		}
		pq.Abort()
		csv.Abort()
		if err != nil {
			return result{}, err
		}
	}
	k := float64(max(n, 1))
	return result{Case: "write", CPU: cpu, Rows: rows, Keys: keys, Writes: max(n, 1),
		Seconds: time.Since(start).Seconds() / k, WriteCPUSec: (cpuSeconds() - cpu0) / k}, nil
}

// generate writes rows measurement rows into a fresh dataset.
func generate(dir string, rows int64, hotspots int, sigmaKm float64) error {
	r := rand.New(rand.NewPCG(7, 11))
	spots := benchrows.Spots(r, hotspots)
	s, err := dataset.Open(dir)
	if err != nil {
		return err
	}
	txn, err := s.Begin(fmt.Sprintf("%064x", rows), "generated", "measurements")
	if err != nil {
		return err
	}
	defer txn.Abort()
	carriers := []engine.Carrier{engine.Viettel, engine.VinaPhone, engine.MobiFone, engine.Vietnamobile}
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, dataset.ReportTime).UnixMilli()
	b := &engine.MeasurementBatch{}
	const batch = 1 << 16
	for done := int64(0); done < rows; {
		b.Reset()
		n := int(min(batch, rows-done))
		benchrows.Append(b, r, n, spots, sigmaKm, carriers, t0)
		if err := txn.WriteMeasurements(b); err != nil {
			return err
		}
		done += int64(n)
	}
	_, err = txn.Commit(dataset.Meta{Format: "generated", IngestedAt: time.Unix(0, 0)})
	return err
}

// cpuSeconds returns the user and system CPU time of the process. On a
// shared machine rows per CPU second is steadier than rows per wall second.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

// peakMiB reads the process's peak resident set (VmHWM) from /proc.
func peakMiB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return math.NaN()
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "VmHWM:") {
			fields := strings.Fields(sc.Text())
			kb, _ := strconv.ParseFloat(fields[1], 64)
			return kb / 1024
		}
	}
	return math.NaN()
}

func render(rs []result, rows int64, res int) string {
	var b strings.Builder
	var h3rate float64
	for _, r := range rs {
		if r.Case == "h3" {
			h3rate = float64(r.Rows) / r.Seconds
		}
	}
	fmt.Fprintf(&b, "\n%d rows, H3 res %d, %d CPUs on this machine\n\n", rows, res, runtime.NumCPU())
	fmt.Fprintln(&b, "| case | GOMAXPROCS | rows | seconds | rows/s | × h3-go per point | CPU s | rows per CPU s | peak RSS MiB | notes |")
	fmt.Fprintln(&b, "|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range rs {
		rate := float64(r.Rows) / r.Seconds
		note := ""
		switch r.Case {
		case "h3":
			note = "(a) h3-go LatLngToCell per point"
		case "index":
			note = fmt.Sprintf("(b) hexgrid.IndexInto; %d mismatches in the first %d points", r.Mismatch, r.Checked)
		case "pipeline":
			note = fmt.Sprintf("(c) Parquet → index → aggregate; %d keys, %.0f bytes of state per key", r.Keys, r.BPerKey)
		case "write":
			note = fmt.Sprintf("write: %d keys written %d times to aggregates.parquet and aggregates.csv in process (as the command: atomic files, fsync, rename); per write %.3f s wall, %.3f CPU s",
				r.Keys, r.Writes, r.Seconds, r.WriteCPUSec)
			fmt.Fprintf(&b, "| %s | %d | %d | %.3f | | | %.3f | | %.0f | %s |\n", r.Case, r.CPU, r.Keys, r.Seconds, r.WriteCPUSec, r.PeakMiB, note)
			continue
		case "command":
			note = fmt.Sprintf("(d) `lomsong aggregate`, outputs written; %d keys; read and aggregate %.2f s (%.3g rows/s), writes and the rest %.2f s",
				r.Keys, r.ReadSeconds, float64(r.Rows)/r.ReadSeconds, r.Seconds-r.ReadSeconds)
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %.2f | %.3g | %.1f | %.1f | %.3g | %.0f | %s |\n", r.Case, r.CPU, r.Rows, r.Seconds, rate, rate/h3rate,
			r.CPUSec, float64(r.Rows)/r.CPUSec, r.PeakMiB, note)
	}
	return b.String()
}
