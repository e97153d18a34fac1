package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A village whose own commune code --communes does not hold in its
// province, and whose point lies in none of the province's communes, has
// no commune: villages.csv leaves its commune empty (attribution
// province_only) and the GeoPackage puts it under "(no commune)". The
// report listed it under its own code, the code the attribution had
// refused ("12004", beside communes named by the set), and left its dead
// zone's Communes cell blank.
func TestReportVillageWithoutCommune(t *testing.T) {
	dir := t.TempDir()
	ds := exportDataset(t, dir)
	// One commune of Lai Châu, east of Bản D (V4, commune_code 12004,
	// the one village without 3G/4G at 102.55, 22.55).
	communes := filepath.Join(dir, "communes.geojson")
	if err := os.WriteFile(communes, []byte(`{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"C1","name":"Xã Một","provinceCode":"12"},"geometry":{"type":"Polygon","coordinates":[[[103.2,22.3],[103.6,22.3],[103.6,22.7],[103.2,22.7],[103.2,22.3]]]}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	dz := filepath.Join(dir, "dz")
	if stdout, errs, code := runBinary(t, "deadzones", "--dataset", ds, "--province", "lai chau", "--communes", communes, "--out", dz); code != exitOK {
		t.Fatalf("deadzones: exit %d\n%s\n%s", code, stdout, errs)
	}
	var v4 map[string]string
	recs := csvRows(t, filepath.Join(dz, "villages.csv"))
	for _, r := range recs[1:] {
		row := map[string]string{}
		for i, h := range recs[0] {
			row[h] = r[i]
		}
		if row["village_id"] == "V4" {
			v4 = row
		}
	}
	if v4 == nil || v4["without_signal"] != "true" || v4["commune"] != "" || v4["attribution"] != "province_only" {
		t.Fatalf("villages.csv: Bản D (V4) should be without signal, in no commune (province_only): %v", v4)
	}

	out := filepath.Join(dir, "report")
	if stdout, errs, code := runBinary(t, "report", "--dataset", ds, "--period", "2026-10", "--province", "lai chau",
		"--communes", communes, "--out", out); code != exitOK {
		t.Fatalf("report: exit %d\n%s\n%s", code, stdout, errs)
	}
	b, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	if strings.Contains(html, `data-label="Commune">12004</td>`) || !strings.Contains(html, `<td class="head">Bản D (V4)</td><td data-label="Commune">(no commune)</td>`) {
		i := strings.Index(html, `<td class="head">Bản D (V4)</td>`)
		t.Errorf("report: Bản D (V4) should be listed in no commune, as villages.csv has it, not under its refused code 12004:\n%.300s", html[max(i, 0):])
	}
	// Its dead zone's Communes cell says so too, not a blank.
	zone := regexp.MustCompile(`<td class="head"[^>]*>DZ-[0-9a-f]+</td>(?:<td class="num"[^>]*>[^<]*</td>){4}<td data-label="Communes">([^<]*)</td>`)
	ms := zone.FindAllStringSubmatch(html, -1)
	if len(ms) == 0 {
		t.Fatalf("report: no dead zone row found")
	}
	for _, m := range ms {
		if m[1] != "(no commune)" {
			t.Errorf("report: Bản D's dead zone's Communes cell is %q, want (no commune)", m[1])
		}
	}
}
