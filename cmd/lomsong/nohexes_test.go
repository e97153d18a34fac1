package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/internal/shareddata"
)

// TestBinaryCoverageNothingToDecide: coverage of a dataset holding a
// register alone (no measurements, no villages, no --population) and
// coverage of Viet Nam's populated hexes with another country's register
// (the real OpenCelliD export of Ecuador) decide no hex. Both are refused
// (exit 3) saying why, with no output written; they wrote empty tables
// and exited 0, an analysis of nothing read as one that found nothing.
func TestBinaryCoverageNothingToDecide(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sitesOnly := filepath.Join(dir, "sites-only")
	if _, errs, code := runBinary(t, "ingest", "--dataset", sitesOnly, filepath.Join(examples, "sites.csv")); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s", code, errs)
	}
	out := filepath.Join(dir, "cov")
	stdout, errs, code := runBinary(t, "coverage", "--dataset", sitesOnly, "--out", out)
	if code != exitDataRefused || !strings.Contains(errs, "no hexes to analyse") || !strings.Contains(errs, "no measurements in the dataset") {
		t.Errorf("coverage of a register alone: exit %d, want %d saying there is no hex to analyse\n%s\n%s", code, exitDataRefused, stdout, errs)
	}
	if _, err := os.Stat(filepath.Join(out, "coverage.csv")); err == nil {
		t.Errorf("coverage of a register alone wrote %s", filepath.Join(out, "coverage.csv"))
	}

	ecuador := filepath.Join(dir, "ecuador")
	if _, errs, code := runBinary(t, "ingest", "--dataset", ecuador, shareddata.Path(t, "opencellid_740_ecuador.csv.gz")); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s", code, errs)
	}
	// Three populated hexes of Hà Nội, Huế and Hồ Chí Minh City.
	var pop strings.Builder
	pop.WriteString("cell,population,households\n")
	for _, p := range [][2]float64{{105.85, 21.03}, {107.58, 16.46}, {106.70, 10.78}} {
		c, err := hexgrid.Index(p[0], p[1], 8)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&pop, "%s,1000,280\n", c)
	}
	popPath := writeFile(t, dir, "population.csv", []byte(pop.String()))
	out = filepath.Join(dir, "cov-ec")
	stdout, errs, code = runBinary(t, "coverage", "--dataset", ecuador, "--population", popPath, "--out", out)
	if code != exitDataRefused || !strings.Contains(errs, "reaches any of the 3 hexes analysed") || !strings.Contains(errs, "another area or country?") {
		t.Errorf("coverage of Viet Nam with Ecuador's register: exit %d, want %d saying no site reaches a hex\n%s\n%s", code, exitDataRefused, stdout, errs)
	}
	if _, err := os.Stat(filepath.Join(out, "coverage_best.csv")); err == nil {
		t.Errorf("coverage with Ecuador's register wrote %s", filepath.Join(out, "coverage_best.csv"))
	}
}
