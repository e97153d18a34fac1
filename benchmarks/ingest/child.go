package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/ingest"
)

// Case kinds run in a child process.
const (
	caseReadCSV       = "read-csv"       // encoding/csv over the file, no validation
	caseScanParquet   = "scan-parquet"   // arrowio.TableReader: rows rendered as strings, no validation
	caseDecodeParquet = "decode-parquet" // arrowio.MeasurementReader: typed column decode
	caseSHA256        = "sha256"         // dataset.SHA256File, the first pass of every ingest
	caseIngest        = "ingest"         // dataset.Store.IngestFile
)

// childResult is what a child prints (one JSON line) for the parent.
type childResult struct {
	Case       string  `json:"case"`
	Rows       int64   `json:"rows"`
	Accepted   int64   `json:"accepted"`
	Rejected   int64   `json:"rejected"`
	Parts      int     `json:"parts"`
	OutBytes   int64   `json:"out_bytes"`
	Seconds    float64 `json:"seconds"`
	CPUSeconds float64 `json:"cpu_seconds"` // user + system time of the case, all threads
	HWMKiB     int64   `json:"hwm_kib"`     // VmHWM of the child's own address space
	Mallocs    uint64  `json:"mallocs"`     // heap objects allocated during the case
	AllocBytes uint64  `json:"alloc_bytes"` // heap bytes allocated during the case
	NumGC      uint32  `json:"num_gc"`
	HeapSysMiB float64 `json:"heap_sys_mib"` // heap obtained from the OS at the end
}

// runChild runs one case in this process and prints its result as JSON.
// It is reached through the hidden first argument -child, so that each
// case's peak RSS is its own.
func runChild(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("ingest -child", flag.ContinueOnError)
	kind := fs.String("case", "", "case kind")
	input := fs.String("input", "", "input file")
	dsDir := fs.String("dataset", "", "fresh dataset directory (ingest)")
	dedup := fs.Bool("dedup", false, "duplicate detection (ingest)")
	maxReject := fs.Float64("max-reject-share", 0.05, "reject share limit (ingest)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the timed part here")
	memProfile := fs.String("memprofile", "", "write an allocation profile of the case here")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *input == "" {
		return errors.New("child: -input is required")
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	res := childResult{Case: *kind}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpuStart := cpuTime()
	start := time.Now()
	var err error
	switch *kind {
	case caseReadCSV:
		res.Rows, err = readCSV(*input)
	case caseScanParquet:
		res.Rows, err = scanParquet(*input)
	case caseDecodeParquet:
		res.Rows, err = decodeParquet(*input)
	case caseSHA256:
		_, err = dataset.SHA256File(*input)
	case caseIngest:
		err = ingestFile(ctx, *input, *dsDir, *dedup, *maxReject, &res)
	default:
		err = fmt.Errorf("child: unknown case %q", *kind)
	}
	res.Seconds = time.Since(start).Seconds()
	res.CPUSeconds = cpuTime() - cpuStart
	if err != nil {
		return err
	}
	runtime.ReadMemStats(&after)
	res.Mallocs = after.Mallocs - before.Mallocs
	res.AllocBytes = after.TotalAlloc - before.TotalAlloc
	res.NumGC = after.NumGC - before.NumGC
	res.HeapSysMiB = float64(after.HeapSys) / (1 << 20)
	if res.HWMKiB, err = vmHWM(); err != nil {
		return err
	}
	if *memProfile != "" {
		if err := writeAllocs(*memProfile); err != nil {
			return err
		}
	}
	return json.NewEncoder(stdout).Encode(res)
}

// readCSV is the raw cost of splitting the file into fields with
// encoding/csv (64 KiB buffer, reused records). ingest.NewCSV has its own
// reader, bounded in line length, that splits records the same way at
// about the same speed (BenchmarkCSV in engine/ingest).
func readCSV(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	cr := csv.NewReader(bufio.NewReaderSize(f, 1<<16))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	if _, err := cr.Read(); err != nil { // header
		return 0, err
	}
	var n int64
	for {
		_, err := cr.Read()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

// scanParquet is the raw cost of the reader that ingest uses for Parquet
// input: every value rendered as the string the validator parses.
func scanParquet(path string) (int64, error) {
	f, size, err := openSized(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	t, err := arrowio.OpenTable(f, size)
	if err != nil {
		return 0, err
	}
	defer t.Close()
	var n int64
	for t.Next() {
		n += int64(len(t.Rows()))
	}
	return n, t.Err()
}

// decodeParquet is the cost of decoding the same columns into a typed
// batch, without rendering strings: a floor for any Parquet ingest.
func decodeParquet(path string) (int64, error) {
	f, size, err := openSized(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	mr, err := arrowio.NewMeasurementReader(f, size)
	if err != nil {
		return 0, err
	}
	var n int64
	for mr.Next() {
		n += int64(mr.Batch().Len())
	}
	return n, mr.Err()
}

func openSized(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

// ingestFile runs the whole ingest into a fresh dataset directory.
func ingestFile(ctx context.Context, path, dir string, dedup bool, maxReject float64, res *childResult) error {
	if dir == "" {
		return errors.New("child: -dataset is required for ingest")
	}
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("child: dataset %s exists; each case needs a fresh one", dir)
	}
	store, err := dataset.Open(dir)
	if err != nil {
		return err
	}
	cfg := ingest.Defaults("", benchNow)
	cfg.Dedup = dedup
	out, err := store.IngestFile(ctx, path, dataset.IngestOptions{Config: cfg, MaxRejectShare: maxReject})
	if err != nil {
		return err
	}
	if out.AlreadyIngested || out.Report == nil {
		return errors.New("child: the source was not ingested")
	}
	res.Rows, res.Accepted, res.Rejected = out.Report.RowsRead, out.Report.Accepted, out.Report.Rejected
	res.Parts = len(out.Source.Parts)
	for _, p := range out.Source.Parts {
		res.OutBytes += p.Bytes
	}
	return nil
}

// cpuTime returns the user and system CPU time of this process in seconds.
func cpuTime() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// writeAllocs writes the allocation profile (all allocations since start).
func writeAllocs(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// vmHWM returns the peak resident set size of this process's address space
// from /proc/self/status. Unlike getrusage's ru_maxrss it cannot include
// the parent's pages from before exec.
func vmHWM() (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		var ru syscall.Rusage
		if rerr := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); rerr != nil {
			return 0, err
		}
		return ru.Maxrss, nil
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		}
	}
	return 0, errors.New("VmHWM not found in /proc/self/status")
}
