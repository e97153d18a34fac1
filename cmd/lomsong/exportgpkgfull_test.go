package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A GeoPackage export that cannot be written whole said only "geopackage
// F.gpkg: database or disk is full (13)", leaving the user to guess
// whether the GeoPackage there was now cut short. It says nothing was
// written to F.gpkg and, when an earlier export was there, that it is as
// it was; the file is unchanged. The write is cut short as on a full disk
// by a limit on the size of the files the process may write (ulimit -f):
// SQLite then reports a disk I/O error.
func TestExportGeoPackageNotWrittenSaysKept(t *testing.T) {
	dir := t.TempDir()
	ds := exportDataset(t, dir)
	out := filepath.Join(dir, "m.gpkg")
	args := []string{"export", "--dataset", ds, "--province", "lai chau", "--period", "2026-10", "--format", "gpkg", "--out"}
	if _, errs, code := runBinary(t, append(args, out)...); code != exitOK {
		t.Fatalf("export: exit %d\n%s", code, errs)
	}
	before, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	limited := func(out string) (string, int) {
		// 16 blocks (8 or 16 KiB, as the shell counts them): a few pages
		// of the GeoPackage.
		cmd := exec.Command("sh", append([]string{"-c", `ulimit -f 16 && exec "$0" "$@"`, lomsongBinary(t)}, append(args, out)...)...)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		err := cmd.Run()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return errb.String(), cmd.ProcessState.ExitCode()
	}
	errs, code := limited(out)
	if code != exitFailure || !strings.Contains(errs, "lomsong: geopackage "+out+": ") ||
		!strings.Contains(errs, ": nothing was written to "+out+" (the GeoPackage there is as it was)\n") {
		t.Errorf("export onto an earlier one, cut short: exit %d\n%s", code, errs)
	}
	if after, err := os.ReadFile(out); err != nil || !bytes.Equal(after, before) {
		t.Errorf("the earlier GeoPackage changed (%v)", err)
	}
	fresh := filepath.Join(dir, "new.gpkg")
	errs, code = limited(fresh)
	if code != exitFailure || !strings.Contains(errs, ": nothing was written to "+fresh+"\n") {
		t.Errorf("export to a new file, cut short: exit %d\n%s", code, errs)
	}
	if _, err := os.Stat(fresh); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s: %v, want no file", fresh, err)
	}
	if tmps, _ := filepath.Glob(filepath.Join(dir, ".*.gpkg.tmp-*")); len(tmps) > 0 {
		t.Errorf("temporary files left: %v", tmps)
	}
}
