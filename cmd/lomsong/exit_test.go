package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/geodata"
)

// binDir holds the lomsong binary built for the tests that run it as a
// user does: exit codes and messages as the shell sees them.
var (
	binDir   string
	binOnce  sync.Once
	binPath  string
	binError error
)

func TestMain(m *testing.M) {
	// The test binary doubles as a crashing child for TestSupervise.
	switch os.Getenv("LOMSONG_TEST_CHILD") {
	case "goroutine panic":
		go func() { panic("worker failed") }()
		time.Sleep(time.Minute)
	case "fatal":
		m := map[int]int{}
		for range 4 {
			go func() {
				for i := 0; ; i++ {
					m[i%8] = i
				}
			}()
		}
		time.Sleep(time.Minute)
	case "usage":
		fmt.Fprintln(os.Stderr, "lomsong: unknown subcommand \"x\"\npanic: not a crash without a stack")
		os.Exit(exitUsage)
	case "refused":
		os.Exit(exitDataRefused)
	case "killed":
		// Killed from outside (the kernel's OOM killer, kill -9 of the
		// command's own process): no word of its own on stderr.
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		time.Sleep(time.Minute)
	case "slow start":
		// A command still starting: no handler for SIGTERM yet.
		time.Sleep(10 * time.Second)
		os.Exit(exitOK)
	case "":
	default:
		os.Exit(99)
	}
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// lomsongBinary builds the command once per test binary and returns its path.
func lomsongBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		// Made here, not in TestMain: the test binary re-run as a child
		// (TestHostileChild) exits from inside its test and would leave
		// an empty directory behind at every run.
		dir, err := os.MkdirTemp("", "lomsong-bin-")
		if err != nil {
			binError = err
			return
		}
		binDir = dir
		p := filepath.Join(binDir, "lomsong")
		out, err := exec.Command("go", "build", "-o", p, ".").CombinedOutput()
		if err != nil {
			binError = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		binPath = p
	})
	if binError != nil {
		t.Fatal(binError)
	}
	return binPath
}

// runBinary runs the built command and returns its streams and exit code.
func runBinary(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(lomsongBinary(t), args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func TestBinaryExitCodes(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "nonexistent.csv")
	empty := filepath.Join(t.TempDir(), "empty.csv")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	gpkgDir := filepath.Join(t.TempDir(), "out.gpkg")
	if err := os.Mkdir(gpkgDir, 0o755); err != nil {
		t.Fatal(err)
	}
	// A user's document named .gpkg: an export does not replace it.
	notes := filepath.Join(t.TempDir(), "notes.gpkg")
	if err := os.WriteFile(notes, []byte("field notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if b, err := os.ReadFile(notes); err != nil || string(b) != "field notes\n" {
			t.Errorf("the user's notes.gpkg was replaced: %q %v", b, err)
		}
	}()
	cases := []struct {
		name string
		args []string
		code int
		want string // in stdout or stderr
	}{
		{"help", []string{"--help"}, exitOK, "Exit codes"},
		{"command help", []string{"coverage", "--help"}, exitOK, "Example:"},
		{"missing file", []string{"validate", missing}, exitFailure, missing},
		{"missing file ingest", []string{"ingest", "--dataset", filepath.Join(t.TempDir(), "ds"), missing}, exitFailure, missing},
		{"unknown flag", []string{"validate", "--nope", "x.csv"}, exitUsage, "flag provided but not defined: -nope"},
		{"unknown subcommand", []string{"frobnicate"}, exitUsage, `unknown subcommand "frobnicate"`},
		{"no subcommand", nil, exitUsage, "no subcommand"},
		{"empty file", []string{"validate", empty}, exitDataRefused, "empty input: no header line"},
		{"a directory given as a file", []string{"validate", filepath.Dir(empty)}, exitUsage, "is a directory; give the files in it"},
		{"calibration into a directory", []string{"calibrate", "--dataset", missing, "--out", filepath.Dir(empty)}, exitUsage,
			"--out " + filepath.Dir(empty) + " is a directory; it names the calibration file to write"},
		{"plan with a zero budget", []string{"plan", "--dataset", missing, "--out", missing, "--budget", "0"}, exitUsage, "plan: --budget 0: want a positive budget"},
		{"gpkg into a directory", []string{"export", "--dataset", missing, "--period", "2026-10", "--format", "gpkg", "--out", gpkgDir}, exitUsage,
			"is a directory; --format gpkg wants the path of the .gpkg file to write"},
		{"gpkg over a file that is not one", []string{"export", "--dataset", missing, "--period", "2026-10", "--format", "gpkg", "--out", notes}, exitUsage,
			"is not a GeoPackage an export wrote (no lomsong_metadata naming its month): not replaced, nothing is written"},
		{"geoparquet into a file", []string{"export", "--dataset", missing, "--period", "2026-10", "--format", "geoparquet", "--out", empty}, exitUsage,
			"is a file; --format geoparquet writes a folder"},
		{"empty file ingest", []string{"ingest", "--dataset", filepath.Join(t.TempDir(), "ds"), empty}, exitDataRefused, "empty input: no header line"},
		{"month without --period", []string{"run", "--dataset", missing, "2030-01"}, exitUsage,
			`run: unexpected argument "2030-01" (did you mean --period 2030-01?)`},
		{"NaN share", []string{"validate", "--max-reject-share", "NaN", missing}, exitUsage, "validate: --max-reject-share NaN: want a finite number"},
		{"infinite budget", []string{"run", "--dataset", missing, "--budget", "Inf"}, exitUsage, "run: --budget +Inf: want a finite number"},
		// A script's unset variable: not read as "no province" (the whole country).
		{"empty province", []string{"export", "--dataset", missing, "--period", "2026-05", "--province", "", "--out", missing + ".gpkg"}, exitUsage,
			`export: --province "": an empty value`},
		{"population at resolution 0", []string{"population", "--points", missing, "--res", "0", "--out", missing}, exitUsage, "--res 0 outside 5..15"},
		{"population at resolution 16", []string{"population", "--points", missing, "--res", "16", "--out", missing}, exitUsage, "--res 16 outside 5..15: H3 has no resolution finer than 15"},
		{"blank dataset", []string{"deadzones", "--dataset", "  ", "--out", missing}, exitUsage, `deadzones: --dataset "  ": an empty value`},
		{"stray argument", []string{"coverage", "--dataset", missing, "junk", "--out", missing}, exitUsage,
			`coverage: unexpected argument "junk": it takes flags only`},
		{"too many rejected rows", []string{"validate", "--max-reject-share", "0", filepath.Join(examples, "measurements_viettel.csv")},
			exitDataRefused, "max-reject-share"},
		// One range rule (ingest.Limits.CheckRange) for validate, ingest
		// and serve, named by each one's flag.
		{"gzip ratio below 1", []string{"validate", "--max-gzip-ratio", "0.5", missing}, exitUsage, "--max-gzip-ratio 0.5: want a ratio of at least 1"},
		{"line cap over 1GiB", []string{"ingest", "--dataset", missing, "--max-line-bytes", "2GiB", missing}, exitUsage,
			"--max-line-bytes 2147483648: want 1 byte to 1GiB"},
		{"serve gzip ratio below 1", []string{"serve", "--dataset", missing, "--max-gzip-ratio", "0.5"}, exitUsage,
			"serve: --max-gzip-ratio 0.5: want a ratio of at least 1"},
		{"serve share above 1", []string{"serve", "--dataset", missing, "--max-reject-share", "1.5"}, exitUsage,
			"serve: --max-reject-share: reject share 1.5: want a share between 0 and 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errs, code := runBinary(t, c.args...)
			if code != c.code || !strings.Contains(out+errs, c.want) {
				t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s\nwant %q", code, c.code, out, errs, c.want)
			}
			if code != exitInterrupted && strings.Contains(errs, "lomsong: interrupted") {
				t.Fatalf("a run without a signal reported an interruption:\n%s", errs)
			}
		})
	}
}

