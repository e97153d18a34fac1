package main

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A carrier's dump sent as a ZIP of its CSV was refused with "a ZIP
// archive (an Excel .xlsx?): export it as CSV" (it is a CSV already), and
// UTF-16 text without a byte-order mark with no hint at all. The refusal
// now says what the file is: a ZIP naming its first file (unzip it, or
// gzip it, which is read), an Excel or OpenDocument workbook, an .xls,
// UTF-16 without a mark. validate and ingest alike, exit 1.
func TestNotATableSaysWhatItIs(t *testing.T) {
	dir := t.TempDir()
	zipOf := func(names ...string) []byte {
		var b bytes.Buffer
		z := zip.NewWriter(&b)
		for _, n := range names {
			w, err := z.Create(n)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte("ts,carrier,tech,lon,lat,signal_dbm\n"))
		}
		if err := z.Close(); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	utf16le := func(s string) []byte {
		var b []byte
		for _, c := range []byte(s) {
			b = append(b, c, 0)
		}
		return b
	}
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"dump.zip", zipOf("viettel_2026-10.csv"), `a ZIP archive, its first file "viettel_2026-10.csv": unzip it and give the files, or compress each with gzip`},
		{"dump.xlsx", zipOf("[Content_Types].xml", "xl/workbook.xml"), "an Excel workbook (.xlsx): save the sheet as CSV UTF-8"},
		{"dump.ods", zipOf("mimetype"), "an OpenDocument spreadsheet (.ods)"},
		{"dump.xls", append([]byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}, make([]byte, 64)...), "an Excel 97–2003 workbook (.xls)"},
		{"dump.txt", utf16le("ts\tcarrier\ttech\tlon\tlat\n"), "UTF-16 text without a byte-order mark (UTF-16 is read with one): save it as UTF-8"},
	} {
		path := filepath.Join(dir, c.name)
		if err := os.WriteFile(path, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"validate", path}, {"ingest", "--dataset", filepath.Join(dir, "ds"), path}} {
			_, errs, code := runCmd(t, args...)
			if code != 1 || !strings.Contains(errs, c.want) || !strings.Contains(errs, c.name) {
				t.Errorf("%s %s: exit %d, %s; want %q", args[0], c.name, code, errs, c.want)
			}
		}
	}
}
