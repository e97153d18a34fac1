package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// campaign --dataset takes --communes as deadzones does: campaign.csv and
// campaign.geojson name the commune each village is attributed to (the
// commune of the file its point lies in), and leave the commune empty
// for a village in none of them; without --communes a village keeps its
// own commune_code, unnamed. A file that gives none of the villages a
// commune, or is not a commune set, is refused naming the file, and no
// campaign is written. campaign took no --communes: from --dataset,
// commune_name was always empty.
func TestCampaignCommunesNamed(t *testing.T) {
	dir := t.TempDir()
	ds := exportDataset(t, dir)
	// Xã Một holds Bản A (V1, 103.30, 22.45), not Bản B (V2, 103.52,
	// 22.52); Xã Hai holds Bản D (V4, 102.55, 22.55), which no test day
	// is worth.
	communes := filepath.Join(dir, "communes.geojson")
	if err := os.WriteFile(communes, []byte(`{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"C1","name":"Xã Một","provinceCode":"12"},"geometry":{"type":"Polygon","coordinates":[[[103.2,22.3],[103.4,22.3],[103.4,22.6],[103.2,22.6],[103.2,22.3]]]}},
{"type":"Feature","properties":{"code":"C2","name":"Xã Hai","provinceCode":"12"},"geometry":{"type":"Polygon","coordinates":[[[102.4,22.4],[102.7,22.4],[102.7,22.7],[102.4,22.7],[102.4,22.4]]]}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// areas runs the campaign and returns each village's commune and
	// commune_name in campaign.csv, checking campaign.geojson gives the
	// same.
	areas := func(out string, extra ...string) map[string][2]string {
		t.Helper()
		args := append([]string{"campaign", "--dataset", ds, "--province", "lai chau", "--days", "2", "--residual-error", "0", "--out", out}, extra...)
		if stdout, errs, code := runBinary(t, args...); code != exitOK {
			t.Fatalf("%s: exit %d\n%s\n%s", strings.Join(args, " "), code, stdout, errs)
		}
		rows := csvRows(t, filepath.Join(out, "campaign.csv"))
		if got := strings.Join(rows[0][:7], ","); got != "rank,village_id,name,province,province_name,commune,commune_name" {
			t.Fatalf("campaign.csv header %v", rows[0])
		}
		got := map[string][2]string{}
		for _, r := range rows[1:] {
			got[r[1]] = [2]string{r[5], r[6]}
		}
		points := 0
		for _, props := range featureProps(t, filepath.Join(out, "campaign.geojson")) {
			id, ok := props["village_id"].(string)
			if !ok {
				continue // a route
			}
			points++
			if p := [2]string{fmt.Sprint(props["commune"]), fmt.Sprint(props["commune_name"])}; p != got[id] {
				t.Errorf("%s: campaign.geojson %s: commune %q, campaign.csv %q", out, id, p, got[id])
			}
		}
		if points != len(got) {
			t.Errorf("%s: campaign.geojson has %d villages, campaign.csv %d", out, points, len(got))
		}
		return got
	}
	for _, c := range []struct {
		name  string
		extra []string
		want  map[string][2]string
	}{
		{"with --communes", []string{"--communes", communes}, map[string][2]string{"V1": {"C1", "Xã Một"}, "V2": {"", ""}}},
		{"without", nil, map[string][2]string{"V1": {"12001", ""}, "V2": {"12002", ""}}},
	} {
		got := areas(filepath.Join(dir, strings.ReplaceAll(c.name, " ", "")), c.extra...)
		if len(got) != len(c.want) {
			t.Errorf("%s: villages %v, want %v", c.name, got, c.want)
		}
		for id, w := range c.want {
			if got[id] != w {
				t.Errorf("%s: %s: commune, commune_name %q, want %q", c.name, id, got[id], w)
			}
		}
	}

	// Communes of another province (Hà Nội's), and a file that is not a
	// commune set: refused (data, exit 3), naming the file.
	hanoi := filepath.Join(dir, "hanoi.geojson")
	if err := os.WriteFile(hanoi, []byte(`{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"00004","name":"Ba Đình","provinceCode":"01"},"geometry":{"type":"Polygon","coordinates":[[[105.80,21.02],[105.85,21.02],[105.85,21.05],[105.80,21.05],[105.80,21.02]]]}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	table := filepath.Join(dir, "villages.csv") // exportDataset's villages table
	for _, c := range []struct{ file, want string }{
		{hanoi, hanoi + " gives none of the "},
		{table, table + ": "},
	} {
		out := filepath.Join(dir, "refused-"+filepath.Base(c.file))
		stdout, errs, code := runBinary(t, "campaign", "--dataset", ds, "--province", "lai chau", "--days", "2", "--communes", c.file, "--out", out)
		if code != exitDataRefused || !strings.Contains(errs, c.want) {
			t.Errorf("--communes %s: exit %d, want %d and %q:\n%s\n%s", filepath.Base(c.file), code, exitDataRefused, c.want, stdout, errs)
		}
		if _, err := os.Stat(filepath.Join(out, "campaign.csv")); err == nil {
			t.Errorf("--communes %s: campaign.csv written", filepath.Base(c.file))
		}
	}
}
