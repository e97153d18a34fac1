package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCampaignStartOutsideProvince: a --start naming a town or village
// outside the villages planned (the next province's town, with
// --province) is a base as its position is, as LON,LAT there would be:
// it was refused as "no village id, name or town … among the villages",
// after the verdict's run, though the town is in the dataset and its
// coordinates were taken. One too far from every village planned is
// refused, naming the distance.
func TestCampaignStartOutsideProvince(t *testing.T) {
	dir := t.TempDir()
	verdicts := filepath.Join(dir, "villages.csv")
	body := "village_id,name,commune_code,province,lon,lat,households,p_dead\n" +
		"V1,Bản A,12001,12,103.30,22.45,40,0.6\n" +
		"V2,Bản B,12001,12,103.35,22.40,50,0.5\n" +
		"V3,\"Tổ dân phố 1, Thành phố Điện Biên\",11001,11,103.00,21.40,100,0.01\n" +
		"V4,\"Tổ dân phố 2, Thành phố Điện Biên\",11001,11,103.04,21.38,300,\n" +
		"V5,\"Tổ dân phố 1, Thành phố Hồ Chí Minh\",79001,79,106.70,10.78,500,0.01\n"
	if err := os.WriteFile(verdicts, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, start := range []string{"Thành phố Điện Biên", "thanh pho dien bien"} {
		stdout, errs, code := runCmd(t, "campaign", "--verdicts", verdicts, "--province", "lai chau", "--days", "1",
			"--day-hours", "12", "--start", start, "--out", filepath.Join(dir, "camp-"+start))
		// The household-weighted centre of the town's two rows, the one
		// without a verdict too: (100·103.00 + 300·103.04)/400.
		if code != exitOK || !strings.Contains(stdout, "from 103.03000, 21.38500") || !strings.Contains(stdout, "2 villages tested") {
			t.Errorf("--start %q: exit %d, want the plan from 103.03000, 21.38500\n%s\n%s", start, code, stdout, errs)
		}
	}
	// A village of another province, by its id.
	stdout, errs, code := runCmd(t, "campaign", "--verdicts", verdicts, "--province", "lai chau", "--days", "1",
		"--start", "v3", "--out", filepath.Join(dir, "camp-v3"))
	if code != exitOK || !strings.Contains(stdout, "from 103.00000, 21.40000") {
		t.Errorf("--start v3: exit %d\n%s\n%s", code, stdout, errs)
	}
	_, errs, code = runCmd(t, "campaign", "--verdicts", verdicts, "--province", "lai chau", "--days", "1",
		"--start", "Thành phố Hồ Chí Minh", "--out", filepath.Join(dir, "camp-hcm"))
	if code != exitUsage || !strings.Contains(errs, `"Thành phố Hồ Chí Minh" is none of the 2 villages planned, and lies 1342 km from the nearest of them`) {
		t.Errorf("a start 1342 km away: exit %d (want %d)\n%s", code, exitUsage, errs)
	}

	// From a dataset: a village of its table outside the province.
	ds := filepath.Join(dir, "ds")
	villages := filepath.Join(dir, "villages-in.csv")
	if err := os.WriteFile(villages, []byte("village_id,name,commune_code,lon,lat,households\n"+
		"V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV3,Bản C,,103.10,22.05,60\nV4,Bản D,,103.40,22.40,30\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"),
		filepath.Join(examples, "measurements_viettel.csv"), villages); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s", code, errs)
	}
	stdout, errs, code = runCmd(t, "campaign", "--dataset", ds, "--province", "lai chau", "--days", "1", "--start", "Bản C", "--out", filepath.Join(dir, "camp-ds"))
	if code != exitOK || !strings.Contains(stdout, "3 villages with a verdict") || !strings.Contains(stdout, "from 103.10000, 22.05000") {
		t.Errorf("--start Bản C, outside Lai Châu: exit %d\n%s\n%s", code, stdout, errs)
	}
}
