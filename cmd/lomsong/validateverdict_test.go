package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
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

// A file refused for what it holds before any row is read — empty, or a
// header without a required column — makes the exit code 3 as a file of
// no data rows does, and is named so: verdict refused (with why), REFUSED
// in the text, ingest's too; it was "not_read" / NOT READ beside exit 3,
// which the help gives to files that could not be read (exit 1).
func TestRefusedBeforeRowsIsRefused(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.csv")
	os.WriteFile(empty, nil, 0o644)
	nosignal := filepath.Join(dir, "no_lat.csv")
	os.WriteFile(nosignal, []byte("ts,carrier,tech,lon,signal_dbm\n2026-10-01T01:00:00Z,Viettel,4G,103.5,-96.5\n"), 0o644)
	out, errs, code := runCmd(t, "validate", "--json", empty, nosignal)
	if code != exitDataRefused {
		t.Fatalf("exit %d, want %d\n%s", code, exitDataRefused, errs)
	}
	var recs []map[string]any
	if err := json.Unmarshal([]byte(out), &recs); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2: %s", len(recs), out)
	}
	for _, r := range recs {
		if why, _ := r["refused_why"].(string); r["verdict"] != "refused" || why == "" {
			t.Errorf("%v: verdict %v, refused_why %q; want refused with why", r["path"], r["verdict"], why)
		}
	}
	for _, cmd := range [][]string{{"validate"}, {"ingest", "--dataset", filepath.Join(dir, "ds")}} {
		out, errs, code := runCmd(t, append(cmd, empty, nosignal)...)
		if code != exitDataRefused || strings.Count(out, ": REFUSED: ") != 2 || strings.Contains(out, "NOT ") {
			t.Errorf("%s: exit %d, want %d and each file named REFUSED:\n%s%s", cmd[0], code, exitDataRefused, out, errs)
		}
	}
}