// TestBinaryInterrupted sends SIGINT to a long-running demo: the command
// stops and exits 130.
func TestBinaryInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("runs part of the demo")
	}
	cmd := exec.Command(lomsongBinary(t), "demo", "--out", filepath.Join(t.TempDir(), "demo"))
	var out, errb syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the demo has begun its work, then interrupt it.
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(out.String(), "== generate") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("demo did not start:\n%s\n%s", out.String(), errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(120 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("demo did not stop after SIGINT:\n%s", out.String())
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
		t.Fatalf("exit %v, want %d\nstdout: %s\nstderr: %s", err, exitInterrupted, out.String(), errb.String())
	}
	if !strings.Contains(errb.String(), "lomsong: interrupted") {
		t.Fatalf("stderr does not say the run was interrupted:\n%s", errb.String())
	}
	if strings.Contains(out.String(), "demo finished") {
		t.Fatalf("the demo ran to the end despite the signal:\n%s", out.String())
	}
}

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestPanicIsInternalError checks that a panic in a subcommand, whatever
// its value, is an internal error with exit code 1 and its stack on stderr.
func TestPanicIsInternalError(t *testing.T) {
	for _, v := range []any{"index out of range", usageError{"looks like usage"}, errors.New("boom")} {
		c := command{run: func(context.Context, []string, *env) error { panic(v) }}
		err := runCommand(context.Background(), "frob", c, nil, &env{})
		var errb bytes.Buffer
		code := exitCode(context.Background(), err, &errb)
		if code != exitFailure || !strings.Contains(errb.String(), "internal error in frob") ||
			!strings.Contains(errb.String(), "goroutine ") || !strings.Contains(errb.String(), "exit_test.go") {
			t.Fatalf("panic(%v): exit %d\n%s", v, code, errb.String())
		}
	}
}

// TestCanceledWithoutSignal: a context error that no signal caused is a
// failure, not an interruption.
func TestCanceledWithoutSignal(t *testing.T) {
	var errb bytes.Buffer
	if code := exitCode(context.Background(), fmt.Errorf("scan: %w", context.Canceled), &errb); code != exitFailure {
		t.Fatalf("exit %d, want %d", code, exitFailure)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if code := exitCode(ctx, fmt.Errorf("scan: %w", context.Canceled), &errb); code != exitInterrupted {
		t.Fatalf("exit %d, want %d", code, exitInterrupted)
	}
}

// exampleDataset ingests the example site register and Viettel's
// measurements (Lai Châu, October 2026) plus three villages into a fresh
// dataset.
func exampleDataset(t *testing.T) string {
	t.Helper()
	return villagesDataset(t, t.TempDir(), "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV3,Bản C,,103.10,22.05,60\n")
}

// exampleDatasetWithSubscriptions is exampleDataset with testSubscriptions
// (Lai Châu's and Hà Nội's months) ingested too.
func exampleDatasetWithSubscriptions(t *testing.T) string {
	t.Helper()
	ds := exampleDataset(t)
	subs := filepath.Join(t.TempDir(), "subscriptions.csv")
	if err := os.WriteFile(subs, []byte(testSubscriptions), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, subs); code != exitOK {
		t.Fatalf("ingest %s: %d %s", subs, code, errs)
	}
	return ds
}

// villagesDataset ingests into dir/ds the example register and Viettel
// tests (in Lai Châu) with these villages (rows of village_id, name,
// commune_code, lon, lat, households) and returns the dataset's path.
func villagesDataset(t *testing.T, dir, rows string) string {
	t.Helper()
	villages := filepath.Join(dir, "villages.csv")
	if err := os.WriteFile(villages, []byte("village_id,name,commune_code,lon,lat,households\n"+rows), 0o644); err != nil {
		t.Fatal(err)
	}
	ds := filepath.Join(dir, "ds")
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"),
		filepath.Join(examples, "measurements_viettel.csv"), villages); code != exitOK {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	return ds
}

// TestBinaryPeriodFlag: a malformed --period is a usage error naming the
// flag and the form YYYY-MM in every command that takes it, before any
// file is read.
func TestBinaryPeriodFlag(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ds, out := filepath.Join(dir, "no-such-dataset"), filepath.Join(dir, "out")
	cmds := [][]string{
		{"aggregate", "--dataset", ds, "--out", out},
		{"calibrate", "--dataset", ds},
		{"coverage", "--dataset", ds, "--out", out},
		{"deadzones", "--dataset", ds, "--out", out},
		{"plan", "--dataset", ds, "--out", out, "--budget", "1e9"},
		{"scorecard", "--dataset", ds, "--out", out},
		{"report", "--dataset", ds, "--out", out},
	}
	for _, c := range cmds {
		for _, bad := range []string{"2026-13", "2026-1", "abc", "2026-00"} {
			t.Run(c[0]+" "+bad, func(t *testing.T) {
				_, errs, code := runBinary(t, append(c, "--period", bad)...)
				want := fmt.Sprintf(`invalid value %q for flag -period: want a calendar month YYYY-MM`, bad)
				if code != exitUsage || !strings.Contains(errs, want) {
					t.Fatalf("exit %d (want %d)\nstderr: %s\nwant %q", code, exitUsage, errs, want)
				}
			})
		}
	}
	// Each month of a list is checked.
	if _, errs, code := runBinary(t, "aggregate", "--dataset", ds, "--out", out, "--period", "2026-10,2026-13"); code != exitUsage ||
		!strings.Contains(errs, "YYYY-MM") {
		t.Fatalf("period list: exit %d\n%s", code, errs)
	}
	if fileExists(out) {
		t.Fatal("a usage error wrote output")
	}
}

// TestBinaryNoSitesRefused: a dataset without a site register holds no
// data for any command that predicts coverage to answer with: each is
// refused (exit 3), says what to ingest, and writes nothing.
func TestBinaryNoSitesRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ds, out := filepath.Join(dir, "villages-only"), filepath.Join(dir, "out")
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "villages.csv")); code != exitOK {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	for _, c := range [][]string{
		{"run", "--dataset", ds, "--period", "2026-10"},
		{"coverage", "--dataset", ds, "--period", "2026-10", "--out", out},
		{"deadzones", "--dataset", ds, "--period", "2026-10", "--out", out},
		{"plan", "--dataset", ds, "--period", "2026-10", "--out", out, "--budget", "1e9"},
		{"report", "--dataset", ds, "--period", "2026-10", "--out", out},
		{"campaign", "--dataset", ds, "--days", "3", "--out", out},
	} {
		_, errs, code := runBinary(t, c...)
		if code != exitDataRefused || !strings.Contains(errs, "no sites in the dataset: ingest a site register first") {
			t.Errorf("%s: exit %d (want %d)\n%s", c[0], code, exitDataRefused, errs)
		}
	}
	if fileExists(out) {
		t.Error("a refused command wrote output")
	}
}

