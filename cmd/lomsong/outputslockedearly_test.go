package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lomsong/lomsong/internal/flock"
)

// An analysis command whose --out another run is writing (it holds the
// set's lock) read the dataset and computed the whole month, and only
// then found the lock: deadzones and plan of the country's month lost
// minutes of work to say 'another lomsong run is writing the deadzones
// outputs here'. Each now says so before reading the dataset: its one
// line of error, nothing on stdout, nothing written.
func TestAnalysisOutputsLockedSaidBeforeWork(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\n")
	cmds := []struct {
		set, written string
		args         []string
	}{
		{"deadzones", "villages.csv", []string{"deadzones", "--period", "2026-10"}},
		{"plan", "plan.csv", []string{"plan", "--period", "2026-10", "--budget", "1e9"}},
		{"coverage", "coverage.csv", []string{"coverage", "--period", "2026-10"}},
		{"aggregates", "aggregates.csv", []string{"aggregate"}},
		{"scorecard", "scorecard.csv", []string{"scorecard", "--period", "2026-10"}},
		{"report", "report.html", []string{"report", "--period", "2026-10"}},
	}
	for _, c := range cmds {
		t.Run(c.set, func(t *testing.T) {
			out := filepath.Join(dir, "out-"+c.set)
			if err := os.MkdirAll(out, 0o755); err != nil {
				t.Fatal(err)
			}
			lock, err := flock.TryLock(filepath.Join(out, ".lomsong-"+c.set+".lock")) // as another run holds it
			if err != nil {
				t.Fatal(err)
			}
			defer flock.Unlock(lock)
			stdout, errs, code := runBinary(t, append(c.args, "--dataset", ds, "--out", out)...)
			want := "lomsong: " + out + ": another lomsong run is writing the " + c.set + " outputs here (it holds .lomsong-" + c.set + ".lock): nothing was written to the folder; run this command again once that one has finished\n"
			if code != exitFailure || errs != want || stdout != "" {
				t.Errorf("%s while another run holds its --out's lock: exit %d (want %d)\nstdout: %s\nstderr: %s\nwant the lock's error alone, before any work: %s",
					c.set, code, exitFailure, stdout, errs, want)
			}
			if fileExists(filepath.Join(out, c.written)) {
				t.Errorf("%s written while another run held the outputs' lock", c.written)
			}
		})
	}
}
