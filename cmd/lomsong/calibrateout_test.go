package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// calibrate's file is checked before the month is computed: an --out in
// a folder the user may not write in, and calibrate's default
// DATASET/calibration.json for a user who may only read the dataset,
// are refused naming --out or the file and the folder. Both computed the
// month first and then failed with "open DIR/.cal.json.tmp-NNN:
// permission denied", naming a temporary file.
func TestCalibrateTargetNotWritableRefusedFirst(t *testing.T) {
	dir, ds, reader := readerOfDataset(t, nil)
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(ro, 0o555)
	out := filepath.Join(ro, "cal.json")
	stdout, errs, code := reader("calibrate", "--dataset", ds, "--out", out)
	if code != exitFailure || !strings.Contains(errs, "calibrate: --out "+out+": cannot write in the folder "+ro+": permission denied; nothing was computed") ||
		stdout != "" || strings.Contains(errs, "calibrate: weighing") {
		t.Errorf("--out in a folder the user may not write in: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, errs)
	}
	stdout, errs, code = reader("calibrate", "--dataset", ds)
	if code != exitFailure || !strings.Contains(errs, "cannot write "+filepath.Join(ds, "calibration.json")+": cannot write in the folder "+ds+": permission denied; nothing was computed") ||
		!strings.Contains(errs, "give --out FILE elsewhere") || stdout != "" || strings.Contains(errs, "calibrate: weighing") {
		t.Errorf("calibrate into a dataset the user may only read: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, errs)
	}
	if ents, _ := os.ReadDir(ro); len(ents) != 0 {
		t.Errorf("left in the folder: %v", ents)
	}
}

// calibrate --out FILE under a path where a file stands for a folder is a
// usage error naming that file, found before the month is computed; it
// was "open FILE/x.json: not a directory" (exit 1) once computed. A
// --dataset that is a file is refused as no dataset, as by the other
// commands, not as "open FILE/calibration.json: not a directory".
func TestCalibrateOutUnderAFile(t *testing.T) {
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\n")
	file := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(file, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{filepath.Join(file, "cal.json"), filepath.Join(file, "a", "cal.json")} {
		stdout, errs, code := runBinary(t, "calibrate", "--dataset", ds, "--out", out)
		if code != exitUsage || !strings.Contains(errs, "--out "+out+": "+file+" is a file, not a folder") || stdout != "" {
			t.Errorf("--out %s: exit %d\nstdout:\n%s\nstderr:\n%s", out, code, stdout, errs)
		}
	}
	_, errs, code := runBinary(t, "calibrate", "--dataset", file)
	if code == exitOK || strings.Contains(errs, "calibration.json: not a directory") || !strings.Contains(errs, "no dataset here") {
		t.Errorf("--dataset FILE: exit %d\n%s", code, errs)
	}
}
