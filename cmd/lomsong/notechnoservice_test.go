package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// A phone that found no network has no technology to report: crowd apps
// write tech empty, "unknown" or "none" on its no-service rows. validate
// and ingest keep them, stored as 4G (2G for a feature phone), and say so;
// they were rejected (missing_value, invalid_enum) and refused the file.
// A drive test's or a scanner's no-service row without tech stays
// rejected, saying why; a row with service and no tech too.
func TestNoServiceRowWithoutTechKept(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := writeFile(t, dir, "m.csv", []byte(`ts,carrier,tech,lon,lat,signal_dbm,service,device_class,source
2026-10-01T08:00:00+07:00,viettel,4G,103.45,22.40,-95,ok,smartphone,crowd
2026-10-01T08:05:00+07:00,viettel,,103.46,22.41,,none,smartphone,crowd
2026-10-01T08:06:00+07:00,viettel,unknown,103.46,22.41,,none,smartphone,crowd
2026-10-01T08:07:00+07:00,mobifone,,103.47,22.42,,no service,smartphone,crowd
2026-10-01T08:08:00+07:00,vinaphone,N/A,103.45,22.40,,emergency,feature_phone,crowd
`))
	stdout, errs, code := runBinary(t, "validate", "--kind", "measurements", in)
	const said = "4 no-service rows without a technology: stored as 4G (2G for feature phones)"
	if code != exitOK || !strings.Contains(stdout, "5 rows read, 5 accepted, 0 rejected") || !strings.Contains(stdout, said) {
		t.Fatalf("validate: exit %d, want %d\nstdout: %s\nstderr: %s", code, exitOK, stdout, errs)
	}
	stdout, errs, code = runBinary(t, "validate", "--kind", "measurements", "--json", in)
	var rep []struct {
		Counts struct {
			NoTech int64 `json:"no_service_rows_without_tech"`
		} `json:"counts"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); code != exitOK || err != nil || len(rep) != 1 || rep[0].Counts.NoTech != 4 {
		t.Fatalf("validate --json: exit %d, %v, %+v\nstdout: %s\nstderr: %s", code, err, rep, stdout, errs)
	}

	ds := filepath.Join(dir, "ds")
	stdout, errs, code = runBinary(t, "ingest", "--dataset", ds, "--kind", "measurements", in)
	if code != exitOK || !strings.Contains(stdout, "5 accepted, 0 rejected") || !strings.Contains(stdout, said) {
		t.Fatalf("ingest: exit %d\nstdout: %s\nstderr: %s", code, stdout, errs)
	}
	out := filepath.Join(dir, "agg")
	if _, errs, code := runBinary(t, "aggregate", "--dataset", ds, "--out", out); code != exitOK {
		t.Fatalf("aggregate: exit %d\n%s", code, errs)
	}
	rows := csvRows(t, filepath.Join(out, "aggregates.csv"))
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	// carrier/tech → no-service rows stored under it.
	got := map[string]string{}
	for _, r := range rows[1:] {
		got[r[col["carrier"]]+"/"+r[col["tech"]]] = r[col["no_service_rows"]]
	}
	want := map[string]string{"viettel/4G": "2", "mobifone/4G": "1", "vinaphone/2G": "1"}
	if len(got) != len(want) {
		t.Errorf("aggregate keys %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %q no-service rows stored, want %s (all: %v)", k, got[k], n, got)
		}
	}

	// A drive test or a scanner names the technology of its no-service
	// row; a row with service names its technology.
	bad := writeFile(t, dir, "bad.csv", []byte(`ts,carrier,tech,lon,lat,signal_dbm,service,device_class,source
2026-10-01T08:09:00+07:00,viettel,,103.48,22.43,,none,smartphone,drive
2026-10-01T08:10:00+07:00,viettel,none,103.48,22.43,,none,scanner,
2026-10-01T08:11:00+07:00,viettel,,103.48,22.43,-100,ok,smartphone,crowd
`))
	stdout, errs, code = runBinary(t, "validate", "--kind", "measurements", bad)
	if code != exitDataRefused || !strings.Contains(stdout, "3 rows read, 0 accepted, 3 rejected") ||
		!strings.Contains(stdout, `line 2, column "tech", value "": missing_value (tech is required on a no-service row of a drive test: a drive test or a scanner measures each technology on its own, so its no-service row bounds only the technology it names`) ||
		!strings.Contains(stdout, `line 3, column "tech", value "none": missing_value (tech is required on a no-service row of a scanner`) ||
		!strings.Contains(stdout, `line 4, column "tech", value "": missing_value (tech is required)`) ||
		strings.Contains(stdout, "without a technology") {
		t.Fatalf("validate: exit %d, want %d\nstdout: %s\nstderr: %s", code, exitDataRefused, stdout, errs)
	}
}
