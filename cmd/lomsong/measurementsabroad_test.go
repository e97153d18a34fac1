package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A measurements file of another country (here Bangkok's tests) was
// accepted with a warning and ingested: its tests say nothing of Viet
// Nam's coverage. validate and ingest now reject each row outside Viet
// Nam's extent as outside_bounds, so the file is refused by its rejected
// share (exit 3, nothing added); a position with a minus sign too many is
// named. A Vietnamese file with one test abroad is taken, that row in the
// quarantine; --bounds judges points by its polygon instead.
func TestMeasurementsAbroadRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const header = "ts,carrier,tech,lon,lat,signal_dbm,service,source\n"
	var thai strings.Builder
	thai.WriteString(header)
	thai.WriteString("2026-10-01T09:00:00+07:00,viettel,4G,-105.85,21.03,-95,ok,crowd\n")
	for i := range 20 {
		fmt.Fprintf(&thai, "2026-10-01T08:%02d:00+07:00,ais,4G,100.5%02d,13.75,-95,ok,crowd\n", i, i)
	}
	foreign := writeFile(t, dir, "thai.csv", []byte(thai.String()))

	stdout, errs, code := runBinary(t, "validate", foreign)
	if code != exitDataRefused || !strings.Contains(stdout, "21 rows read, 0 accepted, 21 rejected") ||
		!strings.Contains(stdout, `line 3, column "lon", value "100.500,13.75": outside_bounds (outside Viet Nam's mainland, Hoàng Sa and Trường Sa`) ||
		!strings.Contains(stdout, `line 2, column "lon", value "-105.85,21.03": outside_bounds`) ||
		!strings.Contains(stdout, "a minus sign too many? (105.85, 21.03) is in Viet Nam") ||
		!strings.Contains(errs, "thai.csv (100.00% rejected)") {
		t.Fatalf("validate: exit %d, want %d\nstdout: %s\nstderr: %s", code, exitDataRefused, stdout, errs)
	}
	ds := filepath.Join(dir, "ds")
	stdout, errs, code = runBinary(t, "ingest", "--dataset", ds, foreign)
	if code != exitDataRefused || !strings.Contains(stdout, "REFUSED") || !strings.Contains(stdout, "outside_bounds") {
		t.Fatalf("ingest: exit %d, want %d\nstdout: %s\nstderr: %s", code, exitDataRefused, stdout, errs)
	}
	if m, err := os.ReadFile(filepath.Join(ds, "manifest.json")); err == nil && strings.Contains(string(m), "thai.csv") {
		t.Fatalf("the refused file is in the manifest:\n%s", m)
	}

	// With --bounds of a polygon around them, the same rows are the
	// polygon's to judge: taken.
	poly := writeFile(t, dir, "bkk.geojson", []byte(`{"type":"Polygon","coordinates":[[[100,13],[101,13],[101,14],[100,14],[100,13]]]}`))
	stdout, errs, code = runBinary(t, "validate", "--bounds", poly, "--max-reject-share", "0.1", foreign)
	if code != exitOK || !strings.Contains(stdout, "21 rows read, 20 accepted, 1 rejected") {
		t.Fatalf("validate --bounds: exit %d\nstdout: %s\nstderr: %s", code, stdout, errs)
	}

	// A Vietnamese file with one test abroad (1 of 40 rows) is taken.
	var vn strings.Builder
	vn.WriteString(header)
	for i := range 39 {
		fmt.Fprintf(&vn, "2026-10-01T08:%02d:00+07:00,viettel,4G,105.8%02d,21.03,-95,ok,crowd\n", i, i)
	}
	vn.WriteString("2026-10-01T09:00:00+07:00,viettel,4G,100.5,13.75,-95,ok,crowd\n")
	home := writeFile(t, dir, "vn.csv", []byte(vn.String()))
	stdout, errs, code = runBinary(t, "ingest", "--dataset", ds, home)
	if code != exitOK || !strings.Contains(stdout, "40 rows read, 39 accepted, 1 rejected") || !strings.Contains(stdout, "outside_bounds") {
		t.Fatalf("ingest vn.csv: exit %d\nstdout: %s\nstderr: %s", code, stdout, errs)
	}
}
