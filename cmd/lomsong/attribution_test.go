package main

import (
	"encoding/csv"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/geodata"
	"github.com/lomsong/lomsong/internal/shareddata"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// With the real 2025 communes, villages of Lai Châu carrying the demo's
// commune codes (12001…, real codes of Hưng Yên) stay in Lai Châu, in one
// of its communes, and a village abroad is listed as outside every unit.
func TestDeadzonesCommunesOfTheirProvince(t *testing.T) {
	if testing.Short() {
		t.Skip("real boundaries: skipped in -short")
	}
	communes := shareddata.Path(t, "vn_communes_2025.geojson")
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,12001,103.30,22.45,40\nV2,Bản B,12005,103.52,22.52,25\nV3,Bản Lào,12001,102.10,20.50,30\n")
	out := filepath.Join(dir, "dz")
	stdout, errs, code := runCmd(t, "deadzones", "--dataset", ds, "--province", "lai chau", "--communes", communes, "--out", out)
	if code != exitOK {
		t.Fatalf("%d\n%s\n%s", code, stdout, errs)
	}
	// The summary of a one-province run: its row alone (not an
	// "(unattributed)" row of zeros for the village in Laos), and a
	// headline of its part.
	if strings.Contains(stdout, "Hưng Yên") || !strings.Contains(stdout, "1 village lies outside every province and commune") ||
		strings.Contains(stdout, "(unattributed)") || !strings.Contains(stdout, "zones with hexes in it") ||
		!strings.Contains(stdout, "provinces from "+geodata.NaturalEarthCoarse+": a village near a border") {
		t.Errorf("summary:\n%s", stdout)
	}
	f, err := os.Open(filepath.Join(out, "villages.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	got := map[string][3]string{}
	for _, r := range recs[1:] {
		got[r[col["village_id"]]] = [3]string{r[col["province"]], r[col["commune"]], r[col["attribution"]]}
	}
	for _, id := range []string{"V1", "V2"} {
		g := got[id]
		if g[0] != "12" || g[1] == "" || g[1] == "12001" || g[1] == "12005" || g[2] != "point" {
			t.Errorf("%s: province, commune, attribution = %q", id, g)
		}
	}
	if g := got["V3"]; g != [3]string{"", "", "outside_all_units"} {
		t.Errorf("V3 (in Laos): %q", g)
	}
}

// The summary's "(unattributed)" row counts the villages outside every
// province, as villages.csv lists them, beside their dead-zone households;
// those with no site or test near them (in Laos, at sea) are not analysed
// (they were "without signal" on no evidence).
func TestDeadzonesUnattributedRow(t *testing.T) {
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV2,Bản Lào,,102.10,20.50,30\nV3,Đảo,,107.5,20.0,20\nV4,Bản Biên,,103.45,22.75,25\n")
	out := filepath.Join(dir, "dz")
	stdout, errs, code := runCmd(t, "deadzones", "--dataset", ds, "--out", out)
	if code != exitOK {
		t.Fatalf("%d\n%s\n%s", code, stdout, errs)
	}
	var row []string
	for line := range strings.SplitSeq(stdout, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == "(unattributed)" {
			row = f
		}
	}
	// (unattributed), households, villages, without 3G/4G, uncertain,
	// expected missed: V4 across the border, 35 km from the sites, without
	// signal.
	if len(row) != 6 || row[2] != "1" || row[3] != "1" || row[4] != "0" || row[5] != "0.0" {
		t.Errorf("unattributed row %q, want 1 village, 1 without 3G/4G:\n%s", row, stdout)
	}
	if !strings.Contains(stdout, "outside every province, no site or test within about 8–25 km: populated hexes 2, households 50, villages 2") {
		t.Errorf("V2 and V3 not said not analysed:\n%s", stdout)
	}
}

// A run limited to a province analyses the province's hexes: a hex of its
// outline (centre inside) holding only a neighbour's village is the
// neighbour's, and the province run's hexes.csv is the unrestricted run's
// rows of that province, households for households.
func TestDeadzonesProvinceHexesAreItsOwn(t *testing.T) {
	set, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	// A point in Điện Biên (11) whose resolution-8 hex has its centre in
	// Lai Châu (12), along their border.
	var across orb.Point
	for lon := 102.60; lon < 103.40 && across == (orb.Point{}); lon += 0.001 {
		for lat := 21.70; lat < 22.30; lat += 0.001 {
			p := orb.Point{lon, lat}
			u, ok := set.Locate(p)
			if !ok || u.Code != "11" {
				continue
			}
			c, err := hexgrid.Index(lon, lat, 8)
			if err != nil {
				t.Fatal(err)
			}
			ctr, err := c.Center()
			if err != nil {
				t.Fatal(err)
			}
			if v, ok := set.Locate(ctr); ok && v.Code == "12" {
				across = p
				break
			}
		}
	}
	if across == (orb.Point{}) {
		t.Fatal("no border point found")
	}
	dir := t.TempDir()
	ds := villagesDataset(t, dir, fmt.Sprintf("V1,Bản A,,103.30,22.45,40\nV2,Bản Biên,,%.6f,%.6f,30\n", across[0], across[1]))
	rowsOf := func(args ...string) map[string]string {
		out := filepath.Join(dir, "out"+strings.Join(args, "_"))
		if _, errs, code := runCmd(t, append([]string{"deadzones", "--dataset", ds, "--out", out}, args...)...); code != exitOK {
			t.Fatalf("%v: %d %s", args, code, errs)
		}
		rows := csvRows(t, filepath.Join(out, "hexes.csv"))
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		got := map[string]string{}
		for _, r := range rows[1:] {
			if len(args) == 0 && r[col["province"]] != "12" {
				continue
			}
			got[r[col["cell"]]] = r[col["households"]] + " " + r[col["province"]]
		}
		return got
	}
	all, one := rowsOf(), rowsOf("--province", "lai chau")
	if !maps.Equal(all, one) {
		t.Errorf("Lai Châu's hexes: unrestricted run %v, province run %v", all, one)
	}
}

// A --communes file that can give no village a commune is refused (no
// units; no unit with the parent property: a misspelt
// --commune-parent-prop or the provinces file given by mistake), and the
// 2025 communes under the 2019 provinces say which provinces' villages get
// none (Hà Giang's communes are Tuyên Quang's since 2025).
func TestCommunesFileChecked(t *testing.T) {
	if testing.Short() {
		t.Skip("real boundaries: skipped in -short")
	}
	communes := shareddata.Path(t, "vn_communes_2025.geojson")
	dir := t.TempDir()
	// V2 in the former Hà Giang (02 in 2019, Tuyên Quang 08 since 2025).
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV2,Bản Hà,,104.98,22.82,30\n")
	empty := filepath.Join(dir, "empty.geojson")
	os.WriteFile(empty, []byte(`{"type":"FeatureCollection","features":[]}`), 0o644)
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--communes", empty}, exitDataRefused, "no communes in the file"},
		{[]string{"--communes", communes, "--commune-parent-prop", "provincecode"}, exitUsage, `has the property "provincecode"`},
	} {
		_, errs, code := runCmd(t, append([]string{"deadzones", "--dataset", ds, "--out", filepath.Join(dir, "x")}, c.args...)...)
		if code != c.code || !strings.Contains(errs, c.msg) {
			t.Errorf("%v: exit %d (want %d, %q)\n%s", c.args, code, c.code, c.msg, errs)
		}
	}
	// Another province's communes (Hà Nội's for villages of Lai Châu and
	// the former Hà Giang): no village gets one, refused.
	raw, err := os.ReadFile(communes)
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		t.Fatal(err)
	}
	hn := geojson.NewFeatureCollection()
	for _, f := range fc.Features {
		if f.Properties.MustString("provinceCode", "") == "01" {
			hn.Append(f)
		}
	}
	b, _ := hn.MarshalJSON()
	hanoi := filepath.Join(dir, "hanoi.geojson")
	os.WriteFile(hanoi, b, 0o644)
	for _, cmdArgs := range [][]string{
		{"deadzones", "--dataset", ds, "--communes", hanoi, "--out", filepath.Join(dir, "dzhn")},
		{"export", "--dataset", ds, "--period", "2026-10", "--communes", hanoi, "--format", "gpkg", "--out", filepath.Join(dir, "hn.gpkg")},
	} {
		if _, errs, code := runCmd(t, cmdArgs...); code != exitDataRefused || !strings.Contains(errs, "gives none of the") {
			t.Errorf("%s with Hà Nội's communes: exit %d\n%s", cmdArgs[0], code, errs)
		}
	}
	// Hà Giang has no site or test: not analysed, its village left out.
	stdout, errs, code := runCmd(t, "deadzones", "--dataset", ds, "--boundaries", "provinces2019", "--communes", communes, "--out", filepath.Join(dir, "dz19"))
	if code != exitOK || !strings.Contains(stdout, "02 Hà Giang: populated hexes 1, households 30, villages 1") {
		t.Errorf("2019 provinces, Hà Giang without data: exit %d\n%s\n%s", code, stdout, errs)
	}
	// With a test there it is analysed, and its village, in no commune of
	// the 2025 file under the 2019 boundaries, is said so.
	tests := filepath.Join(dir, "hagiang.csv")
	os.WriteFile(tests, []byte("ts,carrier,tech,lon,lat,signal_dbm,service,source,device_id,device_class,environment\n"+
		"2026-10-02T03:00:00Z,Viettel,4G,104.981,22.821,-90,ok,crowd,dhg,smartphone,outdoor\n"), 0o644)
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, tests); code != exitOK {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	_, errs, code = runCmd(t, "deadzones", "--dataset", ds, "--boundaries", "provinces2019", "--communes", communes, "--out", filepath.Join(dir, "dz19b"))
	if code != exitOK || !strings.Contains(errs, "1 village of Hà Giang (02) got no commune") {
		t.Errorf("2019 provinces with the 2025 communes: exit %d\n%s", code, errs)
	}
}

// A population table finer than the analysis (lomsong population --points
// --res 10) counts its populated hexes at the analysis resolution: the
// summary said "over 0 populated hexes" beside a run of several.
func TestDeadzonesFinerPopulationTable(t *testing.T) {
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV4,Bản Biên,,103.45,22.75,25\n")
	pts := filepath.Join(dir, "pts.csv")
	os.WriteFile(pts, []byte("lon,lat,population,households\n103.30,22.45,170,40\n103.45,22.75,105,25\n"), 0o644)
	if _, errs, code := runCmd(t, "population", "--points", pts, "--res", "10", "--out", filepath.Join(dir, "pop")); code != exitOK {
		t.Fatalf("population: %d\n%s", code, errs)
	}
	stdout, errs, code := runCmd(t, "deadzones", "--dataset", ds, "--population", filepath.Join(dir, "pop", "population.csv"), "--out", filepath.Join(dir, "dz"))
	if code != exitOK || !strings.Contains(stdout, "over 2 populated hexes") {
		t.Errorf("%d\n%s\n%s", code, stdout, errs)
	}
}

// Without a population table and without villages every point would be
// predicted as open country, silently: the commands say so.
func TestCoverageWarnsWithoutPopulation(t *testing.T) {
	dir := t.TempDir()
	ds := filepath.Join(dir, "ds")
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"), filepath.Join(examples, "measurements_viettel.csv")); code != exitOK {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	for _, args := range [][]string{{"calibrate", "--dataset", ds}, {"coverage", "--dataset", ds, "--out", filepath.Join(dir, "cov")}} {
		if _, errs, _ := runCmd(t, args...); !strings.Contains(errs, "no population table and no villages in the dataset: every point is predicted as open country") {
			t.Errorf("%s: no warning:\n%s", args[0], errs)
		}
	}
}

