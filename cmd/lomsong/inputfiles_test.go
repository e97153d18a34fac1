package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every input-file flag of every command is checked before any work: a
// file that is not there, a folder given for it, or a file the user may
// not read is named with the command and the flag, "CMD: --flag FILE:
// reason" (exit 1; a folder is a usage error, exit 2), as the only line
// on stderr. They said "open FILE: no such file or directory", naming
// neither, some after the month's pass over the measurements.
func TestInputFileFlagsCheckedFirst(t *testing.T) {
	dir, ds, reader := readerOfDataset(t, nil)
	w := filepath.Join(dir, "w")
	if err := os.Mkdir(w, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(w, 0o777)
	villages := filepath.Join(dir, "villages.csv")
	secret := filepath.Join(dir, "secret.json")
	if err := os.WriteFile(secret, []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	os.Chmod(secret, 0o000)
	folder := filepath.Join(dir, "folder.csv")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(w, "out")
	period := []string{"--period", "2026-10"}
	cases := []struct {
		flag string
		args []string
	}{
		{"population", []string{"coverage", "--dataset", ds, "--out", out}},
		{"calibration", []string{"coverage", "--dataset", ds, "--out", out}},
		{"population", []string{"calibrate", "--dataset", ds, "--out", filepath.Join(w, "cal.json")}},
		{"communes", []string{"deadzones", "--dataset", ds, "--out", out}},
		{"claims", []string{"deadzones", "--dataset", ds, "--out", out}},
		{"population", []string{"deadzones", "--dataset", ds, "--out", out}},
		{"candidates", []string{"plan", "--dataset", ds, "--out", out, "--budget", "1e9"}},
		{"costs", []string{"plan", "--dataset", ds, "--out", out, "--budget", "1e9"}},
		{"verdicts", []string{"campaign", "--days", "1", "--out", out}},
		{"population", []string{"campaign", "--dataset", ds, "--days", "1", "--out", out}},
		{"costs", append([]string{"report", "--dataset", ds, "--out", out}, period...)},
		{"communes", append([]string{"report", "--dataset", ds, "--out", out}, period...)},
		{"communes", []string{"run", "--dataset", ds}},
		{"costs", []string{"run", "--dataset", ds, "--budget", "1e9", "--out", out}},
		{"communes", append([]string{"scorecard", "--dataset", ds, "--out", out}, period...)},
		{"communes", append([]string{"export", "--dataset", ds, "--format", "geoparquet", "--out", out}, period...)},
		{"costs", append([]string{"export", "--dataset", ds, "--format", "geoparquet", "--out", out}, period...)},
		{"mapping", []string{"validate", villages}},
		{"bounds", []string{"validate", villages}},
		{"mapping", []string{"ingest", "--dataset", filepath.Join(w, "ds"), villages}},
		{"points", []string{"population", "--out", out}},
		{"h3", []string{"population", "--out", out}},
		{"raster", []string{"population", "--out", out}},
		{"tls-cert", []string{"serve", "--dataset", ds, "--listen", "127.0.0.1:0", "--tls-key", villages}},
		{"boundaries", []string{"areas"}},
	}
	for _, c := range cases {
		for _, f := range []struct {
			name, path, reason string
			code               int
		}{
			{"missing", filepath.Join(dir, "missing.json"), "no such file or directory", exitFailure},
			{"folder", folder, "is a folder, not a file", exitUsage},
			{"unreadable", secret, "permission denied", exitFailure},
		} {
			t.Run(c.args[0]+"/"+c.flag+"/"+f.name, func(t *testing.T) {
				stdout, errs, code := reader(append(c.args, "--"+c.flag, f.path)...)
				want := c.args[0] + ": --" + c.flag + " " + f.path + ": " + f.reason
				if code != f.code || !strings.Contains(errs, want) {
					t.Errorf("exit %d, want %d and %q\n%s", code, f.code, want, errs)
				}
				if stdout != "" || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
					t.Errorf("something was read or computed before the refusal:\nstdout:\n%s\nstderr:\n%s", stdout, errs)
				}
			})
		}
	}
	if ents, _ := os.ReadDir(w); len(ents) != 0 {
		t.Errorf("written before the refusal: %v", ents)
	}
}

// A validate --quarantine or --report whose folder the user may not write
// in is refused before any input is read, naming the flag and the folder;
// the quarantine said "open DIR/.q.csv.tmp-NNN: permission denied" after
// reading every input, naming a temporary file.
func TestValidateTargetFolderNotWritable(t *testing.T) {
	dir, _, reader := readerOfDataset(t, nil)
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(ro, 0o555)
	villages := filepath.Join(dir, "villages.csv")
	for _, c := range []struct{ name, flag, target string }{
		{"quarantine file", "quarantine", filepath.Join(ro, "q.csv")},
		{"quarantine folder", "quarantine", filepath.Join(ro, "rejected") + string(filepath.Separator)},
		{"report", "report", filepath.Join(ro, "report.json")},
	} {
		t.Run(c.name, func(t *testing.T) {
			stdout, errs, code := reader("validate", "--"+c.flag, c.target, villages)
			want := "validate: --" + c.flag + " " + c.target + ": cannot write in the folder " + ro + ": permission denied"
			if code != exitFailure || !strings.Contains(errs, want) || strings.Contains(errs, ".tmp-") {
				t.Errorf("exit %d, want %d and %q\n%s", code, exitFailure, want, errs)
			}
			if stdout != "" || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
				t.Errorf("something was read before the refusal:\nstdout:\n%s\nstderr:\n%s", stdout, errs)
			}
		})
	}
	if ents, _ := os.ReadDir(ro); len(ents) != 0 {
		t.Errorf("left in the folder: %v", ents)
	}
}
