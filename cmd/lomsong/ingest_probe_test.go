package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A position in Viet Nam with its longitude and latitude swapped (an
// export that writes latitude first, a mapping that takes one for the
// other) is refused as the latitude out of range, and the detail now says
// that the pair, read the other way round, is in Viet Nam; a latitude
// merely out of range does not say so.
func TestSwappedCoordinatesNamed(t *testing.T) {
	dir := t.TempDir()
	m := filepath.Join(dir, "m.csv")
	writeProbe(t, m, "ts,carrier,tech,lon,lat,signal_dbm\n"+
		"2024-10-07 08:00:00,viettel,4G,21.03,105.85,-90\n"+
		"2024-10-07 08:00:01,viettel,4G,2.35,148.85,-90\n")
	v := filepath.Join(dir, "v.csv")
	writeProbe(t, v, "village_id,name,commune_code,lon,lat,households\nV1,Bản Nà,12001,22.4,103.2,297\n")
	const swapped = "lon and lat swapped? (21.03, 105.85) as latitude, longitude is in Viet Nam"
	out, errs, code := runCmd(t, "validate", "--max-reject-share", "1", m)
	if code != 0 || !strings.Contains(out, `line 2, column "lat", value "105.85": out_of_range (outside -90…90; `+swapped) ||
		strings.Count(out, "swapped") != 1 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	ds := filepath.Join(dir, "ds")
	out, errs, _ = runCmd(t, "ingest", "--dataset", ds, "--max-reject-share", "1", v)
	q, _ := filepath.Glob(filepath.Join(ds, "quarantine", "*.csv"))
	if len(q) != 1 {
		t.Fatalf("%v\n%s\n%s", q, out, errs)
	}
	if b, err := os.ReadFile(q[0]); err != nil || !strings.Contains(string(b), "lon and lat swapped? (22.4, 103.2)") {
		t.Fatalf("%s %v", b, err)
	}
}

// Daily exports joined with their headers (copy /b a.csv+b.csv, the
// second's byte-order mark kept) repeat the header line mid-file: it is
// refused as a repeat of the header, by validate and ingest alike, not as
// a row whose "ts" is an invalid time.
func TestRepeatedHeaderNamed(t *testing.T) {
	dir := t.TempDir()
	const h = "ts;carrier;tech;lon;lat;signal_dbm\r\n"
	in := filepath.Join(dir, "joined.csv")
	writeProbe(t, in, "\ufeff"+h+"2024-10-07 08:00:00;viettel;4G;105.85;21.03;-90\r\n"+
		"\ufeff"+h+"2024-10-08 08:00:00;viettel;4G;105.85;21.03;-91\r\n"+
		" ts ;carrier;tech;lon;lat;signal_dbm\r\n2024-10-09 08:00:00;viettel;4G;105.85;21.03;-92\r\n")
	const detail = "duplicate,a repeat of the header line (files joined with their headers?): not a row"
	vq := filepath.Join(dir, "v.quarantine.csv")
	out, errs, code := runCmd(t, "validate", "--max-reject-share", "1", "--quarantine", vq, in)
	if code != 0 || !strings.Contains(out, "5 rows read, 3 accepted, 2 rejected") || strings.Contains(out, "invalid_time") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	ds := filepath.Join(dir, "ds")
	out, errs, code = runCmd(t, "ingest", "--dataset", ds, "--max-reject-share", "1", in)
	q, _ := filepath.Glob(filepath.Join(ds, "quarantine", "*.csv"))
	if code != 0 || len(q) != 1 || !strings.Contains(out, "5 rows read, 3 accepted, 2 rejected") {
		t.Fatalf("exit %d %v\n%s\n%s", code, q, out, errs)
	}
	for _, p := range []string{vq, q[0]} {
		b, err := os.ReadFile(p)
		if err != nil || strings.Count(string(b), detail) != 2 || !strings.Contains(string(b), ",3,,") || !strings.Contains(string(b), ",5,,") {
			t.Fatalf("%s: %s %v", p, b, err)
		}
	}
}

// The ignored columns are named quoted: a name with spaces ("Toc do
// (Mbps)") read as two, and a spreadsheet's trailing unnamed columns were
// printed as "[ ]".
func TestIgnoredColumnsQuoted(t *testing.T) {
	in := filepath.Join(t.TempDir(), "m.csv")
	writeProbe(t, in, "ts,carrier,tech,lon,lat,signal_dbm,Toc do (Mbps),,\n2024-10-07 08:00:00,viettel,4G,105.85,21.03,-90,5,,\n")
	for _, args := range [][]string{{"validate", in}, {"ingest", "--dataset", filepath.Join(t.TempDir(), "ds"), in}} {
		out, errs, code := runCmd(t, args...)
		if code != 0 || !strings.Contains(out, `map them with --mapping if they hold contract data): "Toc do (Mbps)", "", ""`+"\n") {
			t.Fatalf("%s: exit %d\n%s\n%s", args[0], code, out, errs)
		}
	}
}

// A table exported from PostgreSQL (\copy … csv header) writes its
// timestamptz values with the offset in hours alone ("+07"), and Java
// and strftime's %z without the colon ("+0700"): both were refused as
// invalid_time, and are read with their offset.
func TestPostgreSQLOffsets(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "pg.csv")
	writeProbe(t, in, "ts,carrier,tech,lon,lat,signal_dbm\n"+
		"2024-10-07 08:36:07.123456+07,viettel,4G,105.85,21.03,-90\n"+
		"2024-10-07T01:36:08+0000,viettel,4G,105.85,21.03,-91\n")
	for _, args := range [][]string{{"validate", in}, {"ingest", "--dataset", filepath.Join(dir, "ds"), in}} {
		out, errs, code := runCmd(t, args...)
		if code != 0 || !strings.Contains(out, "2 rows read, 2 accepted, 0 rejected") || strings.Contains(out, "without offset") {
			t.Fatalf("%s: exit %d\n%s\n%s", args[0], code, out, errs)
		}
	}
}

