package pipeline

import (
	"context"

	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/population"
	"github.com/lomsong/lomsong/geodata"
)

// AssignCensusHouseholds sets each cell's Households to its Population
// divided by the census 2019 average household size of the province its
// centre is attributed to, by the rule the analyses place a hex in a
// province with (deadzone.AttributePlaces over the 63 provinces of 2019,
// whose unions the 34 of 2025 are: a centre in no outline, on a coast or
// a border, is settled by the share of its surrounding cell in each
// province). A cell attributed to none (another country, the open sea)
// takes geodata.NationalHouseholdSize2019; their count is returned.
//
// A strict point-in-outline test left the cells along the coarse
// outlines' borders and coasts, which the analyses count in a province,
// with the national size instead of their province's (4.5 people a
// household in Lai Châu or Hà Giang against 3.58).
func AssignCensusHouseholds(ctx context.Context, cells []population.Cell) (unmatched int, err error) {
	set, err := geodata.Provinces2019()
	if err != nil {
		return 0, err
	}
	size := map[string]float64{}
	for _, c := range geodata.Census2019() {
		if s := c.AvgHouseholdSize(); s > 0 {
			size[c.Code] = s
		}
	}
	hexes := make([]hexgrid.Cell, len(cells))
	for i, c := range cells {
		hexes[i] = c.Cell
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	_, codes, err := cellProvinces(set, hexes)
	if err != nil {
		return 0, err
	}
	for i, code := range codes {
		s, ok := size[code]
		if !ok {
			s = geodata.NationalHouseholdSize2019
			unmatched++
		}
		cells[i].Households = cells[i].Population / s
	}
	return unmatched, nil
}
