package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/coverage"
	"github.com/lomsong/lomsong/engine/sqlitedb"
)

// examples is the folder of example inputs shipped with the repository.
var examples = filepath.Join("..", "..", "geodata", "examples")

func runCmd(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx := context.Background()
	err := run(ctx, args, strings.NewReader(""), &out, &errb)
	code = exitCode(ctx, err, &errb)
	return out.String(), errb.String(), code
}

func TestUsageAndHelp(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no args", nil, exitUsage, "Commands:"},
		{"unknown", []string{"frobnicate"}, exitUsage, `unknown subcommand "frobnicate"`},
		{"help", []string{"help"}, exitOK, "validate"},
		{"validate help", []string{"validate", "--help"}, exitOK, "Example:"},
		{"ingest help", []string{"help", "ingest"}, exitOK, "--dataset"},
		{"bad flag", []string{"validate", "--nope", "x.csv"}, exitUsage, "flag provided but not defined"},
		{"ingest without dataset", []string{"ingest", "x.csv"}, exitUsage, "--dataset DIR is required"},
		{"validate without files", []string{"validate"}, exitUsage, "no input files"},
		{"bad share", []string{"validate", "--max-reject-share", "2", "x.csv"}, exitUsage, "--max-reject-share"},
		{"missing file", []string{"validate", "does-not-exist.csv"}, exitFailure, "does-not-exist.csv"},
		{"bad served reliability", []string{"deadzones", "--dataset", "ds", "--out", "o", "--served-reliability", "1.5"}, exitUsage, "served-reliability"},
		// Negative counts and flags without effect in the combination given
		// are refused, not taken as 0 or ignored.
		{"negative show", []string{"validate", "--show", "-1", "x.csv"}, exitUsage, "--show -1"},
		{"negative maps", []string{"report", "--dataset", "ds", "--period", "2024-10", "--out", "o", "--maps", "-1"}, exitUsage, "--maps -1"},
		{"radius without villages by hex", []string{"deadzones", "--dataset", "ds", "--out", "o", "--radius-m", "1000"}, exitUsage, "--radius-m applies to --villages-by-hex only"},
		{"campaign verdicts and period", []string{"campaign", "--verdicts", "v.csv", "--period", "2019-01", "--days", "1", "--out", "o"}, exitUsage, "--period: with --verdicts"},
		{"campaign verdicts and dataset", []string{"campaign", "--verdicts", "v.csv", "--dataset", "ds", "--days", "1", "--out", "o"}, exitUsage, "--dataset: with --verdicts"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errs, code := runCmd(t, c.args...)
			if code != c.code || !strings.Contains(out+errs, c.want) {
				t.Fatalf("code %d (want %d)\nstdout: %s\nstderr: %s\nwant %q", code, c.code, out, errs, c.want)
			}
		})
	}
}

func TestValidateExamples(t *testing.T) {
	out, _, code := runCmd(t, "validate", filepath.Join(examples, "measurements_viettel.csv"))
	if code != exitOK || !strings.Contains(out, "405 rows read, 400 accepted, 5 rejected") || !strings.Contains(out, "future_time") {
		t.Fatalf("code %d\n%s", code, out)
	}
	// Zero tolerance makes the same file fail with exit code 3.
	q := filepath.Join(t.TempDir(), "q.csv")
	out, errs, code := runCmd(t, "validate", "--max-reject-share", "0", "--quarantine", q, filepath.Join(examples, "measurements_viettel.csv"))
	if code != exitDataRefused || !strings.Contains(errs, "max-reject-share") {
		t.Fatalf("code %d\n%s\n%s", code, out, errs)
	}
	b, err := os.ReadFile(q)
	if err != nil || strings.Count(string(b), "\n") != 6 {
		t.Fatalf("quarantine (header + 5 rows expected): %q %v", b, err)
	}
}

func TestSuggestMappingRoundTrip(t *testing.T) {
	out, errs, code := runCmd(t, "validate", "--suggest-mapping", filepath.Join(examples, "measurements_mobifone_own_layout.csv"))
	// No carrier column: the suggestion is incomplete, which exits 3.
	if code != exitDataRefused || !strings.Contains(out, `"Level_ASU": "signal_dbm"`) || !strings.Contains(out, `"Trang_thai": "service"`) ||
		!strings.Contains(errs, "carrier") {
		t.Fatalf("%d\n%s\n%s", code, out, errs)
	}
}

// A suggested mapping that rejects every sampled row is incomplete
// (exit 3) saying why; it exited 0 ("every required column mapped") for a
// Nemo export whose times have no date, and every row was then rejected.
func TestSuggestMappingTriedOnSamples(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nemo.csv")
	os.WriteFile(path, []byte("Time,Latitude,Longitude,Operator,Technology,RSRP (LTE serving cell)\n"+
		"08:32:26.000,22.38,103.05,Viettel,LTE,-95\n08:32:27.000,22.38,103.05,Viettel,LTE,-96\n"), 0o644)
	_, errs, code := runCmd(t, "validate", "--suggest-mapping", path)
	if code != exitDataRefused || !strings.Contains(errs, "rejects all 2 sampled rows (invalid_time") {
		t.Fatalf("%d\n%s", code, errs)
	}
}

func TestIngestAndList(t *testing.T) {
	// Flags may follow the files.
	ds := filepath.Join(t.TempDir(), "ds")
	out, errs, code := runCmd(t, "ingest", filepath.Join(examples, "sites.csv"), filepath.Join(examples, "measurements_viettel.csv"), "--dataset", ds)
	if code != exitOK || !strings.Contains(out, "147 accepted") || !strings.Contains(out, "400 accepted") {
		t.Fatalf("%d\n%s\n%s", code, out, errs)
	}
	out, _, code = runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"))
	if code != exitOK || !strings.Contains(out, "already ingested") {
		t.Fatalf("%d\n%s", code, out)
	}
	out, _, code = runCmd(t, "ingest", "--dataset", ds, "--mapping", filepath.Join(examples, "mapping_mobifone.json"),
		filepath.Join(examples, "measurements_mobifone_own_layout.csv"))
	if code != exitOK || !strings.Contains(out, "200 accepted") {
		t.Fatalf("%d\n%s", code, out)
	}
	out, _, code = runCmd(t, "dataset", "ls", ds)
	if code != exitOK || !strings.Contains(out, "3 sources") || !strings.Contains(out, "mobifone") || !strings.Contains(out, "747") {
		t.Fatalf("%d\n%s", code, out)
	}
	out, _, code = runCmd(t, "ingest", "--dataset", filepath.Join(t.TempDir(), "ds3"), "--max-reject-share", "0.01",
		filepath.Join(examples, "measurements_viettel.csv"))
	if code != exitDataRefused || !strings.Contains(out, "REFUSED") {
		t.Fatalf("%d\n%s", code, out)
	}
}

