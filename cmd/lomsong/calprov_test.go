package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// coverageMeta is what TestCoverageRecordsCalibration reads of
// coverage_meta.json.
type coverageMeta struct {
	Metadata map[string]string `json:"metadata"`
	Models   []struct {
		Tech    string            `json:"tech"`
		BandMHz float64           `json:"band_mhz"`
		Sites   int               `json:"sites"`
		Models  map[string]string `json:"models"`
	} `json:"models"`
	SiteDefaults []struct {
		Tech  string  `json:"tech"`
		Field string  `json:"field"`
		Value float64 `json:"value"`
		Sites int     `json:"sites"`
	} `json:"site_defaults"`
}

// readCoverageOutputs returns an output folder's coverage_meta.json, the
// metadata member of coverage_best.geojson and coverage.parquet's bytes.
func readCoverageOutputs(t *testing.T, out string) (coverageMeta, map[string]string, []byte) {
	t.Helper()
	var m coverageMeta
	b, err := os.ReadFile(filepath.Join(out, "coverage_meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Metadata map[string]string `json:"metadata"`
	}
	if b, err = os.ReadFile(filepath.Join(out, "coverage_best.geojson")); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	pq, err := os.ReadFile(filepath.Join(out, "coverage.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	return m, fc.Metadata, pq
}

// Coverage says and records which calibration its predictions carry —
// the file, its SHA-256 and months, or none and why — and the models and
// the defaults given to sites the register leaves without values.
func TestCoverageRecordsCalibration(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// Two sectors as an OpenCelliD register gives them: no band, EIRP or
	// height.
	bare := filepath.Join(dir, "sites_bare.csv")
	os.WriteFile(bare, []byte("site_id,carrier,tech,lon,lat\nBARE-1,Viettel,4G,103.33,22.40\nBARE-2,Viettel,4G,103.36,22.42\n"), 0o644)
	ds := filepath.Join(dir, "ds")
	if _, errs, code := runBinary(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"), bare,
		filepath.Join(examples, "measurements_viettel.csv")); code != exitOK {
		t.Fatalf("ingest: %d\n%s", code, errs)
	}

	// No calibration.json: said, and recorded as none.
	out := filepath.Join(dir, "c0")
	_, errs, code := runBinary(t, "coverage", "--dataset", ds, "--out", out)
	if code != exitOK || !strings.Contains(errs, "predicting uncalibrated (no calibration.json in the dataset)") {
		t.Fatalf("coverage without a calibration: %d\n%s", code, errs)
	}
	m, gj, pq := readCoverageOutputs(t, out)
	for name, md := range map[string]map[string]string{"coverage_meta.json": m.Metadata, "coverage_best.geojson": gj} {
		if md["lomsong.calibration"] != "none" || md["lomsong.calibration_uncalibrated"] != "no calibration.json in the dataset" ||
			md["lomsong.dataset_manifest_sha256"] == "" {
			t.Errorf("%s metadata without a calibration: %v", name, md)
		}
	}
	if !bytes.Contains(pq, []byte("lomsong.calibration_uncalibrated")) {
		t.Error("coverage.parquet's metadata does not say it is uncalibrated")
	}
	defaults := map[string]float64{}
	for _, d := range m.SiteDefaults {
		if d.Tech == "4G" && d.Sites == 2 {
			defaults[d.Field] = d.Value
		}
	}
	if defaults["band_mhz"] != 1800 || defaults["eirp_dbm"] != 58 || defaults["height_m"] != 30 {
		t.Errorf("site_defaults: the two bare 4G sectors' band, EIRP and height: %+v", m.SiteDefaults)
	}
	found := false
	for _, u := range m.Models {
		if u.Tech == "4G" && u.BandMHz == 1800 {
			found = u.Sites >= 2 && u.Models["rural"] == "cost231-hata" && u.Models["dense-urban"] == "cost231-hata"
		}
	}
	if !found {
		t.Errorf("models: no 4G 1800 MHz COST-231 entry: %+v", m.Models)
	}

	// A calibration: its path, SHA-256 and month.
	if _, errs, code := runBinary(t, "calibrate", "--dataset", ds); code != exitOK {
		t.Fatalf("calibrate: %d\n%s", code, errs)
	}
	calPath := filepath.Join(ds, "calibration.json")
	cb, err := os.ReadFile(calPath)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(cb)
	out = filepath.Join(dir, "c1")
	if _, errs, code := runBinary(t, "coverage", "--dataset", ds, "--out", out); code != exitOK || strings.Contains(errs, "uncalibrated (") {
		t.Fatalf("coverage with a calibration: %d\n%s", code, errs)
	}
	m, gj, pq = readCoverageOutputs(t, out)
	for name, md := range map[string]map[string]string{"coverage_meta.json": m.Metadata, "coverage_best.geojson": gj} {
		if md["lomsong.calibration"] != calPath || md["lomsong.calibration_sha256"] != hex.EncodeToString(sum[:]) ||
			md["lomsong.calibration_fitted_on"] != "2026-10" {
			t.Errorf("%s metadata with a calibration: %v", name, md)
		}
	}
	if !bytes.Contains(pq, []byte(hex.EncodeToString(sum[:]))) {
		t.Error("coverage.parquet's metadata does not carry the calibration's SHA-256")
	}

	// --calibration none: said, and recorded as such.
	out = filepath.Join(dir, "c2")
	_, errs, code = runBinary(t, "coverage", "--dataset", ds, "--calibration", "none", "--out", out)
	if code != exitOK || !strings.Contains(errs, "predicting uncalibrated (--calibration none)") {
		t.Fatalf("coverage --calibration none: %d\n%s", code, errs)
	}
	if m, _, _ = readCoverageOutputs(t, out); m.Metadata["lomsong.calibration"] != "none" || m.Metadata["lomsong.calibration_uncalibrated"] != "--calibration none" {
		t.Errorf("--calibration none: %v", m.Metadata)
	}
}

// The dead-zone tables say what made them, as coverage's do: deadzones_meta
// .json's provenance names the build, the dataset's manifest, the month
// analysed and the calibration (its file and SHA-256, or none and why),
// from lomsong deadzones and from lomsong run --out alike.
func TestDeadzonesRecordProvenance(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ds := filepath.Join(dir, "ds")
	if _, errs, code := runBinary(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"),
		filepath.Join(examples, "measurements_viettel.csv"), filepath.Join(examples, "villages.csv")); code != exitOK {
		t.Fatalf("ingest: %d\n%s", code, errs)
	}
	readProv := func(out string) map[string]string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(out, "deadzones_meta.json"))
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			Provenance map[string]string `json:"provenance"`
		}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m.Provenance
	}
	out := filepath.Join(dir, "dz0")
	if _, errs, code := runBinary(t, "deadzones", "--dataset", ds, "--out", out); code != exitOK {
		t.Fatalf("deadzones: %d\n%s", code, errs)
	}
	if p := readProv(out); p["lomsong.calibration"] != "none" || p["lomsong.calibration_uncalibrated"] != "no calibration.json in the dataset" ||
		p["lomsong.dataset_manifest_sha256"] == "" || p["lomsong.periods"] != "2026-10" || p["lomsong.version"] == "" {
		t.Errorf("deadzones without a calibration: provenance %v", p)
	}
	if _, errs, code := runBinary(t, "calibrate", "--dataset", ds); code != exitOK {
		t.Fatalf("calibrate: %d\n%s", code, errs)
	}
	cb, err := os.ReadFile(filepath.Join(ds, "calibration.json"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(cb)
	for _, args := range [][]string{{"deadzones", "--dataset", ds, "--out", filepath.Join(dir, "dz1")},
		{"run", "--dataset", ds, "--period", "2026-10", "--out", filepath.Join(dir, "run1")}} {
		if _, errs, code := runBinary(t, args...); code != exitOK {
			t.Fatalf("%s: %d\n%s", args[0], code, errs)
		}
		out := args[len(args)-1]
		if args[0] == "run" {
			out = filepath.Join(out, "deadzones")
		}
		if p := readProv(out); p["lomsong.calibration"] != filepath.Join(ds, "calibration.json") ||
			p["lomsong.calibration_sha256"] != hex.EncodeToString(sum[:]) || p["lomsong.calibration_fitted_on"] != "2026-10" ||
			p["lomsong.periods"] != "2026-10" {
			t.Errorf("%s with a calibration: provenance %v", args[0], p)
		}
	}
}
