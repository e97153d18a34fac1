package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestHelpExamplesAskForMonthsTheirDatasetsHold: the --help examples run
// on ./ds, the dataset the README's ingest of geodata/examples makes, and
// on lomsong-demo/dataset, the demo's; a --period either does not hold
// is refused (exit 3) when a user runs the example as written.
func TestHelpExamplesAskForMonthsTheirDatasetsHold(t *testing.T) {
	ds := filepath.Join(t.TempDir(), "ds")
	// The README's ingest, then its mapping example into the same dataset.
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"),
		filepath.Join(examples, "villages.csv"), filepath.Join(examples, "measurements_viettel.csv")); code != exitOK {
		t.Fatalf("ingest: exit %d: %s", code, errs)
	}
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, "--mapping", filepath.Join(examples, "mapping_mobifone.json"),
		filepath.Join(examples, "measurements_mobifone_own_layout.csv")); code != exitOK {
		t.Fatalf("ingest --mapping: exit %d: %s", code, errs)
	}
	ls, errs, code := runCmd(t, "dataset", "ls", ds)
	if code != exitOK {
		t.Fatalf("dataset ls: exit %d: %s", code, errs)
	}
	months := map[string]map[string]bool{
		"./ds":                 {},
		"lomsong-demo/dataset": {"2024-10": true}, // the demo's measured month (synth)
	}
	for _, m := range regexp.MustCompile(`measurements +(\d{4}-\d\d) `).FindAllStringSubmatch(ls, -1) {
		months["./ds"][m[1]] = true
	}
	if len(months["./ds"]) == 0 {
		t.Fatalf("dataset ls names no month of measurements:\n%s", ls)
	}
	datasetRe := regexp.MustCompile(`--dataset (\S+)`)
	periodRe := regexp.MustCompile(`--period (\S+)`)
	checked := 0
	for name := range commands() {
		help, _, _ := runCmd(t, name, "--help")
		_, ex, ok := strings.Cut(help, "\nExample:\n")
		if !ok {
			t.Fatalf("%s --help has no example", name)
		}
		ex, _, _ = strings.Cut(ex, "\nExit codes:")
		for _, line := range strings.Split(ex, "\n") {
			d, p := datasetRe.FindStringSubmatch(line), periodRe.FindStringSubmatch(line)
			if d == nil || p == nil || months[d[1]] == nil {
				continue
			}
			checked++
			if !months[d[1]][p[1]] {
				t.Errorf("%s --help example asks %s for --period %s, a month it holds no measurement of (it holds %v):\n%s",
					name, d[1], p[1], months[d[1]], line)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no example with --dataset and --period checked")
	}
}
