package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/predict"
)

// TestCalibrateFindsOffAirMast: a register lists two 3G masts 31 km apart
// (beyond 3G's 15 km reach), both active; drive tests around B read
// levels, around A only "no service". calibrate calls A off the air,
// keeps it in the calibration file, and coverage then predicts it as
// down; --off-air=false leaves the register as it is.
func TestCalibrateFindsOffAirMast(t *testing.T) {
	dir := t.TempDir()
	sites := "site_id,carrier,tech,lon,lat,height_m,status\n" +
		"A-1,viettel,3G,103.30000,22.45000,30,active\n" +
		"A-2,viettel,3G,103.30000,22.45000,30,active\n" +
		"B-1,viettel,3G,103.60000,22.45000,30,active\n"
	var m strings.Builder
	m.WriteString("ts,carrier,tech,lon,lat,signal_dbm,service,source,device_id,device_class,environment\n")
	for i := range 12 {
		// 12 places 250 m apart, 400 m to 3.1 km north-east of each mast.
		d := 0.0025 + 0.00165*float64(i)
		ts := fmt.Sprintf("2026-10-02T03:%02d:00Z", i)
		fmt.Fprintf(&m, "%s,viettel,3G,%.5f,%.5f,,none,drive,scan1,scanner,vehicle\n", ts, 103.30+d, 22.45+d)
		// Around B: about what a 3G mast at 30 m gives there.
		fmt.Fprintf(&m, "%s,viettel,3G,%.5f,%.5f,%.1f,ok,drive,scan1,scanner,vehicle\n", ts, 103.60+d, 22.45+d, -70-6*float64(i)+3*float64(i%3-1))
	}
	os.WriteFile(filepath.Join(dir, "sites.csv"), []byte(sites), 0o644)
	os.WriteFile(filepath.Join(dir, "measurements.csv"), []byte(m.String()), 0o644)
	ds := filepath.Join(dir, "ds")
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(dir, "sites.csv"), filepath.Join(dir, "measurements.csv")); code != exitOK {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	stdout, errs, code := runCmd(t, "calibrate", "--dataset", ds)
	if code != exitOK || !strings.Contains(stdout, "off the air: 1 of 2 masts weighed") || !strings.Contains(stdout, "A-1") ||
		!strings.Contains(stdout, "check the register before sending a crew") {
		t.Fatalf("calibrate: %d\n%s\n%s", code, stdout, errs)
	}
	var cal struct {
		OffAir *struct {
			MastsWeighed int `json:"masts_weighed"`
			Masts        []struct {
				Carrier string   `json:"carrier"`
				SiteIDs []string `json:"site_ids"`
				POff    float64  `json:"p_off_air"`
			} `json:"masts"`
		} `json:"off_air"`
	}
	b, err := os.ReadFile(filepath.Join(ds, "calibration.json"))
	if err != nil || json.Unmarshal(b, &cal) != nil || cal.OffAir == nil || len(cal.OffAir.Masts) != 1 {
		t.Fatalf("calibration file: %v %s", err, b)
	}
	if got := cal.OffAir.Masts[0]; got.Carrier != "viettel" || strings.Join(got.SiteIDs, " ") != "A-1 A-2" || got.POff < 0.99 {
		t.Fatalf("off-air mast %+v", got)
	}
	out := filepath.Join(dir, "cov")
	stdout, errs, code = runCmd(t, "coverage", "--dataset", ds, "--out", out)
	if code != exitOK || !strings.Contains(errs, "2 sector rows of masts off the air") || !strings.Contains(stdout, "3 sites (2 down)") {
		t.Fatalf("coverage: %d\n%s\n%s", code, stdout, errs)
	}
	meta, _ := os.ReadFile(filepath.Join(out, "coverage_meta.json"))
	if !strings.Contains(string(meta), `"A-2 (viettel 3G)"`) || strings.Contains(string(meta), "B-1 (") {
		t.Fatalf("coverage_meta.json should list A's sectors down, not B's: %s", meta)
	}
	stdout, errs, code = runCmd(t, "calibrate", "--dataset", ds, "--off-air=false")
	if b, _ := os.ReadFile(filepath.Join(ds, "calibration.json")); code != exitOK || strings.Contains(stdout, "off the air") || strings.Contains(string(b), "off_air") {
		t.Fatalf("--off-air=false: %d\n%s\n%s\n%s", code, stdout, errs, b)
	}
}

// printOffAir says "bounds only" for a mast judged on no-service rows and
// readings at the floor alone (no exact residual), where it printed
// "+NaN" as the median residual.
func TestPrintOffAirBoundsOnly(t *testing.T) {
	oa := &predict.OffAirResult{Masts: []predict.OffAirMast{
		{Carrier: engine.Viettel, SiteIDs: []string{"VT-1"}, Lon: 103.1, Lat: 22.3, Observations: 9, MedianResidualDB: math.NaN(), POff: 0.8, OffAir: true},
		{Carrier: engine.Viettel, SiteIDs: []string{"VT-2"}, Lon: 103.2, Lat: 22.4, Observations: 40, MedianResidualDB: -21.5, POff: 0.99, OffAir: true},
	}}
	var b strings.Builder
	printOffAir(&b, oa, "calibration.json")
	out := b.String()
	if strings.Contains(out, "NaN") || !strings.Contains(out, "bounds only") || !strings.Contains(out, "-21.5") {
		t.Fatalf("off-air table:\n%s", out)
	}
}
