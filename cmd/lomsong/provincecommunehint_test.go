package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A commune's name given to --province of a command that analyses an
// area ("Sìn Hồ", a commune of Lai Châu) is no province of the embedded
// sets, and nothing near one: the usage error says how a commune is
// analysed (a set of communes as --boundaries), where it said only that
// lomsong areas lists the provinces. demo, which takes no --boundaries,
// is not told so; a misspelt province still gets the nearest names.
func TestProvinceFlagCommuneHint(t *testing.T) {
	dir := t.TempDir()
	ds, out := filepath.Join(dir, "ds"), filepath.Join(dir, "out")
	verdicts := filepath.Join(dir, "villages.csv")
	if err := os.WriteFile(verdicts, []byte("village_id,lon,lat,households,p_dead\nV1,103.3,22.4,10,0.5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	hint := "(lomsong areas lists them); a commune is analysed with a set of communes as --boundaries, e.g. --boundaries ../shared/data/vn_communes_2025.geojson\n"
	for _, c := range []struct {
		args []string
		want string
		hint bool
	}{
		{[]string{"deadzones", "--dataset", ds, "--out", out, "--province", "Sìn Hồ"}, `--province "Sìn Hồ": no such unit in vn-provinces-2025-from-2019 `, true},
		{[]string{"coverage", "--dataset", ds, "--out", out, "--boundaries", "provinces2019", "--province", "sin ho"}, `--province "sin ho": no such unit in vn-provinces-2019 `, true},
		{[]string{"campaign", "--verdicts", verdicts, "--days", "1", "--out", out, "--province", "Sìn Hồ"}, `--province "Sìn Hồ": no such unit in vn-provinces-2025-from-2019 `, true},
		{[]string{"demo", "--out", out, "--province", "Sìn Hồ"}, `--province "Sìn Hồ": no such unit in vn-provinces-2025-from-2019 (lomsong areas lists them)`, false},
		{[]string{"deadzones", "--dataset", ds, "--out", out, "--province", "lai chua"}, `did you mean "Lai Châu" (12)?`, false},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			_, errs, code := runBinary(t, c.args...)
			if code != exitUsage || !strings.Contains(errs, c.want) || strings.Contains(errs, "a commune is analysed") != c.hint ||
				c.hint && !strings.Contains(errs, c.want+hint) {
				t.Fatalf("exit %d (want %d), stderr should hold %q (the commune hint: %v):\n%s", code, exitUsage, c.want, c.hint, errs)
			}
		})
	}
	if fileExists(out) || fileExists(ds) {
		t.Fatal("a usage error wrote output")
	}
}
