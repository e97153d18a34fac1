package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A village register's households grouped by a point, as a Vietnamese
// spreadsheet writes 1,200 ("1.200"), is refused naming both readings, by
// validate and ingest alike, as subscription counts are; it was stored as
// 1.2 households. An estimate with another number of decimals, and a
// whole count, are kept as written.
func TestVillageHouseholdsGroupedByPoint(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "villages.csv")
	writeProbe(t, in, "village_id,name,commune_code,lon,lat,households\n"+
		"V1,Bản Nà,12001,103.30,22.40,120\n"+
		"V2,Bản Mé,12001,103.31,22.41,1.200\n"+
		"V3,Bản Hồ,12001,103.32,22.42,57.14\n"+
		"V4,Bản Lùng,12001,103.33,22.43,12.500\n")
	const detail1 = `3,households,1.200,invalid_number,"reads as 1200 households grouped with a point, or as 1.2: write 1200 without grouping`
	const detail2 = `5,households,12.500,invalid_number,"reads as 12500 households grouped with a point, or as 12.5: write 12500 without grouping`
	vq := filepath.Join(dir, "v.quarantine.csv")
	out, errs, code := runCmd(t, "validate", "--max-reject-share", "1", "--quarantine", vq, in)
	if code != 0 || !strings.Contains(out, "4 rows read, 2 accepted, 2 rejected") {
		t.Fatalf("validate: exit %d\n%s\n%s", code, out, errs)
	}
	ds := filepath.Join(dir, "ds")
	out, errs, code = runCmd(t, "ingest", "--dataset", ds, "--max-reject-share", "1", in)
	if code != 0 || !strings.Contains(out, "4 rows read, 2 accepted, 2 rejected") {
		t.Fatalf("ingest: exit %d\n%s\n%s", code, out, errs)
	}
	q, _ := filepath.Glob(filepath.Join(ds, "quarantine", "*.csv"))
	if len(q) != 1 {
		t.Fatalf("ingest quarantine %v", q)
	}
	for _, p := range []string{vq, q[0]} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), detail1) || !strings.Contains(string(b), detail2) || strings.Count(string(b), "\n") != 3 {
			t.Errorf("%s:\n%s", p, b)
		}
	}
}
