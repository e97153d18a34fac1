package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A point table as Excel saves it on a Vietnamese Windows: "Unicode text"
// (UTF-16 with its byte-order mark, tab separated) or "CSV" (semicolons,
// decimal commas). population refused the first as "binary bytes in its
// first line: not a CSV table", though ingest reads it, and the second as
// '"105,8" is not a number', with no way to declare the decimal comma.
// Both are read now, as the same points; a comma in a number of a
// comma-separated table is still refused, saying why.
func TestPopulationExcelTables(t *testing.T) {
	dir := t.TempDir()
	utf16 := []byte{0xff, 0xfe}
	for _, r := range "lon\tlat\tpopulation\r\n105,8\t21,0\t100,5\r\n105.81\t21.01\t50\r\n" {
		utf16 = append(utf16, byte(r), byte(r>>8))
	}
	cases := []struct {
		name string
		data []byte
	}{
		{"unicode text", utf16},
		{"semicolons", []byte("\xef\xbb\xbflon;lat;population\r\n105,8;21,0;100,5\r\n105.81;21.01;50\r\n")},
	}
	var want string
	for i, tc := range cases {
		in := filepath.Join(dir, tc.name+".csv")
		if err := os.WriteFile(in, tc.data, 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "out"+string(rune('a'+i)))
		stdout, errs, code := runCmd(t, "population", "--points", in, "--out", out)
		if code != exitOK {
			t.Fatalf("%s: exit %d\n%s\n%s", tc.name, code, stdout, errs)
		}
		got, err := os.ReadFile(filepath.Join(out, "population.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(got), ",100.5,") || !strings.Contains(string(got), ",50,") {
			t.Errorf("%s: population.csv\n%s", tc.name, got)
		}
		if want == "" {
			want = string(got)
		} else if string(got) != want {
			t.Errorf("%s: population.csv differs from the first's\n%s\n%s", tc.name, got, want)
		}
	}

	in := filepath.Join(dir, "comma.csv")
	writeProbe(t, in, "lon,lat,population\n105.8,21.0,\"100,5\"\n")
	_, errs, code := runCmd(t, "population", "--points", in, "--out", filepath.Join(dir, "outc"))
	if code != exitDataRefused || !strings.Contains(errs, `line 2, column population: "100,5" is not a number (a decimal comma, or a thousands separator?`) {
		t.Errorf("comma-separated: exit %d\n%s", code, errs)
	}
}
