package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// lomsong deadzones says one zone in the singular, with --province and
// without, as run and plan do: its headline read "1 zones with hexes in
// it" and "1 zones".
func TestDeadzonesSayOneZoneInTheSingular(t *testing.T) {
	// Bản D is the one dead zone.
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV4,Bản D,,102.85,22.40,80\n")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--province", "lai chau"}, "(households from the villages table): 1 zone with hexes in it, 80 households,"},
		{nil, "(households from the villages table): 1 zone, 80 households,"},
	} {
		args := append([]string{"deadzones", "--dataset", ds, "--out", filepath.Join(dir, "dz")}, c.args...)
		stdout, errs, code := runBinary(t, args...)
		if code != exitOK || !strings.Contains(stdout, c.want) {
			t.Errorf("%v: exit %d, stdout lacks %q:\n%s\n%s", args, code, c.want, stdout, errs)
		}
	}
}
