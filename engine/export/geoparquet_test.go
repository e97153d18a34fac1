package export

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// A GeoParquet layer changed in place after the export wrote it is
// refused as a changed GeoPackage is: its size and SHA-256 are recorded
// when written (RecordFiles) and checked before a re-export replaces it.
// Files without a record (a folder written before records were kept) are
// replaced while they still read as an export's layer.
func TestCheckGeoParquetReplaceable(t *testing.T) {
	layers := []Layer{
		{Name: "villages", Geometry: Point, Geoms: []orb.Geometry{orb.Point{103.4, 22.4}},
			Fields: []Field{{Name: "households", Type: Integer, Ints: []int64{42}}}},
		{Name: "deadzones", Geometry: Point, Geoms: []orb.Geometry{orb.Point{103.5, 22.3}},
			Fields: []Field{{Name: "households", Type: Integer, Ints: []int64{7}}}},
	}
	names := []string{"villages.parquet", "deadzones.parquet"}
	write := func(t *testing.T) (string, map[string]FileRecord) {
		dir := t.TempDir()
		if err := WriteGeoParquet(dir, layers, Meta{Period: "2024-10", Province: "12", Resolution: 8}); err != nil {
			t.Fatal(err)
		}
		rec, err := RecordFiles(dir, names)
		if err != nil {
			t.Fatal(err)
		}
		return dir, rec
	}
	appendTo := func(t *testing.T, path, s string) {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(s)
		f.Close()
	}
	for _, tc := range []struct {
		name    string
		edit    func(t *testing.T, dir string)
		legacy  bool   // check without records
		refused string // the file named in the refusal; "" when replaceable
	}{
		{name: "as written"},
		{name: "removed", edit: func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "villages.parquet")) }},
		{name: "appended", edit: func(t *testing.T, dir string) { appendTo(t, filepath.Join(dir, "villages.parquet"), "analyst edit\n") }, refused: "villages.parquet"},
		{name: "same size", refused: "deadzones.parquet", edit: func(t *testing.T, dir string) {
			p := filepath.Join(dir, "deadzones.parquet")
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)/2] ^= 0xff
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "legacy as written", legacy: true},
		{name: "legacy appended", legacy: true, refused: "villages.parquet",
			edit: func(t *testing.T, dir string) { appendTo(t, filepath.Join(dir, "villages.parquet"), "analyst edit\n") }},
		{name: "legacy replaced by text", legacy: true, refused: "deadzones.parquet", edit: func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "deadzones.parquet"), []byte("zone,households\n"), 0o644)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, rec := write(t)
			if tc.edit != nil {
				tc.edit(t, dir)
			}
			if tc.legacy {
				rec = nil
			}
			err := CheckGeoParquetReplaceable(dir, names, rec)
			switch {
			case tc.refused == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.refused != "" && (!errors.Is(err, ErrNotReplaceable) || !strings.Contains(err.Error(), tc.refused)):
				t.Errorf("got %v, want ErrNotReplaceable naming %s", err, tc.refused)
			}
		})
	}
}
