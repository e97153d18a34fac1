package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A crowd-sourced speed-test export (client_latitude, client_longitude,
// result_date, as Ookla-like exports name them): --suggest-mapping
// exited 3 with ts, lon and lat unmapped; its suggestion now ingests.
func TestSuggestCrowdExportIngests(t *testing.T) {
	dir := t.TempDir()
	dump := filepath.Join(dir, "speedtests.csv")
	writeProbe(t, dump, "test_id,result_date,client_latitude,client_longitude,network_operator_name,connection_type,download_kbps,upload_kbps,latency\n"+
		"a1,2026-10-03T01:00:01Z,21.0285,105.8542,Viettel,LTE,45000,12000,23\n"+
		"a2,2026-10-03T01:10:01Z,21.0385,105.8642,VINAPHONE,5G,245000,42000,13\n"+
		"a3,2026-10-03T01:20:01Z,10.7769,106.7009,MOBIFONE,LTE,30500,9000,33\n")
	out, errs, code := runCmd(t, "validate", "--suggest-mapping", dump)
	if code != 0 || !strings.Contains(out, `"client_latitude": "lat"`) || !strings.Contains(out, `"result_date": "ts"`) {
		t.Fatalf("suggest: exit %d\n%s\n%s", code, out, errs)
	}
	mapping := filepath.Join(dir, "mapping.json")
	if err := os.WriteFile(mapping, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code = runCmd(t, "ingest", "--dataset", filepath.Join(dir, "ds"), "--mapping", mapping, dump)
	if code != 0 || !strings.Contains(out, "3 rows read, 3 accepted, 0 rejected") {
		t.Fatalf("ingest: exit %d\n%s\n%s", code, out, errs)
	}
}