// A level written without its minus sign, or a level index (RxLev 0–63)
// under a dBm name, is refused saying so; a level merely too strong is
// not given the hint.
func TestPositiveLevelsNamed(t *testing.T) {
	in := filepath.Join(t.TempDir(), "m.csv")
	writeProbe(t, in, "ts,carrier,tech,lon,lat,signal_dbm\n2024-10-07 08:00:00,viettel,4G,105.85,21.03,95\n"+
		"2024-10-07 08:00:01,viettel,2G,105.85,21.03,-10\n")
	out, errs, code := runCmd(t, "validate", in)
	if code != exitDataRefused || strings.Count(out, "levels in dBm are negative: a level written without its minus sign") != 1 ||
		!strings.Contains(out, `value "95": out_of_range (RSRP 95 dBm outside the possible -160…-31 dBm; levels in dBm are negative`) {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
}

// A carrier written as its network code ("45204", as cell loggers write
// the operator), as phones display it ("VN VINAPHONE") or with company
// words ("Tập đoàn Viettel") is its operator's: each was stored under a
// carrier of its own and listed as one lomsong does not know.
func TestCarrierSpellingsOfLoggers(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "m.csv")
	writeProbe(t, in, "ts,carrier,tech,lon,lat,signal_dbm\n"+
		"2024-10-07 08:00:00,45204,4G,105.85,21.03,-90\n2024-10-07 08:00:01,452-02,4G,105.85,21.03,-91\n"+
		"2024-10-07 08:00:02,VN VINAPHONE,4G,105.85,21.03,-92\n2024-10-07 08:00:03,Tập đoàn Viettel,4G,105.85,21.03,-93\n")
	ds := filepath.Join(dir, "ds")
	out, errs, code := runCmd(t, "ingest", "--dataset", ds, in)
	if code != 0 || strings.Contains(out, "carriers lomsong does not know") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	out, _, _ = runCmd(t, "dataset", "ls", ds)
	var carriers []string
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 2 && f[0] == "measurements" {
			carriers = append(carriers, f[2])
		}
	}
	if strings.Join(carriers, " ") != "viettel vinaphone" {
		t.Fatalf("carriers %v\n%s", carriers, out)
	}
}

// TEMS and Nemo write the RAT as 3GPP names it (E-UTRAN, UTRAN, GERAN),
// and spreadsheets a generation with its technology ("4G (LTE)"): every
// such row was refused as invalid_enum.
func TestTechSpellingsOfTools(t *testing.T) {
	in := filepath.Join(t.TempDir(), "m.csv")
	writeProbe(t, in, "ts,carrier,tech,lon,lat,signal_dbm\n"+
		"2024-10-07 08:00:00,viettel,E-UTRAN,105.85,21.03,-90\n2024-10-07 08:00:01,viettel,UTRAN,105.85,21.03,-91\n"+
		"2024-10-07 08:00:02,viettel,GERAN,105.85,21.03,-92\n2024-10-07 08:00:03,viettel,4G (LTE),105.85,21.03,-93\n"+
		"2024-10-07 08:00:04,viettel,EN-DC,105.85,21.03,-94\n")
	for _, args := range [][]string{{"validate", in}, {"ingest", "--dataset", filepath.Join(t.TempDir(), "ds"), in}} {
		out, errs, code := runCmd(t, args...)
		if code != 0 || !strings.Contains(out, "5 rows read, 5 accepted, 0 rejected") {
			t.Fatalf("%s: exit %d\n%s\n%s", args[0], code, out, errs)
		}
	}
}

