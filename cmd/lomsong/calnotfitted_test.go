package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/coverage"
)

// TestCalibrationSaysWhatWasNotFitted: measurements of one carrier only
// (the example Viettel tests) against a register of three. The
// calibration file lists every network without a fit with its reason
// (not_fitted: MobiFone's and VNPT's networks, no test in the month), and
// calibrate and the commands that read the file say so; the file named
// only the fits made, and a network absent from it read as calibrated by
// omission.
func TestCalibrationSaysWhatWasNotFitted(t *testing.T) {
	ds := exampleDataset(t)
	stdout, errs, code := runCmd(t, "calibrate", "--dataset", ds)
	if code != exitOK {
		t.Fatalf("calibrate: exit %d\n%s\n%s", code, stdout, errs)
	}
	b, err := os.ReadFile(filepath.Join(ds, "calibration.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Calibrations []struct{ Carrier, Tech string }
		NotFitted    []struct{ Carrier, Tech, Reason, Why string } `json:"not_fitted"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, n := range f.NotFitted {
		reasons[n.Carrier+" "+n.Tech] = n.Reason
		if n.Why == "" {
			t.Errorf("not_fitted %s %s: no reason in words", n.Carrier, n.Tech)
		}
	}
	for _, c := range f.Calibrations {
		if _, ok := reasons[c.Carrier+" "+c.Tech]; ok {
			t.Errorf("%s %s both fitted and not fitted", c.Carrier, c.Tech)
		}
	}
	for _, n := range []string{"mobifone 2G", "mobifone 3G", "mobifone 4G", "vinaphone 2G", "vinaphone 3G", "vinaphone 4G"} {
		if reasons[n] != "no_tests" {
			t.Errorf("not_fitted %s: reason %q, want no_tests (file: %s)", n, reasons[n], b)
		}
	}
	if !strings.Contains(stdout, "not fitted (predictions and σ stay the model's") || !strings.Contains(stdout, "no test in the months read: mobifone 2G, mobifone 3G, mobifone 4G, viettel 2G, vinaphone 2G") {
		t.Errorf("calibrate does not say which networks were not fitted:\n%s", stdout)
	}
	_, errs, code = runCmd(t, "coverage", "--dataset", ds, "--out", filepath.Join(t.TempDir(), "cov"))
	if code != exitOK || !strings.Contains(errs, "not fitted, no test in the months read: mobifone 2G") {
		t.Errorf("coverage reading the file: exit %d, does not say which networks it leaves uncalibrated\n%s", code, errs)
	}
}

// A fit not applied whose hexes are censored (their median below the
// no-service level) says how many, not "viettel 4G (0)" alone, in the
// "using calibration" line and calibrate's table notes alike.
func TestNotAppliedNamesCensoredHexes(t *testing.T) {
	cals := []coverage.Calibration{
		{Carrier: engine.Viettel, Tech: engine.Tech4G, Censored: 3},
		{Carrier: engine.MobiFone, Tech: engine.Tech3G, N: 4},
	}
	got := calibrationInForce(cals, 10, nil)
	want := "0 carrier/technology fits applied; not applied, fewer than 10 measured hexes: viettel 4G (0; 3 more below the no-service level), mobifone 3G (4)"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
