package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A scorecard of October reads September's saved dead zones and its pass
// over the measurements. With a part of September's measurements gone
// after September was run, lomsong scorecard --period 2026-10 made the
// same card from them in silence; it says so now, in the words lomsong
// run says it of its own month's parts (and a release of lomsong serve is
// refused with), naming the part and lomsong dataset verify. lomsong run
// of October, which reads no September part, says nothing of it.
func TestScorecardWarnsOfAnEarlierMonthsMissingPart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ds := filepath.Join(dir, "ds")
	oct, err := os.ReadFile(filepath.Join(examples, "measurements_viettel.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// October's tests moved to September (the days both months have).
	lines := strings.SplitAfter(string(oct), "\n")
	sep := lines[0]
	day := regexp.MustCompile(`^2026-10-(0[1-9]|1[0-9]|2[0-9])`)
	for _, l := range lines[1:] {
		if day.MatchString(l) {
			sep += "2026-09-" + strings.TrimPrefix(l, "2026-10-")
		}
	}
	files := map[string]string{
		"sep.csv":  sep,
		"subs.csv": "area_code,period,households,fiber_households,mobile_subscribers,smartphone_subscribers\n12,2026-09,130000,50000,300000,200000\n12,2026-10,130000,51000,301000,201000\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, errs, code := runBinary(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"), filepath.Join(examples, "measurements_viettel.csv"),
		filepath.Join(examples, "villages.csv"), filepath.Join(dir, "sep.csv"), filepath.Join(dir, "subs.csv")); code != exitOK {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	for _, p := range []string{"2026-09", "2026-10"} {
		if _, errs, code := runBinary(t, "run", "--dataset", ds, "--period", p); code != exitOK {
			t.Fatalf("run %s: %d %s", p, code, errs)
		}
	}
	if _, errs, code := runBinary(t, "scorecard", "--dataset", ds, "--period", "2026-10", "--out", filepath.Join(dir, "sc1")); code != exitOK || strings.Contains(errs, "warning: ") {
		t.Fatalf("scorecard of a whole dataset: %d %s", code, errs)
	}
	parts, _ := filepath.Glob(filepath.Join(ds, "measurements", "period=2026-09", "carrier=viettel", "*.parquet"))
	if len(parts) != 1 {
		t.Fatalf("September's parts: %v", parts)
	}
	if err := os.Remove(parts[0]); err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(ds, parts[0])
	_, errs, code := runBinary(t, "scorecard", "--dataset", ds, "--period", "2026-10", "--out", filepath.Join(dir, "sc2"))
	if code != exitOK || !strings.Contains(errs, "scorecard: warning: 1 part of the dataset is missing or not its recorded size ("+rel+" (missing))") ||
		!strings.Contains(errs, "lomsong dataset verify") {
		t.Errorf("scorecard of October with a part of September gone: %d\n%s", code, errs)
	}
	if _, errs, code := runBinary(t, "run", "--dataset", ds, "--period", "2026-10"); code != exitOK || strings.Contains(errs, "warning: 1 part") {
		t.Errorf("run of October, which reads no part of September: %d\n%s", code, errs)
	}
	if _, errs, code := runBinary(t, "run", "--dataset", ds, "--period", "2026-09"); code != exitOK || !strings.Contains(errs, "run: warning: 1 part of the dataset is missing") {
		t.Errorf("run of September: %d\n%s", code, errs)
	}
}
