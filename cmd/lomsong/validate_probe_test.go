package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// probeDump is a measurements file with one bad row of two.
const probeDump = "ts,carrier,tech,lon,lat,signal_dbm\n2026-10-01 10:00:00,Viettel,4G,103.3,22.4,-90\n2026-10-01 10:00:01,Viettel,4G,abc,22.4,-90\n"

func writeProbe(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// validate never replaces an input with its quarantine or report, nor a
// file it did not write: "validate --quarantine dump_a.csv dump_b.csv"
// (--quarantine taken for a switch) replaced dump_a.csv.
func TestValidateOutputsNeverReplaceInputs(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	for _, n := range []string{"dump_a.csv", "dump_b.csv", "dump_c.csv"} {
		writeProbe(t, p(n), probeDump)
	}
	writeProbe(t, p("notes.json"), `{"meeting": "Tuesday"}`+"\n")
	writeProbe(t, p("other.json"), `[{"path": "x", "size": 3}]`+"\n")
	if err := os.Mkdir(p("sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(p("dump_b.csv"), p("link.csv")); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(p("dump_b.csv"), p("hard.csv")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(p("q"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeProbe(t, p("q/dump_b.csv.quarantine.csv"), "my own notes\n")
	if err := os.Mkdir(p("in"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeProbe(t, p("in/dump_b.csv.quarantine.csv"), probeDump)
	before := map[string][]byte{}
	for _, n := range []string{"dump_a.csv", "dump_b.csv", "dump_c.csv", "notes.json", "other.json", "q/dump_b.csv.quarantine.csv", "in/dump_b.csv.quarantine.csv"} {
		b, err := os.ReadFile(p(n))
		if err != nil {
			t.Fatal(err)
		}
		before[n] = b
	}
	names := dirNames(t, dir)
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"quarantine taken for a switch", []string{"--quarantine", p("dump_a.csv"), p("dump_b.csv")}, "is not a quarantine lomsong wrote"},
		{"quarantine is the input", []string{"--max-reject-share", "1", "--quarantine", p("dump_b.csv"), p("dump_b.csv")}, "is one of the input files"},
		{"quarantine is the input spelled otherwise", []string{"--max-reject-share", "1", "--quarantine", filepath.Join(dir, "sub", "..", "dump_b.csv"), p("dump_b.csv")}, "is one of the input files"},
		{"quarantine is a symbolic link to the input", []string{"--max-reject-share", "1", "--quarantine", p("link.csv"), p("dump_b.csv")}, "is one of the input files"},
		{"quarantine is a hard link to the input", []string{"--max-reject-share", "1", "--quarantine", p("hard.csv"), p("dump_b.csv")}, "is one of the input files"},
		{"report is the input", []string{"--max-reject-share", "1", "--report", p("dump_c.csv"), p("dump_c.csv")}, "is one of the input files"},
		{"report is another input", []string{"--max-reject-share", "1", "--report", p("dump_a.csv"), p("dump_c.csv"), p("dump_a.csv")}, "is one of the input files"},
		{"report is a user's JSON", []string{"--max-reject-share", "1", "--report", p("notes.json"), p("dump_c.csv")}, "is not a validation report lomsong wrote"},
		{"report is another tool's array", []string{"--max-reject-share", "1", "--report", p("other.json"), p("dump_c.csv")}, "is not a validation report lomsong wrote"},
		{"report is a CSV", []string{"--max-reject-share", "1", "--report", p("dump_a.csv"), p("dump_c.csv")}, "is not a validation report lomsong wrote"},
		{"report and quarantine one file", []string{"--max-reject-share", "1", "--report", p("out.json"), "--quarantine", p("out.json"), p("dump_c.csv")}, "write the same file"},
		{"quarantine directory holds a user's file", []string{"--max-reject-share", "1", "--quarantine", p("q"), p("dump_b.csv")}, "is not a quarantine lomsong wrote"},
		{"quarantine directory's file is an input", []string{"--max-reject-share", "1", "--quarantine", p("in") + "/", p("dump_b.csv"), p("in/dump_b.csv.quarantine.csv")}, "is one of the input files"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, stderr, code := runBinary(t, append([]string{"validate"}, c.args...)...)
			if code != exitUsage || !strings.Contains(stderr, c.want) || !strings.Contains(stderr, "nothing was written") && c.want != "write the same file" {
				t.Errorf("exit %d, stderr %q; want exit %d saying %q", code, stderr, exitUsage, c.want)
			}
			for n, b := range before {
				if got, err := os.ReadFile(p(n)); err != nil || !bytes.Equal(got, b) {
					t.Errorf("%s was changed: %q %v", n, got, err)
				}
			}
			if got := dirNames(t, dir); !slices.Equal(got, names) {
				t.Errorf("files now %v; want %v (nothing written)", got, names)
			}
		})
	}

	// Its own earlier outputs, --json's output saved, and an empty file
	// are replaced.
	q, r, js, empty := p("rejected.csv"), p("report.json"), p("saved.json"), p("empty.json")
	writeProbe(t, empty, "")
	for i := range 2 {
		stdout, stderr, code := runBinary(t, "validate", "--max-reject-share", "1", "--quarantine", q, "--report", r, p("dump_a.csv"))
		if code != exitOK {
			t.Fatalf("run %d: exit %d\n%s\n%s", i, code, stdout, stderr)
		}
	}
	stdout, _, code := runBinary(t, "validate", "--json", "--max-reject-share", "1", p("dump_a.csv"))
	if code != exitOK {
		t.Fatal(code)
	}
	writeProbe(t, js, stdout)
	for _, rep := range []string{js, empty} {
		if _, stderr, code := runBinary(t, "validate", "--max-reject-share", "1", "--report", rep, p("dump_a.csv")); code != exitOK {
			t.Errorf("--report %s: exit %d: %s", rep, code, stderr)
		}
		var v []map[string]any
		if b, err := os.ReadFile(rep); err != nil || json.Unmarshal(b, &v) != nil || len(v) != 1 {
			t.Errorf("%s: %q %v", rep, b, err)
		}
	}
	if b, _ := os.ReadFile(q); !strings.HasPrefix(string(b), "source,line,column,value,reason,detail\n") || !strings.Contains(string(b), "abc") {
		t.Errorf("quarantine %q", b)
	}
	// A refused file's report is also recognised (an "error" entry).
	if _, stderr, code := runBinary(t, "validate", "--report", r, p("missing.csv"), p("dump_a.csv")); code == exitUsage {
		t.Fatal(stderr)
	}
	if _, stderr, code := runBinary(t, "validate", "--max-reject-share", "1", "--report", r, p("dump_a.csv")); code != exitOK {
		t.Errorf("a report with an error entry not replaced: exit %d: %s", code, stderr)
	}
}

// A gzip file over --max-decompressed-bytes within its first bytes is
// refused for its size as ingest refuses it, not as an empty file.
func TestValidateGzipLimitBeforeHeader(t *testing.T) {
	dir := t.TempDir()
	var raw bytes.Buffer
	raw.WriteString("ts,carrier,tech,lon,lat,signal_dbm\n")
	for i := range 2000 {
		fmt.Fprintf(&raw, "2026-10-%02d 08:%02d:00,Viettel,4G,103.%05d,22.%05d,-%d.5\n", 1+i%28, i%60, (i*7919)%100000, (i*104729)%100000, 70+i%40)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw.Bytes())
	zw.Close()
	path := filepath.Join(dir, "dump.csv.gz")
	writeProbe(t, path, gz.String())
	_, ingestErr, code := runBinary(t, "ingest", "--dataset", filepath.Join(dir, "ds"), "--max-decompressed-bytes", "8KiB", path)
	want := path + ": decoding: decompresses to more than 8192 bytes"
	if code != exitFailure || !strings.Contains(ingestErr, want) {
		t.Fatalf("ingest: exit %d, %q", code, ingestErr)
	}
	for _, limit := range []string{"100", "1KiB", "8KiB", "16KiB", "30KiB"} {
		for _, args := range [][]string{{"validate"}, {"validate", "--suggest-mapping"}} {
			args := append(args, "--max-decompressed-bytes", limit, path)
			_, stderr, code := runBinary(t, args...)
			if code != exitFailure || !strings.Contains(stderr, "decompresses to more than") || strings.Contains(stderr, "empty input") {
				t.Errorf("%v: exit %d, %q; want exit %d and the size limit", args, code, stderr, exitFailure)
			}
			if limit == "8KiB" && stderr != ingestErr {
				t.Errorf("%v: %q; want ingest's %q", args, stderr, ingestErr)
			}
		}
	}
}

// A header in Windows-1258 is refused saying so, in validate (with or
// without a preset) and ingest alike; --suggest-mapping reads it as
// Windows-1258 and proposes that encoding (TestExcelWindows1258Read). No
// name with U+FFFD is proposed.
func TestValidateHeaderNotUTF8(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "do_kiem_cp1258.csv")
	// "Thời gian;Kinh độ;Vĩ độ;Nhà mạng;Công nghệ;RSRP (dBm)" in Windows-1258 (iconv -t cp1258).
	writeProbe(t, path, "Th\xf5\xcci gian;Kinh \xf0\xf4\xf2;Vi\xde \xf0\xf4\xf2;Nh\xe0 ma\xf2ng;C\xf4ng ngh\xea\xf2;RSRP (dBm)\r\n"+
		"01/10/2026 08:00:00;103,3;22,4;Viettel;LTE;-90\r\n")
	stdout, stderr, code := runBinary(t, "validate", "--suggest-mapping", path)
	if code != 0 || !strings.Contains(stdout, `"encoding": "windows-1258"`) || strings.Contains(stdout, "\ufffd") || strings.Contains(stdout, `\ufffd`) {
		t.Errorf("--suggest-mapping: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, args := range [][]string{
		{"validate", path},
		{"validate", "--preset", "vn-drivetest", path},
		{"ingest", "--dataset", filepath.Join(dir, "ds"), path},
	} {
		stdout, stderr, code := runBinary(t, args...)
		want := path + ": header is not UTF-8 (a Windows-1258 or other legacy encoding?): re-save the file as UTF-8"
		if code != exitFailure || !strings.Contains(stderr, want) || strings.Contains(stderr, "missing column") {
			t.Errorf("%v: exit %d, %q; want exit %d, %q", args, code, stderr, exitFailure, want)
		}
		if strings.Contains(stdout, "\ufffd") || strings.Contains(stdout, `\ufffd`) {
			t.Errorf("%v: stdout %q proposes a replacement character", args, stdout)
		}
	}
}

// --suggest-mapping proposes "decimal": "," for a site register with
// decimal commas as for measurements.
func TestSuggestMappingDecimalCommaSites(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ name, csv string }{
		{"sites_excel.csv", "Site;Carrier;Tech;Longitude;Latitude;Azimuth\r\nLC-1;Viettel;4G;103,30512;22,40123;120\r\nLC-2;Viettel;4G;103,41234;22,51234;240\r\n"},
		{"s4.csv", "site_id;carrier;tech;lon;lat\nLC-1;Viettel;4G;103,30512;22,40123\nLC-2;Viettel;4G;103,41234;22,51234\n"},
	} {
		path := filepath.Join(dir, c.name)
		writeProbe(t, path, c.csv)
		stdout, stderr, code := runBinary(t, "validate", "--kind", "sites", "--suggest-mapping", path)
		var m struct{ Kind, Decimal string }
		if code != exitOK || json.Unmarshal([]byte(stdout), &m) != nil || m.Kind != "sites" || m.Decimal != "," {
			t.Errorf("%s: exit %d, %s%s; want a sites mapping with \"decimal\": \",\"", c.name, code, stdout, stderr)
		}
		// The suggestion reads the file.
		mp := filepath.Join(dir, c.name+".json")
		writeProbe(t, mp, stdout)
		if out, stderr, code := runBinary(t, "validate", "--mapping", mp, path); code != exitOK || !strings.Contains(out, "2 accepted") {
			t.Errorf("%s with its suggestion: exit %d, %s%s", c.name, code, out, stderr)
		}
	}
	// Without --kind, the register is found as sites too.
	stdout, _, code := runBinary(t, "validate", "--suggest-mapping", filepath.Join(dir, "sites_excel.csv"))
	if code != exitOK || !strings.Contains(stdout, `"decimal": ","`) {
		t.Errorf("exit %d, %s", code, stdout)
	}
}

// RFC 3339 with a space for the T (Python, pandas, PostgreSQL) and with a
// lower-case t and z are read without a mapping.
func TestValidateRFC3339Spellings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pandas_export.csv")
	writeProbe(t, path, "ts,carrier,tech,lon,lat,signal_dbm\n"+
		"2026-10-01 08:00:04+07:00,Viettel,4G,103.3,22.4,-90\n"+
		"2026-10-13 08:00:05.123456+07:00,Viettel,4G,103.3,22.4,-91\n"+
		"2026-10-13t08:00:06z,Viettel,4G,103.3,22.4,-92\n")
	stdout, stderr, code := runBinary(t, "validate", path)
	if code != exitOK || !strings.Contains(stdout, "3 rows read, 3 accepted") || strings.Contains(stdout, "without offset") {
		t.Errorf("validate: exit %d\n%s%s", code, stdout, stderr)
	}
	stdout, stderr, code = runBinary(t, "validate", "--suggest-mapping", path)
	if code != exitOK || strings.Contains(stdout, `"ts"`) || strings.Contains(stderr, "no known layout") {
		t.Errorf("--suggest-mapping: exit %d\n%s%s", code, stdout, stderr)
	}
}

