package pipeline

import (
	"testing"

	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// TestMajorityAdmin: a funded site where nobody lives takes the province
// and commune of most of the dead hexes it covers (ties to the lower
// codes); hexes without a unit are not counted, and no hex gives none.
func TestMajorityAdmin(t *testing.T) {
	c := func(lon float64) hexgrid.Cell {
		cell, err := hexgrid.Index(lon, 22.3, 8)
		if err != nil {
			t.Fatal(err)
		}
		return cell
	}
	a, b, d, e := c(103.40), c(103.42), c(103.44), c(103.46)
	admin := map[hexgrid.Cell]deadzone.Admin{a: {Province: "12", Commune: "12004"}, b: {Province: "12", Commune: "12004"},
		d: {Province: "12", Commune: "12001"}}
	if got := majorityAdmin(admin, []hexgrid.Cell{d, a, e, b}); got != (deadzone.Admin{Province: "12", Commune: "12004"}) {
		t.Errorf("majority: %+v", got)
	}
	if got := majorityAdmin(admin, []hexgrid.Cell{d, a}); got != (deadzone.Admin{Province: "12", Commune: "12001"}) {
		t.Errorf("tie: %+v", got)
	}
	if got := majorityAdmin(admin, []hexgrid.Cell{e}); got != (deadzone.Admin{}) {
		t.Errorf("no unit: %+v", got)
	}
}