func TestAggregateCommand(t *testing.T) {
	ds := filepath.Join(t.TempDir(), "ds")
	if _, _, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "measurements_viettel.csv")); code != exitOK {
		t.Fatal(code)
	}
	out := filepath.Join(t.TempDir(), "agg")
	stdout, errs, code := runCmd(t, "aggregate", "--dataset", ds, "--out", out)
	if code != exitOK || !strings.Contains(stdout, "400 rows read") {
		t.Fatalf("%d\n%s\n%s", code, stdout, errs)
	}
	b, err := os.ReadFile(filepath.Join(out, "aggregates.csv"))
	if err != nil || !strings.HasPrefix(string(b), "cell,res,lon,lat,carrier,tech,rows") {
		t.Fatalf("%v %.100s", err, b)
	}
	if _, err := os.Stat(filepath.Join(out, "aggregates.parquet")); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := runCmd(t, "aggregate", "--dataset", ds, "--out", out, "--res", "15"); code != exitUsage {
		t.Fatalf("res 15: %d %s", code, errs)
	}
}

func TestAreasCommand(t *testing.T) {
	out, _, code := runCmd(t, "areas", "lai chau", "12", "Hà Nội")
	if code != exitOK || strings.Count(out, "Lai Châu") != 2 || !strings.Contains(out, "2224107") {
		t.Fatalf("%d\n%s", code, out)
	}
	out, _, code = runCmd(t, "areas", "--boundaries", "provinces2019")
	if code != exitOK || !strings.Contains(out, "63 units") {
		t.Fatalf("%d\n%s", code, out)
	}
	// A name that names nothing is a usage error, as an unknown --province.
	if _, errs, code := runCmd(t, "areas", "atlantis"); code != exitUsage || !strings.Contains(errs, `"atlantis": no such unit`) {
		t.Fatalf("%d %s", code, errs)
	}
	// The names found are listed before the one that is not; a code
	// without its leading zero is found.
	out, errs, code := runCmd(t, "areas", "lai chau", "atlantis", "8", "lemuria")
	if code != exitUsage || !strings.Contains(out, "Lai Châu") || !strings.Contains(out, "Tuyên Quang") || !strings.Contains(errs, `2 names not found: "atlantis"`) ||
		!strings.Contains(errs, `"lemuria": no such unit`) {
		t.Fatalf("%d\n%s\n%s", code, out, errs)
	}
	// A --parent-prop no unit has is an error, as a missing --code-prop.
	dir := t.TempDir()
	file := filepath.Join(dir, "units.geojson")
	os.WriteFile(file, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"A","name":"Alpha"},"geometry":{"type":"Polygon","coordinates":[[[103,22],[103.1,22],[103.1,22.1],[103,22]]]}}]}`), 0o644)
	if _, errs, code := runCmd(t, "areas", "--boundaries", file, "--parent-prop", "provinceCode"); code != exitUsage || !strings.Contains(errs, `--parent-prop "provinceCode": no unit`) {
		t.Fatalf("%d %s", code, errs)
	}
}

// TestPropertyFlagsWithoutTheirFile: the property flags name properties
// of a GeoJSON --boundaries or --communes file; given with an embedded set
// or without the file they were ignored without a word (exit 0, the units
// read by the embedded set's own properties).
func TestPropertyFlagsWithoutTheirFile(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"areas", "--code-prop", "ma"}, "areas: --code-prop ma applies to --boundaries naming a GeoJSON file (the embedded sets' properties are fixed); --boundaries is provinces2025"},
		{[]string{"areas", "--boundaries", "provinces2019", "--name-prop", "ten"}, "--name-prop ten applies to --boundaries naming a GeoJSON file (the embedded sets' properties are fixed); --boundaries is provinces2019"},
		{[]string{"areas", "--parent-prop", "provinceCode"}, "--parent-prop provinceCode applies to --boundaries"},
		{[]string{"deadzones", "--dataset", t.TempDir(), "--commune-parent-prop", "tinh"}, "deadzones: --commune-parent-prop tinh applies to --communes naming a communes file; --communes is not given"},
	} {
		if _, errs, code := runCmd(t, tc.args...); code != exitUsage || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d\n%s\nwant exit %d and %q", tc.args, code, errs, exitUsage, tc.want)
		}
	}
}

func TestPopulationCommand(t *testing.T) {
	dir := t.TempDir()
	pts := filepath.Join(dir, "pts.csv")
	os.WriteFile(pts, []byte("lon,lat,population\n103.46,22.39,1000\n103.47,22.40,500.5\n105.85,21.03,2000\n"), 0o644)
	out, errs, code := runCmd(t, "population", "--points", pts, "--res", "7", "--out", dir)
	if code != exitOK || !strings.Contains(out, "population 3500 (input 3500") {
		t.Fatalf("%d\n%s\n%s", code, out, errs)
	}
	b, err := os.ReadFile(filepath.Join(dir, "population.csv"))
	if err != nil || !strings.HasPrefix(string(b), "cell,res,lon,lat,population,households") {
		t.Fatalf("%v %s", err, b)
	}
	if _, _, code := runCmd(t, "population", "--out", dir); code != exitUsage {
		t.Fatal(code)
	}
	// A points table reaching over the border says how much does; a
	// neighbour's table (points in Laos) is refused: it was taken whole
	// at Viet Nam's household size, and its 2 M households became dead
	// zones "in no province".
	over := filepath.Join(dir, "over.csv")
	os.WriteFile(over, []byte("lon,lat,population\n103.46,22.39,1000\n102.60,17.97,500\n"), 0o644)
	if _, errs, code := runCmd(t, "population", "--points", over, "--out", filepath.Join(dir, "over")); code != exitOK ||
		!strings.Contains(errs, "warning: "+over+": 1 of 2 cells (50.0%) lie outside the provinces") ||
		!strings.Contains(errs, "coarse") || !strings.Contains(errs, "--boundaries FILE") {
		t.Errorf("a table over the border: %d\n%s", code, errs)
	}
	laos := filepath.Join(dir, "laos.csv")
	os.WriteFile(laos, []byte("lon,lat,population\n102.60,17.97,500\n101.97,19.88,800\n"), 0o644)
	if _, errs, code := runCmd(t, "population", "--points", laos, "--out", filepath.Join(dir, "laos")); code != exitDataRefused ||
		!strings.Contains(errs, "2 of the 2 cells lie outside Viet Nam") {
		t.Errorf("Laos: %d\n%s", code, errs)
	}
	// A table of no rows is refused, not written as "no households".
	empty := filepath.Join(dir, "empty.csv")
	os.WriteFile(empty, []byte("lon,lat,population\n"), 0o644)
	emptyOut := filepath.Join(dir, "empty-out")
	if _, errs, code := runCmd(t, "population", "--points", empty, "--out", emptyOut); code != exitDataRefused ||
		!strings.Contains(errs, "no populated cell in the input") || fileExists(emptyOut) {
		t.Fatalf("empty points: %d %s", code, errs)
	}
	// An H3 table of no rows (it crashed) and an empty raster (exit 1).
	emptyH3 := filepath.Join(dir, "empty-h3.csv")
	os.WriteFile(emptyH3, []byte("h3,population\n"), 0o644)
	if _, errs, code := runCmd(t, "population", "--h3", emptyH3, "--out", emptyOut); code != exitDataRefused ||
		!strings.Contains(errs, "no populated cell in the table") || fileExists(emptyOut) {
		t.Fatalf("empty h3 table: %d %s", code, errs)
	}
	emptyTif := filepath.Join(dir, "empty.tif")
	os.WriteFile(emptyTif, nil, 0o644)
	if _, errs, code := runCmd(t, "population", "--raster", emptyTif, "--out", emptyOut); code != exitDataRefused || !strings.Contains(errs, "the file is empty") {
		t.Fatalf("empty raster: %d %s", code, errs)
	}
}

func TestCoverageAndCalibrate(t *testing.T) {
	ds := filepath.Join(t.TempDir(), "ds")
	if _, _, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"), filepath.Join(examples, "measurements_viettel.csv")); code != exitOK {
		t.Fatal(code)
	}
	stdout, errs, code := runCmd(t, "calibrate", "--dataset", ds, "--province", "lai chau")
	if code != exitOK || !strings.Contains(stdout, "bias") || !fileExists(filepath.Join(ds, "calibration.json")) {
		t.Fatalf("%d\n%s\n%s", code, stdout, errs)
	}
	out := filepath.Join(t.TempDir(), "cov")
	stdout, errs, code = runCmd(t, "coverage", "--dataset", ds, "--province", "Lai Châu", "--out", out, "--geojson-layers", "viettel:4G")
	if code != exitOK || !strings.Contains(stdout, "coverage over Lai Châu (12)") || !strings.Contains(errs, "using calibration") ||
		!strings.Contains(errs, "; fitted on 2026-10)") || strings.Contains(errs, "note: ") {
		t.Fatalf("%d\n%s\n%s", code, stdout, errs)
	}
	for _, f := range []string{"coverage.parquet", "coverage.csv", "coverage_best.csv", "coverage_best.geojson", "coverage_meta.json", "coverage_viettel_4G.geojson"} {
		if !fileExists(filepath.Join(out, f)) {
			t.Errorf("missing %s", f)
		}
	}
	b, _ := os.ReadFile(filepath.Join(out, "coverage_best.geojson"))
	if !strings.Contains(string(b), `"type":"FeatureCollection"`) || !strings.Contains(string(b), `"state":"`) {
		t.Fatalf("geojson: %.200s", b)
	}
	meta, _ := os.ReadFile(filepath.Join(out, "coverage_meta.json"))
	if !strings.Contains(string(meta), "coverage.min_tests") || !strings.Contains(string(meta), "LC-VN011") {
		t.Fatalf("meta should carry the configuration and the down sites: %s", meta)
	}
	if _, _, code := runCmd(t, "coverage", "--dataset", ds, "--province", "atlantis", "--out", out); code != exitUsage {
		t.Fatalf("unknown province: %d", code)
	}
	if strings.Contains(errs, "not in the dataset now") {
		t.Fatalf("a current calibration said stale:\n%s", errs)
	}
	// Another dataset's calibration (none of its sources here) is refused:
	// its fits and masts off the air were applied, with a warning that
	// spoke of retracted sources.
	cb, err := os.ReadFile(filepath.Join(ds, "calibration.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cal map[string]any
	if err := json.Unmarshal(cb, &cal); err != nil || cal["fitted_on_sources"] == nil {
		t.Fatalf("calibration.json: %v %.200s", err, cb)
	}
	// A fit for a carrier the register has not (a typo) is said.
	typo := map[string]any{}
	for k, v := range cal {
		typo[k] = v
	}
	typo["calibrations"] = append(cal["calibrations"].([]any), map[string]any{"carrier": "viettell", "tech": "4G", "hexes": 12,
		"offset_db": -2, "slope_db_per_decade": nil, "ref_log10_distance_m": nil, "sigma_db": 6})
	tb, _ := json.Marshal(typo)
	typoPath := filepath.Join(t.TempDir(), "typo-calibration.json")
	os.WriteFile(typoPath, tb, 0o644)
	applied := regexp.MustCompile(`\((\d+) carrier/technology fits applied`)
	_, plainErrs, _ := runCmd(t, "coverage", "--dataset", ds, "--out", out)
	if _, errs, code := runCmd(t, "coverage", "--dataset", ds, "--calibration", typoPath, "--out", out); code != exitOK ||
		!strings.Contains(errs, "has fits for carriers with no site in the register: viettell 4G") {
		t.Errorf("a fit for a misspelt carrier: %d\n%s", code, errs)
	} else if p, q := applied.FindStringSubmatch(plainErrs), applied.FindStringSubmatch(errs); p == nil || q == nil || p[1] != q[1] {
		// The misspelt carrier's fit corrects nothing: not counted.
		t.Errorf("fits applied: %v without the typo, %v with it", p, q)
	}
	cal["fitted_on_sources"] = []string{strings.Repeat("ab", 32), strings.Repeat("cd", 32)}
	cb, _ = json.Marshal(cal)
	other := filepath.Join(t.TempDir(), "other-calibration.json")
	os.WriteFile(other, cb, 0o644)
	if _, errs, code := runCmd(t, "coverage", "--dataset", ds, "--calibration", other, "--out", out); code != exitDataRefused ||
		!strings.Contains(errs, "was fitted on none of the sources of") || !strings.Contains(errs, "--calibration none") || strings.Contains(errs, "using calibration "+other) {
		t.Errorf("another dataset's calibration: %d\n%s", code, errs)
	}
	// The measurements it was fitted on retracted: every stage using the
	// calibration says its fits still carry their rows.
	if _, errs, code := runCmd(t, "dataset", "retract", ds, "measurements_viettel.csv"); code != exitOK {
		t.Fatalf("retract: %d %s", code, errs)
	}
	_, errs, code = runCmd(t, "coverage", "--dataset", ds, "--province", "Lai Châu", "--out", out)
	if code != exitOK || !strings.Contains(errs, "was fitted on 1 source not in the dataset now (retracted since, or never in it") {
		t.Fatalf("coverage after the retraction: %d\n%s", code, errs)
	}
	// A directory that is not there is said to be missing (exit 1); an
	// empty folder holds no dataset (exit 3).
	if _, errs, code := runCmd(t, "coverage", "--dataset", filepath.Join(t.TempDir(), "missing"), "--out", out); code != exitFailure || !strings.Contains(errs, "no dataset here") {
		t.Fatalf("missing dataset: %d %s", code, errs)
	}
	if _, errs, code := runCmd(t, "coverage", "--dataset", t.TempDir(), "--out", out); code != exitDataRefused || !strings.Contains(errs, "no dataset here: manifest.json missing") {
		t.Fatalf("empty dataset: %d %s", code, errs)
	}
}

func TestDeadzonesCommand(t *testing.T) {
	dir := t.TempDir()
	ds := filepath.Join(dir, "ds")
	villages := filepath.Join(dir, "villages.csv")
	os.WriteFile(villages, []byte("village_id,name,commune_code,lon,lat,households\n"+
		"V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV3,Bản C,,103.10,22.05,60\n"), 0o644)
	if _, _, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"),
		filepath.Join(examples, "measurements_viettel.csv"), villages); code != exitOK {
		t.Fatal(code)
	}
	out := filepath.Join(dir, "dz")
	stdout, errs, code := runCmd(t, "deadzones", "--dataset", ds, "--province", "lai chau", "--out", out)
	if code != exitOK || !strings.Contains(stdout, "households from the villages table") || !strings.Contains(stdout, "challenges:") {
		t.Fatalf("%d\n%s\n%s", code, stdout, errs)
	}
	for _, f := range []string{"deadzones.geojson", "deadzones.csv", "carrier_gaps.csv", "villages.csv", "challenges.csv"} {
		if !fileExists(filepath.Join(out, f)) {
			t.Errorf("missing %s", f)
		}
	}
	b, _ := os.ReadFile(filepath.Join(out, "villages.csv"))
	// Bản C lies south of Lai Châu, in another province: a run limited
	// to Lai Châu does not report it.
	if strings.Count(string(b), "\n") != 3 || strings.Contains(string(b), "Bản C") {
		t.Fatalf("villages.csv:\n%s", b)
	}
}

