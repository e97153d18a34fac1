package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// A tool's placeholder for "not known" in an optional enum column
// (device_class "unknown", source "N/A", environment "Unknown", "-") is
// no value, as an empty cell is: the row, its signal and its speed test
// are kept. Every such row was rejected as invalid_enum (the file refused
// at 4 rows in 6), and a mapping cannot map a spelling to no value.
func TestPlaceholderInOptionalEnumIsNoValue(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, dir, "m.csv", []byte(`ts,carrier,tech,lon,lat,signal_dbm,dl_mbps,device_id,device_class,source,environment
2026-10-01T08:00:00+07:00,viettel,4G,103.31,22.40,-80,20,d1,unknown,N/A,Unknown
2026-10-01T08:01:00+07:00,viettel,4G,103.31,22.40,-81,21,d2,N/A,-,unknown
2026-10-01T08:02:00+07:00,viettel,4G,103.31,22.40,-82,22,d3,Không xác định,crowd,outdoor
2026-10-01T08:03:00+07:00,viettel,4G,103.31,22.40,-83,23,d4,scanner,drive,vehicle
2026-10-01T08:04:00+07:00,viettel,4G,103.31,22.40,-84,24,d5,,,
`))
	stdout, errs, code := runCmd(t, "validate", in)
	if code != exitOK || !strings.Contains(stdout+errs, "5 rows read, 5 accepted, 0 rejected") {
		t.Fatalf("validate: %d\n%s\n%s", code, stdout, errs)
	}
	// A spelling that is neither a value nor a placeholder is still refused.
	bad := writeFile(t, dir, "bad.csv", []byte("ts,carrier,tech,lon,lat,signal_dbm,device_class\n2026-10-01T08:00:00+07:00,viettel,4G,103.31,22.40,-80,phone\n"))
	if stdout, errs, code := runCmd(t, "validate", bad); code == exitOK || !strings.Contains(stdout+errs, "invalid_enum") {
		t.Fatalf("device_class phone: %d\n%s\n%s", code, stdout, errs)
	}
	ds := filepath.Join(dir, "ds")
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, in); code != exitOK {
		t.Fatalf("ingest: %d %s", code, errs)
	}
}
