package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A carrier written as a spreadsheet's or database's placeholder for no
// value ("N/A", "#N/A", "NULL", "nan", "Unknown", "-") is a missing
// carrier, quarantined as missing_value by validate and ingest alike; the
// placeholders were kept as carriers of their own ("n-a", "null",
// "unknown"), a partition each, and a register's "N/A" sites predicted as
// a network covering its hexes. A mapping's "values" still maps one onto
// an operator.
func TestCarrierPlaceholderIsMissing(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "dump.csv")
	placeholders := []string{"N/A", "#N/A", "NULL", "nan", "Unknown", "-"}
	text := "ts,carrier,tech,lon,lat,signal_dbm\n"
	for i := 0; i < 20; i++ {
		text += fmt.Sprintf("2026-10-01 10:00:%02d,Viettel,4G,103.3,22.4,-90\n", i)
	}
	for i, c := range placeholders {
		text += fmt.Sprintf("2026-10-01 10:01:%02d,%s,4G,103.3,22.4,-90\n", i, c)
	}
	writeProbe(t, in, text)
	vq := filepath.Join(dir, "v.quarantine.csv")
	out, errs, code := runCmd(t, "validate", "--max-reject-share", "1", "--quarantine", vq, in)
	if code != 0 || !strings.Contains(out, "26 rows read, 20 accepted, 6 rejected") || strings.Contains(out, "kept under their own names") {
		t.Fatalf("validate: exit %d\n%s\n%s", code, out, errs)
	}
	ds := filepath.Join(dir, "ds")
	out, errs, code = runCmd(t, "ingest", "--dataset", ds, "--max-reject-share", "1", in)
	if code != 0 || !strings.Contains(out, "26 rows read, 20 accepted, 6 rejected") {
		t.Fatalf("ingest: exit %d\n%s\n%s", code, out, errs)
	}
	carriers := dirNames(t, filepath.Join(ds, "measurements", "period=2026-10"))
	if strings.Join(carriers, " ") != "carrier=viettel" {
		t.Errorf("partitions %v, want carrier=viettel alone", carriers)
	}
	q, _ := filepath.Glob(filepath.Join(ds, "quarantine", "*.csv"))
	if len(q) != 1 {
		t.Fatalf("ingest quarantine %v", q)
	}
	for _, p := range []string{vq, q[0]} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range placeholders {
			want := fmt.Sprintf(`,%d,carrier,%s,missing_value,"carrier is required`, 22+i, c)
			if !strings.Contains(string(b), want) {
				t.Errorf("%s: no %q:\n%s", p, want, b)
			}
		}
	}

	// "Unknown" mapped onto an operator is that operator's.
	mapping := filepath.Join(dir, "mapping.json")
	writeProbe(t, mapping, `{"kind": "measurements", "values": {"carrier": {"Unknown": "Viettel"}}}`)
	out, errs, code = runCmd(t, "validate", "--max-reject-share", "1", "--mapping", mapping, in)
	if code != 0 || !strings.Contains(out, "26 rows read, 21 accepted, 5 rejected") {
		t.Fatalf("validate --mapping: exit %d\n%s\n%s", code, out, errs)
	}
}