// The messages of fault 18: a header over --max-line-bytes refuses the
// file and names the flag; advice quotes a path with spaces for the
// shell; the top-level help lists dataset retract.
func TestValidateMessages(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bộ dữ liệu")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "a.csv")
	writeProbe(t, path, "ts,carrier,tech,lon,lat,signal_dbm\n2026-10-01 10:00:00,Viettel,4G,103.3,22.4,-90\n")
	_, stderr, code := runBinary(t, "validate", "--max-line-bytes", "16", path)
	if code != exitFailure || !strings.Contains(stderr, "refused") || !strings.Contains(stderr, "longer than --max-line-bytes 16") || strings.Contains(stderr, "skipped") {
		t.Errorf("long header: exit %d, %q", code, stderr)
	}
	_, stderr, code = runBinary(t, "validate", dir)
	if want := "'" + dir + "/'*.csv"; code != exitUsage || !strings.Contains(stderr, want) {
		t.Errorf("a directory: exit %d, %q; want %q", code, stderr, want)
	}
	stdout, _, _ := runBinary(t, "--help")
	stderrHelp := stdout
	if _, e, _ := runBinary(t, "help"); e != "" {
		stderrHelp += e
	}
	if !strings.Contains(stderrHelp, "dataset retract DIR SOURCE") {
		t.Errorf("help does not list dataset retract:\n%s", stderrHelp)
	}
}
