package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine/pipeline"
)

// lomsong run computes and saves every stage once; a second run reads them
// all back without a pass over the measurements; deadzones then reads the
// saved outputs; a month without measurements is refused (exit 3); the
// saved outputs pass dataset verify.
func TestRunCommand(t *testing.T) {
	dir := t.TempDir()
	ds := filepath.Join(dir, "ds")
	villages := filepath.Join(dir, "villages.csv")
	os.WriteFile(villages, []byte("village_id,name,commune_code,lon,lat,households\n"+
		"V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV3,Bản C,,103.10,22.05,60\n"), 0o644)
	if _, _, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"),
		filepath.Join(examples, "measurements_viettel.csv"), villages); code != exitOK {
		t.Fatal(code)
	}
	stdout, errs, code := runCmd(t, "run", "--dataset", ds, "--period", "2026-10", "--budget", "50e9", "--out", filepath.Join(dir, "out"))
	if code != exitOK || !strings.Contains(stdout, "1 pass over 400 measurement rows") || !strings.Contains(stdout, "0 of 6 stages read back") ||
		!strings.Contains(errs, "measure viettel: started (400 rows)") || !strings.Contains(errs, "deadzones: done in") ||
		!strings.Contains(errs, "deadzones: zones, carrier gaps and villages from the verdicts (") ||
		// The register's MobiFone and VinaPhone sites, no test of theirs.
		!strings.Contains(stdout, "mobifone: sites in the register but no measurements in 2026-10: its coverage is predicted only") ||
		!strings.Contains(stdout, "vinaphone: sites in the register but no measurements in 2026-10") {
		t.Fatalf("first run: %d\n%s\n%s", code, stdout, errs)
	}
	for _, f := range []string{"deadzones/villages.csv", "plan/plan.csv"} {
		if !fileExists(filepath.Join(dir, "out", f)) {
			t.Errorf("missing %s", f)
		}
	}
	// Into the same OUT without --budget: the earlier plan left there is
	// said not to be these dead zones'.
	if _, errs, code := runCmd(t, "run", "--dataset", ds, "--period", "2026-10", "--out", filepath.Join(dir, "out")); code != exitOK ||
		!strings.Contains(errs, "is an earlier run's plan, not of these dead zones") {
		t.Errorf("run --out without --budget over an earlier plan: %d\n%s", code, errs)
	}
	stdout, errs, code = runCmd(t, "run", "--dataset", ds, "--period", "2026-10", "--budget", "50e9")
	if code != exitOK || !strings.Contains(stdout, "0 passes over 0 measurement rows") ||
		!strings.Contains(stdout, "3 of 4 stages read back, 1 current and not needed, 0 computed") || !regexp.MustCompile(`measure +viettel +current +400 `).MatchString(stdout) {
		t.Fatalf("second run: %d\n%s\n%s", code, stdout, errs)
	}
	// deadzones with the run's options reads the saved outputs.
	stdout, errs, code = runCmd(t, "deadzones", "--dataset", ds, "--period", "2026-10", "--out", filepath.Join(dir, "dz"))
	if code != exitOK {
		t.Fatalf("deadzones: %d\n%s\n%s", code, stdout, errs)
	}
	a, _ := os.ReadFile(filepath.Join(dir, "out", "deadzones", "villages.csv"))
	b, _ := os.ReadFile(filepath.Join(dir, "dz", "villages.csv"))
	if len(a) == 0 || string(a) != string(b) {
		t.Fatalf("run's villages.csv and deadzones' differ:\n%s\n%s", a, b)
	}
	stdout, errs, code = runCmd(t, "plan", "--dataset", ds, "--period", "2026-10", "--budget", "50e9", "--out", filepath.Join(dir, "plan"))
	a, _ = os.ReadFile(filepath.Join(dir, "out", "plan", "plan.csv"))
	b, _ = os.ReadFile(filepath.Join(dir, "plan", "plan.csv"))
	if code != exitOK || len(a) == 0 || string(a) != string(b) {
		t.Fatalf("plan: %d %s\nrun's plan.csv and plan's differ:\n%s\n%s", code, errs, a, b)
	}
	stdout, errs, code = runCmd(t, "run", "--dataset", ds, "--period", "2026-11")
	if code != exitDataRefused || !strings.Contains(errs, "no measurements in period 2026-11") || !strings.Contains(errs, "2026-10") {
		t.Fatalf("empty month: %d\n%s\n%s", code, stdout, errs)
	}
	stdout, errs, code = runCmd(t, "dataset", "verify", ds)
	if code != exitOK || !strings.Contains(stdout, "saved stage outputs verified") {
		t.Fatalf("verify: %d\n%s\n%s", code, stdout, errs)
	}
	// A part truncated after the run: every stage is current, so none is
	// read; the run says so instead of passing over it in silence.
	parts, _ := filepath.Glob(filepath.Join(ds, "measurements", "period=2026-10", "carrier=viettel", "*.parquet"))
	if len(parts) == 0 {
		t.Fatal("no viettel part")
	}
	b, _ = os.ReadFile(parts[0])
	os.WriteFile(parts[0], b[:len(b)/2], 0o644)
	stdout, errs, code = runCmd(t, "run", "--dataset", ds, "--period", "2026-10", "--budget", "50e9")
	if code != exitOK || !strings.Contains(errs, "warning: 1 part of the dataset is missing or not its recorded size") || !strings.Contains(errs, "dataset verify") {
		t.Fatalf("run over a truncated part: %d\n%s\n%s", code, stdout, errs)
	}
	os.WriteFile(parts[0], b, 0o644)
	stdout, _, code = runCmd(t, "run", "--help")
	if code != exitOK || !strings.Contains(stdout, "The monthly run") || !strings.Contains(stdout, "--period") {
		t.Fatalf("help: %d\n%s", code, stdout)
	}
}

