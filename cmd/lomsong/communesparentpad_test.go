package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A --communes file whose provinceCode is a JSON number (8 for Tuyên
// Quang's 08, as QGIS or a spreadsheet writes a code column it took for
// numbers) has those codes read as the province they pad to, and says
// so; such communes were said to be of a province the set does not have
// and their villages got no commune.
func TestCommunesParentCodeWithoutLeadingZero(t *testing.T) {
	dir := t.TempDir()
	ds := exportDataset(t, dir)
	communes := filepath.Join(dir, "communes.geojson")
	if err := os.WriteFile(communes, []byte(`{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"03478","name":"Xã Một","provinceCode":12},"geometry":{"type":"Polygon","coordinates":[[[103.2,22.3],[103.6,22.3],[103.6,22.7],[103.2,22.7],[103.2,22.3]]]}},
{"type":"Feature","properties":{"code":"00820","name":"Yên Minh","provinceCode":8},"geometry":{"type":"Polygon","coordinates":[[[105.0,23.0],[105.3,23.0],[105.3,23.2],[105.0,23.2],[105.0,23.0]]]}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, errs, code := runCmd(t, "deadzones", "--dataset", ds, "--province", "lai chau", "--period", "2026-10", "--communes", communes, "--out", filepath.Join(dir, "dz"))
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, errs)
	}
	if want := "warning: " + communes + ": 1 of its 2 communes give their province's code without its leading zero (8 as 08): read as that province's"; !strings.Contains(errs, want) {
		t.Errorf("stderr lacks %q:\n%s", want, errs)
	}
	if strings.Contains(errs, "name a province") {
		t.Errorf("a padded code said to be no province's:\n%s", errs)
	}
}
