package campaign_test

import (
	"fmt"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/campaign"
	"github.com/paulmach/orb"
)

// Plan two days of one team from Lai Châu town over three villages.
func ExampleBuild() {
	vs := []campaign.Village{
		{Village: engine.Village{ID: "B01", Lon: 103.50, Lat: 22.40, Households: 120}, PDead: 0.5},
		{Village: engine.Village{ID: "B02", Lon: 103.30, Lat: 22.45, Households: 80}, PDead: 0.2},
		{Village: engine.Village{ID: "B03", Lon: 103.45, Lat: 22.38, Households: 60}, PDead: 0.02},
	}
	p, err := campaign.Build(vs, campaign.Config{Teams: 1, Days: 2, Start: orb.Point{103.46, 22.40}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, v := range p.Ranked {
		fmt.Printf("%d %s value %.1f households, team %d day %d order %d\n", i+1, v.ID, v.Value, v.Team, v.Day, v.Order)
	}
	for _, r := range p.Routes {
		fmt.Printf("team %d day %d: %.1f km, %.2f h\n", r.Team, r.Day, r.LengthKm, r.Hours)
	}
	// Output:
	// 1 B01 value 54.0 households, team 1 day 1 order 1
	// 2 B02 value 12.0 households, team 1 day 1 order 2
	// team 1 day 1: 35.6 km, 4.19 h
}
