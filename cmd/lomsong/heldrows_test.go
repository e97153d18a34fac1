package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A carrier's dump of the month so far, sent again with the rest of the
// month, holds tests the dataset has: ingested, each would count twice.
// The file is refused naming the earlier one (exit 3) and the dataset is
// unchanged; once the earlier dump is retracted the completed one goes in.
func TestIngestRefusesMeasurementsHeldAlready(t *testing.T) {
	dir := t.TempDir()
	ds := filepath.Join(dir, "ds")
	rows := func(from, to int) string {
		var b strings.Builder
		b.WriteString("ts,carrier,tech,lon,lat,signal_dbm,service\n")
		for i := from; i < to; i++ {
			fmt.Fprintf(&b, "2026-10-%02dT08:%02d:00+07:00,viettel,4G,103.%06d,22.300000,%d,ok\n", 1+i%28, i%60, 100000+i*37, -80-i%30)
		}
		return b.String()
	}
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	first := write("viettel_first_half.csv", rows(0, 40))
	completed := write("viettel_month.csv", rows(0, 70))
	late := write("viettel_late.csv", rows(60, 90))

	if _, errs, code := runBinary(t, "ingest", "--dataset", ds, first); code != exitOK {
		t.Fatalf("first ingest: exit %d\n%s", code, errs)
	}
	manifest := func() string {
		b, err := os.ReadFile(filepath.Join(ds, "manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	before := manifest()

	out, errs, code := runBinary(t, "ingest", "--dataset", ds, completed)
	if code != exitDataRefused {
		t.Fatalf("a dump holding every row of an earlier one: exit %d, want %d (refused)\nstdout:\n%s\nstderr:\n%s", code, exitDataRefused, out, errs)
	}
	for _, want := range []string{"viettel_month.csv: 40 of its 70 accepted rows are measurements the dataset holds already",
		"40 of viettel_first_half.csv", "nothing was added", "lomsong dataset retract"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if manifest() != before {
		t.Error("the refused file changed the manifest")
	}
	// The rows held are listed by line, so that the file of the new rows
	// alone can be made: lines 2–41, the first half's 40 rows.
	qs, _ := filepath.Glob(filepath.Join(ds, "rejected", "*", "quarantine.csv"))
	if len(qs) != 1 || !strings.Contains(errs, "the rows held are listed by line in "+qs[0]+", reason in_dataset") {
		t.Fatalf("quarantines of the refused file %v; stderr:\n%s", qs, errs)
	}
	q, err := os.ReadFile(qs[0])
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(q)), "\n")
	if len(lines) != 41 || !strings.HasPrefix(lines[1], "viettel_month.csv,2,,,in_dataset,") || !strings.HasPrefix(lines[40], "viettel_month.csv,41,,,in_dataset,") ||
		!strings.Contains(lines[1], "a row of viettel_first_half.csv") {
		t.Errorf("quarantine of the refused file (%d lines):\n%s", len(lines), q)
	}
	ls, _, _ := runBinary(t, "dataset", "ls", ds)
	if !strings.Contains(ls, "total") || !strings.Contains(ls, " 40 ") || strings.Contains(ls, " 110 ") {
		t.Errorf("dataset ls after the refusal:\n%s", ls)
	}

	// Retract the first half; the completed month goes in, and then a late
	// dump overlapping it is refused in turn, naming it.
	if _, errs, code := runBinary(t, "dataset", "retract", ds, first); code != exitOK {
		t.Fatalf("retract: exit %d\n%s", code, errs)
	}
	if _, errs, code := runBinary(t, "ingest", "--dataset", ds, completed); code != exitOK {
		t.Fatalf("the completed dump after the retraction: exit %d\n%s", code, errs)
	}
	_, errs, code = runBinary(t, "ingest", "--dataset", ds, late)
	if code != exitDataRefused || !strings.Contains(errs, "10 of its 30 accepted rows") || !strings.Contains(errs, "10 of viettel_month.csv") {
		t.Errorf("a late dump overlapping the month by 10 rows: exit %d\n%s", code, errs)
	}
}
