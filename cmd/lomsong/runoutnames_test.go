package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// lomsong run --out names the provinces and communes beside their codes in
// the tables a provincial department reads (deadzones.csv,
// carrier_gaps.csv, villages.csv, hexes.csv, plan.csv and
// deadzones.geojson's properties), as the scorecard names its areas:
// province_name right after province, commune_name right after commune,
// from the boundary sets the month was attributed with. The codes stay as
// they are, leading zeros kept. Before, these tables gave the codes alone
// ("12", "00123"). The village's own commune_code (12001, a code the set
// does not hold) stays as its list gave it, unnamed.
func TestRunOutNamesBesideCodes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ds := exportDataset(t, dir)
	communes := filepath.Join(dir, "communes.geojson")
	if err := os.WriteFile(communes, []byte(`{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"00123","name":"Xã Một","provinceCode":"12"},"geometry":{"type":"Polygon","coordinates":[[[103.2,22.3],[103.6,22.3],[103.6,22.7],[103.2,22.7],[103.2,22.3]]]}},
{"type":"Feature","properties":{"code":"00456","name":"Xã Hai","provinceCode":"12"},"geometry":{"type":"Polygon","coordinates":[[[102.4,22.2],[102.7,22.2],[102.7,22.7],[102.4,22.7],[102.4,22.2]]]}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if _, errs, code := runBinary(t, "run", "--dataset", ds, "--period", "2026-10", "--province", "lai chau", "--communes", communes,
		"--budget", "500e9", "--out", out); code != exitOK {
		t.Fatalf("run: exit %d\n%s", code, errs)
	}
	names := map[string]string{"12": "Lai Châu", "00123": "Xã Một", "00456": "Xã Hai"}
	for _, c := range []struct {
		file                      string
		provinceCol, communeCol   string // the code columns
		provinceName, communeName string // the name columns right after them
	}{
		{"deadzones/deadzones.csv", "provinces", "communes", "province_name", "commune_name"},
		{"deadzones/carrier_gaps.csv", "province", "commune", "province_name", "commune_name"},
		{"deadzones/villages.csv", "province", "commune", "province_name", "commune_name"},
		{"deadzones/hexes.csv", "province", "commune", "province_name", "commune_name"},
		{"plan/plan.csv", "province", "commune", "province_name", "commune_name"},
	} {
		recs := csvRows(t, filepath.Join(out, c.file))
		if len(recs) < 2 {
			t.Fatalf("%s: no rows", c.file)
		}
		head := recs[0]
		for _, pair := range [][2]string{{c.provinceCol, c.provinceName}, {c.communeCol, c.communeName}} {
			i := slices.Index(head, pair[0])
			if i < 0 || i+1 >= len(head) || head[i+1] != pair[1] {
				t.Errorf("%s: %s not right after %s: %v", c.file, pair[1], pair[0], head)
				continue
			}
			for _, r := range recs[1:] {
				// deadzones.csv lists "CODE=SHARE …", largest share
				// first: the name is the first unit's.
				code, _, _ := strings.Cut(r[i], "=")
				if want, ok := names[code]; !ok || r[i+1] != want {
					t.Errorf("%s: %s %q named %q, want %q", c.file, pair[0], r[i], r[i+1], want)
				}
			}
		}
	}
	// The village's own commune_code is its list's, unnamed; the communes
	// it was attributed to (by its point) are named, with their leading
	// zeros.
	villages := csvRows(t, filepath.Join(out, "deadzones", "villages.csv"))
	col := func(name string) int {
		i := slices.Index(villages[0], name)
		if i < 0 {
			t.Fatalf("villages.csv: no column %s: %v", name, villages[0])
		}
		return i
	}
	id, own, comm, commName := col("village_id"), col("commune_code"), col("commune"), col("commune_name")
	if villages[0][own+1] == "commune_name" {
		t.Errorf("villages.csv: the village's own commune_code is followed by commune_name: %v", villages[0])
	}
	want := map[string][3]string{"V1": {"12001", "00123", "Xã Một"}, "V4": {"12004", "00456", "Xã Hai"}}
	for _, r := range villages[1:] {
		if w, ok := want[r[id]]; ok {
			if got := [3]string{r[own], r[comm], r[commName]}; got != w {
				t.Errorf("villages.csv %s: commune_code, commune, commune_name %q, want %q", r[id], got, w)
			}
			delete(want, r[id])
		}
	}
	if len(want) > 0 {
		t.Errorf("villages.csv: no row for %v", want)
	}
	zones := featureProps(t, filepath.Join(out, "deadzones", "deadzones.geojson"))
	if len(zones) == 0 {
		t.Fatal("deadzones.geojson: no zone")
	}
	for _, p := range zones {
		if p["province"] != "12" || p["province_name"] != "Lai Châu" || p["commune_name"] != names[p["commune"].(string)] {
			t.Errorf("deadzones.geojson zone %v: province %v %v, commune %v %v", p["zone_id"], p["province"], p["province_name"], p["commune"], p["commune_name"])
		}
	}
}
