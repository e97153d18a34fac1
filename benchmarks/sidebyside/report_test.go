package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeRun writes the result files of a run into a temporary directory:
// every tool agrees, except the files overridden by name in over.
func writeRun(t *testing.T, over map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"h3_lomsong.csv":                      "cell,count\n88283082bffffff,3\n88283082b3fffff,1\n",
		"h3_h3js.csv":                         "cell,count\n88283082b3fffff,1\n88283082bffffff,3\n",
		"grid_postgis.csv":                    "gx,gy,count\n10500,2100,4\n",
		"grid_duckdb.csv":                     "gx,gy,count\n10500,2100,4\n",
		"grid_duckdb_parquet.csv":             "gx,gy,count\n10500,2100,4\n",
		"provinces_lomsong_points.csv":        "code,count\n01,2\n02,1\n_none,1\n",
		"provinces_postgis.csv":               "code,count\n01,2\n02,1\n",
		"provinces_lomsong_points_prefix.csv": "code,count\n01,2\n02,1\n_none,1\n",
		"provinces_postgis_prefix.csv":        "code,count\n01,2\n02,1\n",
		"provinces_geopandas.csv":             "code,count\n01,2\n02,1\n",
		"provinces_lomsong_hex.csv":           "code,count\n01,3\n_none,1\n",
		"boundary_points_postgis.csv":         "id,lon,lat,code\n",
	}
	for name, text := range over {
		files[name] = text
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestAgreement(t *testing.T) {
	onBorder := "id,lon,lat,code\n7,105.5,21.0,01\n"
	for _, tc := range []struct {
		name   string
		over   map[string]string
		wantOK bool
		want   string // in the checks' text
	}{
		{"all agree", nil, true, "**identical**"},
		{"one H3 cell count differs",
			map[string]string{"h3_h3js.csv": "cell,count\n88283082b3fffff,1\n88283082bffffff,2\n"}, false, "**DIFFER**"},
		{"DuckDB's Parquet scan misses a grid cell",
			map[string]string{"grid_duckdb_parquet.csv": "gx,gy,count\n"}, false, "**DIFFER**"},
		{"provinces differ by a point on a boundary",
			map[string]string{"provinces_postgis.csv": "code,count\n01,1\n02,1\n", "boundary_points_postgis.csv": onBorder},
			true, "differ by 1 point(s)"},
		{"provinces differ with no point on a boundary",
			map[string]string{"provinces_postgis.csv": "code,count\n01,1\n02,1\n"}, false, "**DIFFER** beyond the 0"},
		{"geopandas differs by more than the boundary points",
			map[string]string{"provinces_geopandas.csv": "code,count\n01,0\n02,1\n", "boundary_points_postgis.csv": onBorder},
			false, "**DIFFER** beyond the 1"},
		{"lomsong's hexagon attribution differs by design", map[string]string{"provinces_lomsong_hex.csv": "code,count\n02,3\n"},
			true, "by design"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines, ok, err := agreement(writeRun(t, tc.over))
			if err != nil {
				t.Fatal(err)
			}
			text := strings.Join(lines, "\n")
			if ok != tc.wantOK {
				t.Errorf("ok = %t, want %t; checks:\n%s", ok, tc.wantOK, text)
			}
			if !strings.Contains(text, tc.want) {
				t.Errorf("checks lack %q:\n%s", tc.want, text)
			}
		})
	}
}

func TestAgreementMissingFile(t *testing.T) {
	dir := writeRun(t, nil)
	if err := os.Remove(filepath.Join(dir, "boundary_points_postgis.csv")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := agreement(dir); err == nil {
		t.Error("agreement without the boundary points: no error")
	}
}
