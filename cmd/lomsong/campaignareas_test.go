package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// campaign.csv and campaign.geojson give each village's province and
// commune, each code followed by its name, as villages.csv does: from a
// villages.csv of lomsong deadzones, its province, province_name,
// commune (the commune attributed) and commune_name; from a table without
// the names, the province's from the boundary set and the village's own
// commune_code, unnamed. campaign.csv named neither, its commune the
// village's own code.
func TestCampaignNamesProvinceAndCommune(t *testing.T) {
	named := writeVerdicts(t, `village_id,name,commune_code,province,province_name,lon,lat,households,p_dead,commune,commune_name,attribution
V3,Bản Hon,12002,12,Lai Châu,103.5000,22.4200,120,0.5,03388,Đoàn Kết,point
V4,Bản Pa,12002,12,Lai Châu,103.3000,22.4500,80,0.3,,,province_only
`)
	bare := writeVerdicts(t, "village_id,name,commune_code,province,lon,lat,households,p_dead\nV3,Bản Hon,12002,12,103.5000,22.4200,120,0.5\nV4,Bản Pa,12003,,103.3000,22.4500,80,0.3\n")
	for _, c := range []struct {
		in   string
		want map[string][4]string // village → province, province_name, commune, commune_name
	}{
		{named, map[string][4]string{"V3": {"12", "Lai Châu", "03388", "Đoàn Kết"}, "V4": {"12", "Lai Châu", "", ""}}},
		{bare, map[string][4]string{"V3": {"12", "Lai Châu", "12002", ""}, "V4": {"", "", "12003", ""}}},
	} {
		out := filepath.Join(t.TempDir(), "c")
		if _, errs, code := runBinary(t, "campaign", "--verdicts", c.in, "--days", "2", "--out", out); code != exitOK {
			t.Fatalf("campaign: exit %d\n%s", code, errs)
		}
		rows := csvRows(t, filepath.Join(out, "campaign.csv"))
		if got := strings.Join(rows[0][:7], ","); got != "rank,village_id,name,province,province_name,commune,commune_name" {
			t.Fatalf("campaign.csv header %v", rows[0])
		}
		geo := map[string]map[string]any{}
		for _, props := range featureProps(t, filepath.Join(out, "campaign.geojson")) {
			if id, ok := props["village_id"].(string); ok {
				geo[id] = props
			}
		}
		if len(rows)-1 != len(c.want) || len(geo) != len(c.want) {
			t.Fatalf("%s: %d rows, %d points, want %d", c.in, len(rows)-1, len(geo), len(c.want))
		}
		for _, r := range rows[1:] {
			w := c.want[r[1]]
			if got := [4]string{r[3], r[4], r[5], r[6]}; got != w {
				t.Errorf("%s: campaign.csv %s: %q, want %q", c.in, r[1], got, w)
			}
			p := geo[r[1]]
			if got := [4]string{fmt.Sprint(p["province"]), fmt.Sprint(p["province_name"]), fmt.Sprint(p["commune"]), fmt.Sprint(p["commune_name"])}; got != w {
				t.Errorf("%s: campaign.geojson %s: %q, want %q", c.in, r[1], got, w)
			}
		}
	}
}
