package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestUntestedProvinceSaid: a province with sites of its own but none of
// the month's tests (all taken in another province) is analysed from the
// prediction alone; deadzones says so, and the scorecard's target 1 for it
// is unknown, not met on the model's word (DeadZoneResult.Untested).
func TestUntestedProvinceSaid(t *testing.T) {
	dir := t.TempDir()
	// The examples' Viettel tests moved from Lai Châu to near Hà Nội.
	f, err := os.Open(filepath.Join(examples, "measurements_viettel.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	lonC, latC := slices.Index(recs[0], "lon"), slices.Index(recs[0], "lat")
	for _, r := range recs[1:] {
		lon, _ := strconv.ParseFloat(r[lonC], 64)
		lat, _ := strconv.ParseFloat(r[latC], 64)
		r[lonC], r[latC] = strconv.FormatFloat(lon+2.35, 'f', 5, 64), strconv.FormatFloat(lat-1.35, 'f', 5, 64)
	}
	moved := filepath.Join(dir, "measurements_hanoi.csv")
	out, err := os.Create(moved)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(out)
	w.WriteAll(recs)
	if err := out.Close(); err != nil || w.Error() != nil {
		t.Fatal(err, w.Error())
	}
	ds := filepath.Join(dir, "ds")
	villages := filepath.Join(dir, "villages.csv")
	os.WriteFile(villages, []byte("village_id,name,commune_code,lon,lat,households\nV1,Bản A,12001,103.30,22.45,40\nV2,Bản B,12002,103.52,22.52,25\n"), 0o644)
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"), moved, villages); code != exitOK {
		t.Fatal(code, errs)
	}
	stdout, errs, code := runCmd(t, "deadzones", "--dataset", ds, "--province", "lai chau", "--period", "2026-10", "--out", filepath.Join(dir, "dz"))
	if code != exitOK {
		t.Fatalf("deadzones: %d\n%s", code, errs)
	}
	if !strings.Contains(stdout, "warning: no test of the month in 1 province (12 ") || !strings.Contains(stdout, "target 1 unknown") {
		t.Errorf("deadzones does not say Lai Châu has no test of the month:\n%s", stdout)
	}
	// With the tests back in Lai Châu, nothing of the kind is said.
	ds2 := filepath.Join(dir, "ds2")
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds2, filepath.Join(examples, "sites.csv"), filepath.Join(examples, "measurements_viettel.csv"), villages); code != exitOK {
		t.Fatal(code, errs)
	}
	stdout, errs, code = runCmd(t, "deadzones", "--dataset", ds2, "--province", "lai chau", "--period", "2026-10", "--out", filepath.Join(dir, "dz2"))
	if code != exitOK {
		t.Fatalf("deadzones: %d\n%s", code, errs)
	}
	if strings.Contains(stdout, "no test of the month") {
		t.Errorf("a tested province said untested:\n%s", stdout)
	}
}
