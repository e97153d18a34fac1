package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestChallengesWithoutNegativesEmpty: challenges.csv gave a claim with no
// negative test first_negative_ms and last_negative_ms 0 (read as
// 1970-01-01T00:00Z) and negative_span_hours 0, as if its negatives had
// come at one instant; they are empty now, and a claim with negatives
// keeps its times (within the tests' month, October 2026).
func TestChallengesWithoutNegativesEmpty(t *testing.T) {
	ds := exampleDataset(t)
	out := filepath.Join(t.TempDir(), "dz")
	if stdout, errs, code := runBinary(t, "deadzones", "--dataset", ds, "--out", out); code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, errs)
	}
	f, err := os.Open(filepath.Join(out, "challenges.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	lo, hi := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	without, with := 0, 0
	for _, r := range rows[1:] {
		neg, err := strconv.Atoi(r[col["negatives"]])
		if err != nil {
			t.Fatalf("negatives %q: %v", r[col["negatives"]], err)
		}
		first, last, span := r[col["first_negative_ms"]], r[col["last_negative_ms"]], r[col["negative_span_hours"]]
		if neg == 0 {
			without++
			if first != "" || last != "" || span != "" {
				t.Fatalf("%s %s %s (res %s), no negative test: first %q, last %q, span %q; want them empty",
					r[col["cell"]], r[col["carrier"]], r[col["tech"]], r[col["res"]], first, last, span)
			}
			continue
		}
		with++
		a, errA := strconv.ParseInt(first, 10, 64)
		b, errB := strconv.ParseInt(last, 10, 64)
		if errA != nil || errB != nil || a < lo || b >= hi || a > b {
			t.Fatalf("%s %s %s, %d negatives: first %q, last %q: want Unix milliseconds in October 2026", r[col["cell"]], r[col["carrier"]], r[col["tech"]], neg, first, last)
		}
	}
	if without == 0 || with == 0 {
		t.Fatalf("%d claims without a negative test, %d with: want both", without, with)
	}
}
