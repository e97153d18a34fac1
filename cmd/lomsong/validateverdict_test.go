package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// validate --json gives each file its verdict: accepted, refused (with
// why: no data rows, or a rejected share above --max-reject-share) or
// not_read, so that a script knows which file made the exit code 3
// without redoing the rule.
func TestValidateJSONVerdicts(t *testing.T) {
	dir := t.TempDir()
	header := filepath.Join(dir, "header_only.csv")
	os.WriteFile(header, []byte("ts,carrier,tech,lon,lat,signal_dbm,service\n"), 0o644)
	bad := filepath.Join(dir, "mostly_bad.csv")
	os.WriteFile(bad, []byte("ts,carrier,tech,lon,lat,signal_dbm,service\n"+
		"2026-10-01T01:00:00Z,Viettel,4G,103.5,22.5,-96.5,ok\n"+
		"2026-10-01T01:00:00Z,Viettel,4G,103.5,99,-96.5,ok\n"+
		"2026-10-01T01:00:00Z,Viettel,4G,103.5,98,-96.5,ok\n"), 0o644)
	good := filepath.Join(examples, "measurements_viettel.csv")
	missing := filepath.Join(dir, "missing.csv")
	out, errs, code := runCmd(t, "validate", "--json", good, header, bad, missing)
	if code != exitFailure { // a file not read is a failure, over the refusals
		t.Fatalf("exit %d, want %d\n%s", code, exitFailure, errs)
	}
	var recs []map[string]any
	if err := json.Unmarshal([]byte(out), &recs); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := map[string]string{good: "accepted", header: "refused", bad: "refused", missing: "not_read"}
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d", len(recs), len(want))
	}
	for _, r := range recs {
		p, _ := r["path"].(string)
		if got := r["verdict"]; got != want[p] {
			t.Errorf("%s: verdict %v, want %s", p, got, want[p])
		}
		if why, _ := r["refused_why"].(string); (want[p] == "refused") != (why != "") {
			t.Errorf("%s: refused_why %q with verdict %v", p, why, r["verdict"])
		}
	}
}
