package main

import (
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/geodata"
)

// TestPopulationHouseholdsByTheAnalysesProvince: a populated cell on Đà
// Nẵng's coast whose centre lies just outside the coarse outlines is
// counted in Đà Nẵng by the analyses, and takes Đà Nẵng's census
// household size (3.77), not the national 3.58; the cells said to use the
// national size are the cells said to lie outside the provinces (a point
// in Laos). Households came from a strict point-in-outline test while
// the analyses settle such cells by area share, and the two counts
// printed disagreed (15127 against 14566 for WorldPop at resolution 8).
func TestPopulationHouseholdsByTheAnalysesProvince(t *testing.T) {
	dir := t.TempDir()
	points := writeFile(t, dir, "points.csv", []byte("lon,lat,population\n"+
		"108.238063,16.053381,8775\n"+ // Đà Nẵng, on the coast
		"105.85,21.03,5000\n"+ // Hà Nội
		"102.0981,22.3024,300\n")) // Laos
	out := filepath.Join(dir, "pop")
	stdout, errs, code := runCmd(t, "population", "--points", points, "--out", out)
	if code != exitOK {
		t.Fatalf("population: exit %d\n%s\n%s", code, stdout, errs)
	}
	if !strings.Contains(stdout, "1 cells lie outside the census provinces") || !strings.Contains(errs, "1 of 3 cells (33.3%) lie outside the provinces") {
		t.Errorf("the cells with the national household size are not those outside the provinces:\n%s\n%s", stdout, errs)
	}
	var danang float64
	for _, c := range geodata.Census2019() {
		if c.Code == "48" {
			danang = c.AvgHouseholdSize()
		}
	}
	rows := csvRows(t, filepath.Join(out, "population.csv"))
	found := false
	for _, r := range rows[1:] {
		pop, _ := strconv.ParseFloat(r[4], 64)
		hh, _ := strconv.ParseFloat(r[5], 64)
		if pop == 8775 {
			found = true
			if want := 8775 / danang; math.Abs(hh-want) > 1e-6 {
				t.Errorf("Đà Nẵng's coastal cell: %.2f households, want %.2f (8775 people / %.3f, Đà Nẵng's census size; the national size gives %.2f)",
					hh, want, danang, 8775/geodata.NationalHouseholdSize2019)
			}
		}
	}
	if !found {
		t.Fatalf("no cell of 8775 people in\n%v", rows)
	}
}
