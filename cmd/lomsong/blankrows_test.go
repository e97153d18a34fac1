package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// Rows of delimiters alone (",,,,,", which Excel writes after the data
// and between blocks) were rejected rows (missing_value, or malformed_row
// when shorter than the header) and pushed a file over the 5% refusal.
// They are skipped as empty lines are, and both are counted and said as
// blank rows (empty lines were skipped unsaid), by validate and ingest
// alike, in comma-, semicolon- and tab-separated files.
func TestDelimiterRowsSkippedAsBlank(t *testing.T) {
	for _, tc := range []struct{ name, sep string }{{"comma", ","}, {"semicolon", ";"}, {"tab", "\t"}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			j := func(f ...string) string { return strings.Join(f, tc.sep) + "\r\n" }
			var b strings.Builder
			b.WriteString(j("ts", "carrier", "tech", "lon", "lat", "signal_dbm"))
			for i := range 20 {
				b.WriteString(j(fmt.Sprintf("2024-10-07 08:00:%02d", i), "viettel", "4G", "105.85", "21.03", fmt.Sprint(-80-i)))
				if i == 9 {
					// Between two blocks: a row of delimiters, an empty line.
					b.WriteString(j("", "", "", "", "", ""))
					b.WriteString("\r\n")
				}
			}
			// After the data: the header's count of fields, fewer, quoted
			// empty fields, and spaces.
			b.WriteString(j("", "", "", "", "", ""))
			b.WriteString(j("", "", ""))
			b.WriteString(j(`""`, `""`, `""`, `""`, `""`, `""`))
			b.WriteString(j(" ", "", "", "", "", " "))
			in := filepath.Join(dir, "dump.csv")
			writeProbe(t, in, b.String())
			const counts = "20 rows read, 20 accepted, 0 rejected"
			const said = "6 blank rows skipped"
			out, errs, code := runCmd(t, "validate", in)
			if code != 0 || !strings.Contains(out, counts) || !strings.Contains(out, said) {
				t.Fatalf("validate: exit %d\n%s\n%s", code, out, errs)
			}
			out, errs, code = runCmd(t, "validate", "--json", in)
			var rep []struct {
				Counts struct {
					RowsRead int64 `json:"rows_read"`
				} `json:"counts"`
			}
			var raw []struct {
				Counts map[string]any `json:"counts"`
			}
			if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil || len(rep) != 1 || rep[0].Counts.RowsRead != 20 {
				t.Fatalf("validate --json: exit %d %v\n%s\n%s", code, err, out, errs)
			}
			if err := json.Unmarshal([]byte(out), &raw); err != nil || raw[0].Counts["blank_rows_skipped"] != float64(6) {
				t.Fatalf("blank_rows_skipped: %v %v", err, raw[0].Counts["blank_rows_skipped"])
			}
			out, errs, code = runCmd(t, "ingest", "--dataset", filepath.Join(dir, "ds"), in)
			if code != 0 || !strings.Contains(out, counts) || !strings.Contains(out, said) {
				t.Fatalf("ingest: exit %d\n%s\n%s", code, out, errs)
			}
		})
	}
}

// A file of a header and blank rows alone has no data rows: refused (exit
// 3) by validate and ingest, saying the blank rows it skipped.
func TestOnlyBlankRowsRefused(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "empty.csv")
	writeProbe(t, in, "ts,carrier,tech,lon,lat,signal_dbm\n,,,,,\n\n,,,,,\n")
	out, errs, code := runCmd(t, "validate", in)
	if code != 3 || !strings.Contains(out, "3 blank rows skipped") || !strings.Contains(errs, "no data rows") {
		t.Fatalf("validate: exit %d\n%s\n%s", code, out, errs)
	}
	out, errs, code = runCmd(t, "ingest", "--dataset", filepath.Join(dir, "ds"), in)
	if code != 3 || !strings.Contains(out+errs, "no data rows (only a header and 3 blank rows)") {
		t.Fatalf("ingest: exit %d\n%s\n%s", code, out, errs)
	}
}
