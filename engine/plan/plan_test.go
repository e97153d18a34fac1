package plan

import (
	"reflect"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/hexgrid"
)

func buildFixture(t testing.TB) ([]Candidate, []Sharing, []Hex) {
	zones := syntheticZones(5, 8, 120)
	cands, err := GenerateCandidates(zones, DefaultCandidateConfig())
	if err != nil {
		t.Fatal(err)
	}
	var dead []Hex
	for _, z := range zones {
		dead = append(dead, z.Hexes...)
	}
	p := NewCandidate("proposed-1", zones[0].Hexes[0].Lon, zones[0].Hexes[0].Lat, SourceProposed)
	p.CostVND = 1.2e9
	cands = append(cands, p)
	sh := []Sharing{{
		ID: "roam-A", AgreementVND: 50e6, PerHexVND: 5e6,
		Hexes: []Hex{dead[1], {Cell: hexgrid.Cell(1 << 40), Lon: 104, Lat: 21, Households: 30}},
	}}
	return cands, sh, dead
}

func TestBuildPlan(t *testing.T) {
	cands, sh, dead := buildFixture(t)
	cfg := DefaultConfig()
	p, err := Build(cands, sh, dead, 12e9, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Steps) == 0 || p.TotalCostVND > p.BudgetVND {
		t.Fatalf("%d steps, cost %g of %g", len(p.Steps), p.TotalCostVND, p.BudgetVND)
	}
	var cumH, cumC float64
	sawSharing := false
	for k, s := range p.Steps {
		cumH += s.NewHouseholds
		cumC += s.CostVND
		if s.Rank != k+1 || !near(s.CumHouseholds, cumH, 1e-6) || !near(s.CumCostVND, cumC, 1) ||
			!near(s.CostPerHouseholdVND, s.CostVND/s.NewHouseholds, 1e-3) || s.NewHouseholds <= 0 {
			t.Errorf("step %d inconsistent: %+v", k, s)
		}
		if s.Source == SourceSharing {
			sawSharing = true
		}
		if s.Source == SourceGenerated && (s.Power != "solar" || s.Backhaul != "satellite") {
			t.Errorf("generated site without distances priced as %s/%s", s.Power, s.Backhaul)
		}
		if k > 0 && s.Source != SourceSharing && p.Steps[k-1].Source != SourceSharing &&
			s.NewHouseholds/s.CostVND > p.Steps[k-1].NewHouseholds/p.Steps[k-1].CostVND*(1+1e-12) {
			t.Errorf("step %d has a better ratio than step %d", k+1, k)
		}
	}
	if !sawSharing {
		t.Error("the cheap sharing agreement was not funded")
	}
	if !near(p.TotalHouseholds, cumH, 1e-6) || p.UpperBound < p.TotalHouseholds || p.UpperBound > p.DeadHouseholds+1e-6 {
		t.Errorf("total %g bound %g dead %g", p.TotalHouseholds, p.UpperBound, p.DeadHouseholds)
	}
	if len(p.Curve) != len(p.Steps)+1 || p.Curve[0] != (CurvePoint{}) {
		t.Errorf("curve %v", p.Curve)
	}
	t.Logf("%d options, %d steps, %.0f of %.0f households for %.2f bn VND; bound %.0f (%s), gap %.3f",
		len(cands)+len(sh), len(p.Steps), p.TotalHouseholds, p.DeadHouseholds, p.TotalCostVND/1e9, p.UpperBound, p.BoundMethod, p.Gap)

	again, _ := Build(cands, sh, dead, 12e9, cfg)
	if !reflect.DeepEqual(p, again) {
		t.Error("Build is not deterministic")
	}
	cfg.Footprint.Workers = 1
	one, _ := Build(cands, sh, dead, 12e9, cfg)
	if !reflect.DeepEqual(p, one) {
		t.Error("Build depends on the number of workers")
	}
}

func TestBuildRejectsDuplicateCells(t *testing.T) {
	dead := []Hex{{Cell: 7, Lon: 105, Lat: 21, Households: 1}, {Cell: 7, Lon: 105.01, Lat: 21, Households: 1}}
	if _, err := Build(nil, nil, dead, 1e9, DefaultConfig()); err == nil {
		t.Error("duplicate cells accepted")
	}
}

func TestCurveSVG(t *testing.T) {
	cands, sh, dead := buildFixture(t)
	p, err := Build(cands, sh, dead, 12e9, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	svg := CurveSVG(p)
	for _, want := range []string{"<svg ", "</svg>", "<polyline", "Budget (billion VND)", "Households", "upper bound"} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "@import", "url(", "NaN", "Inf"} {
		if strings.Contains(svg, bad) {
			t.Errorf("SVG contains %q", bad)
		}
	}
	if svg != CurveSVG(p) {
		t.Error("SVG not deterministic")
	}
	if s := CurveSVG(Plan{Curve: []CurvePoint{{}}}); !strings.Contains(s, "</svg>") || strings.Contains(s, "NaN") {
		t.Errorf("empty plan SVG: %s", s)
	}
}

func TestNiceStep(t *testing.T) {
	for _, tc := range []struct{ max, want float64 }{{10, 2}, {12, 5}, {1000, 200}, {0.7, 0.2}, {0, 1}} {
		if got := niceStep(tc.max); !near(got, tc.want, 1e-12) {
			t.Errorf("niceStep(%g) = %g, want %g", tc.max, got, tc.want)
		}
	}
}
