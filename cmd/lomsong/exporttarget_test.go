package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An export's target is checked before the month is computed: a PostGIS
// database that cannot be reached, a file where a folder of --out should
// be, a folder the user may not write in. Each was found only once the
// month was computed (minutes for a country month not yet saved), with
// "mkdir FILE: not a directory" (exit 1, not a usage error) or "open
// DIR/.lomsong-x.gpkg.lock: permission denied" naming the export's lock
// file, not the folder.
func TestExportTargetCheckedFirst(t *testing.T) {
	computed := func(t *testing.T, errs string) {
		t.Helper()
		if strings.Contains(errs, "export 2026-10: read back") || strings.Contains(errs, "coverage: started") {
			t.Errorf("the month was computed or read before the refusal:\n%s", errs)
		}
	}
	t.Run("postgis not reachable", func(t *testing.T) {
		dir := t.TempDir()
		ds := exportDataset(t, dir)
		conn := "host=" + filepath.Join(dir, "no-server") + " user=postgres dbname=gis"
		_, errs, code := runCmd(t, "export", "--dataset", ds, "--province", "lai chau", "--period", "2026-10",
			"--format", "postgis", "--out", conn)
		if code != exitFailure || !strings.Contains(errs, "postgis: connect") {
			t.Errorf("exit %d\n%s", code, errs)
		}
		computed(t, errs)
		if _, err := os.Stat(filepath.Join(ds, "stages")); !os.IsNotExist(err) {
			t.Errorf("stages were computed and saved for a database that cannot be reached: %v", err)
		}
	})
	t.Run("a file in the path", func(t *testing.T) {
		dir := t.TempDir()
		ds := exportDataset(t, dir)
		file := filepath.Join(dir, "notes.txt")
		os.WriteFile(file, []byte("mine"), 0o644)
		for _, c := range []struct{ format, out string }{
			{"geoparquet", filepath.Join(file, "gp")},
			{"geoparquet", filepath.Join(file, "a", "gp")},
			{"gpkg", filepath.Join(file, "m.gpkg")},
		} {
			_, errs, code := runCmd(t, "export", "--dataset", ds, "--province", "lai chau", "--period", "2026-10",
				"--format", c.format, "--out", c.out)
			if code != exitUsage || !strings.Contains(errs, file+" is a file, not a folder") {
				t.Errorf("--format %s --out %s: exit %d\n%s", c.format, c.out, code, errs)
			}
			computed(t, errs)
		}
		if b, _ := os.ReadFile(file); string(b) != "mine" {
			t.Errorf("the file in the path changed: %q", b)
		}
	})
	t.Run("a folder not writable", func(t *testing.T) {
		dir, ds, reader := readerOfDataset(t, func(ds string) {
			if _, errs, code := runCmd(t, "run", "--dataset", ds, "--period", "2026-10"); code != exitOK {
				t.Fatalf("run as the owner: %d\n%s", code, errs)
			}
		})
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o755); err != nil {
			t.Fatal(err)
		}
		os.Chmod(ro, 0o555)
		for _, c := range []struct{ format, out string }{
			{"gpkg", filepath.Join(ro, "m.gpkg")},
			{"geoparquet", filepath.Join(ro, "gp")},
		} {
			_, errs, code := reader("export", "--dataset", ds, "--period", "2026-10", "--read-only",
				"--format", c.format, "--out", c.out)
			if code != exitFailure || !strings.Contains(errs, "cannot write in the folder "+ro+": permission denied") {
				t.Errorf("--format %s --out %s: exit %d\n%s", c.format, c.out, code, errs)
			}
			computed(t, errs)
		}
		if ents, _ := os.ReadDir(ro); len(ents) != 0 {
			t.Errorf("left in the folder: %v", ents)
		}
	})
}