// TestBinaryMissingDataset: a --dataset that is not a directory (a typo,
// most often) is said to be one, not answered as an empty dataset: exit 1
// (an existing folder without a dataset is exit 3, no data). lomsong
// dataset's DIR is said to be missing the same way (it said "stat DIR:
// no such file or directory").
func TestBinaryMissingDataset(t *testing.T) {
	t.Parallel()
	ds := filepath.Join(t.TempDir(), "no-such-dataset")
	for _, c := range [][]string{
		{"run", "--dataset", ds, "--period", "2026-10"},
		{"aggregate", "--dataset", ds, "--out", filepath.Join(t.TempDir(), "agg")},
		{"scorecard", "--dataset", ds, "--period", "2026-10", "--out", filepath.Join(t.TempDir(), "sc")},
		{"users", "ls", "--dataset", ds},
		{"users", "add", "--dataset", ds, "--role", "ministry", "cuc-vt"},
		{"serve", "--dataset", ds, "--listen", "127.0.0.1:0"},
		{"dataset", "ls", ds},
		{"dataset", "verify", ds},
		{"dataset", "repair", ds},
		{"dataset", "retract", ds, "3f9a1c27"},
	} {
		_, errs, code := runBinary(t, c...)
		if code != exitFailure || !strings.Contains(errs, ds+": no dataset here (not a directory)") {
			t.Errorf("%s: exit %d (want %d)\n%s", c[0], code, exitFailure, errs)
		}
		// A mistyped path never becomes a new, empty dataset.
		if _, err := os.Stat(ds); !os.IsNotExist(err) {
			t.Fatalf("%s created %s (%v)", c[0], ds, err)
		}
	}
}

// TestBinaryPeriodSelection: the one-month commands read the latest month
// with measurements by default and say so; a month without measurements is
// refused (exit 3).
func TestBinaryPeriodSelection(t *testing.T) {
	t.Parallel()
	ds := exampleDataset(t)
	out := filepath.Join(t.TempDir(), "out")
	cases := []struct {
		name string
		args []string
	}{
		{"calibrate", []string{"calibrate", "--dataset", ds, "--out", filepath.Join(out, "cal.json")}},
		{"coverage", []string{"coverage", "--dataset", ds, "--out", filepath.Join(out, "cov")}},
		{"deadzones", []string{"deadzones", "--dataset", ds, "--out", filepath.Join(out, "dz")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stdout, errs, code := runBinary(t, c.args...)
			if code != exitOK || !strings.Contains(errs, "period: 2026-10 (latest with measurements)") {
				t.Fatalf("default period: exit %d\n%s\n%s", code, stdout, errs)
			}
			stdout, errs, code = runBinary(t, append(c.args, "--period", "2026-10")...)
			if code != exitOK || strings.Contains(errs, "latest with measurements") {
				t.Fatalf("--period 2026-10: exit %d\n%s\n%s", code, stdout, errs)
			}
			_, errs, code = runBinary(t, append(c.args, "--period", "2026-09")...)
			want := "no measurements in period 2026-09 in " + ds
			if code != exitDataRefused || !strings.Contains(errs, want) {
				t.Fatalf("--period 2026-09: exit %d (want %d)\n%s\nwant %q", code, exitDataRefused, errs, want)
			}
		})
	}
	_, errs, code := runBinary(t, "aggregate", "--dataset", ds, "--out", filepath.Join(out, "agg"), "--period", "2026-09")
	if code != exitDataRefused || !strings.Contains(errs, "no measurements in period 2026-09") {
		t.Fatalf("aggregate --period 2026-09: exit %d\n%s", code, errs)
	}
	// The report of a month without measurements is refused too (it
	// exited 1, the code of an unreadable file), naming the months that
	// have some; no report is written.
	_, errs, code = runBinary(t, "report", "--dataset", ds, "--out", filepath.Join(out, "report"), "--period", "2026-09")
	if code != exitDataRefused || !strings.Contains(errs, "no measurements in 2026-09") || !strings.Contains(errs, "months with measurements in "+ds+": 2026-10") {
		t.Fatalf("report --period 2026-09: exit %d (want %d)\n%s", code, exitDataRefused, errs)
	}
	if fileExists(filepath.Join(out, "report", "report.html")) {
		t.Error("report.html written for a month without data")
	}
}

// TestBinaryProvinceWithoutData: a province holding neither measurements
// nor sites is refused (exit 3) by every command that analyses one, and
// nothing is written; a province with data is analysed alone.
func TestBinaryProvinceWithoutData(t *testing.T) {
	t.Parallel()
	ds := exampleDataset(t)
	out := filepath.Join(t.TempDir(), "out")
	for _, c := range [][]string{
		{"calibrate", "--dataset", ds, "--out", filepath.Join(out, "cal.json")},
		{"coverage", "--dataset", ds, "--out", filepath.Join(out, "cov")},
		{"deadzones", "--dataset", ds, "--out", filepath.Join(out, "dz")},
		{"plan", "--dataset", ds, "--budget", "1e9", "--out", filepath.Join(out, "plan")},
		{"scorecard", "--dataset", ds, "--period", "2026-10", "--out", filepath.Join(out, "sc")},
	} {
		t.Run(c[0], func(t *testing.T) {
			stdout, errs, code := runBinary(t, append(c, "--province", "ha noi")...)
			if code != exitDataRefused || !strings.Contains(errs, "no measurements or sites in Hà Nội (01)") {
				t.Fatalf("exit %d (want %d)\n%s\n%s", code, exitDataRefused, stdout, errs)
			}
		})
	}
	if fileExists(out) {
		t.Fatal("a refused run wrote output")
	}
	// Lai Châu holds the data: only its hexes are written.
	cov := filepath.Join(out, "cov")
	stdout, errs, code := runBinary(t, "coverage", "--dataset", ds, "--province", "lai chau", "--out", cov)
	if code != exitOK || !strings.Contains(stdout, "coverage over Lai Châu (12)") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, errs)
	}
	rows, err := readCSVFile(filepath.Join(cov, "coverage_best.csv"))
	if err != nil {
		t.Fatal(err)
	}
	checkCellsInProvince(t, rows, "12")
}

// TestBinaryProvinceWithoutVillages: a province with sites and tests but
// none of the dataset's villages (the villages are the population) has no
// known households: every command that decides its dead zones refuses it
// (exit 3) saying so, instead of an all-clear of zeros; the scorecard
// shows target 1 unknown and says why.
func TestBinaryProvinceWithoutVillages(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// One village, in Điện Biên Phủ; the example sites and tests are in
	// Lai Châu.
	ds := villagesDataset(t, dir, "V1,Bản A,,103.02,21.38,40\n")
	out := filepath.Join(dir, "out")
	const why = "no village of the dataset lies in Lai Châu (12)"
	for _, c := range [][]string{
		{"deadzones", "--dataset", ds, "--out", filepath.Join(out, "dz")},
		{"plan", "--dataset", ds, "--budget", "1e9", "--out", filepath.Join(out, "plan")},
		{"campaign", "--dataset", ds, "--days", "2", "--out", filepath.Join(out, "camp")},
		{"run", "--dataset", ds, "--out", filepath.Join(out, "run")},
		{"scorecard", "--dataset", ds, "--period", "2026-10", "--out", filepath.Join(out, "sc")},
	} {
		t.Run(c[0], func(t *testing.T) {
			stdout, errs, code := runBinary(t, append(c, "--province", "lai chau")...)
			if code != exitDataRefused || !strings.Contains(errs, why) {
				t.Fatalf("exit %d (want %d, %q)\n%s\n%s", code, exitDataRefused, why, stdout, errs)
			}
		})
	}
	if fileExists(filepath.Join(out, "dz")) || fileExists(filepath.Join(out, "plan")) || fileExists(filepath.Join(out, "camp")) {
		t.Fatal("a refused run wrote output")
	}
}

