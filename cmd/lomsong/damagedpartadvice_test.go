package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A part of the month missing or altered (deleted, or its bytes edited)
// failed run naming the part alone ('dataset: part listed in the manifest
// is unreadable: open …: no such file or directory', '…: crc32c …, the
// manifest lists …: part does not match the manifest'), not what to do.
// It now points to dataset verify and to restoring the part or retracting
// its source and ingesting its file again.
func TestDamagedPartSaysWhatToDo(t *testing.T) {
	for _, damage := range []string{"deleted", "edited"} {
		t.Run(damage, func(t *testing.T) {
			dir := t.TempDir()
			ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\n")
			b, err := os.ReadFile(filepath.Join(ds, "manifest.json"))
			if err != nil {
				t.Fatal(err)
			}
			var m struct {
				Sources []struct {
					Parts []struct{ Path, Kind string }
				}
			}
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			part := ""
			for _, s := range m.Sources {
				for _, p := range s.Parts {
					if p.Kind == "measurements" && part == "" {
						part = p.Path
					}
				}
			}
			path := filepath.Join(ds, filepath.FromSlash(part))
			if damage == "deleted" {
				err = os.Remove(path)
			} else {
				var data []byte
				if data, err = os.ReadFile(path); err == nil {
					data[len(data)/2] ^= 0xff
					err = os.WriteFile(path, data, 0o644)
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			stdout, errs, code := runCmd(t, "run", "--dataset", ds, "--period", "2026-10")
			if code != exitFailure || !strings.Contains(errs, part) ||
				!strings.Contains(errs, "lomsong dataset verify "+ds+" lists every damaged part: restore it from a copy, or take its source out with lomsong dataset retract "+ds) {
				t.Errorf("run over a part %s: exit %d\n%s\n%s", damage, code, stdout, errs)
			}
		})
	}
}
