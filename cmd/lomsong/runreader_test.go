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

// lomsong run by a user who may read the dataset but not write it is
// refused before it reads a measurement: the run made the month's whole
// pass over the measurements (hours for a national month) and only then
// failed to save it.
func TestRunByAReaderRefusedBeforeThePass(t *testing.T) {
	var prefix []string
	if os.Geteuid() == 0 {
		sp, err := exec.LookPath("setpriv")
		if err != nil {
			t.Skip("running as root without setpriv: cannot act as a reader without write access")
		}
		prefix = []string{sp, "--reuid=65534", "--regid=65534", "--clear-groups"}
	}
	dir, err := os.MkdirTemp("", "lomsong-ro-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				os.Chmod(p, 0o755)
			}
			return nil
		})
		os.RemoveAll(dir)
	})
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV3,Bản C,,103.10,22.05,60\n")
	bin := filepath.Join(dir, "lomsong")
	data, err := os.ReadFile(lomsongBinary(t))
	if err != nil || os.WriteFile(bin, data, 0o755) != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	filepath.WalkDir(ds, func(p string, d os.DirEntry, err error) error {
		if err == nil {
			if d.IsDir() {
				os.Chmod(p, 0o555)
			} else {
				os.Chmod(p, 0o444)
			}
		}
		return nil
	})
	args := append(append(prefix, bin), "run", "--dataset", ds, "--period", "2026-10")
	cmd := exec.Command(args[0], args[1:]...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	var ee *exec.ExitError
	if err := cmd.Run(); err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	errs := e.String()
	if code := cmd.ProcessState.ExitCode(); code != exitFailure || !strings.Contains(errs, "run saves the month in the dataset, and this user may not write there") ||
		!strings.Contains(errs, "nothing computed") || strings.Contains(errs, "measure viettel: started") {
		t.Fatalf("run by a reader: exit %d\n%s\n%s", code, o.String(), errs)
	}
}
