package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
	dir, err := os.MkdirTemp("", "lomsong-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// lomsongBinary builds the command once per test binary and returns its path.
func lomsongBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
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
	missing := filepath.Join(t.TempDir(), "nonexistent.csv")
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
		{"too many rejected rows", []string{"validate", "--max-reject-share", "0", filepath.Join(examples, "measurements_viettel.csv")},
			exitDataRefused, "max-reject-share"},
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
	dir := t.TempDir()
	villages := filepath.Join(dir, "villages.csv")
	if err := os.WriteFile(villages, []byte("village_id,name,commune_code,lon,lat,households\n"+
		"V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV3,Bản C,,103.10,22.05,60\n"), 0o644); err != nil {
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

// TestBinaryPeriodSelection: the one-month commands read the latest month
// with measurements by default and say so; a month without measurements is
// refused (exit 3).
func TestBinaryPeriodSelection(t *testing.T) {
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
}

// TestBinaryProvinceWithoutData: a province holding neither measurements
// nor sites is refused (exit 3) by every command that analyses one, and
// nothing is written; a province with data is analysed alone.
func TestBinaryProvinceWithoutData(t *testing.T) {
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
