package main

import (
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// unitShares is deadzones.csv's and deadzones.geojson's provinces and
// communes: "CODE=SHARE", space-separated, shares to 2 decimals.
var unitShares = regexp.MustCompile(`^[0-9A-Za-z_.-]+=[01]\.\d\d( [0-9A-Za-z_.-]+=[01]\.\d\d)*$`)

// A zone's provinces and communes were "CODE:SHARE": GDAL (QGIS,
// GeoPandas, ogr2ogr) typed the demo's deadzones.geojson provinces as a
// Time field, "12:1.00" read as 12:01:00 (and "01:0.60 12:0.40" as
// 01:00:00, the second province lost; commune 00004 alike). They are
// "CODE=SHARE", the same in deadzones.csv and deadzones.geojson, and GDAL
// reads them as text, unchanged; the export GeoPackage's dead zones keep
// their text fields as text too.
func TestDeadzonesSharesStayText(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo takes several seconds")
	}
	out := filepath.Join(t.TempDir(), "demo")
	if _, errs, code := runBinary(t, "demo", "--seed", "1", "--out", out); code != exitOK {
		t.Fatalf("demo --seed 1: exit %d\n%s", code, errs)
	}
	geo := filepath.Join(out, "deadzones", "deadzones.geojson")
	features := featureProps(t, geo)
	if len(features) == 0 {
		t.Fatal("demo --seed 1: no dead zones")
	}

	t.Run("written values", func(t *testing.T) {
		recs := csvRows(t, filepath.Join(out, "deadzones", "deadzones.csv"))
		byID := map[string][]string{}
		for _, r := range recs[1:] {
			byID[r[0]] = r
		}
		for _, f := range features {
			id := fmt.Sprint(f["zone_id"])
			row := byID[id]
			if row == nil {
				t.Fatalf("zone %s of deadzones.geojson is not in deadzones.csv", id)
			}
			for _, c := range [][2]string{{"provinces", "province"}, {"communes", "commune"}} {
				v, ok := f[c[0]].(string)
				if !ok || !unitShares.MatchString(v) {
					t.Errorf("zone %s: %s %#v, want CODE=SHARE …", id, c[0], f[c[0]])
					continue
				}
				if j := slices.Index(recs[0], c[0]); j < 0 || row[j] != v {
					t.Errorf("zone %s: %s %q in deadzones.geojson, deadzones.csv's differs (%v)", id, c[0], v, row)
				}
				sum := 0.0
				for i, u := range strings.Fields(v) {
					code, share, _ := strings.Cut(u, "=")
					if i == 0 && code != f[c[1]] {
						t.Errorf("zone %s: %s %q, but %s %v", id, c[0], v, c[1], f[c[1]])
					}
					x, _ := strconv.ParseFloat(share, 64)
					sum += x
				}
				if n := float64(len(strings.Fields(v))); math.Abs(sum-1) > 0.005*n+1e-9 {
					t.Errorf("zone %s: %s %q: shares sum to %g", id, c[0], v, sum)
				}
			}
		}
	})

	t.Run("read by GDAL", func(t *testing.T) {
		if _, err := exec.LookPath("ogrinfo"); err != nil {
			t.Skip("ogrinfo is not installed (apt-get install gdal-bin)")
		}
		types := ogrFieldTypes(t, geo, "deadzones")
		for name := range features[0] {
			if _, ok := features[0][name].(string); ok && types[name] != "String" {
				t.Errorf("deadzones.geojson: GDAL reads %s (%q) as %s, not String", name, features[0][name], types[name])
			}
		}
		got := ogrValues(t, geo, "deadzones")
		if len(got) != len(features) {
			t.Fatalf("GDAL reads %d zones of deadzones.geojson's %d", len(got), len(features))
		}
		for i, f := range features {
			for _, name := range []string{"provinces", "communes"} {
				if g := got[i][name]; g != f[name] {
					t.Errorf("zone %v: GDAL reads %s %q, the file has %q", f["zone_id"], name, g, f[name])
				}
			}
		}
		gpkg := filepath.Join(out, "export", "lomsong-2024-10.gpkg")
		for name, typ := range ogrFieldTypes(t, gpkg, "deadzones") {
			if typ == "Time" || typ == "Date" || typ == "DateTime" {
				t.Errorf("%s: GDAL reads the dead zones' %s as %s", gpkg, name, typ)
			}
		}
		zones := ogrValues(t, gpkg, "deadzones")
		if len(zones) != len(features) {
			t.Fatalf("%d zones in the GeoPackage, %d in deadzones.geojson", len(zones), len(features))
		}
		province := map[string]any{}
		for _, f := range features {
			province[fmt.Sprint(f["zone_id"])] = f["province"]
		}
		for _, z := range zones {
			if want := province[z["zone_id"]]; z["province_code"] != want {
				t.Errorf("zone %s: GeoPackage province_code %q, deadzones.geojson province %v", z["zone_id"], z["province_code"], want)
			}
		}
	})
}

// ogrFieldTypes is GDAL's type of each field of a layer ("ogrinfo -so"):
// String, Integer, Real, Time, ….
func ogrFieldTypes(t *testing.T, path, layer string) map[string]string {
	t.Helper()
	b, err := exec.Command("ogrinfo", "-ro", "-so", path, layer).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo -so %s %s: %v\n%s", path, layer, err, b)
	}
	types := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^(\w+): (\w+)(?:\([^)]*\))? \(`).FindAllStringSubmatch(string(b), -1) {
		types[m[1]] = m[2]
	}
	if len(types) == 0 {
		t.Fatalf("ogrinfo -so %s %s lists no fields:\n%s", path, layer, b)
	}
	return types
}

// ogrValues is each feature's fields as GDAL reads them ("ogrinfo -q"),
// in the layer's order; a null field is absent.
func ogrValues(t *testing.T, path, layer string) []map[string]string {
	t.Helper()
	b, err := exec.Command("ogrinfo", "-ro", "-q", "-geom=NO", path, layer).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo -q %s %s: %v\n%s", path, layer, err, b)
	}
	var out []map[string]string
	field := regexp.MustCompile(`^  (\w+) \([^)]*\) = (.*)$`)
	for line := range strings.SplitSeq(string(b), "\n") {
		if strings.HasPrefix(line, "OGRFeature(") {
			out = append(out, map[string]string{})
			continue
		}
		if m := field.FindStringSubmatch(line); m != nil && len(out) > 0 && m[2] != "(null)" {
			out[len(out)-1][m[1]] = m[2]
		}
	}
	return out
}
