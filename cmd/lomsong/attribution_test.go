package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/internal/shareddata"
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
	villages := filepath.Join(dir, "villages.csv")
	os.WriteFile(villages, []byte("village_id,name,commune_code,lon,lat,households\n"+
		"V1,Bản A,12001,103.30,22.45,40\nV2,Bản B,12005,103.52,22.52,25\nV3,Bản Lào,12001,102.10,20.50,30\n"), 0o644)
	ds := filepath.Join(dir, "ds")
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"),
		filepath.Join(examples, "measurements_viettel.csv"), villages); code != exitOK {
		t.Fatalf("%d %s", code, errs)
	}
	out := filepath.Join(dir, "dz")
	stdout, errs, code := runCmd(t, "deadzones", "--dataset", ds, "--province", "lai chau", "--communes", communes, "--out", out)
	if code != exitOK {
		t.Fatalf("%d\n%s\n%s", code, stdout, errs)
	}
	// The summary of a one-province run: its row alone (not an
	// "(unattributed)" row of zeros for the village in Laos), and a
	// headline of its part.
	if strings.Contains(stdout, "Hưng Yên") || !strings.Contains(stdout, "1 villages lie outside every province and commune") ||
		strings.Contains(stdout, "(unattributed)") || !strings.Contains(stdout, "zones with hexes in it") {
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
// province, as villages.csv lists them, beside their dead-zone households.
func TestDeadzonesUnattributedRow(t *testing.T) {
	dir := t.TempDir()
	villages := filepath.Join(dir, "villages.csv")
	os.WriteFile(villages, []byte("village_id,name,commune_code,lon,lat,households\n"+
		"V1,Bản A,,103.30,22.45,40\nV2,Bản Lào,,102.10,20.50,30\nV3,Đảo,,107.5,20.0,20\n"), 0o644)
	ds := filepath.Join(dir, "ds")
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"),
		filepath.Join(examples, "measurements_viettel.csv"), villages); code != exitOK {
		t.Fatalf("%d %s", code, errs)
	}
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
	// (unattributed), households, villages, without 3G/4G: the two far
	// from every site are without signal.
	if len(row) != 4 || row[2] != "2" || row[3] != "2" {
		t.Errorf("unattributed row %q, want 2 villages, 2 without 3G/4G:\n%s", row, stdout)
	}
}
