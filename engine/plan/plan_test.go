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
	// A budget far above the spending is named, not drawn to scale: under
	// 10¹⁵ đồng every point stood on the y-axis (x = 72).
	huge := Plan{BudgetVND: 1e15, TotalCostVND: 34e9, UpperBound: 1300, TotalHouseholds: 1290,
		Curve: []CurvePoint{{}, {CostVND: 10e9, Households: 700}, {CostVND: 34e9, Households: 1290}}}
	svg = CurveSVG(huge)
	if !strings.Contains(svg, "budget 1000000 bn VND, off the scale") || strings.Contains(svg, `stroke-dasharray="2 3"`) {
		t.Errorf("a budget 30,000 times the spending drawn to scale:\n%s", svg)
	}
	pts := svg[strings.Index(svg, `points="`)+8:]
	pts = pts[:strings.Index(pts, `"`)]
	if last := pts[strings.LastIndex(pts, " ")+1:]; !strings.HasPrefix(last, "5") && !strings.HasPrefix(last, "4") {
		t.Errorf("the curve ends at x = %s: not across the chart", last)
	}
}

func TestNiceStep(t *testing.T) {
	for _, tc := range []struct{ max, want float64 }{{10, 2}, {12, 5}, {1000, 200}, {0.7, 0.2}, {0, 1}} {
		if got := niceStep(tc.max); !near(got, tc.want, 1e-12) {
			t.Errorf("niceStep(%g) = %g, want %g", tc.max, got, tc.want)
		}
	}
}

// Each carrier's sharing agreement closes that carrier's own gap: two
// carriers with gaps in the same hexes are two gaps, and one carrier's
// roaming serves none of the other's customers. Hand-made instance, no
// sites: hexes 11 and 12 (100 and 50 households) are gaps of both A and
// B, hex 13 (40) of B alone; hex 14 (30) is in two agreements of B.
func TestBuildSharingPerCarrier(t *testing.T) {
	hex := func(cell hexgrid.Cell, households float64) Hex {
		return Hex{Cell: cell, Lon: 104 + float64(cell)*0.01, Lat: 21, Households: households}
	}
	sh := []Sharing{
		{ID: "SHARE-A", Carrier: "A", Hexes: []Hex{hex(11, 100), hex(12, 50)}, AgreementVND: 1e6},
		{ID: "SHARE-B", Carrier: "B", Hexes: []Hex{hex(11, 100), hex(12, 50), hex(13, 40), hex(14, 30)}, AgreementVND: 2e6},
		{ID: "SHARE-B-2", Carrier: "B", Hexes: []Hex{hex(14, 30)}, AgreementVND: 1e6},
	}
	for _, tc := range []struct {
		name      string
		budgetVND float64
		want      map[string]float64 // households each funded agreement adds
		total     float64
	}{
		// B's agreement serves its 220 whatever A's did; B-2 adds nothing
		// once B's agreement serves hex 14.
		{"all", 10e6, map[string]float64{"SHARE-A": 150, "SHARE-B": 220}, 370},
		// 2 million buys B (220) over A and B-2 (150 + 30).
		{"two million", 2e6, map[string]float64{"SHARE-B": 220}, 220},
		{"one million", 1e6, map[string]float64{"SHARE-A": 150}, 150},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Build(nil, sh, nil, tc.budgetVND, DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]float64{}
			for _, s := range p.Steps {
				got[s.CandidateID] = s.ServedBySharing()
				if s.NewlyCovered() != 0 {
					t.Errorf("%s newly covers %g households", s.CandidateID, s.NewlyCovered())
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("served %v, want %v", got, tc.want)
			}
			if !near(p.TotalHouseholds, tc.total, 1e-9) || !near(p.DeadHouseholds, 370, 1e-9) {
				t.Errorf("total %g of %g, want %g of 370", p.TotalHouseholds, p.DeadHouseholds, tc.total)
			}
			// The optimum is known: the bound may not claim less.
			if p.UpperBound < tc.total-1e-9 || p.UpperBound > 370+1e-6 || p.Gap < 0 {
				t.Errorf("bound %g (%s), gap %g for an optimum of %g", p.UpperBound, p.BoundMethod, p.Gap, tc.total)
			}
		})
	}
	// A site covers a dead hex for everyone; a carrier's gap hex is no
	// dead hex, so no site covers it.
	dead := []Hex{hex(21, 60)}
	site := NewCandidate("S", dead[0].Lon, dead[0].Lat, SourceProposed)
	site.CostVND = 5e6
	p, err := Build([]Candidate{site}, sh, dead, 20e6, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if !near(p.TotalHouseholds, 430, 1e-9) || !near(p.DeadHouseholds, 430, 1e-9) || !near(p.UpperBound, 430, 1e-6) || p.Gap > 1e-9 {
		t.Errorf("with a site: %g of %g, bound %g gap %g; want 430 of 430", p.TotalHouseholds, p.DeadHouseholds, p.UpperBound, p.Gap)
	}
}
