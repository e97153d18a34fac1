package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/synth"
	"github.com/lomsong/lomsong/internal/shareddata"
)

// Carrier and drive-test exports (engine/ingest/testdata) are read as they
// come: the suggested mapping is JSON alone on stdout and ingests them
// without edits; the presets read them too.
func TestSuggestedMappingIngestsExports(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		file, report string
	}{
		{"gnettrack.txt", "6 rows with idle bitrates"},
		{"vn_drivetest.csv", "6 times without offset read as Asia/Ho_Chi_Minh (UTC+7)"},
	} {
		t.Run(c.file, func(t *testing.T) {
			path := filepath.Join("..", "..", "engine", "ingest", "testdata", c.file)
			out, errs, code := runCmd(t, "validate", "--suggest-mapping", path)
			if code != exitOK {
				t.Fatalf("exit %d\n%s", code, errs)
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(out), &m); err != nil {
				t.Fatalf("stdout is not one JSON mapping: %v\n%s", err, out)
			}
			mapping := filepath.Join(dir, c.file+".json")
			if err := os.WriteFile(mapping, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
			out, errs, code = runCmd(t, "ingest", "--dataset", filepath.Join(dir, "ds"), "--mapping", mapping, "--max-reject-share", "0", path)
			if code != exitOK || !strings.Contains(out, " 0 rejected") || !strings.Contains(out, c.report) {
				t.Fatalf("exit %d\n%s\n%s", code, out, errs)
			}
		})
	}
	preset := filepath.Join("..", "..", "engine", "ingest", "testdata", "vn_drivetest.csv")
	out, errs, code := runCmd(t, "validate", "--preset", "vn-drivetest", "--timezone", "UTC", "--max-reject-share", "0", preset)
	if code != exitOK || !strings.Contains(out, "6 times without offset read as UTC") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	for _, args := range [][]string{
		{"validate", "--preset", "tems-investigation", preset},
		{"validate", "--timezone", "Mars/Olympus", preset},
		{"validate", "--preset", "gnettrack", "--mapping", "x.json", preset},
	} {
		if _, errs, code := runCmd(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d\n%s", args, code, exitUsage, errs)
		}
	}
}