// The pace and time left of a stage count from its first item done, not
// from its start: the dead-zone stage builds its radio map for a minute
// before it decides any place, and an ETA from the start would first
// read hundreds of hours.
func TestRunProgressPaceFromFirstItem(t *testing.T) {
	var b strings.Builder
	p := newRunProgress(&b)
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	clock := t0
	p.now = func() time.Time { return clock }
	at := func(s float64, ev pipeline.Progress) {
		clock = t0.Add(time.Duration(s * float64(time.Second)))
		p.report(ev)
	}
	dz := func(done int64) pipeline.Progress {
		return pipeline.Progress{Stage: "deadzones", Done: done, Total: 1000, Unit: "places"}
	}
	at(0, pipeline.Progress{Stage: "deadzones", Total: 20, Unit: "villages"})
	at(60, dz(1))
	at(62, dz(201))
	at(62.5, dz(300)) // within a second of the last line: not printed
	at(64, dz(401))
	at(64.2, pipeline.Progress{Stage: "deadzones", Phase: "zones from the verdicts"}) // a phase is always said
	want := "deadzones: started (20 villages)\n" +
		"deadzones: 1 place of 1000 (0%)\n" +
		"deadzones: 201 places of 1000 (20%), 100 places/s, ETA 8s\n" +
		"deadzones: 401 places of 1000 (40%), 100 places/s, ETA 6s\n" +
		"deadzones: zones from the verdicts\n"
	if b.String() != want {
		t.Errorf("progress:\n%s\nwant:\n%s", b.String(), want)
	}
	// A stage whose items start at once counts from its start.
	b.Reset()
	at(100, pipeline.Progress{Stage: "measure viettel", Total: 1000, Unit: "rows"})
	at(100.5, pipeline.Progress{Stage: "measure viettel", Done: 100, Total: 1000, Unit: "rows"}) // within a second of the start line
	at(102, pipeline.Progress{Stage: "measure viettel", Done: 400, Total: 1000, Unit: "rows"})
	want = "measure viettel: started (1000 rows)\n" +
		"measure viettel: 400 rows of 1000 (40%), 200 rows/s, ETA 3s\n"
	if b.String() != want {
		t.Errorf("progress:\n%s\nwant:\n%s", b.String(), want)
	}
	// One item is said in the singular ("started (1 zones)" before).
	for _, u := range []struct{ unit, want string }{{"zones", "plan: started (1 zone)\n"}, {"hexes", "plan: started (1 hex)\n"}, {"villages", "plan: started (1 village)\n"}} {
		b.Reset()
		q := newRunProgress(&b)
		q.report(pipeline.Progress{Stage: "plan", Total: 1, Unit: u.unit})
		if b.String() != u.want {
			t.Errorf("one %s: %q, want %q", u.unit, b.String(), u.want)
		}
	}
}

