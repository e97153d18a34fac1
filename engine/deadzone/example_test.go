package deadzone_test

import (
	"fmt"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/population"
)

func ExampleDetect() {
	// Three populated hexes in a row; Viettel 4G covers the first, the
	// other two have only MobiFone 2G.
	a, _ := hexgrid.Index(104.0, 22.0, 8)
	disk, _ := a.Disk(1)
	b := disk[1]
	bd, _ := b.Disk(1)
	var c hexgrid.Cell
	for _, n := range bd {
		if n != a && n != b && !contains(disk, n) {
			c = n
			break
		}
	}
	in := deadzone.Input{
		Population: []population.Cell{
			{Cell: a, Population: 400, Households: 100},
			{Cell: b, Population: 120, Households: 30},
			{Cell: c, Population: 80, Households: 20},
		},
		Coverage: []deadzone.HexCoverage{
			{Cell: a, Carrier: engine.Viettel, Tech: engine.Tech4G, Covered: true},
			{Cell: b, Carrier: engine.MobiFone, Tech: engine.Tech2G, Covered: true},
			{Cell: c, Carrier: engine.MobiFone, Tech: engine.Tech2G, Covered: true},
		},
	}
	zones, err := deadzone.Detect(in)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, z := range zones {
		fmt.Printf("%d hexes, %.0f households, partly 2G: %v\n", len(z.Cells), z.Households, z.Partly2G)
	}
	// Output:
	// 2 hexes, 50 households, partly 2G: true
}

func contains(cs []hexgrid.Cell, c hexgrid.Cell) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}
