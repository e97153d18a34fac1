package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestDeadzonesVillagesWithoutHouseholds: a villages table whose every
// row has 0 households, the commands' population when no --population is
// given, is refused naming the villages table and what to do (exit 3),
// by deadzones, plan and with --province alike; the refusal blamed "no
// households in the population table given (it covers none of the
// province)", a table no one gave.
func TestDeadzonesVillagesWithoutHouseholds(t *testing.T) {
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,0\nV2,Bản B,,103.52,22.52,0\n")
	want := "the villages table's 2 villages all have 0 households"
	for _, args := range [][]string{
		{"deadzones", "--dataset", ds, "--out", filepath.Join(dir, "dz")},
		{"deadzones", "--dataset", ds, "--province", "lai chau", "--out", filepath.Join(dir, "dz12")},
		{"plan", "--dataset", ds, "--budget", "500e9", "--out", filepath.Join(dir, "plan")},
	} {
		stdout, errs, code := runBinary(t, args...)
		if code != exitDataRefused || !strings.Contains(errs, want) || strings.Contains(errs, "population table given") {
			t.Errorf("%s: exit %d (want %d, %q)\n%s\n%s", strings.Join(args, " "), code, exitDataRefused, want, stdout, errs)
		}
		if fileExists(args[len(args)-1]) {
			t.Errorf("%s: a refused run wrote %s", args[0], args[len(args)-1])
		}
	}
}

// TestProvinceVillagesWithoutHouseholds: a province whose villages all
// have 0 households, in a dataset with households elsewhere (a village of
// Điện Biên), is refused by a run limited to it and left out of a run
// over every province, naming its villages: the run limited to it wrote
// 0 dead-zone households (exit 0) and its scorecard read target 1
// "0 [0, 1] met"; the run over every province blamed a population table
// no one gave.
func TestProvinceVillagesWithoutHouseholds(t *testing.T) {
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,0\nV2,Bản B,,103.52,22.52,0\nV3,Bản C,,103.10,22.05,60\n")
	want := "the dataset's 2 villages in Lai Châu (12) all have 0 households: no dead zone can be decided there"
	for _, args := range [][]string{
		{"deadzones", "--dataset", ds, "--province", "lai chau", "--out", filepath.Join(dir, "dz12")},
		{"scorecard", "--dataset", ds, "--province", "12", "--period", "2026-10", "--out", filepath.Join(dir, "sc12")},
	} {
		stdout, errs, code := runBinary(t, args...)
		if code != exitDataRefused || !strings.Contains(errs, want) {
			t.Errorf("%s: exit %d (want %d, %q)\n%s\n%s", strings.Join(args, " "), code, exitDataRefused, want, stdout, errs)
		}
		if fileExists(args[len(args)-1]) {
			t.Errorf("%s: a refused run wrote %s", args[0], args[len(args)-1])
		}
	}
	_, errs, code := runBinary(t, "deadzones", "--dataset", ds, "--out", filepath.Join(dir, "dz"))
	if code != exitDataRefused || !strings.Contains(errs, "Lai Châu: its villages in the dataset all have 0 households") {
		t.Errorf("every province: exit %d\n%s", code, errs)
	}
}
