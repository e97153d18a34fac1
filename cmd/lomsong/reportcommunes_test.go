package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lomsong report --communes names each village's commune as lomsong run
// --communes does, and reads that run's saved dead zones back. Without the
// flag a department that ran the month with its communes got a report
// that computed the dead zones again, without them: its villages table
// gave commune codes ("12001") where the run had names.
func TestReportNamesCommunesAsTheRunDid(t *testing.T) {
	dir := t.TempDir()
	ds := exportDataset(t, dir)
	communes := filepath.Join(dir, "communes.geojson")
	if err := os.WriteFile(communes, []byte(`{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"C1","name":"Xã Một","provinceCode":"12"},"geometry":{"type":"Polygon","coordinates":[[[103.2,22.3],[103.6,22.3],[103.6,22.7],[103.2,22.7],[103.2,22.3]]]}},
{"type":"Feature","properties":{"code":"C2","name":"Xã Hai","provinceCode":"12"},"geometry":{"type":"Polygon","coordinates":[[[102.4,22.2],[102.7,22.2],[102.7,22.7],[102.4,22.7],[102.4,22.2]]]}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := runCmd(t, "run", "--dataset", ds, "--province", "lai chau", "--communes", communes); code != exitOK {
		t.Fatalf("run: exit %d\n%s", code, errs)
	}
	stages := func() int {
		m, _ := filepath.Glob(filepath.Join(ds, "stages", "period=2026-10", "deadzones.*", "*"))
		return len(m)
	}
	saved := stages()
	report := func(out string, extra ...string) string {
		args := append([]string{"report", "--dataset", ds, "--period", "2026-10", "--province", "lai chau", "--out", out}, extra...)
		stdout, errs, code := runCmd(t, args...)
		if code != exitOK {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, stdout, errs)
		}
		b, err := os.ReadFile(filepath.Join(out, "report.html"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	html := report(filepath.Join(dir, "with"), "--communes", communes)
	// Bản D, without 3G/4G, lies in Xã Hai (C2); the villages served
	// (Xã Một's) are not listed.
	if !strings.Contains(html, `<td class="head">Bản D (V4)</td><td data-label="Commune">Xã Hai</td>`) || strings.Contains(html, `data-label="Commune">C2</td>`) {
		i := strings.Index(html, "<th>Commune</th>")
		t.Errorf("report --communes: Bản D not listed in Xã Hai by name:\n%.600s", html[max(i, 0):])
	}
	if n := stages(); n != saved {
		t.Errorf("report --communes computed the dead zones again (%d saved outputs, %d after the run): it should read the run's back", n, saved)
	}
	// The scorecard reads the same saved dead zones with the flag.
	if _, errs, code := runCmd(t, "scorecard", "--dataset", ds, "--period", "2026-10", "--province", "lai chau", "--communes", communes, "--out", filepath.Join(dir, "card")); code != exitOK {
		t.Fatalf("scorecard --communes: exit %d\n%s", code, errs)
	}
	if n := stages(); n != saved {
		t.Errorf("scorecard --communes computed the dead zones again (%d saved outputs, %d after the run)", n, saved)
	}
	if html := report(filepath.Join(dir, "without")); strings.Contains(html, "Xã Hai") || !strings.Contains(html, `<td class="head">Bản D (V4)</td><td data-label="Commune">12004</td>`) {
		t.Error("a report without --communes does not give the villages' own commune codes")
	}
}
