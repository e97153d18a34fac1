package main

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// TestRunAgreesWithStages: the month run as one command (lomsong run) and
// as the stage commands one by one (ingest, population --points,
// calibrate, coverage, deadzones: what this program runs) give the same
// verdicts from the same inputs. On a 60-village world the stage commands
// run as runLomsong runs them; a second dataset is ingested afresh from the
// same files, calibrated (run predicts with DATASET/calibration.json but
// does not fit it) and run for the month the stage commands chose, with the
// same population table. Every dead-zone table must be byte-identical and
// the JSON outputs equal but for lomsong.calibration, the path of the
// calibration file read (each dataset has its own). The coverage command
// on the run's dataset after it (reading the run's saved coverage when its
// options are the run's) must write the stage coverage command's tables.
// The off-air variant (calibrate --off-air=false --out FILE, then
// --calibration FILE) must agree too, and a second run with nothing
// changed must compute nothing and write the same files.
func TestRunAgreesWithStages(t *testing.T) {
	if testing.Short() {
		t.Skip("builds lomsong and runs a world twice")
	}
	dir := t.TempDir()
	bin := buildLomsong(t, dir)
	w, err := Generate(1, 60)
	if err != nil {
		t.Fatal(err)
	}
	world := filepath.Join(dir, "world")
	if err := os.MkdirAll(world, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := append(w.driveTests(rand.New(rand.NewPCG(1, 11))), w.crowdTests(rand.New(rand.NewPCG(1, 12)))...)
	if err := w.writeInputs(world, tests); err != nil {
		t.Fatal(err)
	}
	if _, err := runLomsong(bin, world); err != nil {
		t.Fatal(err)
	}
	// The month the stage commands analysed: their first line names it.
	logb, err := os.ReadFile(filepath.Join(world, "5-deadzones.log"))
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(logb), "\n")
	period, ok := strings.CutPrefix(first, "period: ")
	if !ok || len(period) < 7 {
		t.Fatalf("5-deadzones.log: first line %q does not name the period", first)
	}
	period = period[:7]

	lomsong := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "SOURCE_DATE_EPOCH=1793750400")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("lomsong %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, stdout.String(), tail(stderr.String(), 2000))
		}
		return stdout.String()
	}
	ds := filepath.Join(dir, "run-dataset")
	pop := filepath.Join(world, "pop", "population.csv")
	lomsong("ingest", "--dataset", ds, filepath.Join(world, "sites.csv"), filepath.Join(world, "villages.csv"),
		filepath.Join(world, "measurements_drive.csv"), filepath.Join(world, "measurements_crowd.csv"))
	lomsong("calibrate", "--dataset", ds, "--population", pop)
	runOut := filepath.Join(dir, "run")
	first1 := lomsong("run", "--dataset", ds, "--period", period, "--population", pop, "--out", runOut)
	if !strings.Contains(first1, "tables written to") {
		t.Fatalf("run: stdout does not say it wrote the tables:\n%s", first1)
	}
	deadTables := []string{"villages.csv", "hexes.csv", "deadzones.csv", "carrier_gaps.csv", "challenges.csv"}
	deadJSON := []string{"deadzones_meta.json", "deadzones.geojson", "radiomap.json"}
	sameOutputs(t, filepath.Join(world, "deadzones"), filepath.Join(runOut, "deadzones"), deadTables, deadJSON)

	lomsong("coverage", "--dataset", ds, "--population", pop, "--out", filepath.Join(dir, "coverage"))
	sameOutputs(t, filepath.Join(world, "coverage"), filepath.Join(dir, "coverage"),
		[]string{"coverage.csv", "coverage_best.csv"}, []string{"coverage_meta.json", "coverage_best.geojson"})

	// The calibration both paths read is the same fit.
	sameOutputs(t, filepath.Join(world, "dataset"), ds, []string{"calibration.json"}, nil)

	// A second run with nothing changed reads its saved stages back.
	again := lomsong("run", "--dataset", ds, "--period", period, "--population", pop, "--out", filepath.Join(dir, "run-again"))
	if !strings.Contains(again, ", 0 computed") {
		t.Errorf("second run computed a stage again:\n%s", again)
	}
	sameOutputs(t, filepath.Join(runOut, "deadzones"), filepath.Join(dir, "run-again", "deadzones"), append(deadTables, deadJSON...), nil)

	// The register taken as listed (no off-air check), given as a file.
	offAir := filepath.Join(world, "calibration-offair-false.json")
	lomsong("run", "--dataset", ds, "--period", period, "--population", pop, "--calibration", offAir, "--out", filepath.Join(dir, "run-offair-false"))
	sameOutputs(t, filepath.Join(world, "deadzones-offair-false"), filepath.Join(dir, "run-offair-false", "deadzones"), deadTables, deadJSON)
}

// sameOutputs compares the files named in bytes byte for byte and those in
// jsons as JSON without their lomsong.calibration members (the path of the
// calibration file read, which names each dataset's own).
func sameOutputs(t *testing.T, want, got string, bytesNames, jsons []string) {
	t.Helper()
	read := func(d, name string) []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(d, name))
		if err != nil {
			t.Fatal(err)
		}
		if len(b) == 0 {
			t.Fatalf("%s is empty", filepath.Join(d, name))
		}
		return b
	}
	for _, name := range bytesNames {
		a, b := read(want, name), read(got, name)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: %s differs from %s:\n%s", name, filepath.Join(got, name), filepath.Join(want, name), firstLineDiff(a, b))
		}
	}
	for _, name := range jsons {
		var a, b any
		if err := json.Unmarshal(read(want, name), &a); err != nil {
			t.Fatalf("%s: %v", filepath.Join(want, name), err)
		}
		if err := json.Unmarshal(read(got, name), &b); err != nil {
			t.Fatalf("%s: %v", filepath.Join(got, name), err)
		}
		a, b = withoutCalibrationPath(a), withoutCalibrationPath(b)
		if !reflect.DeepEqual(a, b) {
			ja, _ := json.MarshalIndent(a, "", " ")
			jb, _ := json.MarshalIndent(b, "", " ")
			t.Errorf("%s: %s differs from %s (beyond lomsong.calibration):\n%s", name, filepath.Join(got, name), filepath.Join(want, name), firstLineDiff(ja, jb))
		}
	}
}

func withoutCalibrationPath(v any) any {
	switch x := v.(type) {
	case map[string]any:
		delete(x, "lomsong.calibration")
		for k, e := range x {
			x[k] = withoutCalibrationPath(e)
		}
	case []any:
		for i, e := range x {
			x[i] = withoutCalibrationPath(e)
		}
	}
	return v
}

// firstLineDiff names the first line where a and b differ, with both lines.
func firstLineDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(la) || i < len(lb); i++ {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return "line " + strconv.Itoa(i+1) + ":\n  want " + tail(x, 400) + "\n  got  " + tail(y, 400)
		}
	}
	return "(same lines)"
}
