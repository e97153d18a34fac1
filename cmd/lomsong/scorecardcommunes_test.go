package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lomsong scorecard --communes FILE refuses a file that gives none of the
// villages a commune (another province's communes), as deadzones, report,
// export, run and campaign refuse it (deadzone.CheckCommunes): it scored
// the month, exit 0, without a word, the dead zones attributed with the
// file. A file that gives a village a commune is taken, the card written.
func TestScorecardCommunesGivingNoneRefused(t *testing.T) {
	dir := t.TempDir()
	ds := exportDataset(t, dir)
	hanoi := filepath.Join(dir, "hanoi.geojson")
	laichau := filepath.Join(dir, "laichau.geojson")
	for file, feature := range map[string]string{
		hanoi:   `{"type":"Feature","properties":{"code":"00004","name":"Ba Đình","provinceCode":"01"},"geometry":{"type":"Polygon","coordinates":[[[105.80,21.02],[105.85,21.02],[105.85,21.05],[105.80,21.05],[105.80,21.02]]]}}`,
		laichau: `{"type":"Feature","properties":{"code":"03478","name":"Sìn Hồ","provinceCode":"12"},"geometry":{"type":"Polygon","coordinates":[[[103.2,22.3],[103.6,22.3],[103.6,22.7],[103.2,22.7],[103.2,22.3]]]}}`,
	} {
		if err := os.WriteFile(file, []byte(`{"type":"FeatureCollection","features":[`+feature+`]}`), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "card-hanoi")
	stdout, errs, code := runBinary(t, "scorecard", "--dataset", ds, "--period", "2026-10", "--province", "lai chau", "--communes", hanoi, "--out", out)
	if want := hanoi + " gives none of the "; code != exitDataRefused || !strings.Contains(errs, want) {
		t.Errorf("Hà Nội's communes: exit %d, want %d and %q:\n%s\n%s", code, exitDataRefused, want, stdout, errs)
	}
	if _, err := os.Stat(filepath.Join(out, "scorecard.csv")); err == nil {
		t.Error("Hà Nội's communes: scorecard.csv written")
	}
	out = filepath.Join(dir, "card-laichau")
	stdout, errs, code = runBinary(t, "scorecard", "--dataset", ds, "--period", "2026-10", "--province", "lai chau", "--communes", laichau, "--out", out)
	if code != exitOK {
		t.Fatalf("Lai Châu's commune: exit %d\n%s\n%s", code, stdout, errs)
	}
	if _, err := os.Stat(filepath.Join(out, "scorecard.csv")); err != nil {
		t.Errorf("Lai Châu's commune: %v", err)
	}
}
