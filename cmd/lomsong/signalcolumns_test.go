package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A drive-test export across 2G, 3G and 4G writes RSRP, RSCP and RxLev in
// columns of their own. --suggest-mapping read RSRP alone, and every 3G
// and 2G row was rejected as "service ok but no signal" (the file refused);
// the suggested mapping now reads each technology's column
// (signal_columns), and validate and ingest take every row.
func TestDriveTestSignalPerTechnology(t *testing.T) {
	dir := t.TempDir()
	dump := filepath.Join(dir, "drive_test.csv")
	writeProbe(t, dump, "Time,Latitude,Longitude,Operator,Network Type,RSRP,RSCP,RxLev\n"+
		"2026-10-03 08:00:01,21.0285,105.8542,Viettel,LTE,-95,,\n"+
		"2026-10-03 08:00:02,21.0286,105.8543,Viettel,WCDMA,-97,-88,\n"+
		"2026-10-03 08:00:03,21.0287,105.8544,Viettel,GSM,,,-70\n"+
		"2026-10-03 08:00:04,21.0288,105.8545,Viettel,WCDMA,,-91,\n"+
		"2026-10-03 08:00:05,21.0289,105.8546,Viettel,LTE,-101,,\n")
	out, errs, code := runCmd(t, "validate", "--suggest-mapping", dump)
	if code != 0 || !strings.Contains(out, `"signal_columns"`) || !strings.Contains(out, `"3G": "RSCP"`) || !strings.Contains(errs, `3G RSCP from "RSCP"`) {
		t.Fatalf("suggest: exit %d\n%s\n%s", code, out, errs)
	}
	mapping := filepath.Join(dir, "mapping.json")
	if err := os.WriteFile(mapping, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code = runCmd(t, "validate", "--mapping", mapping, dump)
	if code != 0 || !strings.Contains(out, "5 rows read, 5 accepted, 0 rejected") || strings.Contains(out, "ignored columns") {
		t.Fatalf("validate: exit %d\n%s\n%s", code, out, errs)
	}
	out, errs, code = runCmd(t, "ingest", "--dataset", filepath.Join(dir, "ds"), "--mapping", mapping, dump)
	if code != 0 || !strings.Contains(out, "5 rows read, 5 accepted, 0 rejected") {
		t.Fatalf("ingest: exit %d\n%s\n%s", code, out, errs)
	}
	// A rejected level names the technology's own column.
	writeProbe(t, dump, "Time,Latitude,Longitude,Operator,Network Type,RSRP,RSCP,RxLev\n"+
		"2026-10-03 08:00:01,21.0285,105.8542,Viettel,WCDMA,-95,-10,\n")
	q := filepath.Join(dir, "q.csv")
	_, _, code = runCmd(t, "validate", "--mapping", mapping, "--quarantine", q, dump)
	b, err := os.ReadFile(q)
	if err != nil || code != exitDataRefused || !strings.Contains(string(b), "drive_test.csv,2,RSCP → signal_dbm,-10,out_of_range") {
		t.Fatalf("exit %d, quarantine %s %v", code, b, err)
	}
}
