package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An --out folder the user may not write in (another user's folder, a
// read-only file system) is refused before anything is read or computed,
// naming --out and the folder, by every command that writes a folder of
// outputs. Each computed the whole month first (the demo generated its
// world) and then failed with "mkdir OUT: permission denied".
func TestOutFolderNotWritableRefusedFirst(t *testing.T) {
	dir, ds, reader := readerOfDataset(t, nil)
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(ro, 0o555)
	points := filepath.Join(dir, "points.csv")
	if err := os.WriteFile(points, []byte("lon,lat,population\n103.30,22.45,120\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		out  string
	}{
		{"aggregate", []string{"aggregate", "--dataset", ds}, "agg"},
		{"campaign", []string{"campaign", "--dataset", ds, "--days", "1"}, "camp"},
		{"coverage", []string{"coverage", "--dataset", ds}, "cov"},
		{"deadzones", []string{"deadzones", "--dataset", ds}, "dz"},
		{"plan", []string{"plan", "--dataset", ds, "--budget", "5e11"}, "plan"},
		{"report", []string{"report", "--dataset", ds, "--period", "2026-10"}, "rep"},
		{"run", []string{"run", "--dataset", ds, "--period", "2026-10"}, "run"},
		{"scorecard", []string{"scorecard", "--dataset", ds, "--period", "2026-10"}, "sc"},
		{"population", []string{"population", "--points", points}, "pop"},
		{"demo", []string{"demo"}, "demo"},
		{"nested", []string{"aggregate", "--dataset", ds}, filepath.Join("a", "b")},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(ro, c.out)
			stdout, errs, code := reader(append(c.args, "--out", out)...)
			want := "--out " + out + ": cannot write in the folder " + ro + ": permission denied; nothing was computed"
			if code != exitFailure || !strings.Contains(errs, want) {
				t.Errorf("exit %d, want %d and %q\n%s", code, exitFailure, want, errs)
			}
			if stdout != "" || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
				t.Errorf("something was read or computed before the refusal:\nstdout:\n%s\nstderr:\n%s", stdout, errs)
			}
		})
	}
	if ents, _ := os.ReadDir(ro); len(ents) != 0 {
		t.Errorf("left in the folder: %v", ents)
	}
}
