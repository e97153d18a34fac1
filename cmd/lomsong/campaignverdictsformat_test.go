package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --verdicts reads a villages.csv as every input is read: with the
// byte-order mark of Excel's "CSV UTF-8", semicolons or tabs between
// fields (Excel's own delimiter under a Vietnamese locale), gzip-compressed.
// A plain comma reader refused each as missing a column that is there.
func TestCampaignVerdictsAsEveryInput(t *testing.T) {
	// The delimiter between fields, the commas inside the quoted names
	// kept.
	delimited := func(sep string) string {
		b := strings.ReplaceAll(verdictsCSV, ",", sep)
		for _, n := range []string{"1", "2"} {
			b = strings.ReplaceAll(b, `"Tổ dân phố `+n+sep+` Lai Châu"`, `"Tổ dân phố `+n+`, Lai Châu"`)
		}
		return b
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(verdictsCSV))
	zw.Close()
	dir := t.TempDir()
	for _, c := range []struct{ name, body string }{
		{"bom.csv", "\ufeff" + verdictsCSV},
		{"semicolons.csv", delimited(";")},
		{"tabs.tsv", delimited("\t")},
		{"villages.csv.gz", gz.String()},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := filepath.Join(dir, c.name)
			if err := os.WriteFile(in, []byte(c.body), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out-"+c.name)
			stdout, errs, code := runCmd(t, "campaign", "--verdicts", in, "--days", "1", "--start", "lai châu", "--out", out)
			if code != exitOK || !strings.Contains(stdout, "5 villages with a verdict") {
				t.Fatalf("exit %d\n%s\n%s", code, stdout, errs)
			}
			if b, err := os.ReadFile(filepath.Join(out, "campaign.csv")); err != nil || !strings.Contains(string(b), ",V3,") {
				t.Errorf("campaign.csv (%v):\n%s", err, b)
			}
		})
	}
	// A quote left open names its line.
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("village_id,lon,lat,households,p_dead\nV1,103.4,22.4,10,0.5\n\"V2,103.5,22.4,10,0.5\n"), 0o644)
	if _, errs, code := runCmd(t, "campaign", "--verdicts", bad, "--days", "1", "--out", filepath.Join(dir, "b")); code != exitDataRefused || !strings.Contains(errs, "bad.csv: line 3:") {
		t.Errorf("an open quote: exit %d\n%s", code, errs)
	}
}

// With --province and no row of it, rows that name their province where
// the code belongs are the likely cause: the refusal says so (it said
// only that there was no village of the province).
func TestCampaignVerdictsProvinceNamedOnly(t *testing.T) {
	in := writeVerdicts(t, "village_id,name,province,lon,lat,households,p_dead\n"+
		"V1,Bản Một,Lai Châu,103.30,22.40,120,0.5\nV2,Bản Hai,Lai Châu,103.31,22.40,80,0.6\n")
	_, errs, code := runCmd(t, "campaign", "--verdicts", in, "--province", "lai chau", "--days", "1", "--out", filepath.Join(t.TempDir(), "c"))
	if code != exitDataRefused || !strings.Contains(errs, "no village of Lai Châu (12)") ||
		!strings.Contains(errs, `2 rows whose province is written otherwise than as a code (give the code, e.g. 12) left out: line 2 (V1: "Lai Châu")`) {
		t.Errorf("exit %d\n%s", code, errs)
	}
}
