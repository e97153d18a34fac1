package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lomsong/lomsong/engine/arrowio"
)

// TestAggregateMetaSaysAll: aggregates.parquet records the months and
// carriers it was made of; without --period or --carrier that is every
// one in the dataset, written "all" (it was written as an empty string,
// read as none).
func TestAggregateMetaSaysAll(t *testing.T) {
	ds := filepath.Join(t.TempDir(), "ds")
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "measurements_viettel.csv")); code != exitOK {
		t.Fatal(code, errs)
	}
	meta := func(args ...string) map[string]string {
		t.Helper()
		out := filepath.Join(t.TempDir(), "agg")
		if _, errs, code := runCmd(t, append([]string{"aggregate", "--dataset", ds, "--out", out}, args...)...); code != exitOK {
			t.Fatal(code, errs)
		}
		f, err := os.Open(filepath.Join(out, "aggregates.parquet"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		st, _ := f.Stat()
		_, m, err := arrowio.ParquetFooter(f, st.Size())
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if m := meta(); m["lomsong.periods"] != "all" || m["lomsong.carriers"] != "all" {
		t.Errorf("no filter: periods %q, carriers %q", m["lomsong.periods"], m["lomsong.carriers"])
	}
	if m := meta("--carrier", "viettel"); m["lomsong.periods"] != "all" || m["lomsong.carriers"] != "viettel" {
		t.Errorf("--carrier viettel: periods %q, carriers %q", m["lomsong.periods"], m["lomsong.carriers"])
	}
}
