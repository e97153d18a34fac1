package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Of a sector two registers list, the rows of the one ingested last are
// in force. The stages' keys named the register's parts in path order, so
// a register taken out and ingested again after a corrected one (the same
// file, the same clock: SOURCE_DATE_EPOCH pinned, the same part bytes)
// left the keys as they were, and lomsong run read back the coverage, dead
// zones and plan of the corrected register, now no longer in force. The
// parts are keyed in the order of their sources.
func TestRunSitesIngestedAgainInAnotherOrder(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1794000000") // 2026-11-07, after the month's tests
	orig, err := os.ReadFile(filepath.Join(examples, "sites.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// Every mast 25 dB weaker: another coverage, other dead zones.
	weak := regexp.MustCompile(`,(53|55|58),(active|down)`).ReplaceAllString(string(orig), ",30,$2")
	if weak == string(orig) {
		t.Fatal("the weak register is the register")
	}
	villages := "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV3,Bản C,,103.10,22.05,60\n"
	// prepare makes a dataset whose register in force is sites.csv,
	// ingested again after sites_weak.csv; with runBetween, a run is made
	// while sites_weak.csv is in force.
	prepare := func(dir string, runBetween bool) string {
		ds := villagesDataset(t, dir, villages)
		weakFile := filepath.Join(dir, "sites_weak.csv")
		if err := os.WriteFile(weakFile, []byte(weak), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, errs, code := runBinary(t, "ingest", "--dataset", ds, weakFile); code != exitOK {
			t.Fatalf("ingest of the weak register: exit %d\n%s", code, errs)
		}
		if runBetween {
			if out, errs, code := runBinary(t, "run", "--dataset", ds, "--period", "2026-10", "--out", filepath.Join(dir, "weak")); code != exitOK {
				t.Fatalf("run on the weak register: exit %d\n%s\n%s", code, out, errs)
			}
		}
		if _, errs, code := runBinary(t, "dataset", "retract", ds, "sites.csv"); code != exitOK {
			t.Fatalf("retract of sites.csv: exit %d\n%s", code, errs)
		}
		if _, errs, code := runBinary(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv")); code != exitOK {
			t.Fatalf("sites.csv ingested again: exit %d\n%s", code, errs)
		}
		return ds
	}
	dirA, dirB := t.TempDir(), t.TempDir()
	dsA, dsB := prepare(dirA, true), prepare(dirB, false)
	again, errs, code := runBinary(t, "run", "--dataset", dsA, "--period", "2026-10", "--out", filepath.Join(dirA, "out"))
	if code != exitOK {
		t.Fatalf("run after sites.csv was ingested again: exit %d\n%s\n%s", code, again, errs)
	}
	for _, line := range strings.Split(again, "\n") {
		if f := strings.Fields(line); len(f) >= 2 && (f[0] == "coverage" || f[0] == "deadzones") && !strings.Contains(line, "computed") {
			t.Errorf("a stage of the weak register read back with sites.csv in force: %s", line)
		}
	}
	if out, errs, code := runBinary(t, "run", "--dataset", dsB, "--period", "2026-10", "--out", filepath.Join(dirB, "out")); code != exitOK {
		t.Fatalf("run from scratch: exit %d\n%s\n%s", code, out, errs)
	}
	for _, name := range []string{"hexes.csv", "villages.csv", "carrier_gaps.csv"} {
		a, errA := os.ReadFile(filepath.Join(dirA, "out", "deadzones", name))
		b, errB := os.ReadFile(filepath.Join(dirB, "out", "deadzones", name))
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from that of a dataset never run on the weak register\n%s", name, again)
		}
	}
}