// TestDemo runs the README's main command end to end on the default
// province world.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo takes several seconds")
	}
	out := filepath.Join(t.TempDir(), "demo")
	stdout, errs, code := runCmd(t, "demo", "--out", out)
	if code != exitOK {
		t.Fatalf("%d\n%s\n%s", code, stdout, errs)
	}
	for _, f := range []string{"input/sites.csv", "input/measurements.csv", "input/villages.csv", "input/subscriptions.csv",
		"truth/ground_truth.json", "dataset/manifest.json", "dataset/calibration.json", "aggregates/aggregates.parquet",
		"coverage/coverage_best.geojson", "deadzones/deadzones.geojson", "deadzones/villages.csv", "evaluation.json",
		"plan/plan.csv", "plan/curve.svg", "plan/plan.json", "plan/footprints.geojson",
		"scorecard/scorecard.csv", "scorecard/scorecard.json", "export/lomsong-2024-10.gpkg", "report.html"} {
		if !fileExists(filepath.Join(out, f)) {
			t.Errorf("missing %s", f)
		}
	}
	checkZoneAreas(t, filepath.Join(out, "deadzones"))
	// Every generated row passes validation: nothing was rejected.
	if strings.Contains(stdout, "REFUSED") || !strings.Contains(stdout, " 0 rejected") {
		t.Fatalf("generated inputs were rejected:\n%s", stdout)
	}
	if !strings.Contains(stdout, "scorecard for 2024-10 (vn-provinces-2025") || !strings.Contains(stdout, "unknown") {
		t.Fatalf("scorecard table missing:\n%s", stdout)
	}
	html, _ := os.ReadFile(filepath.Join(out, "report.html"))
	for _, bad := range []string{`src="http`, `href="http`, `src="//`, `href="//`, "url(http", "@import", "<script"} {
		if strings.Contains(string(html), bad) {
			t.Fatalf("report.html is not self-contained: contains %q", bad)
		}
	}
	if !strings.Contains(string(html), `<a href="export/lomsong-2024-10.gpkg">`) {
		t.Error("report.html does not link to the demo's GeoPackage")
	}
	if !strings.Contains(string(html), "<svg") || !strings.Contains(string(html), "Lai Châu") {
		t.Fatal("report.html lacks its map or the province name")
	}
	// Every figure the report shows a planner is the one of the file it
	// summarises.
	checkReportFigures(t, out, "2024-10")
	b, _ := os.ReadFile(filepath.Join(out, "evaluation.json"))
	if !strings.Contains(string(b), `"precision"`) {
		t.Fatalf("evaluation: %s", b)
	}
	// The oracle's scores beside the engine's, over the same villages.
	type band struct {
		MinTests int `json:"min_tests"`
		All      struct {
			Villages int `json:"villages"`
		} `json:"all"`
	}
	type scores struct {
		Villages   int      `json:"villages"`
		Brier      *float64 `json:"brier"`
		ByEvidence []band   `json:"by_evidence"`
	}
	var ev struct {
		Engine scores `json:"dead_zone_villages"`
		Oracle scores `json:"oracle_dead_zone_villages"`
	}
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	if o, e := ev.Oracle, ev.Engine; o.Villages != e.Villages || o.Villages == 0 || o.Brier == nil || !(*o.Brier > 0 && *o.Brier < 0.1) {
		t.Errorf("evaluation.json: oracle %+v beside the engine's %+v", o, e)
	}
	// The oracle's scores by the tests near each village, in the engine's
	// bands over the same villages.
	if o, e := ev.Oracle.ByEvidence, ev.Engine.ByEvidence; len(e) == 0 || !slices.Equal(o, e) {
		t.Errorf("evaluation.json: the oracle's bands of evidence %+v, the engine's %+v", o, e)
	}
	checkGapsAgree(t, filepath.Join(out, "deadzones"))
	checkBestPDead(t, filepath.Join(out, "export", "lomsong-2024-10.gpkg"), filepath.Join(out, "deadzones", "hexes.csv"))
	if _, errs, code := runCmd(t, "demo", "--out", out); code != exitUsage || !strings.Contains(errs, "already holds") {
		t.Fatalf("second run into the same directory: %d %s", code, errs)
	}
	// The same seed gives byte-identical files (--seed's promise): the
	// demo's clock is fixed, so ingest times, the manifest's checksum
	// that outputs name and the report's date do not change. The first
	// run is moved aside, as paths are recorded too.
	first := out + ".first"
	if err := os.Rename(out, first); err != nil {
		t.Fatal(err)
	}
	if stdout, errs, code := runCmd(t, "demo", "--out", out); code != exitOK {
		t.Fatalf("second run: %d\n%s\n%s", code, stdout, errs)
	}
	// Every file: the outputs, the dataset's parts and its saved stages.
	files := 0
	err := filepath.WalkDir(first, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, _ := filepath.Rel(first, path)
		a, err1 := os.ReadFile(path)
		b, err2 := os.ReadFile(filepath.Join(out, f))
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs of the same seed (%v, %v)", f, err1, err2)
		}
		files++
		return nil
	})
	if err != nil || files < 50 {
		t.Fatalf("%d files compared: %v", files, err)
	}
}