// lomsong population refuses to write what every stage would refuse to
// read: a count beyond the density bound, households all 0.
func TestPopulationRefusesWhatStagesRefuse(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"1e9 people":      "lon,lat,population\n103.30,22.45,1e9\n",
		"zero households": "lon,lat,population,households\n103.30,22.45,170,0\n103.45,22.75,105,0\n",
	} {
		pts := filepath.Join(dir, "pts.csv")
		os.WriteFile(pts, []byte(text), 0o644)
		out := filepath.Join(dir, "pop-"+strings.ReplaceAll(name, " ", "-"))
		_, errs, code := runCmd(t, "population", "--points", pts, "--out", out)
		if code != exitDataRefused || !strings.Contains(errs, "nothing written") || fileExists(filepath.Join(out, "population.csv")) {
			t.Errorf("%s: %d\n%s", name, code, errs)
		}
	}
}

// A calibration fitted under one population and applied under another
// (every point's environment differs) is said, as another resolution is.
func TestCalibrationUnderAnotherPopulation(t *testing.T) {
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV4,Bản Biên,,103.45,22.75,25\n")
	pts := filepath.Join(dir, "pts.csv")
	os.WriteFile(pts, []byte("lon,lat,population,households\n103.30,22.45,1700,400\n103.45,22.75,1050,250\n"), 0o644)
	if _, errs, code := runCmd(t, "population", "--points", pts, "--out", filepath.Join(dir, "pop")); code != exitOK {
		t.Fatalf("population: %d\n%s", code, errs)
	}
	popFile := filepath.Join(dir, "pop", "population.csv")
	if _, errs, code := runCmd(t, "calibrate", "--dataset", ds, "--population", popFile); code != exitOK {
		t.Fatalf("calibrate: %d\n%s", code, errs)
	}
	const warn = "was fitted under another population"
	if _, errs, _ := runCmd(t, "coverage", "--dataset", ds, "--population", popFile, "--out", filepath.Join(dir, "c1")); strings.Contains(errs, warn) {
		t.Errorf("the same population warned:\n%s", errs)
	}
	if _, errs, _ := runCmd(t, "coverage", "--dataset", ds, "--out", filepath.Join(dir, "c2")); !strings.Contains(errs, warn) {
		t.Errorf("the villages' population, not the table's: no warning:\n%s", errs)
	}
}

