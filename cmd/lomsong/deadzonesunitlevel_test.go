package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// With a set of communes given as --boundaries the units are communes,
// and the province columns hold them: the summary's first column said
// "province" over rows of commune codes. It now says the set's level,
// as its units' full names give it ("commune"), "unit" when they do not;
// the embedded provinces stay "province".
func TestDeadzonesSummarySaysTheUnitLevel(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\n")
	square := func(x0, x1 string) string {
		return `{"type":"Polygon","coordinates":[[[` + x0 + `,22.2],[` + x1 + `,22.2],[` + x1 + `,22.8],[` + x0 + `,22.8],[` + x0 + `,22.2]]]}`
	}
	write := func(name, a, b string) string {
		p := filepath.Join(dir, name)
		fc := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":` + a + `,"geometry":` + square("103.0", "103.4") +
			`},{"type":"Feature","properties":` + b + `,"geometry":` + square("103.4", "103.8") + `}]}`
		if err := os.WriteFile(p, []byte(fc), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	communes := write("communes.geojson", `{"code":"03478","name":"Sìn Hồ","fullName":"Xã Sìn Hồ","provinceCode":"12"}`,
		`{"code":"03508","name":"Hồng Thu","fullName":"Phường Hồng Thu","provinceCode":"12"}`)
	bare := write("units.geojson", `{"code":"03478","name":"Sìn Hồ"}`, `{"code":"03508","name":"Hồng Thu"}`)
	for _, c := range []struct {
		name, level string
		args        []string
	}{
		{"communes", "commune", []string{"--boundaries", communes, "--parent-prop", "provinceCode"}},
		{"bare", "unit", []string{"--boundaries", bare}},
		{"embedded", "province", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, "out-"+c.name)
			stdout, errs, code := runBinary(t, append([]string{"deadzones", "--dataset", ds, "--period", "2026-10", "--out", out}, c.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d\n%s\n%s", code, stdout, errs)
			}
			var header []string
			for line := range strings.SplitSeq(stdout, "\n") {
				if strings.Contains(line, "dead-zone households  villages") {
					header = strings.Fields(line)
				}
			}
			if len(header) == 0 || header[0] != c.level {
				t.Errorf("summary's first column %q, want %q:\n%s", header, c.level, stdout)
			}
			if c.name == "embedded" {
				return
			}
			// The province column holds the units of --boundaries, as
			// docs/exports.md says: V1's commune, not its province (12).
			rows := csvRows(t, filepath.Join(out, "villages.csv"))
			col := map[string]int{}
			for i, h := range rows[0] {
				col[h] = i
			}
			for _, r := range rows[1:] {
				if r[col["village_id"]] == "V1" && (r[col["province"]] != "03478" || r[col["province_name"]] != "Sìn Hồ") {
					t.Errorf("V1: province %q %q, want the commune of --boundaries 03478 Sìn Hồ", r[col["province"]], r[col["province_name"]])
				}
			}
		})
	}
}
