package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// --province "Thành phố Lai Châu" names the city, not Tỉnh Lai Châu: it
// is refused saying what Lai Châu is, how the province is named, and how
// a commune (the city's land since 2025) is analysed, where the kind was
// stripped and the whole province analysed. The cities run as provinces
// keep their kind ("Thành phố Hà Nội", "TP Hồ Chí Minh").
func TestProvinceFlagOfAnotherKind(t *testing.T) {
	dir := t.TempDir()
	ds, out := filepath.Join(dir, "ds"), filepath.Join(dir, "out")
	hint := "; a commune is analysed with a set of communes as --boundaries, e.g. --boundaries ../shared/data/vn_communes_2025.geojson\n"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"deadzones", "--dataset", ds, "--out", out, "--province", "Thành phố Lai Châu"},
			`lomsong: --province "Thành phố Lai Châu": no such unit in vn-provinces-2025-from-2019: Lai Châu (12) is Tỉnh Lai Châu, not a thành phố; for Tỉnh Lai Châu itself use --province "Lai Châu"` + hint},
		{[]string{"run", "--dataset", ds, "--out", out, "--province", "Huyện Lai Châu"},
			`Lai Châu (12) is Tỉnh Lai Châu, not a huyện; for Tỉnh Lai Châu itself use --province "Lai Châu"` + hint},
		{[]string{"coverage", "--dataset", ds, "--out", out, "--boundaries", "provinces2019", "--province", "TP. Điện Biên"},
			`in vn-provinces-2019: Điện Biên (11) is Tỉnh Điện Biên, not a thành phố; for Tỉnh Điện Biên itself use --province "Điện Biên"` + hint},
		{[]string{"deadzones", "--dataset", ds, "--out", out, "--province", "Thành phố Hà Giang"},
			`Hà Giang (02) was Tỉnh Hà Giang, not a thành phố, and merged into Tuyên Quang on 1 July 2025; for Tuyên Quang use --province "Tuyên Quang"` + hint},
		{[]string{"areas", "Quận Hà Nội"}, `lomsong: "Quận Hà Nội": no such unit in vn-provinces-2025-from-2019: Hà Nội (01) is Thành phố Hà Nội, not a quận; for Thành phố Hà Nội itself use "Hà Nội"` + "\n"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			_, errs, code := runBinary(t, c.args...)
			if code != exitUsage || !strings.Contains(errs, c.want) {
				t.Fatalf("exit %d (want %d), stderr should hold %q:\n%s", code, exitUsage, c.want, errs)
			}
		})
	}
	// The province-level cities pass the lookup: the missing dataset is
	// what is said.
	for _, p := range []string{"Thành phố Hà Nội", "TP Hồ Chí Minh", "Tỉnh Lai Châu"} {
		_, errs, code := runBinary(t, "deadzones", "--dataset", ds, "--out", out, "--province", p)
		if code == exitUsage || !strings.Contains(errs, "no dataset here") {
			t.Errorf("--province %q: exit %d, want it found and the dataset missing:\n%s", p, code, errs)
		}
	}
	if stdout, errs, code := runBinary(t, "areas", "TP Hồ Chí Minh", "Thành phố Huế"); code != 0 || !strings.Contains(stdout, "79    Hồ Chí Minh") || !strings.Contains(stdout, "46    Huế") {
		t.Errorf("areas: exit %d\n%s%s", code, stdout, errs)
	}
	if fileExists(out) || fileExists(ds) {
		t.Fatal("a usage error wrote output")
	}
}