// A calibration fitted at another resolution, under the same villages
// and no --population, is said to be of another resolution only: the
// villages' households count in hexes of the analysis resolution, and
// their population is compared at the calibration's. Another population
// at another resolution is still said.
func TestCalibrationAtAnotherResolution(t *testing.T) {
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV4,Bản Biên,,103.45,22.75,25\n")
	if _, errs, code := runBinary(t, "calibrate", "--dataset", ds); code != exitOK {
		t.Fatalf("calibrate: %d\n%s", code, errs)
	}
	const popWarn, resWarn = "was fitted under another population", "was fitted at resolution 8 and this run is at 7"
	_, errs, code := runBinary(t, "coverage", "--dataset", ds, "--res", "7", "--out", filepath.Join(dir, "c7"))
	if code != exitOK || strings.Contains(errs, popWarn) || !strings.Contains(errs, resWarn) {
		t.Errorf("the same villages at resolution 7: %d\n%s", code, errs)
	}
	pts := filepath.Join(dir, "pts.csv")
	os.WriteFile(pts, []byte("lon,lat,population,households\n103.30,22.45,1700,400\n103.45,22.75,1050,250\n"), 0o644)
	if _, errs, code := runCmd(t, "population", "--points", pts, "--out", filepath.Join(dir, "pop")); code != exitOK {
		t.Fatalf("population: %d\n%s", code, errs)
	}
	_, errs, _ = runBinary(t, "coverage", "--dataset", ds, "--res", "7", "--population", filepath.Join(dir, "pop", "population.csv"), "--out", filepath.Join(dir, "c7p"))
	if !strings.Contains(errs, popWarn) || !strings.Contains(errs, resWarn) {
		t.Errorf("another population at resolution 7: no warnings of both:\n%s", errs)
	}
}