// A position in degrees and minutes, or with a degree sign, is refused
// saying that positions are read in decimal degrees and how to convert;
// a number merely malformed is not given the hint.
func TestDegreesMinutesNamed(t *testing.T) {
	in := filepath.Join(t.TempDir(), "v.csv")
	writeProbe(t, in, "village_id,name,commune_code,lon,lat,households\nV1,Bản Nà,12001,103°12'E,22.4,297\n"+
		"V2,Bản Mo,12001,103.2,22.4°,297\nV3,Bản X,12001,103.2,\"22°24'30\"\"N\",297\nV4,Bản Y,12001,NaN,22.4,297\n")
	out, errs, code := runCmd(t, "validate", "--max-reject-share", "1", in)
	if code != 0 || strings.Count(out, "positions are read in decimal degrees only") != 3 || !strings.Contains(out, `value "NaN": invalid_number (not a finite decimal number)`) {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
}

// A damaged gzip file is refused by ingest as validate refuses it, with
// the last line read before the damage ("line 90: gzip: the file is cut
// short, …", as the contract says), ingest adding that nothing of it was
// ingested; ingest said "decoding: gzip: unexpected EOF".
func TestDamagedGzipSaidAlike(t *testing.T) {
	dir := t.TempDir()
	var raw strings.Builder
	raw.WriteString("ts,carrier,tech,lon,lat,signal_dbm\n")
	for i := range 3000 {
		fmt.Fprintf(&raw, "2024-10-%02d 08:%02d:%02d,viettel,4G,105.%05d,21.03,-%d\n", 1+i%28, i%60, i/60%60, i*7919%100000, 70+i%40)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(raw.String()))
	zw.Close()
	b := gz.Bytes()
	cut := filepath.Join(dir, "cut.csv.gz")
	writeProbe(t, cut, string(b[:len(b)/2]))
	crc := append([]byte(nil), b...)
	crc[len(crc)-6] ^= 0xff
	bad := filepath.Join(dir, "crc.csv.gz")
	writeProbe(t, bad, string(crc))
	for _, c := range []struct{ path, want string }{{cut, "gzip: the file is cut short"}, {bad, "line 3001: gzip: invalid checksum"}} {
		_, verr, vcode := runCmd(t, "validate", c.path)
		_, ierr, icode := runCmd(t, "ingest", "--dataset", filepath.Join(dir, "ds"), c.path)
		if vcode != exitFailure || icode != vcode || ierr != strings.TrimSuffix(verr, "\n")+"; nothing of it was ingested\n" || !strings.Contains(ierr, c.want) || !strings.Contains(ierr, ": line ") {
			t.Fatalf("validate: exit %d %q\ningest: exit %d %q", vcode, verr, icode, ierr)
		}
	}
}

// A file that is no table is refused by ingest from its first bytes, as
// validate refuses it: ingest read all of it first for its checksums (a
// 1 GB file of zeros, seconds; a gzip file of zeros up to its limit,
// refused then for its size rather than for what it is).
func TestNotATableRefusedFromItsStart(t *testing.T) {
	dir := t.TempDir()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(make([]byte, 4<<20))
	zw.Close()
	in := filepath.Join(dir, "zeros.csv.gz")
	writeProbe(t, in, gz.String())
	_, verr, vcode := runCmd(t, "validate", "--max-decompressed-bytes", "1MiB", in)
	_, ierr, icode := runCmd(t, "ingest", "--dataset", filepath.Join(dir, "ds"), "--max-decompressed-bytes", "1MiB", in)
	if vcode != exitFailure || icode != vcode || !strings.Contains(verr, "not a CSV/Parquet/Arrow file") || ierr != verr {
		t.Fatalf("validate: exit %d %q\ningest: exit %d %q", vcode, verr, icode, ierr)
	}
}

// A subscriptions table opened and saved in Excel has its periods turned
// into dates ("Oct-24", "01/10/2024"); the refusal said "want YYYY-MM"
// only, and now says how the month became a date and how to keep it.
func TestExcelPeriodsNamed(t *testing.T) {
	in := filepath.Join(t.TempDir(), "subs.csv")
	writeProbe(t, in, "area_code,period,households\n12,2024-10,105421\n12,Oct-24,1\n12,01/09/2024,1\n12,2024-8,1\n")
	out, errs, code := runCmd(t, "validate", "--max-reject-share", "1", in)
	if code != 0 || strings.Count(out, "a spreadsheet turns 2024-10 into a date") != 2 || !strings.Contains(out, "(the month with two digits: 2024-08)") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
}
