package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A boundary file of another schema (the code in ma_tinh, as a
// department's own layer names it) is refused naming the properties its
// feature has, so that the property to choose is in the message; it said
// only `property "code": missing`. A code given as null is said to be
// null, not missing beside a list holding "code".
func TestBoundaryMissingPropertyNamesTheFeaturesProperties(t *testing.T) {
	dir := t.TempDir()
	sq := `{"type":"Polygon","coordinates":[[[103.2,22.3],[103.6,22.3],[103.6,22.7],[103.2,22.7],[103.2,22.3]]]}`
	cases := []struct{ name, props, want string }{
		{"other schema", `{"ma_tinh":"12","ten_tinh":"Lai Châu"}`, `feature 0: property "code": missing (the feature's properties: "ma_tinh", "ten_tinh")`},
		{"no properties", `{}`, `feature 0: property "code": missing (the feature has no properties)`},
		{"null code", `{"code":null,"name":"Lai Châu"}`, `feature 0: property "code": null (no value)`},
		{"name missing", `{"code":"12","ten":"Lai Châu"}`, `feature 0: property "name": missing (the feature's properties: "code", "ten")`},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, string(rune('a'+i))+".geojson")
			if err := os.WriteFile(path, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":`+tc.props+`,"geometry":`+sq+`}]}`), 0o644); err != nil {
				t.Fatal(err)
			}
			stdout, errs, code := runCmd(t, "areas", "--boundaries", path)
			if code != exitDataRefused || !strings.Contains(errs, path+": ") || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, want %d and %q:\n%s\n%s", code, exitDataRefused, tc.want, stdout, errs)
			}
		})
	}
}
