package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/internal/flock"
)

// Two runs of the month writing the same --out at once: the one that
// found the outputs' lock held said only "OUT/deadzones: another lomsong
// run is writing the deadzones outputs here", not what became of its
// folder nor what to do. It now says nothing was written there and to run
// it again once the other has finished; run again, it reads the month
// back from the stages it saved and writes the tables.
func TestRunOutputsLockedSaysWhatToDo(t *testing.T) {
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\n")
	out := filepath.Join(dir, "oct")
	if err := os.MkdirAll(filepath.Join(out, "deadzones"), 0o755); err != nil {
		t.Fatal(err)
	}
	lock, err := flock.TryLock(filepath.Join(out, "deadzones", ".lomsong-deadzones.lock")) // as another run holds it
	if err != nil {
		t.Fatal(err)
	}
	stdout, errs, code := runBinary(t, "run", "--dataset", ds, "--period", "2026-10", "--out", out)
	if code != exitFailure || !strings.Contains(errs, filepath.Join(out, "deadzones")+": another lomsong run is writing the deadzones outputs here") ||
		!strings.Contains(errs, "nothing was written to the folder; run this command again once that one has finished") {
		t.Errorf("run while another writes its --out: exit %d\n%s\n%s", code, stdout, errs)
	}
	if fileExists(filepath.Join(out, "deadzones", "villages.csv")) {
		t.Error("villages.csv written while another run held the outputs' lock")
	}
	flock.Unlock(lock)
	stdout, errs, code = runBinary(t, "run", "--dataset", ds, "--period", "2026-10", "--out", out)
	if code != exitOK || !strings.Contains(stdout, "deadzones") || !strings.Contains(stdout, "read back") ||
		!fileExists(filepath.Join(out, "deadzones", "villages.csv")) {
		t.Fatalf("run again: exit %d\n%s\n%s", code, stdout, errs)
	}
}
