package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A --province run lists the villages outside every province and commune
// beside the province's own. With no dead zone in the province and one
// such village without 3G/4G, plan said its hex "holds no households in
// that population (0 households in the villages table, or a --population
// table that leaves it out)": false of a village of 80 households, whose
// hex is simply not the province's. It is now said as outside the area
// analysed, after the province's own "no dead zone".
func TestPlanVillageOutsideEveryProvince(t *testing.T) {
	dir := t.TempDir()
	// Bản A and Bản B (served) lie in the one province, Bản D (without
	// 3G/4G) west of it.
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV4,Bản D,,102.85,22.40,80\n")
	b := filepath.Join(dir, "provinces.geojson")
	if err := os.WriteFile(b, []byte(`{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"P1","name":"Tỉnh Một"},"geometry":{"type":"Polygon","coordinates":[[[103.1,22.2],[103.7,22.2],[103.7,22.7],[103.1,22.7],[103.1,22.2]]]}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, errs, code := runBinary(t, "plan", "--dataset", ds, "--boundaries", b, "--province", "P1", "--budget", "500e9", "--out", filepath.Join(dir, "plan"))
	if code != exitOK {
		t.Fatalf("plan: exit %d\n%s\n%s", code, stdout, errs)
	}
	want := "nothing to plan; 1 village without 3G/4G lies outside every province and commune (attribution outside_all_units in villages.csv), beyond the area analysed: not planned here\n"
	if strings.Contains(stdout, "holds no households in that population") || !strings.Contains(stdout, want) {
		t.Errorf("plan's stdout should say Bản D lies outside every province, not that its hex holds no households (want %q):\n%s", want, stdout)
	}
	// The deadzones run agrees: Bản D outside every unit, without signal.
	out := filepath.Join(dir, "dz")
	if stdout, errs, code := runBinary(t, "deadzones", "--dataset", ds, "--boundaries", b, "--province", "P1", "--out", out); code != exitOK ||
		!strings.Contains(stdout, "1 village lies outside every province and commune") {
		t.Fatalf("deadzones: exit %d\n%s\n%s", code, stdout, errs)
	}
	recs := csvRows(t, filepath.Join(out, "villages.csv"))
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, r := range recs[1:] {
		if r[col["village_id"]] == "V4" && (r[col["without_signal"]] != "true" || r[col["attribution"]] != "outside_all_units") {
			t.Errorf("villages.csv: Bản D should be without signal and outside every unit: %v", r)
		}
	}
}