// TestPlanCandidatesFile: proposed sites and claims go through ingest's
// validation, as the binary runs them: a file with a few bad rows is used
// with those rows in a quarantine file of the outputs (line, column,
// reason); a file mostly bad is refused (exit 3) naming the line and
// column.
func TestPlanCandidatesFile(t *testing.T) {
	ds := exampleDataset(t)
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("candidate_id,lon,lat,tech,height_m,cost_vnd\nP1,103.3,22.4,4G,45,\nP2,103.35,22.45,,,1.5e9\n")
	for i := range 30 {
		fmt.Fprintf(&b, "Q%d,103.%02d,22.3,,,\n", i, 10+i)
	}
	b.WriteString("P3,203.3,22.4,,,\n")    // one bad row of 34: 3%
	b.WriteString("PARIS,2.35,48.85,,,\n") // a valid point, in another country
	good := filepath.Join(dir, "c.csv")
	os.WriteFile(good, []byte(b.String()), 0o644)
	out := filepath.Join(dir, "plan")
	_, errs, code := runBinary(t, "plan", "--dataset", ds, "--budget", "20e9", "--candidates", good, "--out", out)
	if code != exitOK || !strings.Contains(errs, "1 of 34 rows rejected (out_of_range 1)") ||
		!strings.Contains(errs, "warning: "+good+": 1 of 33 accepted rows lie outside Viet Nam") {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	// PARIS, valid but outside the area analysed, is set aside after the
	// rows rejected (TestPlanCandidatesOutsideArea).
	q := csvRows(t, filepath.Join(out, "candidates.quarantine.csv"))
	if len(q) != 3 || q[1][1] != "34" || q[1][2] != "lon" || q[1][4] != "out_of_range" || q[2][1] != "35" || q[2][4] != "outside_bounds" {
		t.Fatalf("quarantine: %q", q)
	}
	cands := csvRows(t, filepath.Join(out, "candidates.csv"))
	proposed := 0
	for _, r := range cands[1:] {
		if r[1] == "proposed" {
			proposed++
		}
	}
	if proposed != 32 {
		t.Errorf("%d proposed candidates in candidates.csv, want 32", proposed)
	}
	// A user's candidates file kept in the output folder under the name of
	// an output (candidates.csv): refused before it is replaced.
	mine := filepath.Join(out, "candidates.csv")
	before := []byte("candidate_id,lon,lat\nC1,103.17,22.39\n")
	os.WriteFile(mine, before, 0o644)
	_, errs, code = runBinary(t, "plan", "--dataset", ds, "--budget", "20e9", "--candidates", mine, "--out", out)
	if after, _ := os.ReadFile(mine); code != exitUsage || !strings.Contains(errs, "would replace it: nothing written") || !bytes.Equal(after, before) {
		t.Fatalf("candidates read from the output folder: exit %d\n%s", code, errs)
	}

	// A candidate id given twice: the second row is a duplicate with its
	// line (it stopped the plan with "option 27: duplicate ID", no file or
	// line), and validate says so too.
	dup := filepath.Join(dir, "dup.csv")
	os.WriteFile(dup, []byte("candidate_id,lon,lat\nC1,103.17,22.39\nC1,103.5,22.1\n"), 0o644)
	if out, _, code := runCmd(t, "validate", "--kind", "candidates", "--max-reject-share", "1", dup); code != exitOK ||
		!strings.Contains(out, `line 3, column "candidate_id", value "C1": duplicate (repeats the candidate id of an earlier row, which is kept)`) {
		t.Fatalf("validate, duplicate candidate id: %d\n%s", code, out)
	}
	_, errs, code = runBinary(t, "plan", "--dataset", ds, "--budget", "20e9", "--candidates", dup, "--out", filepath.Join(dir, "pdup"))
	if code != exitDataRefused || !strings.Contains(errs, "dup.csv: 1 of 2 candidates rows rejected") || !strings.Contains(errs, "line 3, column candidate_id") {
		t.Fatalf("plan, duplicate candidate id: exit %d\n%s", code, errs)
	}
	bad := filepath.Join(dir, "b.csv")
	os.WriteFile(bad, []byte("candidate_id,lon,lat\nP1,203.3,22.4\nP2,103.3,22.4\n"), 0o644)
	_, errs, code = runBinary(t, "plan", "--dataset", ds, "--budget", "20e9", "--candidates", bad, "--out", filepath.Join(dir, "p2"))
	if code != exitDataRefused || !strings.Contains(errs, "b.csv: 1 of 2 candidates rows rejected") || !strings.Contains(errs, "line 2, column lon") {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	// A header without a required column: data refused (it exited 1, the
	// code of a failure of the tool), telling to name the column — these
	// tables take no mapping (it said to give one).
	nocol := filepath.Join(dir, "nocol.csv")
	os.WriteFile(nocol, []byte("candidate_id,lon\nC1,103.2\n"), 0o644)
	_, errs2, code2 := runBinary(t, "plan", "--dataset", ds, "--budget", "20e9", "--candidates", nocol, "--out", filepath.Join(dir, "pnocol"))
	if code2 != exitDataRefused || !strings.Contains(errs2, "lat not found in header") || strings.Contains(errs2, "give a mapping") ||
		!strings.Contains(errs2, "validate --kind candidates") {
		t.Fatalf("candidates without lat: exit %d\n%s", code2, errs2)
	}
	mnocol := filepath.Join(dir, "mnocol.csv")
	os.WriteFile(mnocol, []byte("ts,carrier,tech,lon,signal_dbm\n2024-10-01T00:00:00+07:00,viettel,4G,103.2,-90\n"), 0o644)
	if _, errs, code := runBinary(t, "validate", mnocol); code != exitDataRefused || !strings.Contains(errs, "give a mapping") {
		t.Fatalf("measurements without lat: exit %d\n%s", code, errs)
	}
	// Refused, its rejected rows are still listed (there was no file).
	rq := filepath.Join(dir, "p2", "rejected", "candidates.quarantine.csv")
	if q := csvRows(t, rq); !strings.Contains(errs, rq) || len(q) != 2 || q[1][1] != "2" || q[1][2] != "lon" {
		t.Fatalf("refused candidates' quarantine: %q\n%s", q, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "p2", "plan.csv")); err == nil {
		t.Fatal("a refused plan wrote plan.csv")
	}
	claims := filepath.Join(dir, "claims.csv")
	os.WriteFile(claims, []byte("cell,carrier,tech\nnot-a-cell,viettel,4G\n"), 0o644)
	_, errs, code = runBinary(t, "deadzones", "--dataset", ds, "--claims", claims, "--out", filepath.Join(dir, "dz"))
	if code != exitDataRefused || !strings.Contains(errs, "no valid claims rows") || !strings.Contains(errs, "column cell") {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	// A claim at another resolution than the analysis's is one rejected
	// row, not the end of the run (it stopped it with exit 1, naming no
	// file or line); validate applies the same rule at its --res.
	var sb strings.Builder
	sb.WriteString("cell,carrier,tech\n")
	for _, c := range []string{"88415c3a17fffff", "88415c3a13fffff", "88415c3a15fffff", "88415c3a11fffff"} {
		for _, k := range []string{"viettel,4G", "viettel,3G", "vinaphone,4G", "mobifone,4G", "mobifone,3G"} {
			sb.WriteString(c + "," + k + "\n")
		}
	}
	sb.WriteString("8928308280fffff,viettel,4G\n") // line 22: resolution 9
	mixed := filepath.Join(dir, "claims_mixed.csv")
	os.WriteFile(mixed, []byte(sb.String()), 0o644)
	_, errs, code = runBinary(t, "deadzones", "--dataset", ds, "--claims", mixed, "--out", filepath.Join(dir, "dz2"))
	if code != exitOK || !strings.Contains(errs, "1 of 21 rows rejected (out_of_range 1)") {
		t.Fatalf("claims with one at resolution 9: exit %d\n%s", code, errs)
	}
	if q := csvRows(t, filepath.Join(dir, "dz2", "claims.quarantine.csv")); len(q) != 2 || q[1][1] != "22" || q[1][2] != "cell" ||
		!strings.Contains(q[1][5], "a resolution-9 cell; the analysis is at resolution 8") {
		t.Fatalf("claims quarantine: %q", q)
	}
	if out, errs, code := runCmd(t, "validate", "--kind", "claims", mixed); code != exitOK || !strings.Contains(out, "21 rows read, 20 accepted, 1 rejected") {
		t.Fatalf("validate --kind claims (resolution 8): %d\n%s%s", code, out, errs)
	}
	if out, errs, code := runCmd(t, "validate", "--kind", "claims", "--res", "9", mixed); code != exitDataRefused || !strings.Contains(out, "out_of_range") {
		t.Fatalf("validate --kind claims --res 9: %d\n%s%s", code, out, errs)
	}
	if _, _, code := runCmd(t, "plan", "--dataset", dir, "--out", dir); code != exitUsage {
		t.Fatalf("missing budget: %d", code)
	}
	// validate checks both tables before a run; ingest does not store them.
	if out, errs, code := runCmd(t, "validate", "--kind", "candidates", good); code != exitOK || !strings.Contains(out, "34 rows read, 33 accepted, 1 rejected") {
		t.Fatalf("validate --kind candidates: %d\n%s%s", code, out, errs)
	}
	if out, errs, code := runCmd(t, "validate", "--kind", "claims", claims); code != exitDataRefused || !strings.Contains(out, `column "cell"`) {
		t.Fatalf("validate --kind claims: %d\n%s%s", code, out, errs)
	}
	if _, errs, code := runCmd(t, "ingest", "--dataset", filepath.Join(dir, "ds2"), "--kind", "claims", claims); code != exitUsage || !strings.Contains(errs, `--kind "claims"`) {
		t.Fatalf("ingest --kind claims: %d %s", code, errs)
	}
}

// Months with data are written as runs, a gap never hidden in a range.
func TestMonthRuns(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want string
	}{
		{[]string{"2024-01", "2024-02", "2024-03", "2024-05", "2024-11", "2024-12", "2025-01", "2025-02"}, "2024-01 … 2024-03, 2024-05, 2024-11 … 2025-02"},
		{[]string{"2024-01", "2024-02"}, "2024-01, 2024-02"},
		{[]string{"2024-07"}, "2024-07"},
	} {
		if got := monthRuns(c.in); got != c.want {
			t.Errorf("monthRuns(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

// Subscriptions of codes that are no province of the boundary set (a
// former province's, one without its leading zero, none) are left out of
// the scorecard, each named on stderr with why; the others are scored.
func TestScorecardCodesOutsideTheBoundaries(t *testing.T) {
	ds := exampleDataset(t)
	subs := filepath.Join(t.TempDir(), "subs.csv")
	var b strings.Builder
	b.WriteString("area_code,period,households,fiber_households\n")
	for _, code := range []string{"12", "02", "99", "8"} {
		fmt.Fprintf(&b, "%s,2026-10,100000,50000\n", code)
	}
	os.WriteFile(subs, []byte(b.String()), 0o644)
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, subs); code != exitOK {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	out := filepath.Join(t.TempDir(), "sc")
	stdout, errs, code := runCmd(t, "scorecard", "--dataset", ds, "--period", "2026-10", "--out", out)
	// Whose service target 1 counts: the carriers of the examples' site
	// register (VNPT's is VinaPhone) and tests.
	if !strings.Contains(stdout, "target 1 counts mobifone, viettel, vinaphone (the carriers with a site register or tests of 2026-10") {
		t.Errorf("the card does not say whose service target 1 counts:\n%s", stdout)
	}
	if code != exitOK || !strings.Contains(errs, "area 02 (1 row) left out: Hà Giang merged into Tuyên Quang") ||
		!strings.Contains(errs, "area 8 (1 row) left out: not a code of") || !strings.Contains(errs, "area 99 (1 row) left out") {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	rows, err := readCSVFile(filepath.Join(out, "scorecard.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[1:] {
		if r[0] == "02" || r[0] == "99" || r[0] == "8" || r[1] == "02" || r[1] == "99" || r[1] == "8" {
			t.Errorf("scored: %v", r)
		}
	}
}

// checkGapsAgree checks a dead-zone run's carrier gaps against its hexes'
// p_dead (the villages are the population, so both are judged at the
// villages' points): no dead hex is closable by sharing (another carrier
// serving it), and every served hex has a carrier without a gap there.
func checkGapsAgree(t *testing.T, dir string) {
	t.Helper()
	hexes := csvRows(t, filepath.Join(dir, "hexes.csv"))
	col := func(h []string, name string) int {
		i := slices.Index(h, name)
		if i < 0 {
			t.Fatalf("no %s column in %v", name, h)
		}
		return i
	}
	hc, hp := col(hexes[0], "cell"), col(hexes[0], "p_dead")
	dead := map[string]bool{}
	for _, r := range hexes[1:] {
		p, err := strconv.ParseFloat(r[hp], 64)
		if err != nil {
			t.Fatalf("hex %s p_dead %q", r[hc], r[hp])
		}
		dead[r[hc]] = p >= 0.5
	}
	gaps := csvRows(t, filepath.Join(dir, "carrier_gaps.csv"))
	gc, gg, gk := col(gaps[0], "cell"), col(gaps[0], "gap"), col(gaps[0], "carrier")
	carriers, nobody := map[string]bool{}, map[string]int{}
	shared := 0
	for _, r := range gaps[1:] {
		carriers[r[gk]] = true
		switch {
		case r[gg] == "nobody_covers":
			nobody[r[gc]]++
		case dead[r[gc]]:
			shared++
		}
	}
	servedNobody := 0
	for c, n := range nobody {
		if n == len(carriers) && !dead[c] {
			servedNobody++
		}
	}
	if shared > 0 || servedNobody > 0 {
		t.Errorf("%d gaps of dead hexes another carrier serves, %d served hexes no carrier serves (of %d hexes)", shared, servedNobody, len(dead))
	}
}

// checkBestPDead checks the GeoPackage's coverage_best layer: p_dead only
// for the hexes the dead-zone analysis decided (hexes.csv), NULL for the
// rest of the province's hexes (it had one for every hex with a coverage
// state: a province run decided its whole outline).
func checkBestPDead(t *testing.T, gpkg, hexesCSV string) {
	t.Helper()
	analysed := map[string]bool{}
	for _, r := range csvRows(t, hexesCSV)[1:] {
		analysed[r[0]] = true
	}
	db, err := sqlitedb.Open(context.Background(), gpkg, sqlitedb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT h3, p_dead FROM coverage_best`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	others, withP := 0, 0
	for rows.Next() {
		var h3 string
		var p sql.NullFloat64
		if err := rows.Scan(&h3, &p); err != nil {
			t.Fatal(err)
		}
		if !analysed[h3] {
			others++
			if p.Valid {
				withP++
			}
		}
	}
	if others == 0 || withP > 0 {
		t.Errorf("coverage_best: %d of %d hexes outside the analysis have a p_dead", withP, others)
	}
}

// With sharing included, an agreement's row of plan.csv counts its
// households as served by sharing, not newly covered: the column summed
// 90,877 roaming households into "newly covered" beside plan.json's 1,659.
func TestPlanSharingNotNewlyCovered(t *testing.T) {
	ds := exampleDataset(t)
	out := filepath.Join(t.TempDir(), "plan")
	stdout, errs, code := runBinary(t, "plan", "--dataset", ds, "--budget", "500e9", "--include-sharing", "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, errs)
	}
	rows := csvRows(t, filepath.Join(out, "plan.csv"))
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	var newly, served float64
	agreements := 0
	for _, r := range rows[1:] {
		n, _ := strconv.ParseFloat(r[col["households_newly_covered"]], 64)
		s, _ := strconv.ParseFloat(r[col["households_served_by_sharing"]], 64)
		if r[col["source"]] == "sharing" {
			agreements++
			if n != 0 || s <= 0 {
				t.Errorf("agreement %s: newly covered %v, served by sharing %v", r[col["candidate"]], n, s)
			}
		} else if s != 0 {
			t.Errorf("site %s served by sharing %v", r[col["candidate"]], s)
		}
		newly += n
		served += s
	}
	if agreements == 0 {
		t.Fatalf("no sharing agreement funded: the test needs one\n%s", stdout)
	}
	// Each carrier's agreement serves its own gap: with budget to spare
	// every agreement is funded for all of sharing.csv's households (one
	// carrier's roaming took every carrier's gaps in its hexes, and left
	// the others unfunded or credited a few hundred of their thousands).
	funded := map[string]string{}
	for _, r := range rows[1:] {
		if r[col["source"]] == "sharing" {
			funded[r[col["candidate"]]] = r[col["households_served_by_sharing"]]
		}
	}
	for _, r := range csvRows(t, filepath.Join(out, "sharing.csv"))[1:] {
		if r[2] != "0" && funded[r[0]] != r[2] {
			t.Errorf("agreement %s of %s households: plan.csv serves %q", r[0], r[2], funded[r[0]])
		}
	}
	var summary map[string]any
	b, err := os.ReadFile(filepath.Join(out, "plan.json"))
	if err != nil || json.Unmarshal(b, &summary) != nil {
		t.Fatal(err)
	}
	if summary["households_newly_covered"] != newly || summary["households_served_by_sharing"] != served {
		t.Errorf("plan.json newly covered %v, served by sharing %v; plan.csv sums %v, %v",
			summary["households_newly_covered"], summary["households_served_by_sharing"], newly, served)
	}
	if !strings.Contains(stdout, "newly covered or served by sharing") {
		t.Errorf("the bound's line does not say it counts both:\n%s", stdout)
	}
}

// A --bounds polygon with empty coordinates crashed validate and ingest
// (a Go panic in the containment test); one in metres rejected every row
// as outside the bounds without saying why. A byte-order mark before a
// mapping's JSON is read.
func TestBoundsAndMappingFilesChecked(t *testing.T) {
	dir := t.TempDir()
	m := filepath.Join(examples, "measurements_viettel.csv")
	for _, c := range []struct{ name, geo, msg string }{
		{"empty", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[]}}]}`,
			"feature 0: a polygon without rings"},
		{"metres", `{"type":"Polygon","coordinates":[[[585589,2475000],[600000,2475000],[600000,2490000],[585589,2475000]]]}`,
			"the geometry: coordinate (585589, 2.475e+06) is not a longitude and latitude"},
		// Four times one point: every row was quarantined outside_bounds
		// and the file refused as if the data were bad.
		{"zero area", `{"type":"Polygon","coordinates":[[[103.4,22.4],[103.4,22.4],[103.4,22.4],[103.4,22.4]]]}`,
			"a geometry of zero area"},
	} {
		b := filepath.Join(dir, c.name+".geojson")
		os.WriteFile(b, []byte(c.geo), 0o644)
		for _, args := range [][]string{{"validate", "--bounds", b, m}, {"ingest", "--dataset", filepath.Join(dir, "ds"), "--bounds", b, m}} {
			_, errs, code := runCmd(t, args...)
			if code != exitFailure || !strings.Contains(errs, c.msg) || strings.Contains(errs, "panic") || strings.Contains(errs, "internal error") {
				t.Errorf("%s %s: exit %d\n%s", args[0], c.name, code, errs)
			}
		}
	}
	// An empty boundary set placed every village outside every unit.
	empty := filepath.Join(dir, "empty-set.geojson")
	os.WriteFile(empty, []byte(`{"type":"FeatureCollection","features":[]}`), 0o644)
	if _, errs, code := runCmd(t, "areas", "--boundaries", empty); code != exitDataRefused || !strings.Contains(errs, "no units in the file") {
		t.Errorf("an empty boundary set: exit %d\n%s", code, errs)
	}
	mapping, err := os.ReadFile(filepath.Join(examples, "mapping_mobifone.json"))
	if err != nil {
		t.Fatal(err)
	}
	bom := filepath.Join(dir, "mapping-bom.json")
	os.WriteFile(bom, append([]byte("\xef\xbb\xbf"), mapping...), 0o644)
	if out, errs, code := runCmd(t, "validate", "--mapping", bom, filepath.Join(examples, "measurements_mobifone_own_layout.csv")); code != exitOK {
		t.Errorf("a mapping with a byte-order mark: exit %d\n%s\n%s", code, out, errs)
	}
}

// A calibration made before a carrier's measurements arrived is said to
// lack that carrier (its network ran uncalibrated, its masts unchecked
// for being off the air, with "6 fits applied" as the only word); once
// calibrated again, nothing is said.
func TestCalibrationWithoutANewCarrier(t *testing.T) {
	ds := exampleDataset(t)
	if _, errs, code := runCmd(t, "calibrate", "--dataset", ds); code != exitOK {
		t.Fatalf("calibrate: %d\n%s", code, errs)
	}
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, "--mapping", filepath.Join(examples, "mapping_mobifone.json"),
		filepath.Join(examples, "measurements_mobifone_own_layout.csv")); code != exitOK {
		t.Fatalf("ingest: %d\n%s", code, errs)
	}
	out := filepath.Join(t.TempDir(), "cov")
	_, errs, code := runCmd(t, "coverage", "--dataset", ds, "--out", out)
	if code != exitOK || !strings.Contains(errs, "was made before these files came into the dataset: measurements_mobifone_own_layout.csv;") {
		t.Fatalf("coverage after MobiFone's dump: %d\n%s", code, errs)
	}
	if _, errs, code := runCmd(t, "calibrate", "--dataset", ds); code != exitOK {
		t.Fatalf("calibrate again: %d\n%s", code, errs)
	}
	if _, errs, _ := runCmd(t, "coverage", "--dataset", ds, "--out", out); strings.Contains(errs, "was made before") {
		t.Errorf("after calibrating again:\n%s", errs)
	}
}

// A fit whose hexes are all censored (every test without service) has no
// figures: the table shows dashes and says why, never NaN.
func TestPrintCalibrationCensoredOnly(t *testing.T) {
	nan := math.NaN()
	var b strings.Builder
	printCalibration(&b, []coverage.Calibration{{Carrier: engine.Viettel, Tech: engine.Tech4G, Censored: 7, BiasDB: nan, RMSEBeforeDB: nan, RMSEAfterDB: nan}}, 10)
	out := b.String()
	if strings.Contains(out, "NaN") || !strings.Contains(out, "every measured hex's median is below the no-service level: viettel 4G (7)") {
		t.Errorf("%s", out)
	}
}

// TestDeadzonesPopulationElsewhere: a population table that puts no
// household in the province the villages, sites and tests are in (a
// table of another region) leaves that province out as not analysed,
// with its reason, rather than reporting 0 dead-zone households there;
// with nothing else to analyse the run is refused (exit 3), as a run
// limited to the province is.
func TestDeadzonesPopulationElsewhere(t *testing.T) {
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV3,Bản C,,103.10,22.05,60\n")
	// People in Hồ Chí Minh City only.
	pts := filepath.Join(dir, "hcmc.csv")
	os.WriteFile(pts, []byte("lon,lat,population\n106.70,10.78,5000\n106.66,10.76,4000\n"), 0o644)
	pop := filepath.Join(dir, "pop")
	if _, errs, code := runCmd(t, "population", "--points", pts, "--out", pop); code != exitOK {
		t.Fatalf("population: %d %s", code, errs)
	}
	_, errs, code := runCmd(t, "deadzones", "--dataset", ds, "--population", filepath.Join(pop, "population.csv"), "--out", filepath.Join(dir, "dz"))
	if code != exitDataRefused || !strings.Contains(errs, "nothing to analyse") || !strings.Contains(errs, "Lai Châu: no households in the population table given") {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	if fileExists(filepath.Join(dir, "dz", "villages.csv")) {
		t.Error("outputs written for a run with nothing analysed")
	}
}

// A calibration fitted on another month than the one analysed (calibrate
// without --period fits the latest) is named as such: the "using
// calibration" line gives the months it was fitted on, and a note says
// how to fit the month analysed.
func TestCalibrationOfAnotherMonth(t *testing.T) {
	ds := filepath.Join(t.TempDir(), "ds")
	b, err := os.ReadFile(filepath.Join(examples, "measurements_viettel.csv"))
	if err != nil {
		t.Fatal(err)
	}
	nov := filepath.Join(t.TempDir(), "measurements_viettel_nov.csv")
	os.WriteFile(nov, []byte(strings.ReplaceAll(string(b), "2026-10-", "2026-11-")), 0o644)
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"), filepath.Join(examples, "measurements_viettel.csv"), nov); code != exitOK {
		t.Fatal(code, errs)
	}
	if _, errs, code := runCmd(t, "calibrate", "--dataset", ds, "--province", "lai chau"); code != exitOK {
		t.Fatal(code, errs)
	}
	_, errs, code := runCmd(t, "coverage", "--dataset", ds, "--province", "lai chau", "--period", "2026-10", "--out", filepath.Join(t.TempDir(), "cov"))
	if code != exitOK || !strings.Contains(errs, "; fitted on 2026-11)") ||
		!strings.Contains(errs, "was fitted on 2026-11, not on 2026-10 analysed here; lomsong calibrate --dataset "+ds+" --period 2026-10 fits this month") {
		t.Fatalf("%d\n%s", code, errs)
	}
}

// checkZoneAreas checks that the zones' areas in dir's deadzones.geojson
// are deadzones.csv's to 4 decimals (a hex is 0.74 km²: tenths blurred
// one hex into 0.8).
func checkZoneAreas(t *testing.T, dir string) {
	t.Helper()
	var fc struct {
		Features []struct {
			Properties struct {
				ID   string  `json:"zone_id"`
				Area float64 `json:"area_km2"`
			} `json:"properties"`
		} `json:"features"`
	}
	gb, _ := os.ReadFile(filepath.Join(dir, "deadzones.geojson"))
	cb, _ := os.ReadFile(filepath.Join(dir, "deadzones.csv"))
	zr, _ := csv.NewReader(bytes.NewReader(cb)).ReadAll()
	if err := json.Unmarshal(gb, &fc); err != nil || len(fc.Features) == 0 || len(zr) != len(fc.Features)+1 {
		t.Fatalf("deadzones.geojson: %v, %d features, %d csv rows", err, len(fc.Features), len(zr))
	}
	ai := slices.Index(zr[0], "area_km2")
	for i, f := range fc.Features {
		a, _ := strconv.ParseFloat(zr[i+1][ai], 64)
		if math.Abs(f.Properties.Area-a) > 5e-5 || f.Properties.Area != math.Round(f.Properties.Area*1e4)/1e4 {
			t.Errorf("zone %s: area %v in the GeoJSON, %v in the CSV", f.Properties.ID, f.Properties.Area, a)
		}
	}
}

// A calibration names the months it fitted, not those its sources' rows
// fall in: with a dump crossing a month's end (its last rows on
// 2026-10-01) beside October's, calibrate --period 2026-09 is "fitted on
// 2026-09" — October's file, which it did not read, is not said to have
// come in after it — and --period 2026-10 is "fitted on 2026-10", noted
// as another month's when September is analysed.
func TestCalibrationMonthsOfACrossingDump(t *testing.T) {
	dir := t.TempDir()
	ds := filepath.Join(dir, "ds")
	b, err := os.ReadFile(filepath.Join(examples, "measurements_viettel.csv"))
	if err != nil {
		t.Fatal(err)
	}
	sep := filepath.Join(dir, "measurements_viettel_sep.csv")
	os.WriteFile(sep, []byte(strings.NewReplacer("2026-10-01", "2026-09-29", "2026-10-02", "2026-09-30", "2026-10-05", "2026-10-01").Replace(string(b))), 0o644)
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"), filepath.Join(examples, "measurements_viettel.csv"), sep); code != exitOK {
		t.Fatal(code, errs)
	}
	coverage := func(period string) string {
		t.Helper()
		_, errs, code := runCmd(t, "coverage", "--dataset", ds, "--province", "lai chau", "--period", period, "--out", filepath.Join(t.TempDir(), "cov"))
		if code != exitOK {
			t.Fatalf("coverage --period %s: %d\n%s", period, code, errs)
		}
		return errs
	}
	for _, tc := range []struct {
		fitted, analysed string
		note             bool
	}{
		{"2026-09", "2026-10", true},
		{"2026-09", "2026-09", false},
		{"2026-10", "2026-09", true},
		{"2026-10", "2026-10", false},
	} {
		if _, errs, code := runCmd(t, "calibrate", "--dataset", ds, "--province", "lai chau", "--period", tc.fitted); code != exitOK {
			t.Fatalf("calibrate --period %s: %d\n%s", tc.fitted, code, errs)
		}
		errs := coverage(tc.analysed)
		note := "note: " + filepath.Join(ds, "calibration.json") + " was fitted on " + tc.fitted + ", not on " + tc.analysed + " analysed here"
		if !strings.Contains(errs, "; fitted on "+tc.fitted+")") || strings.Contains(errs, "was made before") ||
			strings.Contains(errs, note) != tc.note || strings.Contains(errs, "note: ") != tc.note {
			t.Errorf("fitted on %s, analysed %s:\n%s", tc.fitted, tc.analysed, errs)
		}
	}
}

// With one carrier's data, the card says target 1 is that carrier's
// alone: a place only another carrier serves counts as without 3G/4G.
func TestScorecardOneCarrierSaid(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join(examples, "sites.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	keep := []string{lines[0]}
	for _, l := range lines[1:] {
		if strings.Contains(l, ",Viettel,") {
			keep = append(keep, l)
		}
	}
	sites, subs := filepath.Join(dir, "sites_viettel.csv"), filepath.Join(dir, "subs.csv")
	os.WriteFile(sites, []byte(strings.Join(keep, "\n")+"\n"), 0o644)
	os.WriteFile(subs, []byte("area_code,period,households,fiber_households\n12,2026-10,100000,50000\n"), 0o644)
	ds := filepath.Join(dir, "ds")
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, sites, filepath.Join(examples, "measurements_viettel.csv"),
		filepath.Join(examples, "villages.csv"), subs); code != exitOK {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	stdout, errs, code := runCmd(t, "scorecard", "--dataset", ds, "--period", "2026-10", "--out", filepath.Join(dir, "sc"))
	if code != exitOK {
		t.Fatalf("scorecard: %d %s", code, errs)
	}
	if !strings.Contains(stdout, "target 1 counts viettel alone") {
		t.Errorf("the card does not say target 1 is viettel's alone:\n%s", stdout)
	}
}
