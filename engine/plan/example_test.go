package plan_test

import (
	"fmt"

	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/plan"
)

// Two small dead zones a few kilometres apart, one candidate per zone
// placed by GenerateCandidates, a proposed site with a quoted cost and a
// roaming agreement; a budget of 4 billion VND.
func ExampleBuild() {
	zone := func(id string, lon, lat float64, households float64, first hexgrid.Cell) plan.Zone {
		z := plan.Zone{ID: id, Lon: lon, Lat: lat}
		for i := range 5 {
			z.Hexes = append(z.Hexes, plan.Hex{Cell: first + hexgrid.Cell(i), Lon: lon + float64(i)*0.008, Lat: lat, Households: households})
		}
		return z
	}
	zones := []plan.Zone{zone("A", 104.00, 21.50, 40, 1), zone("B", 104.30, 21.50, 25, 100)}
	var dead []plan.Hex
	for _, z := range zones {
		dead = append(dead, z.Hexes...)
	}
	cands, err := plan.GenerateCandidates(zones, plan.DefaultCandidateConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	quoted := plan.NewCandidate("P1", 104.31, 21.50, plan.SourceProposed)
	quoted.CostVND = 1.5e9
	cands = append(cands, quoted)
	roam := plan.Sharing{ID: "roam-B", AgreementVND: 200e6, Hexes: dead[5:7]}

	p, err := plan.Build(cands, []plan.Sharing{roam}, dead, 4e9, plan.DefaultConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range p.Steps {
		fmt.Printf("%d %-6s %-9s +%3.0f households  %.2f bn VND  %5.1f M VND/household\n",
			s.Rank, s.CandidateID, s.Source, s.NewHouseholds, s.CostVND/1e9, s.CostPerHouseholdVND/1e6)
	}
	fmt.Printf("total %.0f of %.0f households for %.2f bn VND; bound %.0f (%s)\n",
		p.TotalHouseholds, p.DeadHouseholds, p.TotalCostVND/1e9, p.UpperBound, p.BoundMethod)
	// Output:
	// 1 roam-B sharing   + 50 households  0.20 bn VND    4.0 M VND/household
	// 2 A-1    generated +200 households  3.58 bn VND   17.9 M VND/household
	// total 250 of 325 households for 3.78 bn VND; bound 265 (lp)
}
