package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A test's month is the calendar month of its instant in Vietnam time,
// whatever offset it was written with (docs/data-contract.md, "Which
// month a test counts in"): at the end of May, times in +07:00, Z, -05:00,
// without an offset and in Unix milliseconds land in May or June by
// their instant in Vietnam, not by the date written.
func TestMonthOfATestIsVietnamTime(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "dump.csv")
	writeProbe(t, in, "ts,carrier,tech,lon,lat,signal_dbm\n"+
		"2026-05-31T23:30:00+07:00,viettel,4G,105.85,21.02,-90\n"+ // May
		"2026-05-31T16:29:59Z,viettel,4G,105.85,21.02,-91\n"+ // 23:29:59 in Vietnam: May
		"2026-05-31 23:59:59,viettel,4G,105.85,21.02,-92\n"+ // no offset, Vietnam time: May
		"2026-05-31T17:30:00Z,viettel,4G,105.85,21.02,-93\n"+ // 00:30 on 1 June in Vietnam
		"2026-05-31 18:00:00-05:00,viettel,4G,105.85,21.02,-94\n"+ // 06:00 on 1 June in Vietnam
		"2026-06-01T00:00:00+07:00,viettel,4G,105.85,21.02,-95\n"+ // June
		"1780248600000,viettel,4G,105.85,21.02,-96\n") // 2026-05-31T17:30:00Z: June
	ds := filepath.Join(dir, "ds")
	out, errs, code := runCmd(t, "ingest", "--dataset", ds, in)
	if code != 0 || !strings.Contains(out, "7 rows read, 7 accepted") {
		t.Fatalf("ingest: exit %d\n%s\n%s", code, out, errs)
	}
	out, errs, code = runCmd(t, "dataset", "ls", ds)
	rows := map[string]string{}
	for _, m := range regexp.MustCompile(`measurements\s+(\d{4}-\d\d)\s+viettel\s+\d+\s+(\d+)`).FindAllStringSubmatch(out, -1) {
		rows[m[1]] = m[2]
	}
	if code != 0 || rows["2026-05"] != "3" || rows["2026-06"] != "4" || len(rows) != 2 {
		t.Fatalf("rows per month %v: exit %d\n%s\n%s", rows, code, out, errs)
	}
}