// checkCellsInProvince checks that every hex of a CSV's cell column has
// its centre inside the 2025 province with this code.
func checkCellsInProvince(t *testing.T, rows [][]string, code string) {
	t.Helper()
	set, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	u, _ := set.ByCode(code)
	ic := slices.Index(rows[0], "cell")
	if ic < 0 || len(rows) < 2 {
		t.Fatalf("no cells: %v", rows[0])
	}
	for _, r := range rows[1:] {
		c, err := hexgrid.Parse(r[ic])
		if err != nil {
			t.Fatal(err)
		}
		ctr, err := c.Center()
		if err != nil {
			t.Fatal(err)
		}
		if !u.Contains(ctr) {
			t.Fatalf("hex %s (centre %v) lies outside %s", r[ic], ctr, u.Name)
		}
	}
}

// TestBinaryProvinceNames: one boundary set everywhere (the 34 provinces
// of 2025); a former province is answered with what it merged into, an
// unknown name with the nearest names; both are usage errors.
func TestBinaryProvinceNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"demo former province", []string{"demo", "--province", "Ha Giang", "--out", filepath.Join(dir, "demo")},
			`--province "Ha Giang": Hà Giang merged into Tuyên Quang on 1 July 2025; use --province "Tuyên Quang"`},
		{"demo former code", []string{"demo", "--province", "02", "--out", filepath.Join(dir, "demo")},
			`Hà Giang merged into Tuyên Quang on 1 July 2025; use --province "Tuyên Quang"`},
		{"demo misspelt", []string{"demo", "--province", "lai chua", "--out", filepath.Join(dir, "demo")},
			`--province "lai chua": no such unit in vn-provinces-2025-from-2019; did you mean "Lai Châu" (12)?`},
		{"coverage former province", []string{"coverage", "--dataset", filepath.Join(dir, "ds"), "--province", "bac kan", "--out", filepath.Join(dir, "cov")},
			`Bắc Kạn merged into Thái Nguyên on 1 July 2025; use --province "Thái Nguyên"`},
		{"deadzones unknown", []string{"deadzones", "--dataset", filepath.Join(dir, "ds"), "--province", "atlantis", "--out", filepath.Join(dir, "dz")},
			`--province "atlantis": no such unit in vn-provinces-2025-from-2019 (lomsong areas lists them)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stdout, errs, code := runBinary(t, c.args...)
			if code != exitUsage || !strings.Contains(errs, c.want) {
				t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s\nwant %q", code, exitUsage, stdout, errs, c.want)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a usage error wrote %v", entries)
	}
	// The 63 provinces stay available when asked for.
	stdout, errs, code := runBinary(t, "areas", "--boundaries", "provinces2019", "Ha Giang")
	if code != exitOK || !strings.Contains(stdout, "Hà Giang") {
		t.Fatalf("areas --boundaries provinces2019: exit %d\n%s\n%s", code, stdout, errs)
	}
}

// TestBinaryNoMeasurements: a dataset of sites alone is analysed from the
// prediction, and says so; asking for a month is refused.
func TestBinaryNoMeasurements(t *testing.T) {
	t.Parallel()
	ds := filepath.Join(t.TempDir(), "ds")
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv")); code != exitOK {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	out := filepath.Join(t.TempDir(), "cov")
	stdout, errs, code := runBinary(t, "coverage", "--dataset", ds, "--province", "lai chau", "--res", "7", "--out", out)
	if code != exitOK || !strings.Contains(errs, "period: none (the dataset has no measurements; prediction only)") ||
		!strings.Contains(errs, "every verdict rests on the uncalibrated prediction alone") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, errs)
	}
	_, errs, code = runBinary(t, "coverage", "--dataset", ds, "--period", "2026-10", "--out", out)
	if code != exitDataRefused || !strings.Contains(errs, "no measurements in period 2026-10 in "+ds+" (months with measurements: none)") {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	// Nothing to calibrate against: data refused, as aggregate's.
	// Said once, without the warning about verdicts that rest on the
	// prediction alone: calibrate makes none.
	_, errs, code = runBinary(t, "calibrate", "--dataset", ds)
	if code != exitDataRefused || !strings.Contains(errs, "no measurements to calibrate against") || strings.Contains(errs, "every verdict rests") ||
		strings.Contains(errs, "period: none") {
		t.Fatalf("calibrate: exit %d\n%s", code, errs)
	}
}

// TestBinaryExitCodesMissingData: a dataset without what a command needs
// is data refused (exit 3), a flag out of its range a usage error (exit 2),
// each naming what is missing or which flag.
func TestBinaryExitCodesMissingData(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ds := filepath.Join(dir, "ds")
	// Sites and measurements, no villages and no population table.
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"),
		filepath.Join(examples, "measurements_viettel.csv")); code != exitOK {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	// A site register alone: no measurements.
	empty := filepath.Join(dir, "sites-only")
	if _, errs, code := runCmd(t, "ingest", "--dataset", empty, filepath.Join(examples, "sites.csv")); code != exitOK {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	out := filepath.Join(dir, "out")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"deadzones", "--dataset", ds, "--out", out}, exitDataRefused, "give a population table or ingest a villages table"},
		{[]string{"run", "--dataset", ds, "--period", "2026-10"}, exitDataRefused, "give a population table or ingest a villages table"},
		{[]string{"aggregate", "--dataset", empty, "--out", out}, exitDataRefused, "no measurements in the dataset"},
		// A carrier without measurements is refused, naming those with some
		// (it wrote empty tables, exit 0).
		{[]string{"aggregate", "--dataset", ds, "--carrier", "vnpt", "--out", out}, exitDataRefused,
			"--carrier vnpt: no measurements of vinaphone in " + ds + " (carriers with measurements: viettel)"},
		{[]string{"coverage", "--dataset", ds, "--res", "3", "--out", out}, exitUsage, "--res: resolution 3: the analysis needs resolution 6 or finer"},
		{[]string{"report", "--dataset", ds, "--period", "2026-10", "--budget", "0", "--out", out}, exitUsage, "--budget 0: want an amount of VND above 0"},
		{[]string{"plan", "--dataset", ds, "--budget", "1e9", "--include-sharing", "--sharing-agreement-vnd", "NaN", "--out", out}, exitUsage,
			"--sharing-agreement-vnd NaN: want a finite number"},
		// Beyond 10¹⁵ đồng the costs overflowed to −9.2e18.
		{[]string{"plan", "--dataset", ds, "--budget", "1e9", "--sharing-per-hex-vnd", "1e20", "--out", out}, exitUsage,
			"--sharing-per-hex-vnd 1e+20: want an amount of VND from 0 to 1e+15"},
		// A fraction of a đồng was taken, 765 hexes at 0.5 written as 383.
		{[]string{"plan", "--dataset", ds, "--budget", "1e9", "--sharing-per-hex-vnd", "0.5", "--out", out}, exitUsage,
			"--sharing-per-hex-vnd 0.5: want whole đồng"},
		{[]string{"run", "--dataset", ds, "--budget", "0", "--out", out}, exitUsage, "--budget 0: want an amount of VND above 0"},
		{[]string{"areas", "xyz"}, exitUsage, `"xyz": no such unit in`},
		// Thousands of workers took minutes for 20,000 rows; a negative
		// count was taken as the default.
		{[]string{"aggregate", "--dataset", ds, "--out", out, "--workers", "20000"}, exitUsage, "--workers 20000: want 0 (one per core) to 256"},
		{[]string{"aggregate", "--dataset", ds, "--out", out, "--workers", "-3"}, exitUsage, "--workers -3: want 0"},
		// --miss-cost 0 ran as if not given (cut 0.5).
		{[]string{"deadzones", "--dataset", ds, "--out", out, "--miss-cost", "0"}, exitUsage, "--miss-cost 0: want a positive number"},
		// Positive, but the cut rounds to 1 (it failed after the run with
		// exit 1 and the engine's words).
		{[]string{"deadzones", "--dataset", ds, "--out", out, "--miss-cost", "1e-17"}, exitUsage, "--miss-cost 1e-17"},
		{[]string{"deadzones", "--dataset", ds, "--out", out, "--served-reliability", "1e-17"}, exitUsage, "--served-reliability 1e-17"},
		// --res 0 or below left the cells' resolution unchecked.
		{[]string{"validate", "--kind", "claims", "--res", "0", filepath.Join(examples, "sites.csv")}, exitUsage, "--res 0: an analysis resolution is 1..15"},
	} {
		_, errs, code := runBinary(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%s: exit %d (want %d), want %q in\n%s", strings.Join(c.args, " "), code, c.code, c.want, errs)
		}
	}
	if fileExists(out) {
		t.Error("a refused command wrote output")
	}
	// One measurement fits no calibration: the file is written (it may
	// reset an earlier one) but the command says it corrects nothing (it
	// said nothing).
	one := filepath.Join(dir, "one")
	m, err := os.ReadFile(filepath.Join(examples, "measurements_viettel.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(m), "\n", 3)
	mOne := writeFile(t, dir, "m1.csv", []byte(lines[0]+"\n"+lines[1]+"\n"))
	if _, errs, code := runCmd(t, "ingest", "--dataset", one, filepath.Join(examples, "sites.csv"), mOne); code != exitOK {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	cal := filepath.Join(dir, "cal.json")
	if _, errs, code := runBinary(t, "calibrate", "--dataset", one, "--out", cal); code != exitOK ||
		!strings.Contains(errs, "warning: no carrier and technology has enough measured hexes with a prediction to fit (1 measured") ||
		!strings.Contains(errs, "the file corrects no prediction") || !fileExists(cal) {
		t.Errorf("calibrate on one measurement: exit %d\n%s", code, errs)
	}
	// A carrier named as ingest names it is found.
	if stdout, errs, code := runBinary(t, "aggregate", "--dataset", ds, "--carrier", "Viettel Mobile", "--out", out); code != exitOK ||
		strings.HasPrefix(stdout, "0 rows read") {
		t.Errorf("aggregate --carrier 'Viettel Mobile': exit %d\n%s%s", code, stdout, errs)
	}
}

// TestBinaryScorecardMonthBefore: the scorecard compares a month with the
// one before it; when the province had nothing in the month before, the
// card is still made (its changes are unknown), not refused.
func TestBinaryScorecardMonthBefore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("ts,carrier,tech,lon,lat,signal_dbm,service,environment\n")
	for i := range 30 {
		fmt.Fprintf(&b, "2026-10-%02dT08:%02d:00+07:00,viettel,4G,%.4f,%.4f,%.1f,ok,outdoor\n", 1+i%20, i, 105.80+0.003*float64(i), 21.00+0.001*float64(i), -90-0.5*float64(i))
	}
	hanoi, villages := filepath.Join(dir, "hanoi.csv"), filepath.Join(dir, "villages.csv")
	os.WriteFile(hanoi, []byte(b.String()), 0o644)
	os.WriteFile(villages, []byte("village_id,name,commune_code,lon,lat,households\nV1,Thôn A,,105.84,21.02,40\n"), 0o644)
	ds := filepath.Join(dir, "ds")
	// The sites are all in Lai Châu; Hà Nội has measurements in 2026-10 only.
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"), hanoi, villages); code != exitOK {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	stdout, errs, code := runBinary(t, "scorecard", "--dataset", ds, "--province", "ha noi", "--period", "2026-10", "--out", filepath.Join(dir, "sc"))
	if code != exitOK || !strings.Contains(stdout, "scorecard for 2026-10") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, errs)
	}
	// A month with no data at all is refused, never scored.
	_, errs, code = runBinary(t, "scorecard", "--dataset", ds, "--province", "ha noi", "--period", "2026-11", "--out", filepath.Join(dir, "sc2"))
	if code != exitDataRefused || !strings.Contains(errs, "no data for 2026-11") || strings.Contains(errs, "NOT MET") {
		t.Fatalf("exit %d\n%s", code, errs)
	}
}

// TestSupervise: a crash on any goroutine of the command's process (exit
// 2 from the Go runtime) becomes an internal error, exit 1; other exit
// codes pass through.
func TestSupervise(t *testing.T) {
	cases := []struct {
		child string
		code  int
		want  string
	}{
		{"goroutine panic", exitFailure, "panic: worker failed"},
		{"fatal", exitFailure, "fatal error: concurrent map writes"},
		{"usage", exitUsage, "unknown subcommand"},
		{"refused", exitDataRefused, ""},
	}
	for _, c := range cases {
		t.Run(c.child, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "LOMSONG_TEST_CHILD="+c.child)
			var errb bytes.Buffer
			code := supervise(cmd, &errb)
			if code != c.code || !strings.Contains(errb.String(), c.want) {
				t.Fatalf("exit %d (want %d)\n%s", code, c.code, errb.String())
			}
			if crashed := strings.Contains(errb.String(), "lomsong: internal error"); crashed != (c.code == exitFailure) {
				t.Fatalf("internal error reported: %v\n%s", crashed, errb.String())
			}
		})
	}
}

// TestSuperviseChildKilled: a command killed by a signal it was not sent
// through lomsong (SIGKILL from the kernel when memory ran out) ended
// with exit 137 and not a word on stderr; the exit code stays 128 + the
// signal, and the supervisor says what ended it.
func TestSuperviseChildKilled(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "LOMSONG_TEST_CHILD=killed")
	var errb bytes.Buffer
	code := supervise(cmd, &errb)
	if code != 128+int(syscall.SIGKILL) || !strings.Contains(errb.String(), "killed by signal") || !strings.Contains(errb.String(), "memory") {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
}

// TestSuperviseInterruptedAtStart: SIGTERM forwarded to a child that has
// not yet installed its handler ends it by the signal; the supervisor
// still answers 130, interrupted, as the contract says (it gave 143).
func TestSuperviseInterruptedAtStart(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "LOMSONG_TEST_CHILD=slow start")
	code := make(chan int, 1)
	var errb bytes.Buffer
	go func() { code <- supervise(cmd, &errb) }()
	// supervise installs its handler before it starts the child; the
	// child sleeps without one.
	time.Sleep(500 * time.Millisecond)
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-code:
		if c != exitInterrupted {
			t.Fatalf("exit %d, want %d (interrupted)", c, exitInterrupted)
		}
	case <-time.After(8 * time.Second):
		t.Fatal("the child was not interrupted")
	}
}

func TestPeriodFlags(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string // "" for an error
	}{
		{"2026-10", "2026-10"}, {"2024-01", "2024-01"}, {"2026-12", "2026-12"},
		{"2026-13", ""}, {"2026-00", ""}, {"2026-1", ""}, {"26-10", ""}, {"abc", ""}, {"", ""}, {"2026-10-01", ""}, {" 2026-10", ""},
	} {
		var f periodFlag
		err := f.Set(c.in)
		if (err == nil) != (c.want != "") || f.String() != c.want {
			t.Errorf("periodFlag.Set(%q) = %q, %v; want %q", c.in, f.String(), err, c.want)
		}
		if err != nil && !strings.Contains(err.Error(), "YYYY-MM") {
			t.Errorf("error %q does not give the form", err)
		}
	}
	var l periodListFlag
	if err := l.Set("2026-09, 2026-10"); err != nil || l.String() != "2026-09,2026-10" {
		t.Fatalf("list: %q %v", l.String(), err)
	}
	for _, bad := range []string{"2026-09,2026-13", ",", "2026-9"} {
		var l periodListFlag
		if err := l.Set(bad); err == nil {
			t.Errorf("list %q accepted as %q", bad, l.String())
		}
	}
	// A valid month with measurements is aggregated alone.
	ds := exampleDataset(t)
	out := filepath.Join(t.TempDir(), "agg")
	stdout, errs, code := runCmd(t, "aggregate", "--dataset", ds, "--period", "2026-10", "--out", out)
	if code != exitOK || !strings.Contains(stdout, "400 rows read") {
		t.Fatalf("aggregate --period 2026-10: %d\n%s\n%s", code, stdout, errs)
	}
}

// TestBinaryOneMonth: with measurements in two months, each one-month
// command reads only the month asked for (the latest by default).
func TestBinaryOneMonth(t *testing.T) {
	t.Parallel()
	ds := exampleDataset(t) // 400 rows in 2026-10
	var b strings.Builder
	b.WriteString("ts,carrier,tech,lon,lat,signal_dbm,service,environment\n")
	for i := range 20 {
		fmt.Fprintf(&b, "2026-09-%02dT09:%02d:00+07:00,viettel,4G,%.4f,%.4f,%.1f,ok,outdoor\n", 1+i, i, 103.40+0.002*float64(i), 22.35+0.001*float64(i), -85-float64(i))
	}
	sep := filepath.Join(t.TempDir(), "september.csv")
	os.WriteFile(sep, []byte(b.String()), 0o644)
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, sep); code != exitOK {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	out := t.TempDir()
	for _, c := range []struct {
		args []string
		rows string
	}{
		{nil, ": 400 measurement rows"},
		{[]string{"--period", "2026-10"}, ": 400 measurement rows"},
		{[]string{"--period", "2026-09"}, ": 20 measurement rows"},
	} {
		args := append([]string{"coverage", "--dataset", ds, "--province", "lai chau", "--res", "7", "--out", filepath.Join(out, "cov")}, c.args...)
		stdout, errs, code := runBinary(t, args...)
		if code != exitOK || !strings.Contains(stdout, c.rows) {
			t.Fatalf("%v: exit %d, want %q\n%s\n%s", c.args, code, c.rows, stdout, errs)
		}
	}
}

// readCSVFile reads a whole CSV output file, header first.
func readCSVFile(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: empty", path)
	}
	return rows, nil
}

// LOMSONG_CPUPROFILE and LOMSONG_MEMPROFILE write profiles pprof reads
// (gzip-compressed protocol buffers), LOMSONG_TRACE an execution trace go
// tool trace reads, whatever the command.
func TestProfilesFromEnv(t *testing.T) {
	dir := t.TempDir()
	cpu, heap, tr := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "heap.pprof"), filepath.Join(dir, "run.trace")
	cmd := exec.Command(lomsongBinary(t), "version")
	cmd.Env = append(os.Environ(), cpuProfileEnv+"="+cpu, heapProfileEnv+"="+heap, traceEnv+"="+tr)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(string(out), "heap profile at a live heap of") {
		t.Errorf("no notice of the heap profile:\n%s", out)
	}
	for _, p := range []string{cpu, heap} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
			t.Errorf("%s: %d bytes, not a gzip-compressed profile", filepath.Base(p), len(b))
		}
	}
	// An execution trace starts with its format's header.
	if b, err := os.ReadFile(tr); err != nil {
		t.Fatal(err)
	} else if !bytes.HasPrefix(b, []byte("go 1.")) {
		t.Errorf("run.trace: %d bytes, not an execution trace (starts %q)", len(b), b[:min(len(b), 16)])
	}
	// Nothing else, temporaries included, is left beside them.
	if es, err := os.ReadDir(dir); err != nil || len(es) != 3 {
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		t.Errorf("the profiles' folder holds %v (%v), want cpu.pprof, heap.pprof and run.trace alone", names, err)
	}
}

// TestSignalWhileRunningIsInterrupted: a command that finishes after a
// signal arrived exits 130 all the same (whoever sent it must not read
// success); serve, which a signal stops by design, exits 0.
func TestSignalWhileRunningIsInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	finish := command{run: func(ctx context.Context, _ []string, _ *env) error {
		cancel() // the signal arrives while the command runs
		return nil
	}}
	var errb bytes.Buffer
	if code := exitCode(ctx, runCommand(ctx, "coverage", finish, nil, &env{}), &errb); code != exitInterrupted ||
		!strings.Contains(errb.String(), "lomsong: interrupted: coverage finished, but a signal arrived while it ran") {
		t.Fatalf("exit %d, want %d\n%s", code, exitInterrupted, errb.String())
	}
	errb.Reset()
	if code := exitCode(ctx, runCommand(ctx, "serve", finish, nil, &env{}), &errb); code != exitOK || errb.Len() != 0 {
		t.Fatalf("serve: exit %d, want 0\n%s", code, errb.String())
	}
}

// TestDemoBadFlagsWriteNothing: demo checks every flag before it
// generates anything, so a bad one leaves no half-built --out (which would
// refuse the corrected rerun).
func TestDemoBadFlagsWriteNothing(t *testing.T) {
	for _, c := range []struct{ flag, value, want string }{
		{"--budget", "-5", "demo: --budget -5: want an amount of VND above 0"},
		{"--res", "20", "demo: --res 20"},
		{"--density", "0", "demo: --density 0: want a multiplier above 0"},
	} {
		out := filepath.Join(t.TempDir(), "demo")
		_, errs, code := runCmd(t, "demo", c.flag, c.value, "--out", out)
		if code != exitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("demo %s %s: exit %d\n%s", c.flag, c.value, code, errs)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("demo %s %s left %s behind (%v)", c.flag, c.value, out, err)
		}
	}
}

// TestCoverageUnknownLayerCarrier: a --geojson-layers carrier the coverage
// has no hex of is refused, naming the carriers (an empty layer would read
// as "no coverage"); a known carrier's technology without sites is written
// empty with a warning.
func TestCoverageUnknownLayerCarrier(t *testing.T) {
	ds := exampleDataset(t)
	out := filepath.Join(t.TempDir(), "cov")
	_, errs, code := runCmd(t, "coverage", "--dataset", ds, "--geojson-layers", "viettle:4G", "--out", out)
	if code != exitUsage || !strings.Contains(errs, `no coverage of carrier "viettle" here (carriers: `) {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	if fileExists(out) {
		t.Fatal("a refused layer wrote output")
	}
	_, errs, code = runCmd(t, "coverage", "--dataset", ds, "--geojson-layers", "viettel:5G", "--out", out)
	if code != exitOK || !strings.Contains(errs, "layer viettel:5G has no hexes") || !fileExists(filepath.Join(out, "coverage_viettel_5G.geojson")) {
		t.Fatalf("exit %d\n%s", code, errs)
	}
}

// ingestOneTest writes a measurement file of one drive test at local
// time ts and ingests it into a new dataset; it returns the file and the
// dataset.
func ingestOneTest(t *testing.T, ts string) (in, ds string) {
	t.Helper()
	dir := t.TempDir()
	in = filepath.Join(dir, "m.csv")
	if err := os.WriteFile(in, []byte("ts,carrier,tech,lon,lat,signal_dbm,service,source,device_id,device_class,environment\n"+
		ts+",viettel,4G,103.1,22.4,-90,ok,drive,d1,scanner,vehicle\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ds = filepath.Join(dir, "ds")
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, in); code != exitOK {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	return in, ds
}

// TestReingestAnotherReading: the same file ingested again with another
// --timezone is refused (exit 3) saying what differs; with the first
// reading it is "already ingested" (exit 0).
func TestReingestAnotherReading(t *testing.T) {
	in, ds := ingestOneTest(t, "2024-10-31 20:00:00")
	_, errs, code := runCmd(t, "ingest", "--dataset", ds, "--timezone", "UTC", in)
	if code != exitDataRefused || !strings.Contains(errs, `read with another mapping (timezone: the default → "UTC"); a dataset keeps one reading of a file, so nothing was added`) {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	if out, errs, code := runCmd(t, "ingest", "--dataset", ds, in); code != exitOK || !strings.Contains(out, "already ingested") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	// The way out it names: retract the first reading, then ingest anew
	// (it said to ingest into a new dataset).
	m := regexp.MustCompile(`lomsong dataset retract (\S+) ([0-9a-f]{16}), then ingest it again`).FindStringSubmatch(errs)
	if m == nil || m[1] != ds {
		t.Fatalf("no retract advice naming the dataset %s:\n%s", ds, errs)
	}
	if _, errs, code := runCmd(t, "dataset", "retract", "--why", "wrong zone", ds, "nosuch"); code != exitUsage || !strings.Contains(errs, m[2]) {
		t.Fatalf("retract nosuch: exit %d\n%s", code, errs)
	}
	if _, _, code := runCmd(t, "dataset", "retract", ds); code != exitUsage {
		t.Fatalf("retract without a source: exit %d", code)
	}
	// A calibration written before the source was ingested cannot have
	// been fitted with it: the retraction does not say it was.
	cal := filepath.Join(ds, "calibration.json")
	if err := os.WriteFile(cal, []byte(`{"resolution":8,"with_slope":false,"calibrations":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(cal, old, old); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCmd(t, "dataset", "retract", "--why", "wrong zone", ds, m[2])
	if code != exitOK || !strings.Contains(out, "retracted m.csv") || !strings.Contains(out, filepath.Join(ds, "retracted", "0001")) ||
		strings.Contains(out, "calibration.json") {
		t.Fatalf("retract: exit %d\n%s\n%s", code, out, errs)
	}
	if out, errs, code := runCmd(t, "ingest", "--dataset", ds, "--timezone", "UTC", in); code != exitOK || strings.Contains(out, "already ingested") {
		t.Fatalf("ingest after the retraction: exit %d\n%s\n%s", code, out, errs)
	}
	// One written after it most likely was.
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(cal, later, later); err != nil {
		t.Fatal(err)
	}
	if out, errs, code := runCmd(t, "dataset", "retract", ds, "m.csv"); code != exitOK || !strings.Contains(out, "most likely fitted with it") {
		t.Fatalf("second retract: exit %d\n%s\n%s", code, out, errs)
	}
	if out, errs, code := runCmd(t, "ingest", "--dataset", ds, "--timezone", "UTC", in); code != exitOK {
		t.Fatalf("ingest after the second retraction: exit %d\n%s\n%s", code, out, errs)
	}
	// A calibration that names the sources it was fitted on is taken at
	// its word, whenever it was written: one fitted without the source is
	// not said to need fitting again, one fitted with it is.
	var man struct {
		Sources []struct{ Name, SHA256 string } `json:"sources"`
	}
	b, err := os.ReadFile(filepath.Join(ds, "manifest.json"))
	if err != nil || json.Unmarshal(b, &man) != nil || len(man.Sources) == 0 {
		t.Fatalf("manifest: %v %s", err, b)
	}
	sha := man.Sources[len(man.Sources)-1].SHA256
	for i, fitted := range []string{strings.Repeat("0", 64), sha} {
		if err := os.WriteFile(cal, []byte(`{"resolution":8,"with_slope":false,"calibrations":[],"fitted_on_sources":["`+fitted+`"]}`), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(cal, later, later); err != nil {
			t.Fatal(err)
		}
		out, errs, code := runCmd(t, "dataset", "retract", ds, sha[:16])
		if code != exitOK || strings.Contains(out, "calibration.json") != (i == 1) || i == 1 && !strings.Contains(out, "was fitted with it (fitted_on_sources)") {
			t.Fatalf("retract, calibration fitted on %s…: exit %d\n%s\n%s", fitted[:8], code, out, errs)
		}
		if out, errs, code := runCmd(t, "ingest", "--dataset", ds, "--timezone", "UTC", in); code != exitOK {
			t.Fatalf("ingest after retraction %d: exit %d\n%s\n%s", i, code, out, errs)
		}
	}
	if _, errs, code := runCmd(t, "dataset", "verify", ds); code != exitOK {
		t.Fatalf("verify: exit %d\n%s", code, errs)
	}
}

// TestSourceDateEpoch: with SOURCE_DATE_EPOCH set, the ingest time the
// manifest records is that instant (so reruns write identical files).
func TestSourceDateEpoch(t *testing.T) {
	at := time.Date(2026, 10, 31, 17, 0, 0, 0, time.UTC)
	t.Setenv("SOURCE_DATE_EPOCH", strconv.FormatInt(at.Unix(), 10))
	_, ds := ingestOneTest(t, "2026-10-20 20:00:00")
	b, err := os.ReadFile(filepath.Join(ds, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Sources []struct {
			IngestedAt time.Time `json:"ingested_at"`
		} `json:"sources"`
	}
	if err := json.Unmarshal(b, &m); err != nil || len(m.Sources) != 1 || !m.Sources[0].IngestedAt.Equal(at) {
		t.Fatalf("ingest time %+v (%v), want %v", m.Sources, err, at)
	}
}

// TestBinaryMalformedSourceDateEpoch: a SOURCE_DATE_EPOCH that is not an
// integer as date +%s prints it is refused before the command runs (exit
// 2, naming the variable and the value), never silently replaced by the
// wall clock; well-formed values, including a negative one, are taken.
func TestBinaryMalformedSourceDateEpoch(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		wantCode    int
	}{
		{"leading space", " 1730419200", exitUsage},
		{"trailing newline", "1730419200\n", exitUsage},
		{"fraction", "1730419200.0", exitUsage},
		{"word", "abc", exitUsage},
		{"plus sign", "+1730419200", exitUsage},
		{"minus alone", "-", exitUsage},
		{"beyond int64", "99999999999999999999", exitUsage},
		{"after year 9999", "253402300800", exitUsage},
		{"well formed", "1730419200", exitOK},
		{"before 1970", "-86400", exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("SOURCE_DATE_EPOCH", tc.value)
			dir := t.TempDir()
			in := filepath.Join(dir, "m.csv")
			if err := os.WriteFile(in, []byte("ts,carrier,tech,lon,lat,signal_dbm\n1969-12-01T00:00:00Z,viettel,4G,105.85,21.03,-90\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			_, errs, code := runBinary(t, "validate", "--max-reject-share", "1", in)
			if code != tc.wantCode {
				t.Fatalf("SOURCE_DATE_EPOCH=%q: exit %d, want %d\n%s", tc.value, code, tc.wantCode, errs)
			}
			if tc.wantCode == exitUsage && !strings.Contains(errs, fmt.Sprintf("SOURCE_DATE_EPOCH=%q", tc.value)) {
				t.Fatalf("SOURCE_DATE_EPOCH=%q: the message does not name the variable and its value:\n%s", tc.value, errs)
			}
		})
	}
}

// A carrier tested in a hex but with no site in the register: coverage's
// rule calls the hex uncovered (predicted, no prediction), and the
// command says why, naming the carrier.
func TestCoverageWarnsTestedWithoutSite(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sites := write("sites.csv", "site_id,carrier,tech,lon,lat,height_m,eirp_dbm,status\nS1,viettel,4G,103.24,22.33,30,60,active\n")
	m := "ts,carrier,tech,lon,lat,signal_dbm,environment\n"
	for i := 1; i <= 4; i++ {
		m += fmt.Sprintf("2024-10-10T08:00:0%d+07:00,gmobile,4G,103.2500%d,22.3400%d,-7%d,outdoor\n", i, i, i, i+3)
	}
	// Its 3G in the same hex: one hex, two technologies, counted once.
	m += "2024-10-10T08:01:00+07:00,gmobile,3G,103.25001,22.34001,-80,outdoor\n"
	ms := write("m.csv", m)
	ds := filepath.Join(dir, "ds")
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, sites, ms); code != exitOK {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	_, errs, code := runCmd(t, "coverage", "--dataset", ds, "--calibration", "none", "--out", filepath.Join(dir, "cov"))
	if code != exitOK || !strings.Contains(errs, "warning: gmobile: 1 hex with tests, too few to decide, and no prediction is uncovered by rule") ||
		!strings.Contains(errs, "it has no site in the register: ingest its sites") ||
		// Viettel's register and no test of it: said, not left to a column.
		!strings.Contains(errs, "warning: viettel: sites in the register but no tests in the month: its coverage is predicted only") {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	_, errs, _ = runCmd(t, "calibrate", "--dataset", ds, "--out", filepath.Join(dir, "cal.json"))
	if !strings.Contains(errs, "calibrate: warning: viettel: sites in the register but no measurements in the month: nothing to fit") {
		t.Fatalf("calibrate\n%s", errs)
	}
}

// TestOneUnreadableFileAmongSeveral: validate and ingest of a.csv, an
// unreadable b.csv (UTF-16 without a byte-order mark) and c.csv report a.csv and c.csv and name
// b.csv, in the text and the JSON report; ingest adds a.csv and c.csv. A
// failure among the files makes the exit 1; when every file not taken is
// a refusal (a header alone, a missing column), it is 3.
func TestOneUnreadableFileAmongSeveral(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	head := "ts,carrier,tech,lon,lat,signal_dbm\n"
	a := write("a.csv", head+"2026-10-01T08:00:00+07:00,viettel,4G,105.85,21.03,-98\n")
	c := write("c.csv", head+"2026-10-01T09:00:00+07:00,viettel,4G,105.85,21.03,-97\n")
	var u16 []byte // UTF-16 without a byte-order mark (with one it is read)
	for _, r := range head {
		u16 = append(u16, byte(r), 0)
	}
	b := write("b.csv", string(u16))
	out, errs, code := runBinary(t, "validate", a, b, c)
	if code != exitFailure || !strings.Contains(out, "b.csv: NOT READ: not a CSV/Parquet/Arrow file") ||
		!strings.Contains(out, "c.csv [csv, measurements]: 1 row read, 1 accepted") || !strings.Contains(errs, "1 of 3 files not taken: ") {
		t.Fatalf("validate: exit %d\n%s\n%s", code, out, errs)
	}
	out, errs, code = runBinary(t, "validate", "--json", a, b, c)
	var reports []map[string]any
	if err := json.Unmarshal([]byte(out), &reports); err != nil || code != exitFailure || len(reports) != 3 ||
		!strings.Contains(fmt.Sprint(reports[1]["error"]), "UTF-16") || reports[2]["accepted"] == nil {
		t.Fatalf("validate --json: exit %d %v\n%s\n%s", code, err, out, errs)
	}
	ds := filepath.Join(dir, "ds")
	out, errs, code = runBinary(t, "ingest", "--dataset", ds, a, b, c)
	if code != exitFailure || strings.Count(out, "added 1 partition file") != 2 || strings.Contains(out, "partition file(s)") || !strings.Contains(out, "b.csv: NOT ADDED: ") {
		t.Fatalf("ingest: exit %d\n%s\n%s", code, out, errs)
	}
	out, errs, code = runBinary(t, "dataset", "ls", ds)
	if code != exitOK || !strings.Contains(out, "2 sources") {
		t.Fatalf("dataset ls: exit %d\n%s\n%s", code, out, errs)
	}
	// Refusals only: exit 3.
	h := write("h.csv", head)
	m := write("m.csv", "ts,carrier,tech,lon\n2026-10-01T08:00:00+07:00,viettel,4G,105.85\n")
	d := write("d.csv", head+"2026-10-01T10:00:00+07:00,viettel,4G,105.85,21.03,-96\n")
	for _, cmd := range [][]string{{"validate"}, {"ingest", "--dataset", ds}} {
		out, errs, code = runBinary(t, append(cmd, h, m, d)...)
		if code != exitDataRefused || !strings.Contains(errs, "2 of 3 files not taken: ") {
			t.Fatalf("%v: exit %d\n%s\n%s", cmd, code, out, errs)
		}
	}
	// Two refusals (joined in one error) and an unreadable file: three
	// files not taken, a failure.
	h2 := write("h2.csv", head)
	for _, cmd := range [][]string{{"validate"}, {"ingest", "--dataset", ds}} {
		out, errs, code = runBinary(t, append(cmd, h, h2, b)...)
		if code != exitFailure || !strings.Contains(errs, "3 of 3 files not taken: ") {
			t.Fatalf("%v: exit %d\n%s\n%s", cmd, code, out, errs)
		}
	}
}

// A file not taken is named by its path as given, not its base name: two
// dump.csv from a/ and b/ are told apart in validate's and ingest's
// summaries.
func TestFilesNotTakenNamedByPath(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a", "dump.csv"), filepath.Join(dir, "b", "dump.csv")
	os.MkdirAll(filepath.Dir(a), 0o755)
	os.MkdirAll(filepath.Dir(b), 0o755)
	os.WriteFile(a, []byte("lon,lat,population\n103.3,22.4,5\n"), 0o644)
	good, _ := os.ReadFile(filepath.Join(examples, "measurements_viettel.csv"))
	os.WriteFile(b, good, 0o644)
	for _, args := range [][]string{{"validate", a, b}, {"ingest", "--dataset", filepath.Join(dir, "ds"), a, b}} {
		_, errs, code := runCmd(t, args...)
		if code == exitOK || !strings.Contains(errs, "1 of 2 files not taken: "+a+": missing column") {
			t.Errorf("%s: exit %d\n%s", args[0], code, errs)
		}
	}
}

// TestRepairNoteSourceDateEpoch: the NOTE.txt repair writes beside the
// files it moves aside dates them at SOURCE_DATE_EPOCH, as every time
// lomsong writes (it wrote the wall clock's).
func TestRepairNoteSourceDateEpoch(t *testing.T) {
	at := time.Date(2026, 10, 31, 17, 0, 0, 0, time.UTC)
	t.Setenv("SOURCE_DATE_EPOCH", strconv.FormatInt(at.Unix(), 10))
	_, ds := ingestOneTest(t, "2026-10-20 20:00:00")
	junk := filepath.Join(ds, "sites", "part-junk.parquet")
	if err := os.MkdirAll(filepath.Dir(junk), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(junk, []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(ds, "manifest.json")); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := runCmd(t, "dataset", "repair", ds); code != exitOK {
		t.Fatalf("repair: %d %s", code, errs)
	}
	notes, _ := filepath.Glob(filepath.Join(ds, "orphans", "*", "NOTE.txt"))
	if len(notes) != 1 {
		t.Fatalf("notes %v", notes)
	}
	if b, err := os.ReadFile(notes[0]); err != nil || !strings.Contains(string(b), "when: 2026-10-31T17:00:00Z\n") {
		t.Errorf("NOTE.txt: %q (%v), want when: 2026-10-31T17:00:00Z", b, err)
	}
}
