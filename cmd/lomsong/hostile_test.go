package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Hostile input through the command line (the reliability suite that
// .ci/run runs by the name prefix TestHostile). The memory probes run the
// command in a child process and read its peak RSS (hostile_rss_test.go).

const hostileHeader = "ts,carrier,tech,lon,lat,signal_dbm\n"

// writeGzip writes head followed by n bytes of pattern, gzip-compressed,
// to a file in dir; the file is small whatever n is.
func writeGzip(t *testing.T, dir, name, head string, pattern []byte, n int) string {
	t.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	zw.Write([]byte(head))
	chunk := bytes.Repeat(pattern, max(1, (1<<20)/len(pattern)))
	for w := 0; w < n; w += len(chunk) {
		zw.Write(chunk[:min(len(chunk), n-w)])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestHostileNotATable(t *testing.T) {
	dir := t.TempDir()
	elf := writeFile(t, dir, "ls", []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00\x01\x00\x00\x00"))
	_, errs, code := runCmd(t, "validate", elf)
	if code != exitFailure || !strings.Contains(errs, elf+": not a CSV/Parquet/Arrow file (starts with bytes 7f 45 4c 46 02 01 01 00") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat("/bin/ls"); err == nil {
		if _, errs, code := runCmd(t, "validate", "/bin/ls"); code != exitFailure || !strings.Contains(errs, "not a CSV/Parquet/Arrow file (starts with bytes 7f 45 4c 46") {
			t.Fatalf("/bin/ls: exit %d: %s", code, errs)
		}
	}
}

func TestHostileParquetSpill(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dir := t.TempDir()
	// 100 MB of zeros behind the Parquet magic: about 100 KB of gzip.
	bomb := writeGzip(t, dir, "bomb.parquet.gz", "PAR1", []byte{0}, 100<<20)
	_, errs, code := runCmd(t, "validate", bomb)
	if code != exitFailure || !strings.Contains(errs, "bomb.parquet.gz: decompressing: a gzip-compressed Parquet file is decompressed to a temporary file") ||
		!strings.Contains(errs, "more than 100 times its compressed size") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// Random bytes do not compress: the size cap stops them.
	rng := rand.New(rand.NewPCG(1, 2))
	noise := make([]byte, 3<<20)
	for i := range noise {
		noise[i] = byte(rng.Uint32())
	}
	big := writeGzip(t, dir, "noise.parquet.gz", "PAR1", noise, len(noise))
	_, errs, code = runCmd(t, "validate", "--max-spill-bytes", "2MiB", big)
	if code != exitFailure || !strings.Contains(errs, "to more than 2097152 bytes (raise --max-spill-bytes") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	left, _ := os.ReadDir(tmp)
	if len(left) != 0 {
		t.Fatalf("temporary files left behind: %v", left)
	}
}

func TestHostileQuarantineDir(t *testing.T) {
	dir := t.TempDir()
	qdir := filepath.Join(dir, "q")
	if err := os.Mkdir(qdir, 0o755); err != nil {
		t.Fatal(err)
	}
	a := writeFile(t, dir, "a.csv", []byte(hostileHeader+"2026-10-01T08:00:00Z,viettel,4G,0x1p6,21.03,-98\n2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-98\n"))
	b := writeFile(t, dir, "b.csv", []byte(hostileHeader+"2026-10-01T08:00:00Z,Vi\xe9ttel,4G,105.85,21.03,-98\n"))
	out, errs, code := runCmd(t, "validate", "--max-reject-share", "1", "--quarantine", qdir, a, b)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for name, want := range map[string]string{"a.csv.quarantine.csv": "a.csv,2,lon,0x1p6,invalid_number", "b.csv.quarantine.csv": `b.csv,2,carrier,Vi\xe9ttel,invalid_utf8`} {
		got, err := os.ReadFile(filepath.Join(qdir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(got), "source,line,column,value,reason,detail\n"+want+",") {
			t.Errorf("%s:\n%s", name, got)
		}
		if !strings.Contains(out, "written to "+filepath.Join(qdir, name)) {
			t.Errorf("output does not name %s:\n%s", name, out)
		}
	}
	// A name ending in a separator is a directory, created when absent.
	qnew := filepath.Join(dir, "qnew") + string(filepath.Separator)
	if _, errs, code := runCmd(t, "validate", "--max-reject-share", "1", "--quarantine", qnew, a); code != exitOK {
		t.Fatalf("--quarantine %s: exit %d: %s", qnew, code, errs)
	}
	if _, err := os.Stat(filepath.Join(qnew, "a.csv.quarantine.csv")); err != nil {
		t.Fatal(err)
	}
	// Two inputs of the same name cannot share the directory.
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	a2 := writeFile(t, filepath.Join(dir, "sub"), "a.csv", []byte(hostileHeader))
	if _, errs, code := runCmd(t, "validate", "--quarantine", qdir, a, a2); code != exitUsage || !strings.Contains(errs, "would both write a.csv.quarantine.csv") {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

// TestHostileSameRules checks that validate and ingest reject the same
// rows for the same reasons.
func TestHostileSameRules(t *testing.T) {
	dir := t.TempDir()
	rows := hostileHeader +
		"2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-98\n" +
		"2026-10-01T08:00:00Z,viettel,4G,1_05.8,21.03,-98\n" +
		"2026-10-01T08:00:00Z,Vi\xe9ttel,4G,105.85,21.03,-98\n" +
		strings.Repeat("9", 3000) + "\n" +
		"2026-10-01T08:00:00Z,viettel,4G,105.85,0x1p-2,-98\n" +
		"2026-10-01T08:00:00Z,viettel,4G,105.86,21.03,-97\n"
	in := writeFile(t, dir, "m.csv", []byte(rows))
	args := []string{"--max-line-bytes", "2KiB", "--max-reject-share", "1"}
	vout, errs, code := runCmd(t, append(append([]string{"validate"}, args...), in)...)
	if code != exitOK {
		t.Fatalf("validate: exit %d: %s", code, errs)
	}
	iout, errs, code := runCmd(t, append(append([]string{"ingest", "--dataset", filepath.Join(dir, "ds")}, args...), in)...)
	if code != exitOK {
		t.Fatalf("ingest: exit %d: %s", code, errs)
	}
	counts := regexp.MustCompile(`(?m)(\d+ rows read, \d+ accepted, \d+ rejected)|^  ([a-z_0-9]+ +\d+)$`)
	summary := func(out string) string {
		var s []string
		for _, m := range counts.FindAllStringSubmatch(out, -1) {
			s = append(s, m[1]+m[2])
		}
		return strings.Join(s, "; ")
	}
	want := "6 rows read, 2 accepted, 4 rejected; invalid_number   2; invalid_utf8     1; line_too_long    1"
	if got := summary(vout); got != want {
		t.Errorf("validate: %q, want %q\n%s", got, want, vout)
	}
	if got := summary(iout); got != want {
		t.Errorf("ingest: %q, want %q\n%s", got, want, iout)
	}
}

// TestHostileStrayQuote: one stray quote costs its own line, not every
// line after it. A quote that never closes (the end of the file, or the
// line cap first) and one closed by a later line's quote into a malformed
// record each quarantine their first line, with its text, and the lines
// after it are read again; validate and ingest count the same.
func TestHostileStrayQuote(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString(hostileHeader)
	for i := range 300 {
		fmt.Fprintf(&b, "2026-10-01T08:%02d:%02dZ,viettel,4G,105.%04d,21.03,-%d\n", i/60, i%60, 8500+i, 70+i%40)
	}
	rows := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	stray := slices.Clone(rows)
	stray[100] = strings.Replace(stray[100], ",viettel,", `,"viettel,`, 1) // line 101, never closed
	closed := slices.Clone(stray)
	closed[200] = strings.Replace(closed[200], ",viettel,", `,vi"ettel,`, 1) // line 201 closes it into junk
	for _, c := range []struct {
		name, data string
		args       []string
		lines      []int64
	}{
		{"open to the end of the file", strings.Join(stray, "\n") + "\n", nil, []int64{101}},
		{"open past the line cap", strings.Join(stray, "\n") + "\n", []string{"--max-line-bytes", "2KiB"}, []int64{101}},
		{"closed by a later quote", strings.Join(closed, "\n") + "\n", nil, []int64{101, 201}},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := writeFile(t, t.TempDir(), "m.csv", []byte(c.data))
			want := fmt.Sprintf("300 rows read, %d accepted, %d rejected", 300-len(c.lines), len(c.lines))
			vout, errs, code := runCmd(t, append(append([]string{"validate"}, c.args...), in)...)
			if code != exitOK || !strings.Contains(vout, want) {
				t.Fatalf("validate: exit %d, want %q:\n%s%s", code, want, vout, errs)
			}
			ds := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-"))
			iout, errs, code := runCmd(t, append(append([]string{"ingest", "--dataset", ds}, c.args...), in)...)
			if code != exitOK || !strings.Contains(iout, want) {
				t.Fatalf("ingest: exit %d, want %q:\n%s%s", code, want, iout, errs)
			}
			q, err := filepath.Glob(filepath.Join(ds, "quarantine", "*.csv"))
			if err != nil || len(q) != 1 {
				t.Fatalf("quarantine files %v %v", q, err)
			}
			data, err := os.ReadFile(q[0])
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Split(strings.TrimSpace(string(data)), "\n")[1:]
			if len(got) != len(c.lines) {
				t.Fatalf("quarantine:\n%s", data)
			}
			for i, line := range c.lines {
				// The line's own text is kept (quotes doubled by the CSV writer).
				text := strings.ReplaceAll(strings.Split(c.data, "\n")[line-1], `"`, `""`)
				if !strings.HasPrefix(got[i], fmt.Sprintf("m.csv,%d,,", line)) || !strings.Contains(got[i], text) || !strings.Contains(got[i], "malformed_row") {
					t.Errorf("quarantine row %d: %s, want line %d with %s", i, got[i], line, text)
				}
			}
		})
	}
}

func TestByteSizeFlag(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1048576", 1 << 20, true}, {"1MiB", 1 << 20, true}, {"4gib", 4 << 30, true}, {"512K", 512 << 10, true},
		{"2 MB", 2 << 20, true}, {"10B", 10, true}, {"1.5MiB", 0, false}, {"-1", 0, false}, {"MiB", 0, false},
		{"9999999999TiB", 0, false},
	} {
		var b byteSize
		err := b.Set(c.in)
		if (err == nil) != c.ok || (c.ok && int64(b) != c.want) {
			t.Errorf("%q: got %d, %v", c.in, b, err)
		}
	}
	if b := byteSize(4 << 30); b.String() != "4GiB" {
		t.Errorf("String: %s", b.String())
	}
	if _, errs, code := runCmd(t, "validate", "--max-line-bytes", "lots", "x.csv"); code != exitUsage || !strings.Contains(errs, "want a size in bytes") {
		t.Errorf("exit %d: %s", code, errs)
	}
}

func TestHostileMappingTooLarge(t *testing.T) {
	dir := t.TempDir()
	big := writeFile(t, dir, "mapping.json", bytes.Repeat([]byte(" "), 2<<20))
	in := writeFile(t, dir, "m.csv", []byte(hostileHeader))
	if _, errs, code := runCmd(t, "validate", "--mapping", big, in); code != exitFailure || !strings.Contains(errs, "mapping.json: larger than 1048576 bytes") {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

// TestValidateHeaderOnly: validate refuses a file without data rows as
// ingest does (exit 3), naming the file.
func TestValidateHeaderOnly(t *testing.T) {
	p := filepath.Join(t.TempDir(), "hdr.csv")
	if err := os.WriteFile(p, []byte("ts,carrier,tech,lon,lat,signal_dbm\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errs, code := runCmd(t, "validate", p)
	if code != exitDataRefused || !strings.Contains(errs, "hdr.csv: no data rows") {
		t.Fatalf("exit %d\n%s", code, errs)
	}
}

// TestCoverageLayerNames: a --geojson-layers name cannot lead a file out of
// --out; a malformed pair is a usage error before any work.
func TestCoverageLayerNames(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cov")
	for _, spec := range []string{"../../x:4G", "viettel", "viettel:6G"} {
		_, errs, code := runCmd(t, "coverage", "--dataset", t.TempDir(), "--out", out, "--geojson-layers", spec)
		if spec == "../../x:4G" {
			// A carrier name becomes a slug ("x"): valid, and the run then
			// fails for the empty dataset, not for the name.
			if strings.Contains(errs, "geojson-layers") {
				t.Fatalf("%s: %s", spec, errs)
			}
			continue
		}
		if code != exitUsage || !strings.Contains(errs, "--geojson-layers") {
			t.Fatalf("%s: exit %d\n%s", spec, code, errs)
		}
	}
	got, err := layerList("../../Viettel:4g, VNPT:3G", nil)
	if err != nil || len(got) != 2 || got[0] != [2]string{"viettel", "4G"} || got[1] != [2]string{"vinaphone", "3G"} {
		t.Fatalf("layerList = %v, %v", got, err)
	}
}

// TestHostileCarrierPerRow: a measurements file whose carrier column holds
// a name per row (device ids mapped as carrier) is refused by ingest (exit
// 3) before a partition file is written; it wrote a file per row (10,001
// rows: 20 s and 165 MB of parts; 200,000: tens of minutes).
func TestHostileCarrierPerRow(t *testing.T) {
	var b strings.Builder
	b.WriteString(hostileHeader)
	for i := range 10001 {
		fmt.Fprintf(&b, "2026-10-01T08:00:00Z,dev%05d,4G,105.85,21.03,-98\n", i)
	}
	dir := t.TempDir()
	in := writeFile(t, dir, "m.csv", []byte(b.String()))
	ds := filepath.Join(dir, "ds")
	out, errs, code := runCmd(t, "ingest", "--dataset", ds, in)
	if code != exitDataRefused || !strings.Contains(errs, in+": its rows fall in more than 10000 (month, carrier) partitions: 10001 carriers over 1 month (carriers dev00000, dev00001") ||
		!strings.Contains(out, "REFUSED") {
		t.Fatalf("exit %d:\n%s%s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(ds, "measurements")); !os.IsNotExist(err) {
		t.Fatalf("partitions written: %v", err)
	}
}
