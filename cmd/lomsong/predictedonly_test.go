package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A carrier whose month of tests lies far from every village and
// populated hex analysed (a dump of another province) informs no
// verdict: lomsong run listed its pass and said nothing, where a carrier
// with no test at all was said to be predicted only. It is said too,
// with its rows.
func TestRunSaysACarrierMeasuredOnlyFarAwayIsPredictedOnly(t *testing.T) {
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV3,Bản C,,103.10,22.05,60\n")
	// MobiFone's tests in Hà Nội, 250 km from the Lai Châu villages.
	var b strings.Builder
	b.WriteString("ts,carrier,tech,lon,lat,signal_dbm,service\n")
	for i := range 30 {
		fmt.Fprintf(&b, "2026-10-02T%02d:%02d:00Z,MobiFone,4G,%.5f,%.5f,%.1f,ok\n", 1+i/10, i%60, 105.80+0.001*float64(i), 21.02+0.0007*float64(i%7), -90-0.5*float64(i))
	}
	far := filepath.Join(dir, "mobifone_hanoi.csv")
	if err := os.WriteFile(far, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, far); code != exitOK {
		t.Fatalf("ingest: %d\n%s", code, errs)
	}
	stdout, errs, code := runCmd(t, "run", "--dataset", ds, "--period", "2026-10")
	if code != exitOK || !strings.Contains(stdout, "mobifone: 30 measurement rows in 2026-10, none near the villages and populated hexes analysed: its coverage there is predicted only") ||
		!strings.Contains(stdout, "vinaphone: sites in the register but no measurements in 2026-10: its coverage is predicted only") ||
		strings.Contains(stdout, "viettel:") {
		t.Fatalf("run: %d\n%s\n%s", code, stdout, errs)
	}
	// Read back, the same said.
	if again, errs, code := runCmd(t, "run", "--dataset", ds, "--period", "2026-10"); code != exitOK || !strings.Contains(again, "mobifone: 30 measurement rows in 2026-10, none near") {
		t.Fatalf("second run: %d\n%s\n%s", code, again, errs)
	}
}