// TestReaderWithoutWriteAccess: a user who may read a dataset the owner
// has run but not write it (a department on a read-only share) can ask
// for another cut or budget: the stage is computed for the command, not
// saved, with a warning, and the outputs are written (exit 0). lomsong
// run, whose purpose is the saved month, fails saying so. As root the
// commands run as nobody (setpriv), since root writes anywhere.
func TestReaderWithoutWriteAccess(t *testing.T) {
	dir, ds, reader := readerOfDataset(t, func(ds string) {
		if _, errs, code := runCmd(t, "run", "--dataset", ds, "--period", "2026-10"); code != exitOK {
			t.Fatalf("run as the owner: %d\n%s", code, errs)
		}
	})
	// An output folder the reader may write.
	out := filepath.Join(dir, "out")
	os.Mkdir(out, 0o777)
	os.Chmod(out, 0o777)
	_, errs, code := reader("deadzones", "--dataset", ds, "--period", "2026-10", "--miss-cost", "3", "--out", filepath.Join(out, "dz3"))
	if code != exitOK || !strings.Contains(errs, "computed for this command and not saved") || !fileExists(filepath.Join(out, "dz3", "villages.csv")) {
		t.Errorf("deadzones --miss-cost 3 by a reader: exit %d\n%s", code, errs)
	}
	_, errs, code = reader("plan", "--dataset", ds, "--period", "2026-10", "--budget", "1e10", "--out", filepath.Join(out, "plan"))
	if code != exitOK || !strings.Contains(errs, "computed for this command and not saved") || !fileExists(filepath.Join(out, "plan", "plan.csv")) {
		t.Errorf("plan --budget 1e10 by a reader: exit %d\n%s", code, errs)
	}
	_, errs, code = reader("run", "--dataset", ds, "--period", "2026-10", "--budget", "1e10")
	if code != exitFailure || !strings.Contains(errs, "run saves the month in the dataset, and this user may not write to it: run it as its owner") {
		t.Errorf("run by a reader: exit %d\n%s", code, errs)
	}
}

// readerOfDataset makes, in a folder of its own (returned as dir), the
// villages dataset of three villages, lets owner act on it as its owner,
// then makes it readable and not writable, copies the binary where a
// reader may run it, and returns a runner of that binary as a user
// without write access: nobody (setpriv) when the tests run as root,
// who writes anywhere. Without setpriv as root the test is skipped.
func readerOfDataset(t *testing.T, owner func(ds string)) (dir, ds string, reader func(args ...string) (stdout, stderr string, code int)) {
	t.Helper()
	var prefix []string
	if os.Geteuid() == 0 {
		sp, err := exec.LookPath("setpriv")
		if err != nil {
			t.Skip("running as root without setpriv: cannot act as a reader without write access")
		}
		prefix = []string{sp, "--reuid=65534", "--regid=65534", "--clear-groups"}
	}
	dir, err := os.MkdirTemp("", "lomsong-ro-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				os.Chmod(p, 0o755)
			}
			return nil
		})
		os.RemoveAll(dir)
	})
	ds = villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV3,Bản C,,103.10,22.05,60\n")
	if owner != nil {
		owner(ds)
	}
	bin := filepath.Join(dir, "lomsong")
	data, err := os.ReadFile(lomsongBinary(t))
	if err != nil || os.WriteFile(bin, data, 0o755) != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	filepath.WalkDir(ds, func(p string, d os.DirEntry, err error) error {
		if err == nil {
			if d.IsDir() {
				os.Chmod(p, 0o555)
			} else {
				os.Chmod(p, 0o444)
			}
		}
		return nil
	})
	reader = func(args ...string) (string, string, int) {
		argv := append(append(slices.Clone(prefix), bin), args...)
		cmd := exec.Command(argv[0], argv[1:]...)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return o.String(), e.String(), cmd.ProcessState.ExitCode()
	}
	return dir, ds, reader
}
