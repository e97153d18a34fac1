package main

import (
	"os"
	"path/filepath"
	"regexp"
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
	if code != exitOK || !strings.Contains(stdout, "1 pass(es) over 400 measurement rows") || !strings.Contains(stdout, "0 of 6 stages read back") ||
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
	if code != exitOK || !strings.Contains(stdout, "0 pass(es) over 0 measurement rows") ||
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
	if code != exitOK || !strings.Contains(errs, "warning: 1 part(s) of the dataset are missing or not their recorded size") || !strings.Contains(errs, "dataset verify") {
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
		"deadzones: 1 places of 1000 (0%)\n" +
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
}
