package main

import (
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
)

// TestCoverageBestGeoJSONHasEveryCSVColumn: coverage_best.geojson is the
// map of coverage_best.csv, so each feature carries every column of its
// hex's CSV row with the same value. It had no source (measured or
// predicted evidence) and no lon/lat, which the CSV has.
func TestCoverageBestGeoJSONHasEveryCSVColumn(t *testing.T) {
	ds := exampleDataset(t)
	cov := filepath.Join(t.TempDir(), "cov")
	if out, errs, code := runBinary(t, "coverage", "--dataset", ds, "--out", cov); code != exitOK {
		t.Fatalf("coverage: exit %d\n%s\n%s", code, out, errs)
	}
	rows := csvRows(t, filepath.Join(cov, "coverage_best.csv"))
	features := featureProps(t, filepath.Join(cov, "coverage_best.geojson"))
	head, body := rows[0], rows[1:]
	if len(body) == 0 || len(body) != len(features) {
		t.Fatalf("coverage_best.csv has %d rows, coverage_best.geojson %d features", len(body), len(features))
	}
	sources := map[string]bool{}
	for i, row := range body {
		props := features[i]
		for j, name := range head {
			v, ok := props[name]
			if !ok {
				t.Errorf("feature %d (cell %s): no property %q (coverage_best.csv has %s=%q)", i, row[0], name, name, row[j])
				continue
			}
			if got := propText(v); !sameField(got, row[j]) {
				t.Errorf("feature %d (cell %s): %s = %q, coverage_best.csv has %q", i, row[0], name, got, row[j])
			}
		}
		if s, _ := props["source"].(string); s != "" {
			sources[s] = true
		}
	}
	// The example tests are too few to decide a hex: its evidence is
	// predicted.
	if !sources["predicted"] {
		t.Errorf("want predicted hexes in coverage_best.geojson's source, got %v", sources)
	}
}

// propText is a GeoJSON property as its CSV field would read.
func propText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

// sameField compares a property with a CSV field: numbers by value.
func sameField(prop, field string) bool {
	if prop == field {
		return true
	}
	a, errA := strconv.ParseFloat(prop, 64)
	b, errB := strconv.ParseFloat(field, 64)
	return errA == nil && errB == nil && a == b
}
