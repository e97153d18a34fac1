package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/geodata"
	"github.com/paulmach/orb"
)

// TestBinaryProvinceWithBorderTestOnly: Điện Biên (11) holds no site of
// the example register and no test of its own, only one test that lies in
// Lai Châu but in a hex whose centre is Điện Biên's. A run limited to it
// is refused (exit 3, saying the test lies on its border), not scored
// "met, no dead zones" on a neighbour's evidence; Lai Châu's coverage
// counts the rows in its own hexes.
func TestBinaryProvinceWithBorderTestOnly(t *testing.T) {
	set, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	laichau, _ := set.ByCode("12")
	dienbien, _ := set.ByCode("11")
	var at orb.Point
	found := false
	for lat := 21.90; lat < 22.70 && !found; lat += 0.005 {
		for lon := 102.20; lon < 103.80 && !found; lon += 0.005 {
			p := orb.Point{lon, lat}
			if !laichau.Contains(p) {
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
			at, found = p, dienbien.Contains(ctr)
		}
	}
	if !found {
		t.Fatal("no point of Lai Châu in a hex whose centre is Điện Biên's")
	}
	dir := t.TempDir()
	border := filepath.Join(dir, "border.csv")
	if err := os.WriteFile(border, []byte(fmt.Sprintf("ts,carrier,tech,lon,lat,signal_dbm,service,environment\n"+
		"2026-10-05T03:00:00Z,Viettel,2G,%.5f,%.5f,-95,ok,outdoor\n", at[0], at[1])), 0o644); err != nil {
		t.Fatal(err)
	}
	villages := filepath.Join(dir, "villages.csv")
	if err := os.WriteFile(villages, []byte("village_id,name,commune_code,lon,lat,households\n"+
		"V1,Bản A,,103.30,22.45,40\nV3,Bản C,,103.10,22.05,60\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ds := filepath.Join(dir, "ds")
	if _, errs, code := runBinary(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"),
		filepath.Join(examples, "measurements_viettel.csv"), border, villages); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s", code, errs)
	}
	for _, args := range [][]string{
		{"deadzones", "--dataset", ds, "--period", "2026-10", "--province", "11", "--out", filepath.Join(dir, "dz")},
		{"scorecard", "--dataset", ds, "--period", "2026-10", "--province", "11", "--out", filepath.Join(dir, "sc")},
	} {
		stdout, errs, code := runBinary(t, args...)
		if code != exitDataRefused || !strings.Contains(errs, "no measurements or sites in Điện Biên (11)") ||
			!strings.Contains(errs, "1 measurement row in hexes on its border") || strings.Contains(stdout, " met") {
			t.Errorf("%s --province 11: exit %d, want %d refusing for want of its own evidence\n%s\n%s", args[0], code, exitDataRefused, stdout, errs)
		}
	}
	stdout, errs, code := runBinary(t, "coverage", "--dataset", ds, "--period", "2026-10", "--province", "12", "--out", filepath.Join(dir, "cv"))
	if code != exitOK || !strings.Contains(stdout, "measurement rows in its hexes (of ") {
		t.Errorf("coverage --province 12: exit %d\n%s\n%s", code, stdout, errs)
	}
}
