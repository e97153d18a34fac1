package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A crowd export 40% of whose tests ran over Wi-Fi: they were rejected as
// invalid_enum and the file was refused (above --max-reject-share). They
// are set aside as not_cellular, said as such, kept out of the share
// the refusal is held to, by validate and ingest alike; the suggested
// mapping reads the technology column beside them; a file of Wi-Fi
// tests alone has no data rows.
func TestCrowdWiFiTestsSetAside(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("test_id,result_date,client_latitude,client_longitude,network_operator_name,connection_type,download_kbps,upload_kbps,latency\n")
	for i := range 100 {
		op, conn, dl := "Viettel", "LTE", 40000+i
		switch {
		case i%5 < 2:
			op, conn = "FPT Telecom", []string{"wifi", "WiFi", "Wi-Fi"}[i%3] // 40 Wi-Fi tests
		case i == 7:
			dl = -5 // one bad cellular row of 60: 1.67%
		}
		fmt.Fprintf(&b, "t%d,2024-10-03T01:%02d:01Z,21.0%02d,105.8542,%s,%s,%d,12000,23\n", i, i%60, i, op, conn, dl)
	}
	dump := filepath.Join(dir, "speedtests.csv")
	writeProbe(t, dump, b.String())
	out, errs, code := runCmd(t, "validate", "--suggest-mapping", dump)
	if code != 0 || !strings.Contains(out, `"connection_type": "tech"`) || !strings.Contains(errs, "Wi-Fi tests, set aside as not_cellular") {
		t.Fatalf("suggest: exit %d\n%s\n%s", code, out, errs)
	}
	mapping := filepath.Join(dir, "mapping.json")
	if err := os.WriteFile(mapping, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	const counts = "100 rows read, 59 accepted, 41 rejected (1.67% of the other rows; 40 Wi-Fi tests set aside)"
	const said = "40 Wi-Fi tests set aside: not mobile-network evidence"
	out, errs, code = runCmd(t, "validate", "--mapping", mapping, dump)
	if code != 0 || !strings.Contains(out, counts) || !strings.Contains(out, said) || !strings.Contains(out, "not_cellular     40") {
		t.Fatalf("validate: exit %d\n%s\n%s", code, out, errs)
	}
	ds := filepath.Join(dir, "ds")
	out, errs, code = runCmd(t, "ingest", "--dataset", ds, "--mapping", mapping, dump)
	if code != 0 || !strings.Contains(out, counts) || !strings.Contains(out, said) {
		t.Fatalf("ingest: exit %d\n%s\n%s", code, out, errs)
	}
	q, _ := filepath.Glob(filepath.Join(ds, "quarantine", "*.csv"))
	if len(q) != 1 {
		t.Fatalf("quarantine %v", q)
	}
	if qb, err := os.ReadFile(q[0]); err != nil || strings.Count(string(qb), ",not_cellular,") != 40 {
		t.Fatalf("%v\n%s", err, qb)
	}

	// Wi-Fi tests alone: no data rows.
	wifi := filepath.Join(dir, "wifi.csv")
	writeProbe(t, wifi, "ts,carrier,tech,lon,lat,dl_mbps\n2024-10-03T01:00:00Z,,wifi,105.85,21.02,40\n2024-10-03T01:00:01Z,,wifi,105.85,21.02,41\n")
	out, errs, code = runCmd(t, "validate", wifi)
	if code != 3 || !strings.Contains(errs, "no data rows (only a header and 2 Wi-Fi tests set aside)") {
		t.Fatalf("validate: exit %d\n%s\n%s", code, out, errs)
	}
	out, errs, code = runCmd(t, "ingest", "--dataset", ds, wifi)
	if code != 3 || !strings.Contains(out+errs, "no data rows (only a header and 2 Wi-Fi tests set aside)") {
		t.Fatalf("ingest: exit %d\n%s\n%s", code, out, errs)
	}
}
