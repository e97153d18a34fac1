package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A drive-test export that names the operator by its MCC and MNC in two
// columns (452, 04) could not be read: --suggest-mapping found no carrier
// (exit 3) and no mapping could give one. The suggestion now reads them
// (carrier_plmn), and ingest files each row under its operator.
func TestDriveTestCarrierFromMCCAndMNC(t *testing.T) {
	dir := t.TempDir()
	dump := filepath.Join(dir, "drive_test.csv")
	writeProbe(t, dump, `"Time","Latitude","Longitude","Network Type","MCC","MNC","RSRP"`+"\n"+
		`"2026-10-03 08:00:01","21.0285","105.8542","LTE","452","04","-95"`+"\n"+
		`"2026-10-03 08:00:02","21.0286","105.8543","LTE","452","02","-96"`+"\n"+
		`"2026-10-03 08:00:03","21.0287","105.8544","LTE","452","1","-97"`+"\n"+
		`"2026-10-03 08:00:04","21.0288","105.8545","LTE","452","05","-98"`+"\n")
	out, errs, code := runCmd(t, "validate", "--suggest-mapping", dump)
	if code != 0 || !strings.Contains(out, `"carrier_plmn"`) || !strings.Contains(errs, `from the network's MCC and MNC, "MCC" and "MNC"`) {
		t.Fatalf("suggest: exit %d\n%s\n%s", code, out, errs)
	}
	mapping := filepath.Join(dir, "mapping.json")
	if err := os.WriteFile(mapping, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	ds := filepath.Join(dir, "ds")
	out, errs, code = runCmd(t, "ingest", "--dataset", ds, "--mapping", mapping, dump)
	if code != 0 || !strings.Contains(out, "4 rows read, 4 accepted, 0 rejected") || strings.Contains(out, "not among the operators") {
		t.Fatalf("ingest: exit %d\n%s\n%s", code, out, errs)
	}
	for _, c := range []string{"viettel", "vinaphone", "mobifone", "vietnamobile"} {
		if _, err := os.Stat(filepath.Join(ds, "measurements", "period=2026-10", "carrier="+c)); err != nil {
			t.Errorf("no partition of %s: %v", c, err)
		}
	}
}