// TestCalibratePerSite: a generated world whose drive tests name their
// serving cell and whose register gives each sector's cell_id goes through
// the contract files, ingest and the dataset into calibrate --per-site:
// measurements are tied to their sector by cell_id, the calibration file
// records per-site offsets, and coverage applies them.
func TestCalibratePerSite(t *testing.T) {
	dir := t.TempDir()
	w, err := synth.Generate(synth.Config{ServingCells: true, SiteEIRPErrorDB: 4})
	if err != nil {
		t.Fatal(err)
	}
	sites, meas := filepath.Join(dir, "sites.csv"), filepath.Join(dir, "measurements.csv")
	for _, f := range []struct {
		path  string
		write func(*os.File) error
	}{
		{sites, func(f *os.File) error { return synth.WriteSitesCSV(f, w.Sites) }},
		{meas, func(f *os.File) error { return synth.WriteMeasurementsCSV(f, w.Measurements) }},
	} {
		fh, err := os.Create(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.write(fh); err != nil {
			t.Fatal(err)
		}
		fh.Close()
	}
	ds := filepath.Join(dir, "ds")
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, sites, meas); code != exitOK {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	cal := filepath.Join(dir, "calibration.json")
	stdout, errs, code := runCmd(t, "calibrate", "--dataset", ds, "--per-site", "--out", cal)
	if code != exitOK || !strings.Contains(stdout, "per-site offsets:") {
		t.Fatalf("calibrate: %d\n%s\n%s", code, stdout, errs)
	}
	var f struct {
		Attribution map[string]int   `json:"site_attribution"`
		Offsets     []map[string]any `json:"site_offsets"`
		Networks    []map[string]any `json:"site_networks"`
	}
	b, _ := os.ReadFile(cal)
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	a := f.Attribution
	if a["by_cell_id"] < a["measurements"]*8/10 || a["by_best_server"] != 0 || len(f.Offsets) < 1000 || len(f.Networks) < 9 {
		t.Fatalf("attribution %v, %d offsets, %d networks", a, len(f.Offsets), len(f.Networks))
	}
	// The outdoor no-service rows are counted as left out (the count
	// said 0: they were dropped before it).
	noService := 0
	for i := range w.Measurements.Len() {
		if env := w.Measurements.Environment[i]; math.IsNaN(w.Measurements.SignalDBm[i]) && (env == engine.EnvOutdoor || env == engine.EnvVehicle) {
			noService++
		}
	}
	if noService == 0 || a["no_signal"] != noService {
		t.Fatalf("no_signal %d, the world's outdoor no-service rows %d", a["no_signal"], noService)
	}
	_, errs, code = runCmd(t, "coverage", "--dataset", ds, "--calibration", cal, "--out", filepath.Join(dir, "cov"))
	if code != exitOK || !strings.Contains(errs, fmt.Sprintf("%d per-site offsets", len(f.Offsets))) {
		t.Fatalf("coverage: %d\n%s", code, errs)
	}
	// Without --per-site the file has no per-site part.
	if _, _, code := runCmd(t, "calibrate", "--dataset", ds, "--out", cal); code != exitOK {
		t.Fatal(code)
	}
	b, _ = os.ReadFile(cal)
	if strings.Contains(string(b), "site_offsets") {
		t.Error("per-site offsets written without --per-site")
	}
}

// TestValidateReportFile: validate --report writes the JSON report with
// its counts, for a file that is refused (every row has an undeclared
// decimal comma) as for one that passes.
func TestValidateReportFile(t *testing.T) {
	dir := t.TempDir()
	vn := filepath.Join("..", "..", "engine", "ingest", "testdata", "vn_drivetest.csv")
	mapping := filepath.Join(dir, "m.json")
	os.WriteFile(mapping, []byte(`{"columns": {"Thoi gian": "ts", "Kinh do": "lon", "Vi do": "lat", "Nha mang": "carrier",
  "Cong nghe": "tech", "RSRP (dBm)": "signal_dbm"}, "units": {"ts": "layout:02/01/2006 15:04:05"}}`), 0o644)
	report := filepath.Join(dir, "report.json")
	_, errs, code := runCmd(t, "validate", "--mapping", mapping, "--report", report, vn)
	if code != exitDataRefused {
		t.Fatalf("exit %d, want %d (refused)\n%s", code, exitDataRefused, errs)
	}
	var got []struct {
		Path   string `json:"path"`
		Counts struct {
			RowsRead    int64            `json:"rows_read"`
			Accepted    int64            `json:"rows_accepted"`
			Quarantined int64            `json:"rows_quarantined"`
			ByReason    map[string]int64 `json:"quarantined_by_reason"`
			Decimal     int64            `json:"rows_rejected_for_decimal_comma"`
			Naive       int64            `json:"times_without_offset"`
			Idle        int64            `json:"idle_speed_rows_excluded"`
			Mark        string           `json:"decimal_mark"`
		} `json:"counts"`
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &got); err != nil || len(got) != 1 {
		t.Fatalf("%v: %s", err, b)
	}
	c := got[0].Counts
	if c.RowsRead != 6 || c.Accepted != 0 || c.Quarantined != 6 || c.ByReason["invalid_number"] != 6 || c.Decimal != 6 || c.Mark != "." {
		t.Fatalf("%+v", c)
	}
	gn := filepath.Join("..", "..", "engine", "ingest", "testdata", "gnettrack.txt")
	if _, errs, code := runCmd(t, "validate", "--preset", "gnettrack", "--report", report, gn); code != exitOK {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	b, _ = os.ReadFile(report)
	got = nil
	if err := json.Unmarshal(b, &got); err != nil || len(got) != 1 {
		t.Fatalf("%v: %s", err, b)
	}
	if c := got[0].Counts; c.Accepted != 9 || c.Idle != 6 || c.Naive != 9 {
		t.Fatalf("gnettrack %+v", c)
	}
}

// TestCalibrateSaysWhichFitsApply: a network fitted on 9 measured hexes
// is written but not applied (the stages need 10); calibrate's table, the
// file and coverage's "using calibration" line say so, and the network's
// predictions stay the model's while the one fitted on 10 hexes moves.
func TestCalibrateSaysWhichFitsApply(t *testing.T) {
	dir := t.TempDir()
	sites := writeFile(t, dir, "sites.csv", []byte("site_id,carrier,tech,lon,lat,band_mhz,height_m,eirp_dbm,status\n"+
		"S1,viettel,4G,103.2400,22.3400,1800,30,60,active\nS2,mobifone,4G,103.2400,22.3400,1800,30,60,active\n"))
	var b strings.Builder
	b.WriteString("ts,carrier,tech,lon,lat,signal_dbm,service,source,device_class,environment\n")
	rng := rand.New(rand.NewPCG(12, 0))
	for _, n := range []struct {
		carrier string
		hexes   int
	}{{"viettel", 9}, {"mobifone", 10}} {
		for k := range n.hexes {
			d, a := 2.0+0.3*float64(k), 1.5+0.5*float64(k)
			lon := 103.24 + d*math.Cos(a)/(111.32*math.Cos(22.34*math.Pi/180))
			lat := 22.34 + d*math.Sin(a)/110.57
			for i := range 10 {
				fmt.Fprintf(&b, "2024-10-%02dT%02d:%02d:00+07:00,%s,4G,%.6f,%.6f,%.1f,ok,drive,smartphone,outdoor\n", 1+i%25, 6+(i*3)%15, i, n.carrier,
					lon+(rng.Float64()-0.5)*0.0016, lat+(rng.Float64()-0.5)*0.0016, -110+rng.NormFloat64()*2)
			}
		}
	}
	meas := writeFile(t, dir, "measurements.csv", []byte(b.String()))
	ds := filepath.Join(dir, "ds")
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, sites, meas); code != exitOK {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	stdout, errs, code := runCmd(t, "calibrate", "--dataset", ds)
	if code != exitOK {
		t.Fatalf("calibrate: %d\n%s", code, errs)
	}
	applied := map[string]string{}
	for _, l := range strings.Split(stdout, "\n") {
		if f := strings.Fields(l); len(f) == 12 && f[1] == "4G" {
			applied[f[0]+" "+f[3]] = f[11]
		}
	}
	if applied["viettel 9"] != "no" || applied["mobifone 10"] != "yes" ||
		!strings.Contains(stdout, "not applied, fitted on fewer than 10 measured hexes (their predictions and σ stay the model's): viettel 4G (9)") {
		t.Fatalf("calibrate's table (applied %v):\n%s", applied, stdout)
	}
	var f struct {
		Calibrations []struct {
			Carrier    string `json:"carrier"`
			Applied    bool   `json:"applied"`
			NotApplied string `json:"not_applied"`
		} `json:"calibrations"`
	}
	raw, _ := os.ReadFile(filepath.Join(ds, "calibration.json"))
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	for _, c := range f.Calibrations {
		if c.Applied != (c.Carrier == "mobifone") || c.Applied != (c.NotApplied == "") {
			t.Errorf("calibration.json: %+v", c)
		}
	}
	_, errs, code = runCmd(t, "coverage", "--dataset", ds, "--out", filepath.Join(dir, "cov"))
	if code != exitOK || !strings.Contains(errs, "(1 carrier/technology fits applied; not applied, fewer than 10 measured hexes: viettel 4G (9);") {
		t.Fatalf("coverage: %d\n%s", code, errs)
	}
	// A calibration fitted at another resolution is used with a warning.
	if _, errs, code := runCmd(t, "coverage", "--dataset", ds, "--res", "7", "--out", filepath.Join(dir, "cov7")); code != exitOK ||
		!strings.Contains(errs, "was fitted at resolution 8 and this run is at 7") {
		t.Fatalf("coverage --res 7: %d\n%s", code, errs)
	}
	if _, errs, code := runCmd(t, "coverage", "--dataset", ds, "--calibration", "none", "--out", filepath.Join(dir, "none")); code != exitOK {
		t.Fatalf("coverage --calibration none: %d\n%s", code, errs)
	}
	pred := func(path string) map[string]string { // predicted_dbm by cell, carrier and technology
		rows, err := readCSVFile(path)
		if err != nil || len(rows) < 2 || rows[0][13] != "predicted_dbm" {
			t.Fatalf("%s: %v %v", path, err, rows)
		}
		m := map[string]string{}
		for _, r := range rows[1:] {
			m[r[0]+" "+r[4]+" "+r[5]] = r[13]
		}
		return m
	}
	cal, none := pred(filepath.Join(dir, "cov", "coverage.csv")), pred(filepath.Join(dir, "none", "coverage.csv"))
	var same, moved int
	for k, v := range cal {
		if strings.Contains(k, "viettel") != (v == none[k]) {
			t.Errorf("%s: calibrated %s, uncalibrated %s", k, v, none[k])
		}
		if v == none[k] {
			same++
		} else {
			moved++
		}
	}
	if same == 0 || moved == 0 {
		t.Errorf("%d rows the same, %d moved", same, moved)
	}
}

// TestValidateOtherCountry: the real OpenCelliD export of Ecuador (MCC 740)
// is a valid register by the contract, so its rows are accepted, but the
// report says that every one lies outside Viet Nam; a Vietnamese
// drive-test export says nothing of the kind, and names a rejected row's
// column as the file spells it.
func TestValidateOtherCountry(t *testing.T) {
	out, errs, code := runBinary(t, "validate", shareddata.Path(t, "opencellid_740_ecuador.csv.gz"))
	if code != exitOK || !strings.Contains(out, "75066 of 75066 accepted rows (100.0%) lie outside Viet Nam") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	out, errs, code = runBinary(t, "validate", "--json", shareddata.Path(t, "opencellid_740_ecuador.csv.gz"))
	if code != exitOK || !strings.Contains(out, `"rows_outside_viet_nam": 75066`) {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("..", "..", "engine", "ingest", "testdata", "vn_drivetest.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// One RSRP made impossible.
	lines := strings.SplitN(string(src), "\n", 3)
	fields := strings.Split(lines[1], ";")
	for i, h := range strings.Split(lines[0], ";") {
		if strings.HasPrefix(strings.TrimSpace(h), "RSRP") {
			fields[i] = "-999"
		}
	}
	lines[1] = strings.Join(fields, ";")
	bad := filepath.Join(dir, "vn_drivetest_bad.csv")
	if err := os.WriteFile(bad, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code = runBinary(t, "validate", "--preset", "vn-drivetest", "--timezone", "UTC", "--max-reject-share", "0.5", bad)
	if code != exitOK || strings.Contains(out, "outside Viet Nam") || !strings.Contains(out, `line 2, column "RSRP (dBm) → signal_dbm", value "-999"`) {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
}

// TestSuggestMappingOfARegister: a register in its own layout (no time or
// signal; azimuth, tilt, EIRP, height) given without --kind is suggested as
// sites, said on stderr, and the suggestion validates the file.
func TestSuggestMappingOfARegister(t *testing.T) {
	dir := t.TempDir()
	reg := filepath.Join(dir, "register.csv")
	if err := os.WriteFile(reg, []byte("Site,Operator,Technology,Longitude,Latitude,Azimuth,Tilt,EIRP,Height,Status\n"+
		"LC-001,Viettel,LTE,103.30,22.40,120,4,58,30,On Air\nLC-002,Viettel,LTE,103.31,22.41,240,4,58,30,On Air\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCmd(t, "validate", "--suggest-mapping", reg)
	if code != exitOK || !strings.Contains(errs, "read as a site register") || !strings.Contains(out, `"kind": "sites"`) {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	mapping := filepath.Join(dir, "register.json")
	if err := os.WriteFile(mapping, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, errs, code := runCmd(t, "validate", "--mapping", mapping, "--max-reject-share", "0", reg); code != exitOK || !strings.Contains(out, "2 accepted, 0 rejected") {
		t.Fatalf("validate with the suggestion: exit %d\n%s\n%s", code, out, errs)
	}
}

// TestValidateImplausibleRegister: a register row of an EIRP above any
// cell site's and one of a height the models do not take are kept and
// said, with the bound and its power.
func TestValidateImplausibleRegister(t *testing.T) {
	reg := filepath.Join(t.TempDir(), "sites.csv")
	if err := os.WriteFile(reg, []byte("site_id,carrier,tech,lon,lat,eirp_dbm,height_m\nA,Viettel,4G,105.85,21.03,100,30\nB,Viettel,4G,105.86,21.03,58,6\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runBinary(t, "validate", reg)
	if code != exitOK || !strings.Contains(out, "1 site row with eirp_dbm above 75 dBm (31.6 kW)") ||
		!strings.Contains(out, "1 site row with height_m outside the propagation models' 10–300 m") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
}

// TestValidateQuarantineSameNames: two inputs with one base name share a
// --quarantine FILE; each row names its file by the path as given (both
// read "dump.csv" before, so the rows could not be told apart).
func TestValidateQuarantineSameNames(t *testing.T) {
	dir := t.TempDir()
	body := []byte("ts,carrier,tech,lon,lat,signal_dbm\n2024-10-01T10:00:00+07:00,viettel,4G,105.85,21.03,-98\n" +
		"2024-10-01T10:00:01+07:00,viettel,4G,999,21.03,-98\n")
	for _, d := range []string{"hanoi", "laichau"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	a := writeFile(t, filepath.Join(dir, "hanoi"), "dump.csv", body)
	b := writeFile(t, filepath.Join(dir, "laichau"), "dump.csv", body)
	q := filepath.Join(dir, "q.csv")
	if _, errs, code := runCmd(t, "validate", "--max-reject-share", "1", "--quarantine", q, a, b); code != exitOK {
		t.Fatalf("%d %s", code, errs)
	}
	got, err := os.ReadFile(q)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{a, b} {
		if !strings.Contains(string(got), p+",3,lon,999,out_of_range") {
			t.Errorf("quarantine does not name %s:\n%s", p, got)
		}
	}
}
