package main

import (
	"strings"
	"testing"
)

// TestValidateSaysOneInTheSingular: validate's counts of one read "1 row
// read", "1 time without offset", "1 site row with …", never "1 rows";
// counts of two stay plural.
func TestValidateSaysOneInTheSingular(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string { return writeFile(t, dir, name, []byte(text)) }
	for _, c := range []struct {
		name string
		args []string
		want []string
	}{
		{"one village", []string{write("villages.csv", "village_id,name,commune_code,lon,lat,households\n"+
			"V12-00080,Bản Tông Lùng,12001,103.294210,22.475331,24\n")},
			[]string{"villages.csv [csv, villages]: 1 row read, 1 accepted, 0 rejected (0.00%)"}},
		{"one of each measurement note", []string{write("measurements.csv", "ts,carrier,tech,lon,lat,signal_dbm,dl_mbps,ul_mbps,speed_test,device_id\n"+
			"2026-10-01T08:00:00,viettel,4G,105.85,21.03,-90,30,2,Idle,0912345678\n"+
			"2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-90,30,2,,\n")},
			[]string{"2 rows read, 2 accepted",
				"  1 time without offset read as ",
				"  1 row with idle bitrates (no transfer running)",
				"  1 device_id withheld: it looked like a phone number or IMEI, which the contract forbids (its row kept without it; send pseudonyms)"}},
		{"one of each site note", []string{write("sites.csv", "site_id,carrier,tech,lon,lat,band_mhz,height_m,azimuth_deg,beamwidth_deg,tilt_deg,eirp_dbm,status,backhaul\n"+
			"LC-VI001,Viettel,4G,103.31944,22.4641,35000,35,0,65,4,80,active,microwave\n"+
			"LC-VI001,Viettel,4G,104.31944,22.4641,1800,5,120,65,4,58,active,microwave\n")},
			[]string{"2 rows read, 2 accepted",
				"  1 site row with height_m outside",
				"  1 site row with band_mhz outside",
				"  1 site row with eirp_dbm above",
				"  warning: 1 site id of one carrier at positions more than"}},
		{"one more rejected row", []string{"--show", "1", "--max-reject-share", "1", write("rejects.csv", "village_id,name,commune_code,lon,lat,households\n"+
			"V1,A,12001,x,22.4,24\nV2,B,12001,y,22.4,24\nV3,C,12001,103.2,22.4,24\n")},
			[]string{"3 rows read, 1 accepted, 2 rejected", "  … 1 more rejected row (--quarantine FILE writes them all)"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, errs, code := runCmd(t, append([]string{"validate"}, c.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d\n%s%s", code, out, errs)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("no %q in\n%s", w, out)
				}
			}
			for _, line := range strings.Split(out, "\n") {
				if strings.Contains(" "+line, " 1 rows") || strings.Contains(line, " 1 times") || strings.Contains(line, " 1 site ids") || strings.Contains(line, "1 device_ids") {
					t.Errorf("a count of one in the plural: %q", line)
				}
			}
		})
	}
}
