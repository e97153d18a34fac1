package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Two exports joined each with its header, the second's columns in
// another order: the rows after its header line are read in its order,
// by validate and ingest alike (the values so read:
// TestHeaderBlockInAnotherOrder in engine/ingest), and the line is said
// to be the header in another order. Read in the first header's order,
// the second block's RSRQ and SINR changed places with no row rejected.
func TestHeaderBlockInAnotherOrderRead(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "joined.csv")
	writeProbe(t, in, "ts;carrier;tech;lon;lat;signal_dbm;rsrq_db;sinr_db\r\n"+
		"2024-10-07 08:00:00;viettel;4G;105.85;21.03;-90;-11;4\r\n"+
		"ts;carrier;tech;lon;lat;signal_dbm;sinr_db;rsrq_db\r\n"+
		"2024-10-07 08:00:01;viettel;4G;105.85;21.03;-91;6;-13\r\n")
	const detail = `duplicate,"the header line again, its columns in another order (files joined with their headers?): not a row; the rows after it are read in its order (columns moved: ""rsrq_db"", ""sinr_db"")"`
	vq := filepath.Join(dir, "v.quarantine.csv")
	out, errs, code := runCmd(t, "validate", "--max-reject-share", "1", "--quarantine", vq, in)
	if code != 0 || !strings.Contains(out, "3 rows read, 2 accepted, 1 rejected") {
		t.Fatalf("validate: exit %d\n%s\n%s", code, out, errs)
	}
	ds := filepath.Join(dir, "ds")
	out, errs, code = runCmd(t, "ingest", "--dataset", ds, "--max-reject-share", "1", in)
	q, _ := filepath.Glob(filepath.Join(ds, "quarantine", "*.csv"))
	if code != 0 || len(q) != 1 || !strings.Contains(out, "3 rows read, 2 accepted, 1 rejected") {
		t.Fatalf("ingest: exit %d %v\n%s\n%s", code, q, out, errs)
	}
	for _, p := range []string{vq, q[0]} {
		if b, err := os.ReadFile(p); err != nil || !strings.Contains(string(b), ",3,,") || !strings.Contains(string(b), detail) {
			t.Fatalf("%s: %s %v", p, b, err)
		}
	}
}

// Two exports joined each with its header, the second's columns named
// otherwise: validate and ingest alike reject its header line and its
// rows, naming the line, where its rows were read in the first header's
// order (its upload stored as the download) and the line alone was
// rejected as an invalid time; without --max-reject-share the file is
// refused for its rejected share, nothing stored.
func TestHeaderBlockOfAnotherLayoutRead(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "joined.csv")
	writeProbe(t, in, "ts,carrier,tech,lon,lat,signal_dbm,dl_mbps,ul_mbps\n"+
		"2024-10-07 08:00:00,viettel,4G,105.85,21.03,-90,14.2,3.1\n"+
		"2024-10-07 08:00:01,viettel,4G,105.85,21.03,-91,15.2,3.4\n"+
		"time,operator,rat,longitude,latitude,rsrp,upload,download\n"+
		"2024-10-07 08:00:02,viettel,4G,105.86,21.04,-92,2.2,20.5\n")
	const detail = `malformed_row,"after line 4, a header line of another layout (""time"", ""operator"", ""rat"", ""longitude"", ""latitude"", ""rsrp"", … 2 more)`
	vq := filepath.Join(dir, "v.quarantine.csv")
	out, errs, code := runCmd(t, "validate", "--max-reject-share", "1", "--quarantine", vq, in)
	if code != 0 || !strings.Contains(out, "4 rows read, 2 accepted, 2 rejected") {
		t.Fatalf("validate: exit %d\n%s\n%s", code, out, errs)
	}
	ds := filepath.Join(dir, "ds")
	if out, errs, code = runCmd(t, "ingest", "--dataset", ds, in); code != 3 || !strings.Contains(errs, "rejected") {
		t.Fatalf("ingest at the default reject share: exit %d, want 3\n%s\n%s", code, out, errs)
	}
	out, errs, code = runCmd(t, "ingest", "--dataset", ds, "--max-reject-share", "1", in)
	q, _ := filepath.Glob(filepath.Join(ds, "quarantine", "*.csv"))
	if code != 0 || len(q) != 1 || !strings.Contains(out, "4 rows read, 2 accepted, 2 rejected") {
		t.Fatalf("ingest: exit %d %v\n%s\n%s", code, q, out, errs)
	}
	for _, p := range []string{vq, q[0]} {
		b, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(b), ",4,,\"time,operator,rat,longitude,latitude,rsrp,upload,download\",malformed_row,\"a header line of another layout") ||
			!strings.Contains(string(b), ",5,,\"2024-10-07 08:00:02,viettel,4G,105.86,21.04,-92,2.2,20.5\","+detail) {
			t.Fatalf("%s: %s %v", p, b, err)
		}
	}
}
